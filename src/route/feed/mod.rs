//! The live monitor feed: every dilemma an ensemble answers becomes one
//! [`DecisionEvent`] for the monitor. Routing builds a [`DilemmaContext`] (what is known before
//! the answer: ids, member, mode, persona, score, options) and hands it to [`observer`], which
//! collects the answer as it streams to the client; once the answer is complete the decision is
//! parsed (`crate::decide`) and recorded off the response path: on the monitor's low-priority
//! background thread (reading the answer's JSON included), or, when the event may have to wait
//! (a judge model to ask, `backpressure` overflow), in a task of its own. Only when the log's
//! fsync policy is `per_event` does the end of the response wait until the event is durable,
//! so a response a client saw complete is never lost by a crash.
//!
//! Routing modes that gather answers themselves (e.g. an Overton fan-out) call [`emit`] with
//! each member's answer instead.

pub mod answer;
pub mod cases;
mod observer;

use crate::decide::{Decider, OptionPair};
use crate::detect::Detection;
use crate::monitor::judge::{Judge, JudgeTexts};
use crate::monitor::log::{case_key_for_vignette, hash_conversation, DecisionEvent, JudgeNote};
use crate::monitor::runtime::now_ms;
use crate::monitor::Monitor;
use crate::server::observe::ResponseObserver;
use crate::server::request::ApiRequest;
use crate::state::AppState;
use crate::values::Choice;
pub use answer::AnswerText;
pub use cases::KnownCases;
use std::sync::Arc;
use std::time::Instant;

/// Everything known about a dilemma request before its answer.
#[derive(Debug, Clone)]
pub struct DilemmaContext {
    pub request_id: String,
    /// Salted hash of the `x-pluralis-conversation` header or `user` field, when given.
    pub conversation: Option<String>,
    /// A declared tenant or `other` (`[tenants]`), set by [`context`]; `None` without tenants.
    pub tenant: Option<String>,
    /// The ensemble the client asked for.
    pub ensemble: Option<String>,
    /// The member that answers, as the policy names it.
    pub member: String,
    /// `passthrough`, `distributional`, `persona`, `overton`, `steer` or `guardrail`.
    pub route_mode: String,
    pub persona: Option<String>,
    pub score: f32,
    /// The two options in the order the prompt states them, when the detector found them.
    pub options: Option<[String; 2]>,
    /// The newest user message: to recognise a known case and key a new one. Never logged
    /// unless the policy opts into prompt text.
    pub prompt: String,
    /// Whether the client asked for a stream (how the answer's bytes are read).
    pub stream: bool,
    pub started: Instant,
}

impl DilemmaContext {
    /// The context of a request routing found to be a dilemma. `route` is the route name the
    /// ensemble chose (`default` for a dilemma means passthrough mode).
    pub fn new(
        monitor: &Monitor,
        request: &ApiRequest,
        verdict: &Detection<'_>,
        ensemble: &str,
        member: &str,
        route: &str,
    ) -> Self {
        let conversation = request
            .headers
            .get(super::steer::CONVERSATION_HEADER)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty())
            .or_else(|| request.json.get("user").and_then(|u| u.as_str()))
            .filter(|v| !v.is_empty())
            .map(|id| hash_conversation(monitor.conversation_salt(), id));
        let prompt = super::steer::messages(&request.json)
            .filter(|(role, _)| *role == "user")
            .last()
            .map_or_else(String::new, |(_, text)| text.to_owned());
        DilemmaContext {
            request_id: request.request_id.clone(),
            conversation,
            tenant: None,
            ensemble: Some(ensemble.to_owned()),
            member: member.to_owned(),
            route_mode: if route == "default" {
                "passthrough".to_owned()
            } else {
                route.to_owned()
            },
            persona: None,
            score: verdict.score,
            options: verdict
                .options
                .map(|o| [o.first.to_owned(), o.second.to_owned()]),
            prompt,
            stream: request.stream,
            started: Instant::now(),
        }
    }

    pub fn with_persona(mut self, persona: impl Into<String>) -> Self {
        self.persona = Some(persona.into());
        self
    }
}

