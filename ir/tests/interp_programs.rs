//! Whole programs: loops, calls and recursion, slices in and out, stack slots, data
//! objects, host functions, threads, vectors through memory, and the block-parameter copies
//! the decoder reorders or removes.

mod common;
use common::*;
use strata_ir::interp::from_le_bytes;
use strata_ir::{
    Arg, DataId, DataObject, ExternFunc, ExternId, FloatFlags, FuncId, Function, IntCC, Interpreter, Opcode, Param,
    Type, Val, VectorVal,
};

/// `fn fib(n: i64) -> i64` recursively (function `id`).
fn fib_rec(id: u32) -> Function {
    func("fib", vec![Param::scalar("n", Type::I64)], Some(Type::I64), |b, p| {
        let (small, big) = (b.create_block(), b.create_block());
        let two = b.iconst(Type::I64, 2);
        let c = b.icmp(IntCC::Slt, p[0], two);
        b.brif(c, small, &[], big, &[]);
        b.switch_to_block(small);
        b.ret(Some(p[0]));
        b.switch_to_block(big);
        let one = b.iconst(Type::I64, 1);
        let n1 = b.isub(p[0], one);
        let n2 = b.isub(p[0], two);
        let f1 = b.call(FuncId::from_u32(id), Some(Type::I64), &[n1]).unwrap();
        let f2 = b.call(FuncId::from_u32(id), Some(Type::I64), &[n2]).unwrap();
        let s = b.iadd(f1, f2);
        b.ret(Some(s));
    })
}

fn fib_ref(n: i64) -> i64 {
    let (mut a, mut b) = (0i64, 1i64);
    for _ in 0..n {
        (a, b) = (b, a.wrapping_add(b));
    }
    a
}

#[test]
fn recursive_fib() {
    let (i, name) = interp(fib_rec(0));
    for n in [0, 1, 2, 10, 20] {
        assert_eq!(call(&i, &name, &[Val::I64(n)]), Ok(Some(Val::I64(fib_ref(n)))), "fib({n})");
    }
}

#[test]
fn iterative_fib_swaps_block_parameters() {
    // head(a, b, k): br head(b, a + b, k - 1) — `b` moves into `a`'s slot while `a` is
    // still needed for the sum: the copies must act as one parallel copy.
    let f = func("fib", vec![Param::scalar("n", Type::I64)], Some(Type::I64), |b, p| {
        let (head, body, exit) = (b.create_block(), b.create_block(), b.create_block());
        let (x, y, k) = (
            b.append_block_param(head, Type::I64),
            b.append_block_param(head, Type::I64),
            b.append_block_param(head, Type::I64),
        );
        let (z, one) = (b.iconst(Type::I64, 0), b.iconst(Type::I64, 1));
        b.jump(head, &[z, one, p[0]]);
        b.switch_to_block(head);
        let c = b.icmp(IntCC::Sgt, k, z);
        b.brif(c, body, &[], exit, &[]);
        b.switch_to_block(body);
        let s = b.iadd(x, y);
        let k1 = b.isub(k, one);
        b.jump(head, &[y, s, k1]);
        b.switch_to_block(exit);
        b.ret(Some(x));
    });
    let (i, name) = interp(f);
    for n in [0, 1, 2, 3, 10, 50, 90] {
        assert_eq!(call(&i, &name, &[Val::I64(n)]), Ok(Some(Val::I64(fib_ref(n)))), "fib({n})");
    }
}

#[test]
fn cyclic_block_parameter_copies() {
    // head(a, b, c, k): br head(b, c, a, k - 1) rotates; also a pure swap pair.
    let f = func(
        "rot",
        vec![
            Param::scalar("a", Type::I32),
            Param::scalar("b", Type::I32),
            Param::scalar("c", Type::I32),
            Param::scalar("k", Type::I32),
        ],
        Some(Type::I32),
        |b, p| {
            let (head, body, exit) = (b.create_block(), b.create_block(), b.create_block());
            let x = b.append_block_param(head, Type::I32);
            let y = b.append_block_param(head, Type::I32);
            let z = b.append_block_param(head, Type::I32);
            let k = b.append_block_param(head, Type::I32);
            let s = b.append_block_param(head, Type::I32);
            let t = b.append_block_param(head, Type::I32);
            b.jump(head, &[p[0], p[1], p[2], p[3], p[0], p[1]]);
            b.switch_to_block(head);
            let zero = b.iconst(Type::I32, 0);
            let c = b.icmp(IntCC::Sgt, k, zero);
            b.brif(c, body, &[], exit, &[]);
            b.switch_to_block(body);
            let one = b.iconst(Type::I32, 1);
            let k1 = b.isub(k, one);
            b.jump(head, &[y, z, x, k1, t, s]);
            b.switch_to_block(exit);
            // Encode the final order: x*1000 + y*100 + z*10 + (s - t == a - b ? 1 : 0).
            let (c1000, c100, c10) = (b.iconst(Type::I32, 1000), b.iconst(Type::I32, 100), b.iconst(Type::I32, 10));
            let r = b.imul(x, c1000);
            let yy = b.imul(y, c100);
            let r = b.iadd(r, yy);
            let zz = b.imul(z, c10);
            let r = b.iadd(r, zz);
            let d = b.isub(s, t);
            let r = b.iadd(r, d);
            b.ret(Some(r));
        },
    );
    let (i, name) = interp(f);
    let go = |k| call(&i, &name, &[Val::I32(1), Val::I32(2), Val::I32(3), Val::I32(k)]).unwrap().unwrap();
    // (a, b, c) = (1, 2, 3) rotated k times; s - t alternates between -1 and 1.
    assert_eq!(go(0), Val::I32(1230 - 1));
    assert_eq!(go(1), Val::I32(2310 + 1));
    assert_eq!(go(2), Val::I32(3120 - 1));
    assert_eq!(go(3), Val::I32(1230 + 1));
}

