//! The driver loop of the passes that rewrite loops one at a time (loop versioning,
//! vectorization, unrolling): recompute the CFG, dominator tree and loops, offer each
//! (counted, for [`each_counted_loop`]) loop whose header was not offered before to the
//! pass, rewrite the first one it takes, and start over — until no loop is left to offer.
//!
//! Why one at a time: a rewrite changes the CFG (new blocks, new loops), so the analyses of
//! the previous round no longer describe the function. Why "headers already offered": a
//! rewritten loop keeps its header (the original loop stays as the epilogue or slow path),
//! and a loop the pass declined would be declined again; remembering headers is what makes
//! the walk terminate. New loops a rewrite creates have new headers and are offered in a
//! later round.
//!
//! What it must not do: decide anything about a loop itself (the pass's `plan` does), or
//! offer a header twice.

use crate::analysis::counted::{counted_loop, CountedLoop};
use crate::analysis::{ControlFlowGraph, DominatorTree, Loop, LoopAnalysis};
use crate::entities::Block;
use crate::function::Function;

/// The analyses of one round, as the pass's `plan` sees them.
pub struct LoopRound<'a> {
    pub cfg: &'a ControlFlowGraph,
    pub domtree: &'a DominatorTree,
    pub loops: &'a LoopAnalysis,
}

/// Offers every counted loop of `f` once to `plan`, in the order of
/// [`LoopAnalysis::loops`]; when `plan` returns a plan, runs `apply` on it (which may change
/// the CFG arbitrarily) and recomputes the analyses before offering the next loop.
///
/// A loop that is not counted (see [`crate::analysis::counted`]) is never offered, and a
/// header is offered at most once, whether or not `plan` took it.
///
/// ```
/// use strata_ir::analysis::loop_walk::each_counted_loop;
/// let m = strata_ir::text::parse_module(
///     "fn @f(n: i64) {\n\
///      block0(v0: i64):\n    v1 = iconst.i64 0\n    br block1(v1)\n\
///      block1(v2: i64):\n    v3 = icmp.bool slt v2, v0\n    brif v3, block2, block3\n\
///      block2:\n    v4 = iconst.i64 1\n    v5 = iadd.i64 v2, v4\n    br block1(v5)\n\
///      block3:\n    return\n}\n",
/// )
/// .unwrap();
/// let mut f = m.functions.values().next().unwrap().clone();
/// let mut headers = Vec::new();
/// each_counted_loop(&mut f, |_, _, _, cl| Some(cl.header), |_, h| headers.push(h));
/// assert_eq!(headers.len(), 1);
/// ```
pub fn each_counted_loop<P>(
    f: &mut Function,
    mut plan: impl FnMut(&Function, &LoopRound<'_>, Loop, CountedLoop) -> Option<P>,
    apply: impl FnMut(&mut Function, P),
) {
    each_loop(
        f,
        |f, round, lp| {
            let cl = counted_loop(f, round.cfg, round.domtree, round.loops, lp)?;
            plan(f, round, lp, cl)
        },
        apply,
    );
}

/// [`each_counted_loop`] for every loop, counted or not: offers each loop's header once
/// to `plan`, and runs `apply` on the first plan of a round before recomputing the analyses.
pub fn each_loop<P>(
    f: &mut Function,
    mut plan: impl FnMut(&Function, &LoopRound<'_>, Loop) -> Option<P>,
    mut apply: impl FnMut(&mut Function, P),
) {
    if f.entry_block().is_none() {
        return;
    }
    let mut offered: Vec<Block> = Vec::new();
    loop {
        let cfg = ControlFlowGraph::with_function(f);
        let domtree = DominatorTree::with_function(f, &cfg);
        let loops = LoopAnalysis::with_function(f, &cfg, &domtree);
        let round = LoopRound { cfg: &cfg, domtree: &domtree, loops: &loops };
        let mut chosen = None;
        for lp in loops.loops() {
            let header = loops.header(lp);
            if offered.contains(&header) {
                continue;
            }
            offered.push(header);
            if let Some(p) = plan(f, &round, lp) {
                chosen = Some(p);
                break;
            }
        }
        let Some(p) = chosen else { break };
        apply(f, p);
    }
}
