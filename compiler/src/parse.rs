//! Stage `parse`: tokens → `ast::Program` with syntax diagnostics (sqrt.md §3), driven by the
//! lalrpop grammar `src/grammar.lalrpop`.
//!
//! Three steps:
//! 1. `classify` turns each lexeme (`lex::scan`: kind and span, no payload) into a grammar
//!    terminal `K`. Words get the purely local rules of §3.2: a word after `.`/`@` is a field
//!    (or NAME); a word before `.`/`.value` is a NAME (a); `union`/`intersect` before `of`,
//!    `any`/`all` before a value accessor and `true`/`false`/`inf` before `==`/`in` get
//!    terminals of their own (b, c). Every other word with a keyword's spelling is that
//!    keyword's terminal, and the grammar's `Name` accepts all of them, so LR(1) lookahead
//!    decides the rest. Doc comments leave the token stream
//!    and are attached to the next token; declarations, members and statements claim them.
//! 2. The generated LALR(1) parser runs over token indices (its locations), building cover
//!    nodes for predicates and sets (`cover`). Error recovery (`!`) resynchronises at `;`,
//!    before a `}`, at a `{…}` group and before the next declaration.
//! 3. §3.2(d): a let right-hand side is a domain if the grammar parsed one, an alias if it is
//!    a bare (parenthesised) name, else a predicate if the cover converts to one, else a set.
//!    This is "classify after parsing with a cover grammar", which needs no backtracking.
//!
//! Step 2 has a fast path: `descent` recognises well-formed programs by recursive descent and
//! builds the tree with the same actions (see its module comment for why the result is the
//! automaton's); on anything else it gives up and the automaton runs on a reset `Cx`.
//!
//! Nesting: the automaton never recurses (the fast path at most `MAX_DEPTH` levels), but no
//! tree higher than `MAX_DEPTH` is built (a node that would be is replaced by an error node
//! and reported once as E0107), so the later recursive passes (checker, formatter, `Drop`)
//! cannot overflow the stack.

mod classify;
mod cover;
mod decls;
mod descent;
mod expected;
pub(crate) mod stream;

use std::cell::RefCell;

use lalrpop_util::{ErrorRecovery, ParseError};

pub use self::classify::K;
use self::classify::classify;
use self::cover::{Cv, CvKind, Fail};
use self::expected::{Context, Site, phrase};
use crate::ast::*;
use crate::diag::{Diagnostic, Span};
use crate::lex::{self, Kind, Lexeme};
use crate::split;

lalrpop_util::lalrpop_mod!(
    #[allow(clippy::all, clippy::pedantic, unused_parens, dead_code)]
    grammar
);

/// How many END terminals follow the input: one per construct that may be left open at the
/// end and still be kept (nested `when`, `when`, block); policies close on recovery.
const ENDS: usize = 3;

type Recovery = ErrorRecovery<usize, K, ()>;

/// The deepest syntax tree the parser builds (parentheses, `not`s and operator chains all
/// count); deeper input is E0107.
pub const MAX_DEPTH: u32 = 64;

/// The parser's output: a program (with `Error` nodes where it recovered) and every lexical
/// and syntax diagnostic, in source order.
#[derive(Clone, Debug)]
pub struct Parsed {
    pub program: Program,
    pub diagnostics: Vec<Diagnostic>,
}

