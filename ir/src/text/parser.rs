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
use super::error::{shorten, ParseError, Pos};
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
        let ty = s.parse().map_err(|_| ParseError::at(pos, format!("unknown type `{}`", shorten(s))))?;
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
            let name = shorten(name);
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
        // A set, not a scan of `params`: the check must stay linear in the input.
        let mut seen = std::collections::HashSet::new();
        self.comma_list(Tok::RParen, ")", |p| {
            let (param, pos) = p.param()?;
            if !seen.insert(param.name.clone()) {
                return Err(ParseError::at(pos, format!("parameter `{}` is declared twice", shorten(&param.name))));
            }
            params.push(param);
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
                    return Err(ParseError::at(self.tok().pos, format!("function `@{}` has no blocks", shorten(name))));
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
        let name = shorten(name);
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
            let name = shorten(name);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The error for `src` as (line, column, message).
    pub(crate) fn err(src: &str) -> (u32, u32, String) {
        match parse_module(src) {
            Ok(m) => panic!("expected an error, parsed:\n{}", crate::print_module(&m)),
            Err(e) => (e.line, e.col, e.message),
        }
    }

    fn e(line: u32, col: u32, msg: &str) -> (u32, u32, String) {
        (line, col, msg.to_string())
    }

    #[test]
    fn display_names_the_position() {
        let e = parse_module("fn @f() {\nblock0:\n    frobnicate\n}").unwrap_err();
        assert_eq!(e.to_string(), "line 3, column 5: unknown opcode `frobnicate`");
    }

    #[test]
    fn empty_input_is_an_empty_module() {
        assert_eq!(parse_module("").unwrap(), Module::new());
        assert_eq!(parse_module("  ; only a comment\n").unwrap(), Module::new());
    }

    #[test]
    fn junk_after_items() {
        let src = "fn @f() {\nblock0:\n    return\n}\n  }";
        assert_eq!(err(src), e(5, 3, "expected an item (`fn`, `export fn`, `extern fn` or `data`), found `}`"));
        assert_eq!(
            err("extern fn @g(i32)\nblock0:"),
            e(2, 1, "expected an item (`fn`, `export fn`, `extern fn` or `data`), found `block0`")
        );
        assert_eq!(err("42"), e(1, 1, "expected an item (`fn`, `export fn`, `extern fn` or `data`), found `42`"));
    }

    #[test]
    fn unterminated_function() {
        assert_eq!(
            err("fn @f() {\nblock0:\n    return\n"),
            e(4, 1, "unterminated function `@f`: expected `}` before end of input")
        );
        assert_eq!(
            err("fn @f() {\nblock0:\n    return\nfn @g() {\nblock0:\n    return\n}"),
            e(4, 1, "unterminated function `@f`: expected `}` before `fn`")
        );
        assert_eq!(err("fn @f() {\n"), e(2, 1, "unterminated function `@f`: expected `}` before end of input"));
        assert_eq!(err("fn @f()"), e(1, 8, "expected `{`, found end of input"));
    }

    #[test]
    fn function_without_blocks() {
        assert_eq!(err("fn @f() {\n}"), e(2, 1, "function `@f` has no blocks"));
        assert_eq!(err("fn @f() {\n    return\n}"), e(2, 5, "expected a block label (`blockN:`), found `return`"));
    }

    #[test]
    fn duplicate_names() {
        let src = "fn @f() {\nblock0:\n    return\n}\nexport fn @f() {\nblock0:\n    return\n}";
        assert_eq!(err(src), e(5, 11, "duplicate name `@f`: already defined as a function at line 1, column 4"));
        let src = "data @t: f32 = [1.0]\nextern fn @t(f32) -> f32";
        assert_eq!(err(src), e(2, 11, "duplicate name `@t`: already defined as a data object at line 1, column 6"));
    }

    #[test]
    fn unknown_globals() {
        let f = |body: &str| {
            format!("extern fn @h(i32)\ndata @d: i8 = [1]\nfn @f(x: i32) {{\nblock0(v0: i32):\n{body}\n}}")
        };
        assert_eq!(err(&f("    call @nope(v0)\n    return")), e(5, 10, "unknown function `@nope`"));
        assert_eq!(
            err(&f("    call_host @nope(v0)\n    return")),
            e(5, 15, "unknown host function `@nope` (declare it with `extern fn`)")
        );
        assert_eq!(err(&f("    v1 = data_addr.ptr @nope\n    return")), e(5, 24, "unknown data object `@nope`"));
        assert_eq!(
            err(&f("    call @h(v0)\n    return")),
            e(5, 10, "`@h` is a host function: call it with `call_host`")
        );
        assert_eq!(
            err(&f("    call_host @f(v0)\n    return")),
            e(5, 15, "`@f` is a function of this module: call it with `call`")
        );
        assert_eq!(err(&f("    v1 = data_addr.ptr @f\n    return")), e(5, 24, "`@f` is a function, not a data object"));
        assert_eq!(err(&f("    call @d(v0)\n    return")), e(5, 10, "`@d` is a data object, not a function"));
    }

    #[test]
    fn values_and_blocks() {
        let f = |body: &str| format!("fn @f(x: i32) -> i32 {{\nblock0(v0: i32):\n{body}\n}}");
        assert_eq!(
            err(&f("    v1 = iadd.i32 v0, v7\n    return v1")),
            e(3, 23, "value `v7` is used but never defined")
        );
        assert_eq!(
            err(&f("    v1 = iadd.i32 v0, v0\n    v1 = iadd.i32 v0, v0\n    return v1")),
            e(4, 5, "value `v1` is defined twice (first at line 3, column 5)")
        );
        assert_eq!(
            err(&f("    v0 = iconst.i32 1\n    return v0")),
            e(3, 5, "value `v0` is defined twice (first at line 2, column 8)")
        );
        assert_eq!(err(&f("    br block9(v0)")), e(3, 8, "undefined block `block9`"));
        assert_eq!(
            err(&f("    br block1\nblock1:\n    return v0\nblock1:\n    return v0")),
            e(6, 1, "block `block1` is defined twice (first at line 4, column 1)")
        );
        // The earliest undefined name is reported, values and blocks alike.
        assert_eq!(
            err(&f("    brif v5, block3, block1\nblock1:\n    return v9")),
            e(3, 10, "value `v5` is used but never defined")
        );
        assert_eq!(
            err(&f("    brif v0, block3, block1\nblock1:\n    return v9")),
            e(3, 14, "undefined block `block3`")
        );
    }

    #[test]
    fn forward_references_resolve() {
        let src = "export fn @a() -> i32 {\nblock0:\n    br block2\nblock1:\n    return v1\nblock2:\n    \
                   v1 = call.i32 @b()\n    br block1\n}\nfn @b() -> i32 {\nblock0:\n    v0 = iconst.i32 4\n    return v0\n}";
        let m = parse_module(src).unwrap();
        let a = &m.functions[FuncId::from_u32(0)];
        let blocks: Vec<_> = a.layout.blocks().collect();
        let call = a.layout.first_inst(blocks[2]).unwrap();
        assert_eq!(a.dfg.insts[call], InstData::Call { func: FuncId::from_u32(1), args: vec![] });
        // v1 is the first value defined, so it is value 0 of the function.
        let ret = a.layout.first_inst(blocks[1]).unwrap();
        assert_eq!(a.dfg.insts[ret], InstData::Return { arg: a.dfg.inst_result(call) });
        assert_eq!(a.dfg.inst_result(call), Some(crate::Value::from_u32(0)));
    }

    #[test]
    fn signatures_and_slots() {
        assert_eq!(err("fn @f(x: i33) {"), e(1, 10, "unknown type `i33`"));
        assert_eq!(err("fn @f(x: [f32], x: i32) {"), e(1, 17, "parameter `x` is declared twice"));
        assert_eq!(err("fn @f(x i32) {"), e(1, 9, "expected `:` after the parameter name, found `i32`"));
        assert_eq!(err("fn @f() -> f32x3 {"), e(1, 12, "unknown type `f32x3`"));
        assert_eq!(err("extern fn @g(i32, [f32])"), e(1, 19, "expected a type, found `[`"));
        let slot = |s: &str| format!("fn @f() {{\n    {s}\nblock0:\n    return\n}}");
        assert_eq!(
            err(&slot("ss0 = stack_slot 4, align 4\n    ss0 = stack_slot 8, align 8")),
            e(3, 5, "stack slot `ss0` is declared twice (first at line 2, column 5)")
        );
        assert_eq!(
            err(&slot("ss0 = stack_slot 4294967296, align 4")),
            e(2, 22, "a stack slot size `4294967296` is out of range (at most 4294967295)")
        );
        assert_eq!(err(&slot("ss0 = stack_slot 4 align 4")), e(2, 24, "expected `,`, found `align`"));
        assert_eq!(
            err("fn @f() {\nblock0:\n    v0 = stack_addr.ptr ss1\n    return\n}"),
            e(3, 25, "undefined stack slot `ss1` (slots are declared at the top of the function)")
        );
        let m = parse_module("export fn @f(a: [f32], b: mut [i8], c: f64) {\n    ss7 = stack_slot 12, align 4\nblock0(v0: ptr, v1: i64, v2: ptr, v3: i64, v4: f64):\n    return\n}").unwrap();
        let f = &m.functions[FuncId::from_u32(0)];
        assert_eq!(f.sig.to_string(), "(a: [f32], b: mut [i8], c: f64)");
        assert_eq!(f.linkage, Linkage::Export);
        assert_eq!(f.stack_slots.len(), 1);
    }

    #[test]
    fn data_objects() {
        let m = parse_module(
            "data @d: i8 = [-1, 0x80, 255, 127]\ndata @v: f32x2 = [1.0, nan, -0.0, inf]\ndata @e: i64 = []",
        )
        .unwrap();
        let d = &m.data[DataId::from_u32(0)];
        assert_eq!(d.bytes, vec![0xff, 0x80, 0xff, 0x7f]);
        let v = &m.data[DataId::from_u32(1)];
        assert_eq!(v.bytes.len(), 16);
        assert_eq!(v.bytes[4..8], 0x7fc0_0000u32.to_le_bytes());
        assert!(m.data[DataId::from_u32(2)].bytes.is_empty());
        assert_eq!(err("data @d: i8 = [256]"), e(1, 16, "integer literal `256` is out of range for i8"));
        assert_eq!(err("data @d: f32 = [1e39]"), e(1, 17, "float literal `1e39` is out of range for f32"));
        assert_eq!(err("data @d: f32 = [1.0 2.0]"), e(1, 21, "expected `,` or `]`, found `2.0`"));
        assert_eq!(err("data @d: bool = [1]"), e(1, 10, "data objects can't hold `bool`: it has no memory form"));
        assert_eq!(
            err("data @d: i32x4 = [1, 2, 3]"),
            e(1, 26, "a data object of `i32x4` needs a multiple of 4 literals (one per lane), found 3")
        );
        assert_eq!(err("data @d: f64 = [nan:0x1]"), e(1, 21, "`0x1` is not the bit pattern of an f64 NaN"));
        assert_eq!(err("data @d: i32 = [1.5]"), e(1, 17, "invalid integer literal `1.5`"));
    }

    #[test]
    fn long_tokens_are_cut_short_in_messages() {
        let (_, _, msg) = err(&format!("data @d: i8 = [{}]", "9".repeat(10_000)));
        assert_eq!(msg, format!("integer literal `{}…` is out of range for i8", "9".repeat(40)));
        let (_, _, msg) = err(&format!("fn @f() {{\nblock0:\n    {}\n}}", "x".repeat(10_000)));
        assert_eq!(msg, format!("unknown opcode `{}…`", "x".repeat(40)));
    }

    #[test]
    fn lexer_errors_have_positions() {
        assert_eq!(err("fn @f() {\nblock0:\n    return $\n}"), e(3, 12, "unexpected character `$`"));
        assert_eq!(err("data @"), e(1, 6, "expected a name after `@`"));
    }
}
