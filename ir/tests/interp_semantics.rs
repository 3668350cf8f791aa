//! The interpreter against references written in plain Rust (docs/ir.md, "Semantics"):
//! integer ops at every width on edge values, float edge cases, conversions, and vectors
//! lane by lane.

mod common;
use common::*;
use strata_ir::{FloatCC, FloatFlags, IntCC, Opcode, TrapCode, Type, Val, VectorVal};

const INT_TYPES: [Type; 4] = [Type::I8, Type::I16, Type::I32, Type::I64];

/// Edge values of an integer width (sign-extended to i64), plus some pseudo-random ones.
fn edge_values(bits: u32, rng: &mut Rng) -> Vec<i64> {
    let min = if bits == 64 { i64::MIN } else { -(1i64 << (bits - 1)) };
    let max = if bits == 64 { i64::MAX } else { (1i64 << (bits - 1)) - 1 };
    let mut v = vec![0, 1, -1, 2, -2, 3, -7, min, max, min + 1, max - 1, bits as i64 - 1, bits as i64, bits as i64 + 1];
    v.extend((0..6).map(|_| rng.next() as i64));
    v.into_iter().map(|x| Val::from_bits(int_type(bits), x as u64).unwrap().as_i64().unwrap()).collect()
}

fn int_type(bits: u32) -> Type {
    match bits {
        8 => Type::I8,
        16 => Type::I16,
        32 => Type::I32,
        _ => Type::I64,
    }
}

/// All ones in the width of `ty`.
fn umask(ty: Type) -> u64 {
    u64::MAX >> (64 - ty.lane_bits())
}

fn ival(ty: Type, x: i64) -> Val {
    Val::from_bits(ty, x as u64).unwrap()
}

/// The reference semantics of an integer binary op, in Rust's typed arithmetic.
fn int_binary_ref(op: Opcode, ty: Type, a: i64, b: i64) -> Result<i64, TrapCode> {
    macro_rules! go {
        ($t:ty, $u:ty) => {{
            let (x, y) = (a as $t, b as $t);
            let (ux, uy) = (x as $u, y as $u);
            let r: $t = match op {
                Opcode::Iadd => x.wrapping_add(y),
                Opcode::Isub => x.wrapping_sub(y),
                Opcode::Imul => x.wrapping_mul(y),
                Opcode::Sdiv if y == 0 => return Err(TrapCode::DivByZero),
                Opcode::Sdiv => x.wrapping_div(y),
                Opcode::Srem if y == 0 => return Err(TrapCode::DivByZero),
                Opcode::Srem => x.wrapping_rem(y),
                Opcode::Udiv => ux.checked_div(uy).ok_or(TrapCode::DivByZero)? as $t,
                Opcode::Urem => ux.checked_rem(uy).ok_or(TrapCode::DivByZero)? as $t,
                Opcode::Smin => x.min(y),
                Opcode::Smax => x.max(y),
                Opcode::Umin => ux.min(uy) as $t,
                Opcode::Umax => ux.max(uy) as $t,
                Opcode::Band => x & y,
                Opcode::Bor => x | y,
                Opcode::Bxor => x ^ y,
                // `wrapping_sh*` take the amount modulo the width, as the IR does.
                Opcode::Shl => x.wrapping_shl(y as u32),
                Opcode::Lshr => ux.wrapping_shr(y as u32) as $t,
                Opcode::Ashr => x.wrapping_shr(y as u32),
                _ => unreachable!("{op}"),
            };
            Ok(r as i64)
        }};
    }
    match ty.lane_bits() {
        8 => go!(i8, u8),
        16 => go!(i16, u16),
        32 => go!(i32, u32),
        _ => go!(i64, u64),
    }
}

fn int_unary_ref(op: Opcode, ty: Type, a: i64) -> i64 {
    macro_rules! go {
        ($t:ty, $u:ty) => {{
            let x = a as $t;
            match op {
                Opcode::Ineg => x.wrapping_neg() as i64,
                Opcode::Bnot => !x as i64,
                Opcode::Popcnt => x.count_ones() as i64,
                Opcode::Clz => x.leading_zeros() as i64,
                Opcode::Ctz => x.trailing_zeros() as i64,
                Opcode::Bswap => x.swap_bytes() as i64,
                _ => unreachable!("{op}"),
            }
        }};
    }
    match ty.lane_bits() {
        8 => go!(i8, u8),
        16 => go!(i16, u16),
        32 => go!(i32, u32),
        _ => go!(i64, u64),
    }
}

fn icmp_ref(cc: IntCC, ty: Type, a: i64, b: i64) -> bool {
    let m = if ty.lane_bits() == 64 { u64::MAX } else { (1u64 << ty.lane_bits()) - 1 };
    let (ua, ub) = (a as u64 & m, b as u64 & m);
    match cc {
        IntCC::Eq => a == b,
        IntCC::Ne => a != b,
        IntCC::Slt => a < b,
        IntCC::Sle => a <= b,
        IntCC::Sgt => a > b,
        IntCC::Sge => a >= b,
        IntCC::Ult => ua < ub,
        IntCC::Ule => ua <= ub,
        IntCC::Ugt => ua > ub,
        IntCC::Uge => ua >= ub,
    }
}

const INT_BINARY: [Opcode; 17] = [
    Opcode::Iadd,
    Opcode::Isub,
    Opcode::Imul,
    Opcode::Sdiv,
    Opcode::Udiv,
    Opcode::Srem,
    Opcode::Urem,
    Opcode::Smin,
    Opcode::Smax,
    Opcode::Umin,
    Opcode::Umax,
    Opcode::Band,
    Opcode::Bor,
    Opcode::Bxor,
    Opcode::Shl,
    Opcode::Lshr,
    Opcode::Ashr,
];

