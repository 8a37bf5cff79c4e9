//! A sliding-window call budget: at most `max` calls in any `window`. Pure apart from the
//! instants it is given.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct CallBudget {
    max: usize,
    window: Duration,
    /// Times of the calls still inside the window, oldest first.
    calls: VecDeque<Instant>,
}

impl CallBudget {
    pub fn new(max: u32, window: Duration) -> Self {
        CallBudget {
            max: max as usize,
            window,
            calls: VecDeque::new(),
        }
    }

    pub fn per_minute(max: u32) -> Self {
        Self::new(max, Duration::from_secs(60))
    }

    /// Most calls in any window.
    pub fn max(&self) -> usize {
        self.max
    }

    /// Calls taken in the window ending at `now`.
    pub fn used(&mut self, now: Instant) -> usize {
        self.slide(now);
        self.calls.len()
    }

    fn slide(&mut self, now: Instant) {
        while let Some(&first) = self.calls.front() {
            if now.saturating_duration_since(first) >= self.window {
                self.calls.pop_front();
            } else {
                break;
            }
        }
    }

    /// Take one call at `now` if the window has room.
    pub fn try_take(&mut self, now: Instant) -> bool {
        self.slide(now);
        if self.calls.len() >= self.max {
            return false;
        }
        self.calls.push_back(now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_past_the_limit_until_the_window_slides() {
        let t0 = Instant::now();
        let mut b = CallBudget::new(3, Duration::from_secs(60));
        assert!(b.try_take(t0));
        assert!(b.try_take(t0 + Duration::from_secs(10)));
        assert!(b.try_take(t0 + Duration::from_secs(20)));
        assert!(!b.try_take(t0 + Duration::from_secs(30)));
        assert!(!b.try_take(t0 + Duration::from_secs(59)));
        // The first call leaves the window at 60 s: one slot frees, not more.
        assert!(b.try_take(t0 + Duration::from_secs(60)));
        assert!(!b.try_take(t0 + Duration::from_secs(61)));
        assert!(b.try_take(t0 + Duration::from_secs(75)));
        assert_eq!(b.used(t0 + Duration::from_secs(75)), 3);
        // The 20 s call leaves the window at 80 s: the 60 s and 75 s calls remain.
        assert_eq!(b.used(t0 + Duration::from_secs(80)), 2);
        assert_eq!(b.used(t0 + Duration::from_secs(200)), 0);
        assert_eq!(b.max(), 3);
        assert!(!CallBudget::new(0, Duration::from_secs(1)).try_take(t0));
    }
}
