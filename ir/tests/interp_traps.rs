//! Every trap kind, argument errors, and IR the decoder refuses.

mod common;
use common::*;
use strata_ir::{
    Arg, BlockCall, DataId, DataObject, ExternFunc, ExternId, FuncId, Function, InstData, IntCC, InterpError,
    Interpreter, Linkage, Module, Opcode, Param, Signature, TrapCode, Type, Val,
};

fn trap_of(r: Result<Option<Val>, InterpError>) -> TrapCode {
    match r {
        Err(InterpError::Trap(t)) => t.code,
        other => panic!("expected a trap, got {other:?}"),
    }
}

/// `fn load_at(x: [i32], off: i64) -> i32 { load.i32 x + off }` (no bounds check).
fn load_at() -> Function {
    func(
        "load_at",
        vec![Param::slice("x", Type::I32, false), Param::scalar("off", Type::I64)],
        Some(Type::I32),
        |b, p| {
            let v = b.load(Type::I32, p[0], p[2]);
            b.ret(Some(v));
        },
    )
}

/// `fn store_at(x: mut [i32], off: i64, v: i32) { store x + off, v }`.
fn store_at(mutable: bool) -> Function {
    let params =
        vec![Param::slice("x", Type::I32, mutable), Param::scalar("off", Type::I64), Param::scalar("v", Type::I32)];
    func("store_at", params, None, |b, p| {
        b.store(p[0], p[2], p[3]);
        b.ret(None);
    })
}

#[test]
fn div_by_zero_names_the_function() {
    for op in [Opcode::Sdiv, Opcode::Udiv, Opcode::Srem, Opcode::Urem] {
        let f =
            func("ola", vec![Param::scalar("a", Type::I64), Param::scalar("b", Type::I64)], Some(Type::I64), |b, p| {
                let v = b.binary(op, p[0], p[1]);
                b.ret(Some(v));
            });
        let err = run(f, &mut [Arg::Val(Val::I64(1)), Arg::Val(Val::I64(0))]).unwrap_err();
        assert_eq!(err.to_string(), "trap `div_by_zero` in function `ola`", "{op}");
        assert_eq!(err.trap_code(), Some(TrapCode::DivByZero));
    }
}

#[test]
fn bounds_check_traps_out_of_bounds() {
    let f = func("bc", vec![Param::scalar("i", Type::I64), Param::scalar("n", Type::I64)], Some(Type::I64), |b, p| {
        b.bounds_check(p[0], p[1]);
        b.ret(Some(p[0]));
    });
    let (i, name) = interp(f);
    assert_eq!(call(&i, &name, &[Val::I64(9), Val::I64(10)]), Ok(Some(Val::I64(9))));
    for (idx, len) in [(10, 10), (-1, 10), (0, 0), (i64::MIN, i64::MAX)] {
        let r = call(&i, &name, &[Val::I64(idx), Val::I64(len)]);
        assert_eq!(trap_of(r), TrapCode::OutOfBounds, "{idx} {len}");
    }
}

#[test]
fn loads_outside_every_region_trap() {
    let (i, name) = interp(load_at());
    let data = bytes(&[10i32, 20, 30]);
    let ld = |off: i64| i.call(&name, &mut [Arg::Slice(&data), Arg::Val(Val::I64(off))]);
    assert_eq!(ld(8), Ok(Some(Val::I32(30))));
    // Bytes 1..5 of [10, 0, 0, 0, 20, …]: unaligned loads are fine.
    assert_eq!(ld(1), Ok(Some(Val::I32(20 << 24))));
    assert_eq!(trap_of(ld(12)), TrapCode::OutOfBounds, "one past the end");
    assert_eq!(trap_of(ld(10)), TrapCode::OutOfBounds, "straddles the end");
    assert_eq!(trap_of(ld(-4)), TrapCode::OutOfBounds, "before the start");
    assert_eq!(trap_of(ld(i64::MIN)), TrapCode::OutOfBounds, "far away");
    // An empty slice has no bytes at all.
    assert_eq!(trap_of(i.call(&name, &mut [Arg::Slice(&[]), Arg::Val(Val::I64(0))])), TrapCode::OutOfBounds);
    // A made-up address.
    let f = func("wild", vec![], Some(Type::I32), |b, _| {
        let a = b.iconst(Type::I64, 0x1000);
        let p = b.convert(Opcode::IntToPtr, Type::PTR, a);
        let z = b.iconst(Type::I64, 0);
        let v = b.load(Type::I32, p, z);
        b.ret(Some(v));
    });
    assert_eq!(trap_of(run(f, &mut [])), TrapCode::OutOfBounds);
}