#[test]
fn integer_binary_ops_at_every_width() {
    let mut rng = Rng(0x1234_5678);
    for ty in INT_TYPES {
        let vals = edge_values(ty.lane_bits(), &mut rng);
        for op in INT_BINARY {
            let (i, name) = interp(func("t", vec![p("a", ty), p("b", ty)], Some(ty), |b, p| {
                let v = b.binary(op, p[0], p[1]);
                b.ret(Some(v));
            }));
            // Registers hold narrow integers zero-extended; `zext` of the result shows
            // whether an op broke that (returning the value alone only shows the low bits).
            let (zi, zname) = interp(func("z", vec![p("a", ty), p("b", ty)], Some(Type::I64), |b, p| {
                let v = b.binary(op, p[0], p[1]);
                let z = b.convert(Opcode::Zext, Type::I64, v);
                b.ret(Some(z));
            }));
            for &a in &vals {
                for &b in &vals {
                    let got = call(&i, &name, &[ival(ty, a), ival(ty, b)]);
                    let zext = call(&zi, &zname, &[ival(ty, a), ival(ty, b)]);
                    match int_binary_ref(op, ty, a, b) {
                        Ok(r) => {
                            assert_eq!(got, Ok(Some(ival(ty, r))), "{op}.{ty} {a}, {b}");
                            assert_eq!(
                                zext,
                                Ok(Some(Val::I64((r as u64 & umask(ty)) as i64))),
                                "zext {op}.{ty} {a}, {b}"
                            );
                        }
                        Err(c) => assert_eq!(got.unwrap_err().trap_code(), Some(c), "{op}.{ty} {a}, {b}"),
                    }
                }
            }
        }
    }
}

fn p(name: &str, ty: Type) -> strata_ir::Param {
    strata_ir::Param::scalar(name, ty)
}

#[test]
fn integer_wrapping_at_every_width() {
    for ty in INT_TYPES {
        let bits = ty.lane_bits();
        let (min, max) =
            if bits == 64 { (i64::MIN, i64::MAX) } else { (-(1i64 << (bits - 1)), (1i64 << (bits - 1)) - 1) };
        let b = |op, x, y| ok(bin(op, ival(ty, x), ival(ty, y)));
        assert_eq!(b(Opcode::Iadd, max, 1), ival(ty, min), "{ty}");
        assert_eq!(b(Opcode::Isub, min, 1), ival(ty, max), "{ty}");
        assert_eq!(b(Opcode::Imul, max, 2), ival(ty, -2), "{ty}");
        assert_eq!(b(Opcode::Sdiv, min, -1), ival(ty, min), "{ty}: MIN / -1 = MIN");
        assert_eq!(b(Opcode::Srem, min, -1), ival(ty, 0), "{ty}: MIN % -1 = 0");
        assert_eq!(b(Opcode::Srem, 7, -2), ival(ty, 1), "{ty}: the dividend's sign");
        assert_eq!(b(Opcode::Shl, 1, bits as i64), ival(ty, 1), "{ty}: amount modulo the width");
        assert_eq!(b(Opcode::Shl, 1, bits as i64 - 1), ival(ty, min), "{ty}");
        assert_eq!(b(Opcode::Ashr, min, bits as i64 - 1), ival(ty, -1), "{ty}");
        assert_eq!(b(Opcode::Lshr, -1, bits as i64 + 1), ival(ty, max), "{ty}");
        assert_eq!(ok(un(Opcode::Ineg, ival(ty, min))), ival(ty, min), "{ty}");
        assert_eq!(ok(un(Opcode::Clz, ival(ty, 0))), ival(ty, bits as i64), "{ty}");
        assert_eq!(ok(un(Opcode::Ctz, ival(ty, 0))), ival(ty, bits as i64), "{ty}");
        for op in [Opcode::Sdiv, Opcode::Udiv, Opcode::Srem, Opcode::Urem] {
            let e = bin(op, ival(ty, 5), ival(ty, 0)).unwrap_err();
            assert_eq!(e.trap_code(), Some(TrapCode::DivByZero), "{op}.{ty}");
            assert_eq!(e.to_string(), "trap `div_by_zero` in function `t`");
        }
    }
    // Constants are truncated to their type's width.
    let v = eval(&[], Type::I16, |b, _| b.iconst(Type::I16, 0x12345)).unwrap();
    assert_eq!(v, Val::I16(0x2345));
    let v = eval(&[], Type::I32, |b, _| b.iconst(Type::I32, -1)).unwrap();
    assert_eq!(v, Val::I32(-1));
}

#[test]
fn integer_unary_ops_and_comparisons_at_every_width() {
    let mut rng = Rng(99);
    for ty in INT_TYPES {
        let vals = edge_values(ty.lane_bits(), &mut rng);
        for op in [Opcode::Ineg, Opcode::Bnot, Opcode::Popcnt, Opcode::Clz, Opcode::Ctz, Opcode::Bswap] {
            if op == Opcode::Bswap && ty == Type::I8 {
                continue;
            }
            for &a in &vals {
                let want = int_unary_ref(op, ty, a);
                assert_eq!(ok(un(op, ival(ty, a))), ival(ty, want), "{op}.{ty} {a}");
                let z = ok(eval(&[ival(ty, a)], Type::I64, |b, p| {
                    let v = b.unary(op, p[0]);
                    b.convert(Opcode::Zext, Type::I64, v)
                }));
                assert_eq!(z, Val::I64((want as u64 & umask(ty)) as i64), "zext {op}.{ty} {a}");
            }
        }
        for cc in IntCC::ALL {
            let (i, name) = interp(func("t", vec![p("a", ty), p("b", ty)], Some(Type::BOOL), |b, p| {
                let v = b.icmp(cc, p[0], p[1]);
                b.ret(Some(v));
            }));
            for &a in &vals {
                for &b in &vals {
                    let want = Val::Bool(icmp_ref(cc, ty, a, b));
                    assert_eq!(
                        call(&i, &name, &[ival(ty, a), ival(ty, b)]),
                        Ok(Some(want)),
                        "icmp {cc:?}.{ty} {a} {b}"
                    );
                }
            }
        }
    }
    // ptr compares unsigned; bool compares with eq/ne.
    let c = |cc, a, b| ok(eval(&[a, b], Type::BOOL, |bd, p| bd.icmp(cc, p[0], p[1])));
    assert_eq!(c(IntCC::Ult, Val::Ptr(1), Val::Ptr(u64::MAX)), Val::Bool(true));
    assert_eq!(c(IntCC::Ne, Val::Bool(true), Val::Bool(false)), Val::Bool(true));
    assert_eq!(c(IntCC::Eq, Val::Bool(true), Val::Bool(true)), Val::Bool(true));
}