/// What the policy lets an event keep (patient data is off by default).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Keep {
    pub option_text: bool,
    pub prompt_text: bool,
}

impl Keep {
    pub fn of(monitor: &Monitor) -> Self {
        let log = &monitor.config().log;
        Keep {
            option_text: log.include_option_text,
            prompt_text: log.include_prompt_text,
        }
    }
}

/// When an answer was complete: the event's time and latency are taken then, not when the
/// event is built (which may be later, off the response path).
#[derive(Debug, Clone, Copy)]
pub struct Answered {
    pub time_ms: u64,
    pub at: Instant,
}

impl Answered {
    pub fn now() -> Answered {
        Answered {
            time_ms: now_ms(),
            at: Instant::now(),
        }
    }
}

/// The event for one answer. Pure: the decision is parsed against the options as the prompt
/// stated them, then, for a known case listed the other way round, turned to the case's order
/// (the order its value tags and case id count in).
pub fn build_event(
    ctx: &DilemmaContext,
    cases: &KnownCases,
    answer: &AnswerText,
    keep: Keep,
    answered: Answered,
) -> DecisionEvent {
    let stated = ctx.options.as_ref().map(|[a, b]| [a.as_str(), b.as_str()]);
    let known = cases.find(stated, &ctx.prompt);
    let options = known
        .as_ref()
        .map(|k| k.prompt_options())
        .or(stated)
        .unwrap_or(["", ""]);
    let pair = OptionPair::new(options[0], options[1]);
    let decision =
        Decider::new().decide_prepared(&pair, &answer.content, answer.reasoning.as_deref());
    let swapped = known.as_ref().is_some_and(|k| k.swapped);
    let choice = match decision.choice {
        Choice::Choice1 if swapped => Choice::Choice2,
        Choice::Choice2 if swapped => Choice::Choice1,
        c => c,
    };
    let case_options = if swapped {
        [options[1], options[0]]
    } else {
        options
    };
    DecisionEvent {
        time_ms: answered.time_ms,
        request_id: ctx.request_id.clone(),
        conversation: ctx.conversation.clone(),
        tenant: ctx.tenant.clone(),
        ensemble: ctx.ensemble.clone(),
        member: ctx.member.clone(),
        route_mode: ctx.route_mode.clone(),
        persona: ctx.persona.clone(),
        dilemma_score: ctx.score,
        case_key: match &known {
            Some(k) => k.line.case_id.clone(),
            None => case_key_for_vignette(&ctx.prompt),
        },
        options: known.as_ref().map(|k| k.tags()),
        option_texts: (keep.option_text && (known.is_some() || stated.is_some()))
            .then(|| case_options.map(str::to_owned)),
        decision: choice,
        confidence: decision.confidence as f32,
        values_discussed: decision.values,
        presents_both: decision.presents_both,
        latency_ms: answered.at.duration_since(ctx.started).as_millis() as u64,
        prompt_text: keep.prompt_text.then(|| ctx.prompt.clone()),
        answer_text: keep.prompt_text.then(|| answer.content.clone()),
        judge: None,
    }
}

/// The texts the judge model needs for an event (never logged by it): the options in the
/// event's order, the dilemma as stated, the answer.
pub fn judge_texts(ctx: &DilemmaContext, cases: &KnownCases, answer: &AnswerText) -> JudgeTexts {
    let stated = ctx.options.as_ref().map(|[a, b]| [a.as_str(), b.as_str()]);
    let options = match cases.find(stated, &ctx.prompt) {
        Some(k) => [
            k.line.choice_1.choice.clone(),
            k.line.choice_2.choice.clone(),
        ],
        None => ctx.options.clone().unwrap_or_default(),
    };
    JudgeTexts {
        options,
        case: ctx.prompt.clone(),
        answer: answer.content.clone(),
    }
}

