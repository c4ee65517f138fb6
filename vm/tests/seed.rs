//! The seed tutorial's two generated programs (planner.md §10 rows 1 and 2), verbatim. The test
//! plays the host and the seed policy: `get_internal_document` results are tagged
//! `confidential`, `internal_use` and the `__non_executable` preset; `send_email` is denied when
//! its body carries a sensitive tag and the recipient is not `@trustedcorp.com`.

mod common;

use common::*;
use serde_json::json;
use sqrt_vm::*;

/// The seed tutorial's program 1, verbatim (shared with the `sqrtc run` tests).
const PROGRAM_1: &str = include_str!("../../tests/run/seed_program_1.py");

/// The seed tutorial's program 2, verbatim (shared with the `sqrtc run` tests).
const PROGRAM_2: &str = include_str!("../../tests/run/seed_program_2.py");

fn tools() -> Vec<ToolStub> {
    let s = json!({"type": "string"});
    vec![
        ToolStub::new("get_internal_document", &[("doc_id", true, s.clone())]),
        ToolStub::new(
            "send_email",
            &[
                ("to", true, s.clone()),
                ("subject", true, s.clone()),
                ("body", true, s),
            ],
        ),
    ]
}

const SENSITIVE: [&str; 3] = ["__non_executable", "confidential", "internal_use"];

/// The seed host and policy; records the `send_email` body meta it saw.
fn host(req: &Req, body_tags: &mut Vec<String>) -> Ans {
    match req.tool.as_str() {
        "get_internal_document" => {
            assert_eq!(req.args[0].1, json!("DOC12345"));
            ret(
                json!("The document content is: ..."),
                Meta::tagged(&SENSITIVE),
            )
        }
        "send_email" => {
            let arg = |n: &str| req.args.iter().find(|a| a.0 == n).unwrap();
            let body = arg("body");
            *body_tags = body.2.tags.clone();
            let sensitive = body
                .2
                .tags
                .iter()
                .any(|t| t == "confidential" || t == "internal_use");
            let to = arg("to").1.as_str().unwrap().to_string();
            if sensitive && !to.ends_with("@trustedcorp.com") {
                return raise(
                    RaiseKind::PolicyDenied,
                    "Tool call send_email denied by argument checking policies.",
                    body.2.clone(),
                    false,
                );
            }
            ret(json!("sent"), Meta::default())
        }
        other => panic!("unexpected tool {other}"),
    }
}

fn run_seed(src: &str, snap: bool) -> (Run, Vec<String>) {
    let mut tags = vec![];
    let r = drive(
        src,
        config(Mode::Normal, tools()),
        |q| host(q, &mut tags),
        snap,
    );
    (r, tags)
}

#[test]
fn row01_program_1_is_denied_with_sensitive_body() {
    for snap in [false, true] {
        let (r, body_tags) = run_seed(PROGRAM_1, snap);
        assert_eq!(body_tags, SENSITIVE.map(String::from).to_vec());
        assert_eq!(r.requests.len(), 2);
        assert_eq!(
            r.requests[1]
                .args
                .iter()
                .map(|a| a.0.as_str())
                .collect::<Vec<_>>(),
            ["to", "subject", "body"]
        );
        // Only the body depends on the document: `to` and `subject` are ⊥.
        assert_eq!(r.requests[1].args[0].2, Meta::default());
        assert_eq!(r.requests[1].args[1].2, Meta::default());
        assert_eq!(r.requests[1].span.line, 15);
        let e = r.outcome.error.as_ref().unwrap();
        assert_eq!(e.code, ErrorCode::PolicyDenied);
        assert_eq!(r.outcome.final_return_value, json!(null));
        assert_eq!(r.final_meta, Meta::default());
    }
}

#[test]
fn row02_program_2_succeeds_for_trusted_recipient() {
    for snap in [false, true] {
        let (r, body_tags) = run_seed(PROGRAM_2, snap);
        assert_eq!(body_tags, SENSITIVE.map(String::from).to_vec());
        assert_eq!(r.outcome.error, None);
        assert_eq!(
            r.outcome.final_return_value,
            json!({"status": "success", "doc_id": "DOC12345", "emailed_to": "user@trustedcorp.com",
                   "message": "Document retrieved and emailed successfully."})
        );
        assert_eq!(r.final_meta, Meta::default());
    }
}

#[test]
fn row02_untrusted_recipient_is_denied_and_except_does_not_run() {
    let src = PROGRAM_2.replace(
        "user@trustedcorp.com\", subject",
        "research@gmail.com\", subject",
    );
    assert_ne!(src, PROGRAM_2);
    let (r, _) = run_seed(&src, false);
    let e = r.outcome.error.as_ref().unwrap();
    assert_eq!(e.code, ErrorCode::PolicyDenied);
    assert_eq!(r.outcome.final_return_value, json!(null));
    assert_eq!(r.final_meta, Meta::default());
}
