//! The pass manager: runs a pipeline of IR passes over a module, top to bottom.
//!
//! A pipeline is a comma-separated list of pass names (`const-fold,dce,gvn`) or one of the
//! presets `-O0` … `-O3`. The input is always verified first; after every pass the
//! verifier runs again (in debug builds, or when [`PassOptions::verify`] is set), and a
//! failure is reported as [`PassError::Verifier`] naming the pass that broke the IR. Dumps of the module after chosen passes and per-pass timings
//! are collected into a [`PassReport`] for the caller (the CLI) to print.
//!
//! One pass per file, each a plain `run(&mut Module)` function; see `docs/passes.md`.

pub mod bce;
mod block_copy;
pub mod const_fold;
pub mod dce;
pub mod gvn;
pub mod index_split;
pub mod inline;
pub mod licm;
pub mod simplify_cfg;
pub mod specialize;
pub mod unroll;
pub mod vectorize;
pub mod version_checks;
pub mod version_ranges;

pub use specialize::{specialize, Binding, SpecializeError};

use crate::module::Module;
use crate::text::print_module;
use crate::verifier::verify_module;
use std::time::{Duration, Instant};

/// A pass: its pipeline name and its entry point.
type PassFn = fn(&mut Module);

/// Every known pass, by name.
const PASSES: &[(&str, PassFn)] = &[
    ("bce", bce::run),
    ("const-fold", const_fold::run),
    ("dce", dce::run),
    ("gvn", gvn::run),
    ("index-split", index_split::run),
    ("inline", inline::run),
    ("licm", licm::run),
    ("simplify-cfg", simplify_cfg::run),
    ("unroll", unroll::run),
    ("vectorize", vectorize::run),
    ("version-checks", version_checks::run),
    ("version-ranges", version_ranges::run),
];

/// What `-O1` runs.
const O1: &str = "const-fold,simplify-cfg,dce";
/// What `-O2` and `-O3` run. `const-fold,simplify-cfg,dce` run again after `unroll`: a
/// fully unrolled inner loop leaves constant indices (and loads of specialized data at
/// them), a chain of blocks and dead copies of its counter, which they fold to constants,
/// merge into one block and delete, so that `vectorize` sees the enclosing loop as the
/// two-block counted loop it takes (the FIR with constant taps: across outputs).
const O2: &str = "inline,const-fold,simplify-cfg,gvn,licm,bce,index-split,version-ranges,unroll,\
                  const-fold,simplify-cfg,dce,vectorize,dce";

/// What `-O2` and `-O3` mean for a backend that vectorizes and unrolls by itself (tier 2,
/// LLVM): the same scalar clean-up without `unroll` and `vectorize`, whose 128-bit vectors
/// and unrolled copies LLVM's loop vectorizer would not widen again (measured: the
/// specialized overlap-add ran at 4 lanes instead of 8 on AVX2), plus `version-checks`,
/// which gives each counted loop a copy without the bounds checks of its induction variable
/// for LLVM to vectorize at its own width, and `version-ranges`, the same for the address
/// tests of lifted BPF.
pub const O2_SELF_VECTORIZING: &str =
    "inline,const-fold,simplify-cfg,gvn,licm,bce,index-split,version-checks,version-ranges,dce";

/// `pipeline` as a backend that vectorizes by itself should run it: the presets `-O2` and
/// `-O3` become [`O2_SELF_VECTORIZING`]; anything else (an explicit list of passes, `-O0`,
/// `-O1`) is kept as written.
///
/// ```
/// use strata_ir::passes::{for_self_vectorizing_backend, O2_SELF_VECTORIZING};
/// assert_eq!(for_self_vectorizing_backend("-O2"), O2_SELF_VECTORIZING);
/// assert_eq!(for_self_vectorizing_backend("const-fold,vectorize"), "const-fold,vectorize");
/// ```
pub fn for_self_vectorizing_backend(pipeline: &str) -> &str {
    match pipeline.trim() {
        "-O2" | "-O3" => O2_SELF_VECTORIZING,
        _ => pipeline,
    }
}

/// After which passes to dump the module.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub enum DumpAfter {
    #[default]
    None,
    All,
    /// After every run of the pass with this name.
    Pass(String),
}

/// Options of [`run_pipeline`].
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct PassOptions {
    /// Verify after every pass even in release builds.
    pub verify: bool,
    pub dump_after: DumpAfter,
    /// Record how long each pass took.
    pub time_passes: bool,
    /// The code will run with a fuel budget: skip the passes that change how many loop
    /// back-edges a run takes ([`CHANGES_BACK_EDGES`]), so that fuel runs out at exactly
    /// the same point as in the unoptimized program.
    pub keep_fuel: bool,
}

