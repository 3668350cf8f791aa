//! `STRATA_NO_JIT=1` turns the JIT off for every engine of the process (the only test in
//! this binary, because it sets an environment variable).

use strata_runtime::{Engine, Tier, NO_JIT_ENV};

#[test]
fn env_var_disables_jit() {
    std::env::set_var(NO_JIT_ENV, "1");
    let engine = Engine::builder().tier(Tier::Optimized).build();
    assert!(!engine.jit_enabled());
    let f = engine
        .load_source("d.sk", "export fn d(x: f64) -> f64 { return x * 2.0; }")
        .and_then(|m| m.get::<f64, f64>("d"))
        .expect("compiles");
    assert_eq!(f.tier(), Tier::Interpreter);
    assert_eq!(f.call(1.25), Ok(2.5));
}