impl Parsed {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

pub use crate::lex::decode;

/// Parses one source text (a leading U+FEFF is skipped; spans are byte offsets into `src`).
///
/// A well-formed program is recognised by the recursive-descent fast path (`descent`), which
/// builds the tree with the grammar's own actions; anything else (and anything the fast path
/// is not certain of) goes to the lalrpop parser, the reference, which alone reports syntax
/// errors and recovers. Both give the same `Parsed` wherever the fast path finishes.
///
/// A large text is parsed in parts on several threads (`split`), with the same result.
pub fn parse(src: &str) -> Parsed {
    parse_in_parts(src, &split::parts(src))
}

/// `parse` with the text split into the given parts (`split::parts_for`; tests).
#[doc(hidden)]
pub fn parse_in_parts(src: &str, parts: &[std::ops::Range<usize>]) -> Parsed {
    let Some(parsed) = split::parse(src, parts) else {
        return parse_range(src, 0..src.len());
    };
    let mut items = Vec::with_capacity(parsed.iter().map(|p| p.program.items.len()).sum());
    let mut comments = Vec::new();
    for p in parsed {
        items.extend(p.program.items);
        comments.extend(p.program.comments);
    }
    Parsed {
        program: Program {
            items,
            comments,
            span: Span::new(0, src.len()),
        },
        diagnostics: Vec::new(),
    }
}

/// The part `range` of `src` parsed as if it were the whole text (spans into `src`).
pub(crate) fn parse_range(src: &str, range: std::ops::Range<usize>) -> Parsed {
    parse_with(src, range, true).0
}

/// The lalrpop parser alone (the reference the fast path is tested and fuzzed against).
#[doc(hidden)]
pub fn parse_reference(src: &str) -> Parsed {
    parse_with(src, 0..src.len(), false).0
}

/// Whether `parse` takes the fast path on `src` (the reference parser is not run).
#[doc(hidden)]
pub fn fast_path_taken(src: &str) -> bool {
    parse_with(src, 0..src.len(), true).1
}

/// The parse, and whether the fast path produced it.
fn parse_with(src: &str, range: std::ops::Range<usize>, fast: bool) -> (Parsed, bool) {
    let lexed = lex::scan_docs_apart(src, range);
    let docs = lexed.docs.unwrap_or_default();
    let cx = Cx::new(src, lexed.tokens, &docs, lexed.unterminated);
    // Only a file without any diagnostic may come from the fast path: lexical problems and
    // the field prescan's poisons send it to the reference parser at once.
    let tried = fast && lexed.diagnostics.is_empty() && cx.poison.borrow().is_empty();
    let fast_items = if tried {
        descent::program(&cx).and_then(|items| cx.finish().is_empty().then_some(items))
    } else {
        None
    };
    let taken = fast_items.is_some();
    let (items, syntax) = match fast_items {
        Some(items) => (items, Vec::new()),
        None => {
            if tried {
                cx.reset();
            }
            reference(&cx)
        }
    };
    let mut diagnostics = lexed.diagnostics;
    diagnostics.extend(syntax);
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
    diagnostics.dedup_by(|a, b| a.code == b.code && a.span == b.span);
    let parsed = Parsed {
        program: Program {
            items,
            comments: lexed.comments,
            span: Span::new(0, src.len()),
        },
        diagnostics,
    };
    (parsed, taken)
}

/// The lalrpop automaton over the classified tokens: the items and the syntax diagnostics.
fn reference(cx: &Cx) -> (Vec<Item>, Vec<Diagnostic>) {
    let input = cx
        .kinds
        .iter()
        .enumerate()
        .map(|(i, &k)| Ok::<_, ()>((i, k, i + 1)));
    let mut items = match grammar::ProgramParser::new().parse(cx, input) {
        Ok(items) => items,
        Err(e) => {
            // Recovery always succeeds at the top level; keep this as a located error anyway.
            cx.diags.borrow_mut().extend(cx.syntax_error(&e));
            Vec::new()
        }
    };
    let mut syntax = cx.finish();
    cx.resync_at_declarations(&mut items, &mut syntax);
    (items, syntax)
}

/// One run of consecutive `///` lines before a token.
struct DocRun {
    /// The token it precedes.
    at: usize,
    doc: Doc,
    lines: Vec<Span>,
}

/// A reported problem that turns the innermost enclosing construct into an error node.
struct Poison {
    at: usize,
    /// `None` for a problem whose diagnostic another one already covers.
    diag: Option<Diagnostic>,
    taken: bool,
}

/// Finished list entries waiting for their list (the grammar's `Count`): pushed as the automaton
/// reduces each entry, taken by the list's own reduction as the top `n`. Entries of a construct
/// that error recovery abandoned stay below and are never taken: no entry of one of these
/// lists is reduced while another entry of the same kind is being parsed, so the top `n` are
/// always the list's own.
pub struct Pending<T>(RefCell<Vec<T>>);

impl<T> Pending<T> {
    fn new() -> Pending<T> {
        Pending::with_capacity(0)
    }

