//! Differential property test: native verdicts, fired rules and updated metas equal the
//! interpreter's on generated policies and calls (generator in `jit_gen`).

mod jit_gen;

use proptest::prelude::*;

proptest! {
    // With the 300 seeds below, about 2,000 policy/call pairs per run (3.5 calls per policy).
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn jit_equals_interpreter(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let mut stats = jit_gen::Stats::default();
        if let Err(e) = jit_gen::check(&bytes, &mut stats) {
            prop_assert!(false, "{}", e);
        }
    }
}

/// The generator produces policies that compile (a generator that only made rejected text
/// would make the property vacuous) and calls that reach the spilled-label paths.
#[test]
fn the_generator_mostly_makes_valid_policies() {
    let mut stats = jit_gen::Stats::default();
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..300 {
        let bytes: Vec<u8> = (0..400)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        jit_gen::check(&bytes, &mut stats).unwrap();
    }
    assert!(
        stats.policies >= 240,
        "only {} of 300 generated policies compiled ({} rejected)",
        stats.policies,
        stats.rejected
    );
    assert!(stats.calls >= 800, "{stats:?}");
    // Update blocks compile, and run natively on the calls whose metas fit the inline words.
    assert!(stats.native_blocks >= 50, "{stats:?}");
    assert!(stats.native_runs >= 100, "{stats:?}");
    eprintln!("generator: {stats:?}");
}
