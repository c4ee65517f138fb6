//! Methods of str, list, tuple, dict and set. Label rules: results ⊔ M(receiver, arguments);
//! inserts raise own(x) by m(x) ⊔ [pc] and store v ⊔ [pc]; removals and reorders fold what they
//! touched into own(x); accesses (`get`, `pop`) give element ⊔ m(x) ⊔ own(x) ⊔ M(arguments).

use std::rc::Rc;

use super::{Kw, arity, deep_all, new_list, sort_slots};
use crate::label::Label;
use crate::value::{HKey, Obj, Slot, Value};
use crate::vm::ops::norm_index;
use crate::vm::{R, Vm};

pub(crate) fn kwarg(kw: &mut Kw, n: &str) -> Option<Slot> {
    let i = kw.iter().position(|(k, _)| &**k == n)?;
    Some(kw.remove(i).1)
}

fn no_such(vm: &mut Vm, recv: &Value, name: &str, l: Label) -> R<Slot> {
    let t = vm.type_name(recv);
    vm.err(
        "AttributeError",
        format!("'{t}' object has no attribute '{name}'"),
        l,
    )
}

pub(crate) fn call_method(vm: &mut Vm, recv: Slot, name: &str, args: Vec<Slot>, kw: Kw) -> R<Slot> {
    let (rv, rl) = recv.clone();
    match &rv {
        Value::Str(s) => super::str_methods::str_method(vm, s.clone(), rl, name, args, kw),
        Value::Tuple(t) => {
            let l = vm.heap.deep(&rv, rl).join(deep_all(vm, &args, &kw));
            let items = t.to_vec();
            match name {
                "count" | "index" => seq_query(vm, &items, name, &args, l, true),
                _ => no_such(vm, &rv, name, l),
            }
        }
        Value::Ref(r) => {
            let r = *r;
            match &vm.heap.get(r).obj {
                Obj::List(_) => list_method(vm, r, rl, name, args, kw),
                Obj::Dict(_) => dict_method(vm, r, rl, name, args, kw),
                Obj::Set(_) => set_method(vm, r, rl, name, args, kw),
                Obj::Pattern { .. } | Obj::Match { .. } => {
                    crate::modules::re::method(vm, r, rl, name, args, kw)
                }
                _ => {
                    let l = vm.heap.deep(&rv, rl);
                    no_such(vm, &rv, name, l)
                }
            }
        }
        Value::Dt(d) => {
            let l = rl.join(deep_all(vm, &args, &kw));
            crate::modules::datetime::method(vm, *d, name, args, kw, l)
        }
        Value::Float(x) if name == "is_integer" => Ok((Value::Bool(x.fract() == 0.0), rl)),
        Value::Int(i) if name == "bit_length" => {
            Ok((Value::Int(64 - i.unsigned_abs().leading_zeros() as i64), rl))
        }
        Value::Builtin(b) if super::name(*b) == "dict" && name == "fromkeys" => {
            let l = deep_all(vm, &args, &kw);
            let d = vm.alloc(Label::BOTTOM, Obj::Dict(Default::default()))?;
            let keys = match args.first() {
                Some((v, vl)) => vm.iter_value(v, vl.clone())?,
                None => vec![],
            };
            let dv = args.get(1).cloned().unwrap_or((Value::None, Label::BOTTOM));
            for k in keys {
                vm.dict_set(d, k, dv.clone())?;
            }
            Ok((Value::Ref(d), l))
        }
        Value::Builtin(b) if super::name(*b) == "str" => {
            // str.join(sep, items), str.upper(s)...
            let mut it = args.into_iter();
            match it.next() {
                Some((Value::Str(s), sl)) => {
                    super::str_methods::str_method(vm, s, sl, name, it.collect(), kw)
                }
                _ => vm.err(
                    "TypeError",
                    format!("descriptor '{name}' requires a 'str' object"),
                    rl,
                ),
            }
        }
        _ => {
            let l = vm.heap.deep(&rv, rl);
            no_such(vm, &rv, name, l)
        }
    }
}

