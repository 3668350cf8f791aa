//! The driver: declares every function, trampoline, math function and data object of a
//! module in a fresh `JITModule`, lowers and defines each function, finalizes, and collects
//! the entry points — or, for `clif_text`, prints the CLIF instead of compiling it.
//!
//! Nothing here is global: every call builds its own ISA, JIT module and contexts, so
//! several threads may compile at once.

use crate::compiled::{CompiledFunc, CompiledModule, OwnedJit};
use crate::lower::{lower_function, Env};
use crate::repr::{lane_cl, Layouts};
use crate::symbols::{self, RESERVED_PREFIX};
use crate::trampoline::build_trampoline;
use crate::{isa, CompileError, CraneliftOptions, OptLevel};
use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir::{AbiParam, Signature as ClSignature, UserFuncName};
use cranelift_codegen::isa::{OwnedTargetIsa, TargetIsa};
use cranelift_codegen::{CodegenError, Context};
use cranelift_frontend::FunctionBuilderContext;
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{DataDescription, Linkage, Module as _, ModuleError, ModuleReloc};
use std::collections::{HashMap, HashSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use strata_ir::abi::{array_call_symbol, math_fns};
use strata_ir::{ArrayCallFn, Linkage as IrLinkage, Module, Opcode};

type Result<T> = std::result::Result<T, CompileError>;

/// Compiles every function of `module` for the host CPU.
///
/// Returns an error (never panics) when the module uses something tier 1 cannot compile;
/// a panic inside Cranelift is caught and reported as [`CompileError::Module`].
pub fn compile(module: &Module, opts: &CraneliftOptions) -> Result<CompiledModule> {
    guarded(|| compile_inner(module, opts))
}

/// The CLIF of every function of `module` (and of the array-call trampolines), as lowered
/// before Cranelift's own optimizations (what `strata dump --emit clif` shows).
pub fn clif_text(module: &Module, opts: &CraneliftOptions) -> Result<String> {
    guarded(|| clif_inner(module, opts))
}

fn guarded<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        let msg = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(CompileError::Module(format!("internal error: Cranelift panicked: {msg}")))
    })
}

/// A JIT module with everything of the IR module declared.
struct Declared<'m> {
    jit: OwnedJit,
    env: Env<'m>,
    /// Trampoline id of each exported function, by function index.
    trampolines: Vec<Option<cranelift_module::FuncId>>,
}

fn new_jit(isa: OwnedTargetIsa) -> JITModule {
    let mut builder = JITBuilder::with_isa(isa, symbols::libcall_names());
    symbols::register(&mut builder);
    JITModule::new(builder)
}

