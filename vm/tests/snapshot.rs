//! planner.md §6: a suspended run is data.

mod common;

use common::*;
use serde_json::json;
use sqrt_vm::*;

const MULTI: &str = r#"
import json
def fetch(i):
    try:
        return get()
    except ToolError:
        return None
seen = []
totals = {}
def add(k, v):
    totals[k] = totals.get(k, 0) + v
    return len(totals)
for i in range(4):
    r = fetch(i)
    seen.append(r)
    add(r["kind"], r["n"])
    if r["n"] > 2:
        send(to="ops@x", body=json.dumps(r))
final_return_value = {"seen": len(seen), "totals": totals, "kinds": sorted(totals)}
"#;

fn answers() -> impl FnMut(&Req) -> Ans {
    let mut i = 0;
    move |req| {
        if req.tool == "send" {
            return ret(json!("ok"), Meta::default());
        }
        i += 1;
        let kind = ["a", "b"][i % 2];
        ret(json!({"kind": kind, "n": i}), Meta::tagged(&["t"]))
    }
}

fn cfg() -> RunConfig {
    config(Mode::Normal, vec![get_stub(), send_stub()])
}

#[test]
fn suspending_at_every_call_changes_nothing() {
    let plain = drive(MULTI, cfg(), answers(), false);
    let snap = drive(MULTI, cfg(), answers(), true);
    assert_eq!(plain.requests.len(), 6, "4 gets and 2 sends");
    assert_eq!(plain.outcome, snap.outcome);
    assert_eq!(plain.requests, snap.requests);
    assert_eq!(
        plain.outcome.final_return_value,
        json!({"seen": 4, "totals": {"b": 4, "a": 6}, "kinds": ["a", "b"]})
    );
    assert_eq!(plain.final_meta.tags, vec!["t".to_string()]);
}

fn suspended() -> (Vm, Vec<u8>) {
    let mut vm = Vm::new(MULTI, cfg());
    assert!(matches!(vm.run(), Step::ToolCall(_)));
    let bytes = vm.snapshot().unwrap();
    (vm, bytes)
}

#[test]
fn equal_states_give_equal_bytes() {
    let (_, a) = suspended();
    let (_, b) = suspended();
    assert_eq!(a, b);
    assert_eq!(&a[..8], b"SQRTSNAP");
}

#[test]
fn corruption_is_an_error_never_a_panic() {
    let (_, bytes) = suspended();
    let mut flipped = bytes.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 0x55;
    assert!(matches!(
        Vm::restore(&flipped),
        Err(SnapshotError::Corrupt(_))
    ));
    let mut fmt = bytes.clone();
    fmt[8] = 99;
    assert_eq!(Vm::restore(&fmt).err(), Some(SnapshotError::Format(99)));
    assert_eq!(
        Vm::restore(b"not a snapshot").err(),
        Some(SnapshotError::NotASnapshot)
    );
    for cut in (0..bytes.len()).step_by(7) {
        assert!(Vm::restore(&bytes[..cut]).is_err(), "truncated at {cut}");
    }
    // A payload whose checksum was recomputed but whose program hash lies.
    let mut hash = bytes.clone();
    let vlen = hash[12] as usize;
    hash[13 + vlen] ^= 1;
    assert_eq!(Vm::restore(&hash).err(), Some(SnapshotError::ProgramHash));
}

#[test]
fn restored_run_resumes_in_a_fresh_vm() {
    let (vm, bytes) = suspended();
    drop(vm);
    let mut vm = Vm::restore(&bytes).unwrap();
    let mut host = answers();
    let first = to_resume(
        ret(json!({"kind": "a", "n": 0}), Meta::default()),
        vm.labels_mut(),
    );
    let mut step = vm.resume(first);
    while let Step::ToolCall(req) = step {
        let req = named(&req, vm.labels());
        let r = to_resume(host(&req), vm.labels_mut());
        step = vm.resume(r);
    }
    let Step::Done(o) = step else { unreachable!() };
    assert_eq!(o.error, None);
    assert_eq!(o.final_return_value["seen"], json!(4));
}

