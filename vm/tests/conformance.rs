//! planner.md §10: the conformance rows this VM can run without the policy engine. The test is
//! the host: `get()` answers come from the row, tagged t+N as the fixture policy would
//! (`tool "get" -> @tags |= {"t"};` plus the `__non_executable` preset); `send` returns "ok".
//! Every row runs twice, plainly and with snapshot → drop → restore at each suspension, and both
//! runs must agree.

mod common;

use common::*;
use serde_json::{Value as Json, json};
use sqrt_vm::*;

fn tn() -> Meta {
    Meta::tagged(&["__non_executable", "t"])
}

fn merged(req: &Req) -> Meta {
    let mut m = Meta::default();
    for (_, _, am) in &req.args {
        for t in &am.tags {
            if !m.tags.contains(t) {
                m.tags.push(t.clone());
            }
        }
        for p in &am.producers {
            if !m.producers.contains(p) {
                m.producers.push(p.clone());
            }
        }
    }
    m.tags.sort();
    m.producers.sort();
    m
}

fn with_tags(mut m: Meta, extra: &[&str]) -> Meta {
    for t in extra {
        if !m.tags.iter().any(|x| x == t) {
            m.tags.push(t.to_string());
        }
    }
    m.tags.sort();
    m
}

struct Row {
    mode: Mode,
    branching: Option<BranchingPolicy>,
    gets: Vec<(Json, Meta)>,
    parser: Option<Json>,
}

fn b0() -> Option<BranchingPolicy> {
    Some(BranchingPolicy {
        deny: true,
        ..Default::default()
    })
}

impl Row {
    fn normal(gets: Vec<Json>) -> Row {
        Row {
            mode: Mode::Normal,
            branching: None,
            gets: gets.into_iter().map(|g| (g, tn())).collect(),
            parser: None,
        }
    }
    fn strict(gets: Vec<Json>, branching: Option<BranchingPolicy>) -> Row {
        Row {
            mode: Mode::Strict,
            branching,
            ..Row::normal(gets)
        }
    }

    fn answer(&self, i: &mut usize, req: &Req) -> Ans {
        match req.tool.as_str() {
            "get" => {
                let (v, m) = self.gets[*i].clone();
                *i += 1;
                ret(v, m)
            }
            "send" => ret(json!("ok"), Meta::default()),
            "parse_with_ai" => {
                let mut out = self.parser.clone().expect("row has a parser answer");
                let enough = out["have_enough_info"].as_bool().unwrap_or(true);
                out.as_object_mut().unwrap().remove("have_enough_info");
                if !enough {
                    return raise(
                        RaiseKind::NotEnoughInformation,
                        "not enough information",
                        merged(req),
                        true,
                    );
                }
                ret(
                    out,
                    with_tags(merged(req), &["__tool/parse_with_ai", "__non_executable"]),
                )
            }
            // A tool absent from the world: sqrtc run's catchable ToolError.
            _ => raise(
                RaiseKind::ToolError,
                "tool fail is not available",
                with_tags(merged(req), &["__non_executable"]),
                true,
            ),
        }
    }

    fn run(&self, src: &str) -> Run {
        let tools = vec![
            get_stub(),
            send_stub(),
            ToolStub::new("fail", &[("x", true, json!({"type": "string"}))]),
        ];
        let cfg = || RunConfig {
            branching: self.branching.clone(),
            ..config(self.mode, tools.clone())
        };
        let mut i = 0;
        let plain = drive(src, cfg(), |r| self.answer(&mut i, r), false);
        let mut j = 0;
        let snap = drive(src, cfg(), |r| self.answer(&mut j, r), true);
        assert_eq!(
            plain.outcome, snap.outcome,
            "snapshot/restore changed the outcome of {src:?}"
        );
        assert_eq!(plain.requests, snap.requests);
        plain
    }
}

fn ok(r: &Run) -> (&Json, &Meta) {
    assert_eq!(r.outcome.error, None, "unexpected error");
    (&r.outcome.final_return_value, &r.final_meta)
}

fn code(r: &Run) -> ErrorCode {
    r.outcome.error.as_ref().expect("an error").code
}

