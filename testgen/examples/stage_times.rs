//! Times each stage of the differential runner on IR batches of seed S: generation, compile
//! per configuration, and the calls — to see where `strata-difftest`'s time goes.
//! `cargo run --release -p strata-testgen --example stage_times -- [SEED] [BATCHES] [BATCH]`
use std::time::{Duration, Instant};
use strata_testgen::run::{self, compile, Config, REFERENCE};

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let arg = |i: usize, d: u64| a.get(i).and_then(|s| s.parse().ok()).unwrap_or(d);
    let (seed, batches, batch) = (arg(1, 0x3000), arg(2, 8), arg(3, 32) as usize);
    let mut configs = vec![REFERENCE];
    configs.extend(run::configs());
    let mut gen = Duration::ZERO;
    let mut times = vec![Duration::ZERO; configs.len()];
    let mut calls = Duration::ZERO;
    for b in 0..batches {
        let bseed = strata_testgen::mix(seed, b);
        let t = Instant::now();
        let Ok(m) = strata_testgen::ir_gen::batch(bseed, batch) else { continue };
        gen += t.elapsed();
        let mut compiled: Vec<(Config, _)> = Vec::new();
        for (i, &c) in configs.iter().enumerate() {
            let t = Instant::now();
            if let Ok(cm) = compile(&m, c) {
                compiled.push((c, cm));
            }
            times[i] += t.elapsed();
        }
        let t = Instant::now();
        let Some((_, reference)) = compiled.first() else { continue };
        for k in 0..batch {
            let name = format!("p{k}");
            let Some(id) = m.func_by_name(&name) else { continue };
            let mut rng = strata_testgen::Rng::new(k as u64);
            for _ in 0..3 {
                let inputs = run::inputs(&mut rng, &m.functions[id].sig);
                let _ = run::check_function(reference, &compiled[1..], &name, &inputs);
            }
        }
        calls += t.elapsed();
    }
    let n = (batches as usize * batch) as f64;
    println!("per program: generate {:.2} ms", gen.as_secs_f64() * 1e3 / n);
    for (c, t) in configs.iter().zip(&times) {
        println!("per program: compile {:<18} {:.2} ms", c.label(), t.as_secs_f64() * 1e3 / n);
    }
    println!("per program: calls (all configs) {:.2} ms", calls.as_secs_f64() * 1e3 / n);
}
