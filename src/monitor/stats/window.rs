//! Sliding windows as rings of time buckets: memory is bounded by the bucket count, whatever
//! the traffic, and a window's tally is the sum of its live buckets.

use super::tally::Tally;
use std::collections::BTreeMap;

/// One sliding window of `buckets` buckets of `bucket_ms` milliseconds.
#[derive(Debug, Clone)]
pub struct Window<K: Ord + Clone> {
    pub bucket_ms: u64,
    pub buckets: usize,
    /// Bucket index (time / bucket_ms) to per-key tallies.
    ring: BTreeMap<u64, BTreeMap<K, Tally>>,
}

impl<K: Ord + Clone> Window<K> {
    pub fn new(bucket_ms: u64, buckets: usize) -> Self {
        Window {
            bucket_ms: bucket_ms.max(1),
            buckets: buckets.max(1),
            ring: BTreeMap::new(),
        }
    }

    pub fn span_ms(&self) -> u64 {
        self.bucket_ms * self.buckets as u64
    }

    /// Adds to the bucket of `time_ms`, unless that bucket already fell out of the window that
    /// ends at `now_ms`.
    pub fn add(&mut self, key: &K, time_ms: u64, now_ms: u64, add: impl FnOnce(&mut Tally)) {
        let index = time_ms / self.bucket_ms;
        if index < self.oldest_live(now_ms) {
            return;
        }
        let bucket = self.ring.entry(index).or_default();
        match bucket.get_mut(key) {
            Some(tally) => add(tally),
            None => {
                let mut tally = Tally::default();
                add(&mut tally);
                bucket.insert(key.clone(), tally);
            }
        }
        self.prune(now_ms);
    }

    fn oldest_live(&self, now_ms: u64) -> u64 {
        (now_ms / self.bucket_ms).saturating_sub(self.buckets as u64 - 1)
    }

    /// Drops buckets older than the window ending at `now_ms`.
    pub fn prune(&mut self, now_ms: u64) {
        let oldest = self.oldest_live(now_ms);
        self.ring = self.ring.split_off(&oldest);
    }

    /// The summed tally per key over the window ending at `now_ms`.
    pub fn totals(&self, now_ms: u64) -> BTreeMap<K, Tally> {
        let mut out: BTreeMap<K, Tally> = BTreeMap::new();
        for (_, bucket) in self.ring.range(self.oldest_live(now_ms)..) {
            for (key, tally) in bucket {
                out.entry(key.clone()).or_default().merge(tally);
            }
        }
        out
    }

    pub fn live_buckets(&self) -> usize {
        self.ring.len()
    }
}
