//! One policy check of the seed tutorial's two `send_email` calls (sqrt.md §6.1), in one run:
//! the JIT, the interpreter, and Cedar (`cedar-policy`) on the equivalent policy of
//! `benches/cedar/seed.cedar`. Each engine is timed on prebuilt inputs (arguments decoded, or the
//! Cedar request built, beforehand) and including the decoding of the call's JSON text, which
//! the relay pays on every call. `tests/cedar_equivalence.rs` proves both policies decide these
//! calls alike.
//!
//! Run: `cargo bench -p sqrt-benches --bench policy_check`. Group `seed_<call>_<input>`,
//! function the engine (`<engine>` for `Policy::check`, which builds the verdict report,
//! `<engine>_verdict_only` for `Policy::decide`, which only decides); a JIT that fell back to the interpreter is reported as
//! `jit_fell_back_to_interp`, never as `jit`.

/// sqrtc's allocator (runtime/src/bin/sqrtc.rs): measured as shipped.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{Criterion, criterion_group, criterion_main};
use sqrt_compiler::interp::Args;
use sqrt_compiler::policy::{Engine, Policy, Session};
use sqrt_std::prelude::Presets;
use std::hint::black_box;
use std::time::Duration;

#[path = "common/seed.rs"]
mod seed;

use seed::{BENCH_CALLS, Cedar, SQRT_POLICY, sqrt_check_text};

/// The name an engine's results are filed under: what actually ran.
fn engine_id(policy: &Policy, requested: Engine) -> String {
    if policy.engine() == requested {
        requested.as_str().to_owned()
    } else {
        eprintln!(
            "policy_check: {} requested, {} runs: {}",
            requested.as_str(),
            policy.engine().as_str(),
            policy.fallback().unwrap_or("(no reason given)")
        );
        format!(
            "{}_fell_back_to_{}",
            requested.as_str(),
            policy.engine().as_str()
        )
    }
}

/// The verdict level alone (`Policy::decide`: no report built), as a relay needs on the
/// allow path; the full report (`check`) is what a denial returns to the planner.
fn verdict_only(policy: &Policy, args: &Args, session: &mut Session) -> bool {
    policy.decide("send_email", args, session).is_allowed()
}

fn bench(c: &mut Criterion) {
    let engines = [Engine::Jit, Engine::Interp].map(|e| {
        let policy = Policy::compile(SQRT_POLICY, &Presets::default())
            .expect("the seed policy compiles")
            .with_engine(e);
        (engine_id(&policy, e), policy)
    });
    let cedar = Cedar::new();
    for call in &BENCH_CALLS {
        let args_text = call.sqrt_args_text();
        let context_text = call.cedar_context_text();

        let mut group = c.benchmark_group(format!("seed_{}_prebuilt", call.name));
        for (id, policy) in &engines {
            let mut session = policy.new_session();
            let json = serde_json::from_str(&args_text).unwrap();
            let args = session.args_from_json(&json).unwrap();
            assert_eq!(
                policy.check("send_email", &args, &mut session).is_allowed(),
                call.allowed
            );
            // The seed policy has no `session before` block, so checks leave the session as
            // it was and one session serves every iteration (as in a real run).
            group.bench_function(id.as_str(), |b| {
                b.iter(|| {
                    policy
                        .check(black_box("send_email"), black_box(&args), &mut session)
                        .is_allowed()
                })
            });
            group.bench_function(format!("{id}_verdict_only"), |b| {
                b.iter(|| verdict_only(policy, black_box(&args), &mut session))
            });
        }
        let request = cedar.request(&context_text);
        assert_eq!(cedar.is_allowed(&request), call.allowed);
        group.bench_function("cedar", |b| {
            b.iter(|| cedar.is_allowed(black_box(&request)))
        });
        group.finish();

        let mut group = c.benchmark_group(format!("seed_{}_with_json", call.name));
        for (id, policy) in &engines {
            let mut session = policy.new_session();
            group.bench_function(id.as_str(), |b| {
                b.iter(|| sqrt_check_text(policy, &mut session, black_box(&args_text)))
            });
        }
        group.bench_function("cedar", |b| {
            b.iter(|| cedar.is_allowed(&cedar.request(black_box(&context_text))))
        });
        group.finish();
    }
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(50)
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench
}
criterion_main!(benches);
