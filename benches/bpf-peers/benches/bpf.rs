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

#[path = "../tests/common/mod.rs"]
mod common;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use std::time::Duration;
use strata_bpf_peers::{executed, programs, strata_engines};
use strata_frontend::bpf;

fn bench(c: &mut Criterion) {
    // Under `cargo test --benches` (no `--bench`), a quick pass at the tiny sizes.
    let full = std::env::args().any(|a| a == "--bench");
    for p in programs(full) {
        let insns = p.insns().unwrap_or_else(|e| panic!("{e}"));
        let count = executed(&insns, &p.mem).unwrap_or_else(|e| panic!("{}: counting: {e}", p.name));
        let mut engines = common::rbpf_engines::rbpf_engines(bpf::encode(&insns)).unwrap_or_else(|e| panic!("{e}"));
        engines.extend(strata_engines(&insns).unwrap_or_else(|e| panic!("{}: {e}", p.name)));
        // Every engine must compute the same r0 and memory on the benchmark's own input.
        let mut want: Option<(u64, Vec<u8>)> = None;
        for e in &mut engines {
            let mut mem = p.mem.clone();
            let r = (e.run)(&mut mem).unwrap_or_else(|err| panic!("{}: {}: {err}", p.name, e.name));
            match &want {
                None => want = Some((r, mem)),
                Some(w) => assert!(*w == (r, mem), "{}: {} disagrees with rbpf-interp", p.name, e.name),
            }
        }
        let mut g = c.benchmark_group(format!("bpf/{}", p.name));
        g.throughput(Throughput::Elements(count));
        g.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(2)).sample_size(20);
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

criterion_group!(benches, bench);
criterion_main!(benches);
