//! Stage `lex`: source text → tokens, comment trivia and lexical diagnostics (sqrt.md §2).
//!
//! logos finds the raw tokens (longest match); this module then gives them their meaning:
//! it unescapes strings, parses numbers, joins nothing and splits the few raw tokens whose
//! "no identifier character may follow" rule a DFA cannot express (`.value`, at-tokens,
//! `±inf`). Lexing never stops: each problem becomes a located diagnostic (E0001–E0005) and
//! the lexer carries on, so the parser still sees the rest of the file.
//!
//! Two entry points: `scan` gives the parser 12-byte `Lexeme`s (kind and span) and checks
//! escapes and numbers without keeping their values, so lexing allocates nothing per token
//! (`scan_docs_apart`, what the parser calls, also sets the doc comment lines apart);
//! `lex` gives `Token`s with decoded payloads (`Lexeme::decode`), for tools and tests. The
//! parser decodes a payload (`decode_string`, `decode_int`, ...) only where the tree keeps it.

use std::borrow::Cow;

use logos::Logos;

use crate::ast::{Comment, CommentKind, Text};
use crate::diag::{Diagnostic, Span};

/// The tokens without a payload, listed once: each becomes a variant of both `Tok` and `Kind`
/// with its diagnostic name, and `Lexeme::decode` / `Tok::kind` map them one to one.
macro_rules! tokens {
    ($($(#[$doc:meta])* $name:ident => $text:literal,)*) => {
        /// A token kind with its decoded payload. Words are not split into keywords: which
        /// words are keywords depends on the position (sqrt.md §3.2), so the parser decides.
        #[derive(Clone, Debug, PartialEq)]
        pub enum Tok {
            $($(#[$doc])* $name,)*
            /// `"…"`, unescaped.
            Str(String),
            /// `r"…"`, with `\\` and `\"` unescaped.
            RStr(String),
            /// `w"…"`, with `\\` and `\"` unescaped.
            WStr(String),
            /// `d"…"`, unescaped like `"…"`.
            DStr(String),
            Int(i64),
            Float(f64),
            /// `+inf` / `-inf` (the bare word `inf` is a `Word`).
            Inf {
                negative: bool,
            },
            /// One `///` line: its text without `///`, one following space and trailing whitespace.
            Doc(String),
            Eof,
        }

        /// A token's kind without its payload: what the parser works on. Payloads (unescaped
        /// strings, numbers, doc text) are decoded from the source text only where the syntax
        /// tree needs them (`Lexeme::decode` and the `decode_*` functions), so lexing allocates
        /// nothing per token.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Kind {
            $($(#[$doc])* $name,)*
            Str,
            RStr,
            WStr,
            DStr,
            Int,
            Float,
            Inf,
            Doc,
            Eof,
        }

        impl Kind {
            /// How a diagnostic names this token.
            pub fn describe(self) -> &'static str {
                match self {
                    $(Kind::$name => $text,)*
                    Kind::Str => "a string",
                    Kind::RStr => "a regex string `r\"…\"`",
                    Kind::WStr => "a wildcard string `w\"…\"`",
                    Kind::DStr => "a datetime string `d\"…\"`",
                    Kind::Int => "an integer",
                    Kind::Float => "a float",
                    Kind::Inf => "`inf`",
                    Kind::Doc => "a doc comment",
                    Kind::Eof => "the end of the file",
                }
            }

            /// The token of a kind without payload; `None` for the kinds that carry one.
            fn plain(self) -> Option<Tok> {
                match self {
                    $(Kind::$name => Some(Tok::$name),)*
                    Kind::Eof => Some(Tok::Eof),
                    _ => None,
                }
            }
        }

        impl Tok {
            /// How a diagnostic names this token.
            pub fn describe(&self) -> &'static str {
                self.kind().describe()
            }

            /// The token's kind, without its payload.
            pub fn kind(&self) -> Kind {
                match self {
                    $(Tok::$name => Kind::$name,)*
                    Tok::Str(_) => Kind::Str,
                    Tok::RStr(_) => Kind::RStr,
                    Tok::WStr(_) => Kind::WStr,
                    Tok::DStr(_) => Kind::DStr,
                    Tok::Int(_) => Kind::Int,
                    Tok::Float(_) => Kind::Float,
                    Tok::Inf { .. } => Kind::Inf,
                    Tok::Doc(_) => Kind::Doc,
                    Tok::Eof => Kind::Eof,
                }
            }
        }
    };
}

tokens! {
    LBrace => "`{`",
    RBrace => "`}`",
    LParen => "`(`",
    RParen => "`)`",
    LBracket => "`[`",
    RBracket => "`]`",
    Semi => "`;`",
    Comma => "`,`",
    Dot => "`.`",
    Eq => "`=`",
    EqEq => "`==`",
    Arrow => "`->`",
    Pipe => "`|`",
    Amp => "`&`",
    Minus => "`-`",
    Caret => "`^`",
    PipeEq => "`|=`",
    AmpEq => "`&=`",
    MinusEq => "`-=`",
    CaretEq => "`^=`",
    /// `..`
    DotDot => "`..`",
    /// `..<`
    DotDotLt => "`..<`",
    /// `<..`
    LtDotDot => "`<..`",
    /// `<..<`
    LtDotDotLt => "`<..<`",
    /// `.value`
    DotValue => "`.value`",
    /// `@` (followed by a field name, possibly after whitespace)
    At => "`@`",
    AtResult => "`@result`",
    AtSession => "`@session`",
    AtArgs => "`@args`",
    Word => "a word",
}

/// A token as the parser sees it: 12 bytes, no payload (see `Kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lexeme {
    pub tok: Kind,
    pub span: Span,
}

impl Lexeme {
    /// The token with its payload decoded from `src` (the text it was lexed from).
    pub fn decode(self, src: &str) -> Token {
        let text = &src[self.span.range()];
        let tok = self.tok.plain().unwrap_or_else(|| match self.tok {
            Kind::Str => Tok::Str(decode_string(self.tok, text)),
            Kind::RStr => Tok::RStr(decode_string(self.tok, text)),
            Kind::WStr => Tok::WStr(decode_string(self.tok, text)),
            Kind::DStr => Tok::DStr(decode_string(self.tok, text)),
            Kind::Int => Tok::Int(decode_int(text)),
            Kind::Float => Tok::Float(decode_float(text)),
            Kind::Inf => Tok::Inf {
                negative: text.starts_with('-'),
            },
            // `plain` covered every other kind: this is `Doc`.
            _ => Tok::Doc(doc_text(text).to_owned()),
        });
        Token {
            tok,
            span: self.span,
        }
    }
}

/// The unescaped value of a string token of kind `kind` whose source text is `text` (prefix and
/// quotes included; the closing quote may be missing in an unterminated string).
pub fn decode_string(kind: Kind, text: &str) -> String {
    unescape(kind, string_body_of(kind, text, false)).into_owned()
}

/// `decode_string` as tree text: a short string that unescapes to itself is not allocated.
/// `closed`: the string is known to end with its closing quote (no string in the file is
/// unterminated), so its body needs no search for where it ends.
pub fn decode_text(kind: Kind, text: &str, closed: bool) -> Text {
    match unescape(kind, string_body_of(kind, text, closed)) {
        Cow::Borrowed(body) => Text::new(body),
        Cow::Owned(value) => value.into(),
    }
}

/// The value of a string body: the body itself where unescaping changes nothing.
#[inline]
fn unescape(kind: Kind, body: &str) -> Cow<'_, str> {
    // Most bodies have no backslash: that test is inlined, the rest is not.
    if body.contains('\\') {
        unescape_escaped(kind, body)
    } else {
        Cow::Borrowed(body)
    }
}

fn unescape_escaped(kind: Kind, body: &str) -> Cow<'_, str> {
    match kind {
        Kind::Str | Kind::DStr => Cow::Owned(json_unescape(&mut Vec::new(), body, 0)),
        // A pattern keeps every escape but `\\` and `\"` as written (`r"a\.b"` is itself).
        _ if !body.contains("\\\\") && !body.contains("\\\"") => Cow::Borrowed(body),
        _ => Cow::Owned(pattern_unescape(body)),
    }
}

