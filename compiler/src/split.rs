//! A large source text split at declaration boundaries, so that its parts lex, parse, check and
//! are freed on separate threads (`parse::parse`, `check::check`).
//!
//! A part starts at a line that begins (in column 0) with `tool "`, `tool r"` or `let `, moved
//! up over the `///` and blank lines just above it (so a declaration keeps its doc comment).
//! Each part is lexed and parsed as if it were a whole file. When every part parses without a
//! single diagnostic, the parts' items, in order, are exactly the whole file's items: each part
//! then ends with a complete declaration (`;` or `}`), the lexer and the classifier look no
//! further than the next token past a `;` or `}`, and the grammar (`Item*` at the top, no
//! conflicts) has one derivation. Anything else (a split inside a block comment or a
//! declaration, a syntax error anywhere) gives some part a diagnostic, and the caller parses the
//! whole text on one thread instead, so diagnostics always come from the one-part parse.

use std::ops::Range;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::parse::{Parsed, parse_range};

/// The smallest part worth splitting off: below twice this size, a text is one part.
pub const MIN_PART: usize = 256 * 1024;

/// Parts per available CPU. More parts than threads let a thread whose core is slower (a
/// machine shared with other work) take fewer of them: threads take the next part as they
/// finish one (`map`).
const PARTS_PER_CPU: usize = 4;

/// At most this many parts.
const MAX_PARTS: usize = 32;

/// The parts of `src`: `PARTS_PER_CPU` per available CPU (at most `MAX_PARTS`), each at least
/// `MIN_PART` bytes, split at declaration boundaries; one part (the whole text) when it is
/// small or there is one CPU.
pub fn parts(src: &str) -> Vec<Range<usize>> {
    if src.len() < 2 * MIN_PART {
        return one_part(src).to_vec();
    }
    match cpus() {
        1 => one_part(src).to_vec(),
        n => parts_for(src, (n * PARTS_PER_CPU).min(MAX_PARTS), MIN_PART),
    }
}

/// Asked once per process: on Linux each ask reads the cgroup files (about 30 µs, twenty
/// system calls), and a check asks several times.
fn cpus() -> usize {
    static CPUS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CPUS.get_or_init(|| std::thread::available_parallelism().map_or(1, usize::from))
}

/// The whole text as one part: `parse_in_parts`/`check_in_parts` on one thread.
#[allow(
    clippy::single_range_in_vec_init,
    reason = "a list of parts that has one part"
)]
pub fn one_part(src: &str) -> [Range<usize>; 1] {
    [0..src.len()]
}

/// `parts` with an explicit part count and minimum part size (tests split small texts).
pub fn parts_for(src: &str, parts: usize, min_part: usize) -> Vec<Range<usize>> {
    let n = parts.min(src.len() / min_part.max(1)).max(1);
    let mut starts = vec![0];
    for k in 1..n {
        let (from, to) = (k * src.len() / n, (k + 1) * src.len() / n);
        let last = *starts.last().expect("starts with 0");
        if let Some(at) = declaration_line(src, from.max(last + 1), to).filter(|&a| a > last) {
            starts.push(at);
        }
    }
    let mut ends: Vec<usize> = starts[1..].to_vec();
    ends.push(src.len());
    starts.into_iter().zip(ends).map(|(s, e)| s..e).collect()
}

/// The first line starting at or after `from` and before `to` that begins a declaration, moved
/// up over the doc comment and blank lines right above it.
fn declaration_line(src: &str, from: usize, to: usize) -> Option<usize> {
    let bytes = src.as_bytes();
    let mut at = from;
    while at < to {
        // The start of the next line.
        let line = if at > 0 && bytes[at - 1] == b'\n' {
            at
        } else {
            at + bytes[at..].iter().position(|&b| b == b'\n')? + 1
        };
        if line >= to {
            return None;
        }
        let rest = &bytes[line..];
        if rest.starts_with(b"tool \"")
            || rest.starts_with(b"tool r\"")
            || rest.starts_with(b"let ")
        {
            return Some(up_over_docs(bytes, line)).filter(|&s| s > 0);
        }
        at = line + 1;
    }
    None
}

fn up_over_docs(bytes: &[u8], mut line: usize) -> usize {
    while line > 0 {
        let prev_start = bytes[..line - 1]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let prev = bytes[prev_start..line - 1].trim_ascii();
        if !(prev.is_empty() || prev.starts_with(b"///")) {
            break;
        }
        line = prev_start;
    }
    line
}

/// Each part parsed on its own thread, or `None` when there is one part or any part has a
/// diagnostic (the caller then parses the whole text).
pub fn parse(src: &str, parts: &[Range<usize>]) -> Option<Vec<Parsed>> {
    if parts.len() < 2 {
        return None;
    }
    let parsed = map(parts, |r| parse_range(src, r.clone()));
    if parsed.iter().any(|p| !p.diagnostics.is_empty()) {
        drop_all(parsed);
        return None;
    }
    Some(parsed)
}

/// `f` of every entry, in order, on up to one thread per CPU (this one included): each thread
/// takes the next entry as it finishes one.
pub fn map<T: Send, R: Send>(
    entries: impl IntoIterator<Item = T>,
    f: impl Fn(T) -> R + Sync,
) -> Vec<R> {
    map_fold(entries, f, Vec::new(), Vec::push)
}

