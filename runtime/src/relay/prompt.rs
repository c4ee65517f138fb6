//! The planner's side of the dual-LLM flow that needs no VM (protocol.md §6): tools turned
//! into Python stubs for the planner prompt, and a planner answer turned into program source.

use std::fmt::Write;

use serde_json::Value;

use super::request::ToolDef;

/// The Python type of a JSON Schema, as far as a stub needs it.
fn python_type(schema: &Value) -> String {
    let one = |t: &str, schema: &Value| -> String {
        match t {
            "string" => "str".into(),
            "integer" => "int".into(),
            "number" => "float".into(),
            "boolean" => "bool".into(),
            "null" => "None".into(),
            "array" => match schema.get("items") {
                Some(items) if items.is_object() => format!("list[{}]", python_type(items)),
                _ => "list".into(),
            },
            "object" => "dict".into(),
            _ => "Any".into(),
        }
    };
    match schema.get("type") {
        Some(Value::String(t)) => one(t, schema),
        Some(Value::Array(ts)) => {
            let parts: Vec<String> = ts
                .iter()
                .filter_map(Value::as_str)
                .map(|t| one(t, schema))
                .collect();
            if parts.is_empty() {
                "Any".into()
            } else {
                parts.join(" | ")
            }
        }
        _ => "Any".into(),
    }
}

