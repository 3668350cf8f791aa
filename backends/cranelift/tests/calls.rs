//! Calls: the direct entry points, argument passing (narrow integers, bools, floats,
//! slices), recursion, mutual recursion, host functions through the context, and the math
//! functions.

mod common;
use common::*;
use strata_ir::{ExternFunc, FloatCC, HostCallFn, IntCC, Linkage, Module, Opcode, Param, TrapCode, Type, VmContext};

/// fib(n) = n < 2 ? n : fib(n-1) + fib(n-2)
fn fib_module() -> Module {
    let mut m = Module::new();
    let fib = m.functions.next_key();
    m.add_function(build("fib", Linkage::Export, scalars(&[Type::I32]), Some(Type::I32), |b, p| {
        let two = b.iconst(Type::I32, 2);
        let c = b.icmp(IntCC::Slt, p[0], two);
        let (base, rec) = (b.create_block(), b.create_block());
        b.brif(c, base, &[], rec, &[]);
        b.switch_to_block(base);
        b.ret(Some(p[0]));
        b.switch_to_block(rec);
        let one = b.iconst(Type::I32, 1);
        let n1 = b.isub(p[0], one);
        let n2 = b.isub(p[0], two);
        let a = b.call(fib, Some(Type::I32), &[n1]).unwrap();
        let c = b.call(fib, Some(Type::I32), &[n2]).unwrap();
        let s = b.iadd(a, c);
        b.ret(Some(s));
    }));
    m
}

#[test]
fn recursion_through_both_entry_points() {
    let cm = compile_ok(&fib_module());
    assert_eq!(call(&cm, "fib", &[20]), Ok(6765));
    let f = cm.function("fib").unwrap();
    // SAFETY: `fib` has the ABI `extern "C" fn(i32, *mut VmContext) -> i32`.
    let fib: extern "C" fn(i32, *mut VmContext) -> i32 = unsafe { std::mem::transmute(f.entry) };
    let mut ctx = VmContext::default();
    assert_eq!(fib(25, &mut ctx), 75025);
    assert_eq!(ctx.trap_code, 0);
    assert!(cm.function("nope").is_none());
}

#[test]
fn mutual_recursion_and_local_functions() {
    // is_even(n) = n == 0 || is_odd(n - 1); is_odd(n) = n != 0 && is_even(n - 1)
    let mut m = Module::new();
    let even = m.functions.next_key();
    let odd = strata_ir::FuncId::from_u32(even.as_u32() + 1);
    for (name, other, base, linkage) in
        [("is_even", odd, true, Linkage::Export), ("is_odd", even, false, Linkage::Local)]
    {
        m.add_function(build(name, linkage, scalars(&[Type::I64]), Some(Type::BOOL), |b, p| {
            let zero = b.iconst(Type::I64, 0);
            let c = b.icmp(IntCC::Eq, p[0], zero);
            let (done, more) = (b.create_block(), b.create_block());
            b.brif(c, done, &[], more, &[]);
            b.switch_to_block(done);
            let r = b.bconst(base);
            b.ret(Some(r));
            b.switch_to_block(more);
            let one = b.iconst(Type::I64, 1);
            let n1 = b.isub(p[0], one);
            let r = b.call(other, Some(Type::BOOL), &[n1]).unwrap();
            b.ret(Some(r));
        }));
    }
    let cm = compile_ok(&m);
    assert_eq!(call(&cm, "is_even", &[10]), Ok(1));
    assert_eq!(call(&cm, "is_even", &[7]), Ok(0));
    assert!(cm.function("is_odd").is_none(), "local functions are not exported");
    // A bool result through the direct entry point is an i8 0/1.
    let f = cm.function("is_even").unwrap();
    // SAFETY: the ABI of `is_even` is `extern "C" fn(i64, *mut VmContext) -> bool`.
    let is_even: extern "C" fn(i64, *mut VmContext) -> bool = unsafe { std::mem::transmute(f.entry) };
    let mut ctx = VmContext::default();
    assert!(is_even(100, &mut ctx));
    assert!(!is_even(101, &mut ctx));
}

