//! [`Engine`] and [`EngineBuilder`]: the configuration, the kernel cache, the host-function
//! table and the statistics shared by every module an engine loads. `Engine` is a cheap
//! `Clone` (an `Arc`), `Send + Sync`. This file compiles through the cache; loading lives in
//! `load.rs`, typed kernels in `module.rs`, `kernel.rs` and `func.rs`.

use crate::cache::{fnv1a, CacheKey, KernelCache};
use crate::dynamic_call::{compile, CompiledModule};
use crate::error::Error;
use crate::host_registry::{HostRegistry, IntoHostFn};
use crate::module::ModuleIr;
use crate::nojit;
use crate::stats::{CompileEvent, EngineStats, EventCallback, Stats};
use crate::tier::Tier;
use crate::Options;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;
use strata_ir::interp::HostFn;

/// Default tier-up threshold of [`Tier::Adaptive`]: calls plus loop back-edges, estimated
/// from sampled call time (about 2 ns of tier-1 time per unit).
pub const DEFAULT_TIER_UP_THRESHOLD: u64 = 100_000;
/// Default number of compiled modules the kernel cache keeps.
pub const DEFAULT_CACHE_CAPACITY: usize = 256;

/// Configures an [`Engine`]. Start from [`Engine::builder`].
///
/// ```
/// use strata_runtime::{Engine, Tier};
/// let engine = Engine::builder()
///     .tier(Tier::Baseline)          // where kernels run unless asked otherwise
///     .llvm_opt_level(3)             // for tier 2
///     .passes(Some("-O2"))           // Strata's own pipeline before the compiled tiers
///     .fuel(Some(1_000_000))         // per-call budget of loop back-edges and calls
///     .tier_up_threshold(50_000)     // for Tier::Adaptive
///     .cache_capacity(64)            // compiled modules kept (LRU)
///     .build();
/// assert_eq!(engine.tier(), Tier::Baseline);
/// ```
#[derive(Clone)]
pub struct EngineBuilder {
    pub(crate) tier: Tier,
    pub(crate) opt_level: u8,
    pub(crate) passes: Option<String>,
    pub(crate) fuel: Option<u64>,
    pub(crate) threshold: u64,
    pub(crate) adaptive_start: Tier,
    pub(crate) capacity: usize,
    pub(crate) cache_dir: Option<PathBuf>,
    pub(crate) jit: bool,
    pub(crate) warm_up: bool,
    pub(crate) on_event: Option<EventCallback>,
}

impl Default for EngineBuilder {
    fn default() -> Self {
        EngineBuilder {
            tier: if Tier::Baseline.is_available() { Tier::Baseline } else { Tier::Interpreter },
            opt_level: 3,
            passes: Some("-O2".to_string()),
            fuel: None,
            threshold: DEFAULT_TIER_UP_THRESHOLD,
            adaptive_start: Tier::Baseline,
            capacity: DEFAULT_CACHE_CAPACITY,
            cache_dir: None,
            jit: true,
            warm_up: false,
            on_event: None,
        }
    }
}

impl EngineBuilder {
    /// The tier kernels run on unless a module or kernel asks for another (default:
    /// [`Tier::Baseline`] when built with Cranelift, else the interpreter).
    pub fn tier(mut self, tier: Tier) -> Self {
        self.tier = tier;
        self
    }

    /// LLVM's optimization level for tier 2, 0–3 (default 3).
    pub fn llvm_opt_level(mut self, level: u8) -> Self {
        self.opt_level = level.min(3);
        self
    }

    /// Strata's pass pipeline run before compiling on tiers 1 and 2 (`-O1`, `-O2`, or a
    /// list such as `const-fold,gvn,dce`); `None` runs none. Default `-O2`. The
    /// interpreter always runs the IR as loaded.
    pub fn passes(mut self, pipeline: Option<&str>) -> Self {
        self.passes = pipeline.map(str::to_string);
        self
    }

    /// A fuel budget per call: one unit per loop back-edge and per call, on every tier;
    /// running out traps `fuel_exhausted`. `None` (the default) is unlimited.
    pub fn fuel(mut self, fuel: Option<u64>) -> Self {
        self.fuel = fuel;
        self
    }

