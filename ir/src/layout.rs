//! Where blocks and instructions stand: the order of blocks in a function and of
//! instructions in a block, as doubly linked lists over entity side tables, so that
//! inserting, removing and moving is O(1) (unrolling and vectorization need that).
//! What an instruction *is* lives in [`crate::DataFlowGraph`]; this file must not look at it.

use crate::entities::{Block, Inst, SecondaryMap};

#[derive(Clone, Copy, Default, PartialEq, Eq, Debug, Hash)]
struct BlockNode {
    prev: Option<Block>,
    next: Option<Block>,
    first_inst: Option<Inst>,
    last_inst: Option<Inst>,
    inserted: bool,
}

#[derive(Clone, Copy, Default, PartialEq, Eq, Debug, Hash)]
struct InstNode {
    block: Option<Block>,
    prev: Option<Inst>,
    next: Option<Inst>,
}

/// Block order and instruction order of one function.
#[derive(Clone, Default, Debug, PartialEq, Eq)]
pub struct Layout {
    blocks: SecondaryMap<Block, BlockNode>,
    insts: SecondaryMap<Inst, InstNode>,
    first_block: Option<Block>,
    last_block: Option<Block>,
}

impl Layout {
    pub fn new() -> Self {
        Self::default()
    }

    /// The first block: the function's entry.
    pub fn entry_block(&self) -> Option<Block> {
        self.first_block
    }
    pub fn last_block(&self) -> Option<Block> {
        self.last_block
    }
    pub fn is_block_inserted(&self, b: Block) -> bool {
        self.blocks[b].inserted
    }
    pub fn next_block(&self, b: Block) -> Option<Block> {
        self.blocks[b].next
    }
    pub fn prev_block(&self, b: Block) -> Option<Block> {
        self.blocks[b].prev
    }

    /// Puts `b` at the end of the block list.
    pub fn append_block(&mut self, b: Block) {
        debug_assert!(!self.is_block_inserted(b), "{b} already in layout");
        let prev = self.last_block;
        self.blocks[b] = BlockNode { prev, next: None, first_inst: None, last_inst: None, inserted: true };
        match prev {
            Some(p) => self.blocks[p].next = Some(b),
            None => self.first_block = Some(b),
        }
        self.last_block = Some(b);
    }

    /// Puts `b` right after `after`.
    pub fn insert_block_after(&mut self, b: Block, after: Block) {
        debug_assert!(!self.is_block_inserted(b) && self.is_block_inserted(after));
        let next = self.blocks[after].next;
        self.blocks[b] = BlockNode { prev: Some(after), next, first_inst: None, last_inst: None, inserted: true };
        self.blocks[after].next = Some(b);
        match next {
            Some(n) => self.blocks[n].prev = Some(b),
            None => self.last_block = Some(b),
        }
    }

    /// Puts `b` right before `before`.
    pub fn insert_block_before(&mut self, b: Block, before: Block) {
        debug_assert!(!self.is_block_inserted(b) && self.is_block_inserted(before));
        let prev = self.blocks[before].prev;
        self.blocks[b] = BlockNode { prev, next: Some(before), first_inst: None, last_inst: None, inserted: true };
        self.blocks[before].prev = Some(b);
        match prev {
            Some(p) => self.blocks[p].next = Some(b),
            None => self.first_block = Some(b),
        }
    }

    /// Takes `b` and all its instructions out of the layout.
    pub fn remove_block(&mut self, b: Block) {
        if !self.is_block_inserted(b) {
            return;
        }
        let insts: Vec<Inst> = self.block_insts(b).collect();
        for i in insts {
            self.insts[i] = InstNode::default();
        }
        let BlockNode { prev, next, .. } = self.blocks[b];
        match prev {
            Some(p) => self.blocks[p].next = next,
            None => self.first_block = next,
        }
        match next {
            Some(n) => self.blocks[n].prev = prev,
            None => self.last_block = prev,
        }
        self.blocks[b] = BlockNode::default();
    }

