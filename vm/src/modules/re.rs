//! `re` on Rust's `regex` engine (linear time): Python's API and replacement syntax, Rust's
//! pattern syntax. Backreferences and look-around do not compile and raise `re.error`.
//! Positions count code points, as in Python.

use std::rc::Rc;

use crate::builtins::Kw;
use crate::label::Label;
use crate::value::{Obj, Slot, Value};
use crate::vm::{R, Vm};

pub const FUNCTIONS: &[&str] = &[
    "compile",
    "search",
    "match",
    "fullmatch",
    "findall",
    "finditer",
    "split",
    "sub",
    "subn",
    "escape",
];

pub fn flag(n: &str) -> Option<i64> {
    Some(match n {
        "I" | "IGNORECASE" => 2,
        "M" | "MULTILINE" => 8,
        "S" | "DOTALL" => 16,
        "X" | "VERBOSE" => 64,
        "A" | "ASCII" => 256,
        _ => return None,
    })
}

fn arg<'a>(args: &'a [Slot], kw: &'a Kw, i: usize, name: &str) -> Option<&'a Value> {
    args.get(i)
        .map(|s| &s.0)
        .or_else(|| kw.iter().find(|(k, _)| &**k == name).map(|(_, s)| &s.0))
}

fn int_arg(args: &[Slot], kw: &Kw, i: usize, name: &str) -> i64 {
    match arg(args, kw, i, name) {
        Some(Value::Int(n)) => *n,
        _ => 0,
    }
}

fn char_index(s: &str, byte: usize) -> usize {
    s[..byte].chars().count()
}

impl Vm {
    fn regex(&mut self, src: &Rc<str>, flags: i64, l: Label) -> R<regex::Regex> {
        if let Some(r) = self.regexes.get(&(src.clone(), flags)) {
            return Ok(r.clone());
        }
        let mut b = regex::RegexBuilder::new(src);
        b.case_insensitive(flags & 2 != 0)
            .multi_line(flags & 8 != 0)
            .dot_matches_new_line(flags & 16 != 0)
            .ignore_whitespace(flags & 64 != 0)
            .unicode(flags & 256 == 0)
            .size_limit(self.limits.regex_bytes)
            .dfa_size_limit(self.limits.regex_bytes);
        match b.build() {
            Ok(r) => {
                self.regexes.insert((src.clone(), flags), r.clone());
                Ok(r)
            }
            Err(e) => {
                let msg = match e {
                    regex::Error::CompiledTooBig(_) => "pattern too large".to_string(),
                    other => other
                        .to_string()
                        .lines()
                        .last()
                        .unwrap_or("bad pattern")
                        .trim()
                        .to_string(),
                };
                self.err("error", msg, l)
            }
        }
    }

    fn make_match(
        &mut self,
        src: &Rc<str>,
        flags: i64,
        re: &regex::Regex,
        subject: &Rc<str>,
        caps: &regex::Captures,
        l: Label,
    ) -> R<Value> {
        let spans = (0..caps.len())
            .map(|i| {
                caps.get(i)
                    .map(|m| (char_index(subject, m.start()), char_index(subject, m.end())))
            })
            .collect();
        let names = re.capture_names().map(|n| n.map(Rc::from)).collect();
        let r = self.alloc(
            l,
            Obj::Match {
                src: src.clone(),
                flags,
                subject: subject.clone(),
                spans,
                names,
            },
        )?;
        Ok(Value::Ref(r))
    }
}

/// Pattern and flags from a str or a compiled Pattern.
fn pattern_of(vm: &mut Vm, v: Option<&Value>, flags: i64, l: Label) -> R<(Rc<str>, i64)> {
    match v {
        Some(Value::Str(s)) => Ok((s.clone(), flags)),
        Some(Value::Ref(r)) => match &vm.heap.get(*r).obj {
            Obj::Pattern { src, flags } => Ok((src.clone(), *flags)),
            _ => vm.err(
                "TypeError",
                "first argument must be string or compiled pattern",
                l,
            ),
        },
        _ => vm.err(
            "TypeError",
            "first argument must be string or compiled pattern",
            l,
        ),
    }
}

