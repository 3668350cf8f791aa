//! Loop versioning on address-range checks: an innermost loop whose body tests affine
//! offsets of an induction variable against loop-invariant limits (`off <=u lim`, the
//! shape the BPF lifter gives every access through a computed pointer) gets a copy in
//! which those tests are gone, entered only when no test can fail in any iteration.
//!
//! ```text
//! pre:      ...; ok = lo <=u hi & hi <=u max & off(lo) <=u off(hi) & off(hi) <=u lim & ...
//!           brif ok, header'(init...), header(init...)
//! header':  the loop, copied; `brif (off <=u lim) [& inv], in, out` became `br in`
//! header:   the original loop, unchanged: it runs (and traps) when some test could fail
//! ```
//!
//! The induction variable `p` is a header parameter that every back-edge passes as
//! `p + s` (a constant step), and either the header leaves the loop on a test of `p`
//! against an invariant bound `b` (then every other block of the loop sees `p` in
//! `[lo, hi]`), or the loop's only latch goes back while `p + s` passes that test (a
//! bottom-tested loop: every block sees `p` in `[lo, hi]`, the first iteration's `init`
//! included). For `p != b` with `s = ±1` the range is `[init, b - 1]` or `[b + 1, init]`,
//! for `p <u b` with `s > 0` it is `[init, b - 1]`, and so on (see [`iv_range`]); with
//! `|s| > 1` the far end is the last value `init ± j·|s|` actually reached. A tested
//! offset is `a·p + c` with a constant `a >= 1` and an invariant `c`, built from `p` by
//! `iadd`, `isub`, `imul` by a constant and `shl` by a constant, or from a header
//! parameter `q` that moves in lockstep with `p` (every back-edge adds `k·s`, `k >= 1`, so
//! `q = q0 + k·(p - init)`: BPF's checksum advances a pointer and a counter together). With `a·hi` below 2^64 and
//! `off(lo) <=u off(hi)`, the offsets of all iterations lie in `[off(lo), off(hi)]` without
//! wrapping, so `off(hi) <=u lim` proves every test at once. The guard also asks that
//! `p + s` cannot wrap (`hi <=u 2^62` going up, `lo >=u |s|` going down), which is what
//! keeps `p` inside `[lo, hi]` until the header's test leaves.
//!
//! Why: a checked access is two branches per access (the memory region, then the stack
//! region, then a trap), and in BPF's insertion sort they were the inner loop's cost
//! against JITs that check nothing. The copy has straight loads and stores for LLVM and
//! Cranelift; the guard is a handful of instructions run once per entry into the loop.
//!
//! Values of the loop used after it are passed out through new parameters of the exit
//! block that dominates their uses (the exit must be entered from the loop only); a loop
//! where that is not possible is left alone.
//!
//! What it must not do: drop a test that could fail (only tests proven by the guard, and
//! only in the copy); touch tests in the header of a top-tested loop (they see `p` before
//! the exit test) or the exit test itself;
//! reorder or remove any other instruction; version a loop with inner loops, without a
//! preheader, or larger than [`MAX_LOOP_INSTS`]. Like the other loop-copying passes it is
//! skipped when the program counts fuel.

use super::block_copy::{copy_blocks, insert_before};
use crate::analysis::loop_walk::each_loop;
use crate::analysis::{ControlFlowGraph, DominatorTree, Loop, LoopAnalysis};
use crate::entities::{Block, Inst, Value};
use crate::function::Function;
use crate::instructions::{BlockCall, FloatFlags, InstData, IntCC};
use crate::module::Module;
use crate::opcode::Opcode;
use crate::types::Type;
use crate::ValueDef;
use std::collections::{HashMap, HashSet};

/// Loops with more instructions than this are not copied (code size).
pub const MAX_LOOP_INSTS: usize = 400;

/// The largest step of an induction variable this pass accepts.
const MAX_STEP: i64 = 1 << 30;

