//! Labels inside the VM: three label words plus a hidden flags word, joined by OR.
//!
//! Tags and producers are stored directly; consumers are stored complemented (a set bit means
//! "excluded"), so ⊥ is all zeros and every join is an OR of words (planner.md §4). Bit 127 of
//! the consumer word marks a finite consumer set: such a set was built with every not-allowed bit
//! set, including bits of labels interned later, so later labels are excluded too.
//! Conversion to and from `sqrt_std::meta::Meta` happens only at the host boundary, against the
//! run's one label table (`sqrt_std::label::Labels`, seeded with the policy's).

use serde::{Deserialize, Serialize};
use sqrt_std::label::{LabelSet, Labels};
use sqrt_std::meta::Meta;

/// The flag set on everything the host resumes with ("from a tool"); read only by redaction.
pub const FLAG_U: u8 = 1;
const FINITE: u128 = 1 << 127;
const LOW: u128 = !FINITE;
/// Labels per run that fit the inline words. TODO(next): the wider whole-run representation
/// planner.md §4 asks for; today a 128th label stops the run with `limit_exceeded`.
pub const MAX_LABELS: usize = 127;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Label {
    pub tags: u128,
    pub producers: u128,
    /// Complemented consumers: bit set = consumer excluded; bit 127 = finite set.
    pub excluded: u128,
    pub flags: u8,
}

impl Label {
    pub const BOTTOM: Label = Label {
        tags: 0,
        producers: 0,
        excluded: 0,
        flags: 0,
    };
    pub const U: Label = Label {
        tags: 0,
        producers: 0,
        excluded: 0,
        flags: FLAG_U,
    };

    #[inline]
    pub fn join(self, o: Label) -> Label {
        Label {
            tags: self.tags | o.tags,
            producers: self.producers | o.producers,
            excluded: self.excluded | o.excluded,
            flags: self.flags | o.flags,
        }
    }

    #[inline]
    pub fn join_in(&mut self, o: Label) {
        *self = self.join(o);
    }

    /// ⊥ including the hidden flag: nothing here depends on tool data.
    pub fn is_bottom(&self) -> bool {
        *self == Label::BOTTOM
    }
}

/// The run's label table.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Interner {
    pub labels: Labels,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelTableFull;

fn word(s: &LabelSet) -> Result<u128, LabelTableFull> {
    if !s.spill_words().is_empty() {
        return Err(LabelTableFull);
    }
    Ok(s.inline_word())
}

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

    pub fn intern(&mut self, s: &str) -> Result<u8, LabelTableFull> {
        let l = self.labels.intern(s);
        self.check()?;
        Ok(l.0 as u8)
    }

    /// Host meta → VM label (without the U flag).
    pub fn label_of(&self, m: &Meta) -> Result<Label, LabelTableFull> {
        self.check()?;
        // Every label must come from this table: an index it never interned would be lost.
        let unknown = !self.known();
        if [&m.tags, &m.producers, &m.consumers]
            .iter()
            .any(|s| s.inline_word() & LOW & unknown != 0)
        {
            return Err(LabelTableFull);
        }
        let c = word(&m.consumers)?;
        let excluded = if m.consumers.is_cofinite() {
            c & LOW
        } else {
            FINITE | (!c & LOW)
        };
        Ok(Label {
            tags: word(&m.tags)? & LOW,
            producers: word(&m.producers)? & LOW,
            excluded,
            flags: 0,
        })
    }

    fn known(&self) -> u128 {
        if self.labels.len() >= MAX_LABELS {
            LOW
        } else {
            (1u128 << self.labels.len()) - 1
        }
    }

    /// VM label → host meta (U is invisible).
    pub fn meta_of(&self, l: Label) -> Meta {
        let known = self.known();
        let consumers = if l.excluded & FINITE != 0 {
            LabelSet::from_raw(!l.excluded & known, &[])
        } else {
            LabelSet::from_raw(FINITE | (l.excluded & known), &[])
        };
        Meta {
            tags: LabelSet::from_raw(l.tags & known, &[]),
            producers: LabelSet::from_raw(l.producers & known, &[]),
            consumers,
        }
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
        let m = NamedMeta::from_meta(&i.meta_of(a.join(b)), &i.labels);
        assert_eq!(m.producers, s(&["db", "w"]));
        assert_eq!(m.consumers, Consumers::Only(s(&["a"])));
        // A label interned later is excluded from a finite set.
        i.intern("late").unwrap();
        assert_eq!(
            NamedMeta::from_meta(&i.meta_of(b), &i.labels).consumers,
            Consumers::Only(s(&["a", "e"]))
        );
        assert_eq!(i.meta_of(Label::BOTTOM), Meta::default());
        assert_eq!(i.label_of(&Meta::default()).unwrap(), Label::BOTTOM);
    }
}
