//! How a policy check and a policy load scale, per engine (issue 4's targets):
//! - `tools/<n>`: the seed `send_email` check with 1, 100 or 10,000 tools in the policy
//!   (target: 10,000 within 1.5× of 1);
//! - `labels/<n>`: the seed check when the policy interns 8, 64 or 1,024 distinct labels and the
//!   body carries the last one, a spilled label past the inline 127 (target: 1,024 within 2× of 8);
//! - `rules/<n>`: 1 to 64 rules on one tool, none firing, so every rule is evaluated;
//! - `blocks`: a check and the result lifecycle of a tool whose policy has a `session before`,
//!   a `result` and a `session after` block (native update functions against the interpreter);
//! - `compile`: source to a ready policy (front end, lowering, verification, JIT), and loading
//!   `.sqrtb` bytes, for 1 to 1,000 rules (target: 1,000 rules compiled and JIT'd < 100 ms).
//!   Cold: the process-wide cache of compiled regexes is emptied before every load, so every
//!   regex compiles as for a policy never seen.
//!
//! Run: `cargo bench -p sqrt-benches --bench policy_scaling`. A JIT that fell back to the
//! interpreter is filed as `jit_fell_back_to_interp`, never as `jit`.

/// sqrtc's allocator (runtime/src/bin/sqrtc.rs): measured as shipped.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use serde_json::json;
use sqrt_compiler::interp::clear_matcher_cache;
use sqrt_compiler::policy::{Engine, Policy, compile_module};
use sqrt_std::prelude::Presets;
use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Duration;

const SEED_SEND_EMAIL: &str = r#"tool "send_email" {
    hard deny when (body.tags overlaps sensitive_docs) and
    (not to.value in {str matching r".*@trustedcorp\.com"});
}
"#;

/// The seed policy plus `n - 1` other tools, each with a rule of its own.
fn tools_policy(n: usize) -> String {
    let mut s = String::from("let sensitive_docs = {\"internal_use\", \"confidential\"};\n");
    s.push_str(SEED_SEND_EMAIL);
    for i in 1..n {
        writeln!(
            s,
            "tool \"tool_{i}\" {{ hard deny when (data.tags overlaps sensitive_docs) and \
             (not dest.value in {{\"archive_{i}@example.com\"}}); }}"
        )
        .unwrap();
    }
    s
}

/// The seed rule over a sensitive set of `n` distinct labels.
fn labels_policy(n: usize) -> String {
    let labels: Vec<String> = (0..n).map(|i| format!("\"label_{i}\"")).collect();
    format!(
        "let sensitive_docs = {{{}}};\n{SEED_SEND_EMAIL}",
        labels.join(", ")
    )
}

/// `n` rules on `send_email`, each comparing the tags and the recipient; none fires on the
/// benched call, so all `n` are evaluated.
fn rules_policy(n: usize) -> String {
    let mut s = String::from("tool \"send_email\" {\n");
    for i in 0..n {
        writeln!(
            s,
            "    soft deny when (body.tags overlaps {{\"confidential\"}}) and \
             (to.value in {{\"blocked_{i}@example.com\"}});"
        )
        .unwrap();
    }
    s.push_str("}\n");
    s
}

/// `n` rules in tools of up to ten rules, a third of each kind: tag test, string set, regex.
fn compile_policy(n: usize) -> String {
    let mut s = String::new();
    for t in 0..n.div_ceil(10) {
        writeln!(s, "tool \"tool_{t}\" {{").unwrap();
        for j in (t * 10)..n.min(t * 10 + 10) {
            let rule = match j % 3 {
                0 => format!("hard deny when body.tags overlaps {{\"tag_{j}\"}};"),
                1 => format!("soft deny when to.value in {{\"blocked_{j}@example.com\"}};"),
                _ => format!(
                    "hard deny when (body.tags overlaps {{\"secret\"}}) and \
                     (not to.value in {{str matching r\".*@d{j}\\.com\"}});"
                ),
            };
            writeln!(s, "    {rule}").unwrap();
        }
        s.push_str("}\n");
    }
    s
}

fn load(source: &str, engine: Engine) -> (String, Policy) {
    let policy = Policy::compile(source, &Presets::default())
        .expect("the generated policy compiles")
        .with_engine(engine);
    let id = if policy.engine() == engine {
        engine.as_str().to_owned()
    } else {
        eprintln!(
            "policy_scaling: {} requested, {} runs: {}",
            engine.as_str(),
            policy.engine().as_str(),
            policy.fallback().unwrap_or("(no reason given)")
        );
        format!(
            "{}_fell_back_to_{}",
            engine.as_str(),
            policy.engine().as_str()
        )
    };
    (id, policy)
}

