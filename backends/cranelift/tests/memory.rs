//! Memory: slices read and written with bounds checks, stack slots (zeroed on every call,
//! big ones, over-aligned ones), data objects, loads and stores of every type at unaligned
//! addresses.

mod common;
use common::*;
use strata_ir::{DataObject, IntCC, Linkage, Module, Opcode, Param, TrapCode, Type, Value};

/// The sum-of-squares example of docs/ir.md.
fn sumsq() -> Module {
    let mut m = Module::new();
    m.add_function(build(
        "sumsq",
        Linkage::Export,
        vec![Param::slice("x", Type::F32, false)],
        Some(Type::F32),
        |b, p| {
            let head = b.create_block();
            let i = b.append_block_param(head, Type::I64);
            let acc = b.append_block_param(head, Type::F32);
            let (body, exit) = (b.create_block(), b.create_block());
            let zero = b.iconst(Type::I64, 0);
            let fz = b.f32const(0.0);
            b.jump(head, &[zero, fz]);
            b.switch_to_block(head);
            let c = b.icmp(IntCC::Slt, i, p[1]);
            b.brif(c, body, &[], exit, &[]);
            b.switch_to_block(body);
            b.bounds_check(i, p[1]);
            let four = b.iconst(Type::I64, 4);
            let off = b.imul(i, four);
            let x = b.load(Type::F32, p[0], off);
            let sq = b.fmul(x, x);
            let acc2 = b.fadd(acc, sq);
            let one = b.iconst(Type::I64, 1);
            let i2 = b.iadd(i, one);
            b.jump(head, &[i2, acc2]);
            b.switch_to_block(exit);
            b.ret(Some(acc));
        },
    ));
    m
}

#[test]
fn slice_sum_of_squares() {
    let cm = compile_ok(&sumsq());
    let x: Vec<f32> = (0..1000).map(|i| i as f32 * 0.01 - 3.0).collect();
    let want = x.iter().fold(0.0f32, |a, v| a + v * v);
    assert_eq!(call(&cm, "sumsq", &[x.as_ptr() as u64, x.len() as u64]).map(as_f32), Ok(want));
    assert_eq!(call(&cm, "sumsq", &[8, 0]).map(as_f32), Ok(0.0));
}

#[test]
fn slice_write_with_out_of_bounds_index() {
    // f(x: [i32], out: mut [i32], k: i64): out[k] = x[k] * 3
    let params =
        vec![Param::slice("x", Type::I32, false), Param::slice("out", Type::I32, true), Param::scalar("k", Type::I64)];
    let mut m = Module::new();
    m.add_function(build("f", Linkage::Export, params, None, |b, p| {
        b.bounds_check(p[4], p[1]);
        b.bounds_check(p[4], p[3]);
        let four = b.iconst(Type::I64, 4);
        let off = b.imul(p[4], four);
        let v = b.load(Type::I32, p[0], off);
        let three = b.iconst(Type::I32, 3);
        let r = b.imul(v, three);
        b.store(p[2], off, r);
        b.ret(None);
    }));
    let cm = compile_ok(&m);
    let x = [1, 2, 3, 4];
    let mut out = [0i32; 3];
    let args = |k: i64, out: &mut [i32; 3]| [x.as_ptr() as u64, 4, out.as_mut_ptr() as u64, 3, k as u64];
    for k in 0..3 {
        assert_eq!(call(&cm, "f", &args(k, &mut out)), Ok(0));
    }
    assert_eq!(out, [3, 6, 9]);
    assert_eq!(call(&cm, "f", &args(3, &mut out)), Err(TrapCode::OutOfBounds));
    assert_eq!(call(&cm, "f", &args(-1, &mut out)), Err(TrapCode::OutOfBounds));
}

