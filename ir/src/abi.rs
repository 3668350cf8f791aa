//! The one compiled-code ABI shared by tier 1, tier 2 and AOT objects (DESIGN.md,
//! "Execution and the runtime"). An exported function `f(p0, …, pn)` compiles to
//! `extern "C" fn(abi params…, ctx: *mut VmContext) -> ret`: slices are a `ptr` and an
//! `i64` length, `bool` is passed as an `i8` 0/1, and the last parameter is the context.
//! A trap stores its code in `ctx.trap_code` and returns (the return value is then
//! meaningless); nothing unwinds and no signal handler is needed. Internal calls pass the
//! same context and the caller returns at once when the callee left a trap code.
//!
//! Host functions (`call_host`) all have one native type, [`HostCallFn`]: compiled code
//! stores the call's arguments into a stack array of `u64` slots (the [`ArrayCallFn`] slot
//! encoding), calls `ctx.host_table[index](ctx, index, args, &mut ret)` and, unless the host
//! left a trap code in `ctx`, reads the result from `ret`. One signature for every extern is
//! what lets an embedder register Rust closures: the runtime installs a single dispatcher
//! in every table entry and finds the closure from `index` and `ctx.user_data`, instead of
//! needing one native `extern "C"` function per declared signature.
//! This file only fixes the layout; backends emit code against it, the runtime fills it.

/// The context every compiled function receives as its last argument.
#[repr(C)]
#[derive(Debug)]
pub struct VmContext {
    /// 0 while running normally; a [`crate::TrapCode::to_u32`] value after a trap.
    pub trap_code: u32,
    /// Calls still allowed to nest before `stack_overflow` (checked on function entry
    /// when the code was compiled with a depth limit).
    pub depth_remaining: u32,
    /// Remaining fuel, when the code was compiled with fuel: decremented by one on each
    /// loop back-edge and call; going below zero traps `fuel_exhausted`.
    pub fuel: i64,
    /// Host functions, indexed by [`crate::ExternId`]: each entry is a [`HostCallFn`], or
    /// null for a host function the embedder did not provide (calling it traps
    /// `host_error`, as in the interpreter).
    pub host_table: *const *const u8,
    /// Number of entries in `host_table`.
    pub host_count: u64,
    /// Opaque pointer for the embedder's host functions.
    pub user_data: *mut u8,
    /// Lowest native stack address compiled code may run at: with a depth limit, a function
    /// whose stack pointer is below it on entry traps `stack_overflow` (like running out of
    /// depth), so deep recursion with big frames traps before it overflows the real stack.
    /// 0 disables the check. The runtime sets it below the caller's stack pointer.
    pub stack_limit: u64,
}

impl VmContext {
    pub const OFFSET_TRAP_CODE: i32 = 0;
    pub const OFFSET_DEPTH_REMAINING: i32 = 4;
    pub const OFFSET_FUEL: i32 = 8;
    pub const OFFSET_HOST_TABLE: i32 = 16;
    pub const OFFSET_HOST_COUNT: i32 = 24;
    pub const OFFSET_USER_DATA: i32 = 32;
    pub const OFFSET_STACK_LIMIT: i32 = 40;

    /// A context with no host functions, no fuel limit and a call-depth budget of `depth`.
    pub fn new(depth: u32) -> Self {
        VmContext {
            trap_code: 0,
            depth_remaining: depth,
            fuel: i64::MAX,
            host_table: std::ptr::null(),
            host_count: 0,
            user_data: std::ptr::null_mut(),
            stack_limit: 0,
        }
    }
}

impl Default for VmContext {
    fn default() -> Self {
        VmContext::new(DEFAULT_MAX_CALL_DEPTH)
    }
}

/// Default limit on nested calls before `stack_overflow`.
pub const DEFAULT_MAX_CALL_DEPTH: u32 = 10_000;

/// How much native stack below the caller's stack pointer compiled code may use before
/// `stack_overflow` (see [`VmContext::stack_limit`]): half of the 2 MiB Rust gives spawned
/// threads, leaving the rest to the caller and to host functions.
pub const DEFAULT_STACK_BUDGET: u64 = 1 << 20;