#[test]
fn mixed_arguments() {
    // f(a: i8, b: bool, c: f32, d: i16, e: f64, s: [i32]) -> f64
    //   = a + (b ? 1 : 0) + c + d + e + s.len()  (computed in f64)
    let mut m = Module::new();
    let helper = m.add_function(build(
        "helper",
        Linkage::Local,
        vec![
            Param::scalar("a", Type::I8),
            Param::scalar("b", Type::BOOL),
            Param::scalar("c", Type::F32),
            Param::scalar("d", Type::I16),
            Param::scalar("e", Type::F64),
            Param::slice("s", Type::I32, false),
        ],
        Some(Type::F64),
        |b, p| {
            let a = b.convert(Opcode::Sitofp, Type::F64, p[0]);
            let bi = b.convert(Opcode::Zext, Type::I32, p[1]);
            let bf = b.convert(Opcode::Sitofp, Type::F64, bi);
            let c = b.convert(Opcode::Fpromote, Type::F64, p[2]);
            let d = b.convert(Opcode::Sitofp, Type::F64, p[3]);
            let n = b.convert(Opcode::Sitofp, Type::F64, p[6]);
            let mut acc = b.fadd(a, bf);
            for v in [c, d, p[4], n] {
                acc = b.fadd(acc, v);
            }
            b.ret(Some(acc));
        },
    ));
    let params = vec![
        Param::scalar("a", Type::I8),
        Param::scalar("b", Type::BOOL),
        Param::scalar("c", Type::F32),
        Param::scalar("d", Type::I16),
        Param::scalar("e", Type::F64),
        Param::slice("s", Type::I32, false),
    ];
    m.add_function(build("f", Linkage::Export, params, Some(Type::F64), |b, p| {
        let r = b.call(helper, Some(Type::F64), p).unwrap();
        b.ret(Some(r));
    }));
    let cm = compile_ok(&m);
    let s = [0i32; 7];
    let args = [(-3i8) as u8 as u64, 1, f32s(0.5), (-1000i16) as u16 as u64, f64s(0.25), s.as_ptr() as u64, 7];
    assert_eq!(call(&cm, "f", &args).map(as_f64), Ok(-3.0 + 1.0 + 0.5 - 1000.0 + 0.25 + 7.0));
    // Garbage in the upper bits of a slot is ignored.
    let args = [
        0xdead_beef_ffff_fffd,
        0x100,
        f32s(0.5) | 0xffff_0000_0000_0000,
        0xffff_fc18,
        f64s(0.25),
        s.as_ptr() as u64,
        7,
    ];
    assert_eq!(call(&cm, "f", &args).map(as_f64), Ok(-3.0 + 0.0 + 0.5 - 1000.0 + 0.25 + 7.0));
}

#[test]
fn narrow_results_in_slots() {
    let m = module1(&[Type::I8], Some(Type::I8), |b, p| {
        let r = b.unary(Opcode::Ineg, p[0]);
        b.ret(Some(r));
    });
    let cm = compile_ok(&m);
    assert_eq!(call(&cm, "f", &[5]), Ok((-5i64) as u64), "sign-extended to 64 bits");
    let m = module1(&[Type::F32], Some(Type::F32), |b, p| {
        let r = b.unary(Opcode::Fneg, p[0]);
        b.ret(Some(r));
    });
    let cm = compile_ok(&m);
    assert_eq!(call(&cm, "f", &[f32s(1.0)]), Ok(u64::from((-1.0f32).to_bits())), "upper bits zero");
}

/// `axpy(a: f32, x: i32, y: f32) -> f32` as a `HostCallFn`.
unsafe extern "C" fn host_axpy(ctx: *mut VmContext, index: u64, args: *const u64, ret: *mut u64) {
    assert_eq!(index, 0, "the extern's index is passed");
    // SAFETY: compiled code passes its own valid context, three argument slots and a
    // result slot; the test put an f32 in user_data.
    unsafe {
        let scale = *((*ctx).user_data as *const f32);
        let a = f32::from_bits(*args as u32);
        let x = *args.add(1) as i32;
        let y = f32::from_bits(*args.add(2) as u32);
        *ret = u64::from((a * x as f32 + y * scale).to_bits());
    }
}

/// `flag(b: bool, n: i8) -> bool` as a `HostCallFn`.
unsafe extern "C" fn host_flag(_ctx: *mut VmContext, index: u64, args: *const u64, ret: *mut u64) {
    assert_eq!(index, 1, "the extern's index is passed");
    // SAFETY: two argument slots and a result slot, as the extern declares.
    unsafe {
        let b = *args as u8 != 0;
        let n = *args.add(1) as i8;
        *ret = u64::from(b && n < 0);
    }
}

