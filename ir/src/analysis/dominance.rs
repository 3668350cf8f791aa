//! The dominator tree: block `a` dominates block `b` when every path from the entry block
//! to `b` passes through `a`.
//!
//! Immediate dominators are computed with the iterative algorithm of Cooper, Harvey and
//! Kennedy, "A Simple, Fast Dominance Algorithm" (Software Practice & Experience, 2001):
//! blocks are numbered in reverse postorder, and each block's immediate dominator is
//! refined by intersecting its processed predecessors' dominator chains until nothing
//! changes. Reverse postorder and the tree numbering below use explicit stacks, never
//! recursion, so a 100k-block chain is fine.
//!
//! After that the tree is numbered in preorder, with each subtree's size, so that
//! [`DominatorTree::dominates`] is two comparisons instead of a walk up the tree (the
//! verifier asks it once per value use).
//!
//! Unreachable blocks (not reachable from the entry through the CFG) are not in the tree:
//! they have no immediate dominator and no RPO number; each dominates only itself and is
//! dominated only by itself. That is the conservative answer for passes ("may I use a
//! value from `a` in `b`?"), and the verifier skips dominance checks in those blocks.

use crate::analysis::cfg::ControlFlowGraph;
use crate::entities::{Block, Inst, SecondaryMap};
use crate::function::Function;
use crate::layout::Layout;

/// Marks "no immediate dominator yet" in the index-based arrays.
const UNDEF: u32 = u32::MAX;

#[derive(Copy, Clone, Default, Debug)]
struct DomNode {
    /// Position in reverse postorder plus one; 0 for unreachable blocks.
    rpo: u32,
    idom: Option<Block>,
    /// Position in the dominator tree's preorder.
    pre: u32,
    /// Number of blocks in the dominator subtree rooted here (including itself).
    size: u32,
}

/// Immediate dominators, reverse postorder and dominator-tree order of a function's
/// reachable blocks.
#[derive(Clone, Default, Debug)]
pub struct DominatorTree {
    nodes: SecondaryMap<Block, DomNode>,
    rpo: Vec<Block>,
    preorder: Vec<Block>,
    valid: bool,
}

impl DominatorTree {
    /// An empty tree (not yet computed).
    pub fn new() -> Self {
        Self::default()
    }

    /// The dominator tree of `f`, whose control-flow graph is `cfg`.
    pub fn with_function(f: &Function, cfg: &ControlFlowGraph) -> Self {
        let mut t = Self::new();
        t.compute(f, cfg);
        t
    }

    /// Forgets everything (for reusing the allocations).
    pub fn clear(&mut self) {
        self.nodes.clear();
        self.rpo.clear();
        self.preorder.clear();
        self.valid = false;
    }

    /// Whether [`DominatorTree::compute`] has run since the last clear.
    pub fn is_valid(&self) -> bool {
        self.valid
    }

    /// Recomputes the tree from scratch.
    pub fn compute(&mut self, f: &Function, cfg: &ControlFlowGraph) {
        self.clear();
        self.valid = true;
        let Some(entry) = f.layout.entry_block() else { return };
        self.compute_rpo(entry, cfg);
        let idom = self.compute_idoms(cfg);
        self.number_tree(&idom);
    }

    /// Reverse postorder of the blocks reachable from `entry`, by an iterative depth-first
    /// search. Successors are visited last to first, so that in the resulting order a
    /// `brif`'s then-block comes before its else-block.
    fn compute_rpo(&mut self, entry: Block, cfg: &ControlFlowGraph) {
        let mut seen: SecondaryMap<Block, bool> = SecondaryMap::new();
        let mut postorder = Vec::new();
        // Each frame: a block and how many of its successors have been looked at.
        let mut stack: Vec<(Block, usize)> = vec![(entry, 0)];
        seen[entry] = true;
        while let Some(top) = stack.last_mut() {
            let (b, done) = *top;
            let succs = cfg.succs(b);
            if done < succs.len() {
                top.1 += 1;
                let s = succs[succs.len() - 1 - done];
                if !seen[s] {
                    seen[s] = true;
                    stack.push((s, 0));
                }
            } else {
                postorder.push(b);
                stack.pop();
            }
        }
        postorder.reverse();
        self.rpo = postorder;
        for (i, &b) in self.rpo.iter().enumerate() {
            self.nodes[b].rpo = i as u32 + 1;
        }
    }

