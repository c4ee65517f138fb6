//! Methods of str, and `str.format`. Results carry M(receiver) ⊔ M(arguments).

use std::rc::Rc;

use super::methods::kwarg;
use super::{Kw, arity, deep_all, new_list};
use crate::label::Label;
use crate::value::{Obj, Slot, Value};
use crate::vm::{R, Vm};

fn str_arg<'a>(vm: &mut Vm, m: &str, a: Option<&'a Slot>, l: Label) -> R<Option<&'a str>> {
    match a.map(|s| &s.0) {
        None | Some(Value::None) => Ok(None),
        Some(Value::Str(s)) => Ok(Some(s)),
        Some(o) => {
            let t = vm.type_name(o);
            vm.err(
                "TypeError",
                format!("{m}() argument must be str or None, not {t}"),
                l,
            )
        }
    }
}

pub(crate) fn str_method(
    vm: &mut Vm,
    s: Rc<str>,
    rl: Label,
    name: &str,
    args: Vec<Slot>,
    mut kw: Kw,
) -> R<Slot> {
    let l = rl.join(deep_all(vm, &args, &kw));
    let st = |x: String| Value::Str(x.into());
    let chars = || s.chars();
    let v = match name {
        "lower" => st(s.to_lowercase()),
        "upper" => st(s.to_uppercase()),
        "casefold" => st(s.to_lowercase().replace('ß', "ss")),
        "swapcase" => st(chars()
            .map(|c| {
                if c.is_uppercase() {
                    c.to_lowercase().collect::<String>()
                } else {
                    c.to_uppercase().collect()
                }
            })
            .collect()),
        "capitalize" => {
            let mut it = chars();
            st(match it.next() {
                Some(c) => c.to_uppercase().collect::<String>() + &it.as_str().to_lowercase(),
                None => String::new(),
            })
        }
        "title" => {
            let mut out = String::new();
            let mut prev_alpha = false;
            for c in chars() {
                if c.is_alphabetic() {
                    if prev_alpha {
                        out.extend(c.to_lowercase())
                    } else {
                        out.extend(c.to_uppercase())
                    }
                    prev_alpha = true;
                } else {
                    out.push(c);
                    prev_alpha = false;
                }
            }
            st(out)
        }
        "strip" | "lstrip" | "rstrip" => {
            let set = str_arg(vm, name, args.first(), l.clone())?;
            let pred = |c: char| match set {
                Some(cs) => cs.contains(c),
                None => c.is_whitespace(),
            };
            st(match name {
                "strip" => s.trim_matches(pred),
                "lstrip" => s.trim_start_matches(pred),
                _ => s.trim_end_matches(pred),
            }
            .to_string())
        }
        "split" | "rsplit" => {
            let sep_kw = kwarg(&mut kw, "sep");
            let max_kw = kwarg(&mut kw, "maxsplit");
            let sep_slot = args.first().cloned().or(sep_kw);
            let sep = str_arg(vm, name, sep_slot.as_ref(), l.clone())?.map(str::to_string);
            let max = match args.get(1).cloned().or(max_kw).map(|s| s.0) {
                Some(Value::Int(i)) if i >= 0 => Some(i as usize),
                _ => None,
            };
            let parts: Vec<String> = match &sep {
                Some(p) if p.is_empty() => return vm.err("ValueError", "empty separator", l),
                Some(p) => match (name, max) {
                    ("split", Some(m)) => s.splitn(m + 1, p.as_str()).map(str::to_string).collect(),
                    ("rsplit", Some(m)) => {
                        let mut v: Vec<String> =
                            s.rsplitn(m + 1, p.as_str()).map(str::to_string).collect();
                        v.reverse();
                        v
                    }
                    _ => s.split(p.as_str()).map(str::to_string).collect(),
                },
                None => {
                    let words: Vec<&str> = s.split_whitespace().collect();
                    match max {
                        Some(m) if words.len() > m && name == "split" => {
                            let mut out: Vec<String> = vec![];
                            let mut rest: &str = s.trim_start();
                            for _ in 0..m {
                                let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                                out.push(rest[..end].to_string());
                                rest = rest[end..].trim_start();
                            }
                            if !rest.is_empty() {
                                out.push(rest.to_string());
                            }
                            out
                        }
                        Some(m) if words.len() > m => {
                            let mut out: Vec<String> = vec![];
                            let mut rest: &str = s.trim_end();
                            for _ in 0..m {
                                let st =
                                    rest.rfind(char::is_whitespace).map(|i| i + 1).unwrap_or(0);
                                out.push(rest[st..].to_string());
                                rest = rest[..st].trim_end();
                            }
                            if !rest.is_empty() {
                                out.push(rest.to_string());
                            }
                            out.reverse();
                            out
                        }
                        _ => words.into_iter().map(str::to_string).collect(),
                    }
                }
            };
            vm.charge(s.len())?;
            let items = parts.into_iter().map(|p| (st(p), l.clone())).collect();
            return Ok((new_list(vm, items, l.clone())?, l));
        }
        "splitlines" => {
            let keep = args.first().map(|s| vm.truth(&s.0)).unwrap_or(false);
            let mut out = vec![];
            let mut cur = String::new();
            let cs: Vec<char> = chars().collect();
            let mut i = 0;
            while i < cs.len() {
                let c = cs[i];
                if matches!(
                    c,
                    '\n' | '\r'
                        | '\x0b'
                        | '\x0c'
                        | '\x1c'
                        | '\x1d'
                        | '\x1e'
                        | '\u{85}'
                        | '\u{2028}'
                        | '\u{2029}'
                ) {
                    let mut end = c.to_string();
                    if c == '\r' && cs.get(i + 1) == Some(&'\n') {
                        end.push('\n');
                        i += 1;
                    }
                    if keep {
                        cur.push_str(&end);
                    }
                    out.push((st(std::mem::take(&mut cur)), l.clone()));
                } else {
                    cur.push(c);
                }
                i += 1;
            }
            if !cur.is_empty() {
                out.push((st(cur), l.clone()));
            }
            return Ok((new_list(vm, out, l.clone())?, l));
        }
        "join" => {
            arity(vm, name, &args, 1, 1, l.clone())?;
            let items = vm.iter_value(&args[0].0, args[0].1.clone())?;
            let mut parts = vec![];
            for (i, (x, _)) in items.iter().enumerate() {
                match x {
                    Value::Str(p) => parts.push(p.to_string()),
                    o => {
                        let t = vm.type_name(o);
                        return vm.err(
                            "TypeError",
                            format!("sequence item {i}: expected str instance, {t} found"),
                            l,
                        );
                    }
                }
            }
            let out = parts.join(&s);
            vm.mkstr(out)?
        }
        "replace" => {
            arity(vm, name, &args, 2, 3, l.clone())?;
            let (Some(a), Some(b)) = (
                str_arg(vm, name, args.first(), l.clone())?,
                str_arg(vm, name, args.get(1), l.clone())?,
            ) else {
                return vm.err("TypeError", "replace() arguments must be str", l);
            };
            let out = match args.get(2).map(|x| &x.0) {
                Some(Value::Int(n)) if *n >= 0 => s.replacen(a, b, *n as usize),
                _ => s.replace(a, b),
            };
            vm.charge(out.len())?;
            vm.mkstr(out)?
        }
        "startswith" | "endswith" => {
            arity(vm, name, &args, 1, 3, l.clone())?;
            let cs: Vec<char> = chars().collect();
            let n = cs.len() as i64;
            let b = |v: Option<&Slot>, d: i64| match v.map(|x| &x.0) {
                Some(Value::Int(i)) => (if *i < 0 { (i + n).max(0) } else { (*i).min(n) }) as usize,
                _ => d as usize,
            };
            let (a, e) = (b(args.get(1), 0), b(args.get(2), n));
            let sub: String = if a <= e {
                cs[a..e].iter().collect()
            } else {
                String::new()
            };
            let pats: Vec<String> = match &args[0].0 {
                Value::Str(p) => vec![p.to_string()],
                Value::Tuple(t) => t
                    .iter()
                    .filter_map(|(x, _)| {
                        if let Value::Str(p) = x {
                            Some(p.to_string())
                        } else {
                            None
                        }
                    })
                    .collect(),
                o => {
                    let t = vm.type_name(o);
                    return vm.err(
                        "TypeError",
                        format!("{name} first arg must be str or a tuple of str, not {t}"),
                        l,
                    );
                }
            };
            let ok = pats.iter().any(|p| {
                if name == "startswith" {
                    sub.starts_with(p.as_str())
                } else {
                    sub.ends_with(p.as_str())
                }
            });
            Value::Bool(ok)
        }
        "find" | "rfind" | "index" | "rindex" | "count" => {
            arity(vm, name, &args, 1, 3, l.clone())?;
            let Some(p) = str_arg(vm, name, args.first(), l.clone())? else {
                return vm.err("TypeError", "must be str", l);
            };
            let cs: Vec<char> = chars().collect();
            let n = cs.len() as i64;
            let b = |v: Option<&Slot>, d: i64| match v.map(|x| &x.0) {
                Some(Value::Int(i)) => (if *i < 0 { (i + n).max(0) } else { (*i).min(n) }) as usize,
                _ => d as usize,
            };
            let (a, e) = (b(args.get(1), 0), b(args.get(2), n));
            // CPython: a start past the end (or past `end`) finds nothing, not even "".
            let past = a > e || matches!(args.get(1), Some((Value::Int(i), _)) if *i > n);
            let sub: String = if a <= e {
                cs[a..e].iter().collect()
            } else {
                String::new()
            };
            if name == "count" {
                let c = if past {
                    0
                } else if p.is_empty() {
                    sub.chars().count() + 1
                } else {
                    sub.matches(p).count()
                };
                Value::Int(c as i64)
            } else {
                let found = if past {
                    None
                } else if name.starts_with('r') {
                    sub.rfind(p)
                } else {
                    sub.find(p)
                };
                match found {
                    Some(byte) => Value::Int((a + sub[..byte].chars().count()) as i64),
                    None if name.ends_with("index") => {
                        return vm.err("ValueError", "substring not found", l);
                    }
                    None => Value::Int(-1),
                }
            }
        }
        "partition" | "rpartition" => {
            arity(vm, name, &args, 1, 1, l.clone())?;
            let Some(p) = str_arg(vm, name, args.first(), l.clone())? else {
                return vm.err("TypeError", "must be str", l);
            };
            if p.is_empty() {
                return vm.err("ValueError", "empty separator", l);
            }
            let found = if name == "partition" {
                s.find(p)
            } else {
                s.rfind(p)
            };
            let (a, b, c) = match found {
                Some(i) => (
                    s[..i].to_string(),
                    p.to_string(),
                    s[i + p.len()..].to_string(),
                ),
                None if name == "partition" => (s.to_string(), String::new(), String::new()),
                None => (String::new(), String::new(), s.to_string()),
            };
            Value::Tuple(Rc::new(vec![
                (st(a), l.clone()),
                (st(b), l.clone()),
                (st(c), l.clone()),
            ]))
        }
        "removeprefix" => {
            let p = str_arg(vm, name, args.first(), l.clone())?.unwrap_or("");
            st(s.strip_prefix(p).unwrap_or(&s).to_string())
        }
        "removesuffix" => {
            let p = str_arg(vm, name, args.first(), l.clone())?.unwrap_or("");
            st(s.strip_suffix(p).unwrap_or(&s).to_string())
        }
        "center" | "ljust" | "rjust" => {
            arity(vm, name, &args, 1, 2, l.clone())?;
            let Value::Int(w) = args[0].0 else {
                return vm.err("TypeError", "width must be int", l);
            };
            let fill = match args.get(1).map(|x| &x.0) {
                Some(Value::Str(f)) if f.chars().count() == 1 => f.chars().next().unwrap_or(' '),
                Some(_) => {
                    return vm.err(
                        "TypeError",
                        "The fill character must be exactly one character long",
                        l,
                    );
                }
                None => ' ',
            };
            let n = s.chars().count();
            let w = w.max(0) as usize;
            if w > vm.limits.str_bytes {
                return Err(vm.limit("string size"));
            }
            if w <= n {
                Value::Str(s.clone())
            } else {
                let pad = w - n;
                let f = |k: usize| fill.to_string().repeat(k);
                st(match name {
                    "ljust" => format!("{s}{}", f(pad)),
                    "rjust" => format!("{}{s}", f(pad)),
                    _ => {
                        let left = pad / 2 + (pad & w & 1);
                        format!("{}{s}{}", f(left), f(pad - left))
                    }
                })
            }
        }
        "zfill" => {
            let Some(Value::Int(w)) = args.first().map(|x| &x.0) else {
                return vm.err("TypeError", "width must be int", l);
            };
            if *w > 0 && *w as usize > vm.limits.str_bytes {
                return Err(vm.limit("string size"));
            }
            let n = s.chars().count();
            let w = (*w).max(0) as usize;
            if w <= n {
                Value::Str(s.clone())
            } else {
                let (sign, rest) = if s.starts_with(['+', '-']) {
                    (&s[..1], &s[1..])
                } else {
                    ("", &s[..])
                };
                st(format!("{sign}{}{rest}", "0".repeat(w - n)))
            }
        }
        "expandtabs" => {
            let size = match args.first().map(|x| &x.0) {
                Some(Value::Int(n)) => (*n).max(0) as usize,
                _ => 8,
            };
            let mut out = String::new();
            let mut col = 0;
            for c in chars() {
                match c {
                    '\t' if size > 0 && out.len() + size > vm.limits.str_bytes => {
                        return Err(vm.limit("string size"));
                    }
                    '\t' if size > 0 => {
                        let k = size - col % size;
                        out.push_str(&" ".repeat(k));
                        col += k;
                    }
                    '\t' => {}
                    '\n' | '\r' => {
                        out.push(c);
                        col = 0;
                    }
                    c => {
                        out.push(c);
                        col += 1;
                    }
                }
            }
            st(out)
        }
        "isdigit" | "isnumeric" | "isdecimal" => {
            Value::Bool(!s.is_empty() && chars().all(|c| c.is_numeric()))
        }
        "isalpha" => Value::Bool(!s.is_empty() && chars().all(char::is_alphabetic)),
        "isalnum" => Value::Bool(!s.is_empty() && chars().all(char::is_alphanumeric)),
        "isspace" => Value::Bool(!s.is_empty() && chars().all(char::is_whitespace)),
        "isascii" => Value::Bool(s.is_ascii()),
        "islower" => {
            Value::Bool(chars().any(char::is_lowercase) && !chars().any(char::is_uppercase))
        }
        "isupper" => {
            Value::Bool(chars().any(char::is_uppercase) && !chars().any(char::is_lowercase))
        }
        "istitle" => {
            let t = str_method(vm, s.clone(), rl, "title", vec![], vec![])?.0;
            Value::Bool(
                matches!(&t, Value::Str(x) if **x == *s) && chars().any(char::is_alphabetic),
            )
        }
        "isidentifier" => Value::Bool(
            chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
                && chars().all(|c| c.is_alphanumeric() || c == '_'),
        ),
        "isprintable" => Value::Bool(chars().all(|c| !c.is_control())),
        "format" => {
            let out = str_format(vm, &s, &args, &kw, l.clone())?;
            vm.mkstr(out)?
        }
        "encode" | "format_map" | "maketrans" | "translate" => {
            return vm.err(
                "AttributeError",
                format!("'str' object has no attribute '{name}'"),
                l,
            );
        }
        _ => {
            return vm.err(
                "AttributeError",
                format!("'str' object has no attribute '{name}'"),
                l,
            );
        }
    };
    Ok((v, l))
}

