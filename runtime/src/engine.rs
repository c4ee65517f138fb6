//! The embeddable engine: a policy with its run configuration ([`Engine`]) and one agent's
//! state ([`Session`]) driven step-wise through a planner program's tool calls.
//!
//! ```text
//! session.start(&engine, program) ─▶ Event::Call(call)   the policy allowed it: run it, then
//!                                    │                    session.resume(&engine, answer)
//!                                    └▶ Event::Done(outcome)   program end, denial, error
//! ```
//!
//! A denied call never reaches the host: the engine stops the program with `policy_denied`
//! (uncatchable, protocol.md §6) and the verdict stays in the call log. Each `start` is an
//! attempt: it keeps the variables (and labels) of the attempts before it, so a planner that
//! is told about an error can write the next program against the same namespace.
//!
//! Label tables: the VM run and the policy session each own a `Labels`, both started from the
//! policy's table. Rather than translating metas between two tables, there is one table that is
//! lent to whichever side is working: while the engine handles a suspension, the VM's table is
//! swapped into the policy session (so `check` and `apply_result` read the request's metas and
//! intern any wrapper labels there), and swapped back before `resume`, so the VM reads the
//! result meta against the very table it was built in. Tables only grow, so no index ever
//! changes meaning.
//!
//! The whole session is data ([`Session::to_bytes`], [`Engine::restore`]): the VM snapshot, the
//! policy session (session meta), the pending call and the call log. The relay keeps it in its
//! session store between HTTP requests.
//!
//! ```
//! use serde_json::json;
//! use sqrt_runtime::engine::{Answer, Engine, EngineConfig, Event};
//! use sqrt_std::prelude::Presets;
//! use sqrt_vm::ToolStub;
//!
//! let policy = r#"
//!     tool "get_internal_document" -> @tags |= {"confidential"};
//!     tool "send_email" { hard deny when body.tags overlaps {"confidential"}; }
//! "#;
//! let text = json!({"type": "string"});
//! let config = EngineConfig {
//!     tools: vec![
//!         ToolStub::new("get_internal_document", &[("doc_id", true, text.clone())]),
//!         ToolStub::new("send_email", &[("to", true, text.clone()), ("body", true, text)]),
//!     ],
//!     ..EngineConfig::default()
//! };
//! let engine = Engine::from_source(policy, &Presets::default(), config)?;
//! let program = r#"
//! doc = get_internal_document(doc_id="DOC1")
//! send_email(to="eve@example.com", body="FYI: " + doc)
//! "#;
//!
//! let mut session = engine.session();
//! let Event::Call(call) = session.start(&engine, program) else { panic!("a call first") };
//! assert_eq!(call.tool, "get_internal_document");
//! assert_eq!(call.plain_args()["doc_id"], json!("DOC1"));
//!
//! // Between two requests the session is bytes (a session store keeps them).
//! let bytes = session.to_bytes()?;
//! let mut session = engine.restore(&bytes)?;
//!
//! // The host ran the tool; its output is labelled by the policy and the program resumes.
//! let event = session.resume(&engine, Answer::Output(json!("the secret plan")))?;
//! let Event::Done(outcome) = event else { panic!("the email is never handed out") };
//! let error = outcome.error.unwrap();
//! assert_eq!(error.code.as_str(), "policy_denied");
//! let denied = session.calls().last().unwrap();
//! assert_eq!(denied.verdict["final_verdict"], "hard_denied");
//! assert_eq!(denied.fired_rules(), ["send_email#1"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};
use sqrt_compiler::policy::{Policy, PolicyError, Session as PolicySession};
use sqrt_std::label::Labels;
use sqrt_std::meta::Meta;
use sqrt_std::prelude::Presets;
use sqrt_std::value::{MetaValue, Value};
use sqrt_vm::{
    BranchingPolicy, CarryOver, ErrorCode, Mode, Outcome, RaiseKind, Resume, RunConfig, Step,
    ToolRequest, ToolStub, Vm, VmLimits,
};

mod stored;

pub use stored::ParkedSession;

