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
//! `p + s` (a constant step), and the header leaves the loop on a test of `p` against an
//! invariant bound `b`, so every other block of the loop sees `p` in `[lo, hi]`: for
//! `p != b` with `s = ±1` that is `[init, b - 1]` or `[b + 1, init]`, for `p <u b` with
//! `s > 0` it is `[init, b - 1]`, and so on (see [`iv_range`]). A tested offset is
//! `a·p + c` with a constant `a >= 1` and an invariant `c`, built from `p` by `iadd`,
//! `isub`, `imul` by a constant and `shl` by a constant. With `a·hi` below 2^64 and
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
//! only in the copy); touch tests in the header (they see `p` before the exit test);
//! reorder or remove any other instruction; version a loop with inner loops, without a
//! preheader, or larger than [`MAX_LOOP_INSTS`]. Like the other loop-copying passes it is
//! skipped when the program counts fuel.

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
    if f.entry_block().is_none() {
        return guarded;
    }
    let mut offered: Vec<Block> = Vec::new();
    loop {
        let cfg = ControlFlowGraph::with_function(f);
        let domtree = DominatorTree::with_function(f, &cfg);
        let loops = LoopAnalysis::with_function(f, &cfg, &domtree);
        let mut chosen = None;
        for lp in loops.loops() {
            let header = loops.header(lp);
            if offered.contains(&header) {
                continue;
            }
            offered.push(header);
            if let Some(plan) = plan(f, &cfg, &domtree, &loops, lp) {
                chosen = Some(plan);
                break;
            }
        }
        let Some(plan) = chosen else { break };
        guarded.push(plan.header);
        transform(f, plan);
    }
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
    step: i64,
    lo: Bound,
    hi: Bound,
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

