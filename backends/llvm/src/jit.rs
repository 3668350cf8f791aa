//! The JIT driver: the same pipeline and object code as AOT, linked in memory by ORC.
//!
//! [`compile`] lowers the module (math opcodes call the in-process functions of
//! `strata_ir::abi::math_fns` by address, so results equal the interpreter's), optimizes it,
//! generates an object file with the target machine of the chosen CPU, and adds that object
//! to the process-wide ORC `LLJIT` under a resource tracker of its own; ORC links it into
//! executable memory (resolving the few C library symbols LLVM may call, such as `memset`,
//! from the process). The LLVM context and module are dropped right after code generation:
//! a [`CompiledModule`] holds only its machine code, which is unlinked and freed when the
//! last [`CompiledModule`] or [`CompiledFunc`] referring to it is dropped.
//!
//! A module with several exported functions is compiled in parts, one per export with its
//! callees (`strata_ir::partition`), on this thread and the helper threads of `workers.rs`; each
//! part is an object of its own in the JIT ([`LlvmOptions::parallel`] turns this off).
//!
//! Why ORC rather than MCJIT: MCJIT keeps the whole LLVM module and context alive next to
//! the code, borrows the context (so it cannot be stored without a self-referential type),
//! and builds a target machine per engine; linking our own object into one shared ORC
//! instance reuses the AOT code path and the cached target machine. Measured with callgrind
//! over the DESIGN.md kernels at O2 and O3, MCJIT executed 9.6% more instructions per
//! compile (wall-clock difference within the noise of a shared machine).

use crate::error::Result;
use crate::lower::{Export, MathCalls};
use crate::options::LlvmOptions;
use crate::orc::JitCode;
use crate::pipeline::{check_options, lower, machine_code, optimize, Lowering};
use crate::target::TargetSpec;
use inkwell::context::Context;
use inkwell::targets::FileType;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use strata_ir::{ArrayCallFn, Signature, TrapCode, VmContext};

/// Compiles `module` to machine code for the host (or `opts.target_cpu`) and loads it.
///
/// With [`LlvmOptions::parallel`] and more than one exported function, each exported
/// function is compiled with its callees as a module of its own (`strata_ir::partition`), on this
/// thread and the helper threads of `workers.rs`, and each part is linked as its own
/// object: on 2 CPUs a file with two kernels of equal size compiles in about half the time.
pub fn compile(module: &strata_ir::Module, opts: &LlvmOptions) -> Result<CompiledModule> {
    let start = Instant::now();
    check_options(opts)?;
    let Some(roots) = crate::parts::split_roots(module, opts) else {
        let (object, exports, mut timings) = compile_part(module, opts)?;
        let t = Instant::now();
        let mut compiled = CompiledModule::default();
        compiled.add_code(Arc::new(JitCode::load(&object)?), exports)?;
        timings.link = t.elapsed();
        timings.total = start.elapsed();
        compiled.timings = timings;
        return Ok(compiled);
    };
    let (parts, verify) = crate::parts::compile_parts(module, &roots, opts, compile_part)?;
    let mut timings = CompileTimings { verify, ..CompileTimings::default() };
    let mut compiled = CompiledModule::default();
    for (object, exports, t) in parts {
        timings.verify += t.verify;
        timings.lower += t.lower;
        timings.optimize += t.optimize;
        timings.codegen += t.codegen;
        let t = Instant::now();
        compiled.add_code(Arc::new(JitCode::load(&object)?), exports)?;
        timings.link += t.elapsed();
    }
    timings.total = start.elapsed();
    compiled.timings = timings;
    Ok(compiled)
}

/// What compiling one module (or part) gives: its object code, exports and timings.
type Part = (Vec<u8>, Vec<Export>, CompileTimings);

/// Lowers, optimizes and generates code for `module` on this thread.
fn compile_part(module: &strata_ir::Module, opts: &LlvmOptions) -> Result<Part> {
    let start = Instant::now();
    let mut timings = CompileTimings::default();
    let spec = TargetSpec::new(opts, None);
    // The exported symbols of every module live in the one JIT's symbol table: a prefix
    // unique to this module keeps them apart (local functions are not in the table).
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let prefix = format!("strata.jit{}.", NEXT.fetch_add(1, Ordering::Relaxed));
    let how = Lowering { spec: &spec, math: MathCalls::InProcess, names: false, symbol_prefix: &prefix };
    let (object, exports) = spec.with_machine(opts.opt_level, |tm| {
        let ctx = Context::create();
        let built = lower(&ctx, module, opts, tm, &how)?;
        let t = Instant::now();
        timings.verify = built.verify;
        timings.lower = (t - start).saturating_sub(built.verify);
        optimize(&built, tm, opts.opt_level)?;
        let t2 = Instant::now();
        timings.optimize = t2 - t;
        let object = machine_code(&built, tm, FileType::Object)?;
        timings.codegen = t2.elapsed();
        Ok((object, built.exports))
    })?;
    Ok((object, exports, timings))
}

/// Where the time of one [`compile`] went. When the module was compiled in parts on several
/// threads ([`LlvmOptions::parallel`]), each stage is the sum over the parts (so the stages
/// may add up to more than `total`, which is the wall-clock time).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct CompileTimings {
    /// Lowering the Strata IR to LLVM IR (with Strata's `version-checks` pass), verifiers excluded.
    pub lower: Duration,
    /// The Strata IR verifier before lowering and LLVM's module verifier after it.
    pub verify: Duration,
    /// LLVM's `default<On>` pipeline.
    pub optimize: Duration,
    /// Machine-code generation (an object file in memory).
    pub codegen: Duration,
    /// Linking the object into executable memory (ORC) and looking up the exports.
    pub link: Duration,
    /// All of it, end to end.
    pub total: Duration,
}

