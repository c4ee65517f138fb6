//! Stage `disasm`: a stable, human-readable listing of a bytecode module (docs/bytecode.md).
//!
//! Pools are listed with their indices (`L3`, `S0`, `R1`, `W0`, `A2`, `M4`), then the arenas
//! (`l5 = l3 | l4`, `v1 = {S0, R1}`, `p2 = and p0 p1`), then the policies in evaluation order
//! with their rules and blocks. The listing depends only on the module, never on addresses or
//! hash-map order, so it is golden-tested.

use std::fmt::Write as _;

use sqrt_std::label::LabelSet;

use crate::bytecode::*;

pub fn disasm(m: &Module) -> String {
    let mut o = String::new();
    let hash: String = m.source_hash.iter().map(|b| format!("{b:02x}")).collect();
    let _ = writeln!(o, "; SQRT policy bytecode, format version {VERSION}");
    let _ = writeln!(o, "; source sha256 {hash}, {} bytes", m.source.len());
    let p = &m.presets;
    let _ = writeln!(
        o,
        "; presets default_allow={} at {}, llm_blocked={} at {}, non_executable={}",
        p.default_allow,
        p.default_allow_enforcement_level.as_str(),
        p.enable_llm_blocked_tag,
        p.llm_blocked_tag_enforcement_level.as_str(),
        p.enable_non_executable_memory
    );
    section(
        &mut o,
        "labels",
        m.labels.iter().map(|(l, n)| format!("L{} {n:?}", l.0)),
    );
    section(
        &mut o,
        "strings",
        m.strings
            .iter()
            .enumerate()
            .map(|(i, s)| format!("S{i} {s:?}")),
    );
    section(
        &mut o,
        "regexes",
        m.regexes
            .iter()
            .enumerate()
            .map(|(i, s)| format!("R{i} {s:?}")),
    );
    section(
        &mut o,
        "wildcards",
        m.wildcards
            .iter()
            .enumerate()
            .map(|(i, s)| format!("W{i} {s:?}")),
    );
    section(
        &mut o,
        "args",
        m.args.iter().enumerate().map(|(i, s)| format!("A{i} {s}")),
    );
    section(
        &mut o,
        "masks",
        m.masks
            .iter()
            .enumerate()
            .map(|(i, s)| format!("M{i} {}", mask(s))),
    );
    section(
        &mut o,
        "label sets",
        m.lsets
            .iter()
            .enumerate()
            .map(|(i, n)| format!("l{i} = {}", lset(n))),
    );
    section(
        &mut o,
        "value sets",
        m.vsets
            .iter()
            .enumerate()
            .map(|(i, n)| format!("v{i} = {}", vset(n))),
    );
    section(
        &mut o,
        "predicates",
        m.preds
            .iter()
            .enumerate()
            .map(|(i, n)| format!("p{i} = {}", pred(n))),
    );
    for (i, p) in m.policies.iter().enumerate() {
        let tool = match &p.tool {
            ToolMatchCode::Exact(s) => format!("exact {s:?}"),
            ToolMatchCode::Regex(r) => format!("regex R{r}"),
        };
        let origin = p
            .preset
            .as_ref()
            .map_or_else(|| "user".to_owned(), |n| format!("preset:{n}"));
        let _ = writeln!(o, "\npolicy {i} {tool} priority {} ({origin})", p.priority);
        for r in &p.rules {
            let level = if r.level == LevelCode::Hard {
                "hard"
            } else {
                "soft"
            };
            let effect = if r.effect == EffectCode::Allow {
                "allow"
            } else {
                "deny"
            };
            let cond = r
                .cond
                .map_or_else(|| "always".to_owned(), |c| format!("when p{c}"));
            let s = r.span;
            let _ = writeln!(
                o,
                "  rule {} {level} {effect} {cond}  ; {}:{}-{}:{}",
                r.id, s.line, s.column, s.end_line, s.end_column
            );
        }
        block(&mut o, "session before", &p.session_before);
        block(&mut o, "result", &p.result);
        block(&mut o, "session after", &p.session_after);
    }
    o
}

fn section(o: &mut String, title: &str, items: impl Iterator<Item = String>) {
    let items: Vec<String> = items.collect();
    if items.is_empty() {
        return;
    }
    let _ = writeln!(o, "\n{title}:");
    for i in items {
        let _ = writeln!(o, "  {i}");
    }
}

fn mask(s: &LabelSet) -> String {
    let listed: Vec<String> = s.listed().map(|l| format!("L{}", l.0)).collect();
    if s.is_cofinite() {
        format!("all but {{{}}}", listed.join(", "))
    } else {
        format!("{{{}}}", listed.join(", "))
    }
}

fn meta_ref(r: &MetaRefCode) -> String {
    match r {
        MetaRefCode::Arg(a, f) => format!("A{a}.{}", f.name()),
        MetaRefCode::Result(f) => format!("@result.{}", f.name()),
        MetaRefCode::Session(f) => format!("@session.{}", f.name()),
        MetaRefCode::ArgsUnion(f) => format!("@args.{}.union", f.name()),
        MetaRefCode::ArgsIntersect(f) => format!("@args.{}.intersect", f.name()),
    }
}

fn op(o: &SetOp) -> &'static str {
    match o {
        SetOp::Union => "|",
        SetOp::Intersect => "&",
        SetOp::Minus => "-",
        SetOp::Xor => "^",
    }
}

