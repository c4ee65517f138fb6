//! Warnings (sqrt.md §4.5): rules that cannot matter (W0001), duplicate rules (W0002), unused
//! lets (W0005) and set operators mixed without parentheses (W0006). W0003 and W0004 need the
//! tool schemas and the context, so `typeck` reports them.

use std::collections::hash_map::Entry;

use rustc_hash::FxHashMap;

use super::resolve::Lets;
use crate::ast::{self, SetKind, SetOp};
use crate::diag::{Diagnostic, Span};
use crate::ir;

pub fn unused_lets(lets: &Lets<'_>, used: &[bool], diags: &mut Vec<Diagnostic>) {
    for (l, used) in lets.lets.iter().zip(used) {
        if !used {
            let name = &l.decl.name;
            diags.push(
                Diagnostic::warning(
                    "W0005",
                    name.span,
                    format!("let `{}` is never used", name.name),
                )
                .with_help("remove it, or use it in a policy (it is still checked)"),
            );
        }
    }
}

/// Whether two conditions are the same modulo the spans of their `and`/`or`/`not` nodes
/// (compared in place: cloning every condition made this lint the checker's hot spot).
fn same_cond(a: Option<&ir::Pred>, b: Option<&ir::Pred>) -> bool {
    use ir::PredKind as P;
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => match (&a.kind, &b.kind) {
            (P::And(x), P::And(y)) | (P::Or(x), P::Or(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_cond(Some(p), Some(q)))
            }
            (P::Not(p), P::Not(q)) => same_cond(Some(p), Some(q)),
            (P::And(_) | P::Or(_) | P::Not(_), _) | (_, P::And(_) | P::Or(_) | P::Not(_)) => false,
            (x, y) => x == y,
        },
        _ => false,
    }
}

/// W0001 and W0002 over the checked policies.
pub fn rules(policies: &[ir::Policy], diags: &mut Vec<Diagnostic>) {
    for p in policies {
        let mut hard_deny_always: Option<Span> = None;
        for r in &p.rules {
            if let Some(at) = hard_deny_always {
                diags.push(
                    Diagnostic::warning("W0001", r.span, "this rule cannot change the verdict")
                        .with_label(at, "every call is already hard-denied here")
                        .with_help("remove the rule, or the `hard deny always` before it"),
                );
            } else if r.level == ir::Level::Hard && r.effect == ir::Effect::Deny && r.cond.is_none()
            {
                hard_deny_always = Some(r.span);
            }
        }
    }
    // Keyed by id, level and outcome so only rules that could be duplicates are compared:
    // a policy file with thousands of tools stays linear. Most keys have one rule, so the
    // first is kept inline and only later ones get a vector.
    type Key<'a> = (&'a str, bool, bool);
    type Seen<'a> = (Option<&'a ir::Pred>, Span);
    let mut seen: FxHashMap<Key<'_>, (Seen<'_>, Vec<Seen<'_>>)> = FxHashMap::default();
    for p in policies {
        for r in &p.rules {
            let cond = r.cond.as_ref();
            let key = (
                p.id_text.as_str(),
                r.level == ir::Level::Hard,
                r.effect == ir::Effect::Allow,
            );
            let (first, more) = match seen.entry(key) {
                Entry::Vacant(v) => {
                    v.insert(((cond, r.span), Vec::new()));
                    continue;
                }
                Entry::Occupied(o) => o.into_mut(),
            };
            let mut earlier = std::iter::once(&*first).chain(more.iter());
            if let Some((_, first)) = earlier.find(|(c, _)| same_cond(*c, cond)) {
                diags.push(
                    Diagnostic::warning("W0002", r.span, "this rule duplicates an earlier one")
                        .with_label(*first, "the same rule is here")
                        .with_help(
                            "remove one of them; a duplicate only adds a second identical vote",
                        ),
                );
            } else {
                more.push((cond, r.span));
            }
        }
    }
}

/// Operator families in precedence order, loosest first.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Op {
    Xor,
    Minus,
    Intersect,
    Union,
    With,
}

/// A set of operator families, one bit each (a chain has at most five).
#[derive(Default)]
struct Ops(u8);

impl Ops {
    const ALL: [Op; 5] = [Op::Xor, Op::Minus, Op::Intersect, Op::Union, Op::With];

    fn insert(&mut self, op: Op) {
        self.0 |= 1 << op as u8;
    }

    /// The families in precedence order, loosest first.
    fn iter(&self) -> impl Iterator<Item = Op> + '_ {
        Self::ALL
            .into_iter()
            .filter(|&op| self.0 & (1 << op as u8) != 0)
    }
}

fn op_text(op: Op) -> &'static str {
    match op {
        Op::Xor => "`^`",
        Op::Minus => "`-`",
        Op::Intersect => "`&`",
        Op::Union => "`|`",
        Op::With => "`with`/`without`",
    }
}

