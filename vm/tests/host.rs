//! Host-facing details: redaction by the hidden "from a tool" flag, the namespace listing, the
//! label-table bound, argument binding and conversion.

mod common;

use common::*;
use serde_json::json;
use sqrt_vm::*;

#[test]
fn tool_data_is_redacted_even_without_labels() {
    // The result meta is ⊥, but it came from a tool (hidden flag U): its text is withheld.
    let r = drive(
        "x = get()[\"k\"]",
        config(Mode::Normal, vec![get_stub()]),
        |_| ret(json!({}), Meta::default()),
        false,
    );
    let e = r.outcome.error.unwrap();
    assert_eq!(
        (e.kind.as_str(), e.message.as_str()),
        ("KeyError", REDACTED)
    );
    // U is invisible in metas.
    assert_eq!(
        NamedMeta::from_meta(&e.meta, &Default::default()),
        Meta::default()
    );
}

#[test]
fn namespace_lists_globals_with_meta_and_type() {
    let mut vm = Vm::new(
        "a = get()\nb = [1, 2]\ndef f(): pass",
        config(Mode::Normal, vec![get_stub()]),
    );
    let Step::ToolCall(_) = vm.run() else {
        panic!()
    };
    let meta = Meta::tagged(&["t"]).to_meta(vm.labels_mut());
    let Step::Done(_) = vm.resume(Resume::Return {
        value: json!("v"),
        meta,
    }) else {
        panic!()
    };
    let ns = vm.namespace();
    let a = ns.iter().find(|n| n.0 == "a").unwrap();
    assert_eq!((a.1.clone(), a.3.as_str()), (json!("v"), "str"));
    assert_eq!(NamedMeta::from_meta(&a.2, vm.labels()).tags, ["t"]);
    let b = ns.iter().find(|n| n.0 == "b").unwrap();
    assert_eq!((b.1.clone(), b.3.as_str()), (json!([1, 2]), "list"));
    assert!(ns.iter().any(|n| n.0 == "f" && n.3 == "function"));
}

/// 1,000 distinct labels (well past the 127 inline ones) flow into one value: none is lost,
/// including across a snapshot → drop → restore every 100 suspensions.
#[test]
fn a_thousand_labels_flow_into_one_value() {
    let prog =
        "acc = []\nfor i in range(1000):\n    acc.append(get())\nfinal_return_value = len(acc)";
    let mut vm = Vm::new(prog, config(Mode::Normal, vec![get_stub()]));
    let mut step = vm.run();
    let outcome = loop {
        match step {
            Step::Done(o) => break o,
            Step::ToolCall(req) => {
                if req.seq % 100 == 99 {
                    let bytes = vm.snapshot().unwrap();
                    drop(vm);
                    vm = Vm::restore(&bytes).unwrap();
                    assert_eq!(vm.snapshot().unwrap(), bytes);
                }
                let mut m = Meta::tagged(&[&format!("t{}", req.seq)]);
                m.producers = vec![format!("p{}", req.seq)];
                // Every answer allows its own consumer and the shared one: the join keeps the
                // shared one only.
                m.consumers = Consumers::Only(vec!["shared".into(), format!("c{}", req.seq)]);
                let meta = m.to_meta(vm.labels_mut());
                step = vm.resume(Resume::Return {
                    value: json!(req.seq),
                    meta,
                });
            }
        }
    };
    assert_eq!(outcome.error, None);
    assert_eq!(outcome.final_return_value, json!(1000));
    let m = Meta::from_meta(&outcome.final_meta, vm.labels());
    let mut want: Vec<String> = (0..1000).map(|i| format!("t{i}")).collect();
    want.sort();
    let mut tags = m.tags.clone();
    tags.sort();
    // `len(acc)` carries the list's deep meta: every element's tag and producer.
    assert_eq!(tags, want);
    assert_eq!(m.producers.len(), 1000);
    assert_eq!(m.consumers, Consumers::Only(vec!["shared".into()]));
}

/// Label sets above 127 keep the finite/co-finite algebra: a co-finite set excluding a high
/// label intersected with a finite one listing it loses it; a branching policy naming a high
/// label fires on it.
#[test]
fn wide_labels_keep_consumers_and_branching() {
    let names: Vec<String> = (0..300).map(|i| format!("l{i}")).collect();
    let r = drive(
        "a = get()\nb = get()\nfinal_return_value = a + b",
        config(Mode::Normal, vec![get_stub()]),
        |req| {
            let mut m = Meta::tagged(&[names[200 + req.seq as usize].as_str()]);
            m.consumers = if req.seq == 0 {
                Consumers::AllBut(vec![names[250].clone()])
            } else {
                Consumers::Only(vec![names[250].clone(), names[260].clone()])
            };
            ret(json!(1), m)
        },
        true,
    );
    assert_eq!(r.final_meta.tags, ["l200", "l201"]);
    assert_eq!(r.final_meta.consumers, Consumers::Only(vec!["l260".into()]));
    // The branching policy's label is interned after 200 others, so it lives above 127.
    let mut labels = sqrt_vm::sqrt_std::label::Labels::new();
    for n in &names[..200] {
        labels.intern(n);
    }
    let cfg = RunConfig {
        labels,
        branching: Some(BranchingPolicy {
            deny: true,
            tags: vec!["secret".into()],
            ..Default::default()
        }),
        ..config(Mode::Normal, vec![get_stub()])
    };
    let prog = "x = get()\nif x:\n    final_return_value = 1";
    let secret = drive(
        prog,
        cfg.clone(),
        |_| ret(json!(1), Meta::tagged(&["secret"])),
        true,
    );
    assert_eq!(
        secret.outcome.error.unwrap().code,
        ErrorCode::ControlFlowViolation
    );
    let other = drive(
        prog,
        cfg,
        |_| ret(json!(1), Meta::tagged(&["l150", "other"])),
        true,
    );
    assert_eq!(other.outcome.error, None);
    assert_eq!(other.final_meta.tags, Vec::<String>::new());
}

