//! The scripted OpenAI-compatible provider (protocol.md §9): an axum server on loopback that
//! answers `POST /chat/completions` from a script, so tests, `sqrtc demo` and `sqrtc
//! mock-llm` exercise the relay's real HTTP path without any LLM account.
//!
//! Script: `{"entries": [...]}`. The first entry whose match keys all hold and that still has
//! `times` left replies; with no such entry the answer is 500. `GET /_mock/requests` lists
//! every request received, in order.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::headers::typed;
use super::request::{content_text, role};

/// A mock script.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Script {
    pub entries: Vec<ScriptEntry>,
}

/// One scripted reply and the requests it answers.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptEntry {
    // Match keys: all given ones must hold.
    /// The request's `model` equals this.
    pub model: Option<String>,
    /// Some `user` message's text contains this.
    pub user_contains: Option<String>,
    /// Some `system` or `developer` message's text contains this.
    pub system_contains: Option<String>,
    /// The last message has this role.
    pub last_role: Option<String>,
    /// The last message's text contains this.
    pub last_contains: Option<String>,
    /// How many requests this entry answers; absent = any number.
    pub times: Option<u32>,
    // Reply keys.
    pub content: Option<String>,
    pub tool_calls: Option<Vec<MockToolCall>>,
    pub finish_reason: Option<String>,
    pub usage: Option<Value>,
    /// Waits this long before answering.
    pub delay_ms: Option<u64>,
    /// Answers with this HTTP status and `body` instead of a completion.
    pub status: Option<u16>,
    pub body: Option<Value>,
}

/// A scripted tool call; `arguments` is sent as given if a string, else as its JSON text.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MockToolCall {
    pub name: String,
    #[serde(default = "empty_object")]
    pub arguments: Value,
}

fn empty_object() -> Value {
    json!({})
}

impl Script {
    /// Parses a script, naming the offending field on error (`entries[1].status: ...`).
    pub fn parse(text: &str) -> Result<Script, String> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| format!("Invalid JSON in the script: {e}"))?;
        let script: Script = typed("script", value)?;
        for (i, entry) in script.entries.iter().enumerate() {
            if let Some(status) = entry.status
                && !(100..=599).contains(&status)
            {
                return Err(format!(
                    "script.entries[{i}].status: {status} is not an HTTP status"
                ));
            }
            if entry.status.is_some() && (entry.content.is_some() || entry.tool_calls.is_some()) {
                return Err(format!(
                    "script.entries[{i}]: `status` replies with `body`, not with content or tool_calls"
                ));
            }
        }
        Ok(script)
    }
}

impl ScriptEntry {
    fn matches(&self, request: &Value) -> bool {
        let messages: &[Value] = request
            .get("messages")
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice);
        let any_with = |roles: &[&str], needle: &str| {
            messages.iter().any(|m| {
                roles.contains(&role(m)) && content_text(m.get("content")).contains(needle)
            })
        };
        let last = messages.last();
        self.model
            .as_ref()
            .is_none_or(|m| request.get("model").and_then(Value::as_str) == Some(m))
            && self
                .user_contains
                .as_ref()
                .is_none_or(|n| any_with(&["user"], n))
            && self
                .system_contains
                .as_ref()
                .is_none_or(|n| any_with(&["system", "developer"], n))
            && self
                .last_role
                .as_ref()
                .is_none_or(|r| last.is_some_and(|m| role(m) == r))
            && self.last_contains.as_ref().is_none_or(|n| {
                last.is_some_and(|m| content_text(m.get("content")).contains(n.as_str()))
            })
    }

    fn reply(&self, request: &Value, serial: usize) -> Response {
        if let Some(status) = self.status {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let body = self
                .body
                .clone()
                .unwrap_or_else(|| json!({"error": {"message": "scripted mock error"}}));
            return (status, axum::Json(body)).into_response();
        }
        let tool_calls: Option<Vec<Value>> = self.tool_calls.as_ref().map(|calls| {
            calls
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let arguments = match &c.arguments {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    json!({"id": format!("call_{serial}_{i}"), "type": "function",
                           "function": {"name": c.name, "arguments": arguments}})
                })
                .collect()
        });
        let mut message = json!({"role": "assistant", "content": self.content});
        let finish = match (&self.finish_reason, &tool_calls) {
            (Some(f), _) => f.clone(),
            (None, Some(_)) => "tool_calls".into(),
            (None, None) => "stop".into(),
        };
        if let Some(calls) = tool_calls {
            message["tool_calls"] = Value::Array(calls);
        }
        let usage = self.usage.clone().unwrap_or_else(
            || json!({"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}),
        );
        let answer = json!({
            "id": format!("mockcmpl-{serial}"),
            "object": "chat.completion",
            "created": 1767225600,
            "model": request.get("model").cloned().unwrap_or(Value::Null),
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": usage,
        });
        if request.get("stream") == Some(&Value::Bool(true)) {
            let include_usage =
                request.pointer("/stream_options/include_usage") == Some(&json!(true));
            return stream(&answer, include_usage);
        }
        axum::Json(answer).into_response()
    }
}

