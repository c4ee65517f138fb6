//! Front end: planner source → validated register bytecode, in one walk over ruff's AST.
//!
//! Every node either compiles or records a diagnostic; if any diagnostic exists the program is
//! rejected as a whole and nothing runs (invariant 5). Names are resolved per function from a
//! name analysis (`scope`): bound anywhere in a function means local (a register, or a cell when
//! a nested function reads it); module-level names are global slots.

mod comp;
mod def;
mod expr;
mod scope;
mod stmt;

// Names are hashed on every lookup of a compile: a fast hasher, as the keys are the program's.
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::rc::Rc;

use ruff_python_ast::{self as ast, Stmt};
use ruff_text_size::{Ranged, TextRange};
use serde::{Deserialize, Serialize};

use crate::builtins;
use crate::bytecode::{Code, Const, Instr, Program, Reg};
use crate::tools::ToolStub;

pub const MAX_DIAGNOSTICS: usize = 10;
/// In a capture list, a register (not a cell) whose current value a new function captures: a
/// comprehension variable read by a lambda inside the comprehension.
pub const CAPTURE_BY_VALUE: u16 = 0x8000;
pub const MODULES: &[&str] = &["json", "datetime", "re"];

/// A static error: `kind` is `SyntaxError` or `TypeError` (bad tool call shapes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub kind: String,
    pub message: String,
    /// 1-based line and column (columns count code points).
    pub line: u32,
    pub column: u32,
    pub start: u32,
    pub end: u32,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}, column {}: {}: {}",
            self.line, self.column, self.kind, self.message
        )
    }
}

/// What the namespace holds besides the program's own names.
#[derive(Clone, Debug, Default)]
pub struct CompileEnv {
    pub tools: Vec<ToolStub>,
    /// Globals carried over from earlier attempts.
    pub carried: Vec<String>,
    pub max_source: usize,
    pub max_depth: usize,
}

/// Compiles a planner program. On failure returns up to 10 diagnostics in source order.
pub fn compile(source: &str, env: &CompileEnv) -> Result<Program, Vec<Diagnostic>> {
    let max_source = if env.max_source == 0 {
        256 * 1024
    } else {
        env.max_source
    };
    if source.len() > max_source {
        return Err(vec![diag_at(
            source,
            "SyntaxError",
            format!(
                "program too long: {} bytes, the limit is {max_source}",
                source.len()
            ),
            TextRange::default(),
        )]);
    }
    let parsed = match ruff_python_parser::parse_module(source) {
        Ok(p) => p,
        Err(e) => {
            return Err(vec![diag_at(
                source,
                "SyntaxError",
                e.error.to_string(),
                e.location,
            )]);
        }
    };
    let module = parsed.into_syntax();
    let mut c = Compiler::new(source, env);
    c.module(&module.body);
    c.finish()
}

pub(crate) fn line_col(source: &str, offset: u32) -> (u32, u32) {
    let off = (offset as usize).min(source.len());
    // Bytes, not chars, for the newlines ('\n' is never inside a UTF-8 sequence): this runs at
    // every tool call. Only the last line is decoded, to count code points.
    let before = &source.as_bytes()[..floor_char(source, off)];
    // A branch-free sum the compiler vectorizes.
    let line = before.iter().fold(0u32, |n, &b| n + u32::from(b == b'\n')) + 1;
    let start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let last = &before[start..];
    // Continuation bytes (0b10xx_xxxx) do not start a code point.
    let col = last.iter().filter(|&&b| (b as i8) >= -0x40).count() as u32 + 1;
    (line, col)
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn diag_at(source: &str, kind: &str, message: String, r: TextRange) -> Diagnostic {
    let (line, column) = line_col(source, r.start().to_u32());
    Diagnostic {
        kind: kind.to_string(),
        message,
        line,
        column,
        start: r.start().to_u32(),
        end: r.end().to_u32(),
    }
}

#[derive(Clone)]
pub(crate) enum Block<'a> {
    Loop { id: usize, pc_depth: u16 },
    Except,
    Finally(&'a [Stmt]),
}

#[derive(Default)]
pub(crate) struct FnState<'a> {
    pub code: Code,
    pub is_module: bool,
    pub locals: HashMap<String, Reg>,
    pub cells: HashMap<String, Reg>,
    pub params: HashSet<String>,
    pub comp: Vec<HashMap<String, Reg>>,
    pub next: u16,
    pub max: u16,
    pub blocks: Vec<Block<'a>>,
    pub pc_depth: u16,
    /// Exception registers of the except handlers being compiled (for bare `raise`).
    pub handler_exc: Vec<Reg>,
    /// Loop bookkeeping: (continue target, break jumps to patch).
    pub loops: Vec<(u32, Vec<usize>)>,
}

