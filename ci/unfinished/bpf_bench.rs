// UNFINISHED (not built by cargo): the rbpf comparison bench of issue #8. To finish it, move it to
// benches/bpf.rs, add `rbpf = { version = "0.4", features = ["cranelift"] }` to the root
// [dev-dependencies] and a [[bench]] name = "bpf", harness = false entry. It was left out because adding
// rbpf re-resolves shared dependencies and rebuilt cranelift-codegen 0.135 from scratch, which
// the shared 2-core machine (load ~23) could not finish before the deadline. Never compiled.
//! BPF programs on Strata's tiers next to the `rbpf` crate's engines (issue #8): its
//! interpreter, its x86-64 JIT and its Cranelift JIT, all running the same bytecode on the
//! same memory. Groups are `bpf/<program>`, contenders `rbpf-interp`, `rbpf-jit`,
//! `rbpf-cranelift`, `interpreter`, `baseline`, `optimized`. Each benchmark's throughput is
//! the number of BPF instructions one run executes (counted by running an instrumented copy
//! of the program), so criterion's `thrpt` reads as instructions per second and
//! `ci/bpf_table.py` turns the medians into ns per instruction.
//!
//! Strata runs without fuel (rbpf has none) and with Strata's `-O2` pipeline before each
//! tier; compilation is outside the timed loop. rbpf's x86 JIT checks no memory accesses;
//! its interpreter, its Cranelift JIT and every Strata tier check each one.
//!
//! Under `cargo test` (no `--bench` flag, a debug build) every program runs once at a tiny
//! size and the results of all engines are compared.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use std::time::Duration;
use strata_frontend::bpf::{self, Insn};
use strata_ir::{Arg, Val};
use strata_runtime::{CompiledModule, Options, Tier};

fn full() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// One benchmark program: its assembly and the memory it runs on.
struct Program {
    name: &'static str,
    asm: String,
    mem: Vec<u8>,
}

/// A loop on registers only: `r0 = r0 * 3 + r1` for r1 = n down to 1 (not foldable to a
/// closed form, so every tier really runs the loop).
fn count_loop(n: u32) -> Program {
    let asm = format!("mov %r0, 0\nmov %r1, {n}\nmul %r0, 3\nadd %r0, %r1\nsub %r1, 1\njne %r1, 0, -4\nexit\n");
    Program { name: "count_loop", asm, mem: Vec::new() }
}

/// The same recurrence with the accumulator spilled to a stack slot on every trip.
fn stack_loop(n: u32) -> Program {
    let asm = format!(
        "mov %r0, 0\nmov %r1, {n}\nstxdw [%r10-8], %r0\n\
         ldxdw %r2, [%r10-8]\nmul %r2, 3\nadd %r2, %r1\nstxdw [%r10-8], %r2\nsub %r1, 1\njne %r1, 0, -6\n\
         ldxdw %r0, [%r10-8]\nexit\n"
    );
    Program { name: "stack_loop", asm, mem: Vec::new() }
}

/// A rotate-and-add checksum over the 32-bit words of a buffer of `bytes` bytes.
fn checksum(bytes: u32) -> Program {
    let asm = format!(
        "mov %r0, 0\nmov %r3, 0\n\
         ldxw %r4, [%r1+0]\nmov %r5, %r0\nlsh %r5, 5\nrsh %r0, 59\nor %r0, %r5\nadd %r0, %r4\n\
         add %r1, 4\nadd %r3, 4\njlt %r3, {bytes}, -9\nexit\n"
    );
    let mem = (0..bytes).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    Program { name: "checksum", asm, mem }
}

/// Insertion sort of `n` u32 in memory (given in descending order: the worst case); returns
/// the smallest. The bench copies the input back before every run.
fn sort(n: u32) -> Program {
    let asm = format!(
        "mov %r2, 1\n\
         mov %r3, %r2\nlsh %r3, 2\nadd %r3, %r1\nldxw %r4, [%r3+0]\nmov %r5, %r2\n\
         jeq %r5, 0, +8\nmov %r6, %r5\nlsh %r6, 2\nadd %r6, %r1\nldxw %r7, [%r6-4]\njle %r7, %r4, +3\n\
         stxw [%r6+0], %r7\nsub %r5, 1\nja -9\n\
         mov %r6, %r5\nlsh %r6, 2\nadd %r6, %r1\nstxw [%r6+0], %r4\nadd %r2, 1\njlt %r2, {n}, -20\n\
         ldxw %r0, [%r1+0]\nexit\n"
    );
    let mem = (0..n).rev().flat_map(|v| (v * 7 + 1).to_le_bytes()).collect();
    Program { name: "sort", asm, mem }
}

fn programs() -> Vec<Program> {
    if full() {
        vec![count_loop(100_000), stack_loop(100_000), checksum(64 * 1024), sort(64)]
    } else {
        vec![count_loop(10), stack_loop(10), checksum(64), sort(8)]
    }
}

