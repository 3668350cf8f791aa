//! The dedicated BPF interpreter (`strata_frontend::bpf::BpfInterp`, `Tier::Interpreter` for
//! BPF) against the IR interpreter on the lifted program, for every generated BPF program:
//! the same r0 or trap code and the same final memory, on a few memories and fuel budgets
//! (small ones, so fuel runs out inside loops and calls). Called from `difftest.rs`'s
//! `bpf_text`; it does not generate programs or compare the compiled tiers.

use strata_frontend::bpf::{BpfInterp, Insn};
use strata_ir::interp::{Arg, Interpreter, Val};
use strata_ir::Module;

/// `Err` describes the first disagreement.
pub(crate) fn check(insns: &[Insn], module: &Module) -> Result<(), String> {
    let vm = BpfInterp::new(insns).map_err(|e| format!("BPF interpreter rejects the program: {e}"))?;
    for (k, fuel) in [None, Some(40), Some(5)].into_iter().enumerate() {
        let mem: Vec<u8> =
            (0..crate::bpf_gen::MEM_BYTES).map(|i| (i as u32).wrapping_mul(2_654_435_761 + k as u32) as u8).collect();
        let mut m1 = mem.clone();
        let a = vm.run(&mut m1, fuel, &[]).map_err(|t| format!("trap {}", t.code));
        let mut it = Interpreter::new(module).map_err(|e| format!("IR interpreter: {e}"))?;
        if let Some(f) = fuel {
            it = it.with_fuel(f);
        }
        let mut m2 = mem.clone();
        let b = match it.call("main", &mut [Arg::SliceMut(&mut m2)]) {
            Ok(Some(Val::I64(v))) => Ok(v as u64),
            Ok(other) => return Err(format!("IR interpreter returned {other:?}")),
            Err(e) => Err(match e.trap_code() {
                Some(c) => format!("trap {c}"),
                None => return Err(format!("IR interpreter: {e}")),
            }),
        };
        if (&a, &m1) != (&b, &m2) {
            return Err(format!(
                "BPF interpreter disagrees with the IR interpreter (fuel {fuel:?}): {a:?} vs {b:?}{}",
                if m1 != m2 { ", final memory differs" } else { "" }
            ));
        }
    }
    Ok(())
}
