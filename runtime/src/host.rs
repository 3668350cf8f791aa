//! Host functions for every tier: the registry an embedder fills ([`HostFunctions`]) and,
//! for the JIT tiers, the per-module table plus the one dispatcher that compiled code calls
//! ([`HostTable`]).
//!
//! Compiled code calls every host function as a [`strata_ir::HostCallFn`]
//! (`(ctx, index, args, ret)`, arguments in `u64` slots). The runtime puts the same
//! dispatcher in every table entry that has a registered function: it finds the
//! [`HostTable`] through `ctx.user_data`, decodes the slots into [`Val`]s by the extern's
//! declared parameter types, calls the Rust closure, checks and encodes the result. An
//! extern with no registered function gets a null entry, which the compiled code turns into
//! a `host_error` trap — exactly what the interpreter does for an unregistered host. A
//! result of the wrong type is a `host_error` too (as in the interpreter), and so is a
//! panic: the dispatcher catches it, since unwinding through JIT frames is undefined.
//!
//! This file must not know about backends or tiers beyond the [`VmContext`] contract.

use smallvec::SmallVec;
use std::collections::HashMap;
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use strata_ir::interp::{HostFn, Val};
use strata_ir::{EntityRef, HostCallFn, Module, TrapCode, Type, VmContext};

/// Host functions by extern name, shared by every tier. Cheap to clone (one `Arc`).
///
/// A kernel calls a host function it declares (`extern fn name(..) -> ..;` in `.sk`,
/// `extern fn @name(..)` in IR); a BPF program calls helper `N`, which the lifter declares
/// as `bpf_helper_N` ([`HostFunctions::with_helper`]). A function receives the arguments
/// typed as declared and returns the declared result, or a trap code (normally
/// [`TrapCode::HostError`]) to stop the program. Calling a declared host function that
/// was not registered traps `host_error` on every tier.
///
/// ```
/// use strata_ir::{Arg, TrapCode, Val};
/// use strata_runtime::{compile, HostFunctions, Options, Tier};
///
/// let ir = "extern fn @twice(i64) -> i64
/// export fn @f(x: i64) -> i64 {
/// block0(v0: i64):
///     v1 = call_host.i64 @twice(v0)
///     return v1
/// }";
/// let module = strata_ir::parse_module(ir).unwrap();
/// let hosts = HostFunctions::new().with("twice", |a| match a {
///     [Val::I64(x)] if *x >= 0 => Ok(Some(Val::I64(x * 2))),
///     _ => Err(TrapCode::HostError),
/// });
/// let opts = Options { hosts, ..Options::default() };
/// for tier in strata_runtime::available_tiers() {
///     let cm = compile(&module, tier, &opts).unwrap();
///     assert_eq!(cm.call("f", &mut [Arg::Val(Val::I64(21))]).unwrap(), Some(Val::I64(42)));
///     assert!(cm.call("f", &mut [Arg::Val(Val::I64(-1))]).is_err(), "the host's trap on {tier}");
/// }
/// ```
#[derive(Clone, Default)]
pub struct HostFunctions {
    fns: Arc<HashMap<String, HostFn>>,
}

impl HostFunctions {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers `f` as the host function `name` (replacing an earlier one of that name).
    pub fn with<F>(mut self, name: &str, f: F) -> Self
    where
        F: Fn(&[Val]) -> Result<Option<Val>, TrapCode> + Send + Sync + 'static,
    {
        self.insert(name, Arc::new(f));
        self
    }

    /// Registers `f` as BPF helper `n` (the extern `bpf_helper_N` of lifted programs).
    /// Helpers take five `i64` (r1–r5) and return an `i64` (r0).
    pub fn with_helper<F>(self, n: i64, f: F) -> Self
    where
        F: Fn(&[Val]) -> Result<Option<Val>, TrapCode> + Send + Sync + 'static,
    {
        self.with(&format!("bpf_helper_{n}"), f)
    }

    /// Registers an already shared function as `name`; returns the one it replaces.
    pub fn insert(&mut self, name: impl Into<String>, f: HostFn) -> Option<HostFn> {
        Arc::make_mut(&mut self.fns).insert(name.into(), f)
    }

    /// The function registered as `name`.
    pub fn get(&self, name: &str) -> Option<&HostFn> {
        self.fns.get(name)
    }

    /// The registered names, in no particular order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.fns.keys().map(String::as_str)
    }

    /// Number of registered functions.
    pub fn len(&self) -> usize {
        self.fns.len()
    }

    /// Whether nothing is registered.
    pub fn is_empty(&self) -> bool {
        self.fns.is_empty()
    }

    /// The function registered as `name`, made panic-safe: a panic becomes
    /// `Err(TrapCode::HostError)`, so a panicking host function traps the same way on the
    /// interpreter as in compiled code (where it must not unwind).
    pub(crate) fn guarded(&self, name: &str) -> Option<HostFn> {
        let f = self.fns.get(name)?.clone();
        Some(Arc::new(move |args: &[Val]| {
            catch_unwind(AssertUnwindSafe(|| f(args))).unwrap_or(Err(TrapCode::HostError))
        }))
    }
}

