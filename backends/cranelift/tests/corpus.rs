//! The shared IR corpus (`tests/corpus/*.sir` at the workspace root): every module compiles
//! with tier 1 (CLIF verifier on) and every `; run:` line gives the expected result or trap
//! (see `tests/corpus/README.md` for the line format).

mod common;
use common::*;
use serde_json::Value as Json;
use strata_ir::{LaneType, ParamKind, TrapCode, Type};

/// The slot encoding of a JSON scalar of type `ty`.
fn encode(ty: Type, v: &Json) -> u64 {
    match ty.lane() {
        LaneType::Bool => u64::from(v.as_bool().expect("bool argument")),
        LaneType::F32 => u64::from((v.as_f64().expect("number") as f32).to_bits()),
        LaneType::F64 => v.as_f64().expect("number").to_bits(),
        _ => v.as_i64().map(|x| x as u64).or_else(|| v.as_u64()).expect("integer argument"),
    }
}

/// Whether slot `got` holds the JSON value `want` of type `ty`.
fn matches(ty: Type, got: u64, want: &Json) -> bool {
    let bits = ty.lane_bits();
    let mask = |x: u64| if bits >= 64 { x } else { x & ((1u64 << bits) - 1) };
    match ty.lane() {
        LaneType::Bool => want.as_bool() == Some(got & 1 == 1),
        LaneType::F32 => want.as_f64().is_some_and(|w| (w as f32).to_bits() == got as u32),
        LaneType::F64 => want.as_f64().is_some_and(|w| w.to_bits() == got),
        _ => encode(ty, want) & mask(u64::MAX) == mask(got),
    }
}

fn elem_bytes(ty: Type) -> usize {
    (ty.lane_bits() / 8) as usize
}

fn run_line(cm: &Compiled, file: &str, line: &str) {
    let (call_part, want) = line.split_once("=>").expect("`=>` in run line");
    let (name, args) = call_part.trim().split_once(' ').expect("name and arguments");
    let args: Json = serde_json::from_str(args).expect("JSON arguments");
    let want: Json = serde_json::from_str(want.trim()).expect("JSON result");
    let f = cm.function(name).unwrap_or_else(|| panic!("{file}: no exported function {name}"));
    let args = args.as_array().expect("argument array");
    assert_eq!(args.len(), f.sig.params.len(), "{file}: {line}");
    let mut bufs: Vec<Vec<u8>> = Vec::new();
    for (p, a) in f.sig.params.iter().zip(args) {
        if let ParamKind::Slice { elem, .. } = p.kind {
            let items = a.as_array().expect("slice argument");
            let mut buf: Vec<u8> =
                items.iter().flat_map(|v| encode(elem, v).to_le_bytes()[..elem_bytes(elem)].to_vec()).collect();
            buf.reserve(1); // a non-dangling pointer even when empty
            bufs.push(buf);
        }
    }
    let mut slots = Vec::new();
    let mut k = 0;
    for (p, a) in f.sig.params.iter().zip(args) {
        match p.kind {
            ParamKind::Scalar(t) => slots.push(encode(t, a)),
            ParamKind::Slice { elem, .. } => {
                slots.push(bufs[k].as_mut_ptr() as u64);
                slots.push((bufs[k].len() / elem_bytes(elem)) as u64);
                k += 1;
            }
        }
    }
    let got = call(cm, name, &slots);
    if let Some(trap) = want.get("trap") {
        let code = TrapCode::from_name(trap.as_str().expect("trap name")).expect("trap code");
        assert_eq!(got, Err(code), "{file}: {line}");
        return;
    }
    let ret = got.unwrap_or_else(|t| panic!("{file}: {line}: trapped {t}"));
    match (f.sig.ret, want.get("ret")) {
        (Some(t), Some(w)) => assert!(matches(t, ret, w), "{file}: {line}: returned {ret:#x}"),
        (None, None | Some(Json::Null)) => {}
        (r, w) => panic!("{file}: {line}: return type {r:?} vs expected {w:?}"),
    }
    if let Some(outputs) = want.get("outputs").and_then(Json::as_object) {
        let mut k = 0;
        for p in &f.sig.params {
            let ParamKind::Slice { elem, .. } = p.kind else { continue };
            if let Some(expected) = outputs.get(&p.name).and_then(Json::as_array) {
                let got: Vec<u64> = bufs[k]
                    .chunks(elem_bytes(elem))
                    .map(|c| {
                        let mut b = [0u8; 8];
                        b[..c.len()].copy_from_slice(c);
                        u64::from_le_bytes(b)
                    })
                    .collect();
                assert_eq!(got.len(), expected.len(), "{file}: {line}: length of {}", p.name);
                for (g, w) in got.iter().zip(expected) {
                    assert!(matches(elem, *g, w), "{file}: {line}: output {} = {got:x?}", p.name);
                }
            }
            k += 1;
        }
    }
}

#[test]
fn corpus_runs() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus");
    let mut files: Vec<_> = std::fs::read_dir(&dir).expect("corpus directory").flatten().map(|e| e.path()).collect();
    files.retain(|p| p.extension().is_some_and(|e| e == "sir"));
    files.sort();
    assert!(!files.is_empty());
    let mut lines = 0;
    for path in files {
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        let m = strata_ir::text::parse_module(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        for o in [opts(), strata_cranelift::CraneliftOptions { opt_level: strata_cranelift::OptLevel::None, ..opts() }]
        {
            let cm = compile_opts(&m, &o);
            for line in text.lines().filter_map(|l| l.trim().strip_prefix("; run:")) {
                run_line(&cm, &file, line.trim());
                lines += 1;
            }
        }
    }
    assert!(lines > 0);
}

#[test]
fn corpus_clif_text() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus");
    let text = std::fs::read_to_string(dir.join("vectors.sir")).unwrap();
    let m = strata_ir::text::parse_module(&text).unwrap();
    let clif = strata_cranelift::clif_text(&m, &opts()).unwrap();
    assert!(clif.contains("function %vadd4("), "{clif}");
    assert!(clif.contains("function %vadd4__strata_array_call("));
    assert!(clif.contains("fadd v"), "{clif}");
}