/// The text between the quotes of a string token; `closed`: it is known to end with its
/// closing quote, so the last byte is that quote without a look at the backslashes before it.
fn string_body_of(kind: Kind, text: &str, closed: bool) -> &str {
    let open = usize::from(kind != Kind::Str) + 1;
    if closed && let Some(body) = text.get(open..text.len().saturating_sub(1)) {
        return body;
    }
    // The closing quote is the last byte unless the string is unterminated (ends with the file);
    // an unterminated body may end with `\"`, which is an escaped quote, not a closing one.
    let terminated =
        text.len() > open && text.ends_with('"') && !ends_escaped(&text[open..text.len() - 1]);
    let close = if terminated {
        text.len() - 1
    } else {
        text.len()
    };
    &text[open.min(text.len())..close.max(open.min(text.len()))]
}

/// Whether `body` ends with an odd number of backslashes (so a quote after it is escaped).
fn ends_escaped(body: &str) -> bool {
    body.bytes().rev().take_while(|&b| b == b'\\').count() % 2 == 1
}

/// The value of an integer token (0 if out of range, which the lexer reported as E0005).
pub fn decode_int(text: &str) -> i64 {
    text.parse().unwrap_or(0)
}

/// The value of a float token (0.0 if out of range, which the lexer reported as E0005).
pub fn decode_float(text: &str) -> f64 {
    text.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .unwrap_or(0.0)
}

