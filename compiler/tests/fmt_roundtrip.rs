//! Property test: random syntax trees printed by `fmt` parse back to the same tree (spans aside),
//! and printing is idempotent (sqrt.md §7).

mod common;

use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use sqrt_compiler::ast::*;
use sqrt_compiler::diag::Span;
use sqrt_compiler::fmt::format;
use sqrt_compiler::parse::parse;

const S: Span = Span { start: 0, end: 0 };

/// Names for lets and references: no keyword, so they read as names everywhere.
fn name() -> impl Strategy<Value = Ident> {
    prop::sample::select(vec!["a", "b", "x", "doc_2", "Foo", "_p"]).prop_map(|n| Ident {
        name: n.into(),
        span: S,
    })
}

/// Argument names: keywords too, since a word before `.`/`.value` is always an argument (§3.2 a).
fn arg() -> impl Strategy<Value = Ident> {
    prop::sample::select(vec![
        "to", "body", "not", "from", "when", "in", "int", "union", "any", "tool",
    ])
    .prop_map(|n| Ident {
        name: n.into(),
        span: S,
    })
}

fn field() -> impl Strategy<Value = Field> {
    prop_oneof![
        Just(Field::Tags),
        Just(Field::Producers),
        Just(Field::Consumers)
    ]
}

/// A string literal: `(value, body as written)` pieces, including escapes.
fn str_body() -> impl Strategy<Value = (String, String)> {
    let piece = prop_oneof![
        "[a-z0-9 _.*@/#-]{1,3}".prop_map(|s| (s.clone(), s)),
        Just(("\"".to_string(), "\\\"".to_string())),
        Just(("\\".to_string(), "\\\\".to_string())),
        Just(("é".to_string(), "é".to_string())),
    ];
    prop::collection::vec(piece, 0..4).prop_map(|ps| {
        let mut v = String::new();
        let mut raw = String::new();
        for (pv, pr) in ps {
            v.push_str(&pv);
            raw.push_str(&pr);
        }
        (v, raw)
    })
}

fn lit(prefix: &'static str) -> impl Strategy<Value = StrLit> {
    str_body().prop_map(move |(value, body)| StrLit {
        value: value.into(),
        raw: format!("{prefix}\"{body}\"").into(),
        span: S,
    })
}

fn date() -> impl Strategy<Value = StrLit> + Clone {
    prop::sample::select(vec![
        "2024-01-01",
        "2024-06-01T10:00:00Z",
        "2025-12-31 23:59",
    ])
    .prop_map(|d| StrLit {
        value: d.into(),
        raw: format!("d\"{d}\"").into(),
        span: S,
    })
}

fn int_lit() -> impl Strategy<Value = NumLit> + Clone {
    any::<i64>().prop_map(|i| NumLit {
        value: NumValue::Int(i),
        raw: i.to_string().into(),
        span: S,
    })
}

fn number() -> impl Strategy<Value = NumLit> + Clone {
    prop_oneof![
        int_lit(),
        (-1000i64..1000, 0u32..1000).prop_map(|(i, f)| {
            let raw = format!("{i}.{f}");
            NumLit {
                value: NumValue::Float(raw.parse().unwrap()),
                raw: raw.into(),
                span: S,
            }
        }),
        prop::sample::select(vec!["inf", "+inf", "-inf"]).prop_map(|r| NumLit {
            value: NumValue::Inf {
                negative: r == "-inf"
            },
            raw: r.into(),
            span: S
        }),
    ]
}

fn range<B: Clone + std::fmt::Debug + 'static>(
    b: impl Strategy<Value = B> + Clone,
) -> impl Strategy<Value = Range<B>> {
    let op = prop_oneof![
        Just(RangeOp::Closed),
        Just(RangeOp::HalfOpenHigh),
        Just(RangeOp::HalfOpenLow),
        Just(RangeOp::Open)
    ];
    prop_oneof![
        b.clone().prop_map(Range::Exact),
        (b.clone(), op, b.clone()).prop_map(|(lo, op, hi)| Range::Bounded {
            lo: Some(lo),
            op,
            hi: Some(hi)
        }),
        (prop::bool::ANY, b.clone()).prop_map(|(open, hi)| Range::Bounded {
            lo: None,
            op: if open {
                RangeOp::HalfOpenHigh
            } else {
                RangeOp::Closed
            },
            hi: Some(hi)
        }),
        (prop::bool::ANY, b).prop_map(|(open, lo)| Range::Bounded {
            lo: Some(lo),
            op: if open {
                RangeOp::HalfOpenLow
            } else {
                RangeOp::Closed
            },
            hi: None
        }),
    ]
}

