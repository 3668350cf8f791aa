//! Vector operations on native (128-bit), split (256/512-bit) and scalarized (< 128-bit)
//! vector types, lane by lane against `common::reference`. Each test function loads its
//! vector operands from slices and stores its result to a slice.

mod common;
use common::reference::{self, edge_values, lane_op, mask, same};
use common::*;
use strata_cranelift::{CraneliftOptions, OptLevel};
use strata_ir::{FloatCC, FloatFlags, FunctionBuilder, IntCC, Linkage, Module, Opcode, Param, TrapCode, Type, Value};

fn t(s: &str) -> Type {
    s.parse().unwrap()
}

const INT_VECS: [&str; 13] = [
    "i8x16", "i16x8", "i32x4", "i64x2", "i32x8", "i16x16", "i8x32", "i64x4", "i8x64", "i32x2", "i16x4", "i8x8", "i8x4",
];
const FLOAT_VECS: [&str; 8] = ["f32x4", "f64x2", "f32x8", "f64x4", "f32x16", "f64x8", "f32x2", "f64x2"];

fn all_opts() -> [CraneliftOptions; 2] {
    [opts(), CraneliftOptions { opt_level: OptLevel::None, ..opts() }]
}

/// A module with `f(in0: [L], …, out: mut [R], extra…)` whose body loads one `in_ty` from
/// each input slice, computes with `body` and stores the result (of type `out_ty`).
fn vec_module(
    in_ty: Type,
    n_in: usize,
    out_ty: Type,
    extra: &[Type],
    body: impl FnOnce(&mut FunctionBuilder, &[Value], &[Value], Value) -> Option<Value>,
) -> Module {
    let mut params: Vec<Param> = (0..n_in).map(|i| Param::slice(format!("in{i}"), in_ty.lane_type(), false)).collect();
    params.push(Param::slice("out", out_ty.lane_type(), true));
    params.extend(extra.iter().enumerate().map(|(i, &t)| Param::scalar(format!("x{i}"), t)));
    let mut m = Module::new();
    m.add_function(build("f", Linkage::Export, params, None, |b, p| {
        let zero = b.iconst(Type::I64, 0);
        let ins: Vec<Value> = (0..n_in).map(|i| b.load(in_ty, p[2 * i], zero)).collect();
        let out_ptr = p[2 * n_in];
        let extras = &p[2 * n_in + 2..];
        if let Some(r) = body(b, &ins, extras, out_ptr) {
            b.store(out_ptr, zero, r);
        }
        b.ret(None);
    }));
    m
}

fn to_bytes(ty: Type, lanes: &[u64]) -> Vec<u8> {
    let lb = (ty.lane_bits() / 8) as usize;
    lanes.iter().flat_map(|x| x.to_le_bytes()[..lb].to_vec()).collect()
}

fn from_bytes(ty: Type, bytes: &[u8]) -> Vec<u64> {
    let lb = (ty.lane_bits() / 8) as usize;
    bytes
        .chunks(lb)
        .map(|c| {
            let mut b = [0u8; 8];
            b[..lb].copy_from_slice(c);
            u64::from_le_bytes(b)
        })
        .collect()
}

/// Runs `f` with the given input lanes and extra scalar slots; returns `out_lanes` lanes of
/// the output (of lane type `out_lane`).
fn run(
    cm: &Compiled,
    in_ty: Type,
    inputs: &[Vec<u64>],
    out_lane: Type,
    out_lanes: usize,
    extra: &[u64],
) -> Result<Vec<u64>, TrapCode> {
    let bufs: Vec<Vec<u8>> = inputs.iter().map(|l| to_bytes(in_ty, l)).collect();
    let mut out = vec![0u8; out_lanes * (out_lane.lane_bits() / 8) as usize];
    let mut args = Vec::new();
    for (buf, l) in bufs.iter().zip(inputs) {
        args.push(buf.as_ptr() as u64);
        args.push(l.len() as u64);
    }
    args.push(out.as_mut_ptr() as u64);
    args.push(out_lanes as u64);
    args.extend_from_slice(extra);
    call(cm, "f", &args)?;
    Ok(from_bytes(out_lane, &out))
}

