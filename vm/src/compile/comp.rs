//! Lambdas and comprehensions. A comprehension runs inline in the enclosing frame with its own
//! target registers; its iterables and filters join the pc-label and the new container's own label.

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;
use rustc_hash::FxHashMap as HashMap;
use std::sync::LazyLock;

use super::expr::CompKind;
use super::{Compiler, scope};
use crate::bytecode::{Const, Instr, Reg};

impl<'a> Compiler<'a> {
    pub(crate) fn lambda(&mut self, l: &'a ast::ExprLambda, dst: Reg) {
        // One shared empty parameter list: `lambda: x` has none, and leaking a fresh one per
        // lambda grew memory with every program compiled (found by the `program` fuzz target).
        static NO_PARAMETERS: LazyLock<ast::Parameters> = LazyLock::new(ast::Parameters::default);
        let params: &'a ast::Parameters = match &l.parameters {
            Some(p) => p,
            None => &NO_PARAMETERS,
        };
        let defaults = self.defaults(params);
        self.check_params(params);
        let sc = scope::analyze_lambda(&l.body);
        let captures = self.push_fn("<lambda>", params, &sc);
        let r = self.expr(&l.body);
        self.span = l.range;
        self.emit(Instr::Return { src: r });
        let code = self.pop_fn();
        self.prog.reg_lists.push(captures);
        let captures = self.prog.reg_lists.len() as u32 - 1;
        self.emit(Instr::MakeFunction {
            dst,
            code,
            defaults,
            captures,
        });
    }

    fn bind_comp_names(&mut self, t: &Expr) {
        match t {
            Expr::Name(n) => {
                let r = self.tmp();
                self.f()
                    .comp
                    .last_mut()
                    .unwrap()
                    .insert(n.id.to_string(), r);
            }
            Expr::Tuple(x) => x.elts.iter().for_each(|e| self.bind_comp_names(e)),
            Expr::List(x) => x.elts.iter().for_each(|e| self.bind_comp_names(e)),
            Expr::Starred(s) => self.bind_comp_names(&s.value),
            _ => {}
        }
    }

    pub(crate) fn comprehension(
        &mut self,
        kind: CompKind,
        elt: &'a Expr,
        key: Option<&'a Expr>,
        gens: &'a [ast::Comprehension],
        dst: Reg,
    ) {
        let first = self.expr(&gens[0].iter);
        let out = self.tmp();
        self.emit(match kind {
            CompKind::List => Instr::BuildList {
                dst: out,
                start: 0,
                n: 0,
            },
            CompKind::Set => Instr::BuildSet {
                dst: out,
                start: 0,
                n: 0,
            },
            CompKind::Dict => Instr::BuildDict {
                dst: out,
                start: 0,
                n: 0,
            },
        });
        let acc = self.tmp();
        self.load_const(Const::None, acc);
        self.f().comp.push(HashMap::default());
        self.generator(kind, elt, key, gens, 0, first, out, acc);
        self.f().comp.pop();
        self.emit(Instr::OwnJoin { obj: out, src: acc });
        self.emit(Instr::Move { dst, src: out });
    }

    #[allow(clippy::too_many_arguments)]
    fn generator(
        &mut self,
        kind: CompKind,
        elt: &'a Expr,
        key: Option<&'a Expr>,
        gens: &'a [ast::Comprehension],
        i: usize,
        first: Reg,
        out: Reg,
        acc: Reg,
    ) {
        let g = &gens[i];
        if g.is_async {
            self.err(g.range, "async is not supported; tools are plain calls");
        }
        let src = if i == 0 { first } else { self.expr(&g.iter) };
        self.emit(Instr::LabelJoin { dst: acc, src });
        let it = self.tmp();
        self.span = g.iter.range();
        self.emit(Instr::GetIter { dst: it, src });
        self.emit(Instr::PcPush { src, check: false });
        self.f().pc_depth += 1;
        let depth = self.f().pc_depth;
        let head = self.here();
        let x = self.tmp();
        let exit = self.emit(Instr::ForIter {
            iter: it,
            dst: x,
            exit: 0,
        });
        self.bind_comp_names(&g.target);
        self.assign(&g.target, x);
        let mut skips = vec![];
        for cond in &g.ifs {
            let c = self.expr(cond);
            self.span = cond.range();
            self.emit(Instr::LabelJoin { dst: acc, src: c });
            self.emit(Instr::PcPush {
                src: c,
                check: true,
            });
            self.f().pc_depth += 1;
            skips.push(self.emit(Instr::JumpIf {
                cond: c,
                target: 0,
                when: false,
            }));
        }
        if i + 1 < gens.len() {
            self.generator(kind, elt, key, gens, i + 1, first, out, acc);
        } else {
            match kind {
                CompKind::List => {
                    let v = self.expr(elt);
                    self.emit(Instr::ListAppend { list: out, src: v });
                }
                CompKind::Set => {
                    let v = self.expr(elt);
                    self.emit(Instr::SetAdd { set: out, src: v });
                }
                CompKind::Dict => {
                    let k = self.expr(key.unwrap_or(elt));
                    let v = self.expr(elt);
                    self.emit(Instr::DictInsert {
                        dict: out,
                        key: k,
                        src: v,
                    });
                }
            }
        }
        for s in skips {
            self.patch(s);
        }
        self.emit(Instr::PcRestore { depth });
        self.f().pc_depth = depth;
        self.emit(Instr::Jump { target: head });
        self.patch(exit);
        self.emit(Instr::PcPop { keep: false });
        self.f().pc_depth -= 1;
    }
}
