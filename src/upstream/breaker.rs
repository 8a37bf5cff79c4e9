//! A per-upstream circuit breaker: after `failures_to_open` consecutive failed requests the
//! upstream is skipped for `open_for`; then one probe is let through (half-open) and its result
//! closes or re-opens the circuit. Time is passed in, so the state machine is tested without
//! sleeping.

use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Closed {
        consecutive_failures: u32,
    },
    Open {
        until: Instant,
    },
    /// One probe is out since `since`; if it never reports (client left), another probe is
    /// allowed after `open_for` so the breaker cannot stick.
    HalfOpen {
        since: Instant,
    },
}

/// Gauge values for `pluralis_upstream_breaker_state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    Closed = 0,
    Open = 1,
    HalfOpen = 2,
}

#[derive(Debug)]
pub struct Breaker {
    failures_to_open: u32,
    open_for: Duration,
    state: Mutex<State>,
}

impl Breaker {
    /// `failures_to_open == 0` disables the breaker (always closed).
    pub fn new(failures_to_open: u32, open_for: Duration) -> Self {
        Self {
            failures_to_open,
            open_for,
            state: Mutex::new(State::Closed {
                consecutive_failures: 0,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding this lock cannot leave the small Copy state half-written.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// May a request go to this upstream now? Moves open -> half-open when the wait is over.
    pub fn allow(&self, now: Instant) -> bool {
        let mut state = self.lock();
        match *state {
            State::Closed { .. } => true,
            State::Open { until } if now >= until => {
                *state = State::HalfOpen { since: now };
                true
            }
            State::Open { .. } => false,
            State::HalfOpen { since } if now >= since + self.open_for => {
                *state = State::HalfOpen { since: now };
                true
            }
            State::HalfOpen { .. } => false,
        }
    }

    /// A request succeeded: close the circuit.
    pub fn on_success(&self) {
        *self.lock() = State::Closed {
            consecutive_failures: 0,
        };
    }

    /// A request failed (after its retries).
    pub fn on_failure(&self, now: Instant) {
        if self.failures_to_open == 0 {
            return;
        }
        let mut state = self.lock();
        *state = match *state {
            State::Closed {
                consecutive_failures,
            } if consecutive_failures + 1 < self.failures_to_open => State::Closed {
                consecutive_failures: consecutive_failures + 1,
            },
            _ => State::Open {
                until: now + self.open_for,
            },
        };
    }

    pub fn state(&self) -> BreakerState {
        match *self.lock() {
            State::Closed { .. } => BreakerState::Closed,
            State::Open { .. } => BreakerState::Open,
            State::HalfOpen { .. } => BreakerState::HalfOpen,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_threshold_then_probes_and_closes() {
        let breaker = Breaker::new(3, Duration::from_secs(10));
        let t0 = Instant::now();
        for _ in 0..2 {
            breaker.on_failure(t0);
            assert!(breaker.allow(t0));
        }
        breaker.on_failure(t0);
        assert_eq!(breaker.state(), BreakerState::Open);
        assert!(!breaker.allow(t0 + Duration::from_secs(9)));
        assert!(breaker.allow(t0 + Duration::from_secs(10)));
        assert_eq!(breaker.state(), BreakerState::HalfOpen);
        // only one probe at a time
        assert!(!breaker.allow(t0 + Duration::from_secs(11)));
        breaker.on_success();
        assert_eq!(breaker.state(), BreakerState::Closed);
        assert!(breaker.allow(t0 + Duration::from_secs(11)));
    }

    #[test]
    fn failed_probe_reopens_and_lost_probe_does_not_stick() {
        let breaker = Breaker::new(1, Duration::from_secs(5));
        let t0 = Instant::now();
        breaker.on_failure(t0);
        assert!(breaker.allow(t0 + Duration::from_secs(5)));
        breaker.on_failure(t0 + Duration::from_secs(5));
        assert_eq!(breaker.state(), BreakerState::Open);
        assert!(!breaker.allow(t0 + Duration::from_secs(9)));
        assert!(breaker.allow(t0 + Duration::from_secs(10)));
        // probe never reports back; after another open period a new probe may go
        assert!(!breaker.allow(t0 + Duration::from_secs(12)));
        assert!(breaker.allow(t0 + Duration::from_secs(15)));
    }

    #[test]
    fn zero_threshold_disables() {
        let breaker = Breaker::new(0, Duration::from_secs(5));
        let t0 = Instant::now();
        for _ in 0..100 {
            breaker.on_failure(t0);
        }
        assert!(breaker.allow(t0));
        assert_eq!(breaker.state(), BreakerState::Closed);
    }
}
