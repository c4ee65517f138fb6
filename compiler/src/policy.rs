//! The embedding API: compile a policy once, then check calls and apply results per session.
//!
//! ```
//! use sqrt_compiler::policy::{Policy, Session};
//! use sqrt_std::prelude::Presets;
//! use sqrt_std::value::Value;
//!
//! let policy = Policy::compile(
//!     r#"tool "send_email" { hard deny when not to.value in {str matching r".*@corp\.com"}; }"#,
//!     &Presets::default(),
//! )
//! .unwrap();
//! let mut session = policy.new_session();
//! let args = session.args_from_json(&serde_json::json!({"to": "eve@evil.com"})).unwrap();
//! let verdict = policy.check("send_email", &args, &mut session);
//! assert!(!verdict.is_allowed());
//! assert_eq!(verdict.final_verdict.as_str(), "hard_denied");
//!
//! let args = session.args_from_json(&serde_json::json!({"to": "bob@corp.com"})).unwrap();
//! assert!(policy.check("send_email", &args, &mut session).is_allowed());
//! let result = policy.apply_result("send_email", &args, &Value::Str("sent".into()), &mut session).unwrap();
//! assert_eq!(session.meta_json(&result.meta)["tags"], serde_json::json!(["__non_executable"]));
//! ```
//!
//! A `Session` owns the label table of a run: it starts as a clone of the policy's table, so the
//! policy's compiled masks apply unchanged, and grows with labels seen in call metas. Sessions
//! must be created by `Policy::new_session` of the policy that checks them.

use std::borrow::Cow;
use std::sync::Arc;

use serde::Serialize;
use serde_json::{Value as Json, json};
use sqrt_std::label::Labels;
use sqrt_std::meta::Meta;
use sqrt_std::prelude::{PresetLevel, Presets};
use sqrt_std::tools::ToolSet;
use sqrt_std::value::{MetaValue, Value};

use crate::bytecode::{LineSpan, Module};
use crate::check::{CheckOptions, check};
use crate::diag::Diagnostic;
use crate::interp::{Args, BlockState, Env, Interp, Vote, reserved_tags};
use crate::jit::update::BlockKind;
use crate::jit::{Combined, Jit};
use crate::lower::{LowerInput, lower};

/// A loaded, verified policy program with its presets.
#[derive(Debug)]
pub struct Policy {
    interp: Interp,
    /// Stop at the first hard DENY (the host's `fail_fast`, default true).
    pub fail_fast: bool,
    /// Report strings shared by every verdict (cloning an `Arc` does not allocate).
    names: Names,
    /// Why the requested engine is not the one running (a JIT compile failure), if so.
    fallback: Option<String>,
    /// Native verdict functions, when the JIT engine runs.
    jit: Option<Jit>,
}

/// Which engine evaluates checks. The interpreter is the oracle; the JIT must agree with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Engine {
    Jit,
    Interp,
}

impl Engine {
    pub fn as_str(self) -> &'static str {
        match self {
            Engine::Jit => "jit",
            Engine::Interp => "interp",
        }
    }
}

/// A rule's id and doc comment.
type RuleNames = (Arc<str>, Option<Arc<str>>);

#[derive(Debug)]
struct Names {
    /// Per policy: its id text, and per rule its id and description.
    policies: Vec<(Arc<str>, Vec<RuleNames>)>,
    default_allow: Arc<str>,
}

impl Names {
    fn new(m: &Module) -> Names {
        let policies = m
            .policies
            .iter()
            .map(|p| {
                let rules = p
                    .rules
                    .iter()
                    .map(|r| {
                        (
                            Arc::from(r.id.as_str()),
                            r.description.as_deref().map(Arc::from),
                        )
                    })
                    .collect();
                (Arc::from(p.id_text.as_str()), rules)
            })
            .collect();
        Names {
            policies,
            default_allow: Arc::from("preset:default_allow"),
        }
    }
}

/// Why a policy could not be built.
#[derive(Clone, Debug)]
pub enum PolicyError {
    /// The source has errors (the diagnostics include any warnings).
    Compile(Vec<Diagnostic>),
    /// Bytecode that is corrupt, foreign or does not verify.
    Load(String),
}

