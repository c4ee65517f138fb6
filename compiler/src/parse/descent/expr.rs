//! The fast path's predicates, sets, values, elements and domains, built straight into the
//! AST: no cover nodes (`cover::Cv`), no side stacks, no conversion afterwards.
//!
//! Why this is the reference parser's tree: in a predicate position the grammar parses a
//! cover and converts it to a predicate, and on a well-formed program that conversion
//! succeeds; a predicate has exactly the shapes read here (§3.1): `or`/`and` lists, `not`, a
//! parenthesised predicate, a name other than `not`, `v in S`, `v == w`, `meta op S` and
//! `meta is …`. Any other cover there (a set, a name followed by an operator, a set
//! comparison whose left side is not a bare meta accessor) is an error in the reference, and
//! here a token the caller does not accept, so the whole parse falls back. In a set position
//! the cover is a chain of set atoms, folded here by precedence climbing exactly as
//! `Cx::chain_op` folds it (left-associative, `^` < `-` < `&` < `|`, `with` on the last
//! operand). A let's right-hand side is read as the conversion of §3.2(d) classifies it: an
//! alias if it is a (parenthesised) name, else a predicate if it reads as one up to the `;`,
//! else a set. Every node gets the span of its tokens (`Cx::span`) and the height the
//! reference gives it; a node higher than `MAX_DEPTH` is E0107 there, so here it gives up.

use super::Descent;
use crate::ast::*;
use crate::parse::cover::binding;
use crate::parse::{K, MAX_DEPTH};

/// A node and the height of its tree (the reference's E0107 limit is on that height).
type Built<T> = Option<(T, u32)>;

impl Descent<'_, '_> {
    /// `h`, if a node of that height may exist.
    fn height(h: u32) -> Option<u32> {
        (h <= MAX_DEPTH).then_some(h)
    }

    // ---- predicates ---------------------------------------------------------------------

    /// A condition (a rule's, a `when`'s, a shorthand's).
    pub(super) fn cond(&mut self) -> Option<Pred> {
        Some(self.pred()?.0)
    }

    /// `Conj (or Conj)*`.
    fn pred(&mut self) -> Built<Pred> {
        let l = self.i;
        let first = self.conj();
        if first.is_none() || self.peek() != K::Or {
            // Returned as it came: no copy of the predicate out of the `Option` and back in.
            return first;
        }
        self.pred_list(l, K::Or, first?)
    }

    /// `Neg (and Neg)*`.
    fn conj(&mut self) -> Built<Pred> {
        let l = self.i;
        let first = self.neg();
        if first.is_none() || self.peek() != K::And {
            return first;
        }
        self.pred_list(l, K::And, first?)
    }

    /// The rest of an `or` (`and`) list after its first operand, flattened.
    fn pred_list(&mut self, l: usize, op: K, (first, mut h): (Pred, u32)) -> Built<Pred> {
        // Most lists have two operands: no copy of the first ones when the second arrives.
        let mut items = Vec::with_capacity(2);
        items.push(first);
        while self.eat(op).is_some() {
            let (p, ph) = if op == K::And {
                self.neg()?
            } else {
                self.conj()?
            };
            h = h.max(ph);
            items.push(p);
        }
        let kind = if op == K::And {
            PredKind::And(items)
        } else {
            PredKind::Or(items)
        };
        self.pred_node(l, kind, h + 1)
    }

    /// A negation, a parenthesised condition, a name or a comparison.
    fn neg(&mut self) -> Built<Pred> {
        let cx = self.cx;
        let l = self.i;
        let (kind, h) = match self.peek() {
            K::Not => {
                self.enter()?;
                self.bump();
                let (inner, h) = self.neg()?;
                self.depth -= 1;
                (PredKind::Not(Box::new(inner)), h + 1)
            }
            K::LParen => {
                self.enter()?;
                self.bump();
                let (inner, h) = self.pred()?;
                self.eat(K::RParen)?;
                self.depth -= 1;
                (PredKind::Paren(Box::new(inner)), h + 1)
            }
            K::QuantAny | K::QuantAll => {
                let quant = Some(if self.peek() == K::QuantAny {
                    Quant::Any
                } else {
                    Quant::All
                });
                self.bump();
                let value = self.value_acc()?;
                self.eat(K::In)?;
                let (set, h) = self.set()?;
                let set = Box::new(set);
                (PredKind::In { quant, value, set }, h + 1)
            }
            _ if self.left_value_starts() => {
                let value = self.left_value()?;
                match self.peek() {
                    K::In => {
                        self.bump();
                        let (set, h) = self.set()?;
                        let set = Box::new(set);
                        let quant = None;
                        (PredKind::In { quant, value, set }, h + 1)
                    }
                    K::EqEq => {
                        self.bump();
                        let pair = Box::new([value, self.right_value()?]);
                        (PredKind::ValueEq(pair), 1)
                    }
                    _ => return None,
                }
            }
            _ if self.meta_starts() => self.set_cmp()?,
            _ if self.pred_name() => {
                self.bump();
                (PredKind::Ref(cx.ident(l)), 1)
            }
            _ => return None,
        };
        self.pred_node(l, kind, h)
    }

