//! The full audit: every maker's fit, profile, entropy, agreement and JSD to the physician
//! consensus, the physician leave-one-out reference range, and bootstrap intervals.

use super::dataset::{AuditData, Counts};
use super::divergence::{jsd, softmax_profile};
use super::glm::GlmFit;
use super::lrt::{lrt_uniform, LikelihoodRatio};
use super::resample::{
    fit_counts, leave_one_out, loo_consensus_counts, maker_counts, Bootstrap, Draw, Refitter,
};
use super::rows::{rows_per_case, PatternCounts};
use super::summary::{agreement_rate, entropy_summary, percentile, sorted, EntropySummary};
use rand::Rng;
use serde::Serialize;

/// Audit settings. Plain data; see the CLI for defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AuditConfig {
    /// Softmax temperature of value profiles (the paper uses 0.262).
    pub temperature: f64,
    /// Bootstrap resamples of the cases; 0 skips intervals.
    pub bootstrap: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MakerKind {
    Model,
    Consensus,
    Physician,
}

/// Percentile (2.5%, 97.5%) bootstrap intervals.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MakerIntervals {
    pub beta: [[f64; 2]; 4],
    pub profile: [[f64; 2]; 4],
    pub jsd_to_consensus: [f64; 2],
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MakerAudit {
    pub id: String,
    pub kind: MakerKind,
    pub fit: GlmFit,
    pub profile: [f64; 4],
    pub lrt_uniform: Option<LikelihoodRatio>,
    pub entropy: Option<EntropySummary>,
    pub agreement_with_physician_majority: Option<f64>,
    pub jsd_to_consensus: f64,
    /// JSD to consensus at or below the physician reference's 95th percentile. None for the
    /// consensus itself.
    pub within_physician_range: Option<bool>,
    /// Per value: the share is below every individual physician's share.
    pub below_physician_min: [bool; 4],
    pub intervals: Option<MakerIntervals>,
}

/// The natural inter-physician spread: JSD of each physician to the consensus of the others.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhysicianReference {
    /// Point leave-one-out JSD per physician, in physician order.
    pub loo_jsd: Vec<f64>,
    /// 95th percentile of `loo_jsd`: the flag threshold.
    pub p95: f64,
    /// Percentile bootstrap interval of that 95th percentile (each draw refits every physician
    /// and every leave-one-out consensus); None without bootstrap.
    pub p95_ci95: Option<[f64; 2]>,
    /// Lowest individual physician share per value.
    pub min_share: [f64; 4],
    /// Highest individual physician share per value.
    pub max_share: [f64; 4],
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Audit {
    pub temperature: f64,
    pub cases: usize,
    pub bootstrap: usize,
    pub reference: PhysicianReference,
    /// Models, then the consensus, then physicians.
    pub makers: Vec<MakerAudit>,
}

