//! Executes every `; run:` line of the IR corpus (tests/corpus/*.sir, convention in its
//! README) on every tier this build includes, and checks the result against the line's
//! expectation bit for bit: floats by their bits (any NaN equals any NaN; -0.0 is not
//! +0.0), integers exactly, traps by code. Because every tier must match the same
//! expectation, this is also the first differential test between the tiers.

use serde_json::Value as Json;
use std::path::{Path, PathBuf};
use strata::json_args::{self, OwnedArg};
use strata_ir::interp::Arg;
use strata_runtime::{CallError, Options, Tier};

struct RunLine {
    file: PathBuf,
    line: usize,
    func: String,
    args: Json,
    expect: Json,
}

fn corpus_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/corpus exists")
        .map(|e| e.expect("readable dir").path())
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("sir"))
        .collect();
    files.sort();
    files
}

fn run_lines(file: &Path, text: &str) -> Vec<RunLine> {
    let mut out = Vec::new();
    for (i, l) in text.lines().enumerate() {
        let Some(rest) = l.trim_start().strip_prefix("; run:") else { continue };
        let (call, expect) = rest.split_once("=>").unwrap_or_else(|| panic!("{}:{}: no `=>`", file.display(), i + 1));
        let call = call.trim();
        let (func, args) = call.split_once(' ').unwrap_or((call, "[]"));
        let parse = |s: &str| -> Json {
            serde_json::from_str(s.trim()).unwrap_or_else(|e| panic!("{}:{}: bad JSON: {e}", file.display(), i + 1))
        };
        out.push(RunLine {
            file: file.to_path_buf(),
            line: i + 1,
            func: func.to_string(),
            args: parse(args),
            expect: parse(expect),
        });
    }
    out
}

/// JSON equality where numbers compare by value with floats bit-exact (NaN == NaN).
fn same(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(i), Some(j)) => i == j,
            _ => match (x.as_f64(), y.as_f64()) {
                (Some(f), Some(g)) => f.to_bits() == g.to_bits() || (f == g && f != 0.0),
                _ => x == y,
            },
        },
        (Json::String(s), Json::String(t)) => s.eq_ignore_ascii_case(t),
        (Json::Array(x), Json::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q)),
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

#[test]
fn corpus_run_lines_pass_on_every_tier() {
    let mut total = 0;
    let mut failures = Vec::new();
    for file in corpus_files() {
        let text = std::fs::read_to_string(&file).expect("readable corpus file");
        let module = strata_ir::parse_module(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        strata_ir::verify_module(&module).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let lines = run_lines(&file, &text);
        for tier in strata_runtime::available_tiers() {
            let compiled = match strata_runtime::compile(&module, tier, &Options::default()) {
                Ok(c) => c,
                Err(e) => {
                    failures.push(format!("{} on {tier}: compile error: {e}", file.display()));
                    continue;
                }
            };
            for rl in &lines {
                total += 1;
                let where_ = format!("{}:{} `{}` on {tier}", rl.file.display(), rl.line, rl.func);
                let id = module.func_by_name(&rl.func).unwrap_or_else(|| panic!("{where_}: no such function"));
                let sig = module.functions[id].sig.clone();
                let mut owned = json_args::args_from_json(&rl.func, &sig, &rl.args)
                    .unwrap_or_else(|e| panic!("{where_}: bad arguments: {e}"));
                let mut args: Vec<Arg<'_>> = owned.iter_mut().map(OwnedArg::as_arg).collect();
                let result = compiled.call(&rl.func, &mut args);
                drop(args);
                let got = match result {
                    Ok(ret) => {
                        let mut j = json_args::result_json(&sig, ret.as_ref(), &owned);
                        // Lines without "outputs" don't check them.
                        if rl.expect.get("outputs").is_none() {
                            if let Some(o) = j.as_object_mut() {
                                o.remove("outputs");
                            }
                        }
                        j
                    }
                    Err(CallError::Trap(t)) => serde_json::json!({ "trap": t.code.to_string() }),
                    Err(e) => serde_json::json!({ "error": e.to_string() }),
                };
                if !same(&got, &rl.expect) {
                    failures.push(format!("{where_}: args {} expected {} got {}", rl.args, rl.expect, got));
                }
            }
        }
    }
    assert!(total >= 200, "only {total} run lines executed");
    assert!(failures.is_empty(), "{} of {total} runs failed:\n{}", failures.len(), failures.join("\n"));
    eprintln!("{total} corpus runs passed on {:?}", strata_runtime::available_tiers());
}

#[test]
fn tier_names_parse() {
    for t in Tier::ALL {
        assert_eq!(t.name().parse::<Tier>(), Ok(t));
    }
}
