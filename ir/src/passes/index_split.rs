//! Index-set splitting: a loop whose body computes `smin(C, i + c)` of its induction
//! variable `i` and a constant `C` (`c` is 0 or 1), to bound an inner loop, runs in two
//! pieces: a copy for the iterations with `i + c < C` (where the minimum is `i + c`), then
//! the original loop for the rest (where it is `C`).
//!
//! ```text
//! pre:      lim = smin bound, C - c
//!           br header'(init...)
//! header':  brif i' <s lim, body', bridge                ; the copy: smin(C, i' + c) is i' + c
//! bridge:   br header(params'...)                        ; the original's new preheader
//! header:   brif i <s bound, body, exit                  ; the original: smin(C, i + c) is C
//! ```
//!
//! Why: the FIR filter's `for k in 0..min(taps.len(), n + 1)` reaches back only to `x[0]`.
//! With the taps specialized to a constant array the inner trip count is `min(16, n + 1)`,
//! which no unroller can make constant; after the split it is `16` in every iteration but the
//! first fifteen, LLVM unrolls the inner loop completely and vectorizes across outputs.
//!
//! Why it is correct: the copy leaves only through its test, so the original loop starts
//! with `i >=s min(bound, C - c)`; in any iteration that passes `i <s bound` that means
//! `i >=s C - c`, and every latch adds one to `i`. `i <s bound` also keeps `i + 1` from
//! wrapping. In the copy, `i <s C - c` gives `i + c <s C`.
//!
//! The loop must have the shape of [`top_test`] (a header with only the test), leave only
//! from its header, have a preheader that jumps to it, and pass `i + 1` back on every
//! latch; `C - c` must not overflow; the minimum must bound an inner loop (the split pays
//! only when it makes an inner trip count constant) and the loop must have at most
//! [`MAX_LOOP_INSTS`] instructions (the split copies it).
//!
//! What it must not do: change what any iteration computes, split a loop that can be left
//! from elsewhere than its header, or split on a non-constant `C` (the copy would buy
//! nothing: the inner trip count would stay unknown). Like the other loop-copying passes it
//! is skipped when the program counts fuel.

use super::block_copy::{copy_blocks, insert_before};
use crate::analysis::counted::{top_test, TopTest};
use crate::analysis::loop_walk::each_loop;
use crate::analysis::ranges::const_i64;
use crate::analysis::{ControlFlowGraph, Loop, LoopAnalysis};
use crate::entities::{Block, Inst, Value};
use crate::function::Function;
use crate::instructions::{BlockCall, FloatFlags, InstData, IntCC};
use crate::module::Module;
use crate::opcode::Opcode;
use crate::types::Type;
use crate::ValueDef;

/// Loops with more instructions than this are not split (code size).
pub const MAX_LOOP_INSTS: usize = 400;

/// Splits the loops of every function of `module`.
pub fn run(module: &mut Module) {
    for f in module.functions.values_mut() {
        run_function(f);
    }
}

/// Splits the loops of one function.
pub fn run_function(f: &mut Function) {
    each_loop(f, |f, round, lp| plan(f, round.cfg, round.loops, lp), transform);
}

/// A loop this pass will split.
struct Plan {
    header: Block,
    entry_jump: Inst,
    blocks: Vec<Block>,
    top: TopTest,
    /// The `smin` and its two operands: the constant `C` and `i + c`.
    min: Value,
    constant: Value,
    offset_iv: Value,
    /// `C - c`: the first iteration of the original loop.
    split: i64,
}

fn plan(f: &Function, cfg: &ControlFlowGraph, loops: &LoopAnalysis, lp: Loop) -> Option<Plan> {
    let header = loops.header(lp);
    let blocks = loops.blocks(lp).to_vec();
    let size: usize = blocks.iter().map(|&b| f.layout.block_insts(b).count()).sum();
    if size > MAX_LOOP_INSTS || loops.children(lp).next().is_none() {
        return None;
    }
    let top = top_test(f, loops, lp)?;
    if loops.exit_edges(lp, cfg).iter().any(|&(from, _)| from != header) {
        return None;
    }
    let entry_jump = f.terminator(loops.preheader(lp, cfg)?)?;
    if !matches!(f.dfg.insts[entry_jump], InstData::Jump { .. }) {
        return None;
    }
    for &latch in loops.latches(lp) {
        let InstData::Jump { dest } = &f.dfg.insts[f.terminator(latch)?] else { return None };
        if dest.block != header || offset_of(f, *dest.args.get(top.iv_index)?, top.iv) != Some(1) {
            return None;
        }
    }
    for &b in &blocks {
        for inst in f.layout.block_insts(b) {
            let InstData::Binary { op: Opcode::Smin, args: [a, b2], .. } = f.dfg.insts[inst] else { continue };
            let Some(min) = f.dfg.inst_result(inst) else { continue };
            let (constant, offset_iv, big_c, c) = match (const_i64(f, a), const_i64(f, b2)) {
                (Some(k), None) => (a, b2, k, offset_of(f, b2, top.iv)),
                (None, Some(k)) => (b2, a, k, offset_of(f, a, top.iv)),
                _ => continue,
            };
            let Some(c) = c else { continue };
            let Some(split) = big_c.checked_sub(c) else { continue };
            if bounds_inner_loop(f, loops, lp, min) {
                return Some(Plan { header, entry_jump, blocks, top, min, constant, offset_iv, split });
            }
        }
    }
    None
}

