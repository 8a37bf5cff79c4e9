//! The judge as the monitor sees it. A judge belongs to one policy's state and is rebuilt on
//! every reload, while the monitor lives as long as the process: the slot holds the live
//! policy's judge and the totals of the judges before it, so exported counters never go back.

use super::{Judge, JudgeCounts, JudgeStatus};
use arc_swap::ArcSwapOption;
use std::sync::{Arc, Mutex, MutexGuard};

#[derive(Default)]
pub struct JudgeSlot {
    current: ArcSwapOption<Judge>,
    /// Totals of the judges replaced so far.
    carried: Mutex<JudgeCounts>,
}

fn lock(m: &Mutex<JudgeCounts>) -> MutexGuard<'_, JudgeCounts> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl JudgeSlot {
    /// Makes `judge` the live one (None: the policy has no judge now). The replaced judge's
    /// totals are kept; attaching the same judge again changes nothing. Calls a replaced judge
    /// still finishes after this are not counted.
    pub fn attach(&self, judge: Option<Arc<Judge>>) {
        let mut carried = lock(&self.carried);
        let old = self.current.swap(judge.clone());
        if let Some(old) = old {
            let same = judge.as_ref().is_some_and(|j| Arc::ptr_eq(j, &old));
            if !same {
                *carried = carried.plus(old.counts());
            }
        }
    }

    /// Whether a judge is live.
    pub fn configured(&self) -> bool {
        self.current.load().is_some()
    }

    /// Totals over the live judge and every judge it replaced.
    pub fn counts(&self) -> JudgeCounts {
        let carried = lock(&self.carried);
        let live = self
            .current
            .load()
            .as_ref()
            .map(|j| j.counts())
            .unwrap_or_default();
        carried.plus(live)
    }

    /// The live judge's settings and budget with the totals; None without a judge.
    pub fn status(&self) -> Option<JudgeStatus> {
        let judge = self.current.load_full()?;
        Some(judge.status(self.counts()))
    }

    /// Calls the live judge took in the last 60 s, and its limit (0, 0 without a judge).
    pub fn budget(&self) -> (u64, u64) {
        self.current.load().as_ref().map_or((0, 0), |j| {
            (
                j.calls_last_minute(),
                u64::from(j.config().max_calls_per_minute),
            )
        })
    }
}
