//! Strata: a tiered compiler library for Rust programs that need machine code at run time
//! or at build time. This facade re-exports the pieces and holds what the CLI and the
//! cross-crate tests share (loading sources, JSON arguments). The compiler proper lives in
//! the workspace crates: `strata-ir` (IR, verifier, interpreter, passes), `strata-frontend`
//! (kernel language, BPF), `strata-cranelift` (tier 1), `strata-llvm` (tier 2 and AOT) and
//! `strata-runtime` (Engine).

pub mod bpf;
pub mod json_args;
pub mod source;

pub use strata_frontend as frontend;
pub use strata_ir as ir;
