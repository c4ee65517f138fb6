//! Tool stubs: the signature the planner sees, argument binding and JSON Schema validation.

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ToolParam {
    pub name: String,
    pub required: bool,
    /// The parameter's JSON Schema. Held parsed (arguments are validated at compile time and
    /// at every call) and serialized as JSON text, since snapshots cannot hold a
    /// `serde_json::Value`: the text is only produced when a snapshot is taken.
    #[serde(with = "schema_text")]
    pub schema: Json,
}

/// A schema as JSON text in serialized form (the layout snapshot format 1 already used).
mod schema_text {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};
    use serde_json::Value as Json;

    pub fn serialize<S: Serializer>(schema: &Json, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&schema.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Json, D::Error> {
        let text = String::deserialize(d)?;
        serde_json::from_str(&text).map_err(D::Error::custom)
    }
}

/// One callable tool: required parameters first, then optional ones, each in schema key order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ToolStub {
    pub name: String,
    pub internal: bool,
    pub params: Vec<ToolParam>,
}

impl ToolStub {
    pub fn from_tool(t: &sqrt_std::tools::Tool) -> ToolStub {
        let mut params: Vec<ToolParam> = t
            .params
            .iter()
            .map(|p| ToolParam {
                name: p.name.clone(),
                required: p.required,
                schema: p.schema.clone(),
            })
            .collect();
        params.sort_by_key(|p| !p.required);
        ToolStub {
            name: t.name.clone(),
            internal: false,
            params,
        }
    }

    /// Stubs for every tool of an OpenAI `tools` array, in its order.
    pub fn from_tool_set(set: &sqrt_std::tools::ToolSet) -> Vec<ToolStub> {
        set.iter().map(ToolStub::from_tool).collect()
    }

    /// A stub from a name and `(param, required, schema)` triples, already in binding order.
    pub fn new(name: &str, params: &[(&str, bool, Json)]) -> ToolStub {
        ToolStub {
            name: name.to_string(),
            internal: false,
            params: params
                .iter()
                .map(|(n, r, s)| ToolParam {
                    name: n.to_string(),
                    required: *r,
                    schema: s.clone(),
                })
                .collect(),
        }
    }

    /// `parse_with_ai(query: str, output_schema: dict) -> dict`.
    pub fn parse_with_ai() -> ToolStub {
        let mut s = ToolStub::new(
            "parse_with_ai",
            &[
                ("query", true, serde_json::json!({"type": "string"})),
                ("output_schema", true, serde_json::json!({"type": "object"})),
            ],
        );
        s.internal = true;
        s
    }