    /// The blocks in layout order.
    pub fn blocks(&self) -> Blocks<'_> {
        Blocks { layout: self, next: self.first_block }
    }

    pub fn first_inst(&self, b: Block) -> Option<Inst> {
        self.blocks[b].first_inst
    }
    /// The last instruction of `b`: its terminator once the block is complete.
    pub fn last_inst(&self, b: Block) -> Option<Inst> {
        self.blocks[b].last_inst
    }
    pub fn next_inst(&self, i: Inst) -> Option<Inst> {
        self.insts[i].next
    }
    pub fn prev_inst(&self, i: Inst) -> Option<Inst> {
        self.insts[i].prev
    }
    /// The block holding `i`, if `i` is in the layout.
    pub fn inst_block(&self, i: Inst) -> Option<Block> {
        self.insts[i].block
    }

    /// The instructions of `b` in order.
    pub fn block_insts(&self, b: Block) -> Insts<'_> {
        Insts { layout: self, next: self.blocks[b].first_inst }
    }

    /// Puts `i` at the end of `b`.
    pub fn append_inst(&mut self, i: Inst, b: Block) {
        debug_assert!(self.is_block_inserted(b) && self.insts[i].block.is_none());
        let prev = self.blocks[b].last_inst;
        self.insts[i] = InstNode { block: Some(b), prev, next: None };
        match prev {
            Some(p) => self.insts[p].next = Some(i),
            None => self.blocks[b].first_inst = Some(i),
        }
        self.blocks[b].last_inst = Some(i);
    }

    /// Puts `i` right before `before` (in the same block).
    pub fn insert_inst_before(&mut self, i: Inst, before: Inst) {
        let b = self.insts[before].block;
        debug_assert!(b.is_some() && self.insts[i].block.is_none());
        let Some(b) = b else { return };
        let prev = self.insts[before].prev;
        self.insts[i] = InstNode { block: Some(b), prev, next: Some(before) };
        self.insts[before].prev = Some(i);
        match prev {
            Some(p) => self.insts[p].next = Some(i),
            None => self.blocks[b].first_inst = Some(i),
        }
    }

    /// Puts `i` right after `after` (in the same block).
    pub fn insert_inst_after(&mut self, i: Inst, after: Inst) {
        match self.insts[after].next {
            Some(n) => self.insert_inst_before(i, n),
            None => {
                if let Some(b) = self.insts[after].block {
                    self.append_inst(i, b)
                }
            }
        }
    }

    /// Takes `i` out of the layout (it stays in the DFG).
    pub fn remove_inst(&mut self, i: Inst) {
        let InstNode { block, prev, next } = self.insts[i];
        let Some(b) = block else { return };
        match prev {
            Some(p) => self.insts[p].next = next,
            None => self.blocks[b].first_inst = next,
        }
        match next {
            Some(n) => self.insts[n].prev = prev,
            None => self.blocks[b].last_inst = prev,
        }
        self.insts[i] = InstNode::default();
    }
}

/// Iterator over blocks in layout order.
pub struct Blocks<'a> {
    layout: &'a Layout,
    next: Option<Block>,
}

impl Iterator for Blocks<'_> {
    type Item = Block;
    fn next(&mut self) -> Option<Block> {
        let b = self.next?;
        self.next = self.layout.blocks[b].next;
        Some(b)
    }
}

/// Iterator over the instructions of a block in order.
pub struct Insts<'a> {
    layout: &'a Layout,
    next: Option<Inst>,
}

impl Iterator for Insts<'_> {
    type Item = Inst;
    fn next(&mut self) -> Option<Inst> {
        let i = self.next?;
        self.next = self.layout.insts[i].next;
        Some(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::EntityRef;

    #[test]
    fn insert_and_remove() {
        let mut l = Layout::new();
        let (b0, b1, b2) = (Block::new(0), Block::new(1), Block::new(2));
        l.append_block(b0);
        l.append_block(b2);
        l.insert_block_after(b1, b0);
        assert_eq!(l.blocks().collect::<Vec<_>>(), vec![b0, b1, b2]);
        let (i0, i1, i2) = (Inst::new(0), Inst::new(1), Inst::new(2));
        l.append_inst(i0, b1);
        l.append_inst(i2, b1);
        l.insert_inst_before(i1, i2);
        assert_eq!(l.block_insts(b1).collect::<Vec<_>>(), vec![i0, i1, i2]);
        l.remove_inst(i1);
        assert_eq!(l.block_insts(b1).collect::<Vec<_>>(), vec![i0, i2]);
        assert_eq!(l.last_inst(b1), Some(i2));
        l.remove_block(b1);
        assert_eq!(l.blocks().collect::<Vec<_>>(), vec![b0, b2]);
        assert_eq!(l.inst_block(i0), None);
    }
}
