//! Every trap kind, reported through the context without signals: division by zero, failed
//! bounds checks, `trap` (incl. user codes), fuel, the call-depth limit, host errors; and
//! propagation of a callee's trap through its callers.

mod common;
use common::*;
use strata_cranelift::CraneliftOptions;
use strata_ir::{
    ExternFunc, FunctionBuilder, HostCallFn, IntCC, Linkage, Module, Opcode, Param, TrapCode, Type, Value, VmContext,
};

#[test]
fn div_by_zero_every_kind() {
    for ty in [Type::I8, Type::I16, Type::I32, Type::I64] {
        for op in [Opcode::Sdiv, Opcode::Udiv, Opcode::Srem, Opcode::Urem] {
            let m = module1(&[ty, ty], Some(ty), |b, p| {
                let r = b.binary(op, p[0], p[1]);
                b.ret(Some(r));
            });
            let cm = compile_ok(&m);
            assert_eq!(call(&cm, "f", &[5, 0]), Err(TrapCode::DivByZero), "{op} {ty}");
            assert!(call(&cm, "f", &[5, 1]).is_ok());
        }
    }
}

#[test]
fn bounds_check_is_unsigned() {
    let m = module1(&[Type::I64, Type::I64], Some(Type::I64), |b, p| {
        b.bounds_check(p[0], p[1]);
        b.ret(Some(p[0]));
    });
    let cm = compile_ok(&m);
    assert_eq!(call(&cm, "f", &[3, 4]), Ok(3));
    assert_eq!(call(&cm, "f", &[4, 4]), Err(TrapCode::OutOfBounds));
    assert_eq!(call(&cm, "f", &[u64::MAX, 4]), Err(TrapCode::OutOfBounds));
    assert_eq!(call(&cm, "f", &[0, 0]), Err(TrapCode::OutOfBounds));
}

#[test]
fn explicit_traps() {
    for code in [TrapCode::Unreachable, TrapCode::User(0), TrapCode::User(7), TrapCode::User(65535)] {
        let m = module1(&[Type::BOOL], Some(Type::F64), |b, p| {
            let (t, e) = (b.create_block(), b.create_block());
            b.brif(p[0], t, &[], e, &[]);
            b.switch_to_block(t);
            b.trap(code);
            b.switch_to_block(e);
            let x = b.f64const(1.5);
            b.ret(Some(x));
        });
        let cm = compile_ok(&m);
        assert_eq!(call(&cm, "f", &[1]), Err(code));
        assert_eq!(call(&cm, "f", &[0]), Ok(1.5f64.to_bits()));
    }
}

/// `count(n)`: a loop of `n` iterations (n back-edges) returning n.
fn counting_loop(brif_back_edge: bool) -> Module {
    module1(&[Type::I64], Some(Type::I64), |b, p| {
        let head = b.create_block();
        let i = b.append_block_param(head, Type::I64);
        let (body, exit) = (b.create_block(), b.create_block());
        let zero = b.iconst(Type::I64, 0);
        if brif_back_edge {
            // do { i += 1 } while i < n, entered only if n > 0.
            let c = b.icmp(IntCC::Slt, zero, p[0]);
            b.brif(c, head, &[zero], exit, &[]);
            b.switch_to_block(head);
            let one = b.iconst(Type::I64, 1);
            let next = b.iadd(i, one);
            let c = b.icmp(IntCC::Slt, next, p[0]);
            b.brif(c, head, &[next], body, &[]);
            b.switch_to_block(body);
            b.jump(exit, &[]);
        } else {
            b.jump(head, &[zero]);
            b.switch_to_block(head);
            let c = b.icmp(IntCC::Slt, i, p[0]);
            b.brif(c, body, &[], exit, &[]);
            b.switch_to_block(body);
            let one = b.iconst(Type::I64, 1);
            let next = b.iadd(i, one);
            b.jump(head, &[next]);
        }
        b.switch_to_block(exit);
        b.ret(Some(p[0]));
    })
}

