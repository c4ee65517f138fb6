//! The recursive-descent fast path against the lalrpop reference parser: on every input the
//! two give the same `Parsed` (tree, spans and diagnostics, compared in their debug form), and
//! on every input the reference parses without a diagnostic the fast path is taken (it never
//! gives up on a well-formed program). The generated programs of `parse_generated.rs` and
//! `fmt_roundtrip.rs` are checked the same way there.

use std::path::Path;

mod common;

use common::same_as_reference as same;
use sqrt_compiler::parse::MAX_DEPTH;

#[test]
fn corpus_files_parse_the_same_and_valid_ones_take_the_fast_path() {
    let files = common::corpus();
    assert!(files.len() > 50, "corpus not found: {} files", files.len());
    let mut valid = 0;
    for (path, src) in &files {
        let clean = same(src);
        // Files under `valid/` (and the compiler's own corpus) are well-formed programs; some
        // have checker diagnostics, none a syntax one.
        let must_be_clean = !path.components().any(|c| c.as_os_str() == "invalid");
        assert!(
            clean || !must_be_clean,
            "{}: a valid corpus file has parse diagnostics",
            path.display()
        );
        valid += usize::from(clean);
    }
    assert!(valid >= 10, "only {valid} clean corpus files");
}

/// The policies of the book (every ```sqrt block of `docs/*.md`, the diagnostics chapter's
/// deliberately broken) and of the behaviour suites (`tests/sqrt/*.sqrt`).
#[test]
fn book_examples_and_suite_policies_parse_the_same() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut sources = Vec::new();
    for entry in std::fs::read_dir(root.join("docs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            let doc = std::fs::read_to_string(&path).unwrap();
            // ```sqrt and ```sqrt,error=CODE fences.
            for block in doc.split("```sqrt").skip(1) {
                let body = block.split_once('\n').map_or("", |(_, b)| b);
                sources.push(body.split("```").next().unwrap().to_string());
            }
        }
    }
    let blocks = sources.len();
    let mut suites = Vec::new();
    common::sqrt_files(&root.join("tests/sqrt"), &mut suites);
    for path in &suites {
        sources.push(std::fs::read_to_string(path).unwrap());
    }
    assert!(
        blocks > 50 && !suites.is_empty(),
        "{blocks} blocks, {suites:?}"
    );
    let clean = sources.iter().filter(|src| same(src)).count();
    assert!(
        clean > blocks / 2,
        "only {clean} of {} clean",
        sources.len()
    );
}

