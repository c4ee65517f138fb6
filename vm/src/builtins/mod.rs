//! Builtin functions and types. Results carry ⊔ M(inputs) (builtins add no labels of their own);
//! new containers keep their elements' labels.

pub mod format;
pub mod methods;
pub mod names;
mod str_methods;

pub use names::{
    N_PUBLIC, NAMES, builtin_index, exc_parent, idx, is_exception, is_exception_name, name,
};

use std::rc::Rc;

use crate::label::Label;
use crate::value::{Class, Obj, Slot, Value};
use crate::vm::ops::{Num, num, range_len};
use crate::vm::{R, Vm};

pub(crate) type Kw = Vec<(Rc<str>, Slot)>;

pub(crate) fn deep_all(vm: &Vm, args: &[Slot], kw: &Kw) -> Label {
    let mut l = Label::BOTTOM;
    for (v, x) in args.iter().chain(kw.iter().map(|(_, s)| s)) {
        l.join_in(vm.heap.deep(v, x.clone()));
    }
    l
}

fn take_kw(kw: &mut Kw, n: &str) -> Option<Slot> {
    let i = kw.iter().position(|(k, _)| &**k == n)?;
    Some(kw.remove(i).1)
}

pub(crate) fn arity(
    vm: &mut Vm,
    f: &str,
    args: &[Slot],
    min: usize,
    max: usize,
    l: Label,
) -> R<()> {
    if args.len() < min || args.len() > max {
        let msg = if min == max {
            format!(
                "{f}() takes exactly {min} argument{} ({} given)",
                if min == 1 { "" } else { "s" },
                args.len()
            )
        } else if args.len() < min {
            format!(
                "{f}() expected at least {min} argument{}, got {}",
                if min == 1 { "" } else { "s" },
                args.len()
            )
        } else {
            format!("{f}() expected at most {max} arguments, got {}", args.len())
        };
        return vm.err("TypeError", msg, l);
    }
    Ok(())
}

fn no_kw(vm: &mut Vm, f: &str, kw: &Kw, l: Label) -> R<()> {
    if let Some((k, _)) = kw.first() {
        return vm.err(
            "TypeError",
            format!("{f}() got an unexpected keyword argument '{k}'"),
            l,
        );
    }
    Ok(())
}

pub(crate) fn new_list(vm: &mut Vm, items: Vec<Slot>, own: Label) -> R<Value> {
    vm.check_len(items.len())?;
    let r = vm.alloc(own, Obj::List(items))?;
    Ok(Value::Ref(r))
}

/// `base` is 0 (from the prefix) or 2..=36; the caller reports any other.
pub(crate) fn parse_int(s: &str, base: u32) -> Option<i64> {
    let t = s.trim();
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (base, t) = match (base, t.get(..2).map(|p| p.to_ascii_lowercase())) {
        (16 | 0, Some(p)) if p == "0x" => (16, &t[2..]),
        (8 | 0, Some(p)) if p == "0o" => (8, &t[2..]),
        (2 | 0, Some(p)) if p == "0b" => (2, &t[2..]),
        (0, _) => (10, t),
        (b, _) => (b, t),
    };
    if t.is_empty() || t.starts_with('_') || t.ends_with('_') || t.contains("__") {
        return None;
    }
    let digits: String = t.chars().filter(|c| *c != '_').collect();
    let v = i64::from_str_radix(&digits, base).ok().or_else(|| {
        if neg {
            // Only `i64::MIN` gets here, and negating it back wraps to itself.
            i64::from_str_radix(&format!("-{digits}"), base)
                .ok()
                .map(i64::wrapping_neg)
        } else {
            None
        }
    })?;
    Some(if neg {
        v.checked_neg().unwrap_or(i64::MIN)
    } else {
        v
    })
}