/// index/count shared by list and tuple.
fn seq_query(
    vm: &mut Vm,
    items: &[Slot],
    name: &str,
    args: &[Slot],
    l: Label,
    tuple: bool,
) -> R<Slot> {
    match name {
        "count" => {
            arity(vm, name, args, 1, 1, l.clone())?;
            let n = items.iter().filter(|(x, _)| vm.eq(x, &args[0].0)).count();
            Ok((Value::Int(n as i64), l))
        }
        "index" => {
            arity(vm, name, args, 1, 3, l.clone())?;
            let n = items.len() as i64;
            let bound = |v: Option<&Slot>, d: i64| match v.map(|s| &s.0) {
                Some(Value::Int(i)) => {
                    let i = if *i < 0 { (i + n).max(0) } else { (*i).min(n) };
                    i as usize
                }
                _ => d as usize,
            };
            let (a, b) = (bound(args.get(1), 0), bound(args.get(2), n));
            for (i, (x, _)) in items.iter().enumerate().take(b).skip(a) {
                if vm.eq(x, &args[0].0) {
                    return Ok((Value::Int(i as i64), l));
                }
            }
            if tuple {
                return vm.err("ValueError", "tuple.index(x): x not in tuple", l);
            }
            let what = vm.repr_of(&args[0].0);
            vm.err("ValueError", format!("{what} is not in list"), l)
        }
        _ => vm.err("AttributeError", "no such method", l),
    }
}

fn list_method(vm: &mut Vm, r: u32, rl: Label, name: &str, args: Vec<Slot>, mut kw: Kw) -> R<Slot> {
    let sp = vm.spc();
    let argl = deep_all(vm, &args, &kw);
    // Only the methods that read every element clone them or compute the deep label.
    let items = |vm: &Vm| match &vm.heap.get(r).obj {
        Obj::List(v) => v.clone(),
        _ => vec![],
    };
    let n_items = match &vm.heap.get(r).obj {
        Obj::List(v) => v.len(),
        _ => 0,
    };
    let own = &vm.heap.get(r).own.clone();
    let whole = if matches!(name, "append" | "extend" | "insert") {
        rl.join(own).join(&argl)
    } else {
        vm.heap.deep(&Value::Ref(r), rl.clone()).join(&argl)
    };
    macro_rules! list_mut {
        () => {
            match &mut vm.heap.get_mut(r).obj {
                Obj::List(v) => v,
                _ => unreachable!(),
            }
        };
    }
    let none = (Value::None, Label::BOTTOM);
    match name {
        "append" => {
            arity(vm, name, &args, 1, 1, whole)?;
            vm.check_len(n_items + 1)?;
            let (v, l) = args[0].clone();
            list_mut!().push((v, l.join(&sp)));
            vm.heap.bytes += 48;
            vm.heap.get_mut(r).own.join_in(rl.join(sp));
            Ok(none)
        }
        "extend" => {
            arity(vm, name, &args, 1, 1, whole)?;
            let new = vm.iter_value(&args[0].0, args[0].1.clone())?;
            vm.check_len(n_items + new.len())?;
            vm.heap.bytes += 48 * new.len();
            list_mut!().extend(new.into_iter().map(|(v, l)| (v, l.join(&sp))));
            let al = vm.heap.deep(&args[0].0, Label::BOTTOM);
            vm.heap.get_mut(r).own.join_in(rl.join(sp).join(al));
            Ok(none)
        }
        "insert" => {
            arity(vm, name, &args, 2, 2, whole.clone())?;
            let Value::Int(i) = args[0].0 else {
                return vm.err("TypeError", "list indices must be integers", whole);
            };
            let n = n_items as i64;
            let p = if i < 0 { (i + n).max(0) } else { i.min(n) } as usize;
            let (v, l) = args[1].clone();
            list_mut!().insert(p, (v, l.join(&sp)));
            vm.heap
                .get_mut(r)
                .own
                .join_in(rl.join(sp).join(args[0].1.clone()));
            Ok(none)
        }
        "pop" => {
            arity(vm, name, &args, 0, 1, whole.clone())?;
            let i = match args.first().map(|s| &s.0) {
                None => -1,
                Some(Value::Int(i)) => *i,
                Some(_) => return vm.err("TypeError", "list indices must be integers", whole),
            };
            if n_items == 0 {
                return vm.err("IndexError", "pop from empty list", whole);
            }
            let Some(p) = norm_index(i, n_items) else {
                return vm.err("IndexError", "pop index out of range", whole);
            };
            let (v, l) = list_mut!().remove(p);
            let res = l.join(&rl).join(own).join(&argl);
            vm.heap
                .get_mut(r)
                .own
                .join_in(l.join(rl).join(argl).join(sp));
            Ok((v, res))
        }
        "remove" => {
            arity(vm, name, &args, 1, 1, whole.clone())?;
            let items = items(vm);
            match items.iter().position(|(x, _)| vm.eq(x, &args[0].0)) {
                Some(p) => {
                    let (_, l) = list_mut!().remove(p);
                    vm.heap
                        .get_mut(r)
                        .own
                        .join_in(l.join(rl).join(whole).join(sp));
                    Ok(none)
                }
                None => vm.err("ValueError", "list.remove(x): x not in list", whole),
            }
        }
        "clear" => {
            list_mut!().clear();
            vm.heap.get_mut(r).own.join_in(whole.join(sp));
            Ok(none)
        }
        "reverse" => {
            list_mut!().reverse();
            vm.heap.get_mut(r).own.join_in(whole.join(sp));
            Ok(none)
        }
        "sort" => {
            let key = kwarg(&mut kw, "key");
            let rev = kwarg(&mut kw, "reverse")
                .map(|s| vm.truth(&s.0))
                .unwrap_or(false);
            arity(vm, name, &args, 0, 0, whole.clone())?;
            let items = items(vm);
            let sorted = sort_slots(vm, items, key, rev, whole.clone())?;
            *list_mut!() = sorted;
            vm.heap.get_mut(r).own.join_in(whole.join(sp));
            Ok(none)
        }
        "copy" => {
            let items = items(vm);
            let v = new_list(vm, items, own.clone())?;
            Ok((v, rl.join(argl)))
        }
        "count" | "index" => {
            let items = items(vm);
            seq_query(vm, &items, name, &args, whole, false)
        }
        _ => no_such(vm, &Value::Ref(r), name, whole),
    }
}

