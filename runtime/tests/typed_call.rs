//! The typed call's promises on every compiled tier: one `TypedFunc` called from many
//! threads at once (each call has its own context, so one thread's trap or fuel use does
//! not leak into another's), re-entrant calls (a host function calling a kernel while a
//! kernel is running), and a handle that is `Send + Sync` and usable after traps.

use std::sync::{Arc, OnceLock};
use strata_runtime::{available_tiers, Engine, Tier, TrapCode, TypedFunc};

const SRC: &str = "
export fn sum(x: [i64], i: i64) -> i64 {
    let mut s = x[i];
    for k in 0..x.len() { s += x[k]; }
    return s;
}
extern fn inner(x: i64) -> i64;
export fn twice(x: i64) -> i64 { return inner(x) + inner(x + 1); }
export fn square(x: i64) -> i64 { return x * x; }
";

fn tiers() -> Vec<Tier> {
    available_tiers().into_iter().filter(|t| *t != Tier::Interpreter).chain([Tier::Adaptive]).collect()
}

#[test]
fn typed_func_is_send_sync_and_clone() {
    fn check<T: Send + Sync + Clone + 'static>() {}
    check::<TypedFunc<(&'static [f32], &'static mut [f32], f32), f32>>();
    check::<TypedFunc<(), ()>>();
}

#[test]
fn one_handle_many_threads_with_traps_in_between() {
    for tier in tiers() {
        let engine = Engine::builder().tier(tier).fuel(Some(1_000)).tier_up_threshold(1_000).build();
        let m = engine.load_source("t.sk", SRC).expect("compiles");
        let sum = m.get::<(&[i64], i64), i64>("sum").expect("sum");
        std::thread::scope(|s| {
            for t in 0..4i64 {
                let sum = sum.clone();
                s.spawn(move || {
                    let x: Vec<i64> = (0..64).map(|k| k * (t + 1)).collect();
                    let big = vec![1i64; 5_000];
                    let want = x.iter().sum::<i64>() + x[3];
                    for round in 0..300 {
                        match (t + round) % 3 {
                            0 => assert_eq!(sum.call((&x, 3)), Ok(want), "{tier} thread {t}"),
                            1 => assert_eq!(sum.call((&x, 64)).map_err(|e| e.kind), Err(TrapCode::OutOfBounds)),
                            _ => assert_eq!(sum.call((&big, 0)).map_err(|e| e.kind), Err(TrapCode::FuelExhausted)),
                        }
                    }
                });
            }
        });
    }
}

#[test]
fn host_function_reenters_a_kernel() {
    for tier in tiers() {
        let engine = Engine::builder().tier(tier).build();
        let square: Arc<OnceLock<TypedFunc<i64, i64>>> = Arc::new(OnceLock::new());
        let inner = Arc::clone(&square);
        // The host function calls back into compiled code while `twice` is running.
        engine.host_fn("inner", move |x: i64| inner.get().map(|f| f.call(x).unwrap_or(-1)).unwrap_or(-2));
        let m = engine.load_source("t.sk", SRC).expect("compiles");
        square.set(m.get::<i64, i64>("square").expect("square")).ok();
        let twice = m.get::<i64, i64>("twice").expect("twice");
        for x in 0..200 {
            assert_eq!(twice.call(x), Ok(x * x + (x + 1) * (x + 1)), "{tier}");
        }
    }
}
