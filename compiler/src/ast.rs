//! The SQRT syntax tree, exactly as written (sqrt.md §3).
//!
//! Every node has a span. The tree keeps what the formatter must reproduce (parentheses, the
//! spelling of levels and shorthand targets, raw string text) and nothing it may normalise:
//! set operators are stored without their spelling (`|` and `union` are the same node), so
//! `fmt` can print one canonical form and `parse(fmt(x)) == parse(x)` modulo spans.
//! Error variants keep recovery going so several errors are reported per file.

use crate::diag::Span;

/// The text of names, literals and comments. Almost all of it is short (names, labels,
/// patterns), and a `CompactString` keeps up to 24 bytes inline: building and dropping a
/// tree then allocates nothing per name or literal (a `String` allocated one each, which was
/// most of the front end's allocation work). It derefs to `str` and compares with `&str`.
pub type Text = compact_str::CompactString;

/// A whole source file.
#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    pub items: Vec<Item>,
    /// Ordinary comments (`//`, `/* */`) in source order, kept for the formatter.
    pub comments: Vec<Comment>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Comment {
    pub kind: CommentKind,
    /// The full comment text as written, delimiters included.
    pub text: Text,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommentKind {
    Line,
    Block,
}

/// Consecutive `///` lines: text without `///`, one following space and trailing whitespace,
/// lines joined with `\n` (sqrt.md §2).
#[derive(Clone, Debug, PartialEq)]
pub struct Doc {
    pub text: Text,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: Text,
    pub span: Span,
}

/// A string literal of any prefix. `value` is unescaped per sqrt.md §2; `raw` is the source text
/// including prefix and quotes, so the formatter reprints it byte for byte.
#[derive(Clone, Debug, PartialEq)]
pub struct StrLit {
    pub value: Text,
    pub raw: Text,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NumValue {
    Int(i64),
    Float(f64),
    /// `+inf`, `-inf` or `inf` (positive).
    Inf {
        negative: bool,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct NumLit {
    pub value: NumValue,
    pub raw: Text,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub docs: Option<Doc>,
    pub kind: ItemKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ItemKind {
    Let(LetDecl),
    Policy(Policy),
    /// Boxed: a shorthand is the largest item by far, and every item is as large as the largest.
    Shorthand(Box<Shorthand>),
    /// Recovered syntax error; a diagnostic was already reported.
    Error,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LetDecl {
    pub name: Ident,
    pub value: LetValue,
    pub span: Span,
}

/// The right-hand side of a let, classified by sqrt.md §3.2(d).
#[derive(Clone, Debug, PartialEq)]
pub enum LetValue {
    /// Boxed: a domain is the largest right-hand side, and rare.
    Domain(Box<Domain>),
    Pred(Pred),
    Set(SetExpr),
    /// A bare, possibly parenthesised name: takes its target's kind. `parens` counts the
    /// parentheses around it so the formatter keeps them.
    Alias {
        target: Ident,
        parens: u32,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum ToolId {
    /// `"name"`: exact match on the unescaped text.
    Exact(StrLit),
    /// `r"re"`: a regex that must match the whole tool name.
    Regex(StrLit),
}

impl ToolId {
    pub fn lit(&self) -> &StrLit {
        match self {
            ToolId::Exact(s) | ToolId::Regex(s) => s,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    pub id: ToolId,
    pub members: Vec<Member>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub docs: Option<Doc>,
    pub kind: MemberKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
#[allow(
    clippy::large_enum_variant,
    reason = "built once per parse; boxing would complicate every consumer"
)]
pub enum MemberKind {
    Priority(NumLit),
    Rule(Rule),
    Result(Block),
    SessionBefore(Block),
    SessionAfter(Block),
    Error,
}

/// The level as written; `must`/`hard` are hard, `should`/`soft` are soft.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Must,
    Hard,
    Should,
    Soft,
}

impl Level {
    pub fn is_hard(self) -> bool {
        matches!(self, Level::Must | Level::Hard)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    pub level: Level,
    pub effect: Effect,
    /// `None` for `always`.
    pub cond: Option<Pred>,
    /// From the level keyword to the `;` inclusive.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub docs: Option<Doc>,
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    Update(Update),
    /// `when P { u; ... }`: P is evaluated once when reached.
    When {
        cond: Pred,
        updates: Vec<Update>,
    },
    Error,
}

pub use sqrt_std::meta::Field;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssignOp {
    /// `=`
    Set,
    /// `|=`
    Union,
    /// `&=`
    Intersect,
    /// `-=`
    Minus,
    /// `^=`
    Xor,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Update {
    pub target: Target,
    pub op: AssignOp,
    /// Boxed, as the parser builds every set in a set position.
    pub value: Box<SetExpr>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    /// `@tags`: the block's own meta (session in session blocks, the result in `result`).
    At(Field, Span),
    Result(Field, Span),
    Session(Field, Span),
    /// `x.tags` as a target: always E0209, parsed so it can be reported.
    Arg(Ident, Field, Span),
}

/// Which block a shorthand expands into, as written (so `fmt` keeps `session` vs `session after`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShorthandTarget {
    /// No target word.
    Implicit,
    Result,
    /// `session`, meaning `session after`.
    Session,
    SessionBefore,
    SessionAfter,
}

/// `tool ID [N] -> T @F op E when P;` (sqrt.md §3.3).
#[derive(Clone, Debug, PartialEq)]
pub struct Shorthand {
    pub id: ToolId,
    pub priority: Option<NumLit>,
    pub target: ShorthandTarget,
    pub field: Field,
    pub field_span: Span,
    pub op: AssignOp,
    pub value: Box<SetExpr>,
    pub cond: Option<Pred>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Pred {
    pub kind: PredKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PredKind {
    /// `a or b or c`, flattened, at least two operands.
    Or(Vec<Pred>),
    /// `a and b and c`, flattened, at least two operands.
    And(Vec<Pred>),
    Not(Box<Pred>),
    Paren(Box<Pred>),
    /// A predicate let.
    Ref(Ident),
    /// `v in S`, or with a quantifier `any v in S` / `all v in S`.
    In {
        quant: Option<Quant>,
        value: ValueExpr,
        /// Boxed (as in `SetCmp`) so a predicate node stays small.
        set: Box<SetExpr>,
    },
    /// `v1 == v2`. Boxed: two values are the largest comparison, and unboxed they would make
    /// every predicate node half as large again (and its every move a `memcpy` call).
    ValueEq(Box<[ValueExpr; 2]>),
    /// `m overlaps S`, `m subset of S`, `m superset of S`, `m == S`.
    SetCmp {
        left: MetaAcc,
        op: SetCmpOp,
        right: Box<SetExpr>,
    },
    /// `m is empty`, `m is universal`.
    Is {
        left: MetaAcc,
        universal: bool,
    },
    Error,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quant {
    Any,
    All,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetCmpOp {
    Overlaps,
    Subset,
    Superset,
    Eq,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ValueExpr {
    pub kind: ValueKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ValueKind {
    /// `name.value`
    Arg(Ident),
    /// `@result.value`
    Result,
    /// `@session.value`: parsed, always E0208.
    Session,
    Str(StrLit),
    /// `d"…"`
    Date(StrLit),
    Number(NumLit),
    Bool(bool),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AggOp {
    Union,
    Intersect,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MetaAcc {
    pub kind: MetaKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum MetaKind {
    /// `name.tags`
    Arg(Ident, Field),
    /// `@result.tags`
    Result(Field),
    /// `@session.tags`
    Session(Field),
    /// `@tags`
    At(Field),
    /// `@args.tags`, `@args.tags.union`, `@args.tags.intersect` (`None` = plain, a union).
    Args(Field, Option<AggOp>),
    /// `union of tags from args`, `intersect of tags from args`.
    Of(AggOp, Field),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetOp {
    /// `^` / `xor`
    Xor,
    /// `-` / `minus`
    Minus,
    /// `&` / `intersect`
    Intersect,
    /// `|` / `union`
    Union,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SetExpr {
    pub kind: SetKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SetKind {
    /// Left-associative binary operation (precedence in sqrt.md §3.1).
    Bin {
        op: SetOp,
        lhs: Box<SetExpr>,
        rhs: Box<SetExpr>,
    },
    /// `S with e` / `S without e`.
    With {
        set: Box<SetExpr>,
        elem: Box<Element>,
        without: bool,
    },
    /// `{e, ...}`
    Literal(Vec<Element>),
    Meta(MetaAcc),
    /// A set or domain let.
    Ref(Ident),
    Paren(Box<SetExpr>),
    Error,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Element {
    pub kind: ElementKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ElementKind {
    /// `"c"`, including `"*"`.
    Str(StrLit),
    /// `r"re"`
    Regex(StrLit),
    /// `w"g"`
    Wild(StrLit),
    Number(NumLit),
    /// Boxed: a domain is several times larger than the other elements.
    Domain(Box<Domain>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Domain {
    pub kind: DomainKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum DomainKind {
    Bool(bool),
    Int(Range<NumLit>),
    Float(Range<NumLit>),
    Str {
        pat: StrPat,
        length: Option<Range<NumLit>>,
    },
    Datetime(DtSpec),
}

#[derive(Clone, Debug, PartialEq)]
pub enum StrPat {
    /// `str "c"`
    Exact(StrLit),
    /// `str matching r"re"`
    Matching(StrLit),
    /// `str like w"g"`
    Like(StrLit),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RangeOp {
    /// `..`
    Closed,
    /// `..<`
    HalfOpenHigh,
    /// `<..`
    HalfOpenLow,
    /// `<..<`
    Open,
}

/// `n`, `a OP b`, `..b`, `..<b`, `a..`, `a<..`.
#[derive(Clone, Debug, PartialEq)]
pub enum Range<B> {
    Exact(B),
    Bounded {
        lo: Option<B>,
        op: RangeOp,
        hi: Option<B>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum DtSpec {
    /// `d"…"` bounds.
    Range(Range<StrLit>),
    /// An exact ISO text as a plain STR.
    Iso(StrLit),
    /// An exact epoch number.
    Epoch(NumLit),
}
