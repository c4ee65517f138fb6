//! The fast path: a recursive-descent recogniser of well-formed programs over the classified
//! terminals (`Cx::kinds`) that builds the tree with the very grammar actions of
//! `grammar.lalrpop` (the `Cx` methods, with the same token locations).
//!
//! Why this is exact: the grammar has no conflicts, so it is unambiguous, and every program
//! it accepts has one derivation. This module only ever follows productions of the grammar
//! (never an error production) and only returns a program once it has derived the whole
//! input, so what it derived is that one derivation, and calling each production's action
//! with that production's locations builds what the automaton builds. The actions' side
//! effects are list entries on the `Pending` stacks (pushed and taken here in the same
//! nesting as the automaton does; a chain of one operand skips the operand stack, where its
//! push and pop cancel), claimed docs, poisons and diagnostics: the caller
//! (`parse::parse_with`) falls back to the automaton as soon as any poison, diagnostic or
//! unclaimed doc exists, so only the tree is ever kept from this path.
//!
//! It returns `None` (the caller runs the reference parser on a reset `Cx`) at the first
//! token where the input is not a well-formed program, where it would need a production it
//! does not follow (the error productions, a value where a set is needed, a nested `when`,
//! a construct open at END), and at nesting deeper than `MAX_DEPTH`, which is E0107 anyway.
//! Choices between productions look at most two terminals ahead; where a word may be a
//! keyword or a name, the terminal the classifier gave it and the production's position
//! decide, exactly as the grammar's `CName`/`PName`/`AnyWord` lists allow.

use super::classify::is_decl_word;
use super::cover::{Cv, Rhs};
use super::{Cx, K, MAX_DEPTH};
use crate::ast::*;
use crate::lex::Kind;

/// The program's items, or `None` where the reference parser must decide.
pub(super) fn program(cx: &Cx) -> Option<Vec<Item>> {
    let mut i = 0;
    while cx.kinds[i] != K::End {
        i = declaration(cx, i)?;
    }
    Some(cx.items.take_all())
}

/// Parses the declaration that starts at token `at` onto `cx.items`; the token after it.
pub(super) fn declaration(cx: &Cx, at: usize) -> Option<usize> {
    let mut d = Descent {
        cx,
        kinds: &cx.kinds,
        i: at,
        depth: 0,
    };
    d.item()?;
    Some(d.i)
}

/// The token after the tool declaration that starts at token `at`, found without parsing it:
/// after the `}` that closes its body, or after its `;` (a shorthand), with braces, brackets and
/// parentheses balanced on the way. Only a parse of the declaration says whether it is
/// well-formed (`declaration` must then end at the same token).
pub(super) fn skip_tool(kinds: &[K], at: usize) -> Option<usize> {
    let body = kinds.get(at + 2) == Some(&K::LBrace);
    let mut depth = 0u32;
    for (i, &k) in kinds.iter().enumerate().skip(at + 1) {
        match k {
            K::LBrace | K::LParen | K::LBracket => depth += 1,
            K::RBrace | K::RParen | K::RBracket => {
                depth = depth.checked_sub(1)?;
                if body && depth == 0 {
                    return Some(i + 1);
                }
            }
            K::Semi if depth == 0 && !body => return Some(i + 1),
            K::End => return None,
            _ => {}
        }
    }
    None
}

struct Descent<'c, 's> {
    cx: &'c Cx<'s>,
    kinds: &'c [K],
    /// The next token.
    i: usize,
    /// Open parentheses and `not`s (each adds a level to the tree).
    depth: u32,
}

impl Descent<'_, '_> {
    // ---- tokens -------------------------------------------------------------------------

    fn peek(&self) -> K {
        self.peek_at(0)
    }

    fn peek_at(&self, n: usize) -> K {
        self.kinds.get(self.i + n).copied().unwrap_or(K::End)
    }