/// The largest multiplier of an offset this pass accepts.
const MAX_SCALE: u64 = 1 << 32;

/// How deep an offset's or invariant's expression may be.
const MAX_DEPTH: u32 = 16;

/// Versions the loops of every function of `module`.
pub fn run(module: &mut Module) {
    for f in module.functions.values_mut() {
        run_function(f);
    }
}

/// Versions the loops of one function; returns the headers of the original loops, which
/// now only run when some test may fail (a backend may compile them for size).
pub fn run_function(f: &mut Function) -> Vec<Block> {
    let mut guarded = Vec::new();
    each_loop(
        f,
        |f, round, lp| plan(f, round.cfg, round.domtree, round.loops, lp),
        |f, plan| {
            guarded.push(plan.header);
            transform(f, plan);
        },
    );
    guarded
}

/// Where a value of the guard comes from.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Shape {
    /// Available in the preheader: defined outside the loop, or a pure expression of
    /// such values and constants that can be recomputed there.
    Invariant,
    /// `a·p + c` for the induction variable `p`, a constant `a >= 1` and an invariant `c`.
    Affine(u64),
}

/// One test the guard proves: the branch, which of its arms is "in bounds", the tested
/// offset and its limit (`off <=u lim` or `off <u lim`), and the invariant conjunct.
struct Check {
    branch: Inst,
    keep_then: bool,
    off: Value,
    scale: u64,
    strict: bool,
    lim: Value,
    also: Option<Value>,
}

/// A loop this pass will version, with everything [`transform`] needs.
struct Plan {
    header: Block,
    entry_jump: Inst,
    blocks: Vec<Block>,
    iv: Value,
    init: Value,
    step: i64,
    lo: Bound,
    hi: Bound,
    /// Header parameters `q = q0 + k·(p - init)`: `(q, k, q0)`.
    derived: Vec<(Value, u64, Value)>,
    checks: Vec<Check>,
    /// `(value of the loop, exit block, blocks outside the loop whose uses go through it)`.
    escaping: Vec<(Value, Block, Vec<Block>)>,
}

/// An end of the induction variable's range: `value + delta`.
#[derive(Clone, Copy, Debug)]
struct Bound {
    value: Value,
    delta: i64,
}

/// What [`shape`] knows about a loop: its blocks, the induction variable `p`, and the
/// other header parameters that move in lockstep with it (`q = q0 + k·(p - p0)`: every
/// back-edge adds `k·step` to `q`), by value: `(k, q0)`.
struct Ctx<'a> {
    loops: &'a LoopAnalysis,
    lp: Loop,
    iv: Value,
    derived: HashMap<Value, (u64, Value)>,
}