#[test]
fn stores_need_a_writable_region() {
    let (i, name) = interp(store_at(true));
    let mut buf = bytes(&[0i32; 2]);
    let r = i.call(&name, &mut [Arg::SliceMut(&mut buf), Arg::Val(Val::I64(4)), Arg::Val(Val::I32(-1))]);
    assert_eq!(r, Ok(None));
    assert_eq!(buf, bytes(&[0i32, -1]));
    let r = i.call(&name, &mut [Arg::SliceMut(&mut buf), Arg::Val(Val::I64(5)), Arg::Val(Val::I32(7))]);
    assert_eq!(trap_of(r), TrapCode::OutOfBounds, "straddles the end");
    assert_eq!(buf, bytes(&[0i32, -1]), "a trapping store writes nothing");

    // A read-only slice parameter, even when given a mutable slice.
    let (i, name) = interp(store_at(false));
    let r = i.call(&name, &mut [Arg::SliceMut(&mut buf), Arg::Val(Val::I64(0)), Arg::Val(Val::I32(7))]);
    assert_eq!(trap_of(r), TrapCode::OutOfBounds);
    let ro = bytes(&[0i32; 2]);
    let r = i.call(&name, &mut [Arg::Slice(&ro), Arg::Val(Val::I64(0)), Arg::Val(Val::I32(7))]);
    assert_eq!(trap_of(r), TrapCode::OutOfBounds);
    assert_eq!(buf, bytes(&[0i32, -1]));

    // Data objects are read-only.
    let f = func("poke", vec![], None, |b, _| {
        let a = b.data_addr(DataId::from_u32(0));
        let z = b.iconst(Type::I64, 0);
        let v = b.iconst(Type::I32, 1);
        b.store(a, z, v);
        b.ret(None);
    });
    let mut m = module(vec![f]);
    m.add_data(DataObject::from_ints("d", Type::I32, &[5, 6]));
    assert_eq!(trap_of(Interpreter::new_without_verifying(&m).unwrap().call("poke", &mut [])), TrapCode::OutOfBounds);
}

#[test]
fn stack_slots_are_bounded_and_die_with_their_frame() {
    // Slot of 8 bytes: offset 8 is outside it.
    let f = func("slot", vec![Param::scalar("off", Type::I64)], Some(Type::I32), |b, p| {
        let ss = b.func.create_stack_slot(8, 8);
        let _other = b.func.create_stack_slot(8, 8);
        let a = b.stack_addr(ss);
        let v = b.load(Type::I32, a, p[0]);
        b.ret(Some(v));
    });
    let (i, name) = interp(f);
    assert_eq!(call(&i, &name, &[Val::I64(4)]), Ok(Some(Val::I32(0))));
    assert_eq!(trap_of(call(&i, &name, &[Val::I64(6)])), TrapCode::OutOfBounds, "straddles into the next slot");
    // Wholly inside the next slot: another live region, so allowed.
    assert_eq!(call(&i, &name, &[Val::I64(8)]), Ok(Some(Val::I32(0))));
    assert_eq!(trap_of(call(&i, &name, &[Val::I64(14)])), TrapCode::OutOfBounds, "past the last slot");

    // A pointer into a callee's slot is dead once it returns.
    let escape = func("escape", vec![], Some(Type::PTR), |b, _| {
        let ss = b.func.create_stack_slot(4, 4);
        let a = b.stack_addr(ss);
        b.ret(Some(a));
    });
    let main = func("main", vec![], Some(Type::I32), |b, _| {
        let p = b.call(FuncId::from_u32(0), Some(Type::PTR), &[]).unwrap();
        let z = b.iconst(Type::I64, 0);
        let v = b.load(Type::I32, p, z);
        b.ret(Some(v));
    });
    let i = Interpreter::new_without_verifying(&module(vec![escape, main])).unwrap();
    assert_eq!(trap_of(i.call("main", &mut [])), TrapCode::OutOfBounds);
}

