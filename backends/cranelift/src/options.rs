//! What the caller can ask of tier 1: the Cranelift optimization level, whether compiled code
//! counts fuel and call depth (see `strata_ir::abi`), and whether Cranelift's own IR verifier
//! runs on the generated CLIF.

/// Cranelift's optimization level.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, Default)]
pub enum OptLevel {
    /// Fastest compilation: no mid-end optimizations.
    None,
    /// Cranelift's e-graph mid-end (GVN, LICM, constant folding, alias analysis).
    #[default]
    Speed,
}

/// Options of one [`crate::compile`] call.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub struct CraneliftOptions {
    pub opt_level: OptLevel,
    /// Decrement `VmContext::fuel` on every loop back-edge and call; trap `fuel_exhausted`
    /// when it goes below zero.
    pub fuel: bool,
    /// Count nested calls in `VmContext::depth_remaining`; trap `stack_overflow` at zero.
    pub depth_limit: bool,
    /// Run Cranelift's verifier on every generated function (slower; for tests and debugging).
    pub verify: bool,
}

impl Default for CraneliftOptions {
    /// Optimized code without fuel, with the depth limit (so runaway recursion traps instead
    /// of overflowing the native stack), without the CLIF verifier.
    fn default() -> Self {
        CraneliftOptions { opt_level: OptLevel::Speed, fuel: false, depth_limit: true, verify: false }
    }
}
