//! A kernel: one exported function compiled on some tier, with its current native entry
//! point in an atomic so that an adaptive kernel can move to tier 2 while other threads
//! call it. Every piece of code a kernel ever ran is kept alive until the kernel is dropped
//! (a call may still be running old code after the swap). The tier-up mechanics (the
//! background compile, the swap) live here, the policy (what is hot, whether tier 2 pays)
//! in `adaptive.rs`; typed argument passing does not (see `func.rs` and `typed.rs`).

use crate::adaptive::{Adaptive, Probe, ProbeKind, Verdict, INTERP_NS_PER_UNIT};
use crate::dynamic_call::{CallError, CompiledModule};
use crate::engine::Engine;
use crate::error::Error;
use crate::module::ModuleIr;
use crate::tier::Tier;
use crate::trap::Trap;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU8, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;
use strata_ir::abi::DEFAULT_MAX_CALL_DEPTH;
use strata_ir::{TrapCode, VmContext};

pub(crate) struct Kernel {
    pub(crate) name: String,
    /// The direct entry point of the current code; null while running on the interpreter.
    entry: AtomicPtr<u8>,
    tier: AtomicU8,
    /// `VmContext::fuel` at the start of each native call.
    fuel_start: i64,
    /// The host table every native call installs (`VmContext::host_table`, `host_count`,
    /// `user_data`), read once from the first code: every code of this kernel comes from
    /// the same IR or a part of it (same externs, same numbering) with the engine's
    /// forwarders, so that table serves tier 2 as well. Addresses, kept as integers;
    /// `first` owns the table.
    host_table: usize,
    host_count: u64,
    host_user_data: usize,
    /// The code the kernel started on (the interpreter path calls into it), its entry
    /// address (0 on the interpreter) and tier.
    first: Arc<CompiledModule>,
    first_entry: usize,
    first_tier: Tier,
    /// Tier-2 code after an adaptive tier-up, kept alive with the kernel.
    upgraded: OnceLock<Arc<CompiledModule>>,
    adaptive: Option<Adaptive>,
    /// True while an adaptive kernel is still undecided: the one flag the fast path of a
    /// call reads (cleared lazily on the measured path once the decision is final).
    measuring: AtomicBool,
}

