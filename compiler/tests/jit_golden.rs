//! The JIT against the interpreter on the repository's suites, and the fail-closed fallback.

use std::path::PathBuf;

use serde_json::json;
use sqrt_compiler::eval::{eval_call, run_suite_file_with};
use sqrt_compiler::policy::{Engine, FinalVerdict, Policy};
use sqrt_std::prelude::Presets;

const SEED: &str = include_str!("../../tests/sqrt/seed.sqrt");

fn suites() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/sqrt");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".sqrt-test.json"))
        .collect();
    files.sort();
    files
}

/// Every case of every suite: the JIT's output meets the expectations and equals the
/// interpreter's, with the JIT really running (no fallback), and the same the other way round.
#[test]
fn every_suite_agrees_across_engines() {
    let mut total = 0;
    for primary in [Engine::Jit, Engine::Interp] {
        for file in suites() {
            let (outcomes, fallback) = run_suite_file_with(&file, primary).unwrap();
            assert_eq!(fallback, None, "{}: the JIT fell back", file.display());
            for o in outcomes {
                total += 1;
                assert_eq!(o.failure, None, "{} / {}", file.display(), o.name);
            }
        }
    }
    assert_eq!(total, 2 * 139, "the suites hold 139 cases");
}

fn seed_calls() -> [(serde_json::Value, &'static str); 4] {
    let body = json!({"value": "...", "meta": {"tags": ["__non_executable", "confidential", "internal_use"]}});
    [
        (
            json!({"tool": "send_email", "args": {"to": "research@gmail.com", "subject": "Doc", "body": body}}),
            "hard_denied",
        ),
        (
            json!({"tool": "send_email", "args": {"to": "user@trustedcorp.com", "subject": "Doc", "body": body}}),
            "soft_allowed",
        ),
        (
            json!({"tool": "send_email", "args": {"to": "admin@trustedcorp.com.evil.net", "body": body}}),
            "hard_denied",
        ),
        (
            json!({"tool": "get_internal_document", "args": {"doc_id": "DOC12345"}}),
            "soft_allowed",
        ),
    ]
}

#[test]
fn seed_verdicts_are_identical_and_the_jit_runs() {
    let interp = Policy::compile(SEED, &Presets::default()).unwrap();
    let jit = Policy::compile(SEED, &Presets::default())
        .unwrap()
        .with_engine(Engine::Jit);
    assert_eq!(jit.engine(), Engine::Jit);
    assert_eq!(jit.fallback(), None);
    for (call, want) in seed_calls() {
        let a = eval_call(&interp, &call).unwrap();
        let mut b = eval_call(&jit, &call).unwrap();
        assert_eq!(a["final_verdict"], want, "{call}");
        assert_eq!(a["engine"], "interp");
        assert_eq!(b["engine"], "jit");
        b["engine"] = a["engine"].clone();
        assert_eq!(a, b, "{call}");
    }
}

#[test]
fn decide_matches_check_on_both_engines() {
    for engine in [Engine::Jit, Engine::Interp] {
        let policy = Policy::compile(SEED, &Presets::default())
            .unwrap()
            .with_engine(engine);
        for (call, want) in seed_calls() {
            let mut session = policy.new_session();
            let args = session.args_from_json(&call["args"]).unwrap();
            let tool = call["tool"].as_str().unwrap();
            let level = policy.decide(tool, &args, &mut session);
            assert_eq!(level.as_str(), want);
            assert_eq!(policy.check(tool, &args, &mut session).final_verdict, level);
        }
    }
}

#[test]
fn a_forced_jit_failure_falls_back_and_still_denies() {
    let policy = Policy::compile(SEED, &Presets::default())
        .unwrap()
        .with_failing_jit();
    assert_eq!(policy.engine(), Engine::Interp);
    assert!(policy.fallback().unwrap().contains("forced"));
    let (deny, _) = &seed_calls()[0];
    let out = eval_call(&policy, deny).unwrap();
    assert_eq!(out["engine"], "interp");
    assert_eq!(out["verdict"], "deny");
    assert_eq!(out["final_verdict"], "hard_denied");
    let mut session = policy.new_session();
    let args = session.args_from_json(&deny["args"]).unwrap();
    assert_eq!(
        policy.decide("send_email", &args, &mut session),
        FinalVerdict::HardDenied
    );
    // Asking for the interpreter afterwards clears the fallback.
    let policy = policy.with_engine(Engine::Interp);
    assert_eq!(policy.fallback(), None);
}

/// Many tools: each exact id gets its own native entry, and regex-only ids chain the regex
/// policies' entries.
#[test]
fn many_tools_and_regex_ids_dispatch_like_the_interpreter() {
    let mut src = String::new();
    for i in 0..300 {
        src.push_str(&format!(
            "tool \"t{i}\" {{ hard deny when x.value in {{\"bad{i}\"}}; soft allow always; }}\n"
        ));
    }
    src.push_str("tool r\"t1.*\" { hard deny when x.tags overlaps {\"secret\"}; }\n");
    src.push_str("tool r\"u.*\" { soft deny when x.value == \"no\"; }\n");
    let interp = Policy::compile(&src, &Presets::default()).unwrap();
    let jit = Policy::compile(&src, &Presets::default())
        .unwrap()
        .with_engine(Engine::Jit);
    assert_eq!(jit.engine(), Engine::Jit);
    for tool in ["t0", "t1", "t17", "t299", "u", "ux", "v", "t1000"] {
        for x in [
            json!("bad1"),
            json!("bad17"),
            json!("no"),
            json!({"value": "ok", "meta": {"tags": ["secret"]}}),
            json!(3),
        ] {
            let call = json!({"tool": tool, "args": {"x": x}});
            let a = eval_call(&interp, &call).unwrap();
            let mut b = eval_call(&jit, &call).unwrap();
            b["engine"] = a["engine"].clone();
            assert_eq!(a, b, "{call}");
        }
    }
}

/// The three update blocks of a policy run as native code, keep the reserved tags on user
/// statements (sqrt.md §4.4) and leave what the interpreter leaves; a block whose condition the
/// JIT leaves to the interpreter and reads the session stays interpreted.
#[test]
fn update_blocks_run_natively_and_agree_with_the_interpreter() {
    let src = r#"
tool "read" {
  soft allow always;
  session before { @session.tags |= {"seen"}; }
  result {
    @tags |= {"untrusted", "__r"};
    when @session.tags overlaps {"seen"} and doc.value in {str matching r"d.*"} { @producers = {"reader"}; }
  }
  session after { @session.tags |= @result.tags; @session.tags &= {"seen", "confidential", "a"}; }
}
tool "other" {
  soft allow always;
  session before { when doc.value in @session.tags { @session.tags |= {"b"}; } }
}
"#;
    let interp = Policy::compile(src, &Presets::default()).unwrap();
    let jit = Policy::compile(src, &Presets::default())
        .unwrap()
        .with_engine(Engine::Jit);
    // Three blocks of "read" beside the prelude's; "other"'s condition (a value in a label set
    // of the session) is left to the interpreter's code, which must not see the session
    // half-updated: not compiled.
    let prelude = Policy::compile("", &Presets::default())
        .unwrap()
        .with_engine(Engine::Jit)
        .native_blocks();
    assert_eq!(jit.native_blocks(), prelude + 3);
    assert_eq!(interp.native_blocks(), 0);
    let run = |p: &Policy, tool: &str, doc: &str, session_tags: serde_json::Value| {
        let mut session = p.new_session();
        session
            .set_meta_json(&json!({"tags": session_tags}))
            .unwrap();
        let args = session
            .args_from_json(&json!({"doc": {"value": doc, "meta": {"tags": ["confidential"]}}}))
            .unwrap();
        assert!(p.check(tool, &args, &mut session).is_allowed());
        let out = sqrt_std::value::Value::from_json(&json!("text"));
        let result = p.apply_result(tool, &args, &out, &mut session).unwrap();
        (
            session.meta.to_json(&session.labels),
            result.meta.to_json(&session.labels),
        )
    };
    // Spilled session labels (ids ≥ 127) make the native block decline and the interpreter run.
    let many: Vec<String> = (0..200).map(|i| format!("l{i}")).collect();
    for (tool, doc, tags) in [
        ("read", "d1", json!([])),
        ("read", "x", json!(["__r"])),
        ("read", "d2", json!(["a", "__other"])),
        ("read", "d3", json!(many)),
        ("other", "a", json!(["a"])),
    ] {
        let (session, result) = run(&jit, tool, doc, tags.clone());
        let want = run(&interp, tool, doc, tags.clone());
        assert_eq!(
            (&session, &result),
            (&want.0, &want.1),
            "{tool} {doc} {tags}"
        );
        if tool == "read" {
            let tags = session["tags"].as_array().unwrap();
            let has = |t: &str| tags.iter().any(|x| x == t);
            // `session before` added "seen"; `session after` joined the result's tags, then
            // kept only three of them, and the reserved "__r" (a user statement keeps it).
            assert!(has("seen") && has("__r") && has("confidential") && !has("untrusted"));
            let producers = &result["producers"];
            assert_eq!(
                *producers == json!(["reader"]),
                doc.starts_with('d'),
                "{result}"
            );
        }
    }
}
