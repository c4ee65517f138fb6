//! The instruction loop, exception unwinding and the pc-label stack.

use std::rc::Rc;

use super::arith::int_fast;
use super::ops::int_compare;
use super::{Flow, Frame, Handler, R, Stop, Vm};
use crate::api::{ErrorCode, Mode, ToolRequest};
use crate::builtins::names;
use crate::bytecode::{ClassTemplate, Const, Instr, Reg};
use crate::label::{Label, join_regs};
use crate::value::{Class, Function, IterState, Obj, Slot, Value};

pub(crate) enum Exit {
    Returned(Slot),
    Suspend(Box<ToolRequest>),
}

impl Vm {
    #[inline]
    pub(crate) fn v(&self, r: Reg) -> &Value {
        &self.frames.last().unwrap().vals[r as usize]
    }

    #[inline]
    pub(crate) fn l(&self, r: Reg) -> Label {
        self.frames.last().unwrap().labs[r as usize].clone()
    }

    #[inline]
    pub(crate) fn set(&mut self, r: Reg, v: Value, l: Label) {
        let f = self.frames.last_mut().unwrap();
        f.vals[r as usize] = v;
        f.labs[r as usize] = l;
    }

    /// M(register).
    #[inline]
    pub(crate) fn m(&self, r: Reg) -> Label {
        let f = self.frames.last().unwrap();
        let v = &f.vals[r as usize];
        if !v.is_heap() {
            return f.labs[r as usize].clone();
        }
        self.heap.deep(v, f.labs[r as usize].clone())
    }

    pub(crate) fn slot(&self, r: Reg) -> Slot {
        let f = self.frames.last().unwrap();
        (f.vals[r as usize].clone(), f.labs[r as usize].clone())
    }

    /// The pc-label as read (sticky included).
    #[inline]
    pub(crate) fn pcl(&self) -> Label {
        self.pc.join(self.sticky.clone())
    }

    /// [pc]: the pc-label in STRICT mode, ⊥ in NORMAL.
    #[inline]
    pub(crate) fn spc(&self) -> Label {
        if self.mode == Mode::Strict {
            self.pcl()
        } else {
            Label::BOTTOM
        }
    }

    pub(crate) fn limit(&self, what: &str) -> Flow {
        Flow::Stop(Box::new(Stop {
            code: ErrorCode::LimitExceeded,
            kind: "LimitExceeded".into(),
            message: format!("the program exceeded the {what} limit"),
            label: Label::BOTTOM,
        }))
    }

    pub(crate) fn alloc(&mut self, own: Label, obj: Obj) -> R<u32> {
        let r = self.heap.alloc(own, obj);
        if self.heap.bytes > self.limits.heap_bytes {
            return Err(self.limit("heap"));
        }
        Ok(r)
    }

    pub(crate) fn charge(&mut self, n: usize) -> R<()> {
        self.steps += (n / 64) as u64;
        if self.steps > self.limits.instructions {
            return Err(self.limit("instruction"));
        }
        Ok(())
    }

    fn check_branch(&self, m: Label) -> R<()> {
        let Some(p) = &self.branch else { return Ok(()) };
        let fires = m.violates(p);
        if fires {
            return Err(Flow::Stop(Box::new(Stop {
                code: ErrorCode::ControlFlowViolation,
                kind: "ControlFlowViolation".into(),
                message: "a condition depends on data the branching policy forbids".into(),
                label: m,
            })));
        }
        Ok(())
    }

    /// A new exception object of builtin class `cls`, labelled `label ⊔ pc`.
    pub(crate) fn new_exc(&mut self, cls: &str, msg: &str, label: Label) -> Value {
        let args = vec![(Value::str(msg), Label::BOTTOM)];
        let own = label.join(self.pcl());
        let trace = self.trace();
        let r = self.heap.alloc(
            own,
            Obj::Exception {
                class: Value::Builtin(names::idx(cls)),
                args,
                trace,
            },
        );
        Value::Ref(r)
    }

