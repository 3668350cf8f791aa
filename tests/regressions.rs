//! Replays every regression file in `tests/regressions/` (written by `strata-difftest`
//! when it finds a disagreement, then reduced): the interpreter must still give the recorded
//! outcome, and so must every other tier and pass pipeline this build includes.
//!
//! The format is described in `testgen/src/regression.rs`; each file is also valid IR text.

use std::path::Path;
use strata_testgen::regression;
use strata_testgen::run::{self, REFERENCE};

#[test]
fn every_regression_replays_on_every_tier() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/regressions exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "sir"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no regression files in {}", dir.display());
    let mut failures = Vec::new();
    let mut runs = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).expect("readable regression file");
        let r = regression::read(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for config in std::iter::once(REFERENCE).chain(run::configs()) {
            runs += 1;
            let got = match run::compile(&r.module, config) {
                Ok(c) => run::call(&c, &r.function, &r.inputs),
                Err(e) => run::Outcome::Failed(e),
            };
            if !r.expect.matches(&got) {
                failures.push(format!(
                    "{} ({}) on {}:\n  expected {:?}\n  got      {:?}",
                    path.display(),
                    r.origin,
                    config.label(),
                    r.expect,
                    got
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    eprintln!("regressions: {} files, {runs} runs", files.len());
}
