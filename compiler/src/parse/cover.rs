//! The cover tree: what the LALR grammar builds for predicates and set expressions before it
//! knows which one it is looking at (sqrt.md §3.2 d, §3.1), and its conversion to the AST.
//!
//! A conversion that fails returns the token index where a left-to-right reading stops being
//! valid, so E0101 points at the token an author would blame.

use lalrpop_util::ParseError;

use super::{Cx, Poison, Recovery};
use crate::ast::*;
use crate::diag::{Diagnostic, Span};

/// A node over tokens `l..r` (indices into the doc-free token list) of height `h`.
#[derive(Debug)]
pub struct Cv {
    pub kind: CvKind,
    pub l: usize,
    pub r: usize,
    pub h: u32,
}

#[derive(Debug)]
pub enum CvKind {
    /// `a or b …` (`and == false`) / `a and b …`; at least two operands.
    List {
        and: bool,
        items: Vec<Cv>,
    },
    Not(Box<Cv>),
    Paren(Box<Cv>),
    Name(Ident),
    /// A complete comparison; `as_set` is where reading it as a set fails.
    Cmp {
        pred: Box<Pred>,
        as_set: usize,
    },
    Bin {
        op: SetOp,
        lhs: Box<Cv>,
        rhs: Box<Cv>,
    },
    With {
        set: Box<Cv>,
        elem: Box<Element>,
        without: bool,
    },
    Literal(Vec<Element>),
    Meta(MetaAcc),
    /// A node whose error is already reported (E0104, E0105, E0107, a value used as a set).
    Bad,
}

/// What a let's right-hand side parsed as, before §3.2(d) classification.
pub enum Rhs {
    Domain(Box<Domain>),
    Cover(Cv),
}

/// Why a conversion failed: at a token index, or at a node already reported.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Fail {
    At(usize),
    Reported,
}

pub type Conv<T> = Result<T, Fail>;

impl Cv {
    /// Whether this node is a predicate (`Err`: where reading it as one fails).
    pub fn pred_check(&self) -> Conv<()> {
        match &self.kind {
            CvKind::List { items, .. } => items.iter().try_for_each(Cv::pred_check),
            CvKind::Not(inner) | CvKind::Paren(inner) => inner.pred_check(),
            // `not` is always negation (sqrt.md §3.2), so a `not` name is no predicate.
            CvKind::Name(id) if id.name == "not" => Err(Fail::At(self.r)),
            CvKind::Name(_) | CvKind::Cmp { .. } => Ok(()),
            CvKind::Bad => Err(Fail::Reported),
            _ => Err(self.pred_fail()),
        }
    }

    /// Where a set-shaped node stops being a predicate: read left to right, the first atom
    /// either cannot start a predicate (`{`) or ends one that nothing may follow.
    fn pred_fail(&self) -> Fail {
        match &self.kind {
            CvKind::Bin { lhs, .. } => lhs.pred_fail(),
            CvKind::With { set, .. } => set.pred_fail(),
            CvKind::Literal(_) => Fail::At(self.l),
            CvKind::Paren(inner) => match inner.pred_check() {
                Ok(()) => Fail::At(self.r),
                Err(f) => f,
            },
            CvKind::Bad => Fail::Reported,
            _ => Fail::At(self.r),
        }
    }

    /// Whether this node is a set expression (`Err`: where reading it as one fails).
    pub fn set_check(&self) -> Conv<()> {
        match &self.kind {
            CvKind::Bin { lhs, rhs, .. } => {
                lhs.set_check()?;
                rhs.set_check()
            }
            CvKind::With { set, .. } => set.set_check(),
            CvKind::Paren(inner) => inner.set_check(),
            CvKind::Literal(_) | CvKind::Meta(_) | CvKind::Name(_) => Ok(()),
            CvKind::List { items, .. } => {
                items[0].set_check()?;
                // The operator word after the first operand.
                Err(Fail::At(items[1].l - 1))
            }
            // In a set atom `not` is a reference, so the token after it is the error.
            CvKind::Not(_) => Err(Fail::At(self.l + 1)),
            CvKind::Cmp { as_set, .. } => Err(Fail::At(*as_set)),
            CvKind::Bad => Err(Fail::Reported),
        }
    }

    /// The predicate, once `pred_check` passed (anything else becomes an error node).
    pub fn into_pred(self, cx: &Cx<'_>) -> Pred {
        let Cv { kind, l, r, .. } = self;
        let kind = match kind {
            CvKind::List { and, items } => {
                let list = items.into_iter().map(|c| c.into_pred(cx)).collect();
                if and {
                    PredKind::And(list)
                } else {
                    PredKind::Or(list)
                }
            }
            CvKind::Not(inner) => PredKind::Not(inner.into_pred_boxed(cx)),
            CvKind::Paren(inner) => PredKind::Paren(inner.into_pred_boxed(cx)),
            CvKind::Name(id) => PredKind::Ref(id),
            CvKind::Cmp { pred, .. } => return *pred,
            _ => PredKind::Error,
        };
        Pred {
            kind,
            span: cx.span(l, r),
        }
    }

