//! Stage `lex`: source text → tokens, comment trivia and lexical diagnostics (sqrt.md §2).
//!
//! logos finds the raw tokens (longest match); this module then gives them their meaning:
//! it unescapes strings, parses numbers, joins nothing and splits the few raw tokens whose
//! "no identifier character may follow" rule a DFA cannot express (`.value`, at-tokens,
//! `±inf`). Lexing never stops: each problem becomes a located diagnostic (E0001–E0005) and
//! the lexer carries on, so the parser still sees the rest of the file.

use logos::Logos;

use crate::ast::{Comment, CommentKind};
use crate::diag::{Diagnostic, Span};

/// A token kind with its decoded payload. Words are not split into keywords: which words
/// are keywords depends on the position (sqrt.md §3.2), so the parser decides.
#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    LBrace,
    RBrace,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Semi,
    Comma,
    Dot,
    Eq,
    EqEq,
    Arrow,
    Pipe,
    Amp,
    Minus,
    Caret,
    PipeEq,
    AmpEq,
    MinusEq,
    CaretEq,
    /// `..`
    DotDot,
    /// `..<`
    DotDotLt,
    /// `<..`
    LtDotDot,
    /// `<..<`
    LtDotDotLt,
    /// `.value`
    DotValue,
    /// `@` (followed by a field name, possibly after whitespace)
    At,
    AtResult,
    AtSession,
    AtArgs,
    Word,
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

impl Tok {
    /// How a diagnostic names this token.
    pub fn describe(&self) -> &'static str {
        match self {
            Tok::LBrace => "`{`",
            Tok::RBrace => "`}`",
            Tok::LParen => "`(`",
            Tok::RParen => "`)`",
            Tok::LBracket => "`[`",
            Tok::RBracket => "`]`",
            Tok::Semi => "`;`",
            Tok::Comma => "`,`",
            Tok::Dot => "`.`",
            Tok::Eq => "`=`",
            Tok::EqEq => "`==`",
            Tok::Arrow => "`->`",
            Tok::Pipe => "`|`",
            Tok::Amp => "`&`",
            Tok::Minus => "`-`",
            Tok::Caret => "`^`",
            Tok::PipeEq => "`|=`",
            Tok::AmpEq => "`&=`",
            Tok::MinusEq => "`-=`",
            Tok::CaretEq => "`^=`",
            Tok::DotDot => "`..`",
            Tok::DotDotLt => "`..<`",
            Tok::LtDotDot => "`<..`",
            Tok::LtDotDotLt => "`<..<`",
            Tok::DotValue => "`.value`",
            Tok::At => "`@`",
            Tok::AtResult => "`@result`",
            Tok::AtSession => "`@session`",
            Tok::AtArgs => "`@args`",
            Tok::Word => "a word",
            Tok::Str(_) => "a string",
            Tok::RStr(_) => "a regex string `r\"…\"`",
            Tok::WStr(_) => "a wildcard string `w\"…\"`",
            Tok::DStr(_) => "a datetime string `d\"…\"`",
            Tok::Int(_) => "an integer",
            Tok::Float(_) => "a float",
            Tok::Inf { .. } => "`inf`",
            Tok::Doc(_) => "a doc comment",
            Tok::Eof => "the end of the file",
        }
    }
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

/// Splits `src` into tokens. A leading U+FEFF is skipped; spans are byte offsets into `src`.
pub fn lex(src: &str) -> Lexed {
    let mut out = Lexed {
        // Policies average about four bytes per token.
        tokens: Vec::with_capacity(src.len() / 4 + 1),
        comments: Vec::new(),
        diagnostics: Vec::new(),
        unterminated: false,
    };
    let mut base = if src.starts_with('\u{FEFF}') {
        '\u{FEFF}'.len_utf8()
    } else {
        0
    };
    // E0001: a run of characters where no token starts, reported once per run.
    let mut bad: Option<Span> = None;
    'restart: while base <= src.len() {
        let mut lexer = Raw::lexer(&src[base..]);
        while let Some(raw) = lexer.next() {
            let r = lexer.span();
            let span = Span::new(base + r.start, base + r.end);
            let text = &src[span.range()];
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
            flush_bad(&mut out, bad.take(), src);
            classify(&mut out, raw, span, text);
        }
        break;
    }
    flush_bad(&mut out, bad.take(), src);
    let end = src.len();
    out.tokens.push(Token {
        tok: Tok::Eof,
        span: Span::new(end, end),
    });
    out
}

