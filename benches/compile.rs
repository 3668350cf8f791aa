//! Compile time of every example kernel file on each compiling tier: source already
//! parsed and verified, from IR to callable code (tier 1: Cranelift with its optimizer;
//! tier 2: LLVM `default<O2>` and `default<O3>` for the host CPU). Dropping the compiled
//! module (freeing its code) is included, as a user who compiles and discards pays it.
//! These are warm figures (the compilers initialized by earlier compiles in the process);
//! benches/compile_cold measures the first compile in a fresh process.

use criterion::{criterion_group, criterion_main, Criterion};
use std::path::Path;
use std::time::Duration;
use strata_runtime::{Options, Tier};

fn bench_compile(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/kernels");
    let mut files: Vec<_> =
        std::fs::read_dir(&dir).expect("examples/kernels").map(|e| e.expect("entry").path()).collect();
    files.sort();
    for path in files {
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("?").to_string();
        let module = strata::source::load_file(&path, false).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut g = c.benchmark_group(format!("compile/{name}"));
        let configs: [(&str, Tier, u8); 3] = [
            ("baseline", Tier::Baseline, 0),
            ("optimized-O2", Tier::Optimized, 2),
            ("optimized-O3", Tier::Optimized, 3),
        ];
        for (label, tier, level) in configs {
            if !tier.is_available() {
                continue;
            }
            let opts = Options { llvm_opt_level: level, ..Options::default() };
            g.bench_function(label, |b| b.iter(|| strata_runtime::compile(&module, tier, &opts).expect("compiles")));
        }
        g.finish();
    }
}

/// Short settings so ci/bench fits its budget (27 benchmarks): a compile takes 0.3-35 ms, so
/// 1 s still gives 30 or more compiles over 10 samples; 10,000 bootstrap resamples (the
/// report shows medians only).
fn quick() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_secs(1))
        .nresamples(10_000)
}

criterion_group! { name = compile; config = quick(); targets = bench_compile }
criterion_main!(compile);
