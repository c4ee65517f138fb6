//! Stage `check`: source text (or an AST) to the typed IR, with every diagnostic of sqrt.md §4.
//!
//! `resolve` builds the let namespace, `typeck` checks every let body and every policy in its
//! context and builds the IR, `lint` adds the warnings. The checker never stops at the first
//! error; the IR is returned only when there is none.

mod lint;
mod literal;
mod resolve;
#[cfg(test)]
mod tests;
mod typeck;

use std::fmt::Write as _;

use rustc_hash::FxHashMap;

use sqrt_std::tools::ToolSet;

use crate::ast::{self, MemberKind, NumValue};
use crate::diag::Diagnostic;
use crate::ir;
use crate::split;
use typeck::{Checker, Place};

pub use literal::{Escapes, inner_span};

/// What the checker knows besides the source.
#[derive(Clone, Copy, Debug, Default)]
pub struct CheckOptions<'a> {
    /// The `--tools` schemas: argument names are checked against them (E0211, W0003, W0004).
    pub tools: Option<&'a ToolSet>,
    /// Checking the preset prelude (sqrt.md §5.7): exempt from E0306 and from all warnings.
    pub prelude: bool,
}

/// The checker's output.
#[derive(Clone, Debug)]
pub struct Checked {
    /// `Some` iff there is no error (warnings allowed).
    pub program: Option<ir::Program>,
    /// Syntax and semantic diagnostics, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses and checks a source text. A large text is parsed and checked in parts on several
/// threads (`split`), with the same result.
pub fn check(src: &str, opts: &CheckOptions<'_>) -> Checked {
    check_in_parts(src, opts, &split::parts(src))
}

/// `check` with the text split into the given parts (`split::parts_for`; tests).
#[doc(hidden)]
pub fn check_in_parts(
    src: &str,
    opts: &CheckOptions<'_>,
    parts: &[std::ops::Range<usize>],
) -> Checked {
    if let Some(parsed) = split::parse(src, parts) {
        let items: Vec<&[ast::Item]> = parsed.iter().map(|p| &p.program.items[..]).collect();
        let checked = check_items(&items, opts, false);
        drop(items);
        split::drop_all(parsed);
        if let Some(checked) = checked {
            return checked;
        }
    }
    let parsed = crate::parse::parse_range(src, 0..src.len());
    let mut checked = check_ast(
        &parsed.program,
        opts,
        parsed.diagnostics.iter().any(Diagnostic::is_error),
    );
    let mut diagnostics = parsed.diagnostics;
    diagnostics.append(&mut checked.diagnostics);
    finish(checked.program, diagnostics)
}

fn finish(program: Option<ir::Program>, mut diagnostics: Vec<Diagnostic>) -> Checked {
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
    let program = if diagnostics.iter().any(Diagnostic::is_error) {
        None
    } else {
        program
    };
    Checked {
        program,
        diagnostics,
    }
}

/// Checks an already parsed program. With `syntax_errors`, names that may be defined in the
/// unparsed text are not reported as unknown, and no warnings are given.
pub fn check_ast(program: &ast::Program, opts: &CheckOptions<'_>, syntax_errors: bool) -> Checked {
    check_items(&[&program.items], opts, syntax_errors).expect("one part is always checked")
}

/// What the checker found in one part of a program's items.
struct PartChecked<'a> {
    policies: Vec<(ir::Policy, &'a ast::ToolId)>,
    diags: Vec<Diagnostic>,
    /// W0006, found while checking (`Checker::set`).
    mixed: Vec<Diagnostic>,
    used: Vec<bool>,
    spent: Option<usize>,
}

/// Checks the items of consecutive parts of one program, each part on its own thread, after
/// resolving the lets of all of them. `None` when the parts together need more let expansions
/// than a file may (the caller then checks on one thread, which reports the limit once).
fn check_items(
    parts: &[&[ast::Item]],
    opts: &CheckOptions<'_>,
    syntax_errors: bool,
) -> Option<Checked> {
    literal::forget_valid_regexes();
    let mut diags = Vec::new();
    let lets = resolve::resolve(parts.iter().flat_map(|p| p.iter()), &mut diags);
    let lint = !opts.prelude && !syntax_errors;
    let checked = split::map(parts, |items| {
        let mut checker = Checker::new(&lets, opts);
        checker.quiet_unknown = syntax_errors;
        checker.lint_mixed = lint;
        let mut policies = Vec::with_capacity(items.len());
        for item in items.iter() {
            match &item.kind {
                ast::ItemKind::Let(decl) => checker.let_body(decl),
                ast::ItemKind::Policy(p) => policies.push((policy(&mut checker, p), &p.id)),
                ast::ItemKind::Shorthand(s) => policies.push((shorthand(&mut checker, s), &s.id)),
                ast::ItemKind::Error => {}
            }
        }
        let spent = checker.spent();
        literal::forget_valid_regexes();
        PartChecked {
            policies,
            diags: checker.diags,
            mixed: checker.mixed,
            used: checker.used,
            spent,
        }
    });
    let spent: Option<usize> = checked.iter().map(|c| c.spent).sum();
    if parts.len() > 1 && spent.is_none_or(|n| n > typeck::MAX_EXPANSIONS) {
        return None;
    }
    // Every item that is not a let is at most one policy.
    let most = checked.iter().map(|c| c.policies.len()).sum();
    let mut policies = Policies {
        list: Vec::with_capacity(most),
        by_id: FxHashMap::default(),
        same_id_before: Vec::with_capacity(most),
        lint: lint.then(Vec::new),
    };
    policies.by_id.reserve(most);
    let mut used = vec![false; lets.lets.len()];
    let mut mixed = Vec::new();
    for mut c in checked {
        for (p, id) in c.policies {
            policies.push(p, id);
        }
        diags.append(&mut c.diags);
        mixed.append(&mut c.mixed);
        for (u, v) in used.iter_mut().zip(c.used) {
            *u |= v;
        }
    }
    if lint {
        lint::unused_lets(&lets, &used, &mut diags);
        // Rules with errors have placeholder conditions that would compare equal.
        if !diags.iter().any(Diagnostic::is_error) {
            diags.extend(policies.lint.take().unwrap_or_default());
        }
        diags.append(&mut mixed);
    }
    literal::forget_valid_regexes();
    Some(finish(
        Some(ir::Program {
            policies: policies.list,
        }),
        diags,
    ))
}

/// The checked policies, each finished as it is added, while it is still in the cache.
struct Policies<'a> {
    list: Vec<ir::Policy>,
    /// Per id text: how many check rules the policies with that id have (rule ids are
    /// `<id>#<n>`, n counting over all of them), and the last of them. Kept small: with
    /// thousands of tools, this table's cache misses and page faults were the checker's
    /// largest cost after the tree itself.
    by_id: FxHashMap<&'a str, (usize, usize)>,
    /// For each policy, the previous one with the same id text (`usize::MAX`: none), for W0002.
    same_id_before: Vec<usize>,
    /// W0001 and W0002 so far, when linting; given only if the file has no error.
    lint: Option<Vec<Diagnostic>>,
}

