//! `sqrtc run` through the real binary: the seed programs (planner.md §10 rows 1–2) under the
//! seed policy, the scripted world's answers, outputs and exit codes (cli.md).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value as Json, json};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/run")
}

fn seed_policy() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/sqrt/seed.sqrt")
}

fn temp(name: &str, contents: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sqrtc-cli-run-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, contents).unwrap();
    p
}

/// Runs `sqrtc run PROGRAM --policy seed.sqrt [extra...]`: exit code, stdout JSON (Null when
/// stdout is empty), stderr.
fn run(program: &Path, extra: &[&Path]) -> (i32, Json, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sqrtc"));
    cmd.arg("run")
        .arg(program)
        .arg("--policy")
        .arg(seed_policy());
    let flags = ["--tools", "--world"];
    for (flag, path) in flags.iter().zip(extra) {
        cmd.arg(flag).arg(path);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let json = if stdout.trim().is_empty() {
        Json::Null
    } else {
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
    };
    (out.status.code().unwrap(), json, stderr)
}

fn seed(program: &Path) -> (i32, Json, String) {
    run(
        program,
        &[
            &fixtures().join("seed_tools.json"),
            &fixtures().join("seed_world.json"),
        ],
    )
}

fn bottom() -> Json {
    json!({"tags": [], "producers": [], "consumers": ["*"]})
}

const SENSITIVE: [&str; 3] = ["__non_executable", "confidential", "internal_use"];

#[test]
fn seed_program_1_is_denied_at_send_email() {
    let (code, out, stderr) = seed(&fixtures().join("seed_program_1.py"));
    assert_eq!(code, 3, "{stderr}");
    assert_eq!(out["status"], "failure");
    assert_eq!(out["error"]["code"], "policy_denied");
    assert!(
        out["error"]["message"]
            .as_str()
            .unwrap()
            .contains("send_email denied")
    );
    assert_eq!(
        out["final_return_value"],
        json!({"value": null, "meta": bottom()})
    );
    let calls = out["tool_calls"].as_array().unwrap();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0]["tool"], "get_internal_document");
    assert_eq!(
        calls[0]["args"]["doc_id"],
        json!({"value": "DOC12345", "meta": bottom()})
    );
    assert_eq!(
        calls[0]["result"]["value"],
        json!("The document content is: ...")
    );
    assert_eq!(calls[0]["result"]["meta"]["tags"], json!(SENSITIVE));
    // The denied call is last, with its verdict and no result: it was never executed.
    let send = &calls[1];
    assert_eq!(send["tool"], "send_email");
    assert_eq!(send["verdict"]["verdict"], "deny");
    assert_eq!(send["verdict"]["final_verdict"], "hard_denied");
    assert_eq!(send["verdict"]["fired"][0]["rule"], "send_email#1");
    assert!(send.get("result").is_none());
    assert_eq!(send["args"]["body"]["meta"]["tags"], json!(SENSITIVE));
    assert_eq!(send["args"]["to"]["meta"], bottom());
    assert_eq!(send["args"]["to"]["value"], "research@gmail.com");
    assert_ne!(calls[0]["id"], send["id"]);
}

#[test]
fn seed_program_2_succeeds_for_the_trusted_recipient() {
    let (code, out, stderr) = seed(&fixtures().join("seed_program_2.py"));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(out["status"], "success");
    assert!(out.get("error").is_none());
    assert_eq!(
        out["final_return_value"],
        json!({"value": {"status": "success", "doc_id": "DOC12345",
                         "emailed_to": "user@trustedcorp.com",
                         "message": "Document retrieved and emailed successfully."},
               "meta": bottom()})
    );
    let calls = out["tool_calls"].as_array().unwrap();
    assert_eq!(calls.len(), 2);
    let body_tags = &calls[1]["args"]["body"]["meta"]["tags"];
    assert_eq!(body_tags, &json!(SENSITIVE));
    assert_eq!(calls[1]["verdict"]["verdict"], "allow");
    assert_eq!(calls[1]["result"]["value"], "Email sent");
    assert_eq!(out["printed"], "");
    assert_eq!(out["printed_meta"], bottom());
}

#[test]
fn seed_program_2_to_an_untrusted_recipient_is_denied_and_except_does_not_run() {
    let src = std::fs::read_to_string(fixtures().join("seed_program_2.py")).unwrap();
    let changed = src.replace(
        "user@trustedcorp.com\", subject",
        "research@gmail.com\", subject",
    );
    assert_ne!(src, changed);
    let (code, out, stderr) = seed(&temp("untrusted.py", &changed));
    assert_eq!(code, 3, "{stderr}");
    assert_eq!(out["error"]["code"], "policy_denied");
    // The `except` branch would have set an error dict: the denial is not catchable.
    assert_eq!(out["final_return_value"]["value"], Json::Null);
    let calls = out["tool_calls"].as_array().unwrap();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[1]["verdict"]["verdict"], "deny");
    assert!(calls[1].get("result").is_none());
}