    /// How many calls plus loop back-edges (estimated from sampled call time: one unit per
    /// ~2 ns on tier 1, ~20 ns on the interpreter) an adaptive kernel runs before tier 2 is
    /// compiled for it in the background (default [`DEFAULT_TIER_UP_THRESHOLD`]).
    pub fn tier_up_threshold(mut self, threshold: u64) -> Self {
        self.threshold = threshold;
        self
    }

    /// Where adaptive kernels start: [`Tier::Baseline`] (default) or [`Tier::Interpreter`]
    /// (no compile latency at all before tier 2; there, hotness is measured as time spent
    /// interpreting, one unit per ~20 ns, since the interpreter cannot report fuel used).
    pub fn adaptive_start(mut self, tier: Tier) -> Self {
        self.adaptive_start = if tier == Tier::Interpreter { Tier::Interpreter } else { Tier::Baseline };
        self
    }

    /// How many compiled modules the kernel cache keeps (least recently used are dropped;
    /// their code is freed once no kernel uses it). Default [`DEFAULT_CACHE_CAPACITY`].
    pub fn cache_capacity(mut self, capacity: usize) -> Self {
        self.capacity = capacity;
        self
    }

    /// A directory for the on-disk cache of tier-2 object code: a later process (or
    /// engine) with the same kernel, options, CPU, LLVM and Strata versions loads the
    /// object instead of running LLVM. Corrupt, truncated or foreign files are ignored
    /// and rewritten.
    ///
    /// ```
    /// # #[cfg(feature = "llvm")] {
    /// use strata_runtime::{Engine, Tier};
    /// let dir = std::env::temp_dir().join(format!("strata-doc-engine-cache-{}", std::process::id()));
    /// let src = "export fn sq(x: f64) -> f64 { return x * x; }";
    /// for run in 0..2 {
    ///     let engine = Engine::builder().tier(Tier::Optimized).cache_dir(&dir).build();
    ///     let sq = engine.load_source("sq.sk", src).unwrap().get::<f64, f64>("sq").unwrap();
    ///     assert_eq!(sq.call(3.0), Ok(9.0));
    ///     // The second engine found the object on disk: LLVM did not run.
    ///     assert_eq!(engine.stats().disk_cache_hits, run);
    /// }
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// # }
    /// ```
    pub fn cache_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cache_dir = Some(dir.into());
        self
    }

    /// `false` runs everything on the interpreter, as if executable memory were refused
    /// (the engine says so once on stderr). The environment variable `STRATA_NO_JIT=1`
    /// does the same for every engine.
    pub fn jit(mut self, enabled: bool) -> Self {
        self.jit = enabled;
        self
    }

    /// `true` warms tier 2 up in the background as the engine is built: LLVM compiles a small
    /// built-in module on the tier-up thread, at its low priority, and drops it
    /// (`strata_llvm::warm_up`). That pays LLVM's once-per-process costs (target and pass
    /// registration, the JIT, first-touch page faults), which otherwise make the first tier-2
    /// compile take about twice as long as later ones, before any kernel waits for it.
    /// Worth it for an engine that will compile on tier 2 (a [`Tier::Optimized`] or
    /// [`Tier::Adaptive`] one) and has some idle time first; it costs one compile's CPU
    /// (tens of milliseconds) once per engine. Default `false`; without the `llvm` feature
    /// or with the JIT off it does nothing. [`crate::EngineStats::warm_up`] says when it is done.
    ///
    /// ```
    /// use strata_runtime::{Engine, Tier};
    /// let engine = Engine::builder().tier(Tier::Adaptive).warm_up(true).build();
    /// # let _ = engine;
    /// ```
    pub fn warm_up(mut self, enabled: bool) -> Self {
        self.warm_up = enabled;
        self
    }

    /// Calls `f` for every compile event (compilations, cache hits, tier-ups), on the
    /// thread that caused it (a background thread for tier-ups).
    pub fn on_event(mut self, f: impl Fn(&CompileEvent) + Send + Sync + 'static) -> Self {
        self.on_event = Some(Arc::new(f));
        self
    }

    /// Builds the engine.
    pub fn build(self) -> Engine {
        let mut jit = self.jit;
        if jit && nojit::env_disables_jit() {
            jit = false;
        }
        if !jit {
            nojit::warn_once("JIT compilation is disabled (jit(false) or STRATA_NO_JIT)");
        }
        let stats = Stats::new(self.on_event.clone());
        let disk = self.cache_dir.as_ref().and_then(|dir| match crate::DiskCache::new(dir) {
            Ok(c) => Some(c),
            Err(e) => {
                // An unusable directory only costs compile time: say so and go on without.
                eprintln!("strata: warning: cache directory {}: {e}; not caching on disk", dir.display());
                None
            }
        });
        let warm_up = self.warm_up && jit;
        let inner = Arc::new(EngineInner {
            cache: KernelCache::new(self.capacity),
            stats,
            hosts: Arc::new(HostRegistry::default()),
            cpu: cpu_hash(),
            jit,
            disk,
            config: self,
        });
        if warm_up {
            warm_up_tier2(&inner);
        }
        Engine { inner }
    }
}

