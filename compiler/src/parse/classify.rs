//! Tokens → grammar terminals (the purely local word rules of sqrt.md §3.2).

use crate::lex::{Tok, Token};

/// A grammar terminal (see the `extern` block of `grammar.lalrpop`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum K {
    LBrace,
    RBrace,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Semi,
    Comma,
    Dot,
    Eq,
    EqEq,
    Arrow,
    Pipe,
    Amp,
    Minus,
    Caret,
    PipeEq,
    AmpEq,
    MinusEq,
    CaretEq,
    DotDot,
    DotDotLt,
    LtDotDot,
    LtDotDotLt,
    DotValue,
    At,
    AtResult,
    AtSession,
    AtArgs,
    Str,
    RStr,
    WStr,
    DStr,
    Int,
    Float,
    Inf,
    Name,
    QuantAny,
    QuantAll,
    AggUnion,
    AggIntersect,
    TrueLit,
    FalseLit,
    InfLit,
    Let,
    Tool,
    Priority,
    Must,
    Hard,
    Should,
    Soft,
    Allow,
    Deny,
    When,
    Always,
    Result,
    Session,
    Before,
    After,
    Tags,
    Producers,
    Consumers,
    Or,
    And,
    Not,
    In,
    Any,
    All,
    Overlaps,
    Subset,
    Superset,
    Of,
    Is,
    Empty,
    Universal,
    Union,
    Intersect,
    From,
    Args,
    Xor,
    MinusKw,
    With,
    Without,
    Bool,
    IntKw,
    FloatKw,
    StrKw,
    Datetime,
    Matching,
    Like,
    Length,
    True,
    False,
    InfKw,
    /// The end of the input (three of them, see `Program` in the grammar).
    End,
}

/// The terminal of each token (§3.2's local word rules; see the module comment).
pub(super) fn classify(src: &str, toks: &[Token]) -> Vec<K> {
    let word = |i: usize| -> Option<&str> {
        let t = toks.get(i)?;
        (t.tok == Tok::Word).then(|| &src[t.span.range()])
    };
    let tok = |i: usize| toks.get(i).map(|t| &t.tok);
    let starts_set_atom = |i: usize| {
        matches!(
            tok(i),
            Some(
                Tok::LBrace | Tok::LParen | Tok::At | Tok::AtResult | Tok::AtSession | Tok::AtArgs
            )
        ) || word(i).is_some_and(|w| !matches!(w, "and" | "or"))
    };
    let starts_element = |i: usize| {
        matches!(
            tok(i),
            Some(
                Tok::Str(_)
                    | Tok::RStr(_)
                    | Tok::WStr(_)
                    | Tok::Int(_)
                    | Tok::Float(_)
                    | Tok::Inf { .. }
            )
        ) || matches!(
            word(i),
            Some("inf" | "bool" | "int" | "float" | "str" | "datetime")
        )
    };
    (0..toks.len())
        .map(|i| {
            let Some(w) = word(i) else {
                return punct(&toks[i].tok);
            };
            let prev = if i == 0 { None } else { tok(i - 1) };
            if matches!(prev, Some(Tok::Dot | Tok::At)) {
                return match w {
                    "tags" => K::Tags,
                    "producers" => K::Producers,
                    "consumers" => K::Consumers,
                    "union" => K::Union,
                    "intersect" => K::Intersect,
                    _ => K::Name,
                };
            }
            let next = tok(i + 1);
            // Declaration and member words at the start of one are keywords whatever follows
            // (for the messages of a broken one); elsewhere a word before `.` is an argument.
            let starts_decl = matches!(prev, None | Some(Tok::Semi | Tok::RBrace | Tok::LBrace))
                && matches!(
                    w,
                    "let"
                        | "tool"
                        | "priority"
                        | "must"
                        | "hard"
                        | "should"
                        | "soft"
                        | "result"
                        | "session"
                );
            if matches!(next, Some(Tok::Dot | Tok::DotValue)) && !starts_decl {
                return K::Name;
            }
            let value_acc_next = matches!(next, Some(Tok::Word | Tok::AtResult | Tok::AtSession))
                && matches!(tok(i + 2), Some(Tok::DotValue));
            let cmp_next = matches!(next, Some(Tok::EqEq)) || word(i + 1) == Some("in");
            match w {
                // `S | not & T`, `(not)`: a `not` that nothing negated follows is a set name.
                "not"
                    if !matches!(prev, Some(Tok::Eq))
                        && (matches!(
                            next,
                            Some(Tok::RParen | Tok::Pipe | Tok::Amp | Tok::Caret | Tok::Minus)
                        ) || (matches!(word(i + 1), Some("with" | "without"))
                            && starts_element(i + 2))
                            || (matches!(prev, Some(Tok::LParen))
                                && matches!(
                                    word(i + 1),
                                    Some("union" | "intersect" | "minus" | "xor")
                                )
                                // `union of` is the aggregation (§3.2 b), which `not` negates.
                                && !(matches!(word(i + 1), Some("union" | "intersect"))
                                    && word(i + 2) == Some("of"))
                                && starts_set_atom(i + 2))) =>
                {
                    K::Name
                }
                "union" if word(i + 1) == Some("of") => K::AggUnion,
                "intersect" if word(i + 1) == Some("of") => K::AggIntersect,
                "any" if value_acc_next => K::QuantAny,
                "all" if value_acc_next => K::QuantAll,
                "true" if cmp_next => K::TrueLit,
                "false" if cmp_next => K::FalseLit,
                "inf" if cmp_next => K::InfLit,
                _ => keyword(w).unwrap_or(K::Name),
            }
        })
        .collect()
}

