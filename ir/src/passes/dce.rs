//! Dead-code elimination.
//!
//! Removes, until nothing changes: pure instructions (the opcode table's `PURE` flag)
//! whose result is never used, blocks unreachable from the entry, and block parameters
//! that are never used (with the matching argument of every branch to the block).
//!
//! What it must not do: remove an instruction that may trap or has side effects even when
//! its result is unused (`load`, `sdiv`, `bounds_check`, `store`, calls stay: removing
//! them would remove a trap), or touch the entry block's parameters (the ABI).

use crate::builder::remove_unreachable_blocks;
use crate::entities::{Block, Inst, SecondaryMap, Value};
use crate::function::Function;
use crate::module::Module;

/// Cleans every function of `module`.
pub fn run(module: &mut Module) {
    for f in module.functions.values_mut() {
        run_function(f);
    }
}

/// Cleans one function.
pub fn run_function(f: &mut Function) {
    let Some(entry) = f.entry_block() else { return };
    remove_unreachable_blocks(f, entry);
    loop {
        let mut used: SecondaryMap<Value, bool> = SecondaryMap::new();
        for b in f.layout.blocks() {
            for inst in f.layout.block_insts(b) {
                f.dfg.insts[inst].for_each_value(|v| used[v] = true);
            }
        }
        let mut changed = false;
        let blocks: Vec<Block> = f.layout.blocks().collect();
        for &b in &blocks {
            let insts: Vec<Inst> = f.layout.block_insts(b).collect();
            for inst in insts.into_iter().rev() {
                if !f.dfg.insts[inst].opcode().is_pure() {
                    continue;
                }
                let Some(r) = f.dfg.inst_result(inst) else { continue };
                if used[r] {
                    continue;
                }
                // Its operands may now be dead too; the next round finds them.
                f.layout.remove_inst(inst);
                f.dfg.clear_result(inst);
                changed = true;
            }
        }
        for &b in blocks.iter().filter(|&&b| b != entry) {
            let mut i = f.dfg.block_params(b).len();
            while i > 0 {
                i -= 1;
                let p = f.dfg.block_params(b)[i];
                if used[p] {
                    continue;
                }
                f.dfg.remove_block_param(b, i);
                remove_branch_arg(f, &blocks, b, i);
                changed = true;
            }
        }
        if !changed {
            return;
        }
    }
}

/// Removes argument `i` from every branch to `target`.
fn remove_branch_arg(f: &mut Function, blocks: &[Block], target: Block, i: usize) {
    for &b in blocks {
        let Some(t) = f.terminator(b) else { continue };
        f.dfg.insts[t].for_each_target_mut(|c| {
            if c.block == target && i < c.args.len() {
                c.args.remove(i);
            }
        });
    }
}
