//! W^X: JIT code memory is never writable and executable at once. Compiles every example
//! kernel (and the IR corpus) on tiers 1 and 2 several times, keeps all of it alive and
//! callable, then reads `/proc/self/maps` and fails on any mapping with `rwx` permissions.
//! Linux only (other systems have no `/proc/self/maps`; see docs/portability.md).

#![cfg(target_os = "linux")]

use std::path::Path;
use strata_ir::interp::Arg;
use strata_runtime::{Options, Tier};

fn modules() -> Vec<(String, strata_ir::Module)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in ["examples/kernels", "tests/corpus"] {
        let mut files: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap_or_else(|e| panic!("{dir}: {e}"))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("sk" | "sir")))
            .collect();
        files.sort();
        for p in files {
            let m = strata::source::load_file(&p, false).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            out.push((p.display().to_string(), m));
        }
    }
    out
}

/// Lines of /proc/self/maps whose permissions start with `perms` (`rwx`, `r-x`, …);
/// `anonymous` keeps only mappings without a backing file (where JIT code lives).
fn mappings(perms: &str, anonymous: bool) -> Vec<String> {
    let maps = std::fs::read_to_string("/proc/self/maps").expect("/proc/self/maps is readable on Linux");
    maps.lines()
        .filter(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            f.get(1).is_some_and(|p| p.starts_with(perms)) && (!anonymous || f.len() < 6)
        })
        .map(String::from)
        .collect()
}

fn rwx_mappings() -> Vec<String> {
    mappings("rwx", false)
}

#[test]
fn no_mapping_is_writable_and_executable() {
    let tiers: Vec<Tier> = strata_runtime::available_tiers().into_iter().filter(|&t| t != Tier::Interpreter).collect();
    if tiers.is_empty() {
        eprintln!("no JIT tier in this build: nothing can map code");
        return;
    }
    let before = rwx_mappings();
    let code_before = mappings("r-x", true).len();
    let mut alive = Vec::new();
    for round in 0..3 {
        for (name, m) in modules() {
            for &t in &tiers {
                // Alternate opt levels so tier 2 runs both its light and heavy pipelines.
                let opts = Options { llvm_opt_level: if round % 2 == 0 { 3 } else { 0 }, ..Options::default() };
                let c = strata_runtime::compile(&m, t, &opts).unwrap_or_else(|e| panic!("{name} on {t}: {e}"));
                alive.push(c);
            }
        }
    }
    // The code is live and runs (so its pages were really made executable), and then the
    // maps are checked while all of it is still mapped.
    let sumsq = strata::source::load_file(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/ir/sumsq.sir"), false)
        .expect("sumsq.sir");
    for &t in &tiers {
        let c = strata_runtime::compile(&sumsq, t, &Options::default()).expect("compiles");
        let x: Vec<u8> = [1.0f32, 2.0, 3.0].iter().flat_map(|v| v.to_le_bytes()).collect();
        let r = c.call("sumsq", &mut [Arg::Slice(&x)]).expect("runs");
        assert_eq!(r, Some(strata_ir::interp::Val::F32(14.0)), "{t}");
        alive.push(c);
    }
    assert!(alive.len() > 50, "only {} modules compiled", alive.len());
    // The check sees JIT code: anonymous executable mappings appeared (so an `rwx` one
    // would have been seen too).
    let code_after = mappings("r-x", true).len();
    assert!(code_after > code_before, "no new anonymous r-x mapping ({code_before} -> {code_after})");
    let after = rwx_mappings();
    let new: Vec<_> = after.iter().filter(|l| !before.contains(l)).collect();
    assert!(
        after.is_empty(),
        "rwx mappings after compiling {} modules (new ones: {new:?}):\n{}",
        alive.len(),
        after.join("\n")
    );
}
