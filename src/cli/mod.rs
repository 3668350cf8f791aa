//! Argument parsing (clap derive) and dispatch to one module per subcommand.

mod bench;
mod bpf;
mod build;
mod check;
mod dump;
mod run;
mod specialize;

use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};

/// Exit code for bad input: unreadable files, compile errors, bad arguments.
pub const EXIT_INPUT: i32 = 1;
/// Exit code when the program trapped.
pub const EXIT_TRAP: i32 = 3;

#[derive(Parser)]
#[command(name = "strata", version, about = "Strata: a tiered compiler for numeric kernels and BPF bytecode")]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Color diagnostics: auto, always or never.
    #[arg(long, global = true, default_value = "auto")]
    color: ColorChoice,
}

#[derive(Copy, Clone, clap::ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand)]
enum Command {
    /// Run a function of a .sk or .sir file and print its result as JSON:
    /// {"ret": value, "outputs": {"param": [..]}} (outputs are the mutable slices).
    Run(run::RunArgs),
    /// Print the IR, Cranelift IR, LLVM IR or assembly made from a source.
    Dump(dump::DumpArgs),
    /// Compile ahead of time with LLVM to an object, assembly, LLVM IR, static or shared library.
    Build(build::BuildArgs),
    /// Time a function on every tier: compile (cold and warm), ns per call and per element,
    /// ratio to the fastest, and tier 2's break-even point against tier 1.
    Bench(bench::BenchArgs),
    /// BPF bytecode (RFC 9669): run, assemble, disassemble.
    #[command(subcommand)]
    Bpf(bpf::BpfCommand),
    /// Check a .sk or .sir file and print its diagnostics.
    Check {
        /// The source file.
        file: PathBuf,
    },
}

pub fn main() -> i32 {
    let cli = Cli::parse();
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => std::io::IsTerminal::is_terminal(&std::io::stderr()),
    };
    match cli.command {
        Command::Run(args) => run::run(args, color),
        Command::Check { file } => check::check(&file, color),
        Command::Dump(args) => dump::dump(args, color),
        Command::Build(args) => build::build(args, color),
        Command::Bench(args) => bench::bench(args, color),
        Command::Bpf(cmd) => bpf::bpf(cmd),
    }
}

/// Loads a source file, printing its diagnostics on failure.
fn load_or_report(path: &Path, color: bool) -> Option<strata_ir::Module> {
    match strata::source::load_file(path, color) {
        Ok(m) => Some(m),
        Err(e) => {
            eprintln!("{e}");
            None
        }
    }
}

/// Strata's own optimizer, shared by `run`, `dump` and `build`.
#[derive(clap::Args)]
pub struct PassArgs {
    /// Pass pipeline to run before compiling: a preset (-O0 … -O3) or a list such as
    /// `const-fold,gvn,licm,dce`.
    #[arg(long = "passes", value_name = "PIPELINE", allow_hyphen_values = true)]
    pipeline: Option<String>,
    /// Print the IR after the named pass, or after every pass with `all` (also
    /// `STRATA_DUMP=PASS|all`).
    #[arg(long, value_name = "PASS|all")]
    dump_after: Option<String>,
    /// Print how long each pass took (also `STRATA_TIME_PASSES=1`).
    #[arg(long)]
    time_passes: bool,
}

impl PassArgs {
    /// Runs the pipeline (if any), printing dumps and timings to stderr. `keep_fuel`: the
    /// code will run with fuel, so passes that remove back-edges are skipped. `for_llvm`:
    /// the code goes to LLVM (tier 2, AOT), so `-O2`/`-O3` leave vectorizing and unrolling
    /// to it, as the runtime does (`strata_ir::passes::for_self_vectorizing_backend`).
    fn apply(&self, mut module: strata_ir::Module, keep_fuel: bool, for_llvm: bool) -> Option<strata_ir::Module> {
        use strata_ir::passes::{run_pipeline, DumpAfter, PassOptions};
        let mut opts = PassOptions::from_env();
        opts.keep_fuel = keep_fuel;
        match self.dump_after.as_deref() {
            Some("all") => opts.dump_after = DumpAfter::All,
            Some(p) => opts.dump_after = DumpAfter::Pass(p.to_string()),
            None => {}
        }
        opts.time_passes |= self.time_passes;
        let pipeline = match &self.pipeline {
            Some(p) if for_llvm => strata_ir::passes::for_self_vectorizing_backend(p),
            Some(p) => p.as_str(),
            None if opts.dump_after != DumpAfter::None || opts.time_passes => "-O0",
            None => return Some(module),
        };
        match run_pipeline(&mut module, pipeline, &opts) {
            Ok(report) => {
                for (pass, text) in &report.dumps {
                    eprintln!("; ---- IR after {pass} ----\n{text}");
                }
                for (pass, t) in &report.timings {
                    eprintln!("{:>10.3} ms  {pass}", t.as_secs_f64() * 1e3);
                }
                Some(module)
            }
            Err(e) => {
                eprintln!("error: {e}");
                None
            }
        }
    }
}