pub(crate) fn parse_float(s: &str) -> Option<f64> {
    let t = s.trim().replace('_', "");
    let low = t.to_ascii_lowercase();
    match low.trim_start_matches(['+', '-']) {
        "inf" | "infinity" => {
            return Some(if low.starts_with('-') {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            });
        }
        "nan" => return Some(f64::NAN),
        _ => {}
    }
    if t.is_empty()
        || !t
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
    {
        return None;
    }
    t.parse().ok()
}

pub(crate) fn call_builtin(vm: &mut Vm, b: u32, args: Vec<Slot>, mut kw: Kw) -> R<Slot> {
    let l = deep_all(vm, &args, &kw);
    let n = name(b);
    let v: Value = match n {
        "print" => {
            let sep = take_kw(&mut kw, "sep").map(|s| s.0);
            let end = take_kw(&mut kw, "end").map(|s| s.0);
            take_kw(&mut kw, "flush");
            no_kw(vm, n, &kw, l.clone())?;
            let sep = match sep {
                None | Some(Value::None) => " ".to_string(),
                Some(Value::Str(s)) => s.to_string(),
                Some(o) => {
                    let t = vm.type_name(&o);
                    return vm.err(
                        "TypeError",
                        format!("sep must be None or a string, not {t}"),
                        l,
                    );
                }
            };
            let end = match end {
                None | Some(Value::None) => "\n".to_string(),
                Some(Value::Str(s)) => s.to_string(),
                Some(o) => {
                    let t = vm.type_name(&o);
                    return vm.err(
                        "TypeError",
                        format!("end must be None or a string, not {t}"),
                        l,
                    );
                }
            };
            let parts: Vec<String> = args.iter().map(|(v, _)| vm.str_of(v)).collect();
            let text = parts.join(&sep) + &end;
            vm.charge(text.len())?;
            if vm.printed.len() + text.len() > vm.limits.printed_bytes {
                return Err(vm.limit("printed output"));
            }
            vm.printed.push_str(&text);
            vm.printed_label.join_in(&l);
            Value::None
        }
        "len" => {
            arity(vm, n, &args, 1, 1, l.clone())?;
            let k = match &args[0].0 {
                Value::Str(s) => s.chars().count(),
                Value::Tuple(t) => t.len(),
                Value::Range(a, b, s) => range_len(*a, *b, *s),
                Value::Ref(r) => match &vm.heap.get(*r).obj {
                    Obj::List(v) => v.len(),
                    Obj::Dict(d) => d.len(),
                    Obj::Set(s) => s.len(),
                    _ => {
                        let t = vm.type_name(&args[0].0);
                        return vm.err(
                            "TypeError",
                            format!("object of type '{t}' has no len()"),
                            l,
                        );
                    }
                },
                other => {
                    let t = vm.type_name(other);
                    return vm.err("TypeError", format!("object of type '{t}' has no len()"), l);
                }
            };
            Value::Int(k as i64)
        }
        "str" => {
            if let Some(o) = take_kw(&mut kw, "object") {
                Value::Str(vm.str_of(&o.0).into())
            } else {
                arity(vm, n, &args, 0, 1, l.clone())?;
                match args.first() {
                    None => Value::str(""),
                    Some((v, _)) => {
                        let s = vm.str_of(v);
                        vm.mkstr(s)?
                    }
                }
            }
        }
        "repr" => {
            arity(vm, n, &args, 1, 1, l.clone())?;
            let s = vm.repr_of(&args[0].0);
            vm.mkstr(s)?
        }
        "bool" => {
            arity(vm, n, &args, 0, 1, l.clone())?;
            Value::Bool(args.first().is_some_and(|(v, _)| vm.truth(v)))
        }
        "int" => {
            let base = take_kw(&mut kw, "base").map(|s| s.0);
            no_kw(vm, n, &kw, l.clone())?;
            arity(vm, n, &args, 0, 2, l.clone())?;
            let base = match (args.get(1).map(|s| s.0.clone()), base) {
                (Some(Value::Int(b)), _) | (None, Some(Value::Int(b))) => Some(b),
                _ => None,
            };
            match (args.first().map(|s| &s.0), base) {
                (None, _) => Value::Int(0),
                (Some(Value::Str(s)), b) => {
                    let b = b.unwrap_or(10);
                    if !(b == 0 || (2..=36).contains(&b)) {
                        return vm.err("ValueError", "int() base must be >= 2 and <= 36, or 0", l);
                    }
                    match parse_int(s, b as u32) {
                        Some(i) => Value::Int(i),
                        None => {
                            let r = vm.repr_of(&Value::Str(s.clone()));
                            return vm.err(
                                "ValueError",
                                format!("invalid literal for int() with base {b}: {r}"),
                                l,
                            );
                        }
                    }
                }
                (Some(_), Some(_)) => {
                    return vm.err(
                        "TypeError",
                        "int() can't convert non-string with explicit base",
                        l,
                    );
                }
                (Some(v), None) => match num(v) {
                    Some(Num::I(i)) => Value::Int(i),
                    Some(Num::F(x)) => {
                        if x.is_nan() {
                            return vm.err("ValueError", "cannot convert float NaN to integer", l);
                        }
                        if x.is_infinite() {
                            return vm.err(
                                "OverflowError",
                                "cannot convert float infinity to integer",
                                l,
                            );
                        }
                        let t = x.trunc();
                        if !(-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&t) {
                            return vm.err("OverflowError", crate::vm::ops::OVERFLOW, l);
                        }
                        Value::Int(t as i64)
                    }
                    None => {
                        let t = vm.type_name(v);
                        return vm.err(
                            "TypeError",
                            format!("int() argument must be a string, a bytes-like object or a real number, not '{t}'"),
                            l,
                        );
                    }
                },
            }
        }
        "float" => {
            arity(vm, n, &args, 0, 1, l.clone())?;
            match args.first().map(|s| &s.0) {
                None => Value::Float(0.0),
                Some(Value::Str(s)) => match parse_float(s) {
                    Some(x) => Value::Float(x),
                    None => {
                        let r = vm.repr_of(&Value::Str(s.clone()));
                        return vm.err(
                            "ValueError",
                            format!("could not convert string to float: {r}"),
                            l,
                        );
                    }
                },
                Some(v) => match num(v) {
                    Some(Num::I(i)) => Value::Float(i as f64),
                    Some(Num::F(x)) => Value::Float(x),
                    None => {
                        let t = vm.type_name(v);
                        return vm.err(
                            "TypeError",
                            format!(
                                "float() argument must be a string or a real number, not '{t}'"
                            ),
                            l,
                        );
                    }
                },
            }
        }
        "abs" => {
            arity(vm, n, &args, 1, 1, l.clone())?;
            match num(&args[0].0) {
                Some(Num::I(i)) => match i.checked_abs() {
                    Some(v) => Value::Int(v),
                    None => return vm.err("OverflowError", crate::vm::ops::OVERFLOW, l),
                },
                Some(Num::F(x)) => Value::Float(x.abs()),
                None if matches!(
                    args[0].0,
                    Value::Dt(crate::modules::datetime::Dt::Delta { .. })
                ) =>
                {
                    let Value::Dt(crate::modules::datetime::Dt::Delta { us }) = args[0].0 else {
                        unreachable!()
                    };
                    Value::Dt(crate::modules::datetime::Dt::Delta { us: us.abs() })
                }
                None => {
                    let t = vm.type_name(&args[0].0);
                    return vm.err("TypeError", format!("bad operand type for abs(): '{t}'"), l);
                }
            }
        }
        "chr" => {
            arity(vm, n, &args, 1, 1, l.clone())?;
            match &args[0].0 {
                Value::Int(i) => match u32::try_from(*i).ok().and_then(char::from_u32) {
                    Some(c) => Value::Str(c.to_string().into()),
                    None => return vm.err("ValueError", "chr() arg not in range(0x110000)", l),
                },
                o => {
                    let t = vm.type_name(o);
                    return vm.err(
                        "TypeError",
                        format!("'{t}' object cannot be interpreted as an integer"),
                        l,
                    );
                }
            }
        }
        "ord" => {
            arity(vm, n, &args, 1, 1, l.clone())?;
            match &args[0].0 {
                Value::Str(s) if s.chars().count() == 1 => {
                    Value::Int(s.chars().next().unwrap_or('\0') as i64)
                }
                Value::Str(s) => {
                    return vm.err(
                        "TypeError",
                        format!(
                            "ord() expected a character, but string of length {} found",
                            s.chars().count()
                        ),
                        l,
                    );
                }
                o => {
                    let t = vm.type_name(o);
                    return vm.err(
                        "TypeError",
                        format!("ord() expected string of length 1, but {t} found"),
                        l,
                    );
                }
            }
        }
        "format" => {
            arity(vm, n, &args, 1, 2, l.clone())?;
            let spec = match args.get(1).map(|s| &s.0) {
                Some(Value::Str(s)) => s.to_string(),
                _ => String::new(),
            };
            let s = vm.format_spec(&args[0].0, &spec, l.clone())?;
            Value::Str(s.into())
        }
        "divmod" => {
            arity(vm, n, &args, 2, 2, l.clone())?;
            let q = vm.binop_values(
                crate::bytecode::BinOp::FloorDiv,
                &args[0].0,
                &args[1].0,
                l.clone(),
            )?;
            let r = vm.binop_values(
                crate::bytecode::BinOp::Mod,
                &args[0].0,
                &args[1].0,
                l.clone(),
            )?;
            Value::Tuple(Rc::new(vec![(q, l.clone()), (r, l.clone())]))
        }
        "round" => {
            let nd = take_kw(&mut kw, "ndigits");
            arity(vm, n, &args, 1, 2, l.clone())?;
            let nd = args
                .get(1)
                .cloned()
                .or(nd)
                .map(|s| s.0)
                .filter(|v| !matches!(v, Value::None));
            round(vm, &args[0].0, nd, l.clone())?
        }
        "range" => {
            arity(vm, n, &args, 1, 3, l.clone())?;
            let mut ints = vec![];
            for (a, _) in &args {
                match a {
                    Value::Int(i) => ints.push(*i),
                    Value::Bool(b) => ints.push(*b as i64),
                    o => {
                        let t = vm.type_name(o);
                        return vm.err(
                            "TypeError",
                            format!("'{t}' object cannot be interpreted as an integer"),
                            l,
                        );
                    }
                }
            }
            let (a, b, s) = match ints.as_slice() {
                [b] => (0, *b, 1),
                [a, b] => (*a, *b, 1),
                [a, b, s] => (*a, *b, *s),
                _ => (0, 0, 1),
            };
            if s == 0 {
                return vm.err("ValueError", "range() arg 3 must not be zero", l);
            }
            Value::Range(a, b, s)
        }
        "list" | "tuple" | "set" => {
            arity(vm, n, &args, 0, 1, l.clone())?;
            no_kw(vm, n, &kw, l.clone())?;
            let items = match args.first() {
                Some((v, vl)) => vm.iter_value(v, vl.clone())?,
                None => vec![],
            };
            match n {
                "list" => new_list(vm, items, Label::BOTTOM)?,
                "tuple" => vm.mk_tuple(items)?,
                _ => {
                    let r = vm.alloc(Label::BOTTOM, Obj::Set(Default::default()))?;
                    for (v, vl) in items {
                        vm.set_add(r, v, vl)?;
                    }
                    Value::Ref(r)
                }
            }
        }
        "dict" => {
            arity(vm, n, &args, 0, 1, l)?;
            let r = vm.alloc(Label::BOTTOM, Obj::Dict(Default::default()))?;
            if let Some((v, vl)) = args.first() {
                for (k, x) in vm.pairs_of(v, vl.clone())? {
                    vm.dict_set(r, k, x)?;
                }
            }
            for (k, x) in kw {
                vm.dict_set(r, (Value::Str(k), Label::BOTTOM), x)?;
            }
            return Ok((Value::Ref(r), Label::BOTTOM));
        }
        "enumerate" => {
            let start = take_kw(&mut kw, "start");
            arity(vm, n, &args, 1, 2, l.clone())?;
            let start = match args.get(1).cloned().or(start).map(|s| s.0) {
                Some(Value::Int(i)) => i,
                _ => 0,
            };
            let items = vm.iter_value(&args[0].0, args[0].1.clone())?;
            let mut out: Vec<Slot> = vec![];
            for (i, s) in items.into_iter().enumerate() {
                out.push((
                    vm.mk_tuple(vec![(Value::Int(start + i as i64), Label::BOTTOM), s])?,
                    Label::BOTTOM,
                ));
            }
            new_list(vm, out, Label::BOTTOM)?
        }
        "zip" => {
            take_kw(&mut kw, "strict");
            let mut cols = vec![];
            for (v, vl) in &args {
                cols.push(vm.iter_value(v, vl.clone())?);
            }
            let k = cols.iter().map(|c| c.len()).min().unwrap_or(0);
            let mut out: Vec<Slot> = vec![];
            for i in 0..k {
                out.push((
                    vm.mk_tuple(cols.iter().map(|c| c[i].clone()).collect())?,
                    Label::BOTTOM,
                ));
            }
            new_list(vm, out, Label::BOTTOM)?
        }
        "reversed" => {
            arity(vm, n, &args, 1, 1, l.clone())?;
            let mut items = vm.iter_value(&args[0].0, args[0].1.clone())?;
            items.reverse();
            new_list(vm, items, Label::BOTTOM)?
        }
        "map" => {
            if args.len() < 2 {
                return vm.err("TypeError", "map() must have at least two arguments.", l);
            }
            let f = args[0].clone();
            let mut cols = vec![];
            for (v, vl) in &args[1..] {
                cols.push(vm.iter_value(v, vl.clone())?);
            }
            let k = cols.iter().map(|c| c.len()).min().unwrap_or(0);
            let mut out = vec![];
            for i in 0..k {
                let a: Vec<Slot> = cols.iter().map(|c| c[i].clone()).collect();
                out.push(vm.call_sync(&f, a)?);
            }
            new_list(vm, out, Label::BOTTOM)?
        }
        "filter" => {
            arity(vm, n, &args, 2, 2, l.clone())?;
            let f = args[0].clone();
            let items = vm.iter_value(&args[1].0, args[1].1.clone())?;
            let mut out = vec![];
            let mut own = Label::BOTTOM;
            for it in items {
                let keep = if matches!(f.0, Value::None) {
                    own.join_in(&it.1);
                    vm.truth(&it.0)
                } else {
                    let r = vm.call_sync(&f, vec![it.clone()])?;
                    own.join_in(vm.heap.deep(&r.0, r.1));
                    vm.truth(&r.0)
                };
                if keep {
                    out.push(it);
                }
            }
            new_list(vm, out, own)?
        }
        "sorted" => {
            let key = take_kw(&mut kw, "key");
            let rev = take_kw(&mut kw, "reverse")
                .map(|s| vm.truth(&s.0))
                .unwrap_or(false);
            no_kw(vm, n, &kw, l.clone())?;
            arity(vm, n, &args, 1, 1, l.clone())?;
            let items = vm.iter_value(&args[0].0, args[0].1.clone())?;
            let sorted = sort_slots(vm, items, key, rev, l.clone())?;
            let own = sorted
                .iter()
                .fold(Label::BOTTOM, |a, s| a.join(s.1.clone()));
            new_list(vm, sorted, own)?
        }
        "min" | "max" => {
            let key = take_kw(&mut kw, "key");
            let default = take_kw(&mut kw, "default");
            no_kw(vm, n, &kw, l.clone())?;
            let items = if args.len() == 1 {
                vm.iter_value(&args[0].0, args[0].1.clone())?
            } else {
                args.clone()
            };
            if items.is_empty() {
                if let Some(d) = default {
                    return Ok(d);
                }
                return vm.err("ValueError", format!("{n}() iterable argument is empty"), l);
            }
            let mut best: Option<(Slot, Slot)> = None;
            for it in items {
                let k = match &key {
                    Some(f) if !matches!(f.0, Value::None) => vm.call_sync(f, vec![it.clone()])?,
                    _ => it.clone(),
                };
                best = Some(match best {
                    None => (it, k),
                    Some((b, bk)) => {
                        let o = vm.cmp_vals(
                            &k.0,
                            &bk.0,
                            if n == "min" { "<" } else { ">" },
                            l.clone(),
                        )?;
                        let better = if n == "min" {
                            o == std::cmp::Ordering::Less
                        } else {
                            o == std::cmp::Ordering::Greater
                        };
                        if better { (it, k) } else { (b, bk) }
                    }
                });
            }
            let (b, _) = best.unwrap_or_default();
            return Ok((b.0, l));
        }
        "sum" => {
            let start = take_kw(&mut kw, "start");
            arity(vm, n, &args, 1, 2, l.clone())?;
            let mut acc = args
                .get(1)
                .cloned()
                .or(start)
                .map(|s| s.0)
                .unwrap_or(Value::Int(0));
            if matches!(acc, Value::Str(_)) {
                return vm.err(
                    "TypeError",
                    "sum() can't sum strings [use ''.join(seq) instead]",
                    l,
                );
            }
            for (v, _) in vm.iter_value(&args[0].0, args[0].1.clone())? {
                acc = vm.binop_values(crate::bytecode::BinOp::Add, &acc, &v, l.clone())?;
            }
            acc
        }
        "any" | "all" => {
            arity(vm, n, &args, 1, 1, l.clone())?;
            let items = vm.iter_value(&args[0].0, args[0].1.clone())?;
            let want = n == "any";
            Value::Bool(if want {
                items.iter().any(|(v, _)| vm.truth(v))
            } else {
                items.iter().all(|(v, _)| vm.truth(v))
            })
        }
        "isinstance" => {
            arity(vm, n, &args, 2, 2, l.clone())?;
            let ok = match &args[1].0 {
                Value::Tuple(t) => t.iter().any(|(c, _)| isinstance(vm, &args[0].0, c)),
                c => isinstance(vm, &args[0].0, c),
            };
            Value::Bool(ok)
        }
        "type" => {
            arity(vm, n, &args, 1, 1, l.clone())?;
            type_of(vm, &args[0].0)
        }
        _ => return vm.err("TypeError", format!("'{n}' is not callable"), l),
    };
    Ok((v, l))
}

