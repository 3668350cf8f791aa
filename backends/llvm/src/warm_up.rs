//! Paying LLVM's one-time costs before the first real compile: [`warm_up`].
//!
//! The first tier-2 compile in a process costs about twice a later one (session 9, FIR and
//! biquad at O3 on a 2-vCPU EPYC: 18–43 ms first, 9–13 ms after): LLVM registers its
//! targets and passes, the ORC JIT is created, the pages of LLVM's code and tables are
//! touched for the first time, and each thread builds its target machine. Most of that is
//! per process, so a warm-up on any thread (a background one, at low priority) takes it off
//! the first kernel's compile. This file only compiles a small built-in module and drops it;
//! it must not keep code or change how later compiles behave.

use crate::error::{CompileError, Result};
use crate::options::LlvmOptions;
use std::time::{Duration, Instant};

/// The built-in module's kernel: a float loop through a small callee (the vectorizer and
/// the inliner) and an integer reduction (a second loop shape), each with bounds checks
/// (Strata's versioning). `@warm` is renamed once per part.
const WARM_IR: &str = concat!(
    "fn @scale(v: f32, a: f32) -> f32 {\n",
    "block0(v0: f32, v1: f32):\n",
    "    v2 = fmul.f32 v0, v1\n",
    "    return v2\n",
    "}\n",
    "\n",
    "export fn @warm(x: [f32], y: mut [f32], a: f32, k: [i32]) -> i32 {\n",
    "block0(v0: ptr, v1: i64, v2: ptr, v3: i64, v4: f32, v5: ptr, v6: i64):\n",
    "    v7 = iconst.i32 0\n",
    "    v8 = iconst.i64 0\n",
    "    br block1(v8)\n",
    "block1(v9: i64):\n",
    "    v10 = icmp.bool slt v9, v1\n",
    "    brif v10, block2, block3\n",
    "block2:\n",
    "    bounds_check v9, v1\n",
    "    v11 = iconst.i64 4\n",
    "    v12 = imul.i64 v9, v11\n",
    "    v13 = load.f32 v0, v12\n",
    "    v14 = call.f32 @scale(v13, v4)\n",
    "    bounds_check v9, v3\n",
    "    v15 = iconst.i64 4\n",
    "    v16 = imul.i64 v9, v15\n",
    "    v17 = load.f32 v2, v16\n",
    "    v18 = fadd.f32 v17, v14\n",
    "    store v2, v16, v18\n",
    "    v19 = iconst.i64 1\n",
    "    v20 = iadd.i64 v9, v19\n",
    "    br block1(v20)\n",
    "block3:\n",
    "    v21 = iconst.i64 0\n",
    "    br block4(v21, v7)\n",
    "block4(v22: i64, v23: i32):\n",
    "    v24 = icmp.bool slt v22, v6\n",
    "    brif v24, block5, block6\n",
    "block5:\n",
    "    bounds_check v22, v6\n",
    "    v25 = iconst.i64 4\n",
    "    v26 = imul.i64 v22, v25\n",
    "    v27 = load.i32 v5, v26\n",
    "    v28 = bxor.i32 v23, v27\n",
    "    v29 = iconst.i32 16777619\n",
    "    v30 = imul.i32 v28, v29\n",
    "    v31 = iconst.i64 1\n",
    "    v32 = iadd.i64 v22, v31\n",
    "    br block4(v32, v30)\n",
    "block6:\n",
    "    return v23\n",
    "}\n",
);

/// Compiles a small built-in module with `opts` and drops it, so that LLVM's one-time work
/// (target and pass registration, the JIT, first-touch page faults, this thread's target
/// machine for `opts`) is done before the first real compile. Returns how long it took.
///
/// With [`LlvmOptions::parallel`] the module has one kernel per thread of the compile pool
/// (this one and the helpers), so the helpers usually build their target machines too; the
/// process-wide work is done either way. Later compiles produce the same code as without
/// it; only their time changes.
///
/// ```
/// let spent = strata_llvm::warm_up(&strata_llvm::LlvmOptions::default()).unwrap();
/// assert!(spent > std::time::Duration::ZERO);
/// ```
pub fn warm_up(opts: &LlvmOptions) -> Result<Duration> {
    let start = Instant::now();
    let kernels = if opts.parallel { crate::workers::helpers() + 1 } else { 1 };
    let (callee, kernel) = WARM_IR.split_at(WARM_IR.find("export fn").unwrap_or(0));
    let mut text = callee.to_string();
    for k in 0..kernels {
        text.push_str(&kernel.replace("@warm(", &format!("@warm{k}(")));
    }
    let module = strata_ir::parse_module(&text)
        .map_err(|e| CompileError::Internal(format!("the warm-up module does not parse: {e}")))?;
    drop(crate::compile(&module, opts)?);
    Ok(start.elapsed())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_warm_up_module_compiles_at_every_level_and_in_parts() {
        for opt_level in 0..=3 {
            for parallel in [false, true] {
                let opts = LlvmOptions { opt_level, parallel, ..LlvmOptions::default() };
                assert!(warm_up(&opts).is_ok(), "O{opt_level}, parallel {parallel}");
            }
        }
    }

    #[test]
    fn the_warm_up_module_has_one_kernel_per_part() {
        let (callee, kernel) = WARM_IR.split_at(WARM_IR.find("export fn").unwrap_or(0));
        let text = format!("{callee}{}{}", kernel.replace("@warm(", "@warm0("), kernel.replace("@warm(", "@warm1("));
        let module = strata_ir::parse_module(&text).unwrap();
        strata_ir::verifier::verify_module(&module).unwrap();
        assert_eq!(strata_ir::partition::roots(&module).len(), 2);
    }
}
