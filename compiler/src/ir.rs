//! The typed IR: what the checker produces and lowering consumes.
//!
//! Lets are expanded at each use (late binding, sqrt.md §4.1), `@F` is resolved to the meta it
//! names in its context (§4.2), shorthands are expanded into blocks (§3.3), label sets and value
//! sets are separate types (§4.3), and every literal is already validated (regexes compile,
//! datetimes parse, ranges are satisfiable). Nothing here can fail to evaluate.

use crate::ast::{AssignOp, Field};

/// Every IR string (names, labels, literals, ids): `ast::Text`, inline up to 24 bytes, so
/// copying one from the tree (and expanding a let, which copies its whole IR) rarely allocates.
pub use crate::ast::Text;
use crate::diag::Span;

/// A checked program: the user's policies in source order, followed by the enabled prelude ones.
#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    pub policies: Vec<Policy>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ToolMatch {
    Exact(Text),
    /// Matches when the regex matches the whole tool name.
    Regex(Text),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Origin {
    User,
    /// A prelude policy (sqrt.md §5.7); the name is the part after `preset:`.
    Preset(Text),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    pub tool: ToolMatch,
    /// The unescaped id text, used for rule ids `<id>#<n>`.
    pub id_text: Text,
    pub priority: i64,
    pub rules: Vec<Rule>,
    pub session_before: Vec<Stmt>,
    pub result: Vec<Stmt>,
    pub session_after: Vec<Stmt>,
    pub origin: Origin,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Hard,
    Soft,
}

pub use crate::ast::Effect;

#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    /// `<id>#<n>` or `preset:<name>`.
    pub id: Text,
    pub level: Level,
    pub effect: Effect,
    /// `None` for `always`.
    pub cond: Option<Pred>,
    /// The rule's doc comment.
    pub description: Option<Text>,
    /// From the level keyword to the `;`, inclusive of the `;` when rendered.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Pred {
    pub kind: PredKind,
    /// Where the predicate is written; for an expanded let, the use site.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PredKind {
    And(Vec<Pred>),
    Or(Vec<Pred>),
    Not(Box<Pred>),
    /// `v in S`; `quant` for `any`/`all`.
    In {
        quant: Option<crate::ast::Quant>,
        value: Val,
        set: VSet,
    },
    ValueEq(Val, Val),
    SetCmp {
        left: MetaRef,
        op: crate::ast::SetCmpOp,
        right: LSet,
    },
    IsEmpty(MetaRef),
    IsUniversal(MetaRef),
}

/// A value operand.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    /// `name.value`: None when the call lacks the argument.
    Arg(Text),
    /// `@result.value`
    Result,
    Lit(Lit),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Lit {
    Str(Text),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// `d"…"`: an instant.
    Datetime(Instant),
}

/// A UTC instant: seconds since the Unix epoch and nanoseconds within the second.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant {
    pub secs: i64,
    pub nanos: u32,
}

/// A meta read, with `@F` already resolved to session or result by context.
#[derive(Clone, Debug, PartialEq)]
pub enum MetaRef {
    Arg(Text, Field),
    Result(Field),
    Session(Field),
    /// Union over the passed arguments (`@args.F`, `@args.F.union`, `union of F from args`).
    ArgsUnion(Field),
    /// Intersection over the passed arguments (universal over none).
    ArgsIntersect(Field),
}

/// A label-set expression (sqrt.md §4.3).
#[derive(Clone, Debug, PartialEq)]
pub enum LSet {
    /// A literal of STR elements; any `"*"` makes it universal (`labels` then lists the others,
    /// which do not matter).
    Lit {
        labels: Labels,
        universal: bool,
    },
    Meta(MetaRef),
    Bin(crate::ast::SetOp, Box<LSet>, Box<LSet>),
    /// `with`: `without == false`; a `"*"` element is encoded as `label == "*"`.
    With {
        set: Box<LSet>,
        label: Text,
        without: bool,
    },
}

/// The labels of a literal. Most literals name one label (`@tags |= {"pii"}`), which is kept
/// inline: no allocation, where a `Vec` would need one per literal (and per let expansion).
/// Compares and dereferences as a slice, whichever way it is stored.
#[derive(Clone, Debug)]
pub enum Labels {
    One(Text),
    Many(Vec<Text>),
}

impl Default for Labels {
    fn default() -> Labels {
        Labels::Many(Vec::new())
    }
}

impl std::ops::Deref for Labels {
    type Target = [Text];

    fn deref(&self) -> &[Text] {
        match self {
            Labels::One(label) => std::slice::from_ref(label),
            Labels::Many(labels) => labels,
        }
    }
}

impl PartialEq for Labels {
    fn eq(&self, other: &Labels) -> bool {
        **self == **other
    }
}

impl From<Vec<Text>> for Labels {
    fn from(mut labels: Vec<Text>) -> Labels {
        match labels.len() {
            1 => Labels::One(labels.pop().unwrap_or_default()),
            _ => Labels::Many(labels),
        }
    }
}

impl FromIterator<Text> for Labels {
    fn from_iter<I: IntoIterator<Item = Text>>(iter: I) -> Labels {
        Labels::from(iter.into_iter().collect::<Vec<_>>())
    }
}

/// A value-set expression, only ever on the right of `in`.
#[derive(Clone, Debug, PartialEq)]
pub enum VSet {
    Labels(LSet),
    Lit(Vec<Elem>),
    Bin(crate::ast::SetOp, Box<VSet>, Box<VSet>),
    /// `with`/`without` applied to a value set.
    With {
        set: Box<VSet>,
        elem: Elem,
        without: bool,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Elem {
    /// `"*"`
    Any,
    Str(Text),
    /// Full-match regex, already known to compile.
    Regex(Text),
    /// Wildcard pattern (`*`, `?`, rest literal).
    Wild(Text),
    Int(i64),
    Float(f64),
    /// Boxed: a domain is 80 bytes, every other element at most 24.
    Domain(Box<Domain>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Domain {
    Bool(bool),
    Int(Range<Num>),
    Float(Range<Num>),
    Str {
        pat: StrPat,
        length: Option<Range<Num>>,
    },
    Datetime(Range<Instant>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum StrPat {
    Exact(Text),
    Regex(Text),
    Wild(Text),
}

/// A numeric bound; infinities are `Float(±inf)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Num {
    Int(i64),
    Float(f64),
}

/// A range in normal form: each side is unbounded, inclusive or exclusive.
#[derive(Clone, Debug, PartialEq)]
pub struct Range<B> {
    pub lo: Bound<B>,
    pub hi: Bound<B>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Bound<B> {
    Unbounded,
    Incl(B),
    Excl(B),
}

/// An update statement of a `result` / `session` block.
#[derive(Clone, Debug, PartialEq)]
pub enum Stmt {
    Update(Update),
    /// `when P { ... }`: P is evaluated once, when reached.
    When {
        cond: Pred,
        updates: Vec<Update>,
        span: Span,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Update {
    pub target: MetaTarget,
    pub field: Field,
    pub op: AssignOp,
    pub value: LSet,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetaTarget {
    Session,
    Result,
}
