//! Tier 2 against the interpreter (tier 0), the reference semantics: every exported function
//! of this crate's test programs (`tests/common/suite.rs`, the DESIGN.md kernels) and of the
//! IR corpus (`tests/corpus/*.sir`) runs on many generated inputs — NaN, ±inf, -0.0,
//! subnormals, `i64::MIN`, zero divisors, out-of-range indices, empty and odd-length slices —
//! on the interpreter and on code compiled at O0 and O3. Results must be identical (floats bit
//! for bit, any NaN equal to any NaN), traps must be the same trap, and mutable slices must
//! hold the same contents after a successful call.
//!
//! Every input runs with a fuel budget on the interpreter and on fuel-counting builds, so
//! loops and recursion driven by huge inputs end (and the fuel semantics are compared too);
//! inputs that finish within the budget also run on an O3 build without fuel. A fraction of
//! the inputs runs with a small call-depth limit. Functions with fast-math flags are left out
//! of the value comparison (reassociation changes results by design) but must trap alike;
//! functions that look at addresses as numbers are left out (each tier has its own memory).

mod common;
use common::kernels::{ola, sumsq};
use common::random_ir::random_module;
use common::suite::*;
use common::{module, same_f32, same_f64, Rng, F32S, F64S, I64S};
use std::path::Path;
use strata_ir::{
    Arg, ExternId, FloatFlags, HostCallFn, InterpError, Interpreter, LaneType, Module, ParamKind, TrapCode, Type, Val,
    VmContext,
};
use strata_llvm::{compile, CallError, CompiledFunc, CompiledModule, LlvmOptions};

/// Fuel for every call: enough for the loops of reasonable inputs, small enough that
/// `spin(i64::MAX)` ends quickly on the interpreter.
const FUEL: i64 = 20_000;
/// The small call-depth limit some inputs run with.
const SMALL_DEPTH: u32 = 4;
/// Inputs per function.
const INPUTS: usize = 150;
/// Random modules (of three functions each).
const RANDOM_MODULES: usize = 120;

/// A slot value of scalar type `ty`: mostly edge cases, sometimes small or random values.
fn scalar(rng: &mut Rng, ty: Type) -> u64 {
    match ty.lane() {
        LaneType::Bool => rng.next() & 1,
        LaneType::F32 => match rng.below(4) {
            0 => (rng.next() as u32) as u64,
            1 => ((rng.below(41) as f32 - 20.0) * 0.5).to_bits() as u64,
            _ => rng.pick(F32S).to_bits() as u64,
        },
        LaneType::F64 => match rng.below(4) {
            0 => rng.next(),
            1 => ((rng.below(41) as f64 - 20.0) * 0.5).to_bits(),
            _ => rng.pick(F64S).to_bits(),
        },
        _ => match rng.below(4) {
            0 => rng.next(),
            1 => rng.below(12) as u64,
            _ => rng.pick(I64S) as u64,
        },
    }
}

/// The bytes of a generated slice of `elem`.
fn slice(rng: &mut Rng, elem: Type) -> Vec<u8> {
    let len = rng.pick(&[0usize, 1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33]);
    let size = elem.bytes().unwrap_or(1) as usize;
    (0..len).flat_map(|_| scalar(rng, elem).to_le_bytes()[..size].to_vec()).collect()
}

/// One generated call: a slot or a slice per source parameter.
#[derive(Clone, Debug)]
enum Input {
    Scalar(Type, u64),
    Slice { elem: Type, mutable: bool, bytes: Vec<u8> },
}

fn inputs(rng: &mut Rng, f: &CompiledFunc) -> Vec<Input> {
    f.sig
        .params
        .iter()
        .map(|p| match p.kind {
            ParamKind::Scalar(t) => Input::Scalar(t, scalar(rng, t)),
            ParamKind::Slice { elem, mutable } => Input::Slice { elem, mutable, bytes: slice(rng, elem) },
        })
        .collect()
}

/// What a call did: its result (`None` for no value), or its trap, and the contents of its
/// mutable slices.
#[derive(Debug)]
struct Outcome {
    result: Result<Option<(Type, u64)>, TrapCode>,
    outputs: Vec<Vec<u8>>,
}

