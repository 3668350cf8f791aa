//! Where an adaptive run of 10,000 FIR calls spends its time: prints, per tier, the calls
//! made and the time they took, when tier 2 arrived, and the engine's compile events.
//!
//! `cargo run --release -p strata-runtime --example adaptive_fir [adaptive|baseline|optimized]`

use std::time::{Duration, Instant};
use strata_runtime::{Engine, Tier};

#[path = "../tests/common/fir.rs"]
mod fir;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let tier: Tier = std::env::args().nth(1).map(|s| s.parse()).transpose()?.unwrap_or(Tier::Adaptive);
    let (x, taps) = fir::inputs(1024);
    let mut y = vec![0.0f32; 1024];
    let t0 = Instant::now();
    let engine = Engine::builder().tier(tier).build();
    let fir = fir::get(&engine)?;
    let ready = t0.elapsed();
    let mut per_tier = [(0u64, Duration::ZERO); 4];
    let mut switches = Vec::new();
    let mut last = fir.tier();
    for i in 0..10_000 {
        let t = fir.tier();
        if t != last {
            switches.push((i, t, t0.elapsed()));
            last = t;
        }
        let s = Instant::now();
        fir.call((&x, &taps, &mut y))?;
        let e = &mut per_tier[t.index()];
        e.0 += 1;
        e.1 += s.elapsed();
    }
    println!("{tier}: total {:?}, load+compile {ready:?}", t0.elapsed());
    for t in Tier::ALL {
        let (n, d) = per_tier[t.index()];
        if n > 0 {
            println!("  {t}: {n} calls, {d:?}, {:?}/call", d / n as u32);
        }
    }
    for (i, t, at) in switches {
        println!("  call {i}: now on {t} (at {at:?})");
    }
    let s = engine.stats();
    println!("  tier_ups {} tier_downs {}", s.tier_ups, s.tier_downs);
    for e in s.events {
        println!("  compile {} on {}: {:?} (tier-up {})", e.kernel, e.tier, e.duration, e.tier_up);
    }
    Ok(())
}
