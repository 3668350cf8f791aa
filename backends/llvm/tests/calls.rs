//! Calls between IR functions (recursion, mutual recursion, slices and bools across
//! calls), host calls through the context's table, the direct entry points, and compiled
//! modules used and compiled on several threads at once.

mod common;
use common::*;
use strata_ir::{
    ExternFunc, FuncId, Function, FunctionBuilder, IntCC, Linkage, Module, Opcode, Param, Signature, Type, VmContext,
};
use strata_llvm::{compile, LlvmOptions};

/// `fib(n) = n < 2 ? n : fib(n-1) + fib(n-2)` as function `id` of its module.
fn fib(id: FuncId, linkage: Linkage) -> Function {
    let sig = Signature::new(vec![Param::scalar("n", Type::I64)], Some(Type::I64));
    let mut f = Function::new("fib", linkage, sig);
    let mut b = FunctionBuilder::new(&mut f);
    let p = b.create_entry_block();
    let two = b.iconst(Type::I64, 2);
    let small = b.icmp(IntCC::Slt, p[0], two);
    let (base, rec) = (b.create_block(), b.create_block());
    b.brif(small, base, &[], rec, &[]);
    b.switch_to_block(base);
    b.ret(Some(p[0]));
    b.switch_to_block(rec);
    let one = b.iconst(Type::I64, 1);
    let n1 = b.isub(p[0], one);
    let n2 = b.isub(p[0], two);
    let a = b.call(id, Some(Type::I64), &[n1]).unwrap_or(n1);
    let c = b.call(id, Some(Type::I64), &[n2]).unwrap_or(n2);
    let s = b.iadd(a, c);
    b.ret(Some(s));
    b.seal_all_blocks();
    b.finalize().expect("fib builds");
    f
}

fn fib_ref(n: i64) -> i64 {
    if n < 2 {
        n
    } else {
        fib_ref(n - 1) + fib_ref(n - 2)
    }
}

/// is_even/is_odd by mutual recursion (local), `parity` exported, taking and returning bools.
fn parity_module() -> Module {
    let mut m = Module::new();
    let even = FuncId::from_u32(0);
    let odd = FuncId::from_u32(1);
    for (name, other, base) in [("is_even", odd, true), ("is_odd", even, false)] {
        let sig = Signature::new(vec![Param::scalar("n", Type::I64)], Some(Type::BOOL));
        let mut f = Function::new(name, Linkage::Local, sig);
        let mut b = FunctionBuilder::new(&mut f);
        let p = b.create_entry_block();
        let zero = b.iconst(Type::I64, 0);
        let done = b.icmp(IntCC::Eq, p[0], zero);
        let (t, e) = (b.create_block(), b.create_block());
        b.brif(done, t, &[], e, &[]);
        b.switch_to_block(t);
        let r = b.bconst(base);
        b.ret(Some(r));
        b.switch_to_block(e);
        let one = b.iconst(Type::I64, 1);
        let n1 = b.isub(p[0], one);
        let r = b.call(other, Some(Type::BOOL), &[n1]).unwrap_or(done);
        b.ret(Some(r));
        b.seal_all_blocks();
        b.finalize().expect("builds");
        m.add_function(f);
    }
    // parity(n, flip: bool) -> bool = is_even(n) xor flip
    m.add_function(function(
        "parity",
        vec![Param::scalar("n", Type::I64), Param::scalar("flip", Type::BOOL)],
        Some(Type::BOOL),
        |b, p| {
            let e = b.call(even, Some(Type::BOOL), &[p[0]]).unwrap_or(p[1]);
            let r = b.binary(Opcode::Bxor, e, p[1]);
            b.ret(Some(r));
        },
    ));
    m
}

#[test]
fn recursion() {
    let mut m = Module::new();
    m.add_function(fib(FuncId::from_u32(0), Linkage::Export));
    for cm in compile_levels(&m) {
        let f = func(&cm, "fib");
        for n in [0i64, 1, 2, 10, 20, -5] {
            assert_eq!(call_ok(&f, &[n as u64]) as i64, fib_ref(n), "fib({n})");
        }
    }
}

