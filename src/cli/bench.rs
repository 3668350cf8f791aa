//! `strata bench FILE --fn NAME (--args JSON | --size N) [--tiers all|T,T] [--json]`:
//! compiles one exported function on each tier, times compiles (cold and warm) and calls,
//! and prints a table (or JSON) with the time per call and per element, the ratio to the
//! fastest tier and tier 2's break-even point against tier 1. A progress bar runs on
//! stderr when it is a terminal.
//!
//! With `--specialize NAME=VALUE,…` the function is specialized first (as for `strata run`)
//! and timed in that form: `--args` then gives the unbound (or all) parameters and `--size`
//! generates only the unbound ones.
//!
//! This file parses and validates the command line and drives the tiers; inputs,
//! measurement and presentation live in `bench/`. Bad input exits 1, a trap exits 3.

mod inputs;
mod measure;
mod report;

use super::{load_or_report, EXIT_INPUT, EXIT_TRAP};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use measure::{Budget, MeasureError};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;
use strata::json_args;
use strata_runtime::{CallError, Options, Tier};

/// Environment variable overriding the time budget per tier, in milliseconds (tests use a
/// few milliseconds so they stay fast).
pub const BUDGET_ENV: &str = "STRATA_BENCH_BUDGET_MS";

#[derive(clap::Args)]
pub struct BenchArgs {
    /// The source file (.sk or .sir).
    file: PathBuf,
    /// The exported function to time.
    #[arg(long = "fn", value_name = "NAME")]
    func: String,
    /// Arguments as a JSON array (as for `strata run`).
    #[arg(long, value_name = "JSON", conflicts_with = "size")]
    args: Option<String>,
    /// Generate inputs: every slice gets N elements of deterministic pseudo-random data
    /// (floats in [-1, 1), integers in [0, 1000)); integer scalars are 1, float scalars 1.0.
    #[arg(long, value_name = "N")]
    size: Option<usize>,
    /// Tiers to measure: `all` (those in this build) or a comma-separated list of
    /// interpreter, baseline, optimized.
    #[arg(long, default_value = "all", value_name = "all|T,T")]
    tiers: String,
    /// LLVM optimization level for the optimized tier (0-3).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u8).range(0..=3))]
    opt_level: u8,
    /// Strata pass pipeline run as part of every compile (`-O2`, or a list such as
    /// `const-fold,gvn,licm,dce`); included in the compile times.
    #[arg(long = "passes", value_name = "PIPELINE", allow_hyphen_values = true)]
    pipeline: Option<String>,
    #[command(flatten)]
    specialize: super::specialize::SpecializeArgs,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    json: bool,
    /// Run-time budget per tier in milliseconds (also STRATA_BENCH_BUDGET_MS).
    #[arg(long, hide = true, value_name = "MS")]
    budget_ms: Option<u64>,
}

fn parse_tiers(s: &str) -> Result<Vec<Tier>, String> {
    if s == "all" {
        return Ok(strata_runtime::available_tiers());
    }
    let mut out = Vec::new();
    for name in s.split(',').map(str::trim) {
        let t = super::run::parse_tier(name).map_err(|e| format!("--tiers: {e}"))?;
        if !out.contains(&t) {
            out.push(t);
        }
    }
    Ok(out)
}

fn budget(a: &BenchArgs) -> Result<Budget, String> {
    let ms = match (a.budget_ms, std::env::var(BUDGET_ENV)) {
        (Some(ms), _) => ms,
        (None, Ok(v)) => v.trim().parse().map_err(|_| format!("{BUDGET_ENV}={v:?} is not a number of milliseconds"))?,
        (None, Err(_)) => 1000,
    };
    Ok(Budget { per_tier: Duration::from_millis(ms), samples: 11 })
}

fn progress(tiers: usize, samples: usize) -> ProgressBar {
    let target =
        if std::io::stderr().is_terminal() { ProgressDrawTarget::stderr() } else { ProgressDrawTarget::hidden() };
    let bar = ProgressBar::with_draw_target(Some((tiers * samples) as u64), target);
    if let Ok(style) = ProgressStyle::with_template("{msg:>12} [{bar:30}] {pos}/{len} samples") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

pub fn bench(a: BenchArgs, color: bool) -> i32 {
    let fail = |m: String| {
        eprintln!("error: {m}");
        EXIT_INPUT
    };
    let tiers = match parse_tiers(&a.tiers) {
        Ok(t) => t,
        Err(e) => return fail(e),
    };
    let budget = match budget(&a) {
        Ok(b) => b,
        Err(e) => return fail(e),
    };
    let Some(mut module) = load_or_report(&a.file, color) else { return EXIT_INPUT };
    let Some(original) = module
        .func_by_name(&a.func)
        .map(|id| &module.functions[id])
        .filter(|f| f.linkage == strata_ir::Linkage::Export)
        .map(|f| f.sig.clone())
    else {
        let exported: Vec<_> = module
            .functions
            .values()
            .filter(|f| f.linkage == strata_ir::Linkage::Export)
            .map(|f| f.name.as_str())
            .collect();
        return fail(format!(
            "no exported function `{}` in {} (exported: {})",
            a.func,
            a.file.display(),
            exported.join(", ")
        ));
    };
    // Specialization replaces the function in place, under the same name.
    if let Err(e) = a.specialize.apply(&mut module, &a.func) {
        return fail(e);
    }
    let Some(sig) = module.func_by_name(&a.func).map(|id| module.functions[id].sig.clone()) else {
        return fail(format!("function `{}` disappeared after --specialize", a.func));
    };
    let args = match (&a.args, a.size) {
        (Some(text), _) => a
            .specialize
            .names()
            .and_then(|bound| super::specialize::remaining_args(&original, &bound, text))
            .and_then(|text| json_args::parse_args(&a.func, &sig, &text).map_err(|e| e.to_string())),
        (None, Some(n)) => inputs::generate(&sig, n),
        (None, None) => Err("give the inputs: --args JSON, or --size N to generate them".to_string()),
    };
    let args = match args {
        Ok(v) => v,
        Err(e) => return fail(e),
    };
    let elements = inputs::elements(&args);
    let opts = Options { llvm_opt_level: a.opt_level, fuel: None, pipeline: a.pipeline.clone(), ..Options::default() };

    let bar = progress(tiers.len(), budget.samples);
    let mut results = Vec::with_capacity(tiers.len());
    for &tier in &tiers {
        bar.set_message(tier.name());
        match measure::measure(&module, tier, &opts, &a.func, &args, budget, &|| bar.inc(1)) {
            Ok(r) => results.push(r),
            Err(e) => {
                bar.finish_and_clear();
                return match e {
                    MeasureError::Compile(m) => fail(format!("compiling on tier `{tier}`: {m}")),
                    MeasureError::Call(CallError::Trap(t)) => {
                        eprintln!("error: on tier `{tier}`: {t}");
                        EXIT_TRAP
                    }
                    MeasureError::Call(e) => fail(format!("calling on tier `{tier}`: {e}")),
                };
            }
        }
    }
    bar.finish_and_clear();

    let file = a.file.display().to_string();
    if a.json {
        println!("{}", report::to_json(&file, &a.func, elements, &results));
    } else {
        let what = elements.map(|n| format!(", {n} elements")).unwrap_or_default();
        print!("{}", report::table(&format!("{file} --fn {}{what}", a.func), elements, &results));
    }
    0
}
