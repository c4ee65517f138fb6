//! The relay's HTTP server: routes of protocol.md §1, auth, limits, metrics, and dispatch to
//! the agent architecture chosen by the control headers.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::auth::KeyRing;
use super::checker::{EngineChecker, ToolCallChecker};
use super::config::{Config, ConfigError, StoreKind};
use super::controls::{AgentArch, EndpointType};
use super::decisions::DecisionLog;
use super::dual;
use super::error::{ApiError, ErrorCode};
use super::headers::{PolicyCompiler, Resolver, ValidateRequest};
use super::metrics::{Metrics, RouteLabel, RouteStatus};
use super::policies::PolicyCache;
use super::provider::Provider;
use super::request::ChatRequest;
use super::single;
use super::store::{MemoryStore, SessionStore, StoreLimits};

/// Looks up an environment variable (injectable so tests need not touch the process env).
pub type EnvLookup = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Everything a request handler needs, shared by all requests.
pub struct RelayState {
    pub config: Config,
    pub keys: KeyRing,
    pub providers: BTreeMap<String, Provider>,
    pub store: Arc<dyn SessionStore>,
    pub metrics: Metrics,
    pub compiler: Arc<dyn PolicyCompiler>,
    pub checker: Arc<dyn ToolCallChecker>,
    /// Compiled X-Policy texts (also the default `compiler` and the default checker's source).
    pub policies: Arc<PolicyCache>,
    pub decisions: DecisionLog,
    pub env: EnvLookup,
}

impl RelayState {
    fn resolver<'a>(&'a self, endpoint: EndpointType, tools: Option<&'a Value>) -> Resolver<'a> {
        Resolver {
            defaults: &self.config.defaults,
            endpoint_defaults: self.config.endpoints.get(endpoint),
            max_header_bytes: self.config.limits.max_header_bytes,
            compiler: self.compiler.as_ref(),
            tools,
        }
    }
}

/// A relay ready to serve.
pub struct Relay {
    state: Arc<RelayState>,
}

/// Builds a [`Relay`], replacing the default hooks (process environment, memory store, the
/// cached SQRT compiler, the policy engine as checker) where the caller has better ones.
pub struct RelayBuilder {
    config: Config,
    env: EnvLookup,
    store: Option<Arc<dyn SessionStore>>,
    compiler: Option<Arc<dyn PolicyCompiler>>,
    checker: Option<Arc<dyn ToolCallChecker>>,
}

impl RelayBuilder {
    pub fn env(mut self, env: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        self.env = Arc::new(env);
        self
    }

    pub fn store(mut self, store: Arc<dyn SessionStore>) -> Self {
        self.store = Some(store);
        self
    }

    pub fn compiler(mut self, compiler: Arc<dyn PolicyCompiler>) -> Self {
        self.compiler = Some(compiler);
        self
    }

    pub fn checker(mut self, checker: Arc<dyn ToolCallChecker>) -> Self {
        self.checker = Some(checker);
        self
    }

    pub fn build(self) -> Result<Relay, ConfigError> {
        let config = self.config;
        let keys = KeyRing::from_config(&config.keys, |v| (self.env)(v))?;
        let mut providers = BTreeMap::new();
        for (name, p) in &config.providers {
            providers.insert(
                name.clone(),
                Provider::new(name, p.clone(), config.log.llm_payloads)?,
            );
        }
        let store = match self.store {
            Some(store) => store,
            None => match config.sessions.store {
                StoreKind::Memory => Arc::new(MemoryStore::new(StoreLimits {
                    idle_ttl: Duration::from_secs(config.sessions.idle_ttl_s),
                    max_ttl: Duration::from_secs(config.sessions.max_ttl_s),
                    max_per_tenant: config.sessions.max_per_tenant,
                })) as Arc<dyn SessionStore>,
                // TODO(next): RedisStore (protocol.md §5).
                StoreKind::Redis => {
                    return Err(ConfigError(
                        "sessions.store: the redis store is not implemented yet; use \"memory\""
                            .into(),
                    ));
                }
            },
        };
        let decisions = DecisionLog::open(&config.log)?;
        let metrics = Metrics::new();
        let policies = Arc::new(PolicyCache::new(
            config.limits.policy_cache_entries,
            &metrics,
        ));
        Ok(Relay {
            state: Arc::new(RelayState {
                config,
                keys,
                providers,
                store,
                metrics,
                compiler: self.compiler.unwrap_or_else(|| policies.clone()),
                checker: self
                    .checker
                    .unwrap_or_else(|| Arc::new(EngineChecker::new(policies.clone()))),
                policies,
                decisions,
                env: self.env,
            }),
        })
    }
}

