//! Differential testing against the interpreter (`strata_ir::Interpreter`, the reference
//! semantics): every function of the shared IR corpus and hundreds of random programs
//! (`common::gen`) run on both tiers with many generated inputs — NaN, ±inf, −0.0, integer
//! extremes, zero divisors, out-of-range indices and lengths — with and without fuel and
//! with small call-depth limits, at both optimization levels. Results must be identical:
//! the same trap code, or the same return value and the same contents of every mutable
//! slice (NaNs compare equal to each other).

mod common;
use common::gen::{self, Rng};
use common::interp::{from_val, same_elems, to_val};
use common::reference::same;
use common::*;
use std::collections::HashMap;
use strata_cranelift::{CompiledModule, CraneliftOptions, OptLevel};
use strata_ir::{Arg, HostCallFn, Interpreter, Module, ParamKind, Signature, TrapCode, Type, Val, VmContext};

/// One argument: a scalar slot, or a slice's bytes.
#[derive(Clone, Debug)]
enum Input {
    Scalar(Type, u64),
    Slice(Type, Vec<u8>),
}

/// A run's result: the return slot (if any) and the final bytes of every slice, or a trap.
type Outcome = Result<(Option<u64>, Vec<Vec<u8>>), TrapCode>;

/// Runs on the interpreter; `None` if the interpreter refuses the call (not a trap).
fn run_interp(interp: &Interpreter, name: &str, inputs: &[Input]) -> Option<Outcome> {
    let mut bufs: Vec<Vec<u8>> = inputs
        .iter()
        .map(|i| match i {
            Input::Slice(_, b) => b.clone(),
            Input::Scalar(..) => Vec::new(),
        })
        .collect();
    let mut args: Vec<Arg> = Vec::new();
    for (i, buf) in inputs.iter().zip(bufs.iter_mut()) {
        args.push(match i {
            Input::Scalar(t, s) => Arg::Val(to_val(*t, *s)),
            Input::Slice(..) => Arg::SliceMut(buf.as_mut_slice()),
        });
    }
    let r = interp.call(name, &mut args);
    drop(args);
    match r {
        Ok(v) => Some(Ok((v.as_ref().map(from_val), bufs))),
        Err(e) => e.trap_code().map(Err),
    }
}

/// Runs on tier 1 with the given fuel and depth budget.
fn run_jit(cm: &CompiledModule, name: &str, inputs: &[Input], fuel: i64, depth: u32, hosts: &[*const u8]) -> Outcome {
    // Slices get slack after their end, so that an unguarded access past it (undefined on
    // tier 1, a trap on the interpreter) shows up as a mismatch rather than a crash.
    let mut bufs: Vec<Vec<u8>> = inputs
        .iter()
        .map(|i| match i {
            Input::Slice(_, b) => {
                let mut v = b.clone();
                v.resize(b.len() + 128, 0);
                v
            }
            Input::Scalar(..) => Vec::new(),
        })
        .collect();
    let mut slots = Vec::new();
    for (i, buf) in inputs.iter().zip(bufs.iter_mut()) {
        match i {
            Input::Scalar(_, s) => slots.push(*s),
            Input::Slice(t, b) => {
                slots.push(buf.as_mut_ptr() as u64);
                slots.push((b.len() / (t.lane_bits() / 8) as usize) as u64);
            }
        }
    }
    let mut ctx = VmContext {
        fuel,
        depth_remaining: depth,
        host_table: hosts.as_ptr(),
        host_count: hosts.len() as u64,
        ..VmContext::default()
    };
    let f = cm.function(name).expect("exported");
    let ret = call_raw(cm, name, &slots, &mut ctx)?;
    for (i, buf) in inputs.iter().zip(bufs.iter_mut()) {
        if let Input::Slice(_, b) = i {
            buf.truncate(b.len());
        }
    }
    Ok((f.sig.ret.map(|_| ret), bufs))
}