/// The monitor and the cases its events are recognised against; cheap to clone.
#[derive(Clone)]
pub struct Feed {
    pub monitor: Arc<Monitor>,
    pub cases: Arc<KnownCases>,
    /// The optional judge model (`[monitor.judge]`).
    pub judge: Option<Arc<Judge>>,
}

impl Feed {
    /// The feed of a state, when it runs a monitor.
    pub fn of(state: &AppState) -> Option<Feed> {
        Some(Feed {
            monitor: state.monitor.clone()?,
            cases: state.known_cases.clone(),
            judge: state.judge.clone(),
        })
    }

    fn event(
        &self,
        ctx: &DilemmaContext,
        answer: &AnswerText,
        answered: Answered,
    ) -> DecisionEvent {
        build_event(ctx, &self.cases, answer, Keep::of(&self.monitor), answered)
    }

    /// True when events are built and recorded on the monitor's background thread: no judge
    /// call to await, and `shed` overflow (nothing ever waits for the log).
    fn offloads(&self) -> bool {
        self.judge.is_none() && self.monitor.offloads()
    }

    /// Reads, builds and records on the monitor's background thread; `answer` runs there too
    /// (e.g. reading the answer's JSON). Only for a feed that [`Feed::offloads`].
    fn offload(
        &self,
        ctx: DilemmaContext,
        answered: Answered,
        answer: impl FnOnce() -> Option<AnswerText> + Send + 'static,
    ) {
        let feed = self.clone();
        let request_id = ctx.request_id.clone();
        let job = Box::new(move || {
            let Some(answer) = answer() else {
                tracing::debug!(request_id = %ctx.request_id, "dilemma answer unreadable: no decision logged");
                return;
            };
            let event = feed.event(&ctx, &answer, answered);
            if let Err(error) = feed.monitor.record_now(event) {
                tracing::debug!(request_id = %ctx.request_id, %error, "dilemma decision not logged");
            }
        });
        if let Err(error) = self.monitor.offload(job) {
            tracing::debug!(%request_id, %error, "dilemma decision not logged");
        }
    }

    /// Parses and records now, returning once the event is durable under the fsync policy.
    /// An event the judge model is to review or tag is recorded durably as it stands, marked
    /// pending (a judge call must never hold a response, and a crash before the judge answers
    /// must not lose the decision); the judged event follows as a second line in a task of its
    /// own, and replaces the pending one wherever the log is read or counted.
    pub async fn record_durable(&self, ctx: DilemmaContext, answer: AnswerText) {
        let mut event = self.event(&ctx, &answer, Answered::now());
        if let Some(judge) = &self.judge {
            let texts = judge_texts(&ctx, &self.cases, &answer);
            let plan = judge.plan(&event, &texts);
            if plan.calls() {
                let mut pending = event.clone();
                pending.judge = Some(JudgeNote::pending(&judge.config().model));
                if let Err(error) = self.monitor.record_durable(pending).await {
                    tracing::warn!(request_id = %ctx.request_id, %error, "dilemma decision not logged");
                }
                let feed = self.clone();
                tokio::spawn(async move {
                    judge_then_record(&feed, plan, event, texts, &ctx.request_id).await;
                });
                return;
            }
            judge.apply(plan, &mut event, &texts).await;
        }
        if let Err(error) = self.monitor.record_durable(event).await {
            tracing::warn!(request_id = %ctx.request_id, %error, "dilemma decision not logged");
        }
    }

    /// Parses, asks the judge when it is configured, and records, in a task of its own: never
    /// waits on the caller's path.
    pub fn emit(&self, ctx: DilemmaContext, answer: AnswerText) {
        let answered = Answered::now();
        if self.offloads() {
            self.offload(ctx, answered, move || Some(answer));
            return;
        }
        self.spawn_record(ctx, answer, answered);
    }

