//! The embedding API beyond the suites: report JSON shape, fail_fast off, wide label tables,
//! wrapper errors, presets on loaded bytecode.

use serde_json::json;
use sqrt_compiler::eval::eval_call;
use sqrt_compiler::policy::{Policy, compile_module};
use sqrt_std::prelude::Presets;
use sqrt_std::value::Value;

const SEED: &str = r#"let sensitive_docs = {"internal_use", "confidential"};
tool "get_internal_document" -> @tags |= sensitive_docs;
tool "send_email" {
    hard deny when (body.tags overlaps sensitive_docs) and
    (not to.value in {str matching r".*@trustedcorp\.com"});
}
"#;

#[test]
fn eval_output_is_exactly_the_cli_md_shape() {
    let policy = Policy::compile(SEED, &Presets::default()).unwrap();
    let call = json!({"tool": "send_email",
        "args": {"to": "research@gmail.com", "body": {"value": "...", "meta": {"tags": ["confidential"]}}},
        "session": {"tags": [], "producers": [], "consumers": ["*"]}});
    // cli.md's example output, plus the engine that decided.
    let expected = json!({"verdict": "deny", "final_verdict": "hard_denied", "n_allowed": 0, "n_denied": 1,
        "fired": [{"rule": "send_email#1", "policy": "send_email", "outcome": "deny", "level": "hard", "priority": 0,
                   "description": null, "span": {"line": 4, "column": 5, "end_line": 5, "end_column": 60}}],
        "denial_reasons": [{"rule": "send_email#1", "enforcement_level": "hard", "description": null}],
        "session": {"tags": [], "producers": [], "consumers": ["*"]},
        "result_meta": null, "engine": "interp"});
    assert_eq!(eval_call(&policy, &call).unwrap(), expected);
}

#[test]
fn without_fail_fast_every_vote_is_reported() {
    let src = "/// first\ntool \"t\" { hard deny always; }\ntool \"t\" {\n    /// second\n    hard deny always;\n}\n";
    let mut policy = Policy::compile(src, &Presets::default()).unwrap();
    let mut session = policy.new_session();
    let v = policy.check("t", &[], &mut session);
    assert_eq!(v.fired.len(), 1);
    policy.fail_fast = false;
    let v = policy.check("t", &[], &mut session);
    let out = v.to_json();
    assert_eq!(out["n_denied"], 2);
    assert_eq!(
        out["denial_reasons"],
        json!([
            {"rule": "t#1", "enforcement_level": "hard", "description": null},
            {"rule": "t#2", "enforcement_level": "hard", "description": "second"}
        ])
    );
}

#[test]
fn labels_beyond_the_inline_word_work_end_to_end() {
    let policy = Policy::compile(
        r#"tool "t" { hard deny when x.tags overlaps {"secret"}; }"#,
        &Presets::default(),
    )
    .unwrap();
    let mut session = policy.new_session();
    let mut tags: Vec<String> = (0..300).map(|i| format!("t{i}")).collect();
    let args = session
        .args_from_json(&json!({"x": {"value": 1, "meta": {"tags": tags}}}))
        .unwrap();
    assert!(session.labels.len() > 300);
    assert!(policy.check("t", &args, &mut session).is_allowed());
    tags.push("secret".into());
    let args = session
        .args_from_json(&json!({"x": {"value": 1, "meta": {"tags": tags}}}))
        .unwrap();
    assert!(!policy.check("t", &args, &mut session).is_allowed());
    // Result metas with labels ≥ 127 survive the lifecycle and print sorted.
    let high = session
        .args_from_json(&json!({"x": {"value": 1, "meta": {"tags": ["t299", "t5"]}}}))
        .unwrap();
    let r = policy
        .apply_result("t", &high, &Value::Int(1), &mut session)
        .unwrap();
    assert_eq!(
        session.meta_json(&r.meta)["tags"],
        json!(["__non_executable", "t299", "t5"])
    );
}

