//! Arbitrary bytes → decode → the fast path against the lalrpop reference parser: the same
//! `Parsed` (tree, spans and diagnostics) on every input, and the fast path taken exactly
//! when the reference reports nothing. And the fast path one declaration at a time: the
//! streamed check (`check_streamed`) gives what the check of the whole tree gives, and is
//! taken exactly when the parse is clean.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sqrt_compiler::check::{CheckOptions, check_streamed, check_tree};
use sqrt_compiler::parse;
use sqrt_compiler::split::one_part;

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
    let opts = CheckOptions::default();
    let streamed = check_streamed(src, &opts, &one_part(src));
    assert_eq!(streamed.is_some(), reference.diagnostics.is_empty(), "stream taken on {src:?}");
    if let Some(streamed) = streamed {
        assert_eq!(
            format!("{streamed:?}"),
            format!("{:?}", check_tree(src, &opts)),
            "the streamed check differs from the whole tree's on {src:?}"
        );
    }
}