    fn param_list(&self) -> String {
        self.params
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Checks the shape of a call (positional count, keyword names, duplicates, required
    /// ones) and returns the parameter index of each argument, positional then keyword. One
    /// allocation: this runs at compile time and at every call.
    pub fn bind(&self, npos: usize, kw: &[&str]) -> Result<Vec<usize>, String> {
        let n = &self.name;
        if npos > self.params.len() {
            return Err(format!(
                "{n}() takes {} positional arguments but {npos} were given",
                self.params.len()
            ));
        }
        let mut order: Vec<usize> = Vec::with_capacity(npos + kw.len());
        order.extend(0..npos);
        for k in kw {
            let Some(i) = self.params.iter().position(|p| p.name == *k) else {
                return Err(format!(
                    "{n}() got an unexpected keyword argument '{k}' (parameters: {})",
                    self.param_list()
                ));
            };
            if order.contains(&i) {
                return Err(format!("{n}() got multiple values for argument '{k}'"));
            }
            order.push(i);
        }
        for (i, p) in self.params.iter().enumerate() {
            if p.required && !order.contains(&i) {
                return Err(format!("{n}() missing required argument '{}'", p.name));
            }
        }
        Ok(order)
    }

    pub fn schema(&self, i: usize) -> &Json {
        &self.params[i].schema
    }

    /// Validates one argument; the message never shows the value.
    pub fn validate_arg(&self, i: usize, v: &Json) -> Result<(), String> {
        let schema = self.schema(i);
        validate(schema, schema, v, "").map_err(|(path, msg)| {
            format!(
                "{}() argument '{}'{}: {msg}",
                self.name, self.params[i].name, path
            )
        })
    }

    /// Whether the schema accepts null (an explicit None for an optional parameter that does
    /// not accept null counts as omitted).
    pub fn accepts_null(&self, i: usize) -> bool {
        let s = self.schema(i);
        validate(s, s, &Json::Null, "").is_ok()
    }
}

fn type_name(v: &Json) -> &'static str {
    match v {
        Json::Null => "None",
        Json::Bool(_) => "bool",
        Json::Number(n) if n.is_i64() || n.is_u64() => "int",
        Json::Number(_) => "float",
        Json::String(_) => "str",
        Json::Array(_) => "list",
        Json::Object(_) => "dict",
    }
}

fn has_type(t: &str, v: &Json) -> bool {
    match t {
        "string" => v.is_string(),
        "integer" => {
            v.as_i64().is_some()
                || v.as_u64().is_some()
                || v.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        _ => true,
    }
}

fn json_type_word(t: &str) -> &str {
    match t {
        "integer" => "integer",
        "number" => "number",
        "boolean" => "boolean",
        "array" => "array",
        "object" => "object",
        other => other,
    }
}

type VErr = (String, String);

/// A JSON Schema subset: type, enum, const, properties/required/additionalProperties, items,
/// bounds, lengths, pattern, anyOf/oneOf/allOf and local `$ref`. Other keywords are ignored.
const REF: u16 = 1;
const TYPE: u16 = 1 << 1;
const ENUM: u16 = 1 << 2;
const CONST: u16 = 1 << 3;
const RANGE: u16 = 1 << 4;
const LEN: u16 = 1 << 5;
const PATTERN: u16 = 1 << 6;
const ITEMS: u16 = 1 << 7;
const OBJECT: u16 = 1 << 8;
const ALL: u16 = 1 << 9;
const ANY: u16 = 1 << 10;
const ONE: u16 = 1 << 11;

/// The keywords a schema object uses, in one pass over its keys: most schemas use one or two of
/// those `validate` knows, and looking up each absent one would cost a hashed probe, at every
/// tool call.
fn keywords(obj: &serde_json::Map<String, Json>) -> u16 {
    obj.keys().fold(0, |has, k| {
        has | match k.as_str() {
            "$ref" => REF,
            "type" => TYPE,
            "enum" => ENUM,
            "const" => CONST,
            "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" => RANGE,
            "minLength" | "maxLength" => LEN,
            "pattern" => PATTERN,
            "minItems" | "maxItems" | "items" => ITEMS,
            "properties" | "required" | "additionalProperties" => OBJECT,
            "allOf" => ALL,
            "anyOf" => ANY,
            "oneOf" => ONE,
            _ => 0,
        }
    })
}

pub fn validate(root: &Json, s: &Json, v: &Json, path: &str) -> Result<(), VErr> {
    let Some(obj) = s.as_object() else {
        return Ok(());
    };
    let fail = |m: String| Err((path.to_string(), m));
    let has = keywords(obj);
    if has & REF != 0
        && let Some(Json::String(r)) = obj.get("$ref")
    {
        if let Some(p) = r.strip_prefix("#")
            && let Some(t) = root.pointer(p)
        {
            return validate(root, t, v, path);
        }
        return Ok(());
    }
    let ty = if has & TYPE != 0 {
        obj.get("type")
    } else {
        None
    };
    match ty {
        Some(Json::String(t)) if !has_type(t, v) => {
            return fail(format!(
                "expected {}, got {}",
                json_type_word(t),
                type_name(v)
            ));
        }
        Some(Json::Array(ts))
            if !ts
                .iter()
                .any(|t| t.as_str().is_some_and(|t| has_type(t, v))) =>
        {
            let words: Vec<&str> = ts.iter().filter_map(|t| t.as_str()).collect();
            return fail(format!(
                "expected {}, got {}",
                words.join(" or "),
                type_name(v)
            ));
        }
        _ => {}
    }
    if has & ENUM != 0
        && let Some(Json::Array(e)) = obj.get("enum")
        && !e.contains(v)
    {
        return fail("value is not one of the allowed values".into());
    }
    if has & CONST != 0
        && let Some(c) = obj.get("const")
        && c != v
    {
        return fail("value is not the required constant".into());
    }
    if has & RANGE != 0
        && let Some(f) = v.as_f64()
        && (obj
            .get("minimum")
            .and_then(Json::as_f64)
            .is_some_and(|m| f < m)
            || obj
                .get("maximum")
                .and_then(Json::as_f64)
                .is_some_and(|m| f > m)
            || obj
                .get("exclusiveMinimum")
                .and_then(Json::as_f64)
                .is_some_and(|m| f <= m)
            || obj
                .get("exclusiveMaximum")
                .and_then(Json::as_f64)
                .is_some_and(|m| f >= m))
    {
        return fail("number out of the allowed range".into());
    }
    if has & (LEN | PATTERN) != 0
        && let Some(st) = v.as_str()
    {
        let n = st.chars().count() as u64;
        if obj
            .get("minLength")
            .and_then(Json::as_u64)
            .is_some_and(|m| n < m)
            || obj
                .get("maxLength")
                .and_then(Json::as_u64)
                .is_some_and(|m| n > m)
        {
            return fail("string length out of the allowed range".into());
        }
        if let Some(Json::String(p)) = obj.get("pattern")
            && let Ok(re) = regex::Regex::new(p)
            && !re.is_match(st)
        {
            return fail("string does not match the required pattern".into());
        }
    }
    if has & ITEMS != 0
        && let Some(a) = v.as_array()
    {
        let n = a.len() as u64;
        if obj
            .get("minItems")
            .and_then(Json::as_u64)
            .is_some_and(|m| n < m)
            || obj
                .get("maxItems")
                .and_then(Json::as_u64)
                .is_some_and(|m| n > m)
        {
            return fail("array length out of the allowed range".into());
        }
        if let Some(items) = obj.get("items") {
            for (i, x) in a.iter().enumerate() {
                validate(root, items, x, &format!("{path}[{i}]"))?;
            }
        }
    }
    if has & OBJECT != 0
        && let Some(o) = v.as_object()
    {
        let props = obj.get("properties").and_then(Json::as_object);
        if let Some(Json::Array(req)) = obj.get("required") {
            for r in req.iter().filter_map(Json::as_str) {
                if !o.contains_key(r) {
                    return fail(format!("missing required key '{r}'"));
                }
            }
        }
        for (k, x) in o {
            match props.and_then(|p| p.get(k)) {
                Some(ps) => validate(root, ps, x, &format!("{path}.{k}"))?,
                None => match obj.get("additionalProperties") {
                    Some(Json::Bool(false)) => return fail(format!("unexpected key '{k}'")),
                    Some(ap @ Json::Object(_)) => validate(root, ap, x, &format!("{path}.{k}"))?,
                    _ => {}
                },
            }
        }
    }
    if has & ALL != 0
        && let Some(Json::Array(all)) = obj.get("allOf")
    {
        for s2 in all {
            validate(root, s2, v, path)?;
        }
    }
    if has & ANY != 0
        && let Some(Json::Array(any)) = obj.get("anyOf")
        && !any.iter().any(|s2| validate(root, s2, v, path).is_ok())
    {
        return fail(format!(
            "{} matches none of the allowed schemas",
            type_name(v)
        ));
    }
    if has & ONE != 0
        && let Some(Json::Array(one)) = obj.get("oneOf")
        && one
            .iter()
            .filter(|s2| validate(root, s2, v, path).is_ok())
            .count()
            != 1
    {
        return fail(format!(
            "{} does not match exactly one allowed schema",
            type_name(v)
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn send() -> ToolStub {
        ToolStub::new(
            "send",
            &[
                ("to", true, json!({"type": "string"})),
                ("body", true, json!({"type": "string"})),
            ],
        )
    }

    #[test]
    fn stubs_from_openai_tools_put_required_first() {
        let set = sqrt_std::tools::ToolSet::parse(
            r#"[{"type": "function", "function": {"name": "send", "parameters": {"type": "object",
                "properties": {"cc": {"type": "string"}, "to": {"type": "string"}, "body": {"type": "string"}},
                "required": ["to", "body"]}}}]"#,
        )
        .unwrap();
        let stubs = ToolStub::from_tool_set(&set);
        let names: Vec<&str> = stubs[0].params.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["to", "body", "cc"]);
        assert_eq!(stubs[0].bind(2, &["cc"]), Ok(vec![0, 1, 2]));
    }

