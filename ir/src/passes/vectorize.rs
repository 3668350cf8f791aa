//! Loop vectorization to 128-bit vectors (4 × 32-bit or 2 × 64-bit lanes).
//!
//! A counted loop (see [`crate::analysis::counted`]) whose body is straight-line lane-wise
//! arithmetic on unit-stride loads and stores `x[i]` (and loads `x[i ± c]`) gets a vector
//! copy in front of it:
//!
//! ```text
//! pre:      ...; limit = (largest vi such that lanes vi .. vi+V-1 pass every test)
//!           br vhead(init, splat(identity)...)
//! vhead(vi, vacc...): brif (vi <s limit), vbody, vexit
//! vbody:    the body on V lanes at once; br vhead(vi + V, vacc'...)
//! vexit:    acc = acc0 op (lanes of vacc combined); br header(vi, acc...)
//! header:   the original loop, unchanged: it runs the remaining iterations (the epilogue)
//! ```
//!
//! The vector loop only runs a group of V iterations when every scalar iteration of the
//! group would pass the loop test and every bounds check left in the body (the checks
//! become part of `limit`). So the vector loop never traps: an iteration that would trap
//! runs in the scalar epilogue, which traps with the same code after exactly the same
//! stores, and the memory state at the trap is the scalar loop's.
//!
//! Legality:
//! - every load and store is `base + i * size` with `size` its type's width and `base`
//!   an entry parameter (a slice pointer) or a data object; when the loop stores, all
//!   accesses have the same width, so lane k of every access touches element `i + k` of
//!   its buffer: no iteration reads what a different iteration writes (`x[i] = x[i-1]`
//!   is an offset, not `i * size`, and is rejected). Distinct slice parameters are
//!   assumed not to overlap unless they are the same slice (no frontend makes sub-slices);
//! - a load may also be at `base + (i ± c) * size` (constant `c`; `x[n - k]` of a FIR once
//!   its taps are unrolled) when the loop stores nothing to that `base`: lane k then reads
//!   element `i + k ± c`, which is what scalar iteration `i + k` reads, and no lane writes
//!   it. Stores stay at `i`;
//! - every other body instruction is a lane-wise pure operation, a bounds check of `i`
//!   against a loop-invariant length, or the increment; `i` has no other use;
//! - a carried value other than `i` is a reduction `acc = acc op x` used nowhere else:
//!   `iadd band bor bxor smin smax umin umax fmin fmax` (exact in any order), and `fadd` /
//!   `fmul` only with the `reassoc` flag (`#[fastmath]`), since reordering changes results.
//!
//! What it must not do: run when the program counts fuel (the vector loop takes fewer
//! back-edges; the pass manager skips it then, see `PassOptions::keep_fuel`), vectorize
//! a strict float reduction, or execute any scalar iteration's memory access that the
//! scalar loop would not (the limit check guarantees it).

use crate::analysis::counted::{defined_outside, CountedLoop};
use crate::analysis::loop_walk::each_counted_loop;
use crate::analysis::{Loop, LoopAnalysis};
use crate::entities::{Block, Inst, Value};
use crate::function::Function;
use crate::instructions::{BlockCall, FloatFlags, InstData, IntCC};
use crate::module::Module;
use crate::opcode::Opcode;
use crate::types::{LaneType, Type};
use crate::ValueDef;
use std::collections::HashMap;

/// Vector width in bits.
const VECTOR_BITS: u32 = 128;

/// Vectorizes the counted loops of every function of `module`.
pub fn run(module: &mut Module) {
    for f in module.functions.values_mut() {
        run_function(f);
    }
}

/// Vectorizes the counted loops of one function.
pub fn run_function(f: &mut Function) {
    each_counted_loop(
        f,
        |f, round, lp, cl| analyze(f, round.loops, lp, &cl).map(|p| (cl, p)),
        |f, (cl, p)| transform(f, &cl, &p),
    );
}

