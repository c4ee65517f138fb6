//! Tokens → grammar terminals (the purely local word rules of sqrt.md §3.2).

use crate::lex::{Kind, Lexeme};

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
pub(super) fn classify(src: &str, toks: &[Lexeme]) -> Vec<K> {
    let word = |i: usize| -> Option<&str> {
        let t = toks.get(i)?;
        (t.tok == Kind::Word).then(|| &src[t.span.range()])
    };
    let tok = |i: usize| toks.get(i).map(|t| t.tok);
    let starts_set_atom = |i: usize| {
        matches!(
            tok(i),
            Some(
                Kind::LBrace
                    | Kind::LParen
                    | Kind::At
                    | Kind::AtResult
                    | Kind::AtSession
                    | Kind::AtArgs
            )
        ) || word(i).is_some_and(|w| !matches!(w, "and" | "or"))
    };
    let starts_element = |i: usize| {
        matches!(
            tok(i),
            Some(Kind::Str | Kind::RStr | Kind::WStr | Kind::Int | Kind::Float | Kind::Inf)
        ) || matches!(
            word(i),
            Some("inf" | "bool" | "int" | "float" | "str" | "datetime")
        )
    };
    (0..toks.len())
        .map(|i| {
            let Some(w) = word(i) else {
                return punct(toks[i].tok);
            };
            let prev = if i == 0 { None } else { tok(i - 1) };
            if matches!(prev, Some(Kind::Dot | Kind::At)) {
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
            // Looked up once: the rules below test the keyword, not the text again.
            let kw = keyword(w);
            // Declaration and member words at the start of one are keywords whatever follows
            // (for the messages of a broken one); elsewhere a word before `.` is an argument.
            let starts_decl = matches!(prev, None | Some(Kind::Semi | Kind::RBrace | Kind::LBrace))
                && kw.is_some_and(is_decl_word);
            if matches!(next, Some(Kind::Dot | Kind::DotValue)) && !starts_decl {
                return K::Name;
            }
            let value_acc_next = || {
                matches!(next, Some(Kind::Word | Kind::AtResult | Kind::AtSession))
                    && matches!(tok(i + 2), Some(Kind::DotValue))
            };
            let cmp_next = || matches!(next, Some(Kind::EqEq)) || word(i + 1) == Some("in");
            match kw {
                // `S | not & T`, `(not)`: a `not` that nothing negated follows is a set name.
                Some(K::Not)
                    if !matches!(prev, Some(Kind::Eq))
                        && (matches!(
                            next,
                            Some(Kind::RParen | Kind::Pipe | Kind::Amp | Kind::Caret | Kind::Minus)
                        ) || (matches!(word(i + 1), Some("with" | "without"))
                            && starts_element(i + 2))
                            || (matches!(prev, Some(Kind::LParen))
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
                Some(K::Union) if word(i + 1) == Some("of") => K::AggUnion,
                Some(K::Intersect) if word(i + 1) == Some("of") => K::AggIntersect,
                Some(K::Any) if value_acc_next() => K::QuantAny,
                Some(K::All) if value_acc_next() => K::QuantAll,
                Some(K::True) if cmp_next() => K::TrueLit,
                Some(K::False) if cmp_next() => K::FalseLit,
                Some(K::InfKw) if cmp_next() => K::InfLit,
                Some(k) => k,
                None => K::Name,
            }
        })
        .collect()
}

/// The declaration and member words (`DeclWord` in the grammar): kept as keywords at the start
/// of a statement even before `.`, where the grammar then takes them as argument names.
pub(super) fn is_decl_word(k: K) -> bool {
    matches!(
        k,
        K::Let
            | K::Tool
            | K::Priority
            | K::Must
            | K::Hard
            | K::Should
            | K::Soft
            | K::Result
            | K::Session
    )
}

fn punct(t: Kind) -> K {
    match t {
        Kind::LBrace => K::LBrace,
        Kind::RBrace => K::RBrace,
        Kind::LParen => K::LParen,
        Kind::RParen => K::RParen,
        Kind::LBracket => K::LBracket,
        Kind::RBracket => K::RBracket,
        Kind::Semi => K::Semi,
        Kind::Comma => K::Comma,
        Kind::Dot => K::Dot,
        Kind::Eq => K::Eq,
        Kind::EqEq => K::EqEq,
        Kind::Arrow => K::Arrow,
        Kind::Pipe => K::Pipe,
        Kind::Amp => K::Amp,
        Kind::Minus => K::Minus,
        Kind::Caret => K::Caret,
        Kind::PipeEq => K::PipeEq,
        Kind::AmpEq => K::AmpEq,
        Kind::MinusEq => K::MinusEq,
        Kind::CaretEq => K::CaretEq,
        Kind::DotDot => K::DotDot,
        Kind::DotDotLt => K::DotDotLt,
        Kind::LtDotDot => K::LtDotDot,
        Kind::LtDotDotLt => K::LtDotDotLt,
        Kind::DotValue => K::DotValue,
        Kind::At => K::At,
        Kind::AtResult => K::AtResult,
        Kind::AtSession => K::AtSession,
        Kind::AtArgs => K::AtArgs,
        Kind::Str => K::Str,
        Kind::RStr => K::RStr,
        Kind::WStr => K::WStr,
        Kind::DStr => K::DStr,
        Kind::Int => K::Int,
        Kind::Float => K::Float,
        Kind::Inf => K::Inf,
        // Words are classified by the caller; docs and `Eof` never reach the grammar.
        Kind::Word | Kind::Doc | Kind::Eof => K::Name,
    }
}

/// The keyword terminal of a word, if it is spelled like one. Dispatched on the length first:
/// one `match` over fifty strings compares them one after another, for every name too.
fn keyword(w: &str) -> Option<K> {
    Some(match w.len() {
        2 => match w {
            "or" => K::Or,
            "in" => K::In,
            "of" => K::Of,
            "is" => K::Is,
            _ => return None,
        },
        3 => match w {
            "let" => K::Let,
            "and" => K::And,
            "not" => K::Not,
            "any" => K::Any,
            "all" => K::All,
            "xor" => K::Xor,
            "int" => K::IntKw,
            "str" => K::StrKw,
            "inf" => K::InfKw,
            _ => return None,
        },
        4 => match w {
            "tool" => K::Tool,
            "must" => K::Must,
            "hard" => K::Hard,
            "soft" => K::Soft,
            "deny" => K::Deny,
            "when" => K::When,
            "tags" => K::Tags,
            "from" => K::From,
            "args" => K::Args,
            "with" => K::With,
            "bool" => K::Bool,
            "like" => K::Like,
            "true" => K::True,
            _ => return None,
        },
        5 => match w {
            "allow" => K::Allow,
            "after" => K::After,
            "empty" => K::Empty,
            "union" => K::Union,
            "minus" => K::MinusKw,
            "float" => K::FloatKw,
            "false" => K::False,
            _ => return None,
        },
        6 => match w {
            "should" => K::Should,
            "always" => K::Always,
            "result" => K::Result,
            "before" => K::Before,
            "subset" => K::Subset,
            "length" => K::Length,
            _ => return None,
        },
        7 => match w {
            "session" => K::Session,
            "without" => K::Without,
            _ => return None,
        },
        8 => match w {
            "priority" => K::Priority,
            "overlaps" => K::Overlaps,
            "superset" => K::Superset,
            "datetime" => K::Datetime,
            "matching" => K::Matching,
            _ => return None,
        },
        9 => match w {
            "producers" => K::Producers,
            "consumers" => K::Consumers,
            "universal" => K::Universal,
            "intersect" => K::Intersect,
            _ => return None,
        },
        _ => return None,
    })
}