/// Rounds of test vectors: lane `i` of operand `k` in round `r`.
fn rounds(ty: Type, n_in: usize) -> Vec<Vec<Vec<u64>>> {
    let vals = edge_values(ty.lane_type());
    let n = ty.lanes() as usize;
    let count = (vals.len() * 2).div_ceil(n) + 2;
    (0..count)
        .map(|r| {
            (0..n_in).map(|k| (0..n).map(|i| vals[(r * n + i * (2 * k + 1) + 5 * k) % vals.len()]).collect()).collect()
        })
        .collect()
}

fn assert_lanes(ty: Type, what: &str, got: &[u64], want: &[u64], inputs: &[Vec<u64>]) {
    let ok = got.len() == want.len() && got.iter().zip(want).all(|(&g, &w)| same(ty, g, w));
    assert!(ok, "{what} on {ty}: inputs {inputs:x?}\n got {got:x?}\nwant {want:x?}");
}

fn lanewise(ty: Type, n_in: usize, op: Opcode) {
    for o in all_opts() {
        let m = vec_module(ty, n_in, ty, &[], |b, v, _, _| {
            Some(match n_in {
                1 => b.unary(op, v[0]),
                2 => b.binary(op, v[0], v[1]),
                _ => b.fma(FloatFlags::NONE, v[0], v[1], v[2]),
            })
        });
        let cm = compile_opts(&m, &o);
        for inputs in rounds(ty, n_in) {
            let got = run(&cm, ty, &inputs, ty, ty.lanes() as usize, &[]).unwrap();
            let want: Vec<u64> = (0..ty.lanes() as usize)
                .map(|i| {
                    let args: Vec<u64> = inputs.iter().map(|l| l[i]).collect();
                    lane_op(op, ty.lane_type(), &args).unwrap()
                })
                .collect();
            assert_lanes(ty, op.name(), &got, &want, &inputs);
        }
    }
}

#[test]
fn integer_lanewise() {
    use Opcode::*;
    for ty in INT_VECS.map(t) {
        for op in [Iadd, Isub, Imul, Smin, Smax, Umin, Umax, Band, Bor, Bxor] {
            lanewise(ty, 2, op);
        }
        for op in [Ineg, Bnot] {
            lanewise(ty, 1, op);
        }
    }
}

#[test]
fn float_lanewise() {
    use Opcode::*;
    for ty in FLOAT_VECS.map(t) {
        for op in [Fadd, Fsub, Fmul, Fdiv, Fmin, Fmax, Fcopysign] {
            lanewise(ty, 2, op);
        }
        for op in [Fneg, Fabs, Fsqrt, Ffloor, Fceil, Ftrunc, Fnearest] {
            lanewise(ty, 1, op);
        }
        lanewise(ty, 3, Fma);
    }
}

#[test]
fn shifts() {
    for ty in INT_VECS.map(t) {
        for op in [Opcode::Shl, Opcode::Lshr, Opcode::Ashr] {
            let lane = ty.lane_type();
            let m = vec_module(ty, 1, ty, &[lane], |b, v, x, _| Some(b.binary(op, v[0], x[0])));
            let cm = compile_ok(&m);
            for amount in [0u64, 1, 3, 7, 8, 15, 31, 33, 63, 64, 65] {
                let amount = mask(lane.lane_bits(), amount);
                for inputs in rounds(ty, 1) {
                    let got = run(&cm, ty, &inputs, ty, ty.lanes() as usize, &[amount]).unwrap();
                    let want: Vec<u64> = inputs[0].iter().map(|&a| lane_op(op, lane, &[a, amount]).unwrap()).collect();
                    assert_lanes(ty, op.name(), &got, &want, &inputs);
                }
            }
        }
    }
}

