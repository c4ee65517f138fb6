//! `json.dumps` / `json.loads` with CPython's output format.

use crate::builtins::Kw;
use crate::builtins::format::float_repr;
use crate::label::Label;
use crate::value::{Obj, Slot, Value};
use crate::vm::{R, Vm};

struct Opts {
    indent: Option<String>,
    sort_keys: bool,
    ensure_ascii: bool,
    item_sep: String,
    key_sep: String,
}

fn quote(s: &str, ascii: bool) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if ascii && (c as u32) > 0x7e => {
                let mut buf = [0u16; 2];
                for u in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{u:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub(crate) fn dumps(vm: &mut Vm, args: Vec<Slot>, kw: Kw, l: Label) -> R<Slot> {
    let Some((v, _)) = args.first() else {
        return vm.err(
            "TypeError",
            "dumps() missing 1 required positional argument: 'obj'",
            l,
        );
    };
    let mut o = Opts {
        indent: None,
        sort_keys: false,
        ensure_ascii: true,
        item_sep: ", ".into(),
        key_sep: ": ".into(),
    };
    let mut seps = None;
    for (k, (x, _)) in &kw {
        match &**k {
            "indent" => {
                o.indent = match x {
                    Value::Int(n) => Some(" ".repeat((*n).clamp(0, 64) as usize)),
                    Value::Str(s) => Some(s.to_string()),
                    _ => None,
                }
            }
            "sort_keys" => o.sort_keys = vm.truth(x),
            "ensure_ascii" => o.ensure_ascii = vm.truth(x),
            "separators" => {
                if let Value::Tuple(t) = x
                    && let [(Value::Str(a), _), (Value::Str(b), _)] = t.as_slice()
                {
                    seps = Some((a.to_string(), b.to_string()));
                }
            }
            "default" | "allow_nan" | "check_circular" | "skipkeys" | "cls" => {}
            other => {
                return vm.err(
                    "TypeError",
                    format!("dumps() got an unexpected keyword argument '{other}'"),
                    l,
                );
            }
        }
    }
    if o.indent.is_some() {
        o.item_sep = ",".into();
    }
    if let Some((a, b)) = seps {
        o.item_sep = a;
        o.key_sep = b;
    }
    let mut out = String::new();
    let v = v.clone();
    enc(vm, &v, &o, 0, &mut out, l.clone())?;
    Ok((vm.mkstr(out)?, l))
}

fn enc(vm: &mut Vm, v: &Value, o: &Opts, depth: usize, out: &mut String, l: Label) -> R<()> {
    if depth > 200 {
        return vm.err("ValueError", "Circular reference detected", l);
    }
    if out.len() > vm.limits.str_bytes {
        return Err(vm.limit("string size"));
    }
    let items: Vec<Value>;
    let mut pairs: Vec<(String, Value)> = vec![];
    let is_obj;
    match v {
        Value::None => {
            out.push_str("null");
            return Ok(());
        }
        Value::Bool(b) => {
            out.push_str(if *b { "true" } else { "false" });
            return Ok(());
        }
        Value::Int(i) => {
            out.push_str(&i.to_string());
            return Ok(());
        }
        Value::Float(x) => {
            out.push_str(&if x.is_nan() {
                "NaN".into()
            } else if x.is_infinite() {
                if *x > 0.0 {
                    "Infinity".into()
                } else {
                    "-Infinity".into()
                }
            } else {
                float_repr(*x)
            });
            return Ok(());
        }
        Value::Str(s) => {
            out.push_str(&quote(s, o.ensure_ascii));
            return Ok(());
        }
        Value::Tuple(t) => {
            items = t.iter().map(|s| s.0.clone()).collect();
            is_obj = false;
        }
        Value::Ref(r) => match &vm.heap.get(*r).obj {
            Obj::List(x) => {
                items = x.iter().map(|s| s.0.clone()).collect();
                is_obj = false;
            }
            Obj::Dict(d) => {
                items = vec![];
                is_obj = true;
                for (k, x) in d.values() {
                    let ks = match &k.0 {
                        Value::Str(s) => s.to_string(),
                        Value::Int(i) => i.to_string(),
                        Value::Float(f) => float_repr(*f),
                        Value::Bool(b) => if *b { "true" } else { "false" }.into(),
                        Value::None => "null".into(),
                        other => {
                            let t = vm.type_name(other);
                            return vm.err(
                                "TypeError",
                                format!("keys must be str, int, float, bool or None, not {t}"),
                                l,
                            );
                        }
                    };
                    pairs.push((ks, x.0.clone()));
                }
            }
            Obj::Instance { class, fields } => {
                items = vec![];
                is_obj = true;
                if let Obj::Class(crate::value::Class::Holder { fields: names, .. }) =
                    &vm.heap.get(*class).obj
                {
                    for ((n, _), (x, _)) in names.iter().zip(fields.iter()) {
                        pairs.push((n.to_string(), x.clone()));
                    }
                }
            }
            _ => {
                let t = vm.type_name(v);
                return vm.err(
                    "TypeError",
                    format!("Object of type {t} is not JSON serializable"),
                    l,
                );
            }
        },
        other => {
            let t = match other {
                Value::Dt(d) => crate::modules::datetime::class_name(d).to_string(),
                o => vm.type_name(o),
            };
            return vm.err(
                "TypeError",
                format!("Object of type {t} is not JSON serializable"),
                l,
            );
        }
    }
    if o.sort_keys {
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
    }
    let (open, close) = if is_obj { ('{', '}') } else { ('[', ']') };
    let n = if is_obj { pairs.len() } else { items.len() };
    out.push(open);
    if n == 0 {
        out.push(close);
        return Ok(());
    }
    let nl = |out: &mut String, d: usize| {
        if let Some(ind) = &o.indent {
            out.push('\n');
            out.push_str(&ind.repeat(d));
        }
    };
    for i in 0..n {
        if i > 0 {
            out.push_str(&o.item_sep);
        }
        nl(out, depth + 1);
        if is_obj {
            out.push_str(&quote(&pairs[i].0, o.ensure_ascii));
            out.push_str(&o.key_sep);
            let x = pairs[i].1.clone();
            enc(vm, &x, o, depth + 1, out, l.clone())?;
        } else {
            let x = items[i].clone();
            enc(vm, &x, o, depth + 1, out, l.clone())?;
        }
    }
    nl(out, depth);
    out.push(close);
    Ok(())
}

pub(crate) fn loads(vm: &mut Vm, args: Vec<Slot>, l: Label) -> R<Slot> {
    let Some((Value::Str(s), _)) = args.first() else {
        return vm.err("TypeError", "the JSON object must be str", l);
    };
    vm.charge(s.len())?;
    match serde_json::from_str::<serde_json::Value>(s) {
        Ok(j) => {
            let v = vm
                .value_from_json(&j, l.clone())
                .map_err(crate::vm::Flow::Stop)?;
            Ok((v, l))
        }
        Err(e) => {
            let msg = format!("{e}");
            vm.err("JSONDecodeError", msg, l)
        }
    }
}