#[test]
fn a_program_error_exits_4() {
    let p = temp(
        "zero.py",
        "d = get_internal_document(doc_id=\"1\")\nfinal_return_value = 1 / 0\n",
    );
    let (code, out, stderr) = seed(&p);
    assert_eq!(code, 4, "{stderr}");
    assert_eq!(out["status"], "failure");
    assert_eq!(out["error"]["code"], "program_error");
    assert_eq!(out["tool_calls"].as_array().unwrap().len(), 1);
}

#[test]
fn an_invalid_program_exits_1_before_any_tool_call() {
    // The call comes before the syntax error: nothing runs at all.
    let p = temp(
        "invalid.py",
        "d = get_internal_document(doc_id=\"1\")\nx = (\n",
    );
    let (code, out, stderr) = seed(&p);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(out["error"]["code"], "invalid_program");
    assert_eq!(out["tool_calls"], json!([]));
    assert!(stderr.contains("SyntaxError"), "{stderr}");
}

#[test]
fn a_policy_that_does_not_compile_exits_1_with_nothing_on_stdout() {
    let policy = temp("bad.sqrt", "tool \"x\" { deny when ; }");
    let out = Command::new(env!("CARGO_BIN_EXE_sqrtc"))
        .arg("run")
        .arg(fixtures().join("seed_program_1.py"))
        .arg("--policy")
        .arg(&policy)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
}

#[test]
fn missing_files_and_bad_worlds_are_usage_errors() {
    let (code, out, _) = seed(Path::new("/nonexistent/program.py"));
    assert_eq!((code, out), (2, Json::Null));
    let world = temp(
        "bad_world.json",
        r#"{"tools": {"send_email": {"answer": 1}}}"#,
    );
    let (code, out, stderr) = run(
        &fixtures().join("seed_program_1.py"),
        &[&fixtures().join("seed_tools.json"), &world],
    );
    assert_eq!((code, out), (2, Json::Null));
    assert!(stderr.contains("send_email"), "{stderr}");
}

#[test]
fn world_answers_errors_wrappers_parse_with_ai_and_an_exhausted_sequence() {
    let (code, out, stderr) = run(
        &fixtures().join("features.py"),
        &[
            &fixtures().join("seed_tools.json"),
            &fixtures().join("world_features.json"),
        ],
    );
    assert_eq!(code, 4, "{stderr}");
    // A sequence past its end stops the run with the host's own (unredacted) message.
    assert_eq!(
        out["error"],
        json!({"code": "program_error", "message": "no scripted answer for get_internal_document"})
    );
    assert_eq!(
        out["printed"],
        "caught: disk on fire\nnot enough information\n"
    );
    let calls = out["tool_calls"].as_array().unwrap();
    let tools: Vec<&str> = calls.iter().map(|c| c["tool"].as_str().unwrap()).collect();
    assert_eq!(
        tools,
        [
            "get_internal_document",
            "get_internal_document",
            "parse_with_ai",
            "parse_with_ai",
            "send_email",
            "get_internal_document"
        ]
    );
    assert_eq!(calls[0]["result"]["value"], "first");
    // `{"error": ...}`: the call was allowed, then raised; no result.
    assert_eq!(calls[1]["error"], "disk on fire");
    assert!(calls[1].get("result").is_none());
    // parse_with_ai: `have_enough_info` stripped, output tagged by the presets.
    assert_eq!(
        calls[2]["result"],
        json!({"value": {"recipient": "x@trustedcorp.com"},
               "meta": {"tags": ["__non_executable", "__tool/parse_with_ai"],
                        "producers": [], "consumers": ["*"]}})
    );
    assert!(calls[3].get("result").is_none());
    // The manual wrapper merges into the arguments' meta (the recipient came from parse_with_ai).
    assert_eq!(
        calls[4]["result"],
        json!({"value": "sent",
               "meta": {"tags": ["__non_executable", "__tool/parse_with_ai", "pii"],
                        "producers": ["mail"], "consumers": ["*"]}})
    );
    assert_eq!(out["final_return_value"]["value"], "sent");
    assert_eq!(
        out["final_return_value"]["meta"]["producers"],
        json!(["mail"])
    );
    assert_eq!(
        calls[5]["error"],
        "no scripted answer for get_internal_document"
    );
}