/// `select(cmp(a, b), a, b)`, and `sext`/`zext` of the comparison to integers.
#[test]
fn compare_and_select() {
    let int_of = |ty: Type| Type::vector(format!("i{}", ty.lane_bits()).parse::<Type>().unwrap().lane(), ty.lanes());
    let mut cases: Vec<(Type, Vec<reference_cc::Cc>)> = Vec::new();
    for ty in INT_VECS.map(t) {
        cases.push((ty, IntCC::ALL.iter().map(|&c| reference_cc::Cc::I(c)).collect()));
    }
    for ty in FLOAT_VECS.map(t) {
        cases.push((ty, FloatCC::ALL.iter().map(|&c| reference_cc::Cc::F(c)).collect()));
    }
    for (ty, ccs) in cases {
        for cc in ccs {
            let m = vec_module(ty, 2, ty, &[], |b, v, _, _| {
                let c = cc.build(b, v[0], v[1]);
                Some(b.select(c, v[0], v[1]))
            });
            let cm = compile_ok(&m);
            let ity = int_of(ty).unwrap();
            let mz = vec_module(ty, 2, ity, &[], |b, v, _, out| {
                let c = cc.build(b, v[0], v[1]);
                let z = b.convert(Opcode::Zext, ity, c);
                let s = b.convert(Opcode::Sext, ity, c);
                let zero = b.iconst(Type::I64, 0);
                let off = b.iconst(Type::I64, i64::from(ity.bits() / 8));
                b.store(out, zero, z);
                b.store(out, off, s);
                None
            });
            let cz = compile_ok(&mz);
            for inputs in rounds(ty, 2) {
                let n = ty.lanes() as usize;
                let truth: Vec<bool> = (0..n).map(|i| cc.eval(ty, inputs[0][i], inputs[1][i])).collect();
                let got = run(&cm, ty, &inputs, ty, n, &[]).unwrap();
                let want: Vec<u64> = (0..n).map(|i| if truth[i] { inputs[0][i] } else { inputs[1][i] }).collect();
                assert_lanes(ty, &format!("select/{cc:?}"), &got, &want, &inputs);
                let got = run(&cz, ty, &inputs, ity.lane_type(), 2 * n, &[]).unwrap();
                let mut want: Vec<u64> = truth.iter().map(|&b| u64::from(b)).collect();
                want.extend(truth.iter().map(|&b| if b { mask(ity.lane_bits(), u64::MAX) } else { 0 }));
                assert_lanes(ity, &format!("zext,sext/{cc:?}"), &got, &want, &inputs);
            }
        }
    }
}

mod reference_cc {
    use super::*;
    #[derive(Copy, Clone, Debug)]
    pub enum Cc {
        I(IntCC),
        F(FloatCC),
    }
    impl Cc {
        pub fn build(self, b: &mut FunctionBuilder, x: Value, y: Value) -> Value {
            match self {
                Cc::I(c) => b.icmp(c, x, y),
                Cc::F(c) => b.fcmp(c, x, y),
            }
        }
        pub fn eval(self, ty: Type, x: u64, y: u64) -> bool {
            match self {
                Cc::I(c) => reference::icmp(c, ty.lane_bits(), x, y),
                Cc::F(c) => reference::fcmp(c, ty, x, y),
            }
        }
    }
}