#[test]
fn stack_slots_are_zeroed_on_every_call() {
    for (size, align) in [(8u32, 4u32), (24, 8), (300, 16), (4096, 64), (1 << 20, 4096)] {
        // f(k): r = slot[k] (i64); slot[k] = 42; slot[0] = 7; return r + (slot address % align)
        let mut m = Module::new();
        let sig = strata_ir::Signature::new(scalars(&[Type::I64]), Some(Type::I64));
        let mut func = strata_ir::Function::new("f", Linkage::Export, sig);
        let ss = func.create_stack_slot(size, align);
        let mut b = strata_ir::FunctionBuilder::new(&mut func);
        let p = b.create_entry_block();
        let base = b.stack_addr(ss);
        let r = b.load(Type::I64, base, p[0]);
        let v = b.iconst(Type::I64, 42);
        b.store(base, p[0], v);
        let zero = b.iconst(Type::I64, 0);
        let seven = b.iconst(Type::I32, 7);
        b.store(base, zero, seven);
        let addr = b.convert(Opcode::PtrToInt, Type::I64, base);
        let a = b.iconst(Type::I64, i64::from(align));
        let rem = b.binary(Opcode::Urem, addr, a);
        let s = b.iadd(r, rem);
        b.ret(Some(s));
        b.finalize().unwrap();
        m.add_function(func);
        let cm = compile_ok(&m);
        let last = u64::from(size.max(8) - 8) & !7;
        for k in [0, last, 0, last] {
            assert_eq!(call(&cm, "f", &[k]), Ok(0), "size {size} align {align} k {k}");
        }
    }
}

#[test]
fn data_objects() {
    let mut m = Module::new();
    let taps = m.add_data(DataObject::from_f32s("taps", &[0.25, 0.5, 0.25]));
    let ints = m.add_data(DataObject::from_ints("ints", Type::I16, &[-1, 2, -300]));
    let empty = m.add_data(DataObject::from_f64s("empty", &[]));
    m.add_function(build("f", Linkage::Export, scalars(&[Type::I64]), Some(Type::F32), |b, p| {
        let t = b.data_addr(taps);
        let four = b.iconst(Type::I64, 4);
        let off = b.imul(p[0], four);
        let x = b.load(Type::F32, t, off);
        let q = b.data_addr(ints);
        let two = b.iconst(Type::I64, 2);
        let off = b.imul(p[0], two);
        let y = b.load(Type::I16, q, off);
        let yf = b.convert(Opcode::Sitofp, Type::F32, y);
        let e = b.data_addr(empty);
        let _ = e;
        let r = b.fadd(x, yf);
        b.ret(Some(r));
    }));
    let cm = compile_ok(&m);
    assert_eq!(call(&cm, "f", &[0]).map(as_f32), Ok(-0.75));
    assert_eq!(call(&cm, "f", &[1]).map(as_f32), Ok(2.5));
    assert_eq!(call(&cm, "f", &[2]).map(as_f32), Ok(-299.75));
}

#[test]
fn unaligned_loads_and_stores_of_every_type() {
    for ty in ["i8", "i16", "i32", "i64", "f32", "f64", "ptr", "i8x16", "f32x4", "f64x2", "f32x8", "i16x4", "f32x2"] {
        let ty: Type = ty.parse().unwrap();
        // f(src: [i8], dst: mut [i8], off: i64): dst[off..] = src[off..] as one `ty`
        let params = vec![
            Param::slice("src", Type::I8, false),
            Param::slice("dst", Type::I8, true),
            Param::scalar("off", Type::I64),
        ];
        let mut m = Module::new();
        m.add_function(build("f", Linkage::Export, params, None, |b, p: &[Value]| {
            let v = b.load(ty, p[0], p[4]);
            b.store(p[2], p[4], v);
            b.ret(None);
        }));
        let cm = compile_ok(&m);
        let bytes = (ty.bits() / 8) as usize;
        let src: Vec<u8> = (0..bytes + 8).map(|i| (i * 37 + 11) as u8).collect();
        for off in [0usize, 1, 3, 7] {
            let mut dst = vec![0u8; bytes + 8];
            call(
                &cm,
                "f",
                &[src.as_ptr() as u64, src.len() as u64, dst.as_mut_ptr() as u64, dst.len() as u64, off as u64],
            )
            .unwrap();
            assert_eq!(&dst[off..off + bytes], &src[off..off + bytes], "{ty} at {off}");
            assert!(dst[..off].iter().chain(&dst[off + bytes..]).all(|&b| b == 0), "{ty} at {off}: wrote outside");
        }
    }
}
