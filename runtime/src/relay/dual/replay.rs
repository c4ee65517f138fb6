//! How a dual-LLM request waits for its LLMs without leaving the runtime's worker: a run of the
//! request is synchronous, and when it needs an LLM reply it has not got, it stops and names the
//! call ([`Stop::Wait`]); the request makes that call (an await, with no VM alive), records the
//! reply in [`Replies`], and runs again from the stored session, replaying the recorded replies
//! in order. A run is deterministic given its inputs (the stored session, the request, the
//! request's clock and the replies), so it asks the same questions again; a reply is only ever
//! given to the very call it answered.
//!
//! Why not a blocking task: the VM's values are reference-counted (not `Send`), so a live VM
//! cannot cross an await on a multi-threaded runtime. A blocking task per request put every
//! dual-LLM request on a thread of its own, and under load those threads (up to one per
//! request in flight) took turns on the cores inside each request: the in-relay queueing that
//! made the closed-loop p50 7× the open-loop one (docs/performance.md). A request that needs
//! no LLM (a tool result resuming the program, the common case) now runs once, on the worker,
//! to the end; one that asks the planner runs twice (the first run stops at the request).
//!
//! A run's side effects (decision-log lines, metrics) are collected in [`Effects`] and applied
//! only for the run that counts: the last one, or the last one before the request was
//! cancelled ([`Applied`] applies on drop).
//!
//! A run occupies its worker until it ends: a seed-sized run takes tens of microseconds, and a
//! program started on the worker gets an instruction slice; one that needs more moves the
//! request off the worker ([`super::slice`]).

use std::cell::Cell;

use serde_json::Value;

use super::super::error::{ApiError, ErrorCode};
use super::super::metrics::{EngineLabel, OutcomeLabel, ToolCallLabel, VerdictLabel};
use super::super::provider::ProviderKey;
use super::super::qllm::{self, ParseError};
use super::super::server::RelayState;
use super::super::single::Job;
use crate::engine::Answer;
use sqrt_vm::RaiseKind;

/// An LLM call a run needs.
#[derive(Clone, Debug, PartialEq)]
pub enum LlmCall {
    /// A planner request: the whole chat-completions body.
    Planner(Value),
    /// `parse_with_ai` on the quarantined LLM.
    Parser { query: String, schema: Value },
}

/// The reply to an [`LlmCall`], as the run uses it.
#[derive(Clone, Debug)]
enum LlmReply {
    Planner(Result<Value, ApiError>),
    Parser(Result<Answer, ApiError>),
}

/// Why a run ended without an answer.
#[derive(Debug)]
pub enum Stop {
    /// The request fails with this error.
    Api(ApiError),
    /// The run needs the reply to this call, the `at`-th of the request.
    Wait { at: usize, call: LlmCall },
    /// A program started in the run used up the worker's slice: the run is abandoned and the
    /// request runs again with the full budget off the worker ([`super::slice`]).
    SliceSpent,
    /// The run ends at a call of a program started under the slice, which would keep the
    /// slice as its budget once parked: the run is repeated with the full budget.
    SlicedProgram,
}

impl From<ApiError> for Stop {
    fn from(e: ApiError) -> Stop {
        Stop::Api(e)
    }
}

/// A run stops at most this many times at a call whose recorded reply answered another
/// question (a run that is not deterministic); then the request fails instead of asking again.
const MAX_DIVERGENCES: usize = 3;

/// The replies of the calls a request has made, in the order its runs ask for them.
#[derive(Default)]
pub struct Replies {
    made: Vec<(LlmCall, LlmReply)>,
    divergences: usize,
}

