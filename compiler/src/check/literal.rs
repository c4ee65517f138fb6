//! Literals to validated IR: regexes (E0301), datetimes (E0302), range bounds (E0303) and
//! satisfiable ranges (E0304), elements and domains.
//!
//! Everything here is context-free: a literal is valid or not wherever it is written, so its
//! errors are reported once, at the literal (never again where a let containing it is used).
//! Errors point inside string literals: offsets in the unescaped text are mapped back through
//! the escapes to source bytes.

use std::cmp::Ordering;

use sqrt_std::datetime;

use crate::ast::{self, NumLit, NumValue, RangeOp, StrLit};
use crate::diag::{Diagnostic, Span};
use crate::ir::{self, Bound, Instant, Num};

impl From<datetime::Instant> for Instant {
    fn from(i: datetime::Instant) -> Instant {
        Instant {
            secs: i.secs,
            nanos: i.nanos,
        }
    }
}

/// How a string literal's escapes were decoded (sqrt.md §2).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Escapes {
    /// `"…"` and `d"…"`: JSON escapes.
    Json,
    /// `r"…"` and `w"…"`: only `\\` and `\"` are unescaped.
    Raw,
}

/// For each byte offset of `lit.value` (and one past its end), the source offset it came from.
fn value_to_source(lit: &StrLit, escapes: Escapes) -> Vec<usize> {
    let raw = lit.raw.as_str();
    let open = raw.find('"').map_or(0, |q| q + 1);
    let close = if raw.len() > open && raw.ends_with('"') {
        raw.len() - 1
    } else {
        raw.len()
    };
    let body = &raw[open..close.max(open)];
    let base = lit.span.start as usize + open;
    let mut map = Vec::with_capacity(lit.value.len() + 1);
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' && i + 1 < bytes.len() {
            let next = bytes[i + 1];
            match (escapes, next) {
                (Escapes::Raw, b'\\' | b'"') => {
                    map.push(base + i);
                    i += 2;
                }
                (Escapes::Raw, _) => {
                    // The pair reaches the matcher verbatim.
                    map.push(base + i);
                    i += 1;
                }
                (Escapes::Json, b'u') => {
                    let code = body
                        .get(i + 2..i + 6)
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                        .unwrap_or(0xFFFD);
                    let mut len = 6;
                    let ch = if (0xD800..0xDC00).contains(&code)
                        && body.get(i + 6..i + 8) == Some("\\u")
                    {
                        len = 12;
                        let lo = body
                            .get(i + 8..i + 12)
                            .and_then(|h| u32::from_str_radix(h, 16).ok())
                            .unwrap_or(0);
                        char::from_u32(
                            0x10000 + ((code - 0xD800) << 10) + (lo.wrapping_sub(0xDC00) & 0x3FF),
                        )
                    } else {
                        char::from_u32(code)
                    };
                    for _ in 0..ch.map_or(3, char::len_utf8) {
                        map.push(base + i);
                    }
                    i += len;
                }
                (Escapes::Json, _) => {
                    map.push(base + i);
                    i += 2;
                }
            }
        } else {
            map.push(base + i);
            i += 1;
        }
    }
    map.push(base + body.len());
    // A lexer/AST disagreement must never panic: pad (or trust the prefix) instead.
    while map.len() < lit.value.len() + 1 {
        map.push(base + body.len());
    }
    map
}

/// The source span of `value[start..end]` of a string literal.
pub fn inner_span(lit: &StrLit, escapes: Escapes, start: usize, end: usize) -> Span {
    let map = value_to_source(lit, escapes);
    let at = |o: usize| map[o.min(map.len() - 1)];
    let s = at(start);
    let mut e = at(end.max(start));
    if e <= s {
        // Point at one source character: the one at `s` (the closing quote at the end).
        e = s + lit.raw[s - lit.span.start as usize..]
            .chars()
            .next()
            .map_or(1, char::len_utf8);
    }
    Span::new(s, e)
}