    /// Cooper–Harvey–Kennedy on RPO indices (0 = entry). Returns each block's immediate
    /// dominator as an RPO index (the entry's is itself).
    fn compute_idoms(&self, cfg: &ControlFlowGraph) -> Vec<u32> {
        let n = self.rpo.len();
        // Reachable predecessors of each block as RPO indices, flattened (CSR) so the fixed
        // point loop touches two arrays instead of chasing per-block vectors.
        let mut pred_start = Vec::with_capacity(n + 1);
        let mut preds = Vec::new();
        for &b in &self.rpo {
            pred_start.push(preds.len());
            for p in cfg.pred_blocks(b) {
                if let Some(i) = self.rpo_index(p) {
                    preds.push(i);
                }
            }
        }
        pred_start.push(preds.len());

        let mut idom = vec![UNDEF; n];
        if n == 0 {
            return idom;
        }
        idom[0] = 0;
        let mut changed = true;
        while changed {
            changed = false;
            for i in 1..n {
                let mut new = UNDEF;
                for &p in &preds[pred_start[i]..pred_start[i + 1]] {
                    if idom[p as usize] == UNDEF {
                        continue; // not processed yet in this first sweep
                    }
                    new = if new == UNDEF { p } else { intersect(&idom, p, new) };
                }
                // Every reachable block has a predecessor earlier in RPO (its DFS parent),
                // processed before it, so `new` is set here.
                if idom[i] != new {
                    idom[i] = new;
                    changed = true;
                }
            }
        }
        idom
    }

    /// Fills in idoms, subtree sizes and preorder positions. A block's idom comes before
    /// it in RPO, so one backward sweep sums subtree sizes and one forward sweep hands each
    /// child its slot right after its parent and earlier siblings.
    fn number_tree(&mut self, idom: &[u32]) {
        let n = self.rpo.len();
        let mut size = vec![1u32; n];
        for i in (1..n).rev() {
            size[idom[i] as usize] += size[i];
        }
        let mut pre = vec![0u32; n];
        let mut next_slot = vec![0u32; n];
        if n > 0 {
            next_slot[0] = 1;
        }
        for i in 1..n {
            let p = idom[i] as usize;
            pre[i] = next_slot[p];
            next_slot[p] += size[i];
            next_slot[i] = pre[i] + 1;
        }
        // `pre` is a permutation of 0..n, so every placeholder is overwritten.
        self.preorder = vec![Block::from_u32(0); n];
        for i in 0..n {
            let b = self.rpo[i];
            let node = &mut self.nodes[b];
            node.idom = (i > 0).then(|| self.rpo[idom[i] as usize]);
            node.pre = pre[i];
            node.size = size[i];
            self.preorder[pre[i] as usize] = b;
        }
    }

    fn rpo_index(&self, b: Block) -> Option<u32> {
        self.nodes.get(b).rpo.checked_sub(1)
    }

    /// The reachable blocks in reverse postorder (the entry first; every block after its
    /// immediate dominator).
    pub fn cfg_rpo(&self) -> &[Block] {
        &self.rpo
    }

    /// The position of `b` in [`DominatorTree::cfg_rpo`], or `None` if it is unreachable.
    pub fn rpo_number(&self, b: Block) -> Option<u32> {
        self.rpo_index(b)
    }

    /// Whether `b` is reachable from the entry block.
    pub fn is_reachable(&self, b: Block) -> bool {
        self.nodes.get(b).rpo != 0
    }

    /// The immediate dominator of `b`; `None` for the entry block and unreachable blocks.
    pub fn idom(&self, b: Block) -> Option<Block> {
        self.nodes.get(b).idom
    }

