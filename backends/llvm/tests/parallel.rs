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

/// `a`, `b` and `c` of `code` on the inputs of the test above.
fn check_results(code: &strata_llvm::CompiledModule, what: &str) {
    for (name, x, want) in [("a", 1i32, 41i32), ("b", 1, 31), ("c", -7, 49)] {
        let f = code.get(name).unwrap_or_else(|| panic!("{what}: `{name}` exported"));
        let mut ctx = VmContext::default();
        // SAFETY: scalar arguments only, no host functions.
        let r = unsafe { f.call(&[x as u32 as u64], &mut ctx) };
        assert_eq!(r.map(|v| v.map(|s| s as u32 as i32)), Ok(Some(want)), "{what}: {name}({x})");
    }
}

#[test]
fn cached_objects_compile_in_parts_and_load_like_the_whole_module() {
    use strata_llvm::{compile_object, load_object};
    let m = strata_ir::parse_module(TEXT).expect("parses");
    let whole = compile_object(&m, &LlvmOptions { parallel: false, ..LlvmOptions::default() }, "test_parts_whole")
        .expect("compiles");
    let parts = compile_object(&m, &LlvmOptions::default(), "test_parts_bundle").expect("compiles");
    assert!(whole.starts_with(b"\x7fELF") || !cfg!(target_os = "linux"), "one ELF object");
    if std::thread::available_parallelism().map_or(1, |n| n.get()) > 1 {
        assert!(parts.starts_with(b"STRATA\0B"), "a bundle of one object per export");
    }
    let from_whole = load_object(&m, &whole, "test_parts_whole").expect("loads");
    let from_parts = load_object(&m, &parts, "test_parts_bundle").expect("loads");
    check_results(&from_whole, "whole");
    check_results(&from_parts, "parts");
    // A second load of the bundle shares the parts already linked.
    let again = load_object(&m, &parts, "test_parts_bundle").expect("loads again");
    for name in ["a", "b", "c"] {
        assert_eq!(again.get(name).map(|f| f.entry), from_parts.get(name).map(|f| f.entry), "{name} shared");
    }
    drop((from_parts, again));
    check_results(&load_object(&m, &parts, "test_parts_bundle").expect("links again once dropped"), "reloaded");
    if parts.starts_with(b"STRATA\0B") {
        // A bundle for another module (other exports) and damaged bundles are errors.
        let one = strata_ir::parse_module(
            "export fn @c(x: i32) -> i32 {\nblock0(v0: i32):\n    v1 = imul.i32 v0, v0\n    return v1\n}\n",
        )
        .expect("parses");
        assert!(load_object(&one, &parts, "test_parts_other").is_err(), "3 parts for 1 export");
        for n in [9, 20, parts.len() / 2, parts.len() - 1] {
            assert!(load_object(&m, &parts[..n], "test_parts_cut").is_err(), "cut to {n} bytes");
        }
    }
}