/// The text of a `///` line: without `///`, one following space and trailing whitespace.
pub fn doc_text(text: &str) -> &str {
    let doc = text.strip_prefix("///").unwrap_or(text);
    doc.strip_prefix(' ').unwrap_or(doc).trim_end()
}

#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub span: Span,
}

/// The lexer's output: tokens ending with one `Eof`, ordinary comments in source order, and
/// lexical diagnostics.
#[derive(Clone, Debug)]
pub struct Lexed {
    pub tokens: Vec<Token>,
    pub comments: Vec<Comment>,
    pub diagnostics: Vec<Diagnostic>,
    /// Set when a string or block comment ran to the end of the file: the parser then does not
    /// add a second "unexpected end" error for the same cause.
    pub unterminated: bool,
}

/// Raw tokens as logos sees them; `lex` turns them into `Tok`s.
#[derive(Logos, Clone, Copy, Debug, PartialEq)]
#[logos(skip r"[ \t\r\n\x0C]+")]
enum Raw {
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token(";")]
    Semi,
    #[token(",")]
    Comma,
    #[token(".")]
    Dot,
    #[token("=")]
    Eq,
    #[token("==")]
    EqEq,
    #[token("->")]
    Arrow,
    #[token("|")]
    Pipe,
    #[token("&")]
    Amp,
    #[token("-")]
    Minus,
    #[token("^")]
    Caret,
    #[token("|=")]
    PipeEq,
    #[token("&=")]
    AmpEq,
    #[token("-=")]
    MinusEq,
    #[token("^=")]
    CaretEq,
    #[token("..")]
    DotDot,
    #[token("..<")]
    DotDotLt,
    #[token("<..")]
    LtDotDot,
    #[token("<..<")]
    LtDotDotLt,
    /// `.value` plus any identifier characters glued to it (split off again in `lex`).
    #[regex(r"\.value[A-Za-z0-9_]*")]
    DotValue,
    #[token("@")]
    At,
    /// `@word`: an at-token, or `@` followed by a field name.
    #[regex(r"@[A-Za-z_][A-Za-z0-9_]*")]
    AtWord,
    #[regex(r"[A-Za-z_][A-Za-z0-9_]*")]
    Word,
    /// `+inf`/`-inf` plus any identifier characters glued to it.
    #[regex(r"[+-]inf[A-Za-z0-9_]*")]
    SignedInf,
    #[regex(r"-?[0-9]+")]
    Int,
    #[regex(r"-?[0-9]+\.[0-9]+")]
    Float,
    #[token("\"", string_body)]
    Str(bool),
    #[token("r\"", string_body)]
    RStr(bool),
    #[token("w\"", string_body)]
    WStr(bool),
    #[token("d\"", string_body)]
    DStr(bool),
    /// `//…` to the end of the line; `///…` is a doc comment.
    #[regex(r"//[^\n]*", allow_greedy = true)]
    LineComment,
    #[token("/*", block_comment_body)]
    BlockComment(bool),
}