fn subject_of(vm: &mut Vm, v: Option<&Value>, l: Label) -> R<Rc<str>> {
    match v {
        Some(Value::Str(s)) => Ok(s.clone()),
        Some(o) => {
            let t = vm.type_name(o);
            vm.err(
                "TypeError",
                format!("expected string or bytes-like object, got '{t}'"),
                l,
            )
        }
        None => vm.err("TypeError", "missing the string argument", l),
    }
}

pub(crate) fn call(vm: &mut Vm, name: &str, args: Vec<Slot>, kw: Kw, l: Label) -> R<Slot> {
    if name == "escape" {
        let s = subject_of(vm, arg(&args, &kw, 0, "pattern"), l.clone())?;
        let mut out = String::new();
        for c in s.chars() {
            if !(c.is_alphanumeric() || c == '_') && (c as u32) < 128 {
                out.push('\\');
            }
            out.push(c);
        }
        return Ok((Value::Str(out.into()), l));
    }
    let flags_at = match name {
        "compile" => 1,
        "sub" | "subn" => 4,
        "split" => 3,
        _ => 2,
    };
    let flags = int_arg(&args, &kw, flags_at, "flags");
    let (src, flags) = pattern_of(vm, arg(&args, &kw, 0, "pattern"), flags, l.clone())?;
    if name == "compile" {
        vm.regex(&src, flags, l.clone())?;
        let r = vm.alloc(Label::BOTTOM, Obj::Pattern { src, flags })?;
        return Ok((Value::Ref(r), l));
    }
    let rest: Vec<Slot> = args.into_iter().skip(1).collect();
    run(vm, &src, flags, name, rest, kw, l)
}