#[test]
fn explicit_traps() {
    for code in [TrapCode::Unreachable, TrapCode::User(0), TrapCode::User(65535), TrapCode::DivByZero] {
        let f = func("t", vec![], None, |b, _| b.trap(code));
        assert_eq!(trap_of(run(f, &mut [])), code);
    }
}

/// `fn spin() { loop {} }`.
fn endless() -> Function {
    func("spin", vec![], None, |b, _| {
        let head = b.create_block();
        b.jump(head, &[]);
        b.switch_to_block(head);
        b.jump(head, &[]);
    })
}

/// `fn count(n: i64) -> i64`: a loop of `n` iterations (n back-edges), returning n.
fn count_loop() -> Function {
    func("count", vec![Param::scalar("n", Type::I64)], Some(Type::I64), |b, p| {
        let (head, body, exit) = (b.create_block(), b.create_block(), b.create_block());
        let i = b.append_block_param(head, Type::I64);
        let z = b.iconst(Type::I64, 0);
        b.jump(head, &[z]);
        b.switch_to_block(head);
        let c = b.icmp(IntCC::Slt, i, p[0]);
        b.brif(c, body, &[], exit, &[]);
        b.switch_to_block(body);
        let one = b.iconst(Type::I64, 1);
        let i2 = b.iadd(i, one);
        b.jump(head, &[i2]);
        b.switch_to_block(exit);
        b.ret(Some(i));
    })
}

#[test]
fn fuel_runs_out_on_endless_loops() {
    let m = module(vec![endless(), count_loop()]);
    let i = Interpreter::new_without_verifying(&m).unwrap().with_fuel(1000);
    let err = i.call("spin", &mut []).unwrap_err();
    assert_eq!(err.to_string(), "trap `fuel_exhausted` in function `spin`");
    // Exactly n back-edges for n iterations; fuel is per call.
    assert_eq!(i.call("count", &mut [Arg::Val(Val::I64(1000))]), Ok(Some(Val::I64(1000))));
    assert_eq!(i.call("count", &mut [Arg::Val(Val::I64(1000))]), Ok(Some(Val::I64(1000))));
    assert_eq!(trap_of(i.call("count", &mut [Arg::Val(Val::I64(1001))])), TrapCode::FuelExhausted);
    // Zero fuel still runs straight-line code.
    let i = Interpreter::new_without_verifying(&m).unwrap().with_fuel(0);
    assert_eq!(i.call("count", &mut [Arg::Val(Val::I64(0))]), Ok(Some(Val::I64(0))));
}

