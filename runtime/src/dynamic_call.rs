//! A module compiled on one tier, called with dynamically typed arguments.
//!
//! For the JIT tiers the arguments are packed into the array-call slots of
//! `strata_ir::abi` and the trampoline is called with a fresh `VmContext` pointing at the
//! module's [`HostTable`]; a trap code left in the context becomes a
//! [`strata_ir::interp::Trap`]. The interpreter gets the same host functions by name. Slices must come from the caller
//! as byte buffers whose length is a multiple of the element size (checked here, since the
//! compiled code trusts the lengths it is given).

use crate::host::{slot_to_val, val_to_slot, HostTable};
use crate::tier::Tier;
use crate::Options;
use smallvec::SmallVec;
use strata_ir::interp::{Arg, InterpError, Interpreter, Trap, Val};
use strata_ir::{Module, ParamKind, Signature, TrapCode, VmContext};

/// Why a module could not be compiled on a tier.
#[derive(Debug, thiserror::Error)]
pub enum CompileError {
    #[error("tier `{0}` is not included in this build (enable the cargo feature)")]
    Unavailable(Tier),
    #[error("{0}")]
    Interp(#[from] InterpError),
    #[error("{0}")]
    Passes(#[from] strata_ir::passes::PassError),
    #[error("BPF: {0}")]
    Bpf(String),
    #[error("tier 1 (Cranelift): {0}")]
    #[cfg(feature = "cranelift")]
    Cranelift(#[from] strata_cranelift::CompileError),
    #[error("tier 2 (LLVM): {0}")]
    #[cfg(feature = "llvm")]
    Llvm(#[from] strata_llvm::CompileError),
}

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error("{0}")]
    Trap(Trap),
    #[error("no exported function `{0}`")]
    NoSuchFunction(String),
    #[error("{0}")]
    BadArguments(String),
    #[error("{0}")]
    Interp(InterpError),
}

impl From<InterpError> for CallError {
    fn from(e: InterpError) -> Self {
        match e {
            InterpError::Trap(t) => CallError::Trap(t),
            e => CallError::Interp(e),
        }
    }
}

// One value per compiled module, built once and never moved in a hot path: size is moot.
#[allow(clippy::large_enum_variant)]
enum Code {
    Interp(Interpreter),
    /// A BPF program on the dedicated BPF interpreter (`bpf_tier.rs`).
    Bpf(crate::bpf_tier::BpfCode),
    #[cfg(feature = "cranelift")]
    Cranelift(strata_cranelift::CompiledModule),
    #[cfg(feature = "llvm")]
    Llvm(strata_llvm::CompiledModule),
}

/// A module compiled for one tier.
pub struct CompiledModule {
    tier: Tier,
    code: Code,
    module: Module,
    fuel: Option<u64>,
    /// The JIT tiers' host functions (boxed: contexts point into it).
    hosts: Box<HostTable>,
}

/// `module` after the Strata passes of `opts.pipeline` (borrowed when there are none), for
/// `tier`: on tier 2 the presets `-O2`/`-O3` leave vectorizing and unrolling to LLVM
/// (`strata_ir::passes::for_self_vectorizing_backend`). With fuel, passes that remove
/// back-edges are skipped so fuel runs out at the same point.
pub(crate) fn apply_pipeline<'m>(
    module: &'m Module,
    tier: Tier,
    opts: &Options,
) -> Result<std::borrow::Cow<'m, Module>, CompileError> {
    Ok(match &opts.pipeline {
        Some(p) => {
            let p = if tier == Tier::Optimized { strata_ir::passes::for_self_vectorizing_backend(p) } else { p };
            let mut m = module.clone();
            let po = strata_ir::passes::PassOptions { keep_fuel: opts.fuel.is_some(), ..Default::default() };
            strata_ir::passes::run_pipeline(&mut m, p, &po)?;
            std::borrow::Cow::Owned(m)
        }
        None => std::borrow::Cow::Borrowed(module),
    })
}

/// The LLVM options of tier 2 under `opts`.
#[cfg(feature = "llvm")]
pub(crate) fn llvm_options(opts: &Options) -> strata_llvm::LlvmOptions {
    strata_llvm::LlvmOptions {
        opt_level: opts.llvm_opt_level,
        fuel: opts.fuel.is_some(),
        parallel: opts.llvm_parallel,
        ..Default::default()
    }
}

