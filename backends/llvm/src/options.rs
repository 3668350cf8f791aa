//! Options of the LLVM tier and the kinds of AOT output.

/// How to compile a module with LLVM.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LlvmOptions {
    /// LLVM's pipeline level: 0 runs `default<O0>` (no optimization), 1–3 run
    /// `default<O1>` … `default<O3>`; machine code is generated at the matching level.
    pub opt_level: u8,
    /// The CPU to generate code for (an LLVM CPU name such as `znver3`, `x86-64-v3` or
    /// `neoverse-n1`). `None` means the host CPU with its detected features when compiling
    /// for the host, and `generic` for another target triple. JIT code for a CPU the host
    /// does not implement may fault with an illegal instruction.
    pub target_cpu: Option<String>,
    /// Count fuel: decrement `VmContext::fuel` on every loop back-edge and every call,
    /// trapping `fuel_exhausted` when it goes below zero.
    pub fuel: bool,
    /// Limit call depth: each function entry takes one from `VmContext::depth_remaining`
    /// (trapping `stack_overflow` at zero) and gives it back on exit.
    pub depth_limit: bool,
    /// JIT only ([`crate::compile`]): compile each exported function of a module with its
    /// callees on a thread of its own (this thread and helper threads, one fewer than the
    /// CPUs, at most 7), each into an object of its own. `false` compiles the whole module
    /// on the calling thread (what a background compile at low priority wants: helpers run
    /// at normal priority). The code is the same either way, except that a callee shared by
    /// two exports is compiled into each.
    pub parallel: bool,
}

impl Default for LlvmOptions {
    /// `O3` for the host CPU, no fuel, with the call-depth limit, parallel.
    fn default() -> Self {
        LlvmOptions { opt_level: 3, target_cpu: None, fuel: false, depth_limit: true, parallel: true }
    }
}

impl LlvmOptions {
    /// The default options at optimization level `opt_level`.
    pub fn with_opt_level(opt_level: u8) -> Self {
        LlvmOptions { opt_level, ..LlvmOptions::default() }
    }
}

/// What [`crate::emit`] produces.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum EmitKind {
    /// A relocatable object file (ELF, Mach-O or COFF, as the triple says).
    Object,
    /// Assembly text.
    Assembly,
    /// LLVM IR text after the optimization pipeline.
    LlvmIr,
    /// LLVM IR text as generated from the Strata IR, before any LLVM pass.
    LlvmIrUnoptimized,
}
