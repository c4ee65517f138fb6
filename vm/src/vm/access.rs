//! Subscripts, attributes, unpacking and iteration. Access yields element ⊔ m(x) ⊔ own(x) ⊔ M(i);
//! inserts raise own(x) by m(x) ⊔ M(i) ⊔ [pc] and store v ⊔ [pc]; removals fold the removed
//! element into own(x).

use std::rc::Rc;

use super::ops::{Num, norm_index, num, range_items, range_len, slice_indices, slice_positions};
use super::{R, Vm};
use crate::bytecode::Reg;
use crate::label::Label;
use crate::value::{Class, IterState, Obj, Slot, Value};

fn int_of(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        Value::Bool(b) => Some(*b as i64),
        _ => None,
    }
}

fn opt_int(v: &Value) -> Result<Option<i64>, ()> {
    match v {
        Value::None => Ok(None),
        other => int_of(other).map(Some).ok_or(()),
    }
}

impl Vm {
    fn slice_pos(&mut self, s: &[Value; 3], n: usize, l: Label) -> R<Vec<usize>> {
        let (Ok(a), Ok(b), Ok(c)) = (opt_int(&s[0]), opt_int(&s[1]), opt_int(&s[2])) else {
            return self.err("TypeError", "slice indices must be integers or None", l);
        };
        match slice_positions(a, b, c, n) {
            Ok(p) => Ok(p),
            Err(m) => self.err("ValueError", m, l),
        }
    }

    pub(crate) fn get_item(&mut self, obj: Reg, idx: Reg) -> R<Slot> {
        let (x, xl) = self.slot(obj);
        let i = self.v(idx).clone();
        let il = self.m(idx);
        let own = self.own_of(&x);
        let acc = xl.join(own).join(&il);
        // A found element needs no failure label, and that label (M of the whole container)
        // is a walk of every element: look up lists and dicts first.
        if let Value::Ref(r) = &x {
            let found = match &self.heap.get(*r).obj {
                Obj::List(v) => int_of(&i)
                    .and_then(|k| norm_index(k, v.len()))
                    .map(|p| &v[p]),
                Obj::Dict(d) => self.hkey(&i).ok().and_then(|k| d.get(&k)).map(|e| &e.1),
                _ => None,
            };
            if let Some((v, l)) = found {
                return Ok((v.clone(), l.join(acc)));
            }
        }
        let el = self.m(obj).join(il);
        self.subscript(&x, &i, acc, el)
    }

