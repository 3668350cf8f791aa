//! Parsing, checking and lowering a 1,000-line kernel file (the example kernels, repeated
//! with renamed functions). Run with `cargo bench -p strata-frontend --bench sk_frontend`.

use criterion::{black_box, criterion_group, criterion_main, Criterion};

/// About `lines` lines of kernel source: the example kernels concatenated, each copy with
/// its functions renamed so that names stay unique.
pub fn big_source(lines: usize) -> String {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/kernels");
    let mut kernels: Vec<(String, String)> = std::fs::read_dir(dir)
        .expect("examples/kernels exists")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "sk"))
        .map(|p| (p.display().to_string(), std::fs::read_to_string(&p).expect("readable kernel")))
        .collect();
    kernels.sort();
    let names = [
        "ola",
        "fir",
        "resample_linear",
        "energy",
        "mean",
        "peak",
        "biquad",
        "dot_f64",
        "dot",
        "matmul",
        "row_col",
        "fnv1a",
        "fmix32",
        "hash_all",
        "prefix_sum",
        "exclusive_scan",
    ];
    let mut out = String::new();
    let mut copy = 0;
    while out.lines().count() < lines {
        for (_, src) in &kernels {
            let mut s = src.clone();
            for n in names {
                // Rename definitions and calls: `fn name(` and `name(`.
                s = s.replace(&format!("{n}("), &format!("{n}_{copy}("));
            }
            out.push_str(&s);
            out.push('\n');
        }
        copy += 1;
    }
    out
}

fn bench(c: &mut Criterion) {
    let src = big_source(1000);
    let lines = src.lines().count();
    strata_frontend::compile_source("big.sk", &src).expect("the generated file compiles");
    c.bench_function(&format!("compile_source {lines} lines"), |b| {
        b.iter(|| strata_frontend::compile_source("big.sk", black_box(&src)).map(|m| m.functions.len()))
    });
    c.bench_function(&format!("check_source {lines} lines"), |b| {
        b.iter(|| strata_frontend::check_source("big.sk", black_box(&src)).is_ok())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
