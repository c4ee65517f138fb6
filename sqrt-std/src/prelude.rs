//! The preset prelude (sqrt.md §5.7): X-Policy's `presets` object and the SQRT text it selects.
//!
//! Presets are SQRT: each enabled preset is one policy of the prelude below, compiled after the
//! user's program. Instantiation substitutes `llm_blocked_tag_enforcement_level` for the level
//! of the `llm_blocked` rule and drops each policy whose switch is false. `default_allow` is not a
//! rule (an always-voting rule would change soft resolution); the verdict combination applies it
//! when no rule voted.

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::meta::kind;

/// An enforcement level as PRESETS.json names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PresetLevel {
    Hard,
    Soft,
}

impl PresetLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            PresetLevel::Hard => "hard",
            PresetLevel::Soft => "soft",
        }
    }

    fn parse(field: &str, json: &Json) -> Result<PresetLevel, String> {
        match json.as_str() {
            Some("hard") => Ok(PresetLevel::Hard),
            Some("soft") => Ok(PresetLevel::Soft),
            _ => Err(format!(
                "presets field `{field}` must be \"hard\" or \"soft\", found {json}"
            )),
        }
    }
}

/// `branching_meta_policy`: applied by the VM to branch conditions (planner.md §7), kept here as
/// plain label names.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BranchingMetaPolicy {
    /// `true` for `"allow"` mode, `false` for `"deny"` (the default).
    pub allow_mode: bool,
    pub tags: Vec<String>,
    pub producers: Vec<String>,
    pub consumers: Vec<String>,
}

/// X-Policy's `presets` object with every default filled in.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Presets {
    pub default_allow: bool,
    pub default_allow_enforcement_level: PresetLevel,
    pub enable_non_executable_memory: bool,
    pub enable_llm_blocked_tag: bool,
    pub llm_blocked_tag_enforcement_level: PresetLevel,
    pub branching_meta_policy: BranchingMetaPolicy,
}

impl Default for Presets {
    fn default() -> Presets {
        Presets {
            default_allow: true,
            default_allow_enforcement_level: PresetLevel::Soft,
            enable_non_executable_memory: true,
            enable_llm_blocked_tag: true,
            llm_blocked_tag_enforcement_level: PresetLevel::Hard,
            branching_meta_policy: BranchingMetaPolicy::default(),
        }
    }
}

/// One prelude policy: its name (rule ids are `preset:<name>`) and its source text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PresetPolicy {
    pub name: &'static str,
    pub source: String,
}

impl Presets {
    /// Parses a `presets` object; every field is optional, unknown fields are rejected.
    pub fn from_json(json: &Json) -> Result<Presets, String> {
        let Json::Object(obj) = json else {
            return Err(format!("presets must be an object, found {}", kind(json)));
        };
        let mut p = Presets::default();
        for (key, value) in obj {
            let flag = || {
                value.as_bool().ok_or_else(|| {
                    format!("presets field `{key}` must be true or false, found {value}")
                })
            };
            match key.as_str() {
                "default_allow" => p.default_allow = flag()?,
                "default_allow_enforcement_level" => {
                    p.default_allow_enforcement_level = PresetLevel::parse(key, value)?
                }
                "enable_non_executable_memory" => p.enable_non_executable_memory = flag()?,
                "enable_llm_blocked_tag" => p.enable_llm_blocked_tag = flag()?,
                "llm_blocked_tag_enforcement_level" => {
                    p.llm_blocked_tag_enforcement_level = PresetLevel::parse(key, value)?
                }
                "branching_meta_policy" => p.branching_meta_policy = branching(value)?,
                _ => return Err(format!("unknown presets field `{key}`")),
            }
        }
        Ok(p)
    }

    /// The enabled prelude policies, in prelude order, levels substituted.
    pub fn instantiate(&self) -> Vec<PresetPolicy> {
        let mut out = Vec::new();
        if self.enable_llm_blocked_tag {
            out.push(PresetPolicy {
                name: "llm_blocked",
                source: LLM_BLOCKED.replace(
                    "hard deny",
                    &format!("{} deny", self.llm_blocked_tag_enforcement_level.as_str()),
                ),
            });
        }
        if self.enable_non_executable_memory {
            out.push(PresetPolicy {
                name: "non_executable",
                source: NON_EXECUTABLE.to_owned(),
            });
        }
        out.push(PresetPolicy {
            name: "parse_with_ai_tag",
            source: PARSE_WITH_AI_TAG.to_owned(),
        });
        out
    }
}

