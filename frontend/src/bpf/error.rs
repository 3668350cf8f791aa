//! The one error type of the BPF frontend: an instruction (or source line) index and a reason.

use thiserror::Error;

/// A BPF error at instruction slot `index` (for the assembler: at source line `index`, 1-based).
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("instruction {index}: {message}")]
pub struct BpfError {
    pub index: usize,
    pub message: String,
}

impl BpfError {
    /// An error at `index`.
    pub fn new(index: usize, message: impl Into<String>) -> Self {
        BpfError { index, message: message.into() }
    }
}