/// Bool-vector logic on masks: `sext(bnot(a < b) & (a != c) ^ (b == c))`.
#[test]
fn bool_vector_logic() {
    for ty in ["i32x4", "i8x16", "i64x2", "i32x8", "i16x16", "i32x2", "i8x4"].map(t) {
        let m = vec_module(ty, 3, ty, &[], |b, v, _, _| {
            let lt = b.icmp(IntCC::Slt, v[0], v[1]);
            let ne = b.icmp(IntCC::Ne, v[0], v[2]);
            let eq = b.icmp(IntCC::Eq, v[1], v[2]);
            let n = b.unary(Opcode::Bnot, lt);
            let a = b.binary(Opcode::Band, n, ne);
            let x = b.binary(Opcode::Bxor, a, eq);
            let o = b.binary(Opcode::Bor, x, lt);
            let s = b.convert(Opcode::Sext, ty, x);
            let z = b.convert(Opcode::Zext, ty, o);
            Some(b.iadd(s, z))
        });
        let cm = compile_ok(&m);
        let bits = ty.lane_bits();
        for inputs in rounds(ty, 3) {
            let n = ty.lanes() as usize;
            let got = run(&cm, ty, &inputs, ty, n, &[]).unwrap();
            let want: Vec<u64> = (0..n)
                .map(|i| {
                    let (a, b, c) = (inputs[0][i], inputs[1][i], inputs[2][i]);
                    let lt = reference::icmp(IntCC::Slt, bits, a, b);
                    let x = (!lt && reference::icmp(IntCC::Ne, bits, a, c)) ^ reference::icmp(IntCC::Eq, bits, b, c);
                    let o = x || lt;
                    let s = if x { u64::MAX } else { 0 };
                    mask(bits, s.wrapping_add(u64::from(o)))
                })
                .collect();
            assert_lanes(ty, "bool logic", &got, &want, &inputs);
        }
    }
}

#[test]
fn splat_extract_insert() {
    for ty in INT_VECS.iter().chain(&FLOAT_VECS).map(|s| t(s)) {
        let lane = ty.lane_type();
        let n = ty.lanes() as usize;
        let lb = i64::from(lane.lane_bits() / 8);
        // splat x, then every lane of the input to out[lanes..], then insert x into each lane.
        let m = vec_module(ty, 1, ty, &[lane], |b, v, x, out| {
            let s = b.splat(ty, x[0]);
            let zero = b.iconst(Type::I64, 0);
            b.store(out, zero, s);
            for j in 0..n {
                let e = b.extractlane(v[0], j as u8);
                let off = b.iconst(Type::I64, (n as i64 + j as i64) * lb);
                b.store(out, off, e);
            }
            for j in 0..n {
                let r = b.insertlane(v[0], x[0], j as u8);
                let off = b.iconst(Type::I64, (2 + j as i64) * n as i64 * lb);
                b.store(out, off, r);
            }
            None
        });
        let cm = compile_ok(&m);
        let vals = edge_values(lane);
        for inputs in rounds(ty, 1) {
            let x = vals[inputs[0][0] as usize % vals.len()];
            let got = run(&cm, ty, &inputs, lane, (2 + n) * n, &[x]).unwrap();
            let mut want = vec![x; n];
            want.extend(&inputs[0]);
            for j in 0..n {
                let mut v = inputs[0].clone();
                v[j] = x;
                want.extend(v);
            }
            assert_lanes(lane, "splat/extract/insert", &got, &want, &inputs);
        }
    }
}

#[test]
fn reductions() {
    for ty in INT_VECS.iter().chain(&FLOAT_VECS).map(|s| t(s)) {
        let lane = ty.lane_type();
        for (op, step) in [
            (Opcode::ReduceAdd, if ty.is_float() { Opcode::Fadd } else { Opcode::Iadd }),
            (Opcode::ReduceMin, if ty.is_float() { Opcode::Fmin } else { Opcode::Smin }),
            (Opcode::ReduceMax, if ty.is_float() { Opcode::Fmax } else { Opcode::Smax }),
        ] {
            let flags = if op == Opcode::ReduceAdd && ty.is_float() { FloatFlags::REASSOC } else { FloatFlags::NONE };
            let m = vec_module(ty, 1, lane, &[], |b, v, _, _| Some(b.unary_flags(op, flags, v[0])));
            let cm = compile_ok(&m);
            for inputs in rounds(ty, 1) {
                let got = run(&cm, ty, &inputs, lane, 1, &[]).unwrap();
                let mut acc = inputs[0][0];
                for &x in &inputs[0][1..] {
                    acc = lane_op(step, lane, &[acc, x]).unwrap();
                }
                assert_lanes(lane, op.name(), &got, &[acc], &inputs);
            }
        }
    }
}

