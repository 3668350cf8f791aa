//! A lane-by-lane reference for the pure IR operations, written from docs/ir.md with Rust's
//! own arithmetic (whose `as` casts already saturate, NaN → 0). Lane values are `u64`s:
//! integers zero-extended from their width, floats as their bits, bools as 0/1.

#![allow(dead_code)]

use strata_ir::abi;
use strata_ir::{FloatCC, IntCC, LaneType, Opcode, TrapCode, Type};

pub fn mask(bits: u32, x: u64) -> u64 {
    if bits >= 64 {
        x
    } else {
        x & ((1u64 << bits) - 1)
    }
}

pub fn sext(bits: u32, x: u64) -> i64 {
    let s = 64 - bits;
    ((x << s) as i64) >> s
}

fn int_binary(op: Opcode, bits: u32, a: u64, b: u64) -> Result<u64, TrapCode> {
    use Opcode::*;
    let (ua, ub) = (mask(bits, a), mask(bits, b));
    let (sa, sb) = (sext(bits, a), sext(bits, b));
    let r = match op {
        Iadd => ua.wrapping_add(ub),
        Isub => ua.wrapping_sub(ub),
        Imul => ua.wrapping_mul(ub),
        Sdiv | Udiv | Srem | Urem if ub == 0 => return Err(TrapCode::DivByZero),
        Sdiv if sb == -1 => sa.wrapping_neg() as u64,
        Sdiv => (sa / sb) as u64,
        Srem if sb == -1 => 0,
        Srem => (sa % sb) as u64,
        Udiv => ua / ub,
        Urem => ua % ub,
        Smin => sa.min(sb) as u64,
        Smax => sa.max(sb) as u64,
        Umin => ua.min(ub),
        Umax => ua.max(ub),
        Band => ua & ub,
        Bor => ua | ub,
        Bxor => ua ^ ub,
        Shl => ua << (ub % u64::from(bits)),
        Lshr => ua >> (ub % u64::from(bits)),
        Ashr => (sa >> (ub % u64::from(bits))) as u64,
        _ => panic!("not an integer binary op: {op}"),
    };
    Ok(mask(bits, r))
}

fn int_unary(op: Opcode, bits: u32, a: u64) -> u64 {
    use Opcode::*;
    let ua = mask(bits, a);
    let r = match op {
        Ineg => ua.wrapping_neg(),
        Bnot => !ua,
        Popcnt => u64::from(ua.count_ones()),
        Clz => u64::from(ua.leading_zeros() - (64 - bits)),
        Ctz => u64::from(ua.trailing_zeros().min(bits)),
        Bswap => match bits {
            16 => u64::from((ua as u16).swap_bytes()),
            32 => u64::from((ua as u32).swap_bytes()),
            64 => ua.swap_bytes(),
            _ => ua,
        },
        _ => panic!("not an integer unary op: {op}"),
    };
    mask(bits, r)
}

