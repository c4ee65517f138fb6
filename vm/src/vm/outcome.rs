//! Outcomes, error rendering with redaction (planner.md §8) and JSON conversion (§3).

use serde_json::Value as Json;

use super::{Stop, Vm};
use crate::api::*;
use crate::compile::line_col;
use crate::label::Label;
use crate::value::{Class, Obj, Value};
use sqrt_std::meta::Meta;

impl Vm {
    fn base_outcome(&self, status: Status, error: Option<RunError>) -> Outcome {
        let (v, l) = self
            .globals
            .first()
            .cloned()
            .unwrap_or((Value::None, Label::BOTTOM));
        let v = if matches!(v, Value::Undef) {
            Value::None
        } else {
            v
        };
        Outcome {
            status,
            final_return_value: self.to_json_lossy(&v),
            final_meta: self.interner.meta_of(&self.heap.deep(&v, l)),
            error,
            calls: self.calls.clone(),
            printed: self.printed.clone(),
            printed_meta: self.interner.meta_of(&self.printed_label),
        }
    }

    pub(crate) fn success_outcome(&self) -> Outcome {
        self.base_outcome(Status::Success, None)
    }

    fn frame_lines(&self, trace: &[(u32, u32)]) -> (String, u32, u32) {
        let mut out = String::from("Traceback (most recent call last):\n");
        let (mut line, mut col) = (0, 0);
        for (code, ip) in trace {
            let Some(c) = self.prog.codes.get(*code as usize) else {
                continue;
            };
            let Some(&(s, e)) = c.spans.get(*ip as usize) else {
                continue;
            };
            let (ln, cl) = line_col(&self.prog.source, s);
            line = ln;
            col = cl;
            out.push_str(&format!("  File \"<program>\", line {ln}, in {}\n", c.name));
            out.push_str(&caret_lines(&self.prog.source, s, e));
        }
        (out, line, col)
    }

    pub(crate) fn exception_outcome(&self, exc: &Value) -> Outcome {
        let (class, trace, label) = match exc {
            Value::Ref(r) => match &self.heap.get(*r).obj {
                Obj::Exception { class, trace, .. } => (
                    class.clone(),
                    trace.clone(),
                    self.heap.deep(exc, Label::BOTTOM),
                ),
                _ => (Value::None, vec![], Label::BOTTOM),
            },
            _ => (Value::None, vec![], Label::BOTTOM),
        };
        let kind = self.class_value_name(&class);
        let redacted = !label.is_bottom();
        let message = if redacted {
            REDACTED.to_string()
        } else {
            self.str_of(exc)
        };
        let (mut rendered, line, column) = self.frame_lines(&trace);
        if message.is_empty() {
            rendered.push_str(&kind);
        } else {
            rendered.push_str(&format!("{kind}: {message}"));
        }
        let err = RunError {
            code: ErrorCode::ProgramError,
            kind,
            message,
            redacted,
            meta: self.interner.meta_of(&label),
            line,
            column,
            rendered,
            diagnostics: vec![],
        };
        self.base_outcome(Status::Failure, Some(err))
    }

    pub(crate) fn stop_outcome(&self, s: Stop) -> Outcome {
        let (mut rendered, line, column) = self.frame_lines(&self.trace());
        let redacted = s.code == ErrorCode::ProgramError && !s.label.is_bottom();
        let message = if redacted {
            REDACTED.to_string()
        } else {
            s.message.clone()
        };
        rendered.push_str(&format!("{}: {message}", s.kind));
        let err = RunError {
            code: s.code,
            kind: s.kind,
            message,
            redacted,
            meta: self.interner.meta_of(&s.label),
            line,
            column,
            rendered,
            diagnostics: vec![],
        };
        self.base_outcome(Status::Failure, Some(err))
    }

