//! Range facts about `i64` values, for bounds-check elimination and the vectorizer.
//!
//! A *fact* is a strict inequality `a < b` (signed or unsigned) known to hold at the start
//! of a block. Facts come from two places:
//! - a conditional branch: a block whose only incoming edge is one arm of a `brif` on an
//!   `icmp` gets that comparison (true arm) or its inverse (false arm), when the
//!   comparison is a strict `<` or `>`;
//! - a `bounds_check idx, len` that has executed: `idx <u len` holds after it.
//!
//! A fact holds in every block its source dominates. [`RangeFacts::proves_in_bounds`]
//! answers "is `idx <u len` certain here?" from the facts of the dominating blocks and a
//! little arithmetic: `i < n` with `i >= 0` and `n <= len` (`n` is `len`, a `smin` with
//! `len` as an operand, `len - d`, or a constant no larger than a constant `len`), and
//! the same for `i + c` when `n + c <= len` follows; and `a - b` when `0 <= a < n <= len`
//! and `0 <= b < min(.., a + 1)` (the FIR filter's `x[n - k]`). [`RangeFacts::is_nonneg`] proves
//! `v >= 0` for constants, zero extensions, masks and induction variables that start
//! non-negative and step by one under a `<` test (so they cannot wrap).
//!
//! What it must not do: assume anything about the values of parameters (slice lengths
//! included: the IR does not promise they are non-negative), or trust a fact outside the
//! blocks its source dominates. Every proof is conservative: `false` means "unknown".

use crate::analysis::{ControlFlowGraph, DominatorTree};
use crate::entities::{Block, Inst, SecondaryMap, Value};
use crate::function::Function;
use crate::instructions::{InstData, IntCC};
use crate::opcode::Opcode;
use crate::types::Type;
use crate::ValueDef;
use std::cell::Cell;

/// How deep the non-negativity and bound proofs recurse through definitions.
const MAX_DEPTH: u32 = 8;
/// Block-parameter inductions one query may run.
const PARAM_PROOFS: u32 = 64;

/// A strict inequality between two `i64` values.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub struct Fact {
    /// Unsigned (`<u`) when true, signed (`<s`) when false.
    pub unsigned: bool,
    pub lhs: Value,
    pub rhs: Value,
}

/// The facts of a function: per block, those its incoming edge establishes, and the
/// `bounds_check`s it contains (in order).
pub struct RangeFacts<'a> {
    f: &'a Function,
    domtree: &'a DominatorTree,
    edge: SecondaryMap<Block, Option<Fact>>,
    checks: SecondaryMap<Block, Vec<(Inst, Fact)>>,
    /// Block-parameter inductions left for the current query: a parameter's proof may
    /// start another's, so the work is bounded by a count as well as by `MAX_DEPTH`
    /// (otherwise parameters with many incoming edges could make a query exponential).
    param_proofs: Cell<u32>,
}

impl<'a> RangeFacts<'a> {
    /// Collects the facts of `f`; `cfg` and `domtree` must be up to date.
    pub fn new(f: &'a Function, cfg: &ControlFlowGraph, domtree: &'a DominatorTree) -> Self {
        let mut edge = SecondaryMap::new();
        let mut checks: SecondaryMap<Block, Vec<(Inst, Fact)>> = SecondaryMap::new();
        for b in f.layout.blocks() {
            if let [pred] = cfg.preds(b) {
                edge[b] = edge_fact(f, pred.inst, b);
            }
            for inst in f.layout.block_insts(b) {
                if let InstData::BoundsCheck { args: [idx, len] } = f.dfg.insts[inst] {
                    checks[b].push((inst, Fact { unsigned: true, lhs: idx, rhs: len }));
                }
            }
        }
        RangeFacts { f, domtree, edge, checks, param_proofs: Cell::new(PARAM_PROOFS) }
    }

    /// The facts that hold just before `at` (an instruction of block `block`): the edge
    /// facts of `block` and its dominators, the checks of the dominators, and the checks
    /// of `block` placed before `at`.
    pub fn facts_before(&self, block: Block, at: Option<Inst>) -> Vec<Fact> {
        let mut out = Vec::new();
        let mut b = Some(block);
        let mut first = true;
        while let Some(cur) = b {
            out.extend(self.edge[cur]);
            for &(inst, fact) in &self.checks[cur] {
                if first && Some(inst) == at {
                    break;
                }
                out.push(fact);
            }
            first = false;
            b = self.domtree.idom(cur);
        }
        out
    }

