//! Stage `parse`: tokens → `ast::Program` with syntax diagnostics (sqrt.md §3).
//!
//! A hand-written recursive-descent parser. §3.2 decides whether a word is a keyword by
//! looking up to two tokens ahead, and §3.2(d) classifies a let's right-hand side as "a
//! predicate if it parses as one, else a set": both are direct in recursive descent (the
//! second is one bounded backtrack), while an LALR grammar would need a context-sensitive
//! token-rewriting pass that duplicates the grammar. Errors are recovered at `;` and `}`, so
//! one run reports every broken declaration, member and statement.
//!
//! Nesting is bounded: no tree deeper than `MAX_DEPTH` is built (E0107), so neither this
//! parser nor the later recursive passes (checker, formatter, `Drop`) can overflow the stack.

mod expr;
mod lalr;
pub use lalr::parse_lalr;

use crate::ast::*;
use crate::diag::{Diagnostic, Span};
use crate::lex::{self, Tok, Token};

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
pub fn parse(src: &str) -> Parsed {
    let lexed = lex::lex(src);
    let mut p = Parser {
        src,
        toks: lexed.tokens,
        pos: 0,
        diags: lexed.diagnostics,
        unterminated: lexed.unterminated,
        depth: 0,
        prev_end: 0,
    };
    let items = p.program();
    let mut diagnostics = p.diags;
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
    diagnostics.dedup_by(|a, b| a.code == b.code && a.span == b.span);
    Parsed {
        program: Program {
            items,
            comments: lexed.comments,
            span: Span::new(0, src.len()),
        },
        diagnostics,
    }
}

/// Errors are boxed: they are rare, and a small `Result` keeps the recursive functions' frames
/// small.
type PResult<T> = Result<T, Box<Diagnostic>>;

/// `with_help` on a boxed diagnostic, without unboxing.
trait WithHelp {
    fn with_help(self, help: &str) -> Self;
}

impl WithHelp for Box<Diagnostic> {
    fn with_help(mut self, help: &str) -> Self {
        self.help = Some(help.to_string());
        self
    }
}

struct Parser<'s> {
    src: &'s str,
    toks: Vec<Token>,
    /// Index of the next token; it may rest on doc comments that `take_docs` has not taken.
    pos: usize,
    diags: Vec<Diagnostic>,
    unterminated: bool,
    /// Current recursion depth of `pred`/`set_expr` (see `MAX_DEPTH`).
    depth: u32,
    /// End of the last consumed token.
    prev_end: usize,
}

/// A saved parser position for bounded backtracking.
struct Mark {
    pos: usize,
    diags: usize,
    prev_end: usize,
}

impl<'s> Parser<'s> {
    // ---- token access -------------------------------------------------------------------

    /// Index of the `k`-th token from `pos`, not counting doc comments.
    fn index(&self, k: usize) -> usize {
        let mut i = self.pos;
        let mut left = k;
        loop {
            if i >= self.toks.len() - 1 {
                return self.toks.len() - 1;
            }
            if !matches!(self.toks[i].tok, Tok::Doc(_)) {
                if left == 0 {
                    return i;
                }
                left -= 1;
            }
            i += 1;
        }
    }

    fn nth(&self, k: usize) -> &Token {
        &self.toks[self.index(k)]
    }

    fn peek(&self) -> &Token {
        self.nth(0)
    }

    fn at(&self, tok: &Tok) -> bool {
        &self.peek().tok == tok
    }

    fn at_eof(&self) -> bool {
        self.at(&Tok::Eof)
    }

