//! Streams (protocol.md §8): a provider's server-sent events read into chunks and a whole
//! answer, and the relay's own chunks written out.

use axum::body::Bytes;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// Splits a server-sent-event byte stream into the `data` of each event.
#[derive(Debug, Default)]
pub struct SseParser {
    buf: Vec<u8>,
    data: Vec<String>,
}

impl SseParser {
    /// Feeds bytes; returns the data of every event they complete (`[DONE]` included).
    pub fn push(&mut self, bytes: &[u8]) -> Vec<String> {
        self.buf.extend_from_slice(bytes);
        let mut events = Vec::new();
        while let Some(end) = self.buf.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.buf.drain(..=end).collect();
            let line = String::from_utf8_lossy(&line);
            let line = line.trim_end_matches(['\n', '\r']);
            if line.is_empty() {
                if !self.data.is_empty() {
                    events.push(self.data.join("\n"));
                    self.data.clear();
                }
            } else if let Some(data) = line.strip_prefix("data:") {
                self.data
                    .push(data.strip_prefix(' ').unwrap_or(data).to_string());
            }
            // Comments (`: keep-alive`), `event:`, `id:` and `retry:` lines carry nothing here.
        }
        events
    }
}

/// A streamed answer put back together: content, tool calls (by index), finish reason, usage.
#[derive(Debug, Default)]
pub struct Accumulated {
    pub id: Option<Value>,
    pub created: Option<Value>,
    pub content: String,
    /// `(id, name, arguments)` per tool-call index.
    pub calls: Vec<(String, String, String)>,
    pub finish_reason: Option<String>,
    pub usage: Option<Value>,
}

impl Accumulated {
    /// Takes in one chunk; returns its content delta, which may go to the client at once.
    pub fn apply(&mut self, chunk: &Value) -> Option<String> {
        self.id.get_or_insert_with(|| chunk["id"].clone());
        self.created.get_or_insert_with(|| chunk["created"].clone());
        if let Some(usage) = chunk.get("usage").filter(|u| u.is_object()) {
            self.usage = Some(usage.clone());
        }
        let choice = chunk.pointer("/choices/0")?;
        if let Some(reason) = choice.get("finish_reason").and_then(Value::as_str) {
            self.finish_reason = Some(reason.to_string());
        }
        let delta = choice.get("delta")?;
        for call in delta
            .get("tool_calls")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let index = call.get("index").and_then(Value::as_u64).unwrap_or(0) as usize;
            // A provider cannot make the relay allocate without bound through the index.
            if index > self.calls.len() || index >= 128 {
                continue;
            }
            if index == self.calls.len() {
                self.calls.push(Default::default());
            }
            let slot = &mut self.calls[index];
            if let Some(id) = call.get("id").and_then(Value::as_str) {
                slot.0 = id.to_string();
            }
            if let Some(name) = call.pointer("/function/name").and_then(Value::as_str) {
                slot.1.push_str(name);
            }
            if let Some(args) = call.pointer("/function/arguments").and_then(Value::as_str) {
                slot.2.push_str(args);
            }
        }
        let text = delta.get("content").and_then(Value::as_str)?;
        self.content.push_str(text);
        (!text.is_empty()).then(|| text.to_string())
    }

    /// The answer as a non-streaming `chat.completion` would have been.
    pub fn into_answer(self, model: &str) -> Value {
        let mut message = json!({"role": "assistant",
            "content": if self.content.is_empty() { Value::Null } else { Value::String(self.content) }});
        if !self.calls.is_empty() {
            message["tool_calls"] = self
                .calls
                .into_iter()
                .map(|(id, name, arguments)| {
                    json!({"id": id, "type": "function", "function": {"name": name, "arguments": arguments}})
                })
                .collect();
        }
        json!({"id": self.id, "object": "chat.completion", "created": self.created, "model": model,
               "choices": [{"index": 0, "message": message,
                            "finish_reason": self.finish_reason.unwrap_or_else(|| "stop".into())}],
               "usage": self.usage})
    }
}

/// Writes the relay's chunks of one answer.
#[derive(Clone, Debug)]
pub struct ChunkWriter {
    pub id: Value,
    pub created: Value,
    pub model: String,
}

