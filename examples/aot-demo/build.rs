//! Compiles the example kernels into `libkernels.a` with Rust bindings and a C header, and
//! (on x86-64) `ola` and `dot` once more into `libkernels_mv.a`, one variant per CPU level.

fn main() {
    let x86_64 = std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("x86_64");
    let mut b = strata_build::Build::new();
    b.file("../kernels/ola.sk").file("../kernels/dot.sk").file("../kernels/fir.sk").file("../kernels/hash.sk");
    b.file("kernels/pow.sk");
    if x86_64 {
        // A baseline every x86-64 machine from the last decade runs.
        b.target_cpu("x86-64-v2");
    }
    b.opt_level(3).compile("kernels");

    if x86_64 {
        strata_build::Build::new()
            .file("../kernels/ola.sk")
            .file("../kernels/dot.sk")
            .multiversion(&["x86-64-v2", "x86-64-v3", "x86-64-v4"])
            .compile("kernels_mv");
    }
}
