//! `strata run FILE --fn NAME --args JSON [--tier T] [--specialize NAME=VALUE,…]`: runs one
//! exported function on a tier and prints `{"ret": …, "outputs": {…}}`. A trap prints
//! `{"trap": code, "function": name}` and exits with code 3.
//!
//! With `--specialize`, the bound parameters are removed from the function before the
//! pipeline runs; `--args` then gives either only the remaining parameters in order, or
//! all of them (the values at bound positions are ignored).

use super::{load_or_report, EXIT_INPUT, EXIT_TRAP};
use std::path::PathBuf;
use strata::json_args::{self, OwnedArg};
use strata_ir::interp::Arg;
use strata_runtime::{CallError, Options, Tier};

#[derive(clap::Args)]
pub struct RunArgs {
    /// The source file (.sk or .sir).
    file: PathBuf,
    /// The exported function to run.
    #[arg(long = "fn", value_name = "NAME")]
    func: String,
    /// Arguments as a JSON array: numbers for scalars, arrays of numbers for slices. With
    /// --specialize: only the unbound parameters, or all (bound positions ignored).
    #[arg(long, default_value = "[]", value_name = "JSON")]
    args: String,
    /// Execution tier: interpreter (tier 0), baseline (Cranelift), optimized (LLVM).
    #[arg(long, default_value = "interpreter", value_parser = parse_tier)]
    tier: Tier,
    /// LLVM optimization level for the optimized tier (0-3).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u8).range(0..=3))]
    opt_level: u8,
    /// Fuel budget: loop back-edges and calls each cost one; running out traps.
    #[arg(long, value_name = "N")]
    fuel: Option<u64>,
    /// Directory of the on-disk cache of tier-2 machine code (`--tier optimized` only): a
    /// later run of the same kernel links the cached object instead of running LLVM.
    /// `STRATA_CACHE_STATS=1` reports `cache hit` or `cache miss` on stderr.
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    #[command(flatten)]
    passes: super::PassArgs,
    #[command(flatten)]
    specialize: super::specialize::SpecializeArgs,
}

/// Applies `--specialize` and returns the `--args` text for the specialized signature.
fn specialize_and_args(
    a: &RunArgs,
    module: &mut strata_ir::Module,
    original: &strata_ir::Signature,
) -> Result<String, String> {
    a.specialize.apply(module, &a.func)?;
    let bound = a.specialize.names()?;
    super::specialize::remaining_args(original, &bound, &a.args)
}

pub fn parse_tier(s: &str) -> Result<Tier, String> {
    let t: Tier = s.parse()?;
    if t.is_available() {
        Ok(t)
    } else {
        Err(format!("tier `{t}` is not included in this build (cargo feature missing)"))
    }
}

pub fn run(a: RunArgs, color: bool) -> i32 {
    let Some(module) = load_or_report(&a.file, color) else { return EXIT_INPUT };
    let Some(id) =
        module.func_by_name(&a.func).filter(|&id| module.functions[id].linkage == strata_ir::Linkage::Export)
    else {
        let exported: Vec<_> = module
            .functions
            .values()
            .filter(|f| f.linkage == strata_ir::Linkage::Export)
            .map(|f| f.name.as_str())
            .collect();
        eprintln!(
            "error: no exported function `{}` in {} (exported: {})",
            a.func,
            a.file.display(),
            exported.join(", ")
        );
        return EXIT_INPUT;
    };
    let mut module = module;
    let original = module.functions[id].sig.clone();
    let args_text = match specialize_and_args(&a, &mut module, &original) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_INPUT;
        }
    };
    // Specialization replaces the function in place, so `id` still names it.
    let sig = module.functions[id].sig.clone();
    let mut owned = match json_args::parse_args(&a.func, &sig, &args_text) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_INPUT;
        }
    };
    let Some(module) = a.passes.apply(module, a.fuel.is_some(), a.tier == Tier::Optimized) else { return EXIT_INPUT };
    let opts = Options { llvm_opt_level: a.opt_level, fuel: a.fuel, pipeline: None, ..Options::default() };
    let compiled = match compile(&module, a.tier, &opts, a.cache_dir.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_INPUT;
        }
    };
    let mut args: Vec<Arg<'_>> = owned.iter_mut().map(OwnedArg::as_arg).collect();
    let result = compiled.call(&a.func, &mut args);
    drop(args);
    match result {
        Ok(ret) => {
            println!("{}", json_args::result_json(&sig, ret.as_ref(), &owned));
            0
        }
        Err(CallError::Trap(t)) => {
            println!("{}", serde_json::json!({ "trap": t.code.to_string(), "function": t.function }));
            eprintln!("error: {t}");
            EXIT_TRAP
        }
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_INPUT
        }
    }
}

/// Compiles on `tier`, through the disk cache in `cache_dir` when one is given.
fn compile(
    module: &strata_ir::Module,
    tier: Tier,
    opts: &Options,
    cache_dir: Option<&std::path::Path>,
) -> Result<strata_runtime::CompiledModule, String> {
    let Some(dir) = cache_dir else { return strata_runtime::compile(module, tier, opts).map_err(|e| e.to_string()) };
    #[cfg(feature = "llvm")]
    if tier == Tier::Optimized {
        let cache = strata_runtime::DiskCache::new(dir).map_err(|e| e.to_string())?;
        let (code, outcome) = strata_runtime::compile_cached(module, opts, &cache).map_err(|e| e.to_string())?;
        if std::env::var_os("STRATA_CACHE_STATS").is_some_and(|v| v != "0") {
            let s = cache.stats();
            let what = match outcome {
                strata_runtime::CacheOutcome::Hit => "cache hit",
                strata_runtime::CacheOutcome::Miss => "cache miss",
                strata_runtime::CacheOutcome::StoreFailed => "cache miss (store failed)",
            };
            eprintln!("{what} ({} rejected file(s)) in {}", s.rejected, dir.display());
        }
        return Ok(code);
    }
    Err(format!("--cache-dir {} needs --tier optimized (the cache holds tier-2 code)", dir.display()))
}