/// `str.format`: `{}`, `{0}`, `{name}`, `{x[key]}`, `{x.field}`, `!r`, `:spec`.
fn str_format(vm: &mut Vm, f: &str, args: &[Slot], kw: &Kw, l: Label) -> R<String> {
    let mut auto = 0;
    str_format_from(vm, f, args, kw, l, &mut auto)
}

/// `auto` is the next automatic field number, shared with nested specs (`{:{}}`).
fn str_format_from(
    vm: &mut Vm,
    f: &str,
    args: &[Slot],
    kw: &Kw,
    l: Label,
    auto: &mut usize,
) -> R<String> {
    let c: Vec<char> = f.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < c.len() {
        match c[i] {
            '{' if c.get(i + 1) == Some(&'{') => {
                out.push('{');
                i += 2;
            }
            '}' if c.get(i + 1) == Some(&'}') => {
                out.push('}');
                i += 2;
            }
            '{' => {
                let mut depth = 1;
                let st = i + 1;
                i += 1;
                while i < c.len() && depth > 0 {
                    if c[i] == '{' {
                        depth += 1;
                    } else if c[i] == '}' {
                        depth -= 1;
                    }
                    i += 1;
                }
                if depth != 0 {
                    return vm.err("ValueError", "Single '{' encountered in format string", l);
                }
                let field: String = c[st..i - 1].iter().collect();
                let (head, spec) = match field.find(':') {
                    Some(k) => (field[..k].to_string(), field[k + 1..].to_string()),
                    None => (field.clone(), String::new()),
                };
                let (head, conv) = match head.find('!') {
                    Some(k) => (head[..k].to_string(), head[k + 1..].chars().next()),
                    None => (head, None),
                };
                let split = head.find(['.', '[']).unwrap_or(head.len());
                let (base, mut rest) = (&head[..split], &head[split..]);
                let mut val =
                    if base.is_empty() {
                        let a = args.get(*auto).cloned();
                        *auto += 1;
                        match a {
                            Some(a) => a.0,
                            None => return vm.err(
                                "IndexError",
                                format!(
                                    "Replacement index {} out of range for positional args tuple",
                                    *auto - 1
                                ),
                                l,
                            ),
                        }
                    } else if let Ok(k) = base.parse::<usize>() {
                        match args.get(k) {
                            Some(a) => a.0.clone(),
                            None => return vm.err(
                                "IndexError",
                                format!(
                                    "Replacement index {k} out of range for positional args tuple"
                                ),
                                l,
                            ),
                        }
                    } else {
                        match kw.iter().find(|(n, _)| &**n == base) {
                            Some((_, s)) => s.0.clone(),
                            None => {
                                let r = vm.repr_of(&Value::str(base));
                                return vm.err("KeyError", r, l);
                            }
                        }
                    };
                while !rest.is_empty() {
                    if let Some(r) = rest.strip_prefix('[') {
                        let end = r.find(']').unwrap_or(r.len());
                        let key = &r[..end];
                        let kv = match key.parse::<i64>() {
                            Ok(n) => Value::Int(n),
                            Err(_) => Value::str(key),
                        };
                        val = vm.subscript(&val, &kv, l.clone(), l.clone())?.0;
                        rest = r.get(end + 1..).unwrap_or("");
                    } else if let Some(r) = rest.strip_prefix('.') {
                        let end = r.find(['.', '[']).unwrap_or(r.len());
                        let reg_val = val.clone();
                        val = attr_of(vm, &reg_val, &r[..end], l.clone())?;
                        rest = &r[end..];
                    } else {
                        break;
                    }
                }
                let val = match conv {
                    Some('r') => Value::Str(vm.repr_of(&val).into()),
                    Some('s') => Value::Str(vm.str_of(&val).into()),
                    Some('a') => Value::Str(super::format::ascii(&vm.repr_of(&val)).into()),
                    _ => val,
                };
                let spec = if spec.contains('{') {
                    str_format_from(vm, &spec, args, kw, l.clone(), auto)?
                } else {
                    spec
                };
                out.push_str(&vm.format_spec(&val, &spec, l.clone())?);
            }
            '}' => return vm.err("ValueError", "Single '}' encountered in format string", l),
            ch => {
                out.push(ch);
                i += 1;
            }
        }
    }
    Ok(out)
}

fn attr_of(vm: &mut Vm, v: &Value, name: &str, l: Label) -> R<Value> {
    if let Value::Ref(r) = v
        && let Obj::Instance { class, fields } = &vm.heap.get(*r).obj
        && let Obj::Class(crate::value::Class::Holder { fields: names, .. }) =
            &vm.heap.get(*class).obj
        && let Some(p) = names.iter().position(|(n, _)| &**n == name)
    {
        return Ok(fields[p].0.clone());
    }
    let t = vm.type_name(v);
    vm.err(
        "AttributeError",
        format!("'{t}' object has no attribute '{name}'"),
        l,
    )
}