/// Whether this pass would vectorize the counted loop `cl` (the loop `lp` of `f`); the
/// unroller leaves such loops alone.
pub fn is_vectorizable(f: &Function, loops: &LoopAnalysis, lp: Loop, cl: &CountedLoop) -> bool {
    analyze(f, loops, lp, cl).is_some()
}

/// How a body instruction is rewritten.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// Dropped: a bounds check folded into the limit, or the increment.
    Drop,
    /// `i * size` (or `i << k`), or `(i ± c) * size`: recomputed from the vector loop's `vi`.
    Offset,
    /// `i + c` or `i - c` (constant `c`), only scaled into load offsets: recomputed from `vi`.
    Shifted,
    /// A load, store or lane-wise operation on V lanes.
    Vector,
    /// A pure operation on loop-invariant values: copied as a scalar.
    Uniform,
}

/// A reduction: header parameter `index` is `acc`, the body computes `update = op(acc, x)`.
#[derive(Clone, Debug)]
struct Reduction {
    index: usize,
    op: Opcode,
    flags: FloatFlags,
    ty: Type,
    update: Inst,
}

/// What [`analyze`] found: the lane count, each body instruction's rewrite, the lengths
/// checked against `i`, and the reductions.
#[derive(Clone, Debug)]
struct Plan {
    lanes: u32,
    kinds: Vec<(Inst, Kind)>,
    lengths: Vec<Value>,
    reductions: Vec<Reduction>,
}

fn inst_of(f: &Function, v: Value) -> Option<Inst> {
    match f.dfg.value_def(v) {
        ValueDef::Result(i) => Some(i),
        _ => None,
    }
}

/// Whether `op` is a lane-wise pure operation the vectorizer may widen.
fn lane_wise(op: Opcode) -> bool {
    use Opcode::*;
    matches!(
        op,
        Iadd | Isub
            | Imul
            | Ineg
            | Smin
            | Smax
            | Umin
            | Umax
            | Band
            | Bor
            | Bxor
            | Bnot
            | Fadd
            | Fsub
            | Fmul
            | Fdiv
            | Fmin
            | Fmax
            | Fcopysign
            | Fneg
            | Fabs
            | Fsqrt
            | Ffloor
            | Fceil
            | Ftrunc
            | Fnearest
            | Fma
            | Select
            | Icmp
            | Fcmp
            | Bitcast
            | Sitofp
            | Fptosi
    )
}

/// The reduction's identity element as a scalar constant instruction of type `ty`.
fn identity(op: Opcode, ty: Type) -> Option<InstData> {
    use Opcode::*;
    let bits = ty.lane_bits();
    let (min, max) = if bits == 64 { (i64::MIN, i64::MAX) } else { (-(1i64 << (bits - 1)), (1i64 << (bits - 1)) - 1) };
    let float = |x: f64| {
        if ty.lane() == LaneType::F32 {
            InstData::FloatConst { bits: u64::from((x as f32).to_bits()) }
        } else {
            InstData::FloatConst { bits: x.to_bits() }
        }
    };
    Some(match op {
        Iadd | Bor | Bxor | Umax => InstData::IntConst { imm: 0 },
        Band | Umin => InstData::IntConst { imm: -1 },
        Smin => InstData::IntConst { imm: max },
        Smax => InstData::IntConst { imm: min },
        Fadd => float(-0.0),
        Fmul => float(1.0),
        Fmin => float(f64::INFINITY),
        Fmax => float(f64::NEG_INFINITY),
        _ => return None,
    })
}