/// Passes that make loops take fewer back-edges, or remove calls (`inline`), and so use
/// less fuel (and `version-checks` and `version-ranges`, which keep the count but copy
/// loops like the others): skipped when [`PassOptions::keep_fuel`] is set.
pub const CHANGES_BACK_EDGES: &[&str] =
    &["inline", "index-split", "unroll", "vectorize", "version-checks", "version-ranges"];

impl PassOptions {
    /// Options from the environment: `STRATA_DUMP=all` or `STRATA_DUMP=<pass>`, and
    /// `STRATA_TIME_PASSES=1`.
    pub fn from_env() -> PassOptions {
        let dump_after = match std::env::var("STRATA_DUMP") {
            Ok(s) if s == "all" => DumpAfter::All,
            Ok(s) if !s.is_empty() => DumpAfter::Pass(s),
            _ => DumpAfter::None,
        };
        let time_passes = std::env::var("STRATA_TIME_PASSES").is_ok_and(|s| !s.is_empty() && s != "0");
        PassOptions { verify: false, dump_after, time_passes, keep_fuel: false }
    }
}

/// What a pipeline run collected: `(pass, module text)` dumps and `(pass, time)` timings,
/// in the order the passes ran.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct PassReport {
    pub dumps: Vec<(String, String)>,
    pub timings: Vec<(String, Duration)>,
}

/// Why a pipeline failed.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum PassError {
    /// A name in the pipeline is not a pass.
    #[error("unknown pass `{name}`; known passes: {known} (or a preset -O0, -O1, -O2, -O3)")]
    UnknownPass { name: String, known: String },
    /// The module did not verify after `pass` ran: an internal bug of that pass. Invalid
    /// input (always checked before the first pass) is reported with `pass` = `input`.
    #[error("IR is invalid after pass `{pass}`:\n{message}")]
    Verifier { pass: String, message: String },
}

/// The pass names of a pipeline string, presets expanded. Empty names are skipped.
pub fn parse_pipeline(pipeline: &str) -> Result<Vec<&'static str>, PassError> {
    let mut out = Vec::new();
    for name in pipeline.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let expanded = match name {
            "-O0" => "",
            "-O1" => O1,
            "-O2" | "-O3" => O2,
            other => other,
        };
        for n in expanded.split(',').filter(|s| !s.is_empty()) {
            match PASSES.iter().find(|(p, _)| *p == n) {
                Some((p, _)) => out.push(*p),
                None => {
                    let known = PASSES.iter().map(|(p, _)| *p).collect::<Vec<_>>().join(", ");
                    return Err(PassError::UnknownPass { name: n.to_string(), known });
                }
            }
        }
    }
    Ok(out)
}

/// Runs `pipeline` over `module`. On error the module may be partly transformed.
pub fn run_pipeline(module: &mut Module, pipeline: &str, opts: &PassOptions) -> Result<PassReport, PassError> {
    let names = parse_pipeline(pipeline)?;
    let passes: Vec<(&str, PassFn)> =
        names.iter().filter_map(|n| PASSES.iter().find(|(p, _)| p == n).copied()).collect();
    run_passes(module, &passes, opts)
}

