//! The relay's hooks (policy compiler, session store) and the errors that only they can cause.

mod relay_support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use relay_support::*;
use serde_json::json;
use sqrt_runtime::relay::error::Diagnostic;
use sqrt_runtime::relay::headers::PolicyCompiler;
use sqrt_runtime::relay::store::{
    LeaseToken, MemoryStore, SessionRecord, SessionState, SessionStore, StoreError, StoreFuture,
    StoreLimits,
};
use sqrt_runtime::relay::{Config, Relay, RelayBuilder, RunningRelay};
use uuid::Uuid;

/// Reports one error for any policy containing `deny when ;`.
struct FakeCompiler;

impl PolicyCompiler for FakeCompiler {
    fn check(&self, code: &str, _tools: Option<&serde_json::Value>) -> Vec<Diagnostic> {
        if !code.contains("deny when ;") {
            return Vec::new();
        }
        vec![Diagnostic {
            severity: "error".into(),
            code: "E0100".into(),
            message: "expected an expression".into(),
            line: 1,
            column: 22,
            end_line: 1,
            end_column: 22,
        }]
    }
}

async fn start(builder: RelayBuilder) -> RunningRelay {
    builder
        .build()
        .unwrap()
        .start(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap()
}

#[tokio::test]
async fn policy_compile_errors_carry_diagnostics() {
    let m = mock(json!({"entries": [{"content": "x"}]})).await;
    let config = Config::from_toml(&config_text(&m, "")).unwrap();
    let r = start(Relay::builder(config).compiler(Arc::new(FakeCompiler))).await;
    let bad = r#"{"codes": "tool \"x\" { hard deny when ; }"}"#;
    let (s, _, b) = post(
        &r.url("/v1/chat/completions"),
        &[("X-Api-Key", "k"), ("X-Policy", bad)],
        &chat_body(vec![user("hi")]),
    )
    .await;
    let e = assert_error(s, &b, 400, "policy_compile_error");
    assert_eq!(e["param"], "X-Policy");
    assert_eq!(
        e["diagnostics"],
        json!([{"severity": "error", "code": "E0100", "message": "expected an expression",
                "line": 1, "column": 22, "end_line": 1, "end_column": 22}])
    );
    assert!(m.requests().is_empty());

    let (s, _, b) = post(
        &r.url("/control/v1/validate-headers"),
        &[],
        &json!({"x_policy": bad}),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(b["x_policy"]["valid"], false);
    assert_eq!(b["x_policy"]["diagnostics"][0]["code"], "E0100");
    assert_eq!(b["x_policy"]["errors"].as_array().unwrap().len(), 1);
}

/// A store that is down.
struct DownStore;

fn down<T: Send + 'static>() -> StoreFuture<'static, T> {
    Box::pin(std::future::ready(Err(StoreError::Unavailable(
        "connection refused".into(),
    ))))
}

impl SessionStore for DownStore {
    fn create(&self, _: SessionRecord) -> StoreFuture<'_, SessionRecord> {
        down()
    }
    fn load<'a>(&'a self, _: Uuid, _: &'a str) -> StoreFuture<'a, SessionRecord> {
        down()
    }
    fn lease(&self, _: Uuid, _: Duration) -> StoreFuture<'_, LeaseToken> {
        down()
    }
    fn save(&self, _: SessionRecord, _: u64) -> StoreFuture<'_, u64> {
        down()
    }
    fn release<'a>(&'a self, _: Uuid, _: &'a LeaseToken) -> StoreFuture<'a, ()> {
        down()
    }
    fn delete(&self, _: Uuid) -> StoreFuture<'_, ()> {
        down()
    }
    fn active(&self) -> StoreFuture<'_, usize> {
        down()
    }
    fn ping(&self) -> StoreFuture<'_, ()> {
        down()
    }
}

#[tokio::test]
async fn a_store_that_is_down() {
    let m = mock(json!({"entries": [{"tool_calls": [{"name": "get_internal_document", "arguments": {"doc_id": "D"}}]}]})).await;
    let config = Config::from_toml(&config_text(&m, "")).unwrap();
    let r = start(Relay::builder(config).store(Arc::new(DownStore))).await;
    let resp = client().get(r.url("/health")).send().await.unwrap();
    assert_eq!(resp.status(), 503);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["status"], "unavailable");
    let (s, headers, b) = post(
        &r.url("/v1/chat/completions"),
        &[("X-Api-Key", "k")],
        &chat_body(vec![user("get D")]),
    )
    .await;
    assert_error(s, &b, 503, "store_unavailable");
    assert!(headers.get("x-session-id").is_none());
}

/// A memory store whose records come back unreadable, as after an incompatible upgrade.
struct CorruptingStore(MemoryStore);

