//! The semantics of arithmetic, comparisons and conversions (docs/ir.md, "Semantics"), on
//! register bits.
//!
//! Values are passed as `u64` bits in the register convention (see `value.rs`): integers
//! zero-extended, so that `eq`, unsigned comparisons, `band`/`bor`/`bxor`, `umin`/`umax`,
//! `udiv`/`urem` and `popcnt` need no knowledge of the width. Everything width-dependent
//! takes `sh = 64 - width`, the shift that moves the value's sign bit to bit 63: the
//! result mask is `u64::MAX >> sh`, and sign extension is `((x << sh) as i64) >> sh`.
//!
//! The specialized fast ops in `exec.rs` and the generic lane-wise evaluators here
//! (`eval_*`, used for vectors and rare scalar shapes) call the same helpers, so scalar and
//! vector code cannot disagree. Transcendental functions call the shared table in
//! [`crate::abi`], the code the JITs call too.

use crate::abi;
use crate::instructions::{FloatCC, IntCC, TrapCode};
use crate::opcode::Opcode;
use crate::types::LaneType;

/// `64 - width` for a lane type (`bool` counts as 1 bit).
pub(crate) const fn shift_of(lane: LaneType) -> u32 {
    64 - lane.bits()
}

/// The result mask for the width `64 - sh`.
#[inline(always)]
pub(crate) const fn mask(sh: u32) -> u64 {
    u64::MAX >> sh
}

/// Sign-extends the low `64 - sh` bits of `x`.
#[inline(always)]
pub(crate) const fn sext(x: u64, sh: u32) -> i64 {
    ((x << sh) as i64) >> sh
}

// ---- integers --------------------------------------------------------------------------

#[inline(always)]
pub(crate) fn iadd(a: u64, b: u64, sh: u32) -> u64 {
    a.wrapping_add(b) & mask(sh)
}
#[inline(always)]
pub(crate) fn isub(a: u64, b: u64, sh: u32) -> u64 {
    a.wrapping_sub(b) & mask(sh)
}
#[inline(always)]
pub(crate) fn imul(a: u64, b: u64, sh: u32) -> u64 {
    a.wrapping_mul(b) & mask(sh)
}
#[inline(always)]
pub(crate) fn ineg(a: u64, sh: u32) -> u64 {
    a.wrapping_neg() & mask(sh)
}
#[inline(always)]
pub(crate) fn bnot(a: u64, sh: u32) -> u64 {
    !a & mask(sh)
}
/// The shift amount modulo the width `64 - sh`: widths are powers of two, so that is a
/// mask with `width - 1 = 63 - sh`.
#[inline(always)]
const fn amount(b: u64, sh: u32) -> u32 {
    (b as u32) & (63 - sh)
}
#[inline(always)]
pub(crate) fn shl(a: u64, b: u64, sh: u32) -> u64 {
    (a << amount(b, sh)) & mask(sh)
}
#[inline(always)]
pub(crate) fn lshr(a: u64, b: u64, sh: u32) -> u64 {
    a >> amount(b, sh)
}
#[inline(always)]
pub(crate) fn ashr(a: u64, b: u64, sh: u32) -> u64 {
    (sext(a, sh) >> amount(b, sh)) as u64 & mask(sh)
}
#[inline(always)]
pub(crate) fn smin(a: u64, b: u64, sh: u32) -> u64 {
    if sext(a, sh) <= sext(b, sh) {
        a
    } else {
        b
    }
}
#[inline(always)]
pub(crate) fn smax(a: u64, b: u64, sh: u32) -> u64 {
    if sext(a, sh) >= sext(b, sh) {
        a
    } else {
        b
    }
}
/// Signed division. Done in 64 bits on sign-extended operands and masked, which gives
/// `MIN / -1 = MIN` at every width (at 64 bits through `wrapping_div`).
#[inline(always)]
pub(crate) fn sdiv(a: u64, b: u64, sh: u32) -> Result<u64, TrapCode> {
    // Testing the sign-extended divisor (not `b`) keeps `wrapping_div` from panicking even
    // if a register broke the zero-extension invariant (only unverified IR could do that).
    if sext(b, sh) == 0 {
        return Err(TrapCode::DivByZero);
    }
    Ok(sext(a, sh).wrapping_div(sext(b, sh)) as u64 & mask(sh))
}
/// Signed remainder with the dividend's sign; `MIN % -1 = 0`.
#[inline(always)]
pub(crate) fn srem(a: u64, b: u64, sh: u32) -> Result<u64, TrapCode> {
    if sext(b, sh) == 0 {
        return Err(TrapCode::DivByZero);
    }
    Ok(sext(a, sh).wrapping_rem(sext(b, sh)) as u64 & mask(sh))
}
#[inline(always)]
pub(crate) fn udiv(a: u64, b: u64) -> Result<u64, TrapCode> {
    a.checked_div(b).ok_or(TrapCode::DivByZero)
}
#[inline(always)]
pub(crate) fn urem(a: u64, b: u64) -> Result<u64, TrapCode> {
    a.checked_rem(b).ok_or(TrapCode::DivByZero)
}
/// Leading zeros within the width: a zero-extended value has `sh` extra leading zeros,
/// and 0 gives the width. (Masking first keeps stray high bits from underflowing.)
#[inline(always)]
pub(crate) fn clz(a: u64, sh: u32) -> u64 {
    ((a & mask(sh)).leading_zeros() - sh) as u64
}
/// Trailing zeros within the width; 0 gives the width.
#[inline(always)]
pub(crate) fn ctz(a: u64, sh: u32) -> u64 {
    a.trailing_zeros().min(64 - sh) as u64
}
/// Byte swap within the width (the identity on `i8`).
#[inline(always)]
pub(crate) fn bswap(a: u64, sh: u32) -> u64 {
    a.swap_bytes() >> sh
}

