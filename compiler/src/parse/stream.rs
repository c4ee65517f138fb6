//! A well-formed text read one declaration at a time, for `check`, which never needs the whole
//! tree: a policy's tree can be checked and freed before the next is parsed, so the check's
//! working set stays one declaration instead of tens of megabytes for a large file (time then
//! grows linearly with the text, and no page of the tree is faulted in more than once).
//!
//! Lets come first, all of them (a let may be used before it is written, so `check` resolves
//! them before any policy), then the tool declarations in order. Both are parsed by the fast
//! path (`descent`) with the very actions and token positions of a one-pass parse, and the
//! declarations are independent of each other, so every item is the one `parse` would build.
//! Anything the fast path does not read exactly (a lexical problem, a declaration it gives up
//! on, a reported problem, an unclaimed doc comment) makes `open` return `None` or `finish`
//! return `false`, and the caller parses the whole text with the reference parser instead.

use super::descent::{declaration, skip_tool};
use super::{Cx, K};
use crate::ast::{Item, ItemKind, LetDecl};
use crate::lex;

/// The lets of a text part, each with its index among the part's declarations.
pub type Lets = Vec<(usize, LetDecl)>;

/// The tool declarations of a text part whose lets were parsed (`Stream::open`), parsed one by
/// one as the iterator is advanced.
pub struct Stream<'s> {
    cx: Cx<'s>,
    /// Per tool declaration: its index among the part's declarations, its first token, and
    /// the token after it (as `skip_tool` found it).
    tools: Vec<(usize, usize, usize)>,
    next: usize,
    failed: bool,
}

impl<'s> Stream<'s> {
    /// Lexes the part `range` of `src` (as if it were the whole text, spans into `src`), parses
    /// its lets and finds its tool declarations. `None` where the fast path cannot read the
    /// part's lets exactly.
    pub fn open(src: &'s str, range: std::ops::Range<usize>) -> Option<(Stream<'s>, Lets)> {
        let lexed = lex::scan_docs_apart(src, range);
        if !lexed.diagnostics.is_empty() {
            return None;
        }
        let docs = lexed.docs.unwrap_or_default();
        let cx = Cx::new(src, lexed.tokens, &docs, lexed.unterminated);
        if !cx.poison.borrow().is_empty() {
            return None;
        }
        // Sized once: a list that doubles copies every let parsed so far.
        let (lets, tools) = cx.keywords;
        let (mut lets, mut tools) = (Vec::with_capacity(lets), Vec::with_capacity(tools));
        let mut i = 0;
        for n in 0.. {
            match cx.kinds[i] {
                K::End => break,
                K::Let => {
                    i = declaration(&cx, i)?;
                    match cx.items.pop()?.kind {
                        ItemKind::Let(decl) => lets.push((n, decl)),
                        _ => return None,
                    }
                }
                K::Tool => {
                    let end = skip_tool(&cx.kinds, i)?;
                    tools.push((n, i, end));
                    i = end;
                }
                _ => return None,
            }
        }
        let stream = Stream {
            cx,
            tools,
            next: 0,
            failed: false,
        };
        Some((stream, lets))
    }

    /// Whether every tool declaration was read and the part is exactly what a one-pass parse
    /// reads without a single diagnostic.
    pub fn finish(self) -> bool {
        !self.failed && self.next == self.tools.len() && self.cx.finish().is_empty()
    }
}

impl Iterator for Stream<'_> {
    /// A tool declaration with its index among the part's declarations.
    type Item = (usize, Item);

    /// The next tool declaration; `None` at the end, or where the fast path gives up on one
    /// (then `finish` is `false`).
    fn next(&mut self) -> Option<(usize, Item)> {
        let &(n, at, end) = self.tools.get(self.next)?;
        let item = (declaration(&self.cx, at) == Some(end))
            .then(|| self.cx.items.pop())
            .flatten()
            .filter(|item| !matches!(item.kind, ItemKind::Error));
        self.failed = item.is_none();
        self.next += usize::from(item.is_some());
        Some((n, item?))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.tools.len() - self.next;
        (0, Some(left))
    }
}