pub(crate) fn type_of(vm: &Vm, v: &Value) -> Value {
    match v {
        Value::Ref(r) => match &vm.heap.get(*r).obj {
            Obj::Instance { class, .. } => return Value::Ref(*class),
            Obj::Exception { class, .. } => return class.clone(),
            _ => {}
        },
        Value::Dt(d) => return Value::ModAttr(1, crate::modules::datetime::class_name(d).into()),
        _ => {}
    }
    Value::Builtin(idx(&vm.type_name(v)))
}

pub(crate) fn isinstance(vm: &Vm, v: &Value, c: &Value) -> bool {
    let t = type_of(vm, v);
    if vm.same(&t, c) {
        return true;
    }
    if let (Value::Builtin(tb), Value::Builtin(cb)) = (&t, c)
        && name(*tb) == "bool"
        && name(*cb) == "int"
    {
        return true;
    }
    vm.is_exc_class(&t) && vm.subclass_of(&t, c)
}

fn round(vm: &mut Vm, x: &Value, nd: Option<Value>, l: Label) -> R<Value> {
    let nd = match nd {
        None => None,
        Some(Value::Int(i)) => Some(i),
        Some(o) => {
            let t = vm.type_name(&o);
            return vm.err(
                "TypeError",
                format!("'{t}' object cannot be interpreted as an integer"),
                l,
            );
        }
    };
    Ok(match (num(x), nd) {
        (Some(Num::I(i)), None) => Value::Int(i),
        (Some(Num::I(i)), Some(d)) if d >= 0 => Value::Int(i),
        (Some(Num::I(i)), Some(d)) => {
            let Some(p) = u32::try_from(d.unsigned_abs())
                .ok()
                .and_then(|e| 10i128.checked_pow(e))
            else {
                return Ok(Value::Int(0));
            };
            let i = i as i128;
            let q = i.div_euclid(p);
            let r = i.rem_euclid(p);
            let q = if r * 2 > p || (r * 2 == p && q % 2 != 0) {
                q + 1
            } else {
                q
            };
            match i64::try_from(q * p) {
                Ok(v) => Value::Int(v),
                Err(_) => return vm.err("OverflowError", crate::vm::ops::OVERFLOW, l),
            }
        }
        (Some(Num::F(f)), None) => {
            if !f.is_finite() {
                return vm.err(
                    "OverflowError",
                    "cannot convert float infinity to integer",
                    l,
                );
            }
            Value::Int(f.round_ties_even() as i64)
        }
        (Some(Num::F(f)), Some(d)) => {
            if d >= 0 {
                let s = format!("{:.*}", d.min(300) as usize, f);
                Value::Float(s.parse().unwrap_or(f))
            } else {
                let p = 10f64.powi(d.saturating_neg().min(400) as i32);
                Value::Float((f / p).round_ties_even() * p)
            }
        }
        _ => {
            let t = vm.type_name(x);
            return vm.err(
                "TypeError",
                format!("type {t} doesn't define __round__ method"),
                l,
            );
        }
    })
}

