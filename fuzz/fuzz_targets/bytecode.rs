//! Arbitrary bytes → `.sqrtb` loading (decode + verify). Loading must never panic: a corrupt or
//! foreign file is an error. Whatever does load must then evaluate calls without panicking
//! (ARCHITECTURE.md invariants 1 and 3).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sqrt_compiler::policy::Policy;

fuzz_target!(|data: &[u8]| {
    let Ok(policy) = Policy::from_bytes(data) else { return };
    let mut session = policy.new_session();
    let calls = [
        serde_json::json!({"to": "research@gmail.com",
            "body": {"value": "x", "meta": {"tags": ["confidential"]}}}),
        serde_json::json!({"doc_id": "DOC12345", "n": 3, "l": [1, "a"]}),
    ];
    for (tool, args) in ["send_email", "get_internal_document"].iter().zip(&calls) {
        let Ok(args) = session.args_from_json(args) else { continue };
        let verdict = policy.check(tool, &args, &mut session);
        if verdict.is_allowed() {
            let out = sqrt_std::value::Value::Str("ok".into());
            let _ = policy.apply_result(tool, &args, &out, &mut session);
        }
    }
});
