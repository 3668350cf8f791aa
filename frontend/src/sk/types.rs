//! Types as the checker sees them, and inference of the types of untyped literals.
//!
//! An untyped integer literal (`1`) gets a fresh *integer variable*, an untyped float
//! literal (`0.5`) a *float variable*. Using a value with a typed one unifies them (so
//! `let mut acc = 0.0; … acc += x[i];` makes `acc` an `f32` when `x: [f32]`), exactly as
//! Rust infers literal types within a function. An integer variable can only become
//! `i32` or `i64`, a float variable `f32` or `f64`. Variables still open at the end of a
//! function take the defaults, `i64` and `f64`. The table is a union-find over variables.

use super::ast::Scalar;
use std::fmt;

/// The type of an expression or binding.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum Ty {
    Scalar(Scalar),
    Slice {
        elem: Scalar,
        mutable: bool,
    },
    /// No value: calls of functions without a return type.
    Unit,
    /// A literal's type, not decided yet (see [`Infer`]).
    Var(u32),
    /// The type of something already reported as wrong; agrees with everything, so one
    /// mistake is reported once.
    Error,
}

impl Ty {
    pub const I32: Ty = Ty::Scalar(Scalar::I32);
    pub const I64: Ty = Ty::Scalar(Scalar::I64);
    pub const F32: Ty = Ty::Scalar(Scalar::F32);
    pub const F64: Ty = Ty::Scalar(Scalar::F64);
    pub const BOOL: Ty = Ty::Scalar(Scalar::Bool);

    pub fn scalar(self) -> Option<Scalar> {
        match self {
            Ty::Scalar(s) => Some(s),
            _ => None,
        }
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Scalar(s) => f.write_str(s.name()),
            Ty::Slice { elem, mutable: true } => write!(f, "mut [{}]", elem.name()),
            Ty::Slice { elem, mutable: false } => write!(f, "[{}]", elem.name()),
            Ty::Unit => f.write_str("()"),
            Ty::Var(_) => f.write_str("{number}"),
            Ty::Error => f.write_str("{error}"),
        }
    }
}

/// What an inference variable may still become.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum VarKind {
    Int,
    Float,
}

#[derive(Copy, Clone, Debug)]
enum VarState {
    Open(VarKind),
    Link(u32),
    Bound(Scalar),
}

/// The inference table of one function.
#[derive(Default, Debug)]
pub struct Infer {
    vars: Vec<VarState>,
}

impl Infer {
    pub fn new() -> Infer {
        Infer::default()
    }

    pub fn fresh(&mut self, kind: VarKind) -> Ty {
        self.vars.push(VarState::Open(kind));
        Ty::Var(self.vars.len() as u32 - 1)
    }

    fn root(&self, mut v: u32) -> u32 {
        while let VarState::Link(w) = self.vars[v as usize] {
            v = w;
        }
        v
    }

    /// The type with variables followed as far as they are decided.
    pub fn resolve(&self, t: Ty) -> Ty {
        match t {
            Ty::Var(v) => {
                let r = self.root(v);
                match self.vars[r as usize] {
                    VarState::Bound(s) => Ty::Scalar(s),
                    _ => Ty::Var(r),
                }
            }
            t => t,
        }
    }

    /// The kind of an open variable (after [`Infer::resolve`]).
    pub fn kind(&self, t: Ty) -> Option<VarKind> {
        match self.resolve(t) {
            Ty::Var(v) => match self.vars[v as usize] {
                VarState::Open(k) => Some(k),
                _ => None,
            },
            _ => None,
        }
    }

    /// Makes `a` and `b` the same type if they can be; false if they cannot.
    pub fn unify(&mut self, a: Ty, b: Ty) -> bool {
        let (a, b) = (self.resolve(a), self.resolve(b));
        match (a, b) {
            (Ty::Error, _) | (_, Ty::Error) => true,
            _ if a == b => true,
            (Ty::Var(x), Ty::Var(y)) => {
                if self.kind(a) != self.kind(b) {
                    return false;
                }
                self.vars[x as usize] = VarState::Link(y);
                true
            }
            (Ty::Var(x), Ty::Scalar(s)) | (Ty::Scalar(s), Ty::Var(x)) => {
                let ok = match self.vars[x as usize] {
                    VarState::Open(VarKind::Int) => s.is_int(),
                    VarState::Open(VarKind::Float) => s.is_float(),
                    _ => false,
                };
                if ok {
                    self.vars[x as usize] = VarState::Bound(s);
                }
                ok
            }
            _ => false,
        }
    }

    /// Integer type or integer variable.
    pub fn is_int(&self, t: Ty) -> bool {
        match self.resolve(t) {
            Ty::Scalar(s) => s.is_int(),
            t => self.kind(t) == Some(VarKind::Int),
        }
    }
    /// Float type or float variable.
    pub fn is_float(&self, t: Ty) -> bool {
        match self.resolve(t) {
            Ty::Scalar(s) => s.is_float(),
            t => self.kind(t) == Some(VarKind::Float),
        }
    }
    pub fn is_numeric(&self, t: Ty) -> bool {
        self.is_int(t) || self.is_float(t)
    }

    /// Gives every open variable its default type: `i64` for integers, `f64` for floats.
    pub fn apply_defaults(&mut self) {
        for v in 0..self.vars.len() {
            if let VarState::Open(k) = self.vars[v] {
                self.vars[v] = VarState::Bound(match k {
                    VarKind::Int => Scalar::I64,
                    VarKind::Float => Scalar::F64,
                });
            }
        }
    }

    /// How a type is named in messages: `{integer}` and `{float}` for open variables.
    pub fn show(&self, t: Ty) -> String {
        let t = self.resolve(t);
        match self.kind(t) {
            Some(VarKind::Int) => "{integer}".to_string(),
            Some(VarKind::Float) => "{float}".to_string(),
            None => t.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_vars_unify_and_default() {
        let mut inf = Infer::new();
        let a = inf.fresh(VarKind::Float);
        let b = inf.fresh(VarKind::Float);
        let i = inf.fresh(VarKind::Int);
        assert!(inf.unify(a, b));
        assert!(!inf.unify(a, i), "an integer literal never becomes a float");
        assert!(!inf.unify(i, Ty::F32));
        assert!(inf.unify(b, Ty::F32));
        assert_eq!(inf.resolve(a), Ty::F32);
        assert_eq!(inf.show(i), "{integer}");
        inf.apply_defaults();
        assert_eq!(inf.resolve(i), Ty::I64);
    }
}