fn dict_method(vm: &mut Vm, r: u32, rl: Label, name: &str, args: Vec<Slot>, kw: Kw) -> R<Slot> {
    let sp = vm.spc();
    let argl = deep_all(vm, &args, &kw);
    let own = &vm.heap.get(r).own.clone();
    let acc = rl.join(own).join(&argl);
    let whole = if matches!(name, "get" | "setdefault" | "update" | "pop") {
        rl.join(own).join(&argl)
    } else {
        vm.heap.deep(&Value::Ref(r), rl.clone()).join(&argl)
    };
    let entries = |vm: &Vm| -> Vec<(Slot, Slot)> {
        match &vm.heap.get(r).obj {
            Obj::Dict(d) => d.values().cloned().collect(),
            _ => vec![],
        }
    };
    let none = (Value::None, Label::BOTTOM);
    let key_of = |vm: &mut Vm, s: &Slot| -> R<HKey> { vm.hkey_or_err(&s.0, s.1.join(&whole)) };
    match name {
        "get" => {
            arity(vm, name, &args, 1, 2, whole.clone())?;
            let k = key_of(vm, &args[0])?;
            let Obj::Dict(d) = &vm.heap.get(r).obj else {
                unreachable!()
            };
            match d.get(&k) {
                Some((_, (v, l))) => Ok((v.clone(), l.join(acc))),
                None => {
                    let (v, l) = args.get(1).cloned().unwrap_or((Value::None, Label::BOTTOM));
                    Ok((v, l.join(acc)))
                }
            }
        }
        "keys" | "values" | "items" => {
            let mut out: Vec<Slot> = vec![];
            for (k, v) in entries(vm) {
                out.push(match name {
                    "keys" => k,
                    "values" => v,
                    _ => (vm.mk_tuple(vec![k, v])?, Label::BOTTOM),
                });
            }
            let v = new_list(vm, out, own.clone())?;
            Ok((v, rl.join(argl)))
        }
        "update" => {
            arity(vm, name, &args, 0, 1, whole)?;
            if let Some((v, vl)) = args.first() {
                for (k, x) in vm.pairs_of(v, vl.clone())? {
                    vm.dict_set(r, (k.0, k.1.join(&sp)), (x.0, x.1.join(&sp)))?;
                }
            }
            for (k, x) in kw {
                vm.dict_set(r, (Value::Str(k), sp.clone()), (x.0, x.1.join(&sp)))?;
            }
            vm.heap.get_mut(r).own.join_in(rl.join(sp));
            Ok(none)
        }
        "pop" => {
            arity(vm, name, &args, 1, 2, whole.clone())?;
            let k = key_of(vm, &args[0])?;
            let Obj::Dict(d) = &mut vm.heap.get_mut(r).obj else {
                unreachable!()
            };
            match d.shift_remove(&k) {
                Some((kk, (v, l))) => {
                    vm.heap
                        .get_mut(r)
                        .own
                        .join_in(l.join(&kk.1).join(rl).join(argl).join(sp));
                    Ok((v, l.join(acc)))
                }
                None => match args.get(1) {
                    Some((v, l)) => Ok((v.clone(), l.join(acc))),
                    None => {
                        let ex = vm.new_exc("KeyError", "", whole);
                        if let Value::Ref(e) = &ex
                            && let Obj::Exception { args: a, .. } = &mut vm.heap.get_mut(*e).obj
                        {
                            *a = vec![(args[0].0.clone(), Label::BOTTOM)];
                        }
                        Err(crate::vm::Flow::Exc(ex))
                    }
                },
            }
        }
        "popitem" => {
            let Obj::Dict(d) = &mut vm.heap.get_mut(r).obj else {
                unreachable!()
            };
            match d.pop() {
                Some((_, (k, v))) => {
                    let l = k.1.join(&v.1);
                    vm.heap.get_mut(r).own.join_in(l.join(rl).join(sp));
                    Ok((Value::Tuple(Rc::new(vec![k, v])), acc))
                }
                None => vm.err("KeyError", "popitem(): dictionary is empty", whole),
            }
        }
        "setdefault" => {
            arity(vm, name, &args, 1, 2, whole.clone())?;
            let k = key_of(vm, &args[0])?;
            let Obj::Dict(d) = &vm.heap.get(r).obj else {
                unreachable!()
            };
            if let Some((_, (v, l))) = d.get(&k) {
                return Ok((v.clone(), l.join(acc)));
            }
            let (v, l) = args.get(1).cloned().unwrap_or((Value::None, Label::BOTTOM));
            vm.dict_set(
                r,
                (args[0].0.clone(), args[0].1.join(&sp)),
                (v.clone(), l.join(&sp)),
            )?;
            vm.heap.get_mut(r).own.join_in(rl.join(sp));
            Ok((v, l.join(acc)))
        }
        "clear" => {
            let Obj::Dict(d) = &mut vm.heap.get_mut(r).obj else {
                unreachable!()
            };
            d.clear();
            vm.heap.get_mut(r).own.join_in(whole.join(sp));
            Ok(none)
        }
        "copy" => {
            let Obj::Dict(d) = vm.heap.get(r).obj.clone() else {
                unreachable!()
            };
            let n = vm.alloc(own.clone(), Obj::Dict(d))?;
            Ok((Value::Ref(n), rl.join(argl)))
        }
        _ => no_such(vm, &Value::Ref(r), name, whole),
    }
}

