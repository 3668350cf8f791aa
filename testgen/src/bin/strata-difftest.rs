//! `strata-difftest`: generates random IR or BPF programs, runs each on the interpreter and
//! on tiers 1 and 2 at -O0 and -O2, and reports (and reduces, and saves as regression tests)
//! every disagreement. Exit status 1 when anything was found.

use clap::Parser;
use std::path::PathBuf;
use std::time::Duration;
use strata_testgen::difftest::{batch_text, run, Kind, Settings};
use strata_testgen::isolate::{serve, WorkerCommand};

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
    /// Run every batch in this process instead of in worker processes. Faster to start, but
    /// a crash of a tier then ends the run without saying which batch caused it.
    #[arg(long)]
    no_isolate: bool,
    /// Seconds a batch may take in a worker process before it counts as a hang.
    #[arg(long, default_value_t = 600)]
    batch_timeout: u64,
    /// Seconds the reduction of one finding may take; then the smallest failing program found
    /// so far is saved (keep it well under --batch-timeout).
    #[arg(long, default_value_t = 60)]
    reduce_time: u64,
    /// Print the IR of the batch at --first-program (as the runner compiles it) and exit.
    #[arg(long)]
    print_batch: bool,
    /// Internal: serve batches named on stdin (the worker process side of isolation).
    #[arg(long, hide = true)]
    worker: bool,
}

fn parse_seed(s: &str) -> Result<u64, String> {
    match s.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16),
        None => s.parse(),
    }
    .map_err(|e| format!("bad seed `{s}`: {e}"))
}

/// How this binary starts itself as a worker with the settings a batch depends on.
fn worker_command(batch_timeout: u64, s: &Settings) -> std::io::Result<WorkerCommand> {
    let mut args: Vec<String> = vec![
        "--worker".into(),
        "--kind".into(),
        s.kind.name().into(),
        "--seed".into(),
        s.seed.to_string(),
        "--batch".into(),
        s.batch.to_string(),
        "--inputs".into(),
        s.inputs.to_string(),
        "--reduce-time".into(),
        s.reduce_time.as_secs().to_string(),
    ];
    if let Some(out) = &s.out_dir {
        args.push("--out".into());
        args.push(out.display().to_string());
    }
    Ok(WorkerCommand {
        program: std::env::current_exe()?,
        args,
        batch_timeout: Duration::from_secs(batch_timeout.max(1)),
    })
}

fn main() {
    let cli = Cli::parse();
    if cli.first_program % cli.batch.max(1) as u64 != 0 {
        eprintln!("strata-difftest: --first-program {} is not a multiple of --batch {}", cli.first_program, cli.batch);
        std::process::exit(2);
    }
    let mut settings = Settings {
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
        reduce_time: Duration::from_secs(cli.reduce_time),
        ..Settings::default()
    };
    if cli.print_batch {
        let count = cli.programs.min(settings.batch as u64) as usize;
        match batch_text(&settings, cli.first_program / settings.batch as u64, count) {
            Ok(text) => print!("{text}"),
            Err(e) => {
                eprintln!("strata-difftest: the batch does not build: {e}");
                std::process::exit(1);
            }
        }
        return;
    }
    if cli.worker {
        let stdin = std::io::stdin().lock();
        if let Err(e) = serve(&settings, stdin, std::io::stdout().lock()) {
            eprintln!("strata-difftest worker: {e}");
            std::process::exit(2);
        }
        return;
    }
    if !cli.no_isolate {
        match worker_command(cli.batch_timeout, &settings) {
            Ok(cmd) => settings.isolate = Some(cmd),
            Err(e) => {
                eprintln!("strata-difftest: cannot start worker processes ({e}); use --no-isolate");
                std::process::exit(2);
            }
        }
    }
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
