//! The lexer: source text to [`Token`]s, skipping whitespace and comments.
//!
//! It never stops at an error: a bad character is reported and skipped, a malformed number
//! is reported and still produces a number token, so the parser sees a plausible stream and
//! can report the errors that follow. Block comments nest, as in Rust.

use super::diagnostics::{Diag, Sink, Span};
use super::token::{Suffix, Tok, Token};

/// Splits `src` into tokens, ending with [`Tok::Eof`].
pub fn lex(src: &str, sink: &mut Sink) -> Vec<Token> {
    let mut lx = Lexer { src: src.as_bytes(), text: src, pos: 0, sink, tokens: Vec::with_capacity(src.len() / 3) };
    lx.run();
    lx.tokens
}

struct Lexer<'a, 's> {
    src: &'a [u8],
    text: &'a str,
    pos: usize,
    sink: &'s mut Sink,
    tokens: Vec<Token>,
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}
fn is_ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

impl Lexer<'_, '_> {
    fn peek(&self, k: usize) -> u8 {
        self.src.get(self.pos + k).copied().unwrap_or(0)
    }

    fn push(&mut self, tok: Tok, lo: usize) {
        self.tokens.push(Token { tok, span: Span::new(lo, self.pos) });
    }

    fn report(&mut self, lo: usize, hi: usize, msg: impl Into<String>, hint: Option<String>) {
        let mut d = Diag::new(Span::new(lo, hi), msg);
        d.hint = hint;
        self.sink.push(d);
    }

    fn run(&mut self) {
        while self.pos < self.src.len() {
            let c = self.src[self.pos];
            let lo = self.pos;
            match c {
                b' ' | b'\t' | b'\n' | b'\r' => self.pos += 1,
                b'/' if self.peek(1) == b'/' => {
                    while self.pos < self.src.len() && self.src[self.pos] != b'\n' {
                        self.pos += 1;
                    }
                }
                b'/' if self.peek(1) == b'*' => self.block_comment(),
                b'0'..=b'9' => self.number(),
                c if is_ident_start(c) => {
                    while self.pos < self.src.len() && is_ident_char(self.src[self.pos]) {
                        self.pos += 1;
                    }
                    let word = &self.text[lo..self.pos];
                    let tok = Tok::keyword(word).unwrap_or_else(|| Tok::Ident(word.to_string()));
                    self.push(tok, lo);
                }
                _ => self.punct(),
            }
        }
        let end = self.src.len();
        self.tokens.push(Token { tok: Tok::Eof, span: Span::new(end, end) });
    }

    fn block_comment(&mut self) {
        let lo = self.pos;
        self.pos += 2;
        let mut depth = 1u32;
        while self.pos < self.src.len() {
            if self.src[self.pos] == b'/' && self.peek(1) == b'*' {
                depth += 1;
                self.pos += 2;
            } else if self.src[self.pos] == b'*' && self.peek(1) == b'/' {
                depth -= 1;
                self.pos += 2;
                if depth == 0 {
                    return;
                }
            } else {
                self.pos += 1;
            }
        }
        self.tokens.push(Token { tok: Tok::Error, span: Span::new(lo, lo + 2) });
        self.report(
            lo,
            lo + 2,
            "unterminated block comment",
            Some("add `*/` to close it (block comments nest, so each `/*` needs its own `*/`)".into()),
        );
    }

    fn punct(&mut self) {
        let lo = self.pos;
        let c = self.src[self.pos];
        let (tok, len) = match (c, self.peek(1), self.peek(2)) {
            (b'>', b'>', b'>') if self.peek(3) == b'=' => (Tok::OpAssign(Box::new(Tok::Ushr)), 4),
            (b'>', b'>', b'>') => (Tok::Ushr, 3),
            (b'>', b'>', b'=') => (Tok::OpAssign(Box::new(Tok::Shr)), 3),
            (b'<', b'<', b'=') => (Tok::OpAssign(Box::new(Tok::Shl)), 3),
            (b'>', b'>', _) => (Tok::Shr, 2),
            (b'<', b'<', _) => (Tok::Shl, 2),
            (b'>', b'=', _) => (Tok::Ge, 2),
            (b'<', b'=', _) => (Tok::Le, 2),
            (b'=', b'=', _) => (Tok::EqEq, 2),
            (b'!', b'=', _) => (Tok::Ne, 2),
            (b'&', b'&', _) => (Tok::AndAnd, 2),
            (b'|', b'|', _) => (Tok::OrOr, 2),
            (b'-', b'>', _) => (Tok::Arrow, 2),
            (b'.', b'.', _) => (Tok::DotDot, 2),
            (b'+' | b'-' | b'*' | b'/' | b'%' | b'&' | b'|' | b'^', b'=', _) => {
                (Tok::OpAssign(Box::new(single(c).unwrap_or(Tok::Plus))), 2)
            }
            _ => match single(c) {
                Some(t) => (t, 1),
                None => {
                    self.bad_char();
                    return;
                }
            },
        };
        self.pos += len;
        self.push(tok, lo);
    }

