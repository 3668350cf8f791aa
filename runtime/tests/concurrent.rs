//! 16 threads ask for and call the same 50 kernels at once, on every tier: each kernel is
//! compiled exactly once per tier (the engine's statistics say so) and every result is right.

use std::sync::Barrier;
use strata_runtime::{available_tiers, Engine, Module, Tier};

const KERNELS: usize = 50;
const THREADS: usize = 16;

fn kernel_source(i: usize) -> String {
    format!(
        "export fn k{i}(x: [f32], y: mut [f32]) -> i64 {{\n\
         \x20   for j in 0..x.len() {{ y[j] = x[j] * {i}.0 + 1.0; }}\n\
         \x20   return x.len() + {i};\n\
         }}"
    )
}

#[test]
fn sixteen_threads_fifty_kernels_compile_once_per_tier() {
    let engine = Engine::builder().cache_capacity(4 * KERNELS).build();
    let modules: Vec<Module> = (0..KERNELS)
        .map(|i| engine.load_source(&format!("k{i}.sk"), &kernel_source(i)).expect("kernel compiles"))
        .collect();
    let tiers = available_tiers();
    let barrier = Barrier::new(THREADS);
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let (modules, tiers, barrier) = (&modules, &tiers, &barrier);
            s.spawn(move || {
                barrier.wait();
                for &tier in tiers {
                    // Threads walk the kernels in different orders so that they collide.
                    for n in 0..KERNELS {
                        let i = (n + t * 7) % KERNELS;
                        let f = modules[i]
                            .get_on::<(&[f32], &mut [f32]), i64>(&format!("k{i}"), tier)
                            .expect("kernel compiles");
                        let x: Vec<f32> = (0..8 + t).map(|v| v as f32).collect();
                        let mut y = vec![0.0f32; x.len()];
                        assert_eq!(f.call((&x, &mut y)), Ok((x.len() + i) as i64));
                        for (a, b) in x.iter().zip(&y) {
                            assert_eq!(*b, a * i as f32 + 1.0, "k{i} on {tier}");
                        }
                        assert_eq!(f.tier(), tier);
                    }
                }
            });
        }
    });
    let stats = engine.stats();
    for &tier in &tiers {
        assert_eq!(stats.compiles_on(tier), KERNELS as u64, "compilations on {tier}");
    }
    let lookups = (THREADS * KERNELS * tiers.len()) as u64;
    assert_eq!(stats.cache_hits, lookups - (KERNELS * tiers.len()) as u64);
    assert_eq!(stats.evictions, 0);
}

#[test]
fn engine_and_handles_are_send_and_sync() {
    fn check<T: Send + Sync + Clone>() {}
    check::<Engine>();
    check::<Module>();
    check::<strata_runtime::TypedFunc<(&[f32], &mut [f32], f32), ()>>();
}

#[test]
fn lru_eviction_keeps_running_kernels_alive() {
    let engine = Engine::builder().tier(Tier::Baseline).cache_capacity(2).build();
    let kernels: Vec<_> = (0..5)
        .map(|i| {
            let m = engine.load_source("k.sk", &kernel_source(i)).expect("compiles");
            m.get::<(&[f32], &mut [f32]), i64>(&format!("k{i}")).expect("compiles")
        })
        .collect();
    let s = engine.stats();
    assert_eq!(s.evictions, 3);
    assert_eq!(engine.cached_modules(), 2);
    // Evicted from the cache, but each handle keeps its code.
    for (i, f) in kernels.iter().enumerate() {
        let mut y = [0.0f32; 2];
        assert_eq!(f.call((&[1.0, 2.0], &mut y)), Ok(2 + i as i64));
    }
}