#[test]
fn copy_elimination_respects_later_reads() {
    // body: i2 = i + 1 comes before acc2 = acc + i reads `i`: i2 must not be computed
    // into i's slot. Result: 0 + 1 + … + (n - 1).
    let f = func("tri", vec![Param::scalar("n", Type::I64)], Some(Type::I64), |b, p| {
        let (head, body, exit) = (b.create_block(), b.create_block(), b.create_block());
        let (i, acc) = (b.append_block_param(head, Type::I64), b.append_block_param(head, Type::I64));
        let z = b.iconst(Type::I64, 0);
        b.jump(head, &[z, z]);
        b.switch_to_block(head);
        let c = b.icmp(IntCC::Slt, i, p[0]);
        b.brif(c, body, &[], exit, &[]);
        b.switch_to_block(body);
        let one = b.iconst(Type::I64, 1);
        let i2 = b.iadd(i, one);
        let acc2 = b.iadd(acc, i);
        b.jump(head, &[i2, acc2]);
        b.switch_to_block(exit);
        b.ret(Some(acc));
    });
    let (i, name) = interp(f);
    assert_eq!(call(&i, &name, &[Val::I64(100)]), Ok(Some(Val::I64(4950))));

    // A branch argument that is another parameter of the same target: br head(i + 1, i).
    let f = func("prev", vec![Param::scalar("n", Type::I64)], Some(Type::I64), |b, p| {
        let (head, body, exit) = (b.create_block(), b.create_block(), b.create_block());
        let (i, prev) = (b.append_block_param(head, Type::I64), b.append_block_param(head, Type::I64));
        let (z, m1) = (b.iconst(Type::I64, 0), b.iconst(Type::I64, -1));
        b.jump(head, &[z, m1]);
        b.switch_to_block(head);
        let c = b.icmp(IntCC::Slt, i, p[0]);
        b.brif(c, body, &[], exit, &[]);
        b.switch_to_block(body);
        let one = b.iconst(Type::I64, 1);
        let i2 = b.iadd(i, one);
        b.jump(head, &[i2, i]);
        b.switch_to_block(exit);
        b.ret(Some(prev));
    });
    let (i, name) = interp(f);
    assert_eq!(call(&i, &name, &[Val::I64(10)]), Ok(Some(Val::I64(9))));
}

#[test]
fn brif_edges_with_arguments() {
    // brif c, a(x), b(y): both edges pass values into the same join block.
    let f = func(
        "pick",
        vec![Param::scalar("c", Type::BOOL), Param::scalar("x", Type::F64), Param::scalar("y", Type::F64)],
        Some(Type::F64),
        |b, p| {
            let join = b.create_block();
            let r = b.append_block_param(join, Type::F64);
            b.brif(p[0], join, &[p[1]], join, &[p[2]]);
            b.switch_to_block(join);
            b.ret(Some(r));
        },
    );
    let (i, name) = interp(f);
    assert_eq!(call(&i, &name, &[Val::Bool(true), Val::F64(1.0), Val::F64(2.0)]), Ok(Some(Val::F64(1.0))));
    assert_eq!(call(&i, &name, &[Val::Bool(false), Val::F64(1.0), Val::F64(2.0)]), Ok(Some(Val::F64(2.0))));
}

