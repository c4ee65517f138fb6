//! The register VM: state, the host API (`run`/`resume`) and outcomes.

mod access;
mod arith;
mod call;
mod exc;
mod exec;
mod gc;
pub(crate) mod ops;
mod outcome;

use serde::{Deserialize, Serialize};

use crate::api::*;
use crate::bytecode::{Program, Reg};
use crate::compile::{CompileEnv, Diagnostic, compile};
use crate::label::{BranchMask, Interner, Label};
use crate::tools::ToolStub;
use crate::value::{Heap, Slot, Value};
use sqrt_std::label::LabelSet;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Handler {
    pub target: u32,
    pub exc: Reg,
    pub pc_height: u32,
    pub pc: Label,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Frame {
    pub code: u32,
    pub ip: u32,
    pub vals: Vec<Value>,
    pub labs: Vec<Label>,
    pub cells: Vec<u32>,
    pub handlers: Vec<Handler>,
    pub pc_base: u32,
    pub saved_pc: Label,
    /// Register of the caller receiving the return value.
    pub ret: Reg,
    /// A frame called from Rust (a builtin's callback): returning ends the nested loop.
    pub boundary: bool,
}

/// The message of the label-table limit (planner.md §4).
pub(crate) fn too_many_labels() -> String {
    format!(
        "too many labels: a run holds at most {}",
        crate::label::MAX_LABELS
    )
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Pending {
    pub dst: Reg,
    pub tool: u32,
    pub args_label: Label,
    pub line: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Phase {
    Ready,
    Suspended,
    Finished,
}

/// Why the run stopped without an exception handler getting a say.
#[derive(Clone, Debug)]
pub(crate) struct Stop {
    pub code: ErrorCode,
    pub kind: String,
    pub message: String,
    pub label: Label,
}

#[derive(Debug)]
pub(crate) enum Flow {
    /// A Python exception (a heap `Obj::Exception`).
    Exc(Value),
    Stop(Box<Stop>),
}

pub(crate) type R<T> = Result<T, Flow>;

/// A planner program run: compile with `Vm::new`, then `run`, `resume` after each tool call.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Vm {
    pub(crate) prog: Program,
    pub(crate) mode: Mode,
    pub(crate) branch: Option<BranchMask>,
    pub(crate) limits: VmLimits,
    pub(crate) tools: std::rc::Rc<[ToolStub]>,
    pub(crate) clock_micros: i64,
    pub(crate) interner: Interner,
    pub(crate) heap: Heap,
    pub(crate) globals: Vec<Slot>,
    pub(crate) frames: Vec<Frame>,
    pub(crate) pc: Label,
    pub(crate) pc_stack: Vec<Label>,
    pub(crate) sticky: Label,
    pub(crate) printed: String,
    pub(crate) printed_label: Label,
    pub(crate) steps: u64,
    pub(crate) seq: u32,
    pub(crate) pending: Option<Pending>,
    pub(crate) calls: Vec<CallRecord>,
    pub(crate) phase: Phase,
    pub(crate) diagnostics: Vec<Diagnostic>,
    pub(crate) callback_depth: u32,
    pub(crate) setup_error: Option<String>,
    /// Heap size that triggers the next collection.
    pub(crate) gc_next: usize,
    /// Compiled regexes by (pattern, flags); rebuilt on demand after a restore.
    #[serde(skip)]
    pub(crate) regexes: std::collections::HashMap<(std::rc::Rc<str>, i64), regex::Regex>,
}

impl Vm {
    /// Parses, validates and compiles `source`. A program with diagnostics still yields a `Vm`
    /// whose `run` reports `invalid_program` without running anything.
    pub fn new(source: &str, config: RunConfig) -> Vm {
        let mut tools = config.tools;
        if config.parse_with_ai && !tools.iter().any(|t| t.name == "parse_with_ai") {
            tools.push(ToolStub::parse_with_ai());
        }
        let carry = config.carry.unwrap_or_default();
        let env = CompileEnv {
            tools,
            carried: carry.globals.iter().map(|(n, _)| n.clone()).collect(),
            max_source: config.limits.source_bytes,
            max_depth: config.limits.ast_depth,
        };
        // A front-end bug must not take the host down: it becomes a diagnostic (fail closed).
        let compiled = std::panic::catch_unwind(|| compile(source, &env)).unwrap_or_else(|_| {
            Err(vec![Diagnostic {
                kind: "SyntaxError".into(),
                message: "internal compiler error: the program could not be compiled".into(),
                line: 1,
                column: 1,
                start: 0,
                end: 0,
            }])
        });
        let (prog, diagnostics) = match compiled {
            Ok(p) => (p, vec![]),
            Err(d) => (
                Program {
                    source: source.to_string(),
                    ..Program::default()
                },
                d,
            ),
        };
        // The policy's table first (same indices), then labels carried from earlier attempts.
        let mut interner = crate::label::Interner::new(config.labels);
        let mut setup_error = None;
        let carried_names: Vec<String> = carry
            .interner
            .labels
            .iter()
            .map(|(_, n)| n.to_string())
            .collect();
        for n in &carried_names {
            if interner.intern(n).is_err() {
                setup_error = Some(too_many_labels());
            }
        }
        if carry
            .interner
            .labels
            .iter()
            .any(|(l, n)| interner.labels.get(n) != Some(l))
            && !carried_names.is_empty()
        {
            // Carried labels are bit positions: they must keep their indices.
            setup_error =
                Some("the carried label table does not extend the policy's table".to_string());
        }
        let mut vm = Vm {
            globals: vec![(Value::Undef, Label::BOTTOM); prog.globals.len()],
            prog,
            mode: config.mode,
            branch: None,
            limits: config.limits,
            tools: env.tools.into(),
            clock_micros: config.clock_micros,
            interner,
            heap: carry.heap,
            frames: vec![],
            pc: Label::BOTTOM,
            pc_stack: vec![],
            sticky: if config.mode == Mode::Strict {
                carry.sticky
            } else {
                Label::BOTTOM
            },
            printed: String::new(),
            printed_label: Label::BOTTOM,
            steps: 0,
            seq: 0,
            pending: None,
            calls: vec![],
            phase: Phase::Ready,
            diagnostics,
            callback_depth: 0,
            setup_error,
            regexes: Default::default(),
            gc_next: 4 << 20,
        };
        vm.gc_next = vm.gc_next.min(vm.limits.heap_bytes / 2);
        if let Some(g) = vm.globals.first_mut() {
            *g = (Value::None, Label::BOTTOM);
        }
        for (n, s) in carry.globals {
            if let Some(i) = vm.prog.globals.iter().position(|g| **g == *n)
                && i != 0
            {
                vm.globals[i] = s;
            }
        }
        let policy = match (&config.branching, config.mode) {
            (Some(p), _) => Some(p.clone()),
            (None, Mode::Strict) => Some(BranchingPolicy::strict_default()),
            (None, Mode::Normal) => None,
        };
        if let Some(p) = policy {
            let mut sets: [Vec<sqrt_std::label::Label>; 3] = Default::default();
            for (names, set) in [&p.tags, &p.producers, &p.consumers]
                .into_iter()
                .zip(&mut sets)
            {
                for n in names {
                    match vm.interner.intern(n) {
                        Ok(i) => set.push(i),
                        Err(_) => vm.setup_error = Some(too_many_labels()),
                    }
                }
            }
            let [t, pr, c] = sets.map(LabelSet::from_labels);
            let mask = BranchMask::new(p.deny, t, pr, c);
            vm.branch = Some(mask);
        }
        vm
    }

    /// The run's label table: metas in requests and outcomes refer to it, and the host interns
    /// the labels of the metas it resumes with here (`NamedMeta::to_meta(vm.labels_mut())`).
    pub fn labels(&self) -> &sqrt_std::label::Labels {
        &self.interner.labels
    }

    pub fn labels_mut(&mut self) -> &mut sqrt_std::label::Labels {
        &mut self.interner.labels
    }

    /// The compiled bytecode, one instruction per line per code object (for profiling and for
    /// debugging the compiler; the format is not stable).
    #[doc(hidden)]
    pub fn disassemble(&self) -> String {
        let mut out = String::new();
        for (i, c) in self.prog.codes.iter().enumerate() {
            out += &format!("code {i} {}:\n", c.name);
            for (ip, ins) in c.instrs.iter().enumerate() {
                out += &format!("{ip:4} {ins:?}\n");
            }
        }
        out
    }

    /// The static diagnostics (empty when the program compiled).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Starts the run.
    pub fn run(&mut self) -> Step {
        if self.phase != Phase::Ready {
            return self.misuse("run() called twice");
        }
        if !self.diagnostics.is_empty() {
            self.phase = Phase::Finished;
            return Step::Done(self.invalid_outcome());
        }
        if let Some(e) = self.setup_error.clone() {
            self.phase = Phase::Finished;
            return Step::Done(self.stop_outcome(Stop {
                code: ErrorCode::LimitExceeded,
                kind: "LimitExceeded".into(),
                message: e,
                label: Label::BOTTOM,
            }));
        }
        let nregs = self.prog.codes[0].nregs as usize;
        self.frames.push(Frame {
            code: 0,
            ip: 0,
            vals: vec![Value::Undef; nregs],
            labs: vec![Label::BOTTOM; nregs],
            cells: vec![],
            handlers: vec![],
            pc_base: 0,
            saved_pc: Label::BOTTOM,
            ret: 0,
            boundary: false,
        });
        self.drive()
    }

    /// Continues after a `Step::ToolCall` with the host's answer.
    pub fn resume(&mut self, r: Resume) -> Step {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.resume_inner(r))) {
            Ok(step) => step,
            Err(_) => self.internal_error(),
        }
    }

    /// Fail closed: a state that violates an internal invariant (say, a crafted snapshot whose
    /// bytecode indexes out of bounds) ends the run with an error instead of unwinding into the
    /// host.
    fn internal_error(&mut self) -> Step {
        self.phase = Phase::Finished;
        self.frames.clear();
        self.pending = None;
        let error = RunError {
            code: ErrorCode::ProgramError,
            kind: "InternalError".into(),
            message: "the VM stopped on an internal error; the run was abandoned".into(),
            redacted: false,
            meta: sqrt_std::meta::Meta::default(),
            line: 0,
            column: 0,
            rendered: "InternalError: the VM stopped on an internal error; the run was abandoned"
                .into(),
            diagnostics: vec![],
        };
        Step::Done(Outcome {
            status: Status::Failure,
            final_return_value: serde_json::Value::Null,
            final_meta: sqrt_std::meta::Meta::default(),
            error: Some(error),
            calls: self.calls.clone(),
            printed: self.printed.clone(),
            printed_meta: sqrt_std::meta::Meta::default(),
        })
    }

    fn resume_inner(&mut self, r: Resume) -> Step {
        if self.phase != Phase::Suspended {
            return self.misuse("resume() without a pending tool call");
        }
        let Some(p) = self.pending.take() else {
            return self.misuse("no pending call");
        };
        self.phase = Phase::Ready;
        let internal = self.tools.get(p.tool as usize).is_some_and(|t| t.internal);
        if internal && self.mode == Mode::Strict {
            // Success or failure of parse_with_ai reveals its input (planner.md §4 (a)).
            self.sticky.join_in(&p.args_label);
        }
        match r {
            Resume::Return { value, meta } => {
                let l = match self.interner.label_of(&meta) {
                    Ok(l) => l.join(Label::U),
                    Err(_) => return self.finish_stop(self.label_limit()),
                };
                match self.value_from_json(&value, l.clone()) {
                    Ok(v) => {
                        let f = self.frames.last_mut().unwrap();
                        f.vals[p.dst as usize] = v;
                        f.labs[p.dst as usize] = l;
                    }
                    Err(s) => return self.finish_stop(*s),
                }
            }
            Resume::Raise {
                kind,
                message,
                meta,
                catchable,
            } => {
                let l = match self.interner.label_of(&meta) {
                    Ok(l) => l.join(Label::U).join(&p.args_label),
                    Err(_) => return self.finish_stop(self.label_limit()),
                };
                let (cls, code) = match kind {
                    RaiseKind::ToolError => ("ToolError", ErrorCode::ProgramError),
                    RaiseKind::NotEnoughInformation => {
                        ("NotEnoughInformationError", ErrorCode::ProgramError)
                    }
                    RaiseKind::ValueError => ("ValueError", ErrorCode::ProgramError),
                    RaiseKind::PolicyDenied => ("PolicyDenied", ErrorCode::PolicyDenied),
                };
                if !catchable || kind == RaiseKind::PolicyDenied {
                    return self.finish_stop(Stop {
                        code,
                        kind: cls.into(),
                        message,
                        label: l,
                    });
                }
                let exc = self.new_exc(cls, &message, l);
                if let Err(f) = self.unwind(exc, 0) {
                    return self.finish_flow(f);
                }
                return self.drive();
            }
        }
        self.drive()
    }

    /// Structural checks after loading a snapshot, so a crafted one cannot index out of bounds:
    /// every instruction operand against its pool or register file, every heap reference.
    pub(crate) fn validate(&self) -> Result<(), String> {
        let p = &self.prog;
        let n = self.heap.objs.len() as u32;
        for (ci, code) in p.codes.iter().enumerate() {
            if code.spans.len() != code.instrs.len()
                || code.param_regs.iter().any(|r| *r >= code.nregs)
            {
                return Err(format!("bad code object {ci}"));
            }
            for ins in &code.instrs {
                let Ok(serde_json::Value::Object(o)) = serde_json::to_value(ins) else {
                    continue;
                };
                let Some((variant, serde_json::Value::Object(fields))) = o.iter().next() else {
                    continue;
                };
                let count = fields.get("n").and_then(|v| v.as_u64()).unwrap_or(0);
                for (k, v) in fields {
                    let Some(x) = v.as_u64() else { continue };
                    let ok = match k.as_str() {
                        "b" if variant == "LoadBuiltin" => x < crate::builtins::NAMES.len() as u64,
                        "start" => {
                            let width = match variant.as_str() {
                                "BuildDict" => 2 * count,
                                "BuildSlice" => 3,
                                _ => count,
                            };
                            x + width <= code.nregs as u64
                        }
                        "dst" if variant == "Unpack" => x + count <= code.nregs as u64,
                        "dst" | "src" | "a" | "b" | "obj" | "idx" | "list" | "set" | "dict"
                        | "key" | "cond" | "iter" | "func" | "args" | "kwargs" | "reg" | "exc"
                        | "ty" | "msg" | "base" | "spec" | "defaults" => x < code.nregs as u64,
                        "cell" => true,
                        "k" => x < p.consts.len() as u64,
                        "g" => x < p.globals.len() as u64,
                        "name" | "module" => x < p.names.len() as u64,
                        "kwnames" => x < p.name_lists.len() as u64,
                        "captures" => x < p.reg_lists.len() as u64,
                        "class" => x < p.classes.len() as u64,
                        "code" => x < p.codes.len() as u64,
                        "tool" => x < self.tools.len() as u64,
                        "target" | "exit" | "handler" => x <= code.instrs.len() as u64,
                        _ => true,
                    };
                    if !ok {
                        return Err(format!("bad operand {k} in code object {ci}"));
                    }
                }
            }
        }
        let refs_ok = |v: &Value| -> bool {
            let mut stack = vec![v];
            while let Some(v) = stack.pop() {
                match v {
                    Value::Ref(r) if *r >= n => return false,
                    Value::Tuple(t) => stack.extend(t.iter().map(|s| &s.0)),
                    Value::Method(m) => stack.push(&m.0),
                    Value::Tool(t) if *t as usize >= self.tools.len() => return false,
                    _ => {}
                }
            }
            true
        };
        let slots_ok = |xs: &mut dyn Iterator<Item = &Value>| {
            for x in xs {
                if !refs_ok(x) {
                    return false;
                }
            }
            true
        };
        for h in &self.heap.objs {
            use crate::value::{Class, IterState, Obj};
            let ok = match &h.obj {
                Obj::List(v) => slots_ok(&mut v.iter().map(|s| &s.0)),
                Obj::Dict(d) => slots_ok(&mut d.values().flat_map(|(k, v)| [&k.0, &v.0])),
                Obj::Set(s) => slots_ok(&mut s.values().map(|s| &s.0)),
                Obj::Instance { class, fields } => {
                    *class < n && slots_ok(&mut fields.iter().map(|s| &s.0))
                }
                Obj::Exception { class, args, .. } => {
                    refs_ok(class) && slots_ok(&mut args.iter().map(|s| &s.0))
                }
                Obj::Function(f) => {
                    (f.code as usize) < p.codes.len()
                        && f.cells.iter().all(|c| *c < n)
                        && f.defaults.len() == p.codes[f.code as usize].params.names.len()
                        && slots_ok(&mut f.defaults.iter().flatten().map(|s| &s.0))
                }
                Obj::Class(Class::Exception { base, .. }) => refs_ok(base),
                Obj::Cell(s) => refs_ok(&s.0),
                Obj::Iter(IterState::List(l, _)) => *l < n,
                Obj::Iter(IterState::Items(v, _)) => slots_ok(&mut v.iter().map(|s| &s.0)),
                _ => true,
            };
            if !ok {
                return Err("bad heap reference".into());
            }
        }
        for f in &self.frames {
            let code = self
                .prog
                .codes
                .get(f.code as usize)
                .ok_or("bad code index")?;
            if f.ip as usize > code.instrs.len()
                || f.vals.len() < code.nregs as usize
                || f.labs.len() != f.vals.len()
            {
                return Err("bad frame".into());
            }
            if f.cells.iter().any(|c| *c >= n) || !f.vals.iter().all(refs_ok) {
                return Err("bad frame reference".into());
            }
            if f.handlers
                .iter()
                .any(|h| h.target as usize > code.instrs.len() || h.exc >= code.nregs)
            {
                return Err("bad handler".into());
            }
        }
        if self.globals.len() != self.prog.globals.len()
            || !self.globals.iter().all(|g| refs_ok(&g.0))
        {
            return Err("bad globals".into());
        }
        if self
            .pending
            .as_ref()
            .is_some_and(|p| p.tool as usize >= self.tools.len())
        {
            return Err("bad pending call".into());
        }
        Ok(())
    }

    fn label_limit(&self) -> Stop {
        Stop {
            code: ErrorCode::LimitExceeded,
            kind: "LimitExceeded".into(),
            message: too_many_labels(),
            label: Label::BOTTOM,
        }
    }

    fn misuse(&mut self, m: &str) -> Step {
        Step::Done(self.stop_outcome(Stop {
            code: ErrorCode::ProgramError,
            kind: "RuntimeError".into(),
            message: format!("host error: {m}"),
            label: Label::BOTTOM,
        }))
    }

    fn drive(&mut self) -> Step {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.exec(0)));
        let Ok(r) = r else {
            return self.internal_error();
        };
        match r {
            Ok(exec::Exit::Returned(_)) => {
                self.phase = Phase::Finished;
                Step::Done(self.success_outcome())
            }
            Ok(exec::Exit::Suspend(req)) => {
                self.phase = Phase::Suspended;
                Step::ToolCall(*req)
            }
            Err(f) => self.finish_flow(f),
        }
    }

    fn finish_flow(&mut self, f: Flow) -> Step {
        self.phase = Phase::Finished;
        match f {
            Flow::Stop(s) => self.finish_stop(*s),
            Flow::Exc(e) => Step::Done(self.exception_outcome(&e)),
        }
    }

    fn finish_stop(&mut self, s: Stop) -> Step {
        self.phase = Phase::Finished;
        Step::Done(self.stop_outcome(s))
    }

    /// What the next attempt keeps: globals (with heap and labels) and, in STRICT, the sticky
    /// label joined with the label of the error that stopped this attempt.
    pub fn carry_over(&self, stop_meta: Option<&sqrt_std::meta::Meta>) -> CarryOver {
        let mut sticky = self.sticky.clone();
        if let Some(m) = stop_meta
            && let Ok(l) = self.interner.label_of(m)
        {
            sticky.join_in(l);
        }
        CarryOver {
            heap: self.heap.clone(),
            globals: self
                .prog
                .globals
                .iter()
                .zip(self.globals.iter())
                .skip(1)
                .filter(|(_, s)| !matches!(s.0, Value::Undef | Value::Tool(_)))
                .map(|(n, s)| (n.to_string(), s.clone()))
                .collect(),
            interner: self.interner.clone(),
            sticky: sticky.clone(),
        }
    }

    /// The program's global names and their current values as JSON with meta (for the
    /// planner's "defined variables" list and namespace snapshots).
    pub fn namespace(&self) -> Vec<(String, serde_json::Value, sqrt_std::meta::Meta, String)> {
        let mut out = vec![];
        for (n, (v, l)) in self.prog.globals.iter().zip(self.globals.iter()) {
            if matches!(v, Value::Undef) {
                continue;
            }
            let m = self.interner.meta_of(&self.heap.deep(v, l.clone()));
            out.push((n.to_string(), self.to_json_lossy(v), m, self.type_name(v)));
        }
        out
    }
}
