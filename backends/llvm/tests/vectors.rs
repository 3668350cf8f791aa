//! Vector types (f32x4, f32x8, f64x2, i32x4, i32x8, i64x2, i16x8, i8x16): lane-wise
//! arithmetic, comparisons and `select`, shifts by a scalar amount, conversions, `splat`,
//! lanes, and the reductions (strict float `reduce_add` in lane order).

mod common;
use common::suite::*;
use common::*;
use strata_ir::{LaneType, Opcode};

/// Runs a `vec_fn` on `a`, `b` and returns `out`.
fn run<T: Copy + Default, U: Copy + Default>(f: &strata_llvm::CompiledFunc, a: &[T], b: &[T], n: usize) -> Vec<U> {
    let mut out = vec![U::default(); n];
    let [ap, al] = slice_args(a);
    let [bp, bl] = slice_args(b);
    let args = [ap, al, bp, bl, out.as_mut_ptr() as u64, n as u64];
    assert_eq!(call(f, &args), Ok(None));
    out
}

#[test]
fn float_vector_arithmetic() {
    let (ops, unops, tys) = (VEC_FLOAT_BINARY, VEC_FLOAT_UNARY, vec_float_types());
    let m = vector_floats();
    let data: Vec<f32> = F32S.iter().copied().chain(F32S.iter().rev().copied()).collect();
    for cm in compile_levels(&m) {
        for ty in tys {
            let n = ty.lanes() as usize;
            for start in 0..data.len() - n {
                let a = &data[start..start + n];
                let b: Vec<f32> = data[data.len() - n - start..data.len() - start].to_vec();
                for op in ops.iter().chain(&unops).copied() {
                    let out: Vec<f32> = run(&func(&cm, &format!("{op}_{ty}")), a, &b, n);
                    for i in 0..n {
                        let (x, y) = (a[i], b[i]);
                        let want = match op {
                            Opcode::Fadd => x + y,
                            Opcode::Fsub => x - y,
                            Opcode::Fmul => x * y,
                            Opcode::Fdiv => x / y,
                            Opcode::Fmin => minimum_f32(x, y),
                            Opcode::Fmax => maximum_f32(x, y),
                            Opcode::Fcopysign => x.copysign(y),
                            Opcode::Fneg => -x,
                            Opcode::Fabs => x.abs(),
                            Opcode::Fsqrt => x.sqrt(),
                            Opcode::Ffloor => x.floor(),
                            Opcode::Fceil => x.ceil(),
                            Opcode::Ftrunc => x.trunc(),
                            _ => x.round_ties_even(),
                        };
                        assert!(
                            same_f32(out[i], want),
                            "{op}.{ty} lane {i}: {x:e} {y:e} → {:e}, want {want:e}",
                            out[i]
                        );
                    }
                }
                let fma: Vec<f32> = run(&func(&cm, &format!("fma_{ty}")), a, &b, n);
                let sel: Vec<f32> = run(&func(&cm, &format!("sel_{ty}")), a, &b, n);
                for i in 0..n {
                    assert!(same_f32(fma[i], a[i].mul_add(b[i], b[i])));
                    assert!(same_f32(sel[i], if a[i] < b[i] { a[i] } else { b[i] }));
                }
            }
        }
    }
}

#[test]
fn f64x2_and_conversions() {
    let m = vector_conversions();
    for cm in compile_levels(&m) {
        for w in F64S.windows(2) {
            let b = [w[1], w[0]];
            let add: Vec<f64> = run(&func(&cm, "add_f64x2"), w, &b, 2);
            let min: Vec<f64> = run(&func(&cm, "min_f64x2"), w, &b, 2);
            for i in 0..2 {
                assert!(same_f64(add[i], w[i] + b[i]));
                assert!(same_f64(min[i], minimum_f64(w[i], b[i])));
            }
        }
        for w in F32S.windows(4) {
            let s: Vec<i32> = run(&func(&cm, "fptosi"), w, w, 4);
            let u: Vec<u32> = run(&func(&cm, "fptoui"), w, w, 4);
            let bits: Vec<u32> = run(&func(&cm, "bits"), w, w, 4);
            for i in 0..4 {
                assert_eq!((s[i], u[i], bits[i]), (w[i] as i32, w[i] as u32, w[i].to_bits()), "{:e}", w[i]);
            }
        }
        let ints: Vec<i32> = I64S.iter().map(|&i| i as i32).collect();
        for w in ints.windows(4) {
            let s: Vec<f32> = run(&func(&cm, "sitofp"), w, w, 4);
            let u: Vec<f32> = run(&func(&cm, "uitofp"), w, w, 4);
            for i in 0..4 {
                assert_eq!(s[i].to_bits(), (w[i] as f32).to_bits());
                assert_eq!(u[i].to_bits(), (w[i] as u32 as f32).to_bits());
            }
        }
    }
}

