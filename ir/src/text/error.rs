//! The parser's error type: a message and the 1-based line and column of the offending
//! token (columns count characters, not bytes). It only carries and formats the error;
//! how it is shown (carets, colours) is the caller's business.

/// `text` for quoting in a message, cut short if it is long (a literal may be huge).
pub(crate) fn shorten(text: &str) -> String {
    const MAX: usize = 40;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// A position in the source text: 1-based line and column (in characters).
#[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Debug, Default)]
pub(crate) struct Pos {
    pub line: u32,
    pub col: u32,
}

impl Pos {
    /// The position `n` characters to the right (within one token).
    pub fn right(self, n: usize) -> Pos {
        Pos { line: self.line, col: self.col.saturating_add(u32::try_from(n).unwrap_or(u32::MAX)) }
    }
}

/// Why a text could not be parsed, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {col}: {message}")]
pub struct ParseError {
    /// 1-based line of the offending token.
    pub line: u32,
    /// 1-based column (in characters) of the offending token.
    pub col: u32,
    pub message: String,
}

impl ParseError {
    pub(crate) fn at(pos: Pos, message: impl Into<String>) -> ParseError {
        ParseError { line: pos.line, col: pos.col, message: message.into() }
    }
}
