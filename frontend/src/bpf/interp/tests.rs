//! The BPF interpreter against the IR interpreter on the lifted program: results, final
//! memory, trap codes and the fuel at which a program stops, on hand-written programs and
//! on random ones with loops, local calls, helpers, stack and memory accesses.

use super::*;
use crate::bpf::{assemble, lift};
use std::sync::Arc;
use strata_ir::interp::Val;
use strata_ir::{Arg, Interpreter};

/// Helper 7 returns r2; helper 8 fails with `user7`.
fn helper(n: i64) -> Option<HostFn> {
    match n {
        7 => Some(Arc::new(|a: &[Val]| Ok(a.get(1).copied()))),
        8 => Some(Arc::new(|_: &[Val]| Err(TrapCode::User(7)))),
        _ => None,
    }
}

/// (r0 or trap code, final memory) on the BPF interpreter and on the IR interpreter.
fn both(insns: &[Insn], mem: &[u8], fuel: Option<u64>) -> [(Result<u64, TrapCode>, Vec<u8>); 2] {
    let vm = BpfInterp::new(insns).unwrap();
    let hs: Vec<_> = vm.helpers().iter().map(|&n| helper(n)).collect();
    let mut m1 = mem.to_vec();
    let a = vm.run(&mut m1, fuel, &hs).map_err(|t| t.code);
    let module = lift(insns).unwrap();
    let mut it = Interpreter::new(&module).unwrap();
    for n in [7, 8] {
        if let Some(f) = helper(n) {
            it = it.with_host_fn(&format!("bpf_helper_{n}"), f);
        }
    }
    if let Some(f) = fuel {
        it = it.with_fuel(f);
    }
    let mut m2 = mem.to_vec();
    let b = match it.call("main", &mut [Arg::SliceMut(&mut m2)]) {
        Ok(Some(Val::I64(v))) => Ok(v as u64),
        Ok(other) => panic!("IR interpreter returned {other:?}"),
        Err(e) => Err(e.trap_code().unwrap_or(TrapCode::Unreachable)),
    };
    [(a, m1), (b, m2)]
}

fn agree(src: &str, mem: &[u8], fuel: Option<u64>) -> Result<u64, TrapCode> {
    let insns = assemble(src).unwrap();
    let [a, b] = both(&insns, mem, fuel);
    assert_eq!(a, b, "BPF interpreter vs IR interpreter (fuel {fuel:?}):\n{src}");
    a.0
}

#[test]
fn sandbox_traps_like_the_ir() {
    let mem = [1u8, 2, 3, 4];
    assert_eq!(agree("ldxw %r0, [%r1+0]\nexit", &mem, None), Ok(0x0403_0201));
    for src in [
        "ldxw %r0, [%r1+1]\nexit",
        "ldxb %r0, [%r1-1]\nexit",
        "stdw [%r10+0], 1\nmov %r0, 0\nexit",
        "ldxb %r0, [%r10-513]\nexit",
        "call local f\nexit\nf:\nldxb %r0, [%r10-513]\nexit",
        "mov %r2, %r10\nadd %r2, 4\nldxb %r0, [%r2-1]\nexit",
    ] {
        assert_eq!(agree(src, &mem, None), Err(TrapCode::OutOfBounds), "{src}");
    }
    assert_eq!(agree("ldxdw %r0, [%r1+0]\nexit", &[], None), Err(TrapCode::OutOfBounds));
    assert_eq!(agree("mov %r0, %r1\nexit", &[], None), Ok(0));
    assert_eq!(agree("call local f\nexit\nf:\ncall local f\nexit", &[], None), Err(TrapCode::StackOverflow));
    assert_eq!(agree("mov %r0, 0\nja -1\nexit", &[], Some(1000)), Err(TrapCode::FuelExhausted));
    // In the lifted IR the trap block of checked accesses sits before the check that
    // branches to it: failing a check is a back-edge and costs fuel first.
    assert_eq!(agree("ldxw %r0, [%r1+8]\nexit", &mem, Some(0)), Err(TrapCode::FuelExhausted));
    assert_eq!(agree("ldxw %r0, [%r1+8]\nexit", &mem, Some(1)), Err(TrapCode::OutOfBounds));
}

#[test]
fn calls_helpers_and_frames() {
    let src = "mov %r6, 5\nstdw [%r10-8], 1\nmov %r1, 3\ncall local f\nldxdw %r1, [%r10-8]\nadd %r0, %r6\n\
               add %r0, %r1\nexit\nf:\nmov %r6, 100\nstdw [%r10-8], 50\nmov %r0, %r1\nmul %r0, 10\nexit";
    assert_eq!(agree(src, &[], None), Ok(36));
    assert_eq!(agree("mov %r1, 1\nmov %r2, 2\ncall 7\nexit", &[], None), Ok(2));
    assert_eq!(agree("mov %r2, 2\nmov %r3, 7\ncall %r3\nexit", &[], None), Ok(2));
    assert_eq!(agree("mov %r0, 0\njeq %r0, 0, +0\ncall %r2\nexit", &[], None), Err(TrapCode::Unreachable));
    assert_eq!(agree("call 9\nexit", &[], None), Err(TrapCode::HostError));
    assert_eq!(agree("call 8\nexit", &[], None), Err(TrapCode::User(7)));
    let src = "stdw [%r10-8], 20\nmov %r1, %r10\nsub %r1, 8\ncall local f\nldxdw %r1, [%r10-8]\nadd %r0, %r1\nexit\n\
               f:\nldxdw %r0, [%r1+0]\nstdw [%r1+0], 1\nexit";
    assert_eq!(agree(src, &[], None), Ok(21));
}