    pub(crate) fn invalid_outcome(&self) -> Outcome {
        let d = &self.diagnostics;
        let mut rendered = String::new();
        for x in d {
            rendered.push_str(&format!("  File \"<program>\", line {}\n", x.line));
            rendered.push_str(&caret_lines(
                &self.prog.source,
                x.start,
                x.end.max(x.start + 1),
            ));
            rendered.push_str(&format!("{}: {}\n", x.kind, x.message));
        }
        let first = d.first();
        let err = RunError {
            code: ErrorCode::InvalidProgram,
            kind: first
                .map(|x| x.kind.clone())
                .unwrap_or_else(|| "SyntaxError".into()),
            message: first.map(|x| x.message.clone()).unwrap_or_default(),
            redacted: false,
            meta: Meta::default(),
            line: first.map(|x| x.line).unwrap_or(0),
            column: first.map(|x| x.column).unwrap_or(0),
            rendered,
            diagnostics: d.clone(),
        };
        Outcome {
            status: Status::Failure,
            final_return_value: Json::Null,
            final_meta: Meta::default(),
            error: Some(err),
            calls: vec![],
            printed: String::new(),
            printed_meta: Meta::default(),
        }
    }

    /// JSON for tool arguments: a non-JSON value is an error naming its type.
    pub(crate) fn to_json(&self, v: &Value) -> Result<Json, String> {
        self.to_json_depth(v, 0, false)
    }

    /// JSON for `final_return_value`: non-JSON parts become their `repr`.
    pub(crate) fn to_json_lossy(&self, v: &Value) -> Json {
        self.to_json_depth(v, 0, true)
            .unwrap_or_else(|_| Json::String(self.repr_of(v)))
    }

    fn to_json_depth(&self, v: &Value, d: usize, lossy: bool) -> Result<Json, String> {
        if d > 200 {
            return Err("a nested structure too deep or circular".into());
        }
        let arr = |xs: &mut dyn Iterator<Item = &Value>| -> Result<Json, String> {
            Ok(Json::Array(
                xs.map(|x| self.to_json_depth(x, d + 1, lossy))
                    .collect::<Result<_, _>>()?,
            ))
        };
        let r = match v {
            Value::None => Ok(Json::Null),
            Value::Bool(b) => Ok(Json::Bool(*b)),
            Value::Int(i) => Ok(Json::from(*i)),
            Value::Float(x) => serde_json::Number::from_f64(*x)
                .map(Json::Number)
                .ok_or_else(|| "float".to_string()),
            Value::Str(s) => Ok(Json::String(String::from(&**s))),
            Value::Dt(crate::modules::datetime::Dt::Delta { us }) => {
                serde_json::Number::from_f64(*us as f64 / 1e6)
                    .map(Json::Number)
                    .ok_or_else(|| "timedelta".to_string())
            }
            Value::Dt(d @ crate::modules::datetime::Dt::Tz { .. }) => {
                Err(crate::modules::datetime::type_name(d).to_string())
            }
            Value::Dt(d) => Ok(Json::String(crate::modules::datetime::iso(d, "T"))),
            Value::Tuple(t) => arr(&mut t.iter().map(|s| &s.0)),
            Value::Range(a, b, s) => Ok(Json::Array(
                super::ops::range_items(*a, *b, *s, 1 << 20)
                    .into_iter()
                    .map(Json::from)
                    .collect(),
            )),
            Value::Ref(r) => match &self.heap.get(*r).obj {
                Obj::List(x) => arr(&mut x.iter().map(|s| &s.0)),
                Obj::Set(x) => arr(&mut x.values().map(|s| &s.0)),
                Obj::Dict(dct) => {
                    let mut m = serde_json::Map::with_capacity(dct.len());
                    for (k, x) in dct.values() {
                        let Value::Str(ks) = &k.0 else {
                            return Err("dict with non-str keys".into());
                        };
                        m.insert(String::from(&**ks), self.to_json_depth(&x.0, d + 1, lossy)?);
                    }
                    Ok(Json::Object(m))
                }
                Obj::Instance { class, fields } => {
                    let mut m = serde_json::Map::new();
                    if let Obj::Class(Class::Holder { fields: names, .. }) =
                        &self.heap.get(*class).obj
                    {
                        for ((n, _), (x, _)) in names.iter().zip(fields.iter()) {
                            m.insert(String::from(&**n), self.to_json_depth(x, d + 1, lossy)?);
                        }
                    }
                    Ok(Json::Object(m))
                }
                _ => Err(self.type_name(v)),
            },
            _ => Err(self.type_name(v)),
        };
        match r {
            Err(_) if lossy && d > 0 => Ok(Json::String(self.repr_of(v))),
            other => other,
        }
    }

