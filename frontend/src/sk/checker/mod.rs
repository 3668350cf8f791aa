//! Name resolution and type checking of function bodies.
//!
//! One pass over each body resolves every name to its binding (or function), infers the
//! types of untyped literals (see [`super::types`]), checks every operation, assignment,
//! call and return, and finds functions that can run off their end without returning a
//! value. The results are side tables indexed by [`NodeId`] ([`Checked`]), which the
//! lowering reads; the tree itself is never changed.
//!
//! Statements live in `stmt.rs`, expressions in `expr.rs`; this file holds the state,
//! scopes, per-function setup and the end-of-function work (literal defaults and range
//! checks).

mod expr;
mod stmt;

use super::ast::{ExprKind, File, FnDecl, Item, NodeId, Scalar};
use super::diagnostics::{Diag, Sink, Span};
use super::intrinsics::Intrinsic;
use super::resolve::{Callee, Items};
use super::types::{Infer, Ty};

/// What a name or call refers to, per [`NodeId`] of the expression.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Res {
    Unresolved,
    /// A variable: the [`NodeId`] of its binding site (parameter, `let` or `for`).
    Local(NodeId),
    Call(Callee),
    Intrinsic(Intrinsic),
    /// `a.len()`.
    Len,
}

/// The checker's results: every expression's and binding's type (concrete: no literal
/// variables remain) and what every name refers to.
#[derive(Debug)]
pub struct Checked {
    pub items: Items,
    pub ty: Vec<Ty>,
    pub res: Vec<Res>,
}

/// Checks every function of `file`.
/// Bodies of functions containing one of `syntax_errors` (byte offsets) are skipped.
pub fn check(file: &File, items: Items, src: &str, syntax_errors: &[u32], sink: &mut Sink) -> Checked {
    let n = file.node_count as usize;
    let mut cx = Checker {
        items: &items,
        sink,
        src,
        ty: vec![Ty::Error; n],
        res: vec![Res::Unresolved; n],
        locals: vec![None; n],
        infer: Infer::new(),
        scope: Vec::new(),
        loops: Vec::new(),
        ret: None,
        fn_name: String::new(),
        touched: Vec::new(),
        literals: Vec::new(),
    };
    let mut func_index = 0;
    for item in &file.items {
        if let Item::Fn(f) = item {
            let broken = syntax_errors.iter().any(|&p| f.sig_span.lo <= p && p <= f.body.span.hi);
            if !broken {
                cx.function(f, func_index);
            }
            func_index += 1;
        }
    }
    let (ty, res) = (cx.ty, cx.res);
    Checked { items, ty, res }
}

#[derive(Copy, Clone, PartialEq, Eq, Debug)]
enum LocalKind {
    Let,
    Param,
    LoopVar,
}

#[derive(Clone, Debug)]
struct Local {
    name: String,
    mutable: bool,
    kind: LocalKind,
    span: Span,
}

/// A literal whose value is checked against its type once the type is known.
struct Literal {
    id: NodeId,
    span: Span,
    negated: bool,
    kind: LitKind,
}

enum LitKind {
    Int { value: u64, bits: bool },
    Float { text: String },
}

struct Checker<'a> {
    items: &'a Items,
    sink: &'a mut Sink,
    src: &'a str,
    ty: Vec<Ty>,
    res: Vec<Res>,
    locals: Vec<Option<Local>>,
    // Per function:
    infer: Infer,
    /// Visible bindings, innermost last.
    scope: Vec<(String, NodeId)>,
    /// One entry per enclosing loop: whether a `break` leaves it.
    loops: Vec<bool>,
    ret: Option<Ty>,
    fn_name: String,
    /// Nodes given a type in this function, to resolve at its end.
    touched: Vec<NodeId>,
    literals: Vec<Literal>,
}

