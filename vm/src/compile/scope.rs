//! Name analysis of one function body: which names it binds, which it reads, and which its
//! nested functions read from outside themselves (those become cells).
//!
//! Names are borrowed from the AST and kept in hash sets: this runs on every compile, over
//! every function, and owned `String`s in ordered sets were most of its cost.

use ruff_python_ast::{self as ast, Expr, Stmt};
use rustc_hash::FxHashSet as HashSet;

#[derive(Default, Debug)]
pub struct Scope<'a> {
    /// Names bound in the body (assignment targets, `def`, `class`, imports, `as`), in order.
    pub assigned: Vec<&'a str>,
    assigned_set: HashSet<&'a str>,
    /// Names read in the body itself.
    pub used: HashSet<&'a str>,
    /// Names read by nested functions and not bound by them.
    pub child_free: HashSet<&'a str>,
}

impl<'a> Scope<'a> {
    pub fn is_assigned(&self, n: &str) -> bool {
        self.assigned_set.contains(n)
    }

    /// Free names of this scope given its locals, sorted (capture order is deterministic).
    pub fn free(&self, params: &[&str]) -> Vec<&'a str> {
        let mut v: Vec<&'a str> = self
            .used
            .iter()
            .chain(self.child_free.iter())
            .copied()
            .filter(|n| !self.is_assigned(n) && !params.contains(n))
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }
}

#[derive(Default)]
struct Collector<'a> {
    scope: Scope<'a>,
    comp_bound: Vec<HashSet<&'a str>>,
    /// The module's own reads are never asked for (it has no free names): not collected.
    module: bool,
}

pub fn params_of(p: &ast::Parameters) -> Vec<&str> {
    let mut v: Vec<&str> = p
        .posonlyargs
        .iter()
        .chain(p.args.iter())
        .map(|a| a.parameter.name.id.as_str())
        .collect();
    v.extend(p.vararg.iter().map(|a| a.name.id.as_str()));
    v.extend(p.kwonlyargs.iter().map(|a| a.parameter.name.id.as_str()));
    v.extend(p.kwarg.iter().map(|a| a.name.id.as_str()));
    v
}

/// Analyses a function body.
pub fn analyze_body(body: &[Stmt]) -> Scope<'_> {
    let mut c = Collector::default();
    c.stmts(body);
    c.scope
}

/// Analyses the module: what it binds and what its functions read from it; `used` stays empty.
pub fn analyze_module(body: &[Stmt]) -> Scope<'_> {
    let mut c = Collector {
        module: true,
        ..Collector::default()
    };
    c.stmts(body);
    c.scope
}

pub fn analyze_lambda(body: &Expr) -> Scope<'_> {
    let mut c = Collector::default();
    c.expr(body);
    c.scope
}

impl<'a> Collector<'a> {
    fn read(&mut self, n: &'a str) {
        if !self.module {
            self.scope.used.insert(n);
        }
    }

    fn bind(&mut self, n: &'a str) {
        if self.scope.assigned_set.insert(n) {
            self.scope.assigned.push(n);
        }
    }

    fn child(&mut self, params: Vec<&str>, s: Scope<'a>) {
        for n in s.free(&params) {
            if !self.comp_bound.iter().any(|b| b.contains(n)) {
                self.scope.child_free.insert(n);
            }
        }
    }

    fn target(&mut self, e: &'a Expr) {
        match e {
            Expr::Name(n) => {
                if let Some(b) = self.comp_bound.last_mut() {
                    b.insert(n.id.as_str());
                } else {
                    self.bind(n.id.as_str());
                }
            }
            Expr::Tuple(t) => t.elts.iter().for_each(|x| self.target(x)),
            Expr::List(t) => t.elts.iter().for_each(|x| self.target(x)),
            Expr::Starred(s) => self.target(&s.value),
            other => self.expr(other),
        }
    }

    fn stmts(&mut self, b: &'a [Stmt]) {
        for s in b {
            self.stmt(s);
        }
    }

    fn stmt(&mut self, s: &'a Stmt) {
        match s {
            Stmt::FunctionDef(f) => {
                self.bind(f.name.id.as_str());
                self.params_defaults(&f.parameters);
                let child = analyze_body(&f.body);
                self.child(params_of(&f.parameters), child);
            }
            Stmt::ClassDef(c) => {
                self.bind(c.name.id.as_str());
                if let Some(a) = &c.arguments {
                    a.args.iter().for_each(|x| self.expr(x));
                }
            }
            Stmt::Return(r) => r.value.iter().for_each(|v| self.expr(v)),
            Stmt::Delete(d) => d.targets.iter().for_each(|t| self.target(t)),
            Stmt::Assign(a) => {
                self.expr(&a.value);
                a.targets.iter().for_each(|t| self.target(t));
            }
            Stmt::AugAssign(a) => {
                self.expr(&a.value);
                if let Expr::Name(n) = &*a.target {
                    self.read(n.id.as_str());
                }
                self.target(&a.target);
            }
            Stmt::AnnAssign(a) => {
                if let Some(v) = &a.value {
                    self.expr(v);
                    self.target(&a.target);
                }
            }
            Stmt::For(f) => {
                self.expr(&f.iter);
                self.target(&f.target);
                self.stmts(&f.body);
                self.stmts(&f.orelse);
            }
            Stmt::While(w) => {
                self.expr(&w.test);
                self.stmts(&w.body);
                self.stmts(&w.orelse);
            }
            Stmt::If(i) => {
                self.expr(&i.test);
                self.stmts(&i.body);
                for c in &i.elif_else_clauses {
                    c.test.iter().for_each(|t| self.expr(t));
                    self.stmts(&c.body);
                }
            }
            Stmt::Raise(r) => {
                r.exc.iter().for_each(|e| self.expr(e));
                r.cause.iter().for_each(|e| self.expr(e));
            }
            Stmt::Try(t) => {
                self.stmts(&t.body);
                for h in &t.handlers {
                    let ast::ExceptHandler::ExceptHandler(h) = h;
                    h.type_.iter().for_each(|e| self.expr(e));
                    if let Some(n) = &h.name {
                        self.bind(n.id.as_str());
                    }
                    self.stmts(&h.body);
                }
                self.stmts(&t.orelse);
                self.stmts(&t.finalbody);
            }
            Stmt::Assert(a) => {
                self.expr(&a.test);
                a.msg.iter().for_each(|e| self.expr(e));
            }
            Stmt::Import(i) => {
                for a in &i.names {
                    let n = a.asname.as_ref().unwrap_or(&a.name);
                    let first = n.id.split('.').next().unwrap_or("");
                    self.bind(first);
                }
            }
            Stmt::ImportFrom(i) => {
                for a in &i.names {
                    let n = a.asname.as_ref().unwrap_or(&a.name);
                    self.bind(n.id.as_str());
                }
            }
            Stmt::Expr(e) => self.expr(&e.value),
            Stmt::With(w) => self.stmts(&w.body),
            _ => {}
        }
    }