fn run_interp(interp: &Interpreter, name: &str, ret: Option<Type>, inputs: &[Input]) -> Option<Outcome> {
    let mut bufs: Vec<Vec<u8>> = inputs
        .iter()
        .filter_map(|i| match i {
            Input::Slice { bytes, .. } => Some(bytes.clone()),
            Input::Scalar(..) => None,
        })
        .collect();
    let mut args = Vec::new();
    let mut it = bufs.iter_mut();
    for i in inputs {
        match i {
            Input::Scalar(t, v) => args.push(Arg::Val(Val::from_bits(*t, *v)?)),
            Input::Slice { mutable: true, .. } => args.push(Arg::SliceMut(it.next()?)),
            Input::Slice { mutable: false, .. } => args.push(Arg::Slice(it.next()?)),
        }
    }
    let result = match interp.call(name, &mut args) {
        Ok(v) => Ok(v.and_then(|v| Some((ret?, v.to_bits()?)))),
        Err(InterpError::Trap(t)) => Err(t.code),
        // Not a semantic outcome (an interpreter limit): nothing to compare.
        Err(_) => return None,
    };
    drop(args);
    let outputs = mutable_outputs(inputs, bufs);
    Some(Outcome { result, outputs })
}

fn mutable_outputs(inputs: &[Input], bufs: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    let slices = inputs.iter().filter(|i| matches!(i, Input::Slice { .. }));
    slices.zip(bufs).filter(|(i, _)| matches!(i, Input::Slice { mutable: true, .. })).map(|(_, b)| b).collect()
}

fn run_compiled(f: &CompiledFunc, inputs: &[Input], fuel: i64, depth: u32, table: &[*const u8]) -> Outcome {
    let mut bufs: Vec<Vec<u8>> = inputs
        .iter()
        .filter_map(|i| match i {
            Input::Slice { bytes, .. } => Some(bytes.clone()),
            Input::Scalar(..) => None,
        })
        .collect();
    let mut args = Vec::new();
    let mut it = bufs.iter_mut();
    for i in inputs {
        match i {
            Input::Scalar(_, v) => args.push(*v),
            Input::Slice { elem, .. } => {
                let b = it.next().expect("one buffer per slice");
                let size = elem.bytes().unwrap_or(1) as usize;
                // An empty slice gets a dangling, aligned pointer, as in Rust.
                args.push(if b.is_empty() { 16 } else { b.as_mut_ptr() as u64 });
                args.push((b.len() / size) as u64);
            }
        }
    }
    let mut ctx =
        VmContext { fuel, host_table: table.as_ptr(), host_count: table.len() as u64, ..VmContext::new(depth) };
    // SAFETY: every slice points into `bufs` (alive for the call) with its element count;
    // `table` holds host functions matching the declarations of the modules they serve.
    let r = unsafe { f.call(&args, &mut ctx) };
    let result = match r {
        Ok(v) => Ok(v.and_then(|v| Some((f.sig.ret?, v)))),
        Err(CallError::Trap(t)) => Err(t),
        Err(e) => panic!("{}: {e}", f.name()),
    };
    Outcome { result, outputs: mutable_outputs(inputs, bufs) }
}

/// Whether two results agree (ptr results are addresses in different memories: skipped).
fn same_result(a: &Outcome, b: &Outcome) -> bool {
    match (&a.result, &b.result) {
        (Ok(None), Ok(None)) => true,
        (Ok(Some((t, x))), Ok(Some((_, y)))) => same_bits(*t, *x, *y),
        (Err(x), Err(y)) => x == y,
        _ => false,
    }
}

fn same_bits(t: Type, x: u64, y: u64) -> bool {
    let bits = t.lane_bits();
    let mask = if bits >= 64 { u64::MAX } else { (1u64 << bits) - 1 };
    match t.lane() {
        LaneType::F32 => same_f32(f32::from_bits(x as u32), f32::from_bits(y as u32)),
        LaneType::F64 => same_f64(f64::from_bits(x), f64::from_bits(y)),
        LaneType::Ptr => true,
        _ => x & mask == y & mask,
    }
}

/// Mutable slices equal element by element (floats as floats), given their element types.
fn same_outputs(inputs: &[Input], a: &Outcome, b: &Outcome) -> bool {
    let elems = inputs.iter().filter_map(|i| match i {
        Input::Slice { elem, mutable: true, .. } => Some(*elem),
        _ => None,
    });
    elems.zip(a.outputs.iter().zip(&b.outputs)).all(|(elem, (x, y))| {
        let size = elem.bytes().unwrap_or(1) as usize;
        x.len() == y.len()
            && x.chunks(size).zip(y.chunks(size)).all(|(p, q)| {
                let word = |c: &[u8]| {
                    let mut w = [0u8; 8];
                    w[..c.len()].copy_from_slice(c);
                    u64::from_le_bytes(w)
                };
                same_bits(elem, word(p), word(q))
            })
    })
}

