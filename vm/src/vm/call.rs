//! Calls: argument gathering, binding to parameters, frames, callbacks and tool requests.

use std::rc::Rc;

use super::{Frame, Pending, R, Vm};
use crate::api::{CallRecord, Span, ToolRequest};
use crate::builtins::names;
use crate::bytecode::Reg;
use crate::compile::line_col;
use crate::label::Label;
use crate::value::{Class, Function, Obj, Slot, Value};

pub(crate) type Kw = Vec<(Rc<str>, Slot)>;

pub(crate) const TOOL_IN_CALLBACK: &str =
    "tools cannot be called inside a key or map/filter function; use a for loop";

impl Vm {
    pub(crate) fn gather(&self, args: Reg, npos: u16, kwnames: u32) -> (Vec<Slot>, Kw) {
        let names = &self.prog.name_lists[kwnames as usize];
        let pos = self.slots(args, npos);
        let kw = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), self.slot(args + npos + i as u16)))
            .collect();
        (pos, kw)
    }

    pub(crate) fn gather_ex(&mut self, args: Reg, kwargs: Reg) -> R<(Vec<Slot>, Kw)> {
        let pos = self.list_items(self.v(args)).unwrap_or_default();
        let pairs = self.dict_pairs(kwargs)?;
        let mut kw = vec![];
        for ((k, kl), v) in pairs {
            let Value::Str(s) = k else {
                return self.err("TypeError", "keywords must be strings", kl);
            };
            kw.push((s, v));
        }
        Ok((pos, kw))
    }

    /// Calls a value; `None` means a frame was pushed and its return lands in `dst`.
    pub(crate) fn call_value(
        &mut self,
        f: Slot,
        pos: Vec<Slot>,
        kw: Kw,
        dst: Reg,
    ) -> R<Option<Slot>> {
        let (fv, fl) = f;
        match &fv {
            Value::Ref(r) => {
                let r = *r;
                match &self.heap.get(r).obj {
                    Obj::Function(func) => {
                        let func = func.clone();
                        let frame = self.make_frame(&func, pos, kw, dst, false)?;
                        self.push_frame(frame)?;
                        Ok(None)
                    }
                    Obj::Class(Class::Holder { .. }) => self.instantiate(r, pos, kw).map(Some),
                    Obj::Class(Class::Exception { .. }) => {
                        self.make_exception(fv.clone(), pos).map(Some)
                    }
                    _ => {
                        let t = self.type_name(&fv);
                        self.err("TypeError", format!("'{t}' object is not callable"), fl)
                    }
                }
            }
            Value::Builtin(b) if names::is_exception(*b) => {
                self.make_exception(fv.clone(), pos).map(Some)
            }
            Value::Builtin(b) => crate::builtins::call_builtin(self, *b, pos, kw).map(Some),
            Value::ModAttr(m, n) => crate::modules::call(self, *m, &n.clone(), pos, kw).map(Some),
            Value::Method(m) => {
                let (recv, rl, name) = (m.0.clone(), m.1.clone(), m.2.clone());
                self.call_method((recv, rl), &name, pos, kw, dst)
            }
            Value::Tool(_) => self.err(
                "TypeError",
                "call tools by name, like send_email(to=...)",
                fl,
            ),
            other => {
                let t = self.type_name(other);
                self.err("TypeError", format!("'{t}' object is not callable"), fl)
            }
        }
    }

    /// Calls a value from Rust (a builtin's key/map/filter callback) and waits for the result.
    pub(crate) fn call_sync(&mut self, f: &Slot, pos: Vec<Slot>) -> R<Slot> {
        if let Value::Ref(r) = &f.0
            && let Obj::Function(func) = &self.heap.get(*r).obj
        {
            let func = func.clone();
            let frame = self.make_frame(&func, pos, vec![], 0, true)?;
            self.push_frame(frame)?;
            let base = self.frames.len() - 1;
            self.callback_depth += 1;
            let r = self.exec(base);
            self.callback_depth -= 1;
            return match r? {
                super::exec::Exit::Returned(s) => Ok(s),
                super::exec::Exit::Suspend(_) => {
                    self.err("RuntimeError", TOOL_IN_CALLBACK, Label::BOTTOM)
                }
            };
        }
        match self.call_value(f.clone(), pos, vec![], 0)? {
            Some(s) => Ok(s),
            None => self.err("RuntimeError", "callback did not return", Label::BOTTOM),
        }
    }

    fn make_frame(
        &mut self,
        func: &Function,
        pos: Vec<Slot>,
        kw: Kw,
        ret: Reg,
        boundary: bool,
    ) -> R<Frame> {
        let code = &self.prog.codes[func.code as usize];
        let p = code.params.clone();
        let nregs = code.nregs as usize;
        let param_regs = code.param_regs.clone();
        let cell_init = code.cell_init.clone();
        let fname = String::from(&*func.name);
        let sp = self.spc();
        let nn = p.names.len();
        let mut bound: Vec<Option<Slot>> = vec![None; nn];
        let npos = p.npos as usize;
        let mut extra = vec![];
        for (i, a) in pos.into_iter().enumerate() {
            if i < npos {
                bound[i] = Some(a);
            } else {
                extra.push(a);
            }
        }
        if !extra.is_empty() && !p.vararg {
            let given = npos + extra.len();
            let pc = self.pcl();
            return self.err(
                "TypeError",
                format!(
                    "{fname}() takes {npos} positional argument{} but {given} were given",
                    if npos == 1 { "" } else { "s" }
                ),
                pc,
            );
        }
        let mut kwargs = vec![];
        for (k, v) in kw {
            match p.names.iter().position(|n| *n == k) {
                Some(i) if i >= p.posonly as usize => {
                    if bound[i].is_some() {
                        let pc = self.pcl();
                        return self.err(
                            "TypeError",
                            format!("{fname}() got multiple values for argument '{k}'"),
                            pc,
                        );
                    }
                    bound[i] = Some(v);
                }
                _ if p.kwarg => kwargs.push((k, v)),
                _ => {
                    let pc = self.pcl();
                    return self.err(
                        "TypeError",
                        format!("{fname}() got an unexpected keyword argument '{k}'"),
                        pc,
                    );
                }
            }
        }
        let mut vals = vec![Value::Undef; nregs];
        let mut labs = vec![Label::BOTTOM; nregs];
        let mut missing = vec![];
        for i in 0..nn {
            let s = match bound[i].take() {
                Some(s) => s,
                None => match &func.defaults[i] {
                    Some(d) => d.clone(),
                    None => {
                        missing.push(format!("'{}'", p.names[i]));
                        continue;
                    }
                },
            };
            vals[param_regs[i] as usize] = s.0;
            labs[param_regs[i] as usize] = s.1.join(&sp);
        }
        if !missing.is_empty() {
            let pc = self.pcl();
            let n = missing.len();
            let list = if n == 1 {
                missing[0].clone()
            } else {
                format!("{} and {}", missing[..n - 1].join(", "), missing[n - 1])
            };
            return self.err(
                "TypeError",
                format!(
                    "{fname}() missing {n} required argument{}: {list}",
                    if n == 1 { "" } else { "s" }
                ),
                pc,
            );
        }
        let mut k = nn;
        if p.vararg {
            vals[param_regs[k] as usize] = Value::Tuple(Rc::new(extra));
            k += 1;
        }
        if p.kwarg {
            let d = self.alloc(Label::BOTTOM, Obj::Dict(Default::default()))?;
            for (name, v) in kwargs {
                self.dict_set(d, (Value::Str(name), Label::BOTTOM), v)?;
            }
            vals[param_regs[k] as usize] = Value::Ref(d);
        }
        let mut cells = vec![];
        for init in cell_init {
            let s = match init {
                Some(r) => (vals[r as usize].clone(), labs[r as usize].clone()),
                None => (Value::Undef, Label::BOTTOM),
            };
            cells.push(self.alloc(Label::BOTTOM, Obj::Cell(s))?);
        }
        cells.extend(func.cells.iter().copied());
        Ok(Frame {
            code: func.code,
            ip: 0,
            vals,
            labs,
            cells,
            handlers: vec![],
            pc_base: self.pc_stack.len() as u32,
            saved_pc: self.pc.clone(),
            ret,
            boundary,
        })
    }

    fn instantiate(&mut self, class: u32, pos: Vec<Slot>, kw: Kw) -> R<Slot> {
        let Obj::Class(Class::Holder { name, fields }) = self.heap.get(class).obj.clone() else {
            return self.err("TypeError", "not a class", Label::BOTTOM);
        };
        let pc = self.pcl();
        if pos.len() > fields.len() {
            return self.err(
                "TypeError",
                format!(
                    "{name}() takes {} positional arguments but {} were given",
                    fields.len(),
                    pos.len()
                ),
                pc,
            );
        }
        let mut vals: Vec<Option<Slot>> = vec![None; fields.len()];
        for (i, a) in pos.into_iter().enumerate() {
            vals[i] = Some(a);
        }
        for (k, v) in kw {
            match fields.iter().position(|(n, _)| *n == k) {
                Some(i) if vals[i].is_none() => vals[i] = Some(v),
                Some(_) => {
                    return self.err(
                        "TypeError",
                        format!("{name}() got multiple values for argument '{k}'"),
                        pc,
                    );
                }
                None => {
                    return self.err(
                        "TypeError",
                        format!("{name}() got an unexpected keyword argument '{k}'"),
                        pc,
                    );
                }
            }
        }
        let mut out = vec![];
        for (i, v) in vals.into_iter().enumerate() {
            match v.or_else(|| fields[i].1.clone().map(|d| (d, Label::BOTTOM))) {
                Some(s) => out.push(s),
                None => {
                    return self.err(
                        "TypeError",
                        format!("{name}() missing required argument '{}'", fields[i].0),
                        pc,
                    );
                }
            }
        }
        let r = self.alloc(Label::BOTTOM, Obj::Instance { class, fields: out })?;
        Ok((Value::Ref(r), Label::BOTTOM))
    }

    /// `E(args)`: the exception's label is M(arguments); pc joins at `raise`.
    pub(crate) fn make_exception(&mut self, class: Value, args: Vec<Slot>) -> R<Slot> {
        let own = args.iter().fold(Label::BOTTOM, |a, (v, l)| {
            a.join(self.heap.deep(v, l.clone()))
        });
        let r = self.alloc(
            own,
            Obj::Exception {
                class,
                args,
                trace: vec![],
            },
        )?;
        Ok((Value::Ref(r), Label::BOTTOM))
    }

    pub(crate) fn call_method(
        &mut self,
        recv: Slot,
        name: &str,
        pos: Vec<Slot>,
        kw: Kw,
        dst: Reg,
    ) -> R<Option<Slot>> {
        if let Value::Module(m) = recv.0 {
            return crate::modules::call(self, m, name, pos, kw).map(Some);
        }
        if let Value::ModAttr(1, class) = &recv.0 {
            // `datetime.datetime.now()`: a class method.
            let f = crate::modules::datetime::class_attr(self, &class.clone(), name)?;
            return self.call_value((f, recv.1), pos, kw, dst);
        }
        if let Value::Ref(r) = &recv.0
            && matches!(self.heap.get(*r).obj, Obj::Instance { .. })
        {
            // A field holding a callable.
            let rr = self.tmp_get_attr(&recv, name)?;
            return self.call_value(rr, pos, kw, dst);
        }
        crate::builtins::methods::call_method(self, recv, name, pos, kw).map(Some)
    }

    fn tmp_get_attr(&mut self, recv: &Slot, name: &str) -> R<Slot> {
        let Value::Ref(r) = recv.0 else {
            return self.err("AttributeError", "no attribute", recv.1.clone());
        };
        let (class, fields) = match &self.heap.get(r).obj {
            Obj::Instance { class, fields } => (*class, fields.clone()),
            _ => return self.err("AttributeError", "no attribute", recv.1.clone()),
        };
        if let Obj::Class(Class::Holder { fields: names, .. }) = &self.heap.get(class).obj
            && let Some(p) = names.iter().position(|(n, _)| &**n == name)
        {
            return Ok(fields[p].clone());
        }
        let cn = self.class_name(class);
        let el = self.heap.deep(&recv.0, recv.1.clone());
        self.err(
            "AttributeError",
            format!("'{cn}' object has no attribute '{name}'"),
            el,
        )
    }

    /// Binds and validates a tool call and builds the request the host answers.
    pub(crate) fn tool_call(
        &mut self,
        tool: u32,
        pos: Vec<Slot>,
        kw: Kw,
        dst: Reg,
    ) -> R<ToolRequest> {
        let pc = self.pcl();
        if self.callback_depth > 0 {
            return self.err("RuntimeError", super::call::TOOL_IN_CALLBACK, pc);
        }
        // Shared, not copied: the stub's parsed schemas are cached across calls.
        let tools = self.tools.clone();
        let stub = &tools[tool as usize];
        let names: Vec<&str> = kw.iter().map(|(k, _)| &**k).collect();
        let order = match stub.bind(pos.len(), &names) {
            Ok(order) => order,
            Err(m) => return self.err("TypeError", m, pc),
        };
        let mut bound: Vec<Option<Slot>> = vec![None; stub.params.len()];
        for (i, s) in pos
            .into_iter()
            .chain(kw.into_iter().map(|(_, s)| s))
            .enumerate()
        {
            bound[order[i]] = Some(s);
        }
        let sp = self.spc();
        let mut args = Vec::with_capacity(bound.len());
        let mut all = Label::BOTTOM;
        for (i, b) in bound.into_iter().enumerate() {
            let Some((v, l)) = b else { continue };
            let m = self.heap.deep(&v, l);
            all.join_in(&m);
            if matches!(v, Value::None) && !stub.params[i].required && !stub.accepts_null(i) {
                continue;
            }
            let json = match self.to_json(&v) {
                Ok(j) => j,
                Err(t) => {
                    return self.err(
                        "TypeError",
                        format!(
                            "{}() argument '{}': expected JSON data, got {t}",
                            stub.name, stub.params[i].name
                        ),
                        m.join(pc),
                    );
                }
            };
            if stub.internal && stub.params[i].name == "output_schema" && !json.is_object() {
                return self.err(
                    "TypeError",
                    "parse_with_ai(): output_schema must be a JSON Schema dict like {\"type\": \"object\", \"properties\": {...}}",
                    m.join(pc),
                );
            }
            if let Err(msg) = stub.validate_arg(i, &json) {
                return self.err("TypeError", msg, m.join(pc));
            }
            let meta = self.interner.meta_of(&m.join(&sp));
            args.push((stub.params[i].name.clone(), json, meta));
        }
        let fr = self.frames.last().unwrap();
        let (s, e) = self.prog.codes[fr.code as usize].spans[fr.ip.saturating_sub(1) as usize];
        let (line, column) = line_col(&self.prog.source, s);
        let seq = self.seq;
        self.seq += 1;
        self.pending = Some(Pending {
            dst,
            tool,
            args_label: all,
            line,
        });
        self.calls.push(CallRecord {
            seq,
            tool: stub.name.clone(),
            internal: stub.internal,
            line,
        });
        Ok(ToolRequest {
            seq,
            tool: stub.name.clone(),
            internal: stub.internal,
            args,
            pc: self.interner.meta_of(&pc),
            span: Span {
                line,
                column,
                start: s,
                end: e,
            },
        })
    }
}
