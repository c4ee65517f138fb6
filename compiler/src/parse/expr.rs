//! Predicates, set expressions, values and domains (sqrt.md §3, §3.1, §3.2).
//!
//! Every function building a `Pred` or `SetExpr` returns the height of the tree it built, so
//! left-associative chains (`a | b | c …`) and `not not …` are bounded like parentheses.

use super::{PResult, Parser, WithHelp};
use crate::ast::*;
use crate::diag::{Diagnostic, Span};
use crate::lex::Tok;

/// Either kind of accessor, before the parser knows which comparison follows.
enum Acc {
    Value(ValueExpr),
    Meta(MetaAcc),
}

const DOMAIN_WORDS: [&str; 5] = ["bool", "int", "float", "str", "datetime"];

impl Parser<'_> {
    // ---- let right-hand sides (§3.2 d) --------------------------------------------------

    pub(super) fn let_value(&mut self) -> PResult<LetValue> {
        if self.starts_domain() {
            return Ok(LetValue::Domain(self.domain()?));
        }
        if let Some((target, parens)) = self.alias() {
            return Ok(LetValue::Alias { target, parens });
        }
        let m = self.mark();
        // A set literal never starts a predicate (on the left of a comparison it is E0104).
        if self.at(&Tok::LBrace) {
            let (set, _) = self.set_expr()?;
            if self.at(&Tok::Semi) {
                return Ok(LetValue::Set(set));
            }
            let end = self.mark();
            if let Some(e104) = self.set_on_left(&m) {
                return Err(e104);
            }
            self.reset(&end);
            return Err(self.expected("`;` after the let"));
        }
        // `not` is always negation (§3.2 Decision), so such a right-hand side is a predicate.
        if self.is_kw(0, "not") {
            return Ok(LetValue::Pred(self.pred()?.0));
        }
        let pred_err = match self.pred() {
            Ok((p, _)) if self.at(&Tok::Semi) => return Ok(LetValue::Pred(p)),
            Ok(_) => self.expected("`;` after the let"),
            Err(e) => e,
        };
        let pred_end = self.mark();
        self.reset(&m);
        let set_err = match self.set_expr() {
            Ok((s, _)) if self.at(&Tok::Semi) => return Ok(LetValue::Set(s)),
            Ok(_) => self.expected("`;` after the let"),
            Err(e) => e,
        };
        // Neither parse reached the `;`: report the one that got further.
        let first = |e: &Diagnostic, code| e.code == code;
        let prefer_pred = if first(&set_err, "E0107") {
            false
        } else {
            first(&pred_err, "E0107")
                || first(&pred_err, "E0104")
                || pred_err.span.start > set_err.span.start
        };
        if prefer_pred {
            self.reset(&pred_end);
            Err(pred_err)
        } else {
            Err(set_err)
        }
    }

    /// A domain keyword followed by a token that can begin that domain (§3.2 d).
    fn starts_domain(&self) -> bool {
        let Some(w) = self.word(0) else { return false };
        let next = &self.nth(1).tok;
        match w {
            "bool" => self.is_word(1, "true") || self.is_word(1, "false"),
            "int" | "float" => self.starts_number(1) || matches!(next, Tok::DotDot | Tok::DotDotLt),
            "str" => {
                matches!(next, Tok::Str(_))
                    || self.is_word(1, "matching")
                    || self.is_word(1, "like")
            }
            "datetime" => {
                matches!(
                    next,
                    Tok::DStr(_) | Tok::Str(_) | Tok::DotDot | Tok::DotDotLt
                ) || self.starts_number(1)
            }
            _ => false,
        }
    }

    /// `NAME;` or `(…(NAME)…);` (not `not`, which is always negation), with at most
    /// `MAX_DEPTH` parentheses.
    fn alias(&mut self) -> Option<(Ident, u32)> {
        // Doc comments inside would be misplaced anyway; an alias has none.
        let toks = &self.toks[self.pos..];
        let k = toks.iter().take_while(|t| t.tok == Tok::LParen).count();
        if k > super::MAX_DEPTH as usize
            || toks.get(k)?.tok != Tok::Word
            || self.text(&toks[k]) == "not"
        {
            return None;
        }
        let closing = toks.get(k + 1..2 * k + 2)?;
        if closing[..k].iter().any(|t| t.tok != Tok::RParen) || closing[k].tok != Tok::Semi {
            return None;
        }
        for _ in 0..k {
            self.bump();
        }
        let target = self.ident("a name").ok()?;
        for _ in 0..k {
            self.bump();
        }
        Some((target, k as u32))
    }

    // ---- predicates ---------------------------------------------------------------------

    pub(super) fn pred(&mut self) -> PResult<(Pred, u32)> {
        self.enter()?;
        let r = self.pred_list(false);
        self.leave();
        r
    }

    /// `or` of `and`s (`and_level` parses one conjunction).
    fn pred_list(&mut self, and_level: bool) -> PResult<(Pred, u32)> {
        type Sub<'p, 's> = fn(&mut Parser<'s>) -> PResult<(Pred, u32)>;
        let (kw, sub): (&str, Sub<'_, '_>) = if and_level {
            ("and", Self::pred_not)
        } else {
            ("or", |p| p.pred_list(true))
        };
        let (first, mut h) = sub(self)?;
        if !self.is_kw(0, kw) {
            return Ok((first, h));
        }
        let mut list = vec![first];
        while self.eat_kw(kw).is_some() {
            let (p, hp) = sub(self)?;
            h = h.max(hp);
            list.push(p);
        }
        let span = list[0].span.to(list[list.len() - 1].span);
        self.check_height(h + 1, list[list.len() - 1].span)?;
        let kind = if and_level {
            PredKind::And(list)
        } else {
            PredKind::Or(list)
        };
        Ok((Pred { kind, span }, h + 1))
    }

    /// `not not … atom`, built without recursion.
    fn pred_not(&mut self) -> PResult<(Pred, u32)> {
        let mut nots = Vec::new();
        while self.is_kw(0, "not") {
            nots.push(self.bump());
            self.check_height(nots.len() as u32, self.peek().span)?;
        }
        let (mut p, mut h) = self.atom()?;
        while let Some(s) = nots.pop() {
            h += 1;
            self.check_height(h, s)?;
            let span = s.to(p.span);
            p = Pred {
                kind: PredKind::Not(Box::new(p)),
                span,
            };
        }
        Ok((p, h))
    }

    fn atom(&mut self) -> PResult<(Pred, u32)> {
        let m = self.mark();
        let set_start = self.may_start_set_left();
        match self.atom_inner() {
            // `S overlaps x.tags` or `(S) == x.tags`, with a let name or parentheses on the
            // left, is E0104, not a predicate reference.
            Ok((p, h))
                if set_start
                    && matches!(p.kind, PredKind::Ref(_) | PredKind::Paren(_))
                    && self.continues_set() =>
            {
                let end = self.mark();
                match self.set_on_left(&m) {
                    Some(e104) => Err(e104),
                    None => {
                        self.reset(&end);
                        Ok((p, h))
                    }
                }
            }
            Ok(x) => Ok(x),
            Err(e) if e.code == "E0107" || !set_start => Err(e),
            Err(e) => {
                let end = self.mark();
                match self.set_on_left(&m) {
                    Some(e104) => Err(e104),
                    None => {
                        self.reset(&end);
                        Err(e)
                    }
                }
            }
        }
    }

    /// Whether the atom here could be a set written on the left of a comparison (E0104): a
    /// literal, parentheses or a name, but not a word §3.2(b) reads as a value.
    fn may_start_set_left(&self) -> bool {
        match self.peek().tok {
            Tok::LBrace | Tok::LParen => true,
            Tok::Word => {
                let literal = matches!(self.word(0), Some("true" | "false" | "inf"))
                    && (self.nth(1).tok == Tok::EqEq || self.is_word(1, "in"));
                !literal && !self.is_argument(0)
            }
            _ => false,
        }
    }

    /// Whether the next token continues a set expression or starts a set comparison.
    fn continues_set(&self) -> bool {
        ["overlaps", "subset", "superset", "is", "with", "without"]
            .iter()
            .any(|w| self.is_kw(0, w))
            || self.at(&Tok::EqEq)
            || (0..4).any(|lvl| self.set_op(lvl).is_some())
    }

    /// E0104 if a set expression followed by a set comparison starts at `m` (the atom that
    /// failed to parse as a predicate); the position is then left at the comparison word.
    fn set_on_left(&mut self, m: &super::Mark) -> Option<Box<Diagnostic>> {
        self.reset(m);
        let set = self.set_expr();
        let cmp = ["overlaps", "subset", "superset", "is"]
            .iter()
            .any(|w| self.is_kw(0, w))
            || self.at(&Tok::EqEq);
        let s = match set {
            Ok((s, _)) if cmp && !matches!(s.kind, SetKind::Meta(_)) => s,
            _ => {
                self.reset(m);
                return None;
            }
        };
        Some(Box::new(
            Diagnostic::error("E0104", s.span, "the left side of a set comparison must be a meta accessor")
                .with_help(
                    "write an accessor such as `x.tags`, `@args.tags` or `@session.tags` on the left, with no \
                     parentheses or operators; swap the operands (`subset of` ↔ `superset of`) or name the \
                     other set in a `let`",
                ),
        ))
    }

    fn atom_inner(&mut self) -> PResult<(Pred, u32)> {
        let t = self.peek().clone();
        match t.tok {
            Tok::LParen => {
                self.bump();
                let (p, h) = self.pred()?;
                let close = self.expect(&Tok::RParen, "`)` to close the parenthesis")?;
                let span = t.span.to(close);
                self.check_height(h + 1, t.span)?;
                Ok((Pred { kind: PredKind::Paren(Box::new(p)), span }, h + 1))
            }
            Tok::Word => {
                let w = self.text(&t);
                if self.is_argument(0) || ((w == "union" || w == "intersect") && self.is_word(1, "of")) {
                    self.compare(None)
                } else if (w == "any" || w == "all") && self.value_acc_at(1) {
                    let q = if w == "any" { Quant::Any } else { Quant::All };
                    let start = self.bump();
                    let value = match self.accessor()? {
                        Acc::Value(v) => v,
                        Acc::Meta(_) => unreachable!("value_acc_at checked for `.value`"),
                    };
                    self.expect_kw("in", &format!("`in` after `{w} {}`", self.text_of(value.span)))?;
                    let (set, h) = self.set_expr()?;
                    let span = start.to(set.span);
                    Ok((Pred { kind: PredKind::In { quant: Some(q), value, set }, span }, h + 1))
                } else if matches!(w, "true" | "false" | "inf") && (self.nth(1).tok == Tok::EqEq || self.is_word(1, "in"))
                {
                    let v = self.value()?;
                    self.compare_value(v, None, t.span)
                } else {
                    let name = self.ident("a name")?;
                    Ok((Pred { span: name.span, kind: PredKind::Ref(name) }, 1))
                }
            }
            Tok::At | Tok::AtResult | Tok::AtSession | Tok::AtArgs => self.compare(None),
            Tok::Str(_) | Tok::DStr(_) | Tok::Int(_) | Tok::Float(_) | Tok::Inf { .. } => {
                let v = self.value()?;
                self.compare_value(v, None, t.span)
            }
            _ => Err(self.expected(
                "a condition: a comparison such as `x.value in {…}` or `x.tags overlaps {…}`, a let name, `not`, or `(`",
            )),
        }
    }

    fn text_of(&self, span: Span) -> &str {
        &self.src[span.range()]
    }

    /// Whether a value accessor (`x.value`, `@result.value`, `@session.value`) starts at `k`.
    fn value_acc_at(&self, k: usize) -> bool {
        matches!(self.nth(k).tok, Tok::Word | Tok::AtResult | Tok::AtSession)
            && self.nth(k + 1).tok == Tok::DotValue
    }

    /// A comparison starting with an accessor.
    fn compare(&mut self, quant: Option<Quant>) -> PResult<(Pred, u32)> {
        let start = self.peek().span;
        match self.accessor()? {
            Acc::Value(v) => self.compare_value(v, quant, start),
            Acc::Meta(m) => self.compare_meta(m),
        }
    }

    fn compare_value(
        &mut self,
        value: ValueExpr,
        quant: Option<Quant>,
        start: Span,
    ) -> PResult<(Pred, u32)> {
        if self.eat_kw("in").is_some() {
            let (set, h) = self.set_expr()?;
            let span = start.to(set.span);
            return Ok((
                Pred {
                    kind: PredKind::In { quant, value, set },
                    span,
                },
                h + 1,
            ));
        }
        if self.eat(&Tok::EqEq).is_some() {
            let other = self.value()?;
            let span = start.to(other.span);
            return Ok((
                Pred {
                    kind: PredKind::ValueEq(value, other),
                    span,
                },
                1,
            ));
        }
        Err(self.expected("`in` or `==` after the value"))
    }

    fn compare_meta(&mut self, left: MetaAcc) -> PResult<(Pred, u32)> {
        let op = if self.eat_kw("overlaps").is_some() {
            SetCmpOp::Overlaps
        } else if self.eat_kw("subset").is_some() {
            self.expect_kw("of", "`of` after `subset`")?;
            SetCmpOp::Subset
        } else if self.eat_kw("superset").is_some() {
            self.expect_kw("of", "`of` after `superset`")?;
            SetCmpOp::Superset
        } else if self.eat(&Tok::EqEq).is_some() {
            SetCmpOp::Eq
        } else if self.eat_kw("is").is_some() {
            let universal = if self.eat_kw("empty").is_some() {
                false
            } else if self.eat_kw("universal").is_some() {
                true
            } else {
                return Err(self.expected("`empty` or `universal` after `is`"));
            };
            let span = left.span.to(Span::new(self.prev_end, self.prev_end));
            return Ok((
                Pred {
                    kind: PredKind::Is { left, universal },
                    span,
                },
                1,
            ));
        } else {
            let mut d = self.expected(
                "a set comparison after the meta accessor: `overlaps`, `subset of`, `superset of`, `==`, \
                 `is empty` or `is universal`",
            );
            if self.is_kw(0, "in") {
                d = d.with_help("a meta accessor is a set of labels; to test an argument's value write `x.value in {…}`");
            }
            return Err(d);
        };
        let (right, h) = self.set_expr()?;
        let span = left.span.to(right.span);
        Ok((
            Pred {
                kind: PredKind::SetCmp { left, op, right },
                span,
            },
            h + 1,
        ))
    }

    /// `x.value`, `x.F`, `@result.value`, `@result.F`, `@session.…`, `@F`, `@args.F[.union|.intersect]`,
    /// `union of F from args`, `intersect of F from args`.
    fn accessor(&mut self) -> PResult<Acc> {
        let t = self.peek().clone();
        let start = t.span;
        let meta = |kind, p: &Self| {
            Ok(Acc::Meta(MetaAcc {
                kind,
                span: start.to(Span::new(p.prev_end, p.prev_end)),
            }))
        };
        match t.tok {
            Tok::Word
                if matches!(self.text(&t), "union" | "intersect") && self.is_word(1, "of") =>
            {
                let op = if self.text(&t) == "union" {
                    AggOp::Union
                } else {
                    AggOp::Intersect
                };
                self.bump();
                self.bump();
                let (f, _) = self.field()?;
                self.expect_kw("from", "`from args` after the field")?;
                self.expect_kw("args", "`args` after `from`")?;
                meta(MetaKind::Of(op, f), self)
            }
            Tok::Word => {
                let name = self.ident("an argument name")?;
                if self.eat(&Tok::DotValue).is_some() {
                    return Ok(Acc::Value(ValueExpr {
                        span: start.to(Span::new(self.prev_end, self.prev_end)),
                        kind: ValueKind::Arg(name),
                    }));
                }
                self.expect(
                    &Tok::Dot,
                    "`.value` or `.` and a meta field after the argument name",
                )?;
                let (f, _) = self.field()?;
                meta(MetaKind::Arg(name, f), self)
            }
            Tok::AtResult | Tok::AtSession => {
                let result = t.tok == Tok::AtResult;
                self.bump();
                if self.eat(&Tok::DotValue).is_some() {
                    let kind = if result {
                        ValueKind::Result
                    } else {
                        ValueKind::Session
                    };
                    return Ok(Acc::Value(ValueExpr {
                        kind,
                        span: start.to(Span::new(self.prev_end, self.prev_end)),
                    }));
                }
                self.expect(&Tok::Dot, "`.value` or `.` and a meta field")?;
                let (f, _) = self.field()?;
                meta(
                    if result {
                        MetaKind::Result(f)
                    } else {
                        MetaKind::Session(f)
                    },
                    self,
                )
            }
            Tok::At => {
                self.bump();
                let (f, _) = self.field()?;
                meta(MetaKind::At(f), self)
            }
            Tok::AtArgs => {
                self.bump();
                if self.at(&Tok::DotValue) {
                    return Err(Box::new(Diagnostic::error("E0105", self.peek().span, "`@args` has no `.value`")
                        .with_help("`@args` aggregates metas: `@args.tags`, `@args.tags.union`, `@args.tags.intersect`")));
                }
                self.expect(&Tok::Dot, "`.` and a meta field after `@args`")?;
                let (f, _) = self.field()?;
                let mut agg = None;
                if self.nth(0).tok == Tok::Dot {
                    let suffix = self.nth(1).clone();
                    agg = match (suffix.tok == Tok::Word).then(|| self.text(&suffix)) {
                        Some("union") => Some(AggOp::Union),
                        Some("intersect") => Some(AggOp::Intersect),
                        Some(other) => {
                            return Err(Box::new(
                                Diagnostic::error(
                                    "E0105",
                                    suffix.span,
                                    format!("unknown `@args` suffix `{other}`"),
                                )
                                .with_help("the suffixes are `.union` and `.intersect`"),
                            ));
                        }
                        None => {
                            self.bump();
                            return Err(self.expected("`union` or `intersect` after `@args.F.`"));
                        }
                    };
                    self.bump();
                    self.bump();
                }
                meta(MetaKind::Args(f, agg), self)
            }
            _ => Err(self.expected("an accessor such as `x.value`, `x.tags` or `@args.tags`")),
        }
    }

    /// value ::= value_acc | STR | DSTR | number | `true` | `false`
    fn value(&mut self) -> PResult<ValueExpr> {
        let t = self.peek().clone();
        let kind = match t.tok {
            Tok::Str(v) => ValueKind::Str(self.str_lit(v)),
            Tok::DStr(v) => ValueKind::Date(self.str_lit(v)),
            Tok::Int(_) | Tok::Float(_) | Tok::Inf { .. } => ValueKind::Number(self.number()?),
            Tok::Word if self.is_argument(0) => {
                match self.accessor()? {
                    Acc::Value(v) => return Ok(v),
                    Acc::Meta(m) => {
                        return Err(Box::new(Diagnostic::error("E0101", m.span, "expected a value, found a meta accessor")
                        .with_help("compare metas with `==` on the left side, e.g. `x.tags == {\"a\"}`")));
                    }
                }
            }
            Tok::Word if self.text(&t) == "inf" => ValueKind::Number(self.number()?),
            Tok::Word if matches!(self.text(&t), "true" | "false") => {
                self.bump();
                ValueKind::Bool(self.text(&t) == "true")
            }
            Tok::AtResult | Tok::AtSession if self.nth(1).tok == Tok::DotValue => {
                match self.accessor()? {
                    Acc::Value(v) => return Ok(v),
                    Acc::Meta(_) => unreachable!("followed by `.value`"),
                }
            }
            _ => {
                return Err(self.expected(
                    "a value: `x.value`, `@result.value`, a string, `d\"…\"`, a number, `true` or `false`",
                ));
            }
        };
        let span = t.span.to(Span::new(self.prev_end, self.prev_end));
        Ok(ValueExpr { kind, span })
    }

    // ---- set expressions ----------------------------------------------------------------

    pub(super) fn set_expr(&mut self) -> PResult<(SetExpr, u32)> {
        self.enter()?;
        let r = self.set_bin(0);
        self.leave();
        r
    }

    /// The operator of precedence level `lvl` (0 loosest) at the current token, if any.
    fn set_op(&self, lvl: u8) -> Option<SetOp> {
        let (sym, word, op) = match lvl {
            0 => (Tok::Caret, "xor", SetOp::Xor),
            1 => (Tok::Minus, "minus", SetOp::Minus),
            2 => (Tok::Amp, "intersect", SetOp::Intersect),
            _ => (Tok::Pipe, "union", SetOp::Union),
        };
        (self.at(&sym) || self.is_word(0, word)).then_some(op)
    }

    /// Left-associative binary levels 0..=3 (`^` < `-` < `&` < `|`), then `with`/`without`.
    fn set_bin(&mut self, lvl: u8) -> PResult<(SetExpr, u32)> {
        if lvl == 4 {
            return self.set_with();
        }
        let (mut lhs, mut h) = self.set_bin(lvl + 1)?;
        while let Some(op) = self.set_op(lvl) {
            self.bump();
            let (rhs, hr) = self.set_bin(lvl + 1)?;
            h = h.max(hr) + 1;
            self.check_height(h, rhs.span)?;
            let span = lhs.span.to(rhs.span);
            lhs = SetExpr {
                kind: SetKind::Bin {
                    op,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                },
                span,
            };
        }
        Ok((lhs, h))
    }

    fn set_with(&mut self) -> PResult<(SetExpr, u32)> {
        let (mut set, mut h) = self.set_atom()?;
        loop {
            let without = if self.eat_kw("with").is_some() {
                false
            } else if self.eat_kw("without").is_some() {
                true
            } else {
                return Ok((set, h));
            };
            let elem = self.element()?;
            h += 1;
            self.check_height(h, elem.span)?;
            let span = set.span.to(elem.span);
            set = SetExpr {
                kind: SetKind::With {
                    set: Box::new(set),
                    elem,
                    without,
                },
                span,
            };
        }
    }

    fn set_atom(&mut self) -> PResult<(SetExpr, u32)> {
        let t = self.peek().clone();
        match t.tok {
            Tok::LBrace => {
                self.bump();
                let mut elems = Vec::new();
                if let Some(close) = self.eat(&Tok::RBrace) {
                    return Ok((
                        SetExpr {
                            kind: SetKind::Literal(elems),
                            span: t.span.to(close),
                        },
                        1,
                    ));
                }
                loop {
                    elems.push(self.element()?);
                    if let Some(close) = self.eat(&Tok::RBrace) {
                        return Ok((
                            SetExpr {
                                kind: SetKind::Literal(elems),
                                span: t.span.to(close),
                            },
                            1,
                        ));
                    }
                    self.expect(&Tok::Comma, "`,` or `}` in the set literal")?;
                    if self.at(&Tok::RBrace) {
                        return Err(self
                            .expected("an element after `,`")
                            .with_help("remove the trailing comma"));
                    }
                }
            }
            Tok::LParen => {
                self.bump();
                let (s, h) = self.set_expr()?;
                let close = self.expect(&Tok::RParen, "`)` to close the parenthesis")?;
                let span = t.span.to(close);
                self.check_height(h + 1, t.span)?;
                Ok((
                    SetExpr {
                        kind: SetKind::Paren(Box::new(s)),
                        span,
                    },
                    h + 1,
                ))
            }
            Tok::At | Tok::AtResult | Tok::AtSession | Tok::AtArgs => self.set_accessor(),
            Tok::Word
                if self.is_argument(0)
                    || (matches!(self.text(&t), "union" | "intersect")
                        && self.is_word(1, "of")) =>
            {
                self.set_accessor()
            }
            Tok::Word => {
                let name = self.ident("a name")?;
                Ok((
                    SetExpr {
                        span: name.span,
                        kind: SetKind::Ref(name),
                    },
                    1,
                ))
            }
            _ => {
                Err(self
                    .expected("a set: `{…}`, a meta accessor such as `x.tags`, a let name, or `(`"))
            }
        }
    }

    fn set_accessor(&mut self) -> PResult<(SetExpr, u32)> {
        match self.accessor()? {
            Acc::Meta(m) => Ok((SetExpr { span: m.span, kind: SetKind::Meta(m) }, 1)),
            Acc::Value(v) => Err(Box::new(Diagnostic::error("E0101", v.span, "expected a set, found a value accessor")
                .with_help("`.value` is the argument's value; use `x.tags` for its labels, or `{…}` for a literal set"))),
        }
    }

    // ---- elements, numbers, domains -----------------------------------------------------

    fn element(&mut self) -> PResult<Element> {
        let t = self.peek().clone();
        let kind = match t.tok {
            Tok::Str(v) => ElementKind::Str(self.str_lit(v)),
            Tok::RStr(v) => ElementKind::Regex(self.str_lit(v)),
            Tok::WStr(v) => ElementKind::Wild(self.str_lit(v)),
            Tok::Int(_) | Tok::Float(_) | Tok::Inf { .. } => ElementKind::Number(self.number()?),
            Tok::Word if self.text(&t) == "inf" => ElementKind::Number(self.number()?),
            Tok::Word if DOMAIN_WORDS.contains(&self.text(&t)) => {
                ElementKind::Domain(self.domain()?)
            }
            Tok::DStr(_) => {
                return Err(self
                    .expected("a set element")
                    .with_help("a datetime element is written `datetime d\"…\"`"));
            }
            _ => {
                return Err(self.expected(
                    "a set element: a string, `r\"…\"`, `w\"…\"`, a number, or a domain such as `int 1..10`",
                ));
            }
        };
        let span = t.span.to(Span::new(self.prev_end, self.prev_end));
        Ok(Element { kind, span })
    }

    fn starts_number(&self, k: usize) -> bool {
        matches!(
            self.nth(k).tok,
            Tok::Int(_) | Tok::Float(_) | Tok::Inf { .. }
        ) || self.is_word(k, "inf")
    }

    /// number ::= INT | FLOAT | INF (including the word `inf`).
    pub(super) fn number(&mut self) -> PResult<NumLit> {
        if !self.starts_number(0) {
            return Err(self.expected("a number"));
        }
        let value = match self.peek().tok {
            Tok::Int(v) => NumValue::Int(v),
            Tok::Float(v) => NumValue::Float(v),
            Tok::Inf { negative } => NumValue::Inf { negative },
            _ => NumValue::Inf { negative: false },
        };
        let span = self.bump();
        Ok(NumLit {
            value,
            raw: self.span_text(span).to_string(),
            span,
        })
    }

    fn range_op(&self) -> Option<RangeOp> {
        match self.peek().tok {
            Tok::DotDot => Some(RangeOp::Closed),
            Tok::DotDotLt => Some(RangeOp::HalfOpenHigh),
            Tok::LtDotDot => Some(RangeOp::HalfOpenLow),
            Tok::LtDotDotLt => Some(RangeOp::Open),
            _ => None,
        }
    }

    /// range over bounds parsed by `bound`, which `starts` recognises.
    fn range<B>(
        &mut self,
        starts: fn(&Self) -> bool,
        bound: fn(&mut Self) -> PResult<B>,
        what: &str,
    ) -> PResult<Range<B>> {
        if let Some(op @ (RangeOp::Closed | RangeOp::HalfOpenHigh)) = self.range_op() {
            self.bump();
            let hi = bound(self)?;
            return Ok(Range::Bounded {
                lo: None,
                op,
                hi: Some(hi),
            });
        }
        if !starts(self) {
            return Err(self.expected(&format!(
                "{what} or a range such as `1..10`, `..5` or `0..`"
            )));
        }
        let lo = bound(self)?;
        let Some(op) = self.range_op() else {
            return Ok(Range::Exact(lo));
        };
        self.bump();
        if starts(self) {
            return Ok(Range::Bounded {
                lo: Some(lo),
                op,
                hi: Some(bound(self)?),
            });
        }
        match op {
            RangeOp::Closed | RangeOp::HalfOpenLow => Ok(Range::Bounded {
                lo: Some(lo),
                op,
                hi: None,
            }),
            _ => Err(self.expected(&format!("{what} after the range operator"))),
        }
    }

    fn num_range(&mut self) -> PResult<Range<NumLit>> {
        self.range(|p| p.starts_number(0), Self::number, "a number")
    }

    fn dstr(&mut self) -> PResult<StrLit> {
        match self.peek().tok.clone() {
            Tok::DStr(v) => Ok(self.str_lit(v)),
            _ => Err(self.expected("a datetime `d\"…\"`")),
        }
    }

    pub(super) fn domain(&mut self) -> PResult<Domain> {
        let kw = self.bump();
        let kind = match self.span_text(kw) {
            "bool" => {
                if self.eat_kw("true").is_some() {
                    DomainKind::Bool(true)
                } else if self.eat_kw("false").is_some() {
                    DomainKind::Bool(false)
                } else {
                    return Err(self.expected("`true` or `false` after `bool`"));
                }
            }
            "int" => DomainKind::Int(self.num_range()?),
            "float" => DomainKind::Float(self.num_range()?),
            "str" => {
                let pat = match self.peek().tok.clone() {
                    Tok::Str(v) => StrPat::Exact(self.str_lit(v)),
                    Tok::Word if self.is_word(0, "matching") => {
                        self.bump();
                        match self.peek().tok.clone() {
                            Tok::RStr(v) => StrPat::Matching(self.str_lit(v)),
                            _ => return Err(self.expected("a regex `r\"…\"` after `matching`")),
                        }
                    }
                    Tok::Word if self.is_word(0, "like") => {
                        self.bump();
                        match self.peek().tok.clone() {
                            Tok::WStr(v) => StrPat::Like(self.str_lit(v)),
                            _ => return Err(self.expected("a wildcard `w\"…\"` after `like`")),
                        }
                    }
                    _ => {
                        return Err(self
                            .expected("a string, `matching r\"…\"` or `like w\"…\"` after `str`"));
                    }
                };
                let length = if self.eat_kw("length").is_some() {
                    Some(self.num_range()?)
                } else {
                    None
                };
                DomainKind::Str { pat, length }
            }
            _ => {
                let spec = match self.peek().tok.clone() {
                    Tok::Str(v) => DtSpec::Iso(self.str_lit(v)),
                    _ if self.starts_number(0) => DtSpec::Epoch(self.number()?),
                    _ => DtSpec::Range(self.range(
                        |p| matches!(p.peek().tok, Tok::DStr(_)),
                        Self::dstr,
                        "a datetime `d\"…\"`, an ISO string, an epoch number",
                    )?),
                };
                DomainKind::Datetime(spec)
            }
        };
        Ok(Domain {
            kind,
            span: kw.to(Span::new(self.prev_end, self.prev_end)),
        })
    }
}
