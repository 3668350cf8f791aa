//! The parser: tokens to a [`File`] syntax tree, by hand-written recursive descent with
//! precedence climbing for binary operators.
//!
//! Why by hand rather than with a parser crate: the grammar is small (about thirty
//! productions) and LL(1) apart from operator precedence, and what matters here is the
//! quality of the errors and of recovery — pointing just after the token that lacks its
//! `;`, saying "comparison operators cannot be chained", resynchronising at the next
//! statement or item so that several errors are reported per file — and a hard bound on
//! nesting. Those are a few lines each in a hand-written parser and a fight in a generated
//! one; it also costs no dependency and parses a thousand lines in well under a millisecond.
//!
//! Recovery: a statement that fails to parse is skipped up to its `;` or the `}` that closes
//! its block (respecting nested braces) or the next statement keyword; an item that fails is
//! skipped to the next `fn`, `export`, `extern` or `#`. A missing `;` before a new line is
//! reported and parsing carries on as if it were there. Only the first error at a given
//! token is reported, so one mistake does not produce a cascade.
//!
//! Nesting (parentheses, unary operators, operator chains, blocks) is limited to
//! [`MAX_DEPTH`] levels; past it the parser reports one error and stops, so no input can
//! overflow the stack of this or any later phase.

use super::ast::*;
use super::diagnostics::{Diag, Sink, Span};
use super::token::{Tok, Token};

/// How deeply expressions and blocks may nest.
pub const MAX_DEPTH: u32 = 256;

/// Parses a token stream (ending in [`Tok::Eof`]) into a file.
pub fn parse(src: &str, tokens: Vec<Token>, sink: &mut Sink) -> File {
    let mut p = Parser { src, tokens, pos: 0, sink, next_id: 0, depth: 0, aborted: false, last_error_at: None };
    let items = p.file();
    File { items, node_count: p.next_id }
}

/// An error already reported; the caller recovers.
struct Reported;
type PResult<T> = Result<T, Reported>;

struct Parser<'a, 's> {
    src: &'a str,
    tokens: Vec<Token>,
    pos: usize,
    sink: &'s mut Sink,
    next_id: u32,
    depth: u32,
    /// Set when nesting exceeded [`MAX_DEPTH`]: parsing stops and reports nothing more.
    aborted: bool,
    /// Token index of the last error, to report one error per token.
    last_error_at: Option<usize>,
}

/// Binding power of binary operators (higher binds tighter); `as` binds tighter still.
fn binop(t: &Tok) -> Option<(BinOp, u8)> {
    Some(match t {
        Tok::OrOr => (BinOp::LogicOr, 1),
        Tok::AndAnd => (BinOp::LogicAnd, 2),
        Tok::EqEq => (BinOp::Eq, 3),
        Tok::Ne => (BinOp::Ne, 3),
        Tok::Lt => (BinOp::Lt, 3),
        Tok::Le => (BinOp::Le, 3),
        Tok::Gt => (BinOp::Gt, 3),
        Tok::Ge => (BinOp::Ge, 3),
        Tok::Pipe => (BinOp::Or, 4),
        Tok::Caret => (BinOp::Xor, 5),
        Tok::Amp => (BinOp::And, 6),
        Tok::Shl => (BinOp::Shl, 7),
        Tok::Shr => (BinOp::Shr, 7),
        Tok::Ushr => (BinOp::Ushr, 7),
        Tok::Plus => (BinOp::Add, 8),
        Tok::Minus => (BinOp::Sub, 8),
        Tok::Star => (BinOp::Mul, 9),
        Tok::Slash => (BinOp::Div, 9),
        Tok::Percent => (BinOp::Rem, 9),
        _ => return None,
    })
}
const AS_BP: u8 = 10;
const COMPARISON_BP: u8 = 3;

/// The operator of a compound assignment token (`+=` → `+`).
fn assign_op(t: &Tok) -> Option<BinOp> {
    match t {
        Tok::OpAssign(op) => binop(op).map(|(op, _)| op),
        _ => None,
    }
}

impl Parser<'_, '_> {
    // ---- token access ------------------------------------------------------------------

