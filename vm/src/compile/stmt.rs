//! Statements → bytecode.

use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;

use super::{Block, Compiler, Loc, MODULES};
use crate::bytecode::{Const, Instr, Reg};

/// Whether a body holds a `return` (any depth, not in nested functions), and whether it holds a
/// `break`/`continue` that leaves it (not inside a nested loop): the structured escapes that
/// keep pc raised after the construct (planner.md §4).
pub(crate) fn escapes(body: &[Stmt]) -> (bool, bool) {
    let mut ret = false;
    let mut brk = false;
    fn walk(b: &[Stmt], in_loop: bool, ret: &mut bool, brk: &mut bool) {
        for s in b {
            match s {
                Stmt::Return(_) => *ret = true,
                Stmt::Break(_) | Stmt::Continue(_) if !in_loop => *brk = true,
                Stmt::If(i) => {
                    walk(&i.body, in_loop, ret, brk);
                    for c in &i.elif_else_clauses {
                        walk(&c.body, in_loop, ret, brk);
                    }
                }
                Stmt::For(f) => {
                    walk(&f.body, true, ret, brk);
                    walk(&f.orelse, in_loop, ret, brk);
                }
                Stmt::While(f) => {
                    walk(&f.body, true, ret, brk);
                    walk(&f.orelse, in_loop, ret, brk);
                }
                Stmt::Try(t) => {
                    walk(&t.body, in_loop, ret, brk);
                    for h in &t.handlers {
                        let ast::ExceptHandler::ExceptHandler(h) = h;
                        walk(&h.body, in_loop, ret, brk);
                    }
                    walk(&t.orelse, in_loop, ret, brk);
                    walk(&t.finalbody, in_loop, ret, brk);
                }
                _ => {}
            }
        }
    }
    walk(body, false, &mut ret, &mut brk);
    (ret, brk)
}

impl<'a> Compiler<'a> {
    pub(crate) fn stmts(&mut self, body: &'a [Stmt]) {
        for s in body {
            let save = self.f().next;
            self.stmt(s);
            self.f().next = save;
        }
    }

    fn stmt(&mut self, s: &'a Stmt) {
        if !self.enter(s) {
            self.leave();
            return;
        }
        self.stmt_inner(s);
        self.leave();
    }