/// Whether function `name` of `m` looks at the address of memory as a number (`ptr_to_int`,
/// or `icmp` on pointers, in a function with slices, data or stack slots): each tier has
/// its own addresses, so results may differ. (Pointers passed as plain scalars are values.)
fn address_dependent(m: &Module, name: &str) -> bool {
    let Some(id) = m.func_by_name(name) else { return false };
    let f = &m.functions[id];
    let insts = || f.layout.blocks().flat_map(|b| f.layout.block_insts(b)).map(|i| &f.dfg.insts[i]);
    let has_memory = f.sig.params.iter().any(|p| matches!(p.kind, ParamKind::Slice { .. }))
        || insts().any(|d| matches!(d.opcode(), strata_ir::Opcode::DataAddr | strata_ir::Opcode::StackAddr));
    has_memory
        && insts().any(|d| match d {
            strata_ir::InstData::IntCompare { args, .. } => f.dfg.value_type(args[0]).is_ptr(),
            d => d.opcode() == strata_ir::Opcode::PtrToInt,
        })
}

/// Whether function `name` of `m` carries fast-math flags anywhere.
fn fastmath(m: &Module, name: &str) -> bool {
    let Some(id) = m.func_by_name(name) else { return false };
    let f = &m.functions[id];
    f.layout.blocks().flat_map(|b| f.layout.block_insts(b)).any(|i| !f.dfg.insts[i].float_flags().is_empty())
}

// ---- host functions, for both tiers --------------------------------------------------

// The host functions as `HostCallFn`s. SAFETY (all): compiled code passes its live
// context, one slot per declared parameter and a result slot.
unsafe extern "C" fn h_scale(_: *mut VmContext, _: u64, args: *const u64, ret: *mut u64) {
    unsafe {
        let (x, k) = (f32::from_bits(*args as u32), *args.add(1) as i32);
        *ret = u64::from((x * k as f32 * 0.5).to_bits());
    }
}
unsafe extern "C" fn h_is_big(_: *mut VmContext, _: u64, args: *const u64, ret: *mut u64) {
    unsafe { *ret = u64::from((*args as i64) > 100) };
}
unsafe extern "C" fn h_flag(_: *mut VmContext, _: u64, args: *const u64, ret: *mut u64) {
    unsafe { *ret = (*args as u8 as i32 * 7) as u32 as u64 };
}
unsafe extern "C" fn h_double_or_fail(ctx: *mut VmContext, _: u64, args: *const u64, ret: *mut u64) {
    unsafe {
        let x = *args as i32;
        if x < 0 {
            (*ctx).trap_code = TrapCode::HostError.to_u32();
            return;
        }
        *ret = x.wrapping_mul(2) as u32 as u64;
    }
}
unsafe extern "C" fn h_expf(_: *mut VmContext, _: u64, args: *const u64, ret: *mut u64) {
    unsafe { *ret = u64::from(strata_ir::abi::strata_expf(f32::from_bits(*args as u32)).to_bits()) };
}
unsafe extern "C" fn h_log(_: *mut VmContext, _: u64, _: *const u64, _: *mut u64) {}
unsafe extern "C" fn h_add(_: *mut VmContext, _: u64, args: *const u64, ret: *mut u64) {
    unsafe { *ret = (*args as i32).wrapping_add(*args.add(1) as i32) as u32 as u64 };
}

