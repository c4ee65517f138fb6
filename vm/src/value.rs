//! Runtime values and the object heap.
//!
//! Immutable scalars and tuples are inline (`Rc` shares structure); mutable objects (list, dict,
//! set, data holders, exceptions, functions, classes, cells, iterators) live in an index arena so
//! aliasing and cycles serialize. Every element slot carries its own label.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use std::rc::Rc;

use crate::label::Label;

pub type Slot = (Value, Label);

#[derive(Clone, Debug, Serialize, Deserialize, Default)]
pub enum Value {
    /// An unbound variable (never visible to programs).
    #[default]
    Undef,
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Rc<str>),
    Tuple(Rc<Vec<Slot>>),
    Range(i64, i64, i64),
    Slice(Rc<[Value; 3]>),
    Ref(u32),
    /// A builtin function, type or exception class (index into `builtins::NAMES`).
    Builtin(u32),
    Module(u8),
    /// A module attribute: function or class (`json.dumps`, `datetime.datetime`).
    ModAttr(u8, Rc<str>),
    Tool(u32),
    /// A bound method: receiver, its label, method name.
    Method(Rc<(Value, Label, Rc<str>)>),
    Ellipsis,
    Dt(crate::modules::datetime::Dt),
}

impl Value {
    pub fn str(s: &str) -> Value {
        Value::Str(s.into())
    }