impl fmt::Debug for HostFunctions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<&str> = self.names().collect();
        names.sort_unstable();
        f.debug_struct("HostFunctions").field("names", &names).finish()
    }
}

/// One resolved extern: the Rust function and the declared types.
struct Entry {
    f: HostFn,
    params: SmallVec<[Type; 6]>,
    ret: Option<Type>,
}

/// The host functions of one compiled module, by [`strata_ir::ExternId`], in the form JIT
/// code calls: a table of [`HostCallFn`] pointers (the dispatcher, or null for an extern
/// with no registered function) and what the dispatcher needs to call the closures.
///
/// [`HostTable::install`] points a [`VmContext`]'s `host_table`, `host_count` and
/// `user_data` at it; the dispatcher relies on `user_data` pointing at this table, so an
/// embedder must not put anything else there while calling compiled code with it. The
/// table must stay alive (and not move: keep it boxed) while such a context is in use.
pub struct HostTable {
    entries: Vec<Option<Entry>>,
    table: Vec<*const u8>,
}

// SAFETY: the raw pointers are addresses of the immutable `dispatch` function (or null);
// the entries are `Send + Sync` closures and plain types.
unsafe impl Send for HostTable {}
unsafe impl Sync for HostTable {}

impl fmt::Debug for HostTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let registered = self.entries.iter().filter(|e| e.is_some()).count();
        f.debug_struct("HostTable").field("externs", &self.entries.len()).field("registered", &registered).finish()
    }
}

impl HostTable {
    /// Resolves `module`'s externs by name in `hosts`.
    pub fn new(module: &Module, hosts: &HostFunctions) -> HostTable {
        let mut entries = Vec::with_capacity(module.externs.len());
        let mut table = Vec::with_capacity(module.externs.len());
        for (id, ext) in module.externs.iter() {
            debug_assert_eq!(id.index(), entries.len(), "externs are numbered densely");
            match hosts.get(&ext.name) {
                Some(f) => {
                    let dispatcher: HostCallFn = dispatch;
                    table.push(dispatcher as *const u8);
                    entries.push(Some(Entry {
                        f: f.clone(),
                        params: ext.params.iter().copied().collect(),
                        ret: ext.ret,
                    }));
                }
                None => {
                    table.push(std::ptr::null());
                    entries.push(None);
                }
            }
        }
        HostTable { entries, table }
    }

    /// Points `ctx`'s host table, count and `user_data` at this table.
    pub fn install(&self, ctx: &mut VmContext) {
        ctx.host_table = self.table.as_ptr();
        ctx.host_count = self.table.len() as u64;
        ctx.user_data = self as *const HostTable as *mut u8;
    }
}

/// The one [`HostCallFn`] in every non-null entry of a [`HostTable`].
///
/// # Safety
/// `ctx` is a live context whose `user_data` points to the live [`HostTable`] whose table
/// holds this entry (see [`HostTable::install`]); `args` points to one slot per parameter
/// the extern `index` declares, `ret` to a writable slot.
unsafe extern "C" fn dispatch(ctx: *mut VmContext, index: u64, args: *const u64, ret: *mut u64) {
    // Nothing may unwind out of an `extern "C"` function called from JIT code.
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: the caller's contract (above).
        let table = unsafe { &*((*ctx).user_data as *const HostTable) };
        let Some(Some(e)) = usize::try_from(index).ok().and_then(|i| table.entries.get(i)) else {
            return Err(TrapCode::HostError);
        };
        let vals: SmallVec<[Val; 6]> = e
            .params
            .iter()
            .enumerate()
            // SAFETY: `args` holds one slot per declared parameter.
            .map(|(i, &t)| slot_to_val(t, unsafe { *args.add(i) }))
            .collect();
        let result = (e.f)(&vals)?;
        // The host must return what the declaration promises (as the interpreter checks).
        if result.map(|v| v.ty()) != e.ret {
            return Err(TrapCode::HostError);
        }
        if let Some(v) = result {
            // SAFETY: `ret` is a writable slot.
            unsafe { *ret = val_to_slot(v) };
        }
        Ok(())
    }));
    let code = match outcome {
        Ok(Ok(())) => return,
        Ok(Err(code)) => code,
        Err(_panic) => TrapCode::HostError,
    };
    // A code that reads as "no trap" would let the program continue with no result.
    let raw = match code.to_u32() {
        0 => TrapCode::HostError.to_u32(),
        n => n,
    };
    // SAFETY: the caller's contract.
    unsafe { (*ctx).trap_code = raw };
}

