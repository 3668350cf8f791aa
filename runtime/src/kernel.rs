//! A kernel: one exported function compiled on some tier, with its current native entry
//! point in an atomic so that an adaptive kernel can move to tier 2 while other threads
//! call it. Every piece of code a kernel ever ran is kept alive until the kernel is dropped
//! (a call may still be running old code after the swap). The tier-up policy (counting,
//! the background compile, the swap) lives here too; typed argument passing does not (see
//! `func.rs` and `typed.rs`).

use crate::dynamic_call::{CallError, CompiledModule};
use crate::engine::Engine;
use crate::error::Error;
use crate::module::ModuleIr;
use crate::tier::Tier;
use crate::trap::Trap;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, OnceLock, Weak};
use std::time::Instant;
use strata_ir::{TrapCode, VmContext};

/// Interpreter time counted as one unit of hotness (a loop iteration of a few
/// instructions takes about this long in the interpreter).
const INTERP_NS_PER_UNIT: u128 = 20;

pub(crate) struct Kernel {
    pub(crate) name: String,
    /// The direct entry point of the current code; null while running on the interpreter.
    entry: AtomicPtr<u8>,
    tier: AtomicU8,
    /// `VmContext::fuel` at the start of each native call.
    fuel_start: i64,
    /// The code the kernel started on (the interpreter path calls into it).
    first: Arc<CompiledModule>,
    /// Tier-2 code after an adaptive tier-up, kept alive with the kernel.
    upgraded: OnceLock<Arc<CompiledModule>>,
    adaptive: Option<Adaptive>,
}

/// Tier-up state of an adaptive kernel.
struct Adaptive {
    /// Calls plus loop back-edges run so far (approximate under contention: each call adds
    /// what it used, without ordering against other threads).
    used: AtomicU64,
    threshold: u64,
    /// Set once tier 2 was requested; it is requested at most once per kernel.
    requested: AtomicBool,
    /// Set once counting is pointless (tier 2 installed or failed).
    done: AtomicBool,
    engine: Engine,
    ir: Arc<ModuleIr>,
    me: Weak<Kernel>,
}

impl Kernel {
    pub(crate) fn new(engine: &Engine, ir: &Arc<ModuleIr>, name: &str, tier: Tier) -> Result<Arc<Kernel>, Error> {
        let cfg = &engine.inner.config;
        let adaptive = tier == Tier::Adaptive && engine.jit_enabled();
        let (code, actual) = if adaptive {
            let start = if Tier::Baseline.is_available() { cfg.adaptive_start } else { Tier::Interpreter };
            // Tier-1 code counts fuel even without a budget: that count is the hotness.
            engine.code_for(ir, name, start, start != Tier::Interpreter, false)?
        } else {
            engine.code_for(ir, name, tier, false, false)?
        };
        let entry = code.native_entry(name).unwrap_or(std::ptr::null()) as *mut u8;
        if actual != Tier::Interpreter && entry.is_null() {
            return Err(Error::NoSuchFunction(name.to_string()));
        }
        let fuel_start = cfg.fuel.map(|f| i64::try_from(f).unwrap_or(i64::MAX)).unwrap_or(i64::MAX);
        let can_tier_up = adaptive && Tier::Optimized.is_available() && actual != Tier::Optimized;
        Ok(Arc::new_cyclic(|me| Kernel {
            name: name.to_string(),
            entry: AtomicPtr::new(entry),
            tier: AtomicU8::new(actual.index() as u8),
            fuel_start,
            first: code,
            upgraded: OnceLock::new(),
            adaptive: can_tier_up.then(|| Adaptive {
                used: AtomicU64::new(0),
                threshold: cfg.threshold,
                requested: AtomicBool::new(false),
                done: AtomicBool::new(false),
                engine: engine.clone(),
                ir: Arc::clone(ir),
                me: me.clone(),
            }),
        }))
    }

    /// The tier the next call runs on.
    pub(crate) fn tier(&self) -> Tier {
        Tier::from_index(self.tier.load(Ordering::Acquire))
    }

    /// The current native entry point, or null for the interpreter.
    #[inline(always)]
    pub(crate) fn entry(&self) -> *const u8 {
        self.entry.load(Ordering::Acquire)
    }

