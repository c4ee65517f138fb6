//! Single-LLM mode (protocol.md §8): the client's history and tools go to one LLM, and every
//! call it proposes is checked before the client sees it.
//!
//! Allowed calls are returned under relay ids `tc-<session>-<call>`; the session maps them
//! back to the provider's ids when the history is forwarded again. If any call is denied, none
//! is returned: the answer is `stop` with the denial text.
//!
//! Stages: [`mod@self`] loads the session, runs the request and commits it; [`session`] finds
//! and leases it (both architectures); [`upstream`] turns the client's history into the
//! provider's; [`check`] turns the LLM's answer into checked calls; `streaming` does the same
//! for a streamed answer.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::checker::CheckerState;
use super::controls::{Controls, HistoryMismatchPolicy};
use super::error::{ApiError, ErrorCode};
use super::history;
use super::provider::Provider;
use super::request::{ChatRequest, role};
use super::server::RelayState;
use super::store::{LiveState, SessionRecord, SessionState};
use super::stream;

mod check;
pub mod session;
mod streaming;
mod upstream;

use check::{Proposed, Step, ask, bad_answer};
pub(crate) use session::{Lease, continued_controls, incompatible, resolve_session};
pub use session::{session_of_tool_call_id, tool_call_id};
use streaming::{start_stream, wants_usage};
use upstream::{check_history, upstream_body, upstream_messages};

/// What a single-LLM session stores beyond the record's fields. An in-process store keeps it
/// decoded; its encoded form is this struct as JSON.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct SingleState {
    /// `single-llm/1`; anything else is a session this relay cannot continue.
    format: String,
    /// The provider the session talks to: its call ids mean nothing to another one.
    provider: String,
    /// Every call issued, by relay id.
    calls: BTreeMap<String, IssuedCall>,
    /// The policy engine's state for this session (`ToolCallChecker`).
    engine: CheckerState,
    /// The visible transcript (`history::transcript`), with relay ids. Shared: a request
    /// replaces it whole, so copying a session never copies it.
    transcript: Arc<Vec<Value>>,
}

impl LiveState for SingleState {
    fn encode(&self) -> Result<Vec<u8>, String> {
        serde_json::to_vec(self).map_err(|e| e.to_string())
    }
}

/// A call returned to the client.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct IssuedCall {
    provider_id: String,
    tool: String,
    args: Map<String, Value>,
    /// What the LLM sees as the call's result, once the client has sent it.
    result: Option<String>,
}

const FORMAT: &str = "single-llm/1";

/// One request's work, run in its own task.
pub struct Job {
    pub state: Arc<RelayState>,
    pub tenant: String,
    pub provider: Provider,
    pub headers: HeaderMap,
    pub request: ChatRequest,
    pub controls: Controls,
    /// Names this request in the decision log.
    pub request_id: Uuid,
    /// Time spent waiting for the LLM, subtracted from the relay's overhead.
    pub llm_time: std::sync::Mutex<Duration>,
    /// When the request times out (`limits.request_timeout_s`).
    pub deadline: tokio::time::Instant,
}

/// Runs one single-LLM request end to end.
pub async fn run(job: &Arc<Job>) -> Result<Response, ApiError> {
    let key = job.provider.key(&job.headers, |v| (job.state.env)(v))?;
    let span = tracing::debug_span!("session.resolve");
    let existing = tracing::Instrument::instrument(resolve_session(job), span).await?;
    let mut lease = match &existing {
        Some(record) => Some(Lease::acquire(job, record).await?),
        None => None,
    };
    let result = step(job, key, existing, &mut lease).await;
    // A stream took the lease along, to release it once it has committed.
    if let Some(lease) = lease {
        lease.release().await;
    }
    result
}