    /// Whether `idx <u len` is certain just before `at` in `block`.
    pub fn proves_in_bounds(&self, block: Block, at: Option<Inst>, idx: Value, len: Value) -> bool {
        self.param_proofs.set(PARAM_PROOFS);
        if let (Some(i), Some(l)) = (self.const_i64(idx), self.const_i64(len)) {
            if (i as u64) < (l as u64) {
                return true;
            }
        }
        let facts = self.facts_before(block, at);
        if let Some((Opcode::Isub, [a, b])) = self.binary(idx) {
            if self.difference_in_bounds(&facts, block, a, b, len) {
                return true;
            }
        }
        let (base, c) = self.split_offset(idx);
        for fact in facts {
            if fact.unsigned {
                if fact.lhs == idx && self.le_unsigned(fact.rhs, len, 0) {
                    return true;
                }
            } else if fact.lhs == base && self.le_signed(fact.rhs, len, c, 0) && self.is_nonneg(base, block) {
                return true;
            }
        }
        false
    }

    /// Whether `a - b <u len` (the FIR pattern `x[n - k]` with `k < min(.., n + 1)`):
    /// `0 <= a <s y <= len` and `0 <= b <s z <= a + 1`, so `0 <= a - b <= a < len`.
    /// (`a + 1` cannot wrap because `a < y <= len`.)
    fn difference_in_bounds(&self, facts: &[Fact], block: Block, a: Value, b: Value, len: Value) -> bool {
        let a_below = facts.iter().any(|f| !f.unsigned && f.lhs == a && self.le_signed(f.rhs, len, 0, 0));
        let b_le_a = facts.iter().any(|f| !f.unsigned && f.lhs == b && self.le_succ(f.rhs, a, 0));
        a_below && b_le_a && self.is_nonneg(a, block) && self.is_nonneg(b, block)
    }