    #[test]
    fn shape_errors_name_the_problem() {
        let s = send();
        assert_eq!(
            s.bind(0, &["to"]).unwrap_err(),
            "send() missing required argument 'body'"
        );
        assert_eq!(
            s.bind(0, &["to", "body", "cc"]).unwrap_err(),
            "send() got an unexpected keyword argument 'cc' (parameters: to, body)"
        );
        assert_eq!(s.bind(1, &["body"]), Ok(vec![0, 1]));
        assert_eq!(
            s.bind(1, &["to"]).unwrap_err(),
            "send() got multiple values for argument 'to'"
        );
    }

    #[test]
    fn validation_paths_and_no_values() {
        let s = send();
        assert_eq!(
            s.validate_arg(0, &json!(["x"])).unwrap_err(),
            "send() argument 'to': expected string, got list"
        );
        let t = ToolStub::new(
            "order",
            &[(
                "items",
                true,
                json!({"type": "array", "items": {"type": "object", "properties": {"qty": {"type": "integer"}}}}),
            )],
        );
        assert_eq!(
            t.validate_arg(0, &json!([{}, {}, {"qty": "many"}]))
                .unwrap_err(),
            "order() argument 'items'[2].qty: expected integer, got str"
        );
        assert!(t.validate_arg(0, &json!([{"qty": 3}])).is_ok());
        // bool is not a number
        let n = ToolStub::new("n", &[("x", true, json!({"type": "number"}))]);
        assert!(n.validate_arg(0, &json!(true)).is_err());
    }
}