    fn bad_char(&mut self) {
        let lo = self.pos;
        if matches!(self.src[lo], b'"' | b'\'') {
            // Report a whole string or character literal once, not each quote.
            let quote = self.src[lo];
            let line_end = self.src[lo + 1..].iter().position(|&c| c == b'\n').map_or(self.src.len(), |p| lo + 1 + p);
            self.pos = self.src[lo + 1..line_end].iter().position(|&c| c == quote).map_or(line_end, |p| lo + 2 + p);
            let what = if quote == b'"' { "string" } else { "character" };
            self.report(
                lo,
                self.pos,
                format!("{what} literals are not supported"),
                Some("the kernel language only has numbers and bools".into()),
            );
            self.push(Tok::Error, lo);
            return;
        }
        let ch = self.text[lo..].chars().next().unwrap_or('\u{fffd}');
        self.pos += ch.len_utf8();
        let hi = self.pos;
        let shown = if ch.is_control() || ch.is_whitespace() { format!("{:?}", ch) } else { format!("`{ch}`") };
        let hint = if ch.is_alphabetic() {
            Some("identifiers are made of ASCII letters, digits and `_`")
        } else if ch == '~' {
            Some("bitwise not is written `!x`")
        } else {
            None
        };
        self.report(lo, hi, format!("unexpected character {shown}"), hint.map(str::to_string));
        // Carry on as if `~` were the `!` it almost certainly means.
        self.push(if ch == '~' { Tok::Bang } else { Tok::Error }, lo);
    }

    fn number(&mut self) {
        let lo = self.pos;
        if self.src[lo] == b'0' && matches!(self.peek(1), b'x' | b'X' | b'b' | b'B') {
            self.radix_number(lo);
            return;
        }
        self.digits(10);
        let mut is_float = false;
        if self.peek(0) == b'.' && self.peek(1).is_ascii_digit() {
            self.pos += 1;
            self.digits(10);
            is_float = true;
        } else if self.peek(0) == b'.' && self.peek(1) != b'.' && !is_ident_start(self.peek(1)) {
            // `1.` is a float, as in Rust; `0..n` and `x.len()` are not.
            self.pos += 1;
            is_float = true;
        }
        if matches!(self.peek(0), b'e' | b'E') {
            let sign = usize::from(matches!(self.peek(1), b'+' | b'-'));
            if self.peek(1 + sign).is_ascii_digit() {
                self.pos += 1 + sign;
                self.digits(10);
                is_float = true;
            } else {
                self.pos += 1 + sign;
                self.report(
                    lo,
                    self.pos,
                    "missing digits in the exponent of a float literal",
                    Some("write the exponent as in `1e-3`".into()),
                );
                self.push(Tok::Float { text: "0".to_string(), suffix: None }, lo);
                return;
            }
        }
        let body_end = self.pos;
        let suffix = self.suffix();
        let text: String = self.text[lo..body_end].chars().filter(|&c| c != '_').collect();
        let text = text.strip_suffix('.').map(str::to_string).unwrap_or(text);
        match suffix {
            Some(Suffix::F32 | Suffix::F64) => is_float = true,
            Some(s @ (Suffix::I32 | Suffix::I64)) if is_float => {
                let name = if s == Suffix::I32 { "i32" } else { "i64" };
                self.report(
                    lo,
                    self.pos,
                    format!("float literal with integer suffix `{name}`"),
                    Some(format!(
                        "write an integer (`{}{name}`) or cast with `as {name}`",
                        text.split('.').next().unwrap_or("0")
                    )),
                );
                self.push(Tok::Float { text, suffix: None }, lo);
                return;
            }
            _ => {}
        }
        if is_float {
            self.push(Tok::Float { text, suffix }, lo);
            return;
        }
        let value = match text.parse::<u64>() {
            Ok(v) => v,
            Err(_) => {
                self.report(
                    lo,
                    body_end,
                    "integer literal is too large",
                    Some("integer literals must fit in 64 bits".into()),
                );
                0
            }
        };
        self.push(Tok::Int { value, bits: false, suffix }, lo);
    }

