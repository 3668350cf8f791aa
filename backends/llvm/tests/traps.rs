//! Every trap kind, reported through the context: `div_by_zero`, `out_of_bounds`,
//! `unreachable`, `user<N>`, `fuel_exhausted` (with the fuel option), `stack_overflow` (with
//! the depth limit), `host_error` (set by a host function, or a missing table entry), and
//! traps in callees ending the whole call without running the caller's remaining code.

mod common;
use common::*;
use strata_ir::{
    ExternFunc, FuncId, Function, FunctionBuilder, IntCC, Linkage, Module, Opcode, Param, Signature, TrapCode, Type,
    VmContext,
};
use strata_llvm::{compile, CallError, LlvmOptions};

fn trap_fn(name: &str, code: TrapCode) -> Function {
    function(name, vec![], Some(Type::I32), |b, _| b.trap(code))
}

#[test]
fn explicit_traps_and_division() {
    let m = module(vec![
        trap_fn("unreachable", TrapCode::Unreachable),
        trap_fn("user0", TrapCode::User(0)),
        trap_fn("user65535", TrapCode::User(65535)),
        trap_fn("oob", TrapCode::OutOfBounds),
        simple("sdiv", &[Type::I32, Type::I32], Type::I32, |b, p| b.binary(Opcode::Sdiv, p[0], p[1])),
        simple("urem", &[Type::I64, Type::I64], Type::I64, |b, p| b.binary(Opcode::Urem, p[0], p[1])),
        simple("const_div", &[Type::I32], Type::I32, |b, p| {
            let z = b.iconst(Type::I32, 0);
            b.binary(Opcode::Udiv, p[0], z)
        }),
    ]);
    for cm in compile_levels(&m) {
        for (name, code) in [
            ("unreachable", TrapCode::Unreachable),
            ("user0", TrapCode::User(0)),
            ("user65535", TrapCode::User(65535)),
            ("oob", TrapCode::OutOfBounds),
        ] {
            assert_eq!(call(&func(&cm, name), &[]), Err(CallError::Trap(code)));
        }
        assert_eq!(call(&func(&cm, "sdiv"), &[7, 0]), Err(CallError::Trap(TrapCode::DivByZero)));
        assert_eq!(
            call(&func(&cm, "sdiv"), &[i32::MIN as u32 as u64, u32::MAX as u64]).map(|v| v.map(|x| x as u32)),
            Ok(Some(i32::MIN as u32))
        );
        assert_eq!(call(&func(&cm, "urem"), &[7, 0]), Err(CallError::Trap(TrapCode::DivByZero)));
        assert_eq!(call(&func(&cm, "const_div"), &[7]), Err(CallError::Trap(TrapCode::DivByZero)));
    }
}

/// `outer(out: mut [i64], d: i64)`: out[0] = 1; out[1] = inner(d); out[2] = 3, where
/// `inner(d) = 100 / d`, so a zero `d` traps in the callee and `out[1..]` stay untouched.
#[test]
fn trap_in_callee_ends_the_whole_call() {
    let mut m = Module::new();
    let inner = m.add_function({
        let mut f = simple("inner", &[Type::I64], Type::I64, |b, p| {
            let h = b.iconst(Type::I64, 100);
            b.binary(Opcode::Sdiv, h, p[0])
        });
        f.linkage = Linkage::Local;
        f
    });
    m.add_function(function(
        "outer",
        vec![Param::slice("out", Type::I64, true), Param::scalar("d", Type::I64)],
        None,
        |b, p| {
            for (k, v) in [(0i64, None), (1, Some(())), (2, None)] {
                let off = b.iconst(Type::I64, 8 * k);
                let val = match v {
                    Some(()) => b.call(inner, Some(Type::I64), &[p[2]]).unwrap_or(off),
                    None => b.iconst(Type::I64, k + 1),
                };
                b.store(p[0], off, val);
            }
            b.ret(None);
        },
    ));
    for cm in compile_levels(&m) {
        let f = func(&cm, "outer");
        let mut out = [0i64; 3];
        assert_eq!(call(&f, &[out.as_mut_ptr() as u64, 3, 4]), Ok(None));
        assert_eq!(out, [1, 25, 3]);
        let mut out = [0i64; 3];
        assert_eq!(call(&f, &[out.as_mut_ptr() as u64, 3, 0]), Err(CallError::Trap(TrapCode::DivByZero)));
        assert_eq!(out, [1, 0, 0]);
    }
}

