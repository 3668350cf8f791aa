//! Shared by the BPF conformance tests (`frontend/tests/bpf_conformance.rs` and the root
//! `tests/bpf_conformance.rs`): reading the suite's `.data` files.

#![allow(dead_code)]

use std::path::PathBuf;
use strata_frontend::bpf::{self, Insn};

pub struct Case {
    pub name: String,
    pub asm: String,
    pub raw: Option<Vec<u64>>,
    pub mem: Vec<u8>,
    pub result: u64,
}

/// `$STRATA_BPF_CONFORMANCE`, else `<repo>/../shared/conformance/bpf` (for a worktree in
/// `<dir>/wt/<name>`, also `<dir>/shared/conformance/bpf`).
pub fn suite_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("STRATA_BPF_CONFORMANCE") {
        return Some(PathBuf::from(d));
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    [root.join("../shared/conformance/bpf"), root.join("../../shared/conformance/bpf")].into_iter().find(|d| d.is_dir())
}

pub fn parse_case(name: &str, text: &str) -> Case {
    let mut section = String::new();
    let (mut asm, mut raw, mut mem, mut result) = (String::new(), None::<Vec<u64>>, Vec::new(), None);
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("");
        if let Some(p) = line.find("--") {
            section = line[p + 2..].trim().to_string();
            continue;
        }
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        match section.as_str() {
            "asm" => {
                asm.push_str(t);
                asm.push('\n');
            }
            "raw" => raw.get_or_insert_with(Vec::new).extend(
                t.split_whitespace().map(|w| u64::from_str_radix(w.trim_start_matches("0x"), 16).expect("raw word")),
            ),
            "mem" => mem.extend(t.split_whitespace().map(|b| u8::from_str_radix(b, 16).expect("mem byte"))),
            "result" => {
                result = Some(if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
                    u64::from_str_radix(h, 16).expect("hex result")
                } else {
                    t.parse::<i64>().map(|v| v as u64).or_else(|_| t.parse::<u64>()).expect("decimal result")
                })
            }
            _ => {}
        }
    }
    Case { name: name.to_string(), asm, raw, mem, result: result.expect("result section") }
}

pub fn cases() -> Option<Vec<Case>> {
    let Some(dir) = suite_dir() else {
        println!("skipping: BPF conformance suite not found next to the repository (../shared/conformance/bpf)");
        return None;
    };
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("read suite dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "data"))
        .collect();
    files.sort();
    Some(
        files
            .iter()
            .map(|p| {
                let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                parse_case(&name, &std::fs::read_to_string(p).expect("read case"))
            })
            .collect(),
    )
}

pub fn program(c: &Case) -> Result<Vec<Insn>, String> {
    match &c.raw {
        Some(words) => {
            let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
            bpf::decode(&bytes).map_err(|e| e.to_string())
        }
        None => bpf::assemble(&c.asm).map_err(|e| e.to_string()),
    }
}
