//! The default text table: one line per decision maker.

use super::value_names;
use crate::attribution::{Audit, MakerKind};
use std::fmt::Write;

fn flag_list(below: &[bool; 4]) -> String {
    let names: Vec<&str> = value_names()
        .iter()
        .zip(below)
        .filter(|(_, b)| **b)
        .map(|(n, _)| *n)
        .collect();
    if names.is_empty() {
        String::new()
    } else {
        format!("below physician min: {}", names.join(","))
    }
}

/// Render the audit as an aligned text table. Physicians are listed after the models and the
/// consensus.
pub fn to_table(audit: &Audit) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "value profiles: softmax(beta / {}), {} cases with physician votes, {} bootstrap draws",
        audit.temperature, audit.cases, audit.bootstrap
    );
    let ci = audit.reference.p95_ci95.map_or(String::new(), |c| {
        format!(", 95% CI {:.4} to {:.4}", c[0], c[1])
    });
    let _ = writeln!(
        out,
        "physician reference: JSD of each of {} physicians to the others' consensus, 95th percentile {:.4}{ci}",
        audit.reference.loo_jsd.len(),
        audit.reference.p95
    );
    let width = audit
        .makers
        .iter()
        .map(|m| m.id.len())
        .max()
        .unwrap_or(2)
        .max(2);
    let _ = writeln!(
        out,
        "{:<width$}  {:>6} {:>6} {:>6} {:>6}  {:>7} {:>6} {:>7}  {:<13} flags",
        "id", "aut", "ben", "non", "jus", "H mean", "agree", "JSD", "fit"
    );
    for m in &audit.makers {
        let p = m.profile;
        let range = match (m.kind, m.within_physician_range) {
            (MakerKind::Consensus, _) | (_, None) => String::new(),
            (_, Some(true)) => "within range".into(),
            (_, Some(false)) => "OUTSIDE range".into(),
        };
        let flags = [range, flag_list(&m.below_physician_min)]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("; ");
        let _ = writeln!(
            out,
            "{:<width$}  {:>6.3} {:>6.3} {:>6.3} {:>6.3}  {:>7} {:>6} {:>7.4}  {:<13} {}",
            m.id,
            p[0],
            p[1],
            p[2],
            p[3],
            m.entropy.map_or("-".into(), |e| format!("{:.3}", e.mean)),
            m.agreement_with_physician_majority
                .map_or("-".into(), |a| format!("{a:.2}")),
            m.jsd_to_consensus,
            format!("{:?}", m.fit.status).to_lowercase(),
            flags
        );
    }
    out
}
