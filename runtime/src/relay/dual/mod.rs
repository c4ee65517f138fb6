//! Dual-LLM mode (protocol.md §6): the planner LLM writes a program, the engine runs it with
//! the policy checked before every call, allowed external calls go to the client as
//! `tool_calls`, and the client's tool message resumes the program.
//!
//! A request runs on the runtime's worker like any other: its awaits (session store, planner
//! and parser calls) happen with no VM alive, since the VM holds reference-counted values (not
//! `Send`). The work in between is a synchronous run from the stored session to the answer;
//! a run that needs an LLM reply stops, the request makes the call, and the next run replays
//! the replies ([`replay`]). A program started on the worker gets an instruction slice; one
//! that needs more moves the request's runs to a blocking thread ([`slice`]). Between requests
//! the session stays parked in the [`SessionStore`](super::store::SessionStore) (or is its
//! bytes, `engine::Session::to_bytes`).
//!
//! Stages: [`mod@self`] resolves, leases, loads and commits the session; [`turn`] plans and
//! runs programs; [`replay`] makes the LLM calls between runs; [`slice`] decides where a run
//! runs; [`answer`] builds what the client sees.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::controls::{Controls, HistoryMismatchPolicy, PolicyMode};
use super::error::{ApiError, ErrorCode};
use super::history::{self, Continuation};
use super::policies;
use super::provider::ProviderKey;
use super::request::role;
use super::single::{Job, Lease, continued_controls, incompatible, resolve_session};
use super::store::{LiveState, SessionRecord, SessionState};
use super::stream;
use crate::engine::{Engine, EngineConfig, ParkedSession, Session, branching_of};

pub mod answer;
mod replay;
mod slice;
mod turn;

use replay::{Applied, Effects, Replay, Replies, Stop};
use slice::Run;
use turn::{Outcome as TurnOutcome, Turn, TurnState};

/// `dual-llm/1`; anything else is a session this relay cannot continue.
const FORMAT: &str = "dual-llm/1";

/// What a dual-LLM session stores in its record. An in-process store keeps it decoded; its
/// encoded form is this struct as JSON.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct DualState {
    format: String,
    /// The provider the session talks to.
    provider: String,
    /// The engine session.
    engine: EngineState,
    /// The visible transcript (`history::transcript`), with the returned tool-call messages.
    /// Shared: a request replaces it whole, so copying a session never copies it.
    transcript: Arc<Vec<Value>>,
    /// Every call id returned to the client.
    issued: BTreeSet<String>,
    /// The planner's own transcript: user messages, programs, feedback.
    planner: Vec<Value>,
    /// The turn in progress while a call is out with the client.
    turn: Option<TurnState>,
}

/// The engine session of a dual-LLM session: parked while the session is in memory, else its
/// bytes (`engine::Session::to_bytes`; none before the first program). Stored as those bytes.
#[derive(Clone, Debug, Default)]
enum EngineState {
    #[default]
    New,
    Parked(Arc<ParkedSession>),
    Bytes(Vec<u8>),
}

impl Serialize for EngineState {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            EngineState::New => s.serialize_bytes(&[]),
            EngineState::Parked(parked) => s.serialize_bytes(
                &parked
                    .to_bytes()
                    .map_err(|e| serde::ser::Error::custom(e.0))?,
            ),
            EngineState::Bytes(bytes) => s.serialize_bytes(bytes),
        }
    }
}

impl<'de> Deserialize<'de> for EngineState {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let bytes = Vec::<u8>::deserialize(d)?;
        Ok(if bytes.is_empty() {
            EngineState::New
        } else {
            EngineState::Bytes(bytes)
        })
    }
}

impl LiveState for DualState {
    fn encode(&self) -> Result<Vec<u8>, String> {
        serde_json::to_vec(self).map_err(|e| e.to_string())
    }
}

/// Runs one dual-LLM request end to end (after auth, body and header validation).
pub async fn run(job: Arc<Job>) -> Result<Response, ApiError> {
    let key = job.provider.key(&job.headers, |v| (job.state.env)(v))?;
    let span = tracing::debug_span!("session.resolve");
    let existing = tracing::Instrument::instrument(resolve_session(&job), span).await?;
    let lease = match &existing {
        Some(record) => Some(Lease::acquire(&job, record).await?),
        None => None,
    };
    let result = answer(&job, &key, existing.as_ref()).await;
    if let Some(lease) = lease {
        lease.release().await;
    }
    result
}

