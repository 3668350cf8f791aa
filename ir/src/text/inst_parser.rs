//! Parsing one instruction: `[vN =] opcode[.type] modifiers operands`. The opcode table
//! decides everything: the opcode's [`Format`] says which operands follow, and
//! [`Opcode::has_result`] whether a result (and so a type suffix) is required. Operands are
//! read by format, never by guessing, and counted so that a wrong number is reported as
//! such. This file must not type-check (the verifier does) or resolve `@names` (the
//! parser does, once the module is read).

use super::assemble::ParsedInst;
use super::error::{shorten, ParseError, Pos};
use super::lexer::{Tok, Token};
use super::parser::{is_block_name, is_slot_name, is_value_name, Parser, ITEM_KEYWORDS};
use super::scope::FuncScope;
use crate::entities::{DataId, ExternId, FuncId, Value};
use crate::instructions::{BlockCall, FloatCC, FloatFlags, InstData, IntCC, TrapCode};
use crate::opcode::{Format, Opcode};
use crate::types::{LaneType, Type};

/// The instruction being parsed, for operand-count errors.
struct Ctx {
    op: Opcode,
    pos: Pos,
    /// How many operands the format takes.
    n: usize,
}

impl Ctx {
    fn count_error(&self, found: usize) -> ParseError {
        let op = self.op;
        let (n, shape) = (self.n, operand_shape(op));
        let s = if n == 1 { "" } else { "s" };
        let at_most = if op == Opcode::Return { "at most " } else { "" };
        ParseError::at(self.pos, format!("`{op}` takes {at_most}{n} operand{s} (`{op} {shape}`), found {found}"))
    }
}

/// The operands of `op`, as shown in operand-count errors.
fn operand_shape(op: Opcode) -> &'static str {
    match op.format() {
        Format::IntConst => "INTEGER",
        Format::FloatConst => "FLOAT",
        Format::BoolConst => "true|false",
        Format::Unary => "x",
        Format::Binary => "a, b",
        Format::Ternary if op == Opcode::Select => "c, a, b",
        Format::Ternary => "a, b, c",
        Format::IntCompare | Format::FloatCompare => "COND a, b",
        Format::Load => "base, offset",
        Format::Store => "base, offset, value",
        Format::BoundsCheck => "index, length",
        Format::StackAddr => "ssN",
        Format::DataAddr => "@data",
        Format::ExtractLane => "vector, LANE",
        Format::InsertLane => "vector, scalar, LANE",
        Format::Call | Format::CallHost => "@name(args)",
        Format::Jump => "blockN(args)",
        Format::Brif => "c, blockN(args), blockM(args)",
        Format::Return => "value",
        Format::Trap => "CODE",
    }
}

/// How many comma-separated operands a format takes.
fn operand_count(f: Format) -> usize {
    match f {
        Format::Binary
        | Format::IntCompare
        | Format::FloatCompare
        | Format::Load
        | Format::BoundsCheck
        | Format::ExtractLane => 2,
        Format::Ternary | Format::Store | Format::InsertLane | Format::Brif => 3,
        _ => 1,
    }
}

impl<'a> Parser<'a> {
    /// Whether the current token starts a new statement (instruction, block label, `}`, next
    /// item) rather than an operand: used to tell a missing operand from a wrong one.
    fn at_statement_start(&self) -> bool {
        match self.peek() {
            Tok::Eof | Tok::RBrace => true,
            Tok::Ident(s) => {
                let next = self.peek_at(1);
                let word = s.split_once('.').map_or(s, |(w, _)| w);
                (is_value_name(s) && next == Tok::Equals)
                    || (is_block_name(s) && next == Tok::Colon)
                    || ITEM_KEYWORDS.contains(&s)
                    || Opcode::from_name(word).is_some()
            }
            _ => false,
        }
    }