/// A relay serving in the background (tests, `sqrtc demo`). Dropping it stops the server.
pub struct RunningRelay {
    pub addr: SocketAddr,
    task: JoinHandle<()>,
}

impl RunningRelay {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Serves until the process ends.
    pub async fn wait(mut self) {
        let _ = (&mut self.task).await;
    }
}

impl Drop for RunningRelay {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Relay {
    pub fn builder(config: Config) -> RelayBuilder {
        RelayBuilder {
            config,
            env: Arc::new(|name| std::env::var(name).ok()),
            store: None,
            compiler: None,
            checker: None,
        }
    }

    pub fn state(&self) -> &Arc<RelayState> {
        &self.state
    }

    /// The relay's routes (protocol.md §1).
    pub fn router(&self) -> Router {
        let later = post(not_implemented);
        Router::new()
            .route("/health", get(health))
            .route("/metrics", get(metrics))
            .route("/control/v1/validate-headers", post(validate_headers))
            .route(
                "/control/{endpoint_type}/{provider}/v1/chat/completions",
                post(chat_with_provider),
            )
            .route(
                "/control/{endpoint_type}/v1/chat/completions",
                post(chat_default_provider),
            )
            .route("/v1/chat/completions", post(chat_plain))
            .route(
                "/control/{endpoint_type}/{provider}/v1/messages",
                later.clone(),
            )
            .route("/control/{endpoint_type}/v1/messages", later.clone())
            .route("/v1/messages", later.clone())
            .route(
                "/control/{endpoint_type}/{provider}/v1/responses",
                later.clone(),
            )
            .route("/control/{endpoint_type}/v1/responses", later.clone())
            .route("/v1/responses", later)
            .fallback(unknown_route)
            .layer(middleware::from_fn_with_state(self.state.clone(), observe))
            .with_state(self.state.clone())
    }

    /// Serves on `listener` until the task is dropped.
    pub async fn serve(self, listener: TcpListener) -> std::io::Result<()> {
        axum::serve(listener, self.router()).await
    }

    /// Serves on `listener` until `shutdown` completes, then lets requests in flight finish
    /// (and commit) before returning.
    pub async fn serve_until(
        self,
        listener: TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        axum::serve(listener, self.router())
            .with_graceful_shutdown(shutdown)
            .await
    }

    /// Binds `addr` and serves in the background.
    pub async fn start(self, addr: SocketAddr) -> std::io::Result<RunningRelay> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            let _ = self.serve(listener).await;
        });
        Ok(RunningRelay { addr, task })
    }
}

/// Metrics and the `http.request` span around every request.
async fn observe(State(state): State<Arc<RelayState>>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let span = tracing::info_span!("http.request", method = %request.method(), route = %route);
    let start = Instant::now();
    let response = tracing::Instrument::instrument(next.run(request), span.clone()).await;
    let elapsed = start.elapsed();
    span.in_scope(|| {
        tracing::info!(
            status = response.status().as_u16(),
            ms = elapsed.as_secs_f64() * 1000.0,
            "request"
        );
    });
    let m = &state.metrics;
    m.http_requests
        .get_or_create(&RouteStatus {
            route: route.clone(),
            status: response.status().as_u16(),
        })
        .inc();
    m.http_duration
        .get_or_create(&RouteLabel { route })
        .observe(elapsed.as_secs_f64());
    response
}

async fn health(State(state): State<Arc<RelayState>>) -> Response {
    let version = env!("CARGO_PKG_VERSION");
    match state.store.ping().await {
        Ok(()) => axum::Json(json!({"status": "ok", "version": version})).into_response(),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(
                json!({"status": "unavailable", "version": version, "error": e.to_string()}),
            ),
        )
            .into_response(),
    }
}

async fn metrics(State(state): State<Arc<RelayState>>) -> Response {
    if let Ok(n) = state.store.active().await {
        state.metrics.sessions_active.set(n as i64);
    }
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8"),
        )],
        state.metrics.render(),
    )
        .into_response()
}

async fn unknown_route(request: Request) -> ApiError {
    ApiError::new(
        ErrorCode::UnknownRoute,
        format!("no route for {} {}", request.method(), request.uri().path()),
    )
}

async fn not_implemented(request: Request) -> ApiError {
    ApiError::new(
        ErrorCode::NotImplemented,
        format!(
            "{} is not implemented yet; use .../v1/chat/completions",
            request.uri().path()
        ),
    )
}

