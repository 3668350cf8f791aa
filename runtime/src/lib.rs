//! Strata's runtime: compiles a module on a chosen tier and calls its functions.
//!
//! This first layer gives one entry point for every tier — [`compile`] and
//! [`CompiledModule::call`] with dynamically typed arguments — which the CLI's `--tier`
//! and the differential tests use. JIT tiers are called through their array-call
//! trampolines (`strata_ir::abi`), so no glue is generated per signature. The typed
//! `Engine` API, the kernel cache and adaptive tier-up build on this (see the runtime issue).

mod dynamic_call;
mod host;
mod tier;

pub use dynamic_call::{CallError, CompileError, CompiledModule};
pub use host::{HostFunctions, HostTable};
pub use strata_ir::interp::HostFn;
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
    /// Host functions the module's `extern fn`s resolve to by name, on every tier. An
    /// extern with no registered function traps `host_error` when called.
    pub hosts: HostFunctions,
}

impl Default for Options {
    fn default() -> Self {
        Options { llvm_opt_level: 3, fuel: None, pipeline: None, hosts: HostFunctions::new() }
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
