//! `strata dump FILE --emit ir|clif|llvm|llvm-opt|asm`: shows what each stage made of a
//! source: the verified IR (text format), the Cranelift IR, LLVM IR before and after
//! LLVM's pipeline, or the final assembly.

use super::{load_or_report, EXIT_INPUT};
use std::path::PathBuf;

#[derive(Copy, Clone, PartialEq, Eq, clap::ValueEnum)]
pub enum Emit {
    /// Strata IR, in the text format.
    Ir,
    /// Cranelift IR (tier 1).
    Clif,
    /// LLVM IR before and after LLVM's pipeline (tier 2).
    Llvm,
    /// LLVM IR after LLVM's pipeline only.
    LlvmOpt,
    /// Assembly for the host CPU from LLVM (tier 2 / AOT).
    Asm,
}

#[derive(clap::Args)]
pub struct DumpArgs {
    /// The source file (.sk or .sir).
    file: PathBuf,
    /// What to print.
    #[arg(long, default_value = "ir")]
    emit: Emit,
    /// LLVM optimization level (0-3) for llvm, llvm-opt and asm.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u8).range(0..=3))]
    opt_level: u8,
    /// Target CPU for llvm/asm (default: the host's).
    #[arg(long)]
    target_cpu: Option<String>,
    #[command(flatten)]
    passes: super::PassArgs,
    /// The function --specialize binds parameters of.
    #[arg(long = "fn", value_name = "NAME")]
    func: Option<String>,
    #[command(flatten)]
    specialize: super::specialize::SpecializeArgs,
}

pub fn dump(a: DumpArgs, color: bool) -> i32 {
    let Some(mut module) = load_or_report(&a.file, color) else { return EXIT_INPUT };
    if let Err(e) = super::specialize::apply_for(&a.specialize, a.func.as_deref(), &mut module) {
        eprintln!("error: {e}");
        return EXIT_INPUT;
    }
    let Some(module) = a.passes.apply(module, false, matches!(a.emit, Emit::Llvm | Emit::LlvmOpt | Emit::Asm)) else {
        return EXIT_INPUT;
    };
    let text: Result<String, String> = match a.emit {
        Emit::Ir => Ok(strata_ir::print_module(&module)),
        Emit::Clif => clif(&module),
        Emit::Llvm | Emit::LlvmOpt | Emit::Asm => llvm(&module, a.emit, a.opt_level, a.target_cpu),
    };
    match text {
        Ok(t) => {
            print!("{t}");
            if !t.ends_with('\n') {
                println!();
            }
            0
        }
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_INPUT
        }
    }
}

#[cfg(feature = "cranelift")]
fn clif(m: &strata_ir::Module) -> Result<String, String> {
    strata_cranelift::clif_text(m, &strata_cranelift::CraneliftOptions::default()).map_err(|e| e.to_string())
}

#[cfg(not(feature = "cranelift"))]
fn clif(_: &strata_ir::Module) -> Result<String, String> {
    Err("this build has no Cranelift backend (cargo feature `cranelift`)".into())
}

#[cfg(feature = "llvm")]
fn llvm(m: &strata_ir::Module, emit: Emit, opt_level: u8, target_cpu: Option<String>) -> Result<String, String> {
    let opts = strata_llvm::LlvmOptions { opt_level, target_cpu, ..Default::default() };
    match emit {
        Emit::Asm => strata_llvm::emit(m, &opts, strata_llvm::EmitKind::Assembly, None)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .map_err(|e| e.to_string()),
        Emit::LlvmOpt => strata_llvm::dump(m, &opts).map(|(_, after)| after).map_err(|e| e.to_string()),
        _ => strata_llvm::dump(m, &opts)
            .map(|(before, after)| {
                format!("; ---- LLVM IR before the pipeline ----\n{before}\n; ---- LLVM IR after default<O{opt_level}> ----\n{after}")
            })
            .map_err(|e| e.to_string()),
    }
}

#[cfg(not(feature = "llvm"))]
fn llvm(_: &strata_ir::Module, _: Emit, _: u8, _: Option<String>) -> Result<String, String> {
    Err("this build has no LLVM backend (cargo feature `llvm`)".into())
}
