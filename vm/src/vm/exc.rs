//! Exceptions: turning raised values into labelled exception objects, class hierarchy tests and
//! `except` matching.

use super::{R, Vm};
use crate::builtins::names;
use crate::label::Label;
use crate::value::{Class, Obj, Value};

impl Vm {
    /// Turns a raised value into an exception object labelled with its meta and pc.
    pub(crate) fn exception_from(&mut self, v: Value, l: Label) -> R<Value> {
        let pc = self.pcl();
        let trace = self.trace();
        match &v {
            Value::Ref(r) => {
                let r = *r;
                if let Obj::Exception { trace: t, .. } = &mut self.heap.get_mut(r).obj {
                    *t = trace;
                    let h = self.heap.get_mut(r);
                    h.own.join_in(l.join(pc));
                    return Ok(v);
                }
                if self.is_exc_class(&v) {
                    let r = self.alloc(
                        l.join(pc),
                        Obj::Exception {
                            class: v,
                            args: vec![],
                            trace,
                        },
                    )?;
                    return Ok(Value::Ref(r));
                }
            }
            Value::Builtin(_) if self.is_exc_class(&v) => {
                let r = self.alloc(
                    l.join(pc),
                    Obj::Exception {
                        class: v,
                        args: vec![],
                        trace,
                    },
                )?;
                return Ok(Value::Ref(r));
            }
            _ => {}
        }
        self.err("TypeError", "exceptions must derive from BaseException", l)
    }

    pub(crate) fn is_exc_class(&self, v: &Value) -> bool {
        match v {
            Value::Builtin(b) => names::is_exception(*b),
            Value::Ref(r) => matches!(self.heap.get(*r).obj, Obj::Class(Class::Exception { .. })),
            _ => false,
        }
    }

    /// Whether class `c` is `target` or derives from it.
    pub(crate) fn subclass_of(&self, c: &Value, target: &Value) -> bool {
        let mut cur = c.clone();
        for _ in 0..64 {
            if self.same(&cur, target) {
                return true;
            }
            cur = match &cur {
                Value::Builtin(b) => match names::exc_parent(*b) {
                    Some(p) => Value::Builtin(p),
                    None => return false,
                },
                Value::Ref(r) => match &self.heap.get(*r).obj {
                    Obj::Class(Class::Exception { base, .. }) => base.clone(),
                    _ => return false,
                },
                _ => return false,
            };
        }
        false
    }

    pub(crate) fn exc_matches(&mut self, e: &Value, t: &Value) -> R<bool> {
        let class = match e {
            Value::Ref(r) => match &self.heap.get(*r).obj {
                Obj::Exception { class, .. } => class.clone(),
                _ => return Ok(false),
            },
            _ => return Ok(false),
        };
        match t {
            Value::Tuple(ts) => Ok(ts.iter().any(|(x, _)| self.subclass_of(&class, x))),
            x if self.is_exc_class(x) => Ok(self.subclass_of(&class, x)),
            _ => self.err(
                "TypeError",
                "catching classes that do not inherit from BaseException is not allowed",
                Label::BOTTOM,
            ),
        }
    }
}
