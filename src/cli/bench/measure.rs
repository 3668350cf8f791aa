//! Timing one tier for `strata bench`: compile twice (cold = the first compile of this tier
//! in the process, warm = the second), then call the function repeatedly and take the
//! median over samples. The iteration count per sample adapts to the call's duration, so a
//! 50 ns call and a 50 ms call both get a few well-filled samples within the time budget.
//!
//! This file measures; it does not parse arguments or print (see `report.rs`).

use std::time::{Duration, Instant};
use strata::json_args::OwnedArg;
use strata_ir::interp::Arg;
use strata_ir::Module;
use strata_runtime::{CallError, Options, Tier};

/// How long to spend per tier.
#[derive(Copy, Clone, Debug)]
pub struct Budget {
    /// Target run time per tier (compiles excluded).
    pub per_tier: Duration,
    /// The most samples to take; at least 3 are always taken.
    pub samples: usize,
}

/// What one tier measured.
#[derive(Clone, Debug)]
pub struct TierResult {
    pub tier: Tier,
    /// First compile of this tier in the process (includes one-time backend set-up).
    pub compile_cold: Duration,
    /// Second compile of the same module.
    pub compile_warm: Duration,
    /// Median time per call over the samples, in nanoseconds.
    pub ns_per_call: f64,
    /// Calls per sample.
    pub iterations: u64,
    /// Samples taken.
    pub samples: usize,
}

/// Why a tier could not be measured.
#[derive(Debug)]
pub enum MeasureError {
    Compile(String),
    Call(CallError),
}

/// Compiles `module` on `tier` and times calls of `func` with a private copy of `args`
/// (so every tier starts from the same inputs). `tick` is called after every sample.
pub fn measure(
    module: &Module,
    tier: Tier,
    opts: &Options,
    func: &str,
    args: &[OwnedArg],
    budget: Budget,
    tick: &dyn Fn(),
) -> Result<TierResult, MeasureError> {
    let compile = || {
        let t = Instant::now();
        let c = strata_runtime::compile(module, tier, opts).map_err(|e| MeasureError::Compile(e.to_string()))?;
        Ok::<_, MeasureError>((c, t.elapsed()))
    };
    let (first, compile_cold) = compile()?;
    drop(first);
    let (compiled, compile_warm) = compile()?;

    let mut owned = args.to_vec();
    let mut call_args: Vec<Arg<'_>> = owned.iter_mut().map(OwnedArg::as_arg).collect();
    let mut run = |n: u64| -> Result<Duration, MeasureError> {
        let t = Instant::now();
        for _ in 0..n {
            compiled.call(func, std::hint::black_box(&mut call_args)).map_err(MeasureError::Call)?;
        }
        Ok(t.elapsed())
    };

    // Warm-up call (faults pages in, fills caches), then calibrate: grow the batch until it
    // fills a sample's share of the budget or a single batch is already long.
    let samples_max = budget.samples.max(3);
    let target = budget.per_tier / samples_max as u32;
    let mut per_call = run(1)?;
    let mut iterations = 1u64;
    while per_call.saturating_mul(iterations as u32) < target / 4 && iterations < (1 << 30) {
        iterations *= 4;
        per_call = run(iterations)? / iterations as u32;
    }
    if !per_call.is_zero() {
        let fit = target.as_nanos() / per_call.as_nanos();
        iterations = u64::try_from(fit).unwrap_or(u64::MAX).clamp(1, 1 << 32);
    }

    let started = Instant::now();
    let mut times = Vec::with_capacity(samples_max);
    while times.len() < samples_max {
        let d = run(iterations)?;
        times.push(d.as_nanos() as f64 / iterations as f64);
        tick();
        if times.len() >= 3 && started.elapsed() > budget.per_tier.saturating_mul(2) {
            break;
        }
    }
    times.sort_by(f64::total_cmp);
    let ns_per_call = median(&times);
    Ok(TierResult { tier, compile_cold, compile_warm, ns_per_call, iterations, samples: times.len() })
}

/// The median of sorted values (0 for none).
fn median(sorted: &[f64]) -> f64 {
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn median_of_odd_and_even() {
        assert_eq!(median(&[]), 0.0);
        assert_eq!(median(&[1.0, 2.0, 9.0]), 2.0);
        assert_eq!(median(&[1.0, 2.0, 4.0, 9.0]), 3.0);
    }
}
