//! Control headers (protocol.md §3): `X-Features`, `X-Policy` and `X-Config` turned into one
//! resolved [`Controls`] value, layered over the endpoint defaults.
//!
//! Each header is a UTF-8 JSON object of at most `limits.max_header_bytes`. Unknown fields are
//! rejected with their path (`x_policy.bogus: unknown field`). Features the relay cannot honour
//! (`content_classifiers`, Cedar policies, `auto_gen`, internal tools other than
//! `parse_with_ai`) are refused as `unsupported_feature`, because ignoring them would fail open.
//! The SQRT text of `X-Policy` stays a string here: compiling it is the engine's job, reached
//! through the [`PolicyCompiler`] hook.

use axum::http::HeaderMap;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use super::controls::{
    AgentArch, BranchingMetaPolicy, ClearSessionMeta, Controls, EndpointType, EnforcementLevel,
    Fsm, HistoryMismatchPolicy, Policy, PolicyMode, ResponseFormat,
};
use super::error::{ApiError, Diagnostic, ErrorCode};
use super::request::kind;

/// Deserializes a field where `null` is a value of its own (`max_n_turns: null` = unlimited),
/// distinct from an absent field.
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

// ---------------------------------------------------------------------------------------------
// The headers as sent: every field optional, unknown fields rejected.

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FeaturesHeader {
    agent_arch: Option<AgentArch>,
    content_classifiers: Option<Vec<Value>>,
    content_blockers: Option<Vec<Value>>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyHeader {
    mode: Option<PolicyMode>,
    /// A bare string or `{"code", "language"}`; checked by hand to report precise paths.
    codes: Option<Value>,
    auto_gen: Option<bool>,
    fail_fast: Option<bool>,
    presets: Option<PresetsHeader>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PresetsHeader {
    default_allow: Option<bool>,
    default_allow_enforcement_level: Option<EnforcementLevel>,
    enable_non_executable_memory: Option<bool>,
    enable_llm_blocked_tag: Option<bool>,
    llm_blocked_tag_enforcement_level: Option<EnforcementLevel>,
    branching_meta_policy: Option<BranchingMetaPolicy>,
}

/// `X-Config`'s `fsm` as sent, also the shape of `[defaults.fsm]` in `sqrt.toml`.
// The reference fields are only type-checked, never read.
#[allow(dead_code)]
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FsmHeader {
    clear_session_meta: Option<ClearSessionMeta>,
    #[serde(default, deserialize_with = "nullable")]
    max_n_turns: Option<Option<u32>>,
    retry_on_policy_violation: Option<bool>,
    max_pllm_steps: Option<u32>,
    max_pllm_failed_steps: Option<u32>,
    #[serde(default, deserialize_with = "nullable")]
    max_tool_calls_per_step: Option<Option<u32>>,
    enabled_internal_tools: Option<Vec<String>>,
    strict_tool_result_parsing: Option<bool>,
    history_mismatch_policy: Option<HistoryMismatchPolicy>,
    // Reference fields: type-checked, then ignored (IGNORED_FSM_FIELDS).
    #[serde(default, deserialize_with = "nullable")]
    min_num_tools_for_filtering: Option<Option<u32>>,
    #[serde(default, deserialize_with = "nullable")]
    clear_history_every_n_attempts: Option<Option<u32>>,
    disable_rllm: Option<bool>,
    enable_multistep_planning: Option<bool>,
    prune_failed_steps: Option<bool>,
    force_to_cache: Option<Vec<String>>,
    wrap_tool_result: Option<bool>,
    detect_tool_errors: Option<bool>,
    #[serde(default, deserialize_with = "nullable")]
    detect_tool_error_regex_pattern: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    detect_tool_error_max_result_length: Option<Option<u32>>,
    tool_result_transform: Option<String>,
}

/// The reference client's `fsm` fields that SQRT accepts for compatibility and ignores.
pub const IGNORED_FSM_FIELDS: [&str; 11] = [
    "min_num_tools_for_filtering",
    "clear_history_every_n_attempts",
    "disable_rllm",
    "enable_multistep_planning",
    "prune_failed_steps",
    "force_to_cache",
    "wrap_tool_result",
    "detect_tool_errors",
    "detect_tool_error_regex_pattern",
    "detect_tool_error_max_result_length",
    "tool_result_transform",
];

/// `X-Config`'s `response_format` as sent.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseFormatHeader {
    include_program: Option<bool>,
    include_policy_check_history: Option<bool>,
    include_namespace_snapshot: Option<bool>,
    strip_response_content: Option<bool>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigHeader {
    fsm: Option<FsmHeader>,
    response_format: Option<ResponseFormatHeader>,
    /// Reference prompt settings: must be an object, otherwise ignored.
    #[allow(dead_code)]
    prompt: Option<Map<String, Value>>,
    #[serde(default, deserialize_with = "nullable")]
    #[allow(dead_code)]
    stream_thoughts: Option<Option<bool>>,
}

/// Defaults for one endpoint type in `sqrt.toml` (`[defaults]`, `[endpoints.<type>]`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointDefaults {
    pub agent_arch: Option<AgentArch>,
    pub fsm: Option<FsmHeader>,
    pub response_format: Option<ResponseFormatHeader>,
}

impl FsmHeader {
    fn apply(&self, fsm: &mut Fsm) {
        if let Some(v) = self.clear_session_meta {
            fsm.clear_session_meta = v;
        }
        if let Some(v) = self.max_n_turns {
            fsm.max_n_turns = v;
        }
        if let Some(v) = self.retry_on_policy_violation {
            fsm.retry_on_policy_violation = v;
        }
        if let Some(v) = self.max_pllm_steps {
            fsm.max_pllm_steps = v;
        }
        if let Some(v) = self.max_pllm_failed_steps {
            fsm.max_pllm_failed_steps = v;
        }
        if let Some(v) = self.max_tool_calls_per_step {
            fsm.max_tool_calls_per_step = v;
        }
        if let Some(v) = &self.enabled_internal_tools {
            fsm.enabled_internal_tools = v.clone();
        }
        if let Some(v) = self.strict_tool_result_parsing {
            fsm.strict_tool_result_parsing = v;
        }
        if let Some(v) = self.history_mismatch_policy {
            fsm.history_mismatch_policy = v;
        }
    }

    /// Checks what no type can express; `at` is the path of the `fsm` object.
    fn check(&self, at: &str) -> Result<(), HeaderError> {
        if let Some(tools) = &self.enabled_internal_tools
            && let Some(other) = tools.iter().find(|t| *t != "parse_with_ai")
        {
            return Err(HeaderError::unsupported(format!(
                "{at}.enabled_internal_tools: internal tool {other:?} is not supported (only parse_with_ai)"
            )));
        }
        for (name, value) in [
            ("max_pllm_steps", self.max_pllm_steps),
            ("max_pllm_failed_steps", self.max_pllm_failed_steps),
        ] {
            if value == Some(0) {
                return Err(HeaderError::invalid(format!(
                    "{at}.{name}: must be at least 1"
                )));
            }
        }
        Ok(())
    }
}

impl ResponseFormatHeader {
    fn apply(&self, rf: &mut ResponseFormat) {
        let fields = [
            (self.include_program, &mut rf.include_program),
            (
                self.include_policy_check_history,
                &mut rf.include_policy_check_history,
            ),
            (
                self.include_namespace_snapshot,
                &mut rf.include_namespace_snapshot,
            ),
            (self.strip_response_content, &mut rf.strip_response_content),
        ];
        for (value, slot) in fields {
            if let Some(v) = value {
                *slot = v;
            }
        }
    }
}

impl EndpointDefaults {
    fn apply(&self, controls: &mut Controls) {
        if let Some(arch) = self.agent_arch {
            controls.features.agent_arch = arch;
        }
        if let Some(fsm) = &self.fsm {
            fsm.apply(&mut controls.config.fsm);
        }
        if let Some(rf) = &self.response_format {
            rf.apply(&mut controls.config.response_format);
        }
    }

    /// Validates a `sqrt.toml` defaults table as a header would be; `at` names it.
    pub fn check(&self, at: &str) -> Result<(), String> {
        match &self.fsm {
            Some(fsm) => fsm.check(&format!("{at}.fsm")).map_err(|e| e.message),
            None => Ok(()),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing.

/// Why a header was refused: `invalid_header` or `unsupported_feature`, with a message that
/// starts with `Invalid JSON` or names the field path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderError {
    pub code: ErrorCode,
    pub message: String,
}

impl HeaderError {
    fn invalid(message: String) -> Self {
        HeaderError {
            code: ErrorCode::InvalidHeader,
            message,
        }
    }

    fn unsupported(message: String) -> Self {
        HeaderError {
            code: ErrorCode::UnsupportedFeature,
            message,
        }
    }
}

/// The three control headers: HTTP name, the name used in paths and `validate-headers`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Header {
    Features,
    Policy,
    Config,
}

impl Header {
    pub const ALL: [Header; 3] = [Header::Features, Header::Policy, Header::Config];

    pub fn http_name(self) -> &'static str {
        match self {
            Header::Features => "X-Features",
            Header::Policy => "X-Policy",
            Header::Config => "X-Config",
        }
    }

    pub fn field_name(self) -> &'static str {
        match self {
            Header::Features => "x_features",
            Header::Policy => "x_policy",
            Header::Config => "x_config",
        }
    }
}