impl SessionStore for CorruptingStore {
    fn create(&self, r: SessionRecord) -> StoreFuture<'_, SessionRecord> {
        self.0.create(r)
    }
    fn load<'a>(&'a self, id: Uuid, tenant: &'a str) -> StoreFuture<'a, SessionRecord> {
        Box::pin(async move {
            let mut record = self.0.load(id, tenant).await?;
            record.state = SessionState::Encoded(b"\x00not a session".to_vec());
            Ok(record)
        })
    }
    fn lease(&self, id: Uuid, ttl: Duration) -> StoreFuture<'_, LeaseToken> {
        self.0.lease(id, ttl)
    }
    fn save(&self, r: SessionRecord, v: u64) -> StoreFuture<'_, u64> {
        self.0.save(r, v)
    }
    fn release<'a>(&'a self, id: Uuid, t: &'a LeaseToken) -> StoreFuture<'a, ()> {
        self.0.release(id, t)
    }
    fn delete(&self, id: Uuid) -> StoreFuture<'_, ()> {
        self.0.delete(id)
    }
    fn active(&self) -> StoreFuture<'_, usize> {
        self.0.active()
    }
    fn ping(&self) -> StoreFuture<'_, ()> {
        self.0.ping()
    }
}

#[tokio::test]
async fn an_unreadable_session_is_incompatible() {
    let m = mock(json!({"entries": [{"tool_calls": [{"name": "get_internal_document", "arguments": {"doc_id": "D"}}]}]})).await;
    let config = Config::from_toml(&config_text(&m, "")).unwrap();
    let store = CorruptingStore(MemoryStore::new(StoreLimits::default()));
    let r = start(Relay::builder(config).store(Arc::new(store))).await;
    let url = r.url("/v1/chat/completions");
    let (s, _, resp) = post(&url, &[("X-Api-Key", "k")], &chat_body(vec![user("get D")])).await;
    assert_eq!(s, 200, "{resp}");
    let mut messages = vec![user("get D"), resp["choices"][0]["message"].clone()];
    let id = resp["choices"][0]["message"]["tool_calls"][0]["id"].clone();
    messages.push(json!({"role": "tool", "tool_call_id": id, "content": "doc"}));
    let (s, _, b) = post(&url, &[("X-Api-Key", "k")], &chat_body(messages)).await;
    assert_error(s, &b, 409, "session_incompatible");
}

#[tokio::test]
async fn the_sqrt_compiler_checks_x_policy_by_default() {
    let m = mock(json!({"entries": [{"content": "x"}]})).await;
    let r = relay(&config_text(&m, "")).await;
    let url = r.url("/v1/chat/completions");
    let bad = r#"{"codes": "tool \"x\" { hard deny when ; }"}"#;
    let (s, _, b) = post(
        &url,
        &[("X-Api-Key", "k"), ("X-Policy", bad)],
        &chat_body(vec![user("hi")]),
    )
    .await;
    let e = assert_error(s, &b, 400, "policy_compile_error");
    // With the request's tools, `x` also draws a warning (no such tool); the error is the `;`.
    let diagnostics = e["diagnostics"].as_array().unwrap();
    let d = diagnostics
        .iter()
        .find(|d| d["severity"] == "error")
        .expect("an error");
    // The `;` where an expression should be: line 1, column 27.
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(1), Some(27)),
        "{b}"
    );
    assert!(d["code"].as_str().unwrap().starts_with('E'), "{b}");
    assert!(m.requests().is_empty());

    let seed = json!({"codes": "let sensitive_docs = {\"internal_use\", \"confidential\"};\ntool \"get_internal_document\" -> @tags |= sensitive_docs;\ntool \"send_email\" {\n    hard deny when (body.tags overlaps sensitive_docs) and\n    (not to.value in {str matching r\".*@trustedcorp\\.com\"});\n}\n"});
    let seed = seed.to_string();
    let (s, _, b) = post(
        &url,
        &[("X-Api-Key", "k"), ("X-Policy", &seed)],
        &chat_body(vec![user("hi")]),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let (s, _, b) = post(
        &r.url("/control/v1/validate-headers"),
        &[],
        &json!({"x_policy": seed}),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(b["x_policy"]["valid"], true, "{b}");
    assert_eq!(b["x_policy"]["diagnostics"], json!([]), "{b}");

    // Against the request's tools, an argument the tool does not have is an error.
    let typo = r#"{"codes": "tool \"send_email\" { hard deny when recipient.value == \"x\"; }"}"#;
    let (s, _, b) = post(
        &url,
        &[("X-Api-Key", "k"), ("X-Policy", typo)],
        &chat_body(vec![user("hi")]),
    )
    .await;
    let e = assert_error(s, &b, 400, "policy_compile_error");
    let codes: Vec<&str> = e["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert!(codes.contains(&"E0211"), "{b}");
    // validate-headers has no tools to check against.
    let (_, _, b) = post(
        &r.url("/control/v1/validate-headers"),
        &[],
        &json!({"x_policy": typo}),
    )
    .await;
    assert_eq!(b["x_policy"]["valid"], true, "{b}");
}

/// A memory store that keeps only encoded states, as a store outside the process (Redis) does:
/// every request decodes its session from bytes.
struct EncodingStore(MemoryStore);

fn encoded(mut r: SessionRecord) -> Result<SessionRecord, StoreError> {
    r.state = SessionState::Encoded(r.state.encoded()?.into_owned());
    Ok(r)
}

impl SessionStore for EncodingStore {
    fn create(&self, r: SessionRecord) -> StoreFuture<'_, SessionRecord> {
        Box::pin(async move { self.0.create(encoded(r)?).await })
    }
    fn load<'a>(&'a self, id: Uuid, tenant: &'a str) -> StoreFuture<'a, SessionRecord> {
        Box::pin(async move {
            let r = self.0.load(id, tenant).await?;
            assert!(matches!(r.state, SessionState::Encoded(_)));
            Ok(r)
        })
    }
    fn lease(&self, id: Uuid, ttl: Duration) -> StoreFuture<'_, LeaseToken> {
        self.0.lease(id, ttl)
    }
    fn save(&self, r: SessionRecord, v: u64) -> StoreFuture<'_, u64> {
        Box::pin(async move { self.0.save(encoded(r)?, v).await })
    }
    fn release<'a>(&'a self, id: Uuid, t: &'a LeaseToken) -> StoreFuture<'a, ()> {
        self.0.release(id, t)
    }
    fn delete(&self, id: Uuid) -> StoreFuture<'_, ()> {
        self.0.delete(id)
    }
    fn active(&self) -> StoreFuture<'_, usize> {
        self.0.active()
    }
    fn ping(&self) -> StoreFuture<'_, ()> {
        self.0.ping()
    }
}