/// The host functions of `m` by extern name: the compiled tier's table (in `ExternId`
/// order) and the interpreter with the same functions registered.
fn hosts(m: &Module, interp: Interpreter) -> (Vec<*const u8>, Interpreter) {
    let mut table = vec![std::ptr::null::<u8>(); m.externs.len()];
    let mut interp = interp;
    for (id, e) in m.externs.iter() {
        let id: ExternId = id;
        let slot = &mut table[strata_ir::EntityRef::index(id)];
        match e.name.as_str() {
            "scale" => {
                *slot = h_scale as HostCallFn as *const u8;
                interp = interp.with_host("scale", |a| match a {
                    [Val::F32(x), Val::I32(k)] => Ok(Some(Val::F32(x * *k as f32 * 0.5))),
                    _ => Err(TrapCode::HostError),
                });
            }
            "is_big" => {
                *slot = h_is_big as HostCallFn as *const u8;
                interp = interp.with_host("is_big", |a| match a {
                    [Val::I64(x)] => Ok(Some(Val::Bool(*x > 100))),
                    _ => Err(TrapCode::HostError),
                });
            }
            "flag" => {
                *slot = h_flag as HostCallFn as *const u8;
                interp = interp.with_host("flag", |a| match a {
                    [Val::Bool(b)] => Ok(Some(Val::I32(*b as i32 * 7))),
                    _ => Err(TrapCode::HostError),
                });
            }
            "h" => {
                *slot = h_double_or_fail as HostCallFn as *const u8;
                interp = interp.with_host("h", |a| match a {
                    [Val::I32(x)] if *x >= 0 => Ok(Some(Val::I32(x.wrapping_mul(2)))),
                    _ => Err(TrapCode::HostError),
                });
            }
            "expf" => {
                *slot = h_expf as HostCallFn as *const u8;
                interp = interp.with_host("expf", |a| match a {
                    [Val::F32(x)] => Ok(Some(Val::F32(strata_ir::abi::strata_expf(*x)))),
                    _ => Err(TrapCode::HostError),
                });
            }
            "host_log" => {
                *slot = h_log as HostCallFn as *const u8;
                interp = interp.with_host("host_log", |_| Ok(None));
            }
            "host_add" => {
                *slot = h_add as HostCallFn as *const u8;
                interp = interp.with_host("host_add", |a| match a {
                    [Val::I32(x), Val::I32(y)] => Ok(Some(Val::I32(x.wrapping_add(*y)))),
                    _ => Err(TrapCode::HostError),
                });
            }
            // Unregistered: both tiers trap `host_error`.
            _ => {}
        }
    }
    (table, interp)
}

/// Every module under test, with a name for messages.
fn modules() -> Vec<(String, Module)> {
    let mut ms: Vec<(String, Module)> = vec![
        ("int_binary".into(), int_binary()),
        ("int_unary".into(), int_unary()),
        ("icmp".into(), icmp()),
        ("bools".into(), bools()),
        ("floats".into(), floats()),
        ("min_max".into(), min_max()),
        ("fcmp".into(), fcmp()),
        ("conversions".into(), conversion_ops()),
        ("float_constants".into(), float_constants()),
        ("vector_floats".into(), vector_floats()),
        ("vector_conversions".into(), vector_conversions()),
        ("vector_ints".into(), vector_ints()),
        ("reductions".into(), reductions_module()),
        ("lanes".into(), lanes()),
        ("fib".into(), fib_module()),
        ("parity".into(), parity_module()),
        ("slices_across_calls".into(), slices_across_calls()),
        ("hosts".into(), host_module()),
        ("dot".into(), dot_module()),
        ("traps".into(), traps_module()),
        ("callee_trap".into(), callee_trap_module()),
        ("spin".into(), spin_module()),
        ("down".into(), down_module()),
        ("host_error".into(), host_error_module()),
        ("sums".into(), sums_module()),
        ("ola".into(), ola_module()),
        ("unaligned".into(), unaligned_module()),
        ("data_and_slots".into(), data_and_slots_module()),
        ("get".into(), get_module()),
        ("sign".into(), sign_module()),
        ("kernels".into(), module(vec![ola(), sumsq("sumsq", FloatFlags::NONE)])),
    ];
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/corpus exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("sir"))
        .collect();
    files.sort();
    for p in files {
        let text = std::fs::read_to_string(&p).expect("readable");
        let m = strata_ir::parse_module(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        ms.push((format!("corpus/{}", p.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()), m));
    }
    ms
}

/// The compiled variants: O0 and O3 counting fuel (compared on every input), O3 without
/// fuel (compared where the budget sufficed).
struct Builds {
    fueled: [CompiledModule; 2],
    plain: CompiledModule,
}

fn builds(m: &Module) -> Builds {
    let with = |level: u8, fuel: bool| {
        compile(m, &LlvmOptions { fuel, ..LlvmOptions::with_opt_level(level) })
            .unwrap_or_else(|e| panic!("compile at O{level} (fuel {fuel}): {e}"))
    };
    Builds { fueled: [with(0, true), with(3, true)], plain: with(3, false) }
}

/// Counts of what was compared.
#[derive(Default)]
struct Stats {
    funcs: usize,
    calls: usize,
    traps: usize,
    skipped: Vec<String>,
    failures: Vec<String>,
}

