//! Stage `lower`: checked IR (user program plus prelude) to a bytecode `Module`.
//!
//! Labels are interned once into the module's table and every label-set literal becomes a mask;
//! strings, regexes, wildcards and argument names go to pools (deduplicated); expressions become
//! arena nodes, children before parents. Policies are emitted in evaluation order (sqrt.md §5.5):
//! priority descending, then source order with the prelude after the user's policies.

use std::collections::HashMap;

use sqrt_std::label::{LabelSet, Labels};
use sqrt_std::prelude::Presets;

use crate::ast;
use crate::bytecode::*;
use crate::diag::Span;
use crate::ir;
use crate::render::LineIndex;

/// What `lower` needs: the user's checked program and source, and the checked prelude with the
/// name of each of its policies (`preset_names[i]` names `prelude.policies[i]`).
pub struct LowerInput<'a> {
    pub source: &'a str,
    pub program: &'a ir::Program,
    pub presets: &'a Presets,
    pub prelude_text: &'a str,
    pub prelude: &'a ir::Program,
    pub preset_names: &'a [String],
}

pub fn lower(input: &LowerInput<'_>) -> Module {
    let mut l = Lowerer::default();
    let mut policies: Vec<(i64, usize, PolicyCode)> = Vec::new();
    let (user_index, prelude_index) = (
        LineIndex::new(input.source),
        LineIndex::new(input.prelude_text),
    );
    for p in &input.program.policies {
        let code = l.policy(p, None, input.source, &user_index);
        policies.push((p.priority, policies.len(), code));
    }
    for (i, p) in input.prelude.policies.iter().enumerate() {
        let name = input
            .preset_names
            .get(i)
            .cloned()
            .unwrap_or_else(|| format!("prelude{i}"));
        let code = l.policy(p, Some(name), input.prelude_text, &prelude_index);
        policies.push((p.priority, policies.len(), code));
    }
    policies.sort_by_key(|(prio, idx, _)| (std::cmp::Reverse(*prio), *idx));
    Module {
        source_hash: source_hash(input.source),
        source: input.source.to_owned(),
        presets: input.presets.clone(),
        prelude: input.prelude_text.to_owned(),
        labels: l.labels,
        strings: l.strings.items,
        regexes: l.regexes.items,
        wildcards: l.wildcards.items,
        args: l.args.items,
        masks: l.masks,
        preds: l.preds,
        lsets: l.lsets,
        vsets: l.vsets,
        policies: policies.into_iter().map(|(_, _, p)| p).collect(),
    }
}

/// A deduplicating pool of strings.
#[derive(Default)]
struct Pool {
    items: Vec<String>,
    index: HashMap<String, u32>,
}

impl Pool {
    fn add(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.items.len() as u32;
        self.items.push(s.to_owned());
        self.index.insert(s.to_owned(), i);
        i
    }
}

#[derive(Default)]
struct Lowerer {
    labels: Labels,
    strings: Pool,
    regexes: Pool,
    wildcards: Pool,
    args: Pool,
    masks: Vec<LabelSet>,
    mask_index: HashMap<LabelSet, MaskId>,
    preds: Vec<PredNode>,
    lsets: Vec<LSetNode>,
    vsets: Vec<VSetNode>,
}

/// 1-based line/column (Unicode scalar values) of a byte span; the end is the last character.
fn line_span(index: &LineIndex, span: Span) -> LineSpan {
    let l = index.location(span);
    LineSpan {
        line: l.line,
        column: l.column,
        end_line: l.end_line,
        end_column: l.end_column,
    }
}

fn field(f: ast::Field) -> Field {
    match f {
        ast::Field::Tags => Field::Tags,
        ast::Field::Producers => Field::Producers,
        ast::Field::Consumers => Field::Consumers,
    }
}

fn set_op(op: ast::SetOp) -> SetOp {
    match op {
        ast::SetOp::Xor => SetOp::Xor,
        ast::SetOp::Minus => SetOp::Minus,
        ast::SetOp::Intersect => SetOp::Intersect,
        ast::SetOp::Union => SetOp::Union,
    }
}

