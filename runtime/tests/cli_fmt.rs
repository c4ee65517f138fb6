//! `sqrtc fmt` per cli.md: stdout, `--check`, `--write`, and the exit codes 0/1/2.

use std::path::PathBuf;
use std::process::Command;

fn sqrtc(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sqrtc"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn temp(name: &str, text: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sqrtc-fmt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

const MESSY: &str = "tool \"t\"{must deny when a.tags overlaps {\"x\"};} // c\n";
const CANONICAL: &str = "tool \"t\" {\n    must deny when a.tags overlaps {\"x\"};\n} // c\n";

#[test]
fn prints_checks_and_writes() {
    let messy = temp("messy.sqrt", MESSY.as_bytes());
    let path = messy.to_str().unwrap();
    assert_eq!(
        sqrtc(&["fmt", path]),
        (0, CANONICAL.to_string(), String::new())
    );
    assert_eq!(
        sqrtc(&["fmt", "--check", path]),
        (1, String::new(), String::new())
    );
    assert_eq!(
        sqrtc(&["fmt", "--write", path]),
        (0, String::new(), String::new())
    );
    assert_eq!(std::fs::read_to_string(&messy).unwrap(), CANONICAL);
    assert_eq!(
        sqrtc(&["fmt", "--check", path]),
        (0, String::new(), String::new())
    );
}

#[test]
fn syntax_errors_are_reported_not_formatted() {
    let bad = temp("bad.sqrt", b"tool \"t\" { broken }\n");
    let (code, out, err) = sqrtc(&["fmt", bad.to_str().unwrap()]);
    assert_eq!((code, out.as_str()), (1, ""));
    let header = format!("{}:1:12: error[E0101]: expected a member", bad.display());
    assert!(err.starts_with(&header), "{err}");
    let utf8 = temp("utf8.sqrt", b"let a = {\"\xff\"};");
    let (code, _, err) = sqrtc(&["fmt", utf8.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains(":1:11: error[E0001]"), "{err}");
}

#[test]
fn io_errors_exit_2() {
    let good = temp("good.sqrt", CANONICAL.as_bytes());
    let (code, _, err) = sqrtc(&[
        "fmt",
        "--check",
        "/nonexistent/x.sqrt",
        good.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/x.sqrt"), "{err}");
}