    /// `acc` is m(x) ⊔ own(x) ⊔ M(i) (joined into the result); `el` labels a failure.
    pub(crate) fn subscript(&mut self, x: &Value, i: &Value, acc: Label, el: Label) -> R<Slot> {
        let tn = self.type_name(x);
        match x {
            Value::Str(s) => {
                if let Value::Slice(sl) = i {
                    let chars: Vec<char> = s.chars().collect();
                    let pos = self.slice_pos(sl, chars.len(), el)?;
                    let out: String = pos.into_iter().map(|p| chars[p]).collect();
                    return Ok((Value::Str(out.into()), acc));
                }
                let Some(k) = int_of(i) else {
                    let t = self.type_name(i);
                    return self.err(
                        "TypeError",
                        format!("string indices must be integers, not '{t}'"),
                        el,
                    );
                };
                let n = s.chars().count();
                match norm_index(k, n) {
                    Some(p) => Ok((
                        Value::Str(s.chars().nth(p).unwrap_or(' ').to_string().into()),
                        acc,
                    )),
                    None => self.err("IndexError", "string index out of range", el),
                }
            }
            Value::Tuple(t) => self.seq_get(t, i, acc, el, true),
            Value::Range(a, b, s) => {
                if let Value::Slice(sl) = i {
                    let (Ok(lo), Ok(hi), Ok(st)) =
                        (opt_int(&sl[0]), opt_int(&sl[1]), opt_int(&sl[2]))
                    else {
                        return self.err("TypeError", "slice indices must be integers or None", el);
                    };
                    let (start, stop, step) = match slice_indices(lo, hi, st, range_len(*a, *b, *s))
                    {
                        Ok(t) => t,
                        Err(m) => return self.err("ValueError", m, el),
                    };
                    // range(a, b, s)[i:j:k] is range(a + i*s, a + j*s, s*k), as in CPython.
                    let at = |k: i64| k.checked_mul(*s).and_then(|x| x.checked_add(*a));
                    return match (at(start), at(stop), s.checked_mul(step)) {
                        (Some(x), Some(y), Some(z)) => Ok((Value::Range(x, y, z), acc)),
                        _ => self.err("OverflowError", "range slice does not fit in 64 bits", el),
                    };
                }
                let Some(k) = int_of(i) else {
                    return self.err("TypeError", "range indices must be integers", el);
                };
                match norm_index(k, range_len(*a, *b, *s)) {
                    Some(p) => Ok((Value::Int(a + p as i64 * s), acc)),
                    None => self.err("IndexError", "range object index out of range", el),
                }
            }
            Value::Ref(r) => {
                let r = *r;
                match &self.heap.get(r).obj {
                    Obj::List(v) => {
                        let v = v.clone();
                        self.seq_get(&v, i, acc, el, false)
                    }
                    Obj::Dict(_) => {
                        let k = self.hkey_or_err(i, el.clone())?;
                        let Obj::Dict(d) = &self.heap.get(r).obj else {
                            unreachable!()
                        };
                        match d.get(&k) {
                            Some((_, (v, l))) => Ok((v.clone(), l.join(acc))),
                            None => {
                                let ex = self.new_exc("KeyError", "", el);
                                if let Value::Ref(e) = &ex
                                    && let Obj::Exception { args, .. } =
                                        &mut self.heap.get_mut(*e).obj
                                {
                                    *args = vec![(i.clone(), Label::BOTTOM)];
                                }
                                Err(super::Flow::Exc(ex))
                            }
                        }
                    }
                    Obj::Match { .. } => {
                        let l = acc;
                        crate::modules::re::method(
                            self,
                            r,
                            l,
                            "group",
                            vec![(i.clone(), Label::BOTTOM)],
                            vec![],
                        )
                    }
                    _ => self.err(
                        "TypeError",
                        format!("'{tn}' object is not subscriptable"),
                        el,
                    ),
                }
            }
            _ => self.err(
                "TypeError",
                format!("'{tn}' object is not subscriptable"),
                el,
            ),
        }
    }

    fn seq_get(&mut self, v: &[Slot], i: &Value, acc: Label, el: Label, tuple: bool) -> R<Slot> {
        let kind = if tuple { "tuple" } else { "list" };
        if let Value::Slice(sl) = i {
            let pos = self.slice_pos(sl, v.len(), el)?;
            let items: Vec<Slot> = pos.into_iter().map(|p| v[p].clone()).collect();
            if tuple {
                return Ok((Value::Tuple(Rc::new(items)), acc));
            }
            let r = self.alloc(acc.clone(), Obj::List(items))?;
            return Ok((Value::Ref(r), acc));
        }
        let Some(k) = int_of(i) else {
            let t = self.type_name(i);
            return self.err(
                "TypeError",
                format!("{kind} indices must be integers or slices, not {t}"),
                el,
            );
        };
        match norm_index(k, v.len()) {
            Some(p) => Ok((v[p].0.clone(), v[p].1.join(acc))),
            None => self.err("IndexError", format!("{kind} index out of range"), el),
        }
    }

