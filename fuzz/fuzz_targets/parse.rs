//! Arbitrary bytes → decode → parse → fmt. Nothing may panic or overflow the stack, and every
//! file that parses must format to text that parses to the same tree (spans aside), keeps the
//! comments in order, and formats to itself (sqrt.md §7).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sqrt_compiler::{fmt, parse};

fuzz_target!(|data: &[u8]| check(data));

fn check(data: &[u8]) {
    let Ok(src) = parse::decode(data) else { return };
    let parsed = parse::parse(src);
    let out = fmt::format(&parsed.program, src);
    if parsed.has_errors() {
        return;
    }
    let again = parse::parse(&out);
    assert!(
        !again.has_errors(),
        "formatted text does not parse:\n{out}\n{:?}",
        again.diagnostics
    );
    assert_eq!(
        shape(&again.program),
        shape(&parsed.program),
        "tree changed:\n{out}"
    );
    assert_eq!(fmt::format(&again.program, &out), out, "not idempotent");
}

/// The tree's debug form with every `Span { start: N, end: M }` blanked out, and the comment texts.
fn shape(p: &sqrt_compiler::ast::Program) -> String {
    let text = format!(
        "{:?}",
        (
            &p.items,
            p.comments.iter().map(|c| &c.text).collect::<Vec<_>>()
        )
    );
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(i) = rest.find("Span { start: ") {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        let end = after.find('}').map_or(after.len(), |j| j + 1);
        out.push('_');
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}
