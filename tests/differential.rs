//! The differential harness: the same function, with the same inputs, on every tier this
//! build includes, must give the interpreter's result — bit-exact for integers and strict
//! floats (any NaN equals any NaN), the same trap code when it traps, and the same final
//! contents of every mutable slice when it returns.
//!
//! Inputs: every exported function of every example kernel (examples/kernels/*.sk) and of
//! the IR corpus (tests/corpus/*.sir), each with 200 generated argument sets (`STRATA_DIFF_SETS` overrides) that
//! mix ordinary values with edge cases (NaN, ±inf, -0.0, subnormals, MIN/MAX, zero, slices
//! of mismatched lengths so indices run out of range). Every tier runs with the same fuel
//! budget, so a generated trip count can't hang the test; running out is a trap like any
//! other and must happen at the same point on every tier.
//!
//! `#[fastmath]` functions may legitimately differ in the last bits (reassociation), so
//! they get moderate finite inputs and a relative tolerance instead of bit equality.

use std::path::{Path, PathBuf};
use strata_ir::interp::{Arg, Val};
use strata_ir::{InstData, Linkage, Module, ParamKind, Signature, Type};
use strata_runtime::{CallError, CompiledModule, Options, Tier};

const SETS_PER_FUNCTION: usize = 200;

/// Input sets per function: 200, or `STRATA_DIFF_SETS` when set (ci/cross lowers it under
/// qemu, where every call is emulated; a value that is not a positive number is an error).
fn sets_per_function() -> usize {
    match std::env::var("STRATA_DIFF_SETS") {
        Ok(v) => match v.trim().parse::<usize>() {
            Ok(n) if n > 0 => n,
            _ => panic!("STRATA_DIFF_SETS must be a positive number of input sets, not {v:?}"),
        },
        Err(_) => SETS_PER_FUNCTION,
    }
}
const FUEL: u64 = 200_000;

/// SplitMix64: small, deterministic, good enough to pick test inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
}

fn gen_int(rng: &mut Rng, ty: Type) -> i64 {
    let bits = ty.lane_bits();
    let min = if bits == 64 { i64::MIN } else { -(1i64 << (bits - 1)) };
    let max = if bits == 64 { i64::MAX } else { (1i64 << (bits - 1)) - 1 };
    match rng.below(10) {
        0 => rng.pick(&[0, 1, -1, 2, 7]),
        1 => rng.pick(&[min, max, min + 1, max - 1]),
        2 => rng.next() as i64,
        _ => rng.below(40) as i64 - 8, // small values: sizes, indices, shift amounts
    }
}

fn gen_float(rng: &mut Rng, edge_cases: bool) -> f64 {
    if edge_cases && rng.below(4) == 0 {
        return rng.pick(&[
            0.0,
            -0.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MIN_POSITIVE,
            1e-310,
            f64::MAX,
            -1.5,
            0.5,
        ]);
    }
    // Ordinary values, quantized so many are exact in f32.
    (rng.below(4001) as f64 - 2000.0) / 64.0
}

fn gen_scalar(rng: &mut Rng, ty: Type, edge_cases: bool) -> Val {
    let wrap = |x: i64| match ty.lane_bits() {
        8 => Val::I8(x as i8),
        16 => Val::I16(x as i16),
        32 => Val::I32(x as i32),
        _ => Val::I64(x),
    };
    match ty {
        Type::BOOL => Val::Bool(rng.below(2) == 1),
        Type::F32 => Val::F32(gen_float(rng, edge_cases) as f32),
        Type::F64 => Val::F64(gen_float(rng, edge_cases)),
        t if t.is_int() => wrap(gen_int(rng, t)),
        _ => Val::I64(0),
    }
}

fn push_bytes(out: &mut Vec<u8>, v: Val) {
    match v {
        Val::I8(x) => out.extend_from_slice(&x.to_le_bytes()),
        Val::I16(x) => out.extend_from_slice(&x.to_le_bytes()),
        Val::I32(x) => out.extend_from_slice(&x.to_le_bytes()),
        Val::I64(x) => out.extend_from_slice(&x.to_le_bytes()),
        Val::F32(x) => out.extend_from_slice(&x.to_le_bytes()),
        Val::F64(x) => out.extend_from_slice(&x.to_le_bytes()),
        _ => {}
    }
}

/// An owned argument set for one call.
#[derive(Clone, Debug)]
enum Input {
    Scalar(Val),
    Slice { bytes: Vec<u8>, mutable: bool },
}