/// Whether two outcomes agree (lane-wise with NaNs equal for floats).
fn agree(sig: &Signature, inputs: &[Input], a: &Outcome, b: &Outcome) -> bool {
    match (a, b) {
        (Err(x), Err(y)) => x == y,
        (Ok((ra, sa)), Ok((rb, sb))) => {
            let ret_ok = match (sig.ret, ra, rb) {
                (Some(t), Some(x), Some(y)) => same(t, *x, *y),
                (None, None, None) => true,
                _ => false,
            };
            ret_ok
                && inputs.iter().zip(sa.iter().zip(sb)).all(|(i, (x, y))| match i {
                    Input::Slice(t, _) => same_elems(*t, x, y),
                    Input::Scalar(..) => true,
                })
        }
        _ => false,
    }
}

/// Random inputs for `sig`; `lengths` are slice lengths seen in the corpus's run lines.
fn random_inputs(rng: &mut Rng, sig: &Signature, lengths: &[Vec<usize>]) -> Vec<Input> {
    let known = (!lengths.is_empty() && rng.chance(60)).then(|| rng.pick_vec(lengths));
    let mut k = 0;
    sig.params
        .iter()
        .map(|p| match p.kind {
            ParamKind::Scalar(t) => Input::Scalar(t, rng.lane(t)),
            ParamKind::Slice { elem, .. } => {
                let len = match &known {
                    Some(l) if k < l.len() && rng.chance(85) => l[k],
                    _ => rng.below(17),
                };
                k += 1;
                let bytes = (0..len)
                    .flat_map(|_| rng.lane(elem).to_le_bytes()[..(elem.lane_bits() / 8) as usize].to_vec())
                    .collect();
                Input::Slice(elem, bytes)
            }
        })
        .collect()
}

trait PickVec {
    fn pick_vec(&mut self, xs: &[Vec<usize>]) -> Vec<usize>;
}
impl PickVec for Rng {
    fn pick_vec(&mut self, xs: &[Vec<usize>]) -> Vec<usize> {
        xs[self.below(xs.len())].clone()
    }
}

// The host functions as `HostCallFn`s. SAFETY (all four): compiled code passes its own
// valid context, one slot per declared parameter and a result slot.
unsafe extern "C" fn host_expf(_: *mut VmContext, _: u64, args: *const u64, ret: *mut u64) {
    unsafe { *ret = u64::from(strata_ir::abi::strata_expf(f32::from_bits(*args as u32)).to_bits()) };
}
unsafe extern "C" fn host_log(_: *mut VmContext, _: u64, _: *const u64, _: *mut u64) {}
unsafe extern "C" fn host_add(_: *mut VmContext, _: u64, args: *const u64, ret: *mut u64) {
    unsafe { *ret = (*args as i32).wrapping_add(*args.add(1) as i32) as u32 as u64 };
}
unsafe extern "C" fn host_fail(ctx: *mut VmContext, _: u64, _: *const u64, _: *mut u64) {
    unsafe { (*ctx).trap_code = TrapCode::HostError.to_u32() };
}

/// Registers the host functions on the interpreter.
fn with_hosts(interp: Interpreter) -> Interpreter {
    interp
        .with_host("expf", |a| match a {
            [Val::F32(x)] => Ok(Some(Val::F32(strata_ir::abi::strata_expf(*x)))),
            _ => Err(TrapCode::HostError),
        })
        .with_host("host_log", |_| Ok(None))
        .with_host("host_add", |a| match a {
            [Val::I32(x), Val::I32(y)] => Ok(Some(Val::I32(x.wrapping_add(*y)))),
            _ => Err(TrapCode::HostError),
        })
        .with_host("host_fail", |_| Err(TrapCode::HostError))
}

/// The same host functions as a tier-1 table, in the module's extern order.
fn hosts(m: &Module) -> Vec<*const u8> {
    m.externs
        .values()
        .map(|e| match e.name.as_str() {
            "expf" => host_expf as HostCallFn as *const u8,
            "host_log" => host_log as HostCallFn as *const u8,
            "host_add" => host_add as HostCallFn as *const u8,
            "host_fail" => host_fail as HostCallFn as *const u8,
            _ => std::ptr::null(),
        })
        .collect()
}

/// Fuel for runs that are not about fuel: corpus loops may run for as long as an input
/// says, so every run is bounded; when the interpreter finishes within it, the result must
/// also be what code compiled without fuel computes.
const BUDGET: u64 = 200_000;