fn domain() -> impl Strategy<Value = Domain> {
    let pat = prop_oneof![
        lit("").prop_map(StrPat::Exact),
        lit("r").prop_map(StrPat::Matching),
        lit("w").prop_map(StrPat::Like),
    ];
    let kind = prop_oneof![
        prop::bool::ANY.prop_map(DomainKind::Bool),
        range(number()).prop_map(DomainKind::Int),
        range(number()).prop_map(DomainKind::Float),
        (pat, prop::option::of(range(number())))
            .prop_map(|(pat, length)| DomainKind::Str { pat, length }),
        prop_oneof![
            range(date()).prop_map(DtSpec::Range),
            lit("").prop_map(DtSpec::Iso),
            number().prop_map(DtSpec::Epoch)
        ]
        .prop_map(DomainKind::Datetime),
    ];
    kind.prop_map(|kind| Domain { kind, span: S })
}

fn element() -> impl Strategy<Value = Element> {
    prop_oneof![
        lit("").prop_map(ElementKind::Str),
        lit("r").prop_map(ElementKind::Regex),
        lit("w").prop_map(ElementKind::Wild),
        number().prop_map(ElementKind::Number),
        domain().prop_map(|d| ElementKind::Domain(Box::new(d))),
    ]
    .prop_map(|kind| Element { kind, span: S })
}

fn meta() -> impl Strategy<Value = MetaAcc> {
    let agg = prop_oneof![Just(AggOp::Union), Just(AggOp::Intersect)];
    prop_oneof![
        (arg(), field()).prop_map(|(a, f)| MetaKind::Arg(a, f)),
        field().prop_map(MetaKind::Result),
        field().prop_map(MetaKind::Session),
        field().prop_map(MetaKind::At),
        (field(), prop::option::of(agg.clone())).prop_map(|(f, a)| MetaKind::Args(f, a)),
        (agg, field()).prop_map(|(a, f)| MetaKind::Of(a, f)),
    ]
    .prop_map(|kind| MetaAcc { kind, span: S })
}

fn value() -> impl Strategy<Value = ValueExpr> {
    prop_oneof![
        arg().prop_map(ValueKind::Arg),
        Just(ValueKind::Result),
        Just(ValueKind::Session),
        lit("").prop_map(ValueKind::Str),
        date().prop_map(ValueKind::Date),
        number().prop_map(ValueKind::Number),
        prop::bool::ANY.prop_map(ValueKind::Bool),
    ]
    .prop_map(|kind| ValueExpr { kind, span: S })
}

fn value_acc() -> impl Strategy<Value = ValueExpr> {
    prop_oneof![
        arg().prop_map(ValueKind::Arg),
        Just(ValueKind::Result),
        Just(ValueKind::Session)
    ]
    .prop_map(|kind| ValueExpr { kind, span: S })
}

fn set_level(s: &SetExpr) -> u8 {
    match &s.kind {
        SetKind::Bin { op, .. } => op_level(*op),
        SetKind::With { .. } => 4,
        _ => 5,
    }
}

fn op_level(op: SetOp) -> u8 {
    match op {
        SetOp::Xor => 0,
        SetOp::Minus => 1,
        SetOp::Intersect => 2,
        SetOp::Union => 3,
    }
}

fn paren_set(s: SetExpr) -> SetExpr {
    SetExpr {
        kind: SetKind::Paren(Box::new(s)),
        span: S,
    }
}

/// Set expressions; children that would regroup when printed get the parentheses an author
/// would have to write.
fn set() -> impl Strategy<Value = SetExpr> {
    let leaf = prop_oneof![
        prop::collection::vec(element(), 0..4).prop_map(SetKind::Literal),
        meta().prop_map(SetKind::Meta),
        name().prop_map(SetKind::Ref),
    ]
    .prop_map(|kind| SetExpr { kind, span: S });
    leaf.prop_recursive(4, 24, 3, |inner| {
        let op = prop_oneof![
            Just(SetOp::Xor),
            Just(SetOp::Minus),
            Just(SetOp::Intersect),
            Just(SetOp::Union)
        ];
        prop_oneof![
            (op, inner.clone(), inner.clone()).prop_map(|(op, l, r)| {
                let lvl = op_level(op);
                let l = if set_level(&l) < lvl { paren_set(l) } else { l };
                let r = if set_level(&r) <= lvl {
                    paren_set(r)
                } else {
                    r
                };
                SetExpr {
                    kind: SetKind::Bin {
                        op,
                        lhs: Box::new(l),
                        rhs: Box::new(r),
                    },
                    span: S,
                }
            }),
            (inner.clone(), element(), prop::bool::ANY).prop_map(|(s, elem, without)| {
                let s = if set_level(&s) < 4 { paren_set(s) } else { s };
                SetExpr {
                    kind: SetKind::With {
                        set: Box::new(s),
                        elem: Box::new(elem),
                        without,
                    },
                    span: S,
                }
            }),
            inner.prop_map(paren_set),
        ]
    })
}