impl Replies {
    /// A run's view: the replies in order, from the first.
    pub fn replay(&self) -> Replay<'_> {
        Replay {
            replies: self,
            next: Cell::new(0),
        }
    }

    /// Makes the `at`-th call of the request (the replies after it, if any, answered other
    /// questions and are dropped), counting its time as LLM time.
    pub async fn make(
        &mut self,
        job: &Job,
        key: &ProviderKey,
        at: usize,
        call: LlmCall,
    ) -> Result<(), ApiError> {
        if at < self.made.len() {
            self.divergences += 1;
            if self.divergences > MAX_DIVERGENCES {
                return Err(ApiError::new(
                    ErrorCode::InternalError,
                    "internal error: the dual-LLM run asked different questions on replay; the session is unchanged",
                ));
            }
        }
        self.made.truncate(at);
        let started = std::time::Instant::now();
        let reply = match &call {
            LlmCall::Planner(body) => {
                let span = tracing::info_span!("pllm.call", provider = %job.provider.name);
                let answer =
                    tracing::Instrument::instrument(job.provider.chat(key, body), span).await;
                job.state
                    .metrics
                    .record_llm(&job.provider.name, "pllm", answer.as_ref().ok());
                LlmReply::Planner(answer)
            }
            LlmCall::Parser { query, schema } => {
                let span = tracing::info_span!("qllm.call", provider = %job.provider.name);
                let parsed = qllm::parse_with_ai(
                    &job.provider,
                    key,
                    &job.request.models.qllm,
                    query,
                    schema,
                );
                LlmReply::Parser(parser_answer(
                    tracing::Instrument::instrument(parsed, span).await,
                ))
            }
        };
        *job.llm_time.lock().unwrap_or_else(|p| p.into_inner()) += started.elapsed();
        self.made.push((call, reply));
        Ok(())
    }
}

/// `parse_with_ai`'s outcome as the program's answer; a provider failure fails the request (502).
fn parser_answer(result: Result<Value, ParseError>) -> Result<Answer, ApiError> {
    Ok(match result {
        Ok(value) => Answer::Output(value),
        Err(ParseError::NotEnoughInformation) => Answer::Raise(
            RaiseKind::NotEnoughInformation,
            "the text does not hold the information the output schema asks for".into(),
        ),
        Err(ParseError::InvalidOutput(m)) => Answer::Raise(RaiseKind::ValueError, m),
        Err(ParseError::Provider(e)) => return Err(e),
    })
}

/// The replies as one run consumes them.
pub struct Replay<'r> {
    replies: &'r Replies,
    next: Cell<usize>,
}

impl Replay<'_> {
    /// The recorded reply to the run's next call if it is this call; else the run stops for it.
    fn reply(&self, call: LlmCall) -> Result<&LlmReply, Stop> {
        let at = self.next.get();
        match self.replies.made.get(at) {
            Some((asked, reply)) if *asked == call => {
                self.next.set(at + 1);
                Ok(reply)
            }
            _ => Err(Stop::Wait { at, call }),
        }
    }

    /// The planner's answer to `body`.
    pub fn planner(&self, body: Value) -> Result<Value, Stop> {
        match self.reply(LlmCall::Planner(body))? {
            LlmReply::Planner(answer) => Ok(answer.clone()?),
            LlmReply::Parser(_) => unreachable_reply(),
        }
    }

    /// The quarantined LLM's answer to `parse_with_ai(query, output_schema)`.
    pub fn parser(&self, query: String, schema: Value) -> Result<Answer, Stop> {
        match self.reply(LlmCall::Parser { query, schema })? {
            LlmReply::Parser(answer) => Ok(answer.clone()?),
            LlmReply::Planner(_) => unreachable_reply(),
        }
    }
}

/// A reply recorded for a call of the other kind (`reply` compares the calls, so never).
fn unreachable_reply<T>() -> Result<T, Stop> {
    Err(Stop::Api(ApiError::new(
        ErrorCode::InternalError,
        "internal error: an LLM reply of the wrong kind; the session is unchanged",
    )))
}

/// A policy check a run made, for the metrics and the decision log.
struct Check {
    allowed: bool,
    internal: bool,
    duration_ns: u64,
    engine: &'static str,
    line: Value,
}

/// What a run changes outside the request: metrics and decision-log lines.
#[derive(Default)]
pub struct Effects {
    checks: Vec<Check>,
    attempts: Vec<String>,
}

