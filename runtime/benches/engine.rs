//! Engine benchmarks: the overhead of a typed call on an empty kernel per tier, and an
//! adaptive run of 10,000 FIR calls against tier-1-only and tier-2-only runs (each run
//! includes loading and compiling on a fresh engine, as a program starting up would).
//!
//! `cargo bench -p strata-runtime --bench engine -- --warm-up-time 1 --measurement-time 2`

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use std::time::{Duration, Instant};
use strata_runtime::{available_tiers, Engine, Tier};

#[path = "../tests/common/fir.rs"]
mod fir;

const EMPTY: &str = "export fn empty() {}\nexport fn add(a: i64, b: i64) -> i64 { return a + b; }\n\
                     export fn first(x: [f32]) -> i64 { return x.len(); }";

fn call_overhead(c: &mut Criterion) {
    let mut g = c.benchmark_group("typed_call");
    for tier in available_tiers() {
        let engine = Engine::builder().tier(tier).build();
        let m = engine.load_source("empty.sk", EMPTY).expect("compiles");
        let empty = m.get::<(), ()>("empty").expect("empty");
        g.bench_function(format!("empty/{tier}"), |b| b.iter(|| empty.call(()).expect("runs")));
        let add = m.get::<(i64, i64), i64>("add").expect("add");
        g.bench_function(format!("add/{tier}"), |b| b.iter(|| add.call((black_box(1), black_box(2))).expect("runs")));
        let first = m.get::<&[f32], i64>("first").expect("first");
        let x = [1.0f32; 4];
        g.bench_function(format!("slice/{tier}"), |b| b.iter(|| first.call(black_box(&x[..])).expect("runs")));
    }
    g.finish();
}

/// One start-to-finish run: fresh engine, load, 10,000 calls.
fn fir_run(tier: Tier, x: &[f32], taps: &[f32], y: &mut [f32]) {
    let engine = Engine::builder().tier(tier).build();
    let fir = fir::get(&engine).expect("compiles");
    for _ in 0..10_000 {
        fir.call((x, taps, &mut *y)).expect("runs");
    }
}

fn adaptive_fir(c: &mut Criterion) {
    let (x, taps) = fir::inputs(1024);
    let mut y = vec![0.0f32; 1024];
    let mut g = c.benchmark_group("fir_10000_calls");
    g.sample_size(10);
    for tier in [Tier::Baseline, Tier::Optimized, Tier::Adaptive] {
        if !tier.is_available() {
            continue;
        }
        g.bench_function(tier.name(), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let t = Instant::now();
                    fir_run(tier, &x, &taps, &mut y);
                    total += t.elapsed();
                }
                total
            })
        });
    }
    g.finish();
}

criterion_group!(benches, call_overhead, adaptive_fir);
criterion_main!(benches);
