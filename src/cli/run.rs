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
    let Some(module) = a.passes.apply(module, a.fuel.is_some()) else { return EXIT_INPUT };
    let opts = Options { llvm_opt_level: a.opt_level, fuel: a.fuel, pipeline: None, ..Options::default() };
    let compiled = match strata_runtime::compile(&module, a.tier, &opts) {
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
