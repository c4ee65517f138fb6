//! `sqrt.toml`: the relay's configuration file (protocol.md §9), parsed and resolved.
//!
//! Unknown fields are errors everywhere, so a typo never silently falls back to a default.
//! Built-in providers (`openai`, `openrouter`) are merged with any `[providers.<name>]` table
//! of the same name; other providers need a `base_url`.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use super::controls::EndpointType;
use super::headers::EndpointDefaults;

/// A configuration the relay cannot start with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

fn err<T>(message: impl Into<String>) -> Result<T, ConfigError> {
    Err(ConfigError(message.into()))
}

/// The default `listen` address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    listen: Option<String>,
    default_provider: Option<String>,
    #[serde(default)]
    keys: Vec<KeyEntry>,
    #[serde(default)]
    providers: BTreeMap<String, RawProvider>,
    #[serde(default)]
    sessions: SessionsConfig,
    #[serde(default)]
    limits: LimitsConfig,
    #[serde(default)]
    defaults: EndpointDefaults,
    #[serde(default)]
    endpoints: EndpointsConfig,
    #[serde(default)]
    log: LogConfig,
}

/// A relay key: `id` is the tenant; the key is given by its SHA-256 (hex) or by the name of
/// an environment variable holding it.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct KeyEntry {
    pub id: String,
    pub sha256: Option<String>,
    pub env: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProvider {
    base_url: Option<String>,
    api_key_env: Option<String>,
    timeout_s: Option<f64>,
    max_retries: Option<u32>,
    json_schema: Option<bool>,
    retry_backoff_ms: Option<u64>,
    retry_backoff_max_ms: Option<u64>,
}

/// One upstream, OpenAI-compatible provider.
#[derive(Clone, Debug, PartialEq)]
pub struct ProviderConfig {
    /// The relay calls `POST {base_url}/chat/completions`.
    pub base_url: String,
    /// The variable holding the key used when a request sends no `X-Api-Key`.
    pub api_key_env: Option<String>,
    /// Per-call timeout.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Retries after the first attempt on 429, 5xx and connection errors.
    pub max_retries: u32,
    /// Whether the provider takes `response_format: json_schema` (else `json_object`).
    pub json_schema: bool,
    /// First retry delay; it doubles per retry up to `retry_backoff_max`, with jitter.
    pub retry_backoff: Duration,
    pub retry_backoff_max: Duration,
}

impl ProviderConfig {
    fn builtin(name: &str) -> Option<ProviderConfig> {
        let (base_url, env) = match name {
            "openai" => ("https://api.openai.com/v1", "OPENAI_API_KEY"),
            "openrouter" => ("https://openrouter.ai/api/v1", "OPENROUTER_API_KEY"),
            _ => return None,
        };
        Some(ProviderConfig::new(base_url, Some(env.to_string())))
    }

    /// A provider with the default timeouts and retries.
    pub fn new(base_url: impl Into<String>, api_key_env: Option<String>) -> ProviderConfig {
        ProviderConfig {
            base_url: base_url.into(),
            api_key_env,
            timeout: Duration::from_secs(120),
            connect_timeout: Duration::from_secs(10),
            max_retries: 2,
            json_schema: true,
            retry_backoff: Duration::from_millis(500),
            retry_backoff_max: Duration::from_secs(8),
        }
    }