    /// Whether the next token is a name that may stand alone in a condition or as a let's
    /// alias: a `CName`, but not `not` read as a name (`not` is always negation there, sqrt.md
    /// §3.2).
    fn pred_name(&self) -> bool {
        is_cname(self.peek()) && self.cx.text(self.i) != "not"
    }

    /// `meta overlaps S`, `subset of`, `superset of`, `==`, `is empty`, `is universal`.
    fn set_cmp(&mut self) -> Option<(PredKind, u32)> {
        let left = self.meta_acc()?;
        let op = match self.peek() {
            K::Overlaps => SetCmpOp::Overlaps,
            K::Subset => SetCmpOp::Subset,
            K::Superset => SetCmpOp::Superset,
            K::EqEq => SetCmpOp::Eq,
            K::Is => {
                self.bump();
                let universal = match self.peek() {
                    K::Empty => false,
                    K::Universal => true,
                    _ => return None,
                };
                self.bump();
                return Some((PredKind::Is { left, universal }, 1));
            }
            _ => return None,
        };
        self.bump();
        if matches!(op, SetCmpOp::Subset | SetCmpOp::Superset) {
            self.eat(K::Of)?;
        }
        let (right, h) = self.set()?;
        let right = Box::new(right);
        Some((PredKind::SetCmp { left, op, right }, h + 1))
    }

    fn pred_node(&self, l: usize, kind: PredKind, h: u32) -> Built<Pred> {
        let span = self.cx.span(l, self.i);
        Some((Pred { kind, span }, Self::height(h)?))
    }

    // ---- sets ---------------------------------------------------------------------------

    /// A set expression: a chain of operands and set operators.
    pub(super) fn set(&mut self) -> Built<SetExpr> {
        self.chain(0, false)
    }

    /// The chain from here whose operators bind at least `floor` tightly (precedence
    /// climbing: an operator that binds tighter than the one before it takes the operand
    /// on its left with it). `cover`: the chain is a let's right-hand side, where its first
    /// atom may not be `not` (which is negation there, `CAtom` in the grammar).
    fn chain(&mut self, floor: u8, cover: bool) -> Built<SetExpr> {
        let l = self.i;
        let (mut lhs, mut h) = self.operand(cover)?;
        while let Some(op) = set_op(self.peek()) {
            let binds = binding(op);
            if binds < floor {
                break;
            }
            self.bump();
            let (rhs, rh) = self.chain(binds + 1, false)?;
            let kind = SetKind::Bin {
                op,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
            };
            (lhs, h) = self.set_node(l, kind, h.max(rh) + 1)?;
        }
        Some((lhs, h))
    }

    /// A set atom with its `with e` / `without e` (which bind tightest).
    fn operand(&mut self, cover: bool) -> Built<SetExpr> {
        let l = self.i;
        let (mut set, mut h) = self.atom(cover)?;
        while matches!(self.peek(), K::With | K::Without) {
            let without = self.peek() == K::Without;
            self.bump();
            let elem = Box::new(self.element()?);
            let kind = SetKind::With {
                set: Box::new(set),
                elem,
                without,
            };
            (set, h) = self.set_node(l, kind, h + 1)?;
        }
        Some((set, h))
    }

    /// A parenthesised set, a literal, a meta accessor or a name (`not` included unless
    /// `cover`).
    fn atom(&mut self, cover: bool) -> Built<SetExpr> {
        let cx = self.cx;
        let l = self.i;
        let (kind, h) = match self.peek() {
            K::LParen => {
                self.enter()?;
                self.bump();
                let (inner, h) = self.chain(0, cover)?;
                self.eat(K::RParen)?;
                self.depth -= 1;
                (SetKind::Paren(Box::new(inner)), h + 1)
            }
            K::LBrace => (SetKind::Literal(self.literal()?), 1),
            _ if self.meta_starts() => (SetKind::Meta(self.meta_acc()?), 1),
            // A value accessor where a set should be (an error in the reference).
            _ if self.peek_at(1) == K::DotValue => return None,
            k if is_cname(k) || (k == K::Not && !cover) => {
                self.bump();
                (SetKind::Ref(cx.ident(l)), 1)
            }
            _ => return None,
        };
        self.set_node(l, kind, h)
    }

