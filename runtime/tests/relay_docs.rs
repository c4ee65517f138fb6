//! The examples of docs/relay.md are checked against the real relay.

mod relay_support;

use relay_support::*;
use serde_json::{Value, json};
use sqrt_runtime::relay::{Config, Script};

fn doc() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/relay.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The fenced blocks of `lang` in the document.
fn blocks(text: &str, lang: &str) -> Vec<String> {
    let fence = format!("```{lang}\n");
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(&fence) {
        let body = &rest[start + fence.len()..];
        let end = body.find("```").expect("closed fence");
        out.push(body[..end].to_string());
        rest = &body[end + 3..];
    }
    out
}

#[test]
fn every_toml_example_is_a_valid_config() {
    let tomls = blocks(&doc(), "toml");
    assert!(tomls.len() >= 2);
    for t in &tomls {
        Config::from_toml(t).unwrap_or_else(|e| panic!("{e}\n{t}"));
    }
    let complete = tomls.iter().find(|t| t.contains("[[keys]]")).unwrap();
    let full = Config::from_toml(complete).unwrap();
    assert_eq!(full.keys.len(), 2);
    assert_eq!(full.providers["local"].max_retries, 0);
    let cache = tomls
        .iter()
        .find(|t| t.contains("policy_cache_entries"))
        .unwrap();
    assert_eq!(
        Config::from_toml(cache)
            .unwrap()
            .limits
            .policy_cache_entries,
        1024
    );
}

#[tokio::test]
async fn json_examples_match_the_relay() {
    let jsons = blocks(&doc(), "json");
    let mut scripts = 0;
    let (mut validate_seen, mut error_seen) = (false, false);
    let m = mock(json!({"entries": [{"content": "x"}]})).await;
    let r = relay(&config_text(&m, "")).await;
    for text in &jsons {
        let value: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        if value.get("entries").is_some() {
            Script::parse(text).unwrap();
            scripts += 1;
        } else if value.get("x_features").is_some() {
            let (s, _, got) = post(
                &r.url("/control/v1/validate-headers"),
                &[],
                &json!({"x_features": r#"{"agent_arch": "dual-llm"}"#, "x_policy": r#"{"bogus": 1}"#}),
            )
            .await;
            assert_eq!(s, 200);
            assert_eq!(got, value);
            validate_seen = true;
        } else if value.get("error").is_some() {
            let (s, _, got) = post(
                &r.url("/v1/chat/completions"),
                &[("X-Api-Key", "k"), ("X-Policy", r#"{"bogus": 1}"#)],
                &chat_body(vec![user("hi")]),
            )
            .await;
            assert_eq!(s, 400);
            assert_eq!(got, value);
            error_seen = true;
        }
    }
    assert!(scripts >= 1 && validate_seen && error_seen);
}