#[test]
fn fuel_is_paid_by_back_edges_through_brif_and_by_calls() {
    // do { i += 1 } while i < n: the back-edge is a `brif` edge with a block argument.
    let dowhile = func("dowhile", vec![Param::scalar("n", Type::I64)], Some(Type::I64), |b, p| {
        let (body, exit) = (b.create_block(), b.create_block());
        let i = b.append_block_param(body, Type::I64);
        let z = b.iconst(Type::I64, 0);
        b.jump(body, &[z]);
        b.switch_to_block(body);
        let one = b.iconst(Type::I64, 1);
        let i2 = b.iadd(i, one);
        let c = b.icmp(IntCC::Slt, i2, p[0]);
        b.brif(c, body, &[i2], exit, &[]);
        b.switch_to_block(exit);
        b.ret(Some(i2));
    });
    let leaf = func("leaf", vec![], None, |b, _| b.ret(None));
    let calls3 = func("calls3", vec![], None, |b, _| {
        for _ in 0..3 {
            b.call(FuncId::from_u32(1), None, &[]);
        }
        b.ret(None);
    });
    let m = module(vec![dowhile, leaf, calls3]);
    let i = Interpreter::new_without_verifying(&m).unwrap().with_fuel(9);
    assert_eq!(i.call("dowhile", &mut [Arg::Val(Val::I64(10))]), Ok(Some(Val::I64(10))), "9 back-edges");
    assert_eq!(trap_of(i.call("dowhile", &mut [Arg::Val(Val::I64(11))])), TrapCode::FuelExhausted);
    let i = Interpreter::new_without_verifying(&m).unwrap().with_fuel(3);
    assert_eq!(i.call("calls3", &mut []), Ok(None));
    let i = Interpreter::new_without_verifying(&m).unwrap().with_fuel(2);
    assert_eq!(trap_of(i.call("calls3", &mut [])), TrapCode::FuelExhausted);
}

/// `fn down(n: i64) -> i64 { if n == 0 { 0 } else { 1 + down(n - 1) } }` (function 0).
fn down() -> Function {
    func("down", vec![Param::scalar("n", Type::I64)], Some(Type::I64), |b, p| {
        let (rec, base) = (b.create_block(), b.create_block());
        let z = b.iconst(Type::I64, 0);
        let c = b.icmp(IntCC::Eq, p[0], z);
        b.brif(c, base, &[], rec, &[]);
        b.switch_to_block(base);
        b.ret(Some(z));
        b.switch_to_block(rec);
        let one = b.iconst(Type::I64, 1);
        let n1 = b.isub(p[0], one);
        let r = b.call(FuncId::from_u32(0), Some(Type::I64), &[n1]).unwrap();
        let r1 = b.iadd(r, one);
        b.ret(Some(r1));
    })
}

#[test]
fn stack_overflow_on_unbounded_recursion() {
    let forever = func("forever", vec![], None, |b, _| {
        b.call(FuncId::from_u32(0), None, &[]);
        b.ret(None);
    });
    let err = run(forever, &mut []).unwrap_err();
    assert_eq!(err.to_string(), "trap `stack_overflow` in function `forever`");

    let i = Interpreter::new_without_verifying(&module(vec![down()])).unwrap().with_max_call_depth(5);
    assert_eq!(i.call("down", &mut [Arg::Val(Val::I64(4))]), Ok(Some(Val::I64(4))), "5 frames");
    assert_eq!(trap_of(i.call("down", &mut [Arg::Val(Val::I64(5))])), TrapCode::StackOverflow);
    let i = Interpreter::new_without_verifying(&module(vec![down()])).unwrap().with_max_call_depth(0);
    assert_eq!(trap_of(i.call("down", &mut [Arg::Val(Val::I64(0))])), TrapCode::StackOverflow);
}

#[test]
fn depth_ten_thousand_does_not_touch_the_native_stack() {
    let i = Interpreter::new_without_verifying(&module(vec![down()])).unwrap();
    // A small native stack: if the interpreter recursed on it, 10,000 levels would not fit.
    let r = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let ok = i.call("down", &mut [Arg::Val(Val::I64(9_999))]);
            let over = i.call("down", &mut [Arg::Val(Val::I64(10_000))]);
            (ok, over)
        })
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(r.0, Ok(Some(Val::I64(9_999))), "10,000 frames is the default limit");
    assert_eq!(trap_of(r.1), TrapCode::StackOverflow);
}

