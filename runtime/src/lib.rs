//! Strata's runtime: compiles a module on a chosen tier and calls its functions.
//!
//! This first layer gives one entry point for every tier — [`compile`] and
//! [`CompiledModule::call`] with dynamically typed arguments — which the CLI's `--tier`
//! and the differential tests use. JIT tiers are called through their array-call
//! trampolines (`strata_ir::abi`), so no glue is generated per signature. The typed
//! `Engine` API, the kernel cache and adaptive tier-up build on this (see the runtime issue).

mod disk_cache;
mod dynamic_call;
mod tier;

pub use disk_cache::{CacheKey, DiskCache, DiskCacheStats};
pub use dynamic_call::{CallError, CompileError, CompiledModule};
pub use tier::Tier;

use strata_ir::Module;

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
}

impl Default for Options {
    fn default() -> Self {
        Options { llvm_opt_level: 3, fuel: None, pipeline: None }
    }
}

/// Compiles `module` (which must be verified) for `tier`.
pub fn compile(module: &Module, tier: Tier, opts: &Options) -> Result<CompiledModule, CompileError> {
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
    module: &Module,
    opts: &Options,
    cache: &DiskCache,
) -> Result<(CompiledModule, CacheOutcome), CompileError> {
    let module = dynamic_call::apply_pipeline(module, opts)?;
    let module = module.as_ref();
    let llvm = dynamic_call::llvm_options(opts);
    let key = CacheKey::for_module(module, Tier::Optimized, opts.llvm_opt_level)
        .with("fuel", if llvm.fuel { "on" } else { "off" })
        .with("depth_limit", if llvm.depth_limit { "on" } else { "off" });
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