/// Everything after the lease: forward, check, commit, answer.
async fn step(
    job: &Arc<Job>,
    key: super::provider::ProviderKey,
    existing: Option<SessionRecord>,
    lease: &mut Option<Lease>,
) -> Result<Response, ApiError> {
    let (mut record, mut session, controls) = match existing {
        Some(record) => {
            let session = record
                .state
                .read(|bytes| serde_json::from_slice::<SingleState>(bytes).ok())
                .ok_or_else(incompatible)?;
            if session.format != FORMAT {
                return Err(incompatible());
            }
            let controls = continued_controls(job, &record, &session.provider)?;
            (record, session, controls)
        }
        None => {
            let config = serde_json::to_value(&job.controls)
                .map_err(|e| ApiError::new(ErrorCode::InternalError, e.to_string()))?;
            let record = SessionRecord::new(job.tenant.clone(), config);
            let session = SingleState {
                format: FORMAT.into(),
                provider: job.provider.name.clone(),
                calls: BTreeMap::new(),
                engine: CheckerState::New,
                transcript: Arc::default(),
            };
            (record, session, job.controls.clone())
        }
    };
    let is_new = record.version == 0;
    let mut received = job.request.messages();
    let mismatch = !is_new && check_history(&session, received, &controls)?;
    // `restart_turn` (protocol.md §5): the turn restarts from the last user message, under the
    // same number and with the session meta kept; later messages are dropped.
    let restart = mismatch
        && controls.config.fsm.history_mismatch_policy == HistoryMismatchPolicy::RestartTurn;
    if restart {
        let last_user = received
            .iter()
            .rposition(|m| role(m) == "user")
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::InvalidRequest,
                    "messages: the history differs from the session's and holds no user message to restart the turn from",
                )
                .with_param("messages")
            })?;
        received = &received[..=last_user];
    }
    // `continue` (protocol.md §5): the stored transcript wins; what the request adds after its
    // last assistant message (results, user messages) follows it.
    let continued: Vec<Value>;
    if mismatch && controls.config.fsm.history_mismatch_policy == HistoryMismatchPolicy::Continue {
        let tail = received
            .iter()
            .rposition(|m| role(m) == "assistant")
            .map_or(0, |i| i + 1);
        continued = session
            .transcript
            .iter()
            .chain(&received[tail..])
            .cloned()
            .collect();
        received = &continued;
    }
    let messages = upstream_messages(job, &controls, received, record.id, &mut session)?;
    if is_new || (!restart && messages.last().is_some_and(|m| role(m) == "user")) {
        record.turn += 1;
    }

    let step = Step {
        session: record.id,
        turn: record.turn,
    };
    let mut pending = Pending {
        record,
        session,
        controls,
        is_new,
        transcript: history::transcript(received),
        mismatch,
    };
    if job.request.stream && !pending.controls.config.fsm.retry_on_policy_violation {
        let mut body = upstream_body(job, messages);
        body.insert("stream".into(), Value::Bool(true));
        body.insert("stream_options".into(), json!({"include_usage": true}));
        let span = tracing::info_span!("pllm.call", provider = %job.provider.name);
        let upstream = tracing::Instrument::instrument(
            job.provider.chat_stream(&key, &Value::Object(body)),
            span,
        )
        .await;
        let upstream = upstream.inspect_err(|_| {
            job.state
                .metrics
                .record_llm(&job.provider.name, "single", None);
        })?;
        return Ok(start_stream(job.clone(), upstream, pending, lease.take()));
    }
    let (answer, proposed, denials) = ask(
        job,
        &key,
        &pending.controls,
        messages,
        &mut pending.session.engine,
        step,
    )
    .await?;
    let (answer, session_id) = settle(job, &mut pending, answer, proposed, &denials).await?;

    let include_usage = wants_usage(job);
    let mut response = if job.request.stream {
        stream::whole_answer(&answer, include_usage)
    } else {
        axum::Json(answer).into_response()
    };
    if let Some(id) = session_id
        && let Ok(value) = HeaderValue::from_str(&id.to_string())
    {
        response.headers_mut().insert("x-session-id", value);
    }
    Ok(response)
}

/// A request's state between its history checks and its commit.
struct Pending {
    record: SessionRecord,
    session: SingleState,
    controls: Controls,
    is_new: bool,
    /// The visible transcript of the messages received (`history::transcript`).
    transcript: Vec<Value>,
    mismatch: bool,
}

/// Turns the checked answer into the client's (relay ids, or the denial text) and commits the
/// session: one compare-and-set, or a deletion (nothing for a new one) after a last turn.
/// Returns the answer and the session it names.
async fn settle(
    job: &Job,
    p: &mut Pending,
    mut answer: Value,
    proposed: Vec<Proposed>,
    denials: &[String],
) -> Result<(Value, Option<Uuid>), ApiError> {
    answer["model"] = Value::String(job.request.models.echo());
    if p.mismatch {
        answer["message_history_mismatch_detected"] = Value::Bool(true);
    }
    let mut transcript = std::mem::take(&mut p.transcript);
    let issued = denials.is_empty() && !proposed.is_empty();
    if !denials.is_empty() {
        answer["choices"] = json!([{"index": 0, "finish_reason": "stop",
            "message": {"role": "assistant", "content": denials.join("\n")}}]);
    } else if issued {
        let calls = answer
            .pointer_mut("/choices/0/message/tool_calls")
            .and_then(Value::as_array_mut)
            .ok_or_else(|| bad_answer(&job.provider, "tool_calls vanished"))?;
        for (call, proposal) in calls.iter_mut().zip(proposed) {
            let relay_id = proposal.relay_id;
            let issued = IssuedCall {
                provider_id: proposal.id,
                tool: proposal.name,
                args: proposal.args.unwrap_or_default(),
                result: None,
            };
            p.session.calls.insert(relay_id.clone(), issued);
            call["id"] = Value::String(relay_id);
        }
        if let Some(message) = answer.pointer("/choices/0/message") {
            transcript.push(message.clone());
        }
    }
    p.session.transcript = Arc::new(transcript);

    let record = &mut p.record;
    let last_turn = p
        .controls
        .config
        .fsm
        .max_n_turns
        .is_some_and(|max| record.turn >= max);
    let store = &job.state.store;
    // The answer names its session whenever one existed for the request, including the one
    // its final answer just ended.
    let session_id = if !issued && last_turn {
        if p.is_new {
            None
        } else {
            store.delete(record.id).await?;
            Some(record.id)
        }
    } else {
        record.state = SessionState::Decoded(Arc::new(std::mem::take(&mut p.session)));
        if p.is_new {
            store.create(record.clone()).await?;
        } else {
            let expected = record.version;
            store.save(record.clone(), expected).await?;
        }
        Some(record.id)
    };
    Ok((answer, session_id))
}
