//! Relay overhead under load: concurrent single-LLM sessions against an instant in-process mock
//! provider, the seed policy (single-LLM form) enforced on every call, the decision log written
//! to a file. Each session runs the seed tutorial's trustedcorp case on the chat endpoint: R1
//! (a `get_internal_document` call), R2 (its result in, a `send_email` call out), R3 (the final
//! answer, which ends the session).
//!
//! ```text
//! cargo run --release -p sqrt-benches --bin relay_load -- [--sessions 64] [--seconds 10] [--arch single-llm|dual-llm] [--relay-threads 2] [--rate 500]
//! ```
//!
//! Without `--rate` the sessions run closed-loop (each starts its next conversation as soon as
//! the last ends): the throughput test, where every request queues behind the others for a
//! core. With `--rate R` the sessions together start R conversations per second, evenly paced
//! (open loop): the latency test at a fixed load below saturation.
//!
//! The relay runs on a tokio runtime of its own (`--relay-threads` workers), apart from the load
//! generator and the mock provider, as it would in production where the clients and the
//! provider are other machines: relay tasks never queue behind client tasks. The processes
//! still share the machine's cores.
//!
//! Prints requests/s, the client-side latency (whole HTTP round trip, mock included) p50/p99, and
//! the server-side overhead (`sqrt_relay_overhead_seconds`: time in the relay minus time waiting
//! for the provider) p50/p99 and mean, read from `/metrics` as the difference between a snapshot
//! after warm-up and one at the end. Percentiles from the histogram are interpolated within its
//! buckets (each 1.25× the previous), so they are good to about ±12%.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sqrt_runtime::relay::{Config, MockServer, Relay, Script};

const SEED_SINGLE: &str = r#"let sensitive_docs = {"internal_use", "confidential"};
tool "get_internal_document" -> @tags |= sensitive_docs;
tool "get_internal_document" -> session @tags |= @result.tags;
tool "send_email" {
    hard deny when (@session.tags overlaps sensitive_docs) and
    (not to.value in {str matching r".*@trustedcorp\.com"});
}
"#;

const DOC: &str = "The document content is: 'Sequrity is a secure AI...'";

#[derive(clap::Parser)]
#[command(about = "Relay overhead under load (seed policy, instant mock provider)")]
struct Options {
    /// Concurrent sessions.
    #[arg(long, default_value_t = 64)]
    sessions: usize,
    /// Measured seconds (after one second of warm-up).
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// `single-llm` or `dual-llm`.
    #[arg(long, default_value = "single-llm")]
    arch: String,
    /// Worker threads of the relay's own runtime.
    #[arg(long, default_value_t = 2)]
    relay_threads: usize,
    /// Conversations started per second by all sessions together (open loop); closed loop
    /// when absent.
    #[arg(long)]
    rate: Option<f64>,
    /// Passed by `cargo bench` harnesses; ignored.
    #[arg(long, hide = true)]
    bench: bool,
}

fn main() {
    let o = <Options as clap::Parser>::parse();
    let relay_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(o.relay_threads.max(1))
        .thread_name("relay")
        .enable_all()
        .build()
        .expect("relay runtime");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .thread_name("load")
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(run(o, relay_runtime.handle()));
}

fn tools() -> Value {
    json!([
        {"type": "function", "function": {"name": "get_internal_document", "description": "Fetch a document",
            "parameters": {"type": "object", "properties": {"doc_id": {"type": "string"}}, "required": ["doc_id"]}}},
        {"type": "function", "function": {"name": "send_email", "description": "Send an email",
            "parameters": {"type": "object", "properties": {"to": {"type": "string"}, "subject": {"type": "string"}, "body": {"type": "string"}},
                "required": ["to", "subject", "body"]}}}
    ])
}

