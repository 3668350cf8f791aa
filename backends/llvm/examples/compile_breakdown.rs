//! Where tier-2 compile time goes for each example kernel file (`examples/kernels/*.sk`, or
//! the files given): per stage, the median over RUNS compiles of the Strata and LLVM
//! verifiers, lowering (with `version-checks`), LLVM's pass pipeline, code generation, ORC
//! linking, whatever else `compile` spends (context and module teardown), and dropping the
//! compiled module (unlinking and freeing its code). Totals are medians of whole runs, so
//! the parts need not add up to them exactly.
//!
//! `cargo run --release -p strata-llvm --example compile_breakdown -- [--parts] [RUNS] [LEVELS] [FILES…]`
//! (LEVELS e.g. `23`; default 21 runs at O2 and O3). With `--parts`, each exported function
//! is measured on its own: its part of the module (`strata_ir::partition`: the function and
//! its callees) compiled on one thread, which is what an adaptive kernel's tier-up compiles;
//! without it, whole files as `compile` does them (exports in parallel). For LLVM's own split of the pipeline and
//! With `--object`, the disk cache's path instead: `compile_object` then `load_object` of
//! whole files, one object on one thread against one object per export in parallel
//! (`LlvmOptions::parallel`), median totals side by side. For LLVM's own split of the pipeline and
//! of code generation (instruction selection, register allocation, …) run `opt -time-passes`
//! and `llc -time-passes` on the `.ll` that `strata dump --emit llvm` prints.
use std::path::PathBuf;
use std::time::{Duration, Instant};
use strata_llvm::{compile, LlvmOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let parts = args.iter().any(|a| a == "--parts");
    let object = args.iter().any(|a| a == "--object");
    args.retain(|a| a != "--parts" && a != "--object");
    let runs: usize = args.first().and_then(|s| s.parse().ok()).unwrap_or(21).max(1);
    let levels: Vec<u8> = args
        .get(1)
        .map(|s| s.bytes().filter(u8::is_ascii_digit).map(|b| b - b'0').collect())
        .unwrap_or_else(|| vec![2, 3]);
    let mut files: Vec<PathBuf> = args.iter().skip(2).map(PathBuf::from).collect();
    if files.is_empty() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/kernels");
        for e in std::fs::read_dir(&dir)? {
            files.push(e?.path());
        }
        files.sort();
    }
    if object {
        return objects(&files, runs, &levels);
    }
    println!(
        "{:<14} {:>3} {:>8} {:>7} {:>7} {:>8} {:>8} {:>7} {:>7} {:>7}   (ms, medians of {runs})",
        "file", "lvl", "total", "verify", "lower", "optimize", "codegen", "link", "other", "drop"
    );
    for path in &files {
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("?");
        let src = std::fs::read(path)?;
        let module = strata_frontend::compile_bytes(name, &src).map_err(|d| format!("{name}: {d:?}"))?;
        let units: Vec<(String, strata_ir::Module)> = if parts {
            strata_ir::partition::roots(&module)
                .into_iter()
                .map(|id| (module.functions[id].name.clone(), strata_ir::partition::part(&module, id)))
                .collect()
        } else {
            vec![(name.to_string(), module)]
        };
        for (name, module) in &units {
            for &level in &levels {
                let opts = LlvmOptions { parallel: !parts, ..LlvmOptions::with_opt_level(level) };
                let mut cols: [Vec<Duration>; 8] = Default::default();
                for _ in 0..runs {
                    let start = Instant::now();
                    let code = compile(module, &opts)?;
                    let t = code.timings();
                    let t_drop = Instant::now();
                    drop(code);
                    let dropped = t_drop.elapsed();
                    let total = start.elapsed();
                    let parts = t.verify + t.lower + t.optimize + t.codegen + t.link;
                    let other = t.total.saturating_sub(parts);
                    for (c, d) in
                        cols.iter_mut().zip([total, t.verify, t.lower, t.optimize, t.codegen, t.link, other, dropped])
                    {
                        c.push(d);
                    }
                }
                let med: Vec<f64> = cols
                    .iter_mut()
                    .map(|c| {
                        c.sort();
                        c.get(c.len() / 2).map_or(0.0, |d| d.as_secs_f64() * 1e3)
                    })
                    .collect();
                print!("{name:<14} O{level:<2}");
                for (i, m) in med.iter().enumerate() {
                    let w = if i == 0 || i == 3 || i == 4 { 8 } else { 7 };
                    print!(" {m:>w$.2}");
                }
                println!();
            }
        }
    }
    Ok(())
}

/// `--object`: median time of `compile_object` + `load_object` (+ drop) per file, whole
/// against in parts, the two interleaved run by run so drift hits both alike.
fn objects(files: &[PathBuf], runs: usize, levels: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
    println!("{:<14} {:>3} {:>9} {:>9} {:>6}   (ms, medians of {runs})", "file", "lvl", "whole", "parts", "ratio");
    for path in files {
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("?");
        let src = std::fs::read(path)?;
        let module = strata_frontend::compile_bytes(name, &src).map_err(|d| format!("{name}: {d:?}"))?;
        for &level in levels {
            let mut times: [Vec<Duration>; 2] = Default::default();
            for run in 0..runs {
                for (k, parallel) in [false, true].into_iter().enumerate() {
                    let opts = LlvmOptions { parallel, ..LlvmOptions::with_opt_level(level) };
                    // A fresh namespace per compile: nothing is shared with an earlier load.
                    let ns = format!("breakdown_{name}_{level}_{run}_{k}");
                    let start = Instant::now();
                    let bytes = strata_llvm::compile_object(&module, &opts, &ns)?;
                    drop(strata_llvm::load_object(&module, &bytes, &ns)?);
                    times[k].push(start.elapsed());
                }
            }
            let med = |v: &mut Vec<Duration>| {
                v.sort();
                v.get(v.len() / 2).map_or(0.0, |d| d.as_secs_f64() * 1e3)
            };
            let (w, p) = (med(&mut times[0]), med(&mut times[1]));
            println!("{name:<14} O{level:<2} {w:>9.2} {p:>9.2} {:>6.2}", w / p.max(1e-9));
        }
    }
    Ok(())
}