/// Consumes a string body up to and including the closing quote; `false` if there is none.
fn string_body(lex: &mut logos::Lexer<Raw>) -> bool {
    let rest = lex.remainder().as_bytes();
    let mut i = 0;
    while i < rest.len() {
        match rest[i] {
            b'\\' => i += 2,
            b'"' => {
                lex.bump(i + 1);
                return true;
            }
            _ => i += 1,
        }
    }
    lex.bump(rest.len());
    false
}

/// Consumes a block comment up to and including `*/`; `false` if there is none.
fn block_comment_body(lex: &mut logos::Lexer<Raw>) -> bool {
    match lex.remainder().find("*/") {
        Some(i) => {
            lex.bump(i + 2);
            true
        }
        None => {
            lex.bump(lex.remainder().len());
            false
        }
    }
}

/// Checks that the bytes are UTF-8; the error (E0001) points at the first invalid byte.
#[allow(
    clippy::result_large_err,
    reason = "called once per file; the CLI renders the diagnostic"
)]
pub fn decode(bytes: &[u8]) -> Result<&str, Diagnostic> {
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let len = e.error_len().unwrap_or(bytes.len() - at);
        Diagnostic::error(
            "E0001",
            Span::new(at, at + len),
            "invalid UTF-8 in the source file",
        )
        .with_help("SQRT source files must be UTF-8 encoded")
    })
}

/// Splits `src` into tokens with their payloads. A leading U+FEFF is skipped; spans are byte
/// offsets into `src`.
pub fn lex(src: &str) -> Lexed {
    let scanned = scan(src);
    Lexed {
        tokens: scanned.tokens.iter().map(|l| l.decode(src)).collect(),
        comments: scanned.comments,
        diagnostics: scanned.diagnostics,
        unterminated: scanned.unterminated,
    }
}

/// What `scan` finds: `lex`'s output with payload-free tokens (the parser's input).
#[derive(Clone, Debug)]
pub struct Scanned {
    pub tokens: Vec<Lexeme>,
    /// From `scan_docs_apart` only: each `///` line (not in `tokens`) with the index in
    /// `tokens` of the token it precedes.
    pub docs: Option<Vec<(usize, Span)>>,
    pub comments: Vec<Comment>,
    pub diagnostics: Vec<Diagnostic>,
    pub unterminated: bool,
}

/// Splits `src` into payload-free tokens (ending with one `Eof`), comments and every lexical
/// diagnostic. A leading U+FEFF is skipped; spans are byte offsets into `src`.
pub fn scan(src: &str) -> Scanned {
    scan_with(src, 0..src.len(), false)
}

/// `scan`, with the doc comment lines set apart in `Scanned::docs` (the parser attaches them
/// to the next token): the parser then need not take them out of the token list, a pass over
/// the whole list.
///
/// Only the part `range` of `src` (on character boundaries) is scanned, as if it were the whole
/// text, with spans into `src` and the `Eof` at `range.end`: the parts of a large source are
/// scanned on separate threads (`split`).
pub fn scan_docs_apart(src: &str, range: std::ops::Range<usize>) -> Scanned {
    scan_with(src, range, true)
}

