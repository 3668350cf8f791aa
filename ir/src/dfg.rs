//! The data-flow graph of a function: what each instruction is, which values exist, their
//! types and where each is defined, and the parameters of each block. Order lives in
//! [`crate::Layout`]. There are no use lists; passes that replace values collect a
//! substitution and apply it with [`DataFlowGraph::replace_uses`] in one sweep.

use crate::entities::{Block, Inst, PrimaryMap, SecondaryMap, Value};
use crate::instructions::InstData;
use crate::types::Type;

/// Where a value comes from.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum ValueDef {
    /// The result of an instruction.
    Result(Inst),
    /// Parameter number `.1` of a block.
    Param(Block, u32),
    /// Removed from its block or instruction; must not be used.
    Detached,
}

/// A value's type and definition.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub struct ValueData {
    pub ty: Type,
    pub def: ValueDef,
}

/// A block's parameters.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Default)]
pub struct BlockData {
    pub params: Vec<Value>,
}

/// Instructions, values and blocks of one function.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DataFlowGraph {
    pub insts: PrimaryMap<Inst, InstData>,
    results: SecondaryMap<Inst, Option<Value>>,
    pub values: PrimaryMap<Value, ValueData>,
    pub blocks: PrimaryMap<Block, BlockData>,
}

impl DataFlowGraph {
    pub fn new() -> Self {
        Self::default()
    }

    /// Creates an instruction (not yet placed in the layout), with a result value of type
    /// `result` if given.
    pub fn make_inst(&mut self, data: InstData, result: Option<Type>) -> Inst {
        let inst = self.insts.push(data);
        if let Some(ty) = result {
            let v = self.values.push(ValueData { ty, def: ValueDef::Result(inst) });
            self.results[inst] = Some(v);
        }
        inst
    }

    /// The result value of `inst`, if it has one.
    pub fn inst_result(&self, inst: Inst) -> Option<Value> {
        self.results[inst]
    }

    /// Replaces what `inst` does, keeping its result value (and so its uses).
    pub fn replace_inst(&mut self, inst: Inst, data: InstData) {
        self.insts[inst] = data;
    }

    /// Gives `inst` a new result value of type `ty` (replacing any old one, which becomes
    /// detached) and returns it.
    pub fn set_result(&mut self, inst: Inst, ty: Type) -> Value {
        if let Some(old) = self.results[inst] {
            self.values[old].def = ValueDef::Detached;
        }
        let v = self.values.push(ValueData { ty, def: ValueDef::Result(inst) });
        self.results[inst] = Some(v);
        v
    }

    /// Drops the result of `inst` (the old value becomes detached).
    pub fn clear_result(&mut self, inst: Inst) {
        if let Some(old) = self.results[inst].take() {
            self.values[old].def = ValueDef::Detached;
        }
    }

    pub fn value_type(&self, v: Value) -> Type {
        self.values[v].ty
    }
    pub fn value_def(&self, v: Value) -> ValueDef {
        self.values[v].def
    }
    /// Whether `v` names a value of this function (and not a detached one).
    pub fn value_is_valid(&self, v: Value) -> bool {
        self.values.get(v).is_some_and(|d| d.def != ValueDef::Detached)
    }

    /// Creates a block with no parameters (not yet placed in the layout).
    pub fn make_block(&mut self) -> Block {
        self.blocks.push(BlockData::default())
    }

    pub fn block_params(&self, b: Block) -> &[Value] {
        &self.blocks[b].params
    }

    /// Adds a parameter of type `ty` at the end of `b`'s list.
    pub fn append_block_param(&mut self, b: Block, ty: Type) -> Value {
        let n = self.blocks[b].params.len() as u32;
        let v = self.values.push(ValueData { ty, def: ValueDef::Param(b, n) });
        self.blocks[b].params.push(v);
        v
    }

    /// Removes parameter `idx` of `b` (the value becomes detached). The caller must also
    /// remove the matching argument from every branch to `b`.
    pub fn remove_block_param(&mut self, b: Block, idx: usize) {
        let v = self.blocks[b].params.remove(idx);
        self.values[v].def = ValueDef::Detached;
        for (i, &p) in self.blocks[b].params.iter().enumerate().skip(idx) {
            self.values[p].def = ValueDef::Param(b, i as u32);
        }
    }

    /// Rewrites every use of a value `v` with `subst(v)`, where `subst` returns `Some`,
    /// in all instructions (operands and branch arguments). Chains are followed, so
    /// `a → b, b → c` rewrites `a` to `c`; `subst` must not contain cycles.
    pub fn replace_uses(&mut self, subst: &SecondaryMap<Value, Option<Value>>) {
        let resolve = |mut v: Value| {
            while let Some(w) = subst[v] {
                v = w;
            }
            v
        };
        for data in self.insts.values_mut() {
            data.map_values(resolve);
        }
    }
}