/// Runs `passes` in order, verifying, timing and dumping as `opts` asks.
fn run_passes(module: &mut Module, passes: &[(&str, PassFn)], opts: &PassOptions) -> Result<PassReport, PassError> {
    let verify = cfg!(debug_assertions) || opts.verify;
    let mut report = PassReport::default();
    // The input is always verified: passes assume valid IR (entity references in range,
    // one terminator per block), so invalid input must not reach them even in release builds.
    if !passes.is_empty() {
        if let Err(e) = verify_module(module) {
            return Err(PassError::Verifier { pass: "input".to_string(), message: e.to_string() });
        }
    }
    for &(name, pass) in passes {
        if opts.keep_fuel && CHANGES_BACK_EDGES.contains(&name) {
            continue;
        }
        let start = Instant::now();
        pass(module);
        let elapsed = start.elapsed();
        if opts.time_passes {
            report.timings.push((name.to_string(), elapsed));
        }
        if verify {
            if let Err(e) = verify_module(module) {
                return Err(PassError::Verifier { pass: name.to_string(), message: e.to_string() });
            }
        }
        let dump = match &opts.dump_after {
            DumpAfter::None => false,
            DumpAfter::All => true,
            DumpAfter::Pass(p) => p == name,
        };
        if dump {
            report.dumps.push((name.to_string(), print_module(module)));
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_and_unknown_names() {
        assert_eq!(parse_pipeline("-O0").ok(), Some(vec![]));
        assert_eq!(parse_pipeline("-O1").ok(), Some(vec!["const-fold", "simplify-cfg", "dce"]));
        assert_eq!(parse_pipeline("dce, gvn").ok(), Some(vec!["dce", "gvn"]));
        let err = parse_pipeline("const-fold,nope").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("nope") && err.contains("const-fold, dce"), "{err}");
    }

    #[test]
    fn invalid_input_is_reported_before_any_pass() {
        let text = "export fn @f() -> i32 {\nblock0:\n    v0 = iconst.i64 1\n    return v0\n}\n";
        let Ok(mut m) = crate::text::parse_module(text) else { panic!("test module parses") };
        let opts = PassOptions { verify: true, ..PassOptions::default() };
        match run_pipeline(&mut m, "dce", &opts) {
            Err(PassError::Verifier { pass, message }) => {
                assert_eq!(pass, "input");
                assert!(!message.is_empty());
            }
            other => panic!("expected a verifier error, got {other:?}"),
        }
    }

    #[test]
    fn verifier_error_names_the_pass() {
        // A pass that breaks the IR: it drops every block's terminator.
        fn breaker(m: &mut Module) {
            for f in m.functions.values_mut() {
                let blocks: Vec<_> = f.layout.blocks().collect();
                for b in blocks {
                    if let Some(t) = f.terminator(b) {
                        f.layout.remove_inst(t);
                    }
                }
            }
        }
        let text = "export fn @f(a: i32) -> i32 {\nblock0(v0: i32):\n    return v0\n}\n";
        let Ok(mut m) = crate::text::parse_module(text) else { panic!("test module parses") };
        let opts = PassOptions { verify: true, ..PassOptions::default() };
        let passes: [(&str, PassFn); 2] = [("dce", dce::run), ("breaker", breaker)];
        match run_passes(&mut m, &passes, &opts) {
            Err(e @ PassError::Verifier { .. }) => assert!(e.to_string().contains("after pass `breaker`"), "{e}"),
            other => panic!("expected a verifier error, got {other:?}"),
        }
    }

    #[test]
    fn keep_fuel_skips_the_passes_that_remove_back_edges() {
        // A loop the unroller takes (a carried sum with a store: not vectorizable).
        let text = "export fn @f(x: mut [i64]) -> i64 {\nblock0(v0: ptr, v1: i64):\n    v2 = iconst.i64 0\n    \
                    v3 = iconst.i64 1\n    v4 = iconst.i64 8\n    br block1(v2, v2)\nblock1(v5: i64, v6: i64):\n    \
                    v7 = icmp.bool slt v5, v1\n    brif v7, block2, block3\nblock2:\n    v8 = imul.i64 v5, v4\n    \
                    v9 = load.i64 v0, v8\n    v10 = iadd.i64 v6, v9\n    store v0, v8, v10\n    \
                    v11 = iadd.i64 v5, v3\n    br block1(v11, v10)\nblock3:\n    return v6\n}\n";
        let Ok(original) = crate::text::parse_module(text) else { panic!("test module parses") };
        for (keep_fuel, changed) in [(true, false), (false, true)] {
            let mut m = original.clone();
            let opts = PassOptions { verify: true, keep_fuel, ..PassOptions::default() };
            let r = run_pipeline(&mut m, "unroll,vectorize", &opts);
            assert!(r.is_ok(), "{r:?}");
            assert_eq!(print_module(&m) != print_module(&original), changed, "keep_fuel = {keep_fuel}");
        }
    }

    #[test]
    fn dumps_and_timings() {
        let mut m = Module::new();
        let opts = PassOptions {
            verify: true,
            dump_after: DumpAfter::Pass("gvn".into()),
            time_passes: true,
            keep_fuel: false,
        };
        let r = run_pipeline(&mut m, "-O2", &opts);
        let r = r.ok().unwrap_or_default();
        assert_eq!(r.timings.len(), parse_pipeline("-O2").map(|p| p.len()).unwrap_or(0));
        // `gvn` runs once in -O2 (`dce` twice).
        assert_eq!(r.dumps.len(), 1);
        assert_eq!(r.dumps[0].0, "gvn");
    }
}
