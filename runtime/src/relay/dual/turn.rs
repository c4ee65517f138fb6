//! One turn of the dual-LLM flow (protocol.md §6 steps 1–3): ask the planner for a program,
//! run it in the engine, answer `parse_with_ai` on the quarantined LLM, hand allowed external
//! calls to the client, and feed failures back to the planner within the turn's budgets.
//!
//! The planner never sees tool data: feedback is the VM's rendering (already redacted where a
//! message depends on tool data), denials name the tool, line, rule ids and doc comments, and
//! variables are listed by name and type.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use sqrt_vm::ErrorCode as VmCode;
use uuid::Uuid;

use super::super::controls::{ClearSessionMeta, Controls};
use super::super::decisions;
use super::super::error::{ApiError, ErrorCode};
use super::super::prompt::{extract_program, planner_system_prompt};
use super::super::request::{content_text, role};
use super::super::single::Job;
use super::super::store::SessionRecord;
use super::answer::{self, Final};
use super::replay::{Effects, Replay, Stop};
use crate::engine::{Answer, CallEntry, Engine, Event, Session};

/// What a turn keeps while one of its calls is out with the client.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TurnState {
    /// Planner requests made this turn (`max_pllm_steps`).
    steps: u32,
    /// Failed attempts this turn (`max_pllm_failed_steps`).
    failed: u32,
    /// The running attempt's source.
    program: Option<String>,
    /// Index of the turn's first call in the session's call log.
    first_call: usize,
    /// `(code, client message)` of the last failure.
    last_error: Option<(String, String)>,
    /// Length of the planner transcript before this turn's user messages (a restarted turn
    /// drops what came after).
    #[serde(default)]
    planner_start: usize,
}

impl TurnState {
    pub fn planner_start(&self) -> usize {
        self.planner_start
    }
}

/// How a request's part of a turn ends.
#[allow(clippy::large_enum_variant)] // one per request
pub enum Outcome {
    /// An allowed external call for the client; the turn goes on when its result comes.
    Call(CallEntry, TurnState),
    /// The turn's final answer.
    Final(Finished),
}

/// A finished turn.
pub struct Finished {
    outcome: Option<sqrt_vm::Outcome>,
    error: Option<(String, String)>,
    program: Option<String>,
    pub first_call: usize,
}

impl Finished {
    pub fn as_final<'a>(&'a self, calls: &'a [CallEntry], mismatch: bool) -> Final<'a> {
        Final {
            outcome: self.outcome.as_ref(),
            error: self.error.clone(),
            program: self.program.as_deref(),
            calls,
            mismatch,
        }
    }
}

/// The orchestrator of one run of a request (`replay`).
pub struct Turn<'a> {
    job: &'a Job,
    /// The LLM replies this run may use; a call without one stops the run.
    replay: &'a Replay<'a>,
    /// Where the run's metrics and decision-log lines go.
    effects: &'a mut Effects,
    controls: &'a Controls,
    engine: &'a Engine,
    session: &'a mut Session,
    session_id: Uuid,
    turn: u32,
    /// Calls already in the decision log.
    logged: usize,
    /// A program started in this run gets the worker's slice, less than the configured budget.
    sliced: bool,
    /// The session's program was started in this run (not resumed from the stored session).
    started: bool,
}

