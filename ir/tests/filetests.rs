//! Runs the pass filetests in `tests/filetests/<pass>/*.sir` (format in
//! `tests/filetests/README.md`): parses the input section, runs the `; test:` pipeline with
//! verification, prints the module and compares it with the `; expect:` section.
//! `STRATA_BLESS=1` rewrites the expectations instead.

use std::path::{Path, PathBuf};
use strata_ir::passes::{run_pipeline, PassOptions};
use strata_ir::{parse_module, print_module};

const MARKER: &str = "; expect:";

fn collect_filetests() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/filetests");
    let mut out = Vec::new();
    let Ok(dirs) = std::fs::read_dir(&root) else { return out };
    for d in dirs.flatten() {
        let Ok(files) = std::fs::read_dir(d.path()) else { continue };
        for f in files.flatten() {
            if f.path().extension().and_then(|e| e.to_str()) == Some("sir") {
                out.push(f.path());
            }
        }
    }
    out.sort();
    out
}

fn run_one(path: &Path, bless: bool) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let pipeline = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("; test:"))
        .ok_or("missing `; test:` header")?
        .trim()
        .to_string();
    let (input, expected) = match text.find(MARKER) {
        Some(i) => (&text[..i], text[i + MARKER.len()..].trim_start_matches('\n')),
        None => (text.as_str(), ""),
    };
    let mut module = parse_module(input).map_err(|e| format!("parse error: {e}"))?;
    let opts = PassOptions { verify: true, ..PassOptions::default() };
    run_pipeline(&mut module, &pipeline, &opts).map_err(|e| e.to_string())?;
    let actual = print_module(&module);
    if bless {
        let new = format!("{}{MARKER}\n{actual}", input.trim_end_matches('\n').to_string() + "\n\n");
        std::fs::write(path, new).map_err(|e| e.to_string())?;
        return Ok(());
    }
    pretty_assertions::assert_eq!(expected.trim_end(), actual.trim_end(), "{}", path.display());
    Ok(())
}

#[test]
fn filetests() {
    let bless = std::env::var("STRATA_BLESS").is_ok_and(|s| s == "1");
    let files = collect_filetests();
    assert!(files.len() >= 35, "expected the filetests, found {}", files.len());
    let mut failures = Vec::new();
    for f in &files {
        if let Err(e) = run_one(f, bless) {
            failures.push(format!("{}: {e}", f.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
