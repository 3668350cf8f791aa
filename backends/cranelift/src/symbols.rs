//! Functions the generated code calls by symbol: the math functions every tier shares
//! (`strata_ir::abi::math_fns`, for `fexp flog fsin fcos fpow`) and the libcalls Cranelift
//! emits when the CPU lacks an instruction (fused multiply-add without FMA, rounding without
//! SSE4.1). Both are registered in the JIT's own symbol table under reserved names, so
//! nothing is looked up with `dlsym` and the results are the ones the interpreter computes
//! (Rust's `mul_add`, `floor`, `round_ties_even`, …).

use cranelift_codegen::ir::LibCall;
use cranelift_jit::JITBuilder;
use strata_ir::abi::MathFn;

/// Prefix of every symbol this crate defines; IR function names may not contain it.
pub(crate) const RESERVED_PREFIX: &str = "__strata_";

const MATH_PREFIX: &str = "__strata_math_";

/// The JIT symbol of a math function.
pub(crate) fn math_symbol(m: &MathFn) -> String {
    format!("{MATH_PREFIX}{}", m.libm_name)
}

extern "C" fn fma_f32(a: f32, b: f32, c: f32) -> f32 {
    a.mul_add(b, c)
}
extern "C" fn fma_f64(a: f64, b: f64, c: f64) -> f64 {
    a.mul_add(b, c)
}
extern "C" fn ceil_f32(a: f32) -> f32 {
    a.ceil()
}
extern "C" fn ceil_f64(a: f64) -> f64 {
    a.ceil()
}
extern "C" fn floor_f32(a: f32) -> f32 {
    a.floor()
}
extern "C" fn floor_f64(a: f64) -> f64 {
    a.floor()
}
extern "C" fn trunc_f32(a: f32) -> f32 {
    a.trunc()
}
extern "C" fn trunc_f64(a: f64) -> f64 {
    a.trunc()
}
extern "C" fn nearest_f32(a: f32) -> f32 {
    a.round_ties_even()
}
extern "C" fn nearest_f64(a: f64) -> f64 {
    a.round_ties_even()
}

/// The float libcalls this crate implements, with their symbols and addresses.
fn own_libcalls() -> [(LibCall, &'static str, *const u8); 10] {
    [
        (LibCall::FmaF32, "__strata_libcall_fmaf", fma_f32 as *const u8),
        (LibCall::FmaF64, "__strata_libcall_fma", fma_f64 as *const u8),
        (LibCall::CeilF32, "__strata_libcall_ceilf", ceil_f32 as *const u8),
        (LibCall::CeilF64, "__strata_libcall_ceil", ceil_f64 as *const u8),
        (LibCall::FloorF32, "__strata_libcall_floorf", floor_f32 as *const u8),
        (LibCall::FloorF64, "__strata_libcall_floor", floor_f64 as *const u8),
        (LibCall::TruncF32, "__strata_libcall_truncf", trunc_f32 as *const u8),
        (LibCall::TruncF64, "__strata_libcall_trunc", trunc_f64 as *const u8),
        (LibCall::NearestF32, "__strata_libcall_nearbyintf", nearest_f32 as *const u8),
        (LibCall::NearestF64, "__strata_libcall_nearbyint", nearest_f64 as *const u8),
    ]
}

/// Names for Cranelift's libcalls: ours for float operations, the usual C names otherwise.
pub(crate) fn libcall_names() -> Box<dyn Fn(LibCall) -> String + Send + Sync> {
    let fallback = cranelift_module::default_libcall_names();
    Box::new(move |lc| match own_libcalls().iter().find(|(l, _, _)| *l == lc) {
        Some((_, name, _)) => (*name).to_string(),
        None => fallback(lc),
    })
}

/// The address of one of this crate's symbols.
fn lookup(name: &str) -> Option<*const u8> {
    match name.strip_prefix(MATH_PREFIX) {
        Some(libm) => strata_ir::abi::math_fns().iter().find(|m| m.libm_name == libm).map(|m| m.addr),
        None => own_libcalls().iter().find(|(_, n, _)| *n == name).map(|(_, _, a)| *a),
    }
}

/// Makes `builder` resolve the math functions and float libcalls (looked up on first
/// reference, before the `dlsym` fallback; cheaper than filling the symbol table up front).
pub(crate) fn register(builder: &mut JITBuilder) {
    builder.symbol_lookup_fn(Box::new(lookup));
}