/// Runs the request until a run answers it, making the LLM calls the runs ask for, then
/// commits.
async fn answer(
    job: &Arc<Job>,
    key: &ProviderKey,
    existing: Option<&SessionRecord>,
) -> Result<Response, ApiError> {
    // One clock for every run: a replay must see what the first run saw.
    let clock_micros = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64);
    let budget = job.state.config.limits.vm_max_instructions;
    let mut replies = Replies::default();
    let mut applied = Applied::new(&job.state);
    let mut next = Run::first(budget);
    loop {
        let (result, effects) = if next == Run::OffWorker {
            let (job, existing) = (Arc::clone(job), existing.cloned());
            let (result, effects, back) = slice::off_worker(move || {
                let mut effects = Effects::default();
                let result = step(
                    &job,
                    existing.as_ref(),
                    clock_micros,
                    budget,
                    &replies.replay(),
                    &mut effects,
                );
                (result, effects, replies)
            })
            .await?;
            replies = back;
            (result, effects)
        } else {
            let mut effects = Effects::default();
            let instructions = next.instructions(budget);
            let result = step(
                job,
                existing,
                clock_micros,
                instructions,
                &replies.replay(),
                &mut effects,
            );
            (result, effects)
        };
        // An abandoned sliced run's checks are a prefix of the next run's: until that one
        // ends, they are what a cancelled request logs.
        applied.replace(effects);
        match result {
            Ok(answered) => {
                drop(applied);
                return answered.commit(job).await;
            }
            Err(Stop::Api(e)) => return Err(e),
            Err(Stop::Wait { at, call }) => {
                replies.make(job, key, at, call).await?;
                // A whole run on the worker is for repeating one sliced run only.
                if next == Run::Whole {
                    next = Run::first(budget);
                }
            }
            Err(Stop::SliceSpent) => next = Run::OffWorker,
            Err(Stop::SlicedProgram) => next = Run::Whole,
        }
    }
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(ErrorCode::InternalError, e.to_string())
}

/// The engine for one run of this request: the cached policy and the controls' run
/// configuration; a program it starts gets `instructions` (the run's budget, [`slice`]).
fn engine_for(
    job: &Job,
    controls: &Controls,
    clock_micros: i64,
    instructions: u64,
) -> Result<Engine, ApiError> {
    let policy = job
        .state
        .policies
        .for_controls(&controls.policy)
        .map_err(|diagnostics| {
            ApiError::new(
                ErrorCode::PolicyCompileError,
                "X-Policy: the policy does not compile",
            )
            .with_param("X-Policy")
            .with_diagnostics(diagnostics)
        })?;
    let tools = match job.request.body.get("tools") {
        Some(tools) if !tools.is_null() => sqrt_std::tools::ToolSet::from_value(tools)
            .map(|set| sqrt_vm::ToolStub::from_tool_set(&set))
            .map_err(|e| ApiError::new(ErrorCode::InvalidRequest, format!("tools: {e}")))?,
        _ => Vec::new(),
    };
    let limits = &job.state.config.limits;
    let fsm = &controls.config.fsm;
    let cap = limits.max_tool_calls_per_step;
    let max_calls = fsm.max_tool_calls_per_step.map_or(cap, |n| n.min(cap));
    let config = EngineConfig {
        mode: if controls.policy.mode == PolicyMode::Strict {
            sqrt_vm::Mode::Strict
        } else {
            sqrt_vm::Mode::Normal
        },
        branching: branching_of(&policies::presets(&controls.policy.presets)),
        limits: sqrt_vm::VmLimits {
            instructions,
            heap_bytes: usize::try_from(limits.vm_max_heap_bytes).unwrap_or(usize::MAX),
            call_depth: limits.vm_max_call_depth as usize,
            ..sqrt_vm::VmLimits::default()
        },
        tools,
        parse_with_ai: fsm
            .enabled_internal_tools
            .iter()
            .any(|t| t == "parse_with_ai"),
        clock_micros,
        max_tool_calls: max_calls as usize,
    };
    Ok(Engine::new(policy, config))
}