    pub(crate) fn set_item(&mut self, obj: Reg, idx: Reg, src: Reg) -> R<()> {
        let (x, xl) = self.slot(obj);
        let i = self.v(idx).clone();
        let il = self.m(idx);
        let (v, vl) = self.slot(src);
        let sp = self.spc();
        let el = self.m(obj).join(&il);
        let Value::Ref(r) = x else {
            let t = self.type_name(&x);
            return self.err(
                "TypeError",
                format!("'{t}' object does not support item assignment"),
                el,
            );
        };
        match &self.heap.get(r).obj {
            Obj::List(items) => {
                let n = items.len();
                if let Value::Slice(sl) = &i {
                    let new = self.iterate(src)?;
                    let pos = self.slice_pos(sl, n, el.clone())?;
                    let Obj::List(items) = &mut self.heap.get_mut(r).obj else {
                        unreachable!()
                    };
                    let step1 = matches!(sl[2], Value::None) || int_of(&sl[2]) == Some(1);
                    if step1 {
                        let start = match opt_int(&sl[0]) {
                            Ok(Some(a)) => {
                                let a = if a < 0 {
                                    (a + n as i64).max(0)
                                } else {
                                    a.min(n as i64)
                                };
                                a as usize
                            }
                            _ => 0,
                        };
                        let end = pos.last().map(|p| p + 1).unwrap_or(start).max(start);
                        let removed: Vec<Slot> = items
                            .splice(start..end, new.into_iter().map(|(v, l)| (v, l.join(&sp))))
                            .collect();
                        let rl = removed
                            .iter()
                            .fold(Label::BOTTOM, |a, s| a.join(s.1.clone()));
                        self.heap
                            .get_mut(r)
                            .own
                            .join_in(xl.join(il).join(sp).join(rl));
                        return Ok(());
                    }
                    if new.len() != pos.len() {
                        return self.err(
                            "ValueError",
                            format!("attempt to assign sequence of size {} to extended slice of size {}", new.len(), pos.len()),
                            el,
                        );
                    }
                    for (p, (v, l)) in pos.into_iter().zip(new) {
                        items[p] = (v, l.join(&sp));
                    }
                    self.heap.get_mut(r).own.join_in(xl.join(il).join(sp));
                    return Ok(());
                }
                let Some(k) = int_of(&i) else {
                    let t = self.type_name(&i);
                    return self.err(
                        "TypeError",
                        format!("list indices must be integers or slices, not {t}"),
                        el,
                    );
                };
                let Some(p) = norm_index(k, n) else {
                    return self.err("IndexError", "list assignment index out of range", el);
                };
                let h = self.heap.get_mut(r);
                if let Obj::List(items) = &mut h.obj {
                    let old = &items[p].1.clone();
                    items[p] = (v, vl.join(&sp));
                    h.own.join_in(xl.join(il).join(sp).join(old));
                }
                Ok(())
            }
            Obj::Dict(_) => {
                self.dict_set(r, (i, il.join(&sp)), (v, vl.join(&sp)))?;
                self.heap.get_mut(r).own.join_in(xl.join(il).join(sp));
                Ok(())
            }
            _ => {
                let t = self.type_name(&Value::Ref(r));
                self.err(
                    "TypeError",
                    format!("'{t}' object does not support item assignment"),
                    el,
                )
            }
        }
    }

    pub(crate) fn del_item(&mut self, obj: Reg, idx: Reg) -> R<()> {
        let (x, xl) = self.slot(obj);
        let i = self.v(idx).clone();
        let il = self.m(idx);
        let sp = self.spc();
        let el = self.m(obj).join(&il);
        let Value::Ref(r) = x else {
            let t = self.type_name(&x);
            return self.err(
                "TypeError",
                format!("'{t}' object doesn't support item deletion"),
                el,
            );
        };
        let removed: Label;
        match &self.heap.get(r).obj {
            Obj::List(items) => {
                let n = items.len();
                let pos = if let Value::Slice(sl) = &i {
                    self.slice_pos(sl, n, el)?
                } else {
                    match int_of(&i).and_then(|k| norm_index(k, n)) {
                        Some(p) => vec![p],
                        None if int_of(&i).is_some() => {
                            return self.err(
                                "IndexError",
                                "list assignment index out of range",
                                el,
                            );
                        }
                        None => {
                            return self.err(
                                "TypeError",
                                "list indices must be integers or slices",
                                el,
                            );
                        }
                    }
                };
                let Obj::List(items) = &mut self.heap.get_mut(r).obj else {
                    unreachable!()
                };
                let mut sorted = pos;
                sorted.sort_unstable();
                let mut rl = Label::BOTTOM;
                for p in sorted.into_iter().rev() {
                    rl.join_in(items.remove(p).1);
                }
                removed = rl;
            }
            Obj::Dict(_) => {
                let k = self.hkey_or_err(&i, el.clone())?;
                let Obj::Dict(d) = &mut self.heap.get_mut(r).obj else {
                    unreachable!()
                };
                match d.shift_remove(&k) {
                    Some((kl, vl)) => removed = kl.1.join(&vl.1),
                    None => {
                        let ex = self.new_exc("KeyError", "", el);
                        if let Value::Ref(e) = &ex
                            && let Obj::Exception { args, .. } = &mut self.heap.get_mut(*e).obj
                        {
                            *args = vec![(i.clone(), Label::BOTTOM)];
                        }
                        return Err(super::Flow::Exc(ex));
                    }
                }
            }
            _ => {
                let t = self.type_name(&Value::Ref(r));
                return self.err(
                    "TypeError",
                    format!("'{t}' object doesn't support item deletion"),
                    el,
                );
            }
        }
        self.heap
            .get_mut(r)
            .own
            .join_in(removed.join(xl).join(il).join(sp));
        Ok(())
    }

