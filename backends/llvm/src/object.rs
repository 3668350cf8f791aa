//! Relocatable JIT objects: compile a module to an object file for this host that a later
//! process can link with [`load_object`] instead of running LLVM again (what a disk cache
//! of tier-2 code stores).
//!
//! Such an object differs from [`crate::compile`]'s in-memory one in two ways, both so that
//! its bytes mean the same thing in another process: math opcodes call the C library by
//! name (`expf`, …, resolved from the process when linked, the same functions the
//! interpreter's wrappers call) instead of by a run-time address, and its exported symbols
//! live under a namespace the caller chooses (`strata.obj.<namespace>.`) instead of a
//! per-process counter. This file does not decide where objects are stored or whether one
//! may be trusted: the caller must only pass back bytes that [`compile_object`] produced
//! for the same module, options and host CPU (a cache checks that with its key and a
//! checksum).

use crate::error::{CompileError, Result};
use crate::jit::{link, CompiledModule};
use crate::lower::{Export, MathCalls};
use crate::options::LlvmOptions;
use crate::orc::JitCode;
use crate::pipeline::{check_options, lower, machine_code, optimize, Lowering};
use crate::target::TargetSpec;
use inkwell::context::Context;
use inkwell::targets::FileType;
use std::time::Instant;
use strata_ir::abi::array_call_symbol;

/// Compiles `module` for the host (or `opts.target_cpu`) to a relocatable object that
/// [`load_object`] links into this or another process. `namespace` (ASCII letters, digits
/// and `_`, at most 64 of them) keeps its symbols apart from other objects': give equal
/// namespaces only to equal code, e.g. a hash of the cache key.
///
/// ```
/// let m = strata_ir::parse_module(
///     "export fn @twice(x: i32) -> i32 {\nblock0(v0: i32):\n    v1 = iadd.i32 v0, v0\n    return v1\n}\n",
/// )
/// .unwrap();
/// let opts = strata_llvm::LlvmOptions::default();
/// let object = strata_llvm::compile_object(&m, &opts, "doc_twice").unwrap();
/// let code = strata_llvm::load_object(&m, &object, "doc_twice").unwrap();
/// let f = code.function("twice").unwrap();
/// let mut ctx = strata_ir::VmContext::default();
/// // SAFETY: one i32 slot, no slices, no host functions.
/// assert_eq!(unsafe { f.call(&[21], &mut ctx) }, Ok(Some(42)));
/// ```
pub fn compile_object(module: &strata_ir::Module, opts: &LlvmOptions, namespace: &str) -> Result<Vec<u8>> {
    check_options(opts)?;
    let prefix = symbol_prefix(namespace)?;
    let spec = TargetSpec::new(opts, None);
    let how = Lowering { spec: &spec, math: MathCalls::Libm, names: false, symbol_prefix: &prefix };
    spec.with_machine(opts.opt_level, |tm| {
        let ctx = Context::create();
        let built = lower(&ctx, module, opts, tm, &how)?;
        optimize(&built, tm, opts.opt_level)?;
        machine_code(&built, tm, FileType::Object)
    })
}

/// Links an object made by [`compile_object`] for `module` under `namespace` and returns
/// the same [`CompiledModule`] [`crate::compile`] would. If code of that namespace is
/// already loaded in this process and alive, it is shared instead of linked again.
///
/// An object that is not a valid object for this host, or lacks an exported function of
/// `module`, is an error (never a crash); one that is valid but was compiled from other IR
/// is the caller's mistake and runs that other code — check what you load.
pub fn load_object(module: &strata_ir::Module, object: &[u8], namespace: &str) -> Result<CompiledModule> {
    let start = Instant::now();
    let prefix = symbol_prefix(namespace)?;
    let exports = module
        .functions
        .values()
        .filter(|f| f.linkage == strata_ir::Linkage::Export)
        .map(|f| Export {
            name: f.name.clone(),
            symbol: format!("{prefix}{}", f.name),
            trampoline: format!("{prefix}{}", array_call_symbol(&f.name)),
            sig: f.sig.clone(),
        })
        .collect();
    let code = JitCode::load_shared(object, namespace)?;
    let mut compiled = link(code, exports)?;
    compiled.timings.link = start.elapsed();
    compiled.timings.total = compiled.timings.link;
    Ok(compiled)
}

/// The symbol prefix of `namespace`, which must be a plain identifier.
fn symbol_prefix(namespace: &str) -> Result<String> {
    let ok = !namespace.is_empty()
        && namespace.len() <= 64
        && namespace.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !ok {
        return Err(CompileError::InvalidOption(format!(
            "object namespace `{namespace}` (expected 1 to 64 ASCII letters, digits or `_`)"
        )));
    }
    Ok(format!("strata.obj.{namespace}."))
}
