//! Upstream LLM providers (protocol.md §9): an OpenAI-compatible chat-completions client
//! over reqwest (rustls).
//!
//! A call is `POST {base_url}/chat/completions` with `Authorization: Bearer <provider key>`.
//! 429, 5xx and connection errors are retried `max_retries` times with jittered exponential
//! backoff that honours `Retry-After`; the final failure is a 502 `provider_error` naming the
//! provider and the status, never the key.

use std::fmt;
use std::time::Duration;

use axum::http::HeaderMap;
use rand::Rng;
use serde_json::Value;

use super::config::{ConfigError, ProviderConfig};
use super::error::{ApiError, ErrorCode};

/// The largest answer the relay reads from a provider, whole or streamed.
pub const MAX_ANSWER_BYTES: usize = 16 << 20;

/// A provider key for one request: from `X-Api-Key` or the provider's `api_key_env`. It is
/// never logged, stored or echoed; `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct ProviderKey(String);

impl ProviderKey {
    pub fn new(key: impl Into<String>) -> Self {
        ProviderKey(key.into())
    }

    /// Replaces any copy of the key in `text` (upstream errors sometimes quote it).
    fn scrub(&self, text: &str) -> String {
        if self.0.len() >= 4 {
            text.replace(&self.0, "***")
        } else {
            text.to_string()
        }
    }
}

impl fmt::Debug for ProviderKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ProviderKey(***)")
    }
}

/// One configured provider with its HTTP client.
#[derive(Clone)]
pub struct Provider {
    pub name: String,
    pub config: ProviderConfig,
    client: reqwest::Client,
    log_payloads: bool,
}

impl fmt::Debug for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Provider")
            .field("name", &self.name)
            .field("base_url", &self.config.base_url)
            .finish()
    }
}

/// What a failed attempt tells the retry loop.
struct Failure {
    message: String,
    retryable: bool,
    retry_after: Option<Duration>,
}

impl Provider {
    pub fn new(
        name: &str,
        config: ProviderConfig,
        log_payloads: bool,
    ) -> Result<Provider, ConfigError> {
        let client = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .build()
            .map_err(|e| {
                ConfigError(format!(
                    "providers.{name}: cannot build an HTTP client: {e}"
                ))
            })?;
        Ok(Provider {
            name: name.to_string(),
            config,
            client,
            log_payloads,
        })
    }