impl std::fmt::Display for PolicyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PolicyError::Compile(d) => {
                let errors: Vec<String> = d
                    .iter()
                    .filter(|d| d.is_error())
                    .map(|d| format!("{}: {}", d.code, d.message))
                    .collect();
                write!(f, "the policy does not compile: {}", errors.join("; "))
            }
            PolicyError::Load(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for PolicyError {}

/// Compiles source text (and the prelude the presets select) to a module. On success, also
/// returns the warnings.
pub fn compile_module(
    source: &str,
    presets: &Presets,
    tools: Option<&ToolSet>,
) -> Result<(Module, Vec<Diagnostic>), PolicyError> {
    let checked = check(
        source,
        &CheckOptions {
            tools,
            prelude: false,
        },
    );
    let Some(program) = checked.program else {
        return Err(PolicyError::Compile(checked.diagnostics));
    };
    let mut prelude_text = String::new();
    let mut ranges = Vec::new();
    for p in presets.instantiate() {
        let start = prelude_text.len();
        prelude_text.push_str(&p.source);
        ranges.push((start..prelude_text.len(), p.name.to_owned()));
    }
    let prelude_checked = check(
        &prelude_text,
        &CheckOptions {
            tools: None,
            prelude: true,
        },
    );
    let Some(prelude) = prelude_checked.program else {
        return Err(PolicyError::Load(format!(
            "internal error: the preset prelude does not compile: {:?}",
            prelude_checked.diagnostics
        )));
    };
    let preset_names: Vec<String> = prelude
        .policies
        .iter()
        .map(|p| {
            let at = p.span.start as usize;
            ranges
                .iter()
                .find(|(r, _)| r.contains(&at))
                .map_or_else(String::new, |(_, n)| n.clone())
        })
        .collect();
    let module = lower(&LowerInput {
        source,
        program: &program,
        presets,
        prelude_text: &prelude_text,
        prelude: &prelude,
        preset_names: &preset_names,
    });
    Ok((module, checked.diagnostics))
}

/// A call's verdict level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FinalVerdict {
    HardDenied,
    HardAllowed,
    SoftDenied,
    SoftAllowed,
}

impl FinalVerdict {
    pub fn as_str(self) -> &'static str {
        match self {
            FinalVerdict::HardDenied => "hard_denied",
            FinalVerdict::HardAllowed => "hard_allowed",
            FinalVerdict::SoftDenied => "soft_denied",
            FinalVerdict::SoftAllowed => "soft_allowed",
        }
    }

    pub fn is_allowed(self) -> bool {
        matches!(self, FinalVerdict::HardAllowed | FinalVerdict::SoftAllowed)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Allow,
    Deny,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Hard,
    Soft,
}

/// One evaluated vote (or the `preset:default_allow` fallback), as cli.md's `fired` entries.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Fired {
    pub rule: Arc<str>,
    pub policy: Option<Arc<str>>,
    pub outcome: Outcome,
    pub level: Level,
    pub priority: Option<i64>,
    pub description: Option<Arc<str>>,
    pub span: Option<LineSpan>,
    /// With explain: each top-level `and`/`or` operand of the condition and its truth value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conjuncts: Option<Vec<Conjunct>>,
}

/// One operand of a fired rule's condition (`sqrtc eval --explain`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Conjunct {
    pub text: String,
    pub value: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DenialReason {
    pub rule: Arc<str>,
    pub enforcement_level: Level,
    pub description: Option<Arc<str>>,
}

/// The verdict report of sqrt.md §5.8.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    pub final_verdict: FinalVerdict,
    pub fired: Vec<Fired>,
    pub denial_reasons: Vec<DenialReason>,
}

impl Verdict {
    pub fn is_allowed(&self) -> bool {
        self.final_verdict.is_allowed()
    }

    /// `{verdict, final_verdict, n_allowed, n_denied, fired, denial_reasons}` (cli.md `eval`).
    pub fn to_json(&self) -> Json {
        let n_allowed = self
            .fired
            .iter()
            .filter(|f| f.outcome == Outcome::Allow)
            .count();
        json!({
            "verdict": if self.is_allowed() { "allow" } else { "deny" },
            "final_verdict": self.final_verdict.as_str(),
            "n_allowed": n_allowed,
            "n_denied": self.fired.len() - n_allowed,
            "fired": serde_json::to_value(&self.fired).unwrap_or(Json::Null),
            "denial_reasons": serde_json::to_value(&self.denial_reasons).unwrap_or(Json::Null),
        })
    }
}

