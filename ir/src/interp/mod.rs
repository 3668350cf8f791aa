//! The IR interpreter (tier 0): the reference semantics every compiled tier is tested
//! against (docs/ir.md, "Semantics").
//!
//! [`Interpreter::new`] decodes every function of a module once into a compact form (a
//! flat vector of type-specialized ops over `u64` register slots, branch targets resolved
//! to code offsets, constants pre-loaded; see `code.rs`, `decode.rs` and `select.rs`).
//! [`Interpreter::call`] then runs an exported function on an explicit frame stack
//! (`exec.rs`, with vector instructions in `vector.rs`), checking every memory access
//! against the regions the call may touch (`memory.rs`). The semantics of each operation
//! live in `ops.rs`; values crossing the API in `value.rs`. The interpreter is
//! `Send + Sync`; each call keeps its own registers, frames and memory table, so several
//! threads may call it at once.
//!
//! ```
//! use strata_ir::{Function, FunctionBuilder, Interpreter, Linkage, Module, Param, Signature, Type, Val, Arg};
//! let sig = Signature::new(vec![Param::scalar("x", Type::I32)], Some(Type::I32));
//! let mut f = Function::new("double", Linkage::Export, sig);
//! let mut b = FunctionBuilder::new(&mut f);
//! let p = b.create_entry_block();
//! let y = b.iadd(p[0], p[0]);
//! b.ret(Some(y));
//! b.finalize().unwrap();
//! let mut m = Module::new();
//! m.add_function(f);
//! let interp = Interpreter::new(&m).unwrap();
//! assert_eq!(interp.call("double", &mut [Arg::Val(Val::I32(21))]).unwrap(), Some(Val::I32(42)));
//! ```
//!
//! Fuel, when set, is paid one unit per loop back-edge (a branch to a block at the same or
//! an earlier layout position) and per `call` instruction; a host call or the entry call
//! costs nothing. The call-depth limit counts live frames, the entry function's included.

mod code;
mod decode;
mod error;
mod exec;
mod memory;
pub(crate) mod ops;
mod select;
mod value;
mod vector;

pub use error::{InterpError, Trap};
pub use value::{from_le_bytes, to_le_bytes, Arg, LeBytes, Val, VectorVal, MAX_VECTOR_BYTES};

use crate::abi::DEFAULT_MAX_CALL_DEPTH;
use crate::entities::FuncId;
use crate::instructions::TrapCode;
use crate::signature::ParamKind;
use decode::Program;
use memory::Memory;
use std::sync::Arc;

/// A host function: receives the arguments of a `call_host` (typed as the `extern fn`
/// declares them) and returns its result, or a trap code (normally
/// [`TrapCode::HostError`]) to stop the program.
pub type HostFn = Arc<dyn Fn(&[Val]) -> Result<Option<Val>, TrapCode> + Send + Sync>;

/// The IR interpreter for one module. See the [module documentation](self).
pub struct Interpreter {
    prog: Program,
    /// Host functions by [`crate::ExternId`] index; `None` traps `host_error` when called.
    hosts: Vec<Option<HostFn>>,
    fuel: Option<u64>,
    max_depth: u32,
}

impl std::fmt::Debug for Interpreter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Interpreter")
            .field("functions", &self.prog.funcs.iter().map(|f| &f.name).collect::<Vec<_>>())
            .field("fuel", &self.fuel)
            .field("max_depth", &self.max_depth)
            .finish_non_exhaustive()
    }
}

impl Interpreter {
    /// Decodes every function of `module`. Fails with [`InterpError::InvalidIr`] where the
    /// decoder notices IR that would not verify (bad entity references, missing
    /// terminators, mismatched operand types), and [`InterpError::Unsupported`] for vectors
    /// wider than [`MAX_VECTOR_BYTES`] or huge stack frames.
    pub fn new(module: &crate::Module) -> Result<Interpreter, InterpError> {
        // The decoder is written for verified IR (it still refuses, rather than panics on,
        // what it notices); verifying first turns every malformation into a clear error.
        if let Err(errors) = crate::verify_module(module) {
            let function = errors.0.first().map(|e| e.function.clone()).unwrap_or_default();
            return Err(InterpError::InvalidIr { function, message: errors.to_string() });
        }
        Self::new_without_verifying(module)
    }

    /// Decodes `module` without running the verifier first. Only for robustness tests of
    /// the decoder itself, which must refuse (never panic on) malformed IR; use
    /// [`Interpreter::new`].
    #[doc(hidden)]
    pub fn new_without_verifying(module: &crate::Module) -> Result<Interpreter, InterpError> {
        let prog = decode::decode_module(module)?;
        let hosts = vec![None; prog.externs.len()];
        Ok(Interpreter { prog, hosts, fuel: None, max_depth: DEFAULT_MAX_CALL_DEPTH })
    }

    /// Limits each call to `fuel` units: one per loop back-edge and per `call`. Running
    /// out traps `fuel_exhausted`. Without it, fuel is unlimited.
    pub fn with_fuel(mut self, fuel: u64) -> Self {
        self.fuel = Some(fuel);
        self
    }