impl<'a> Turn<'a> {
    pub fn new(
        job: &'a Job,
        replay: &'a Replay<'a>,
        effects: &'a mut Effects,
        controls: &'a Controls,
        engine: &'a Engine,
        session: &'a mut Session,
        record: &SessionRecord,
    ) -> Turn<'a> {
        let logged = session.calls().len();
        let sliced =
            engine.config().limits.instructions < job.state.config.limits.vm_max_instructions;
        Turn {
            job,
            replay,
            effects,
            controls,
            engine,
            session,
            session_id: record.id,
            turn: record.turn,
            logged,
            sliced,
            started: false,
        }
    }

    /// Whether the session's program was started in this run under the worker's slice (its
    /// budget for life: it must not be parked).
    pub fn started_sliced(&self) -> bool {
        self.sliced && self.started
    }

    pub fn set_turn(&mut self, turn: u32) {
        self.turn = turn;
    }

    pub fn clear_session_meta(&mut self) {
        self.session.clear_session_meta();
    }

    /// Starts a turn: the planner's first program. `planner_start` is the planner
    /// transcript's length before the turn's user messages.
    pub fn start(
        &mut self,
        planner_start: usize,
        planner: &mut Vec<Value>,
        received: &[Value],
    ) -> Result<Outcome, Stop> {
        let mut ts = TurnState {
            steps: 0,
            failed: 0,
            program: None,
            first_call: self.session.calls().len(),
            last_error: None,
            planner_start,
        };
        match self.plan(&mut ts, planner, received, None)? {
            Ok(event) => self.drive(ts, event, planner, received),
            Err(fin) => Ok(Outcome::Final(fin)),
        }
    }

    /// Continues a turn with the client's result for the pending call (protocol.md §7).
    pub fn resume(
        &mut self,
        ts: TurnState,
        message: &Value,
        planner: &mut Vec<Value>,
        received: &[Value],
    ) -> Result<Outcome, Stop> {
        let text = content_text(message.get("content"));
        let tool = self.session.pending_call().map(|c| c.tool.clone());
        let has_schema = self
            .job
            .request
            .tools
            .iter()
            .any(|t| Some(&t.name) == tool.as_ref() && t.output_schema.is_some());
        let strict = self.controls.config.fsm.strict_tool_result_parsing;
        let output = result_value(&text, strict && !has_schema);
        let event = self
            .session
            .resume(self.engine, Answer::Output(output))
            .map_err(|e| {
                ApiError::new(ErrorCode::InvalidToolResult, format!("tool result: {e}"))
                    .with_param("messages")
            })?;
        self.drive(ts, event, planner, received)
    }

    /// Runs the program's events until a call goes out or the turn ends.
    fn drive(
        &mut self,
        mut ts: TurnState,
        mut event: Event,
        planner: &mut Vec<Value>,
        received: &[Value],
    ) -> Result<Outcome, Stop> {
        loop {
            self.log_checks();
            match event {
                Event::Call(call) if call.internal => {
                    let answer = self.parse_with_ai(&call)?;
                    event = self.session.resume_or_fail(self.engine, answer);
                }
                Event::Call(call) => return Ok(Outcome::Call(call, ts)),
                Event::Done(outcome) => {
                    let Some(error) = outcome.error.clone() else {
                        self.attempt_metric("success");
                        return Ok(Outcome::Final(Finished {
                            outcome: Some(outcome),
                            error: None,
                            program: ts.program,
                            first_call: ts.first_call,
                        }));
                    };
                    // Any limit of a program started under the slice sends the request off the
                    // worker: the full-budget run is the one that reports a limit (the VM's
                    // limits share one code; the others are hit there at the same point).
                    if error.code == VmCode::LimitExceeded && self.started_sliced() {
                        return Err(Stop::SliceSpent);
                    }
                    self.attempt_metric(error.code.as_str());
                    let (client, feedback) = self.failure(&error);
                    ts.failed += 1;
                    ts.last_error = Some((error.code.as_str().to_string(), client));
                    let violation = matches!(
                        error.code,
                        VmCode::PolicyDenied | VmCode::ControlFlowViolation
                    );
                    if violation && !self.controls.config.fsm.retry_on_policy_violation {
                        return Ok(Outcome::Final(Finished {
                            outcome: Some(outcome),
                            error: ts.last_error.clone(),
                            program: ts.program,
                            first_call: ts.first_call,
                        }));
                    }
                    match self.plan(&mut ts, planner, received, Some(feedback))? {
                        Ok(next) => event = next,
                        Err(fin) => return Ok(Outcome::Final(fin)),
                    }
                }
            }
        }
    }

    /// Asks the planner for a program until one compiles into a first event, or the turn's
    /// budgets run out (`Err`: the finished turn, with the last error).
    fn plan(
        &mut self,
        ts: &mut TurnState,
        planner: &mut Vec<Value>,
        received: &[Value],
        feedback: Option<String>,
    ) -> Result<Result<Event, Finished>, Stop> {
        let fsm = &self.controls.config.fsm;
        if let Some(feedback) = feedback {
            planner.push(json!({"role": "user", "content": feedback}));
        }
        loop {
            let exhausted = if ts.failed >= fsm.max_pllm_failed_steps {
                ts.last_error.clone()
            } else if ts.steps >= fsm.max_pllm_steps {
                let last = ts.last_error.as_ref().map_or("", |e| e.1.as_str());
                Some((
                    "steps_exhausted".to_string(),
                    format!(
                        "the planner used its {} steps without finishing the task. Last error: {last}",
                        fsm.max_pllm_steps
                    ),
                ))
            } else {
                None
            };
            if let Some(error) = exhausted {
                return Ok(Err(Finished {
                    outcome: None,
                    error: Some(error),
                    program: ts.program.clone(),
                    first_call: ts.first_call,
                }));
            }
            ts.steps += 1;
            let text = self.ask_planner(planner, received)?;
            planner.push(json!({"role": "assistant", "content": text}));
            match extract_program(&text) {
                Ok(program) => {
                    ts.program = Some(program.clone());
                    if fsm.clear_session_meta == ClearSessionMeta::EveryAttempt {
                        self.session.clear_session_meta();
                    }
                    // `program.compile`, `vm.run` and `policy.check` spans come from the engine.
                    self.started = true;
                    let event = self.session.start(self.engine, &program);
                    return Ok(Ok(event));
                }
                Err(e) => {
                    self.attempt_metric("invalid_program");
                    ts.failed += 1;
                    ts.last_error = Some(("invalid_program".into(), e.to_string()));
                    planner.push(json!({"role": "user", "content": format!(
                        "Your answer could not be used: {e}. Write the whole program again in exactly one ```python block."
                    )}));
                }
            }
        }
    }

    /// One planner request: the system prompt (rules, tool stubs, variables), the client's
    /// system and developer messages, then the planner transcript. Tool output never goes in.
    fn ask_planner(&self, planner: &[Value], received: &[Value]) -> Result<String, Stop> {
        let job = self.job;
        let system = planner_system_prompt(&job.request.tools, &self.session.variables());
        let mut messages = vec![json!({"role": "system", "content": system})];
        messages.extend(
            received
                .iter()
                .filter(|m| matches!(role(m), "system" | "developer"))
                .map(|m| json!({"role": role(m), "content": content_text(m.get("content"))})),
        );
        messages.extend(planner.iter().cloned());
        let mut body = Map::new();
        body.insert("model".into(), json!(job.request.models.pllm));
        body.insert("messages".into(), Value::Array(messages));
        for field in [
            "temperature",
            "top_p",
            "seed",
            "reasoning_effort",
            "max_tokens",
            "max_completion_tokens",
        ] {
            if let Some(v) = job.request.body.get(field) {
                body.insert(field.into(), v.clone());
            }
        }
        let answer = self.replay.planner(Value::Object(body))?;
        Ok(answer
            .pointer("/choices/0/message/content")
            .map(|c| content_text(Some(c)))
            .unwrap_or_default())
    }

    /// `parse_with_ai` on the quarantined LLM. A provider failure fails the request (502).
    fn parse_with_ai(&self, call: &CallEntry) -> Result<Answer, Stop> {
        let args = call.plain_args();
        let query = match args.get("query") {
            Some(Value::String(q)) => q.clone(),
            Some(other) => other.to_string(),
            None => String::new(),
        };
        let schema = args.get("output_schema").cloned().unwrap_or(Value::Null);
        self.replay.parser(query, schema)
    }

    /// The client's message and the planner's feedback for a failed attempt.
    fn failure(&self, error: &sqrt_vm::RunError) -> (String, String) {
        let variables = self.variables_line();
        match error.code {
            VmCode::PolicyDenied => {
                let denied = self.session.calls().iter().rev().find(|c| !c.allowed());
                let client = denied.map_or_else(|| error.message.clone(), answer::denial_text);
                let feedback = match denied {
                    Some(call) => format!(
                        "Your program was stopped at line {}: the call of {} was denied by the security policy ({}). \
                         Policies check tool arguments and where their data came from; values are not shown. \
                         Write a new complete program that does not make a call the policy forbids, or set \
                         final_return_value to explain why the task cannot be done. {variables}",
                        call.line,
                        call.tool,
                        rules_text(call)
                    ),
                    None => format!("Your program was stopped by the security policy. {variables}"),
                };
                (client, feedback)
            }
            VmCode::ControlFlowViolation => (
                "Control flow violation detected during program execution.".into(),
                format!(
                    "{}\nA condition depends on data the branching policy forbids; do not branch on tool \
                     results. Write the whole program again. {variables}",
                    error.rendered
                ),
            ),
            _ => (
                error.message.clone(),
                format!(
                    "Your program failed:\n{}\n{variables}\nWrite the whole program again, fixing the problem, in one ```python block.",
                    error.rendered
                ),
            ),
        }
    }

    fn variables_line(&self) -> String {
        let vars = self.session.variables();
        if vars.is_empty() {
            "No variables are defined.".into()
        } else {
            let list: Vec<String> = vars.iter().map(|(n, t)| format!("{n}: {t}")).collect();
            format!(
                "Defined variables (they keep their values): {}.",
                list.join(", ")
            )
        }
    }

    fn attempt_metric(&mut self, outcome: &str) {
        self.effects.attempt(outcome);
    }

    /// One decision-log line and the metrics for every check since the last call (applied
    /// with the run's other effects).
    fn log_checks(&mut self) {
        let calls = self.session.calls();
        let state = &self.job.state;
        let policy_hash = super::super::policies::policy_hash(&self.controls.policy.codes.code);
        let engine = self.engine.policy().engine().as_str();
        for call in calls.get(self.logged..).unwrap_or(&[]) {
            let allowed = call.allowed();
            let mut args = state.decisions.args(&call.plain_args());
            for (name, v) in &call.args {
                if let Some(entry) = args.get_mut(name) {
                    entry["meta"] = v.meta.to_json(self.session.labels());
                }
            }
            let v = &call.verdict;
            let line = json!({
                "ts": decisions::now_ms(), "decision_id": Uuid::new_v4().to_string(),
                "request_id": self.job.request_id.to_string(), "tenant": self.job.tenant,
                "session": self.session_id.to_string(), "turn": self.turn, "attempt": call.attempt,
                "tool_call_id": call.id, "tool": call.tool, "verdict": v["verdict"],
                "final_verdict": v["final_verdict"], "fired": call.fired_rules(),
                "n_allowed": v["n_allowed"], "n_denied": v["n_denied"],
                "policy_hash": policy_hash, "engine": engine, "duration_ns": call.duration_ns,
                "args": args,
            });
            self.effects
                .check(allowed, call.internal, call.duration_ns, engine, line);
        }
        self.logged = calls.len();
    }
}

