//! Generated programs (well-formed ones with up to two token edits, and token soup) against
//! the parser's invariants: no panic; diagnostics sorted, located inside the source on
//! character boundaries; an error node only where an error was reported (fail closed); and
//! recovery that resumes at the next declaration, so a well-formed `let` after balanced
//! garbage is still parsed. And the fast path gives what the reference parser gives, taken
//! exactly on the programs without diagnostics (`common::same_as_reference`); and the streamed
//! check gives what the check of the whole tree gives (`common::streams_as_tree`).

mod common;

use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use sqrt_compiler::ast::{ItemKind, LetValue, Program};
use sqrt_compiler::check::CheckOptions;
use sqrt_compiler::parse::{Parsed, parse};

// ---- generated programs ---------------------------------------------------------------------

/// Every kind of token, keywords included, for mutations and token soup.
const VOCAB: &[&str] = &[
    "let",
    "tool",
    "p",
    "x",
    "S",
    "a",
    "=",
    ";",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ",",
    ".",
    ".value",
    "==",
    "->",
    "|",
    "&",
    "-",
    "^",
    "|=",
    "&=",
    "-=",
    "^=",
    "..",
    "..<",
    "<..",
    "<..<",
    "@",
    "@result",
    "@session",
    "@args",
    "\"t\"",
    "r\"a.*\"",
    "w\"*\"",
    "d\"2024-01-01\"",
    "5",
    "-3",
    "2.5",
    "+inf",
    "inf",
    "priority",
    "must",
    "hard",
    "should",
    "soft",
    "allow",
    "deny",
    "when",
    "always",
    "result",
    "session",
    "before",
    "after",
    "tags",
    "producers",
    "consumers",
    "or",
    "and",
    "not",
    "in",
    "any",
    "all",
    "overlaps",
    "subset",
    "superset",
    "of",
    "is",
    "empty",
    "universal",
    "union",
    "intersect",
    "from",
    "args",
    "xor",
    "minus",
    "with",
    "without",
    "bool",
    "int",
    "float",
    "str",
    "datetime",
    "matching",
    "like",
    "length",
    "true",
    "false",
    "x.tags",
    "x.value",
    "@tags",
    "/// doc\n",
    "\n",
    "tagz",
];

fn pick(xs: &'static [&'static str]) -> impl Strategy<Value = String> + Clone {
    prop::sample::select(xs).prop_map(str::to_string)
}

fn elems() -> impl Strategy<Value = String> + Clone {
    prop::collection::vec(
        pick(&[
            "\"a\"",
            "\"*\"",
            "r\"x.*\"",
            "w\"*.pdf\"",
            "5",
            "-inf",
            "int 1..3",
            "str like w\"a*\"",
            "datetime d\"2024-01-01\"..",
        ]),
        0..3,
    )
    .prop_map(|v| format!("{{{}}}", v.join(", ")))
}

fn set() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        elems(),
        pick(&[
            "x.tags",
            "@args.tags",
            "@args.tags.union",
            "S",
            "union of tags from args",
            "@session.producers",
            "not",
            "of"
        ]),
    ];
    leaf.prop_recursive(4, 24, 2, |inner| {
        prop_oneof![
            (
                inner.clone(),
                pick(&["|", "&", "-", "^", "union", "intersect", "minus", "xor"]),
                inner.clone()
            )
                .prop_map(|(a, o, b)| format!("{a} {o} {b}")),
            inner.clone().prop_map(|a| format!("( {a} )")),
            (inner, pick(&["with \"a\"", "without \"b\"", "with 5"]))
                .prop_map(|(a, w)| format!("{a} {w}")),
        ]
    })
}

fn pred() -> impl Strategy<Value = String> {
    let atom = prop_oneof![
        set().prop_map(|s| format!("x.value in {s}")),
        set().prop_map(|s| format!("x.tags overlaps {s}")),
        set().prop_map(|s| format!("@args.tags subset of {s}")),
        set().prop_map(|s| format!("any xs.value in {s}")),
        pick(&[
            "p",
            "true",
            "any",
            "x.value == \"a\"",
            "true == x.value",
            "inf in S",
            "@tags is empty",
            "@result.consumers is universal",
            "not.value in S",
            "from.tags is empty",
            "5 == @result.value",
        ]),
    ];
    atom.prop_recursive(4, 24, 2, |inner| {
        prop_oneof![
            (inner.clone(), pick(&["and", "or"]), inner.clone())
                .prop_map(|(a, o, b)| format!("{a} {o} {b}")),
            inner.clone().prop_map(|a| format!("not {a}")),
            inner.prop_map(|a| format!("( {a} )")),
        ]
    })
}

