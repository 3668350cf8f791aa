//! The corpus in `tests/corpus/*.sir` round-trips through the text format: printing a
//! parsed file and parsing it again gives an equal module, and printing that gives the
//! same text. Together the files must use every opcode.

use pretty_assertions::assert_eq;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use strata_ir::{parse_module, print_module, Module, Opcode};

fn corpus() -> Vec<(PathBuf, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "sir"))
        .collect();
    files.sort();
    assert!(files.len() >= 8, "corpus files missing in {}", dir.display());
    files.into_iter().map(|p| (p.clone(), std::fs::read_to_string(&p).unwrap())).collect()
}

fn parse(path: &Path, text: &str) -> Module {
    parse_module(text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn parse_print_parse_is_identity() {
    for (path, text) in corpus() {
        let m = parse(&path, &text);
        let printed = print_module(&m);
        let again = parse_module(&printed).unwrap_or_else(|e| panic!("{} reprinted: {e}\n{printed}", path.display()));
        assert!(again == m, "{}: parse(print(parse(t))) != parse(t)", path.display());
    }
}

#[test]
fn print_parse_print_is_identity() {
    for (path, text) in corpus() {
        let printed = print_module(&parse(&path, &text));
        let reprinted = print_module(&parse(&path, &printed));
        assert_eq!(printed, reprinted, "{}", path.display());
    }
}

#[test]
fn corpus_uses_every_opcode() {
    let mut used = BTreeSet::new();
    let mut functions = 0;
    for (path, text) in corpus() {
        let m = parse(&path, &text);
        for f in m.functions.values() {
            functions += 1;
            for b in f.layout.blocks() {
                for inst in f.layout.block_insts(b) {
                    used.insert(f.dfg.insts[inst].opcode());
                }
            }
        }
    }
    let missing: Vec<&str> = Opcode::ALL.iter().filter(|op| !used.contains(op)).map(|op| op.name()).collect();
    assert!(missing.is_empty(), "opcodes not used by the corpus: {missing:?}");
    assert!(functions >= 35, "only {functions} corpus functions");
}
