//! The BPF conformance suite on the compiled tiers (Cranelift tier 1, LLVM tier 2) through
//! `strata_runtime`, compared with `-- result`. The runtime has no host functions yet, so
//! the files whose program calls a helper (`call N` or callx) are skipped here; the
//! interpreter runs all of them in `frontend/tests/bpf_conformance.rs`.

#[path = "../frontend/tests/common/bpf_suite.rs"]
mod bpf_suite;

use bpf_suite::{cases, program};
use strata_frontend::bpf;
use strata_ir::{Arg, Val};
use strata_runtime::{Options, Tier};

fn run_tier(tier: Tier) {
    let Some(cases) = cases() else { return };
    let opts = Options { fuel: Some(10_000_000), ..Options::default() };
    let (mut passed, mut skipped, mut failures) = (0, Vec::new(), Vec::new());
    for c in &cases {
        let p = program(c).unwrap_or_else(|e| panic!("{}: {e}", c.name));
        let m = bpf::lift(&p).unwrap_or_else(|e| panic!("{}: {e}", c.name));
        if !m.externs.is_empty() {
            skipped.push(c.name.clone());
            continue;
        }
        let compiled = match strata_runtime::compile(&m, tier, &opts) {
            Ok(x) => x,
            Err(e) => {
                failures.push(format!("{}: compile: {e}", c.name));
                continue;
            }
        };
        let mut mem = c.mem.clone();
        match compiled.call("main", &mut [Arg::SliceMut(&mut mem)]) {
            Ok(Some(Val::I64(v))) if v as u64 == c.result => passed += 1,
            Ok(r) => failures.push(format!("{}: got {r:?}, expected {:#x}", c.name, c.result)),
            Err(e) => failures.push(format!("{}: {e}", c.name)),
        }
    }
    println!(
        "{tier:?}: {passed}/{} passed, {} skipped (helper calls: {})",
        cases.len(),
        skipped.len(),
        skipped.join(", ")
    );
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn conformance_tiers() {
    for tier in strata_runtime::available_tiers() {
        if tier != Tier::Interpreter {
            run_tier(tier);
        }
    }
}
