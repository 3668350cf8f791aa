//! The JIT driver: the same pipeline and object code as AOT, linked in memory by ORC.
//!
//! [`compile`] lowers the module (math opcodes call the in-process functions of
//! `strata_ir::abi::math_fns` by address, so results equal the interpreter's), optimizes it,
//! generates an object file with the target machine of the chosen CPU, and hands that object
//! to a fresh ORC `LLJIT` instance, which links it into executable memory (resolving the few
//! C library symbols LLVM may call, such as `memset`, from the process). The LLVM context,
//! module and target machine are dropped right after code generation: a [`CompiledModule`]
//! holds only the machine code (through its `LLJIT`), which is freed when the last
//! [`CompiledModule`] or [`CompiledFunc`] referring to it is dropped.
//!
//! Why ORC rather than MCJIT: MCJIT keeps the whole LLVM module and context alive next to
//! the code, borrows the context (so it cannot be stored without a self-referential type),
//! and does its own code generation for a generic CPU; linking our own object with ORC
//! reuses the AOT code path and measured faster here (see the crate's benchmark notes).

use crate::emit::machine_code;
use crate::error::{CompileError, Result};
use crate::lower::{Export, MathCalls};
use crate::options::LlvmOptions;
use crate::pipeline::{lower, optimize};
use crate::target::TargetSpec;
use inkwell::context::Context;
use inkwell::llvm_sys;
use inkwell::targets::FileType;
use llvm_sys::error::{LLVMConsumeError, LLVMDisposeErrorMessage, LLVMErrorRef, LLVMGetErrorMessage};
use llvm_sys::orc2::lljit::{
    LLVMOrcCreateLLJIT, LLVMOrcDisposeLLJIT, LLVMOrcLLJITAddObjectFile, LLVMOrcLLJITGetGlobalPrefix,
    LLVMOrcLLJITGetMainJITDylib, LLVMOrcLLJITLookup, LLVMOrcLLJITRef,
};
use llvm_sys::orc2::{LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess, LLVMOrcJITDylibAddGenerator};
use std::collections::HashMap;
use std::ffi::{CStr, CString};
use std::sync::Arc;
use strata_ir::{ArrayCallFn, Signature, TrapCode, VmContext};

/// Compiles `module` to machine code for the host (or `opts.target_cpu`) and loads it.
pub fn compile(module: &strata_ir::Module, opts: &LlvmOptions) -> Result<CompiledModule> {
    let spec = TargetSpec::new(opts, None);
    let (object, exports) = {
        let ctx = Context::create();
        let built = lower(&ctx, module, opts, &spec, MathCalls::InProcess, false)?;
        optimize(&built, opts.opt_level)?;
        (machine_code(&built, FileType::Object)?, built.exports)
    };
    let code = Arc::new(JitCode::load(&object)?);
    let mut funcs = HashMap::with_capacity(exports.len());
    for Export { name, trampoline, sig } in exports {
        let entry = code.lookup(&name)?;
        let tramp = code.lookup(&trampoline)?;
        // SAFETY: `tramp` is the address of the trampoline this crate generated for `name`,
        // whose LLVM type is `void(ptr, ptr, ptr)`: exactly `ArrayCallFn`. It is non-null
        // (lookup fails otherwise) and stays valid while `code` is alive, which every
        // `CompiledFunc` keeps through its `Arc`.
        let array_call: ArrayCallFn = unsafe { std::mem::transmute::<usize, ArrayCallFn>(tramp) };
        let f = CompiledFunc {
            name: name.clone(),
            entry: entry as *const u8,
            array_call,
            signature: sig,
            _code: code.clone(),
        };
        funcs.insert(name, f);
    }
    Ok(CompiledModule { funcs, _code: code })
}

/// Machine code of one module, loaded in its own ORC `LLJIT` instance.
struct JitCode {
    jit: LLVMOrcLLJITRef,
}

// SAFETY: after loading, the `LLJIT` is only used for symbol lookups (which ORC serializes
// internally) and for disposal in `Drop`, which has exclusive access. The code it holds is
// immutable; running it touches only the memory its caller passes.
unsafe impl Send for JitCode {}
// SAFETY: see `Send`: shared access only reads immutable code or performs thread-safe lookups.
unsafe impl Sync for JitCode {}