    /// `into_pred`, boxed: a comparison keeps the box it was built in (no new allocation and
    /// no copy of the predicate out of it and into another box).
    fn into_pred_boxed(self, cx: &Cx<'_>) -> Box<Pred> {
        match self.kind {
            CvKind::Cmp { pred, .. } => pred,
            _ => Box::new(self.into_pred(cx)),
        }
    }

    /// The set expression, once `set_check` passed (anything else becomes an error node).
    pub fn into_set(self, cx: &Cx<'_>) -> SetExpr {
        let Cv { kind, l, r, .. } = self;
        let kind = match kind {
            CvKind::Bin { op, lhs, rhs } => SetKind::Bin {
                op,
                lhs: Box::new(lhs.into_set(cx)),
                rhs: Box::new(rhs.into_set(cx)),
            },
            CvKind::With { set, elem, without } => SetKind::With {
                set: Box::new(set.into_set(cx)),
                elem,
                without,
            },
            CvKind::Literal(e) => SetKind::Literal(e),
            CvKind::Meta(m) => SetKind::Meta(m),
            CvKind::Name(id) => SetKind::Ref(id),
            CvKind::Paren(inner) => SetKind::Paren(Box::new(inner.into_set(cx))),
            _ => SetKind::Error,
        };
        SetExpr {
            kind,
            span: cx.span(l, r),
        }
    }

    /// `NAME` or `(…(NAME)…)`: an alias, with its parenthesis count.
    pub fn alias(&self) -> Option<(Ident, u32)> {
        match &self.kind {
            CvKind::Name(id) if id.name != "not" => Some((id.clone(), 0)),
            CvKind::Paren(inner) => inner.alias().map(|(id, n)| (id, n + 1)),
            _ => None,
        }
    }
}

