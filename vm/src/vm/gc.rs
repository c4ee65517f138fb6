//! Mark-and-sweep collection of the object heap, run only between instructions of the outermost
//! loop (no builtin holds references in Rust locals then), so roots are the globals and the
//! frames. Collection is deterministic (it depends only on the run's own state), so equal runs
//! still snapshot to equal bytes.

use super::Vm;
use crate::value::{Class, IterState, Obj, Value, obj_size};

impl Vm {
    /// Collects when the heap has doubled since the last collection (at least 4 MiB or half the
    /// limit), and always before three quarters of the heap limit.
    pub(crate) fn maybe_collect(&mut self) {
        if self.callback_depth > 0 || self.heap.bytes < self.gc_next {
            return;
        }
        self.collect();
        let lim = self.limits.heap_bytes;
        let live = self.heap.bytes;
        // At least an eighth of the limit of new allocation between collections, so a heap that
        // stays nearly full is not collected at every instruction.
        self.gc_next = (live * 2)
            .max((4 << 20).min(lim / 2))
            .min(lim / 4 * 3)
            .max(live + lim / 8 + 1);
    }

    pub(crate) fn collect(&mut self) {
        let n = self.heap.objs.len();
        let mut marked = vec![false; n];
        let mut stack: Vec<u32> = vec![];
        let mut vals: Vec<Value> = vec![];
        for (v, _) in &self.globals {
            vals.push(v.clone());
        }
        for f in &self.frames {
            vals.extend(f.vals.iter().cloned());
            stack.extend(f.cells.iter().copied());
        }
        fn push_value(v: &Value, stack: &mut Vec<u32>, vals: &mut Vec<Value>) {
            match v {
                Value::Ref(r) => stack.push(*r),
                Value::Tuple(t) => vals.extend(t.iter().map(|s| s.0.clone())),
                Value::Method(m) => vals.push(m.0.clone()),
                _ => {}
            }
        }
        loop {
            while let Some(v) = vals.pop() {
                push_value(&v, &mut stack, &mut vals);
            }
            let Some(r) = stack.pop() else { break };
            let i = r as usize;
            if i >= n || marked[i] {
                continue;
            }
            marked[i] = true;
            match &self.heap.objs[i].obj {
                Obj::List(v) => vals.extend(v.iter().map(|s| s.0.clone())),
                Obj::Dict(d) => {
                    for (k, v) in d.values() {
                        vals.push(k.0.clone());
                        vals.push(v.0.clone());
                    }
                }
                Obj::Set(s) => vals.extend(s.values().map(|s| s.0.clone())),
                Obj::Instance { class, fields } => {
                    stack.push(*class);
                    vals.extend(fields.iter().map(|s| s.0.clone()));
                }
                Obj::Exception { class, args, .. } => {
                    vals.push(class.clone());
                    vals.extend(args.iter().map(|s| s.0.clone()));
                }
                Obj::Function(f) => {
                    stack.extend(f.cells.iter().copied());
                    vals.extend(f.defaults.iter().flatten().map(|s| s.0.clone()));
                }
                Obj::Class(Class::Exception { base, .. }) => vals.push(base.clone()),
                Obj::Class(Class::Holder { fields, .. }) => {
                    vals.extend(fields.iter().filter_map(|f| f.1.clone()))
                }
                Obj::Cell(s) => vals.push(s.0.clone()),
                Obj::Iter(IterState::List(l, _)) => stack.push(*l),
                Obj::Iter(IterState::Items(v, _)) => vals.extend(v.iter().map(|s| s.0.clone())),
                _ => {}
            }
        }
        let mut bytes = 0;
        self.heap.invalidate();
        self.heap.free.clear();
        for (i, h) in self.heap.objs.iter_mut().enumerate() {
            if marked[i] {
                bytes += obj_size(&h.obj);
            } else {
                if !matches!(h.obj, Obj::Free) {
                    h.obj = Obj::Free;
                    h.own = crate::label::Label::BOTTOM;
                }
                self.heap.free.push(i as u32);
            }
        }
        // Reuse low slots first, deterministically.
        self.heap.free.reverse();
        self.heap.bytes = bytes;
    }
}
