//! The host loop: runs a planner program in the VM and puts the policy between it and its tools.
//!
//! At every suspension the call is checked (`Policy::check`); a denial stops the run, an allowed
//! call goes to a `World` (a scripted world for `sqrtc run`, real tools for a future relay) and
//! its answer goes through the result lifecycle (`Policy::apply_result`) before the VM resumes.
//!
//! Label tables: the VM run and the policy session each own a `Labels`, both started from the
//! policy's table. Rather than translating metas between two tables, there is one table that is
//! lent to whichever side is working: while the host handles a suspension, the VM's table is
//! swapped into the session (so `check` and `apply_result` read the request's metas and intern
//! any wrapper labels there), and swapped back before `resume`, so the VM reads the result meta
//! against the very table it was built in. Tables only grow, so no index ever changes meaning.

use serde_json::{Value as Json, json};
use sqrt_compiler::policy::{Policy, Session};
use sqrt_std::label::Labels;
use sqrt_std::meta::Meta;
use sqrt_std::value::{MetaValue, Value};
use sqrt_vm::{ErrorCode, Outcome, RaiseKind, Resume, RunConfig, Step, ToolRequest, Vm};

/// A tool's answer, as the world gives it.
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    /// The tool's output (possibly a manual meta wrapper, protocol.md §7).
    Output(Json),
    /// The tool failed: a catchable `ToolError` in the program.
    Error(String),
    /// The world has no answer: the run stops with a program error carrying this message.
    Missing(String),
}

/// What answers allowed tool calls.
pub trait World {
    fn answer(&mut self, tool: &str, args: &[(String, Json)]) -> Answer;
}

/// One policy-checked call, in program order.
#[derive(Clone, Debug)]
pub struct CallEntry {
    pub id: String,
    pub tool: String,
    pub internal: bool,
    pub args: Vec<(String, MetaValue)>,
    pub verdict: Json,
    /// The labelled result of an allowed call that returned.
    pub result: Option<MetaValue>,
    /// The error an allowed call raised (tool error, missing answer, invalid wrapper).
    pub error: Option<String>,
}

/// A finished run: the VM's outcome, the call log and the table all metas refer to.
#[derive(Debug)]
pub struct HostRun {
    pub outcome: Outcome,
    pub calls: Vec<CallEntry>,
    pub labels: Labels,
}

impl HostRun {
    /// `{"value", "meta"}` of a labelled value.
    pub fn value_json(&self, value: Json, meta: &Meta) -> Json {
        json!({"value": value, "meta": meta.to_json(&self.labels)})
    }
}

/// Caps tool calls per run (planner.md §7: "The host caps tool calls").
pub const MAX_TOOL_CALLS: usize = 10_000;

/// What the host resumes with, and whether that resumption ends the run by the host's word.
struct Reply {
    resume: Resume,
    /// A non-catchable stop whose message holds no tool data: reported as is, not redacted.
    host_stop: Option<(ErrorCode, String)>,
}

/// Runs `source` to the end. The run's table is seeded with the policy's (`config.labels` is
/// replaced), so compiled masks and the session agree on every index.
pub fn run_program(
    source: &str,
    mut config: RunConfig,
    policy: &Policy,
    world: &mut dyn World,
) -> HostRun {
    let non_executable = policy.presets().enable_non_executable_memory;
    let mut session = policy.new_session();
    config.labels = policy.labels().clone();
    let mut vm = Vm::new(source, config);
    let mut calls = Vec::new();
    let mut step = vm.run();
    let mut host_stop = None;
    loop {
        let req = match step {
            Step::Done(mut outcome) => {
                if let (Some((code, message)), Some(e)) = (host_stop, outcome.error.as_mut()) {
                    e.code = code;
                    e.message = message;
                    e.redacted = false;
                }
                return HostRun {
                    outcome,
                    calls,
                    labels: vm.labels().clone(),
                };
            }
            Step::ToolCall(req) => req,
        };
        std::mem::swap(&mut session.labels, vm.labels_mut());
        let reply = handle(
            &req,
            policy,
            &mut session,
            world,
            &mut calls,
            non_executable,
        );
        std::mem::swap(&mut session.labels, vm.labels_mut());
        host_stop = reply.host_stop;
        step = vm.resume(reply.resume);
    }
}