fn scan_with(src: &str, range: std::ops::Range<usize>, docs_apart: bool) -> Scanned {
    let mut out = Scanned {
        // Policies average about four bytes per token.
        tokens: Vec::with_capacity(range.len() / 4 + 1),
        docs: docs_apart.then(Vec::new),
        comments: Vec::new(),
        diagnostics: Vec::new(),
        unterminated: false,
    };
    let src = &src[..range.end];
    let mut base = if range.start == 0 && src.starts_with('\u{FEFF}') {
        '\u{FEFF}'.len_utf8()
    } else {
        range.start
    };
    // E0001: a run of characters where no token starts, reported once per run.
    let mut bad: Option<Span> = None;
    'restart: while base <= src.len() {
        let mut lexer = Raw::lexer(&src[base..]);
        while let Some(raw) = lexer.next() {
            let r = lexer.span();
            let span = Span::new(base + r.start, base + r.end);
            // The lexer's own slice: `&src[span]` checked both ends for character boundaries
            // on every token.
            let text = lexer.slice();
            let raw = match raw {
                Ok(raw) => raw,
                Err(()) => {
                    // Restart just after the first character, so the error covers exactly the
                    // character where no token starts and the rest is lexed normally.
                    let at = span.start as usize;
                    let next = at + src[at..].chars().next().map_or(1, char::len_utf8);
                    bad = Some(match bad {
                        Some(b) if b.end as usize == at => Span::new(b.start as usize, next),
                        _ => {
                            flush_bad(&mut out, bad.take(), src);
                            Span::new(at, next)
                        }
                    });
                    base = next;
                    continue 'restart;
                }
            };
            // Checked here: an out-of-line call per token cost 1.5 % of a parse.
            if bad.is_some() {
                flush_bad(&mut out, bad.take(), src);
            }
            classify(&mut out, raw, span, text);
        }
        break;
    }
    flush_bad(&mut out, bad.take(), src);
    let end = src.len();
    out.tokens.push(Lexeme {
        tok: Kind::Eof,
        span: Span::new(end, end),
    });
    out
}

fn flush_bad(out: &mut Scanned, bad: Option<Span>, src: &str) {
    if let Some(span) = bad {
        let text = &src[span.range()];
        let shown: String = text.chars().take(20).collect();
        out.diagnostics.push(
            Diagnostic::error(
                "E0001",
                span,
                format!("no token starts with `{}`", shown.escape_debug()),
            )
            .with_help("remove these characters, or put them inside a string literal"),
        );
    }
}

fn push(out: &mut Scanned, tok: Kind, start: usize, end: usize) {
    out.tokens.push(Lexeme {
        tok,
        span: Span::new(start, end),
    });
}

