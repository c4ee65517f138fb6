//! Interned labels and label sets (sqrt.md §5.2).
//!
//! **One table for all three kinds.** Tags, producers and consumers share one `Labels` interner,
//! so a set expression that mixes fields (`x.tags & y.producers`) means the same bits everywhere.
//! A policy's table is interned once at load; a run or session table starts as a clone of it (so
//! the policy's compiled masks apply unchanged) and grows with labels seen at run time.
//!
//! A `LabelSet` is finite ("exactly these labels") or co-finite ("all labels but these"). It is
//! stored as a bit vector `B` plus a complement flag `c`, and label `i` is a member iff
//! `B[i] XOR c`. That formula also holds for labels beyond the bit vector (never interned, or
//! interned later), whose bit is 0, so every operation is exact for every label of the table and
//! every label the table may learn later. Every binary operation is therefore a word-wise boolean
//! operation on the characteristic words `B XOR c` plus the same operation on the flags.
//!
//! Bits 0..=126 of the inline `u128` are labels 0..=126 and bit 127 is the flag; labels ≥ 127
//! live in an optional spill of `u64` words, normalised (no trailing zero word, `None` when
//! empty), so sets over the first 127 labels never allocate and the representation is unique
//! (derived equality and hashing are set equality).

use std::collections::HashMap;
use std::fmt;
use std::ops::{BitAndAssign, BitOrAssign, BitXorAssign, SubAssign};

use serde::{Deserialize, Serialize};

/// An index into a [`Labels`] table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Label(pub u32);

/// The label interner: names ↔ dense indices, in interning order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Vec<String>", into = "Vec<String>")]
pub struct Labels {
    names: Vec<String>,
    index: HashMap<String, Label>,
}

impl Labels {
    pub fn new() -> Labels {
        Labels::default()
    }

    /// The label named `name`, interned now if it is new.
    pub fn intern(&mut self, name: &str) -> Label {
        if let Some(&label) = self.index.get(name) {
            return label;
        }
        // A table of 2^32 labels cannot be built within any memory budget; saturate rather than wrap.
        let label = Label(u32::try_from(self.names.len()).unwrap_or(u32::MAX));
        self.names.push(name.to_owned());
        self.index.insert(name.to_owned(), label);
        label
    }

    pub fn get(&self, name: &str) -> Option<Label> {
        self.index.get(name).copied()
    }

    /// The name of `label`; `""` for a label this table never interned.
    pub fn name(&self, label: Label) -> &str {
        self.try_name(label).unwrap_or("")
    }

    pub fn try_name(&self, label: Label) -> Option<&str> {
        self.names.get(label.0 as usize).map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Every `(label, name)` in interning order.
    pub fn iter(&self) -> impl Iterator<Item = (Label, &str)> {
        self.names
            .iter()
            .enumerate()
            .map(|(i, n)| (Label(i as u32), n.as_str()))
    }
}

impl From<Vec<String>> for Labels {
    /// Rebuilds the index; a repeated name keeps its first index (later copies are unreachable
    /// by name but keep the numbering of the serialised table).
    fn from(names: Vec<String>) -> Labels {
        let mut index = HashMap::with_capacity(names.len());
        for (i, name) in names.iter().enumerate() {
            index.entry(name.clone()).or_insert(Label(i as u32));
        }
        Labels { names, index }
    }
}

impl From<Labels> for Vec<String> {
    fn from(labels: Labels) -> Vec<String> {
        labels.names
    }
}

/// Bits 0..=126 of the inline word.
const LOW: u128 = !(1u128 << 127);
/// The complement flag.
const FLAG: u128 = 1u128 << 127;
/// Labels held in the inline word.
pub const INLINE_LABELS: u32 = 127;

/// A finite or co-finite set of labels. See the module documentation for the representation.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "RawLabelSet", into = "RawLabelSet")]
pub struct LabelSet {
    word: u128,
    spill: Option<Box<[u64]>>,
}

/// The serialised form; normalised on the way in so equality stays set equality.
#[derive(Serialize, Deserialize)]
struct RawLabelSet {
    word: u128,
    spill: Option<Box<[u64]>>,
}

impl From<RawLabelSet> for LabelSet {
    fn from(raw: RawLabelSet) -> LabelSet {
        LabelSet {
            word: raw.word,
            spill: normalise(raw.spill.map(Vec::from).unwrap_or_default()),
        }
    }
}

impl From<LabelSet> for RawLabelSet {
    fn from(set: LabelSet) -> RawLabelSet {
        RawLabelSet {
            word: set.word,
            spill: set.spill,
        }
    }
}

fn normalise(mut words: Vec<u64>) -> Option<Box<[u64]>> {
    while words.last() == Some(&0) {
        words.pop();
    }
    if words.is_empty() {
        None
    } else {
        Some(words.into_boxed_slice())
    }
}

/// Where label `i` lives: the inline word, or spill word and bit.
fn spill_pos(label: Label) -> Option<(usize, u32)> {
    let i = label.0.checked_sub(INLINE_LABELS)?;
    Some(((i / 64) as usize, i % 64))
}

impl Default for LabelSet {
    fn default() -> LabelSet {
        LabelSet::EMPTY
    }
}

impl LabelSet {
    /// ∅.
    pub const EMPTY: LabelSet = LabelSet {
        word: 0,
        spill: None,
    };
    /// Every label.
    pub const UNIVERSAL: LabelSet = LabelSet {
        word: FLAG,
        spill: None,
    };