    pub(crate) fn err<T>(&mut self, cls: &str, msg: impl AsRef<str>, label: Label) -> R<T> {
        Err(Flow::Exc(self.new_exc(cls, msg.as_ref(), label)))
    }

    pub(crate) fn trace(&self) -> Vec<(u32, u32)> {
        self.frames
            .iter()
            .map(|f| (f.code, f.ip.saturating_sub(1)))
            .collect()
    }

    /// Finds a handler for `exc` in frames above `base`, or returns the exception.
    pub(crate) fn unwind(&mut self, exc: Value, base: usize) -> R<()> {
        loop {
            let Some(f) = self.frames.last_mut() else {
                return Err(Flow::Exc(exc));
            };
            if let Some(h) = f.handlers.pop() {
                f.ip = h.target;
                let l = if let Value::Ref(r) = &exc {
                    &self.heap.get(*r).own.clone()
                } else {
                    &Label::BOTTOM
                };
                let f = self.frames.last_mut().unwrap();
                f.vals[h.exc as usize] = exc;
                f.labs[h.exc as usize] = l.clone();
                self.pc_stack.truncate(h.pc_height as usize);
                self.pc = h.pc;
                return Ok(());
            }
            let f = self.frames.pop().unwrap();
            self.pc_stack.truncate(f.pc_base as usize);
            self.pc = f.saved_pc;
            if self.frames.len() <= base || f.boundary {
                return Err(Flow::Exc(exc));
            }
        }
    }

    /// Runs frames above `base` until the frame at `base` returns, or a tool call suspends.
    pub(crate) fn exec(&mut self, base: usize) -> R<Exit> {
        loop {
            match self.dispatch(base) {
                Ok(e) => return Ok(e),
                Err(Flow::Exc(e)) => self.unwind(e, base)?,
                Err(s) => return Err(s),
            }
        }
    }

