//! A dedicated BPF interpreter: `Tier::Interpreter` for BPF programs. The verified program
//! is pre-decoded once (`predecode.rs`) into one compact op per slot (`op.rs`) and run by a
//! tight loop (`exec.rs`), instead of interpreting the lifted IR, which spends several IR
//! operations per BPF instruction. It must agree with the lifted IR on every tier, bit for
//! bit: the same sandbox (r1/r2 = the caller's memory, a 512-byte frame per call at r10,
//! eight frames), the same trap codes, helper calls through the same host functions, and
//! fuel paid at the same points (one unit per taken jump to an earlier-or-same slot, per
//! local call, and per failed access check — exactly the lifted IR's back-edges and calls).
//! This file is the public face only.
//!
//! ```
//! use strata_frontend::bpf::{assemble, BpfInterp};
//! let prog = assemble("mov %r0, 0\nldxb %r2, [%r1+0]\nadd %r0, %r2\nexit").unwrap();
//! let vm = BpfInterp::new(&prog).unwrap();
//! assert_eq!(vm.run(&mut [7, 8], None, &[]), Ok(7));
//! let oob = vm.run(&mut [], None, &[]).unwrap_err();
//! assert_eq!(oob.code, strata_ir::TrapCode::OutOfBounds);
//! ```

mod exec;
mod fuse;
mod op;
mod predecode;

use super::error::BpfError;
use super::insn::Insn;
use std::fmt;
use strata_ir::interp::HostFn;
use strata_ir::TrapCode;

/// A trap: its code and the function it happened in (`main` or `bpf_local_<slot>`, the
/// names of the lifted IR's functions).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BpfTrap {
    /// What went wrong.
    pub code: TrapCode,
    /// Where.
    pub function: String,
}

impl fmt::Display for BpfTrap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "trap {} in function `{}`", self.code, self.function)
    }
}

impl std::error::Error for BpfTrap {}

/// A verified, pre-decoded BPF program. Cheap to run many times; `Send + Sync`.
#[derive(Clone, Debug)]
pub struct BpfInterp {
    prog: predecode::Decoded,
    names: Vec<String>,
}

impl BpfInterp {
    /// Verifies and pre-decodes `insns`; the error names the offending slot.
    pub fn new(insns: &[Insn]) -> Result<BpfInterp, BpfError> {
        let prog = predecode::predecode(insns)?;
        let names =
            prog.entries.iter().map(|&e| if e == 0 { "main".to_string() } else { format!("bpf_local_{e}") }).collect();
        Ok(BpfInterp { prog, names })
    }

    /// The helper numbers the program may call, in the order [`BpfInterp::run`] takes
    /// their implementations.
    pub fn helpers(&self) -> &[i64] {
        &self.prog.helpers
    }

    /// Runs the program on `mem` (r1 = its address, or 0 when empty; r2 = its length) and
    /// returns r0. `fuel`: `None` for unlimited. `helpers[i]` implements helper
    /// `self.helpers()[i]` (called with r1–r5 as `i64`, it must return an `i64`); a missing
    /// one traps `host_error` when called.
    pub fn run(&self, mem: &mut [u8], fuel: Option<u64>, helpers: &[Option<HostFn>]) -> Result<u64, BpfTrap> {
        exec::run(&self.prog, &self.names, mem, fuel.unwrap_or(u64::MAX), helpers)
    }
}

#[cfg(test)]
mod tests;
