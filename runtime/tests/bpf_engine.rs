//! `Engine::load_bpf` on every tier: the interpreter tier runs the dedicated BPF interpreter
//! and must give the same r0, final memory, traps and fuel exhaustion as tiers 1 and 2 on
//! the lifted IR; an adaptive kernel that starts on it tiers up by execution time.

use std::time::{Duration, Instant};
use strata_ir::TrapCode;
use strata_runtime::{BpfInput, Engine, Tier};

/// Insertion sort of the u32 array in `mem` (r2 = its length in bytes), returning the smallest.
const SORT: &str = "mov %r8, %r2\nrsh %r8, 2\nmov %r2, 1\n\
    mov %r3, %r2\nlsh %r3, 2\nadd %r3, %r1\nldxw %r4, [%r3+0]\nmov %r5, %r2\n\
    jeq %r5, 0, +8\nmov %r6, %r5\nlsh %r6, 2\nadd %r6, %r1\nldxw %r7, [%r6-4]\njle %r7, %r4, +3\n\
    stxw [%r6+0], %r7\nsub %r5, 1\nja -9\n\
    mov %r6, %r5\nlsh %r6, 2\nadd %r6, %r1\nstxw [%r6+0], %r4\nadd %r2, 1\njlt %r2, %r8, -20\n\
    ldxw %r0, [%r1+0]\nexit";

/// Programs with loops, the stack, a local call, a helper and sign-extending loads.
const PROGRAMS: [&str; 5] = [
    SORT,
    "mov %r0, 0\nmov %r1, 1000\nmul %r0, 3\nadd %r0, %r1\nsub %r1, 1\njne %r1, 0, -4\nexit",
    "mov %r0, 0\nmov %r1, 50\nstxdw [%r10-8], %r0\nldxdw %r2, [%r10-8]\nmul %r2, 3\nadd %r2, %r1\n\
     stxdw [%r10-8], %r2\nsub %r1, 1\njne %r1, 0, -6\nldxdw %r0, [%r10-8]\nexit",
    "mov %r6, %r1\nmov %r1, 5\nmov %r2, 9\ncall 7\nmov %r7, %r0\nmov %r1, 3\ncall local +4\n\
     add %r0, %r7\nldxh %r1, [%r6+2]\nadd %r0, %r1\nexit\n\
     stw [%r10-4], -3\nldxsw %r0, [%r10-4]\nmul %r0, %r1\nexit",
    "ldxsb %r0, [%r1+3]\nmov %r2, %r10\nadd %r2, -16\nstxdw [%r2+8], %r0\nldxdw %r0, [%r10-8]\nexit",
];

fn engine(tier: Tier, fuel: Option<u64>) -> Engine {
    let e = Engine::builder().tier(tier).fuel(fuel).build();
    e.bpf_helper(7, |a, b, _, _, _| a * 10 + b);
    e
}

/// r0 (or the trap code) and the final memory on `tier`.
fn run(src: &str, tier: Tier, fuel: Option<u64>, mem: &[u8]) -> (Result<i64, TrapCode>, Vec<u8>) {
    let m = engine(tier, fuel).load_bpf(BpfInput::Asm(src)).expect("loads");
    let main = m.get::<&mut [u8], i64>("main").expect("main");
    let mut mem = mem.to_vec();
    let r = main.call(&mut mem).map_err(|t| t.kind);
    (r, mem)
}

fn mem() -> Vec<u8> {
    (0..64u32).rev().flat_map(|v| (v * 7 + 1).to_le_bytes()).collect()
}

#[test]
fn interpreter_agrees_with_the_compiled_tiers() {
    let tiers: Vec<Tier> = Tier::ALL.into_iter().filter(|t| t.is_available()).collect();
    for src in PROGRAMS {
        let want = run(src, Tier::Interpreter, None, &mem());
        assert!(want.0.is_ok(), "{src}: {:?}", want.0);
        for &t in &tiers {
            assert_eq!(run(src, t, None, &mem()), want, "{t} vs the BPF interpreter on:\n{src}");
        }
    }
    let (r0, sorted) = run(SORT, Tier::Interpreter, None, &mem());
    let words: Vec<u32> = sorted.chunks_exact(4).map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]])).collect();
    assert!(words.windows(2).all(|p| p[0] <= p[1]), "not sorted: {words:?}");
    assert_eq!(r0, Ok(1));
}

#[test]
fn traps_and_fuel_match_on_every_tier() {
    let tiers: Vec<Tier> = Tier::ALL.into_iter().filter(|t| t.is_available()).collect();
    let cases: [(&str, Option<u64>, TrapCode); 4] = [
        ("ldxw %r0, [%r1+62]\nexit", None, TrapCode::OutOfBounds),
        ("mov %r0, 0\nstb [%r10-513], 1\nexit", None, TrapCode::OutOfBounds),
        ("mov %r0, 0\nadd %r0, 1\nja -2\nexit", Some(10_000), TrapCode::FuelExhausted),
        ("call local +1\nexit\ncall local -1\nexit", Some(1_000_000), TrapCode::StackOverflow),
    ];
    for (src, fuel, code) in cases {
        for &t in &tiers {
            let (r, _) = run(src, t, fuel, &[0; 64]);
            assert_eq!(r, Err(code), "{t} on:\n{src}");
        }
    }
    // Fuel runs out at the same point: the sort's stores before the trap are the same.
    for fuel in [0, 7, 100, 1_000] {
        let want = run(SORT, Tier::Interpreter, Some(fuel), &mem());
        for &t in &tiers {
            assert_eq!(run(SORT, t, Some(fuel), &mem()), want, "{t}, fuel {fuel}");
        }
    }
}

#[test]
fn adaptive_from_the_bpf_interpreter_tiers_up() {
    if !Tier::Optimized.is_available() {
        return;
    }
    let e = Engine::builder().tier(Tier::Adaptive).adaptive_start(Tier::Interpreter).tier_up_threshold(20_000).build();
    let m = e.load_bpf(BpfInput::Asm(SORT)).expect("loads");
    let main = m.get::<&mut [u8], i64>("main").expect("main");
    assert_eq!(main.tier(), Tier::Interpreter);
    let mut first = mem();
    let want = main.call(&mut first).expect("runs");
    let deadline = Instant::now() + Duration::from_secs(120);
    while e.stats().tier_ups == 0 || main.tier() != Tier::Optimized {
        let mut m2 = mem();
        assert_eq!(main.call(&mut m2), Ok(want));
        assert_eq!(m2, first);
        assert!(Instant::now() < deadline, "no tier-up");
        std::thread::sleep(Duration::from_micros(200));
    }
    let mut m2 = mem();
    assert_eq!(main.call(&mut m2), Ok(want));
    assert_eq!(m2, first);
}
