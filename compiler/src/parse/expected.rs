//! How a syntax error reads: the automaton's expected-terminal set at the error, and the
//! construct it happened in, turned into the message an author can act on ("expected `;`
//! after the rule", "expected `allow` or `deny` after `hard`") with a help line where one fits.
//!
//! Each LR state has its own expected set, so the set identifies the grammatical position
//! almost exactly; the rules below are tried in order and the first that matches names it.
//! Where only the construct tells positions apart (which `;` is missing), `Context` is found
//! by looking back from the error token to the start of its declaration, member or statement.
//! Anything no rule covers is listed terminal by terminal (`list`).

use super::K;

/// The construct whose end (`;`) or continuation the automaton expected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Context {
    Let,
    Rule,
    Priority,
    Shorthand,
    When,
    Update,
    Other,
}

/// What the parser knows around the error token.
pub(super) struct Site<'a> {
    /// lalrpop's expected terminals, as the grammar spells them (`"\";\""`, `"NAME"`).
    pub expected: &'a [String],
    /// The token before the error token (terminal and text), if any.
    pub prev: Option<(K, &'a str)>,
    /// The error token's terminal (`K::End` at the end of the input).
    pub found: K,
    pub context: Context,
}

/// The phrase after "expected " and an optional help line.
pub(super) fn phrase(site: &Site<'_>) -> (String, Option<&'static str>) {
    let set: Vec<&str> = site.expected.iter().map(|e| e.trim_matches('"')).collect();
    let has = |t: &str| set.contains(&t);
    // Every keyword is also a name (sqrt.md §3.2), so where a name fits every keyword is
    // expected too: keyword tests below only mean something where no name fits.
    let names = has("NAME");
    let kw = |t: &str| !names && has(t);
    let only = |ts: &[&str]| !set.is_empty() && set.iter().all(|t| ts.contains(t));
    let exactly = |ts: &[&str]| set.len() == ts.len() && only(ts);
    let prev_word = site.prev.map(|(_, w)| w).unwrap_or("");
    let prev = site.prev.map(|(k, _)| k);
    let owned = |s: &str| s.to_string();

    // Positions that start a construct.
    if has("@") && has("@result") && names && has("}") && !has("(") {
        return (
            owned("an update such as `@tags |= {\"x\"};`, or `when`"),
            Some(
                "update targets are `@tags`, `@producers`, `@consumers`, `@result.F` and `@session.F`",
            ),
        );
    }
    if kw("priority") && kw("must") && kw("result") {
        return (
            owned(
                "a member: `priority`, a rule (`must`, `hard`, `should` or `soft`), `result` or `session`",
            ),
            Some("a rule reads `hard deny when <condition>;` or `soft allow always;`"),
        );
    }
    if kw("let") && kw("tool") {
        return (
            owned("a declaration: `let` or `tool`"),
            Some("a file is a list of `let NAME = …;` and `tool \"name\" { … }` declarations"),
        );
    }
    if names && has("any x.value") && !has("(") {
        return (owned("a name after `let`"), None);
    }
    // Positions after a word that may also have been a name (`let d = bool …`).
    if exactly(&["STR", "RSTR"]) {
        return (
            owned("the tool id: a string `\"name\"` or a regex `r\"…\"`"),
            None,
        );
    }
    if exactly(&[
        "tags",
        "producers",
        "consumers",
        "NAME",
        "union",
        "intersect",
    ]) {
        return (
            owned("a meta field: `tags`, `producers` or `consumers`"),
            None,
        );
    }
    if exactly(&[
        "union",
        "intersect",
        "NAME",
        "tags",
        "producers",
        "consumers",
    ]) && prev == Some(K::Dot)
    {
        return (owned("`union` or `intersect` after `@args.F.`"), None);
    }
    if prev == Some(K::Bool) && has("true") {
        return (owned("`true` or `false` after `bool`"), None);
    }
    if prev == Some(K::StrKw) && has("matching") {
        return (
            owned("a string, `matching r\"…\"` or `like w\"…\"` after `str`"),
            None,
        );
    }
    if prev == Some(K::Datetime) && has("DSTR") {
        return (
            owned("a datetime: `d\"…\"`, a range of them, an ISO string or an epoch number"),
            None,
        );
    }
    if prev == Some(K::Matching) {
        return (owned("a regex `r\"…\"` after `matching`"), None);
    }
    if prev == Some(K::Like) {
        return (owned("a wildcard `w\"…\"` after `like`"), None);
    }
    if matches!(prev, Some(K::IntKw | K::FloatKw | K::Length)) && has("INT") {
        return (
            owned("a number or a range such as `1..10`, `..5` or `0..`"),
            None,
        );
    }
    // The end of a construct: which `;` (or `{`) is missing depends on the construct.
    if has(";") {
        let help_in = (site.found == K::In
            && matches!(prev, Some(K::Tags | K::Producers | K::Consumers)))
        .then_some(
            "a meta accessor is a set of labels; to test an argument's value write `x.value in {…}`",
        );
        let (what, help) = match site.context {
            Context::Let => ("`;` after the let", Some("end the let with `;`")),
            Context::Rule => ("`;` after the rule", Some("end each rule with `;`")),
            Context::Priority => ("`;` after the priority", None),
            Context::Shorthand if has("when") => ("`when` or `;` after the update", None),
            Context::Shorthand => ("`;` after the condition", None),
            Context::Update => ("`;` after the update", None),
            Context::When | Context::Other => return (list(&set), help_in),
        };
        return (owned(what), help_in.or(help));
    }
    if has("{") && has("or") && site.context == Context::When {
        return (owned("`{` after the `when` condition"), None);
    }
    // Single positions inside a declaration or member.
    if kw("{") && kw("->") && kw("[") {
        return (
            owned("`{` to open the policy, or `->` for a shorthand update"),
            None,
        );
    }
    if exactly(&["->"]) {
        return (owned("`->` before the shorthand update"), None);
    }
    if kw("@") && !has("@result") {
        return (
            owned("`@` and a meta field (`@tags`, `@producers` or `@consumers`)"),
            Some(
                "a shorthand updates the block's own meta, e.g. `tool \"t\" -> @tags |= {\"x\"};`",
            ),
        );
    }
    if exactly(&["]"]) {
        return (owned("`]` after the priority"), None);
    }
    if exactly(&["INT"]) {
        return if prev == Some(K::LBracket) {
            (owned("an integer priority inside `[…]`"), None)
        } else {
            (owned("an integer after `priority`"), None)
        };
    }
    if exactly(&["="]) {
        return (owned("`=` after the let name"), None);
    }
    if exactly(&["allow", "deny"]) {
        return (format!("`allow` or `deny` after `{prev_word}`"), None);
    }
    if exactly(&["when", "always"]) {
        return (owned("`when` and a condition, or `always`"), None);
    }
    if exactly(&["before", "after"]) {
        return (owned("`before` or `after` after `session`"), None);
    }
    if exactly(&["{"]) {
        return (owned("`{` to open the block"), None);
    }
    if only(&["=", "|=", "&=", "-=", "^="]) {
        return (owned("an assignment: `=`, `|=`, `&=`, `-=` or `^=`"), None);
    }
    if exactly(&["of"]) {
        return (format!("`of` after `{prev_word}`"), None);
    }
    if exactly(&["empty", "universal"]) {
        return (owned("`empty` or `universal` after `is`"), None);
    }
    if exactly(&["in", "=="]) {
        return (owned("`in` or `==` after the value"), None);
    }
    if !names && has("overlaps") && has("subset") && has("is") {
        let help = (site.found == K::In).then_some(
            "a meta accessor is a set of labels; to test an argument's value write `x.value in {…}`",
        );
        return (
            owned(
                "a set comparison after the meta accessor: `overlaps`, `subset of`, `superset of`, `==`, `is empty` or `is universal`",
            ),
            help,
        );
    }
    // The start of an expression.
    if has("(") && has("any x.value") && prev == Some(K::Eq) && site.context == Context::Let {
        return (
            owned("a condition, a set or a type domain such as `int 1..10`"),
            None,
        );
    }
    if has("(") && has("any x.value") {
        return (
            owned(
                "a condition: a comparison such as `x.value in {…}` or `x.tags overlaps {…}`, a let name, `not`, or `(`",
            ),
            None,
        );
    }
    if has("(") && has("{") {
        return (
            owned("a set: `{…}`, a meta accessor such as `x.tags`, a let name, or `(`"),
            None,
        );
    }
    if has("STR") && has("RSTR") && has("WSTR") {
        if site.found == K::DStr {
            return (
                owned("a set element"),
                Some("a datetime element is written `datetime d\"…\"`"),
            );
        }
        if prev == Some(K::Comma) && site.found == K::RBrace {
            return (
                owned("an element after `,`"),
                Some("remove the trailing comma"),
            );
        }
        return (
            owned(
                "a set element: a string, `r\"…\"`, `w\"…\"`, a number, or a domain such as `int 1..10`",
            ),
            None,
        );
    }
    if has("STR") && has("DSTR") && has("true") {
        return (
            owned(
                "a value: `x.value`, `@result.value`, a string, `d\"…\"`, a number, `true` or `false`",
            ),
            None,
        );
    }
    if has("DSTR") && !has("STR") {
        return (owned("a datetime `d\"…\"`"), None);
    }
    if has("INT") && has("FLOAT") && !has("STR") {
        return if matches!(
            prev,
            Some(K::DotDot | K::DotDotLt | K::LtDotDot | K::LtDotDotLt)
        ) {
            (owned("a number after the range operator"), None)
        } else {
            (owned("a number"), None)
        };
    }
    (list(&set), None)
}

