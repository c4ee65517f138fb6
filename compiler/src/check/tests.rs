//! The checker's IR and diagnostics on small sources (the corpus in `tests/corpus/` covers every
//! code; these pin the IR shape the back end relies on).

use sqrt_std::tools::ToolSet;

use super::{CheckOptions, Checked, check};
use crate::ast::{AssignOp, Field, SetCmpOp};
use crate::diag::Span;
use crate::ir::*;

fn ok(src: &str) -> Program {
    let c = check(src, &CheckOptions::default());
    assert!(c.diagnostics.is_empty(), "{src}\n{:#?}", c.diagnostics);
    c.program.unwrap()
}

fn codes(c: &Checked) -> Vec<&'static str> {
    c.diagnostics.iter().map(|d| d.code).collect()
}

fn codes_of(src: &str) -> Vec<&'static str> {
    let c = check(src, &CheckOptions::default());
    assert_eq!(
        c.program.is_some(),
        !c.diagnostics.iter().any(|d| d.is_error())
    );
    codes(&c)
}

fn lit(labels: &[&str]) -> LSet {
    LSet::Lit {
        labels: labels.iter().map(|&s| Text::from(s)).collect(),
        universal: false,
    }
}

#[test]
fn seed_policy_ir() {
    let src = r#"let sensitive_docs = {"internal_use", "confidential"};
tool "get_internal_document" -> @tags |= sensitive_docs;
tool "send_email" {
    hard deny when (body.tags overlaps sensitive_docs) and
    (not to.value in {str matching r".*@trustedcorp\.com"});
}
"#;
    let p = ok(src);
    assert_eq!(p.policies.len(), 2);
    let get = &p.policies[0];
    assert_eq!(get.tool, ToolMatch::Exact("get_internal_document".into()));
    assert!(get.rules.is_empty() && get.session_before.is_empty() && get.session_after.is_empty());
    assert_eq!(get.origin, Origin::User);
    let [Stmt::Update(u)] = get.result.as_slice() else {
        panic!("{:?}", get.result)
    };
    assert_eq!(
        (u.target, u.field, u.op),
        (MetaTarget::Result, Field::Tags, AssignOp::Union)
    );
    assert_eq!(u.value, lit(&["internal_use", "confidential"]));

    let send = &p.policies[1];
    assert_eq!((send.id_text.as_str(), send.priority), ("send_email", 0));
    let [rule] = send.rules.as_slice() else {
        panic!()
    };
    assert_eq!(rule.id, "send_email#1");
    assert_eq!((rule.level, rule.effect), (Level::Hard, Effect::Deny));
    assert_eq!(rule.description, None);
    // From `hard` to the `;`.
    let start = src.find("hard deny").unwrap();
    let end = src.find("com\"});").unwrap() + "com\"});".len();
    assert_eq!(rule.span, Span::new(start, end));
    let cond = rule.cond.as_ref().unwrap();
    let PredKind::And(parts) = &cond.kind else {
        panic!("{cond:?}")
    };
    assert_eq!(
        parts[0].kind,
        PredKind::SetCmp {
            left: MetaRef::Arg("body".into(), Field::Tags),
            op: SetCmpOp::Overlaps,
            right: lit(&["internal_use", "confidential"])
        }
    );
    let PredKind::Not(inner) = &parts[1].kind else {
        panic!()
    };
    assert_eq!(
        inner.kind,
        PredKind::In {
            quant: None,
            value: Val::Arg("to".into()),
            set: VSet::Lit(vec![Elem::Domain(Box::new(Domain::Str {
                pat: StrPat::Regex(r".*@trustedcorp\.com".into()),
                length: None
            }))]),
        }
    );
}

/// sqrt.md §6.1: the seed rule's span is reported as 4:5–5:60 (inclusive end, at the `;`).
#[test]
fn seed_rule_span_matches_the_spec() {
    let src = "let sensitive_docs = {\"internal_use\", \"confidential\"};\n\
tool \"get_internal_document\" -> @tags |= sensitive_docs;\n\
tool \"send_email\" {\n    hard deny when (body.tags overlaps sensitive_docs) and\n    \
(not to.value in {str matching r\".*@trustedcorp\\.com\"});\n}\n";
    let p = ok(src);
    let loc = crate::render::LineIndex::new(src).location(p.policies[1].rules[0].span);
    assert_eq!(
        (loc.line, loc.column, loc.end_line, loc.end_column),
        (4, 5, 5, 60)
    );
}

