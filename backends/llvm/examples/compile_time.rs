//! Prints where tier-2 compile time goes for the DESIGN.md kernels (minimum and median of 30 runs;
//! the parts are those of the median run).
//! `cargo run --release -p strata-llvm --example compile_time`
#[path = "../tests/common/mod.rs"]
mod common;
use common::kernels::{ola, sumsq};
use strata_ir::FloatFlags;
use strata_llvm::{compile, CompileTimings, LlvmOptions};

fn main() {
    let kernels = [
        ("sumsq", common::module(vec![sumsq("sumsq", FloatFlags::NONE)])),
        ("energy", common::module(vec![sumsq("energy", FloatFlags::FAST)])),
        ("ola", common::module(vec![ola()])),
    ];
    for (name, m) in &kernels {
        for level in [0u8, 2, 3] {
            let opts = LlvmOptions::with_opt_level(level);
            let mut runs: Vec<CompileTimings> =
                (0..30).map(|_| compile(m, &opts).expect("compiles").timings()).collect();
            runs.sort_by_key(|t| t.total);
            let t = runs[runs.len() / 2];
            let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
            println!(
                "{name:7} O{level}: min {:6.2} ms, median {:6.2} ms = lower {:5.2} + optimize {:5.2} + codegen {:5.2} + link {:5.2}",
                ms(runs[0].total),
                ms(t.total),
                ms(t.lower),
                ms(t.optimize),
                ms(t.codegen),
                ms(t.link)
            );
        }
    }
}