/// Decides whether the counted loop `cl` can be vectorized, and how.
fn analyze(f: &Function, loops: &LoopAnalysis, lp: Loop, cl: &CountedLoop) -> Option<Plan> {
    let body: Vec<Inst> = f.layout.block_insts(cl.body).collect();
    let header_params = f.dfg.block_params(cl.header).to_vec();
    let InstData::Jump { dest } = &f.dfg.insts[cl.latch_jump] else { return None };
    let latch_args = dest.args.clone();
    // Uses of every value inside the body (operands and the latch's arguments).
    let mut uses: HashMap<Value, Vec<Inst>> = HashMap::new();
    for &inst in &body {
        f.dfg.insts[inst].for_each_value(|v| uses.entry(v).or_default().push(inst));
    }
    // Header parameters other than the induction variable must be reductions.
    let mut reductions = Vec::new();
    for (k, &p) in header_params.iter().enumerate() {
        if k == cl.iv_index {
            continue;
        }
        let update = *latch_args.get(k)?;
        let ui = inst_of(f, update)?;
        let InstData::Binary { op, args: [a, b], flags } = f.dfg.insts[ui] else { return None };
        let ty = f.dfg.value_type(p);
        let other = if a == p { b } else { a };
        let exact = matches!(
            op,
            Opcode::Iadd
                | Opcode::Band
                | Opcode::Bor
                | Opcode::Bxor
                | Opcode::Smin
                | Opcode::Smax
                | Opcode::Umin
                | Opcode::Umax
        ) && ty.is_int()
            || matches!(op, Opcode::Fmin | Opcode::Fmax) && ty.is_float();
        let fast = matches!(op, Opcode::Fadd | Opcode::Fmul) && ty.is_float() && flags.contains(FloatFlags::REASSOC);
        let ok = (exact || fast)
            && ty.is_scalar()
            && f.layout.inst_block(ui) == Some(cl.body)
            && (a == p) != (b == p)
            && other != p
            && uses.get(&p).map(Vec::as_slice) == Some(&[ui][..])
            && uses.get(&update).map(Vec::as_slice) == Some(&[cl.latch_jump][..]);
        if !ok {
            return None;
        }
        reductions.push(Reduction { index: k, op, flags, ty, update: ui });
    }
    // Classify the body.
    let mut kinds: Vec<(Inst, Kind)> = Vec::new();
    let mut kind_of: HashMap<Value, Kind> = HashMap::new();
    for r in &reductions {
        kind_of.insert(header_params[r.index], Kind::Vector);
    }
    let mut lengths = Vec::new();
    let mut lane_bits: Option<u32> = None;
    let mut stored = false;
    // Bases loaded at a shifted index, and bases stored to: a buffer read at `i + c` must
    // not be written in the loop (lane k would read what lane k + c writes, or wrote).
    let mut shifted_bases: Vec<Value> = Vec::new();
    let mut stored_bases: Vec<Value> = Vec::new();
    let mut access_bits: Vec<u32> = Vec::new();
    let invariant = |v: Value| defined_outside(f, loops, lp, v);
    let operand_kind = |v: Value, kind_of: &HashMap<Value, Kind>| -> Option<Kind> {
        if invariant(v) {
            return Some(Kind::Uniform);
        }
        kind_of.get(&v).copied()
    };
    for &inst in &body {
        if inst == cl.latch_jump {
            continue;
        }
        let data = &f.dfg.insts[inst];
        let result = f.dfg.inst_result(inst);
        let kind = match data {
            InstData::BoundsCheck { args: [idx, len] } => {
                if *idx != cl.iv || !invariant(*len) {
                    return None;
                }
                lengths.push(*len);
                Kind::Drop
            }
            _ if result == Some(cl.next) => Kind::Drop,
            InstData::Binary { op: Opcode::Iadd | Opcode::Isub, .. } if shifted_iv(f, cl, inst) => Kind::Shifted,
            InstData::Binary { op: op @ (Opcode::Imul | Opcode::Shl), args: [a, b], .. }
                if *a == cl.iv || (*b == cl.iv && *op == Opcode::Imul) =>
            {
                let other = if *a == cl.iv { *b } else { *a };
                crate::analysis::ranges::const_i64(f, other)?;
                Kind::Offset
            }
            InstData::Binary { op: Opcode::Imul, args: [a, b], .. }
                if kind_of.get(a) == Some(&Kind::Shifted) || kind_of.get(b) == Some(&Kind::Shifted) =>
            {
                let other = if kind_of.get(a) == Some(&Kind::Shifted) { *b } else { *a };
                crate::analysis::ranges::const_i64(f, other)?;
                Kind::Offset
            }
            InstData::Load { args: [base, off] } => {
                let ty = f.dfg.value_type(result?);
                if check_access(f, cl, *base, *off, ty, &invariant)? == Index::Shifted {
                    shifted_bases.push(*base);
                }
                access_bits.push(ty.lane_bits());
                note_bits(&mut lane_bits, ty)?;
                Kind::Vector
            }
            InstData::Store { args: [base, off, v] } => {
                let ty = f.dfg.value_type(*v);
                // Stores only at `i`: a shifted store would write what another lane reads.
                (check_access(f, cl, *base, *off, ty, &invariant)? == Index::Iv).then_some(())?;
                stored_bases.push(*base);
                operand_kind(*v, &kind_of).filter(|k| matches!(k, Kind::Vector | Kind::Uniform))?;
                access_bits.push(ty.lane_bits());
                note_bits(&mut lane_bits, ty)?;
                stored = true;
                Kind::Vector
            }
            _ => {
                let op = data.opcode();
                let res = result?;
                let mut any_vector = false;
                for &a in data.args() {
                    match operand_kind(a, &kind_of)? {
                        Kind::Vector => any_vector = true,
                        Kind::Uniform => {}
                        Kind::Drop | Kind::Offset | Kind::Shifted => return None,
                    }
                }
                if !op.is_pure() {
                    return None;
                }
                if !any_vector {
                    Kind::Uniform
                } else {
                    if !lane_wise(op) {
                        return None;
                    }
                    let ty = f.dfg.value_type(res);
                    if ty.is_vector() {
                        return None;
                    }
                    if ty.lane() != LaneType::Bool {
                        note_bits(&mut lane_bits, ty)?;
                    }
                    for &a in data.args() {
                        let at = f.dfg.value_type(a);
                        if at.is_vector() || (at.lane() != LaneType::Bool && !at.is_int() && !at.is_float()) {
                            return None;
                        }
                        if at.lane() != LaneType::Bool {
                            note_bits(&mut lane_bits, at)?;
                        }
                    }
                    Kind::Vector
                }
            }
        };
        if let Some(r) = result {
            kind_of.insert(r, kind);
        }
        kinds.push((inst, kind));
    }
    // The induction variable: only bounds checks, offsets and the increment may use it;
    // offsets only as load/store offsets.
    for &inst in uses.get(&cl.iv).map(Vec::as_slice).unwrap_or(&[]) {
        let k = kinds.iter().find(|(i, _)| *i == inst).map(|(_, k)| *k);
        let is_next = f.dfg.inst_result(inst) == Some(cl.next);
        if !(is_next || matches!(k, Some(Kind::Drop | Kind::Offset | Kind::Shifted))) {
            return None;
        }
    }
    if shifted_bases.iter().any(|b| stored_bases.contains(b)) {
        return None;
    }
    for &(inst, k) in &kinds {
        let Some(value) = f.dfg.inst_result(inst) else { continue };
        let users = uses.get(&value).map(Vec::as_slice).unwrap_or(&[]);
        match k {
            // Only scaled into an offset.
            Kind::Shifted if !users.iter().all(|&u| kinds.iter().any(|&(i, k)| i == u && k == Kind::Offset)) => {
                return None;
            }
            Kind::Offset => {
                for &u in users {
                    let ok = match f.dfg.insts[u] {
                        InstData::Load { args: [_, o] } => o == value,
                        InstData::Store { args: [_, o, v] } => o == value && v != value,
                        _ => false,
                    };
                    if !ok {
                        return None;
                    }
                }
            }
            _ => {}
        }
    }
    // The next value is only passed back.
    if uses.get(&cl.next).map(Vec::as_slice) != Some(&[cl.latch_jump][..]) {
        return None;
    }
    if stored && access_bits.windows(2).any(|w| w[0] != w[1]) {
        return None;
    }
    let bits = lane_bits?;
    let lanes = VECTOR_BITS / bits;
    if crate::analysis::ranges::const_i64(f, cl.bound).is_some_and(|n| n < i64::from(lanes)) {
        return None;
    }
    if access_bits.is_empty() {
        return None;
    }
    for r in &reductions {
        if r.ty.lane_bits() != bits {
            return None;
        }
    }
    Some(Plan { lanes, kinds, lengths, reductions })
}

