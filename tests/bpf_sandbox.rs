//! The BPF sandbox on every tier: a program may touch only the caller's memory (r1, r2) and
//! its 512-byte stack below r10. Loads, stores and atomics below, above or straddling the
//! end of either region trap `out_of_bounds`; endless loops end with `fuel_exhausted`;
//! endless local recursion ends with `stack_overflow`. Every tier must give the same trap
//! code and leave the caller's memory as the interpreter does; the accesses right at the
//! edges of the regions must work.

use strata_frontend::bpf;
use strata_ir::{Arg, TrapCode, Val};
use strata_runtime::{available_tiers, CallError, Options, Tier};

const MEM_LEN: usize = 16;

/// What running `src` with 16 bytes of memory gives on `tier`: r0 or the trap, and the memory.
fn run(src: &str, tier: Tier, fuel: u64) -> (Result<i64, TrapCode>, Vec<u8>) {
    let prog = bpf::assemble(src).unwrap_or_else(|e| panic!("{src}: {e}"));
    let module = bpf::lift(&prog).unwrap_or_else(|e| panic!("{src}: {e}"));
    let opts = Options { fuel: Some(fuel), ..Options::default() };
    let cm = strata_runtime::compile(&module, tier, &opts).unwrap_or_else(|e| panic!("{tier}: {src}: {e}"));
    let mut mem: Vec<u8> = (1..=MEM_LEN as u8).collect();
    let r = match cm.call("main", &mut [Arg::SliceMut(&mut mem)]) {
        Ok(Some(Val::I64(v))) => Ok(v),
        Err(CallError::Trap(t)) => Err(t.code),
        other => panic!("{tier}: {src}: unexpected {other:?}"),
    };
    (r, mem)
}

/// Runs `src` on every tier; each must give `want` and the same memory as the interpreter.
fn expect(src: &str, want: Result<i64, TrapCode>, fuel: u64) {
    let (reference, mem0) = run(src, Tier::Interpreter, fuel);
    assert_eq!(reference, want, "interpreter: {src}");
    for tier in available_tiers() {
        let (got, mem) = run(src, tier, fuel);
        assert_eq!(got, want, "{tier}: {src}");
        assert_eq!(mem, mem0, "{tier}: memory after {src}");
    }
}

fn traps(src: &str, code: TrapCode) {
    expect(src, Err(code), 1_000_000);
}

#[test]
fn memory_accesses_outside_the_callers_memory_trap() {
    for src in [
        // below
        "ldxb %r0, [%r1-1]\nexit",
        "ldxdw %r0, [%r1-8]\nexit",
        "stb [%r1-1], 9\nmov %r0, 0\nexit",
        "mov %r3, %r1\nsub %r3, 4096\nstxw [%r3+0], %r3\nmov %r0, 0\nexit",
        // above
        "ldxb %r0, [%r1+16]\nexit",
        "ldxw %r0, [%r1+32767]\nexit",
        "stxdw [%r1+16], %r1\nmov %r0, 0\nexit",
        "mov %r3, %r1\nadd %r3, %r2\nldxb %r0, [%r3+0]\nexit",
        // straddling the end
        "ldxdw %r0, [%r1+12]\nexit",
        "ldxh %r0, [%r1+15]\nexit",
        "stdw [%r1+9], -1\nmov %r0, 0\nexit",
        "stxw [%r1+13], %r1\nmov %r0, 0\nexit",
        "lock add [%r1+12], %r1\nmov %r0, 0\nexit",
        "mov %r0, 0\nlock cmpxchg [%r1+10], %r2\nexit",
        // an address far away (wrapping arithmetic, a made-up pointer, a null pointer)
        "lddw %r3, 0xffffffffffffffff\nadd %r3, %r1\nldxb %r0, [%r3+0]\nexit",
        "lddw %r3, 0x1000\nldxdw %r0, [%r3+0]\nexit",
        "mov %r3, 0\nstb [%r3+0], 1\nmov %r0, 0\nexit",
    ] {
        traps(src, TrapCode::OutOfBounds);
    }
}

#[test]
fn stack_accesses_outside_the_frame_trap() {
    for src in [
        // at or above r10 (the top of the stack)
        "ldxb %r0, [%r10+0]\nexit",
        "stdw [%r10+0], 1\nmov %r0, 0\nexit",
        "ldxdw %r0, [%r10-4]\nexit",
        // below the 512-byte frame: stack overflow through r10 offsets
        "ldxb %r0, [%r10-513]\nexit",
        "stxdw [%r10-520], %r1\nmov %r0, 0\nexit",
        "ldxdw %r0, [%r10-516]\nexit",
        "mov %r3, %r10\nsub %r3, 4096\nstb [%r3+0], 1\nmov %r0, 0\nexit",
        "mov %r3, %r10\nsub %r3, 513\nldxb %r0, [%r3+0]\nexit",
        "lock fetch add [%r10-1024], %r1\nmov %r0, 0\nexit",
    ] {
        traps(src, TrapCode::OutOfBounds);
    }
}

#[test]
fn accesses_at_the_edges_work() {
    // Last byte and last word of memory, first and last bytes of the stack frame.
    expect("ldxb %r0, [%r1+15]\nexit", Ok(16), 1_000);
    expect("ldxdw %r0, [%r1+8]\nexit", Ok(i64::from_le_bytes([9, 10, 11, 12, 13, 14, 15, 16])), 1_000);
    expect("stb [%r1+15], 0x7f\nldxb %r0, [%r1+15]\nexit", Ok(0x7f), 1_000);
    expect(
        "stdw [%r10-512], 5\nstdw [%r10-8], 6\nldxdw %r0, [%r10-512]\nldxdw %r3, [%r10-8]\nadd %r0, %r3\nexit",
        Ok(11),
        1_000,
    );
    expect("mov %r3, %r1\nadd %r3, %r2\nldxb %r0, [%r3-1]\nexit", Ok(16), 1_000);
}

#[test]
fn endless_loops_run_out_of_fuel() {
    for src in [
        "ja -1\nexit",
        "mov %r0, 0\nadd %r0, 1\nja -2\nexit",
        "mov %r0, 0\nlsh %r0, 1\njne %r0, -1, -2\nexit",
        // a loop that also touches memory and the stack on every trip
        "mov %r0, 0\nldxb %r3, [%r1+0]\nstxdw [%r10-8], %r3\nadd %r0, %r3\njge %r0, 0, -4\nexit",
        // an endless loop inside a local function
        "call local f\nexit\nf:\nmov %r0, 1\nja -1\nexit",
    ] {
        traps(src, TrapCode::FuelExhausted);
    }
    // Enough fuel: the same loop shape finishes.
    expect("mov %r0, 0\nadd %r0, 1\njlt %r0, 100, -2\nexit", Ok(100), 1_000);
}

#[test]
fn endless_recursion_overflows_the_stack() {
    // Each local call takes a 512-byte frame of the same stack; the ninth nested frame traps.
    let src = "call local f\nexit\nf:\nstdw [%r10-8], 1\ncall local f\nexit";
    traps(src, TrapCode::StackOverflow);
}