/// The table is bounded (planner.md §4: `MAX_LABELS`); past it the run stops, it never drops a
/// label.
#[test]
fn more_labels_than_the_table_holds_is_a_limit_not_a_loss() {
    let tags: Vec<String> = (0..=sqrt_vm::label::MAX_LABELS)
        .map(|i| format!("l{i}"))
        .collect();
    let refs: Vec<&str> = tags.iter().map(String::as_str).collect();
    let r = drive(
        "x = get()",
        config(Mode::Normal, vec![get_stub()]),
        |_| ret(json!(1), Meta::tagged(&refs)),
        false,
    );
    assert_eq!(r.outcome.error.unwrap().code, ErrorCode::LimitExceeded);
}

#[test]
fn tool_arguments_bind_validate_and_convert() {
    let order = ToolStub::new(
        "order",
        &[
            ("item", true, json!({"type": "string"})),
            ("qty", false, json!({"type": "integer", "minimum": 1})),
            ("note", false, json!({"type": "string"})),
        ],
    );
    let cfg = || config(Mode::Normal, vec![order.clone()]);
    // Positional in stub order, keywords by name; an explicit None for an optional parameter whose
    // schema rejects null is omitted; tuples become arrays.
    let r = drive(
        "order(\"pen\", note=None, qty=2)",
        cfg(),
        |_| ret(json!("ok"), Meta::default()),
        false,
    );
    let args: Vec<(&str, serde_json::Value)> = r.requests[0]
        .args
        .iter()
        .map(|a| (a.0.as_str(), a.1.clone()))
        .collect();
    assert_eq!(args, [("item", json!("pen")), ("qty", json!(2))]);
    // Schema violations are TypeErrors that never show the value.
    let r = drive(
        "q = 0\ntry:\n  order(item=\"x\", qty=q)\nexcept TypeError as e:\n  final_return_value = str(e)",
        cfg(),
        |_| ret(json!("ok"), Meta::default()),
        false,
    );
    assert_eq!(
        r.outcome.final_return_value,
        json!("order() argument 'qty': number out of the allowed range")
    );
    // The same call with a literal is rejected before anything runs.
    let r = drive(
        "order(item=\"x\", qty=0)",
        cfg(),
        |_| ret(json!("ok"), Meta::default()),
        false,
    );
    assert_eq!(r.outcome.error.unwrap().code, ErrorCode::InvalidProgram);
    let r = drive(
        "k = {\"item\": \"a\", \"extra\": 1}\ntry:\n  order(**k)\nexcept TypeError as e:\n  final_return_value = str(e)",
        cfg(),
        |_| ret(json!("ok"), Meta::default()),
        false,
    );
    assert_eq!(
        r.outcome.final_return_value,
        json!("order() got an unexpected keyword argument 'extra' (parameters: item, qty, note)")
    );
    let r = drive(
        "order(item=(1, 2))",
        cfg(),
        |_| ret(json!("ok"), Meta::default()),
        false,
    );
    assert_eq!(
        r.outcome.error.unwrap().message,
        "order() argument 'item': expected string, got list"
    );
}

#[test]
fn json_results_become_python_values() {
    let r = drive(
        "r = get()\nfinal_return_value = [type(r['i']) == int, type(r['f']) == float, type(r['big']) == float, list(r), r['o']['k']]",
        config(Mode::Normal, vec![get_stub()]),
        |_| {
            ret(
                json!({"i": 1, "f": 1.5, "big": 18446744073709551615u64, "o": {"k": [1]}}),
                Meta::default(),
            )
        },
        false,
    );
    assert_eq!(
        r.outcome.final_return_value,
        json!([true, true, true, ["i", "f", "big", "o"], [1]])
    );
}

/// docs/planner.md, "Known differences from CPython": a denial or a limit ends the run without
/// running `except` or `finally` (the finally would print and set a value).
#[test]
fn limit_and_denial_skip_finally() {
    let body = "try:\n  {}\nexcept Exception:\n  print('except')\nfinally:\n  print('finally')\n  final_return_value = 'finally'";
    let denied = drive(
        &body.replace("{}", "get()"),
        config(Mode::Normal, vec![get_stub()]),
        |_| raise(RaiseKind::PolicyDenied, "denied", Meta::default(), true),
        false,
    );
    let limited = drive(
        &body.replace("{}", "while True:\n    pass"),
        RunConfig::default(),
        |_| panic!("no tools"),
        false,
    );
    for (r, code) in [
        (denied, ErrorCode::PolicyDenied),
        (limited, ErrorCode::LimitExceeded),
    ] {
        assert_eq!(r.outcome.error.map(|e| e.code), Some(code));
        assert_eq!(r.outcome.printed, "");
        assert_eq!(r.outcome.final_return_value, json!(null));
    }
}

/// docs/planner.md, "Known differences from CPython": `raise E from x` keeps no cause, so the
/// planner's traceback names only `E`.
#[test]
fn raise_from_shows_only_the_raised_exception() {
    let o = run("try:\n  {}['k']\nexcept KeyError as e:\n  raise ValueError('bad') from e");
    let e = o.error.unwrap();
    assert_eq!((e.kind.as_str(), e.message.as_str()), ("ValueError", "bad"));
    assert!(e.rendered.ends_with("ValueError: bad"), "{}", e.rendered);
    assert!(!e.rendered.contains("KeyError"), "{}", e.rendered);
}