    /// Whether `z <= a + 1`: `z` is `a + 1`, or a `smin` with such an operand.
    fn le_succ(&self, z: Value, a: Value, depth: u32) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        match self.binary(z) {
            Some((Opcode::Iadd, [x, y])) => {
                (x == a && self.const_i64(y) == Some(1)) || (y == a && self.const_i64(x) == Some(1))
            }
            Some((Opcode::Smin, [x, y])) => self.le_succ(x, a, depth + 1) || self.le_succ(y, a, depth + 1),
            _ => false,
        }
    }

    /// `v` as `x + c` with a constant `c >= 0` (`c = 0` when `v` is not such a sum).
    fn split_offset(&self, v: Value) -> (Value, i64) {
        if let Some((op, [a, b])) = self.binary(v) {
            if op == Opcode::Iadd {
                for (x, k) in [(a, b), (b, a)] {
                    if let Some(c) = self.const_i64(k).filter(|&c| c >= 0) {
                        return (x, c);
                    }
                }
            }
        }
        (v, 0)
    }

    /// Whether `y + c <= len` (as mathematical integers), or `len` is negative (then every
    /// non-negative index is below it as an unsigned number).
    fn le_signed(&self, y: Value, len: Value, c: i64, depth: u32) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        if c == 0 && y == len {
            return true;
        }
        if let (Some(cy), Some(cl)) = (self.const_i64(y), self.const_i64(len)) {
            return i128::from(cy) + i128::from(c) <= i128::from(cl);
        }
        match self.binary(y) {
            Some((Opcode::Smin, [a, b])) => {
                self.le_signed(a, len, c, depth + 1) || self.le_signed(b, len, c, depth + 1)
            }
            Some((Opcode::Isub, [z, d])) => self.const_i64(d).is_some_and(|d| d >= c && self.no_wrap_le(z, len, depth)),
            Some((Opcode::Iadd, [a, b])) => [(a, b), (b, a)].into_iter().any(|(z, d)| {
                self.const_i64(d).is_some_and(|d| d <= 0 && d.checked_neg().is_some_and(|n| n >= c))
                    && self.no_wrap_le(z, len, depth)
            }),
            _ => false,
        }
    }

    /// For `z - d` (small `d >= 0`): `z <= len`, and either `z` is `len` itself (if the
    /// subtraction wraps, `len` is hugely negative and any non-negative index is below it
    /// unsigned) or `z >= 0` (so it cannot wrap).
    fn no_wrap_le(&self, z: Value, len: Value, depth: u32) -> bool {
        z == len || (self.le_signed(z, len, 0, depth + 1) && self.nonneg_rec(z, None, depth + 1))
    }

    /// Whether `y <=u len`.
    fn le_unsigned(&self, y: Value, len: Value, depth: u32) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        if y == len {
            return true;
        }
        if let (Some(cy), Some(cl)) = (self.const_i64(y), self.const_i64(len)) {
            return (cy as u64) <= (cl as u64);
        }
        match self.binary(y) {
            Some((Opcode::Umin, [a, b])) => self.le_unsigned(a, len, depth + 1) || self.le_unsigned(b, len, depth + 1),
            _ => false,
        }
    }

    /// Whether `v >= 0` (signed) wherever `v` is defined; `_at` is the block asking.
    pub fn is_nonneg(&self, v: Value, _at: Block) -> bool {
        self.param_proofs.set(PARAM_PROOFS);
        self.nonneg_rec(v, None, 0)
    }

    /// `assumed`: a block parameter being proved inductively (treated as non-negative).
    fn nonneg_rec(&self, v: Value, assumed: Option<Value>, depth: u32) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        if Some(v) == assumed {
            return true;
        }
        if let Some(c) = self.const_i64(v) {
            return c >= 0;
        }
        match self.f.dfg.value_def(v) {
            ValueDef::Result(inst) => match &self.f.dfg.insts[inst] {
                InstData::Unary { op: Opcode::Zext, arg, .. } => self.f.dfg.value_type(*arg).lane_bits() < 64,
                InstData::Binary { op: Opcode::Band, args: [a, b], .. } => {
                    self.nonneg_rec(*a, assumed, depth + 1) || self.nonneg_rec(*b, assumed, depth + 1)
                }
                InstData::Binary { op: Opcode::Smax, args: [a, b], .. } => {
                    self.nonneg_rec(*a, assumed, depth + 1) || self.nonneg_rec(*b, assumed, depth + 1)
                }
                InstData::Binary { op: Opcode::Smin, args: [a, b], .. } => {
                    self.nonneg_rec(*a, assumed, depth + 1) && self.nonneg_rec(*b, assumed, depth + 1)
                }
                _ => false,
            },
            ValueDef::Param(block, n) => {
                let left = self.param_proofs.get();
                if Some(block) == self.f.entry_block() || left == 0 {
                    return false;
                }
                self.param_proofs.set(left - 1);
                // Another parameter than the one assumed (e.g. the counter of a loop that
                // runs before this one and hands its last value on): proved by an induction
                // of its own, which does not use the assumption (`depth` bounds a cycle).
                self.param_nonneg(v, block, n as usize, depth)
            }
            ValueDef::Detached => false,
        }
    }

    /// A block parameter is non-negative when every incoming argument is, assuming the
    /// parameter itself is (induction): an argument `p + 1` counts when the edge's source
    /// block knows `p <s y` for some `y` (so the increment cannot wrap).
    fn param_nonneg(&self, p: Value, block: Block, n: usize, depth: u32) -> bool {
        let mut any = false;
        for pb in self.f.layout.blocks() {
            let Some(term) = self.f.terminator(pb) else { continue };
            let mut ok = true;
            self.f.dfg.insts[term].for_each_target(|call| {
                if call.block != block {
                    return;
                }
                any = true;
                let Some(&arg) = call.args.get(n) else {
                    ok = false;
                    return;
                };
                ok &= self.incoming_nonneg(p, arg, pb, depth);
            });
            if !ok {
                return false;
            }
        }
        any
    }

    fn incoming_nonneg(&self, p: Value, arg: Value, from: Block, depth: u32) -> bool {
        if arg == p {
            return true;
        }
        if let Some((Opcode::Iadd, [a, b])) = self.binary(arg) {
            let step_one = (a == p && self.const_i64(b) == Some(1)) || (b == p && self.const_i64(a) == Some(1));
            if step_one {
                return self.facts_before(from, None).iter().any(|f| !f.unsigned && f.lhs == p);
            }
        }
        self.nonneg_rec(arg, Some(p), depth + 1)
    }

    /// The value of an `iconst.i64`.
    pub fn const_i64(&self, v: Value) -> Option<i64> {
        const_i64(self.f, v)
    }

    fn binary(&self, v: Value) -> Option<(Opcode, [Value; 2])> {
        match self.f.dfg.value_def(v) {
            ValueDef::Result(inst) => match self.f.dfg.insts[inst] {
                InstData::Binary { op, args, .. } => Some((op, args)),
                _ => None,
            },
            _ => None,
        }
    }
}

/// The value of `v` if it is an `iconst.i64`.
pub fn const_i64(f: &Function, v: Value) -> Option<i64> {
    match f.dfg.value_def(v) {
        ValueDef::Result(inst) => match f.dfg.insts[inst] {
            InstData::IntConst { imm } if f.dfg.value_type(v) == Type::I64 => Some(imm),
            _ => None,
        },
        _ => None,
    }
}

