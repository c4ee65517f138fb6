//! Differential test: the LALR parser (`parse_lalr`, lalrpop) against the hand-written
//! recursive-descent parser (`parse`). Both must build the same tree with the same spans and
//! report the same diagnostics (code and span) on every corpus file, every input of
//! `tests/parse.rs`, and generated programs (well-formed and token soup).

mod common;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use sqrt_compiler::parse::{MAX_DEPTH, Parsed, parse, parse_lalr};

/// The inputs of `tests/parse.rs` (every literal that is or holds a declaration).
const PARSE_RS_INPUTS: &[&str] = &[
    "let s = A | B & C;",
    "let s = (A | B) & C;",
    "let s = A - B | C;",
    "let s = A ^ B - C;",
    "let s = A & B - C ^ D;",
    "let s = A - B - C;",
    "let s = A union B intersect C minus D xor E;",
    "let s = A | B & C - D ^ E;",
    r#"let s = x.tags | {"x"} with "y";"#,
    r#"let s = A with "a" without "b";"#,
    "let s = A | (B & C);",
    "let p = a or b and c;",
    "let p = a and b or c and d or e;",
    "let p = not a and b;",
    "let p = not not a;",
    "let p = not to.value in S;",
    "let p = (a or b) and c;",
    r#"let p = x.value in {"a", r"b.*", w"c*", 1, 2.5, -inf};"#,
    r#"let p = x.value == "a";"#,
    r#"let p = @result.value == d"2024-01-01";"#,
    "let p = x.tags overlaps y.tags;",
    "let p = x.tags subset of S;",
    "let p = @session.tags superset of S;",
    "let p = @args.tags == S;",
    "let p = @tags is empty;",
    "let p = @result.consumers is universal;",
    "let p = @args.tags.intersect is empty;",
    "let p = union of producers from args is empty;",
    "let p = any xs.value in S;",
    "let p = all @result.value in S;",
    "let p = 5 in S;",
    "let p = not.value in S;",
    "let p = from.tags is empty;",
    "let p = any.value in S;",
    "let p = not x;",
    "let p = true == x.value;",
    "let p = inf in S;",
    "let p = true and false;",
    "let p = any and all;",
    "let p = union and x;",
    "let s = union of tags from args | of;",
    "let s = union | intersect;",
    "let s = with with \"a\";",
    "let d = int 1..3;",
    "let d = int;",
    "let d = int | x;",
    "let d = str and x;",
    "let a = ((b));",
    "let a = true;",
    "let a = (x.tags);",
    "let p = q and not;",
    "let p = not;",
    "let s = A union of tags from args;",
    "let d = bool false;",
    "let d = int 5;",
    "let d = int 1..10;",
    "let d = int 1..<10;",
    "let d = int 1<..10;",
    "let d = int 1<..<10;",
    "let d = int ..10;",
    "let d = int ..<10;",
    "let d = int 0..;",
    "let d = int 0<..;",
    "let d = float -inf..inf;",
    "let d = float 0.5..+inf;",
    r#"let d = str "x";"#,
    r#"let d = str matching r"a\.b" length 1..5;"#,
    r#"let d = str like w"*.pdf";"#,
    r#"let d = datetime d"2024-01-01"..d"2024-02-01";"#,
    r#"let d = datetime ..<d"2024-01-01";"#,
    r#"let d = datetime d"2024-01-01"<..;"#,
    r#"let d = datetime "2024-01-01T10:00:00Z";"#,
    "let d = datetime 1700000000;",
    "let s = {int 1..3, float 2.5, str \"a\", bool true, datetime d\"2024-01-01\"};",
    "let d = int 1..<;",
    "let d = {int ..};",
    "let d = {bool maybe};",
    r#"let d = {str matching "x"};"#,
    r#"let d = {str like r"x"};"#,
    r#"let d = {datetime d"2024-01-01"..<};"#,
    r#"let s = {d"2024-01-01"};"#,
    r#"let s = {"a",};"#,
    r#"let s = {"a" "b"};"#,
    r#"tool "t" {
        /// doc
        priority -5;
        must allow always; hard deny always; should allow when p; soft deny when q;
        result { @tags = {}; @result.producers |= {"a"}; @session.tags -= {"b"}; x.consumers ^= {"c"}; }
        session before { when p { @tags &= {"d"}; @tags = {}; } }
        session after {}
    }"#,
    r#"tool "t" { priority 1.5; }"#,
    r#"tool "t" { hard when p; }"#,
    r#"tool "t" { hard deny p; }"#,
    r#"tool "t" { hard deny always }"#,
    r#"tool "t" { session { } }"#,
    r#"tool "t" { result { @tags + {"a"}; } }"#,
    r#"tool "t" { result { tags |= {"a"}; } }"#,
    r#"tool "t" { result { @tags |= {"a"} } }"#,
    r#"tool "t" { must deny always; };"#,
    r#"tool t { }"#,
    r#"tool w"t*" { }"#,
    r#"tool "a" [3] -> session before @tags |= {"x"} when p;