#[test]
fn bool_logic() {
    let t = Val::Bool(true);
    let f = Val::Bool(false);
    assert_eq!(ok(bin(Opcode::Band, t, f)), f);
    assert_eq!(ok(bin(Opcode::Bor, t, f)), t);
    assert_eq!(ok(bin(Opcode::Bxor, t, t)), f);
    assert_eq!(ok(un(Opcode::Bnot, t)), f);
    assert_eq!(ok(un(Opcode::Bnot, f)), t);
    assert_eq!(ok(conv(Opcode::Zext, Type::I32, t)), Val::I32(1));
    assert_eq!(ok(conv(Opcode::Sext, Type::I32, t)), Val::I32(-1));
    assert_eq!(ok(conv(Opcode::Sext, Type::I64, f)), Val::I64(0));
}

// ---- floats --------------------------------------------------------------------------------

const F32S: [f32; 18] = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    -0.5,
    1.5,
    2.5,
    -2.5,
    3.3,
    1e-45,
    f32::MIN_POSITIVE,
    f32::MAX,
    -f32::MAX,
    1e20,
    f32::INFINITY,
    f32::NEG_INFINITY,
    f32::NAN,
];

fn f64s() -> Vec<f64> {
    let mut v: Vec<f64> = F32S.iter().map(|&x| x as f64).collect();
    v.extend([0.1, 4503599627370497.0, 5e-324, f64::MAX, 1e300]);
    v
}

/// IEEE-754-2019 minimum, written independently of the interpreter's helper.
fn minimum(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if a == 0.0 && b == 0.0 {
        if a.is_sign_negative() || b.is_sign_negative() {
            -0.0
        } else {
            0.0
        }
    } else {
        a.min(b)
    }
}
fn maximum(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if a == 0.0 && b == 0.0 {
        if a.is_sign_positive() || b.is_sign_positive() {
            0.0
        } else {
            -0.0
        }
    } else {
        a.max(b)
    }
}