/// The program with `add %r9, 1` before every instruction and r9 returned at `exit`: it
/// returns how many instructions the original executes. Each instruction becomes three
/// slots (counter, instruction, `ja +0` filler — or counter, `mov %r0, %r9`, `exit`), so a
/// jump offset `off` becomes `3 * off + 1`. Needs a program without r9, `lddw` or calls.
fn counting_copy(prog: &[Insn]) -> Vec<Insn> {
    let mut out = Vec::with_capacity(prog.len() * 3);
    for ins in prog {
        assert!(ins.dst != 9 && ins.src != 9, "the counter register r9 is in use");
        assert!(!matches!(ins.opc, 0x18 | 0x85 | 0x8d | 0x06), "counting needs no lddw, calls or gotol");
        out.push(Insn::new(0x07, 9, 0, 0, 1));
        if ins.opc == 0x95 {
            out.push(Insn::new(0xbf, 0, 9, 0, 0));
            out.push(*ins);
            continue;
        }
        let mut ins = *ins;
        if matches!(ins.opc & 7, 5 | 6) {
            ins.off = ins.off.checked_mul(3).and_then(|o| o.checked_add(1)).expect("jump offset fits");
        }
        out.push(ins);
        out.push(Insn::new(0x05, 0, 0, 0, 0));
    }
    out
}

fn strata_tier(prog: &[Insn], tier: Tier) -> CompiledModule {
    let module = bpf::lift(prog).expect("lifts");
    let opts = Options { pipeline: Some("-O2".into()), ..Options::default() };
    strata_runtime::compile(&module, tier, &opts).expect("compiles")
}

fn strata_run(cm: &CompiledModule, mem: &mut [u8]) -> u64 {
    match cm.call("main", &mut [Arg::SliceMut(mem)]) {
        Ok(Some(Val::I64(v))) => v as u64,
        other => panic!("{}: {other:?}", cm.tier()),
    }
}

/// Instructions one run of `prog` executes, from the counting copy on the interpreter.
fn executed(prog: &[Insn], mem: &[u8]) -> u64 {
    let module = bpf::lift(&counting_copy(prog)).expect("counting copy lifts");
    let cm = strata_runtime::compile(&module, Tier::Interpreter, &Options::default()).expect("compiles");
    strata_run(&cm, &mut mem.to_vec())
}

fn bench(c: &mut Criterion) {
    for p in programs() {
        let insns = bpf::assemble(&p.asm).unwrap_or_else(|e| panic!("{}: {e}", p.name));
        let code = bpf::encode(&insns);
        let count = executed(&insns, &p.mem);
        let mut results: Vec<(&str, u64)> = Vec::new();
        let mut g = c.benchmark_group(format!("bpf/{}", p.name));
        g.throughput(Throughput::Elements(count));
        if full() {
            g.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(2)).sample_size(20);
        }
        let mut mem = p.mem.clone();
        let (mem_ptr, mem_len) = (mem.as_mut_ptr(), mem.len());
        // rbpf ties the memory's borrow to the VM's lifetime, so each run borrows `mem` afresh.
        // SAFETY: `mem` outlives the benchmark group and nothing else touches it during a run.
        let rbpf_mem = || unsafe { std::slice::from_raw_parts_mut(mem_ptr, mem_len) };
        let reset = || rbpf_mem().copy_from_slice(&p.mem);

        // rbpf runs the raw bytecode with r1 = the memory (it sets no r2; these programs
        // use only r1).
        let mut vm = rbpf::EbpfVmRaw::new(Some(&code)).expect("rbpf accepts the program");
        results.push(("rbpf-interp", vm.execute_program(&mut p.mem.clone()).expect("rbpf runs")));
        g.bench_function("rbpf-interp", |b| {
            b.iter(|| {
                reset();
                black_box(vm.execute_program(rbpf_mem()).expect("rbpf runs"))
            })
        });
        vm.jit_compile().expect("rbpf x86 JIT compiles");
        // SAFETY: the program was verified by rbpf and touches only `mem` and its stack
        // (all engines agree on the result, checked below).
        results.push(("rbpf-jit", unsafe { vm.execute_program_jit(&mut p.mem.clone()) }.expect("rbpf JIT runs")));
        g.bench_function("rbpf-jit", |b| {
            b.iter(|| {
                reset();
                // SAFETY: as above.
                black_box(unsafe { vm.execute_program_jit(rbpf_mem()) }.expect("rbpf JIT runs"))
            })
        });
        vm.cranelift_compile().expect("rbpf Cranelift JIT compiles");
        results.push(("rbpf-cranelift", vm.execute_program_cranelift(&mut p.mem.clone()).expect("runs")));
        g.bench_function("rbpf-cranelift", |b| {
            b.iter(|| {
                reset();
                black_box(vm.execute_program_cranelift(rbpf_mem()).expect("rbpf Cranelift runs"))
            })
        });

        for tier in strata_runtime::available_tiers() {
            let cm = strata_tier(&insns, tier);
            results.push((tier.name(), strata_run(&cm, &mut p.mem.clone())));
            g.bench_function(tier.name(), |b| {
                b.iter(|| {
                    reset();
                    black_box(strata_run(&cm, rbpf_mem()))
                })
            });
        }
        g.finish();
        let want = results[0].1;
        for (engine, r) in &results {
            assert_eq!(*r, want, "{}: {engine} disagrees with rbpf's interpreter", p.name);
        }
        println!("bpf/{}: {count} instructions per run, r0 = {want:#x} on every engine", p.name);
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