/// The shape of `v` relative to the induction variable `iv` of `lp`.
fn shape(f: &Function, loops: &LoopAnalysis, lp: Loop, iv: Value, v: Value, depth: u32) -> Option<Shape> {
    if v == iv {
        return Some(Shape::Affine(1));
    }
    let inst = match f.dfg.value_def(v) {
        ValueDef::Param(b, _) => return (!loops.contains(lp, b)).then_some(Shape::Invariant),
        ValueDef::Result(i) => i,
        ValueDef::Detached => return None,
    };
    let block = f.layout.inst_block(inst)?;
    if !loops.contains(lp, block) {
        return Some(Shape::Invariant);
    }
    if depth >= MAX_DEPTH {
        return None;
    }
    let sub = |x| shape(f, loops, lp, iv, x, depth + 1);
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
    // The header's exit test: `p cc b` with `b` invariant and one arm leaving the loop.
    let InstData::Brif { cond, then_dest, else_dest } = &f.dfg.insts[f.layout.last_inst(header)?] else {
        return None;
    };
    let then_in = loops.contains(lp, then_dest.block);
    if then_in == loops.contains(lp, else_dest.block) {
        return None;
    }
    let InstData::IntCompare { cond: cc, args: [x, y] } = def_inst(f, *cond)? else { return None };
    let params = f.dfg.block_params(header);
    let (index, cc, bound) = if let Some(i) = params.iter().position(|p| p == x) {
        (i, *cc, *y)
    } else {
        (params.iter().position(|p| p == y)?, swapped(*cc), *x)
    };
    let cc = if then_in { cc } else { negated(cc) };
    let iv = params[index];
    if f.dfg.value_type(iv) != Type::I64 || shape(f, loops, lp, iv, bound, 0)? != Shape::Invariant {
        return None;
    }
    // Every back-edge passes `p + step`.
    let mut step = None;
    for &b in &blocks {
        let mut ok = true;
        f.dfg.insts[f.layout.last_inst(b)?].for_each_target(|t| {
            if t.block == header {
                let s = t.args.get(index).and_then(|&n| step_of(f, iv, n));
                ok &= s.is_some() && (step.is_none() || step == s);
                step = step.or(s);
            }
        });
        if !ok {
            return None;
        }
    }
    let step = step?;
    let init = *entry.args.get(index)?;
    let (lo, hi) = iv_range(cc, step, init, bound)?;
    // The tests of affine offsets, outside the header.
    let mut checks = Vec::new();
    for &b in blocks.iter().filter(|&&b| b != header) {
        let Some(term) = f.layout.last_inst(b) else { continue };
        if let InstData::Brif { cond, .. } = &f.dfg.insts[term] {
            if let Some(check) = check_of(f, loops, lp, iv, term, *cond) {
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
    Some(Plan { header, entry_jump, blocks, iv, step, lo, hi, checks, escaping })
}

/// `branch` (on `cond`) as a test the guard can prove.
fn check_of(f: &Function, loops: &LoopAnalysis, lp: Loop, iv: Value, branch: Inst, cond: Value) -> Option<Check> {
    let inv = |v| shape(f, loops, lp, iv, v, 0) == Some(Shape::Invariant);
    // `cond` itself, or `band` of it with an invariant.
    let (test, also) = match def_inst(f, cond)? {
        InstData::Binary { op: Opcode::Band, args: [x, y], .. } if inv(*y) => (*x, Some(*y)),
        InstData::Binary { op: Opcode::Band, args: [x, y], .. } if inv(*x) => (*y, Some(*x)),
        _ => (cond, None),
    };
    let InstData::IntCompare { cond: cc, args: [x, y] } = def_inst(f, test)? else { return None };
    let (cc, off, lim) = match (shape(f, loops, lp, iv, *x, 0)?, shape(f, loops, lp, iv, *y, 0)?) {
        (Shape::Affine(_), Shape::Invariant) => (*cc, *x, *y),
        (Shape::Invariant, Shape::Affine(_)) => (swapped(*cc), *y, *x),
        _ => return None,
    };
    let Some(Shape::Affine(scale)) = shape(f, loops, lp, iv, off, 0) else { return None };
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

/// Appends `data` (with a result of type `ty`) before `before` and returns its result.
fn put(f: &mut Function, before: Inst, data: InstData, ty: Type) -> Value {
    let inst = f.dfg.make_inst(data, None);
    f.layout.insert_inst_before(inst, before);
    f.dfg.set_result(inst, ty)
}

/// Emits guard code in the preheader (before `at`): the value of `v` with the induction
/// variable replaced by `p_value` (`None`: `v` must not depend on it), recomputing
/// instructions of the loop as needed.
struct Emitter {
    at: Inst,
    memo: HashMap<(Value, Option<Value>), Value>,
}

impl Emitter {
    fn value(&mut self, f: &mut Function, blocks: &[Block], iv: Value, v: Value, p: Option<Value>) -> Value {
        if v == iv {
            if let Some(p) = p {
                return p;
            }
        }
        let inst = match f.dfg.value_def(v) {
            ValueDef::Result(i) if f.layout.inst_block(i).is_some_and(|b| blocks.contains(&b)) => i,
            _ => return v,
        };
        if let Some(&done) = self.memo.get(&(v, p)) {
            return done;
        }
        let mut data = f.dfg.insts[inst].clone();
        let mut operands = Vec::new();
        data.for_each_value(|x| operands.push(x));
        let mapped: Vec<Value> = operands.into_iter().map(|x| self.value(f, blocks, iv, x, p)).collect();
        let mut it = mapped.into_iter();
        data.map_values(|x| it.next().unwrap_or(x));
        let ty = f.dfg.value_type(v);
        let out = put(f, self.at, data, ty);
        self.memo.insert((v, p), out);
        out
    }
}

/// Rewrites `f` with the guarded copy (see the module documentation).
fn transform(f: &mut Function, plan: Plan) {
    let Plan { header, entry_jump, blocks, iv, step, lo, hi, checks, escaping } = plan;
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
    let mut em = Emitter { at: entry_jump, memo: HashMap::new() };
    let konst = |f: &mut Function, imm: i64| put(f, entry_jump, InstData::IntConst { imm }, Type::I64);
    let bin = |op, a, b| InstData::Binary { op, args: [a, b], flags: FloatFlags::NONE };
    let icmp = |cond, a, b| InstData::IntCompare { cond, args: [a, b] };
    let bound = |f: &mut Function, em: &mut Emitter, bd: Bound| {
        let v = em.value(f, &blocks, iv, bd.value, None);
        if bd.delta == 0 {
            return v;
        }
        let d = konst(f, bd.delta);
        put(f, entry_jump, bin(Opcode::Iadd, v, d), Type::I64)
    };
    let lo_v = bound(f, &mut em, lo);
    let hi_v = bound(f, &mut em, hi);
    let mut conds = vec![put(f, entry_jump, icmp(IntCC::Ule, lo_v, hi_v), Type::BOOL)];
    if step > 0 {
        let max = konst(f, 1 << 62);
        conds.push(put(f, entry_jump, icmp(IntCC::Ule, hi_v, max), Type::BOOL));
    } else {
        let s = konst(f, step.wrapping_neg());
        conds.push(put(f, entry_jump, icmp(IntCC::Uge, lo_v, s), Type::BOOL));
    }
    let mut max_scale = 1;
    for c in &checks {
        max_scale = max_scale.max(c.scale);
        let off_lo = em.value(f, &blocks, iv, c.off, Some(lo_v));
        let off_hi = em.value(f, &blocks, iv, c.off, Some(hi_v));
        let lim = em.value(f, &blocks, iv, c.lim, None);
        conds.push(put(f, entry_jump, icmp(IntCC::Ule, off_lo, off_hi), Type::BOOL));
        let cc = if c.strict { IntCC::Ult } else { IntCC::Ule };
        conds.push(put(f, entry_jump, icmp(cc, off_hi, lim), Type::BOOL));
        if let Some(a) = c.also {
            let a = em.value(f, &blocks, iv, a, None);
            conds.push(a);
        }
    }
    // `a · hi` below 2^64 for the largest multiplier (the others are its divisors or smaller).
    let limit = konst(f, (u64::MAX / max_scale) as i64);
    conds.push(put(f, entry_jump, icmp(IntCC::Ule, hi_v, limit), Type::BOOL));
    let mut ok = conds[0];
    for &c in &conds[1..] {
        ok = put(f, entry_jump, bin(Opcode::Band, ok, c), Type::BOOL);
    }
    // The blocks the copy needs: those reachable from the header once the checks are `br`s.
    let keep: HashMap<Inst, bool> = checks.iter().map(|c| (c.branch, c.keep_then)).collect();
    let mut order = reachable(f, header, &blocks, &checks);
    // Sort the copy in layout order (for readable output and fall-through).
    let layout_pos: HashMap<Block, usize> = f.layout.blocks().enumerate().map(|(i, b)| (b, i)).collect();
    order.sort_by_key(|b| layout_pos.get(b).copied().unwrap_or(usize::MAX));
    let mut bmap: HashMap<Block, Block> = HashMap::new();
    let mut vmap: HashMap<Value, Value> = HashMap::new();
    for &b in &order {
        let nb = f.dfg.make_block();
        f.layout.insert_block_before(nb, header);
        for &p in f.dfg.block_params(b).to_vec().iter() {
            let ty = f.dfg.value_type(p);
            vmap.insert(p, f.dfg.append_block_param(nb, ty));
        }
        bmap.insert(b, nb);
    }
    // Instructions first (results known), operands mapped afterwards.
    let mut copies = Vec::new();
    for &b in &order {
        let insts: Vec<Inst> = f.layout.block_insts(b).collect();
        for inst in insts {
            let data = match (&f.dfg.insts[inst], keep.get(&inst)) {
                (InstData::Brif { then_dest, .. }, Some(true)) => InstData::Jump { dest: then_dest.clone() },
                (InstData::Brif { else_dest, .. }, Some(false)) => InstData::Jump { dest: else_dest.clone() },
                (d, _) => d.clone(),
            };
            let ty = f.dfg.inst_result(inst).map(|r| f.dfg.value_type(r));
            let new = f.dfg.make_inst(data, ty);
            f.layout.append_inst(new, bmap[&b]);
            if let (Some(old), Some(nv)) = (f.dfg.inst_result(inst), f.dfg.inst_result(new)) {
                vmap.insert(old, nv);
            }
            copies.push(new);
        }
    }
    for new in copies {
        let data = &mut f.dfg.insts[new];
        data.map_values(|v| vmap.get(&v).copied().unwrap_or(v));
        data.for_each_target_mut(|t| {
            if let Some(&nb) = bmap.get(&t.block) {
                t.block = nb;
            }
        });
    }
    let InstData::Jump { dest } = f.dfg.insts[entry_jump].clone() else { return };
    f.dfg.insts[entry_jump] =
        InstData::Brif { cond: ok, then_dest: BlockCall::new(bmap[&header], dest.args.clone()), else_dest: dest };
}