#[test]
fn fuel_runs_out_at_the_same_point() {
    // A loop of 10 trips (10 back-edges) and a call inside it.
    let src = "mov %r6, 10\nmov %r0, 0\nloop:\nmov %r1, %r6\ncall local f\nsub %r6, 1\njne %r6, 0, loop\nexit\n\
               f:\nmov %r0, %r1\nexit";
    for fuel in 0..25 {
        let r = agree(src, &[], Some(fuel));
        assert_eq!(r.is_ok(), fuel >= 19, "fuel {fuel}: {r:?}");
    }
}

#[test]
fn superinstructions_agree() {
    let mem: Vec<u8> = (0..32).collect();
    for src in [
        // mov; lsh; add with the base aliasing the destination, then a load through it.
        "mov %r2, 3\nmov %r3, %r2\nlsh %r3, 2\nadd %r3, %r1\nldxw %r0, [%r3+0]\nexit",
        "mov %r2, 3\nmov %r3, %r2\nlsh %r3, 2\nadd %r3, %r3\nmov %r0, %r3\nexit",
        "mov %r3, 3\nmov %r3, %r3\nlsh %r3, 1\nadd %r3, %r3\nmov %r0, %r3\nexit",
        // A jump into the middle of a fused run runs the original ops.
        "mov %r2, 3\nmov %r3, 1\nja +1\nmov %r3, %r2\nlsh %r3, 2\nadd %r3, %r1\nldxb %r0, [%r3+0]\nexit",
        // Counting loops: add + jne / jlt / ja, the counter compared or another register.
        "mov %r0, 0\nmov %r1, 10\nadd %r0, %r1\nsub %r1, 1\njne %r1, 0, -3\nexit",
        "mov %r0, 0\nmov %r2, 0\nadd %r0, 3\nadd %r2, 1\njlt %r2, 9, -3\nexit",
        "mov %r0, 0\nmov %r2, 5\njeq %r2, 0, +3\nadd %r0, %r2\nsub %r2, 1\nja -4\nexit",
        "mov %r0, 1\nadd %r0, -1\njne %r0, -1, +1\nmov %r0, 7\nexit",
        // Stores and loads of every size through memory, then the stack through a copy of r10.
        "mov %r2, 0x1234\nstxb [%r1+31], %r2\nstxh [%r1+2], %r2\nstxw [%r1+4], %r2\nstxdw [%r1+8], %r2\n\
         ldxh %r0, [%r1+1]\nldxdw %r3, [%r1+8]\nadd %r0, %r3\nldxb %r3, [%r1+31]\nadd %r0, %r3\nexit",
        "mov %r2, %r10\nmov %r3, 9\nstxw [%r2-4], %r3\nldxw %r0, [%r2-4]\nldxdw %r3, [%r2-8]\nadd %r0, %r3\nexit",
        "ldxw %r0, [%r1+29]\nexit",
        "mov %r0, 0\nmov %r2, 1\nstxdw [%r1+25], %r2\nexit",
        "mov %r2, %r10\nldxdw %r0, [%r2+0]\nexit",
    ] {
        let _ = agree(src, &mem, None);
    }
    for fuel in 0..12 {
        let _ = agree("mov %r0, 0\nmov %r1, 10\nadd %r0, %r1\nsub %r1, 1\njne %r1, 0, -3\nexit", &[], Some(fuel));
        let _ = agree("mov %r0, 0\nmov %r2, 5\njeq %r2, 0, +3\nadd %r0, %r2\nsub %r2, 1\nja -4\nexit", &[], Some(fuel));
    }
}