    fn dispatch(&mut self, base: usize) -> R<Exit> {
        loop {
            self.steps += 1 + self.heap.work.take() / 64;
            if self.steps > self.limits.instructions {
                return Err(self.limit("instruction"));
            }
            if self.heap.bytes >= self.gc_next {
                self.maybe_collect();
            }
            let fi = self.frames.len() - 1;
            let (code, ip) = (self.frames[fi].code, self.frames[fi].ip);
            let ins = self.prog.codes[code as usize].instrs[ip as usize];
            self.frames[fi].ip = ip + 1;
            match ins {
                Instr::LoadConst { dst, k } => {
                    let v = match &self.prog.consts[k as usize] {
                        Const::None => Value::None,
                        Const::Bool(b) => Value::Bool(*b),
                        Const::Int(i) => Value::Int(*i),
                        Const::Float(f) => Value::Float(*f),
                        Const::Str(s) => Value::Str(s.clone()),
                        Const::Ellipsis => Value::Ellipsis,
                    };
                    let f = &mut self.frames[fi];
                    f.vals[dst as usize] = v;
                    f.labs[dst as usize].assign(&Label::BOTTOM);
                }
                Instr::Move { dst, src } => self.copy_reg(fi, dst, src),
                Instr::Store { dst, src } if self.mode == Mode::Normal => {
                    self.copy_reg(fi, dst, src)
                }
                Instr::Store { dst, src } => {
                    let (v, l) = self.slot(src);
                    let l = l.join(self.spc());
                    self.set(dst, v, l);
                }
                Instr::CheckBound { reg, name } => {
                    if matches!(self.v(reg), Value::Undef) {
                        let n = self.prog.names[name as usize].clone();
                        let pc = self.pcl();
                        return self.err(
                            "UnboundLocalError",
                            format!("cannot access local variable '{n}' where it is not associated with a value"),
                            pc,
                        );
                    }
                }
                Instr::Unbind { reg } => self.set(reg, Value::Undef, Label::BOTTOM),
                Instr::LoadGlobal { dst, g } => {
                    let (v, l) = &self.globals[g as usize];
                    if matches!(v, Value::Undef) {
                        let n = self.prog.globals[g as usize].clone();
                        return self.err(
                            "NameError",
                            format!("name '{n}' is not defined"),
                            Label::BOTTOM,
                        );
                    }
                    let f = &mut self.frames[fi];
                    f.vals[dst as usize] = v.clone();
                    f.labs[dst as usize].assign(l);
                }
                Instr::StoreGlobal { g, src } if self.mode == Mode::Normal => {
                    let f = &self.frames[fi];
                    let slot = &mut self.globals[g as usize];
                    slot.0 = f.vals[src as usize].clone();
                    slot.1.assign(&f.labs[src as usize]);
                }
                Instr::StoreGlobal { g, src } => {
                    let (v, l) = self.slot(src);
                    self.globals[g as usize] = (v, l.join(self.spc()));
                }
                Instr::DelGlobal { g } => {
                    if matches!(self.globals[g as usize].0, Value::Undef) {
                        let n = self.prog.globals[g as usize].clone();
                        return self.err(
                            "NameError",
                            format!("name '{n}' is not defined"),
                            Label::BOTTOM,
                        );
                    }
                    self.globals[g as usize] = (Value::Undef, Label::BOTTOM);
                }
                Instr::LoadCell { dst, cell } => {
                    let c = self.frames[fi].cells[cell as usize];
                    let (v, l) = match &self.heap.get(c).obj {
                        Obj::Cell((v, l)) => (v, l),
                        _ => {
                            return self.err(
                                "NameError",
                                "free variable is not a cell",
                                Label::BOTTOM,
                            );
                        }
                    };
                    if matches!(v, Value::Undef) {
                        return self.err(
                            "NameError",
                            "cannot access a variable before it is assigned",
                            Label::BOTTOM,
                        );
                    }
                    let (v, l) = (v.clone(), l.clone());
                    self.set(dst, v, l);
                }
                Instr::StoreCell { cell, src } => {
                    let c = self.frames[fi].cells[cell as usize];
                    let (v, l) = self.slot(src);
                    let l = l.join(self.spc());
                    self.heap.get_mut(c).obj = Obj::Cell((v, l));
                }
                Instr::DelCell { cell } => {
                    let c = self.frames[fi].cells[cell as usize];
                    self.heap.get_mut(c).obj = Obj::Cell((Value::Undef, Label::BOTTOM));
                }
                Instr::LoadBuiltin { dst, b } => self.set(dst, Value::Builtin(b), Label::BOTTOM),
                Instr::LoadTool { dst, tool } => self.set(dst, Value::Tool(tool), Label::BOTTOM),
                Instr::Import { dst, module } => {
                    let m = match &*self.prog.names[module as usize] {
                        "json" => 0,
                        "datetime" => 1,
                        _ => 2,
                    };
                    self.set(dst, Value::Module(m), Label::BOTTOM);
                }
                Instr::BinOp { dst, op, a, b } => {
                    if !self.int_op(fi, dst, a, b, |p, q| int_fast(op, p, q).map(Value::Int)) {
                        let r = self.binop(op, a, b, false)?;
                        self.set(dst, r.0, r.1);
                    }
                }
                Instr::InplaceOp { dst, op, a, b } => {
                    if !self.int_op(fi, dst, a, b, |p, q| int_fast(op, p, q).map(Value::Int)) {
                        let r = self.binop(op, a, b, true)?;
                        self.set(dst, r.0, r.1);
                    }
                }
                Instr::UnOp { dst, op, a } => {
                    let r = self.unop(op, a)?;
                    self.set(dst, r.0, r.1);
                }
                Instr::Compare { dst, op, a, b } => {
                    if !self.int_op(fi, dst, a, b, |p, q| int_compare(op, p, q).map(Value::Bool)) {
                        let r = self.compare(op, a, b)?;
                        self.set(dst, r.0, r.1);
                    }
                }
                Instr::BuildList { dst, start, n } => {
                    let items = self.slots(start, n);
                    self.check_len(items.len())?;
                    let r = self.alloc(Label::BOTTOM, Obj::List(items))?;
                    self.set(dst, Value::Ref(r), Label::BOTTOM);
                }
                Instr::BuildTuple { dst, start, n } => {
                    let items = self.slots(start, n);
                    let t = self.mk_tuple(items)?;
                    self.set(dst, t, Label::BOTTOM);
                }
                Instr::BuildSet { dst, start, n } => {
                    let items = self.slots(start, n);
                    let r = self.alloc(Label::BOTTOM, Obj::Set(Default::default()))?;
                    for (v, l) in items {
                        self.set_add(r, v, l)?;
                    }
                    self.set(dst, Value::Ref(r), Label::BOTTOM);
                }
                Instr::BuildDict { dst, start, n } => {
                    let items = self.slots(start, n * 2);
                    let map = indexmap::IndexMap::with_capacity(n as usize);
                    let r = self.alloc(Label::BOTTOM, Obj::Dict(map))?;
                    for kv in items.chunks(2) {
                        self.dict_set(r, kv[0].clone(), kv[1].clone())?;
                    }
                    self.set(dst, Value::Ref(r), Label::BOTTOM);
                }
                Instr::BuildSlice { dst, start } => {
                    let s = [
                        self.v(start).clone(),
                        self.v(start + 1).clone(),
                        self.v(start + 2).clone(),
                    ];
                    let l = self
                        .l(start)
                        .join(self.l(start + 1))
                        .join(self.l(start + 2));
                    self.set(dst, Value::Slice(Rc::new(s)), l);
                }
                Instr::ListAppend { list, src } => {
                    let s = self.slot(src);
                    if let Value::Ref(r) = self.v(list).clone() {
                        if let Obj::List(v) = &mut self.heap.get_mut(r).obj {
                            v.push(s);
                        }
                        self.heap.bytes += 48;
                    }
                }
                Instr::ListExtend { list, src } => {
                    let items = self.iterate(src)?;
                    if let Value::Ref(r) = self.v(list).clone() {
                        self.heap.bytes += 48 * items.len();
                        if let Obj::List(v) = &mut self.heap.get_mut(r).obj {
                            v.extend(items);
                        }
                    }
                }
                Instr::SetAdd { set, src } => {
                    let (v, l) = self.slot(src);
                    if let Value::Ref(r) = self.v(set).clone() {
                        self.set_add(r, v, l)?;
                    }
                }
                Instr::DictInsert { dict, key, src } => {
                    let (k, v) = (self.slot(key), self.slot(src));
                    if let Value::Ref(r) = self.v(dict).clone() {
                        self.dict_set(r, k, v)?;
                    }
                }
                Instr::DictUpdate { dict, src } => {
                    let pairs = self.dict_pairs(src)?;
                    if let Value::Ref(r) = self.v(dict).clone() {
                        for (k, v) in pairs {
                            self.dict_set(r, k, v)?;
                        }
                    }
                }
                Instr::ListToTuple { dst, src } => {
                    let (v, l) = self.slot(src);
                    let items = match v {
                        Value::Ref(r) => match &self.heap.get(r).obj {
                            Obj::List(v) => v.clone(),
                            _ => vec![],
                        },
                        _ => vec![],
                    };
                    let t = self.mk_tuple(items)?;
                    self.set(dst, t, l);
                }
                Instr::BuildString { dst, start, n } => {
                    let mut s = String::new();
                    let mut l = Label::BOTTOM;
                    for i in 0..n {
                        if let Value::Str(p) = self.v(start + i) {
                            s.push_str(p);
                        }
                        l.join_in(self.l(start + i));
                    }
                    let v = self.mkstr(s)?;
                    self.set(dst, v, l);
                }
                Instr::FormatValue {
                    dst,
                    src,
                    conv,
                    spec,
                } => {
                    let r = self.format_value(src, conv, spec)?;
                    self.set(dst, r.0, r.1);
                }
                Instr::GetItem { dst, obj, idx } => {
                    let r = self.get_item(obj, idx)?;
                    self.set(dst, r.0, r.1);
                }
                Instr::SetItem { obj, idx, src } => self.set_item(obj, idx, src)?,
                Instr::DelItem { obj, idx } => self.del_item(obj, idx)?,
                Instr::GetAttr { dst, obj, name } => {
                    let n = self.prog.names[name as usize].clone();
                    let r = self.get_attr(obj, &n)?;
                    self.set(dst, r.0, r.1);
                }
                Instr::SetAttr { obj, name, src } => {
                    let n = self.prog.names[name as usize].clone();
                    self.set_attr(obj, &n, src)?;
                }
                Instr::Unpack { src, dst, n, star } => self.unpack(src, dst, n, star)?,
                Instr::GetIter { dst, src } => {
                    let st = self.make_iter(src)?;
                    let r = self.alloc(Label::BOTTOM, Obj::Iter(st))?;
                    let l = self.l(src);
                    self.set(dst, Value::Ref(r), l);
                }
                Instr::ForIter { iter, dst, exit } => match self.range_next(fi, iter, dst) {
                    Some(true) => {}
                    Some(false) => self.frames[fi].ip = exit,
                    None => match self.iter_next(iter)? {
                        Some((v, l)) => self.set(dst, v, l),
                        None => self.frames[fi].ip = exit,
                    },
                },
                Instr::Jump { target } => self.frames[fi].ip = target,
                Instr::JumpIf { cond, target, when } => {
                    if self.truthy(cond)? == when {
                        self.frames[fi].ip = target;
                    }
                }
                Instr::PcPush { src, check } => {
                    let m = self.m(src);
                    if check && self.branch.is_some() {
                        self.check_branch(m.clone())?;
                    }
                    self.pc_stack.push(self.pc.clone());
                    self.pc.join_in(m);
                }
                Instr::PcSave => self.pc_stack.push(self.pc.clone()),
                Instr::PcJoin { src, check } => {
                    let m = self.m(src);
                    if check && self.branch.is_some() {
                        self.check_branch(m.clone())?;
                    }
                    self.pc.join_in(m);
                }
                Instr::PcPop { keep } => {
                    if let Some(s) = self.pc_stack.pop()
                        && !keep
                    {
                        self.pc = s;
                    }
                }
                Instr::PcTrunc { depth } => {
                    let h = self.frames[fi].pc_base as usize + depth as usize;
                    self.pc_stack.truncate(h);
                }
                Instr::PcRestore { depth } => {
                    let h = self.frames[fi].pc_base as usize + depth as usize;
                    if self.pc_stack.len() > h {
                        self.pc = self.pc_stack[h].clone();
                        self.pc_stack.truncate(h);
                    }
                }
                Instr::LabelJoin { dst, src } => {
                    let m = self.m(src);
                    self.frames[fi].labs[dst as usize].join_in(m);
                }
                Instr::OwnJoin { obj, src } => {
                    let l = self.l(src).join(self.spc());
                    if let Value::Ref(r) = self.v(obj).clone() {
                        self.heap.get_mut(r).own.join_in(l);
                    }
                }
                Instr::Call {
                    dst,
                    func,
                    args,
                    npos,
                    kwnames,
                } => {
                    let (pos, kw) = self.gather(args, npos, kwnames);
                    let f = self.slot(func);
                    if let Some(s) = self.call_value(f, pos, kw, dst)? {
                        self.set(dst, s.0, s.1);
                    }
                }
                Instr::CallEx {
                    dst,
                    func,
                    args,
                    kwargs,
                } => {
                    let (pos, kw) = self.gather_ex(args, kwargs)?;
                    let f = self.slot(func);
                    if let Some(s) = self.call_value(f, pos, kw, dst)? {
                        self.set(dst, s.0, s.1);
                    }
                }
                Instr::CallMethod {
                    dst,
                    obj,
                    name,
                    args,
                    npos: 1,
                    kwnames,
                } if &*self.prog.names[name as usize] == "append"
                    && self.prog.name_lists[kwnames as usize].is_empty()
                    && self.append_scalar(fi, dst, obj, args)? => {}
                Instr::CallMethod {
                    dst,
                    obj,
                    name,
                    args,
                    npos,
                    kwnames,
                } => {
                    let (pos, kw) = self.gather(args, npos, kwnames);
                    let n = self.prog.names[name as usize].clone();
                    let recv = self.slot(obj);
                    if let Some(s) = self.call_method(recv, &n, pos, kw, dst)? {
                        self.set(dst, s.0, s.1);
                    }
                }
                Instr::CallTool {
                    dst,
                    tool,
                    args,
                    npos,
                    kwnames,
                } => {
                    let (pos, kw) = self.gather(args, npos, kwnames);
                    let req = self.tool_call(tool, pos, kw, dst)?;
                    return Ok(Exit::Suspend(Box::new(req)));
                }
                Instr::CallToolEx {
                    dst,
                    tool,
                    args,
                    kwargs,
                } => {
                    let (pos, kw) = self.gather_ex(args, kwargs)?;
                    let req = self.tool_call(tool, pos, kw, dst)?;
                    return Ok(Exit::Suspend(Box::new(req)));
                }
                Instr::Return { src } => {
                    let (v, l) = self.slot(src);
                    let l = l.join(self.spc());
                    let f = self.frames.pop().unwrap();
                    self.pc_stack.truncate(f.pc_base as usize);
                    self.pc = f.saved_pc;
                    if f.boundary || self.frames.len() <= base {
                        return Ok(Exit::Returned((v, l)));
                    }
                    self.set(f.ret, v, l);
                }
                Instr::MakeFunction {
                    dst,
                    code,
                    defaults,
                    captures,
                } => {
                    let c = &self.prog.codes[code as usize];
                    let name = c.name.clone();
                    let mut ds = vec![];
                    let mut k = 0;
                    for has in c.params.has_default.clone() {
                        if has {
                            ds.push(Some(self.slot(defaults + k)));
                            k += 1;
                        } else {
                            ds.push(None);
                        }
                    }
                    let mut cells: Vec<u32> = vec![];
                    for c in self.prog.reg_lists[captures as usize].clone() {
                        if c & crate::compile::CAPTURE_BY_VALUE != 0 {
                            let s = self.slot(c & !crate::compile::CAPTURE_BY_VALUE);
                            cells.push(self.alloc(Label::BOTTOM, Obj::Cell(s))?);
                        } else {
                            cells.push(self.frames[fi].cells[c as usize]);
                        }
                    }
                    let r = self.alloc(
                        Label::BOTTOM,
                        Obj::Function(Function {
                            code,
                            name,
                            defaults: ds,
                            cells,
                        }),
                    )?;
                    self.set(dst, Value::Ref(r), Label::BOTTOM);
                }
                Instr::MakeClass { dst, class, base } => {
                    let cls = match self.prog.classes[class as usize].clone() {
                        ClassTemplate::Holder { name, fields } => Class::Holder {
                            name,
                            fields: fields
                                .into_iter()
                                .map(|(n, d)| (n, d.map(|c| const_value(&c))))
                                .collect(),
                        },
                        ClassTemplate::Exception { name } => {
                            let b = base
                                .map(|b| self.v(b).clone())
                                .unwrap_or(Value::Builtin(names::idx("Exception")));
                            if !self.is_exc_class(&b) {
                                return self.err(
                                    "TypeError",
                                    "an exception class must derive from an exception class",
                                    Label::BOTTOM,
                                );
                            }
                            Class::Exception { name, base: b }
                        }
                    };
                    let r = self.alloc(Label::BOTTOM, Obj::Class(cls))?;
                    self.set(dst, Value::Ref(r), Label::BOTTOM);
                }
                Instr::SetupExcept { handler, exc } => {
                    let h = Handler {
                        target: handler,
                        exc,
                        pc_height: self.pc_stack.len() as u32,
                        pc: self.pc.clone(),
                    };
                    self.frames[fi].handlers.push(h);
                }
                Instr::PopExcept => {
                    self.frames[fi].handlers.pop();
                }
                Instr::Raise { exc, cause: _ } => {
                    let Some(e) = exc else {
                        let pc = self.pcl();
                        return self.err("RuntimeError", "No active exception to reraise", pc);
                    };
                    let (v, l) = self.slot(e);
                    let ex = self.exception_from(v, l)?;
                    return Err(Flow::Exc(ex));
                }
                Instr::Reraise { src } => {
                    let v = self.v(src).clone();
                    return Err(Flow::Exc(v));
                }
                Instr::MatchExcept { dst, exc, ty } => {
                    let e = self.v(exc).clone();
                    let t = self.v(ty).clone();
                    let ok = self.exc_matches(&e, &t)?;
                    self.set(dst, Value::Bool(ok), Label::BOTTOM);
                }
                Instr::PcPushExc { exc } => {
                    let m = self.m(exc);
                    self.pc_stack.push(self.pc.clone());
                    self.pc.join_in(m);
                }
                Instr::AssertFail { msg } => {
                    let (text, l) = match msg {
                        Some(m) => (self.str_reg(m)?, self.m(m)),
                        None => (String::new(), Label::BOTTOM),
                    };
                    let e = self.new_exc("AssertionError", &text, l);
                    if msg.is_none()
                        && let Value::Ref(r) = &e
                        && let Obj::Exception { args, .. } = &mut self.heap.get_mut(*r).obj
                    {
                        args.clear();
                    }
                    return Err(Flow::Exc(e));
                }
            }
        }
    }

