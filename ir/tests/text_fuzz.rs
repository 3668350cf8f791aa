//! The parser never panics, hangs or blows up on any input: random strings, soups of IR
//! tokens, and corpus files with bytes flipped, deleted and duplicated. It may reject them;
//! whatever it accepts must round-trip (print → parse → print gives the same text, and
//! parsing the printed text gives an equal module).

use proptest::prelude::*;
use proptest::sample::Index;
use std::path::PathBuf;
use std::sync::OnceLock;
use strata_ir::{parse_module, print_module};

fn corpus() -> &'static [Vec<u8>] {
    static FILES: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    FILES.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus");
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "sir"))
            .collect();
        paths.sort();
        paths.iter().map(|p| std::fs::read(p).unwrap()).collect()
    })
}

/// Parses `src`; if it parses, checks both round-trip properties.
fn check(src: &str) {
    let Ok(m) = parse_module(src) else { return };
    let printed = print_module(&m);
    let again = parse_module(&printed).unwrap_or_else(|e| panic!("printed text does not parse: {e}\n{printed}"));
    assert!(again == m, "parse(print(m)) != m for\n{src}\nprinted as\n{printed}");
    assert_eq!(print_module(&again), printed);
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(Index, u8),
    Delete(Index, usize),
    Duplicate(Index, usize, Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<Index>(), 1..40usize).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (any::<Index>(), 1..80usize, any::<Index>()).prop_map(|(i, n, j)| Mutation::Duplicate(i, n, j)),
    ]
}

fn apply(mut bytes: Vec<u8>, muts: &[Mutation]) -> Vec<u8> {
    for m in muts {
        if bytes.is_empty() {
            break;
        }
        match m {
            Mutation::Flip(i, b) => {
                let i = i.index(bytes.len());
                bytes[i] ^= b;
            }
            Mutation::Delete(i, n) => {
                let i = i.index(bytes.len());
                let end = (i + n).min(bytes.len());
                bytes.drain(i..end);
            }
            Mutation::Duplicate(i, n, j) => {
                let i = i.index(bytes.len());
                let end = (i + n).min(bytes.len());
                let chunk = bytes[i..end].to_vec();
                let j = j.index(bytes.len() + 1);
                bytes.splice(j..j, chunk);
            }
        }
    }
    bytes
}

/// Fragments of IR text, so that random sequences reach deep into the grammar.
const FRAGMENTS: &[&str] = &[
    "fn",
    "export",
    "extern",
    "data",
    "@f",
    "@g",
    "@d",
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "=",
    "->",
    "\n",
    "block0",
    "block1",
    "v0",
    "v1",
    "v2",
    "ss0",
    "i32",
    "f32",
    "i64",
    "ptr",
    "bool",
    "f32x4",
    "boolx4",
    "mut",
    "iconst.i32",
    "fconst.f32",
    "bconst.bool",
    "iadd.i32",
    "fadd.f32",
    "reassoc",
    "icmp.bool",
    "slt",
    "fcmp.bool",
    "lt",
    "select.i32",
    "load.f32",
    "store",
    "bounds_check",
    "stack_addr.ptr",
    "data_addr.ptr",
    "extractlane.f32",
    "insertlane.f32x4",
    "call",
    "call.i32",
    "call_host",
    "br",
    "brif",
    "return",
    "trap",
    "unreachable",
    "user3",
    "stack_slot",
    "align",
    "0",
    "1",
    "-1",
    "0xff",
    "1.5",
    "-inf",
    "nan",
    "nan:0x7fc00001",
    "true",
    ";c\n",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn random_strings(s in "\\PC{0,300}") {
        check(&s);
    }

    #[test]
    fn random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        check(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn token_soup(parts in proptest::collection::vec(proptest::sample::select(FRAGMENTS), 0..120)) {
        check(&parts.join(" "));
    }

    #[test]
    fn mutated_corpus(file in any::<Index>(), muts in proptest::collection::vec(mutation(), 1..6)) {
        let files = corpus();
        prop_assume!(!files.is_empty());
        let original = &files[file.index(files.len())];
        check(&String::from_utf8_lossy(&apply(original.clone(), &muts)));
    }
}
