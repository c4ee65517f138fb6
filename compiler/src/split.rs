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

use crate::parse::{Parsed, parse_range};

/// The smallest part worth a thread of its own: below twice this size, a text is one part.
pub const MIN_PART: usize = 256 * 1024;

/// At most this many parts (threads).
const MAX_PARTS: usize = 8;

/// The parts of `src`: one per available CPU (at most `MAX_PARTS`), each at least `MIN_PART`
/// bytes, split at declaration boundaries; one part (the whole text) when it is small.
pub fn parts(src: &str) -> Vec<Range<usize>> {
    // Asked only for a large text: on Linux it reads the cgroup CPU quota files.
    if src.len() < 2 * MIN_PART {
        return one_part(src).to_vec();
    }
    let cpus = std::thread::available_parallelism().map_or(1, usize::from);
    parts_for(src, cpus.min(MAX_PARTS), MIN_PART)
}

/// The whole text as one part: `parse_in_parts`/`check_in_parts` on one thread.
#[allow(
    clippy::single_range_in_vec_init,
    reason = "a list of parts that has one part"
)]
pub fn one_part(src: &str) -> [Range<usize>; 1] {
    [0..src.len()]
}

/// `parts` with an explicit thread count and minimum part size (tests split small texts).
pub fn parts_for(src: &str, threads: usize, min_part: usize) -> Vec<Range<usize>> {
    let n = threads.min(src.len() / min_part.max(1)).max(1);
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

/// `f` of every entry, each on its own thread (the first on this one), in order.
pub fn map<T: Send, R: Send>(
    entries: impl IntoIterator<Item = T>,
    f: impl Fn(T) -> R + Sync,
) -> Vec<R> {
    let mut entries = entries.into_iter();
    let Some(first) = entries.next() else {
        return Vec::new();
    };
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = entries.map(|e| s.spawn(move || f(e))).collect();
        let mut out = Vec::with_capacity(handles.len() + 1);
        out.push(f(first));
        // A panic on a part's thread is the same bug on this thread: pass it on.
        out.extend(
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))),
        );
        out
    })
}

/// Frees large values on one thread each (freeing a tree costs about a fifth of building it).
pub fn drop_all<T: Send>(values: Vec<T>) {
    if values.len() < 2 {
        return;
    }
    std::thread::scope(|s| {
        let mut values = values.into_iter();
        let first = values.next();
        for v in values {
            s.spawn(move || drop(v));
        }
        drop(first);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

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
