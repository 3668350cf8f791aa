//! Strata's runtime: the [`Engine`] API users program against, and the untyped
//! [`compile`] / [`CompiledModule::call`] layer under it (which the CLI's `--tier` and the
//! differential tests use).
//!
//! An [`Engine`] (configured with [`Engine::builder`]) loads kernel source, IR text, IR
//! built in Rust, or BPF into a [`Module`]; [`Module::get`] checks a function's signature
//! against Rust types once and returns a [`TypedFunc`] whose `call` takes Rust slices and
//! scalars and calls the compiled code directly, with no allocation. Compiled code is
//! cached per engine (single-flight, LRU). [`Tier::Adaptive`] kernels start on tier 1 and
//! move to tier 2 on a background thread once hot. Traps come back as [`Trap`]; an
//! optional fuel budget bounds every call; without executable memory everything runs on
//! the interpreter. See `docs/runtime.md` for a guided tour.
//!
//! ```
//! use strata_runtime::{Engine, Tier};
//! let engine = Engine::builder().tier(Tier::Baseline).build();
//! let m = engine.load_source("dot.sk", "export fn dot(a: [f32], b: [f32]) -> f32 {
//!     let mut s = 0.0;
//!     for i in 0..a.len() { s += a[i] * b[i]; }
//!     return s;
//! }")?;
//! let dot = m.get::<(&[f32], &[f32]), f32>("dot")?;
//! assert_eq!(dot.call((&[1.0, 2.0], &[3.0, 4.0]))?, 11.0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Files: `engine.rs` (Engine, builder, compiling through the cache), `load.rs` (loaders),
//! `module.rs` (Module, kernel lookup), `kernel.rs` (entry pointer, tier-up swap), `adaptive.rs` (tier-up policy), `tier_up.rs` (the background compile thread),
//! `func.rs` (TypedFunc), `typed.rs` (Rust ↔ IR types), `native_call.rs` (the direct call),
//! `specialize.rs`, `cache.rs`, `stats.rs`, `trap.rs`, `error.rs`, `nojit.rs`, `host_registry.rs`, `tier.rs`,
//! and `dynamic_call.rs` (the untyped layer).

mod adaptive;
mod bpf_tier;
mod cache;
mod disk_cache;
mod dynamic_call;
mod engine;
mod error;
mod func;
mod host;
mod host_registry;
mod kernel;
mod load;
mod module;
mod native_call;
mod nojit;
mod specialize;
mod stats;
mod tier;
mod tier_up;
mod trap;
mod typed;

pub use bpf_tier::compile_bpf;
pub use disk_cache::{CacheKey, DiskCache, DiskCacheStats};
pub use dynamic_call::{CallError, CompileError, CompiledModule};
pub use engine::{Engine, EngineBuilder, DEFAULT_CACHE_CAPACITY, DEFAULT_TIER_UP_THRESHOLD};
pub use error::Error;
pub use func::TypedFunc;
pub use host::{HostFunctions, HostTable};
pub use host_registry::{HostScalar, IntoHostFn};
pub use load::BpfInput;
pub use module::Module;
pub use nojit::NO_JIT_ENV;
pub use specialize::{BindValue, Specializer};
pub use stats::{CompileEvent, EngineStats, EventCallback, MAX_EVENTS};
pub use strata_ir::interp::HostFn;
pub use strata_ir::TrapCode;
pub use tier::Tier;
pub use trap::Trap;
pub use typed::{KernelArg, KernelParams, KernelResult, SliceElem};

/// The guide in `docs/runtime.md`, compiled here so that its examples run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../docs/runtime.md")]
pub struct RuntimeGuide;

/// Options for compiling a module on a tier.
#[derive(Clone, Debug)]
pub struct Options {
    /// LLVM optimization level for [`Tier::Optimized`] (0–3).
    pub llvm_opt_level: u8,
    /// Fuel budget: `None` for unlimited.
    pub fuel: Option<u64>,
    /// Strata's own pass pipeline to run before compiling (`-O2`, or a list such as
    /// `const-fold,gvn,dce`); `None` runs no passes.
    pub pipeline: Option<String>,
    /// Host functions the module's `extern fn`s resolve to by name, on every tier. An
    /// extern with no registered function traps `host_error` when called.
    pub hosts: HostFunctions,
    /// Tier 2: compile the exported functions of a module in parallel, each with its
    /// callees (see `strata_llvm::LlvmOptions::parallel`). The engine turns it off for
    /// background tier-up compiles, which run at low priority on one thread.
    pub llvm_parallel: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { llvm_opt_level: 3, fuel: None, pipeline: None, hosts: HostFunctions::new(), llvm_parallel: true }
    }
}