#[test]
fn mutual_recursion_and_void_calls() {
    // even(n) = n == 0 || odd(n - 1); odd(n) = n != 0 && even(n - 1).
    let parity = |name: &str, other: u32, base: bool| {
        func(name, vec![Param::scalar("n", Type::I32)], Some(Type::BOOL), move |b, p| {
            let (zero_b, rec) = (b.create_block(), b.create_block());
            let z = b.iconst(Type::I32, 0);
            let c = b.icmp(IntCC::Eq, p[0], z);
            b.brif(c, zero_b, &[], rec, &[]);
            b.switch_to_block(zero_b);
            let r = b.bconst(base);
            b.ret(Some(r));
            b.switch_to_block(rec);
            let one = b.iconst(Type::I32, 1);
            let n1 = b.isub(p[0], one);
            let r = b.call(FuncId::from_u32(other), Some(Type::BOOL), &[n1]).unwrap();
            b.ret(Some(r));
        })
    };
    let nop = func("nop", vec![Param::scalar("x", Type::I32)], None, |b, _| b.ret(None));
    // Calls a void function and discards the result of a non-void one.
    let caller = func("caller", vec![], Some(Type::I32), |b, _| {
        let seven = b.iconst(Type::I32, 7);
        b.call(FuncId::from_u32(2), None, &[seven]);
        b.call(FuncId::from_u32(0), None, &[seven]);
        b.ret(Some(seven));
    });
    let m = module(vec![parity("even", 1, true), parity("odd", 0, false), nop, caller]);
    let i = Interpreter::new_without_verifying(&m).unwrap();
    for n in [0, 1, 2, 7, 100, 1001] {
        assert_eq!(i.call("even", &mut [Arg::Val(Val::I32(n))]), Ok(Some(Val::Bool(n % 2 == 0))), "even({n})");
        assert_eq!(i.call("odd", &mut [Arg::Val(Val::I32(n))]), Ok(Some(Val::Bool(n % 2 == 1))), "odd({n})");
    }
    assert_eq!(i.call("caller", &mut []), Ok(Some(Val::I32(7))));
}

/// `fn saxpy(a: f32, x: [f32], y: mut [f32])`: y[i] = a * x[i] + y[i] (no fusing).
fn saxpy() -> Function {
    let params =
        vec![Param::scalar("a", Type::F32), Param::slice("x", Type::F32, false), Param::slice("y", Type::F32, true)];
    func("saxpy", params, None, |b, p| {
        let (a, x, nx, y, ny) = (p[0], p[1], p[2], p[3], p[4]);
        let (head, body, exit) = (b.create_block(), b.create_block(), b.create_block());
        let i = b.append_block_param(head, Type::I64);
        let z = b.iconst(Type::I64, 0);
        b.jump(head, &[z]);
        b.switch_to_block(head);
        let c = b.icmp(IntCC::Slt, i, nx);
        b.brif(c, body, &[], exit, &[]);
        b.switch_to_block(body);
        b.bounds_check(i, nx);
        b.bounds_check(i, ny);
        let four = b.iconst(Type::I64, 4);
        let off = b.imul(i, four);
        let xv = b.load(Type::F32, x, off);
        let yv = b.load(Type::F32, y, off);
        let ax = b.fmul(a, xv);
        let s = b.fadd(ax, yv);
        b.store(y, off, s);
        let one = b.iconst(Type::I64, 1);
        let i2 = b.iadd(i, one);
        b.jump(head, &[i2]);
        b.switch_to_block(exit);
        b.ret(None);
    })
}

#[test]
fn slices_in_and_out() {
    let (i, name) = interp(saxpy());
    let xs = [1.0f32, 2.0, 3.0, -4.5];
    let x = bytes(&xs);
    let mut y = bytes(&[10.0f32, 20.0, 30.0, 40.0]);
    assert_eq!(i.call(&name, &mut [Arg::Val(Val::F32(2.0)), Arg::Slice(&x), Arg::SliceMut(&mut y)]), Ok(None));
    assert_eq!(from_le_bytes::<f32>(&y), vec![12.0, 24.0, 36.0, 31.0]);
    // y shorter than x: the bounds check stops it after two elements were written.
    let mut y2 = bytes(&[0.0f32, 0.0]);
    let r = i.call(&name, &mut [Arg::Val(Val::F32(1.0)), Arg::Slice(&x), Arg::SliceMut(&mut y2)]);
    assert_eq!(r.unwrap_err().trap_code(), Some(strata_ir::TrapCode::OutOfBounds));
    assert_eq!(from_le_bytes::<f32>(&y2), vec![1.0, 2.0]);
}

