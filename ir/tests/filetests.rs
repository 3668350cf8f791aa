//! Runs the pass filetests in `tests/filetests/<pass>/*.sir` (format in
//! `tests/filetests/README.md`): parses the input section, runs the `; test:` pipeline with
//! verification, prints the module and compares it with the `; expect:` section.
//! `STRATA_BLESS=1` rewrites the expectations instead.
//! An optional `; specialize: FUNC name=VALUE, name=[V, V, …]` header binds parameters
//! with `strata_ir::passes::specialize` before the pipeline runs (values are read as the
//! parameter's type).

use std::path::{Path, PathBuf};
use strata_ir::passes::{run_pipeline, specialize, Binding, PassOptions};
use strata_ir::{parse_module, print_module, Module, ParamKind, Type, Val};

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
    if let Some(spec) = text.lines().find_map(|l| l.trim().strip_prefix("; specialize:")) {
        let (func, bindings) = parse_specialize(&module, spec.trim())?;
        specialize(&mut module, &func, &bindings).map_err(|e| format!("specialize: {e}"))?;
    }
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

/// Parses `FUNC name=VALUE, name=[V, …]` into bindings typed by FUNC's signature.
fn parse_specialize(module: &Module, spec: &str) -> Result<(String, Vec<(String, Binding)>), String> {
    let (func, rest) = spec.split_once(char::is_whitespace).unwrap_or((spec, ""));
    let func = func.trim_start_matches('@').to_string();
    let id = module.func_by_name(&func).ok_or(format!("specialize: no function `{func}`"))?;
    let sig = &module.functions[id].sig;
    let mut out = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    let mut items = Vec::new();
    for (i, c) in rest.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&rest[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&rest[start..]);
    for item in items.into_iter().map(str::trim).filter(|s| !s.is_empty()) {
        let (name, value) = item.split_once('=').ok_or(format!("specialize: `{item}` is not name=value"))?;
        let (name, value) = (name.trim(), value.trim());
        // Unknown names are left to `specialize` to report; read their value as f64.
        let kind = sig.param(name).map(|(_, p)| p.kind).unwrap_or(ParamKind::Scalar(Type::F64));
        let binding = match (kind, value.strip_prefix('[').and_then(|v| v.strip_suffix(']'))) {
            (ParamKind::Slice { elem, .. }, Some(list)) | (ParamKind::Scalar(elem), Some(list)) => {
                let mut bytes = Vec::new();
                for x in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    bytes.extend(le_bytes(scalar(elem, x)?));
                }
                Binding::Array { elem, bytes }
            }
            (ParamKind::Scalar(ty), None) | (ParamKind::Slice { elem: ty, .. }, None) => {
                Binding::Scalar(scalar(ty, value)?)
            }
        };
        out.push((name.to_string(), binding));
    }
    Ok((func, out))
}

/// A literal read as type `ty`.
fn scalar(ty: Type, text: &str) -> Result<Val, String> {
    let bad = || format!("specialize: `{text}` is not a {ty}");
    Ok(match ty {
        t if t == Type::F32 => Val::F32(text.parse().map_err(|_| bad())?),
        t if t == Type::F64 => Val::F64(text.parse().map_err(|_| bad())?),
        t if t == Type::I8 => Val::I8(text.parse().map_err(|_| bad())?),
        t if t == Type::I16 => Val::I16(text.parse().map_err(|_| bad())?),
        t if t == Type::I32 => Val::I32(text.parse().map_err(|_| bad())?),
        t if t == Type::I64 => Val::I64(text.parse().map_err(|_| bad())?),
        t if t == Type::BOOL => Val::Bool(text.parse().map_err(|_| bad())?),
        _ => return Err(bad()),
    })
}

fn le_bytes(v: Val) -> Vec<u8> {
    match v {
        Val::I8(x) => x.to_le_bytes().to_vec(),
        Val::I16(x) => x.to_le_bytes().to_vec(),
        Val::I32(x) => x.to_le_bytes().to_vec(),
        Val::I64(x) => x.to_le_bytes().to_vec(),
        Val::F32(x) => x.to_le_bytes().to_vec(),
        Val::F64(x) => x.to_le_bytes().to_vec(),
        _ => Vec::new(),
    }
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