fn branching(json: &Json) -> Result<BranchingMetaPolicy, String> {
    let Json::Object(obj) = json else {
        return Err(format!(
            "presets field `branching_meta_policy` must be an object, found {}",
            kind(json)
        ));
    };
    let mut b = BranchingMetaPolicy::default();
    for (key, value) in obj {
        let list = || -> Result<Vec<String>, String> {
            value
                .as_array()
                .and_then(|items| {
                    items
                        .iter()
                        .map(|i| i.as_str().map(str::to_owned))
                        .collect::<Option<Vec<_>>>()
                })
                .ok_or_else(|| {
                    format!("branching_meta_policy field `{key}` must be a list of strings")
                })
        };
        match key.as_str() {
            "mode" => {
                b.allow_mode = match value.as_str() {
                    Some("allow") => true,
                    Some("deny") => false,
                    _ => {
                        return Err(format!(
                            "branching_meta_policy `mode` must be \"allow\" or \"deny\", found {value}"
                        ));
                    }
                }
            }
            "tags" => b.tags = list()?,
            "producers" => b.producers = list()?,
            "consumers" => b.consumers = list()?,
            _ => return Err(format!("unknown branching_meta_policy field `{key}`")),
        }
    }
    Ok(b)
}

const LLM_BLOCKED: &str = "/// parse_with_ai must never read data marked __llm_blocked.
tool \"parse_with_ai\" {
    hard deny when @args.tags overlaps {\"__llm_blocked\"};
}
";

const NON_EXECUTABLE: &str = "/// Tool output is data, never instructions.
tool r\".*\" -> @tags |= {\"__non_executable\"};
";

const PARSE_WITH_AI_TAG: &str =
    "/// Output of parse_with_ai is marked as extracted by the quarantined LLM.
tool \"parse_with_ai\" -> @tags |= {\"__tool/parse_with_ai\"};
";

/// The whole prelude with the default presets, as sqrt.md §5.7 shows it.
pub fn default_prelude_text() -> String {
    Presets::default()
        .instantiate()
        .into_iter()
        .map(|p| p.source)
        .collect::<Vec<_>>()
        .join("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_enable_every_preset() {
        let names: Vec<_> = Presets::default()
            .instantiate()
            .iter()
            .map(|p| p.name)
            .collect();
        assert_eq!(
            names,
            ["llm_blocked", "non_executable", "parse_with_ai_tag"]
        );
        assert!(
            default_prelude_text()
                .contains("hard deny when @args.tags overlaps {\"__llm_blocked\"};")
        );
    }

    #[test]
    fn switches_drop_policies_and_levels_substitute() {
        let p = Presets::from_json(&json!({
            "enable_non_executable_memory": false,
            "llm_blocked_tag_enforcement_level": "soft",
            "default_allow": false,
            "branching_meta_policy": {"mode": "allow", "tags": ["a"]}
        }))
        .unwrap();
        assert!(!p.default_allow);
        assert!(p.branching_meta_policy.allow_mode);
        let inst = p.instantiate();
        assert_eq!(
            inst.iter().map(|p| p.name).collect::<Vec<_>>(),
            ["llm_blocked", "parse_with_ai_tag"]
        );
        assert!(inst[0].source.contains("soft deny when"));
        assert!(!inst[0].source.contains("hard"));
        let off = Presets::from_json(&json!({"enable_llm_blocked_tag": false})).unwrap();
        assert_eq!(off.instantiate().len(), 2);
    }

    #[test]
    fn unknown_or_mistyped_fields_are_rejected() {
        assert!(
            Presets::from_json(&json!({"default_alow": true}))
                .unwrap_err()
                .contains("unknown presets field")
        );
        assert!(Presets::from_json(&json!({"default_allow": "yes"})).is_err());
        assert!(Presets::from_json(&json!({"default_allow_enforcement_level": "must"})).is_err());
        assert!(
            Presets::from_json(&json!({"branching_meta_policy": {"mode": "deny", "x": []}}))
                .is_err()
        );
        assert!(Presets::from_json(&json!([])).is_err());
        assert_eq!(Presets::from_json(&json!({})).unwrap(), Presets::default());
    }
}
