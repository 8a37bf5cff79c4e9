//! Sticky weighted draws: which member answers a conversation.
//!
//! A draw is a pure function of (conversation key, seed): the same patient keeps the same
//! "physician" for the whole conversation and across proxy replicas and restarts, and an auditor
//! can recompute after the fact which member any conversation was routed to. No global RNG.
//!
//! The hash is SHA-256 (not `std`'s `DefaultHasher`, whose output may change between Rust
//! releases and would silently reshuffle every patient's member on an upgrade).

use sha2::{Digest, Sha256};

/// Why a weight table was rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WeightError {
    #[error("no members")]
    Empty,
    #[error("weight of {member:?} is {weight}: weights must be finite and >= 0")]
    Invalid { member: String, weight: f64 },
    #[error("all weights are zero")]
    AllZero,
    #[error("member {0:?} appears twice")]
    Duplicate(String),
}

/// Members with their draw weights, ready for O(log n) draws.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightedMembers {
    names: Vec<String>,
    /// Running sum of weights; `cumulative[i]` is the sum of weights `0..=i`.
    cumulative: Vec<f64>,
    /// Index of the last member with a positive weight (float rounding guard).
    last_positive: usize,
}

impl WeightedMembers {
    /// Build from (member, weight) pairs. Weights need not sum to 1; they are relative.
    pub fn new<S: Into<String>>(
        pairs: impl IntoIterator<Item = (S, f64)>,
    ) -> Result<Self, WeightError> {
        let mut names: Vec<String> = Vec::new();
        let mut cumulative = Vec::new();
        let mut total = 0.0;
        let mut last_positive = None;
        for (name, weight) in pairs {
            let name = name.into();
            if !weight.is_finite() || weight < 0.0 {
                return Err(WeightError::Invalid {
                    member: name,
                    weight,
                });
            }
            if names.contains(&name) {
                return Err(WeightError::Duplicate(name));
            }
            if weight > 0.0 {
                last_positive = Some(names.len());
            }
            total += weight;
            names.push(name);
            cumulative.push(total);
        }
        if names.is_empty() {
            return Err(WeightError::Empty);
        }
        let last_positive = last_positive.ok_or(WeightError::AllZero)?;
        Ok(WeightedMembers {
            names,
            cumulative,
            last_positive,
        })
    }

    /// Equal weights.
    pub fn uniform<S: Into<String>>(
        members: impl IntoIterator<Item = S>,
    ) -> Result<Self, WeightError> {
        Self::new(members.into_iter().map(|m| (m, 1.0)))
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Normalised weights (summing to 1), in member order.
    pub fn weights(&self) -> Vec<f64> {
        let total = self.total();
        let mut prev = 0.0;
        self.cumulative
            .iter()
            .map(|&c| {
                let w = (c - prev) / total;
                prev = c;
                w
            })
            .collect()
    }

    fn total(&self) -> f64 {
        self.cumulative.last().copied().unwrap_or(0.0)
    }

    /// The member index that a uniform number `u` in [0, 1) selects. Members with zero weight
    /// are never selected.
    pub fn pick(&self, u: f64) -> usize {
        let target = u.clamp(0.0, 1.0) * self.total();
        let idx = self.cumulative.partition_point(|&c| c <= target);
        idx.min(self.last_positive)
    }

    /// The member a conversation is routed to: sticky for a key and seed.
    pub fn draw(&self, key: &[u8], seed: u64) -> (usize, &str) {
        let idx = self.pick(unit_from_key(key, seed));
        (idx, &self.names[idx])
    }
}

/// A number in [0, 1) derived from (key, seed) by SHA-256: uniform over keys, reproducible.
pub fn unit_from_key(key: &[u8], seed: u64) -> f64 {
    let bits = hash_key(key, seed);
    // Top 53 bits give every representable multiple of 2^-53 in [0, 1).
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

/// 64 bits of SHA-256(seed as little-endian || key).
pub fn hash_key(key: &[u8], seed: u64) -> u64 {
    let mut hasher = Sha256::new();
    hasher.update(seed.to_le_bytes());
    hasher.update(key);
    let digest = hasher.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_le_bytes(first)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rejects_bad_tables() {
        assert_eq!(
            WeightedMembers::new(Vec::<(String, f64)>::new()),
            Err(WeightError::Empty)
        );
        assert_eq!(
            WeightedMembers::new([("a", 0.0), ("b", 0.0)]),
            Err(WeightError::AllZero)
        );
        assert!(matches!(
            WeightedMembers::new([("a", f64::NAN)]),
            Err(WeightError::Invalid { .. })
        ));
        assert!(matches!(
            WeightedMembers::new([("a", -1.0)]),
            Err(WeightError::Invalid { .. })
        ));
        assert_eq!(
            WeightedMembers::new([("a", 1.0), ("a", 2.0)]),
            Err(WeightError::Duplicate("a".into()))
        );
    }

    #[test]
    fn pick_respects_boundaries_and_skips_zero_weights() {
        let t = WeightedMembers::new([("a", 1.0), ("b", 0.0), ("c", 3.0), ("d", 0.0)]).unwrap();
        assert_eq!(t.pick(0.0), 0);
        assert_eq!(t.pick(0.2499), 0);
        assert_eq!(t.pick(0.25), 2);
        assert_eq!(t.pick(0.999_999_999), 2);
        assert_eq!(
            t.pick(1.0),
            2,
            "u = 1 (out of range) clamps to the last real member"
        );
        assert_eq!(t.weights(), vec![0.25, 0.0, 0.75, 0.0]);
    }

    #[test]
    fn draws_are_sticky_and_seed_dependent() {
        let t = WeightedMembers::uniform(["a", "b", "c", "d"]).unwrap();
        let first = t.draw(b"patient-42", 7).0;
        for _ in 0..10 {
            assert_eq!(t.draw(b"patient-42", 7).0, first);
        }
        // A different seed reshuffles: over 200 keys, some land elsewhere.
        let moved = (0..200)
            .filter(|i| {
                let key = format!("patient-{i}");
                t.draw(key.as_bytes(), 7).0 != t.draw(key.as_bytes(), 8).0
            })
            .count();
        assert!(moved > 100, "only {moved} of 200 moved with a new seed");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        /// Frequencies over many distinct conversations match the weights.
        #[test]
        fn draw_frequencies_match_weights(
            raw in prop::collection::vec(0.0f64..10.0, 1..8),
            seed in any::<u64>(),
        ) {
            prop_assume!(raw.iter().sum::<f64>() > 0.1);
            let names: Vec<String> = (0..raw.len()).map(|i| format!("m{i}")).collect();
            let t = WeightedMembers::new(names.iter().cloned().zip(raw.iter().copied())).unwrap();
            const N: usize = 20_000;
            let mut counts = vec![0usize; raw.len()];
            for i in 0..N {
                counts[t.draw(format!("conv-{i}").as_bytes(), seed).0] += 1;
            }
            for (c, w) in counts.iter().zip(t.weights()) {
                let f = *c as f64 / N as f64;
                // 5 standard errors of a binomial proportion at N draws.
                let tol = 5.0 * (w * (1.0 - w) / N as f64).sqrt() + 1e-9;
                prop_assert!((f - w).abs() <= tol, "freq {f} vs weight {w}");
                if w == 0.0 { prop_assert_eq!(*c, 0); }
            }
        }

        #[test]
        fn unit_is_in_range(key in prop::collection::vec(any::<u8>(), 0..64), seed in any::<u64>()) {
            let u = unit_from_key(&key, seed);
            prop_assert!((0.0..1.0).contains(&u));
        }
    }
}
