//! The differential harness for specialization: every exported function of every example
//! kernel (examples/kernels/*.sk) and of tests/corpus/calls.sir (internal callers of a
//! specialized function) is specialized — some or all of its read-only slices and scalars
//! bound to generated inputs — and run on every tier, with and without `-O2`. Results,
//! traps and final mutable slices must equal the unspecialized interpreter run on the same
//! inputs: bit-exact (any NaN equals any NaN), except `#[fastmath]` functions, which get a
//! relative tolerance.
//!
//! Each input set needs its own compilation (the bound values are part of the code), so
//! this runs fewer sets per function than tests/differential.rs.

use std::path::Path;
use strata_ir::interp::{Arg, Val};
use strata_ir::passes::{specialize, Binding};
use strata_ir::{FuncId, InstData, Linkage, Module, ParamKind, Signature, Type};
use strata_runtime::{CallError, CompiledModule, Options, Tier};

const SETS_PER_FUNCTION: usize = 5;
const FUEL: u64 = 200_000;

/// SplitMix64, as in tests/differential.rs.
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

fn gen_scalar(rng: &mut Rng, ty: Type, edge_cases: bool) -> Val {
    let float = |rng: &mut Rng| {
        if edge_cases && rng.below(5) == 0 {
            rng.pick(&[0.0, -0.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e-310, -1.5])
        } else {
            (rng.below(4001) as f64 - 2000.0) / 64.0
        }
    };
    let int = |rng: &mut Rng| match rng.below(8) {
        0 => rng.next() as i64,
        1 => rng.pick(&[i64::MIN, i64::MAX, -1]),
        _ => rng.below(24) as i64 - 4,
    };
    match ty {
        Type::BOOL => Val::Bool(rng.below(2) == 1),
        Type::F32 => Val::F32(float(rng) as f32),
        Type::F64 => Val::F64(float(rng)),
        Type::I8 => Val::I8(int(rng) as i8),
        Type::I16 => Val::I16(int(rng) as i16),
        Type::I32 => Val::I32(int(rng) as i32),
        _ => Val::I64(int(rng)),
    }
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

#[derive(Clone, Debug)]
enum Input {
    Scalar(Val),
    Slice { elem: Type, bytes: Vec<u8>, mutable: bool },
}

fn gen_inputs(rng: &mut Rng, sig: &Signature, edge_cases: bool) -> Vec<Input> {
    let common_len = rng.pick(&[0u64, 1, 3, 4, 8, 17, 64]);
    sig.params
        .iter()
        .map(|p| match p.kind {
            ParamKind::Scalar(t) => Input::Scalar(gen_scalar(rng, t, edge_cases)),
            ParamKind::Slice { elem, mutable } => {
                let len = if rng.below(6) == 0 { rng.below(20) } else { common_len };
                let bytes = (0..len).flat_map(|_| le_bytes(gen_scalar(rng, elem, edge_cases))).collect();
                Input::Slice { elem, bytes, mutable }
            }
        })
        .collect()
}

#[derive(Debug)]
enum Outcome {
    Returned { ret: Option<Val>, outputs: Vec<(Type, Vec<u8>)> },
    Trapped(strata_ir::TrapCode),
    Failed(String),
}

fn call(c: &CompiledModule, name: &str, inputs: &[&Input]) -> Outcome {
    let mut owned: Vec<Input> = inputs.iter().map(|&i| i.clone()).collect();
    let mut args: Vec<Arg<'_>> = owned
        .iter_mut()
        .map(|i| match i {
            Input::Scalar(v) => Arg::Val(*v),
            Input::Slice { bytes, mutable: true, .. } => Arg::SliceMut(bytes),
            Input::Slice { bytes, mutable: false, .. } => Arg::Slice(bytes),
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
                    Input::Slice { elem, bytes, mutable: true } => Some((elem, bytes)),
                    _ => None,
                })
                .collect(),
        },
        Err(CallError::Trap(t)) => Outcome::Trapped(t.code),
        Err(e) => Outcome::Failed(e.to_string()),
    }
}

fn vals_match(a: &Val, b: &Val, approx: bool) -> bool {
    let close =
        |x: f64, y: f64| (x.is_nan() && y.is_nan()) || x == y || (x - y).abs() <= 1e-4 * x.abs().max(y.abs()).max(1.0);
    match (a, b) {
        (Val::F32(x), Val::F32(y)) if approx => close(*x as f64, *y as f64),
        (Val::F64(x), Val::F64(y)) if approx => close(*x, *y),
        _ => a == b,
    }
}

