//! The optional judge model (`[monitor.judge]`): a configured upstream model that
//! (a) re-reads dilemma answers the local parser read with low confidence, and
//! (b) tags the two options of new dilemmas (no benchmark case) with their values, at a
//!     sampled rate, so the monitor's GLM can count them,
//! under a budget of calls per minute. It works on a [`DecisionEvent`] before the monitor
//! records it, off the client's response path; every judged event carries a [`JudgeNote`].
//!
//! Use: build one [`Judge`] per server state ([`Judge::for_state`]), then for each event
//! either `judge.enrich(event, texts).await` (from a spawned task), or, where the event must be
//! recorded durably before the response ends, [`Judge::plan`] first: an empty plan
//! ([`JudgePlan::calls`] false) costs nothing and the event can be recorded at once.

pub mod budget;
pub mod client;
pub mod config;
pub mod slot;
pub mod tags;

pub use budget::CallBudget;
pub use client::{JudgeClient, JudgeError, UpstreamJudge};
pub use config::JudgeConfig;
pub use slot::JudgeSlot;

use crate::decide::judge::{judge_prompt_with, parse_judge_reply, JudgePolicy};
use crate::monitor::log::{DecisionEvent, JudgeNote, JudgeReview, OptionTags};
use crate::state::AppState;
use crate::values::Choice;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Longest case text sent for tagging, bytes (head and tail kept).
const MAX_CASE_BYTES: usize = 8000;

/// The texts an event was built from (never logged by the judge): the two options in the
/// event's order (the order its `decision` and tags count in), the dilemma as the user
/// stated it, and the answer.
#[derive(Debug, Clone, Default)]
pub struct JudgeTexts {
    pub options: [String; 2],
    pub case: String,
    pub answer: String,
}

/// Where an event's option tags will come from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TagPlan {
    /// Already known, not sampled, or over budget.
    None,
    /// The judge tagged this case key before.
    Cached(OptionTags),
    /// Ask the judge (a call is budgeted).
    Ask,
}

/// What the judge will do for one event; its calls are already counted against the budget.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct JudgePlan {
    pub review: bool,
    pub tags: TagPlan,
}

impl JudgePlan {
    /// Whether carrying out the plan calls the judge model (takes time).
    pub fn calls(&self) -> bool {
        self.review || self.tags == TagPlan::Ask
    }

    fn is_empty(&self) -> bool {
        !self.review && self.tags == TagPlan::None
    }
}

/// Running totals, for metrics and `/monitor/api/state`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct JudgeCounts {
    /// Calls to the judge model taken from the budget (each review or tagging asked).
    pub calls: u64,
    /// Answers re-read, and how many of those the judge read differently.
    pub reviews: u64,
    pub reviews_changed: u64,
    /// Option tags asked for, and supplied from the cache.
    pub tags_asked: u64,
    pub tags_cached: u64,
    /// Calls the budget refused.
    pub over_budget: u64,
    /// Calls that gave nothing usable (transport, status, timeout, unreadable reply).
    pub failures: u64,
}

impl JudgeCounts {
    /// Field-wise sum (totals carried across a policy reload).
    pub fn plus(self, other: JudgeCounts) -> JudgeCounts {
        JudgeCounts {
            calls: self.calls + other.calls,
            reviews: self.reviews + other.reviews,
            reviews_changed: self.reviews_changed + other.reviews_changed,
            tags_asked: self.tags_asked + other.tags_asked,
            tags_cached: self.tags_cached + other.tags_cached,
            over_budget: self.over_budget + other.over_budget,
            failures: self.failures + other.failures,
        }
    }
}

/// What `/monitor/api/state` and the dashboard say about the judge: its settings, its budget
/// right now, and its running totals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JudgeStatus {
    pub model: String,
    pub threshold: f64,
    pub tag_sample_rate: f64,
    /// Budget: calls allowed in any 60 s, and calls taken in the last 60 s.
    pub max_calls_per_minute: u32,
    pub calls_last_minute: u64,
    pub counts: JudgeCounts,
}

#[derive(Default)]
struct Counters {
    calls: AtomicU64,
    reviews: AtomicU64,
    reviews_changed: AtomicU64,
    tags_asked: AtomicU64,
    tags_cached: AtomicU64,
    over_budget: AtomicU64,
    failures: AtomicU64,
}