impl Checker<'_> {
    fn error(&mut self, d: Diag) {
        self.sink.push(d);
    }

    fn record(&mut self, id: NodeId, t: Ty) {
        if let Some(slot) = self.ty.get_mut(id.index()) {
            *slot = t;
            self.touched.push(id);
        }
    }

    fn text(&self, span: Span) -> &str {
        self.src.get(span.range()).unwrap_or("")
    }

    fn bind(&mut self, id: NodeId, name: &str, span: Span, ty: Ty, mutable: bool, kind: LocalKind) {
        self.record(id, ty);
        if let Some(slot) = self.locals.get_mut(id.index()) {
            *slot = Some(Local { name: name.to_string(), mutable, kind, span });
        }
        self.scope.push((name.to_string(), id));
    }

    fn lookup(&self, name: &str) -> Option<NodeId> {
        self.scope.iter().rev().find(|(n, _)| n == name).map(|&(_, id)| id)
    }

    fn local(&self, id: NodeId) -> Option<&Local> {
        self.locals.get(id.index()).and_then(|l| l.as_ref())
    }

    fn function(&mut self, f: &FnDecl, index: usize) {
        self.infer = Infer::new();
        self.scope.clear();
        self.loops.clear();
        self.touched.clear();
        self.literals.clear();
        self.fn_name = f.name.name.clone();
        let sig = self.items.funcs[index].clone();
        self.ret = sig.ret;
        for (p, ps) in f.params.iter().zip(&sig.params) {
            let mutable = ps.mutable && matches!(ps.ty, Ty::Scalar(_));
            self.bind(p.id, &p.name.name, p.name.span, ps.ty, mutable, LocalKind::Param);
        }
        let diverges = self.fn_body(&f.body);
        if let Some(rt) = self.ret {
            if !diverges && rt != Ty::Error {
                let close = Span { lo: f.body.span.hi.saturating_sub(1), hi: f.body.span.hi };
                let d = Diag::new(close, format!("missing `return` in function `{}`, which returns {rt}", f.name.name))
                    .label(f.sig_span, format!("declared to return {rt}"))
                    .hint("end the function with `return …;`, or make every path return a value");
                self.error(d);
            }
        }
        self.finish_function();
    }

    /// Defaults open literal types, makes every recorded type concrete, and checks that
    /// each literal fits its type.
    fn finish_function(&mut self) {
        self.infer.apply_defaults();
        for &id in &self.touched {
            let t = self.infer.resolve(self.ty[id.index()]);
            self.ty[id.index()] = t;
        }
        let literals = std::mem::take(&mut self.literals);
        for lit in &literals {
            let Ty::Scalar(s) = self.ty[lit.id.index()] else { continue };
            match &lit.kind {
                LitKind::Int { value, bits } => self.check_int_literal(lit, s, *value, *bits),
                LitKind::Float { text } => {
                    let finite = match s {
                        Scalar::F32 => text.parse::<f32>().is_ok_and(f32::is_finite),
                        _ => text.parse::<f64>().is_ok_and(f64::is_finite),
                    };
                    if !finite {
                        self.error(Diag::new(lit.span, format!("float literal out of range for {}", s.name())).hint(
                            format!(
                                "the largest finite {} is about {}",
                                s.name(),
                                if s == Scalar::F32 { "3.4e38" } else { "1.8e308" }
                            ),
                        ));
                    }
                }
            }
        }
    }

    fn check_int_literal(&mut self, lit: &Literal, s: Scalar, value: u64, bits: bool) {
        let (max_pos, max_bits, range) = match s {
            Scalar::I32 => (i32::MAX as u64, u32::MAX as u64, "-2147483648 to 2147483647"),
            _ => (i64::MAX as u64, u64::MAX, "-9223372036854775808 to 9223372036854775807"),
        };
        let ok = if bits {
            value <= max_bits
        } else if lit.negated {
            value <= max_pos + 1
        } else {
            value <= max_pos
        };
        if !ok {
            let text = self.text(lit.span).to_string();
            let hint = if bits {
                format!(
                    "a hexadecimal or binary {} literal may have at most {} bits",
                    s.name(),
                    if s == Scalar::I32 { 32 } else { 64 }
                )
            } else {
                format!("{} holds {range}", s.name())
            };
            let hint = if s == Scalar::I32 && !bits && value <= u32::MAX as u64 {
                format!("{hint}; for a 32-bit pattern write it in hex: `{value:#x}`")
            } else {
                hint
            };
            self.error(Diag::new(lit.span, format!("literal `{text}` is out of range for {}", s.name())).hint(hint));
        }
    }

    /// "mismatched types: expected W, found G" unless `got` can be `want`.
    fn coerce(&mut self, got: Ty, want: Ty, span: Span) -> bool {
        if self.infer.unify(got, want) {
            return true;
        }
        let d = self.mismatch(span, want, got);
        self.error(d);
        false
    }

    fn mismatch(&self, span: Span, want: Ty, got: Ty) -> Diag {
        let (w, g) = (self.infer.show(want), self.infer.show(got));
        let d = Diag::new(span, format!("mismatched types: expected {w}, found {g}"));
        let (rw, rg) = (self.infer.resolve(want), self.infer.resolve(got));
        if self.infer.is_float(rw) && self.infer.is_int(rg) && matches!(rg, Ty::Var(_)) {
            let text = self.text(span);
            if !text.is_empty() && text.bytes().all(|c| c.is_ascii_digit() || c == b'_') {
                return d.hint(format!("an integer literal is not a float; write `{text}.0`"));
            }
            return d.hint(match rw {
                Ty::Scalar(s) => format!("this is an integer; convert it with `as {}`", s.name()),
                _ => "this is an integer; convert it with `as f32` or `as f64`".to_string(),
            });
        }
        match (rw, rg) {
            (Ty::Scalar(a), Ty::Scalar(b)) if a.is_numeric() && b.is_numeric() => {
                d.hint(format!("numbers are not converted implicitly; convert with `as {}`", a.name()))
            }
            (Ty::Scalar(a), Ty::Var(_)) if a.is_int() && self.infer.is_float(rg) => {
                d.hint(format!("a float literal cannot be an integer; convert with `as {}`", a.name()))
            }
            (Ty::Scalar(_), Ty::Slice { .. }) => d.hint("a slice is not a value; index it, as in `a[i]`"),
            (Ty::Scalar(_) | Ty::Var(_), Ty::Unit) => d.hint("this call returns no value"),
            _ => d,
        }
    }
}

/// `e` without surrounding parentheses.
fn strip_parens(mut e: &super::ast::Expr) -> &super::ast::Expr {
    while let ExprKind::Paren(inner) = &e.kind {
        e = inner;
    }
    e
}

/// Edit distance counting a swap of two adjacent characters as one edit (optimal string
/// alignment), for "a similar name exists" hints: `valeu` is one edit from `value`.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    d[0] = (0..=b.len()).collect();
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// The candidate closest to `name`, if it is close enough to be a likely typo.
fn similar<'n>(name: &str, candidates: impl Iterator<Item = &'n str>) -> Option<&'n str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .filter(|c| *c != name)
        .map(|c| (edit_distance(name, c), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn similar_names() {
        assert_eq!(edit_distance("gain", "gian"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(similar("gian", ["gain", "frame"].into_iter()), Some("gain"));
        assert_eq!(similar("gian", ["frame"].into_iter()), None);
        assert_eq!(similar("fram", ["gain", "frame"].into_iter()), Some("frame"));
        assert_eq!(similar("x", ["y"].into_iter()), Some("y"));
    }
}
