//! Arbitrary program text → compile → run under small limits, with a scripted tool stub that
//! answers every call (values, tagged metas, catchable and uncatchable errors) and snapshots /
//! restores the VM at some suspensions. No input may panic (the VM's internal-error fallback
//! counts as a panic here) or grow memory past the limits (libFuzzer's `-rss_limit_mb`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::json;
use sqrt_vm::{NamedMeta, RaiseKind, Resume, RunConfig, Step, ToolStub, Vm, VmLimits};

fn tools() -> Vec<ToolStub> {
    vec![
        ToolStub::new("get_doc", &[("doc_id", true, json!({"type": "string"}))]),
        ToolStub::new(
            "send_email",
            &[
                ("to", true, json!({"type": "string"})),
                ("subject", false, json!({"type": "string"})),
                ("body", true, json!({"type": "string"})),
            ],
        ),
        ToolStub::new("search", &[("query", false, json!({}))]),
    ]
}

fn limits() -> VmLimits {
    VmLimits {
        instructions: 50_000,
        heap_bytes: 1 << 22,
        call_depth: 50,
        str_bytes: 1 << 16,
        collection_len: 10_000,
        printed_bytes: 1 << 14,
        regex_bytes: 1 << 14,
        ..VmLimits::default()
    }
}

/// The scripted world: the `n`-th answer, chosen by the call's seq and the input's first byte.
fn answer(n: u32, script: u8, vm: &mut Vm) -> Resume {
    let tags: &[&str] = if n % 2 == 0 { &["confidential"] } else { &[] };
    let meta = NamedMeta::tagged(tags).to_meta(vm.labels_mut());
    // Each call may bring a fresh label, so long runs grow the label table too.
    let fresh = NamedMeta::tagged(&[&format!("t{n}")]).to_meta(vm.labels_mut());
    let meta = meta.join(&fresh);
    let values = [
        json!("DOC text: hello, 42"),
        json!({"id": n, "items": [1, 2.5, "x", null, true], "nested": {"k": "v"}}),
        json!([{"a": 1}, {"a": "b"}]),
        json!(n),
        json!(null),
    ];
    match (u32::from(script) + n) % 8 {
        6 => Resume::Raise {
            kind: RaiseKind::ToolError,
            message: "tool failed".into(),
            meta,
            catchable: true,
        },
        7 => Resume::Raise {
            kind: RaiseKind::PolicyDenied,
            message: "denied".into(),
            meta,
            catchable: script % 2 == 0,
        },
        k => Resume::Return {
            value: values[k as usize % values.len()].clone(),
            meta,
        },
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&script, text)) = data.split_first() else {
        return;
    };
    let src = String::from_utf8_lossy(text);
    let cfg = RunConfig {
        tools: tools(),
        parse_with_ai: script & 4 != 0,
        mode: if script & 8 != 0 {
            sqrt_vm::Mode::Strict
        } else {
            sqrt_vm::Mode::Normal
        },
        limits: limits(),
        ..RunConfig::default()
    };
    let mut vm = Vm::new(&src, cfg);
    let mut step = vm.run();
    let mut n = 0u32;
    let outcome = loop {
        match step {
            Step::Done(o) => break o,
            Step::ToolCall(_) => {
                if n < 64 && (script >> 4) & 1 == 1 {
                    let bytes = vm.snapshot().expect("a suspended VM snapshots");
                    vm = Vm::restore(&bytes).expect("a fresh snapshot restores");
                }
                let r = answer(n, script, &mut vm);
                n += 1;
                step = vm.resume(r);
            }
        }
    };
    if let Some(e) = &outcome.error {
        assert_ne!(e.kind, "InternalError", "{}", e.rendered);
    }
});