    /// One instruction.
    pub(super) fn inst(&mut self, scope: &mut FuncScope<'a>) -> Result<ParsedInst<'a>, ParseError> {
        let mut result_name = None;
        if let (Tok::Ident(s), Tok::Equals) = (self.peek(), self.peek_at(1)) {
            let t = self.bump();
            if !is_value_name(s) {
                return Err(ParseError::at(
                    t.pos,
                    format!("expected a value name (`vN`) before `=`, found `{}`", shorten(s)),
                ));
            }
            self.bump();
            result_name = Some((s, t.pos));
        }
        let (word, pos) = match self.tok() {
            Token { tok: Tok::Ident(s), pos } => (s, pos),
            _ => return Err(self.expected("an instruction")),
        };
        self.bump();
        let (name, suffix) = word.split_once('.').map_or((word, None), |(n, s)| (n, Some(s)));
        let op = Opcode::from_name(name)
            .ok_or_else(|| ParseError::at(pos, format!("unknown opcode `{}`", shorten(name))))?;
        let ty = match suffix {
            None => None,
            Some(s) => {
                let suffix_pos = pos.right(name.len() + 1);
                Some(
                    s.parse::<Type>()
                        .map_err(|_| ParseError::at(suffix_pos, format!("unknown type `{}`", shorten(s))))?,
                )
            }
        };
        check_result(op, pos, result_name, ty)?;
        let result = match (result_name, ty) {
            (Some((n, p)), Some(t)) => Some((scope.def_value(n, p)?, t)),
            _ => None,
        };
        let c = Ctx { op, pos, n: operand_count(op.format()) };
        let mut global = None;
        let data = match op.format() {
            Format::IntConst => {
                // Integer types read literals of their lane width; others (rejected by the
                // verifier) read any 64-bit literal.
                let ty = ty.unwrap_or(Type::I64);
                let width = if ty.is_int() { ty.lane_bits() } else { 64 };
                self.before_operand(&c, 0)?;
                let imm = self.int_literal(width, &ty.to_string())?;
                InstData::IntConst { imm }
            }
            Format::FloatConst => {
                self.before_operand(&c, 0)?;
                let is_f32 = ty.is_some_and(|t| t.lane() == LaneType::F32);
                InstData::FloatConst { bits: self.float_literal(is_f32)? }
            }
            Format::BoolConst => {
                self.before_operand(&c, 0)?;
                let imm = match self.peek() {
                    Tok::Ident("true") => true,
                    Tok::Ident("false") => false,
                    _ => return Err(self.expected("`true` or `false`")),
                };
                self.bump();
                InstData::BoolConst { imm }
            }
            Format::Unary => {
                let flags = self.float_flags(&c)?;
                let [arg] = self.values(scope, &c)?;
                InstData::Unary { op, arg, flags }
            }
            Format::Binary => {
                let flags = self.float_flags(&c)?;
                InstData::Binary { op, args: self.values(scope, &c)?, flags }
            }
            Format::Ternary => {
                let flags = self.float_flags(&c)?;
                InstData::Ternary { op, args: self.values(scope, &c)?, flags }
            }
            Format::IntCompare => {
                let (s, p) = self.condition(&c)?;
                let cond = IntCC::from_name(s).ok_or_else(|| {
                    let all: Vec<_> = IntCC::ALL.iter().map(|c| c.name()).collect();
                    ParseError::at(
                        p,
                        format!("unknown integer condition `{}` (expected one of {})", shorten(s), all.join(", ")),
                    )
                })?;
                InstData::IntCompare { cond, args: self.values(scope, &c)? }
            }
            Format::FloatCompare => {
                let (s, p) = self.condition(&c)?;
                let cond = FloatCC::from_name(s).ok_or_else(|| {
                    let all: Vec<_> = FloatCC::ALL.iter().map(|c| c.name()).collect();
                    ParseError::at(
                        p,
                        format!("unknown float condition `{}` (expected one of {})", shorten(s), all.join(", ")),
                    )
                })?;
                InstData::FloatCompare { cond, args: self.values(scope, &c)? }
            }
            Format::Load => InstData::Load { args: self.values(scope, &c)? },
            Format::Store => InstData::Store { args: self.values(scope, &c)? },
            Format::BoundsCheck => InstData::BoundsCheck { args: self.values(scope, &c)? },
            Format::StackAddr => {
                self.before_operand(&c, 0)?;
                let slot = match self.tok() {
                    Token { tok: Tok::Ident(s), pos } if is_slot_name(s) => scope.slot(s, pos)?,
                    _ => return Err(self.expected("a stack slot (`ssN`)")),
                };
                self.bump();
                InstData::StackAddr { slot }
            }
            Format::DataAddr => {
                self.before_operand(&c, 0)?;
                global = Some(self.global_ref("a data object (`@name`)")?);
                InstData::DataAddr { data: DataId::from_u32(0) }
            }
            Format::ExtractLane => {
                self.before_operand(&c, 0)?;
                let arg = self.value(scope)?;
                self.before_operand(&c, 1)?;
                InstData::ExtractLane { arg, lane: self.lane()? }
            }
            Format::InsertLane => {
                self.before_operand(&c, 0)?;
                let a = self.value(scope)?;
                self.before_operand(&c, 1)?;
                let b = self.value(scope)?;
                self.before_operand(&c, 2)?;
                InstData::InsertLane { args: [a, b], lane: self.lane()? }
            }
            Format::Call | Format::CallHost => {
                self.before_operand(&c, 0)?;
                global = Some(self.global_ref("a callee (`@name`)")?);
                self.expect(Tok::LParen, "`(` and the call's arguments")?;
                let mut args = Vec::new();
                self.comma_list(Tok::RParen, ")", |p| {
                    args.push(p.value(scope)?);
                    Ok(())
                })?;
                if op == Opcode::Call {
                    InstData::Call { func: FuncId::from_u32(0), args }
                } else {
                    InstData::CallHost { func: ExternId::from_u32(0), args }
                }
            }
            Format::Jump => {
                self.before_operand(&c, 0)?;
                InstData::Jump { dest: self.block_call(scope)? }
            }
            Format::Brif => {
                self.before_operand(&c, 0)?;
                let cond = self.value(scope)?;
                self.before_operand(&c, 1)?;
                let then_dest = self.block_call(scope)?;
                self.before_operand(&c, 2)?;
                InstData::Brif { cond, then_dest, else_dest: self.block_call(scope)? }
            }
            Format::Return => {
                let arg = if self.at_statement_start() { None } else { Some(self.value(scope)?) };
                InstData::Return { arg }
            }
            Format::Trap => {
                self.before_operand(&c, 0)?;
                let code = match self.tok() {
                    Token { tok: Tok::Ident(s), pos } => TrapCode::from_name(s).ok_or_else(|| {
                        ParseError::at(
                            pos,
                            format!(
                                "unknown trap code `{}` (expected div_by_zero, out_of_bounds, unreachable, \
                                 fuel_exhausted, stack_overflow, host_error or userN with N < 65536)",
                                shorten(s)
                            ),
                        )
                    })?,
                    _ => return Err(self.expected("a trap code")),
                };
                self.bump();
                InstData::Trap { code }
            }
        };
        self.after_operands(&c)?;
        Ok(ParsedInst { result, data, global })
    }

    /// Before operand `i`: a comma, unless it is the first. A missing operand (no comma, or
    /// the next statement where the first operand should be) is an operand-count error.
    fn before_operand(&mut self, c: &Ctx, i: usize) -> Result<(), ParseError> {
        if i > 0 {
            if self.peek() != Tok::Comma {
                return Err(c.count_error(i));
            }
            self.bump();
        } else if self.at_statement_start() {
            return Err(c.count_error(0));
        }
        Ok(())
    }

    /// After the last operand: more comma-separated operands are an operand-count error.
    fn after_operands(&mut self, c: &Ctx) -> Result<(), ParseError> {
        let mut found = if c.op == Opcode::Return { 1 } else { c.n };
        if self.peek() != Tok::Comma {
            return Ok(());
        }
        while self.peek() == Tok::Comma {
            self.bump();
            found += 1;
            self.skip_operand();
        }
        Err(c.count_error(found))
    }

    /// Skips one operand (a token and any parenthesised list after it), to count extras.
    fn skip_operand(&mut self) {
        if matches!(self.peek(), Tok::Eof | Tok::RBrace | Tok::Comma) {
            return;
        }
        self.bump();
        if self.peek() == Tok::LParen {
            while !matches!(self.peek(), Tok::RParen | Tok::Eof | Tok::RBrace) {
                self.bump();
            }
            if self.peek() == Tok::RParen {
                self.bump();
            }
        }
    }

    /// `N` value operands.
    fn values<const N: usize>(&mut self, scope: &mut FuncScope<'a>, c: &Ctx) -> Result<[Value; N], ParseError> {
        let mut out = [Value::from_u32(0); N];
        for (i, v) in out.iter_mut().enumerate() {
            self.before_operand(c, i)?;
            *v = self.value(scope)?;
        }
        Ok(out)
    }

    /// A value operand `vN`.
    fn value(&mut self, scope: &mut FuncScope<'a>) -> Result<Value, ParseError> {
        match self.tok() {
            Token { tok: Tok::Ident(s), pos } if is_value_name(s) => {
                self.bump();
                Ok(scope.use_value(s, pos))
            }
            _ => Err(self.expected("a value (`vN`)")),
        }
    }

    /// A lane index immediate.
    fn lane(&mut self) -> Result<u8, ParseError> {
        // Checked against 255 by `uint_literal`.
        Ok(self.uint_literal(u64::from(u8::MAX), "a lane index")? as u8)
    }

    /// `@name`, left for the parser to resolve.
    fn global_ref(&mut self, what: &str) -> Result<(&'a str, Pos), ParseError> {
        match self.tok() {
            Token { tok: Tok::Global(s), pos } => {
                self.bump();
                Ok((s, pos))
            }
            _ => Err(self.expected(what)),
        }
    }

    /// `blockN` or `blockN(args)`.
    fn block_call(&mut self, scope: &mut FuncScope<'a>) -> Result<BlockCall, ParseError> {
        let block = match self.tok() {
            Token { tok: Tok::Ident(s), pos } if is_block_name(s) => scope.use_block(s, pos),
            _ => return Err(self.expected("a block (`blockN`)")),
        };
        self.bump();
        let mut args = Vec::new();
        if self.peek() == Tok::LParen {
            self.bump();
            self.comma_list(Tok::RParen, ")", |p| {
                args.push(p.value(scope)?);
                Ok(())
            })?;
        }
        Ok(BlockCall::new(block, args))
    }

    /// Float flags (`reassoc`, `contract`) before the operands of a unary, binary or
    /// ternary operation. Any such operation may carry them; the verifier decides whether
    /// they make sense.
    fn float_flags(&mut self, c: &Ctx) -> Result<FloatFlags, ParseError> {
        let mut flags = FloatFlags::NONE;
        while let Token { tok: Tok::Ident(s), pos } = self.tok() {
            if is_value_name(s) || self.at_statement_start() {
                break;
            }
            let Some(f) = FloatFlags::from_name(s) else {
                return Err(ParseError::at(
                    pos,
                    format!(
                        "unknown modifier `{}` (`{}` takes the float flags `reassoc` and `contract`)",
                        shorten(s),
                        c.op
                    ),
                ));
            };
            if flags.contains(f) {
                return Err(ParseError::at(pos, format!("modifier `{s}` is given twice")));
            }
            flags = flags.union(f);
            self.bump();
        }
        Ok(flags)
    }

    /// The condition word of a comparison.
    fn condition(&mut self, c: &Ctx) -> Result<(&'a str, Pos), ParseError> {
        if self.at_statement_start() {
            return Err(c.count_error(0));
        }
        match self.tok() {
            Token { tok: Tok::Ident(s), pos } if !is_value_name(s) => {
                self.bump();
                Ok((s, pos))
            }
            _ => Err(self.expected(&format!("a condition after `{}`", c.op))),
        }
    }
}

/// Checks the result name and type suffix against the opcode: an instruction with a result
/// names it and its type (`v3 = iadd.i32 …`); one without has neither. A call has a result
/// exactly when it is written with one.
fn check_result(op: Opcode, pos: Pos, name: Option<(&str, Pos)>, ty: Option<Type>) -> Result<(), ParseError> {
    let is_call = matches!(op.format(), Format::Call | Format::CallHost);
    if !op.has_result() {
        if let Some(t) = ty {
            return Err(ParseError::at(
                pos,
                format!("`{op}` has no result, so it takes no type suffix (found `.{t}`)"),
            ));
        }
        if let Some((v, vpos)) = name {
            return Err(ParseError::at(vpos, format!("`{op}` has no result to name `{}`", shorten(v))));
        }
        return Ok(());
    }
    match (name, ty) {
        (Some(_), Some(_)) => Ok(()),
        (None, None) if is_call => Ok(()),
        (_, None) => Err(ParseError::at(
            pos,
            format!("missing result type: `{op}` defines a value, so write its type as a suffix (`{op}.i32`)"),
        )),
        (None, Some(t)) => {
            Err(ParseError::at(pos, format!("the result of `{op}.{t}` must be named (`vN = {op}.{t} …`)")))
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::text::parse_module;

    /// Parses `body` as the instructions of an entry block with values v0: i32, v1: f32,
    /// v2: ptr, v3: i64, v4: f32x4; the body starts on line 4. Returns the error.
    fn err(body: &str) -> (u32, u32, String) {
        let src = format!(
            "extern fn @h(i32) -> i32\nfn @f(a: i32, b: f32, c: [i8], d: f32x4) -> i32 {{\nblock0(v0: i32, v1: f32, v2: ptr, v3: i64, v4: f32x4):\n{body}\n}}"
        );
        match parse_module(&src) {
            Ok(_) => panic!("expected an error for {body:?}"),
            Err(e) => (e.line, e.col, e.message),
        }
    }

    fn e(line: u32, col: u32, msg: &str) -> (u32, u32, String) {
        (line, col, msg.to_string())
    }

    #[test]
    fn unknown_opcode_and_type() {
        assert_eq!(err("    v5 = frob.i32 v0"), e(4, 10, "unknown opcode `frob`"));
        assert_eq!(err("    v5 = iadd.i31 v0, v0"), e(4, 15, "unknown type `i31`"));
        assert_eq!(err("    v5 = iadd.i32x3 v0, v0"), e(4, 15, "unknown type `i32x3`"));
        assert_eq!(err("    v5 = iadd. v0, v0"), e(4, 15, "unknown type ``"));
        assert_eq!(err("    x = iadd.i32 v0, v0"), e(4, 5, "expected a value name (`vN`) before `=`, found `x`"));
        assert_eq!(err("    5"), e(4, 5, "expected an instruction, found `5`"));
    }

    #[test]
    fn result_and_suffix() {
        assert_eq!(
            err("    v5 = iadd v0, v0"),
            e(4, 10, "missing result type: `iadd` defines a value, so write its type as a suffix (`iadd.i32`)")
        );
        assert_eq!(err("    iadd.i32 v0, v0"), e(4, 5, "the result of `iadd.i32` must be named (`vN = iadd.i32 …`)"));
        assert_eq!(
            err("    store.i32 v2, v3, v0"),
            e(4, 5, "`store` has no result, so it takes no type suffix (found `.i32`)")
        );
        assert_eq!(err("    v5 = store v2, v3, v0"), e(4, 5, "`store` has no result to name `v5`"));
        assert_eq!(
            err("    return.i32 v0"),
            e(4, 5, "`return` has no result, so it takes no type suffix (found `.i32`)")
        );
        // A call has a result exactly when it is written with one.
        assert_eq!(
            err("    v5 = call_host @h(v0)"),
            e(
                4,
                10,
                "missing result type: `call_host` defines a value, so write its type as a suffix (`call_host.i32`)"
            )
        );
        assert_eq!(
            err("    call_host.i32 @h(v0)"),
            e(4, 5, "the result of `call_host.i32` must be named (`vN = call_host.i32 …`)")
        );
    }

    #[test]
    fn operand_counts() {
        assert_eq!(
            err("    v5 = iadd.i32 v0\n    return v5"),
            e(4, 10, "`iadd` takes 2 operands (`iadd a, b`), found 1")
        );
        assert_eq!(
            err("    v5 = iadd.i32 v0, v0, v0\n    return v5"),
            e(4, 10, "`iadd` takes 2 operands (`iadd a, b`), found 3")
        );
        assert_eq!(err("    v5 = fneg.f32\n    return v0"), e(4, 10, "`fneg` takes 1 operand (`fneg x`), found 0"));
        assert_eq!(err("    v5 = fneg.f32 reassoc\n}"), e(4, 10, "`fneg` takes 1 operand (`fneg x`), found 0"));
        assert_eq!(
            err("    store v2, v3\n    return v0"),
            e(4, 5, "`store` takes 3 operands (`store base, offset, value`), found 2")
        );
        assert_eq!(
            err("    v5 = select.i32 v0, v0\n    return v5"),
            e(4, 10, "`select` takes 3 operands (`select c, a, b`), found 2")
        );
        assert_eq!(
            err("    v5 = extractlane.f32 v4\n    return v0"),
            e(4, 10, "`extractlane` takes 2 operands (`extractlane vector, LANE`), found 1")
        );
        assert_eq!(
            err("    v5 = icmp.bool slt v0, v0, v0, v0\n    return v0"),
            e(4, 10, "`icmp` takes 2 operands (`icmp COND a, b`), found 4")
        );
        assert_eq!(err("    return v0, v0"), e(4, 5, "`return` takes at most 1 operand (`return value`), found 2"));
        assert_eq!(err("    br\nblock1:\n    return v0"), e(4, 5, "`br` takes 1 operand (`br blockN(args)`), found 0"));
        assert_eq!(
            err("    v5 = icmp.bool eq v0, v0\n    brif v5, block1\nblock1:\n    return v0"),
            e(5, 5, "`brif` takes 3 operands (`brif c, blockN(args), blockM(args)`), found 2")
        );
        assert_eq!(err("    trap\n}"), e(4, 5, "`trap` takes 1 operand (`trap CODE`), found 0"));
        assert_eq!(
            err("    v5 = iconst.i32\n    return v5"),
            e(4, 10, "`iconst` takes 1 operand (`iconst INTEGER`), found 0")
        );
        assert_eq!(
            err("    v5 = call.i32 @f(v0, v1), v0\n    return v5"),
            e(4, 10, "`call` takes 1 operand (`call @name(args)`), found 2")
        );
    }

    #[test]
    fn wrong_operand_kinds() {
        assert_eq!(err("    v5 = iadd.i32 v0, 5"), e(4, 23, "expected a value (`vN`), found `5`"));
        assert_eq!(err("    br v0"), e(4, 8, "expected a block (`blockN`), found `v0`"));
        assert_eq!(err("    v5 = call.i32 h(v0)"), e(4, 19, "expected a callee (`@name`), found `h`"));
        assert_eq!(err("    v5 = call.i32 @h v0"), e(4, 22, "expected `(` and the call's arguments, found `v0`"));
        assert_eq!(err("    v5 = bconst.bool yes"), e(4, 22, "expected `true` or `false`, found `yes`"));
        assert_eq!(err("    v5 = stack_addr.ptr v0"), e(4, 25, "expected a stack slot (`ssN`), found `v0`"));
        assert_eq!(err("    v5 = iconst.i32 v0"), e(4, 21, "expected an integer literal, found `v0`"));
        assert_eq!(err("    v5 = fconst.f32 true"), e(4, 21, "expected a float literal, found `true`"));
        assert_eq!(err("    v5 = icmp.bool v0, v0"), e(4, 20, "expected a condition after `icmp`, found `v0`"));
        assert_eq!(err("    trap 7"), e(4, 10, "expected a trap code, found `7`"));
    }

    #[test]
    fn modifiers_and_conditions() {
        assert_eq!(
            err("    v5 = fadd.f32 fast v1, v1"),
            e(4, 19, "unknown modifier `fast` (`fadd` takes the float flags `reassoc` and `contract`)")
        );
        assert_eq!(err("    v5 = fadd.f32 reassoc reassoc v1, v1"), e(4, 27, "modifier `reassoc` is given twice"));
        assert_eq!(
            err("    v5 = icmp.bool lt v0, v0"),
            e(4, 20, "unknown integer condition `lt` (expected one of eq, ne, slt, sle, sgt, sge, ult, ule, ugt, uge)")
        );
        assert_eq!(
            err("    v5 = fcmp.bool slt v1, v1"),
            e(4, 20, "unknown float condition `slt` (expected one of eq, ne, lt, le, gt, ge, ord, uno)")
        );
        assert_eq!(
            err("    trap oops"),
            e(
                4,
                10,
                "unknown trap code `oops` (expected div_by_zero, out_of_bounds, unreachable, fuel_exhausted, \
                 stack_overflow, host_error or userN with N < 65536)"
            )
        );
        assert!(err("    trap user65536").2.starts_with("unknown trap code `user65536`"));
    }

    #[test]
    fn bad_literals() {
        assert_eq!(
            err("    v5 = iconst.i8 256\n    return v0"),
            e(4, 20, "integer literal `256` is out of range for i8")
        );
        assert_eq!(err("    v5 = iconst.i8 -129"), e(4, 20, "integer literal `-129` is out of range for i8"));
        assert_eq!(err("    v5 = iconst.i16 0x10000"), e(4, 21, "integer literal `0x10000` is out of range for i16"));
        assert_eq!(
            err("    v5 = iconst.i64 99999999999999999999"),
            e(4, 21, "integer literal `99999999999999999999` is out of range for i64")
        );
        assert_eq!(
            err("    v5 = iconst.i32 -0x1"),
            e(4, 21, "hex literal `-0x1` can't have a sign: it is a bit pattern")
        );
        assert_eq!(err("    v5 = iconst.i32 12abc"), e(4, 21, "invalid integer literal `12abc`"));
        assert_eq!(err("    v5 = fconst.f32 1.5.2"), e(4, 21, "invalid float literal `1.5.2`"));
        assert_eq!(err("    v5 = fconst.f32 1e39"), e(4, 21, "float literal `1e39` is out of range for f32"));
        assert_eq!(
            err("    v5 = fconst.f64 -nan"),
            e(4, 21, "invalid float literal `-nan` (a NaN with the sign bit set is written `nan:0x…`)")
        );
        assert_eq!(
            err("    v5 = fconst.f32 nan:0x7ff8000000000000"),
            e(4, 25, "`0x7ff8000000000000` is not the bit pattern of an f32 NaN")
        );
        assert_eq!(
            err("    v5 = fconst.f32 nan:xyz"),
            e(4, 25, "expected a hex bit pattern after `nan:`, found `xyz`")
        );
        assert_eq!(
            err("    v5 = extractlane.f32 v4, 256"),
            e(4, 30, "a lane index `256` is out of range (at most 255)")
        );
    }

    #[test]
    fn accepted_forms() {
        // Empty argument lists, flags in any order, hex, nan payloads, calls without results.
        let src = "extern fn @h(i32)\nfn @g() {\nblock0:\n    br block1()\nblock1():\n    v0 = iconst.i8 0xff\n    \
                   v1 = iconst.i64 18446744073709551615\n    v2 = fconst.f32 nan:0x7fc00001\n    \
                   v3 = fadd.f32 contract reassoc v2, v2\n    v4 = sext.i32 v0\n    call_host @h(v4)\n    call @g()\n    return\n}";
        let m = parse_module(src).unwrap();
        let text = crate::print_module(&m);
        assert!(text.contains("    br block1\nblock1:\n"), "{text}");
        assert!(text.contains("v0 = iconst.i8 -1\n"), "{text}");
        assert!(text.contains("v1 = iconst.i64 -1\n"), "{text}");
        assert!(text.contains("v2 = fconst.f32 nan:0x7fc00001\n"), "{text}");
        assert!(text.contains("v3 = fadd.f32 reassoc contract v2, v2\n"), "{text}");
        assert!(text.contains("    call_host @h(v4)\n    call @g()\n"), "{text}");
    }
}
