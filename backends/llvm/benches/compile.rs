//! Compile latency of tier 2: Strata IR → callable machine code (verify, lower, LLVM's
//! `default<O2>`/`default<O3>` pipeline for the host CPU, code generation, ORC linking) for
//! the small kernels of DESIGN.md. Target: median under 5 ms.
//!
//! `cargo bench -p strata-llvm --bench compile`

#[path = "../tests/common/mod.rs"]
mod common;

use common::kernels::{ola, sumsq};
use criterion::{criterion_group, criterion_main, Criterion};
use strata_ir::FloatFlags;
use strata_llvm::{compile, LlvmOptions};

fn bench_compile(c: &mut Criterion) {
    let kernels = [
        ("sumsq", common::module(vec![sumsq("sumsq", FloatFlags::NONE)])),
        ("energy", common::module(vec![sumsq("energy", FloatFlags::FAST)])),
        ("ola", common::module(vec![ola()])),
    ];
    let mut group = c.benchmark_group("compile");
    group.sample_size(40);
    for (name, m) in &kernels {
        for level in [2u8, 3] {
            let opts = LlvmOptions::with_opt_level(level);
            group.bench_function(format!("{name}/O{level}"), |b| {
                b.iter(|| compile(m, &opts).expect("compiles"));
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench_compile);
criterion_main!(benches);