/// Judge tags of new dilemmas by case key, oldest evicted first.
struct TagCache {
    capacity: usize,
    tags: HashMap<String, OptionTags>,
    order: VecDeque<String>,
}

impl TagCache {
    fn get(&self, key: &str) -> Option<OptionTags> {
        self.tags.get(key).copied()
    }

    fn insert(&mut self, key: &str, tags: OptionTags) {
        if self.capacity == 0 || self.tags.insert(key.to_owned(), tags).is_some() {
            return;
        }
        self.order.push_back(key.to_owned());
        while self.order.len() > self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.tags.remove(&old);
            }
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The judge service. Cheap to share (`Arc`); all methods take `&self`.
pub struct Judge {
    config: JudgeConfig,
    policy: JudgePolicy,
    client: Arc<dyn JudgeClient>,
    budget: Mutex<CallBudget>,
    sampler: Mutex<ChaCha8Rng>,
    cache: Mutex<TagCache>,
    counters: Counters,
}

impl Judge {
    pub fn new(config: JudgeConfig, client: Arc<dyn JudgeClient>) -> Self {
        Judge {
            policy: config.policy(),
            budget: Mutex::new(CallBudget::per_minute(config.max_calls_per_minute)),
            sampler: Mutex::new(ChaCha8Rng::seed_from_u64(config.seed)),
            cache: Mutex::new(TagCache {
                capacity: config.tag_cache,
                tags: HashMap::new(),
                order: VecDeque::new(),
            }),
            counters: Counters::default(),
            client,
            config,
        }
    }

    /// The judge of a server state: `[monitor.judge]` asking its model through the state's
    /// upstreams (with their retries, breakers and fallbacks). None without a judge table, or
    /// (logged) when no upstream serves the model.
    pub fn for_state(state: &AppState) -> Option<Arc<Judge>> {
        let config = state.policy.monitor.as_ref()?.judge.clone()?;
        let Some(candidates) = state.models.get(&config.model) else {
            tracing::error!(model = %config.model, "monitor.judge: no upstream serves this model; judge off");
            return None;
        };
        let client = UpstreamJudge::new(
            &config.model,
            candidates.clone(),
            state.metrics.clone(),
            Duration::from_millis(config.timeout_ms),
        );
        Some(Arc::new(Judge::new(config, Arc::new(client))))
    }

    pub fn config(&self) -> &JudgeConfig {
        &self.config
    }

    pub fn counts(&self) -> JudgeCounts {
        let c = &self.counters;
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        JudgeCounts {
            calls: get(&c.calls),
            reviews: get(&c.reviews),
            reviews_changed: get(&c.reviews_changed),
            tags_asked: get(&c.tags_asked),
            tags_cached: get(&c.tags_cached),
            over_budget: get(&c.over_budget),
            failures: get(&c.failures),
        }
    }

    /// Decide, at once and without I/O, what the judge does for `event`, and take the calls
    /// from the budget. Needs both option texts; an event with none is left alone.
    pub fn plan(&self, event: &DecisionEvent, texts: &JudgeTexts) -> JudgePlan {
        let mut plan = JudgePlan {
            review: false,
            tags: TagPlan::None,
        };
        if texts.options.iter().any(|o| o.trim().is_empty()) {
            return plan;
        }
        let now = Instant::now();
        if f64::from(event.confidence) < self.policy.threshold {
            plan.review = self.take_call(now);
        }
        if event.options.is_none() {
            if let Some(tags) = lock(&self.cache).get(&event.case_key) {
                plan.tags = TagPlan::Cached(tags);
            } else if self.sampled() && self.take_call(now) {
                plan.tags = TagPlan::Ask;
            }
        }
        plan
    }

    /// Calls taken from the budget in the last 60 s.
    pub fn calls_last_minute(&self) -> u64 {
        lock(&self.budget).used(Instant::now()) as u64
    }

    /// Settings, budget and totals (`counts` as given: the caller may add totals carried over
    /// from the judge of an earlier policy).
    pub fn status(&self, counts: JudgeCounts) -> JudgeStatus {
        JudgeStatus {
            model: self.config.model.clone(),
            threshold: self.config.threshold,
            tag_sample_rate: self.config.tag_sample_rate,
            max_calls_per_minute: self.config.max_calls_per_minute,
            calls_last_minute: self.calls_last_minute(),
            counts,
        }
    }

