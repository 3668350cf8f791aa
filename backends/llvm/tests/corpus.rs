//! The IR corpus (`tests/corpus/*.sir`) on tier 2: every module compiles at O0 and O3 (and
//! emits an object), and every `; run:` line gives the expected result, outputs or trap
//! (format in `tests/corpus/README.md`). Floats are compared bit for bit (any NaN equals
//! any NaN).

mod common;
use serde_json::Value as Json;
use std::path::{Path, PathBuf};
use strata_ir::{LaneType, ParamKind, TrapCode, Type, VmContext};
use strata_llvm::{compile, emit, CallError, CompiledFunc, EmitKind, LlvmOptions};

fn corpus_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/corpus exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("sir"))
        .collect();
    files.sort();
    files
}

/// One `; run:` line.
pub struct RunLine {
    pub func: String,
    pub args: Vec<Json>,
    pub expect: Json,
}

pub fn run_lines(text: &str) -> Vec<RunLine> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("; run:"))
        .map(|l| {
            let (call, expect) = l.split_once("=>").expect("`NAME ARGS => RESULT`");
            let call = call.trim();
            let (func, args) = call.split_once(' ').expect("`NAME ARGS`");
            let args: Json = serde_json::from_str(args.trim()).expect("ARGS is JSON");
            let expect: Json = serde_json::from_str(expect.trim()).expect("RESULT is JSON");
            RunLine { func: func.to_string(), args: args.as_array().cloned().unwrap_or_default(), expect }
        })
        .collect()
}

/// A scalar JSON value as the `u64` slot of type `ty`.
fn slot(v: &Json, ty: Type) -> u64 {
    match ty.lane() {
        LaneType::Bool => v.as_bool().map(u64::from).unwrap_or_else(|| v.as_u64().unwrap_or(0)),
        LaneType::F32 => (v.as_f64().expect("a number") as f32).to_bits() as u64,
        LaneType::F64 => v.as_f64().expect("a number").to_bits(),
        _ => v.as_i64().map(|i| i as u64).or_else(|| v.as_u64()).expect("an integer"),
    }
}

/// The bytes of a slice of `elem` holding `vals`.
fn slice_bytes(vals: &[Json], elem: Type) -> Vec<u8> {
    let size = elem.bytes().unwrap_or(1) as usize;
    vals.iter().flat_map(|v| slot(v, elem).to_le_bytes()[..size].to_vec()).collect()
}

/// Whether the slot `got` of type `ty` is the JSON value `want`.
fn same(got: u64, want: &Json, ty: Type) -> bool {
    let bits = ty.lane_bits();
    let mask = if bits >= 64 { u64::MAX } else { (1u64 << bits) - 1 };
    match ty.lane() {
        LaneType::F32 => common::same_f32(f32::from_bits(got as u32), want.as_f64().unwrap_or(f64::NAN) as f32),
        LaneType::F64 => common::same_f64(f64::from_bits(got), want.as_f64().unwrap_or(f64::NAN)),
        _ => got & mask == slot(want, ty) & mask,
    }
}

/// Runs `line` on `f`; returns a description of the mismatch, if any.
pub fn check(f: &CompiledFunc, line: &RunLine) -> Result<(), String> {
    let sig = f.sig.clone();
    let mut buffers: Vec<(String, Type, Vec<u8>)> = Vec::new();
    let mut args = Vec::new();
    for (p, a) in sig.params.iter().zip(&line.args) {
        match p.kind {
            ParamKind::Scalar(t) => args.push(slot(a, t)),
            ParamKind::Slice { elem, .. } => {
                let vals = a.as_array().cloned().unwrap_or_default();
                buffers.push((p.name.clone(), elem, slice_bytes(&vals, elem)));
                let buf = &mut buffers.last_mut().expect("just pushed").2;
                args.push(if buf.is_empty() { 8 } else { buf.as_mut_ptr() as u64 });
                args.push(vals.len() as u64);
            }
        }
    }
    let mut ctx = VmContext::default();
    // SAFETY: slices point into `buffers`, which outlive the call, with their lengths.
    let got = unsafe { f.call(&args, &mut ctx) };
    let describe = || format!("{} {:?}", line.func, line.args);
    if let Some(code) = line.expect.get("trap").and_then(Json::as_str) {
        let want = TrapCode::from_name(code).ok_or_else(|| format!("bad trap name {code}"))?;
        return match got {
            Err(CallError::Trap(t)) if t == want => Ok(()),
            other => Err(format!("{}: want trap {code}, got {other:?}", describe())),
        };
    }
    let ret = got.map_err(|e| format!("{}: {e}", describe()))?;
    match (ret, sig.ret, line.expect.get("ret")) {
        (None, None, None | Some(Json::Null)) => {}
        (Some(v), Some(t), Some(want)) if same(v, want, t) => {}
        (r, _, want) => return Err(format!("{}: ret {r:x?}, want {want:?}", describe())),
    }
    if let Some(outputs) = line.expect.get("outputs").and_then(Json::as_object) {
        for (name, want) in outputs {
            let (_, elem, bytes) =
                buffers.iter().find(|(n, _, _)| n == name).ok_or_else(|| format!("{}: no slice {name}", describe()))?;
            let size = elem.bytes().unwrap_or(1) as usize;
            let want = want.as_array().cloned().unwrap_or_default();
            for (i, (chunk, w)) in bytes.chunks(size).zip(&want).enumerate() {
                let mut b = [0u8; 8];
                b[..size].copy_from_slice(chunk);
                if !same(u64::from_le_bytes(b), w, *elem) {
                    return Err(format!("{}: {name}[{i}] = {:x?}, want {w}", describe(), &b[..size]));
                }
            }
        }
    }
    Ok(())
}

#[test]
fn every_corpus_run_line_passes_at_o0_and_o3() {
    let mut ran = 0;
    let mut failures = Vec::new();
    for path in corpus_files() {
        let text = std::fs::read_to_string(&path).expect("readable");
        let module = strata_ir::parse_module(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for opts in [LlvmOptions::with_opt_level(0), LlvmOptions::with_opt_level(3)] {
            let cm = match compile(&module, &opts) {
                Ok(cm) => cm,
                Err(e) => {
                    failures.push(format!("{} at O{}: {e}", path.display(), opts.opt_level));
                    continue;
                }
            };
            for line in run_lines(&text) {
                match cm.function(&line.func) {
                    Some(f) => {
                        if let Err(e) = check(&f, &line) {
                            failures.push(format!("{} O{}: {e}", path.display(), opts.opt_level));
                        }
                        ran += 1;
                    }
                    None => failures.push(format!("{}: no exported function {}", path.display(), line.func)),
                }
            }
        }
        if let Err(e) = emit(&module, &LlvmOptions::default(), EmitKind::Object, None) {
            failures.push(format!("{}: object: {e}", path.display()));
        }
    }
    assert!(ran >= 200, "only {ran} run lines");
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    println!("{ran} run lines passed");
}
