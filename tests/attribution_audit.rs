//! The audit end to end: on simulated makers with known weights (always), and on the shared
//! ValueBench data (skipped where absent), where it must reproduce the paper's headline figures.

use pluralis::attribution::dataset::MakerCounts;
use pluralis::attribution::{
    report, run_audit, AuditConfig, AuditData, MakerKind, CONSENSUS_ID, PAPER_TEMPERATURE,
};
use pluralis::valuebench;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn simulate_maker(
    rng: &mut impl Rng,
    id: &str,
    deltas: &[[i8; 4]],
    beta: [f64; 4],
    runs: u32,
) -> MakerCounts {
    let counts = deltas
        .iter()
        .map(|d| {
            let eta: f64 = d.iter().zip(&beta).map(|(x, b)| f64::from(*x) * b).sum();
            let p = 1.0 / (1.0 + (-eta).exp());
            let c1 = (0..runs).filter(|_| rng.gen::<f64>() < p).count() as u32;
            [c1, runs - c1, 0]
        })
        .collect();
    MakerCounts {
        id: id.into(),
        counts,
    }
}

fn synthetic(seed: u64) -> AuditData {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let deltas: Vec<[i8; 4]> = (0..60)
        .map(|_| std::array::from_fn(|_| rng.gen_range(-2i8..=2)))
        .collect();
    let physicians = (0..12)
        .map(|i| {
            let jitter = 0.1 * f64::from(i % 4);
            simulate_maker(
                &mut rng,
                &format!("human/p{i:02}"),
                &deltas,
                [1.0 + jitter, 0.8, 0.6, 0.5 - jitter],
                1,
            )
        })
        .collect();
    let models = vec![
        simulate_maker(
            &mut rng,
            "sim/physician-like",
            &deltas,
            [1.0, 0.8, 0.6, 0.45],
            10,
        ),
        simulate_maker(
            &mut rng,
            "sim/paternalist",
            &deltas,
            [-0.6, 1.8, 0.9, 0.3],
            10,
        ),
    ];
    AuditData {
        deltas,
        models,
        physicians,
    }
}

#[test]
fn flags_a_paternalist_and_passes_a_physician_like_model() {
    let data = synthetic(1);
    let config = AuditConfig {
        temperature: PAPER_TEMPERATURE,
        bootstrap: 200,
    };
    let audit = run_audit(&data, &config, &mut ChaCha8Rng::seed_from_u64(9));
    assert_eq!(audit.makers.len(), 2 + 1 + 12);
    let by_id = |id: &str| audit.makers.iter().find(|m| m.id == id).unwrap();
    let like = by_id("sim/physician-like");
    let pat = by_id("sim/paternalist");
    let cons = by_id(CONSENSUS_ID);
    assert_eq!(cons.kind, MakerKind::Consensus);
    assert_eq!(cons.jsd_to_consensus, 0.0);
    assert_eq!(like.within_physician_range, Some(true));
    assert_eq!(pat.within_physician_range, Some(false));
    assert!(
        pat.below_physician_min[0],
        "autonomy share below every physician"
    );
    assert!(!like.below_physician_min[0]);
    assert!(pat.lrt_uniform.unwrap().p_value < 1e-6);
    let ci = pat.intervals.unwrap();
    assert!(
        ci.jsd_to_consensus[0] <= pat.jsd_to_consensus
            && pat.jsd_to_consensus <= ci.jsd_to_consensus[1]
    );
    assert_eq!(audit.reference.loo_jsd.len(), 12);
    let ci = audit.reference.p95_ci95.unwrap();
    assert!(ci[0] <= ci[1]);
    assert!(audit.reference.p95 > 0.0 && audit.reference.p95 < pat.jsd_to_consensus);
}

#[test]
fn same_seed_same_audit_other_seed_other_intervals() {
    let data = synthetic(2);
    let config = AuditConfig {
        temperature: PAPER_TEMPERATURE,
        bootstrap: 30,
    };
    let a = run_audit(&data, &config, &mut ChaCha8Rng::seed_from_u64(5));
    let b = run_audit(&data, &config, &mut ChaCha8Rng::seed_from_u64(5));
    let c = run_audit(&data, &config, &mut ChaCha8Rng::seed_from_u64(6));
    assert_eq!(a, b);
    assert_eq!(
        a.makers[0].profile, c.makers[0].profile,
        "point estimates do not depend on the seed"
    );
    assert_ne!(a.makers[0].intervals, c.makers[0].intervals);
}