#[test]
fn slices_of_every_element_type() {
    // fn copy(x: [T], y: mut [T]): y[i] = x[i] + 1 (floats) or + 1 wrapping (ints).
    for elem in [Type::I8, Type::I16, Type::I32, Type::I64, Type::F32, Type::F64] {
        let size = elem.bytes().unwrap() as i64;
        let f = func("inc", vec![Param::slice("x", elem, false), Param::slice("y", elem, true)], None, |b, p| {
            let (head, body, exit) = (b.create_block(), b.create_block(), b.create_block());
            let i = b.append_block_param(head, Type::I64);
            let z = b.iconst(Type::I64, 0);
            b.jump(head, &[z]);
            b.switch_to_block(head);
            let c = b.icmp(IntCC::Ult, i, p[1]);
            b.brif(c, body, &[], exit, &[]);
            b.switch_to_block(body);
            b.bounds_check(i, p[3]);
            let sz = b.iconst(Type::I64, size);
            let off = b.imul(i, sz);
            let v = b.load(elem, p[0], off);
            let one = if elem.is_float() { b.fconst(elem, 1.0) } else { b.iconst(elem, 1) };
            let v1 = if elem.is_float() { b.fadd(v, one) } else { b.iadd(v, one) };
            b.store(p[2], off, v1);
            let one64 = b.iconst(Type::I64, 1);
            let i2 = b.iadd(i, one64);
            b.jump(head, &[i2]);
            b.switch_to_block(exit);
            b.ret(None);
        });
        let (i, name) = interp(f);
        let (x, mut y, want): (Vec<u8>, Vec<u8>, Vec<u8>) = match elem.lane() {
            strata_ir::LaneType::I8 => (bytes(&[0i8, 127, -1]), bytes(&[0i8; 3]), bytes(&[1i8, -128, 0])),
            strata_ir::LaneType::I16 => (bytes(&[0i16, 32767, -1]), bytes(&[0i16; 3]), bytes(&[1i16, -32768, 0])),
            strata_ir::LaneType::I32 => (bytes(&[0i32, i32::MAX, -1]), bytes(&[0i32; 3]), bytes(&[1i32, i32::MIN, 0])),
            strata_ir::LaneType::I64 => (bytes(&[0i64, i64::MAX, -1]), bytes(&[0i64; 3]), bytes(&[1i64, i64::MIN, 0])),
            strata_ir::LaneType::F32 => (bytes(&[0.5f32, -1.0, 1e8]), bytes(&[0f32; 3]), bytes(&[1.5f32, 0.0, 1e8])),
            _ => (bytes(&[0.5f64, -1.0, 1e16]), bytes(&[0f64; 3]), bytes(&[1.5f64, 0.0, 1e16])),
        };
        assert_eq!(i.call(&name, &mut [Arg::Slice(&x), Arg::SliceMut(&mut y)]), Ok(None), "{elem}");
        assert_eq!(y, want, "{elem}");
    }
}

#[test]
fn stack_slots_are_zeroed_on_every_call() {
    // fn f(v: i32) -> i32 { old = *slot; *slot = v; return old } — always 0. Recursive
    // variant: each frame has its own slot.
    let f = func("f", vec![Param::scalar("v", Type::I32)], Some(Type::I32), |b, p| {
        let ss = b.func.create_stack_slot(4, 4);
        let a = b.stack_addr(ss);
        let z = b.iconst(Type::I64, 0);
        let old = b.load(Type::I32, a, z);
        b.store(a, z, p[0]);
        b.ret(Some(old));
    });
    // g(n): writes n into its slot, recurses on n - 1, then returns its slot's value, which
    // the callee must not have touched: g(n) = n for n > 0.
    let g = func("g", vec![Param::scalar("n", Type::I64)], Some(Type::I64), |b, p| {
        let ss = b.func.create_stack_slot(16, 16);
        let a = b.stack_addr(ss);
        let off = b.iconst(Type::I64, 8);
        let old = b.load(Type::I64, a, off);
        let (rec, done) = (b.create_block(), b.create_block());
        let z = b.iconst(Type::I64, 0);
        let c = b.icmp(IntCC::Eq, p[0], z);
        b.brif(c, done, &[], rec, &[]);
        b.switch_to_block(done);
        b.ret(Some(old));
        b.switch_to_block(rec);
        b.store(a, off, p[0]);
        let one = b.iconst(Type::I64, 1);
        let n1 = b.isub(p[0], one);
        let inner = b.call(FuncId::from_u32(1), Some(Type::I64), &[n1]).unwrap();
        let mine = b.load(Type::I64, a, off);
        let both = b.iadd(mine, inner);
        let both = b.iadd(both, old);
        b.ret(Some(both));
    });
    let i = Interpreter::new_without_verifying(&module(vec![f, g])).unwrap();
    for v in [5, 6, 7] {
        assert_eq!(i.call("f", &mut [Arg::Val(Val::I32(v))]), Ok(Some(Val::I32(0))));
    }
    // g(n) = n + g(n - 1) with zeroed slots: n(n+1)/2.
    assert_eq!(i.call("g", &mut [Arg::Val(Val::I64(100))]), Ok(Some(Val::I64(5050))));
}

#[test]
fn stack_slots_are_aligned() {
    let f = func("al", vec![], Some(Type::I64), |b, _| {
        let _a = b.func.create_stack_slot(3, 1);
        let s = b.func.create_stack_slot(64, 64);
        let a = b.stack_addr(s);
        let x = b.convert(Opcode::PtrToInt, Type::I64, a);
        let m = b.iconst(Type::I64, 63);
        let r = b.binary(Opcode::Band, x, m);
        b.ret(Some(r));
    });
    assert_eq!(run(f, &mut []), Ok(Some(Val::I64(0))));
}

