//! Float opcodes on f32 and f64 against Rust's IEEE operations and the interpreter's math
//! functions: NaN, ±0, ±inf, subnormals, ties; `fmin`/`fmax` as IEEE-754-2019
//! minimum/maximum; saturating float→int conversions; every `fcmp` condition.

mod common;
use common::suite::*;
use common::*;
use strata_ir::abi::{strata_cos, strata_cosf, strata_exp, strata_expf, strata_log, strata_logf};
use strata_ir::abi::{strata_pow, strata_powf, strata_sin, strata_sinf};
use strata_ir::{FloatCC, Opcode};

fn unary64(op: Opcode, x: f64) -> f64 {
    match op {
        Opcode::Fneg => -x,
        Opcode::Fabs => x.abs(),
        Opcode::Fsqrt => x.sqrt(),
        Opcode::Ffloor => x.floor(),
        Opcode::Fceil => x.ceil(),
        Opcode::Ftrunc => x.trunc(),
        Opcode::Fnearest => x.round_ties_even(),
        Opcode::Fexp => strata_exp(x),
        Opcode::Flog => strata_log(x),
        Opcode::Fsin => strata_sin(x),
        _ => strata_cos(x),
    }
}
fn unary32(op: Opcode, x: f32) -> f32 {
    match op {
        Opcode::Fneg => -x,
        Opcode::Fabs => x.abs(),
        Opcode::Fsqrt => x.sqrt(),
        Opcode::Ffloor => x.floor(),
        Opcode::Fceil => x.ceil(),
        Opcode::Ftrunc => x.trunc(),
        Opcode::Fnearest => x.round_ties_even(),
        Opcode::Fexp => strata_expf(x),
        Opcode::Flog => strata_logf(x),
        Opcode::Fsin => strata_sinf(x),
        _ => strata_cosf(x),
    }
}
fn binary64(op: Opcode, a: f64, b: f64) -> f64 {
    match op {
        Opcode::Fadd => a + b,
        Opcode::Fsub => a - b,
        Opcode::Fmul => a * b,
        Opcode::Fdiv => a / b,
        Opcode::Fmin => minimum_f64(a, b),
        Opcode::Fmax => maximum_f64(a, b),
        Opcode::Fcopysign => a.copysign(b),
        _ => strata_pow(a, b),
    }
}
fn binary32(op: Opcode, a: f32, b: f32) -> f32 {
    match op {
        Opcode::Fadd => a + b,
        Opcode::Fsub => a - b,
        Opcode::Fmul => a * b,
        Opcode::Fdiv => a / b,
        Opcode::Fmin => minimum_f32(a, b),
        Opcode::Fmax => maximum_f32(a, b),
        Opcode::Fcopysign => a.copysign(b),
        _ => strata_powf(a, b),
    }
}

