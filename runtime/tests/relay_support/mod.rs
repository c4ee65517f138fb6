//! Shared helpers of the relay tests: a mock provider and a relay on loopback.
#![allow(dead_code)]

use std::net::SocketAddr;

use serde_json::{Value, json};
use sqrt_runtime::relay::{Config, MockServer, Relay, RunningRelay, Script};

pub const KEY_A: &str = "relay-key-alpha";
pub const KEY_B: &str = "relay-key-beta";

pub async fn mock(script: Value) -> MockServer {
    let script = Script::parse(&script.to_string()).expect("valid script");
    MockServer::start(script).await.expect("mock starts")
}

/// A `sqrt.toml` whose default provider `mock` points at `mock`, with fast retries.
pub fn config_text(mock: &MockServer, extra: &str) -> String {
    format!(
        "default_provider = \"mock\"\n{extra}\n[providers.mock]\nbase_url = \"{}\"\nretry_backoff_ms = 1\nretry_backoff_max_ms = 20\n",
        mock.base_url()
    )
}

/// Tenants `alpha` and `beta` with keys `KEY_A` and `KEY_B`.
pub fn keys() -> String {
    format!(
        "[[keys]]\nid = \"alpha\"\nsha256 = \"{}\"\n\n[[keys]]\nid = \"beta\"\nenv = \"BETA_KEY\"\n",
        sqrt_runtime::relay::auth::key_digest_hex(KEY_A)
    )
}

pub async fn relay(config: &str) -> RunningRelay {
    let config = Config::from_toml(config).expect("valid config");
    Relay::builder(config)
        .env(|name| (name == "BETA_KEY").then(|| KEY_B.to_string()))
        .build()
        .expect("relay builds")
        .start(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("relay starts")
}

/// The relay's `/metrics` page (Prometheus text).
pub async fn metrics(relay: &RunningRelay) -> String {
    client()
        .get(relay.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

pub fn client() -> reqwest::Client {
    reqwest::Client::new()
}

pub fn user(text: &str) -> Value {
    json!({"role": "user", "content": text})
}

pub fn chat_body(messages: Vec<Value>) -> Value {
    json!({"model": "mock-llm", "messages": messages, "tools": seed_tools()})
}

pub fn seed_tools() -> Value {
    json!([
        {"type": "function", "function": {"name": "get_internal_document", "description": "Fetch a document",
            "parameters": {"type": "object", "properties": {"doc_id": {"type": "string"}}, "required": ["doc_id"]}}},
        {"type": "function", "function": {"name": "send_email", "description": "Send an email",
            "parameters": {"type": "object", "properties": {"to": {"type": "string"}, "subject": {"type": "string"}, "body": {"type": "string"}},
                "required": ["to", "subject", "body"]}}}
    ])
}

/// Posts JSON and returns status, headers and the JSON body (Null if the body is not JSON).
pub async fn post(
    url: &str,
    headers: &[(&str, &str)],
    body: &Value,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut req = client().post(url).json(body);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.send().await.expect("request sent");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.expect("body read");
    (
        status,
        headers,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

/// Asserts the §11 error shape and returns the error object.
pub fn assert_error(status: u16, body: &Value, want_status: u16, want_code: &str) -> Value {
    assert_eq!(status, want_status, "body: {body}");
    let error = &body["error"];
    assert_eq!(error["code"], want_code, "body: {body}");
    assert!(error["message"].is_string(), "body: {body}");
    assert!(error["type"].is_string(), "body: {body}");
    assert!(error.get("param").is_some(), "param missing: {body}");
    assert_eq!(body["detail"], error["message"], "body: {body}");
    error.clone()
}