/// How a session's runs are set up: everything but the program text.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    pub mode: Mode,
    /// None: the presets' default (planner.md §4).
    pub branching: Option<BranchingPolicy>,
    pub limits: VmLimits,
    pub tools: Vec<ToolStub>,
    /// Whether `parse_with_ai` is callable.
    pub parse_with_ai: bool,
    /// The run clock (`datetime.now()`), microseconds since the Unix epoch, UTC.
    pub clock_micros: i64,
    /// Tool calls (internal ones included) per attempt; the next one stops the program with
    /// `limit_exceeded`.
    pub max_tool_calls: usize,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            mode: Mode::Normal,
            branching: None,
            limits: VmLimits::default(),
            tools: Vec::new(),
            parse_with_ai: true,
            clock_micros: 0,
            max_tool_calls: MAX_TOOL_CALLS,
        }
    }
}

/// The VM's branching policy for `presets`: the default one (empty deny) counts as none given,
/// so STRICT then applies its own default (planner.md §4).
pub fn branching_of(presets: &Presets) -> Option<BranchingPolicy> {
    let b = &presets.branching_meta_policy;
    (*b != sqrt_std::prelude::BranchingMetaPolicy::default()).then(|| BranchingPolicy {
        deny: !b.allow_mode,
        tags: b.tags.clone(),
        producers: b.producers.clone(),
        consumers: b.consumers.clone(),
    })
}

/// The default cap on tool calls per attempt (planner.md §7: "The host caps tool calls").
pub const MAX_TOOL_CALLS: usize = 10_000;

/// A loaded policy and the configuration of the runs it guards. Cheap to build around a shared
/// `Arc<Policy>`; `Send + Sync`.
#[derive(Clone, Debug)]
pub struct Engine {
    policy: Arc<Policy>,
    config: EngineConfig,
}

/// A tool's answer, as the host gives it.
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    /// The tool's output (possibly a manual meta wrapper, protocol.md §7). For `parse_with_ai`
    /// an object whose `have_enough_info` (absent = true) is stripped.
    Output(Json),
    /// The tool failed: a catchable `ToolError` in the program.
    Error(String),
    /// A catchable exception of this kind (`NotEnoughInformationError`, `ValueError`, ...).
    Raise(RaiseKind, String),
    /// The host has no answer: the program stops with a program error carrying this message.
    Missing(String),
}

/// One policy-checked call, in program order.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CallEntry {
    /// `tc-<seq>`, or `<prefix><uuid>` with [`Session::set_call_id_prefix`].
    pub id: String,
    /// The attempt (1-based `start` count) that made the call.
    pub attempt: u32,
    pub tool: String,
    pub internal: bool,
    /// The program line of the call.
    pub line: u32,
    /// Arguments with their metas (in the table of [`Session::labels`]).
    pub args: Vec<(String, MetaValue)>,
    /// The verdict report (`Verdict::to_json`, as `sqrtc eval` prints it).
    pub verdict: Json,
    /// How long the policy check took.
    pub duration_ns: u64,
    /// The labelled result of an allowed call that returned.
    pub result: Option<MetaValue>,
    /// The error an allowed call raised (tool error, missing answer, invalid wrapper).
    pub error: Option<String>,
}

impl CallEntry {
    pub fn allowed(&self) -> bool {
        self.verdict["verdict"] == "allow"
    }

    /// The arguments as plain JSON, in stub order.
    pub fn plain_args(&self) -> serde_json::Map<String, Json> {
        self.args
            .iter()
            .map(|(n, v)| (n.clone(), v.value.to_json()))
            .collect()
    }

    /// Ids of the rules that fired, in report order.
    pub fn fired_rules(&self) -> Vec<String> {
        self.verdict["fired"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f["rule"].as_str().map(str::to_string))
            .collect()
    }
}

/// What a session does next.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // the host contract; one per step
pub enum Event {
    /// The policy allowed this call (the last entry of [`Session::calls`]); run it and answer
    /// with [`Session::resume`].
    Call(CallEntry),
    /// The attempt ended: program end, denial, violation, error or limit.
    Done(Outcome),
}

/// Why a session could not be restored or saved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionError(pub String);

impl std::fmt::Display for SessionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SessionError {}

/// The call the VM is suspended at, kept so its result can be labelled.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Pending {
    seq: u32,
    tool: String,
    internal: bool,
}