    fn tok(&self) -> &Tok {
        &self.tokens[self.pos].tok
    }
    fn span(&self) -> Span {
        self.tokens[self.pos].span
    }
    /// End of the previous token (where a missing `;` belongs).
    fn prev_end(&self) -> Span {
        if self.pos == 0 {
            Span::new(0, 0)
        } else {
            self.tokens[self.pos - 1].span.end()
        }
    }
    fn at(&self, t: &Tok) -> bool {
        self.tok() == t
    }
    fn at_eof(&self) -> bool {
        matches!(self.tok(), Tok::Eof)
    }
    fn bump(&mut self) -> Span {
        let s = self.span();
        if self.pos + 1 < self.tokens.len() {
            self.pos += 1;
        }
        s
    }
    fn eat(&mut self, t: &Tok) -> bool {
        if self.at(t) {
            self.bump();
            true
        } else {
            false
        }
    }
    /// Whether a line break separates the previous token from the current one.
    fn newline_before(&self) -> bool {
        let (a, b) = (self.prev_end().lo as usize, self.span().lo as usize);
        self.src.get(a..b).is_some_and(|s| s.contains('\n'))
    }

    fn id(&mut self) -> NodeId {
        self.next_id += 1;
        NodeId(self.next_id - 1)
    }

    // ---- errors ------------------------------------------------------------------------

    fn report(&mut self, d: Diag) {
        if self.aborted || self.last_error_at == Some(self.pos) {
            return;
        }
        // The lexer already reported this token (or the comment that ran to the end).
        let after_bad = self.pos > 0 && matches!(self.tokens[self.pos - 1].tok, Tok::Error) && self.at_eof();
        if matches!(self.tok(), Tok::Error) || after_bad {
            self.last_error_at = Some(self.pos);
            return;
        }
        self.last_error_at = Some(self.pos);
        self.sink.push(d);
    }

    fn error<T>(&mut self, d: Diag) -> PResult<T> {
        self.report(d);
        Err(Reported)
    }

    /// "expected X, found Y" at the current token.
    fn expected<T>(&mut self, what: &str) -> PResult<T> {
        let found = self.tok().describe();
        self.error(Diag::new(self.span(), format!("expected {what}, found {found}")))
    }

    fn expect(&mut self, t: &Tok) -> PResult<Span> {
        if self.at(t) {
            Ok(self.bump())
        } else {
            self.expected(&format!("`{t}`"))
        }
    }

    /// Expects `;` after a statement. When it is missing at the end of a line or before a
    /// `}`, reports it just after the previous token and carries on as if it were there.
    fn expect_semi(&mut self, after: &str) -> PResult<()> {
        if self.eat(&Tok::Semi) {
            return Ok(());
        }
        let found = self.tok().describe();
        let d = Diag::new(self.prev_end(), format!("expected `;` after {after}, found {found}"));
        if self.newline_before() || self.at(&Tok::RBrace) || self.at_eof() {
            // Report at the previous token's end but key deduplication to this token.
            self.report(d);
            Ok(())
        } else {
            self.error(d)
        }
    }

    /// `return`, `break` and `continue` may omit their `;` before a `}`, as in Rust.
    fn semi_unless_block_end(&mut self, after: &str) -> PResult<()> {
        if self.at(&Tok::RBrace) {
            Ok(())
        } else {
            self.expect_semi(after)
        }
    }

