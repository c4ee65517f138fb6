//! The relay's routes, auth, limits, headers and errors over loopback HTTP.

mod relay_support;

use relay_support::*;
use serde_json::{Value, json};

async fn plain_relay() -> (
    sqrt_runtime::relay::MockServer,
    sqrt_runtime::relay::RunningRelay,
) {
    let m = mock(json!({"entries": [{"content": "hello from the mock"}]})).await;
    let r = relay(&config_text(&m, "")).await;
    (m, r)
}

#[tokio::test]
async fn health_and_metrics_need_no_auth() {
    let m = mock(json!({"entries": []})).await;
    let r = relay(&config_text(&m, &keys())).await;
    let resp = client().get(r.url("/health")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));

    // One refused chat request shows up in the metrics.
    let (s, _, _) = post(
        &r.url("/v1/chat/completions"),
        &[],
        &chat_body(vec![user("hi")]),
    )
    .await;
    assert_eq!(s, 401);
    let resp = client().get(r.url("/metrics")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let text = resp.text().await.unwrap();
    assert!(
        text.contains("sqrt_http_requests_total{route=\"/v1/chat/completions\",status=\"401\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("sqrt_http_requests_total{route=\"/health\",status=\"200\"} 1"),
        "{text}"
    );
    assert!(text.contains("sqrt_sessions_active 0"), "{text}");
}

#[tokio::test]
async fn auth_with_keys() {
    let m = mock(json!({"entries": [{"content": "ok"}]})).await;
    let r = relay(&config_text(&m, &keys())).await;
    let url = r.url("/v1/chat/completions");
    let body = chat_body(vec![user("hi")]);
    let (s, _, b) = post(&url, &[("X-Api-Key", "sk-up")], &body).await;
    assert_error(s, &b, 401, "invalid_api_key");
    let (s, _, b) = post(
        &url,
        &[("Authorization", "Bearer wrong"), ("X-Api-Key", "sk-up")],
        &body,
    )
    .await;
    assert_error(s, &b, 401, "invalid_api_key");
    let bearer_a = format!("Bearer {KEY_A}");
    let (s, _, b) = post(
        &url,
        &[("Authorization", &bearer_a), ("X-Api-Key", "sk-up")],
        &body,
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let bearer_b = format!("Bearer {KEY_B}");
    let (s, _, b) = post(
        &url,
        &[("Authorization", &bearer_b), ("X-Api-Key", "sk-up")],
        &body,
    )
    .await;
    assert_eq!(s, 200, "{b}");
    // validate-headers needs the key too.
    let (s, _, b) = post(&r.url("/control/v1/validate-headers"), &[], &json!({})).await;
    assert_error(s, &b, 401, "invalid_api_key");
    // The relay key is not forwarded upstream; the provider key is.
    let seen = m.requests();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0]["authorization"], "Bearer sk-up");
}

#[tokio::test]
async fn routes_and_404s() {
    let (m, r) = plain_relay().await;
    let body = chat_body(vec![user("hi")]);
    let key = [("X-Api-Key", "sk-up")];
    for path in [
        "/v1/chat/completions",
        "/control/chat/v1/chat/completions",
        "/control/code/mock/v1/chat/completions",
        "/control/agent/openai/v1/chat/completions",
    ] {
        if path.contains("openai") {
            continue; // would go to the real OpenAI
        }
        let (s, _, b) = post(&r.url(path), &key, &body).await;
        assert_eq!(s, 200, "{path}: {b}");
        assert_eq!(b["choices"][0]["message"]["content"], "hello from the mock");
        assert_eq!(b["model"], "mock-llm,mock-llm");
    }
    let (s, _, b) = post(
        &r.url("/control/chat/nope/v1/chat/completions"),
        &key,
        &body,
    )
    .await;
    assert_error(s, &b, 404, "unknown_provider");
    let (s, _, b) = post(&r.url("/control/chatty/v1/chat/completions"), &key, &body).await;
    assert_error(s, &b, 404, "unknown_route");
    let (s, _, b) = post(&r.url("/v2/whatever"), &key, &body).await;
    assert_error(s, &b, 404, "unknown_route");
    for path in [
        "/v1/messages",
        "/control/chat/v1/responses",
        "/control/chat/mock/v1/messages",
    ] {
        let (s, _, b) = post(&r.url(path), &key, &body).await;
        assert_error(s, &b, 501, "not_implemented");
    }
    // The upstream saw the planner model name only, and the client's tools.
    let seen = m.requests();
    assert_eq!(seen[0]["model"], "mock-llm");
    assert_eq!(seen[0]["body"]["tools"], seed_tools());
}

