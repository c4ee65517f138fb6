//! Streaming answers in single-LLM mode (protocol.md §8): content deltas pass through as the
//! provider sends them; tool-call deltas are held, checked when the provider finishes, and then
//! sent (or the denial text is).

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::super::error::{ApiError, ErrorCode};
use super::super::provider::MAX_ANSWER_BYTES;
use super::super::stream::{self, Accumulated, ChunkWriter, SseParser};
use super::check::{Step, check, proposed_calls};
use super::{Job, Lease, Pending, settle};

/// Whether the client asked for a `usage` chunk at the end of a stream.
pub(super) fn wants_usage(job: &Job) -> bool {
    job.request
        .body
        .get("stream_options")
        .and_then(|o| o.get("include_usage"))
        == Some(&Value::Bool(true))
}

/// Answers a streaming request: the response starts now, and a task forwards the provider's
/// content deltas as they come, then checks the tool calls, commits, and sends the rest.
pub(super) fn start_stream(
    job: Arc<Job>,
    upstream: reqwest::Response,
    pending: Pending,
    lease: Option<Lease>,
) -> Response {
    let (tx, rx) = tokio::sync::mpsc::channel(64);
    let session = pending.record.id;
    // The task owns the request from here: it commits even if the client goes away.
    tokio::spawn(stream_tail(job, upstream, tx, pending, lease));
    let mut response = (
        [
            (axum::http::header::CONTENT_TYPE, "text/event-stream"),
            (axum::http::header::CACHE_CONTROL, "no-cache"),
        ],
        axum::body::Body::from_stream(stream::Receiver(rx)),
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&session.to_string()) {
        response.headers_mut().insert("x-session-id", value);
    }
    response
}

async fn emit(tx: &tokio::sync::mpsc::Sender<Bytes>, bytes: Bytes) {
    // A client that went away does not stop the request: it still commits.
    let _ = tx.send(bytes).await;
}

/// The streaming request after its response started (protocol.md §8).
async fn stream_tail(
    job: Arc<Job>,
    mut upstream: reqwest::Response,
    tx: tokio::sync::mpsc::Sender<Bytes>,
    mut pending: Pending,
    lease: Option<Lease>,
) {
    let mut writer = ChunkWriter {
        id: Value::Null,
        created: Value::Null,
        model: job.request.models.echo(),
    };
    let mut parser = SseParser::default();
    let mut acc = Accumulated::default();
    let mut started = false;
    let mut keepalive = tokio::time::interval(Duration::from_secs(15));
    keepalive.tick().await;
    let name = job.provider.name.clone();
    let mut received = 0;
    let read: Result<(), ApiError> = 'read: loop {
        tokio::select! {
            chunk = upstream.chunk() => match chunk {
                Ok(Some(bytes)) => {
                    received += bytes.len();
                    if received > MAX_ANSWER_BYTES {
                        break 'read Err(ApiError::new(ErrorCode::ProviderError,
                            format!("provider {name}: the answer exceeds {MAX_ANSWER_BYTES} bytes")));
                    }
                    for data in parser.push(&bytes) {
                        if data == "[DONE]" {
                            break 'read Ok(());
                        }
                        let Ok(value) = serde_json::from_str::<Value>(&data) else {
                            break 'read Err(ApiError::new(ErrorCode::ProviderError,
                                format!("provider {name}: a stream event is not JSON")));
                        };
                        let delta = acc.apply(&value);
                        if !started {
                            writer.id = acc.id.clone().unwrap_or(Value::Null);
                            writer.created = acc.created.clone().unwrap_or(Value::Null);
                            emit(&tx, writer.chunk(json!({"role": "assistant"}), Value::Null)).await;
                            started = true;
                        }
                        if let Some(text) = delta {
                            emit(&tx, writer.chunk(json!({"content": text}), Value::Null)).await;
                        }
                    }
                }
                Ok(None) => break Ok(()),
                Err(e) => break Err(ApiError::new(ErrorCode::ProviderError,
                    format!("provider {name}: the stream broke: {}", e.without_url()))),
            },
            _ = keepalive.tick() => emit(&tx, Bytes::from_static(stream::KEEP_ALIVE.as_bytes())).await,
            () = tokio::time::sleep_until(job.deadline) => break Err(ApiError::new(
                ErrorCode::RequestTimeout, "the request took too long; the session is unchanged")),
        }
    };
    if !started {
        emit(&tx, writer.chunk(json!({"role": "assistant"}), Value::Null)).await;
    }
    let answer = acc.into_answer(&job.request.models.pllm);
    job.state
        .metrics
        .record_llm(&name, "single", read.as_ref().ok().map(|()| &answer));
    let events = match read {
        Ok(()) => finish_stream(&job, &writer, answer, &mut pending).await,
        Err(e) => Err(e),
    };
    // The lease goes before the last events, so the client's next request finds it free.
    if let Some(lease) = lease {
        lease.release().await;
    }
    match events {
        Ok(events) => {
            for event in events {
                emit(&tx, event).await;
            }
        }
        Err(e) => emit(&tx, writer.event(&e.body())).await,
    }
    emit(&tx, Bytes::from_static(stream::DONE.as_bytes())).await;
}

/// Checks the streamed answer's tool calls, commits, and returns the closing events: the
/// allowed tool calls or the denial text, the finish reason, and usage if asked for.
async fn finish_stream(
    job: &Job,
    writer: &ChunkWriter,
    answer: Value,
    p: &mut Pending,
) -> Result<Vec<Bytes>, ApiError> {
    let step = Step {
        session: p.record.id,
        turn: p.record.turn,
    };
    let proposed = proposed_calls(&answer, p.record.id)?;
    let denials: Vec<String> = proposed
        .iter()
        .filter_map(|call| check(job, &p.controls, call, &mut p.session.engine, step, 1).err())
        .collect();
    let (answer, _) = settle(job, p, answer, proposed, &denials).await?;
    let choice = &answer["choices"][0];
    let mut events = Vec::new();
    let calls = choice["message"]["tool_calls"]
        .as_array()
        .filter(|c| !c.is_empty());
    if let Some(calls) = calls {
        events.push(writer.chunk(json!({"tool_calls": stream::indexed(calls)}), Value::Null));
    } else if !denials.is_empty() {
        events.push(writer.chunk(
            json!({"content": choice["message"]["content"]}),
            Value::Null,
        ));
    }
    let mut finish = json!({"id": writer.id, "object": "chat.completion.chunk", "created": writer.created,
        "model": writer.model, "choices": [{"index": 0, "delta": {}, "finish_reason": choice["finish_reason"]}]});
    if p.mismatch {
        finish["message_history_mismatch_detected"] = Value::Bool(true);
    }
    events.push(writer.event(&finish));
    if wants_usage(job) {
        let usage = answer
            .get("usage")
            .filter(|u| u.is_object())
            .cloned()
            .unwrap_or_else(
                || json!({"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}),
            );
        events.push(writer.usage(&usage));
    }
    Ok(events)
}
