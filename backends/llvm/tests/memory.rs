//! Slices read and written, bounds checks, unaligned loads and stores, data objects and
//! stack slots (zeroed on every call), and the two kernels of DESIGN.md (`sumsq`, `ola`).

mod common;
use common::kernels::*;
use common::*;
use strata_ir::{DataObject, FloatCC, FloatFlags, Module, Opcode, Param, TrapCode, Type};
use strata_llvm::CallError;

#[test]
fn sumsq_strict_matches_sequential_sum() {
    let m = module(vec![sumsq("sumsq", FloatFlags::NONE), sumsq("energy", FloatFlags::FAST)]);
    let data: Vec<f32> = (0..1003).map(|i| ((i * 7919 % 1000) as f32 - 500.0) * 1.37e-3 + (i as f32).sin()).collect();
    for cm in compile_levels(&m) {
        let f = func(&cm, "sumsq");
        for n in [0, 1, 2, 3, 7, 8, 9, 31, 64, 1003] {
            let x = &data[..n];
            let want = x.iter().fold(0.0f32, |acc, &v| acc + v * v);
            let got = slot_f32(call_ok(&f, &slice_args(x)));
            assert_eq!(got.to_bits(), want.to_bits(), "n = {n}");
            let fast = slot_f32(call_ok(&func(&cm, "energy"), &slice_args(x)));
            assert!((fast - want).abs() <= 1e-3 * want.abs().max(1.0), "n = {n}: {fast} vs {want}");
        }
        // NaN and infinities propagate in order.
        let x = [1.0, f32::INFINITY, 2.0];
        assert_eq!(slot_f32(call_ok(&f, &slice_args(&x))), f32::INFINITY);
        let x = [1.0, f32::NAN, 2.0];
        assert!(slot_f32(call_ok(&f, &slice_args(&x))).is_nan());
    }
}

#[test]
fn ola_reads_and_writes_slices() {
    let m = module(vec![ola()]);
    for cm in compile_levels(&m) {
        let f = func(&cm, "ola");
        for n in [0usize, 1, 5, 8, 17, 100] {
            let frame: Vec<f32> = (0..n).map(|i| (i as f32 * 0.37).sin() * 3.0).collect();
            let win: Vec<f32> = (0..n).map(|i| 0.5 - 0.5 * (i as f32 * 0.1).cos()).collect();
            let mut out: Vec<f32> = (0..n).map(|i| i as f32 * 0.01).collect();
            let mut want = out.clone();
            let (gain, lo, hi) = (1.7f32, -0.8f32, 0.9f32);
            for i in 0..n {
                want[i] += minimum_f32(maximum_f32(frame[i] * win[i] * gain, lo), hi);
            }
            let mut args = vec![];
            args.extend(slice_args(&frame));
            args.extend(slice_args(&win));
            args.extend([out.as_mut_ptr() as u64, n as u64]);
            args.extend([f32_slot(gain), f32_slot(lo), f32_slot(hi)]);
            assert_eq!(call(&f, &args), Ok(None));
            for i in 0..n {
                assert_eq!(out[i].to_bits(), want[i].to_bits(), "n = {n}, i = {i}");
            }
        }
        // A window shorter than the frame: the bounds check traps, after writing the
        // elements before it.
        let frame = [1.0f32; 4];
        let win = [1.0f32; 2];
        let mut out = [0.0f32; 4];
        let mut args = vec![];
        args.extend(slice_args(&frame));
        args.extend(slice_args(&win));
        args.extend([out.as_mut_ptr() as u64, 4, f32_slot(1.0), f32_slot(-10.0), f32_slot(10.0)]);
        assert_eq!(call(&f, &args), Err(CallError::Trap(TrapCode::OutOfBounds)));
        assert_eq!(out, [1.0, 1.0, 0.0, 0.0]);
    }
}

