//! Parallel compilation (`LlvmOptions::parallel`): a module with several exports, compiled
//! in parts on several threads, gives the same functions and the same results as the whole
//! module compiled on one thread — with an export that calls another export, a local
//! callee shared by two exports, and data addressed from a callee.

use strata_ir::VmContext;
use strata_llvm::{compile, LlvmOptions};

const TEXT: &str = "data @k: i32 = [10, 20, 30]\n\
    fn @helper(x: i32, i: i64) -> i32 {\nblock0(v0: i32, v1: i64):\n    v2 = data_addr.ptr @k\n    \
    v3 = iconst.i64 4\n    v4 = imul.i64 v1, v3\n    v5 = load.i32 v2, v4\n    v6 = iadd.i32 v0, v5\n    return v6\n}\n\
    export fn @a(x: i32) -> i32 {\nblock0(v0: i32):\n    v1 = iconst.i64 0\n    v2 = call.i32 @helper(v0, v1)\n    \
    v3 = call.i32 @b(v2)\n    return v3\n}\n\
    export fn @b(x: i32) -> i32 {\nblock0(v0: i32):\n    v1 = iconst.i64 2\n    v2 = call.i32 @helper(v0, v1)\n    return v2\n}\n\
    export fn @c(x: i32) -> i32 {\nblock0(v0: i32):\n    v1 = imul.i32 v0, v0\n    return v1\n}\n";

#[test]
fn parts_compile_to_the_same_functions_and_results() {
    let m = strata_ir::parse_module(TEXT).expect("parses");
    let serial = compile(&m, &LlvmOptions { parallel: false, ..LlvmOptions::default() }).expect("compiles");
    let parallel = compile(&m, &LlvmOptions::default()).expect("compiles");
    let names = |c: &strata_llvm::CompiledModule| {
        let mut v: Vec<String> = c.function_names().map(str::to_string).collect();
        v.sort();
        v
    };
    assert_eq!(names(&serial), ["a", "b", "c"]);
    assert_eq!(names(&parallel), names(&serial));
    for (name, x, want) in [("a", 1i32, 41i32), ("b", 1, 31), ("c", -7, 49)] {
        for code in [&serial, &parallel] {
            let f = code.get(name).expect("exported");
            let mut ctx = VmContext::default();
            // SAFETY: scalar arguments only, no host functions.
            let r = unsafe { f.call(&[x as u32 as u64], &mut ctx) };
            assert_eq!(r.map(|v| v.map(|s| s as u32 as i32)), Ok(Some(want)), "{name}({x})");
        }
    }
    // Both report where the time went; the parallel compile's parts add up their work.
    assert!(parallel.timings().total > std::time::Duration::ZERO);
    assert!(parallel.timings().codegen > std::time::Duration::ZERO);
}

#[test]
fn many_threads_compiling_in_parallel_at_once() {
    let m = strata_ir::parse_module(TEXT).expect("parses");
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let m = m.clone();
            std::thread::spawn(move || {
                let code = compile(&m, &LlvmOptions::with_opt_level(1)).expect("compiles");
                let f = code.get("a").expect("exported");
                let mut ctx = VmContext::default();
                // SAFETY: scalar arguments only, no host functions.
                unsafe { f.call(&[2], &mut ctx) }.ok().flatten()
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().expect("thread"), Some(42));
    }
}
