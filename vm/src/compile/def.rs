//! `def` and `class`: functions (parameters, defaults, closures) and data-holder or exception
//! class templates.

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use super::{Compiler, rc, scope};
use crate::bytecode::{ClassTemplate, Const, Instr, Reg};

impl<'a> Compiler<'a> {
    pub(crate) fn def(&mut self, f: &'a ast::StmtFunctionDef) {
        if f.is_async {
            self.err(f.range, "async is not supported; tools are plain calls");
        }
        if !f.decorator_list.is_empty() {
            self.err(
                f.decorator_list[0].range,
                "decorators are not supported; call the function explicitly",
            );
        }
        if !self.check_bind(f.name.id.as_str(), f.name.range) {
            return;
        }
        let defaults = self.defaults(&f.parameters);
        let sc = scope::analyze_body(&f.body);
        self.check_params(&f.parameters);
        let captures = self.push_fn(f.name.id.as_str(), &f.parameters, &sc);
        self.init_cells();
        let depth = self.depth;
        self.depth = 0;
        self.stmts(&f.body);
        self.depth = depth;
        let r = self.tmp();
        let k = self.konst(Const::None);
        self.emit(Instr::LoadConst { dst: r, k });
        self.emit(Instr::Return { src: r });
        let code = self.pop_fn();
        self.span = f.range;
        let d = self.tmp();
        self.prog.reg_lists.push(captures);
        let captures = self.prog.reg_lists.len() as u32 - 1;
        self.emit(Instr::MakeFunction {
            dst: d,
            code,
            defaults,
            captures,
        });
        self.store_name(f.name.id.as_str(), d, f.name.range);
    }

    pub(crate) fn check_params(&mut self, p: &'a ast::Parameters) {
        for a in p
            .posonlyargs
            .iter()
            .chain(p.args.iter())
            .chain(p.kwonlyargs.iter())
        {
            self.check_bind(a.parameter.name.id.as_str(), a.parameter.name.range);
        }
        for a in p.vararg.iter().chain(p.kwarg.iter()) {
            self.check_bind(a.name.id.as_str(), a.name.range);
        }
    }

    /// Cells initialised from parameters are filled by the VM at call time; nothing to emit.
    pub(crate) fn init_cells(&mut self) {}

    /// Evaluates parameter defaults into consecutive registers (in the enclosing scope).
    pub(crate) fn defaults(&mut self, p: &'a ast::Parameters) -> Reg {
        let ds: Vec<&Expr> = p
            .posonlyargs
            .iter()
            .chain(p.args.iter())
            .chain(p.kwonlyargs.iter())
            .filter_map(|a| a.default.as_deref())
            .collect();
        let base = self.tmps(ds.len() as u16);
        for (i, d) in ds.iter().enumerate() {
            self.expr_to(d, base + i as u16);
        }
        base
    }

    pub(crate) fn class(&mut self, c: &'a ast::StmtClassDef) {
        if !c.decorator_list.is_empty() {
            self.err(
                c.decorator_list[0].range,
                "decorators are not supported; call the function explicitly",
            );
        }
        if !self.check_bind(c.name.id.as_str(), c.name.range) {
            return;
        }
        let bases: Vec<&Expr> = c
            .arguments
            .as_ref()
            .map(|a| a.args.iter().collect())
            .unwrap_or_default();
        let has_kw = c.arguments.as_ref().is_some_and(|a| !a.keywords.is_empty());
        let base_name = match bases.as_slice() {
            [] => None,
            [Expr::Name(n)] => Some(n.id.as_str()),
            _ => {
                self.err(
                    c.range,
                    "class C may only declare fields (name: type [= constant])",
                );
                return;
            }
        };
        if has_kw {
            self.err(
                c.range,
                "class C may only declare fields (name: type [= constant])",
            );
            return;
        }
        let is_exc = match base_name {
            None | Some("BaseModel") => false,
            Some(b) if crate::builtins::is_exception_name(b) => true,
            Some(b) if self.globals.contains_key(b) || self.f().locals.contains_key(b) => true,
            Some(b) => {
                self.err(bases[0].range(), format!("name '{b}' is not defined"));
                return;
            }
        };
        let mut fields = vec![];
        for (i, s) in c.body.iter().enumerate() {
            match s {
                Stmt::Pass(_) => {}
                Stmt::Expr(e) if i == 0 && e.value.is_string_literal_expr() => {}
                Stmt::Expr(e) if e.value.is_ellipsis_literal_expr() => {}
                Stmt::AnnAssign(a) if !is_exc => {
                    let Expr::Name(n) = &*a.target else {
                        self.err(
                            s.range(),
                            "class C may only declare fields (name: type [= constant])",
                        );
                        continue;
                    };
                    if !self.check_name(n.id.as_str(), n.range) {
                        continue;
                    }
                    let default = match &a.value {
                        None => None,
                        Some(v) => match self.const_of(v) {
                            Some(k) => Some(k),
                            None => {
                                self.err(
                                    v.range(),
                                    "class C may only declare fields (name: type [= constant])",
                                );
                                continue;
                            }
                        },
                    };
                    fields.push((rc(n.id.as_str()), default));
                }
                other => self.err(
                    other.range(),
                    "class C may only declare fields (name: type [= constant])",
                ),
            }
        }
        let name = rc(c.name.id.as_str());
        let tmpl = if is_exc {
            ClassTemplate::Exception { name }
        } else {
            ClassTemplate::Holder { name, fields }
        };
        self.prog.classes.push(tmpl);
        let class = self.prog.classes.len() as u32 - 1;
        let base = if is_exc {
            Some(self.expr(bases[0]))
        } else {
            None
        };
        let d = self.tmp();
        self.span = c.range;
        self.emit(Instr::MakeClass {
            dst: d,
            class,
            base,
        });
        self.store_name(c.name.id.as_str(), d, c.name.range);
    }
}