fn flush_bad(out: &mut Lexed, bad: Option<Span>, src: &str) {
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

fn push(out: &mut Lexed, tok: Tok, start: usize, end: usize) {
    out.tokens.push(Token {
        tok,
        span: Span::new(start, end),
    });
}

/// Gives one raw token its meaning.
fn classify(out: &mut Lexed, raw: Raw, span: Span, text: &str) {
    let (s, e) = (span.start as usize, span.end as usize);
    let tok = match raw {
        Raw::LBrace => Tok::LBrace,
        Raw::RBrace => Tok::RBrace,
        Raw::LParen => Tok::LParen,
        Raw::RParen => Tok::RParen,
        Raw::LBracket => Tok::LBracket,
        Raw::RBracket => Tok::RBracket,
        Raw::Semi => Tok::Semi,
        Raw::Comma => Tok::Comma,
        Raw::Dot => Tok::Dot,
        Raw::Eq => Tok::Eq,
        Raw::EqEq => Tok::EqEq,
        Raw::Arrow => Tok::Arrow,
        Raw::Pipe => Tok::Pipe,
        Raw::Amp => Tok::Amp,
        Raw::Minus => Tok::Minus,
        Raw::Caret => Tok::Caret,
        Raw::PipeEq => Tok::PipeEq,
        Raw::AmpEq => Tok::AmpEq,
        Raw::MinusEq => Tok::MinusEq,
        Raw::CaretEq => Tok::CaretEq,
        Raw::DotDot => Tok::DotDot,
        Raw::DotDotLt => Tok::DotDotLt,
        Raw::LtDotDot => Tok::LtDotDot,
        Raw::LtDotDotLt => Tok::LtDotDotLt,
        Raw::At => Tok::At,
        Raw::Word => Tok::Word,
        Raw::DotValue => {
            if text.len() == ".value".len() {
                Tok::DotValue
            } else {
                // `x.valuex`: a `.` and a word.
                push(out, Tok::Dot, s, s + 1);
                Tok::Word.at(out, s + 1, e);
                return;
            }
        }
        Raw::AtWord => match &text[1..] {
            "result" => Tok::AtResult,
            "session" => Tok::AtSession,
            "args" => Tok::AtArgs,
            _ => {
                push(out, Tok::At, s, s + 1);
                Tok::Word.at(out, s + 1, e);
                return;
            }
        },
        Raw::SignedInf => {
            let negative = text.starts_with('-');
            if text.len() == "+inf".len() {
                Tok::Inf { negative }
            } else if negative {
                // `-infinity`: minus and a word.
                push(out, Tok::Minus, s, s + 1);
                Tok::Word.at(out, s + 1, e);
                return;
            } else {
                out.diagnostics.push(
                    Diagnostic::error("E0001", Span::new(s, s + 1), "no token starts with `+`")
                        .with_help("numbers take no `+` sign (only `+inf` does)"),
                );
                Tok::Word.at(out, s + 1, e);
                return;
            }
        }
        Raw::Int => match text.parse::<i64>() {
            Ok(v) => Tok::Int(v),
            Err(_) => {
                out.diagnostics.push(
                    Diagnostic::error("E0005", span, "integer out of range")
                        .with_help("integers must fit a signed 64-bit integer (−9223372036854775808 to 9223372036854775807)"),
                );
                Tok::Int(0)
            }
        },
        Raw::Float => match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Tok::Float(v),
            _ => {
                out.diagnostics.push(
                    Diagnostic::error("E0005", span, "float out of range")
                        .with_help("write `inf` or `-inf` for an unbounded value"),
                );
                Tok::Float(0.0)
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
            match raw {
                Raw::Str(_) => Tok::Str(json_unescape(out, body, open)),
                Raw::DStr(_) => Tok::DStr(json_unescape(out, body, open)),
                Raw::RStr(_) => Tok::RStr(pattern_unescape(body)),
                _ => Tok::WStr(pattern_unescape(body)),
            }
        }
        Raw::LineComment => {
            if let Some(doc) = text.strip_prefix("///") {
                let doc = doc.strip_prefix(' ').unwrap_or(doc).trim_end();
                Tok::Doc(doc.to_string())
            } else {
                out.comments.push(Comment {
                    kind: CommentKind::Line,
                    text: text.trim_end().to_string(),
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
                text: text.to_string(),
                span,
            });
            return;
        }
    };
    push(out, tok, s, e);
}

impl Tok {
    /// Pushes this token at `start..end` (used when a raw token splits in two).
    fn at(self, out: &mut Lexed, start: usize, end: usize) {
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
fn json_unescape(out: &mut Lexed, body: &str, base: usize) -> String {
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
                        out.diagnostics.push(
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
                out.diagnostics.push(
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
