//! Parses the decide bench's 4 KB answer N times and reports CPU time per parse, for a machine
//! too loaded for wall-clock benches; under callgrind, counts instructions per parse.
//!
//! Run: `cargo run --release --example decide_profile -- 20000` (CPU time per parse, from the
//! process's on-CPU nanoseconds in /proc/self/schedstat, so time spent waiting for a core does
//! not count), or
//! `valgrind --tool=callgrind --toggle-collect='*measured_parses*' \
//!    target/release/examples/decide_profile 100` (collected Ir / 100 = instructions per parse).

use pluralis::decide::{Decider, Decision, OptionPair};
use std::hint::black_box;

#[path = "../benches/common/decide_answer.rs"]
mod decide_answer;
use decide_answer::{answer_4kb, OPT1, OPT2};

/// The measured loop, kept out of line so callgrind can collect exactly it.
#[inline(never)]
fn measured_parses(decider: &Decider, pair: &OptionPair, answer: &str, n: u32) -> Option<Decision> {
    let mut last = None;
    for _ in 0..n {
        last = Some(decider.decide_prepared(black_box(pair), black_box(answer), None));
    }
    last
}

/// Nanoseconds this process has run on a CPU (Linux), if readable.
fn cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

fn main() {
    let n: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let decider = Decider::new();
    let pair = OptionPair::new(OPT1, OPT2);
    let answer = answer_4kb();
    // Warm up: compiled patterns and the regex engines' lazy caches.
    for _ in 0..20 {
        black_box(decider.decide_prepared(&pair, &answer, None));
    }
    let start = cpu_ns();
    let last = measured_parses(&decider, &pair, &answer, n);
    if let (Some(a), Some(b), Some(d)) = (start, cpu_ns(), last) {
        let per = (b - a) as f64 / f64::from(n.max(1)) / 1000.0;
        println!(
            "{n} parses of {} bytes: {per:.1} µs CPU per parse ({})",
            answer.len(),
            d.choice.as_str()
        );
    }
}
