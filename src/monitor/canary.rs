//! Canary probes: on a schedule, benchmark dilemmas go to each member through the ordinary
//! upstream dispatch, in several wordings (the bench's own, options swapped, a paraphrased
//! framing) and several samples each. Answers are read with [`crate::decide`], mapped back to the
//! case's own option order, and recorded as decision events with route `canary`, so a member's
//! value profile and drift stay measured when no live dilemma traffic arrives.
//!
//! Cost: at most `max_probes_per_interval` requests per member per round, one at a time. Rounds
//! continue through the cases where the previous one stopped, so every case is covered in turn.
//! The plan, the prompts and the answer reading are pure and live in `canary_probe.rs`
//! (re-exported here); this file loads the cases, picks the members, sends the probes and
//! records what they answer: only [`Canary::run_round`] does I/O.

pub use super::canary_probe::{
    answer_of, in_case_terms, plan_round, probe_body, probe_prompt, to_case_terms, ProbePrompt,
    ProbeSlot,
};
use super::config::CanaryConfig;
use super::judge::JudgeTexts;
use super::log::{DecisionEvent, OptionTags};
use super::runtime::now_ms;
use crate::body::ProxyBody;
use crate::decide::{Decider, OptionPair};
use crate::state::{AppState, SharedState};
use crate::upstream::sim_model::EMBEDDED_BENCH;
use crate::upstream::{dispatch, ForwardRequest};
use crate::valuebench::{self, CaseLine};
use anyhow::Context;
use http_body_util::BodyExt;
use serde_json::Value as Json;
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The `route_mode` of every canary event.
pub const CANARY_ROUTE: &str = "canary";
/// Largest probe answer read, bytes (a chat completion is far smaller).
const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// The cases a canary probes: `path` (a `cases.jsonl`, or a ValueBench folder holding one), else
/// the embedded project bench. Cases without two option texts, or not approved when a status is
/// given, are left out.
pub fn load_cases(path: Option<&Path>) -> anyhow::Result<Vec<CaseLine>> {
    let lines = match path {
        Some(p) if p.is_dir() => valuebench::read_cases(&p.join("cases.jsonl"))?,
        Some(p) => valuebench::read_cases(p)?,
        None => valuebench::parse_cases(EMBEDDED_BENCH, Path::new("policies/bench/cases.jsonl"))?,
    };
    let usable: Vec<CaseLine> = lines
        .into_iter()
        .filter(|l| l.status.is_none() || l.is_approved())
        .filter(|l| !l.choice_1.choice.trim().is_empty() && !l.choice_2.choice.trim().is_empty())
        .collect();
    anyhow::ensure!(!usable.is_empty(), "canary: no usable benchmark cases");
    Ok(usable)
}

/// The models a round probes: the configured list, else the plain model of every ensemble
/// member, else every served model; only models the state serves.
pub fn probe_members(config: &CanaryConfig, state: &AppState) -> Vec<String> {
    let named: Vec<String> = if !config.members.is_empty() {
        config.members.clone()
    } else if !state.policy.ensembles.is_empty() {
        let models = state.policy.ensembles.iter().flat_map(|e| &e.members);
        let plain = models.filter_map(|m| crate::route::steer::parse_member(m).ok());
        plain.map(|spec| spec.model).collect()
    } else {
        state.models.keys().cloned().collect()
    };
    let unique: BTreeSet<String> = named.into_iter().collect();
    unique
        .into_iter()
        .filter(|m| state.models.contains_key(m))
        .collect()
}

/// What one round did, per outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoundReport {
    pub round: u64,
    pub members: usize,
    /// Answers read and recorded.
    pub recorded: u64,
    /// No answer (no route, upstream error, timeout, non-2xx, unreadable body).
    pub failed: u64,
    /// Read but not recorded (the monitor's log refused it).
    pub not_recorded: u64,
}

/// Why a probe gave no answer, as a metric-safe label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeFailure {
    Upstream,
    Status,
    Timeout,
    Unreadable,
}

impl ProbeFailure {
    pub fn label(self) -> &'static str {
        match self {
            ProbeFailure::Upstream => "upstream_error",
            ProbeFailure::Status => "status",
            ProbeFailure::Timeout => "timeout",
            ProbeFailure::Unreadable => "unreadable",
        }
    }
}

