//! Single-LLM mode (protocol.md §8): the client's history and tools go to one LLM, and every
//! call it proposes is checked before the client sees it.
//!
//! Allowed calls are returned under relay ids `tc-<session>-<call>`; the session maps them
//! back to the provider's ids when the history is forwarded again. If any call is denied, none
//! is returned: the answer is `stop` with the denial text.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::checker::{CallVerdict, CheckerState, ProposedCall};
use super::controls::{Controls, HistoryMismatchPolicy};
use super::decisions;
use super::error::{ApiError, ErrorCode};
use super::headers::HeaderTexts;
use super::history::{self, Continuation};
use super::metrics::{EngineLabel, ToolCallLabel, VerdictLabel};
use super::provider::Provider;
use super::request::{ChatRequest, content_text, role};
use super::server::RelayState;
use super::store::{LeaseToken, LiveState, SessionRecord, SessionState, SessionStore, StoreError};
use super::stream;

mod streaming;

use streaming::{start_stream, wants_usage};

/// The relay id of a call: `tc-<session uuid>-<call uuid>`.
pub fn tool_call_id(session: Uuid, call: Uuid) -> String {
    format!("tc-{session}-{call}")
}

/// The session of a relay call id (characters 3..39), if the id has that form.
pub fn session_of_tool_call_id(id: &str) -> Option<Uuid> {
    let session = id.strip_prefix("tc-")?.get(..36)?;
    let call = id.get(39..)?.strip_prefix('-')?;
    (call.len() == 36 && Uuid::try_parse(call).is_ok())
        .then(|| Uuid::try_parse(session).ok())
        .flatten()
}

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

/// A held session lease; released explicitly, or on drop if the request was cancelled.
pub(crate) struct Lease {
    pub(crate) store: Arc<dyn SessionStore>,
    pub(crate) id: Uuid,
    pub(crate) token: Option<LeaseToken>,
}

impl Lease {
    /// Takes the session's lease (409 `session_busy` when another request holds it). The lease
    /// must outlive the longest request, since it is not renewed; it is released as soon as the
    /// request ends, cancelled or not.
    pub(crate) async fn acquire(job: &Job, record: &SessionRecord) -> Result<Lease, ApiError> {
        let config = &job.state.config;
        let ttl =
            Duration::from_secs(config.limits.request_timeout_s + config.sessions.lease_ttl_s);
        match job.state.store.lease(record.id, ttl).await {
            Ok(token) => Ok(Lease {
                store: job.state.store.clone(),
                id: record.id,
                token: Some(token),
            }),
            Err(e) => {
                if e == StoreError::Busy {
                    job.state.metrics.session_conflicts.inc();
                }
                Err(e.into())
            }
        }
    }

    async fn release(mut self) {
        if let Some(token) = self.token.take() {
            let _ = self.store.release(self.id, &token).await;
        }
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let Some(token) = self.token.take()
            && let Ok(handle) = tokio::runtime::Handle::try_current()
        {
            let store = self.store.clone();
            let id = self.id;
            handle.spawn(async move {
                let _ = store.release(id, &token).await;
            });
        }
    }
}