tool r"b.*" -> result @producers = {"y"};
tool "c" -> session after @consumers &= S;
tool "d" -> session @tags -= {"z"};"#,
    r#"tool "a" [x] -> @tags |= {"x"};"#,
    r#"tool "a" -> tags |= {"x"};"#,
    r#"tool "a" -> @tags |= {"x"} when;"#,
    r#"tool "a" -> @tags |= {"x"} p;"#,
    r#"tool "a" -> @result.tags |= {"x"};"#,
    r#"tool "t" { broken }"#,
    r#"let x = {"foo"}"#,
    r#"let a = {"x"}; /// dangling"#,
    "/// dangling",
    r#"let p = {"a"} subset of x.tags;"#,
    "let p = x.tagz is empty;",
    r#"tool "t" { result { when P { when Q { } } } }"#,
    "tool \"t\" {\n    hard deny when /// no\n p;\n}",
    "/// no",
    "tool \"t\" {\n    must deny always;\n    /// end\n}",
    "/// end",
    "tool \"t\" { result { when p {\n/// x\n@tags = {}; } } }",
    "/// x",
    r#"let p = (x.tags | y.tags) overlaps {"a"};"#,
    r#"tool "t" { hard deny when (x.tags) is empty; }"#,
    r#"tool "t" { hard deny when S == x.tags and p; }"#,
    r#"let p = S subset of x.tags;"#,
    r#"tool "t" { hard deny when S | T overlaps x.tags; }"#,
    r#"tool "t" { hard deny when p is empty; }"#,
    "let p = x. value in S;",
    "let p = @args.tags.both is empty;",
    "let p = @tag is empty;",
    "tool \"t\" { result { @result.tagz = {}; } }",
    r#"let a = {"x"} $;"#,
    "let a = {\"x\"} $%# ;",
    r#"let a = {"x};"#,
    r#"let a = {r"x};"#,
    "/* open",
    "/*",
    r#"let a = {"\q"};"#,
    r#"let a = {"\u12G4"};"#,
    r#"let a = {"\uD800x"};"#,
    r#"tool "t" { priority 99999999999999999999; }"#,
    "let d = float {}.0;",
    r#"
