//! Strata tier 2 and AOT: Strata IR → LLVM IR (through inkwell, LLVM 19) → LLVM's
//! optimization pipeline for the host CPU (or a named one) → machine code, either loaded in
//! this process ([`compile`], a JIT on ORC) or written out ([`emit`]: object code, assembly
//! or `.ll` text, for any triple LLVM was built with). [`dump`] shows the LLVM IR before and
//! after the pipeline.
//!
//! Compiled code follows the one ABI of `strata_ir::abi`: every function is an
//! `extern "C" fn(abi params…, ctx: *mut VmContext) -> ret` (a slice is a pointer and an
//! `i64` length, `bool` an `i8`), and every exported function also gets an array-call
//! trampoline named `array_call_symbol(name)`. Traps store their code in the context and
//! return. Strict float code computes exactly what the interpreter computes (`docs/ir.md`).
//!
//! Layout: `lower` turns IR into LLVM IR (one file per concern),
//! `pipeline` verifies and optimizes, `jit` and `emit` are the two drivers (`object` makes
//! and loads JIT objects for a disk cache, `orc` owns the shared ORC JIT), `target` makes
//! target machines. inkwell types never appear in the public API.

mod bundle;
mod emit;
mod error;
mod jit;
mod lower;
mod object;
mod options;
mod orc;
mod parts;
mod pipeline;
mod target;
mod warm_up;
mod workers;

pub use emit::{dump, emit};
pub use error::CompileError;
pub use jit::{compile, CallError, CompileTimings, CompiledFunc, CompiledModule};
pub use object::{compile_object, load_object};
pub use options::{EmitKind, LlvmOptions};
pub use warm_up::warm_up;

/// The LLVM version this backend was built against, as LLVM reports it.
pub fn llvm_version() -> (u32, u32, u32) {
    inkwell::support::get_llvm_version()
}

/// The host's LLVM target triple and CPU name (what `target_cpu: None` compiles for).
pub fn host_target() -> (String, String) {
    let spec = target::TargetSpec::new(&LlvmOptions::default(), None);
    (spec.triple, spec.cpu)
}

/// The triple, CPU name and feature string (`+avx2,+fma,-avx512f,…`) that `opts` compiles
/// JIT code for: what a cache of machine code must key on.
pub fn jit_target(opts: &LlvmOptions) -> (String, String, String) {
    let spec = target::TargetSpec::new(opts, None);
    (spec.triple, spec.cpu, spec.features)
}
