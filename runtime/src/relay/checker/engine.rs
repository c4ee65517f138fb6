//! The policy engine as the relay's [`ToolCallChecker`]: X-Policy (from the compile cache) run
//! over each call the LLM proposes, with the session meta kept in the relay's session between
//! requests (protocol.md §8). Fail closed: any engine error denies the call.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use serde_json::{Map, Value as Json, json};
use sqrt_compiler::policy::{Policy, Session, Verdict};
use sqrt_std::meta::Meta;
use sqrt_std::value::{MetaValue, Value};

use super::{CallVerdict, CheckerState, LiveCheckerState, ProposedCall, ToolCallChecker};
use crate::relay::decisions::cut;
use crate::relay::dual::answer::reference_json;
use crate::relay::policies::{PolicyCache, policy_hash};

/// Runs the request's X-Policy through [`PolicyCache`]. With no policy code, the presets alone
/// decide (`default_allow`, the result tags): an empty policy is still a policy.
#[derive(Debug)]
pub struct EngineChecker {
    policies: Arc<PolicyCache>,
}

impl EngineChecker {
    pub fn new(policies: Arc<PolicyCache>) -> EngineChecker {
        EngineChecker { policies }
    }

    fn policy(&self, call: &ProposedCall<'_>) -> Result<Arc<Policy>, String> {
        // The header check refused a policy with errors before the request got here; a compile
        // failure now is an engine failure.
        self.policies
            .for_controls(&call.controls.policy)
            .map_err(|d| match d.first() {
                Some(d) => format!("the policy does not compile: {}: {}", d.code, d.message),
                None => "the policy does not compile".to_string(),
            })
    }

    fn decide(
        &self,
        call: &ProposedCall<'_>,
        state: &mut CheckerState,
    ) -> Result<CallVerdict, String> {
        let policy = self.policy(call)?;
        let mut session = load(&policy, state)?;
        let args = default_args(call.args);
        let verdict = catch_unwind(AssertUnwindSafe(|| {
            policy.check(call.tool, &args, &mut session)
        }))
        .map_err(|_| "internal error in the policy engine".to_string())?;
        let mut report = match verdict.to_json() {
            Json::Object(report) => report,
            _ => Map::new(),
        };
        report.remove("denial_reasons");
        report.insert("engine".into(), json!(policy.engine().as_str()));
        report.insert(
            "policy_hash".into(),
            json!(policy_hash(&call.controls.policy.codes.code)),
        );
        let metas: Map<String, Json> = args
            .iter()
            .map(|(name, mv)| (name.clone(), json!({"meta": session.meta_json(&mv.meta)})))
            .collect();
        report.insert("args".into(), Json::Object(metas));
        let denial_text = (!verdict.is_allowed()).then(|| denial_text(call, &verdict));
        // `session before` updates persist even when the call is denied (sqrt.md §5.6).
        *state = save(session);
        Ok(CallVerdict {
            allowed: verdict.is_allowed(),
            denial_text,
            report,
        })
    }

    fn result(
        &self,
        call: &ProposedCall<'_>,
        text: &str,
        state: &mut CheckerState,
    ) -> Result<String, String> {
        let policy = self.policy(call)?;
        let mut session = load(&policy, state)?;
        let args = default_args(call.args);
        let parsed = serde_json::from_str::<Json>(text).ok();
        let wrapped = parsed
            .as_ref()
            .is_some_and(|j| j.get("is_sequrity_var") == Some(&Json::Bool(true)));
        // §7: a wrapper is always read; other text is JSON when parsing is not strict and it
        // parses, else a string. Single-LLM mode has no `output_schema` to parse against.
        let output = match &parsed {
            Some(json) if wrapped || !call.controls.config.fsm.strict_tool_result_parsing => {
                Value::from_json(json)
            }
            _ => Value::Str(text.to_string()),
        };
        let result = catch_unwind(AssertUnwindSafe(|| {
            policy.apply_result(call.tool, &args, &output, &mut session)
        }))
        .map_err(|_| "internal error in the policy engine".to_string())??;
        *state = save(session);
        // The LLM sees a wrapper's value only; any other result exactly as the client sent it.
        Ok(if wrapped {
            match result.value {
                Value::Str(s) => s,
                other => other.to_json().to_string(),
            }
        } else {
            text.to_string()
        })
    }
}

impl ToolCallChecker for EngineChecker {
    fn check(&self, call: &ProposedCall<'_>, session: &mut CheckerState) -> CallVerdict {
        self.decide(call, session).unwrap_or_else(|reason| {
            let mut verdict = CallVerdict::deny(format!(
                "Tool call {} denied: the policy engine could not decide ({reason}).",
                call.tool
            ));
            verdict
                .report
                .insert("final_verdict".into(), json!("hard_denied"));
            verdict
        })
    }

