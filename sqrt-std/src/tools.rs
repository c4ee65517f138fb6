//! Tool schemas: an OpenAI `tools` array turned into a `ToolSet`.
//!
//! Input shape: `[{"type": "function", "function": {"name", "description", "parameters"}}]`,
//! where `parameters` is a JSON Schema object (`{"type": "object", "properties": {...},
//! "required": [...]}`). The checker uses the parameter names (E0211), which tools a policy
//! matches (W0003) and which parameters are arrays (W0004); the VM and the relay use the rest.

use std::collections::HashMap;
use std::fmt;

use serde_json::Value;

/// One parameter of a tool, in the schema's `properties` order.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub name: String,
    /// Listed in the schema's `required` array.
    pub required: bool,
    /// The parameter's own JSON Schema (`properties[name]`).
    pub schema: Value,
    /// The schema declares the value an array (`"type": "array"`, or a type list whose only
    /// non-null member is `"array"`), so plain `in` on it is always false (W0004).
    pub is_array: bool,
}

/// One function tool.
#[derive(Clone, Debug, PartialEq)]
pub struct Tool {
    pub name: String,
    pub description: Option<String>,
    pub params: Vec<Param>,
    /// The whole `parameters` schema as given (an empty object schema when absent).
    pub parameters: Value,
}

impl Tool {
    pub fn param(&self, name: &str) -> Option<&Param> {
        self.params.iter().find(|p| p.name == name)
    }
}

/// The tools of one `tools` array, in input order, with lookup by name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ToolSet {
    tools: Vec<Tool>,
    by_name: HashMap<String, usize>,
}

/// Why a `tools` document was rejected; `path` locates the offending part (`[2].function.name`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToolsError {
    pub path: String,
    pub message: String,
}

impl fmt::Display for ToolsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "invalid tools array: {}", self.message)
        } else {
            write!(f, "invalid tools array at {}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for ToolsError {}

fn err<T>(path: impl Into<String>, message: impl Into<String>) -> Result<T, ToolsError> {
    Err(ToolsError {
        path: path.into(),
        message: message.into(),
    })
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn declares_array(schema: &Value) -> bool {
    match schema.get("type") {
        Some(Value::String(t)) => t == "array",
        Some(Value::Array(types)) => {
            let mut non_null = types.iter().filter(|t| t.as_str() != Some("null"));
            non_null.next().is_some_and(|t| t.as_str() == Some("array"))
                && non_null.next().is_none()
        }
        _ => false,
    }
}

fn parse_tool(i: usize, entry: &Value) -> Result<Tool, ToolsError> {
    let at = format!("[{i}]");
    let Some(obj) = entry.as_object() else {
        return err(at, format!("expected a tool object, found {}", kind(entry)));
    };
    match obj.get("type") {
        Some(Value::String(t)) if t == "function" => {}
        Some(Value::String(t)) => {
            return err(
                format!("{at}.type"),
                format!("unsupported tool type {t:?}; expected \"function\""),
            );
        }
        Some(v) => {
            return err(
                format!("{at}.type"),
                format!("expected the string \"function\", found {}", kind(v)),
            );
        }
        None => return err(at, "missing \"type\": \"function\""),
    }
    let Some(func) = obj.get("function") else {
        return err(at, "missing \"function\" object");
    };
    let at = format!("{at}.function");
    let Some(func) = func.as_object() else {
        return err(at, format!("expected an object, found {}", kind(func)));
    };
    let name = match func.get("name") {
        Some(Value::String(n)) if !n.is_empty() => n.clone(),
        Some(Value::String(_)) => return err(format!("{at}.name"), "the tool name is empty"),
        Some(v) => {
            return err(
                format!("{at}.name"),
                format!("expected a string, found {}", kind(v)),
            );
        }
        None => return err(at, "missing \"name\""),
    };
    let description = match func.get("description") {
        None | Some(Value::Null) => None,
        Some(Value::String(d)) => Some(d.clone()),
        Some(v) => {
            return err(
                format!("{at}.description"),
                format!("expected a string, found {}", kind(v)),
            );
        }
    };
    let parameters = match func.get("parameters") {
        None | Some(Value::Null) => serde_json::json!({"type": "object", "properties": {}}),
        Some(p @ Value::Object(_)) => p.clone(),
        Some(v) => {
            return err(
                format!("{at}.parameters"),
                format!("expected a JSON Schema object, found {}", kind(v)),
            );
        }
    };
    let at = format!("{at}.parameters");
    let required: Vec<String> = match parameters.get("required") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => {
            let mut names = Vec::new();
            for (j, item) in items.iter().enumerate() {
                match item.as_str() {
                    Some(s) => names.push(s.to_owned()),
                    None => {
                        return err(
                            format!("{at}.required[{j}]"),
                            format!("expected a string, found {}", kind(item)),
                        );
                    }
                }
            }
            names
        }
        Some(v) => {
            return err(
                format!("{at}.required"),
                format!("expected an array of names, found {}", kind(v)),
            );
        }
    };
    let params = match parameters.get("properties") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Object(props)) => props
            .iter()
            .map(|(pname, schema)| {
                if !schema.is_object() && !schema.is_boolean() {
                    return err(
                        format!("{at}.properties.{pname}"),
                        format!("expected a JSON Schema, found {}", kind(schema)),
                    );
                }
                Ok(Param {
                    name: pname.clone(),
                    required: required.iter().any(|r| r == pname),
                    schema: schema.clone(),
                    is_array: declares_array(schema),
                })
            })
            .collect::<Result<Vec<_>, _>>()?,
        Some(v) => {
            return err(
                format!("{at}.properties"),
                format!("expected an object, found {}", kind(v)),
            );
        }
    };
    if let Some(missing) = required
        .iter()
        .find(|r| !params.iter().any(|p| &p.name == *r))
    {
        return err(
            format!("{at}.required"),
            format!("{missing:?} is required but not in \"properties\""),
        );
    }
    Ok(Tool {
        name,
        description,
        params,
        parameters,
    })
}