fn paren_pred(p: Pred) -> Pred {
    Pred {
        kind: PredKind::Paren(Box::new(p)),
        span: S,
    }
}

fn pred() -> impl Strategy<Value = Pred> {
    let cmp = prop_oneof![
        Just(SetCmpOp::Overlaps),
        Just(SetCmpOp::Subset),
        Just(SetCmpOp::Superset),
        Just(SetCmpOp::Eq)
    ];
    let quant = prop_oneof![Just(Quant::Any), Just(Quant::All)];
    let leaf = prop_oneof![
        name().prop_map(PredKind::Ref),
        (value(), set()).prop_map(|(value, set)| PredKind::In {
            quant: None,
            value,
            set: Box::new(set)
        }),
        (quant, value_acc(), set()).prop_map(|(q, value, set)| PredKind::In {
            quant: Some(q),
            value,
            set: Box::new(set)
        }),
        (value(), value()).prop_map(|(a, b)| PredKind::ValueEq(Box::new([a, b]))),
        (meta(), cmp, set()).prop_map(|(left, op, right)| PredKind::SetCmp {
            left,
            op,
            right: Box::new(right)
        }),
        (meta(), prop::bool::ANY).prop_map(|(left, universal)| PredKind::Is { left, universal }),
    ]
    .prop_map(|kind| Pred { kind, span: S });
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..4).prop_map(|l| Pred {
                kind: PredKind::Or(
                    l.into_iter()
                        .map(|p| if matches!(p.kind, PredKind::Or(_)) {
                            paren_pred(p)
                        } else {
                            p
                        })
                        .collect()
                ),
                span: S
            }),
            prop::collection::vec(inner.clone(), 2..4).prop_map(|l| Pred {
                kind: PredKind::And(
                    l.into_iter()
                        .map(
                            |p| if matches!(p.kind, PredKind::Or(_) | PredKind::And(_)) {
                                paren_pred(p)
                            } else {
                                p
                            }
                        )
                        .collect()
                ),
                span: S
            }),
            inner.clone().prop_map(|p| {
                let p = if matches!(p.kind, PredKind::Or(_) | PredKind::And(_)) {
                    paren_pred(p)
                } else {
                    p
                };
                Pred {
                    kind: PredKind::Not(Box::new(p)),
                    span: S,
                }
            }),
            inner.prop_map(paren_pred),
        ]
    })
}

fn doc() -> impl Strategy<Value = Option<Doc>> {
    prop::option::of(
        prop::collection::vec("( ?[a-z/]{1,6}( [a-z]{1,4})?)?", 1..3).prop_map(|lines| Doc {
            text: lines.join("\n").into(),
            span: S,
        }),
    )
}

/// Unwraps parentheses to see whether a let value would read as an alias.
fn is_bare_name_pred(p: &Pred) -> bool {
    match &p.kind {
        PredKind::Ref(_) => true,
        PredKind::Paren(q) => is_bare_name_pred(q),
        _ => false,
    }
}

fn is_bare_name_set(s: &SetExpr) -> bool {
    match &s.kind {
        SetKind::Ref(_) => true,
        SetKind::Paren(q) => is_bare_name_set(q),
        _ => false,
    }
}

fn let_value() -> impl Strategy<Value = LetValue> {
    prop_oneof![
        domain().prop_map(|d| LetValue::Domain(Box::new(d))),
        pred()
            .prop_filter("a bare name is an alias", |p| !is_bare_name_pred(p))
            .prop_map(LetValue::Pred),
        set()
            .prop_filter("a bare name is an alias", |s| !is_bare_name_set(s))
            .prop_map(LetValue::Set),
        (name(), 0u32..3).prop_map(|(target, parens)| LetValue::Alias { target, parens }),
    ]
}

fn assign() -> impl Strategy<Value = AssignOp> {
    prop_oneof![
        Just(AssignOp::Set),
        Just(AssignOp::Union),
        Just(AssignOp::Intersect),
        Just(AssignOp::Minus),
        Just(AssignOp::Xor)
    ]
}