#[test]
fn host_errors() {
    let f = func("h", vec![Param::scalar("x", Type::F32)], Some(Type::F32), |b, p| {
        let v = b.call_host(ExternId::from_u32(0), Some(Type::F32), &[p[0]]).unwrap();
        b.ret(Some(v));
    });
    let mut m = module(vec![f]);
    m.add_extern(ExternFunc { name: "expf".into(), params: vec![Type::F32], ret: Some(Type::F32) });
    let arg = || [Arg::Val(Val::F32(1.0))];

    let i = Interpreter::new_without_verifying(&m).unwrap();
    assert_eq!(i.call("h", &mut arg()).unwrap_err().to_string(), "trap `host_error` in function `h`", "unregistered");
    let i = Interpreter::new_without_verifying(&m).unwrap().with_host("expf", |_| Err(TrapCode::HostError));
    assert_eq!(trap_of(i.call("h", &mut arg())), TrapCode::HostError);
    let i = Interpreter::new_without_verifying(&m).unwrap().with_host("expf", |_| Err(TrapCode::User(3)));
    assert_eq!(trap_of(i.call("h", &mut arg())), TrapCode::User(3), "host trap codes pass through");
    let i = Interpreter::new_without_verifying(&m).unwrap().with_host("expf", |_| Ok(Some(Val::F64(1.0))));
    assert_eq!(trap_of(i.call("h", &mut arg())), TrapCode::HostError, "wrong result type");
    let i = Interpreter::new_without_verifying(&m).unwrap().with_host("expf", |_| Ok(None));
    assert_eq!(trap_of(i.call("h", &mut arg())), TrapCode::HostError, "missing result");
    let i = Interpreter::new_without_verifying(&m)
        .unwrap()
        .with_host("other", |_| Ok(None))
        .with_host("expf", |a| Ok(Some(Val::F32(a[0].as_f32().unwrap().exp()))));
    assert_eq!(i.call("h", &mut arg()), Ok(Some(Val::F32(1f32.exp()))));
}

#[test]
fn trap_in_a_callee_names_the_callee() {
    let bad = func("bad", vec![], None, |b, _| b.trap(TrapCode::Unreachable));
    let main = func("main", vec![], Some(Type::I32), |b, _| {
        b.call(FuncId::from_u32(0), None, &[]);
        let v = b.iconst(Type::I32, 1);
        b.ret(Some(v));
    });
    let i = Interpreter::new_without_verifying(&module(vec![bad, main])).unwrap();
    assert_eq!(i.call("main", &mut []).unwrap_err().to_string(), "trap `unreachable` in function `bad`");
}

// ---- call errors ------------------------------------------------------------------------

#[test]
fn unknown_and_local_functions() {
    let mut local = func("local", vec![], None, |b, _| b.ret(None));
    local.linkage = Linkage::Local;
    let i = Interpreter::new_without_verifying(&module(vec![local])).unwrap();
    assert_eq!(i.call("nope", &mut []), Err(InterpError::NoSuchFunction("nope".into())));
    assert_eq!(i.call("local", &mut []), Err(InterpError::NotExported("local".into())));
    assert!(matches!(i.call_id(FuncId::from_u32(7), &mut []), Err(InterpError::NoSuchFunction(_))));
    assert_eq!(i.func_id("local"), Some(FuncId::from_u32(0)));
}

