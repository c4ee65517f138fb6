//! Rule ids (`<id>#<n>`, n counting over every policy with that id text) and the warnings
//! that compare rules (W0001, W0002), for the checked policies of a file.
//!
//! Each policy is numbered and linted as it is added, while it is still in the cache, as if no
//! other policy had its id. The ids that several policies share are found afterwards, by
//! sorting the ids' hashes (`settle`, and `append` across parts), and only those policies are
//! numbered and linted again. Almost every id is unique, so that is almost no work, where a
//! hash table keyed by id took a random memory access per policy (about 4 % of a large check).

use std::collections::HashMap;
use std::hash::BuildHasher;

use rustc_hash::FxBuildHasher;

use super::lint;
use crate::diag::Diagnostic;
use crate::ir;

/// No policy (in `same_id_before`).
const NONE: usize = usize::MAX;

/// Checked policies, numbered and linted: those of one part on that part's thread
/// (`push`, then `settle`), then the parts appended in order (`append`).
pub(super) struct Policies {
    pub list: Vec<ir::Policy>,
    /// The hash of each policy's id text, with the policy's index: in the order the policies
    /// came until `settle`, then sorted (by hash, then index).
    ids: Vec<(u64, usize)>,
    /// For each policy, the previous one with the same id text (`NONE`: none), for W0002.
    same_id_before: Vec<usize>,
    /// W0001 and W0002 so far with the policy each is about, when linting; given only if the
    /// file has no error.
    pub lint: Option<Vec<(usize, Diagnostic)>>,
}

impl Policies {
    pub fn new(capacity: usize, lint: bool) -> Policies {
        Policies {
            list: Vec::with_capacity(capacity),
            ids: Vec::with_capacity(capacity),
            same_id_before: Vec::with_capacity(capacity),
            lint: lint.then(Vec::new),
        }
    }

    /// Adds the next policy, numbered and linted as if no policy before it had its id (until
    /// `settle`).
    pub fn push(&mut self, p: ir::Policy) {
        let hash = FxBuildHasher.hash_one(p.id_text.as_str());
        self.push_hashed(p, hash);
    }

    /// `push` with the id's hash given (tests give colliding hashes).
    pub(super) fn push_hashed(&mut self, mut p: ir::Policy, hash: u64) {
        let index = self.list.len();
        number(&mut p, 0);
        self.ids.push((hash, index));
        self.same_id_before.push(NONE);
        self.list.push(p);
        self.lint_last(index);
    }

    /// Numbers and lints again every policy whose id text an earlier one has: after the
    /// last `push`, before `append`.
    pub fn settle(&mut self) {
        self.ids.sort_unstable();
        let mut again = Vec::new();
        for group in self.ids.chunk_by(|a, b| a.0 == b.0) {
            if group.len() < 2 {
                continue;
            }
            for same in by_text(&self.list, group) {
                let mut named = self.list[same[0]].rules.len();
                for pair in same.windows(2) {
                    let (before, i) = (pair[0], pair[1]);
                    number(&mut self.list[i], named);
                    named += self.list[i].rules.len();
                    self.same_id_before[i] = before;
                    again.push(i);
                }
            }
        }
        self.lint_again(again);
    }

