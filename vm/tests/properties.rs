//! Invariant 4: labels only grow along data flow. Generated straight-line programs combine a
//! tagged tool result with literals through operators, containers, methods and builtins; every
//! value computed from the tagged one must carry its tag, and the final value (which always
//! depends on it) must too.

mod common;

use common::*;
use proptest::prelude::*;
use serde_json::json;
use sqrt_vm::*;

/// Expressions over `t` (tainted str), `n` (tainted int) and earlier variables, all of which
/// depend on the tool result.
fn step() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("v = t + \"x\"".to_string()),
        Just("v = str(n) + t".to_string()),
        Just("v = [t, 1][0]".to_string()),
        Just("v = {\"k\": t}[\"k\"]".to_string()),
        Just("v = t.upper()".to_string()),
        Just("v = t.split(\",\")".to_string()),
        Just("v = len(t) + 1".to_string()),
        Just("v = n * 2 - 1".to_string()),
        Just("v = f\"{n:>4}\"".to_string()),
        Just("v = (t, 2)".to_string()),
        Just("v = sorted([n, 3])".to_string()),
        Just("v = max(n, 0)".to_string()),
        Just("v = [c for c in t]".to_string()),
        Just("v = n if n > 0 else -n".to_string()),
        Just("v = t or \"e\"".to_string()),
        Just("l = []\nl.append(t)\nv = l".to_string()),
        Just("d = {}\nd[t] = 1\nv = list(d.keys())".to_string()),
        Just("v = json.dumps({\"a\": n})".to_string()),
        Just("v = abs(n) // 1".to_string()),
        Just("v = \"-\".join([t, \"z\"])".to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]
    #[test]
    fn labels_never_disappear(steps in proptest::collection::vec(step(), 1..8)) {
        let mut src = String::from("import json\nr = get()\nt = r[\"s\"]\nn = r[\"n\"]\nacc = []\n");
        for s in &steps {
            src.push_str(s);
            src.push_str("\nacc.append(v)\nt = str(v)\n");
        }
        src.push_str("final_return_value = [t, acc]\n");
        let run = drive(&src, config(Mode::Normal, vec![get_stub()]), |_| {
            ret(json!({"s": "a,b", "n": 3}), Meta::tagged(&["secret"]))
        }, false);
        prop_assert!(run.outcome.error.is_none(), "{:?}\n{}", run.outcome.error, src);
        prop_assert_eq!(run.final_meta.tags, vec!["secret".to_string()], "{}", src);
    }
}
