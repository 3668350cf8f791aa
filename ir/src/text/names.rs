//! Canonical numbering of a function's blocks and values, as the printer writes them:
//! blocks in layout order (`block0` is the entry), values in order of definition (each
//! block's parameters, then its instructions' results, block by block), whatever the entity
//! numbers in memory are. Anything that quotes IR (the printer, verifier messages) names
//! entities through [`Names`] so that names agree with printed text. This file only
//! numbers; it must not print instructions.

use crate::entities::{Block, EntityRef, SecondaryMap, Value};
use crate::function::Function;
use std::fmt;

/// The printed number of every block and value of one function.
#[derive(Clone, Debug)]
pub struct Names {
    blocks: SecondaryMap<Block, Option<u32>>,
    values: SecondaryMap<Value, Option<u32>>,
}

impl Names {
    /// Numbers the blocks and values of `f` that are placed in its layout. Values defined
    /// outside the layout (detached, or in blocks or instructions not placed) get no number.
    pub fn new(f: &Function) -> Names {
        let mut blocks = SecondaryMap::with_capacity(f.dfg.blocks.len(), None);
        let mut values = SecondaryMap::with_capacity(f.dfg.values.len(), None);
        let (mut nb, mut nv) = (0u32, 0u32);
        let mut number = |v: Value, values: &mut SecondaryMap<Value, Option<u32>>| {
            // In broken IR a value may be listed twice (it keeps its first number) or not
            // exist (it gets none, and the side table doesn't grow to its index).
            if v.index() < f.dfg.values.len() && values[v].is_none() {
                values[v] = Some(nv);
                nv = nv.saturating_add(1);
            }
        };
        for b in f.layout.blocks() {
            blocks[b] = Some(nb);
            nb = nb.saturating_add(1);
            for &p in f.dfg.blocks.get(b).map_or(&[][..], |d| &d.params) {
                number(p, &mut values);
            }
            for inst in f.layout.block_insts(b) {
                if let Some(r) = f.dfg.inst_result(inst) {
                    number(r, &mut values);
                }
            }
        }
        Names { blocks, values }
    }

    /// The printed number of `b` (`Some(3)` for `block3`), if `b` is in the layout.
    pub fn block_number(&self, b: Block) -> Option<u32> {
        self.blocks[b]
    }

    /// The printed number of `v` (`Some(7)` for `v7`), if `v` is defined in the layout.
    pub fn value_number(&self, v: Value) -> Option<u32> {
        self.values[v]
    }

    /// `b` as printed: `block3`, or `block?<raw index>` if it is not in the layout.
    pub fn block(&self, b: Block) -> impl fmt::Display + use<> {
        EntityName { prefix: "block", number: self.blocks[b], raw: b.index() }
    }

    /// `v` as printed: `v7`, or `v?<raw index>` if it is not defined in the layout.
    pub fn value(&self, v: Value) -> impl fmt::Display + use<> {
        EntityName { prefix: "v", number: self.values[v], raw: v.index() }
    }
}

struct EntityName {
    prefix: &'static str,
    number: Option<u32>,
    raw: usize,
}

impl fmt::Display for EntityName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.number {
            Some(n) => write!(f, "{}{n}", self.prefix),
            // Not a text-format name on purpose: it marks a dangling reference in broken IR.
            None => write!(f, "{}?{}", self.prefix, self.raw),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FunctionBuilder, Linkage, Param, Signature, Type};

    #[test]
    fn numbers_follow_layout_and_definition_order() {
        let sig = Signature::new(vec![Param::scalar("x", Type::I32)], Some(Type::I32));
        let mut f = Function::new("f", Linkage::Local, sig);
        let mut b = FunctionBuilder::new(&mut f);
        let p = b.create_entry_block();
        let late = b.create_block(); // created first, placed last
        let early = b.create_block();
        let param = b.append_block_param(late, Type::I32);
        let c = b.bconst(true);
        // Two different incoming values, so `finalize` keeps the parameter.
        b.brif(c, early, &[], late, &[p[0]]);
        b.switch_to_block(early);
        b.seal_block(early);
        let one = b.iconst(Type::I32, 1);
        let sum = b.iadd(p[0], one);
        b.jump(late, &[sum]);
        b.switch_to_block(late);
        b.seal_block(late);
        b.ret(Some(param));
        b.finalize().unwrap();
        let n = Names::new(&f);
        assert_eq!(n.block(early).to_string(), "block1");
        assert_eq!(n.block(late).to_string(), "block2");
        assert_eq!(n.value(p[0]).to_string(), "v0");
        assert_eq!(n.value(c).to_string(), "v1");
        assert_eq!(n.value(one).to_string(), "v2");
        assert_eq!(n.value(sum).to_string(), "v3");
        assert_eq!(n.value(param).to_string(), "v4");
        assert_eq!(n.value_number(Value::from_u32(99)), None);
        assert_eq!(n.value(Value::from_u32(99)).to_string(), "v?99");
    }
}