#[test]
fn data_objects() {
    // fn dot3(x: [f32]) -> f32 with taps from a data object.
    let f = func("dot3", vec![Param::slice("x", Type::F32, false)], Some(Type::F32), |b, p| {
        let taps = b.data_addr(DataId::from_u32(1));
        let mut acc = b.fconst(Type::F32, 0.0);
        for k in 0..3 {
            let off = b.iconst(Type::I64, 4 * k);
            let t = b.load(Type::F32, taps, off);
            let x = b.load(Type::F32, p[0], off);
            let m = b.fmul(t, x);
            acc = b.fadd(acc, m);
        }
        b.ret(Some(acc));
    });
    let mut m = module(vec![f]);
    m.add_data(DataObject::from_ints("other", Type::I16, &[1, 2]));
    m.add_data(DataObject::from_f32s("taps", &[0.25, 0.5, 0.25]));
    let i = Interpreter::new_without_verifying(&m).unwrap();
    let x = bytes(&[4.0f32, 8.0, 12.0]);
    assert_eq!(i.call("dot3", &mut [Arg::Slice(&x)]), Ok(Some(Val::F32(1.0 + 4.0 + 3.0))));
}

#[test]
fn host_functions() {
    // Calls `scale(x: f64, k: i32) -> f64` in a loop and `log(i: i64)` for its effect.
    let f = func("sum", vec![Param::scalar("n", Type::I64)], Some(Type::F64), |b, p| {
        let (head, body, exit) = (b.create_block(), b.create_block(), b.create_block());
        let (i, acc) = (b.append_block_param(head, Type::I64), b.append_block_param(head, Type::F64));
        let (z, fz) = (b.iconst(Type::I64, 0), b.fconst(Type::F64, 0.0));
        b.jump(head, &[z, fz]);
        b.switch_to_block(head);
        let c = b.icmp(IntCC::Slt, i, p[0]);
        b.brif(c, body, &[], exit, &[]);
        b.switch_to_block(body);
        let x = b.convert(Opcode::Sitofp, Type::F64, i);
        let k = b.iconst(Type::I32, 3);
        let y = b.call_host(ExternId::from_u32(0), Some(Type::F64), &[x, k]).unwrap();
        b.call_host(ExternId::from_u32(1), None, &[i]);
        let acc2 = b.fadd(acc, y);
        let one = b.iconst(Type::I64, 1);
        let i2 = b.iadd(i, one);
        b.jump(head, &[i2, acc2]);
        b.switch_to_block(exit);
        b.ret(Some(acc));
    });
    let mut m = module(vec![f]);
    m.add_extern(ExternFunc { name: "scale".into(), params: vec![Type::F64, Type::I32], ret: Some(Type::F64) });
    m.add_extern(ExternFunc { name: "log".into(), params: vec![Type::I64], ret: None });
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    let i = Interpreter::new_without_verifying(&m)
        .unwrap()
        .with_host("scale", |a| match a {
            [Val::F64(x), Val::I32(k)] => Ok(Some(Val::F64(x * *k as f64))),
            _ => Err(strata_ir::TrapCode::HostError),
        })
        .with_host("log", move |a| {
            seen2.lock().unwrap().push(a[0]);
            Ok(None)
        });
    assert_eq!(i.call("sum", &mut [Arg::Val(Val::I64(4))]), Ok(Some(Val::F64(18.0))));
    assert_eq!(*seen.lock().unwrap(), vec![Val::I64(0), Val::I64(1), Val::I64(2), Val::I64(3)]);
}

#[test]
fn calls_from_many_threads_at_once() {
    let m = module(vec![saxpy(), fib_rec(1)]);
    let i = Interpreter::new_without_verifying(&m).unwrap();
    std::thread::scope(|s| {
        for t in 0..4 {
            let i = &i;
            s.spawn(move || {
                for round in 0..50 {
                    let a = (t * 100 + round) as f32;
                    let x = bytes(&[1.0f32; 64]);
                    let mut y = bytes(&[t as f32; 64]);
                    i.call("saxpy", &mut [Arg::Val(Val::F32(a)), Arg::Slice(&x), Arg::SliceMut(&mut y)]).unwrap();
                    assert!(from_le_bytes::<f32>(&y).iter().all(|&v| v == a + t as f32));
                    assert_eq!(i.call("fib", &mut [Arg::Val(Val::I64(12))]), Ok(Some(Val::I64(144))));
                }
            });
        }
    });
}

