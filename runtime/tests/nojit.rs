//! No-JIT mode through the builder (`jit(false)`): every tier runs on the interpreter with
//! the same results. (The environment variable has its own test binary, `nojit_env.rs`,
//! since it affects the whole process.)

use strata_runtime::{Engine, Tier, TrapCode};

const SRC: &str = "export fn sum(x: [i64]) -> i64 { let mut s = 0; for i in 0..x.len() { s += x[i]; } return s; }";

#[test]
fn jit_off_runs_everything_on_the_interpreter() {
    let engine = Engine::builder().jit(false).fuel(Some(100)).build();
    assert!(!engine.jit_enabled());
    let m = engine.load_source("s.sk", SRC).expect("compiles");
    for tier in [Tier::Interpreter, Tier::Baseline, Tier::Optimized, Tier::Adaptive] {
        let f = m.get_on::<&[i64], i64>("sum", tier).expect("loads");
        assert_eq!(f.tier(), Tier::Interpreter, "asked for {tier}");
        assert_eq!(f.call(&[1, 2, 3, 4]), Ok(10));
        let long = vec![1i64; 1000];
        assert_eq!(f.call(&long).map_err(|t| t.kind), Err(TrapCode::FuelExhausted));
    }
    let s = engine.stats();
    assert_eq!(s.compiles_on(Tier::Interpreter), 1);
    assert_eq!(s.compiles_on(Tier::Baseline) + s.compiles_on(Tier::Optimized), 0);
}