#[test]
fn row03_siblings_do_not_leak() {
    let r = Row::normal(vec![json!("a")]).run(
        "l = [get(), \"x\"]\nfinal_return_value = l[1] + \"a,b\".split(\",\")[0] + str(len([1]))",
    );
    assert_eq!(ok(&r), (&json!("xa1"), &Meta::default()));
}

#[test]
fn row04_fstring_spec() {
    let r =
        Row::normal(vec![json!({"b": [2]})]).run("final_return_value = f\"{get()['b'][0]:>3}\"");
    assert_eq!(ok(&r), (&json!("  2"), &tn()));
}

#[test]
fn row05_aliasing() {
    let r = Row::normal(vec![json!("a")])
        .run("a = []; b = a; b.append(get()); final_return_value = len(a)");
    assert_eq!(ok(&r), (&json!(1), &tn()));
}

#[test]
fn row06_nested_mutation() {
    let r = Row::normal(vec![json!("a")])
        .run("i = []; o = [i]; i.append(get()); final_return_value = o");
    assert_eq!(ok(&r), (&json!([["a"]]), &tn()));
}

#[test]
fn row07_removal_keeps_label() {
    let r = Row::normal(vec![json!("a")]).run("l = [get()]; l.pop(); final_return_value = l");
    assert_eq!(ok(&r), (&json!([]), &tn()));
}

#[test]
fn row08_producers_union_consumers_intersection() {
    let m1 = Meta {
        producers: vec!["db".into()],
        consumers: Consumers::AllBut(vec!["e".into()]),
        ..tn()
    };
    let m2 = Meta {
        producers: vec!["w".into()],
        consumers: Consumers::Only(vec!["a".into(), "e".into()]),
        ..tn()
    };
    let row = Row {
        gets: vec![(json!("x"), m1), (json!("y"), m2)],
        ..Row::normal(vec![])
    };
    let r = row.run("final_return_value = get() + get()");
    let (v, m) = ok(&r);
    assert_eq!(v, &json!("xy"));
    assert_eq!(m.tags, tn().tags);
    assert_eq!(m.producers, vec!["db".to_string(), "w".to_string()]);
    assert_eq!(m.consumers, Consumers::Only(vec!["a".into()]));
    assert_eq!(m.to_json()["consumers"], json!(["a"]));
}

#[test]
fn row09_data_holder() {
    let r =
        Row::normal(vec![json!("a")]).run("class W:\n  s: str\nfinal_return_value = W(s=get())");
    assert_eq!(ok(&r), (&json!({"s": "a"}), &tn()));
}

#[test]
fn row10_comprehension_iterable() {
    let r = Row::normal(vec![json!([5, 6])]).run("final_return_value = [1 for x in get()]");
    assert_eq!(ok(&r), (&json!([1, 1]), &tn()));
}

#[test]
fn row11_comprehension_filter() {
    let r = Row::normal(vec![json!(2)])
        .run("r = get()\nfinal_return_value = [x for x in [1, 2] if x == r]");
    assert_eq!(ok(&r), (&json!([2]), &tn()));
}

#[test]
fn row12_and_or_ternary() {
    let src = "final_return_value = [get() or \"none\", \"y\" if get() else \"n\"]";
    for row in [
        Row::normal(vec![json!(""), json!(1)]),
        Row::strict(vec![json!(""), json!(1)], b0()),
    ] {
        let r = row.run(src);
        assert_eq!(ok(&r), (&json!(["none", "y"]), &tn()));
    }
}

#[test]
fn row13_if_implicit_flow() {
    let src = "x = 0\nif get() > 1:\n  x = 1\nfinal_return_value = x";
    assert_eq!(
        ok(&Row::normal(vec![json!(2)]).run(src)),
        (&json!(1), &Meta::default())
    );
    assert_eq!(
        ok(&Row::strict(vec![json!(2)], b0()).run(src)),
        (&json!(1), &tn())
    );
    let r = Row::strict(vec![json!(2)], None).run(src);
    assert_eq!(code(&r), ErrorCode::ControlFlowViolation);
    let e = r.outcome.error.unwrap();
    assert!(e.rendered.ends_with(
        "ControlFlowViolation: a condition depends on data the branching policy forbids"
    ));
    assert_eq!(e.line, 2);
}

