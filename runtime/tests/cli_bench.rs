//! `sqrtc bench` through the real binary: output shape per format and engine, the engine that
//! actually ran, and the exit codes of bad input (cli.md). No timing is asserted beyond "a
//! positive number came out".

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value as Json;

fn seed_policy() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/sqrt/seed.sqrt")
}

fn temp(name: &str, contents: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sqrtc-cli-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, contents).unwrap();
    p
}

/// The tutorial's two `send_email` calls: denied, then allowed.
const CALLS: &str = r#"{"tool": "send_email", "args": {"to": "research@gmail.com", "subject": "Doc", "body": {"value": "...", "meta": {"tags": ["__non_executable", "confidential", "internal_use"]}}}}
{"tool": "send_email", "args": {"to": "user@trustedcorp.com", "subject": "Doc", "body": {"value": "...", "meta": {"tags": ["__non_executable", "confidential", "internal_use"]}}}}
"#;

/// Runs `sqrtc bench POLICY CALLS --seconds 0.05 extra...`: exit code, stdout, stderr.
fn bench(policy: &Path, calls: &Path, extra: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sqrtc"))
        .arg("bench")
        .arg(policy)
        .arg(calls)
        .args(["--seconds", "0.05"])
        .args(extra)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn json_engines(stdout: &str) -> Vec<Json> {
    let doc: Json = serde_json::from_str(stdout).expect("stdout is one JSON document");
    assert_eq!(doc.as_object().unwrap().len(), 1, "{doc}");
    doc["engines"].as_array().unwrap().clone()
}

/// Checks one engine entry's shape and returns the engine that ran.
fn check_entry(e: &Json, requested: &str) -> String {
    let median = e["median_ns"].as_f64().unwrap();
    let per_s = e["checks_per_s"].as_f64().unwrap();
    assert!(median > 0.0 && per_s > 0.0, "{e}");
    // checks_per_s is 1e9 / median_ns, rounded to a whole check.
    assert!(
        (per_s - 1e9 / median).abs() <= 1.0 + 1e9 / median * 1e-3,
        "{e}"
    );
    assert_eq!(e["requested"], requested);
    assert_eq!(e["calls"], 2);
    assert_eq!(e["allowed"], 1, "one of the two seed calls is allowed: {e}");
    assert!(e["samples"].as_u64().unwrap() >= 1);
    let ran = e["engine"].as_str().unwrap().to_owned();
    assert!(ran == "jit" || ran == "interp", "{e}");
    // The fallback reason is there exactly when another engine ran than was asked for.
    assert_eq!(e["fallback"].is_null(), ran == requested, "{e}");
    ran
}

#[test]
fn json_format_reports_each_requested_engine() {
    let calls = temp("calls.jsonl", CALLS);
    let (code, stdout, stderr) = bench(
        &seed_policy(),
        &calls,
        &["--format", "json", "--engine", "both"],
    );
    assert_eq!(code, 0, "{stderr}");
    let engines = json_engines(&stdout);
    assert_eq!(engines.len(), 2);
    check_entry(&engines[0], "jit");
    assert_eq!(check_entry(&engines[1], "interp"), "interp");

    for (flag, requested) in [("jit", "jit"), ("interp", "interp")] {
        let (code, stdout, stderr) = bench(
            &seed_policy(),
            &calls,
            &["--format", "json", "--engine", flag],
        );
        assert_eq!(code, 0, "{stderr}");
        let engines = json_engines(&stdout);
        assert_eq!(engines.len(), 1);
        let ran = check_entry(&engines[0], requested);
        if ran != requested {
            assert!(stderr.contains("jit requested, interp runs"), "{stderr}");
        }
    }
}

#[test]
fn human_format_prints_one_line_per_engine() {
    let calls = temp("calls-human.jsonl", CALLS);
    let (code, stdout, stderr) = bench(&seed_policy(), &calls, &["--engine", "both"]);
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert!(lines[1].starts_with("interp "), "{stdout}");
    for line in lines {
        assert!(line.contains(" ns/check "), "{line}");
        assert!(line.contains(" checks/s "), "{line}");
        assert!(line.contains("2 calls (1 allowed)"), "{line}");
    }
}

#[test]
fn a_single_call_object_and_bytecode_policies_work() {
    let one = temp("one.json", CALLS.lines().next().unwrap());
    let sqrtb = temp("seed.sqrtb", "");
    let out = Command::new(env!("CARGO_BIN_EXE_sqrtc"))
        .arg("compile")
        .arg(seed_policy())
        .arg("-o")
        .arg(&sqrtb)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let (code, stdout, stderr) = bench(&sqrtb, &one, &["--format", "json", "--engine", "interp"]);
    assert_eq!(code, 0, "{stderr}");
    let engines = json_engines(&stdout);
    assert_eq!(engines[0]["calls"], 1);
    assert_eq!(engines[0]["allowed"], 0, "the gmail call is denied");
}

#[test]
fn bad_input_exits_like_eval() {
    let calls = temp("calls-ok.jsonl", CALLS);
    // A policy that does not compile: 1, with the diagnostic on stderr.
    let broken = temp("broken.sqrt", "tool \"send_email\" { hard deny when ; }\n");
    let (code, stdout, stderr) = bench(&broken, &calls, &[]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("error["), "{stderr}");
    // Bytecode with the right magic and a corrupt body: 1, never a crash.
    let corrupt = temp("corrupt.sqrtb", "SQRTB\u{0}\r\ngarbage");
    let (code, _, stderr) = bench(&corrupt, &calls, &[]);
    assert_eq!(code, 1, "{stderr}");
    // Missing files: 2.
    let (code, _, stderr) = bench(Path::new("/nonexistent/p.sqrt"), &calls, &[]);
    assert_eq!(code, 2, "{stderr}");
    let (code, _, stderr) = bench(&seed_policy(), Path::new("/nonexistent/calls.jsonl"), &[]);
    assert_eq!(code, 2, "{stderr}");
    // Not JSON, a malformed call, no calls at all: 2, naming the problem.
    let (code, _, stderr) = bench(&seed_policy(), &temp("bad.jsonl", "{\"tool\": \n"), &[]);
    assert_eq!(code, 2, "{stderr}");
    let (code, _, stderr) = bench(
        &seed_policy(),
        &temp("no-tool.jsonl", "{\"args\": {}}\n"),
        &[],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("call 1") && stderr.contains("tool"),
        "{stderr}"
    );
    let (code, _, stderr) = bench(&seed_policy(), &temp("empty.jsonl", "\n\n"), &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("no calls"), "{stderr}");
    // Usage errors: 2.
    for extra in [
        &["--seconds", "0"][..],
        &["--seconds", "abc"],
        &["--engine", "fast"],
        &["--format", "xml"],
    ] {
        let (code, stdout, stderr) = bench(&seed_policy(), &calls, extra);
        assert_eq!(code, 2, "{extra:?}: {stderr}");
        assert!(stdout.is_empty(), "{extra:?}");
    }
}

#[test]
fn the_documented_example_runs() {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/cli-bench.md"))
            .unwrap();
    let block = doc
        .split("```jsonl\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("docs/cli-bench.md has a jsonl block");
    assert_eq!(block, CALLS, "the doc shows the calls this file tests");
    let calls = temp("doc.jsonl", block);
    let (code, stdout, stderr) = bench(
        &seed_policy(),
        &calls,
        &["--format", "json", "--engine", "both"],
    );
    assert_eq!(code, 0, "{stderr}");
    let engines = json_engines(&stdout);
    assert_eq!(engines.len(), 2);
    assert!(
        engines[0]["checks_per_s"].is_u64(),
        "a whole number: {}",
        engines[0]
    );
}