#[test]
fn json_has_the_documented_shape() {
    let data = synthetic(3);
    let audit = run_audit(
        &data,
        &AuditConfig {
            temperature: 0.262,
            bootstrap: 0,
        },
        &mut ChaCha8Rng::seed_from_u64(0),
    );
    let j = report::to_json(&audit);
    assert_eq!(j["temperature"], 0.262);
    assert_eq!(j["cases"], 60);
    let makers = j["decision_makers"].as_array().unwrap();
    let cons = makers
        .iter()
        .find(|m| m["id"] == "physician_consensus")
        .unwrap();
    assert_eq!(cons["kind"], "consensus");
    for m in makers {
        for key in ["beta", "profile"] {
            for v in ["autonomy", "beneficence", "nonmaleficence", "justice"] {
                assert!(m[key][v].is_f64(), "{key}.{v} in {m}");
            }
        }
        assert!(m["jsd_to_consensus"].is_f64());
        assert!(m["mean_entropy_bits"].is_f64());
        assert!(["model", "physician", "consensus"].contains(&m["kind"].as_str().unwrap()));
    }
    let loo = j["physician_reference"]["loo_jsd"].as_object().unwrap();
    assert_eq!(loo.len(), 12);
    assert!(loo["human/p00"].is_f64());
    let csv = report::to_csv(&audit);
    assert_eq!(csv.lines().count(), 1 + makers.len());
    assert!(report::to_table(&audit).contains("physician_consensus"));
}

#[test]
fn reproduces_the_papers_value_profiles() {
    let Some(dir) = valuebench::shared_dir() else {
        eprintln!("skipped: ../shared/valuebench is absent (set PLURALIS_VALUEBENCH to run)");
        return;
    };
    let exp = valuebench::read_experiment(&dir, valuebench::MAIN_EXPERIMENT).unwrap();
    let data = AuditData::from_experiment(&exp);
    assert_eq!(data.cases(), 50);
    assert_eq!(data.models.len(), 12);
    assert_eq!(data.physicians.len(), 20);
    let audit = run_audit(
        &data,
        &AuditConfig {
            temperature: PAPER_TEMPERATURE,
            bootstrap: 0,
        },
        &mut ChaCha8Rng::seed_from_u64(0),
    );
    let cons = audit.makers.iter().find(|m| m.id == CONSENSUS_ID).unwrap();
    // Paper: the physician consensus gives patient autonomy 44%.
    assert_eq!(
        (cons.profile[0] * 100.0).round(),
        44.0,
        "{:?}",
        cons.profile
    );
    // Paper: several models give autonomy 6-13%.
    let low: Vec<_> = audit
        .makers
        .iter()
        .filter(|m| m.kind == MakerKind::Model && (0.055..0.135).contains(&m.profile[0]))
        .map(|m| m.id.as_str())
        .collect();
    assert!(low.len() >= 3, "{low:?}");
    // Paper: per-case decision entropy median 0 bits for 11 of 12 models; physicians 0.88.
    let zero_median = audit
        .makers
        .iter()
        .filter(|m| m.kind == MakerKind::Model && m.entropy.unwrap().median == 0.0)
        .count();
    assert_eq!(zero_median, 11);
    assert_eq!((cons.entropy.unwrap().median * 100.0).round(), 88.0);
}

#[test]
fn html_report_is_self_contained_and_escapes_ids() {
    let mut data = synthetic(4);
    data.models[0].id = "evil/<script>alert(1)</script>".into();
    let config = AuditConfig {
        temperature: PAPER_TEMPERATURE,
        bootstrap: 20,
    };
    let html = report::to_html(&run_audit(
        &data,
        &config,
        &mut ChaCha8Rng::seed_from_u64(1),
    ));
    assert!(html.starts_with("<!doctype html>"));
    assert!(!html.contains("<script"), "ids are escaped, no scripts");
    assert!(html.contains("evil/&lt;script&gt;"));
    let without_ns = html.replace("http://www.w3.org/2000/svg", "");
    for fetch in ["http:", "https:", "src=", "href=", "@import", "url("] {
        assert!(
            !without_ns.contains(fetch),
            "no network fetch: found {fetch}"
        );
    }
    // One panel per value, the entropy chart and the forest plot.
    assert_eq!(html.matches("<svg").count(), 6);
    assert!(html.contains("physicians (leave-one-out)"));
}
