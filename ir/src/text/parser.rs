//! The parser: reads a module in the text format (docs/ir.md) into a [`Module`]. This file
//! holds the token cursor and the item-level grammar (externs, data objects, functions,
//! signatures, stack slots, block labels); instructions are in `inst_parser.rs`. Names are
//! resolved here: `vN`/`blockN` through the function's scope (forward references allowed),
//! `@name`s after the whole module is read (so a call may precede its callee).
//!
//! It checks structure, not types: the module it returns refers only to entities that
//! exist, and the verifier judges the rest. It must never panic, and it never recurses, so
//! no input can exhaust the stack; memory stays linear in the input size.

use super::assemble::{assemble, ParsedBlock};
use super::error::{ParseError, Pos};
use super::lexer::{tokenize, Tok, Token};
use super::literals::{parse_float, parse_int, parse_nan_bits, parse_uint};
use super::scope::FuncScope;
use crate::entities::{DataId, ExternId, FuncId, Inst};
use crate::function::{Function, Linkage};
use crate::instructions::InstData;
use crate::module::{DataObject, ExternFunc, Module};
use crate::signature::{Param, ParamKind, Signature};
use crate::types::{LaneType, Type};
use std::collections::HashMap;

/// Reads a module from its text form.
pub fn parse_module(src: &str) -> Result<Module, ParseError> {
    let mut p = Parser::new(tokenize(src)?);
    p.items()?;
    p.resolve_globals()
}

/// What an `@name` names. Functions, data objects and externs share one namespace.
#[derive(Copy, Clone)]
enum Global {
    Func(FuncId),
    Data(DataId),
    Extern(ExternId),
}

impl Global {
    fn noun(self) -> &'static str {
        match self {
            Global::Func(_) => "a function",
            Global::Data(_) => "a data object",
            Global::Extern(_) => "a host function (`extern fn`)",
        }
    }
}

/// Words that start an item; seeing one inside a function means its `}` is missing.
pub(super) const ITEM_KEYWORDS: [&str; 4] = ["fn", "export", "extern", "data"];

/// `v` followed by decimal digits.
pub(super) fn is_value_name(s: &str) -> bool {
    is_numbered(s, "v")
}

/// `block` followed by decimal digits.
pub(super) fn is_block_name(s: &str) -> bool {
    is_numbered(s, "block")
}

/// `ss` followed by decimal digits.
pub(super) fn is_slot_name(s: &str) -> bool {
    is_numbered(s, "ss")
}

fn is_numbered(s: &str, prefix: &str) -> bool {
    s.strip_prefix(prefix).is_some_and(|n| !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()))
}

pub(super) struct Parser<'a> {
    toks: Vec<Token<'a>>,
    i: usize,
    module: Module,
    globals: HashMap<&'a str, (Global, Pos)>,
    /// Instructions whose `@name` is resolved once every item is known.
    pending: Vec<(FuncId, Inst, &'a str, Pos)>,
}

impl<'a> Parser<'a> {
    fn new(toks: Vec<Token<'a>>) -> Self {
        Parser { toks, i: 0, module: Module::new(), globals: HashMap::new(), pending: Vec::new() }
    }

    // ---- the token cursor ---------------------------------------------------------------

