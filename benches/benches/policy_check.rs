//! Interpreter cost per policy check on the seed policy's two `send_email` calls (sqrt.md §6.1):
//! with prebuilt arguments, and including the JSON decoding of CALL.json's `args` and `session`.

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;
use sqrt_compiler::policy::Policy;
use sqrt_std::prelude::Presets;
use std::hint::black_box;

const SEED: &str = r#"let sensitive_docs = {"internal_use", "confidential"};
tool "get_internal_document" -> @tags |= sensitive_docs;
tool "send_email" {
    hard deny when (body.tags overlaps sensitive_docs) and
    (not to.value in {str matching r".*@trustedcorp\.com"});
}
"#;

fn bench(c: &mut Criterion) {
    let policy = Policy::compile(SEED, &Presets::default()).expect("the seed policy compiles");
    let calls = [
        (
            "deny",
            json!({"to": "research@gmail.com", "subject": "Doc",
            "body": {"value": "...", "meta": {"tags": ["__non_executable", "confidential", "internal_use"]}}}),
        ),
        (
            "allow",
            json!({"to": "user@trustedcorp.com", "subject": "Doc",
            "body": {"value": "...", "meta": {"tags": ["__non_executable", "confidential", "internal_use"]}}}),
        ),
    ];
    let mut group = c.benchmark_group("policy_check_interp");
    for (name, args_json) in &calls {
        let mut session = policy.new_session();
        let args = session.args_from_json(args_json).unwrap();
        // The seed policy has no `session before` block, so the session is unchanged by checks
        // and one session serves every iteration (as in a real run).
        group.bench_function(format!("seed_send_email_{name}_prebuilt"), |b| {
            b.iter(|| {
                black_box(
                    policy
                        .check(black_box("send_email"), black_box(&args), &mut session)
                        .is_allowed(),
                )
            })
        });
        group.bench_function(format!("seed_send_email_{name}_with_json"), |b| {
            b.iter(|| {
                let args = session.args_from_json(black_box(args_json)).unwrap();
                black_box(policy.check("send_email", &args, &mut session).is_allowed())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
