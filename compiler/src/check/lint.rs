//! Warnings (sqrt.md §4.5): rules that cannot matter (W0001), duplicate rules (W0002), unused
//! lets (W0005) and set operators mixed without parentheses (W0006). W0003 and W0004 need the
//! tool schemas and the context, so `typeck` reports them.

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

/// W0001 and W0002 for the last of `policies`; `same_id_before[i]` is the policy before `i`
/// with the same id text (`usize::MAX`: none). Called as each policy is checked, while it is
/// still in the cache: a file with thousands of tools stays linear, since only rules of one id
/// are compared.
pub fn rules(policies: &[ir::Policy], same_id_before: &[usize], diags: &mut Vec<Diagnostic>) {
    let Some(last) = policies.len().checked_sub(1) else {
        return;
    };
    let p = &policies[last];
    let mut hard_deny_always: Option<Span> = None;
    for r in &p.rules {
        if let Some(at) = hard_deny_always {
            diags.push(
                Diagnostic::warning("W0001", r.span, "this rule cannot change the verdict")
                    .with_label(at, "every call is already hard-denied here")
                    .with_help("remove the rule, or the `hard deny always` before it"),
            );
        } else if r.level == ir::Level::Hard && r.effect == ir::Effect::Deny && r.cond.is_none() {
            hard_deny_always = Some(r.span);
        }
    }
    for (k, r) in p.rules.iter().enumerate() {
        // The earliest equal rule (an equal rule that is itself a duplicate has an earlier
        // equal one, so this is the rule the duplicates are reported against). The policies
        // sharing the id are visited last to first, so the last one found is the earliest.
        let same_id = std::iter::successors(Some(last), |&i| {
            Some(same_id_before[i]).filter(|&b| b != usize::MAX)
        });
        let mut earliest = None;
        for i in same_id {
            let rules = &policies[i].rules;
            let before = &rules[..if i == last { k } else { rules.len() }];
            if let Some(e) = before.iter().find(|e| {
                e.level == r.level
                    && e.effect == r.effect
                    && same_cond(e.cond.as_ref(), r.cond.as_ref())
            }) {
                earliest = Some(e);
            }
        }
        if let Some(first) = earliest {
            diags.push(
                Diagnostic::warning("W0002", r.span, "this rule duplicates an earlier one")
                    .with_label(first.span, "the same rule is here")
                    .with_help("remove one of them; a duplicate only adds a second identical vote"),
            );
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

/// W0006 for one root: a set expression that is not itself an operand of a set operator (the
/// whole right side of `in`, a parenthesised part, ...). The type checker calls this on every
/// root it walks, so the program is not walked a second time.
pub fn mixed_operators(root: &ast::SetExpr) -> Option<Diagnostic> {
    if !matches!(root.kind, SetKind::Bin { .. } | SetKind::With { .. }) {
        return None;
    }
    let mut ops = Ops::default();
    chain_ops(root, &mut ops);
    if ops.0.count_ones() <= 1 {
        return None;
    }
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
    Some(d)
}

/// W0006 for `e` and every root inside it, for a set expression the type checker does not walk
/// (the value of an update whose target is an error).
pub fn mixed_operators_within(e: &ast::SetExpr, out: &mut Vec<Diagnostic>) {
    fn parens(e: &ast::SetExpr, out: &mut Vec<Diagnostic>) {
        match &e.kind {
            SetKind::Bin { lhs, rhs, .. } => {
                parens(lhs, out);
                parens(rhs, out);
            }
            SetKind::With { set, .. } => parens(set, out),
            SetKind::Paren(inner) => mixed_operators_within(inner, out),
            SetKind::Literal(_) | SetKind::Meta(_) | SetKind::Ref(_) | SetKind::Error => {}
        }
    }
    out.extend(mixed_operators(e));
    parens(e, out);
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

/// The operator families of one unparenthesised chain.
fn chain_ops(e: &ast::SetExpr, ops: &mut Ops) {
    if let Some(op) = family(e) {
        ops.insert(op);
    }
    match &e.kind {
        SetKind::Bin { lhs, rhs, .. } => {
            chain_ops(lhs, ops);
            chain_ops(rhs, ops);
        }
        SetKind::With { set, .. } => chain_ops(set, ops),
        SetKind::Paren(_)
        | SetKind::Literal(_)
        | SetKind::Meta(_)
        | SetKind::Ref(_)
        | SetKind::Error => {}
    }
}
