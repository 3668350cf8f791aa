//! The BPF conformance suite on every tier through `strata_runtime::compile_bpf` (the BPF
//! interpreter, Cranelift tier 1, LLVM tier 2), compared with `-- result`, with the CLI's
//! default helper set (helper 5 returns r1) so the files that call a helper run too; the IR
//! interpreter runs all of them in `frontend/tests/bpf_conformance.rs`.

#[path = "../frontend/tests/common/bpf_suite.rs"]
mod bpf_suite;

use bpf_suite::{cases, program};
use strata_frontend::bpf;
use strata_ir::{Arg, Val};
use strata_runtime::{Options, Tier};

fn run_tier(tier: Tier) {
    let Some(cases) = cases() else { return };
    let opts = Options { fuel: Some(10_000_000), hosts: strata::bpf::default_helpers(), ..Options::default() };
    let (mut passed, mut with_helpers, mut failures) = (0, Vec::new(), Vec::new());
    for c in &cases {
        let p = program(c).unwrap_or_else(|e| panic!("{}: {e}", c.name));
        let m = bpf::lift(&p).unwrap_or_else(|e| panic!("{}: {e}", c.name));
        if !m.externs.is_empty() {
            with_helpers.push(c.name.clone());
        }
        // compile_bpf: the BPF interpreter on Tier::Interpreter, the lifted IR elsewhere.
        let compiled = match strata_runtime::compile_bpf(&p, tier, &opts) {
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
    println!("{tier:?}: {passed}/{} passed (calling helpers: {})", cases.len(), with_helpers.join(", "));
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(passed, cases.len(), "{tier:?}: every file runs");
    assert!(with_helpers.len() >= 2, "{tier:?}: the helper-calling files ran: {with_helpers:?}");
}

#[test]
fn conformance_tiers() {
    for tier in strata_runtime::available_tiers() {
        run_tier(tier);
    }
}

/// Accesses outside `mem` and the stack trap `out_of_bounds` on every tier, and a stack
/// pointer passed to a local call works.
#[test]
fn checked_accesses_on_tiers() {
    let progs: [(&str, Option<i64>); 5] = [
        ("ldxw %r0, [%r1+2]\nexit", None),
        ("ldxb %r0, [%r1-1]\nexit", None),
        ("stdw [%r10+0], 1\nmov %r0, 0\nexit", None),
        ("ldxh %r0, [%r1+2]\nexit", Some(0x0403)),
        ("stdw [%r10-8], 20\nmov %r1, %r10\nsub %r1, 8\ncall local f\nldxdw %r1, [%r10-8]\nadd %r0, %r1\nexit\nf:\nldxdw %r0, [%r1+0]\nstdw [%r1+0], 1\nexit", Some(21)),
    ];
    let opts = Options { fuel: Some(1_000_000), ..Options::default() };
    for tier in strata_runtime::available_tiers() {
        for (src, want) in progs {
            let m = bpf::lift(&bpf::assemble(src).unwrap()).unwrap();
            let c = strata_runtime::compile(&m, tier, &opts).unwrap();
            let mut mem = [1u8, 2, 3, 4];
            let r = c.call("main", &mut [Arg::SliceMut(&mut mem)]);
            match (want, r) {
                (Some(w), Ok(Some(Val::I64(v)))) => assert_eq!(v, w, "{tier:?}: {src}"),
                (None, Err(strata_runtime::CallError::Trap(t))) => {
                    assert_eq!(t.code, strata_ir::TrapCode::OutOfBounds, "{tier:?}: {src}")
                }
                (w, r) => panic!("{tier:?}: {src}: expected {w:?}, got {r:?}"),
            }
        }
    }
}

/// Random BPF programs (`strata_testgen::bpf_gen`, the generator `strata-difftest --kind bpf`
/// uses: loops, local calls, helpers-free stack and memory traffic) give the same result (or
/// trap) on every tier as on the IR interpreter, and on the BPF interpreter.
#[test]
fn random_programs_agree_across_tiers() {
    let opts = Options { fuel: Some(1_000_000), ..Options::default() };
    let tiers = strata_runtime::available_tiers();
    let mut checked = 0;
    for seed in 0..120u64 {
        let p = strata_testgen::bpf_gen::program(0x9e37_79b9 ^ seed);
        let src = bpf::disassemble(&p);
        let Ok(m) = bpf::lift(&p) else { continue };
        let mem0: Vec<u8> =
            (0..strata_testgen::bpf_gen::MEM_BYTES).map(|i| (i as u8).wrapping_mul(37) ^ 0x5a).collect();
        let run = |tier: Tier| {
            let c = strata_runtime::compile(&m, tier, &opts).unwrap();
            let mut mem = mem0.clone();
            let r = c.call("main", &mut [Arg::SliceMut(&mut mem)]);
            match r {
                Ok(Some(Val::I64(v))) => Ok((v, mem)),
                Err(strata_runtime::CallError::Trap(t)) => Err(format!("{:?}", t.code)),
                other => Err(format!("{other:?}")),
            }
        };
        let want = run(Tier::Interpreter);
        for &t in &tiers {
            assert_eq!(run(t), want, "{t:?}:\n{src}");
        }
        // The BPF interpreter (compile_bpf's Tier::Interpreter) agrees with the IR interpreter.
        let c = strata_runtime::compile_bpf(&p, Tier::Interpreter, &opts).unwrap();
        let mut mem = mem0.clone();
        let got = match c.call("main", &mut [Arg::SliceMut(&mut mem)]) {
            Ok(Some(Val::I64(v))) => Ok((v, mem)),
            Err(strata_runtime::CallError::Trap(t)) => Err(format!("{:?}", t.code)),
            other => Err(format!("{other:?}")),
        };
        assert_eq!(got, want, "BPF interpreter:\n{src}");
        checked += 1;
    }
    println!("{checked} random programs agree on {tiers:?}");
    assert!(checked > 60);
}
