//! Recognizes *counted loops*, the shape unrolling and vectorization transform:
//!
//! ```text
//! pre:            ... br header(init...)              ; the preheader
//! header(i, ...): c = icmp slt i, n                   ; nothing else in the header
//!                 brif c, body, exit(...)             ; (or the inverse test, arms swapped)
//! body:           ...straight-line code...
//!                 next = iadd i, 1
//!                 br header(next, ...)                ; the only latch
//! ```
//!
//! with `n` defined outside the loop and `i` a header parameter that starts non-negative
//! (so `i + 1` never wraps under `i < n`). Other header parameters are carried values the
//! caller has to understand (reductions, for the vectorizer).
//!
//! What it must not do: accept a loop with more blocks, another exit, a header that
//! computes anything besides the test, or an induction variable that is not provably
//! non-negative; the transformations rely on every one of these facts.

use crate::analysis::ranges::{const_i64, RangeFacts};
use crate::analysis::{ControlFlowGraph, DominatorTree, Loop, LoopAnalysis};
use crate::entities::{Block, Inst, Value};
use crate::function::Function;
use crate::instructions::{InstData, IntCC};
use crate::opcode::Opcode;
use crate::types::Type;
use crate::ValueDef;

/// A loop of the shape in the module documentation.
#[derive(Clone, Debug)]
pub struct CountedLoop {
    pub preheader: Block,
    pub header: Block,
    pub body: Block,
    /// The block the test leaves to.
    pub exit: Block,
    /// The induction variable (a parameter of `header`) and its index among them.
    pub iv: Value,
    pub iv_index: usize,
    /// The loop-invariant bound: the body runs while `iv <s bound`.
    pub bound: Value,
    /// `iv + 1`, computed in the body and passed back to the header.
    pub next: Value,
    /// The header's test and branch.
    pub test: Inst,
    pub branch: Inst,
    /// The body's `br header(...)`.
    pub latch_jump: Inst,
    /// The preheader's `br header(...)`.
    pub entry_jump: Inst,
}

/// Whether `v` is defined outside `lp` (entry parameters count as outside).
pub fn defined_outside(f: &Function, loops: &LoopAnalysis, lp: Loop, v: Value) -> bool {
    match f.dfg.value_def(v) {
        ValueDef::Param(b, _) => !loops.contains(lp, b),
        ValueDef::Result(i) => f.layout.inst_block(i).is_some_and(|b| !loops.contains(lp, b)),
        ValueDef::Detached => false,
    }
}

/// The test at the top of a loop: its header holds nothing but `c = icmp slt iv, bound`
/// (or `sgt bound, iv`) and a `brif` on `c` (arms either way round), one arm entering the
/// loop without arguments and the other leaving it. `iv` is a header parameter of type
/// `i64` and `bound` is defined outside the loop.
#[derive(Clone, Debug)]
pub struct TopTest {
    pub test: Inst,
    pub branch: Inst,
    pub iv: Value,
    pub iv_index: usize,
    pub bound: Value,
    /// The block the body starts at (the arm into the loop).
    pub inside: Block,
    /// The block the test leaves to.
    pub exit: Block,
}

/// `lp`'s top test, if its header has the shape of [`TopTest`].
pub fn top_test(f: &Function, loops: &LoopAnalysis, lp: Loop) -> Option<TopTest> {
    let header = loops.header(lp);
    let insts: Vec<Inst> = f.layout.block_insts(header).collect();
    let [test, branch] = insts[..] else { return None };
    let InstData::Brif { cond, then_dest, else_dest } = &f.dfg.insts[branch] else { return None };
    let c = f.dfg.inst_result(test)?;
    if *cond != c {
        return None;
    }
    let InstData::IntCompare { cond: cc, args: [a, b] } = f.dfg.insts[test] else { return None };
    let (then_in, else_in) = (loops.contains(lp, then_dest.block), loops.contains(lp, else_dest.block));
    let (cc, inside, exit) = match (then_in, else_in) {
        (true, false) if then_dest.args.is_empty() => (cc, then_dest.block, else_dest.block),
        (false, true) if else_dest.args.is_empty() => (cc.inverse(), else_dest.block, then_dest.block),
        _ => return None,
    };
    let (iv, bound) = match cc {
        IntCC::Slt => (a, b),
        IntCC::Sgt => (b, a),
        _ => return None,
    };
    if f.dfg.value_type(iv) != Type::I64 || !defined_outside(f, loops, lp, bound) {
        return None;
    }
    let iv_index = f.dfg.block_params(header).iter().position(|&p| p == iv)?;
    Some(TopTest { test, branch, iv, iv_index, bound, inside, exit })
}