/// The state kept across the calls of one run: the session meta and the run's label table.
/// Serialisable, so a session store can keep it between requests.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct Session {
    pub labels: Labels,
    pub meta: Meta,
}

impl Session {
    /// Parses `{"name": value-or-value-with-meta, ...}` into call arguments.
    pub fn args_from_json(&mut self, json: &Json) -> Result<Vec<(String, MetaValue)>, String> {
        let Json::Object(obj) = json else {
            return Err("`args` must be an object".into());
        };
        obj.iter()
            .map(|(k, v)| {
                MetaValue::from_json(v, &mut self.labels)
                    .map(|mv| (k.clone(), mv))
                    .map_err(|e| format!("argument `{k}`: {e}"))
            })
            .collect()
    }

    /// Replaces the session meta with a JSON meta.
    pub fn set_meta_json(&mut self, json: &Json) -> Result<(), String> {
        self.meta = Meta::from_json(json, &mut self.labels)?;
        Ok(())
    }

    /// Any meta of this session's table as JSON.
    pub fn meta_json(&self, meta: &Meta) -> Json {
        meta.to_json(&self.labels)
    }
}

impl Policy {
    /// Compiles source text with the given presets.
    pub fn compile(source: &str, presets: &Presets) -> Result<Policy, PolicyError> {
        let (module, _) = compile_module(source, presets, None)?;
        Policy::from_module(module)
    }

    /// Verifies a module and prepares it to run.
    pub fn from_module(module: Module) -> Result<Policy, PolicyError> {
        crate::verify::verify(&module).map_err(|e| PolicyError::Load(e.to_string()))?;
        let names = Names::new(&module);
        let interp = Interp::new(module).map_err(PolicyError::Load)?;
        Ok(Policy {
            interp,
            fail_fast: true,
            names,
            fallback: None,
            jit: None,
        })
    }

    /// Loads `.sqrtb` bytes: decode, verify, prepare. Never panics on any input.
    pub fn from_bytes(bytes: &[u8]) -> Result<Policy, PolicyError> {
        let module = Module::decode(bytes).map_err(|e| PolicyError::Load(e.to_string()))?;
        Policy::from_module(module)
    }

    /// The same policy under other presets: recompiled from the embedded source if they differ.
    pub fn with_presets(self, presets: &Presets) -> Result<Policy, PolicyError> {
        if &self.interp.module.presets == presets {
            return Ok(self);
        }
        let fail_fast = self.fail_fast;
        let mut p = Policy::compile(&self.interp.module.source, presets)?;
        p.fail_fast = fail_fast;
        Ok(p)
    }

    /// Selects the engine. A JIT that cannot be built leaves the interpreter running, logs why
    /// (`tracing::warn!`) and reports it in [`Policy::fallback`].
    pub fn with_engine(self, engine: Engine) -> Policy {
        let compiled = match engine {
            Engine::Interp => None,
            Engine::Jit => Some(Jit::compile(&self.interp)),
        };
        self.install(compiled)
    }

    /// Test only: requests the JIT but makes its compilation fail, to exercise the fallback.
    #[doc(hidden)]
    pub fn with_failing_jit(self) -> Policy {
        self.install(Some(Err("JIT failure forced by a test".into())))
    }

    fn install(mut self, compiled: Option<Result<Jit, String>>) -> Policy {
        (self.jit, self.fallback) = match compiled {
            None => (None, None),
            Some(Ok(jit)) => (Some(jit), None),
            Some(Err(why)) => {
                tracing::warn!("JIT unavailable, checks run on the interpreter: {why}");
                (None, Some(why))
            }
        };
        self
    }

    /// The engine that actually runs checks.
    pub fn engine(&self) -> Engine {
        if self.jit.is_some() {
            Engine::Jit
        } else {
            Engine::Interp
        }
    }

    /// How many update blocks (`session before`, `result`, `session after`) the JIT compiled
    /// to native code; 0 on the interpreter (docs/jit.md "Update blocks").
    pub fn native_blocks(&self) -> usize {
        self.jit.as_ref().map_or(0, Jit::native_blocks)
    }

