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
pub use strata_runtime as runtime;

/// The runtime API: `strata::Engine`, `strata::Tier`, … (see [`strata_runtime`]).
///
/// ```
/// let engine = strata::Engine::builder().tier(strata::Tier::Interpreter).build();
/// let m = engine.load_source("inc.sk", "export fn inc(x: i32) -> i32 { return x + 1; }").unwrap();
/// assert_eq!(m.get::<i32, i32>("inc").unwrap().call(41), Ok(42));
/// ```
pub use strata_runtime::{
    BpfInput, CompileEvent, Engine, EngineBuilder, EngineStats, Error, HostFn, Module, Tier, Trap, TrapCode, TypedFunc,
};