fn punct(t: &Tok) -> K {
    match t {
        Tok::LBrace => K::LBrace,
        Tok::RBrace => K::RBrace,
        Tok::LParen => K::LParen,
        Tok::RParen => K::RParen,
        Tok::LBracket => K::LBracket,
        Tok::RBracket => K::RBracket,
        Tok::Semi => K::Semi,
        Tok::Comma => K::Comma,
        Tok::Dot => K::Dot,
        Tok::Eq => K::Eq,
        Tok::EqEq => K::EqEq,
        Tok::Arrow => K::Arrow,
        Tok::Pipe => K::Pipe,
        Tok::Amp => K::Amp,
        Tok::Minus => K::Minus,
        Tok::Caret => K::Caret,
        Tok::PipeEq => K::PipeEq,
        Tok::AmpEq => K::AmpEq,
        Tok::MinusEq => K::MinusEq,
        Tok::CaretEq => K::CaretEq,
        Tok::DotDot => K::DotDot,
        Tok::DotDotLt => K::DotDotLt,
        Tok::LtDotDot => K::LtDotDot,
        Tok::LtDotDotLt => K::LtDotDotLt,
        Tok::DotValue => K::DotValue,
        Tok::At => K::At,
        Tok::AtResult => K::AtResult,
        Tok::AtSession => K::AtSession,
        Tok::AtArgs => K::AtArgs,
        Tok::Str(_) => K::Str,
        Tok::RStr(_) => K::RStr,
        Tok::WStr(_) => K::WStr,
        Tok::DStr(_) => K::DStr,
        Tok::Int(_) => K::Int,
        Tok::Float(_) => K::Float,
        Tok::Inf { .. } => K::Inf,
        // Words are classified by the caller; docs and `Eof` never reach the grammar.
        Tok::Word | Tok::Doc(_) | Tok::Eof => K::Name,
    }
}

fn keyword(w: &str) -> Option<K> {
    Some(match w {
        "let" => K::Let,
        "tool" => K::Tool,
        "priority" => K::Priority,
        "must" => K::Must,
        "hard" => K::Hard,
        "should" => K::Should,
        "soft" => K::Soft,
        "allow" => K::Allow,
        "deny" => K::Deny,
        "when" => K::When,
        "always" => K::Always,
        "result" => K::Result,
        "session" => K::Session,
        "before" => K::Before,
        "after" => K::After,
        "tags" => K::Tags,
        "producers" => K::Producers,
        "consumers" => K::Consumers,
        "or" => K::Or,
        "and" => K::And,
        "not" => K::Not,
        "in" => K::In,
        "any" => K::Any,
        "all" => K::All,
        "overlaps" => K::Overlaps,
        "subset" => K::Subset,
        "superset" => K::Superset,
        "of" => K::Of,
        "is" => K::Is,
        "empty" => K::Empty,
        "universal" => K::Universal,
        "union" => K::Union,
        "intersect" => K::Intersect,
        "from" => K::From,
        "args" => K::Args,
        "xor" => K::Xor,
        "minus" => K::MinusKw,
        "with" => K::With,
        "without" => K::Without,
        "bool" => K::Bool,
        "int" => K::IntKw,
        "float" => K::FloatKw,
        "str" => K::StrKw,
        "datetime" => K::Datetime,
        "matching" => K::Matching,
        "like" => K::Like,
        "length" => K::Length,
        "true" => K::True,
        "false" => K::False,
        "inf" => K::InfKw,
        _ => return None,
    })
}
