//! Cold compile time: the FIRST compile in a fresh process, per example kernel file and
//! compiling tier (tier 1 = Cranelift; tier 2 = LLVM `default<O2>` / `default<O3>` for the
//! host CPU), next to the warm figures of benches/compile.rs. A cold compile includes what
//! only the first one pays: LLVM's target and pass initialization, building the Cranelift
//! ISA for the host, first-touch page faults on the compilers' code and data, the
//! allocator's first growth. Loading the dynamic libraries (before `main`) and parsing the
//! source are outside the timed span; dropping the compiled module is inside, as in
//! benches/compile.rs.
//!
//! Criterion cannot measure a once-per-process event, so this bench (harness = false)
//! spawns itself (`std::env::current_exe()`, argument `--cold-child FILE CONFIG`): each
//! child loads the file, times one compile and prints its nanoseconds. Every
//! (file, configuration) gets [`RUNS`] children, interleaved round by round so machine drift
//! hits all alike; the median goes to
//! `$CRITERION_HOME/compile-cold/<file>/<config>/new/estimates.json` (else
//! `$CARGO_TARGET_DIR/criterion`, else `target/criterion`) in criterion's shape, where
//! `examples/bench_report` finds it.
//!
//! `cargo bench --bench compile_cold [-- FILTER]`: FILTER (a substring of
//! `compile-cold/<file>/<config>`) picks what runs, like criterion's; other `--flags`
//! (`--bench`, criterion's options) are ignored. Without `--bench` (`cargo test --benches`)
//! it runs one child on one file as a smoke test and writes nothing.
//! This file must not run the compilers in the parent process: that would make it warm.

mod estimates;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;
use strata_runtime::{Options, Tier};

/// Children per (file, configuration).
const RUNS: usize = 5;

/// The configurations measured, as in benches/compile.rs: name, tier, LLVM -O level.
const CONFIGS: [(&str, Tier, u8); 3] =
    [("baseline", Tier::Baseline, 0), ("optimized-O2", Tier::Optimized, 2), ("optimized-O3", Tier::Optimized, 3)];

/// The child's line on stdout that carries the measurement.
const PREFIX: &str = "cold_compile_ns=";

fn config(name: &str) -> Result<(Tier, u8), String> {
    CONFIGS
        .iter()
        .find(|(n, ..)| *n == name)
        .map(|&(_, t, l)| (t, l))
        .ok_or_else(|| format!("unknown configuration {name:?}"))
}

/// The child: load `file`, then time its first (and only) compile on `cfg`.
fn child(file: &Path, cfg: &str) -> Result<(), String> {
    let (tier, level) = config(cfg)?;
    let module = strata::source::load_file(file, false).map_err(|e| format!("{}: {e}", file.display()))?;
    let opts = Options { llvm_opt_level: level, ..Options::default() };
    let t = Instant::now();
    let compiled = strata_runtime::compile(&module, tier, &opts).map_err(|e| format!("{}: {e}", file.display()))?;
    drop(compiled);
    let ns = t.elapsed().as_nanos();
    println!("{PREFIX}{ns}");
    Ok(())
}

/// Runs one child and returns its measurement in ns.
fn spawn(exe: &Path, file: &Path, cfg: &str) -> Result<f64, String> {
    let out = Command::new(exe)
        .arg("--cold-child")
        .arg(file)
        .arg(cfg)
        .output()
        .map_err(|e| format!("spawning {}: {e}", exe.display()))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "child for {} {cfg} failed ({}): {}",
            file.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(PREFIX))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .ok_or_else(|| format!("child for {} {cfg} printed no measurement: {stdout:?}", file.display()))
}

/// Where criterion keeps its results, as criterion itself decides.
fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return home.into();
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("criterion")
}

/// Criterion's options that take a value: skipped with it, so it is not taken for a filter.
const VALUE_FLAGS: [&str; 14] = [
    "--warm-up-time",
    "--measurement-time",
    "--sample-size",
    "--nresamples",
    "--noise-threshold",
    "--confidence-level",
    "--significance-level",
    "--save-baseline",
    "--baseline",
    "--baseline-lenient",
    "--load-baseline",
    "--profile-time",
    "--color",
    "--output-format",
];

/// The filter among the arguments (the first that is neither a flag nor a flag's value) and
/// whether cargo asked for the real run (`--bench`).
fn parse_args(args: &[String]) -> (Option<String>, bool) {
    let mut filter = None;
    let mut bench = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--bench" {
            bench = true;
        } else if VALUE_FLAGS.contains(&a.as_str()) {
            it.next();
        } else if a.starts_with('-') {
            // --exact, --list, --noplot, --quiet, ...: nothing to do here.
        } else if filter.is_none() {
            filter = Some(a.clone());
        }
    }
    (filter, bench)
}

fn kernel_files() -> Result<Vec<PathBuf>, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/kernels");
    let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut files: Vec<PathBuf> =
        entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "sk")).collect();
    files.sort();
    Ok(files)
}

fn stem(p: &Path) -> String {
    p.file_stem().map_or_else(|| "?".into(), |s| s.to_string_lossy().into_owned())
}

fn parent(args: &[String]) -> Result<(), String> {
    let (filter, full) = parse_args(args);
    let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    let mut jobs: Vec<(PathBuf, &str, Vec<f64>)> = Vec::new();
    for file in kernel_files()? {
        for (cfg, tier, _) in CONFIGS {
            let id = format!("compile-cold/{}/{cfg}", stem(&file));
            if tier.is_available() && filter.as_ref().is_none_or(|f| id.contains(f.as_str())) {
                jobs.push((file.clone(), cfg, Vec::new()));
            }
        }
    }
    if !full {
        // `cargo test --benches`: one child proves the mechanism; no results are written.
        jobs.truncate(1);
        for (file, cfg, _) in &jobs {
            let ns = spawn(&exe, file, cfg)?;
            println!("compile-cold/{}/{cfg}: one child, {} (smoke test, not saved)", stem(file), fmt_ms(ns));
        }
        return Ok(());
    }
    let started = Instant::now();
    // Round by round, every job once per round: drift over the run hits all of them alike.
    for _ in 0..RUNS {
        for (file, cfg, samples) in &mut jobs {
            samples.push(spawn(&exe, file, cfg)?);
        }
    }
    let root = criterion_dir();
    for (file, cfg, samples) in &jobs {
        let Some(s) = estimates::summarize(samples) else { continue };
        let group = format!("compile-cold/{}", stem(file));
        estimates::write(&root, &group, cfg, &s).map_err(|e| format!("{}: {e}", root.display()))?;
        println!(
            "{:<36} median {:>11}  (min {}, max {}, {} processes)",
            format!("{group}/{cfg}"),
            fmt_ms(s.median),
            fmt_ms(s.min),
            fmt_ms(s.max),
            s.n
        );
    }
    println!(
        "compile-cold: {} configurations x {RUNS} processes in {:.1} s; results under {}",
        jobs.len(),
        started.elapsed().as_secs_f64(),
        root.display()
    );
    Ok(())
}

fn fmt_ms(ns: f64) -> String {
    format!("{:.3} ms", ns / 1e6)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("--cold-child") => match (args.get(1), args.get(2)) {
            (Some(file), Some(cfg)) => child(Path::new(file), cfg),
            _ => Err("usage: --cold-child FILE CONFIG".into()),
        },
        _ => parent(&args),
    };
    if let Err(e) = result {
        eprintln!("compile_cold: {e}");
        std::process::exit(1);
    }
}
