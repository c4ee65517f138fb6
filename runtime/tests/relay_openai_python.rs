//! Compatibility with a client nobody here wrote: the official `openai` Python package drives
//! the seed tutorial's two cases through the relay's `base_url` (tests/python/openai_seed.py).
//!
//! `.ci/run` installs the package. In CI (`CI` set) a missing package fails this test; locally
//! it is skipped with a loud message.

mod relay_support;

use std::process::Command;

use relay_support::*;
use serde_json::json;

const PROGRAM_1: &str = include_str!("../../tests/run/seed_program_1.py");
const PROGRAM_2: &str = include_str!("../../tests/run/seed_program_2.py");

fn openai_importable() -> Result<(), String> {
    let out = Command::new("python3")
        .args(["-c", "import openai"])
        .output()
        .map_err(|e| format!("cannot run python3: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openai_python_client_runs_the_seed_flow() {
    if let Err(why) = openai_importable() {
        let message = format!(
            "the `openai` Python package is not importable ({}); install it with `python3 -m pip install openai`",
            why.trim()
        );
        if std::env::var_os("CI").is_some() {
            panic!("{message}");
        }
        eprintln!("\n!!! SKIPPED relay_openai_python: {message}\n");
        return;
    }
    let fenced = |p: &str| format!("```python\n{p}```");
    let mock = mock(json!({"entries": [
        {"model": "mock-planner", "user_contains": "research@gmail.com", "content": fenced(PROGRAM_1)},
        {"model": "mock-planner", "user_contains": "user@trustedcorp.com", "content": fenced(PROGRAM_2)},
    ]}))
    .await;
    let relay = relay(&config_text(&mock, &keys())).await;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = dir.join("tests/python/openai_seed.py");
    let policy = dir.join("../tests/sqrt/seed.sqrt");
    let base_url = relay.url("/control/chat/v1");
    let out = tokio::task::spawn_blocking(move || {
        Command::new("python3")
            .arg(&script)
            .arg(&base_url)
            .arg(KEY_A)
            .arg(&policy)
            .output()
    })
    .await
    .expect("the python task ends")
    .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the openai client's seed flow failed\nstdout: {stdout}\nstderr: {stderr}"
    );
    assert_eq!(stdout.trim(), "ok");
}
