//! The tracing spans of protocol.md §10 in both architectures, recorded by a subscriber of
//! this test's own over real HTTP on loopback. One test per binary: the subscriber is global,
//! because the relay's work runs on runtime and blocking threads.

mod relay_support;

use std::sync::{Arc, Mutex};

use relay_support::*;
use serde_json::{Value, json};
use tracing::span::{Attributes, Id};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;
use tracing_subscriber::registry::LookupSpan;

/// A span's name and its ancestors' names, nearest first.
type Opened = (String, Vec<String>);

/// Every span opened.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<Opened>>>);

impl<S: tracing::Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Recorder {
    fn on_new_span(&self, _: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let ancestors = span.scope().skip(1).map(|s| s.name().to_string()).collect();
        self.0
            .lock()
            .unwrap()
            .push((span.name().to_string(), ancestors));
    }
}

impl Recorder {
    /// Takes the spans recorded so far.
    fn take(&self) -> Vec<Opened> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

fn named<'a>(spans: &'a [Opened], name: &str) -> Vec<&'a Vec<String>> {
    spans
        .iter()
        .filter(|(n, _)| n == name)
        .map(|(_, a)| a)
        .collect()
}

const POLICY: &str = r#"tool "send_email" { hard deny when not to.value in {str matching r".*@trustedcorp\.com"}; }"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_architectures_trace_their_stages_under_the_request() {
    let recorder = Recorder::default();
    tracing_subscriber::registry().with(recorder.clone()).init();
    let m = mock(json!({"entries": [
        {"model": "mock-planner", "content": "```python\nsend_email(to=\"a@trustedcorp.com\", subject=\"s\", body=\"b\")\n```"},
        {"model": "mock-llm", "tool_calls": [{"name": "send_email", "arguments": {"to": "a@trustedcorp.com", "subject": "s", "body": "b"}}]}
    ]}))
    .await;
    let r = relay(&config_text(&m, "[log]\ndecision_log = \"off\"\n")).await;
    let url = r.url("/v1/chat/completions");
    let policy = json!({"codes": POLICY}).to_string();

    // Single-LLM: the proposed call is checked inside the request.
    let (s, _, b) = post(
        &url,
        &[("X-Api-Key", "k"), ("X-Policy", &policy)],
        &chat_body(vec![user("mail it")]),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["choices"][0]["finish_reason"], "tool_calls", "{b}");
    let spans = recorder.take();
    let checks = named(&spans, "policy.check");
    assert_eq!(checks.len(), 1, "{spans:?}");
    assert!(checks[0].contains(&"http.request".to_string()), "{spans:?}");
    let llm = named(&spans, "pllm.call");
    assert_eq!(llm.len(), 1, "{spans:?}");
    assert!(llm[0].contains(&"http.request".to_string()), "{spans:?}");

    // Dual-LLM: the program is compiled and run, and its call checked, under the request.
    let body: Value = json!({"model": "mock-planner,mock-parser",
        "messages": [user("mail it")], "tools": seed_tools()});
    let features = json!({"agent_arch": "dual-llm"}).to_string();
    let (s, _, b) = post(
        &url,
        &[
            ("X-Api-Key", "k"),
            ("X-Policy", &policy),
            ("X-Features", &features),
        ],
        &body,
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["choices"][0]["finish_reason"], "tool_calls", "{b}");
    let spans = recorder.take();
    // The planner is called once; the program that reaches a call is run twice, under the
    // worker's instruction slice and again with the full budget it is stored with
    // (docs/relay.md, "Instruction slice").
    for (name, times) in [
        ("pllm.call", 1),
        ("program.compile", 2),
        ("vm.run", 2),
        ("policy.check", 2),
    ] {
        let found = named(&spans, name);
        assert_eq!(found.len(), times, "{name}: {spans:?}");
        for parents in found {
            assert!(
                parents.contains(&"http.request".to_string()),
                "{name} is not under http.request: {spans:?}"
            );
        }
    }
}