/// Run the audit. `rng` drives the bootstrap only; pass a seeded one for reproducible output.
pub fn run_audit(data: &AuditData, config: &AuditConfig, rng: &mut impl Rng) -> Audit {
    let t = config.temperature;
    let counts = maker_counts(data);
    let n_models = data.models.len();
    let consensus_counts = &counts[n_models];
    let fits: Vec<GlmFit> = counts.iter().map(|c| fit_counts(&data.deltas, c)).collect();
    let profiles: Vec<[f64; 4]> = fits.iter().map(|f| softmax_profile(&f.beta, t)).collect();
    let consensus_profile = profiles[n_models];
    let physician_profiles = &profiles[n_models + 1..];

    let refit = Refitter::new(&data.deltas, t);
    let loo_counts = loo_consensus_counts(data);
    let loo_starts: Vec<[f64; 4]> = loo_counts
        .iter()
        .map(|c| refit.beta(c, None, [0.0; 4]))
        .collect();
    let loo_jsd = leave_one_out(&refit, &loo_counts, physician_profiles, None, &loo_starts);
    let starts: Vec<[f64; 4]> = fits.iter().map(|f| f.beta).collect();
    let draws = if config.bootstrap > 0 {
        let boot = Bootstrap {
            refit,
            makers: &counts,
            loo_counts: &loo_counts,
            starts: &starts,
            loo_starts: &loo_starts,
            n_models,
        };
        boot.run(rng, data.cases(), config.bootstrap)
    } else {
        Vec::new()
    };
    // The reference compares like with like: each physician's point JSD to the others'
    // consensus, as each model's point JSD is flagged. The bootstrap gives the 95th
    // percentile's own interval.
    let reference_values = sorted(loo_jsd.iter().copied());
    let p95_draws = sorted(
        draws
            .iter()
            .filter_map(|d| percentile(&sorted(d.loo_jsd.iter().copied()), 95.0)),
    );
    let p95_ci95 = (!p95_draws.is_empty()).then(|| {
        [
            percentile(&p95_draws, 2.5).unwrap_or(0.0),
            percentile(&p95_draws, 97.5).unwrap_or(0.0),
        ]
    });
    let fold = |init: f64, f: fn(f64, f64) -> f64| {
        std::array::from_fn(|v| physician_profiles.iter().map(|p| p[v]).fold(init, f))
    };
    let reference = PhysicianReference {
        p95: percentile(&reference_values, 95.0).unwrap_or(0.0),
        p95_ci95,
        loo_jsd,
        min_share: fold(f64::INFINITY, f64::min),
        max_share: fold(f64::NEG_INFINITY, f64::max),
    };
    let has_physicians = !physician_profiles.is_empty();

    let ids = data
        .models
        .iter()
        .map(|m| (m.id.clone(), MakerKind::Model))
        .chain(std::iter::once((
            CONSENSUS_ID.to_owned(),
            MakerKind::Consensus,
        )))
        .chain(
            data.physicians
                .iter()
                .map(|p| (p.id.clone(), MakerKind::Physician)),
        );
    let makers = ids
        .enumerate()
        .map(|(i, (id, kind))| {
            let c: &[Counts] = &counts[i];
            let profile = profiles[i];
            let jsd_to_consensus = jsd(&profile, &consensus_profile);
            let patterns: Vec<PatternCounts> = data
                .deltas
                .iter()
                .zip(c)
                .map(|(d, c)| PatternCounts {
                    deltas: *d,
                    choice_1: u64::from(c[0]),
                    choice_2: u64::from(c[1]),
                })
                .collect();
            MakerAudit {
                lrt_uniform: lrt_uniform(&rows_per_case(&patterns)),
                entropy: entropy_summary(c),
                agreement_with_physician_majority: agreement_rate(c, consensus_counts),
                within_physician_range: (kind != MakerKind::Consensus && has_physicians)
                    .then_some(jsd_to_consensus <= reference.p95),
                below_physician_min: std::array::from_fn(|v| {
                    has_physicians && profile[v] < reference.min_share[v]
                }),
                intervals: intervals(&draws, i, t),
                id,
                kind,
                fit: fits[i],
                profile,
                jsd_to_consensus,
            }
        })
        .collect();
    Audit {
        temperature: t,
        cases: data.cases(),
        bootstrap: draws.len(),
        reference,
        makers,
    }
}

/// Identifier of the pooled physician panel in every output.
pub const CONSENSUS_ID: &str = "physician_consensus";

fn interval(values: impl Iterator<Item = f64>) -> [f64; 2] {
    let v = sorted(values);
    [
        percentile(&v, 2.5).unwrap_or(0.0),
        percentile(&v, 97.5).unwrap_or(0.0),
    ]
}

fn intervals(draws: &[Draw], maker: usize, t: f64) -> Option<MakerIntervals> {
    if draws.is_empty() {
        return None;
    }
    let profiles: Vec<[f64; 4]> = draws
        .iter()
        .map(|d| softmax_profile(&d.beta[maker], t))
        .collect();
    Some(MakerIntervals {
        beta: std::array::from_fn(|v| interval(draws.iter().map(|d| d.beta[maker][v]))),
        profile: std::array::from_fn(|v| interval(profiles.iter().map(|p| p[v]))),
        jsd_to_consensus: interval(draws.iter().map(|d| d.jsd_to_consensus[maker])),
    })
}