fn num(n: &ir::Num) -> NumCode {
    match *n {
        ir::Num::Int(i) => NumCode::Int(i),
        ir::Num::Float(f) => NumCode::Float(f),
    }
}

fn range<B, C>(r: &ir::Range<B>, f: impl Fn(&B) -> C) -> RangeCode<C> {
    let bound = |b: &ir::Bound<B>| match b {
        ir::Bound::Unbounded => BoundCode::Unbounded,
        ir::Bound::Incl(x) => BoundCode::Incl(f(x)),
        ir::Bound::Excl(x) => BoundCode::Excl(f(x)),
    };
    RangeCode {
        lo: bound(&r.lo),
        hi: bound(&r.hi),
    }
}

impl Lowerer {
    fn policy(
        &mut self,
        p: &ir::Policy,
        preset: Option<String>,
        text: &str,
        index: &LineIndex,
    ) -> PolicyCode {
        let tool = match &p.tool {
            ir::ToolMatch::Exact(s) => ToolMatchCode::Exact(s.as_str().to_owned()),
            ir::ToolMatch::Regex(r) => ToolMatchCode::Regex(self.regexes.add(r)),
        };
        let rules = p
            .rules
            .iter()
            .map(|r| {
                let (cond, conjuncts) = self.rule_cond(r.cond.as_ref(), text);
                RuleCode {
                    id: match &preset {
                        Some(name) => format!("preset:{name}"),
                        None => r.id.as_str().to_owned(),
                    },
                    level: match r.level {
                        ir::Level::Hard => LevelCode::Hard,
                        ir::Level::Soft => LevelCode::Soft,
                    },
                    effect: match r.effect {
                        ast::Effect::Allow => EffectCode::Allow,
                        ast::Effect::Deny => EffectCode::Deny,
                    },
                    cond,
                    description: r.description.as_deref().map(str::to_owned),
                    span: line_span(index, r.span),
                    conjuncts,
                }
            })
            .collect();
        PolicyCode {
            tool,
            id_text: p.id_text.as_str().to_owned(),
            priority: p.priority,
            preset,
            rules,
            session_before: self.block(&p.session_before),
            result: self.block(&p.result),
            session_after: self.block(&p.session_after),
        }
    }

    /// A rule's condition, lowered so that its top-level operands are nodes of their own (for
    /// `--explain`), with each operand's source text.
    fn rule_cond(
        &mut self,
        cond: Option<&ir::Pred>,
        text: &str,
    ) -> (Option<PredId>, Vec<(PredId, String)>) {
        let Some(c) = cond else {
            return (None, Vec::new());
        };
        let source = |p: &ir::Pred| text.get(p.span.range()).unwrap_or("").to_owned();
        match &c.kind {
            ir::PredKind::And(ps) | ir::PredKind::Or(ps) => {
                let parts: Vec<(PredId, String)> =
                    ps.iter().map(|p| (self.pred(p), source(p))).collect();
                let ids = parts.iter().map(|(id, _)| *id).collect();
                let node = if matches!(c.kind, ir::PredKind::And(_)) {
                    PredNode::And(ids)
                } else {
                    PredNode::Or(ids)
                };
                (Some(self.push_pred(node)), parts)
            }
            _ => {
                let id = self.pred(c);
                (Some(id), vec![(id, source(c))])
            }
        }
    }

    fn block(&mut self, stmts: &[ir::Stmt]) -> Vec<StmtCode> {
        stmts
            .iter()
            .map(|s| match s {
                ir::Stmt::Update(u) => StmtCode {
                    cond: None,
                    updates: vec![self.update(u)],
                },
                ir::Stmt::When { cond, updates, .. } => {
                    let cond = Some(self.pred(cond));
                    StmtCode {
                        cond,
                        updates: updates.iter().map(|u| self.update(u)).collect(),
                    }
                }
            })
            .collect()
    }

