//! Not a pass: the block copying that the loop-copying passes (`index-split`,
//! `version-ranges`) share. [`copy_blocks`] makes new blocks with the same parameter types
//! and copies of (possibly rewritten) instructions, recording which block and value became
//! which; [`BlockCopy::remap`] then points the copies' operands and branch targets at the
//! copies. The two steps are apart so a pass can map a value of the original to something
//! else in the copy before remapping.
//!
//! What it must not do: change the original blocks, or decide what to copy.

use crate::entities::{Block, Inst, Value};
use crate::function::Function;
use crate::instructions::InstData;
use crate::types::Type;
use std::collections::HashMap;

/// Copies of some blocks: block and value maps (original → copy) and the copied
/// instructions, whose operands still name the originals until [`BlockCopy::remap`].
pub(crate) struct BlockCopy {
    pub blocks: HashMap<Block, Block>,
    pub values: HashMap<Value, Value>,
    pub insts: Vec<Inst>,
}

/// Copies `order` (in that order) into new blocks laid out before `before`. Each
/// instruction is copied as `rewrite` returns it (`None` leaves it out); a copy keeps the
/// result type of its original.
pub(crate) fn copy_blocks(
    f: &mut Function,
    order: &[Block],
    before: Block,
    mut rewrite: impl FnMut(&Function, Inst) -> Option<InstData>,
) -> BlockCopy {
    let mut copy = BlockCopy { blocks: HashMap::new(), values: HashMap::new(), insts: Vec::new() };
    for &b in order {
        let nb = f.dfg.make_block();
        f.layout.insert_block_before(nb, before);
        for &p in f.dfg.block_params(b).to_vec().iter() {
            let ty = f.dfg.value_type(p);
            copy.values.insert(p, f.dfg.append_block_param(nb, ty));
        }
        copy.blocks.insert(b, nb);
    }
    for &b in order {
        let Some(&nb) = copy.blocks.get(&b) else { continue };
        let insts: Vec<Inst> = f.layout.block_insts(b).collect();
        for inst in insts {
            let Some(data) = rewrite(f, inst) else { continue };
            let ty = f.dfg.inst_result(inst).map(|r| f.dfg.value_type(r));
            let new = f.dfg.make_inst(data, ty);
            f.layout.append_inst(new, nb);
            if let (Some(old), Some(nv)) = (f.dfg.inst_result(inst), f.dfg.inst_result(new)) {
                copy.values.insert(old, nv);
            }
            copy.insts.push(new);
        }
    }
    copy
}

impl BlockCopy {
    /// Points the copied instructions' operands and branch targets at the copies.
    pub(crate) fn remap(&self, f: &mut Function) {
        for &new in &self.insts {
            let data = &mut f.dfg.insts[new];
            data.map_values(|v| self.values.get(&v).copied().unwrap_or(v));
            data.for_each_target_mut(|t| {
                if let Some(&nb) = self.blocks.get(&t.block) {
                    t.block = nb;
                }
            });
        }
    }
}

/// Inserts `data` (with a result of type `ty`) before `before` and returns its result.
pub(crate) fn insert_before(f: &mut Function, before: Inst, data: InstData, ty: Type) -> Value {
    let inst = f.dfg.make_inst(data, None);
    f.layout.insert_inst_before(inst, before);
    f.dfg.set_result(inst, ty)
}