/// The shape of `v` relative to the induction variable of `cx`.
fn shape(f: &Function, cx: &Ctx<'_>, v: Value, depth: u32) -> Option<Shape> {
    if v == cx.iv {
        return Some(Shape::Affine(1));
    }
    if let Some(&(k, _)) = cx.derived.get(&v) {
        return Some(Shape::Affine(k));
    }
    let inst = match f.dfg.value_def(v) {
        ValueDef::Param(b, _) => return (!cx.loops.contains(cx.lp, b)).then_some(Shape::Invariant),
        ValueDef::Result(i) => i,
        ValueDef::Detached => return None,
    };
    let block = f.layout.inst_block(inst)?;
    if !cx.loops.contains(cx.lp, block) {
        return Some(Shape::Invariant);
    }
    if depth >= MAX_DEPTH {
        return None;
    }
    let sub = |x| shape(f, cx, x, depth + 1);
    let int = f.dfg.value_type(v) == Type::I64;
    match &f.dfg.insts[inst] {
        InstData::IntConst { .. } | InstData::BoolConst { .. } => Some(Shape::Invariant),
        InstData::IntCompare { args: [x, y], .. } => {
            (sub(*x)? == Shape::Invariant && sub(*y)? == Shape::Invariant).then_some(Shape::Invariant)
        }
        InstData::Binary { op, args: [x, y], .. } => {
            let (sx, sy) = (sub(*x)?, sub(*y)?);
            match (op, sx, sy) {
                (
                    Opcode::Iadd
                    | Opcode::Isub
                    | Opcode::Imul
                    | Opcode::Shl
                    | Opcode::Lshr
                    | Opcode::Ashr
                    | Opcode::Band
                    | Opcode::Bor
                    | Opcode::Bxor,
                    Shape::Invariant,
                    Shape::Invariant,
                ) => Some(Shape::Invariant),
                (Opcode::Iadd, Shape::Affine(a), Shape::Invariant)
                | (Opcode::Iadd, Shape::Invariant, Shape::Affine(a))
                | (Opcode::Isub, Shape::Affine(a), Shape::Invariant)
                    if int =>
                {
                    Some(Shape::Affine(a))
                }
                (Opcode::Imul, Shape::Affine(a), Shape::Invariant) if int => scaled(a, int_const(f, *y)?),
                (Opcode::Imul, Shape::Invariant, Shape::Affine(a)) if int => scaled(a, int_const(f, *x)?),
                (Opcode::Shl, Shape::Affine(a), Shape::Invariant) if int => {
                    let k = int_const(f, *y)?;
                    (0..32).contains(&k).then(|| scaled(a, 1 << k))?
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// `a · m`, when `m` is positive and the product stays within [`MAX_SCALE`].
fn scaled(a: u64, m: i64) -> Option<Shape> {
    let m = u64::try_from(m).ok().filter(|&m| m >= 1)?;
    a.checked_mul(m).filter(|&p| p <= MAX_SCALE).map(Shape::Affine)
}

/// The value of an `iconst`.
fn int_const(f: &Function, v: Value) -> Option<i64> {
    match f.dfg.value_def(v) {
        ValueDef::Result(i) => match f.dfg.insts[i] {
            InstData::IntConst { imm } => Some(imm),
            _ => None,
        },
        _ => None,
    }
}

/// The instruction that defines `v`, if any.
fn def_inst(f: &Function, v: Value) -> Option<&InstData> {
    match f.dfg.value_def(v) {
        ValueDef::Result(i) => Some(&f.dfg.insts[i]),
        _ => None,
    }
}

/// `cc` with its operands swapped (`a cc b` is `b cc' a`).
fn swapped(cc: IntCC) -> IntCC {
    match cc {
        IntCC::Ult => IntCC::Ugt,
        IntCC::Ule => IntCC::Uge,
        IntCC::Ugt => IntCC::Ult,
        IntCC::Uge => IntCC::Ule,
        IntCC::Slt => IntCC::Sgt,
        IntCC::Sle => IntCC::Sge,
        IntCC::Sgt => IntCC::Slt,
        IntCC::Sge => IntCC::Sle,
        other => other,
    }
}

/// `cc` negated (`!(a cc b)` is `a cc' b`).
fn negated(cc: IntCC) -> IntCC {
    match cc {
        IntCC::Eq => IntCC::Ne,
        IntCC::Ne => IntCC::Eq,
        IntCC::Ult => IntCC::Uge,
        IntCC::Ule => IntCC::Ugt,
        IntCC::Ugt => IntCC::Ule,
        IntCC::Uge => IntCC::Ult,
        IntCC::Slt => IntCC::Sge,
        IntCC::Sle => IntCC::Sgt,
        IntCC::Sgt => IntCC::Sle,
        IntCC::Sge => IntCC::Slt,
    }
}

/// The range `[lo, hi]` of the induction variable in the loop's blocks after the header,
/// when the body runs while `p cc b` and `p` moves by `step` from `init`.
fn iv_range(cc: IntCC, step: i64, init: Value, b: Value) -> Option<(Bound, Bound)> {
    let at = |value, delta| Bound { value, delta };
    match cc {
        IntCC::Ne if step == 1 => Some((at(init, 0), at(b, -1))),
        IntCC::Ne if step == -1 => Some((at(b, 1), at(init, 0))),
        IntCC::Ult if step > 0 => Some((at(init, 0), at(b, -1))),
        IntCC::Ule if step > 0 => Some((at(init, 0), at(b, 0))),
        IntCC::Ugt if step < 0 => Some((at(b, 1), at(init, 0))),
        IntCC::Uge if step < 0 => Some((at(b, 0), at(init, 0))),
        _ => None,
    }
}

/// The step `s` when `next` is `p + s` or `p - (-s)` for a constant `s`.
fn step_of(f: &Function, p: Value, next: Value) -> Option<i64> {
    let InstData::Binary { op, args: [x, y], .. } = def_inst(f, next)? else { return None };
    let s = match (op, *x == p, *y == p) {
        (Opcode::Iadd, true, false) => int_const(f, *y)?,
        (Opcode::Iadd, false, true) => int_const(f, *x)?,
        (Opcode::Isub, true, false) => int_const(f, *y)?.checked_neg()?,
        _ => return None,
    };
    (s != 0 && s.unsigned_abs() <= MAX_STEP as u64).then_some(s)
}

/// The loop's exit test on a header parameter: `(index of p, cc, b, in_header)` when the
/// loop keeps running while `p cc b` (the header's own test, `in_header`) or while
/// `next cc b` for the `next` its only back-edge passes (a bottom-tested loop).
fn exit_test(f: &Function, loops: &LoopAnalysis, lp: Loop) -> Option<(usize, IntCC, Value, bool)> {
    let header = loops.header(lp);
    let params = f.dfg.block_params(header);
    let test = |block: Block| -> Option<(Value, Value, IntCC, Block)> {
        let InstData::Brif { cond, then_dest, else_dest } = &f.dfg.insts[f.layout.last_inst(block)?] else {
            return None;
        };
        let then_in = loops.contains(lp, then_dest.block);
        if then_in == loops.contains(lp, else_dest.block) {
            return None;
        }
        let InstData::IntCompare { cond: cc, args: [x, y] } = def_inst(f, *cond)? else { return None };
        let cc = if then_in { *cc } else { negated(*cc) };
        let stay = if then_in { then_dest } else { else_dest };
        Some((*x, *y, cc, stay.block))
    };
    // The header's own test.
    if let Some((x, y, cc, _)) = test(header) {
        if let Some(i) = params.iter().position(|&p| p == x) {
            return Some((i, cc, y, true));
        }
        if let Some(i) = params.iter().position(|&p| p == y) {
            return Some((i, swapped(cc), x, true));
        }
    }
    // The only latch's test, on the value it passes back.
    let [latch] = loops.latches(lp) else { return None };
    let InstData::Brif { then_dest, else_dest, .. } = &f.dfg.insts[f.layout.last_inst(*latch)?] else {
        return None;
    };
    let back = if then_dest.block == header { then_dest } else { else_dest };
    if back.block != header {
        return None;
    }
    let (x, y, cc, stay) = test(*latch)?;
    if stay != header {
        return None;
    }
    let i = back.args.iter().position(|&a| a == x || a == y)?;
    let (cc, bound) = if back.args[i] == x { (cc, y) } else { (swapped(cc), x) };
    Some((i, cc, bound, false))
}

/// The loop's plan, if it has the shape of the module documentation.
fn plan(f: &Function, cfg: &ControlFlowGraph, domtree: &DominatorTree, loops: &LoopAnalysis, lp: Loop) -> Option<Plan> {
    if !loops.is_reducible() || loops.children(lp).next().is_some() {
        return None;
    }
    let header = loops.header(lp);
    let preheader = loops.preheader(lp, cfg)?;
    let entry_jump = f.layout.last_inst(preheader)?;
    let InstData::Jump { dest: entry } = &f.dfg.insts[entry_jump] else { return None };
    let blocks = loops.blocks(lp).to_vec();
    let size: usize = blocks.iter().map(|&b| f.layout.block_insts(b).count()).sum();
    if size > MAX_LOOP_INSTS {
        return None;
    }
    let (index, cc, bound, in_header) = exit_test(f, loops, lp)?;
    let params = f.dfg.block_params(header).to_vec();
    let steps = header_steps(f, &blocks, header, &params)?;
    let iv = params[index];
    let step = steps[index]?;
    let init = *entry.args.get(index)?;
    if f.dfg.value_type(iv) != Type::I64 {
        return None;
    }
    // Header parameters that move in lockstep with `p`.
    let mut derived = HashMap::new();
    for (k, (&q, t)) in params.iter().zip(&steps).enumerate() {
        let Some(t) = *t else { continue };
        if k == index || f.dfg.value_type(q) != Type::I64 || t % step != 0 || t / step < 1 {
            continue;
        }
        derived.insert(q, ((t / step) as u64, *entry.args.get(k)?));
    }
    let cx = Ctx { loops, lp, iv, derived };
    if shape(f, &cx, bound, 0)? != Shape::Invariant {
        return None;
    }
    let (lo, hi) = iv_range(cc, step, init, bound)?;
    // The tests of affine offsets: outside the header when the header tests `p` (it also
    // sees `p` after the last iteration), anywhere in a bottom-tested loop.
    // The exit test itself is no check: it fails in the last iteration.
    let exit_branch = match in_header {
        true => f.layout.last_inst(header),
        false => loops.latches(lp).first().and_then(|&l| f.layout.last_inst(l)),
    };
    let mut checks = Vec::new();
    for &b in blocks.iter().filter(|&&b| !in_header || b != header) {
        let Some(term) = f.layout.last_inst(b).filter(|&t| Some(t) != exit_branch) else { continue };
        if let InstData::Brif { cond, .. } = &f.dfg.insts[term] {
            if let Some(check) = check_of(f, &cx, term, *cond) {
                checks.push(check);
            }
        }
    }
    // A test reached only when another one failed (the lifter's stack-region test behind
    // the memory-region test) stays: the copy never gets there, and proving it too would
    // make the guard fail whenever the first test holds.
    let reached = reachable(f, header, &blocks, &checks);
    checks.retain(|c| f.layout.inst_block(c.branch).is_some_and(|b| reached.contains(&b)));
    if checks.is_empty() {
        return None;
    }
    let escaping = escaping_values(f, cfg, domtree, loops, lp)?;
    let derived = cx.derived.into_iter().map(|(q, (k, q0))| (q, k, q0)).collect();
    Some(Plan { header, entry_jump, blocks, iv, init, step, lo, hi, derived, checks, escaping })
}

/// Per header parameter, the constant step every back-edge adds to it, if there is one.
fn header_steps(f: &Function, blocks: &[Block], header: Block, params: &[Value]) -> Option<Vec<Option<i64>>> {
    let mut steps: Vec<Option<Option<i64>>> = vec![None; params.len()];
    for &b in blocks {
        f.dfg.insts[f.layout.last_inst(b)?].for_each_target(|t| {
            if t.block != header {
                return;
            }
            for (k, &p) in params.iter().enumerate() {
                let s = t.args.get(k).and_then(|&n| step_of(f, p, n));
                steps[k] = match steps[k] {
                    None => Some(s),
                    Some(old) if old == s => Some(s),
                    Some(_) => Some(None),
                };
            }
        });
    }
    Some(steps.into_iter().map(Option::flatten).collect())
}

/// `branch` (on `cond`) as a test the guard can prove.
fn check_of(f: &Function, cx: &Ctx<'_>, branch: Inst, cond: Value) -> Option<Check> {
    let inv = |v| shape(f, cx, v, 0) == Some(Shape::Invariant);
    // `cond` itself, or `band` of it with an invariant.
    let (test, also) = match def_inst(f, cond)? {
        InstData::Binary { op: Opcode::Band, args: [x, y], .. } if inv(*y) => (*x, Some(*y)),
        InstData::Binary { op: Opcode::Band, args: [x, y], .. } if inv(*x) => (*y, Some(*x)),
        _ => (cond, None),
    };
    let InstData::IntCompare { cond: cc, args: [x, y] } = def_inst(f, test)? else { return None };
    let (cc, off, lim, scale) = match (shape(f, cx, *x, 0)?, shape(f, cx, *y, 0)?) {
        (Shape::Affine(a), Shape::Invariant) => (*cc, *x, *y, a),
        (Shape::Invariant, Shape::Affine(a)) => (swapped(*cc), *y, *x, a),
        _ => return None,
    };
    // In bounds on `then` for `off <=u lim`; with an `and`, only that way round.
    let (keep_then, strict) = match cc {
        IntCC::Ule => (true, false),
        IntCC::Ult => (true, true),
        IntCC::Ugt if also.is_none() => (false, false),
        IntCC::Uge if also.is_none() => (false, true),
        _ => return None,
    };
    Some(Check { branch, keep_then, off, scale, strict, lim, also })
}

/// The values defined in `lp` and used after it, each with the exit block that dominates
/// those uses; `None` when some use is not dominated by an exit entered only from the loop.
fn escaping_values(
    f: &Function,
    cfg: &ControlFlowGraph,
    domtree: &DominatorTree,
    loops: &LoopAnalysis,
    lp: Loop,
) -> Option<Vec<(Value, Block, Vec<Block>)>> {
    let mut defined = HashSet::new();
    for &b in loops.blocks(lp) {
        defined.extend(f.dfg.block_params(b).iter().copied());
        defined.extend(f.layout.block_insts(b).filter_map(|i| f.dfg.inst_result(i)));
    }
    let mut exits: Vec<Block> = Vec::new();
    for (_, e) in loops.exit_edges(lp, cfg) {
        if !exits.contains(&e) {
            exits.push(e);
        }
    }
    let mut out: Vec<(Value, Block, Vec<Block>)> = Vec::new();
    for b in f.layout.blocks().filter(|&b| !loops.contains(lp, b)) {
        for inst in f.layout.block_insts(b) {
            let mut used = Vec::new();
            f.dfg.insts[inst].for_each_value(|v| {
                if defined.contains(&v) && !used.contains(&v) {
                    used.push(v);
                }
            });
            for v in used {
                let exit = *exits.iter().find(|&&e| domtree.dominates(e, b))?;
                if cfg.pred_blocks(exit).any(|p| !loops.contains(lp, p)) {
                    return None;
                }
                match out.iter_mut().find(|(w, e, _)| *w == v && *e == exit) {
                    Some((_, _, users)) if !users.contains(&b) => users.push(b),
                    Some(_) => {}
                    None => out.push((v, exit, vec![b])),
                }
            }
        }
    }
    Some(out)
}

/// The blocks of the loop reachable from `header` when every test of `checks` always
/// takes its in-bounds arm.
fn reachable(f: &Function, header: Block, blocks: &[Block], checks: &[Check]) -> Vec<Block> {
    let mut order = vec![header];
    let mut i = 0;
    while i < order.len() {
        let b = order[i];
        i += 1;
        let Some(term) = f.layout.last_inst(b) else { continue };
        let mut next = Vec::new();
        match (&f.dfg.insts[term], checks.iter().find(|c| c.branch == term)) {
            (InstData::Brif { then_dest, .. }, Some(c)) if c.keep_then => next.push(then_dest.block),
            (InstData::Brif { else_dest, .. }, Some(_)) => next.push(else_dest.block),
            (data, _) => data.for_each_target(|t| next.push(t.block)),
        }
        for s in next {
            if blocks.contains(&s) && !order.contains(&s) {
                order.push(s);
            }
        }
    }
    order
}

/// Emits guard code in the preheader (before `at`): the value of `v` with the induction
/// variable replaced by `p` (`None`: `v` must not depend on it) and the parameters moving
/// in lockstep with it by `q0 + k·(p - init)`, recomputing instructions of the loop as
/// needed.
struct Emitter<'a> {
    at: Inst,
    blocks: &'a [Block],
    iv: Value,
    init: Value,
    derived: &'a [(Value, u64, Value)],
    memo: HashMap<(Value, Option<Value>), Value>,
}

impl Emitter<'_> {
    fn put(&self, f: &mut Function, data: InstData, ty: Type) -> Value {
        insert_before(f, self.at, data, ty)
    }

    fn value(&mut self, f: &mut Function, v: Value, p: Option<Value>) -> Value {
        if let Some(&done) = self.memo.get(&(v, p)) {
            return done;
        }
        let out = match (p, self.derived.iter().find(|d| d.0 == v)) {
            (Some(p), _) if v == self.iv => p,
            (Some(p), Some(&(_, k, q0))) => {
                let bin = |op, a, b| InstData::Binary { op, args: [a, b], flags: FloatFlags::NONE };
                let mut d = self.put(f, bin(Opcode::Isub, p, self.init), Type::I64);
                if k != 1 {
                    let kv = self.put(f, InstData::IntConst { imm: k as i64 }, Type::I64);
                    d = self.put(f, bin(Opcode::Imul, d, kv), Type::I64);
                }
                self.put(f, bin(Opcode::Iadd, q0, d), Type::I64)
            }
            _ => {
                let inst = match f.dfg.value_def(v) {
                    ValueDef::Result(i) if f.layout.inst_block(i).is_some_and(|b| self.blocks.contains(&b)) => i,
                    _ => return v,
                };
                let mut data = f.dfg.insts[inst].clone();
                let mut operands = Vec::new();
                data.for_each_value(|x| operands.push(x));
                let mapped: Vec<Value> = operands.into_iter().map(|x| self.value(f, x, p)).collect();
                let mut it = mapped.into_iter();
                data.map_values(|x| it.next().unwrap_or(x));
                let ty = f.dfg.value_type(v);
                self.put(f, data, ty)
            }
        };
        self.memo.insert((v, p), out);
        out
    }
}

/// Rewrites `f` with the guarded copy (see the module documentation).
fn transform(f: &mut Function, plan: Plan) {
    let Plan { header, entry_jump, blocks, iv, init, step, lo, hi, derived, checks, escaping } = plan;
    // Uses after the loop go through new parameters of their exit block.
    for (v, exit, users) in &escaping {
        let ty = f.dfg.value_type(*v);
        let q = f.dfg.append_block_param(*exit, ty);
        for &b in &blocks {
            let Some(term) = f.layout.last_inst(b) else { continue };
            f.dfg.insts[term].for_each_target_mut(|t| {
                if t.block == *exit {
                    t.args.push(*v);
                }
            });
        }
        for &u in users {
            let insts: Vec<Inst> = f.layout.block_insts(u).collect();
            for inst in insts {
                f.dfg.insts[inst].map_values(|x| if x == *v { q } else { x });
            }
        }
    }
    // The guard.
    let mut em = Emitter { at: entry_jump, blocks: &blocks, iv, init, derived: &derived, memo: HashMap::new() };
    let bin = |op, a, b| InstData::Binary { op, args: [a, b], flags: FloatFlags::NONE };
    let icmp = |cond, a, b| InstData::IntCompare { cond, args: [a, b] };
    let konst = |em: &Emitter<'_>, f: &mut Function, imm: i64| em.put(f, InstData::IntConst { imm }, Type::I64);
    let bound = |f: &mut Function, em: &mut Emitter<'_>, bd: Bound| {
        let v = em.value(f, bd.value, None);
        if bd.delta == 0 {
            return v;
        }
        let d = konst(em, f, bd.delta);
        em.put(f, bin(Opcode::Iadd, v, d), Type::I64)
    };
    let mut lo_v = bound(f, &mut em, lo);
    let mut hi_v = bound(f, &mut em, hi);
    let mut conds = vec![em.put(f, icmp(IntCC::Ule, lo_v, hi_v), Type::BOOL)];
    // With a step of more than 1 the far end is the last value `init ± j·|step|` reaches
    // (the range's other end is `init` itself).
    if step.unsigned_abs() > 1 {
        let span = em.put(f, bin(Opcode::Isub, hi_v, lo_v), Type::I64);
        let s = konst(&em, f, step.unsigned_abs() as i64);
        let n = em.put(f, bin(Opcode::Udiv, span, s), Type::I64);
        let span = em.put(f, bin(Opcode::Imul, n, s), Type::I64);
        if step > 0 {
            hi_v = em.put(f, bin(Opcode::Iadd, lo_v, span), Type::I64);
        } else {
            lo_v = em.put(f, bin(Opcode::Isub, hi_v, span), Type::I64);
        }
    }
    if step > 0 {
        let max = konst(&em, f, 1 << 62);
        conds.push(em.put(f, icmp(IntCC::Ule, hi_v, max), Type::BOOL));
    } else {
        let s = konst(&em, f, step.wrapping_neg());
        conds.push(em.put(f, icmp(IntCC::Uge, lo_v, s), Type::BOOL));
    }
    let mut max_scale = 1;
    for c in &checks {
        max_scale = max_scale.max(c.scale);
        let off_lo = em.value(f, c.off, Some(lo_v));
        let off_hi = em.value(f, c.off, Some(hi_v));
        let lim = em.value(f, c.lim, None);
        conds.push(em.put(f, icmp(IntCC::Ule, off_lo, off_hi), Type::BOOL));
        let cc = if c.strict { IntCC::Ult } else { IntCC::Ule };
        conds.push(em.put(f, icmp(cc, off_hi, lim), Type::BOOL));
        if let Some(a) = c.also {
            conds.push(em.value(f, a, None));
        }
    }
    // `a · hi` below 2^64 for the largest multiplier (the others are smaller).
    let limit = konst(&em, f, (u64::MAX / max_scale) as i64);
    conds.push(em.put(f, icmp(IntCC::Ule, hi_v, limit), Type::BOOL));
    let mut ok = conds[0];
    for &c in &conds[1..] {
        ok = em.put(f, bin(Opcode::Band, ok, c), Type::BOOL);
    }
    // The blocks the copy needs: those reachable from the header once the checks are `br`s.
    let keep: HashMap<Inst, bool> = checks.iter().map(|c| (c.branch, c.keep_then)).collect();
    let mut order = reachable(f, header, &blocks, &checks);
    // Sort the copy in layout order (for readable output and fall-through).
    let layout_pos: HashMap<Block, usize> = f.layout.blocks().enumerate().map(|(i, b)| (b, i)).collect();
    order.sort_by_key(|b| layout_pos.get(b).copied().unwrap_or(usize::MAX));
    let copy = copy_blocks(f, &order, header, |f, inst| {
        Some(match (&f.dfg.insts[inst], keep.get(&inst)) {
            (InstData::Brif { then_dest, .. }, Some(true)) => InstData::Jump { dest: then_dest.clone() },
            (InstData::Brif { else_dest, .. }, Some(false)) => InstData::Jump { dest: else_dest.clone() },
            (d, _) => d.clone(),
        })
    });
    copy.remap(f);
    let Some(&copy_header) = copy.blocks.get(&header) else { return };
    let InstData::Jump { dest } = f.dfg.insts[entry_jump].clone() else { return };
    f.dfg.insts[entry_jump] =
        InstData::Brif { cond: ok, then_dest: BlockCall::new(copy_header, dest.args.clone()), else_dest: dest };
}
