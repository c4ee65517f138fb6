//! Stage `view`: a call (arguments, session meta) as the flat `#[repr(C)]` record native code
//! reads at fixed offsets (docs/jit.md "The call view").
//!
//! Label sets are stored as the `LabelSet`'s inline words: the `u128` split into two `u64` (bit
//! 127 is the complement flag), and one bit per field saying the set also has spilled words
//! (labels ≥ 127). Native code only computes on inline words; a set with spilled words sends the
//! predicate that reads it to the interpreter (see `lower`), which reads the `LabelSet` itself.
//!
//! The view is rebuilt for every check, so it is kept small: every word stored here is an
//! instruction on the check path. Metas no entry reads are not built at all.

use std::mem::MaybeUninit;

use sqrt_std::label::LabelSet;
use sqrt_std::meta::Meta;
use sqrt_std::value::Value;

use crate::interp::{Args, Env, Interp, Vote};

/// One label set's inline words.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct LabelView {
    /// Labels 0..=63.
    pub lo: u64,
    /// Labels 64..=126 in bits 0..=62; bit 63 is the complement flag.
    pub hi: u64,
}

/// A meta: tags, producers, consumers (in `Field` order).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct MetaView {
    pub fields: [LabelView; 3],
    /// Bit `i` set: field `i` also has spilled words, which only the interpreter reads.
    pub spilled: u64,
}

/// One argument slot: the value's kind, its string bytes (for `Str`), and its meta.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct SlotView {
    /// One of the `KIND_*` constants.
    pub kind: u64,
    pub str_ptr: *const u8,
    pub str_len: usize,
    pub value: *const Value,
    /// The argument's `Meta` itself, for helpers that need the spilled words.
    pub meta_ptr: *const Meta,
    pub meta: MetaView,
}

pub const KIND_NONE: u64 = 0;
pub const KIND_BOOL: u64 = 1;
pub const KIND_INT: u64 = 2;
pub const KIND_FLOAT: u64 = 3;
pub const KIND_STR: u64 = 4;
pub const KIND_DATETIME: u64 = 5;
pub const KIND_LIST: u64 = 6;
pub const KIND_DICT: u64 = 7;

/// Everything a verdict function reads and writes. Inputs first, then the vote buffer and the
/// combination state the native code maintains.
#[repr(C)]
#[derive(Debug)]
pub struct CallView {
    pub slots: *const SlotView,
    /// The session meta and the field-wise union / intersection of all argument metas; each
    /// null unless an entry of the check reads it (`EntryPlan::needs_*`).
    pub session: *const MetaView,
    pub args_union: *const MetaView,
    pub args_intersect: *const MetaView,
    /// For helpers that evaluate a sub-expression with the interpreter.
    pub interp: *const Interp,
    /// A `*const Env<'_>` for the duration of the call.
    pub env: *const (),
    pub votes: *mut Vote,
    pub n_votes: usize,
    /// Highest priority among the soft votes so far (valid when `any_soft`).
    pub top_priority: i64,
    pub any_soft: u8,
    /// Some soft vote at `top_priority` denies.
    pub deny_at_top: u8,
    pub hard_deny: u8,
    pub hard_allow: u8,
    pub fail_fast: u8,
    /// Set by native code after a hard DENY under `fail_fast`: evaluate nothing more.
    pub stop: u8,
    /// Set when a helper failed (caught a panic): the whole check falls back.
    pub failed: u8,
}

/// What an update function reads and writes: the call (its `session` pointing at `session`
/// below), and the metas the block updates, in place, as raw inline words. The Rust side
/// builds it only for metas without spilled words and writes the words back when the function
/// succeeds (`jit::update`).
#[repr(C)]
#[derive(Debug)]
pub struct UpdateView {
    pub call: CallView,
    pub session: MetaView,
    /// The tool output's meta (`result` and `session after` blocks).
    pub result: MetaView,
    /// The reserved (`__`) labels of the session's table: tags a user statement keeps (§4.4).
    pub reserved: LabelView,
}

impl CallView {
    /// A view of the call in `env` with no slots, aggregates or votes yet, and the combination
    /// state at its start.
    #[inline(always)]
    pub fn new(interp: &Interp, env: &Env<'_>) -> CallView {
        CallView {
            slots: std::ptr::null(),
            session: std::ptr::null(),
            args_union: std::ptr::null(),
            args_intersect: std::ptr::null(),
            interp,
            env: (env as *const Env<'_>).cast(),
            votes: std::ptr::null_mut(),
            n_votes: 0,
            top_priority: i64::MIN,
            any_soft: 0,
            deny_at_top: 0,
            hard_deny: 0,
            hard_allow: 0,
            fail_fast: 0,
            stop: 0,
            failed: 0,
        }
    }
}

impl LabelView {
    /// Inlined everywhere: a view built in a callee and copied into the caller's buffer costs a
    /// store-forwarding stall per 16 bytes, which dominated the seed check.
    #[inline(always)]
    pub fn of(word: u128) -> LabelView {
        LabelView {
            lo: word as u64,
            hi: (word >> 64) as u64,
        }
    }