#[test]
fn bad_arguments_name_the_parameter() {
    let params =
        vec![Param::scalar("g", Type::F32), Param::slice("x", Type::F32, false), Param::slice("y", Type::F32, true)];
    let f = func("saxpy", params, None, |b, _| b.ret(None));
    let (i, name) = interp(f);
    let (x, mut y) = (bytes(&[1.0f32]), bytes(&[1.0f32]));
    let msg = |r: Result<Option<Val>, InterpError>| match r {
        Err(InterpError::BadArguments { function, message }) => {
            assert_eq!(function, "saxpy");
            message
        }
        other => panic!("expected BadArguments, got {other:?}"),
    };
    let m = msg(i.call(&name, &mut [Arg::Val(Val::F32(1.0))]));
    assert!(m.contains("expected 3 arguments, got 1"), "{m}");
    let m = msg(i.call(&name, &mut [Arg::Val(Val::F64(1.0)), Arg::Slice(&x), Arg::SliceMut(&mut y)]));
    assert!(m.contains("`g`") && m.contains("f64"), "{m}");
    let m = msg(i.call(&name, &mut [Arg::Slice(&x), Arg::Slice(&x), Arg::SliceMut(&mut y)]));
    assert!(m.contains("`g`") && m.contains("slice"), "{m}");
    let m = msg(i.call(&name, &mut [Arg::Val(Val::F32(1.0)), Arg::Val(Val::F32(1.0)), Arg::SliceMut(&mut y)]));
    assert!(m.contains("`x`"), "{m}");
    let m = msg(i.call(&name, &mut [Arg::Val(Val::F32(1.0)), Arg::Slice(&x), Arg::Slice(&x)]));
    assert!(m.contains("`y`") && m.contains("mutable"), "{m}");
    let odd = [0u8; 6];
    let m = msg(i.call(&name, &mut [Arg::Val(Val::F32(1.0)), Arg::Slice(&odd), Arg::SliceMut(&mut y)]));
    assert!(m.contains("`x`") && m.contains("6 bytes"), "{m}");
    assert_eq!(i.call(&name, &mut [Arg::Val(Val::F32(1.0)), Arg::Slice(&x), Arg::SliceMut(&mut y)]), Ok(None));
}

// ---- IR the decoder refuses ---------------------------------------------------------------

fn invalid(m: &Module) -> String {
    match Interpreter::new_without_verifying(m) {
        Err(e @ (InterpError::InvalidIr { .. } | InterpError::Unsupported { .. })) => e.to_string(),
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("the decoder accepted invalid IR"),
    }
}

/// A function with an entry block and no instructions, to be filled by hand.
fn bare(sig: Signature) -> Function {
    let mut f = Function::new("bad", Linkage::Export, sig);
    let b = f.dfg.make_block();
    f.layout.append_block(b);
    for t in f.sig.abi_params() {
        f.dfg.append_block_param(b, t);
    }
    f
}

fn push(f: &mut Function, data: InstData, ty: Option<Type>) -> Option<strata_ir::Value> {
    let b = f.entry_block().unwrap();
    let i = f.dfg.make_inst(data, ty);
    f.layout.append_inst(i, b);
    f.dfg.inst_result(i)
}

