//! Operators, comparisons, equality, hashing, subscripts, attributes and iteration, with the
//! label rules of planner.md §4 (operators: ⊔ M(inputs); access: element ⊔ m(x) ⊔ own(x) ⊔ M(i)).

use std::cmp::Ordering;
use std::rc::Rc;

use super::{R, Vm};
use crate::builtins::names;
use crate::bytecode::{CmpOp, Reg, UnOp};
use crate::label::Label;
use crate::value::{Class, HKey, Obj, Slot, Value};

#[derive(Clone, Copy)]
pub(crate) enum Num {
    I(i64),
    F(f64),
}

pub(crate) fn num(v: &Value) -> Option<Num> {
    match v {
        Value::Bool(b) => Some(Num::I(*b as i64)),
        Value::Int(i) => Some(Num::I(*i)),
        Value::Float(f) => Some(Num::F(*f)),
        _ => None,
    }
}

fn f(n: Num) -> f64 {
    match n {
        Num::I(i) => i as f64,
        Num::F(x) => x,
    }
}

pub(crate) const OVERFLOW: &str = "integer result does not fit in 64 bits";

/// Python's index normalisation for a sequence of length `n`.
pub(crate) fn norm_index(i: i64, n: usize) -> Option<usize> {
    let n = n as i64;
    let j = if i < 0 { i + n } else { i };
    if j < 0 || j >= n {
        None
    } else {
        Some(j as usize)
    }
}

/// Python's `slice.indices(n)`: the clamped start, stop and step.
pub(crate) fn slice_indices(
    lo: Option<i64>,
    hi: Option<i64>,
    step: Option<i64>,
    n: usize,
) -> Result<(i64, i64, i64), &'static str> {
    let n = n as i64;
    let step = step.unwrap_or(1);
    if step == 0 {
        return Err("slice step cannot be zero");
    }
    let clamp = |v: i64, lo_b: i64, hi_b: i64| -> i64 {
        let v = if v < 0 { v.saturating_add(n) } else { v };
        v.clamp(lo_b, hi_b)
    };
    Ok(if step > 0 {
        let start = lo.map(|v| clamp(v, 0, n)).unwrap_or(0);
        let stop = hi.map(|v| clamp(v, 0, n)).unwrap_or(n);
        (start, stop, step)
    } else {
        let start = lo.map(|v| clamp(v, -1, n - 1)).unwrap_or(n - 1);
        let stop = hi.map(|v| clamp(v, -1, n - 1)).unwrap_or(-1);
        (start, stop, step)
    })
}

/// The positions a slice selects.
pub(crate) fn slice_positions(
    lo: Option<i64>,
    hi: Option<i64>,
    step: Option<i64>,
    n: usize,
) -> Result<Vec<usize>, &'static str> {
    let (start, stop, step) = slice_indices(lo, hi, step, n)?;
    let mut out = vec![];
    let mut i = start;
    while (step > 0 && i < stop) || (step < 0 && i > stop) {
        out.push(i as usize);
        match i.checked_add(step) {
            Some(x) => i = x,
            None => break,
        }
    }
    Ok(out)
}

impl Vm {
    pub(crate) fn type_name(&self, v: &Value) -> String {
        match v {
            Value::Undef => "undefined".into(),
            Value::None => "NoneType".into(),
            Value::Bool(_) => "bool".into(),
            Value::Int(_) => "int".into(),
            Value::Float(_) => "float".into(),
            Value::Str(_) => "str".into(),
            Value::Tuple(_) => "tuple".into(),
            Value::Range(..) => "range".into(),
            Value::Slice(_) => "slice".into(),
            Value::Builtin(b) => {
                if (*b as usize) < 31
                    && !matches!(
                        names::name(*b),
                        "abs"
                            | "all"
                            | "any"
                            | "chr"
                            | "divmod"
                            | "enumerate"
                            | "filter"
                            | "format"
                            | "isinstance"
                            | "len"
                            | "map"
                            | "max"
                            | "min"
                            | "ord"
                            | "print"
                            | "repr"
                            | "reversed"
                            | "round"
                            | "sorted"
                            | "sum"
                            | "zip"
                    )
                    || names::is_exception(*b)
                    || matches!(
                        names::name(*b),
                        "NoneType"
                            | "function"
                            | "builtin_function_or_method"
                            | "module"
                            | "method"
                            | "slice"
                            | "ellipsis"
                    )
                {
                    "type".into()
                } else {
                    "builtin_function_or_method".into()
                }
            }
            Value::Module(_) => "module".into(),
            Value::ModAttr(..) => "builtin_function_or_method".into(),
            Value::Tool(_) => "function".into(),
            Value::Method(_) => "method".into(),
            Value::Ellipsis => "ellipsis".into(),
            Value::Dt(d) => crate::modules::datetime::type_name(d).into(),
            Value::Ref(r) => match &self.heap.get(*r).obj {
                Obj::List(_) => "list".into(),
                Obj::Dict(_) => "dict".into(),
                Obj::Set(_) => "set".into(),
                Obj::Instance { class, .. } => self.class_name(*class),
                Obj::Exception { class, .. } => self.class_value_name(class),
                Obj::Function(_) => "function".into(),
                Obj::Class(_) => "type".into(),
                Obj::Cell(_) => "cell".into(),
                Obj::Iter(_) => "iterator".into(),
                Obj::Free => "freed".into(),
                Obj::Pattern { .. } => "re.Pattern".into(),
                Obj::Match { .. } => "re.Match".into(),
            },
        }
    }