/// Parses the header text into a JSON object, enforcing the size limit.
fn parse_object(header: Header, text: &[u8], max_bytes: usize) -> Result<Value, HeaderError> {
    let at = header.field_name();
    if text.len() > max_bytes {
        return Err(HeaderError::invalid(format!(
            "{at}: header is {} bytes, the limit is {max_bytes}",
            text.len()
        )));
    }
    let text = std::str::from_utf8(text)
        .map_err(|_| HeaderError::invalid(format!("Invalid JSON in {at}: not valid UTF-8")))?;
    let value: Value = serde_json::from_str(text)
        .map_err(|e| HeaderError::invalid(format!("Invalid JSON in {at}: {e}")))?;
    if !value.is_object() {
        return Err(HeaderError::invalid(format!(
            "{at}: expected a JSON object, found {}",
            kind(&value)
        )));
    }
    Ok(value)
}

/// Deserializes `value` into `T`, turning serde's message into `path: message`.
pub(crate) fn typed<T: DeserializeOwned>(at: &str, value: Value) -> Result<T, String> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let mut path = at.to_string();
        let inner = e.inner().to_string();
        for segment in e.path().iter() {
            match segment {
                serde_path_to_error::Segment::Seq { index } => path.push_str(&format!("[{index}]")),
                serde_path_to_error::Segment::Map { key } => {
                    path.push('.');
                    path.push_str(key);
                }
                serde_path_to_error::Segment::Enum { variant } => {
                    path.push('.');
                    path.push_str(variant);
                }
                serde_path_to_error::Segment::Unknown => {}
            }
        }
        match unknown_field(&inner) {
            Some(field) => {
                if !path.ends_with(&format!(".{field}")) {
                    path.push('.');
                    path.push_str(field);
                }
                format!("{path}: unknown field")
            }
            None => format!("{path}: {inner}"),
        }
    })
}

