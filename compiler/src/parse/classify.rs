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

/// A token where a meta field or `@args` suffix should be (E0105).
#[derive(Clone, Copy, Debug)]
pub(super) enum BadField {
    /// `.value` after `@args`.
    ArgsValue,
    /// A word after `@args.F.` that is no suffix.
    Suffix,
    /// A word after any other `.` or `@` that is no field.
    Field,
}

/// The tokens' terminals, as `classify` finds them.
pub(super) struct Classified {
    /// The terminal of each token.
    pub kinds: Vec<K>,
    /// The tokens where a meta field or `@args` suffix is not one (E0105).
    pub bad_fields: Vec<(usize, BadField)>,
    /// How many `let` and how many `tool` keyword terminals there are (at most one
    /// declaration each).
    pub lets: usize,
    pub tools: usize,
}

/// The terminal of each token (§3.2's local word rules; see the module comment), and the
/// tokens where a meta field or `@args` suffix is not one (E0105, `Cx::field_prescan`): every
/// word after `.`/`@` that is no field (after `@args.F.`: no suffix), and `.value` after
/// `@args`. One pass over the tokens finds both.
pub(super) fn classify(src: &str, toks: &[Lexeme]) -> Classified {
    let words = Words { src, toks };
    // Written in place, not pushed: no capacity check per token.
    let mut kinds = vec![K::End; toks.len()];
    let mut bad_fields = Vec::new();
    let (mut lets, mut tools) = (0, 0);
    let mut prev = None;
    for (i, t) in toks.iter().enumerate() {
        let k = if t.tok != Kind::Word {
            if t.tok == Kind::DotValue && prev == Some(Kind::AtArgs) {
                bad_fields.push((i, BadField::ArgsValue));
            }
            punct(t.tok)
        } else {
            // Bytes: a word is ASCII, and a `str` slice would check both ends for character
            // boundaries on every word.
            let w = &src.as_bytes()[t.span.range()];
            if matches!(prev, Some(Kind::Dot | Kind::At)) {
                let k = match w {
                    b"tags" => K::Tags,
                    b"producers" => K::Producers,
                    b"consumers" => K::Consumers,
                    b"union" => K::Union,
                    b"intersect" => K::Intersect,
                    _ => K::Name,
                };
                // After `@args.F.` only a suffix fits, after any other `.`/`@` only a field.
                let suffix = i >= 4
                    && prev == Some(Kind::Dot)
                    && matches!(kinds[i - 2], K::Tags | K::Producers | K::Consumers)
                    && kinds[i - 3] == K::Dot
                    && kinds[i - 4] == K::AtArgs;
                if suffix && !matches!(k, K::Union | K::Intersect) {
                    bad_fields.push((i, BadField::Suffix));
                } else if !suffix && !matches!(k, K::Tags | K::Producers | K::Consumers) {
                    bad_fields.push((i, BadField::Field));
                }
                k
            } else {
                let k = words.terminal(i, w, prev);
                lets += usize::from(k == K::Let);
                tools += usize::from(k == K::Tool);
                k
            }
        };
        kinds[i] = k;
        prev = Some(t.tok);
    }
    Classified {
        kinds,
        bad_fields,
        lets,
        tools,
    }
}

/// The tokens, for the lookahead of the word rules.
struct Words<'s> {
    src: &'s str,
    toks: &'s [Lexeme],
}

impl<'s> Words<'s> {
    fn tok(&self, i: usize) -> Option<Kind> {
        self.toks.get(i).map(|t| t.tok)
    }

