//! Adaptive mode: a kernel starts on tier 1 (or the interpreter), gets hot, has tier 2
//! compiled in the background and swapped in while it is being called; results are the
//! same before and after the swap, and callers never wait for tier 2.

use std::time::{Duration, Instant};
use strata_runtime::{Engine, Tier};

#[path = "common/fir.rs"]
mod fir;

/// 256 outputs: enough back-edges per call to cross the tier-up threshold early.
fn inputs() -> (Vec<f32>, Vec<f32>) {
    fir::inputs(256)
}

fn run_until_tier_up(start: Tier) {
    if !Tier::Optimized.is_available() {
        return;
    }
    let engine = Engine::builder().tier(Tier::Adaptive).adaptive_start(start).tier_up_threshold(20_000).build();
    let fir = fir::get(&engine).expect("compiles");
    let want_tier = if start == Tier::Interpreter { Tier::Interpreter } else { Tier::Baseline };
    assert_eq!(fir.tier(), want_tier);
    let (x, taps) = inputs();
    let mut first = vec![0.0f32; 256];
    fir.call((&x, &taps, &mut first)).expect("runs");
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut calls_before = 0;
    let mut calls_on_tier_two = 0;
    let mut calls_after = 0;
    // Until tier 2 is installed, then through its probation (it is kept only if not
    // slower) and 50 calls more.
    while calls_after < 50 {
        let mut y = vec![0.0f32; 256];
        let tier = fir.tier();
        fir.call((&x, &taps, &mut y)).expect("runs");
        assert!(y.iter().zip(&first).all(|(a, b)| a.to_bits() == b.to_bits()), "results changed on {tier}");
        if tier == Tier::Optimized {
            calls_on_tier_two += 1;
        }
        if engine.stats().tier_ups == 1 {
            calls_after += 1;
        } else {
            calls_before += 1;
            assert!(Instant::now() < deadline, "no tier-up after {calls_before} calls");
            if calls_before > 200 {
                std::thread::sleep(Duration::from_millis(2));
            }
        }
    }
    // 256 × 16 back-edges per call: the threshold is crossed on the first calls.
    assert!(calls_before >= 1, "the kernel started below tier 2");
    assert!(calls_on_tier_two >= 1, "tier 2 ran");
    let s = engine.stats();
    assert_eq!(s.tier_ups, 1);
    if start == Tier::Interpreter {
        assert_eq!(fir.tier(), Tier::Optimized, "tier 2 always beats the interpreter");
    } else {
        assert_eq!(fir.tier(), if s.tier_downs == 1 { Tier::Baseline } else { Tier::Optimized });
    }
    assert_eq!(s.compiles_on(Tier::Optimized), 1);
    assert!(s.events.iter().any(|e| e.tier_up && e.tier == Tier::Optimized && !e.cache_hit));
}

#[test]
fn tiers_up_from_baseline_with_equal_results() {
    run_until_tier_up(Tier::Baseline);
}

#[test]
fn tiers_up_from_the_interpreter_with_equal_results() {
    run_until_tier_up(Tier::Interpreter);
}

#[test]
fn cold_kernels_stay_on_tier_one() {
    let engine = Engine::builder().tier(Tier::Adaptive).tier_up_threshold(u64::MAX).build();
    let f = fir::get(&engine).expect("compiles");
    let (x, taps) = inputs();
    for _ in 0..20 {
        f.call((&x, &taps, &mut [0.0; 256])).expect("runs");
    }
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(f.tier(), Tier::Baseline);
    assert_eq!(engine.stats().compiles_on(Tier::Optimized), 0);
}

#[test]
fn threads_share_one_tier_up_compile() {
    if !Tier::Optimized.is_available() {
        return;
    }
    let engine = Engine::builder().tier(Tier::Adaptive).tier_up_threshold(1).build();
    let m = fir::load(&engine).expect("compiles");
    let (x, taps) = inputs();
    std::thread::scope(|s| {
        for _ in 0..8 {
            let (m, x, taps) = (&m, &x, &taps);
            s.spawn(move || {
                let f = m.get::<(&[f32], &[f32], &mut [f32]), ()>("fir").expect("compiles");
                let deadline = Instant::now() + Duration::from_secs(120);
                while f.tier() == Tier::Baseline && m.engine().stats().tier_ups < 8 {
                    f.call((x, taps, &mut [0.0; 256])).expect("runs");
                    assert!(Instant::now() < deadline, "no tier-up");
                    std::thread::sleep(Duration::from_millis(1));
                }
            });
        }
    });
    let s = engine.stats();
    assert_eq!(s.tier_ups, 8, "every thread's kernel tiered up");
    assert_eq!(s.compiles_on(Tier::Optimized), 1, "one tier-2 compilation for all threads");
    assert_eq!(s.compiles_on(Tier::Baseline), 1);
}