#[test]
fn fuel_on_back_edges() {
    let fuel_opts = CraneliftOptions { fuel: true, ..opts() };
    for brif in [false, true] {
        let m = counting_loop(brif);
        let cm = compile_opts(&m, &fuel_opts);
        // The do-while form takes n - 1 back-edges for n iterations.
        let edges = |n: i64| if brif { (n - 1).max(0) } else { n };
        for n in [0i64, 1, 2, 10, 1000] {
            let mut ctx = VmContext { fuel: edges(n), ..VmContext::default() };
            assert_eq!(call_ctx(&cm, "f", &[n as u64], &mut ctx), Ok(n as u64), "brif={brif} n={n}");
            assert_eq!(ctx.fuel, 0);
            if edges(n) > 0 {
                let mut ctx = VmContext { fuel: edges(n) - 1, ..VmContext::default() };
                assert_eq!(call_ctx(&cm, "f", &[n as u64], &mut ctx), Err(TrapCode::FuelExhausted));
            }
        }
        // An endless loop stops.
        let mut ctx = VmContext { fuel: 100_000, ..VmContext::default() };
        assert_eq!(call_ctx(&cm, "f", &[i64::MAX as u64], &mut ctx), Err(TrapCode::FuelExhausted));
        // Without fuel, the counter is left alone.
        let cm = compile_ok(&m);
        let mut ctx = VmContext { fuel: 3, ..VmContext::default() };
        assert_eq!(call_ctx(&cm, "f", &[10], &mut ctx), Ok(10));
        assert_eq!(ctx.fuel, 3);
    }
}

/// `rec(n)`: returns n if n == 0, else 1 + rec(n - 1); `entry(n)` calls it.
fn recursion_module() -> Module {
    let mut m = Module::new();
    let rec_id = m.functions.next_key();
    m.add_function(build("rec", Linkage::Export, scalars(&[Type::I64]), Some(Type::I64), |b, p| {
        let zero = b.iconst(Type::I64, 0);
        let c = b.icmp(IntCC::Eq, p[0], zero);
        let (done, more) = (b.create_block(), b.create_block());
        b.brif(c, done, &[], more, &[]);
        b.switch_to_block(done);
        b.ret(Some(zero));
        b.switch_to_block(more);
        let one = b.iconst(Type::I64, 1);
        let n1 = b.isub(p[0], one);
        let r = b.call(rec_id, Some(Type::I64), &[n1]).unwrap();
        let r1 = b.iadd(r, one);
        b.ret(Some(r1));
    }));
    m
}

#[test]
fn fuel_on_calls() {
    let m = recursion_module();
    let cm = compile_opts(&m, &CraneliftOptions { fuel: true, ..opts() });
    let mut ctx = VmContext { fuel: 5, ..VmContext::default() };
    assert_eq!(call_ctx(&cm, "rec", &[5], &mut ctx), Ok(5));
    assert_eq!(ctx.fuel, 0);
    let mut ctx = VmContext { fuel: 4, ..VmContext::default() };
    assert_eq!(call_ctx(&cm, "rec", &[5], &mut ctx), Err(TrapCode::FuelExhausted));
}

#[test]
fn depth_is_checked_before_fuel_and_host_calls_are_free() {
    let m = recursion_module();
    let cm = compile_opts(&m, &CraneliftOptions { fuel: true, ..opts() });
    // rec(5) needs 6 frames and 5 units of fuel; with neither, the depth trap comes first.
    let mut ctx = VmContext { fuel: 2, depth_remaining: 3, ..VmContext::default() };
    assert_eq!(call_ctx(&cm, "rec", &[5], &mut ctx), Err(TrapCode::StackOverflow));
    assert_eq!(ctx.depth_remaining, 3);
    let mut ctx = VmContext { fuel: 2, depth_remaining: 10, ..VmContext::default() };
    assert_eq!(call_ctx(&cm, "rec", &[5], &mut ctx), Err(TrapCode::FuelExhausted));

    let cm = compile_opts(&host_module(), &CraneliftOptions { fuel: true, ..opts() });
    let table = [host_checked_sqrt as HostCallFn as *const u8];
    let mut out = [0i64];
    let mut ctx = VmContext { host_table: table.as_ptr(), host_count: 1, fuel: 0, ..VmContext::default() };
    let args = [4.0f64.to_bits(), out.as_mut_ptr() as u64, 1];
    assert_eq!(call_ctx(&cm, "f", &args, &mut ctx), Ok(2.0f64.to_bits()));
    assert_eq!(ctx.fuel, 0);
}

