//! The scripted mock provider over HTTP.

mod relay_support;

use relay_support::{client, mock, post};
use serde_json::json;

#[tokio::test]
async fn replies_follow_the_script_in_order_with_times() {
    let m = mock(json!({"entries": [
        {"model": "planner", "last_role": "user", "times": 1,
         "tool_calls": [{"name": "get_internal_document", "arguments": {"doc_id": "DOC12345"}}]},
        {"model": "planner", "last_role": "tool", "last_contains": "secret", "content": "done",
         "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}},
        {"user_contains": "fallback", "content": "fell back", "finish_reason": "length"}
    ]}))
    .await;
    let url = format!("{}/chat/completions", m.base_url());
    let ask = |messages| json!({"model": "planner", "messages": messages});

    let (s, _, r) = post(&url, &[], &ask(json!([{"role": "user", "content": "go"}]))).await;
    assert_eq!(s, 200);
    assert_eq!(r["object"], "chat.completion");
    assert_eq!(r["model"], "planner");
    let choice = &r["choices"][0];
    assert_eq!(choice["finish_reason"], "tool_calls");
    let call = &choice["message"]["tool_calls"][0];
    assert_eq!(call["type"], "function");
    assert_eq!(call["function"]["name"], "get_internal_document");
    assert_eq!(call["function"]["arguments"], "{\"doc_id\":\"DOC12345\"}");
    assert_eq!(call["id"], "call_1_0");

    // `times: 1` is used up: the same request no longer matches anything.
    let (s, _, r) = post(&url, &[], &ask(json!([{"role": "user", "content": "go"}]))).await;
    assert_eq!(s, 500, "{r}");

    let (s, _, r) = post(&url, &[], &ask(json!([{"role": "user", "content": "go"}, {"role": "tool", "tool_call_id": "x", "content": "a secret"}]))).await;
    assert_eq!(s, 200);
    assert_eq!(r["choices"][0]["message"]["content"], "done");
    assert_eq!(r["choices"][0]["finish_reason"], "stop");
    assert_eq!(r["usage"]["total_tokens"], 4);

    let (s, _, r) = post(
        &format!("{}/v1/chat/completions", m.base_url()),
        &[],
        &json!({"model": "other", "messages": [{"role": "user", "content": "fallback please"}]}),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(r["choices"][0]["finish_reason"], "length");

    let seen: serde_json::Value = client()
        .get(format!("{}/_mock/requests", m.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let seen = seen.as_array().unwrap();
    assert_eq!(seen.len(), 4);
    assert_eq!(seen[3]["model"], "other");
    assert_eq!(seen[3]["messages"][0]["content"], "fallback please");
}

#[tokio::test]
async fn status_entries_and_delay() {
    let m = mock(json!({"entries": [{"status": 503, "body": {"error": {"message": "overloaded"}}, "delay_ms": 150}]})).await;
    let start = std::time::Instant::now();
    let (s, _, r) = post(
        &format!("{}/chat/completions", m.base_url()),
        &[],
        &json!({"model": "m", "messages": []}),
    )
    .await;
    assert_eq!(s, 503);
    assert_eq!(r["error"]["message"], "overloaded");
    assert!(start.elapsed() >= std::time::Duration::from_millis(150));
}

#[tokio::test]
async fn cli_mock_llm_prints_its_address_first() {
    use std::io::{BufRead, BufReader};
    let dir = std::env::temp_dir().join(format!("sqrt-mock-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("script.json");
    std::fs::write(
        &script,
        r#"{"entries": [{"content": "from the cli mock"}]}"#,
    )
    .unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sqrtc"))
        .args(["mock-llm", "--script"])
        .arg(&script)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line.trim().to_string();
    assert!(addr.starts_with("127.0.0.1:"), "{addr:?}");
    let (s, _, r) = post(
        &format!("http://{addr}/chat/completions"),
        &[],
        &json!({"model": "m", "messages": [{"role": "user", "content": "x"}]}),
    )
    .await;
    child.kill().unwrap();
    let _ = child.wait();
    assert_eq!(s, 200);
    assert_eq!(r["choices"][0]["message"]["content"], "from the cli mock");

    std::fs::write(&script, r#"{"entries": [{"bogus": 1}]}"#).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sqrtc"))
        .args(["mock-llm", "--script"])
        .arg(&script)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("script.entries[0].bogus: unknown field")
    );
    assert!(out.stdout.is_empty());
}
