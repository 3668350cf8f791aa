//! Every scalar operation against the reference in `common::reference`, on edge-case inputs
//! (NaN, ±0, ±inf, subnormals, MIN/MAX, zero and −1 divisors, over-wide shift amounts).

mod common;
use common::reference::{self, edge_values, lane_op, same};
use common::*;
use strata_ir::{FloatCC, FloatFlags, IntCC, Opcode, TrapCode, Type};

const INTS: [Type; 4] = [Type::I8, Type::I16, Type::I32, Type::I64];
const FLOATS: [Type; 2] = [Type::F32, Type::F64];

fn check(ty: Type, what: &str, args: &[u64], got: Result<u64, TrapCode>, want: Result<u64, TrapCode>) {
    let ok = match (got, want) {
        (Ok(g), Ok(w)) => same(ty, g, w),
        (g, w) => g == w,
    };
    assert!(ok, "{what} on {ty} {args:x?}: got {got:x?}, want {want:x?}");
}

fn binary_op(op: Opcode, ty: Type) {
    let m = module1(&[ty, ty], Some(ty), |b, p| {
        let r = b.binary(op, p[0], p[1]);
        b.ret(Some(r));
    });
    let cm = compile_ok(&m);
    let vals = edge_values(ty);
    for &a in &vals {
        for &c in &vals {
            check(ty, op.name(), &[a, c], call(&cm, "f", &[a, c]), lane_op(op, ty, &[a, c]));
        }
    }
}

fn unary_op(op: Opcode, ty: Type) {
    let m = module1(&[ty], Some(ty), |b, p| {
        let r = b.unary(op, p[0]);
        b.ret(Some(r));
    });
    let cm = compile_ok(&m);
    for a in edge_values(ty) {
        check(ty, op.name(), &[a], call(&cm, "f", &[a]), lane_op(op, ty, &[a]));
    }
}

#[test]
fn integer_binary() {
    use Opcode::*;
    for ty in INTS {
        for op in [Iadd, Isub, Imul, Sdiv, Udiv, Srem, Urem, Smin, Smax, Umin, Umax, Band, Bor, Bxor, Shl, Lshr, Ashr] {
            binary_op(op, ty);
        }
    }
}

#[test]
fn integer_unary() {
    use Opcode::*;
    for ty in INTS {
        for op in [Ineg, Bnot, Popcnt, Clz, Ctz] {
            unary_op(op, ty);
        }
    }
    for ty in [Type::I16, Type::I32, Type::I64] {
        unary_op(Bswap, ty);
    }
}

#[test]
fn float_binary_and_unary() {
    use Opcode::*;
    for ty in FLOATS {
        for op in [Fadd, Fsub, Fmul, Fdiv, Fmin, Fmax, Fcopysign, Fpow] {
            binary_op(op, ty);
        }
        for op in [Fneg, Fabs, Fsqrt, Ffloor, Fceil, Ftrunc, Fnearest, Fexp, Flog, Fsin, Fcos] {
            unary_op(op, ty);
        }
    }
}

#[test]
fn fmin_fmax_are_ieee_minimum_maximum() {
    let m = module1(&[Type::F32, Type::F32], Some(Type::F32), |b, p| {
        let r = b.binary(Opcode::Fmin, p[0], p[1]);
        b.ret(Some(r));
    });
    let cm = compile_ok(&m);
    let min = |a: f32, b: f32| as_f32(call(&cm, "f", &[f32s(a), f32s(b)]).unwrap());
    assert_eq!(min(0.0, -0.0).to_bits(), (-0.0f32).to_bits());
    assert_eq!(min(-0.0, 0.0).to_bits(), (-0.0f32).to_bits());
    assert!(min(f32::NAN, 1.0).is_nan() && min(1.0, f32::NAN).is_nan());
    assert_eq!(min(f32::NEG_INFINITY, 3.0), f32::NEG_INFINITY);
}