pub(crate) enum Loc {
    Reg(Reg, bool),
    Cell(Reg),
    Global(u32),
    Builtin(u32),
    Tool(u32),
    Module,
    Undefined,
}

/// The index of `n` in a program table (`table`, looked up through `ids`), added once.
fn intern(ids: &mut HashMap<Rc<str>, u32>, table: &mut Vec<Rc<str>>, n: &str) -> u32 {
    if let Some(&i) = ids.get(n) {
        return i;
    }
    let i = table.len() as u32;
    let n: Rc<str> = n.into();
    table.push(n.clone());
    ids.insert(n, i);
    i
}

pub(crate) struct Compiler<'a> {
    pub src: &'a str,
    pub env: &'a CompileEnv,
    pub prog: Program,
    pub diags: Vec<Diagnostic>,
    pub globals: HashMap<Rc<str>, u32>,
    pub fns: Vec<FnState<'a>>,
    pub span: TextRange,
    pub depth: usize,
    pub depth_reported: bool,
    pub str_consts: HashMap<Rc<str>, u32>,
    /// Non-string constants by (kind, bits).
    pub scalar_consts: HashMap<(u8, u64), u32>,
    /// Attribute and keyword names already in `prog.names`.
    pub name_ids: HashMap<Rc<str>, u32>,
    /// Keyword-name lists already in `prog.name_lists`.
    pub kw_lists: HashMap<Vec<&'a str>, u32>,
}

impl<'a> Compiler<'a> {
    fn new(src: &'a str, env: &'a CompileEnv) -> Self {
        // Tables sized for the program up front (about one entry per 64 bytes of source in
        // planner programs), so they are not rehashed as they fill.
        let n = (src.len() / 64).clamp(8, 1024);
        let table = || HashMap::with_capacity_and_hasher(n, Default::default());
        Compiler {
            src,
            env,
            prog: Program {
                source: src.to_string(),
                consts: Vec::with_capacity(n),
                ..Program::default()
            },
            diags: vec![],
            globals: table(),
            fns: vec![],
            span: TextRange::default(),
            depth: 0,
            depth_reported: false,
            str_consts: table(),
            scalar_consts: HashMap::with_capacity_and_hasher(n, Default::default()),
            name_ids: table(),
            kw_lists: HashMap::with_capacity_and_hasher(n, Default::default()),
        }
    }

    fn module(&mut self, body: &'a [Stmt]) {
        let scope = scope::analyze_module(body);
        self.global("final_return_value");
        for n in &self.env.carried {
            self.global(n);
        }
        for n in &scope.assigned {
            self.global(n);
        }
        self.prog.codes.push(Code::default());
        let mut f = FnState {
            is_module: true,
            ..FnState::default()
        };
        f.code.name = "<module>".into();
        // About one instruction per 12 bytes of source in practice: the vectors grow once or
        // not at all instead of doubling from empty.
        let guess = (self.src.len() / 12).clamp(16, 4096);
        f.code.instrs.reserve(guess);
        f.code.spans.reserve(guess);
        self.fns.push(f);
        self.stmts(body);
        let r = self.tmp();
        let k = self.konst(Const::None);
        self.emit(Instr::LoadConst { dst: r, k });
        self.emit(Instr::Return { src: r });
        let f = self.fns.pop().unwrap();
        self.prog.codes[0] = finish_code(f);
    }