#[test]
fn unaligned_loads_and_stores() {
    let params = vec![Param::slice("bytes", Type::I8, true), Param::scalar("off", Type::I64)];
    let m = module(vec![
        // Reads an i32 and an f64 at `off` and `off + 4`, writes their sum as f64 at `off + 1`.
        function("mix", params.clone(), Some(Type::I32), |b, p| {
            let x = b.load(Type::I32, p[0], p[2]);
            let four = b.iconst(Type::I64, 4);
            let o4 = b.iadd(p[2], four);
            let d = b.load(Type::F64, p[0], o4);
            let xf = b.convert(Opcode::Sitofp, Type::F64, x);
            let s = b.fadd(xf, d);
            let one = b.iconst(Type::I64, 1);
            let o1 = b.iadd(p[2], one);
            b.store(p[0], o1, s);
            b.ret(Some(x));
        }),
        // A vector load and store at odd offsets.
        function("vec_copy", params, None, |b, p| {
            let v = b.load(Type::F32X4, p[0], p[2]);
            let three = b.iconst(Type::I64, 3);
            let o = b.iadd(p[2], three);
            b.store(p[0], o, v);
            b.ret(None);
        }),
    ]);
    for cm in compile_levels(&m) {
        let mut bytes = [0u8; 64];
        bytes[5..9].copy_from_slice(&(-7i32).to_le_bytes());
        bytes[9..17].copy_from_slice(&2.5f64.to_le_bytes());
        let r = call_ok(&func(&cm, "mix"), &[bytes.as_mut_ptr() as u64, 64, 5]);
        assert_eq!(r as u32 as i32, -7);
        assert_eq!(f64::from_le_bytes(bytes[6..14].try_into().unwrap_or_default()), -4.5);

        let mut bytes = [0u8; 64];
        for (i, x) in [1.5f32, -2.0, 3.25, f32::NAN].iter().enumerate() {
            bytes[1 + 4 * i..5 + 4 * i].copy_from_slice(&x.to_le_bytes());
        }
        assert_eq!(call(&func(&cm, "vec_copy"), &[bytes.as_mut_ptr() as u64, 64, 1]), Ok(None));
        let got: Vec<f32> =
            (0..4).map(|i| f32::from_le_bytes(bytes[4 + 4 * i..8 + 4 * i].try_into().unwrap_or_default())).collect();
        assert_eq!(&got[..3], &[1.5, -2.0, 3.25]);
        assert!(got[3].is_nan());
    }
}

#[test]
fn data_objects_and_stack_slots() {
    let mut m = Module::new();
    let taps = m.add_data(DataObject::from_f32s("taps", &[0.25, 0.5, 0.25]));
    let ints = m.add_data(DataObject::from_ints("ints", Type::I16, &[-3, 1000, 7]));
    // fir3(x, i) = taps · x[i..i+3]
    m.add_function(function(
        "fir3",
        vec![Param::slice("x", Type::F32, false), Param::scalar("i", Type::I64)],
        Some(Type::F32),
        |b, p| {
            let t = b.data_addr(taps);
            let acc = b.f32const(0.0);
            let mut acc = acc;
            for k in 0..3 {
                let kk = b.iconst(Type::I64, k);
                let idx = b.iadd(p[2], kk);
                let off = elem(b, idx, p[1], 4);
                let x = b.load(Type::F32, p[0], off);
                let toff = b.iconst(Type::I64, 4 * k);
                let w = b.load(Type::F32, t, toff);
                let prod = b.fmul(x, w);
                acc = b.fadd(acc, prod);
            }
            b.ret(Some(acc));
        },
    ));
    m.add_function(simple("second_int", &[], Type::I16, |b, _| {
        let d = b.data_addr(ints);
        let two = b.iconst(Type::I64, 2);
        b.load(Type::I16, d, two)
    }));
    // Reads slot word 1 (always 0: slots are zeroed on every call), then writes x there.
    m.add_function(function("slot", vec![Param::scalar("x", Type::I64)], Some(Type::I64), |b, p| {
        let ss = b.func.create_stack_slot(24, 8);
        let a = b.stack_addr(ss);
        let eight = b.iconst(Type::I64, 8);
        let old = b.load(Type::I64, a, eight);
        b.store(a, eight, p[0]);
        let again = b.load(Type::I64, a, eight);
        let s = b.iadd(old, again);
        b.ret(Some(s));
    }));
    for cm in compile_levels(&m) {
        let x = [1.0f32, 2.0, 3.0, 4.0];
        assert_eq!(slot_f32(call_ok(&func(&cm, "fir3"), &[x.as_ptr() as u64, 4, 1])), 3.0);
        assert_eq!(call(&func(&cm, "fir3"), &[x.as_ptr() as u64, 4, 2]), Err(CallError::Trap(TrapCode::OutOfBounds)));
        assert_eq!(call_ok(&func(&cm, "second_int"), &[]) as u16 as i16, 1000);
        let slot = func(&cm, "slot");
        for v in [5u64, 9, 11] {
            assert_eq!(call_ok(&slot, &[v]), v);
        }
    }
}