#[test]
fn retries_carry_globals_with_labels_and_reset_the_result() {
    let cfg = || config(Mode::Strict, vec![get_stub()]);
    let mut vm = Vm::new(
        "x = get()\nfinal_return_value = 1\ny = x[\"missing\"]",
        cfg(),
    );
    let Step::ToolCall(_) = vm.run() else {
        panic!("expected a call")
    };
    let r = to_resume(ret(json!({"k": 1}), Meta::tagged(&["t"])), vm.labels_mut());
    let Step::Done(first) = vm.resume(r) else {
        panic!("expected the end")
    };
    let err = first.error.unwrap();
    assert_eq!((err.kind.as_str(), err.redacted), ("KeyError", true));
    let carry = vm.carry_over(Some(&err.meta));
    let mut next = Vm::new(
        "final_return_value = len(x)",
        RunConfig {
            carry: Some(carry),
            ..cfg()
        },
    );
    let Step::Done(o) = next.run() else {
        panic!("no calls in attempt 2")
    };
    assert_eq!(o.error, None);
    assert_eq!(o.final_return_value, json!(1));
    assert_eq!(
        Meta::from_meta(&o.final_meta, next.labels()).tags,
        vec!["t".to_string()]
    );
}

#[test]
fn tools_cannot_run_inside_callbacks() {
    let src = "def k(v):\n  return get()\ntry:\n  s = sorted([2, 1], key=k)\nexcept RuntimeError as e:\n  final_return_value = str(e)";
    let r = drive(src, cfg(), answers(), false);
    assert_eq!(
        r.outcome.final_return_value,
        json!("tools cannot be called inside a key or map/filter function; use a for loop")
    );
    assert!(r.requests.is_empty());
}

#[test]
fn limits_stop_the_run() {
    let mut small = VmLimits {
        str_bytes: 1000,
        collection_len: 100,
        printed_bytes: 10,
        heap_bytes: 1 << 20,
        ..VmLimits::default()
    };
    let cases = [
        ("s = 'x' * 2000", "string size"),
        ("l = list(range(1000))", "collection size"),
        ("print('hello world')", "printed output"),
        (
            "l = []\nwhile True:\n  l.append([1, 2, 3])",
            "collection size",
        ),
    ];
    for (src, what) in cases {
        let r = drive(
            src,
            RunConfig {
                limits: small.clone(),
                ..RunConfig::default()
            },
            answers(),
            false,
        );
        let e = r.outcome.error.expect("limit");
        assert_eq!(e.code, ErrorCode::LimitExceeded, "{src}");
        assert!(e.message.contains(what), "{src}: {}", e.message);
    }
    small.collection_len = 1_000_000;
    let r = drive(
        "l = []\nwhile True:\n  l.append([1, 2, 3])",
        RunConfig {
            limits: small,
            ..RunConfig::default()
        },
        answers(),
        false,
    );
    assert!(r.outcome.error.unwrap().message.contains("heap"));
    let r = drive(
        "def f(n):\n  return f(n + 1)\ntry:\n  f(0)\nexcept RecursionError:\n  final_return_value = 'deep'",
        RunConfig::default(),
        answers(),
        false,
    );
    assert_eq!(r.outcome.final_return_value, json!("deep"));
}

#[test]
fn deep_nesting_is_bounded_not_a_crash() {
    let src = "t = ()\ntry:\n  for i in range(1000):\n    t = (t,)\nexcept RecursionError:\n  final_return_value = 'capped'";
    let r = drive(src, RunConfig::default(), answers(), false);
    assert_eq!(r.outcome.final_return_value, json!("capped"));
    let src = "l = []\nfor i in range(100000):\n  l = [l]\nm = [l]\ntry:\n  x = l < m\nexcept RecursionError:\n  x = 'deep'\nfinal_return_value = [len(repr(l)) > 0, x, len(str(l)) < 1000]";
    let r = drive(src, RunConfig::default(), answers(), false);
    assert_eq!(r.outcome.error, None);
    assert_eq!(r.outcome.final_return_value, json!([true, "deep", true]));
}