    fn finish(mut self) -> Result<Program, Vec<Diagnostic>> {
        if !self.diags.is_empty() {
            self.diags.sort_by_key(|d| (d.start, d.end));
            self.diags.dedup();
            self.diags.truncate(MAX_DIAGNOSTICS);
            return Err(self.diags);
        }
        Ok(self.prog)
    }

    pub fn global(&mut self, n: &str) -> u32 {
        intern(&mut self.globals, &mut self.prog.globals, n)
    }

    pub fn err(&mut self, r: TextRange, msg: impl Into<String>) {
        let d = diag_at(self.src, "SyntaxError", msg.into(), r);
        self.diags.push(d);
    }

    pub fn type_err(&mut self, r: TextRange, msg: impl Into<String>) {
        let d = diag_at(self.src, "TypeError", msg.into(), r);
        self.diags.push(d);
    }

    pub fn f(&mut self) -> &mut FnState<'a> {
        self.fns.last_mut().unwrap()
    }

    pub fn here(&self) -> u32 {
        self.fns.last().unwrap().code.instrs.len() as u32
    }

    pub fn emit(&mut self, i: Instr) -> usize {
        let span = (self.span.start().to_u32(), self.span.end().to_u32());
        let f = self.f();
        f.code.instrs.push(i);
        f.code.spans.push(span);
        f.code.instrs.len() - 1
    }

    /// Points the jump at `at` to the current position.
    pub fn patch(&mut self, at: usize) {
        let here = self.here();
        self.patch_to(at, here);
    }

    pub fn patch_to(&mut self, at: usize, target: u32) {
        match &mut self.f().code.instrs[at] {
            Instr::Jump { target: t }
            | Instr::JumpIf { target: t, .. }
            | Instr::ForIter { exit: t, .. }
            | Instr::SetupExcept { handler: t, .. } => *t = target,
            _ => {}
        }
    }

    pub fn tmp(&mut self) -> Reg {
        self.tmps(1)
    }

    pub fn tmps(&mut self, n: u16) -> Reg {
        let f = self.f();
        let r = f.next;
        match f.next.checked_add(n) {
            Some(v) if v < CAPTURE_BY_VALUE => {
                f.next = v;
                f.max = f.max.max(v);
            }
            _ => {
                let s = self.span;
                self.err(s, "expression too complex: too many registers");
            }
        }
        r
    }

    /// The pool index of a constant; equal constants share one entry.
    pub fn konst(&mut self, c: Const) -> u32 {
        let next = self.prog.consts.len() as u32;
        let scalar = match &c {
            Const::Str(s) => {
                if let Some(&k) = self.str_consts.get(&**s) {
                    return k;
                }
                self.str_consts.insert(s.clone(), next);
                None
            }
            // Floats by their bits: 0.0 and -0.0 stay apart.
            Const::None => Some((0, 0)),
            Const::Bool(b) => Some((1, *b as u64)),
            Const::Int(i) => Some((2, *i as u64)),
            Const::Float(f) => Some((3, f.to_bits())),
            Const::Ellipsis => Some((4, 0)),
        };
        if let Some(key) = scalar {
            if let Some(&k) = self.scalar_consts.get(&key) {
                return k;
            }
            self.scalar_consts.insert(key, next);
        }
        self.prog.consts.push(c);
        next
    }

    /// A string constant, allocated only the first time the program uses it.
    pub fn str_const(&mut self, s: &str) -> u32 {
        if let Some(&k) = self.str_consts.get(s) {
            return k;
        }
        let k = self.prog.consts.len() as u32;
        let s = rc(s);
        self.str_consts.insert(s.clone(), k);
        self.prog.consts.push(Const::Str(s));
        k
    }

    /// The index of a name in the program's name table (each name once).
    pub fn name_idx(&mut self, n: &str) -> u32 {
        intern(&mut self.name_ids, &mut self.prog.names, n)
    }

    pub fn is_tool(&self, n: &str) -> Option<u32> {
        self.env
            .tools
            .iter()
            .position(|t| t.name == n)
            .map(|i| i as u32)
    }

    pub fn resolve(&self, n: &str) -> Loc {
        let f = self.fns.last().unwrap();
        for c in f.comp.iter().rev() {
            if let Some(&r) = c.get(n) {
                return Loc::Reg(r, false);
            }
        }
        if !f.is_module {
            if let Some(&c) = f.cells.get(n) {
                return Loc::Cell(c);
            }
            if let Some(&r) = f.locals.get(n) {
                return Loc::Reg(r, !f.params.contains(n));
            }
        }
        if let Some(&g) = self.globals.get(n) {
            return Loc::Global(g);
        }
        if let Some(t) = self.is_tool(n) {
            return Loc::Tool(t);
        }
        if let Some(b) = builtins::builtin_index(n) {
            return Loc::Builtin(b);
        }
        if MODULES.contains(&n) {
            return Loc::Module;
        }
        Loc::Undefined
    }

    /// Attribute names: only dunders are rejected (`re.compile` is fine).
    pub fn check_dunder(&mut self, n: &str, r: TextRange) -> bool {
        if n.len() > 4 && n.starts_with("__") && n.ends_with("__") {
            self.err(r, "names that start and end with '__' are not accessible");
            return false;
        }
        true
    }

    /// Rejections that apply to any identifier the program mentions.
    pub fn check_name(&mut self, n: &str, r: TextRange) -> bool {
        if !self.check_dunder(n, r) {
            return false;
        }
        let msg = match n {
            "eval" | "exec" | "compile" => {
                format!("'{n}' is not available; write the code directly")
            }
            "open" | "input" => {
                format!("'{n}' is not available: no files or user input; use the tools")
            }
            "getattr" | "setattr" | "hasattr" | "delattr" => {
                format!("'{n}' is not available; use obj.field or d.get(key)")
            }
            "globals" | "locals" | "vars" | "dir" => {
                format!("'{n}' is not available; use variables by name")
            }
            "exit" | "quit" => {
                format!("'{n}' is not available; set final_return_value and let the program end")
            }
            _ => return true,
        };
        // A program may define its own function or variable with one of these names.
        if self.globals.contains_key(n) || self.fns.last().is_some_and(|f| f.locals.contains_key(n))
        {
            return true;
        }
        self.err(r, msg);
        false
    }

    /// Rejections for a name being bound.
    pub fn check_bind(&mut self, n: &str, r: TextRange) -> bool {
        if !self.check_name(n, r) {
            return false;
        }
        if self.is_tool(n).is_some() {
            self.err(
                r,
                format!("cannot assign to '{n}', a tool name; choose another"),
            );
            return false;
        }
        if builtins::builtin_index(n).is_some() {
            self.err(
                r,
                format!("cannot assign to '{n}', a builtin name; choose another"),
            );
            return false;
        }
        if n == "final_return_value" && !self.fns.last().unwrap().is_module {
            self.err(
                r,
                "set final_return_value at module level; return the value instead",
            );
            return false;
        }
        true
    }

    pub fn enter<T: Ranged>(&mut self, node: &T) -> bool {
        self.depth += 1;
        self.span = node.range();
        let max = if self.env.max_depth == 0 {
            64
        } else {
            self.env.max_depth
        };
        if self.depth > max {
            if !self.depth_reported {
                self.depth_reported = true;
                self.err(
                    node.range(),
                    format!("program nested too deeply: the limit is {max} levels"),
                );
            }
            return false;
        }
        true
    }

    pub fn leave(&mut self) {
        self.depth -= 1;
    }

    /// Starts compiling a nested function; returns the captures (enclosing cell registers).
    pub fn push_fn(&mut self, name: &str, params: &ast::Parameters, sc: &scope::Scope) -> Vec<Reg> {
        let pnames = scope::params_of(params);
        // Binding order: named parameters (positional, then keyword-only), *args, **kwargs.
        let mut order: Vec<String> = params
            .posonlyargs
            .iter()
            .chain(params.args.iter())
            .chain(params.kwonlyargs.iter())
            .map(|a| a.parameter.name.id.to_string())
            .collect();
        order.extend(params.vararg.iter().map(|a| a.name.id.to_string()));
        order.extend(params.kwarg.iter().map(|a| a.name.id.to_string()));
        let free = sc.free(&pnames);
        let mut st = FnState::default();
        st.code.name = name.into();
        let mut own_cells: Vec<&str> = vec![];
        for &n in pnames.iter().chain(sc.assigned.iter()) {
            if sc.child_free.contains(n) && !own_cells.contains(&n) {
                own_cells.push(n);
            }
        }
        // Parameter registers come first, in binding order.
        for n in &order {
            let r = st.next;
            st.next += 1;
            st.locals.insert(n.clone(), r);
            st.params.insert(n.clone());
            st.code.param_regs.push(r);
        }
        for &n in &sc.assigned {
            if !st.locals.contains_key(n) {
                let r = st.next;
                st.next += 1;
                st.locals.insert(n.to_string(), r);
            }
        }
        for (i, &n) in own_cells.iter().enumerate() {
            st.cells.insert(n.to_string(), i as Reg);
            st.code.cell_init.push(if st.params.contains(n) {
                st.locals.get(n).copied()
            } else {
                None
            });
        }
        let mut captures = vec![];
        let mut nfree = 0u16;
        for &n in &free {
            let cap = match self.resolve(n) {
                Loc::Cell(c) => c,
                Loc::Reg(r, _)
                    if self
                        .fns
                        .last()
                        .is_some_and(|f| f.comp.iter().any(|c| c.contains_key(n))) =>
                {
                    CAPTURE_BY_VALUE | r
                }
                _ => continue,
            };
            st.cells
                .insert(n.to_string(), (own_cells.len() + nfree as usize) as Reg);
            captures.push(cap);
            nfree += 1;
        }
        st.code.nfree = nfree;
        st.max = st.next;
        let mut p = crate::bytecode::Params::default();
        for a in params
            .posonlyargs
            .iter()
            .chain(params.args.iter())
            .chain(params.kwonlyargs.iter())
        {
            p.names.push(a.parameter.name.id.as_str().into());
            p.has_default.push(a.default.is_some());
        }
        p.posonly = params.posonlyargs.len() as u16;
        p.npos = (params.posonlyargs.len() + params.args.len()) as u16;
        p.vararg = params.vararg.is_some();
        p.kwarg = params.kwarg.is_some();
        st.code.params = p;
        self.fns.push(st);
        captures
    }

    pub fn pop_fn(&mut self) -> u32 {
        let f = self.fns.pop().unwrap();
        self.prog.codes.push(finish_code(f));
        self.prog.codes.len() as u32 - 1
    }
}

fn finish_code(f: FnState) -> Code {
    let mut code = f.code;
    code.nregs = f.max.max(f.next) + 1;
    code
}

pub(crate) fn rc(s: &str) -> Rc<str> {
    s.into()
}

#[cfg(test)]
mod tests {
    use super::line_col;

    #[test]
    fn line_col_counts_lines_and_code_points() {
        let src = "a = 1\nb = \"é€\" + x\n";
        // `x` is after a 2-byte and a 3-byte character on line 2.
        let x = src.find('x').unwrap() as u32;
        assert_eq!(line_col(src, x), (2, 12));
        assert_eq!(line_col(src, 0), (1, 1));
        assert_eq!(line_col(src, 6), (2, 1));
        // Inside a character: the column of that character; past the end: the end.
        let e = src.find('é').unwrap() as u32;
        assert_eq!(line_col(src, e + 1), (2, 6));
        assert_eq!(line_col(src, 1000), (3, 1));
    }
}
