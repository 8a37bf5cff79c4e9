//! Golden test: the Rust audit against statsmodels/scipy reference numbers
//! (tests/golden/attribution.json, written by tests/golden/make_reference.py from the shared
//! ValueBench data). Skipped where ../shared/valuebench is absent.

use pluralis::attribution::{run_audit, AuditConfig, AuditData, PAPER_TEMPERATURE};
use pluralis::valuebench;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

const TOLERANCE: f64 = 1e-6;

fn close(what: &str, got: f64, want: &Value) {
    let want = want
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: reference is not a number"));
    assert!(
        (got - want).abs() <= TOLERANCE,
        "{what}: got {got}, statsmodels/scipy {want}"
    );
}

/// The fixture keys physicians by a hash of their id (it keeps figures, not the data's ids).
fn fixture_key(id: &str) -> String {
    use sha2::{Digest, Sha256};
    if id.starts_with("human/") {
        let digest = hex::encode(Sha256::digest(id.as_bytes()));
        format!("human/sha256:{}", &digest[..16])
    } else {
        id.to_owned()
    }
}

#[test]
fn matches_statsmodels_and_scipy() {
    let Some(dir) = valuebench::shared_dir() else {
        eprintln!("skipped: ../shared/valuebench is absent (set PLURALIS_VALUEBENCH to run)");
        return;
    };
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/attribution.json");
    let golden: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let exp = valuebench::read_experiment(&dir, valuebench::MAIN_EXPERIMENT).unwrap();
    let data = AuditData::from_experiment(&exp);
    let config = AuditConfig {
        temperature: PAPER_TEMPERATURE,
        bootstrap: 0,
    };
    let audit = run_audit(&data, &config, &mut ChaCha8Rng::seed_from_u64(0));
    assert_eq!(golden["cases"], audit.cases);
    let reference = golden["decision_makers"].as_object().unwrap();
    assert_eq!(reference.len(), audit.makers.len());
    for m in &audit.makers {
        let r = &reference[&fixture_key(&m.id)];
        for v in 0..4 {
            let at = |k: &str| format!("{} {k}[{v}]", m.id);
            close(&at("beta"), m.fit.beta[v], &r["beta"][v]);
            close(&at("se_hc3"), m.fit.se[v].unwrap(), &r["se_hc3"][v]);
            close(
                &at("p_value"),
                m.fit.p_values[v].unwrap(),
                &r["p_values"][v],
            );
            close(&at("profile"), m.profile[v], &r["profile"][v]);
        }
        close(
            &format!("{} jsd", m.id),
            m.jsd_to_consensus,
            &r["jsd_to_consensus"],
        );
        let lrt = m.lrt_uniform.unwrap();
        close(&format!("{} lrt", m.id), lrt.statistic, &r["lrt_statistic"]);
        close(&format!("{} lrt p", m.id), lrt.p_value, &r["lrt_p_value"]);
    }
}
