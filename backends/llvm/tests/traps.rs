//! Every trap kind, reported through the context: `div_by_zero`, `out_of_bounds`,
//! `unreachable`, `user<N>`, `fuel_exhausted` (with the fuel option), `stack_overflow` (with
//! the depth limit), `host_error` (set by a host function, or a missing table entry), and
//! traps in callees ending the whole call without running the caller's remaining code.

mod common;
use common::suite::*;
use common::*;
use strata_ir::{HostCallFn, TrapCode, Type, VmContext};
use strata_llvm::{compile, emit, CallError, EmitKind, LlvmOptions};

#[test]
fn explicit_traps_and_division() {
    let m = traps_module();
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
    let m = callee_trap_module();
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

/// A leaf function (no calls) takes no depth: it traps `stack_overflow` only when none is
/// left, and its code neither stores the counter nor probes the stack pointer; a recursive
/// function still takes one per frame (`depth_limit_traps_stack_overflow`).
#[test]
fn leaf_functions_check_depth_but_take_none() {
    let m = module(vec![simple("sq", &[Type::I64], Type::I64, |b, p| b.imul(p[0], p[0]))]);
    for cm in compile_levels(&m) {
        let f = func(&cm, "sq");
        let mut ctx = VmContext::new(1);
        // SAFETY: no slices, no host functions.
        assert_eq!(unsafe { f.call(&[7], &mut ctx) }, Ok(Some(49)));
        assert_eq!(ctx.depth_remaining, 1);
        let mut ctx = VmContext::new(0);
        assert_eq!(unsafe { f.call(&[7], &mut ctx) }, Err(CallError::Trap(TrapCode::StackOverflow)));
    }
    let ll = |m: &strata_ir::Module| {
        let text = emit(m, &LlvmOptions::default(), EmitKind::LlvmIrUnoptimized, None).expect("emits");
        String::from_utf8(text).expect("utf-8")
    };
    // Trap codes are stored as constants; the depth counter is the only `i32` value stored.
    let leaf = ll(&m);
    assert!(leaf.contains("load i32"), "{leaf}");
    assert!(!leaf.contains("store i32 %") && !leaf.contains("sp.probe"), "{leaf}");
    let rec = ll(&down_module());
    assert!(rec.contains("store i32 %") && rec.contains("sp.probe"), "{rec}");
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

/// `h(x: i32) -> i32` as a `HostCallFn`: `2x`, or `host_error` for negative `x`.
unsafe extern "C" fn failing_host(ctx: *mut VmContext, _: u64, args: *const u64, ret: *mut u64) {
    // SAFETY: compiled code passes the caller's live context, one argument slot and a
    // result slot.
    unsafe {
        let x = *args as i32;
        if x < 0 {
            (*ctx).trap_code = TrapCode::HostError.to_u32();
            return;
        }
        *ret = (x * 2) as u32 as u64;
    }
}

#[test]
fn host_errors() {
    let m = host_error_module();
    let table = [failing_host as HostCallFn as *const u8];
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