#[test]
fn integer_vectors() {
    let (ops, tys) = (VEC_INT_BINARY, vec_int_types());
    let m = vector_ints();
    let data: Vec<i64> = I64S.iter().copied().chain(I64S.iter().rev().copied()).collect();
    for cm in compile_levels(&m) {
        for ty in tys {
            let (n, w) = (ty.lanes() as usize, ty.lane_bits());
            let mask = if w == 64 { u64::MAX } else { (1u64 << w) - 1 };
            let sx = |v: u64| ((v << (64 - w)) as i64) >> (64 - w);
            // Lanes are stored as bytes of the lane width.
            let pack = |vals: &[i64]| -> Vec<u8> {
                vals.iter().flat_map(|v| v.to_le_bytes()[..w as usize / 8].to_vec()).collect()
            };
            let unpack = |bytes: &[u8]| -> Vec<u64> {
                bytes
                    .chunks(w as usize / 8)
                    .map(|c| {
                        let mut b = [0u8; 8];
                        b[..c.len()].copy_from_slice(c);
                        u64::from_le_bytes(b)
                    })
                    .collect()
            };
            for start in 0..data.len() - n {
                let a = &data[start..start + n];
                let b = &data[data.len() - n - start..data.len() - start];
                let (pa, pb) = (pack(a), pack(b));
                let runv = |name: String| -> Vec<u64> {
                    let f = func(&cm, &name);
                    let mut out = vec![0u8; pa.len()];
                    let args =
                        [pa.as_ptr() as u64, n as u64, pb.as_ptr() as u64, n as u64, out.as_mut_ptr() as u64, n as u64];
                    assert_eq!(call(&f, &args), Ok(None));
                    unpack(&out)
                };
                for op in ops.iter().copied().chain([Opcode::Shl, Opcode::Lshr, Opcode::Ashr, Opcode::Ineg]) {
                    let out = runv(format!("{op}_{ty}"));
                    let amt = (b[1] as u64 & mask) % w as u64;
                    for i in 0..n {
                        let (x, y) = (a[i] as u64 & mask, b[i] as u64 & mask);
                        let want = match op {
                            Opcode::Iadd => x.wrapping_add(y),
                            Opcode::Isub => x.wrapping_sub(y),
                            Opcode::Imul => x.wrapping_mul(y),
                            Opcode::Smin => sx(x).min(sx(y)) as u64,
                            Opcode::Smax => sx(x).max(sx(y)) as u64,
                            Opcode::Umin => x.min(y),
                            Opcode::Umax => x.max(y),
                            Opcode::Band => x & y,
                            Opcode::Bor => x | y,
                            Opcode::Bxor => x ^ y,
                            Opcode::Shl => x << amt,
                            Opcode::Lshr => x >> amt,
                            Opcode::Ashr => (sx(x) >> amt) as u64,
                            _ => x.wrapping_neg(),
                        } & mask;
                        assert_eq!(out[i], want, "{op}.{ty} lane {i}: {x:#x} {y:#x}");
                    }
                }
                let out = runv(format!("cmpsel_{ty}"));
                for i in 0..n {
                    let (x, y) = (a[i] as u64 & mask, b[i] as u64 & mask);
                    assert_eq!(out[i], x.min(y));
                }
            }
        }
    }
}

#[test]
fn reductions() {
    let (f32x4, f32x8) = (vt(LaneType::F32, 4), vt(LaneType::F32, 8));
    let m = reductions_module();
    // Chosen so that the order of additions matters: 1e8 + 1 - 1e8 …
    let mut data: Vec<f32> = vec![1e8, 1.0, -1e8, 3.0, -0.0, 0.5, 1e-8, 7.0, 2.5];
    data.extend_from_slice(F32S);
    for cm in compile_levels(&m) {
        for ty in [f32x4, f32x8] {
            let n = ty.lanes() as usize;
            for w in data.windows(n) {
                let mut want_sum = w[0];
                for &x in &w[1..] {
                    want_sum += x;
                }
                let want_min = w.iter().copied().reduce(minimum_f32).unwrap_or(0.0);
                let want_max = w.iter().copied().reduce(maximum_f32).unwrap_or(0.0);
                let got = |op: Opcode| slot_f32(call_ok(&func(&cm, &format!("{op}_{ty}")), &slice_args(w)));
                let (s, mn, mx) = (got(Opcode::ReduceAdd), got(Opcode::ReduceMin), got(Opcode::ReduceMax));
                assert!(same_f32(s, want_sum), "reduce_add {w:?}: {s:e} want {want_sum:e}");
                assert!(same_f32(mn, want_min), "reduce_min {w:?}: {mn:e}");
                assert!(same_f32(mx, want_max), "reduce_max {w:?}: {mx:e}");
            }
        }
        let exact = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
        assert_eq!(slot_f32(call_ok(&func(&cm, "fast_add"), &slice_args(&exact))), 36.0);
        let ints: Vec<i32> = I64S.iter().map(|&i| i as i32).collect();
        for w in ints.windows(4) {
            let got = |op: Opcode| call_ok(&func(&cm, &format!("{op}_i32x4")), &slice_args(w)) as u32 as i32;
            assert_eq!(got(Opcode::ReduceAdd), w.iter().fold(0i32, |a, &x| a.wrapping_add(x)));
            assert_eq!(got(Opcode::ReduceMin), *w.iter().min().unwrap_or(&0));
            assert_eq!(got(Opcode::ReduceMax), *w.iter().max().unwrap_or(&0));
        }
        for w in I64S.windows(2) {
            let got = |op: Opcode| call_ok(&func(&cm, &format!("{op}_i64x2")), &slice_args(w)) as i64;
            assert_eq!(got(Opcode::ReduceAdd), w[0].wrapping_add(w[1]));
            assert_eq!(got(Opcode::ReduceMin), w[0].min(w[1]));
            assert_eq!(got(Opcode::ReduceMax), w[0].max(w[1]));
        }
    }
}

#[test]
fn splat_and_lanes() {
    let m = lanes();
    for cm in compile_levels(&m) {
        assert_eq!(slot_f32(call_ok(&func(&cm, "lanes"), &[f32_slot(1.5), f32_slot(10.0)])), 13.0);
        assert_eq!(call_ok(&func(&cm, "ivec"), &[5]) as i32, 36);
    }
}