/// The field name of serde's ``unknown field `x`, expected ...`` message.
fn unknown_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unknown field `")?;
    rest.split('`').next()
}

/// One header, parsed and checked. `warnings` collects the accepted-but-ignored fields.
struct Parsed<T> {
    value: T,
    warnings: Vec<String>,
}

fn parse_features(text: &[u8], max: usize) -> Result<Parsed<FeaturesHeader>, HeaderError> {
    let value = parse_object(Header::Features, text, max)?;
    let h: FeaturesHeader = typed("x_features", value).map_err(HeaderError::invalid)?;
    for (name, list) in [
        ("content_classifiers", &h.content_classifiers),
        ("content_blockers", &h.content_blockers),
    ] {
        if list.as_ref().is_some_and(|l| !l.is_empty()) {
            return Err(HeaderError::unsupported(format!(
                "x_features.{name}: not supported; ignoring it would fail open"
            )));
        }
    }
    Ok(Parsed {
        value: h,
        warnings: Vec::new(),
    })
}

fn parse_policy(text: &[u8], max: usize) -> Result<Parsed<PolicyHeader>, HeaderError> {
    let value = parse_object(Header::Policy, text, max)?;
    let h: PolicyHeader = typed("x_policy", value).map_err(HeaderError::invalid)?;
    if h.auto_gen == Some(true) {
        return Err(HeaderError::unsupported(
            "x_policy.auto_gen: policy generation is not supported".into(),
        ));
    }
    if let Some(codes) = &h.codes {
        policy_code(codes)?;
    }
    Ok(Parsed {
        value: h,
        warnings: Vec::new(),
    })
}

