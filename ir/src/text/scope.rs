//! The names of one function being parsed. `vN` and `blockN` map, as written, to
//! provisional entities numbered in order of first mention (so a use may come before the
//! definition); the scope remembers where each name was first used and where it was
//! defined, reports names defined twice or never, and finally renumbers the entities in
//! order of definition, which is the order the parser allocates them in. Stack slots
//! (`ssN`) must be declared before use. This file must not read tokens.

use super::error::{shorten, ParseError, Pos};
use crate::entities::{Block, EntityRef, StackSlot, Value};
use std::collections::HashMap;

/// Where a name was first mentioned and where it was defined.
struct Info<'a> {
    name: &'a str,
    first_use: Pos,
    defined: Option<Pos>,
}

/// One namespace (values or blocks) of a function.
struct Table<'a> {
    by_name: HashMap<&'a str, usize>,
    info: Vec<Info<'a>>,
    /// Provisional indices in order of definition.
    defs: Vec<usize>,
}

impl<'a> Table<'a> {
    fn new() -> Self {
        Table { by_name: HashMap::new(), info: Vec::new(), defs: Vec::new() }
    }

    fn mention(&mut self, name: &'a str, pos: Pos) -> usize {
        if let Some(&i) = self.by_name.get(name) {
            return i;
        }
        let i = self.info.len();
        self.info.push(Info { name, first_use: pos, defined: None });
        self.by_name.insert(name, i);
        i
    }

    fn define(&mut self, name: &'a str, pos: Pos, what: &str) -> Result<usize, ParseError> {
        let i = self.mention(name, pos);
        let Some(info) = self.info.get_mut(i) else { return Ok(i) };
        if let Some(first) = info.defined {
            return Err(ParseError::at(
                pos,
                format!(
                    "{what} `{}` is defined twice (first at line {}, column {})",
                    shorten(name),
                    first.line,
                    first.col
                ),
            ));
        }
        info.defined = Some(pos);
        self.defs.push(i);
        Ok(i)
    }

    /// The first name (in order of first mention) used but never defined.
    fn undefined(&self) -> Option<&Info<'a>> {
        self.info.iter().find(|i| i.defined.is_none())
    }

    /// Final index of each provisional index: its rank in definition order.
    fn renumbering(&self) -> Vec<u32> {
        let mut out = vec![0; self.info.len()];
        for (rank, &i) in self.defs.iter().enumerate() {
            if let Some(slot) = out.get_mut(i) {
                *slot = rank as u32;
            }
        }
        out
    }
}

/// Names of one function: values, blocks and stack slots.
pub(crate) struct FuncScope<'a> {
    values: Table<'a>,
    blocks: Table<'a>,
    slots: HashMap<&'a str, (StackSlot, Pos)>,
}

/// Maps provisional entities to final ones (order of definition).
pub(crate) struct Renumbering {
    values: Vec<u32>,
    blocks: Vec<u32>,
}

impl Renumbering {
    pub fn value(&self, v: Value) -> Value {
        Value::from_u32(self.values.get(v.index()).copied().unwrap_or(0))
    }
    pub fn block(&self, b: Block) -> Block {
        Block::from_u32(self.blocks.get(b.index()).copied().unwrap_or(0))
    }
}

impl<'a> FuncScope<'a> {
    pub fn new() -> Self {
        FuncScope { values: Table::new(), blocks: Table::new(), slots: HashMap::new() }
    }

    /// The provisional value named `name`, used at `pos`.
    pub fn use_value(&mut self, name: &'a str, pos: Pos) -> Value {
        Value::new(self.values.mention(name, pos))
    }

    /// Defines the value `name` at `pos`; an error if it is already defined.
    pub fn def_value(&mut self, name: &'a str, pos: Pos) -> Result<Value, ParseError> {
        self.values.define(name, pos, "value").map(Value::new)
    }

    pub fn use_block(&mut self, name: &'a str, pos: Pos) -> Block {
        Block::new(self.blocks.mention(name, pos))
    }

    pub fn def_block(&mut self, name: &'a str, pos: Pos) -> Result<Block, ParseError> {
        self.blocks.define(name, pos, "block").map(Block::new)
    }

    /// Declares stack slot `name` as `slot`.
    pub fn def_slot(&mut self, name: &'a str, pos: Pos, slot: StackSlot) -> Result<(), ParseError> {
        if let Some((_, first)) = self.slots.get(name) {
            return Err(ParseError::at(
                pos,
                format!(
                    "stack slot `{}` is declared twice (first at line {}, column {})",
                    shorten(name),
                    first.line,
                    first.col
                ),
            ));
        }
        self.slots.insert(name, (slot, pos));
        Ok(())
    }

    /// The stack slot named `name`, which must be declared.
    pub fn slot(&self, name: &str, pos: Pos) -> Result<StackSlot, ParseError> {
        match self.slots.get(name) {
            Some(&(s, _)) => Ok(s),
            None => Err(ParseError::at(
                pos,
                format!("undefined stack slot `{}` (slots are declared at the top of the function)", shorten(name)),
            )),
        }
    }

    /// Checks that every name used is defined (reporting the earliest use otherwise) and
    /// returns the final numbering.
    pub fn finish(&self) -> Result<Renumbering, ParseError> {
        let value = self
            .values
            .undefined()
            .map(|i| (i.first_use, format!("value `{}` is used but never defined", shorten(i.name))));
        let block = self.blocks.undefined().map(|i| (i.first_use, format!("undefined block `{}`", shorten(i.name))));
        let first = match (value, block) {
            (Some(v), Some(b)) => Some(if b.0 < v.0 { b } else { v }),
            (v, b) => v.or(b),
        };
        if let Some((pos, msg)) = first {
            return Err(ParseError::at(pos, msg));
        }
        Ok(Renumbering { values: self.values.renumbering(), blocks: self.blocks.renumbering() })
    }
}