    fn with_capacity(n: usize) -> Pending<T> {
        Pending(RefCell::new(Vec::with_capacity(n)))
    }

    pub fn push(&self, entry: T) {
        self.0.borrow_mut().push(entry);
    }

    /// The last `n` entries, in order (exactly allocated).
    pub fn take(&self, n: usize) -> Vec<T> {
        let mut v = self.0.borrow_mut();
        let at = v.len().saturating_sub(n);
        v.drain(at..).collect()
    }

    /// Pushes the next entry of a list that has `n` so far; its new length.
    pub fn push_counted(&self, entry: T, n: usize) -> usize {
        self.push(entry);
        n + 1
    }

    /// Moves the last `n` entries, in order, to the end of `out`.
    pub fn take_into(&self, n: usize, out: &mut Vec<T>) {
        let mut v = self.0.borrow_mut();
        let at = v.len().saturating_sub(n);
        out.extend(v.drain(at..));
    }

    pub fn pop(&self) -> Option<T> {
        self.0.borrow_mut().pop()
    }

    pub fn last(&self) -> Option<T>
    where
        T: Copy,
    {
        self.0.borrow().last().copied()
    }

    pub fn take_all(&self) -> Vec<T> {
        self.0.take()
    }

    fn clear(&self) {
        self.0.borrow_mut().clear();
    }
}

/// The parser's context: tokens with their terminals, attached docs, and diagnostics.
pub struct Cx<'s> {
    src: &'s str,
    toks: Vec<Lexeme>,
    kinds: Vec<K>,
    /// Index of the first END token (the number of real tokens).
    end: usize,
    /// The doc comment runs, by the token they precede (sparse: most tokens have none).
    docs: Vec<DocRun>,
    /// One bit per token: whether a doc run precedes it (most lookups end here, without a
    /// search of `docs`).
    doc_marks: Vec<u64>,
    /// Per run: 0 = unclaimed, 1 = claimed by a declaration, member or statement, 2 = dangling.
    doc_state: RefCell<Vec<u8>>,
    unterminated: bool,
    /// Where a field or `@args` suffix is not one (E0105, found by `classify`).
    bad_fields: Vec<(usize, classify::BadField)>,
    diags: RefCell<Vec<Diagnostic>>,
    poison: RefCell<Vec<Poison>>,
    /// `(first token, error token)` of each broken declaration.
    top_errors: RefCell<Vec<(usize, usize)>>,
    items: Pending<Item>,
    members: Pending<Member>,
    stmts: Pending<Stmt>,
    elems: Pending<Element>,
    /// Operands and pending operators (with their token) of the set-operator chains being
    /// parsed (`Chain` in the grammar, `cover::chain_op`).
    operands: Pending<Cv>,
    operators: Pending<(SetOp, usize)>,
    /// The operands after the first of the `or`/`and` lists being parsed.
    listed: Pending<Cv>,
    /// How many `let` and `tool` keyword terminals there are: at most one declaration each.
    keywords: (usize, usize),
}

