//! Prometheus metrics (protocol.md §10), served at `GET /metrics` in the OpenMetrics text
//! format. Tool names are never labels: their number is unbounded and they are user data.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteStatus {
    pub route: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabel {
    pub route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct VerdictLabel {
    pub verdict: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct EngineLabel {
    pub engine: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct LlmRequest {
    pub provider: String,
    /// `pllm`, `qllm` or `single`.
    pub role: String,
    /// `ok` or `error`.
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct LlmTokens {
    pub provider: String,
    pub role: String,
    /// `prompt` or `completion`.
    pub kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabel {
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ToolCallLabel {
    /// `external` or `internal`.
    pub kind: String,
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CompileLabel {
    /// `check` (the header check against the request's tools) or `compile` (the policy built).
    pub stage: String,
    /// `ok` or `error`.
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StageLabel {
    pub stage: String,
}

fn latency() -> Histogram {
    // 50 µs to ~100 s.
    Histogram::new(exponential_buckets(0.000_05, 2.0, 22))
}

fn short_latency() -> Histogram {
    // 10 ns to ~5 ms: policy checks.
    Histogram::new(exponential_buckets(0.000_000_01, 2.0, 20))
}

/// Every metric of §10, registered once per relay.
pub struct Metrics {
    registry: Registry,
    pub http_requests: Family<RouteStatus, Counter>,
    pub http_duration: Family<RouteLabel, Histogram>,
    pub relay_overhead: Histogram,
    pub policy_checks: Family<VerdictLabel, Counter>,
    pub policy_check_duration: Family<EngineLabel, Histogram>,
    pub llm_requests: Family<LlmRequest, Counter>,
    pub llm_tokens: Family<LlmTokens, Counter>,
    pub pllm_attempts: Family<OutcomeLabel, Counter>,
    pub tool_calls: Family<ToolCallLabel, Counter>,
    pub sessions_active: Gauge,
    pub session_conflicts: Counter,
    /// Compiles the policy cache could not avoid (`relay::policies`).
    pub policy_compiles: Family<CompileLabel, Counter>,
    pub policy_cache_hits: Family<StageLabel, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::default();
        let http_requests = Family::<RouteStatus, Counter>::default();
        let http_duration =
            Family::<RouteLabel, Histogram>::new_with_constructor(latency as fn() -> Histogram);
        // 1 µs to ~6 s in steps of 1.25×, fine enough to read a p99 off (the relay load bench
        // does).
        let relay_overhead = Histogram::new(exponential_buckets(0.000_001, 1.25, 70));
        let policy_checks = Family::<VerdictLabel, Counter>::default();
        let policy_check_duration = Family::<EngineLabel, Histogram>::new_with_constructor(
            short_latency as fn() -> Histogram,
        );
        let llm_requests = Family::<LlmRequest, Counter>::default();
        let llm_tokens = Family::<LlmTokens, Counter>::default();
        let pllm_attempts = Family::<OutcomeLabel, Counter>::default();
        let tool_calls = Family::<ToolCallLabel, Counter>::default();
        let sessions_active = Gauge::default();
        let session_conflicts = Counter::default();
        let policy_compiles = Family::<CompileLabel, Counter>::default();
        let policy_cache_hits = Family::<StageLabel, Counter>::default();
        // Counters get their `_total` suffix from the encoder.
        registry.register(
            "sqrt_http_requests",
            "HTTP requests by route and status",
            http_requests.clone(),
        );
        registry.register(
            "sqrt_http_request_duration_seconds",
            "HTTP request duration",
            http_duration.clone(),
        );
        registry.register(
            "sqrt_relay_overhead_seconds",
            "Time spent in the relay, LLM latency excluded",
            relay_overhead.clone(),
        );
        registry.register(
            "sqrt_policy_checks",
            "Policy checks by verdict",
            policy_checks.clone(),
        );
        registry.register(
            "sqrt_policy_check_duration_seconds",
            "Policy check duration by engine",
            policy_check_duration.clone(),
        );
        registry.register(
            "sqrt_llm_requests",
            "Upstream LLM requests",
            llm_requests.clone(),
        );
        registry.register("sqrt_llm_tokens", "Upstream LLM tokens", llm_tokens.clone());
        registry.register(
            "sqrt_pllm_attempts",
            "Planner attempts by outcome",
            pllm_attempts.clone(),
        );
        registry.register(
            "sqrt_tool_calls",
            "Tool calls by kind and outcome",
            tool_calls.clone(),
        );
        registry.register(
            "sqrt_sessions_active",
            "Live sessions",
            sessions_active.clone(),
        );
        registry.register(
            "sqrt_session_conflicts",
            "Requests refused because their session was busy",
            session_conflicts.clone(),
        );
        registry.register(
            "sqrt_policy_compiles",
            "Policy compiles by stage and outcome (cache misses)",
            policy_compiles.clone(),
        );
        registry.register(
            "sqrt_policy_cache_hits",
            "Policies served from the compile cache, by stage",
            policy_cache_hits.clone(),
        );
        Metrics {
            registry,
            http_requests,
            http_duration,
            relay_overhead,
            policy_checks,
            policy_check_duration,
            llm_requests,
            llm_tokens,
            pllm_attempts,
            tool_calls,
            sessions_active,
            session_conflicts,
            policy_compiles,
            policy_cache_hits,
        }
    }

    /// Records one upstream call and its token usage (from the answer's `usage`).
    pub fn record_llm(&self, provider: &str, role: &str, answer: Option<&serde_json::Value>) {
        let outcome = if answer.is_some() { "ok" } else { "error" };
        self.llm_requests
            .get_or_create(&LlmRequest {
                provider: provider.into(),
                role: role.into(),
                outcome: outcome.into(),
            })
            .inc();
        let Some(usage) = answer.and_then(|a| a.get("usage")) else {
            return;
        };
        for (kind, field) in [
            ("prompt", "prompt_tokens"),
            ("completion", "completion_tokens"),
        ] {
            if let Some(n) = usage.get(field).and_then(serde_json::Value::as_u64) {
                self.llm_tokens
                    .get_or_create(&LlmTokens {
                        provider: provider.into(),
                        role: role.into(),
                        kind: kind.into(),
                    })
                    .inc_by(n);
            }
        }
    }

    /// The OpenMetrics text of every metric (a labelled family appears once it has a sample).
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spec_metric_is_exposed() {
        let m = Metrics::new();
        m.http_requests
            .get_or_create(&RouteStatus {
                route: "/health".into(),
                status: 200,
            })
            .inc();
        m.http_duration
            .get_or_create(&RouteLabel {
                route: "/health".into(),
            })
            .observe(0.001);
        m.policy_checks
            .get_or_create(&VerdictLabel {
                verdict: "allow".into(),
            })
            .inc();
        m.record_llm(
            "mock",
            "single",
            Some(&serde_json::json!({"usage": {"prompt_tokens": 7, "completion_tokens": 2}})),
        );
        let text = m.render();
        for name in [
            "# TYPE sqrt_http_requests counter",
            "sqrt_http_requests_total{route=\"/health\",status=\"200\"} 1",
            "sqrt_http_request_duration_seconds_count{route=\"/health\"} 1",
            "sqrt_relay_overhead_seconds_count 0",
            "sqrt_policy_checks_total{verdict=\"allow\"} 1",
            "sqrt_llm_requests_total{provider=\"mock\",role=\"single\",outcome=\"ok\"} 1",
            "sqrt_llm_tokens_total{provider=\"mock\",role=\"single\",kind=\"prompt\"} 7",
            "sqrt_llm_tokens_total{provider=\"mock\",role=\"single\",kind=\"completion\"} 2",
            "sqrt_sessions_active 0",
            "sqrt_session_conflicts_total 0",
        ] {
            assert!(text.contains(name), "missing {name:?} in\n{text}");
        }
    }
}