/// `spin(n)`: a loop of `n` iterations, each calling `tick` (a local function).
fn spin_module() -> Module {
    let mut m = Module::new();
    let tick = m.add_function({
        let mut f = simple("tick", &[Type::I64], Type::I64, |b, p| {
            let one = b.iconst(Type::I64, 1);
            b.iadd(p[0], one)
        });
        f.linkage = Linkage::Local;
        f
    });
    m.add_function(function("spin", vec![Param::scalar("n", Type::I64)], Some(Type::I64), |b, p| {
        let i = b.declare_var(Type::I64);
        let z = b.iconst(Type::I64, 0);
        b.def_var(i, z);
        let (h, body, exit) = (b.create_block(), b.create_block(), b.create_block());
        b.jump(h, &[]);
        b.switch_to_block(h);
        let iv = b.use_var(i);
        let c = b.icmp(IntCC::Slt, iv, p[0]);
        b.brif(c, body, &[], exit, &[]);
        b.switch_to_block(body);
        let next = b.call(tick, Some(Type::I64), &[iv]).unwrap_or(iv);
        b.def_var(i, next);
        b.jump(h, &[]);
        b.switch_to_block(exit);
        let iv = b.use_var(i);
        b.ret(Some(iv));
    }));
    m
}

#[test]
fn fuel_counts_back_edges_and_calls() {
    let m = spin_module();
    for level in [0, 3] {
        let opts = LlvmOptions { fuel: true, ..LlvmOptions::with_opt_level(level) };
        let cm = compile(&m, &opts).expect("compiles");
        let f = func(&cm, "spin");
        // n iterations: n calls and n back-edges.
        let mut ctx = VmContext { fuel: 1000, ..VmContext::default() };
        // SAFETY: no slices, no host functions.
        assert_eq!(unsafe { f.call(&[100], &mut ctx) }, Ok(Some(100)));
        assert_eq!(ctx.fuel, 800, "O{level}");
        // 2n - 1 units are not enough for n = 500 …
        ctx.fuel = 999;
        assert_eq!(unsafe { f.call(&[500], &mut ctx) }, Err(CallError::Trap(TrapCode::FuelExhausted)));
        // … but exactly 2n are.
        ctx.fuel = 1000;
        assert_eq!(unsafe { f.call(&[500], &mut ctx) }, Ok(Some(500)));
        assert_eq!(ctx.fuel, 0);
        // An endless loop stops.
        ctx.fuel = 10_000;
        assert_eq!(unsafe { f.call(&[i64::MAX as u64], &mut ctx) }, Err(CallError::Trap(TrapCode::FuelExhausted)));
    }
    // Without the option, fuel is not touched.
    let cm = compile(&m, &LlvmOptions::default()).expect("compiles");
    let mut ctx = VmContext { fuel: 5, ..VmContext::default() };
    assert_eq!(unsafe { func(&cm, "spin").call(&[100], &mut ctx) }, Ok(Some(100)));
    assert_eq!(ctx.fuel, 5);
}

/// `down(n) = n == 0 ? 0 : down(n - 1) + 1`.
fn down_module() -> Module {
    let sig = Signature::new(vec![Param::scalar("n", Type::I64)], Some(Type::I64));
    let mut f = Function::new("down", Linkage::Export, sig);
    let mut b = FunctionBuilder::new(&mut f);
    let p = b.create_entry_block();
    let z = b.iconst(Type::I64, 0);
    let done = b.icmp(IntCC::Eq, p[0], z);
    let (t, e) = (b.create_block(), b.create_block());
    b.brif(done, t, &[], e, &[]);
    b.switch_to_block(t);
    b.ret(Some(z));
    b.switch_to_block(e);
    let one = b.iconst(Type::I64, 1);
    let n1 = b.isub(p[0], one);
    let r = b.call(FuncId::from_u32(0), Some(Type::I64), &[n1]).unwrap_or(n1);
    let r1 = b.iadd(r, one);
    b.ret(Some(r1));
    b.seal_all_blocks();
    b.finalize().expect("builds");
    let mut m = Module::new();
    m.add_function(f);
    m
}