    fn set_node(&self, l: usize, kind: SetKind, h: u32) -> Built<SetExpr> {
        let span = self.cx.span(l, self.i);
        Some((SetExpr { kind, span }, Self::height(h)?))
    }

    /// `{e, …}`.
    fn literal(&mut self) -> Option<Vec<Element>> {
        self.eat(K::LBrace)?;
        if self.eat(K::RBrace).is_some() {
            return Some(Vec::new());
        }
        // Room for a literal's usual few elements in one allocation, without the growth path
        // a first push takes.
        let mut elems = Vec::with_capacity(4);
        loop {
            elems.push(self.element()?);
            if self.eat(K::Comma).is_none() {
                break;
            }
        }
        self.eat(K::RBrace)?;
        Some(elems)
    }

    /// A set in a set position, boxed as the tree keeps it.
    pub(super) fn set_boxed(&mut self) -> Option<Box<SetExpr>> {
        Some(Box::new(self.set()?.0))
    }

    // ---- a let's right-hand side --------------------------------------------------------

    /// A let's value (before its `;`): a domain, an alias, a predicate or a set (§3.2 d).
    pub(super) fn let_value(&mut self) -> Option<LetValue> {
        if self.domain_starts() {
            return Some(LetValue::Domain(self.domain()?));
        }
        let (start, depth) = (self.i, self.depth);
        if let Some(alias) = self.alias() {
            return Some(alias);
        }
        self.i = start;
        if let Some((pred, _)) = self.pred()
            && self.peek() == K::Semi
        {
            return Some(LetValue::Pred(pred));
        }
        (self.i, self.depth) = (start, depth);
        Some(LetValue::Set(self.chain(0, true)?.0))
    }

    /// `NAME` or `(…(NAME)…)` before the `;`, with its parenthesis count.
    fn alias(&mut self) -> Option<LetValue> {
        let mut parens = 0;
        while self.eat(K::LParen).is_some() {
            parens += 1;
        }
        let at = self.i;
        if !self.pred_name() {
            return None;
        }
        self.bump();
        for _ in 0..parens {
            self.eat(K::RParen)?;
        }
        (self.peek() == K::Semi && parens < MAX_DEPTH).then(|| LetValue::Alias {
            target: self.cx.ident(at),
            parens,
        })
    }

    // ---- meta accessors and values ------------------------------------------------------

    fn meta_starts(&self) -> bool {
        match self.peek() {
            K::Name | K::AtResult | K::AtSession => self.peek_at(1) == K::Dot,
            K::At | K::AtArgs | K::AggUnion | K::AggIntersect => true,
            _ => false,
        }
    }

    fn meta_acc(&mut self) -> Option<MetaAcc> {
        let cx = self.cx;
        let l = self.i;
        let kind = match self.peek() {
            K::Name => {
                self.i += 2;
                MetaKind::Arg(cx.ident(l), self.field()?)
            }
            K::AtResult => {
                self.i += 2;
                MetaKind::Result(self.field()?)
            }
            K::AtSession => {
                self.i += 2;
                MetaKind::Session(self.field()?)
            }
            K::At => {
                self.bump();
                MetaKind::At(self.field()?)
            }
            K::AtArgs => {
                self.bump();
                self.eat(K::Dot)?;
                let f = self.field()?;
                let suffix = match self.eat(K::Dot) {
                    Some(_) => {
                        let op = match self.peek() {
                            K::Union => AggOp::Union,
                            K::Intersect => AggOp::Intersect,
                            _ => return None,
                        };
                        self.bump();
                        Some(op)
                    }
                    None => None,
                };
                MetaKind::Args(f, suffix)
            }
            K::AggUnion | K::AggIntersect => {
                let op = if self.peek() == K::AggUnion {
                    AggOp::Union
                } else {
                    AggOp::Intersect
                };
                self.bump();
                self.eat(K::Of)?;
                let f = self.field()?;
                self.eat(K::From)?;
                self.eat(K::Args)?;
                MetaKind::Of(op, f)
            }
            _ => return None,
        };
        Some(cx.meta_acc(kind, l, self.i))
    }

