//! Bounds-check elimination.
//!
//! Removes every `bounds_check idx, len` whose condition `idx <u len` is already certain
//! where it stands, as [`RangeFacts`] proves it: the typical case is the induction variable
//! of `for i in 0..n` (starts at a non-negative constant, steps by one, tested `i < n` on
//! the way into the body) indexing a slice whose length is `n`, or at least `n` (`n` is a
//! `smin` of lengths, `len - d`, or a constant no larger than a constant length), and
//! accesses `x[i + c]` when `n + c <= len` follows. A check also makes an identical later
//! check that it dominates redundant.
//!
//! What it must not do: remove a check that can fail. A removed check is a trap the
//! program no longer takes, and compiled tiers do not check memory accesses on their own,
//! so every removal rests on a proof from facts that dominate the check; anything the
//! analysis cannot prove stays (an index `i + 1` against the bound `len`, a slice whose
//! length is unrelated to the loop bound).

use crate::analysis::ranges::RangeFacts;
use crate::analysis::{ControlFlowGraph, DominatorTree};
use crate::function::Function;
use crate::instructions::InstData;
use crate::module::Module;

/// Removes the provably redundant bounds checks of every function of `module`.
pub fn run(module: &mut Module) {
    for f in module.functions.values_mut() {
        run_function(f);
    }
}

/// Removes the provably redundant bounds checks of one function.
pub fn run_function(f: &mut Function) {
    if f.entry_block().is_none() {
        return;
    }
    let cfg = ControlFlowGraph::with_function(f);
    let domtree = DominatorTree::with_function(f, &cfg);
    let mut redundant = Vec::new();
    {
        let facts = RangeFacts::new(f, &cfg, &domtree);
        for b in f.layout.blocks() {
            if !domtree.is_reachable(b) {
                continue;
            }
            for inst in f.layout.block_insts(b) {
                if let InstData::BoundsCheck { args: [idx, len] } = f.dfg.insts[inst] {
                    if facts.proves_in_bounds(b, Some(inst), idx, len) {
                        redundant.push(inst);
                    }
                }
            }
        }
    }
    // A removed check's own fact stays true (it was proved), so checks it proved in turn
    // remain justified.
    for inst in redundant {
        f.layout.remove_inst(inst);
    }
}