impl Effects {
    /// A policy check and its decision-log line.
    pub fn check(
        &mut self,
        allowed: bool,
        internal: bool,
        duration_ns: u64,
        engine: &'static str,
        line: Value,
    ) {
        self.checks.push(Check {
            allowed,
            internal,
            duration_ns,
            engine,
            line,
        });
    }

    /// A planner attempt's outcome (`success`, an error code, `invalid_program`).
    pub fn attempt(&mut self, outcome: &str) {
        self.attempts.push(outcome.to_string());
    }

    fn apply(self, state: &RelayState) {
        let m = &state.metrics;
        for outcome in self.attempts {
            m.pllm_attempts
                .get_or_create(&OutcomeLabel { outcome })
                .inc();
        }
        for c in self.checks {
            let vote = if c.allowed { "allow" } else { "deny" };
            m.policy_checks
                .get_or_create(&VerdictLabel {
                    verdict: vote.into(),
                })
                .inc();
            m.policy_check_duration
                .get_or_create(&EngineLabel {
                    engine: c.engine.into(),
                })
                .observe(c.duration_ns as f64 / 1e9);
            m.tool_calls
                .get_or_create(&ToolCallLabel {
                    kind: if c.internal { "internal" } else { "external" }.into(),
                    outcome: if c.allowed { "allowed" } else { "denied" }.into(),
                })
                .inc();
            state.decisions.record(&c.line);
        }
    }
}

/// The effects of the request's latest run, applied when dropped: after the last run, or when
/// the request is cancelled while it waits for an LLM (the checks made so far are logged, as
/// they would be had the run gone on).
pub struct Applied<'s> {
    state: &'s RelayState,
    latest: Effects,
}

impl<'s> Applied<'s> {
    pub fn new(state: &'s RelayState) -> Applied<'s> {
        Applied {
            state,
            latest: Effects::default(),
        }
    }

    /// The effects of a newer run, which replays (and so repeats) the older one's.
    pub fn replace(&mut self, run: Effects) {
        self.latest = run;
    }
}

impl Drop for Applied<'_> {
    fn drop(&mut self) {
        std::mem::take(&mut self.latest).apply(self.state);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn planner_reply(replies: &mut Replies, body: Value, answer: Value) {
        replies
            .made
            .push((LlmCall::Planner(body), LlmReply::Planner(Ok(answer))));
    }

    #[test]
    fn a_run_gets_recorded_replies_in_order_and_stops_at_the_first_missing_one() {
        let mut replies = Replies::default();
        let run = replies.replay();
        match run.planner(json!({"q": 1})) {
            Err(Stop::Wait { at: 0, call }) => assert_eq!(call, LlmCall::Planner(json!({"q": 1}))),
            other => panic!("{other:?}"),
        }
        planner_reply(&mut replies, json!({"q": 1}), json!("one"));
        let run = replies.replay();
        assert_eq!(run.planner(json!({"q": 1})).unwrap(), json!("one"));
        match run.parser("text".into(), json!({})) {
            Err(Stop::Wait { at: 1, .. }) => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_reply_never_answers_another_question() {
        let mut replies = Replies::default();
        planner_reply(&mut replies, json!({"q": 1}), json!("one"));
        let run = replies.replay();
        match run.planner(json!({"q": 2})) {
            Err(Stop::Wait { at: 0, call }) => assert_eq!(call, LlmCall::Planner(json!({"q": 2}))),
            other => panic!("{other:?}"),
        }
        // Same position, other kind of call: not answered either.
        match replies.replay().parser("q".into(), json!(null)) {
            Err(Stop::Wait { at: 0, .. }) => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn parser_outcomes_become_answers() {
        assert_eq!(
            parser_answer(Ok(json!({"a": 1}))),
            Ok(Answer::Output(json!({"a": 1})))
        );
        assert!(matches!(
            parser_answer(Err(ParseError::NotEnoughInformation)),
            Ok(Answer::Raise(RaiseKind::NotEnoughInformation, _))
        ));
        let e = ApiError::new(ErrorCode::ProviderError, "down");
        assert_eq!(parser_answer(Err(ParseError::Provider(e.clone()))), Err(e));
    }
}
