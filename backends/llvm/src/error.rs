//! The one error type of this crate. Each variant says which side is at fault: the caller
//! (bad options, IR this backend cannot express), the IR (malformed input the verifier should
//! have rejected), or LLVM / this crate (internal failures, reported instead of panicking).

/// Why compiling, emitting or dumping a module failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompileError {
    /// An [`crate::LlvmOptions`] field is out of range (e.g. `opt_level` above 3).
    #[error("invalid option: {0}")]
    InvalidOption(String),
    /// The target triple or CPU could not be turned into an LLVM target machine.
    #[error("target `{triple}`: {message}")]
    Target { triple: String, message: String },
    /// Verified IR that this backend cannot express at the ABI (e.g. a vector parameter of
    /// an exported function, which the array-call trampoline has no slot encoding for).
    #[error("unsupported in `{func}`: {message}")]
    Unsupported { func: String, message: String },
    /// The Strata verifier rejected the module (every problem, one per line).
    #[error("invalid IR:\n{0}")]
    InvalidIr(strata_ir::verifier::VerifierErrors),
    /// Two symbols of the output would have the same name (an exported function named like
    /// another export's array-call trampoline, or like a C library function the code calls).
    #[error("symbol `{0}` is defined twice (or clashes with a library function)")]
    SymbolClash(String),
    /// IR that breaks an invariant the verifier checks, found while lowering (the verifier
    /// runs first, so this means the two disagree: a bug to report).
    #[error("malformed IR in `{func}`: {message}")]
    MalformedIr { func: String, message: String },
    /// LLVM's verifier rejected the generated module: a bug in this crate. `ll` is the
    /// module text as generated, written before verification so it can be read.
    #[error("LLVM rejected the generated IR: {message}")]
    LlvmVerify { message: String, ll: String },
    /// The LLVM pass pipeline failed to run.
    #[error("LLVM pass pipeline `{pipeline}` failed: {message}")]
    Passes { pipeline: String, message: String },
    /// Machine-code generation failed.
    #[error("code generation failed: {0}")]
    Codegen(String),
    /// Loading the object code into the JIT failed (or executable memory was refused).
    #[error("JIT: {0}")]
    Jit(String),
    /// An LLVM builder call failed: a bug in this crate.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<inkwell::builder::BuilderError> for CompileError {
    fn from(e: inkwell::builder::BuilderError) -> Self {
        CompileError::Internal(format!("LLVM builder: {e}"))
    }
}

/// Result type of this crate.
pub type Result<T, E = CompileError> = std::result::Result<T, E>;
