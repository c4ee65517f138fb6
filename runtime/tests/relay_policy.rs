//! The policy engine in single-LLM mode over loopback (protocol.md §8, §12 case 5): X-Policy
//! decides every proposed call, the session meta is carried across requests, manual meta
//! wrappers feed `result` and `session after` blocks, and each distinct policy is compiled once.

mod relay_support;

use relay_support::*;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sqrt_compiler::policy::{Engine, Policy};
use sqrt_runtime::relay::MockServer;
use sqrt_std::prelude::Presets;

/// The seed policy written for single-LLM mode: arguments carry no tags there (no program
/// propagates them), so what the LLM has read is kept in the session meta and checked there.
const SEED_SINGLE: &str = r#"let sensitive_docs = {"internal_use", "confidential"};
tool "get_internal_document" -> @tags |= sensitive_docs;
tool "get_internal_document" -> session @tags |= @result.tags;
tool "send_email" {
    hard deny when (@session.tags overlaps sensitive_docs) and
    (not to.value in {str matching r".*@trustedcorp\.com"});
}
"#;

/// Fetch the document, then email it to the address the user named, then stop.
async fn seed_mock() -> MockServer {
    mock(json!({"entries": [
        {"last_role": "user", "tool_calls": [{"name": "get_internal_document", "arguments": {"doc_id": "DOC12345"}}]},
        {"last_role": "tool", "last_contains": "document content", "user_contains": "gmail",
         "tool_calls": [{"name": "send_email", "arguments": {"to": "research@gmail.com", "subject": "doc", "body": "the doc"}}]},
        {"last_role": "tool", "last_contains": "document content", "user_contains": "trustedcorp",
         "tool_calls": [{"name": "send_email", "arguments": {"to": "user@trustedcorp.com", "subject": "doc", "body": "the doc"}}]},
        {"last_role": "tool", "last_contains": "Email sent", "content": "All done."}
    ]}))
    .await
}

fn x_policy(code: &str) -> String {
    json!({"codes": code}).to_string()
}

fn ask(to: &str) -> Vec<Value> {
    vec![user(&format!("Retrieve DOC12345 and email it to {to}"))]
}

/// The messages answering `response`'s first tool call with `result`.
fn answer(mut messages: Vec<Value>, response: &Value, result: &str) -> Vec<Value> {
    let message = response["choices"][0]["message"].clone();
    let id = message["tool_calls"][0]["id"].as_str().unwrap().to_string();
    messages.push(message);
    messages.push(json!({"role": "tool", "tool_call_id": id, "content": result}));
    messages
}