    /// The key for a request: `X-Api-Key` if sent, else the `api_key_env` variable (looked up
    /// through `env`), else 400 `provider_key_missing`.
    pub fn key(
        &self,
        headers: &HeaderMap,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<ProviderKey, ApiError> {
        if let Some(value) = headers.get("x-api-key") {
            return match value.to_str() {
                Ok(key) if !key.trim().is_empty() => Ok(ProviderKey::new(key.trim())),
                _ => Err(ApiError::new(
                    ErrorCode::InvalidHeader,
                    "X-Api-Key: expected a non-empty ASCII key",
                )
                .with_param("X-Api-Key")),
            };
        }
        if let Some(var) = &self.config.api_key_env
            && let Some(key) = env(var).filter(|k| !k.is_empty())
        {
            return Ok(ProviderKey::new(key));
        }
        let hint = match &self.config.api_key_env {
            Some(var) => format!("send X-Api-Key or set {var} on the relay"),
            None => "send X-Api-Key".to_string(),
        };
        Err(ApiError::new(
            ErrorCode::ProviderKeyMissing,
            format!("no key for provider {}: {hint}", self.name),
        )
        .with_param("X-Api-Key"))
    }

    fn url(&self) -> String {
        format!(
            "{}/chat/completions",
            self.config.base_url.trim_end_matches('/')
        )
    }

    /// Sends one chat-completions request, with retries; returns the provider's JSON answer.
    pub async fn chat(&self, key: &ProviderKey, body: &Value) -> Result<Value, ApiError> {
        let url = self.url();
        if self.log_payloads {
            tracing::trace!(provider = %self.name, payload = %body, "llm request");
        }
        let answer = self
            .with_retries(key, || self.attempt(&url, key, body))
            .await?;
        if self.log_payloads {
            tracing::trace!(provider = %self.name, payload = %answer, "llm response");
        }
        Ok(answer)
    }

    /// Sends a streaming request (`"stream": true` in `body`), with retries until the provider
    /// answers 2xx; returns the response, whose body the caller reads as server-sent events.
    pub async fn chat_stream(
        &self,
        key: &ProviderKey,
        body: &Value,
    ) -> Result<reqwest::Response, ApiError> {
        let url = self.url();
        if self.log_payloads {
            tracing::trace!(provider = %self.name, payload = %body, "llm request (stream)");
        }
        self.with_retries(key, || self.open(&url, key, body)).await
    }

    /// Runs `attempt` until it succeeds, fails for good, or the retries are used up.
    async fn with_retries<T, F, Fut>(
        &self,
        key: &ProviderKey,
        mut attempt: F,
    ) -> Result<T, ApiError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, Failure>>,
    {
        let mut retries = 0;
        loop {
            let failure = match attempt().await {
                Ok(done) => return Ok(done),
                Err(f) => f,
            };
            match self.backoff(retries, failure.retry_after) {
                Some(delay) if failure.retryable && retries < self.config.max_retries => {
                    tracing::debug!(provider = %self.name, retry = retries + 1, ?delay, error = %key.scrub(&failure.message), "retrying provider call");
                    tokio::time::sleep(delay).await;
                    retries += 1;
                }
                _ => {
                    let attempts = retries + 1;
                    let message = format!(
                        "provider {}: {} (after {attempts} attempt{})",
                        self.name,
                        failure.message,
                        if attempts == 1 { "" } else { "s" }
                    );
                    return Err(ApiError::new(ErrorCode::ProviderError, key.scrub(&message)));
                }
            }
        }
    }

    /// One attempt: the whole answer as JSON.
    async fn attempt(&self, url: &str, key: &ProviderKey, body: &Value) -> Result<Value, Failure> {
        let mut response = self.open(url, key, body).await?;
        let status = response.status();
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.read_failure(e))? {
            bytes.extend_from_slice(&chunk);
            if bytes.len() > MAX_ANSWER_BYTES {
                return Err(Failure {
                    message: format!("the answer exceeds {MAX_ANSWER_BYTES} bytes"),
                    retryable: false,
                    retry_after: None,
                });
            }
        }
        serde_json::from_slice(&bytes).map_err(|e| Failure {
            message: format!("HTTP {}: the answer is not JSON: {e}", status.as_u16()),
            retryable: false,
            retry_after: None,
        })
    }

    fn read_failure(&self, e: reqwest::Error) -> Failure {
        let timeout = e.is_timeout();
        Failure {
            message: if timeout {
                format!("timed out after {:?}", self.config.timeout)
            } else {
                format!(
                    "reading the answer failed: {}",
                    error_chain(&e.without_url())
                )
            },
            retryable: !timeout,
            retry_after: None,
        }
    }

    /// Sends the request; a 2xx response is returned unread, anything else is a failure.
    async fn open(
        &self,
        url: &str,
        key: &ProviderKey,
        body: &Value,
    ) -> Result<reqwest::Response, Failure> {
        let sent = self
            .client
            .post(url)
            .bearer_auth(&key.0)
            .json(body)
            .send()
            .await;
        let response = match sent {
            Ok(r) => r,
            Err(e) if e.is_timeout() => {
                return Err(Failure {
                    message: format!("timed out after {:?}", self.config.timeout),
                    retryable: false,
                    retry_after: None,
                });
            }
            Err(e) => {
                return Err(Failure {
                    message: format!("connection failed: {}", error_chain(&e.without_url())),
                    retryable: true,
                    retry_after: None,
                });
            }
        };
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<f64>().ok())
            // Anything beyond a day is as good as "never"; it also keeps the conversion finite.
            .filter(|s| s.is_finite() && (0.0..=86400.0).contains(s))
            .map(Duration::from_secs_f64);
        let bytes = response.bytes().await.map_err(|e| self.read_failure(e))?;
        Err(Failure {
            message: format!("HTTP {}: {}", status.as_u16(), upstream_message(&bytes)),
            retryable: status.as_u16() == 429 || status.is_server_error(),
            retry_after,
        })
    }

    /// The wait before retry `retries + 1`: exponential from `retry_backoff`, capped at
    /// `retry_backoff_max`, jittered into its upper half, and at least `Retry-After`. `None`
    /// when the provider asks for a longer wait than the cap: the relay then fails at once
    /// rather than hold the client.
    fn backoff(&self, retries: u32, retry_after: Option<Duration>) -> Option<Duration> {
        let cap = self.config.retry_backoff_max;
        let base = self
            .config
            .retry_backoff
            .saturating_mul(1u32 << retries.min(16))
            .min(cap);
        let jittered = if base.is_zero() {
            base
        } else {
            rand::thread_rng().gen_range(base / 2..=base)
        };
        match retry_after {
            Some(asked) if asked > cap => None,
            Some(asked) => Some(jittered.max(asked)),
            None => Some(jittered),
        }
    }
}