    /// Whether `a` dominates `b`. Every block dominates itself; an unreachable block
    /// dominates, and is dominated by, only itself.
    pub fn dominates(&self, a: Block, b: Block) -> bool {
        if a == b {
            return true;
        }
        if !self.is_reachable(a) || !self.is_reachable(b) {
            return false;
        }
        let (na, nb) = (self.nodes.get(a), self.nodes.get(b));
        na.pre <= nb.pre && nb.pre < na.pre + na.size
    }

    /// Whether `a` dominates `b` and is not `b`.
    pub fn strictly_dominates(&self, a: Block, b: Block) -> bool {
        a != b && self.dominates(a, b)
    }

    /// Whether the result of instruction `a` is available at instruction `b`: `a` comes
    /// before `b` in the same block, or `a`'s block dominates `b`'s. An instruction does not
    /// dominate itself. `false` when either is not in `layout`.
    ///
    /// Within one block this walks the layout forward from both instructions at once, so it
    /// costs the distance between them (or to the end of the block), not the block length.
    pub fn inst_dominates(&self, a: Inst, b: Inst, layout: &Layout) -> bool {
        let (Some(ba), Some(bb)) = (layout.inst_block(a), layout.inst_block(b)) else {
            return false;
        };
        if ba != bb {
            return self.dominates(ba, bb);
        }
        if a == b {
            return false;
        }
        let (mut from_a, mut from_b) = (Some(a), Some(b));
        loop {
            from_a = from_a.and_then(|i| layout.next_inst(i));
            from_b = from_b.and_then(|i| layout.next_inst(i));
            match (from_a, from_b) {
                (Some(i), _) if i == b => return true,
                (_, Some(i)) if i == a => return false,
                // Walking from `a` fell off the end without meeting `b`: `b` is earlier.
                (None, _) => return false,
                (_, None) => return true,
                _ => {}
            }
        }
    }

    /// The nearest block that dominates both `a` and `b`, if both are reachable.
    pub fn common_dominator(&self, mut a: Block, mut b: Block) -> Option<Block> {
        let (mut ra, mut rb) = (self.rpo_index(a)?, self.rpo_index(b)?);
        while ra != rb {
            // The block later in RPO cannot dominate the other: move it up the tree.
            if ra > rb {
                a = self.idom(a)?;
                ra = self.rpo_index(a)?;
            } else {
                b = self.idom(b)?;
                rb = self.rpo_index(b)?;
            }
        }
        Some(a)
    }

    /// The reachable blocks in dominator-tree preorder: every block before the blocks it
    /// dominates (the order GVN-style passes walk in).
    pub fn preorder(&self) -> &[Block] {
        &self.preorder
    }

    /// The children of `b` in the dominator tree (the blocks it immediately dominates), in
    /// reverse postorder.
    pub fn children(&self, b: Block) -> impl Iterator<Item = Block> + '_ {
        let node = *self.nodes.get(b);
        let end = if self.is_reachable(b) { node.pre + node.size } else { 0 };
        let mut next = node.pre + 1;
        std::iter::from_fn(move || {
            if next >= end {
                return None;
            }
            let c = *self.preorder.get(next as usize)?;
            // Skip over `c`'s whole subtree to reach its next sibling.
            next += self.nodes.get(c).size.max(1);
            Some(c)
        })
    }
}