/// One agent's state: the current (or last) attempt's VM, the policy session, the call log.
pub struct Session {
    policy: PolicySession,
    vm: Option<Vm>,
    pending: Option<Pending>,
    calls: Vec<CallEntry>,
    attempt: u32,
    calls_this_attempt: usize,
    /// A host-decided stop: reported with this code and message, not redacted.
    host_stop: Option<(ErrorCode, String)>,
    /// The meta of the error that stopped the last attempt (STRICT's sticky label).
    last_stop: Option<Meta>,
    call_id_prefix: Option<String>,
}

impl Engine {
    pub fn new(policy: Arc<Policy>, config: EngineConfig) -> Engine {
        Engine { policy, config }
    }

    /// Compiles SQRT source under `presets`.
    pub fn from_source(
        source: &str,
        presets: &Presets,
        config: EngineConfig,
    ) -> Result<Engine, PolicyError> {
        Ok(Engine::new(
            Arc::new(Policy::compile(source, presets)?),
            config,
        ))
    }

    /// Loads `.sqrtb` bytes; recompiled from the embedded source if `presets` differ.
    pub fn from_bytes(
        bytes: &[u8],
        presets: &Presets,
        config: EngineConfig,
    ) -> Result<Engine, PolicyError> {
        let policy = Policy::from_bytes(bytes)?.with_presets(presets)?;
        Ok(Engine::new(Arc::new(policy), config))
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// A new session: ⊥ session meta, no variables.
    pub fn session(&self) -> Session {
        Session {
            policy: self.policy.new_session(),
            vm: None,
            pending: None,
            calls: Vec::new(),
            attempt: 0,
            calls_this_attempt: 0,
            host_stop: None,
            last_stop: None,
            call_id_prefix: None,
        }
    }
}

impl Session {
    /// Call ids become `<prefix><uuid v4>` (the relay's `tc-<session>-`) instead of `tc-<seq>`.
    pub fn set_call_id_prefix(&mut self, prefix: impl Into<String>) {
        self.call_id_prefix = Some(prefix.into());
    }

    /// Starts a new attempt with `source`, keeping the earlier attempts' variables. A program
    /// that does not compile ends at once with `invalid_program`, having run nothing.
    pub fn start(&mut self, engine: &Engine, source: &str) -> Event {
        let c = &engine.config;
        let carry: Option<CarryOver> = self
            .vm
            .as_ref()
            .map(|vm| vm.carry_over(self.last_stop.as_ref()));
        let config = RunConfig {
            mode: c.mode,
            branching: c.branching.clone(),
            limits: c.limits.clone(),
            tools: c.tools.clone(),
            parse_with_ai: c.parse_with_ai,
            clock_micros: c.clock_micros,
            labels: engine.policy.labels().clone(),
            carry,
        };
        self.attempt += 1;
        self.calls_this_attempt = 0;
        self.pending = None;
        self.host_stop = None;
        self.last_stop = None;
        let mut vm = tracing::info_span!("program.compile").in_scope(|| Vm::new(source, config));
        let step = tracing::info_span!("vm.run").in_scope(|| vm.run());
        self.vm = Some(vm);
        self.drive(engine, step)
    }

    /// Answers the pending call. `Err` (an invalid meta wrapper, or no pending call) leaves the
    /// session unchanged: the host may refuse the answer, or resume with `Answer::Error`.
    pub fn resume(&mut self, engine: &Engine, answer: Answer) -> Result<Event, String> {
        let (Some(pending), Some(vm)) = (self.pending.clone(), self.vm.as_mut()) else {
            return Err("no call is waiting for a result".into());
        };
        let Some(index) = self.calls.iter().rposition(|c| c.allowed()) else {
            return Err("no call is waiting for a result".into());
        };
        std::mem::swap(&mut self.policy.labels, vm.labels_mut());
        let reply = answer_call(
            engine,
            &pending,
            &mut self.calls[index],
            &mut self.policy,
            answer,
        );
        let vm = self.vm.as_mut().expect("checked above");
        std::mem::swap(&mut self.policy.labels, vm.labels_mut());
        let reply = reply?;
        self.pending = None;
        self.host_stop = reply.host_stop;
        let step = tracing::info_span!("vm.run").in_scope(|| vm.resume(reply.resume));
        Ok(self.drive(engine, step))
    }