fn declare<'m>(module: &'m Module, opts: &CraneliftOptions) -> Result<Declared<'m>> {
    let isa = isa::host_isa(opts)?;
    let call_conv = isa.default_call_conv();
    let frontend = isa.frontend_config();
    let mut owned = OwnedJit::new(new_jit(isa));
    let jit = owned.get().ok_or_else(|| CompileError::Module("JIT module missing".into()))?;
    let layouts = Layouts::for_module(module);
    let merr = |what: &str, e: ModuleError| CompileError::Module(format!("{what}: {e}"));

    let mut names = HashSet::new();
    let mut funcs = Vec::with_capacity(module.functions.len());
    let mut trampolines = Vec::with_capacity(module.functions.len());
    for f in module.functions.values() {
        if f.name.contains(RESERVED_PREFIX) {
            return Err(CompileError::Unsupported {
                func: f.name.clone(),
                what: format!("a name containing `{RESERVED_PREFIX}` (reserved for generated symbols)"),
            });
        }
        if !names.insert(f.name.as_str()) {
            return Err(CompileError::InvalidIr {
                func: f.name.clone(),
                message: "two functions have this name".into(),
            });
        }
        let sig = crate::abi::function_signature(&layouts, &f.sig, call_conv);
        let id = jit.declare_function(&f.name, Linkage::Local, &sig).map_err(|e| merr(&f.name, e))?;
        funcs.push((id, sig));
        trampolines.push(match f.linkage {
            IrLinkage::Export => {
                let name = array_call_symbol(&f.name);
                let sig = crate::abi::array_call_signature(call_conv);
                Some(jit.declare_function(&name, Linkage::Local, &sig).map_err(|e| merr(&name, e))?)
            }
            IrLinkage::Local => None,
        });
    }

    // Only the math functions the module uses are declared.
    let used = used_math(module);
    let mut math = Vec::new();
    for m in math_fns().iter().filter(|m| used.contains(&(m.opcode, m.ty))) {
        let mut sig = ClSignature::new(call_conv);
        let t = lane_cl(m.ty.lane());
        let arity = if m.opcode == Opcode::Fpow { 2 } else { 1 };
        sig.params.extend(std::iter::repeat_n(AbiParam::new(t), arity));
        sig.returns.push(AbiParam::new(t));
        let name = symbols::math_symbol(m);
        let id = jit.declare_function(&name, Linkage::Import, &sig).map_err(|e| merr(&name, e))?;
        math.push((m.opcode, m.ty, id, sig));
    }

    let mut data = Vec::with_capacity(module.data.len());
    for d in module.data.values() {
        let id = jit.declare_anonymous_data(false, false).map_err(|e| merr(&d.name, e))?;
        data.push(id);
    }

    let env = Env { module, layouts, opts: *opts, call_conv, frontend, funcs, data, math };
    Ok(Declared { jit: owned, env, trampolines })
}

/// The (opcode, type) pairs of the transcendental operations in `module`.
fn used_math(module: &Module) -> HashSet<(Opcode, strata_ir::Type)> {
    let mut used = HashSet::new();
    for f in module.functions.values() {
        for block in f.layout.blocks() {
            for inst in f.layout.block_insts(block) {
                let Some(data) = f.dfg.insts.get(inst) else { continue };
                let op = data.opcode();
                if matches!(op, Opcode::Fexp | Opcode::Flog | Opcode::Fsin | Opcode::Fcos | Opcode::Fpow) {
                    if let Some(ty) = data.args().first().and_then(|&v| f.dfg.values.get(v)) {
                        used.insert((op, ty.ty.lane_type()));
                    }
                }
            }
        }
    }
    used
}

/// Compiles `ctx.func` (named `name`) for `isa` — the module's host CPU with other flags —
/// and defines the bytes as function `id` of `m`.
fn define_with(
    m: &mut JITModule,
    isa: &dyn TargetIsa,
    id: cranelift_module::FuncId,
    name: &str,
    ctx: &mut Context,
) -> Result<()> {
    if let Err(e) = ctx.compile(isa, &mut ControlPlane::default()) {
        let inner = e.inner;
        return Err(define_error(name, ModuleError::Compilation(inner), ctx));
    }
    let Some(code) = ctx.compiled_code() else {
        return Err(CompileError::Codegen { func: name.to_string(), message: "no code was produced".into() });
    };
    let relocs: Vec<ModuleReloc> =
        code.buffer.relocs().iter().map(|r| ModuleReloc::from_mach_reloc(r, &ctx.func, id)).collect();
    m.define_function_bytes(id, u64::from(code.buffer.alignment), code.code_buffer(), &relocs)
        .map_err(|e| CompileError::Module(format!("{name}: {e}")))
}

/// Maps a failed `define_function` to an error naming the function.
fn define_error(func: &str, e: ModuleError, ctx: &Context) -> CompileError {
    let message = match e {
        ModuleError::Compilation(CodegenError::Verifier(errors)) => {
            cranelift_codegen::print_errors::pretty_verifier_error(&ctx.func, None, errors)
        }
        ModuleError::Compilation(err) => err.to_string(),
        other => return CompileError::Module(format!("{func}: {other}")),
    };
    CompileError::Codegen { func: func.to_string(), message }
}

