//! Arbitrary bytes → decode → the fast path against the lalrpop reference parser: the same
//! `Parsed` (tree, spans and diagnostics) on every input, and the fast path taken exactly
//! when the reference reports nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sqrt_compiler::parse;

fuzz_target!(|data: &[u8]| check(data));

fn check(data: &[u8]) {
    let Ok(src) = parse::decode(data) else { return };
    let fast = parse::parse(src);
    let reference = parse::parse_reference(src);
    assert_eq!(
        format!("{fast:?}"),
        format!("{reference:?}"),
        "the fast path differs from the reference on {src:?}"
    );
    assert_eq!(
        parse::fast_path_taken(src),
        reference.diagnostics.is_empty(),
        "fast path taken on {src:?}, reference diagnostics {:?}",
        reference.diagnostics
    );
}