/// Wraps tier-2 code compiled (or loaded) from `module` (after its pipeline).
#[cfg(feature = "llvm")]
pub(crate) fn from_llvm(module: &Module, code: strata_llvm::CompiledModule, opts: &Options) -> CompiledModule {
    let hosts = Box::new(HostTable::new(module, &opts.hosts));
    CompiledModule { tier: Tier::Optimized, code: Code::Llvm(code), module: module.clone(), fuel: opts.fuel, hosts }
}

/// Compiles `module` for `tier`; [`Tier::Adaptive`] compiles tier 1 here (the adaptive
/// policy lives in the `Engine`).
pub(crate) fn compile(module: &Module, tier: Tier, opts: &Options) -> Result<CompiledModule, CompileError> {
    let tier = if tier == Tier::Adaptive { Tier::Baseline } else { tier };
    let module = apply_pipeline(module, tier, opts)?;
    let module = module.as_ref();
    let code = match tier {
        Tier::Interpreter => {
            let mut i = Interpreter::new(module)?;
            if let Some(f) = opts.fuel {
                i = i.with_fuel(f);
            }
            for ext in module.externs.values() {
                if let Some(f) = opts.hosts.guarded(&ext.name) {
                    i = i.with_host_fn(&ext.name, f);
                }
            }
            Code::Interp(i)
        }
        #[cfg(feature = "cranelift")]
        Tier::Baseline => {
            let o = strata_cranelift::CraneliftOptions { fuel: opts.fuel.is_some(), ..Default::default() };
            Code::Cranelift(strata_cranelift::compile(module, &o)?)
        }
        #[cfg(feature = "llvm")]
        Tier::Optimized => Code::Llvm(strata_llvm::compile(module, &llvm_options(opts))?),
        #[allow(unreachable_patterns)]
        t => return Err(CompileError::Unavailable(t)),
    };
    let hosts = Box::new(HostTable::new(module, &opts.hosts));
    Ok(CompiledModule { tier, code, module: module.clone(), fuel: opts.fuel, hosts })
}

impl CompiledModule {
    /// `module` (a lifted BPF program) on the BPF interpreter.
    pub(crate) fn from_bpf(module: Module, code: crate::bpf_tier::BpfCode, opts: &Options) -> CompiledModule {
        let hosts = Box::new(HostTable::new(&module, &opts.hosts));
        CompiledModule { tier: Tier::Interpreter, code: Code::Bpf(code), module, fuel: opts.fuel, hosts }
    }

    /// Whether this runs on the dedicated BPF interpreter (for tests).
    #[cfg(test)]
    pub(crate) fn on_bpf_interpreter(&self) -> bool {
        matches!(self.code, Code::Bpf(_))
    }

    /// The tier this module runs on.
    pub fn tier(&self) -> Tier {
        self.tier
    }

    /// The IR module this was compiled from.
    pub fn module(&self) -> &Module {
        &self.module
    }

    /// The direct native entry point of exported function `name` (`None` on the
    /// interpreter tier or for an unknown name). Valid while `self` lives.
    pub(crate) fn native_entry(&self, name: &str) -> Option<*const u8> {
        match &self.code {
            Code::Interp(_) | Code::Bpf(_) => None,
            #[cfg(feature = "cranelift")]
            Code::Cranelift(c) => c.function(name).map(|f| f.entry),
            #[cfg(feature = "llvm")]
            Code::Llvm(c) => c.function(name).map(|f| f.entry),
        }
    }

    /// The host functions JIT code of this module calls (see [`HostTable::install`]).
    pub(crate) fn host_table(&self) -> &HostTable {
        &self.hosts
    }

