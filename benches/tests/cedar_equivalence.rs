//! The Cedar comparison is honest only if both policies decide alike: on the benched calls and
//! on edge calls of both conjuncts, SQRT (every engine, prebuilt or from JSON text) and Cedar
//! give the verdict worked out by hand from sqrt.md §6.1.

use sqrt_compiler::policy::{Engine, Policy};
use sqrt_std::prelude::Presets;

#[path = "../benches/common/seed.rs"]
mod seed;

use seed::{BENCH_CALLS, Cedar, EDGE_CALLS, SQRT_POLICY, sqrt_check_text};

#[test]
fn sqrt_and_cedar_decide_every_seed_call_alike() {
    let cedar = Cedar::new();
    for engine in [Engine::Jit, Engine::Interp] {
        let policy = Policy::compile(SQRT_POLICY, &Presets::default())
            .unwrap()
            .with_engine(engine);
        for call in BENCH_CALLS.iter().chain(&EDGE_CALLS) {
            let mut session = policy.new_session();
            let sqrt = sqrt_check_text(&policy, &mut session, &call.sqrt_args_text());
            let request = cedar.request(&call.cedar_context_text());
            assert_eq!(sqrt, call.allowed, "SQRT ({engine:?}) on {}", call.name);
            assert_eq!(
                cedar.is_allowed(&request),
                call.allowed,
                "Cedar on {}",
                call.name
            );
        }
    }
}

#[test]
fn the_benched_calls_are_one_deny_and_one_allow() {
    assert_eq!(BENCH_CALLS.map(|c| c.allowed), [false, true]);
    assert_eq!(BENCH_CALLS[0].to, "research@gmail.com");
    assert!(BENCH_CALLS[1].to.ends_with("@trustedcorp.com"));
}

#[test]
fn the_cedar_policy_denies_other_actions_nothing() {
    // SQRT's default allows calls no rule matches; the Cedar blanket permit must too, and its
    // forbid must stay on `send_email`.
    let cedar = Cedar::new();
    let context =
        cedar_policy::Context::from_json_str(&BENCH_CALLS[0].cedar_context_text(), None).unwrap();
    let action: cedar_policy::EntityUid = r#"Action::"get_internal_document""#.parse().unwrap();
    let request = cedar_policy::Request::new(
        cedar.principal.clone(),
        action,
        cedar.resource.clone(),
        context,
        None,
    )
    .unwrap();
    assert!(cedar.is_allowed(&request));
    let policy = Policy::compile(SQRT_POLICY, &Presets::default()).unwrap();
    let mut session = policy.new_session();
    let json = serde_json::json!({"doc_id": "DOC12345"});
    let args = session.args_from_json(&json).unwrap();
    assert!(
        policy
            .check("get_internal_document", &args, &mut session)
            .is_allowed()
    );
}