#[test]
fn vectors_through_memory() {
    // fn vadd(x: [f32], y: [f32], z: mut [f32]): z = x + y, 8 lanes at a time (256 bits),
    // then reduce_add of the first block as the result.
    let params = vec![
        Param::slice("x", Type::F32, false),
        Param::slice("y", Type::F32, false),
        Param::slice("z", Type::F32, true),
    ];
    let f32x8: Type = "f32x8".parse().unwrap();
    let f = func("vadd", params, Some(Type::F32), |b, p| {
        let (head, body, exit) = (b.create_block(), b.create_block(), b.create_block());
        let i = b.append_block_param(head, Type::I64);
        let z = b.iconst(Type::I64, 0);
        b.jump(head, &[z]);
        b.switch_to_block(head);
        let eight = b.iconst(Type::I64, 8);
        let end = b.iadd(i, eight);
        let c = b.icmp(IntCC::Sle, end, p[1]);
        b.brif(c, body, &[], exit, &[]);
        b.switch_to_block(body);
        let four = b.iconst(Type::I64, 4);
        let off = b.imul(i, four);
        let xv = b.load(f32x8, p[0], off);
        let yv = b.load(f32x8, p[2], off);
        let s = b.fadd(xv, yv);
        b.store(p[4], off, s);
        b.jump(head, &[end]);
        b.switch_to_block(exit);
        let first = b.load(f32x8, p[4], z);
        let r = b.unary_flags(Opcode::ReduceAdd, FloatFlags::NONE, first);
        b.ret(Some(r));
    });
    let (i, name) = interp(f);
    let xs: Vec<f32> = (0..16).map(|k| k as f32).collect();
    let ys: Vec<f32> = (0..16).map(|k| 0.5 * k as f32).collect();
    let (x, y) = (bytes(&xs), bytes(&ys));
    let mut zb = bytes(&[0f32; 16]);
    let r = i.call(&name, &mut [Arg::Slice(&x), Arg::Slice(&y), Arg::SliceMut(&mut zb)]);
    let zs = from_le_bytes::<f32>(&zb);
    assert_eq!(zs, (0..16).map(|k| 1.5 * k as f32).collect::<Vec<_>>());
    assert_eq!(r, Ok(Some(Val::F32(zs[..8].iter().fold(0.0, |a, b| a + b)))));
    // A vector access straddling the end of the slice traps.
    let mut short = bytes(&[0f32; 12]);
    let r = i.call(&name, &mut [Arg::Slice(&x), Arg::Slice(&y), Arg::SliceMut(&mut short)]);
    assert_eq!(r.unwrap_err().trap_code(), Some(strata_ir::TrapCode::OutOfBounds));
}

#[test]
fn vectors_through_calls_and_stack_slots() {
    // callee(v: f32x8, w: i32x4) -> f32x8 { v * splat(w[1]) }, via a 32-byte stack slot.
    let f32x8: Type = "f32x8".parse().unwrap();
    let callee =
        func("scale", vec![Param::scalar("v", f32x8), Param::scalar("w", Type::I32X4)], Some(f32x8), |b, p| {
            let k = b.extractlane(p[1], 1);
            let kf = b.convert(Opcode::Sitofp, Type::F32, k);
            let ks = b.splat(f32x8, kf);
            let r = b.fmul(p[0], ks);
            let ss = b.func.create_stack_slot(32, 32);
            let a = b.stack_addr(ss);
            let z = b.iconst(Type::I64, 0);
            b.store(a, z, r);
            let back = b.load(f32x8, a, z);
            b.ret(Some(back));
        });
    let main = func("main", vec![Param::scalar("v", f32x8)], Some(f32x8), |b, p| {
        let w = b.iconst(Type::I32X4, 3);
        let r = b.call(FuncId::from_u32(0), Some(f32x8), &[p[0], w]).unwrap();
        b.ret(Some(r));
    });
    let i = Interpreter::new_without_verifying(&module(vec![callee, main])).unwrap();
    let v = VectorVal::from_f32s(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, -0.0]).unwrap();
    let want = VectorVal::from_f32s(&[3.0, 6.0, 9.0, 12.0, 15.0, 18.0, 21.0, -0.0]).unwrap();
    assert_eq!(i.call("main", &mut [Arg::Val(Val::Vector(v))]), Ok(Some(Val::Vector(want))));
}

