//! Slices read and written, bounds checks, unaligned loads and stores, data objects and
//! stack slots (zeroed on every call), and the two kernels of DESIGN.md (`sumsq`, `ola`).

mod common;
use common::suite::*;
use common::*;
use strata_ir::TrapCode;
use strata_llvm::CallError;

#[test]
fn sumsq_strict_matches_sequential_sum() {
    let m = sums_module();
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
    let m = ola_module();
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
    let m = unaligned_module();
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
    let m = data_and_slots_module();
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
    let m = get_module();
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
    let m = sign_module();
    for cm in compile_levels(&m) {
        let f = func(&cm, "sign");
        for (x, want) in [(-3.0, -1i32), (0.0, 0), (-0.0, 0), (1e-310, 1), (f64::NAN, 2), (f64::NEG_INFINITY, -1)] {
            assert_eq!(call_ok(&f, &[f64_slot(x)]) as u32 as i32, want, "{x}");
        }
    }
}