impl<'a> Policies<'a> {
    fn push(&mut self, mut p: ir::Policy, id: &'a ast::ToolId) {
        let index = self.list.len();
        let entry = self
            .by_id
            .entry(id.lit().value.as_str())
            .or_insert((0, usize::MAX));
        let (named, before) = *entry;
        *entry = (named + p.rules.len(), index);
        for (k, r) in p.rules.iter_mut().enumerate() {
            r.id = rule_id(&p.id_text, named + k + 1);
        }
        self.same_id_before.push(before);
        self.list.push(p);
        if let Some(diags) = &mut self.lint {
            lint::rules(&self.list, &self.same_id_before, diags);
        }
    }
}

/// `<id>#<n>`, sized exactly: inline (no allocation) up to 24 bytes, one allocation beyond.
fn rule_id(id: &str, n: usize) -> ir::Text {
    let digits = n.ilog10() as usize + 1;
    let mut out = ir::Text::with_capacity(id.len() + 1 + digits);
    out.push_str(id);
    out.push('#');
    let _ = write!(out, "{n}");
    out
}

fn new_policy(checker: &mut Checker<'_>, id: &ast::ToolId, span: crate::diag::Span) -> ir::Policy {
    ir::Policy {
        tool: checker.tool_id(id),
        id_text: id.lit().value.clone(),
        priority: 0,
        rules: Vec::new(),
        session_before: Vec::new(),
        result: Vec::new(),
        session_after: Vec::new(),
        origin: ir::Origin::User,
        span,
    }
}