    /// `resume`, failing closed: a refused answer (an invalid wrapper) becomes a failed call,
    /// a catchable `ToolError`, never an unlabelled value.
    pub fn resume_or_fail(&mut self, engine: &Engine, answer: Answer) -> Event {
        let message = match self.resume(engine, answer) {
            Ok(event) => return event,
            Err(message) => message,
        };
        match self.resume(engine, Answer::Error(message)) {
            Ok(event) => event,
            Err(message) => Event::Done(misuse(message)),
        }
    }

    /// Runs suspensions until one needs the host: each call is checked; a denial stops the
    /// program; an allowed one is handed out.
    fn drive(&mut self, engine: &Engine, mut step: Step) -> Event {
        loop {
            let req = match step {
                Step::Done(mut outcome) => {
                    if let (Some((code, message)), Some(e)) =
                        (self.host_stop.take(), outcome.error.as_mut())
                    {
                        e.code = code;
                        e.message = message;
                        e.redacted = false;
                    }
                    self.last_stop = outcome.error.as_ref().map(|e| e.meta.clone());
                    return Event::Done(outcome);
                }
                Step::ToolCall(req) => req,
            };
            let vm = self.vm.as_mut().expect("a step comes from a VM");
            std::mem::swap(&mut self.policy.labels, vm.labels_mut());
            let checked = self.check(engine, &req);
            let vm = self.vm.as_mut().expect("a step comes from a VM");
            std::mem::swap(&mut self.policy.labels, vm.labels_mut());
            match checked {
                Checked::Allowed(entry) => {
                    self.pending = Some(Pending {
                        seq: req.seq,
                        tool: req.tool.clone(),
                        internal: req.internal,
                    });
                    return Event::Call(entry);
                }
                Checked::Refused(reply) => {
                    self.host_stop = reply.host_stop;
                    step = tracing::info_span!("vm.run").in_scope(|| vm.resume(reply.resume));
                }
            }
        }
    }

    /// Checks one suspension (the VM's table is lent to the policy session): an allowed call
    /// for the host, or how the VM resumes instead (a denial or the call cap).
    fn check(&mut self, engine: &Engine, req: &ToolRequest) -> Checked {
        if self.calls_this_attempt >= engine.config.max_tool_calls {
            let msg = format!(
                "tool call limit reached ({} calls per run)",
                engine.config.max_tool_calls
            );
            return Checked::Refused(stop(ErrorCode::LimitExceeded, msg));
        }
        self.calls_this_attempt += 1;
        let args: Vec<(String, MetaValue)> = req
            .args
            .iter()
            .map(|(n, v, m)| (n.clone(), MetaValue::new(Value::from_json(v), m.clone())))
            .collect();
        let span = tracing::info_span!("policy.check", tool = %req.tool);
        let started = std::time::Instant::now();
        let verdict = span.in_scope(|| engine.policy.check(&req.tool, &args, &mut self.policy));
        let duration_ns = started.elapsed().as_nanos() as u64;
        let id = match &self.call_id_prefix {
            Some(prefix) => format!("{prefix}{}", uuid::Uuid::new_v4()),
            None => format!("tc-{}", req.seq),
        };
        let entry = CallEntry {
            id,
            attempt: self.attempt,
            tool: req.tool.clone(),
            internal: req.internal,
            line: req.span.line,
            args,
            verdict: verdict.to_json(),
            duration_ns,
            result: None,
            error: None,
        };
        self.calls.push(entry.clone());
        if verdict.is_allowed() {
            return Checked::Allowed(entry);
        }
        let rules: Vec<&str> = verdict.denial_reasons.iter().map(|r| &*r.rule).collect();
        let message = format!(
            "Tool call {} denied by argument checking policies (rules: {}).",
            req.tool,
            rules.join(", ")
        );
        let args_meta = req.args.iter().fold(Meta::BOTTOM, |acc, a| acc.join(&a.2));
        Checked::Refused(Reply {
            resume: Resume::Raise {
                kind: RaiseKind::PolicyDenied,
                message,
                meta: args_meta,
                catchable: false,
            },
            host_stop: None,
        })
    }