/// The array-call slot of a scalar (`strata_ir::abi` encoding). Vectors have no slot.
pub(crate) fn val_to_slot(v: Val) -> u64 {
    match v {
        Val::Bool(b) => b as u64,
        Val::I8(x) => x as u8 as u64,
        Val::I16(x) => x as u16 as u64,
        Val::I32(x) => x as u32 as u64,
        Val::I64(x) => x as u64,
        Val::F32(x) => x.to_bits() as u64,
        Val::F64(x) => x.to_bits(),
        Val::Ptr(p) => p,
        Val::Vector(_) => 0,
    }
}

/// The scalar of type `ty` in an array-call slot (only the low bits of narrow types count).
pub(crate) fn slot_to_val(ty: Type, slot: u64) -> Val {
    match ty {
        Type::BOOL => Val::Bool(slot as u8 != 0),
        Type::I8 => Val::I8(slot as i8),
        Type::I16 => Val::I16(slot as i16),
        Type::I32 => Val::I32(slot as i32),
        Type::F32 => Val::F32(f32::from_bits(slot as u32)),
        Type::F64 => Val::F64(f64::from_bits(slot)),
        Type::PTR => Val::Ptr(slot),
        _ => Val::I64(slot as i64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strata_ir::ExternFunc;

    fn module() -> Module {
        let mut m = Module::new();
        m.add_extern(ExternFunc { name: "add".into(), params: vec![Type::I32, Type::F32], ret: Some(Type::F32) });
        m.add_extern(ExternFunc { name: "missing".into(), params: vec![], ret: None });
        m.add_extern(ExternFunc { name: "boom".into(), params: vec![Type::BOOL], ret: Some(Type::I8) });
        m.add_extern(ExternFunc { name: "liar".into(), params: vec![], ret: Some(Type::I64) });
        m
    }

    fn hosts() -> HostFunctions {
        HostFunctions::new()
            .with("add", |a| match a {
                [Val::I32(x), Val::F32(y)] => Ok(Some(Val::F32(*x as f32 + y))),
                _ => Err(TrapCode::User(9)),
            })
            .with("boom", |a| match a {
                [Val::Bool(true)] => panic!("host panics"),
                _ => Ok(Some(Val::I8(-3))),
            })
            .with("liar", |_| Ok(Some(Val::I32(1))))
    }

    /// Calls table entry `index` the way compiled code does.
    fn call(t: &HostTable, index: u64, args: &[u64]) -> (u32, u64) {
        let mut ctx = VmContext::default();
        t.install(&mut ctx);
        let mut ret = 0u64;
        let Some(&entry) = t.table.get(index as usize) else { return (u32::MAX, 0) };
        if entry.is_null() {
            return (TrapCode::HostError.to_u32(), 0);
        }
        // SAFETY: non-null entries are `dispatch`, called with a context installed from `t`.
        let f: HostCallFn = unsafe { std::mem::transmute::<*const u8, HostCallFn>(entry) };
        unsafe { f(&mut ctx, index, args.as_ptr(), &mut ret) };
        (ctx.trap_code, ret)
    }

    #[test]
    fn dispatch_decodes_calls_and_encodes() {
        let t = HostTable::new(&module(), &hosts());
        assert_eq!(t.table.len(), 4);
        assert!(t.table[1].is_null(), "unregistered extern has a null entry");
        let (code, ret) = call(&t, 0, &[(-2i32) as u32 as u64, u64::from(0.5f32.to_bits())]);
        assert_eq!((code, f32::from_bits(ret as u32)), (0, -1.5));
        assert_eq!(call(&t, 2, &[0]), (0, 0xfd), "i8 -3 in the low bits");
    }

    #[test]
    fn panics_and_wrong_results_are_host_errors() {
        let t = HostTable::new(&module(), &hosts());
        // (The panic message is printed; swapping the global hook would race other tests.)
        let panicked = call(&t, 2, &[1]);
        assert_eq!(panicked.0, TrapCode::HostError.to_u32());
        assert_eq!(call(&t, 3, &[]).0, TrapCode::HostError.to_u32(), "i32 returned for an i64 extern");
    }

    #[test]
    fn registry_is_cheap_to_clone_and_replaces() {
        let a = hosts();
        let mut b = a.clone();
        assert!(b.insert("add", Arc::new(|_: &[Val]| Ok(None))).is_some());
        assert_eq!(a.len(), 3);
        assert!(a.get("add").is_some_and(|f| f(&[Val::I32(1), Val::F32(1.0)]) == Ok(Some(Val::F32(2.0)))));
        assert!(b.get("add").is_some_and(|f| f(&[]) == Ok(None)));
        let h = HostFunctions::new().with_helper(5, |a| Ok(a.first().copied()));
        assert!(h.get("bpf_helper_5").is_some());
        assert!(format!("{h:?}").contains("bpf_helper_5"));
    }

    #[test]
    fn guarded_turns_panics_into_traps() {
        let h = hosts();
        let r = h.guarded("boom").map(|f| f(&[Val::Bool(true)]));
        assert_eq!(r, Some(Err(TrapCode::HostError)));
    }
}
