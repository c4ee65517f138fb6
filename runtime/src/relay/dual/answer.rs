//! What a dual-LLM step turns into for the client (protocol.md §6): the tool-call response, the
//! final content (a JSON string in the reference's `", "`/`": "` layout), and the denial text.

use serde::Serialize;
use serde_json::{Map, Value, json};
use sqrt_vm::{Outcome, Status};

use super::super::controls::ResponseFormat;
use super::super::decisions::cut;
use crate::engine::{CallEntry, Session};

/// JSON text with `", "` and `": "` separators, as the reference writes it (clients grep the
/// content for `"denied": [{`).
pub fn reference_json(value: &Value) -> String {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, Spaced);
    // Serializing a `Value` into a Vec cannot fail.
    let _ = value.serialize(&mut ser);
    String::from_utf8(out).unwrap_or_default()
}

struct Spaced;

impl serde_json::ser::Formatter for Spaced {
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
    ) -> std::io::Result<()> {
        writer.write_all(b": ")
    }
}

/// The chat-completion envelope around one assistant message.
pub fn envelope(model: &str, finish_reason: &str, message: Value) -> Value {
    let created = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    json!({
        "id": uuid::Uuid::new_v4().to_string(), "object": "chat.completion", "created": created,
        "model": model,
        "choices": [{"index": 0, "finish_reason": finish_reason, "message": message}],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    })
}

/// The assistant message that hands an allowed call to the client.
pub fn tool_call_message(call: &CallEntry) -> Value {
    let arguments = reference_json(&Value::Object(call.plain_args()));
    json!({"role": "assistant", "content": "", "tool_calls": [{
        "id": call.id, "type": "function",
        "function": {"name": call.tool, "arguments": arguments},
    }]})
}

/// `Tool call <tool> denied by argument checking policies. Tool calls: {"id", "tool", "args"}.
/// Checking results: <report>`, values cut at 256 characters.
pub fn denial_text(call: &CallEntry) -> String {
    let args: Map<String, Value> = call
        .plain_args()
        .iter()
        .map(|(k, v)| (k.clone(), cut(v)))
        .collect();
    let calls = json!({"id": call.id, "tool": call.tool, "args": args});
    format!(
        "Tool call {} denied by argument checking policies. Tool calls: {}. Checking results: {}",
        call.tool,
        reference_json(&calls),
        reference_json(&call.verdict)
    )
}

/// How a turn ended.
pub struct Final<'a> {
    pub outcome: Option<&'a Outcome>,
    /// `(code, message)` of a failure.
    pub error: Option<(String, String)>,
    /// The last attempt's source.
    pub program: Option<&'a str>,
    /// The calls of this turn.
    pub calls: &'a [CallEntry],
    pub mismatch: bool,
}

/// The final answer's content (the §6 table), or the bare value / `Error: <message>` with
/// `strip_response_content`.
pub fn final_content(f: &Final<'_>, session: &Session, format: &ResponseFormat) -> String {
    let success = f.error.is_none() && f.outcome.is_some_and(|o| o.status == Status::Success);
    if format.strip_response_content {
        return match (&f.error, f.outcome) {
            (None, Some(o)) if success => match &o.final_return_value {
                Value::String(s) => s.clone(),
                v => reference_json(v),
            },
            (Some((_, message)), _) => format!("Error: {message}"),
            _ => "Error: the program did not finish".into(),
        };
    }
    let mut content = Map::new();
    content.insert(
        "status".into(),
        json!(if success { "success" } else { "failure" }),
    );
    match (&f.error, f.outcome) {
        (None, Some(o)) if success => {
            let mut v = session.value_json(o.final_return_value.clone(), &o.final_meta);
            v["value_type"] = json!(value_type(&o.final_return_value));
            content.insert("final_return_value".into(), v);
        }
        (Some((code, message)), _) => {
            content.insert("error".into(), json!({"code": code, "message": message}));
        }
        _ => {
            content.insert(
                "error".into(),
                json!({"code": "program_error", "message": "the program did not finish"}),
            );
        }
    }
    if format.include_program
        && let Some(program) = f.program
    {
        content.insert("program".into(), json!(program));
    }
    let denied = f.calls.iter().any(|c| !c.allowed());
    if format.include_policy_check_history || denied {
        let history: Vec<Value> = f.calls.iter().map(|c| history_entry(c, session)).collect();
        content.insert("policy_check_history".into(), Value::Array(history));
    }
    if format.include_namespace_snapshot {
        let namespace: Map<String, Value> = session
            .namespace()
            .into_iter()
            .map(|(name, value, meta, ty)| {
                let mut v = session.value_json(value, &meta);
                v["value_type"] = json!(ty);
                (name, v)
            })
            .collect();
        content.insert("namespace_snapshot".into(), Value::Object(namespace));
    }
    if format.include_policy_check_history || format.include_namespace_snapshot {
        content.insert(
            "session_meta".into(),
            json!({"value": null, "meta": session.session_meta()}),
        );
    }
    if f.mismatch {
        content.insert("message_history_mismatch_detected".into(), json!(true));
    }
    reference_json(&Value::Object(content))
}

/// One `policy_check_history` entry.
fn history_entry(call: &CallEntry, session: &Session) -> Value {
    let args: Map<String, Value> = call
        .args
        .iter()
        .map(|(name, v)| (name.clone(), v.to_json(session.labels())))
        .collect();
    let allowed = call.allowed();
    json!({
        "tool_call_id": call.id, "tool": call.tool, "internal": call.internal,
        "args": args, "verdict": call.verdict, "allowed": allowed, "denied": !allowed,
    })
}

/// The Python type name of a JSON result.
fn value_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_separators() {
        let v = json!({"status": "failure", "denied": [{"a": 1}, 2], "e": {}});
        assert_eq!(
            reference_json(&v),
            r#"{"status": "failure", "denied": [{"a": 1}, 2], "e": {}}"#
        );
        assert_eq!(reference_json(&json!("x\"y")), r#""x\"y""#);
    }
}