/// Runs every exported function of `m` on `inputs_per_fn` generated inputs on the
/// interpreter and the three builds, recording disagreements in `stats`.
fn compare_module(mname: &str, m: &Module, rng: &mut Rng, inputs_per_fn: usize, stats: &mut Stats) {
    let base = Interpreter::new(m).unwrap_or_else(|e| panic!("{mname}: interpreter: {e}"));
    let (table, interp) = hosts(m, base.with_fuel(FUEL as u64));
    let small =
        hosts(m, Interpreter::new(m).expect("decodes").with_fuel(FUEL as u64)).1.with_max_call_depth(SMALL_DEPTH);
    let b = builds(m);
    let mut names: Vec<&str> = b.plain.function_names().collect();
    names.sort_unstable();
    for name in names {
        if address_dependent(m, name) {
            stats.skipped.push(format!("{mname}::{name}"));
            continue;
        }
        let exact = !fastmath(m, name);
        let fs: Vec<CompiledFunc> = b.fueled.iter().map(|c| c.function(name).expect("exported")).collect();
        let plain = b.plain.function(name).expect("exported");
        stats.funcs += 1;
        for k in 0..inputs_per_fn {
            let input = inputs(rng, &plain);
            let (reference, depth) = if k % 8 == 7 { (&small, SMALL_DEPTH) } else { (&interp, 10_000) };
            let Some(want) = run_interp(reference, name, plain.sig.ret, &input) else { continue };
            stats.calls += 1;
            stats.traps += want.result.is_err() as usize;
            let mut check = |what: &str, got: Outcome| {
                let agree = if exact {
                    same_result(&want, &got) && (want.result.is_err() || same_outputs(&input, &want, &got))
                } else {
                    want.result.is_err() == got.result.is_err() && (want.result.is_ok() || same_result(&want, &got))
                };
                if !agree && stats.failures.len() < 40 {
                    stats.failures.push(format!(
                        "{mname}::{name} {what} on {input:?}\n    interpreter: {want:?}\n    tier 2:      {got:?}"
                    ));
                }
            };
            for (level, f) in ["O0+fuel", "O3+fuel"].iter().zip(&fs) {
                check(level, run_compiled(f, &input, FUEL, depth, &table));
            }
            if want.result != Err(TrapCode::FuelExhausted) {
                check("O3", run_compiled(&plain, &input, i64::MAX, depth, &table));
            }
        }
    }
}

#[test]
fn tier2_matches_the_interpreter() {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let mut stats = Stats::default();
    for (mname, m) in modules() {
        compare_module(&mname, &m, &mut rng, INPUTS, &mut stats);
    }
    let Stats { funcs, calls, traps, skipped, failures } = stats;
    assert!(failures.is_empty(), "{} disagreements:\n{}", failures.len(), failures.join("\n"));
    assert!(funcs > 400 && calls > 50_000, "only {funcs} functions, {calls} calls");
    println!("{funcs} functions, {calls} inputs ({traps} trapping), each on O0+fuel, O3+fuel and O3: all agree");
    println!("address-dependent, not compared: {skipped:?}");
}

/// Random programs (`tests/common/random_ir.rs`): straight-line code over every scalar
/// type, diamonds, counted loops, vectors, bounds-checked memory and calls.
#[test]
fn random_programs_match_the_interpreter() {
    // `STRATA_RANDOM_MODULES` and `STRATA_RANDOM_SEED` run a longer or different search.
    let env = |k: &str| std::env::var(k).ok().and_then(|s| s.parse::<u64>().ok());
    let mut rng = Rng(env("STRATA_RANDOM_SEED").unwrap_or(0x0dd_ba11_cafe_f00d));
    let mut stats = Stats::default();
    for i in 0..env("STRATA_RANDOM_MODULES").map_or(RANDOM_MODULES, |n| n as usize) {
        let m = random_module(&mut rng);
        if let Err(e) = strata_ir::verify_module(&m) {
            panic!("random module {i} does not verify (a generator bug):\n{e}\n{}", strata_ir::print_module(&m));
        }
        compare_module(&format!("random{i}"), &m, &mut rng, 40, &mut stats);
        if !stats.failures.is_empty() {
            panic!("{}\n{}", stats.failures.join("\n"), strata_ir::print_module(&m));
        }
    }
    println!("{} random functions, {} inputs ({} trapping): all agree", stats.funcs, stats.calls, stats.traps);
}
