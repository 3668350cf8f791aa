//! The lexer: splits IR text into tokens, each with its line and column. It knows the
//! character classes of the text format and nothing of its grammar: it must not interpret
//! numbers or words (the parser does, because their meaning depends on where they stand).
//!
//! Tokens: words (`[A-Za-z_][A-Za-z0-9_.]*`, so `iadd.i32` is one word), `@NAME`, numeric
//! literals, punctuation `( ) { } [ ] , : = ->`. `;` starts a comment to the end of the line.

use super::error::{shorten, ParseError, Pos};

/// What a token is. Words, globals and numbers borrow their text from the source.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum Tok<'a> {
    /// A word: keyword, opcode (with its `.type` suffix), name, modifier, trap code, `v1`, …
    Ident(&'a str),
    /// `@NAME`, without the `@`.
    Global(&'a str),
    /// A numeric literal, still uninterpreted: an optional `-`, then digits, letters, `_`
    /// and `.`, and a sign right after the exponent `e` of a decimal (`1e-7`, `-inf`, `0x1f`).
    Number(&'a str),
    LParen,
    RParen,
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    Comma,
    Colon,
    Equals,
    Arrow,
    /// End of input; the lexer always ends its output with one.
    Eof,
}

impl Tok<'_> {
    /// How the token is quoted in error messages.
    pub fn describe(&self) -> String {
        match self {
            Tok::Ident(s) | Tok::Number(s) => format!("`{}`", shorten(s)),
            Tok::Global(s) => format!("`@{}`", shorten(s)),
            Tok::LParen => "`(`".into(),
            Tok::RParen => "`)`".into(),
            Tok::LBrace => "`{`".into(),
            Tok::RBrace => "`}`".into(),
            Tok::LBracket => "`[`".into(),
            Tok::RBracket => "`]`".into(),
            Tok::Comma => "`,`".into(),
            Tok::Colon => "`:`".into(),
            Tok::Equals => "`=`".into(),
            Tok::Arrow => "`->`".into(),
            Tok::Eof => "end of input".into(),
        }
    }
}

/// A token and where it starts.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) struct Token<'a> {
    pub tok: Tok<'a>,
    pub pos: Pos,
}

/// Splits `src` into tokens, ending with [`Tok::Eof`].
pub(crate) fn tokenize(src: &str) -> Result<Vec<Token<'_>>, ParseError> {
    let mut lx = Lexer { src, i: 0, pos: Pos { line: 1, col: 1 } };
    let mut out = Vec::new();
    loop {
        lx.skip_space_and_comments();
        let pos = lx.pos;
        let start = lx.i;
        let Some(c) = lx.peek() else {
            out.push(Token { tok: Tok::Eof, pos });
            return Ok(out);
        };
        let tok = match c {
            b'(' | b')' | b'{' | b'}' | b'[' | b']' | b',' | b':' | b'=' => {
                lx.bump();
                match c {
                    b'(' => Tok::LParen,
                    b')' => Tok::RParen,
                    b'{' => Tok::LBrace,
                    b'}' => Tok::RBrace,
                    b'[' => Tok::LBracket,
                    b']' => Tok::RBracket,
                    b',' => Tok::Comma,
                    b':' => Tok::Colon,
                    _ => Tok::Equals,
                }
            }
            b'-' => match lx.peek_at(1) {
                Some(b'>') => {
                    lx.bump();
                    lx.bump();
                    Tok::Arrow
                }
                Some(d) if d.is_ascii_alphanumeric() => {
                    lx.bump();
                    Tok::Number(lx.number_rest(start))
                }
                _ => return Err(ParseError::at(pos, "unexpected `-` (expected `->` or a negative number)")),
            },
            b'0'..=b'9' => Tok::Number(lx.number_rest(start)),
            b'@' => {
                lx.bump();
                match lx.peek() {
                    Some(d) if is_word_start(d) => Tok::Global(lx.word_rest(start + 1)),
                    _ => return Err(ParseError::at(pos, "expected a name after `@`")),
                }
            }
            d if is_word_start(d) => Tok::Ident(lx.word_rest(start)),
            _ => {
                let ch = src.get(start..).and_then(|s| s.chars().next()).unwrap_or('?');
                return Err(ParseError::at(pos, format!("unexpected character `{}`", ch.escape_debug())));
            }
        };
        out.push(Token { tok, pos });
    }
}

