//! `parse_with_ai` on the quarantined LLM (protocol.md §6): a query and an output schema
//! turned into a schema-conforming JSON value, or a catchable error.
//!
//! The QLLM gets a fixed system prompt and the query only; it has no tools and sees no
//! variables. The relay adds `have_enough_info` to the schema if absent and strips it from the
//! result; `false` becomes `NotEnoughInformationError`. Output that is not JSON of the schema's
//! shape is asked for again twice, then becomes `ValueError`.

use serde_json::{Map, Value, json};

use super::error::ApiError;
use super::provider::{Provider, ProviderKey};

/// The fixed system prompt of the quarantined LLM.
pub const SYSTEM_PROMPT: &str = "You extract information from the text the user gives you. \
Answer with one JSON object that conforms to the JSON Schema below, and nothing else. \
Use only facts stated in the text; never guess or invent values. \
If the text does not contain the facts needed, set \"have_enough_info\" to false \
(other fields may then hold any placeholder of the right type); otherwise set it to true.";

/// Bad output is asked for again this many times.
pub const OUTPUT_RETRIES: u32 = 2;

/// How a `parse_with_ai` call fails.
#[derive(Debug, PartialEq)]
pub enum ParseError {
    /// The model said the text lacks the facts (`NotEnoughInformationError`, catchable).
    NotEnoughInformation,
    /// The model's output never matched the schema (`ValueError`, catchable).
    InvalidOutput(String),
    /// The provider failed after its own retries.
    Provider(ApiError),
}

/// The schema sent to the model: `output_schema` with a required boolean `have_enough_info`.
/// A schema that is not an object schema is wrapped as the property `value`.
fn request_schema(output_schema: &Value) -> (Value, bool) {
    let is_object = output_schema.get("type").and_then(Value::as_str) == Some("object");
    let mut schema = if is_object {
        output_schema.clone()
    } else {
        json!({"type": "object", "properties": {"value": output_schema}, "required": ["value"]})
    };
    if let Some(Value::Object(props)) = schema.get_mut("properties") {
        props
            .entry("have_enough_info")
            .or_insert_with(|| json!({"type": "boolean"}));
    } else {
        schema["properties"] = json!({"have_enough_info": {"type": "boolean"}});
    }
    match schema.get_mut("required") {
        Some(Value::Array(required)) => {
            if !required.iter().any(|r| r == "have_enough_info") {
                required.push(json!("have_enough_info"));
            }
        }
        _ => schema["required"] = json!(["have_enough_info"]),
    }
    (schema, !is_object)
}

/// Checks the output's top level against the schema: an object with every `required` property,
/// and properties of the declared JSON type. (A shallow check; nested schemas are the model's
/// and the program's business.)
fn conforms(output: &Map<String, Value>, schema: &Value) -> Result<(), String> {
    if let Some(required) = schema.get("required").and_then(Value::as_array) {
        for name in required.iter().filter_map(Value::as_str) {
            if !output.contains_key(name) {
                return Err(format!("the output lacks the required field {name:?}"));
            }
        }
    }
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return Ok(());
    };
    for (name, value) in output {
        let Some(types) = props.get(name).and_then(|p| p.get("type")) else {
            continue;
        };
        let allowed: Vec<&str> = match types {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => continue,
        };
        if !allowed.iter().any(|t| has_type(value, t)) {
            return Err(format!(
                "the output field {name:?} is not of type {}",
                allowed.join(" or ")
            ));
        }
    }
    Ok(())
}

