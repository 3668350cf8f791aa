//! Tokens of the kernel language, as the lexer produces them and the parser consumes them.

use super::diagnostics::Span;
use std::fmt;

/// A type suffix on a number literal (`1i32`, `0.5f32`).
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum Suffix {
    I32,
    I64,
    F32,
    F64,
}

/// What a token is.
#[derive(Clone, PartialEq, Debug)]
pub enum Tok {
    Ident(String),
    /// An integer literal: its value (at most `u64::MAX`), whether it was written in hex or
    /// binary (then it may be a bit pattern, e.g. `0xffffffff` as an `i32`), and a suffix.
    Int {
        value: u64,
        bits: bool,
        suffix: Option<Suffix>,
    },
    /// A float literal: its text without underscores and suffix, parsed later at its type.
    Float {
        text: String,
        suffix: Option<Suffix>,
    },

    // Keywords.
    Fn,
    Export,
    Extern,
    Let,
    Mut,
    If,
    Else,
    For,
    In,
    While,
    Loop,
    Break,
    Continue,
    Return,
    As,
    True,
    False,

    // Punctuation.
    LParen,
    RParen,
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    Comma,
    Semi,
    Colon,
    Arrow,
    Dot,
    DotDot,
    Hash,

    // Operators.
    Eq,
    EqEq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Amp,
    Pipe,
    Caret,
    Bang,
    AndAnd,
    OrOr,
    Shl,
    Shr,
    /// `>>>`: logical (unsigned) shift right.
    Ushr,
    /// `op=` for the arithmetic, bitwise and shift operators; holds the operator token.
    OpAssign(Box<Tok>),

    /// Text the lexer already reported (a bad character, an unterminated comment); the
    /// parser takes it for an erroneous expression without reporting it again.
    Error,

    Eof,
}

impl Tok {
    /// The keyword spelled `s`, if it is one.
    pub fn keyword(s: &str) -> Option<Tok> {
        Some(match s {
            "fn" => Tok::Fn,
            "export" => Tok::Export,
            "extern" => Tok::Extern,
            "let" => Tok::Let,
            "mut" => Tok::Mut,
            "if" => Tok::If,
            "else" => Tok::Else,
            "for" => Tok::For,
            "in" => Tok::In,
            "while" => Tok::While,
            "loop" => Tok::Loop,
            "break" => Tok::Break,
            "continue" => Tok::Continue,
            "return" => Tok::Return,
            "as" => Tok::As,
            "true" => Tok::True,
            "false" => Tok::False,
            _ => return None,
        })
    }

    /// How the token is written (for "expected X, found Y" messages).
    pub fn describe(&self) -> String {
        match self {
            Tok::Ident(s) => format!("identifier `{s}`"),
            Tok::Int { .. } => "integer literal".to_string(),
            Tok::Float { .. } => "float literal".to_string(),
            Tok::Eof => "end of file".to_string(),
            t if t.is_keyword() => format!("keyword `{t}`"),
            t => format!("`{t}`"),
        }
    }

    pub fn is_keyword(&self) -> bool {
        matches!(
            self,
            Tok::Fn
                | Tok::Export
                | Tok::Extern
                | Tok::Let
                | Tok::Mut
                | Tok::If
                | Tok::Else
                | Tok::For
                | Tok::In
                | Tok::While
                | Tok::Loop
                | Tok::Break
                | Tok::Continue
                | Tok::Return
                | Tok::As
                | Tok::True
                | Tok::False
        )
    }
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Tok::Ident(s) => return f.write_str(s),
            Tok::Int { value, .. } => return write!(f, "{value}"),
            Tok::Float { text, .. } => return f.write_str(text),
            Tok::OpAssign(op) => return write!(f, "{op}="),
            Tok::Fn => "fn",
            Tok::Export => "export",
            Tok::Extern => "extern",
            Tok::Let => "let",
            Tok::Mut => "mut",
            Tok::If => "if",
            Tok::Else => "else",
            Tok::For => "for",
            Tok::In => "in",
            Tok::While => "while",
            Tok::Loop => "loop",
            Tok::Break => "break",
            Tok::Continue => "continue",
            Tok::Return => "return",
            Tok::As => "as",
            Tok::True => "true",
            Tok::False => "false",
            Tok::LParen => "(",
            Tok::RParen => ")",
            Tok::LBrace => "{",
            Tok::RBrace => "}",
            Tok::LBracket => "[",
            Tok::RBracket => "]",
            Tok::Comma => ",",
            Tok::Semi => ";",
            Tok::Colon => ":",
            Tok::Arrow => "->",
            Tok::Dot => ".",
            Tok::DotDot => "..",
            Tok::Hash => "#",
            Tok::Eq => "=",
            Tok::EqEq => "==",
            Tok::Ne => "!=",
            Tok::Lt => "<",
            Tok::Le => "<=",
            Tok::Gt => ">",
            Tok::Ge => ">=",
            Tok::Plus => "+",
            Tok::Minus => "-",
            Tok::Star => "*",
            Tok::Slash => "/",
            Tok::Percent => "%",
            Tok::Amp => "&",
            Tok::Pipe => "|",
            Tok::Caret => "^",
            Tok::Bang => "!",
            Tok::AndAnd => "&&",
            Tok::OrOr => "||",
            Tok::Shl => "<<",
            Tok::Shr => ">>",
            Tok::Ushr => ">>>",
            Tok::Eof => "end of file",
            Tok::Error => "invalid token",
        };
        f.write_str(s)
    }
}

/// A token and where it is.
#[derive(Clone, PartialEq, Debug)]
pub struct Token {
    pub tok: Tok,
    pub span: Span,
}