/// W0006 over every set expression of the program.
pub fn mixed_operators(program: &ast::Program, diags: &mut Vec<Diagnostic>) {
    let mut roots: Vec<&ast::SetExpr> = Vec::new();
    for item in &program.items {
        match &item.kind {
            ast::ItemKind::Let(l) => match &l.value {
                ast::LetValue::Pred(p) => pred_sets(p, &mut roots),
                ast::LetValue::Set(s) => roots.push(s),
                ast::LetValue::Domain(_) | ast::LetValue::Alias { .. } => {}
            },
            ast::ItemKind::Policy(p) => {
                for m in &p.members {
                    match &m.kind {
                        ast::MemberKind::Rule(r) => {
                            r.cond.iter().for_each(|c| pred_sets(c, &mut roots))
                        }
                        ast::MemberKind::Result(b)
                        | ast::MemberKind::SessionBefore(b)
                        | ast::MemberKind::SessionAfter(b) => {
                            for s in &b.stmts {
                                match &s.kind {
                                    ast::StmtKind::Update(u) => roots.push(&u.value),
                                    ast::StmtKind::When { cond, updates } => {
                                        pred_sets(cond, &mut roots);
                                        roots.extend(updates.iter().map(|u| &*u.value));
                                    }
                                    ast::StmtKind::Error => {}
                                }
                            }
                        }
                        ast::MemberKind::Priority(_) | ast::MemberKind::Error => {}
                    }
                }
            }
            ast::ItemKind::Shorthand(s) => {
                roots.push(&s.value);
                s.cond.iter().for_each(|c| pred_sets(c, &mut roots));
            }
            ast::ItemKind::Error => {}
        }
    }
    while let Some(root) = roots.pop() {
        let mut ops = Ops::default();
        collect(root, &mut ops, &mut roots);
        if ops.0.count_ones() > 1 {
            let names: Vec<&str> = ops.iter().map(op_text).collect();
            let mut d = Diagnostic::warning(
                "W0006",
                root.span,
                format!("set operators {} are mixed without parentheses", names.join(", ")),
            )
            .with_help("from loosest to tightest: `^` < `-` < `&` < `|` < `with` (union binds tighter than intersect); add parentheses to show the grouping");
            if let Some(inner) = grouped_first(root) {
                d = d.with_label(inner.span, "this part is grouped first");
            }
            diags.push(d);
        }
    }
}

fn family(e: &ast::SetExpr) -> Option<Op> {
    match &e.kind {
        SetKind::Bin { op: SetOp::Xor, .. } => Some(Op::Xor),
        SetKind::Bin {
            op: SetOp::Minus, ..
        } => Some(Op::Minus),
        SetKind::Bin {
            op: SetOp::Intersect,
            ..
        } => Some(Op::Intersect),
        SetKind::Bin {
            op: SetOp::Union, ..
        } => Some(Op::Union),
        SetKind::With { .. } => Some(Op::With),
        _ => None,
    }
}

/// The first operand (outermost, leftmost) of the chain that binds tighter than its parent.
fn grouped_first(e: &ast::SetExpr) -> Option<&ast::SetExpr> {
    let parent = family(e)?;
    let children: Vec<&ast::SetExpr> = match &e.kind {
        SetKind::Bin { lhs, rhs, .. } => vec![lhs, rhs],
        SetKind::With { set, .. } => vec![set],
        _ => Vec::new(),
    };
    for c in &children {
        if family(c).is_some_and(|f| f != parent) {
            return Some(c);
        }
    }
    children.into_iter().find_map(grouped_first)
}

fn pred_sets<'a>(p: &'a ast::Pred, roots: &mut Vec<&'a ast::SetExpr>) {
    use ast::PredKind as P;
    match &p.kind {
        P::Or(ps) | P::And(ps) => ps.iter().for_each(|p| pred_sets(p, roots)),
        P::Not(q) | P::Paren(q) => pred_sets(q, roots),
        P::In { set, .. } => roots.push(set),
        P::SetCmp { right, .. } => roots.push(right),
        P::Ref(_) | P::ValueEq(..) | P::Is { .. } | P::Error => {}
    }
}

/// The operators of one unparenthesised chain; parenthesised parts become new roots.
fn collect<'a>(e: &'a ast::SetExpr, ops: &mut Ops, roots: &mut Vec<&'a ast::SetExpr>) {
    match &e.kind {
        SetKind::Bin { op, lhs, rhs } => {
            ops.insert(match op {
                SetOp::Xor => Op::Xor,
                SetOp::Minus => Op::Minus,
                SetOp::Intersect => Op::Intersect,
                SetOp::Union => Op::Union,
            });
            collect(lhs, ops, roots);
            collect(rhs, ops, roots);
        }
        SetKind::With { set, .. } => {
            ops.insert(Op::With);
            collect(set, ops, roots);
        }
        SetKind::Paren(inner) => roots.push(inner),
        SetKind::Literal(_) | SetKind::Meta(_) | SetKind::Ref(_) | SetKind::Error => {}
    }
}