#[inline(always)]
pub(crate) fn icmp(cc: IntCC, a: u64, b: u64, sh: u32) -> bool {
    match cc {
        IntCC::Eq => a == b,
        IntCC::Ne => a != b,
        IntCC::Ult => a < b,
        IntCC::Ule => a <= b,
        IntCC::Ugt => a > b,
        IntCC::Uge => a >= b,
        IntCC::Slt => sext(a, sh) < sext(b, sh),
        IntCC::Sle => sext(a, sh) <= sext(b, sh),
        IntCC::Sgt => sext(a, sh) > sext(b, sh),
        IntCC::Sge => sext(a, sh) >= sext(b, sh),
    }
}

// ---- floats ----------------------------------------------------------------------------

macro_rules! float_helpers {
    ($t:ty, $min:ident, $max:ident, $cmp:ident) => {
        /// IEEE-754-2019 `minimum`: NaN if either operand is NaN, and -0.0 < +0.0.
        #[inline(always)]
        pub(crate) fn $min(a: $t, b: $t) -> $t {
            if a.is_nan() || b.is_nan() {
                // Arithmetic on a NaN gives a quiet NaN; which payload is unspecified.
                a + b
            } else if a == b {
                // Equal but possibly zeros of different signs: the negative one is smaller.
                if a.is_sign_negative() {
                    a
                } else {
                    b
                }
            } else if a < b {
                a
            } else {
                b
            }
        }
        /// IEEE-754-2019 `maximum`: NaN if either operand is NaN, and +0.0 > -0.0.
        #[inline(always)]
        pub(crate) fn $max(a: $t, b: $t) -> $t {
            if a.is_nan() || b.is_nan() {
                a + b
            } else if a == b {
                if a.is_sign_negative() {
                    b
                } else {
                    a
                }
            } else if a > b {
                a
            } else {
                b
            }
        }
        /// `fcmp`: all conditions are false on NaN except `ne` and `uno`.
        #[inline(always)]
        pub(crate) fn $cmp(cc: FloatCC, a: $t, b: $t) -> bool {
            match cc {
                FloatCC::Eq => a == b,
                FloatCC::Ne => a != b,
                FloatCC::Lt => a < b,
                FloatCC::Le => a <= b,
                FloatCC::Gt => a > b,
                FloatCC::Ge => a >= b,
                FloatCC::Ord => !a.is_nan() && !b.is_nan(),
                FloatCC::Uno => a.is_nan() || b.is_nan(),
            }
        }
    };
}
float_helpers!(f32, fmin_f32, fmax_f32, fcmp_f32);
float_helpers!(f64, fmin_f64, fmax_f64, fcmp_f64);