let a = {"x"} $;
tool "t" {
    hard deny when x.value in ;
    soft allow always;
    session during { @tags = {}; }
    result { @tags |= ; @tags |= {"ok"}; }
    hard deny when p
}
let b = ;
tool "u" { soft deny always; }
"#,
    "tool \"a\" {\n    soft deny always;\n/// doc of b\ntool \"b\" { soft deny always; }\n",
    "tool",
    "let a = {\"x};\nlet b = {};",
    "let p = x.valuex is empty;",
    "let p = x .value in S;",
    "let p = @ tags is empty;",
    "let p = @resultx is empty;",
    "let d = {-5, -inf, -2.5};",
    "let s = a -infinity;",
    "let s = a - b;",
    "let d = {+5};",
    "let d = {.5};",
    "let d = int 1.;",
    "let d = {1e5};",
    r#"let s = {"a\"b\\c\/\n\t\u00e9\uD83D\uDE00", r".*@x\.com\"\\", w"\*"};"#,
    "let s = {\"a\nb\"}; // c\n/* d */",
    "\u{FEFF}let s = {};",
    "///  two\n////four  \n///\nlet s = {};",
    "// a\nlet s = {}; /* b */ // c",
    "/* b */",
    "let p = {}a{};",
    "let p = {}x.tags is empty{};",
    "let p = {}a;",
    "let s = a{};",
    "let p = x.value in a{};",
    "tool \"t\" {{ hard deny when {}p{}; }}",
    "let p = {}{{\"a\"}}{} subset of x.tags;",
    "let p = {}x.value in {{\"a\"}}{};\n",
    "let s = a{};\n",
    "let p = a{};",
    "let s = {{{}\"x\"}};",
    "let",
    "tool \"t\" ->",
    "///",
    "let p = x.",
    "let p = @args.tags.",
    "let p = @args.tags.union.",
    "let s = {{\"{}\"}};",
    "tool \"t\" { result { when p { when q { when r {",
    "let p = {}x.value in {{\"a\"}}{};\ntool \"t\" {{\n    hard deny when p;\n}}\n",
    "let s = a{};\nlet a = {{\"x\"}};\nlet b = {{\"y\"}};\ntool \"t\" -> @tags |= s;\n",
    "tool \"t\" {{\n    hard deny when {}x.tags overlaps {{\"a\"}};\n}}\n",
    "tool \"t\" -> @tags |= {}{{\"a\"}}{};\n",
    // garbage_never_panics
    "",
    " \n\t",
    "\u{FEFF}",
    "}}}}))))",
    "let",
    "tool",
    "tool \"t\" ->",
    "\"",
    "r\"\\",
    "\"\\u",
    "\"\\uD800\\u",
    "/*",
    "///",
    "let p = x.",
    "let p = @args.tags.",
    "let p = @args.tags.union.",
    "tool \"t\" { result { when p { when q { when r {",
];

fn codes(p: &Parsed) -> Vec<(&'static str, u32, u32)> {
    p.diagnostics
        .iter()
        .map(|d| (d.code, d.span.start, d.span.end))
        .collect()
}

/// `None` if both parsers agree on `src`, else a description of the first difference.
fn disagreement(src: &str) -> Option<String> {
    let hand = parse(src);
    let lalr = parse_lalr(src);
    if codes(&hand) != codes(&lalr) {
        return Some(format!(
            "diagnostics differ\n  hand: {:?}\n  lalr: {:?}",
            codes(&hand),
            codes(&lalr)
        ));
    }
    if common::shape(&hand.program) != common::shape(&lalr.program) {
        return Some(format!(
            "trees differ\n  hand: {}\n  lalr: {}",
            common::shape(&hand.program),
            common::shape(&lalr.program)
        ));
    }
    if hand.program != lalr.program {
        return Some("spans differ".to_string());
    }
    None
}

fn corpus_files() -> Vec<(String, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in [root.join("../tests/corpus"), root.join("tests/corpus")] {
        let mut stack = vec![dir];
        while let Some(d) = stack.pop() {
            let Ok(rd) = std::fs::read_dir(&d) else {
                continue;
            };
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "sqrt") {
                    let bytes = std::fs::read(&p).unwrap();
                    if let Ok(text) = String::from_utf8(bytes) {
                        out.push((p.display().to_string(), text));
                    }
                }
            }
        }
    }
    out.sort();
    out
}

#[test]
fn corpus_files_agree() {
    let files = corpus_files();
    assert!(files.len() >= 50, "corpus not found: {}", files.len());
    let bad: Vec<_> = files
        .iter()
        .filter_map(|(name, src)| disagreement(src).map(|d| format!("{name}: {d}")))
        .collect();
    assert!(
        bad.is_empty(),
        "{} of {} corpus files disagree:\n{}",
        bad.len(),
        files.len(),
        bad.join("\n")
    );
}