fn is_word_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn is_word_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'.'
}

/// A cursor over the source bytes. Every token character is ASCII; other characters can
/// only appear in comments, where they are skipped byte by byte.
struct Lexer<'a> {
    src: &'a str,
    i: usize,
    pos: Pos,
}

impl<'a> Lexer<'a> {
    fn peek(&self) -> Option<u8> {
        self.src.as_bytes().get(self.i).copied()
    }

    fn peek_at(&self, k: usize) -> Option<u8> {
        self.src.as_bytes().get(self.i + k).copied()
    }

    /// Advances one byte, keeping the line and column up to date. UTF-8 continuation bytes
    /// don't move the column, so columns count characters.
    fn bump(&mut self) {
        let Some(c) = self.peek() else { return };
        self.i += 1;
        if c == b'\n' {
            self.pos.line = self.pos.line.saturating_add(1);
            self.pos.col = 1;
        } else if c & 0xC0 != 0x80 {
            self.pos.col = self.pos.col.saturating_add(1);
        }
    }

    fn skip_space_and_comments(&mut self) {
        while let Some(c) = self.peek() {
            if c == b';' {
                while self.peek().is_some_and(|c| c != b'\n') {
                    self.bump();
                }
            } else if c.is_ascii_whitespace() {
                self.bump();
            } else {
                return;
            }
        }
    }

    /// The text from `start` to the current position.
    fn text(&self, start: usize) -> &'a str {
        self.src.get(start..self.i).unwrap_or("")
    }

    fn word_rest(&mut self, start: usize) -> &'a str {
        while self.peek().is_some_and(is_word_char) {
            self.bump();
        }
        self.text(start)
    }

    /// The rest of a numeric literal whose first character (digit or `-`) starts at `start`.
    fn number_rest(&mut self, start: usize) -> &'a str {
        while let Some(c) = self.peek() {
            let so_far = self.text(start).trim_start_matches('-');
            let hex = so_far.starts_with("0x") || so_far.starts_with("0X");
            let exponent_sign = (c == b'+' || c == b'-') && !hex && so_far.ends_with(['e', 'E']);
            if is_word_char(c) || exponent_sign {
                self.bump();
            } else {
                break;
            }
        }
        self.text(start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(src: &str) -> Vec<Tok<'_>> {
        tokenize(src).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn words_numbers_and_punctuation() {
        assert_eq!(
            toks("v3 = iadd.i32 v1, -5 ; comment\n@f(1e-7) -> -inf nan:0x7fc00001"),
            vec![
                Tok::Ident("v3"),
                Tok::Equals,
                Tok::Ident("iadd.i32"),
                Tok::Ident("v1"),
                Tok::Comma,
                Tok::Number("-5"),
                Tok::Global("f"),
                Tok::LParen,
                Tok::Number("1e-7"),
                Tok::RParen,
                Tok::Arrow,
                Tok::Number("-inf"),
                Tok::Ident("nan"),
                Tok::Colon,
                Tok::Number("0x7fc00001"),
                Tok::Eof,
            ]
        );
        // A sign after `e` belongs to the number only in decimals.
        assert_eq!(toks("0xe-5"), vec![Tok::Number("0xe"), Tok::Number("-5"), Tok::Eof]);
    }

    #[test]
    fn positions_count_characters() {
        let t = tokenize("; é ü\n  fn @x").unwrap();
        assert_eq!(t[0].pos, Pos { line: 2, col: 3 });
        assert_eq!(t[1].pos, Pos { line: 2, col: 6 });
        assert_eq!(t[2].pos, Pos { line: 2, col: 8 });
        let e = tokenize("fn é").unwrap_err();
        assert_eq!((e.line, e.col, e.message.as_str()), (1, 4, "unexpected character `é`"));
        let e = tokenize("\n  @ x").unwrap_err();
        assert_eq!((e.line, e.col, e.message.as_str()), (2, 3, "expected a name after `@`"));
        let e = tokenize("a - b").unwrap_err();
        assert_eq!((e.line, e.col), (1, 3));
    }
}
