//! Decision parsing speed on a 4 KB answer (target: median under 50 µs on one core).
//!
//! Run: `cargo bench --bench decide`. On a loaded machine, also count instructions or CPU time
//! with `examples/decide_profile.rs` (same answer).

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use pluralis::decide::{Decider, OptionPair};

#[path = "common/decide_answer.rs"]
mod decide_answer;
use decide_answer::{answer_4kb, OPT1, OPT2};

fn bench(c: &mut Criterion) {
    let decider = Decider::new();
    let answer = answer_4kb();
    let pair = OptionPair::new(OPT1, OPT2);
    let mut group = c.benchmark_group("decide");
    group.throughput(Throughput::Bytes(answer.len() as u64));
    group.bench_function("answer_4kb_prepared_options", |b| {
        b.iter(|| decider.decide_prepared(black_box(&pair), black_box(&answer), None))
    });
    group.bench_function("answer_4kb_with_option_prep", |b| {
        b.iter(|| decider.decide(black_box(OPT1), black_box(OPT2), black_box(&answer)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
