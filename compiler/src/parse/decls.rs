//! The grammar actions that build declarations, members, blocks and statements, with their
//! docs, error nodes and recovery diagnostics.

use lalrpop_util::ParseError;

use super::classify::BadField;
use super::cover::{Cv, Fail, Rhs};
use super::{Cx, K, Recovery};

/// A broken member or statement before a closing `}` (boxed by the grammar, see `ErrTail`).
type Tail = Option<Box<(usize, Recovery, usize)>>;
use crate::ast::*;
use crate::diag::Diagnostic;

impl Cx<'_> {
    fn item(&self, l: usize, kind: ItemKind, r: usize) -> Item {
        let kind = if self
            .take_poison(l, r)
            .map(|d| self.diags.borrow_mut().extend(d))
            .is_some()
        {
            ItemKind::Error
        } else {
            kind
        };
        Item {
            docs: self.claim_docs(l),
            kind,
            span: self.span(l, r),
        }
    }

    pub fn let_item(&self, l: usize, name: Ident, value: LetValue, r: usize) -> Item {
        let span = self.span(l, r);
        self.item(l, ItemKind::Let(LetDecl { name, value, span }), r)
    }

    /// A let's right-hand side as the grammar parsed it, classified.
    pub fn let_rhs(&self, rhs: Rhs) -> LetValue {
        match rhs {
            Rhs::Domain(d) => LetValue::Domain(d),
            Rhs::Cover(c) => self.let_value(c),
        }
    }

    /// §3.2(d) on a parsed cover: alias, else predicate if it is one, else set; when it is
    /// neither, the reading that got further names the error.
    fn let_value(&self, c: Cv) -> LetValue {
        if let Some((target, parens)) = c.alias() {
            return LetValue::Alias { target, parens };
        }
        let pred = c.pred_check();
        if pred.is_ok() {
            return LetValue::Pred(c.into_pred(self));
        }
        // `not` is always negation, so such a right-hand side is a predicate.
        if self.kinds[c.l] == K::Not {
            return LetValue::Pred(self.to_pred(c));
        }
        match (pred, c.set_check()) {
            (_, Ok(())) => LetValue::Set(c.into_set(self)),
            (Err(Fail::At(p)), Err(Fail::At(s))) => {
                let i = if p > s { p } else { s };
                self.poison(i, self.unexpected(i, "the let's right-hand side"));
                LetValue::Set(SetExpr {
                    kind: SetKind::Error,
                    span: self.span(c.l, c.r),
                })
            }
            _ => LetValue::Set(SetExpr {
                kind: SetKind::Error,
                span: self.span(c.l, c.r),
            }),
        }
    }

    pub fn policy_item(
        &self,
        l: usize,
        id: ToolId,
        body: (Vec<Member>, usize, bool),
        r: usize,
    ) -> Item {
        let r = body.1.min(r);
        let span = self.span(l, r);
        self.item(
            l,
            ItemKind::Policy(Policy {
                id,
                members: body.0,
                span,
            }),
            r,
        )
    }

    #[allow(clippy::too_many_arguments)]
    pub fn shorthand_item(
        &self,
        l: usize,
        id: ToolId,
        priority: Option<NumLit>,
        target: ShorthandTarget,
        field: Field,
        op: AssignOp,
        value: Box<SetExpr>,
        cond: Option<Pred>,
        r: usize,
    ) -> Item {
        // `@` is the token after `->` and the optional target words.
        let at = (l..r).find(|&i| self.kinds[i] == K::At).unwrap_or(l);
        let field_span = self.span(at, at + 2);
        let span = self.span(l, r);
        self.item(
            l,
            ItemKind::Shorthand(Box::new(Shorthand {
                id,
                priority,
                target,
                field,
                field_span,
                op,
                value,
                cond,
                span,
            })),
            r,
        )
    }

    /// A broken declaration: remembers where the error was, for `resync_at_declarations`.
    pub fn top_error_item(&self, l: usize, e: Recovery, r: usize) -> Item {
        if let ParseError::UnrecognizedToken {
            token: (at, _, _), ..
        } = e.error
        {
            self.top_errors.borrow_mut().push((l, at));
        }
        self.error_item(l, e, r)
    }

    pub fn error_item(&self, l: usize, e: Recovery, r: usize) -> Item {
        self.error_node(l, &e, r);
        Item {
            docs: self.claim_docs(l),
            kind: ItemKind::Error,
            span: self.span(l, r),
        }
    }

    pub fn body(
        &self,
        mut ms: Vec<Member>,
        tail: Tail,
        close: usize,
    ) -> (Vec<Member>, usize, bool) {
        if let Some((l, e, r)) = tail.map(|t| *t) {
            ms.push(self.error_member(l, e, r));
        }
        self.dangle(close);
        (ms, close + 1, true)
    }

    /// A policy whose `}` is missing before the next declaration or the end: its members so
    /// far, and an error member for what the recovery skipped inside it.
    pub fn unclosed(
        &self,
        mut ms: Vec<Member>,
        l: usize,
        e: Recovery,
        r: usize,
    ) -> (Vec<Member>, usize, bool) {
        let at = match e.error {
            ParseError::UnrecognizedToken {
                token: (i, _, _), ..
            } => i,
            _ => self.end,
        };
        if l < at {
            ms.push(self.error_member(l, e, at.min(r)));
        } else {
            self.diags.borrow_mut().extend(self.syntax_error(&e.error));
        }
        if r >= self.end {
            self.unclosed_at_end("policy");
        }
        (ms, r, false)
    }

    pub fn unclosed_block(&self, l: usize, ss: Vec<Stmt>, tail: Tail, end: usize) -> Block {
        let b = self.block(l, ss, tail, end, end);
        self.unclosed_at_end("block");
        b
    }

    pub fn when_unclosed(
        &self,
        l: usize,
        c: Cv,
        us: Vec<Option<Box<Update>>>,
        tail: Tail,
        end: usize,
    ) -> Stmt {
        let s = self.when_stmt(l, c, us, tail, end);
        self.unclosed_at_end("`when` block");
        s
    }

    fn member_of(&self, l: usize, kind: MemberKind, r: usize) -> Member {
        let kind = if self
            .take_poison(l, r)
            .map(|d| self.diags.borrow_mut().extend(d))
            .is_some()
        {
            MemberKind::Error
        } else {
            kind
        };
        Member {
            docs: self.claim_docs(l),
            kind,
            span: self.span(l, r),
        }
    }

    pub fn member(&self, l: usize, kind: MemberKind, r: usize) -> Member {
        self.member_of(l, kind, r)
    }

    pub fn rule(
        &self,
        l: usize,
        level: Level,
        effect: Effect,
        cond: Option<Pred>,
        r: usize,
    ) -> Member {
        let span = self.span(l, r);
        self.member_of(
            l,
            MemberKind::Rule(Rule {
                level,
                effect,
                cond,
                span,
            }),
            r,
        )
    }

    pub fn error_member(&self, l: usize, e: Recovery, r: usize) -> Member {
        self.error_node(l, &e, r);
        Member {
            docs: self.claim_docs(l),
            kind: MemberKind::Error,
            span: self.span(l, r),
        }
    }

    pub fn block(&self, l: usize, mut ss: Vec<Stmt>, tail: Tail, close: usize, r: usize) -> Block {
        if let Some((tl, e, tr)) = tail.map(|t| *t) {
            ss.push(self.error_stmt(tl, e, tr));
        }
        self.dangle(close);
        Block {
            stmts: ss,
            span: self.span(l, r),
        }
    }

    fn stmt_of(&self, l: usize, kind: StmtKind, r: usize) -> Stmt {
        let kind = if self
            .take_poison(l, r)
            .map(|d| self.diags.borrow_mut().extend(d))
            .is_some()
        {
            StmtKind::Error
        } else {
            kind
        };
        Stmt {
            docs: self.claim_docs(l),
            kind,
            span: self.span(l, r),
        }
    }

    pub fn update_stmt(&self, l: usize, u: Update, r: usize) -> Stmt {
        self.stmt_of(l, StmtKind::Update(u), r)
    }

    pub fn when_stmt(
        &self,
        l: usize,
        c: Cv,
        us: Vec<Option<Box<Update>>>,
        tail: Tail,
        r: usize,
    ) -> Stmt {
        if let Some((tl, e, tr)) = tail.map(|t| *t) {
            self.error_node(tl, &e, tr);
        }
        let cond = self.to_pred(c);
        let updates = us.into_iter().flatten().map(|u| *u).collect();
        self.when_of(l, cond, updates, r)
    }

    /// `when C { … }` with its condition and updates read: the condition's own problems make
    /// the statement an error; the updates' do not.
    pub fn when_of(&self, l: usize, cond: Pred, updates: Vec<Update>, r: usize) -> Stmt {
        let cond_end = (l..r).find(|&i| self.kinds[i] == K::LBrace).unwrap_or(r);
        let kind = if self
            .take_poison(l, cond_end)
            .map(|d| self.diags.borrow_mut().extend(d))
            .is_some()
        {
            StmtKind::Error
        } else {
            StmtKind::When { cond, updates }
        };
        Stmt {
            docs: self.claim_docs(l),
            kind,
            span: self.span(l, r),
        }
    }

    pub fn error_stmt(&self, l: usize, e: Recovery, r: usize) -> Stmt {
        self.error_node(l, &e, r);
        Stmt {
            docs: self.claim_docs(l),
            kind: StmtKind::Error,
            span: self.span(l, r),
        }
    }

    pub fn when_update(&self, l: usize, u: Box<Update>, r: usize) -> Option<Box<Update>> {
        match self.take_poison(l, r) {
            Some(d) => {
                self.diags.borrow_mut().extend(d);
                None
            }
            None => Some(u),
        }
    }

    /// A `when` inside a `when` body: E0106 at the inner `when`.
    pub fn e0106(&self, l: usize) -> usize {
        self.diags.borrow_mut().push(
            Diagnostic::error("E0106", self.toks[l].span, "`when` blocks do not nest")
                .with_help("combine the conditions instead: `when P and Q { … }`"),
        );
        l
    }

    /// The whole nested `when`: dropped, and nothing inside it is reported.
    pub fn nested_when(&self, l: usize, r: usize) -> Option<Box<Update>> {
        self.take_poison(l, r);
        None
    }

    pub fn when_error(&self, l: usize, e: Recovery, r: usize) -> Option<Box<Update>> {
        self.error_node(l, &e, r);
        None
    }

    pub fn update(
        &self,
        l: usize,
        target: Target,
        op: AssignOp,
        value: Box<SetExpr>,
        r: usize,
    ) -> Update {
        Update {
            target,
            op,
            value,
            span: self.span(l, r),
        }
    }

    /// An unknown field (E0105): after `.`/`@` reported by `field_prescan`, after `union of`
    /// here (only the grammar knows whether `union of` began an aggregation).
    pub fn bad_field(&self, i: usize) -> Field {
        if i > 0 && !matches!(self.kinds[i - 1], K::Dot | K::At) {
            self.poison(
                i,
                Diagnostic::error(
                    "E0105",
                    self.toks[i].span,
                    format!("unknown meta field `{}`", self.text(i)),
                )
                .with_help("the meta fields are `tags`, `producers` and `consumers`"),
            );
        }
        Field::Tags
    }

    pub fn bad_suffix(&self, _i: usize) -> AggOp {
        AggOp::Union
    }

    /// E0105 for every word after `.`/`@` that is no meta field (or, after `@args.F.`, no
    /// suffix), and for `@args.value`, at the tokens `classify` found. Found on the tokens
    /// rather than in grammar actions: an action runs only once the automaton has seen a valid
    /// next token, and the unknown field is the problem to report, not whatever follows it.
    pub(super) fn field_prescan(&self) {
        for &(i, bad) in &self.bad_fields {
            let at = self.toks[i].span;
            let d = match bad {
                BadField::ArgsValue => Diagnostic::error("E0105", at, "`@args` has no `.value`").with_help(
                    "`@args` aggregates metas: `@args.tags`, `@args.tags.union`, `@args.tags.intersect`",
                ),
                BadField::Suffix => Diagnostic::error(
                    "E0105",
                    at,
                    format!("unknown `@args` suffix `{}`", self.text(i)),
                )
                .with_help("the suffixes are `.union` and `.intersect`"),
                BadField::Field => Diagnostic::error(
                    "E0105",
                    at,
                    format!("unknown meta field `{}`", self.text(i)),
                )
                .with_help("the meta fields are `tags`, `producers` and `consumers`"),
            };
            self.poison(i, d);
        }
    }
}
