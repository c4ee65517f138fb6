//! Labels inside the VM: three label words plus a hidden flags word, joined by OR, and a shared
//! wide part for runs whose table outgrows the words.
//!
//! Tags and producers are stored directly; consumers are stored complemented (a set bit means
//! "excluded"), so ⊥ is all zeros and every join is an OR of words (planner.md §4). Bit 127 of
//! the consumer word marks a finite consumer set: such a set was built with every not-allowed bit
//! set, including bits of labels interned later, so later labels are excluded too.
//!
//! **Wide labels.** Labels 0..=126 live in the words (the fast path: a join is three ORs and one
//! test that both wide parts are absent). A run whose table grows past 127 labels keeps the
//! labels ≥ 127 in `wide`: the exact meta (all labels, in `sqrt_std`'s `LabelSet` form, which
//! spills above 127), shared by reference so copying a label never copies sets. `wide` is
//! present exactly when the meta has a label ≥ 127, so derived equality is set equality. Joins
//! involving a wide part go through `Meta::join` (union, union, intersection), which is exact
//! for finite and co-finite sets; nothing is ever dropped. Conversion to and from
//! `sqrt_std::meta::Meta` happens only at the host boundary, against the run's one label table
//! (`sqrt_std::label::Labels`, seeded with the policy's).

use std::borrow::Borrow;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sqrt_std::label::{LabelSet, Labels};
use sqrt_std::meta::Meta;

/// The flag set on everything the host resumes with ("from a tool"); read only by redaction.
pub const FLAG_U: u8 = 1;
const FINITE: u128 = 1 << 127;
const LOW: u128 = !FINITE;
/// Labels that fit the inline words.
pub const INLINE_LABELS: usize = 127;
/// Labels per run (policy labels included). Beyond the inline 127 a distinct label set costs
/// 3 × ⌈(n − 127) / 64⌉ words, so this bounds the memory a host-supplied label flood can take.
pub const MAX_LABELS: usize = 4096;

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Label {
    pub tags: u128,
    pub producers: u128,
    /// Complemented consumers: bit set = consumer excluded; bit 127 = finite set.
    pub excluded: u128,
    pub flags: u8,
    /// The whole meta when it holds a label ≥ 127 (see the module doc), else `None`.
    pub wide: Option<Arc<Meta>>,
}

impl Label {
    pub const BOTTOM: Label = Label {
        tags: 0,
        producers: 0,
        excluded: 0,
        flags: 0,
        wide: None,
    };
    pub const U: Label = Label {
        tags: 0,
        producers: 0,
        excluded: 0,
        flags: FLAG_U,
        wide: None,
    };

    /// `self ⊔ o`; `o` by value or by reference.
    #[inline]
    pub fn join<L: Borrow<Label>>(&self, o: L) -> Label {
        let o = o.borrow();
        if self.wide.is_none() && o.wide.is_none() {
            return Label {
                tags: self.tags | o.tags,
                producers: self.producers | o.producers,
                excluded: self.excluded | o.excluded,
                flags: self.flags | o.flags,
                wide: None,
            };
        }
        self.join_wide(o)
    }

    #[inline]
    pub fn join_in<L: Borrow<Label>>(&mut self, o: L) {
        let o = o.borrow();
        if self.wide.is_none() && o.wide.is_none() {
            self.tags |= o.tags;
            self.producers |= o.producers;
            self.excluded |= o.excluded;
            self.flags |= o.flags;
        } else {
            *self = self.join_wide(o);
        }
    }

    /// `*self = o.clone()`, writing the words in place when neither side is wide (a register
    /// copy of the hot paths then moves no temporary and drops no pointer).
    #[inline(always)]
    pub fn assign(&mut self, o: &Label) {
        if self.wide.is_none() && o.wide.is_none() {
            self.tags = o.tags;
            self.producers = o.producers;
            self.excluded = o.excluded;
            self.flags = o.flags;
        } else {
            *self = o.clone();
        }
    }

    #[cold]
    fn join_wide(&self, o: &Label) -> Label {
        if let (Some(a), Some(b)) = (&self.wide, &o.wide)
            && Arc::ptr_eq(a, b)
        {
            return Label {
                flags: self.flags | o.flags,
                ..self.clone()
            };
        }
        // Joining something the wide side already covers (⊥, the pc) must not allocate.
        let covers = |w: &Label, n: &Label| {
            n.wide.is_none()
                && n.excluded & FINITE == 0
                && n.tags & !w.tags == 0
                && n.producers & !w.producers == 0
                && n.excluded & !w.excluded == 0
        };
        for (w, n) in [(self, o), (o, self)] {
            if w.wide.is_some() && covers(w, n) {
                return Label {
                    flags: w.flags | n.flags,
                    ..w.clone()
                };
            }
        }
        let mut l = Label::from_meta(&self.meta().join(&o.meta()));
        l.flags = self.flags | o.flags;
        l
    }

