//! `repr`, `str`, the format-spec mini-language and `%` formatting, CPython-compatible.

use super::super::vm::R;
use crate::label::Label;
use crate::value::{Class, Obj, Value};
use crate::vm::Vm;

/// Python's `repr(float)`: shortest round-trip digits, scientific outside 1e-4 ≤ |x| < 1e16.
pub fn float_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if x == 0.0 {
        return if x.is_sign_negative() {
            "-0.0".into()
        } else {
            "0.0".into()
        };
    }
    let s = format!("{x:e}");
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let neg = mant.starts_with('-');
    let digits: String = mant.trim_start_matches('-').replace('.', "");
    let body = if (-4..16).contains(&exp) {
        if exp >= 0 {
            let e = exp as usize;
            if digits.len() <= e + 1 {
                format!("{}{}.0", digits, "0".repeat(e + 1 - digits.len()))
            } else {
                format!("{}.{}", &digits[..e + 1], &digits[e + 1..])
            }
        } else {
            format!("0.{}{}", "0".repeat((-exp - 1) as usize), digits)
        }
    } else {
        let m = if digits.len() == 1 {
            digits.clone()
        } else {
            format!("{}.{}", &digits[..1], &digits[1..])
        };
        format!("{m}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
    };
    if neg { format!("-{body}") } else { body }
}

