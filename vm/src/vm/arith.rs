//! Arithmetic and the other binary operators with Python semantics: checked 64-bit integers,
//! floor division and modulo, str/list/tuple concatenation and repetition, set and dict operators,
//! and in-place forms for list, dict and set. Results carry ⊔ M(operands).

use std::rc::Rc;

use super::ops::{Num, OVERFLOW, num};
use super::{R, Vm};
use crate::bytecode::{BinOp, Reg};
use crate::label::Label;
use crate::value::{Obj, Slot, Value};

fn f(n: Num) -> f64 {
    match n {
        Num::I(i) => i as f64,
        Num::F(x) => x,
    }
}

fn op_sym(op: BinOp) -> &'static str {
    match op {
        BinOp::Add => "+",
        BinOp::Sub => "-",
        BinOp::Mul => "*",
        BinOp::Div => "/",
        BinOp::FloorDiv => "//",
        BinOp::Mod => "%",
        BinOp::Pow => "** or pow()",
        BinOp::LShift => "<<",
        BinOp::RShift => ">>",
        BinOp::BitAnd => "&",
        BinOp::BitOr => "|",
        BinOp::BitXor => "^",
        BinOp::MatMul => "@",
    }
}

impl Vm {
    pub(crate) fn binop(&mut self, op: BinOp, a: Reg, b: Reg, inplace: bool) -> R<Slot> {
        // The hot case, int with int: no clone, no deep walk (M of a scalar is its label).
        let f = self.frames.last().unwrap();
        if let (Value::Int(p), Value::Int(q)) = (&f.vals[a as usize], &f.vals[b as usize])
            && let Some(r) = int_fast(op, *p, *q)
        {
            return Ok((Value::Int(r), f.labs[a as usize].join(&f.labs[b as usize])));
        }
        let (x, y) = (self.v(a).clone(), self.v(b).clone());
        let l = self.m(a).join(self.m(b));
        if inplace && let Value::Ref(r) = x {
            let kind = match &self.heap.get(r).obj {
                Obj::List(_) => 0,
                Obj::Dict(_) => 1,
                Obj::Set(_) => 2,
                _ => 3,
            };
            // In place for list, dict, set: an insert into x (own ⊔= m(x) ⊔ M(v) ⊔ [pc]).
            let own = self.l(a).join(self.m(b)).join(self.spc());
            match (kind, op) {
                (0, BinOp::Add) => {
                    let items = self.iterate(b)?;
                    let sp = self.spc();
                    self.check_len(items.len())?;
                    self.heap.bytes += items.len() * 48;
                    if let Obj::List(v) = &mut self.heap.get_mut(r).obj {
                        v.extend(items.into_iter().map(|(v, l)| (v, l.join(sp.clone()))));
                    }
                    self.heap.get_mut(r).own.join_in(own);
                    return Ok((x, self.l(a)));
                }
                (1, BinOp::BitOr) => {
                    let pairs = self.dict_pairs(b)?;
                    for (k, v) in pairs {
                        self.dict_set(r, k, v)?;
                    }
                    self.heap.get_mut(r).own.join_in(own);
                    return Ok((x, self.l(a)));
                }
                (2, BinOp::BitOr | BinOp::BitAnd | BinOp::Sub | BinOp::BitXor) => {
                    let res = self.set_op(op, &x, &y, l)?;
                    if let (Value::Ref(n), true) = (&res, true) {
                        let new = self.heap.get(*n).obj.clone();
                        self.heap.get_mut(r).obj = new;
                        self.heap.get_mut(r).own.join_in(own);
                    }
                    return Ok((x, self.l(a)));
                }
                _ => {}
            }
        }
        let v = self.binop_values(op, &x, &y, l.clone())?;
        Ok((v, l))
    }