    /// The next token's index, if it is `k` (consumed).
    fn eat(&mut self, k: K) -> Option<usize> {
        (self.peek() == k).then(|| self.bump())
    }

    fn bump(&mut self) -> usize {
        self.i += 1;
        self.i - 1
    }

    /// One level deeper (parenthesis or `not`); beyond `MAX_DEPTH` the tree is E0107 anyway.
    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_DEPTH).then_some(())
    }

    // ---- declarations -------------------------------------------------------------------

    fn item(&mut self) -> Option<()> {
        let cx = self.cx;
        let l = self.i;
        let item = match self.peek() {
            K::Let => {
                self.bump();
                // `LetName = AnyWord`: every word terminal.
                let name = self.bump();
                if cx.toks[name].tok != Kind::Word {
                    return None;
                }
                let name = cx.ident(name);
                self.eat(K::Eq)?;
                let rhs = if self.domain_starts() {
                    Rhs::Domain(self.domain()?)
                } else {
                    Rhs::Cover(self.cover()?)
                };
                self.eat(K::Semi)?;
                cx.let_item(l, name, rhs, self.i)
            }
            K::Tool => {
                self.bump();
                let id = self.tool_id()?;
                if self.peek() == K::LBrace {
                    let body = self.policy_body()?;
                    cx.policy_item(l, id, body, self.i)
                } else {
                    self.shorthand(l, id)?
                }
            }
            _ => return None,
        };
        cx.items.push(item);
        Some(())
    }

    fn tool_id(&mut self) -> Option<ToolId> {
        let at = self.i;
        let id = match self.peek() {
            K::Str => ToolId::Exact(self.cx.str_lit(at)),
            K::RStr => ToolId::Regex(self.cx.str_lit(at)),
            _ => return None,
        };
        self.bump();
        Some(id)
    }

    fn policy_body(&mut self) -> Option<(Vec<Member>, usize, bool)> {
        self.eat(K::LBrace)?;
        let mut n = 0;
        while self.peek() != K::RBrace {
            self.member()?;
            n += 1;
        }
        let close = self.bump();
        Some(self.cx.body(self.cx.members.take(n), None, close))
    }

    /// `tool ID [P] -> TARGET @F op SET (when C)? ;`, after the id.
    fn shorthand(&mut self, l: usize, id: ToolId) -> Option<Item> {
        let cx = self.cx;
        let priority = match self.eat(K::LBracket) {
            Some(_) => {
                let at = self.eat(K::Int)?;
                self.eat(K::RBracket)?;
                Some(cx.num(at))
            }
            None => None,
        };
        self.eat(K::Arrow)?;
        let target = match self.peek() {
            K::Result => {
                self.bump();
                ShorthandTarget::Result
            }
            K::Session => {
                self.bump();
                match self.peek() {
                    K::Before => {
                        self.bump();
                        ShorthandTarget::SessionBefore
                    }
                    K::After => {
                        self.bump();
                        ShorthandTarget::SessionAfter
                    }
                    _ => ShorthandTarget::Session,
                }
            }
            _ => ShorthandTarget::Implicit,
        };
        self.eat(K::At)?;
        let field = self.field()?;
        let op = self.assign()?;
        let value = self.pset()?;
        let cond = match self.eat(K::When) {
            Some(_) => Some(self.cover()?),
            None => None,
        };
        self.eat(K::Semi)?;
        Some(cx.shorthand_item(l, id, priority, target, field, op, value, cond, self.i))
    }

    fn member(&mut self) -> Option<()> {
        let cx = self.cx;
        let l = self.i;
        let member = match self.peek() {
            K::Priority => {
                self.bump();
                let n = self.eat(K::Int)?;
                self.eat(K::Semi)?;
                cx.member(l, MemberKind::Priority(cx.num(n)), self.i)
            }
            K::Must | K::Hard | K::Should | K::Soft => {
                let level = match self.peek() {
                    K::Must => Level::Must,
                    K::Hard => Level::Hard,
                    K::Should => Level::Should,
                    _ => Level::Soft,
                };
                self.bump();
                let effect = match self.peek() {
                    K::Allow => Effect::Allow,
                    K::Deny => Effect::Deny,
                    _ => return None,
                };
                self.bump();
                let cond = match self.peek() {
                    K::When => {
                        self.bump();
                        Some(self.cover()?)
                    }
                    K::Always => {
                        self.bump();
                        None
                    }
                    _ => return None,
                };
                self.eat(K::Semi)?;
                cx.rule(l, level, effect, cond, self.i)
            }
            K::Result => {
                self.bump();
                let b = self.block()?;
                cx.member(l, MemberKind::Result(b), self.i)
            }
            K::Session => {
                self.bump();
                let before = match self.peek() {
                    K::Before => true,
                    K::After => false,
                    _ => return None,
                };
                self.bump();
                let b = self.block()?;
                let kind = if before {
                    MemberKind::SessionBefore(b)
                } else {
                    MemberKind::SessionAfter(b)
                };
                cx.member(l, kind, self.i)
            }
            _ => return None,
        };
        cx.members.push(member);
        Some(())
    }

    fn block(&mut self) -> Option<Block> {
        let l = self.eat(K::LBrace)?;
        let mut n = 0;
        while self.peek() != K::RBrace {
            self.stmt()?;
            n += 1;
        }
        let close = self.bump();
        Some(self.cx.block(l, self.cx.stmts.take(n), None, close, self.i))
    }

    fn stmt(&mut self) -> Option<()> {
        let cx = self.cx;
        let l = self.i;
        let stmt = if self.eat(K::When).is_some() {
            let cond = self.cover()?;
            self.eat(K::LBrace)?;
            // `WhenItem*`: updates only (a nested `when` is E0106).
            let mut updates = Vec::new();
            while self.peek() != K::RBrace {
                let ul = self.i;
                let u = Box::new(self.update()?);
                self.eat(K::Semi)?;
                updates.push(cx.when_update(ul, u, self.i));
            }
            self.bump();
            cx.when_stmt(l, cond, updates, None, self.i)
        } else {
            let u = self.update()?;
            self.eat(K::Semi)?;
            cx.update_stmt(l, u, self.i)
        };
        cx.stmts.push(stmt);
        Some(())
    }

    /// `Update`, not boxed: the grammar boxes it only to keep its symbols small.
    fn update(&mut self) -> Option<Update> {
        let l = self.i;
        let target = self.target()?;
        let op = self.assign()?;
        let value = self.pset()?;
        Some(self.cx.update(l, target, op, value, self.i))
    }

    fn target(&mut self) -> Option<Target> {
        let cx = self.cx;
        let l = self.i;
        match self.peek() {
            K::At => {
                self.bump();
                let f = self.field()?;
                Some(Target::At(f, cx.span(l, self.i)))
            }
            K::AtResult | K::AtSession => {
                let result = self.peek() == K::AtResult;
                self.bump();
                self.eat(K::Dot)?;
                let f = self.field()?;
                let span = cx.span(l, self.i);
                Some(if result {
                    Target::Result(f, span)
                } else {
                    Target::Session(f, span)
                })
            }
            // `NAME . F`, and the declaration words the classifier keeps at a statement's
            // start (`DeclWord` in the grammar).
            k if (k == K::Name || is_decl_word(k)) && self.peek_at(1) == K::Dot => {
                self.i += 2;
                let f = self.field()?;
                Some(Target::Arg(cx.ident(l), f, cx.span(l, self.i)))
            }
            _ => None,
        }
    }

    fn assign(&mut self) -> Option<AssignOp> {
        let op = match self.peek() {
            K::Eq => AssignOp::Set,
            K::PipeEq => AssignOp::Union,
            K::AmpEq => AssignOp::Intersect,
            K::MinusEq => AssignOp::Minus,
            K::CaretEq => AssignOp::Xor,
            _ => return None,
        };
        self.bump();
        Some(op)
    }

    /// A meta field (any other word there is E0105, which the reference parser reports).
    fn field(&mut self) -> Option<Field> {
        let f = match self.peek() {
            K::Tags => Field::Tags,
            K::Producers => Field::Producers,
            K::Consumers => Field::Consumers,
            _ => return None,
        };
        self.bump();
        Some(f)
    }

    // ---- predicates and sets: the cover grammar -----------------------------------------

    /// `Cover`: `Conj (or Conj)*`.
    fn cover(&mut self) -> Option<Cv> {
        self.list(K::Or, Self::conj)
    }

    /// `Conj`: `Neg (and Neg)*`.
    fn conj(&mut self) -> Option<Cv> {
        self.list(K::And, Self::neg)
    }

    /// An `or` (`and`) list: operands after the first go on `cx.listed`, as the grammar's
    /// `OrRest`/`AndRest` do.
    fn list(&mut self, op: K, operand: fn(&mut Self) -> Option<Cv>) -> Option<Cv> {
        let l = self.i;
        let first = operand(self)?;
        let mut n = 0;
        while self.eat(op).is_some() {
            let c = operand(self)?;
            n = self.cx.listed.push_counted(c, n);
        }
        Some(if n == 0 {
            first
        } else {
            self.cx.list(op == K::And, l, first, n, self.i)
        })
    }

    /// `Neg` with the inlined `Cmp`.
    fn neg(&mut self) -> Option<Cv> {
        let cx = self.cx;
        let l = self.i;
        match self.peek() {
            K::Not => {
                self.enter()?;
                self.bump();
                let inner = self.neg()?;
                self.depth -= 1;
                Some(cx.not(l, inner, self.i))
            }
            K::QuantAny | K::QuantAll => {
                let q = if self.peek() == K::QuantAny {
                    Quant::Any
                } else {
                    Quant::All
                };
                self.bump();
                let v = self.value_acc()?;
                self.eat(K::In)?;
                let s = self.pset()?;
                Some(cx.in_(l, Some(q), v, s, self.i))
            }
            _ if self.left_value_starts() => {
                let v = self.left_value()?;
                match self.peek() {
                    K::In => {
                        self.bump();
                        let s = self.pset()?;
                        Some(cx.in_(l, None, v, s, self.i))
                    }
                    K::EqEq => {
                        self.bump();
                        let w = self.right_value()?;
                        Some(cx.value_eq(l, v, w, self.i))
                    }
                    _ => None,
                }
            }
            _ => {
                let s = self.chain(true)?;
                let o = self.i;
                let op = match self.peek() {
                    K::Overlaps => SetCmpOp::Overlaps,
                    K::Subset => {
                        self.bump();
                        self.peek_is(K::Of)?;
                        SetCmpOp::Subset
                    }
                    K::Superset => {
                        self.bump();
                        self.peek_is(K::Of)?;
                        SetCmpOp::Superset
                    }
                    K::EqEq => SetCmpOp::Eq,
                    K::Is => {
                        self.bump();
                        let universal = match self.peek() {
                            K::Empty => false,
                            K::Universal => true,
                            _ => return None,
                        };
                        self.bump();
                        return Some(cx.is(l, s, o, universal, self.i));
                    }
                    _ => return Some(s),
                };
                self.bump();
                let t = self.pset()?;
                Some(cx.set_cmp(l, s, o, op, t, self.i))
            }
        }
    }

    /// `Some` if the next token is `k` (not consumed).
    fn peek_is(&self, k: K) -> Option<()> {
        (self.peek() == k).then_some(())
    }

    /// `Chain<CAtom, PAtom>` (`cover_atom`) or `Chain<PAtom, PAtom>`, ended: the set operators
    /// folded by `Cx::chain_op` exactly as the grammar's actions fold them.
    fn chain(&mut self, cover_atom: bool) -> Option<Cv> {
        let cx = self.cx;
        let first = if cover_atom {
            self.catom()?
        } else {
            self.patom()?
        };
        // No operator: the chain is its one operand, which `chain_start` would push and
        // `chain_end` pop again (most chains are a single atom).
        if chain_step(self.peek()).is_none() {
            return Some(first);
        }
        let mut n = cx.chain_start(first);
        while let Some(step) = chain_step(self.peek()) {
            let o = self.bump();
            match step {
                Some(op) => {
                    let b = self.patom()?;
                    n = cx.chain_op(n, op, o, b);
                }
                None => {
                    let without = self.kinds[o] == K::Without;
                    self.element()?;
                    n = cx.chain_with(n, o, without, self.i);
                }
            }
        }
        Some(cx.chain_end(n))
    }

    /// `CAtom`: a parenthesised cover, a set atom, or a name (any word but `not`).
    fn catom(&mut self) -> Option<Cv> {
        let l = self.i;
        match self.peek() {
            K::LParen => self.paren(Self::cover),
            K::LBrace => self.literal(),
            _ if self.meta_starts() => self.meta(),
            k if is_cname(k) => {
                self.bump();
                Some(self.cx.name(l))
            }
            _ => None,
        }
    }

    /// `( inner )`, one level deeper (`CAtom` and `PAtom`).
    fn paren(&mut self, inner: fn(&mut Self) -> Option<Cv>) -> Option<Cv> {
        let l = self.i;
        self.enter()?;
        self.bump();
        let inner = inner(self)?;
        self.eat(K::RParen)?;
        self.depth -= 1;
        Some(self.cx.paren(l, inner, self.i))
    }

    /// A meta accessor as a set atom (`SetAtom`).
    fn meta(&mut self) -> Option<Cv> {
        let l = self.i;
        let m = self.meta_acc()?;
        Some(self.cx.meta(m, l, self.i))
    }

    /// `PAtom`: a parenthesised set, a set atom, or a name (`not` included). A value
    /// accessor there is an error (the reference parser reports it).
    fn patom(&mut self) -> Option<Cv> {
        let l = self.i;
        match self.peek() {
            K::LParen => self.paren(|d| d.chain(false)),
            K::LBrace => self.literal(),
            _ if self.meta_starts() => self.meta(),
            _ if self.peek_at(1) == K::DotValue => None,
            k if is_cname(k) || k == K::Not => {
                self.bump();
                Some(self.cx.name(l))
            }
            _ => None,
        }
    }

    /// `PSet`: a set in a set position, converted.
    fn pset(&mut self) -> Option<Box<SetExpr>> {
        let s = self.chain(false)?;
        Some(Box::new(self.cx.to_set(s)))
    }

    /// `{e, …}` (`SetAtom`).
    fn literal(&mut self) -> Option<Cv> {
        let l = self.eat(K::LBrace)?;
        let mut n = 0;
        if self.peek() != K::RBrace {
            loop {
                self.element()?;
                n += 1;
                if self.eat(K::Comma).is_none() {
                    break;
                }
            }
        }
        self.eat(K::RBrace)?;
        Some(self.cx.literal(l, n, self.i))
    }

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

    // ---- values -------------------------------------------------------------------------

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

    fn element(&mut self) -> Option<()> {
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
        cx.element(kind, l, self.i);
        Some(())
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

/// What continues a chain at terminal `k`: a set operator, or `with`/`without` (`None`).
fn chain_step(k: K) -> Option<Option<SetOp>> {
    Some(Some(match k {
        K::Caret | K::Xor => SetOp::Xor,
        K::Minus | K::MinusKw => SetOp::Minus,
        K::Amp | K::Intersect | K::AggIntersect => SetOp::Intersect,
        K::Pipe | K::Union | K::AggUnion => SetOp::Union,
        K::With | K::Without => return Some(None),
        _ => return None,
    }))
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
