//! Function signatures. A parameter is a named scalar or a named slice; a slice is passed
//! as two ABI values, a `ptr` and an `i64` length, so the entry block of a function has the
//! *expanded* parameter list (see [`Signature::abi_params`]). Keeping slices and their
//! mutability in the signature lets the runtime type-check calls, the CLI name outputs,
//! and the LLVM backend mark mutable slices `noalias`.

use crate::types::Type;
use std::fmt;

/// How a parameter is passed.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum ParamKind {
    /// One value of a scalar type.
    Scalar(Type),
    /// A slice of `elem` (a numeric scalar type): a `ptr` and an `i64` length.
    /// `mutable` slices may be written; distinct mutable slices never alias.
    Slice { elem: Type, mutable: bool },
}

/// A named parameter.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct Param {
    pub name: String,
    pub kind: ParamKind,
}

impl Param {
    pub fn scalar(name: impl Into<String>, ty: Type) -> Param {
        Param { name: name.into(), kind: ParamKind::Scalar(ty) }
    }
    pub fn slice(name: impl Into<String>, elem: Type, mutable: bool) -> Param {
        Param { name: name.into(), kind: ParamKind::Slice { elem, mutable } }
    }
    /// Number of ABI values this parameter takes (1 or 2).
    pub fn abi_len(&self) -> usize {
        match self.kind {
            ParamKind::Scalar(_) => 1,
            ParamKind::Slice { .. } => 2,
        }
    }
}

/// Parameters and the optional return type of a function.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Default)]
pub struct Signature {
    pub params: Vec<Param>,
    pub ret: Option<Type>,
}

impl Signature {
    pub fn new(params: Vec<Param>, ret: Option<Type>) -> Self {
        Signature { params, ret }
    }

    /// The ABI parameter types: each scalar as itself, each slice as `ptr, i64`.
    pub fn abi_params(&self) -> Vec<Type> {
        let mut out = Vec::with_capacity(self.params.len() * 2);
        for p in &self.params {
            match p.kind {
                ParamKind::Scalar(t) => out.push(t),
                ParamKind::Slice { .. } => {
                    out.push(Type::PTR);
                    out.push(Type::I64);
                }
            }
        }
        out
    }

    /// Index of the first ABI value of parameter `i`.
    pub fn abi_index(&self, i: usize) -> usize {
        self.params[..i].iter().map(Param::abi_len).sum()
    }

    /// The parameter named `name`, with its index.
    pub fn param(&self, name: &str) -> Option<(usize, &Param)> {
        self.params.iter().enumerate().find(|(_, p)| p.name == name)
    }
}

impl fmt::Display for ParamKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamKind::Scalar(t) => write!(f, "{t}"),
            ParamKind::Slice { elem, mutable: true } => write!(f, "mut [{elem}]"),
            ParamKind::Slice { elem, mutable: false } => write!(f, "[{elem}]"),
        }
    }
}

/// `(name: kind, …) -> ret`, as in the text format.
impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        for (i, p) in self.params.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{}: {}", p.name, p.kind)?;
        }
        f.write_str(")")?;
        if let Some(r) = self.ret {
            write!(f, " -> {r}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expansion() {
        let s = Signature::new(
            vec![
                Param::slice("x", Type::F32, false),
                Param::scalar("g", Type::F32),
                Param::slice("y", Type::F32, true),
            ],
            Some(Type::F32),
        );
        assert_eq!(s.abi_params(), vec![Type::PTR, Type::I64, Type::F32, Type::PTR, Type::I64]);
        assert_eq!(s.abi_index(2), 3);
        assert_eq!(s.to_string(), "(x: [f32], g: f32, y: mut [f32]) -> f32");
    }
}
