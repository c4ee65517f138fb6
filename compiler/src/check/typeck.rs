//! AST to typed IR: contexts (sqrt.md §4.2), label sets vs value sets (§4.3), reserved tags
//! and tool schemas (§4.4), with every let expanded where it is used (§4.1).
//!
//! Where an error is reported depends on what it depends on:
//! - **context-free** errors (unknown names, wrong let kinds, bad literals, a value set in a
//!   label position written inside the let) are reported once, where they are written. While a
//!   let is being expanded at a use they are not reported again.
//! - **context** errors (`@result` or bare `@F` where unavailable, arguments missing from the
//!   schema, removing a reserved tag) depend on the use, so they are reported at the outermost
//!   use, with a label at the place inside the let.

use sqrt_std::tools::Tool;

mod update;

use super::CheckOptions;
use super::lint;
use super::literal;
use super::resolve::{Kind, Lets};
use crate::ast::{self, AggOp, Ident};
use crate::diag::{Diagnostic, Severity, Span};
use crate::ir::{self, Elem, LSet, MetaRef, VSet, Val};

/// Where the expression being checked sits (the rows of the §4.2 table).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// A let body checked on its own: only context-free errors are known.
    Let,
    Check,
    Before,
    Result,
    After,
}

impl Place {
    fn block_name(self) -> &'static str {
        match self {
            Place::Let => "a let",
            Place::Check => "a check rule",
            Place::Before => "`session before`",
            Place::Result => "`result`",
            Place::After => "`session after`",
        }
    }
}

/// A typed set expression.
enum TSet {
    Labels(LSet),
    /// A value set and the span of what made it one.
    Values(VSet, Span),
    /// Already reported.
    Err,
}

fn to_vset(s: TSet) -> Option<VSet> {
    match s {
        TSet::Labels(l) => Some(VSet::Labels(l)),
        TSet::Values(v, _) => Some(v),
        TSet::Err => None,
    }
}

struct Frame {
    let_idx: usize,
    use_span: Span,
}

pub struct Checker<'a> {
    lets: &'a Lets<'a>,
    opts: &'a CheckOptions<'a>,
    pub diags: Vec<Diagnostic>,
    /// Lets referenced by name somewhere in the text.
    pub used: Vec<bool>,
    frames: Vec<Frame>,
    place: Place,
    /// The tools of `--tools` the current policy matches (`None`: no schema checks).
    tools: Option<Vec<&'a Tool>>,
    /// The file has syntax errors, so an unknown name may be defined in the unparsed part.
    pub quiet_unknown: bool,
    /// Let expansions so far, against `MAX_EXPANSIONS`.
    expansions: usize,
    /// Whether the expansion limit was already reported.
    limit_reported: bool,
    /// Whether to give W0006 (`lint::mixed_operators`), decided at each root set expression
    /// written in the text, and the warnings so far (kept apart: they come after the others).
    pub lint_mixed: bool,
    pub mixed: Vec<Diagnostic>,
}

/// How deep lets may nest inside each other, and how many expansions a file may need in all:
/// bounds on the checker's stack and work (lets may otherwise expand exponentially).
const MAX_LET_DEPTH: usize = 64;
pub const MAX_EXPANSIONS: usize = 100_000;

fn placeholder(span: Span) -> ir::Pred {
    ir::Pred {
        kind: ir::PredKind::And(Vec::new()),
        span,
    }
}

fn is_reserved(label: &str) -> bool {
    label.starts_with("__")
}

