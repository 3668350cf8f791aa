//! Strata tier 1: Strata IR → Cranelift IR → machine code in memory (cranelift-jit).
//!
//! [`compile`] turns a verified [`strata_ir::Module`] into a [`CompiledModule`] whose exported
//! functions follow the one compiled-code ABI of `strata_ir::abi`: a direct entry point
//! `extern "C" fn(abi params…, ctx: *mut VmContext) -> ret` and an array-call trampoline
//! ([`strata_ir::ArrayCallFn`]). Traps never raise signals: they store a code in the
//! context and return, and callers return at once after a callee trapped. Fuel and the
//! call-depth limit are optional ([`CraneliftOptions`]) and count exactly as the interpreter
//! does. Results match the interpreter bit for bit in strict float mode (NaN payloads
//! aside); the crate's tests compare every call they make with the interpreter.
//!
//! Vectors of 128 bits map to Cranelift vectors; wider ones are split into 128-bit parts and
//! narrower ones into scalars; bool vectors are masks (see `repr.rs`). [`clif_text`] shows
//! the generated CLIF. A [`CompiledModule`] frees its code when dropped and is `Send + Sync`
//! (see its documentation). Cranelift types never appear in this crate's API.
//!
//! Files: `compile.rs` (driver), `compiled.rs` (the result and its memory), `isa.rs` (host
//! target and flags), `abi.rs` (signatures), `repr.rs` (how IR values are held), `symbols.rs`
//! (math functions and libcalls), `trampoline.rs` (array-call entry points), and `lower/`
//! (one IR function to CLIF: the walk and terminators in `mod.rs`, then `guards` for traps,
//! fuel and depth, `lanes` for part/lane plumbing, `native` for which vector operations are
//! native, `int`, `float`, `convert`, `memory`, `vector` and `calls`).

mod abi;
mod compile;
mod compiled;
mod error;
mod isa;
mod lower;
mod options;
mod repr;
mod symbols;
mod trampoline;

pub use compile::{clif_text, compile};
pub use compiled::{CompiledFunc, CompiledModule};
pub use error::CompileError;
pub use options::{CraneliftOptions, OptLevel};
