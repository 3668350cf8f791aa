//! `strata run FILE --fn NAME --args JSON [--tier T]`: runs one exported function and
//! prints `{"ret": …, "outputs": {…}}`. A trap prints `{"trap": code, "function": name}`
//! and exits with code 3.

use super::{EXIT_INPUT, EXIT_TRAP};
use std::path::PathBuf;
use strata::json_args::{self, OwnedArg};
use strata_ir::interp::{Arg, InterpError, Interpreter};

#[derive(clap::Args)]
pub struct RunArgs {
    /// The source file (.sk or .sir).
    file: PathBuf,
    /// The exported function to run.
    #[arg(long = "fn", value_name = "NAME")]
    func: String,
    /// Arguments as a JSON array: numbers for scalars, arrays of numbers for slices.
    #[arg(long, default_value = "[]", value_name = "JSON")]
    args: String,
    /// Execution tier.
    #[arg(long, default_value = "interpreter")]
    tier: TierArg,
}

#[derive(Copy, Clone, clap::ValueEnum)]
enum TierArg {
    Interpreter,
}

pub fn run(a: RunArgs, color: bool) -> i32 {
    let module = match strata::source::load_file(&a.file, color) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("{e}");
            return EXIT_INPUT;
        }
    };
    let Some(id) = module.func_by_name(&a.func) else {
        let exported: Vec<_> = module
            .functions
            .values()
            .filter(|f| f.linkage == strata_ir::Linkage::Export)
            .map(|f| f.name.as_str())
            .collect();
        eprintln!("error: no function `{}` in {} (exported: {})", a.func, a.file.display(), exported.join(", "));
        return EXIT_INPUT;
    };
    let sig = module.functions[id].sig.clone();
    let mut owned = match json_args::parse_args(&a.func, &sig, &a.args) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_INPUT;
        }
    };
    let result = match a.tier {
        TierArg::Interpreter => {
            let interp = match Interpreter::new(&module) {
                Ok(i) => i,
                Err(e) => {
                    eprintln!("error: {e}");
                    return EXIT_INPUT;
                }
            };
            let mut args: Vec<Arg<'_>> = owned.iter_mut().map(OwnedArg::as_arg).collect();
            interp.call(&a.func, &mut args)
        }
    };
    match result {
        Ok(ret) => {
            println!("{}", json_args::result_json(&sig, ret.as_ref(), &owned));
            0
        }
        Err(InterpError::Trap(t)) => {
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
