//! The front end's operations in a plain loop, each result dropped before the next call:
//! prints the minimum and median wall time of `parse`/`check` on the benchmark's generated
//! policy. Criterion (`benches/frontend.rs`, the reference) keeps up to twenty results of a
//! sample alive until the sample ends, so every one of its iterations builds its IR in fresh
//! memory; this loop shows the same work with the memory reused, as in a long-running process,
//! and its minimum is the least disturbed number on a shared machine.
//!
//! ```text
//! cargo run --release -p sqrt-benches --example frontend_loop -- [parse_check|parse_check_one_thread|parse|parse_one_thread] [BLOCKS] [ITERATIONS] [keep]
//! ```

/// sqrtc's allocator (runtime/src/bin/sqrtc.rs): measured as shipped.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::time::Instant;

use sqrt_compiler::check::{CheckOptions, check, check_in_parts};
use sqrt_compiler::parse::{parse, parse_in_parts};
use sqrt_compiler::split::one_part;

#[path = "../benches/common/frontend.rs"]
mod generated;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let what = args.get(1).map_or("parse_check", String::as_str);
    let blocks = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let iterations: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(30);
    // `keep`: hold every result until the end, as criterion's `iter_with_large_drop` holds a
    // sample's, so each call builds its result in fresh memory.
    let keep = args.get(4).is_some_and(|s| s == "keep");
    let mut kept = Vec::new();
    let src = generated::policy(blocks);
    let opts = CheckOptions::default();
    let mut times = Vec::with_capacity(iterations);
    for _ in 0..iterations.max(1) {
        let start = Instant::now();
        let result: Box<dyn std::any::Any> = match what {
            "parse_check" => Box::new(check(&src, &opts)),
            "parse_check_one_thread" => Box::new(check_in_parts(&src, &opts, &one_part(&src))),
            "parse" => Box::new(parse(&src)),
            "parse_one_thread" => Box::new(parse_in_parts(&src, &one_part(&src))),
            other => {
                eprintln!("unknown operation `{other}`");
                std::process::exit(2);
            }
        };
        times.push(start.elapsed().as_secs_f64() * 1e3);
        if std::env::var_os("LOOP_TRACE").is_some() {
            eprint!("{:.1} ", times[times.len() - 1]);
        }
        if keep {
            kept.push(result);
        }
    }
    let rss_mib = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
            line.split_whitespace().nth(1)?.parse::<f64>().ok()
        })
        .map_or(0.0, |kib| kib / 1024.0);
    times.sort_by(f64::total_cmp);
    println!(
        "{what} {blocks} blocks ({} bytes), {} runs{}: min {:.1} ms, median {:.1} ms, peak RSS {rss_mib:.0} MiB",
        src.len(),
        times.len(),
        if keep { " (results kept)" } else { "" },
        times[0],
        times[times.len() / 2]
    );
}