fn outcomes_match(a: &Outcome, b: &Outcome, approx: bool) -> bool {
    match (a, b) {
        (Outcome::Trapped(x), Outcome::Trapped(y)) => x == y,
        (Outcome::Returned { ret: r1, outputs: o1 }, Outcome::Returned { ret: r2, outputs: o2 }) => {
            let rets = match (r1, r2) {
                (Some(x), Some(y)) => vals_match(x, y, approx),
                (None, None) => true,
                _ => false,
            };
            rets && o1.len() == o2.len()
                && o1.iter().zip(o2).all(|((e, x), (_, y))| {
                    let w = e.bytes().unwrap_or(1).max(1) as usize;
                    x.len() == y.len()
                        && x.chunks_exact(w).zip(y.chunks_exact(w)).all(|(p, q)| {
                            let get = |c: &[u8]| {
                                let mut b8 = [0u8; 8];
                                b8[..w].copy_from_slice(c);
                                Val::from_bits(*e, u64::from_le_bytes(b8)).unwrap_or(Val::I64(0))
                            };
                            vals_match(&get(p), &get(q), approx)
                        })
                })
        }
        _ => false,
    }
}

/// Whether `root` or anything it calls calls a host function (this harness registers
/// none), and whether any of them is `#[fastmath]` code.
fn uses_host_or_fastmath(m: &Module, root: FuncId) -> (bool, bool) {
    let (mut host, mut fast) = (false, false);
    let mut seen = vec![root];
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        let f = &m.functions[id];
        for b in f.layout.blocks() {
            for i in f.layout.block_insts(b) {
                let d = &f.dfg.insts[i];
                host |= matches!(d, InstData::CallHost { .. });
                fast |= !d.float_flags().is_empty();
                if let InstData::Call { func, .. } = d {
                    if !seen.contains(func) {
                        seen.push(*func);
                        stack.push(*func);
                    }
                }
            }
        }
    }
    (host, fast)
}

/// Which parameters set `set` binds: all bindable ones in set 0, a random non-empty
/// subset otherwise.
fn choose_bound(rng: &mut Rng, sig: &Signature, set: usize) -> Vec<usize> {
    let bindable: Vec<usize> = sig
        .params
        .iter()
        .enumerate()
        .filter(|(_, p)| !matches!(p.kind, ParamKind::Slice { mutable: true, .. }))
        .map(|(i, _)| i)
        .collect();
    if set == 0 || bindable.len() <= 1 {
        return bindable;
    }
    let mut chosen: Vec<usize> = bindable.iter().copied().filter(|_| rng.below(2) == 0).collect();
    if chosen.is_empty() {
        chosen.push(rng.pick(&bindable));
    }
    chosen
}

