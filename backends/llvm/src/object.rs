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
//!
//! A module with several exported functions is compiled in parts, as [`crate::compile`]
//! does ([`LlvmOptions::parallel`]): then the bytes are a bundle of one object per part
//! (`bundle.rs`), which [`load_object`] links part by part.

use crate::error::{CompileError, Result};
use crate::jit::CompiledModule;
use crate::lower::{Export, MathCalls};
use crate::options::LlvmOptions;
use crate::orc::JitCode;
use crate::pipeline::{check_options, lower, machine_code, optimize, Lowering};
use crate::target::TargetSpec;
use inkwell::context::Context;
use inkwell::targets::FileType;
use std::time::Instant;

/// Compiles `module` for the host (or `opts.target_cpu`) to a relocatable object that
/// [`load_object`] links into this or another process. `namespace` (ASCII letters, digits
/// and `_`, at most 64 of them) keeps its symbols apart from other objects': give equal
/// namespaces only to equal code, e.g. a hash of the cache key, and let it tell apart
/// compiles with and without [`LlvmOptions::parallel`].
///
/// With [`LlvmOptions::parallel`] and more than one exported function, the exports are
/// compiled in parallel, each with its callees, and the bytes are a bundle of those objects
/// (an opaque format only [`load_object`] reads); otherwise they are one object file.
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
    symbol_prefix(namespace)?;
    let Some(roots) = crate::parts::split_roots(module, opts) else {
        return object_of(module, opts, namespace);
    };
    // One object per part, all under the same symbol prefix: each exported symbol is
    // defined in exactly one part, and callees are local to the parts that copy them.
    let namespace = namespace.to_string();
    let job = move |part: &strata_ir::Module, opts: &LlvmOptions| object_of(part, opts, &namespace);
    let (objects, _) = crate::parts::compile_parts(module, &roots, opts, job)?;
    Ok(crate::bundle::join(objects))
}

/// One relocatable object for all of `module`, on this thread.
fn object_of(module: &strata_ir::Module, opts: &LlvmOptions, namespace: &str) -> Result<Vec<u8>> {
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
    let export = |f: &strata_ir::Function| Export::of(f, &prefix);
    let objects = crate::bundle::split(object)?;
    let mut compiled = CompiledModule::default();
    if let [object] = objects[..] {
        let exports =
            module.functions.values().filter(|f| f.linkage == strata_ir::Linkage::Export).map(export).collect();
        compiled.add_code(JitCode::load_shared(object, namespace)?, exports)?;
    } else {
        // A bundle holds one object per part, in the order of `partition::roots`, and each
        // part defines the one export it was made for.
        let roots = strata_ir::partition::roots(module);
        if roots.len() != objects.len() {
            return Err(CompileError::Jit(format!(
                "the object bundle holds {} parts, but the module has {} exported functions",
                objects.len(),
                roots.len()
            )));
        }
        for (i, (object, root)) in objects.into_iter().zip(roots).enumerate() {
            // The parts share a symbol prefix, so each is registered (and shared between
            // loads of the same bundle) under a key of its own.
            let code = JitCode::load_shared(object, &format!("{namespace}#{i}"))?;
            compiled.add_code(code, vec![export(&module.functions[root])])?;
        }
    }
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
