//! Tier 2 must finish compiling every verified module in bounded time. Each case here once
//! made an LLVM pass run forever; the compile runs on a worker thread and the test fails
//! (instead of hanging the suite) if it takes longer than [`BUDGET`].

use std::sync::mpsc;
use std::time::Duration;
use strata_ir::VmContext;
use strata_llvm::{compile, LlvmOptions};

/// Far above the milliseconds these compiles take; far below "forever".
const BUDGET: Duration = Duration::from_secs(60);

/// Compiles `src` at every LLVM level on a worker thread, failing after [`BUDGET`], and
/// returns what `f(args)` gives at each level.
fn compile_and_call(src: &'static str, args: &'static [u64]) -> Vec<Option<u64>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let m = strata_ir::parse_module(src).map_err(|e| e.to_string());
        let out: Result<Vec<Option<u64>>, String> = m.and_then(|m| {
            (0..=3u8)
                .map(|opt_level| {
                    let c = compile(&m, &LlvmOptions { opt_level, ..Default::default() }).map_err(|e| e.to_string())?;
                    let f = c.function("f").ok_or("no function `f`")?;
                    let mut ctx = VmContext::default();
                    // SAFETY: `f` takes scalars only (no slices, no host calls).
                    unsafe { f.call(args, &mut ctx) }.map_err(|e| format!("{e:?}"))
                })
                .collect()
        });
        let _ = tx.send(out);
    });
    match rx.recv_timeout(BUDGET) {
        Ok(Ok(results)) => results,
        Ok(Err(e)) => panic!("compile or call failed: {e}"),
        Err(_) => panic!("tier 2 did not finish compiling within {BUDGET:?}"),
    }
}

/// The shape of `testgen/findings/bpf-slow-llvm-c25b4399fe65db5b.s` (BPF `neg32` then
/// `lsh` in a counted loop, the register dead after the loop), reduced: a loop phi used only
/// by its own update `zext(0 - trunc(x)) << 47`. On x86-64's data layout LLVM 19's
/// InstCombine Negator rewrote it forever (growing memory) before Strata turned the Negator
/// off (`target.rs`, `LLVM_FLAGS`). Returns the trip count.
const NEG_TRUNC_SHL_LOOP: &str = "
export fn @f(n: i64) -> i64 {
block0(v0: i64):
    v1 = iconst.i64 31
    br block1(v1, v0)
block1(v2: i64, v3: i64):
    v4 = trunc.i32 v2
    v5 = iconst.i32 0
    v6 = isub.i32 v5, v4
    v7 = zext.i64 v6
    v8 = iconst.i64 47
    v9 = shl.i64 v7, v8
    v10 = iconst.i64 1
    v11 = isub.i64 v3, v10
    v12 = iconst.i64 0
    v13 = icmp.bool sgt v11, v12
    brif v13, block1(v9, v11), block2(v11)
block2(v14: i64):
    return v14
}
";

#[test]
fn negated_truncated_loop_phi_compiles_in_bounded_time() {
    // The loop runs until the counter, decremented first, is no longer positive.
    for r in compile_and_call(NEG_TRUNC_SHL_LOOP, &[5]) {
        assert_eq!(r, Some(0));
    }
    for r in compile_and_call(NEG_TRUNC_SHL_LOOP, &[(-3i64) as u64]) {
        assert_eq!(r, Some((-4i64) as u64));
    }
}