/// `codes`: a bare string is SQRT code; an object is `{"code", "language"}`.
fn policy_code(codes: &Value) -> Result<String, HeaderError> {
    match codes {
        Value::String(code) => Ok(code.clone()),
        Value::Object(map) => {
            for key in map.keys() {
                if key != "code" && key != "language" {
                    return Err(HeaderError::invalid(format!(
                        "x_policy.codes.{key}: unknown field"
                    )));
                }
            }
            match map.get("language") {
                None | Some(Value::Null) => {}
                Some(Value::String(l)) if l == "sqrt" => {}
                Some(Value::String(l)) if l == "cedar" => {
                    return Err(HeaderError::unsupported(
                        "x_policy.codes.language: cedar policies are not supported; use sqrt"
                            .into(),
                    ));
                }
                Some(other) => {
                    return Err(HeaderError::invalid(format!(
                        "x_policy.codes.language: expected \"sqrt\" or \"cedar\", found {other}"
                    )));
                }
            }
            match map.get("code") {
                None | Some(Value::Null) => Ok(String::new()),
                Some(Value::String(code)) => Ok(code.clone()),
                Some(other) => Err(HeaderError::invalid(format!(
                    "x_policy.codes.code: expected a string, found {}",
                    kind(other)
                ))),
            }
        }
        other => Err(HeaderError::invalid(format!(
            "x_policy.codes: expected a string or an object, found {}",
            kind(other)
        ))),
    }
}

fn parse_config(text: &[u8], max: usize) -> Result<Parsed<ConfigHeader>, HeaderError> {
    let value = parse_object(Header::Config, text, max)?;
    let mut warnings = Vec::new();
    if let Some(fsm) = value.get("fsm").and_then(Value::as_object) {
        for name in fsm.keys() {
            if IGNORED_FSM_FIELDS.contains(&name.as_str()) {
                warnings.push(format!(
                    "x_config.fsm.{name}: accepted for compatibility and ignored"
                ));
            }
        }
    }
    for name in ["prompt", "stream_thoughts"] {
        if value.get(name).is_some() {
            warnings.push(format!(
                "x_config.{name}: accepted for compatibility and ignored"
            ));
        }
    }
    let h: ConfigHeader = typed("x_config", value).map_err(HeaderError::invalid)?;
    if let Some(fsm) = &h.fsm {
        fsm.check("x_config.fsm")?;
    }
    Ok(Parsed { value: h, warnings })
}

/// The raw bytes of the three headers of one request.
#[derive(Clone, Debug, Default)]
pub struct HeaderTexts<'a> {
    pub features: Option<&'a [u8]>,
    pub policy: Option<&'a [u8]>,
    pub config: Option<&'a [u8]>,
}

impl<'a> HeaderTexts<'a> {
    pub fn from_headers(headers: &'a HeaderMap) -> Self {
        let get = |name: &str| headers.get(name).map(|v| v.as_bytes());
        HeaderTexts {
            features: get("x-features"),
            policy: get("x-policy"),
            config: get("x-config"),
        }
    }