#[test]
fn float_reduce_add_keeps_lane_order() {
    let ty = t("f32x8");
    let m =
        vec_module(ty, 1, Type::F32, &[], |b, v, _, _| Some(b.unary_flags(Opcode::ReduceAdd, FloatFlags::FAST, v[0])));
    let cm = compile_ok(&m);
    let lanes: Vec<u64> = [1e8f32, 1.0, -1e8, 1.0, 0.5, 0.25, 3.0, -0.125].iter().map(|x| f32s(*x)).collect();
    let got = run(&cm, ty, std::slice::from_ref(&lanes), Type::F32, 1, &[]).unwrap();
    let want = lanes.iter().map(|&x| as_f32(x)).reduce(|a, b| a + b).unwrap();
    assert_eq!(as_f32(got[0]).to_bits(), want.to_bits());
}

fn conversion(op: Opcode, from: Type, to: Type) {
    for o in all_opts() {
        let m = vec_module(from, 1, to, &[], |b, v, _, _| Some(b.convert(op, to, v[0])));
        let cm = compile_opts(&m, &o);
        for inputs in rounds(from, 1) {
            let got = run(&cm, from, &inputs, to.lane_type(), to.lanes() as usize, &[]).unwrap();
            let want: Vec<u64> = if op == Opcode::Bitcast {
                from_bytes(to, &to_bytes(from, &inputs[0]))
            } else {
                inputs[0].iter().map(|&a| reference::convert(op, from.lane_type(), to.lane_type(), a)).collect()
            };
            assert_lanes(to.lane_type(), &format!("{op} {from}->{to}"), &got, &want, &inputs);
        }
    }
}

#[test]
fn vector_conversions() {
    use Opcode::*;
    let cases = [
        (Sitofp, "i32x4", "f32x4"),
        (Uitofp, "i32x4", "f32x4"),
        (Sitofp, "i64x2", "f64x2"),
        (Uitofp, "i64x2", "f64x2"),
        (Sitofp, "i32x4", "f64x4"),
        (Uitofp, "i16x8", "f32x8"),
        (Fptosi, "f32x4", "i32x4"),
        (Fptoui, "f32x4", "i32x4"),
        (Fptosi, "f64x2", "i64x2"),
        (Fptoui, "f64x2", "i64x2"),
        (Fptosi, "f32x8", "i32x8"),
        (Fptosi, "f32x4", "i8x4"),
        (Fptoui, "f64x4", "i16x4"),
        (Fpromote, "f32x4", "f64x4"),
        (Fpromote, "f32x2", "f64x2"),
        (Fdemote, "f64x4", "f32x4"),
        (Fdemote, "f64x2", "f32x2"),
        (Sext, "i16x8", "i32x8"),
        (Zext, "i16x8", "i32x8"),
        (Sext, "i8x16", "i64x16"),
        (Zext, "i32x2", "i64x2"),
        (Trunc, "i32x8", "i16x8"),
        (Trunc, "i64x2", "i8x2"),
        (Bitcast, "f32x4", "i32x4"),
        (Bitcast, "i64x2", "f64x2"),
        (Bitcast, "f32x8", "i32x8"),
        (Bitcast, "i64x4", "f64x4"),
        (Bitcast, "f32x2", "i32x2"),
    ];
    for (op, from, to) in cases {
        conversion(op, t(from), t(to));
    }
}