    pub(crate) fn get_attr(&mut self, obj: Reg, name: &str) -> R<Slot> {
        let (x, xl) = self.slot(obj);
        let acc = xl.join(self.own_of(&x));
        let el = self.m(obj);
        match &x {
            Value::Ref(r) => match &self.heap.get(*r).obj {
                Obj::Instance { class, fields } => {
                    let Obj::Class(Class::Holder { fields: names, .. }) =
                        &self.heap.get(*class).obj
                    else {
                        return self.err("AttributeError", "bad instance", el);
                    };
                    if let Some(p) = names.iter().position(|(n, _)| &**n == name) {
                        let (v, l) = fields[p].clone();
                        return Ok((v, l.join(acc)));
                    }
                    if let Some(m) = self.holder_method(name) {
                        return Ok(m);
                    }
                    let cn = self.class_name(*class);
                    self.err(
                        "AttributeError",
                        format!("'{cn}' object has no attribute '{name}'"),
                        el,
                    )
                }
                Obj::Exception { args, .. } if name == "args" => {
                    Ok((Value::Tuple(Rc::new(args.clone())), acc))
                }
                Obj::Pattern { src, .. } if name == "pattern" => Ok((Value::Str(src.clone()), acc)),
                Obj::Pattern { flags, .. } if name == "flags" => Ok((Value::Int(*flags), acc)),
                Obj::Match { subject, .. } if name == "string" => {
                    Ok((Value::Str(subject.clone()), acc))
                }
                _ => Ok((
                    Value::Method(Rc::new((x.clone(), xl.clone(), name.into()))),
                    xl,
                )),
            },
            Value::Module(m) => {
                crate::modules::module_attr(self, *m, name).map(|v| (v, Label::BOTTOM))
            }
            Value::Dt(d) => crate::modules::datetime::attr(d, name, xl).map(|v| (v, acc)),
            Value::ModAttr(1, class) if !class.contains('.') => {
                let class = class.clone();
                crate::modules::datetime::class_attr(self, &class, name).map(|v| (v, Label::BOTTOM))
            }
            Value::None | Value::Bool(_) | Value::Int(_) | Value::Float(_) | Value::Builtin(_) => {
                if let (Value::Int(i), "real" | "numerator") = (&x, name) {
                    return Ok((Value::Int(*i), acc));
                }
                if let (Value::Int(_), "imag") = (&x, name) {
                    return Ok((Value::Int(0), acc));
                }
                if matches!(x, Value::Builtin(_)) && name == "__name__" {
                    return Ok((Value::Int(0), acc));
                }
                if let Value::Builtin(_) = x {
                    // Classmethods like dict.fromkeys, str.join used unbound.
                    return Ok((
                        Value::Method(Rc::new((x.clone(), xl.clone(), name.into()))),
                        xl,
                    ));
                }
                if matches!(x, Value::Int(_) | Value::Float(_) | Value::Bool(_)) {
                    return Ok((
                        Value::Method(Rc::new((x.clone(), xl.clone(), name.into()))),
                        xl,
                    ));
                }
                let t = self.type_name(&x);
                self.err(
                    "AttributeError",
                    format!("'{t}' object has no attribute '{name}'"),
                    el,
                )
            }
            _ => Ok((
                Value::Method(Rc::new((x.clone(), xl.clone(), name.into()))),
                xl,
            )),
        }
    }

    fn holder_method(&self, _name: &str) -> Option<Slot> {
        None
    }