async fn run(o: Options, relay_runtime: &tokio::runtime::Handle) {
    let script = json!({"entries": [
        // Dual-LLM mode: the planner writes the program once; the VM issues both calls.
        {"system_contains": "final_return_value", "content": "```python\ndoc = get_internal_document(doc_id=\"DOC12345\")\nsend_email(to=\"user@trustedcorp.com\", subject=\"doc\", body=doc)\nfinal_return_value = \"sent\"\n```"},
        {"last_role": "user", "tool_calls": [{"name": "get_internal_document", "arguments": {"doc_id": "DOC12345"}}]},
        {"last_role": "tool", "last_contains": "document content",
         "tool_calls": [{"name": "send_email", "arguments": {"to": "user@trustedcorp.com", "subject": "doc", "body": "the doc"}}]},
        {"last_role": "tool", "last_contains": "Email sent", "content": "All done."}
    ]});
    let mock = MockServer::start(Script::parse(&script.to_string()).expect("script"))
        .await
        .expect("mock starts");
    let log = std::env::temp_dir().join(format!("sqrt-relay-bench-{}.jsonl", std::process::id()));
    let config = format!(
        "default_provider = \"mock\"\n[log]\ndecision_log = \"{}\"\n[providers.mock]\nbase_url = \"{}\"\n",
        log.display(),
        mock.base_url()
    );
    let relay = Relay::builder(Config::from_toml(&config).expect("config"))
        .env(|_| None)
        .build()
        .expect("relay builds");
    // Started from a task of the relay's runtime, so the server and its requests run there.
    let relay = relay_runtime
        .spawn(relay.start(SocketAddr::from(([127, 0, 0, 1], 0))))
        .await
        .expect("relay task")
        .expect("relay starts");
    let url = relay.url("/v1/chat/completions");
    let metrics_url = relay.url("/metrics");
    let headers = Arc::new(Headers {
        policy: json!({"codes": SEED_SINGLE}).to_string(),
        features: json!({"agent_arch": o.arch}).to_string(),
        config: json!({"response_format": {"include_program": true}}).to_string(),
    });
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(o.sessions)
        .build()
        .expect("client");

    // Warm-up: one conversation, then everything for a second.
    assert!(
        conversation(&client, &url, &headers).await.is_some(),
        "the warm-up conversation failed"
    );
    let stop = Arc::new(AtomicBool::new(false));
    let warm = spawn_sessions(&o, &client, &url, &headers, &stop);
    tokio::time::sleep(Duration::from_secs(1)).await;
    stop.store(true, Ordering::Relaxed);
    for t in warm {
        let _ = t.await;
    }

    let before = histogram(&client, &metrics_url).await;
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let tasks = spawn_sessions(&o, &client, &url, &headers, &stop);
    tokio::time::sleep(Duration::from_secs(o.seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut latencies = Vec::new();
    let mut failures = 0usize;
    for t in tasks {
        let (l, f) = t.await.expect("session task");
        latencies.extend(l);
        failures += f;
    }
    let elapsed = started.elapsed();
    let after = histogram(&client, &metrics_url).await;

    latencies.sort_unstable();
    let n = latencies.len();
    let pick = |q: f64| latencies[((n as f64 * q) as usize).min(n - 1)];
    let server = after.minus(&before);
    let pacing = o.rate.map_or("closed loop".to_string(), |r| {
        format!("open loop at {r} conversations/s")
    });
    println!(
        "relay load: {} mode, {} concurrent sessions ({pacing}), {:.1} s, seed policy, instant mock, relay on {} threads",
        o.arch,
        o.sessions,
        elapsed.as_secs_f64(),
        o.relay_threads.max(1)
    );
    println!(
        "requests: {n} ok, {failures} failed; {:.0} requests/s",
        n as f64 / elapsed.as_secs_f64()
    );
    println!(
        "client round trip: p50 {:.3} ms, p99 {:.3} ms",
        ms(pick(0.50)),
        ms(pick(0.99))
    );
    println!(
        "server-side overhead ({} requests): p50 {:.3} ms, p99 {:.3} ms, mean {:.3} ms",
        server.count,
        server.quantile(0.50) * 1e3,
        server.quantile(0.99) * 1e3,
        server.sum / server.count.max(1) as f64 * 1e3
    );
    if let Some((engine, mean)) = check_mean(&client, &metrics_url).await {
        println!(
            "policy check ({engine}, whole run): mean {:.2} µs",
            mean * 1e6
        );
    }
    let _ = std::fs::remove_file(&log);
}

struct Headers {
    policy: String,
    features: String,
    config: String,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

type SessionTask = tokio::task::JoinHandle<(Vec<Duration>, usize)>;

fn spawn_sessions(
    o: &Options,
    client: &reqwest::Client,
    url: &str,
    headers: &Arc<Headers>,
    stop: &Arc<AtomicBool>,
) -> Vec<SessionTask> {
    // Open loop: session `i` starts a conversation every `period`, offset by `i / rate`.
    let period = o
        .rate
        .map(|r| Duration::from_secs_f64(o.sessions as f64 / r));
    let start = tokio::time::Instant::now();
    (0..o.sessions)
        .map(|i| {
            let mut next = period.map(|p| start + p.mul_f64(i as f64 / o.sessions as f64));
            let (client, url, headers, stop) = (
                client.clone(),
                url.to_string(),
                headers.clone(),
                stop.clone(),
            );
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut failures = 0;
                while !stop.load(Ordering::Relaxed) {
                    if let (Some(at), Some(p)) = (next.as_mut(), period) {
                        tokio::time::sleep_until(*at).await;
                        *at += p;
                    }
                    match conversation(&client, &url, &headers).await {
                        Some(l) => latencies.extend(l),
                        None => failures += 1,
                    }
                }
                (latencies, failures)
            })
        })
        .collect()
}

/// One seed conversation; the latency of each request, or `None` if any answer is wrong.
async fn conversation(client: &reqwest::Client, url: &str, h: &Headers) -> Option<Vec<Duration>> {
    let mut messages = vec![
        json!({"role": "user", "content": "Retrieve DOC12345 and email it to user@trustedcorp.com"}),
    ];
    let mut latencies = Vec::new();
    let mut session: Option<String> = None;
    for result in [DOC, "Email sent", ""] {
        let body = json!({"model": "mock-llm", "messages": messages, "tools": tools()});
        let mut request = client
            .post(url)
            .header("X-Api-Key", "k")
            .header("X-Policy", &h.policy)
            .header("X-Features", &h.features)
            .header("X-Config", &h.config)
            .json(&body);
        if let Some(s) = &session {
            request = request.header("X-Session-ID", s);
        }
        let started = Instant::now();
        let response = request.send().await.ok()?;
        let status = response.status();
        session = response
            .headers()
            .get("x-session-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .or(session);
        let answer: Value = response.json().await.ok()?;
        latencies.push(started.elapsed());
        if !status.is_success() {
            return None;
        }
        let message = answer.pointer("/choices/0/message")?.clone();
        let Some(call) = message.pointer("/tool_calls/0") else {
            // The final answer.
            return result.is_empty().then_some(latencies);
        };
        let id = call.get("id")?.as_str()?.to_string();
        messages.push(message);
        messages.push(json!({"role": "tool", "tool_call_id": id, "content": result}));
    }
    None
}

/// The `sqrt_relay_overhead_seconds` histogram: cumulative bucket counts by upper bound.
struct Histogram {
    buckets: Vec<(f64, u64)>,
    sum: f64,
    count: u64,
}

impl Histogram {
    fn minus(&self, earlier: &Histogram) -> Histogram {
        Histogram {
            buckets: self
                .buckets
                .iter()
                .zip(&earlier.buckets)
                .map(|(&(le, a), &(_, b))| (le, a - b))
                .collect(),
            sum: self.sum - earlier.sum,
            count: self.count - earlier.count,
        }
    }

    /// The q-quantile, interpolated linearly inside its bucket.
    fn quantile(&self, q: f64) -> f64 {
        let target = q * self.count as f64;
        let mut lower = (0.0, 0u64);
        for &(le, cumulative) in &self.buckets {
            if cumulative as f64 >= target {
                if le.is_infinite() {
                    return lower.0;
                }
                let in_bucket = (cumulative - lower.1) as f64;
                let frac = if in_bucket > 0.0 {
                    (target - lower.1 as f64) / in_bucket
                } else {
                    1.0
                };
                return lower.0 + (le - lower.0) * frac;
            }
            lower = (le, cumulative);
        }
        lower.0
    }
}

/// The mean of `sqrt_policy_check_duration_seconds` (session state included) and its engine.
async fn check_mean(client: &reqwest::Client, url: &str) -> Option<(String, f64)> {
    let text = client.get(url).send().await.ok()?.text().await.ok()?;
    let field = |suffix: &str| -> Option<(String, f64)> {
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("sqrt_policy_check_duration_seconds_{suffix}{{")))?;
        let engine = line.split('"').nth(1)?.to_string();
        Some((engine, line.rsplit_once(' ')?.1.parse().ok()?))
    };
    let (engine, sum) = field("sum")?;
    let (_, count) = field("count")?;
    Some((engine, sum / count.max(1.0)))
}