/// Records the lane width of a vectorized value; all must agree.
fn note_bits(bits: &mut Option<u32>, ty: Type) -> Option<()> {
    let b = ty.lane_bits();
    if !(b == 32 || b == 64) || ty.is_vector() {
        return None;
    }
    match bits {
        Some(x) if *x != b => None,
        Some(_) => Some(()),
        None => {
            *bits = Some(b);
            Some(())
        }
    }
}

/// Which element of its buffer lane 0 of an access touches.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Index {
    /// Element `i`.
    Iv,
    /// Element `i + c` for a constant `c` (loads only).
    Shifted,
}

/// Whether `inst` is `i + c`, `c + i` or `i - c` for a constant `c` (and not the loop's
/// increment).
fn shifted_iv(f: &Function, cl: &CountedLoop, inst: Inst) -> bool {
    let InstData::Binary { op, args: [a, b], .. } = f.dfg.insts[inst] else { return false };
    let c = |v| crate::analysis::ranges::const_i64(f, v).is_some();
    f.dfg.inst_result(inst) != Some(cl.next)
        && match op {
            Opcode::Iadd => (a == cl.iv && c(b)) || (b == cl.iv && c(a)),
            Opcode::Isub => a == cl.iv && c(b),
            _ => false,
        }
}

/// A load or store at `base + off` of `ty`: `off` is `i * size(ty)` or `(i ± c) * size(ty)`,
/// `base` an entry parameter or a data object.
fn check_access(
    f: &Function,
    cl: &CountedLoop,
    base: Value,
    off: Value,
    ty: Type,
    invariant: &dyn Fn(Value) -> bool,
) -> Option<Index> {
    if ty.is_vector() || !(ty.is_int() || ty.is_float()) || !invariant(base) {
        return None;
    }
    let base_ok = match f.dfg.value_def(base) {
        ValueDef::Param(b, _) => Some(b) == f.entry_block(),
        ValueDef::Result(i) => matches!(f.dfg.insts[i], InstData::DataAddr { .. }),
        ValueDef::Detached => false,
    };
    if !base_ok {
        return None;
    }
    let size = i64::from(ty.lane_bits() / 8);
    let oi = inst_of(f, off)?;
    let InstData::Binary { op, args: [a, b], .. } = f.dfg.insts[oi] else { return None };
    let c = |v| crate::analysis::ranges::const_i64(f, v);
    let shifted = |v| inst_of(f, v).is_some_and(|i| shifted_iv(f, cl, i));
    match op {
        Opcode::Imul if (a == cl.iv && c(b) == Some(size)) || (b == cl.iv && c(a) == Some(size)) => Some(Index::Iv),
        Opcode::Shl if a == cl.iv && c(b).is_some_and(|k| (0..63).contains(&k) && 1i64 << k == size) => Some(Index::Iv),
        Opcode::Imul if (shifted(a) && c(b) == Some(size)) || (shifted(b) && c(a) == Some(size)) => {
            Some(Index::Shifted)
        }
        _ => None,
    }
}