#[test]
fn parse_rs_inputs_agree() {
    let bad: Vec<_> = PARSE_RS_INPUTS
        .iter()
        .filter_map(|src| disagreement(src).map(|d| format!("{src:?}: {d}")))
        .collect();
    assert!(
        bad.is_empty(),
        "{} of {} inputs disagree:\n{}",
        bad.len(),
        PARSE_RS_INPUTS.len(),
        bad.join("\n")
    );
}

#[test]
fn nesting_limit_agrees() {
    let n = 100_000;
    let cases = [
        format!("let p = {}a{};", "(".repeat(n), ")".repeat(n)),
        format!("let p = {}x.tags is empty{};", "(".repeat(n), ")".repeat(n)),
        format!("let p = {}a;", "not ".repeat(n)),
        format!("let s = a{};", " | b".repeat(n)),
        format!("let s = a{};", " with \"x\"".repeat(n)),
        format!("let p = x.value in a{};", " - b".repeat(n)),
        format!(
            "tool \"t\" {{ hard deny when {}p{}; }}",
            "(".repeat(n),
            ")".repeat(n)
        ),
        format!(
            "let p = {}{{\"a\"}}{} subset of x.tags;",
            "(".repeat(n),
            ")".repeat(n)
        ),
        "{".repeat(n),
        "x".repeat(1 << 20),
        format!("let p = a{};", " or b".repeat(n)),
        format!("let s = {{{}\"x\"}};", "\"a\", ".repeat(n)),
    ];
    for src in cases {
        common::on_small_stack(move || {
            let hand = parse(&src);
            let lalr = parse_lalr(&src);
            let hand_codes: Vec<_> = hand.diagnostics.iter().map(|d| d.code).collect();
            let lalr_codes: Vec<_> = lalr.diagnostics.iter().map(|d| d.code).collect();
            assert_eq!(hand_codes, lalr_codes, "{}", &src[..60.min(src.len())]);
            // The tree the LALR parser built is bounded too: it formats and drops on this stack.
            let _ = sqrt_compiler::fmt::format(&lalr.program, &src);
        });
    }
    // Just under the limit both parse cleanly.
    let depth = MAX_DEPTH as usize - 3;
    let src = format!(
        "let p = {}x.value in {{\"a\"}}{};\n",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    assert_eq!(disagreement(&src), None);
    assert!(parse_lalr(&src).diagnostics.is_empty());
    let chain = format!("let s = a{};\n", " | b".repeat(MAX_DEPTH as usize - 2));
    assert_eq!(disagreement(&chain), None);
    assert!(parse_lalr(&chain).diagnostics.is_empty());
}

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

/// After the first error the two recoveries may resynchronise at different tokens (see
/// docs/parser.md), so generated inputs are held to: the same verdict on validity, the whole
/// result when valid, and (`first`) the same first diagnostic.
fn weak_disagreement(src: &str, first: bool) -> Option<String> {
    let hand = parse(src);
    let lalr = parse_lalr(src);
    let (h, l) = (codes(&hand), codes(&lalr));
    if hand.has_errors() != lalr.has_errors() || (first && h.first() != l.first()) {
        return Some(format!("diagnostics differ\n  hand: {h:?}\n  lalr: {l:?}"));
    }
    if h.is_empty() {
        disagreement(src)
    } else {
        None
    }
}

/// `( not union x )` is a set and `( not union and p )` a predicate (sqrt.md §3.2 d): only
/// a second full reading tells, and the LALR classifier looks two tokens ahead (see
/// docs/parser-lalr.md). Generated inputs with `not` right before an operator word inside
/// parentheses are therefore not compared.
fn not_before_operator_word(src: &str) -> bool {
    ["union", "intersect", "minus", "xor"]
        .iter()
        .any(|w| src.contains(&format!("( not {w} ")))
}

fn run_differential(strategy: impl Strategy<Value = String>, cases: u32, first: bool) {
    if std::env::var("LALR_EXPLORE").is_ok() {
        let mut runner = TestRunner::new(ProptestConfig::default());
        let mut bad: Vec<String> = Vec::new();
        let (mut firsts, mut validity) = (0, 0);
        for _ in 0..cases {
            let src = strategy.new_tree(&mut runner).unwrap().current();
            if not_before_operator_word(&src) {
                continue;
            }
            firsts += usize::from(weak_disagreement(&src, true).is_some());
            if parse(&src).has_errors() != parse_lalr(&src).has_errors() {
                validity += 1;
                eprintln!("VALIDITY {src:?}: {:?}", disagreement(&src));
            }
            // LALR_EXPLORE=full lists every difference, =first those in the first diagnostic.
            let d = match std::env::var("LALR_EXPLORE").as_deref() {
                Ok("full") => disagreement(&src),
                Ok("first") => weak_disagreement(&src, true),
                _ => weak_disagreement(&src, false),
            };
            if let Some(d) = d {
                bad.push(format!("{src:?}: {d}"));
            }
        }
        bad.sort_by_key(String::len);
        eprintln!(
            "EXPLORE: {} of {cases} differ in full, {firsts} in the first diagnostic, {validity} in validity",
            bad.len()
        );
        for b in bad.iter().take(25) {
            eprintln!("{b}");
        }
        return;
    }
    let mut runner = TestRunner::new(ProptestConfig {
        cases,
        ..ProptestConfig::default()
    });
    let result = runner.run(&strategy, |src| {
        if not_before_operator_word(&src) {
            return Ok(());
        }
        if let Some(d) = weak_disagreement(&src, first) {
            prop_assert!(false, "{src:?}: {d}");
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[test]
fn generated_programs_agree() {
    let cases = std::env::var("LALR_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(300);
    on_big_stack(move || run_differential(program(), cases, false));
}

#[test]
fn token_soup_agrees() {
    let cases = std::env::var("LALR_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(300);
    on_big_stack(move || run_differential(token_soup(), cases, true));
}

/// `(code, source text at the span)` of each LALR diagnostic.
fn lalr_errs(src: &str) -> Vec<(&'static str, String)> {
    parse_lalr(src)
        .diagnostics
        .iter()
        .map(|d| (d.code, src[d.span.range()].to_string()))
        .collect()
}

/// Inputs where the two parsers differ and sqrt.md decides; expectations checked by hand
/// against the spec (the hand-written parser's answer is in the comment).
#[test]
fn where_they_differ_the_spec_decides() {
    // §3.1: "a literal, let name, parenthesised or operator expression there is E0104".
    // hand-written: E0101 at `==`.
    assert_eq!(
        lalr_errs("tool \"t\" { hard deny when (S) == x.tags; }"),
        [("E0104", "(S)".to_string())]
    );
    assert_eq!(
        lalr_errs("let a = ((b)) == x.tags;"),
        [("E0104", "((b))".to_string())]
    );
    // §3.2(b): `true` before `==` is a literal, so the left side is a value, not a set.
    // hand-written: E0104 at `true`.
    assert_eq!(
        lalr_errs("let q = ( true == or p ) ;"),
        [("E0101", "or".to_string())]
    );
    // Recovery resumes at `let NAME =` / `tool "…"`, not at any `let`/`tool` word.
    assert_eq!(lalr_errs("tool let let"), [("E0101", "let".to_string())]);
    assert_eq!(
        lalr_errs("let a = ; tool let x ; let b = {};"),
        [("E0101", ";".to_string()), ("E0101", "let".to_string())]
    );
}

#[test]
fn messages_name_what_was_expected() {
    let p = parse_lalr("let p = x.tags in S;");
    assert_eq!(p.diagnostics.len(), 1);
    let m = &p.diagnostics[0].message;
    assert!(
        m.starts_with("expected ") && m.ends_with("found `in`") && m.contains("`;`"),
        "{m}"
    );
    let p = parse_lalr("let x = {\"foo\"}");
    assert_eq!(p.diagnostics[0].code, "E0102");
    assert!(
        p.diagnostics[0].message.contains("`;`"),
        "{}",
        p.diagnostics[0].message
    );
}