    fn text(&self, t: &Token) -> &'s str {
        self.span_text(t.span)
    }

    fn span_text(&self, span: Span) -> &'s str {
        &self.src[span.range()]
    }

    /// Whether the `k`-th token is the word `w`.
    fn is_word(&self, k: usize, w: &str) -> bool {
        let t = self.nth(k);
        t.tok == Tok::Word && self.text(t) == w
    }

    /// The `k`-th token's text if it is a word.
    fn word(&self, k: usize) -> Option<&'s str> {
        let t = self.nth(k);
        (t.tok == Tok::Word).then(|| self.text(t))
    }

    /// §3.2(a): a word followed by `.value` or `.` is an argument, whatever its spelling.
    fn is_argument(&self, k: usize) -> bool {
        self.nth(k).tok == Tok::Word && matches!(self.nth(k + 1).tok, Tok::Dot | Tok::DotValue)
    }

    /// Whether the `k`-th token is the keyword `w` (a word that is not an argument).
    fn is_kw(&self, k: usize, w: &str) -> bool {
        self.is_word(k, w) && !self.is_argument(k)
    }

    /// Consumes the next token and returns its span; doc comments skipped on the way are
    /// misplaced (E0103).
    fn bump(&mut self) -> Span {
        let i = self.index(0);
        for j in self.pos..i {
            let span = self.toks[j].span;
            self.misplaced_doc(span);
        }
        let span = self.toks[i].span;
        if self.toks[i].tok != Tok::Eof {
            self.pos = i + 1;
            self.prev_end = span.end as usize;
        } else {
            self.pos = i;
        }
        span
    }

    fn eat(&mut self, tok: &Tok) -> Option<Span> {
        self.at(tok).then(|| self.bump())
    }

    fn eat_kw(&mut self, w: &str) -> Option<Span> {
        self.is_kw(0, w).then(|| self.bump())
    }

    fn expect(&mut self, tok: &Tok, what: &str) -> PResult<Span> {
        match self.eat(tok) {
            Some(t) => Ok(t),
            None => Err(self.expected(what)),
        }
    }

    fn expect_kw(&mut self, w: &str, what: &str) -> PResult<Span> {
        match self.eat_kw(w) {
            Some(s) => Ok(s),
            None => Err(self.expected(what)),
        }
    }

    fn ident(&mut self, what: &str) -> PResult<Ident> {
        if self.at(&Tok::Word) {
            let span = self.bump();
            Ok(Ident {
                name: self.span_text(span).to_string(),
                span,
            })
        } else {
            Err(self.expected(what))
        }
    }

    fn mark(&self) -> Mark {
        Mark {
            pos: self.pos,
            diags: self.diags.len(),
            prev_end: self.prev_end,
        }
    }

    fn reset(&mut self, m: &Mark) {
        self.pos = m.pos;
        self.diags.truncate(m.diags);
        self.prev_end = m.prev_end;
    }

    // ---- diagnostics --------------------------------------------------------------------

    /// E0101 (or E0102 at the end of the input): "expected WHAT, found …".
    fn expected(&self, what: &str) -> Box<Diagnostic> {
        let t = self.peek();
        if t.tok == Tok::Eof {
            let at = self.prev_end;
            Box::new(Diagnostic::error(
                "E0102",
                Span::new(at, at),
                format!("unexpected end of input: expected {what}"),
            ))
        } else {
            let found = match t.tok {
                Tok::Word => format!("`{}`", self.text(t)),
                ref other => other.describe().to_string(),
            };
            Box::new(Diagnostic::error(
                "E0101",
                t.span,
                format!("expected {what}, found {found}"),
            ))
        }
    }

    #[allow(
        clippy::boxed_local,
        reason = "takes the boxed errors the parse functions return"
    )]
    fn report(&mut self, d: Box<Diagnostic>) {
        // A string or comment that ran to the end already explains the missing rest.
        if d.code == "E0102" && self.unterminated {
            return;
        }
        self.diags.push(*d);
    }

    fn misplaced_doc(&mut self, span: Span) {
        self.diags.push(
            Diagnostic::error("E0103", span, "doc comment is not followed by a declaration, member or statement")
                .with_help("doc comments (`///`) document the `let`, `tool`, member or statement right after them; use `//` for an ordinary comment"),
        );
    }

    /// E0107 when `height` exceeds the limit.
    fn check_height(&self, height: u32, span: Span) -> PResult<()> {
        if height > MAX_DEPTH {
            Err(too_deep(span))
        } else {
            Ok(())
        }
    }

    /// Enters one level of recursion (`pred`, `set_expr`); pair with `leave`.
    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            self.depth -= 1;
            return Err(too_deep(self.peek().span));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    // ---- recovery -----------------------------------------------------------------------

    /// Skips the rest of a broken declaration, member or statement: through the next `;` or
    /// brace-balanced `{…}` at this level, stopping before a `}` that closes the enclosing
    /// block, or (when `at_top` and something was skipped) before the next `let`/`tool`.
    fn recover(&mut self, started: usize, at_top: bool) {
        let mut depth = 0u32;
        loop {
            let t = self.peek().tok.clone();
            match t {
                Tok::Eof => return,
                Tok::Semi if depth == 0 => {
                    self.bump_quiet();
                    return;
                }
                Tok::LBrace => depth += 1,
                // At the top level a `}` closes nothing: skip it.
                Tok::RBrace if depth == 0 && !at_top => return,
                Tok::RBrace if depth == 0 => {}
                Tok::RBrace => {
                    depth -= 1;
                    // Inside a policy, a broken member may own a whole block (`session x {…}`);
                    // a `{…}` followed by `;` was a set literal in a broken statement.
                    if depth == 0 && !at_top {
                        self.bump_quiet();
                        if self.at(&Tok::Semi) {
                            self.bump_quiet();
                        }
                        return;
                    }
                }
                _ if depth == 0 && self.pos > started && self.starts_declaration() => return,
                _ => {}
            }
            self.bump_quiet();
        }
    }

    /// Consumes a token without reporting skipped doc comments (used while recovering).
    fn bump_quiet(&mut self) {
        let i = self.index(0);
        if self.toks[i].tok != Tok::Eof {
            self.prev_end = self.toks[i].span.end as usize;
            self.pos = i + 1;
        } else {
            self.pos = i;
        }
    }

    /// `let NAME =` or `tool "…"`/`tool r"…"`.
    fn starts_declaration(&self) -> bool {
        (self.is_word(0, "let") && self.nth(1).tok == Tok::Word && self.nth(2).tok == Tok::Eq)
            || (self.is_word(0, "tool") && matches!(self.nth(1).tok, Tok::Str(_) | Tok::RStr(_)))
    }

    // ---- documentation comments ---------------------------------------------------------

    /// Takes the doc comments at the current position, joined as sqrt.md §2 says.
    fn take_docs(&mut self) -> Option<Doc> {
        let mut doc: Option<Doc> = None;
        while let Tok::Doc(line) = &self.toks[self.pos].tok {
            let span = self.toks[self.pos].span;
            match &mut doc {
                Some(d) => {
                    d.text.push('\n');
                    d.text.push_str(line);
                    d.span = d.span.to(span);
                }
                None => {
                    doc = Some(Doc {
                        text: line.clone(),
                        span,
                    })
                }
            }
            self.pos += 1;
        }
        doc
    }

    fn dangling(&mut self, docs: Option<Doc>) {
        if let Some(d) = docs {
            self.misplaced_doc(d.span);
        }
    }

    // ---- declarations -------------------------------------------------------------------

    fn program(&mut self) -> Vec<Item> {
        let mut items = Vec::new();
        loop {
            let docs = self.take_docs();
            if self.at_eof() {
                self.dangling(docs);
                return items;
            }
            let started = self.pos;
            let start = self.peek().span;
            match self.item() {
                Ok((kind, span)) => items.push(Item { docs, kind, span }),
                Err(d) => {
                    self.report(d);
                    self.recover(started, true);
                    items.push(Item {
                        docs,
                        kind: ItemKind::Error,
                        span: start.to(Span::new(self.prev_end, self.prev_end)),
                    });
                }
            }
        }
    }

    fn item(&mut self) -> PResult<(ItemKind, Span)> {
        if self.is_word(0, "let") {
            let start = self.bump();
            let name = self.ident("a name after `let`")?;
            self.expect(&Tok::Eq, "`=` after the let name")?;
            let value = self.let_value()?;
            let end = self
                .expect(&Tok::Semi, "`;` after the let")
                .map_err(|d| d.with_help("end the let with `;`"))?;
            let span = start.to(end);
            Ok((ItemKind::Let(LetDecl { name, value, span }), span))
        } else if self.is_word(0, "tool") {
            self.tool()
        } else if self.at(&Tok::RBrace) {
            Err(self
                .expected("`let` or `tool`")
                .with_help("this `}` closes no block; remove it"))
        } else {
            Err(self.expected("a declaration (`let` or `tool`)"))
        }
    }

    fn tool(&mut self) -> PResult<(ItemKind, Span)> {
        let start = self.bump();
        let id = match self.peek().tok.clone() {
            Tok::Str(value) => ToolId::Exact(self.str_lit(value)),
            Tok::RStr(value) => ToolId::Regex(self.str_lit(value)),
            _ => return Err(self.expected("the tool id: a string `\"name\"` or a regex `r\"…\"`")),
        };
        if self.at(&Tok::LBrace) {
            let (members, end) = self.policy_body();
            let span = start.to(end);
            return Ok((ItemKind::Policy(Policy { id, members, span }), span));
        }
        if !matches!(self.peek().tok, Tok::LBracket | Tok::Arrow) {
            return Err(self.expected("`{` to open the policy, or `->` for a shorthand update"));
        }
        let priority = if self.eat(&Tok::LBracket).is_some() {
            let n = match self.peek().tok {
                Tok::Int(_) => self.number()?,
                _ => return Err(self.expected("an integer priority inside `[…]`")),
            };
            self.expect(&Tok::RBracket, "`]` after the priority")?;
            Some(n)
        } else {
            None
        };
        self.expect(&Tok::Arrow, "`->` before the shorthand update")?;
        let target = if self.eat_kw("result").is_some() {
            ShorthandTarget::Result
        } else if self.eat_kw("session").is_some() {
            if self.eat_kw("before").is_some() {
                ShorthandTarget::SessionBefore
            } else if self.eat_kw("after").is_some() {
                ShorthandTarget::SessionAfter
            } else {
                ShorthandTarget::Session
            }
        } else {
            ShorthandTarget::Implicit
        };
        if !self.at(&Tok::At) {
            return Err(self
                .expected("`@` and a meta field (`@tags`, `@producers` or `@consumers`)")
                .with_help("a shorthand updates the block's own meta, e.g. `tool \"t\" -> @tags |= {\"x\"};`"));
        }
        let at = self.bump();
        let (field, field_span) = self.field()?;
        let field_span = at.to(field_span);
        let op = self.assign_op()?;
        let (value, _) = self.set_expr()?;
        let cond = if self.eat_kw("when").is_some() {
            Some(self.pred()?.0)
        } else {
            None
        };
        let end = self.expect(
            &Tok::Semi,
            if cond.is_some() {
                "`;` after the condition"
            } else {
                "`when` or `;` after the update"
            },
        )?;
        let span = start.to(end);
        Ok((
            ItemKind::Shorthand(Shorthand {
                id,
                priority,
                target,
                field,
                field_span,
                op,
                value,
                cond,
                span,
            }),
            span,
        ))
    }

    /// `{ { docs member } }`; errors inside are reported and recovered here.
    fn policy_body(&mut self) -> (Vec<Member>, Span) {
        self.bump();
        let mut members = Vec::new();
        loop {
            let before_docs = self.pos;
            let docs = self.take_docs();
            if let Some(t) = self.eat(&Tok::RBrace) {
                self.dangling(docs);
                return (members, t);
            }
            // A `tool "…"` or `let x =` here starts the next declaration: the `}` is missing,
            // and the doc comments belong to that declaration.
            if self.at_eof() || self.starts_declaration() {
                if self.at_eof() {
                    self.dangling(docs);
                } else {
                    self.pos = before_docs;
                }
                let d = self.expected("`}` to close the policy");
                self.report(d);
                return (members, Span::new(self.prev_end, self.prev_end));
            }
            let started = self.pos;
            let start = self.peek().span;
            match self.member() {
                Ok((kind, span)) => members.push(Member { docs, kind, span }),
                Err(d) => {
                    self.report(d);
                    self.recover(started, false);
                    let span = start.to(Span::new(self.prev_end, self.prev_end));
                    members.push(Member {
                        docs,
                        kind: MemberKind::Error,
                        span,
                    });
                }
            }
        }
    }

    fn member(&mut self) -> PResult<(MemberKind, Span)> {
        let Some(w) = self.word(0) else {
            return Err(self.member_expected());
        };
        match w {
            "priority" => {
                let start = self.bump();
                let n = match self.peek().tok {
                    Tok::Int(_) => self.number()?,
                    _ => return Err(self.expected("an integer after `priority`")),
                };
                let end = self.expect(&Tok::Semi, "`;` after the priority")?;
                Ok((MemberKind::Priority(n), start.to(end)))
            }
            "must" | "hard" | "should" | "soft" => {
                let start = self.bump();
                let level = match w {
                    "must" => Level::Must,
                    "hard" => Level::Hard,
                    "should" => Level::Should,
                    _ => Level::Soft,
                };
                let effect = if self.eat_kw("allow").is_some() {
                    Effect::Allow
                } else if self.eat_kw("deny").is_some() {
                    Effect::Deny
                } else {
                    return Err(self.expected(&format!("`allow` or `deny` after `{w}`")));
                };
                let cond = if self.eat_kw("when").is_some() {
                    Some(self.pred()?.0)
                } else if self.eat_kw("always").is_some() {
                    None
                } else {
                    return Err(self.expected("`when` and a condition, or `always`"));
                };
                let end = self
                    .expect(&Tok::Semi, "`;` after the rule")
                    .map_err(|d| d.with_help("end each rule with `;`"))?;
                let span = start.to(end);
                Ok((
                    MemberKind::Rule(Rule {
                        level,
                        effect,
                        cond,
                        span,
                    }),
                    span,
                ))
            }
            "result" => {
                let start = self.bump();
                let block = self.block()?;
                let span = start.to(block.span);
                Ok((MemberKind::Result(block), span))
            }
            "session" => {
                let start = self.bump();
                let before = if self.eat_kw("before").is_some() {
                    true
                } else if self.eat_kw("after").is_some() {
                    false
                } else {
                    return Err(self.expected("`before` or `after` after `session`"));
                };
                let block = self.block()?;
                let span = start.to(block.span);
                Ok((
                    if before {
                        MemberKind::SessionBefore(block)
                    } else {
                        MemberKind::SessionAfter(block)
                    },
                    span,
                ))
            }
            _ => Err(self.member_expected()),
        }
    }

    fn member_expected(&self) -> Box<Diagnostic> {
        self.expected("a member: `priority`, a rule (`must`, `hard`, `should` or `soft`), `result` or `session`")
            .with_help("a rule reads `hard deny when <condition>;` or `soft allow always;`")
    }

    /// `{ { docs stmt } }`; errors inside are reported and recovered here.
    fn block(&mut self) -> PResult<Block> {
        let open = self.expect(&Tok::LBrace, "`{` to open the block")?;
        let mut stmts = Vec::new();
        loop {
            let docs = self.take_docs();
            if let Some(t) = self.eat(&Tok::RBrace) {
                self.dangling(docs);
                return Ok(Block {
                    stmts,
                    span: open.to(t),
                });
            }
            if self.at_eof() {
                self.dangling(docs);
                let d = self.expected("`}` to close the block");
                self.report(d);
                return Ok(Block {
                    stmts,
                    span: open.to(Span::new(self.prev_end, self.prev_end)),
                });
            }
            let started = self.pos;
            let start = self.peek().span;
            match self.stmt() {
                Ok((kind, span)) => stmts.push(Stmt { docs, kind, span }),
                Err(d) => {
                    self.report(d);
                    self.recover(started, false);
                    let span = start.to(Span::new(self.prev_end, self.prev_end));
                    stmts.push(Stmt {
                        docs,
                        kind: StmtKind::Error,
                        span,
                    });
                }
            }
        }
    }

    fn stmt(&mut self) -> PResult<(StmtKind, Span)> {
        let Some(start) = self.eat_kw("when") else {
            let u = self.update()?;
            let end = self.expect(&Tok::Semi, "`;` after the update")?;
            let span = u.span.to(end);
            return Ok((StmtKind::Update(u), span));
        };
        let (cond, _) = self.pred()?;
        self.expect(&Tok::LBrace, "`{` after the `when` condition")?;
        let mut updates = Vec::new();
        loop {
            if let Some(t) = self.eat(&Tok::RBrace) {
                return Ok((StmtKind::When { cond, updates }, start.to(t)));
            }
            if self.at_eof() {
                let d = self.expected("`}` to close the `when` block");
                self.report(d);
                return Ok((
                    StmtKind::When { cond, updates },
                    start.to(Span::new(self.prev_end, self.prev_end)),
                ));
            }
            if self.is_kw(0, "when") {
                let inner = self.peek().span;
                self.report(Box::new(
                    Diagnostic::error("E0106", inner, "`when` blocks do not nest")
                        .with_help("combine the conditions instead: `when P and Q { … }`"),
                ));
                self.skip_nested_when();
                continue;
            }
            let started = self.pos;
            match self
                .update()
                .and_then(|u| self.expect(&Tok::Semi, "`;` after the update").map(|_| u))
            {
                Ok(u) => updates.push(u),
                Err(d) => {
                    self.report(d);
                    self.recover(started, false);
                }
            }
        }
    }

    /// Skips a nested `when P { … }` (already reported as E0106) without recursion.
    fn skip_nested_when(&mut self) {
        let mut depth = 0u32;
        loop {
            match self.peek().tok {
                Tok::Eof => return,
                Tok::LBrace => depth += 1,
                Tok::RBrace if depth <= 1 => {
                    if depth == 1 {
                        self.bump_quiet();
                    }
                    return;
                }
                Tok::RBrace => depth -= 1,
                _ => {}
            }
            self.bump_quiet();
        }
    }

    fn update(&mut self) -> PResult<Update> {
        let start = self.peek().span;
        let target = match self.peek().tok {
            Tok::At => {
                self.bump();
                let (f, fs) = self.field()?;
                Target::At(f, start.to(fs))
            }
            Tok::AtResult | Tok::AtSession => {
                let result = self.peek().tok == Tok::AtResult;
                self.bump();
                self.expect(&Tok::Dot, "`.` and a meta field")?;
                let (f, fs) = self.field()?;
                if result {
                    Target::Result(f, start.to(fs))
                } else {
                    Target::Session(f, start.to(fs))
                }
            }
            Tok::Word if self.nth(1).tok == Tok::Dot => {
                let name = self.ident("an argument name")?;
                self.bump();
                let (f, fs) = self.field()?;
                Target::Arg(name, f, start.to(fs))
            }
            _ => {
                return Err(self
                    .expected("an update such as `@tags |= {\"x\"};`, or `when`")
                    .with_help("update targets are `@tags`, `@producers`, `@consumers`, `@result.F` and `@session.F`"));
            }
        };
        let op = self.assign_op()?;
        let (value, _) = self.set_expr()?;
        let span = start.to(value.span);
        Ok(Update {
            target,
            op,
            value,
            span,
        })
    }

    fn assign_op(&mut self) -> PResult<AssignOp> {
        let op = match self.peek().tok {
            Tok::Eq => AssignOp::Set,
            Tok::PipeEq => AssignOp::Union,
            Tok::AmpEq => AssignOp::Intersect,
            Tok::MinusEq => AssignOp::Minus,
            Tok::CaretEq => AssignOp::Xor,
            _ => return Err(self.expected("an assignment: `=`, `|=`, `&=`, `-=` or `^=`")),
        };
        self.bump();
        Ok(op)
    }

    /// A meta field name after `@` or `.` (E0105 for an unknown word).
    fn field(&mut self) -> PResult<(Field, Span)> {
        let Some(w) = self.word(0) else {
            return Err(self.expected("a meta field: `tags`, `producers` or `consumers`"));
        };
        let f = match w {
            "tags" => Field::Tags,
            "producers" => Field::Producers,
            "consumers" => Field::Consumers,
            _ => {
                return Err(Box::new(
                    Diagnostic::error(
                        "E0105",
                        self.peek().span,
                        format!("unknown meta field `{w}`"),
                    )
                    .with_help(if w == "value" {
                        "write `.value` with no space after the `.`"
                    } else {
                        "the meta fields are `tags`, `producers` and `consumers`"
                    }),
                ));
            }
        };
        Ok((f, self.bump()))
    }

    fn str_lit(&mut self, value: String) -> StrLit {
        let span = self.bump();
        StrLit {
            value,
            raw: self.span_text(span).to_string(),
            span,
        }
    }
}

fn too_deep(span: Span) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::error(
            "E0107",
            span,
            format!("nesting too deep (more than {MAX_DEPTH} levels)"),
        )
        .with_help("split the expression into named `let`s"),
    )
}