    /// Test only: the interpreter and the JIT, for block-level differential tests.
    #[doc(hidden)]
    pub fn engines(&self) -> (&Interp, Option<&Jit>) {
        (&self.interp, self.jit.as_ref())
    }

    /// Why the JIT was requested but the interpreter runs, if it was.
    pub fn fallback(&self) -> Option<&str> {
        self.fallback.as_deref()
    }

    pub fn module(&self) -> &Module {
        &self.interp.module
    }

    pub fn labels(&self) -> &Labels {
        &self.interp.module.labels
    }

    pub fn presets(&self) -> &Presets {
        &self.interp.module.presets
    }

    /// A fresh session: ⊥ meta, the policy's label table.
    pub fn new_session(&self) -> Session {
        Session {
            labels: self.labels().clone(),
            meta: Meta::BOTTOM,
        }
    }

    /// Steps 1–2 of the call lifecycle (sqrt.md §5.6): the matching user policies' `session
    /// before` blocks update the session (even if the call is then denied), then the check rules
    /// vote and the votes combine into the verdict.
    pub fn check(&self, tool: &str, args: &Args, session: &mut Session) -> Verdict {
        self.check_with(tool, args, session, false)
    }

    /// `check`, and with `explain` each fired rule also reports its condition's operands.
    pub fn check_with(
        &self,
        tool: &str,
        args: &Args,
        session: &mut Session,
        explain: bool,
    ) -> Verdict {
        let route = self.jit.as_ref().map(|j| j.route(&self.interp, tool));
        let matching = match &route {
            Some(r) => Cow::Borrowed(&*r.policies),
            None => self.interp.matching(tool),
        };
        self.session_before(&matching, args, session);
        let env = Env {
            args,
            session: &session.meta,
            result: None,
            labels: &session.labels,
        };
        let native = match (&self.jit, &route) {
            (Some(jit), Some(route)) => {
                let run = jit.run(&self.interp, route, &env, self.fail_fast, |votes, _| {
                    (self.combine(votes), explain.then(|| votes.to_vec()))
                });
                if run.is_none() {
                    tracing::warn!("a JIT helper failed on tool `{tool}`: the interpreter decides");
                }
                run
            }
            _ => None,
        };
        let (mut verdict, votes) = match native {
            Some((verdict, votes)) => (verdict, votes.unwrap_or_default()),
            None => {
                let votes = self.interp.votes(&matching, &env, self.fail_fast);
                (self.combine(&votes), votes)
            }
        };
        if explain {
            for (f, v) in verdict.fired.iter_mut().zip(&votes) {
                let rule = &self.interp.module.policies[v.policy].rules[v.rule];
                let parts = rule.conjuncts.iter().map(|(p, text)| Conjunct {
                    text: text.clone(),
                    value: self.interp.pred(*p, &env),
                });
                f.conjuncts = Some(parts.collect());
            }
        }
        verdict
    }

    /// Only the verdict level of `check` (same lifecycle step 1, same votes), without building
    /// the report: on the JIT engine this path allocates nothing for ordinary policies.
    pub fn decide(&self, tool: &str, args: &Args, session: &mut Session) -> FinalVerdict {
        let route = self.jit.as_ref().map(|j| j.route(&self.interp, tool));
        let matching = match &route {
            Some(r) => Cow::Borrowed(&*r.policies),
            None => self.interp.matching(tool),
        };
        self.session_before(&matching, args, session);
        let env = Env {
            args,
            session: &session.meta,
            result: None,
            labels: &session.labels,
        };
        if let (Some(jit), Some(route)) = (&self.jit, &route)
            && let Some(v) = jit.run(&self.interp, route, &env, self.fail_fast, |votes, c| {
                self.level(!votes.is_empty(), c)
            })
        {
            return v;
        }
        let votes = self.interp.votes(&matching, &env, self.fail_fast);
        self.combine(&votes).final_verdict
    }

    /// The verdict level from the native combination state.
    fn level(&self, any_vote: bool, c: Combined) -> FinalVerdict {
        if c.hard_deny {
            FinalVerdict::HardDenied
        } else if c.hard_allow {
            FinalVerdict::HardAllowed
        } else if c.any_soft {
            if c.deny_at_top {
                FinalVerdict::SoftDenied
            } else {
                FinalVerdict::SoftAllowed
            }
        } else {
            debug_assert!(!any_vote);
            let p = &self.interp.module.presets;
            match (p.default_allow, p.default_allow_enforcement_level) {
                (true, PresetLevel::Hard) => FinalVerdict::HardAllowed,
                (true, PresetLevel::Soft) => FinalVerdict::SoftAllowed,
                (false, PresetLevel::Hard) => FinalVerdict::HardDenied,
                (false, PresetLevel::Soft) => FinalVerdict::SoftDenied,
            }
        }
    }