#[test]
fn rule_ids_count_per_id_text_across_policies() {
    let p = ok(r#"tool "a" { soft allow always; }
tool "b" { hard deny always; }
tool "a" { priority 3; /// second
 soft deny always; soft allow when x.value == 1; }
tool r"a" { soft deny when y.value == 2; }"#);
    let ids: Vec<Vec<&str>> = p
        .policies
        .iter()
        .map(|p| p.rules.iter().map(|r| r.id.as_str()).collect())
        .collect();
    assert_eq!(
        ids,
        [vec!["a#1"], vec!["b#1"], vec!["a#2", "a#3"], vec!["a#4"]]
    );
    assert_eq!(p.policies[2].priority, 3);
    assert_eq!(
        p.policies[2].rules[0].description.as_deref(),
        Some("second")
    );
    assert_eq!(p.policies[3].tool, ToolMatch::Regex("a".into()));
}

#[test]
fn at_fields_resolve_by_block_and_shorthands_expand() {
    let p = ok(r#"tool "t" {
    session before { @tags |= {"b"}; }
    result { @tags |= {"r"}; @session.producers |= @producers; }
    session after { @consumers &= @result.consumers; }
}
tool "s" [7] -> session @tags |= {"x"} when @result.tags is empty;
tool "u" -> session before @tags -= {"y"};
"#);
    let t = &p.policies[0];
    let [Stmt::Update(b)] = t.session_before.as_slice() else {
        panic!()
    };
    assert_eq!(b.target, MetaTarget::Session);
    let [Stmt::Update(r1), Stmt::Update(r2)] = t.result.as_slice() else {
        panic!()
    };
    assert_eq!(r1.target, MetaTarget::Result);
    assert_eq!(
        (r2.target, r2.field),
        (MetaTarget::Session, Field::Producers)
    );
    assert_eq!(r2.value, LSet::Meta(MetaRef::Result(Field::Producers)));
    let [Stmt::Update(a)] = t.session_after.as_slice() else {
        panic!()
    };
    assert_eq!((a.target, a.op), (MetaTarget::Session, AssignOp::Intersect));
    assert_eq!(a.value, LSet::Meta(MetaRef::Result(Field::Consumers)));

    let s = &p.policies[1];
    assert_eq!(s.priority, 7);
    assert!(s.result.is_empty() && s.session_before.is_empty());
    let [Stmt::When { cond, updates, .. }] = s.session_after.as_slice() else {
        panic!("{s:?}")
    };
    assert_eq!(cond.kind, PredKind::IsEmpty(MetaRef::Result(Field::Tags)));
    assert_eq!(updates[0].target, MetaTarget::Session);
    assert_eq!(p.policies[2].session_before.len(), 1);
}

#[test]
fn lets_expand_at_each_use_with_the_use_span() {
    let src = r#"let p = to.value in Allowed;
let Allowed = {"a", w"b*"};
let alias = (p);
let Port = int 1..10;
tool "t" { hard deny when p; hard deny when not alias; hard deny when n.value in Port; }"#;
    let p = ok(src);
    let rules = &p.policies[0].rules;
    let expected = PredKind::In {
        quant: None,
        value: Val::Arg("to".into()),
        set: VSet::Lit(vec![Elem::Str("a".into()), Elem::Wild("b*".into())]),
    };
    let first = rules[0].cond.as_ref().unwrap();
    assert_eq!(first.kind, expected);
    let use_at = src.find("when p;").unwrap() + 5;
    assert_eq!(first.span, Span::new(use_at, use_at + 1));
    let PredKind::Not(second) = &rules[1].cond.as_ref().unwrap().kind else {
        panic!()
    };
    assert_eq!(second.kind, expected);
    // A domain let used as a set is the value set holding the domain.
    let PredKind::In { set, .. } = &rules[2].cond.as_ref().unwrap().kind else {
        panic!()
    };
    assert_eq!(
        *set,
        VSet::Lit(vec![Elem::Domain(Box::new(Domain::Int(Range {
            lo: Bound::Incl(Num::Int(1)),
            hi: Bound::Incl(Num::Int(10))
        })))])
    );
}

#[test]
fn label_and_value_sets_are_separated() {
    let p = ok(r#"tool "t" {
    hard deny when x.value in ({"a"} | {r"b.*"}) - {"*"};
    hard deny when x.tags overlaps ({"a"} with "*") without "b";
}"#);
    let PredKind::In { set, .. } = &p.policies[0].rules[0].cond.as_ref().unwrap().kind else {
        panic!()
    };
    let VSet::Bin(crate::ast::SetOp::Minus, l, r) = set else {
        panic!("{set:?}")
    };
    assert!(matches!(**l, VSet::Bin(crate::ast::SetOp::Union, _, _)));
    assert_eq!(
        **r,
        VSet::Labels(LSet::Lit {
            labels: Labels::default(),
            universal: true
        })
    );
    let PredKind::SetCmp { right, .. } = &p.policies[0].rules[1].cond.as_ref().unwrap().kind else {
        panic!()
    };
    let LSet::With {
        set,
        label,
        without: true,
    } = right
    else {
        panic!("{right:?}")
    };
    assert_eq!(label, "b");
    assert_eq!(
        **set,
        LSet::With {
            set: Box::new(lit(&["a"])),
            label: "*".into(),
            without: false
        }
    );
}

#[test]
fn literals_are_validated_into_ir() {
    let p = ok(r#"tool "t" {
    hard deny when at.value == d"1970-01-02T00:00:00+01:00";
    hard deny when n.value in {int 1<..<3, float ..-inf, -inf, 2.5, str "x" length 0..};
}"#);
    let PredKind::ValueEq(_, Val::Lit(Lit::Datetime(i))) =
        &p.policies[0].rules[0].cond.as_ref().unwrap().kind
    else {
        panic!()
    };
    assert_eq!(
        *i,
        Instant {
            secs: 82_800,
            nanos: 0
        }
    );
    let PredKind::In {
        set: VSet::Lit(elems),
        ..
    } = &p.policies[0].rules[1].cond.as_ref().unwrap().kind
    else {
        panic!()
    };
    assert_eq!(
        elems[0],
        Elem::Domain(Box::new(Domain::Int(Range {
            lo: Bound::Excl(Num::Int(1)),
            hi: Bound::Excl(Num::Int(3))
        })))
    );
    assert_eq!(
        elems[1],
        Elem::Domain(Box::new(Domain::Float(Range {
            lo: Bound::Unbounded,
            hi: Bound::Incl(Num::Float(f64::NEG_INFINITY))
        })))
    );
    assert_eq!(elems[2], Elem::Float(f64::NEG_INFINITY));
    assert_eq!(elems[3], Elem::Float(2.5));
}

#[test]
fn every_error_is_reported_in_source_order() {
    let src = r#"tool "t" {
    must deny when "x" in @tags;
    must deny when unknown;
    must deny when n.value in {int 1.5..2};
    result { body.tags |= {"a"}; }
}"#;
    let c = check(src, &CheckOptions::default());
    assert_eq!(codes(&c), ["E0207", "E0201", "E0303", "E0209"]);
    assert!(c.program.is_none());
}