    pub const fn empty() -> LabelSet {
        LabelSet::EMPTY
    }

    pub const fn universal() -> LabelSet {
        LabelSet::UNIVERSAL
    }

    pub fn singleton(label: Label) -> LabelSet {
        LabelSet::EMPTY.with(label)
    }

    /// Exactly the given labels.
    pub fn from_labels(labels: impl IntoIterator<Item = Label>) -> LabelSet {
        let mut set = LabelSet::EMPTY;
        for label in labels {
            set.toggle_bit(label, true);
        }
        set
    }

    /// Every label but the given ones.
    pub fn cofinite(excluded: impl IntoIterator<Item = Label>) -> LabelSet {
        let mut set = LabelSet::from_labels(excluded);
        set.word |= FLAG;
        set
    }

    /// Builds a set from its raw parts (`inline_word` and spill words); the spill is normalised.
    pub fn from_raw(word: u128, spill: &[u64]) -> LabelSet {
        LabelSet {
            word,
            spill: normalise(spill.to_vec()),
        }
    }

    fn flag(&self) -> bool {
        self.word & FLAG != 0
    }

    fn bit(&self, label: Label) -> bool {
        match spill_pos(label) {
            None => self.word >> label.0 & 1 != 0,
            Some((w, b)) => self
                .spill
                .as_deref()
                .and_then(|s| s.get(w))
                .is_some_and(|word| word >> b & 1 != 0),
        }
    }

    /// Sets the raw bit of `label` to `on` (not membership: the flag is left alone).
    fn toggle_bit(&mut self, label: Label, on: bool) {
        match spill_pos(label) {
            None => {
                let m = 1u128 << label.0;
                if on { self.word |= m } else { self.word &= !m }
            }
            Some((w, b)) => {
                let mut words = self.spill.take().map(Vec::from).unwrap_or_default();
                if words.len() <= w {
                    if !on {
                        self.spill = normalise(words);
                        return;
                    }
                    words.resize(w + 1, 0);
                }
                let m = 1u64 << b;
                if on {
                    words[w] |= m
                } else {
                    words[w] &= !m
                }
                self.spill = normalise(words);
            }
        }
    }

    pub fn contains(&self, label: Label) -> bool {
        self.bit(label) ^ self.flag()
    }

    pub fn is_empty(&self) -> bool {
        self.word == 0 && self.spill.is_none()
    }

    pub fn is_universal(&self) -> bool {
        self.word == FLAG && self.spill.is_none()
    }

    /// "All labels but the listed ones" (the universal set included).
    pub fn is_cofinite(&self) -> bool {
        self.flag()
    }

    pub fn is_finite(&self) -> bool {
        !self.flag()
    }

    /// The inline word: bits 0..=126 are labels 0..=126, bit 127 the complement flag.
    pub fn inline_word(&self) -> u128 {
        self.word
    }

    /// The spill words (labels ≥ 127), empty when none.
    pub fn spill_words(&self) -> &[u64] {
        self.spill.as_deref().unwrap_or(&[])
    }