#[test]
fn bounds_check_is_unsigned() {
    let m = module(vec![function(
        "get",
        vec![Param::slice("x", Type::I32, false), Param::scalar("i", Type::I64)],
        Some(Type::I32),
        |b, p| {
            let off = elem(b, p[2], p[1], 4);
            let v = b.load(Type::I32, p[0], off);
            b.ret(Some(v));
        },
    )]);
    for cm in compile_levels(&m) {
        let f = func(&cm, "get");
        let x = [10i32, 20, 30];
        for (i, want) in [(0i64, Ok(Some(10))), (2, Ok(Some(30)))] {
            assert_eq!(call(&f, &[x.as_ptr() as u64, 3, i as u64]), want);
        }
        for i in [3i64, 4, -1, i64::MIN, i64::MAX] {
            assert_eq!(call(&f, &[x.as_ptr() as u64, 3, i as u64]), Err(CallError::Trap(TrapCode::OutOfBounds)));
        }
        // An empty slice from C may be null: nothing is read.
        assert_eq!(call(&f, &[0, 0, 0]), Err(CallError::Trap(TrapCode::OutOfBounds)));
    }
}

#[test]
fn float_compare_branches() {
    // sign(x) with NaN → 2, via brif on fcmp.
    let m = module(vec![function("sign", vec![Param::scalar("x", Type::F64)], Some(Type::I32), |b, p| {
        let (neg, nonneg, pos, zero, nan) =
            (b.create_block(), b.create_block(), b.create_block(), b.create_block(), b.create_block());
        let isnan = b.fcmp(FloatCC::Uno, p[0], p[0]);
        let notnan = b.create_block();
        b.brif(isnan, nan, &[], notnan, &[]);
        b.switch_to_block(notnan);
        let z = b.f64const(0.0);
        let lt = b.fcmp(FloatCC::Lt, p[0], z);
        b.brif(lt, neg, &[], nonneg, &[]);
        b.switch_to_block(nonneg);
        let gt = b.fcmp(FloatCC::Gt, p[0], z);
        b.brif(gt, pos, &[], zero, &[]);
        for (blk, v) in [(neg, -1i64), (pos, 1), (zero, 0), (nan, 2)] {
            b.switch_to_block(blk);
            let c = b.iconst(Type::I32, v);
            b.ret(Some(c));
        }
    })]);
    for cm in compile_levels(&m) {
        let f = func(&cm, "sign");
        for (x, want) in [(-3.0, -1i32), (0.0, 0), (-0.0, 0), (1e-310, 1), (f64::NAN, 2), (f64::NEG_INFINITY, -1)] {
            assert_eq!(call_ok(&f, &[f64_slot(x)]) as u32 as i32, want, "{x}");
        }
    }
}