#[test]
fn depth_limit_traps_stack_overflow() {
    let m = down_module();
    for level in [0, 3] {
        let cm = compile(&m, &LlvmOptions::with_opt_level(level)).expect("compiles");
        let f = func(&cm, "down");
        // down(n) runs n + 1 frames.
        let mut ctx = VmContext::new(10);
        // SAFETY: no slices, no host functions.
        assert_eq!(unsafe { f.call(&[9], &mut ctx) }, Ok(Some(9)));
        assert_eq!(ctx.depth_remaining, 10, "restored on return");
        assert_eq!(unsafe { f.call(&[10], &mut ctx) }, Err(CallError::Trap(TrapCode::StackOverflow)));
        assert_eq!(ctx.depth_remaining, 10, "restored after a trap");
        let mut ctx = VmContext::default();
        assert_eq!(unsafe { f.call(&[1_000_000], &mut ctx) }, Err(CallError::Trap(TrapCode::StackOverflow)));
    }
}

#[test]
fn stack_overflow_is_checked_before_fuel() {
    let m = down_module();
    for level in [0, 3] {
        let cm = compile(&m, &LlvmOptions { fuel: true, ..LlvmOptions::with_opt_level(level) }).expect("compiles");
        let f = func(&cm, "down");
        // Three frames and two units of fuel: the third call runs out of both.
        let mut ctx = VmContext { fuel: 2, ..VmContext::new(3) };
        // SAFETY: no slices, no host functions.
        assert_eq!(unsafe { f.call(&[5], &mut ctx) }, Err(CallError::Trap(TrapCode::StackOverflow)));
        let mut ctx = VmContext { fuel: 1, ..VmContext::new(3) };
        assert_eq!(unsafe { f.call(&[5], &mut ctx) }, Err(CallError::Trap(TrapCode::FuelExhausted)));
        let mut ctx = VmContext { fuel: 2, ..VmContext::new(3) };
        assert_eq!(unsafe { f.call(&[2], &mut ctx) }, Ok(Some(2)));
    }
}

extern "C" fn failing_host(x: i32, ctx: *mut VmContext) -> i32 {
    if x < 0 {
        // SAFETY: compiled code passes the caller's live context.
        unsafe { (*ctx).trap_code = TrapCode::HostError.to_u32() };
        return 0;
    }
    x * 2
}

#[test]
fn host_errors() {
    let mut m = Module::new();
    let h = m.add_extern(ExternFunc { name: "h".into(), params: vec![Type::I32], ret: Some(Type::I32) });
    // out[0] = h(x); out[1] = 1 (not reached when h fails).
    m.add_function(function(
        "f",
        vec![Param::slice("out", Type::I32, true), Param::scalar("x", Type::I32)],
        None,
        |b, p| {
            let r = b.call_host(h, Some(Type::I32), &[p[2]]).unwrap_or(p[2]);
            let z = b.iconst(Type::I64, 0);
            b.store(p[0], z, r);
            let four = b.iconst(Type::I64, 4);
            let one = b.iconst(Type::I32, 1);
            b.store(p[0], four, one);
            b.ret(None);
        },
    ));
    let table = [failing_host as *const u8];
    let null_table = [std::ptr::null::<u8>()];
    for cm in compile_levels(&m) {
        let f = func(&cm, "f");
        let run = |x: i32, tbl: *const *const u8, count: u64| {
            let mut out = [0i32; 2];
            let mut ctx = VmContext { host_table: tbl, host_count: count, ..VmContext::default() };
            // SAFETY: live slice; the table holds a matching host function (or nothing).
            let r = unsafe { f.call(&[out.as_mut_ptr() as u64, 2, x as u32 as u64], &mut ctx) };
            (r, out)
        };
        assert_eq!(run(21, table.as_ptr(), 1), (Ok(None), [42, 1]));
        assert_eq!(run(-1, table.as_ptr(), 1), (Err(CallError::Trap(TrapCode::HostError)), [0, 0]));
        // No table, or a null entry: host_error instead of a crash.
        assert_eq!(run(21, std::ptr::null(), 0), (Err(CallError::Trap(TrapCode::HostError)), [0, 0]));
        assert_eq!(run(21, null_table.as_ptr(), 1), (Err(CallError::Trap(TrapCode::HostError)), [0, 0]));
    }
}

#[test]
fn arity_is_checked_by_the_convenience_call() {
    let m = module(vec![trap_fn("t", TrapCode::User(3))]);
    let cm = compile(&m, &LlvmOptions::with_opt_level(1)).expect("compiles");
    assert_eq!(call(&func(&cm, "t"), &[1]), Err(CallError::Arity { expected: 0, got: 1 }));
}