#[test]
fn malformed_wrappers_are_errors() {
    let policy = Policy::compile("", &Presets::default()).unwrap();
    let mut session = policy.new_session();
    for bad in [
        json!({"is_sequrity_var": true, "meta": {"tags": [], "producers": [], "consumers": ["*"]}}),
        json!({"is_sequrity_var": true, "value": 1}),
        json!({"is_sequrity_var": true, "value": 1, "meta": {"tags": [], "producers": [], "consumers": ["*"]}, "extra": 1}),
        json!({"is_sequrity_var": true, "value": 1, "meta": {"tags": [], "producers": [], "consumers": ["*"]}, "combine_meta": "mix"}),
        json!({"is_sequrity_var": true, "value": 1, "meta": {"tags": [1], "producers": [], "consumers": ["*"]}}),
    ] {
        let r = policy.apply_result("t", &[], &Value::from_json(&bad), &mut session);
        assert!(r.is_err(), "{bad} was accepted");
    }
}

#[test]
fn loaded_bytecode_takes_other_presets_by_recompiling() {
    let (module, _) = compile_module(SEED, &Presets::default(), None).unwrap();
    let policy = Policy::from_bytes(&module.encode()).unwrap();
    let strict = Presets {
        default_allow: false,
        ..Presets::default()
    };
    let policy = policy.with_presets(&strict).unwrap();
    let mut session = policy.new_session();
    assert!(!policy.check("unknown", &[], &mut session).is_allowed());
}

#[test]
fn compile_errors_are_reported_not_panicked() {
    let e = Policy::compile("tool \"t\" { broken }", &Presets::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("E0101"), "{e}");
}

#[test]
fn explain_reports_each_top_level_operand() {
    let policy = Policy::compile(SEED, &Presets::default()).unwrap();
    let call = json!({"tool": "send_email",
        "args": {"to": "user@trustedcorp.com", "body": {"value": "...", "meta": {"tags": ["confidential"]}}}});
    // The rule abstains (the recipient matches), so only the fallback fires: no conjuncts.
    let out = sqrt_compiler::eval::eval_call_with(&policy, &call, true).unwrap();
    assert!(out["fired"][0].get("conjuncts").is_none());
    let call = json!({"tool": "send_email",
        "args": {"to": "x@gmail.com", "body": {"value": "...", "meta": {"tags": ["confidential"]}}}});
    let out = sqrt_compiler::eval::eval_call_with(&policy, &call, true).unwrap();
    assert_eq!(
        out["fired"][0]["conjuncts"],
        json!([
            {"text": "body.tags overlaps sensitive_docs", "value": true},
            {"text": "not to.value in {str matching r\".*@trustedcorp\\.com\"}", "value": true}
        ])
    );
    // Without explain the field is absent.
    assert!(
        eval_call(&policy, &call).unwrap()["fired"][0]
            .get("conjuncts")
            .is_none()
    );
}

mod fail_fast_property {
    use proptest::prelude::*;
    use sqrt_compiler::policy::Policy;
    use sqrt_std::prelude::Presets;

    const RULES: &[&str] = &[
        "hard deny when x.tags overlaps {\"a\"};",
        "hard deny when x.value == 1;",
        "soft deny always;",
        "soft allow when x.value in {int 0..2};",
        "hard allow when x.tags is empty;",
        "hard deny always;",
        "soft allow always;",
    ];

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]

        /// fail_fast only shortens `fired`: same verdict, and its `fired` is a prefix.
        #[test]
        fn fail_fast_changes_only_the_report_length(
            policies in proptest::collection::vec((-2i64..3, proptest::collection::vec(0usize..7, 1..4)), 1..4),
            value in 0i64..3,
            tagged in any::<bool>(),
        ) {
            let src: String = policies
                .iter()
                .map(|(prio, rules)| {
                    let body: Vec<&str> = rules.iter().map(|&r| RULES[r]).collect();
                    format!("tool \"t\" {{ priority {prio}; {} }}\n", body.join(" "))
                })
                .collect();
            let mut policy = Policy::compile(&src, &Presets::default()).unwrap();
            let mut session = policy.new_session();
            let tags = if tagged { serde_json::json!(["a"]) } else { serde_json::json!([]) };
            let args = session
                .args_from_json(&serde_json::json!({"x": {"value": value, "meta": {"tags": tags}}}))
                .unwrap();
            let fast = policy.check("t", &args, &mut session);
            policy.fail_fast = false;
            let full = policy.check("t", &args, &mut session);
            prop_assert_eq!(fast.final_verdict, full.final_verdict);
            prop_assert!(fast.fired.len() <= full.fired.len());
            prop_assert_eq!(&full.fired[..fast.fired.len()], &fast.fired[..]);
        }
    }
}
