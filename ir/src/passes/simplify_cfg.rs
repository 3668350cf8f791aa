//! Control-flow simplification: merges a block into its predecessor when that predecessor
//! ends in an unconditional `br` to it and is its only predecessor (the chains of `br`
//! that branch folding leaves behind). The block's parameters are replaced by the branch
//! arguments. Unreachable blocks are removed first.
//!
//! What it must not do: merge a block that has another incoming edge (including the second
//! arm of a `brif` to the same block), merge a block into itself, or touch the entry block
//! (no branch may target it). Nor may it change which branches are back-edges (a branch to a
//! block at or before its own in layout order), since each back-edge costs one unit of fuel
//! on every tier: a block is only merged into a predecessor laid out before it, and only
//! when none of its successors lies between the two (they would turn from back-edges into
//! forward edges).

use crate::builder::remove_unreachable_blocks;
use crate::entities::{Block, Inst, SecondaryMap, Value};
use crate::function::Function;
use crate::instructions::InstData;
use crate::module::Module;

/// Simplifies the control flow of every function of `module`.
pub fn run(module: &mut Module) {
    for f in module.functions.values_mut() {
        run_function(f);
    }
}

/// Simplifies the control flow of one function.
pub fn run_function(f: &mut Function) {
    let Some(entry) = f.entry_block() else { return };
    remove_unreachable_blocks(f, entry);
    loop {
        // Incoming edge counts (a brif with both arms to one block counts twice).
        let mut preds: SecondaryMap<Block, u32> = SecondaryMap::new();
        for b in f.layout.blocks() {
            if let Some(t) = f.terminator(b) {
                for s in f.dfg.insts[t].successors() {
                    preds[s] += 1;
                }
            }
        }
        let mut merged = false;
        let blocks: Vec<Block> = f.layout.blocks().collect();
        let mut pos: SecondaryMap<Block, usize> = SecondaryMap::new();
        for (i, &b) in blocks.iter().enumerate() {
            pos[b] = i;
        }
        for a in blocks {
            let Some(t) = f.terminator(a) else { continue };
            let InstData::Jump { dest } = &f.dfg.insts[t] else { continue };
            let (b, args) = (dest.block, dest.args.clone());
            if b == a || b == entry || preds[b] != 1 || !f.layout.is_block_inserted(b) {
                continue;
            }
            let params: Vec<Value> = f.dfg.block_params(b).to_vec();
            if params.len() != args.len() {
                continue;
            }
            // Keep every branch's direction (and so the fuel it costs): `a → b` must be a
            // forward edge, and no successor of `b` may lie in (a, b].
            if pos[b] <= pos[a] {
                continue;
            }
            let successors = f.terminator(b).map(|t| f.dfg.insts[t].successors()).unwrap_or_default();
            if successors.iter().any(|&s| pos[s] > pos[a] && pos[s] <= pos[b]) {
                continue;
            }
            let mut subst: SecondaryMap<Value, Option<Value>> = SecondaryMap::new();
            for (&p, &v) in params.iter().zip(&args) {
                subst[p] = Some(v);
            }
            f.layout.remove_inst(t);
            let moved: Vec<Inst> = f.layout.block_insts(b).collect();
            for inst in moved {
                f.layout.remove_inst(inst);
                f.layout.append_inst(inst, a);
            }
            f.layout.remove_block(b);
            for i in (0..params.len()).rev() {
                f.dfg.remove_block_param(b, i);
            }
            f.dfg.replace_uses(&subst);
            merged = true;
            // Edge counts changed: recompute before the next merge.
            break;
        }
        if !merged {
            return;
        }
    }
}