#[test]
fn garbage_is_collected_before_the_heap_limit() {
    let limits = VmLimits {
        heap_bytes: 2 << 20,
        ..VmLimits::default()
    };
    let src = "keep = []\nfor i in range(100000):\n  x = {\"i\": i, \"l\": [i, i]}\n  if i % 1000 == 0:\n    keep.append(x)\nfinal_return_value = [len(keep), keep[3][\"l\"]]";
    let plain = drive(
        src,
        RunConfig {
            limits: limits.clone(),
            ..RunConfig::default()
        },
        answers(),
        false,
    );
    assert_eq!(plain.outcome.error, None);
    assert_eq!(plain.outcome.final_return_value, json!([100, [3000, 3000]]));
    // Live data beyond the limit still stops the run.
    let src = "keep = []\nfor i in range(100000):\n  keep.append({\"i\": i})";
    let r = drive(
        src,
        RunConfig {
            limits,
            ..RunConfig::default()
        },
        answers(),
        false,
    );
    assert_eq!(r.outcome.error.unwrap().code, ErrorCode::LimitExceeded);
}

#[test]
fn now_is_the_run_clock() {
    let cfg = RunConfig {
        clock_micros: 1_767_225_600_000_000,
        ..RunConfig::default()
    };
    let src = "from datetime import datetime, date, timezone\nfinal_return_value = [datetime.now().isoformat(), str(date.today()), datetime.now(timezone.utc).isoformat()]";
    let r = drive(src, cfg, answers(), false);
    assert_eq!(
        r.outcome.final_return_value,
        json!([
            "2026-01-01T00:00:00",
            "2026-01-01",
            "2026-01-01T00:00:00+00:00"
        ])
    );
}

/// A crafted snapshot (payload bytes changed, checksum recomputed) is rejected or, if it passes
/// the structural checks, runs to some outcome: never a panic.
#[test]
fn crafted_snapshots_never_panic() {
    use sha2::{Digest, Sha256};
    let (_, bytes) = suspended();
    let vlen = bytes[12] as usize;
    let payload_at = 13 + vlen + 64;
    let sum_at = 13 + vlen + 32;
    let mut accepted = 0;
    for (k, pos) in (payload_at..bytes.len()).step_by(3).enumerate() {
        let mut b = bytes.clone();
        b[pos] = b[pos].wrapping_add(1 + (k % 7) as u8);
        let sum = Sha256::digest(&b[payload_at..]);
        b[sum_at..sum_at + 32].copy_from_slice(&sum);
        if let Ok(mut vm) = Vm::restore(&b) {
            accepted += 1;
            let r = to_resume(
                ret(json!({"kind": "a", "n": 1}), Meta::default()),
                vm.labels_mut(),
            );
            let mut step = vm.resume(r);
            let mut guard = 0;
            while let Step::ToolCall(_) = step {
                guard += 1;
                if guard > 20 {
                    break;
                }
                let r = to_resume(
                    ret(json!({"kind": "a", "n": 1}), Meta::default()),
                    vm.labels_mut(),
                );
                step = vm.resume(r);
            }
        }
    }
    assert!(accepted > 0, "some mutations are structurally valid");
}

#[test]
fn label_walks_are_charged_to_the_instruction_budget() {
    let limits = VmLimits {
        instructions: 1_000_000,
        ..VmLimits::default()
    };
    // The list changes every iteration, so each condition walks it again (the deep-label cache
    // is invalidated by the mutation): 1,000 walks of 200,000 elements exceed the budget.
    let src = "l = list(range(200000))\nn = 0\nwhile l and n < 1000:\n  n += 1\n  l[0] = n\nfinal_return_value = n";
    let r = drive(
        src,
        RunConfig {
            limits: limits.clone(),
            ..RunConfig::default()
        },
        answers(),
        false,
    );
    assert_eq!(r.outcome.error.unwrap().code, ErrorCode::LimitExceeded);
    // Unchanged, it is walked once and its cached label reused.
    let r = drive(
        "l = list(range(200000))\nn = 0\nwhile l and n < 1000:\n  n += 1\nfinal_return_value = n",
        RunConfig {
            limits: limits.clone(),
            ..RunConfig::default()
        },
        answers(),
        false,
    );
    assert_eq!(r.outcome.error, None);
    assert_eq!(r.outcome.final_return_value, serde_json::json!(1000));
    let r = drive(
        "l = list(range(200))\nn = 0\nwhile l and n < 1000:\n  n += 1\nfinal_return_value = n",
        RunConfig {
            limits,
            ..RunConfig::default()
        },
        answers(),
        false,
    );
    assert_eq!(r.outcome.final_return_value, json!(1000));
}
