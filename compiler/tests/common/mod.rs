//! Helpers shared by the parser and formatter tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;
use sqrt_compiler::ast::*;
use sqrt_compiler::check::{CheckOptions, Checked, check_streamed, check_tree};
use sqrt_compiler::parse::{Parsed, fast_path_taken, parse, parse_reference};
use sqrt_compiler::split::one_part;

/// The tree with every span removed: two programs are equal modulo spans iff their shapes are.
pub fn shape(p: &Program) -> String {
    static SPAN: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"Span \{ start: \d+, end: \d+ \}").unwrap());
    SPAN.replace_all(
        &format!(
            "{:?}",
            (
                &p.items,
                p.comments.iter().map(|c| &c.text).collect::<Vec<_>>()
            )
        ),
        "_",
    )
    .into_owned()
}

/// The fast path against the reference parser: the same `Parsed` (tree, spans and
/// diagnostics, compared in their debug form), and the fast path taken exactly when the
/// reference reports nothing (it never gives up on a well-formed program). Returns whether
/// the input was clean.
pub fn same_as_reference(src: &str) -> bool {
    let fast = parse(src);
    let reference = parse_reference(src);
    assert_eq!(
        format!("{fast:#?}"),
        format!("{reference:#?}"),
        "the fast path differs from the reference on {src:?}"
    );
    let clean = reference.diagnostics.is_empty();
    assert_eq!(
        fast_path_taken(src),
        clean,
        "fast path taken on {src:?} (the reference reports {:?})",
        reference.diagnostics
    );
    clean
}

/// The streamed check (one declaration at a time) against the check of the whole tree: the
/// same IR and diagnostics, in their debug form, and the stream taken exactly when the text
/// parses without a diagnostic. Returns whether it was taken.
pub fn streams_as_tree(src: &str, opts: &CheckOptions<'_>) -> bool {
    let key = |c: &Checked| format!("{:#?}\n{:#?}", c.program, c.diagnostics);
    let streamed = check_streamed(src, opts, &one_part(src));
    let clean = parse(src).diagnostics.is_empty();
    assert_eq!(
        streamed.is_some(),
        clean,
        "stream taken on {src:?}, whose parse is clean: {clean}"
    );
    if let Some(streamed) = &streamed {
        assert_eq!(
            key(streamed),
            key(&check_tree(src, opts)),
            "the streamed check differs from the whole tree's on {src:?}"
        );
    }
    streamed.is_some()
}

/// Every `.sqrt` file below `dir`.
pub fn sqrt_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        if path.is_dir() {
            sqrt_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "sqrt") {
            out.push(path);
        }
    }
}

/// Every file of the parser's corpus (`compiler/tests/corpus`) and of the conformance corpus
/// (`tests/corpus`), with its text.
pub fn corpus() -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    sqrt_files(&root.join("tests/corpus"), &mut files);
    sqrt_files(&root.join("../tests/corpus"), &mut files);
    files.sort();
    assert!(files.len() > 20, "the corpora were not found");
    files
        .into_iter()
        .map(|f| {
            let src = std::fs::read_to_string(&f).unwrap();
            (f, src)
        })
        .collect()
}

/// Parses text that must have no diagnostics.
pub fn ok(src: &str) -> Program {
    let p = parse(src);
    assert!(
        p.diagnostics.is_empty(),
        "unexpected diagnostics for {src:?}: {:#?}",
        p.diagnostics
    );
    p.program
}

/// `(code, source text at the span)` of each diagnostic.
pub fn errs(src: &str) -> Vec<(&'static str, String)> {
    let p: Parsed = parse(src);
    p.diagnostics
        .iter()
        .map(|d| {
            (
                d.code,
                src.get(d.span.range()).unwrap_or("<bad span>").to_string(),
            )
        })
        .collect()
}

/// The first item's let value.
pub fn let_value(src: &str) -> LetValue {
    match ok(src).items.remove(0).kind {
        ItemKind::Let(l) => l.value,
        other => panic!("not a let: {other:?}"),
    }
}

/// A let's right-hand side as an S-expression without parentheses: the grouping as parsed.
pub fn sx(src: &str) -> String {
    match let_value(src) {
        LetValue::Set(s) => set(&s),
        LetValue::Pred(p) => pred(&p),
        LetValue::Domain(_) => "domain".into(),
        LetValue::Alias { target, parens } => format!("alias {} {parens}", target.name),
    }
}

