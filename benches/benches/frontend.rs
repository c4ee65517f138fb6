//! Front-end throughput: lexing + parsing (and checking, and formatting) generated policies of
//! 100, 1,000 and 10,000 tool blocks: `parse` (the whole tree), `parse_check` (what `sqrtc
//! check` does: each part read one declaration at a time, never the whole tree), the same two
//! on one thread (`*_one_thread`; a text of 512 KiB or more is otherwise split into four parts
//! per CPU), `check` (the checker alone on a parsed tree) and `fmt`. Target: parse + check of
//! 10,000 blocks under 50 ms, linear in size.

/// sqrtc's allocator (runtime/src/bin/sqrtc.rs): measured as shipped.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use sqrt_compiler::check::{CheckOptions, check, check_ast, check_in_parts, check_streamed};
use sqrt_compiler::fmt::format;
use sqrt_compiler::parse::{fast_path_taken, parse, parse_in_parts};
use sqrt_compiler::split::{one_part, parts};

#[path = "common/frontend.rs"]
mod generated;
use generated::policy;

fn frontend(c: &mut Criterion) {
    let mut group = c.benchmark_group("frontend");
    group.sample_size(20);
    for n in [100usize, 1_000, 10_000] {
        let src = policy(n);
        assert!(
            parse(&src).diagnostics.is_empty(),
            "the generated policy must parse cleanly"
        );
        assert!(
            fast_path_taken(&src),
            "the generated policy must take the parser's fast path"
        );
        assert!(
            check_streamed(&src, &CheckOptions::default(), &parts(&src)).is_some(),
            "the generated policy must be checked one declaration at a time"
        );
        group.throughput(Throughput::Bytes(src.len() as u64));
        // The target first: the whole trees the `parse` benches keep alive (twenty of 50 MB
        // each per sample at 10,000 blocks) leave the heap in a state that slows whatever runs
        // after them in this process by 10-20 %.
        group.bench_with_input(BenchmarkId::new("parse_check", n), &src, |b, src| {
            b.iter_with_large_drop(|| check(src, &CheckOptions::default()))
        });
        // The same on one thread (a text of 512 KiB and more is parsed and checked in parts,
        // four per CPU: `split`).
        group.bench_with_input(
            BenchmarkId::new("parse_check_one_thread", n),
            &src,
            |b, src| {
                b.iter_with_large_drop(|| {
                    check_in_parts(src, &CheckOptions::default(), &one_part(src))
                })
            },
        );
        group.bench_with_input(BenchmarkId::new("parse", n), &src, |b, src| {
            b.iter_with_large_drop(|| parse(src))
        });
        group.bench_with_input(BenchmarkId::new("parse_one_thread", n), &src, |b, src| {
            b.iter_with_large_drop(|| parse_in_parts(src, &one_part(src)))
        });
        let program = parse(&src).program;
        // The checker alone, on an already parsed tree (`parse_check` minus `parse`): the
        // checker consumes the tree, so each iteration gets a copy made outside the timing.
        group.bench_with_input(BenchmarkId::new("check", n), &program, |b, program| {
            b.iter_batched(
                || program.clone(),
                |program| check_ast(program, &CheckOptions::default(), false),
                BatchSize::LargeInput,
            )
        });
        group.bench_with_input(BenchmarkId::new("fmt", n), &src, |b, src| {
            b.iter(|| format(&program, src))
        });
    }
    group.finish();
}

criterion_group!(benches, frontend);
criterion_main!(benches);
