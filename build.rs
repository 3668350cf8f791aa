//! Build script of the `strata` package. Its only job: when `STRATA_BENCH_C=1` (set by
//! `ci/bench`), compile the C contenders of the benchmarks (benches/c/*.c) with
//! `-O3 -march=native` through the `cc` crate, link them into the bench targets only, and
//! set `cfg(strata_bench_c)` so benches/kernels.rs includes them. Otherwise it does nothing:
//! the library, the CLI and the tests never need a C compiler.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(strata_bench_c)");
    println!("cargo::rerun-if-env-changed=STRATA_BENCH_C");
    println!("cargo::rerun-if-changed=benches/c/kernels.c");
    if std::env::var("STRATA_BENCH_C").as_deref() != Ok("1") {
        return;
    }
    let out = match std::env::var("OUT_DIR") {
        Ok(d) => std::path::PathBuf::from(d),
        Err(_) => return,
    };
    cc::Build::new()
        .file("benches/c/kernels.c")
        .opt_level(3)
        .flag("-march=native")
        .cargo_metadata(false)
        .compile("strata_bench_c");
    // Only the benchmarks link the C kernels.
    println!("cargo::rustc-link-arg-benches={}", out.join("libstrata_bench_c.a").display());
    println!("cargo::rustc-cfg=strata_bench_c");
}
