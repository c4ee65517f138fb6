//! Times both parsers on the generated policy of `benches/benches/frontend.rs` (10,000 tool
//! blocks by default): `cargo run --release -p sqrt-compiler --example parse_lalr_bench [N]`.
//! A quick comparison for the parser swap; the criterion benches stay the reference.

use std::time::{Duration, Instant};

use sqrt_compiler::parse::{parse, parse_lalr};

/// The same blocks as the `frontend` bench (about 12 lines and 400 bytes each).
fn policy(n: usize) -> String {
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

/// The fastest of `runs` timings (the least disturbed by the other jobs on the machine).
fn best(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn main() {
    let n = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let src = policy(n);
    let (hand, lalr) = (parse(&src), parse_lalr(&src));
    assert!(hand.diagnostics.is_empty() && lalr.diagnostics.is_empty());
    assert_eq!(
        hand.program, lalr.program,
        "the parsers disagree on the generated policy"
    );
    let runs = 10;
    // `PROFILE=lalr|hand|none` runs only one parser (or none), for `perf record`/`perf stat`.
    match std::env::var("PROFILE").as_deref() {
        Ok("lalr") => return (0..runs).for_each(|_| drop(parse_lalr(&src))),
        Ok("hand") => return (0..runs).for_each(|_| drop(parse(&src))),
        Ok(_) => return,
        Err(_) => {}
    }
    let h = best(runs, || drop(parse(&src)));
    let l = best(runs, || drop(parse_lalr(&src)));
    let x = best(runs, || drop(sqrt_compiler::lex::lex(&src)));
    let mb = src.len() as f64 / 1e6;
    println!("{n} tool blocks, {:.2} MB, best of {runs}:", mb);
    println!(
        "  hand-written parse: {:>8.2} ms  ({:.0} MB/s)",
        h.as_secs_f64() * 1e3,
        mb / h.as_secs_f64()
    );
    println!(
        "  lalrpop parse_lalr: {:>8.2} ms  ({:.0} MB/s)",
        l.as_secs_f64() * 1e3,
        mb / l.as_secs_f64()
    );
    println!("  (of which lex::lex: {:>6.2} ms)", x.as_secs_f64() * 1e3);
}
