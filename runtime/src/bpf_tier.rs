//! BPF programs on the runtime's tiers: [`compile_bpf`] runs `Tier::Interpreter` on the
//! dedicated BPF interpreter (`strata_frontend::bpf::BpfInterp`, measurably faster than the
//! IR interpreter on lifted code; see docs/benchmarks.md) and every other tier on the lifted
//! IR. This file holds the interpreter's side of [`CompiledModule`]; it does not compile IR.

use crate::dynamic_call::{CallError, CompileError, CompiledModule};
use crate::tier::Tier;
use crate::Options;
use strata_frontend::bpf::{self, BpfInterp, Insn};
use strata_ir::interp::{Arg, HostFn, Trap, Val};

/// A BPF program on the BPF interpreter, with its helpers resolved from the options.
pub(crate) struct BpfCode {
    vm: BpfInterp,
    helpers: Vec<Option<HostFn>>,
}

impl BpfCode {
    /// Calls `main` (the only exported function of a lifted program) on `args`: one
    /// mutable byte slice, the program's memory.
    pub(crate) fn call(&self, name: &str, args: &mut [Arg<'_>], fuel: Option<u64>) -> Result<Option<Val>, CallError> {
        if name != "main" {
            return Err(CallError::NoSuchFunction(name.to_string()));
        }
        let mem: &mut [u8] = match args {
            [Arg::SliceMut(m)] => m,
            _ => return Err(CallError::BadArguments("function `main`: expected one mutable byte slice".into())),
        };
        match self.vm.run(mem, fuel, &self.helpers) {
            Ok(r0) => Ok(Some(Val::I64(r0 as i64))),
            Err(t) => Err(CallError::Trap(Trap { code: t.code, function: t.function })),
        }
    }
}

/// Compiles a BPF program for `tier`: the BPF interpreter for [`Tier::Interpreter`], the
/// lifted IR (after `opts.pipeline`) on the others. Helper `N` is the host function
/// `bpf_helper_N` of `opts.hosts`. Fuel (`opts.fuel`) runs out at the same point on every
/// tier.
///
/// ```
/// use strata_runtime::{compile_bpf, Options, Tier};
/// use strata_ir::interp::{Arg, Val};
/// let prog = strata_frontend::bpf::assemble("mov %r0, 6\nmul %r0, 7\nexit").unwrap();
/// for tier in strata_runtime::available_tiers() {
///     let c = compile_bpf(&prog, tier, &Options::default()).unwrap();
///     assert_eq!(c.call("main", &mut [Arg::SliceMut(&mut [])]).unwrap(), Some(Val::I64(42)));
/// }
/// ```
pub fn compile_bpf(insns: &[Insn], tier: Tier, opts: &Options) -> Result<CompiledModule, CompileError> {
    let module = bpf::lift(insns).map_err(|e| CompileError::Bpf(e.to_string()))?;
    if tier != Tier::Interpreter {
        return crate::dynamic_call::compile(&module, tier, opts);
    }
    bpf_interp_code(insns, module, opts)
}

/// `insns` (lifted to `module`) on the BPF interpreter, helpers from `opts.hosts`.
pub(crate) fn bpf_interp_code(
    insns: &[Insn],
    module: strata_ir::Module,
    opts: &Options,
) -> Result<CompiledModule, CompileError> {
    let vm = BpfInterp::new(insns).map_err(|e| CompileError::Bpf(e.to_string()))?;
    let helpers = vm.helpers().iter().map(|n| opts.hosts.guarded(&format!("bpf_helper_{n}"))).collect();
    Ok(CompiledModule::from_bpf(module, BpfCode { vm, helpers }, opts))
}
