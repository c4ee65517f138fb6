//! Stage `plan`: what a native function reads. From the bytecode of a dispatch entry's rules or
//! of an update block, the arguments it needs slot views for and the aggregate metas
//! (`@session`, `@args`, `… of … from args`) the caller must build; and which label sets and
//! predicates native code computes itself.

use crate::bytecode::*;
use crate::interp::Interp;
use sqrt_std::label::INLINE_LABELS;

/// What one entry's function covers.
#[derive(Debug)]
pub struct EntryPlan {
    /// Policy indices, in evaluation order (only those with rules produce code).
    pub policies: Vec<usize>,
    /// The argument each slot of the view holds.
    pub slots: Vec<ArgId>,
    pub needs_session: bool,
    pub needs_union: bool,
    pub needs_intersect: bool,
    /// Upper bound on the votes the function writes.
    pub n_rules: usize,
}

impl EntryPlan {
    pub fn new(interp: &Interp, policies: Vec<usize>) -> EntryPlan {
        let m = &interp.module;
        let mut plan = EntryPlan::reading_nothing(policies);
        let mut preds = Vec::new();
        for &pi in &plan.policies {
            let rules = &m.policies[pi].rules;
            plan.n_rules += rules.len();
            preds.extend(rules.iter().filter_map(|r| r.cond));
        }
        plan.add_reads(m, preds, Vec::new());
        plan
    }

    /// A plan for `policies` that reads no argument and no aggregate yet.
    pub fn reading_nothing(policies: Vec<usize>) -> EntryPlan {
        EntryPlan {
            policies,
            slots: Vec::new(),
            needs_session: false,
            needs_union: false,
            needs_intersect: false,
            n_rules: 0,
        }
    }

    /// Records the arguments and aggregate metas that predicates `preds` and label sets
    /// `lsets` read.
    pub fn add_reads(&mut self, m: &Module, preds: Vec<PredId>, lsets: Vec<LSetId>) {
        let (metas, vals) = reads(m, preds, lsets);
        for r in metas {
            match r {
                MetaRefCode::Arg(a, _) => self.add_slot(a),
                MetaRefCode::ArgsUnion(_) => self.needs_union = true,
                MetaRefCode::ArgsIntersect(_) => self.needs_intersect = true,
                MetaRefCode::Session(_) => self.needs_session = true,
                MetaRefCode::Result(_) => {}
            }
        }
        for v in vals {
            if let ValCode::Arg(a) = v {
                self.add_slot(a);
            }
        }
    }

    fn add_slot(&mut self, a: ArgId) {
        if !self.slots.contains(&a) {
            self.slots.push(a);
        }
    }
}

/// The metas and values predicates `preds` and label sets `lsets` read. Arenas are acyclic
/// (children have smaller indices), so the walk terminates.
pub fn reads(
    m: &Module,
    mut preds: Vec<PredId>,
    mut lsets: Vec<LSetId>,
) -> (Vec<MetaRefCode>, Vec<ValCode>) {
    let mut vsets = Vec::new();
    let mut metas = Vec::new();
    let mut vals = Vec::new();
    while let Some(p) = preds.pop() {
        match &m.preds[p as usize] {
            PredNode::And(ps) | PredNode::Or(ps) => preds.extend(ps),
            PredNode::Not(p) => preds.push(*p),
            PredNode::In { value, set, .. } => {
                vals.push(value.clone());
                vsets.push(*set);
            }
            PredNode::ValueEq(a, b) => vals.extend([a.clone(), b.clone()]),
            PredNode::SetCmp { left, right, .. } => {
                metas.push(*left);
                lsets.push(*right);
            }
            PredNode::IsEmpty(r) | PredNode::IsUniversal(r) => metas.push(*r),
        }
    }
    while let Some(v) = vsets.pop() {
        match &m.vsets[v as usize] {
            VSetNode::Labels(l) => lsets.push(*l),
            VSetNode::Lit(_) => {}
            VSetNode::Bin(_, a, b) => vsets.extend([*a, *b]),
            VSetNode::With { set, .. } => vsets.push(*set),
        }
    }
    while let Some(l) = lsets.pop() {
        match &m.lsets[l as usize] {
            LSetNode::Mask(_) => {}
            LSetNode::Meta(r) => metas.push(*r),
            LSetNode::Bin(_, a, b) => lsets.extend([*a, *b]),
            LSetNode::With { set, .. } => lsets.push(*set),
        }
    }
    (metas, vals)
}

/// Label set `id` is computed on inline words (no literal label ≥ 127).
pub fn lset_native(m: &Module, id: LSetId) -> bool {
    match &m.lsets[id as usize] {
        LSetNode::Mask(k) => m.masks[*k as usize].spill_words().is_empty(),
        LSetNode::Meta(_) => true,
        LSetNode::Bin(_, a, b) => lset_native(m, *a) && lset_native(m, *b),
        LSetNode::With { label: None, .. } => true,
        LSetNode::With {
            set,
            label: Some(l),
            ..
        } => l.0 < INLINE_LABELS && lset_native(m, *set),
    }
}

/// Predicate `id` reads the session's or the result's meta.
pub fn reads_state(m: &Module, id: PredId) -> bool {
    let (metas, _) = reads(m, vec![id], Vec::new());
    metas
        .iter()
        .any(|r| matches!(r, MetaRefCode::Session(_) | MetaRefCode::Result(_)))
}
