//! Stage `matcher`: a regex or wildcard source to the cheapest exact matcher for it.
//!
//! Policies mostly constrain strings by a suffix (`r".*@corp\.com"`, `w"*@corp.com"`), a prefix
//! or one literal; those become byte comparisons, everything else keeps the compiled full-match
//! `Regex`. Every shortcut means exactly what the regex means (full match; `.` excludes `\n`
//! unless the `s` flag or a wildcard `*`); the differential tests compare them with the
//! interpreter, which always runs the regex.

use crate::interp::Regex;
use regex_syntax::hir::{Dot, Hir, HirKind};

use super::view::same_bytes;

/// A precompiled full-match test.
#[derive(Clone, Debug)]
pub enum Matcher {
    Regex(Regex),
    /// The text equals `lit`.
    Exact(Box<str>),
    /// The text ends with `lit`; what precedes it contains no `\n` unless `any_newline`.
    Suffix {
        lit: Box<str>,
        any_newline: bool,
    },
    /// The text starts with `lit`; what follows contains no `\n` unless `any_newline`.
    Prefix {
        lit: Box<str>,
        any_newline: bool,
    },
}

impl Matcher {
    /// The matcher for regex source `src`, whose compiled full-match form is `re`.
    pub fn for_regex(src: &str, re: Regex) -> Matcher {
        regex_syntax::parse(src)
            .ok()
            .and_then(|hir| shortcut(&hir))
            .unwrap_or(Matcher::Regex(re))
    }

    /// The matcher for wildcard `pattern` (`*` any run, `?` one character), compiled as `re`.
    pub fn for_wildcard(pattern: &str, re: Regex) -> Matcher {
        let wild = |c: char| c == '*' || c == '?';
        let lit = |s: &str| Box::from(s);
        match (pattern.strip_prefix('*'), pattern.strip_suffix('*')) {
            _ if !pattern.contains(wild) => Matcher::Exact(lit(pattern)),
            (Some(rest), _) if !rest.contains(wild) => Matcher::Suffix {
                lit: lit(rest),
                any_newline: true,
            },
            (_, Some(rest)) if !rest.contains(wild) => Matcher::Prefix {
                lit: lit(rest),
                any_newline: true,
            },
            _ => Matcher::Regex(re),
        }
    }

    /// Full match. The literal variants never panic (lengths are checked before every split);
    /// `helpers::matches` calls them without an unwind guard.
    #[inline]
    pub fn is_match(&self, text: &str) -> bool {
        // Literal tests on bytes (`same_bytes`, no `memcmp` call): the split point of a suffix or
        // prefix of valid UTF-8 that equals a `str` literal is a character boundary.
        let bytes = text.as_bytes();
        let no_newline = |rest: &[u8], any: bool| any || !rest.contains(&b'\n');
        match self {
            Matcher::Regex(re) => re.is_match(text),
            Matcher::Exact(lit) => same_bytes(bytes, lit.as_bytes()),
            Matcher::Suffix { lit, any_newline } => {
                let Some(split) = bytes.len().checked_sub(lit.len()) else {
                    return false;
                };
                let (rest, tail) = bytes.split_at(split);
                same_bytes(tail, lit.as_bytes()) && no_newline(rest, *any_newline)
            }
            Matcher::Prefix { lit, any_newline } => {
                if bytes.len() < lit.len() {
                    return false;
                }
                let (head, rest) = bytes.split_at(lit.len());
                same_bytes(head, lit.as_bytes()) && no_newline(rest, *any_newline)
            }
        }
    }
}

/// `.*` (greedy or not, with or without the `s` flag): `Some(any_newline)`.
fn dot_star(h: &Hir) -> Option<bool> {
    let HirKind::Repetition(rep) = h.kind() else {
        return None;
    };
    if rep.min != 0 || rep.max.is_some() {
        return None;
    }
    if *rep.sub == Hir::dot(Dot::AnyChar) {
        Some(true)
    } else if *rep.sub == Hir::dot(Dot::AnyCharExceptLF) {
        Some(false)
    } else {
        None
    }
}

fn literal(h: &Hir) -> Option<Box<str>> {
    match h.kind() {
        HirKind::Literal(l) => std::str::from_utf8(&l.0).ok().map(Box::from),
        _ => None,
    }
}

fn shortcut(h: &Hir) -> Option<Matcher> {
    if let Some(lit) = literal(h) {
        return Some(Matcher::Exact(lit));
    }
    let HirKind::Concat(parts) = h.kind() else {
        return None;
    };
    match parts.as_slice() {
        [a, b] => {
            if let (Some(any_newline), Some(lit)) = (dot_star(a), literal(b)) {
                Some(Matcher::Suffix { lit, any_newline })
            } else if let (Some(lit), Some(any_newline)) = (literal(a), dot_star(b)) {
                Some(Matcher::Prefix { lit, any_newline })
            } else {
                None
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interp::{full_match_regex, wildcard_regex};

    fn both(src: &str, texts: &[&str]) -> Matcher {
        let re = full_match_regex(src).unwrap();
        let m = Matcher::for_regex(src, re.clone());
        for t in texts {
            assert_eq!(m.is_match(t), re.is_match(t), "{src} on {t:?} ({m:?})");
        }
        m
    }

    #[test]
    fn shortcuts_mean_what_the_regex_means() {
        let texts = [
            "",
            "user@trustedcorp.com",
            "admin@trustedcorp.com.evil.net",
            "a\nb@trustedcorp.com",
            "@trustedcorp.com",
            "trustedcorp.com",
            "ab",
            "abc",
            "a\nb",
        ];
        let m = both(r".*@trustedcorp\.com", &texts);
        assert!(matches!(
            m,
            Matcher::Suffix {
                any_newline: false,
                ..
            }
        ));
        let m = both(r"(?s).*@trustedcorp\.com", &texts);
        assert!(matches!(
            m,
            Matcher::Suffix {
                any_newline: true,
                ..
            }
        ));
        assert!(matches!(both("ab.*", &texts), Matcher::Prefix { .. }));
        assert!(matches!(both("ab", &texts), Matcher::Exact(_)));
        // Not shortcuts: classes, alternations, case folding, `.+`.
        for src in ["[a-z]+", "a|b", "(?i)ab", ".+b", "a.*b"] {
            assert!(matches!(both(src, &texts), Matcher::Regex(_)), "{src}");
        }
    }

    #[test]
    fn wildcard_shortcuts_mean_what_the_wildcard_means() {
        let texts = [
            "",
            "a",
            "x@corp.com",
            "\n@corp.com",
            "@corp.com",
            "ab",
            "abx\n",
            "b",
        ];
        for w in ["*@corp.com", "ab*", "ab", "a?", "*", "a*b", "a.b"] {
            let re = wildcard_regex(w).unwrap();
            let m = Matcher::for_wildcard(w, re.clone());
            for t in texts {
                assert_eq!(m.is_match(t), re.is_match(t), "{w} on {t:?} ({m:?})");
            }
        }
    }
}
