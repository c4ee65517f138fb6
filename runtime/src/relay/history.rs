//! History comparison (protocol.md §5 "History mismatch"): a continuation's messages against
//! the session's visible transcript.
//!
//! The transcript holds the messages received and the tool-call messages returned; final
//! answers (assistant messages without tool calls) are ignored on both sides, since clients
//! store them in many ways. Messages compare by role, text and ids. A request must start with
//! the transcript, may then add results for issued calls, then user-side messages.

use std::collections::BTreeSet;

use serde_json::Value;

use super::request::content_text;

/// How a request relates to its session's transcript.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Continuation {
    /// The request extends the transcript; `added` counts the new messages compared.
    Extends { added: usize },
    /// The request diverges from the transcript at this index of its compared messages.
    Diverges { at: usize },
    /// A result for a call id that was never issued (or was already answered): `400
    /// unknown_tool_call`. `index` is the message's index in the request.
    UnknownCall { index: usize, id: String },
}

/// What two messages are compared by.
#[derive(Debug, PartialEq, Eq)]
struct Key<'a> {
    role: &'a str,
    text: String,
    tool_call_id: Option<&'a str>,
    call_ids: Vec<&'a str>,
}

fn key(m: &Value) -> Key<'_> {
    Key {
        role: m.get("role").and_then(Value::as_str).unwrap_or(""),
        text: content_text(m.get("content")),
        tool_call_id: m.get("tool_call_id").and_then(Value::as_str),
        call_ids: m
            .get("tool_calls")
            .and_then(Value::as_array)
            .map(|calls| {
                calls
                    .iter()
                    .filter_map(|c| c.get("id").and_then(Value::as_str))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// Whether a message takes part in the comparison (final answers do not).
fn compared(m: &Value) -> bool {
    let k = key(m);
    !(k.role == "assistant" && k.call_ids.is_empty())
}

/// The messages of `history` that a transcript keeps.
pub fn transcript(history: &[Value]) -> Vec<Value> {
    history.iter().filter(|m| compared(m)).cloned().collect()
}

/// Compares a request's messages with the session's transcript; `issued` is every call id the
/// session has returned.
pub fn compare(
    transcript: &[Value],
    received: &[Value],
    issued: &BTreeSet<String>,
) -> Continuation {
    let received: Vec<(usize, &Value)> = received
        .iter()
        .enumerate()
        .filter(|(_, m)| compared(m))
        .collect();
    for (i, stored) in transcript.iter().enumerate() {
        match received.get(i) {
            Some((_, m)) if key(m) == key(stored) => {}
            _ => return Continuation::Diverges { at: i },
        }
    }
    let answered: BTreeSet<&str> = transcript
        .iter()
        .filter_map(|m| key(m).tool_call_id)
        .collect();
    let added = &received[transcript.len()..];
    let mut results_done = false;
    let mut seen = BTreeSet::new();
    for (offset, (index, m)) in added.iter().enumerate() {
        let k = key(m);
        match k.role {
            "tool" if !results_done => {
                let id = k.tool_call_id.unwrap_or("");
                if !issued.contains(id) || answered.contains(id) || !seen.insert(id) {
                    return Continuation::UnknownCall {
                        index: *index,
                        id: id.to_string(),
                    };
                }
            }
            "user" | "system" | "developer" => results_done = true,
            _ => {
                return Continuation::Diverges {
                    at: transcript.len() + offset,
                };
            }
        }
    }
    Continuation::Extends { added: added.len() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn call(id: &str) -> Value {
        json!({"role": "assistant", "content": null, "tool_calls": [{"id": id, "type": "function", "function": {"name": "f", "arguments": "{}"}}]})
    }

    fn result(id: &str, text: &str) -> Value {
        json!({"role": "tool", "tool_call_id": id, "content": text})
    }

    fn user(text: &str) -> Value {
        json!({"role": "user", "content": text})
    }

    #[test]
    fn extension_and_divergence() {
        let issued: BTreeSet<String> = ["c1".to_string(), "c2".to_string()].into();
        let stored = vec![user("hi"), call("c1")];
        let ok = |received: Vec<Value>| compare(&stored, &received, &issued);
        assert_eq!(
            ok(vec![user("hi"), call("c1"), result("c1", "r")]),
            Continuation::Extends { added: 1 }
        );
        // A final answer in between is ignored; parts and strings compare by text.
        let parts = json!({"role": "user", "content": [{"type": "text", "text": "h"}, {"type": "text", "text": "i"}]});
        assert_eq!(
            ok(vec![
                parts,
                json!({"role": "assistant", "content": "thinking"}),
                call("c1"),
                result("c1", "r"),
                user("more")
            ]),
            Continuation::Extends { added: 2 }
        );
        assert_eq!(
            ok(vec![user("HI"), call("c1")]),
            Continuation::Diverges { at: 0 }
        );
        assert_eq!(ok(vec![user("hi")]), Continuation::Diverges { at: 1 });
        assert_eq!(
            ok(vec![user("hi"), call("c9")]),
            Continuation::Diverges { at: 1 }
        );
        // Results come before new user-side messages, and an assistant cannot add tool calls.
        assert_eq!(
            ok(vec![user("hi"), call("c1"), user("x"), result("c1", "r")]),
            Continuation::Diverges { at: 3 }
        );
        assert_eq!(
            ok(vec![user("hi"), call("c1"), call("c2")]),
            Continuation::Diverges { at: 2 }
        );
        assert_eq!(
            ok(vec![user("hi"), call("c1"), result("c3", "r")]),
            Continuation::UnknownCall {
                index: 2,
                id: "c3".into()
            }
        );
        assert_eq!(
            ok(vec![
                user("hi"),
                call("c1"),
                result("c1", "r"),
                result("c1", "again")
            ]),
            Continuation::UnknownCall {
                index: 3,
                id: "c1".into()
            }
        );
    }

    #[test]
    fn answered_calls_cannot_be_answered_again() {
        let issued: BTreeSet<String> = ["c1".to_string()].into();
        let stored = transcript(&[
            user("hi"),
            call("c1"),
            result("c1", "r"),
            json!({"role": "assistant", "content": "done"}),
        ]);
        assert_eq!(stored.len(), 3);
        let mut received = stored.clone();
        received.push(result("c1", "r2"));
        assert_eq!(
            compare(&stored, &received, &issued),
            Continuation::UnknownCall {
                index: 3,
                id: "c1".into()
            }
        );
    }
}
