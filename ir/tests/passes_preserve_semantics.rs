//! Differential check of the optimizer against the interpreter: every exported function of
//! every module in `tests/corpus/*.sir` runs on generated inputs (scalars from a fixed
//! table of edge values, slices filled with a byte pattern) before and after `-O2` (and
//! each pass alone), and the results — return value or trap, and the bytes of every
//! mutable slice — must be identical. Runs that exhaust the fuel are skipped (optimized
//! code uses less fuel, so the point where it runs out differs).

use std::path::Path;
use strata_ir::interp::{Arg, Interpreter, Val};
use strata_ir::passes::{run_pipeline, PassOptions};
use strata_ir::{parse_module, LaneType, Linkage, Module, ParamKind, Type};

const FUEL: u64 = 200_000;
const RUNS: usize = 8;

fn scalar(ty: Type, k: usize) -> Val {
    let ints: [i64; 8] = [0, 1, -1, 7, i64::MIN, i64::MAX, 3, -100];
    let floats: [f64; 8] = [0.0, -0.0, 1.5, -2.25, f64::NAN, f64::INFINITY, 1e-310, 3.0];
    let i = ints[k % 8];
    let x = floats[k % 8];
    match ty.lane() {
        LaneType::Bool => Val::Bool(k % 2 == 1),
        LaneType::I8 => Val::I8(i as i8),
        LaneType::I16 => Val::I16(i as i16),
        LaneType::I32 => Val::I32(i as i32),
        LaneType::I64 => Val::I64(i),
        LaneType::F32 => Val::F32(x as f32),
        LaneType::F64 => Val::F64(x),
        LaneType::Ptr => Val::Ptr(0),
    }
}

/// One run: the result (as text, so NaNs compare by their printed form) and the final
/// bytes of every slice.
fn run(m: &Module, name: &str, k: usize) -> Option<(String, Vec<Vec<u8>>)> {
    let interp = Interpreter::new(m)
        .ok()?
        .with_fuel(FUEL)
        .with_host("expf", |a| match a {
            [Val::F32(x)] => Ok(Some(Val::F32(x.exp()))),
            _ => Ok(None),
        })
        .with_host("host_log", |_| Ok(None))
        .with_host("host_add", |a| match a {
            [Val::I32(x), Val::I32(y)] => Ok(Some(Val::I32(x.wrapping_add(*y)))),
            _ => Ok(None),
        });
    let f = m.functions.values().find(|f| f.name == name)?;
    let mut buffers: Vec<Vec<u8>> = Vec::new();
    let mut kinds = Vec::new();
    for (i, p) in f.sig.params.iter().enumerate() {
        match p.kind {
            ParamKind::Scalar(ty) => kinds.push(Some(scalar(ty, k + 3 * i))),
            ParamKind::Slice { elem, .. } => {
                let len = (k % 5) * elem.bytes().unwrap_or(1) as usize;
                buffers.push((0..len).map(|j| (j * 37 + k * 11) as u8).collect());
                kinds.push(None);
            }
        }
    }
    let mut bufs = buffers.iter_mut();
    let mut args: Vec<Arg<'_>> = Vec::new();
    for (p, v) in f.sig.params.iter().zip(kinds) {
        match (v, &p.kind) {
            (Some(v), _) => args.push(Arg::Val(v)),
            (None, ParamKind::Slice { mutable: true, .. }) => args.push(Arg::SliceMut(bufs.next()?.as_mut_slice())),
            (None, _) => args.push(Arg::Slice(bufs.next()?.as_slice())),
        }
    }
    let result = format!("{:?}", interp.call(name, &mut args));
    drop(args);
    if result.contains("FuelExhausted") {
        return None;
    }
    Some((result, buffers))
}

/// `result` with the `function: "…"` of a trap removed.
fn without_trap_function(result: &str) -> String {
    match (result.find("function: \""), result.rfind('"')) {
        (Some(start), Some(end)) if end > start => format!("{}{}", &result[..start], &result[end + 1..]),
        _ => result.to_string(),
    }
}

#[test]
fn optimized_corpus_matches_the_interpreter() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "sir")).collect())
        .unwrap_or_default();
    files.sort();
    assert!(!files.is_empty(), "no corpus in {}", dir.display());
    let mut compared = 0;
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let Ok(original) = parse_module(&text) else { panic!("{} does not parse", path.display()) };
        for pipeline in [
            "-O2",
            "const-fold",
            "dce",
            "gvn",
            "licm",
            "simplify-cfg",
            "inline",
            "licm,gvn,const-fold,simplify-cfg,dce,licm",
            "bce",
            "unroll",
            "vectorize",
            "gvn,licm,bce,unroll,vectorize,dce",
            "inline,gvn,licm,bce,unroll,vectorize,dce",
            "version-checks",
            "inline,const-fold,simplify-cfg,gvn,licm,bce,version-checks,dce",
            "version-ranges",
            "licm,version-ranges",
            "inline,const-fold,simplify-cfg,gvn,licm,bce,version-checks,version-ranges,dce",
        ] {
            let mut optimized = original.clone();
            let opts = PassOptions { verify: true, ..PassOptions::default() };
            if let Err(e) = run_pipeline(&mut optimized, pipeline, &opts) {
                panic!("{}: {pipeline}: {e}", path.display());
            }
            for f in original.functions.values().filter(|f| f.linkage == Linkage::Export) {
                for k in 0..RUNS {
                    let (Some(mut before), Some(mut after)) = (run(&original, &f.name, k), run(&optimized, &f.name, k))
                    else {
                        continue;
                    };
                    if pipeline.contains("inline") || pipeline == "-O2" {
                        // An inlined callee's trap is reported in its caller.
                        before.0 = without_trap_function(&before.0);
                        after.0 = without_trap_function(&after.0);
                    }
                    assert_eq!(before, after, "{}: @{} input {k} after {pipeline}", path.display(), f.name);
                    compared += 1;
                }
            }
        }
    }
    assert!(compared > 100, "only {compared} runs compared");
}
