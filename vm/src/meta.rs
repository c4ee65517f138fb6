//! `NamedMeta`: a meta spelled with label names, independent of any label table. Hosts and tests
//! use it to build and read metas; the host API itself speaks `sqrt_std::meta::Meta` against the
//! run's table (`Vm::labels`).

use serde::{Deserialize, Serialize};
use sqrt_std::label::{LabelSet, Labels};
use sqrt_std::meta::Meta;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Consumers {
    /// Everyone except these (`["*", "!e"]`); `AllBut([])` is universal.
    AllBut(Vec<String>),
    /// Exactly these.
    Only(Vec<String>),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedMeta {
    pub tags: Vec<String>,
    pub producers: Vec<String>,
    pub consumers: Consumers,
}

impl Default for NamedMeta {
    fn default() -> Self {
        NamedMeta {
            tags: vec![],
            producers: vec![],
            consumers: Consumers::AllBut(vec![]),
        }
    }
}

fn names(set: &LabelSet, labels: &Labels) -> Vec<String> {
    let mut v: Vec<String> = set.listed().map(|l| labels.name(l).to_string()).collect();
    v.sort();
    v
}

impl NamedMeta {
    pub fn tagged(tags: &[&str]) -> NamedMeta {
        let mut t: Vec<String> = tags.iter().map(|t| t.to_string()).collect();
        t.sort();
        NamedMeta {
            tags: t,
            ..NamedMeta::default()
        }
    }

    /// Interns the names into `labels`.
    pub fn to_meta(&self, labels: &mut Labels) -> Meta {
        let set = |v: &[String], labels: &mut Labels| {
            LabelSet::from_labels(v.iter().map(|n| labels.intern(n)).collect::<Vec<_>>())
        };
        let consumers = match &self.consumers {
            Consumers::AllBut(ex) => {
                LabelSet::cofinite(ex.iter().map(|n| labels.intern(n)).collect::<Vec<_>>())
            }
            Consumers::Only(v) => set(v, labels),
        };
        Meta {
            tags: set(&self.tags, labels),
            producers: set(&self.producers, labels),
            consumers,
        }
    }

    pub fn from_meta(m: &Meta, labels: &Labels) -> NamedMeta {
        let consumers = if m.consumers.is_cofinite() {
            Consumers::AllBut(names(&m.consumers, labels))
        } else {
            Consumers::Only(names(&m.consumers, labels))
        };
        NamedMeta {
            tags: names(&m.tags, labels),
            producers: names(&m.producers, labels),
            consumers,
        }
    }

    /// `{"tags": [...], "producers": [...], "consumers": ["*"]}`.
    pub fn to_json(&self) -> serde_json::Value {
        let consumers: Vec<String> = match &self.consumers {
            Consumers::AllBut(ex) => std::iter::once("*".to_string())
                .chain(ex.iter().map(|e| format!("!{e}")))
                .collect(),
            Consumers::Only(v) => v.clone(),
        };
        serde_json::json!({"tags": self.tags, "producers": self.producers, "consumers": consumers})
    }
}