    /// Labels whose bit is set: the members of a finite set, the exclusions of a co-finite one.
    pub fn listed(&self) -> impl Iterator<Item = Label> + '_ {
        let inline = (0..INLINE_LABELS)
            .filter(move |&i| self.word >> i & 1 != 0)
            .map(Label);
        let spill = self
            .spill_words()
            .iter()
            .enumerate()
            .flat_map(|(w, &word)| {
                (0..64u32)
                    .filter(move |&b| word >> b & 1 != 0)
                    .map(move |b| Label(INLINE_LABELS + w as u32 * 64 + b))
            });
        inline.chain(spill)
    }

    /// Applies a boolean operation to the characteristic functions of `self` and `other`.
    /// `op` must be a bitwise function (each output bit depends only on the same input bits).
    fn combine(&self, other: &LabelSet, op: fn(u128, u128) -> u128) -> LabelSet {
        let (ca, cb) = (self.flag(), other.flag());
        let mask = |c: bool| if c { u128::MAX } else { 0 };
        let cr = op(mask(ca), mask(cb)) & 1 != 0;
        let chi_a = (self.word & LOW) ^ (mask(ca) & LOW);
        let chi_b = (other.word & LOW) ^ (mask(cb) & LOW);
        let word = ((op(chi_a, chi_b) ^ mask(cr)) & LOW) | if cr { FLAG } else { 0 };
        if self.spill.is_none() && other.spill.is_none() {
            return LabelSet { word, spill: None };
        }
        let (sa, sb) = (self.spill_words(), other.spill_words());
        let n = sa.len().max(sb.len());
        let word64 = |c: bool| if c { u64::MAX } else { 0 };
        let spill = (0..n)
            .map(|i| {
                let a = sa.get(i).copied().unwrap_or(0) ^ word64(ca);
                let b = sb.get(i).copied().unwrap_or(0) ^ word64(cb);
                (op(a as u128, b as u128) as u64) ^ word64(cr)
            })
            .collect();
        LabelSet {
            word,
            spill: normalise(spill),
        }
    }

    /// Whether `self.combine(other, op)` is empty, without building it: the set comparisons of
    /// a policy check allocate nothing, even for labels ≥ 127.
    fn combine_is_empty(&self, other: &LabelSet, op: fn(u128, u128) -> u128) -> bool {
        let (ca, cb) = (self.flag(), other.flag());
        let mask = |c: bool| if c { u128::MAX } else { 0 };
        // A co-finite result is never empty.
        if op(mask(ca), mask(cb)) & 1 != 0 {
            return false;
        }
        let chi_a = (self.word & LOW) ^ (mask(ca) & LOW);
        let chi_b = (other.word & LOW) ^ (mask(cb) & LOW);
        if op(chi_a, chi_b) & LOW != 0 {
            return false;
        }
        let (sa, sb) = (self.spill_words(), other.spill_words());
        let word64 = |c: bool| if c { u64::MAX } else { 0 };
        (0..sa.len().max(sb.len())).all(|i| {
            let a = sa.get(i).copied().unwrap_or(0) ^ word64(ca);
            let b = sb.get(i).copied().unwrap_or(0) ^ word64(cb);
            op(a as u128, b as u128) as u64 == 0
        })
    }

    pub fn union(&self, other: &LabelSet) -> LabelSet {
        self.combine(other, |a, b| a | b)
    }

    pub fn intersect(&self, other: &LabelSet) -> LabelSet {
        self.combine(other, |a, b| a & b)
    }

    pub fn minus(&self, other: &LabelSet) -> LabelSet {
        self.combine(other, |a, b| a & !b)
    }

    pub fn xor(&self, other: &LabelSet) -> LabelSet {
        self.combine(other, |a, b| a ^ b)
    }

    /// The complement (every label not in `self`).
    pub fn complement(&self) -> LabelSet {
        LabelSet {
            word: self.word ^ FLAG,
            spill: self.spill.clone(),
        }
    }

    pub fn union_assign(&mut self, other: &LabelSet) {
        if self.spill.is_none() && other.spill.is_none() && !self.flag() && !other.flag() {
            self.word |= other.word;
        } else {
            *self = self.union(other);
        }
    }

    pub fn intersect_assign(&mut self, other: &LabelSet) {
        *self = self.intersect(other);
    }

    pub fn minus_assign(&mut self, other: &LabelSet) {
        *self = self.minus(other);
    }