    /// Appends the policies of the next part (both settled), numbered and linted on their own:
    /// those whose id text an earlier part has too are renumbered after the earlier ones and
    /// linted again.
    pub fn append(&mut self, next: Policies) {
        if self.list.is_empty() {
            // Nothing to renumber against: the part as it is, with the room this list has.
            let room = self.list.capacity();
            *self = next;
            let more = room.saturating_sub(self.list.len());
            self.list.reserve_exact(more);
            self.same_id_before.reserve_exact(more);
            return;
        }
        let base = self.list.len();
        // Per policy of `next` whose id an earlier part has too: how many rules of that id
        // come before it, and the policy of that id right before it.
        let mut shared: HashMap<usize, (usize, usize), FxBuildHasher> = HashMap::default();
        let (a, b) = (&self.ids, &next.ids);
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            let hash = a[i].0;
            match hash.cmp(&b[j].0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    let a_end = i + a[i..].iter().take_while(|x| x.0 == hash).count();
                    let b_end = j + b[j..].iter().take_while(|x| x.0 == hash).count();
                    for same in by_text(&next.list, &b[j..b_end]) {
                        let text = &next.list[same[0]].id_text;
                        let earlier = a[i..a_end]
                            .iter()
                            .map(|&(_, p)| p)
                            .filter(|&p| self.list[p].id_text == *text);
                        let (mut named, mut before) =
                            earlier.fold((0, NONE), |(n, _), p| (n + self.list[p].rules.len(), p));
                        if before != NONE {
                            for k in same {
                                shared.insert(k, (named, before));
                                named += next.list[k].rules.len();
                                before = base + k;
                            }
                        }
                    }
                    (i, j) = (a_end, b_end);
                }
            }
        }
        self.ids = merge_sorted(
            std::mem::take(&mut self.ids),
            next.ids.iter().map(|&(h, k)| (h, base + k)),
        );
        let local = next.list.into_iter().zip(next.same_id_before);
        for (k, (mut p, before)) in local.enumerate() {
            let before = match shared.get(&k) {
                Some(&(named, link)) => {
                    number(&mut p, named);
                    link
                }
                None if before == NONE => NONE,
                None => base + before,
            };
            self.list.push(p);
            self.same_id_before.push(before);
        }
        if let (Some(found), Some(more)) = (&mut self.lint, next.lint) {
            let kept = more.into_iter().filter(|(k, _)| !shared.contains_key(k));
            found.extend(kept.map(|(k, d)| (base + k, d)));
        }
        self.lint_again(shared.into_keys().map(|k| base + k).collect());
    }

    /// W0001 and W0002 for policy `i`, against the policies before it.
    fn lint_last(&mut self, i: usize) {
        if let Some(found) = &mut self.lint {
            let mut diags = Vec::new();
            lint::rules(&self.list[..=i], &self.same_id_before[..=i], &mut diags);
            found.extend(diags.into_iter().map(|d| (i, d)));
        }
    }

    /// Lints the policies `again` anew, in order, dropping what they were linted with before.
    fn lint_again(&mut self, mut again: Vec<usize>) {
        if again.is_empty() {
            return;
        }
        again.sort_unstable();
        if let Some(found) = &mut self.lint {
            found.retain(|(i, _)| again.binary_search(i).is_err());
        }
        for i in again {
            self.lint_last(i);
        }
    }
}

/// The policies of `group` (whose ids hash alike, in ascending order) by id text: equal
/// hashes of different texts are told apart here. Each list is ascending.
fn by_text(list: &[ir::Policy], group: &[(u64, usize)]) -> Vec<Vec<usize>> {
    let mut members: Vec<usize> = group.iter().map(|&(_, i)| i).collect();
    let mut lists = Vec::new();
    while let Some(&first) = members.first() {
        let text = &list[first].id_text;
        let (same, rest) = members.iter().partition(|&&i| list[i].id_text == *text);
        lists.push(same);
        members = rest;
    }
    lists
}

/// Two lists sorted ascending, merged into one.
fn merge_sorted<T: Ord>(a: Vec<T>, b: impl Iterator<Item = T>) -> Vec<T> {
    let mut out = Vec::with_capacity(a.len() + b.size_hint().0);
    let mut b = b.peekable();
    for x in a {
        while let Some(y) = b.next_if(|y| *y < x) {
            out.push(y);
        }
        out.push(x);
    }
    out.extend(b);
    out
}

/// Gives the rules of `p` their ids `<id>#<n>`, counting from `named + 1`.
fn number(p: &mut ir::Policy, named: usize) {
    for (k, r) in p.rules.iter_mut().enumerate() {
        r.id = rule_id(&p.id_text, named + k + 1);
    }
}

/// `<id>#<n>`, sized exactly: inline (no allocation) up to 24 bytes, one allocation beyond.
/// The digits are written by hand: `write!` went through the formatting machinery for every
/// rule of every policy.
pub(super) fn rule_id(id: &str, mut n: usize) -> ir::Text {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let digits = std::str::from_utf8(&digits[at..]).unwrap_or_default();
    let mut out = ir::Text::with_capacity(id.len() + 1 + digits.len());
    out.push_str(id);
    out.push('#');
    out.push_str(digits);
    out
}