/// Queues LLVM's warm-up on the tier-up thread (see [`EngineBuilder::warm_up`]); it holds
/// the engine weakly, so an engine dropped before its turn is not kept alive for it.
#[cfg(feature = "llvm")]
fn warm_up_tier2(inner: &Arc<EngineInner>) {
    let engine = Arc::downgrade(inner);
    // As tier-up compiles: on the tier-up thread only, not the normal-priority helpers.
    let opts = strata_llvm::LlvmOptions {
        parallel: false,
        ..strata_llvm::LlvmOptions::with_opt_level(inner.config.opt_level)
    };
    crate::tier_up::submit(Box::new(move || {
        if engine.strong_count() == 0 {
            return;
        }
        if let Ok(took) = strata_llvm::warm_up(&opts) {
            if let Some(inner) = engine.upgrade() {
                inner.stats.warmed_up(took);
            }
        }
    }));
}

#[cfg(not(feature = "llvm"))]
fn warm_up_tier2(_: &Arc<EngineInner>) {}

pub(crate) struct EngineInner {
    pub(crate) config: EngineBuilder,
    pub(crate) cache: KernelCache,
    pub(crate) stats: Stats,
    pub(crate) hosts: Arc<HostRegistry>,
    pub(crate) cpu: u64,
    pub(crate) jit: bool,
    /// The on-disk cache of tier-2 objects, when a usable `cache_dir` was configured.
    pub(crate) disk: Option<crate::DiskCache>,
}

/// Compiles and runs kernels: owns the configuration, the kernel cache, host functions and
/// statistics. Cheap to clone (all clones share one engine); `Send + Sync`.
///
/// ```
/// use strata_runtime::{Engine, Tier};
/// let engine = Engine::new();
/// let m = engine.load_source("scale.sk", "export fn scale(x: mut [f32], g: f32) { for i in 0..x.len() { x[i] *= g; } }")?;
/// let scale = m.get::<(&mut [f32], f32), ()>("scale")?;
/// let mut v = [1.0, 2.0, 3.0];
/// scale.call((&mut v, 2.0))?;
/// assert_eq!(v, [2.0, 4.0, 6.0]);
///
/// // The same kernel on another tier, chosen per kernel:
/// let on_interp = m.get_on::<(&mut [f32], f32), ()>("scale", Tier::Interpreter)?;
/// on_interp.call((&mut v, 0.5))?;
/// assert_eq!(v, [1.0, 2.0, 3.0]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Engine {
    pub(crate) inner: Arc<EngineInner>,
}

impl Default for Engine {
    fn default() -> Self {
        Engine::new()
    }
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("tier", &self.inner.config.tier)
            .field("jit", &self.inner.jit)
            .field("cached_modules", &self.inner.cache.len())
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// An engine with the default configuration (see [`EngineBuilder`]).
    pub fn new() -> Engine {
        EngineBuilder::default().build()
    }