    fn update(&mut self, u: &ir::Update) -> UpdateCode {
        UpdateCode {
            target: match u.target {
                ir::MetaTarget::Session => TargetCode::Session,
                ir::MetaTarget::Result => TargetCode::Result,
            },
            field: field(u.field),
            op: match u.op {
                ast::AssignOp::Set => AssignOp::Set,
                ast::AssignOp::Union => AssignOp::Union,
                ast::AssignOp::Intersect => AssignOp::Intersect,
                ast::AssignOp::Minus => AssignOp::Minus,
                ast::AssignOp::Xor => AssignOp::Xor,
            },
            value: self.lset(&u.value),
        }
    }

    /// The pool index of a mask, added once.
    fn mask(&mut self, mask: LabelSet) -> MaskId {
        if let Some(&i) = self.mask_index.get(&mask) {
            return i;
        }
        let i = self.masks.len() as MaskId;
        self.masks.push(mask.clone());
        self.mask_index.insert(mask, i);
        i
    }

    fn push_pred(&mut self, node: PredNode) -> PredId {
        self.preds.push(node);
        (self.preds.len() - 1) as PredId
    }

    fn pred(&mut self, p: &ir::Pred) -> PredId {
        let node = match &p.kind {
            ir::PredKind::And(ps) => PredNode::And(ps.iter().map(|p| self.pred(p)).collect()),
            ir::PredKind::Or(ps) => PredNode::Or(ps.iter().map(|p| self.pred(p)).collect()),
            ir::PredKind::Not(p) => PredNode::Not(self.pred(p)),
            ir::PredKind::In { quant, value, set } => PredNode::In {
                quant: quant.map(|q| match q {
                    ast::Quant::Any => Quant::Any,
                    ast::Quant::All => Quant::All,
                }),
                value: self.val(value),
                set: self.vset(set),
            },
            ir::PredKind::ValueEq(a, b) => PredNode::ValueEq(self.val(a), self.val(b)),
            ir::PredKind::SetCmp { left, op, right } => PredNode::SetCmp {
                left: self.meta_ref(left),
                op: match op {
                    ast::SetCmpOp::Overlaps => SetCmpOp::Overlaps,
                    ast::SetCmpOp::Subset => SetCmpOp::Subset,
                    ast::SetCmpOp::Superset => SetCmpOp::Superset,
                    ast::SetCmpOp::Eq => SetCmpOp::Eq,
                },
                right: self.lset(right),
            },
            ir::PredKind::IsEmpty(m) => PredNode::IsEmpty(self.meta_ref(m)),
            ir::PredKind::IsUniversal(m) => PredNode::IsUniversal(self.meta_ref(m)),
        };
        self.push_pred(node)
    }

    fn val(&mut self, v: &ir::Val) -> ValCode {
        match v {
            ir::Val::Arg(name) => ValCode::Arg(self.args.add(name)),
            ir::Val::Result => ValCode::Result,
            ir::Val::Lit(ir::Lit::Str(s)) => ValCode::Str(self.strings.add(s)),
            ir::Val::Lit(ir::Lit::Int(i)) => ValCode::Int(*i),
            ir::Val::Lit(ir::Lit::Float(f)) => ValCode::Float(*f),
            ir::Val::Lit(ir::Lit::Bool(b)) => ValCode::Bool(*b),
            ir::Val::Lit(ir::Lit::Datetime(d)) => ValCode::Datetime(d.secs, d.nanos),
        }
    }

    fn meta_ref(&mut self, m: &ir::MetaRef) -> MetaRefCode {
        match m {
            ir::MetaRef::Arg(name, f) => MetaRefCode::Arg(self.args.add(name), field(*f)),
            ir::MetaRef::Result(f) => MetaRefCode::Result(field(*f)),
            ir::MetaRef::Session(f) => MetaRefCode::Session(field(*f)),
            ir::MetaRef::ArgsUnion(f) => MetaRefCode::ArgsUnion(field(*f)),
            ir::MetaRef::ArgsIntersect(f) => MetaRefCode::ArgsIntersect(field(*f)),
        }
    }

