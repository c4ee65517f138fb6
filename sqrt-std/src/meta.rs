//! Metadata carried by every value and by the session (sqrt.md §1, §5.1; cli.md "Metadata").
//!
//! `Meta::default()` is ⊥ = (tags ∅, producers ∅, consumers universal), the identity of `join`
//! (tags ∪, producers ∪, consumers ∩).
//!
//! JSON: `{"tags": [...], "producers": [...], "consumers": [...]}`. Output always writes all three
//! fields, each list sorted by code point, the universal set as `["*"]` and "all but a, b" as
//! `["*", "!a", "!b"]`. Input fields are optional (defaults as ⊥); a `"*"` element makes the
//! field co-finite, and then each `"!x"` element excludes `x`. **Decision:** without `"*"`, an
//! element `"!x"` is the ordinary label `!x` (sqrt.md §5.2: `!x` is an exclusion only next to
//! `"*"`); in a co-finite list, plain elements are redundant and ignored.

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::label::{LabelSet, Labels};

/// One of a meta's three label sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Field {
    Tags,
    Producers,
    Consumers,
}

impl Field {
    pub fn name(self) -> &'static str {
        match self {
            Field::Tags => "tags",
            Field::Producers => "producers",
            Field::Consumers => "consumers",
        }
    }
}

/// The three label sets of a value or of the session.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Meta {
    pub tags: LabelSet,
    pub producers: LabelSet,
    pub consumers: LabelSet,
}

impl Default for Meta {
    fn default() -> Meta {
        Meta::BOTTOM
    }
}

/// The three field names, in output order.
pub const FIELDS: [&str; 3] = ["tags", "producers", "consumers"];

impl Meta {
    /// ⊥: tags ∅, producers ∅, consumers universal.
    pub const BOTTOM: Meta = Meta {
        tags: LabelSet::EMPTY,
        producers: LabelSet::EMPTY,
        consumers: LabelSet::UNIVERSAL,
    };

    /// `self ⊔ other`.
    pub fn join(&self, other: &Meta) -> Meta {
        let mut m = self.clone();
        m.join_assign(other);
        m
    }

    pub fn join_assign(&mut self, other: &Meta) {
        self.tags.union_assign(&other.tags);
        self.producers.union_assign(&other.producers);
        self.consumers.intersect_assign(&other.consumers);
    }

    /// The JSON form (all three fields).
    pub fn to_json(&self, labels: &Labels) -> Json {
        let mut obj = serde_json::Map::new();
        obj.insert("tags".into(), set_to_json(&self.tags, labels));
        obj.insert("producers".into(), set_to_json(&self.producers, labels));
        obj.insert("consumers".into(), set_to_json(&self.consumers, labels));
        Json::Object(obj)
    }

    /// Parses the JSON form, interning every label it names.
    pub fn from_json(json: &Json, labels: &mut Labels) -> Result<Meta, String> {
        let Json::Object(obj) = json else {
            return Err(format!(
                "a meta must be an object with tags, producers and consumers, found {}",
                kind(json)
            ));
        };
        let mut meta = Meta::BOTTOM;
        for (key, value) in obj {
            let set =
                set_from_json(value, labels).map_err(|e| format!("meta field `{key}`: {e}"))?;
            match key.as_str() {
                "tags" => meta.tags = set,
                "producers" => meta.producers = set,
                "consumers" => meta.consumers = set,
                _ => {
                    return Err(format!(
                        "unknown meta field `{key}` (expected tags, producers or consumers)"
                    ));
                }
            }
        }
        Ok(meta)
    }
}

/// A label set as a JSON list: sorted members, or `"*"` then the sorted `"!x"` exclusions.
pub fn set_to_json(set: &LabelSet, labels: &Labels) -> Json {
    let mut names: Vec<&str> = set.listed().map(|l| labels.name(l)).collect();
    names.sort_unstable();
    let mut out = Vec::with_capacity(names.len() + 1);
    if set.is_cofinite() {
        out.push(Json::String("*".into()));
        out.extend(names.into_iter().map(|n| Json::String(format!("!{n}"))));
    } else {
        out.extend(names.into_iter().map(|n| Json::String(n.to_owned())));
    }
    Json::Array(out)
}

