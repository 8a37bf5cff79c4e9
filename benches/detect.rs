//! Detection latency on a 4 KB request (the target: under 20 µs at the median on one
//! core).
//!
//! Two measurements: `detect/*` is criterion's usual wall-clock time; `detect_cpu/*` counts
//! only the CPU time of the benchmark thread (Linux `/proc/thread-self/schedstat`), so that it
//! still measures the code, not the queue, when the shared machine is loaded. Where that file
//! is unreadable the second group falls back to wall-clock time.

use criterion::{black_box, criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use pluralis::detect::{features, options, Detector};
use std::time::{Duration, Instant};

/// About 4 KB of chat text: a free-form dilemma after clinical history, as a long request on
/// the hot path would look.
fn request_4k() -> String {
    let history = "The patient is a 71-year-old retired teacher with heart failure (EF 25%), \
                   chronic kidney disease stage 4 and type 2 diabetes, admitted for the third time \
                   this year with fluid overload. Diuretics helped, but her creatinine rose. ";
    let ask = "Her son asks us to start dialysis no matter what; she told the night nurse she is \
               tired and wants to go home with hospice. She can explain her choice. Should we \
               start dialysis as her son wants or arrange hospice at home as she asked?";
    let mut text = String::new();
    while text.len() + ask.len() < 4096 {
        text.push_str(history);
    }
    text.push_str(ask);
    text
}

/// CPU time consumed by this thread so far, in nanoseconds.
fn thread_cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

/// Runs `f` `iters` times and returns the thread's CPU time (wall time if unavailable).
fn cpu_time<O>(iters: u64, mut f: impl FnMut() -> O) -> Duration {
    let (cpu0, wall0) = (thread_cpu_ns(), Instant::now());
    for _ in 0..iters {
        black_box(f());
    }
    match (cpu0, thread_cpu_ns()) {
        (Some(a), Some(b)) => Duration::from_nanos(b.saturating_sub(a)),
        _ => wall0.elapsed(),
    }
}

fn bench_detect(c: &mut Criterion) {
    let detector = match Detector::embedded() {
        Ok(d) => d,
        Err(e) => panic!("embedded weights: {e}"),
    };
    let text = request_4k();
    let messages = [
        ("system", "You are a clinical assistant."),
        ("user", text.as_str()),
    ];
    let mut group = c.benchmark_group("detect");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("chat_4k", |b| {
        b.iter(|| detector.detect(black_box(&messages)))
    });
    group.bench_function("options_4k", |b| {
        b.iter(|| options::extract(black_box(text.as_str())))
    });
    group.bench_function("features_4k", |b| {
        b.iter(|| {
            let mut n = 0u32;
            features::for_each_feature(black_box(text.as_str()), 18, &mut |_, b| {
                n = n.wrapping_add(b)
            });
            n
        })
    });
    group.finish();

    let mut cpu = c.benchmark_group("detect_cpu");
    cpu.throughput(Throughput::Bytes(text.len() as u64));
    // The kernel updates a thread's CPU time at scheduler ticks (a few ms), so each sample must
    // last long: ten equal samples of about a second each.
    cpu.sampling_mode(SamplingMode::Flat);
    cpu.sample_size(10);
    cpu.measurement_time(Duration::from_secs(10));
    cpu.bench_function("chat_4k", |b| {
        b.iter_custom(|iters| cpu_time(iters, || detector.detect(black_box(&messages))))
    });
    cpu.bench_function("options_4k", |b| {
        b.iter_custom(|iters| cpu_time(iters, || options::extract(black_box(text.as_str()))))
    });
    cpu.bench_function("features_4k", |b| {
        b.iter_custom(|iters| {
            cpu_time(iters, || {
                let mut n = 0u32;
                features::for_each_feature(black_box(text.as_str()), 18, &mut |_, b| {
                    n = n.wrapping_add(b)
                });
                n
            })
        })
    });
    cpu.finish();
}

criterion_group!(benches, bench_detect);
criterion_main!(benches);