    /// `0x…` or `0b…`.
    fn radix_number(&mut self, lo: usize) {
        let (radix, name) = if matches!(self.src[lo + 1], b'x' | b'X') { (16, "hexadecimal") } else { (2, "binary") };
        self.pos += 2;
        let start = self.pos;
        self.digits(radix);
        let digits_end = self.pos;
        // A decimal digit right after a binary literal is a typo, not a suffix.
        if radix == 2 && self.peek(0).is_ascii_digit() {
            let at = self.pos;
            while self.peek(0).is_ascii_alphanumeric() || self.peek(0) == b'_' {
                self.pos += 1;
            }
            self.report(at, at + 1, format!("invalid digit `{}` in binary literal", self.src[at] as char), None);
            self.push(Tok::Int { value: 0, bits: true, suffix: None }, lo);
            return;
        }
        let digits: String = self.text[start..digits_end].chars().filter(|&c| c != '_').collect();
        let suffix = self.suffix();
        if digits.is_empty() {
            let prefix = &self.text[lo..start];
            self.report(
                lo,
                self.pos,
                format!("missing digits after `{prefix}`"),
                Some(format!("a {name} literal needs at least one digit, as in `{prefix}1`")),
            );
            self.push(Tok::Int { value: 0, bits: true, suffix }, lo);
            return;
        }
        let value = match u64::from_str_radix(&digits, radix) {
            Ok(v) => v,
            Err(_) => {
                self.report(
                    lo,
                    digits_end,
                    "integer literal is too large",
                    Some("integer literals must fit in 64 bits".into()),
                );
                0
            }
        };
        if matches!(suffix, Some(Suffix::F32 | Suffix::F64)) {
            let hint = "only decimal literals can be floats; cast with `as f32` or `as f64`";
            self.report(lo, self.pos, format!("{name} literal with a float suffix"), Some(hint.into()));
        }
        let suffix = suffix.filter(|s| matches!(s, Suffix::I32 | Suffix::I64));
        self.push(Tok::Int { value, bits: true, suffix }, lo);
    }

    fn digits(&mut self, radix: u32) {
        while self.pos < self.src.len() && ((self.src[self.pos] as char).is_digit(radix) || self.src[self.pos] == b'_')
        {
            self.pos += 1;
        }
    }

    /// A type suffix right after a number (`i32`, `f64`, …), or an error for any other
    /// letters stuck to it.
    fn suffix(&mut self) -> Option<Suffix> {
        if !is_ident_start(self.peek(0)) {
            return None;
        }
        let start = self.pos;
        while self.pos < self.src.len() && is_ident_char(self.src[self.pos]) {
            self.pos += 1;
        }
        let s = &self.text[start..self.pos];
        match s {
            "i32" => Some(Suffix::I32),
            "i64" => Some(Suffix::I64),
            "f32" => Some(Suffix::F32),
            "f64" => Some(Suffix::F64),
            _ => {
                let s = s.to_string();
                self.report(
                    start,
                    self.pos,
                    format!("invalid suffix `{s}` on number literal"),
                    Some("the suffixes are `i32`, `i64`, `f32` and `f64`".into()),
                );
                None
            }
        }
    }
}

/// Single-character punctuation and operators.
fn single(c: u8) -> Option<Tok> {
    Some(match c {
        b'(' => Tok::LParen,
        b')' => Tok::RParen,
        b'{' => Tok::LBrace,
        b'}' => Tok::RBrace,
        b'[' => Tok::LBracket,
        b']' => Tok::RBracket,
        b',' => Tok::Comma,
        b';' => Tok::Semi,
        b':' => Tok::Colon,
        b'.' => Tok::Dot,
        b'#' => Tok::Hash,
        b'=' => Tok::Eq,
        b'<' => Tok::Lt,
        b'>' => Tok::Gt,
        b'+' => Tok::Plus,
        b'-' => Tok::Minus,
        b'*' => Tok::Star,
        b'/' => Tok::Slash,
        b'%' => Tok::Percent,
        b'&' => Tok::Amp,
        b'|' => Tok::Pipe,
        b'^' => Tok::Caret,
        b'!' => Tok::Bang,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(src: &str) -> Vec<Tok> {
        let mut sink = Sink::new();
        let t = lex(src, &mut sink).into_iter().map(|t| t.tok).collect();
        assert!(!sink.has_errors(), "{src}");
        t
    }

    #[test]
    fn numbers_and_ranges() {
        assert_eq!(
            toks("0..n"),
            vec![Tok::Int { value: 0, bits: false, suffix: None }, Tok::DotDot, Tok::Ident("n".into()), Tok::Eof]
        );
        assert_eq!(toks("1.")[0], Tok::Float { text: "1".into(), suffix: None });
        assert_eq!(toks("2.5e-3f32")[0], Tok::Float { text: "2.5e-3".into(), suffix: Some(Suffix::F32) });
        assert_eq!(toks("1_000i64")[0], Tok::Int { value: 1000, bits: false, suffix: Some(Suffix::I64) });
        assert_eq!(toks("0xFFFF_FFFF")[0], Tok::Int { value: 0xffff_ffff, bits: true, suffix: None });
        assert_eq!(toks("2f64")[0], Tok::Float { text: "2".into(), suffix: Some(Suffix::F64) });
        // `x.len()` after a number-like start is a method call, not a float.
        assert_eq!(toks("1.len()")[1], Tok::Dot);
    }

    #[test]
    fn operators_and_comments() {
        assert_eq!(
            toks("a >>>= b /* x /* nested */ y */ >> c // end"),
            vec![
                Tok::Ident("a".into()),
                Tok::OpAssign(Box::new(Tok::Ushr)),
                Tok::Ident("b".into()),
                Tok::Shr,
                Tok::Ident("c".into()),
                Tok::Eof
            ]
        );
    }
}