    pub fn word(self) -> u128 {
        u128::from(self.lo) | u128::from(self.hi) << 64
    }
}

impl MetaView {
    #[inline(always)]
    pub fn of(meta: &Meta) -> MetaView {
        let sets = [&meta.tags, &meta.producers, &meta.consumers];
        MetaView {
            fields: sets.map(|s| LabelView::of(s.inline_word())),
            spilled: spilled_bits(sets.map(|s| !s.spill_words().is_empty())),
        }
    }

    /// Field-wise union (`intersect` false) or intersection of the call's argument metas, on
    /// inline words. A field some argument spills is marked spilled: native code then defers the
    /// predicate reading it to the interpreter, which computes it exactly.
    pub fn fold_args(args: &Args, intersect: bool) -> MetaView {
        let start = if intersect {
            LabelSet::UNIVERSAL
        } else {
            LabelSet::EMPTY
        };
        let mut fields = [start.inline_word(); 3];
        let mut spilled = [false; 3];
        for (_, mv) in args {
            for (i, set) in [&mv.meta.tags, &mv.meta.producers, &mv.meta.consumers]
                .into_iter()
                .enumerate()
            {
                spilled[i] |= !set.spill_words().is_empty();
                fields[i] = fold_word(fields[i], set.inline_word(), intersect);
            }
        }
        MetaView {
            fields: fields.map(LabelView::of),
            spilled: spilled_bits(spilled),
        }
    }
}

fn spilled_bits(spilled: [bool; 3]) -> u64 {
    spilled
        .iter()
        .enumerate()
        .fold(0, |bits, (i, &s)| bits | u64::from(s) << i)
}

/// Union or intersection of two inline words (complement flags included), for sets without
/// spill: the characteristic word is the raw word with bits 0..=126 flipped under the flag.
fn fold_word(a: u128, b: u128, intersect: bool) -> u128 {
    let t = |w: u128| w ^ if w >> 127 != 0 { !(1u128 << 127) } else { 0 };
    let r = if intersect { t(a) & t(b) } else { t(a) | t(b) };
    t(r)
}

impl SlotView {
    /// The slot of argument `name` (a missing argument is `None` with the ⊥ meta).
    #[inline(always)]
    pub fn of(args: &Args, name: &str) -> SlotView {
        static NONE: Value = Value::None;
        static BOTTOM: Meta = Meta::BOTTOM;
        let (value, meta) = args
            .iter()
            .find(|(n, _)| same_name(n, name))
            .map_or((&NONE, None), |(_, mv)| (&mv.value, Some(&mv.meta)));
        let (kind, str_ptr, str_len) = match value {
            Value::None => (KIND_NONE, std::ptr::null(), 0),
            Value::Bool(_) => (KIND_BOOL, std::ptr::null(), 0),
            Value::Int(_) => (KIND_INT, std::ptr::null(), 0),
            Value::Float(_) => (KIND_FLOAT, std::ptr::null(), 0),
            Value::Str(s) => (KIND_STR, s.as_ptr(), s.len()),
            Value::Datetime(..) => (KIND_DATETIME, std::ptr::null(), 0),
            Value::List(_) => (KIND_LIST, std::ptr::null(), 0),
            Value::Dict(_) => (KIND_DICT, std::ptr::null(), 0),
        };
        let meta = meta.unwrap_or(&BOTTOM);
        SlotView {
            kind,
            str_ptr,
            str_len,
            value,
            meta_ptr: meta,
            meta: MetaView::of(meta),
        }
    }
}

/// Equality of the short strings a check looks up (tool and argument names), without a call
/// into libc's `memcmp`: for names of a few bytes its call and dispatch cost more than the
/// comparison (a quarter of the seed check before this).
#[inline(always)]
pub fn same_name(a: &str, b: &str) -> bool {
    same_bytes(a.as_bytes(), b.as_bytes())
}

/// `same_name` on bytes (also the literal tests of `Matcher`).
#[inline(always)]
pub fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    // Two overlapping loads cover every length in a range: [0, n-w) and [n-w, n).
    let w4 = |s: &[u8], i: usize| u32::from_ne_bytes([s[i], s[i + 1], s[i + 2], s[i + 3]]);
    let w8 = |s: &[u8], i: usize| {
        let mut x = [0; 8];
        x.copy_from_slice(&s[i..i + 8]);
        u64::from_ne_bytes(x)
    };
    match n {
        0..=3 => (0..n).all(|i| a[i] == b[i]),
        4..=8 => w4(a, 0) == w4(b, 0) && w4(a, n - 4) == w4(b, n - 4),
        9..=16 => w8(a, 0) == w8(b, 0) && w8(a, n - 8) == w8(b, n - 8),
        _ => a == b,
    }
}

