//! The hook through which the policy engine decides tool calls in single-LLM mode
//! (protocol.md §8): the relay calls it for every call the LLM proposes and for every result
//! the client returns, and keeps the engine's per-session state between requests.

use std::any::Any;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::controls::Controls;

mod engine;

pub use engine::EngineChecker;

/// A call the LLM proposed, with the request's resolved controls (the policy is in
/// `controls.policy`).
#[derive(Clone, Copy, Debug)]
pub struct ProposedCall<'a> {
    pub controls: &'a Controls,
    /// The relay id the call has, or would have if returned (`tc-<session>-<call>`).
    pub id: &'a str,
    pub tool: &'a str,
    pub args: &'a Map<String, Value>,
}

/// The engine's decision on one call.
#[derive(Clone, Debug, PartialEq)]
pub struct CallVerdict {
    pub allowed: bool,
    /// Shown to the client when the call is denied (protocol.md §6 "Denial text").
    pub denial_text: Option<String>,
    /// Fields for the decision log line, overriding the relay's: the verdict report of
    /// `sqrtc eval` (`verdict`, `final_verdict`, `fired`, `n_allowed`, `n_denied`), `engine`,
    /// `policy_hash`, and `args` with the arguments' metas (`{name: {"meta"}}`, merged into
    /// the relay's entries so logged values stay).
    pub report: Map<String, Value>,
}

impl CallVerdict {
    pub fn allow() -> CallVerdict {
        CallVerdict {
            allowed: true,
            denial_text: None,
            report: Map::new(),
        }
    }

    pub fn deny(text: impl Into<String>) -> CallVerdict {
        CallVerdict {
            allowed: false,
            denial_text: Some(text.into()),
            report: Map::new(),
        }
    }
}

/// A checker's state for one session, which the relay stores with the session when the
/// request commits. An in-process store keeps it as the checker left it, so a checker that
/// decodes its state once ([`CheckerState::Live`]) never decodes it again on the next request;
/// outside the process it is stored as JSON and comes back as [`CheckerState::Json`].
#[derive(Clone, Debug, Default)]
pub enum CheckerState {
    /// A new session: the checker has stored nothing yet (`null` when stored).
    #[default]
    New,
    /// The state as stored outside the process.
    Json(Value),
    /// The checker's decoded state, shared, never mutated: a change stores a new value.
    Live(Arc<dyn LiveCheckerState>),
}

/// A checker's decoded state, and how it is stored as JSON.
pub trait LiveCheckerState: Any + Send + Sync + std::fmt::Debug {
    fn to_json(&self) -> Result<Value, String>;
}

impl CheckerState {
    /// The decoded state, if it is held as a `T`.
    pub fn live<T: LiveCheckerState>(&self) -> Option<&T> {
        match self {
            CheckerState::Live(live) => (live.as_ref() as &dyn Any).downcast_ref::<T>(),
            _ => None,
        }
    }

    /// The state as stored: `null`, the JSON, or the decoded state's JSON.
    pub fn to_json(&self) -> Result<Value, String> {
        match self {
            CheckerState::New => Ok(Value::Null),
            CheckerState::Json(json) => Ok(json.clone()),
            CheckerState::Live(live) => live.to_json(),
        }
    }
}

impl Serialize for CheckerState {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json()
            .map_err(serde::ser::Error::custom)?
            .serialize(s)
    }
}

impl<'de> Deserialize<'de> for CheckerState {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::Null => CheckerState::New,
            json => CheckerState::Json(json),
        })
    }
}

/// Implemented by the policy engine.
pub trait ToolCallChecker: Send + Sync {
    /// Decides a proposed call. `session` is the engine's state for this session
    /// ([`CheckerState::New`] in a new one), stored by the relay when the request commits.
    fn check(&self, call: &ProposedCall<'_>, session: &mut CheckerState) -> CallVerdict;

    /// Takes the client's result for an allowed call (the tool message's text, parts joined)
    /// and returns the text the LLM sees: the place for manual meta wrappers (§7), `result`
    /// and `session after` blocks. `Err` refuses the request as `400 invalid_tool_result`,
    /// with nothing changed. Called once per call; later requests forward the same text.
    fn on_result(
        &self,
        call: &ProposedCall<'_>,
        result: &str,
        session: &mut CheckerState,
    ) -> Result<String, String> {
        let _ = (call, session);
        Ok(result.to_string())
    }
}

/// Every call is allowed and results pass unchanged: for embedders that decide elsewhere. The
/// relay's default is [`EngineChecker`].
#[derive(Clone, Copy, Debug, Default)]
pub struct AllowAll;

impl ToolCallChecker for AllowAll {
    fn check(&self, _: &ProposedCall<'_>, _: &mut CheckerState) -> CallVerdict {
        CallVerdict::allow()
    }
}