    /// Starts configuring an engine.
    pub fn builder() -> EngineBuilder {
        EngineBuilder::default()
    }

    /// The default tier of kernels loaded by this engine.
    pub fn tier(&self) -> Tier {
        self.inner.config.tier
    }

    /// Whether JIT tiers may be used (false after `jit(false)` or `STRATA_NO_JIT=1`).
    pub fn jit_enabled(&self) -> bool {
        self.inner.jit
    }

    /// The per-call fuel budget.
    pub fn fuel(&self) -> Option<u64> {
        self.inner.config.fuel
    }

    /// The on-disk cache directory, if one was configured.
    pub fn cache_dir(&self) -> Option<&Path> {
        self.inner.config.cache_dir.as_deref()
    }

    /// Counters and recent compile events.
    ///
    /// ```
    /// use strata_runtime::{Engine, Tier};
    /// let engine = Engine::builder().tier(Tier::Interpreter).build();
    /// let m = engine.load_source("k.sk", "export fn one() -> i32 { return 1; }").unwrap();
    /// m.get::<(), i32>("one").unwrap();
    /// m.get::<(), i32>("one").unwrap();
    /// let s = engine.stats();
    /// assert_eq!(s.compiles_on(Tier::Interpreter), 1);
    /// assert_eq!(s.cache_hits, 1);
    /// assert_eq!(s.events[0].kernel, "one");
    /// ```
    pub fn stats(&self) -> EngineStats {
        self.inner.stats.snapshot()
    }

    /// Number of compiled modules in the kernel cache.
    pub fn cached_modules(&self) -> usize {
        self.inner.cache.len()
    }

    /// Registers a typed host function: kernels call it through an `extern fn name(..)`
    /// declaration with the same parameter and return types (`f32 f64 i32 i64`). A
    /// function registered later replaces it, also for kernels compiled already: every
    /// tier looks the name up when the kernel calls it.
    ///
    /// ```
    /// use strata_runtime::{Engine, Tier};
    /// let engine = Engine::new();
    /// engine.host_fn("half", |x: f32| x * 0.5);
    /// let src = "extern fn half(x: f32) -> f32;\nexport fn f(x: f32) -> f32 { return half(x) + 1.0; }";
    /// let m = engine.load_source("h.sk", src)?;
    /// for tier in strata_runtime::available_tiers() {
    ///     assert_eq!(m.get_on::<f32, f32>("f", tier)?.call(3.0)?, 2.5);
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn host_fn<Args, F: IntoHostFn<Args>>(&self, name: &str, f: F) -> &Self {
        self.inner.hosts.insert(name, f.into_host_fn());
        self
    }

    /// Registers a dynamically typed host function (it receives the arguments as declared
    /// and returns the result, or a trap code to stop the kernel).
    pub fn host_fn_raw(&self, name: &str, f: HostFn) -> &Self {
        self.inner.hosts.insert(name, f);
        self
    }

    /// Registers BPF helper number `n` (`call n` in a BPF program, which calls the host
    /// function `bpf_helper_n` with r1..r5 and puts its result in r0).
    ///
    /// ```
    /// use strata_runtime::{BpfInput, Engine, Tier};
    /// let engine = Engine::new();
    /// engine.bpf_helper(7, |a, b, _, _, _| a * 10 + b);
    /// let m = engine.load_bpf(BpfInput::Asm("mov %r1, 4\nmov %r2, 2\ncall 7\nexit"))?;
    /// for tier in [Tier::Interpreter, Tier::Baseline, Tier::Optimized, Tier::Adaptive] {
    ///     let main = m.get_on::<&mut [u8], i64>("main", tier)?;
    ///     assert_eq!(main.call(&mut [])?, 42);
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn bpf_helper(&self, n: u32, f: impl Fn(i64, i64, i64, i64, i64) -> i64 + Send + Sync + 'static) -> &Self {
        self.host_fn(&format!("bpf_helper_{n}"), f)
    }