    /// `dst = src` within frame `fi`, label words copied in place.
    #[inline(always)]
    fn copy_reg(&mut self, fi: usize, dst: Reg, src: Reg) {
        let f = &mut self.frames[fi];
        f.vals[dst as usize] = f.vals[src as usize].clone();
        join_regs(&mut f.labs, dst as usize, src as usize, src as usize);
    }

    /// The int-with-int case of an operator, written straight into the frame (no clone, no
    /// deep walk, no temporary: M of a scalar is its label): `false` when `op` does not apply
    /// (another type, overflow, `in`) and the general path must run.
    #[inline(always)]
    fn int_op(
        &mut self,
        fi: usize,
        dst: Reg,
        a: Reg,
        b: Reg,
        op: impl Fn(i64, i64) -> Option<Value>,
    ) -> bool {
        let f = &mut self.frames[fi];
        let (Value::Int(p), Value::Int(q)) = (&f.vals[a as usize], &f.vals[b as usize]) else {
            return false;
        };
        let Some(v) = op(*p, *q) else {
            return false;
        };
        f.vals[dst as usize] = v;
        join_regs(&mut f.labs, dst as usize, a as usize, b as usize);
        true
    }

    /// The next value of a `range` iterator, written straight into `dst`: `Some(false)` when
    /// exhausted, `None` when `iter` is another kind of iterator. Same result and label as
    /// `iter_next` (the iterator register's).
    #[inline(always)]
    fn range_next(&mut self, fi: usize, iter: Reg, dst: Reg) -> Option<bool> {
        let f = &mut self.frames[fi];
        let Value::Ref(r) = f.vals[iter as usize] else {
            return None;
        };
        if !matches!(self.heap.get(r).obj, Obj::Iter(IterState::Range(..))) {
            return None;
        }
        let Obj::Iter(IterState::Range(cur, stop, step)) = &mut self.heap.get_mut(r).obj else {
            return None;
        };
        if !((*step > 0 && *cur < *stop) || (*step < 0 && *cur > *stop)) {
            return Some(false);
        }
        let c = *cur;
        *cur = cur.saturating_add(*step);
        f.vals[dst as usize] = Value::Int(c);
        join_regs(&mut f.labs, dst as usize, iter as usize, iter as usize);
        Some(true)
    }