fn fcmp_ref(cc: FloatCC, a: f64, b: f64) -> bool {
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

#[test]
fn float_binary_ops_f32_and_f64() {
    use strata_ir::abi::{strata_pow, strata_powf};
    let ops = [
        Opcode::Fadd,
        Opcode::Fsub,
        Opcode::Fmul,
        Opcode::Fdiv,
        Opcode::Fmin,
        Opcode::Fmax,
        Opcode::Fcopysign,
        Opcode::Fpow,
    ];
    for op in ops {
        let (i32f, n32) = interp(func("t", vec![p("a", Type::F32), p("b", Type::F32)], Some(Type::F32), |b, p| {
            let v = b.binary(op, p[0], p[1]);
            b.ret(Some(v));
        }));
        for &a in &F32S {
            for &b in &F32S {
                let want = match op {
                    Opcode::Fadd => a + b,
                    Opcode::Fsub => a - b,
                    Opcode::Fmul => a * b,
                    Opcode::Fdiv => a / b,
                    Opcode::Fmin => minimum(a as f64, b as f64) as f32,
                    Opcode::Fmax => maximum(a as f64, b as f64) as f32,
                    Opcode::Fcopysign => a.copysign(b),
                    _ => strata_powf(a, b),
                };
                let got = call(&i32f, &n32, &[Val::F32(a), Val::F32(b)]);
                assert_eq!(got, Ok(Some(Val::F32(want))), "{op}.f32 {a:?} {b:?}");
            }
        }
        let (i64f, n64) = interp(func("t", vec![p("a", Type::F64), p("b", Type::F64)], Some(Type::F64), |b, p| {
            let v = b.binary(op, p[0], p[1]);
            b.ret(Some(v));
        }));
        for &a in &f64s() {
            for &b in &f64s() {
                let want = match op {
                    Opcode::Fadd => a + b,
                    Opcode::Fsub => a - b,
                    Opcode::Fmul => a * b,
                    Opcode::Fdiv => a / b,
                    Opcode::Fmin => minimum(a, b),
                    Opcode::Fmax => maximum(a, b),
                    Opcode::Fcopysign => a.copysign(b),
                    _ => strata_pow(a, b),
                };
                let got = call(&i64f, &n64, &[Val::F64(a), Val::F64(b)]);
                assert_eq!(got, Ok(Some(Val::F64(want))), "{op}.f64 {a:?} {b:?}");
            }
        }
    }
}

#[test]
fn fmin_fmax_nan_and_signed_zeros() {
    let mm = |op, a: f32, b: f32| ok(bin(op, Val::F32(a), Val::F32(b)));
    for (a, b) in [(f32::NAN, 1.0), (1.0, f32::NAN), (f32::NAN, f32::NEG_INFINITY), (f32::NAN, f32::NAN)] {
        assert!(mm(Opcode::Fmin, a, b).as_f32().unwrap().is_nan());
        assert!(mm(Opcode::Fmax, a, b).as_f32().unwrap().is_nan());
    }
    assert!(mm(Opcode::Fmin, 0.0, -0.0).bit_eq(&Val::F32(-0.0)));
    assert!(mm(Opcode::Fmin, -0.0, 0.0).bit_eq(&Val::F32(-0.0)));
    assert!(mm(Opcode::Fmax, 0.0, -0.0).bit_eq(&Val::F32(0.0)));
    assert!(mm(Opcode::Fmax, -0.0, 0.0).bit_eq(&Val::F32(0.0)));
    assert_eq!(mm(Opcode::Fmin, f32::NEG_INFINITY, 1.0), Val::F32(f32::NEG_INFINITY));
    assert_eq!(mm(Opcode::Fmax, f32::INFINITY, 1.0), Val::F32(f32::INFINITY));
}

#[test]
fn float_unary_ops_f32_and_f64() {
    use strata_ir::abi;
    let ops = [
        Opcode::Fneg,
        Opcode::Fabs,
        Opcode::Fsqrt,
        Opcode::Ffloor,
        Opcode::Fceil,
        Opcode::Ftrunc,
        Opcode::Fnearest,
        Opcode::Fexp,
        Opcode::Flog,
        Opcode::Fsin,
        Opcode::Fcos,
    ];
    for op in ops {
        for &a in &F32S {
            let want = match op {
                Opcode::Fneg => -a,
                Opcode::Fabs => a.abs(),
                Opcode::Fsqrt => a.sqrt(),
                Opcode::Ffloor => a.floor(),
                Opcode::Fceil => a.ceil(),
                Opcode::Ftrunc => a.trunc(),
                Opcode::Fnearest => a.round_ties_even(),
                Opcode::Fexp => abi::strata_expf(a),
                Opcode::Flog => abi::strata_logf(a),
                Opcode::Fsin => abi::strata_sinf(a),
                _ => abi::strata_cosf(a),
            };
            assert_eq!(ok(un(op, Val::F32(a))), Val::F32(want), "{op}.f32 {a:?}");
        }
        for a in f64s() {
            let want = match op {
                Opcode::Fneg => -a,
                Opcode::Fabs => a.abs(),
                Opcode::Fsqrt => a.sqrt(),
                Opcode::Ffloor => a.floor(),
                Opcode::Fceil => a.ceil(),
                Opcode::Ftrunc => a.trunc(),
                Opcode::Fnearest => a.round_ties_even(),
                Opcode::Fexp => abi::strata_exp(a),
                Opcode::Flog => abi::strata_log(a),
                Opcode::Fsin => abi::strata_sin(a),
                _ => abi::strata_cos(a),
            };
            assert_eq!(ok(un(op, Val::F64(a))), Val::F64(want), "{op}.f64 {a:?}");
        }
    }
    // fneg and fabs touch only the sign bit, NaN payloads included.
    let nan = Val::F32(f32::from_bits(0x7fc0_1234));
    assert!(ok(un(Opcode::Fneg, nan)).bit_eq(&Val::F32(f32::from_bits(0xffc0_1234))));
    assert!(ok(un(Opcode::Fabs, Val::F32(f32::from_bits(0xffc0_1234)))).bit_eq(&nan));
}

#[test]
fn fnearest_rounds_ties_to_even() {
    for (x, want) in
        [(0.5, 0.0), (1.5, 2.0), (2.5, 2.0), (3.5, 4.0), (-0.5, -0.0), (-1.5, -2.0), (-2.5, -2.0), (0.49999997, 0.0)]
    {
        let got = ok(un(Opcode::Fnearest, Val::F32(x)));
        assert!(got.bit_eq(&Val::F32(want)), "fnearest {x} = {got}");
        let got = ok(un(Opcode::Fnearest, Val::F64(x as f64)));
        assert!(got.bit_eq(&Val::F64(want as f64)), "fnearest {x} = {got}");
    }
    assert!(ok(un(Opcode::Fnearest, Val::F64(-0.0))).bit_eq(&Val::F64(-0.0)));
    assert_eq!(ok(un(Opcode::Fnearest, Val::F64(4503599627370497.0))), Val::F64(4503599627370497.0));
}

#[test]
fn fma_rounds_once() {
    // a*b+c where a*b alone rounds: the fused result keeps the low bits.
    let (a, b, c) = (1.0 + f64::EPSILON, 1.0 - f64::EPSILON, -1.0);
    let got = ok(eval(&[Val::F64(a), Val::F64(b), Val::F64(c)], Type::F64, |bd, p| {
        bd.fma(FloatFlags::NONE, p[0], p[1], p[2])
    }));
    assert_eq!(got, Val::F64(a.mul_add(b, c)));
    assert_ne!(got, Val::F64(a * b + c));
    let (a, b, c) = (1.0f32 + f32::EPSILON, 1.0 - f32::EPSILON, -1.0);
    let got = ok(eval(&[Val::F32(a), Val::F32(b), Val::F32(c)], Type::F32, |bd, p| {
        bd.fma(FloatFlags::NONE, p[0], p[1], p[2])
    }));
    assert_eq!(got, Val::F32(a.mul_add(b, c)));
}

#[test]
fn fcmp_table() {
    for cc in FloatCC::ALL {
        for ty in [Type::F32, Type::F64] {
            let (i, name) = interp(func("t", vec![p("a", ty), p("b", ty)], Some(Type::BOOL), |b, p| {
                let v = b.fcmp(cc, p[0], p[1]);
                b.ret(Some(v));
            }));
            for a in f64s() {
                for b in f64s() {
                    let args = if ty == Type::F32 {
                        [Val::F32(a as f32), Val::F32(b as f32)]
                    } else {
                        [Val::F64(a), Val::F64(b)]
                    };
                    let (x, y) = if ty == Type::F32 { (a as f32 as f64, b as f32 as f64) } else { (a, b) };
                    let want = Val::Bool(fcmp_ref(cc, x, y));
                    assert_eq!(call(&i, &name, &args), Ok(Some(want)), "fcmp {cc:?}.{ty} {a:?} {b:?}");
                }
            }
        }
    }
}

// ---- conversions ---------------------------------------------------------------------------

#[test]
fn float_to_int_saturates() {
    let inputs: Vec<f64> = vec![
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        0.0,
        -0.0,
        0.9,
        -0.9,
        -1.5,
        127.5,
        128.0,
        -129.0,
        255.5,
        256.0,
        65535.9,
        2147483647.0,
        2147483648.0,
        -2147483649.0,
        4294967296.0,
        9.3e18,
        -9.3e18,
        1.9e19,
        1e30,
    ];
    for x in inputs {
        for (from, v) in [(Type::F32, Val::F32(x as f32)), (Type::F64, Val::F64(x))] {
            let xf = if from == Type::F32 { x as f32 as f64 } else { x };
            let xs = x as f32;
            let si = |to| ok(conv(Opcode::Fptosi, to, v));
            let ui = |to| ok(conv(Opcode::Fptoui, to, v));
            // Rust's `as` saturates and maps NaN to 0: the IR's rule.
            if from == Type::F32 {
                assert_eq!(si(Type::I8), Val::I8(xs as i8), "fptosi.i8 {xs:?}");
                assert_eq!(si(Type::I16), Val::I16(xs as i16), "fptosi.i16 {xs:?}");
                assert_eq!(si(Type::I32), Val::I32(xs as i32), "fptosi.i32 {xs:?}");
                assert_eq!(si(Type::I64), Val::I64(xs as i64), "fptosi.i64 {xs:?}");
                assert_eq!(ui(Type::I8), Val::I8(xs as u8 as i8), "fptoui.i8 {xs:?}");
                assert_eq!(ui(Type::I16), Val::I16(xs as u16 as i16), "fptoui.i16 {xs:?}");
                assert_eq!(ui(Type::I32), Val::I32(xs as u32 as i32), "fptoui.i32 {xs:?}");
                assert_eq!(ui(Type::I64), Val::I64(xs as u64 as i64), "fptoui.i64 {xs:?}");
            } else {
                assert_eq!(si(Type::I8), Val::I8(xf as i8), "fptosi.i8 {xf:?}");
                assert_eq!(si(Type::I16), Val::I16(xf as i16), "fptosi.i16 {xf:?}");
                assert_eq!(si(Type::I32), Val::I32(xf as i32), "fptosi.i32 {xf:?}");
                assert_eq!(si(Type::I64), Val::I64(xf as i64), "fptosi.i64 {xf:?}");
                assert_eq!(ui(Type::I8), Val::I8(xf as u8 as i8), "fptoui.i8 {xf:?}");
                assert_eq!(ui(Type::I16), Val::I16(xf as u16 as i16), "fptoui.i16 {xf:?}");
                assert_eq!(ui(Type::I32), Val::I32(xf as u32 as i32), "fptoui.i32 {xf:?}");
                assert_eq!(ui(Type::I64), Val::I64(xf as u64 as i64), "fptoui.i64 {xf:?}");
            }
        }
    }
    // Spelled out for the record.
    assert_eq!(ok(conv(Opcode::Fptosi, Type::I32, Val::F32(f32::NAN))), Val::I32(0));
    assert_eq!(ok(conv(Opcode::Fptosi, Type::I32, Val::F64(f64::INFINITY))), Val::I32(i32::MAX));
    assert_eq!(ok(conv(Opcode::Fptosi, Type::I64, Val::F64(f64::NEG_INFINITY))), Val::I64(i64::MIN));
    assert_eq!(ok(conv(Opcode::Fptoui, Type::I32, Val::F64(-1.0))), Val::I32(0));
    assert_eq!(ok(conv(Opcode::Fptoui, Type::I64, Val::F32(f32::INFINITY))), Val::I64(-1));
    assert_eq!(ok(conv(Opcode::Fptoui, Type::I64, Val::F64(f64::NAN))), Val::I64(0));
}

#[test]
fn int_to_float_rounds_to_nearest_even() {
    let mut rng = Rng(7);
    for ty in INT_TYPES {
        let mut vals = edge_values(ty.lane_bits(), &mut rng);
        vals.extend([16777217, 16777219, (1 << 53) + 1, -(1 << 53) - 1]);
        for a in vals {
            let a = ival(ty, a).as_i64().unwrap();
            let u = a as u64 & if ty.lane_bits() == 64 { u64::MAX } else { (1u64 << ty.lane_bits()) - 1 };
            let v = ival(ty, a);
            assert_eq!(ok(conv(Opcode::Sitofp, Type::F32, v)), Val::F32(a as f32), "sitofp.f32 {ty} {a}");
            assert_eq!(ok(conv(Opcode::Sitofp, Type::F64, v)), Val::F64(a as f64), "sitofp.f64 {ty} {a}");
            assert_eq!(ok(conv(Opcode::Uitofp, Type::F32, v)), Val::F32(u as f32), "uitofp.f32 {ty} {a}");
            assert_eq!(ok(conv(Opcode::Uitofp, Type::F64, v)), Val::F64(u as f64), "uitofp.f64 {ty} {a}");
        }
    }
    assert_eq!(ok(conv(Opcode::Sitofp, Type::F32, Val::I32(16777217))), Val::F32(16777216.0));
    assert_eq!(ok(conv(Opcode::Uitofp, Type::F32, Val::I64(-1))), Val::F32(18446744073709551616.0));
}

#[test]
fn integer_width_conversions() {
    let mut rng = Rng(3);
    for from in INT_TYPES {
        for a in edge_values(from.lane_bits(), &mut rng) {
            let v = ival(from, a);
            let u = a as u64 & if from.lane_bits() == 64 { u64::MAX } else { (1u64 << from.lane_bits()) - 1 };
            for to in INT_TYPES {
                if to.lane_bits() > from.lane_bits() {
                    assert_eq!(ok(conv(Opcode::Sext, to, v)), ival(to, a), "sext {from}->{to} {a}");
                    let z = ok(eval(&[v], Type::I64, |b, p| {
                        let s = b.convert(Opcode::Sext, to, p[0]);
                        b.convert(Opcode::Zext, Type::I64, s)
                    }));
                    assert_eq!(z, Val::I64((a as u64 & umask(to)) as i64), "zext(sext {from}->{to}) {a}");
                    assert_eq!(ok(conv(Opcode::Zext, to, v)), ival(to, u as i64), "zext {from}->{to} {a}");
                } else if to.lane_bits() < from.lane_bits() {
                    assert_eq!(ok(conv(Opcode::Trunc, to, v)), ival(to, a), "trunc {from}->{to} {a}");
                }
            }
        }
    }
}

#[test]
fn float_width_conversions() {
    for x in f64s() {
        assert_eq!(ok(conv(Opcode::Fdemote, Type::F32, Val::F64(x))), Val::F32(x as f32), "fdemote {x:?}");
    }
    for x in F32S {
        assert!(ok(conv(Opcode::Fpromote, Type::F64, Val::F32(x))).bit_eq(&Val::F64(x as f64)) || x.is_nan());
    }
    assert_eq!(ok(conv(Opcode::Fdemote, Type::F32, Val::F64(1e300))), Val::F32(f32::INFINITY));
    assert!(ok(conv(Opcode::Fdemote, Type::F32, Val::F64(-5e-324))).bit_eq(&Val::F32(-0.0)));
    // 1 + 2^-24 is a tie between 1 and 1 + 2^-23: to even gives 1.
    assert_eq!(ok(conv(Opcode::Fdemote, Type::F32, Val::F64(1.0 + 2f64.powi(-24)))), Val::F32(1.0));
    assert!(ok(conv(Opcode::Fdemote, Type::F32, Val::F64(f64::NAN))).as_f32().unwrap().is_nan());
}

#[test]
fn bitcasts() {
    let c = |to, v| ok(conv(Opcode::Bitcast, to, v));
    assert_eq!(c(Type::I64, Val::F64(-2.0)), Val::I64((-2.0f64).to_bits() as i64));
    assert!(c(Type::F32, Val::I32(0x7fc0_0001)).bit_eq(&Val::F32(f32::from_bits(0x7fc0_0001))));
    let v = Val::Vector(VectorVal::from_f32s(&[1.0, -0.0, 2.5, f32::INFINITY]).unwrap());
    let want: Vec<i32> = [1.0f32, -0.0, 2.5, f32::INFINITY].iter().map(|x| x.to_bits() as i32).collect();
    assert_eq!(c(Type::I32X4, v), Val::Vector(VectorVal::from_i32s(&want).unwrap()));
    // Whole-value reinterpretation between different lane widths and to/from scalars.
    let i32x2 = Type::vector(strata_ir::LaneType::I32, 2).unwrap();
    assert_eq!(c(i32x2, Val::I64(0x0000_0002_0000_0001)), Val::Vector(VectorVal::from_i32s(&[1, 2]).unwrap()));
    assert_eq!(c(Type::I64, Val::Vector(VectorVal::from_i32s(&[1, 2]).unwrap())), Val::I64(0x0000_0002_0000_0001));
    let i8x4 = Type::vector(strata_ir::LaneType::I8, 4).unwrap();
    assert_eq!(
        c(Type::I32, Val::Vector(VectorVal::from_i8s(&[1, 2, 3, -1]).unwrap())),
        Val::I32(0xff03_0201u32 as i32)
    );
    assert_eq!(c(i8x4, Val::I32(-1)), Val::Vector(VectorVal::from_i8s(&[-1; 4]).unwrap()));
    let f32x8 = VectorVal::from_f32s(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]).unwrap();
    let i64x4 = Type::vector(strata_ir::LaneType::I64, 4).unwrap();
    let as_i64 = c(i64x4, Val::Vector(f32x8));
    assert_eq!(as_i64.as_vector().unwrap().as_bytes(), f32x8.as_bytes());
    assert_eq!(c(Type::vector(strata_ir::LaneType::F32, 8).unwrap(), as_i64), Val::Vector(f32x8));
}

