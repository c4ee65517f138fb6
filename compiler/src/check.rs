//! Stage `check`: source text (or an AST) to the typed IR, with every diagnostic of sqrt.md §4.
//!
//! `resolve` builds the let namespace, `typeck` checks every let body and every policy in its
//! context and builds the IR, `lint` adds the warnings. The checker never stops at the first
//! error; the IR is returned only when there is none.
//!
//! A well-formed text is read one declaration at a time (`check_streamed`): its lets first,
//! then each tool declaration parsed, checked and freed before the next, so the whole tree
//! never exists; any other text is parsed whole, with the reference parser's recovery, and its
//! tree checked (`check_tree`). Both give the same result wherever both apply (tested).

mod lint;
mod literal;
mod number;
mod resolve;
#[cfg(test)]
mod tests;
mod typeck;

use sqrt_std::tools::ToolSet;

use crate::ast::{self, MemberKind, NumValue};
use crate::diag::Diagnostic;
use crate::ir;
use crate::parse::stream::{self, Stream};
use crate::split;
use number::Policies;
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

/// `check` with the text split into the given parts (`split::parts_for`; tests): streamed
/// (`check_streamed`) where the fast path reads the text, else whole (`check_tree`).
#[doc(hidden)]
pub fn check_in_parts(
    src: &str,
    opts: &CheckOptions<'_>,
    parts: &[std::ops::Range<usize>],
) -> Checked {
    check_streamed(src, opts, parts).unwrap_or_else(|| check_tree(src, opts))
}

/// Each part read one declaration at a time (`parse::stream`), on its own thread: its lets
/// first, then, once the lets of every part are resolved, each tool declaration parsed,
/// checked and freed before the next, so the whole tree never exists. `None` for a text the
/// fast path cannot read that way, which includes any text with a syntax error, and for parts
/// that together exceed the let expansion budget.
#[doc(hidden)]
pub fn check_streamed(
    src: &str,
    opts: &CheckOptions<'_>,
    parts: &[std::ops::Range<usize>],
) -> Option<Checked> {
    let opened = split::map(parts, |r| Stream::open(src, r.clone()));
    let opened = opened.into_iter().collect::<Option<Vec<_>>>()?;
    check_parts(opened, Stream::finish, opts, false)
}