fn compile_inner(module: &Module, opts: &CraneliftOptions) -> Result<CompiledModule> {
    let Declared { mut jit, env, trampolines } = declare(module, opts)?;
    let m = jit.get().ok_or_else(|| CompileError::Module("JIT module missing".into()))?;
    for (d, &id) in module.data.values().zip(&env.data) {
        let mut desc = DataDescription::new();
        desc.define(d.bytes.clone().into_boxed_slice());
        desc.set_align(16);
        m.define_data(id, &desc).map_err(|e| CompileError::Module(format!("data `{}`: {e}", d.name)))?;
    }
    // Trampolines are a few loads, a call and a store: Cranelift's optimizer and backtracking
    // register allocator would only add compile time, so at `Speed` they are compiled for
    // the `None` configuration of the same host ISA.
    let fast_isa = match opts.opt_level {
        OptLevel::Speed if trampolines.iter().any(Option::is_some) => {
            Some(isa::host_isa(&CraneliftOptions { opt_level: OptLevel::None, ..*opts })?)
        }
        _ => None,
    };
    let mut ctx = m.make_context();
    let mut fctx = FunctionBuilderContext::new();
    for (i, f) in module.functions.values().enumerate() {
        ctx.func.name = UserFuncName::testcase(&f.name);
        lower_function(&env, i, f, &mut ctx.func, &mut fctx)?;
        m.define_function(env.funcs[i].0, &mut ctx).map_err(|e| define_error(&f.name, e, &ctx))?;
        m.clear_context(&mut ctx);
        if let Some(tid) = trampolines[i] {
            let name = array_call_symbol(&f.name);
            ctx.func.name = UserFuncName::testcase(&name);
            build_trampoline(&env, i, f, &mut ctx.func, &mut fctx)?;
            match &fast_isa {
                Some(isa) => define_with(m, &**isa, tid, &name, &mut ctx)?,
                None => m.define_function(tid, &mut ctx).map_err(|e| define_error(&name, e, &ctx))?,
            }
            m.clear_context(&mut ctx);
        }
    }
    m.finalize_definitions().map_err(|e| CompileError::Module(e.to_string()))?;

    let mut exported = HashMap::new();
    for (i, f) in module.functions.values().enumerate() {
        let Some(tid) = trampolines[i] else { continue };
        let entry = m.get_finalized_function(env.funcs[i].0);
        let tramp = m.get_finalized_function(tid);
        // SAFETY: `tramp` is the finalized code of a function built by `build_trampoline`
        // with exactly the `ArrayCallFn` signature in the ISA's default (C) convention.
        let array_call = unsafe { std::mem::transmute::<*const u8, ArrayCallFn>(tramp) };
        exported.insert(f.name.clone(), CompiledFunc { entry, array_call, sig: f.sig.clone() });
    }
    Ok(CompiledModule::new(jit, exported))
}

fn clif_inner(module: &Module, opts: &CraneliftOptions) -> Result<String> {
    use std::fmt::Write;
    let Declared { jit: _jit, env, trampolines } = declare(module, opts)?;
    let mut ctx = Context::new();
    let mut fctx = FunctionBuilderContext::new();
    let mut out = String::new();
    for (i, f) in module.functions.values().enumerate() {
        ctx.func.name = UserFuncName::testcase(&f.name);
        lower_function(&env, i, f, &mut ctx.func, &mut fctx)?;
        let _ = writeln!(out, "{}", ctx.func.display());
        ctx.clear();
        if trampolines[i].is_some() {
            ctx.func.name = UserFuncName::testcase(array_call_symbol(&f.name));
            build_trampoline(&env, i, f, &mut ctx.func, &mut fctx)?;
            let _ = writeln!(out, "{}", ctx.func.display());
            ctx.clear();
        }
    }
    Ok(out)
}