fn set_method(vm: &mut Vm, r: u32, rl: Label, name: &str, args: Vec<Slot>, kw: Kw) -> R<Slot> {
    let sp = vm.spc();
    let argl = deep_all(vm, &args, &kw);
    let own = &vm.heap.get(r).own.clone();
    let whole = if matches!(name, "add" | "update") {
        rl.join(own).join(&argl)
    } else {
        vm.heap.deep(&Value::Ref(r), rl.clone()).join(&argl)
    };
    let none = (Value::None, Label::BOTTOM);
    let keys = |vm: &Vm, r: u32| -> Vec<HKey> {
        match &vm.heap.get(r).obj {
            Obj::Set(s) => s.keys().cloned().collect(),
            _ => vec![],
        }
    };
    match name {
        "add" => {
            arity(vm, name, &args, 1, 1, whole)?;
            vm.set_add(r, args[0].0.clone(), args[0].1.join(&sp))?;
            vm.heap.get_mut(r).own.join_in(rl.join(sp));
            Ok(none)
        }
        "update" => {
            for (v, vl) in &args {
                for (x, xl) in vm.iter_value(v, vl.clone())? {
                    vm.set_add(r, x, xl.join(&sp))?;
                }
            }
            vm.heap.get_mut(r).own.join_in(rl.join(sp));
            Ok(none)
        }
        "remove" | "discard" => {
            arity(vm, name, &args, 1, 1, whole.clone())?;
            let k = vm.hkey_or_err(&args[0].0, whole.clone())?;
            let Obj::Set(s) = &mut vm.heap.get_mut(r).obj else {
                unreachable!()
            };
            match s.shift_remove(&k) {
                Some((_, l)) => {
                    vm.heap
                        .get_mut(r)
                        .own
                        .join_in(l.join(rl).join(argl).join(sp));
                    Ok(none)
                }
                None if name == "discard" => Ok(none),
                None => {
                    let ex = vm.new_exc("KeyError", "", whole);
                    if let Value::Ref(e) = &ex
                        && let Obj::Exception { args: a, .. } = &mut vm.heap.get_mut(*e).obj
                    {
                        *a = vec![(args[0].0.clone(), Label::BOTTOM)];
                    }
                    Err(crate::vm::Flow::Exc(ex))
                }
            }
        }
        "pop" => {
            let Obj::Set(s) = &mut vm.heap.get_mut(r).obj else {
                unreachable!()
            };
            match s.shift_remove_index(0) {
                Some((_, (v, l))) => {
                    vm.heap.get_mut(r).own.join_in(l.join(&rl).join(sp));
                    Ok((v, l.join(rl).join(own)))
                }
                None => vm.err("KeyError", "pop from an empty set", whole),
            }
        }
        "clear" => {
            let Obj::Set(s) = &mut vm.heap.get_mut(r).obj else {
                unreachable!()
            };
            s.clear();
            vm.heap.get_mut(r).own.join_in(whole.join(sp));
            Ok(none)
        }
        "intersection_update" | "difference_update" | "symmetric_difference_update" => {
            // In place: compute the non-mutating result, then swap it in.
            let base = name.trim_end_matches("_update");
            let (res, _) = set_method(vm, r, rl, base, args, kw)?;
            let Value::Ref(n) = res else { unreachable!() };
            let Obj::Set(out) = vm.heap.get(n).obj.clone() else {
                unreachable!()
            };
            vm.heap.get_mut(r).obj = Obj::Set(out);
            vm.heap.get_mut(r).own.join_in(whole.join(sp));
            Ok(none)
        }
        "copy" | "union" | "intersection" | "difference" | "symmetric_difference" => {
            let Obj::Set(base) = vm.heap.get(r).obj.clone() else {
                unreachable!()
            };
            let mut out = base;
            for (v, vl) in &args {
                let other: Vec<Slot> = vm.iter_value(v, vl.clone())?;
                let mut ok = indexmap::IndexMap::new();
                for (x, xl) in other {
                    let k = vm.hkey_or_err(&x, xl.clone())?;
                    ok.insert(k, (x, xl));
                }
                out = match name {
                    "union" => {
                        for (k, s) in ok {
                            out.entry(k).or_insert(s);
                        }
                        out
                    }
                    "intersection" => out
                        .into_iter()
                        .filter(|(k, _)| ok.contains_key(k))
                        .collect(),
                    "difference" => out
                        .into_iter()
                        .filter(|(k, _)| !ok.contains_key(k))
                        .collect(),
                    _ => {
                        let mut res: indexmap::IndexMap<HKey, Slot> = out
                            .clone()
                            .into_iter()
                            .filter(|(k, _)| !ok.contains_key(k))
                            .collect();
                        for (k, s) in ok {
                            if !out.contains_key(&k) {
                                res.insert(k, s);
                            }
                        }
                        res
                    }
                };
            }
            let n = vm.alloc(own.join(&argl), Obj::Set(out))?;
            Ok((Value::Ref(n), rl.join(argl)))
        }
        "issubset" | "issuperset" | "isdisjoint" => {
            arity(vm, name, &args, 1, 1, whole.clone())?;
            let mine = keys(vm, r);
            let other: Vec<HKey> = vm
                .iter_value(&args[0].0, args[0].1.clone())?
                .iter()
                .filter_map(|(x, _)| vm.hkey(x).ok())
                .collect();
            let res = match name {
                "issubset" => mine.iter().all(|k| other.contains(k)),
                "issuperset" => other.iter().all(|k| mine.contains(k)),
                _ => !mine.iter().any(|k| other.contains(k)),
            };
            Ok((Value::Bool(res), whole))
        }
        _ => no_such(vm, &Value::Ref(r), name, whole),
    }
}