#[tokio::test]
async fn body_errors() {
    let m = mock(json!({"entries": [{"content": "x"}]})).await;
    let r = relay(&config_text(&m, "[limits]\nmax_body_bytes = 2000")).await;
    let url = r.url("/v1/chat/completions");
    let key = [("X-Api-Key", "sk-up")];

    let resp = client()
        .post(&url)
        .header("X-Api-Key", "k")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let b: Value = resp.json().await.unwrap();
    assert_error(400, &b, 400, "invalid_json");

    let big = json!({"model": "m", "messages": [user(&"x".repeat(3000))]});
    let (s, _, b) = post(&url, &key, &big).await;
    assert_error(s, &b, 413, "body_too_large");

    let (s, _, b) = post(
        &url,
        &key,
        &json!({"model": "a,b,c", "messages": [user("x")]}),
    )
    .await;
    assert_error(s, &b, 400, "invalid_model");
    let (s, _, b) = post(
        &url,
        &key,
        &json!({"model": "m", "messages": [{"role": "wizard", "content": "x"}]}),
    )
    .await;
    let e = assert_error(s, &b, 400, "invalid_request");
    assert_eq!(e["param"], "messages[0].role");
    let (s, _, b) = post(
        &url,
        &key,
        &json!({"model": "m", "n": 3, "messages": [user("x")]}),
    )
    .await;
    assert_error(s, &b, 400, "invalid_request");
    assert!(
        m.requests().is_empty(),
        "nothing invalid reaches the provider"
    );
}

#[tokio::test]
async fn body_limit_applies_without_content_length() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let m = mock(json!({"entries": [{"content": "x"}]})).await;
    let r = relay(&config_text(&m, "[limits]\nmax_body_bytes = 100")).await;
    // A chunked body declares no length; the limit must still hold.
    let mut tcp = tokio::net::TcpStream::connect(r.addr).await.unwrap();
    let chunk = " ".repeat(80);
    let request = format!(
        "POST /v1/chat/completions HTTP/1.1\r\nHost: relay\r\nX-Api-Key: k\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n50\r\n{chunk}\r\n50\r\n{chunk}\r\n0\r\n\r\n"
    );
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let _ = tcp.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("body_too_large"), "{answer}");
}