/// How many valid patterns `VALID_REGEXES` remembers before it starts over.
const VALID_REGEX_MEMO: usize = 4096;

thread_local! {
    /// Patterns `check_regex` already found valid in the file being checked. A policy file
    /// repeats its patterns (one per tool block, often the same), and validating one
    /// (`regex_syntax` parse and translation, then the compiled-size check) cost about a
    /// third of the checker. Only success is remembered: an invalid pattern is checked again
    /// so its diagnostics are reported at every occurrence. Emptied when full and around
    /// every check (`forget_valid_regexes`), so nothing carries over from one file to the
    /// next and a cold policy load stays cold.
    static VALID_REGEXES: std::cell::RefCell<rustc_hash::FxHashSet<Box<str>>> =
        std::cell::RefCell::default();
}

/// Empties the memo of valid regexes (see `VALID_REGEXES`).
pub fn forget_valid_regexes() {
    VALID_REGEXES.with_borrow_mut(|v| v.clear());
}

/// Checks that a regex compiles in the Rust `regex` crate within its default limits (E0301).
pub fn check_regex(lit: &StrLit, diags: &mut Vec<Diagnostic>) -> bool {
    let pattern = lit.value.as_str();
    if VALID_REGEXES.with_borrow(|v| v.contains(pattern)) {
        return true;
    }
    if !check_regex_uncached(lit, diags) {
        return false;
    }
    VALID_REGEXES.with_borrow_mut(|v| {
        if v.len() >= VALID_REGEX_MEMO {
            v.clear();
        }
        v.insert(pattern.into());
    });
    true
}

fn check_regex_uncached(lit: &StrLit, diags: &mut Vec<Diagnostic>) -> bool {
    let pattern = lit.value.as_str();
    let located = match regex_syntax::parse(pattern) {
        Ok(_) => None,
        Err(regex_syntax::Error::Parse(e)) => Some((
            e.span().start.offset,
            e.span().end.offset,
            e.kind().to_string(),
        )),
        Err(regex_syntax::Error::Translate(e)) => Some((
            e.span().start.offset,
            e.span().end.offset,
            e.kind().to_string(),
        )),
        Err(e) => Some((0, pattern.len(), e.to_string())),
    };
    if let Some((start, end, why)) = located {
        diags.push(
            Diagnostic::error(
                "E0301",
                inner_span(lit, Escapes::Raw, start, end),
                format!("invalid regex: {why}"),
            )
            .with_label(lit.span, "in this regex")
            .with_note(
                "regexes use the syntax of the Rust `regex` crate and must match the whole text",
            ),
        );
        return false;
    }
    // Syntax is fine; what remains is the compiled size limit. The compiled regex is kept
    // (`interp::full_match_regex` caches it), so the interpreter does not compile it again.
    if let Err(e) = crate::interp::full_match_regex(pattern) {
        let why = e.to_string().lines().last().unwrap_or("").trim().to_owned();
        diags.push(Diagnostic::error(
            "E0301",
            lit.span,
            format!("invalid regex: {why}"),
        ));
        return false;
    }
    true
}

/// Parses a `d"…"` or ISO STR literal (E0302), pointing at the offending character.
pub fn check_datetime(lit: &StrLit, diags: &mut Vec<Diagnostic>) -> Option<Instant> {
    match datetime::parse_iso(&lit.value) {
        Ok(i) => Some(i.into()),
        Err(e) => {
            diags.push(
                Diagnostic::error(
                    "E0302",
                    inner_span(lit, Escapes::Json, e.offset, e.end),
                    format!("invalid datetime: {}", e.message),
                )
                .with_label(lit.span, "in this datetime")
                .with_help("write `YYYY-MM-DD`, optionally followed by `THH:MM[:SS[.f]]` and `Z` or `±HH:MM`"),
            );
            None
        }
    }
}