/// The whole text parsed into one tree by the reference route (error recovery, every syntax
/// diagnostic), then checked: what `check` does with a text the fast path cannot read.
#[doc(hidden)]
pub fn check_tree(src: &str, opts: &CheckOptions<'_>) -> Checked {
    let parsed = crate::parse::parse_range(src, 0..src.len());
    let syntax_errors = parsed.has_errors();
    let mut checked = check_ast(parsed.program, opts, syntax_errors);
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

/// Checks a parsed program, consuming it: each policy's tree is freed as soon as its IR is
/// built. With `syntax_errors`, names that may be defined in the unparsed text are not
/// reported as unknown, and no warnings are given.
pub fn check_ast(program: ast::Program, opts: &CheckOptions<'_>, syntax_errors: bool) -> Checked {
    let mut lets = Vec::new();
    let mut tools = Vec::with_capacity(program.items.len());
    for (n, item) in program.items.into_iter().enumerate() {
        match item {
            ast::Item {
                kind: ast::ItemKind::Let(decl),
                ..
            } => lets.push((n, decl)),
            ast::Item {
                kind: ast::ItemKind::Error,
                ..
            } => {}
            item => tools.push((n, item)),
        }
    }
    check_parts(
        vec![(tools.into_iter(), lets)],
        |_| true,
        opts,
        syntax_errors,
    )
    .expect("one part of a whole tree is always checked")
}

/// What the checker found in one part of a program, or in the parts so far.
struct PartChecked {
    policies: Policies,
    diags: Vec<Diagnostic>,
    /// W0006, found while checking (`Checker::set`).
    mixed: Vec<Diagnostic>,
    used: Vec<bool>,
    spent: Option<usize>,
}

impl PartChecked {
    /// What the next part found, after this one's: its policies numbered and linted across
    /// both.
    fn append(&mut self, mut next: PartChecked) {
        self.policies.append(next.policies);
        self.diags.append(&mut next.diags);
        self.mixed.append(&mut next.mixed);
        for (u, v) in self.used.iter_mut().zip(&next.used) {
            *u |= v;
        }
        self.spent = self.spent.zip(next.spent).map(|(a, b)| a.saturating_add(b));
    }
}

/// Checks a program given in consecutive parts, each on its own thread: a part is its lets,
/// each with its index among the part's declarations, and its tool declarations in order,
/// which `tools` yields one at a time (each is freed once its IR is built); `whole` says
/// afterwards whether `tools` yielded the whole part. The lets of all parts are resolved
/// first, since a let may be used anywhere. Each part is appended to the ones before it
/// (numbered and linted with them) as soon as they are all done, while later parts are still
/// being checked.
///
/// `None` when a part was not whole, or when several parts together need more let expansions
/// than a file may (the caller then checks the whole text on one thread, which reports the
/// limit once, at the same place as ever).
fn check_parts<T: Iterator<Item = (usize, ast::Item)> + Send>(
    parts: Vec<(T, stream::Lets)>,
    whole: impl Fn(T) -> bool + Sync,
    opts: &CheckOptions<'_>,
    syntax_errors: bool,
) -> Option<Checked> {
    literal::forget_valid_regexes();
    let several = parts.len() > 1;
    let (tools, lets_of): (Vec<T>, Vec<stream::Lets>) = parts.into_iter().unzip();
    // Every part's policies, for room in the list they are all appended to.
    let total: usize = tools.iter().map(tools_left).sum();
    let mut diags = Vec::new();
    let decls = lets_of.iter().flatten().map(|(_, decl)| decl).collect();
    let lets = resolve::resolve(decls, &mut diags);
    let lint = !opts.prelude && !syntax_errors;
    let check_part = |(mut tools, part_lets): (T, &stream::Lets)| {
        let mut checker = Checker::new(&lets, opts);
        checker.quiet_unknown = syntax_errors;
        checker.lint_mixed = lint;
        let mut policies = Policies::new(tools_left(&tools), lint);
        let mut part_lets = part_lets.iter().peekable();
        // In source order, let bodies included: where the let expansion limit trips depends
        // on it.
        for (n, item) in tools.by_ref() {
            while let Some((_, decl)) = part_lets.next_if(|&&(k, _)| k < n) {
                checker.let_body(decl);
            }
            match item.kind {
                ast::ItemKind::Policy(p) => policies.push(policy(&mut checker, &p)),
                ast::ItemKind::Shorthand(s) => policies.push(shorthand(&mut checker, &s)),
                ast::ItemKind::Let(_) | ast::ItemKind::Error => {}
            }
        }
        part_lets.for_each(|(_, decl)| checker.let_body(decl));
        policies.settle();
        let spent = checker.spent();
        literal::forget_valid_regexes();
        let checked = PartChecked {
            policies,
            diags: checker.diags,
            mixed: checker.mixed,
            used: checker.used,
            spent,
        };
        whole(tools).then_some(checked)
    };
    // Every part appended, in order, to an empty start that has room for all their policies;
    // `None` once a part was not whole.
    let start = PartChecked {
        policies: Policies::new(total, lint),
        diags: Vec::new(),
        mixed: Vec::new(),
        used: vec![false; lets.lets.len()],
        spent: Some(0),
    };
    let checked = split::map_fold(
        tools.into_iter().zip(&lets_of),
        check_part,
        Some(start),
        |all: &mut Option<PartChecked>, part| match (all.as_mut(), part) {
            (Some(all), Some(part)) => all.append(part),
            _ => *all = None,
        },
    )?;
    if several && checked.spent.is_none_or(|n| n > typeck::MAX_EXPANSIONS) {
        return None;
    }
    let mut unused = Vec::new();
    if lint {
        lint::unused_lets(&lets, &checked.used, &mut unused);
    }
    drop(lets);
    split::drop_all(lets_of);
    let (program, diags) = merge(checked, diags, unused, lint);
    literal::forget_valid_regexes();
    Some(finish(Some(program), diags))
}

/// How many tool declarations a part has left (a stream knows how many it will yield at
/// most, not at least).
fn tools_left(tools: &impl Iterator) -> usize {
    let (fewest, most) = tools.size_hint();
    most.unwrap_or(fewest)
}

/// The policies of all parts, with all diagnostics in order.
fn merge(
    checked: PartChecked,
    mut diags: Vec<Diagnostic>,
    mut unused: Vec<Diagnostic>,
    lint: bool,
) -> (ir::Program, Vec<Diagnostic>) {
    let PartChecked {
        policies,
        diags: mut found,
        mut mixed,
        ..
    } = checked;
    diags.append(&mut found);
    diags.append(&mut unused);
    if lint {
        // Rules with errors have placeholder conditions that would compare equal.
        if !diags.iter().any(Diagnostic::is_error) {
            diags.extend(policies.lint.into_iter().flatten().map(|(_, d)| d));
        }
        diags.append(&mut mixed);
    }
    let program = ir::Program {
        policies: policies.list,
    };
    (program, diags)
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
    // Sized once: grown by pushes, the rules of a two-rule policy took room for four.
    let rules = p
        .members
        .iter()
        .filter(|m| matches!(m.kind, MemberKind::Rule(_)));
    out.rules.reserve_exact(rules.count());
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