    fn get(&self, header: Header) -> Option<&'a [u8]> {
        match header {
            Header::Features => self.features,
            Header::Policy => self.policy,
            Header::Config => self.config,
        }
    }
}

/// The server-side inputs of resolution: `sqrt.toml` defaults, limits and the compiler hook.
pub struct Resolver<'a> {
    pub defaults: &'a EndpointDefaults,
    pub endpoint_defaults: Option<&'a EndpointDefaults>,
    pub max_header_bytes: usize,
    pub compiler: &'a dyn PolicyCompiler,
    /// The request's `tools` array, so the compiler can check argument names against it.
    pub tools: Option<&'a Value>,
}

/// The resolved controls plus what a client should hear about them.
#[derive(Clone, Debug)]
pub struct Resolution {
    pub controls: Controls,
    pub warnings: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Hook for the policy compiler: checks X-Policy's SQRT code, against the request's OpenAI
/// `tools` array when there is one. The relay reports its diagnostics in `validate-headers` and
/// refuses a request with any error as `policy_compile_error`.
pub trait PolicyCompiler: Send + Sync {
    fn check(&self, code: &str, tools: Option<&Value>) -> Vec<Diagnostic>;
}

/// Checks nothing: for embedders that compile policies elsewhere.
#[derive(Clone, Copy, Debug, Default)]
pub struct UncheckedPolicies;

impl PolicyCompiler for UncheckedPolicies {
    fn check(&self, _code: &str, _tools: Option<&Value>) -> Vec<Diagnostic> {
        Vec::new()
    }
}

impl Resolver<'_> {
    /// Resolves the headers of a request to `endpoint` into its controls (§3 order:
    /// built-in defaults, `[defaults]`, `[endpoints.<type>]`, X-Features, X-Policy, X-Config).
    pub fn resolve(
        &self,
        endpoint: EndpointType,
        texts: &HeaderTexts<'_>,
    ) -> Result<Resolution, (Header, HeaderError)> {
        let mut controls = Controls::builtin(endpoint);
        self.defaults.apply(&mut controls);
        if let Some(d) = self.endpoint_defaults {
            d.apply(&mut controls);
        }
        let mut warnings = Vec::new();
        if let Some(text) = texts.get(Header::Features) {
            let p =
                parse_features(text, self.max_header_bytes).map_err(|e| (Header::Features, e))?;
            if let Some(arch) = p.value.agent_arch {
                controls.features.agent_arch = arch;
            }
        }
        if endpoint == EndpointType::LangGraph && controls.features.agent_arch != AgentArch::DualLlm
        {
            return Err((
                Header::Features,
                HeaderError::invalid(
                    "x_features.agent_arch: the lang-graph endpoint requires dual-llm".into(),
                ),
            ));
        }
        if let Some(text) = texts.get(Header::Policy) {
            let p = parse_policy(text, self.max_header_bytes).map_err(|e| (Header::Policy, e))?;
            apply_policy(&p.value, &mut controls.policy).map_err(|e| (Header::Policy, e))?;
        }
        if let Some(text) = texts.get(Header::Config) {
            let p = parse_config(text, self.max_header_bytes).map_err(|e| (Header::Config, e))?;
            if let Some(fsm) = &p.value.fsm {
                fsm.apply(&mut controls.config.fsm);
            }
            if let Some(rf) = &p.value.response_format {
                rf.apply(&mut controls.config.response_format);
            }
            warnings.extend(p.warnings);
        }
        let diagnostics = if controls.policy.codes.code.is_empty() {
            Vec::new()
        } else {
            self.compiler.check(&controls.policy.codes.code, self.tools)
        };
        Ok(Resolution {
            controls,
            warnings,
            diagnostics,
        })
    }