#[test]
fn depth_limit() {
    let m = recursion_module();
    let cm = compile_ok(&m);
    // The outermost call takes one unit: depth d allows rec(d - 1).
    let mut ctx = VmContext::new(10);
    assert_eq!(call_ctx(&cm, "rec", &[9], &mut ctx), Ok(9));
    assert_eq!(ctx.depth_remaining, 10, "restored after a normal return");
    assert_eq!(call_ctx(&cm, "rec", &[10], &mut ctx), Err(TrapCode::StackOverflow));
    assert_eq!(ctx.depth_remaining, 10, "restored after a trap");
    let mut ctx = VmContext::new(0);
    assert_eq!(call_ctx(&cm, "rec", &[0], &mut ctx), Err(TrapCode::StackOverflow));
    assert_eq!(ctx.depth_remaining, 0);
    // A leaf (no IR calls) does not touch the counter but still needs one unit to run, and
    // a leaf called from another function is limited like any callee.
    let mut leafy = recursion_module();
    leafy.add_function(build("leaf", Linkage::Export, scalars(&[Type::I64]), Some(Type::I64), |b, p| {
        let one = b.iconst(Type::I64, 1);
        let r = b.iadd(p[0], one);
        b.ret(Some(r));
    }));
    let cm = compile_ok(&leafy);
    let mut ctx = VmContext::new(1);
    assert_eq!(call_ctx(&cm, "leaf", &[41], &mut ctx), Ok(42));
    assert_eq!(ctx.depth_remaining, 1);
    let mut ctx = VmContext::new(0);
    assert_eq!(call_ctx(&cm, "leaf", &[41], &mut ctx), Err(TrapCode::StackOverflow));
    assert_eq!(ctx.depth_remaining, 0);
    let mut ctx = VmContext::new(1);
    assert_eq!(call_ctx(&cm, "rec", &[0], &mut ctx), Ok(0), "rec(0) makes no call");
    assert_eq!(call_ctx(&cm, "rec", &[1], &mut ctx), Err(TrapCode::StackOverflow));
    assert_eq!(ctx.depth_remaining, 1);
    // Without the limit, the counter is left alone.
    let cm = compile_opts(&m, &CraneliftOptions { depth_limit: false, ..opts() });
    let mut ctx = VmContext::new(3);
    assert_eq!(call_ctx(&cm, "rec", &[100], &mut ctx), Ok(100));
    assert_eq!(ctx.depth_remaining, 3);
}

#[test]
fn deep_recursion_traps_before_the_native_stack_overflows() {
    let m = recursion_module();
    let cm = compile_ok(&m);
    let mut ctx = VmContext::default();
    assert_eq!(call_ctx(&cm, "rec", &[1_000_000], &mut ctx), Err(TrapCode::StackOverflow));
    assert_eq!(call_ctx(&cm, "rec", &[5_000], &mut ctx), Ok(5_000));
}

/// `checked_sqrt(x: f64) -> f64` as a `HostCallFn`: traps `host_error` on negative input.
unsafe extern "C" fn host_checked_sqrt(ctx: *mut VmContext, _: u64, args: *const u64, ret: *mut u64) {
    // SAFETY: compiled code passes its own valid context, one argument slot and a result slot.
    unsafe {
        let x = f64::from_bits(*args);
        if x < 0.0 {
            (*ctx).trap_code = TrapCode::HostError.to_u32();
            return;
        }
        *ret = x.sqrt().to_bits();
    }
}

