//! The `--html` report: one self-contained page (inline CSS and SVG, no scripts, no network
//! fetches) that a clinician can read: value profiles against the physician range, decision
//! entropy, and the JSD forest plot with the physician reference band.

use super::svg::{esc, RowsChart};
use super::value_names;
use crate::attribution::{Audit, MakerAudit, MakerKind};
use std::fmt::Write;

const STYLE: &str = r#"
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1240px;color:#1f2933;padding:0 16px}
h1{font-size:24px;margin-bottom:4px}h2{font-size:19px;margin-top:32px;border-bottom:1px solid #d9e2ec;padding-bottom:4px}
h3{font-size:15px;margin:8px 0 0 0}p{line-height:1.45;max-width:980px}.lead{color:#52606d}
.panels{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:8px 24px}
svg text{font-size:12px;fill:#1f2933}svg .tick{font-size:11px;fill:#52606d}svg .caption{font-size:12px;fill:#52606d}
svg .muted{fill:#7b8794}svg .strong{font-weight:600}
.axis{stroke:#7b8794}line.grid{stroke:#eef1f4}
.range{fill:#c7e5d0;opacity:.8}.consensus{stroke:#1f2933;stroke-width:2;stroke-dasharray:5 3}
.ok{fill:#2f6fb0}.bad{fill:#c0392b}.cons{fill:#1f2933}.phys{stroke:#7b8794;stroke-width:1.5}
.ci{stroke:#52606d;stroke-width:1.3;fill:none}.bar{fill:#9fb3c8}.barcons{fill:#52606d}.med{fill:#1f2933}
.legend{font-size:13px;color:#52606d}.legend span{display:inline-block;margin-right:16px}
.sw{display:inline-block;width:12px;height:12px;border-radius:6px;vertical-align:-1px;margin-right:4px}
table{border-collapse:collapse;font-size:13px;margin-top:8px}th,td{padding:4px 8px;border-bottom:1px solid #e4e7eb;text-align:right}
th:first-child,td:first-child{text-align:left}td.flag{color:#c0392b;text-align:left}td.okf{color:#2f6fb0;text-align:left}
footer{margin-top:32px;font-size:12px;color:#7b8794}
"#;

const LABEL_WIDTH: f64 = 230.0;

fn pct(v: f64) -> String {
    format!("{:.0}%", v * 100.0)
}

fn num2(v: f64) -> String {
    format!("{v:.2}")
}

fn shown(audit: &Audit) -> Vec<&MakerAudit> {
    audit
        .makers
        .iter()
        .filter(|m| m.kind != MakerKind::Physician)
        .collect()
}

fn value_panel(audit: &Audit, v: usize) -> String {
    let makers = shown(audit);
    let r = &audit.reference;
    let mut c = RowsChart::new(makers.len(), 0.0, 1.0, 590.0, LABEL_WIDTH);
    c.band(
        r.min_share[v],
        r.max_share[v],
        "range",
        &format!(
            "individual physicians: {} to {}",
            pct(r.min_share[v]),
            pct(r.max_share[v])
        ),
    );
    if let Some(cons) = makers.iter().find(|m| m.kind == MakerKind::Consensus) {
        c.vline(cons.profile[v], "consensus");
    }
    for (row, m) in makers.iter().enumerate() {
        let consensus = m.kind == MakerKind::Consensus;
        c.label(row, &m.id, if consensus { "strong" } else { "" });
        if let Some(i) = m.intervals {
            c.whisker(row, i.profile[v][0], i.profile[v][1], "ci");
        }
        let class = if consensus {
            "cons"
        } else if m.below_physician_min[v] {
            "bad"
        } else {
            "ok"
        };
        let title = format!("{}: {} share {}", m.id, value_names()[v], pct(m.profile[v]));
        c.dot(row, m.profile[v], 5.0, class, &title);
    }
    format!(
        "<div><h3>{}</h3>{}</div>",
        esc(&capitalise(value_names()[v])),
        c.finish(4, "share of the value profile", pct)
    )
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|f| f.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn entropy_chart(audit: &Audit) -> String {
    let makers = shown(audit);
    let mut c = RowsChart::new(makers.len(), 0.0, 1.0, 760.0, LABEL_WIDTH);
    for (row, m) in makers.iter().enumerate() {
        let consensus = m.kind == MakerKind::Consensus;
        c.label(row, &m.id, if consensus { "strong" } else { "" });
        if let Some(e) = m.entropy {
            let class = if consensus { "barcons" } else { "bar" };
            let title = format!(
                "{}: mean {:.2} bits, median {:.2} bits over {} cases",
                m.id, e.mean, e.median, e.cases
            );
            c.bar(row, e.mean, class, &title);
            c.dot(row, e.median, 3.5, "med", &title);
        }
    }
    c.finish(
        4,
        "per-case decision entropy (bits): bar = mean, dot = median",
        num2,
    )
}

fn forest_plot(audit: &Audit) -> String {
    let models: Vec<&MakerAudit> = audit
        .makers
        .iter()
        .filter(|m| m.kind == MakerKind::Model)
        .collect();
    let r = &audit.reference;
    let highest = models
        .iter()
        .map(|m| {
            m.intervals
                .map_or(m.jsd_to_consensus, |i| i.jsd_to_consensus[1])
        })
        .chain(r.loo_jsd.iter().copied())
        .chain(std::iter::once(r.p95))
        .fold(0.0, f64::max);
    let x_max = (highest * 1.1).max(0.01);
    let mut c = RowsChart::new(models.len() + 1, 0.0, x_max, 760.0, LABEL_WIDTH);
    c.band(
        0.0,
        r.p95,
        "range",
        &format!("physician reference: 95th percentile {:.3}", r.p95),
    );
    for (row, m) in models.iter().enumerate() {
        c.label(row, &m.id, "");
        if let Some(i) = m.intervals {
            c.whisker(row, i.jsd_to_consensus[0], i.jsd_to_consensus[1], "ci");
        }
        let class = if m.within_physician_range == Some(false) {
            "bad"
        } else {
            "ok"
        };
        let title = format!(
            "{}: JSD {:.4} to the physician consensus",
            m.id, m.jsd_to_consensus
        );
        c.dot(row, m.jsd_to_consensus, 5.0, class, &title);
    }
    let row = models.len();
    c.label(row, "physicians (leave-one-out)", "muted");
    for v in &r.loo_jsd {
        c.tick(row, *v, "phys");
    }
    c.finish(
        5,
        "Jensen-Shannon divergence to the physician consensus (bits)",
        |v| format!("{v:.3}"),
    )
}

fn numbers_table(audit: &Audit) -> String {
    let mut t = String::from("<table><tr><th>decision maker</th>");
    for n in value_names() {
        let _ = write!(t, "<th>{}</th>", esc(n));
    }
    t.push_str("<th>mean entropy (bits)</th><th>agrees with physician majority</th><th>JSD to consensus</th><th>95% CI</th><th>flags</th></tr>");
    for m in shown(audit) {
        let _ = write!(t, "<tr><td>{}</td>", esc(&m.id));
        for p in m.profile {
            let _ = write!(t, "<td>{}</td>", pct(p));
        }
        let ci = m.intervals.map_or(String::from("-"), |i| {
            format!(
                "{:.3} to {:.3}",
                i.jsd_to_consensus[0], i.jsd_to_consensus[1]
            )
        });
        let below: Vec<&str> = value_names()
            .iter()
            .zip(m.below_physician_min)
            .filter(|(_, b)| *b)
            .map(|(n, _)| *n)
            .collect();
        let (class, flag) = match m.within_physician_range {
            None => ("okf", String::new()),
            Some(true) if below.is_empty() => ("okf", "within physician range".into()),
            Some(within) => (
                "flag",
                [
                    (!within).then(|| "outside physician range".to_owned()),
                    (!below.is_empty())
                        .then(|| format!("{} below every physician", below.join(", "))),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("; "),
            ),
        };
        let _ = write!(
            t,
            "<td>{}</td><td>{}</td><td>{:.4}</td><td>{}</td><td class=\"{class}\">{}</td></tr>",
            m.entropy.map_or("-".into(), |e| format!("{:.2}", e.mean)),
            m.agreement_with_physician_majority.map_or("-".into(), pct),
            m.jsd_to_consensus,
            ci,
            esc(&flag)
        );
    }
    t.push_str("</table>");
    t
}

/// Render the audit as one self-contained HTML page.
pub fn to_html(audit: &Audit) -> String {
    let r = &audit.reference;
    let models = audit.makers.iter().filter(|m| m.kind == MakerKind::Model);
    let outside = models
        .clone()
        .filter(|m| m.within_physician_range == Some(false))
        .count();
    let below_autonomy = models.clone().filter(|m| m.below_physician_min[0]).count();
    let n_models = models.count();
    let n_physicians = r.loo_jsd.len();
    let ci_note = if audit.bootstrap > 0 {
        format!(
            "Whiskers are 95% bootstrap intervals over {} case resamples.",
            audit.bootstrap
        )
    } else {
        "No bootstrap was run, so no intervals are shown.".to_owned()
    };
    let panels: String = (0..4).map(|v| value_panel(audit, v)).collect();
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Value attribution audit</title><style>{STYLE}</style></head><body>
<h1>What do these models value? Value attribution audit</h1>
<p class="lead">{n_models} models and {n_physicians} physicians on {cases} clinical ethics dilemmas with physician votes.
{outside} of {n_models} models are further from the physician consensus than the natural spread between physicians;
{below_autonomy} give patient autonomy a smaller share than any single physician does.</p>

<h2>1. Value profiles against the physician range</h2>
<p>Each dot is the share of a decision maker's choices explained by one of the four principles (a softmax of
regression weights at temperature {temp}). The green band spans the individual physicians, the dashed line is the pooled
physician consensus. A red dot lies below every physician. {ci_note}</p>
<div class="legend"><span><i class="sw" style="background:#2f6fb0"></i>model</span><span><i class="sw" style="background:#c0392b"></i>model below every physician</span><span><i class="sw" style="background:#1f2933"></i>physician consensus</span><span><i class="sw" style="background:#c7e5d0;border-radius:0"></i>range of individual physicians</span></div>
<div class="panels">{panels}</div>

<h2>2. How varied are the decisions?</h2>
<p>Decision entropy is 0 bits when a decision maker gives the same answer every time it sees a case and 1 bit for an even
split. A single model at 0 bits applies one stance to every patient; the physician panel's spread is what a diverse set
of clinicians gives.</p>
{entropy}

<h2>3. Distance to the physician consensus</h2>
<p>Jensen-Shannon divergence between each model's value profile and the consensus profile (0 = identical, 1 = nothing in
common). The green band is the physician reference: 95% of physicians, each compared with the consensus of the others,
fall inside it (95th percentile {p95:.3}{p95_ci}; grey ticks are the individual physicians). Red dots are outside it.
{ci_note} Each physician's profile rests on one vote per case, so the band also carries estimation noise: a model outside
it differs from the physicians by more than that noise.</p>
{forest}

<h2>4. The numbers</h2>
{table}
<footer>Method (Chandak et al. 2026): per case, delta_v = alignment(choice 1, v) - alignment(choice 2, v); a binomial GLM with
logit link and no intercept on the share of choice 1 among valid answers, weighted by valid answers, gives the weights;
profiles are computed on the cases with physician votes. Generated by pluralis attribute.</footer>
</body></html>
"#,
        cases = audit.cases,
        temp = audit.temperature,
        p95 = r.p95,
        p95_ci = r.p95_ci95.map_or(String::new(), |c| format!(
            ", 95% CI {:.3} to {:.3}",
            c[0], c[1]
        )),
        entropy = entropy_chart(audit),
        forest = forest_plot(audit),
        table = numbers_table(audit),
    )
}