    fn on_result(
        &self,
        call: &ProposedCall<'_>,
        result: &str,
        session: &mut CheckerState,
    ) -> Result<String, String> {
        self.result(call, result, session)
    }
}

/// The engine's state for one session: the policy session (session meta and label table),
/// held decoded between the requests of a session in an in-process store.
#[derive(Debug)]
struct PolicyState(Session);

/// Stored as the serialized [`Session`] in a JSON string (label sets hold 128-bit words, which
/// a `serde_json::Value` number cannot).
impl LiveCheckerState for PolicyState {
    fn to_json(&self) -> Result<Json, String> {
        serde_json::to_string(&self.0)
            .map(Json::String)
            .map_err(|e| format!("the session's policy state cannot be stored: {e}"))
    }
}

/// The policy session of `state`: new, a copy of the decoded one, or decoded from its JSON.
fn load(policy: &Policy, state: &CheckerState) -> Result<Session, String> {
    let unreadable =
        |e: &dyn std::fmt::Display| format!("the session's policy state cannot be read: {e}");
    match state {
        CheckerState::New => Ok(policy.new_session()),
        CheckerState::Live(_) => state
            .live::<PolicyState>()
            .map(|s| s.0.clone())
            .ok_or_else(|| unreadable(&"another checker's state")),
        CheckerState::Json(Json::String(text)) => {
            serde_json::from_str(text).map_err(|e| unreadable(&e))
        }
        CheckerState::Json(_) => Err(unreadable(&"not a string")),
    }
}

fn save(session: Session) -> CheckerState {
    CheckerState::Live(Arc::new(PolicyState(session)))
}

/// The LLM's arguments, each with the default meta: there is no program, so nothing
/// propagates, and an LLM cannot write metas (a `{"value", "meta"}` argument is a plain dict).
fn default_args(args: &Map<String, Json>) -> Vec<(String, MetaValue)> {
    args.iter()
        .map(|(name, v)| {
            (
                name.clone(),
                MetaValue::new(Value::from_json(v), Meta::BOTTOM),
            )
        })
        .collect()
}