/// Builds instructions at the end of a block (before its terminator, if it has one).
struct Cursor {
    block: Block,
    before: Option<Inst>,
}

impl Cursor {
    fn ins(&self, f: &mut Function, data: InstData, ty: Option<Type>) -> Option<Value> {
        let inst = f.dfg.make_inst(data, ty);
        match self.before {
            Some(t) => f.layout.insert_inst_before(inst, t),
            None => f.layout.append_inst(inst, self.block),
        }
        f.dfg.inst_result(inst)
    }
    fn iconst(&self, f: &mut Function, imm: i64) -> Value {
        self.ins(f, InstData::IntConst { imm }, Some(Type::I64)).unwrap_or_else(|| unreachable!())
    }
    fn val(&self, f: &mut Function, data: InstData, ty: Type) -> Value {
        // Every call passes a result type, so there is a result.
        self.ins(f, data, Some(ty)).unwrap_or_else(|| unreachable!())
    }
}

fn bin(op: Opcode, a: Value, b: Value) -> InstData {
    InstData::Binary { op, args: [a, b], flags: FloatFlags::NONE }
}

/// Rewrites `f` with the vector loop in front of `cl` (see the module documentation).
fn transform(f: &mut Function, cl: &CountedLoop, plan: &Plan) {
    let v = plan.lanes;
    let vl = i64::from(v);
    let pre = Cursor { block: cl.preheader, before: Some(cl.entry_jump) };
    // limit: the vector loop runs while vi <s limit.
    let min = pre.iconst(f, i64::MIN);
    let max = pre.iconst(f, i64::MAX);
    let zero = pre.iconst(f, 0);
    let vm1 = pre.iconst(f, vl - 1);
    let t = pre.val(f, bin(Opcode::Isub, cl.bound, vm1), Type::I64);
    let no_wrap = pre.val(f, InstData::IntCompare { cond: IntCC::Slt, args: [t, cl.bound] }, Type::BOOL);
    let mut limit = pre.val(
        f,
        InstData::Ternary { op: Opcode::Select, args: [no_wrap, t, min], flags: FloatFlags::NONE },
        Type::I64,
    );
    let mut seen = Vec::new();
    for &len in &plan.lengths {
        if seen.contains(&len) {
            continue;
        }
        seen.push(len);
        let tl = pre.val(f, bin(Opcode::Isub, len, vm1), Type::I64);
        let big = pre.val(f, InstData::IntCompare { cond: IntCC::Uge, args: [len, vm1] }, Type::BOOL);
        let bl = pre.val(
            f,
            InstData::Ternary { op: Opcode::Select, args: [big, tl, zero], flags: FloatFlags::NONE },
            Type::I64,
        );
        let huge = pre.val(f, InstData::IntCompare { cond: IntCC::Slt, args: [bl, zero] }, Type::BOOL);
        let bl = pre.val(
            f,
            InstData::Ternary { op: Opcode::Select, args: [huge, max, bl], flags: FloatFlags::NONE },
            Type::I64,
        );
        limit = pre.val(f, bin(Opcode::Smin, limit, bl), Type::I64);
    }
    // Initial arguments of the header, from the preheader's jump.
    let InstData::Jump { dest } = &f.dfg.insts[cl.entry_jump] else { return };
    let init = dest.args.clone();
    // New blocks, laid out in front of the header.
    let vhead = f.dfg.make_block();
    let vbody = f.dfg.make_block();
    let vexit = f.dfg.make_block();
    for b in [vhead, vbody, vexit] {
        f.layout.insert_block_before(b, cl.header);
    }
    let vi = f.dfg.append_block_param(vhead, Type::I64);
    let mut vacc = Vec::new();
    let mut vinit = Vec::new();
    for r in &plan.reductions {
        let vty = r.ty.with_lanes(v).unwrap_or(r.ty);
        let id = identity(r.op, r.ty).unwrap_or(InstData::IntConst { imm: 0 });
        let s = pre.val(f, id, r.ty);
        vinit.push(pre.val(f, InstData::Unary { op: Opcode::Splat, arg: s, flags: FloatFlags::NONE }, vty));
        vacc.push(f.dfg.append_block_param(vhead, vty));
    }
    let mut entry_args = vec![init.get(cl.iv_index).copied().unwrap_or(zero)];
    entry_args.extend(vinit);
    f.dfg.insts[cl.entry_jump] = InstData::Jump { dest: BlockCall::new(vhead, entry_args) };
    // The vector loop's test.
    let head = Cursor { block: vhead, before: None };
    let go = head.val(f, InstData::IntCompare { cond: IntCC::Slt, args: [vi, limit] }, Type::BOOL);
    head.ins(
        f,
        InstData::Brif { cond: go, then_dest: BlockCall::new(vbody, vec![]), else_dest: BlockCall::new(vexit, vec![]) },
        None,
    );
    // The body on V lanes.
    let bodyc = Cursor { block: vbody, before: None };
    let mut map: HashMap<Value, Value> = HashMap::new();
    let mut splats: HashMap<Value, Value> = HashMap::new();
    map.insert(cl.iv, vi);
    let header_params = f.dfg.block_params(cl.header).to_vec();
    for (r, &acc) in plan.reductions.iter().zip(&vacc) {
        map.insert(header_params[r.index], acc);
    }
    for &(inst, kind) in &plan.kinds {
        let mut data = f.dfg.insts[inst].clone();
        let result = f.dfg.inst_result(inst);
        match kind {
            Kind::Drop => continue,
            Kind::Offset | Kind::Shifted | Kind::Uniform => {
                data.map_values(|x| map.get(&x).copied().unwrap_or(x));
                let ty = result.map(|r| f.dfg.value_type(r));
                if let (Some(nv), Some(r)) = (bodyc.ins(f, data, ty), result) {
                    map.insert(r, nv);
                }
            }
            Kind::Vector => {
                // Operands: vector values map directly; uniform scalars are splatted (in
                // the preheader when invariant, else in the body). Load/store addresses stay
                // scalar.
                let is_mem = matches!(data, InstData::Load { .. } | InstData::Store { .. });
                let args: Vec<Value> = data.args().to_vec();
                let mut new_args = Vec::with_capacity(args.len());
                for (k, &a) in args.iter().enumerate() {
                    let scalar_slot = is_mem && k < 2;
                    let mapped = map.get(&a).copied();
                    let nv = match mapped {
                        Some(m) if scalar_slot || f.dfg.value_type(m).is_vector() => m,
                        _ if scalar_slot => a,
                        other => {
                            let s = other.unwrap_or(a);
                            let sty = f.dfg.value_type(s);
                            let vty = sty.with_lanes(v).unwrap_or(sty);
                            let splat = InstData::Unary { op: Opcode::Splat, arg: s, flags: FloatFlags::NONE };
                            if other.is_none() {
                                *splats.entry(a).or_insert_with(|| pre.val(f, splat, vty))
                            } else {
                                bodyc.val(f, splat, vty)
                            }
                        }
                    };
                    new_args.push(nv);
                }
                data.args_mut().copy_from_slice(&new_args);
                let ty = result.map(|r| {
                    let t = f.dfg.value_type(r);
                    t.with_lanes(v).unwrap_or(t)
                });
                if let (Some(nv), Some(r)) = (bodyc.ins(f, data, ty), result) {
                    map.insert(r, nv);
                }
            }
        }
    }
    let step = bodyc.iconst(f, vl);
    let vnext = bodyc.val(f, bin(Opcode::Iadd, vi, step), Type::I64);
    let mut back = vec![vnext];
    for r in &plan.reductions {
        let upd = f.dfg.inst_result(r.update).and_then(|u| map.get(&u).copied()).unwrap_or(vnext);
        back.push(upd);
    }
    bodyc.ins(f, InstData::Jump { dest: BlockCall::new(vhead, back) }, None);
    // The exit: combine the lanes into each accumulator and continue in the scalar loop.
    let exitc = Cursor { block: vexit, before: None };
    let mut args: Vec<Value> = init.clone();
    if let Some(a) = args.get_mut(cl.iv_index) {
        *a = vi;
    }
    for (r, &acc) in plan.reductions.iter().zip(&vacc) {
        let lane = |k: u32| InstData::ExtractLane { arg: acc, lane: k as u8 };
        let mut total = exitc.val(f, lane(0), r.ty);
        for k in 1..v {
            let x = exitc.val(f, lane(k), r.ty);
            total = exitc.val(f, InstData::Binary { op: r.op, args: [total, x], flags: r.flags }, r.ty);
        }
        let start = init.get(r.index).copied().unwrap_or(total);
        let combined = exitc.val(f, InstData::Binary { op: r.op, args: [start, total], flags: r.flags }, r.ty);
        if let Some(a) = args.get_mut(r.index) {
            *a = combined;
        }
    }
    exitc.ins(f, InstData::Jump { dest: BlockCall::new(cl.header, args) }, None);
}
