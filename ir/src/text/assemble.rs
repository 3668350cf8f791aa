//! Assembles a parsed function body into a [`Function`]: allocates blocks and values in
//! order of definition (the canonical order, so printing and parsing again gives an equal
//! function), renames the provisional entities the parser used to the final ones, and lays
//! out blocks and instructions in text order. It reports nothing: every name it sees has
//! been checked by the scope, and `@name` references are resolved later by the parser.

use super::error::Pos;
use super::scope::Renumbering;
use crate::entities::{Block, Inst, Value};
use crate::function::Function;
use crate::instructions::InstData;
use crate::types::Type;

/// An instruction as parsed: operands name provisional values and blocks; a callee, host
/// function or data object is a placeholder id until `global` is resolved.
pub(crate) struct ParsedInst<'a> {
    pub result: Option<(Value, Type)>,
    pub data: InstData,
    /// The `@name` the instruction refers to, and where.
    pub global: Option<(&'a str, Pos)>,
}

/// A block as parsed, with provisional names.
pub(crate) struct ParsedBlock<'a> {
    pub block: Block,
    pub params: Vec<(Value, Type)>,
    pub insts: Vec<ParsedInst<'a>>,
}

/// Fills the empty body of `func` with `blocks` and returns the instructions whose `@name`
/// reference is still to be resolved.
pub(crate) fn assemble<'a>(
    func: &mut Function,
    blocks: Vec<ParsedBlock<'a>>,
    ren: &Renumbering,
) -> Vec<(Inst, &'a str, Pos)> {
    // Blocks are numbered in order of definition, which is text order.
    for _ in &blocks {
        func.dfg.make_block();
    }
    let mut pending = Vec::new();
    for pb in blocks {
        let b = ren.block(pb.block);
        func.layout.append_block(b);
        // Values are created in the order the parser defined them, so each gets the final
        // number the renumbering predicts.
        for (prov, ty) in pb.params {
            let v = func.dfg.append_block_param(b, ty);
            debug_assert_eq!(v, ren.value(prov));
        }
        for pi in pb.insts {
            let mut data = pi.data;
            data.map_values(|v| ren.value(v));
            data.for_each_target_mut(|t| t.block = ren.block(t.block));
            let inst = func.dfg.make_inst(data, pi.result.map(|(_, ty)| ty));
            debug_assert_eq!(func.dfg.inst_result(inst), pi.result.map(|(v, _)| ren.value(v)));
            func.layout.append_inst(inst, b);
            if let Some((name, pos)) = pi.global {
                pending.push((inst, name, pos));
            }
        }
    }
    pending
}