// ---- vectors -------------------------------------------------------------------------------

fn rand_vector(ty: Type, rng: &mut Rng) -> VectorVal {
    let lanes: Vec<Val> = (0..ty.lanes())
        .map(|_| {
            let r = rng.next();
            match ty.lane() {
                // Mix special floats in with ordinary ones.
                strata_ir::LaneType::F32 => Val::F32(if r.is_multiple_of(5) {
                    F32S[(r >> 8) as usize % F32S.len()]
                } else {
                    (r as i32 as f32) / 1e6
                }),
                strata_ir::LaneType::F64 => {
                    Val::F64(if r.is_multiple_of(5) { f64s()[(r >> 8) as usize % 23] } else { (r as i64 as f64) / 1e9 })
                }
                strata_ir::LaneType::Bool => Val::Bool(r & 1 == 1),
                _ => {
                    // Small values now and then, so shifts and divisions see interesting amounts.
                    let x = if r.is_multiple_of(3) { (r >> 32) % 70 } else { r };
                    Val::from_bits(ty.lane_type(), x).unwrap()
                }
            }
        })
        .collect();
    VectorVal::from_lanes(&lanes).unwrap()
}

/// Checks that a vector op computes, lane by lane, what the scalar op computes.
fn lanewise_binary(op: Opcode, ty: Type, scalar_amount: bool) {
    let mut rng = Rng(ty.bits() as u64 * 31 + op as u64);
    let lane = ty.lane_type();
    let bty = if scalar_amount { lane } else { ty };
    let (vi, vn) = interp(func("v", vec![p("a", ty), p("b", bty)], Some(ty), |b, p| {
        let v = b.binary(op, p[0], p[1]);
        b.ret(Some(v));
    }));
    let (si, sn) = interp(func("s", vec![p("a", lane), p("b", lane)], Some(lane), |b, p| {
        let v = b.binary(op, p[0], p[1]);
        b.ret(Some(v));
    }));
    for _ in 0..20 {
        let (a, b) = (rand_vector(ty, &mut rng), rand_vector(ty, &mut rng));
        let bv = if scalar_amount { b.lane(0).unwrap() } else { Val::Vector(b) };
        let got = call(&vi, &vn, &[Val::Vector(a), bv]).unwrap().unwrap();
        let got = got.as_vector().unwrap();
        for l in 0..a.lanes() {
            let bl = if scalar_amount { b.lane(0).unwrap() } else { b.lane(l).unwrap() };
            let want = call(&si, &sn, &[a.lane(l).unwrap(), bl]).unwrap().unwrap();
            assert_eq!(got.lane(l).unwrap(), want, "{op}.{ty} lane {l}: {a:?} {bv:?}");
        }
    }
}