/// A whole answer as the server-sent events of a streaming provider: a role delta, the
/// content word by word, each tool call as a head (id, name) and its arguments in two
/// halves, the finish reason, usage if asked for, and `[DONE]`.
fn stream(answer: &Value, include_usage: bool) -> Response {
    let chunk = |choices: Value| {
        json!({"id": answer["id"], "object": "chat.completion.chunk", "created": answer["created"],
               "model": answer["model"], "choices": choices})
    };
    let delta = |d: Value| chunk(json!([{"index": 0, "delta": d, "finish_reason": null}]));
    let message = &answer["choices"][0]["message"];
    let mut events = vec![delta(json!({"role": "assistant"}))];
    if let Some(content) = message["content"].as_str() {
        for word in content.split_inclusive(' ') {
            events.push(delta(json!({"content": word})));
        }
    }
    for (i, call) in message["tool_calls"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        events.push(delta(
            json!({"tool_calls": [{"index": i, "id": call["id"], "type": "function",
            "function": {"name": call["function"]["name"], "arguments": ""}}]}),
        ));
        let arguments = call["function"]["arguments"].as_str().unwrap_or("");
        let half = arguments
            .char_indices()
            .nth(arguments.chars().count() / 2)
            .map_or(0, |(i, _)| i);
        for part in [&arguments[..half], &arguments[half..]] {
            events.push(delta(
                json!({"tool_calls": [{"index": i, "function": {"arguments": part}}]}),
            ));
        }
    }
    events.push(chunk(
        json!([{"index": 0, "delta": {}, "finish_reason": answer["choices"][0]["finish_reason"]}]),
    ));
    if include_usage {
        let mut usage = chunk(json!([]));
        usage["usage"] = answer["usage"].clone();
        events.push(usage);
    }
    let mut body: String = events.iter().map(|e| format!("data: {e}\n\n")).collect();
    body.push_str("data: [DONE]\n\n");
    ([(header::CONTENT_TYPE, "text/event-stream")], body).into_response()
}

struct MockState {
    entries: Vec<ScriptEntry>,
    inner: Mutex<MockLog>,
}

struct MockLog {
    remaining: Vec<Option<u32>>,
    requests: Vec<Value>,
}

/// The mock's routes, for embedding in another server.
fn router(state: Arc<MockState>) -> Router {
    Router::new()
        .route("/chat/completions", post(complete))
        .route("/v1/chat/completions", post(complete))
        .route("/_mock/requests", get(list_requests))
        .with_state(state)
}

