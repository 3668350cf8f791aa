//! What Strata's own passes buy on tier 1 (Cranelift): every streaming example kernel
//! compiled without passes (`O0`) and with `-O2` (bounds-check elimination, unrolling,
//! vectorization, …), no fuel. Groups are `<kernel>/<size>`, contenders `O0` and `O2`.
//!
//! `cargo bench --bench passes -- --warm-up-time 1 --measurement-time 2` for numbers;
//! `cargo test --bench passes` runs each once at the smallest size (a smoke test).

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::path::Path;
use strata_ir::interp::Arg;
use strata_runtime::{CompiledModule, Options, Tier};

const SIZES: [usize; 2] = [256, 4096];

/// All sizes under `cargo bench`; only the smallest when `cargo test` smoke-runs it.
fn sizes() -> &'static [usize] {
    if std::env::args().any(|a| a == "--bench") {
        &SIZES
    } else {
        &SIZES[..1]
    }
}

fn load(file: &str) -> strata_ir::Module {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/kernels").join(file);
    strata::source::load_file(&path, false).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// The module on tier 1 without passes and with `-O2`.
fn both(m: &strata_ir::Module) -> Vec<(&'static str, CompiledModule)> {
    let o2 = Options { pipeline: Some("-O2".into()), ..Options::default() };
    vec![
        ("O0", strata_runtime::compile(m, Tier::Baseline, &Options::default()).expect("compiles")),
        ("O2", strata_runtime::compile(m, Tier::Baseline, &o2).expect("compiles")),
    ]
}

fn data(n: usize, seed: u32) -> Vec<f32> {
    (0..n).map(|i| ((i as u32).wrapping_mul(2654435761).wrapping_add(seed) % 2000) as f32 / 1000.0 - 1.0).collect()
}

fn bytes<T: Copy>(v: &[T]) -> Vec<u8> {
    let n = std::mem::size_of_val(v);
    // SAFETY: plain numeric data viewed as its bytes (little-endian on the hosts we run on).
    unsafe { std::slice::from_raw_parts(v.as_ptr() as *const u8, n) }.to_vec()
}

/// One group: `call(module, func)` for every compiled variant.
fn group(
    c: &mut Criterion,
    name: &str,
    n: usize,
    variants: &[(&'static str, CompiledModule)],
    func: &str,
    mut call: impl FnMut(&CompiledModule, &str),
) {
    let mut g = c.benchmark_group(format!("{name}/{n}"));
    for (label, m) in variants {
        g.bench_function(*label, |b| b.iter(|| call(m, func)));
    }
    g.finish();
}

fn bench_passes(c: &mut Criterion) {
    let ola = both(&load("ola.sk"));
    let fir = both(&load("fir.sk"));
    let dot = both(&load("dot.sk"));
    let stats = both(&load("stats.sk"));
    let prefix = both(&load("prefix_sum.sk"));
    let taps = bytes(&data(16, 7));
    for &n in sizes() {
        let (a, b) = (bytes(&data(n, 1)), bytes(&data(n, 2)));
        let mut out = bytes(&vec![0.0f32; n]);
        group(c, "ola", n, &ola, "ola", |m, f| {
            let mut args = [
                Arg::Slice(&a),
                Arg::Slice(&b),
                Arg::SliceMut(&mut out),
                Arg::Val(0.8f32.into()),
                Arg::Val((-0.5f32).into()),
                Arg::Val(0.5f32.into()),
            ];
            m.call(f, black_box(&mut args)).expect("runs");
        });
        let mut y = bytes(&vec![0.0f32; n]);
        group(c, "fir16", n, &fir, "fir", |m, f| {
            m.call(f, black_box(&mut [Arg::Slice(&a), Arg::Slice(&taps), Arg::SliceMut(&mut y)])).expect("runs");
        });
        group(c, "dot", n, &dot, "dot", |m, f| {
            m.call(f, black_box(&mut [Arg::Slice(&a), Arg::Slice(&b)])).expect("runs");
        });
        group(c, "energy_fastmath", n, &stats, "energy", |m, f| {
            m.call(f, black_box(&mut [Arg::Slice(&a)])).expect("runs");
        });
        group(c, "peak", n, &stats, "peak", |m, f| {
            m.call(f, black_box(&mut [Arg::Slice(&a)])).expect("runs");
        });
        let mut xs = bytes(&(0..n as i64).collect::<Vec<_>>());
        group(c, "prefix_sum", n, &prefix, "prefix_sum", |m, f| {
            m.call(f, black_box(&mut [Arg::SliceMut(&mut xs)])).expect("runs");
        });
    }
}

criterion_group!(benches, bench_passes);
criterion_main!(benches);
