//! The chat-completions request body (protocol.md §4): JSON bytes turned into a validated
//! [`ChatRequest`], or a located 400.
//!
//! Validation is shape-only and mode-independent, except [`ChatRequest::check_dual_llm`],
//! which adds the rules that only the planner needs (text-only content, tool names that are
//! Python identifiers).

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::config::LimitsConfig;
use super::error::{ApiError, ErrorCode};

pub const ROLES: [&str; 5] = ["system", "developer", "user", "assistant", "tool"];

/// The planner model and the quarantined model (the same when `model` names one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Models {
    pub pllm: String,
    pub qllm: String,
}

impl Models {
    /// `"pllm"` or `"pllm,qllm"`.
    pub fn parse(text: &str) -> Option<Models> {
        let parts: Vec<&str> = text.split(',').map(str::trim).collect();
        if parts.iter().any(|p| p.is_empty()) {
            return None;
        }
        match parts.as_slice() {
            [one] => Some(Models {
                pllm: one.to_string(),
                qllm: one.to_string(),
            }),
            [p, q] => Some(Models {
                pllm: p.to_string(),
                qllm: q.to_string(),
            }),
            _ => None,
        }
    }

    /// The `model` the responses echo: both names.
    pub fn echo(&self) -> String {
        format!("{},{}", self.pllm, self.qllm)
    }
}

/// One function tool of the request.
#[derive(Clone, Debug, PartialEq)]
pub struct ToolDef {
    pub name: String,
    pub description: Option<String>,
    /// The `parameters` object schema (an empty object schema when absent).
    pub parameters: Value,
    pub output_schema: Option<Value>,
}

/// A validated request. `body` is the client's object as received, for forwarding.
#[derive(Clone, Debug, PartialEq)]
pub struct ChatRequest {
    pub body: Map<String, Value>,
    pub models: Models,
    pub tools: Vec<ToolDef>,
    pub stream: bool,
}

fn invalid(param: impl Into<String>, message: impl std::fmt::Display) -> ApiError {
    let param = param.into();
    ApiError::new(ErrorCode::InvalidRequest, format!("{param}: {message}")).with_param(param)
}

/// How a JSON value is named in error messages ("a string", "an array").
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A message's role ("" when missing).
pub(crate) fn role(message: &Value) -> &str {
    message.get("role").and_then(Value::as_str).unwrap_or("")
}

/// The text of a message's content: the string, or its text parts joined.
pub fn content_text(content: Option<&Value>) -> String {
    match content {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect(),
        _ => String::new(),
    }
}