#[test]
fn fma_is_fused() {
    for ty in FLOATS {
        let m = module1(&[ty, ty, ty], Some(ty), |b, p| {
            let r = b.fma(FloatFlags::NONE, p[0], p[1], p[2]);
            b.ret(Some(r));
        });
        let cm = compile_ok(&m);
        let vals = edge_values(ty);
        for &a in vals.iter().step_by(2) {
            for &c in vals.iter().step_by(3) {
                for &d in vals.iter().step_by(4) {
                    let want = lane_op(Opcode::Fma, ty, &[a, c, d]);
                    check(ty, "fma", &[a, c, d], call(&cm, "f", &[a, c, d]), want);
                }
            }
        }
        // 0.1 * 10 - 1 is 0 when rounded twice, 2^-54-ish when fused.
        if ty == Type::F64 {
            let r = call(&cm, "f", &[f64s(0.1), f64s(10.0), f64s(-1.0)]).unwrap();
            assert_eq!(as_f64(r), 0.1f64.mul_add(10.0, -1.0));
            assert_ne!(as_f64(r), 0.0);
        }
    }
}

#[test]
fn bool_ops() {
    use Opcode::*;
    for op in [Band, Bor, Bxor] {
        binary_op(op, Type::BOOL);
    }
    unary_op(Bnot, Type::BOOL);
    // bconst, and icmp eq/ne on bools.
    for cc in [IntCC::Eq, IntCC::Ne] {
        let m = module1(&[Type::BOOL], Some(Type::BOOL), |b, p| {
            let t = b.bconst(true);
            let r = b.icmp(cc, p[0], t);
            b.ret(Some(r));
        });
        let cm = compile_ok(&m);
        for a in [0u64, 1] {
            let want = (cc == IntCC::Eq) == (a == 1);
            assert_eq!(call(&cm, "f", &[a]), Ok(u64::from(want)));
        }
    }
}

#[test]
fn integer_compares() {
    for ty in INTS {
        for cc in IntCC::ALL {
            let m = module1(&[ty, ty], Some(Type::BOOL), |b, p| {
                let r = b.icmp(cc, p[0], p[1]);
                b.ret(Some(r));
            });
            let cm = compile_ok(&m);
            let vals = edge_values(ty);
            for &a in &vals {
                for &c in &vals {
                    let want = u64::from(reference::icmp(cc, ty.lane_bits(), a, c));
                    assert_eq!(call(&cm, "f", &[a, c]), Ok(want), "icmp {} {ty} {a:x} {c:x}", cc.name());
                }
            }
        }
    }
}

#[test]
fn float_compares() {
    for ty in FLOATS {
        for cc in FloatCC::ALL {
            let m = module1(&[ty, ty], Some(Type::BOOL), |b, p| {
                let r = b.fcmp(cc, p[0], p[1]);
                b.ret(Some(r));
            });
            let cm = compile_ok(&m);
            let vals = edge_values(ty);
            for &a in &vals {
                for &c in &vals {
                    let want = u64::from(reference::fcmp(cc, ty, a, c));
                    assert_eq!(call(&cm, "f", &[a, c]), Ok(want), "fcmp {} {ty} {a:x} {c:x}", cc.name());
                }
            }
        }
    }
}

#[test]
fn scalar_select() {
    for ty in [Type::I8, Type::I16, Type::I32, Type::I64, Type::F32, Type::F64, Type::BOOL] {
        let m = module1(&[Type::BOOL, ty, ty], Some(ty), |b, p| {
            let r = b.select(p[0], p[1], p[2]);
            b.ret(Some(r));
        });
        let cm = compile_ok(&m);
        let vals = edge_values(ty);
        for c in [0u64, 1] {
            for (&x, &y) in vals.iter().zip(vals.iter().rev()) {
                let want = if c == 1 { x } else { y };
                check(ty, "select", &[c, x, y], call(&cm, "f", &[c, x, y]), Ok(want));
            }
        }
    }
}

fn conversion(op: Opcode, from: Type, to: Type) {
    let m = module1(&[from], Some(to), |b, p| {
        let r = b.convert(op, to, p[0]);
        b.ret(Some(r));
    });
    let cm = compile_ok(&m);
    for a in edge_values(from) {
        let want = reference::convert(op, from, to, a);
        check(to, &format!("{op} {from}->{to}"), &[a], call(&cm, "f", &[a]), Ok(want));
    }
}