/// `f` of every entry, as `map` runs it, with the results folded into `acc` by `g` in entry
/// order: each result as soon as it and all before it are done, by a thread that finished one
/// of them. The fold then runs while later entries are still being mapped, and only the last
/// entry's share of it is left when the last entry is done.
pub fn map_fold<T: Send, R: Send, A: Send>(
    entries: impl IntoIterator<Item = T>,
    f: impl Fn(T) -> R + Sync,
    mut acc: A,
    g: impl Fn(&mut A, R) + Sync,
) -> A {
    let entries: Vec<Mutex<Option<T>>> = entries.into_iter().map(|e| Mutex::new(Some(e))).collect();
    if entries.len() < 2 {
        for e in entries {
            if let Some(e) = e.into_inner().unwrap_or_else(|p| p.into_inner()) {
                g(&mut acc, f(e));
            }
        }
        return acc;
    }
    let results: Vec<Mutex<Option<R>>> = entries.iter().map(|_| Mutex::new(None)).collect();
    // The accumulator, and how many results it has taken.
    let folded = Mutex::new((acc, 0));
    let next = AtomicUsize::new(0);
    // Folds what is ready, in order, unless another thread is folding: a thread never waits
    // for the fold (it maps its next entry instead).
    let fold_ready = || {
        loop {
            let Ok(mut state) = folded.try_lock() else {
                return;
            };
            let (acc, n) = &mut *state;
            fold_in_order(&results, acc, n, &g);
            let n = *n;
            drop(state);
            // A result stored after the loop looked at its slot was stored by a thread that
            // then found `folded` taken, by this thread: folded here, or by whoever locks next.
            if results.get(n).is_none_or(|slot| lock(slot).is_none()) {
                return;
            }
        }
    };
    let work = || {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(entry) = entries.get(i) else { break };
            // Each entry is taken once, by the thread that drew its index.
            let Some(e) = lock(entry).take() else {
                continue;
            };
            let r = f(e);
            *lock(&results[i]) = Some(r);
            fold_ready();
        }
    };
    std::thread::scope(|s| {
        for _ in 1..cpus().min(entries.len()) {
            s.spawn(work);
        }
        // A panic on another thread is the same bug on this one: the scope passes it on.
        work();
    });
    let (mut acc, mut n) = folded.into_inner().unwrap_or_else(|p| p.into_inner());
    // Every result is folded by now (see `fold_ready`); this only makes sure of it.
    fold_in_order(&results, &mut acc, &mut n, &g);
    assert_eq!(n, entries.len(), "every entry was mapped and folded");
    acc
}

/// Folds the results from the `n`-th on into `acc`, in order, up to the first not yet there.
fn fold_in_order<R, A>(
    results: &[Mutex<Option<R>>],
    acc: &mut A,
    n: &mut usize,
    g: &impl Fn(&mut A, R),
) {
    while let Some(r) = results.get(*n).and_then(|slot| lock(slot).take()) {
        g(acc, r);
        *n += 1;
    }
}

/// The lock's contents, also after a panic elsewhere (which the scope passes on anyway).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Frees large values on up to one thread per CPU (freeing a tree costs about a fifth of
/// building it).
pub fn drop_all<T: Send>(values: Vec<T>) {
    map(values, drop);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_keeps_the_order_whoever_takes_an_entry() {
        let entries: Vec<u64> = (0..50).collect();
        let doubled = map(entries, |i| {
            // Uneven work, so threads take entries out of turn.
            std::thread::sleep(std::time::Duration::from_micros((i % 7) * 200));
            i * 2
        });
        assert_eq!(doubled, (0..50).map(|i| i * 2).collect::<Vec<u64>>());
        assert_eq!(map(Vec::<u8>::new(), |b| b), Vec::<u8>::new());
        assert_eq!(map([7], |b| b + 1), vec![8]);
    }

    #[test]
    fn map_fold_folds_in_order_each_result_once() {
        // Later entries finish first, so results wait for the ones before them.
        let folded = map_fold(
            0..40u64,
            |i| {
                std::thread::sleep(std::time::Duration::from_micros((40 - i) % 9 * 300));
                i
            },
            (Vec::new(), 0),
            |(order, sum): &mut (Vec<u64>, u64), i| {
                order.push(i);
                *sum += i;
            },
        );
        assert_eq!(folded.0, (0..40).collect::<Vec<u64>>());
        assert_eq!(folded.1, (0..40).sum::<u64>());
        // Entries that take no time, so threads finish them at once and race for the fold.
        for _ in 0..300 {
            let order = map_fold(0..64u32, |i| i, Vec::new(), Vec::push);
            assert_eq!(order, (0..64).collect::<Vec<u32>>());
        }
        assert_eq!(map_fold([5u8], |b| b + 1, 1u8, |a, b| *a *= b), 6);
        assert_eq!(map_fold(Vec::<u8>::new(), |b| b, 3u8, |a, b| *a += b), 3);
    }

    #[test]
    fn splits_before_docs_at_declarations_only() {
        let src = "let a = {\"x\"};\n/// doc\n\ntool \"t\" -> @tags |= {\"y\"};\n  tool \"u\" {}\nlet b = {\"z\"};\n";
        let parts = parts_for(src, 4, 1);
        let texts: Vec<&str> = parts.iter().map(|r| &src[r.clone()]).collect();
        assert_eq!(texts.concat(), src);
        for t in &texts[1..] {
            assert!(t.starts_with("/// doc") || t.starts_with("let b"), "{t:?}");
        }
        assert!(texts.len() >= 2);
        assert_eq!(parts_for(src, 4, src.len()), vec![0..src.len()]);
        assert_eq!(parts_for("", 4, 1), vec![0..0]);
    }
}
