//! [`TypedFunc`]: a kernel with its Rust signature checked, called with Rust values and
//! no per-call allocation on compiled tiers (the context lives on the stack, the
//! arguments go straight into registers). The interpreter tier goes through the
//! interpreter (which allocates its frames). This file only dispatches; the kernel state
//! is in `kernel.rs`, the argument traits in `typed.rs`.

use crate::kernel::Kernel;
use crate::tier::Tier;
use crate::trap::Trap;
use crate::typed::{KernelParams, KernelResult};
use std::marker::PhantomData;
use std::sync::Arc;
use strata_ir::abi::DEFAULT_STACK_BUDGET;
use strata_ir::VmContext;

/// An exported function with a checked signature (see `Module::get`). Cheap to clone,
/// `Send + Sync`: many threads may call it at once.
pub struct TypedFunc<P, R> {
    kernel: Arc<Kernel>,
    // Covariant in `P` so that a handle taken for `&'a [f32]` accepts shorter borrows.
    _sig: PhantomData<fn() -> (P, R)>,
}

impl<P, R> Clone for TypedFunc<P, R> {
    fn clone(&self) -> Self {
        TypedFunc { kernel: Arc::clone(&self.kernel), _sig: PhantomData }
    }
}

impl<P, R> std::fmt::Debug for TypedFunc<P, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TypedFunc").field("name", &self.kernel.name).field("tier", &self.kernel.tier()).finish()
    }
}

impl<P: KernelParams, R: KernelResult> TypedFunc<P, R> {
    pub(crate) fn new(kernel: Arc<Kernel>) -> Self {
        TypedFunc { kernel, _sig: PhantomData }
    }

    /// Calls the kernel. A trap (out-of-bounds index, division by zero, fuel exhausted,
    /// a host function's error) is an `Err`; the kernel may be called again afterwards.
    ///
    /// On tiers 1 and 2 this is one atomic load of the entry point, a context copied from
    /// the kernel into this frame, the direct call and a check of the trap code: no
    /// allocation, no reference counting, no lock. An adaptive kernel that is still
    /// deciding its tier goes through an out-of-line path that samples call times.
    #[inline]
    pub fn call(&self, args: P) -> Result<R, Trap> {
        let k = &*self.kernel;
        let entry = k.entry();
        if entry.is_null() {
            return self.call_interp(args);
        }
        if k.is_measuring() {
            return self.call_measured(args, entry);
        }
        let mut ctx = k.context();
        // SAFETY: `entry` is non-null and live code of this kernel (see `invoke`).
        let r = unsafe { Self::invoke(args, entry, &mut ctx) };
        k.check(&ctx)?;
        Ok(R::from_native(r))
    }

    /// The native call itself.
    ///
    /// # Safety
    /// `entry` must be a non-null entry point published by this handle's kernel.
    #[inline(always)]
    unsafe fn invoke(args: P, entry: *const u8, ctx: &mut VmContext) -> R::Native {
        // The context lives in the caller's frame: its address stands for the caller's
        // stack pointer, and compiled code may use `DEFAULT_STACK_BUDGET` bytes below it.
        ctx.stack_limit = (ctx as *const VmContext as u64).saturating_sub(DEFAULT_STACK_BUDGET);
        // SAFETY: `entry` is the live direct entry point of the kernel's function (the
        // kernel keeps every code it ever published alive), compiled from IR whose
        // signature matched `P` and `R` exactly when this handle was made
        // (`Module::get_on`); slices pass their own pointer and length, `&mut` ones
        // borrowed uniquely for the call; `ctx` outlives it.
        unsafe { args.invoke::<R::Native>(entry, ctx) }
    }

    /// A call of an adaptive kernel that is still measuring (timed on a sample of calls).
    #[inline(never)]
    fn call_measured(&self, args: P, entry: *const u8) -> Result<R, Trap> {
        let k = &*self.kernel;
        let mut ctx = k.context();
        let (probe, run) = k.probe_start(entry);
        // SAFETY: `run` is `entry` or, during probation, the kernel's starting code: both
        // non-null, live code of this kernel's function.
        let r = unsafe { Self::invoke(args, run, &mut ctx) };
        k.finish_measured(&ctx, probe)?;
        Ok(R::from_native(r))
    }

    #[cold]
    #[inline(never)]
    fn call_interp(&self, args: P) -> Result<R, Trap> {
        let k = &*self.kernel;
        let v = k.call_interp(|code, name| args.call_interp(code, name))?;
        // The signature was checked, so the interpreter returns a value of type `R`.
        R::from_val(v).ok_or_else(|| Trap {
            kind: strata_ir::TrapCode::Unreachable,
            function: k.name.clone(),
            tier: Tier::Interpreter,
        })
    }

    /// The tier the next call runs on (for an adaptive kernel, this changes once tier 2
    /// is installed).
    pub fn tier(&self) -> Tier {
        self.kernel.tier()
    }

    /// The function's name.
    pub fn name(&self) -> &str {
        &self.kernel.name
    }
}