/// Indents every line of `text` (docstrings keep their own line breaks).
fn indent(text: &str, by: &str) -> String {
    text.lines()
        .map(|l| {
            if l.trim().is_empty() {
                String::new()
            } else {
                format!("{by}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A docstring body cannot close itself early.
fn docstring_safe(text: &str) -> String {
    text.replace('\\', "\\\\").replace("\"\"\"", "\\\"\\\"\\\"")
}

/// One tool as a keyword-only Python stub: typed parameters in schema order, `= None` for
/// optional ones, the return type from `output_schema` (else `Any`), and the descriptions as
/// the docstring.
pub fn tool_stub(tool: &ToolDef) -> String {
    let required: Vec<&str> = tool
        .parameters
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let props = tool.parameters.get("properties").and_then(Value::as_object);
    let mut params = Vec::new();
    let mut docs = Vec::new();
    // Required parameters first, so the stub is valid Python whatever the schema's order.
    let ordered = props
        .into_iter()
        .flatten()
        .filter(|(n, _)| required.contains(&n.as_str()))
        .chain(
            props
                .into_iter()
                .flatten()
                .filter(|(n, _)| !required.contains(&n.as_str())),
        );
    for (name, schema) in ordered {
        let ty = python_type(schema);
        if required.contains(&name.as_str()) {
            params.push(format!("{name}: {ty}"));
        } else if ty.split(" | ").any(|t| t == "None" || t == "Any") {
            params.push(format!("{name}: {ty} = None"));
        } else {
            params.push(format!("{name}: {ty} | None = None"));
        }
        if let Some(d) = schema.get("description").and_then(Value::as_str) {
            docs.push(format!("    {name}: {}", d.trim()));
        }
    }
    let returns = tool
        .output_schema
        .as_ref()
        .map_or_else(|| "Any".to_string(), python_type);
    let signature = if params.is_empty() {
        String::new()
    } else {
        format!("*, {}", params.join(", "))
    };
    let mut doc = tool
        .description
        .clone()
        .unwrap_or_default()
        .trim()
        .to_string();
    if !docs.is_empty() {
        if !doc.is_empty() {
            doc.push_str("\n\n");
        }
        doc.push_str("Args:\n");
        doc.push_str(&docs.join("\n"));
    }
    let mut out = format!("def {}({signature}) -> {returns}:\n", tool.name);
    if doc.is_empty() {
        out.push_str("    ...\n");
    } else {
        let _ = write!(
            out,
            "    \"\"\"{}\n    \"\"\"\n",
            indent(&docstring_safe(&doc), "    ").trim_start()
        );
    }
    out
}

/// The planner's system message (protocol.md §6 "Planner prompt"): the rules of the
/// language subset, the tools as stubs, `parse_with_ai`, and the variables defined so far
/// (name and type only: the planner never sees values).
pub fn planner_system_prompt(tools: &[ToolDef], variables: &[(String, String)]) -> String {
    let mut out = String::from(PLANNER_RULES);
    out.push_str("\n\nTools (call them with keyword arguments only):\n\n```python\n");
    for tool in tools {
        out.push_str(&tool_stub(tool));
        out.push('\n');
    }
    out.push_str(PARSE_WITH_AI_STUB);
    out.push_str("```\n");
    if variables.is_empty() {
        out.push_str("\nNo variables are defined yet.\n");
    } else {
        out.push_str("\nVariables defined by earlier programs (they keep their values):\n");
        for (name, ty) in variables {
            let _ = writeln!(out, "- {name}: {ty}");
        }
    }
    out
}

const PLANNER_RULES: &str =
    "You are a planner. Answer with one complete Python program in one fenced \
```python code block, and nothing else that looks like code.
Rules of the language:
- Imports: only json, datetime and re.
- No classes except plain data holders, no async, with, global, yield, decorators, dunder names, \
eval, exec or open.
- Put the answer for the user in the variable final_return_value. Printed output is never shown.
- You never see tool results, parse results or argument data: do not guess them, and do not repeat \
calls that earlier programs made. Use parse_with_ai instead of string handling to read text.";

const PARSE_WITH_AI_STUB: &str = "def parse_with_ai(query: str, output_schema: dict) -> dict:
    \"\"\"Ask a model that has no tools and cannot see your variables to extract data as JSON
    matching output_schema. query must contain the text itself. Raises
    NotEnoughInformationError if the text lacks the facts.
    \"\"\"
";

/// Why a planner answer holds no program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExtractError {
    NoBlock,
    SeveralBlocks(usize),
    Unclosed,
}

impl std::fmt::Display for ExtractError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExtractError::NoBlock => f.write_str(
                "the answer has no ```python code block; write the whole program in one",
            ),
            ExtractError::SeveralBlocks(n) => write!(
                f,
                "the answer has {n} code blocks; write the whole program in exactly one"
            ),
            ExtractError::Unclosed => f.write_str("the answer's code block is not closed with ```"),
        }
    }
}

/// The program of a planner answer: the one fenced block tagged `python`, `py` or untagged.
/// Blocks in other languages (a JSON example, say) are ignored.
pub fn extract_program(answer: &str) -> Result<String, ExtractError> {
    let mut programs = Vec::new();
    let mut lines = answer.lines();
    while let Some(line) = lines.next() {
        let Some(tag) = line.trim_start().strip_prefix("```") else {
            continue;
        };
        let tag = tag.trim().to_ascii_lowercase();
        let mut body = Vec::new();
        let mut closed = false;
        for line in lines.by_ref() {
            if line.trim() == "```" {
                closed = true;
                break;
            }
            body.push(line);
        }
        if !closed {
            return Err(ExtractError::Unclosed);
        }
        if matches!(tag.as_str(), "" | "python" | "py" | "python3") {
            programs.push(body.join("\n"));
        }
    }
    match programs.len() {
        0 => Err(ExtractError::NoBlock),
        1 => Ok(programs.remove(0)),
        n => Err(ExtractError::SeveralBlocks(n)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tool(v: Value) -> ToolDef {
        ToolDef {
            name: v["name"].as_str().unwrap().into(),
            description: v
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_string),
            parameters: v["parameters"].clone(),
            output_schema: v.get("output_schema").cloned(),
        }
    }

    #[test]
    fn seed_tool_stub() {
        let t = tool(json!({"name": "send_email", "description": "Send an email",
            "parameters": {"type": "object", "properties": {
                "cc": {"type": ["array", "null"], "items": {"type": "string"}},
                "to": {"type": "string", "description": "Recipient address"},
                "body": {"type": "string"}, "bcc": {"type": "string"}}, "required": ["to", "body"]}}));
        assert_eq!(
            tool_stub(&t),
            "def send_email(*, to: str, body: str, cc: list[str] | None = None, bcc: str | None = None) -> Any:\n    \"\"\"Send an email\n\n    Args:\n        to: Recipient address\n    \"\"\"\n"
        );
    }

    #[test]
    fn stub_without_parameters_or_docs() {
        let t = tool(
            json!({"name": "now", "parameters": {"type": "object", "properties": {}},
            "output_schema": {"type": "integer"}}),
        );
        assert_eq!(tool_stub(&t), "def now() -> int:\n    ...\n");
        let t = tool(json!({"name": "evil", "description": "ends \"\"\" early",
            "parameters": {"type": "object"}}));
        assert!(
            tool_stub(&t).contains(r#"ends \"\"\" early"#),
            "{}",
            tool_stub(&t)
        );
    }

    #[test]
    fn system_prompt_lists_tools_and_variables() {
        let t = tool(
            json!({"name": "get_internal_document", "description": "Fetch a document",
            "parameters": {"type": "object", "properties": {"doc_id": {"type": "string"}}, "required": ["doc_id"]}}),
        );
        let p = planner_system_prompt(&[t], &[("doc".into(), "str".into())]);
        assert!(p.contains("one fenced ```python code block"), "{p}");
        assert!(
            p.contains("def get_internal_document(*, doc_id: str) -> Any:"),
            "{p}"
        );
        assert!(
            p.contains("def parse_with_ai(query: str, output_schema: dict) -> dict:"),
            "{p}"
        );
        assert!(p.contains("- doc: str"), "{p}");
        assert!(p.contains("final_return_value"));
        // The prompt's own code block is exactly one python block of stubs.
        assert!(
            extract_program(&p)
                .unwrap()
                .starts_with("def get_internal_document")
        );
        assert!(planner_system_prompt(&[], &[]).contains("No variables are defined yet."));
    }

    #[test]
    fn extraction() {
        let ok = "Here is the plan:\n```python\nx = 1\nfinal_return_value = x\n```\nDone.";
        assert_eq!(
            extract_program(ok).unwrap(),
            "x = 1\nfinal_return_value = x"
        );
        assert_eq!(extract_program("```\ny = 2\n```").unwrap(), "y = 2");
        assert_eq!(
            extract_program("```py\nz = 3\n```\n```json\n{\"a\": 1}\n```").unwrap(),
            "z = 3"
        );
        assert_eq!(extract_program("no code"), Err(ExtractError::NoBlock));
        assert_eq!(
            extract_program("```json\n{}\n```"),
            Err(ExtractError::NoBlock)
        );
        assert_eq!(
            extract_program("```python\na\n```\n```\nb\n```"),
            Err(ExtractError::SeveralBlocks(2))
        );
        assert_eq!(
            extract_program("```python\na = 1\n"),
            Err(ExtractError::Unclosed)
        );
    }
}