/// The canary of one process: its cases, where the next round starts, and its counters.
pub struct Canary {
    config: CanaryConfig,
    cases: Vec<CaseLine>,
    cursor: AtomicUsize,
    rounds: AtomicU64,
    probes: Option<prometheus::IntCounterVec>,
}

/// `pluralis_canary_probes_total{member,outcome}`, registered in `registry`.
pub fn probe_counter(
    registry: &prometheus::Registry,
) -> prometheus::Result<prometheus::IntCounterVec> {
    let counter = prometheus::IntCounterVec::new(
        prometheus::Opts::new(
            "pluralis_canary_probes_total",
            "Canary probes sent, by member and outcome.",
        ),
        &["member", "outcome"],
    )?;
    registry.register(Box::new(counter.clone()))?;
    Ok(counter)
}

impl Canary {
    /// Loads the cases; registers `pluralis_canary_probes_total{member,outcome}` in `registry`.
    pub fn new(
        config: CanaryConfig,
        registry: Option<&prometheus::Registry>,
    ) -> anyhow::Result<Canary> {
        let probes = registry.map(probe_counter).transpose()?;
        Self::with_counter(config, probes)
    }

    /// Loads the cases; counts probes in `probes` (registered once per process by the caller,
    /// so a canary restarted on reload keeps counting in the same series).
    pub fn with_counter(
        config: CanaryConfig,
        probes: Option<prometheus::IntCounterVec>,
    ) -> anyhow::Result<Canary> {
        let errors = config.validate();
        anyhow::ensure!(errors.is_empty(), errors.join("; "));
        let cases = load_cases(config.cases.as_deref()).context("loading canary cases")?;
        Ok(Canary {
            config,
            cases,
            cursor: AtomicUsize::new(0),
            rounds: AtomicU64::new(0),
            probes,
        })
    }

    pub fn cases(&self) -> &[CaseLine] {
        &self.cases
    }

    pub fn config(&self) -> &CanaryConfig {
        &self.config
    }

    fn count(&self, member: &str, outcome: &str) {
        if let Some(c) = &self.probes {
            c.with_label_values(&[member, outcome]).inc();
        }
    }

    /// One round: every member gets the same planned probes, one request at a time. Decisions
    /// go to the state's monitor (none: the round is skipped).
    pub async fn run_round(&self, state: &AppState) -> RoundReport {
        let round = self.rounds.fetch_add(1, Ordering::Relaxed);
        let mut report = RoundReport {
            round,
            ..RoundReport::default()
        };
        let Some(monitor) = state.monitor.as_ref() else {
            return report;
        };
        let members = probe_members(&self.config, state);
        report.members = members.len();
        let cursor = self.cursor.load(Ordering::Relaxed);
        let (slots, next) = plan_round(
            self.cases.len(),
            &self.config.variants,
            self.config.samples,
            self.config.max_probes_per_interval,
            cursor,
        );
        self.cursor.store(next, Ordering::Relaxed);
        let decider = Decider::new();
        for member in &members {
            for slot in &slots {
                let Some(line) = self.cases.get(slot.case) else {
                    continue;
                };
                let prompt = probe_prompt(line, slot.variant);
                let id = format!(
                    "canary-r{round}-{}-s{}-{}",
                    slot.variant.as_str(),
                    slot.sample,
                    line.case_id
                );
                let started = Instant::now();
                let answer = self.ask(state, member, &prompt, &id).await;
                let completion = match answer {
                    Ok(completion) => completion,
                    Err(failure) => {
                        report.failed += 1;
                        self.count(member, failure.label());
                        continue;
                    }
                };
                let Some((content, reasoning)) = answer_of(&completion) else {
                    report.failed += 1;
                    self.count(member, ProbeFailure::Unreadable.label());
                    continue;
                };
                let pair = OptionPair::new(&prompt.shown[0], &prompt.shown[1]);
                let decision = decider.decide_prepared(&pair, content, reasoning);
                let event = DecisionEvent {
                    time_ms: now_ms(),
                    request_id: id,
                    conversation: None,
                    tenant: None,
                    ensemble: None,
                    member: member.clone(),
                    route_mode: CANARY_ROUTE.to_owned(),
                    persona: None,
                    // A benchmark case is a dilemma by construction.
                    dilemma_score: 1.0,
                    case_key: line.case_id.clone(),
                    options: Some(OptionTags::from_case(&line.case())),
                    option_texts: Some([
                        line.choice_1.choice.clone(),
                        line.choice_2.choice.clone(),
                    ]),
                    // In the prompt's numbering until the judge has seen it (below).
                    decision: decision.choice,
                    confidence: decision.confidence as f32,
                    values_discussed: decision.values,
                    presents_both: decision.presents_both,
                    latency_ms: started.elapsed().as_millis() as u64,
                    prompt_text: None,
                    answer_text: None,
                    judge: None,
                };
                // An answer the parser reads with low confidence goes to the judge model, as
                // live answers do (its threshold and budget apply; bench cases need no tags).
                // The judge sees the options as the prompt showed them, so "the first option"
                // means the same to it as to the member.
                let event = match &state.judge {
                    Some(judge) => {
                        let texts = JudgeTexts {
                            options: prompt.shown.clone(),
                            case: prompt.user.clone(),
                            answer: content.to_owned(),
                        };
                        judge.enrich(event, &texts).await
                    }
                    None => event,
                };
                let event = in_case_terms(event, prompt.swapped);
                if monitor.record(event).await.is_ok() {
                    report.recorded += 1;
                    self.count(member, "recorded");
                } else {
                    report.not_recorded += 1;
                    self.count(member, "not_recorded");
                }
            }
        }
        report
    }

