//! `strata bpf run` driven as an external conformance runner drives it: each file of the
//! public suite (../shared/conformance/bpf) becomes a `.s` file and a `--mem` hex string,
//! and the printed r0 must equal the file's `-- result`. Skips, saying why, when the suite
//! is not beside the repository.

use std::path::{Path, PathBuf};
use std::process::Command;

fn suite_dir() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    [root.join("../shared/conformance/bpf"), root.join("../../shared/conformance/bpf")].into_iter().find(|p| p.is_dir())
}

/// The sections of a suite file, comments stripped.
fn sections(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("");
        if let Some(pos) = line.find("--") {
            out.push((line[pos + 2..].trim().to_string(), String::new()));
        } else if let Some(last) = out.last_mut() {
            last.1.push_str(line);
            last.1.push('\n');
        }
    }
    out
}

fn parse_result(s: &str) -> u64 {
    let s = s.trim();
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => u64::from_str_radix(h, 16).expect("hex result"),
        None => s.parse::<i64>().map(|v| v as u64).or_else(|_| s.parse::<u64>()).expect("decimal result"),
    }
}

/// The suite's `.data` files, sorted.
fn suite_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "data"))
        .collect();
    files.sort();
    files
}

/// A suite file's program (`.s` in `tmp`), `--mem` hex and expected r0.
struct Case {
    prog: PathBuf,
    asm: String,
    mem: String,
    result: String,
}

fn case(f: &Path, tmp: &Path) -> Option<Case> {
    let secs = sections(&std::fs::read_to_string(f).unwrap());
    let get = |name: &str| secs.iter().find(|(n, _)| n == name).map(|(_, b)| b.clone());
    let (asm, result) = (get("asm")?, get("result")?);
    let prog = tmp.join(format!("{}.s", f.file_stem().unwrap().to_string_lossy()));
    std::fs::write(&prog, &asm).unwrap();
    let mem = get("mem").unwrap_or_default().split_whitespace().collect::<Vec<_>>().join(" ");
    Some(Case { prog, asm, mem, result })
}

/// Runs `strata bpf run` on a case; `Err` describes a mismatch.
fn run_case(f: &Path, c: &Case, tier: &str) -> Result<(), String> {
    let out = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(["bpf", "run", c.prog.to_str().unwrap(), "--mem", &c.mem, "--tier", tier])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let got = stdout.trim().strip_prefix("0x").and_then(|h| u64::from_str_radix(h, 16).ok());
    if out.status.success() && got == Some(parse_result(&c.result)) {
        return Ok(());
    }
    Err(format!(
        "{} ({tier}): expected {}, got {:?} (stderr: {})",
        f.display(),
        c.result.trim(),
        stdout.trim(),
        String::from_utf8_lossy(&out.stderr).trim()
    ))
}

