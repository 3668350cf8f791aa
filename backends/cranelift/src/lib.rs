//! Strata tier 1: Strata IR → Cranelift IR → machine code in memory (cranelift-jit).
//!
//! [`compile`] turns a [`strata_ir::Module`] into a [`CompiledModule`] whose exported
//! functions follow the one compiled-code ABI of `strata_ir::abi`: a direct entry point
//! `extern "C" fn(abi params…, ctx: *mut VmContext) -> ret` and an array-call trampoline
//! ([`strata_ir::ArrayCallFn`]). Traps never raise signals: they store a code in the
//! context and return, and callers return at once after a callee trapped. Fuel and a
//! call-depth limit are optional ([`CraneliftOptions`]). Results match the interpreter bit
//! for bit in strict float mode (NaN payloads aside).
//!
//! Vectors of 128 bits map to Cranelift vectors; wider ones are split into 128-bit parts
//! and narrower ones into scalars; bool vectors are masks (see the `repr` module).
//! Cranelift types never appear in this crate's API.
//!
//! Files: `compile` (driver), `compiled` (the result and its memory), `isa` (host target),
//! `abi` (signatures), `repr` (value forms), `symbols` (math functions and libcalls),
//! `trampoline` (array-call entry points), `lower/` (one IR function to CLIF).

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