/// Stable sort with Python's comparison errors; keys come from `key` callbacks.
pub(crate) fn sort_slots(
    vm: &mut Vm,
    items: Vec<Slot>,
    key: Option<Slot>,
    rev: bool,
    l: Label,
) -> R<Vec<Slot>> {
    let mut keyed = vec![];
    for it in items {
        let k = match &key {
            Some(f) if !matches!(f.0, Value::None) => vm.call_sync(f, vec![it.clone()])?,
            _ => it.clone(),
        };
        keyed.push((k, it));
    }
    vm.charge(keyed.len() * 8)?;
    // Insertion-merge: a merge sort that can stop on the first comparison error.
    let mut idx: Vec<usize> = (0..keyed.len()).collect();
    let mut err = None;
    let mut width = 1;
    while width < idx.len() {
        let mut out = Vec::with_capacity(idx.len());
        for chunk in idx.chunks(2 * width) {
            let (a, b) = chunk.split_at(width.min(chunk.len()));
            let (mut i, mut j) = (0, 0);
            while i < a.len() && j < b.len() {
                let o = match vm.cmp_vals(&keyed[b[j]].0.0, &keyed[a[i]].0.0, "<", l.clone()) {
                    Ok(o) => o,
                    Err(e) => {
                        err = Some(e);
                        std::cmp::Ordering::Equal
                    }
                };
                let take_b = if rev {
                    o == std::cmp::Ordering::Greater
                } else {
                    o == std::cmp::Ordering::Less
                };
                if take_b {
                    out.push(b[j]);
                    j += 1;
                } else {
                    out.push(a[i]);
                    i += 1;
                }
            }
            out.extend_from_slice(&a[i..]);
            out.extend_from_slice(&b[j..]);
        }
        idx = out;
        width *= 2;
        if let Some(e) = err {
            return Err(e);
        }
    }
    Ok(idx.into_iter().map(|i| keyed[i].1.clone()).collect())
}

#[allow(dead_code)]
fn _class_unused(_: Class) {}