/// The nearest common dominator of RPO indices `a` and `b`, given the current idoms.
fn intersect(idom: &[u32], mut a: u32, mut b: u32) -> u32 {
    while a != b {
        while a > b {
            a = idom[a as usize];
        }
        while b > a {
            b = idom[b as usize];
        }
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::test_util::{arb_graph, build_cfg, build_graph, reachable_avoiding};

    fn domtree(n: usize, edges: &[(usize, &[usize])]) -> (Function, Vec<Block>, DominatorTree) {
        let (f, b) = build_cfg(n, edges);
        let cfg = ControlFlowGraph::with_function(&f);
        let dt = DominatorTree::with_function(&f, &cfg);
        (f, b, dt)
    }

    /// Dominance by definition: `a` dominates `b` iff `b` is unreachable from the entry
    /// once `a` is removed (or `a == b`). Used to cross-check the fast algorithm.
    fn dominates_by_definition(n: usize, edges: &[(usize, &[usize])], a: usize, b: usize) -> bool {
        if a == b {
            return true;
        }
        let mut seen = vec![false; n];
        let mut stack = vec![0];
        if a == 0 {
            return true;
        }
        seen[0] = true;
        while let Some(x) = stack.pop() {
            for &(s, t) in edges {
                if s == x {
                    for &y in t {
                        if y != a && !seen[y] {
                            seen[y] = true;
                            stack.push(y);
                        }
                    }
                }
            }
        }
        !seen[b]
    }

    proptest::proptest! {
        #[test]
        fn random_graphs_match_the_definition(g in arb_graph()) {
            let (f, b) = build_graph(&g);
            let cfg = ControlFlowGraph::with_function(&f);
            let dt = DominatorTree::with_function(&f, &cfg);
            let reach = reachable_avoiding(&g, None);
            for x in 0..g.len() {
                proptest::prop_assert_eq!(dt.is_reachable(b[x]), reach[x]);
                if !reach[x] {
                    continue;
                }
                // `x` dominates `y` iff `y` is unreachable once `x` is taken out.
                let without_x = reachable_avoiding(&g, Some(x));
                for y in 0..g.len() {
                    if reach[y] {
                        proptest::prop_assert_eq!(dt.dominates(b[x], b[y]), x == y || !without_x[y], "{} dom {}", x, y);
                    }
                }
                if let Some(i) = dt.idom(b[x]) {
                    proptest::prop_assert!(dt.strictly_dominates(i, b[x]));
                    proptest::prop_assert!(dt.rpo_number(i) < dt.rpo_number(b[x]));
                }
            }
            proptest::prop_assert_eq!(dt.preorder().len(), dt.cfg_rpo().len());
        }
    }

    #[test]
    fn diamond() {
        let (_, b, dt) = domtree(4, &[(0, &[1, 2]), (1, &[3]), (2, &[3])]);
        assert_eq!(dt.cfg_rpo(), &[b[0], b[1], b[2], b[3]]);
        assert_eq!(dt.idom(b[0]), None);
        assert_eq!(dt.idom(b[1]), Some(b[0]));
        assert_eq!(dt.idom(b[3]), Some(b[0]));
        assert!(dt.dominates(b[0], b[3]));
        assert!(!dt.dominates(b[1], b[3]));
        assert!(dt.dominates(b[3], b[3]));
        assert!(!dt.strictly_dominates(b[3], b[3]));
        assert_eq!(dt.common_dominator(b[1], b[2]), Some(b[0]));
        assert_eq!(dt.children(b[0]).collect::<Vec<_>>(), vec![b[1], b[2], b[3]]);
        assert_eq!(dt.preorder()[0], b[0]);
    }

    #[test]
    fn loop_with_self_loop_and_unreachable_block() {
        // 0 -> 1; 1 -> 1, 2 (self-loop); 2 -> 1, 3; 4 -> 3 (block4 unreachable)
        let (_, b, dt) = domtree(5, &[(0, &[1]), (1, &[1, 2]), (2, &[1, 3]), (4, &[3])]);
        assert_eq!(dt.idom(b[1]), Some(b[0]));
        assert_eq!(dt.idom(b[2]), Some(b[1]));
        assert_eq!(dt.idom(b[3]), Some(b[2]));
        assert!(!dt.is_reachable(b[4]));
        assert_eq!(dt.rpo_number(b[4]), None);
        assert_eq!(dt.idom(b[4]), None);
        assert!(dt.dominates(b[4], b[4]));
        assert!(!dt.dominates(b[4], b[3]));
        assert!(!dt.dominates(b[0], b[4]));
        assert_eq!(dt.common_dominator(b[4], b[3]), None);
        assert_eq!(dt.children(b[4]).count(), 0);
        assert_eq!(dt.cfg_rpo().len(), 4);
    }

    #[test]
    fn irreducible_cycle() {
        // Two entries into the cycle 1 <-> 2: neither dominates the other.
        let edges: &[(usize, &[usize])] = &[(0, &[1, 2]), (1, &[2, 3]), (2, &[1])];
        let (_, b, dt) = domtree(4, edges);
        assert_eq!(dt.idom(b[1]), Some(b[0]));
        assert_eq!(dt.idom(b[2]), Some(b[0]));
        assert_eq!(dt.idom(b[3]), Some(b[1]));
        assert!(!dt.dominates(b[1], b[2]) && !dt.dominates(b[2], b[1]));
    }

    #[test]
    fn matches_definition_on_tricky_graphs() {
        // The irreducible example from Cooper, Harvey and Kennedy (figure 4), numbered so
        // that block0 is their node 6, and a few loops with side entries.
        type Edges = &'static [(usize, &'static [usize])];
        let graphs: &[(usize, Edges)] = &[
            (6, &[(0, &[1, 2]), (1, &[3]), (2, &[4, 5]), (3, &[4]), (4, &[3, 5]), (5, &[4])]),
            (7, &[(0, &[1, 5]), (1, &[2, 3]), (2, &[4]), (3, &[4]), (4, &[1, 6]), (5, &[3])]),
            (5, &[(0, &[1]), (1, &[2, 4]), (2, &[3, 1]), (3, &[2, 0])]),
            (3, &[(0, &[0, 1]), (1, &[1, 2]), (2, &[2])]),
        ];
        for &(n, edges) in graphs {
            let (_, b, dt) = domtree(n, edges);
            for x in 0..n {
                for y in 0..n {
                    if !dt.is_reachable(b[x]) || !dt.is_reachable(b[y]) {
                        continue;
                    }
                    assert_eq!(
                        dt.dominates(b[x], b[y]),
                        dominates_by_definition(n, edges, x, y),
                        "{x} dom {y} in {edges:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn entry_with_back_edge() {
        // The entry block is a loop header here (malformed IR, but the analysis copes).
        let (_, b, dt) = domtree(2, &[(0, &[1]), (1, &[0])]);
        assert_eq!(dt.idom(b[0]), None);
        assert_eq!(dt.idom(b[1]), Some(b[0]));
    }

    #[test]
    fn instruction_dominance() {
        let (f, b, dt) = domtree(3, &[(0, &[1, 2])]);
        let i: Vec<Inst> = f.layout.block_insts(b[0]).collect();
        assert_eq!(i.len(), 2, "bconst and brif");
        assert!(dt.inst_dominates(i[0], i[1], &f.layout));
        assert!(!dt.inst_dominates(i[1], i[0], &f.layout));
        assert!(!dt.inst_dominates(i[0], i[0], &f.layout));
        let r1 = f.layout.first_inst(b[1]).unwrap();
        let r2 = f.layout.first_inst(b[2]).unwrap();
        assert!(dt.inst_dominates(i[1], r1, &f.layout));
        assert!(!dt.inst_dominates(r1, r2, &f.layout));
        assert!(!dt.inst_dominates(Inst::from_u32(999), r1, &f.layout));
    }

    #[test]
    fn empty_function() {
        let f = Function::new("e", crate::Linkage::Local, crate::Signature::default());
        let cfg = ControlFlowGraph::with_function(&f);
        let dt = DominatorTree::with_function(&f, &cfg);
        assert!(dt.is_valid() && dt.cfg_rpo().is_empty());
        assert!(!dt.is_reachable(Block::from_u32(0)));
    }

    #[test]
    fn hundred_thousand_block_chain() {
        // A straight chain and a chain of nested diamonds: deep trees, no recursion.
        let n = 100_000;
        let edges: Vec<(usize, Vec<usize>)> = (0..n - 1).map(|i| (i, vec![i + 1])).collect();
        let edges: Vec<(usize, &[usize])> = edges.iter().map(|(s, t)| (*s, &t[..])).collect();
        let (_, b, dt) = domtree(n, &edges);
        assert_eq!(dt.idom(b[n - 1]), Some(b[n - 2]));
        assert!(dt.dominates(b[0], b[n - 1]));
        assert!(!dt.dominates(b[n - 1], b[0]));
        assert_eq!(dt.common_dominator(b[n - 1], b[n / 2]), Some(b[n / 2]));
        assert_eq!(dt.preorder().len(), n);
    }
}
