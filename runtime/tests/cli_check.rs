//! `sqrtc check` end to end: exit codes, the human header line and the JSON document of cli.md.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn sqrtc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sqrtc"))
        .args(args)
        .output()
        .unwrap()
}

fn corpus(rel: &str) -> String {
    let p: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/corpus")
        .join(rel);
    p.to_str().unwrap().to_owned()
}

#[test]
fn clean_files_exit_zero_and_print_nothing() {
    let out = sqrtc(&[
        "check",
        &corpus("valid/seed.sqrt"),
        &corpus("valid/constructs.sqrt"),
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stdout.is_empty() && out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn errors_exit_one_with_a_header_line_on_stderr() {
    let file = corpus("invalid/E0201_unknown_name.sqrt");
    let out = sqrtc(&["check", &file]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stderr.lines().next().unwrap(),
        format!("{file}:3:20: error[E0201]: unknown name `condition`")
    );
    assert!(stderr.contains("must deny when condition;"));
}

#[test]
fn warnings_alone_exit_zero_and_json_goes_to_stdout() {
    let file = corpus("invalid/W0005_unused_let.sqrt");
    let out = sqrtc(&["check", "--format", "json", &file]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stderr.is_empty());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        doc,
        serde_json::json!({"diagnostics": [{"severity": "warning", "code": "W0005",
            "message": "let `unused` is never used", "file": file,
            "line": 2, "column": 5, "end_line": 2, "end_column": 10}]})
    );
}

#[test]
fn tools_enable_schema_checks() {
    let tools = corpus("tools.json");
    let file = corpus("invalid/E0211_not_in_schema.sqrt");
    let out = sqrtc(&["check", "--format", "json", "--tools", &tools, &file]);
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["diagnostics"][0]["code"], "E0211");
    // Without the tools file there is nothing to check the argument against.
    let out = sqrtc(&["check", &file]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn usage_and_io_errors_exit_two() {
    assert_eq!(sqrtc(&["check"]).status.code(), Some(2));
    // A missing file is reported, the others are still checked, and the exit code is 2.
    let out = sqrtc(&[
        "check",
        "--format",
        "json",
        "/nonexistent/policy.sqrt",
        &corpus("invalid/W0005_unused_let.sqrt"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/policy.sqrt"));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["diagnostics"][0]["code"], "W0005");
    let seed = corpus("valid/seed.sqrt");
    let out = sqrtc(&["check", "--tools", &corpus("valid/seed.sqrt"), &seed]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid tools array"));
}

#[test]
fn invalid_utf8_is_a_located_e0001() {
    let path = std::env::temp_dir().join(format!("sqrtc-check-utf8-{}.sqrt", std::process::id()));
    std::fs::write(&path, b"let a = {\"\xff\"};\n").unwrap();
    let out = sqrtc(&["check", "--format", "json", path.to_str().unwrap()]);
    std::fs::remove_file(&path).unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &doc["diagnostics"][0];
    assert_eq!(
        (d["code"].as_str(), d["line"].as_u64(), d["column"].as_u64()),
        (Some("E0001"), Some(1), Some(11))
    );
}