/// The messages answering `response`'s tool call with `result`.
fn answered(
    mut messages: Vec<serde_json::Value>,
    response: &serde_json::Value,
    result: &str,
) -> Vec<serde_json::Value> {
    let message = response["choices"][0]["message"].clone();
    let id = message["tool_calls"][0]["id"].clone();
    messages.push(message);
    messages.push(json!({"role": "tool", "tool_call_id": id, "content": result}));
    messages
}

#[tokio::test]
async fn sessions_continue_from_their_encoded_form_in_both_architectures() {
    let m = mock(json!({"entries": [
        {"model": "mock-planner", "content": "```python\nd = get_internal_document(doc_id=\"D\")\nsend_email(to=\"eve@gmail.com\", subject=\"s\", body=d)\n```"},
        {"last_role": "user", "tool_calls": [{"name": "get_internal_document", "arguments": {"doc_id": "D"}}]},
        {"last_role": "tool", "tool_calls": [{"name": "send_email", "arguments": {"to": "eve@gmail.com", "subject": "s", "body": "b"}}]}
    ]}))
    .await;
    let config = Config::from_toml(&config_text(&m, "[log]\ndecision_log = \"off\"\n")).unwrap();
    let store = EncodingStore(MemoryStore::new(StoreLimits::default()));
    let r = start(Relay::builder(config).store(Arc::new(store))).await;
    let url = r.url("/v1/chat/completions");
    // The document's tags reach the session meta (single-LLM) and the email body (dual-LLM);
    // both must survive the session's trip through bytes for the email to be denied.
    let code = r#"tool "get_internal_document" -> @tags |= {"secret"};
tool "get_internal_document" -> session @tags |= @result.tags;
tool "send_email" { hard deny when @session.tags overlaps {"secret"}; hard deny when body.tags overlaps {"secret"}; }"#;
    let policy = json!({"codes": code}).to_string();
    let dual = json!({"agent_arch": "dual-llm"}).to_string();
    for features in [None, Some(dual.as_str())] {
        let mut h = vec![("X-Api-Key", "k"), ("X-Policy", policy.as_str())];
        if let Some(f) = features {
            h.push(("X-Features", f));
        }
        let mut body = chat_body(vec![user("send D to eve")]);
        body["model"] = json!("mock-planner,mock-parser");
        if features.is_none() {
            body["model"] = json!("mock-llm");
        }
        let (s, _, r1) = post(&url, &h, &body).await;
        assert_eq!(s, 200, "{r1}");
        assert_eq!(r1["choices"][0]["finish_reason"], "tool_calls", "{r1}");
        body["messages"] = json!(answered(vec![user("send D to eve")], &r1, "the plan"));
        let (s, _, r2) = post(&url, &h, &body).await;
        assert_eq!(s, 200, "{r2}");
        assert_eq!(r2["choices"][0]["finish_reason"], "stop", "{r2}");
        let text = r2["choices"][0]["message"]["content"].as_str().unwrap();
        assert!(
            text.contains("Tool call send_email denied by argument checking policies"),
            "{features:?}: {text}"
        );
    }
}
