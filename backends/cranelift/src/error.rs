//! Why tier 1 could not compile a module. Every variant that concerns one function names it.

/// A compilation failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompileError {
    /// The IR uses something tier 1 cannot express (e.g. a vector parameter of an exported
    /// function, which the array-call slot encoding has no room for).
    #[error("function `{func}`: {what} is not supported by the Cranelift backend")]
    Unsupported { func: String, what: String },
    /// The IR breaks an invariant the verifier should have caught (an unknown value, a type
    /// mismatch, a missing entry block, …).
    #[error("function `{func}`: invalid IR: {message}")]
    InvalidIr { func: String, message: String },
    /// Cranelift rejected the generated code (its verifier, or a lowering it lacks).
    #[error("function `{func}`: Cranelift failed: {message}")]
    Codegen { func: String, message: String },
    /// The host ISA could not be set up.
    #[error("host ISA not supported by Cranelift: {0}")]
    Isa(String),
    /// The JIT module failed outside any one function (declaration, memory, finalization).
    #[error("JIT module: {0}")]
    Module(String),
}
