//! Formatter tests: the canonical style of docs/formatting.md, comments kept in order, round
//! trips and idempotence on the corpus.

mod common;

use sqrt_compiler::fmt::format;
use sqrt_compiler::parse::parse;

fn fmt(src: &str) -> String {
    format(&common::ok(src), src)
}

/// `format` is idempotent, reparses to the same tree and keeps every comment in order.
fn check_round_trip(src: &str) {
    let before = common::ok(src);
    let out = format(&before, src);
    let after = common::ok(&out);
    assert_eq!(
        common::shape(&after),
        common::shape(&before),
        "tree changed:\n{out}"
    );
    assert_eq!(format(&after, &out), out, "not idempotent");
}

#[test]
fn corpus_round_trips() {
    for src in [
        include_str!("corpus/seed.sqrt"),
        include_str!("corpus/examples.sqrt"),
        include_str!("corpus/prelude.sqrt"),
        include_str!("corpus/words.sqrt"),
        include_str!("corpus/comments.sqrt"),
    ] {
        check_round_trip(src);
    }
}

#[test]
fn seed_policy_canonical_form() {
    assert_eq!(
        fmt(include_str!("corpus/seed.sqrt")),
        r#"let sensitive_docs = {"internal_use", "confidential"};
tool "get_internal_document" -> @tags |= sensitive_docs;
tool "send_email" {
    hard deny when (body.tags overlaps sensitive_docs) and (not to.value in {str matching r".*@trustedcorp\.com"});
}
"#
    );
}

#[test]
fn layout() {
    // Blocks one member per line, 4-space indent, `{}` when empty, one statement per line.
    assert_eq!(
        fmt(
            "tool \"t\"{priority 1;must allow always;result{@tags|={\"a\"};when p{@tags-={\"b\"};}}session before{}}"
        ),
        "tool \"t\" {\n    priority 1;\n    must allow always;\n    result {\n        @tags |= {\"a\"};\n        when p {\n            @tags -= {\"b\"};\n        }\n    }\n    session before {}\n}\n"
    );
    // Operator keywords print as symbols; spacing is normalised; parentheses stay.
    assert_eq!(
        fmt("let s=(a union b)intersect c minus d xor e with \"x\" without 1;"),
        "let s = (a | b) & c - d ^ e with \"x\" without 1;\n"
    );
    assert_eq!(
        fmt("let p = not(a)or b and c.value==\"x\";"),
        "let p = not (a) or b and c.value == \"x\";\n"
    );
    // Ranges have no spaces; literals keep their spelling.
    assert_eq!(
        fmt("let s = { int 1 .. 10 , float ..< +inf , str \"x\" , datetime d\"2024-01-01\" <.. };"),
        "let s = {int 1..10, float ..<+inf, str \"x\", datetime d\"2024-01-01\"<..};\n"
    );
    // Keyword spellings that mean the same thing are kept (`must`/`hard`, shorthand targets).
    assert_eq!(
        fmt("tool \"t\"[2]->session @tags|=x when p ;tool \"u\" -> session after @tags = {};"),
        "tool \"t\" [2] -> session @tags |= x when p;\ntool \"u\" -> session after @tags = {};\n"
    );
}

#[test]
fn blank_lines_and_comments() {
    let src = "\n\n// lead\n\n\nlet a = {};   // same line\n\n\n/* own */ let b = {};\n/// doc\n\nlet c = {};\ntool \"t\" {\n\n    // first\n    must deny always; /* x */ // y\n\n\n    soft allow always;\n\n}\n// tail\n\n";
    assert_eq!(
        fmt(src),
        "// lead\n\nlet a = {}; // same line\n\n/* own */\nlet b = {};\n/// doc\nlet c = {};\ntool \"t\" {\n    // first\n    must deny always; /* x */ // y\n\n    soft allow always;\n}\n// tail\n"
    );
    check_round_trip(src);
}

#[test]
fn comments_inside_expressions_stay_inside() {
    let src = "tool \"t\" {\n    hard deny when a and // why\n  b or /* c */ x.value in {\"a\", /* d */ \"b\"};\n}\n";
    let out = fmt(src);
    assert_eq!(
        out,
        "tool \"t\" {\n    hard deny when a and // why\n        b or /* c */ x.value in {\"a\", /* d */ \"b\"};\n}\n"
    );
    check_round_trip(src);
    // Every comment survives, in order, in a messy file.
    let messy = "/*1*/let/*2*/a/*3*/=/*4*/{/*5*/\"x\"/*6*/}/*7*/;/*8*/\ntool/*9*/\"t\"/*10*/{/*11*/result/*12*/{/*13*/when/*14*/p/*15*/{/*16*/@tags/*17*/=/*18*/{}/*19*/;/*20*/}/*21*/}/*22*/}/*23*/";
    let out = fmt(messy);
    let texts: Vec<_> = parse(&out)
        .program
        .comments
        .iter()
        .map(|c| c.text.clone())
        .collect();
    let expected: Vec<_> = (1..=23).map(|i| format!("/*{i}*/")).collect();
    assert_eq!(texts, expected, "{out}");
    check_round_trip(messy);
}

#[test]
fn a_comment_after_a_closing_brace_stays_after_it() {
    assert_eq!(
        fmt("tool \"t\" { must deny always; } // c\nlet a = {}; /* x */ /* y */\n"),
        "tool \"t\" {\n    must deny always;\n} // c\nlet a = {}; /* x */ /* y */\n"
    );
    assert_eq!(
        fmt("tool \"t\" { result { when p { @tags = {}; } /* w */ } /* r */ }"),
        "tool \"t\" {\n    result {\n        when p {\n            @tags = {};\n        } /* w */\n    } /* r */\n}\n"
    );
}

#[test]
fn empty_and_comment_only_files() {
    assert_eq!(fmt(""), "");
    assert_eq!(fmt("\n\n"), "");
    assert_eq!(fmt("// only\n"), "// only\n");
    assert_eq!(fmt("\u{FEFF}let a = {};"), "let a = {};\n");
}

/// The examples of docs/formatting.md: the comment example is canonical, and "Before" formats
/// to "After".
#[test]
fn formatting_guide_examples() {
    let doc = include_str!("../../docs/formatting.md");
    let blocks: Vec<&str> = doc
        .split("```sqrt\n")
        .skip(1)
        .map(|b| &b[..b.find("```").unwrap()])
        .collect();
    assert_eq!(blocks.len(), 3);
    assert_eq!(fmt(blocks[0]), blocks[0]);
    assert_eq!(fmt(blocks[1]), blocks[2]);
    check_round_trip(blocks[1]);
}
