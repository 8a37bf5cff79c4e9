//! Speed of the attribution audit on the shared ValueBench data (skipped where absent):
//! the full audit with 10,000 bootstrap draws (every model, the consensus, every physician and
//! the physician leave-one-out reference refitted per draw), and one GLM fit.
//!
//! Run: `cargo bench --bench attribution`

use criterion::{criterion_group, criterion_main, Criterion};
use pluralis::attribution::resample::fit_counts;
use pluralis::attribution::{run_audit, AuditConfig, AuditData, PAPER_TEMPERATURE};
use pluralis::valuebench;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;
use std::time::Duration;

fn shared_data() -> Option<AuditData> {
    let Some(dir) = valuebench::shared_dir() else {
        eprintln!("skipped: ../shared/valuebench is absent (set PLURALIS_VALUEBENCH to run)");
        return None;
    };
    let exp = valuebench::read_experiment(&dir, valuebench::MAIN_EXPERIMENT).ok()?;
    Some(AuditData::from_experiment(&exp))
}

fn bench(c: &mut Criterion) {
    let Some(data) = shared_data() else {
        return;
    };
    c.bench_function("glm_fit_one_model_50_cases", |b| {
        b.iter(|| fit_counts(black_box(&data.deltas), black_box(&data.models[0].counts)))
    });
    let mut group = c.benchmark_group("audit");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(30));
    group.bench_function("full_audit_10000_bootstrap_draws", |b| {
        b.iter(|| {
            let config = AuditConfig {
                temperature: PAPER_TEMPERATURE,
                bootstrap: 10_000,
            };
            run_audit(black_box(&data), &config, &mut ChaCha8Rng::seed_from_u64(1))
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