    fn take_call(&self, now: Instant) -> bool {
        let taken = lock(&self.budget).try_take(now);
        let counter = if taken {
            &self.counters.calls
        } else {
            &self.counters.over_budget
        };
        counter.fetch_add(1, Ordering::Relaxed);
        taken
    }

    fn sampled(&self) -> bool {
        let rate = self.config.tag_sample_rate.clamp(0.0, 1.0);
        lock(&self.sampler).gen_bool(rate)
    }

    /// Carry out `plan` on `event`: the review and the tagging run concurrently, each under
    /// the configured timeout. Never fails: what the judge could not do is noted in the event.
    pub async fn apply(&self, plan: JudgePlan, event: &mut DecisionEvent, texts: &JudgeTexts) {
        if plan.is_empty() {
            return;
        }
        let mut note = JudgeNote {
            model: self.config.model.clone(),
            review: None,
            tags: None,
            errors: Vec::new(),
            pending: false,
        };
        let [o1, o2] = &texts.options;
        let review = async {
            if !plan.review {
                return None;
            }
            let messages = judge_prompt_with(&self.policy, o1, o2, &texts.answer);
            Some(
                self.ask(messages)
                    .await
                    .and_then(|reply| parse_judge_reply(&reply).ok_or(JudgeError::Unreadable)),
            )
        };
        let tagging = async {
            if plan.tags != TagPlan::Ask {
                return None;
            }
            let messages = tags::tag_prompt(&texts.case, o1, o2, MAX_CASE_BYTES);
            Some(
                self.ask(messages)
                    .await
                    .and_then(|reply| tags::parse_tag_reply(&reply).ok_or(JudgeError::Unreadable)),
            )
        };
        let (review, tagging) = tokio::join!(review, tagging);
        match review {
            Some(Ok(choice)) => self.note_review(&mut note, event, choice),
            Some(Err(e)) => self.note_error(&mut note, "review", &e),
            None => {}
        }
        match (plan.tags, tagging) {
            (TagPlan::Cached(tags), _) => {
                self.counters.tags_cached.fetch_add(1, Ordering::Relaxed);
                event.options = Some(tags);
                note.tags = Some("cached".into());
            }
            (_, Some(Ok(tags))) => {
                self.counters.tags_asked.fetch_add(1, Ordering::Relaxed);
                lock(&self.cache).insert(&event.case_key, tags);
                event.options = Some(tags);
                note.tags = Some("asked".into());
            }
            (_, Some(Err(e))) => self.note_error(&mut note, "tags", &e),
            _ => {}
        }
        event.judge = Some(note);
    }

    /// [`Judge::plan`] then [`Judge::apply`]: the event as the monitor should record it.
    pub async fn enrich(&self, mut event: DecisionEvent, texts: &JudgeTexts) -> DecisionEvent {
        let plan = self.plan(&event, texts);
        self.apply(plan, &mut event, texts).await;
        event
    }

    async fn ask(
        &self,
        messages: Vec<crate::decide::judge::ChatMessage>,
    ) -> Result<String, JudgeError> {
        let deadline = Duration::from_millis(self.config.timeout_ms);
        tokio::time::timeout(deadline, self.client.complete(messages))
            .await
            .unwrap_or(Err(JudgeError::Timeout))
    }

    fn note_review(&self, note: &mut JudgeNote, event: &mut DecisionEvent, choice: Choice) {
        self.counters.reviews.fetch_add(1, Ordering::Relaxed);
        if choice != event.decision {
            self.counters
                .reviews_changed
                .fetch_add(1, Ordering::Relaxed);
        }
        note.review = Some(JudgeReview {
            parser_decision: event.decision,
            parser_confidence: event.confidence,
            judge_decision: choice,
        });
        event.decision = choice;
    }

    fn note_error(&self, note: &mut JudgeNote, what: &str, error: &JudgeError) {
        self.counters.failures.fetch_add(1, Ordering::Relaxed);
        tracing::debug!(model = %self.config.model, %error, "judge {what} failed");
        note.errors.push(format!("{what}: {error}"));
    }
}

#[cfg(test)]
mod tests;