/// "`;`, `and` or `or`": the expected terminals one by one (keywords collapse into "a name"
/// where a name fits too).
fn list(expected: &[&str]) -> String {
    let has_name = expected.contains(&"NAME");
    let mut parts: Vec<String> = Vec::new();
    for &e in expected {
        let shown = match e {
            "NAME" => "a name".to_string(),
            "STR" => "a string".to_string(),
            "RSTR" => "a regex string `r\"…\"`".to_string(),
            "WSTR" => "a wildcard string `w\"…\"`".to_string(),
            "DSTR" => "a datetime string `d\"…\"`".to_string(),
            "INT" => "an integer".to_string(),
            "FLOAT" => "a float".to_string(),
            "SIGNED_INF" => "`inf`".to_string(),
            "END" => "the end of the file".to_string(),
            word => {
                // The classifier's two-word terminals and (where names fit) keywords.
                if word.contains(' ') || (has_name && word.chars().all(|c| c.is_ascii_alphabetic()))
                {
                    continue;
                }
                format!("`{word}`")
            }
        };
        if !parts.contains(&shown) {
            parts.push(shown);
        }
    }
    if parts.len() > 8 {
        parts.truncate(8);
        parts.push("…".to_string());
    }
    match parts.len() {
        0 => "something else".to_string(),
        1 => parts.remove(0),
        _ => {
            let last = parts.pop().unwrap_or_default();
            format!("{} or {last}", parts.join(", "))
        }
    }
}