fn gen_inputs(rng: &mut Rng, sig: &Signature, edge_cases: bool) -> Vec<Input> {
    // Slices usually share one length (kernels index them together); sometimes not, so
    // that bounds checks fire.
    let common_len = rng.pick(&[0u64, 1, 3, 4, 7, 8, 16, 33]);
    sig.params
        .iter()
        .map(|p| match p.kind {
            ParamKind::Scalar(t) => Input::Scalar(gen_scalar(rng, t, edge_cases)),
            ParamKind::Slice { elem, mutable } => {
                let len = if rng.below(5) == 0 { rng.below(20) } else { common_len };
                let mut bytes = Vec::new();
                for _ in 0..len {
                    push_bytes(&mut bytes, gen_scalar(rng, elem, edge_cases));
                }
                Input::Slice { bytes, mutable }
            }
        })
        .collect()
}

/// What one call produced.
#[derive(Debug)]
enum Outcome {
    Returned { ret: Option<Val>, outputs: Vec<Vec<u8>> },
    Trapped(strata_ir::TrapCode),
    Failed(String),
}

fn call(c: &CompiledModule, name: &str, inputs: &[Input]) -> Outcome {
    let mut owned = inputs.to_vec();
    let mut args: Vec<Arg<'_>> = owned
        .iter_mut()
        .map(|i| match i {
            Input::Scalar(v) => Arg::Val(*v),
            Input::Slice { bytes, mutable: true } => Arg::SliceMut(bytes),
            Input::Slice { bytes, mutable: false } => Arg::Slice(bytes),
        })
        .collect();
    let r = c.call(name, &mut args);
    drop(args);
    match r {
        Ok(ret) => Outcome::Returned {
            ret,
            outputs: owned
                .into_iter()
                .filter_map(|i| match i {
                    Input::Slice { bytes, mutable: true } => Some(bytes),
                    _ => None,
                })
                .collect(),
        },
        Err(CallError::Trap(t)) => Outcome::Trapped(t.code),
        Err(e) => Outcome::Failed(e.to_string()),
    }
}

fn floats_close(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a == b || (a - b).abs() <= 1e-4 * a.abs().max(b.abs()).max(1.0)
}

fn vals_match(a: &Val, b: &Val, approx: bool) -> bool {
    match (a, b) {
        (Val::F32(x), Val::F32(y)) if approx => floats_close(*x as f64, *y as f64),
        (Val::F64(x), Val::F64(y)) if approx => floats_close(*x, *y),
        _ => a == b, // bit-exact, NaN == NaN
    }
}

fn slices_match(elem: Type, a: &[u8], b: &[u8], approx: bool) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let w = elem.bytes().unwrap_or(1).max(1) as usize;
    a.chunks_exact(w).zip(b.chunks_exact(w)).all(|(x, y)| {
        let get = |c: &[u8]| {
            let mut b8 = [0u8; 8];
            b8[..w].copy_from_slice(c);
            Val::from_bits(elem, u64::from_le_bytes(b8)).unwrap_or(Val::I64(0))
        };
        vals_match(&get(x), &get(y), approx)
    })
}

fn outcomes_match(sig: &Signature, a: &Outcome, b: &Outcome, approx: bool) -> bool {
    match (a, b) {
        (Outcome::Trapped(x), Outcome::Trapped(y)) => x == y,
        (Outcome::Returned { ret: r1, outputs: o1 }, Outcome::Returned { ret: r2, outputs: o2 }) => {
            let rets = match (r1, r2) {
                (Some(x), Some(y)) => vals_match(x, y, approx),
                (None, None) => true,
                _ => false,
            };
            let elems = sig.params.iter().filter_map(|p| match p.kind {
                ParamKind::Slice { elem, mutable: true } => Some(elem),
                _ => None,
            });
            rets && o1.len() == o2.len()
                && elems.zip(o1.iter().zip(o2)).all(|(e, (x, y))| slices_match(e, x, y, approx))
        }
        _ => false,
    }
}

/// Whether `func` (or anything it calls) calls a host function: those need registered
/// implementations, which this harness does not provide.
fn uses_host(m: &Module, root: strata_ir::FuncId) -> bool {
    let mut seen = vec![root];
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        let f = &m.functions[id];
        for b in f.layout.blocks() {
            for i in f.layout.block_insts(b) {
                match &f.dfg.insts[i] {
                    InstData::CallHost { .. } => return true,
                    InstData::Call { func, .. } if !seen.contains(func) => {
                        seen.push(*func);
                        stack.push(*func);
                    }
                    _ => {}
                }
            }
        }
    }
    false
}