#[test]
fn without_tools_the_world_names_the_tools_and_keywords_bind() {
    let (code, out, stderr) = run(&fixtures().join("seed_program_2.py"), &[]);
    // No world and no tools: the tool names are undefined, so the program does not validate.
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(out["error"]["code"], "invalid_program");

    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sqrtc"));
    cmd.arg("run")
        .arg(fixtures().join("seed_program_2.py"))
        .arg("--policy")
        .arg(seed_policy())
        .arg("--world")
        .arg(fixtures().join("seed_world.json"));
    let o = cmd.output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    let out: Json = serde_json::from_slice(&o.stdout).unwrap();
    let body = &out["tool_calls"][1]["args"]["body"]["meta"]["tags"];
    assert_eq!(body, &json!(SENSITIVE));
}

#[test]
fn strict_mode_stops_a_branch_on_tool_output_with_exit_3() {
    let p = temp(
        "branch.py",
        "d = get_internal_document(doc_id=\"1\")\nif d:\n    final_return_value = 1\n",
    );
    let o = Command::new(env!("CARGO_BIN_EXE_sqrtc"))
        .arg("run")
        .arg(&p)
        .arg("--policy")
        .arg(seed_policy())
        .arg("--world")
        .arg(fixtures().join("seed_world.json"))
        .arg("--mode")
        .arg("strict")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3));
    let out: Json = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(out["error"]["code"], "control_flow_violation");
    assert_eq!(out["final_return_value"]["value"], Json::Null);
    // The same program in standard mode branches freely.
    let o = Command::new(env!("CARGO_BIN_EXE_sqrtc"))
        .arg("run")
        .arg(&p)
        .arg("--policy")
        .arg(seed_policy())
        .arg("--world")
        .arg(fixtures().join("seed_world.json"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn an_invalid_wrapper_fails_closed_and_uncaught_tool_errors_are_redacted() {
    let world = temp(
        "wrapper_world.json",
        r#"{"tools": {"get_internal_document": {"returns": {"error": "secret text"}},
                      "send_email": {"returns": {"is_sequrity_var": true, "value": "x"}}}}"#,
    );
    let caught = temp(
        "caught.py",
        "try:\n    send_email(to=\"a\", subject=\"s\", body=\"b\")\nexcept Exception:\n    final_return_value = \"failed\"\n",
    );
    let tools = fixtures().join("seed_tools.json");
    let (code, out, stderr) = run(&caught, &[&tools, &world]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(out["final_return_value"]["value"], "failed");
    let entry = &out["tool_calls"][0];
    assert!(entry.get("result").is_none());
    assert!(
        entry["error"]
            .as_str()
            .unwrap()
            .starts_with("invalid meta wrapper"),
        "{entry}"
    );
    // Uncaught, a tool error's text is what the planner would see: withheld.
    let uncaught = temp("uncaught.py", "get_internal_document(doc_id=\"1\")\n");
    let (code, out, stderr) = run(&uncaught, &[&tools, &world]);
    assert_eq!(code, 4, "{stderr}");
    assert_eq!(out["error"]["code"], "program_error");
    let message = out["error"]["message"].as_str().unwrap();
    assert!(!message.contains("secret text"), "{message}");
    assert!(message.starts_with("<redacted"), "{message}");
    assert_eq!(out["tool_calls"][0]["error"], "secret text");
}

#[test]
fn the_host_caps_tool_calls_per_run() {
    let p = temp(
        "cap.py",
        "for i in range(10001):\n    get_internal_document(doc_id=\"x\")\n",
    );
    let (code, out, stderr) = seed(&p);
    assert_eq!(code, 4, "{stderr}");
    assert_eq!(
        out["error"],
        json!({"code": "limit_exceeded", "message": "tool call limit reached (10000 calls per run)"})
    );
    assert_eq!(out["tool_calls"].as_array().unwrap().len(), 10_000);
}

#[test]
fn a_tool_missing_from_the_world_stops_the_program() {
    let world = temp(
        "no_send.json",
        r#"{"tools": {"get_internal_document": {"returns": "doc"}}}"#,
    );
    let (code, out, stderr) = run(
        &fixtures().join("seed_program_2.py"),
        &[&fixtures().join("seed_tools.json"), &world],
    );
    assert_eq!(code, 4, "{stderr}");
    assert_eq!(out["error"]["message"], "no scripted answer for send_email");
    // Uncatchable: the program's `except Exception` did not run.
    assert_eq!(out["final_return_value"]["value"], Json::Null);
    let calls = out["tool_calls"].as_array().unwrap();
    assert_eq!(calls[1]["verdict"]["verdict"], "allow");
    assert_eq!(calls[1]["error"], "no scripted answer for send_email");
}
