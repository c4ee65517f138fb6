//! Lexer tests: longest match, the split tokens of sqrt.md §2 and comment trivia.

use sqrt_compiler::lex::{Tok, lex};

/// `(token, text)` pairs, without the final `Eof`.
fn toks(src: &str) -> Vec<(Tok, &str)> {
    let l = lex(src);
    assert!(l.diagnostics.is_empty(), "{:?}", l.diagnostics);
    l.tokens[..l.tokens.len() - 1]
        .iter()
        .map(|t| (t.tok.clone(), &src[t.span.range()]))
        .collect()
}

#[test]
fn longest_match_and_split_tokens() {
    use Tok::*;
    assert_eq!(toks("x.value"), [(Word, "x"), (DotValue, ".value")]);
    assert_eq!(
        toks("x.valuex"),
        [(Word, "x"), (Dot, "."), (Word, "valuex")]
    );
    assert_eq!(
        toks("@args @argsx @ tags @tags"),
        [
            (AtArgs, "@args"),
            (At, "@"),
            (Word, "argsx"),
            (At, "@"),
            (Word, "tags"),
            (At, "@"),
            (Word, "tags")
        ]
    );
    assert_eq!(
        toks("-inf -infx +inf inf"),
        [
            (Inf { negative: true }, "-inf"),
            (Minus, "-"),
            (Word, "infx"),
            (Inf { negative: false }, "+inf"),
            (Word, "inf")
        ]
    );
    assert_eq!(
        toks("1..5 1.5..-2 ..< <.. <..< -="),
        [
            (Int(1), "1"),
            (DotDot, ".."),
            (Int(5), "5"),
            (Float(1.5), "1.5"),
            (DotDot, ".."),
            (Int(-2), "-2"),
            (DotDotLt, "..<"),
            (LtDotDot, "<.."),
            (LtDotDotLt, "<..<"),
            (MinusEq, "-=")
        ]
    );
    assert_eq!(
        toks(r#"r"a" rx"b" w"c" d"d""#),
        [
            (RStr("a".into()), r#"r"a""#),
            (Word, "rx"),
            (Str("b".into()), r#""b""#),
            (WStr("c".into()), r#"w"c""#),
            (DStr("d".into()), r#"d"d""#)
        ]
    );
    assert_eq!(
        toks("a-5 a - 5"),
        [
            (Word, "a"),
            (Int(-5), "-5"),
            (Word, "a"),
            (Minus, "-"),
            (Int(5), "5")
        ]
    );
    assert_eq!(
        toks("-9223372036854775808"),
        [(Int(i64::MIN), "-9223372036854775808")]
    );
}

#[test]
fn comments_and_docs() {
    let l = lex("// a\n/// b \n//// c\n/* d\n */ x");
    let docs: Vec<_> = l
        .tokens
        .iter()
        .filter_map(|t| {
            if let Tok::Doc(d) = &t.tok {
                Some(d.as_str())
            } else {
                None
            }
        })
        .collect();
    assert_eq!(docs, ["b", "/ c"]);
    let comments: Vec<_> = l.comments.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(comments, ["// a", "/* d\n */"]);
    assert_eq!(l.tokens.len(), 4, "two docs, `x`, end");
}

#[test]
fn whitespace_and_bom() {
    let l = lex("\u{FEFF}\t\r\n\u{C}x");
    assert!(l.diagnostics.is_empty());
    assert_eq!(l.tokens[0].span.start, 7);
    // A BOM anywhere else is no token.
    assert_eq!(lex("x\u{FEFF}").diagnostics[0].code, "E0001");
}

/// String values, written out by hand: JSON strings unescape every escape, patterns only
/// `\\` and `\"` (`\.` stays as written). The tree's text (`decode_text`, on a string known to
/// be closed or not) and `decode_string` give the same.
#[test]
fn tree_text_of_strings_is_their_decoded_value() {
    use sqrt_compiler::lex::{Kind, decode_string, decode_text};
    let cases = [
        (Kind::Str, r#""plain""#, "plain"),
        (Kind::Str, r#""a\"b\\c\n\u00e9""#, "a\"b\\c\né"),
        (Kind::DStr, r#"d"2024-01-01""#, "2024-01-01"),
        (
            Kind::RStr,
            r#"r".*@trustedcorp\.com""#,
            r".*@trustedcorp\.com",
        ),
        (Kind::RStr, r#"r"a\\b\"c\.d""#, r#"a\b"c\.d"#),
        (Kind::RStr, r#"r"a\\\\.b""#, r"a\\.b"),
        (Kind::WStr, r#"w"/srv/\*/x\"y""#, r#"/srv/\*/x"y"#),
        (Kind::WStr, r#"w"""#, ""),
        (Kind::Str, r#""""#, ""),
    ];
    for (kind, text, value) in cases {
        assert_eq!(decode_string(kind, text), value, "{text}");
        assert_eq!(decode_text(kind, text, true).as_str(), value, "{text}");
        assert_eq!(decode_text(kind, text, false).as_str(), value, "{text}");
    }
    // Unterminated (the string runs to the end of the file): the body runs to the end, and a
    // last `\"` is an escaped quote, not a closing one.
    for (kind, text, value) in [
        (Kind::Str, r#""abc"#, "abc"),
        (Kind::RStr, r#"r"a\""#, "a\""),
    ] {
        assert_eq!(decode_string(kind, text), value, "{text}");
        assert_eq!(decode_text(kind, text, false).as_str(), value, "{text}");
    }
}