/// Compiles `module` (which must be verified) for `tier` ([`Tier::Adaptive`] means tier 1
/// here), for the untyped [`CompiledModule::call`].
pub fn compile(module: &strata_ir::Module, tier: Tier, opts: &Options) -> Result<CompiledModule, CompileError> {
    dynamic_call::compile(module, tier, opts)
}

/// The tiers this build can run (tiers 1 and 2 are cargo features).
pub fn available_tiers() -> Vec<Tier> {
    Tier::ALL.into_iter().filter(|t| t.is_available()).collect()
}

/// Where [`compile_cached`]'s code came from.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum CacheOutcome {
    /// Loaded from the disk cache: LLVM did not run.
    Hit,
    /// Not in the cache (or the file there was invalid): compiled, and stored.
    Miss,
    /// Compiled, but storing the object failed (the directory is read-only, full, …).
    StoreFailed,
}

/// Compiles `module` on tier 2 (LLVM) through `cache`: if the cache holds an object for
/// the same IR (after `opts.pipeline`), options, host CPU, LLVM and Strata versions, it is
/// linked without running LLVM; otherwise the module is compiled to an object, stored, and
/// linked. A cache file that is corrupt, truncated, foreign or that LLVM refuses to link is
/// ignored and replaced.
///
/// ```
/// # #[cfg(feature = "llvm")] {
/// use strata_runtime::{compile_cached, CacheOutcome, DiskCache, Options};
/// use strata_ir::interp::{Arg, Val};
/// let m = strata_ir::parse_module(
///     "export fn @twice(x: i32) -> i32 {\nblock0(v0: i32):\n    v1 = iadd.i32 v0, v0\n    return v1\n}\n",
/// ).unwrap();
/// let dir = std::env::temp_dir().join(format!("strata-doc-compile-cached-{}", std::process::id()));
/// let cache = DiskCache::new(&dir).unwrap();
/// let (code, first) = compile_cached(&m, &Options::default(), &cache).unwrap();
/// assert_eq!(first, CacheOutcome::Miss);
/// let (again, second) = compile_cached(&m, &Options::default(), &cache).unwrap();
/// assert_eq!(second, CacheOutcome::Hit);
/// assert_eq!(again.call("twice", &mut [Arg::Val(Val::I32(21))]).unwrap(), Some(Val::I32(42)));
/// # drop((code, again));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # }
/// ```
#[cfg(feature = "llvm")]
pub fn compile_cached(
    module: &strata_ir::Module,
    opts: &Options,
    cache: &DiskCache,
) -> Result<(CompiledModule, CacheOutcome), CompileError> {
    let module = dynamic_call::apply_pipeline(module, Tier::Optimized, opts)?;
    let module = module.as_ref();
    let llvm = dynamic_call::llvm_options(opts);
    let key = CacheKey::for_module(module, Tier::Optimized, opts.llvm_opt_level)
        .with("fuel", if llvm.fuel { "on" } else { "off" })
        .with("depth_limit", if llvm.depth_limit { "on" } else { "off" })
        // Compiled in parts, the payload is a bundle of objects (one per export): keep the
        // two forms apart, so one process never links both for one namespace.
        .with("parts", if llvm.parallel { "per_export" } else { "whole" });
    let namespace = key.digest();
    if let Some(object) = cache.load(&key) {
        if let Ok(code) = strata_llvm::load_object(module, &object, &namespace) {
            return Ok((dynamic_call::from_llvm(module, code, opts), CacheOutcome::Hit));
        }
    }
    let object = strata_llvm::compile_object(module, &llvm, &namespace)?;
    let outcome = match cache.store(&key, &object) {
        Ok(()) => CacheOutcome::Miss,
        Err(_) => CacheOutcome::StoreFailed,
    };
    let code = strata_llvm::load_object(module, &object, &namespace)?;
    Ok((dynamic_call::from_llvm(module, code, opts), outcome))
}