#[test]
fn specialized_kernels_agree_with_the_unspecialized_interpreter() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(root.join("examples/kernels"))
        .expect("examples/kernels exists")
        .map(|e| e.expect("readable dir").path())
        .filter(|p| p.extension().is_some_and(|e| e == "sk"))
        .collect();
    files.sort();
    files.push(root.join("tests/corpus/calls.sir"));
    let opts = Options { fuel: Some(FUEL), ..Options::default() };
    let opt2 = Options { pipeline: Some("-O2".into()), ..opts.clone() };
    // Without fuel `-O2` also unrolls and vectorizes (skipped when fuel is counted); those
    // runs are compared only where the reference finished within the fuel budget.
    let opt2_nofuel = Options { fuel: None, ..opt2.clone() };
    let configs: Vec<(Tier, &Options)> = strata_runtime::available_tiers()
        .into_iter()
        .flat_map(|t| [(t, &opts), (t, &opt2), (t, &opt2_nofuel)])
        .collect();
    let (mut functions, mut runs) = (0, 0);
    let mut failures: Vec<String> = Vec::new();
    for path in files {
        let module = strata::source::load_file(&path, false).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let reference = strata_runtime::compile(&module, Tier::Interpreter, &opts).expect("interpreter accepts it");
        for (id, f) in module.functions.iter().filter(|(_, f)| f.linkage == Linkage::Export) {
            let (host, fast) = uses_host_or_fastmath(&module, id);
            if host {
                continue;
            }
            let mut rng = Rng(0xc0ffee ^ (functions as u64) << 24);
            functions += 1;
            for set in 0..SETS_PER_FUNCTION {
                let bound = choose_bound(&mut rng, &f.sig, set);
                if bound.is_empty() {
                    break;
                }
                let inputs = gen_inputs(&mut rng, &f.sig, !fast);
                let want = call(&reference, &f.name, &inputs.iter().collect::<Vec<_>>());
                if let Outcome::Failed(e) = &want {
                    failures.push(format!("{} `{}`: interpreter failed: {e}", path.display(), f.name));
                    continue;
                }
                let mut bindings = Vec::new();
                for &i in &bound {
                    let binding = match &inputs[i] {
                        Input::Scalar(v) => Binding::Scalar(*v),
                        Input::Slice { elem, bytes, .. } => Binding::Array { elem: *elem, bytes: bytes.clone() },
                    };
                    bindings.push((f.sig.params[i].name.clone(), binding));
                }
                let mut special = module.clone();
                if let Err(e) = specialize(&mut special, &f.name, &bindings) {
                    failures.push(format!("{} `{}`: specialize failed: {e}", path.display(), f.name));
                    continue;
                }
                let rest: Vec<&Input> =
                    inputs.iter().enumerate().filter(|(i, _)| !bound.contains(i)).map(|(_, x)| x).collect();
                let out_of_fuel = matches!(want, Outcome::Trapped(strata_ir::TrapCode::FuelExhausted));
                for &(tier, o) in &configs {
                    if o.fuel.is_none() && out_of_fuel {
                        continue;
                    }
                    let fuel = if o.fuel.is_none() { " (no fuel)" } else { "" };
                    let label =
                        format!("{tier}{}{fuel}", o.pipeline.as_deref().map(|p| format!(" {p}")).unwrap_or_default());
                    let got = match strata_runtime::compile(&special, tier, o) {
                        Ok(c) => call(&c, &f.name, &rest),
                        Err(e) => Outcome::Failed(format!("compile error: {e}")),
                    };
                    runs += 1;
                    if !outcomes_match(&want, &got, fast) && failures.len() < 40 {
                        let names: Vec<&str> = bindings.iter().map(|(n, _)| n.as_str()).collect();
                        failures.push(format!(
                            "{} `{}` bound {names:?} on {label}: inputs {inputs:?}\n  unspecialized interpreter: {want:?}\n  specialized: {got:?}",
                            path.display(),
                            f.name
                        ));
                    }
                }
            }
        }
    }
    assert!(functions >= 20, "only {functions} functions exercised");
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
    eprintln!("differential_specialize: {functions} functions, {runs} specialized runs");
}

/// Not specialization but its companion pass: `inline` (outside the `-O` presets, see
/// docs/passes.md) on the IR corpus' calls, every tier, against the interpreter on the
/// original module. Same results and trap codes (fuel is generous enough that no run here
/// depends on the one unit an inlined call no longer costs).
#[test]
fn inlined_calls_agree_on_every_tier() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/calls.sir");
    let module = strata::source::load_file(&path, false).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let opts = Options { fuel: Some(FUEL), ..Options::default() };
    let inl = Options { pipeline: Some("inline,-O2".into()), ..opts.clone() };
    let reference = strata_runtime::compile(&module, Tier::Interpreter, &opts).expect("interpreter accepts it");
    let compiled: Vec<(Tier, CompiledModule)> = strata_runtime::available_tiers()
        .into_iter()
        .map(|t| (t, strata_runtime::compile(&module, t, &inl).unwrap_or_else(|e| panic!("{t}: {e}"))))
        .collect();
    let mut failures = Vec::new();
    let mut runs = 0;
    for (id, f) in module.functions.iter().filter(|(_, f)| f.linkage == Linkage::Export) {
        if uses_host_or_fastmath(&module, id).0 {
            continue;
        }
        let mut rng = Rng(0x1a1 ^ u64::from(id.as_u32()) << 16);
        for _ in 0..50 {
            let inputs = gen_inputs(&mut rng, &f.sig, true);
            let all: Vec<&Input> = inputs.iter().collect();
            let want = call(&reference, &f.name, &all);
            for (tier, c) in &compiled {
                runs += 1;
                let got = call(c, &f.name, &all);
                if !outcomes_match(&want, &got, false) && failures.len() < 20 {
                    failures.push(format!("`{}` on {tier} inline,-O2: {inputs:?}\n  {want:?}\n  {got:?}", f.name));
                }
            }
        }
    }
    assert!(runs >= 300, "only {runs} runs");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