fn log_config(mock: &MockServer) -> (String, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("sqrt-policy-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("decisions.jsonl");
    let extra = format!("[log]\ndecision_log = \"{}\"\n", log.display());
    (config_text(mock, &extra), log)
}

fn log_lines(path: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The engine the relay runs: the JIT, or the interpreter where the JIT cannot be built.
fn engine() -> &'static str {
    Policy::compile(SEED_SINGLE, &Presets::default())
        .unwrap()
        .with_engine(Engine::Jit)
        .engine()
        .as_str()
}

const DOC: &str = "The document content is: 'Sequrity is a secure AI...'";

#[tokio::test]
async fn the_seed_policy_denies_gmail_after_the_document_was_read() {
    let m = seed_mock().await;
    let (config, log) = log_config(&m);
    let r = relay(&config).await;
    let url = r.url("/v1/chat/completions");
    let policy = x_policy(SEED_SINGLE);
    let h = [("X-Api-Key", "k"), ("X-Policy", policy.as_str())];

    let (s, headers, resp) = post(&url, &h, &chat_body(ask("research@gmail.com"))).await;
    assert_eq!(s, 200, "{resp}");
    assert_eq!(resp["choices"][0]["finish_reason"], "tool_calls");
    let session = headers["x-session-id"].to_str().unwrap().to_string();

    // The result is tagged by the policy, and `session after` copies its tags into the
    // session meta stored with the session; the next request checks against it.
    let messages = answer(ask("research@gmail.com"), &resp, DOC);
    let (s, headers, resp) = post(&url, &h, &chat_body(messages)).await;
    assert_eq!(s, 200, "{resp}");
    assert_eq!(headers["x-session-id"].to_str().unwrap(), session);
    let choice = &resp["choices"][0];
    assert_eq!(choice["finish_reason"], "stop");
    assert!(choice["message"].get("tool_calls").is_none(), "{resp}");
    let text = choice["message"]["content"].as_str().unwrap();
    let prefix = "Tool call send_email denied by argument checking policies. Tool calls: ";
    assert!(text.starts_with(prefix), "{text}");
    let (calls, report) = text[prefix.len()..]
        .split_once(". Checking results: ")
        .unwrap();
    let calls: Value = serde_json::from_str(calls).unwrap();
    assert_eq!(calls["tool"], "send_email");
    assert_eq!(
        calls["args"],
        json!({"to": "research@gmail.com", "subject": "doc", "body": "the doc"})
    );
    let id = calls["id"].as_str().unwrap();
    assert!(id.starts_with(&format!("tc-{session}-")), "{id}");
    let report: Value = serde_json::from_str(report).unwrap();
    assert_eq!(report["verdict"], "deny");
    assert_eq!(report["final_verdict"], "hard_denied");
    assert_eq!(report["fired"][0]["rule"], "send_email#1");
    assert_eq!(report["denial_reasons"][0]["rule"], "send_email#1");

    let lines = log_lines(&log);
    assert_eq!(lines.len(), 2, "{lines:?}");
    let hash = format!("{:x}", Sha256::digest(SEED_SINGLE.as_bytes()));
    assert_eq!(lines[0]["tool"], "get_internal_document");
    assert_eq!(lines[0]["final_verdict"], "soft_allowed");
    assert_eq!(lines[0]["fired"][0]["rule"], "preset:default_allow");
    assert_eq!(lines[1]["tool"], "send_email");
    assert_eq!(lines[1]["verdict"], "deny");
    assert_eq!(lines[1]["final_verdict"], "hard_denied");
    assert_eq!(lines[1]["n_denied"], 1);
    assert_eq!(lines[1]["tool_call_id"], id);
    for line in &lines {
        assert_eq!(line["policy_hash"], hash);
        assert_eq!(line["engine"], engine());
        let default = json!({"tags": [], "producers": [], "consumers": ["*"]});
        for (_, arg) in line["args"].as_object().unwrap() {
            assert_eq!(
                arg,
                &json!({"meta": default}),
                "no values unless configured"
            );
        }
    }
}

#[tokio::test]
async fn the_seed_policy_allows_trustedcorp() {
    let m = seed_mock().await;
    let r = relay(&config_text(&m, "")).await;
    let url = r.url("/v1/chat/completions");
    let policy = x_policy(SEED_SINGLE);
    let h = [("X-Api-Key", "k"), ("X-Policy", policy.as_str())];
    let to = "user@trustedcorp.com";
    let (_, _, resp) = post(&url, &h, &chat_body(ask(to))).await;
    let messages = answer(ask(to), &resp, DOC);
    let (s, headers, resp) = post(&url, &h, &chat_body(messages.clone())).await;
    assert_eq!(s, 200, "{resp}");
    let call = &resp["choices"][0]["message"]["tool_calls"][0];
    assert_eq!(call["function"]["name"], "send_email");
    let session = headers["x-session-id"].to_str().unwrap();
    assert!(
        call["id"]
            .as_str()
            .unwrap()
            .starts_with(&format!("tc-{session}-"))
    );
    // Later requests repeat the header: same policy, no config_mismatch.
    let (s, _, resp) = post(&url, &h, &chat_body(answer(messages, &resp, "Email sent"))).await;
    assert_eq!(s, 200, "{resp}");
    assert_eq!(resp["choices"][0]["message"]["content"], "All done.");
}

#[tokio::test]
async fn without_the_read_document_in_the_session_gmail_is_allowed() {
    // The denial above comes from the session meta, not the arguments: a session that never
    // read the document may email gmail.
    let m = mock(json!({"entries": [
        {"last_role": "user", "tool_calls": [{"name": "send_email", "arguments": {"to": "research@gmail.com", "subject": "hi", "body": "hello"}}]}
    ]}))
    .await;
    let r = relay(&config_text(&m, "")).await;
    let policy = x_policy(SEED_SINGLE);
    let (s, _, resp) = post(
        &r.url("/v1/chat/completions"),
        &[("X-Api-Key", "k"), ("X-Policy", policy.as_str())],
        &chat_body(vec![user("say hello to research@gmail.com")]),
    )
    .await;
    assert_eq!(s, 200, "{resp}");
    assert_eq!(resp["choices"][0]["finish_reason"], "tool_calls");
}

/// §12 case 5: `to` hard-allowed only for trustedcorp; a `pii` wrapper plus `session after`
/// denies the next call.
const CASE_5: &str = r#"tool "get_internal_document" { soft allow always; }
tool r".*" -> session @tags |= @result.tags;
tool "send_email" {
    hard allow when to.value in {str matching r".*@trustedcorp\.com"};
}
tool "send_email" {
    hard deny when @session.tags overlaps {"pii"};
}
"#;

fn case_5_policy() -> String {
    json!({"codes": CASE_5, "presets": {"default_allow": false}}).to_string()
}

#[tokio::test]
async fn case_5_a_pii_wrapper_denies_the_next_call() {
    let m = seed_mock().await;
    let r = relay(&config_text(&m, "")).await;
    let url = r.url("/v1/chat/completions");
    let policy = case_5_policy();
    let h = [("X-Api-Key", "k"), ("X-Policy", policy.as_str())];
    let to = "user@trustedcorp.com";
    let (s, _, resp) = post(&url, &h, &chat_body(ask(to))).await;
    assert_eq!(s, 200, "{resp}");
    let wrapper = json!({"is_sequrity_var": true, "value": DOC,
        "meta": {"tags": ["pii"], "producers": [], "consumers": ["*"]}})
    .to_string();
    let (s, _, resp) = post(&url, &h, &chat_body(answer(ask(to), &resp, &wrapper))).await;
    assert_eq!(s, 200, "{resp}");
    let text = resp["choices"][0]["message"]["content"].as_str().unwrap();
    assert!(
        text.starts_with("Tool call send_email denied by argument checking policies."),
        "{text}"
    );
    assert!(text.contains("send_email#2"), "{text}");
    // The LLM saw the wrapper's value, never the wrapper.
    let seen = m.requests();
    assert_eq!(seen[1]["messages"][2]["content"], DOC);
}

#[tokio::test]
async fn case_5_without_pii_trustedcorp_is_hard_allowed_and_gmail_denied() {
    let m = seed_mock().await;
    let (config, log) = log_config(&m);
    let r = relay(&config).await;
    let url = r.url("/v1/chat/completions");
    let policy = case_5_policy();
    let h = [("X-Api-Key", "k"), ("X-Policy", policy.as_str())];
    for to in ["user@trustedcorp.com", "research@gmail.com"] {
        let (_, _, resp) = post(&url, &h, &chat_body(ask(to))).await;
        let (s, _, resp) = post(&url, &h, &chat_body(answer(ask(to), &resp, DOC))).await;
        assert_eq!(s, 200, "{resp}");
    }
    let verdicts: Vec<(String, String)> = log_lines(&log)
        .iter()
        .map(|l| {
            (
                l["tool"].as_str().unwrap().to_string(),
                l["final_verdict"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let v = |t: &str, f: &str| (t.to_string(), f.to_string());
    assert_eq!(
        verdicts,
        [
            v("get_internal_document", "soft_allowed"),
            v("send_email", "hard_allowed"),
            v("get_internal_document", "soft_allowed"),
            // An unmet `allow when` votes DENY at its level (sqrt.md §5.4).
            v("send_email", "hard_denied"),
        ]
    );
}

#[tokio::test]
async fn a_malformed_wrapper_is_refused_and_the_session_unchanged() {
    let m = seed_mock().await;
    let r = relay(&config_text(&m, "")).await;
    let url = r.url("/v1/chat/completions");
    let policy = case_5_policy();
    let h = [("X-Api-Key", "k"), ("X-Policy", policy.as_str())];
    let to = "user@trustedcorp.com";
    let (_, _, resp) = post(&url, &h, &chat_body(ask(to))).await;
    // `consumers` is missing: the tags must not be silently lost.
    let bad =
        json!({"is_sequrity_var": true, "value": DOC, "meta": {"tags": ["pii"], "producers": []}})
            .to_string();
    let (s, _, b) = post(&url, &h, &chat_body(answer(ask(to), &resp, &bad))).await;
    let e = assert_error(s, &b, 400, "invalid_tool_result");
    assert!(
        e["message"].as_str().unwrap().contains("meta.consumers"),
        "{e}"
    );
    assert_eq!(m.requests().len(), 1, "nothing reached the provider");
    // The same request with a valid wrapper then goes through as if the first never happened.
    let good = json!({"is_sequrity_var": true, "value": DOC,
        "meta": {"tags": ["pii"], "producers": [], "consumers": ["*"]}})
    .to_string();
    let (s, _, resp) = post(&url, &h, &chat_body(answer(ask(to), &resp, &good))).await;
    assert_eq!(s, 200, "{resp}");
    assert!(
        resp["choices"][0]["message"]["content"]
            .as_str()
            .unwrap()
            .contains("send_email#2")
    );
}

#[tokio::test]
async fn an_sqrt_compile_error_is_a_400_with_located_diagnostics() {
    let m = mock(json!({"entries": [{"content": "x"}]})).await;
    let r = relay(&config_text(&m, "")).await;
    let bad = x_policy("tool \"send_email\" {\n    hard deny when ;\n}\n");
    for _ in 0..2 {
        let (s, _, b) = post(
            &r.url("/v1/chat/completions"),
            &[("X-Api-Key", "k"), ("X-Policy", bad.as_str())],
            &chat_body(vec![user("hi")]),
        )
        .await;
        let e = assert_error(s, &b, 400, "policy_compile_error");
        assert_eq!(e["param"], "X-Policy");
        let d = &e["diagnostics"][0];
        assert_eq!(d["severity"], "error");
        assert_eq!(
            (d["line"].as_u64(), d["column"].as_u64()),
            (Some(2), Some(20))
        );
    }
    assert!(m.requests().is_empty());
    // The second request was answered from the cache.
    let text = metrics(&r).await;
    assert!(
        text.contains("sqrt_policy_compiles_total{stage=\"check\",outcome=\"error\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("sqrt_policy_cache_hits_total{stage=\"check\"} 1"),
        "{text}"
    );
}

#[tokio::test]
async fn repeated_requests_with_the_same_policy_compile_it_once() {
    let m = mock(json!({"entries": [
        {"last_role": "user", "tool_calls": [{"name": "get_internal_document", "arguments": {"doc_id": "D"}}]}
    ]}))
    .await;
    let r = relay(&config_text(&m, "")).await;
    let policy = x_policy(SEED_SINGLE);
    for _ in 0..5 {
        let (s, _, b) = post(
            &r.url("/v1/chat/completions"),
            &[("X-Api-Key", "k"), ("X-Policy", policy.as_str())],
            &chat_body(vec![user("fetch D")]),
        )
        .await;
        assert_eq!(s, 200, "{b}");
    }
    let text = metrics(&r).await;
    for want in [
        "sqrt_policy_compiles_total{stage=\"check\",outcome=\"ok\"} 1",
        "sqrt_policy_compiles_total{stage=\"compile\",outcome=\"ok\"} 1",
        "sqrt_policy_cache_hits_total{stage=\"check\"} 4",
        "sqrt_policy_cache_hits_total{stage=\"compile\"} 4",
        "sqrt_policy_checks_total{verdict=\"allow\"} 5",
    ] {
        assert!(text.contains(want), "missing {want:?} in\n{text}");
    }
    let want = format!(
        "sqrt_policy_check_duration_seconds_count{{engine=\"{}\"}} 5",
        engine()
    );
    assert!(text.contains(&want), "missing {want:?} in\n{text}");
}

#[tokio::test]
async fn the_compile_cache_size_comes_from_sqrt_toml() {
    let m = mock(json!({"entries": [
        {"last_role": "user", "tool_calls": [{"name": "get_internal_document", "arguments": {"doc_id": "D"}}]}
    ]}))
    .await;
    let a = x_policy(SEED_SINGLE);
    let b = x_policy(r#"tool "get_internal_document" -> @tags |= {"b"};"#);
    // A, B, A: with room for one policy B evicts A, which is compiled again; with the default
    // room A is still there.
    for (entries, compiles) in [("1", 3), ("256", 2)] {
        let extra = format!("[limits]\npolicy_cache_entries = {entries}\n");
        let r = relay(&config_text(&m, &extra)).await;
        for policy in [&a, &b, &a] {
            let (s, _, body) = post(
                &r.url("/v1/chat/completions"),
                &[("X-Api-Key", "k"), ("X-Policy", policy.as_str())],
                &chat_body(vec![user("fetch D")]),
            )
            .await;
            assert_eq!(s, 200, "{body}");
            assert_eq!(body["choices"][0]["finish_reason"], "tool_calls", "{body}");
        }
        let text = metrics(&r).await;
        for want in [
            format!("sqrt_policy_compiles_total{{stage=\"compile\",outcome=\"ok\"}} {compiles}"),
            format!("sqrt_policy_compiles_total{{stage=\"check\",outcome=\"ok\"}} {compiles}"),
        ] {
            assert!(
                text.contains(&want),
                "entries = {entries}: missing {want:?} in\n{text}"
            );
        }
    }
}

#[tokio::test]
async fn presets_alone_decide_without_policy_code() {
    let m = mock(json!({"entries": [
        {"last_role": "user", "tool_calls": [{"name": "get_internal_document", "arguments": {"doc_id": "D"}}]}
    ]}))
    .await;
    let r = relay(&config_text(&m, "")).await;
    let policy = json!({"presets": {"default_allow": false}}).to_string();
    let (s, _, resp) = post(
        &r.url("/v1/chat/completions"),
        &[("X-Api-Key", "k"), ("X-Policy", policy.as_str())],
        &chat_body(vec![user("fetch D")]),
    )
    .await;
    assert_eq!(s, 200, "{resp}");
    assert_eq!(resp["choices"][0]["finish_reason"], "stop");
    let text = resp["choices"][0]["message"]["content"].as_str().unwrap();
    assert!(text.contains("preset:default_allow"), "{text}");
    assert!(text.contains("soft_denied"), "{text}");
}

#[test]
fn the_documented_single_llm_seed_policy_is_the_one_tested_here() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/relay.md");
    let doc = std::fs::read_to_string(path).unwrap();
    let start = doc.find("```sqrt\n").expect("a sqrt block") + "```sqrt\n".len();
    let end = start + doc[start..].find("```").unwrap();
    assert_eq!(&doc[start..end], SEED_SINGLE);
}
