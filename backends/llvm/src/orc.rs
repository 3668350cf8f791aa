//! The process-wide ORC `LLJIT` and the machine code of one module in it.
//!
//! Every compiled or loaded object is added to the one JIT dylib under a resource tracker of
//! its own ([`JitCode`]); dropping the `JitCode` unlinks and frees it. Objects with fixed
//! symbol names (the ones [`crate::load_object`] reads back from a cache) are registered by
//! their symbol namespace, so loading the same object twice in one process shares the code
//! instead of failing on duplicate symbols. This file does no lowering or code generation.

use crate::error::{CompileError, Result};
use inkwell::llvm_sys;
use llvm_sys::error::{LLVMConsumeError, LLVMDisposeErrorMessage, LLVMErrorRef, LLVMGetErrorMessage};
use llvm_sys::orc2::lljit::{
    LLVMOrcCreateLLJIT, LLVMOrcLLJITAddObjectFileWithRT, LLVMOrcLLJITGetGlobalPrefix, LLVMOrcLLJITGetMainJITDylib,
    LLVMOrcLLJITLookup, LLVMOrcLLJITRef,
};
use llvm_sys::orc2::{
    LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess, LLVMOrcJITDylibAddGenerator,
    LLVMOrcJITDylibCreateResourceTracker, LLVMOrcReleaseResourceTracker, LLVMOrcResourceTrackerRef,
    LLVMOrcResourceTrackerRemove,
};
use std::collections::HashMap;
use std::ffi::{CStr, CString};
use std::sync::{Arc, Mutex, OnceLock, Weak};

/// The process-wide ORC `LLJIT`: one execution session and one JIT dylib (which resolves
/// the C library symbols objects may import, such as `memset`, from the process), created
/// on first use and never destroyed. ORC is thread-safe: objects are added, linked and
/// removed from any thread.
struct SharedJit(LLVMOrcLLJITRef);

// SAFETY: an `LLJIT` may be used from any thread (ORC serializes its session state).
unsafe impl Send for SharedJit {}
// SAFETY: see `Send`.
unsafe impl Sync for SharedJit {}

fn shared_jit() -> Result<&'static SharedJit> {
    static JIT: OnceLock<Result<SharedJit, String>> = OnceLock::new();
    let jit = JIT.get_or_init(|| {
        crate::target::initialize();
        let mut jit: LLVMOrcLLJITRef = std::ptr::null_mut();
        // SAFETY: a null builder asks for the default `LLJIT` for the host; on success `jit`
        // is valid for the rest of the process. The generator resolves symbols the objects
        // import from the running process; the main dylib takes ownership of it.
        unsafe {
            check(LLVMOrcCreateLLJIT(&mut jit, std::ptr::null_mut())).map_err(|e| e.to_string())?;
            let jd = LLVMOrcLLJITGetMainJITDylib(jit);
            let mut generator = std::ptr::null_mut();
            let prefix = LLVMOrcLLJITGetGlobalPrefix(jit);
            check(LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(
                &mut generator,
                prefix,
                None,
                std::ptr::null_mut(),
            ))
            .map_err(|e| e.to_string())?;
            LLVMOrcJITDylibAddGenerator(jd, generator);
        }
        Ok(SharedJit(jit))
    });
    jit.as_ref().map_err(|e| CompileError::Jit(e.clone()))
}

/// The machine code of one module in the shared JIT, owned through a resource tracker:
/// dropping it unlinks the symbols and frees the memory.
pub(crate) struct JitCode {
    jit: &'static SharedJit,
    tracker: LLVMOrcResourceTrackerRef,
    /// The symbol namespace this code is registered under in [`registry`], if any.
    namespace: Option<String>,
}

// SAFETY: the tracker is only used in `Drop` (exclusive access) and ORC's tracker
// operations are thread-safe; the code it owns is immutable, and running it touches only
// the memory its caller passes.
unsafe impl Send for JitCode {}
// SAFETY: see `Send`: shared access only reads immutable code.
unsafe impl Sync for JitCode {}

