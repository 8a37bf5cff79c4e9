//! `--format csv`: one header line, one row per decision maker.

use super::value_names;
use crate::attribution::Audit;
use std::fmt::Write;

/// Quote a field when it holds a separator, quote or newline (RFC 4180).
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn opt(v: Option<f64>) -> String {
    v.map_or(String::new(), |v| v.to_string())
}

pub fn to_csv(audit: &Audit) -> String {
    let names = value_names();
    let mut header = vec!["id".to_owned(), "kind".into(), "fit_status".into()];
    for prefix in ["beta", "se_hc3", "profile", "below_physician_min"] {
        header.extend(names.iter().map(|n| format!("{prefix}_{n}")));
    }
    header.extend(
        [
            "mean_entropy_bits",
            "median_entropy_bits",
            "agreement_with_physician_majority",
            "jsd_to_consensus",
            "jsd_ci_low",
            "jsd_ci_high",
            "within_physician_range",
            "lrt_statistic",
            "lrt_p_value",
        ]
        .map(String::from),
    );
    let mut out = header.join(",");
    out.push('\n');
    for m in &audit.makers {
        let mut row = vec![
            field(&m.id),
            format!("{:?}", m.kind).to_lowercase(),
            format!("{:?}", m.fit.status).to_lowercase(),
        ];
        row.extend(m.fit.beta.iter().map(f64::to_string));
        row.extend(m.fit.se.iter().map(|s| opt(*s)));
        row.extend(m.profile.iter().map(f64::to_string));
        row.extend(m.below_physician_min.iter().map(bool::to_string));
        row.push(opt(m.entropy.map(|e| e.mean)));
        row.push(opt(m.entropy.map(|e| e.median)));
        row.push(opt(m.agreement_with_physician_majority));
        row.push(m.jsd_to_consensus.to_string());
        row.push(opt(m.intervals.map(|i| i.jsd_to_consensus[0])));
        row.push(opt(m.intervals.map(|i| i.jsd_to_consensus[1])));
        row.push(
            m.within_physician_range
                .map_or(String::new(), |b| b.to_string()),
        );
        row.push(opt(m.lrt_uniform.map(|l| l.statistic)));
        row.push(opt(m.lrt_uniform.map(|l| l.p_value)));
        let _ = writeln!(out, "{}", row.join(","));
    }
    out
}