    /// `xs.append(x)` of a scalar `x` onto a list, without building the argument vectors:
    /// `false` when the receiver is not a list or `x` is a heap value (the general method
    /// path then runs). Labels as `list.append`: x stored ⊔ [pc], own(xs) ⊔= m(xs) ⊔ [pc].
    fn append_scalar(&mut self, fi: usize, dst: Reg, obj: Reg, arg: Reg) -> R<bool> {
        let f = &self.frames[fi];
        let (Value::Ref(r), false) = (&f.vals[obj as usize], f.vals[arg as usize].is_heap()) else {
            return Ok(false);
        };
        let r = *r;
        let Obj::List(items) = &self.heap.get(r).obj else {
            return Ok(false);
        };
        self.check_len(items.len() + 1)?;
        let sp = self.spc();
        let f = &self.frames[fi];
        let item = (f.vals[arg as usize].clone(), f.labs[arg as usize].join(&sp));
        let own = f.labs[obj as usize].join(sp);
        if let Obj::List(items) = &mut self.heap.get_mut(r).obj {
            items.push(item);
        }
        self.heap.bytes += 48;
        self.heap.get_mut(r).own.join_in(own);
        self.set(dst, Value::None, Label::BOTTOM);
        Ok(true)
    }

    /// A tuple, refusing nesting deeper than `MAX_TUPLE_DEPTH` (catchable RecursionError).
    pub(crate) fn mk_tuple(&mut self, items: Vec<Slot>) -> R<Value> {
        if crate::value::Heap::tuple_depth(&items) > crate::value::MAX_TUPLE_DEPTH {
            let pc = self.pcl();
            return self.err("RecursionError", "maximum tuple nesting depth exceeded", pc);
        }
        Ok(Value::Tuple(Rc::new(items)))
    }

