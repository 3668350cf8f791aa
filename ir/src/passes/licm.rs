//! Loop-invariant code motion.
//!
//! Moves instructions that compute the same value on every iteration out of natural loops
//! (found by [`LoopAnalysis`]) into the loop's preheader, innermost loops first so that an
//! instruction can climb several levels. An instruction is invariant when its opcode is
//! `PURE` (no side effects, cannot trap) and every operand is defined outside the loop or
//! by an instruction already hoisted. Where a loop has no preheader (several entering
//! edges, or a conditional one) one is created first: a new block with the header's
//! parameter types that branches to the header, and every entering edge is redirected to
//! it with its arguments unchanged.
//!
//! What it must not do: hoist anything that may trap or touches memory (`load`,
//! `bounds_check`, `sdiv`, calls): hoisting would execute it on paths where the loop body
//! would not, and a load may see a store made inside the loop. Pure instructions are
//! speculated freely (they may be in a block that not every iteration runs).
//! See Muchnick, *Advanced Compiler Design and Implementation*, §13.2.

use crate::analysis::{ControlFlowGraph, DominatorTree, Loop, LoopAnalysis};
use crate::entities::{Block, Inst, SecondaryMap, Value};
use crate::function::Function;
use crate::instructions::{BlockCall, InstData};
use crate::module::Module;
use crate::ValueDef;

/// Hoists the invariant code of every function of `module`.
pub fn run(module: &mut Module) {
    for f in module.functions.values_mut() {
        run_function(f);
    }
}

/// Hoists the invariant code of one function.
pub fn run_function(f: &mut Function) {
    if f.entry_block().is_none() {
        return;
    }
    // Create the missing preheaders one at a time, recomputing the analyses after each.
    let mut guard = f.layout.blocks().count() + 1;
    loop {
        let cfg = ControlFlowGraph::with_function(f);
        let domtree = DominatorTree::with_function(f, &cfg);
        let loops = LoopAnalysis::with_function(f, &cfg, &domtree);
        let missing = loops.loops().find(|&lp| loops.preheader(lp, &cfg).is_none());
        match missing {
            Some(lp) if guard > 0 => {
                create_preheader(f, &loops, &cfg, lp);
                guard -= 1;
            }
            _ => break,
        }
    }
    let cfg = ControlFlowGraph::with_function(f);
    let domtree = DominatorTree::with_function(f, &cfg);
    let loops = LoopAnalysis::with_function(f, &cfg, &domtree);
    for lp in loops.loops().rev() {
        let Some(pre) = loops.preheader(lp, &cfg) else { continue };
        hoist(f, &loops, &domtree, lp, pre);
    }
}

/// Creates a preheader for `lp` and redirects the edges entering it there.
fn create_preheader(f: &mut Function, loops: &LoopAnalysis, cfg: &ControlFlowGraph, lp: Loop) {
    let header = loops.header(lp);
    let pre = f.dfg.make_block();
    let types: Vec<_> = f.dfg.block_params(header).iter().map(|&p| f.dfg.value_type(p)).collect();
    let params: Vec<Value> = types.into_iter().map(|ty| f.dfg.append_block_param(pre, ty)).collect();
    let jump = f.dfg.make_inst(InstData::Jump { dest: BlockCall::new(header, params) }, None);
    f.layout.insert_block_before(pre, header);
    f.layout.append_inst(jump, pre);
    let entering: Vec<Block> = cfg.pred_blocks(header).filter(|&p| !loops.contains(lp, p)).collect();
    for b in entering {
        let Some(t) = f.terminator(b) else { continue };
        f.dfg.insts[t].for_each_target_mut(|c| {
            if c.block == header {
                c.block = pre;
            }
        });
    }
}

/// Moves the invariant instructions of `lp` to the end of `pre`, before its terminator.
fn hoist(f: &mut Function, loops: &LoopAnalysis, domtree: &DominatorTree, lp: Loop, pre: Block) {
    let Some(anchor) = f.terminator(pre) else { return };
    let mut hoisted: SecondaryMap<Inst, bool> = SecondaryMap::new();
    // Dominance order, so an operand's definition is visited before its uses.
    let body: Vec<Block> = domtree.cfg_rpo().iter().copied().filter(|&b| loops.contains(lp, b)).collect();
    for b in body {
        let insts: Vec<Inst> = f.layout.block_insts(b).collect();
        for inst in insts {
            let data = &f.dfg.insts[inst];
            if !data.opcode().is_pure() || f.dfg.inst_result(inst).is_none() {
                continue;
            }
            let mut invariant = true;
            data.for_each_value(|v| {
                let outside = match f.dfg.value_def(v) {
                    ValueDef::Param(d, _) => !loops.contains(lp, d),
                    ValueDef::Result(i) => hoisted[i] || f.layout.inst_block(i).is_some_and(|d| !loops.contains(lp, d)),
                    ValueDef::Detached => false,
                };
                invariant &= outside;
            });
            if invariant {
                f.layout.remove_inst(inst);
                f.layout.insert_inst_before(inst, anchor);
                hoisted[inst] = true;
            }
        }
    }
}