#[test]
fn vector_binary_ops_match_scalar_lanes() {
    let int_types = ["i8x16", "i16x8", "i32x4", "i64x2", "i32x8", "i8x64", "i16x2"];
    for t in int_types {
        let ty: Type = t.parse().unwrap();
        for op in INT_BINARY {
            if matches!(op, Opcode::Sdiv | Opcode::Udiv | Opcode::Srem | Opcode::Urem) {
                continue; // scalars only
            }
            lanewise_binary(op, ty, matches!(op, Opcode::Shl | Opcode::Lshr | Opcode::Ashr));
        }
    }
    for t in ["f32x4", "f32x8", "f64x2", "f32x16", "f64x8", "f32x2"] {
        let ty: Type = t.parse().unwrap();
        for op in
            [Opcode::Fadd, Opcode::Fsub, Opcode::Fmul, Opcode::Fdiv, Opcode::Fmin, Opcode::Fmax, Opcode::Fcopysign]
        {
            lanewise_binary(op, ty, false);
        }
    }
    for t in ["boolx4", "boolx16"] {
        let ty: Type = t.parse().unwrap();
        for op in [Opcode::Band, Opcode::Bor, Opcode::Bxor] {
            lanewise_binary(op, ty, false);
        }
    }
}

#[test]
fn vector_unary_ops_match_scalar_lanes() {
    let cases: [(&str, &[Opcode]); 4] = [
        ("i32x4", &[Opcode::Ineg, Opcode::Bnot, Opcode::Popcnt, Opcode::Clz, Opcode::Ctz, Opcode::Bswap]),
        ("i16x8", &[Opcode::Ineg, Opcode::Bnot, Opcode::Clz, Opcode::Bswap]),
        (
            "f32x8",
            &[
                Opcode::Fneg,
                Opcode::Fabs,
                Opcode::Fsqrt,
                Opcode::Ffloor,
                Opcode::Fceil,
                Opcode::Ftrunc,
                Opcode::Fnearest,
            ],
        ),
        ("f64x2", &[Opcode::Fneg, Opcode::Fabs, Opcode::Fsqrt, Opcode::Fnearest]),
    ];
    let mut rng = Rng(5);
    for (t, ops) in cases {
        let ty: Type = t.parse().unwrap();
        for &op in ops {
            for _ in 0..10 {
                let a = rand_vector(ty, &mut rng);
                let got = ok(un(op, Val::Vector(a)));
                for l in 0..a.lanes() {
                    let want = ok(un(op, a.lane(l).unwrap()));
                    assert_eq!(got.as_vector().unwrap().lane(l).unwrap(), want, "{op}.{ty} lane {l}");
                }
            }
        }
    }
    let b = VectorVal::from_bools(&[true, false, false, true]).unwrap();
    assert_eq!(
        ok(un(Opcode::Bnot, Val::Vector(b))),
        Val::Vector(VectorVal::from_bools(&[false, true, true, false]).unwrap())
    );
}

