//! The syntax tree the parser builds and the checker and lowering read.
//!
//! Every expression and every binding site (parameter, `let`, `for` variable) carries a
//! [`NodeId`], numbered densely per file, so later phases keep their facts (types, what a
//! name refers to) in plain vectors indexed by it instead of mutating the tree.

use super::diagnostics::Span;
use super::token::Suffix;

/// Identifies an expression or a binding site within one file.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct NodeId(pub u32);

impl NodeId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A name and where it is written.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// The scalar types of the language.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum Scalar {
    I32,
    I64,
    F32,
    F64,
    Bool,
}

impl Scalar {
    pub fn from_name(s: &str) -> Option<Scalar> {
        Some(match s {
            "i32" => Scalar::I32,
            "i64" => Scalar::I64,
            "f32" => Scalar::F32,
            "f64" => Scalar::F64,
            "bool" => Scalar::Bool,
            _ => return None,
        })
    }
    pub fn name(self) -> &'static str {
        match self {
            Scalar::I32 => "i32",
            Scalar::I64 => "i64",
            Scalar::F32 => "f32",
            Scalar::F64 => "f64",
            Scalar::Bool => "bool",
        }
    }
    pub fn is_int(self) -> bool {
        matches!(self, Scalar::I32 | Scalar::I64)
    }
    pub fn is_float(self) -> bool {
        matches!(self, Scalar::F32 | Scalar::F64)
    }
    pub fn is_numeric(self) -> bool {
        self != Scalar::Bool
    }
}

/// A type as written in the source.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum TypeKind {
    Scalar(Scalar),
    Slice {
        elem: Scalar,
        mutable: bool,
    },
    /// A type the parser already reported as malformed or unknown.
    Error,
}

#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TypeExpr {
    pub kind: TypeKind,
    pub span: Span,
}

/// A parsed file.
#[derive(Clone, Debug, Default)]
pub struct File {
    pub items: Vec<Item>,
    /// One more than the largest [`NodeId`] in the file.
    pub node_count: u32,
}

#[derive(Clone, Debug)]
pub enum Item {
    Fn(FnDecl),
    Extern(ExternDecl),
}

/// `#[fastmath] export fn name(params) -> ret { body }`
#[derive(Clone, Debug)]
pub struct FnDecl {
    pub fastmath: bool,
    pub export: bool,
    pub name: Ident,
    pub params: Vec<ParamDecl>,
    pub ret: Option<TypeExpr>,
    pub body: Block,
    /// From `fn` (or `export`) to the end of the return type: where "function" errors point.
    pub sig_span: Span,
}

/// `extern fn name(params) -> ret;`
#[derive(Clone, Debug)]
pub struct ExternDecl {
    pub name: Ident,
    pub params: Vec<ParamDecl>,
    pub ret: Option<TypeExpr>,
    pub span: Span,
}

/// `mut name: T` (the `mut` is for scalars assigned in the body).
#[derive(Clone, Debug)]
pub struct ParamDecl {
    pub id: NodeId,
    pub mutable: bool,
    pub name: Ident,
    pub ty: TypeExpr,
}

/// `{ stmts tail }`. `tail` is a final expression without `;`.
#[derive(Clone, Debug)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub tail: Option<Box<Expr>>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

/// Compound-assignment and binary operators.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    And,
    Or,
    Xor,
    Shl,
    Shr,
    Ushr,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    LogicAnd,
    LogicOr,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
            BinOp::And => "&",
            BinOp::Or => "|",
            BinOp::Xor => "^",
            BinOp::Shl => "<<",
            BinOp::Shr => ">>",
            BinOp::Ushr => ">>>",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::LogicAnd => "&&",
            BinOp::LogicOr => "||",
        }
    }
    pub fn is_comparison(self) -> bool {
        matches!(self, BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge)
    }
    pub fn is_shift(self) -> bool {
        matches!(self, BinOp::Shl | BinOp::Shr | BinOp::Ushr)
    }
}

#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum UnOp {
    Neg,
    Not,
}

#[derive(Clone, Debug)]
pub enum StmtKind {
    Let {
        id: NodeId,
        mutable: bool,
        name: Ident,
        ty: Option<TypeExpr>,
        init: Expr,
    },
    /// `target = value` or `target op= value`; `target` is a variable or `a[i]` (the parser
    /// accepts any expression and the checker reports what cannot be assigned to).
    Assign {
        target: Expr,
        op: Option<BinOp>,
        value: Expr,
        op_span: Span,
    },
    Expr(Expr),
    If {
        cond: Expr,
        then_block: Block,
        else_branch: Option<Box<Stmt>>,
    },
    For {
        id: NodeId,
        var: Ident,
        start: Expr,
        end: Expr,
        body: Block,
    },
    While {
        cond: Expr,
        body: Block,
    },
    Loop {
        body: Block,
    },
    Break,
    Continue,
    Return(Option<Expr>),
    Block(Block),
}

#[derive(Clone, Debug)]
pub struct Expr {
    pub id: NodeId,
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum ExprKind {
    /// An integer literal (see [`super::token::Tok::Int`]).
    Int {
        value: u64,
        bits: bool,
        suffix: Option<Suffix>,
    },
    Float {
        text: String,
        suffix: Option<Suffix>,
    },
    Bool(bool),
    Var(Ident),
    Unary {
        op: UnOp,
        expr: Box<Expr>,
    },
    Binary {
        op: BinOp,
        op_span: Span,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    Index {
        base: Box<Expr>,
        index: Box<Expr>,
    },
    Call {
        callee: Ident,
        args: Vec<Expr>,
    },
    /// `recv.name(args)`: `a.len()`, or an intrinsic in method form (`x.sqrt()`).
    Method {
        recv: Box<Expr>,
        name: Ident,
        args: Vec<Expr>,
    },
    Cast {
        expr: Box<Expr>,
        ty: TypeExpr,
    },
    /// `( e )`: kept so that spans and the "negated literal" rule stay precise.
    Paren(Box<Expr>),
    /// An expression the parser already reported as malformed.
    Error,
}