    pub(crate) fn slots(&self, start: Reg, n: u16) -> Vec<Slot> {
        (0..n).map(|i| self.slot(start + i)).collect()
    }

    pub(crate) fn check_len(&self, n: usize) -> R<()> {
        if n > self.limits.collection_len {
            return Err(self.limit("collection size"));
        }
        Ok(())
    }

    pub(crate) fn mkstr(&self, s: String) -> R<Value> {
        if s.len() > self.limits.str_bytes {
            return Err(self.limit("string size"));
        }
        // Building a string is charged like a builtin (1 step per 64 bytes).
        self.heap.work.set(self.heap.work.get() + s.len() as u64);
        Ok(Value::Str(s.into()))
    }

    /// Pushes a frame for a user function; the caller continues when it returns.
    pub(crate) fn push_frame(&mut self, f: Frame) -> R<()> {
        if self.frames.len() >= self.limits.call_depth {
            let pc = self.pcl();
            return self.err("RecursionError", "maximum recursion depth exceeded", pc);
        }
        self.frames.push(f);
        Ok(())
    }

    pub(crate) fn iter_next(&mut self, iter: Reg) -> R<Option<Slot>> {
        let Value::Ref(r) = self.v(iter).clone() else {
            return Ok(None);
        };
        let il = self.l(iter);
        let h = self.heap.get_mut(r);
        let Obj::Iter(st) = &mut h.obj else {
            return Ok(None);
        };
        Ok(match st {
            IterState::List(l, i) => {
                let (l, idx) = (*l, *i);
                *i += 1;
                let lst = self.heap.get(l);
                match &lst.obj {
                    Obj::List(v) if idx < v.len() => {
                        let (x, xl) = v[idx].clone();
                        Some((x, xl.join(il).join(lst.own.clone())))
                    }
                    _ => None,
                }
            }
            IterState::Items(v, i) => {
                let out = v.get(*i).cloned();
                *i += 1;
                out.map(|(x, l)| (x, l.join(il)))
            }
            IterState::Range(cur, stop, step) => {
                if (*step > 0 && *cur < *stop) || (*step < 0 && *cur > *stop) {
                    let c = *cur;
                    *cur = cur.saturating_add(*step);
                    Some((Value::Int(c), il))
                } else {
                    None
                }
            }
        })
    }
}

pub(crate) fn const_value(c: &Const) -> Value {
    match c {
        Const::None => Value::None,
        Const::Bool(b) => Value::Bool(*b),
        Const::Int(i) => Value::Int(*i),
        Const::Float(f) => Value::Float(*f),
        Const::Str(s) => Value::Str(s.clone()),
        Const::Ellipsis => Value::Ellipsis,
    }
}
