//! Calls between IR functions (recursion, mutual recursion, slices and bools across
//! calls), host calls through the context's table, the direct entry points, and compiled
//! modules used and compiled on several threads at once.

mod common;
use common::suite::*;
use common::*;
use strata_ir::{FuncId, HostCallFn, Linkage, Module, VmContext};
use strata_llvm::{compile, LlvmOptions};

#[test]
fn recursion() {
    let m = fib_module();
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
    let m = slices_across_calls();
    for cm in compile_levels(&m) {
        let x: Vec<i32> = (1..=11).collect();
        assert_eq!(call_ok(&func(&cm, "total"), &slice_args(&x)) as i32, 66);
        assert_eq!(call_ok(&func(&cm, "total"), &[8, 0]) as i32, 0);
    }
}

// The host functions as `HostCallFn`s. SAFETY (all three): compiled code passes the
// caller's live context, one slot per declared parameter and a result slot; user_data is
// set by the test.

/// `scale(x: f32, k: i32) -> f32`.
unsafe extern "C" fn host_scale(ctx: *mut VmContext, index: u64, args: *const u64, ret: *mut u64) {
    assert_eq!(index, 0, "the extern's index is passed");
    unsafe {
        let factor = *((*ctx).user_data as *const f32);
        let (x, k) = (f32::from_bits(*args as u32), *args.add(1) as i32);
        *ret = u64::from((x * k as f32 * factor).to_bits());
    }
}

/// `is_big(x: i64) -> bool`.
unsafe extern "C" fn host_is_big(_ctx: *mut VmContext, _: u64, args: *const u64, ret: *mut u64) {
    unsafe { *ret = u64::from((*args as i64) > 100) };
}

/// `flag(b: bool) -> i32`.
unsafe extern "C" fn host_flag(_ctx: *mut VmContext, _: u64, args: *const u64, ret: *mut u64) {
    unsafe { *ret = (*args as u8 as i32 * 7) as u32 as u64 };
}

#[test]
fn host_calls_through_the_context_table() {
    let m = host_module();
    let table: [*const u8; 3] = [
        host_scale as HostCallFn as *const u8,
        host_is_big as HostCallFn as *const u8,
        host_flag as HostCallFn as *const u8,
    ];
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
    let m = dot_module();
    for cm in compile_levels(&m) {
        let f = func(&cm, "dot");
        type Dot = unsafe extern "C" fn(*const f64, i64, *const f64, i64, bool, *mut VmContext) -> f64;
        // SAFETY: `dot`'s ABI: two slices, a bool (as i8 0/1, which Rust's bool is), the context.
        let entry: Dot = unsafe { std::mem::transmute::<*const u8, Dot>(f.entry) };
        let (a, b) = ([1.0, 2.0], [3.0, 4.0]);
        let mut ctx = VmContext::default();
        // SAFETY: live slices and context.
        assert_eq!(unsafe { entry(a.as_ptr(), 2, b.as_ptr(), 2, false, &mut ctx) }, 11.0);
        assert_eq!(unsafe { entry(a.as_ptr(), 2, b.as_ptr(), 2, true, &mut ctx) }, -11.0);
        assert_eq!(f.sig.to_string(), "(a: [f64], b: [f64], neg: bool) -> f64");
    }
}

#[test]
fn compiled_modules_are_shared_between_threads() {
    let m = fib_module();
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
