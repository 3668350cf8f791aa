//! The AOT driver and the dumps: object code, assembly or `.ll` text for the host or any
//! triple LLVM was built with, with exported functions under their IR names (and their
//! array-call trampolines under `strata_ir::abi::array_call_symbol`). Transcendental
//! opcodes call the C library by name here (`expf`, …), to be resolved by the linker.

use crate::error::Result;
use crate::lower::MathCalls;
use crate::options::{EmitKind, LlvmOptions};
use crate::pipeline::{check_options, lower, machine_code, optimize, Lowering};
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
    check_options(opts)?;
    let spec = TargetSpec::new(opts, target_triple);
    let names = matches!(kind, EmitKind::LlvmIr | EmitKind::LlvmIrUnoptimized);
    let how = Lowering { spec: &spec, math: MathCalls::Libm, names, symbol_prefix: "" };
    spec.with_machine(opts.opt_level, |tm| {
        let ctx = Context::create();
        let built = lower(&ctx, module, opts, tm, &how)?;
        if kind == EmitKind::LlvmIrUnoptimized {
            return Ok(built.module.print_to_string().to_bytes().to_vec());
        }
        optimize(&built, tm, opts.opt_level)?;
        match kind {
            EmitKind::LlvmIr => Ok(built.module.print_to_string().to_bytes().to_vec()),
            EmitKind::Assembly => machine_code(&built, tm, FileType::Assembly),
            _ => machine_code(&built, tm, FileType::Object),
        }
    })
}

/// The LLVM IR of `module` for the host (or `opts.target_cpu`), before and after LLVM's
/// pipeline, as `strata dump --emit llvm` shows it. Values are named after IR values
/// (`%v12`); math calls name the C library functions (the JIT calls the same functions by
/// address).
pub fn dump(module: &strata_ir::Module, opts: &LlvmOptions) -> Result<(String, String)> {
    check_options(opts)?;
    let spec = TargetSpec::new(opts, None);
    let how = Lowering { spec: &spec, math: MathCalls::Libm, names: true, symbol_prefix: "" };
    spec.with_machine(opts.opt_level, |tm| {
        let ctx = Context::create();
        let built = lower(&ctx, module, opts, tm, &how)?;
        let before = built.module.print_to_string().to_string();
        optimize(&built, tm, opts.opt_level)?;
        Ok((before, built.module.print_to_string().to_string()))
    })
}
