//! The LLM's answer → checked calls: the calls it proposes, each decided by the checker and
//! logged (metrics, decision log), with `retry_on_policy_violation`'s private retries.

use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::super::checker::{CallVerdict, CheckerState, ProposedCall};
use super::super::controls::Controls;
use super::super::decisions;
use super::super::error::{ApiError, ErrorCode};
use super::super::metrics::{EngineLabel, ToolCallLabel, VerdictLabel};
use super::super::provider::{Provider, ProviderKey};
use super::Job;
use super::session::tool_call_id;
use super::upstream::upstream_body;

/// Asks the LLM and checks the calls it proposes. With `retry_on_policy_violation`, a denied
/// step is answered with `denied by policy` results in a private copy of the history and asked
/// again, at most `max_pllm_failed_steps` times.
pub(super) async fn ask(
    job: &Job,
    key: &ProviderKey,
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
pub(super) struct Step {
    pub(super) session: Uuid,
    pub(super) turn: u32,
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
pub(super) fn check(
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

pub(super) fn bad_answer(provider: &Provider, what: &str) -> ApiError {
    ApiError::new(
        ErrorCode::ProviderError,
        format!("provider {}: unusable answer: {what}", provider.name),
    )
}

pub(super) struct Proposed {
    /// The provider's id of the call.
    pub(super) id: String,
    /// The id the client gets if the call is returned (logged either way).
    pub(super) relay_id: String,
    pub(super) name: String,
    /// `None` when the arguments are not a JSON object.
    pub(super) args: Option<Map<String, Value>>,
}

/// The calls the LLM proposes in `choices[0].message.tool_calls`.
pub(super) fn proposed_calls(answer: &Value, session: Uuid) -> Result<Vec<Proposed>, ApiError> {
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
