//! Diagnostics to text: the human format (a cli.md header line plus an ariadne excerpt) and the
//! JSON format of `sqrtc check --format json`.
//!
//! Positions are 1-based lines and columns counted in Unicode scalar values; a span's end is
//! reported inclusively (the position of its last character), as cli.md and sqrt.md §5.8 say.

use std::fmt::Write as _;

use ariadne::{Config, IndexType, Label, Report, ReportKind, Source};
use serde_json::{Value, json};

use crate::diag::{Diagnostic, Severity, Span};

/// Byte offsets to 1-based line/column positions (columns in Unicode scalar values).
#[derive(Clone, Debug)]
pub struct LineIndex {
    src: String,
    /// Byte offset of the start of each line.
    line_starts: Vec<usize>,
}

/// A span as 1-based positions, the end inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Location {
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

impl LineIndex {
    pub fn new(src: &str) -> LineIndex {
        let mut line_starts = vec![0];
        line_starts.extend(src.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex {
            src: src.to_owned(),
            line_starts,
        }
    }

    /// Clamps an offset into the text and back onto a character boundary.
    fn clamp(&self, offset: usize) -> usize {
        let mut o = offset.min(self.src.len());
        while !self.src.is_char_boundary(o) {
            o -= 1;
        }
        o
    }

    /// The 1-based line and column of the character starting at `offset` (past the end: just
    /// after the last character).
    pub fn line_col(&self, offset: usize) -> (u32, u32) {
        let offset = self.clamp(offset);
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let col = self.src[self.line_starts[line]..offset].chars().count();
        (line as u32 + 1, col as u32 + 1)
    }

    /// The span's first character and its last one (the start again for an empty span).
    pub fn location(&self, span: Span) -> Location {
        let start = self.clamp(span.start as usize);
        let end = self.clamp(span.end as usize).max(start);
        let (line, column) = self.line_col(start);
        let (end_line, end_column) = if end > start {
            // The last character starts at the char boundary just before `end`.
            let last = self.src[..end]
                .char_indices()
                .next_back()
                .map_or(start, |(i, _)| i);
            self.line_col(last)
        } else {
            (line, column)
        };
        Location {
            line,
            column,
            end_line,
            end_column,
        }
    }
}

fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// The human format: per diagnostic, `FILE:LINE:COL: error[CODE]: MESSAGE`, then an excerpt of
/// the source with the labelled spans, notes and help. Never coloured.
pub fn human(file: &str, src: &str, diags: &[Diagnostic]) -> String {
    human_with(file, src, diags, false)
}

/// `human`, optionally with ANSI colours (for a terminal; the text is otherwise identical).
pub fn human_with(file: &str, src: &str, diags: &[Diagnostic], color: bool) -> String {
    let index = LineIndex::new(src);
    let source = Source::from(src);
    let clamp = |s: Span| {
        let a = index.clamp(s.start as usize);
        a..index.clamp(s.end as usize).max(a)
    };
    let mut out = String::new();
    for d in diags {
        let loc = index.location(d.span);
        let (on, off) = match (color, d.severity) {
            (false, _) => ("", ""),
            (true, Severity::Error) => ("\u{1b}[1;31m", "\u{1b}[0m"),
            (true, Severity::Warning) => ("\u{1b}[1;33m", "\u{1b}[0m"),
        };
        let _ = writeln!(
            out,
            "{file}:{}:{}: {on}{}[{}]{off}: {}",
            loc.line,
            loc.column,
            severity_word(d.severity),
            d.code,
            d.message
        );
        let kind = match d.severity {
            Severity::Error => ReportKind::Error,
            Severity::Warning => ReportKind::Warning,
        };
        let config = Config::default()
            .with_color(color)
            .with_index_type(IndexType::Byte);
        let primary = (file, clamp(d.span));
        let mut report = Report::build(kind, primary.clone())
            .with_config(config)
            .with_code(d.code)
            .with_message(&d.message);
        // ariadne starts a new excerpt whenever a label lies above the previous one, so the
        // labels go in source order to keep them in one excerpt.
        let mut labels: Vec<(Span, &str)> = vec![(d.span, d.message.as_str())];
        labels.extend(d.labels.iter().map(|(s, t)| (*s, t.as_str())));
        labels.sort_by_key(|(s, _)| (s.start, s.end));
        for (span, text) in labels {
            report = report.with_label(Label::new((file, clamp(span))).with_message(text));
        }
        for note in &d.notes {
            report = report.with_note(note);
        }
        if let Some(help) = &d.help {
            report = report.with_help(help);
        }
        let mut buf = Vec::new();
        if report.finish().write((file, &source), &mut buf).is_ok() {
            let text = String::from_utf8_lossy(&buf);
            // ariadne starts with its own header line; ours (above) replaces it.
            let body = text.split_once('\n').map_or("", |(_, rest)| rest);
            for line in body.lines() {
                out.push_str(line.trim_end());
                out.push('\n');
            }
        }
    }
    out
}

/// One diagnostic as a JSON object of cli.md.
pub fn json_diagnostic(file: &str, index: &LineIndex, d: &Diagnostic) -> Value {
    let loc = index.location(d.span);
    json!({
        "severity": severity_word(d.severity),
        "code": d.code,
        "message": d.message,
        "file": file,
        "line": loc.line,
        "column": loc.column,
        "end_line": loc.end_line,
        "end_column": loc.end_column,
    })
}

/// The `--format json` document for one or more files: `{"diagnostics": [...]}` in file order.
pub fn json<'a>(files: impl IntoIterator<Item = (&'a str, &'a str, &'a [Diagnostic])>) -> Value {
    let mut all = Vec::new();
    for (file, src, diags) in files {
        let index = LineIndex::new(src);
        all.extend(diags.iter().map(|d| json_diagnostic(file, &index, d)));
    }
    json!({ "diagnostics": all })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_scalar_values() {
        let src = "ab\néé x\n\nlast";
        let idx = LineIndex::new(src);
        assert_eq!(idx.line_col(0), (1, 1));
        assert_eq!(idx.line_col(2), (1, 3)); // the newline itself
        assert_eq!(idx.line_col(3), (2, 1));
        assert_eq!(idx.line_col(7), (2, 3)); // after two 2-byte chars
        assert_eq!(idx.line_col(4), (2, 1)); // inside a char: clamped back to its start
        assert_eq!(idx.line_col(11), (4, 1));
        assert_eq!(idx.line_col(100), (4, 5));
    }

    #[test]
    fn locations_end_inclusively() {
        let src = "let é = {\"x\"};\nnext";
        let idx = LineIndex::new(src);
        // `é` alone: one character, start == end column.
        let e = src.find('é').unwrap();
        assert_eq!(
            idx.location(Span::new(e, e + 2)),
            Location {
                line: 1,
                column: 5,
                end_line: 1,
                end_column: 5
            }
        );
        // The whole first line up to the `;`.
        let semi = src.find(';').unwrap();
        assert_eq!(
            idx.location(Span::new(0, semi + 1)),
            Location {
                line: 1,
                column: 1,
                end_line: 1,
                end_column: 14
            }
        );
        // Across lines.
        assert_eq!(
            idx.location(Span::new(4, src.len())),
            Location {
                line: 1,
                column: 5,
                end_line: 2,
                end_column: 4
            }
        );
        // Empty span at the end of input.
        let n = src.len();
        assert_eq!(
            idx.location(Span::new(n, n)),
            Location {
                line: 2,
                column: 5,
                end_line: 2,
                end_column: 5
            }
        );
    }

    #[test]
    fn human_has_the_cli_header_and_an_excerpt() {
        let src = "tool \"t\" {\n    must deny when condition;\n}\n";
        let start = src.find("condition").unwrap();
        let d = Diagnostic::error(
            "E0201",
            Span::new(start, start + 9),
            "unknown name `condition`",
        )
        .with_help("define it with `let condition = ...;`");
        let text = human("p.sqrt", src, std::slice::from_ref(&d));
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some("p.sqrt:2:20: error[E0201]: unknown name `condition`")
        );
        assert!(text.contains("must deny when condition;"), "{text}");
        assert!(text.contains("Help: define it with"), "{text}");
        assert!(!text.contains('\u{1b}'), "no ANSI escapes: {text:?}");
        let colored = human_with("p.sqrt", src, &[d], true);
        assert!(
            colored.starts_with("p.sqrt:2:20: \u{1b}[1;31merror[E0201]\u{1b}[0m: unknown name")
        );
        assert!(
            !text.contains("Error:"),
            "ariadne's own header is replaced: {text}"
        );
    }

    #[test]
    fn odd_spans_never_panic() {
        let d = |s, e| Diagnostic::error("E0102", Span::new(s, e), "unexpected end of input");
        assert!(human("f", "", &[d(0, 0)]).starts_with("f:1:1: error[E0102]"));
        // Past the end, inside a multi-byte character, reversed: clamped, not a panic.
        let text = human("f", "é\n", &[d(1, 1), d(9, 12), d(2, 1)]);
        assert_eq!(
            text.lines().filter(|l| l.starts_with("f:")).count(),
            3,
            "{text}"
        );
    }

    #[test]
    fn json_shape() {
        let src = "x\nyz";
        let d = Diagnostic::warning("W0005", Span::new(2, 4), "unused");
        let v = json([("f.sqrt", src, std::slice::from_ref(&d))]);
        assert_eq!(
            v,
            json!({"diagnostics": [{"severity": "warning", "code": "W0005", "message": "unused", "file": "f.sqrt",
                    "line": 2, "column": 1, "end_line": 2, "end_column": 2}]})
        );
    }
}
