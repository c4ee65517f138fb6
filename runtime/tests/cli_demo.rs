//! `sqrtc demo`, the README's main command, through the real binary: the seed tutorial's two
//! cases over HTTP through the in-process relay and mock planner.

use std::process::Command;

#[test]
fn demo_denies_the_gmail_recipient_and_allows_the_trusted_one() {
    let out = Command::new(env!("CARGO_BIN_EXE_sqrtc"))
        .arg("demo")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(!stdout.contains('\x1b'), "no colour when not a terminal");
    assert!(stdout.contains("relay on http://127.0.0.1:"), "{stdout}");

    let (case1, case2) = stdout.split_once("Case 2").expect("both cases are shown");
    // Case 1: the relay hands out the document call, then the email to gmail is denied by the
    // rule, with the body carrying the document's tags.
    assert!(case1.contains(r#"relay  tool call get_internal_document {"doc_id": "DOC12345"}"#));
    assert!(case1.contains("client The document content is:"));
    assert_eq!(
        case1.matches("relay  tool call").count(),
        1,
        "the denied call never reaches the client"
    );
    assert!(case1.contains("call get_internal_document(doc_id=\"DOC12345\")"));
    assert!(case1.contains("verdict soft_allowed by preset:default_allow"));
    assert!(case1.contains("to=\"research@gmail.com\""));
    assert!(case1.contains(r#"tags=["__non_executable","confidential","internal_use"]"#));
    assert!(case1.contains("verdict hard_denied by send_email#1"));
    assert!(case1.contains(
        "failure: policy_denied: Tool call send_email denied by argument checking policies"
    ));
    // The generated program is shown, numbered, with the blocked line.
    assert!(
        case1.contains(
            "15 send_result = send_email(to=recipient, subject=subject, body=email_body)"
        )
    );
    // Case 2: both calls go to the client; the same body to the trusted domain is allowed by
    // the default.
    assert!(case2.contains(r#"relay  tool call send_email {"to": "user@trustedcorp.com""#));
    assert!(case2.contains("client Email sent"));
    assert!(!case2.contains("hard_denied"));
    assert_eq!(
        case2
            .matches("verdict soft_allowed by preset:default_allow")
            .count(),
        2
    );
    assert!(case2.contains(r#"success: {"status":"success","doc_id":"DOC12345""#));
    assert!(case2.contains("20 except Exception as e:"));
}