    fn stmt_inner(&mut self, s: &'a Stmt) {
        match s {
            Stmt::Expr(e) => {
                if let Expr::StringLiteral(_) | Expr::EllipsisLiteral(_) = &*e.value {
                    return; // docstrings and `...` do nothing
                }
                self.expr(&e.value);
            }
            Stmt::Pass(_) => {}
            Stmt::Assign(a) => {
                let v = self.expr(&a.value);
                for t in &a.targets {
                    self.assign(t, v);
                }
            }
            Stmt::AnnAssign(a) => {
                if let Some(v) = &a.value {
                    let r = self.expr(v);
                    self.assign(&a.target, r);
                } else if let Expr::Name(n) = &*a.target {
                    self.check_bind(n.id.as_str(), n.range);
                }
            }
            Stmt::AugAssign(a) => self.aug_assign(a),
            Stmt::If(i) => self.if_stmt(i),
            Stmt::While(w) => self.while_stmt(w),
            Stmt::For(f) => self.for_stmt(f),
            Stmt::Break(b) => self.loop_exit(b.range, true),
            Stmt::Continue(b) => self.loop_exit(b.range, false),
            Stmt::Return(r) => {
                if self.f().is_module {
                    self.err(r.range, "'return' outside function");
                    return;
                }
                let v = self.tmp();
                match &r.value {
                    Some(e) => self.expr_to(e, v),
                    None => {
                        let k = self.konst(Const::None);
                        self.emit(Instr::LoadConst { dst: v, k });
                    }
                }
                self.unwind_blocks(0);
                self.span = r.range;
                self.emit(Instr::Return { src: v });
            }
            Stmt::Delete(d) => {
                for t in &d.targets {
                    self.delete(t);
                }
            }
            Stmt::Raise(r) => {
                let exc = r.exc.as_ref().map(|e| self.expr(e));
                let cause = r.cause.as_ref().map(|e| self.expr(e));
                self.span = r.range;
                match (exc, self.f().handler_exc.last().copied()) {
                    (None, Some(h)) => {
                        self.emit(Instr::Reraise { src: h });
                    }
                    _ => {
                        self.emit(Instr::Raise { exc, cause });
                    }
                }
            }
            Stmt::Assert(a) => {
                let t = self.expr(&a.test);
                self.emit(Instr::PcPush {
                    src: t,
                    check: true,
                });
                let j = self.emit(Instr::JumpIf {
                    cond: t,
                    target: 0,
                    when: true,
                });
                let msg = a.msg.as_ref().map(|m| self.expr(m));
                self.span = a.range;
                self.emit(Instr::AssertFail { msg });
                self.patch(j);
                self.emit(Instr::PcPop { keep: false });
            }
            Stmt::Try(t) => self.try_stmt(t),
            Stmt::FunctionDef(f) => self.def(f),
            Stmt::ClassDef(c) => self.class(c),
            Stmt::Import(i) => {
                for a in &i.names {
                    let full = a.name.id.as_str();
                    let first = full.split('.').next().unwrap_or(full);
                    if !MODULES.contains(&first) || first != full {
                        self.bad_module(first, i.range);
                        continue;
                    }
                    let bind = a.asname.as_ref().map(|x| x.id.as_str()).unwrap_or(first);
                    if !self.check_name(bind, a.range) {
                        continue;
                    }
                    let r = self.tmp();
                    let m = self.name_idx(first);
                    self.emit(Instr::Import { dst: r, module: m });
                    self.store_name(bind, r, a.range);
                }
            }
            Stmt::ImportFrom(i) => {
                let m = i.module.as_ref().map(|m| m.id.as_str()).unwrap_or("");
                if i.level > 0 || !MODULES.contains(&m) {
                    self.bad_module(m.split('.').next().unwrap_or(m), i.range);
                    return;
                }
                let mr = self.tmp();
                let mi = self.name_idx(m);
                self.emit(Instr::Import {
                    dst: mr,
                    module: mi,
                });
                for a in &i.names {
                    if a.name.id.as_str() == "*" {
                        self.err(
                            a.range,
                            "star imports are not supported; import the names you need",
                        );
                        continue;
                    }
                    let bind = a
                        .asname
                        .as_ref()
                        .map(|x| x.id.as_str())
                        .unwrap_or(a.name.id.as_str());
                    if !self.check_name(a.name.id.as_str(), a.range)
                        || !self.check_name(bind, a.range)
                    {
                        continue;
                    }
                    let r = self.tmp();
                    let n = self.name_idx(a.name.id.as_str());
                    self.emit(Instr::GetAttr {
                        dst: r,
                        obj: mr,
                        name: n,
                    });
                    self.store_name(bind, r, a.range);
                }
            }
            Stmt::With(w) => self.err(
                w.range,
                "'with' is not supported: nothing needs opening or closing",
            ),
            Stmt::Global(g) => self.err(
                g.range,
                "'global' is not supported; return the value and assign it at the call site",
            ),
            Stmt::Nonlocal(g) => self.err(
                g.range,
                "'nonlocal' is not supported; return the value and assign it at the call site",
            ),
            Stmt::Match(m) => self.err(m.range, "'match' is not supported; use if/elif"),
            Stmt::TypeAlias(t) => {
                self.err(t.range, "'type' aliases are not supported; use if/elif")
            }
            Stmt::IpyEscapeCommand(c) => self.err(c.range, "invalid syntax"),
        }
    }

    fn bad_module(&mut self, m: &str, r: ruff_text_size::TextRange) {
        self.err(
            r,
            format!("module '{m}' cannot be imported; only json, datetime and re exist, and tools need no import"),
        );
    }

    /// Stores register `v` into a name binding.
    pub(crate) fn store_name(&mut self, n: &str, v: Reg, r: ruff_text_size::TextRange) {
        match self.resolve(n) {
            Loc::Reg(dst, _) => {
                self.emit(Instr::Store { dst, src: v });
            }
            Loc::Cell(cell) => {
                self.emit(Instr::StoreCell { cell, src: v });
            }
            Loc::Global(g) => {
                self.emit(Instr::StoreGlobal { g, src: v });
            }
            _ => {
                let _ = r;
                let s = self.span;
                self.err(s, format!("cannot assign to '{n}'"));
            }
        }
    }

