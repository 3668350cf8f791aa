//! Item collection: the table of functions and host functions of a file, with their
//! signatures, so that bodies can call functions defined later (and themselves).
//!
//! Reports what is wrong with items as a whole: duplicate names, names taken by
//! intrinsics, duplicate parameters, slices where only scalars may go, `[bool]`.

use super::ast::{File, Ident, Item, ParamDecl, Scalar, TypeExpr, TypeKind};
use super::diagnostics::{Diag, Sink, Span};
use super::intrinsics::Intrinsic;
use super::types::Ty;
use std::collections::HashMap;

/// A parameter of a function or host function.
#[derive(Clone, Debug)]
pub struct ParamSig {
    pub name: String,
    pub ty: Ty,
    pub mutable: bool,
    pub span: Span,
}

/// The signature of a function (`fn`) or host function (`extern fn`).
#[derive(Clone, Debug)]
pub struct FnSig {
    pub name: String,
    pub params: Vec<ParamSig>,
    /// `None` for no return value; `Some(Ty::Error)` for a malformed return type.
    pub ret: Option<Ty>,
    pub span: Span,
}

/// What a call names.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Callee {
    /// The n-th `fn` of the file (also its index among the module's functions).
    Func(usize),
    /// The n-th `extern fn` of the file.
    Extern(usize),
}

/// The items of a file.
#[derive(Default, Debug)]
pub struct Items {
    pub funcs: Vec<FnSig>,
    pub externs: Vec<FnSig>,
    pub by_name: HashMap<String, Callee>,
}

impl Items {
    pub fn sig(&self, c: Callee) -> &FnSig {
        match c {
            Callee::Func(i) => &self.funcs[i],
            Callee::Extern(i) => &self.externs[i],
        }
    }
}

/// Collects the items of `file`.
pub fn collect(file: &File, sink: &mut Sink) -> Items {
    let mut items = Items::default();
    for item in &file.items {
        let (name, params, ret, span, is_extern) = match item {
            Item::Fn(f) => (&f.name, &f.params, &f.ret, f.sig_span, false),
            Item::Extern(e) => (&e.name, &e.params, &e.ret, e.span, true),
        };
        check_name(&items, name, sink);
        let sig = FnSig {
            name: name.name.clone(),
            params: params.iter().map(|p| param_sig(p, is_extern, sink)).collect(),
            ret: ret.as_ref().map(|t| ret_ty(t, sink)),
            span,
        };
        check_duplicate_params(params, sink);
        let callee = if is_extern {
            items.externs.push(sig);
            Callee::Extern(items.externs.len() - 1)
        } else {
            items.funcs.push(sig);
            Callee::Func(items.funcs.len() - 1)
        };
        items.by_name.entry(name.name.clone()).or_insert(callee);
    }
    items
}

fn check_name(items: &Items, name: &Ident, sink: &mut Sink) {
    if let Some(&prev) = items.by_name.get(&name.name) {
        let first = items.sig(prev).span;
        sink.push(
            Diag::new(name.span, format!("the function `{}` is defined more than once", name.name))
                .label(first, "first defined here")
                .hint("rename one of them"),
        );
    } else if Intrinsic::from_name(&name.name).is_some() {
        sink.push(
            Diag::new(name.span, format!("`{}` is a built-in function and cannot be redefined", name.name))
                .hint("choose another name"),
        );
    }
}

fn check_duplicate_params(params: &[ParamDecl], sink: &mut Sink) {
    for (i, p) in params.iter().enumerate() {
        if let Some(first) = params[..i].iter().find(|q| q.name.name == p.name.name) {
            sink.push(
                Diag::new(p.name.span, format!("parameter `{}` is declared more than once", p.name.name))
                    .label(first.name.span, "first declared here"),
            );
        }
    }
}

/// The type of a parameter, reporting slices of `bool` and slices passed to host functions.
pub fn param_sig(p: &ParamDecl, is_extern: bool, sink: &mut Sink) -> ParamSig {
    let mut ty = type_of(&p.ty, sink);
    if is_extern && matches!(ty, Ty::Slice { .. }) {
        sink.push(
            Diag::new(p.ty.span, "host functions take scalar parameters only")
                .hint("pass the values one at a time, or call the host function in a loop"),
        );
        ty = Ty::Error;
    }
    if p.mutable {
        if is_extern {
            sink.push(Diag::new(p.name.span, "`mut` has no meaning on a host function's parameter"));
        } else if matches!(ty, Ty::Slice { .. }) {
            sink.push(
                Diag::new(
                    p.name.span,
                    format!("`mut {}` declares a mutable binding, but slices cannot be reassigned", p.name.name),
                )
                .hint(format!(
                    "to write to its elements, declare it as `{}: mut {}`",
                    p.name.name,
                    slice_text(&p.ty)
                )),
            );
        }
    }
    ParamSig { name: p.name.name.clone(), ty, mutable: p.mutable, span: p.name.span }
}

fn slice_text(t: &TypeExpr) -> String {
    match t.kind {
        TypeKind::Slice { elem, .. } => format!("[{}]", elem.name()),
        _ => "[T]".to_string(),
    }
}

/// The checker type of a written type; `[bool]` is reported.
pub fn type_of(t: &TypeExpr, sink: &mut Sink) -> Ty {
    match t.kind {
        TypeKind::Scalar(s) => Ty::Scalar(s),
        TypeKind::Slice { elem: Scalar::Bool, .. } => {
            sink.push(
                Diag::new(t.span, "slices of `bool` are not supported")
                    .hint("slices hold numbers; use `[i32]` with 0 and 1"),
            );
            Ty::Error
        }
        TypeKind::Slice { elem, mutable } => Ty::Slice { elem, mutable },
        TypeKind::Error => Ty::Error,
    }
}

fn ret_ty(t: &TypeExpr, sink: &mut Sink) -> Ty {
    match type_of(t, sink) {
        Ty::Slice { .. } => {
            sink.push(
                Diag::new(t.span, "functions cannot return slices")
                    .hint("return a scalar, or write the results into a `mut` slice parameter"),
            );
            Ty::Error
        }
        ty => ty,
    }
}