    /// A fresh context for one native call.
    #[inline(always)]
    pub(crate) fn context(&self) -> VmContext {
        let mut ctx = VmContext::default();
        ctx.fuel = self.fuel_start;
        // Every code of this kernel comes from the same IR (same externs, same numbering)
        // with the engine's forwarders, so the first code's table serves tier 2 as well.
        self.first.host_table().install(&mut ctx);
        ctx
    }

    /// After a native call: count hotness, and turn a trap code into a [`Trap`].
    #[inline(always)]
    pub(crate) fn finish(&self, ctx: &VmContext) -> Result<(), Trap> {
        if let Some(a) = &self.adaptive {
            if !a.done.load(Ordering::Relaxed) {
                let used = self.fuel_start.saturating_sub(ctx.fuel).max(0) as u64;
                self.account(a, used.saturating_add(1));
            }
        }
        if ctx.trap_code != 0 {
            return Err(self.trap(ctx.trap_code));
        }
        Ok(())
    }

    #[cold]
    fn trap(&self, code: u32) -> Trap {
        Trap {
            kind: TrapCode::from_u32(code).unwrap_or(TrapCode::Unreachable),
            function: self.name.clone(),
            tier: self.tier(),
        }
    }

    /// The interpreter path: `call` runs the arguments on the starting code.
    #[cold]
    pub(crate) fn call_interp<T>(
        &self,
        call: impl FnOnce(&CompiledModule, &str) -> Result<T, CallError>,
    ) -> Result<T, Trap> {
        let Some(a) = self.adaptive.as_ref().filter(|a| !a.done.load(Ordering::Relaxed)) else {
            return self.map_interp(call(&self.first, &self.name));
        };
        // The interpreter cannot report the fuel a call used, so its hotness is the time it
        // took: one unit per `INTERP_NS_PER_UNIT` ns (about one back-edge's worth), plus one
        // for the call.
        let start = Instant::now();
        let r = call(&self.first, &self.name);
        let units = start.elapsed().as_nanos() / INTERP_NS_PER_UNIT;
        self.account(a, u64::try_from(units).unwrap_or(u64::MAX).saturating_add(1));
        self.map_interp(r)
    }

    fn map_interp<T>(&self, r: Result<T, CallError>) -> Result<T, Trap> {
        r.map_err(|e| match e {
            CallError::Trap(t) => Trap { kind: t.code, function: t.function, tier: Tier::Interpreter },
            // Arguments were checked against the signature when the kernel was made, so
            // other errors cannot happen; report them as a trap rather than panic.
            _ => Trap { kind: TrapCode::Unreachable, function: self.name.clone(), tier: Tier::Interpreter },
        })
    }

    fn account(&self, a: &Adaptive, used: u64) {
        let total = a.used.fetch_add(used, Ordering::Relaxed).saturating_add(used);
        if total >= a.threshold && !a.requested.swap(true, Ordering::AcqRel) {
            self.request_tier_up(a);
        }
    }

    /// Compiles tier 2 on a background thread and swaps it in; callers never wait.
    #[cold]
    fn request_tier_up(&self, a: &Adaptive) {
        let engine = a.engine.clone();
        let ir = Arc::clone(&a.ir);
        let me = a.me.clone();
        let name = self.name.clone();
        let spawned = std::thread::Builder::new().name("strata-tier-up".into()).spawn(move || {
            let fuel = engine.fuel().is_some();
            let result = engine.code_for(&ir, &name, Tier::Optimized, fuel, true);
            let Some(k) = me.upgrade() else { return };
            k.install(&engine, result);
        });
        if spawned.is_err() {
            a.done.store(true, Ordering::Relaxed);
        }
    }

    fn install(&self, engine: &Engine, result: Result<(Arc<CompiledModule>, Tier), Error>) {
        if let Some(a) = &self.adaptive {
            a.done.store(true, Ordering::Relaxed);
        }
        let Ok((code, Tier::Optimized)) = result else { return };
        let Some(entry) = code.native_entry(&self.name) else { return };
        // Keep the code alive before publishing its address.
        if self.upgraded.set(code).is_err() {
            return;
        }
        self.entry.store(entry as *mut u8, Ordering::Release);
        self.tier.store(Tier::Optimized.index() as u8, Ordering::Release);
        engine.inner.stats.tiered_up();
    }
}