impl<'s> Cx<'s> {
    /// `toks` without doc comments; `doc_lines` are the doc lines apart, each with the index of
    /// the token it precedes (`lex::scan_docs_apart`).
    fn new(
        src: &'s str,
        mut toks: Vec<Lexeme>,
        doc_lines: &[(usize, Span)],
        unterminated: bool,
    ) -> Cx<'s> {
        // Consecutive doc lines (no token between them) are one run.
        let mut docs: Vec<DocRun> = Vec::new();
        for &(at, span) in doc_lines {
            let line = lex::doc_text(&src[span.range()]);
            match docs.last_mut() {
                Some(r) if r.at == at => {
                    r.doc.text.push('\n');
                    r.doc.text.push_str(line);
                    r.doc.span = r.doc.span.to(span);
                    r.lines.push(span);
                }
                _ => docs.push(DocRun {
                    at,
                    doc: Doc {
                        text: Text::new(line),
                        span,
                    },
                    lines: vec![span],
                }),
            }
        }
        let classify::Classified {
            mut kinds,
            bad_fields,
            lets,
            tools,
        } = classify(src, &toks);
        // The lexer's `Eof` becomes the first END; `end` is its index.
        let end = toks.len() - 1;
        kinds[end] = K::End;
        for _ in 1..ENDS {
            toks.push(toks[end]);
            kinds.push(K::End);
        }
        let doc_state = RefCell::new(vec![0; docs.len()]);
        let mut doc_marks = vec![0u64; toks.len().div_ceil(64)];
        for run in &docs {
            doc_marks[run.at / 64] |= 1 << (run.at % 64);
        }
        let cx = Cx {
            src,
            toks,
            kinds,
            end,
            docs,
            doc_marks,
            doc_state,
            unterminated,
            bad_fields,
            diags: RefCell::new(Vec::new()),
            poison: RefCell::new(Vec::new()),
            top_errors: RefCell::new(Vec::new()),
            // At most one item per `let`/`tool` keyword, recovery aside: the program's item
            // list (hundreds of bytes per item) never grows by copying.
            items: Pending::with_capacity(lets + tools),
            keywords: (lets, tools),
            members: Pending::new(),
            stmts: Pending::new(),
            elems: Pending::new(),
            operands: Pending::new(),
            operators: Pending::new(),
            listed: Pending::new(),
        };
        cx.field_prescan();
        cx
    }

    /// Back to the state `new` left: no diagnostics, poisons but the prescan's, docs
    /// unclaimed, every side stack empty (after the fast path gave up half-way).
    fn reset(&self) {
        self.diags.borrow_mut().clear();
        self.poison.borrow_mut().clear();
        self.top_errors.borrow_mut().clear();
        self.doc_state.borrow_mut().fill(0);
        self.items.clear();
        self.members.clear();
        self.stmts.clear();
        self.elems.clear();
        self.operands.clear();
        self.operators.clear();
        self.listed.clear();
        self.field_prescan();
    }

    /// Whether token `i` starts a declaration for recovery: `let NAME =` or `tool "…"`.
    fn starts_declaration(&self, i: usize) -> bool {
        let word = |j: usize| self.toks.get(j).is_some_and(|t| t.tok == Kind::Word);
        let tok = |j: usize| self.toks.get(j).map(|t| t.tok);
        (word(i) && self.text(i) == "let" && word(i + 1) && tok(i + 2) == Some(Kind::Eq))
            || (word(i)
                && self.text(i) == "tool"
                && matches!(tok(i + 1), Some(Kind::Str | Kind::RStr)))
    }

    /// The automaton's top-level recovery resumes at the first `;` or `let`/`tool` keyword it
    /// can; the file is better served by skipping from the error token brace-balanced
    /// through the next `;` or up to the next `let NAME =`/`tool "…"`. Where
    /// that reaches further, the error item is extended over it, and what the automaton
    /// parsed and reported in that stretch is dropped (lexical diagnostics stay).
    fn resync_at_declarations(&self, items: &mut Vec<Item>, diags: &mut Vec<Diagnostic>) {
        for &(first, at) in self.top_errors.borrow().iter() {
            let mut depth = 0u32;
            let mut end = self.end;
            for i in at..self.end {
                match self.kinds[i] {
                    K::Semi if depth == 0 => {
                        end = i + 1;
                        break;
                    }
                    K::LBrace => depth += 1,
                    K::RBrace => depth = depth.saturating_sub(1),
                    _ if depth == 0 && i > at && self.starts_declaration(i) => {
                        end = i;
                        break;
                    }
                    _ => {}
                }
            }
            let start = self.toks[first.min(self.end)].span.start;
            let Some(k) = items
                .iter()
                .position(|it| it.span.start == start && it.kind == ItemKind::Error)
            else {
                continue;
            };
            let (from, to) = (items[k].span.end, self.span(at, end).end);
            if to <= from {
                continue;
            }
            items.retain(|it| !(it.span.start >= from && it.span.end <= to));
            items[k].span.end = to;
            diags.retain(|d| {
                !(d.code.starts_with("E01")
                    && d.span.start >= from
                    && d.span.start <= to
                    && d.span.start > self.toks[at].span.start)
            });
        }
    }

    /// Remaining diagnostics: poisons no construct claimed, and misplaced doc comments (E0103).
    fn finish(&self) -> Vec<Diagnostic> {
        let mut out = self.diags.take();
        for p in self.poison.take() {
            if !p.taken {
                out.extend(p.diag);
            }
        }
        let state = self.doc_state.borrow();
        let last = self.end;
        for (k, run) in self.docs.iter().enumerate() {
            if state[k] == 1 {
                continue;
            }
            if state[k] == 2 || run.at == last {
                out.push(misplaced_doc(run.doc.span));
            } else {
                out.extend(run.lines.iter().map(|&s| misplaced_doc(s)));
            }
        }
        out
    }

    // ---- tokens and spans ---------------------------------------------------------------

    fn text(&self, i: usize) -> &'s str {
        &self.src[self.toks[i].span.range()]
    }

    /// The span of tokens `l..r`.
    pub fn span(&self, l: usize, r: usize) -> Span {
        let start = self.toks[l.min(self.toks.len() - 1)].span;
        let r = r.min(self.end);
        if r <= l {
            return Span::new(start.start as usize, start.start as usize);
        }
        start.to(self.toks[r - 1].span)
    }

    pub fn ident(&self, i: usize) -> Ident {
        Ident {
            name: Text::new(self.text(i)),
            span: self.toks[i].span,
        }
    }

    pub fn str_lit(&self, i: usize) -> StrLit {
        let (tok, raw) = (self.toks[i].tok, self.text(i));
        let value = match tok {
            Kind::Str | Kind::RStr | Kind::WStr | Kind::DStr => {
                lex::decode_text(tok, raw, !self.unterminated)
            }
            _ => Text::default(),
        };
        StrLit {
            value,
            raw: Text::new(raw),
            span: self.toks[i].span,
        }
    }

    pub fn num(&self, i: usize) -> NumLit {
        let raw = self.text(i);
        let value = match self.toks[i].tok {
            Kind::Int => NumValue::Int(lex::decode_int(raw)),
            Kind::Float => NumValue::Float(lex::decode_float(raw)),
            Kind::Inf => NumValue::Inf {
                negative: raw.starts_with('-'),
            },
            _ => NumValue::Inf { negative: false },
        };
        NumLit {
            value,
            raw: Text::new(raw),
            span: self.toks[i].span,
        }
    }

    /// How a diagnostic names token `i`.
    fn found(&self, i: usize) -> String {
        match self.toks[i].tok {
            Kind::Word => format!("`{}`", self.text(i)),
            t => t.describe().to_string(),
        }
    }

    // ---- diagnostics --------------------------------------------------------------------

    fn poison(&self, at: usize, diag: Diagnostic) {
        self.poison.borrow_mut().push(Poison {
            at,
            diag: Some(diag),
            taken: false,
        });
    }

    /// Takes the poisons inside tokens `l..r`; the earliest is the construct's diagnostic
    /// (`Some(None)`: the construct is an error already reported elsewhere).
    fn take_poison(&self, l: usize, r: usize) -> Option<Option<Diagnostic>> {
        let mut ps = self.poison.borrow_mut();
        let mut first: Option<(usize, Option<Diagnostic>)> = None;
        for p in ps
            .iter_mut()
            .filter(|p| !p.taken && p.at >= l && p.at < r.max(l + 1))
        {
            p.taken = true;
            if first.as_ref().is_none_or(|(at, _)| p.at < *at) {
                first = Some((p.at, p.diag.take()));
            }
        }
        // Taken poisons are done with: dropping them keeps every scan short.
        ps.retain(|p| !p.taken);
        first.map(|(_, d)| {
            d.map(|d| {
                if d.code == "E0107" {
                    self.outermost_too_deep(l, r, d)
                } else {
                    d
                }
            })
        })
    }

    /// A parenthesis nest is reported at its parenthesis number `MAX_DEPTH + 1` counted from
    /// the outside, where a top-down reading first exceeds the limit (the automaton, reducing
    /// bottom-up, finds the innermost one first).
    fn outermost_too_deep(&self, l: usize, r: usize, mut d: Diagnostic) -> Diagnostic {
        let mut depth = 0u32;
        for i in l..r.min(self.kinds.len()) {
            match self.kinds[i] {
                K::LParen => {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        d.span = self.toks[i].span;
                        break;
                    }
                }
                K::RParen => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        d
    }

    /// E0101 at token `i` for a construct that parsed but is not what its position needs.
    fn unexpected(&self, i: usize, context: &str) -> Diagnostic {
        if i >= self.end {
            let at = self.prev_end();
            return Diagnostic::error(
                "E0102",
                Span::new(at, at),
                format!("unexpected end of input in {context}"),
            );
        }
        // A bare meta accessor where a condition was needed: name the comparisons it lacks.
        if i > 0 && matches!(self.kinds[i - 1], K::Tags | K::Producers | K::Consumers) {
            return Diagnostic::error(
                "E0101",
                self.toks[i].span,
                format!(
                    "expected a set comparison after the meta accessor: `overlaps`, `subset of`, \
                     `superset of`, `==`, `is empty` or `is universal`, found {}",
                    self.found(i)
                ),
            );
        }
        Diagnostic::error(
            "E0101",
            self.toks[i].span,
            format!("unexpected {} in {context}", self.found(i)),
        )
    }

    /// The end of the last real token (where "unexpected end of input" points).
    fn prev_end(&self) -> usize {
        if self.end == 0 {
            0
        } else {
            self.toks[self.end - 1].span.end as usize
        }
    }

    /// E0102 "expected `}`" for a construct the input ends inside.
    fn unclosed_at_end(&self, what: &str) {
        if self.unterminated {
            return;
        }
        let at = self.prev_end();
        self.diags.borrow_mut().push(Diagnostic::error(
            "E0102",
            Span::new(at, at),
            format!("unexpected end of input: expected `}}` to close the {what}"),
        ));
    }

    /// E0101/E0102 from the LALR automaton: what it expected, phrased for the position
    /// (`expected::phrase`).
    fn syntax_error(&self, e: &ParseError<usize, K, ()>) -> Option<Diagnostic> {
        let (i, expected) = match e {
            ParseError::UnrecognizedToken {
                token: (i, _, _),
                expected,
            } => (*i, expected),
            ParseError::UnrecognizedEof { expected, .. } => (self.end, expected),
            _ => return Some(Diagnostic::error("E0101", Span::new(0, 0), "syntax error")),
        };
        let at_end = i >= self.end;
        if at_end && self.unterminated {
            return None;
        }
        let i = i.min(self.end);
        let site = Site {
            expected,
            prev: (i > 0).then(|| (self.kinds[i - 1], self.text(i - 1))),
            found: if at_end { K::End } else { self.kinds[i] },
            context: self.context_at(i),
        };
        let (what, help) = phrase(&site);
        let d = if at_end {
            let at = self.prev_end();
            Diagnostic::error(
                "E0102",
                Span::new(at, at),
                format!("unexpected end of input: expected {what}"),
            )
        } else {
            Diagnostic::error(
                "E0101",
                self.toks[i].span,
                format!("expected {what}, found {}", self.found(i)),
            )
        };
        Some(match help {
            Some(h) => d.with_help(h),
            None => d,
        })
    }

    /// The construct token `i` is in, from its first token: looking back to the `;` or `{`
    /// before it, or to a `}` that closed a block (a set literal's braces are stepped over).
    /// Bounded, as it runs once per error.
    fn context_at(&self, i: usize) -> Context {
        let floor = i.saturating_sub(1024);
        let mut j = i;
        while j > floor {
            match self.kinds[j - 1] {
                K::Semi | K::LBrace => break,
                K::RBrace => match self.opening_brace(j - 1, floor) {
                    Some(m) if m > 0 && set_literal_after(self.kinds[m - 1]) => j = m,
                    _ => break,
                },
                _ => j -= 1,
            }
        }
        match self.kinds.get(j) {
            Some(K::Let) => Context::Let,
            Some(K::Must | K::Hard | K::Should | K::Soft) => Context::Rule,
            Some(K::Priority) => Context::Priority,
            Some(K::Tool) => Context::Shorthand,
            Some(K::When) => Context::When,
            Some(K::At | K::AtResult | K::AtSession | K::Name) => Context::Update,
            _ => Context::Other,
        }
    }

    /// The `{` that the `}` at `close` closes, looking back no further than `floor`.
    fn opening_brace(&self, close: usize, floor: usize) -> Option<usize> {
        let mut depth = 0u32;
        for m in (floor..close).rev() {
            match self.kinds[m] {
                K::RBrace => depth += 1,
                K::LBrace if depth == 0 => return Some(m),
                K::LBrace => depth -= 1,
                _ => {}
            }
        }
        None
    }

    /// The diagnostic of a recovered error node over `l..r`: the earliest of its poisons and
    /// the automaton's error (one report per construct).
    fn error_node(&self, l: usize, e: &Recovery, r: usize) {
        // Doc comments from the error on, in what recovery skipped, are not reported.
        let syn_at = match &e.error {
            ParseError::UnrecognizedToken {
                token: (i, _, _), ..
            } => *i,
            _ => usize::MAX,
        };
        {
            let mut state = self.doc_state.borrow_mut();
            let (from, to) = (syn_at.max(l + 1), r.min(self.end));
            if from < to {
                let first = self.docs.partition_point(|d| d.at < from);
                let last = self.docs.partition_point(|d| d.at < to);
                for st in &mut state[first..last] {
                    if *st == 0 {
                        *st = 1;
                    }
                }
            }
        }
        let syn = self.syntax_error(&e.error);
        let first_poison = {
            let ps = self.poison.borrow();
            ps.iter()
                .filter(|p| !p.taken && p.at >= l && p.at < r.max(l + 1))
                .map(|p| p.at)
                .min()
        };
        let poisoned = self.take_poison(l, r.max(syn_at.saturating_add(1)));
        match (poisoned, first_poison) {
            (Some(p), Some(at)) if at <= syn_at => self.diags.borrow_mut().extend(p),
            _ => self.diags.borrow_mut().extend(syn),
        }
    }

    /// The index of the doc run before token `i`, if there is one.
    fn doc_run(&self, i: usize) -> Option<usize> {
        if self.doc_marks.get(i / 64)? & (1 << (i % 64)) == 0 {
            return None;
        }
        let k = self.docs.partition_point(|d| d.at < i);
        (self.docs.get(k)?.at == i).then_some(k)
    }

    fn claim_docs(&self, i: usize) -> Option<Doc> {
        let k = self.doc_run(i)?;
        self.doc_state.borrow_mut()[k] = 1;
        Some(self.docs[k].doc.clone())
    }

    fn dangle(&self, i: usize) {
        if let Some(k) = self.doc_run(i) {
            self.doc_state.borrow_mut()[k] = 2;
        }
    }

    fn too_deep(&self, at: usize) -> Cv {
        let d = Diagnostic::error(
            "E0107",
            self.toks[at].span,
            format!("nesting too deep (more than {MAX_DEPTH} levels)"),
        )
        .with_help("split the expression into named `let`s");
        self.poison(at, d);
        Cv {
            kind: CvKind::Bad,
            l: at,
            r: at + 1,
            h: 1,
        }
    }

    /// A node of height `h`, or E0107 at token `at` if that is too high.
    fn node(&self, kind: CvKind, l: usize, r: usize, h: u32, at: usize) -> Cv {
        if h > MAX_DEPTH {
            let mut bad = self.too_deep(at);
            (bad.l, bad.r) = (l, r);
            return bad;
        }
        Cv { kind, l, r, h }
    }

    /// A predicate position: the cover as a predicate, or an error reported at its token.
    pub fn to_pred(&self, c: Cv) -> Pred {
        if let Err(Fail::At(i)) = c.pred_check() {
            self.poison(i, self.unexpected(i, "a condition"));
            return Pred {
                kind: PredKind::Error,
                span: self.span(c.l, c.r),
            };
        }
        c.into_pred(self)
    }

    pub fn to_set(&self, c: Cv) -> SetExpr {
        if let Err(Fail::At(i)) = c.set_check() {
            self.poison(i, self.unexpected(i, "a set expression"));
            return SetExpr {
                kind: SetKind::Error,
                span: self.span(c.l, c.r),
            };
        }
        c.into_set(self)
    }
}