/// A buffer that lives on the stack up to `N` elements and on the heap beyond: the check path
/// allocates nothing for ordinary policies.
pub struct Scratch<T, const N: usize> {
    inline: [MaybeUninit<T>; N],
    heap: Vec<T>,
    cap: usize,
}

impl<T: Copy, const N: usize> Scratch<T, N> {
    pub fn new(cap: usize) -> Scratch<T, N> {
        Scratch {
            inline: [const { MaybeUninit::uninit() }; N],
            heap: if cap > N {
                Vec::with_capacity(cap)
            } else {
                Vec::new()
            },
            cap,
        }
    }

    /// Writable storage for `cap` elements.
    pub fn as_mut_ptr(&mut self) -> *mut T {
        if self.cap > N {
            self.heap.as_mut_ptr()
        } else {
            self.inline.as_mut_ptr().cast()
        }
    }

    /// The first `len` elements, which the caller has initialised through `as_mut_ptr`.
    ///
    /// # Safety
    /// `len <= cap` and elements `0..len` were written.
    pub unsafe fn init_slice(&mut self, len: usize) -> &[T] {
        debug_assert!(len <= self.cap);
        // SAFETY: the caller initialised `len <= cap` elements of the active buffer.
        unsafe { std::slice::from_raw_parts(self.as_mut_ptr(), len) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{offset_of, size_of};

    /// The layout docs/jit.md documents.
    #[test]
    fn layout_is_the_documented_one() {
        assert_eq!(size_of::<LabelView>(), 16);
        assert_eq!(size_of::<MetaView>(), 56);
        assert_eq!(offset_of!(MetaView, spilled), 48);
        assert_eq!(size_of::<SlotView>(), 96);
        assert_eq!(offset_of!(SlotView, meta_ptr), 32);
        assert_eq!(offset_of!(SlotView, meta), 40);
        assert_eq!(offset_of!(CallView, session), 8);
        assert_eq!(offset_of!(CallView, args_union), 16);
        assert_eq!(offset_of!(CallView, args_intersect), 24);
        assert_eq!(offset_of!(CallView, interp), 32);
        assert_eq!(offset_of!(CallView, votes), 48);
        assert_eq!(offset_of!(CallView, top_priority), 64);
        assert_eq!(offset_of!(CallView, any_soft), 72);
        assert_eq!(offset_of!(CallView, failed), 78);
        assert_eq!(size_of::<CallView>(), 80);
        assert_eq!(offset_of!(UpdateView, session), 80);
        assert_eq!(offset_of!(UpdateView, result), 136);
        assert_eq!(offset_of!(UpdateView, reserved), 192);
    }

    #[test]
    fn same_name_is_string_equality() {
        let names = [
            "",
            "a",
            "b",
            "ab",
            "to",
            "tp",
            "abc",
            "body",
            "bodx",
            "xody",
            "abcdefg",
            "abcdefh",
            "bbcdefg",
            "abcdefgh",
            "send_email",
            "send_emaik",
            "tend_email",
            "send_emailX",
            "0123456789abcdef",
            "0123456789abcdeF",
            "0123456789abcdefg",
            "0123456789abcdefh",
        ];
        for a in names {
            for b in names {
                assert_eq!(same_name(a, b), a == b, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn folding_argument_metas_matches_the_label_set_algebra() {
        use sqrt_std::label::Label;
        use sqrt_std::value::MetaValue;
        let sets = [
            LabelSet::from_labels([Label(1), Label(70)]),
            LabelSet::cofinite([Label(1), Label(3)]),
            LabelSet::universal(),
            LabelSet::empty(),
        ];
        for a in &sets {
            for b in &sets {
                let meta = |s: &LabelSet| Meta {
                    tags: s.clone(),
                    ..Meta::BOTTOM
                };
                let args = vec![
                    ("a".to_owned(), MetaValue::new(Value::None, meta(a))),
                    ("b".to_owned(), MetaValue::new(Value::None, meta(b))),
                ];
                for (intersect, want) in [(false, a.union(b)), (true, a.intersect(b))] {
                    let view = MetaView::fold_args(&args, intersect);
                    assert_eq!(view.spilled, 0);
                    let v = view.fields[0];
                    let word = u128::from(v.lo) | u128::from(v.hi) << 64;
                    assert_eq!(word, want.inline_word(), "{a:?} {b:?} {intersect}");
                }
            }
        }
    }
}
