//! Strata frontends: source languages lowered to Strata IR.
//!
//! - [`sk`]: the kernel language (`.sk`), a small Rust-like language for numeric and DSP
//!   kernels; reference in `docs/language.md`.
//! - [`bpf`]: BPF bytecode (RFC 9669): decoder, encoder, assembler, disassembler, verifier, lifter.
//!
//! The entry points for the kernel language are [`compile_source`], [`compile_bytes`] and
//! [`check_source`]. Errors come back as [`Diagnostics`], which print as plain
//! `file:line:col: error: message` lines or render with source excerpts and carets.
//!
//! ```
//! let src = "export fn scale(x: mut [f32], g: f32) { for i in 0..x.len() { x[i] *= g; } }";
//! let module = strata_frontend::compile_source("scale.sk", src).unwrap();
//! assert!(module.func_by_name("scale").is_some());
//!
//! let err = strata_frontend::compile_source("bad.sk", "fn f() -> f32 { return 1; }").unwrap_err();
//! assert_eq!(err.to_string().lines().next().unwrap(),
//!            "bad.sk:1:24: error: mismatched types: expected f32, found {integer}");
//! ```

pub mod bpf;
pub mod sk;

pub use sk::diagnostics::{Diagnostic, Diagnostics, Label};
use strata_ir::Module;

/// Compiles kernel-language source to an IR module, or returns every error found.
pub fn compile_source(file_name: &str, src: &str) -> Result<Module, Diagnostics> {
    sk::compile(file_name, src)
}

/// Checks kernel-language source without building IR: `Ok` if it would compile.
pub fn check_source(file_name: &str, src: &str) -> Result<(), Diagnostics> {
    sk::check(file_name, src)
}

/// Like [`compile_source`] for raw bytes: a file that is not UTF-8 is reported as a
/// diagnostic at the first invalid byte. (To render it, pass the lossy conversion
/// `String::from_utf8_lossy(bytes)` as the source; positions before the bad byte agree.)
pub fn compile_bytes(file_name: &str, bytes: &[u8]) -> Result<Module, Diagnostics> {
    match std::str::from_utf8(bytes) {
        Ok(src) => compile_source(file_name, src),
        Err(e) => Err(sk::diagnostics::invalid_utf8(file_name, bytes, e)),
    }
}