#[test]
fn unary_and_binary_float_ops() {
    let m = floats();
    for cm in compile_levels(&m) {
        for op in FLOAT_UNARY {
            let (f, g) = (func(&cm, &format!("{op}_f32")), func(&cm, &format!("{op}_f64")));
            for &x in F32S {
                let got = slot_f32(call_ok(&f, &[f32_slot(x)]));
                assert!(same_f32(got, unary32(op, x)), "{op}.f32 {x:e}: got {got:e}, want {:e}", unary32(op, x));
            }
            for &x in F64S {
                let got = slot_f64(call_ok(&g, &[f64_slot(x)]));
                assert!(same_f64(got, unary64(op, x)), "{op}.f64 {x:e}: got {got:e}, want {:e}", unary64(op, x));
            }
        }
        for op in FLOAT_BINARY {
            for suffix in ["", "_fast"] {
                let f = func(&cm, &format!("{op}_f32{suffix}"));
                let g = func(&cm, &format!("{op}_f64{suffix}"));
                for &a in F32S {
                    for &b in F32S {
                        let got = slot_f32(call_ok(&f, &[f32_slot(a), f32_slot(b)]));
                        let want = binary32(op, a, b);
                        assert!(same_f32(got, want), "{op}.f32{suffix} {a:e}, {b:e}: got {got:e}, want {want:e}");
                    }
                }
                for &a in F64S {
                    for &b in F64S {
                        let got = slot_f64(call_ok(&g, &[f64_slot(a), f64_slot(b)]));
                        let want = binary64(op, a, b);
                        assert!(same_f64(got, want), "{op}.f64{suffix} {a:e}, {b:e}: got {got:e}, want {want:e}");
                    }
                }
            }
        }
        let (f, g) = (func(&cm, "fma_f32"), func(&cm, "fma_f64"));
        for &a in F32S.iter().step_by(2) {
            for &b in F32S.iter().step_by(3) {
                for &c in F32S {
                    let got = slot_f32(call_ok(&f, &[f32_slot(a), f32_slot(b), f32_slot(c)]));
                    assert!(same_f32(got, a.mul_add(b, c)), "fma.f32 {a:e} {b:e} {c:e}");
                }
            }
        }
        for &a in F64S.iter().step_by(2) {
            for &b in F64S.iter().step_by(3) {
                for &c in F64S {
                    let got = slot_f64(call_ok(&g, &[f64_slot(a), f64_slot(b), f64_slot(c)]));
                    assert!(same_f64(got, a.mul_add(b, c)), "fma.f64 {a:e} {b:e} {c:e}");
                }
            }
        }
    }
}

#[test]
fn fmin_fmax_signed_zeros_and_nan() {
    let m = min_max();
    for cm in compile_levels(&m) {
        let (min, max) = (func(&cm, "min"), func(&cm, "max"));
        let f = |g: &strata_llvm::CompiledFunc, a: f32, b: f32| slot_f32(call_ok(g, &[f32_slot(a), f32_slot(b)]));
        assert_eq!(f(&min, 0.0, -0.0).to_bits(), (-0.0f32).to_bits());
        assert_eq!(f(&min, -0.0, 0.0).to_bits(), (-0.0f32).to_bits());
        assert_eq!(f(&max, -0.0, 0.0).to_bits(), 0.0f32.to_bits());
        assert_eq!(f(&max, 0.0, -0.0).to_bits(), 0.0f32.to_bits());
        assert!(f(&min, f32::NAN, 1.0).is_nan() && f(&min, 1.0, f32::NAN).is_nan());
        assert!(f(&max, f32::NAN, f32::INFINITY).is_nan() && f(&max, f32::NEG_INFINITY, f32::NAN).is_nan());
        assert_eq!(f(&min, f32::NEG_INFINITY, 3.0), f32::NEG_INFINITY);
    }
}

#[test]
fn float_comparisons() {
    let m = fcmp();
    let reference = |cc: FloatCC, a: f64, b: f64| match cc {
        FloatCC::Eq => a == b,
        FloatCC::Ne => a != b,
        FloatCC::Lt => a < b,
        FloatCC::Le => a <= b,
        FloatCC::Gt => a > b,
        FloatCC::Ge => a >= b,
        FloatCC::Ord => !a.is_nan() && !b.is_nan(),
        FloatCC::Uno => a.is_nan() || b.is_nan(),
    };
    for cm in compile_levels(&m) {
        for cc in FloatCC::ALL {
            let f = func(&cm, &format!("{}_f32", cc.name()));
            for &a in F32S {
                for &b in F32S {
                    let want = reference(cc, a as f64, b as f64) as u64;
                    assert_eq!(call_ok(&f, &[f32_slot(a), f32_slot(b)]), want, "fcmp {} {a} {b}", cc.name());
                }
            }
            let g = func(&cm, &format!("{}_f64", cc.name()));
            for &a in F64S {
                for &b in F64S {
                    let want = reference(cc, a, b) as u64;
                    assert_eq!(call_ok(&g, &[f64_slot(a), f64_slot(b)]), want, "fcmp {} {a} {b}", cc.name());
                }
            }
        }
    }
}