    /// Limits calls to `depth` live frames (default [`DEFAULT_MAX_CALL_DEPTH`]); a call
    /// beyond it traps `stack_overflow`.
    pub fn with_max_call_depth(mut self, depth: u32) -> Self {
        self.max_depth = depth;
        self
    }

    /// Registers the implementation of the `extern fn` named `name`. Names the module
    /// does not declare are ignored; registering a name again replaces the function.
    pub fn with_host<F>(self, name: &str, f: F) -> Self
    where
        F: Fn(&[Val]) -> Result<Option<Val>, TrapCode> + Send + Sync + 'static,
    {
        self.with_host_fn(name, Arc::new(f))
    }

    /// [`Interpreter::with_host`] for an already shared function.
    pub fn with_host_fn(mut self, name: &str, f: HostFn) -> Self {
        for (slot, ext) in self.hosts.iter_mut().zip(&self.prog.externs) {
            if ext.name == name {
                *slot = Some(f.clone());
            }
        }
        self
    }

    /// The id of the function named `name`.
    pub fn func_id(&self, name: &str) -> Option<FuncId> {
        self.prog.by_name.get(name).map(|&i| FuncId::from_u32(i))
    }

    /// Calls the exported function `name`. `args` has one entry per signature parameter
    /// (a slice parameter takes one [`Arg::Slice`]/[`Arg::SliceMut`]); writes through
    /// mutable slices are visible in them afterwards. Returns the function's result.
    pub fn call(&self, name: &str, args: &mut [Arg<'_>]) -> Result<Option<Val>, InterpError> {
        let id = self.func_id(name).ok_or_else(|| InterpError::NoSuchFunction(name.to_string()))?;
        self.call_id(id, args)
    }

    /// [`Interpreter::call`] by function id.
    pub fn call_id(&self, func: FuncId, args: &mut [Arg<'_>]) -> Result<Option<Val>, InterpError> {
        let f =
            self.prog.funcs.get(func.as_u32() as usize).ok_or_else(|| InterpError::NoSuchFunction(func.to_string()))?;
        if !f.exported {
            return Err(InterpError::NotExported(f.name.clone()));
        }
        let bad = |message: String| InterpError::BadArguments { function: f.name.clone(), message };
        if args.len() != f.sig.params.len() {
            return Err(bad(format!("expected {} arguments, got {}", f.sig.params.len(), args.len())));
        }
        let mut mem = Memory::new();
        let mut regs = vec![0u64; f.nslots as usize];
        let mut abi = 0usize;
        // Entry-block parameter `abi` lives at `param_slots[abi]` (see `code::param_slots`).
        let put = |regs: &mut Vec<u64>, abi: usize, v: Val| {
            let s = f.param_slots.get(abi).copied().unwrap_or(0) as usize;
            let n = value::slot_count(v.ty());
            if let Some(slots) = regs.get_mut(s..s + n) {
                v.write_slots(slots);
            }
        };
        for (p, arg) in f.sig.params.iter().zip(args.iter_mut()) {
            match (p.kind, arg) {
                (ParamKind::Scalar(ty), Arg::Val(v)) => {
                    if v.ty() != ty {
                        return Err(bad(format!("parameter `{}` is {ty}, got a {} value", p.name, v.ty())));
                    }
                    put(&mut regs, abi, *v);
                }
                (ParamKind::Scalar(ty), _) => {
                    return Err(bad(format!("parameter `{}` is {ty}, got a slice", p.name)));
                }
                (ParamKind::Slice { .. }, Arg::Val(v)) => {
                    return Err(bad(format!("parameter `{}` is {}, got a {} value", p.name, p.kind, v.ty())));
                }
                (ParamKind::Slice { elem, mutable }, arg) => {
                    // The decoder checked that slice elements have a non-zero size.
                    let size = elem.bytes().unwrap_or(1).max(1) as usize;
                    let (len, addr) = match (mutable, arg) {
                        (true, Arg::SliceMut(s)) => (s.len(), mem.add_writable(s)),
                        (false, Arg::SliceMut(s)) => (s.len(), mem.add_readonly(s)),
                        (false, Arg::Slice(s)) => (s.len(), mem.add_readonly(s)),
                        _ => {
                            return Err(bad(format!("parameter `{}` is {}: it needs a mutable slice", p.name, p.kind)))
                        }
                    };
                    if len % size != 0 {
                        return Err(bad(format!(
                            "parameter `{}` is {}: {len} bytes is not a whole number of {size}-byte elements",
                            p.name, p.kind
                        )));
                    }
                    put(&mut regs, abi, Val::Ptr(addr));
                    put(&mut regs, abi + 1, Val::I64((len / size) as i64));
                }
            }
            abi += p.abi_len();
        }
        for d in &self.prog.data {
            mem.add_readonly(d);
        }
        let limits = exec::Limits { fuel: self.fuel.unwrap_or(u64::MAX), max_depth: self.max_depth };
        Ok(exec::run(&self.prog, &self.hosts, limits, func.as_u32(), &mut regs, &mut mem)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpreter_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Interpreter>();
    }
}