    fn enter(&mut self) -> PResult<()> {
        if self.aborted {
            return Err(Reported);
        }
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let d = Diag::new(self.span(), format!("nesting too deep (more than {MAX_DEPTH} levels)"))
                .hint("split the expression or block into smaller parts");
            self.report(d);
            self.aborted = true;
            self.pos = self.tokens.len() - 1;
            return Err(Reported);
        }
        Ok(())
    }
    fn leave(&mut self) {
        self.depth -= 1;
    }

    // ---- items -------------------------------------------------------------------------

    fn file(&mut self) -> Vec<Item> {
        let mut items = Vec::new();
        while !self.at_eof() {
            let start = self.pos;
            match self.item() {
                Ok(item) => items.push(item),
                Err(Reported) => self.recover_item(),
            }
            if self.pos == start && !self.at_eof() {
                self.bump();
            }
        }
        items
    }

    fn recover_item(&mut self) {
        let mut depth = 0u32;
        while !self.at_eof() {
            match self.tok() {
                Tok::LBrace => depth += 1,
                Tok::RBrace => {
                    if depth <= 1 {
                        self.bump();
                        if depth == 1 {
                            return;
                        }
                        continue;
                    }
                    depth -= 1;
                }
                Tok::Fn | Tok::Export | Tok::Extern | Tok::Hash if depth == 0 => return,
                _ => {}
            }
            self.bump();
        }
    }

    fn item(&mut self) -> PResult<Item> {
        let mut fastmath = false;
        let mut attr_span = None;
        while self.at(&Tok::Hash) {
            let lo = self.bump();
            self.expect(&Tok::LBracket)?;
            let name = self.ident("an attribute name")?;
            let hi = self.expect(&Tok::RBracket)?;
            if name.name == "fastmath" {
                fastmath = true;
                attr_span = Some(lo.to(hi));
            } else {
                self.sink.push(
                    Diag::new(name.span, format!("unknown attribute `{}`", name.name))
                        .hint("the only attribute is `#[fastmath]`"),
                );
            }
        }
        if self.at(&Tok::Extern) {
            let lo = self.bump();
            if let Some(s) = attr_span {
                self.sink.push(Diag::new(s, "`#[fastmath]` cannot be applied to an `extern fn`"));
            }
            self.expect(&Tok::Fn)?;
            let name = self.ident("a function name")?;
            let params = self.params()?;
            let ret = self.ret_type()?;
            if self.at(&Tok::LBrace) {
                return self.error(
                    Diag::new(self.span(), "an `extern fn` has no body")
                        .hint("host functions are declared with `;` and registered by the embedder"),
                );
            }
            self.expect_semi("an `extern fn` declaration")?;
            return Ok(Item::Extern(ExternDecl { name, params, ret, span: lo.to(self.prev_end()) }));
        }
        let lo = self.span();
        let export = self.eat(&Tok::Export);
        if !self.at(&Tok::Fn) {
            let what = if export { "`fn`" } else { "an item (`fn`, `export fn` or `extern fn`)" };
            return self.expected(what);
        }
        self.bump();
        let name = self.ident("a function name")?;
        let params = self.params()?;
        let ret = self.ret_type()?;
        let sig_span = lo.to(self.prev_end());
        if !self.at(&Tok::LBrace) {
            return self.expected("`{` to start the function body");
        }
        let body = self.block()?;
        Ok(Item::Fn(FnDecl { fastmath, export, name, params, ret, body, sig_span }))
    }

    fn ident(&mut self, what: &str) -> PResult<Ident> {
        if let Tok::Ident(name) = self.tok() {
            let name = name.clone();
            let span = self.bump();
            Ok(Ident { name, span })
        } else if self.tok().is_keyword() {
            let kw = self.tok().to_string();
            self.error(
                Diag::new(self.span(), format!("expected {what}, found keyword `{kw}`"))
                    .hint(format!("`{kw}` is a reserved word and cannot be used as a name")),
            )
        } else {
            self.expected(what)
        }
    }

    fn params(&mut self) -> PResult<Vec<ParamDecl>> {
        self.expect(&Tok::LParen)?;
        let mut params = Vec::new();
        while !self.at(&Tok::RParen) {
            let mutable = self.eat(&Tok::Mut);
            let name = self.ident("a parameter name")?;
            self.expect(&Tok::Colon)?;
            let ty = self.type_expr()?;
            params.push(ParamDecl { id: self.id(), mutable, name, ty });
            if !self.eat(&Tok::Comma) {
                if !self.at(&Tok::RParen) {
                    return self.expected("`,` or `)`");
                }
                break;
            }
        }
        self.bump();
        Ok(params)
    }

    fn ret_type(&mut self) -> PResult<Option<TypeExpr>> {
        if self.eat(&Tok::Arrow) {
            Ok(Some(self.type_expr()?))
        } else if self.at(&Tok::Colon) {
            self.error(Diag::new(self.span(), "expected `->` before the return type, found `:`"))
        } else {
            Ok(None)
        }
    }

    fn type_expr(&mut self) -> PResult<TypeExpr> {
        let lo = self.span();
        if self.eat(&Tok::Mut) {
            if !self.at(&Tok::LBracket) {
                return self.error(
                    Diag::new(lo.to(self.span()), "`mut` in a type must be followed by a slice type").hint(
                        "write `mut [f32]` for a writable slice; scalar parameters are made mutable with `mut x: f32`",
                    ),
                );
            }
            let elem = self.slice_elem()?;
            return Ok(TypeExpr {
                kind: elem.map_or(TypeKind::Error, |e| TypeKind::Slice { elem: e, mutable: true }),
                span: lo.to(self.prev_end()),
            });
        }
        if self.at(&Tok::LBracket) {
            let elem = self.slice_elem()?;
            return Ok(TypeExpr {
                kind: elem.map_or(TypeKind::Error, |e| TypeKind::Slice { elem: e, mutable: false }),
                span: lo.to(self.prev_end()),
            });
        }
        let name = self.ident("a type")?;
        Ok(TypeExpr { kind: self.scalar_named(&name).map_or(TypeKind::Error, TypeKind::Scalar), span: name.span })
    }

    /// `[T]`; `None` if `T` is not a known type (already reported).
    fn slice_elem(&mut self) -> PResult<Option<Scalar>> {
        self.expect(&Tok::LBracket)?;
        if self.at(&Tok::LBracket) || self.at(&Tok::Mut) {
            return self.error(
                Diag::new(self.span(), "slices of slices are not supported")
                    .hint("pass a flat slice and compute the index, e.g. `a[row * n + col]`"),
            );
        }
        let name = self.ident("an element type")?;
        let elem = self.scalar_named(&name);
        self.expect(&Tok::RBracket)?;
        Ok(elem)
    }

    fn scalar_named(&mut self, name: &Ident) -> Option<Scalar> {
        let s = Scalar::from_name(&name.name);
        if s.is_none() {
            let hint = match name.name.as_str() {
                "u8" | "u16" | "u32" | "u64" | "usize" => {
                    "there are no unsigned types; use i32 or i64 (`>>>` shifts in zeros)".to_string()
                }
                "i8" | "i16" | "isize" | "i128" => "the integer types are i32 and i64".to_string(),
                "float" | "double" | "int" | "long" => {
                    "the types are i32, i64, f32, f64 and bool (slices: `[f32]`, `mut [f32]`)".to_string()
                }
                _ => "the types are i32, i64, f32, f64 and bool (slices: `[f32]`, `mut [f32]`)".to_string(),
            };
            self.sink.push(Diag::new(name.span, format!("unknown type `{}`", name.name)).hint(hint));
        }
        s
    }

    // ---- statements --------------------------------------------------------------------

    fn block(&mut self) -> PResult<Block> {
        self.enter()?;
        let r = self.block_inner();
        self.leave();
        r
    }

    fn block_inner(&mut self) -> PResult<Block> {
        let lo = self.expect(&Tok::LBrace)?;
        let mut stmts = Vec::new();
        let mut tail: Option<Box<Expr>> = None;
        loop {
            if self.eat(&Tok::Semi) {
                continue;
            }
            if self.at(&Tok::RBrace) || self.at_eof() {
                break;
            }
            if let Some(e) = tail.take() {
                // `stmt()` only returns a tail in front of `}`; keep it as a statement if
                // that ever changes.
                let e: Expr = *e;
                stmts.push(Stmt { span: e.span, kind: StmtKind::Expr(e) });
            }
            let start = self.pos;
            match self.stmt() {
                Ok(StmtOrTail::Stmt(s)) => stmts.push(s),
                Ok(StmtOrTail::Tail(e)) => tail = Some(Box::new(e)),
                Err(Reported) => {
                    if self.aborted {
                        return Err(Reported);
                    }
                    self.recover_stmt();
                }
            }
            if self.pos == start && !self.at(&Tok::RBrace) && !self.at_eof() {
                self.bump();
            }
        }
        if self.at_eof() {
            let d = Diag::new(self.span(), "expected `}`, found end of file").label(lo, "this block is not closed");
            return self.error(d);
        }
        let hi = self.bump();
        Ok(Block { stmts, tail, span: lo.to(hi) })
    }

    /// Skips to the end of a broken statement: past its `;`, or up to the `}` closing the
    /// block or the keyword that starts the next statement.
    fn recover_stmt(&mut self) {
        let mut depth = 0u32;
        while !self.at_eof() {
            match self.tok() {
                Tok::Semi if depth == 0 => {
                    self.bump();
                    return;
                }
                Tok::LBrace => depth += 1,
                Tok::RBrace => {
                    if depth == 0 {
                        return;
                    }
                    depth -= 1;
                    if depth == 0 {
                        self.bump();
                        return;
                    }
                }
                Tok::Let | Tok::For | Tok::While | Tok::Loop | Tok::Return | Tok::If if depth == 0 => return,
                Tok::Fn | Tok::Export | Tok::Extern => return,
                _ => {}
            }
            self.bump();
        }
    }

    fn stmt(&mut self) -> PResult<StmtOrTail> {
        let lo = self.span();
        let kind = match self.tok() {
            Tok::Let => self.let_stmt()?,
            Tok::If => return Ok(StmtOrTail::Stmt(self.if_stmt()?)),
            Tok::For => {
                self.bump();
                let var = self.ident("a loop variable name")?;
                let id = self.id();
                self.expect(&Tok::In)?;
                let start = self.expr()?;
                if !self.at(&Tok::DotDot) {
                    let hint = "`for` loops run over a half-open range: `for i in 0..n`";
                    let found = self.tok().describe();
                    return self.error(Diag::new(self.span(), format!("expected `..`, found {found}")).hint(hint));
                }
                self.bump();
                let end = self.expr()?;
                let body = self.block()?;
                StmtKind::For { id, var, start, end, body }
            }
            Tok::While => {
                self.bump();
                let cond = self.expr()?;
                let body = self.block()?;
                StmtKind::While { cond, body }
            }
            Tok::Loop => {
                self.bump();
                StmtKind::Loop { body: self.block()? }
            }
            Tok::Break => {
                self.bump();
                self.semi_unless_block_end("`break`")?;
                StmtKind::Break
            }
            Tok::Continue => {
                self.bump();
                self.semi_unless_block_end("`continue`")?;
                StmtKind::Continue
            }
            Tok::Return => {
                self.bump();
                let value = if self.at(&Tok::Semi) || self.at(&Tok::RBrace) { None } else { Some(self.expr()?) };
                self.semi_unless_block_end("`return`")?;
                StmtKind::Return(value)
            }
            Tok::LBrace => StmtKind::Block(self.block()?),
            Tok::Else => {
                return self.error(Diag::new(self.span(), "`else` without a preceding `if`"));
            }
            _ => {
                let target = self.expr()?;
                if self.at(&Tok::Eq) || assign_op(self.tok()).is_some() {
                    let op = assign_op(self.tok());
                    let op_span = self.bump();
                    let value = self.expr()?;
                    self.expect_semi("an assignment")?;
                    StmtKind::Assign { target, op, value, op_span }
                } else if self.at(&Tok::RBrace) {
                    return Ok(StmtOrTail::Tail(target));
                } else {
                    self.expect_semi("expression")?;
                    StmtKind::Expr(target)
                }
            }
        };
        Ok(StmtOrTail::Stmt(Stmt { kind, span: lo.to(self.prev_end()) }))
    }

    fn let_stmt(&mut self) -> PResult<StmtKind> {
        self.bump();
        let mutable = self.eat(&Tok::Mut);
        let name = self.ident("a variable name")?;
        let id = self.id();
        let ty = if self.eat(&Tok::Colon) { Some(self.type_expr()?) } else { None };
        if !self.at(&Tok::Eq) {
            if self.at(&Tok::Semi) {
                return self.error(
                    Diag::new(self.span(), format!("`let {}` needs an initial value", name.name))
                        .hint(format!("every variable is initialised when declared: `let {} = 0;`", name.name)),
                );
            }
            return self.expected("`=`");
        }
        self.bump();
        let init = self.expr()?;
        self.expect_semi("`let`")?;
        Ok(StmtKind::Let { id, mutable, name, ty, init })
    }

    fn if_stmt(&mut self) -> PResult<Stmt> {
        self.enter()?;
        let r = self.if_inner();
        self.leave();
        r
    }

    fn if_inner(&mut self) -> PResult<Stmt> {
        let lo = self.bump();
        let cond = self.expr()?;
        if !self.at(&Tok::LBrace) {
            return self.expected("`{` after the `if` condition");
        }
        let then_block = self.block()?;
        let else_branch = if self.eat(&Tok::Else) {
            if self.at(&Tok::If) {
                Some(Box::new(self.if_stmt()?))
            } else if self.at(&Tok::LBrace) {
                let b = self.block()?;
                Some(Box::new(Stmt { span: b.span, kind: StmtKind::Block(b) }))
            } else {
                return self.expected("`{` or `if` after `else`");
            }
        } else {
            None
        };
        Ok(Stmt { kind: StmtKind::If { cond, then_block, else_branch }, span: lo.to(self.prev_end()) })
    }

    // ---- expressions -------------------------------------------------------------------

    fn expr(&mut self) -> PResult<Expr> {
        self.expr_bp(0)
    }

    fn mk(&mut self, kind: ExprKind, span: Span) -> Expr {
        Expr { id: self.id(), kind, span }
    }

    /// Precedence climbing: parses operators binding tighter than `min_bp`.
    fn expr_bp(&mut self, min_bp: u8) -> PResult<Expr> {
        self.enter()?;
        let entry_depth = self.depth;
        let r = self.expr_bp_inner(min_bp);
        // Operator chains deepen the tree without recursing; undo what they added.
        self.depth = entry_depth;
        self.leave();
        r
    }

    fn expr_bp_inner(&mut self, min_bp: u8) -> PResult<Expr> {
        let mut lhs = self.unary()?;
        let mut prev_comparison: Option<Span> = None;
        loop {
            if self.at(&Tok::As) {
                if AS_BP <= min_bp {
                    break;
                }
                self.bump();
                let ty = self.type_expr()?;
                let span = lhs.span.to(ty.span);
                lhs = self.mk(ExprKind::Cast { expr: Box::new(lhs), ty }, span);
                self.enter()?;
                continue;
            }
            let Some((op, bp)) = binop(self.tok()) else { break };
            if bp <= min_bp {
                break;
            }
            let op_span = self.span();
            if bp == COMPARISON_BP {
                if let Some(first) = prev_comparison {
                    return self.error(
                        Diag::new(op_span, "comparison operators cannot be chained")
                            .label(first, "first comparison")
                            .hint("split the comparison with `&&`, as in `a < b && b < c`"),
                    );
                }
                prev_comparison = Some(op_span);
            }
            self.bump();
            // Each link of a left-associative chain adds a level to the tree.
            self.enter()?;
            let rhs = self.expr_bp(bp)?;
            let span = lhs.span.to(rhs.span);
            lhs = self.mk(ExprKind::Binary { op, op_span, lhs: Box::new(lhs), rhs: Box::new(rhs) }, span);
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> PResult<Expr> {
        let op = match self.tok() {
            Tok::Minus => UnOp::Neg,
            Tok::Bang => UnOp::Not,
            Tok::Plus => {
                return self.error(Diag::new(self.span(), "unary `+` is not supported").hint("remove the `+`"));
            }
            _ => return self.postfix(),
        };
        let lo = self.bump();
        self.enter()?;
        let r = self.unary();
        self.leave();
        let e = r?;
        let span = lo.to(e.span);
        Ok(self.mk(ExprKind::Unary { op, expr: Box::new(e) }, span))
    }

    fn postfix(&mut self) -> PResult<Expr> {
        let e = self.primary()?;
        let entry_depth = self.depth;
        let r = self.postfix_ops(e);
        self.depth = entry_depth;
        r
    }

    /// Indexing and method calls after a primary expression; each adds a nesting level.
    fn postfix_ops(&mut self, mut e: Expr) -> PResult<Expr> {
        loop {
            if self.at(&Tok::LBracket) {
                self.bump();
                let index = self.expr()?;
                let hi = self.expect(&Tok::RBracket)?;
                let span = e.span.to(hi);
                e = self.mk(ExprKind::Index { base: Box::new(e), index: Box::new(index) }, span);
            } else if self.at(&Tok::Dot) {
                self.bump();
                let name = self.ident("a method name")?;
                if !self.at(&Tok::LParen) {
                    return self.error(
                        Diag::new(name.span, format!("expected `(` after `.{}`", name.name))
                            .hint(format!("methods are called with parentheses: `.{}()`", name.name)),
                    );
                }
                let (args, hi) = self.args()?;
                let span = e.span.to(hi);
                e = self.mk(ExprKind::Method { recv: Box::new(e), name, args }, span);
            } else {
                return Ok(e);
            }
            self.enter()?;
        }
    }

    fn args(&mut self) -> PResult<(Vec<Expr>, Span)> {
        self.expect(&Tok::LParen)?;
        let mut args = Vec::new();
        while !self.at(&Tok::RParen) {
            args.push(self.expr()?);
            if !self.eat(&Tok::Comma) {
                if !self.at(&Tok::RParen) {
                    return self.expected("`,` or `)`");
                }
                break;
            }
        }
        Ok((args, self.bump()))
    }

    fn primary(&mut self) -> PResult<Expr> {
        let span = self.span();
        let kind = match self.tok().clone() {
            Tok::Int { value, bits, suffix } => {
                self.bump();
                ExprKind::Int { value, bits, suffix }
            }
            Tok::Float { text, suffix } => {
                self.bump();
                ExprKind::Float { text, suffix }
            }
            Tok::True | Tok::False => {
                let b = self.at(&Tok::True);
                self.bump();
                ExprKind::Bool(b)
            }
            Tok::Ident(name) => {
                self.bump();
                let ident = Ident { name, span };
                if self.at(&Tok::LParen) {
                    let (args, hi) = self.args()?;
                    return Ok(self.mk(ExprKind::Call { callee: ident, args }, span.to(hi)));
                }
                ExprKind::Var(ident)
            }
            Tok::LParen => {
                self.bump();
                // `expr` counts the nesting level.
                let inner = self.expr()?;
                let hi = self.expect(&Tok::RParen)?;
                return Ok(self.mk(ExprKind::Paren(Box::new(inner)), span.to(hi)));
            }
            Tok::Error => {
                self.bump();
                ExprKind::Error
            }
            Tok::If => {
                return self.error(
                    Diag::new(span, "expected expression, found keyword `if`")
                        .hint("`if` is a statement; assign to a `let mut` variable in each branch"),
                );
            }
            Tok::DotDot => {
                return self.error(
                    Diag::new(span, "expected expression, found `..`")
                        .hint("ranges are only written in `for` loops, with both bounds: `for i in 0..n`"),
                );
            }
            _ => return self.expected("expression"),
        };
        Ok(self.mk(kind, span))
    }
}

enum StmtOrTail {
    Stmt(Stmt),
    Tail(Expr),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sk::lexer::lex;

    fn parse_str(src: &str) -> (File, Sink) {
        let mut sink = Sink::new();
        let toks = lex(src, &mut sink);
        let f = parse(src, toks, &mut sink);
        (f, sink)
    }

    #[test]
    fn precedence() {
        let (f, sink) = parse_str("fn f() -> i32 { return 1 + 2 * 3 << 1 & 7; }");
        assert!(!sink.has_errors());
        let Item::Fn(fun) = &f.items[0] else { panic!() };
        let StmtKind::Return(Some(e)) = &fun.body.stmts[0].kind else { panic!() };
        // & binds loosest here: ((1 + (2*3)) << 1) & 7
        let ExprKind::Binary { op: BinOp::And, lhs, .. } = &e.kind else { panic!("{e:?}") };
        let ExprKind::Binary { op: BinOp::Shl, .. } = &lhs.kind else { panic!() };
    }

    #[test]
    fn deep_nesting_is_an_error() {
        let src = format!("fn f() -> i32 {{ return {}1{}; }}", "(".repeat(1000), ")".repeat(1000));
        let (_, sink) = parse_str(&src);
        assert_eq!(sink.count(), 1);
        let long = format!("fn f() -> i32 {{ return 1{}; }}", " + 1".repeat(5000));
        let (_, sink) = parse_str(&long);
        assert_eq!(sink.count(), 1);
    }
}
