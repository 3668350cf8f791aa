//! Checking statements and blocks: bindings and scopes, assignments and mutability, the
//! conditions of `if` and `while`, `for` ranges, `break`/`continue` placement, `return`
//! values, and whether control can reach the end of a block (for "missing `return`").

use super::{strip_parens, Checker, LocalKind, Res};
use crate::sk::ast::{BinOp, Block, Expr, ExprKind, Stmt, StmtKind};
use crate::sk::diagnostics::{Diag, Span};
use crate::sk::resolve::type_of;
use crate::sk::types::Ty;

impl Checker<'_> {
    /// Checks a function body; true if control cannot reach its end.
    pub(super) fn fn_body(&mut self, b: &Block) -> bool {
        let mark = self.scope.len();
        let mut diverges = self.stmts(&b.stmts);
        if let Some(tail) = &b.tail {
            let t = self.expr(tail);
            match self.ret {
                Some(rt) => {
                    self.coerce(t, rt, tail.span);
                    diverges = true;
                }
                None => {
                    let t = self.infer.resolve(t);
                    if t != Ty::Unit && t != Ty::Error {
                        let shown = self.infer.show(t);
                        let name = self.fn_name.clone();
                        self.error(
                            Diag::new(tail.span, format!("function `{name}` has no return type, but its body ends in a value of type {shown}"))
                                .hint(match t {
                                    Ty::Scalar(s) => format!("add `-> {}` to the signature, or end the expression with `;`", s.name()),
                                    _ => "add a return type to the signature, or end the expression with `;`".to_string(),
                                }),
                        );
                    }
                }
            }
        }
        self.scope.truncate(mark);
        diverges
    }

    /// Checks a nested block; true if control cannot reach its end.
    fn block(&mut self, b: &Block) -> bool {
        let mark = self.scope.len();
        let diverges = self.stmts(&b.stmts);
        if let Some(tail) = &b.tail {
            let t = self.expr(tail);
            let t = self.infer.resolve(t);
            if t != Ty::Unit && t != Ty::Error {
                let shown = self.infer.show(t);
                self.error(
                    Diag::new(tail.span, format!("unused value of type {shown} at the end of a block")).hint(
                        "end it with `;`; blocks do not produce values (use `return` to return from the function)",
                    ),
                );
            }
        }
        self.scope.truncate(mark);
        diverges
    }

    fn stmts(&mut self, stmts: &[Stmt]) -> bool {
        let mut diverges = false;
        for s in stmts {
            // Statements after a `return` are unreachable but still checked.
            diverges |= self.stmt(s);
        }
        diverges
    }

    /// Checks a statement; true if control cannot continue after it.
    fn stmt(&mut self, s: &Stmt) -> bool {
        match &s.kind {
            StmtKind::Let { id, mutable, name, ty, init } => {
                let it = self.expr(init);
                let mut bt = match ty {
                    Some(t) => {
                        let declared = type_of(t, self.sink);
                        if matches!(declared, Ty::Slice { .. }) {
                            self.error(
                                Diag::new(t.span, "variables cannot hold slices")
                                    .hint("slices are function parameters; index them or pass them on"),
                            );
                            Ty::Error
                        } else {
                            self.coerce(it, declared, init.span);
                            declared
                        }
                    }
                    None => it,
                };
                match self.infer.resolve(bt) {
                    Ty::Slice { .. } => {
                        self.error(
                            Diag::new(init.span, "variables cannot hold slices")
                                .hint("use the slice parameter directly"),
                        );
                        bt = Ty::Error;
                    }
                    Ty::Unit => {
                        self.error(Diag::new(
                            init.span,
                            format!("cannot bind `{}` to a call that returns no value", name.name),
                        ));
                        bt = Ty::Error;
                    }
                    _ => {}
                }
                self.bind(*id, &name.name, name.span, bt, *mutable, LocalKind::Let);
                false
            }
            StmtKind::Assign { target, op, value, op_span } => {
                self.assign(target, *op, value, *op_span);
                false
            }
            StmtKind::Expr(e) => {
                self.expr(e);
                false
            }
            StmtKind::If { cond, then_block, else_branch } => {
                self.condition(cond, "if");
                let a = self.block(then_block);
                let b = match else_branch {
                    Some(s) => self.stmt(s),
                    None => false,
                };
                a && b
            }
            StmtKind::For { id, var, start, end, body } => {
                for bound in [start, end] {
                    let t = self.expr(bound);
                    if !self.infer.unify(t, Ty::I64) {
                        let shown = self.infer.show(t);
                        let d = Diag::new(bound.span, format!("`for` range bounds must be i64, found {shown}"));
                        let d = if self.infer.is_int(t) { d.hint("convert with `as i64`") } else { d };
                        self.error(d);
                    }
                }
                let mark = self.scope.len();
                self.bind(*id, &var.name, var.span, Ty::I64, false, LocalKind::LoopVar);
                self.loops.push(false);
                self.block(body);
                self.loops.pop();
                self.scope.truncate(mark);
                false
            }
            StmtKind::While { cond, body } => {
                self.condition(cond, "while");
                self.loops.push(false);
                self.block(body);
                self.loops.pop();
                false
            }
            StmtKind::Loop { body } => {
                self.loops.push(false);
                self.block(body);
                // A `loop` without `break` never finishes.
                !self.loops.pop().unwrap_or(false)
            }
            StmtKind::Break | StmtKind::Continue => {
                let word = if matches!(s.kind, StmtKind::Break) { "break" } else { "continue" };
                match self.loops.last_mut() {
                    Some(has_break) => *has_break |= word == "break",
                    None => self.error(
                        Diag::new(s.span, format!("`{word}` outside of a loop"))
                            .hint("`break` and `continue` can only be used inside `for`, `while` and `loop`"),
                    ),
                }
                true
            }
            StmtKind::Return(value) => {
                self.return_stmt(s.span, value.as_ref());
                true
            }
            StmtKind::Block(b) => self.block(b),
        }
    }

    fn condition(&mut self, cond: &Expr, keyword: &str) {
        let t = self.expr(cond);
        if !self.infer.unify(t, Ty::BOOL) {
            let shown = self.infer.show(t);
            let d = Diag::new(cond.span, format!("`{keyword}` condition must be bool, found {shown}"));
            let d = if self.infer.is_numeric(t) {
                d.hint("numbers are not truth values; compare explicitly, as in `x != 0`")
            } else {
                d
            };
            self.error(d);
        }
    }

    fn return_stmt(&mut self, span: Span, value: Option<&Expr>) {
        let name = self.fn_name.clone();
        match (value, self.ret) {
            (Some(e), Some(rt)) => {
                let t = self.expr(e);
                self.coerce(t, rt, e.span);
            }
            (Some(e), None) => {
                let t = self.expr(e);
                let hint = match self.infer.resolve(t) {
                    Ty::Scalar(s) => format!("add `-> {}` to the signature, or write `return;`", s.name()),
                    _ => "add a return type to the signature, or write `return;`".to_string(),
                };
                self.error(
                    Diag::new(e.span, format!("function `{name}` has no return type, but `return` gives it a value"))
                        .hint(hint),
                );
            }
            (None, Some(rt)) if rt != Ty::Error => {
                self.error(
                    Diag::new(span, format!("`return` needs a value: function `{name}` returns {rt}"))
                        .hint(format!("write `return <value of type {rt}>;`")),
                );
            }
            _ => {}
        }
    }

    fn assign(&mut self, target: &Expr, op: Option<BinOp>, value: &Expr, op_span: Span) {
        let tt = self.place(target);
        let vt = self.expr(value);
        match op {
            None => {
                self.coerce(vt, tt, value.span);
            }
            Some(op) => {
                self.op_types(op, op_span, tt, vt, target.span, value.span);
            }
        }
    }

    /// The type of an assignment target, reporting targets that cannot be assigned.
    fn place(&mut self, target: &Expr) -> Ty {
        let inner = strip_parens(target);
        match &inner.kind {
            ExprKind::Var(name) => {
                let t = self.expr(target);
                let Res::Local(b) = self.res[inner.id.index()] else { return Ty::Error };
                let Some(local) = self.local(b).cloned() else { return Ty::Error };
                if let Ty::Slice { .. } = self.infer.resolve(t) {
                    self.error(
                        Diag::new(name.span, format!("cannot assign to `{}`: slices cannot be reassigned", name.name))
                            .label(local.span, "declared here")
                            .hint(format!("assign to its elements instead: `{}[i] = …`", name.name)),
                    );
                    return Ty::Error;
                }
                if !local.mutable {
                    let n = &local.name;
                    let d = match local.kind {
                        LocalKind::Let => Diag::new(name.span, format!("cannot assign to `{n}`: it is not mutable"))
                            .hint(format!("`{n}` is not mutable; declare it with `let mut`")),
                        LocalKind::Param => {
                            Diag::new(name.span, format!("cannot assign to parameter `{n}`: it is not mutable"))
                                .hint(format!("`{n}` is not mutable; declare the parameter as `mut {n}`"))
                        }
                        LocalKind::LoopVar => {
                            Diag::new(name.span, format!("cannot assign to `{n}`: it is a `for` loop variable"))
                                .hint(format!("loop variables are immutable; copy it first: `let mut j = {n};`"))
                        }
                    };
                    self.error(d.label(local.span, "declared here"));
                }
                t
            }
            ExprKind::Index { base, .. } => {
                let t = self.expr(target);
                let base = strip_parens(base);
                if let (ExprKind::Var(name), Ty::Slice { elem, mutable: false }) =
                    (&base.kind, self.ty[base.id.index()])
                {
                    let decl = match self.res[base.id.index()] {
                        Res::Local(b) => self.local(b).map(|l| l.span),
                        _ => None,
                    };
                    let n = &name.name;
                    let mut d = Diag::new(
                        name.span,
                        format!("cannot assign to `{n}`: it is `[{e}]`, not `mut [{e}]`", e = elem.name()),
                    )
                    .hint(format!("declare the parameter as `{n}: mut [{}]`", elem.name()));
                    if let Some(s) = decl {
                        d = d.label(s, "declared here");
                    }
                    self.error(d);
                }
                t
            }
            _ => {
                self.expr(target);
                self.error(
                    Diag::new(target.span, "invalid left-hand side of assignment")
                        .hint("only variables and slice elements (`a[i]`) can be assigned"),
                );
                Ty::Error
            }
        }
    }
}
