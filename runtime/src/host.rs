//! The synchronous host loop (`sqrtc run`): a planner program driven through the [`Engine`]
//! to its end, every allowed call answered by a [`World`].
//!
//! An invalid meta wrapper from the world is a failed call (a catchable `ToolError`), never an
//! unlabelled value: the engine refuses it and the loop answers with the error instead.

use serde_json::{Value as Json, json};
use sqrt_std::label::Labels;
use sqrt_std::meta::Meta;
use sqrt_vm::Outcome;

pub use crate::engine::{Answer, CallEntry};
use crate::engine::{Engine, Event};

/// What answers allowed tool calls.
pub trait World {
    fn answer(&mut self, tool: &str, args: &[(String, Json)]) -> Answer;
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

/// Runs `source` to the end in a new session of `engine`.
pub fn run_program(engine: &Engine, source: &str, world: &mut dyn World) -> HostRun {
    let mut session = engine.session();
    let mut event = session.start(engine, source);
    loop {
        let call = match event {
            Event::Done(outcome) => {
                return HostRun {
                    outcome,
                    calls: session.calls().to_vec(),
                    labels: session.labels().clone(),
                };
            }
            Event::Call(call) => call,
        };
        let args: Vec<(String, Json)> = call.plain_args().into_iter().collect();
        let answer = world.answer(&call.tool, &args);
        event = session.resume_or_fail(engine, answer);
    }
}