impl<'a> Checker<'a> {
    pub fn new(lets: &'a Lets<'a>, opts: &'a CheckOptions<'a>) -> Checker<'a> {
        Checker {
            lets,
            opts,
            diags: Vec::new(),
            used: vec![false; lets.lets.len()],
            frames: Vec::new(),
            place: Place::Let,
            tools: None,
            quiet_unknown: false,
            expansions: 0,
            limit_reported: false,
            lint_mixed: false,
            mixed: Vec::new(),
        }
    }

    /// How many let expansions the checker made, or `None` once it reported a limit.
    pub fn spent(&self) -> Option<usize> {
        (!self.limit_reported).then_some(self.expansions)
    }

    // ---- reporting -------------------------------------------------------------------------

    /// A context-free diagnostic: reported only where it is written (not inside an expansion).
    fn free(&mut self, d: Diagnostic) {
        if !self.frames.is_empty() || (d.severity == Severity::Warning && self.opts.prelude) {
            return;
        }
        self.diags.push(d);
    }

    fn free_all(&mut self, ds: Vec<Diagnostic>) {
        ds.into_iter().for_each(|d| self.free(d));
    }

    /// A context diagnostic: reported at the outermost let use when inside an expansion.
    fn contextual(&mut self, d: Diagnostic) {
        if self.place == Place::Let || (d.severity == Severity::Warning && self.opts.prelude) {
            return;
        }
        let Some(outer) = self.frames.first() else {
            self.diags.push(d);
            return;
        };
        let name = &self.lets.lets[outer.let_idx].decl.name.name;
        let inner = self.lets.lets[self.frames[self.frames.len() - 1].let_idx]
            .decl
            .name
            .name
            .clone();
        let mut moved = Diagnostic {
            span: outer.use_span,
            labels: vec![(d.span, format!("{} (inside let `{inner}`)", d.message))],
            ..d.clone()
        };
        moved.labels.extend(d.labels);
        moved.notes.push(format!(
            "`{name}` is expanded where it is used, so its body is checked in this {}",
            if self.place == Place::Check {
                "check rule"
            } else {
                "block"
            }
        ));
        self.diags.push(moved);
    }

    // ---- lets ------------------------------------------------------------------------------

    /// Looks up a reference written at `id`: reports E0201/E0204 and returns the let to expand.
    fn lookup(&mut self, id: &Ident, want: &[Kind], position: &str) -> Option<usize> {
        let Some((idx, l)) = self.lets.get(&id.name) else {
            if !self.quiet_unknown {
                self.free(
                    Diagnostic::error("E0201", id.span, format!("unknown name `{}`", id.name))
                        .with_help(format!(
                            "define it with `let {} = ...;` (lets may appear anywhere in the file)",
                            id.name
                        )),
                );
            }
            return None;
        };
        if self.frames.is_empty() {
            self.used[idx] = true;
        }
        let kind = l.kind?;
        if !want.contains(&kind) {
            let d = Diagnostic::error(
                "E0204",
                id.span,
                format!(
                    "`{}` is {}, but {position} is needed here",
                    id.name,
                    kind.describe()
                ),
            )
            .with_label(
                l.decl.name.span,
                format!("`{}` is defined here as {}", id.name, kind.describe()),
            );
            let d = match kind {
                Kind::Pred => d.with_help("a predicate let can only be used where a condition is expected"),
                _ => d.with_help("set and domain lets can only be used where a set is expected, e.g. `x.value in NAME`"),
            };
            self.free(d);
            return None;
        }
        if self.frames.iter().any(|f| f.let_idx == idx) {
            return None; // a cycle, reported by resolve
        }
        self.expansions += 1;
        if self.frames.len() >= MAX_LET_DEPTH || self.expansions > MAX_EXPANSIONS {
            if !self.limit_reported {
                self.limit_reported = true;
                let at = self.frames.first().map_or(id.span, |f| f.use_span);
                self.diags.push(
                    Diagnostic::error(
                        "E0107",
                        at,
                        format!(
                            "lets nest too deeply (more than {MAX_LET_DEPTH} levels) or expand too often (more than {MAX_EXPANSIONS} expansions)"
                        ),
                    )
                    .with_help("lets are expanded where they are used; flatten the chain of lets"),
                );
            }
            return None;
        }
        Some(idx)
    }

    fn push_frame(&mut self, idx: usize, use_span: Span) {
        self.frames.push(Frame {
            let_idx: idx,
            use_span,
        });
    }

    // ---- predicates ------------------------------------------------------------------------

    pub fn pred(&mut self, p: &ast::Pred) -> ir::Pred {
        use ast::PredKind as P;
        let kind = match &p.kind {
            P::Or(ps) => ir::PredKind::Or(ps.iter().map(|p| self.pred(p)).collect()),
            P::And(ps) => ir::PredKind::And(ps.iter().map(|p| self.pred(p)).collect()),
            P::Not(q) => ir::PredKind::Not(Box::new(self.pred(q))),
            P::Paren(q) => return self.pred(q),
            P::Ref(id) => return self.pred_ref(id),
            P::In { quant, value, set } => {
                let v = self.value(value);
                if quant.is_none() {
                    self.warn_plain_in_on_array(value);
                }
                let s = self.set(set);
                match (v, to_vset(s)) {
                    (Some(value), Some(set)) => ir::PredKind::In {
                        quant: *quant,
                        value,
                        set,
                    },
                    _ => return placeholder(p.span),
                }
            }
            P::ValueEq(pair) => match (self.value(&pair[0]), self.value(&pair[1])) {
                (Some(a), Some(b)) => ir::PredKind::ValueEq(a, b),
                _ => return placeholder(p.span),
            },
            P::SetCmp { left, op, right } => {
                let l = self.meta(left);
                let r = self.labels(right, "a set comparison");
                match (l, r) {
                    (Some(left), Some(right)) => ir::PredKind::SetCmp {
                        left,
                        op: *op,
                        right,
                    },
                    _ => return placeholder(p.span),
                }
            }
            P::Is { left, universal } => match self.meta(left) {
                Some(m) if *universal => ir::PredKind::IsUniversal(m),
                Some(m) => ir::PredKind::IsEmpty(m),
                None => return placeholder(p.span),
            },
            P::Error => return placeholder(p.span),
        };
        ir::Pred { kind, span: p.span }
    }

    fn pred_ref(&mut self, id: &Ident) -> ir::Pred {
        let Some(idx) = self.lookup(id, &[Kind::Pred], "a predicate") else {
            return placeholder(id.span);
        };
        let use_span = self.frames.first().map_or(id.span, |f| f.use_span);
        self.push_frame(idx, use_span);
        let mut out = match &self.lets.lets[idx].decl.value {
            ast::LetValue::Pred(p) => self.pred(p),
            ast::LetValue::Alias { target, .. } => self.pred_ref(target),
            _ => placeholder(id.span),
        };
        self.frames.pop();
        out.span = id.span;
        out
    }

    /// W0004: plain `in` on an argument every matched schema declares as an array.
    fn warn_plain_in_on_array(&mut self, value: &ast::ValueExpr) {
        let ast::ValueKind::Arg(id) = &value.kind else {
            return;
        };
        let Some(tools) = &self.tools else { return };
        let Some(tool) = tools
            .iter()
            .find(|t| t.param(&id.name).is_some_and(|p| p.is_array))
        else {
            return;
        };
        let d = Diagnostic::warning(
            "W0004",
            value.span,
            format!(
                "`{}` is an array in the schema of `{}`, so plain `in` is always false",
                id.name, tool.name
            ),
        )
        .with_help(format!(
            "test its elements with `any {0}.value in ...` or `all {0}.value in ...`",
            id.name
        ));
        self.contextual(d);
    }

    // ---- values and meta accessors ---------------------------------------------------------

    fn check_arg(&mut self, id: &Ident) {
        if self.place == Place::Let {
            return;
        }
        let Some(tools) = &self.tools else { return };
        if tools.iter().any(|t| t.param(&id.name).is_some()) {
            return;
        }
        let names: Vec<String> = tools.iter().map(|t| format!("`{}`", t.name)).collect();
        let mut params: Vec<String> = tools
            .iter()
            .flat_map(|t| t.params.iter().map(|p| format!("`{}`", p.name)))
            .collect();
        params.dedup();
        let help = if params.is_empty() {
            "the matched tools take no parameters".to_owned()
        } else {
            format!("known parameters: {}", params.join(", "))
        };
        let d = Diagnostic::error(
            "E0211",
            id.span,
            format!("`{}` is not a parameter of {}", id.name, names.join(" or ")),
        )
        .with_help(help);
        self.contextual(d);
    }

    fn no_result(&mut self, span: Span) {
        if matches!(self.place, Place::Check | Place::Before) {
            let d = Diagnostic::error(
                "E0206",
                span,
                format!("`@result` is not available in {}", self.place.block_name()),
            )
            .with_help("the result exists only in `result` and `session after` blocks");
            self.contextual(d);
        }
    }

    fn value(&mut self, v: &ast::ValueExpr) -> Option<Val> {
        use ast::ValueKind as V;
        Some(match &v.kind {
            V::Arg(id) => {
                self.check_arg(id);
                Val::Arg(id.name.clone())
            }
            V::Result => {
                self.no_result(v.span);
                Val::Result
            }
            V::Session => {
                self.free(
                    Diagnostic::error("E0208", v.span, "the session meta has no value")
                        .with_help("read `@session.tags`, `@session.producers` or `@session.consumers` instead"),
                );
                return None;
            }
            V::Str(s) => Val::Lit(ir::Lit::Str(s.value.clone())),
            V::Date(s) => {
                let mut ds = Vec::new();
                let i = literal::check_datetime(s, &mut ds);
                self.free_all(ds);
                Val::Lit(ir::Lit::Datetime(i?))
            }
            V::Number(n) => Val::Lit(match literal::num(n) {
                ir::Num::Int(i) => ir::Lit::Int(i),
                ir::Num::Float(f) => ir::Lit::Float(f),
            }),
            V::Bool(b) => Val::Lit(ir::Lit::Bool(*b)),
        })
    }

    fn meta(&mut self, m: &ast::MetaAcc) -> Option<MetaRef> {
        use ast::MetaKind as M;
        Some(match &m.kind {
            M::Arg(id, f) => {
                self.check_arg(id);
                MetaRef::Arg(id.name.clone(), *f)
            }
            M::Result(f) => {
                self.no_result(m.span);
                MetaRef::Result(*f)
            }
            M::Session(f) => MetaRef::Session(*f),
            M::At(f) => match self.place {
                Place::Check => {
                    let d = Diagnostic::error(
                        "E0207",
                        m.span,
                        format!("bare `@{}` is only meaningful inside a block", f.name()),
                    )
                    .with_help(format!(
                        "in a check rule write `@session.{0}` or an argument's `NAME.{0}`",
                        f.name()
                    ));
                    self.contextual(d);
                    return None;
                }
                Place::Result => MetaRef::Result(*f),
                Place::Let | Place::Before | Place::After => MetaRef::Session(*f),
            },
            M::Args(f, None | Some(AggOp::Union)) | M::Of(AggOp::Union, f) => {
                MetaRef::ArgsUnion(*f)
            }
            M::Args(f, Some(AggOp::Intersect)) | M::Of(AggOp::Intersect, f) => {
                MetaRef::ArgsIntersect(*f)
            }
        })
    }

    // ---- sets ------------------------------------------------------------------------------

    /// A root set expression: one that is not an operand of a set operator.
    fn set(&mut self, e: &ast::SetExpr) -> TSet {
        if self.lint_mixed && self.frames.is_empty() {
            self.mixed.extend(lint::mixed_operators(e));
        }
        self.set_operand(e)
    }

    /// A set expression, root or operand.
    fn set_operand(&mut self, e: &ast::SetExpr) -> TSet {
        use ast::SetKind as S;
        match &e.kind {
            S::Bin { op, lhs, rhs } => {
                let a = self.set_operand(lhs);
                let b = self.set_operand(rhs);
                match (a, b) {
                    (TSet::Err, _) | (_, TSet::Err) => TSet::Err,
                    (TSet::Labels(a), TSet::Labels(b)) => {
                        TSet::Labels(LSet::Bin(*op, Box::new(a), Box::new(b)))
                    }
                    (a, b) => {
                        let why = match (&a, &b) {
                            (TSet::Values(_, w), _) | (_, TSet::Values(_, w)) => *w,
                            _ => e.span,
                        };
                        match (to_vset(a), to_vset(b)) {
                            (Some(a), Some(b)) => {
                                TSet::Values(VSet::Bin(*op, Box::new(a), Box::new(b)), why)
                            }
                            _ => TSet::Err,
                        }
                    }
                }
            }
            S::With { set, elem, without } => {
                let s = self.set_operand(set);
                match (&elem.kind, s) {
                    (_, TSet::Err) => TSet::Err,
                    (ast::ElementKind::Str(l), TSet::Labels(s)) => TSet::Labels(LSet::With {
                        set: Box::new(s),
                        label: l.value.clone(),
                        without: *without,
                    }),
                    (_, s) => {
                        let why = match (&elem.kind, &s) {
                            (ast::ElementKind::Str(_), TSet::Values(_, w)) => *w,
                            _ => elem.span,
                        };
                        let mut ds = Vec::new();
                        let el = literal::check_elem(elem, &mut ds);
                        self.free_all(ds);
                        match (to_vset(s), el) {
                            (Some(set), Some(elem)) => TSet::Values(
                                VSet::With {
                                    set: Box::new(set),
                                    elem,
                                    without: *without,
                                },
                                why,
                            ),
                            _ => TSet::Err,
                        }
                    }
                }
            }
            S::Literal(elems) => {
                if elems
                    .iter()
                    .all(|el| matches!(el.kind, ast::ElementKind::Str(_)))
                {
                    let names = || {
                        elems.iter().filter_map(|el| match &el.kind {
                            ast::ElementKind::Str(s) if s.value != "*" => Some(&s.value),
                            _ => None,
                        })
                    };
                    let universal = names().count() < elems.len();
                    let mut one = names();
                    let labels = match (one.next(), one.next()) {
                        (Some(label), None) => ir::Labels::One(label.clone()),
                        _ => {
                            let mut labels = Vec::with_capacity(elems.len());
                            labels.extend(names().cloned());
                            ir::Labels::Many(labels)
                        }
                    };
                    return TSet::Labels(LSet::Lit { labels, universal });
                }
                let why = elems
                    .iter()
                    .find(|el| !matches!(el.kind, ast::ElementKind::Str(_)))
                    .map_or(e.span, |el| el.span);
                // Every element is checked (each reports its own errors), into one vector.
                let mut ds = Vec::new();
                let mut checked = Some(Vec::with_capacity(elems.len()));
                for el in elems {
                    match (literal::check_elem(el, &mut ds), &mut checked) {
                        (Some(el), Some(out)) => out.push(el),
                        (None, _) => checked = None,
                        (Some(_), None) => {}
                    }
                }
                self.free_all(ds);
                match checked {
                    Some(elems) => TSet::Values(VSet::Lit(elems), why),
                    None => TSet::Err,
                }
            }
            S::Meta(m) => self
                .meta(m)
                .map_or(TSet::Err, |m| TSet::Labels(LSet::Meta(m))),
            S::Ref(id) => self.set_ref(id),
            S::Paren(inner) => self.set(inner),
            S::Error => TSet::Err,
        }
    }

    fn set_ref(&mut self, id: &Ident) -> TSet {
        let Some(idx) = self.lookup(id, &[Kind::Set, Kind::Domain], "a set") else {
            return TSet::Err;
        };
        let use_span = self.frames.first().map_or(id.span, |f| f.use_span);
        self.push_frame(idx, use_span);
        let out = match &self.lets.lets[idx].decl.value {
            ast::LetValue::Set(s) => match self.set(s) {
                // What made it a value set is, from here, the name.
                TSet::Values(v, _) => TSet::Values(v, id.span),
                other => other,
            },
            ast::LetValue::Domain(d) => {
                let mut ds = Vec::new();
                let dom = literal::check_domain(d, &mut ds);
                self.free_all(ds);
                dom.map_or(TSet::Err, |d| {
                    TSet::Values(VSet::Lit(vec![Elem::Domain(Box::new(d))]), id.span)
                })
            }
            ast::LetValue::Alias { target, .. } => match self.set_ref(target) {
                TSet::Values(v, _) => TSet::Values(v, id.span),
                other => other,
            },
            ast::LetValue::Pred(_) => TSet::Err,
        };
        self.frames.pop();
        out
    }

    /// A set in a label position (E0305 when it is a value set).
    fn labels(&mut self, e: &ast::SetExpr, position: &str) -> Option<LSet> {
        match self.set(e) {
            TSet::Labels(l) => Some(l),
            TSet::Err => None,
            TSet::Values(_, why) => {
                let mut d = Diagnostic::error("E0305", e.span, format!("{position} needs a label set, but this is a value set"))
                    .with_help("label sets hold only plain strings (`{\"a\", \"b\"}`) or meta accessors; regexes, wildcards, numbers and domains may only appear on the right of `in`");
                if why != e.span {
                    d = d.with_label(why, "this is a value, not a label");
                }
                self.free(d);
                None
            }
        }
    }

    // ---- policies --------------------------------------------------------------------------

    /// Checks a let body on its own (context-free errors only).
    pub fn let_body(&mut self, decl: &ast::LetDecl) {
        self.place = Place::Let;
        self.tools = None;
        match &decl.value {
            ast::LetValue::Domain(d) => {
                let mut ds = Vec::new();
                literal::check_domain(d, &mut ds);
                self.free_all(ds);
            }
            ast::LetValue::Pred(p) => {
                self.pred(p);
            }
            ast::LetValue::Set(s) => {
                self.set(s);
            }
            ast::LetValue::Alias { target, .. } => {
                if self.lets.get(&target.name).is_none() {
                    self.lookup(target, &[Kind::Pred, Kind::Set, Kind::Domain], "a let");
                } else if let Some((idx, _)) = self.lets.get(&target.name) {
                    self.used[idx] = true;
                }
            }
        }
    }

    /// The tool match of an id (E0301 for a bad regex), and which `--tools` it matches (W0003).
    pub fn tool_id(&mut self, id: &ast::ToolId) -> ir::ToolMatch {
        let (tool, valid) = match id {
            ast::ToolId::Exact(s) => (ir::ToolMatch::Exact(s.value.clone()), true),
            ast::ToolId::Regex(r) => {
                let mut ds = Vec::new();
                let ok = literal::check_regex(r, &mut ds);
                self.free_all(ds);
                (ir::ToolMatch::Regex(r.value.clone()), ok)
            }
        };
        self.tools = None;
        if let Some(set) = self.opts.tools {
            let matched: Vec<&'a Tool> = match &tool {
                // An invalid regex: already an error, no schema checks.
                _ if !valid => return tool,
                ir::ToolMatch::Exact(name) => set.get(name).into_iter().collect(),
                // Compiled (and cached) by `check_regex` already.
                ir::ToolMatch::Regex(re) => match crate::interp::full_match_regex(re) {
                    Ok(re) => set.iter().filter(|t| re.is_match(&t.name)).collect(),
                    Err(_) => return tool,
                },
            };
            if matched.is_empty() {
                let lit = id.lit();
                self.free(
                    Diagnostic::warning("W0003", lit.span, format!("`{}` matches no tool in the tools file", lit.value))
                        .with_help("check the spelling against the tool names; arguments of this policy are not checked"),
                );
            } else {
                self.tools = Some(matched);
            }
        }
        tool
    }

    pub fn set_place(&mut self, place: Place) {
        self.place = place;
    }
}