/// boolx8 is compared on f32x8 (wants i32 masks) and on i16x8 (wants i16 masks) in the
/// same module: one of them must convert its masks, and both must still be right.
#[test]
fn mask_width_conflict() {
    let mut m = vec_module(t("f32x8"), 2, t("f32x8"), &[], |b, v, _, _| {
        let c = b.fcmp(FloatCC::Lt, v[0], v[1]);
        Some(b.select(c, v[0], v[1]))
    });
    let other = vec_module(t("i16x8"), 2, t("i16x8"), &[], |b, v, _, _| {
        let c = b.icmp(IntCC::Ult, v[0], v[1]);
        let d = b.icmp(IntCC::Ne, v[0], v[1]);
        let e = b.binary(Opcode::Band, c, d);
        Some(b.select(e, v[0], v[1]))
    });
    let mut g = other.functions.values().next().unwrap().clone();
    g.name = "g".into();
    m.add_function(g);
    let cm = compile_ok(&m);
    for (name, ty) in [("f", t("f32x8")), ("g", t("i16x8"))] {
        for inputs in rounds(ty, 2) {
            let bufs: Vec<Vec<u8>> = inputs.iter().map(|l| to_bytes(ty, l)).collect();
            let mut out = vec![0u8; (ty.bits() / 8) as usize];
            let n = ty.lanes() as u64;
            let args = [bufs[0].as_ptr() as u64, n, bufs[1].as_ptr() as u64, n, out.as_mut_ptr() as u64, n];
            call(&cm, name, &args).unwrap();
            let got = from_bytes(ty, &out);
            let want: Vec<u64> = (0..n as usize)
                .map(|i| {
                    let (a, b) = (inputs[0][i], inputs[1][i]);
                    let c = if ty.is_float() {
                        reference::fcmp(FloatCC::Lt, ty, a, b)
                    } else {
                        reference::icmp(IntCC::Ult, 16, a, b)
                    };
                    if c {
                        a
                    } else {
                        b
                    }
                })
                .collect();
            assert_lanes(ty, name, &got, &want, &inputs);
        }
    }
}

/// Vectors as block parameters and loop-carried values, and vector arguments and results of
/// local functions (split ones included).
#[test]
fn vectors_across_blocks_and_calls() {
    for ty in ["f32x4", "f32x8", "f32x16", "f32x2", "i8x32"].map(t) {
        let mut m = Module::new();
        let helper = build("twice", Linkage::Local, vec![Param::scalar("v", ty)], Some(ty), |b, p| {
            let r = if ty.is_float() { b.fadd(p[0], p[0]) } else { b.iadd(p[0], p[0]) };
            b.ret(Some(r));
        });
        let hid = m.add_function(helper);
        let main = vec_module(ty, 1, ty, &[Type::I64], |b, v, x, _| {
            // acc = v; for i in 0..x { acc = twice(acc) }
            let head = b.create_block();
            let acc = b.append_block_param(head, ty);
            let i = b.append_block_param(head, Type::I64);
            let body = b.create_block();
            let exit = b.create_block();
            let zero = b.iconst(Type::I64, 0);
            b.jump(head, &[v[0], zero]);
            b.switch_to_block(head);
            let c = b.icmp(IntCC::Slt, i, x[0]);
            b.brif(c, body, &[], exit, &[]);
            b.switch_to_block(body);
            let next = b.call(hid, Some(ty), &[acc]).unwrap();
            let one = b.iconst(Type::I64, 1);
            let i2 = b.iadd(i, one);
            b.jump(head, &[next, i2]);
            b.switch_to_block(exit);
            Some(acc)
        });
        m.add_function(main.functions.values().next().unwrap().clone());
        let cm = compile_ok(&m);
        let inputs = rounds(ty, 1).remove(1);
        let got = run(&cm, ty, &inputs, ty.lane_type(), ty.lanes() as usize, &[3]).unwrap();
        let step = if ty.is_float() { Opcode::Fadd } else { Opcode::Iadd };
        let want: Vec<u64> = inputs[0]
            .iter()
            .map(|&a| (0..3).fold(a, |acc, _| lane_op(step, ty.lane_type(), &[acc, acc]).unwrap()))
            .collect();
        assert_lanes(ty.lane_type(), "loop of calls", &got, &want, &inputs);
    }
}