/// Whether a `{` after this terminal opens a set literal (not a policy or block).
fn set_literal_after(k: K) -> bool {
    matches!(
        k,
        K::Eq
            | K::EqEq
            | K::LParen
            | K::Comma
            | K::In
            | K::Of
            | K::Overlaps
            | K::Pipe
            | K::Amp
            | K::Minus
            | K::Caret
            | K::PipeEq
            | K::AmpEq
            | K::MinusEq
            | K::CaretEq
            | K::Union
            | K::Intersect
            | K::Xor
            | K::MinusKw
    )
}

fn misplaced_doc(span: Span) -> Diagnostic {
    Diagnostic::error("E0103", span, "doc comment is not followed by a declaration, member or statement").with_help(
        "doc comments (`///`) document the `let`, `tool`, member or statement right after them; use `//` for an ordinary comment",
    )
}

#[cfg(test)]
mod tests {
    use super::parse;
    use crate::ast::*;

    fn literal_values(s: &SetExpr) -> Vec<&str> {
        match &s.kind {
            SetKind::Literal(es) => es
                .iter()
                .map(|e| match &e.kind {
                    ElementKind::Str(l) => l.value.as_str(),
                    _ => "?",
                })
                .collect(),
            _ => vec!["not a literal"],
        }
    }

