//! BPF programs on Strata's engines next to the `rbpf` crate's (issue #8): its interpreter,
//! its x86-64 JIT and its Cranelift JIT, all running the same bytecode on the same memory.
//! Groups are `bpf/<program>`, contenders `rbpf-interp`, `rbpf-jit`, `rbpf-cranelift` and
//! Strata's tiers (`interpreter`, `baseline`, `optimized`). Each group's throughput is the
//! number of BPF instructions one run executes (counted by a counting copy of the program),
//! so criterion's `thrpt` reads as instructions per second and `examples/bench_report`
//! turns the medians into ns per instruction.
//!
//! Strata runs without fuel (rbpf has none) and with Strata's `-O2` pipeline before each
//! tier; compilation is outside the timed loop. rbpf's x86 JIT checks no memory accesses;
//! its interpreter, its Cranelift JIT and every Strata tier check each one. Programs that
//! write their memory get it restored before every run (all engines alike); the others do
//! not, so the timed loop is the program alone. Before timing, every engine runs the
//! program once and all must agree on r0 and the final memory (as in `tests/agree.rs`).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use std::time::Duration;
use strata_bpf_peers::{agree, all_engines, executed, programs};

fn bench(c: &mut Criterion) {
    // Under `cargo test --benches` (no `--bench`), a quick pass at the tiny sizes.
    let full = std::env::args().any(|a| a == "--bench");
    for p in programs(full) {
        let insns = p.insns().unwrap_or_else(|e| panic!("{e}"));
        let count = executed(&insns, &p.mem).unwrap_or_else(|e| panic!("{}: counting: {e}", p.name));
        let mut engines = all_engines(&insns).unwrap_or_else(|e| panic!("{}: {e}", p.name));
        // Every engine must compute the same r0 and memory on the benchmark's own input.
        agree(&p, &mut engines).unwrap_or_else(|e| panic!("{e}"));
        let mut g = c.benchmark_group(format!("bpf/{}", p.name));
        g.throughput(Throughput::Elements(count));
        // Short, so ci/bench fits its budget: a run takes 0.01-5 ms (rbpf's interpreter on
        // 400,000 instructions), so 1 s still gives dozens of runs per sample set.
        g.warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_secs(1)).sample_size(15);
        let mut mem = p.mem.clone();
        for e in &mut engines {
            g.bench_function(e.name.as_str(), |b| {
                b.iter(|| {
                    if p.writes {
                        mem.copy_from_slice(&p.mem);
                    }
                    black_box((e.run)(&mut mem).unwrap_or_else(|err| panic!("{}: {}: {err}", p.name, e.name)))
                })
            });
        }
        g.finish();
        println!("bpf/{}: {count} BPF instructions per run", p.name);
    }
}

/// 10,000 bootstrap resamples (criterion's default is 100,000): the report shows medians only.
fn config() -> Criterion {
    Criterion::default().nresamples(10_000)
}

criterion_group! { name = benches; config = config(); targets = bench }
criterion_main!(benches);
