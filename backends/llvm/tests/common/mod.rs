//! Shared helpers of the integration tests: building small IR functions, compiling them at
//! O0 and O3, calling them through their array-call trampolines, and comparing results
//! (floats by bits, any NaN equal to any NaN).
#![allow(dead_code)]

pub mod kernels;
pub mod random_ir;
pub mod suite;

use strata_ir::{Function, FunctionBuilder, Linkage, Module, Param, Signature, Type, Value, VmContext};
use strata_llvm::{compile, CallError, CompiledFunc, CompiledModule, LlvmOptions};

/// Scalar parameters `p0, p1, …` of the given types.
pub fn scalars(tys: &[Type]) -> Vec<Param> {
    tys.iter().enumerate().map(|(i, &t)| Param::scalar(format!("p{i}"), t)).collect()
}

/// An exported function whose body `body` builds (including its terminator).
pub fn function(
    name: &str,
    params: Vec<Param>,
    ret: Option<Type>,
    body: impl FnOnce(&mut FunctionBuilder, &[Value]),
) -> Function {
    let mut f = Function::new(name, Linkage::Export, Signature::new(params, ret));
    let mut b = FunctionBuilder::new(&mut f);
    let ps = b.create_entry_block();
    body(&mut b, &ps);
    b.seal_all_blocks();
    b.finalize().expect("test IR is well formed");
    f
}

/// An exported function `name(params…) -> ret { return body(params) }`.
pub fn simple(
    name: &str,
    params: &[Type],
    ret: Type,
    body: impl FnOnce(&mut FunctionBuilder, &[Value]) -> Value,
) -> Function {
    function(name, scalars(params), Some(ret), |b, ps| {
        let v = body(b, ps);
        b.ret(Some(v));
    })
}

/// A module holding `funcs`.
pub fn module(funcs: Vec<Function>) -> Module {
    let mut m = Module::new();
    for f in funcs {
        m.add_function(f);
    }
    m
}

/// The options each topic test compiles with: O0 and O3 for the host CPU, and O2 for the
/// baseline CPU of the architecture (on x86-64 no SSE4.1 or FMA: rounding and `fma` become
/// C library calls that the JIT resolves from the process).
pub fn levels() -> [LlvmOptions; 3] {
    let baseline = if cfg!(target_arch = "x86_64") { "x86-64" } else { "generic" };
    [
        LlvmOptions::with_opt_level(0),
        LlvmOptions::with_opt_level(3),
        LlvmOptions { target_cpu: Some(baseline.into()), ..LlvmOptions::with_opt_level(2) },
    ]
}

/// `m` compiled with each of [`levels`].
pub fn compile_levels(m: &Module) -> Vec<CompiledModule> {
    levels().iter().map(|o| compile(m, o).unwrap_or_else(|e| panic!("compile at O{}: {e}", o.opt_level))).collect()
}

/// Function `name` of `m`.
pub fn func(m: &CompiledModule, name: &str) -> CompiledFunc {
    m.function(name).unwrap_or_else(|| panic!("no function {name}"))
}

/// Calls `f` with a fresh default context.
pub fn call(f: &CompiledFunc, args: &[u64]) -> Result<Option<u64>, CallError> {
    let mut ctx = VmContext::default();
    // SAFETY: tests pass slices as (pointer, length) of live Rust slices.
    unsafe { f.call(args, &mut ctx) }
}

/// Calls `f` and expects a result slot.
pub fn call_ok(f: &CompiledFunc, args: &[u64]) -> u64 {
    match call(f, args) {
        Ok(Some(v)) => v,
        other => panic!("{}({args:x?}) gave {other:?}", f.name()),
    }
}

pub fn f32_slot(x: f32) -> u64 {
    x.to_bits() as u64
}
pub fn f64_slot(x: f64) -> u64 {
    x.to_bits()
}
pub fn slot_f32(s: u64) -> f32 {
    f32::from_bits(s as u32)
}
pub fn slot_f64(s: u64) -> f64 {
    f64::from_bits(s)
}

/// Slice arguments: pointer and length.
pub fn slice_args<T>(s: &[T]) -> [u64; 2] {
    [s.as_ptr() as u64, s.len() as u64]
}

/// Float results equal bit for bit, or both NaN.
pub fn same_f32(a: f32, b: f32) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}
pub fn same_f64(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

/// Interesting f32 inputs: signed zeros, infinities, NaN, subnormals, halves, extremes.
pub const F32S: &[f32] = &[
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    -0.5,
    1.5,
    2.5,
    -2.5,
    3.7,
    -3.7,
    1e-40,
    -1e-40,
    f32::MIN_POSITIVE,
    f32::MAX,
    f32::MIN,
    f32::INFINITY,
    f32::NEG_INFINITY,
    f32::NAN,
    -f32::NAN,
    16777217.0,
    2147483648.0,
    -2147483904.0,
    4294967296.0,
    1e20,
    -1e20,
    0.1,
    100.25,
];

/// Interesting f64 inputs.
pub const F64S: &[f64] = &[
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    -0.5,
    1.5,
    2.5,
    -2.5,
    3.7,
    -3.7,
    1e-310,
    -1e-310,
    f64::MIN_POSITIVE,
    f64::MAX,
    f64::MIN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
    -f64::NAN,
    9007199254740993.0,
    9.223372036854776e18,
    -9.223372036854778e18,
    1.8446744073709552e19,
    1e300,
    0.1,
    100.25,
];

/// Interesting i64 inputs (truncated to narrower widths where used).
pub const I64S: &[i64] = &[
    0,
    1,
    -1,
    2,
    -2,
    7,
    -7,
    31,
    32,
    33,
    63,
    64,
    65,
    127,
    128,
    255,
    0x5a5a,
    0x1234_5678,
    -0x1234_5678_9abc,
    i8::MIN as i64,
    i8::MAX as i64,
    i16::MIN as i64,
    i16::MAX as i64,
    i32::MIN as i64,
    i32::MAX as i64,
    u32::MAX as i64,
    i64::MIN,
    i64::MAX,
];

/// IEEE-754-2019 minimum (the semantics of `fmin`).
pub fn minimum_f64(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if a == b {
        if a.is_sign_negative() {
            a
        } else {
            b
        }
    } else {
        a.min(b)
    }
}

/// IEEE-754-2019 maximum (the semantics of `fmax`).
pub fn maximum_f64(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if a == b {
        if a.is_sign_positive() {
            a
        } else {
            b
        }
    } else {
        a.max(b)
    }
}

pub fn minimum_f32(a: f32, b: f32) -> f32 {
    minimum_f64(a as f64, b as f64) as f32
}
pub fn maximum_f32(a: f32, b: f32) -> f32 {
    maximum_f64(a as f64, b as f64) as f32
}

/// splitmix64: deterministic, so failures reproduce.
pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }
}