#[test]
fn vector_compares_select_and_fma() {
    let mut rng = Rng(11);
    for t in ["f32x4", "f32x8", "f64x2"] {
        let ty: Type = t.parse().unwrap();
        for cc in FloatCC::ALL {
            let (a, b) = (rand_vector(ty, &mut rng), rand_vector(ty, &mut rng));
            let got = ok(eval(&[Val::Vector(a), Val::Vector(b)], ty.as_bool(), |bd, p| bd.fcmp(cc, p[0], p[1])));
            for l in 0..a.lanes() {
                let want =
                    ok(eval(&[a.lane(l).unwrap(), b.lane(l).unwrap()], Type::BOOL, |bd, p| bd.fcmp(cc, p[0], p[1])));
                assert_eq!(got.as_vector().unwrap().lane(l).unwrap(), want, "fcmp {cc:?}.{ty}");
            }
        }
        // select(a < b, a, b) lane-wise, and fma lane-wise.
        let (a, b, c) = (rand_vector(ty, &mut rng), rand_vector(ty, &mut rng), rand_vector(ty, &mut rng));
        let args = [Val::Vector(a), Val::Vector(b), Val::Vector(c)];
        let sel = ok(eval(&args[..2], ty, |bd, p| {
            let c = bd.fcmp(FloatCC::Lt, p[0], p[1]);
            bd.select(c, p[0], p[1])
        }));
        let fma = ok(eval(&args, ty, |bd, p| bd.fma(FloatFlags::NONE, p[0], p[1], p[2])));
        for l in 0..a.lanes() {
            let (x, y, z) = (a.lane(l).unwrap(), b.lane(l).unwrap(), c.lane(l).unwrap());
            let lt = ok(eval(&[x, y], Type::BOOL, |bd, p| bd.fcmp(FloatCC::Lt, p[0], p[1]))).as_bool().unwrap();
            assert_eq!(sel.as_vector().unwrap().lane(l).unwrap(), if lt { x } else { y });
            let want = ok(eval(&[x, y, z], ty.lane_type(), |bd, p| bd.fma(FloatFlags::NONE, p[0], p[1], p[2])));
            assert_eq!(fma.as_vector().unwrap().lane(l).unwrap(), want);
        }
    }
    for t in ["i32x4", "i8x16", "i64x2"] {
        let ty: Type = t.parse().unwrap();
        for cc in IntCC::ALL {
            let (a, b) = (rand_vector(ty, &mut rng), rand_vector(ty, &mut rng));
            let got = ok(eval(&[Val::Vector(a), Val::Vector(b)], ty.as_bool(), |bd, p| bd.icmp(cc, p[0], p[1])));
            for l in 0..a.lanes() {
                let (x, y) = (a.lane(l).unwrap().as_i64().unwrap(), b.lane(l).unwrap().as_i64().unwrap());
                let want = Val::Bool(icmp_ref(cc, ty.lane_type(), x, y));
                assert_eq!(got.as_vector().unwrap().lane(l).unwrap(), want, "icmp {cc:?}.{ty}");
            }
        }
    }
    // A whole-vector select on a scalar condition.
    let (a, b) = (rand_vector(Type::I32X4, &mut rng), rand_vector(Type::I32X4, &mut rng));
    for c in [true, false] {
        let got =
            ok(eval(&[Val::Bool(c), Val::Vector(a), Val::Vector(b)], Type::I32X4, |bd, p| bd.select(p[0], p[1], p[2])));
        assert_eq!(got, Val::Vector(if c { a } else { b }));
    }
}