/// Gives one raw token its meaning.
fn classify(out: &mut Scanned, raw: Raw, span: Span, text: &str) {
    let (s, e) = (span.start as usize, span.end as usize);
    let tok = match raw {
        Raw::LBrace => Kind::LBrace,
        Raw::RBrace => Kind::RBrace,
        Raw::LParen => Kind::LParen,
        Raw::RParen => Kind::RParen,
        Raw::LBracket => Kind::LBracket,
        Raw::RBracket => Kind::RBracket,
        Raw::Semi => Kind::Semi,
        Raw::Comma => Kind::Comma,
        Raw::Dot => Kind::Dot,
        Raw::Eq => Kind::Eq,
        Raw::EqEq => Kind::EqEq,
        Raw::Arrow => Kind::Arrow,
        Raw::Pipe => Kind::Pipe,
        Raw::Amp => Kind::Amp,
        Raw::Minus => Kind::Minus,
        Raw::Caret => Kind::Caret,
        Raw::PipeEq => Kind::PipeEq,
        Raw::AmpEq => Kind::AmpEq,
        Raw::MinusEq => Kind::MinusEq,
        Raw::CaretEq => Kind::CaretEq,
        Raw::DotDot => Kind::DotDot,
        Raw::DotDotLt => Kind::DotDotLt,
        Raw::LtDotDot => Kind::LtDotDot,
        Raw::LtDotDotLt => Kind::LtDotDotLt,
        Raw::At => Kind::At,
        Raw::Word => Kind::Word,
        Raw::DotValue => {
            if text.len() == ".value".len() {
                Kind::DotValue
            } else {
                // `x.valuex`: a `.` and a word.
                push(out, Kind::Dot, s, s + 1);
                Kind::Word.at(out, s + 1, e);
                return;
            }
        }
        Raw::AtWord => match &text[1..] {
            "result" => Kind::AtResult,
            "session" => Kind::AtSession,
            "args" => Kind::AtArgs,
            _ => {
                push(out, Kind::At, s, s + 1);
                Kind::Word.at(out, s + 1, e);
                return;
            }
        },
        Raw::SignedInf => {
            let negative = text.starts_with('-');
            if text.len() == "+inf".len() {
                Kind::Inf
            } else if negative {
                // `-infinity`: minus and a word.
                push(out, Kind::Minus, s, s + 1);
                Kind::Word.at(out, s + 1, e);
                return;
            } else {
                out.diagnostics.push(
                    Diagnostic::error("E0001", Span::new(s, s + 1), "no token starts with `+`")
                        .with_help("numbers take no `+` sign (only `+inf` does)"),
                );
                Kind::Word.at(out, s + 1, e);
                return;
            }
        }
        // Up to 18 digits always fit; only longer ones are parsed to find out.
        Raw::Int if text.len() <= 18 => Kind::Int,
        Raw::Int => match text.parse::<i64>() {
            Ok(_) => Kind::Int,
            Err(_) => {
                out.diagnostics.push(
                    Diagnostic::error("E0005", span, "integer out of range")
                        .with_help("integers must fit a signed 64-bit integer (−9223372036854775808 to 9223372036854775807)"),
                );
                Kind::Int
            }
        },
        Raw::Float => match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Kind::Float,
            _ => {
                out.diagnostics.push(
                    Diagnostic::error("E0005", span, "float out of range")
                        .with_help("write `inf` or `-inf` for an unbounded value"),
                );
                Kind::Float
            }
        },
        Raw::Str(done) | Raw::RStr(done) | Raw::WStr(done) | Raw::DStr(done) => {
            let prefix = usize::from(!matches!(raw, Raw::Str(_)));
            let open = s + prefix + 1;
            let close = if done { e - 1 } else { e };
            if !done {
                out.unterminated = true;
                out.diagnostics.push(
                    Diagnostic::error("E0002", Span::new(s, open), "unterminated string")
                        .with_help(
                            "close the string with `\"` (a `\\\"` inside it does not close it)",
                        ),
                );
            }
            let body = &text[open - s..close - s];
            // Only JSON escapes can be wrong (E0004); the value itself is decoded where the
            // syntax tree needs it (`decode_string`).
            let json = matches!(raw, Raw::Str(_) | Raw::DStr(_));
            if json && body.contains('\\') {
                json_unescape(&mut out.diagnostics, body, open);
            }
            match raw {
                Raw::Str(_) => Kind::Str,
                Raw::DStr(_) => Kind::DStr,
                Raw::RStr(_) => Kind::RStr,
                _ => Kind::WStr,
            }
        }
        Raw::LineComment => {
            if text.starts_with("///") {
                if let Some(docs) = &mut out.docs {
                    docs.push((out.tokens.len(), span));
                    return;
                }
                Kind::Doc
            } else {
                out.comments.push(Comment {
                    kind: CommentKind::Line,
                    text: Text::new(text.trim_end()),
                    span: Span::new(s, s + text.trim_end().len()),
                });
                return;
            }
        }
        Raw::BlockComment(done) => {
            if !done {
                out.unterminated = true;
                out.diagnostics.push(
                    Diagnostic::error("E0003", Span::new(s, s + 2), "unterminated block comment")
                        .with_help("close the comment with `*/` (block comments do not nest)"),
                );
            }
            out.comments.push(Comment {
                kind: CommentKind::Block,
                text: Text::new(text),
                span,
            });
            return;
        }
    };
    push(out, tok, s, e);
}