/// A module compiled to machine code in this process.
///
/// `Send + Sync`, and its functions may run on several threads at once: the code is
/// immutable after loading, reads only constant data of its own, and keeps all mutable
/// state in the caller's arguments and `VmContext` (one per calling thread). The code is
/// freed when the module and every [`CompiledFunc`] taken from it are dropped.
#[derive(Default)]
pub struct CompiledModule {
    funcs: HashMap<String, CompiledFunc>,
    pub(crate) timings: CompileTimings,
    /// The objects the functions live in (one, or one per part of a parallel compile).
    _code: Vec<Arc<JitCode>>,
}

impl CompiledModule {
    /// Adds the entry point and trampoline of every export in `code`.
    pub(crate) fn add_code(&mut self, code: Arc<JitCode>, exports: Vec<Export>) -> Result<()> {
        for Export { name, symbol, trampoline, sig } in exports {
            let entry = code.lookup(&symbol)?;
            let tramp = code.lookup(&trampoline)?;
            // SAFETY: `tramp` is the address of the trampoline this crate generated for
            // `name`, whose LLVM type is `void(ptr, ptr, ptr)`: exactly `ArrayCallFn`. It is
            // non-null (lookup fails otherwise) and stays valid while `code` is alive, which
            // every `CompiledFunc` keeps through its `Arc`.
            let array_call: ArrayCallFn = unsafe { std::mem::transmute::<usize, ArrayCallFn>(tramp) };
            let f =
                CompiledFunc { name: name.clone(), entry: entry as *const u8, array_call, sig, _code: code.clone() };
            self.funcs.insert(name, f);
        }
        self._code.push(code);
        Ok(())
    }

    /// The exported function `name` (local functions are not callable from outside).
    pub fn function(&self, name: &str) -> Option<CompiledFunc> {
        self.funcs.get(name).cloned()
    }

    /// The exported function `name`, borrowed: no allocation, for per-call lookups.
    pub fn get(&self, name: &str) -> Option<&CompiledFunc> {
        self.funcs.get(name)
    }

    /// Where the compile time went.
    pub fn timings(&self) -> CompileTimings {
        self.timings
    }

    /// Names of the exported functions, in no particular order.
    pub fn function_names(&self) -> impl Iterator<Item = &str> {
        self.funcs.keys().map(String::as_str)
    }
}

impl std::fmt::Debug for CompiledModule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompiledModule").field("functions", &self.funcs.keys().collect::<Vec<_>>()).finish()
    }
}

/// An exported function of a [`CompiledModule`]: its direct entry point (the
/// `extern "C" fn(abi params…, ctx: *mut VmContext) -> ret` of `strata_ir::abi`), its
/// array-call trampoline, and its signature. Keeps the module's code alive.
#[derive(Clone)]
pub struct CompiledFunc {
    /// The direct entry point: `extern "C" fn(abi params…, ctx: *mut VmContext) -> ret`
    /// (see `strata_ir::abi`; `bool` as `i8` 0/1).
    pub entry: *const u8,
    /// The array-call trampoline (see [`strata_ir::ArrayCallFn`]).
    pub array_call: ArrayCallFn,
    /// The IR signature.
    pub sig: Signature,
    name: String,
    _code: Arc<JitCode>,
}

// SAFETY: `entry` and `array_call` point to immutable machine code kept alive by `_code`;
// calling it from any thread is sound as the `CompiledModule` docs explain.
unsafe impl Send for CompiledFunc {}
// SAFETY: as for `Send`; `&CompiledFunc` gives no access to anything mutable.
unsafe impl Sync for CompiledFunc {}

/// Why [`CompiledFunc::call`] did not return a value.
#[derive(Copy, Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// The number of argument slots is not the number of ABI parameters.
    #[error("expected {expected} argument slots, got {got}")]
    Arity { expected: usize, got: usize },
    /// The function trapped.
    #[error("trap: {0}")]
    Trap(TrapCode),
    /// The context holds a trap code that is not a `TrapCode` (set by a host function).
    #[error("unknown trap code {0}")]
    UnknownTrap(u32),
}

impl CompiledFunc {
    /// The IR name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Calls the function through its trampoline with one `u64` slot per ABI parameter
    /// (encoded as `strata_ir::ArrayCallFn` says), after clearing `ctx.trap_code`. Returns
    /// the result slot (`None` for functions without a result) or the trap.
    ///
    /// # Safety
    /// Every slice argument must be a pointer and length satisfying Rust's slice invariants
    /// for its element type (valid for reads, and for writes if `mut`, not overlapping another
    /// `mut` slice argument), and `ctx.host_table` must hold `ctx.host_count` valid host
    /// functions matching the module's declarations (or be empty).
    pub unsafe fn call(&self, args: &[u64], ctx: &mut VmContext) -> Result<Option<u64>, CallError> {
        let expected = self.sig.abi_params().len();
        if args.len() != expected {
            return Err(CallError::Arity { expected, got: args.len() });
        }
        let mut ret = 0u64;
        ctx.trap_code = 0;
        // SAFETY: the trampoline reads `expected` slots from `args`, writes `ret`, and
        // passes `ctx` on; the caller vouches for the slice arguments and host table.
        unsafe { (self.array_call)(args.as_ptr(), &mut ret, ctx) };
        match ctx.trap_code {
            0 => Ok(self.sig.ret.map(|_| ret)),
            n => Err(TrapCode::from_u32(n).map_or(CallError::UnknownTrap(n), CallError::Trap)),
        }
    }
}

impl std::fmt::Debug for CompiledFunc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CompiledFunc({} {} @ {:p})", self.name, self.sig, self.entry)
    }
}
