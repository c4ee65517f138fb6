//! Lets to a namespace: one order-independent table of named predicates, sets and domains
//! (sqrt.md §4.1), with duplicates (E0202), cycles (E0203) and alias kinds resolved.
//!
//! Uses are checked later, by `typeck`, which expands each let where it is used; this stage
//! only answers "what is this name and may it be expanded".

use rustc_hash::FxHashMap;

use crate::ast::{self, LetDecl, LetValue};
use crate::diag::{Diagnostic, Span};

/// What a let stands for. An alias takes its target's kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Pred,
    Set,
    Domain,
}

impl Kind {
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Pred => "a predicate",
            Kind::Set => "a set",
            Kind::Domain => "a domain",
        }
    }
}

/// One let of the table.
#[derive(Debug)]
pub struct Let<'a> {
    pub decl: &'a LetDecl,
    /// `None` when the kind cannot be known: part of a cycle, or an alias of an unknown name.
    pub kind: Option<Kind>,
    /// Part of a cycle (already reported): never expanded.
    pub cyclic: bool,
}

/// The let namespace of a program. Duplicates keep the first definition.
#[derive(Debug, Default)]
pub struct Lets<'a> {
    by_name: FxHashMap<&'a str, usize>,
    pub lets: Vec<Let<'a>>,
}

impl<'a> Lets<'a> {
    pub fn get(&self, name: &str) -> Option<(usize, &Let<'a>)> {
        self.by_name.get(name).map(|&i| (i, &self.lets[i]))
    }
}

/// Names a let's right-hand side refers to, with the span of each reference.
fn refs_of<'a>(value: &'a LetValue, out: &mut Vec<(&'a str, Span)>) {
    match value {
        LetValue::Domain(_) => {}
        LetValue::Pred(p) => pred_refs(p, out),
        LetValue::Set(s) => set_refs(s, out),
        LetValue::Alias { target, .. } => out.push((&target.name, target.span)),
    }
}

fn pred_refs<'a>(p: &'a ast::Pred, out: &mut Vec<(&'a str, Span)>) {
    use ast::PredKind as P;
    match &p.kind {
        P::Or(ps) | P::And(ps) => ps.iter().for_each(|p| pred_refs(p, out)),
        P::Not(p) | P::Paren(p) => pred_refs(p, out),
        P::Ref(id) => out.push((&id.name, id.span)),
        P::In { set, .. } => set_refs(set, out),
        P::SetCmp { right, .. } => set_refs(right, out),
        P::ValueEq(..) | P::Is { .. } | P::Error => {}
    }
}

fn set_refs<'a>(s: &'a ast::SetExpr, out: &mut Vec<(&'a str, Span)>) {
    use ast::SetKind as S;
    match &s.kind {
        S::Bin { lhs, rhs, .. } => {
            set_refs(lhs, out);
            set_refs(rhs, out);
        }
        S::With { set, .. } | S::Paren(set) => set_refs(set, out),
        S::Ref(id) => out.push((&id.name, id.span)),
        S::Literal(_) | S::Meta(_) | S::Error => {}
    }
}

/// Builds the namespace of a program's lets, in source order, reporting E0202 and E0203.
pub fn resolve<'a>(decls: Vec<&'a LetDecl>, diags: &mut Vec<Diagnostic>) -> Lets<'a> {
    // Sized once: growing the table re-hashes every name, each a cache miss into the tree.
    let mut lets = Lets::default();
    lets.by_name.reserve(decls.len());
    lets.lets.reserve(decls.len());
    for decl in decls {
        if let Some(&first) = lets.by_name.get(decl.name.name.as_str()) {
            let first: &LetDecl = lets.lets[first].decl;
            diags.push(
                Diagnostic::error(
                    "E0202",
                    decl.name.span,
                    format!("`{}` is already defined", decl.name.name),
                )
                .with_label(first.name.span, "first defined here")
                .with_help("rename one of the lets; lets share one namespace regardless of order"),
            );
            continue;
        }
        let kind = match &decl.value {
            LetValue::Domain(_) => Some(Kind::Domain),
            LetValue::Pred(_) => Some(Kind::Pred),
            LetValue::Set(_) => Some(Kind::Set),
            LetValue::Alias { .. } => None,
        };
        lets.by_name
            .insert(decl.name.name.as_str(), lets.lets.len());
        lets.lets.push(Let {
            decl,
            kind,
            cyclic: false,
        });
    }
    find_cycles(&mut lets, diags);
    resolve_aliases(&mut lets);
    lets
}