#[test]
fn host_functions() {
    let mut m = Module::new();
    let axpy = m.add_extern(ExternFunc {
        name: "axpy".into(),
        params: vec![Type::F32, Type::I32, Type::F32],
        ret: Some(Type::F32),
    });
    let flag =
        m.add_extern(ExternFunc { name: "flag".into(), params: vec![Type::BOOL, Type::I8], ret: Some(Type::BOOL) });
    m.add_function(build(
        "f",
        Linkage::Export,
        scalars(&[Type::F32, Type::I32, Type::F32]),
        Some(Type::F32),
        |b, p| {
            let r = b.call_host(axpy, Some(Type::F32), &[p[0], p[1], p[2]]).unwrap();
            b.ret(Some(r));
        },
    ));
    m.add_function(build("g", Linkage::Export, scalars(&[Type::BOOL, Type::I8]), Some(Type::BOOL), |b, p| {
        let r = b.call_host(flag, Some(Type::BOOL), &[p[0], p[1]]).unwrap();
        b.ret(Some(r));
    }));
    let cm = compile_ok(&m);
    let table = [host_axpy as HostCallFn as *const u8, host_flag as HostCallFn as *const u8];
    let mut scale = 10.0f32;
    let mut ctx = VmContext {
        host_table: table.as_ptr(),
        host_count: 2,
        user_data: (&mut scale as *mut f32).cast(),
        ..VmContext::default()
    };
    assert_eq!(call_ctx(&cm, "f", &[f32s(2.0), 3, f32s(0.5)], &mut ctx).map(as_f32), Ok(11.0));
    assert_eq!(call_ctx(&cm, "g", &[1, 0xff], &mut ctx), Ok(1));
    assert_eq!(call_ctx(&cm, "g", &[1, 1], &mut ctx), Ok(0));
    assert_eq!(call_ctx(&cm, "g", &[0, 0xff], &mut ctx), Ok(0));
}

#[test]
fn math_functions_match_the_shared_table() {
    use strata_ir::abi;
    for (op, ty) in
        [(Opcode::Fexp, Type::F32), (Opcode::Flog, Type::F64), (Opcode::Fsin, Type::F32), (Opcode::Fcos, Type::F64)]
    {
        let m = module1(&[ty], Some(ty), |b, p| {
            let r = b.unary(op, p[0]);
            b.ret(Some(r));
        });
        let cm = compile_ok(&m);
        for x in [0.0, 0.5, -1.25, 3.0, 100.0, -1e-3] {
            let got = call(&cm, "f", &[if ty == Type::F32 { f32s(x as f32) } else { f64s(x) }]).unwrap();
            let want = match (op, ty) {
                (Opcode::Fexp, _) => u64::from(abi::strata_expf(x as f32).to_bits()),
                (Opcode::Fsin, _) => u64::from(abi::strata_sinf(x as f32).to_bits()),
                (Opcode::Flog, _) => abi::strata_log(x).to_bits(),
                _ => abi::strata_cos(x).to_bits(),
            };
            let same =
                if ty == Type::F32 { same_f32(as_f32(got), as_f32(want)) } else { same_f64(as_f64(got), as_f64(want)) };
            assert!(same, "{op} {x}");
        }
    }
    // pow inside a loop-free expression with a compare, to mix calls and flags.
    let m = module1(&[Type::F64, Type::F64], Some(Type::BOOL), |b, p| {
        let r = b.binary(Opcode::Fpow, p[0], p[1]);
        let c = b.f64const(1000.0);
        let o = b.fcmp(FloatCC::Gt, r, c);
        b.ret(Some(o));
    });
    let cm = compile_ok(&m);
    assert_eq!(call(&cm, "f", &[f64s(10.0), f64s(3.5)]), Ok(1));
    assert_eq!(call(&cm, "f", &[f64s(10.0), f64s(2.5)]), Ok(0));
}

#[test]
fn compiled_module_is_send_and_sync_and_callable_from_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<strata_cranelift::CompiledModule>();
    assert_send_sync::<strata_cranelift::CompiledFunc>();
    let cm = std::sync::Arc::new(compile_ok(&fib_module()));
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let cm = cm.clone();
            std::thread::spawn(move || call(&cm, "fib", &[15 + i]))
        })
        .collect();
    let got: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(got, vec![Ok(610), Ok(987), Ok(1597), Ok(2584)]);
    // And compiling from several threads at once works.
    let handles: Vec<_> =
        (0..4).map(|_| std::thread::spawn(|| call(&compile_ok(&fib_module()), "fib", &[10]))).collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), Ok::<u64, TrapCode>(55));
    }
}
