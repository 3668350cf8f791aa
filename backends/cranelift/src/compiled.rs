//! The result of compilation: a JIT module that owns its code and data memory and frees it
//! when dropped, and the entry points of the exported functions.

use cranelift_jit::JITModule;
use std::collections::HashMap;
use strata_ir::{ArrayCallFn, Signature};

/// Owns a `JITModule` and frees its code and data memory when dropped (cranelift-jit leaks
/// it by default, so that function pointers stay valid forever).
pub(crate) struct OwnedJit(Option<JITModule>);

impl OwnedJit {
    pub(crate) fn new(jit: JITModule) -> Self {
        OwnedJit(Some(jit))
    }

    /// The module, while it is being built.
    pub(crate) fn get(&mut self) -> Option<&mut JITModule> {
        self.0.as_mut()
    }
}

impl Drop for OwnedJit {
    fn drop(&mut self) {
        if let Some(jit) = self.0.take() {
            // SAFETY: the only pointers into this memory are those handed out by the
            // `CompiledModule` that owns this value, which documents that they are valid only
            // while it lives (and that no call may be running when it is dropped); during a
            // failed compilation no pointer has escaped at all.
            unsafe { jit.free_memory() };
        }
    }
}

// SAFETY: the `JITModule` is only touched while it is being built (through `&mut`) and when
// it is dropped; a finished `CompiledModule` never calls any of its methods. Its raw
// pointers refer to memory mappings owned by the module itself, not to thread-local state,
// so moving it to another thread, or sharing references to the wrapper (which expose
// nothing), is sound.
unsafe impl Send for OwnedJit {}
// SAFETY: see above: `&OwnedJit` gives no access to the module.
unsafe impl Sync for OwnedJit {}

/// A compiled module. Code and data stay valid while it lives and are freed when it is
/// dropped: every pointer obtained from it ([`CompiledFunc::entry`],
/// [`CompiledFunc::array_call`]) must no longer be called by then, and no call may be
/// running. It is `Send + Sync`: the code is immutable once compiled, and calling it from
/// several threads at once is safe as long as each call has its own `VmContext`.
pub struct CompiledModule {
    /// Kept for its `Drop`, which frees the code.
    _jit: OwnedJit,
    exported: HashMap<String, CompiledFunc>,
}

impl CompiledModule {
    pub(crate) fn new(jit: OwnedJit, exported: HashMap<String, CompiledFunc>) -> Self {
        CompiledModule { _jit: jit, exported }
    }

    /// The exported function `name` (local functions are not callable from outside).
    pub fn function(&self, name: &str) -> Option<CompiledFunc> {
        self.exported.get(name).cloned()
    }

    /// Names of the exported functions, in no particular order.
    pub fn function_names(&self) -> impl Iterator<Item = &str> {
        self.exported.keys().map(String::as_str)
    }
}

impl std::fmt::Debug for CompiledModule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompiledModule").field("exported", &self.exported).finish_non_exhaustive()
    }
}

/// An exported function's entry points, valid while its [`CompiledModule`] lives.
#[derive(Clone, Debug)]
pub struct CompiledFunc {
    /// The direct entry point: `extern "C" fn(abi params…, ctx: *mut VmContext) -> ret`
    /// (see `strata_ir::abi`; `bool` as `i8` 0/1).
    pub entry: *const u8,
    /// The array-call trampoline (see [`strata_ir::ArrayCallFn`]).
    pub array_call: ArrayCallFn,
    /// The IR signature.
    pub sig: Signature,
}

// SAFETY: both pointers refer to immutable machine code; calling it from any thread is as
// safe as calling it from the thread that compiled it (each call brings its own context).
unsafe impl Send for CompiledFunc {}
// SAFETY: as above; sharing a `&CompiledFunc` only shares the addresses.
unsafe impl Sync for CompiledFunc {}