/// Benches `send_email(to, body tagged `tags`)` against each generated policy, both engines,
/// after checking the verdict is `allowed`.
fn bench_check(
    c: &mut Criterion,
    group_name: &str,
    cases: &[(usize, String)],
    to: &str,
    tags: impl Fn(usize) -> Vec<String>,
    allowed: bool,
) {
    let mut group = c.benchmark_group(group_name);
    for (n, source) in cases {
        for engine in [Engine::Jit, Engine::Interp] {
            let (id, policy) = load(source, engine);
            let mut session = policy.new_session();
            let args = session
                .args_from_json(&json!({"to": to, "subject": "Doc",
                    "body": {"value": "...", "meta": {"tags": tags(*n)}}}))
                .unwrap();
            assert_eq!(
                policy.check("send_email", &args, &mut session).is_allowed(),
                allowed,
                "{group_name}/{n} under {id}"
            );
            assert_eq!(
                policy
                    .decide("send_email", &args, &mut session)
                    .is_allowed(),
                allowed
            );
            // `decide`: the verdict alone, so the dispatch and rule costs are not hidden
            // behind building the report (a constant `policy_check` measures).
            group.bench_with_input(BenchmarkId::new(id, n), &args, |b, args| {
                b.iter(|| {
                    policy
                        .decide(black_box("send_email"), black_box(args), &mut session)
                        .is_allowed()
                })
            });
        }
    }
    group.finish();
}

fn scaling(c: &mut Criterion) {
    let doc_tags = |_| vec!["confidential".to_owned(), "internal_use".to_owned()];
    let tools: Vec<_> = [1, 100, 10_000]
        .map(|n| (n, tools_policy(n)))
        .into_iter()
        .collect();
    bench_check(c, "tools", &tools, "research@gmail.com", doc_tags, false);

    let labels: Vec<_> = [8, 64, 1_024]
        .map(|n| (n, labels_policy(n)))
        .into_iter()
        .collect();
    let last_label = |n: usize| vec![format!("label_{}", n - 1)];
    bench_check(
        c,
        "labels",
        &labels,
        "research@gmail.com",
        last_label,
        false,
    );

    let rules: Vec<_> = [1, 4, 16, 64]
        .map(|n| (n, rules_policy(n)))
        .into_iter()
        .collect();
    bench_check(c, "rules", &rules, "research@gmail.com", doc_tags, true);
}

/// A tool with all three update blocks: the provenance and the labels of a document, carried
/// into the session.
const BLOCKS_POLICY: &str = r#"tool "read_document" {
    soft allow always;
    session before { when doc_id.value in {str matching r"DOC.*"} { @session.producers |= {"reader"}; } }
    result {
        @tags |= {"confidential", "internal_use"};
        when @session.tags overlaps {"untrusted"} { @tags |= {"tainted"}; }
    }
    session after { @session.tags |= @result.tags; }
}
"#;

/// `decide` plus `apply_result` (the blocks run in both), per engine.
fn blocks(c: &mut Criterion) {
    let mut group = c.benchmark_group("blocks");
    let output = sqrt_std::value::Value::from_json(&json!("the document text"));
    for engine in [Engine::Jit, Engine::Interp] {
        let (id, policy) = load(BLOCKS_POLICY, engine);
        if engine == Engine::Jit {
            // The three blocks above are native (the prelude's may add more).
            assert!(policy.native_blocks() >= 3, "{}", policy.native_blocks());
        }
        let mut session = policy.new_session();
        let args = session
            .args_from_json(&json!({"doc_id": "DOC12345"}))
            .unwrap();
        let tool = "read_document";
        assert!(policy.decide(tool, &args, &mut session).is_allowed());
        let result = policy
            .apply_result(tool, &args, &output, &mut session)
            .unwrap();
        let tags = result.meta.to_json(&session.labels)["tags"].clone();
        // The prelude marks every tool output non-executable (default presets).
        assert_eq!(
            tags,
            json!(["__non_executable", "confidential", "internal_use"]),
            "{id}"
        );
        group.bench_function(BenchmarkId::new(id, "lifecycle"), |b| {
            b.iter(|| {
                let allowed = policy.decide(black_box(tool), &args, &mut session);
                let r = policy.apply_result(tool, &args, &output, &mut session);
                (allowed, r.is_ok())
            })
        });
    }
    group.finish();
}

fn compile(c: &mut Criterion) {
    let mut group = c.benchmark_group("compile");
    group.sample_size(10);
    for n in [1, 10, 100, 1_000] {
        let source = compile_policy(n);
        let (module, _) = compile_module(&source, &Presets::default(), None).unwrap();
        let bytes = module.encode();
        for engine in [Engine::Jit, Engine::Interp] {
            let (id, _) = load(&source, engine);
            group.bench_with_input(
                BenchmarkId::new(format!("source_{id}"), n),
                &source,
                |b, source| {
                    b.iter_batched(
                        clear_matcher_cache,
                        |()| {
                            Policy::compile(black_box(source), &Presets::default())
                                .unwrap()
                                .with_engine(engine)
                        },
                        BatchSize::PerIteration,
                    )
                },
            );
            group.bench_with_input(
                BenchmarkId::new(format!("sqrtb_{id}"), n),
                &bytes,
                |b, bytes| {
                    b.iter_batched(
                        clear_matcher_cache,
                        |()| {
                            Policy::from_bytes(black_box(bytes))
                                .unwrap()
                                .with_engine(engine)
                        },
                        BatchSize::PerIteration,
                    )
                },
            );
        }
    }
    group.finish();
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
    targets = scaling, blocks, compile
}
criterion_main!(benches);