/// One suspension: check, answer, apply the result lifecycle.
fn handle(
    req: &ToolRequest,
    policy: &Policy,
    session: &mut Session,
    world: &mut dyn World,
    calls: &mut Vec<CallEntry>,
    non_executable: bool,
) -> Reply {
    let args: Vec<(String, MetaValue)> = req
        .args
        .iter()
        .map(|(n, v, m)| (n.clone(), MetaValue::new(Value::from_json(v), m.clone())))
        .collect();
    let args_meta = req.args.iter().fold(Meta::BOTTOM, |acc, a| acc.join(&a.2));
    if calls.len() >= MAX_TOOL_CALLS {
        let msg = format!("tool call limit reached ({MAX_TOOL_CALLS} calls per run)");
        return stop(ErrorCode::LimitExceeded, msg);
    }
    let verdict = policy.check(&req.tool, &args, session);
    let mut entry = CallEntry {
        id: format!("tc-{}", req.seq),
        tool: req.tool.clone(),
        internal: req.internal,
        args,
        verdict: verdict.to_json(),
        result: None,
        error: None,
    };
    if !verdict.is_allowed() {
        let rules: Vec<&str> = verdict.denial_reasons.iter().map(|r| &*r.rule).collect();
        let message = format!(
            "Tool call {} denied by argument checking policies (rules: {}).",
            req.tool,
            rules.join(", ")
        );
        calls.push(entry);
        return Reply {
            resume: Resume::Raise {
                kind: RaiseKind::PolicyDenied,
                message,
                meta: args_meta,
                catchable: false,
            },
            host_stop: None,
        };
    }
    let plain: Vec<(String, Json)> = req
        .args
        .iter()
        .map(|(n, v, _)| (n.clone(), v.clone()))
        .collect();
    let answer = world.answer(&req.tool, &plain);
    let answer = if req.internal {
        parse_answer(answer)
    } else {
        Ok(answer)
    };
    // Tool errors are tool output: labelled like it (planner.md §5; the VM adds U and the
    // arguments' meta).
    let mut error_meta = Meta::BOTTOM;
    if non_executable {
        error_meta.tags = error_meta
            .tags
            .with(session.labels.intern("__non_executable"));
    }
    let raise = |kind, message: String| Resume::Raise {
        kind,
        message,
        meta: error_meta.clone(),
        catchable: true,
    };
    let reply = match answer {
        Err((kind, message)) => {
            entry.error = Some(message.clone());
            Reply {
                resume: raise(kind, message),
                host_stop: None,
            }
        }
        Ok(Answer::Error(message)) => {
            entry.error = Some(message.clone());
            Reply {
                resume: raise(RaiseKind::ToolError, message),
                host_stop: None,
            }
        }
        Ok(Answer::Missing(message)) => {
            entry.error = Some(message.clone());
            stop(ErrorCode::ProgramError, message)
        }
        Ok(Answer::Output(output)) => {
            let output = Value::from_json(&output);
            match policy.apply_result(&req.tool, &entry.args, &output, session) {
                Ok(result) => {
                    let resume = Resume::Return {
                        value: result.value.to_json(),
                        meta: result.meta.clone(),
                    };
                    entry.result = Some(result);
                    Reply {
                        resume,
                        host_stop: None,
                    }
                }
                // Fail closed: an invalid wrapper is a failed call, never an unlabelled value.
                Err(message) => {
                    entry.error = Some(message.clone());
                    Reply {
                        resume: raise(RaiseKind::ToolError, message),
                        host_stop: None,
                    }
                }
            }
        }
    };
    calls.push(entry);
    reply
}

/// A non-catchable stop decided by the host, with a fixed message.
fn stop(code: ErrorCode, message: String) -> Reply {
    Reply {
        resume: Resume::Raise {
            kind: RaiseKind::ToolError,
            message: message.clone(),
            meta: Meta::BOTTOM,
            catchable: false,
        },
        host_stop: Some((code, message)),
    }
}

/// `parse_with_ai`'s answer (planner.md §5): an object whose `have_enough_info` (absent = true)
/// is stripped; false raises `NotEnoughInformationError`, a non-object raises `ValueError`.
fn parse_answer(answer: Answer) -> Result<Answer, (RaiseKind, String)> {
    let Answer::Output(output) = answer else {
        return Ok(answer);
    };
    let Json::Object(mut obj) = output else {
        return Err((
            RaiseKind::ValueError,
            "parse_with_ai(): the parser's output is not a JSON object".into(),
        ));
    };
    match obj.shift_remove("have_enough_info") {
        None | Some(Json::Bool(true)) => Ok(Answer::Output(Json::Object(obj))),
        Some(Json::Bool(false)) => Err((
            RaiseKind::NotEnoughInformation,
            "the text does not hold the information the output schema asks for".into(),
        )),
        Some(_) => Err((
            RaiseKind::ValueError,
            "parse_with_ai(): `have_enough_info` must be a boolean".into(),
        )),
    }
}
