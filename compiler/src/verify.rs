//! Stage `verify`: rejects malformed bytecode before anything runs it (fail closed).
//!
//! Checks that every index is within its pool or arena, that a node's children come before it
//! (so expressions are acyclic), that expression depth stays under `MAX_DEPTH` (so evaluation
//! cannot exhaust the stack), that masks and `with` labels are in the label table, and that the
//! embedded source matches its hash. Regexes and wildcards are compiled by `Interp::new`, which
//! fails the load on any that does not compile.

use crate::bytecode::*;

/// The deepest expression nesting a module may have.
pub const MAX_DEPTH: u32 = 256;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyError(pub String);

impl std::fmt::Display for VerifyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid bytecode: {}", self.0)
    }
}

impl std::error::Error for VerifyError {}

fn err<T>(msg: impl Into<String>) -> Result<T, VerifyError> {
    Err(VerifyError(msg.into()))
}

struct Verifier<'a> {
    m: &'a Module,
    pred_depth: Vec<u32>,
    lset_depth: Vec<u32>,
    vset_depth: Vec<u32>,
}

fn within(what: &str, id: u32, len: usize) -> Result<(), VerifyError> {
    if (id as usize) < len {
        Ok(())
    } else {
        err(format!("{what} index {id} out of bounds ({len})"))
    }
}

pub fn verify(m: &Module) -> Result<(), VerifyError> {
    if source_hash(&m.source) != m.source_hash {
        return err("the embedded source does not match its hash");
    }
    let mut v = Verifier {
        m,
        pred_depth: Vec::new(),
        lset_depth: Vec::new(),
        vset_depth: Vec::new(),
    };
    for mask in &m.masks {
        v.labels_of(mask)?;
    }
    for (i, node) in m.lsets.iter().enumerate() {
        let d = v.lset(i as u32, node)?;
        v.lset_depth.push(d);
    }
    for (i, node) in m.vsets.iter().enumerate() {
        let d = v.vset(i as u32, node)?;
        v.vset_depth.push(d);
    }
    for (i, node) in m.preds.iter().enumerate() {
        let d = v.pred(i as u32, node)?;
        v.pred_depth.push(d);
    }
    for p in &m.policies {
        if let ToolMatchCode::Regex(r) = p.tool {
            within("regex", r, m.regexes.len())?;
        }
        for r in &p.rules {
            for c in r.cond.iter().chain(r.conjuncts.iter().map(|(c, _)| c)) {
                within("predicate", *c, m.preds.len())?;
            }
        }
        for s in p
            .session_before
            .iter()
            .chain(&p.result)
            .chain(&p.session_after)
        {
            if let Some(c) = s.cond {
                within("predicate", c, m.preds.len())?;
            }
            for u in &s.updates {
                within("label set", u.value, m.lsets.len())?;
            }
        }
    }
    Ok(())
}

impl Verifier<'_> {
    fn labels_of(&self, mask: &sqrt_std::label::LabelSet) -> Result<(), VerifyError> {
        match mask.listed().last() {
            Some(l) if l.0 as usize >= self.m.labels.len() => {
                err(format!("label {} not in the label table", l.0))
            }
            _ => Ok(()),
        }
    }

    fn depth(d: u32) -> Result<u32, VerifyError> {
        if d > MAX_DEPTH {
            err(format!("expression deeper than {MAX_DEPTH}"))
        } else {
            Ok(d)
        }
    }

    /// A child reference within the same arena: must precede the parent.
    fn child(what: &str, id: u32, parent: u32, depths: &[u32]) -> Result<u32, VerifyError> {
        if id >= parent {
            return err(format!(
                "{what} node {parent} refers to node {id}, which does not precede it"
            ));
        }
        Ok(depths[id as usize])
    }

    fn meta_ref(&self, r: &MetaRefCode) -> Result<(), VerifyError> {
        if let MetaRefCode::Arg(a, _) = r {
            within("argument", *a, self.m.args.len())?;
        }
        Ok(())
    }

    fn lset(&self, i: u32, node: &LSetNode) -> Result<u32, VerifyError> {
        let d = match node {
            LSetNode::Mask(k) => {
                within("mask", *k, self.m.masks.len())?;
                0
            }
            LSetNode::Meta(r) => {
                self.meta_ref(r)?;
                0
            }
            LSetNode::Bin(_, a, b) => Self::child("label set", *a, i, &self.lset_depth)?
                .max(Self::child("label set", *b, i, &self.lset_depth)?),
            LSetNode::With { set, label, .. } => {
                if let Some(l) = label {
                    within("label", l.0, self.m.labels.len())?;
                }
                Self::child("label set", *set, i, &self.lset_depth)?
            }
        };
        Self::depth(d + 1)
    }

    fn elem(&self, e: &ElemCode) -> Result<(), VerifyError> {
        match e {
            ElemCode::Str(s) => within("string", *s, self.m.strings.len()),
            ElemCode::Regex(r) => within("regex", *r, self.m.regexes.len()),
            ElemCode::Wild(w) => within("wildcard", *w, self.m.wildcards.len()),
            ElemCode::Domain(DomainCode::Str { pat, .. }) => match pat {
                StrPatCode::Exact(s) => within("string", *s, self.m.strings.len()),
                StrPatCode::Regex(r) => within("regex", *r, self.m.regexes.len()),
                StrPatCode::Wild(w) => within("wildcard", *w, self.m.wildcards.len()),
            },
            _ => Ok(()),
        }
    }

    fn vset(&self, i: u32, node: &VSetNode) -> Result<u32, VerifyError> {
        let d = match node {
            VSetNode::Labels(l) => {
                within("label set", *l, self.m.lsets.len())?;
                self.lset_depth[*l as usize]
            }
            VSetNode::Lit(elems) => {
                elems.iter().try_for_each(|e| self.elem(e))?;
                0
            }
            VSetNode::Bin(_, a, b) => Self::child("value set", *a, i, &self.vset_depth)?
                .max(Self::child("value set", *b, i, &self.vset_depth)?),
            VSetNode::With { set, elem, .. } => {
                self.elem(elem)?;
                Self::child("value set", *set, i, &self.vset_depth)?
            }
        };
        Self::depth(d + 1)
    }

    fn val(&self, v: &ValCode) -> Result<(), VerifyError> {
        match v {
            ValCode::Arg(a) => within("argument", *a, self.m.args.len()),
            ValCode::Str(s) => within("string", *s, self.m.strings.len()),
            _ => Ok(()),
        }
    }

    fn pred(&self, i: u32, node: &PredNode) -> Result<u32, VerifyError> {
        let d = match node {
            PredNode::And(ps) | PredNode::Or(ps) => {
                let mut d = 0;
                for &p in ps {
                    d = d.max(Self::child("predicate", p, i, &self.pred_depth)?);
                }
                d
            }
            PredNode::Not(p) => Self::child("predicate", *p, i, &self.pred_depth)?,
            PredNode::In { value, set, .. } => {
                self.val(value)?;
                within("value set", *set, self.m.vsets.len())?;
                self.vset_depth[*set as usize]
            }
            PredNode::ValueEq(a, b) => {
                self.val(a)?;
                self.val(b)?;
                0
            }
            PredNode::SetCmp { left, right, .. } => {
                self.meta_ref(left)?;
                within("label set", *right, self.m.lsets.len())?;
                self.lset_depth[*right as usize]
            }
            PredNode::IsEmpty(r) | PredNode::IsUniversal(r) => {
                self.meta_ref(r)?;
                0
            }
        };
        Self::depth(d + 1)
    }
}
