//! Loop versioning on bounds checks: a counted loop whose body checks its induction
//! variable against loop-invariant lengths gets a copy without those checks, entered only
//! when no check can fail in any iteration.
//!
//! ```text
//! pre:      ...; n' = smax(n, 0); ok = (n' <=u len_1) & ... & (n' <=u len_k)
//!           brif ok, fhead(init...), header(init...)
//! fhead(i, ...): c = icmp slt i, n; brif c, fbody, exit(args...)   ; the fast copy
//! fbody:    the body without `bounds_check i, len_j`; br fhead(next...)
//! header:   the original loop, unchanged: it runs (and traps) when some check could fail
//! ```
//!
//! Why: every iteration of a counted loop has `0 <= i < n` (the induction variable starts
//! non-negative, see [`crate::analysis::counted`]), so `n' <=u len` proves `i <u len` for
//! all of them at once. A bounds check is a second loop exit, which keeps a loop from
//! being vectorized by LLVM (tier 2); the fast copy has the single exit of the loop test
//! and the original trip count, so LLVM picks its own vector width and, when `n` is a
//! constant (a specialized kernel), knows the trip count exactly. This is the scalar
//! alternative to [`super::vectorize`] for a backend that vectorizes by itself.
//!
//! What it must not do: drop a check that could fail (only checks of the induction
//! variable itself against invariant lengths are removed, and only in the copy guarded by
//! `ok`); change the order of any other instruction; version a loop whose header
//! parameters are used outside the loop other than by the exit branch (the header no
//! longer dominates the exit). It keeps the number of back-edges per iteration, but like
//! the other loop-copying passes it is skipped when the program counts fuel.

use crate::analysis::counted::{defined_outside, CountedLoop};
use crate::analysis::loop_walk::each_counted_loop;
use crate::entities::{Block, Inst, Value};
use crate::function::Function;
use crate::instructions::{BlockCall, FloatFlags, InstData, IntCC};
use crate::module::Module;
use crate::opcode::Opcode;
use crate::types::Type;
use std::collections::HashMap;

/// Versions the counted loops of every function of `module`.
pub fn run(module: &mut Module) {
    for f in module.functions.values_mut() {
        run_function(f);
    }
}

/// Versions the counted loops of one function; returns the headers of the original loops,
/// which now only run when some bounds check may fail (a backend may compile them for
/// size rather than speed).
pub fn run_function(f: &mut Function) -> Vec<Block> {
    // The original loop of a versioned pair is entered by a `brif`, so it is no longer
    // counted and is not taken again; the copy has no checks of its induction variable left.
    let mut guarded = Vec::new();
    each_counted_loop(
        f,
        |f, round, lp, cl| {
            let lengths = checked_lengths(f, &cl, |v| defined_outside(f, round.loops, lp, v));
            (!lengths.is_empty() && !header_params_escape(f, &cl)).then_some((cl, lengths))
        },
        |f, (cl, lengths)| {
            if transform(f, &cl, &lengths).is_some() {
                guarded.push(cl.header);
            }
        },
    );
    guarded
}

/// The distinct loop-invariant lengths the body checks the induction variable against.
fn checked_lengths(f: &Function, cl: &CountedLoop, invariant: impl Fn(Value) -> bool) -> Vec<Value> {
    let mut lengths = Vec::new();
    for inst in f.layout.block_insts(cl.body) {
        if let InstData::BoundsCheck { args: [idx, len] } = f.dfg.insts[inst] {
            if idx == cl.iv && invariant(len) && !lengths.contains(&len) {
                lengths.push(len);
            }
        }
    }
    lengths
}

/// Whether a header parameter is used outside the loop other than as an argument of the
/// header's own branch (which the copy reproduces with its own parameters).
fn header_params_escape(f: &Function, cl: &CountedLoop) -> bool {
    let params = f.dfg.block_params(cl.header);
    f.layout.blocks().filter(|&b| b != cl.header && b != cl.body).any(|b| {
        f.layout.block_insts(b).any(|inst| {
            let mut uses = false;
            f.dfg.insts[inst].for_each_value(|v| uses |= params.contains(&v));
            uses
        })
    })
}

