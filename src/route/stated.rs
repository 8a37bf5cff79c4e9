//! Steer mode's member choice: the member whose value profile is closest (Jensen-Shannon) to
//! the values the patient stated in `x-pluralis-values`.
//!
//! A member's profile comes from the live monitor once it has judged at least the guardrail's
//! `min_decisions` of that member's dilemma answers (what the member does in this deployment,
//! with this traffic); before that, from the recorded profiles of the ensemble (an attribution
//! report or the ValueBench fit, see [`super::profiles`]). Members with neither are not
//! candidates.

use super::profiles::RecordedProfiles;
use super::values_header::closest_profile;
use crate::monitor::stats::Scope;
use crate::monitor::Monitor;
use http::HeaderName;

/// Response header: where the chosen member's profile came from (`monitor`, `recorded`, or
/// `none` when no member had a profile and the member was drawn by weight instead).
pub const PROFILE_SOURCE_HEADER: HeaderName = HeaderName::from_static("x-pluralis-profile-source");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileSource {
    Monitor,
    Recorded,
}

impl ProfileSource {
    pub fn as_str(self) -> &'static str {
        match self {
            ProfileSource::Monitor => "monitor",
            ProfileSource::Recorded => "recorded",
        }
    }
}

/// A member's profile as the monitor estimates it, when it rests on enough decisions.
pub fn monitored_profile(monitor: &Monitor, member: &str) -> Option<[f64; 4]> {
    let state = monitor.state();
    let enough = monitor.config().guardrail.min_decisions;
    state
        .drift_scopes()
        .iter()
        .find(|s| matches!(&s.scope, Scope::Member(n) if n == member))?
        .estimate
        .as_ref()
        .filter(|e| e.decisions >= enough)
        .map(|e| e.profile)
}

/// A member's profile: the monitor's when it has enough data, else the recorded one (looked up
/// by the member as written, then by its model).
pub fn member_profile(
    member: &str,
    model: &str,
    monitor: Option<&Monitor>,
    recorded: Option<&RecordedProfiles>,
) -> Option<([f64; 4], ProfileSource)> {
    if let Some(p) = monitor.and_then(|m| monitored_profile(m, member)) {
        return Some((p, ProfileSource::Monitor));
    }
    let recorded = recorded?;
    recorded
        .models
        .get(member)
        .or_else(|| {
            (member == model)
                .then(|| recorded.models.get(model))
                .flatten()
        })
        .map(|p| (*p, ProfileSource::Recorded))
}

/// The candidate closest to `stated`: `(index into candidates, source)`. Candidates are
/// `(profile, source)` per member, `None` for a member without a profile.
pub fn closest_member(
    stated: &[f64; 4],
    candidates: &[Option<([f64; 4], ProfileSource)>],
) -> Option<(usize, ProfileSource)> {
    let known: Vec<(usize, [f64; 4], ProfileSource)> = candidates
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.map(|(p, s)| (i, p, s)))
        .collect();
    let profiles: Vec<[f64; 4]> = known.iter().map(|k| k.1).collect();
    let (best, _) = closest_profile(stated, &profiles)?;
    known.get(best).map(|k| (k.0, k.2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_closest_known_profile() {
        let rec = ProfileSource::Recorded;
        let candidates = [
            Some(([0.1, 0.4, 0.4, 0.1], rec)),
            None,
            Some(([0.6, 0.2, 0.1, 0.1], ProfileSource::Monitor)),
        ];
        assert_eq!(
            closest_member(&[0.7, 0.1, 0.1, 0.1], &candidates),
            Some((2, ProfileSource::Monitor))
        );
        assert_eq!(
            closest_member(&[0.1, 0.45, 0.35, 0.1], &candidates),
            Some((0, rec))
        );
        assert_eq!(closest_member(&[0.25; 4], &[None, None]), None);
    }

    #[test]
    fn recorded_profiles_are_found_by_member_then_plain_model() {
        let mut recorded = RecordedProfiles::default();
        recorded.models.insert("a/x".into(), [0.4, 0.3, 0.2, 0.1]);
        recorded
            .models
            .insert("a/x+autonomy".into(), [0.8, 0.1, 0.05, 0.05]);
        let found = |member, model| member_profile(member, model, None, Some(&recorded));
        assert_eq!(found("a/x", "a/x").unwrap().0[0], 0.4);
        assert_eq!(found("a/x+autonomy", "a/x").unwrap().0[0], 0.8);
        // A steered member is not the plain model: no recorded profile, no guess.
        recorded.models.remove("a/x+autonomy");
        assert_eq!(
            member_profile("a/x+autonomy", "a/x", None, Some(&recorded)),
            None
        );
        assert_eq!(member_profile("a/x", "a/x", None, None), None);
    }
}
