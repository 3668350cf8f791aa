//! What can go wrong when running IR: a [`Trap`] (the program stopped abnormally, with the
//! same code every tier reports), or an [`InterpError`] about the call itself (unknown or
//! unexported function, bad arguments) or about IR the decoder cannot run.

use crate::instructions::TrapCode;

/// Execution stopped abnormally: the trap code and the function whose instruction trapped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("trap `{code}` in function `{function}`")]
pub struct Trap {
    pub code: TrapCode,
    pub function: String,
}

/// Why [`crate::interp::Interpreter::new`] or a call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InterpError {
    /// The program trapped.
    #[error(transparent)]
    Trap(#[from] Trap),
    /// No function has this name (or id).
    #[error("no function named `{0}`")]
    NoSuchFunction(String),
    /// The function exists but is not `export`, so the embedder may not call it.
    #[error("function `{0}` is not exported")]
    NotExported(String),
    /// The arguments do not match the signature; `message` names the parameter.
    #[error("bad arguments to `{function}`: {message}")]
    BadArguments { function: String, message: String },
    /// The decoder found an inconsistency (bad entity reference, missing terminator,
    /// mismatched types, …): the IR would not pass the verifier.
    #[error("invalid IR in function `{function}`: {message}")]
    InvalidIr { function: String, message: String },
    /// Valid IR beyond what the interpreter supports (vectors wider than 512 bits,
    /// stack frames beyond the interpreter's limit).
    #[error("unsupported IR in function `{function}`: {message}")]
    Unsupported { function: String, message: String },
}

impl InterpError {
    /// The trap code, if this error is a trap.
    pub fn trap_code(&self) -> Option<TrapCode> {
        match self {
            InterpError::Trap(t) => Some(t.code),
            _ => None,
        }
    }
}
