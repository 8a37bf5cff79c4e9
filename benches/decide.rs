//! Decision parsing speed on a 4 KB answer (target: median under 50 µs on one core).
//!
//! Run: `cargo bench --bench decide`

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use pluralis::decide::{Decider, OptionPair};

const OPT1: &str = "Proceed with urgent surgery tonight despite the patient's refusal";
const OPT2: &str = "Defer surgery, treat with antibiotics and reassess capacity in the morning";

/// An answer in the usual shape: analysis of both options, then a recommendation at the end.
fn answer_4kb() -> String {
    let analysis = "The patient is febrile and his mental status fluctuates, so his refusal \
        cannot be taken as a settled, capacitated choice. Choice 1 offers source control while \
        the infection is still operable, but it overrides a refusal he voiced repeatedly. \
        Choice 2 respects that refusal for a few hours and allows a proper capacity assessment, \
        at the cost of a real risk of sepsis progressing overnight. Both paths carry harm; the \
        question is which harm is more reversible. ";
    let mut text = String::from("## Clinical reasoning\n\n");
    while text.len() < 3_800 {
        text.push_str(analysis);
        text.push('\n');
    }
    text.push_str(
        "\n**Recommendation:** I would not proceed with Choice 1 tonight. I recommend Choice 2: \
         defer surgery, start broad antibiotics, and reassess capacity in the morning.",
    );
    text
}

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
