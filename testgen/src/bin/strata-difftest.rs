//! `strata-difftest`: generates random IR or BPF programs, runs each on the interpreter and
//! on tiers 1 and 2 at -O0 and -O2, and reports (and reduces, and saves as regression tests)
//! every disagreement. Exit status 1 when anything was found.

use clap::Parser;
use std::path::PathBuf;
use std::time::Duration;
use strata_testgen::difftest::{run, Kind, Settings};

#[derive(Parser)]
#[command(about = "Differential testing of every Strata tier on generated programs")]
struct Cli {
    /// How many programs to generate.
    #[arg(long, default_value_t = 1000)]
    programs: u64,
    /// Index of the first program of the seed's sequence to run (rounded down to a multiple
    /// of --batch): resumes a run. `--first-program A --programs N` then `--first-program A+N`
    /// is the same as one run from A (same seed and --batch; keep N a multiple of --batch).
    #[arg(long, default_value_t = 0)]
    first_program: u64,
    /// Seed (decimal or 0x hex); the run is a pure function of it.
    #[arg(long, default_value = "0", value_parser = parse_seed)]
    seed: u64,
    /// `ir` or `bpf`.
    #[arg(long, default_value = "ir", value_parser = ["ir", "bpf"])]
    kind: String,
    /// Stop after this many seconds even if fewer programs ran.
    #[arg(long)]
    time_limit: Option<u64>,
    /// Worker threads.
    #[arg(long, default_value_t = 1)]
    jobs: usize,
    /// Programs per compiled module.
    #[arg(long, default_value_t = 32)]
    batch: usize,
    /// Input sets per program.
    #[arg(long, default_value_t = 3)]
    inputs: usize,
    /// Directory for regression files of what is found (e.g. tests/regressions).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print progress every this many seconds.
    #[arg(long)]
    progress: Option<u64>,
}

fn parse_seed(s: &str) -> Result<u64, String> {
    match s.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16),
        None => s.parse(),
    }
    .map_err(|e| format!("bad seed `{s}`: {e}"))
}

fn main() {
    let cli = Cli::parse();
    if cli.first_program % cli.batch.max(1) as u64 != 0 {
        eprintln!("strata-difftest: --first-program {} is not a multiple of --batch {}", cli.first_program, cli.batch);
        std::process::exit(2);
    }
    let settings = Settings {
        kind: if cli.kind == "bpf" { Kind::Bpf } else { Kind::Ir },
        programs: cli.programs,
        first_program: cli.first_program,
        seed: cli.seed,
        time_limit: cli.time_limit.map(Duration::from_secs),
        jobs: cli.jobs,
        batch: cli.batch.max(1),
        inputs: cli.inputs.max(1),
        out_dir: cli.out,
        progress: cli.progress.map(Duration::from_secs),
        ..Settings::default()
    };
    let r = run(&settings);
    for f in &r.findings {
        eprintln!("FINDING {}\n{}", f.origin, f.message);
        if let Some(p) = &f.file {
            eprintln!("  written to {}", p.display());
        }
    }
    let secs = r.elapsed.as_secs_f64();
    let first = settings.first_program / settings.batch as u64 * settings.batch as u64;
    println!(
        "{} programs (kind {}, seed {:#x}, batch {}, programs {first}..{}; resume with --first-program {}), \
         {} calls, {} mutants, {} findings in {:.1}s ({:.0} programs/s)",
        r.programs,
        settings.kind.name(),
        settings.seed,
        settings.batch,
        r.next_first_program,
        r.next_first_program,
        r.calls,
        r.mutants,
        r.findings.len(),
        secs,
        r.programs as f64 / secs.max(1e-9)
    );
    if !r.findings.is_empty() {
        std::process::exit(1);
    }
}