    fn merge(
        name: &str,
        raw: &RawProvider,
        base: Option<ProviderConfig>,
    ) -> Result<Self, ConfigError> {
        let at = format!("providers.{name}");
        let mut p = match (base, &raw.base_url) {
            (Some(base), _) => base,
            (None, Some(url)) => ProviderConfig::new(url.clone(), None),
            (None, None) => {
                return err(format!(
                    "{at}.base_url: required for a provider that is not built in"
                ));
            }
        };
        if let Some(url) = &raw.base_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return err(format!(
                    "{at}.base_url: expected an http:// or https:// URL, found {url:?}"
                ));
            }
            p.base_url = url.clone();
        }
        if let Some(env) = &raw.api_key_env {
            p.api_key_env = Some(env.clone());
        }
        if let Some(t) = raw.timeout_s {
            if !(t.is_finite() && t > 0.0 && t <= 86400.0) {
                return err(format!(
                    "{at}.timeout_s: expected seconds in (0, 86400], found {t}"
                ));
            }
            p.timeout = Duration::from_secs_f64(t);
        }
        if let Some(n) = raw.max_retries {
            p.max_retries = n;
        }
        if let Some(j) = raw.json_schema {
            p.json_schema = j;
        }
        if let Some(ms) = raw.retry_backoff_ms {
            p.retry_backoff = Duration::from_millis(ms);
        }
        if let Some(ms) = raw.retry_backoff_max_ms {
            p.retry_backoff_max = Duration::from_millis(ms);
        }
        if p.retry_backoff_max < p.retry_backoff {
            return err(format!(
                "{at}.retry_backoff_max_ms: smaller than retry_backoff_ms"
            ));
        }
        Ok(p)
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StoreKind {
    #[default]
    Memory,
    Redis,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SessionsConfig {
    pub store: StoreKind,
    pub redis_url: Option<String>,
    /// A session unused for this long is gone.
    pub idle_ttl_s: u64,
    /// A session older than this is gone, however active.
    pub max_ttl_s: u64,
    pub max_per_tenant: usize,
    /// A request's lease on its session lasts `limits.request_timeout_s` plus this, unless
    /// released earlier (as it is when the request ends).
    pub lease_ttl_s: u64,
}

impl Default for SessionsConfig {
    fn default() -> Self {
        SessionsConfig {
            store: StoreKind::Memory,
            redis_url: None,
            idle_ttl_s: 3600,
            max_ttl_s: 86400,
            max_per_tenant: 1000,
            lease_ttl_s: 30,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsConfig {
    pub max_body_bytes: usize,
    pub max_header_bytes: usize,
    pub max_messages: usize,
    pub max_tool_message_bytes: usize,
    pub max_tools: usize,
    /// The relay's cap on tool calls per planner step (`fsm.max_tool_calls_per_step` ≤ this).
    pub max_tool_calls_per_step: u32,
    /// A request taking longer gets 504 `request_timeout`.
    pub request_timeout_s: u64,
    pub vm_max_instructions: u64,
    pub vm_max_heap_bytes: u64,
    pub vm_max_call_depth: u32,
    /// Distinct compiled policies the compile cache keeps (and as many header checks); the
    /// least recently used beyond that are dropped and compiled again when they come back.
    pub policy_cache_entries: usize,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            max_body_bytes: 4 << 20,
            max_header_bytes: 64 << 10,
            max_messages: 1000,
            max_tool_message_bytes: 1 << 20,
            max_tools: 128,
            max_tool_calls_per_step: 100,
            request_timeout_s: 300,
            vm_max_instructions: 10_000_000,
            vm_max_heap_bytes: 64 << 20,
            vm_max_call_depth: 200,
            policy_cache_entries: super::policies::DEFAULT_CAPACITY,
        }
    }
}

/// `[endpoints.<type>]`: defaults for one endpoint type over `[defaults]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointsConfig {
    pub chat: Option<EndpointDefaults>,
    pub code: Option<EndpointDefaults>,
    pub agent: Option<EndpointDefaults>,
    #[serde(rename = "lang-graph")]
    pub lang_graph: Option<EndpointDefaults>,
}

impl EndpointsConfig {
    pub fn get(&self, endpoint: EndpointType) -> Option<&EndpointDefaults> {
        match endpoint {
            EndpointType::Chat => self.chat.as_ref(),
            EndpointType::Code => self.code.as_ref(),
            EndpointType::Agent => self.agent.as_ref(),
            EndpointType::LangGraph => self.lang_graph.as_ref(),
        }
    }
}

/// Where the decision log goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecisionLog {
    Stderr,
    Off,
    File(String),
}

impl<'de> Deserialize<'de> for DecisionLog {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(match s.as_str() {
            "stderr" => DecisionLog::Stderr,
            "off" => DecisionLog::Off,
            "" => {
                return Err(serde::de::Error::custom(
                    "expected \"stderr\", \"off\" or a path",
                ));
            }
            _ => DecisionLog::File(s),
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    pub decision_log: DecisionLog,
    /// Log raw argument values (cut at 256 characters) in the decision log.
    pub decision_log_values: bool,
    /// Log LLM request and response bodies at TRACE level.
    pub llm_payloads: bool,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            decision_log: DecisionLog::Stderr,
            decision_log_values: false,
            llm_payloads: false,
        }
    }
}

/// The resolved relay configuration.
#[derive(Clone, Debug)]
pub struct Config {
    pub listen: String,
    pub default_provider: String,
    pub keys: Vec<KeyEntry>,
    pub providers: BTreeMap<String, ProviderConfig>,
    pub sessions: SessionsConfig,
    pub limits: LimitsConfig,
    pub defaults: EndpointDefaults,
    pub endpoints: EndpointsConfig,
    pub log: LogConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config::from_toml("").expect("the empty configuration is valid")
    }
}