    /// Sends one probe through the member's upstream chain and reads the completion JSON.
    async fn ask(
        &self,
        state: &AppState,
        member: &str,
        prompt: &ProbePrompt,
        user: &str,
    ) -> Result<Json, ProbeFailure> {
        let candidates = state.models.get(member).ok_or(ProbeFailure::Upstream)?;
        let request = ForwardRequest {
            method: http::Method::POST,
            path: "/chat/completions".to_owned(),
            headers: http::HeaderMap::new(),
            body: probe_body(member, prompt, user),
            stream: false,
        };
        let deadline = Duration::from_millis(self.config.probe_timeout_ms);
        let exchange = async {
            let dispatched = dispatch(candidates, &request, &state.metrics)
                .await
                .map_err(|_| ProbeFailure::Upstream)?;
            if !dispatched.response.status().is_success() {
                return Err(ProbeFailure::Status);
            }
            let bytes = read_limited(dispatched.response.into_body(), MAX_ANSWER_BYTES).await?;
            serde_json::from_slice::<Json>(&bytes).map_err(|_| ProbeFailure::Unreadable)
        };
        tokio::time::timeout(deadline, exchange)
            .await
            .unwrap_or(Err(ProbeFailure::Timeout))
    }

    /// Runs a round every `interval_ms` on the live state (reloads included) until the task is
    /// aborted. The first round starts one interval after the start. A server runs it through
    /// [`super::canary_task::CanaryTask`], which restarts it when a reload changes the table.
    pub fn spawn(self: Arc<Self>, shared: SharedState) -> tokio::task::JoinHandle<()> {
        let period = Duration::from_millis(self.config.interval_ms);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(period);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            tick.tick().await;
            loop {
                tick.tick().await;
                let state = shared.load_full();
                let report = self.run_round(&state).await;
                tracing::info!(
                    round = report.round,
                    members = report.members,
                    recorded = report.recorded,
                    failed = report.failed,
                    not_recorded = report.not_recorded,
                    "canary round done"
                );
            }
        })
    }
}

/// The whole body, or `Unreadable` when it fails or grows past `max` bytes.
async fn read_limited(mut body: ProxyBody, max: usize) -> Result<Vec<u8>, ProbeFailure> {
    let mut out = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| ProbeFailure::Unreadable)?;
        if let Ok(data) = frame.into_data() {
            if out.len() + data.len() > max {
                return Err(ProbeFailure::Unreadable);
            }
            out.extend_from_slice(&data);
        }
    }
    Ok(out)
}

#[cfg(test)]
#[path = "canary_tests.rs"]
mod tests;
