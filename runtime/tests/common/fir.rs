//! The 16-tap FIR kernel that the adaptive tests (tests/adaptive.rs), the engine bench
//! (benches/engine.rs) and the `adaptive_fir` example all run: its source, its inputs and
//! loading it as a typed function. Each of them includes this file with `#[path]`, so they
//! measure and test the same kernel on the same data. Only setup: no timing, no assertions.

// Every includer uses only part of this file.
#![allow(dead_code)]

use strata_runtime::{Engine, Module, TypedFunc};

/// `y[i] = Σ_k x[i + k] · taps[k]`: reads `y.len() + taps.len()` elements of `x`.
pub const SOURCE: &str = "
export fn fir(x: [f32], taps: [f32], y: mut [f32]) {
    let n = y.len();
    for i in 0..n {
        let mut acc = 0.0;
        for k in 0..taps.len() { acc += x[i + k] * taps[k]; }
        y[i] = acc;
    }
}
";

/// The number of taps.
pub const TAPS: usize = 16;

/// The typed parameters of `fir`: input, taps, output.
pub type Params<'a> = (&'a [f32], &'a [f32], &'a mut [f32]);

/// Inputs for `n` outputs: `x` (n + [`TAPS`] samples of a sine) and the taps.
pub fn inputs(n: usize) -> (Vec<f32>, Vec<f32>) {
    let taps: Vec<f32> = (0..TAPS).map(|k| 1.0 / (k as f32 + 1.5)).collect();
    let x: Vec<f32> = (0..n + TAPS).map(|i| ((i * 37 % 101) as f32).sin()).collect();
    (x, taps)
}

/// The kernel loaded into `engine` (compiled on the engine's tier as the engine decides).
pub fn load(engine: &Engine) -> Result<Module, strata_runtime::Error> {
    engine.load_source("fir.sk", SOURCE)
}

/// `fir` from a freshly loaded module, on the engine's tier.
pub fn get<'a>(engine: &Engine) -> Result<TypedFunc<Params<'a>, ()>, strata_runtime::Error> {
    load(engine)?.get::<Params<'a>, ()>("fir")
}