#[test]
fn mutual_recursion_with_bools_and_local_functions() {
    let m = parity_module();
    for cm in compile_levels(&m) {
        assert!(cm.function("is_even").is_none(), "local functions are not exported");
        let f = func(&cm, "parity");
        for n in 0..40u64 {
            for flip in 0..2u64 {
                assert_eq!(call_ok(&f, &[n, flip]), ((n % 2 == 0) as u64) ^ flip, "parity({n}, {flip})");
            }
        }
    }
}

#[test]
fn calls_pass_slices() {
    // total(x) = sum(x[0..len/2]) + sum(x[len/2..len]) through a local `sum(x: [i32]) -> i32`.
    let mut m = Module::new();
    let sum = m.add_function({
        let mut f = function("sum", vec![Param::slice("x", Type::I32, false)], Some(Type::I32), |b, p| {
            let acc = b.declare_var(Type::I32);
            let z = b.iconst(Type::I32, 0);
            b.def_var(acc, z);
            let i = b.declare_var(Type::I64);
            let zi = b.iconst(Type::I64, 0);
            b.def_var(i, zi);
            let (h, body, exit) = (b.create_block(), b.create_block(), b.create_block());
            b.jump(h, &[]);
            b.switch_to_block(h);
            let iv = b.use_var(i);
            let c = b.icmp(IntCC::Ult, iv, p[1]);
            b.brif(c, body, &[], exit, &[]);
            b.switch_to_block(body);
            let four = b.iconst(Type::I64, 4);
            let off = b.imul(iv, four);
            let v = b.load(Type::I32, p[0], off);
            let a = b.use_var(acc);
            let s = b.iadd(a, v);
            b.def_var(acc, s);
            let one = b.iconst(Type::I64, 1);
            let n = b.iadd(iv, one);
            b.def_var(i, n);
            b.jump(h, &[]);
            b.switch_to_block(exit);
            let a = b.use_var(acc);
            b.ret(Some(a));
        });
        f.linkage = Linkage::Local;
        f
    });
    m.add_function(function("total", vec![Param::slice("x", Type::I32, false)], Some(Type::I32), |b, p| {
        let two = b.iconst(Type::I64, 2);
        let half = b.binary(Opcode::Udiv, p[1], two);
        let a = b.call(sum, Some(Type::I32), &[p[0], half]).unwrap_or(half);
        let rest = b.isub(p[1], half);
        let four = b.iconst(Type::I64, 4);
        let off = b.imul(half, four);
        let q = b.binary(Opcode::PtrAdd, p[0], off);
        let c = b.call(sum, Some(Type::I32), &[q, rest]).unwrap_or(rest);
        let s = b.iadd(a, c);
        b.ret(Some(s));
    }));
    for cm in compile_levels(&m) {
        let x: Vec<i32> = (1..=11).collect();
        assert_eq!(call_ok(&func(&cm, "total"), &slice_args(&x)) as i32, 66);
        assert_eq!(call_ok(&func(&cm, "total"), &[8, 0]) as i32, 0);
    }
}

extern "C" fn host_scale(x: f32, k: i32, ctx: *mut VmContext) -> f32 {
    // SAFETY: compiled code passes the caller's live context; user_data is set by the test.
    let factor = unsafe { *((*ctx).user_data as *const f32) };
    x * k as f32 * factor
}

extern "C" fn host_is_big(x: i64, _ctx: *mut VmContext) -> u8 {
    (x > 100) as u8
}

extern "C" fn host_flag(flag: u8, _ctx: *mut VmContext) -> i32 {
    flag as i32 * 7
}

