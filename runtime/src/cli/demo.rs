//! `sqrtc demo`: the seed tutorial's two cases, offline.
//!
//! Each case runs the program the tutorial's planner generated, unchanged, in the planner VM, with
//! the seed policy checked before every tool call by the host loop (`crate::host`) and scripted
//! tool answers. The verdicts, labels and rules shown are the engine's real ones. What is not
//! here yet is the relay and a (mock) planner LLM producing the program over HTTP.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use serde_json::{Value as Json, json};
use sqrt_compiler::policy::Policy;
use sqrt_std::prelude::Presets;
use sqrt_vm::{RunConfig, Status, ToolStub};

use crate::host::{Answer, HostRun, World, run_program};

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

/// The tutorial's client: it fetches the document and sends the email when asked to.
struct TutorialTools;

impl World for TutorialTools {
    fn answer(&mut self, tool: &str, _args: &[(String, Json)]) -> Answer {
        match tool {
            "get_internal_document" => Answer::Output(json!(DOCUMENT)),
            "send_email" => Answer::Output(json!("Email sent")),
            other => Answer::Missing(format!("no scripted answer for {other}")),
        }
    }
}

/// Runs one of the tutorial's programs under the seed policy.
pub fn run_case(policy: &Policy, program: &str) -> HostRun {
    let text = json!({"type": "string"});
    let tools = vec![
        ToolStub::new("get_internal_document", &[("doc_id", true, text.clone())]),
        ToolStub::new(
            "send_email",
            &[
                ("to", true, text.clone()),
                ("subject", true, text.clone()),
                ("body", true, text),
            ],
        ),
    ];
    run_program(
        program,
        RunConfig {
            tools,
            ..RunConfig::default()
        },
        policy,
        &mut TutorialTools,
    )
}

pub fn run() -> ExitCode {
    let policy = match Policy::compile(SEED_POLICY, &Presets::default()) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("sqrtc demo: the seed policy does not compile: {e}");
            return ExitCode::from(super::exit::INPUT_ERRORS);
        }
    };
    let paint = Paint {
        on: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let mut out = String::new();
    out += &paint.bold("SQRT demo: the seed tutorial, checked by the policy engine\n\n");
    out += &paint.dim("policy:\n");
    for line in SEED_POLICY.lines() {
        out += &format!("    {line}\n");
    }
    for (title, program) in [
        ("Case 1: blocking emails to untrusted domains", PROGRAM_1),
        ("Case 2: allowing emails to trusted domains", PROGRAM_2),
    ] {
        out += &format!("\n{}\n", paint.bold(title));
        out += &render_run(&paint, &run_case(&policy, program));
        out += &paint.dim("  generated program:\n");
        for (i, line) in program.lines().enumerate() {
            out += &paint.dim(&format!("  {:>4} {line}\n", i + 1));
        }
    }
    out += &paint.dim(
        "\n(programs run in the planner VM, policies checked before every tool call; the relay and \
         the planner LLM join this demo when the dual-LLM relay lands)\n",
    );
    let _ = std::io::stdout().write_all(out.as_bytes());
    ExitCode::SUCCESS
}

fn render_run(paint: &Paint, run: &HostRun) -> String {
    let mut out = String::new();
    for call in &run.calls {
        let args: Vec<String> = call
            .args
            .iter()
            .map(|(name, v)| {
                let v = v.to_json(&run.labels);
                match v["meta"]["tags"].as_array().filter(|t| !t.is_empty()) {
                    Some(tags) => {
                        let tags = paint.dim(&format!("tags={}", json!(tags)));
                        format!("{name}={} {tags}", short(&v["value"]))
                    }
                    None => format!("{name}={}", short(&v["value"])),
                }
            })
            .collect();
        out += &format!(
            "  {} {}({})\n",
            paint.dim("call"),
            paint.bold(&call.tool),
            args.join(", ")
        );
        let verdict = call.verdict["final_verdict"].as_str().unwrap_or("?");
        let rules: Vec<&str> = call.verdict["fired"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f["rule"].as_str())
            .collect();
        let line = format!("{verdict} by {}", rules.join(", "));
        let allowed = call.verdict["verdict"] == "allow";
        out += &format!(
            "    {} {}\n",
            paint.dim("verdict"),
            if allowed {
                paint.green(&line)
            } else {
                paint.red(&line)
            }
        );
        if let Some(result) = &call.result {
            let result = result.to_json(&run.labels);
            out += &format!(
                "    {} tags={}\n",
                paint.dim("result "),
                result["meta"]["tags"]
            );
        }
    }
    let outcome = &run.outcome;
    match (&outcome.status, &outcome.error) {
        (Status::Success, _) => {
            out += &format!(
                "  {} {}\n",
                paint.green("success:"),
                short(&outcome.final_return_value)
            );
        }
        (Status::Failure, Some(e)) => {
            out += &format!(
                "  {} {}: {}\n",
                paint.red("failure:"),
                e.code.as_str(),
                e.message
            );
        }
        (Status::Failure, None) => out += &format!("  {}\n", paint.red("failure")),
    }
    out
}

/// A value's JSON, cut to a readable length.
fn short(v: &Json) -> String {
    let s = v.to_string();
    match s.char_indices().nth(72) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s,
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