/// A number as a numeric bound; infinities become `Float(±inf)`.
pub fn num(n: &NumLit) -> Num {
    match n.value {
        NumValue::Int(i) => Num::Int(i),
        NumValue::Float(f) => Num::Float(f),
        NumValue::Inf { negative } => Num::Float(if negative {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        }),
    }
}

/// Exact comparison of two numeric bounds (an i64 and an f64 compare by value, no rounding).
fn num_cmp(a: Num, b: Num) -> Ordering {
    fn int_float(i: i64, f: f64) -> Ordering {
        // 2^63 as f64 is exact; every f64 at or beyond it is outside i64.
        if f >= 9_223_372_036_854_775_808.0 {
            return Ordering::Less;
        }
        if f < -9_223_372_036_854_775_808.0 {
            return Ordering::Greater;
        }
        let fl = f.floor();
        match i.cmp(&(fl as i64)) {
            Ordering::Equal if f > fl => Ordering::Less,
            o => o,
        }
    }
    match (a, b) {
        (Num::Int(x), Num::Int(y)) => x.cmp(&y),
        (Num::Float(x), Num::Float(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        (Num::Int(x), Num::Float(y)) => int_float(x, y),
        (Num::Float(x), Num::Int(y)) => int_float(y, x).reverse(),
    }
}

/// Which numbers a range ranges over.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum NumDomain {
    Int,
    Float,
    /// A string's `length`: integers from 0.
    Length,
}

fn bounds<B: Clone>(range: &ast::Range<B>) -> (Bound<B>, Bound<B>) {
    match range {
        ast::Range::Exact(b) => (Bound::Incl(b.clone()), Bound::Incl(b.clone())),
        ast::Range::Bounded { lo, op, hi } => {
            let (lo_excl, hi_excl) = match op {
                RangeOp::Closed => (false, false),
                RangeOp::HalfOpenHigh => (false, true),
                RangeOp::HalfOpenLow => (true, false),
                RangeOp::Open => (true, true),
            };
            let side = |b: &Option<B>, excl: bool| match b {
                None => Bound::Unbounded,
                Some(b) if excl => Bound::Excl(b.clone()),
                Some(b) => Bound::Incl(b.clone()),
            };
            (side(lo, lo_excl), side(hi, hi_excl))
        }
    }
}

fn range_span<B>(range: &ast::Range<B>, span_of: impl Fn(&B) -> Span) -> Option<Span> {
    match range {
        ast::Range::Exact(b) => Some(span_of(b)),
        ast::Range::Bounded { lo, hi, .. } => match (lo, hi) {
            (Some(a), Some(b)) => Some(span_of(a).to(span_of(b))),
            (Some(a), None) | (None, Some(a)) => Some(span_of(a)),
            (None, None) => None,
        },
    }
}

/// Validates a numeric range (E0303 for non-integer finite `int`/`length` bounds, E0304 for an
/// empty range) and returns it in normal form. `whole` is the domain's span, used when the
/// range itself has no bound to point at.
pub fn check_num_range(
    range: &ast::Range<NumLit>,
    domain: NumDomain,
    whole: Span,
    diags: &mut Vec<Diagnostic>,
) -> Option<ir::Range<Num>> {
    let mut ok = true;
    if domain != NumDomain::Float {
        let mut each = |b: &NumLit| {
            if let NumValue::Float(_) = b.value {
                let what = if domain == NumDomain::Int {
                    "an `int` range"
                } else {
                    "a `length`"
                };
                diags.push(
                    Diagnostic::error(
                        "E0303",
                        b.span,
                        format!("`{}` is not an integer, but {what} needs one", b.raw),
                    )
                    .with_help("write an integer bound (or `inf`), for example `1..3`"),
                );
                ok = false;
            }
        };
        match range {
            ast::Range::Exact(b) => each(b),
            ast::Range::Bounded { lo, hi, .. } => lo.iter().chain(hi.iter()).for_each(&mut each),
        }
    }
    if !ok {
        return None;
    }
    let (lo, hi) = bounds(range);
    let lo = map_bound(lo, num);
    let hi = map_bound(hi, num);
    if num_range_is_empty(&lo, &hi, domain) {
        let span = range_span(range, |b| b.span).unwrap_or(whole);
        diags.push(
            Diagnostic::error("E0304", span, "this range is empty: no value satisfies it")
                .with_help("the lower bound must not exceed the upper bound (`a..b` includes both, `<` excludes a side)"),
        );
        return None;
    }
    Some(ir::Range { lo, hi })
}

fn map_bound<A, B>(b: Bound<A>, f: impl Fn(&A) -> B) -> Bound<B> {
    match b {
        Bound::Unbounded => Bound::Unbounded,
        Bound::Incl(a) => Bound::Incl(f(&a)),
        Bound::Excl(a) => Bound::Excl(f(&a)),
    }
}

fn num_range_is_empty(lo: &Bound<Num>, hi: &Bound<Num>, domain: NumDomain) -> bool {
    if domain == NumDomain::Float {
        return match (lo, hi) {
            (Bound::Incl(a), Bound::Incl(b)) => num_cmp(*a, *b) == Ordering::Greater,
            (Bound::Incl(a) | Bound::Excl(a), Bound::Incl(b) | Bound::Excl(b)) => {
                num_cmp(*a, *b) != Ordering::Less
            }
            // A half-bounded range is empty only beyond infinity.
            (Bound::Excl(Num::Float(a)), Bound::Unbounded) => *a == f64::INFINITY,
            (Bound::Unbounded, Bound::Excl(Num::Float(b))) => *b == f64::NEG_INFINITY,
            _ => false,
        };
    }
    // Integers: the least and greatest members, with ±inf outside i64 (in i128).
    let floor = if domain == NumDomain::Length {
        0i128
    } else {
        i128::from(i64::MIN)
    };
    let int_of = |n: Num| -> i128 {
        match n {
            Num::Int(i) => i128::from(i),
            Num::Float(f) if f > 0.0 => i128::from(i64::MAX) + 1,
            Num::Float(_) => i128::from(i64::MIN) - 1,
        }
    };
    let least = match lo {
        Bound::Unbounded => floor,
        Bound::Incl(a) => int_of(*a).max(floor),
        Bound::Excl(a) => (int_of(*a) + 1).max(floor),
    };
    let greatest = match hi {
        Bound::Unbounded => i128::from(i64::MAX),
        Bound::Incl(b) => int_of(*b).min(i128::from(i64::MAX)),
        Bound::Excl(b) => (int_of(*b) - 1).min(i128::from(i64::MAX)),
    };
    // `int -inf..` includes every int, but `int inf` (or `..-inf`) none.
    let lo_inf_ok = matches!(lo, Bound::Incl(Num::Float(f)) | Bound::Excl(Num::Float(f)) if *f == f64::NEG_INFINITY);
    let least = if lo_inf_ok { floor } else { least };
    least > greatest
}

/// Validates a datetime spec (E0302, E0304) into an instant range.
pub fn check_dt_spec(
    spec: &ast::DtSpec,
    whole: Span,
    diags: &mut Vec<Diagnostic>,
) -> Option<ir::Range<Instant>> {
    match spec {
        ast::DtSpec::Iso(lit) => {
            let i = check_datetime(lit, diags)?;
            Some(ir::Range {
                lo: Bound::Incl(i),
                hi: Bound::Incl(i),
            })
        }
        ast::DtSpec::Epoch(n) => {
            let i = match n.value {
                NumValue::Int(s) => Instant { secs: s, nanos: 0 },
                NumValue::Float(f) if f.is_finite() && f.abs() < 9.2e18 => {
                    let secs = f.floor();
                    let nanos = ((f - secs) * 1e9).round().min(999_999_999.0) as u32;
                    Instant {
                        secs: secs as i64,
                        nanos,
                    }
                }
                _ => {
                    diags.push(Diagnostic::error(
                        "E0302",
                        n.span,
                        format!("`{}` is not a representable instant (epoch seconds)", n.raw),
                    ));
                    return None;
                }
            };
            Some(ir::Range {
                lo: Bound::Incl(i),
                hi: Bound::Incl(i),
            })
        }
        ast::DtSpec::Range(range) => {
            let (lo, hi) = bounds(range);
            let mut ok = true;
            let mut parse = |b: Bound<StrLit>| -> Bound<Instant> {
                let (lit, excl) = match b {
                    Bound::Unbounded => return Bound::Unbounded,
                    Bound::Incl(l) => (l, false),
                    Bound::Excl(l) => (l, true),
                };
                match check_datetime(&lit, diags) {
                    None => {
                        ok = false;
                        Bound::Unbounded
                    }
                    Some(i) if excl => Bound::Excl(i),
                    Some(i) => Bound::Incl(i),
                }
            };
            let lo = parse(lo);
            let hi = parse(hi);
            if !ok {
                return None;
            }
            let least = match &lo {
                Bound::Unbounded => None,
                Bound::Incl(a) => Some(*a),
                Bound::Excl(a) => Some(next_ns(*a, 1)),
            };
            let greatest = match &hi {
                Bound::Unbounded => None,
                Bound::Incl(b) => Some(*b),
                Bound::Excl(b) => Some(next_ns(*b, -1)),
            };
            if let (Some(a), Some(b)) = (least, greatest)
                && a > b
            {
                let span = range_span(range, |l| l.span).unwrap_or(whole);
                diags.push(
                    Diagnostic::error(
                        "E0304",
                        span,
                        "this datetime range is empty: no instant satisfies it",
                    )
                    .with_help("the earlier instant goes first"),
                );
                return None;
            }
            Some(ir::Range { lo, hi })
        }
    }
}

fn next_ns(i: Instant, step: i64) -> Instant {
    let total = i128::from(i.secs) * 1_000_000_000 + i128::from(i.nanos) + i128::from(step);
    Instant {
        secs: total.div_euclid(1_000_000_000) as i64,
        nanos: total.rem_euclid(1_000_000_000) as u32,
    }
}

/// Validates a domain into IR.
pub fn check_domain(d: &ast::Domain, diags: &mut Vec<Diagnostic>) -> Option<ir::Domain> {
    use ast::DomainKind as D;
    Some(match &d.kind {
        D::Bool(b) => ir::Domain::Bool(*b),
        D::Int(r) => ir::Domain::Int(check_num_range(r, NumDomain::Int, d.span, diags)?),
        D::Float(r) => ir::Domain::Float(check_num_range(r, NumDomain::Float, d.span, diags)?),
        D::Str { pat, length } => {
            let pat = match pat {
                ast::StrPat::Exact(s) => Some(ir::StrPat::Exact(s.value.clone())),
                ast::StrPat::Matching(r) => {
                    check_regex(r, diags).then(|| ir::StrPat::Regex(r.value.clone()))
                }
                ast::StrPat::Like(w) => Some(ir::StrPat::Wild(w.value.clone())),
            };
            let length = match length {
                None => Some(None),
                Some(r) => check_num_range(r, NumDomain::Length, d.span, diags).map(Some),
            };
            ir::Domain::Str {
                pat: pat?,
                length: length?,
            }
        }
        D::Datetime(spec) => ir::Domain::Datetime(check_dt_spec(spec, d.span, diags)?),
    })
}

/// Validates an element of a value-set literal into IR.
pub fn check_elem(e: &ast::Element, diags: &mut Vec<Diagnostic>) -> Option<ir::Elem> {
    use ast::ElementKind as E;
    Some(match &e.kind {
        E::Str(s) if s.value == "*" => ir::Elem::Any,
        E::Str(s) => ir::Elem::Str(s.value.clone()),
        E::Regex(r) => {
            if !check_regex(r, diags) {
                return None;
            }
            ir::Elem::Regex(r.value.clone())
        }
        E::Wild(w) => ir::Elem::Wild(w.value.clone()),
        E::Number(n) => match num(n) {
            Num::Int(i) => ir::Elem::Int(i),
            Num::Float(f) => ir::Elem::Float(f),
        },
        E::Domain(d) => ir::Elem::Domain(Box::new(check_domain(d, diags)?)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(src: &str, at: usize, value: &str) -> StrLit {
        StrLit {
            value: value.into(),
            raw: src.into(),
            span: Span::new(at, at + src.len()),
        }
    }

    #[test]
    fn offsets_map_through_escapes() {
        // r"a\"b\d" : value a"b\d
        let l = lit(r#"r"a\"b\d""#, 10, r#"a"b\d"#);
        assert_eq!(
            value_to_source(&l, Escapes::Raw),
            vec![12, 13, 15, 16, 17, 18]
        );
        // "é\u00e9x" : value éé x
        let l = lit(r#""é\u00e9x""#, 0, "ééx");
        assert_eq!(value_to_source(&l, Escapes::Json), vec![1, 2, 3, 3, 9, 10]);
    }

    #[test]
    fn regex_errors_point_inside_the_literal() {
        let l = lit(r#"r"ab(c""#, 5, "ab(c");
        let mut d = Vec::new();
        assert!(!check_regex(&l, &mut d));
        assert_eq!(d[0].code, "E0301");
        // regex-syntax reports the unclosed group at the `(`: value offset 2 = source 5 + 2 + 2.
        assert_eq!(d[0].span.start, 9);
        let ok = lit(r#"r".*@x\.com""#, 0, r".*@x\.com");
        assert!(check_regex(&ok, &mut Vec::new()));
    }

    #[test]
    fn exact_number_comparison() {
        assert_eq!(num_cmp(Num::Int(1), Num::Float(1.5)), Ordering::Less);
        assert_eq!(num_cmp(Num::Int(2), Num::Float(1.5)), Ordering::Greater);
        assert_eq!(
            num_cmp(Num::Int(i64::MAX), Num::Float(9_223_372_036_854_775_808.0)),
            Ordering::Less
        );
        assert_eq!(
            num_cmp(Num::Float(f64::NEG_INFINITY), Num::Int(i64::MIN)),
            Ordering::Less
        );
        assert_eq!(num_cmp(Num::Int(3), Num::Float(3.0)), Ordering::Equal);
    }

    fn empty(lo: Bound<Num>, hi: Bound<Num>, d: NumDomain) -> bool {
        num_range_is_empty(&lo, &hi, d)
    }

    #[test]
    fn empty_ranges() {
        use Bound::*;
        use Num::*;
        let inf = f64::INFINITY;
        assert!(empty(Incl(Int(10)), Incl(Int(1)), NumDomain::Int));
        assert!(empty(Excl(Int(1)), Excl(Int(2)), NumDomain::Int));
        assert!(!empty(Excl(Int(1)), Excl(Int(3)), NumDomain::Int));
        assert!(empty(Incl(Float(inf)), Incl(Float(inf)), NumDomain::Int));
        assert!(!empty(Incl(Float(-inf)), Unbounded, NumDomain::Int));
        assert!(!empty(Excl(Float(-inf)), Unbounded, NumDomain::Int));
        assert!(empty(Unbounded, Incl(Float(-inf)), NumDomain::Int));
        assert!(empty(Excl(Int(i64::MAX)), Unbounded, NumDomain::Int));
        assert!(empty(Excl(Float(1.0)), Incl(Float(1.0)), NumDomain::Float));
        assert!(!empty(Incl(Float(1.0)), Incl(Float(1.0)), NumDomain::Float));
        assert!(!empty(Excl(Int(1)), Excl(Float(1.5)), NumDomain::Float));
        assert!(empty(Unbounded, Excl(Int(0)), NumDomain::Length));
        assert!(!empty(Unbounded, Incl(Int(0)), NumDomain::Length));
    }
}
