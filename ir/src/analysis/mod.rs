//! Analyses over a function: the control-flow graph ([`ControlFlowGraph`]), the dominator
//! tree ([`DominatorTree`]) and natural loops ([`LoopAnalysis`]), and the one-loop-at-a-time
//! driver of the loop-rewriting passes ([`loop_walk`]).
//!
//! Each analysis is a side table keyed by entity (no references into the function), built
//! from a [`crate::Function`] in one call and read through small query methods. They are
//! built in order: the CFG from the layout's terminators, the dominator tree from the CFG,
//! the loops from both. None of them recurses on the shape of the input, so functions with
//! 100k blocks (or 100k nested loops) cannot overflow the stack.
//!
//! The analyses only read the function; they tolerate malformed IR (branches to blocks that
//! are not in the layout, instructions missing from the DFG) by ignoring those edges, so
//! the verifier can run them before it knows the function is well formed. The one thing
//! they assume is a well-formed layout: block and instruction lists without cycles, which
//! the [`Layout`](crate::Layout) API guarantees (the verifier checks it first anyway).

pub mod cfg;
pub mod counted;
pub mod dominance;
pub mod loop_walk;
pub mod loops;
pub mod ranges;

pub use cfg::{BlockPredecessor, ControlFlowGraph};
pub use dominance::DominatorTree;
pub use loops::{Loop, LoopAnalysis};

/// Helpers for the analyses' tests: functions with a given block graph.
#[cfg(test)]
pub(crate) mod test_util {
    use crate::{Block, BlockCall, Function, InstData, Linkage, Signature, Type};

    /// A function with `n` blocks in layout order `block0..blockN` (block0 is the entry).
    /// `edges` gives each listed block's successors: one is a `br`, two a `brif` on a
    /// constant; blocks not listed (or with no successors) `return`.
    pub(crate) fn build_cfg(n: usize, edges: &[(usize, &[usize])]) -> (Function, Vec<Block>) {
        let mut f = Function::new("g", Linkage::Local, Signature::default());
        let blocks: Vec<Block> = (0..n).map(|_| f.dfg.make_block()).collect();
        for &b in &blocks {
            f.layout.append_block(b);
        }
        let mut succ_lists: Vec<&[usize]> = vec![&[]; n];
        for &(s, t) in edges {
            succ_lists[s] = t;
        }
        for (i, &b) in blocks.iter().enumerate() {
            let succs = succ_lists[i];
            let to = |k: usize| BlockCall::new(blocks[succs[k]], vec![]);
            let data = match succs.len() {
                0 => InstData::Return { arg: None },
                1 => InstData::Jump { dest: to(0) },
                2 => {
                    let c = f.dfg.make_inst(InstData::BoolConst { imm: true }, Some(Type::BOOL));
                    f.layout.append_inst(c, b);
                    let cond = f.dfg.inst_result(c).unwrap();
                    InstData::Brif { cond, then_dest: to(0), else_dest: to(1) }
                }
                _ => panic!("at most two successors per block"),
            };
            let inst = f.dfg.make_inst(data, None);
            f.layout.append_inst(inst, b);
        }
        (f, blocks)
    }

    /// A random graph for property tests: `n` blocks, each with zero to two successors.
    pub(crate) fn arb_graph() -> impl proptest::strategy::Strategy<Value = Vec<Vec<usize>>> {
        use proptest::prelude::*;
        (1usize..12).prop_flat_map(|n| proptest::collection::vec(proptest::collection::vec(0..n, 0..=2), n))
    }

    /// `build_cfg` for a graph from [`arb_graph`].
    pub(crate) fn build_graph(g: &[Vec<usize>]) -> (Function, Vec<Block>) {
        let edges: Vec<(usize, &[usize])> = g.iter().enumerate().map(|(i, t)| (i, &t[..])).collect();
        build_cfg(g.len(), &edges)
    }

    /// Blocks reachable from block 0 without passing through `avoid` (by index).
    pub(crate) fn reachable_avoiding(g: &[Vec<usize>], avoid: Option<usize>) -> Vec<bool> {
        let mut seen = vec![false; g.len()];
        if avoid == Some(0) {
            return seen;
        }
        seen[0] = true;
        let mut stack = vec![0];
        while let Some(x) = stack.pop() {
            for &y in &g[x] {
                if Some(y) != avoid && !seen[y] {
                    seen[y] = true;
                    stack.push(y);
                }
            }
        }
        seen
    }
}