impl Kind {
    /// Pushes this token at `start..end` (used when a raw token splits in two).
    fn at(self, out: &mut Scanned, start: usize, end: usize) {
        push(out, self, start, end);
    }
}

/// `\\` → `\` and `\"` → `"`; every other pair stays as written (regex and wildcard bodies).
fn pattern_unescape(body: &str) -> String {
    let mut s = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(n @ ('\\' | '"')) => s.push(n),
                Some(n) => {
                    s.push('\\');
                    s.push(n);
                }
                None => s.push('\\'),
            }
        } else {
            s.push(c);
        }
    }
    s
}

/// JSON escapes (`"…"` and `d"…"`); anything else after `\` is E0004 at that escape. `base` is
/// the byte offset of `body` in the source.
fn json_unescape(diags: &mut Vec<Diagnostic>, body: &str, base: usize) -> String {
    let mut s = String::with_capacity(body.len());
    let mut it = body.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        if c != '\\' {
            s.push(c);
            continue;
        }
        let Some((_, n)) = it.next() else {
            // A lone `\` at the very end only happens in an unterminated string (E0002).
            break;
        };
        match n {
            '"' => s.push('"'),
            '\\' => s.push('\\'),
            '/' => s.push('/'),
            'b' => s.push('\u{8}'),
            'f' => s.push('\u{C}'),
            'n' => s.push('\n'),
            'r' => s.push('\r'),
            't' => s.push('\t'),
            'u' => {
                let hi = hex4(body, i + 2);
                let mut end = i + 2 + hi.map_or(0, |_| 4);
                let ch = match hi {
                    Some(h @ 0xD800..=0xDBFF) => {
                        // A high surrogate needs `\uDC00`–`\uDFFF` right after it.
                        let lo = body[end..]
                            .starts_with("\\u")
                            .then(|| hex4(body, end + 2))
                            .flatten();
                        match lo {
                            Some(l @ 0xDC00..=0xDFFF) => {
                                end += 6;
                                char::from_u32(0x10000 + ((h - 0xD800) << 10) + (l - 0xDC00))
                            }
                            _ => None,
                        }
                    }
                    Some(h) => char::from_u32(h),
                    None => None,
                };
                match ch {
                    Some(ch) => s.push(ch),
                    None => {
                        let shown = end.max(i + 2);
                        let shown = (shown..=body.len())
                            .find(|&k| body.is_char_boundary(k))
                            .unwrap_or(body.len());
                        diags.push(
                            Diagnostic::error(
                                "E0004",
                                Span::new(base + i, base + shown),
                                format!("bad unicode escape `{}`", &body[i..shown]),
                            )
                            .with_help("write `\\u` and four hex digits; a surrogate pair needs both halves (`\\uD83D\\uDE00`)"),
                        );
                    }
                }
                // Skip what was consumed after `\u`.
                while it.peek().is_some_and(|&(k, _)| k < end) {
                    it.next();
                }
            }
            other => {
                diags.push(
                    Diagnostic::error(
                        "E0004",
                        Span::new(base + i, base + i + 1 + other.len_utf8()),
                        format!("unknown escape `\\{}` in a string", other.escape_debug()),
                    )
                    .with_help(
                        "strings take the JSON escapes `\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX`; \
                         write `\\\\` for a backslash, or use `r\"…\"` for a regex",
                    ),
                );
            }
        }
    }
    s
}

/// Four hex digits at `at`, if there are.
fn hex4(body: &str, at: usize) -> Option<u32> {
    let digits = body.get(at..at + 4)?;
    if digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        u32::from_str_radix(digits, 16).ok()
    } else {
        None
    }
}