/// The fired rules of a denial with their doc comments: `send_email#1 ("no leaks")`.
fn rules_text(call: &CallEntry) -> String {
    let reasons: Vec<String> = call.verdict["denial_reasons"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            let rule = r["rule"].as_str().unwrap_or("?");
            match r["description"].as_str() {
                Some(d) => format!("{rule}: {d}"),
                None => rule.to_string(),
            }
        })
        .collect();
    if reasons.is_empty() {
        format!("rules: {}", call.fired_rules().join(", "))
    } else {
        format!("rules: {}", reasons.join("; "))
    }
}

/// A tool message's text as the program's value (protocol.md §7): a wrapper object always
/// parses (the engine validates it); other JSON parses unless `text_only`; anything else stays
/// a string.
fn result_value(text: &str, text_only: bool) -> Value {
    match serde_json::from_str::<Value>(text) {
        Ok(v) if v.get("is_sequrity_var").is_some() => v,
        Ok(v) if !text_only => v,
        _ => Value::String(text.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_results() {
        assert_eq!(result_value("Email sent", false), json!("Email sent"));
        assert_eq!(result_value("{\"a\": 1}", false), json!({"a": 1}));
        assert_eq!(result_value("{\"a\": 1}", true), json!("{\"a\": 1}"));
        assert_eq!(result_value("12", true), json!("12"));
        let wrapper = r#"{"is_sequrity_var": true, "value": 1}"#;
        assert_eq!(result_value(wrapper, true)["value"], json!(1));
    }
}