macro_rules! float_ops {
    ($name:ident, $t:ty, $bits:ty, $exp:path, $log:path, $sin:path, $cos:path, $pow:path) => {
        pub mod $name {
            use super::*;
            pub fn to(x: u64) -> $t {
                <$t>::from_bits(x as $bits)
            }
            pub fn from(x: $t) -> u64 {
                x.to_bits() as u64
            }
            pub fn minimum(a: $t, b: $t) -> $t {
                if a.is_nan() || b.is_nan() {
                    <$t>::NAN
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
            pub fn maximum(a: $t, b: $t) -> $t {
                if a.is_nan() || b.is_nan() {
                    <$t>::NAN
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
            pub fn op(op: Opcode, args: &[u64]) -> u64 {
                use Opcode::*;
                let x = |i: usize| to(args[i]);
                let r = match op {
                    Fadd => x(0) + x(1),
                    Fsub => x(0) - x(1),
                    Fmul => x(0) * x(1),
                    Fdiv => x(0) / x(1),
                    Fmin => minimum(x(0), x(1)),
                    Fmax => maximum(x(0), x(1)),
                    Fcopysign => x(0).copysign(x(1)),
                    Fneg => -x(0),
                    Fabs => x(0).abs(),
                    Fsqrt => x(0).sqrt(),
                    Ffloor => x(0).floor(),
                    Fceil => x(0).ceil(),
                    Ftrunc => x(0).trunc(),
                    Fnearest => x(0).round_ties_even(),
                    Fma => x(0).mul_add(x(1), x(2)),
                    Fexp => $exp(x(0)),
                    Flog => $log(x(0)),
                    Fsin => $sin(x(0)),
                    Fcos => $cos(x(0)),
                    Fpow => $pow(x(0), x(1)),
                    _ => panic!("not a float op: {op}"),
                };
                from(r)
            }
        }
    };
}
float_ops!(f32r, f32, u32, abi::strata_expf, abi::strata_logf, abi::strata_sinf, abi::strata_cosf, abi::strata_powf);
float_ops!(f64r, f64, u64, abi::strata_exp, abi::strata_log, abi::strata_sin, abi::strata_cos, abi::strata_pow);

/// Applies a lane-wise `op` to one lane of each operand (lane type `ty`).
pub fn lane_op(op: Opcode, ty: Type, args: &[u64]) -> Result<u64, TrapCode> {
    let bits = ty.lane_bits();
    match ty.lane() {
        LaneType::F32 => Ok(f32r::op(op, args)),
        LaneType::F64 => Ok(f64r::op(op, args)),
        LaneType::Bool => {
            let r = match op {
                Opcode::Band => args[0] & args[1],
                Opcode::Bor => args[0] | args[1],
                Opcode::Bxor => args[0] ^ args[1],
                Opcode::Bnot => args[0] ^ 1,
                _ => panic!("not a bool op: {op}"),
            };
            Ok(r)
        }
        _ => match args {
            [a] => Ok(int_unary(op, bits, *a)),
            [a, b] => int_binary(op, bits, *a, *b),
            _ => panic!("arity"),
        },
    }
}

pub fn icmp(cc: IntCC, bits: u32, a: u64, b: u64) -> bool {
    let (ua, ub) = (mask(bits, a), mask(bits, b));
    let (sa, sb) = (sext(bits, a), sext(bits, b));
    match cc {
        IntCC::Eq => ua == ub,
        IntCC::Ne => ua != ub,
        IntCC::Slt => sa < sb,
        IntCC::Sle => sa <= sb,
        IntCC::Sgt => sa > sb,
        IntCC::Sge => sa >= sb,
        IntCC::Ult => ua < ub,
        IntCC::Ule => ua <= ub,
        IntCC::Ugt => ua > ub,
        IntCC::Uge => ua >= ub,
    }
}

pub fn fcmp(cc: FloatCC, ty: Type, a: u64, b: u64) -> bool {
    let (a, b) = if ty.lane() == LaneType::F32 {
        (f64::from(f32r::to(a)), f64::from(f32r::to(b)))
    } else {
        (f64r::to(a), f64r::to(b))
    };
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

/// A conversion of one lane from lane type `from` to lane type `to`.
pub fn convert(op: Opcode, from: Type, to: Type, a: u64) -> u64 {
    use Opcode::*;
    let (fb, tb) = (from.lane_bits(), to.lane_bits());
    let float_in = |x: u64| -> f64 {
        if from.lane() == LaneType::F32 {
            f64::from(f32r::to(x))
        } else {
            f64r::to(x)
        }
    };
    let r = match op {
        Sext if from.is_bool() => {
            if a != 0 {
                u64::MAX
            } else {
                0
            }
        }
        Sext => sext(fb, a) as u64,
        Zext => mask(fb, a),
        Trunc => a,
        Fpromote => f64r::from(f64::from(f32r::to(a))),
        Fdemote => f32r::from(f64r::to(a) as f32),
        Sitofp | Uitofp => {
            let (s, u) = (sext(fb, a), mask(fb, a));
            match (op, to.lane()) {
                (Sitofp, LaneType::F32) => f32r::from(s as f32),
                (Sitofp, _) => f64r::from(s as f64),
                (_, LaneType::F32) => f32r::from(u as f32),
                _ => f64r::from(u as f64),
            }
        }
        // f32 → f64 is exact, so converting through f64 saturates the same way.
        Fptosi => match tb {
            8 => float_in(a) as i8 as u64,
            16 => float_in(a) as i16 as u64,
            32 => float_in(a) as i32 as u64,
            _ => float_in(a) as i64 as u64,
        },
        Fptoui => match tb {
            8 => u64::from(float_in(a) as u8),
            16 => u64::from(float_in(a) as u16),
            32 => u64::from(float_in(a) as u32),
            _ => float_in(a) as u64,
        },
        PtrToInt | IntToPtr | Bitcast => a,
        _ => panic!("not a conversion: {op}"),
    };
    mask(tb, r)
}

/// Edge-case lane values for a lane type.
pub fn edge_values(ty: Type) -> Vec<u64> {
    let bits = ty.lane_bits();
    match ty.lane() {
        LaneType::F32 => [
            0.0f32,
            -0.0,
            1.0,
            -1.5,
            2.5,
            0.5,
            -0.5,
            3.7,
            f32::NAN,
            -f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::MIN_POSITIVE,
            1e-40,
            f32::MAX,
            f32::MIN,
            1e10,
            -3e9,
            255.7,
            65535.9,
            -129.5,
            2147483520.0,
            4294967040.0,
            9.3e18,
        ]
        .iter()
        .map(|x| f32r::from(*x))
        .chain([0x7fc0_0001, 0xffff_ffff])
        .collect(),
        LaneType::F64 => [
            0.0f64,
            -0.0,
            1.0,
            -1.5,
            2.5,
            0.5,
            -0.5,
            3.7,
            f64::NAN,
            -f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MIN_POSITIVE,
            5e-324,
            f64::MAX,
            f64::MIN,
            1e10,
            -3e9,
            255.7,
            65535.9,
            -129.5,
            2147483647.5,
            -2147483648.5,
            9.3e18,
            1.9e19,
            -9.3e18,
        ]
        .iter()
        .map(|x| f64r::from(*x))
        .collect(),
        LaneType::Bool => vec![0, 1],
        _ => {
            let min = 1u64 << (bits - 1);
            [
                0,
                1,
                2,
                3,
                7,
                31,
                63,
                64,
                u64::MAX,
                u64::MAX - 1,
                min,
                min - 1,
                min + 1,
                0x5555_5555_5555_5555,
                0x1234_5678_9abc_def0,
                100,
                255,
                256,
            ]
            .iter()
            .map(|&x| mask(bits, x))
            .collect()
        }
    }
}

/// Whether two lane values are the same result (NaNs equal to each other).
pub fn same(ty: Type, a: u64, b: u64) -> bool {
    match ty.lane() {
        LaneType::F32 => {
            let (x, y) = (f32r::to(a), f32r::to(b));
            (x.is_nan() && y.is_nan()) || x.to_bits() == y.to_bits()
        }
        LaneType::F64 => {
            let (x, y) = (f64r::to(a), f64r::to(b));
            (x.is_nan() && y.is_nan()) || x.to_bits() == y.to_bits()
        }
        _ => mask(ty.lane_bits(), a) == mask(ty.lane_bits(), b),
    }
}