impl ToolSet {
    /// Parses the text of a `tools` JSON array.
    pub fn parse(text: &str) -> Result<ToolSet, ToolsError> {
        let value: Value = serde_json::from_str(text).map_err(|e| ToolsError {
            path: String::new(),
            message: format!("not valid JSON: {e}"),
        })?;
        ToolSet::from_value(&value)
    }

    /// Builds a set from an already parsed `tools` array.
    pub fn from_value(value: &Value) -> Result<ToolSet, ToolsError> {
        let Some(entries) = value.as_array() else {
            return err(
                "",
                format!("expected an array of tools, found {}", kind(value)),
            );
        };
        let mut set = ToolSet::default();
        for (i, entry) in entries.iter().enumerate() {
            let tool = parse_tool(i, entry)?;
            if set.by_name.contains_key(&tool.name) {
                return err(
                    format!("[{i}].function.name"),
                    format!("duplicate tool name {:?}", tool.name),
                );
            }
            set.by_name.insert(tool.name.clone(), set.tools.len());
            set.tools.push(tool);
        }
        Ok(set)
    }

    pub fn get(&self, name: &str) -> Option<&Tool> {
        self.by_name.get(name).map(|&i| &self.tools[i])
    }

    /// The tools in input order.
    pub fn iter(&self) -> impl Iterator<Item = &Tool> {
        self.tools.iter()
    }

    pub fn len(&self) -> usize {
        self.tools.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tools.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = r#"[
      {"type": "function", "function": {"name": "send_email", "description": "Send an email",
        "parameters": {"type": "object",
          "properties": {"to": {"type": "string"}, "subject": {"type": "string"}, "body": {"type": "string"},
                         "cc": {"type": "array", "items": {"type": "string"}},
                         "bcc": {"type": ["array", "null"]}, "x": {"type": ["array", "string"]}},
          "required": ["to", "body"]}}},
      {"type": "function", "function": {"name": "get_internal_document"}}
    ]"#;

    #[test]
    fn parses_names_order_required_and_arrays() {
        let set = ToolSet::parse(SEED).unwrap();
        assert_eq!(set.len(), 2);
        let send = set.get("send_email").unwrap();
        assert_eq!(send.description.as_deref(), Some("Send an email"));
        let names: Vec<_> = send.params.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["to", "subject", "body", "cc", "bcc", "x"]);
        let req: Vec<_> = send.params.iter().map(|p| p.required).collect();
        assert_eq!(req, [true, false, true, false, false, false]);
        let arr: Vec<_> = send.params.iter().map(|p| p.is_array).collect();
        assert_eq!(arr, [false, false, false, true, true, false]);
        assert_eq!(send.param("cc").unwrap().schema["items"]["type"], "string");
        let doc = set.get("get_internal_document").unwrap();
        assert!(doc.params.is_empty());
        assert!(set.get("nope").is_none());
        assert_eq!(
            set.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
            ["send_email", "get_internal_document"]
        );
    }

    fn error(text: &str) -> String {
        ToolSet::parse(text).unwrap_err().to_string()
    }

    #[test]
    fn malformed_input_is_located() {
        assert!(error("{").contains("not valid JSON"));
        assert_eq!(
            error("{}"),
            "invalid tools array: expected an array of tools, found an object"
        );
        assert_eq!(
            error("[1]"),
            "invalid tools array at [0]: expected a tool object, found a number"
        );
        assert_eq!(
            error(r#"[{"function": {"name": "a"}}]"#),
            "invalid tools array at [0]: missing \"type\": \"function\""
        );
        assert!(error(r#"[{"type": "code_interpreter"}]"#).contains("unsupported tool type"));
        assert_eq!(
            error(r#"[{"type": "function"}]"#),
            "invalid tools array at [0]: missing \"function\" object"
        );
        assert_eq!(
            error(r#"[{"type": "function", "function": {"name": 3}}]"#),
            "invalid tools array at [0].function.name: expected a string, found a number"
        );
        assert!(
            error(r#"[{"type": "function", "function": {"name": "a", "parameters": []}}]"#)
                .contains("[0].function.parameters")
        );
        assert!(
            error(r#"[{"type": "function", "function": {"name": "a", "parameters": {"properties": {"p": 1}}}}]"#)
                .contains("[0].function.parameters.properties.p")
        );
        assert!(
            error(r#"[{"type": "function", "function": {"name": "a", "parameters": {"required": ["q"]}}}]"#)
                .contains("\"q\" is required but not in")
        );
        assert!(
            error(r#"[{"type": "function", "function": {"name": "a"}}, {"type": "function", "function": {"name": "a"}}]"#)
                .contains("[1].function.name: duplicate tool name \"a\"")
        );
    }
}