#[test]
fn adaptive_starts_on_the_plain_tier_one_code() {
    // Hotness is sampled time, not fuel counters compiled into the code: an adaptive kernel
    // and a tier-1 kernel of the same function share one compilation (one cache entry).
    let engine = Engine::builder().tier(Tier::Adaptive).tier_up_threshold(u64::MAX).build();
    let m = fir::load(&engine).expect("compiles");
    let adaptive = m.get::<(&[f32], &[f32], &mut [f32]), ()>("fir").expect("adaptive");
    let baseline = m.get_on::<(&[f32], &[f32], &mut [f32]), ()>("fir", Tier::Baseline).expect("baseline");
    let (x, taps) = inputs();
    let (mut a, mut b) = (vec![0.0f32; 256], vec![1.0f32; 256]);
    adaptive.call((&x, &taps, &mut a)).expect("runs");
    baseline.call((&x, &taps, &mut b)).expect("runs");
    assert_eq!(a, b);
    assert_eq!((adaptive.tier(), baseline.tier()), (Tier::Baseline, Tier::Baseline));
    let s = engine.stats();
    assert_eq!(s.compiles_on(Tier::Baseline), 1, "one tier-1 compile: {:?}", s.events);
    assert_eq!(s.cache_hits, 1);
}

/// Two hot kernels and a cold one in one module, sharing a local callee: each hot kernel
/// tiers up with a compile of its own part of the module (itself and the callee), not of
/// the whole module (which would serve the second kernel from the cache and compile the
/// never-called `cold` too), so there are two tier-2 compiles and no cache hit. Results
/// stay bit-identical through the swaps.
#[test]
fn each_kernel_tiers_up_with_its_own_part_of_the_module() {
    if !Tier::Optimized.is_available() {
        return;
    }
    const SOURCE: &str = "
fn scale(v: f32, k: f32) -> f32 { v * k + 0.25 }
export fn up(x: [f32], y: mut [f32]) {
    for i in 0..min(x.len(), y.len()) { y[i] = scale(x[i], 1.5); }
}
export fn down(x: [f32], y: mut [f32]) {
    for i in 0..min(x.len(), y.len()) { y[i] = scale(x[i], 0.5) - x[i]; }
}
export fn cold(x: [f32], y: mut [f32]) {
    for i in 0..min(x.len(), y.len()) { y[i] = x[i]; }
}
";
    let engine = Engine::builder().tier(Tier::Adaptive).tier_up_threshold(1).build();
    let m = engine.load_source("parts.sk", SOURCE).expect("compiles");
    let x: Vec<f32> = (0..512).map(|i| (i as f32 * 0.37).sin()).collect();
    type Want = fn(f32) -> f32;
    let kernels: [(&str, Want); 2] = [("up", |v| v * 1.5 + 0.25), ("down", |v| (v * 0.5 + 0.25) - v)];
    for (name, want) in kernels {
        let f = m.get::<(&[f32], &mut [f32]), ()>(name).expect("compiles");
        let deadline = Instant::now() + Duration::from_secs(120);
        let before = engine.stats().tier_ups;
        while engine.stats().tier_ups == before {
            let mut y = vec![0.0f32; 512];
            f.call((&x, &mut y)).expect("runs");
            assert!(y.iter().zip(&x).all(|(a, &v)| a.to_bits() == want(v).to_bits()), "{name} on {}", f.tier());
            assert!(Instant::now() < deadline, "{name}: no tier-up");
            std::thread::sleep(Duration::from_millis(1));
        }
        let mut y = vec![0.0f32; 512];
        f.call((&x, &mut y)).expect("runs");
        assert!(y.iter().zip(&x).all(|(a, &v)| a.to_bits() == want(v).to_bits()), "{name} after tier-up");
    }
    let s = engine.stats();
    assert_eq!(s.tier_ups, 2);
    assert_eq!(s.compiles_on(Tier::Optimized), 2, "one part per hot kernel");
    assert!(!s.events.iter().any(|e| e.tier == Tier::Optimized && e.cache_hit), "no part served the other");
}

#[test]
fn a_warm_up_runs_in_the_background_and_leaves_results_unchanged() {
    if !Tier::Optimized.is_available() {
        return;
    }
    let warmed = Engine::builder().tier(Tier::Optimized).warm_up(true).build();
    let deadline = Instant::now() + Duration::from_secs(120);
    let took = loop {
        if let Some(t) = warmed.stats().warm_up {
            break t;
        }
        assert!(Instant::now() < deadline, "the warm-up finished within 120 s");
        std::thread::sleep(Duration::from_millis(5));
    };
    assert!(took > Duration::ZERO);
    // The warm-up compiled nothing of the engine's: no compile or cache event.
    let stats = warmed.stats();
    assert_eq!(stats.compiles, [0; 4]);
    assert!(stats.events.is_empty());
    let plain = Engine::builder().tier(Tier::Optimized).build();
    let (x, taps) = inputs();
    let (mut a, mut b) = (vec![0.0f32; 256], vec![0.0f32; 256]);
    fir::get(&warmed).expect("compiles").call((&x, &taps, &mut a)).expect("runs");
    fir::get(&plain).expect("compiles").call((&x, &taps, &mut b)).expect("runs");
    assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()), "same results");
    assert_eq!(plain.stats().warm_up, None, "no warm-up unless asked for");
}