#[test]
fn alu_edge_cases() {
    for src in [
        "lddw %r0, 0x8000000000000000\nsdiv %r0, -1\nexit",
        "lddw %r0, 0x8000000000000000\nsmod %r0, -1\nexit",
        "mov32 %r0, 0x80000000\nsdiv32 %r0, -1\nexit",
        "mov %r0, 7\nmov %r1, 0\ndiv %r0, %r1\nexit",
        "mov %r0, 7\nmov %r1, 0\nmod32 %r0, %r1\nexit",
        "lddw %r0, 0x1122334455667788\nbe64 %r0\nexit",
        "lddw %r0, 0x1122334455667788\nbe16 %r0\nexit",
        "lddw %r0, 0x1122334455667788\nle32 %r0\nexit",
        "lddw %r0, 0x1122334455667788\nbswap32 %r0\nexit",
        "lddw %r0, -1\nlsh32 %r0, 33\nexit",
        "mov %r0, -8\narsh32 %r0, 1\nexit",
        "mov %r0, -8\nneg32 %r0\nexit",
        "mov %r1, 0x80\nmovsx864 %r0, %r1\nexit",
        "mov %r1, 0x8000\nmovsx1632 %r0, %r1\nexit",
        "mov %r0, -1\njset32 %r0, 0x100, +1\nmov %r0, 3\nexit",
        "mov %r0, -1\njslt32 %r0, 0, +1\nmov %r0, 3\nexit",
        "stw [%r10-4], -1\nldxsw %r0, [%r10-4]\nexit",
        "stdw [%r10-8], 5\nmov %r1, 3\nlock fetch add [%r10-8], %r1\nldxdw %r0, [%r10-8]\nadd %r0, %r1\nexit",
        "stw [%r10-4], 5\nmov %r0, 5\nmov %r1, 9\nlock cmpxchg32 [%r10-4], %r1\nldxw %r1, [%r10-4]\nadd %r0, %r1\nexit",
    ] {
        let _ = agree(src, &[0xff; 8], None);
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
    /// Random programs with backward and forward jumps, stack and memory traffic, atomics,
    /// helpers and a local call: the same result, memory, trap and fuel as the lifted IR.
    #[test]
    fn random_programs_agree(
        ops in proptest::collection::vec((0usize..29, 0u8..10, 0u8..10, -3i32..5), 1..24),
        fuel in proptest::option::of(0u64..60),
    ) {
        let mut src = String::from(
            "mov %r0, 0\nmov %r3, 7\nmov %r4, -1\nmov %r5, 3\nmov %r6, 1\nmov %r7, 2\nmov %r8, 9\nmov %r9, 4\n",
        );
        for (k, d, s, imm) in ops {
            // r1 keeps the memory's address (a host pointer, which must not become data).
            let d = if d == 1 { 0 } else { d };
            let s = if s == 1 { 0 } else { s };
            let line = match k {
                0 => format!("add %r{d}, %r{s}"),
                1 => format!("sdiv32 %r{d}, {imm}"),
                2 => format!("mod %r{d}, %r{s}"),
                3 => format!("lsh %r{d}, %r{s}"),
                4 => format!("be16 %r{d}"),
                5 => format!("jslt %r{d}, %r{s}, +1"),
                6 => format!("ldxb %r{d}, [%r1+{}]", imm.unsigned_abs()),
                7 => format!("stxdw [%r10-{}], %r{s}", 8 * (imm.unsigned_abs() + 1)),
                8 => format!("ldxdw %r{d}, [%r10-{}]", 8 * (imm.unsigned_abs() + 1)),
                9 => format!("lock fetch add [%r10-8], %r{s}"),
                10 => format!("lock cmpxchg32 [%r1+0], %r{s}"),
                11 => format!("movsx1664 %r{d}, %r{s}"),
                12 => format!("jset32 %r{d}, {imm}, -1"),
                13 => format!("neg32 %r{d}"),
                14 => format!("lddw %r{d}, {imm}"),
                15 => format!("jne %r{d}, {imm}, -2"),
                16 => format!("stw [%r1+{}], {imm}", imm.unsigned_abs()),
                17 => format!("mul32 %r{d}, %r{s}"),
                18 => "mov %r2, %r3\ncall 7".to_string(),
                // The argument goes in r2, not r1: a jump may land on the call and skip the
                // `mov`, and r1 is the memory's address, which must not reach the result.
                19 => format!("mov %r2, %r{s}\ncall local f"),
                20 => format!("jsgt32 %r{d}, %r{s}, -3"),
                21 => format!("arsh %r{d}, {imm}"),
                22 => format!("ldxh %r{d}, [%r10-{}]", 2 * (imm.unsigned_abs() + 1)),
                // Runs the interpreter fuses (`fuse.rs`), including aliased registers.
                23 => format!("mov %r{d}, %r{s}\nlsh %r{d}, {}\nadd %r{d}, %r{}", imm & 7, s % 8 + 2),
                24 => format!("add %r{d}, {imm}\njlt %r{s}, {imm}, -3"),
                25 => format!("sub %r{d}, {imm}\njne %r{d}, 0, -2"),
                26 => format!("ldxw %r{d}, [%r1{imm:+}]"),
                27 => format!("stxw [%r1{imm:+}], %r{s}"),
                _ => format!("xor32 %r{d}, {imm}"),
            };
            src.push_str(&line);
            src.push('\n');
        }
        src.push_str("exit\nexit\nf:\nmov %r0, %r2\nadd %r0, 1\nexit\n");
        let Ok(p) = assemble(&src) else { return Ok(()) };
        proptest::prop_assume!(crate::bpf::verify(&p).is_ok());
        let [a, b] = both(&p, &[5, 0x80, 3, 0xff, 1, 2, 3, 4], Some(fuel.unwrap_or(10_000)));
        proptest::prop_assert_eq!(a, b, "{}", src);
    }
}