pub fn set(s: &SetExpr) -> String {
    match &s.kind {
        SetKind::Bin { op, lhs, rhs } => {
            let o = match op {
                SetOp::Xor => "^",
                SetOp::Minus => "-",
                SetOp::Intersect => "&",
                SetOp::Union => "|",
            };
            format!("({o} {} {})", set(lhs), set(rhs))
        }
        SetKind::With {
            set: s,
            elem,
            without,
        } => {
            format!(
                "({} {} {})",
                if *without { "without" } else { "with" },
                set(s),
                elem_name(elem)
            )
        }
        SetKind::Literal(e) => format!(
            "{{{}}}",
            e.iter().map(elem_name).collect::<Vec<_>>().join(",")
        ),
        SetKind::Meta(m) => meta(m),
        SetKind::Ref(n) => n.name.to_string(),
        SetKind::Paren(inner) => set(inner),
        SetKind::Error => "ERR".into(),
    }
}

fn elem_name(e: &Element) -> String {
    match &e.kind {
        ElementKind::Str(s) => s.value.to_string(),
        ElementKind::Regex(s) => format!("r:{}", s.value),
        ElementKind::Wild(s) => format!("w:{}", s.value),
        ElementKind::Number(n) => n.raw.to_string(),
        ElementKind::Domain(_) => "domain".into(),
    }
}

pub fn meta(m: &MetaAcc) -> String {
    match &m.kind {
        MetaKind::Arg(n, f) => format!("{}.{}", n.name, f.name()),
        MetaKind::Result(f) => format!("@result.{}", f.name()),
        MetaKind::Session(f) => format!("@session.{}", f.name()),
        MetaKind::At(f) => format!("@{}", f.name()),
        MetaKind::Args(f, a) => format!(
            "@args.{}{}",
            f.name(),
            match a {
                None => "",
                Some(AggOp::Union) => ".union",
                Some(AggOp::Intersect) => ".intersect",
            }
        ),
        MetaKind::Of(op, f) => format!(
            "{}-of-{}",
            if *op == AggOp::Union {
                "union"
            } else {
                "intersect"
            },
            f.name()
        ),
    }
}

fn value(v: &ValueExpr) -> String {
    match &v.kind {
        ValueKind::Arg(n) => format!("{}.value", n.name),
        ValueKind::Result => "@result.value".into(),
        ValueKind::Session => "@session.value".into(),
        ValueKind::Str(s) => format!("{:?}", s.value),
        ValueKind::Date(s) => format!("d{:?}", s.value),
        ValueKind::Number(n) => n.raw.to_string(),
        ValueKind::Bool(b) => b.to_string(),
    }
}

pub fn pred(p: &Pred) -> String {
    match &p.kind {
        PredKind::Or(l) => format!("(or {})", l.iter().map(pred).collect::<Vec<_>>().join(" ")),
        PredKind::And(l) => format!("(and {})", l.iter().map(pred).collect::<Vec<_>>().join(" ")),
        PredKind::Not(q) => format!("(not {})", pred(q)),
        PredKind::Paren(q) => pred(q),
        PredKind::Ref(n) => format!("ref:{}", n.name),
        PredKind::In {
            quant,
            value: v,
            set: s,
        } => {
            let q = match quant {
                None => "in",
                Some(Quant::Any) => "any-in",
                Some(Quant::All) => "all-in",
            };
            format!("({q} {} {})", value(v), set(s))
        }
        PredKind::ValueEq(pair) => format!("(== {} {})", value(&pair[0]), value(&pair[1])),
        PredKind::SetCmp { left, op, right } => format!("({op:?} {} {})", meta(left), set(right)),
        PredKind::Is { left, universal } => format!(
            "(is-{} {})",
            if *universal { "universal" } else { "empty" },
            meta(left)
        ),
        PredKind::Error => "ERR".into(),
    }
}

/// Runs `f` on a thread with a small stack (see `parse::MAX_DEPTH`): 1 MiB in release builds;
/// unoptimised builds use much larger frames, so they get the default test-thread size, 2 MiB.
pub fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    let size = if cfg!(debug_assertions) {
        2 << 20
    } else {
        1 << 20
    };
    std::thread::Builder::new()
        .stack_size(size)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}