fn member() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("priority 3 ;".to_string()),
        (
            pick(&["must", "hard", "should", "soft"]),
            pick(&["allow", "deny"]),
            pred()
        )
            .prop_map(|(l, e, p)| format!("{l} {e} when {p} ;")),
        Just("soft allow always ;".to_string()),
        (
            pick(&["result", "session before", "session after"]),
            set(),
            pred(),
            set()
        )
            .prop_map(|(b, s, p, t)| format!(
                "{b} {{ /// d\n @tags |= {s} ; when {p} {{ @session.tags = {t} ; }} }}"
            )),
    ]
}

fn item() -> impl Strategy<Value = String> {
    prop_oneof![
        pred().prop_map(|p| format!("let q = {p} ;")),
        set().prop_map(|s| format!("let s = {s} ;")),
        pick(&[
            "let d = int 1..5 ;",
            "let d = str matching r\"a\" length ..<3 ;",
            "let a = ( ( b ) ) ;",
            "let d = int ;"
        ]),
        prop::collection::vec(member(), 0..3)
            .prop_map(|m| format!("/// doc\ntool \"t\" {{ {} }}", m.join(" "))),
        (set(), pred()).prop_map(|(s, p)| format!(
            "tool r\"t.*\" [2] -> session before @tags |= {s} when {p} ;"
        )),
    ]
}

/// Well-formed programs, then up to two token edits (delete, insert or replace).
fn program() -> impl Strategy<Value = String> {
    let edits = prop::collection::vec((0usize..3, any::<prop::sample::Index>(), pick(VOCAB)), 0..3);
    (prop::collection::vec(item(), 1..4), edits).prop_map(|(items, edits)| {
        let mut toks: Vec<String> = items.join("\n").split(' ').map(str::to_string).collect();
        for (kind, at, tok) in edits {
            let i = at.index(toks.len().max(1)).min(toks.len());
            match kind {
                0 if i < toks.len() => {
                    toks.remove(i);
                }
                1 => toks.insert(i, tok),
                _ if i < toks.len() => toks[i] = tok,
                _ => {}
            }
        }
        toks.join(" ")
    })
}

fn token_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(pick(VOCAB), 0..40).prop_map(|v| v.join(" "))
}

/// Nested strategies take more stack in debug builds than a test thread has.
fn on_big_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

/// Whether the program has an error node anywhere a parser puts one.
fn has_error_node(p: &Program) -> bool {
    // Error nodes print as `Error` in the debug form (every AST error variant is `Error`).
    format!("{:?}", p.items).contains("Error")
}

/// Braces and parentheses balanced in order, no string or comment that could swallow the rest.
fn balanced(src: &str) -> bool {
    let mut stack = Vec::new();
    for c in src.chars() {
        match c {
            '{' | '(' => stack.push(c),
            '}' if stack.pop() != Some('{') => return false,
            ')' if stack.pop() != Some('(') => return false,
            _ => {}
        }
    }
    stack.is_empty()
}

fn invariants(src: &str, p: &Parsed) -> Result<(), TestCaseError> {
    let mut last = (0, 0);
    for d in &p.diagnostics {
        let (s, e) = (d.span.start as usize, d.span.end as usize);
        prop_assert!(
            s <= e && e <= src.len(),
            "{src:?}: span {s}..{e} outside the source"
        );
        prop_assert!(
            src.is_char_boundary(s) && src.is_char_boundary(e),
            "{src:?}: {s}..{e}"
        );
        prop_assert!((s, e) >= last, "{src:?}: diagnostics out of order");
        last = (s, e);
    }
    if has_error_node(&p.program) {
        prop_assert!(
            p.has_errors(),
            "{src:?}: an error node without a diagnostic"
        );
    }
    Ok(())
}

fn run<S: Strategy<Value = String> + 'static>(strategy: fn() -> S, cases: u32) {
    on_big_stack(move || {
        let strategy = strategy();
        let mut runner = TestRunner::new(ProptestConfig {
            cases,
            ..ProptestConfig::default()
        });
        let result = runner.run(&strategy, |src| {
            invariants(&src, &parse(&src))?;
            common::same_as_reference(&src);
            common::streams_as_tree(&src, &CheckOptions::default());
            // Recovery: after balanced garbage closed by `;`, the next declaration parses.
            if balanced(&src) && !src.contains("///") {
                let with = format!("{src} ;\nlet zz_ok = {{\"a\"}};");
                let p = parse(&with);
                invariants(&with, &p)?;
                common::same_as_reference(&with);
                let last = p.program.items.last().map(|i| &i.kind);
                prop_assert!(
                    matches!(last, Some(ItemKind::Let(l))
                        if l.name.name == "zz_ok" && matches!(l.value, LetValue::Set(_))),
                    "{with:?}: the trailing let was not recovered: {:?}",
                    p.diagnostics
                );
            }
            Ok(())
        });
        if let Err(e) = result {
            panic!("{e}");
        }
    });
}

#[test]
fn generated_programs_keep_the_invariants() {
    run(program, 300);
}

#[test]
fn token_soup_keeps_the_invariants() {
    run(token_soup, 300);
}
