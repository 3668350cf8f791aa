//! Global value numbering: dominator-scoped common-subexpression elimination.
//!
//! Walks the dominator tree in preorder with a scoped hash table keyed by the instruction
//! (opcode, operands, immediates, flags, result type; operands of commutative opcodes in a
//! canonical order). A pure instruction equal to one in a dominating position is removed
//! and its result replaced by the earlier one. This is the hash-based scoped GVN of
//! Briggs, Cooper and Simpson, "Value Numbering" (1997), without the phi handling.
//!
//! What it must not do: merge anything that is not `PURE` (a `load` may see a different
//! memory after a `store`, a trapping op must trap where it stands), or merge across
//! blocks that do not dominate each other.

use crate::analysis::{ControlFlowGraph, DominatorTree};
use crate::entities::{Block, Inst, SecondaryMap, Value};
use crate::function::Function;
use crate::instructions::InstData;
use crate::module::Module;
use crate::types::Type;
use std::collections::HashMap;

/// Numbers the values of every function of `module`.
pub fn run(module: &mut Module) {
    for f in module.functions.values_mut() {
        run_function(f);
    }
}

/// Numbers the values of one function.
pub fn run_function(f: &mut Function) {
    if f.entry_block().is_none() {
        return;
    }
    let cfg = ControlFlowGraph::with_function(f);
    let domtree = DominatorTree::with_function(f, &cfg);
    let mut table: HashMap<(InstData, Type), Value> = HashMap::new();
    // Keys added by each open scope, to drop when the walk leaves it.
    let mut scopes: Vec<(Block, Vec<(InstData, Type)>)> = Vec::new();
    let mut subst: SecondaryMap<Value, Option<Value>> = SecondaryMap::new();
    let mut dead: Vec<Inst> = Vec::new();
    for &b in domtree.preorder() {
        while let Some((top, _)) = scopes.last() {
            if domtree.dominates(*top, b) {
                break;
            }
            if let Some((_, keys)) = scopes.pop() {
                for k in keys {
                    table.remove(&k);
                }
            }
        }
        let mut keys = Vec::new();
        let insts: Vec<Inst> = f.layout.block_insts(b).collect();
        for inst in insts {
            let data = &f.dfg.insts[inst];
            let op = data.opcode();
            if !op.is_pure() {
                continue;
            }
            let Some(r) = f.dfg.inst_result(inst) else { continue };
            let mut key = data.clone();
            key.map_values(|v| resolve(&subst, v));
            if op.is_commutative() {
                if let InstData::Binary { args, .. } = &mut key {
                    args.sort();
                }
            }
            let key = (key, f.dfg.value_type(r));
            match table.get(&key) {
                Some(&earlier) => {
                    subst[r] = Some(earlier);
                    dead.push(inst);
                }
                None => {
                    table.insert(key.clone(), r);
                    keys.push(key);
                }
            }
        }
        scopes.push((b, keys));
    }
    if dead.is_empty() {
        return;
    }
    f.dfg.replace_uses(&subst);
    for inst in dead {
        f.layout.remove_inst(inst);
        f.dfg.clear_result(inst);
    }
}

fn resolve(subst: &SecondaryMap<Value, Option<Value>>, mut v: Value) -> Value {
    while let Some(w) = subst[v] {
        v = w;
    }
    v
}
