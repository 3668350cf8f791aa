//! `strata bpf run|asm|disasm`: BPF bytecode (RFC 9669) from the command line.
//!
//! `run` loads a program (`.s` assembly in the conformance suite's syntax, `.o` ELF from
//! `clang -target bpf`, or raw bytecode in any other file), verifies and lifts it, runs it
//! with r1/r2 = the memory given by `--mem` (hex bytes, or `@FILE`) and prints r0 as
//! 64-bit hex (`0x…`, the suite's notation). `--dump-mem` adds a second line with the final
//! memory as hex bytes. The default helper set ([`strata::bpf::default_helpers`]): helper 5
//! returns its first argument (what the conformance suite's `call_unwind_fail`/`callx`
//! expect); other helpers trap `host_error`. Helpers work on every tier. `--tier
//! interpreter` (the default) runs the dedicated BPF interpreter, the other tiers the
//! lifted IR (`strata_runtime::compile_bpf`).

use super::{run::parse_tier, EXIT_INPUT, EXIT_TRAP};
use std::path::{Path, PathBuf};
use strata_frontend::bpf;
use strata_ir::interp::{Arg, Val};
use strata_runtime::{CallError, Options, Tier};

#[derive(clap::Subcommand)]
pub enum BpfCommand {
    /// Run a BPF program and print r0 (hex).
    Run(BpfRunArgs),
    /// Assemble a .s file to raw bytecode.
    Asm {
        /// The assembly source.
        file: PathBuf,
        /// Output file for the bytecode.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Disassemble raw bytecode or an ELF object.
    Disasm {
        /// The program (.o ELF or raw bytecode).
        file: PathBuf,
        /// ELF section (default: the first executable one).
        #[arg(long)]
        section: Option<String>,
    },
}

#[derive(clap::Args)]
pub struct BpfRunArgs {
    /// The program: .s (assembly), .o (ELF), anything else raw bytecode.
    file: PathBuf,
    /// ELF section or program name (default: the first executable section).
    #[arg(long)]
    section: Option<String>,
    /// Input memory: hex bytes ("0f 00 aa" or "0f00aa"), or @FILE (hex text or raw bytes).
    #[arg(long, default_value = "", allow_hyphen_values = true)]
    mem: String,
    /// Execution tier.
    #[arg(long, default_value = "interpreter", value_parser = parse_tier)]
    tier: Tier,
    /// Fuel budget (back-edges and calls); running out traps, so endless loops end.
    #[arg(long, value_name = "N")]
    fuel: Option<u64>,
    /// Also print the final memory as hex bytes.
    #[arg(long)]
    dump_mem: bool,
}

pub fn bpf(cmd: BpfCommand) -> i32 {
    match cmd {
        BpfCommand::Run(a) => run(a),
        BpfCommand::Asm { file, output } => {
            let result = read_text(&file)
                .and_then(|src| bpf::assemble(&src).map_err(|e| format!("{}: {e}", file.display())))
                .and_then(|insns| {
                    std::fs::write(&output, bpf::encode(&insns))
                        .map_err(|e| format!("cannot write `{}`: {e}", output.display()))
                });
            report(result.map(|_| ()))
        }
        BpfCommand::Disasm { file, section } => {
            let result = load_program(&file, section.as_deref()).map(|insns| print!("{}", bpf::disassemble(&insns)));
            report(result)
        }
    }
}

fn report(r: Result<(), String>) -> i32 {
    match r {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_INPUT
        }
    }
}

fn read_text(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    String::from_utf8(bytes)
        .map_err(|e| format!("`{}` is not valid UTF-8 (byte {})", path.display(), e.utf8_error().valid_up_to()))
}

/// Loads instructions by file kind: `.s` assembly, `.o` ELF, otherwise raw bytecode.
fn load_program(path: &Path, section: Option<&str>) -> Result<Vec<bpf::Insn>, String> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let shown = path.display();
    if ext == "s" || ext == "asm" {
        let src = read_text(path)?;
        return bpf::assemble(&src).map_err(|e| format!("{shown}: {e}"));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read `{shown}`: {e}"))?;
    if bytes.starts_with(b"\x7fELF") {
        bpf::load_elf(&bytes, section).map_err(|e| format!("{shown}: {e}"))
    } else {
        bpf::decode(&bytes).map_err(|e| format!("{shown}: {e}"))
    }
}

/// Parses `--mem`: hex byte pairs (whitespace optional), or `@FILE` holding hex text or raw
/// bytes.
fn parse_mem(spec: &str) -> Result<Vec<u8>, String> {
    let text;
    let hex = if let Some(path) = spec.strip_prefix('@') {
        let bytes = std::fs::read(path).map_err(|e| format!("--mem: cannot read `{path}`: {e}"))?;
        match std::str::from_utf8(&bytes) {
            Ok(s) if s.chars().all(|c| c.is_ascii_hexdigit() || c.is_whitespace()) => {
                text = s.to_string();
                text.as_str()
            }
            _ => return Ok(bytes),
        }
    } else {
        spec
    };
    let digits: Vec<char> = hex.chars().filter(|c| !c.is_whitespace()).collect();
    if let Some((i, c)) = digits.iter().enumerate().find(|(_, c)| !c.is_ascii_hexdigit()) {
        return Err(format!("--mem: `{c}` (digit {}) is not a hex digit; expected bytes such as \"0f 00 aa\"", i + 1));
    }
    if !digits.len().is_multiple_of(2) {
        return Err(format!("--mem: {} hex digits is an odd number; each byte needs two", digits.len()));
    }
    Ok(digits
        .chunks(2)
        .map(|p| {
            let s: String = p.iter().collect();
            u8::from_str_radix(&s, 16).unwrap_or(0)
        })
        .collect())
}

fn run(a: BpfRunArgs) -> i32 {
    let prepared = parse_mem(&a.mem).and_then(|mem| {
        let insns = load_program(&a.file, a.section.as_deref())?;
        // Lifted here only to report a bad program with its file name.
        bpf::lift(&insns).map_err(|e| format!("{}: {e}", a.file.display()))?;
        Ok((mem, insns))
    });
    let (mut mem, insns) = match prepared {
        Ok(x) => x,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_INPUT;
        }
    };
    let opts = Options { fuel: a.fuel, hosts: strata::bpf::default_helpers(), ..Options::default() };
    let result: Result<Option<Val>, CallError> = match strata_runtime::compile_bpf(&insns, a.tier, &opts) {
        Ok(c) => c.call("main", &mut [Arg::SliceMut(&mut mem)]),
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_INPUT;
        }
    };
    match result {
        Ok(ret) => {
            let r0 = match ret {
                Some(Val::I64(x)) => x as u64,
                Some(v) => v.as_i64().unwrap_or(0) as u64,
                None => 0,
            };
            println!("0x{r0:x}");
            if a.dump_mem {
                let hex: Vec<String> = mem.iter().map(|b| format!("{b:02x}")).collect();
                println!("{}", hex.join(" "));
            }
            0
        }
        Err(CallError::Trap(t)) => {
            eprintln!("error: {t}");
            EXIT_TRAP
        }
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_INPUT
        }
    }
}