/// Runs every exported function of `m` on both tiers with `runs` random inputs each.
/// Returns the number of comparisons.
fn compare_module(
    label: &str,
    m: &Module,
    lengths: &HashMap<String, Vec<Vec<usize>>>,
    runs: usize,
    seed: u64,
) -> usize {
    if Interpreter::new(m).is_err() {
        return 0;
    }
    let table = hosts(m);
    let mut rng = Rng::new(seed);
    let mut count = 0;
    let mut outcomes: HashMap<String, usize> = HashMap::new();
    for (level, opt_level) in [("speed", OptLevel::Speed), ("none", OptLevel::None)] {
        let plain = compile_opts(m, &CraneliftOptions { opt_level, ..opts() });
        let fueled = compile_opts(m, &CraneliftOptions { opt_level, fuel: true, ..opts() });
        for f in m.functions.values().filter(|f| f.linkage == strata_ir::Linkage::Export) {
            let no_lengths = Vec::new();
            let lens = lengths.get(&f.name).unwrap_or(&no_lengths);
            for run in 0..runs {
                let inputs = random_inputs(&mut rng, &f.sig, lens);
                // Every fourth run has little fuel, every fifth a small call-depth limit.
                let fuel = if run % 4 == 3 { rng.below(64) as u64 } else { BUDGET };
                let depth = if run % 5 == 4 { 1 + rng.below(6) as u32 } else { strata_ir::abi::DEFAULT_MAX_CALL_DEPTH };
                let Ok(interp) = Interpreter::new(m) else { continue };
                let interp = with_hosts(interp).with_max_call_depth(depth).with_fuel(fuel);
                let Some(want) = run_interp(&interp, &f.name, &inputs) else { continue };
                *outcomes.entry(want.as_ref().map_or_else(|t| t.to_string(), |_| "ok".into())).or_default() += 1;
                let mut check = |cm: &CompiledModule, fuel: i64, what: &str| {
                    let got = run_jit(cm, &f.name, &inputs, fuel, depth, &table);
                    assert!(
                        agree(&f.sig, &inputs, &want, &got),
                        "{label}: `{}` at opt level {level} ({what}), fuel {fuel}, depth {depth}\ninputs {inputs:x?}\ninterpreter {want:x?}\ntier 1      {got:x?}\n{}",
                        f.name,
                        strata_ir::text::print_module(m)
                    );
                    count += 1;
                };
                check(&fueled, fuel as i64, "with fuel");
                if fuel == BUDGET && want != Err(TrapCode::FuelExhausted) {
                    check(&plain, i64::MAX, "without fuel");
                }
            }
        }
    }
    eprintln!("{label}: {count} comparisons: {outcomes:?}");
    count
}

/// Slice lengths of each function's run lines in a corpus file.
fn run_line_lengths(text: &str) -> HashMap<String, Vec<Vec<usize>>> {
    let mut out: HashMap<String, Vec<Vec<usize>>> = HashMap::new();
    for line in text.lines().filter_map(|l| l.trim().strip_prefix("; run:")) {
        let Some((call_part, _)) = line.split_once("=>") else { continue };
        let Some((name, args)) = call_part.trim().split_once(' ') else { continue };
        let Ok(serde_json::Value::Array(args)) = serde_json::from_str::<serde_json::Value>(args) else { continue };
        let lens = args.iter().filter_map(|a| a.as_array().map(Vec::len)).collect();
        out.entry(name.to_string()).or_default().push(lens);
    }
    out
}

#[test]
fn corpus_agrees_with_the_interpreter() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus");
    let mut files: Vec<_> = std::fs::read_dir(&dir).expect("corpus").flatten().map(|e| e.path()).collect();
    files.retain(|p| p.extension().is_some_and(|e| e == "sir"));
    files.sort();
    let mut total = 0;
    for (k, path) in files.iter().enumerate() {
        let text = std::fs::read_to_string(path).unwrap();
        let m = strata_ir::text::parse_module(&text).unwrap();
        let label = path.file_name().unwrap().to_string_lossy().to_string();
        total += compare_module(&label, &m, &run_line_lengths(&text), 150, k as u64);
    }
    eprintln!("corpus: {total} comparisons");
    assert!(total > 10_000);
}