#[test]
fn sum_of_squares_matches_native() {
    // docs/ir.md's first example, over a slice with rounding in every step.
    let f = func("sumsq", vec![Param::slice("x", Type::F32, false)], Some(Type::F32), |b, p| {
        let (head, body, exit) = (b.create_block(), b.create_block(), b.create_block());
        let (i, acc) = (b.append_block_param(head, Type::I64), b.append_block_param(head, Type::F32));
        let (z, fz) = (b.iconst(Type::I64, 0), b.fconst(Type::F32, 0.0));
        b.jump(head, &[z, fz]);
        b.switch_to_block(head);
        let c = b.icmp(IntCC::Slt, i, p[1]);
        b.brif(c, body, &[], exit, &[]);
        b.switch_to_block(body);
        b.bounds_check(i, p[1]);
        let four = b.iconst(Type::I64, 4);
        let off = b.imul(i, four);
        let v = b.load(Type::F32, p[0], off);
        let sq = b.fmul(v, v);
        let acc2 = b.fadd(acc, sq);
        let one = b.iconst(Type::I64, 1);
        let i2 = b.iadd(i, one);
        b.jump(head, &[i2, acc2]);
        b.switch_to_block(exit);
        b.ret(Some(acc));
    });
    let mut rng = Rng(17);
    let xs: Vec<f32> = (0..10_000).map(|_| (rng.next() as i32 as f32) * 1e-9).collect();
    let native = xs.iter().fold(0.0f32, |a, &x| a + x * x);
    let x = bytes(&xs);
    assert_eq!(run(f, &mut [Arg::Slice(&x)]), Ok(Some(Val::F32(native))));
}

/// `get(x: [T], i: i64) -> T` and `put(x: mut [T], i: i64, v: T)` in the guarded-access
/// shape frontends emit (optionally without the guard, or with `imul size, i`).
fn access_fns(elem: Type, checked: bool, commuted: bool, scale: i64) -> Vec<Function> {
    let index = move |b: &mut strata_ir::FunctionBuilder, i, n| {
        if checked {
            b.bounds_check(i, n);
        }
        let size = b.iconst(Type::I64, scale);
        if commuted {
            b.imul(size, i)
        } else {
            b.imul(i, size)
        }
    };
    let get = func("get", vec![Param::slice("x", elem, false), Param::scalar("i", Type::I64)], Some(elem), |b, p| {
        let off = index(b, p[2], p[1]);
        let v = b.load(elem, p[0], off);
        b.ret(Some(v));
    });
    let put = func(
        "put",
        vec![Param::slice("x", elem, true), Param::scalar("i", Type::I64), Param::scalar("v", elem)],
        None,
        |b, p| {
            let off = index(b, p[2], p[1]);
            b.store(p[0], off, p[3]);
            b.ret(None);
        },
    );
    vec![get, put]
}

#[test]
fn guarded_accesses_at_every_width() {
    use strata_ir::TrapCode::OutOfBounds;
    let elems = [
        (Type::I8, Val::I8(-5)),
        (Type::I16, Val::I16(-300)),
        (Type::F32, Val::F32(2.5)),
        (Type::F64, Val::F64(-0.125)),
        (Type::I64, Val::I64(i64::MIN)),
    ];
    for (elem, v) in elems {
        let size = elem.bytes().unwrap() as i64;
        for (checked, commuted, scale) in [
            (true, false, size),
            (true, true, size),
            (false, false, size),
            (false, true, size),
            (true, false, 3 * size),
        ] {
            let i = Interpreter::new_without_verifying(&module(access_fns(elem, checked, commuted, scale))).unwrap();
            let what = format!("{elem} checked={checked} commuted={commuted} scale={scale}");
            let n = 4i64;
            let mut buf = vec![0u8; (n * scale) as usize];
            for k in 0..n {
                // Every index stays inside: with a stride of 3 elements the buffer is 3x longer.
                let r = i.call("put", &mut [Arg::SliceMut(&mut buf), Arg::Val(Val::I64(k)), Arg::Val(v)]);
                assert_eq!(r, Ok(None), "{what} put {k}");
                assert_eq!(
                    i.call("get", &mut [Arg::Slice(&buf), Arg::Val(Val::I64(k))]),
                    Ok(Some(v)),
                    "{what} get {k}"
                );
            }
            // The element count is buf.len() / size; index n (and -1) is out of bounds either
            // way: by the bounds check, or by the region check when unchecked.
            let count = buf.len() as i64 / size;
            for k in [count, -1, i64::MAX] {
                let r = i.call("get", &mut [Arg::Slice(&buf), Arg::Val(Val::I64(k))]);
                assert_eq!(r.unwrap_err().trap_code(), Some(OutOfBounds), "{what} get {k}");
                let r = i.call("put", &mut [Arg::SliceMut(&mut buf), Arg::Val(Val::I64(k)), Arg::Val(v)]);
                assert_eq!(r.unwrap_err().trap_code(), Some(OutOfBounds), "{what} put {k}");
            }
        }
    }
}

#[test]
fn fused_access_keeps_an_offset_used_elsewhere() {
    // off = imul i, 4 is also returned: no fusion may drop it.
    let f =
        func("f", vec![Param::slice("x", Type::I32, false), Param::scalar("i", Type::I64)], Some(Type::I64), |b, p| {
            b.bounds_check(p[2], p[1]);
            let four = b.iconst(Type::I64, 4);
            let off = b.imul(p[2], four);
            let v = b.load(Type::I32, p[0], off);
            let v = b.convert(Opcode::Sext, Type::I64, v);
            let r = b.iadd(v, off);
            b.ret(Some(r));
        });
    let x = bytes(&[10i32, 20, 30]);
    assert_eq!(run(f, &mut [Arg::Slice(&x), Arg::Val(Val::I64(2))]), Ok(Some(Val::I64(38))));
}