#[test]
fn conformance_suite_through_the_cli() {
    let Some(dir) = suite_dir() else {
        eprintln!("skipping: ../shared/conformance/bpf not found beside the repository");
        return;
    };
    let tmp = std::env::temp_dir().join(format!("strata-cli-bpf-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let files = suite_files(&dir);
    let failures: Vec<String> =
        files.iter().filter_map(|f| case(f, &tmp).and_then(|c| run_case(f, &c, "interpreter").err())).collect();
    assert!(files.len() >= 300, "only {} suite files", files.len());
    assert!(failures.is_empty(), "{} of {} failed:\n{}", failures.len(), files.len(), failures.join("\n"));
}

/// The files whose programs call a helper pass on every tier with the CLI's default
/// helper set (the whole suite runs on the compiled tiers in `tests/bpf_conformance.rs`).
#[test]
fn helper_calls_on_every_tier_through_the_cli() {
    let Some(dir) = suite_dir() else {
        eprintln!("skipping: ../shared/conformance/bpf not found beside the repository");
        return;
    };
    let tmp = std::env::temp_dir().join(format!("strata-cli-bpf-helpers-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let mut ran = 0;
    let mut failures = Vec::new();
    for f in suite_files(&dir) {
        let Some(c) = case(&f, &tmp) else { continue };
        let calls_helper = strata_frontend::bpf::assemble(&c.asm)
            .ok()
            .and_then(|p| strata_frontend::bpf::lift(&p).ok())
            .is_some_and(|m| !m.externs.is_empty());
        if !calls_helper {
            continue;
        }
        ran += 1;
        for tier in strata_runtime::available_tiers() {
            failures.extend(run_case(&f, &c, tier.name()).err());
        }
    }
    assert!(ran >= 2, "only {ran} suite files call helpers");
    assert!(failures.is_empty(), "{} failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn bad_inputs_are_clear_errors() {
    let tmp = std::env::temp_dir().join(format!("strata-cli-bpf-bad-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let prog = tmp.join("p.s");
    std::fs::write(&prog, "ldxw %r0, [%r1+0]\nexit\n").unwrap();
    let run = |mem: &str, tier: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_strata"))
            .args(["bpf", "run", prog.to_str().unwrap(), "--mem", mem, "--tier", tier, "--dump-mem"])
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    for tier in strata_runtime::available_tiers() {
        let (code, out, _) = run("01 02 03 04", tier.name());
        assert_eq!((code, out.as_str()), (Some(0), "0x4030201\n01 02 03 04\n"), "{tier}");
        // A 4-byte load from 2 bytes of memory is out of bounds on every tier.
        let (code, _, err) = run("0102", tier.name());
        assert_eq!(code, Some(3), "{tier}: {err}");
        assert!(err.contains("out_of_bounds"), "{tier}: {err}");
    }
    let (code, _, err) = run("0g", "interpreter");
    assert_eq!(code, Some(1));
    assert!(err.contains("not a hex digit"), "{err}");
    let (code, _, err) = run("012", "interpreter");
    assert_eq!(code, Some(1));
    assert!(err.contains("odd number"), "{err}");
    std::fs::write(&prog, "mov %r0, 1\nja +5\nexit\n").unwrap();
    let (code, _, err) = run("", "interpreter");
    assert_eq!(code, Some(1));
    assert!(err.contains("instruction 1"), "{err}");
}

/// `strata dump` reads BPF as assembly (`.s`), raw bytecode (`.bin`) and ELF (`.o`), and
/// shows every stage of it.
#[test]
fn dump_accepts_bpf_inputs() {
    let tmp = std::env::temp_dir().join(format!("strata-cli-bpf-dump-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let strata = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_strata")).args(args).output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let asm = tmp.join("p.s");
    std::fs::write(&asm, "mov %r0, 7\nldxb %r3, [%r1+0]\nadd %r0, %r3\nexit\n").unwrap();
    let bin = tmp.join("p.bin");
    let (code, _, err) = strata(&["bpf", "asm", asm.to_str().unwrap(), "-o", bin.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{err}");
    let elf = Path::new(env!("CARGO_MANIFEST_DIR")).join("frontend/tests/data/ret42.bpf.o");
    for file in [&asm, &bin, &elf] {
        let f = file.to_str().unwrap();
        let (code, out, err) = strata(&["dump", f]);
        assert_eq!(code, Some(0), "{f}: {err}");
        assert!(out.contains("export fn @main("), "{f}: {out}");
        let (code, out, err) = strata(&["dump", f, "--passes", "-O2"]);
        assert_eq!(code, Some(0), "{f}: {err}");
        assert!(out.contains("return"), "{f}: {out}");
    }
    let (ir_s, ir_bin) = (strata(&["dump", asm.to_str().unwrap()]).1, strata(&["dump", bin.to_str().unwrap()]).1);
    assert_eq!(ir_s, ir_bin, "assembly and its bytecode lift alike");
    for tier in strata_runtime::available_tiers() {
        let emit = match tier {
            strata_runtime::Tier::Interpreter | strata_runtime::Tier::Adaptive => continue,
            strata_runtime::Tier::Baseline => "clif",
            strata_runtime::Tier::Optimized => "asm",
        };
        let (code, out, err) = strata(&["dump", asm.to_str().unwrap(), "--emit", emit]);
        assert_eq!(code, Some(0), "{emit}: {err}");
        assert!(!out.trim().is_empty(), "{emit}");
    }
    // A broken BPF file is an error naming the file, not a crash.
    std::fs::write(&asm, "mov %r0, 1\nja +5\nexit\n").unwrap();
    let (code, _, err) = strata(&["dump", asm.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("p.s") && err.contains("instruction 1"), "{err}");
    std::fs::write(&bin, [0u8; 5]).unwrap();
    let (code, _, err) = strata(&["dump", bin.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{err}");
}
