//! The front-end benchmark's generated policy, shared by `benches/frontend.rs` and
//! `examples/frontend_loop.rs`.

/// `n` realistic tool blocks: a let, a policy with priority, two rules and a result block, and a
/// shorthand (12 lines and 556 bytes per block, 108 tokens).
pub fn policy(n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        s.push_str(&format!(
            r##"/// Block {i}.
let sensitive_{i} = {{"internal_use", "confidential", "pii_{i}"}};
tool "send_email_{i}" {{
    priority {p};
    hard deny when (body.tags overlaps sensitive_{i}) and (not to.value in {{str matching r".*@trustedcorp\.com"}});
    soft allow when path.value in {{w"/srv/public/*", "a", "b"}} or @args.producers superset of {{"ledger"}};
    result {{
        @tags |= {{"t{i}"}}; // tag the output
        when "restricted" in @tags {{ @consumers &= {{"#hr"}}; }}
    }}
}}
tool "fetch_{i}" -> @producers |= {{"src_{i}"}} when port.value in {{int 1..1024}};
"##,
            p = i % 10
        ));
    }
    s
}