    /// The exact meta of this label (flags aside), independent of any table.
    pub fn meta(&self) -> Meta {
        if let Some(m) = &self.wide {
            return (**m).clone();
        }
        let consumers = if self.excluded & FINITE != 0 {
            LabelSet::from_raw(!self.excluded & LOW, &[])
        } else {
            LabelSet::from_raw(FINITE | (self.excluded & LOW), &[])
        };
        Meta {
            tags: LabelSet::from_raw(self.tags & LOW, &[]),
            producers: LabelSet::from_raw(self.producers & LOW, &[]),
            consumers,
        }
    }

    /// The label of an exact meta (no flags).
    fn from_meta(m: &Meta) -> Label {
        let c = m.consumers.inline_word();
        let excluded = if m.consumers.is_cofinite() {
            c & LOW
        } else {
            FINITE | (!c & LOW)
        };
        let wide = [&m.tags, &m.producers, &m.consumers]
            .iter()
            .any(|s| !s.spill_words().is_empty())
            .then(|| Arc::new(m.clone()));
        Label {
            tags: m.tags.inline_word() & LOW,
            producers: m.producers.inline_word() & LOW,
            excluded,
            flags: 0,
            wide,
        }
    }

    /// ⊥ including the hidden flag: nothing here depends on tool data.
    pub fn is_bottom(&self) -> bool {
        *self == Label::BOTTOM
    }

    /// Whether a condition with this label breaks the branching policy `p`.
    pub(crate) fn violates(&self, p: &BranchMask) -> bool {
        if self.wide.is_none() && !p.wide {
            let missing_consumer = self.excluded & p.consumers & LOW != 0;
            return missing_consumer
                || if p.deny {
                    self.tags & p.tags != 0 || self.producers & p.producers != 0
                } else {
                    self.tags & !p.tags & LOW != 0 || self.producers & !p.producers & LOW != 0
                };
        }
        let m = self.meta();
        let (tags, producers, consumers) = &p.sets;
        !consumers.is_subset(&m.consumers)
            || if p.deny {
                m.tags.overlaps(tags) || m.producers.overlaps(producers)
            } else {
                !m.tags.is_subset(tags) || !m.producers.is_subset(producers)
            }
    }
}

/// `labs[dst] = labs[a] ⊔ labs[b]` in place: the label of a scalar operation on two
/// registers, three ORs and no temporary on the inline path.
#[inline(always)]
pub(crate) fn join_regs(labs: &mut [Label], dst: usize, a: usize, b: usize) {
    let (la, lb) = (&labs[a], &labs[b]);
    if la.wide.is_none() && lb.wide.is_none() && labs[dst].wide.is_none() {
        let (t, p, e, f) = (
            la.tags | lb.tags,
            la.producers | lb.producers,
            la.excluded | lb.excluded,
            la.flags | lb.flags,
        );
        let d = &mut labs[dst];
        d.tags = t;
        d.producers = p;
        d.excluded = e;
        d.flags = f;
    } else {
        labs[dst] = la.join(lb);
    }
}

/// The branching policy as label sets of the run's table: words for the fast path, the exact
/// sets for labels ≥ 127.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct BranchMask {
    pub deny: bool,
    pub tags: u128,
    pub producers: u128,
    pub consumers: u128,
    /// Some listed label is ≥ 127: always take the exact path.
    pub wide: bool,
    pub sets: (LabelSet, LabelSet, LabelSet),
}

impl BranchMask {
    pub(crate) fn new(
        deny: bool,
        tags: LabelSet,
        producers: LabelSet,
        consumers: LabelSet,
    ) -> Self {
        BranchMask {
            deny,
            tags: tags.inline_word() & LOW,
            producers: producers.inline_word() & LOW,
            consumers: consumers.inline_word() & LOW,
            wide: [&tags, &producers, &consumers]
                .iter()
                .any(|s| !s.spill_words().is_empty()),
            sets: (tags, producers, consumers),
        }
    }
}

/// The run's label table.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Interner {
    pub labels: Labels,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelTableFull;

impl Interner {
    pub fn new(labels: Labels) -> Interner {
        Interner { labels }
    }