    pub(crate) fn class_name(&self, c: u32) -> String {
        match &self.heap.get(c).obj {
            Obj::Class(Class::Holder { name, .. }) | Obj::Class(Class::Exception { name, .. }) => {
                name.to_string()
            }
            _ => "object".into(),
        }
    }

    pub(crate) fn class_value_name(&self, c: &Value) -> String {
        match c {
            Value::Builtin(b) => names::name(*b).to_string(),
            Value::Ref(r) => self.class_name(*r),
            _ => "Exception".into(),
        }
    }

    pub(crate) fn truth(&self, v: &Value) -> bool {
        match v {
            Value::Undef | Value::None => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(x) => *x != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::Tuple(t) => !t.is_empty(),
            Value::Range(a, b, s) => range_len(*a, *b, *s) > 0,
            Value::Dt(crate::modules::datetime::Dt::Delta { us }) => *us != 0,
            Value::Ref(r) => match &self.heap.get(*r).obj {
                Obj::List(v) => !v.is_empty(),
                Obj::Dict(d) => !d.is_empty(),
                Obj::Set(s) => !s.is_empty(),
                _ => true,
            },
            _ => true,
        }
    }

    pub(crate) fn truthy(&mut self, r: Reg) -> R<bool> {
        Ok(self.truth(self.v(r)))
    }