/// One run: load, decide what the request asks, run the program, build the answer and the
/// new session (committed by [`Answered::commit`]). A program it starts gets `instructions`.
/// It changes nothing outside its return value and `effects`: it works on a copy of the
/// stored session.
fn step(
    job: &Job,
    existing: Option<&SessionRecord>,
    clock_micros: i64,
    instructions: u64,
    replay: &Replay<'_>,
    effects: &mut Effects,
) -> Result<Answered, Stop> {
    let (mut record, mut state, controls) = match existing {
        Some(record) => {
            let record = record.clone();
            let state = record
                .state
                .read(|bytes| serde_json::from_slice::<DualState>(bytes).ok())
                .ok_or_else(incompatible)?;
            if state.format != FORMAT {
                return Err(incompatible().into());
            }
            let controls = continued_controls(job, &record, &state.provider)?;
            (record, state, controls)
        }
        None => {
            let config = serde_json::to_value(&job.controls).map_err(internal)?;
            let state = DualState {
                format: FORMAT.into(),
                provider: job.provider.name.clone(),
                ..DualState::default()
            };
            (
                SessionRecord::new(job.tenant.clone(), config),
                state,
                job.controls.clone(),
            )
        }
    };
    let is_new = record.version == 0;
    let engine = engine_for(job, &controls, clock_micros, instructions)?;
    let mut session = match &state.engine {
        EngineState::New => {
            let mut s = engine.session();
            s.set_call_id_prefix(format!("tc-{}-", record.id));
            s
        }
        EngineState::Parked(parked) => engine.unpark(parked).map_err(|_| incompatible())?,
        EngineState::Bytes(bytes) => engine.restore(bytes).map_err(|_| incompatible())?,
    };

    // What the request adds to the transcript.
    let received = job.request.messages();
    let compared = history::transcript(received);
    let mut mismatch = false;
    let mut restart = false;
    let added: Vec<Value> = if is_new {
        compared.clone()
    } else {
        match history::compare(&state.transcript, received, &state.issued) {
            Continuation::Extends { .. } => compared[state.transcript.len()..].to_vec(),
            Continuation::UnknownCall { index, id } => {
                let param = format!("messages[{index}].tool_call_id");
                return Err(ApiError::new(
                    ErrorCode::UnknownToolCall,
                    format!(
                        "{param}: {id:?} was never issued in this session, or was answered already"
                    ),
                )
                .with_param(param)
                .into());
            }
            Continuation::Diverges { at } => match controls.config.fsm.history_mismatch_policy {
                HistoryMismatchPolicy::Reject => {
                    return Err(ApiError::new(
                        ErrorCode::HistoryMismatch,
                        format!(
                            "the messages differ from the session's transcript at compared message {at} (final answers are not compared); send the history as returned, or set fsm.history_mismatch_policy"
                        ),
                    )
                    .into());
                }
                // The stored transcript wins: what lies beyond it is the request's addition.
                HistoryMismatchPolicy::Continue => {
                    mismatch = true;
                    compared
                        .get(state.transcript.len()..)
                        .unwrap_or(&[])
                        .to_vec()
                }
                // The turn restarts from the request's last user message (protocol.md §5).
                HistoryMismatchPolicy::RestartTurn => {
                    mismatch = true;
                    restart = true;
                    let last_user = received.iter().rev().find(|m| role(m) == "user");
                    vec![last_user.cloned().ok_or_else(|| {
                        ApiError::new(
                            ErrorCode::InvalidRequest,
                            "messages: the history differs from the session's and holds no user message to restart the turn from",
                        )
                        .with_param("messages")
                    })?]
                }
            },
        }
    };
    let pending_id = session.pending_call().map(|c| c.id.clone());
    let result = pending_id.as_ref().and_then(|id| {
        added.iter().find(|m| {
            role(m) == "tool" && m.get("tool_call_id").and_then(Value::as_str) == Some(id)
        })
    });
    let user_added: Vec<Value> = added
        .iter()
        .filter(|m| role(m) == "user")
        .cloned()
        .collect();
    if result.is_none() && user_added.is_empty() {
        return Err(ApiError::new(
            ErrorCode::InvalidRequest,
            if pending_id.is_some() {
                "messages: the request answers neither the pending tool call nor adds a user message"
            } else {
                "messages: the request adds no user message"
            },
        )
        .with_param("messages")
        .into());
    }

    let mut turn = Turn::new(
        job,
        replay,
        effects,
        &controls,
        &engine,
        &mut session,
        &record,
    );
    let mut turn_state = state.turn.take();
    // A restart abandons the turn in progress (its program, pending call and planner
    // messages) and runs it again under the same number; without one it is a new turn.
    let restarted = if restart && let Some(ts) = turn_state.take() {
        state.planner.truncate(ts.planner_start());
        true
    } else {
        false
    };
    let mut outcome = None;
    if let (Some(message), Some(ts)) = (result, turn_state.take()) {
        outcome = Some(turn.resume(ts, message, &mut state.planner, received)?);
    }
    let needs_turn = match &outcome {
        None => true,
        Some(TurnOutcome::Call(..)) => false,
        Some(TurnOutcome::Final(..)) => !user_added.is_empty(),
    };
    if needs_turn && !user_added.is_empty() {
        if !restarted {
            record.turn += 1;
        }
        turn.set_turn(record.turn);
        // `every_attempt` also clears before each attempt (`turn::Turn::plan`); a restarted
        // turn keeps the session meta (protocol.md §5).
        if !restart
            && controls.config.fsm.clear_session_meta != super::controls::ClearSessionMeta::Never
        {
            turn.clear_session_meta();
        }
        let planner_start = state.planner.len();
        state.planner.extend(user_added);
        outcome = Some(turn.start(planner_start, &mut state.planner, received)?);
    }
    let outcome = outcome.ok_or_else(|| internal("no step was taken"))?;
    if matches!(outcome, TurnOutcome::Call(..)) && turn.started_sliced() {
        return Err(Stop::SlicedProgram);
    }

    // The response, then the commit (only once the response is ready).
    let model = job.request.models.echo();
    let mut transcript = compared;
    let (answer, call_out) = match outcome {
        TurnOutcome::Call(call, ts) => {
            let message = answer::tool_call_message(&call);
            transcript.push(message.clone());
            state.issued.insert(call.id.clone());
            state.turn = Some(ts);
            (answer::envelope(&model, "tool_calls", message), true)
        }
        TurnOutcome::Final(fin) => {
            let content = answer::final_content(
                &fin.as_final(session_calls(&session, fin.first_call), mismatch),
                &session,
                &controls.config.response_format,
            );
            state.turn = None;
            let message = serde_json::json!({"role": "assistant", "content": content});
            (answer::envelope(&model, "stop", message), false)
        }
    };
    state.transcript = Arc::new(transcript);
    state.engine = EngineState::Parked(Arc::new(session.into_parked().map_err(internal)?));
    let last_turn = controls
        .config
        .fsm
        .max_n_turns
        .is_some_and(|max| record.turn >= max);
    let commit = if !call_out && last_turn {
        if is_new {
            Commit::Nothing
        } else {
            Commit::Delete
        }
    } else {
        record.state = SessionState::Decoded(Arc::new(state));
        if is_new { Commit::Create } else { Commit::Save }
    };
    let mut response = if job.request.stream {
        let include_usage = job
            .request
            .body
            .get("stream_options")
            .and_then(|o| o.get("include_usage"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        stream::whole_answer(&answer, include_usage)
    } else {
        axum::Json(answer).into_response()
    };
    if !matches!(commit, Commit::Nothing)
        && let Ok(value) = HeaderValue::from_str(&record.id.to_string())
    {
        response.headers_mut().insert("x-session-id", value);
    }
    Ok(Answered {
        record,
        commit,
        response,
    })
}

/// What a run leaves to commit: the session's new record, and the response that names it.
struct Answered {
    record: SessionRecord,
    commit: Commit,
    response: Response,
}

/// What the store does with the session.
enum Commit {
    /// A new session whose only turn ended: never stored.
    Nothing,
    /// The last turn ended.
    Delete,
    Create,
    /// Compare-and-set against the version loaded.
    Save,
}

impl Answered {
    /// Stores the session (only once the response is ready), then hands out the response.
    async fn commit(self, job: &Job) -> Result<Response, ApiError> {
        if tokio::time::Instant::now() >= job.deadline {
            // The client got (or gets) 504; nothing may change after that.
            return Err(ApiError::new(
                ErrorCode::RequestTimeout,
                "the request took too long; the session is unchanged",
            ));
        }
        let store = &job.state.store;
        let record = self.record;
        match self.commit {
            Commit::Nothing => {}
            Commit::Delete => store.delete(record.id).await?,
            Commit::Create => {
                store.create(record).await?;
            }
            Commit::Save => {
                let expected = record.version;
                store.save(record, expected).await?;
            }
        }
        Ok(self.response)
    }
}

fn session_calls(session: &Session, first: usize) -> &[crate::engine::CallEntry] {
    session.calls().get(first..).unwrap_or(&[])
}