impl Kernel {
    pub(crate) fn new(engine: &Engine, ir: &Arc<ModuleIr>, name: &str, tier: Tier) -> Result<Arc<Kernel>, Error> {
        let cfg = &engine.inner.config;
        let adaptive = tier == Tier::Adaptive && engine.jit_enabled();
        let (code, actual) = if adaptive {
            let start = if Tier::Baseline.is_available() { cfg.adaptive_start } else { Tier::Interpreter };
            // The same code as a tier-1-only kernel: hotness is measured as time (`adaptive.rs`).
            engine.code_for(ir, name, start, false, false)?
        } else {
            engine.code_for(ir, name, tier, false, false)?
        };
        let entry = code.native_entry(name).unwrap_or(std::ptr::null()) as *mut u8;
        if actual != Tier::Interpreter && entry.is_null() {
            return Err(Error::NoSuchFunction(name.to_string()));
        }
        let fuel_start = cfg.fuel.map(|f| i64::try_from(f).unwrap_or(i64::MAX)).unwrap_or(i64::MAX);
        let mut probe = VmContext::default();
        code.host_table().install(&mut probe);
        let can_tier_up = adaptive && Tier::Optimized.is_available() && actual != Tier::Optimized;
        Ok(Arc::new_cyclic(|me| Kernel {
            name: name.to_string(),
            entry: AtomicPtr::new(entry),
            tier: AtomicU8::new(actual.index() as u8),
            fuel_start,
            host_table: probe.host_table as usize,
            host_count: probe.host_count,
            host_user_data: probe.user_data as usize,
            first: code,
            first_entry: entry as usize,
            first_tier: actual,
            upgraded: OnceLock::new(),
            adaptive: can_tier_up.then(|| Adaptive::new(engine, ir, cfg.threshold, me.clone())),
            measuring: AtomicBool::new(can_tier_up && entry as usize != 0),
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
        VmContext {
            trap_code: 0,
            depth_remaining: DEFAULT_MAX_CALL_DEPTH,
            fuel: self.fuel_start,
            host_table: self.host_table as *const *const u8,
            host_count: self.host_count,
            user_data: self.host_user_data as *mut u8,
            stack_limit: 0,
        }
    }

    /// Whether calls must go through [`Kernel::probe_start`] and [`Kernel::finish_measured`]
    /// (an adaptive kernel not yet decided); otherwise a call only checks the trap code.
    #[inline(always)]
    pub(crate) fn is_measuring(&self) -> bool {
        self.measuring.load(Ordering::Relaxed)
    }

    /// After a native call: turn a trap code into a [`Trap`].
    #[inline(always)]
    pub(crate) fn check(&self, ctx: &VmContext) -> Result<(), Trap> {
        if ctx.trap_code != 0 {
            return Err(self.trap(ctx.trap_code));
        }
        Ok(())
    }

    /// After a native call on the measured path: count hotness or probation time, then
    /// [`Kernel::check`].
    pub(crate) fn finish_measured(&self, ctx: &VmContext, probe: Option<Probe>) -> Result<(), Trap> {
        // The code that ran: the starting code for hotness samples and for the starting
        // code's turns in tier 2's probation (see `probe_start`), whatever `tier()` says now.
        let ran_first = match probe.map(|p| p.kind) {
            Some(ProbeKind::Hotness { .. }) => true,
            Some(ProbeKind::Probation { tier_two: false, .. }) => self.first_entry != 0,
            _ => false,
        };
        if let (Some(a), Some(probe)) = (&self.adaptive, probe) {
            self.observe(a, probe);
        }
        if ctx.trap_code != 0 {
            let mut trap = self.trap(ctx.trap_code);
            if ran_first {
                trap.tier = self.first_tier;
            }
            return Err(trap);
        }
        Ok(())
    }

    /// Before a native call on the measured path (`entry` is the published entry point):
    /// whether to time it, and the code to run. During tier 2's probation, calls alternate
    /// between the starting code and tier 2 (same function, same signature; the kernel
    /// keeps both alive).
    pub(crate) fn probe_start(&self, entry: *const u8) -> (Option<Probe>, *const u8) {
        match &self.adaptive {
            Some(a) if !a.is_done() => {
                if entry as usize == self.first_entry {
                    (a.sample(), entry)
                } else {
                    let probe = a.probation_turn();
                    let run = match probe.kind {
                        ProbeKind::Probation { tier_two: false, .. } if self.first_entry != 0 => {
                            self.first_entry as *const u8
                        }
                        _ => entry,
                    };
                    (Some(probe), run)
                }
            }
            _ => {
                self.measuring.store(false, Ordering::Relaxed);
                (None, entry)
            }
        }
    }

    /// Counts a timed native call: hotness on the starting code, or the probation of tier 2
    /// (switching back for good when it was slower).
    #[inline(never)]
    fn observe(&self, a: &Adaptive, probe: Probe) {
        let elapsed = probe.start.elapsed();
        match probe.kind {
            ProbeKind::Hotness { weight } => {
                if a.observe_hotness(weight, elapsed) {
                    self.request_tier_up(a);
                }
            }
            ProbeKind::Probation { tier_two, warm_up } => {
                if a.observe_probation(tier_two, warm_up, elapsed) == Verdict::Revert && self.first_entry != 0 {
                    self.entry.store(self.first_entry as *mut u8, Ordering::Release);
                    self.tier.store(self.first_tier.index() as u8, Ordering::Release);
                    a.engine.inner.stats.tiered_down();
                }
            }
        }
    }

    #[cold]
    #[inline(never)]
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
        let Some(a) = self.adaptive.as_ref().filter(|a| !a.is_done()) else {
            return self.map_interp(call(&self.first, &self.name));
        };
        // The interpreter cannot report the fuel a call used, so its hotness is the time it
        // took: one unit per `INTERP_NS_PER_UNIT` ns (about one back-edge's worth), plus one
        // for the call.
        let start = Instant::now();
        let r = call(&self.first, &self.name);
        let units = start.elapsed().as_nanos() / INTERP_NS_PER_UNIT;
        if a.account(u64::try_from(units).unwrap_or(u64::MAX).saturating_add(1)) {
            self.request_tier_up(a);
        }
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

    /// Queues tier 2's compile for the background thread (`tier_up.rs`), which swaps it in;
    /// callers never wait.
    #[cold]
    fn request_tier_up(&self, a: &Adaptive) {
        let engine = a.engine.clone();
        let ir = Arc::clone(&a.ir);
        let me = a.me.clone();
        let name = self.name.clone();
        let queued = crate::tier_up::submit(Box::new(move || {
            if me.strong_count() == 0 {
                return; // dropped while queued: nothing to compile for
            }
            let fuel = engine.fuel().is_some();
            // Only this kernel's part of a module with several exports (the kernel and its
            // callees): the module's other kernels reach tier 2 when they get hot, if ever.
            let part = tier_up_part(&ir, &name);
            let result = engine.code_for(part.as_ref().unwrap_or(&ir), &name, Tier::Optimized, fuel, true);
            let Some(k) = me.upgrade() else { return };
            k.install(&engine, result);
        }));
        if !queued {
            a.finish();
        }
    }

    fn install(&self, engine: &Engine, result: Result<(Arc<CompiledModule>, Tier), Error>) {
        let installed = match result {
            Ok((code, Tier::Optimized)) => match code.native_entry(&self.name) {
                // Keep the code alive before publishing its address.
                Some(entry) if self.upgraded.set(code).is_ok() => {
                    self.entry.store(entry as *mut u8, Ordering::Release);
                    self.tier.store(Tier::Optimized.index() as u8, Ordering::Release);
                    engine.inner.stats.tiered_up();
                    if self.first_entry == 0 {
                        // From the interpreter there is nothing to compare with: tier 2 stays.
                        if let Some(a) = &self.adaptive {
                            a.finish();
                        }
                    }
                    true
                }
                _ => false,
            },
            _ => false,
        };
        if !installed {
            if let Some(a) = &self.adaptive {
                a.finish();
            }
        }
    }
}

/// What tier-up compiles for kernel `name` of `ir`: `None` for the whole module (it exports
/// only this function, or is a lifted BPF program), else the part of `ir` holding `name` and
/// its callees (`strata_ir::partition`). The part keeps the module's extern declarations in
/// their order, so the kernel's host table serves its code too.
fn tier_up_part(ir: &ModuleIr, name: &str) -> Option<Arc<ModuleIr>> {
    if ir.bpf.is_some() || strata_ir::partition::roots(&ir.module).len() < 2 {
        return None;
    }
    let id = ir.module.func_by_name(name)?;
    Some(Arc::new(ModuleIr::new(strata_ir::partition::part(&ir.module, id), ir.spec_hash)))
}