    /// Update block `kind` of policy `pi`: native when the JIT compiled it and the metas fit its
    /// words, the interpreter's code otherwise. Statements of user policies keep the reserved
    /// tags (sqrt.md §4.4); the prelude's may change them.
    fn run_block(
        &self,
        pi: usize,
        kind: BlockKind,
        args: &Args,
        labels: &Labels,
        state: &mut BlockState<'_>,
    ) {
        if let Some(jit) = &self.jit
            && jit.run_block(&self.interp, pi, kind, args, labels, state)
        {
            return;
        }
        let p = &self.interp.module.policies[pi];
        self.interp
            .run_block(kind.stmts(p), args, labels, state, p.preset.is_none());
    }

    /// Step 1: the matching user policies' `session before` blocks update the session.
    fn session_before(&self, matching: &[usize], args: &Args, session: &mut Session) {
        for &pi in matching {
            let p = &self.interp.module.policies[pi];
            if p.preset.is_none() && !p.session_before.is_empty() {
                let mut state = BlockState {
                    session: &mut session.meta,
                    result: None,
                };
                self.run_block(
                    pi,
                    BlockKind::SessionBefore,
                    args,
                    &session.labels,
                    &mut state,
                );
            }
        }
    }

    fn fired(&self, v: &Vote) -> Fired {
        let p = &self.interp.module.policies[v.policy];
        let r = &p.rules[v.rule];
        let (policy, rules) = &self.names.policies[v.policy];
        let (rule, description) = &rules[v.rule];
        Fired {
            rule: rule.clone(),
            policy: Some(policy.clone()),
            outcome: if v.allow {
                Outcome::Allow
            } else {
                Outcome::Deny
            },
            level: if v.hard { Level::Hard } else { Level::Soft },
            priority: Some(p.priority),
            description: description.clone(),
            span: Some(r.span),
            conjuncts: None,
        }
    }

    /// Votes to verdict (sqrt.md §5.5 step 3).
    fn combine(&self, votes: &[Vote]) -> Verdict {
        let fired: Vec<Fired> = votes.iter().map(|v| self.fired(v)).collect();
        let reason = |f: &Fired| DenialReason {
            rule: f.rule.clone(),
            enforcement_level: f.level,
            description: f.description.clone(),
        };
        let reasons = |pick: &dyn Fn(&Vote) -> bool| -> Vec<DenialReason> {
            votes
                .iter()
                .zip(&fired)
                .filter(|(v, _)| pick(v))
                .map(|(_, f)| reason(f))
                .collect()
        };
        if votes.iter().any(|v| v.hard && !v.allow) {
            let denial_reasons = reasons(&|v| v.hard && !v.allow);
            return Verdict {
                final_verdict: FinalVerdict::HardDenied,
                fired,
                denial_reasons,
            };
        }
        if votes.iter().any(|v| v.hard && v.allow) {
            return Verdict {
                final_verdict: FinalVerdict::HardAllowed,
                fired,
                denial_reasons: Vec::new(),
            };
        }
        let prio = |v: &Vote| self.interp.module.policies[v.policy].priority;
        if let Some(top) = votes.iter().map(prio).max() {
            let denial_reasons = reasons(&|v| !v.allow && prio(v) == top);
            let final_verdict = if denial_reasons.is_empty() {
                FinalVerdict::SoftAllowed
            } else {
                FinalVerdict::SoftDenied
            };
            return Verdict {
                final_verdict,
                fired,
                denial_reasons,
            };
        }
        // No vote: the default decides, as the pseudo-rule `preset:default_allow`.
        let presets = &self.interp.module.presets;
        let level = match presets.default_allow_enforcement_level {
            PresetLevel::Hard => Level::Hard,
            PresetLevel::Soft => Level::Soft,
        };
        let allow = presets.default_allow;
        let fallback = Fired {
            rule: self.names.default_allow.clone(),
            policy: None,
            outcome: if allow { Outcome::Allow } else { Outcome::Deny },
            level,
            priority: None,
            description: None,
            span: None,
            conjuncts: None,
        };
        let final_verdict = match (allow, level) {
            (true, Level::Hard) => FinalVerdict::HardAllowed,
            (true, Level::Soft) => FinalVerdict::SoftAllowed,
            (false, Level::Hard) => FinalVerdict::HardDenied,
            (false, Level::Soft) => FinalVerdict::SoftDenied,
        };
        let denial_reasons = if allow {
            Vec::new()
        } else {
            vec![reason(&fallback)]
        };
        Verdict {
            final_verdict,
            fired: vec![fallback],
            denial_reasons,
        }
    }