    pub(crate) fn set_attr(&mut self, obj: Reg, name: &str, src: Reg) -> R<()> {
        let (x, xl) = self.slot(obj);
        let (v, vl) = self.slot(src);
        let sp = self.spc();
        let el = self.m(obj);
        if let Value::Ref(r) = &x
            && let Obj::Instance { class, .. } = &self.heap.get(*r).obj
        {
            let class = *class;
            let Obj::Class(Class::Holder { fields: names, .. }) = &self.heap.get(class).obj else {
                return self.err("AttributeError", "bad instance", el);
            };
            if let Some(p) = names.iter().position(|(n, _)| &**n == name) {
                let h = self.heap.get_mut(*r);
                if let Obj::Instance { fields, .. } = &mut h.obj {
                    let old = &fields[p].1.clone();
                    fields[p] = (v, vl.join(&sp));
                    h.own.join_in(xl.join(sp).join(old));
                }
                return Ok(());
            }
            let cn = self.class_name(class);
            return self.err(
                "AttributeError",
                format!("'{cn}' object has no attribute '{name}'"),
                el,
            );
        }
        let t = self.type_name(&x);
        self.err(
            "AttributeError",
            format!("'{t}' object attribute '{name}' is read-only"),
            el,
        )
    }

    pub(crate) fn unpack(&mut self, src: Reg, dst: Reg, n: u16, star: Option<u16>) -> R<()> {
        let items = self.iterate(src)?;
        let el = self.m(src);
        let n = n as usize;
        match star {
            None => {
                if items.len() < n {
                    return self.err(
                        "ValueError",
                        format!(
                            "not enough values to unpack (expected {n}, got {})",
                            items.len()
                        ),
                        el,
                    );
                }
                if items.len() > n {
                    return self.err(
                        "ValueError",
                        format!("too many values to unpack (expected {n})"),
                        el,
                    );
                }
                for (i, (v, l)) in items.into_iter().enumerate() {
                    self.set(dst + i as u16, v, l);
                }
            }
            Some(s) => {
                let s = s as usize;
                if items.len() < n - 1 {
                    return self.err(
                        "ValueError",
                        format!(
                            "not enough values to unpack (expected at least {}, got {})",
                            n - 1,
                            items.len()
                        ),
                        el,
                    );
                }
                let after = n - 1 - s;
                let mid_end = items.len() - after;
                for (i, it) in items[..s].iter().enumerate() {
                    self.set(dst + i as u16, it.0.clone(), it.1.clone());
                }
                let mid: Vec<Slot> = items[s..mid_end].to_vec();
                let r = self.alloc(Label::BOTTOM, Obj::List(mid))?;
                let xl = self.l(src);
                self.set(dst + s as u16, Value::Ref(r), xl);
                for (i, it) in items[mid_end..].iter().enumerate() {
                    self.set(dst + (s + 1 + i) as u16, it.0.clone(), it.1.clone());
                }
            }
        }
        Ok(())
    }

    /// The elements of an iterable with access labels (element ⊔ m(x) ⊔ own(x)).
    pub(crate) fn iterate(&mut self, src: Reg) -> R<Vec<Slot>> {
        let (v, l) = self.slot(src);
        self.iter_value(&v, l)
    }

    pub(crate) fn iter_value(&mut self, v: &Value, l: Label) -> R<Vec<Slot>> {
        let acc = l.join(self.own_of(v));
        let out: Vec<Slot> = match v {
            Value::Str(s) => s
                .chars()
                .map(|c| (Value::Str(c.to_string().into()), acc.clone()))
                .collect(),
            Value::Tuple(t) => t
                .iter()
                .map(|(x, xl)| (x.clone(), xl.join(acc.clone())))
                .collect(),
            Value::Range(a, b, s) => {
                let n = range_len(*a, *b, *s);
                self.check_len(n)?;
                range_items(*a, *b, *s, n)
                    .into_iter()
                    .map(|i| (Value::Int(i), acc.clone()))
                    .collect()
            }
            Value::Ref(r) => match &self.heap.get(*r).obj {
                Obj::List(x) => x
                    .iter()
                    .map(|(x, xl)| (x.clone(), xl.join(acc.clone())))
                    .collect(),
                Obj::Dict(d) => d
                    .values()
                    .map(|(k, _)| (k.0.clone(), k.1.join(acc.clone())))
                    .collect(),
                Obj::Set(s) => s
                    .values()
                    .map(|(x, xl)| (x.clone(), xl.join(acc.clone())))
                    .collect(),
                Obj::Iter(IterState::Items(x, i)) => x[*i..].to_vec(),
                _ => {
                    let t = self.type_name(v);
                    return self.err("TypeError", format!("'{t}' object is not iterable"), l);
                }
            },
            _ => {
                let t = self.type_name(v);
                return self.err("TypeError", format!("'{t}' object is not iterable"), l);
            }
        };
        self.charge(out.len())?;
        Ok(out)
    }

