//! A function: name, linkage, signature, stack slots, and its body (a [`DataFlowGraph`]
//! plus a [`Layout`]). The entry block is the first block in the layout; its parameters
//! are the signature's ABI parameters (slices expanded to `ptr, i64`).

use crate::dfg::DataFlowGraph;
use crate::entities::{Block, Inst, PrimaryMap, StackSlot, Value};
use crate::instructions::InstData;
use crate::layout::Layout;
use crate::signature::Signature;

/// Whether a function can be called from outside its module.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum Linkage {
    /// Callable by the embedder (`export fn`).
    Export,
    /// Callable only from inside the module (`fn`).
    Local,
}

/// A stack slot: `size` bytes aligned to `align` (a power of two), zero-initialised on
/// every call.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub struct StackSlotData {
    pub size: u32,
    pub align: u32,
}

/// One IR function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Function {
    pub name: String,
    pub linkage: Linkage,
    pub sig: Signature,
    pub stack_slots: PrimaryMap<StackSlot, StackSlotData>,
    pub dfg: DataFlowGraph,
    pub layout: Layout,
}

impl Function {
    /// An empty function (no blocks yet).
    pub fn new(name: impl Into<String>, linkage: Linkage, sig: Signature) -> Self {
        Function {
            name: name.into(),
            linkage,
            sig,
            stack_slots: PrimaryMap::new(),
            dfg: DataFlowGraph::new(),
            layout: Layout::new(),
        }
    }

    /// The entry block, if the function has a body.
    pub fn entry_block(&self) -> Option<Block> {
        self.layout.entry_block()
    }

    /// The entry block's parameters (the ABI parameters), or nothing if there is no body.
    pub fn params(&self) -> &[Value] {
        match self.entry_block() {
            Some(b) => self.dfg.block_params(b),
            None => &[],
        }
    }

    /// The operands of `inst`.
    pub fn inst(&self, inst: Inst) -> &InstData {
        &self.dfg.insts[inst]
    }

    /// The terminator of `b` (its last instruction if that is a terminator).
    pub fn terminator(&self, b: Block) -> Option<Inst> {
        let last = self.layout.last_inst(b)?;
        self.dfg.insts[last].opcode().is_terminator().then_some(last)
    }

    /// Number of instructions placed in the layout.
    pub fn inst_count(&self) -> usize {
        self.layout.blocks().map(|b| self.layout.block_insts(b).count()).sum()
    }

    /// Creates a stack slot.
    pub fn create_stack_slot(&mut self, size: u32, align: u32) -> StackSlot {
        self.stack_slots.push(StackSlotData { size, align })
    }
}