    /// JSON → value: object→dict (order kept), array→list, integer→int (beyond i64: float).
    /// Containers get `own` as their own label; nested elements are ⊥.
    pub(crate) fn value_from_json(&mut self, j: &Json, own: Label) -> Result<Value, Box<Stop>> {
        let lim = |vm: &Vm, w: &str| match vm.limit(w) {
            super::Flow::Stop(s) => s,
            super::Flow::Exc(_) => Box::new(Stop {
                code: ErrorCode::LimitExceeded,
                kind: "LimitExceeded".into(),
                message: w.into(),
                label: Label::BOTTOM,
            }),
        };
        Ok(match j {
            Json::Null => Value::None,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            Json::String(s) => {
                if s.len() > self.limits.str_bytes {
                    return Err(lim(self, "string size"));
                }
                Value::Str(s.as_str().into())
            }
            Json::Array(a) => {
                if a.len() > self.limits.collection_len {
                    return Err(lim(self, "collection size"));
                }
                let mut items = vec![];
                for x in a {
                    items.push((self.value_from_json(x, Label::BOTTOM)?, Label::BOTTOM));
                }
                let r = self.heap.alloc(own, Obj::List(items));
                if self.heap.bytes > self.limits.heap_bytes {
                    return Err(lim(self, "heap"));
                }
                Value::Ref(r)
            }
            Json::Object(o) => {
                if o.len() > self.limits.collection_len {
                    return Err(lim(self, "collection size"));
                }
                let r = self.heap.alloc(own, Obj::Dict(Default::default()));
                for (k, x) in o {
                    let v = self.value_from_json(x, Label::BOTTOM)?;
                    let key = crate::value::HKey::Str(k.as_str().into());
                    if let Obj::Dict(d) = &mut self.heap.get_mut(r).obj {
                        d.insert(
                            key,
                            (
                                (Value::Str(k.as_str().into()), Label::BOTTOM),
                                (v, Label::BOTTOM),
                            ),
                        );
                    }
                    self.heap.bytes += 112;
                }
                if self.heap.bytes > self.limits.heap_bytes {
                    return Err(lim(self, "heap"));
                }
                Value::Ref(r)
            }
        })
    }
}

/// The source line holding `start` and a caret line under `start..end` (clipped to the line).
/// Offsets that fall inside a character are moved back to its start: a span from the parser
/// can end inside a multi-byte character of malformed text (found by the `program` fuzz target).
fn caret_lines(src: &str, start: u32, end: u32) -> String {
    let s = src.floor_char_boundary(start as usize);
    let ls = src[..s].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let le = src[s..].find('\n').map(|i| s + i).unwrap_or(src.len());
    let line = &src[ls..le];
    let indent = line.len() - line.trim_start().len();
    let text = line.trim();
    let from = src[ls + indent..s.max(ls + indent)].chars().count();
    let e = src.floor_char_boundary((end as usize).clamp(s, le));
    let width = src[s..e].chars().count().max(1);
    format!(
        "    {text}\n    {}{}\n",
        " ".repeat(from),
        "^".repeat(width)
    )
}

#[cfg(test)]
mod tests {
    use super::caret_lines;

    #[test]
    fn carets_survive_offsets_inside_a_character() {
        // `é` is bytes 5..7; offsets 6 and 6..6 fall inside it and must not panic.
        let src = "a = \"é\"\nb = 1\n";
        assert_eq!(caret_lines(src, 6, 6), "    a = \"é\"\n         ^\n");
        assert_eq!(caret_lines(src, 4, 6), "    a = \"é\"\n        ^\n");
        // Past the end is clipped to the last line.
        assert_eq!(caret_lines(src, 99, 120), "    \n    ^\n");
    }
}
