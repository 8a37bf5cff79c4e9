//! Sufficient statistics of the decision stream, per scope (each member, tenant, ensemble and
//! the whole deployment) over sliding windows, plus per-case counts for decision entropy.
//! Everything is additive counts, so rebuilding from the log is replaying it.

mod cases;
mod tally;
mod window;

pub use cases::{CaseCounts, EntropySummary};
pub use tally::{
    choice_index, parse_pattern, pattern_label, ChoiceCounts, Pattern, Tally, CHOICES,
};
pub use window::Window;

use crate::monitor::log::DecisionEvent;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Who a tally describes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum Scope {
    Deployment,
    Member(String),
    Tenant(String),
    Ensemble(String),
}

impl Scope {
    /// `deployment`, `member:<name>`, ... (a stable key for JSON maps).
    pub fn key(&self) -> String {
        match self {
            Scope::Deployment => "deployment".to_owned(),
            Scope::Member(n) => format!("member:{n}"),
            Scope::Tenant(n) => format!("tenant:{n}"),
            Scope::Ensemble(n) => format!("ensemble:{n}"),
        }
    }
}

/// The windows the monitor reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowName {
    #[serde(rename = "1h")]
    Hour,
    #[serde(rename = "24h")]
    Day,
    All,
}

impl WindowName {
    pub const ALL: [WindowName; 3] = [WindowName::Hour, WindowName::Day, WindowName::All];

    pub fn label(self) -> &'static str {
        match self {
            WindowName::Hour => "1h",
            WindowName::Day => "24h",
            WindowName::All => "all",
        }
    }
}

/// Bucket sizes: one minute for the hour window (a refit every few seconds sees the window
/// slide smoothly), one hour for the day window (24 buckets keep memory small).
const MINUTE_MS: u64 = 60_000;
const HOUR_MS: u64 = 3_600_000;
/// Distinct case keys tracked for entropy before new ones are ignored.
pub const DEFAULT_MAX_CASES: usize = 20_000;

/// All of the monitor's counts.
#[derive(Debug, Clone)]
pub struct Stats {
    hour: Window<Scope>,
    day: Window<Scope>,
    all: BTreeMap<Scope, Tally>,
    pub cases: CaseCounts,
    /// Latest event time seen, so windows slide with replayed logs too.
    pub latest_ms: u64,
}

impl Default for Stats {
    fn default() -> Self {
        Stats::new(DEFAULT_MAX_CASES)
    }
}

impl Stats {
    pub fn new(max_cases: usize) -> Self {
        Stats {
            hour: Window::new(MINUTE_MS, 60),
            day: Window::new(HOUR_MS, 24),
            all: BTreeMap::new(),
            cases: CaseCounts::new(max_cases),
            latest_ms: 0,
        }
    }

    /// The scopes an event counts towards.
    pub fn scopes(event: &DecisionEvent) -> Vec<Scope> {
        let mut scopes = vec![Scope::Deployment, Scope::Member(event.member.clone())];
        if let Some(t) = &event.tenant {
            scopes.push(Scope::Tenant(t.clone()));
        }
        if let Some(e) = &event.ensemble {
            scopes.push(Scope::Ensemble(e.clone()));
        }
        scopes
    }

    /// Counts one event; `now_ms` is the wall clock (events older than a window skip it).
    pub fn record(&mut self, event: &DecisionEvent, now_ms: u64) {
        let now_ms = now_ms.max(event.time_ms);
        self.latest_ms = self.latest_ms.max(event.time_ms);
        for scope in Self::scopes(event) {
            self.hour
                .add(&scope, event.time_ms, now_ms, |t| t.add(event));
            self.day
                .add(&scope, event.time_ms, now_ms, |t| t.add(event));
            self.all.entry(scope).or_default().add(event);
        }
        self.cases
            .add(&event.case_key, &["", &event.member], event.decision);
    }

    /// Tallies per scope for a window ending at `now_ms`.
    pub fn window(&self, name: WindowName, now_ms: u64) -> BTreeMap<Scope, Tally> {
        match name {
            WindowName::Hour => self.hour.totals(now_ms),
            WindowName::Day => self.day.totals(now_ms),
            WindowName::All => self.all.clone(),
        }
    }

    pub fn all_time(&self) -> &BTreeMap<Scope, Tally> {
        &self.all
    }
}

#[cfg(test)]
pub(crate) mod tests;