fn lset(n: &LSetNode) -> String {
    match n {
        LSetNode::Mask(m) => format!("M{m}"),
        LSetNode::Meta(r) => meta_ref(r),
        LSetNode::Bin(o, a, b) => format!("l{a} {} l{b}", op(o)),
        LSetNode::With {
            set,
            label,
            without,
        } => {
            let w = if *without { "without" } else { "with" };
            let l = label.map_or_else(|| "\"*\"".to_owned(), |l| format!("L{}", l.0));
            format!("l{set} {w} {l}")
        }
    }
}

fn num(n: &NumCode) -> String {
    match n {
        NumCode::Int(i) => i.to_string(),
        NumCode::Float(f) => format!("{f:?}"),
    }
}

fn range<B>(r: &RangeCode<B>, f: impl Fn(&B) -> String) -> String {
    let lo = match &r.lo {
        BoundCode::Unbounded => String::new(),
        BoundCode::Incl(b) => f(b),
        BoundCode::Excl(b) => format!("{}<", f(b)),
    };
    let hi = match &r.hi {
        BoundCode::Unbounded => String::new(),
        BoundCode::Incl(b) => f(b),
        BoundCode::Excl(b) => format!("<{}", f(b)),
    };
    format!("{lo}..{hi}")
}

fn elem(e: &ElemCode) -> String {
    match e {
        ElemCode::Any => "\"*\"".into(),
        ElemCode::Str(s) => format!("S{s}"),
        ElemCode::Regex(r) => format!("R{r}"),
        ElemCode::Wild(w) => format!("W{w}"),
        ElemCode::Int(i) => i.to_string(),
        ElemCode::Float(f) => format!("{f:?}"),
        ElemCode::Domain(d) => match d {
            DomainCode::Bool(b) => format!("bool {b}"),
            DomainCode::Int(r) => format!("int {}", range(r, num)),
            DomainCode::Float(r) => format!("float {}", range(r, num)),
            DomainCode::Str { pat, length } => {
                let p = match pat {
                    StrPatCode::Exact(s) => format!("S{s}"),
                    StrPatCode::Regex(r) => format!("matching R{r}"),
                    StrPatCode::Wild(w) => format!("like W{w}"),
                };
                let l = length
                    .as_ref()
                    .map_or_else(String::new, |r| format!(" length {}", range(r, num)));
                format!("str {p}{l}")
            }
            DomainCode::Datetime(r) => {
                format!(
                    "datetime {}",
                    range(r, |(s, n)| sqrt_std::value::format_iso(*s, *n))
                )
            }
        },
    }
}

fn vset(n: &VSetNode) -> String {
    match n {
        VSetNode::Labels(l) => format!("labels l{l}"),
        VSetNode::Lit(es) => format!("{{{}}}", es.iter().map(elem).collect::<Vec<_>>().join(", ")),
        VSetNode::Bin(o, a, b) => format!("v{a} {} v{b}", op(o)),
        VSetNode::With {
            set,
            elem: e,
            without,
        } => {
            format!(
                "v{set} {} {}",
                if *without { "without" } else { "with" },
                elem(e)
            )
        }
    }
}

fn val(v: &ValCode) -> String {
    match v {
        ValCode::Arg(a) => format!("A{a}.value"),
        ValCode::Result => "@result.value".into(),
        ValCode::Str(s) => format!("S{s}"),
        ValCode::Int(i) => i.to_string(),
        ValCode::Float(f) => format!("{f:?}"),
        ValCode::Bool(b) => b.to_string(),
        ValCode::Datetime(s, n) => format!("d{:?}", sqrt_std::value::format_iso(*s, *n)),
    }
}

fn pred(n: &PredNode) -> String {
    let list = |ps: &[PredId]| {
        ps.iter()
            .map(|p| format!("p{p}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    match n {
        PredNode::And(ps) => format!("and {}", list(ps)),
        PredNode::Or(ps) => format!("or {}", list(ps)),
        PredNode::Not(p) => format!("not p{p}"),
        PredNode::In { quant, value, set } => {
            let q = match quant {
                None => "",
                Some(Quant::Any) => "any ",
                Some(Quant::All) => "all ",
            };
            format!("{q}{} in v{set}", val(value))
        }
        PredNode::ValueEq(a, b) => format!("{} == {}", val(a), val(b)),
        PredNode::SetCmp { left, op, right } => {
            let o = match op {
                SetCmpOp::Overlaps => "overlaps",
                SetCmpOp::Subset => "subset of",
                SetCmpOp::Superset => "superset of",
                SetCmpOp::Eq => "==",
            };
            format!("{} {o} l{right}", meta_ref(left))
        }
        PredNode::IsEmpty(r) => format!("{} is empty", meta_ref(r)),
        PredNode::IsUniversal(r) => format!("{} is universal", meta_ref(r)),
    }
}

fn block(o: &mut String, title: &str, stmts: &[StmtCode]) {
    if stmts.is_empty() {
        return;
    }
    let _ = writeln!(o, "  {title}:");
    for s in stmts {
        let indent = if let Some(c) = s.cond {
            let _ = writeln!(o, "    when p{c}:");
            "      "
        } else {
            "    "
        };
        for u in &s.updates {
            let t = match u.target {
                TargetCode::Session => "@session",
                TargetCode::Result => "@result",
            };
            let a = match u.op {
                AssignOp::Set => "=",
                AssignOp::Union => "|=",
                AssignOp::Intersect => "&=",
                AssignOp::Minus => "-=",
                AssignOp::Xor => "^=",
            };
            let _ = writeln!(o, "{indent}{t}.{} {a} l{}", u.field.name(), u.value);
        }
    }
}
