//! Property tests: random and mutated sources may be rejected, but the frontend never
//! panics, never reports an error outside the source, and every report renders. Bounded
//! (a few hundred cases per property) so the whole file runs in seconds.

use proptest::prelude::*;
use strata_frontend::{compile_bytes, compile_source};

/// The example kernels, as seeds for mutation.
fn seeds() -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/kernels");
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .expect("examples/kernels exists")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "sk"))
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .collect();
    out.sort();
    out
}

/// Compiles `src`; on failure checks the diagnostics are sane and render.
fn exercise(src: &str) {
    match compile_source("fuzz.sk", src) {
        Ok(module) => {
            if let Err(e) = strata_ir::verify_module(&module) {
                panic!("accepted a program whose IR does not verify: {e}\n{src}");
            }
        }
        Err(diags) => {
            assert!(!diags.is_empty());
            for d in &diags {
                assert!(d.span.start <= src.len() && d.span.end <= src.len(), "span {:?} outside the source", d.span);
                assert!(d.line >= 1 && d.col >= 1);
                assert!(!d.message.is_empty());
            }
            let _ = diags.render("fuzz.sk", src, false);
            let _ = diags.to_string();
        }
    }
}

const TOKENS: &[&str] = &[
    "fn",
    "export",
    "extern",
    "let",
    "mut",
    "if",
    "else",
    "for",
    "in",
    "while",
    "loop",
    "break",
    "continue",
    "return",
    "as",
    "true",
    "false",
    "x",
    "y",
    "a",
    "f",
    "i",
    "n",
    "len",
    "sqrt",
    "min",
    "clamp",
    "round",
    "i32",
    "i64",
    "f32",
    "f64",
    "bool",
    "0",
    "1",
    "2.5",
    "0x1f",
    "1e3",
    "7i32",
    "0.5f32",
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    ",",
    ";",
    ":",
    "->",
    ".",
    "..",
    "#",
    "[fastmath]",
    "=",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "+",
    "-",
    "*",
    "/",
    "%",
    "&",
    "|",
    "^",
    "!",
    "&&",
    "||",
    "<<",
    ">>",
    ">>>",
    "+=",
    "-=",
    "*=",
    ">>>=",
    "//",
    "/*",
    "*/",
    "\n",
    "é",
    "$",
    "\"",
    "9999999999999999999999",
];

/// One edit of a source text.
#[derive(Clone, Debug)]
enum Mutation {
    Delete { at: usize, len: usize },
    Insert { at: usize, token: usize },
    Duplicate { at: usize, len: usize },
    Replace { at: usize, token: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1usize..8).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), 0..TOKENS.len()).prop_map(|(at, token)| Mutation::Insert { at, token }),
        (any::<usize>(), 1usize..40).prop_map(|(at, len)| Mutation::Duplicate { at, len }),
        (any::<usize>(), 0..TOKENS.len()).prop_map(|(at, token)| Mutation::Replace { at, token }),
    ]
}

/// The nearest char boundary at or below `at % (len + 1)`.
fn boundary(s: &str, at: usize) -> usize {
    let mut i = at % (s.len() + 1);
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(src: &str, m: &Mutation) -> String {
    let mut s = src.to_string();
    match *m {
        Mutation::Delete { at, len } => {
            let a = boundary(&s, at);
            let b = boundary(&s, a + len.min(s.len() - a));
            s.replace_range(a..b.max(a), "");
        }
        Mutation::Insert { at, token } => {
            let a = boundary(&s, at);
            s.insert_str(a, &format!(" {} ", TOKENS[token]));
        }
        Mutation::Duplicate { at, len } => {
            let a = boundary(&s, at);
            let b = boundary(&s, a + len.min(s.len() - a)).max(a);
            let piece = s[a..b].to_string();
            s.insert_str(b, &piece);
        }
        Mutation::Replace { at, token } => {
            let a = boundary(&s, at);
            // Replace the word at `a` (up to the next space) with a token.
            let end = s[a..].find(char::is_whitespace).map_or(s.len(), |p| a + p);
            s.replace_range(a..end, TOKENS[token]);
        }
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_token_soup_never_panics(tokens in prop::collection::vec(0..TOKENS.len(), 0..60)) {
        let src: Vec<&str> = tokens.iter().map(|&t| TOKENS[t]).collect();
        exercise(&src.join(" "));
    }

    #[test]
    fn mutated_kernels_never_panic(seed in 0usize..64, edits in prop::collection::vec(mutation(), 1..6)) {
        let seeds = seeds();
        let mut src = seeds[seed % seeds.len()].clone();
        for m in &edits {
            src = apply(&src, m);
        }
        exercise(&src);
    }

    #[test]
    fn arbitrary_text_never_panics(src in "\\PC{0,200}") {
        exercise(&src);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        if let Err(d) = compile_bytes("fuzz.sk", &bytes) {
            let _ = d.render("fuzz.sk", &String::from_utf8_lossy(&bytes), false);
        }
    }

    #[test]
    fn function_bodies_of_valid_statements(stmts in prop::collection::vec(statement(), 0..12)) {
        // Well-formed programs built from pieces: these must compile.
        let body = stmts.join("\n    ");
        let src = format!("export fn k(x: [f32], y: mut [f32], n: i64) -> f32 {{\n    let mut acc = 0.0;\n    let mut k = 0;\n    {body}\n    return acc;\n}}\n");
        if let Err(d) = compile_source("gen.sk", &src) {
            panic!("generated program rejected:\n{src}\n{d}");
        }
    }
}

/// A statement that is valid in the body above.
fn statement() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("acc += x[k % x.len()];".to_string()),
        Just("acc = max(acc, 0.5);".to_string()),
        Just("k += 1;".to_string()),
        Just("y[0] = acc;".to_string()),
        Just("if acc > 1.0 { acc = sqrt(acc); }".to_string()),
        Just("if k > n || k < 0 { return acc; }".to_string()),
        Just("acc = round(acc * 2.0) / 2.0;".to_string()),
        Just("k = k << 1 >>> 1;".to_string()),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|b| format!("for i in 0..n {{ {} }}", b.join(" "))),
            prop::collection::vec(inner.clone(), 0..4)
                .prop_map(|b| format!("while k < n {{ k += 1; {} if k == 3 {{ break; }} }}", b.join(" "))),
            (prop::collection::vec(inner.clone(), 0..3), prop::collection::vec(inner, 0..3))
                .prop_map(|(a, b)| format!("if acc < 2.0 && k != 1 {{ {} }} else {{ {} }}", a.join(" "), b.join(" "))),
        ]
    })
}