#[test]
fn row14_for_body_tool_arguments() {
    let src = "for c in get():\n  send(to=\"a\", body=\"hi\")\nfinal_return_value = 1";
    let r = Row::normal(vec![json!([1])]).run(src);
    assert_eq!(ok(&r), (&json!(1), &Meta::default()));
    assert_eq!(r.requests[1].args[1].2, Meta::default());
    let r = Row::strict(vec![json!([1])], b0()).run(src);
    assert_eq!(ok(&r), (&json!(1), &Meta::default()));
    assert_eq!(r.requests[1].args[0].2, tn());
    assert_eq!(r.requests[1].args[1].2, tn());
}

#[test]
fn row15_while() {
    let src = "n = get(); i = 0\nwhile i < n:\n  i += 1\nfinal_return_value = i";
    assert_eq!(
        ok(&Row::normal(vec![json!(3)]).run(src)),
        (&json!(3), &Meta::default())
    );
    assert_eq!(
        ok(&Row::strict(vec![json!(3)], b0()).run(src)),
        (&json!(3), &tn())
    );
}

#[test]
fn row16_break_escape() {
    let src = "r = get(); o = []\nfor x in [1, 2]:\n  if x == r:\n    break\n  o.append(x)\nfinal_return_value = o";
    assert_eq!(
        ok(&Row::normal(vec![json!(2)]).run(src)),
        (&json!([1]), &Meta::default())
    );
    assert_eq!(
        ok(&Row::strict(vec![json!(2)], b0()).run(src)),
        (&json!([1]), &tn())
    );
}

#[test]
fn row17_except_body_pc() {
    let src =
        "r = get()\ntry:\n  v = r[0]\nexcept IndexError:\n  v = \"-\"\nfinal_return_value = v";
    assert_eq!(
        ok(&Row::normal(vec![json!([])]).run(src)),
        (&json!("-"), &Meta::default())
    );
    assert_eq!(
        ok(&Row::strict(vec![json!([])], b0()).run(src)),
        (&json!("-"), &tn())
    );
}

#[test]
fn row18_redaction() {
    let r = Row::normal(vec![json!({})]).run("x = get()[\"k\"]");
    let e = r.outcome.error.unwrap();
    assert_eq!(
        (e.kind.as_str(), e.message.as_str(), e.redacted),
        ("KeyError", REDACTED, true)
    );
    assert!(e.rendered.ends_with(&format!("KeyError: {REDACTED}")));
    let r = Row::normal(vec![]).run("x = {\"a\": 1}[\"b\"]");
    let e = r.outcome.error.unwrap();
    assert_eq!((e.kind.as_str(), e.message.as_str()), ("KeyError", "'b'"));
    assert!(e.rendered.contains("line 1, in <module>"), "{}", e.rendered);
}

#[test]
fn row19_raise_under_tainted_branch() {
    let r = Row::normal(vec![json!(1)]).run("if get():\n  raise ValueError(\"stop\")");
    let e = r.outcome.error.unwrap();
    assert_eq!(
        (e.kind.as_str(), e.message.as_str()),
        ("ValueError", REDACTED)
    );
}

#[test]
fn row20_tool_error_is_catchable() {
    let src = "try:\n  fail(x=\"1\")\nexcept ToolError:\n  final_return_value = \"c\"";
    assert_eq!(
        ok(&Row::normal(vec![]).run(src)),
        (&json!("c"), &Meta::default())
    );
    let r = Row::strict(vec![], b0()).run(src);
    assert_eq!(ok(&r), (&json!("c"), &Meta::tagged(&["__non_executable"])));
}

fn s_schema() -> &'static str {
    "{\"type\": \"object\", \"properties\": {\"to\": {\"type\": \"string\"}}}"
}

#[test]
fn row21_parse_with_ai() {
    let src = format!(
        "S = {}\nfinal_return_value = parse_with_ai(query=\"to: \" + get(), output_schema=S)",
        s_schema()
    );
    for mut row in [
        Row::normal(vec![json!("b")]),
        Row::strict(vec![json!("b")], b0()),
    ] {
        row.parser = Some(json!({"to": "b@x", "have_enough_info": true}));
        let r = row.run(&src);
        assert!(r.requests[1].internal);
        assert_eq!(
            ok(&r),
            (
                &json!({"to": "b@x"}),
                &Meta::tagged(&["__non_executable", "__tool/parse_with_ai", "t"])
            )
        );
    }
}

