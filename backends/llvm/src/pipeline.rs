//! The pipeline every driver shares: verify the Strata module, lower it, verify the LLVM module (the
//! `.ll` text is captured before verification, so a broken module can still be read), and
//! run LLVM's new pass manager at `default<O0>` … `default<O3>` with the target machine of
//! the chosen CPU, so the cost models of the loop and SLP vectorizers see its vector ISA.

use crate::error::{CompileError, Result};
use crate::lower::{lower_module, ColdLoops, Export, LowerOptions, MathCalls};
use crate::options::LlvmOptions;
use crate::target::TargetSpec;
use inkwell::context::Context;
use inkwell::module::Module;
use inkwell::passes::PassBuilderOptions;
use inkwell::targets::{FileType, TargetMachine};
use std::borrow::Cow;
use std::time::{Duration, Instant};

/// A lowered (and maybe optimized) module.
pub(crate) struct Built<'ctx> {
    pub module: Module<'ctx>,
    pub exports: Vec<Export>,
    /// Time spent in the Strata and LLVM verifiers while building it.
    pub verify: Duration,
}

/// How [`lower`] should lower.
pub(crate) struct Lowering<'a> {
    pub spec: &'a TargetSpec,
    pub math: MathCalls,
    pub names: bool,
    pub symbol_prefix: &'a str,
}

/// Object code or assembly text of an optimized module.
pub(crate) fn machine_code(built: &Built<'_>, machine: &TargetMachine, file_type: FileType) -> Result<Vec<u8>> {
    let buf =
        machine.write_to_memory_buffer(&built.module, file_type).map_err(|e| CompileError::Codegen(e.to_string()))?;
    Ok(buf.as_slice().to_vec())
}

/// Checks the options every entry point takes.
pub(crate) fn check_options(opts: &LlvmOptions) -> Result<()> {
    if opts.opt_level > 3 {
        return Err(CompileError::InvalidOption(format!("opt_level {} (expected 0 to 3)", opts.opt_level)));
    }
    Ok(())
}

/// Verifies `ir`, lowers it in `ctx` for `machine`, and verifies the result.
pub(crate) fn lower<'ctx>(
    ctx: &'ctx Context,
    ir: &strata_ir::Module,
    opts: &LlvmOptions,
    machine: &TargetMachine,
    how: &Lowering<'_>,
) -> Result<Built<'ctx>> {
    check_options(opts)?;
    let t = Instant::now();
    strata_ir::verifier::verify_module(ir).map_err(CompileError::InvalidIr)?;
    let mut verify = t.elapsed();
    let (versioned, cold_loops) = version_checks(ir, opts);
    let ir = versioned.as_ref();
    let lo = LowerOptions {
        opts,
        spec: how.spec,
        math: how.math,
        names: how.names,
        symbol_prefix: how.symbol_prefix,
        cold_loops: &cold_loops,
    };
    let (module, exports) = lower_module(ctx, ir, &lo, machine)?;
    let t = Instant::now();
    if let Err(e) = module.verify() {
        let ll = module.print_to_string().to_string();
        return Err(CompileError::LlvmVerify { message: e.to_string(), ll });
    }
    verify += t.elapsed();
    Ok(Built { module, exports, verify })
}

/// `ir` with its counted loops versioned on their bounds checks (Strata's `version-checks`
/// pass), when optimizing and not counting fuel: a bounds check is a second loop exit, and
/// LLVM 19's loop vectorizer does not vectorize loops with more than one exit, so without
/// this every safe-indexing loop ran scalar (or through Strata's own 128-bit `vectorize`).
/// The copy without checks has the loop test as its only exit and keeps the trip count, so
/// LLVM picks the vector width and knows a constant trip count exactly. Also returns, per
/// function, the headers of the original loops, which now only run when a check may fail:
/// lowering asks LLVM not to vectorize or unroll them (compile time and code size).
fn version_checks<'m>(ir: &'m strata_ir::Module, opts: &LlvmOptions) -> (Cow<'m, strata_ir::Module>, ColdLoops) {
    let mut cold = ColdLoops::new();
    // `STRATA_NO_VERSION_CHECKS=1` turns it off, for A/B measurements only.
    let off = std::env::var_os("STRATA_NO_VERSION_CHECKS").is_some_and(|v| v != "0");
    if opts.opt_level < 2 || opts.fuel || off {
        return (Cow::Borrowed(ir), cold);
    }
    let mut m = ir.clone();
    for (id, f) in m.functions.iter_mut() {
        let mut headers = strata_ir::passes::version_checks::run_function(f);
        headers.extend(strata_ir::passes::version_ranges::run_function(f));
        if !headers.is_empty() {
            cold.insert(id, headers);
        }
    }
    (Cow::Owned(m), cold)
}

/// Runs LLVM's `default<O{opt_level}>` pipeline on `built`.
///
/// `STRATA_LLVM_PASSES=<pipeline>` replaces it at levels 1–3 with any new-pass-manager
/// pipeline text, for A/B measurements only (an unknown pass is a clean compile error). A
/// trimmed function-level pipeline that still vectorizes what `default<O3>` vectorizes in the
/// example kernels (it needs the inliner, jump threading and loop unswitching to clear the
/// inlined depth checks out of `hash_all`'s loop) saved no measurable compile time (session 7,
/// docs/benchmarks.md notes); one without those passes optimized 1.6–3.6× faster but left
/// `hash_all` and `matmul` scalar.
pub(crate) fn optimize(built: &Built<'_>, machine: &TargetMachine, opt_level: u8) -> Result<()> {
    // Read once per process, not on every compile.
    static OVERRIDE: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    let custom = OVERRIDE.get_or_init(|| std::env::var("STRATA_LLVM_PASSES").ok().filter(|p| !p.is_empty()));
    let pipeline = match custom {
        Some(p) if opt_level > 0 => p.clone(),
        _ => format!("default<O{opt_level}>"),
    };
    let po = PassBuilderOptions::create();
    // As clang does: both vectorizers at O2 and above (the C API leaves SLP off).
    let vectorize = opt_level >= 2;
    po.set_loop_vectorization(vectorize);
    po.set_loop_slp_vectorization(vectorize);
    po.set_loop_interleaving(vectorize);
    po.set_loop_unrolling(opt_level >= 1);
    built
        .module
        .run_passes(&pipeline, machine, po)
        .map_err(|e| CompileError::Passes { pipeline, message: e.to_string() })
}