impl ChatRequest {
    /// Parses and validates a body.
    pub fn parse(bytes: &[u8], limits: &LimitsConfig) -> Result<ChatRequest, ApiError> {
        let value: Value = serde_json::from_slice(bytes).map_err(|e| {
            ApiError::new(
                ErrorCode::InvalidJson,
                format!("the request body is not valid JSON: {e}"),
            )
        })?;
        let Value::Object(body) = value else {
            return Err(invalid(
                "body",
                format!("expected a JSON object, found {}", kind(&value)),
            ));
        };
        let models = match body.get("model") {
            Some(Value::String(m)) => Models::parse(m).ok_or_else(|| {
                ApiError::new(
                    ErrorCode::InvalidModel,
                    format!("model: expected \"<planner>\" or \"<planner>,<parser>\", found {m:?}"),
                )
                .with_param("model")
            })?,
            other => {
                return Err(ApiError::new(
                    ErrorCode::InvalidModel,
                    format!(
                        "model: expected a string, found {}",
                        other.map_or("nothing", kind)
                    ),
                )
                .with_param("model"));
            }
        };
        check_messages(body.get("messages"), limits)?;
        let tools = check_tools(body.get("tools"), limits)?;
        match body.get("n") {
            None | Some(Value::Null) => {}
            Some(n) if n.as_u64() == Some(1) => {}
            Some(n) => return Err(invalid("n", format!("only n = 1 is supported, found {n}"))),
        }
        let stream = match body.get("stream") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                return Err(invalid(
                    "stream",
                    format!("expected a boolean, found {}", kind(other)),
                ));
            }
        };
        Ok(ChatRequest {
            body,
            models,
            tools,
            stream,
        })
    }

    pub fn messages(&self) -> &[Value] {
        self.body
            .get("messages")
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice)
    }

    /// The extra rules of dual-LLM mode: text-only content, and tool names the planner can
    /// call (Python identifiers that are not keywords, builtins, modules or `parse_with_ai`).
    pub fn check_dual_llm(&self) -> Result<(), ApiError> {
        for (i, m) in self.messages().iter().enumerate() {
            if let Some(Value::Array(parts)) = m.get("content") {
                for (j, part) in parts.iter().enumerate() {
                    if part.get("type").and_then(Value::as_str) != Some("text") {
                        let param = format!("messages[{i}].content[{j}]");
                        return Err(ApiError::new(
                            ErrorCode::UnsupportedContent,
                            format!("{param}: dual-llm mode accepts only text parts"),
                        )
                        .with_param(param));
                    }
                }
            }
        }
        for (i, tool) in self.tools.iter().enumerate() {
            let name = tool.name.as_str();
            let reason = if name.starts_with(|c: char| c.is_ascii_digit()) || name.contains('-') {
                Some("is not a Python identifier")
            } else if PYTHON_KEYWORDS.contains(&name) {
                Some("is a Python keyword")
            } else if sqrt_vm::builtins::names::is_reserved(name) {
                Some("is a planner builtin or module")
            } else {
                None
            };
            if let Some(reason) = reason {
                return Err(invalid(
                    format!("tools[{i}].function.name"),
                    format!("{name:?} {reason}; dual-llm mode calls tools from Python"),
                ));
            }
        }
        Ok(())
    }
}

