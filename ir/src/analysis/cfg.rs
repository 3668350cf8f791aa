//! The control-flow graph of a function: for each block in the layout, its successors and
//! its predecessors (the predecessor block together with the branch instruction).
//!
//! Edges come from each block's last instruction (its terminator in well-formed IR); a
//! branch anywhere else is malformed and is the verifier's to report. A `brif` whose two
//! targets are the same block gives one successor and one predecessor entry, so both lists
//! are sets, ordered by first appearance: successors in branch order, predecessors in
//! layout order of the branching blocks. Edges to blocks that are not in the layout are
//! left out.

use crate::entities::{Block, Inst, SecondaryMap};
use crate::function::Function;

/// A predecessor of a block: the block that branches and its branch instruction.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub struct BlockPredecessor {
    pub block: Block,
    pub inst: Inst,
}

#[derive(Clone, Default, Debug)]
struct CfgNode {
    preds: Vec<BlockPredecessor>,
    succs: Vec<Block>,
}

/// Predecessors and successors of every block of a function.
#[derive(Clone, Default, Debug)]
pub struct ControlFlowGraph {
    nodes: SecondaryMap<Block, CfgNode>,
    valid: bool,
}

impl ControlFlowGraph {
    /// An empty graph (not yet computed).
    pub fn new() -> Self {
        Self::default()
    }

    /// The graph of `f`.
    pub fn with_function(f: &Function) -> Self {
        let mut cfg = Self::new();
        cfg.compute(f);
        cfg
    }

    /// Recomputes the graph from scratch for `f`.
    pub fn compute(&mut self, f: &Function) {
        self.nodes.clear();
        for b in f.layout.blocks() {
            self.add_out_edges(f, b);
        }
        self.valid = true;
    }

    /// Forgets everything (for reusing the allocation).
    pub fn clear(&mut self) {
        self.nodes.clear();
        self.valid = false;
    }

    /// Whether [`ControlFlowGraph::compute`] has run since the last clear.
    pub fn is_valid(&self) -> bool {
        self.valid
    }

    /// Updates the graph after the terminator of `b` changed (or `b` was removed from the
    /// layout): drops `b`'s old outgoing edges and adds the current ones. Cheaper than
    /// [`ControlFlowGraph::compute`] for passes that rewrite one branch at a time.
    pub fn recompute_block(&mut self, f: &Function, b: Block) {
        let old = std::mem::take(&mut self.nodes[b].succs);
        for s in old {
            self.nodes[s].preds.retain(|p| p.block != b);
        }
        if f.layout.is_block_inserted(b) {
            self.add_out_edges(f, b);
        }
    }

    fn add_out_edges(&mut self, f: &Function, b: Block) {
        let Some(inst) = f.layout.last_inst(b) else { return };
        let Some(data) = f.dfg.insts.get(inst) else { return };
        data.for_each_target(|t| {
            let s = t.block;
            if !f.layout.is_block_inserted(s) || self.nodes[b].succs.contains(&s) {
                return;
            }
            self.nodes[b].succs.push(s);
            self.nodes[s].preds.push(BlockPredecessor { block: b, inst });
        });
    }

    /// The predecessors of `b`: each branching block with its branch instruction.
    pub fn preds(&self, b: Block) -> &[BlockPredecessor] {
        &self.nodes.get(b).preds
    }

    /// The predecessor blocks of `b`.
    pub fn pred_blocks(&self, b: Block) -> impl Iterator<Item = Block> + '_ {
        self.preds(b).iter().map(|p| p.block)
    }

    /// The successors of `b`, in branch order, without duplicates.
    pub fn succs(&self, b: Block) -> &[Block] {
        &self.nodes.get(b).succs
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::test_util::build_cfg;

    #[test]
    fn diamond() {
        // 0 -> 1, 2; 1 -> 3; 2 -> 3
        let (f, b) = build_cfg(4, &[(0, &[1, 2]), (1, &[3]), (2, &[3])]);
        let cfg = ControlFlowGraph::with_function(&f);
        assert!(cfg.is_valid());
        assert_eq!(cfg.succs(b[0]), &[b[1], b[2]]);
        assert_eq!(cfg.succs(b[3]), &[] as &[Block]);
        assert_eq!(cfg.pred_blocks(b[3]).collect::<Vec<_>>(), vec![b[1], b[2]]);
        assert!(cfg.preds(b[0]).is_empty());
        let p = cfg.preds(b[1])[0];
        assert_eq!(p.block, b[0]);
        assert_eq!(Some(p.inst), f.layout.last_inst(b[0]));
    }

    #[test]
    fn duplicate_targets_and_self_loops() {
        // 0 -> 1, 1 (brif to the same block); 1 -> 1, 2
        let (f, b) = build_cfg(3, &[(0, &[1, 1]), (1, &[1, 2])]);
        let cfg = ControlFlowGraph::with_function(&f);
        assert_eq!(cfg.succs(b[0]), &[b[1]]);
        assert_eq!(cfg.pred_blocks(b[1]).collect::<Vec<_>>(), vec![b[0], b[1]]);
        assert_eq!(cfg.succs(b[1]), &[b[1], b[2]]);
    }

    #[test]
    fn targets_outside_the_layout_are_ignored() {
        let (mut f, b) = build_cfg(3, &[(0, &[1, 2])]);
        f.layout.remove_block(b[2]);
        let cfg = ControlFlowGraph::with_function(&f);
        assert_eq!(cfg.succs(b[0]), &[b[1]]);
        assert!(cfg.preds(b[2]).is_empty());
        // Unknown blocks read as empty rather than panicking.
        assert!(cfg.succs(Block::from_u32(1000)).is_empty());
    }

    #[test]
    fn recompute_one_block() {
        let (mut f, b) = build_cfg(3, &[(0, &[1]), (1, &[2])]);
        let mut cfg = ControlFlowGraph::with_function(&f);
        // Retarget block0's jump from block1 to block2.
        let term = f.layout.last_inst(b[0]).unwrap();
        f.dfg.insts[term].for_each_target_mut(|t| t.block = b[2]);
        cfg.recompute_block(&f, b[0]);
        assert_eq!(cfg.succs(b[0]), &[b[2]]);
        assert!(cfg.preds(b[1]).is_empty());
        assert_eq!(cfg.pred_blocks(b[2]).collect::<Vec<_>>(), vec![b[1], b[0]]);
        let fresh = ControlFlowGraph::with_function(&f);
        assert_eq!(fresh.succs(b[0]), cfg.succs(b[0]));
    }
}