/// Reads a body of at most `limit` bytes, refusing larger ones with 413.
async fn read_body(headers: &HeaderMap, body: Body, limit: usize) -> Result<Bytes, ApiError> {
    let too_large = || {
        ApiError::new(
            ErrorCode::BodyTooLarge,
            format!("the request body exceeds {limit} bytes"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    // The only way a read fails once the length is within bounds is a body that runs past
    // the limit (or a client gone, which sees no answer anyway).
    axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| too_large())
}

async fn validate_headers(
    State(state): State<Arc<RelayState>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    state.keys.authenticate(&headers)?;
    let bytes = read_body(&headers, body, state.config.limits.max_body_bytes).await?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
        ApiError::new(
            ErrorCode::InvalidJson,
            format!("the request body is not valid JSON: {e}"),
        )
    })?;
    let request: ValidateRequest = super::headers::typed("body", value)
        .map_err(|m| ApiError::new(ErrorCode::InvalidRequest, m).with_param("body"))?;
    let report = state.resolver(EndpointType::Chat, None).validate(&request);
    Ok(axum::Json(report).into_response())
}

async fn chat_with_provider(
    State(state): State<Arc<RelayState>>,
    Path((endpoint_type, provider)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let endpoint = endpoint_type_of(&endpoint_type)?;
    chat(state, endpoint, Some(provider), headers, body).await
}

async fn chat_default_provider(
    State(state): State<Arc<RelayState>>,
    Path(endpoint_type): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let endpoint = endpoint_type_of(&endpoint_type)?;
    chat(state, endpoint, None, headers, body).await
}

async fn chat_plain(
    State(state): State<Arc<RelayState>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    chat(state, EndpointType::Chat, None, headers, body).await
}

fn endpoint_type_of(text: &str) -> Result<EndpointType, ApiError> {
    EndpointType::parse(text).ok_or_else(|| {
        ApiError::new(
            ErrorCode::UnknownRoute,
            format!("unknown endpoint type {text:?}; expected chat, code, agent or lang-graph"),
        )
    })
}

/// One chat completion: auth, body, headers, then the chosen architecture. The work runs in
/// its own task so that a request still commits if its client disconnects.
async fn chat(
    state: Arc<RelayState>,
    endpoint: EndpointType,
    provider: Option<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let started = Instant::now();
    let tenant = state.keys.authenticate(&headers)?;
    let provider_name = provider.unwrap_or_else(|| state.config.default_provider.clone());
    let provider = state
        .providers
        .get(&provider_name)
        .cloned()
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::UnknownProvider,
                format!("unknown provider {provider_name:?}"),
            )
        })?;
    let limits = &state.config.limits;
    let bytes = read_body(&headers, body, limits.max_body_bytes).await?;
    let request = ChatRequest::parse(&bytes, limits)?;
    let resolution = state
        .resolver(endpoint, request.body.get("tools").filter(|t| !t.is_null()))
        .resolve_request(endpoint, &headers)?;
    let dual_llm = resolution.controls.features.agent_arch == AgentArch::DualLlm;
    if dual_llm {
        request.check_dual_llm()?;
    }
    let timeout = Duration::from_secs(limits.request_timeout_s);
    let request_id = uuid::Uuid::new_v4();
    let task_state = state.clone();
    let deadline = tokio::time::Instant::from_std(started) + timeout;
    // The work keeps the `http.request` span as its parent.
    let span = tracing::Span::current();
    let work = tokio::spawn(tracing::Instrument::instrument(
        async move {
            let job = Arc::new(single::Job {
                state: task_state.clone(),
                tenant,
                provider,
                headers,
                request,
                controls: resolution.controls,
                request_id,
                llm_time: std::sync::Mutex::new(Duration::ZERO),
                deadline,
            });
            let result = if dual_llm {
                tokio::time::timeout(timeout, dual::run(job.clone())).await
            } else {
                tokio::time::timeout(timeout, single::run(&job)).await
            };
            let llm_time = *job.llm_time.lock().unwrap_or_else(|p| p.into_inner());
            task_state
                .metrics
                .relay_overhead
                .observe(started.elapsed().saturating_sub(llm_time).as_secs_f64());
            match result {
                Ok(result) => result,
                Err(_) => Err(ApiError::new(
                    ErrorCode::RequestTimeout,
                    format!(
                        "the request took longer than {}s; the session is unchanged",
                        timeout.as_secs()
                    ),
                )),
            }
        },
        span,
    ));
    let result = match work.await {
        Ok(result) => result,
        Err(e) => {
            tracing::error!(error = %e, "request task failed");
            Err(ApiError::new(
                ErrorCode::InternalError,
                "internal error; the session is unchanged",
            ))
        }
    };
    let mut response = result.unwrap_or_else(IntoResponse::into_response);
    if let Ok(value) = HeaderValue::from_str(&request_id.to_string()) {
        response.headers_mut().insert("x-request-id", value);
    }
    Ok(response)
}
