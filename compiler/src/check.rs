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

/// Parses and checks a source text.
pub fn check(src: &str, opts: &CheckOptions<'_>) -> Checked {
    let parsed = crate::parse::parse(src);
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
    literal::forget_valid_regexes();
    let mut diags = Vec::new();
    let lets = resolve::resolve(program, &mut diags);
    let mut checker = Checker::new(&lets, opts);
    checker.quiet_unknown = syntax_errors;
    let mut policies = Vec::with_capacity(program.items.len());
    for item in &program.items {
        match &item.kind {
            ast::ItemKind::Let(decl) => checker.let_body(decl),
            ast::ItemKind::Policy(p) => policies.push(policy(&mut checker, p)),
            ast::ItemKind::Shorthand(s) => policies.push(shorthand(&mut checker, s)),
            ast::ItemKind::Error => {}
        }
    }
    number_rules(&mut policies);
    diags.append(&mut checker.diags);
    if !opts.prelude && !syntax_errors {
        lint::unused_lets(&lets, &checker.used, &mut diags);
        // Rules with errors have placeholder conditions that would compare equal.
        if !diags.iter().any(Diagnostic::is_error) {
            lint::rules(&policies, &mut diags);
        }
        lint::mixed_operators(program, &mut diags);
    }
    literal::forget_valid_regexes();
    finish(Some(ir::Program { policies }), diags)
}

fn new_policy(checker: &mut Checker<'_>, id: &ast::ToolId, span: crate::diag::Span) -> ir::Policy {
    ir::Policy {
        tool: checker.tool_id(id),
        id_text: id.lit().value.as_str().to_owned(),
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
                    id: String::new(),
                    level: if r.level.is_hard() {
                        ir::Level::Hard
                    } else {
                        ir::Level::Soft
                    },
                    effect: r.effect,
                    cond,
                    description: m.docs.as_ref().map(|d| d.text.as_str().to_owned()),
                    span: r.span,
                });
            }
            MemberKind::Result(b) => {
                let stmts = checker.block(b, Place::Result);
                out.result.extend(stmts);
            }
            MemberKind::SessionBefore(b) => {
                let stmts = checker.block(b, Place::Before);
                out.session_before.extend(stmts);
            }
            MemberKind::SessionAfter(b) => {
                let stmts = checker.block(b, Place::After);
                out.session_after.extend(stmts);
            }
            MemberKind::Error => {}
        }
    }
    out
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

/// Rule ids `<id>#<n>`: n counts the check rules of all policies sharing the id text.
fn number_rules(policies: &mut [ir::Policy]) {
    // Counted first (keyed by the borrowed id text, so nothing is copied per rule), then named.
    let mut firsts = Vec::with_capacity(policies.len());
    {
        let mut counts: FxHashMap<&str, usize> = FxHashMap::default();
        counts.reserve(policies.len());
        for p in policies.iter() {
            let n = counts.entry(p.id_text.as_str()).or_insert(0);
            firsts.push(*n);
            *n += p.rules.len();
        }
    }
    for (p, first) in policies.iter_mut().zip(firsts) {
        for (k, r) in p.rules.iter_mut().enumerate() {
            // One exact allocation per rule (`format!` may grow its buffer).
            let mut id = String::with_capacity(p.id_text.len() + 8);
            id.push_str(&p.id_text);
            id.push('#');
            let _ = write!(id, "{}", first + k + 1);
            r.id = id;
        }
    }
}