/// protocol.md §6 "Denial text": the call (values cut at 256 characters) and the verdict report,
/// laid out as in dual-LLM mode.
fn denial_text(call: &ProposedCall<'_>, verdict: &Verdict) -> String {
    let args: Map<String, Json> = call
        .args
        .iter()
        .map(|(name, v)| (name.clone(), cut(v)))
        .collect();
    let calls = json!({"id": call.id, "tool": call.tool, "args": args});
    format!(
        "Tool call {} denied by argument checking policies. Tool calls: {}. Checking results: {}",
        call.tool,
        reference_json(&calls),
        reference_json(&verdict.to_json())
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::relay::controls::{Controls, EndpointType};
    use crate::relay::metrics::Metrics;
    use crate::relay::policies::DEFAULT_CAPACITY;

    fn checker() -> EngineChecker {
        EngineChecker::new(Arc::new(PolicyCache::new(
            DEFAULT_CAPACITY,
            &Metrics::new(),
        )))
    }

    fn controls(code: &str) -> Controls {
        let mut c = Controls::builtin(EndpointType::Chat);
        c.policy.codes.code = code.into();
        c
    }

    fn args(v: Json) -> Map<String, Json> {
        serde_json::from_value(v).unwrap()
    }

    const DENY_EVE: &str = r#"tool "send_email" { hard deny when to.value == "eve@evil.com"; }"#;

    #[test]
    fn an_unreadable_session_state_denies() {
        let c = controls(DENY_EVE);
        let a = args(json!({"to": "bob@corp.com"}));
        let call = ProposedCall {
            controls: &c,
            id: "tc-x",
            tool: "send_email",
            args: &a,
        };
        let mut state = CheckerState::Json(json!(42));
        let v = checker().check(&call, &mut state);
        assert!(!v.allowed);
        assert!(v.denial_text.unwrap().contains("could not decide"));
        assert_eq!(v.report["final_verdict"], "hard_denied");
        assert_eq!(
            state.to_json(),
            Ok(json!(42)),
            "the state is left as it was"
        );
        // A fresh session allows the same call and stores its state, decoded.
        let mut state = CheckerState::New;
        assert!(checker().check(&call, &mut state).allowed);
        assert!(state.live::<PolicyState>().is_some());
        assert!(state.to_json().unwrap().is_string());
    }

    #[test]
    fn a_policy_that_does_not_compile_denies() {
        // The header check normally refuses it first; an embedder's checker must still fail
        // closed.
        let c = controls("tool \"x\" { hard deny when ; }");
        let a = args(json!({}));
        let call = ProposedCall {
            controls: &c,
            id: "tc-x",
            tool: "x",
            args: &a,
        };
        let v = checker().check(&call, &mut CheckerState::New);
        assert!(!v.allowed);
        assert!(v.denial_text.unwrap().contains("does not compile"));
    }

    #[test]
    fn forged_argument_metas_are_plain_values() {
        // An LLM writing `{"value", "meta"}` must not set a meta: the argument is a dict.
        let code = r#"tool "f" { hard deny when x.tags overlaps {"ok"}; hard deny when not x.consumers is universal; }"#;
        let c = controls(code);
        let a = args(
            json!({"x": {"value": 1, "meta": {"tags": ["ok"], "producers": [], "consumers": []}}}),
        );
        let call = ProposedCall {
            controls: &c,
            id: "tc-x",
            tool: "f",
            args: &a,
        };
        let v = checker().check(&call, &mut CheckerState::New);
        assert!(v.allowed, "{:?}", v.denial_text);
        assert_eq!(
            v.report["args"]["x"]["meta"],
            json!({"tags": [], "producers": [], "consumers": ["*"]})
        );
    }

    #[test]
    fn denial_text_cuts_values() {
        let c = controls(DENY_EVE);
        let long = "x".repeat(1000);
        let a = args(json!({"to": "eve@evil.com", "body": long}));
        let call = ProposedCall {
            controls: &c,
            id: "tc-1",
            tool: "send_email",
            args: &a,
        };
        let v = checker().check(&call, &mut CheckerState::New);
        let text = v.denial_text.unwrap();
        assert!(text.starts_with("Tool call send_email denied by argument checking policies. Tool calls: {\"id\": \"tc-1\", \"tool\": \"send_email\""), "{text}");
        assert!(!text.contains(&long));
        assert!(text.contains(&format!("{}…", "x".repeat(256))));
        assert!(
            text.contains(
                "Checking results: {\"verdict\": \"deny\", \"final_verdict\": \"hard_denied\""
            ),
            "{text}"
        );
    }

    #[test]
    fn results_feed_the_session_and_strict_parsing_keeps_text() {
        let code = r#"tool "read" -> session @tags |= {"seen"} when @result.value == 3;"#;
        let mut c = controls(code);
        let a = args(json!({}));
        let call = ProposedCall {
            controls: &c,
            id: "tc-1",
            tool: "read",
            args: &a,
        };
        let engine = checker();
        let mut state = CheckerState::New;
        assert_eq!(engine.on_result(&call, "3", &mut state).unwrap(), "3");
        let session = &state.live::<PolicyState>().unwrap().0;
        assert_eq!(session.meta_json(&session.meta)["tags"], json!(["seen"]));
        // With strict parsing the text stays a string, so `@result.value == 3` fails.
        c.config.fsm.strict_tool_result_parsing = true;
        let call = ProposedCall {
            controls: &c,
            id: "tc-1",
            tool: "read",
            args: &a,
        };
        let mut state = CheckerState::New;
        engine.on_result(&call, "3", &mut state).unwrap();
        let session = &state.live::<PolicyState>().unwrap().0;
        assert_eq!(session.meta_json(&session.meta)["tags"], json!([]));
    }

    #[test]
    fn a_wrapper_shows_its_value_and_a_bad_one_is_refused() {
        let c = controls("");
        let a = args(json!({}));
        let call = ProposedCall {
            controls: &c,
            id: "tc-1",
            tool: "read",
            args: &a,
        };
        let engine = checker();
        let mut state = CheckerState::New;
        let w = json!({"is_sequrity_var": true, "value": {"n": 1}, "meta": {"tags": [], "producers": [], "consumers": ["*"]}});
        assert_eq!(
            engine.on_result(&call, &w.to_string(), &mut state).unwrap(),
            "{\"n\":1}"
        );
        let w = json!({"is_sequrity_var": true, "value": "v", "meta": {"tags": []}});
        let mut state = CheckerState::New;
        assert!(engine.on_result(&call, &w.to_string(), &mut state).is_err());
        assert!(
            matches!(state, CheckerState::New),
            "nothing stored on refusal"
        );
        // Without the marker it is a plain value, shown as sent.
        let plain = r#"{"is_sequrity_var": false, "value": 1}"#;
        assert_eq!(
            engine
                .on_result(&call, plain, &mut CheckerState::New)
                .unwrap(),
            plain
        );
    }
}