/// `f(x, out)`: out[0] = 1; y = host(x); out[0] = 2; return y.
fn host_module() -> Module {
    let mut m = Module::new();
    let h = m.add_extern(ExternFunc { name: "checked_sqrt".into(), params: vec![Type::F64], ret: Some(Type::F64) });
    m.add_function(build(
        "f",
        Linkage::Export,
        vec![Param::scalar("x", Type::F64), Param::slice("out", Type::I64, true)],
        Some(Type::F64),
        |b, p| {
            let zero = b.iconst(Type::I64, 0);
            let one = b.iconst(Type::I64, 1);
            b.store(p[1], zero, one);
            let y = b.call_host(h, Some(Type::F64), &[p[0]]).unwrap();
            let two = b.iconst(Type::I64, 2);
            b.store(p[1], zero, two);
            b.ret(Some(y));
        },
    ));
    m
}

#[test]
fn host_error_stops_the_caller() {
    let cm = compile_ok(&host_module());
    let table = [host_checked_sqrt as HostCallFn as *const u8];
    let mut out = [0i64];
    let mut ctx = VmContext { host_table: table.as_ptr(), host_count: 1, ..VmContext::default() };
    let args = |x: f64, out: &mut [i64; 1]| [x.to_bits(), out.as_mut_ptr() as u64, 1];
    assert_eq!(call_ctx(&cm, "f", &args(16.0, &mut out), &mut ctx), Ok(4.0f64.to_bits()));
    assert_eq!(out[0], 2);
    out[0] = 0;
    assert_eq!(call_ctx(&cm, "f", &args(-1.0, &mut out), &mut ctx), Err(TrapCode::HostError));
    assert_eq!(out[0], 1, "nothing after the trapping call ran");
    // An unregistered host function is a host error, not a crash.
    let mut ctx = VmContext::default();
    assert_eq!(call_ctx(&cm, "f", &args(1.0, &mut out), &mut ctx), Err(TrapCode::HostError));
    let null = [std::ptr::null::<u8>()];
    let mut ctx = VmContext { host_table: null.as_ptr(), host_count: 1, ..VmContext::default() };
    assert_eq!(call_ctx(&cm, "f", &args(1.0, &mut out), &mut ctx), Err(TrapCode::HostError));
}

#[test]
fn callee_traps_propagate() {
    // inner(a, b) = a / b; outer(a, b, out) { out[0] = 1; r = inner(a, b); out[0] = 2; r }
    let mut m = Module::new();
    let inner =
        m.add_function(build("inner", Linkage::Local, scalars(&[Type::I32, Type::I32]), Some(Type::I32), |b, p| {
            let r = b.binary(Opcode::Udiv, p[0], p[1]);
            b.ret(Some(r));
        }));
    let outer_body = |b: &mut FunctionBuilder, p: &[Value]| {
        let zero = b.iconst(Type::I64, 0);
        let one = b.iconst(Type::I32, 1);
        b.store(p[2], zero, one);
        let r = b.call(inner, Some(Type::I32), &[p[0], p[1]]).unwrap();
        let two = b.iconst(Type::I32, 2);
        b.store(p[2], zero, two);
        b.ret(Some(r));
    };
    let params =
        vec![Param::scalar("a", Type::I32), Param::scalar("b", Type::I32), Param::slice("out", Type::I32, true)];
    m.add_function(build("outer", Linkage::Export, params, Some(Type::I32), outer_body));
    let cm = compile_ok(&m);
    let mut out = [0i32];
    let ptr = out.as_mut_ptr() as u64;
    assert_eq!(call(&cm, "outer", &[9, 3, ptr, 1]), Ok(3));
    assert_eq!(out[0], 2);
    assert_eq!(call(&cm, "outer", &[9, 0, ptr, 1]), Err(TrapCode::DivByZero));
    assert_eq!(out[0], 1);
}