/// The fact the edge from `term` (a terminator) to `target` establishes, if `term` is a
/// `brif` on a strict integer comparison with exactly one arm to `target`.
fn edge_fact(f: &Function, term: Inst, target: Block) -> Option<Fact> {
    let InstData::Brif { cond, then_dest, else_dest } = &f.dfg.insts[term] else { return None };
    if then_dest.block == else_dest.block {
        return None;
    }
    let ValueDef::Result(ci) = f.dfg.value_def(*cond) else { return None };
    let InstData::IntCompare { cond: cc, args: [a, b] } = f.dfg.insts[ci] else { return None };
    if f.dfg.value_type(a) != Type::I64 {
        return None;
    }
    let cc = if then_dest.block == target { cc } else { cc.inverse() };
    let (unsigned, lhs, rhs) = match cc {
        IntCC::Slt => (false, a, b),
        IntCC::Sgt => (false, b, a),
        IntCC::Ult => (true, a, b),
        IntCC::Ugt => (true, b, a),
        _ => return None,
    };
    Some(Fact { unsigned, lhs, rhs })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chain of `levels` blocks whose parameter gets the previous block's parameter on
    /// `fan` edges each, starting from 0: every sub-proof succeeds, so without a bound on the
    /// inductions proving the last one non-negative runs `fan^levels` of them.
    fn fan_chain(levels: usize, fan: usize) -> Function {
        let mut t = String::from(
            "fn @f(x: i64, c: bool) -> i64 {\nblock0(v0: i64, v1: bool):\n    v2 = iconst.i64 0\n    br block1(v2)\n",
        );
        let mut next_block = 1 + levels + 1;
        for k in 1..=levels {
            let p = 100 + k;
            t += &format!("block{k}(v{p}: i64):\n");
            // `fan` edges to block k + 1, through a chain of brifs.
            for j in 0..fan {
                let spoke = next_block;
                next_block += 1;
                if j + 1 < fan {
                    let rest = next_block + fan; // a fresh block for the rest of the chain
                    t += &format!("    brif v1, block{spoke}, block{rest}\n");
                    t += &format!("block{spoke}:\n    br block{}(v{p})\nblock{rest}:\n", k + 1);
                } else {
                    t += &format!("    br block{}(v{p})\n", k + 1);
                }
            }
            next_block += fan;
        }
        let last = levels + 1;
        t += &format!("block{last}(v999: i64):\n    return v999\n}}\n");
        let m = crate::text::parse_module(&t).unwrap_or_else(|e| panic!("{e}\n{t}"));
        m.functions.values().next().cloned().unwrap_or_else(|| unreachable!())
    }

    #[test]
    fn nested_parameter_inductions_are_bounded() {
        let f = fan_chain(7, 12);
        let cfg = ControlFlowGraph::with_function(&f);
        let domtree = DominatorTree::with_function(&f, &cfg);
        let facts = RangeFacts::new(&f, &cfg, &domtree);
        let last = f.layout.blocks().last().unwrap_or_else(|| unreachable!());
        let p = f.dfg.block_params(last)[0];
        let start = std::time::Instant::now();
        // Out of budget, the answer is the conservative "not proved".
        assert!(!facts.is_nonneg(p, last));
        // 12^7 proofs would take hours; the bound makes it instant (generous for debug builds).
        assert!(start.elapsed() < std::time::Duration::from_secs(5), "took {:?}", start.elapsed());
    }

    #[test]
    fn a_counter_handed_on_from_an_earlier_loop_is_non_negative() {
        let t = "fn @f(n: i64) {\nblock0(v0: i64):\n    v1 = iconst.i64 0\n    v2 = iconst.i64 1\n    br block1(v1)\n\
                 block1(v3: i64):\n    v4 = icmp.bool slt v3, v0\n    brif v4, block2, block3\n\
                 block2:\n    v5 = iadd.i64 v3, v2\n    br block1(v5)\n\
                 block3:\n    br block4(v3)\n\
                 block4(v6: i64):\n    v7 = icmp.bool slt v6, v0\n    brif v7, block5, block6\n\
                 block5:\n    v8 = iadd.i64 v6, v2\n    br block4(v8)\n\
                 block6:\n    return\n}\n";
        let m = crate::text::parse_module(t).unwrap_or_else(|e| panic!("{e}"));
        let f = m.functions.values().next().cloned().unwrap_or_else(|| unreachable!());
        let cfg = ControlFlowGraph::with_function(&f);
        let domtree = DominatorTree::with_function(&f, &cfg);
        let facts = RangeFacts::new(&f, &cfg, &domtree);
        let second = f.layout.blocks().nth(4).unwrap_or_else(|| unreachable!());
        let p = f.dfg.block_params(second)[0];
        assert!(facts.is_nonneg(p, second));
    }
}
