//! The `strata` command-line tool: run kernels and IR on any tier, check sources, dump IR.
//! Exit codes: 0 success, 1 bad input (files, arguments, compile errors), 3 a trap.

mod cli;

fn main() {
    std::process::exit(cli::main());
}
