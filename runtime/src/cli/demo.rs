//! `sqrtc demo`: the seed tutorial's two cases, offline.
//!
//! Until the dual-LLM relay is wired to the VM, the demo drives the policy engine the way the
//! relay will: it checks each tool call of the tutorial's program, labels each result through the
//! result lifecycle, and carries the document's tags into the email body (as the VM's f-string
//! propagation does), so the verdicts shown are the engine's real ones.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use serde_json::json;
use sqrt_compiler::policy::{Policy, Session, Verdict};
use sqrt_std::prelude::Presets;
use sqrt_std::value::{MetaValue, Value};

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

const DOCUMENT: &str = "The document content is: 'Sequrity is a secure AI...'";

/// One tool call of the demo and what the engine decided.
pub struct Step {
    pub tool: &'static str,
    pub args: serde_json::Value,
    pub verdict: Verdict,
    /// The labelled result, for allowed calls.
    pub result: Option<serde_json::Value>,
}

/// Runs the tutorial's program for one recipient: fetch the document, then email it.
pub fn run_case(policy: &Policy, recipient: &str) -> Result<Vec<Step>, String> {
    let mut session = policy.new_session();
    let mut steps = Vec::new();

    let args = session.args_from_json(&json!({"doc_id": "DOC12345"}))?;
    let (verdict, document) = call(
        policy,
        &mut session,
        "get_internal_document",
        &args,
        DOCUMENT,
    )?;
    steps.push(step(
        &session,
        "get_internal_document",
        &args,
        verdict,
        &document,
    ));
    let Some(document) = document else {
        return Ok(steps);
    };

    // `email_body = f"...{document_content}"`: the body carries the document's meta.
    let body = MetaValue::new(
        Value::Str(format!(
            "Attached is the content of internal document DOC12345:\n\n{DOCUMENT}"
        )),
        document.meta.clone(),
    );
    let mut args = session.args_from_json(&json!({
        "to": recipient,
        "subject": "Internal Document DOC12345",
    }))?;
    args.push(("body".to_owned(), body));
    let (verdict, sent) = call(policy, &mut session, "send_email", &args, "Email sent")?;
    steps.push(step(&session, "send_email", &args, verdict, &sent));
    Ok(steps)
}

/// Checks a call and, when it is allowed, runs the result lifecycle on the tool's output.
fn call(
    policy: &Policy,
    session: &mut Session,
    tool: &str,
    args: &[(String, MetaValue)],
    output: &str,
) -> Result<(Verdict, Option<MetaValue>), String> {
    let verdict = policy.check(tool, args, session);
    if !verdict.is_allowed() {
        return Ok((verdict, None));
    }
    let result = policy.apply_result(tool, args, &Value::Str(output.into()), session)?;
    Ok((verdict, Some(result)))
}

fn step(
    session: &Session,
    tool: &'static str,
    args: &[(String, MetaValue)],
    verdict: Verdict,
    result: &Option<MetaValue>,
) -> Step {
    let args = args
        .iter()
        .map(|(name, v)| (name.clone(), v.to_json(&session.labels)))
        .collect::<serde_json::Map<_, _>>();
    Step {
        tool,
        args: serde_json::Value::Object(args),
        verdict,
        result: result.as_ref().map(|r| r.to_json(&session.labels)),
    }
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
    for (title, recipient) in [
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
        let steps = match run_case(&policy, recipient) {
            Ok(steps) => steps,
            Err(e) => {
                eprintln!("sqrtc demo: {e}");
                return ExitCode::from(super::exit::USAGE);
            }
        };
        for s in &steps {
            out += &render_step(&paint, s);
        }
    }
    out += &paint.dim(
        "\n(the planner LLM, the VM and the relay join this demo when the dual-LLM relay lands; \
         see docs/README.md)\n",
    );
    let _ = std::io::stdout().write_all(out.as_bytes());
    ExitCode::SUCCESS
}

fn render_step(paint: &Paint, s: &Step) -> String {
    let mut out = format!("  {} {}(", paint.dim("call"), paint.bold(s.tool));
    let args: Vec<String> = s
        .args
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, v)| {
            let tags = v["meta"]["tags"].as_array().filter(|t| !t.is_empty());
            match tags {
                Some(tags) => format!(
                    "{name}={} {}",
                    v["value"],
                    paint.dim(&format!("tags={}", json!(tags)))
                ),
                None => format!("{name}={}", v["value"]),
            }
        })
        .collect();
    out += &args.join(", ");
    out += ")\n";
    let report = s.verdict.to_json();
    let verdict = report["final_verdict"].as_str().unwrap_or("?").to_owned();
    let rules: Vec<&str> = report["fired"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    let line = format!("{verdict} by {}", rules.join(", "));
    out += &format!(
        "    {} {}\n",
        paint.dim("verdict"),
        if s.verdict.is_allowed() {
            paint.green(&line)
        } else {
            paint.red(&line)
        }
    );
    if let Some(result) = &s.result {
        out += &format!(
            "    {} tags={}\n",
            paint.dim("result "),
            result["meta"]["tags"]
        );
    }
    out
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