    /// The text of token `i` if it is a word.
    fn word(&self, i: usize) -> Option<&'s [u8]> {
        let t = self.toks.get(i)?;
        (t.tok == Kind::Word).then(|| &self.src.as_bytes()[t.span.range()])
    }

    fn starts_set_atom(&self, i: usize) -> bool {
        matches!(
            self.tok(i),
            Some(
                Kind::LBrace
                    | Kind::LParen
                    | Kind::At
                    | Kind::AtResult
                    | Kind::AtSession
                    | Kind::AtArgs
            )
        ) || self.word(i).is_some_and(|w| !matches!(w, b"and" | b"or"))
    }

    fn starts_element(&self, i: usize) -> bool {
        matches!(
            self.tok(i),
            Some(Kind::Str | Kind::RStr | Kind::WStr | Kind::Int | Kind::Float | Kind::Inf)
        ) || matches!(
            self.word(i),
            Some(b"inf" | b"bool" | b"int" | b"float" | b"str" | b"datetime")
        )
    }

    /// The terminal of the word `w` at token `i` (not after `.`/`@`), `prev` the kind of the
    /// token before it.
    fn terminal(&self, i: usize, w: &[u8], prev: Option<Kind>) -> K {
        let next = self.tok(i + 1);
        // Looked up once: the rules below test the keyword, not the text again.
        let kw = keyword(w);
        // Declaration and member words at the start of one are keywords whatever follows (for
        // the messages of a broken one); elsewhere a word before `.` is an argument.
        let starts_decl = matches!(prev, None | Some(Kind::Semi | Kind::RBrace | Kind::LBrace))
            && kw.is_some_and(is_decl_word);
        if matches!(next, Some(Kind::Dot | Kind::DotValue)) && !starts_decl {
            return K::Name;
        }
        let value_acc_next = || {
            matches!(next, Some(Kind::Word | Kind::AtResult | Kind::AtSession))
                && matches!(self.tok(i + 2), Some(Kind::DotValue))
        };
        let cmp_next = || matches!(next, Some(Kind::EqEq)) || self.word(i + 1) == Some(b"in");
        match kw {
            // `S | not & T`, `(not)`: a `not` that nothing negated follows is a set name.
            Some(K::Not) if !matches!(prev, Some(Kind::Eq)) && self.not_is_a_name(i, prev) => {
                K::Name
            }
            Some(K::Union) if self.word(i + 1) == Some(b"of") => K::AggUnion,
            Some(K::Intersect) if self.word(i + 1) == Some(b"of") => K::AggIntersect,
            Some(K::Any) if value_acc_next() => K::QuantAny,
            Some(K::All) if value_acc_next() => K::QuantAll,
            Some(K::True) if cmp_next() => K::TrueLit,
            Some(K::False) if cmp_next() => K::FalseLit,
            Some(K::InfKw) if cmp_next() => K::InfLit,
            Some(k) => k,
            None => K::Name,
        }
    }

    /// Whether the `not` at `i` is followed by what continues a set, not by what it negates.
    fn not_is_a_name(&self, i: usize, prev: Option<Kind>) -> bool {
        let next = self.word(i + 1);
        matches!(
            self.tok(i + 1),
            Some(Kind::RParen | Kind::Pipe | Kind::Amp | Kind::Caret | Kind::Minus)
        ) || (matches!(next, Some(b"with" | b"without")) && self.starts_element(i + 2))
            || (matches!(prev, Some(Kind::LParen))
                && matches!(next, Some(b"union" | b"intersect" | b"minus" | b"xor"))
                // `union of` is the aggregation (§3.2 b), which `not` negates.
                && !(matches!(next, Some(b"union" | b"intersect"))
                    && self.word(i + 2) == Some(b"of"))
                && self.starts_set_atom(i + 2))
    }
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
fn keyword(w: &[u8]) -> Option<K> {
    Some(match w.len() {
        2 => match w {
            b"or" => K::Or,
            b"in" => K::In,
            b"of" => K::Of,
            b"is" => K::Is,
            _ => return None,
        },
        3 => match w {
            b"let" => K::Let,
            b"and" => K::And,
            b"not" => K::Not,
            b"any" => K::Any,
            b"all" => K::All,
            b"xor" => K::Xor,
            b"int" => K::IntKw,
            b"str" => K::StrKw,
            b"inf" => K::InfKw,
            _ => return None,
        },
        4 => match w {
            b"tool" => K::Tool,
            b"must" => K::Must,
            b"hard" => K::Hard,
            b"soft" => K::Soft,
            b"deny" => K::Deny,
            b"when" => K::When,
            b"tags" => K::Tags,
            b"from" => K::From,
            b"args" => K::Args,
            b"with" => K::With,
            b"bool" => K::Bool,
            b"like" => K::Like,
            b"true" => K::True,
            _ => return None,
        },
        5 => match w {
            b"allow" => K::Allow,
            b"after" => K::After,
            b"empty" => K::Empty,
            b"union" => K::Union,
            b"minus" => K::MinusKw,
            b"float" => K::FloatKw,
            b"false" => K::False,
            _ => return None,
        },
        6 => match w {
            b"should" => K::Should,
            b"always" => K::Always,
            b"result" => K::Result,
            b"before" => K::Before,
            b"subset" => K::Subset,
            b"length" => K::Length,
            _ => return None,
        },
        7 => match w {
            b"session" => K::Session,
            b"without" => K::Without,
            _ => return None,
        },
        8 => match w {
            b"priority" => K::Priority,
            b"overlaps" => K::Overlaps,
            b"superset" => K::Superset,
            b"datetime" => K::Datetime,
            b"matching" => K::Matching,
            _ => return None,
        },
        9 => match w {
            b"producers" => K::Producers,
            b"consumers" => K::Consumers,
            b"universal" => K::Universal,
            b"intersect" => K::Intersect,
            _ => return None,
        },
        _ => return None,
    })
}
