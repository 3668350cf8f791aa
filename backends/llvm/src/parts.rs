//! Compiling a module in parts: one part per exported function with its callees
//! (`strata_ir::partition`), each on this thread or a helper thread of `workers.rs`.
//!
//! Shared by the in-memory JIT ([`crate::compile`]) and the objects of a disk cache
//! ([`crate::compile_object`]); what is done with each part (an object to link now, or bytes
//! to store) is the caller's. This file decides only whether to split and checks what must
//! hold for the whole module before it is split.

use crate::error::{CompileError, Result};
use crate::options::LlvmOptions;
use std::time::{Duration, Instant};
use strata_ir::FuncId;

/// The exported functions to compile apart, or `None` when `module` should be compiled
/// whole: [`LlvmOptions::parallel`] is off, it has fewer than two exports, or there is no
/// helper thread to share the work with.
pub(crate) fn split_roots(module: &strata_ir::Module, opts: &LlvmOptions) -> Option<Vec<FuncId>> {
    let roots = strata_ir::partition::roots(module);
    (opts.parallel && roots.len() >= 2 && crate::workers::helpers() > 0).then_some(roots)
}

/// Runs `job` on the part of each of `roots` in parallel and returns the results in the
/// order of `roots`, with the time spent verifying the whole module first (parts renumber
/// calls and data, so the module must be valid, and an export-symbol clash between two
/// exports is only visible in the whole module). The first failing part's error wins.
pub(crate) fn compile_parts<T: Send + 'static>(
    module: &strata_ir::Module,
    roots: &[FuncId],
    opts: &LlvmOptions,
    job: impl Fn(&strata_ir::Module, &LlvmOptions) -> Result<T> + Clone + Send + 'static,
) -> Result<(Vec<T>, Duration)> {
    let t = Instant::now();
    strata_ir::verifier::verify_module(module).map_err(CompileError::InvalidIr)?;
    let verify = t.elapsed();
    crate::lower::check_export_symbols(module)?;
    let jobs: Vec<Box<dyn FnOnce() -> Result<T> + Send>> = roots
        .iter()
        .map(|&root| {
            let part = strata_ir::partition::part(module, root);
            let opts = opts.clone();
            let job = job.clone();
            Box::new(move || job(&part, &opts)) as Box<dyn FnOnce() -> Result<T> + Send>
        })
        .collect();
    let parts = crate::workers::run_all(jobs).into_iter().collect::<Result<Vec<T>>>()?;
    Ok((parts, verify))
}