fn priority_value(n: &ast::NumLit, checker_diags: &mut Vec<Diagnostic>) -> i64 {
    match n.value {
        NumValue::Int(i) => i,
        _ => {
            checker_diags.push(Diagnostic::error(
                "E0101",
                n.span,
                format!("`{}` is not an integer priority", n.raw),
            ));
            0
        }
    }
}

fn policy(checker: &mut Checker<'_>, p: &ast::Policy) -> ir::Policy {
    let mut out = new_policy(checker, &p.id, p.span);
    let mut first_priority: Option<crate::diag::Span> = None;
    for m in &p.members {
        match &m.kind {
            MemberKind::Priority(n) => {
                if let Some(first) = first_priority {
                    checker.diags.push(
                        Diagnostic::error("E0205", m.span, "a policy has at most one `priority`")
                            .with_label(first, "the priority is set here")
                            .with_help("remove one of the `priority` lines"),
                    );
                } else {
                    first_priority = Some(m.span);
                    out.priority = priority_value(n, &mut checker.diags);
                }
            }
            MemberKind::Rule(r) => {
                checker.set_place(Place::Check);
                let cond = r.cond.as_ref().map(|c| checker.pred(c));
                out.rules.push(ir::Rule {
                    id: ir::Text::default(),
                    level: if r.level.is_hard() {
                        ir::Level::Hard
                    } else {
                        ir::Level::Soft
                    },
                    effect: r.effect,
                    cond,
                    description: m.docs.as_ref().map(|d| d.text.clone()),
                    span: r.span,
                });
            }
            MemberKind::Result(b) => append(&mut out.result, checker.block(b, Place::Result)),
            MemberKind::SessionBefore(b) => {
                append(&mut out.session_before, checker.block(b, Place::Before));
            }
            MemberKind::SessionAfter(b) => {
                append(&mut out.session_after, checker.block(b, Place::After));
            }
            MemberKind::Error => {}
        }
    }
    out
}

/// Appends a block's statements (a policy may have several blocks of one kind); the first is
/// moved, not copied.
fn append(stmts: &mut Vec<ir::Stmt>, more: Vec<ir::Stmt>) {
    if stmts.is_empty() {
        *stmts = more;
    } else {
        stmts.extend(more);
    }
}

/// `tool ID [N] -> T @F op E when P;` expands to a policy with one block (sqrt.md §3.3).
fn shorthand(checker: &mut Checker<'_>, s: &ast::Shorthand) -> ir::Policy {
    let mut out = new_policy(checker, &s.id, s.span);
    if let Some(n) = &s.priority {
        out.priority = priority_value(n, &mut checker.diags);
    }
    let place = match s.target {
        ast::ShorthandTarget::Implicit | ast::ShorthandTarget::Result => Place::Result,
        ast::ShorthandTarget::Session | ast::ShorthandTarget::SessionAfter => Place::After,
        ast::ShorthandTarget::SessionBefore => Place::Before,
    };
    // Checked as the block `{ when P { @F op E; } }` (or `{ @F op E; }`) it stands for, in the
    // same order, without building that block (which would copy the whole expression).
    checker.set_place(place);
    let target = ast::Target::At(s.field, s.field_span);
    let stmt = match &s.cond {
        Some(cond) => {
            let cond = checker.pred(cond);
            let updates = checker.update(&target, s.op, &s.value, s.span);
            Some(ir::Stmt::When {
                cond,
                updates: updates.into_iter().collect(),
                span: s.span,
            })
        }
        None => checker
            .update(&target, s.op, &s.value, s.span)
            .map(ir::Stmt::Update),
    };
    let stmts: Vec<ir::Stmt> = stmt.into_iter().collect();
    match place {
        Place::Before => out.session_before = stmts,
        Place::After => out.session_after = stmts,
        _ => out.result = stmts,
    }
    out
}
