//! The resolved controls of a request (protocol.md §3): what `X-Features`, `X-Policy` and
//! `X-Config` decide once every default is filled in. [`super::headers`] produces them; the
//! session stores them, since the configuration is fixed when a session is created.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::headers::HeaderTexts;

/// The endpoint families of §1; the type only selects defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EndpointType {
    Chat,
    Code,
    Agent,
    LangGraph,
}

impl EndpointType {
    pub fn parse(text: &str) -> Option<EndpointType> {
        match text {
            "chat" => Some(EndpointType::Chat),
            "code" => Some(EndpointType::Code),
            "agent" => Some(EndpointType::Agent),
            "lang-graph" => Some(EndpointType::LangGraph),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EndpointType::Chat => "chat",
            EndpointType::Code => "code",
            EndpointType::Agent => "agent",
            EndpointType::LangGraph => "lang-graph",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AgentArch {
    SingleLlm,
    DualLlm,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyMode {
    Standard,
    Strict,
    Custom,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnforcementLevel {
    Soft,
    Hard,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BranchingMode {
    Allow,
    Deny,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClearSessionMeta {
    Never,
    EveryAttempt,
    EveryTurn,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryMismatchPolicy {
    Reject,
    RestartTurn,
    Continue,
}

/// The meta policy the VM applies to every branch condition (`deny` with empty lists by
/// default: nothing is denied until a list names something).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BranchingMetaPolicy {
    #[serde(default = "BranchingMetaPolicy::default_mode")]
    pub mode: BranchingMode,
    #[serde(default)]
    pub producers: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub consumers: Vec<String>,
}

impl BranchingMetaPolicy {
    fn default_mode() -> BranchingMode {
        BranchingMode::Deny
    }
}

impl Default for BranchingMetaPolicy {
    fn default() -> Self {
        BranchingMetaPolicy {
            mode: BranchingMode::Deny,
            producers: Vec::new(),
            tags: Vec::new(),
            consumers: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Features {
    pub agent_arch: AgentArch,
    /// Always empty: a non-empty list is refused.
    pub content_classifiers: Vec<Value>,
    pub content_blockers: Vec<Value>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyCode {
    pub code: String,
    /// Always `sqrt`: `cedar` is refused.
    pub language: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presets {
    pub default_allow: bool,
    pub default_allow_enforcement_level: EnforcementLevel,
    pub enable_non_executable_memory: bool,
    pub enable_llm_blocked_tag: bool,
    pub llm_blocked_tag_enforcement_level: EnforcementLevel,
    pub branching_meta_policy: BranchingMetaPolicy,
}

impl Default for Presets {
    fn default() -> Self {
        Presets {
            default_allow: true,
            default_allow_enforcement_level: EnforcementLevel::Soft,
            enable_non_executable_memory: true,
            enable_llm_blocked_tag: true,
            llm_blocked_tag_enforcement_level: EnforcementLevel::Hard,
            branching_meta_policy: BranchingMetaPolicy::default(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    pub mode: PolicyMode,
    pub codes: PolicyCode,
    pub auto_gen: bool,
    pub fail_fast: bool,
    pub presets: Presets,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fsm {
    pub clear_session_meta: ClearSessionMeta,
    /// `None` = unlimited.
    pub max_n_turns: Option<u32>,
    pub retry_on_policy_violation: bool,
    pub max_pllm_steps: u32,
    pub max_pllm_failed_steps: u32,
    /// `None` = only the relay's cap (`limits.max_tool_calls_per_step`).
    pub max_tool_calls_per_step: Option<u32>,
    pub enabled_internal_tools: Vec<String>,
    pub strict_tool_result_parsing: bool,
    pub history_mismatch_policy: HistoryMismatchPolicy,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseFormat {
    pub include_program: bool,
    pub include_policy_check_history: bool,
    pub include_namespace_snapshot: bool,
    pub strip_response_content: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct XConfig {
    pub fsm: Fsm,
    pub response_format: ResponseFormat,
}

/// Everything the three headers decide for one request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Controls {
    pub features: Features,
    pub policy: Policy,
    pub config: XConfig,
}

impl Controls {
    /// The built-in defaults of an endpoint type, before `sqrt.toml` and the headers.
    pub fn builtin(endpoint: EndpointType) -> Controls {
        let max_n_turns = match endpoint {
            EndpointType::Code | EndpointType::Agent => 20,
            EndpointType::Chat | EndpointType::LangGraph => 1,
        };
        let agent_arch = match endpoint {
            EndpointType::LangGraph => AgentArch::DualLlm,
            _ => AgentArch::SingleLlm,
        };
        Controls {
            features: Features {
                agent_arch,
                content_classifiers: Vec::new(),
                content_blockers: Vec::new(),
            },
            policy: Policy {
                mode: PolicyMode::Standard,
                codes: PolicyCode {
                    code: String::new(),
                    language: "sqrt".into(),
                },
                auto_gen: false,
                fail_fast: true,
                presets: Presets::default(),
            },
            config: XConfig {
                fsm: Fsm {
                    clear_session_meta: ClearSessionMeta::Never,
                    max_n_turns: Some(max_n_turns),
                    retry_on_policy_violation: false,
                    max_pllm_steps: 5,
                    max_pllm_failed_steps: 3,
                    max_tool_calls_per_step: None,
                    enabled_internal_tools: vec!["parse_with_ai".into()],
                    strict_tool_result_parsing: false,
                    history_mismatch_policy: HistoryMismatchPolicy::Reject,
                },
                response_format: ResponseFormat::default(),
            },
        }
    }

    /// The controls of a request continuing a session created with `self`. The configuration
    /// is fixed at creation: a header the request repeats must resolve to the same values (else
    /// the error names what changed), and an omitted one keeps the session's. `response_format`
    /// is the exception: it applies per response.
    pub fn continue_with(
        &self,
        fresh: &Controls,
        sent: &HeaderTexts<'_>,
    ) -> Result<Controls, String> {
        let mut out = self.clone();
        if sent.features.is_some() && fresh.features != self.features {
            return Err("X-Features differs from the session's".into());
        }
        if sent.policy.is_some() && fresh.policy != self.policy {
            return Err("X-Policy differs from the session's".into());
        }
        if sent.config.is_some() && fresh.config.fsm != self.config.fsm {
            return Err("X-Config's fsm differs from the session's".into());
        }
        out.config.response_format = fresh.config.response_format.clone();
        Ok(out)
    }
}