    /// Identity (`is`): heap objects by reference, the rest by type and value.
    pub(crate) fn same(&self, a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Ref(x), Value::Ref(y)) => x == y,
            (Value::None, Value::None) | (Value::Ellipsis, Value::Ellipsis) => true,
            (Value::Bool(x), Value::Bool(y)) => x == y,
            (Value::Int(x), Value::Int(y)) => x == y,
            (Value::Float(x), Value::Float(y)) => x.to_bits() == y.to_bits(),
            (Value::Str(x), Value::Str(y)) => x == y,
            (Value::Builtin(x), Value::Builtin(y)) => x == y,
            (Value::Module(x), Value::Module(y)) => x == y,
            (Value::Tool(x), Value::Tool(y)) => x == y,
            (Value::ModAttr(a, x), Value::ModAttr(b, y)) => a == b && x == y,
            (Value::Dt(x), Value::Dt(y)) => x == y,
            (Value::Tuple(x), Value::Tuple(y)) => {
                Rc::ptr_eq(x, y) || (x.is_empty() && y.is_empty())
            }
            _ => false,
        }
    }

    pub(crate) fn eq(&self, a: &Value, b: &Value) -> bool {
        self.eq_depth(a, b, 0)
    }

    fn eq_depth(&self, a: &Value, b: &Value, d: u32) -> bool {
        self.heap.work.set(self.heap.work.get() + 1);
        if d > 100 {
            return false;
        }
        if let (Some(x), Some(y)) = (num(a), num(b)) {
            return match (x, y) {
                (Num::I(i), Num::I(j)) => i == j,
                (x, y) => f(x) == f(y),
            };
        }
        if let (Value::Dt(_), Value::Dt(_)) = (a, b) {
            let (x, y) = (
                crate::modules::datetime::as_dt(self, a),
                crate::modules::datetime::as_dt(self, b),
            );
            return match (x, y) {
                (Some(x), Some(y)) => x == y,
                _ => self.same(a, b),
            };
        }
        let seq = |x: &[Slot], y: &[Slot]| {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|(p, q)| self.eq_depth(&p.0, &q.0, d + 1))
        };
        match (a, b) {
            (Value::Str(x), Value::Str(y)) => x == y,
            (Value::Tuple(x), Value::Tuple(y)) => seq(x, y),
            (Value::Range(a1, b1, s1), Value::Range(a2, b2, s2)) => {
                let (x, y) = (
                    range_items(*a1, *b1, *s1, 1 << 20),
                    range_items(*a2, *b2, *s2, 1 << 20),
                );
                x == y
            }
            (Value::Ref(x), Value::Ref(y)) => {
                if x == y {
                    return true;
                }
                match (&self.heap.get(*x).obj, &self.heap.get(*y).obj) {
                    (Obj::List(p), Obj::List(q)) => seq(p, q),
                    (Obj::Dict(p), Obj::Dict(q)) => {
                        p.len() == q.len()
                            && p.iter().all(|(k, (_, v))| {
                                q.get(k)
                                    .is_some_and(|(_, w)| self.eq_depth(&v.0, &w.0, d + 1))
                            })
                    }
                    (Obj::Set(p), Obj::Set(q)) => {
                        p.len() == q.len() && p.keys().all(|k| q.contains_key(k))
                    }
                    (
                        Obj::Instance {
                            class: c1,
                            fields: f1,
                        },
                        Obj::Instance {
                            class: c2,
                            fields: f2,
                        },
                    ) => c1 == c2 && seq(f1, f2),
                    _ => false,
                }
            }
            _ => self.same(a, b),
        }
    }

    pub(crate) fn hkey(&self, v: &Value) -> Result<HKey, String> {
        // Tuples nest at most MAX_TUPLE_DEPTH deep, so this recursion is bounded.
        Ok(match v {
            Value::None => HKey::None,
            Value::Bool(b) => HKey::Int(*b as i64),
            Value::Int(i) => HKey::Int(*i),
            Value::Float(x) => {
                if x.fract() == 0.0 && x.abs() < 9.2e18 {
                    HKey::Int(*x as i64)
                } else {
                    HKey::Float(x.to_bits())
                }
            }
            Value::Str(s) => HKey::Str(s.clone()),
            Value::Tuple(t) => HKey::Tuple(
                t.iter()
                    .map(|(x, _)| self.hkey(x))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Builtin(b) => HKey::Builtin(*b),
            Value::Module(m) => HKey::Module(*m),
            Value::Ellipsis => HKey::Ellipsis,
            Value::Dt(_) => match crate::modules::datetime::as_dt(self, v) {
                Some((k, aware, t)) => HKey::Tuple(vec![
                    HKey::Int(k as i64),
                    HKey::Int(aware as i64),
                    HKey::Int(t),
                ]),
                None => HKey::Dt(match v {
                    Value::Dt(d) => *d,
                    _ => unreachable!(),
                }),
            },
            Value::ModAttr(m, n) => HKey::ModAttr(*m, n.clone()),
            Value::Ref(r) => match &self.heap.get(*r).obj {
                Obj::Function(_) | Obj::Class(_) | Obj::Exception { .. } => HKey::Ref(*r),
                _ => return Err(self.type_name(v)),
            },
            other => return Err(self.type_name(other)),
        })
    }

    pub(crate) fn hkey_or_err(&mut self, v: &Value, l: Label) -> R<HKey> {
        match self.hkey(v) {
            Ok(k) => Ok(k),
            Err(t) => self.err("TypeError", format!("unhashable type: '{t}'"), l),
        }
    }

    /// Ordering for `< <= > >=`, `sorted`, `min`, `max`.
    pub(crate) fn cmp_vals(&mut self, a: &Value, b: &Value, sym: &str, l: Label) -> R<Ordering> {
        self.cmp_depth(a, b, sym, l, 0)
    }

    fn cmp_depth(&mut self, a: &Value, b: &Value, sym: &str, l: Label, depth: u32) -> R<Ordering> {
        if depth > 200 {
            let pc = self.pcl();
            return self.err(
                "RecursionError",
                "maximum recursion depth exceeded in comparison",
                l.join(pc),
            );
        }
        if let (Some(x), Some(y)) = (num(a), num(b)) {
            return Ok(match (x, y) {
                (Num::I(i), Num::I(j)) => i.cmp(&j),
                (x, y) => f(x).partial_cmp(&f(y)).unwrap_or(Ordering::Equal),
            });
        }
        let seqs = match (a, b) {
            (Value::Str(x), Value::Str(y)) => return Ok(x.cmp(y)),
            (Value::Tuple(x), Value::Tuple(y)) => Some((x.to_vec(), y.to_vec())),
            (Value::Ref(x), Value::Ref(y)) => {
                match (&self.heap.get(*x).obj, &self.heap.get(*y).obj) {
                    (Obj::List(p), Obj::List(q)) => Some((p.clone(), q.clone())),
                    _ => None,
                }
            }
            _ => None,
        };
        if let Some((x, y)) = seqs {
            for (p, q) in x.iter().zip(y.iter()) {
                if !self.eq(&p.0, &q.0) {
                    return self.cmp_depth(&p.0, &q.0, sym, l, depth + 1);
                }
            }
            return Ok(x.len().cmp(&y.len()));
        }
        if let (Some(x), Some(y)) = (
            crate::modules::datetime::as_dt(self, a),
            crate::modules::datetime::as_dt(self, b),
        ) {
            if x.0 == y.0 && x.1 == y.1 {
                return Ok(x.2.cmp(&y.2));
            }
            if x.0 == y.0 {
                return self.err(
                    "TypeError",
                    "can't compare offset-naive and offset-aware datetimes",
                    l,
                );
            }
        }
        let (ta, tb) = (self.type_name(a), self.type_name(b));
        self.err(
            "TypeError",
            format!("'{sym}' not supported between instances of '{ta}' and '{tb}'"),
            l,
        )
    }

    pub(crate) fn compare(&mut self, op: CmpOp, a: Reg, b: Reg) -> R<Slot> {
        let fr = self.frames.last().unwrap();
        if let (Value::Int(p), Value::Int(q)) = (&fr.vals[a as usize], &fr.vals[b as usize])
            && let Some(r) = int_compare(op, *p, *q)
        {
            return Ok((
                Value::Bool(r),
                fr.labs[a as usize].join(&fr.labs[b as usize]),
            ));
        }
        let (x, y) = (self.v(a).clone(), self.v(b).clone());
        let l = self.m(a).join(self.m(b));
        let r = match op {
            CmpOp::Eq => self.eq(&x, &y),
            CmpOp::NotEq => !self.eq(&x, &y),
            CmpOp::Is => self.same(&x, &y),
            CmpOp::IsNot => !self.same(&x, &y),
            CmpOp::In => self.contains(&y, &x, l.clone())?,
            CmpOp::NotIn => !self.contains(&y, &x, l.clone())?,
            _ => {
                let sym = match op {
                    CmpOp::Lt => "<",
                    CmpOp::LtE => "<=",
                    CmpOp::Gt => ">",
                    _ => ">=",
                };
                if let (Some(p), Some(q)) = (self.set_keys(&x), self.set_keys(&y)) {
                    let sub = p.iter().all(|k| q.contains(k));
                    let sup = q.iter().all(|k| p.contains(k));
                    match op {
                        CmpOp::Lt => sub && p.len() < q.len(),
                        CmpOp::LtE => sub,
                        CmpOp::Gt => sup && p.len() > q.len(),
                        _ => sup,
                    }
                } else {
                    if let (Some(p), Some(q)) = (num(&x), num(&y))
                        && (f(p).is_nan() || f(q).is_nan())
                    {
                        return Ok((Value::Bool(false), l));
                    }
                    let o = self.cmp_vals(&x, &y, sym, l.clone())?;
                    match op {
                        CmpOp::Lt => o == Ordering::Less,
                        CmpOp::LtE => o != Ordering::Greater,
                        CmpOp::Gt => o == Ordering::Greater,
                        _ => o != Ordering::Less,
                    }
                }
            }
        };
        Ok((Value::Bool(r), l))
    }

    pub(crate) fn set_keys(&self, v: &Value) -> Option<Vec<HKey>> {
        match v {
            Value::Ref(r) => match &self.heap.get(*r).obj {
                Obj::Set(s) => Some(s.keys().cloned().collect()),
                _ => None,
            },
            _ => None,
        }
    }

    pub(crate) fn contains(&mut self, container: &Value, item: &Value, l: Label) -> R<bool> {
        match container {
            Value::Str(s) => match item {
                Value::Str(i) => Ok(s.contains(&**i)),
                other => {
                    let t = self.type_name(other);
                    self.err(
                        "TypeError",
                        format!("'in <string>' requires string as left operand, not {t}"),
                        l,
                    )
                }
            },
            Value::Tuple(t) => Ok(t.iter().any(|(x, _)| self.eq(x, item))),
            Value::Range(a, b, s) => Ok(match num(item) {
                Some(Num::I(i)) => {
                    (*s > 0 && i >= *a && i < *b || *s < 0 && i <= *a && i > *b)
                        && (i as i128 - *a as i128) % *s as i128 == 0
                }
                _ => false,
            }),
            Value::Ref(r) => match &self.heap.get(*r).obj {
                Obj::List(v) => Ok(v.iter().any(|(x, _)| self.eq(x, item))),
                Obj::Dict(_) => {
                    let k = self.hkey_or_err(item, l)?;
                    Ok(matches!(&self.heap.get(*r).obj, Obj::Dict(d2) if d2.contains_key(&k)))
                }
                Obj::Set(_) => {
                    let k = self.hkey_or_err(item, l)?;
                    Ok(matches!(&self.heap.get(*r).obj, Obj::Set(s) if s.contains_key(&k)))
                }
                _ => {
                    let t = self.type_name(container);
                    self.err(
                        "TypeError",
                        format!("argument of type '{t}' is not iterable"),
                        l,
                    )
                }
            },
            other => {
                let t = self.type_name(other);
                self.err(
                    "TypeError",
                    format!("argument of type '{t}' is not iterable"),
                    l,
                )
            }
        }
    }

    pub(crate) fn unop(&mut self, op: UnOp, a: Reg) -> R<Slot> {
        let x = self.v(a).clone();
        let l = self.m(a);
        if let Value::Dt(crate::modules::datetime::Dt::Delta { us }) = x {
            match op {
                UnOp::Neg => {
                    return Ok((
                        Value::Dt(crate::modules::datetime::Dt::Delta { us: -us }),
                        l,
                    ));
                }
                UnOp::Pos => return Ok((x, l)),
                _ => {}
            }
        }
        let v = match (op, num(&x)) {
            (UnOp::Not, _) => Value::Bool(!self.truth(&x)),
            (UnOp::Neg, Some(Num::I(i))) => match i.checked_neg() {
                Some(v) => Value::Int(v),
                None => return self.err("OverflowError", OVERFLOW, l),
            },
            (UnOp::Neg, Some(Num::F(v))) => Value::Float(-v),
            (UnOp::Pos, Some(Num::I(i))) => Value::Int(i),
            (UnOp::Pos, Some(Num::F(v))) => Value::Float(v),
            (UnOp::Invert, Some(Num::I(i))) if !matches!(x, Value::Float(_)) => Value::Int(!i),
            _ => {
                let sym = match op {
                    UnOp::Neg => "-",
                    UnOp::Pos => "+",
                    _ => "~",
                };
                let t = self.type_name(&x);
                return self.err(
                    "TypeError",
                    format!("bad operand type for unary {sym}: '{t}'"),
                    l,
                );
            }
        };
        Ok((v, l))
    }

    pub(crate) fn list_items(&self, v: &Value) -> Option<Vec<Slot>> {
        match v {
            Value::Ref(r) => match &self.heap.get(*r).obj {
                Obj::List(v) => Some(v.clone()),
                _ => None,
            },
            _ => None,
        }
    }
}

pub(crate) fn range_len(a: i64, b: i64, s: i64) -> usize {
    if s > 0 && a < b {
        ((b as i128 - a as i128 + s as i128 - 1) / s as i128) as usize
    } else if s < 0 && a > b {
        ((a as i128 - b as i128 - s as i128 - 1) / (-s as i128)) as usize
    } else {
        0
    }
}

pub(crate) fn range_items(a: i64, b: i64, s: i64, cap: usize) -> Vec<i64> {
    let n = range_len(a, b, s).min(cap);
    (0..n as i64).map(|i| a + i * s).collect()
}

/// An int-with-int comparison (`None` for `in`, which needs a container).
#[inline(always)]
pub(crate) fn int_compare(op: CmpOp, p: i64, q: i64) -> Option<bool> {
    match op {
        CmpOp::Eq | CmpOp::Is => Some(p == q),
        CmpOp::NotEq | CmpOp::IsNot => Some(p != q),
        CmpOp::Lt => Some(p < q),
        CmpOp::LtE => Some(p <= q),
        CmpOp::Gt => Some(p > q),
        CmpOp::GtE => Some(p >= q),
        CmpOp::In | CmpOp::NotIn => None,
    }
}