/// The grammar actions that build cover nodes.
impl Cx<'_> {
    /// `first or …` / `first and …`: the `n` operands after `first` are the last ones on
    /// `listed`.
    pub fn list(&self, and: bool, l: usize, first: Cv, n: usize, r: usize) -> Cv {
        let mut items = Vec::with_capacity(n + 1);
        items.push(first);
        self.listed.take_into(n, &mut items);
        let h = items.iter().map(|c| c.h).max().unwrap_or(0) + 1;
        let at = if items.len() > 1 {
            items.last().map_or(l, |c| c.l)
        } else {
            l
        };
        self.node(CvKind::List { and, items }, l, r, h, at)
    }

    pub fn not(&self, l: usize, n: Cv, r: usize) -> Cv {
        let h = n.h + 1;
        self.node(CvKind::Not(Box::new(n)), l, r, h, l)
    }

    fn cmp(&self, pred: PredKind, l: usize, r: usize, h: u32, as_set: usize) -> Cv {
        let pred = Box::new(Pred {
            kind: pred,
            span: self.span(l, r),
        });
        self.node(CvKind::Cmp { pred, as_set }, l, r, h, l)
    }

    pub fn in_(
        &self,
        l: usize,
        quant: Option<Quant>,
        value: ValueExpr,
        set: Box<SetExpr>,
        r: usize,
    ) -> Cv {
        let h = set_height(&set) + 1;
        // Read as a set: a value where a set starts (or the token after `any`/`all`).
        let as_set = if quant.is_some() { l + 1 } else { l };
        self.cmp(PredKind::In { quant, value, set }, l, r, h, as_set)
    }

    pub fn value_eq(&self, l: usize, a: ValueExpr, b: ValueExpr, r: usize) -> Cv {
        self.cmp(PredKind::ValueEq(Box::new([a, b])), l, r, 1, l)
    }

    /// The left side of a set comparison must be a bare meta accessor: any other set there,
    /// let names and parentheses included, is E0104 (sqrt.md §3.1); a left side that is no
    /// set at all fails where its predicate reading fails.
    fn meta_left(&self, left: Cv, op_at: usize) -> Result<MetaAcc, Cv> {
        let (l, r) = (left.l, left.r);
        if let CvKind::Meta(m) = left.kind {
            return Ok(m);
        }
        let bad = Cv {
            kind: CvKind::Bad,
            l,
            r,
            h: 1,
        };
        if left.set_check().is_ok() {
            self.poison(
                l,
                Diagnostic::error("E0104", self.span(l, r), "the left side of a set comparison must be a meta accessor")
                    .with_help(
                        "write an accessor such as `x.tags`, `@args.tags` or `@session.tags` on the left, with no \
                         parentheses or operators; swap the operands (`subset of` ↔ `superset of`) or name the \
                         other set in a `let`",
                    ),
            );
        } else {
            match left.pred_check() {
                Err(Fail::At(i)) => self.poison(i, self.unexpected(i, "a condition")),
                Ok(_) => self.poison(op_at, self.unexpected(op_at, "a condition")),
                Err(Fail::Reported) => {}
            }
        }
        Err(bad)
    }

    pub fn set_cmp(
        &self,
        l: usize,
        left: Cv,
        o: usize,
        op: SetCmpOp,
        right: Box<SetExpr>,
        r: usize,
    ) -> Cv {
        match self.meta_left(left, o) {
            Ok(left) => {
                let h = set_height(&right) + 1;
                self.cmp(PredKind::SetCmp { left, op, right }, l, r, h, o)
            }
            Err(mut bad) => {
                bad.r = r;
                bad
            }
        }
    }

    pub fn is(&self, l: usize, left: Cv, o: usize, universal: bool, r: usize) -> Cv {
        match self.meta_left(left, o) {
            Ok(left) => self.cmp(PredKind::Is { left, universal }, l, r, 1, o),
            Err(mut bad) => {
                bad.r = r;
                bad
            }
        }
    }

    /// A comparison broken after its word: E0104 if the left side is the problem, else the
    /// automaton's error; either makes the enclosing construct an error.
    pub fn cmp_error(&self, l: usize, left: Cv, o: usize, e: Recovery, r: usize) -> Cv {
        if self.meta_left(left, o).is_ok() {
            let at = match e.error {
                ParseError::UnrecognizedToken {
                    token: (i, _, _), ..
                } => i,
                _ => self.end,
            };
            // `None`: the end of an unterminated string, already reported.
            self.poison.borrow_mut().push(Poison {
                at,
                diag: self.syntax_error(&e.error),
                taken: false,
            });
        }
        Cv {
            kind: CvKind::Bad,
            l,
            r,
            h: 1,
        }
    }

    pub fn bin(&self, op: SetOp, lhs: Cv, o: usize, rhs: Cv) -> Cv {
        let (l, r) = (lhs.l, rhs.r);
        let h = lhs.h.max(rhs.h) + 1;
        let at = rhs.l;
        self.node(
            CvKind::Bin {
                op,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
            },
            l,
            r,
            h,
            at.max(o),
        )
    }

    /// The first operand of an operator chain (`Chain` in the grammar): no operator pending.
    pub fn chain_start(&self, first: Cv) -> usize {
        self.operands.push(first);
        0
    }

    /// `… op b` in a chain with `pending` operators waiting: first folds those that bind at
    /// least as tightly as `op` (all operators are left-associative), then waits with `op`.
    pub fn chain_op(&self, pending: usize, op: SetOp, o: usize, b: Cv) -> usize {
        let pending = self.fold(pending, binding(op));
        self.operators.push((op, o));
        self.operands.push(b);
        pending + 1
    }

    /// `… with e`: `with` binds tightest, so it applies to the last operand.
    pub fn chain_with(&self, pending: usize, o: usize, without: bool, r: usize) -> usize {
        match self.operands.pop() {
            Some(last) => {
                let node = self.with(last, o, without, r);
                self.operands.push(node);
            }
            // Unreachable (a chain always has an operand), but fail closed.
            None => self.poison(o, self.unexpected(o, "a set expression")),
        }
        pending
    }

    /// The end of a chain: every pending operator folded, the one remaining operand.
    pub fn chain_end(&self, pending: usize) -> Cv {
        self.fold(pending, 0);
        self.operands.pop().unwrap_or_else(|| {
            // Unreachable (a chain always has an operand), but fail closed.
            let at = self.end.saturating_sub(1);
            self.poison(at, self.unexpected(at, "a set expression"));
            Cv {
                kind: CvKind::Bad,
                l: at,
                r: at + 1,
                h: 1,
            }
        })
    }

    /// Folds the chain's pending operators, innermost first, while they bind at least as
    /// tightly as `floor`; returns how many are left.
    fn fold(&self, mut pending: usize, floor: u8) -> usize {
        while pending > 0 {
            let Some((op, o)) = self.operators.last() else {
                break;
            };
            if binding(op) < floor {
                break;
            }
            self.operators.pop();
            pending -= 1;
            let (Some(rhs), Some(lhs)) = (self.operands.pop(), self.operands.pop()) else {
                break;
            };
            let node = self.bin(op, lhs, o, rhs);
            self.operands.push(node);
        }
        pending
    }

    /// `S with e`: the element is the last one pushed.
    pub fn with(&self, set: Cv, o: usize, without: bool, r: usize) -> Cv {
        let Some(elem) = self.elems.pop() else {
            // Unreachable (the grammar reduced the element just before), but an error node
            // must always come with an error (fail closed).
            self.poison(o + 1, self.unexpected(o + 1, "a set expression"));
            return Cv {
                kind: CvKind::Bad,
                l: set.l,
                r,
                h: 1,
            };
        };
        let l = set.l;
        let h = set.h + 1;
        self.node(
            CvKind::With {
                set: Box::new(set),
                elem: Box::new(elem),
                without,
            },
            l,
            r,
            h,
            o + 1,
        )
    }

    pub fn paren(&self, l: usize, inner: Cv, r: usize) -> Cv {
        let h = inner.h + 1;
        self.node(CvKind::Paren(Box::new(inner)), l, r, h, l)
    }

    pub fn name(&self, i: usize) -> Cv {
        Cv {
            kind: CvKind::Name(self.ident(i)),
            l: i,
            r: i + 1,
            h: 1,
        }
    }

    /// `{e, ...}`: its `n` elements are the last ones pushed.
    pub fn literal(&self, l: usize, n: usize, r: usize) -> Cv {
        Cv {
            kind: CvKind::Literal(self.elems.take(n)),
            l,
            r,
            h: 1,
        }
    }

    /// A meta accessor over tokens `l..r`.
    pub fn meta(&self, m: MetaAcc, l: usize, r: usize) -> Cv {
        Cv {
            kind: CvKind::Meta(m),
            l,
            r,
            h: 1,
        }
    }

    pub fn value_as_set(&self, v: ValueExpr) -> Cv {
        let (l, r) = self.token_range(v.span);
        self.poison(
            l,
            Diagnostic::error("E0101", v.span, "expected a set, found a value accessor").with_help(
                "`.value` is the argument's value; use `x.tags` for its labels, or `{…}` for a literal set",
            ),
        );
        Cv {
            kind: CvKind::Bad,
            l,
            r,
            h: 1,
        }
    }

    /// The token indices a span covers (spans of grammar nodes start and end on tokens).
    fn token_range(&self, s: Span) -> (usize, usize) {
        let l = self.toks.partition_point(|t| t.span.start < s.start);
        let r = self
            .toks
            .partition_point(|t| t.span.end <= s.end && t.span.start < s.end.max(s.start + 1));
        (l, r.max(l + 1))
    }

    pub fn meta_acc(&self, kind: MetaKind, l: usize, r: usize) -> MetaAcc {
        MetaAcc {
            kind,
            span: self.span(l, r),
        }
    }

    /// `@args.value` (E0105, reported by `field_prescan`).
    pub fn args_value(&self, l: usize, _v: usize, r: usize) -> MetaAcc {
        MetaAcc {
            kind: MetaKind::Args(Field::Tags, None),
            span: self.span(l, r),
        }
    }

    pub fn value(&self, kind: ValueKind, l: usize, r: usize) -> ValueExpr {
        ValueExpr {
            kind,
            span: self.span(l, r),
        }
    }

    /// A domain's kind in the box the domain keeps (its span is set by `domain`).
    pub fn domain_kind(&self, kind: DomainKind) -> Box<Domain> {
        Box::new(Domain {
            kind,
            span: Span::default(),
        })
    }

    /// The domain over tokens `l..r`.
    pub fn domain(&self, mut d: Box<Domain>, l: usize, r: usize) -> Box<Domain> {
        d.span = self.span(l, r);
        d
    }

    pub fn element(&self, kind: ElementKind, l: usize, r: usize) {
        self.elems.push(Element {
            kind,
            span: self.span(l, r),
        });
    }
}

/// How tightly a set operator binds (sqrt.md §3.1): `^` < `-` < `&` < `|` (and `with` above
/// all of them); always above 0, the floor that folds a whole chain.
pub(super) fn binding(op: SetOp) -> u8 {
    match op {
        SetOp::Xor => 1,
        SetOp::Minus => 2,
        SetOp::Intersect => 3,
        SetOp::Union => 4,
    }
}

fn set_height(s: &SetExpr) -> u32 {
    match &s.kind {
        SetKind::Bin { lhs, rhs, .. } => set_height(lhs).max(set_height(rhs)) + 1,
        SetKind::With { set, .. } => set_height(set) + 1,
        SetKind::Paren(inner) => set_height(inner) + 1,
        _ => 1,
    }
}
