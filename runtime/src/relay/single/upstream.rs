//! The client's history → what the provider sees: the stored transcript compared with the
//! request's messages, relay call ids mapped back to the provider's, results replaced by what
//! the checker made of them, the client's fields forwarded.

use std::collections::BTreeSet;

use serde_json::{Map, Value};
use uuid::Uuid;

use super::super::checker::ProposedCall;
use super::super::controls::{Controls, HistoryMismatchPolicy};
use super::super::error::{ApiError, ErrorCode};
use super::super::history::{self, Continuation};
use super::super::request::{content_text, role};
use super::session::session_of_tool_call_id;
use super::{Job, SingleState};

/// The request as forwarded: the client's fields, the planner model, the given messages.
pub(super) fn upstream_body(job: &Job, messages: Vec<Value>) -> Map<String, Value> {
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
pub(super) fn check_history(
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

/// The history as the provider knows it: relay call ids of this session mapped back to the
/// provider's ids, and results replaced by what the checker made of them (computed once, on
/// the request that first brings a result). A result for a call this session never issued is
/// refused.
pub(super) fn upstream_messages(
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
