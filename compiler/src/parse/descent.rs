//! The fast path: a recursive-descent recogniser of well-formed programs over the classified
//! terminals (`Cx::kinds`) that builds the tree with the grammar actions of `grammar.lalrpop`
//! for declarations, members and statements (the `Cx` methods, with the same token
//! locations), and builds predicates and sets straight into the AST (`expr`).
//!
//! Why this is exact: the grammar has no conflicts, so it is unambiguous, and every program
//! it accepts has one derivation. This module only ever follows productions of the grammar
//! (never an error production) and only returns a program once it has derived the whole
//! input, so what it derived is that one derivation, and calling each production's action
//! with that production's locations builds what the automaton builds. Predicates and sets
//! are the exception: the grammar parses them as covers and converts them, and `expr` says
//! why reading them directly gives what that conversion gives on a well-formed program. The
//! grammar keeps its lists on the `Pending` stacks for its symbols' sake; here members,
//! statements and a `when`'s updates go straight into their lists (the same entries in the
//! same order), and only the items use `Cx::items`. The actions' other side effects are
//! claimed docs, poisons and diagnostics: the caller (`parse::parse_with`) falls back to the
//! automaton as soon as any poison, diagnostic or unclaimed doc exists, so only the tree is
//! ever kept from this path.
//!
//! It returns `None` (the caller runs the reference parser on a reset `Cx`) at the first
//! token where the input is not a well-formed program, where it would need a production it
//! does not follow (the error productions, a value where a set is needed, a nested `when`,
//! a construct open at END), and at nesting deeper than `MAX_DEPTH`, which is E0107 anyway.
//! Choices between productions look at most two terminals ahead (a let's right-hand side
//! excepted, which is read again from its start as a predicate and then as a set); where a
//! word may be a keyword or a name, the terminal the classifier gave it and the production's
//! position decide, exactly as the grammar's `CName`/`PName`/`AnyWord` lists allow.

mod expr;

use super::classify::is_decl_word;
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
/// after the `}` that closes its body, or after its `;` (a shorthand). Only a parse of the
/// declaration says whether it is well-formed (`declaration` must then end at the same
/// token), so only braces are counted and a shorthand ends at its first `;`: in a well-formed
/// declaration parentheses and brackets are balanced and no `;` is inside a shorthand, and on
/// any other the parse ends elsewhere or gives up.
pub(super) fn skip_tool(kinds: &[K], at: usize) -> Option<usize> {
    let rest = kinds.get(at + 1..)?;
    if kinds.get(at + 2) != Some(&K::LBrace) {
        let semi = rest.iter().position(|&k| k == K::Semi)?;
        return Some(at + 1 + semi + 1);
    }
    let mut depth = 0u32;
    for (i, &k) in rest.iter().enumerate() {
        if k == K::LBrace {
            depth += 1;
        } else if k == K::RBrace {
            depth = depth.checked_sub(1)?;
            if depth == 0 {
                return Some(at + 1 + i + 1);
            }
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
                let value = self.let_value()?;
                self.eat(K::Semi)?;
                cx.let_item(l, name, value, self.i)
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

    /// `{ Member* }`. The members go straight into the body's list: the grammar's side stack
    /// (`Cx::members`) is there for its symbols' sake, and would only add a copy of each.
    fn policy_body(&mut self) -> Option<(Vec<Member>, usize, bool)> {
        self.eat(K::LBrace)?;
        let mut members = Vec::new();
        while self.peek() != K::RBrace {
            members.push(self.member()?);
        }
        let close = self.bump();
        Some(self.cx.body(members, None, close))
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
        let value = self.set_boxed()?;
        let cond = match self.eat(K::When) {
            Some(_) => Some(self.cond()?),
            None => None,
        };
        self.eat(K::Semi)?;
        Some(cx.shorthand_item(l, id, priority, target, field, op, value, cond, self.i))
    }

    fn member(&mut self) -> Option<Member> {
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
                        Some(self.cond()?)
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
        Some(member)
    }

    /// `{ Stmt* }`, the statements straight into the block's list (as `policy_body`).
    fn block(&mut self) -> Option<Block> {
        let l = self.eat(K::LBrace)?;
        let mut stmts = Vec::new();
        while self.peek() != K::RBrace {
            stmts.push(self.stmt()?);
        }
        let close = self.bump();
        Some(self.cx.block(l, stmts, None, close, self.i))
    }

    fn stmt(&mut self) -> Option<Stmt> {
        let cx = self.cx;
        let l = self.i;
        let stmt = if self.eat(K::When).is_some() {
            let cond = self.cond()?;
            self.eat(K::LBrace)?;
            // `WhenItem*`: updates only (a nested `when` is E0106). Not boxed and not passed
            // through `Cx::when_update`, which only claims an update's poisons: with any
            // poison the fast path's tree is not kept.
            let mut updates = Vec::new();
            while self.peek() != K::RBrace {
                updates.push(self.update()?);
                self.eat(K::Semi)?;
            }
            self.bump();
            cx.when_of(l, cond, updates, self.i)
        } else {
            let u = self.update()?;
            self.eat(K::Semi)?;
            cx.update_stmt(l, u, self.i)
        };
        Some(stmt)
    }

    /// `Update`, not boxed: the grammar boxes it only to keep its symbols small.
    fn update(&mut self) -> Option<Update> {
        let l = self.i;
        let target = self.target()?;
        let op = self.assign()?;
        let value = self.set_boxed()?;
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
}