impl VmContext {
    /// Sets [`VmContext::stack_limit`] to `budget` bytes below the current stack pointer
    /// (approximately: the address of a local of this function).
    #[inline(never)]
    pub fn limit_stack_from_here(&mut self, budget: u64) {
        let marker = 0u8;
        let sp = std::hint::black_box(&marker) as *const u8 as u64;
        self.stack_limit = sp.saturating_sub(budget);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::offset_of;

    #[test]
    fn offsets_match_layout() {
        assert_eq!(offset_of!(VmContext, trap_code) as i32, VmContext::OFFSET_TRAP_CODE);
        assert_eq!(offset_of!(VmContext, depth_remaining) as i32, VmContext::OFFSET_DEPTH_REMAINING);
        assert_eq!(offset_of!(VmContext, fuel) as i32, VmContext::OFFSET_FUEL);
        assert_eq!(offset_of!(VmContext, host_table) as i32, VmContext::OFFSET_HOST_TABLE);
        assert_eq!(offset_of!(VmContext, host_count) as i32, VmContext::OFFSET_HOST_COUNT);
        assert_eq!(offset_of!(VmContext, user_data) as i32, VmContext::OFFSET_USER_DATA);
        assert_eq!(offset_of!(VmContext, stack_limit) as i32, VmContext::OFFSET_STACK_LIMIT);
    }
}

/// The uniform dynamic entry point every backend generates next to each exported function
/// (a trampoline, like wasmtime's array-call ABI), so that callers that only know the
/// signature at run time (the CLI, the differential tests, the runtime's untyped path) can
/// call compiled code without generating glue per signature:
///
/// `args` points to one `u64` slot per ABI parameter (see [`Signature::abi_params`]); the
/// trampoline writes the result, if any, to `*ret`, then returns. Slot encoding: integers in
/// the low bits (narrow ones zero- or sign-extended, readers use only the low bits),
/// `bool` as 0/1, `f32` as its bits in the low 32 bits, `f64` as its bits, `ptr` as the
/// address. Trap reporting is through `ctx` as for direct calls.
///
/// [`Signature::abi_params`]: crate::Signature::abi_params
pub type ArrayCallFn = unsafe extern "C" fn(args: *const u64, ret: *mut u64, ctx: *mut VmContext);

/// The native type of every host function in `VmContext::host_table`.
///
/// `index` is the [`crate::ExternId`] index of the called extern (so one function can serve
/// every entry), `args` points to one `u64` slot per declared parameter (encoded as for
/// [`ArrayCallFn`]: integers in the low bits, `bool` 0/1, `f32` bits in the low 32 bits,
/// `f64` bits, `ptr` the address), and the function writes its result, if the extern
/// declares one, to `*ret` in the same encoding (readers use only the low bits of narrow
/// types). To fail, it stores a non-zero [`crate::TrapCode::to_u32`] in `(*ctx).trap_code`
/// and returns; the compiled caller then traps with that code. It must not unwind.
///
/// ```
/// use strata_ir::abi::{HostCallFn, VmContext};
/// // A host function doubling its one i64 argument.
/// unsafe extern "C" fn double(_ctx: *mut VmContext, _index: u64, args: *const u64, ret: *mut u64) {
///     unsafe { *ret = (*args as i64).wrapping_mul(2) as u64 };
/// }
/// let f: HostCallFn = double;
/// let (mut ctx, arg, mut ret) = (VmContext::default(), 21u64, 0u64);
/// unsafe { f(&mut ctx, 0, &arg, &mut ret) };
/// assert_eq!(ret, 42);
/// ```
pub type HostCallFn = unsafe extern "C" fn(ctx: *mut VmContext, index: u64, args: *const u64, ret: *mut u64);

/// Symbol of the array-call trampoline of exported function `name` in JIT modules and AOT
/// objects (the direct entry point keeps the plain name).
pub fn array_call_symbol(name: &str) -> String {
    format!("{name}__strata_array_call")
}

/// A math-library function that implements an opcode for one float type.
#[derive(Copy, Clone, Debug)]
pub struct MathFn {
    pub opcode: crate::Opcode,
    pub ty: crate::Type,
    /// The C library symbol (for AOT objects, which link against libm).
    pub libm_name: &'static str,
    /// The address of an implementation in this process (for the JITs). It calls the same
    /// C library function the interpreter uses, so all tiers agree bit for bit.
    pub addr: *const u8,
}

// SAFETY: `addr` points to an immutable function, safe to share between threads.
unsafe impl Send for MathFn {}
unsafe impl Sync for MathFn {}

macro_rules! math_fns {
    ($($op:ident $ty:ident $libm:literal $wrapper:ident ($($a:ident),*) $body:expr;)*) => {
        $(
            #[doc = concat!("`", $libm, "` as the interpreter computes it.")]
            pub extern "C" fn $wrapper($($a: math_ty!($ty)),*) -> math_ty!($ty) { $body }
        )*
        /// Every math-library function the tiers call, keyed by opcode and type.
        pub fn math_fns() -> &'static [MathFn] {
            static TABLE: std::sync::OnceLock<Vec<MathFn>> = std::sync::OnceLock::new();
            TABLE.get_or_init(|| vec![$(MathFn {
                opcode: crate::Opcode::$op,
                ty: crate::Type::$ty,
                libm_name: $libm,
                addr: $wrapper as *const u8,
            }),*])
        }
    };
}
macro_rules! math_ty {
    (F32) => {
        f32
    };
    (F64) => {
        f64
    };
}

