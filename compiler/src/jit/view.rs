//! Stage `view`: a call (arguments, session meta) as the flat `#[repr(C)]` record native code
//! reads at fixed offsets (docs/jit.md "The call view").
//!
//! Label sets are stored as the `LabelSet`'s own words: the inline `u128` split into two `u64`
//! (bit 127 is the complement flag) and a pointer/length pair for the spilled words of labels
//! ≥ 127. Native code only computes on inline words; a set with spilled words sends the
//! predicate that reads it to the interpreter (see `lower`).

use std::mem::MaybeUninit;

use sqrt_std::label::LabelSet;
use sqrt_std::meta::Meta;
use sqrt_std::value::Value;

use crate::interp::{Args, Interp, Vote};

/// One label set: inline words and the spill.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct LabelView {
    /// Labels 0..=63.
    pub lo: u64,
    /// Labels 64..=126 in bits 0..=62; bit 63 is the complement flag.
    pub hi: u64,
    /// Spilled words (labels ≥ 127), valid for `spill_len` words.
    pub spill: *const u64,
    pub spill_len: usize,
}

/// A meta: tags, producers, consumers (in `Field` order).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct MetaView {
    pub fields: [LabelView; 3],
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
    pub session: MetaView,
    pub args_union: MetaView,
    pub args_intersect: MetaView,
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

impl LabelView {
    pub fn of(set: &LabelSet) -> LabelView {
        let word = set.inline_word();
        let spill = set.spill_words();
        LabelView {
            lo: word as u64,
            hi: (word >> 64) as u64,
            spill: spill.as_ptr(),
            spill_len: spill.len(),
        }
    }

    fn raw(word: u128) -> LabelView {
        LabelView {
            lo: word as u64,
            hi: (word >> 64) as u64,
            spill: std::ptr::null(),
            spill_len: 0,
        }
    }
}

impl MetaView {
    pub fn of(meta: &Meta) -> MetaView {
        MetaView {
            fields: [
                LabelView::of(&meta.tags),
                LabelView::of(&meta.producers),
                LabelView::of(&meta.consumers),
            ],
        }
    }

    /// Field-wise union (`intersect` false) or intersection of the call's argument metas, on
    /// inline words. A field some argument spills gets `spill_len` 1 (and no words): native code
    /// then defers the predicate reading it to the interpreter, which computes it exactly.
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
        let mut view = MetaView {
            fields: fields.map(LabelView::raw),
        };
        for (f, s) in view.fields.iter_mut().zip(spilled) {
            if s {
                f.spill_len = 1;
            }
        }
        view
    }
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
    pub fn of(args: &Args, name: &str) -> SlotView {
        static NONE: Value = Value::None;
        let (value, meta) = args
            .iter()
            .find(|(n, _)| n == name)
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
        SlotView {
            kind,
            str_ptr,
            str_len,
            value,
            meta: MetaView::of(meta.unwrap_or(&Meta::BOTTOM)),
        }
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
        assert_eq!(size_of::<LabelView>(), 32);
        assert_eq!(size_of::<MetaView>(), 96);
        assert_eq!(size_of::<SlotView>(), 128);
        assert_eq!(offset_of!(SlotView, meta), 32);
        assert_eq!(offset_of!(CallView, session), 8);
        assert_eq!(offset_of!(CallView, args_union), 104);
        assert_eq!(offset_of!(CallView, args_intersect), 200);
        assert_eq!(offset_of!(CallView, interp), 296);
        assert_eq!(offset_of!(CallView, votes), 312);
        assert_eq!(offset_of!(CallView, top_priority), 328);
        assert_eq!(offset_of!(CallView, any_soft), 336);
        assert_eq!(offset_of!(CallView, failed), 342);
        assert_eq!(size_of::<CallView>(), 344);
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
                    let v = MetaView::fold_args(&args, intersect).fields[0];
                    assert_eq!(v.spill_len, 0);
                    let word = u128::from(v.lo) | u128::from(v.hi) << 64;
                    assert_eq!(word, want.inline_word(), "{a:?} {b:?} {intersect}");
                }
            }
        }
    }
}
