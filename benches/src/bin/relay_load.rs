//! Relay overhead under load: concurrent single-LLM sessions against an instant in-process mock
//! provider, the seed policy (single-LLM form) enforced on every call, the decision log written
//! to a file. Each session runs the seed tutorial's trustedcorp case on the chat endpoint: R1
//! (a `get_internal_document` call), R2 (its result in, a `send_email` call out), R3 (the final
//! answer, which ends the session).
//!
//! ```text
//! cargo run --release -p sqrt-benches --bin relay_load -- [--sessions 64] [--seconds 10] [--arch single-llm|dual-llm] [--relay-threads 2] [--rate 500]
//! relay_load --relay-process target/release/sqrtc --relay-cpus 0 --load-cpus 1 [...]
//! ```
//!
//! Without `--rate` the sessions run closed-loop (each starts its next conversation as soon as
//! the last ends): the throughput test, where every request queues behind the others for a
//! core. With `--rate R` the sessions together start R conversations per second, evenly paced
//! (open loop): the latency test at a fixed load below saturation.
//!
//! The relay runs on a tokio runtime of its own (`--relay-threads` workers), apart from the load
//! generator and the mock provider, as it would in production where the clients and the
//! provider are other machines: relay tasks never queue behind client tasks. The threads
//! still share the machine's cores.
//!
//! With `--relay-process SQRTC` the relay is a `sqrtc serve` process of its own (the production
//! binary, its default runtime and logging), started as `taskset -c <--relay-cpus> sqrtc
//! serve`; `--load-cpus` pins this process (load generator and mock) to other cores first. On
//! a machine with spare cores that is the production setup, where the relay's core is never
//! taken by the client or the provider: the closed-loop overhead then measures the relay.
//!
//! Prints requests/s, the client-side latency (whole HTTP round trip, mock included) p50/p99, and
//! the server-side overhead (`sqrt_relay_overhead_seconds`: time in the relay minus time waiting
//! for the provider) p50/p99 and mean, read from `/metrics` as the difference between a snapshot
//! after warm-up and one at the end. Percentiles from the histogram are interpolated within its
//! buckets (each 1.25× the previous), so they are good to about ±12%. Then, per measured request,
//! the CPU time of the relay's threads and the time they were runnable but waiting for a CPU
//! (`/proc/<pid>/task/*/schedstat`, by thread name): the share of the overhead that is preemption.
//! Linux only (`taskset`, `/proc`); elsewhere the schedstat line is empty.

/// sqrtc's allocator (runtime/src/bin/sqrtc.rs): measured as shipped.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Worker threads of the relay's own runtime (in process; `sqrtc serve` has one per CPU
    /// it may use).
    #[arg(long, default_value_t = 2)]
    relay_threads: usize,
    /// Conversations started per second by all sessions together (open loop); closed loop
    /// when absent.
    #[arg(long)]
    rate: Option<f64>,
    /// Run the relay as this `sqrtc` binary's `serve` process instead of in this process.
    #[arg(long, value_name = "SQRTC")]
    relay_process: Option<std::path::PathBuf>,
    /// CPUs of the relay process (`taskset -c` list, e.g. `0`); with `--relay-process`.
    #[arg(long, requires = "relay_process")]
    relay_cpus: Option<String>,
    /// CPUs of this process: the load generator and the mock (`taskset -c` list, e.g. `1`).
    #[arg(long)]
    load_cpus: Option<String>,
    /// Passed by `cargo bench` harnesses; ignored.
    #[arg(long, hide = true)]
    bench: bool,
}