/// Pattern methods take the same arguments as the module functions without the pattern.
fn run(
    vm: &mut Vm,
    src: &Rc<str>,
    flags: i64,
    name: &str,
    args: Vec<Slot>,
    kw: Kw,
    l: Label,
) -> R<Slot> {
    let re = vm.regex(src, flags, l.clone())?;
    let (string_i, string_name) = if matches!(name, "sub" | "subn") {
        (1, "string")
    } else {
        (0, "string")
    };
    let subject = subject_of(vm, arg(&args, &kw, string_i, string_name), l.clone())?;
    vm.charge(subject.len())?;
    let none = (Value::None, l.clone());
    match name {
        "search" | "match" | "fullmatch" => {
            let caps = match name {
                "search" => re.captures(&subject),
                _ => {
                    let anchored = if name == "match" {
                        format!("\\A(?:{src})")
                    } else {
                        format!("\\A(?:{src})\\z")
                    };
                    let are = vm.regex(&Rc::from(anchored.as_str()), flags, l.clone())?;
                    // Group numbering is unchanged by the non-capturing wrapper.
                    return match are.captures(&subject) {
                        Some(c) => {
                            Ok((vm.make_match(src, flags, &re, &subject, &c, l.clone())?, l))
                        }
                        None => Ok(none),
                    };
                }
            };
            match caps {
                Some(c) => Ok((vm.make_match(src, flags, &re, &subject, &c, l.clone())?, l)),
                None => Ok(none),
            }
        }
        "findall" | "finditer" => {
            let mut out = vec![];
            for c in re.captures_iter(&subject) {
                let item = if name == "finditer" {
                    vm.make_match(src, flags, &re, &subject, &c, l.clone())?
                } else if c.len() == 1 {
                    Value::Str(c.get(0).map(|m| m.as_str()).unwrap_or("").into())
                } else if c.len() == 2 {
                    Value::Str(c.get(1).map(|m| m.as_str()).unwrap_or("").into())
                } else {
                    let g: Vec<Slot> = (1..c.len())
                        .map(|i| {
                            (
                                Value::Str(c.get(i).map(|m| m.as_str()).unwrap_or("").into()),
                                l.clone(),
                            )
                        })
                        .collect();
                    vm.mk_tuple(g)?
                };
                out.push((item, l.clone()));
                vm.check_len(out.len())?;
            }
            Ok((crate::builtins::new_list(vm, out, l.clone())?, l))
        }
        "split" => {
            let max = int_arg(&args, &kw, 1, "maxsplit");
            let mut out = vec![];
            let mut last = 0;
            for (n, c) in re.captures_iter(&subject).enumerate() {
                if max > 0 && n as i64 >= max {
                    break;
                }
                let Some(m) = c.get(0) else { continue };
                out.push((Value::Str(subject[last..m.start()].into()), l.clone()));
                for i in 1..c.len() {
                    out.push((
                        c.get(i)
                            .map(|g| Value::Str(g.as_str().into()))
                            .unwrap_or(Value::None),
                        l.clone(),
                    ));
                }
                last = m.end();
            }
            out.push((Value::Str(subject[last..].into()), l.clone()));
            Ok((crate::builtins::new_list(vm, out, l.clone())?, l))
        }
        "sub" | "subn" => {
            let repl = arg(&args, &kw, 0, "repl").cloned().unwrap_or(Value::None);
            let count = int_arg(&args, &kw, 2, "count");
            let mut out = String::new();
            let mut last = 0;
            let mut n = 0i64;
            for c in re.captures_iter(&subject) {
                if count > 0 && n >= count {
                    break;
                }
                let Some(m) = c.get(0) else { continue };
                out.push_str(&subject[last..m.start()]);
                match &repl {
                    Value::Str(t) => expand(vm, t, &c, &re, &mut out, l.clone())?,
                    f => {
                        let mv = vm.make_match(src, flags, &re, &subject, &c, l.clone())?;
                        let r = vm.call_sync(&(f.clone(), l.clone()), vec![(mv, l.clone())])?;
                        match r.0 {
                            Value::Str(s) => out.push_str(&s),
                            o => {
                                let t = vm.type_name(&o);
                                return vm.err(
                                    "TypeError",
                                    format!("expected str instance, {t} found"),
                                    l,
                                );
                            }
                        }
                    }
                }
                last = m.end();
                n += 1;
                if out.len() > vm.limits.str_bytes {
                    return Err(vm.limit("string size"));
                }
            }
            out.push_str(&subject[last..]);
            let s = Value::Str(out.into());
            if name == "subn" {
                return Ok((
                    vm.mk_tuple(vec![(s, l.clone()), (Value::Int(n), l.clone())])?,
                    l,
                ));
            }
            Ok((s, l))
        }
        other => vm.err(
            "AttributeError",
            format!("'re.Pattern' object has no attribute '{other}'"),
            l,
        ),
    }
}

/// Python replacement syntax: `\1`, `\g<1>`, `\g<name>`, `\n`, `\\`.
fn expand(
    vm: &mut Vm,
    t: &str,
    c: &regex::Captures,
    re: &regex::Regex,
    out: &mut String,
    l: Label,
) -> R<()> {
    let cs: Vec<char> = t.chars().collect();
    let mut i = 0;
    while i < cs.len() {
        if cs[i] != '\\' || i + 1 == cs.len() {
            out.push(cs[i]);
            i += 1;
            continue;
        }
        let n = cs[i + 1];
        let group = if n.is_ascii_digit() {
            let mut j = i + 1;
            while j < cs.len() && cs[j].is_ascii_digit() && j < i + 3 {
                j += 1;
            }
            let g: String = cs[i + 1..j].iter().collect();
            i = j;
            Some(g)
        } else if n == 'g' && cs.get(i + 2) == Some(&'<') {
            let end = cs[i + 3..]
                .iter()
                .position(|c| *c == '>')
                .map(|p| p + i + 3);
            let Some(end) = end else {
                return vm.err("error", "missing >, unterminated name", l);
            };
            let g: String = cs[i + 3..end].iter().collect();
            i = end + 1;
            Some(g)
        } else {
            match n {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                '\\' => out.push('\\'),
                other => {
                    out.push('\\');
                    out.push(other);
                }
            }
            i += 2;
            None
        };
        if let Some(g) = group {
            let m = match g.parse::<usize>() {
                Ok(k) if k < c.len() => c.get(k),
                Ok(_) => return vm.err("error", format!("invalid group reference {g}"), l),
                Err(_) if re.capture_names().flatten().any(|x| x == g) => c.name(&g),
                Err(_) => return vm.err("IndexError", format!("unknown group name '{g}'"), l),
            };
            out.push_str(m.map(|m| m.as_str()).unwrap_or(""));
        }
    }
    Ok(())
}

