//! `sqrtc demo`: the seed tutorial's two cases, offline, through the real dual-LLM relay.
//!
//! The relay runs in-process on loopback with the mock provider (also in-process) as its planner
//! and parser, scripted with the programs the tutorial's planner generated. The demo is the
//! tutorial's REST client: it sends the query over HTTP, runs the tool calls the relay hands it,
//! sends the results back by `tool_call_id`, and prints each call with the verdict and rule the
//! policy engine reported, and the generated program.

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::process::ExitCode;

use serde_json::{Value as Json, json};

use crate::relay::{Config, MockServer, Relay, RunningRelay, Script};

/// The seed tutorial's policy, verbatim.
pub const SEED_POLICY: &str = r#"// Define sensitive document tags
let sensitive_docs = {"internal_use", "confidential"};
// Add tags to tool results of get_internal_document
tool "get_internal_document" -> @tags |= sensitive_docs;
// Hard deny sending emails if body contains sensitive tags
// and recipient does not match trusted pattern
tool "send_email" {
    hard deny when (body.tags overlaps sensitive_docs) and
    (not to.value in {str matching r".*@trustedcorp\.com"});
}
"#;

/// The programs the tutorial's planner generated for its two cases, verbatim.
const PROGRAM_1: &str = include_str!("../../../tests/run/seed_program_1.py");
const PROGRAM_2: &str = include_str!("../../../tests/run/seed_program_2.py");

const DOCUMENT: &str = "The document content is: 'Sequrity is a secure AI...'";
const ROUTE: &str = "/control/chat/v1/chat/completions";

pub fn run() -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("sqrtc demo: cannot start the async runtime: {e}");
            return ExitCode::from(super::exit::USAGE);
        }
    };
    let paint = Paint {
        on: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    match runtime.block_on(demo(&paint)) {
        Ok(out) => {
            let _ = std::io::stdout().write_all(out.as_bytes());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("sqrtc demo: {e}");
            ExitCode::from(super::exit::USAGE)
        }
    }
}

/// The mock planner's script: each seed query gets the tutorial's program.
fn script() -> Result<Script, String> {
    let fenced = |p: &str| format!("```python\n{p}```\n");
    let script = json!({"entries": [
        {"model": "demo-planner", "user_contains": "research@gmail.com", "content": fenced(PROGRAM_1)},
        {"model": "demo-planner", "user_contains": "user@trustedcorp.com", "content": fenced(PROGRAM_2)},
    ]});
    Script::parse(&script.to_string())
}