#[test]
fn vector_conversions_match_scalar_lanes() {
    let cases = [
        (Opcode::Sext, "i16x8", "i32x8"),
        (Opcode::Zext, "i8x16", "i16x16"),
        (Opcode::Trunc, "i32x4", "i8x4"),
        (Opcode::Fptosi, "f32x4", "i32x4"),
        (Opcode::Fptoui, "f64x2", "i64x2"),
        (Opcode::Sitofp, "i32x4", "f32x4"),
        (Opcode::Uitofp, "i64x2", "f64x2"),
        (Opcode::Fpromote, "f32x2", "f64x2"),
        (Opcode::Fdemote, "f64x4", "f32x4"),
    ];
    let mut rng = Rng(13);
    for (op, from, to) in cases {
        let (from, to): (Type, Type) = (from.parse().unwrap(), to.parse().unwrap());
        for _ in 0..10 {
            let a = rand_vector(from, &mut rng);
            let got = ok(conv(op, to, Val::Vector(a)));
            for l in 0..a.lanes() {
                let want = ok(conv(op, to.lane_type(), a.lane(l).unwrap()));
                assert_eq!(got.as_vector().unwrap().lane(l).unwrap(), want, "{op} {from}->{to} lane {l}");
            }
        }
    }
    let b = VectorVal::from_bools(&[true, false, true, true]).unwrap();
    assert_eq!(
        ok(conv(Opcode::Sext, Type::I32X4, Val::Vector(b))),
        Val::Vector(VectorVal::from_i32s(&[-1, 0, -1, -1]).unwrap())
    );
}

#[test]
fn reductions() {
    // Lane order for floats: ((l0 + l1) + l2) + l3.
    let xs = [1e8f32, 1.0, -1e8, 1.0];
    let got = ok(un(Opcode::ReduceAdd, Val::Vector(VectorVal::from_f32s(&xs).unwrap())));
    assert_eq!(got, Val::F32(((xs[0] + xs[1]) + xs[2]) + xs[3]));
    let xs: Vec<f32> = (0..8).map(|i| 0.1 * i as f32 + 1e7 * (i % 3) as f32).collect();
    let got = ok(un(Opcode::ReduceAdd, Val::Vector(VectorVal::from_f32s(&xs).unwrap())));
    assert_eq!(got, Val::F32(xs.iter().fold(0.0f32, |a, &x| if a == 0.0 { x } else { a + x })));
    let got = ok(un(Opcode::ReduceAdd, Val::Vector(VectorVal::from_i8s(&[100, 100, 100, -1]).unwrap())));
    assert_eq!(got, Val::I8(100i8.wrapping_add(100).wrapping_add(100).wrapping_sub(1)));
    let v = Val::Vector(VectorVal::from_i32s(&[5, -3, 9, 0]).unwrap());
    assert_eq!(ok(un(Opcode::ReduceMin, v)), Val::I32(-3), "signed");
    assert_eq!(ok(un(Opcode::ReduceMax, v)), Val::I32(9));
    let z = Val::Vector(VectorVal::from_f64s(&[0.0, -0.0]).unwrap());
    assert!(ok(un(Opcode::ReduceMin, z)).bit_eq(&Val::F64(-0.0)));
    assert!(ok(un(Opcode::ReduceMax, z)).bit_eq(&Val::F64(0.0)));
    let n = Val::Vector(VectorVal::from_f32s(&[1.0, 2.0, f32::NAN, 0.0]).unwrap());
    assert!(ok(un(Opcode::ReduceMin, n)).as_f32().unwrap().is_nan());
}

#[test]
fn lanes_and_splat() {
    let ty: Type = "f32x8".parse().unwrap();
    let v = ok(eval(&[Val::F32(2.5)], ty, |b, p| b.splat(ty, p[0])));
    assert_eq!(v, Val::Vector(VectorVal::from_f32s(&[2.5; 8]).unwrap()));
    let v = ok(eval(&[v, Val::F32(-1.0)], ty, |b, p| b.insertlane(p[0], p[1], 7)));
    assert_eq!(v.as_vector().unwrap().lane(7), Some(Val::F32(-1.0)));
    assert_eq!(ok(eval(&[v], Type::F32, |b, p| b.extractlane(p[0], 7))), Val::F32(-1.0));
    let bv = Val::Vector(VectorVal::from_bools(&[false, true]).unwrap());
    assert_eq!(ok(eval(&[bv], Type::BOOL, |b, p| b.extractlane(p[0], 1))), Val::Bool(true));
    // Constants of vector type splat their value.
    let c = ok(eval(&[], Type::I32X4, |b, _| b.iconst(Type::I32X4, -2)));
    assert_eq!(c, Val::Vector(VectorVal::from_i32s(&[-2; 4]).unwrap()));
}