    /// Resolves the headers of an HTTP request, turning every refusal into its §11 error.
    pub fn resolve_request(
        &self,
        endpoint: EndpointType,
        headers: &HeaderMap,
    ) -> Result<Resolution, ApiError> {
        let resolution = self
            .resolve(endpoint, &HeaderTexts::from_headers(headers))
            .map_err(|(header, e)| {
                ApiError::new(e.code, e.message).with_param(header.http_name())
            })?;
        let errors = resolution
            .diagnostics
            .iter()
            .filter(|d| d.severity == "error")
            .count();
        if errors > 0 {
            return Err(ApiError::new(
                ErrorCode::PolicyCompileError,
                format!("X-Policy: the SQRT policy has {errors} error(s)"),
            )
            .with_param("X-Policy")
            .with_diagnostics(resolution.diagnostics));
        }
        Ok(resolution)
    }

    /// `POST /control/v1/validate-headers`: one report per header given (protocol.md §3).
    pub fn validate(&self, request: &ValidateRequest) -> Value {
        let mut out = Map::new();
        for header in Header::ALL {
            let text = match header {
                Header::Features => &request.x_features,
                Header::Policy => &request.x_policy,
                Header::Config => &request.x_config,
            };
            let report = match text {
                None => Value::Null,
                Some(text) => self.validate_one(header, text.as_bytes()),
            };
            out.insert(header.field_name().into(), report);
        }
        Value::Object(out)
    }

    fn validate_one(&self, header: Header, text: &[u8]) -> Value {
        let mut texts = HeaderTexts::default();
        match header {
            Header::Features => texts.features = Some(text),
            Header::Policy => texts.policy = Some(text),
            Header::Config => texts.config = Some(text),
        }
        match self.resolve(EndpointType::Chat, &texts) {
            Ok(r) => {
                let valid = !r.diagnostics.iter().any(|d| d.severity == "error");
                let normalized = match header {
                    Header::Features => serde_json::to_value(&r.controls.features),
                    Header::Policy => serde_json::to_value(&r.controls.policy),
                    Header::Config => serde_json::to_value(&r.controls.config),
                }
                .unwrap_or(Value::Null);
                let errors: Vec<String> = if valid {
                    Vec::new()
                } else {
                    vec!["x_policy.codes: the SQRT policy does not compile".into()]
                };
                serde_json::json!({
                    "valid": valid,
                    "normalized": normalized,
                    "errors": errors,
                    "warnings": r.warnings,
                    "diagnostics": r.diagnostics,
                })
            }
            Err((_, e)) => serde_json::json!({
                "valid": false,
                "normalized": null,
                "errors": [e.message],
                "warnings": [],
                "diagnostics": [],
            }),
        }
    }
}

fn apply_policy(h: &PolicyHeader, policy: &mut Policy) -> Result<(), HeaderError> {
    if let Some(mode) = h.mode {
        policy.mode = mode;
    }
    if let Some(codes) = &h.codes {
        policy.codes.code = policy_code(codes)?;
    }
    if let Some(fail_fast) = h.fail_fast {
        policy.fail_fast = fail_fast;
    }
    if let Some(p) = &h.presets {
        let presets = &mut policy.presets;
        if let Some(v) = p.default_allow {
            presets.default_allow = v;
        }
        if let Some(v) = p.default_allow_enforcement_level {
            presets.default_allow_enforcement_level = v;
        }
        if let Some(v) = p.enable_non_executable_memory {
            presets.enable_non_executable_memory = v;
        }
        if let Some(v) = p.enable_llm_blocked_tag {
            presets.enable_llm_blocked_tag = v;
        }
        if let Some(v) = p.llm_blocked_tag_enforcement_level {
            presets.llm_blocked_tag_enforcement_level = v;
        }
        if let Some(v) = &p.branching_meta_policy {
            presets.branching_meta_policy = v.clone();
        }
    }
    Ok(())
}

/// The body of `POST /control/v1/validate-headers`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidateRequest {
    pub x_features: Option<String>,
    pub x_policy: Option<String>,
    pub x_config: Option<String>,
}