    fn params_defaults(&mut self, p: &'a ast::Parameters) {
        for a in p
            .posonlyargs
            .iter()
            .chain(p.args.iter())
            .chain(p.kwonlyargs.iter())
        {
            if let Some(d) = &a.default {
                self.expr(d);
            }
        }
    }

    fn comp(&mut self, gens: &'a [ast::Comprehension], elts: &[&'a Expr]) {
        // The first iterable is evaluated outside the comprehension's own names.
        if let Some(g) = gens.first() {
            self.expr(&g.iter);
        }
        self.comp_bound.push(HashSet::default());
        for (i, g) in gens.iter().enumerate() {
            if i > 0 {
                self.expr(&g.iter);
            }
            self.target(&g.target);
            g.ifs.iter().for_each(|x| self.expr(x));
        }
        elts.iter().for_each(|x| self.expr(x));
        self.comp_bound.pop();
    }

    fn expr(&mut self, e: &'a Expr) {
        match e {
            Expr::Name(n) => {
                let id = n.id.as_str();
                if !self.comp_bound.iter().any(|b| b.contains(id)) {
                    self.read(id);
                }
            }
            Expr::Named(n) => {
                self.expr(&n.value);
                if let Expr::Name(t) = &*n.target {
                    // `:=` binds in the enclosing function, even inside a comprehension.
                    self.bind(t.id.as_str());
                }
            }
            Expr::Lambda(l) => {
                if let Some(p) = &l.parameters {
                    self.params_defaults(p);
                }
                let child = analyze_lambda(&l.body);
                let params = l
                    .parameters
                    .as_ref()
                    .map(|p| params_of(p))
                    .unwrap_or_default();
                self.child(params, child);
            }
            Expr::ListComp(c) => self.comp(&c.generators, &[&c.elt]),
            Expr::SetComp(c) => self.comp(&c.generators, &[&c.elt]),
            Expr::Generator(c) => self.comp(&c.generators, &[&c.elt]),
            Expr::DictComp(c) => {
                let mut v: Vec<&'a Expr> = vec![&c.value];
                if let Some(k) = &c.key {
                    v.push(k);
                }
                self.comp(&c.generators, &v)
            }
            Expr::BoolOp(b) => b.values.iter().for_each(|x| self.expr(x)),
            Expr::BinOp(b) => {
                self.expr(&b.left);
                self.expr(&b.right);
            }
            Expr::UnaryOp(u) => self.expr(&u.operand),
            Expr::If(i) => {
                self.expr(&i.test);
                self.expr(&i.body);
                self.expr(&i.orelse);
            }
            Expr::Dict(d) => {
                for it in &d.items {
                    it.key.iter().for_each(|k| self.expr(k));
                    self.expr(&it.value);
                }
            }
            Expr::Set(s) => s.elts.iter().for_each(|x| self.expr(x)),
            Expr::List(s) => s.elts.iter().for_each(|x| self.expr(x)),
            Expr::Tuple(s) => s.elts.iter().for_each(|x| self.expr(x)),
            Expr::Compare(c) => {
                self.expr(&c.left);
                c.comparators.iter().for_each(|x| self.expr(x));
            }
            Expr::Call(c) => {
                self.expr(&c.func);
                c.arguments.args.iter().for_each(|x| self.expr(x));
                c.arguments
                    .keywords
                    .iter()
                    .for_each(|k| self.expr(&k.value));
            }
            Expr::FString(f) => {
                for el in f.value.elements() {
                    self.fstring_element(el);
                }
            }
            Expr::Attribute(a) => self.expr(&a.value),
            Expr::Subscript(s) => {
                self.expr(&s.value);
                self.expr(&s.slice);
            }
            Expr::Starred(s) => self.expr(&s.value),
            Expr::Slice(s) => {
                s.lower.iter().for_each(|x| self.expr(x));
                s.upper.iter().for_each(|x| self.expr(x));
                s.step.iter().for_each(|x| self.expr(x));
            }
            Expr::Await(a) => self.expr(&a.value),
            _ => {}
        }
    }

    fn fstring_element(&mut self, el: &'a ast::InterpolatedStringElement) {
        if let ast::InterpolatedStringElement::Interpolation(i) = el {
            self.expr(&i.expression);
            if let Some(spec) = &i.format_spec {
                for e in spec.elements.iter() {
                    self.fstring_element(e);
                }
            }
        }
    }
}