    pub fn xor_assign(&mut self, other: &LabelSet) {
        *self = self.xor(other);
    }

    /// `self ∪ {label}`.
    pub fn with(&self, label: Label) -> LabelSet {
        let mut set = self.clone();
        set.toggle_bit(label, !set.flag());
        set
    }

    /// `self ∖ {label}`.
    pub fn without(&self, label: Label) -> LabelSet {
        let mut set = self.clone();
        set.toggle_bit(label, set.flag());
        set
    }

    /// `self ⊆ other`.
    pub fn is_subset(&self, other: &LabelSet) -> bool {
        self.combine_is_empty(other, |a, b| a & !b)
    }

    /// `self ∩ other ≠ ∅`.
    pub fn overlaps(&self, other: &LabelSet) -> bool {
        !self.combine_is_empty(other, |a, b| a & b)
    }
}

impl BitOrAssign<&LabelSet> for LabelSet {
    fn bitor_assign(&mut self, rhs: &LabelSet) {
        self.union_assign(rhs);
    }
}

impl BitAndAssign<&LabelSet> for LabelSet {
    fn bitand_assign(&mut self, rhs: &LabelSet) {
        self.intersect_assign(rhs);
    }
}

impl SubAssign<&LabelSet> for LabelSet {
    fn sub_assign(&mut self, rhs: &LabelSet) {
        self.minus_assign(rhs);
    }
}

impl BitXorAssign<&LabelSet> for LabelSet {
    fn bitxor_assign(&mut self, rhs: &LabelSet) {
        self.xor_assign(rhs);
    }
}