impl Config {
    /// Reads and resolves a `sqrt.toml` file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError(format!("{}: {e}", path.display())))?;
        Config::from_toml(&text).map_err(|e| ConfigError(format!("{}: {e}", path.display())))
    }

    /// Parses and resolves the text of a `sqrt.toml`.
    pub fn from_toml(text: &str) -> Result<Config, ConfigError> {
        let raw: RawConfig =
            toml::from_str(text).map_err(|e| ConfigError(e.to_string().trim_end().to_string()))?;
        let mut providers = BTreeMap::new();
        for name in ["openai", "openrouter"] {
            providers.insert(
                name.to_string(),
                ProviderConfig::builtin(name).expect("built in"),
            );
        }
        for (name, p) in &raw.providers {
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return err(format!(
                    "providers.{name}: a provider name uses only ASCII letters, digits, '-' and '_'"
                ));
            }
            let merged = ProviderConfig::merge(name, p, providers.remove(name))?;
            providers.insert(name.clone(), merged);
        }
        let default_provider = raw.default_provider.unwrap_or_else(|| "openrouter".into());
        if !providers.contains_key(&default_provider) {
            return err(format!(
                "default_provider: no provider named {default_provider:?}"
            ));
        }
        for (i, key) in raw.keys.iter().enumerate() {
            let at = format!("keys[{i}]");
            if key.id.is_empty() {
                return err(format!("{at}.id: must not be empty"));
            }
            match (&key.sha256, &key.env) {
                (Some(hash), None) => {
                    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
                        return err(format!("{at}.sha256: expected 64 hexadecimal digits"));
                    }
                }
                (None, Some(env)) if !env.is_empty() => {}
                _ => return err(format!("{at}: give exactly one of sha256 and env")),
            }
        }
        if raw.sessions.store == StoreKind::Redis && raw.sessions.redis_url.is_none() {
            return err("sessions.redis_url: required with store = \"redis\"");
        }
        if raw.sessions.max_per_tenant == 0
            || raw.sessions.idle_ttl_s == 0
            || raw.sessions.max_ttl_s == 0
        {
            return err("sessions: max_per_tenant, idle_ttl_s and max_ttl_s must be positive");
        }
        if raw.limits.request_timeout_s == 0 {
            return err("limits.request_timeout_s: must be positive");
        }
        if raw.limits.policy_cache_entries == 0 {
            return err(
                "limits.policy_cache_entries: must be at least 1 (the policy of a request in flight is kept)",
            );
        }
        raw.defaults.check("defaults").map_err(ConfigError)?;
        for t in [
            EndpointType::Chat,
            EndpointType::Code,
            EndpointType::Agent,
            EndpointType::LangGraph,
        ] {
            if let Some(d) = raw.endpoints.get(t) {
                d.check(&format!("endpoints.{}", t.as_str()))
                    .map_err(ConfigError)?;
            }
        }
        Ok(Config {
            listen: raw.listen.unwrap_or_else(|| DEFAULT_LISTEN.into()),
            default_provider,
            keys: raw.keys,
            providers,
            sessions: raw.sessions,
            limits: raw.limits,
            defaults: raw.defaults,
            endpoints: raw.endpoints,
            log: raw.log,
        })
    }

    /// Checks the listen address: it must parse, and without relay keys it must be loopback,
    /// since then anyone who can connect could use the relay.
    pub fn listen_addr(&self, listen: &str) -> Result<SocketAddr, ConfigError> {
        let addr: SocketAddr = listen.parse().map_err(|_| {
            ConfigError(format!(
                "listen: {listen:?} is not an IP address with a port"
            ))
        })?;
        if self.keys.is_empty() && !addr.ip().is_loopback() {
            return err(format!(
                "listen: {addr} is not a loopback address, and no [[keys]] are configured; add relay keys or listen on 127.0.0.1"
            ));
        }
        Ok(addr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_gives_spec_defaults() {
        let c = Config::from_toml("").unwrap();
        assert_eq!(c.listen, DEFAULT_LISTEN);
        assert_eq!(c.default_provider, "openrouter");
        let or = &c.providers["openrouter"];
        assert_eq!(or.base_url, "https://openrouter.ai/api/v1");
        assert_eq!(or.api_key_env.as_deref(), Some("OPENROUTER_API_KEY"));
        assert_eq!(or.timeout, Duration::from_secs(120));
        assert_eq!(or.connect_timeout, Duration::from_secs(10));
        assert_eq!(or.max_retries, 2);
        assert!(or.json_schema);
        assert_eq!(c.providers["openai"].base_url, "https://api.openai.com/v1");
        assert_eq!(c.sessions.idle_ttl_s, 3600);
        assert_eq!(c.sessions.max_ttl_s, 86400);
        assert_eq!(c.sessions.max_per_tenant, 1000);
        assert_eq!(c.limits.max_body_bytes, 4 * 1024 * 1024);
        assert_eq!(c.limits.max_header_bytes, 64 * 1024);
        assert_eq!(c.limits.request_timeout_s, 300);
        assert_eq!(c.limits.max_tool_calls_per_step, 100);
        assert_eq!(c.limits.policy_cache_entries, 256);
        assert_eq!(c.log.decision_log, DecisionLog::Stderr);
        assert!(!c.log.llm_payloads);
        assert!(c.keys.is_empty());
    }

    #[test]
    fn full_file_parses_and_overrides_builtins() {
        let c = Config::from_toml(
            r#"
listen = "0.0.0.0:9000"
default_provider = "mock"

[[keys]]
id = "team-a"
sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

[[keys]]
id = "team-b"
env = "TEAM_B_KEY"

[providers.openai]
timeout_s = 30

[providers.mock]
base_url = "http://127.0.0.1:4000"
max_retries = 5
json_schema = false
retry_backoff_ms = 1
retry_backoff_max_ms = 2

[sessions]
idle_ttl_s = 60
max_per_tenant = 3

[limits]
max_body_bytes = 1000
request_timeout_s = 5
policy_cache_entries = 16

[defaults]
agent_arch = "dual-llm"

[defaults.fsm]
max_pllm_steps = 7

[endpoints.lang-graph.response_format]
include_program = true

[log]
decision_log = "/tmp/decisions.jsonl"
decision_log_values = true
"#,
        )
        .unwrap();
        assert_eq!(c.keys.len(), 2);
        assert_eq!(c.providers["openai"].timeout, Duration::from_secs(30));
        assert_eq!(c.providers["openai"].base_url, "https://api.openai.com/v1");
        let mock = &c.providers["mock"];
        assert_eq!(mock.max_retries, 5);
        assert!(!mock.json_schema);
        assert_eq!(mock.api_key_env, None);
        assert_eq!(mock.retry_backoff, Duration::from_millis(1));
        assert_eq!(c.sessions.idle_ttl_s, 60);
        assert_eq!(c.sessions.max_ttl_s, 86400);
        assert_eq!(c.limits.max_body_bytes, 1000);
        assert_eq!(c.limits.max_messages, 1000);
        assert_eq!(c.limits.policy_cache_entries, 16);
        assert!(c.endpoints.lang_graph.is_some());
        assert_eq!(
            c.log.decision_log,
            DecisionLog::File("/tmp/decisions.jsonl".into())
        );
        assert!(c.listen_addr(&c.listen).is_ok());
    }

    #[test]
    fn errors_name_the_field() {
        let cases = [
            ("bogus = 1", "bogus"),
            ("[limits]\nmax_bodybytes = 3", "max_bodybytes"),
            (
                "[limits]\npolicy_cache_entries = 0",
                "limits.policy_cache_entries",
            ),
            ("[providers.x]\ntimeout_s = 3", "providers.x.base_url"),
            (
                "[providers.openai]\nbase_url = \"ftp://x\"",
                "providers.openai.base_url",
            ),
            ("default_provider = \"nope\"", "default_provider"),
            ("[[keys]]\nid = \"a\"", "keys[0]"),
            ("[[keys]]\nid = \"a\"\nsha256 = \"abc\"", "keys[0].sha256"),
            (
                "[[keys]]\nid = \"a\"\nsha256 = \"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"\nenv = \"K\"",
                "keys[0]",
            ),
            ("[sessions]\nstore = \"redis\"", "sessions.redis_url"),
            ("[sessions]\nstore = \"disk\"", "disk"),
            ("[defaults]\nagent_arch = \"triple-llm\"", "triple-llm"),
            (
                "[defaults.fsm]\nenabled_internal_tools = [\"web\"]",
                "defaults.fsm.enabled_internal_tools",
            ),
            ("[endpoints.chatty]\nagent_arch = \"dual-llm\"", "chatty"),
            ("[log]\ndecision_log = \"\"", "decision_log"),
        ];
        for (text, needle) in cases {
            let e = Config::from_toml(text).unwrap_err();
            assert!(e.0.contains(needle), "{text:?} gave {e}");
        }
    }

    #[test]
    fn non_loopback_listen_needs_keys() {
        let c = Config::from_toml("").unwrap();
        assert!(c.listen_addr("127.0.0.1:0").is_ok());
        assert!(c.listen_addr("[::1]:0").is_ok());
        let e = c.listen_addr("0.0.0.0:8080").unwrap_err();
        assert!(e.0.contains("loopback"), "{e}");
        assert!(c.listen_addr("localhost:80").is_err());
    }
}