impl JitCode {
    /// Links `object` into executable memory.
    fn load(object: &[u8]) -> Result<JitCode> {
        crate::target::initialize();
        let mut jit: LLVMOrcLLJITRef = std::ptr::null_mut();
        // SAFETY: a null builder asks for the default `LLJIT` for the host; on success `jit`
        // is a valid instance that `JitCode` owns and disposes exactly once.
        check(unsafe { LLVMOrcCreateLLJIT(&mut jit, std::ptr::null_mut()) })?;
        let code = JitCode { jit };
        // SAFETY: `jit` is valid. The generator resolves symbols the object imports (`memset`,
        // …) from the running process; the main dylib takes ownership of it. The memory
        // buffer is a copy of `object` whose ownership passes to `LLVMOrcLLJITAddObjectFile`.
        unsafe {
            let jd = LLVMOrcLLJITGetMainJITDylib(jit);
            let mut generator = std::ptr::null_mut();
            let prefix = LLVMOrcLLJITGetGlobalPrefix(jit);
            check(LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(
                &mut generator,
                prefix,
                None,
                std::ptr::null_mut(),
            ))?;
            LLVMOrcJITDylibAddGenerator(jd, generator);
            let buf = llvm_sys::core::LLVMCreateMemoryBufferWithMemoryRangeCopy(
                object.as_ptr().cast(),
                object.len(),
                c"strata".as_ptr(),
            );
            check(LLVMOrcLLJITAddObjectFile(jit, jd, buf))?;
        }
        Ok(code)
    }

    /// The address of symbol `name` (links the object on first use).
    fn lookup(&self, name: &str) -> Result<usize> {
        let cname = CString::new(name).map_err(|_| CompileError::Jit(format!("symbol `{name}` contains NUL")))?;
        let mut addr = 0;
        // SAFETY: `self.jit` is valid while `self` lives; `cname` is NUL-terminated.
        check(unsafe { LLVMOrcLLJITLookup(self.jit, &mut addr, cname.as_ptr()) })?;
        if addr == 0 {
            return Err(CompileError::Jit(format!("symbol `{name}` resolved to null")));
        }
        Ok(addr as usize)
    }
}

impl Drop for JitCode {
    fn drop(&mut self) {
        // SAFETY: `self.jit` was created by `LLVMOrcCreateLLJIT` and is disposed only here.
        // No code of it can be running: every pointer into it is held by a `CompiledFunc`
        // or `CompiledModule`, which keep this `JitCode` alive through an `Arc`.
        let err = unsafe { LLVMOrcDisposeLLJIT(self.jit) };
        if !err.is_null() {
            // SAFETY: an error returned by LLVM, consumed exactly once.
            unsafe { LLVMConsumeError(err) };
        }
    }
}

/// Turns an `LLVMErrorRef` into a `Result`, consuming the error.
fn check(err: LLVMErrorRef) -> Result<()> {
    if err.is_null() {
        return Ok(());
    }
    // SAFETY: a non-null error from LLVM; `LLVMGetErrorMessage` consumes it and returns a
    // C string that we copy and dispose exactly once.
    let msg = unsafe {
        let m = LLVMGetErrorMessage(err);
        let s = CStr::from_ptr(m).to_string_lossy().into_owned();
        LLVMDisposeErrorMessage(m);
        s
    };
    Err(CompileError::Jit(msg))
}

/// A module compiled to machine code in this process.
///
/// `Send + Sync`, and its functions may run on several threads at once: the code is
/// immutable after loading, reads only constant data of its own, and keeps all mutable
/// state in the caller's arguments and `VmContext` (one per calling thread). The code is
/// freed when the module and every [`CompiledFunc`] taken from it are dropped.
pub struct CompiledModule {
    funcs: HashMap<String, CompiledFunc>,
    _code: Arc<JitCode>,
}

impl CompiledModule {
    /// The exported function `name` (local functions are not callable from outside).
    pub fn function(&self, name: &str) -> Option<CompiledFunc> {
        self.funcs.get(name).cloned()
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
    name: String,
    entry: *const u8,
    array_call: ArrayCallFn,
    signature: Signature,
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

    /// The direct entry point: an `extern "C" fn(abi params…, *mut VmContext) -> ret`.
    pub fn entry(&self) -> *const u8 {
        self.entry
    }

    /// The array-call trampoline.
    pub fn array_call(&self) -> ArrayCallFn {
        self.array_call
    }

    /// The IR signature.
    pub fn signature(&self) -> &Signature {
        &self.signature
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
        let expected = self.signature.abi_params().len();
        if args.len() != expected {
            return Err(CallError::Arity { expected, got: args.len() });
        }
        let mut ret = 0u64;
        ctx.trap_code = 0;
        // SAFETY: the trampoline reads `expected` slots from `args`, writes `ret`, and
        // passes `ctx` on; the caller vouches for the slice arguments and host table.
        unsafe { (self.array_call)(args.as_ptr(), &mut ret, ctx) };
        match ctx.trap_code {
            0 => Ok(self.signature.ret.map(|_| ret)),
            n => Err(TrapCode::from_u32(n).map_or(CallError::UnknownTrap(n), CallError::Trap)),
        }
    }
}

impl std::fmt::Debug for CompiledFunc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CompiledFunc({} {} @ {:p})", self.name, self.signature, self.entry)
    }
}