fn is_fastmath(m: &Module, id: strata_ir::FuncId) -> bool {
    let f = &m.functions[id];
    f.layout.blocks().any(|b| f.layout.block_insts(b).any(|i| !f.dfg.insts[i].float_flags().is_empty()))
}

fn sources() -> Vec<(PathBuf, Module)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in ["examples/kernels", "tests/corpus"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
            .expect("source directory exists")
            .map(|e| e.expect("readable dir").path())
            .filter(|p| strata::source::SourceKind::of(p).is_some())
            .collect();
        files.sort();
        for f in files {
            let m = strata::source::load_file(&f, false).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            out.push((f, m));
        }
    }
    out
}

#[test]
fn every_tier_agrees_with_the_interpreter() {
    let sets = sets_per_function();
    // Every tier without Strata's passes, and every tier (the interpreter included) on the
    // `-O2` pipeline's output, against the unoptimized interpreter.
    let opts = Options { fuel: Some(FUEL), ..Options::default() };
    let opt2 = Options { pipeline: Some("-O2".into()), ..opts.clone() };
    // Without fuel, `-O2` also unrolls and vectorizes (those passes change how many
    // back-edges run, so they are skipped when fuel is counted). These runs are compared
    // only where the reference did not run out of fuel: there the program finishes within
    // the budget, so it also finishes without one.
    let opt2_nofuel = Options { fuel: None, ..opt2.clone() };
    let configs: Vec<(Tier, &Options)> = strata_runtime::available_tiers()
        .into_iter()
        .filter(|&t| t != Tier::Interpreter)
        .map(|t| (t, &opts))
        .chain(strata_runtime::available_tiers().into_iter().map(|t| (t, &opt2)))
        .chain(strata_runtime::available_tiers().into_iter().map(|t| (t, &opt2_nofuel)))
        .collect();
    let label_of = |t: Tier, o: &Options| {
        let p = o.pipeline.as_deref().map(|p| format!(" {p}")).unwrap_or_default();
        format!("{t}{p}{}", if o.fuel.is_none() { " (no fuel)" } else { "" })
    };
    let mut functions = 0;
    let mut calls = 0;
    let mut failures: Vec<String> = Vec::new();
    for (path, module) in sources() {
        let reference =
            strata_runtime::compile(&module, Tier::Interpreter, &opts).expect("interpreter accepts verified IR");
        let compiled: Vec<(String, CompiledModule, bool)> = configs
            .iter()
            .filter_map(|&(t, o)| {
                let label = label_of(t, o);
                match strata_runtime::compile(&module, t, o) {
                    Ok(c) => Some((label, c, o.fuel.is_none())),
                    Err(e) => {
                        failures.push(format!("{} on {label}: compile error: {e}", path.display()));
                        None
                    }
                }
            })
            .collect();
        for (id, f) in module.functions.iter() {
            if f.linkage != Linkage::Export || uses_host(&module, id) {
                continue;
            }
            functions += 1;
            let approx = is_fastmath(&module, id);
            let mut rng = Rng(0x5eed ^ (functions as u64) << 20);
            for set in 0..sets {
                let inputs = gen_inputs(&mut rng, &f.sig, !approx);
                let want = call(&reference, &f.name, &inputs);
                if let Outcome::Failed(e) = &want {
                    failures.push(format!("{} `{}` set {set}: interpreter failed: {e}", path.display(), f.name));
                    continue;
                }
                let out_of_fuel = matches!(want, Outcome::Trapped(strata_ir::TrapCode::FuelExhausted));
                for (label, c, no_fuel) in &compiled {
                    if *no_fuel && out_of_fuel {
                        continue;
                    }
                    calls += 1;
                    let got = call(c, &f.name, &inputs);
                    if !outcomes_match(&f.sig, &want, &got, approx) && failures.len() < 40 {
                        failures.push(format!(
                            "{} `{}` on {label}: inputs {inputs:?}\n  interpreter: {want:?}\n  {label}: {got:?}",
                            path.display(),
                            f.name,
                        ));
                    }
                }
            }
        }
    }
    assert!(functions >= 100, "only {functions} functions exercised");
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
    let labels: Vec<String> = configs.iter().map(|&(t, o)| label_of(t, o)).collect();
    eprintln!("differential: {functions} functions × {sets} input sets, {calls} calls on {labels:?}");
}