    fn value_acc(&mut self) -> Option<ValueExpr> {
        let l = self.i;
        if self.peek_at(1) != K::DotValue {
            return None;
        }
        let kind = match self.peek() {
            K::Name => ValueKind::Arg(self.cx.ident(l)),
            K::AtResult => ValueKind::Result,
            K::AtSession => ValueKind::Session,
            _ => return None,
        };
        self.i += 2;
        Some(self.cx.value(kind, l, self.i))
    }

    fn left_value_starts(&self) -> bool {
        match self.peek() {
            K::Str
            | K::DStr
            | K::Int
            | K::Float
            | K::Inf
            | K::InfLit
            | K::TrueLit
            | K::FalseLit => true,
            K::Name | K::AtResult | K::AtSession => self.peek_at(1) == K::DotValue,
            _ => false,
        }
    }

    fn left_value(&mut self) -> Option<ValueExpr> {
        let cx = self.cx;
        let l = self.i;
        let kind = match self.peek() {
            K::Str => ValueKind::Str(cx.str_lit(l)),
            K::DStr => ValueKind::Date(cx.str_lit(l)),
            K::Int | K::Float | K::Inf | K::InfLit => ValueKind::Number(cx.num(l)),
            K::TrueLit => ValueKind::Bool(true),
            K::FalseLit => ValueKind::Bool(false),
            _ => return self.value_acc(),
        };
        self.bump();
        Some(cx.value(kind, l, self.i))
    }

    fn right_value(&mut self) -> Option<ValueExpr> {
        let cx = self.cx;
        let l = self.i;
        let kind = match self.peek() {
            K::InfKw => ValueKind::Number(cx.num(l)),
            K::True => ValueKind::Bool(true),
            K::False => ValueKind::Bool(false),
            _ => return self.left_value(),
        };
        self.bump();
        Some(cx.value(kind, l, self.i))
    }

    // ---- elements, numbers, domains -----------------------------------------------------

    fn element(&mut self) -> Option<Element> {
        let cx = self.cx;
        let l = self.i;
        let kind = match self.peek() {
            K::Str => ElementKind::Str(cx.str_lit(self.bump())),
            K::RStr => ElementKind::Regex(cx.str_lit(self.bump())),
            K::WStr => ElementKind::Wild(cx.str_lit(self.bump())),
            k if num_start(k) => ElementKind::Number(self.num()?),
            K::Bool | K::IntKw | K::FloatKw | K::StrKw | K::Datetime => {
                ElementKind::Domain(self.domain()?)
            }
            _ => return None,
        };
        let span = cx.span(l, self.i);
        Some(Element { kind, span })
    }

    /// `Num`.
    fn num(&mut self) -> Option<NumLit> {
        num_start(self.peek()).then(|| self.cx.num(self.bump()))
    }

    /// Whether a let's right-hand side is a domain: a domain word followed by what only a
    /// domain continues with (after a name, a cover continues with none of these).
    fn domain_starts(&self) -> bool {
        let next = self.peek_at(1);
        match self.peek() {
            K::Bool => matches!(next, K::True | K::TrueLit | K::False | K::FalseLit),
            K::IntKw | K::FloatKw => num_start(next) || matches!(next, K::DotDot | K::DotDotLt),
            K::StrKw => matches!(next, K::Str | K::Matching | K::Like),
            K::Datetime => {
                num_start(next) || matches!(next, K::Str | K::DStr | K::DotDot | K::DotDotLt)
            }
            _ => false,
        }
    }

    fn domain(&mut self) -> Option<Box<Domain>> {
        let cx = self.cx;
        let l = self.i;
        let word = self.peek();
        self.bump();
        let kind = match word {
            K::Bool => {
                let b = match self.peek() {
                    K::True | K::TrueLit => true,
                    K::False | K::FalseLit => false,
                    _ => return None,
                };
                self.bump();
                DomainKind::Bool(b)
            }
            K::IntKw => DomainKind::Int(self.range(num_start, Self::num)?),
            K::FloatKw => DomainKind::Float(self.range(num_start, Self::num)?),
            K::StrKw => {
                let pat = match self.peek() {
                    K::Str => StrPat::Exact(cx.str_lit(self.bump())),
                    K::Matching => {
                        self.bump();
                        StrPat::Matching(cx.str_lit(self.eat(K::RStr)?))
                    }
                    K::Like => {
                        self.bump();
                        StrPat::Like(cx.str_lit(self.eat(K::WStr)?))
                    }
                    _ => return None,
                };
                let length = match self.eat(K::Length) {
                    Some(_) => Some(self.range(num_start, Self::num)?),
                    None => None,
                };
                DomainKind::Str { pat, length }
            }
            K::Datetime => DomainKind::Datetime(match self.peek() {
                K::Str => DtSpec::Iso(cx.str_lit(self.bump())),
                k if num_start(k) => DtSpec::Epoch(self.num()?),
                _ => DtSpec::Range(self.range(|k| k == K::DStr, Self::dstr)?),
            }),
            _ => return None,
        };
        let d = cx.domain_kind(kind);
        Some(cx.domain(d, l, self.i))
    }