/// `fn count(start: i64, n: i64) -> i64`: `for (i = start; i <cc> n; i += step) c += 1;
/// return c` — the shape the decoder fuses into one increment-compare-branch op.
fn counted_loop(cc: IntCC, step: i64) -> Function {
    func("count", vec![Param::scalar("start", Type::I64), Param::scalar("n", Type::I64)], Some(Type::I64), |b, p| {
        let (head, body, exit) = (b.create_block(), b.create_block(), b.create_block());
        let (i, c) = (b.append_block_param(head, Type::I64), b.append_block_param(head, Type::I64));
        let z = b.iconst(Type::I64, 0);
        b.jump(head, &[p[0], z]);
        b.switch_to_block(head);
        let go = b.icmp(cc, i, p[1]);
        b.brif(go, body, &[], exit, &[]);
        b.switch_to_block(body);
        let one = b.iconst(Type::I64, 1);
        let c2 = b.iadd(c, one);
        let s = b.iconst(Type::I64, step);
        let i2 = b.iadd(i, s);
        b.jump(head, &[i2, c2]);
        b.switch_to_block(exit);
        b.ret(Some(c));
    })
}

#[test]
fn counted_loops_match_a_reference() {
    const FUEL: i64 = 300;
    let holds = |cc: IntCC, a: i64, b: i64| match cc {
        IntCC::Eq => a == b,
        IntCC::Ne => a != b,
        IntCC::Slt => a < b,
        IntCC::Sle => a <= b,
        IntCC::Sgt => a > b,
        IntCC::Sge => a >= b,
        IntCC::Ult => (a as u64) < (b as u64),
        IntCC::Ule => (a as u64) <= (b as u64),
        IntCC::Ugt => (a as u64) > (b as u64),
        IntCC::Uge => (a as u64) >= (b as u64),
    };
    // Ok(count), or Err(()) when the loop would take more than FUEL back-edges.
    let reference = |cc, step: i64, start: i64, n: i64| {
        let (mut i, mut c) = (start, 0i64);
        while holds(cc, i, n) {
            if c == FUEL {
                return Err(());
            }
            c += 1;
            i = i.wrapping_add(step);
        }
        Ok(c)
    };
    let starts = [0, 5, -5, 100, i64::MAX - 3, i64::MIN + 3, -1];
    let ends = [0, 10, -10, 99, i64::MAX, i64::MIN, 7];
    for cc in IntCC::ALL {
        for step in [1, 2, -1, -3, 127, -128, 1000] {
            let i = Interpreter::new_without_verifying(&module(vec![counted_loop(cc, step)]))
                .unwrap()
                .with_fuel(FUEL as u64);
            for start in starts {
                for n in ends {
                    let got = i.call("count", &mut [Arg::Val(Val::I64(start)), Arg::Val(Val::I64(n))]);
                    let what = format!("{cc:?} step {step} from {start} to {n}");
                    match reference(cc, step, start, n) {
                        Ok(c) => assert_eq!(got, Ok(Some(Val::I64(c))), "{what}"),
                        Err(()) => {
                            assert_eq!(got.unwrap_err().trap_code(), Some(strata_ir::TrapCode::FuelExhausted), "{what}")
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn pointer_bump_loop() {
    // for (p = x; p < x + n*4; p += 4) sum += *p, with ptr_add and an unsigned compare.
    let f = func("sum", vec![Param::slice("x", Type::I32, false)], Some(Type::I32), |b, p| {
        let (head, body, exit) = (b.create_block(), b.create_block(), b.create_block());
        let (q, acc) = (b.append_block_param(head, Type::PTR), b.append_block_param(head, Type::I32));
        let four = b.iconst(Type::I64, 4);
        let bytes_len = b.imul(p[1], four);
        let end = b.binary(Opcode::PtrAdd, p[0], bytes_len);
        let z = b.iconst(Type::I32, 0);
        b.jump(head, &[p[0], z]);
        b.switch_to_block(head);
        let go = b.icmp(IntCC::Ult, q, end);
        b.brif(go, body, &[], exit, &[]);
        b.switch_to_block(body);
        let z64 = b.iconst(Type::I64, 0);
        let v = b.load(Type::I32, q, z64);
        let acc2 = b.iadd(acc, v);
        let q2 = b.binary(Opcode::PtrAdd, q, four);
        b.jump(head, &[q2, acc2]);
        b.switch_to_block(exit);
        b.ret(Some(acc));
    });
    let x = bytes(&[1i32, 2, 3, 4, 5]);
    assert_eq!(run(f, &mut [Arg::Slice(&x)]), Ok(Some(Val::I32(15))));
}