    /// Calls exported function `name`.
    pub fn call(&self, name: &str, args: &mut [Arg<'_>]) -> Result<Option<Val>, CallError> {
        match &self.code {
            Code::Interp(i) => Ok(i.call(name, args)?),
            Code::Bpf(b) => b.call(name, args, self.fuel),
            #[cfg(feature = "cranelift")]
            Code::Cranelift(c) => {
                let f = c.function(name).ok_or_else(|| CallError::NoSuchFunction(name.to_string()))?;
                self.call_array(name, f.array_call, args)
            }
            #[cfg(feature = "llvm")]
            Code::Llvm(c) => {
                let f = c.get(name).ok_or_else(|| CallError::NoSuchFunction(name.to_string()))?;
                self.call_array(name, f.array_call, args)
            }
        }
    }

    #[allow(dead_code)] // unused when no JIT backend is built
    fn call_array(
        &self,
        name: &str,
        entry: strata_ir::ArrayCallFn,
        args: &mut [Arg<'_>],
    ) -> Result<Option<Val>, CallError> {
        let id = self.module.func_by_name(name).ok_or_else(|| CallError::NoSuchFunction(name.to_string()))?;
        let func = &self.module.functions[id];
        if func.linkage != strata_ir::Linkage::Export {
            return Err(CallError::NoSuchFunction(name.to_string()));
        }
        let slots = pack_args(name, &func.sig, args)?;
        let mut ret: u64 = 0;
        let mut ctx = VmContext::default();
        self.hosts.install(&mut ctx);
        // Deep recursion with big frames must trap before it overflows this thread's stack.
        ctx.limit_stack_from_here(strata_ir::abi::DEFAULT_STACK_BUDGET);
        if let Some(f) = self.fuel {
            ctx.fuel = i64::try_from(f).unwrap_or(i64::MAX);
        }
        // SAFETY: `entry` is the trampoline of `name`, compiled from verified IR with this
        // signature; `slots` holds exactly one slot per ABI parameter, slices point to live
        // buffers of the stated element counts (checked by `pack_args`), mutable ones
        // uniquely borrowed for the duration of the call; `ret` and `ctx` outlive the call,
        // and `ctx` points at `self.hosts`, which does too.
        unsafe { entry(slots.as_ptr(), &mut ret, &mut ctx) };
        if ctx.trap_code != 0 {
            let code = TrapCode::from_u32(ctx.trap_code).unwrap_or(TrapCode::Unreachable);
            return Err(CallError::Trap(Trap { code, function: name.to_string() }));
        }
        Ok(func.sig.ret.map(|t| slot_to_val(t, ret)))
    }
}

/// Packs arguments into array-call slots, checking them against the signature.
/// Up to 16 slots (8 slices) live on the stack: no allocation per call.
fn pack_args(name: &str, sig: &Signature, args: &mut [Arg<'_>]) -> Result<SmallVec<[u64; 16]>, CallError> {
    let bad = |m: String| CallError::BadArguments(format!("function `{name}`: {m}"));
    if args.len() != sig.params.len() {
        return Err(bad(format!("expected {} arguments, got {}", sig.params.len(), args.len())));
    }
    let mut slots = SmallVec::new();
    for (p, a) in sig.params.iter().zip(args.iter_mut()) {
        match (p.kind, a) {
            (ParamKind::Scalar(ty), Arg::Val(v)) => {
                if v.ty() != ty {
                    return Err(bad(format!("parameter `{}` is {ty}, got {}", p.name, v.ty())));
                }
                slots.push(val_to_slot(*v));
            }
            (ParamKind::Slice { elem, mutable }, a) => {
                let size = elem.bytes().unwrap_or(1).max(1) as usize;
                let (ptr, len) = match a {
                    Arg::SliceMut(b) => (b.as_mut_ptr() as u64, b.len()),
                    Arg::Slice(b) if !mutable => (b.as_ptr() as u64, b.len()),
                    Arg::Slice(_) => {
                        return Err(bad(format!("parameter `{}` is `mut [{elem}]`: pass it mutably", p.name)))
                    }
                    Arg::Val(_) => return Err(bad(format!("parameter `{}` is a slice, got a scalar", p.name))),
                };
                if len % size != 0 {
                    return Err(bad(format!("slice `{}` has {len} bytes, not a multiple of {size}", p.name)));
                }
                slots.push(ptr);
                slots.push((len / size) as u64);
            }
            (ParamKind::Scalar(_), _) => return Err(bad(format!("parameter `{}` is a scalar, got a slice", p.name))),
        }
    }
    Ok(slots)
}
