//! No-JIT mode (issue #12): when executable memory is refused — by configuration
//! (`EngineBuilder::jit(false)`), by the environment (`STRATA_NO_JIT=1`), or because a JIT
//! compile could not map memory — every kernel runs on the interpreter, with the same
//! results, and the engine says so once per process on stderr. This file only decides and
//! warns; the engine applies the decision.

use std::sync::Once;

/// The environment variable that turns JIT compilation off (`1`, `true` or `yes`).
pub const NO_JIT_ENV: &str = "STRATA_NO_JIT";

/// Whether the environment asks for no JIT.
pub(crate) fn env_disables_jit() -> bool {
    std::env::var(NO_JIT_ENV).map(|v| matches!(v.trim(), "1" | "true" | "yes")).unwrap_or(false)
}

static WARNED: Once = Once::new();

/// Prints the fallback notice, the first time only.
pub(crate) fn warn_once(reason: &str) {
    WARNED.call_once(|| {
        eprintln!("strata: warning: {reason}; running all kernels on the interpreter (tier 0)");
    });
}

/// Whether a JIT compile failed because executable memory could not be had (rather than
/// because of the code): those failures fall back to the interpreter.
pub(crate) fn is_memory_failure(e: &crate::CompileError) -> bool {
    match e {
        #[cfg(feature = "cranelift")]
        crate::CompileError::Cranelift(strata_cranelift::CompileError::Module(_)) => true,
        #[cfg(feature = "llvm")]
        crate::CompileError::Llvm(strata_llvm::CompileError::Jit(_)) => true,
        _ => false,
    }
}