    fn dstr(&mut self) -> Option<StrLit> {
        let at = self.eat(K::DStr)?;
        Some(self.cx.str_lit(at))
    }

    /// `NumRange` / the range forms of `DtSpec`: `b`, `b OP b`, `..b`, `..<b`, `b..`, `b<..`.
    /// After `b ..` or `b <..`, a bound next makes it closed (nothing that follows a range
    /// starts with a bound).
    fn range<B>(
        &mut self,
        bound_starts: fn(K) -> bool,
        bound: fn(&mut Self) -> Option<B>,
    ) -> Option<Range<B>> {
        if let Some(op) = range_op(self.peek()) {
            // Open below: only `..` and `..<` (`LowOpenOp`).
            if !matches!(op, RangeOp::Closed | RangeOp::HalfOpenHigh) {
                return None;
            }
            self.bump();
            let hi = bound(self)?;
            return Some(Range::Bounded {
                lo: None,
                op,
                hi: Some(hi),
            });
        }
        let lo = bound(self)?;
        let Some(op) = range_op(self.peek()) else {
            return Some(Range::Exact(lo));
        };
        self.bump();
        let hi = if bound_starts(self.peek()) {
            Some(bound(self)?)
        } else if matches!(op, RangeOp::Closed | RangeOp::HalfOpenLow) {
            // Open above: only `..` and `<..` (`HighOpenOp`).
            None
        } else {
            return None;
        };
        Some(Range::Bounded {
            lo: Some(lo),
            op,
            hi,
        })
    }
}

/// The set operator at terminal `k`.
fn set_op(k: K) -> Option<SetOp> {
    Some(match k {
        K::Caret | K::Xor => SetOp::Xor,
        K::Minus | K::MinusKw => SetOp::Minus,
        K::Amp | K::Intersect | K::AggIntersect => SetOp::Intersect,
        K::Pipe | K::Union | K::AggUnion => SetOp::Union,
        _ => return None,
    })
}

fn range_op(k: K) -> Option<RangeOp> {
    Some(match k {
        K::DotDot => RangeOp::Closed,
        K::DotDotLt => RangeOp::HalfOpenHigh,
        K::LtDotDot => RangeOp::HalfOpenLow,
        K::LtDotDotLt => RangeOp::Open,
        _ => return None,
    })
}

/// The first terminal of a `Num`.
fn num_start(k: K) -> bool {
    matches!(k, K::Int | K::Float | K::Inf | K::InfKw | K::InfLit)
}

/// `CName`: a name in a predicate atom, NAME or any keyword terminal but `not` (and the
/// terminals the classifier gave a role of their own).
fn is_cname(k: K) -> bool {
    matches!(
        k,
        K::Name
            | K::Let
            | K::Tool
            | K::Priority
            | K::Must
            | K::Hard
            | K::Should
            | K::Soft
            | K::Allow
            | K::Deny
            | K::When
            | K::Always
            | K::Result
            | K::Session
            | K::Before
            | K::After
            | K::Tags
            | K::Producers
            | K::Consumers
            | K::Or
            | K::And
            | K::In
            | K::Any
            | K::All
            | K::Overlaps
            | K::Subset
            | K::Superset
            | K::Of
            | K::Is
            | K::Empty
            | K::Universal
            | K::Union
            | K::Intersect
            | K::From
            | K::Args
            | K::Xor
            | K::MinusKw
            | K::With
            | K::Without
            | K::Bool
            | K::IntKw
            | K::FloatKw
            | K::StrKw
            | K::Datetime
            | K::Matching
            | K::Like
            | K::Length
            | K::True
            | K::False
            | K::InfKw
    )
}