#[inline(always)]
pub(crate) fn f32_of(bits: u64) -> f32 {
    f32::from_bits(bits as u32)
}
#[inline(always)]
pub(crate) fn f64_of(bits: u64) -> f64 {
    f64::from_bits(bits)
}
#[inline(always)]
pub(crate) fn bits32(x: f32) -> u64 {
    x.to_bits() as u64
}
#[inline(always)]
pub(crate) fn bits64(x: f64) -> u64 {
    x.to_bits()
}

/// Float → integer of width `64 - sh`, signed: round toward zero, saturate, NaN → 0
/// (exactly what Rust's `as` does).
pub(crate) fn fptosi(x: f64, sh: u32) -> u64 {
    match 64 - sh {
        8 => x as i8 as u8 as u64,
        16 => x as i16 as u16 as u64,
        32 => x as i32 as u32 as u64,
        _ => x as i64 as u64,
    }
}
/// Float → unsigned integer of width `64 - sh`, saturating, NaN → 0.
pub(crate) fn fptoui(x: f64, sh: u32) -> u64 {
    match 64 - sh {
        8 => x as u8 as u64,
        16 => x as u16 as u64,
        32 => x as u32 as u64,
        _ => x as u64,
    }
}
/// The same for an `f32` source. Converting through `f64` first would be exact too, but a
/// separate path keeps the code obviously equal to Rust's `f32 as iN`.
pub(crate) fn fptosi32(x: f32, sh: u32) -> u64 {
    match 64 - sh {
        8 => x as i8 as u8 as u64,
        16 => x as i16 as u16 as u64,
        32 => x as i32 as u32 as u64,
        _ => x as i64 as u64,
    }
}
pub(crate) fn fptoui32(x: f32, sh: u32) -> u64 {
    match 64 - sh {
        8 => x as u8 as u64,
        16 => x as u16 as u64,
        32 => x as u32 as u64,
        _ => x as u64,
    }
}

// ---- generic evaluators (vectors and rare scalar shapes) -------------------------------

/// A unary same-type operation on one lane of type `lane`. The decoder only builds
/// combinations the IR allows; others give 0.
pub(crate) fn eval_unary(op: Opcode, lane: LaneType, x: u64) -> u64 {
    let sh = shift_of(lane);
    match lane {
        LaneType::F32 => {
            let f = f32_of(x);
            bits32(match op {
                Opcode::Fneg => -f,
                Opcode::Fabs => f.abs(),
                Opcode::Fsqrt => f.sqrt(),
                Opcode::Ffloor => f.floor(),
                Opcode::Fceil => f.ceil(),
                Opcode::Ftrunc => f.trunc(),
                Opcode::Fnearest => f.round_ties_even(),
                Opcode::Fexp => abi::strata_expf(f),
                Opcode::Flog => abi::strata_logf(f),
                Opcode::Fsin => abi::strata_sinf(f),
                Opcode::Fcos => abi::strata_cosf(f),
                _ => return 0,
            })
        }
        LaneType::F64 => {
            let f = f64_of(x);
            bits64(match op {
                Opcode::Fneg => -f,
                Opcode::Fabs => f.abs(),
                Opcode::Fsqrt => f.sqrt(),
                Opcode::Ffloor => f.floor(),
                Opcode::Fceil => f.ceil(),
                Opcode::Ftrunc => f.trunc(),
                Opcode::Fnearest => f.round_ties_even(),
                Opcode::Fexp => abi::strata_exp(f),
                Opcode::Flog => abi::strata_log(f),
                Opcode::Fsin => abi::strata_sin(f),
                Opcode::Fcos => abi::strata_cos(f),
                _ => return 0,
            })
        }
        _ => match op {
            Opcode::Ineg => ineg(x, sh),
            Opcode::Bnot => bnot(x, sh),
            Opcode::Popcnt => x.count_ones() as u64,
            Opcode::Clz => clz(x, sh),
            Opcode::Ctz => ctz(x, sh),
            Opcode::Bswap => bswap(x, sh),
            _ => 0,
        },
    }
}