#[test]
fn host_calls_through_the_context_table() {
    let mut m = Module::new();
    let scale =
        m.add_extern(ExternFunc { name: "scale".into(), params: vec![Type::F32, Type::I32], ret: Some(Type::F32) });
    let big = m.add_extern(ExternFunc { name: "is_big".into(), params: vec![Type::I64], ret: Some(Type::BOOL) });
    let flag = m.add_extern(ExternFunc { name: "flag".into(), params: vec![Type::BOOL], ret: Some(Type::I32) });
    m.add_function(simple("f", &[Type::F32, Type::I64], Type::F32, |b, p| {
        let three = b.iconst(Type::I32, 3);
        let s = b.call_host(scale, Some(Type::F32), &[p[0], three]).unwrap_or(p[0]);
        let isbig = b.call_host(big, Some(Type::BOOL), &[p[1]]).unwrap_or(p[1]);
        let fl = b.call_host(flag, Some(Type::I32), &[isbig]).unwrap_or(three);
        let ff = b.convert(Opcode::Sitofp, Type::F32, fl);
        b.fadd(s, ff)
    }));
    let table: [*const u8; 3] = [host_scale as *const u8, host_is_big as *const u8, host_flag as *const u8];
    let factor = 0.5f32;
    for cm in compile_levels(&m) {
        let f = func(&cm, "f");
        for (x, n, want) in [(2.0f32, 5i64, 3.0f32), (2.0, 500, 10.0), (-1.0, 101, 5.5)] {
            let mut ctx = VmContext {
                host_table: table.as_ptr(),
                host_count: 3,
                user_data: &factor as *const f32 as *mut u8,
                ..VmContext::default()
            };
            // SAFETY: the table holds functions matching the declarations.
            let r = unsafe { f.call(&[f32_slot(x), n as u64], &mut ctx) };
            assert_eq!(r.map(|v| v.map(slot_f32)), Ok(Some(want)));
        }
    }
}

#[test]
fn direct_entry_point_follows_the_c_abi() {
    let mut m = Module::new();
    m.add_function(function(
        "dot",
        vec![
            Param::slice("a", Type::F64, false),
            Param::slice("b", Type::F64, false),
            Param::scalar("neg", Type::BOOL),
        ],
        Some(Type::F64),
        |b, p| {
            let zero = b.iconst(Type::I64, 0);
            let eight = b.iconst(Type::I64, 8);
            let a0 = b.load(Type::F64, p[0], zero);
            let b0 = b.load(Type::F64, p[2], zero);
            let a1 = b.load(Type::F64, p[0], eight);
            let b1 = b.load(Type::F64, p[2], eight);
            let x = b.fmul(a0, b0);
            let y = b.fmul(a1, b1);
            let s = b.fadd(x, y);
            let n = b.unary(Opcode::Fneg, s);
            let r = b.select(p[4], n, s);
            b.ret(Some(r));
        },
    ));
    for cm in compile_levels(&m) {
        let f = func(&cm, "dot");
        type Dot = unsafe extern "C" fn(*const f64, i64, *const f64, i64, bool, *mut VmContext) -> f64;
        // SAFETY: `dot`'s ABI: two slices, a bool (as i8 0/1, which Rust's bool is), the context.
        let entry: Dot = unsafe { std::mem::transmute::<*const u8, Dot>(f.entry()) };
        let (a, b) = ([1.0, 2.0], [3.0, 4.0]);
        let mut ctx = VmContext::default();
        // SAFETY: live slices and context.
        assert_eq!(unsafe { entry(a.as_ptr(), 2, b.as_ptr(), 2, false, &mut ctx) }, 11.0);
        assert_eq!(unsafe { entry(a.as_ptr(), 2, b.as_ptr(), 2, true, &mut ctx) }, -11.0);
        assert_eq!(f.signature().to_string(), "(a: [f64], b: [f64], neg: bool) -> f64");
    }
}

#[test]
fn compiled_modules_are_shared_between_threads() {
    let mut m = Module::new();
    m.add_function(fib(FuncId::from_u32(0), Linkage::Export));
    let cm = std::sync::Arc::new(compile(&m, &LlvmOptions::default()).expect("compiles"));
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let cm = cm.clone();
            std::thread::spawn(move || {
                let f = func(&cm, "fib");
                for i in 0..200u64 {
                    let n = (i + t) % 20;
                    assert_eq!(call_ok(&f, &[n]) as i64, fib_ref(n as i64));
                }
                f
            })
        })
        .collect();
    let funcs: Vec<_> = handles.into_iter().map(|h| h.join().expect("thread ran")).collect();
    // The functions keep the code alive after the module is dropped.
    drop(cm);
    for f in funcs {
        assert_eq!(call_ok(&f, &[15]), 610);
    }
}

#[test]
fn compiling_on_several_threads_at_once() {
    let handles: Vec<_> = (0..3)
        .map(|t| {
            std::thread::spawn(move || {
                let mut m = Module::new();
                m.add_function(fib(FuncId::from_u32(0), Linkage::Export));
                let opts = LlvmOptions::with_opt_level(t as u8 + 1);
                let cm = compile(&m, &opts).expect("compiles");
                call_ok(&func(&cm, "fib"), &[12])
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().expect("thread ran"), 144);
    }
}