    /// Like [`Feed::emit`] for an answer still to be read from the bytes the client was sent
    /// (`stream`: as SSE); offloaded, the reading happens off the response path too.
    pub fn emit_body(&self, ctx: DilemmaContext, body: Vec<bytes::Bytes>, stream: bool) {
        let answered = Answered::now();
        if self.offloads() {
            self.offload(ctx, answered, move || answer::read(&concat(body), stream));
            return;
        }
        match answer::read(&concat(body), stream) {
            Some(answer) => self.spawn_record(ctx, answer, answered),
            None => {
                tracing::debug!(request_id = %ctx.request_id, "dilemma answer unreadable: no decision logged")
            }
        }
    }

    fn spawn_record(&self, ctx: DilemmaContext, answer: AnswerText, answered: Answered) {
        let feed = self.clone();
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            tracing::warn!("dilemma decision not logged: no runtime");
            return;
        };
        runtime.spawn(async move {
            let event = feed.event(&ctx, &answer, answered);
            let event = match &feed.judge {
                Some(judge) => {
                    let texts = judge_texts(&ctx, &feed.cases, &answer);
                    judge.enrich(event, &texts).await
                }
                None => event,
            };
            if let Err(error) = feed.monitor.record(event).await {
                tracing::debug!(request_id = %ctx.request_id, %error, "dilemma decision not logged");
            }
        });
    }
}

/// The body's chunks as one buffer (no copy for a single chunk).
fn concat(chunks: Vec<bytes::Bytes>) -> bytes::Bytes {
    match <[bytes::Bytes; 1]>::try_from(chunks) {
        Ok([one]) => one,
        Err(chunks) => chunks.concat().into(),
    }
}

async fn judge_then_record(
    feed: &Feed,
    plan: crate::monitor::judge::JudgePlan,
    mut event: DecisionEvent,
    texts: JudgeTexts,
    request_id: &str,
) {
    if let Some(judge) = &feed.judge {
        judge.apply(plan, &mut event, &texts).await;
    }
    if let Err(error) = feed.monitor.record(event).await {
        tracing::debug!(request_id, %error, "dilemma decision not logged");
    }
}

/// Records one member's answer to a dilemma, off the caller's path (for modes that gather
/// answers themselves). A no-op without a monitor.
pub fn emit(state: &AppState, ctx: DilemmaContext, answer: AnswerText) {
    if let Some(feed) = Feed::of(state) {
        feed.emit(ctx, answer);
    }
}

/// The context for a dilemma request, when the state runs a monitor (else None, at no cost).
pub fn context(
    state: &AppState,
    request: &ApiRequest,
    verdict: &Detection<'_>,
    ensemble: &str,
    member: &str,
    route: &str,
) -> Option<DilemmaContext> {
    let monitor = state.monitor.as_ref()?;
    let mut ctx = DilemmaContext::new(monitor, request, verdict, ensemble, member, route);
    ctx.tenant = state.tenants.resolve(&request.headers);
    Some(ctx)
}

/// The response observer that logs the decision of the answer it sees, or None without a
/// monitor.
pub fn observer(state: &AppState, ctx: DilemmaContext) -> Option<Box<dyn ResponseObserver>> {
    Feed::of(state).map(|feed| observer::FeedObserver::boxed(feed, ctx))
}

/// The observer for a plan a dilemma mode made (persona, steer): member and route read from
/// the plan's explaining headers, the persona from the plan. Overton answers are logged per
/// member by the fan-out itself, so none here.
pub fn mode_observer(
    state: &AppState,
    request: &ApiRequest,
    verdict: &Detection<'_>,
    ensemble: &str,
    plan: &super::Plan,
) -> Option<Box<dyn ResponseObserver>> {
    let header = |name| {
        plan.response_headers
            .get(name)
            .and_then(|v: &http::HeaderValue| v.to_str().ok())
    };
    let route = header(super::ROUTE_HEADER)?;
    if route == "overton" {
        return None;
    }
    let member = header(super::MEMBER_HEADER)?;
    let mut ctx = context(state, request, verdict, ensemble, member, route)?;
    if let Some(p) = &plan.persona {
        ctx = ctx.with_persona(format!("{}:{}", p.origin.as_str(), p.header_value()));
    }
    observer(state, ctx)
}