    /// Recovery abandons half-built lists (elements, statements, members) on the `Pending`
    /// stacks; every list after them must still get exactly its own entries.
    #[test]
    fn lists_after_recovery_take_only_their_own_entries() {
        let src = r#"let a = {"x", "y" "z"};
tool "t" { result { @tags |= {"p", "q" ; } hard deny always; }
let b = {"c"};
tool "u" { priority 1; hard deny when x.value in {"d", "e"}; }
"#;
        let parsed = parse(src);
        assert!(parsed.has_errors());
        let items = &parsed.program.items;
        let b = items
            .iter()
            .find_map(|it| match &it.kind {
                ItemKind::Let(l) if l.name.name == "b" => Some(l),
                _ => None,
            })
            .expect("`let b` parses after the broken declarations");
        let LetValue::Set(set) = &b.value else {
            panic!("`b` is a set: {:?}", b.value)
        };
        assert_eq!(literal_values(set), ["c"]);
        let u = items
            .iter()
            .find_map(|it| match &it.kind {
                ItemKind::Policy(p) if p.id.lit().value == "u" => Some(p),
                _ => None,
            })
            .expect("policy `u` parses");
        assert_eq!(u.members.len(), 2);
        let MemberKind::Rule(rule) = &u.members[1].kind else {
            panic!("second member is the rule")
        };
        let Some(Pred {
            kind: PredKind::In { set, .. },
            ..
        }) = &rule.cond
        else {
            panic!("the rule's condition is `x.value in {{…}}`")
        };
        assert_eq!(literal_values(set), ["d", "e"]);
    }
}
