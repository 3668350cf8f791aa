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

#[test]
fn conformance_suite_through_the_cli() {
    let Some(dir) = suite_dir() else {
        eprintln!("skipping: ../shared/conformance/bpf not found beside the repository");
        return;
    };
    let tmp = std::env::temp_dir().join(format!("strata-cli-bpf-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "data"))
        .collect();
    files.sort();
    let mut failures = Vec::new();
    for f in &files {
        let secs = sections(&std::fs::read_to_string(f).unwrap());
        let get = |name: &str| secs.iter().find(|(n, _)| n == name).map(|(_, b)| b.clone());
        let (Some(asm), Some(result)) = (get("asm"), get("result")) else { continue };
        let prog = tmp.join(format!("{}.s", f.file_stem().unwrap().to_string_lossy()));
        std::fs::write(&prog, asm).unwrap();
        let mem = get("mem").unwrap_or_default().split_whitespace().collect::<Vec<_>>().join(" ");
        let out = Command::new(env!("CARGO_BIN_EXE_strata"))
            .args(["bpf", "run", prog.to_str().unwrap(), "--mem", &mem])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let got = stdout.trim().strip_prefix("0x").and_then(|h| u64::from_str_radix(h, 16).ok());
        if !out.status.success() || got != Some(parse_result(&result)) {
            failures.push(format!(
                "{}: expected {}, got {:?} (stderr: {})",
                f.display(),
                result.trim(),
                stdout.trim(),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
    }
    assert!(files.len() >= 300, "only {} suite files", files.len());
    assert!(failures.is_empty(), "{} of {} failed:\n{}", failures.len(), files.len(), failures.join("\n"));
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