/// `fptosi`/`fptoui` saturate (NaN → 0) like Rust's `as`; `sitofp`/`uitofp` round to
/// nearest even like Rust's `as`; promote/demote are IEEE conversions.
#[test]
fn conversions() {
    let ints = INT_WIDTHS;
    let m = conversion_ops();
    for cm in compile_levels(&m) {
        for &x in F64S {
            for (it, w) in ints {
                let s = call_ok(&func(&cm, &format!("fptosi_f64_{it}")), &[f64_slot(x)]);
                let u = call_ok(&func(&cm, &format!("fptoui_f64_{it}")), &[f64_slot(x)]);
                let (ws, wu) = match w {
                    8 => (x as i8 as u8 as u64, x as u8 as u64),
                    16 => (x as i16 as u16 as u64, x as u16 as u64),
                    32 => (x as i32 as u32 as u64, x as u32 as u64),
                    _ => (x as i64 as u64, x as u64),
                };
                assert_eq!((s, u), (ws, wu), "fpto[su]i f64 {x:e} → {it}");
            }
        }
        for &x in F32S {
            for (it, w) in ints {
                let s = call_ok(&func(&cm, &format!("fptosi_f32_{it}")), &[f32_slot(x)]);
                let u = call_ok(&func(&cm, &format!("fptoui_f32_{it}")), &[f32_slot(x)]);
                let (ws, wu) = match w {
                    8 => (x as i8 as u8 as u64, x as u8 as u64),
                    16 => (x as i16 as u16 as u64, x as u16 as u64),
                    32 => (x as i32 as u32 as u64, x as u32 as u64),
                    _ => (x as i64 as u64, x as u64),
                };
                assert_eq!((s, u), (ws, wu), "fpto[su]i f32 {x:e} → {it}");
            }
            let d = slot_f64(call_ok(&func(&cm, "promote"), &[f32_slot(x)]));
            assert!(same_f64(d, x as f64));
            assert_eq!(call_ok(&func(&cm, "bits32"), &[f32_slot(x)]) as u32, x.to_bits());
        }
        for &x in F64S {
            let d = slot_f32(call_ok(&func(&cm, "demote"), &[f64_slot(x)]));
            assert!(same_f32(d, x as f32), "demote {x:e}");
            assert!(same_f64(slot_f64(call_ok(&func(&cm, "from_bits64"), &[x.to_bits()])), x));
        }
        for &i in I64S {
            for (it, w) in ints {
                let sf = slot_f32(call_ok(&func(&cm, &format!("sitofp_{it}_f32")), &[i as u64]));
                let uf = slot_f32(call_ok(&func(&cm, &format!("uitofp_{it}_f32")), &[i as u64]));
                let sd = slot_f64(call_ok(&func(&cm, &format!("sitofp_{it}_f64")), &[i as u64]));
                let ud = slot_f64(call_ok(&func(&cm, &format!("uitofp_{it}_f64")), &[i as u64]));
                let (s, u) = match w {
                    8 => (i as i8 as i64, i as u8 as u64),
                    16 => (i as i16 as i64, i as u16 as u64),
                    32 => (i as i32 as i64, i as u32 as u64),
                    _ => (i, i as u64),
                };
                assert_eq!(sf.to_bits(), (s as f32).to_bits(), "sitofp {it} {i} → f32");
                assert_eq!(uf.to_bits(), (u as f32).to_bits(), "uitofp {it} {i} → f32");
                assert_eq!(sd.to_bits(), (s as f64).to_bits(), "sitofp {it} {i} → f64");
                assert_eq!(ud.to_bits(), (u as f64).to_bits(), "uitofp {it} {i} → f64");
            }
        }
    }
}

/// Constants keep their exact bits (NaN payloads, -0.0, subnormals).
#[test]
fn float_constants_are_exact() {
    let (bits32, bits64) = (FLOAT_BITS32, FLOAT_BITS64);
    let m = float_constants();
    for cm in compile_levels(&m) {
        for (i, &b32) in bits32.iter().enumerate() {
            assert_eq!(call_ok(&func(&cm, &format!("c32_{i}")), &[]) as u32, b32);
        }
        for (i, &b64) in bits64.iter().enumerate() {
            assert_eq!(call_ok(&func(&cm, &format!("c64_{i}")), &[]), b64);
        }
    }
}