math_fns! {
    Fexp F32 "expf" strata_expf(x) x.exp();
    Fexp F64 "exp" strata_exp(x) x.exp();
    Flog F32 "logf" strata_logf(x) x.ln();
    Flog F64 "log" strata_log(x) x.ln();
    Fsin F32 "sinf" strata_sinf(x) x.sin();
    Fsin F64 "sin" strata_sin(x) x.sin();
    Fcos F32 "cosf" strata_cosf(x) x.cos();
    Fcos F64 "cos" strata_cos(x) x.cos();
    Fpow F32 "powf" strata_powf(x, y) quiet_f32(x).powf(quiet_f32(y));
    Fpow F64 "pow" strata_pow(x, y) quiet_f64(x).powf(quiet_f64(y));
}

// `pow` is the one math function whose result tells a signalling NaN from a quiet one: C's
// `pow(x, ±0)` and `pow(1, y)` are 1 for a quiet NaN but NaN for a signalling one (glibc).
// NaN bits are unspecified in Strata (docs/ir.md), and tiers differ in whether `fmin` or a
// move quiets a NaN, so `fpow` quiets its operands first: every NaN then acts alike. Done on
// the bits (setting the quiet bit) so no compiler can fold it away as a no-op.
fn quiet_f32(x: f32) -> f32 {
    f32::from_bits(x.to_bits() | if x.is_nan() { 1 << 22 } else { 0 })
}
fn quiet_f64(x: f64) -> f64 {
    f64::from_bits(x.to_bits() | if x.is_nan() { 1 << 51 } else { 0 })
}

/// The math function implementing `opcode` on `ty`, if it is one.
pub fn math_fn(opcode: crate::Opcode, ty: crate::Type) -> Option<&'static MathFn> {
    math_fns().iter().find(|m| m.opcode == opcode && m.ty == ty)
}

#[cfg(test)]
mod math_tests {
    use super::*;

    #[test]
    fn math_table_covers_transcendentals() {
        use crate::{Opcode, Type};
        for op in [Opcode::Fexp, Opcode::Flog, Opcode::Fsin, Opcode::Fcos, Opcode::Fpow] {
            for ty in [Type::F32, Type::F64] {
                assert!(math_fn(op, ty).is_some(), "{op} {ty}");
            }
        }
        assert_eq!(strata_expf(0.0), 1.0);
        // Signalling NaNs act like quiet ones (glibc's pow(sNaN, 0) would be NaN).
        let snan64 = f64::from_bits(0x7ff0_0000_0000_0001);
        let snan32 = f32::from_bits(0x7f80_0001);
        assert_eq!(strata_pow(snan64, 0.0), 1.0);
        assert_eq!(strata_pow(1.0, snan64), 1.0);
        assert_eq!(strata_powf(snan32, -0.0), 1.0);
        assert_eq!(strata_powf(1.0, snan32), 1.0);
        assert!(strata_pow(snan64, 2.0).is_nan());
        assert_eq!(strata_pow(2.0, 10.0), 1024.0);
        assert_eq!(array_call_symbol("ola"), "ola__strata_array_call");
    }
}