    fn set_op(&mut self, op: BinOp, x: &Value, y: &Value, l: Label) -> R<Value> {
        let (Value::Ref(p), Value::Ref(q)) = (x, y) else {
            return self.type_error_op(op, x, y, l);
        };
        let (Obj::Set(s1), Obj::Set(s2)) = (&self.heap.get(*p).obj, &self.heap.get(*q).obj) else {
            return self.type_error_op(op, x, y, l);
        };
        let mut out = indexmap::IndexMap::new();
        match op {
            BinOp::BitOr => {
                out = s1.clone();
                for (k, v) in s2 {
                    out.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
            BinOp::BitAnd => {
                for (k, v) in s1 {
                    if s2.contains_key(k) {
                        out.insert(k.clone(), v.clone());
                    }
                }
            }
            BinOp::Sub => {
                for (k, v) in s1 {
                    if !s2.contains_key(k) {
                        out.insert(k.clone(), v.clone());
                    }
                }
            }
            _ => {
                for (k, v) in s1 {
                    if !s2.contains_key(k) {
                        out.insert(k.clone(), v.clone());
                    }
                }
                for (k, v) in s2 {
                    if !s1.contains_key(k) {
                        out.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        let own = self.heap.get(*p).own.join(self.heap.get(*q).own.clone());
        let r = self.alloc(own, Obj::Set(out))?;
        Ok(Value::Ref(r))
    }

    fn type_error_op<T>(&mut self, op: BinOp, x: &Value, y: &Value, l: Label) -> R<T> {
        let (tx, ty) = (self.type_name(x), self.type_name(y));
        if op == BinOp::Add && (tx == "str" || tx == "list" || tx == "tuple") {
            return self.err(
                "TypeError",
                format!("can only concatenate {tx} (not \"{ty}\") to {tx}"),
                l,
            );
        }
        self.err(
            "TypeError",
            format!(
                "unsupported operand type(s) for {}: '{tx}' and '{ty}'",
                op_sym(op)
            ),
            l,
        )
    }

    pub(crate) fn binop_values(&mut self, op: BinOp, x: &Value, y: &Value, l: Label) -> R<Value> {
        if let (Some(p), Some(q)) = (num(x), num(y)) {
            let both_bool = matches!((x, y), (Value::Bool(_), Value::Bool(_)));
            return self.arith(op, p, q, l, both_bool);
        }
        match (op, x, y) {
            (BinOp::Add, Value::Str(a), Value::Str(b)) => {
                let mut s = String::with_capacity(a.len() + b.len());
                s.push_str(a);
                s.push_str(b);
                self.mkstr(s)
            }
            (BinOp::Mul, Value::Str(s), n) | (BinOp::Mul, n, Value::Str(s))
                if matches!(num(n), Some(Num::I(_))) && !matches!(n, Value::Float(_)) =>
            {
                let Some(Num::I(k)) = num(n) else {
                    unreachable!()
                };
                let k = k.max(0) as usize;
                if s.len().saturating_mul(k) > self.limits.str_bytes {
                    return Err(self.limit("string size"));
                }
                self.charge(s.len() * k)?;
                Ok(Value::Str(s.repeat(k).into()))
            }
            (BinOp::Mod, Value::Str(s), args) => {
                let s = s.clone();
                let out = self.percent_format(&s, args, l)?;
                self.mkstr(out)
            }
            (BinOp::Add, Value::Tuple(a), Value::Tuple(b)) => {
                let mut v = a.to_vec();
                v.extend(b.iter().cloned());
                self.check_len(v.len())?;
                Ok(Value::Tuple(Rc::new(v)))
            }
            (BinOp::Mul, Value::Tuple(t), n) | (BinOp::Mul, n, Value::Tuple(t))
                if matches!(n, Value::Int(_) | Value::Bool(_)) =>
            {
                let Some(Num::I(k)) = num(n) else {
                    unreachable!()
                };
                let k = k.max(0) as usize;
                self.check_len(t.len().saturating_mul(k))?;
                let v: Vec<Slot> = (0..k).flat_map(|_| t.iter().cloned()).collect();
                Ok(Value::Tuple(Rc::new(v)))
            }
            (_, Value::Ref(_), _) | (_, _, Value::Ref(_)) => {
                let (lx, ly) = (self.list_items(x), self.list_items(y));
                match (op, lx, ly) {
                    (BinOp::Add, Some(mut a), Some(b)) => {
                        a.extend(b);
                        self.check_len(a.len())?;
                        let own = self.own_of(x).join(self.own_of(y));
                        let r = self.alloc(own, Obj::List(a))?;
                        Ok(Value::Ref(r))
                    }
                    (BinOp::Mul, Some(a), None) | (BinOp::Mul, None, Some(a)) => {
                        let n = if matches!(x, Value::Ref(_)) { y } else { x };
                        let Some(Num::I(k)) = num(n).filter(|_| !matches!(n, Value::Float(_)))
                        else {
                            return self.type_error_op(op, x, y, l);
                        };
                        let k = k.max(0) as usize;
                        self.check_len(a.len().saturating_mul(k))?;
                        let v: Vec<Slot> = (0..k).flat_map(|_| a.iter().cloned()).collect();
                        let own = self.own_of(x).join(self.own_of(y));
                        let r = self.alloc(own, Obj::List(v))?;
                        Ok(Value::Ref(r))
                    }
                    _ => {
                        if let (Value::Ref(p), Value::Ref(q)) = (x, y) {
                            let dicts = matches!(
                                (&self.heap.get(*p).obj, &self.heap.get(*q).obj),
                                (Obj::Dict(_), Obj::Dict(_))
                            );
                            if dicts && op == BinOp::BitOr {
                                let Obj::Dict(d) = self.heap.get(*p).obj.clone() else {
                                    unreachable!()
                                };
                                let own = self.own_of(x).join(self.own_of(y));
                                let r = self.alloc(own, Obj::Dict(d))?;
                                let Obj::Dict(d2) = self.heap.get(*q).obj.clone() else {
                                    unreachable!()
                                };
                                for (_, (k, v)) in d2 {
                                    self.dict_set(r, k, v)?;
                                }
                                return Ok(Value::Ref(r));
                            }
                            if self.set_keys(x).is_some() && self.set_keys(y).is_some() {
                                return self.set_op(op, x, y, l);
                            }
                        }
                        if let Some(v) = crate::modules::datetime::binop(self, op, x, y, l.clone())?
                        {
                            return Ok(v);
                        }
                        self.type_error_op(op, x, y, l)
                    }
                }
            }
            _ => {
                if let Some(v) = crate::modules::datetime::binop(self, op, x, y, l.clone())? {
                    return Ok(v);
                }
                self.type_error_op(op, x, y, l)
            }
        }
    }

    pub(crate) fn own_of(&self, v: &Value) -> Label {
        match v {
            Value::Ref(r) => self.heap.get(*r).own.clone(),
            _ => Label::BOTTOM,
        }
    }

    fn arith(&mut self, op: BinOp, p: Num, q: Num, l: Label, both_bool: bool) -> R<Value> {
        use Num::*;
        let ovf = |vm: &mut Vm| -> R<Value> { vm.err("OverflowError", OVERFLOW, l.clone()) };
        match (op, p, q) {
            (BinOp::Add, I(a), I(b)) => a
                .checked_add(b)
                .map(Value::Int)
                .map_or_else(|| ovf(self), Ok),
            (BinOp::Sub, I(a), I(b)) => a
                .checked_sub(b)
                .map(Value::Int)
                .map_or_else(|| ovf(self), Ok),
            (BinOp::Mul, I(a), I(b)) => a
                .checked_mul(b)
                .map(Value::Int)
                .map_or_else(|| ovf(self), Ok),
            (BinOp::Add, a, b) => Ok(Value::Float(f(a) + f(b))),
            (BinOp::Sub, a, b) => Ok(Value::Float(f(a) - f(b))),
            (BinOp::Mul, a, b) => Ok(Value::Float(f(a) * f(b))),
            (BinOp::Div, a, b) => {
                if f(b) == 0.0 {
                    return self.err("ZeroDivisionError", "division by zero", l);
                }
                Ok(Value::Float(f(a) / f(b)))
            }
            (BinOp::FloorDiv, I(a), I(b)) => {
                if b == 0 {
                    return self.err("ZeroDivisionError", "integer division or modulo by zero", l);
                }
                match a.checked_div_euclid(b) {
                    Some(_) => {
                        let d = a / b;
                        let d = if (a % b != 0) && ((a < 0) != (b < 0)) {
                            d - 1
                        } else {
                            d
                        };
                        Ok(Value::Int(d))
                    }
                    None => ovf(self),
                }
            }
            (BinOp::FloorDiv, a, b) => {
                if f(b) == 0.0 {
                    return self.err("ZeroDivisionError", "float floor division by zero", l);
                }
                Ok(Value::Float((f(a) / f(b)).floor()))
            }
            (BinOp::Mod, I(a), I(b)) => {
                if b == 0 {
                    return self.err("ZeroDivisionError", "integer modulo by zero", l);
                }
                match a.checked_rem(b) {
                    Some(r) => Ok(Value::Int(if r != 0 && ((r < 0) != (b < 0)) {
                        r + b
                    } else {
                        r
                    })),
                    None => Ok(Value::Int(0)),
                }
            }
            (BinOp::Mod, a, b) => {
                let (a, b) = (f(a), f(b));
                if b == 0.0 {
                    return self.err("ZeroDivisionError", "float modulo", l);
                }
                let r = a % b;
                // As CPython: the result takes the divisor's sign, including a zero result.
                Ok(Value::Float(if r == 0.0 {
                    0.0f64.copysign(b)
                } else if (r < 0.0) != (b < 0.0) {
                    r + b
                } else {
                    r
                }))
            }
            (BinOp::Pow, I(a), I(b)) => {
                if b < 0 {
                    if a == 0 {
                        return self.err(
                            "ZeroDivisionError",
                            "0.0 cannot be raised to a negative power",
                            l,
                        );
                    }
                    return Ok(Value::Float((a as f64).powf(b as f64)));
                }
                match u32::try_from(b).ok().and_then(|e| a.checked_pow(e)) {
                    Some(v) => Ok(Value::Int(v)),
                    None if a == 0 || a == 1 => Ok(Value::Int(a)),
                    None if a == -1 => Ok(Value::Int(if b % 2 == 0 { 1 } else { -1 })),
                    None => ovf(self),
                }
            }
            (BinOp::Pow, a, b) => {
                let (a, b) = (f(a), f(b));
                if a == 0.0 && b < 0.0 {
                    return self.err(
                        "ZeroDivisionError",
                        "0.0 cannot be raised to a negative power",
                        l,
                    );
                }
                if a < 0.0 && b.fract() != 0.0 {
                    return self.err(
                        "ValueError",
                        "negative number cannot be raised to a fractional power",
                        l,
                    );
                }
                let r = a.powf(b);
                if r.is_infinite() && a.is_finite() && b.is_finite() {
                    return self.err("OverflowError", "(34, 'Numerical result out of range')", l);
                }
                Ok(Value::Float(r))
            }
            (BinOp::LShift, I(a), I(b)) => {
                if b < 0 {
                    return self.err("ValueError", "negative shift count", l);
                }
                if a == 0 {
                    return Ok(Value::Int(0));
                }
                if b >= 64 {
                    return ovf(self);
                }
                let r = a.wrapping_shl(b as u32);
                if r >> b != a {
                    ovf(self)
                } else {
                    Ok(Value::Int(r))
                }
            }
            (BinOp::RShift, I(a), I(b)) => {
                if b < 0 {
                    return self.err("ValueError", "negative shift count", l);
                }
                Ok(Value::Int(if b >= 64 {
                    if a < 0 { -1 } else { 0 }
                } else {
                    a >> b
                }))
            }
            (BinOp::BitAnd, I(a), I(b)) => Ok(if both_bool {
                Value::Bool(a & b != 0)
            } else {
                Value::Int(a & b)
            }),
            (BinOp::BitOr, I(a), I(b)) => Ok(if both_bool {
                Value::Bool(a | b != 0)
            } else {
                Value::Int(a | b)
            }),
            (BinOp::BitXor, I(a), I(b)) => Ok(if both_bool {
                Value::Bool(a ^ b != 0)
            } else {
                Value::Int(a ^ b)
            }),
            _ => {
                let x = match p {
                    I(i) => Value::Int(i),
                    F(v) => Value::Float(v),
                };
                let y = match q {
                    I(i) => Value::Int(i),
                    F(v) => Value::Float(v),
                };
                self.type_error_op(op, &x, &y, l)
            }
        }
    }
}

/// Int ⊕ int where Python's result is the machine one; `None` sends the operation (and its
/// overflow or zero-division error) down the general path.
#[inline(always)]
pub(crate) fn int_fast(op: BinOp, x: i64, y: i64) -> Option<i64> {
    match op {
        BinOp::Add => x.checked_add(y),
        BinOp::Sub => x.checked_sub(y),
        BinOp::Mul => x.checked_mul(y),
        BinOp::Mod => {
            // Python's remainder takes the divisor's sign.
            let r = x.checked_rem(y)?;
            Some(if r != 0 && (r < 0) != (y < 0) {
                r + y
            } else {
                r
            })
        }
        _ => None,
    }
}
