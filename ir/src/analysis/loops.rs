//! Natural loops and the loop nesting forest, for LICM, unrolling and vectorization.
//!
//! A *back edge* is an edge `latch → header` whose target dominates its source. The natural
//! loop of a header is the header plus every block that can reach one of its latches
//! without passing through the header (Aho, Lam, Sethi and Ullman, *Compilers*, 2nd ed.,
//! §9.6.6); all back edges to one header form one loop. Two natural loops are either
//! disjoint or nested, so the loops form a forest: each loop's parent is the innermost loop
//! that contains it, and its depth counts the loops around it (outermost = 1).
//!
//! The bodies are found innermost first, walking predecessors from the latches; a block
//! already claimed by an inner loop stands for that whole inner loop (its outermost
//! ancestor found so far, through a union–find with path compression), which then gets the
//! current loop as its parent, and the walk continues from that loop's header. This is the
//! scheme of Cranelift's `loop_analysis.rs`, and it is linear apart from the union–find.
//! Everything is iterative.
//!
//! Cycles with more than one entry (irreducible control flow) have no dominating header, so
//! they are not loops here; [`LoopAnalysis::is_reducible`] tells whether the function has
//! any. Unreachable blocks are never in a loop.
//!
//! Storage is linear in the function: each block is stored once, in an order where every
//! loop's body is a contiguous run (a loop's own blocks, then its inner loops' runs), so
//! [`LoopAnalysis::blocks`] is a slice and [`LoopAnalysis::contains`] is two comparisons.

use crate::analysis::cfg::ControlFlowGraph;
use crate::analysis::dominance::DominatorTree;
use crate::entities::{Block, EntityRef, PrimaryMap, SecondaryMap};
use crate::function::Function;
use std::fmt;

/// A natural loop found by [`LoopAnalysis`].
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Loop(u32);

impl EntityRef for Loop {
    fn new(index: usize) -> Self {
        // There are fewer loops than blocks, and blocks are `u32`-indexed.
        Loop(index as u32)
    }
    fn index(self) -> usize {
        self.0 as usize
    }
}

impl Loop {
    /// The raw index.
    pub const fn as_u32(self) -> u32 {
        self.0
    }
}

impl fmt::Display for Loop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "loop{}", self.0)
    }
}

impl fmt::Debug for Loop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[derive(Clone, Debug)]
struct LoopData {
    header: Block,
    parent: Option<Loop>,
    depth: u32,
    latches: Vec<Block>,
    /// Position of the first loop of this subtree in loop-forest preorder (this loop).
    pre: u32,
    /// Number of loops in this subtree, including this one.
    subtree_loops: u32,
    /// This loop's run in `LoopAnalysis::body_order`.
    body_start: u32,
    body_len: u32,
}

/// The natural loops of a function and how they nest. Queries taking a [`Loop`] expect one
/// this analysis handed out (like indexing an arena, a foreign handle may panic).
#[derive(Clone, Default, Debug)]
pub struct LoopAnalysis {
    loops: PrimaryMap<Loop, LoopData>,
    innermost: SecondaryMap<Block, Option<Loop>>,
    /// Loops in forest preorder (parents before children, siblings by header RPO).
    preorder: Vec<Loop>,
    /// Blocks of all loops, each loop's body contiguous (see the module doc).
    body_order: Vec<Block>,
    reducible: bool,
    valid: bool,
}

impl LoopAnalysis {
    /// An empty analysis (not yet computed).
    pub fn new() -> Self {
        Self::default()
    }

    /// The loops of `f`, given its CFG and dominator tree.
    pub fn with_function(f: &Function, cfg: &ControlFlowGraph, domtree: &DominatorTree) -> Self {
        let mut l = Self::new();
        l.compute(f, cfg, domtree);
        l
    }

    /// Forgets everything (for reusing the allocations).
    pub fn clear(&mut self) {
        self.loops = PrimaryMap::new();
        self.innermost.clear();
        self.preorder.clear();
        self.body_order.clear();
        self.reducible = true;
        self.valid = false;
    }

    /// Whether [`LoopAnalysis::compute`] has run since the last clear.
    pub fn is_valid(&self) -> bool {
        self.valid
    }