const PYTHON_KEYWORDS: [&str; 35] = [
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

fn check_messages(messages: Option<&Value>, limits: &LimitsConfig) -> Result<(), ApiError> {
    let messages = match messages {
        Some(Value::Array(m)) => m,
        other => {
            return Err(invalid(
                "messages",
                format!("expected an array, found {}", other.map_or("nothing", kind)),
            ));
        }
    };
    if messages.is_empty() {
        return Err(invalid("messages", "must not be empty"));
    }
    if messages.len() > limits.max_messages {
        return Err(invalid(
            "messages",
            format!(
                "{} messages, the limit is {}",
                messages.len(),
                limits.max_messages
            ),
        ));
    }
    for (i, m) in messages.iter().enumerate() {
        let at = format!("messages[{i}]");
        let Value::Object(m) = m else {
            return Err(invalid(
                at,
                format!("expected an object, found {}", kind(m)),
            ));
        };
        let role = match m.get("role") {
            Some(Value::String(r)) if ROLES.contains(&r.as_str()) => r.as_str(),
            Some(Value::String(r)) => {
                return Err(invalid(
                    format!("{at}.role"),
                    format!("unknown role {r:?}; expected one of {}", ROLES.join(", ")),
                ));
            }
            other => {
                return Err(invalid(
                    format!("{at}.role"),
                    format!("expected a string, found {}", other.map_or("nothing", kind)),
                ));
            }
        };
        check_content(&at, role, m.get("content"))?;
        if role == "tool" {
            match m.get("tool_call_id") {
                Some(Value::String(id)) if !id.is_empty() => {}
                _ => {
                    return Err(invalid(
                        format!("{at}.tool_call_id"),
                        "a tool message needs a tool_call_id string",
                    ));
                }
            }
            let size = content_text(m.get("content")).len();
            if size > limits.max_tool_message_bytes {
                return Err(invalid(
                    format!("{at}.content"),
                    format!(
                        "{size} bytes, the limit for a tool message is {}",
                        limits.max_tool_message_bytes
                    ),
                ));
            }
        }
        if let Some(calls) = m.get("tool_calls").filter(|c| !c.is_null()) {
            if role != "assistant" {
                return Err(invalid(
                    format!("{at}.tool_calls"),
                    "only assistant messages have tool_calls",
                ));
            }
            check_tool_calls(&at, calls)?;
        }
    }
    Ok(())
}

fn check_content(at: &str, role: &str, content: Option<&Value>) -> Result<(), ApiError> {
    match content {
        Some(Value::String(_)) => Ok(()),
        None | Some(Value::Null) if role == "assistant" => Ok(()),
        Some(Value::Array(parts)) => {
            for (j, part) in parts.iter().enumerate() {
                let p = format!("{at}.content[{j}]");
                let Some(t) = part.get("type").and_then(Value::as_str) else {
                    return Err(invalid(p, "a content part needs a \"type\" string"));
                };
                if t == "text" && !part.get("text").is_some_and(Value::is_string) {
                    return Err(invalid(
                        format!("{p}.text"),
                        "a text part needs a \"text\" string",
                    ));
                }
            }
            Ok(())
        }
        other => Err(invalid(
            format!("{at}.content"),
            format!(
                "expected a string or an array of parts, found {}",
                other.map_or("nothing", kind)
            ),
        )),
    }
}

fn check_tool_calls(at: &str, calls: &Value) -> Result<(), ApiError> {
    let Value::Array(calls) = calls else {
        return Err(invalid(
            format!("{at}.tool_calls"),
            format!("expected an array, found {}", kind(calls)),
        ));
    };
    for (k, call) in calls.iter().enumerate() {
        let p = format!("{at}.tool_calls[{k}]");
        if !call.get("id").is_some_and(Value::is_string) {
            return Err(invalid(format!("{p}.id"), "expected a string"));
        }
        let f = call.get("function");
        if !f.and_then(|f| f.get("name")).is_some_and(Value::is_string) {
            return Err(invalid(format!("{p}.function.name"), "expected a string"));
        }
        if !f
            .and_then(|f| f.get("arguments"))
            .is_some_and(Value::is_string)
        {
            return Err(invalid(
                format!("{p}.function.arguments"),
                "expected a JSON string",
            ));
        }
    }
    Ok(())
}

fn valid_tool_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn check_tools(tools: Option<&Value>, limits: &LimitsConfig) -> Result<Vec<ToolDef>, ApiError> {
    let tools = match tools {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(t)) => t,
        Some(other) => {
            return Err(invalid(
                "tools",
                format!("expected an array, found {}", kind(other)),
            ));
        }
    };
    if tools.len() > limits.max_tools {
        return Err(invalid(
            "tools",
            format!("{} tools, the limit is {}", tools.len(), limits.max_tools),
        ));
    }
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(tools.len());
    for (i, tool) in tools.iter().enumerate() {
        let at = format!("tools[{i}]");
        if tool.get("type").and_then(Value::as_str) != Some("function") {
            return Err(invalid(
                format!("{at}.type"),
                "only \"function\" tools are supported",
            ));
        }
        let Some(Value::Object(f)) = tool.get("function") else {
            return Err(invalid(format!("{at}.function"), "expected an object"));
        };
        let name = match f.get("name") {
            Some(Value::String(n)) if valid_tool_name(n) => n.clone(),
            Some(Value::String(n)) => {
                return Err(invalid(
                    format!("{at}.function.name"),
                    format!("{n:?} does not match ^[A-Za-z0-9_-]{{1,64}}$"),
                ));
            }
            _ => return Err(invalid(format!("{at}.function.name"), "expected a string")),
        };
        if !seen.insert(name.clone()) {
            return Err(invalid(
                format!("{at}.function.name"),
                format!("duplicate tool name {name:?}"),
            ));
        }
        if let Some(d) = f.get("description")
            && !d.is_string()
            && !d.is_null()
        {
            return Err(invalid(
                format!("{at}.function.description"),
                "expected a string",
            ));
        }
        let parameters = match f.get("parameters") {
            None | Some(Value::Null) => serde_json::json!({"type": "object", "properties": {}}),
            Some(p) => {
                check_object_schema(&format!("{at}.function.parameters"), p)?;
                p.clone()
            }
        };
        let output_schema = match f.get("output_schema") {
            None | Some(Value::Null) => None,
            Some(s @ Value::Object(_)) => Some(s.clone()),
            Some(other) => {
                return Err(invalid(
                    format!("{at}.function.output_schema"),
                    format!("expected a JSON Schema object, found {}", kind(other)),
                ));
            }
        };
        out.push(ToolDef {
            name,
            description: f
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_string),
            parameters,
            output_schema,
        });
    }
    Ok(out)
}