    /// The current token (the final `Eof` once the input is used up).
    pub(super) fn tok(&self) -> Token<'a> {
        let eof = Token { tok: Tok::Eof, pos: Pos { line: 1, col: 1 } };
        self.toks.get(self.i).or(self.toks.last()).copied().unwrap_or(eof)
    }

    pub(super) fn peek(&self) -> Tok<'a> {
        self.tok().tok
    }

    pub(super) fn peek_at(&self, k: usize) -> Tok<'a> {
        self.toks.get(self.i.saturating_add(k)).map_or(Tok::Eof, |t| t.tok)
    }

    /// Consumes and returns the current token. At the end it stays on `Eof`, so every loop
    /// must stop at `Eof` (they all do, by failing to find what they expect).
    pub(super) fn bump(&mut self) -> Token<'a> {
        let t = self.tok();
        if self.i < self.toks.len() {
            self.i += 1;
        }
        t
    }

    /// "expected X, found Y" at the current token.
    pub(super) fn expected(&self, what: &str) -> ParseError {
        let t = self.tok();
        ParseError::at(t.pos, format!("expected {what}, found {}", t.tok.describe()))
    }

    /// Consumes the punctuation `want`, described as `what` in the error.
    pub(super) fn expect(&mut self, want: Tok<'static>, what: &str) -> Result<Pos, ParseError> {
        if self.peek() == want {
            Ok(self.bump().pos)
        } else {
            Err(self.expected(what))
        }
    }

    fn keyword(&mut self, kw: &str) -> Result<Pos, ParseError> {
        if self.peek() == Tok::Ident(kw) {
            Ok(self.bump().pos)
        } else {
            Err(self.expected(&format!("`{kw}`")))
        }
    }

    fn ident(&mut self, what: &str) -> Result<(&'a str, Pos), ParseError> {
        match self.tok() {
            Token { tok: Tok::Ident(s), pos } => {
                self.bump();
                Ok((s, pos))
            }
            _ => Err(self.expected(what)),
        }
    }

    fn global_name(&mut self, what: &str) -> Result<(&'a str, Pos), ParseError> {
        match self.tok() {
            Token { tok: Tok::Global(s), pos } => {
                self.bump();
                Ok((s, pos))
            }
            _ => Err(self.expected(what)),
        }
    }

    pub(super) fn ty(&mut self) -> Result<(Type, Pos), ParseError> {
        let (s, pos) = self.ident("a type")?;
        let ty = s.parse().map_err(|_| ParseError::at(pos, format!("unknown type `{s}`")))?;
        Ok((ty, pos))
    }

    /// Items separated by commas up to the closing `close` (an empty list is allowed);
    /// returns the position of `close`. Each call of `item` consumes a token or fails, so
    /// the loop ends.
    pub(super) fn comma_list(
        &mut self,
        close: Tok<'static>,
        close_text: &str,
        mut item: impl FnMut(&mut Self) -> Result<(), ParseError>,
    ) -> Result<Pos, ParseError> {
        if self.peek() == close {
            return Ok(self.bump().pos);
        }
        loop {
            item(self)?;
            match self.peek() {
                Tok::Comma => {
                    self.bump();
                }
                t if t == close => return Ok(self.bump().pos),
                _ => return Err(self.expected(&format!("`,` or `{close_text}`"))),
            }
        }
    }

    // ---- items --------------------------------------------------------------------------

    fn items(&mut self) -> Result<(), ParseError> {
        loop {
            match self.peek() {
                Tok::Eof => return Ok(()),
                Tok::Ident("extern") => self.extern_item()?,
                Tok::Ident("data") => self.data_item()?,
                Tok::Ident("export" | "fn") => self.function()?,
                _ => return Err(self.expected("an item (`fn`, `export fn`, `extern fn` or `data`)")),
            }
        }
    }

    fn define_global(&mut self, name: &'a str, pos: Pos, g: Global) -> Result<(), ParseError> {
        if let Some((prev, first)) = self.globals.get(name) {
            return Err(ParseError::at(
                pos,
                format!(
                    "duplicate name `@{name}`: already defined as {} at line {}, column {}",
                    prev.noun(),
                    first.line,
                    first.col
                ),
            ));
        }
        self.globals.insert(name, (g, pos));
        Ok(())
    }

    /// `extern fn @name(types) [-> type]`
    fn extern_item(&mut self) -> Result<(), ParseError> {
        self.keyword("extern")?;
        self.keyword("fn")?;
        let (name, pos) = self.global_name("a host function name (`@name`)")?;
        self.define_global(name, pos, Global::Extern(self.module.externs.next_key()))?;
        self.expect(Tok::LParen, "`(`")?;
        let mut params = Vec::new();
        self.comma_list(Tok::RParen, ")", |p| {
            params.push(p.ty()?.0);
            Ok(())
        })?;
        let ret = self.return_type()?;
        self.module.add_extern(ExternFunc { name: name.to_string(), params, ret });
        Ok(())
    }

    fn return_type(&mut self) -> Result<Option<Type>, ParseError> {
        if self.peek() == Tok::Arrow {
            self.bump();
            Ok(Some(self.ty()?.0))
        } else {
            Ok(None)
        }
    }

    /// `data @name: type = [literals]`: literals are given lane by lane.
    fn data_item(&mut self) -> Result<(), ParseError> {
        self.keyword("data")?;
        let (name, pos) = self.global_name("a data object name (`@name`)")?;
        self.define_global(name, pos, Global::Data(self.module.data.next_key()))?;
        self.expect(Tok::Colon, "`:`")?;
        let (elem, ty_pos) = self.ty()?;
        if elem.is_bool() {
            return Err(ParseError::at(ty_pos, format!("data objects can't hold `{elem}`: it has no memory form")));
        }
        self.expect(Tok::Equals, "`=`")?;
        self.expect(Tok::LBracket, "`[`")?;
        let mut bytes = Vec::new();
        let mut count = 0usize;
        let close = self.comma_list(Tok::RBracket, "]", |p| {
            p.data_literal(elem.lane(), &mut bytes)?;
            count += 1;
            Ok(())
        })?;
        let lanes = elem.lanes() as usize;
        if !count.is_multiple_of(lanes) {
            return Err(ParseError::at(
                close,
                format!("a data object of `{elem}` needs a multiple of {lanes} literals (one per lane), found {count}"),
            ));
        }
        self.module.add_data(DataObject { name: name.to_string(), elem, bytes });
        Ok(())
    }

    fn data_literal(&mut self, lane: LaneType, bytes: &mut Vec<u8>) -> Result<(), ParseError> {
        match lane {
            LaneType::F32 => bytes.extend_from_slice(&(self.float_literal(true)? as u32).to_le_bytes()),
            LaneType::F64 => bytes.extend_from_slice(&self.float_literal(false)?.to_le_bytes()),
            _ => {
                let width = lane.bits();
                let v = self.int_literal(width, lane.name())?;
                let n = (width / 8) as usize;
                bytes.extend(v.to_le_bytes().iter().take(n));
            }
        }
        Ok(())
    }

    /// An integer literal for a type `width` bits wide.
    pub(super) fn int_literal(&mut self, width: u32, ty: &str) -> Result<i64, ParseError> {
        match self.tok() {
            Token { tok: Tok::Number(s), pos } => {
                self.bump();
                parse_int(s, width, ty).map_err(|m| ParseError::at(pos, m))
            }
            _ => Err(self.expected("an integer literal")),
        }
    }

    /// An unsigned integer literal no larger than `max`.
    pub(super) fn uint_literal(&mut self, max: u64, what: &str) -> Result<u64, ParseError> {
        match self.tok() {
            Token { tok: Tok::Number(s), pos } => {
                self.bump();
                parse_uint(s, max, what).map_err(|m| ParseError::at(pos, m))
            }
            _ => Err(self.expected(what)),
        }
    }

    /// A float literal (`1.5`, `-inf`, `nan`, `nan:0x7fc00001`), as the bits of an f32 or f64.
    pub(super) fn float_literal(&mut self, is_f32: bool) -> Result<u64, ParseError> {
        let t = self.tok();
        let err = |m: String| ParseError::at(t.pos, m);
        match t.tok {
            Tok::Number(s) | Tok::Ident(s @ "inf") => {
                self.bump();
                parse_float(s, is_f32).map_err(err)
            }
            Tok::Ident("nan") => {
                self.bump();
                if self.peek() != Tok::Colon {
                    return parse_float("nan", is_f32).map_err(err);
                }
                self.bump();
                match self.tok() {
                    Token { tok: Tok::Number(h), pos } => {
                        self.bump();
                        parse_nan_bits(h, is_f32).map_err(|m| ParseError::at(pos, m))
                    }
                    _ => Err(self.expected("a hex bit pattern after `nan:`")),
                }
            }
            _ => Err(self.expected("a float literal")),
        }
    }

    // ---- functions ----------------------------------------------------------------------

    /// `[export] fn @name(params) [-> type] { slots blocks }`
    fn function(&mut self) -> Result<(), ParseError> {
        let linkage = if self.peek() == Tok::Ident("export") {
            self.bump();
            Linkage::Export
        } else {
            Linkage::Local
        };
        self.keyword("fn")?;
        let (name, pos) = self.global_name("a function name (`@name`)")?;
        let id = self.module.functions.next_key();
        self.define_global(name, pos, Global::Func(id))?;
        self.expect(Tok::LParen, "`(`")?;
        let mut params: Vec<Param> = Vec::new();
        self.comma_list(Tok::RParen, ")", |p| {
            let param = p.param()?;
            if params.iter().any(|q| q.name == param.0.name) {
                let msg = format!("parameter `{}` is declared twice", param.0.name);
                return Err(ParseError::at(param.1, msg));
            }
            params.push(param.0);
            Ok(())
        })?;
        let ret = self.return_type()?;
        self.expect(Tok::LBrace, "`{`")?;
        let mut func = Function::new(name, linkage, Signature::new(params, ret));
        let mut scope = FuncScope::new();
        while let Tok::Ident(s) = self.peek() {
            if !(is_slot_name(s) && self.peek_at(1) == Tok::Equals) {
                break;
            }
            self.stack_slot(&mut scope, &mut func)?;
        }
        let mut blocks = Vec::new();
        loop {
            match self.peek() {
                Tok::RBrace if blocks.is_empty() => {
                    return Err(ParseError::at(self.tok().pos, format!("function `@{name}` has no blocks")));
                }
                Tok::RBrace => {
                    self.bump();
                    break;
                }
                Tok::Eof => return Err(self.unterminated(name)),
                Tok::Ident(s) if ITEM_KEYWORDS.contains(&s) => return Err(self.unterminated(name)),
                _ => blocks.push(self.block(&mut scope)?),
            }
        }
        let ren = scope.finish()?;
        let pending = assemble(&mut func, blocks, &ren);
        let id = self.module.add_function(func);
        self.pending.extend(pending.into_iter().map(|(inst, name, pos)| (id, inst, name, pos)));
        Ok(())
    }

    fn unterminated(&self, name: &str) -> ParseError {
        let t = self.tok();
        ParseError::at(t.pos, format!("unterminated function `@{name}`: expected `}}` before {}", t.tok.describe()))
    }

    /// `name: type`, `name: [type]` or `name: mut [type]`.
    fn param(&mut self) -> Result<(Param, Pos), ParseError> {
        let (name, pos) = self.ident("a parameter name")?;
        self.expect(Tok::Colon, "`:` after the parameter name")?;
        let mutable = self.peek() == Tok::Ident("mut") && self.peek_at(1) == Tok::LBracket;
        if mutable {
            self.bump();
        }
        let kind = if self.peek() == Tok::LBracket {
            self.bump();
            let (elem, _) = self.ty()?;
            self.expect(Tok::RBracket, "`]`")?;
            ParamKind::Slice { elem, mutable }
        } else {
            ParamKind::Scalar(self.ty()?.0)
        };
        Ok((Param { name: name.to_string(), kind }, pos))
    }

    /// `ssN = stack_slot SIZE, align ALIGN`
    fn stack_slot(&mut self, scope: &mut FuncScope<'a>, func: &mut Function) -> Result<(), ParseError> {
        let (name, pos) = self.ident("a stack slot name")?;
        self.expect(Tok::Equals, "`=`")?;
        self.keyword("stack_slot")?;
        let max = u64::from(u32::MAX);
        let size = self.uint_literal(max, "a stack slot size")?;
        self.expect(Tok::Comma, "`,`")?;
        self.keyword("align")?;
        let align = self.uint_literal(max, "an alignment")?;
        // Both are at most u32::MAX, checked by `uint_literal`.
        let slot = func.create_stack_slot(size as u32, align as u32);
        scope.def_slot(name, pos, slot)
    }

    /// Whether the current token ends the instructions of a block: `}`, the end, an item
    /// keyword (a missing `}`) or the next block label.
    fn at_block_end(&self) -> bool {
        match self.peek() {
            Tok::RBrace | Tok::Eof => true,
            Tok::Ident(s) => {
                ITEM_KEYWORDS.contains(&s) || (is_block_name(s) && matches!(self.peek_at(1), Tok::Colon | Tok::LParen))
            }
            _ => false,
        }
    }

    /// `blockN[(vN: type, …)]:` and its instructions.
    fn block(&mut self, scope: &mut FuncScope<'a>) -> Result<ParsedBlock<'a>, ParseError> {
        let (name, pos) = match self.tok() {
            Token { tok: Tok::Ident(s), pos }
                if is_block_name(s) && matches!(self.peek_at(1), Tok::Colon | Tok::LParen) =>
            {
                (s, pos)
            }
            _ => return Err(self.expected("a block label (`blockN:`)")),
        };
        self.bump();
        let block = scope.def_block(name, pos)?;
        let mut params = Vec::new();
        if self.peek() == Tok::LParen {
            self.bump();
            self.comma_list(Tok::RParen, ")", |p| {
                let (v, vpos) = match p.tok() {
                    Token { tok: Tok::Ident(s), pos } if is_value_name(s) => (s, pos),
                    _ => return Err(p.expected("a block parameter (`vN: type`)")),
                };
                p.bump();
                p.expect(Tok::Colon, "`:` after the parameter")?;
                let (ty, _) = p.ty()?;
                params.push((scope.def_value(v, vpos)?, ty));
                Ok(())
            })?;
        }
        self.expect(Tok::Colon, "`:` after the block label")?;
        let mut insts = Vec::new();
        while !self.at_block_end() {
            insts.push(self.inst(scope)?);
        }
        Ok(ParsedBlock { block, params, insts })
    }

    // ---- after the last item ------------------------------------------------------------

    /// Points every call, host call and `data_addr` at the item its `@name` names.
    fn resolve_globals(mut self) -> Result<Module, ParseError> {
        for (fid, inst, name, pos) in std::mem::take(&mut self.pending) {
            let target = self.globals.get(name).map(|&(g, _)| g);
            let Some(data) = self.module.functions.get_mut(fid).and_then(|f| f.dfg.insts.get_mut(inst)) else {
                continue;
            };
            let expected = match (data, target) {
                (InstData::Call { func, .. }, Some(Global::Func(id))) => {
                    *func = id;
                    continue;
                }
                (InstData::CallHost { func, .. }, Some(Global::Extern(id))) => {
                    *func = id;
                    continue;
                }
                (InstData::DataAddr { data }, Some(Global::Data(id))) => {
                    *data = id;
                    continue;
                }
                (InstData::Call { .. }, _) => "function",
                (InstData::CallHost { .. }, _) => "host function",
                _ => "data object",
            };
            let msg = match target {
                None if expected == "host function" => {
                    format!("unknown host function `@{name}` (declare it with `extern fn`)")
                }
                None => format!("unknown {expected} `@{name}`"),
                Some(Global::Extern(_)) if expected == "function" => {
                    format!("`@{name}` is a host function: call it with `call_host`")
                }
                Some(Global::Func(_)) if expected == "host function" => {
                    format!("`@{name}` is a function of this module: call it with `call`")
                }
                Some(g) => format!("`@{name}` is {}, not a {expected}", g.noun()),
            };
            return Err(ParseError::at(pos, msg));
        }
        Ok(self.module)
    }
}