    /// Recomputes the loops of `f`. `cfg` and `domtree` must be up to date for `f`.
    pub fn compute(&mut self, _f: &Function, cfg: &ControlFlowGraph, domtree: &DominatorTree) {
        self.clear();
        self.valid = true;
        self.find_headers(cfg, domtree);
        self.find_bodies(cfg, domtree);
        self.number_forest(domtree);
    }

    /// Creates a loop for every block that is the target of a back edge, in RPO order, so
    /// that an enclosing loop (whose header dominates, hence precedes, the inner header)
    /// always gets a smaller index than the loops inside it.
    fn find_headers(&mut self, cfg: &ControlFlowGraph, domtree: &DominatorTree) {
        for &h in domtree.cfg_rpo() {
            let latches: Vec<Block> = cfg.pred_blocks(h).filter(|&p| domtree.dominates(h, p)).collect();
            if !latches.is_empty() {
                self.loops.push(LoopData {
                    header: h,
                    parent: None,
                    depth: 1,
                    latches,
                    pre: 0,
                    subtree_loops: 1,
                    body_start: 0,
                    body_len: 0,
                });
            }
            // A retreating edge (to a block no later in RPO) that is not a back edge means an
            // irreducible cycle: a flow graph is reducible iff its retreating edges are all
            // back edges (for the DFS spanning tree that gave this RPO).
            let rh = domtree.rpo_number(h);
            for &s in cfg.succs(h) {
                if domtree.rpo_number(s) <= rh && !domtree.dominates(s, h) {
                    self.reducible = false;
                }
            }
        }
    }

    /// Assigns each block its innermost loop and each loop its parent, innermost loops
    /// first (reverse creation order).
    fn find_bodies(&mut self, cfg: &ControlFlowGraph, domtree: &DominatorTree) {
        // Union–find over loops: `rep[l]` leads to the outermost loop found so far that
        // contains `l`.
        let mut rep: Vec<u32> = (0..self.loops.len() as u32).collect();
        let mut stack: Vec<Block> = Vec::new();
        for l in self.loops.keys().rev() {
            let header = self.loops[l].header;
            self.innermost[header] = Some(l);
            stack.extend(self.loops[l].latches.iter().copied().filter(|&b| b != header));
            while let Some(b) = stack.pop() {
                match self.innermost[b] {
                    None => {
                        self.innermost[b] = Some(l);
                        stack.extend(cfg.pred_blocks(b).filter(|&p| domtree.is_reachable(p)));
                    }
                    Some(inner) => {
                        let top = Loop::new(find(&mut rep, inner.0) as usize);
                        if top == l {
                            continue;
                        }
                        // `top` is the outermost loop discovered so far around `b`; it sits
                        // directly inside `l`. Continue from its entries.
                        self.loops[top].parent = Some(l);
                        rep[top.index()] = l.0;
                        let top_header = self.loops[top].header;
                        stack.extend(cfg.pred_blocks(top_header).filter(|&p| domtree.is_reachable(p)));
                    }
                }
            }
        }
    }

    /// Depths, forest preorder, and the contiguous body runs.
    fn number_forest(&mut self, domtree: &DominatorTree) {
        let n = self.loops.len();
        // Parents have smaller indices than their children (see `find_headers`), so one
        // forward sweep gives depths and one backward sweep subtree sizes.
        let keys: Vec<Loop> = self.loops.keys().collect();
        for &l in &keys {
            if let Some(p) = self.loops[l].parent {
                self.loops[l].depth = self.loops[p].depth + 1;
            }
        }
        let mut own_blocks = vec![0u32; n];
        for &b in domtree.cfg_rpo() {
            if let Some(l) = self.innermost[b] {
                own_blocks[l.index()] += 1;
            }
        }
        let mut body_len = own_blocks.clone();
        for &l in keys.iter().rev() {
            if let Some(p) = self.loops[l].parent {
                self.loops[p].subtree_loops += self.loops[l].subtree_loops;
                body_len[p.index()] += body_len[l.index()];
            }
        }
        // Preorder slots and body runs: a root takes the next free slot; a child takes the
        // slot after its parent's earlier children. Same for body runs, after the parent's
        // own blocks.
        let (mut next_root_pre, mut next_root_body) = (0u32, 0u32);
        let mut next_child_pre = vec![0u32; n];
        let mut next_child_body = vec![0u32; n];
        for &l in &keys {
            let (pre, start) = match self.loops[l].parent {
                None => {
                    let slot = (next_root_pre, next_root_body);
                    next_root_pre += self.loops[l].subtree_loops;
                    next_root_body += body_len[l.index()];
                    slot
                }
                Some(p) => {
                    let slot = (next_child_pre[p.index()], next_child_body[p.index()]);
                    next_child_pre[p.index()] += self.loops[l].subtree_loops;
                    next_child_body[p.index()] += body_len[l.index()];
                    slot
                }
            };
            let d = &mut self.loops[l];
            d.pre = pre;
            d.body_start = start;
            d.body_len = body_len[l.index()];
            next_child_pre[l.index()] = pre + 1;
            next_child_body[l.index()] = start + own_blocks[l.index()];
        }
        self.preorder = keys.clone();
        for &l in &keys {
            self.preorder[self.loops[l].pre as usize] = l;
        }
        // Each loop's own blocks, in RPO (header first, as it dominates the rest), at the
        // front of its run.
        let mut fill: Vec<u32> = keys.iter().map(|&l| self.loops[l].body_start).collect();
        self.body_order = vec![Block::from_u32(0); next_root_body as usize];
        for &b in domtree.cfg_rpo() {
            if let Some(l) = self.innermost[b] {
                self.body_order[fill[l.index()] as usize] = b;
                fill[l.index()] += 1;
            }
        }
    }