    fn lset(&mut self, s: &ir::LSet) -> LSetId {
        let node = match s {
            ir::LSet::Lit { labels, universal } => {
                let mask = if *universal {
                    LabelSet::universal()
                } else {
                    LabelSet::from_labels(
                        labels
                            .iter()
                            .map(|l| self.labels.intern(l))
                            .collect::<Vec<_>>(),
                    )
                };
                LSetNode::Mask(self.mask(mask))
            }
            ir::LSet::Meta(m) => LSetNode::Meta(self.meta_ref(m)),
            ir::LSet::Bin(op, a, b) => {
                let (a, b) = (self.lset(a), self.lset(b));
                LSetNode::Bin(set_op(*op), a, b)
            }
            ir::LSet::With {
                set,
                label,
                without,
            } => {
                let set = self.lset(set);
                let label = (label != "*").then(|| self.labels.intern(label));
                LSetNode::With {
                    set,
                    label,
                    without: *without,
                }
            }
        };
        self.lsets.push(node);
        (self.lsets.len() - 1) as LSetId
    }

    fn vset(&mut self, s: &ir::VSet) -> VSetId {
        let node = match s {
            ir::VSet::Labels(l) => VSetNode::Labels(self.lset(l)),
            ir::VSet::Lit(elems) => VSetNode::Lit(elems.iter().map(|e| self.elem(e)).collect()),
            ir::VSet::Bin(op, a, b) => {
                let (a, b) = (self.vset(a), self.vset(b));
                VSetNode::Bin(set_op(*op), a, b)
            }
            ir::VSet::With { set, elem, without } => {
                let set = self.vset(set);
                VSetNode::With {
                    set,
                    elem: self.elem(elem),
                    without: *without,
                }
            }
        };
        self.vsets.push(node);
        (self.vsets.len() - 1) as VSetId
    }

    fn elem(&mut self, e: &ir::Elem) -> ElemCode {
        match e {
            ir::Elem::Any => ElemCode::Any,
            ir::Elem::Str(s) => ElemCode::Str(self.strings.add(s)),
            ir::Elem::Regex(r) => ElemCode::Regex(self.regexes.add(r)),
            ir::Elem::Wild(w) => ElemCode::Wild(self.wildcards.add(w)),
            ir::Elem::Int(i) => ElemCode::Int(*i),
            ir::Elem::Float(f) => ElemCode::Float(*f),
            ir::Elem::Domain(d) => ElemCode::Domain(self.domain(d)),
        }
    }

    fn domain(&mut self, d: &ir::Domain) -> DomainCode {
        match d {
            ir::Domain::Bool(b) => DomainCode::Bool(*b),
            ir::Domain::Int(r) => DomainCode::Int(range(r, num)),
            ir::Domain::Float(r) => DomainCode::Float(range(r, num)),
            ir::Domain::Str { pat, length } => DomainCode::Str {
                pat: match pat {
                    ir::StrPat::Exact(s) => StrPatCode::Exact(self.strings.add(s)),
                    ir::StrPat::Regex(r) => StrPatCode::Regex(self.regexes.add(r)),
                    ir::StrPat::Wild(w) => StrPatCode::Wild(self.wildcards.add(w)),
                },
                length: length.as_ref().map(|r| range(r, num)),
            },
            ir::Domain::Datetime(r) => DomainCode::Datetime(range(r, |i| (i.secs, i.nanos))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_one_based_scalar_columns_with_inclusive_end() {
        let text = "ab\né x;\n";
        // "é x;" starts at byte 3; the span ends after ';' (byte 8).
        let s = line_span(&LineIndex::new(text), Span::new(3, 8));
        assert_eq!(
            s,
            LineSpan {
                line: 2,
                column: 1,
                end_line: 2,
                end_column: 4
            }
        );
    }
}