/// The provider's own error message: OpenAI's `error.message`, else the body text, cut short.
fn upstream_message(body: &[u8]) -> String {
    let from_json = serde_json::from_slice::<Value>(body).ok().and_then(|v| {
        v.pointer("/error/message")
            .or_else(|| v.get("message"))
            .or_else(|| v.get("detail"))
            .and_then(Value::as_str)
            .map(str::to_string)
    });
    let text = from_json.unwrap_or_else(|| String::from_utf8_lossy(body).into_owned());
    let text = text.trim();
    if text.is_empty() {
        return "(no message)".into();
    }
    match text.char_indices().nth(512) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider(base_ms: u64, max_ms: u64) -> Provider {
        let mut c = ProviderConfig::new("http://127.0.0.1:1", None);
        c.retry_backoff = Duration::from_millis(base_ms);
        c.retry_backoff_max = Duration::from_millis(max_ms);
        Provider::new("p", c, false).unwrap()
    }

    #[test]
    fn backoff_doubles_jitters_and_caps() {
        let p = provider(500, 8000);
        for _ in 0..50 {
            let d0 = p.backoff(0, None).unwrap();
            assert!(
                d0 >= Duration::from_millis(250) && d0 <= Duration::from_millis(500),
                "{d0:?}"
            );
            let d2 = p.backoff(2, None).unwrap();
            assert!(
                d2 >= Duration::from_millis(1000) && d2 <= Duration::from_millis(2000),
                "{d2:?}"
            );
            let d9 = p.backoff(9, None).unwrap();
            assert!(
                d9 >= Duration::from_millis(4000) && d9 <= Duration::from_millis(8000),
                "{d9:?}"
            );
        }
    }

    #[test]
    fn backoff_honours_retry_after() {
        let p = provider(10, 8000);
        assert_eq!(
            p.backoff(0, Some(Duration::from_secs(3))),
            Some(Duration::from_secs(3))
        );
        assert_eq!(p.backoff(0, Some(Duration::from_secs(9))), None);
    }

    #[test]
    fn upstream_messages() {
        assert_eq!(
            upstream_message(br#"{"error": {"message": "bad key"}}"#),
            "bad key"
        );
        assert_eq!(upstream_message(b"plain text"), "plain text");
        assert_eq!(upstream_message(b""), "(no message)");
        assert_eq!(
            upstream_message("x".repeat(600).as_bytes()).chars().count(),
            513
        );
    }

    #[test]
    fn key_is_scrubbed_and_hidden() {
        let k = ProviderKey::new("sk-secret");
        assert_eq!(
            k.scrub("Incorrect API key provided: sk-secret."),
            "Incorrect API key provided: ***."
        );
        assert!(!format!("{k:?}").contains("secret"));
    }

    #[test]
    fn key_resolution() {
        let mut c = ProviderConfig::new("http://x", Some("P_KEY".into()));
        c.max_retries = 0;
        let p = Provider::new("p", c, false).unwrap();
        let mut h = HeaderMap::new();
        assert_eq!(
            p.key(&h, |_| Some("from-env".into())).unwrap(),
            ProviderKey::new("from-env")
        );
        let e = p.key(&h, |_| None).unwrap_err();
        assert_eq!(e.code, ErrorCode::ProviderKeyMissing);
        assert!(e.message.contains("P_KEY"), "{e}");
        h.insert("x-api-key", "from-header".parse().unwrap());
        assert_eq!(
            p.key(&h, |_| Some("from-env".into())).unwrap(),
            ProviderKey::new("from-header")
        );
    }
}