#[test]
fn decoder_rejects_inconsistent_ir() {
    let i32sig = || Signature::new(vec![Param::scalar("a", Type::I32)], Some(Type::I32));
    let one = |f: Function| module(vec![f]);

    // No entry block.
    let f = Function::new("bad", Linkage::Export, Signature::default());
    assert!(invalid(&one(f)).contains("no entry block"));

    // Missing terminator.
    let mut f = bare(i32sig());
    let a = f.params()[0];
    push(&mut f, InstData::Binary { op: Opcode::Iadd, args: [a, a], flags: Default::default() }, Some(Type::I32));
    assert!(invalid(&one(f)).contains("terminator"));

    // Empty block.
    assert!(invalid(&one(bare(Signature::default()))).contains("no terminator"));

    // Terminator in the middle.
    let mut f = bare(Signature::default());
    push(&mut f, InstData::Return { arg: None }, None);
    push(&mut f, InstData::Return { arg: None }, None);
    assert!(invalid(&one(f)).contains("before its end"));

    // Mismatched operand types.
    let mut f = bare(i32sig());
    let a = f.params()[0];
    let c = push(&mut f, InstData::IntConst { imm: 1 }, Some(Type::I64)).unwrap();
    let v =
        push(&mut f, InstData::Binary { op: Opcode::Iadd, args: [a, c], flags: Default::default() }, Some(Type::I32));
    push(&mut f, InstData::Return { arg: v }, None);
    assert!(invalid(&one(f)).contains("iadd"));

    // A value that does not exist, and one from outside the layout.
    let mut f = bare(i32sig());
    push(&mut f, InstData::Return { arg: Some(strata_ir::Value::from_u32(99)) }, None);
    assert!(invalid(&one(f)).contains("v99"));
    let mut f = bare(i32sig());
    let stray = f.dfg.make_inst(InstData::IntConst { imm: 1 }, Some(Type::I32));
    let sv = f.dfg.inst_result(stray);
    push(&mut f, InstData::Return { arg: sv }, None);
    assert!(invalid(&one(f)).contains("not defined"));

    // Branch to a block outside the layout, and with the wrong number of arguments.
    let mut f = bare(Signature::default());
    let nowhere = f.dfg.make_block();
    push(&mut f, InstData::Jump { dest: BlockCall::new(nowhere, vec![]) }, None);
    assert!(invalid(&one(f)).contains("not in the layout"));
    let mut f = bare(Signature::default());
    let target = f.dfg.make_block();
    f.layout.append_block(target);
    f.dfg.append_block_param(target, Type::I32);
    push(&mut f, InstData::Jump { dest: BlockCall::new(target, vec![]) }, None);
    let t = f.dfg.make_inst(InstData::Return { arg: None }, None);
    f.layout.append_inst(t, target);
    assert!(invalid(&one(f)).contains("0 arguments for 1 parameters"));

    // Entry parameters that do not match the signature.
    let mut f = bare(Signature::default());
    let e = f.entry_block().unwrap();
    f.dfg.append_block_param(e, Type::F64);
    push(&mut f, InstData::Return { arg: None }, None);
    assert!(invalid(&one(f)).contains("entry block parameters"));

    // Returning the wrong type; returning nothing from a non-void function.
    let mut f = bare(Signature::new(vec![], Some(Type::I32)));
    let c = push(&mut f, InstData::FloatConst { bits: 0 }, Some(Type::F32));
    push(&mut f, InstData::Return { arg: c }, None);
    assert!(invalid(&one(f)).contains("returns f32"));
    let mut f = bare(Signature::new(vec![], Some(Type::I32)));
    push(&mut f, InstData::Return { arg: None }, None);
    assert!(invalid(&one(f)).contains("returns nothing"));

    // Calls to functions, host functions, data and slots that do not exist.
    let mut f = bare(Signature::default());
    push(&mut f, InstData::Call { func: FuncId::from_u32(5), args: vec![] }, None);
    push(&mut f, InstData::Return { arg: None }, None);
    assert!(invalid(&one(f)).contains("does not exist"));
    let mut f = bare(Signature::default());
    push(&mut f, InstData::CallHost { func: ExternId::from_u32(0), args: vec![] }, None);
    push(&mut f, InstData::Return { arg: None }, None);
    assert!(invalid(&one(f)).contains("does not exist"));
    let mut f = bare(Signature::default());
    push(&mut f, InstData::DataAddr { data: DataId::from_u32(0) }, Some(Type::PTR));
    push(&mut f, InstData::Return { arg: None }, None);
    assert!(invalid(&one(f)).contains("does not exist"));
    let mut f = bare(Signature::default());
    push(&mut f, InstData::StackAddr { slot: strata_ir::StackSlot::from_u32(0) }, Some(Type::PTR));
    push(&mut f, InstData::Return { arg: None }, None);
    assert!(invalid(&one(f)).contains("does not exist"));

    // A call with the wrong number of arguments.
    let callee = func("callee", vec![Param::scalar("x", Type::I32)], None, |b, _| b.ret(None));
    let mut f = bare(Signature::default());
    push(&mut f, InstData::Call { func: FuncId::from_u32(0), args: vec![] }, None);
    push(&mut f, InstData::Return { arg: None }, None);
    assert!(invalid(&module(vec![callee, f])).contains("passes 0 arguments"));

    // Lane index out of range; loading a bool.
    let mut f = bare(Signature::new(vec![Param::scalar("v", Type::I32X4)], None));
    let v = f.params()[0];
    push(&mut f, InstData::ExtractLane { arg: v, lane: 4 }, Some(Type::I32));
    push(&mut f, InstData::Return { arg: None }, None);
    assert!(invalid(&one(f)).contains("extractlane"));
    let mut f = bare(Signature::new(vec![Param::slice("x", Type::I8, false)], None));
    let (p, n) = (f.params()[0], f.params()[1]);
    push(&mut f, InstData::Load { args: [p, n] }, Some(Type::BOOL));
    push(&mut f, InstData::Return { arg: None }, None);
    assert!(invalid(&one(f)).contains("no memory form"));

    // Unsupported: vectors wider than 512 bits, over-aligned stack slots.
    let wide: Type = "i64x16".parse().unwrap();
    let mut f = bare(Signature::default());
    push(&mut f, InstData::IntConst { imm: 0 }, Some(wide));
    push(&mut f, InstData::Return { arg: None }, None);
    assert!(invalid(&one(f)).contains("wider than 512 bits"));
    let mut f = bare(Signature::default());
    f.create_stack_slot(4, 3);
    push(&mut f, InstData::Return { arg: None }, None);
    assert!(invalid(&one(f)).contains("power of two"));

    // Slices of bool.
    let mut f = bare(Signature::new(vec![Param::slice("b", Type::BOOL, false)], None));
    push(&mut f, InstData::Return { arg: None }, None);
    assert!(invalid(&one(f)).contains("no memory form"));
}