    pub fn is_heap(&self) -> bool {
        matches!(self, Value::Ref(_) | Value::Tuple(_) | Value::Method(_))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HKey {
    None,
    Int(i64),
    Float(u64),
    Str(Rc<str>),
    Tuple(Vec<HKey>),
    Builtin(u32),
    Ref(u32),
    Ellipsis,
    Module(u8),
    Dt(crate::modules::datetime::Dt),
    ModAttr(u8, Rc<str>),
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Function {
    pub code: u32,
    pub name: Rc<str>,
    /// Defaults aligned with `Params::names` (None = no default).
    pub defaults: Vec<Option<Slot>>,
    pub cells: Vec<u32>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Class {
    Holder {
        name: Rc<str>,
        fields: Vec<(Rc<str>, Option<Value>)>,
    },
    /// A user exception class deriving from `base` (a builtin exception or another class).
    Exception { name: Rc<str>, base: Value },
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum IterState {
    /// A live list, by index.
    List(u32, usize),
    /// A snapshot of elements.
    Items(Vec<Slot>, usize),
    Range(i64, i64, i64),
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Obj {
    List(Vec<Slot>),
    /// key → (key slot, value slot)
    Dict(IndexMap<HKey, (Slot, Slot)>),
    Set(IndexMap<HKey, Slot>),
    Instance {
        class: u32,
        fields: Vec<Slot>,
    },
    Exception {
        class: Value,
        args: Vec<Slot>,
        trace: Vec<(u32, u32)>,
    },
    Function(Function),
    Class(Class),
    Cell(Slot),
    Iter(IterState),
    Free,
    /// `re.compile(src, flags)`; the compiled regex is cached outside the heap.
    Pattern {
        src: Rc<str>,
        flags: i64,
    },
    /// A match: the subject, and per group its code-point span.
    Match {
        src: Rc<str>,
        flags: i64,
        subject: Rc<str>,
        spans: Vec<Option<(usize, usize)>>,
        names: Vec<Option<Rc<str>>>,
    },
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct HeapObj {
    pub own: Label,
    pub obj: Obj,
    /// M(object) as of heap epoch `.0` (see `Heap::epoch`); rebuilt after a restore.
    #[serde(skip)]
    deep: std::cell::RefCell<Option<(u64, Label)>>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Heap {
    pub objs: Vec<HeapObj>,
    pub free: Vec<u32>,
    /// Approximate bytes held, for the heap limit.
    pub bytes: usize,
    /// Elements visited by deep-label walks since the VM last charged them to the instruction
    /// budget (1 step per 64), so label computation is bounded work too.
    #[serde(skip)]
    pub work: std::cell::Cell<u64>,
    /// Bumped by every mutable access to an object (`get_mut`) and by collection: a cached
    /// deep label is valid only while no object has changed since it was computed, so a stale
    /// one (a label lost) cannot happen whatever path mutated the heap.
    #[serde(skip)]
    epoch: u64,
}

pub fn obj_size(o: &Obj) -> usize {
    64 + match o {
        Obj::List(v) => v.len() * 48,
        Obj::Dict(d) => d.len() * 112,
        Obj::Set(s) => s.len() * 64,
        Obj::Instance { fields, .. } => fields.len() * 48,
        Obj::Exception { args, .. } => args.len() * 48,
        Obj::Iter(IterState::Items(v, _)) => v.len() * 48,
        _ => 0,
    }
}

impl Heap {
    pub fn alloc(&mut self, own: Label, obj: Obj) -> u32 {
        self.bytes += obj_size(&obj);
        let h = HeapObj {
            own,
            obj,
            deep: Default::default(),
        };
        if let Some(i) = self.free.pop() {
            self.objs[i as usize] = h;
            i
        } else {
            self.objs.push(h);
            self.objs.len() as u32 - 1
        }
    }

    pub fn get(&self, r: u32) -> &HeapObj {
        &self.objs[r as usize]
    }

    pub fn get_mut(&mut self, r: u32) -> &mut HeapObj {
        self.epoch += 1;
        &mut self.objs[r as usize]
    }

    /// Every object may change (collection): no cached deep label survives.
    pub fn invalidate(&mut self) {
        self.epoch += 1;
    }

    /// M(v): the value's label joined with everything reachable from it. Iterative, so deep
    /// nesting cannot exhaust the native stack; each heap object is visited once.
    #[inline]
    pub fn deep(&self, v: &Value, l: Label) -> Label {
        if !v.is_heap() {
            return l;
        }
        self.deep_walk(v, l)
    }

    /// M(v) for a heap value: a reference's comes from its object's cache while the heap is
    /// unchanged (a read-only loop over a list pays for one walk, not one per iteration).
    fn deep_walk(&self, v: &Value, l: Label) -> Label {
        let Value::Ref(r) = v else {
            return self.walk(v, l);
        };
        let h = self.get(*r);
        if let Some((e, m)) = &*h.deep.borrow()
            && *e == self.epoch
        {
            return l.join(m);
        }
        let m = self.walk(v, Label::BOTTOM);
        let out = l.join(&m);
        *h.deep.borrow_mut() = Some((self.epoch, m));
        out
    }

    fn walk(&self, v: &Value, l: Label) -> Label {
        let mut out = l;
        let mut seen = rustc_hash::FxHashSet::default();
        let mut stack: Vec<&Value> = vec![v];
        fn push_slots<'a>(
            stack: &mut Vec<&'a Value>,
            out: &mut Label,
            it: &mut dyn Iterator<Item = &'a Slot>,
        ) {
            for (x, xl) in it {
                out.join_in(xl.clone());
                // Scalars are counted through the stack too, so the walk's cost is charged.
                stack.push(x);
            }
        }
        let mut visited: u64 = 0;
        while let Some(v) = stack.pop() {
            visited += 1;
            match v {
                Value::Tuple(t) => push_slots(&mut stack, &mut out, &mut t.iter()),
                Value::Method(m) => {
                    out.join_in(m.1.clone());
                    stack.push(&m.0);
                }
                Value::Ref(r) => {
                    if !seen.insert(*r) {
                        continue;
                    }
                    let h = self.get(*r);
                    out.join_in(h.own.clone());
                    match &h.obj {
                        Obj::List(v) => push_slots(&mut stack, &mut out, &mut v.iter()),
                        Obj::Dict(d) => push_slots(
                            &mut stack,
                            &mut out,
                            &mut d.values().flat_map(|(k, v)| [k, v]),
                        ),
                        Obj::Set(s) => push_slots(&mut stack, &mut out, &mut s.values()),
                        Obj::Instance { fields, .. } => {
                            push_slots(&mut stack, &mut out, &mut fields.iter())
                        }
                        Obj::Exception { args, .. } => {
                            push_slots(&mut stack, &mut out, &mut args.iter())
                        }
                        Obj::Cell(s) => push_slots(&mut stack, &mut out, &mut std::iter::once(s)),
                        Obj::Iter(IterState::Items(v, _)) => {
                            push_slots(&mut stack, &mut out, &mut v.iter())
                        }
                        Obj::Iter(IterState::List(l, _)) if seen.insert(*l) => {
                            let lh = self.get(*l);
                            out.join_in(lh.own.clone());
                            if let Obj::List(v) = &lh.obj {
                                push_slots(&mut stack, &mut out, &mut v.iter());
                            }
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        self.work.set(self.work.get() + visited);
        out
    }

    /// Nesting depth of tuples inside `items` (tuples are `Rc` chains: dropping or printing a very
    /// deep one would recurse natively, so their depth is capped).
    pub fn tuple_depth(items: &[Slot]) -> usize {
        let mut max = 0;
        let mut stack: Vec<(&[Slot], usize)> = vec![(items, 1)];
        while let Some((xs, d)) = stack.pop() {
            max = max.max(d);
            for (x, _) in xs {
                if let Value::Tuple(t) = x {
                    stack.push((t, d + 1));
                }
            }
            if max > MAX_TUPLE_DEPTH {
                break;
            }
        }
        max
    }
}

pub const MAX_TUPLE_DEPTH: usize = 100;