    /// All loops, outer loops before the loops they contain (by header in RPO).
    pub fn loops(&self) -> impl DoubleEndedIterator<Item = Loop> + ExactSizeIterator {
        self.loops.keys()
    }

    /// Number of loops.
    pub fn len(&self) -> usize {
        self.loops.len()
    }

    /// Whether the function has no loops.
    pub fn is_empty(&self) -> bool {
        self.loops.is_empty()
    }

    /// The header of `lp`: the loop's only entry, dominating its body.
    pub fn header(&self, lp: Loop) -> Block {
        self.loops[lp].header
    }

    /// The innermost loop containing `lp`, if any.
    pub fn parent(&self, lp: Loop) -> Option<Loop> {
        self.loops[lp].parent
    }

    /// Nesting depth: 1 for an outermost loop, 2 for a loop inside it, …
    pub fn depth(&self, lp: Loop) -> u32 {
        self.loops[lp].depth
    }

    /// The sources of the loop's back edges (blocks that branch to the header from inside
    /// the loop). A self-loop's latch is its header.
    pub fn latches(&self, lp: Loop) -> &[Block] {
        &self.loops[lp].latches
    }

    /// Every block of the loop, including those of inner loops: the header first, then the
    /// loop's other own blocks in RPO, then each inner loop's blocks.
    pub fn blocks(&self, lp: Loop) -> &[Block] {
        let d = &self.loops[lp];
        let start = d.body_start as usize;
        self.body_order.get(start..start + d.body_len as usize).unwrap_or(&[])
    }

    /// The loops directly inside `lp`.
    pub fn children(&self, lp: Loop) -> impl Iterator<Item = Loop> + '_ {
        let d = &self.loops[lp];
        let end = d.pre + d.subtree_loops;
        let mut next = d.pre + 1;
        std::iter::from_fn(move || {
            if next >= end {
                return None;
            }
            let c = *self.preorder.get(next as usize)?;
            next += self.loops[c].subtree_loops;
            Some(c)
        })
    }

    /// The innermost loop containing `b`, or `None` if `b` is in no loop.
    pub fn innermost_loop(&self, b: Block) -> Option<Loop> {
        *self.innermost.get(b)
    }

    /// How many loops contain `b` (0 outside loops).
    pub fn loop_depth(&self, b: Block) -> u32 {
        self.innermost_loop(b).map_or(0, |l| self.loops[l].depth)
    }

    /// The loop whose header is `b`, if `b` is a loop header.
    pub fn loop_of_header(&self, b: Block) -> Option<Loop> {
        self.innermost_loop(b).filter(|&l| self.loops[l].header == b)
    }

    /// Whether `b` is in `lp` (directly or in a loop nested in it).
    pub fn contains(&self, lp: Loop, b: Block) -> bool {
        self.innermost_loop(b).is_some_and(|inner| self.is_nested_in(inner, lp) || inner == lp)
    }

    /// Whether `inner` is strictly inside `outer`.
    pub fn is_nested_in(&self, inner: Loop, outer: Loop) -> bool {
        let (i, o) = (&self.loops[inner], &self.loops[outer]);
        o.pre < i.pre && i.pre < o.pre + o.subtree_loops
    }

    /// The edges leaving `lp`: `(block in the loop, successor outside it)`, in block order.
    pub fn exit_edges(&self, lp: Loop, cfg: &ControlFlowGraph) -> Vec<(Block, Block)> {
        let mut out = Vec::new();
        for &b in self.blocks(lp) {
            for &s in cfg.succs(b) {
                if !self.contains(lp, s) {
                    out.push((b, s));
                }
            }
        }
        out
    }

    /// The loop's preheader: its header's only predecessor from outside the loop, if that
    /// block branches nowhere else (so code hoisted into it runs exactly when the loop is
    /// entered). `None` when the loop has several entering edges or a conditional one; LICM
    /// then has to create a preheader first.
    pub fn preheader(&self, lp: Loop, cfg: &ControlFlowGraph) -> Option<Block> {
        let header = self.header(lp);
        let mut outside = cfg.pred_blocks(header).filter(|&p| !self.contains(lp, p));
        let pre = outside.next()?;
        if outside.next().is_some() || cfg.succs(pre) != [header] {
            return None;
        }
        Some(pre)
    }

    /// Whether every cycle of the reachable CFG is a natural loop (no cycle has two entries).
    pub fn is_reducible(&self) -> bool {
        self.reducible
    }
}