/// A binary operation on one lane of type `lane` (for shifts, `b` is the amount).
pub(crate) fn eval_binary(op: Opcode, lane: LaneType, a: u64, b: u64) -> Result<u64, TrapCode> {
    let sh = shift_of(lane);
    Ok(match lane {
        LaneType::F32 => {
            let (x, y) = (f32_of(a), f32_of(b));
            bits32(match op {
                Opcode::Fadd => x + y,
                Opcode::Fsub => x - y,
                Opcode::Fmul => x * y,
                Opcode::Fdiv => x / y,
                Opcode::Fmin => fmin_f32(x, y),
                Opcode::Fmax => fmax_f32(x, y),
                Opcode::Fcopysign => x.copysign(y),
                Opcode::Fpow => abi::strata_powf(x, y),
                _ => return Ok(0),
            })
        }
        LaneType::F64 => {
            let (x, y) = (f64_of(a), f64_of(b));
            bits64(match op {
                Opcode::Fadd => x + y,
                Opcode::Fsub => x - y,
                Opcode::Fmul => x * y,
                Opcode::Fdiv => x / y,
                Opcode::Fmin => fmin_f64(x, y),
                Opcode::Fmax => fmax_f64(x, y),
                Opcode::Fcopysign => x.copysign(y),
                Opcode::Fpow => abi::strata_pow(x, y),
                _ => return Ok(0),
            })
        }
        _ => match op {
            Opcode::Iadd | Opcode::PtrAdd => iadd(a, b, sh),
            Opcode::Isub => isub(a, b, sh),
            Opcode::Imul => imul(a, b, sh),
            Opcode::Sdiv => sdiv(a, b, sh)?,
            Opcode::Udiv => udiv(a, b)?,
            Opcode::Srem => srem(a, b, sh)?,
            Opcode::Urem => urem(a, b)?,
            Opcode::Smin => smin(a, b, sh),
            Opcode::Smax => smax(a, b, sh),
            Opcode::Umin => a.min(b),
            Opcode::Umax => a.max(b),
            Opcode::Band => a & b,
            Opcode::Bor => a | b,
            Opcode::Bxor => a ^ b,
            Opcode::Shl => shl(a, b, sh),
            Opcode::Lshr => lshr(a, b, sh),
            Opcode::Ashr => ashr(a, b, sh),
            _ => 0,
        },
    })
}

/// `fma a, b, c` on one lane: `a * b + c` with one rounding.
pub(crate) fn eval_fma(lane: LaneType, a: u64, b: u64, c: u64) -> u64 {
    match lane {
        LaneType::F32 => bits32(f32_of(a).mul_add(f32_of(b), f32_of(c))),
        _ => bits64(f64_of(a).mul_add(f64_of(b), f64_of(c))),
    }
}

/// `fcmp` on one lane.
pub(crate) fn eval_fcmp(cc: FloatCC, lane: LaneType, a: u64, b: u64) -> bool {
    match lane {
        LaneType::F32 => fcmp_f32(cc, f32_of(a), f32_of(b)),
        _ => fcmp_f64(cc, f64_of(a), f64_of(b)),
    }
}