pub fn str_repr(s: &str) -> String {
    let q = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(q);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == q => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if is_unprintable(c) => {
                let n = c as u32;
                if n <= 0xff {
                    out.push_str(&format!("\\x{n:02x}"));
                } else if n <= 0xffff {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push(q);
    out
}

fn is_unprintable(c: char) -> bool {
    let n = c as u32;
    (0x80..0xa0).contains(&n)
        || n == 0xad
        || (0xd800..0xe000).contains(&n)
        || n == 0x2028
        || n == 0x2029
}

pub fn ascii(repr: &str) -> String {
    let mut out = String::new();
    for c in repr.chars() {
        let n = c as u32;
        if n < 0x80 {
            out.push(c);
        } else if n <= 0xff {
            out.push_str(&format!("\\x{n:02x}"));
        } else if n <= 0xffff {
            out.push_str(&format!("\\u{n:04x}"));
        } else {
            out.push_str(&format!("\\U{n:08x}"));
        }
    }
    out
}

struct Spec {
    fill: char,
    align: Option<char>,
    sign: char,
    alt: bool,
    zero: bool,
    width: usize,
    grouping: Option<char>,
    precision: Option<usize>,
    ty: Option<char>,
}

fn parse_spec(s: &str) -> Option<Spec> {
    let c: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut sp = Spec {
        fill: ' ',
        align: None,
        sign: '-',
        alt: false,
        zero: false,
        width: 0,
        grouping: None,
        precision: None,
        ty: None,
    };
    let is_align = |x: char| matches!(x, '<' | '>' | '^' | '=');
    if c.len() >= 2 && is_align(c[1]) {
        sp.fill = c[0];
        sp.align = Some(c[1]);
        i = 2;
    } else if !c.is_empty() && is_align(c[0]) {
        sp.align = Some(c[0]);
        i = 1;
    }
    if i < c.len() && matches!(c[i], '+' | '-' | ' ') {
        sp.sign = c[i];
        i += 1;
    }
    if i < c.len() && c[i] == 'z' {
        i += 1;
    }
    if i < c.len() && c[i] == '#' {
        sp.alt = true;
        i += 1;
    }
    if i < c.len() && c[i] == '0' {
        sp.zero = true;
        i += 1;
    }
    let st = i;
    while i < c.len() && c[i].is_ascii_digit() {
        i += 1;
    }
    if i > st {
        sp.width = c[st..i].iter().collect::<String>().parse().ok()?;
    }
    if i < c.len() && matches!(c[i], ',' | '_') {
        sp.grouping = Some(c[i]);
        i += 1;
    }
    if i < c.len() && c[i] == '.' {
        i += 1;
        let st = i;
        while i < c.len() && c[i].is_ascii_digit() {
            i += 1;
        }
        if i == st {
            return None;
        }
        sp.precision = Some(c[st..i].iter().collect::<String>().parse().ok()?);
    }
    if i < c.len() {
        sp.ty = Some(c[i]);
        i += 1;
    }
    if i != c.len() || sp.width > 1 << 20 || sp.precision.is_some_and(|p| p > 1 << 12) {
        return None;
    }
    Some(sp)
}

fn group(int_part: &str, sep: char, every: usize) -> String {
    let chars: Vec<char> = int_part.chars().collect();
    let mut out = String::new();
    for (i, ch) in chars.iter().enumerate() {
        if i > 0 && (chars.len() - i).is_multiple_of(every) {
            out.push(sep);
        }
        out.push(*ch);
    }
    out
}

fn exp_fix(s: &str) -> String {
    // Rust "1.5e3" / "1.5e-7" → Python "1.5e+03" / "1.5e-07"
    match s.split_once('e') {
        Some((m, e)) => {
            let (sign, digits) = if let Some(d) = e.strip_prefix('-') {
                ('-', d)
            } else {
                ('+', e)
            };
            format!("{m}e{sign}{digits:0>2}")
        }
        None => s.to_string(),
    }
}

fn fmt_g(x: f64, prec: usize, alt: bool, upper: bool) -> String {
    let p = if prec == 0 { 1 } else { prec };
    if x == 0.0 {
        return if alt {
            format!("{:.*}", p - 1, 0.0)
        } else {
            "0".to_string()
        };
    }
    let e = format!("{:.*e}", p - 1, x);
    let exp: i32 = e
        .split_once('e')
        .map(|(_, x)| x.parse().unwrap_or(0))
        .unwrap_or(0);
    let mut s = if exp >= -4 && exp < p as i32 {
        format!("{:.*}", (p as i32 - 1 - exp).max(0) as usize, x)
    } else {
        let (m, _) = e.split_once('e').unwrap_or((&e, ""));
        let m = if !alt && m.contains('.') {
            m.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            m.to_string()
        };
        let out = exp_fix(&format!("{m}e{exp}"));
        return if upper { out.to_uppercase() } else { out };
    };
    if !alt && s.contains('.') {
        s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    if upper { s.to_uppercase() } else { s }
}

fn pad(body: String, sign: &str, sp: &Spec, default_align: char) -> String {
    let len = body.chars().count() + sign.chars().count();
    if sp.width <= len {
        return format!("{sign}{body}");
    }
    let n = sp.width - len;
    let (fill, align) = if sp.zero && sp.align.is_none() {
        ('0', '=')
    } else {
        (sp.fill, sp.align.unwrap_or(default_align))
    };
    let f = |k: usize| fill.to_string().repeat(k);
    match align {
        '<' => format!("{sign}{body}{}", f(n)),
        '^' => format!("{}{sign}{body}{}", f(n / 2), f(n - n / 2)),
        '=' => format!("{sign}{}{body}", f(n)),
        _ => format!("{}{sign}{body}", f(n)),
    }
}

impl Vm {
    pub(crate) fn repr_of(&self, v: &Value) -> String {
        let mut seen = vec![];
        self.repr_depth(v, &mut seen)
    }

    fn repr_depth(&self, v: &Value, seen: &mut Vec<u32>) -> String {
        if seen.len() > 200 {
            return "...".into();
        }
        let items = |this: &Self,
                     xs: &mut dyn Iterator<Item = &Value>,
                     seen: &mut Vec<u32>|
         -> Vec<String> { xs.map(|x| this.repr_depth(x, seen)).collect() };
        match v {
            Value::Undef => "<unbound>".into(),
            Value::None => "None".into(),
            Value::Bool(b) => if *b { "True" } else { "False" }.into(),
            Value::Int(i) => i.to_string(),
            Value::Float(x) => float_repr(*x),
            Value::Str(s) => str_repr(s),
            Value::Ellipsis => "Ellipsis".into(),
            Value::Dt(_) => crate::modules::datetime::repr_of(v).unwrap_or_default(),
            Value::Tuple(t) => {
                let v = items(self, &mut t.iter().map(|s| &s.0), seen);
                if v.len() == 1 {
                    format!("({},)", v[0])
                } else {
                    format!("({})", v.join(", "))
                }
            }
            Value::Range(a, b, s) => {
                if *s == 1 {
                    format!("range({a}, {b})")
                } else {
                    format!("range({a}, {b}, {s})")
                }
            }
            Value::Slice(s) => format!(
                "slice({}, {}, {})",
                self.repr_depth(&s[0], seen),
                self.repr_depth(&s[1], seen),
                self.repr_depth(&s[2], seen)
            ),
            Value::Builtin(b) => {
                let n = super::names::name(*b);
                if self.type_name(v) == "type" {
                    format!("<class '{n}'>")
                } else {
                    format!("<built-in function {n}>")
                }
            }
            Value::Module(m) => {
                format!("<module '{}'>", ["json", "datetime", "re"][*m as usize % 3])
            }
            Value::ModAttr(_, n) => format!("<built-in function {n}>"),
            Value::Tool(t) => format!(
                "<tool {}>",
                self.tools
                    .get(*t as usize)
                    .map(|t| t.name.as_str())
                    .unwrap_or("?")
            ),
            Value::Method(m) => format!("<bound method {} of {}>", m.2, self.type_name(&m.0)),
            Value::Ref(r) => {
                if seen.contains(r) {
                    return match &self.heap.get(*r).obj {
                        Obj::Dict(_) => "{...}".into(),
                        _ => "[...]".into(),
                    };
                }
                seen.push(*r);
                let out = match &self.heap.get(*r).obj {
                    Obj::List(x) => format!(
                        "[{}]",
                        items(self, &mut x.iter().map(|s| &s.0), seen).join(", ")
                    ),
                    Obj::Set(x) => {
                        if x.is_empty() {
                            "set()".into()
                        } else {
                            format!(
                                "{{{}}}",
                                items(self, &mut x.values().map(|s| &s.0), seen).join(", ")
                            )
                        }
                    }
                    Obj::Dict(d) => {
                        let parts: Vec<String> = d
                            .values()
                            .map(|(k, x)| {
                                format!(
                                    "{}: {}",
                                    self.repr_depth(&k.0, seen),
                                    self.repr_depth(&x.0, seen)
                                )
                            })
                            .collect();
                        format!("{{{}}}", parts.join(", "))
                    }
                    Obj::Instance { class, fields } => {
                        let Obj::Class(Class::Holder {
                            name,
                            fields: names,
                        }) = &self.heap.get(*class).obj
                        else {
                            return "<object>".into();
                        };
                        let parts: Vec<String> = names
                            .iter()
                            .zip(fields.iter())
                            .map(|((n, _), (x, _))| format!("{n}={}", self.repr_depth(x, seen)))
                            .collect();
                        format!("{name}({})", parts.join(", "))
                    }
                    Obj::Exception { class, args, .. } => {
                        let a = items(self, &mut args.iter().map(|s| &s.0), seen);
                        format!("{}({})", self.class_value_name(class), a.join(", "))
                    }
                    Obj::Function(f) => format!("<function {}>", f.name),
                    Obj::Class(Class::Holder { name, .. })
                    | Obj::Class(Class::Exception { name, .. }) => {
                        format!("<class '{name}'>")
                    }
                    Obj::Cell(_) => "<cell>".into(),
                    Obj::Iter(_) => "<iterator>".into(),
                    Obj::Free => "<freed>".into(),
                    Obj::Pattern { src, .. } => format!("re.compile({})", str_repr(src)),
                    Obj::Match { subject, spans, .. } => {
                        let (a, b) = spans.first().copied().flatten().unwrap_or((0, 0));
                        let m: String = subject.chars().skip(a).take(b - a).collect();
                        format!("<re.Match object; span=({a}, {b}), match={}>", str_repr(&m))
                    }
                };
                seen.pop();
                out
            }
        }
    }

    pub(crate) fn str_of(&self, v: &Value) -> String {
        match v {
            Value::Str(s) => s.to_string(),
            Value::Ref(r) => match &self.heap.get(*r).obj {
                Obj::Exception { class, args, .. } => match args.len() {
                    0 => String::new(),
                    1 if self.class_value_name(class) == "KeyError" => self.repr_of(&args[0].0),
                    1 => self.str_of(&args[0].0),
                    _ => self.repr_of(&Value::Tuple(std::rc::Rc::new(args.clone()))),
                },
                _ => self.repr_of(v),
            },
            other => {
                crate::modules::datetime::str_of(self, other).unwrap_or_else(|| self.repr_of(other))
            }
        }
    }

    /// `format(v, spec)`.
    pub(crate) fn format_spec(&mut self, v: &Value, spec: &str, l: Label) -> R<String> {
        if spec.is_empty() {
            return Ok(self.str_of(v));
        }
        if let Some(s) = crate::modules::datetime::format(self, v, spec) {
            return Ok(s);
        }
        let Some(sp) = parse_spec(spec) else {
            return self.err(
                "ValueError",
                format!(
                    "Invalid format specifier '{spec}' for object of type '{}'",
                    self.type_name(v)
                ),
                l,
            );
        };
        match v {
            Value::Str(s) => {
                if sp.ty.is_some_and(|t| t != 's') {
                    return self.err(
                        "ValueError",
                        format!(
                            "Unknown format code '{}' for object of type 'str'",
                            sp.ty.unwrap_or('?')
                        ),
                        l,
                    );
                }
                let body: String = match sp.precision {
                    Some(p) => s.chars().take(p).collect(),
                    None => s.to_string(),
                };
                Ok(pad(body, "", &sp, '<'))
            }
            Value::Int(_) | Value::Bool(_) => {
                let i = match v {
                    Value::Int(i) => *i,
                    Value::Bool(b) => *b as i64,
                    _ => 0,
                };
                match sp.ty {
                    None | Some('d') | Some('n') | Some('b') | Some('o') | Some('x')
                    | Some('X') | Some('c') => {
                        let mag = i.unsigned_abs();
                        let (body, prefix) = match sp.ty {
                            Some('b') => (format!("{mag:b}"), "0b"),
                            Some('o') => (format!("{mag:o}"), "0o"),
                            Some('x') => (format!("{mag:x}"), "0x"),
                            Some('X') => (format!("{mag:X}"), "0X"),
                            Some('c') => {
                                let c = char::from_u32(i as u32).unwrap_or('\u{fffd}');
                                return Ok(pad(c.to_string(), "", &sp, '<'));
                            }
                            _ => (mag.to_string(), ""),
                        };
                        let body = match sp.grouping {
                            Some(g) => group(
                                &body,
                                g,
                                if matches!(sp.ty, Some('b' | 'o' | 'x' | 'X')) {
                                    4
                                } else {
                                    3
                                },
                            ),
                            None => body,
                        };
                        let sign = if i < 0 {
                            "-"
                        } else if sp.sign == '+' {
                            "+"
                        } else if sp.sign == ' ' {
                            " "
                        } else {
                            ""
                        };
                        let sign = if sp.alt {
                            format!("{sign}{prefix}")
                        } else {
                            sign.to_string()
                        };
                        Ok(pad(body, &sign, &sp, '>'))
                    }
                    Some(_) => self.format_float(i as f64, &sp, l),
                }
            }
            Value::Float(x) => self.format_float(*x, &sp, l),
            other => {
                let t = self.type_name(other);
                self.err(
                    "TypeError",
                    format!("unsupported format string passed to {t}.__format__"),
                    l,
                )
            }
        }
    }

    fn format_float(&mut self, x: f64, sp: &Spec, l: Label) -> R<String> {
        let neg = x.is_sign_negative();
        let a = x.abs();
        let prec = sp.precision;
        let body = match sp.ty {
            Some('f') | Some('F') => format!("{:.*}", prec.unwrap_or(6), a),
            Some('e') | Some('E') => {
                let s = exp_fix(&format!("{:.*e}", prec.unwrap_or(6), a));
                if sp.ty == Some('E') {
                    s.to_uppercase()
                } else {
                    s
                }
            }
            Some('g') | Some('G') => fmt_g(a, prec.unwrap_or(6), sp.alt, sp.ty == Some('G')),
            Some('%') => format!("{:.*}%", prec.unwrap_or(6), a * 100.0),
            None => match prec {
                Some(p) => {
                    let s = fmt_g(a, p, sp.alt, false);
                    if s.contains('.') || s.contains('e') || s.contains("inf") || s.contains("nan")
                    {
                        s
                    } else {
                        format!("{s}.0")
                    }
                }
                None => float_repr(a),
            },
            Some(t) => {
                return self.err(
                    "ValueError",
                    format!("Unknown format code '{t}' for object of type 'float'"),
                    l,
                );
            }
        };
        let body = if a.is_infinite() {
            if sp.ty.is_some_and(|t| t.is_uppercase()) {
                "INF".into()
            } else {
                "inf".into()
            }
        } else if a.is_nan() {
            "nan".into()
        } else {
            body
        };
        let body = match sp.grouping {
            Some(g) => {
                let (ip, rest) = match body.find(|c: char| !c.is_ascii_digit()) {
                    Some(k) => (&body[..k], &body[k..]),
                    None => (body.as_str(), ""),
                };
                format!("{}{}", group(ip, g, 3), rest)
            }
            None => body,
        };
        let sign = if neg && !x.is_nan() {
            "-"
        } else if sp.sign == '+' {
            "+"
        } else if sp.sign == ' ' {
            " "
        } else {
            ""
        };
        Ok(pad(body, sign, sp, '>'))
    }

    /// `fmt % args` (printf-style).
    pub(crate) fn percent_format(&mut self, fmt: &str, args: &Value, l: Label) -> R<String> {
        let (list, mapping): (Vec<Value>, Option<Value>) = match args {
            Value::Tuple(t) => (t.iter().map(|s| s.0.clone()).collect(), None),
            Value::Ref(r) if matches!(self.heap.get(*r).obj, Obj::Dict(_)) => {
                (vec![args.clone()], Some(args.clone()))
            }
            other => (vec![other.clone()], None),
        };
        let c: Vec<char> = fmt.chars().collect();
        let mut out = String::new();
        let mut i = 0;
        let mut next = 0;
        while i < c.len() {
            if c[i] != '%' {
                out.push(c[i]);
                i += 1;
                continue;
            }
            i += 1;
            if i < c.len() && c[i] == '%' {
                out.push('%');
                i += 1;
                continue;
            }
            let mut key = None;
            if i < c.len() && c[i] == '(' {
                let st = i + 1;
                while i < c.len() && c[i] != ')' {
                    i += 1;
                }
                key = Some(c[st..i.min(c.len())].iter().collect::<String>());
                i += 1;
            }
            let mut flags = String::new();
            while i < c.len() && matches!(c[i], '-' | '+' | ' ' | '0' | '#') {
                flags.push(c[i]);
                i += 1;
            }
            let mut width = String::new();
            while i < c.len() && c[i].is_ascii_digit() {
                width.push(c[i]);
                i += 1;
            }
            let mut prec = None;
            if i < c.len() && c[i] == '.' {
                i += 1;
                let mut p = String::new();
                while i < c.len() && c[i].is_ascii_digit() {
                    p.push(c[i]);
                    i += 1;
                }
                prec = Some(p);
            }
            let Some(&ty) = c.get(i) else {
                return self.err("ValueError", "incomplete format", l);
            };
            i += 1;
            let arg = match (&key, &mapping) {
                (Some(k), Some(m)) => {
                    let kv = Value::Str(k.as_str().into());
                    self.subscript(m, &kv, l.clone(), l.clone())?.0
                }
                _ => {
                    let Some(a) = list.get(next).cloned() else {
                        return self.err("TypeError", "not enough arguments for format string", l);
                    };
                    next += 1;
                    a
                }
            };
            let mut spec = String::new();
            if flags.contains('-') {
                spec.push('<');
            }
            if flags.contains('+') {
                spec.push('+');
            } else if flags.contains(' ') {
                spec.push(' ');
            }
            if flags.contains('#') {
                spec.push('#');
            }
            if flags.contains('0') && !flags.contains('-') {
                spec.push('0');
            }
            spec.push_str(&width);
            if let Some(p) = &prec {
                spec.push('.');
                spec.push_str(if p.is_empty() { "0" } else { p });
            }
            let piece = match ty {
                's' | 'r' | 'a' => {
                    let s = match ty {
                        's' => self.str_of(&arg),
                        'r' => self.repr_of(&arg),
                        _ => ascii(&self.repr_of(&arg)),
                    };
                    let spec = if flags.contains('-') {
                        spec
                    } else {
                        format!(">{}", spec.trim_start_matches('0'))
                    };
                    self.format_spec(
                        &Value::Str(s.into()),
                        spec.trim_start_matches(['+', ' ', '#']),
                        l.clone(),
                    )?
                }
                'd' | 'i' | 'u' => {
                    let n = match arg {
                        Value::Float(x) => Value::Int(x.trunc() as i64),
                        Value::Int(_) | Value::Bool(_) => arg,
                        other => {
                            let t = self.type_name(&other);
                            return self.err(
                                "TypeError",
                                format!("%{ty} format: a real number is required, not {t}"),
                                l,
                            );
                        }
                    };
                    spec.push('d');
                    self.format_spec(&n, &spec, l.clone())?
                }
                'c' if matches!(&arg, Value::Str(s) if s.chars().count() == 1) => {
                    let spec = if flags.contains('-') {
                        spec
                    } else {
                        format!(">{}", spec.trim_start_matches('0'))
                    };
                    self.format_spec(&arg, spec.trim_start_matches(['+', ' ', '#']), l.clone())?
                }
                'f' | 'F' | 'e' | 'E' | 'g' | 'G' | 'x' | 'X' | 'o' | 'c' => {
                    spec.push(ty);
                    if !matches!(arg, Value::Int(_) | Value::Float(_) | Value::Bool(_)) && ty != 'c'
                    {
                        let t = self.type_name(&arg);
                        return self.err("TypeError", format!("must be real number, not {t}"), l);
                    }
                    let arg = if matches!(ty, 'x' | 'X' | 'o') {
                        match arg {
                            Value::Float(_) => {
                                return self.err(
                                    "TypeError",
                                    format!("%{ty} format: an integer is required, not float"),
                                    l,
                                );
                            }
                            a => a,
                        }
                    } else {
                        arg
                    };
                    self.format_spec(&arg, &spec, l.clone())?
                }
                other => {
                    return self.err(
                        "ValueError",
                        format!("unsupported format character '{other}'"),
                        l,
                    );
                }
            };
            out.push_str(&piece);
        }
        if mapping.is_none() && next < list.len() {
            return self.err(
                "TypeError",
                "not all arguments converted during string formatting",
                l,
            );
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_reprs_match_python() {
        assert_eq!(float_repr(0.1), "0.1");
        assert_eq!(float_repr(1.0), "1.0");
        assert_eq!(float_repr(1e16), "1e+16");
        assert_eq!(float_repr(1.5e-7), "1.5e-07");
        assert_eq!(float_repr(123456789.125), "123456789.125");
        assert_eq!(float_repr(0.0001), "0.0001");
        assert_eq!(float_repr(-2.5), "-2.5");
        assert_eq!(float_repr(1e15), "1000000000000000.0");
    }

    #[test]
    fn g_format() {
        assert_eq!(fmt_g(1234567.0, 6, false, false), "1.23457e+06");
        assert_eq!(fmt_g(0.5, 6, false, false), "0.5");
        assert_eq!(fmt_g(100.0, 6, false, false), "100");
    }
}
