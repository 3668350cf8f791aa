//! The built-in functions (`sqrt`, `min`, `clamp`, …): their names and typing rules for the
//! checker, and the IR each one lowers to.
//!
//! Every intrinsic takes arguments of one type and returns that type. Most are one IR
//! instruction. The exceptions, and why:
//! - `abs` on integers is `smax(x, -x)` (wrapping: `abs(i32::MIN)` is `i32::MIN`); the IR
//!   has no integer `abs`.
//! - `clamp(x, lo, hi)` is `min(max(x, lo), hi)`, so with floats a NaN in any operand gives
//!   NaN, and `lo > hi` gives `hi` (no trap).
//! - `round` rounds half away from zero, as Rust's `f32::round` does; the IR only has
//!   `fnearest` (ties to even, offered as `round_even`), so `round` is the exact sequence
//!   `t = trunc(x); |x - t| >= 0.5 ? t + copysign(1, x) : t`. Each step is exact (`x - t`
//!   is the fractional part, which is representable; `t ± 1` is an integer below 2^53), so
//!   the result is the correctly rounded one for every input, including ±0, ±inf and NaN.

use super::ast::Scalar;
use strata_ir::{FloatCC, FloatFlags, FunctionBuilder, Opcode, Type, Value};

/// A built-in function.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum Intrinsic {
    Sqrt,
    Abs,
    Min,
    Max,
    Clamp,
    Floor,
    Ceil,
    Round,
    RoundEven,
    Trunc,
    Fma,
    Exp,
    Log,
    Sin,
    Cos,
    Pow,
}

/// Which argument types an intrinsic accepts.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Accepts {
    /// `f32` or `f64`.
    Float,
    /// Any numeric type.
    Numeric,
}

impl Intrinsic {
    pub const ALL: [Intrinsic; 16] = [
        Intrinsic::Sqrt,
        Intrinsic::Abs,
        Intrinsic::Min,
        Intrinsic::Max,
        Intrinsic::Clamp,
        Intrinsic::Floor,
        Intrinsic::Ceil,
        Intrinsic::Round,
        Intrinsic::RoundEven,
        Intrinsic::Trunc,
        Intrinsic::Fma,
        Intrinsic::Exp,
        Intrinsic::Log,
        Intrinsic::Sin,
        Intrinsic::Cos,
        Intrinsic::Pow,
    ];

    pub fn from_name(s: &str) -> Option<Intrinsic> {
        Intrinsic::ALL.into_iter().find(|i| i.name() == s)
    }

    pub fn name(self) -> &'static str {
        match self {
            Intrinsic::Sqrt => "sqrt",
            Intrinsic::Abs => "abs",
            Intrinsic::Min => "min",
            Intrinsic::Max => "max",
            Intrinsic::Clamp => "clamp",
            Intrinsic::Floor => "floor",
            Intrinsic::Ceil => "ceil",
            Intrinsic::Round => "round",
            Intrinsic::RoundEven => "round_even",
            Intrinsic::Trunc => "trunc",
            Intrinsic::Fma => "fma",
            Intrinsic::Exp => "exp",
            Intrinsic::Log => "log",
            Intrinsic::Sin => "sin",
            Intrinsic::Cos => "cos",
            Intrinsic::Pow => "pow",
        }
    }

    pub fn arity(self) -> usize {
        match self {
            Intrinsic::Min | Intrinsic::Max | Intrinsic::Pow => 2,
            Intrinsic::Clamp | Intrinsic::Fma => 3,
            _ => 1,
        }
    }

    pub fn accepts(self) -> Accepts {
        match self {
            Intrinsic::Abs | Intrinsic::Min | Intrinsic::Max | Intrinsic::Clamp => Accepts::Numeric,
            _ => Accepts::Float,
        }
    }

    /// Emits the intrinsic applied to `args` (all of type `ty`, already checked).
    /// `flags` are the function's float flags (`#[fastmath]` or none). `None` if `args`
    /// has too few values (the checker rules that out).
    pub fn lower(self, b: &mut FunctionBuilder<'_>, ty: Scalar, flags: FloatFlags, args: &[Value]) -> Option<Value> {
        let float = ty.is_float();
        let x = *args.first()?;
        let y = || args.get(1).copied();
        let z = || args.get(2).copied();
        Some(match self {
            Intrinsic::Sqrt => b.unary_flags(Opcode::Fsqrt, flags, x),
            Intrinsic::Floor => b.unary_flags(Opcode::Ffloor, flags, x),
            Intrinsic::Ceil => b.unary_flags(Opcode::Fceil, flags, x),
            Intrinsic::Trunc => b.unary_flags(Opcode::Ftrunc, flags, x),
            Intrinsic::RoundEven => b.unary_flags(Opcode::Fnearest, flags, x),
            Intrinsic::Exp => b.unary_flags(Opcode::Fexp, flags, x),
            Intrinsic::Log => b.unary_flags(Opcode::Flog, flags, x),
            Intrinsic::Sin => b.unary_flags(Opcode::Fsin, flags, x),
            Intrinsic::Cos => b.unary_flags(Opcode::Fcos, flags, x),
            Intrinsic::Pow => b.binary_flags(Opcode::Fpow, flags, x, y()?),
            Intrinsic::Fma => b.fma(flags, x, y()?, z()?),
            Intrinsic::Round => lower_round(b, ty, x),
            Intrinsic::Abs if float => b.unary_flags(Opcode::Fabs, flags, x),
            Intrinsic::Abs => {
                let neg = b.unary(Opcode::Ineg, x);
                b.binary(Opcode::Smax, x, neg)
            }
            Intrinsic::Min => min(b, float, flags, x, y()?),
            Intrinsic::Max => max(b, float, flags, x, y()?),
            Intrinsic::Clamp => {
                let (lo, hi) = (y()?, z()?);
                let m = max(b, float, flags, x, lo);
                min(b, float, flags, m, hi)
            }
        })
    }
}

fn min(b: &mut FunctionBuilder<'_>, float: bool, flags: FloatFlags, x: Value, y: Value) -> Value {
    if float {
        b.binary_flags(Opcode::Fmin, flags, x, y)
    } else {
        b.binary(Opcode::Smin, x, y)
    }
}

fn max(b: &mut FunctionBuilder<'_>, float: bool, flags: FloatFlags, x: Value, y: Value) -> Value {
    if float {
        b.binary_flags(Opcode::Fmax, flags, x, y)
    } else {
        b.binary(Opcode::Smax, x, y)
    }
}

/// Round half away from zero (see the module docs). Always strict: every step is exact, and
/// fast-math flags could only make it less so.
fn lower_round(b: &mut FunctionBuilder<'_>, ty: Scalar, x: Value) -> Value {
    let t_ty = if ty == Scalar::F32 { Type::F32 } else { Type::F64 };
    let t = b.unary(Opcode::Ftrunc, x);
    let frac = b.fsub(x, t);
    let dist = b.unary(Opcode::Fabs, frac);
    let half = b.fconst(t_ty, 0.5);
    let away = b.fcmp(FloatCC::Ge, dist, half);
    let one = b.fconst(t_ty, 1.0);
    let step = b.binary(Opcode::Fcopysign, one, x);
    let up = b.fadd(t, step);
    b.select(away, up, t)
}