    /// The compiled code of `ir` on `tier`, from the cache or compiled now (one compilation
    /// however many threads ask at once). JIT tiers fall back to the interpreter when JIT
    /// is off or executable memory is refused; the returned tier says where the code runs.
    pub(crate) fn code_for(
        &self,
        ir: &ModuleIr,
        kernel: &str,
        tier: Tier,
        fuel_counting: bool,
        tier_up: bool,
    ) -> Result<(Arc<CompiledModule>, Tier), Error> {
        let inner = &*self.inner;
        let tier = match tier {
            Tier::Adaptive => Tier::Baseline,
            t => t,
        };
        if !tier.is_available() {
            return Err(Error::Unavailable(tier));
        }
        let tier = if inner.jit { tier } else { Tier::Interpreter };
        let cfg = &inner.config;
        let interp = tier == Tier::Interpreter;
        let key = CacheKey {
            ir_hash: ir.hash,
            spec_hash: ir.spec_hash,
            tier,
            opt_level: if tier == Tier::Optimized { cfg.opt_level } else { 0 },
            cpu: inner.cpu,
            fuel: fuel_counting || cfg.fuel.is_some(),
        };
        let start = Instant::now();
        let lookup = inner.cache.get_or_compile(
            &key,
            || {
                let opts = Options {
                    llvm_opt_level: cfg.opt_level,
                    fuel: if interp { cfg.fuel } else { key.fuel.then(|| cfg.fuel.unwrap_or(u64::MAX)) },
                    pipeline: if interp { None } else { cfg.passes.clone() },
                    hosts: inner.hosts.forwarders(&ir.module),
                    // A tier-up compile runs at low priority on its own thread; helper
                    // threads would run its parts at normal priority.
                    llvm_parallel: !tier_up,
                };
                compile_on(inner, ir, tier, &opts).map(Arc::new).map_err(|e| {
                    if nojit::is_memory_failure(&e) {
                        Error::NoExecutableMemory { tier, message: e.to_string() }
                    } else {
                        Error::Compile { tier, message: e.to_string() }
                    }
                })
            },
            || inner.stats.evicted(),
        );
        inner.stats.record(CompileEvent {
            kernel: kernel.to_string(),
            tier,
            duration: start.elapsed(),
            cache_hit: lookup.hit,
            tier_up,
        });
        match lookup.code {
            Ok(code) => Ok((code, tier)),
            Err(Error::NoExecutableMemory { message, .. }) if !interp => {
                nojit::warn_once(&format!("executable memory refused ({message})"));
                self.code_for(ir, kernel, Tier::Interpreter, false, tier_up)
            }
            Err(e) => Err(e),
        }
    }
}

/// Compiles, through the disk cache for tier 2 when the engine has one.
/// A BPF program's interpreter tier is the BPF interpreter.
fn compile_on(
    inner: &EngineInner,
    ir_of: &ModuleIr,
    tier: Tier,
    opts: &Options,
) -> Result<CompiledModule, crate::CompileError> {
    let ir = &ir_of.module;
    if let (Tier::Interpreter, Some(insns)) = (tier, &ir_of.bpf) {
        return crate::bpf_tier::bpf_interp_code(insns, ir.clone(), opts);
    }
    #[cfg(feature = "llvm")]
    if let (Tier::Optimized, Some(disk)) = (tier, &inner.disk) {
        let (code, outcome) = crate::compile_cached(ir, opts, disk)?;
        if outcome == crate::CacheOutcome::Hit {
            inner.stats.disk_hit();
        }
        return Ok(code);
    }
    #[cfg(not(feature = "llvm"))]
    let _ = inner;
    compile(ir, tier, opts)
}

/// A hash of what the host CPU can run (target triple, CPU name and features).
fn cpu_hash() -> u64 {
    #[cfg(feature = "llvm")]
    let desc = {
        let (triple, cpu) = strata_llvm::host_target();
        format!("{triple}/{cpu}")
    };
    #[cfg(not(feature = "llvm"))]
    let desc = format!("{}-{}", std::env::consts::ARCH, std::env::consts::OS);
    fnv1a(desc.as_bytes())
}