#[test]
fn conversions() {
    use Opcode::*;
    for (i, &from) in INTS.iter().enumerate() {
        for &to in &INTS[i + 1..] {
            conversion(Sext, from, to);
            conversion(Zext, from, to);
            conversion(Trunc, to, from);
        }
        conversion(Sext, Type::BOOL, from);
        conversion(Zext, Type::BOOL, from);
        for f in FLOATS {
            conversion(Sitofp, from, f);
            conversion(Uitofp, from, f);
            conversion(Fptosi, f, from);
            conversion(Fptoui, f, from);
        }
    }
    conversion(Fpromote, Type::F32, Type::F64);
    conversion(Fdemote, Type::F64, Type::F32);
    conversion(Bitcast, Type::F32, Type::I32);
    conversion(Bitcast, Type::I64, Type::F64);
}

#[test]
fn saturating_float_to_int() {
    let m = module1(&[Type::F32], Some(Type::I32), |b, p| {
        let r = b.convert(Opcode::Fptosi, Type::I32, p[0]);
        b.ret(Some(r));
    });
    let cm = compile_ok(&m);
    let conv = |x: f32| call(&cm, "f", &[f32s(x)]).unwrap() as i32;
    assert_eq!(conv(f32::NAN), 0);
    assert_eq!(conv(f32::INFINITY), i32::MAX);
    assert_eq!(conv(-1e20), i32::MIN);
    assert_eq!(conv(-2.9), -2);
}

#[test]
fn constants() {
    let m = module1(&[], Some(Type::I8), |b, _| {
        let r = b.iconst(Type::I8, -5);
        b.ret(Some(r));
    });
    assert_eq!(call(&compile_ok(&m), "f", &[]).map(|r| r as i8), Ok(-5));
    let m = module1(&[], Some(Type::I16), |b, _| {
        let r = b.iconst(Type::I16, 0xffff);
        b.ret(Some(r));
    });
    assert_eq!(call(&compile_ok(&m), "f", &[]).map(|r| r as i16), Ok(-1));
    let m = module1(&[], Some(Type::F32), |b, _| {
        let r = b.ins(strata_ir::InstData::FloatConst { bits: 0x7fc0_0001 }, Some(Type::F32));
        let r = b.func.dfg.inst_result(r).unwrap();
        b.ret(Some(r));
    });
    assert!(as_f32(call(&compile_ok(&m), "f", &[]).unwrap()).is_nan());
    let m = module1(&[], Some(Type::F64), |b, _| {
        let r = b.f64const(-0.0);
        b.ret(Some(r));
    });
    assert_eq!(call(&compile_ok(&m), "f", &[]), Ok((-0.0f64).to_bits()));
}

#[test]
fn ptr_ops() {
    let m = module1(&[Type::PTR, Type::I64], Some(Type::I64), |b, p| {
        let q = b.binary(Opcode::PtrAdd, p[0], p[1]);
        let r = b.convert(Opcode::PtrToInt, Type::I64, q);
        b.ret(Some(r));
    });
    let cm = compile_ok(&m);
    assert_eq!(call(&cm, "f", &[1000, (-8i64) as u64]), Ok(992));
    let m = module1(&[Type::I64, Type::PTR], Some(Type::BOOL), |b, p| {
        let q = b.convert(Opcode::IntToPtr, Type::PTR, p[0]);
        let r = b.icmp(IntCC::Ult, q, p[1]);
        b.ret(Some(r));
    });
    let cm = compile_ok(&m);
    assert_eq!(call(&cm, "f", &[u64::MAX, 5]), Ok(0));
    assert_eq!(call(&cm, "f", &[4, 5]), Ok(1));
}

#[test]
fn division_traps() {
    let m = module1(&[Type::I32, Type::I32], Some(Type::I32), |b, p| {
        let r = b.binary(Opcode::Sdiv, p[0], p[1]);
        b.ret(Some(r));
    });
    let cm = compile_ok(&m);
    assert_eq!(call(&cm, "f", &[7, 0]), Err(TrapCode::DivByZero));
    assert_eq!(call(&cm, "f", &[0x8000_0000, 0xffff_ffff]).map(|r| r as i32), Ok(i32::MIN));
    assert_eq!(call(&cm, "f", &[(-7i32) as u32 as u64, 2]).map(|r| r as i32), Ok(-3));
}
