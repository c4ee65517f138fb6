//! Invariant 3: no input panics the front end or the VM. Mutated corpus programs (bytes deleted,
//! duplicated or replaced at random) are compiled and run under small limits; any outcome is
//! fine, a panic is not.

mod common;

use proptest::prelude::*;
use sqrt_vm::*;

fn corpus() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect()
}

fn limits() -> VmLimits {
    VmLimits {
        instructions: 20_000,
        heap_bytes: 1 << 22,
        str_bytes: 1 << 16,
        collection_len: 10_000,
        ..VmLimits::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        // NO_PANIC_CASES=20000 for a longer local fuzz run.
        cases: std::env::var("NO_PANIC_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(300),
        ..ProptestConfig::default()
    })]
    #[test]
    fn mutated_programs_never_panic(pick in 0usize..1000, edits in proptest::collection::vec((0usize..10_000, 0u8..3, 0u8..128), 1..6)) {
        let c = corpus();
        let mut src: Vec<char> = c[pick % c.len()].chars().collect();
        for (pos, kind, byte) in edits {
            if src.is_empty() { break; }
            let p = pos % src.len();
            match kind {
                0 => { src.remove(p); }
                1 => { let ch = src[p]; src.insert(p, ch); }
                _ => { src[p] = (byte.max(9)) as char; }
            }
        }
        let src: String = src.into_iter().collect();
        let out = common::drive(&src, RunConfig { limits: limits(), ..RunConfig::default() }, |_| common::ret(serde_json::json!(null), common::Meta::default()), false);
        // The VM turns an internal panic into an `InternalError` outcome (fail closed); here that
        // still counts as a bug.
        let kind = out.outcome.error.map(|e| e.kind).unwrap_or_default();
        prop_assert_ne!(kind, "InternalError", "{}", src);
    }
}

/// Inputs the `program` fuzz target crashed on, run the way it runs them (the first byte picks
/// the host's script, the rest is read as UTF-8 with replacement characters): each must end
/// with an outcome, not a panic.
#[test]
fn fuzz_regressions_end_with_an_outcome() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let src = String::from_utf8_lossy(&bytes[1..]);
        let cfg = RunConfig {
            limits: limits(),
            ..RunConfig::default()
        };
        let mut vm = Vm::new(&src, cfg);
        assert!(matches!(vm.run(), Step::Done(_)));
        n += 1;
    }
    assert!(n >= 1, "the regression inputs are missing");
}