    /// Every checked call so far, all attempts, in order.
    pub fn calls(&self) -> &[CallEntry] {
        &self.calls
    }

    /// The id of the call waiting for a result, if any.
    pub fn pending_call(&self) -> Option<&CallEntry> {
        self.pending.as_ref()?;
        self.calls.iter().rev().find(|c| c.allowed())
    }

    /// The attempts started so far.
    pub fn attempts(&self) -> u32 {
        self.attempt
    }

    /// The label table every meta of this session refers to.
    pub fn labels(&self) -> &Labels {
        match &self.vm {
            Some(vm) => vm.labels(),
            None => &self.policy.labels,
        }
    }

    /// `{"value", "meta"}` of a labelled value.
    pub fn value_json(&self, value: Json, meta: &Meta) -> Json {
        json!({"value": value, "meta": meta.to_json(self.labels())})
    }

    /// The session meta as JSON.
    pub fn session_meta(&self) -> Json {
        self.policy.meta.to_json(self.labels())
    }

    /// Resets the session meta to ⊥ (`clear_session_meta`).
    pub fn clear_session_meta(&mut self) {
        self.policy.meta = Meta::BOTTOM;
    }

    /// The program's variables: name, value, meta and type name (`final_return_value` and
    /// tools excluded).
    pub fn namespace(&self) -> Vec<(String, Json, Meta, String)> {
        self.vm
            .as_ref()
            .map(|vm| {
                vm.namespace()
                    .into_iter()
                    .filter(|(n, _, _, ty)| n != "final_return_value" && !is_callable_type(ty))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Variable names and types (what a planner may be told: never values).
    pub fn variables(&self) -> Vec<(String, String)> {
        self.namespace()
            .into_iter()
            .map(|(n, _, _, ty)| (n, ty))
            .collect()
    }
}

/// The outcome of resuming a session that waits for nothing (a host bug, reported, not panicked).
fn misuse(message: String) -> Outcome {
    Outcome {
        status: sqrt_vm::Status::Failure,
        final_return_value: Json::Null,
        final_meta: Meta::BOTTOM,
        error: Some(sqrt_vm::RunError {
            code: ErrorCode::ProgramError,
            kind: "RuntimeError".into(),
            rendered: format!("RuntimeError: {message}"),
            message,
            redacted: false,
            meta: Meta::BOTTOM,
            line: 0,
            column: 0,
            diagnostics: Vec::new(),
        }),
        calls: Vec::new(),
        printed: String::new(),
        printed_meta: Meta::BOTTOM,
    }
}

fn is_callable_type(ty: &str) -> bool {
    matches!(
        ty,
        "function" | "builtin_function_or_method" | "tool" | "type" | "module"
    )
}

/// A checked suspension.
enum Checked {
    Allowed(CallEntry),
    Refused(Reply),
}

/// What the VM resumes with, and whether that resumption ends the run by the host's word.
struct Reply {
    resume: Resume,
    host_stop: Option<(ErrorCode, String)>,
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

/// The answer to an allowed call, through the result lifecycle (`Policy::apply_result`).
/// `Err` only for an invalid wrapper, with nothing changed but interned labels.
fn answer_call(
    engine: &Engine,
    pending: &Pending,
    entry: &mut CallEntry,
    session: &mut PolicySession,
    answer: Answer,
) -> Result<Reply, String> {
    debug_assert_eq!(entry.tool, pending.tool);
    let answer = if pending.internal {
        parse_answer(answer)
    } else {
        answer
    };
    // Tool errors are tool output: labelled like it (planner.md §5; the VM adds U and the
    // arguments' meta).
    let mut error_meta = Meta::BOTTOM;
    if engine.policy.presets().enable_non_executable_memory {
        error_meta.tags = error_meta
            .tags
            .with(session.labels.intern("__non_executable"));
    }
    let raise = |kind, message: String| Reply {
        resume: Resume::Raise {
            kind,
            message,
            meta: error_meta.clone(),
            catchable: true,
        },
        host_stop: None,
    };
    Ok(match answer {
        Answer::Raise(kind, message) => {
            entry.error = Some(message.clone());
            raise(kind, message)
        }
        Answer::Error(message) => {
            entry.error = Some(message.clone());
            raise(RaiseKind::ToolError, message)
        }
        Answer::Missing(message) => {
            entry.error = Some(message.clone());
            stop(ErrorCode::ProgramError, message)
        }
        Answer::Output(output) => {
            let output = Value::from_json(&output);
            let result = engine
                .policy
                .apply_result(&entry.tool, &entry.args, &output, session)?;
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
    })
}

/// `parse_with_ai`'s answer (planner.md §5): an object whose `have_enough_info` (absent = true)
/// is stripped; false raises `NotEnoughInformationError`, a non-object raises `ValueError`.
fn parse_answer(answer: Answer) -> Answer {
    let Answer::Output(output) = answer else {
        return answer;
    };
    let Json::Object(mut obj) = output else {
        return Answer::Raise(
            RaiseKind::ValueError,
            "parse_with_ai(): the parser's output is not a JSON object".into(),
        );
    };
    match obj.shift_remove("have_enough_info") {
        None | Some(Json::Bool(true)) => Answer::Output(Json::Object(obj)),
        Some(Json::Bool(false)) => Answer::Raise(
            RaiseKind::NotEnoughInformation,
            "the text does not hold the information the output schema asks for".into(),
        ),
        Some(_) => Answer::Raise(
            RaiseKind::ValueError,
            "parse_with_ai(): `have_enough_info` must be a boolean".into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &str = r#"tool "get" -> @tags |= {"t"};
tool "send" { hard deny when body.tags overlaps {"t"}; }"#;

    fn engine() -> Engine {
        let s = json!({"type": "string"});
        let config = EngineConfig {
            tools: vec![
                ToolStub::new("get", &[]),
                ToolStub::new("send", &[("to", true, s.clone()), ("body", true, s)]),
            ],
            ..EngineConfig::default()
        };
        Engine::from_source(POLICY, &Presets::default(), config).unwrap()
    }

    fn call(event: Event) -> CallEntry {
        match event {
            Event::Call(c) => c,
            Event::Done(o) => panic!("expected a call, got {o:?}"),
        }
    }

    fn done(event: Event) -> Outcome {
        match event {
            Event::Done(o) => o,
            Event::Call(c) => panic!("expected the end, got a call of {}", c.tool),
        }
    }

    #[test]
    fn steps_through_calls_and_survives_serialisation_at_each_suspension() {
        let e = engine();
        let mut s = e.session();
        let c = call(s.start(
            &e,
            "x = get()\nsend(to=\"a\", body=\"hi\")\nfinal_return_value = x",
        ));
        assert_eq!((c.tool.as_str(), c.id.as_str()), ("get", "tc-0"));
        let mut s = e.restore(&s.to_bytes().unwrap()).unwrap();
        assert_eq!(s.pending_call().map(|c| c.tool.as_str()), Some("get"));
        let c = call(s.resume(&e, Answer::Output(json!("doc"))).unwrap());
        assert_eq!(c.tool, "send");
        assert_eq!(c.plain_args()["to"], json!("a"));
        let mut s = e.restore(&s.to_bytes().unwrap()).unwrap();
        let o = done(s.resume(&e, Answer::Output(json!("ok"))).unwrap());
        assert_eq!(o.final_return_value, json!("doc"));
        let tags = s.value_json(json!(null), &o.final_meta)["meta"]["tags"].clone();
        assert_eq!(tags, json!(["__non_executable", "t"]));
        assert_eq!(s.calls().len(), 2);
        assert!(s.calls()[0].result.is_some());
    }

    #[test]
    fn a_denial_stops_the_program_and_the_next_attempt_keeps_variables() {
        let e = engine();
        let mut s = e.session();
        s.set_call_id_prefix("tc-S-");
        call(s.start(
            &e,
            "d = get()\nsend(to=\"a\", body=d)\nfinal_return_value = 1",
        ));
        let o = done(s.resume(&e, Answer::Output(json!("secret"))).unwrap());
        let err = o.error.unwrap();
        assert_eq!(err.code, ErrorCode::PolicyDenied);
        assert!(err.message.contains("denied by argument checking policies"));
        assert!(!err.message.contains("secret"));
        let denied = s.calls().last().unwrap();
        assert!(!denied.allowed());
        assert_eq!(denied.fired_rules(), ["send#1"]);
        assert_eq!(denied.line, 2);
        assert!(denied.id.starts_with("tc-S-") && denied.id.len() == 5 + 36);
        assert_eq!(s.variables(), [("d".to_string(), "str".to_string())]);
        // The second attempt sees `d` with its labels: sending it is still denied.
        let o = done(s.start(&e, "send(to=\"b\", body=d)"));
        assert_eq!(o.error.unwrap().code, ErrorCode::PolicyDenied);
        assert_eq!(s.attempts(), 2);
        let o = done(s.start(&e, "final_return_value = len(d)"));
        assert_eq!(o.final_return_value, json!(6));
    }

    #[test]
    fn invalid_wrapper_is_refused_without_changing_the_session() {
        let e = engine();
        let mut s = e.session();
        call(s.start(&e, "final_return_value = get()"));
        let bad = json!({"is_sequrity_var": true, "value": 1});
        assert!(s.resume(&e, Answer::Output(bad)).is_err());
        assert!(s.pending_call().is_some());
        let o = done(s.resume(&e, Answer::Output(json!(2))).unwrap());
        assert_eq!(o.final_return_value, json!(2));
        assert!(s.resume(&e, Answer::Output(json!(3))).is_err());
    }

    #[test]
    fn parse_with_ai_answers_and_the_call_cap() {
        let e = engine();
        let mut s = e.session();
        let program = "try:\n    r = parse_with_ai(query=\"q\", output_schema={\"type\": \"object\"})\nexcept NotEnoughInformationError:\n    r = \"ask\"\nfinal_return_value = r";
        let c = call(s.start(&e, program));
        assert!(c.internal);
        let o = done(
            s.resume(&e, Answer::Output(json!({"have_enough_info": false})))
                .unwrap(),
        );
        assert_eq!(o.final_return_value, json!("ask"));
        call(s.start(&e, program));
        let o = done(
            s.resume(
                &e,
                Answer::Output(json!({"a": 1, "have_enough_info": true})),
            )
            .unwrap(),
        );
        assert_eq!(o.final_return_value, json!({"a": 1}));

        let mut capped = e.clone();
        capped.config.max_tool_calls = 1;
        let mut s = capped.session();
        call(s.start(&capped, "get()\nget()"));
        let o = done(s.resume(&capped, Answer::Output(json!(1))).unwrap());
        let err = o.error.unwrap();
        assert_eq!(err.code, ErrorCode::LimitExceeded);
        assert!(err.message.contains("tool call limit"), "{}", err.message);
    }

    #[test]
    fn a_parked_session_crosses_threads_and_resumes_like_its_bytes() {
        let e = engine();
        let mut s = e.session();
        call(s.start(&e, "x = get()\nfinal_return_value = x + \"!\""));
        let bytes = s.to_bytes().unwrap();
        let parked = s.into_parked().unwrap();
        assert_eq!(parked.to_bytes().unwrap(), bytes);
        // Parked, the session may move to another thread (a `Session` may not).
        let parked = std::thread::spawn(move || parked).join().unwrap();
        let from_parked = ParkedSession::from_bytes(&bytes).unwrap();
        for p in [&parked, &from_parked] {
            let mut s = e.unpark(p).unwrap();
            assert_eq!(s.pending_call().map(|c| c.tool.as_str()), Some("get"));
            let o = done(s.resume(&e, Answer::Output(json!("doc"))).unwrap());
            assert_eq!(o.final_return_value, json!("doc!"));
            let tags = s.value_json(json!(null), &o.final_meta)["meta"]["tags"].clone();
            assert_eq!(tags, json!(["__non_executable", "t"]));
        }
        // Unparking leaves the parked session as it was.
        assert_eq!(parked.to_bytes().unwrap(), bytes);
    }

    #[test]
    fn garbage_bytes_do_not_restore() {
        let e = engine();
        assert!(e.restore(b"").is_err());
        assert!(e.restore(&[1, 2, 3, 4, 5]).is_err());
        let mut bytes = e.session().to_bytes().unwrap();
        bytes[8] = 9;
        assert!(e.restore(&bytes).is_err());
    }
}