/// `c` when `v` is `iv` (0) or `iv + 1` (1).
fn offset_of(f: &Function, v: Value, iv: Value) -> Option<i64> {
    if v == iv {
        return Some(0);
    }
    let ValueDef::Result(i) = f.dfg.value_def(v) else { return None };
    let InstData::Binary { op: Opcode::Iadd, args: [x, y], .. } = f.dfg.insts[i] else { return None };
    let one = (x == iv && const_i64(f, y) == Some(1)) || (y == iv && const_i64(f, x) == Some(1));
    one.then_some(1)
}

/// Whether `v` is compared in the header of a loop nested in `lp`.
fn bounds_inner_loop(f: &Function, loops: &LoopAnalysis, lp: Loop, v: Value) -> bool {
    loops.loops().filter(|&inner| inner != lp && loops.is_nested_in(inner, lp)).any(|inner| {
        f.layout.block_insts(loops.header(inner)).any(|i| match f.dfg.insts[i] {
            InstData::IntCompare { args: [a, b], .. } => a == v || b == v,
            _ => false,
        })
    })
}

/// Rewrites `f` as the module documentation shows.
fn transform(f: &mut Function, plan: Plan) {
    let Plan { header, entry_jump, blocks, top, min, constant, offset_iv, split } = plan;
    let split_v = insert_before(f, entry_jump, InstData::IntConst { imm: split }, Type::I64);
    let bin = InstData::Binary { op: Opcode::Smin, args: [top.bound, split_v], flags: FloatFlags::NONE };
    let lim = insert_before(f, entry_jump, bin, Type::I64);
    // The copy, laid out before the original header, in the original's layout order,
    // without the header's test and branch (made anew below).
    let order: Vec<Block> = f.layout.blocks().filter(|b| blocks.contains(b)).collect();
    let mut copy = copy_blocks(f, &order, header, |f, inst| {
        (inst != top.test && inst != top.branch).then(|| f.dfg.insts[inst].clone())
    });
    // In the copy the minimum is `i + c` (the copy's own `i + c`, defined in the loop).
    if let Some(&copied) = copy.values.get(&offset_iv) {
        copy.values.insert(min, copied);
    }
    copy.remap(f);
    let (Some(&copy_header), Some(&copy_inside), Some(&iv)) =
        (copy.blocks.get(&header), copy.blocks.get(&top.inside), copy.values.get(&top.iv))
    else {
        return;
    };
    let test = f.dfg.make_inst(InstData::IntCompare { cond: IntCC::Slt, args: [iv, lim] }, Some(Type::BOOL));
    f.layout.append_inst(test, copy_header);
    let cond = f.dfg.inst_result(test).unwrap_or(iv);
    // The copy leaves through a block of its own that only jumps to the original header:
    // the original loop keeps a preheader, which the loop passes after this one (unroll,
    // vectorize) need to recognize it as a counted loop.
    let params = f.dfg.block_params(copy_header).to_vec();
    let bridge = f.dfg.make_block();
    f.layout.insert_block_before(bridge, header);
    let jump = f.dfg.make_inst(InstData::Jump { dest: BlockCall::new(header, params) }, None);
    f.layout.append_inst(jump, bridge);
    let branch = InstData::Brif {
        cond,
        then_dest: BlockCall::new(copy_inside, Vec::new()),
        else_dest: BlockCall::new(bridge, Vec::new()),
    };
    let branch = f.dfg.make_inst(branch, None);
    f.layout.append_inst(branch, copy_header);
    // The original loop now only runs iterations with `i + c >= C`.
    for &b in &order {
        let insts: Vec<Inst> = f.layout.block_insts(b).collect();
        for inst in insts {
            f.dfg.insts[inst].map_values(|v| if v == min { constant } else { v });
        }
    }
    if let InstData::Jump { dest } = &mut f.dfg.insts[entry_jump] {
        dest.block = copy_header;
    }
}