/// `parameters` must be a JSON Schema of an object: `type` "object" and, if present,
/// `properties` an object of schemas and `required` a list of its names.
fn check_object_schema(at: &str, schema: &Value) -> Result<(), ApiError> {
    let Value::Object(s) = schema else {
        return Err(invalid(
            at,
            format!("expected a JSON Schema object, found {}", kind(schema)),
        ));
    };
    if s.get("type").and_then(Value::as_str) != Some("object") {
        return Err(invalid(
            format!("{at}.type"),
            "the parameters schema must have \"type\": \"object\"",
        ));
    }
    let props = match s.get("properties") {
        None => None,
        Some(Value::Object(p)) => Some(p),
        Some(other) => {
            return Err(invalid(
                format!("{at}.properties"),
                format!("expected an object, found {}", kind(other)),
            ));
        }
    };
    if let Some(req) = s.get("required") {
        let Value::Array(req) = req else {
            return Err(invalid(
                format!("{at}.required"),
                "expected an array of names",
            ));
        };
        for r in req {
            let Some(r) = r.as_str() else {
                return Err(invalid(
                    format!("{at}.required"),
                    "expected an array of names",
                ));
            };
            if !props.is_some_and(|p| p.contains_key(r)) {
                return Err(invalid(
                    format!("{at}.required"),
                    format!("{r:?} is required but not in \"properties\""),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: Value) -> Result<ChatRequest, ApiError> {
        ChatRequest::parse(v.to_string().as_bytes(), &LimitsConfig::default())
    }

    fn base() -> Value {
        json!({"model": "p,q", "messages": [{"role": "user", "content": "hi"}]})
    }

    fn with(key: &str, value: Value) -> Value {
        let mut b = base();
        b[key] = value;
        b
    }

    #[test]
    fn models() {
        assert_eq!(
            Models::parse("a").unwrap(),
            Models {
                pllm: "a".into(),
                qllm: "a".into()
            }
        );
        assert_eq!(Models::parse("a,b").unwrap().echo(), "a,b");
        for bad in ["", ",", "a,", "a,b,c", " , b"] {
            assert!(Models::parse(bad).is_none(), "{bad:?}");
        }
        let e = parse(with("model", json!("a,b,c"))).unwrap_err();
        assert_eq!(
            (e.code, e.param.as_deref()),
            (ErrorCode::InvalidModel, Some("model"))
        );
        assert_eq!(
            parse(with("model", json!(3))).unwrap_err().code,
            ErrorCode::InvalidModel
        );
    }

    #[test]
    fn bad_bodies() {
        let e = ChatRequest::parse(b"{", &LimitsConfig::default()).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidJson);
        let cases: Vec<(Value, &str)> = vec![
            (json!([1]), "body"),
            (with("messages", json!([])), "messages"),
            (with("messages", json!("hi")), "messages"),
            (
                with("messages", json!([{"role": "robot", "content": "x"}])),
                "messages[0].role",
            ),
            (
                with("messages", json!([{"content": "x"}])),
                "messages[0].role",
            ),
            (
                with("messages", json!([{"role": "user"}])),
                "messages[0].content",
            ),
            (
                with(
                    "messages",
                    json!([{"role": "user", "content": [{"text": "x"}]}]),
                ),
                "messages[0].content[0]",
            ),
            (
                with("messages", json!([{"role": "tool", "content": "x"}])),
                "messages[0].tool_call_id",
            ),
            (
                with(
                    "messages",
                    json!([{"role": "user", "content": "x", "tool_calls": []}]),
                ),
                "messages[0].tool_calls",
            ),
            (
                with(
                    "messages",
                    json!([{"role": "assistant", "content": null, "tool_calls": [{"id": "a", "function": {"name": "f", "arguments": {}}}]}]),
                ),
                "messages[0].tool_calls[0].function.arguments",
            ),
            (with("n", json!(2)), "n"),
            (with("stream", json!("yes")), "stream"),
            (with("tools", json!({})), "tools"),
            (
                with("tools", json!([{"type": "retrieval"}])),
                "tools[0].type",
            ),
            (
                with(
                    "tools",
                    json!([{"type": "function", "function": {"name": "a b"}}]),
                ),
                "tools[0].function.name",
            ),
            (
                with(
                    "tools",
                    json!([{"type": "function", "function": {"name": "x".repeat(65)}}]),
                ),
                "tools[0].function.name",
            ),
            (
                with(
                    "tools",
                    json!([{"type": "function", "function": {"name": "f"}}, {"type": "function", "function": {"name": "f"}}]),
                ),
                "tools[1].function.name",
            ),
            (
                with(
                    "tools",
                    json!([{"type": "function", "function": {"name": "f", "parameters": {"type": "string"}}}]),
                ),
                "tools[0].function.parameters.type",
            ),
            (
                with(
                    "tools",
                    json!([{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "required": ["x"]}}}]),
                ),
                "tools[0].function.parameters.required",
            ),
            (
                with(
                    "tools",
                    json!([{"type": "function", "function": {"name": "f", "output_schema": "str"}}]),
                ),
                "tools[0].function.output_schema",
            ),
        ];
        for (body, param) in cases {
            let e = parse(body.clone()).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidRequest, "{body}");
            assert_eq!(e.param.as_deref(), Some(param), "{body}: {e}");
            assert!(e.message.starts_with(param), "{e}");
        }
    }

    #[test]
    fn limits() {
        let limits = LimitsConfig {
            max_messages: 2,
            max_tools: 1,
            max_tool_message_bytes: 4,
            ..LimitsConfig::default()
        };
        let p = |v: Value| ChatRequest::parse(v.to_string().as_bytes(), &limits);
        let msg = json!({"role": "user", "content": "x"});
        assert_eq!(
            p(with("messages", json!([msg, msg, msg])))
                .unwrap_err()
                .param
                .as_deref(),
            Some("messages")
        );
        let t = json!({"type": "function", "function": {"name": "f"}});
        assert_eq!(
            p(with("tools", json!([t, t])))
                .unwrap_err()
                .param
                .as_deref(),
            Some("tools")
        );
        let tool_msg = |s: &str| {
            with(
                "messages",
                json!([{"role": "tool", "tool_call_id": "x", "content": s}]),
            )
        };
        assert!(p(tool_msg("1234")).is_ok());
        assert_eq!(
            p(tool_msg("12345")).unwrap_err().param.as_deref(),
            Some("messages[0].content")
        );
    }

    #[test]
    fn good_body_with_extras() {
        let r = parse(json!({
            "model": "gpt", "n": 1, "stream": true, "temperature": 0.2,
            "messages": [
                {"role": "system", "content": "s"},
                {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "image_url", "image_url": {"url": "x"}}]},
                {"role": "assistant", "content": null, "refusal": null,
                 "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
                {"role": "tool", "tool_call_id": "c1", "content": "r"}],
            "tools": [{"type": "function", "function": {"name": "send-email", "parameters": {"type": "object", "properties": {"to": {"type": "string"}}, "required": ["to"]}, "output_schema": {"type": "string"}}}]
        }))
        .unwrap();
        assert!(r.stream);
        assert_eq!(r.models.echo(), "gpt,gpt");
        assert_eq!(r.tools[0].name, "send-email");
        assert!(r.tools[0].output_schema.is_some());
        assert_eq!(r.body["temperature"], 0.2);
        // Dual-LLM refuses the image part first.
        let e = r.check_dual_llm().unwrap_err();
        assert_eq!(
            (e.code, e.param.as_deref()),
            (
                ErrorCode::UnsupportedContent,
                Some("messages[1].content[1]")
            )
        );
    }

    #[test]
    fn dual_llm_tool_names() {
        for (name, ok) in [
            ("send_email", true),
            ("send-email", false),
            ("len", false),
            ("class", false),
            ("parse_with_ai", false),
            ("json", false),
            ("ValueError", false),
            ("BaseException", false),
            ("final_return_value", false),
            ("9lives", false),
        ] {
            let r = parse(with(
                "tools",
                json!([{"type": "function", "function": {"name": name}}]),
            ))
            .unwrap();
            assert_eq!(r.check_dual_llm().is_ok(), ok, "{name}");
        }
    }
}