/// Appends `data` (with a result of type `ty`, if any) before `before` or at the end of
/// `block`, and returns its result.
fn put(f: &mut Function, block: Block, before: Option<Inst>, data: InstData, ty: Option<Type>) -> Option<Value> {
    let inst = f.dfg.make_inst(data, ty);
    match before {
        Some(t) => f.layout.insert_inst_before(inst, t),
        None => f.layout.append_inst(inst, block),
    }
    f.dfg.inst_result(inst)
}

/// Rewrites `f` with the guarded copy of `cl` (see the module documentation).
fn transform(f: &mut Function, cl: &CountedLoop, lengths: &[Value]) -> Option<()> {
    let InstData::Jump { dest } = &f.dfg.insts[cl.entry_jump] else { return None };
    let init = dest.args.clone();
    let InstData::Brif { then_dest, else_dest, .. } = &f.dfg.insts[cl.branch] else { return None };
    let exit_call = if then_dest.block == cl.body { else_dest.clone() } else { then_dest.clone() };
    let body_on_then = then_dest.block == cl.body;
    // ok = smax(n, 0) <=u len for every checked length.
    let (pre, at) = (cl.preheader, Some(cl.entry_jump));
    let bin = |op, a, b| InstData::Binary { op, args: [a, b], flags: FloatFlags::NONE };
    let zero = put(f, pre, at, InstData::IntConst { imm: 0 }, Some(Type::I64))?;
    let n = put(f, pre, at, bin(Opcode::Smax, cl.bound, zero), Some(Type::I64))?;
    let mut ok = None;
    for &len in lengths {
        let c = put(f, pre, at, InstData::IntCompare { cond: IntCC::Ule, args: [n, len] }, Some(Type::BOOL))?;
        ok = match ok {
            None => Some(c),
            Some(o) => put(f, pre, at, bin(Opcode::Band, o, c), Some(Type::BOOL)),
        };
    }
    let ok = ok?;
    // The copy, laid out in front of the original header.
    let fhead = f.dfg.make_block();
    let fbody = f.dfg.make_block();
    f.layout.insert_block_before(fhead, cl.header);
    f.layout.insert_block_before(fbody, cl.header);
    let header_params = f.dfg.block_params(cl.header).to_vec();
    let mut map: HashMap<Value, Value> = HashMap::new();
    for &p in &header_params {
        let ty = f.dfg.value_type(p);
        map.insert(p, f.dfg.append_block_param(fhead, ty));
    }
    let mapped = |map: &HashMap<Value, Value>, v: Value| map.get(&v).copied().unwrap_or(v);
    // fhead: the same test and branch.
    let mut test = f.dfg.insts[cl.test].clone();
    test.map_values(|v| mapped(&map, v));
    let c = put(f, fhead, None, test, Some(Type::BOOL))?;
    let exit_args: Vec<Value> = exit_call.args.iter().map(|&v| mapped(&map, v)).collect();
    let (to_body, to_exit) = (BlockCall::new(fbody, vec![]), BlockCall::new(exit_call.block, exit_args));
    let (then_dest, else_dest) = if body_on_then { (to_body, to_exit) } else { (to_exit, to_body) };
    put(f, fhead, None, InstData::Brif { cond: c, then_dest, else_dest }, None);
    // fbody: the body without the checks `ok` covers; the latch goes back to fhead.
    let body: Vec<Inst> = f.layout.block_insts(cl.body).collect();
    for inst in body {
        let mut data = f.dfg.insts[inst].clone();
        if let InstData::BoundsCheck { args: [idx, len] } = data {
            if idx == cl.iv && lengths.contains(&len) {
                continue;
            }
        }
        if inst == cl.latch_jump {
            let InstData::Jump { dest } = &data else { return None };
            let args = dest.args.iter().map(|&v| mapped(&map, v)).collect();
            data = InstData::Jump { dest: BlockCall::new(fhead, args) };
        } else {
            data.map_values(|v| mapped(&map, v));
        }
        let ty = f.dfg.inst_result(inst).map(|r| f.dfg.value_type(r));
        let new = put(f, fbody, None, data, ty);
        if let (Some(old), Some(nv)) = (f.dfg.inst_result(inst), new) {
            map.insert(old, nv);
        }
    }
    f.dfg.insts[cl.entry_jump] = InstData::Brif {
        cond: ok,
        then_dest: BlockCall::new(fhead, init.clone()),
        else_dest: BlockCall::new(cl.header, init),
    };
    Some(())
}