/// Union–find root of `x`, with path compression.
fn find(rep: &mut [u32], x: u32) -> u32 {
    let mut root = x;
    while rep[root as usize] != root {
        root = rep[root as usize];
    }
    let mut x = x;
    while rep[x as usize] != root {
        let next = rep[x as usize];
        rep[x as usize] = root;
        x = next;
    }
    root
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::test_util::{arb_graph, build_cfg, build_graph};

    fn analyze(n: usize, edges: &[(usize, &[usize])]) -> (Vec<Block>, ControlFlowGraph, LoopAnalysis) {
        let (f, b) = build_cfg(n, edges);
        let cfg = ControlFlowGraph::with_function(&f);
        let dt = DominatorTree::with_function(&f, &cfg);
        let la = LoopAnalysis::with_function(&f, &cfg, &dt);
        (b, cfg, la)
    }

    fn sorted(mut v: Vec<Block>) -> Vec<Block> {
        v.sort();
        v
    }

    proptest::proptest! {
        #[test]
        fn random_graphs_give_natural_loops(g in arb_graph()) {
            let (f, b) = build_graph(&g);
            let cfg = ControlFlowGraph::with_function(&f);
            let dt = DominatorTree::with_function(&f, &cfg);
            let la = LoopAnalysis::with_function(&f, &cfg, &dt);
            let index = |blk: Block| b.iter().position(|&x| x == blk).unwrap();
            for l in la.loops() {
                let h = la.header(l);
                // The body by definition: the header plus the blocks that reach a latch
                // without passing through the header.
                let mut body = vec![false; g.len()];
                body[index(h)] = true;
                let mut stack: Vec<usize> = la.latches(l).iter().map(|&x| index(x)).collect();
                while let Some(x) = stack.pop() {
                    if body[x] {
                        continue;
                    }
                    body[x] = true;
                    stack.extend(cfg.pred_blocks(b[x]).filter(|&p| dt.is_reachable(p)).map(index));
                }
                let mut expected: Vec<Block> = (0..g.len()).filter(|&i| body[i]).map(|i| b[i]).collect();
                expected.sort();
                proptest::prop_assert_eq!(sorted(la.blocks(l).to_vec()), expected);
                proptest::prop_assert_eq!(la.blocks(l)[0], h);
                for &x in la.blocks(l) {
                    proptest::prop_assert!(dt.dominates(h, x));
                    proptest::prop_assert!(la.contains(l, x));
                    proptest::prop_assert!(la.loop_depth(x) >= la.depth(l));
                }
                if let Some(p) = la.parent(l) {
                    proptest::prop_assert!(la.contains(p, h) && la.is_nested_in(l, p));
                    proptest::prop_assert_eq!(la.depth(l), la.depth(p) + 1);
                    proptest::prop_assert!(la.children(p).any(|c| c == l));
                }
            }
            // Every back edge belongs to the loop of its header.
            for &x in dt.cfg_rpo() {
                for &s in cfg.succs(x) {
                    if dt.dominates(s, x) {
                        let l = la.loop_of_header(s);
                        proptest::prop_assert!(l.is_some_and(|l| la.latches(l).contains(&x)));
                    }
                }
            }
        }
    }

    #[test]
    fn no_loops() {
        let (b, _, la) = analyze(4, &[(0, &[1, 2]), (1, &[3]), (2, &[3])]);
        assert!(la.is_valid() && la.is_empty() && la.is_reducible());
        assert_eq!(la.loop_depth(b[1]), 0);
        assert_eq!(la.innermost_loop(b[3]), None);
    }

    #[test]
    fn simple_loop_with_preheader_and_exit() {
        // 0 -> 1 (preheader); 1 -> 2 (header); 2 -> 3, 4; 3 -> 2 (latch); 4 returns
        let (b, cfg, la) = analyze(5, &[(0, &[1]), (1, &[2]), (2, &[3, 4]), (3, &[2])]);
        assert_eq!(la.len(), 1);
        let l = la.loops().next().unwrap();
        assert_eq!(la.header(l), b[2]);
        assert_eq!(la.latches(l), &[b[3]]);
        assert_eq!(la.blocks(l), &[b[2], b[3]]);
        assert_eq!(la.depth(l), 1);
        assert_eq!(la.parent(l), None);
        assert_eq!(la.preheader(l, &cfg), Some(b[1]));
        assert_eq!(la.exit_edges(l, &cfg), vec![(b[2], b[4])]);
        assert_eq!(la.loop_of_header(b[2]), Some(l));
        assert_eq!(la.loop_of_header(b[3]), None);
        assert!(la.contains(l, b[3]) && !la.contains(l, b[1]) && !la.contains(l, b[4]));
        assert_eq!(l.to_string(), "loop0");
    }

    #[test]
    fn self_loop() {
        // 0 -> 1; 1 -> 1, 2
        let (b, cfg, la) = analyze(3, &[(0, &[1]), (1, &[1, 2])]);
        assert_eq!(la.len(), 1);
        let l = la.loop_of_header(b[1]).unwrap();
        assert_eq!(la.latches(l), &[b[1]]);
        assert_eq!(la.blocks(l), &[b[1]]);
        assert_eq!(la.preheader(l, &cfg), Some(b[0]));
        assert_eq!(la.exit_edges(l, &cfg), vec![(b[1], b[2])]);
    }

    #[test]
    fn nested_loops_and_depths() {
        // 0 -> 1; 1 (outer header) -> 2, 6; 2 (inner header) -> 3, 5; 3 -> 4; 4 -> 2 (inner
        // latch); 5 -> 1 (outer latch); 6 returns. Plus a sibling inner self-loop at 5.
        let edges: &[(usize, &[usize])] = &[(0, &[1]), (1, &[2, 6]), (2, &[3, 5]), (3, &[4]), (4, &[2]), (5, &[5, 1])];
        let (b, cfg, la) = analyze(7, edges);
        assert_eq!(la.len(), 3);
        let outer = la.loop_of_header(b[1]).unwrap();
        let inner = la.loop_of_header(b[2]).unwrap();
        let sib = la.loop_of_header(b[5]).unwrap();
        assert_eq!(la.parent(inner), Some(outer));
        assert_eq!(la.parent(sib), Some(outer));
        assert_eq!((la.depth(outer), la.depth(inner), la.depth(sib)), (1, 2, 2));
        assert_eq!(sorted(la.blocks(outer).to_vec()), vec![b[1], b[2], b[3], b[4], b[5]]);
        assert_eq!(la.blocks(outer)[0], b[1]);
        assert_eq!(la.blocks(inner), &[b[2], b[3], b[4]]);
        assert_eq!(la.blocks(sib), &[b[5]]);
        assert_eq!(la.latches(outer), &[b[5]]);
        assert_eq!(la.loop_depth(b[3]), 2);
        assert_eq!(la.loop_depth(b[1]), 1);
        assert_eq!(la.loop_depth(b[6]), 0);
        assert!(la.is_nested_in(inner, outer) && !la.is_nested_in(outer, inner) && !la.is_nested_in(sib, inner));
        assert!(la.contains(outer, b[4]) && !la.contains(inner, b[5]));
        let mut kids: Vec<Loop> = la.children(outer).collect();
        kids.sort();
        assert_eq!(kids, vec![inner, sib]);
        assert_eq!(la.children(inner).count(), 0);
        // Loops come outer first.
        assert_eq!(la.loops().next(), Some(outer));
        // The inner loop has no single preheader-shaped predecessor: 1 also branches to 6.
        assert_eq!(la.preheader(inner, &cfg), None);
        assert_eq!(la.exit_edges(inner, &cfg), vec![(b[2], b[5])]);
    }

    #[test]
    fn several_latches_make_one_loop() {
        // 0 -> 1; 1 -> 2, 3; 2 -> 1; 3 -> 1, 4
        let (b, _, la) = analyze(5, &[(0, &[1]), (1, &[2, 3]), (2, &[1]), (3, &[1, 4])]);
        assert_eq!(la.len(), 1);
        let l = la.loops().next().unwrap();
        assert_eq!(sorted(la.latches(l).to_vec()), vec![b[2], b[3]]);
        assert_eq!(sorted(la.blocks(l).to_vec()), vec![b[1], b[2], b[3]]);
    }

    #[test]
    fn irreducible_cycle_is_not_a_loop() {
        // 0 -> 1, 2; 1 <-> 2; 2 -> 3. The cycle has two entries.
        let (b, _, la) = analyze(4, &[(0, &[1, 2]), (1, &[2]), (2, &[1, 3])]);
        assert!(la.is_empty());
        assert!(!la.is_reducible());
        assert_eq!(la.loop_depth(b[1]), 0);
    }

    #[test]
    fn irreducible_region_inside_a_natural_loop() {
        // Outer loop 1..=4 with header 1; inside it, 2 <-> 3 entered from both 1 -> 2 and
        // 1 -> 3. The outer loop is found; the inner cycle is not.
        let edges: &[(usize, &[usize])] = &[(0, &[1]), (1, &[2, 3]), (2, &[3, 4]), (3, &[2, 4]), (4, &[1, 5])];
        let (b, _, la) = analyze(6, edges);
        assert_eq!(la.len(), 1);
        assert!(!la.is_reducible());
        let l = la.loops().next().unwrap();
        assert_eq!(la.header(l), b[1]);
        assert_eq!(sorted(la.blocks(l).to_vec()), vec![b[1], b[2], b[3], b[4]]);
    }

    #[test]
    fn unreachable_cycles_are_ignored() {
        // 0 returns; 1 <-> 2 is unreachable.
        let (b, _, la) = analyze(3, &[(1, &[2]), (2, &[1])]);
        assert!(la.is_empty() && la.is_reducible());
        assert_eq!(la.innermost_loop(b[1]), None);
    }

    #[test]
    fn loop_body_does_not_leak_to_unreachable_preds() {
        // 0 -> 1; 1 -> 2; 2 -> 1, 3; 4 (unreachable) -> 2
        let (b, _, la) = analyze(5, &[(0, &[1]), (1, &[2]), (2, &[1, 3]), (4, &[2])]);
        let l = la.loops().next().unwrap();
        assert_eq!(la.blocks(l), &[b[1], b[2]]);
        assert_eq!(la.innermost_loop(b[4]), None);
    }

    #[test]
    fn deep_nesting_without_recursion() {
        // A chain 0 -> 1 -> … -> n-1 where each block i >= 2 also branches back to i-1:
        // every block 1..=n-2 heads a loop holding all the blocks after it, n-2 deep.
        let n = 20_000;
        let lists: Vec<Vec<usize>> = (0..n)
            .map(|i| match i {
                0 => vec![1],
                _ if i == n - 1 => vec![i - 1],
                1 => vec![2],
                _ => vec![i + 1, i - 1],
            })
            .collect();
        let edges: Vec<(usize, &[usize])> = lists.iter().enumerate().map(|(i, t)| (i, &t[..])).collect();
        let (b, _, la) = analyze(n, &edges);
        // Each block i in 1..n-1 is a header with latch i+1.
        assert_eq!(la.len(), n - 2);
        let inner = la.innermost_loop(b[n - 1]).unwrap();
        assert_eq!(la.depth(inner), (n - 2) as u32);
        let outer = la.loop_of_header(b[1]).unwrap();
        assert_eq!(la.blocks(outer).len(), n - 1);
        assert!(la.is_nested_in(inner, outer));
    }
}
