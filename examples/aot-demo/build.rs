//! Compiles the example kernels into `libkernels.a` with Rust bindings and a C header.

fn main() {
    let mut b = strata_build::Build::new();
    b.file("../kernels/ola.sk").file("../kernels/dot.sk").file("../kernels/fir.sk").file("../kernels/hash.sk");
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("x86_64") {
        // A baseline every x86-64 machine from the last decade runs.
        b.target_cpu("x86-64-v2");
    }
    b.opt_level(3).compile("kernels");
}