#[test]
fn syntax_errors_silence_unknown_names_and_warnings() {
    assert_eq!(
        codes_of("let a = ;\ntool \"t\" { must deny when a; }\nlet unused = {\"x\"};"),
        ["E0101"]
    );
}

#[test]
fn prelude_mode_skips_reserved_tags_and_warnings() {
    let src = "let unused = {\"x\"};\ntool \"t\" -> @tags -= {\"__x\"};";
    assert_eq!(codes_of(src), ["W0005", "E0306"]);
    let c = check(
        src,
        &CheckOptions {
            tools: None,
            prelude: true,
        },
    );
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    assert!(c.program.is_some());
}

#[test]
fn reserved_tags_in_removing_positions() {
    assert_eq!(codes_of(r#"tool "t" -> @tags ^= {"__a"};"#), ["E0306"]);
    assert_eq!(
        codes_of(r#"tool "t" -> @tags = @tags - ({"x"} | {"__a"});"#),
        ["E0306"]
    );
    assert_eq!(
        codes_of(r#"tool "t" -> @tags = {"__a"} ^ {"b"};"#),
        Vec::<&str>::new()
    );
    // Adding is fine, and so is testing.
    assert!(
        codes_of(r#"tool "t" { result { when "__a" in @tags { @tags = @tags with "__b"; } } }"#)
            .is_empty()
    );
    // Only tags are reserved.
    assert!(codes_of(r#"tool "t" -> @producers -= {"__a"};"#).is_empty());
}

#[test]
fn schema_checks_follow_the_matched_tools() {
    let tools = ToolSet::parse(
        r#"[{"type": "function", "function": {"name": "read_a", "parameters": {"properties": {"path": {"type": "string"}}}}},
            {"type": "function", "function": {"name": "read_b", "parameters": {"properties": {"list": {"type": "array"}}}}}]"#,
    )
    .unwrap();
    let opts = CheckOptions {
        tools: Some(&tools),
        prelude: false,
    };
    let c = check(
        r#"tool r"read_.*" { hard deny when path.value in {"x"} or list.value in {"y"} or other.tags is empty; }"#,
        &opts,
    );
    assert_eq!(codes(&c), ["W0004", "E0211"]);
    let c = check(
        r#"tool "read_a" { hard deny when any list.value in {"y"}; }"#,
        &opts,
    );
    assert_eq!(codes(&c), ["E0211"]);
    let c = check(
        r#"tool "nothing" { hard deny when whatever.tags is empty; }"#,
        &opts,
    );
    assert_eq!(codes(&c), ["W0003"]);
}

#[test]
fn deep_and_exponential_lets_are_bounded() {
    let mut chain = String::new();
    for i in 0..500 {
        chain.push_str(&format!("let a{i} = a{};\n", i + 1));
    }
    chain.push_str("let a500 = x.tags is empty;\ntool \"t\" { hard deny when a0; }\n");
    assert_eq!(codes_of(&chain), ["E0107"]);

    let mut exp = String::from("let b0 = x.tags is empty;\n");
    for i in 1..40 {
        exp.push_str(&format!("let b{i} = b{0} and b{0};\n", i - 1));
    }
    exp.push_str("tool \"t\" { hard deny when b39; }\n");
    let c = check(&exp, &CheckOptions::default());
    assert!(codes(&c).contains(&"E0107"), "{:?}", codes(&c));
}

#[test]
fn context_errors_in_lets_are_reported_at_each_use() {
    let src = "let p = \"x\" in @tags;\ntool \"t\" { must deny when p; result { when p { @tags |= {\"a\"}; } } }";
    let c = check(src, &CheckOptions::default());
    // Only the check-rule use is wrong: in `result`, `@tags` is the result meta.
    assert_eq!(codes(&c), ["E0207"]);
    let d = &c.diagnostics[0];
    let use_at = src.find("when p;").unwrap() + 5;
    assert_eq!(d.span, Span::new(use_at, use_at + 1));
    let inner = src.find("@tags").unwrap();
    assert_eq!(d.labels[0].0, Span::new(inner, inner + 5));
}

mod no_panics {
    use proptest::prelude::*;

    use super::*;

    /// Tokens that build plausible (often invalid) policies, so the checker, not only the
    /// parser, sees odd shapes: lets of every kind, contexts, operators, literals.
    const TOKENS: &[&str] = &[
        "let",
        "a",
        "b",
        "=",
        ";",
        "tool",
        "\"t\"",
        "r\"t.*\"",
        "r\"(\"",
        "{",
        "}",
        "(",
        ")",
        "must",
        "soft",
        "allow",
        "deny",
        "when",
        "always",
        "priority",
        "1",
        "-2",
        "1.5",
        "inf",
        "not",
        "and",
        "or",
        "x.value",
        "x.tags",
        "@tags",
        "@result.tags",
        "@result.value",
        "@session.tags",
        "@session.value",
        "@args.tags",
        "in",
        "overlaps",
        "subset",
        "of",
        "==",
        "is",
        "empty",
        "|",
        "&",
        "-",
        "^",
        "with",
        "without",
        "\"__x\"",
        "\"y\"",
        "w\"*\"",
        "int",
        "float",
        "str",
        "matching",
        "datetime",
        "d\"2024-01-01\"",
        "d\"2024-13-01\"",
        "..",
        "<..",
        "..<",
        ",",
        "result",
        "session",
        "before",
        "after",
        "|=",
        "-=",
        "^=",
        "&=",
        "->",
        "[",
        "]",
        "any",
        "all",
        "///doc\n",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn check_is_total(idx in proptest::collection::vec(0..TOKENS.len(), 0..60)) {
            let src: Vec<&str> = idx.iter().map(|&i| TOKENS[i]).collect();
            let src = src.join(" ");
            let c = check(&src, &CheckOptions::default());
            prop_assert_eq!(c.program.is_some(), !c.diagnostics.iter().any(|d| d.is_error()));
            for d in &c.diagnostics {
                prop_assert!(d.span.start <= d.span.end && d.span.end as usize <= src.len());
            }
            // Rendering never panics either, whatever the spans.
            let _ = crate::render::human("p.sqrt", &src, &c.diagnostics);
        }

        #[test]
        fn let_wrapped_fragments_check_without_panics(
            body in proptest::collection::vec(0..TOKENS.len(), 1..12),
            rule in proptest::collection::vec(0..TOKENS.len(), 1..12),
        ) {
            let body: Vec<&str> = body.iter().map(|&i| TOKENS[i]).collect();
            let rule: Vec<&str> = rule.iter().map(|&i| TOKENS[i]).collect();
            let src = format!(
                "let a = {};\nlet b = a;\ntool \"t\" {{ hard deny when {}; result {{ @tags |= b; }} }}\n",
                body.join(" "),
                rule.join(" ")
            );
            let c = check(&src, &CheckOptions::default());
            prop_assert_eq!(c.program.is_some(), !c.diagnostics.iter().any(|d| d.is_error()));
        }
    }
}

/// Each diagnostic as its code, the text it points at and the texts its labels point at.
fn located(src: &str) -> Vec<(&'static str, &str, Vec<&str>)> {
    check(src, &CheckOptions::default())
        .diagnostics
        .iter()
        .map(|d| {
            let labels = d.labels.iter().map(|(s, _)| &src[s.range()]).collect();
            (d.code, &src[d.span.range()], labels)
        })
        .collect()
}

#[test]
fn duplicate_rules_point_at_the_first_across_policies_with_one_id() {
    let src = r#"tool "a" { soft allow when x.value in {"1"}; soft deny always; }
tool "b" { soft allow when x.value in {"1"}; }
tool "a" { soft allow when (x.value in {"1"}); soft deny always; hard deny always; }
tool "a" { soft allow when x.value in {"1"}; soft allow when x.value in {"2"}; }"#;
    let first = r#"soft allow when x.value in {"1"};"#;
    assert_eq!(
        located(src),
        [
            (
                "W0002",
                r#"soft allow when (x.value in {"1"});"#,
                vec![first]
            ),
            ("W0002", "soft deny always;", vec!["soft deny always;"]),
            ("W0002", first, vec![first]),
        ]
    );
    // Each points at the first policy's rule, not at a later equal one.
    let c = check(src, &CheckOptions::default());
    let starts: Vec<usize> = c
        .diagnostics
        .iter()
        .map(|d| d.labels[0].0.start as usize)
        .collect();
    let deny = src.find("soft deny always;").unwrap();
    assert_eq!(starts, [11, deny, 11]);
    let after = r#"tool "t" { hard deny always; soft allow always; soft allow always; }"#;
    assert_eq!(
        located(after),
        [
            ("W0001", "soft allow always;", vec!["hard deny always;"]),
            // The same rule: W0001 first.
            ("W0001", "soft allow always;", vec!["hard deny always;"]),
            ("W0002", "soft allow always;", vec!["soft allow always;"]),
        ]
    );
}

#[test]
fn mixed_operators_are_found_everywhere_once() {
    let mixed = r#"{"a"} | {"b"} & {"c"}"#;
    // In a let (once, not again where it is expanded), in a parenthesised part of a rule, and
    // in the value of an update whose target is an error (the value is not checked otherwise).
    // Union binds tighter than intersect, so `{"a"} | {"b"}` is grouped first.
    let src = format!(
        "let s = {mixed};\ntool \"t\" {{\n  soft allow when @args.tags overlaps ({mixed}) - s;\n  result {{ body.tags |= {mixed}; }}\n}}"
    );
    let found = located(&src);
    assert_eq!(
        found
            .iter()
            .map(|(code, at, _)| (*code, *at))
            .collect::<Vec<_>>(),
        [
            ("W0006", mixed),
            ("W0006", mixed),
            ("E0209", "body.tags"),
            ("W0006", mixed),
        ]
    );
    assert!(
        found
            .iter()
            .all(|(code, _, labels)| *code != "W0006" || labels == &[r#"{"a"} | {"b"}"#])
    );
    // Only one family: no warning.
    assert!(located(r#"tool "t" -> @tags |= {"a"} | {"b"} | ({"c"} & {"d"});"#).is_empty());
}

#[test]
fn rule_ids_spell_every_number() {
    for (n, text) in [
        (1, "t#1"),
        (9, "t#9"),
        (10, "t#10"),
        (1_000_007, "t#1000007"),
        (usize::MAX, "t#18446744073709551615"),
    ] {
        assert_eq!(super::number::rule_id("t", n), text);
    }
    let long = "a_tool_name_longer_than_twenty_four_bytes";
    assert_eq!(super::number::rule_id(long, 42), format!("{long}#42"));
}

/// Ids are grouped by hash (`number::Policies`); policies whose different ids hash alike must
/// still be numbered and compared apart, within a part and across parts.
#[test]
fn ids_that_hash_alike_are_still_told_apart() {
    use super::number::Policies;
    let src = r#"tool "a" { soft allow always; soft deny when x.value == 1; }
tool "b" { soft deny always; }
tool "a" { soft deny always; }
tool "b" { soft deny always; }
tool "c" { soft deny always; }"#;
    let checked = check(src, &CheckOptions::default());
    // As checked for real: one W0002 (the second "b" repeats the first "b"'s rule).
    assert_eq!(codes(&checked), ["W0002"]);
    let program = checked.program.unwrap();
    let numbered = |p: &Policies| -> Vec<Vec<String>> {
        let ids = p
            .list
            .iter()
            .map(|p| p.rules.iter().map(|r| r.id.to_string()));
        ids.map(Iterator::collect).collect()
    };
    let linted = |p: &Policies| -> Vec<(usize, &'static str, u32)> {
        let found = p.lint.iter().flatten();
        found
            .map(|(i, d)| (*i, d.code, d.labels[0].0.start))
            .collect()
    };
    let expected = [
        vec!["a#1", "a#2"],
        vec!["b#1"],
        vec!["a#3"],
        vec!["b#2"],
        vec!["c#1"],
    ];
    let first_b = src.find("soft deny always").unwrap() as u32;
    // One part: every id given the same hash.
    let mut one = Policies::new(0, true);
    for p in program.policies.iter().cloned() {
        one.push_hashed(p, 7);
    }
    one.settle();
    assert_eq!(numbered(&one), expected);
    assert_eq!(linted(&one), [(3, "W0002", first_b)]);
    // Two parts, every split point: the same numbers and warnings.
    for at in 0..=program.policies.len() {
        let mut parts = [Policies::new(0, true), Policies::new(0, true)];
        for (i, p) in program.policies.iter().cloned().enumerate() {
            parts[usize::from(i >= at)].push_hashed(p, 7);
        }
        let [mut all, mut second] = parts;
        all.settle();
        second.settle();
        all.append(second);
        assert_eq!(numbered(&all), expected, "split at {at}");
        assert_eq!(linted(&all), [(3, "W0002", first_b)], "split at {at}");
    }
}