fn update() -> impl Strategy<Value = Update> {
    let target = prop_oneof![
        field().prop_map(|f| Target::At(f, S)),
        field().prop_map(|f| Target::Result(f, S)),
        field().prop_map(|f| Target::Session(f, S)),
        (arg(), field()).prop_map(|(a, f)| Target::Arg(a, f, S)),
    ];
    (target, assign(), set()).prop_map(|(target, op, value)| Update {
        target,
        op,
        value: Box::new(value),
        span: S,
    })
}

fn block() -> impl Strategy<Value = Block> {
    let stmt = prop_oneof![
        update().prop_map(StmtKind::Update),
        (pred(), prop::collection::vec(update(), 0..3))
            .prop_map(|(cond, updates)| StmtKind::When { cond, updates }),
    ];
    prop::collection::vec(
        (doc(), stmt).prop_map(|(docs, kind)| Stmt {
            docs,
            kind,
            span: S,
        }),
        0..3,
    )
    .prop_map(|stmts| Block { stmts, span: S })
}

fn tool_id() -> impl Strategy<Value = ToolId> {
    prop_oneof![
        lit("").prop_map(ToolId::Exact),
        lit("r").prop_map(ToolId::Regex)
    ]
}

fn member() -> impl Strategy<Value = Member> {
    let level = prop_oneof![
        Just(Level::Must),
        Just(Level::Hard),
        Just(Level::Should),
        Just(Level::Soft)
    ];
    let effect = prop_oneof![Just(Effect::Allow), Just(Effect::Deny)];
    let kind = prop_oneof![
        int_lit().prop_map(MemberKind::Priority),
        (level, effect, prop::option::of(pred())).prop_map(|(level, effect, cond)| {
            MemberKind::Rule(Rule {
                level,
                effect,
                cond,
                span: S,
            })
        }),
        block().prop_map(MemberKind::Result),
        block().prop_map(MemberKind::SessionBefore),
        block().prop_map(MemberKind::SessionAfter),
    ];
    (doc(), kind).prop_map(|(docs, kind)| Member {
        docs,
        kind,
        span: S,
    })
}

fn item() -> impl Strategy<Value = Item> {
    let target = prop_oneof![
        Just(ShorthandTarget::Implicit),
        Just(ShorthandTarget::Result),
        Just(ShorthandTarget::Session),
        Just(ShorthandTarget::SessionBefore),
        Just(ShorthandTarget::SessionAfter),
    ];
    let kind = prop_oneof![
        (name(), let_value()).prop_map(|(name, value)| ItemKind::Let(LetDecl {
            name,
            value,
            span: S
        })),
        (tool_id(), prop::collection::vec(member(), 0..4)).prop_map(|(id, members)| {
            ItemKind::Policy(Policy {
                id,
                members,
                span: S,
            })
        }),
        (
            tool_id(),
            prop::option::of(int_lit()),
            target,
            field(),
            assign(),
            set(),
            prop::option::of(pred())
        )
            .prop_map(|(id, priority, target, field, op, value, cond)| {
                ItemKind::Shorthand(Box::new(Shorthand {
                    id,
                    priority,
                    target,
                    field,
                    field_span: S,
                    op,
                    value: Box::new(value),
                    cond,
                    span: S,
                }))
            }),
    ];
    (doc(), kind).prop_map(|(docs, kind)| Item {
        docs,
        kind,
        span: S,
    })
}

fn program() -> impl Strategy<Value = Program> {
    prop::collection::vec(item(), 0..4).prop_map(|items| Program {
        items,
        comments: Vec::new(),
        span: S,
    })
}

#[test]
fn printed_trees_parse_back() {
    // Generating nested strategies takes more stack in debug builds than a test thread has.
    let run = || {
        let mut runner = TestRunner::new(ProptestConfig {
            cases: 256,
            ..ProptestConfig::default()
        });
        let result = runner.run(&program(), |program| {
            let text = format(&program, "");
            let parsed = parse(&text);
            prop_assert!(
                parsed.diagnostics.is_empty(),
                "{text}\n{:#?}",
                parsed.diagnostics
            );
            // The fast path took it, and built what the reference parser builds.
            prop_assert!(common::same_as_reference(&text), "{}", text);
            prop_assert_eq!(
                common::shape(&parsed.program),
                common::shape(&program),
                "{}",
                text
            );
            prop_assert_eq!(format(&parsed.program, &text), text);
            Ok(())
        });
        if let Err(e) = result {
            panic!("{e}");
        }
    };
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(run)
        .unwrap()
        .join()
        .unwrap();
}