impl ChunkWriter {
    /// One `data:` event with a `chat.completion.chunk`.
    pub fn chunk(&self, delta: Value, finish_reason: Value) -> Bytes {
        self.event(&json!({"id": self.id, "object": "chat.completion.chunk", "created": self.created,
            "model": self.model, "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]}))
    }

    /// The closing `usage` chunk (no choices).
    pub fn usage(&self, usage: &Value) -> Bytes {
        self.event(
            &json!({"id": self.id, "object": "chat.completion.chunk", "created": self.created,
            "model": self.model, "choices": [], "usage": usage}),
        )
    }

    pub fn event(&self, value: &Value) -> Bytes {
        Bytes::from(format!("data: {value}\n\n"))
    }
}

pub const DONE: &str = "data: [DONE]\n\n";

/// A whole answer as a `text/event-stream` (protocol.md §8): a role delta, one chunk with all
/// the tool calls or the whole content, a `finish_reason` chunk, a `usage` chunk if asked for,
/// and `[DONE]`. Dual-LLM mode answers streams this way; single-LLM mode does when it cannot
/// pass deltas through.
pub fn whole_answer(answer: &Value, include_usage: bool) -> Response {
    let writer = ChunkWriter {
        id: answer.get("id").cloned().unwrap_or(Value::Null),
        created: answer.get("created").cloned().unwrap_or(Value::Null),
        model: answer
            .get("model")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
    };
    let message = answer.pointer("/choices/0/message");
    let finish = answer
        .pointer("/choices/0/finish_reason")
        .cloned()
        .unwrap_or_else(|| json!("stop"));
    let mut events = vec![writer.chunk(json!({"role": "assistant"}), Value::Null)];
    let calls = message
        .and_then(|m| m.get("tool_calls"))
        .and_then(Value::as_array)
        .filter(|c| !c.is_empty());
    if let Some(calls) = calls {
        events.push(writer.chunk(json!({"tool_calls": indexed(calls)}), Value::Null));
    } else if let Some(text) = message
        .and_then(|m| m.get("content"))
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
    {
        events.push(writer.chunk(json!({"content": text}), Value::Null));
    }
    events.push(writer.chunk(json!({}), finish));
    if include_usage {
        let usage = answer
            .get("usage")
            .filter(|u| u.is_object())
            .cloned()
            .unwrap_or_else(
                || json!({"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}),
            );
        events.push(writer.usage(&usage));
    }
    events.push(Bytes::from_static(DONE.as_bytes()));
    let body: Vec<u8> = events.concat();
    (
        [
            (axum::http::header::CONTENT_TYPE, "text/event-stream"),
            (axum::http::header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

/// Tool calls as stream deltas: each with its `index`, `id`, `type` and `function`.
pub fn indexed(calls: &[Value]) -> Vec<Value> {
    calls
        .iter()
        .enumerate()
        .map(|(i, c)| json!({"index": i, "id": c.get("id"), "type": "function", "function": c.get("function")}))
        .collect()
}

/// The relay's side of a streamed response body: what the request task sends.
pub struct Receiver(pub tokio::sync::mpsc::Receiver<Bytes>);

impl futures_core::Stream for Receiver {
    type Item = Result<Bytes, std::convert::Infallible>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.0.poll_recv(cx).map(|b| b.map(Ok))
    }
}
pub const KEEP_ALIVE: &str = ": keep-alive\n\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_split_across_pushes() {
        let mut p = SseParser::default();
        assert!(p.push(b"data: {\"a\"").is_empty());
        assert_eq!(
            p.push(b": 1}\r\n\r\n: keep-alive\n\ndata: [DONE]\n"),
            vec!["{\"a\": 1}"]
        );
        assert_eq!(p.push(b"\n"), vec!["[DONE]"]);
        assert_eq!(p.push(b"event: x\ndata: a\ndata: b\n\n"), vec!["a\nb"]);
    }

    #[test]
    fn deltas_accumulate() {
        let mut a = Accumulated::default();
        let c = |d: Value| json!({"id": "x", "created": 1, "choices": [{"index": 0, "delta": d, "finish_reason": null}]});
        assert_eq!(a.apply(&c(json!({"role": "assistant"}))), None);
        assert_eq!(
            a.apply(&c(json!({"content": "Hel"}))).as_deref(),
            Some("Hel")
        );
        assert_eq!(a.apply(&c(json!({"content": "lo"}))).as_deref(), Some("lo"));
        a.apply(&c(json!({"tool_calls": [{"index": 0, "id": "c1", "function": {"name": "f", "arguments": "{\"a\""}}]})));
        a.apply(&c(
            json!({"tool_calls": [{"index": 0, "function": {"arguments": ": 1}"}}]}),
        ));
        a.apply(&c(json!({"tool_calls": [{"index": 5, "id": "skipped"}]})));
        a.apply(&json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]}));
        a.apply(&json!({"choices": [], "usage": {"total_tokens": 3}}));
        let answer = a.into_answer("p,q");
        assert_eq!(answer["choices"][0]["message"]["content"], "Hello");
        assert_eq!(
            answer["choices"][0]["message"]["tool_calls"],
            json!([{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{\"a\": 1}"}}])
        );
        assert_eq!(answer["choices"][0]["finish_reason"], "tool_calls");
        assert_eq!(answer["usage"]["total_tokens"], 3);
        assert_eq!(answer["model"], "p,q");
    }
}
