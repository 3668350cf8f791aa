//! Diagnostics of the kernel language: what went wrong, where (byte span, 1-based line
//! and column), and a hint where one helps.
//!
//! The phases push [`Diag`]s (spans only) into a [`Sink`]; [`Sink::finish`] turns them into
//! public [`Diagnostic`]s with line and column computed once, sorted by position. Rendering
//! uses `ariadne` (file:line:col, the source line, a caret under the span, the hint);
//! `Display` gives plain `file:line:col: error: message` lines for logs and tests.
//!
//! Columns count Unicode scalar values from the start of the line (a tab counts as one), so
//! they match what editors show for ASCII source and stay meaningful for other text.

use std::fmt;
use std::ops::Range;

/// A byte range in the source.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug, Default)]
pub struct Span {
    pub lo: u32,
    pub hi: u32,
}

impl Span {
    pub fn new(lo: usize, hi: usize) -> Span {
        // Sources are limited to u32::MAX bytes by `compile_source`, so this cannot truncate.
        Span { lo: lo as u32, hi: hi as u32 }
    }
    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span { lo: self.lo.min(other.lo), hi: self.hi.max(other.hi) }
    }
    /// The empty span at the end of this one.
    pub fn end(self) -> Span {
        Span { lo: self.hi, hi: self.hi }
    }
    pub fn range(self) -> Range<usize> {
        self.lo as usize..self.hi as usize
    }
}

/// A secondary location with a note ("declared here", "this is `[f32]`", …).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Label {
    pub span: Range<usize>,
    pub line: usize,
    pub col: usize,
    pub message: String,
}

/// One error in a source file.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Diagnostic {
    pub message: String,
    /// Byte range of the offending text (may be empty, e.g. at the end of the file).
    pub span: Range<usize>,
    /// 1-based line of `span.start`.
    pub line: usize,
    /// 1-based column of `span.start`, in characters.
    pub col: usize,
    pub hint: Option<String>,
    pub labels: Vec<Label>,
}

/// Every error found in one source file, in order of position.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Diagnostics {
    file: String,
    list: Vec<Diagnostic>,
}

impl Diagnostics {
    /// The file name the diagnostics were reported for.
    pub fn file_name(&self) -> &str {
        &self.file
    }
    pub fn as_slice(&self) -> &[Diagnostic] {
        &self.list
    }
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.list.iter()
    }
    pub fn len(&self) -> usize {
        self.list.len()
    }
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The diagnostics as `ariadne` reports: `file:line:col`, the source line with a caret
    /// under the span, labels and the hint. `src` must be the text that was compiled (for
    /// [`crate::compile_bytes`], its lossy UTF-8 conversion).
    pub fn render(&self, file_name: &str, src: &str, color: bool) -> String {
        use ariadne::{Config, IndexType, Label as ALabel, Report, ReportKind, Source};
        let mut out = Vec::new();
        for d in &self.list {
            let span = clamp_span(src, d.span.clone());
            let config = Config::default().with_color(color).with_index_type(IndexType::Byte);
            let mut report = Report::build(ReportKind::Error, (file_name, span.clone()))
                .with_config(config)
                .with_message(&d.message)
                // ariadne draws the caret only for labels with text; the message says it best.
                .with_label(ALabel::new((file_name, span)).with_message(&d.message).with_order(0));
            for (i, l) in d.labels.iter().enumerate() {
                let ls = clamp_span(src, l.span.clone());
                report =
                    report.with_label(ALabel::new((file_name, ls)).with_message(&l.message).with_order(i as i32 + 1));
            }
            if let Some(h) = &d.hint {
                report = report.with_help(h);
            }
            // Writing to a Vec cannot fail; a failure would only lose this report's text.
            let _ = report.finish().write((file_name, Source::from(src)), &mut out);
        }
        String::from_utf8_lossy(&out).into_owned()
    }
}