#[test]
fn call_results_and_host_signatures_are_checked() {
    let mut m = Module::new();
    m.add_extern(ExternFunc { name: "h".into(), params: vec![Type::I32], ret: None });
    let mut f = bare(Signature::default());
    let c = push(&mut f, InstData::FloatConst { bits: 0 }, Some(Type::F32)).unwrap();
    push(&mut f, InstData::CallHost { func: ExternId::from_u32(0), args: vec![c] }, None);
    push(&mut f, InstData::Return { arg: None }, None);
    m.add_function(f);
    assert!(invalid(&m).contains("host function `h`"));
}

#[test]
fn fuel_survives_loop_rotation_through_jump_chains() {
    // Layout: entry, head, latch, body, exit.
    //   entry: *s = n; br head
    //   head:  brif go, body, exit         (a loop header starting with a branch)
    //   latch: br head                     (back-edge: rotated into a copy of head's brif)
    //   body:  *s -= 1; brif *s == 0, exit, latch   (latch is earlier: a back-edge too)
    // Each iteration but the last takes two back-edges. The `body -> latch` edge jumps to
    // the bare `br head`; it must not be rotated into latch's copy, or it would skip fuel.
    let f =
        func("chain", vec![Param::scalar("n", Type::I64), Param::scalar("go", Type::BOOL)], Some(Type::I64), |b, p| {
            let ss = b.func.create_stack_slot(8, 8);
            let (head, latch, body, exit) = (b.create_block(), b.create_block(), b.create_block(), b.create_block());
            let a = b.stack_addr(ss);
            let z = b.iconst(Type::I64, 0);
            b.store(a, z, p[0]);
            b.jump(head, &[]);
            b.switch_to_block(head);
            b.brif(p[1], body, &[], exit, &[]);
            b.switch_to_block(latch);
            b.jump(head, &[]);
            b.switch_to_block(body);
            let a = b.stack_addr(ss);
            let v = b.load(Type::I64, a, z);
            let one = b.iconst(Type::I64, 1);
            let v2 = b.isub(v, one);
            b.store(a, z, v2);
            let done = b.icmp(IntCC::Eq, v2, z);
            b.brif(done, exit, &[], latch, &[]);
            b.switch_to_block(exit);
            b.ret(Some(p[0]));
        });
    let args = |n| [Arg::Val(Val::I64(n)), Arg::Val(Val::Bool(true))];
    let i = Interpreter::new_without_verifying(&module(vec![f])).unwrap().with_fuel(2 * 9);
    assert_eq!(i.call("chain", &mut args(10)), Ok(Some(Val::I64(10))), "9 iterations back, 2 fuel each");
    assert_eq!(trap_of(i.call("chain", &mut args(11))), TrapCode::FuelExhausted);
}