fn main() {
    let o = <Options as clap::Parser>::parse();
    if let Some(cpus) = &o.load_cpus {
        // Before any other thread starts: threads inherit the main thread's CPUs.
        let status = std::process::Command::new("taskset")
            .args(["-p", "-c", cpus, &std::process::id().to_string()])
            .stdout(std::process::Stdio::null())
            .status()
            .expect("taskset runs (util-linux)");
        assert!(status.success(), "taskset -p -c {cpus} failed");
    }
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
    let relay = match &o.relay_process {
        Some(sqrtc) => {
            RelayUnderTest::Process(RelayProcess::start(sqrtc, o.relay_cpus.as_deref(), &config))
        }
        None => {
            let relay = Relay::builder(Config::from_toml(&config).expect("config"))
                .env(|_| None)
                .build()
                .expect("relay builds");
            // Started from a task of the relay's runtime, so the server and its requests run
            // there.
            RelayUnderTest::InProcess(
                relay_runtime
                    .spawn(relay.start(SocketAddr::from(([127, 0, 0, 1], 0))))
                    .await
                    .expect("relay task")
                    .expect("relay starts"),
            )
        }
    };
    let url = relay.url("/v1/chat/completions");
    let metrics_url = relay.url("/metrics");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(o.sessions)
        .build()
        .expect("client");
    if matches!(relay, RelayUnderTest::Process(_)) {
        wait_healthy(&client, &relay.url("/health")).await;
    }
    let headers = Arc::new(Headers {
        policy: json!({"codes": SEED_SINGLE}).to_string(),
        features: json!({"agent_arch": o.arch}).to_string(),
        config: json!({"response_format": {"include_program": true}}).to_string(),
    });

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

    let relay_pid = relay.pid();
    let sched_before = (sched(relay_pid), sched(std::process::id()));
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
    let sched_after = (sched(relay_pid), sched(std::process::id()));

    latencies.sort_unstable();
    let n = latencies.len();
    let pick = |q: f64| latencies[((n as f64 * q) as usize).min(n - 1)];
    let server = after.minus(&before);
    let pacing = o.rate.map_or("closed loop".to_string(), |r| {
        format!("open loop at {r} conversations/s")
    });
    let placement = match (&o.relay_process, &o.relay_cpus) {
        (Some(_), Some(cpus)) => format!("relay: sqrtc serve process on CPUs {cpus}"),
        (Some(_), None) => "relay: sqrtc serve process".to_string(),
        (None, _) => format!("relay on {} threads", o.relay_threads.max(1)),
    };
    let load = o
        .load_cpus
        .as_ref()
        .map_or(String::new(), |c| format!(", load and mock on CPUs {c}"));
    println!(
        "relay load: {} mode, {} concurrent sessions ({pacing}), {:.1} s, seed policy, instant mock, {placement}{load}",
        o.arch,
        o.sessions,
        elapsed.as_secs_f64(),
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
    let requests = server.count.max(1) as f64;
    let pools = |before: &Sched, after: &Sched, only: Option<&str>| {
        let mut text = Vec::new();
        for (name, a) in after {
            if only.is_some_and(|o| o != name) {
                continue;
            }
            let b = before.get(name).copied().unwrap_or_default();
            let (cpu, wait) = (a.0.saturating_sub(b.0), a.1.saturating_sub(b.1));
            if cpu + wait > 0 {
                text.push(format!(
                    "{name}: CPU {:.1} µs, runnable-but-waiting {:.1} µs",
                    cpu as f64 / 1e3 / requests,
                    wait as f64 / 1e3 / requests
                ));
            }
        }
        text.join("; ")
    };
    // In one process the relay's threads are the ones named `relay`.
    let relay_only = (relay_pid == std::process::id()).then_some("relay");
    println!(
        "relay threads per request: {}",
        pools(&sched_before.0, &sched_after.0, relay_only)
    );
    if relay_pid != std::process::id() {
        println!(
            "load-generator threads per request: {}",
            pools(&sched_before.1, &sched_after.1, None)
        );
    }
    if let Some((engine, mean)) = check_mean(&client, &metrics_url).await {
        println!(
            "policy check ({engine}, whole run): mean {:.2} µs",
            mean * 1e6
        );
    }
    drop(relay);
    let _ = std::fs::remove_file(&log);
}

/// The relay being measured: in this process, or a `sqrtc serve` child.
enum RelayUnderTest {
    InProcess(sqrt_runtime::relay::RunningRelay),
    Process(RelayProcess),
}

impl RelayUnderTest {
    fn pid(&self) -> u32 {
        match self {
            RelayUnderTest::InProcess(_) => std::process::id(),
            RelayUnderTest::Process(p) => p.child.id(),
        }
    }

    fn url(&self, path: &str) -> String {
        match self {
            RelayUnderTest::InProcess(r) => r.url(path),
            RelayUnderTest::Process(p) => format!("http://{}{path}", p.addr),
        }
    }
}

/// A `sqrtc serve` child process, killed when dropped.
struct RelayProcess {
    child: std::process::Child,
    addr: String,
    dir: std::path::PathBuf,
}

impl RelayProcess {
    /// Writes `config` to a temporary `sqrt.toml`, starts `[taskset -c CPUS] SQRTC serve` on a
    /// free loopback port, and reads the bound address it prints.
    fn start(sqrtc: &std::path::Path, cpus: Option<&str>, config: &str) -> RelayProcess {
        use std::io::BufRead;
        let dir = std::env::temp_dir().join(format!("sqrt-relay-load-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temporary directory");
        let toml = dir.join("sqrt.toml");
        std::fs::write(&toml, config).expect("sqrt.toml written");
        let mut command = match cpus {
            Some(cpus) => {
                let mut c = std::process::Command::new("taskset");
                c.args(["-c", cpus]).arg(sqrtc);
                c
            }
            None => std::process::Command::new(sqrtc),
        };
        let mut child = command
            .arg("serve")
            .arg("--config")
            .arg(&toml)
            .args(["--listen", "127.0.0.1:0"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("sqrtc serve starts");
        let stdout = child.stdout.take().expect("stdout piped");
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .expect("sqrtc serve prints its address");
        let addr = line.trim().to_string();
        assert!(!addr.is_empty(), "sqrtc serve exited before listening");
        RelayProcess { child, addr, dir }
    }
}

impl Drop for RelayProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Per thread name: nanoseconds on a CPU and runnable but waiting for one
/// (`/proc/<pid>/task/*/schedstat`), summed over the threads alive now.
type Sched = std::collections::BTreeMap<String, (u64, u64)>;

fn sched(pid: u32) -> Sched {
    let mut out = Sched::new();
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return out;
    };
    for task in tasks.flatten() {
        let path = task.path();
        let (Ok(name), Ok(stat)) = (
            std::fs::read_to_string(path.join("comm")),
            std::fs::read_to_string(path.join("schedstat")),
        ) else {
            continue;
        };
        let mut fields = stat
            .split_whitespace()
            .map(|f| f.parse::<u64>().unwrap_or(0));
        let (cpu, wait) = (fields.next().unwrap_or(0), fields.next().unwrap_or(0));
        let entry = out.entry(name.trim().to_string()).or_default();
        entry.0 += cpu;
        entry.1 += wait;
    }
    out
}

/// Waits (at most 10 s) until `/health` answers 200.
async fn wait_healthy(client: &reqwest::Client, url: &str) {
    for _ in 0..200 {
        if let Ok(r) = client.get(url).send().await
            && r.status().is_success()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the relay at {url} never became healthy");
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