    /// Steps 4–8 of the lifecycle for an allowed call's tool output: the initial result meta
    /// (join of the arguments' metas), a manual wrapper, the user's `result` blocks, the
    /// prelude's result updates, then the `session after` blocks. Returns the final result.
    /// An invalid wrapper is an error (the host must treat the output as failed).
    pub fn apply_result(
        &self,
        tool: &str,
        args: &Args,
        output: &Value,
        session: &mut Session,
    ) -> Result<MetaValue, String> {
        let initial = args
            .iter()
            .fold(Meta::BOTTOM, |acc, (_, mv)| acc.join(&mv.meta));
        let mut result = unwrap_wrapper(output, initial, &mut session.labels)?;
        let matching = self.interp.matching(tool);
        let m = &self.interp.module;
        for preset_pass in [false, true] {
            for &pi in matching.iter() {
                let p = &m.policies[pi];
                if p.preset.is_some() == preset_pass && !p.result.is_empty() {
                    let mut state = BlockState {
                        session: &mut session.meta,
                        result: Some(&mut result),
                    };
                    self.run_block(pi, BlockKind::Result, args, &session.labels, &mut state);
                }
            }
        }
        for &pi in matching.iter() {
            let p = &m.policies[pi];
            if !p.session_after.is_empty() {
                let mut state = BlockState {
                    session: &mut session.meta,
                    result: Some(&mut result),
                };
                self.run_block(
                    pi,
                    BlockKind::SessionAfter,
                    args,
                    &session.labels,
                    &mut state,
                );
            }
        }
        Ok(result)
    }
}

/// Step 5: a tool output `{"is_sequrity_var": true, "value", "meta", "combine_meta"?}`.
fn unwrap_wrapper(output: &Value, initial: Meta, labels: &mut Labels) -> Result<MetaValue, String> {
    let Value::Dict(entries) = output else {
        return Ok(MetaValue::new(output.clone(), initial));
    };
    if output.get("is_sequrity_var") != Some(&Value::Bool(true)) {
        return Ok(MetaValue::new(output.clone(), initial));
    }
    for (k, _) in entries {
        if !matches!(
            k.as_str(),
            "is_sequrity_var" | "value" | "meta" | "combine_meta"
        ) {
            return Err(format!("invalid meta wrapper: unknown key `{k}`"));
        }
    }
    let value = output
        .get("value")
        .ok_or("invalid meta wrapper: `value` is missing")?
        .clone();
    let meta_json = output
        .get("meta")
        .ok_or("invalid meta wrapper: `meta` is missing")?
        .to_json();
    for field in sqrt_std::meta::FIELDS {
        if meta_json.get(field).is_none() {
            return Err(format!("invalid meta wrapper: `meta.{field}` is missing"));
        }
    }
    let wrapper =
        Meta::from_json(&meta_json, labels).map_err(|e| format!("invalid meta wrapper: {e}"))?;
    let meta = match output.get("combine_meta") {
        None => initial.join(&wrapper),
        Some(Value::Str(mode)) => match mode.as_str() {
            "merge" => initial.join(&wrapper),
            "ignore" => initial,
            "replace" => {
                let kept = reserved_tags(&initial.tags, labels);
                let mut m = wrapper;
                m.tags.union_assign(&kept);
                m
            }
            other => {
                return Err(format!(
                    "invalid meta wrapper: combine_meta `{other}` (expected merge, replace or ignore)"
                ));
            }
        },
        Some(_) => return Err("invalid meta wrapper: combine_meta must be a string".into()),
    };
    Ok(MetaValue::new(value, meta))
}