    fn check(&self) -> Result<(), LabelTableFull> {
        if self.labels.len() > MAX_LABELS {
            Err(LabelTableFull)
        } else {
            Ok(())
        }
    }

    pub fn intern(&mut self, s: &str) -> Result<sqrt_std::label::Label, LabelTableFull> {
        let l = self.labels.intern(s);
        self.check()?;
        Ok(l)
    }

    /// Host meta → VM label (without the U flag). Every label must come from this table: an
    /// index it never interned would be a label nobody can name, so it is refused.
    pub fn label_of(&self, m: &Meta) -> Result<Label, LabelTableFull> {
        self.check()?;
        let n = self.labels.len() as u32;
        // Inline bits by mask (this runs for every meta a host resumes with); the rare spilled
        // words label by label.
        let known = if n as usize >= INLINE_LABELS {
            LOW
        } else {
            (1u128 << n) - 1
        };
        if [&m.tags, &m.producers, &m.consumers].iter().any(|s| {
            s.inline_word() & LOW & !known != 0
                || (!s.spill_words().is_empty() && s.listed().any(|l| l.0 >= n))
        }) {
            return Err(LabelTableFull);
        }
        Ok(Label::from_meta(m))
    }

    /// VM label → host meta (U is invisible).
    pub fn meta_of(&self, l: &Label) -> Meta {
        let mut m = l.meta();
        // A finite consumer set lists only labels of the table (bits of labels interned later
        // are exclusions, not members).
        if m.consumers.is_finite() {
            let n = self.labels.len() as u32;
            m.consumers = LabelSet::from_labels(m.consumers.listed().filter(|l| l.0 < n));
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::{Consumers, NamedMeta};

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn consumer_join_is_intersection() {
        let mut i = Interner::default();
        let m1 = NamedMeta {
            tags: vec![],
            producers: s(&["db"]),
            consumers: Consumers::AllBut(s(&["e"])),
        };
        let m2 = NamedMeta {
            tags: vec![],
            producers: s(&["w"]),
            consumers: Consumers::Only(s(&["a", "e"])),
        };
        let (x1, x2) = (m1.to_meta(&mut i.labels), m2.to_meta(&mut i.labels));
        let (a, b) = (i.label_of(&x1).unwrap(), i.label_of(&x2).unwrap());
        let m = NamedMeta::from_meta(&i.meta_of(&a.join(&b)), &i.labels);
        assert_eq!(m.producers, s(&["db", "w"]));
        assert_eq!(m.consumers, Consumers::Only(s(&["a"])));
        // A label interned later is excluded from a finite set.
        i.intern("late").unwrap();
        assert_eq!(
            NamedMeta::from_meta(&i.meta_of(&b), &i.labels).consumers,
            Consumers::Only(s(&["a", "e"]))
        );
        assert_eq!(i.meta_of(&Label::BOTTOM), Meta::default());
        assert_eq!(i.label_of(&Meta::default()).unwrap(), Label::BOTTOM);
    }
}

#[cfg(test)]
mod wide {
    use super::*;
    use proptest::prelude::*;
    use sqrt_std::label::Label as Id;

    fn set() -> impl Strategy<Value = LabelSet> {
        (proptest::collection::vec(0u32..300, 0..6), any::<bool>()).prop_map(|(ids, co)| {
            let ids = ids.into_iter().map(Id);
            if co {
                LabelSet::cofinite(ids)
            } else {
                LabelSet::from_labels(ids)
            }
        })
    }

    fn meta() -> impl Strategy<Value = Meta> {
        (set(), set(), set()).prop_map(|(t, p, c)| Meta {
            tags: LabelSet::from_labels(t.listed()),
            producers: LabelSet::from_labels(p.listed()),
            consumers: c,
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]
        /// The VM label is exact on both sides of 127: meta round trip, join = `Meta::join`,
        /// and the inline words never disagree with the wide part.
        #[test]
        fn labels_match_the_meta_model(a in meta(), b in meta(), c in meta()) {
            let (la, lb, lc) = (Label::from_meta(&a), Label::from_meta(&b), Label::from_meta(&c));
            prop_assert_eq!(la.meta(), a.clone());
            let j = la.join(&lb).join(&lc);
            prop_assert_eq!(j.meta(), a.join(&b).join(&c));
            prop_assert_eq!(&j, &Label::from_meta(&j.meta()));
            let mut k = lc.clone();
            k.join_in(&Label::BOTTOM);
            k.join_in(&la);
            k.join_in(&lb);
            prop_assert_eq!(k.meta(), j.meta());
        }
    }
}