/// Keeps a span inside `src` and on character boundaries, and widens an empty span to the
/// character under it so that the caret has something to point at.
fn clamp_span(src: &str, r: Range<usize>) -> Range<usize> {
    let len = src.len();
    let mut lo = r.start.min(len);
    while lo > 0 && !src.is_char_boundary(lo) {
        lo -= 1;
    }
    let mut hi = r.end.clamp(lo, len);
    while hi < len && !src.is_char_boundary(hi) {
        hi += 1;
    }
    if hi == lo {
        if let Some(c) = src[lo..].chars().next() {
            hi = lo + c.len_utf8();
        }
    }
    lo..hi
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.list {
            writeln!(f, "{}:{}:{}: error: {}", self.file, d.line, d.col, d.message)?;
            if let Some(h) = &d.hint {
                writeln!(f, "  hint: {h}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.list.into_iter()
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.list.iter()
    }
}

/// A diagnostic as the phases produce it: spans only, no line numbers yet.
#[derive(Clone, Debug)]
pub struct Diag {
    pub message: String,
    pub span: Span,
    pub hint: Option<String>,
    pub labels: Vec<(Span, String)>,
}

impl Diag {
    pub fn new(span: Span, message: impl Into<String>) -> Diag {
        Diag { message: message.into(), span, hint: None, labels: Vec::new() }
    }
    pub fn hint(mut self, hint: impl Into<String>) -> Diag {
        self.hint = Some(hint.into());
        self
    }
    pub fn label(mut self, span: Span, message: impl Into<String>) -> Diag {
        self.labels.push((span, message.into()));
        self
    }
}

/// At most this many diagnostics are kept per file: past it, the rest is noise (and a
/// megabyte of garbage must not produce a megabyte of errors).
pub const MAX_DIAGNOSTICS: usize = 100;

/// Collects diagnostics from every phase.
#[derive(Default, Debug)]
pub struct Sink {
    diags: Vec<Diag>,
    truncated: bool,
}

impl Sink {
    pub fn new() -> Sink {
        Sink::default()
    }
    pub fn push(&mut self, d: Diag) {
        if self.diags.len() < MAX_DIAGNOSTICS {
            self.diags.push(d);
        } else {
            self.truncated = true;
        }
    }
    pub fn has_errors(&self) -> bool {
        !self.diags.is_empty()
    }
    /// Start offsets of the diagnostics so far.
    pub fn positions(&self) -> Vec<u32> {
        self.diags.iter().map(|d| d.span.lo).collect()
    }
    pub fn count(&self) -> usize {
        self.diags.len()
    }

    /// The public diagnostics, with lines and columns, sorted by position (stable, so that
    /// two errors at one place keep the order they were found in).
    pub fn finish(mut self, file: &str, src: &str) -> Diagnostics {
        let index = LineIndex::new(src);
        self.diags.sort_by_key(|d| d.span.lo);
        let mut list: Vec<Diagnostic> = self
            .diags
            .into_iter()
            .map(|d| {
                let (line, col) = index.line_col(src, d.span.lo as usize);
                let labels = d
                    .labels
                    .into_iter()
                    .map(|(s, message)| {
                        let (line, col) = index.line_col(src, s.lo as usize);
                        Label { span: s.range(), line, col, message }
                    })
                    .collect();
                Diagnostic { message: d.message, span: d.span.range(), line, col, hint: d.hint, labels }
            })
            .collect();
        if self.truncated {
            let end = src.len();
            let (line, col) = index.line_col(src, end);
            list.push(Diagnostic {
                message: format!("too many errors; stopped after {MAX_DIAGNOSTICS}"),
                span: end..end,
                line,
                col,
                hint: None,
                labels: Vec::new(),
            });
        }
        Diagnostics { file: file.to_string(), list }
    }
}

/// Byte offsets of line starts, for turning offsets into 1-based line and column.
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(src: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(src.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// 1-based line and column (in characters) of byte `offset`.
    pub fn line_col(&self, src: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(src.len());
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let col = match src.get(start..offset) {
            Some(text) => text.chars().count(),
            None => offset - start,
        };
        (line, col + 1)
    }
}

/// A diagnostic for a source that is not valid UTF-8: at the first invalid byte.
pub fn invalid_utf8(file: &str, bytes: &[u8], err: std::str::Utf8Error) -> Diagnostics {
    let at = err.valid_up_to();
    // The prefix is valid UTF-8 by definition of `valid_up_to`.
    let prefix = std::str::from_utf8(&bytes[..at]).unwrap_or_default();
    let (line, col) = LineIndex::new(prefix).line_col(prefix, at);
    let bad = err.error_len().unwrap_or(bytes.len() - at);
    let byte = bytes.get(at).copied().unwrap_or(0);
    Diagnostics {
        file: file.to_string(),
        list: vec![Diagnostic {
            message: format!("source is not valid UTF-8 (byte 0x{byte:02x} at offset {at})"),
            span: at..at + bad,
            line,
            col,
            hint: Some("kernel source files must be UTF-8 text".to_string()),
            labels: Vec::new(),
        }],
    }
}

/// A diagnostic for a source too large to index with 32-bit offsets.
pub fn too_large(file: &str) -> Diagnostics {
    Diagnostics {
        file: file.to_string(),
        list: vec![Diagnostic {
            message: "source file is too large (4 GiB or more)".to_string(),
            span: 0..0,
            line: 1,
            col: 1,
            hint: None,
            labels: Vec::new(),
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col() {
        let src = "ab\ncdé\nf";
        let idx = LineIndex::new(src);
        assert_eq!(idx.line_col(src, 0), (1, 1));
        assert_eq!(idx.line_col(src, 2), (1, 3));
        assert_eq!(idx.line_col(src, 3), (2, 1));
        assert_eq!(idx.line_col(src, 7), (2, 4), "é counts as one column");
        assert_eq!(idx.line_col(src, 8), (3, 1));
        assert_eq!(idx.line_col(src, 100), (3, 2));
    }

    #[test]
    fn clamp() {
        assert_eq!(clamp_span("abc", 3..3), 3..3);
        assert_eq!(clamp_span("abc", 1..1), 1..2);
        assert_eq!(clamp_span("é", 1..1), 0..2);
        assert_eq!(clamp_span("abc", 5..9), 3..3);
    }
}