#[test]
fn random_programs_agree_with_the_interpreter() {
    let mut total = 0;
    let mut outcomes: HashMap<String, usize> = HashMap::new();
    for seed in 0..400u64 {
        let p = gen::program(seed);
        let Ok(interp) = Interpreter::new(&p.module) else { continue };
        let mut rng = Rng::new(seed.wrapping_mul(0x2545_f491_4f6c_dd1d));
        let level = if seed % 2 == 0 { OptLevel::Speed } else { OptLevel::None };
        let cm = compile_opts(&p.module, &CraneliftOptions { opt_level: level, ..opts() });
        for _ in 0..25 {
            let (inp, idx, scalars) = gen::inputs(&mut rng, &p);
            let mut inputs = vec![
                Input::Slice(Type::I8, inp),
                Input::Slice(Type::I8, vec![0; p.out_bytes]),
                Input::Scalar(Type::I64, idx as u64),
            ];
            inputs.extend(p.scalars.iter().zip(scalars).map(|(&t, s)| Input::Scalar(t, s)));
            let Some(want) = run_interp(&interp, "f", &inputs) else { continue };
            let got = run_jit(&cm, "f", &inputs, i64::MAX, strata_ir::abi::DEFAULT_MAX_CALL_DEPTH, &[]);
            *outcomes.entry(want.as_ref().map_or_else(|t| t.to_string(), |_| "ok".into())).or_default() += 1;
            // The output slice holds values of several types: compare it lane by lane.
            let ok = match (&want, &got) {
                (Err(x), Err(y)) => x == y,
                (Ok((ra, sa)), Ok((rb, sb))) => {
                    let ret_ok = matches!((ra, rb), (Some(x), Some(y)) if same(p.ret, *x, *y));
                    let (oa, ob) = (&sa[1], &sb[1]);
                    let mut covered = vec![false; oa.len()];
                    let outs_ok = p.outputs.iter().all(|&(off, ty)| {
                        let w = (ty.lane_bits() / 8) as usize;
                        (0..ty.lanes() as usize).all(|l| {
                            let at = off + l * w;
                            covered[at..at + w].iter_mut().for_each(|c| *c = true);
                            let (mut x, mut y) = ([0u8; 8], [0u8; 8]);
                            x[..w].copy_from_slice(&oa[at..at + w]);
                            y[..w].copy_from_slice(&ob[at..at + w]);
                            same(ty.lane_type(), u64::from_le_bytes(x), u64::from_le_bytes(y))
                        })
                    });
                    let rest_ok = oa.iter().zip(ob).zip(&covered).all(|((x, y), c)| *c || x == y);
                    ret_ok && outs_ok && rest_ok
                }
                _ => false,
            };
            assert!(
                ok,
                "seed {seed}, opt level {level:?}\ninputs {inputs:x?}\ninterpreter {want:x?}\ntier 1      {got:x?}\n{}",
                strata_ir::text::print_module(&p.module)
            );
            total += 1;
        }
    }
    eprintln!("random programs: {total} comparisons: {outcomes:?}");
    assert!(total > 5_000);
}

/// Host functions on both tiers, including one that fails with `host_error`.
#[test]
fn host_calls_agree_with_the_interpreter() {
    let text = r#"
extern fn @host_add(i32, i32) -> i32
extern fn @host_fail(i32) -> i32

export fn @hosts(a: i32, b: i32) -> i32 {
block0(v0: i32, v1: i32):
    v2 = call_host.i32 @host_add(v0, v1)
    v3 = iconst.i32 0
    v4 = icmp.bool slt v2, v3
    brif v4, block1, block2
block1:
    v5 = call_host.i32 @host_fail(v2)
    return v5
block2:
    return v2
}
"#;
    let m = strata_ir::text::parse_module(text).expect("parses");
    let count = compare_module("hosts", &m, &HashMap::new(), 400, 99);
    assert!(count >= 400);
}
