//! The first tier-2 compile of a process, with and without [`EngineBuilder::warm_up`]:
//! builds an engine on `Tier::Optimized` (warmed or not), waits for the warm-up to finish
//! (or 60 ms with none), loads FILE, then times compiling it on tier 2 (LLVM `default<O3>`,
//! no Strata passes). One measurement per process: run it several times.
//!
//! ```text
//! cargo build --release -p strata-runtime --example first_compile
//! for i in 1 2 3 4 5; do for m in cold warm; do
//!   target/release/examples/first_compile $m examples/kernels/fir.sk; done; done
//! ```
//!
//! [`EngineBuilder::warm_up`]: strata_runtime::EngineBuilder::warm_up

use std::time::{Duration, Instant};
use strata_runtime::{Engine, Options, Tier};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(mode), Some(file)) = (args.first(), args.get(1)) else {
        return Err("usage: first_compile cold|warm FILE".into());
    };
    let warm = match mode.as_str() {
        "warm" => true,
        "cold" => false,
        other => return Err(format!("mode `{other}` (expected cold or warm)").into()),
    };
    let src = std::fs::read_to_string(file)?;
    let engine = Engine::builder().tier(Tier::Optimized).passes(None).warm_up(warm).build();
    let start = Instant::now();
    let waited = loop {
        if let Some(t) = engine.stats().warm_up {
            break t;
        }
        if !warm && start.elapsed() > Duration::from_millis(60) {
            break Duration::ZERO;
        }
        if start.elapsed() > Duration::from_secs(60) {
            return Err("the warm-up did not finish within 60 s".into());
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    let module = engine.load_source(file, &src)?;
    let t = Instant::now();
    // Whole file, as the engine compiles a module for `Tier::Optimized` (parts in parallel).
    drop(strata_runtime::compile(module.ir(), Tier::Optimized, &Options::default())?);
    let first = t.elapsed();
    println!(
        "{mode} {file}: first compile {:.2} ms (warm-up took {:.2} ms)",
        first.as_secs_f64() * 1e3,
        waited.as_secs_f64() * 1e3
    );
    Ok(())
}