async fn complete(
    State(state): State<Arc<MockState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                axum::Json(json!({"error": {"message": format!("mock: invalid JSON: {e}")}})),
            )
                .into_response();
        }
    };
    let chosen = {
        let mut log = state.inner.lock().unwrap_or_else(|p| p.into_inner());
        log.requests.push(json!({
            "model": request.get("model").cloned().unwrap_or(Value::Null),
            "messages": request.get("messages").cloned().unwrap_or(Value::Null),
            "authorization": headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()),
            "body": request,
        }));
        let serial = log.requests.len();
        let found = state
            .entries
            .iter()
            .enumerate()
            .find(|(i, e)| log.remaining[*i].is_none_or(|n| n > 0) && e.matches(&request));
        found.map(|(i, e)| {
            if let Some(n) = &mut log.remaining[i] {
                *n -= 1;
            }
            (e.clone(), serial)
        })
    };
    match chosen {
        Some((entry, serial)) => {
            if let Some(ms) = entry.delay_ms {
                tokio::time::sleep(Duration::from_millis(ms)).await;
            }
            entry.reply(&request, serial)
        }
        None => (
            StatusCode::INTERNAL_SERVER_ERROR,
            axum::Json(json!({"error": {"message": "mock: no script entry matches this request"}})),
        )
            .into_response(),
    }
}

async fn list_requests(State(state): State<Arc<MockState>>) -> Response {
    let log = state.inner.lock().unwrap_or_else(|p| p.into_inner());
    axum::Json(Value::Array(log.requests.clone())).into_response()
}

/// A running mock provider. Dropping it stops the server.
pub struct MockServer {
    addr: SocketAddr,
    state: Arc<MockState>,
    task: JoinHandle<()>,
}

impl MockServer {
    /// Starts the mock on `127.0.0.1` at a free port.
    pub async fn start(script: Script) -> std::io::Result<MockServer> {
        MockServer::bind(script, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts the mock on `addr`.
    pub async fn bind(script: Script, addr: SocketAddr) -> std::io::Result<MockServer> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(MockState {
            inner: Mutex::new(MockLog {
                remaining: script.entries.iter().map(|e| e.times).collect(),
                requests: Vec::new(),
            }),
            entries: script.entries,
        });
        let app = router(state.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(MockServer { addr, state, task })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The `base_url` of a provider entry pointing here.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The requests received so far, as `GET /_mock/requests` lists them.
    pub fn requests(&self) -> Vec<Value> {
        let log = self.state.inner.lock().unwrap_or_else(|p| p.into_inner());
        log.requests.clone()
    }

    /// Serves until the process ends (for `sqrtc mock-llm`).
    pub async fn wait(mut self) {
        let _ = (&mut self.task).await;
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_errors_name_the_field() {
        let e = Script::parse(r#"{"entries": [{"contents": "x"}]}"#).unwrap_err();
        assert_eq!(e, "script.entries[0].contents: unknown field");
        let e = Script::parse(r#"{"entries": [{}, {"status": 42}]}"#).unwrap_err();
        assert!(e.starts_with("script.entries[1].status"), "{e}");
        let e = Script::parse(r#"{"entries": [{"status": 500, "content": "x"}]}"#).unwrap_err();
        assert!(e.starts_with("script.entries[0]:"), "{e}");
        assert!(Script::parse("[").unwrap_err().starts_with("Invalid JSON"));
    }

    #[test]
    fn match_keys() {
        let req = json!({"model": "m", "messages": [
            {"role": "system", "content": "be terse"},
            {"role": "user", "content": [{"type": "text", "text": "hello "}, {"type": "text", "text": "world"}]},
            {"role": "tool", "tool_call_id": "t", "content": "result 42"}]});
        let entry = |v: Value| -> ScriptEntry { serde_json::from_value(v).unwrap() };
        assert!(entry(json!({})).matches(&req));
        assert!(entry(json!({"model": "m", "user_contains": "hello world"})).matches(&req));
        assert!(
            entry(json!({"system_contains": "terse", "last_role": "tool", "last_contains": "42"}))
                .matches(&req)
        );
        assert!(!entry(json!({"model": "n"})).matches(&req));
        assert!(!entry(json!({"user_contains": "terse"})).matches(&req));
        assert!(!entry(json!({"last_role": "user"})).matches(&req));
        assert!(!entry(json!({"last_contains": "hello"})).matches(&req));
    }
}