impl JitCode {
    /// Links `object`, whose symbols are unique to it, into executable memory.
    pub(crate) fn load(object: &[u8]) -> Result<JitCode> {
        Self::add(object)
    }

    /// The code of the object whose exported symbols all start with `namespace`: the one
    /// already linked in this process if it is still alive, else `object`, linked now.
    /// The caller vouches that equal namespaces mean equal code.
    pub(crate) fn load_shared(object: &[u8], namespace: &str) -> Result<Arc<JitCode>> {
        loop {
            let mut reg = registry().lock().map_err(|_| CompileError::Jit("JIT registry poisoned".into()))?;
            match reg.get(namespace).map(Weak::upgrade) {
                Some(Some(code)) => return Ok(code),
                // Being dropped on another thread: wait until its symbols are gone.
                Some(None) => {
                    drop(reg);
                    std::thread::yield_now();
                }
                None => {
                    // Named only once linked: a failed load drops unnamed, so its `Drop`
                    // does not take the registry lock held here.
                    let mut code = Self::add(object)?;
                    code.namespace = Some(namespace.to_string());
                    let code = Arc::new(code);
                    reg.insert(namespace.to_string(), Arc::downgrade(&code));
                    return Ok(code);
                }
            }
        }
    }

    fn add(object: &[u8]) -> Result<JitCode> {
        let jit = shared_jit()?;
        // SAFETY: `jit.0` is valid for the process. The tracker is owned by the returned
        // `JitCode` (released in `Drop`); the memory buffer is a copy of `object` whose
        // ownership passes to `LLVMOrcLLJITAddObjectFileWithRT`.
        unsafe {
            let jd = LLVMOrcLLJITGetMainJITDylib(jit.0);
            let tracker = LLVMOrcJITDylibCreateResourceTracker(jd);
            let code = JitCode { jit, tracker, namespace: None };
            let buf = llvm_sys::core::LLVMCreateMemoryBufferWithMemoryRangeCopy(
                object.as_ptr().cast(),
                object.len(),
                c"strata".as_ptr(),
            );
            check(LLVMOrcLLJITAddObjectFileWithRT(jit.0, tracker, buf))?;
            Ok(code)
        }
    }

    /// The address of symbol `name` (links the object on first use).
    pub(crate) fn lookup(&self, name: &str) -> Result<usize> {
        let cname = CString::new(name).map_err(|_| CompileError::Jit(format!("symbol `{name}` contains NUL")))?;
        let mut addr = 0;
        // SAFETY: the JIT is valid for the process; `cname` is NUL-terminated.
        check(unsafe { LLVMOrcLLJITLookup(self.jit.0, &mut addr, cname.as_ptr()) })?;
        if addr == 0 {
            return Err(CompileError::Jit(format!("symbol `{name}` resolved to null")));
        }
        Ok(addr as usize)
    }
}

impl Drop for JitCode {
    fn drop(&mut self) {
        // SAFETY: `self.tracker` was created for this code and is removed and released only
        // here. No code of it can be running: every pointer into it is held by a
        // `CompiledFunc` or `CompiledModule`, which keep this `JitCode` alive via an `Arc`.
        unsafe {
            let err = LLVMOrcResourceTrackerRemove(self.tracker);
            if !err.is_null() {
                LLVMConsumeError(err);
            }
            LLVMOrcReleaseResourceTracker(self.tracker);
        }
        // Only now, with the symbols gone, may the namespace be loaded again.
        if let Some(ns) = &self.namespace {
            if let Ok(mut reg) = registry().lock() {
                if reg.get(ns).is_some_and(|w| w.strong_count() == 0) {
                    reg.remove(ns);
                }
            }
        }
    }
}

/// Turns an `LLVMErrorRef` into a `Result`, consuming the error.
pub(crate) fn check(err: LLVMErrorRef) -> Result<()> {
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

/// Live namespaced code, by namespace (see [`JitCode::load_shared`]).
fn registry() -> &'static Mutex<HashMap<String, Weak<JitCode>>> {
    static REG: OnceLock<Mutex<HashMap<String, Weak<JitCode>>>> = OnceLock::new();
    REG.get_or_init(|| Mutex::new(HashMap::new()))
}