/// A JSON label list as a set (see the module documentation for `"*"` and `"!x"`).
pub fn set_from_json(json: &Json, labels: &mut Labels) -> Result<LabelSet, String> {
    let Json::Array(items) = json else {
        return Err(format!(
            "expected a list of label strings, found {}",
            kind(json)
        ));
    };
    let mut names = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Json::String(s) => names.push(s.as_str()),
            other => return Err(format!("labels must be strings, found {}", kind(other))),
        }
    }
    if names.contains(&"*") {
        let excluded = names
            .iter()
            .filter_map(|n| n.strip_prefix('!'))
            .map(|n| labels.intern(n))
            .collect::<Vec<_>>();
        Ok(LabelSet::cofinite(excluded))
    } else {
        Ok(LabelSet::from_labels(
            names.iter().map(|n| labels.intern(n)).collect::<Vec<_>>(),
        ))
    }
}

pub(crate) fn kind(json: &Json) -> &'static str {
    match json {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "a list",
        Json::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bottom_is_the_identity_of_join() {
        let mut t = Labels::new();
        let m = Meta::from_json(
            &json!({"tags": ["a"], "producers": ["p"], "consumers": ["c"]}),
            &mut t,
        )
        .unwrap();
        assert_eq!(m.join(&Meta::default()), m);
        assert_eq!(Meta::default().join(&m), m);
        let d = Meta::default().to_json(&t);
        assert_eq!(d, json!({"tags": [], "producers": [], "consumers": ["*"]}));
    }

    #[test]
    fn join_unites_tags_and_producers_and_intersects_consumers() {
        let mut t = Labels::new();
        let a =
            Meta::from_json(&json!({"tags": ["x"], "consumers": ["*", "!bob"]}), &mut t).unwrap();
        let b = Meta::from_json(
            &json!({"tags": ["y"], "producers": ["p"], "consumers": ["bob", "amy"]}),
            &mut t,
        )
        .unwrap();
        let j = a.join(&b);
        assert_eq!(
            j.to_json(&t),
            json!({"tags": ["x", "y"], "producers": ["p"], "consumers": ["amy"]})
        );
    }

    #[test]
    fn output_is_sorted_by_code_point_with_cofinite_form() {
        let mut t = Labels::new();
        let m = Meta::from_json(
            &json!({"tags": ["b", "a", "Z", "é"], "consumers": ["*", "!z", "!a", "x"]}),
            &mut t,
        )
        .unwrap();
        assert_eq!(
            m.to_json(&t),
            json!({"tags": ["Z", "a", "b", "é"], "producers": [], "consumers": ["*", "!a", "!z"]})
        );
    }

    #[test]
    fn bang_without_star_is_an_ordinary_label() {
        let mut t = Labels::new();
        let m = Meta::from_json(&json!({"tags": ["!a"]}), &mut t).unwrap();
        assert_eq!(m.to_json(&t)["tags"], json!(["!a"]));
        assert!(t.get("!a").is_some());
    }

    #[test]
    fn bad_input_is_rejected_with_clear_errors() {
        let mut t = Labels::new();
        let e = Meta::from_json(&json!({"tag": []}), &mut t).unwrap_err();
        assert!(e.contains("unknown meta field `tag`"), "{e}");
        let e = Meta::from_json(&json!({"tags": "a"}), &mut t).unwrap_err();
        assert!(e.contains("`tags`") && e.contains("a string"), "{e}");
        let e = Meta::from_json(&json!({"tags": [1]}), &mut t).unwrap_err();
        assert!(e.contains("labels must be strings"), "{e}");
        let e = Meta::from_json(&json!([]), &mut t).unwrap_err();
        assert!(e.contains("object"), "{e}");
    }
}