/// A conversion of one lane from `from` to `to` (not `bitcast`, which copies bytes).
pub(crate) fn eval_convert(op: Opcode, from: LaneType, to: LaneType, x: u64) -> u64 {
    let (fsh, tsh) = (shift_of(from), shift_of(to));
    match op {
        Opcode::Sext => sext(x, fsh) as u64 & mask(tsh),
        Opcode::Zext | Opcode::PtrToInt | Opcode::IntToPtr => x,
        Opcode::Trunc => x & mask(tsh),
        Opcode::Fpromote => bits64(f32_of(x) as f64),
        Opcode::Fdemote => bits32(f64_of(x) as f32),
        Opcode::Sitofp => match to {
            LaneType::F32 => bits32(sext(x, fsh) as f32),
            _ => bits64(sext(x, fsh) as f64),
        },
        Opcode::Uitofp => match to {
            LaneType::F32 => bits32(x as f32),
            _ => bits64(x as f64),
        },
        Opcode::Fptosi => match from {
            LaneType::F32 => fptosi32(f32_of(x), tsh),
            _ => fptosi(f64_of(x), tsh),
        },
        Opcode::Fptoui => match from {
            LaneType::F32 => fptoui32(f32_of(x), tsh),
            _ => fptoui(f64_of(x), tsh),
        },
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_helpers() {
        let sh32 = shift_of(LaneType::I32);
        let sh8 = shift_of(LaneType::I8);
        assert_eq!(iadd(0xffff_ffff, 1, sh32), 0);
        assert_eq!(sdiv(0x8000_0000, 0xffff_ffff, sh32), Ok(0x8000_0000));
        assert_eq!(srem(0x8000_0000, 0xffff_ffff, sh32), Ok(0));
        assert_eq!(sdiv(i64::MIN as u64, u64::MAX, 0), Ok(i64::MIN as u64));
        assert_eq!(srem(i64::MIN as u64, u64::MAX, 0), Ok(0));
        assert_eq!(srem((-7i8) as u8 as u64, 2, sh8), Ok((-1i8) as u8 as u64));
        assert_eq!(udiv(1, 0), Err(TrapCode::DivByZero));
        assert_eq!(clz(0, sh8), 8);
        assert_eq!(ctz(0, sh8), 8);
        assert_eq!(clz(1, 0), 63);
        assert_eq!(ctz(0, 0), 64);
        assert_eq!(shl(1, 33, sh32), 2);
        assert_eq!(ashr(0x80, 1, sh8), 0xc0);
        assert_eq!(lshr(0x80, 9, sh8), 0x40);
        assert_eq!(bswap(0x1234, shift_of(LaneType::I16)), 0x3412);
        assert!(icmp(IntCC::Slt, 0xff, 0, sh8));
        assert!(!icmp(IntCC::Ult, 0xff, 0, sh8));
        assert_eq!(bnot(1, shift_of(LaneType::Bool)), 0);
        assert_eq!(eval_convert(Opcode::Sext, LaneType::Bool, LaneType::I32, 1), 0xffff_ffff);
    }

    #[test]
    fn float_helpers() {
        assert!(fmin_f32(f32::NAN, 1.0).is_nan() && fmin_f32(1.0, f32::NAN).is_nan());
        assert!(fmax_f64(f64::NAN, 1.0).is_nan());
        assert!(fmin_f32(0.0, -0.0).is_sign_negative() && fmin_f32(-0.0, 0.0).is_sign_negative());
        assert!(fmax_f32(0.0, -0.0).is_sign_positive() && fmax_f32(-0.0, 0.0).is_sign_positive());
        assert_eq!(fmin_f64(-1.0, 2.0), -1.0);
        assert!(fcmp_f32(FloatCC::Ne, f32::NAN, f32::NAN));
        assert!(!fcmp_f32(FloatCC::Eq, f32::NAN, f32::NAN));
        assert!(fcmp_f64(FloatCC::Uno, 1.0, f64::NAN) && !fcmp_f64(FloatCC::Ord, 1.0, f64::NAN));
        assert_eq!(fptosi32(f32::NAN, 32), 0);
        assert_eq!(fptosi(1e300, 32), i32::MAX as u32 as u64);
        assert_eq!(fptoui(-5.0, 0), 0);
        assert_eq!(fptoui32(f32::INFINITY, 0), u64::MAX);
    }
}