async fn histogram(client: &reqwest::Client, url: &str) -> Histogram {
    histogram_of(client, url, "sqrt_relay_overhead_seconds_").await
}

/// An unlabelled histogram, or the first series of a labelled one.
async fn histogram_of(client: &reqwest::Client, url: &str, prefix: &str) -> Histogram {
    let text = client
        .get(url)
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("metrics text");
    let mut h = Histogram {
        buckets: Vec::new(),
        sum: 0.0,
        count: 0,
    };
    for line in text.lines() {
        let Some(rest) = line.strip_prefix(prefix) else {
            continue;
        };
        let (name, value) = rest.rsplit_once(' ').expect("metric line");
        // `bucket{le="…"}` or `bucket{engine="…",le="…"}`.
        if let Some(le) = name
            .strip_prefix("bucket{")
            .and_then(|l| l.split("le=\"").nth(1))
            .and_then(|l| l.strip_suffix("\"}"))
        {
            let le = if le == "+Inf" {
                f64::INFINITY
            } else {
                le.parse().expect("bucket bound")
            };
            h.buckets.push((le, value.parse().expect("bucket count")));
        } else if name.starts_with("sum") {
            h.sum = value.parse().expect("sum");
        } else if name.starts_with("count") {
            h.count = value.parse().expect("count");
        }
    }
    h
}