#[tokio::test]
async fn header_errors() {
    let (m, r) = plain_relay().await;
    let url = r.url("/v1/chat/completions");
    let body = chat_body(vec![user("hi")]);
    let cases: Vec<(&str, String, &str, &str)> = vec![
        (
            "X-Policy",
            r#"{"bogus": 1}"#.into(),
            "invalid_header",
            "x_policy.bogus: unknown field",
        ),
        (
            "X-Policy",
            r#"{"presets": {"default_allow": "yes"}}"#.into(),
            "invalid_header",
            "x_policy.presets.default_allow: ",
        ),
        (
            "X-Policy",
            "{".into(),
            "invalid_header",
            "Invalid JSON in x_policy",
        ),
        (
            "X-Policy",
            "[1]".into(),
            "invalid_header",
            "x_policy: expected a JSON object",
        ),
        (
            "X-Policy",
            r#"{"codes": {"code": "", "language": "cedar"}}"#.into(),
            "unsupported_feature",
            "x_policy.codes.language",
        ),
        (
            "X-Policy",
            r#"{"auto_gen": true}"#.into(),
            "unsupported_feature",
            "x_policy.auto_gen",
        ),
        (
            "X-Features",
            r#"{"content_classifiers": [{"name": "pii"}]}"#.into(),
            "unsupported_feature",
            "x_features.content_classifiers",
        ),
        (
            "X-Features",
            r#"{"agent_arch": "triple-llm"}"#.into(),
            "invalid_header",
            "x_features.agent_arch: unknown variant",
        ),
        (
            "X-Config",
            r#"{"fsm": {"enabled_internal_tools": ["web_search"]}}"#.into(),
            "unsupported_feature",
            "x_config.fsm.enabled_internal_tools",
        ),
        (
            "X-Config",
            r#"{"fsm": {"max_n_turns": "many"}}"#.into(),
            "invalid_header",
            "x_config.fsm.max_n_turns",
        ),
        (
            "X-Config",
            r#"{"fsm": {"disable_rllm": "no"}}"#.into(),
            "invalid_header",
            "x_config.fsm.disable_rllm",
        ),
        (
            "X-Config",
            r#"{"response_format": {"include_programs": true}}"#.into(),
            "invalid_header",
            "x_config.response_format.include_programs: unknown field",
        ),
        (
            "X-Config",
            format!(r#"{{"prompt": {{"x": "{}"}}}}"#, "a".repeat(70_000)),
            "invalid_header",
            "x_config: header is",
        ),
    ];
    for (header, value, code, message) in cases {
        let (s, _, b) = post(&url, &[("X-Api-Key", "k"), (header, &value)], &body).await;
        let e = assert_error(s, &b, 400, code);
        assert_eq!(e["param"], header, "{b}");
        let got = e["message"].as_str().unwrap();
        assert!(got.starts_with(message), "{header} {value:.80}: {got}");
    }
    assert!(m.requests().is_empty());
    // Ignored reference fields are accepted.
    let (s, _, b) = post(
        &url,
        &[
            ("X-Api-Key", "k"),
            (
                "X-Config",
                r#"{"fsm": {"disable_rllm": true}, "stream_thoughts": false}"#,
            ),
        ],
        &body,
    )
    .await;
    assert_eq!(s, 200, "{b}");
}

#[tokio::test]
async fn provider_key_missing_and_env_fallback() {
    let m = mock(json!({"entries": [{"content": "ok"}]})).await;
    let text = config_text(&m, "") + "api_key_env = \"MOCK_PROVIDER_KEY\"\n";
    let config = sqrt_runtime::relay::Config::from_toml(&text).unwrap();
    let r = sqrt_runtime::relay::Relay::builder(config.clone())
        .env(|_| None)
        .build()
        .unwrap()
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let (s, _, b) = post(
        &r.url("/v1/chat/completions"),
        &[],
        &chat_body(vec![user("hi")]),
    )
    .await;
    let e = assert_error(s, &b, 400, "provider_key_missing");
    assert!(e["message"].as_str().unwrap().contains("MOCK_PROVIDER_KEY"));

    let r = sqrt_runtime::relay::Relay::builder(config)
        .env(|v| (v == "MOCK_PROVIDER_KEY").then(|| "sk-from-env".to_string()))
        .build()
        .unwrap()
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let (s, _, b) = post(
        &r.url("/v1/chat/completions"),
        &[],
        &chat_body(vec![user("hi")]),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(m.requests()[0]["authorization"], "Bearer sk-from-env");
}

#[tokio::test]
async fn provider_failure_is_502_without_the_key() {
    let m =
        mock(json!({"entries": [{"status": 500, "body": {"error": {"message": "boom"}}}]})).await;
    let r = relay(&config_text(&m, "")).await;
    let (s, _, b) = post(
        &r.url("/v1/chat/completions"),
        &[("X-Api-Key", "sk-hidden-key")],
        &chat_body(vec![user("hi")]),
    )
    .await;
    let e = assert_error(s, &b, 502, "provider_error");
    let msg = e["message"].as_str().unwrap();
    assert!(
        msg.contains("provider mock") && msg.contains("HTTP 500") && msg.contains("boom"),
        "{msg}"
    );
    assert!(!b.to_string().contains("sk-hidden-key"));
    assert_eq!(m.requests().len(), 3);
}

#[tokio::test]
async fn request_timeout_is_504() {
    let m = mock(json!({"entries": [{"content": "late", "delay_ms": 3000}]})).await;
    let r = relay(&config_text(&m, "[limits]\nrequest_timeout_s = 1")).await;
    let (s, _, b) = post(
        &r.url("/v1/chat/completions"),
        &[("X-Api-Key", "k")],
        &chat_body(vec![user("hi")]),
    )
    .await;
    assert_error(s, &b, 504, "request_timeout");
}

#[tokio::test]
async fn dual_llm_is_chosen_by_x_features() {
    let (_m, r) = plain_relay().await;
    let url = r.url("/v1/chat/completions");
    let (s, _, b) = post(
        &url,
        &[
            ("X-Api-Key", "k"),
            ("X-Features", r#"{"agent_arch": "dual-llm"}"#),
        ],
        &chat_body(vec![user("hi")]),
    )
    .await;
    // The mock's answer holds no program: the planner is asked again, then the turn fails.
    assert_eq!(s, 200, "{b}");
    let content = b["choices"][0]["message"]["content"].as_str().unwrap();
    assert!(
        content.contains(r#""code": "invalid_program""#),
        "{content}"
    );
    // Dual-LLM body rules apply before that.
    let image =
        json!({"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]});
    let (s, _, b) = post(
        &url,
        &[
            ("X-Api-Key", "k"),
            ("X-Features", r#"{"agent_arch": "dual-llm"}"#),
        ],
        &chat_body(vec![image]),
    )
    .await;
    assert_error(s, &b, 400, "unsupported_content");
    let (s, _, b) = post(
        &r.url("/control/lang-graph/v1/chat/completions"),
        &[
            ("X-Api-Key", "k"),
            ("X-Features", r#"{"agent_arch": "single-llm"}"#),
        ],
        &chat_body(vec![user("hi")]),
    )
    .await;
    assert_error(s, &b, 400, "invalid_header");
}

#[tokio::test]
async fn validate_headers_reports_each_header() {
    let (_m, r) = plain_relay().await;
    let url = r.url("/control/v1/validate-headers");
    let (s, _, b) = post(
        &url,
        &[],
        &json!({
            "x_features": r#"{"agent_arch": "dual-llm"}"#,
            "x_policy": r#"{"bogus": true}"#,
        }),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["x_config"], Value::Null);
    let f = &b["x_features"];
    assert_eq!(f["valid"], true);
    assert_eq!(
        f["normalized"],
        json!({"agent_arch": "dual-llm", "content_classifiers": [], "content_blockers": []})
    );
    assert_eq!(f["errors"], json!([]));
    let p = &b["x_policy"];
    assert_eq!(p["valid"], false);
    assert_eq!(p["normalized"], Value::Null);
    assert_eq!(p["errors"], json!(["x_policy.bogus: unknown field"]));

    let (s, _, b) = post(&url, &[], &json!({
        "x_policy": r#"{"mode": "strict", "codes": "tool \"x\" -> @tags |= {\"a\"};", "presets": {"default_allow": false}}"#,
        "x_config": r#"{"fsm": {"max_n_turns": null, "disable_rllm": true}, "response_format": {"include_program": true}, "prompt": {}}"#,
        "x_features": "not json",
    }))
    .await;
    assert_eq!(s, 200);
    assert!(
        b["x_features"]["errors"][0]
            .as_str()
            .unwrap()
            .starts_with("Invalid JSON"),
        "{b}"
    );
    let p = &b["x_policy"]["normalized"];
    assert_eq!(p["mode"], "strict");
    assert_eq!(
        p["codes"],
        json!({"code": "tool \"x\" -> @tags |= {\"a\"};", "language": "sqrt"})
    );
    assert_eq!(p["fail_fast"], true);
    assert_eq!(
        p["presets"],
        json!({
        "default_allow": false, "default_allow_enforcement_level": "soft",
        "enable_non_executable_memory": true, "enable_llm_blocked_tag": true,
        "llm_blocked_tag_enforcement_level": "hard",
        "branching_meta_policy": {"mode": "deny", "producers": [], "tags": [], "consumers": []}})
    );
    let c = &b["x_config"];
    assert_eq!(c["valid"], true);
    assert_eq!(c["normalized"]["fsm"]["max_n_turns"], Value::Null);
    assert_eq!(c["normalized"]["fsm"]["max_pllm_steps"], 5);
    assert_eq!(c["normalized"]["fsm"]["history_mismatch_policy"], "reject");
    assert_eq!(c["normalized"]["response_format"]["include_program"], true);
    assert_eq!(
        c["warnings"],
        json!([
            "x_config.fsm.disable_rllm: accepted for compatibility and ignored",
            "x_config.prompt: accepted for compatibility and ignored"
        ])
    );

    let (s, _, b) = post(&url, &[], &json!({"x_polcy": "{}"})).await;
    let e = assert_error(s, &b, 400, "invalid_request");
    assert!(e["message"].as_str().unwrap().contains("x_polcy"), "{b}");
}

#[tokio::test]
async fn config_defaults_apply_by_endpoint() {
    let m = mock(json!({"entries": [{"content": "x"}]})).await;
    let r = relay(&config_text(
        &m,
        "[endpoints.code]\nagent_arch = \"dual-llm\"\n",
    ))
    .await;
    let key = [("X-Api-Key", "k")];
    let body = chat_body(vec![user("hi")]);
    // `code` defaults to dual-LLM: "x" is no program, so the turn fails; `chat` forwards it.
    let (s, _, b) = post(&r.url("/control/code/v1/chat/completions"), &key, &body).await;
    assert_eq!(s, 200, "{b}");
    let content = b["choices"][0]["message"]["content"].as_str().unwrap();
    assert!(
        content.contains(r#""code": "invalid_program""#),
        "{content}"
    );
    let (s, _, b) = post(&r.url("/control/chat/v1/chat/completions"), &key, &body).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["choices"][0]["message"]["content"], "x");
}

#[test]
fn serve_refuses_public_listen_without_keys() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sqrtc"))
        .args(["serve", "--listen", "0.0.0.0:0", "--config"])
        .arg(write_temp("empty.toml", ""))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("loopback"), "{err}");
    assert!(out.stdout.is_empty());

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sqrtc"))
        .args(["serve", "--config"])
        .arg(write_temp("bad.toml", "[limits]\nmax_bodybytes = 1\n"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("max_bodybytes"));
}

#[test]
fn serve_prints_its_address_answers_health_and_stops_on_sigterm() {
    use std::io::{BufRead, BufReader, Read};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sqrtc"))
        .args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(write_temp("serve.toml", ""))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line.trim().to_string();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let health: Value = runtime.block_on(async {
        client()
            .get(format!("http://{addr}/health"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    assert_eq!(health["status"], "ok");
    let term = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(status.code(), Some(0), "{err}");
    assert!(err.contains("sqrtc serve: stopped"), "{err}");
}

fn write_temp(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("sqrt-serve-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}
