//! `strata build FILE -o OUT --emit obj|asm|llvm-ir|staticlib|cdylib`: ahead-of-time
//! compilation with LLVM. Exported functions keep their names and the one ABI of
//! `strata_ir::abi` (plus `<name>__strata_array_call` trampolines). Static libraries are
//! archived with the system `ar`, shared libraries linked with the system `cc`; both come
//! with the C toolchain the AOT user already has.

use super::{load_or_report, EXIT_INPUT};
use std::path::PathBuf;

#[derive(Copy, Clone, PartialEq, Eq, clap::ValueEnum)]
pub enum BuildEmit {
    Obj,
    Asm,
    LlvmIr,
    Staticlib,
    Cdylib,
}

#[derive(clap::Args)]
pub struct BuildArgs {
    /// The source file (.sk or .sir).
    file: PathBuf,
    /// Output file.
    #[arg(short, long)]
    output: PathBuf,
    /// What to produce.
    #[arg(long, default_value = "obj")]
    emit: BuildEmit,
    /// Target CPU (e.g. x86-64-v3; default: the host's).
    #[arg(long)]
    target_cpu: Option<String>,
    /// Target triple (default: the host's), e.g. aarch64-unknown-linux-gnu.
    #[arg(long)]
    target: Option<String>,
    /// LLVM optimization level (0-3).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u8).range(0..=3))]
    opt_level: u8,
    #[command(flatten)]
    passes: super::PassArgs,
    /// The function --specialize binds parameters of.
    #[arg(long = "fn", value_name = "NAME")]
    func: Option<String>,
    #[command(flatten)]
    specialize: super::specialize::SpecializeArgs,
}

pub fn build(a: BuildArgs, color: bool) -> i32 {
    let Some(mut module) = load_or_report(&a.file, color) else { return EXIT_INPUT };
    if let Err(e) = super::specialize::apply_for(&a.specialize, a.func.as_deref(), &mut module) {
        eprintln!("error: {e}");
        return EXIT_INPUT;
    }
    let Some(module) = a.passes.apply(module, false, true) else { return EXIT_INPUT };
    match produce(&module, &a) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_INPUT
        }
    }
}

#[cfg(feature = "llvm")]
fn produce(module: &strata_ir::Module, a: &BuildArgs) -> Result<(), String> {
    use strata_llvm::{emit, EmitKind, LlvmOptions};
    let opts = LlvmOptions { opt_level: a.opt_level, target_cpu: a.target_cpu.clone(), ..Default::default() };
    let target = a.target.as_deref();
    let write = |path: &std::path::Path, bytes: &[u8]| {
        std::fs::write(path, bytes).map_err(|e| format!("cannot write `{}`: {e}", path.display()))
    };
    let kind = match a.emit {
        BuildEmit::Asm => EmitKind::Assembly,
        BuildEmit::LlvmIr => EmitKind::LlvmIr,
        _ => EmitKind::Object,
    };
    let bytes = emit(module, &opts, kind, target).map_err(|e| e.to_string())?;
    match a.emit {
        BuildEmit::Obj | BuildEmit::Asm | BuildEmit::LlvmIr => write(&a.output, &bytes),
        BuildEmit::Staticlib | BuildEmit::Cdylib => {
            let dir = std::env::temp_dir().join(format!("strata-build-{}", std::process::id()));
            std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
            let obj = dir.join("kernels.o");
            write(&obj, &bytes)?;
            let _ = std::fs::remove_file(&a.output);
            let mut cmd = if a.emit == BuildEmit::Staticlib {
                let mut c = std::process::Command::new("ar");
                c.arg("crs").arg(&a.output).arg(&obj);
                c
            } else {
                let mut c = std::process::Command::new(std::env::var("CC").unwrap_or_else(|_| "cc".into()));
                c.arg("-shared").arg("-o").arg(&a.output).arg(&obj).arg("-lm");
                c
            };
            let status = cmd.status().map_err(|e| format!("cannot run `{cmd:?}`: {e}"));
            let _ = std::fs::remove_dir_all(&dir);
            match status? {
                s if s.success() => Ok(()),
                s => Err(format!("`{cmd:?}` failed ({s})")),
            }
        }
    }
}

#[cfg(not(feature = "llvm"))]
fn produce(_: &strata_ir::Module, _: &BuildArgs) -> Result<(), String> {
    Err("this build has no LLVM backend (cargo feature `llvm`), which `strata build` needs".into())
}