/// Methods of Pattern and Match objects.
pub(crate) fn method(
    vm: &mut Vm,
    r: u32,
    rl: Label,
    name: &str,
    args: Vec<Slot>,
    kw: Kw,
) -> R<Slot> {
    let l = rl
        .join(vm.heap.get(r).own.clone())
        .join(crate::builtins::deep_all(vm, &args, &kw));
    match vm.heap.get(r).obj.clone() {
        Obj::Pattern { src, flags } => run(vm, &src, flags, name, args, kw, l),
        Obj::Match {
            subject,
            spans,
            names,
            ..
        } => {
            let chars: Vec<char> = subject.chars().collect();
            let idx = |vm: &mut Vm, v: Option<&Value>| -> R<usize> {
                match v {
                    None => Ok(0),
                    Some(Value::Int(i)) if *i >= 0 && (*i as usize) < spans.len() => {
                        Ok(*i as usize)
                    }
                    Some(Value::Str(n)) => {
                        match names.iter().position(|x| x.as_deref() == Some(&**n)) {
                            Some(p) => Ok(p),
                            None => vm.err("IndexError", "no such group", l.clone()),
                        }
                    }
                    Some(_) => vm.err("IndexError", "no such group", l.clone()),
                }
            };
            let text = |g: usize| -> Value {
                match spans[g] {
                    Some((a, b)) => Value::Str(chars[a..b].iter().collect::<String>().into()),
                    None => Value::None,
                }
            };
            match name {
                "group" => {
                    if args.len() <= 1 {
                        let g = idx(vm, args.first().map(|s| &s.0))?;
                        return Ok((text(g), l));
                    }
                    let mut out = vec![];
                    for a in &args {
                        let g = idx(vm, Some(&a.0))?;
                        out.push((text(g), l.clone()));
                    }
                    Ok((vm.mk_tuple(out)?, l))
                }
                "groups" => {
                    let default = args.first().map(|s| s.0.clone()).unwrap_or(Value::None);
                    let out: Vec<Slot> = (1..spans.len())
                        .map(|g| {
                            (
                                if spans[g].is_some() {
                                    text(g)
                                } else {
                                    default.clone()
                                },
                                l.clone(),
                            )
                        })
                        .collect();
                    Ok((vm.mk_tuple(out)?, l))
                }
                "groupdict" => {
                    let d = vm.alloc(Label::BOTTOM, Obj::Dict(Default::default()))?;
                    for (g, n) in names.iter().enumerate() {
                        if let Some(n) = n {
                            vm.dict_set(
                                d,
                                (Value::Str(n.clone()), l.clone()),
                                (text(g), l.clone()),
                            )?;
                        }
                    }
                    Ok((Value::Ref(d), l))
                }
                "start" | "end" | "span" => {
                    let g = idx(vm, args.first().map(|s| &s.0))?;
                    let (a, b) = spans[g]
                        .map(|(a, b)| (a as i64, b as i64))
                        .unwrap_or((-1, -1));
                    Ok(match name {
                        "start" => (Value::Int(a), l),
                        "end" => (Value::Int(b), l),
                        _ => (
                            vm.mk_tuple(vec![
                                (Value::Int(a), l.clone()),
                                (Value::Int(b), l.clone()),
                            ])?,
                            l,
                        ),
                    })
                }
                other => vm.err(
                    "AttributeError",
                    format!("'re.Match' object has no attribute '{other}'"),
                    l,
                ),
            }
        }
        _ => vm.err("AttributeError", format!("no attribute '{name}'"), l),
    }
}