/// Marks every let on a cycle and reports each cycle once, at its first let in source order.
fn find_cycles(lets: &mut Lets<'_>, diags: &mut Vec<Diagnostic>) {
    let n = lets.lets.len();
    // One scratch list for every let's references: most lets refer to none, so their edge
    // lists stay unallocated.
    let mut refs = Vec::new();
    let edges: Vec<Vec<(usize, Span)>> = lets
        .lets
        .iter()
        .map(|l| {
            refs.clear();
            refs_of(&l.decl.value, &mut refs);
            refs.iter()
                .filter_map(|&(name, span)| lets.by_name.get(name).map(|&j| (j, span)))
                .collect()
        })
        .collect();
    // Tarjan's strongly connected components, iteratively (no recursion depth limit on input).
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut next = 0;
    let mut components: Vec<Vec<usize>> = Vec::new();
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut work = vec![(root, 0usize)];
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut ei)) = work.last_mut() {
            if let Some(&(w, _)) = edges[v].get(*ei) {
                *ei += 1;
                if index[w] == usize::MAX {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
            } else {
                work.pop();
                if let Some(&(parent, _)) = work.last() {
                    low[parent] = low[parent].min(low[v]);
                }
                if low[v] == index[v] {
                    let mut comp = Vec::new();
                    while let Some(w) = stack.pop() {
                        on_stack[w] = false;
                        comp.push(w);
                        if w == v {
                            break;
                        }
                    }
                    let self_loop = edges[v].iter().any(|&(w, _)| w == v);
                    if comp.len() > 1 || self_loop {
                        comp.sort_unstable();
                        components.push(comp);
                    }
                }
            }
        }
    }
    components.sort_by_key(|c| c[0]);
    for comp in components {
        for &i in &comp {
            lets.lets[i].cyclic = true;
            lets.lets[i].kind = None;
        }
        let first = lets.lets[comp[0]].decl;
        let names: Vec<String> = comp
            .iter()
            .map(|&i| format!("`{}`", lets.lets[i].decl.name.name))
            .collect();
        let message = if comp.len() == 1 {
            format!("let `{}` refers to itself", first.name.name)
        } else {
            format!("lets {} refer to each other in a cycle", names.join(", "))
        };
        let mut d = Diagnostic::error("E0203", first.name.span, message).with_help(
            "a let is expanded where it is used, so it cannot contain itself; break the cycle",
        );
        for &i in &comp {
            for &(w, span) in &edges[i] {
                if comp.contains(&w) {
                    d = d.with_label(
                        span,
                        format!("`{}` is used here", lets.lets[w].decl.name.name),
                    );
                }
            }
        }
        diags.push(d);
    }
}

/// Gives each non-cyclic alias its target's kind (following alias chains).
fn resolve_aliases(lets: &mut Lets<'_>) {
    for i in 0..lets.lets.len() {
        if lets.lets[i].cyclic || lets.lets[i].kind.is_some() {
            continue;
        }
        let mut j = i;
        let mut steps = 0;
        let kind = loop {
            let l = &lets.lets[j];
            if l.cyclic || steps > lets.lets.len() {
                break None;
            }
            match &l.decl.value {
                LetValue::Alias { target, .. } => match lets.by_name.get(target.name.as_str()) {
                    Some(&k) => j = k,
                    None => break None,
                },
                LetValue::Domain(_) => break Some(Kind::Domain),
                LetValue::Pred(_) => break Some(Kind::Pred),
                LetValue::Set(_) => break Some(Kind::Set),
            }
            steps += 1;
        };
        lets.lets[i].kind = kind;
    }
}
