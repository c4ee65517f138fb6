//! Values as the policy engine and the host see them (sqrt.md §5.1), and their JSON forms.
//!
//! A JSON number with no fraction or exponent that fits i64 is an `Int`; any other number is a
//! `Float`. Objects keep insertion order. Datetimes come only from the VM; in JSON they are written
//! as ISO 8601 UTC text (`2024-05-01T12:00:00Z`, with a fraction when the nanoseconds are not 0).
//!
//! "Value with meta" (cli.md): `{"value": <any JSON>, "meta": <meta>}`. **Decision:** an object is
//! read as that form iff it has a `"value"` key and no key besides `"value"` and `"meta"`
//! (`{"value": "x"}` is the value `"x"` with the default meta); any other JSON is a plain value
//! with the default meta.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::label::Labels;
use crate::meta::Meta;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub enum Value {
    #[default]
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    /// Seconds since the Unix epoch (UTC) and nanoseconds within the second.
    Datetime(i64, u32),
    List(Vec<Value>),
    /// Keys in insertion order.
    Dict(Vec<(String, Value)>),
}

impl Value {
    pub fn from_json(json: &Json) -> Value {
        match json {
            Json::Null => Value::None,
            Json::Bool(b) => Value::Bool(*b),
            // serde_json keeps integers and floats apart: `as_i64` is Some only for an integer
            // literal that fits i64.
            Json::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            Json::String(s) => Value::Str(s.clone()),
            Json::Array(items) => Value::List(items.iter().map(Value::from_json).collect()),
            Json::Object(obj) => Value::Dict(
                obj.iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// The JSON form; a non-finite float becomes `null` (JSON has no such number).
    pub fn to_json(&self) -> Json {
        match self {
            Value::None => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Int(i) => Json::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
            Value::Str(s) => Json::String(s.clone()),
            Value::Datetime(secs, nanos) => Json::String(format_iso(*secs, *nanos)),
            Value::List(items) => Json::Array(items.iter().map(Value::to_json).collect()),
            Value::Dict(entries) => Json::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// The entry `key` of a dict.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Dict(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// ISO 8601 UTC text of an epoch instant: `YYYY-MM-DDTHH:MM:SS[.fffffffff]Z` (fraction trimmed).
pub fn format_iso(secs: i64, nanos: u32) -> String {
    let days = secs.div_euclid(86_400);
    let tod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let mut s = format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        tod / 3600,
        tod / 60 % 60,
        tod % 60
    );
    if nanos != 0 {
        let frac = format!("{:09}", nanos.min(999_999_999));
        let _ = write!(s, ".{}", frac.trim_end_matches('0'));
    }
    s.push('Z');
    s
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// A value with its meta.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MetaValue {
    pub value: Value,
    pub meta: Meta,
}

impl MetaValue {
    pub fn new(value: Value, meta: Meta) -> MetaValue {
        MetaValue { value, meta }
    }

    /// Reads either `{"value": .., "meta": ..}` or a plain JSON value (default meta).
    pub fn from_json(json: &Json, labels: &mut Labels) -> Result<MetaValue, String> {
        if let Json::Object(obj) = json
            && obj.contains_key("value")
            && obj.keys().all(|k| k == "value" || k == "meta")
        {
            let meta = match obj.get("meta") {
                Some(m) => Meta::from_json(m, labels)?,
                None => Meta::BOTTOM,
            };
            return Ok(MetaValue {
                value: Value::from_json(&obj["value"]),
                meta,
            });
        }
        Ok(MetaValue {
            value: Value::from_json(json),
            meta: Meta::BOTTOM,
        })
    }

    /// `{"value": .., "meta": ..}` with all three meta fields.
    pub fn to_json(&self, labels: &Labels) -> Json {
        serde_json::json!({"value": self.value.to_json(), "meta": self.meta.to_json(labels)})
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_split_into_ints_and_floats() {
        assert_eq!(Value::from_json(&json!(3)), Value::Int(3));
        assert_eq!(
            Value::from_json(&json!(-9223372036854775808i64)),
            Value::Int(i64::MIN)
        );
        assert_eq!(Value::from_json(&json!(3.0)), Value::Float(3.0));
        assert_eq!(
            Value::from_json(&json!(18446744073709551615u64)),
            Value::Float(18446744073709551615.0)
        );
        let big: Json = serde_json::from_str("1e3").unwrap();
        assert_eq!(Value::from_json(&big), Value::Float(1000.0));
    }

    #[test]
    fn json_round_trips_keep_key_order() {
        let j = json!({"z": 1, "a": [true, null, "s", 1.5], "m": {}});
        let v = Value::from_json(&j);
        assert_eq!(v.to_json(), j);
        let Value::Dict(entries) = &v else { panic!() };
        assert_eq!(
            entries.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
            ["z", "a", "m"]
        );
        assert_eq!(v.get("z"), Some(&Value::Int(1)));
    }

    #[test]
    fn datetimes_print_as_iso_utc() {
        assert_eq!(
            Value::Datetime(0, 0).to_json(),
            json!("1970-01-01T00:00:00Z")
        );
        assert_eq!(
            Value::Datetime(951_782_400, 500_000_000).to_json(),
            json!("2000-02-29T00:00:00.5Z")
        );
        assert_eq!(
            Value::Datetime(-1, 0).to_json(),
            json!("1969-12-31T23:59:59Z")
        );
        assert_eq!(Value::Float(f64::NAN).to_json(), Json::Null);
    }

    #[test]
    fn value_with_meta_form_is_recognised() {
        let mut t = Labels::new();
        let mv =
            MetaValue::from_json(&json!({"value": "x", "meta": {"tags": ["a"]}}), &mut t).unwrap();
        assert_eq!(mv.value, Value::Str("x".into()));
        assert_eq!(
            mv.to_json(&t),
            json!({"value": "x", "meta": {"tags": ["a"], "producers": [], "consumers": ["*"]}})
        );
        let plain = MetaValue::from_json(&json!({"value": "x", "other": 1}), &mut t).unwrap();
        assert_eq!(plain.meta, Meta::BOTTOM);
        assert!(matches!(plain.value, Value::Dict(_)));
        let bare = MetaValue::from_json(&json!({"value": 5}), &mut t).unwrap();
        assert_eq!(bare.value, Value::Int(5));
        assert!(MetaValue::from_json(&json!({"value": 5, "meta": {"bad": []}}), &mut t).is_err());
    }
}