    pub(crate) fn assign(&mut self, t: &'a Expr, v: Reg) {
        self.span = t.range();
        match t {
            Expr::Name(n) => {
                if self.check_bind(n.id.as_str(), n.range) {
                    if MODULES.contains(&n.id.as_str()) && !self.globals.contains_key(n.id.as_str())
                    {
                        self.err(
                            n.range,
                            format!("cannot assign to '{}', a module name; choose another", n.id),
                        );
                        return;
                    }
                    self.store_name(n.id.as_str(), v, n.range);
                }
            }
            Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
                let stars: Vec<usize> = elts
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| e.is_starred_expr())
                    .map(|(i, _)| i)
                    .collect();
                if stars.len() > 1 {
                    self.err(t.range(), "multiple starred expressions in assignment");
                    return;
                }
                let n = elts.len() as u16;
                let base = self.tmps(n);
                self.emit(Instr::Unpack {
                    src: v,
                    dst: base,
                    n,
                    star: stars.first().map(|&s| s as u16),
                });
                for (i, e) in elts.iter().enumerate() {
                    let target = if let Expr::Starred(s) = e {
                        &*s.value
                    } else {
                        e
                    };
                    self.assign(target, base + i as u16);
                }
            }
            Expr::Attribute(a) => {
                if !self.check_dunder(a.attr.id.as_str(), a.attr.range) {
                    return;
                }
                let o = self.expr(&a.value);
                let name = self.name_idx(a.attr.id.as_str());
                self.span = t.range();
                self.emit(Instr::SetAttr {
                    obj: o,
                    name,
                    src: v,
                });
            }
            Expr::Subscript(s) => {
                let o = self.expr(&s.value);
                let i = self.expr(&s.slice);
                self.span = t.range();
                self.emit(Instr::SetItem {
                    obj: o,
                    idx: i,
                    src: v,
                });
            }
            Expr::Starred(s) => self.err(
                s.range,
                "starred assignment target must be in a list or tuple",
            ),
            other => self.err(other.range(), "cannot assign to this expression"),
        }
    }

    fn delete(&mut self, t: &'a Expr) {
        self.span = t.range();
        match t {
            Expr::Name(n) => match self.resolve(n.id.as_str()) {
                Loc::Reg(reg, _) => {
                    self.emit(Instr::Unbind { reg });
                }
                Loc::Cell(cell) => {
                    self.emit(Instr::DelCell { cell });
                }
                Loc::Global(g) => {
                    self.emit(Instr::DelGlobal { g });
                }
                _ => self.err(n.range, format!("cannot delete '{}'", n.id)),
            },
            Expr::Subscript(s) => {
                let o = self.expr(&s.value);
                let i = self.expr(&s.slice);
                self.span = t.range();
                self.emit(Instr::DelItem { obj: o, idx: i });
            }
            Expr::Tuple(tu) => tu.elts.iter().for_each(|e| self.delete(e)),
            Expr::List(tu) => tu.elts.iter().for_each(|e| self.delete(e)),
            other => self.err(other.range(), "cannot delete this expression"),
        }
    }

    fn aug_assign(&mut self, a: &'a ast::StmtAugAssign) {
        let op = super::expr::binop(a.op);
        let rhs = self.expr(&a.value);
        self.span = a.range;
        match &*a.target {
            Expr::Name(n) => {
                if !self.check_bind(n.id.as_str(), n.range) {
                    return;
                }
                let cur = self.load_name(n.id.as_str(), n.range);
                let d = self.tmp();
                self.span = a.range;
                self.emit(Instr::InplaceOp {
                    dst: d,
                    op,
                    a: cur,
                    b: rhs,
                });
                self.store_name(n.id.as_str(), d, n.range);
            }
            Expr::Subscript(s) => {
                let o = self.expr(&s.value);
                let i = self.expr(&s.slice);
                let cur = self.tmp();
                self.span = a.range;
                self.emit(Instr::GetItem {
                    dst: cur,
                    obj: o,
                    idx: i,
                });
                self.emit(Instr::InplaceOp {
                    dst: cur,
                    op,
                    a: cur,
                    b: rhs,
                });
                self.emit(Instr::SetItem {
                    obj: o,
                    idx: i,
                    src: cur,
                });
            }
            Expr::Attribute(at) => {
                if !self.check_dunder(at.attr.id.as_str(), at.attr.range) {
                    return;
                }
                let o = self.expr(&at.value);
                let name = self.name_idx(at.attr.id.as_str());
                let cur = self.tmp();
                self.span = a.range;
                self.emit(Instr::GetAttr {
                    dst: cur,
                    obj: o,
                    name,
                });
                self.emit(Instr::InplaceOp {
                    dst: cur,
                    op,
                    a: cur,
                    b: rhs,
                });
                self.emit(Instr::SetAttr {
                    obj: o,
                    name,
                    src: cur,
                });
            }
            other => self.err(other.range(), "cannot assign to this expression"),
        }
    }

    fn if_stmt(&mut self, i: &'a ast::StmtIf) {
        let (ret, brk) = escapes(&i.body);
        let mut keep = ret || brk;
        for c in &i.elif_else_clauses {
            let (r, b) = escapes(&c.body);
            keep |= r || b;
        }
        let t = self.expr(&i.test);
        self.span = i.test.range();
        self.emit(Instr::PcPush {
            src: t,
            check: true,
        });
        self.f().pc_depth += 1;
        let mut next = self.emit(Instr::JumpIf {
            cond: t,
            target: 0,
            when: false,
        });
        self.stmts(&i.body);
        let mut ends = vec![self.emit(Instr::Jump { target: 0 })];
        for c in &i.elif_else_clauses {
            self.patch(next);
            match &c.test {
                Some(test) => {
                    let t = self.expr(test);
                    self.span = test.range();
                    self.emit(Instr::PcJoin {
                        src: t,
                        check: true,
                    });
                    next = self.emit(Instr::JumpIf {
                        cond: t,
                        target: 0,
                        when: false,
                    });
                    self.stmts(&c.body);
                    ends.push(self.emit(Instr::Jump { target: 0 }));
                }
                None => {
                    next = usize::MAX;
                    self.stmts(&c.body);
                }
            }
        }
        if next != usize::MAX {
            self.patch(next);
        }
        for e in ends {
            self.patch(e);
        }
        self.emit(Instr::PcPop { keep });
        self.f().pc_depth -= 1;
    }

    fn while_stmt(&mut self, w: &'a ast::StmtWhile) {
        let (ret, _) = escapes(&w.body);
        self.emit(Instr::PcSave);
        self.f().pc_depth += 1;
        let head = self.here();
        let t = self.expr(&w.test);
        self.span = w.test.range();
        self.emit(Instr::PcJoin {
            src: t,
            check: true,
        });
        let exit = self.emit(Instr::JumpIf {
            cond: t,
            target: 0,
            when: false,
        });
        self.loop_body(&w.body, head);
        self.emit(Instr::Jump { target: head });
        self.patch(exit);
        self.stmts(&w.orelse);
        self.end_loop(ret);
    }

    fn for_stmt(&mut self, f: &'a ast::StmtFor) {
        if f.is_async {
            self.err(f.range, "async is not supported; tools are plain calls");
            return;
        }
        let (ret, _) = escapes(&f.body);
        let src = self.expr(&f.iter);
        let it = self.tmp();
        self.span = f.iter.range();
        self.emit(Instr::GetIter { dst: it, src });
        self.emit(Instr::PcPush { src, check: false });
        self.f().pc_depth += 1;
        let head = self.here();
        let x = self.tmp();
        let exit = self.emit(Instr::ForIter {
            iter: it,
            dst: x,
            exit: 0,
        });
        self.assign(&f.target, x);
        self.loop_body(&f.body, head);
        self.emit(Instr::Jump { target: head });
        self.patch(exit);
        self.stmts(&f.orelse);
        self.end_loop(ret);
    }

    fn loop_body(&mut self, body: &'a [Stmt], head: u32) {
        let id = self.f().loops.len();
        self.f().loops.push((head, vec![]));
        let pc_depth = self.f().pc_depth;
        self.f().blocks.push(Block::Loop { id, pc_depth });
        self.stmts(body);
        self.f().blocks.pop();
    }

    fn end_loop(&mut self, keep: bool) {
        let (_, breaks) = self.f().loops.pop().unwrap();
        for b in breaks {
            self.patch(b);
        }
        self.emit(Instr::PcPop { keep });
        self.f().pc_depth -= 1;
    }

    fn loop_exit(&mut self, r: ruff_text_size::TextRange, is_break: bool) {
        let Some(pos) = self
            .f()
            .blocks
            .iter()
            .rposition(|b| matches!(b, Block::Loop { .. }))
        else {
            self.err(
                r,
                if is_break {
                    "'break' outside loop"
                } else {
                    "'continue' not properly in loop"
                },
            );
            return;
        };
        let Block::Loop { id, pc_depth } = self.f().blocks[pos].clone() else {
            return;
        };
        self.unwind_blocks(pos + 1);
        self.span = r;
        self.emit(Instr::PcTrunc { depth: pc_depth });
        if is_break {
            let j = self.emit(Instr::Jump { target: 0 });
            self.f().loops[id].1.push(j);
        } else {
            let head = self.f().loops[id].0;
            self.emit(Instr::Jump { target: head });
        }
    }

    /// Leaves the blocks above `depth`: pops handlers and runs `finally` bodies inline.
    fn unwind_blocks(&mut self, depth: usize) {
        let saved = self.f().blocks.clone();
        let saved_handlers = self.f().handler_exc.clone();
        for i in (depth..saved.len()).rev() {
            match &saved[i] {
                Block::Loop { .. } => {}
                Block::Except => {
                    self.emit(Instr::PopExcept);
                }
                Block::Finally(body) => {
                    self.emit(Instr::PopExcept);
                    self.f().blocks.truncate(i);
                    self.stmts(body);
                }
            }
        }
        self.f().blocks = saved;
        self.f().handler_exc = saved_handlers;
    }

    fn try_stmt(&mut self, t: &'a ast::StmtTry) {
        if t.is_star {
            self.err(t.range, "'except*' is not supported; use if/elif");
            return;
        }
        if t.finalbody.is_empty() {
            self.try_except(t);
            return;
        }
        let e = self.tmp();
        let setup = self.emit(Instr::SetupExcept { handler: 0, exc: e });
        self.f().blocks.push(Block::Finally(&t.finalbody));
        if t.handlers.is_empty() {
            self.stmts(&t.body);
            self.stmts(&t.orelse);
        } else {
            self.try_except(t);
        }
        self.f().blocks.pop();
        self.emit(Instr::PopExcept);
        self.stmts(&t.finalbody);
        let end = self.emit(Instr::Jump { target: 0 });
        self.patch(setup);
        self.stmts(&t.finalbody);
        self.emit(Instr::Reraise { src: e });
        self.patch(end);
    }

    fn try_except(&mut self, t: &'a ast::StmtTry) {
        let e = self.tmp();
        let setup = self.emit(Instr::SetupExcept { handler: 0, exc: e });
        self.f().blocks.push(Block::Except);
        self.stmts(&t.body);
        self.f().blocks.pop();
        self.emit(Instr::PopExcept);
        self.stmts(&t.orelse);
        let end = self.emit(Instr::Jump { target: 0 });
        self.patch(setup);
        let mut keep = false;
        for h in &t.handlers {
            let ast::ExceptHandler::ExceptHandler(h) = h;
            let (r, b) = escapes(&h.body);
            keep |= r || b;
        }
        self.emit(Instr::PcPushExc { exc: e });
        self.f().pc_depth += 1;
        let mut ends = vec![];
        let mut bare = false;
        for h in &t.handlers {
            let ast::ExceptHandler::ExceptHandler(h) = h;
            self.span = h.range;
            let mut next = None;
            if let Some(ty) = &h.type_ {
                let tr = self.expr(ty);
                let m = self.tmp();
                self.span = h.range;
                self.emit(Instr::MatchExcept {
                    dst: m,
                    exc: e,
                    ty: tr,
                });
                next = Some(self.emit(Instr::JumpIf {
                    cond: m,
                    target: 0,
                    when: false,
                }));
            } else {
                bare = true;
            }
            if let Some(n) = &h.name
                && self.check_bind(n.id.as_str(), n.range)
            {
                self.store_name(n.id.as_str(), e, n.range);
            }
            self.f().handler_exc.push(e);
            self.stmts(&h.body);
            self.f().handler_exc.pop();
            ends.push(self.emit(Instr::Jump { target: 0 }));
            if let Some(n) = next {
                self.patch(n);
            }
            if bare {
                break;
            }
        }
        if !bare {
            self.emit(Instr::Reraise { src: e });
        }
        for j in ends {
            self.patch(j);
        }
        self.emit(Instr::PcPop { keep });
        self.f().pc_depth -= 1;
        self.patch(end);
    }
}