impl fmt::Debug for LabelSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let listed: Vec<u32> = self.listed().map(|l| l.0).collect();
        if self.flag() {
            write!(f, "C{listed:?}")
        } else {
            write!(f, "F{listed:?}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    /// The model: listed labels plus a complement flag.
    #[derive(Clone, Debug)]
    struct Model {
        listed: BTreeSet<u32>,
        co: bool,
    }

    impl Model {
        fn contains(&self, l: u32) -> bool {
            self.listed.contains(&l) ^ self.co
        }
        fn to_set(&self) -> LabelSet {
            let labels = self.listed.iter().map(|&l| Label(l));
            if self.co {
                LabelSet::cofinite(labels)
            } else {
                LabelSet::from_labels(labels)
            }
        }
        /// Applies a set operation pointwise over every listed label plus the tail.
        fn op(&self, other: &Model, f: fn(bool, bool) -> bool) -> Model {
            let co = f(self.co, other.co);
            let listed = self
                .listed
                .union(&other.listed)
                .copied()
                .filter(|&l| f(self.contains(l), other.contains(l)) != co)
                .collect();
            Model { listed, co }
        }
    }

    fn label_id() -> impl Strategy<Value = u32> {
        prop_oneof![0u32..8, 120u32..135, 180u32..200, 300u32..310]
    }

    fn model() -> impl Strategy<Value = Model> {
        (
            proptest::collection::btree_set(label_id(), 0..8),
            any::<bool>(),
        )
            .prop_map(|(listed, co)| Model { listed, co })
    }

    fn probes(a: &Model, b: &Model) -> Vec<u32> {
        let mut p: Vec<u32> = a.listed.union(&b.listed).copied().collect();
        p.extend([0, 5, 126, 127, 128, 190, 191, 255, 1000]);
        p
    }

    fn agrees(set: &LabelSet, m: &Model, probes: &[u32]) -> Result<(), TestCaseError> {
        for &l in probes {
            prop_assert_eq!(set.contains(Label(l)), m.contains(l), "label {}", l);
        }
        prop_assert_eq!(set, &m.to_set(), "canonical form");
        prop_assert_eq!(set.is_cofinite(), m.co);
        prop_assert_eq!(
            set.listed().map(|l| l.0).collect::<BTreeSet<_>>(),
            m.listed.clone()
        );
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn binary_operations_match_the_model(a in model(), b in model()) {
            let (sa, sb) = (a.to_set(), b.to_set());
            let p = probes(&a, &b);
            agrees(&sa.union(&sb), &a.op(&b, |x, y| x | y), &p)?;
            agrees(&sa.intersect(&sb), &a.op(&b, |x, y| x & y), &p)?;
            agrees(&sa.minus(&sb), &a.op(&b, |x, y| x & !y), &p)?;
            agrees(&sa.xor(&sb), &a.op(&b, |x, y| x ^ y), &p)?;
            let mut s = sa.clone(); s |= &sb; agrees(&s, &a.op(&b, |x, y| x | y), &p)?;
            let mut s = sa.clone(); s &= &sb; agrees(&s, &a.op(&b, |x, y| x & y), &p)?;
            let mut s = sa.clone(); s -= &sb; agrees(&s, &a.op(&b, |x, y| x & !y), &p)?;
            let mut s = sa.clone(); s ^= &sb; agrees(&s, &a.op(&b, |x, y| x ^ y), &p)?;
        }

        #[test]
        fn predicates_match_the_model(a in model(), b in model()) {
            let (sa, sb) = (a.to_set(), b.to_set());
            let p = probes(&a, &b);
            // With finitely many listed labels, a probe outside all of them stands for the tail.
            let tail_subset = b.co || !a.co;
            let subset = tail_subset && p.iter().all(|&l| b.contains(l) || !a.contains(l));
            let overlap = p.iter().any(|&l| a.contains(l) && b.contains(l)) || (a.co && b.co);
            prop_assert_eq!(sa.is_subset(&sb), subset);
            prop_assert_eq!(sa.overlaps(&sb), overlap);
            prop_assert_eq!(sa.is_empty(), !a.co && a.listed.is_empty());
            prop_assert_eq!(sa.is_universal(), a.co && a.listed.is_empty());
            prop_assert_eq!(sa == sb, a.co == b.co && a.listed == b.listed);
        }

        #[test]
        fn with_and_without_match_the_model(a in model(), l in label_id()) {
            let sa = a.to_set();
            let p = probes(&a, &a);
            let single = Model { listed: [l].into(), co: false };
            agrees(&sa.with(Label(l)), &a.op(&single, |x, y| x | y), &p)?;
            agrees(&sa.without(Label(l)), &a.op(&single, |x, y| x & !y), &p)?;
            agrees(&sa.complement(), &Model { listed: a.listed.clone(), co: !a.co }, &p)?;
        }

        #[test]
        fn serialisation_round_trips(a in model()) {
            let s = a.to_set();
            let bytes = postcard::to_allocvec(&s).unwrap();
            prop_assert_eq!(postcard::from_bytes::<LabelSet>(&bytes).unwrap(), s.clone());
            let json = serde_json::to_string(&s).unwrap();
            prop_assert_eq!(serde_json::from_str::<LabelSet>(&json).unwrap(), s);
        }
    }

    #[test]
    fn small_sets_do_not_spill() {
        let s = LabelSet::from_labels((0..127).map(Label));
        assert!(s.spill.is_none());
        assert_eq!(s.inline_word(), LOW);
        let u = LabelSet::cofinite([Label(3)]).union(&LabelSet::singleton(Label(3)));
        assert!(u.is_universal());
        assert!(LabelSet::universal().contains(Label(100_000)));
        assert!(!LabelSet::empty().contains(Label(100_000)));
        // Removing a high label from a finite set without a spill keeps it spill-free.
        assert!(
            LabelSet::singleton(Label(1))
                .without(Label(500))
                .spill
                .is_none()
        );
        assert!(
            LabelSet::singleton(Label(500))
                .without(Label(500))
                .is_empty()
        );
    }

    #[test]
    fn deserialisation_normalises_the_spill() {
        let raw = RawLabelSet {
            word: 0,
            spill: Some(vec![0, 0].into_boxed_slice()),
        };
        let bytes = postcard::to_allocvec(&raw).unwrap();
        let s: LabelSet = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(s, LabelSet::EMPTY);
    }

    #[test]
    fn labels_intern_once_and_round_trip() {
        let mut t = Labels::new();
        let a = t.intern("a");
        let b = t.intern("b");
        assert_eq!(t.intern("a"), a);
        assert_eq!((a, b), (Label(0), Label(1)));
        assert_eq!(t.name(b), "b");
        assert_eq!(t.get("c"), None);
        assert_eq!(t.len(), 2);
        let back: Labels = serde_json::from_str(&serde_json::to_string(&t).unwrap()).unwrap();
        assert_eq!(back, t);
        assert_eq!(back.get("b"), Some(b));
    }
}
