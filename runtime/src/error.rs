//! [`Error`]: everything that can go wrong before a call runs — loading source, IR or BPF,
//! compiling, looking up a function, checking a typed signature, specializing. Traps during
//! calls are [`crate::Trap`], not this type.

use crate::tier::Tier;

/// Why loading, compiling or looking up a kernel failed. Messages say what and where;
/// frontend errors carry their rendered diagnostics (file, line, column, caret).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// Kernel-language source did not compile: every diagnostic, rendered.
    #[error("{0}")]
    Source(String),
    /// IR text did not parse or the IR does not verify.
    #[error("{0}")]
    Ir(String),
    /// A BPF program could not be decoded, verified or lifted.
    #[error("{0}")]
    Bpf(String),
    /// A compiled tier failed to compile the module.
    #[error("compiling on tier {tier}: {message}")]
    Compile { tier: Tier, message: String },
    /// Executable memory could not be mapped for JIT code (the engine then falls back to
    /// the interpreter; this error only surfaces where no fallback applies).
    #[error("tier {tier}: executable memory refused: {message}")]
    NoExecutableMemory { tier: Tier, message: String },
    /// The module has no function of that name.
    #[error("no function named `{0}`")]
    NoSuchFunction(String),
    /// The function exists but is not `export`.
    #[error("function `{0}` is not exported")]
    NotExported(String),
    /// The Rust types asked for do not match the function's signature.
    #[error("function `{function}`: {message}")]
    Signature { function: String, message: String },
    /// Specialization failed (unknown parameter, wrong kind of value, …).
    #[error("specializing `{function}`: {message}")]
    Specialize { function: String, message: String },
    /// The tier is not included in this build (cargo features).
    #[error("tier `{0}` is not included in this build (enable its cargo feature)")]
    Unavailable(Tier),
}
