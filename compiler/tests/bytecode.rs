//! Bytecode properties: modules round-trip through the file format, and the loader rejects
//! corrupted bytes without panicking (fail closed).

use proptest::prelude::*;
use sqrt_compiler::bytecode::Module;
use sqrt_compiler::policy::{Policy, compile_module};
use sqrt_std::prelude::Presets;
use sqrt_std::value::{MetaValue, Value};

/// Policy fragments; a generated program is any sequence of them.
const FRAGMENTS: &[&str] = &[
    r#"tool "send_email" { hard deny when (body.tags overlaps {"a", "b"}) and (not to.value in {str matching r".*@x\.com"}); }"#,
    r#"tool r"read_.*" { priority 3; soft allow when path.value in {w"/srv/*", int 1..5, float ..<2.5, bool true}; }"#,
    r#"tool "t" { session before { when "s" in @tags { @tags |= {"u"}; } } hard allow when @session.tags subset of {"u", "s"}; }"#,
    r##"tool "t" -> @consumers &= {"#hr"} when x.value == 3;"##,
    r#"tool "u" { result { @tags = @args.tags.union - {"z"} with "q"; } session after { @producers ^= {"p"}; } }"#,
    r#"tool "v" { soft deny when any xs.value in {str "a" length 1..3, datetime d"2024-01-01"}; must allow always; }"#,
    r#"tool "w" { hard deny when intersect of consumers from args is universal or y.producers is empty; }"#,
    r#"tool "d" { should deny when n.value in {datetime d"2024-01-01"..}; }"#,
];

fn program(picks: &[usize]) -> String {
    picks
        .iter()
        .map(|&i| FRAGMENTS[i % FRAGMENTS.len()])
        .collect::<Vec<_>>()
        .join("\n")
}

fn module(src: &str) -> Module {
    match compile_module(src, &Presets::default(), None) {
        Ok((m, _)) => m,
        Err(e) => panic!("fragment program does not compile: {e}\n{src}"),
    }
}

fn probe(policy: &Policy) {
    let mut session = policy.new_session();
    for tool in [
        "send_email",
        "read_x",
        "t",
        "u",
        "v",
        "w",
        "d",
        "parse_with_ai",
    ] {
        let args = vec![
            (
                "to".to_owned(),
                MetaValue::new(Value::Str("a@x.com".into()), Default::default()),
            ),
            (
                "xs".to_owned(),
                MetaValue::new(
                    Value::List(vec![Value::Str("a".into())]),
                    Default::default(),
                ),
            ),
        ];
        let v = policy.check(tool, &args, &mut session);
        if v.is_allowed() {
            let _ = policy.apply_result(tool, &args, &Value::Int(1), &mut session);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn modules_round_trip(picks in proptest::collection::vec(0usize..64, 0..6)) {
        let m = module(&program(&picks));
        let bytes = m.encode();
        let back = Module::decode(&bytes).unwrap();
        prop_assert_eq!(&back, &m);
        prop_assert_eq!(back.encode(), bytes);
        prop_assert!(Policy::from_module(back).is_ok());
    }

    #[test]
    fn corrupted_bytes_never_panic(
        picks in proptest::collection::vec(0usize..64, 1..4),
        edits in proptest::collection::vec((any::<usize>(), any::<u8>(), 0u8..4), 1..6),
    ) {
        let mut bytes = module(&program(&picks)).encode();
        for (at, byte, kind) in edits {
            if bytes.is_empty() { break; }
            let at = at % bytes.len();
            match kind {
                0 => bytes[at] = byte,
                1 => bytes[at] ^= 1 << (byte % 8),
                2 => bytes.insert(at, byte),
                _ => bytes.truncate(at),
            }
        }
        // Either the loader rejects the bytes, or they verify and then run without panicking.
        if let Ok(policy) = Policy::from_bytes(&bytes) {
            probe(&policy);
        }
    }
}

#[test]
fn foreign_and_truncated_files_are_rejected() {
    let bytes = module(FRAGMENTS[0]).encode();
    assert!(Policy::from_bytes(b"").is_err());
    assert!(Policy::from_bytes(b"not bytecode at all").is_err());
    assert!(Policy::from_bytes(&bytes[..bytes.len() - 1]).is_err());
    let mut other_version = bytes.clone();
    other_version[8] = 99;
    let e = Policy::from_bytes(&other_version).unwrap_err().to_string();
    assert!(e.contains("version 99"), "{e}");
    let mut trailing = bytes.clone();
    trailing.push(0);
    assert!(Policy::from_bytes(&trailing).is_err());
}

#[test]
fn tampered_source_fails_the_hash_check() {
    let mut m = module(FRAGMENTS[0]);
    m.source.push(' ');
    let e = Policy::from_module(m).unwrap_err().to_string();
    assert!(e.contains("hash"), "{e}");
}

#[test]
fn out_of_bounds_indices_are_rejected() {
    let mut m = module(FRAGMENTS[0]);
    m.args.clear();
    let e = Policy::from_module(m).unwrap_err().to_string();
    assert!(e.contains("argument index"), "{e}");
    let mut m = module(FRAGMENTS[0]);
    m.labels = Default::default();
    let e = Policy::from_module(m).unwrap_err().to_string();
    assert!(e.contains("label"), "{e}");
}

#[test]
fn cyclic_or_deep_expressions_are_rejected() {
    use sqrt_compiler::bytecode::PredNode;
    let mut m = module(FRAGMENTS[0]);
    let n = m.preds.len() as u32;
    m.preds.push(PredNode::Not(n)); // refers to itself
    assert!(
        Policy::from_module(m)
            .unwrap_err()
            .to_string()
            .contains("does not precede")
    );
    let mut m = module(FRAGMENTS[0]);
    for _ in 0..300 {
        let last = m.preds.len() as u32 - 1;
        m.preds.push(PredNode::Not(last));
    }
    assert!(
        Policy::from_module(m)
            .unwrap_err()
            .to_string()
            .contains("deeper")
    );
}