/// Finds the request's session (protocol.md §5 "Resolution"); `None` starts a new one.
pub(crate) async fn resolve_session(job: &Job) -> Result<Option<SessionRecord>, ApiError> {
    let store = &job.state.store;
    if let Some(header) = job.headers.get("x-session-id") {
        let id = header
            .to_str()
            .ok()
            .and_then(|s| Uuid::try_parse(s.trim()).ok())
            .ok_or_else(|| {
                ApiError::new(ErrorCode::SessionNotFound, "session not found")
                    .with_param("X-Session-ID")
            })?;
        return Ok(Some(store.load(id, &job.tenant).await?));
    }
    let messages = job.request.messages();
    let Some((i, last_tool)) = messages
        .iter()
        .enumerate()
        .rev()
        .find(|(_, m)| role(m) == "tool")
    else {
        return Ok(None);
    };
    let id = last_tool
        .get("tool_call_id")
        .and_then(Value::as_str)
        .unwrap_or("");
    let param = format!("messages[{i}].tool_call_id");
    let session = session_of_tool_call_id(id).ok_or_else(|| {
        ApiError::new(
            ErrorCode::InvalidToolCallId,
            format!("{param}: {id:?} is not a relay tool call id (tc-<session>-<call>)"),
        )
        .with_param(param.clone())
    })?;
    match store.load(session, &job.tenant).await {
        Ok(record) => Ok(Some(record)),
        // The old session is gone but the client moved on: its messages are history.
        Err(StoreError::NotFound) if messages.last().is_some_and(|m| role(m) == "user") => Ok(None),
        Err(e) => Err(e.into()),
    }
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

/// The request as forwarded: the client's fields, the planner model, the given messages.
fn upstream_body(job: &Job, messages: Vec<Value>) -> Map<String, Value> {
    let mut body = Map::with_capacity(job.request.body.len());
    for (key, value) in &job.request.body {
        let value = match key.as_str() {
            "stream" | "stream_options" => continue,
            // Replaced below, in place: the client's messages are never copied here.
            "model" | "messages" => Value::Null,
            _ => value.clone(),
        };
        body.insert(key.clone(), value);
    }
    body.insert(
        "model".into(),
        Value::String(job.request.models.pllm.clone()),
    );
    body.insert("messages".into(), Value::Array(messages));
    body
}

/// Checks a continuation against the session's transcript. Returns whether it diverged
/// under a policy that tolerates it (`continue`: the caller forwards the stored transcript and
/// the request's additions after its last assistant message; `restart_turn`: the caller cuts
/// the history after the last user message).
fn check_history(
    session: &SingleState,
    received: &[Value],
    controls: &Controls,
) -> Result<bool, ApiError> {
    let issued: BTreeSet<String> = session.calls.keys().cloned().collect();
    match history::compare(&session.transcript, received, &issued) {
        Continuation::Extends { .. } => Ok(false),
        Continuation::UnknownCall { index, id } => {
            let param = format!("messages[{index}].tool_call_id");
            Err(ApiError::new(
                ErrorCode::UnknownToolCall,
                format!(
                    "{param}: {id:?} was never issued in this session, or was answered already"
                ),
            )
            .with_param(param))
        }
        Continuation::Diverges { at } => match controls.config.fsm.history_mismatch_policy {
            HistoryMismatchPolicy::Reject => Err(ApiError::new(
                ErrorCode::HistoryMismatch,
                format!(
                    "the messages differ from the session's transcript at compared message {at} (final answers are not compared); send the history as returned, or set fsm.history_mismatch_policy"
                ),
            )),
            HistoryMismatchPolicy::Continue | HistoryMismatchPolicy::RestartTurn => Ok(true),
        },
    }
}

/// Asks the LLM and checks the calls it proposes. With `retry_on_policy_violation`, a denied
/// step is answered with `denied by policy` results in a private copy of the history and asked
/// again, at most `max_pllm_failed_steps` times.
async fn ask(
    job: &Job,
    key: &super::provider::ProviderKey,
    controls: &Controls,
    messages: Vec<Value>,
    engine: &mut CheckerState,
    step: Step,
) -> Result<(Value, Vec<Proposed>, Vec<String>), ApiError> {
    let mut request = Value::Object(upstream_body(job, messages));
    let fsm = &controls.config.fsm;
    let mut retries_left = if fsm.retry_on_policy_violation {
        fsm.max_pllm_failed_steps
    } else {
        0
    };
    let mut attempt = 0;
    loop {
        attempt += 1;
        let span = tracing::info_span!("pllm.call", provider = %job.provider.name);
        let started = std::time::Instant::now();
        let answer = tracing::Instrument::instrument(job.provider.chat(key, &request), span).await;
        *job.llm_time.lock().unwrap_or_else(|p| p.into_inner()) += started.elapsed();
        job.state
            .metrics
            .record_llm(&job.provider.name, "single", answer.as_ref().ok());
        let answer = answer?;
        let proposed = proposed_calls(&answer, step.session)?;
        let verdicts: Vec<Result<(), String>> = proposed
            .iter()
            .map(|call| check(job, controls, call, engine, step, attempt))
            .collect();
        let denials: Vec<String> = verdicts.iter().filter_map(|v| v.clone().err()).collect();
        if denials.is_empty() || retries_left == 0 {
            return Ok((answer, proposed, denials));
        }
        retries_left -= 1;
        let Some(messages) = request.get_mut("messages").and_then(Value::as_array_mut) else {
            return Err(ApiError::new(
                ErrorCode::InternalError,
                "no messages to retry",
            ));
        };
        if let Some(message) = answer.pointer("/choices/0/message") {
            messages.push(message.clone());
        }
        for (call, verdict) in proposed.iter().zip(&verdicts) {
            let content = match verdict {
                Err(_) => "denied by policy",
                Ok(()) => "not run: another call of this step was denied by policy",
            };
            messages.push(json!({"role": "tool", "tool_call_id": call.id, "content": content}));
        }
    }
}

/// Where in a session a check happens, for the decision log.
#[derive(Clone, Copy, Debug)]
struct Step {
    session: Uuid,
    turn: u32,
}

/// The decision-log fields an engine's report may set.
const REPORT_FIELDS: [&str; 8] = [
    "verdict",
    "final_verdict",
    "fired",
    "n_allowed",
    "n_denied",
    "policy_hash",
    "engine",
    "args",
];

/// Checks one proposed call and logs the decision; `Err` is the denial text.
fn check(
    job: &Job,
    controls: &Controls,
    call: &Proposed,
    engine: &mut CheckerState,
    step: Step,
    attempt: u32,
) -> Result<(), String> {
    let started = std::time::Instant::now();
    let verdict = match &call.args {
        Some(args) => {
            let proposed = ProposedCall {
                controls,
                id: &call.relay_id,
                tool: &call.name,
                args,
            };
            tracing::info_span!("policy.check", tool = %call.name)
                .in_scope(|| job.state.checker.check(&proposed, engine))
        }
        None => CallVerdict::deny(format!(
            "Tool call {} denied: its arguments are not a JSON object.",
            call.name
        )),
    };
    let duration_ns = started.elapsed().as_nanos() as u64;
    let (outcome, vote) = if verdict.allowed {
        ("allowed", "allow")
    } else {
        ("denied", "deny")
    };
    let metrics = &job.state.metrics;
    if let Some(engine) = verdict.report.get("engine").and_then(Value::as_str) {
        metrics
            .policy_check_duration
            .get_or_create(&EngineLabel {
                engine: engine.into(),
            })
            .observe(duration_ns as f64 * 1e-9);
    }
    metrics
        .policy_checks
        .get_or_create(&VerdictLabel {
            verdict: vote.into(),
        })
        .inc();
    metrics
        .tool_calls
        .get_or_create(&ToolCallLabel {
            kind: "external".into(),
            outcome: outcome.into(),
        })
        .inc();
    let decisions = &job.state.decisions;
    let mut line = json!({
        "ts": decisions::now_ms(), "decision_id": Uuid::new_v4().to_string(),
        "request_id": job.request_id.to_string(),
        "tenant": job.tenant, "session": step.session.to_string(), "turn": step.turn, "attempt": attempt,
        "tool_call_id": call.relay_id, "tool": call.name, "verdict": vote,
        "final_verdict": null, "fired": [], "n_allowed": null, "n_denied": null,
        "policy_hash": null, "engine": null, "duration_ns": duration_ns,
        "args": call.args.as_ref().map_or_else(|| json!({}), |a| decisions.args(a)),
    });
    if let Value::Object(fields) = &mut line {
        for (key, value) in verdict.report {
            if key == "args" {
                // The engine's metas, the relay's values (if logged).
                if let (Value::Object(metas), Some(Value::Object(args))) =
                    (value, fields.get_mut("args"))
                {
                    for (name, entry) in metas {
                        if let (Some(Value::Object(arg)), Some(meta)) =
                            (args.get_mut(&name), entry.get("meta"))
                        {
                            arg.insert("meta".into(), meta.clone());
                        }
                    }
                }
            } else if REPORT_FIELDS.contains(&key.as_str()) {
                fields.insert(key, value);
            }
        }
    }
    decisions.record(&line);
    if verdict.allowed {
        Ok(())
    } else {
        Err(verdict
            .denial_text
            .unwrap_or_else(|| format!("Tool call {} denied by policy.", call.name)))
    }
}

/// The controls a stored session continues under: the ones it was created with, on the same
/// provider, continued by this request's headers (protocol.md §5). Shared by both architectures.
pub(crate) fn continued_controls(
    job: &Job,
    record: &SessionRecord,
    session_provider: &str,
) -> Result<Controls, ApiError> {
    let stored = Controls::deserialize(&record.config).map_err(|_| incompatible())?;
    if session_provider != job.provider.name {
        return Err(ApiError::new(
            ErrorCode::ConfigMismatch,
            format!(
                "the session uses provider {session_provider:?}, not {:?}; the configuration is fixed when the session is created",
                job.provider.name
            ),
        ));
    }
    stored
        .continue_with(&job.controls, &HeaderTexts::from_headers(&job.headers))
        .map_err(|m| {
            ApiError::new(
                ErrorCode::ConfigMismatch,
                format!("{m}; the configuration is fixed when the session is created"),
            )
        })
}

pub(crate) fn incompatible() -> ApiError {
    ApiError::new(
        ErrorCode::SessionIncompatible,
        "the session was stored in a format this relay cannot read",
    )
}

fn bad_answer(provider: &Provider, what: &str) -> ApiError {
    ApiError::new(
        ErrorCode::ProviderError,
        format!("provider {}: unusable answer: {what}", provider.name),
    )
}

/// The history as the provider knows it: relay call ids of this session mapped back to the
/// provider's ids, and results replaced by what the checker made of them (computed once, on
/// the request that first brings a result). A result for a call this session never issued is
/// refused.
fn upstream_messages(
    job: &Job,
    controls: &Controls,
    messages: &[Value],
    session_id: Uuid,
    session: &mut SingleState,
) -> Result<Vec<Value>, ApiError> {
    let SingleState { calls, engine, .. } = session;
    let mut out = messages.to_vec();
    for (i, m) in out.iter_mut().enumerate() {
        if role(m) == "tool"
            && let Some(id) = m.get("tool_call_id").and_then(Value::as_str)
            && session_of_tool_call_id(id) == Some(session_id)
        {
            let Some(call) = calls.get_mut(id) else {
                let param = format!("messages[{i}].tool_call_id");
                return Err(ApiError::new(
                    ErrorCode::UnknownToolCall,
                    format!("{param}: {id:?} was never issued in this session"),
                )
                .with_param(param));
            };
            let result = match &call.result {
                Some(result) => result.clone(),
                None => {
                    let text = content_text(m.get("content"));
                    let proposed = ProposedCall {
                        controls,
                        id,
                        tool: &call.tool,
                        args: &call.args,
                    };
                    let result = job
                        .state
                        .checker
                        .on_result(&proposed, &text, engine)
                        .map_err(|e| {
                            let param = format!("messages[{i}].content");
                            ApiError::new(ErrorCode::InvalidToolResult, format!("{param}: {e}"))
                                .with_param(param)
                        })?;
                    call.result = Some(result.clone());
                    result
                }
            };
            m["content"] = Value::String(result);
            m["tool_call_id"] = Value::String(call.provider_id.clone());
        }
        if let Some(tool_calls) = m.get_mut("tool_calls").and_then(Value::as_array_mut) {
            for call in tool_calls {
                if let Some(issued) = call
                    .get("id")
                    .and_then(Value::as_str)
                    .and_then(|id| calls.get(id))
                {
                    call["id"] = Value::String(issued.provider_id.clone());
                }
            }
        }
    }
    Ok(out)
}

struct Proposed {
    /// The provider's id of the call.
    id: String,
    /// The id the client gets if the call is returned (logged either way).
    relay_id: String,
    name: String,
    /// `None` when the arguments are not a JSON object.
    args: Option<Map<String, Value>>,
}

/// The calls the LLM proposes in `choices[0].message.tool_calls`.
fn proposed_calls(answer: &Value, session: Uuid) -> Result<Vec<Proposed>, ApiError> {
    let Some(message) = answer.pointer("/choices/0/message") else {
        return Err(ApiError::new(
            ErrorCode::ProviderError,
            "the provider's answer has no choices[0].message",
        ));
    };
    let Some(calls) = message.get("tool_calls").filter(|c| !c.is_null()) else {
        return Ok(Vec::new());
    };
    let Some(calls) = calls.as_array() else {
        return Err(ApiError::new(
            ErrorCode::ProviderError,
            "the provider's tool_calls is not an array",
        ));
    };
    Ok(calls
        .iter()
        .map(|c| Proposed {
            id: c
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            relay_id: tool_call_id(session, Uuid::new_v4()),
            name: c
                .pointer("/function/name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            args: c
                .pointer("/function/arguments")
                .and_then(Value::as_str)
                .and_then(|a| serde_json::from_str::<Value>(a).ok())
                .and_then(|v| match v {
                    Value::Object(m) => Some(m),
                    _ => None,
                }),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_call_ids_round_trip() {
        let s = Uuid::new_v4();
        let id = tool_call_id(s, Uuid::new_v4());
        assert_eq!(id.len(), 76);
        assert_eq!(session_of_tool_call_id(&id), Some(s));
        assert_eq!(&id[3..39], s.to_string());
        for bad in [
            "call_1",
            "tc-",
            "tc-123",
            &id[..75],
            &format!("{id}x"),
            &id.replacen('-', "_", 1),
        ] {
            assert_eq!(session_of_tool_call_id(bad), None, "{bad}");
        }
    }
}