fn has_type(value: &Value, t: &str) -> bool {
    match t {
        "string" => value.is_string(),
        "number" => value.is_number(),
        "integer" => value.is_i64() || value.is_u64(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        "null" => value.is_null(),
        _ => true,
    }
}

/// The model's answer as a result, or why it is unusable.
fn read_output(
    answer: &Value,
    schema: &Value,
    wrapped: bool,
) -> Result<Result<Value, ParseError>, String> {
    let text = answer
        .pointer("/choices/0/message/content")
        .and_then(Value::as_str)
        .ok_or("the answer has no text content")?;
    let text = text.trim();
    // Some models fence JSON even when asked not to.
    let text = text
        .strip_prefix("```json")
        .or_else(|| text.strip_prefix("```"))
        .and_then(|t| t.strip_suffix("```"))
        .unwrap_or(text);
    let value: Value =
        serde_json::from_str(text.trim()).map_err(|e| format!("the output is not JSON: {e}"))?;
    let Value::Object(mut output) = value else {
        return Err("the output is not a JSON object".into());
    };
    // Missing facts win over a missing field: the model may leave out what it cannot know.
    if output.get("have_enough_info") == Some(&Value::Bool(false)) {
        return Ok(Err(ParseError::NotEnoughInformation));
    }
    conforms(&output, schema)?;
    if output.remove("have_enough_info") != Some(Value::Bool(true)) {
        return Err("the output lacks a boolean \"have_enough_info\"".into());
    }
    Ok(Ok(if wrapped {
        output.remove("value").unwrap_or(Value::Null)
    } else {
        Value::Object(output)
    }))
}

/// Asks `model` on `provider` to extract `output_schema` from `query`.
pub async fn parse_with_ai(
    provider: &Provider,
    key: &ProviderKey,
    model: &str,
    query: &str,
    output_schema: &Value,
) -> Result<Value, ParseError> {
    let (schema, wrapped) = request_schema(output_schema);
    let system = format!("{SYSTEM_PROMPT}\n\nJSON Schema:\n{schema}");
    let response_format = if provider.config.json_schema {
        json!({"type": "json_schema", "json_schema": {"name": "output", "schema": schema}})
    } else {
        json!({"type": "json_object"})
    };
    let body = json!({
        "model": model,
        "messages": [{"role": "system", "content": system}, {"role": "user", "content": query}],
        "response_format": response_format,
    });
    let mut last_problem = String::new();
    for _ in 0..=OUTPUT_RETRIES {
        let answer = provider
            .chat(key, &body)
            .await
            .map_err(ParseError::Provider)?;
        match read_output(&answer, &schema, wrapped) {
            Ok(result) => return result,
            Err(problem) => last_problem = problem,
        }
    }
    Err(ParseError::InvalidOutput(format!(
        "parse_with_ai: {last_problem} (after {} attempts)",
        OUTPUT_RETRIES + 1
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_gets_have_enough_info() {
        let (s, wrapped) = request_schema(&json!({"type": "object",
            "properties": {"recipient": {"type": "string"}}, "required": ["recipient"]}));
        assert!(!wrapped);
        assert_eq!(
            s["properties"]["have_enough_info"],
            json!({"type": "boolean"})
        );
        assert_eq!(s["required"], json!(["recipient", "have_enough_info"]));
        let (s, wrapped) = request_schema(&json!({"type": "string"}));
        assert!(wrapped);
        assert_eq!(s["properties"]["value"], json!({"type": "string"}));
        assert_eq!(s["required"], json!(["value", "have_enough_info"]));
        let (s, _) = request_schema(&json!({"type": "object"}));
        assert_eq!(s["required"], json!(["have_enough_info"]));
    }

    #[test]
    fn outputs() {
        let (schema, _) = request_schema(&json!({"type": "object",
            "properties": {"n": {"type": "integer"}, "tags": {"type": ["array", "null"]}}, "required": ["n"]}));
        let answer = |text: &str| json!({"choices": [{"message": {"content": text}}]});
        let read = |text: &str| read_output(&answer(text), &schema, false);
        assert_eq!(
            read(r#"{"n": 3, "have_enough_info": true}"#),
            Ok(Ok(json!({"n": 3})))
        );
        assert_eq!(
            read("```json\n{\"n\": 3, \"tags\": null, \"have_enough_info\": true}\n```"),
            Ok(Ok(json!({"n": 3, "tags": null})))
        );
        assert_eq!(
            read(r#"{"n": 0, "have_enough_info": false}"#),
            Ok(Err(ParseError::NotEnoughInformation))
        );
        for bad in [
            "not json",
            "[1]",
            r#"{"have_enough_info": true}"#,
            r#"{"n": "3", "have_enough_info": true}"#,
            r#"{"n": 3}"#,
            r#"{"n": 3.5, "have_enough_info": true}"#,
        ] {
            assert!(read(bad).is_err(), "{bad}");
        }
        assert!(read_output(&json!({"choices": []}), &schema, false).is_err());
    }
}