#[test]
fn row22_not_enough_information() {
    let src = format!(
        "S = {}\ntry:\n  d = parse_with_ai(query=get(), output_schema=S)\nexcept NotEnoughInformationError:\n  d = \"ask\"\nfinal_return_value = d",
        s_schema()
    );
    let parser = Some(json!({"to": "", "have_enough_info": false}));
    let r = Row {
        parser: parser.clone(),
        ..Row::normal(vec![json!("?")])
    }
    .run(&src);
    assert_eq!(ok(&r), (&json!("ask"), &Meta::default()));
    let r = Row {
        parser,
        ..Row::strict(vec![json!("?")], b0())
    }
    .run(&src);
    assert_eq!(ok(&r), (&json!("ask"), &tn()));
}

#[test]
fn row23_sticky_label() {
    let src = format!(
        "S = {}\nd = parse_with_ai(query=get(), output_schema=S)\nfinal_return_value = 1",
        s_schema()
    );
    let parser = Some(json!({"to": "a", "have_enough_info": true}));
    let r = Row {
        parser: parser.clone(),
        ..Row::normal(vec![json!("x")])
    }
    .run(&src);
    assert_eq!(ok(&r), (&json!(1), &Meta::default()));
    let r = Row {
        parser,
        ..Row::strict(vec![json!("x")], b0())
    }
    .run(&src);
    assert_eq!(ok(&r), (&json!(1), &tn()));
}

#[test]
fn row24_deny_policy() {
    let deny_t = Some(BranchingPolicy {
        deny: true,
        tags: vec!["t".into()],
        ..Default::default()
    });
    let r = Row {
        branching: deny_t.clone(),
        ..Row::normal(vec![json!(1)])
    }
    .run("x = 1 if get() else 2");
    assert_eq!(code(&r), ErrorCode::ControlFlowViolation);
    let r = Row {
        branching: deny_t,
        ..Row::normal(vec![json!([1])])
    }
    .run("for c in get(): pass\nfinal_return_value = 1");
    assert_eq!(ok(&r), (&json!(1), &Meta::default()));
}

#[test]
fn row25_allow_policy() {
    let allow = Some(BranchingPolicy {
        deny: false,
        tags: vec!["__non_executable".into(), "t".into()],
        ..Default::default()
    });
    let r = Row {
        branching: allow,
        ..Row::normal(vec![json!(1)])
    }
    .run("final_return_value = 1 if get() else 2");
    assert_eq!(ok(&r), (&json!(1), &tn()));
}

#[test]
fn row26_invalid_before_side_effects() {
    for src in ["send(to=\"a\", body=\"b\")\nimport os", "send(to=\"a\")"] {
        let r = Row::normal(vec![]).run(src);
        assert_eq!(code(&r), ErrorCode::InvalidProgram);
        assert!(
            r.requests.is_empty(),
            "no call may happen before validation"
        );
    }
    let r = Row::normal(vec![]).run("send(to=\"a\")");
    assert_eq!(
        r.outcome.error.unwrap().message,
        "send() missing required argument 'body'"
    );
}

#[test]
fn row27_limits_and_overflow() {
    let mut cfg = RunConfig::default();
    cfg.limits.instructions = 100_000;
    let r = drive("while True:\n  pass", cfg, |_| unreachable!(), false);
    assert_eq!(r.outcome.error.unwrap().code, ErrorCode::LimitExceeded);
    let r = Row::normal(vec![]).run("final_return_value = 2 ** 63");
    let e = r.outcome.error.unwrap();
    assert_eq!(
        (e.code, e.kind.as_str(), e.message.as_str()),
        (
            ErrorCode::ProgramError,
            "OverflowError",
            "integer result does not fit in 64 bits"
        )
    );
}

#[test]
fn row28_print_sep_and_meta() {
    let r = Row::normal(vec![json!("b")]).run("print(\"a\", get(), sep=\"-\")");
    assert_eq!(r.outcome.printed, "a-b\n");
    assert_eq!(r.printed_meta, tn());
}