/// Starts the mock provider and the relay on loopback.
async fn start() -> Result<(MockServer, RunningRelay), String> {
    let mock = MockServer::start(script()?)
        .await
        .map_err(|e| format!("cannot start the mock provider: {e}"))?;
    let config = Config::from_toml(&format!(
        "listen = \"127.0.0.1:0\"\ndefault_provider = \"mock\"\n\n[providers.mock]\nbase_url = \"{}\"\n\n[log]\ndecision_log = \"off\"\n",
        mock.base_url()
    ))
    .map_err(|e| format!("demo configuration: {e}"))?;
    let relay = Relay::builder(config)
        .env(|_| None)
        .build()
        .map_err(|e| format!("cannot build the relay: {e}"))?
        .start(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .map_err(|e| format!("cannot start the relay: {e}"))?;
    Ok((mock, relay))
}

async fn demo(paint: &Paint) -> Result<String, String> {
    let (mock, relay) = start().await?;
    let mut out = String::new();
    out += &paint.bold("SQRT demo: the seed tutorial through the dual-LLM relay\n\n");
    out += &paint.dim(&format!(
        "relay on {} (OpenAI-compatible), planner: mock provider on {} (offline, no keys)\n",
        relay.url(""),
        mock.base_url()
    ));
    out += &paint.dim("policy (X-Policy):\n");
    for line in SEED_POLICY.lines() {
        out += &format!("    {line}\n");
    }
    for (title, to) in [
        (
            "Case 1: blocking emails to untrusted domains",
            "research@gmail.com",
        ),
        (
            "Case 2: allowing emails to trusted domains",
            "user@trustedcorp.com",
        ),
    ] {
        out += &format!("\n{}\n", paint.bold(title));
        out += &run_case(paint, &relay, to).await?;
    }
    out += &paint.dim(
        "\n(every request above went over HTTP to the relay; the planner's programs ran in the VM \
         with the policy checked before each tool call)\n",
    );
    Ok(out)
}

/// The tutorial's REST flow for one recipient: no X-Session-ID, continued by `tool_call_id`.
async fn run_case(paint: &Paint, relay: &RunningRelay, to: &str) -> Result<String, String> {
    let client = reqwest::Client::new();
    let query = format!("Retrieve the internal document with ID 'DOC12345' and email it to {to}");
    let mut messages = vec![json!({"role": "user", "content": query})];
    let mut out = format!("  {} {query}\n", paint.dim("user  "));
    for _ in 0..8 {
        let body = json!({"model": "demo-planner,demo-planner", "messages": messages,
            "tools": seed_tools()});
        let response = client
            .post(relay.url(ROUTE))
            .header("X-Api-Key", "demo")
            .header("X-Features", r#"{"agent_arch": "dual-llm"}"#)
            .header("X-Policy", json!({"codes": SEED_POLICY}).to_string())
            .header(
                "X-Config",
                r#"{"response_format": {"include_program": true, "include_policy_check_history": true}}"#,
            )
            .json(&body)
            .send()
            .await
            .map_err(|e| format!("request to the relay failed: {e}"))?;
        let status = response.status();
        let answer: Json = response
            .json()
            .await
            .map_err(|e| format!("the relay's answer is not JSON: {e}"))?;
        if !status.is_success() {
            return Err(format!("the relay answered {status}: {answer}"));
        }
        let message = answer["choices"][0]["message"].clone();
        let Some(call) = message["tool_calls"].get(0).cloned() else {
            let text = message["content"].as_str().unwrap_or("");
            let content: Json = serde_json::from_str(text)
                .map_err(|e| format!("the final content is not JSON: {e}"))?;
            out += &render_final(paint, &content);
            return Ok(out);
        };
        let name = call["function"]["name"].as_str().unwrap_or("");
        let args = call["function"]["arguments"].as_str().unwrap_or("");
        out += &format!(
            "  {} tool call {} {}\n",
            paint.dim("relay "),
            paint.bold(name),
            short_text(args)
        );
        let result = match name {
            "get_internal_document" => DOCUMENT,
            _ => "Email sent",
        };
        out += &format!("  {} {result}\n", paint.dim("client"));
        messages.push(message);
        messages.push(json!({"role": "tool", "tool_call_id": call["id"], "content": result}));
    }
    Err("the relay kept asking for tool calls".into())
}

/// The final answer: every policy check with its verdict and rule, the outcome, the program.
fn render_final(paint: &Paint, content: &Json) -> String {
    let mut out = format!("  {}\n", paint.dim("policy checks:"));
    for call in content["policy_check_history"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let args: Vec<String> = call["args"]
            .as_object()
            .into_iter()
            .flatten()
            .map(
                |(name, v)| match v["meta"]["tags"].as_array().filter(|t| !t.is_empty()) {
                    Some(tags) => {
                        let tags = paint.dim(&format!("tags={}", json!(tags)));
                        format!("{name}={} {tags}", short(&v["value"]))
                    }
                    None => format!("{name}={}", short(&v["value"])),
                },
            )
            .collect();
        out += &format!(
            "    {} {}({})\n",
            paint.dim("call"),
            paint.bold(call["tool"].as_str().unwrap_or("?")),
            args.join(", ")
        );
        let verdict = &call["verdict"];
        let rules: Vec<&str> = verdict["fired"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f["rule"].as_str())
            .collect();
        let line = format!(
            "{} by {}",
            verdict["final_verdict"].as_str().unwrap_or("?"),
            rules.join(", ")
        );
        let shown = if call["allowed"] == true {
            paint.green(&line)
        } else {
            paint.red(&line)
        };
        out += &format!("      {} {shown}\n", paint.dim("verdict"));
    }
    if content["status"] == "success" {
        out += &format!(
            "  {} {}\n",
            paint.green("success:"),
            short(&content["final_return_value"]["value"])
        );
    } else {
        let message = content["error"]["message"].as_str().unwrap_or("");
        // The denial text's first sentence; the rest is the report shown above.
        let first = message.split_once(". ").map_or(message, |(s, _)| s);
        out += &format!(
            "  {} {}: {}\n",
            paint.red("failure:"),
            content["error"]["code"].as_str().unwrap_or("?"),
            first.trim_end_matches('.')
        );
    }
    out += &paint.dim("  generated program:\n");
    for (i, line) in content["program"]
        .as_str()
        .unwrap_or("")
        .lines()
        .enumerate()
    {
        out += &paint.dim(format!("  {:>4} {line}", i + 1).trim_end());
        out.push('\n');
    }
    out
}

/// The tutorial's two tools (OpenAI `tools` format).
fn seed_tools() -> Json {
    json!([
        {"type": "function", "function": {"name": "get_internal_document",
            "description": "Retrieve an internal document by its ID.",
            "parameters": {"type": "object", "properties": {"doc_id": {"type": "string",
                "description": "The document ID"}}, "required": ["doc_id"]}}},
        {"type": "function", "function": {"name": "send_email",
            "description": "Send an email.",
            "parameters": {"type": "object", "properties": {
                "to": {"type": "string", "description": "Recipient address"},
                "subject": {"type": "string"}, "body": {"type": "string"}},
                "required": ["to", "subject", "body"]}}}
    ])
}

/// A value's JSON, cut to a readable length.
fn short(v: &Json) -> String {
    short_text(&v.to_string())
}

fn short_text(s: &str) -> String {
    match s.char_indices().nth(72) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// ANSI styling, only when writing to a terminal.
struct Paint {
    on: bool,
}

impl Paint {
    fn style(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_owned()
        }
    }
    fn bold(&self, s: &str) -> String {
        self.style("1", s)
    }
    fn dim(&self, s: &str) -> String {
        self.style("2", s)
    }
    fn red(&self, s: &str) -> String {
        self.style("31", s)
    }
    fn green(&self, s: &str) -> String {
        self.style("32", s)
    }
}