/// §3.2: keywords as names, the classifier's special terminals, and the forms that need two
/// terminals of lookahead. All are well-formed: the fast path must take them.
const CLEAN: &[&str] = &[
    "tool \"t\" { hard deny when when; }",
    "tool \"t\" { hard deny when tool and let or priority; soft allow when not always; }",
    "let when = p;",
    "let let = let;",
    "let tool = x.value in {\"a\"};",
    "let x = int;",
    "let x = int | str;",
    "let d = int 1..5;",
    "let d = int 1..;",
    "let d = int ..<5;",
    "let d = float 0.5<..<2.5;",
    "let d = int inf;",
    "let d = int 1<..;",
    "let d = bool true;",
    "let d = bool false;",
    "let d = str \"a\";",
    "let d = str matching r\"a.*\" length ..<3;",
    "let d = str like w\"*.pdf\" length 2;",
    "let d = datetime d\"2024-01-01\"..d\"2025-01-01\";",
    "let d = datetime ..<d\"2024-01-01\";",
    "let d = datetime d\"2024-01-01\"..;",
    "let d = datetime \"2024-01-01T00:00:00Z\";",
    "let d = datetime 1700000000;",
    "let s = S | not;",
    "let s = (not);",
    "let s = S | not & T;",
    "let s = ( not union x );",
    "let p = ( not union of tags from args overlaps S );",
    "let p = not p;",
    "let p = not not (p);",
    "let s = union of tags from args;",
    "let s = intersect of producers from args | @args.consumers.intersect;",
    "let s = S union of;",
    "let s = S union union of tags from args;",
    "let s = {\"a\", r\"b.*\", w\"c*\", 5, -inf, +inf, 2.5, inf, int 1..3, str like w\"a*\", datetime d\"2024-01-01\"..};",
    "let s = {};",
    "let s = x.tags with \"a\" without 5 with int 1.. | S;",
    "let s = S ^ T - U & V | W xor X minus Y intersect Z union Q;",
    "let p = any xs.value in S;",
    "let p = all @result.value in S and any @session.value in {\"a\"};",
    "let p = any;",
    "let p = all or any;",
    "let p = true == x.value;",
    "let p = x.value == true or x.value == false or x.value == inf;",
    "let p = false in S;",
    "let p = inf in S;",
    "let p = inf == 5;",
    "let p = 5 == @result.value;",
    "let p = d\"2024-01-01\" in S;",
    "let p = \"a\" in @tags;",
    "let p = x.value in not;",
    "let p = not.value in S;",
    "let p = from.tags is empty;",
    "let p = result.value in S;",
    "let p = @tags is universal and @result.consumers is empty;",
    "let p = x.tags subset of S or x.tags superset of {\"a\"} or x.tags == {} or x.tags overlaps S;",
    "let p = @args.tags.union overlaps S and @args.producers subset of T;",
    "let p = (p) and (q or r);",
    "let p = ((p));",
    "let a = ( ( b ) );",
    "let in = or;",
    // Predicates and sets read without a cover: parentheses on either side, `not` as a set
    // name after an operator, operators of every precedence.
    "let s = (a) | b;",
    "let s = ((a) | (b)) with \"x\" | (c);",
    "let p = (a) and b or not (c);",
    "let s = a | not with \"a\";",
    "tool \"t\" { must deny when not not a and (b or c) or d; }",
    "tool \"t\" { must deny when (x.tags overlaps S) or (any y.value in (S | T)); }",
    "tool \"t\" -> @tags |= (S | T) with 1 - U ^ V when ((p));",
    "let of = S | of;",
    "tool \"t\" { result { result.tags |= S; tool.tags = {}; session.producers -= T; let.consumers ^= U; } }",
    "tool \"t\" { session before { when.tags &= S; } session after { @session.tags = {}; } }",
    "tool \"t\" { result { when p { @tags |= S; @result.tags = T; x.producers -= U; } when q {} } }",
    "tool \"t\" { priority 3; priority -2; must allow always; should deny when p; }",
    "tool r\"t.*\" [2] -> session before @tags |= S when p;",
    "tool \"t\" -> result @producers = S;",
    "tool \"t\" -> session @consumers &= S;",
    "tool \"t\" -> session after @tags ^= S when x.value in {int 1..1024};",
    "tool \"t\" -> @tags |= S when not p;",
    "/// doc\nlet a = b;\n/// doc\ntool \"t\" {\n  /// member\n  result {\n    /// stmt\n    @tags |= S;\n  }\n}\n",
    "// comment\nlet a = b; /* block */ let c = d;",
    "",
    "/// Block 1.
let sensitive_1 = {\"internal_use\", \"confidential\", \"pii_1\"};
tool \"send_email_1\" {
    priority 1;
    hard deny when (body.tags overlaps sensitive_1) and (not to.value in {str matching r\".*@trustedcorp\\.com\"});
    soft allow when path.value in {w\"/srv/public/*\", \"a\", \"b\"} or @args.producers superset of {\"ledger\"};
    result {
        @tags |= {\"t1\"}; // tag the output
        when \"restricted\" in @tags { @consumers &= {\"#hr\"}; }
    }
}
tool \"fetch_1\" -> @producers |= {\"src_1\"} when port.value in {int 1..1024};
",
];

/// Malformed: the fast path gives up and the reference reports, with the same result.
const BROKEN: &[&str] = &[
    "let s = not;",
    "let p = x.tags in S;",
    "let s = {\"a\",};",
    "let x = {\"foo\"}",
    "tool \"t\" { broken }",
    "tool \"t\" { hard when p; }",
    "tool \"t\" { hard deny when p }",
    "tool \"t\" { result { when p { when q { @tags |= S; } } } }",
    "tool \"t\" { result { when p @tags |= S; } }",
    "let p = (S) == x.tags;",
    "let p = S overlaps T;",
    "let p = x.tags overlaps y.value;",
    "let p = x.tagz is empty;",
    "let p = @args.value in S;",
    "let p = @args.tags.foo overlaps S;",
    "let s = union of foo from args;",
    "let p = ( true == or p );",
    "let p = x.value in S is empty;",
    "/// dangling\n",
    "tool \"t\" { hard deny always; /// dangling\n }",
    "tool \"t\" { result { when p { /// not claimed\n @tags |= S; } } }",
    "let a = \"unterminated;",
    "let a = b; /* unterminated",
    "let a = \"\\q\";",
    "tool let let",
    "let s = x.tags | ;",
    "let d = int ..<;",
    "let d = datetime d\"2024-01-01\"..<;",
    "let d = str matching \"a\";",
    "let d = bool 1;",
    "tool \"t\" -> @tags |= S",
    "tool \"t\" { result {",
    "let = p;",
    "let s = (not x.tags);",
    // `not` first on a right-hand side is negation, whatever follows.
    "let s = not | a;",
    "let s = not with \"a\";",
    "tool \"t\" { must deny when a | b; }",
    "tool \"t\" { must deny when x.tags; }",
    "tool \"t\" { must deny when (x.tags) overlaps S; }",
    "tool \"t\" { must deny when not; }",
    "tool \"t\" -> @tags |= S when S | T;",
];

#[test]
fn keyword_names_and_lookahead_forms_take_the_fast_path() {
    for src in CLEAN {
        assert!(same(src), "{src:?} should be well-formed");
    }
}

#[test]
fn malformed_input_falls_back_to_the_reference() {
    for src in BROKEN {
        assert!(!same(src), "{src:?} should have diagnostics");
    }
}

/// Around the nesting limit: parentheses, `not`s and operator chains just inside and just
/// beyond `MAX_DEPTH` give the same result (beyond it, E0107 from the reference).
#[test]
fn nesting_around_the_limit_is_the_same() {
    let on_big_stack = |f: fn()| {
        std::thread::Builder::new()
            .stack_size(64 << 20)
            .spawn(f)
            .unwrap()
            .join()
            .unwrap()
    };
    on_big_stack(|| {
        let max = MAX_DEPTH as usize;
        for n in max - 3..max + 3 {
            same(&format!("let p = {}p{};", "(".repeat(n), ")".repeat(n)));
            same(&format!("let p = {}p;", "not ".repeat(n)));
            same(&format!(
                "let p = x.value in {}S{};",
                "(".repeat(n),
                ")".repeat(n)
            ));
            same(&format!("let s = S{};", " | T".repeat(n)));
            same(&format!("let s = S{};", " with 1".repeat(n)));
            same(&format!("let p = p{};", " and q".repeat(n)));
            same(&format!(
                "tool \"t\" {{ must deny when {}x.tags overlaps S{}; }}",
                "(".repeat(n),
                ")".repeat(n)
            ));
            same(&format!("let s = {}S | T{};", "(".repeat(n), ")".repeat(n)));
        }
        // Far beyond: the fast path must give up without recursing that deep.
        same(&format!("let p = {}p;", "(".repeat(100_000)));
        same(&format!("let p = {}p;", "not ".repeat(100_000)));
    });
}