    pub(crate) fn make_iter(&mut self, src: Reg) -> R<IterState> {
        let (v, l) = self.slot(src);
        match &v {
            Value::Range(a, b, s) => Ok(IterState::Range(*a, *b, *s)),
            Value::Ref(r) if matches!(self.heap.get(*r).obj, Obj::List(_)) => {
                Ok(IterState::List(*r, 0))
            }
            _ => {
                let items = self.iter_value(&v, Label::BOTTOM)?;
                let _ = l;
                Ok(IterState::Items(items, 0))
            }
        }
    }

    /// `**x` / `dict.update(x)`: key and value slots with access labels.
    pub(crate) fn dict_pairs(&mut self, src: Reg) -> R<Vec<(Slot, Slot)>> {
        let (v, l) = self.slot(src);
        self.pairs_of(&v, l)
    }

    pub(crate) fn pairs_of(&mut self, v: &Value, l: Label) -> R<Vec<(Slot, Slot)>> {
        let acc = l.join(self.own_of(v));
        if let Value::Ref(r) = v
            && let Obj::Dict(d) = &self.heap.get(*r).obj
        {
            return Ok(d
                .values()
                .map(|(k, x)| {
                    (
                        (k.0.clone(), k.1.join(acc.clone())),
                        (x.0.clone(), x.1.join(acc.clone())),
                    )
                })
                .collect());
        }
        // An iterable of pairs.
        let items = self.iter_value(v, l.clone())?;
        let mut out = vec![];
        for (it, il) in items {
            let pair = self.iter_value(&it, il)?;
            if pair.len() != 2 {
                return self.err(
                    "ValueError",
                    format!(
                        "dictionary update sequence element has length {}; 2 is required",
                        pair.len()
                    ),
                    l,
                );
            }
            out.push((pair[0].clone(), pair[1].clone()));
        }
        Ok(out)
    }

    pub(crate) fn dict_set(&mut self, r: u32, k: Slot, v: Slot) -> R<()> {
        let key = self.hkey_or_err(&k.0, k.1.clone())?;
        let limit = self.limits.collection_len;
        let Obj::Dict(d) = &mut self.heap.get_mut(r).obj else {
            return Ok(());
        };
        match d.get_mut(&key) {
            Some(e) => e.1 = v,
            None => {
                if d.len() >= limit {
                    return Err(self.limit("collection size"));
                }
                d.insert(key, (k, v));
                self.heap.bytes += 112;
                if self.heap.bytes > self.limits.heap_bytes {
                    return Err(self.limit("heap"));
                }
            }
        }
        Ok(())
    }

    pub(crate) fn set_add(&mut self, r: u32, v: Value, l: Label) -> R<()> {
        let key = self.hkey_or_err(&v, l.clone())?;
        let Obj::Set(s) = &mut self.heap.get_mut(r).obj else {
            return Ok(());
        };
        if !s.contains_key(&key) {
            s.insert(key, (v, l));
            self.heap.bytes += 64;
            if self.heap.bytes > self.limits.heap_bytes {
                return Err(self.limit("heap"));
            }
        }
        Ok(())
    }

    pub(crate) fn format_value(&mut self, src: Reg, conv: u8, spec: Option<Reg>) -> R<Slot> {
        let (v, _) = self.slot(src);
        let mut l = self.m(src);
        let spec_s = match spec {
            Some(s) => {
                l.join_in(self.m(s));
                match self.v(s) {
                    Value::Str(x) => String::from(&**x),
                    _ => String::new(),
                }
            }
            None => String::new(),
        };
        let text = match conv {
            b's' => Some(self.str_of(&v)),
            b'r' => Some(self.repr_of(&v)),
            b'a' => Some(crate::builtins::format::ascii(&self.repr_of(&v))),
            _ => None,
        };
        let out = match text {
            Some(t) => self.format_spec(&Value::Str(t.into()), &spec_s, l.clone())?,
            None => self.format_spec(&v, &spec_s, l.clone())?,
        };
        Ok((self.mkstr(out)?, l))
    }

    pub(crate) fn str_reg(&mut self, r: Reg) -> R<String> {
        let v = self.v(r).clone();
        Ok(self.str_of(&v))
    }

    #[allow(dead_code)]
    pub(crate) fn num_of(&self, v: &Value) -> Option<Num> {
        num(v)
    }
}
