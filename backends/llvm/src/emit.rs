//! The AOT driver and the dumps: object code, assembly or `.ll` text for the host or any
//! triple LLVM was built with, with exported functions under their IR names (and their
//! array-call trampolines under `strata_ir::abi::array_call_symbol`). Transcendental
//! opcodes call the C library by name here (`expf`, …), to be resolved by the linker.

use crate::error::{CompileError, Result};
use crate::lower::MathCalls;
use crate::options::{EmitKind, LlvmOptions};
use crate::pipeline::{lower, optimize, Built};
use crate::target::TargetSpec;
use inkwell::context::Context;
use inkwell::targets::FileType;

/// Compiles `module` to `kind` for `target_triple` (`None` = the host).
pub fn emit(
    module: &strata_ir::Module,
    opts: &LlvmOptions,
    kind: EmitKind,
    target_triple: Option<&str>,
) -> Result<Vec<u8>> {
    let spec = TargetSpec::new(opts, target_triple);
    let ctx = Context::create();
    let names = matches!(kind, EmitKind::LlvmIr | EmitKind::LlvmIrUnoptimized);
    let built = lower(&ctx, module, opts, &spec, MathCalls::Libm, names)?;
    if kind == EmitKind::LlvmIrUnoptimized {
        return Ok(built.module.print_to_string().to_bytes().to_vec());
    }
    optimize(&built, opts.opt_level)?;
    match kind {
        EmitKind::LlvmIr => Ok(built.module.print_to_string().to_bytes().to_vec()),
        EmitKind::Assembly => machine_code(&built, FileType::Assembly),
        _ => machine_code(&built, FileType::Object),
    }
}

/// Object code or assembly text of an optimized module.
pub(crate) fn machine_code(built: &Built<'_>, file_type: FileType) -> Result<Vec<u8>> {
    let buf = built
        .machine
        .write_to_memory_buffer(&built.module, file_type)
        .map_err(|e| CompileError::Codegen(e.to_string()))?;
    Ok(buf.as_slice().to_vec())
}

/// The LLVM IR of `module` for the host (or `opts.target_cpu`), before and after LLVM's
/// pipeline, as `strata dump --emit llvm` shows it. Values are named after IR values
/// (`%v12`); math calls name the C library functions (the JIT calls the same functions by
/// address).
pub fn dump(module: &strata_ir::Module, opts: &LlvmOptions) -> Result<(String, String)> {
    let spec = TargetSpec::new(opts, None);
    let ctx = Context::create();
    let built = lower(&ctx, module, opts, &spec, MathCalls::Libm, true)?;
    let before = built.module.print_to_string().to_string();
    optimize(&built, opts.opt_level)?;
    Ok((before, built.module.print_to_string().to_string()))
}
