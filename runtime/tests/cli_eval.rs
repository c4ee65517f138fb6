//! `sqrtc compile`, `disasm`, `eval` and `test` through the real binary: outputs and exit codes.

use std::path::{Path, PathBuf};
use std::process::Command;

fn sqrtc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sqrtc"))
}

fn suites() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/sqrt")
}

fn temp(name: &str, contents: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sqrtc-cli-eval-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, contents).unwrap();
    p
}

const CALLS: &str = r#"{"tool": "get_internal_document", "args": {"doc_id": "DOC12345"}, "result": {"value": "The document content is: ..."}}
{"tool": "send_email", "args": {"to": "research@gmail.com", "subject": "Doc", "body": {"value": "...", "meta": {"tags": ["__non_executable", "confidential", "internal_use"]}}}}
"#;

#[test]
fn eval_answers_one_line_per_call_from_source_and_bytecode() {
    let calls = temp("calls.jsonl", CALLS.as_bytes());
    let sqrtb = temp("seed.sqrtb", b"");
    let out = sqrtc()
        .arg("compile")
        .arg(suites().join("seed.sqrt"))
        .arg("-o")
        .arg(&sqrtb)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for policy in [suites().join("seed.sqrt"), sqrtb.clone()] {
        let out = sqrtc()
            .arg("eval")
            .arg("--policy")
            .arg(&policy)
            .arg(&calls)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["verdict"], "allow");
        assert_eq!(
            lines[0]["result_meta"]["tags"],
            serde_json::json!(["__non_executable", "confidential", "internal_use"])
        );
        assert_eq!(lines[1]["final_verdict"], "hard_denied");
        // The default engine is the JIT, and it compiles the seed policy (no fallback).
        assert_eq!(lines[1]["engine"], "jit");
    }
    let out = sqrtc().arg("disasm").arg(&sqrtb).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("rule send_email#1 hard deny when p3  ; 4:5-5:60")
    );
}

#[test]
fn bad_inputs_have_their_exit_codes() {
    let calls = temp("one.json", br#"{"tool": "x", "args": {}}"#);
    let corrupt = temp("corrupt.sqrtb", b"SQRTB\0\r\n\x01\0\0\0garbage");
    let out = sqrtc()
        .arg("eval")
        .arg("--policy")
        .arg(&corrupt)
        .arg(&calls)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "corrupt bytecode is an input error"
    );
    let broken = temp("broken.sqrt", b"tool \"t\" { broken }");
    let out = sqrtc()
        .arg("eval")
        .arg("--policy")
        .arg(&broken)
        .arg(&calls)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("E0101"));
    let bad_call = temp("bad.json", br#"{"tool": "x", "argz": {}}"#);
    let out = sqrtc()
        .arg("eval")
        .arg("--policy")
        .arg(suites().join("seed.sqrt"))
        .arg(&bad_call)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let bad_presets = temp("presets.json", br#"{"default_alow": true}"#);
    let out = sqrtc()
        .args(["eval", "--presets"])
        .arg(&bad_presets)
        .arg("--policy")
        .arg(suites().join("seed.sqrt"))
        .arg(&calls)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn test_runs_the_repository_suites_and_fails_on_a_wrong_expectation() {
    let out = sqrtc().arg("test").arg(suites()).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.trim_end().ends_with(" passed, 0 failed"), "{stdout}");
    let policy = temp("p.sqrt", br#"tool "t" { hard deny always; }"#);
    let suite = temp(
        "wrong.sqrt-test.json",
        br#"{"policy": "p.sqrt", "cases": [{"name": "wrong", "call": {"tool": "t", "args": {}}, "expect": {"verdict": "allow"}}]}"#,
    );
    assert!(policy.exists());
    let out = sqrtc().arg("test").arg(&suite).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(5), "{stdout}");
    assert!(
        stdout.contains("FAIL") && stdout.contains("0 passed, 1 failed"),
        "{stdout}"
    );
}
