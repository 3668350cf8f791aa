//! Checking expressions: literals, names, operators, indexing, casts, calls of functions,
//! host functions and intrinsics, and methods (`a.len()`, `x.sqrt()`).

use super::{similar, strip_parens, Checker, LitKind, Literal, Res};
use crate::sk::ast::{BinOp, Expr, ExprKind, Ident, NodeId, Scalar, TypeKind, UnOp};
use crate::sk::diagnostics::{Diag, Span};
use crate::sk::intrinsics::{Accepts, Intrinsic};
use crate::sk::resolve::{Callee, ParamSig};
use crate::sk::token::Suffix;
use crate::sk::types::{Ty, VarKind};

impl Checker<'_> {
    /// The type of `e` (possibly an open literal variable), recorded for `e.id`.
    pub(super) fn expr(&mut self, e: &Expr) -> Ty {
        let t = self.expr_inner(e);
        self.record(e.id, t);
        t
    }

    fn expr_inner(&mut self, e: &Expr) -> Ty {
        match &e.kind {
            ExprKind::Int { value, bits, suffix } => {
                self.literals.push(Literal {
                    id: e.id,
                    span: e.span,
                    negated: false,
                    kind: LitKind::Int { value: *value, bits: *bits },
                });
                match suffix {
                    Some(Suffix::I32) => Ty::I32,
                    Some(Suffix::I64) => Ty::I64,
                    _ => self.infer.fresh(VarKind::Int),
                }
            }
            ExprKind::Float { text, suffix } => {
                self.literals.push(Literal {
                    id: e.id,
                    span: e.span,
                    negated: false,
                    kind: LitKind::Float { text: text.clone() },
                });
                match suffix {
                    Some(Suffix::F32) => Ty::F32,
                    Some(Suffix::F64) => Ty::F64,
                    _ => self.infer.fresh(VarKind::Float),
                }
            }
            ExprKind::Bool(_) => Ty::BOOL,
            ExprKind::Var(name) => self.var(e.id, name),
            ExprKind::Paren(inner) => self.expr(inner),
            ExprKind::Unary { op, expr } => self.unary(*op, expr),
            ExprKind::Binary { op, op_span, lhs, rhs } => {
                let lt = self.expr(lhs);
                let rt = self.expr(rhs);
                self.op_types(*op, *op_span, lt, rt, lhs.span, rhs.span)
            }
            ExprKind::Index { base, index } => self.index(base, index),
            ExprKind::Call { callee, args } => self.call(e.id, callee, args, e.span),
            ExprKind::Method { recv, name, args } => self.method(e.id, recv, name, args),
            ExprKind::Cast { expr, ty } => self.cast(expr, &ty.kind, ty.span),
            ExprKind::Error => Ty::Error,
        }
    }

    fn var(&mut self, id: NodeId, name: &Ident) -> Ty {
        if let Some(b) = self.lookup(&name.name) {
            self.res[id.index()] = Res::Local(b);
            return self.ty[b.index()];
        }
        let n = &name.name;
        let d = if self.items.by_name.contains_key(n) || Intrinsic::from_name(n).is_some() {
            Diag::new(name.span, format!("`{n}` is a function, not a value")).hint(format!("call it: `{n}(…)`"))
        } else {
            let d = Diag::new(name.span, format!("cannot find value `{n}` in this scope"));
            match similar(n, self.scope.iter().map(|(s, _)| s.as_str())) {
                Some(s) => d.hint(format!("a variable with a similar name exists: `{s}`")),
                None => d,
            }
        };
        self.error(d);
        Ty::Error
    }

    fn unary(&mut self, op: UnOp, inner: &Expr) -> Ty {
        if op == UnOp::Neg {
            // `-2147483648` is in range for i32 although `2147483648` is not.
            let lit = strip_parens(inner);
            if matches!(lit.kind, ExprKind::Int { .. }) {
                let t = self.expr(inner);
                if let Some(l) = self.literals.iter_mut().rev().find(|l| l.id == lit.id) {
                    l.negated = true;
                }
                return t;
            }
        }
        let t = self.expr(inner);
        let ok = match op {
            UnOp::Neg => self.infer.is_numeric(t),
            UnOp::Not => self.infer.is_int(t) || self.infer.resolve(t) == Ty::BOOL,
        };
        if !ok && self.infer.resolve(t) != Ty::Error {
            let shown = self.infer.show(t);
            let (sym, what) = if op == UnOp::Neg { ("-", "a number") } else { ("!", "bool or an integer") };
            self.error(Diag::new(inner.span, format!("unary `{sym}` needs {what}, found {shown}")));
            return Ty::Error;
        }
        t
    }

    /// The result type of `lhs op rhs`, given the operand types; shared by binary
    /// expressions and compound assignments.
    pub(super) fn op_types(&mut self, op: BinOp, op_span: Span, lt: Ty, rt: Ty, ls: Span, rs: Span) -> Ty {
        let result_if_error =
            if op.is_comparison() || matches!(op, BinOp::LogicAnd | BinOp::LogicOr) { Ty::BOOL } else { Ty::Error };
        if self.infer.resolve(lt) == Ty::Error || self.infer.resolve(rt) == Ty::Error {
            return result_if_error;
        }
        let sym = op.symbol();
        match op {
            BinOp::LogicAnd | BinOp::LogicOr => {
                for (t, s) in [(lt, ls), (rt, rs)] {
                    if !self.infer.unify(t, Ty::BOOL) {
                        let shown = self.infer.show(t);
                        self.error(
                            Diag::new(s, format!("`{sym}` needs bool operands, found {shown}"))
                                .hint("compare explicitly, as in `x != 0`"),
                        );
                    }
                }
                Ty::BOOL
            }
            BinOp::Shl | BinOp::Shr | BinOp::Ushr => {
                let mut ok = true;
                for (t, s) in [(lt, ls), (rt, rs)] {
                    if !self.infer.is_int(t) {
                        let shown = self.infer.show(t);
                        self.error(Diag::new(s, format!("`{sym}` needs integer operands, found {shown}")));
                        ok = false;
                    }
                }
                if !ok {
                    return Ty::Error;
                }
                // An untyped shift amount takes the type of the shifted value.
                if matches!(self.infer.resolve(rt), Ty::Var(_)) {
                    self.infer.unify(rt, lt);
                }
                lt
            }
            _ => {
                let (allowed, what) = match op {
                    BinOp::Eq | BinOp::Ne => {
                        (self.infer.is_numeric(lt) || self.infer.resolve(lt) == Ty::BOOL, "numbers or bools")
                    }
                    BinOp::And | BinOp::Or | BinOp::Xor => {
                        (self.infer.is_int(lt) || self.infer.resolve(lt) == Ty::BOOL, "integers or bools")
                    }
                    BinOp::Rem => (self.infer.is_int(lt), "integers"),
                    _ => (self.infer.is_numeric(lt), "numbers"),
                };
                if !allowed {
                    let shown = self.infer.show(lt);
                    let d = Diag::new(ls, format!("`{sym}` cannot be applied to {shown}"));
                    let d = if op == BinOp::Rem && self.infer.is_float(lt) {
                        d.label(op_span, "integer remainder")
                            .hint("floats have no `%`; compute `x - y * trunc(x / y)` if you need it")
                    } else if matches!(self.infer.resolve(lt), Ty::Slice { .. }) {
                        d.hint("a slice is not a value; index it, as in `a[i]`")
                    } else {
                        d.hint(format!("`{sym}` works on {what}"))
                    };
                    self.error(d);
                    return result_if_error;
                }
                if !self.infer.unify(lt, rt) {
                    let d = self.mismatch(rs, lt, rt).label(ls, format!("this is {}", self.infer.show(lt)));
                    self.error(d);
                    return result_if_error;
                }
                if op.is_comparison() {
                    Ty::BOOL
                } else {
                    lt
                }
            }
        }
    }

    fn index(&mut self, base: &Expr, index: &Expr) -> Ty {
        let bt = self.expr(base);
        let it = self.expr(index);
        let it_r = self.infer.resolve(it);
        if it_r != Ty::Error && !self.infer.is_int(it) {
            let shown = self.infer.show(it);
            let d = Diag::new(index.span, format!("slice index must be an integer, found {shown}"));
            let d = if self.infer.is_float(it) { d.hint("convert with `as i64` (rounds toward zero)") } else { d };
            self.error(d);
        }
        match self.infer.resolve(bt) {
            Ty::Slice { elem, .. } => Ty::Scalar(elem),
            Ty::Error => Ty::Error,
            other => {
                let shown = self.infer.show(other);
                self.error(
                    Diag::new(base.span, format!("cannot index into a value of type {shown}"))
                        .hint("only slices can be indexed"),
                );
                Ty::Error
            }
        }
    }

    fn cast(&mut self, inner: &Expr, target: &TypeKind, ty_span: Span) -> Ty {
        let it = self.expr(inner);
        let target = match *target {
            TypeKind::Scalar(s) => s,
            TypeKind::Slice { .. } => {
                self.error(Diag::new(ty_span, "cannot cast to a slice type"));
                return Ty::Error;
            }
            TypeKind::Error => return Ty::Error,
        };
        let src = self.infer.resolve(it);
        let src_is_bool = src == Ty::BOOL;
        let problem = match src {
            Ty::Error => None,
            Ty::Slice { .. } | Ty::Unit => Some(None),
            _ if target == Scalar::Bool && !src_is_bool => Some(Some("compare instead, as in `x != 0`")),
            _ if src_is_bool && target.is_float() => Some(Some("cast to an integer first: `b as i32 as f32`")),
            _ => None,
        };
        if let Some(hint) = problem {
            let shown = self.infer.show(src);
            let d = Diag::new(inner.span.to(ty_span), format!("cannot cast {shown} as {}", target.name()));
            self.error(match hint {
                Some(h) => d.hint(h),
                None => d,
            });
        }
        Ty::Scalar(target)
    }

    fn call(&mut self, id: NodeId, callee: &Ident, args: &[Expr], span: Span) -> Ty {
        let name = &callee.name;
        if let Some(&c) = self.items.by_name.get(name) {
            return self.user_call(id, c, callee, args, span);
        }
        if let Some(intr) = Intrinsic::from_name(name) {
            let args: Vec<&Expr> = args.iter().collect();
            return self.intrinsic_call(id, intr, &args, span);
        }
        let d = if self.lookup(name).is_some() {
            Diag::new(callee.span, format!("`{name}` is a variable, not a function"))
        } else if name == "len" {
            Diag::new(callee.span, "cannot find function `len`").hint("`len` is a method of slices: write `a.len()`")
        } else {
            let d = Diag::new(callee.span, format!("cannot find function `{name}`"));
            let candidates =
                self.items.by_name.keys().map(String::as_str).chain(Intrinsic::ALL.iter().map(|i| i.name()));
            match similar(name, candidates) {
                Some(s) => d.hint(format!("a function with a similar name exists: `{s}`")),
                None => d,
            }
        };
        self.error(d);
        for a in args {
            self.expr(a);
        }
        Ty::Error
    }

    fn user_call(&mut self, id: NodeId, c: Callee, callee: &Ident, args: &[Expr], span: Span) -> Ty {
        self.res[id.index()] = Res::Call(c);
        let sig = self.items.sig(c).clone();
        let ret = sig.ret.unwrap_or(Ty::Unit);
        if args.len() != sig.params.len() {
            let n = sig.params.len();
            self.error(
                Diag::new(
                    span,
                    format!(
                        "`{}` takes {n} argument{} but {} {} given",
                        callee.name,
                        plural(n),
                        args.len(),
                        were(args.len())
                    ),
                )
                .label(sig.span, "defined here"),
            );
            for a in args {
                self.expr(a);
            }
            return ret;
        }
        // Slices passed, with the parameter they go to, to detect aliasing.
        let mut slices: Vec<(NodeId, bool, Span)> = Vec::new();
        for (a, p) in args.iter().zip(&sig.params) {
            match p.ty {
                Ty::Slice { elem, mutable } => {
                    if let Some(b) = self.slice_arg(a, elem, mutable, p) {
                        slices.push((b, mutable, a.span));
                    }
                }
                Ty::Error => {
                    self.expr(a);
                }
                want => {
                    let t = self.expr(a);
                    self.coerce(t, want, a.span);
                }
            }
        }
        for (i, &(b, m, s)) in slices.iter().enumerate() {
            if let Some(&(_, m2, s2)) = slices[..i].iter().find(|&&(b2, _, _)| b2 == b) {
                if m || m2 {
                    let n = self.local(b).map(|l| l.name.clone()).unwrap_or_default();
                    self.error(
                        Diag::new(
                            s,
                            format!("`{n}` is passed twice to `{}`, and one of them as a `mut` slice", callee.name),
                        )
                        .label(s2, "first passed here")
                        .hint("a `mut` slice argument must not overlap any other slice argument"),
                    );
                }
            }
        }
        ret
    }

    /// Checks a slice argument; returns the binding it names, for the aliasing check.
    fn slice_arg(&mut self, a: &Expr, elem: Scalar, mutable: bool, p: &ParamSig) -> Option<NodeId> {
        let t = self.expr(a);
        let want = Ty::Slice { elem, mutable };
        match self.infer.resolve(t) {
            Ty::Slice { elem: e2, mutable: m2 } if e2 == elem => {
                let inner = strip_parens(a);
                let binding = match self.res[inner.id.index()] {
                    Res::Local(b) => Some(b),
                    _ => None,
                };
                if mutable && !m2 {
                    let n = self.text(a.span).to_string();
                    let d = Diag::new(
                        a.span,
                        format!("cannot pass `{n}` as `{want}` (parameter `{}`): it is `[{}]`", p.name, elem.name()),
                    )
                    .hint(format!("declare the parameter as `{n}: mut [{}]`", elem.name()));
                    self.error(d);
                }
                binding
            }
            Ty::Error => None,
            _ => {
                let d = self.mismatch(a.span, want, t);
                self.error(d);
                None
            }
        }
    }

    fn intrinsic_call(&mut self, id: NodeId, intr: Intrinsic, args: &[&Expr], span: Span) -> Ty {
        let name = intr.name();
        let n = intr.arity();
        if args.len() != n {
            self.error(Diag::new(
                span,
                format!("`{name}` takes {n} argument{} but {} {} given", plural(n), args.len(), were(args.len())),
            ));
            for a in args {
                self.expr(a);
            }
            return Ty::Error;
        }
        self.res[id.index()] = Res::Intrinsic(intr);
        let types: Vec<Ty> = args.iter().map(|a| self.expr(a)).collect();
        let t0 = types[0];
        if self.infer.resolve(t0) == Ty::Error {
            return Ty::Error;
        }
        let ok = match intr.accepts() {
            Accepts::Float => self.infer.is_float(t0),
            Accepts::Numeric => self.infer.is_numeric(t0),
        };
        if !ok {
            let shown = self.infer.show(t0);
            let what = if intr.accepts() == Accepts::Float { "a float (f32 or f64)" } else { "numbers" };
            let d = Diag::new(args[0].span, format!("`{name}` expects {what}, found {shown}"));
            let d = if self.infer.is_int(t0) && intr.accepts() == Accepts::Float {
                if matches!(self.infer.resolve(t0), Ty::Var(_)) {
                    d.hint("an integer literal is not a float; write it with a `.0`")
                } else {
                    d.hint("convert with `as f32` or `as f64`")
                }
            } else {
                d
            };
            self.error(d);
            return Ty::Error;
        }
        for (a, &t) in args.iter().zip(&types).skip(1) {
            if self.infer.resolve(t) != Ty::Error && !self.infer.unify(t0, t) {
                let d = self.mismatch(a.span, t0, t).hint(format!("all arguments of `{name}` have the same type"));
                self.error(d);
            }
        }
        t0
    }

    fn method(&mut self, id: NodeId, recv: &Expr, name: &Ident, args: &[Expr]) -> Ty {
        if name.name == "len" {
            let rt = self.expr(recv);
            if !args.is_empty() {
                self.error(Diag::new(name.span, "`len` takes no arguments"));
            }
            return match self.infer.resolve(rt) {
                Ty::Slice { .. } => {
                    self.res[id.index()] = Res::Len;
                    Ty::I64
                }
                Ty::Error => Ty::Error,
                other => {
                    let shown = self.infer.show(other);
                    self.error(Diag::new(name.span, format!("`len` is a method of slices, not of {shown}")));
                    Ty::Error
                }
            };
        }
        if let Some(intr) = Intrinsic::from_name(&name.name) {
            let all: Vec<&Expr> = std::iter::once(recv).chain(args.iter()).collect();
            let span = recv.span.to(args.last().map_or(name.span, |a| a.span));
            return self.intrinsic_call(id, intr, &all, span);
        }
        self.expr(recv);
        for a in args {
            self.expr(a);
        }
        let d = Diag::new(name.span, format!("no method named `{}`", name.name))
            .hint("the methods are `len()` on slices and the built-in functions written as methods, as in `x.sqrt()`");
        self.error(d);
        Ty::Error
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn were(n: usize) -> &'static str {
    if n == 1 {
        "was"
    } else {
        "were"
    }
}
