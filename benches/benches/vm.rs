//! Planner VM: parse + validate + compile + run of the seed programs (driving their two tool
//! calls as a host would), and a 1,000-iteration loop. TODO(next): the same programs under
//! `monty` in the same run, for comparison.

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;
use sqrt_vm::{Mode, NamedMeta, Resume, RunConfig, Step, ToolStub, Vm};
use std::hint::black_box;

/// The seed tutorial's program 1, verbatim (shared with the `sqrtc run` tests).
const SEED_1: &str = include_str!("../../tests/run/seed_program_1.py");

/// The seed tutorial's program 2, verbatim (shared with the `sqrtc run` tests).
const SEED_2: &str = include_str!("../../tests/run/seed_program_2.py");

const LOOP: &str = r#"total = 0
items = []
for i in range(1000):
    if i % 3 == 0:
        items.append(i)
    total += i * 2
final_return_value = [total, len(items)]
"#;

fn config() -> RunConfig {
    let s = json!({"type": "string"});
    RunConfig {
        mode: Mode::Normal,
        tools: vec![
            ToolStub::new("get_internal_document", &[("doc_id", true, s.clone())]),
            ToolStub::new(
                "send_email",
                &[
                    ("to", true, s.clone()),
                    ("subject", true, s.clone()),
                    ("body", true, s),
                ],
            ),
        ],
        ..RunConfig::default()
    }
}

fn run(src: &str, cfg: RunConfig) -> serde_json::Value {
    let mut vm = Vm::new(src, cfg);
    let mut step = vm.run();
    loop {
        match step {
            Step::Done(o) => return o.final_return_value,
            Step::ToolCall(req) => {
                let meta = if req.tool == "get_internal_document" {
                    NamedMeta::tagged(&["__non_executable", "confidential", "internal_use"])
                } else {
                    NamedMeta::default()
                }
                .to_meta(vm.labels_mut());
                step = vm.resume(Resume::Return {
                    value: json!("The document content is: ..."),
                    meta,
                });
            }
        }
    }
}

fn bench_vm(c: &mut Criterion) {
    c.bench_function("vm/seed_program_1", |b| {
        b.iter(|| run(black_box(SEED_1), config()))
    });
    c.bench_function("vm/seed_program_2", |b| {
        b.iter(|| run(black_box(SEED_2), config()))
    });
    c.bench_function("vm/loop_1000", |b| {
        b.iter(|| run(black_box(LOOP), RunConfig::default()))
    });
    c.bench_function("vm/compile_only_seed_2", |b| {
        b.iter(|| Vm::new(black_box(SEED_2), config()))
    });
}

criterion_group!(benches, bench_vm);
criterion_main!(benches);