/// `lp` as a counted loop, if it has that shape.
pub fn counted_loop(
    f: &Function,
    cfg: &ControlFlowGraph,
    domtree: &DominatorTree,
    loops: &LoopAnalysis,
    lp: Loop,
) -> Option<CountedLoop> {
    let header = loops.header(lp);
    let blocks = loops.blocks(lp);
    if blocks.len() != 2 || loops.children(lp).next().is_some() {
        return None;
    }
    let body = blocks.iter().copied().find(|&b| b != header)?;
    if loops.latches(lp) != [body] || cfg.preds(body).len() != 1 {
        return None;
    }
    let preheader = loops.preheader(lp, cfg)?;
    let entry_jump = f.terminator(preheader)?;
    if !matches!(f.dfg.insts[entry_jump], InstData::Jump { .. }) {
        return None;
    }
    let TopTest { test, branch, iv, iv_index, bound, inside, exit } = top_test(f, loops, lp)?;
    if inside != body {
        return None;
    }
    // The latch passes `iv + 1` back.
    let latch_jump = f.terminator(body)?;
    let InstData::Jump { dest } = &f.dfg.insts[latch_jump] else { return None };
    let next = *dest.args.get(iv_index)?;
    let ValueDef::Result(ni) = f.dfg.value_def(next) else { return None };
    let InstData::Binary { op: Opcode::Iadd, args: [x, y], .. } = f.dfg.insts[ni] else { return None };
    let step_one = (x == iv && const_i64(f, y) == Some(1)) || (y == iv && const_i64(f, x) == Some(1));
    if !step_one || f.layout.inst_block(ni) != Some(body) {
        return None;
    }
    let facts = RangeFacts::new(f, cfg, domtree);
    if !facts.is_nonneg(iv, header) {
        return None;
    }
    Some(CountedLoop { preheader, header, body, exit, iv, iv_index, bound, next, test, branch, latch_jump, entry_jump })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The counted loop of the only function of `text`, if any.
    fn find(text: &str) -> Option<CountedLoop> {
        let Ok(m) = crate::text::parse_module(text) else { panic!("test module parses") };
        let f = m.functions.values().next()?;
        let cfg = ControlFlowGraph::with_function(f);
        let domtree = DominatorTree::with_function(f, &cfg);
        let loops = LoopAnalysis::with_function(f, &cfg, &domtree);
        let lp = loops.loops().next()?;
        counted_loop(f, &cfg, &domtree, &loops, lp)
    }

    fn loop_text(start: i64, step: i64, cmp: &str) -> String {
        format!(
            "export fn @f(n: i64) -> i64 {{\nblock0(v0: i64):\n    v1 = iconst.i64 {start}\n    \
             v2 = iconst.i64 {step}\n    br block1(v1, v1)\nblock1(v3: i64, v4: i64):\n    \
             v5 = icmp.bool {cmp}\n    brif v5, block2, block3\nblock2:\n    v6 = iadd.i64 v4, v3\n    \
             v7 = iadd.i64 v3, v2\n    br block1(v7, v6)\nblock3:\n    return v4\n}}\n"
        )
    }

    #[test]
    fn recognizes_counted_loops() {
        let cl = find(&loop_text(0, 1, "slt v3, v0"));
        assert!(cl.as_ref().is_some_and(|c| c.iv_index == 0), "{cl:?}");
        // The same test written `n > i`.
        assert!(find(&loop_text(3, 1, "sgt v0, v3")).is_some());
    }

    #[test]
    fn rejects_other_shapes() {
        // Step 2 (may wrap), a negative start, a non-strict or unsigned test.
        assert!(find(&loop_text(0, 2, "slt v3, v0")).is_none());
        assert!(find(&loop_text(-1, 1, "slt v3, v0")).is_none());
        assert!(find(&loop_text(0, 1, "sle v3, v0")).is_none());
        assert!(find(&loop_text(0, 1, "ult v3, v0")).is_none());
    }
}
