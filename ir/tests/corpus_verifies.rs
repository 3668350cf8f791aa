//! Every module of the IR corpus (tests/corpus/*.sir) passes the verifier: the corpus is
//! the input of the round-trip, interpreter and differential tests, so it must be valid IR.

use std::path::Path;

#[test]
fn every_corpus_module_verifies() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus");
    let mut checked = 0;
    let mut failures = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("tests/corpus exists") {
        let path = entry.expect("readable directory").path();
        if path.extension().and_then(|e| e.to_str()) != Some("sir") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("readable corpus file");
        let module = strata_ir::parse_module(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if let Err(e) = strata_ir::verify_module(&module) {
            failures.push(format!("{}:\n{e}", path.display()));
        }
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} corpus files found");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
