//! Traps on every tier: out-of-bounds accesses, division by zero and fuel exhaustion come
//! back as `Err(Trap)` with the right kind, and the kernel keeps working afterwards.

use strata_runtime::{available_tiers, Engine, Tier, TrapCode};

const SRC: &str = "
export fn get(x: [i32], i: i64) -> i32 { return x[i]; }
export fn put(x: mut [f64], i: i64, v: f64) { x[i] = v; }
export fn div(a: i32, b: i32) -> i32 { return a / b; }
export fn spin(n: i64) -> i64 {
    let mut i = 0;
    let mut s = 0;
    while i < n { s = s + i * 3; i = i + 1; }
    return s;
}
";

fn tiers() -> Vec<Tier> {
    let mut t = available_tiers();
    t.push(Tier::Adaptive);
    t
}

#[test]
fn out_of_bounds_and_division_trap_on_every_tier() {
    for tier in tiers() {
        let engine = Engine::builder().tier(tier).build();
        let m = engine.load_source("t.sk", SRC).expect("compiles");
        let get = m.get::<(&[i32], i64), i32>("get").expect("get");
        assert_eq!(get.call((&[5, 6, 7], 2)), Ok(7), "{tier}");
        for i in [3, -1, i64::MIN, i64::MAX] {
            let t = get.call((&[5, 6, 7], i)).expect_err("out of bounds");
            assert_eq!((t.kind, t.function.as_str()), (TrapCode::OutOfBounds, "get"), "{tier}, index {i}");
        }
        let put = m.get::<(&mut [f64], i64, f64), ()>("put").expect("put");
        let mut x = [0.0; 4];
        assert_eq!(put.call((&mut x, 4, 1.0)).map_err(|t| t.kind), Err(TrapCode::OutOfBounds), "{tier}");
        assert_eq!(x, [0.0; 4]);
        put.call((&mut x, 3, 1.5)).expect("in bounds");
        assert_eq!(x, [0.0, 0.0, 0.0, 1.5]);
        let div = m.get::<(i32, i32), i32>("div").expect("div");
        assert_eq!(div.call((7, 0)).map_err(|t| t.kind), Err(TrapCode::DivByZero), "{tier}");
        assert_eq!(div.call((7, 2)), Ok(3));
    }
}

#[test]
fn fuel_exhaustion_traps_on_every_tier() {
    for tier in tiers() {
        let engine = Engine::builder().tier(tier).fuel(Some(1000)).build();
        let spin = engine.load_source("t.sk", SRC).and_then(|m| m.get::<i64, i64>("spin")).expect("compiles");
        // 100 iterations cost 100 back-edges: within budget.
        assert_eq!(spin.call(100), Ok(3 * 99 * 100 / 2), "{tier}");
        let t = spin.call(1 << 40).expect_err("runs out of fuel");
        assert_eq!(t.kind, TrapCode::FuelExhausted, "{tier}");
        assert_eq!(t.function, "spin");
        // Each call gets the full budget again.
        assert_eq!(spin.call(500), Ok(3 * 499 * 500 / 2), "{tier}");
    }
}

#[test]
fn trap_reports_the_tier() {
    for tier in available_tiers() {
        let engine = Engine::builder().tier(tier).build();
        let div = engine.load_source("t.sk", SRC).and_then(|m| m.get::<(i32, i32), i32>("div")).expect("compiles");
        let t = div.call((1, 0)).expect_err("traps");
        assert_eq!(t.tier, tier);
        assert!(t.to_string().contains("div_by_zero"), "{t}");
    }
}
