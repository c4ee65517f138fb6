//! Expressions → bytecode. `expr` returns the register holding the value (a variable's own
//! register for locals, which callers must not write); `expr_to` writes a given register.

use std::borrow::Cow;

use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::{Ranged, TextRange};

use super::{Compiler, Loc, rc};
use crate::bytecode::{BinOp, CmpOp, Const, Instr, Reg, UnOp};

pub(crate) fn binop(op: ast::Operator) -> BinOp {
    use ast::Operator as O;
    match op {
        O::Add => BinOp::Add,
        O::Sub => BinOp::Sub,
        O::Mult => BinOp::Mul,
        O::MatMult => BinOp::MatMul,
        O::Div => BinOp::Div,
        O::Mod => BinOp::Mod,
        O::Pow => BinOp::Pow,
        O::LShift => BinOp::LShift,
        O::RShift => BinOp::RShift,
        O::BitOr => BinOp::BitOr,
        O::BitXor => BinOp::BitXor,
        O::BitAnd => BinOp::BitAnd,
        O::FloorDiv => BinOp::FloorDiv,
    }
}

fn cmpop(op: ast::CmpOp) -> CmpOp {
    use ast::CmpOp as C;
    match op {
        C::Eq => CmpOp::Eq,
        C::NotEq => CmpOp::NotEq,
        C::Lt => CmpOp::Lt,
        C::LtE => CmpOp::LtE,
        C::Gt => CmpOp::Gt,
        C::GtE => CmpOp::GtE,
        C::Is => CmpOp::Is,
        C::IsNot => CmpOp::IsNot,
        C::In => CmpOp::In,
        C::NotIn => CmpOp::NotIn,
    }
}

enum Part<'a> {
    /// Borrowed from the AST unless adjacent literals were merged.
    Lit(Cow<'a, str>),
    Interp(&'a ast::InterpolatedElement),
}

#[derive(Clone, Copy, PartialEq)]
pub(crate) enum CompKind {
    List,
    Set,
    Dict,
}

impl<'a> Compiler<'a> {
    pub(crate) fn expr(&mut self, e: &'a Expr) -> Reg {
        if let Expr::Name(n) = e {
            self.span = n.range;
            return self.load_name(n.id.as_str(), n.range);
        }
        let d = self.tmp();
        self.expr_to(e, d);
        d
    }

    pub(crate) fn load_name(&mut self, n: &str, r: TextRange) -> Reg {
        let fallback = self.f().next.saturating_sub(1);
        if !self.check_name(n, r) {
            return fallback;
        }
        match self.resolve(n) {
            Loc::Reg(reg, maybe_unbound) => {
                if maybe_unbound {
                    let name = self.name_idx(n);
                    self.emit(Instr::CheckBound { reg, name });
                }
                reg
            }
            Loc::Cell(cell) => {
                let d = self.tmp();
                self.emit(Instr::LoadCell { dst: d, cell });
                d
            }
            Loc::Global(g) => {
                let d = self.tmp();
                self.emit(Instr::LoadGlobal { dst: d, g });
                d
            }
            Loc::Builtin(b) => {
                let d = self.tmp();
                self.emit(Instr::LoadBuiltin { dst: d, b });
                d
            }
            Loc::Tool(tool) => {
                let d = self.tmp();
                self.emit(Instr::LoadTool { dst: d, tool });
                d
            }
            Loc::Module | Loc::Undefined => {
                self.err(r, format!("name '{n}' is not defined"));
                fallback
            }
        }
    }

    pub(crate) fn const_of(&mut self, e: &Expr) -> Option<Const> {
        Some(match e {
            Expr::NoneLiteral(_) => Const::None,
            Expr::BooleanLiteral(b) => Const::Bool(b.value),
            Expr::StringLiteral(s) => Const::Str(rc(s.value.to_str())),
            Expr::EllipsisLiteral(_) => Const::Ellipsis,
            Expr::NumberLiteral(n) => match &n.value {
                ast::Number::Int(i) => match i.as_i64() {
                    Some(v) => Const::Int(v),
                    None => {
                        self.err(n.range, "integer literal out of range: integers are 64-bit");
                        Const::Int(0)
                    }
                },
                ast::Number::Float(f) => Const::Float(*f),
                ast::Number::Complex { .. } => {
                    self.err(n.range, "complex numbers are not supported; use float");
                    Const::None
                }
            },
            Expr::UnaryOp(u) if u.op == ast::UnaryOp::USub => match self.const_of(&u.operand)? {
                Const::Int(i) => Const::Int(i.checked_neg()?),
                Const::Float(f) => Const::Float(-f),
                _ => return None,
            },
            _ => return None,
        })
    }

    pub(crate) fn load_const(&mut self, c: Const, dst: Reg) {
        let k = self.konst(c);
        self.emit(Instr::LoadConst { dst, k });
    }

    pub(crate) fn expr_to(&mut self, e: &'a Expr, dst: Reg) {
        if !self.enter(e) {
            self.leave();
            return;
        }
        let save = self.f().next;
        self.expr_inner(e, dst);
        self.f().next = save;
        self.leave();
    }

    fn expr_inner(&mut self, e: &'a Expr, dst: Reg) {
        match e {
            Expr::StringLiteral(l) => {
                let k = self.str_const(l.value.to_str());
                self.emit(Instr::LoadConst { dst, k });
            }
            Expr::NoneLiteral(_)
            | Expr::BooleanLiteral(_)
            | Expr::EllipsisLiteral(_)
            | Expr::NumberLiteral(_) => {
                let c = self.const_of(e).unwrap_or(Const::None);
                self.load_const(c, dst);
            }
            Expr::Name(n) => {
                let r = self.load_name(n.id.as_str(), n.range);
                if r != dst {
                    self.emit(Instr::Move { dst, src: r });
                }
            }
            Expr::BinOp(b) => {
                let l = self.expr(&b.left);
                let r = self.expr(&b.right);
                self.span = b.range;
                self.emit(Instr::BinOp {
                    dst,
                    op: binop(b.op),
                    a: l,
                    b: r,
                });
            }
            Expr::UnaryOp(u) => {
                if let Some(c) = self.const_of(e) {
                    self.load_const(c, dst);
                    return;
                }
                let a = self.expr(&u.operand);
                let op = match u.op {
                    ast::UnaryOp::USub => UnOp::Neg,
                    ast::UnaryOp::UAdd => UnOp::Pos,
                    ast::UnaryOp::Invert => UnOp::Invert,
                    ast::UnaryOp::Not => UnOp::Not,
                };
                self.span = u.range;
                self.emit(Instr::UnOp { dst, op, a });
            }
            Expr::BoolOp(b) => {
                let is_or = b.op == ast::BoolOp::Or;
                self.emit(Instr::PcSave);
                self.f().pc_depth += 1;
                self.expr_to(&b.values[0], dst);
                let mut ends = vec![];
                for v in &b.values[1..] {
                    self.span = b.range;
                    self.emit(Instr::PcJoin {
                        src: dst,
                        check: true,
                    });
                    ends.push(self.emit(Instr::JumpIf {
                        cond: dst,
                        target: 0,
                        when: is_or,
                    }));
                    let t = self.tmp();
                    self.expr_to(v, t);
                    self.emit(Instr::LabelJoin { dst: t, src: dst });
                    self.emit(Instr::Move { dst, src: t });
                }
                for j in ends {
                    self.patch(j);
                }
                self.emit(Instr::PcPop { keep: false });
                self.f().pc_depth -= 1;
            }
            Expr::Compare(c) => {
                // `a < b < c` is `a < b and b < c` with `b` evaluated once: later operands
                // are only evaluated while the chain holds, so they run under its pc.
                let chained = c.ops.len() > 1;
                if chained {
                    self.emit(Instr::PcSave);
                    self.f().pc_depth += 1;
                }
                let mut left = self.expr(&c.left);
                let mut ends = vec![];
                for (i, (op, right)) in c.ops.iter().zip(c.comparators.iter()).enumerate() {
                    if i == 0 {
                        let r = self.expr(right);
                        self.span = c.range;
                        self.emit(Instr::Compare {
                            dst,
                            op: cmpop(*op),
                            a: left,
                            b: r,
                        });
                        if chained {
                            // The middle operand is evaluated once; keep it in a fresh register.
                            left = self.tmp();
                            self.emit(Instr::Move { dst: left, src: r });
                        }
                    } else {
                        self.span = c.range;
                        self.emit(Instr::PcJoin {
                            src: dst,
                            check: true,
                        });
                        ends.push(self.emit(Instr::JumpIf {
                            cond: dst,
                            target: 0,
                            when: false,
                        }));
                        let r = self.expr(right);
                        self.span = c.range;
                        let t = self.tmp();
                        self.emit(Instr::Compare {
                            dst: t,
                            op: cmpop(*op),
                            a: left,
                            b: r,
                        });
                        self.emit(Instr::LabelJoin { dst: t, src: dst });
                        self.emit(Instr::Move { dst, src: t });
                        left = self.tmp();
                        self.emit(Instr::Move { dst: left, src: r });
                    }
                }
                for j in ends {
                    self.patch(j);
                }
                if chained {
                    self.emit(Instr::PcPop { keep: false });
                    self.f().pc_depth -= 1;
                }
            }
            Expr::If(i) => {
                let t = self.expr(&i.test);
                self.span = i.test.range();
                self.emit(Instr::PcPush {
                    src: t,
                    check: true,
                });
                self.f().pc_depth += 1;
                let j = self.emit(Instr::JumpIf {
                    cond: t,
                    target: 0,
                    when: false,
                });
                self.expr_to(&i.body, dst);
                let end = self.emit(Instr::Jump { target: 0 });
                self.patch(j);
                self.expr_to(&i.orelse, dst);
                self.patch(end);
                self.emit(Instr::LabelJoin { dst, src: t });
                self.emit(Instr::PcPop { keep: false });
                self.f().pc_depth -= 1;
            }
            Expr::Named(n) => {
                self.expr_to(&n.value, dst);
                if let Expr::Name(t) = &*n.target
                    && self.check_bind(t.id.as_str(), t.range)
                {
                    // `:=` binds in the enclosing function even inside a comprehension.
                    let comp = std::mem::take(&mut self.f().comp);
                    self.store_name(t.id.as_str(), dst, t.range);
                    self.f().comp = comp;
                }
            }
            Expr::Lambda(l) => self.lambda(l, dst),
            Expr::List(l) => self.seq_display(&l.elts, dst, 0),
            Expr::Tuple(t) => self.seq_display(&t.elts, dst, 1),
            Expr::Set(s) => self.seq_display(&s.elts, dst, 2),
            Expr::Dict(d) => self.dict_display(d, dst),
            Expr::ListComp(c) => {
                self.comprehension(CompKind::List, &c.elt, None, &c.generators, dst)
            }
            Expr::Generator(c) => {
                self.comprehension(CompKind::List, &c.elt, None, &c.generators, dst)
            }
            Expr::SetComp(c) => self.comprehension(CompKind::Set, &c.elt, None, &c.generators, dst),
            Expr::DictComp(c) => match &c.key {
                Some(k) => {
                    self.comprehension(CompKind::Dict, &c.value, Some(k), &c.generators, dst)
                }
                None => self.err(c.range, "invalid dict comprehension"),
            },
            Expr::Call(c) => self.call(c, dst),
            Expr::FString(f) => {
                let mut parts = vec![];
                for p in f.value.iter() {
                    match p {
                        ast::FStringPart::Literal(l) => {
                            parts.push(Part::Lit(Cow::Borrowed(&*l.value)))
                        }
                        ast::FStringPart::FString(fs) => {
                            Self::collect_parts(&fs.elements, &mut parts)
                        }
                    }
                }
                self.build_string(parts, dst);
            }
            Expr::Attribute(a) => {
                if !self.check_dunder(a.attr.id.as_str(), a.attr.range) {
                    return;
                }
                let o = self.expr(&a.value);
                let name = self.name_idx(a.attr.id.as_str());
                self.span = a.range;
                self.emit(Instr::GetAttr { dst, obj: o, name });
            }
            Expr::Subscript(s) => {
                let o = self.expr(&s.value);
                let i = self.expr(&s.slice);
                self.span = s.range;
                self.emit(Instr::GetItem {
                    dst,
                    obj: o,
                    idx: i,
                });
            }
            Expr::Slice(s) => {
                let base = self.tmps(3);
                for (k, part) in [&s.lower, &s.upper, &s.step].into_iter().enumerate() {
                    match part {
                        Some(p) => self.expr_to(p, base + k as u16),
                        None => self.load_const(Const::None, base + k as u16),
                    }
                }
                self.emit(Instr::BuildSlice { dst, start: base });
            }
            Expr::Starred(s) => self.err(s.range, "can't use starred expression here"),
            Expr::Await(a) => self.err(a.range, "async is not supported; tools are plain calls"),
            Expr::Yield(y) => self.err(
                y.range,
                "generators are not supported; build and return a list",
            ),
            Expr::YieldFrom(y) => self.err(
                y.range,
                "generators are not supported; build and return a list",
            ),
            Expr::TString(t) => self.err(t.range, "t-strings are not supported; use f-strings"),
            Expr::BytesLiteral(b) => self.err(b.range, "bytes are not supported; use str"),
            Expr::IpyEscapeCommand(c) => self.err(c.range, "invalid syntax"),
        }
    }

    fn collect_parts(els: &'a ast::InterpolatedStringElements, parts: &mut Vec<Part<'a>>) {
        for el in els.iter() {
            match el {
                ast::InterpolatedStringElement::Literal(l) => {
                    parts.push(Part::Lit(Cow::Borrowed(&*l.value)))
                }
                ast::InterpolatedStringElement::Interpolation(i) => {
                    if let Some(d) = &i.debug_text {
                        parts.push(Part::Lit(Cow::Owned(format!(
                            "{}{}{}",
                            d.leading(),
                            d.expression(),
                            d.trailing()
                        ))));
                    }
                    parts.push(Part::Interp(i));
                }
            }
        }
    }

    fn build_string(&mut self, parts: Vec<Part<'a>>, dst: Reg) {
        // Merge adjacent literals.
        let mut merged: Vec<Part> = Vec::with_capacity(parts.len());
        for p in parts {
            match (merged.last_mut(), p) {
                (Some(Part::Lit(a)), Part::Lit(b)) => a.to_mut().push_str(&b),
                (_, p) => merged.push(p),
            }
        }
        if let [Part::Lit(s)] = merged.as_slice() {
            let k = self.str_const(s);
            self.emit(Instr::LoadConst { dst, k });
            return;
        }
        let n = merged.len() as u16;
        let base = self.tmps(n);
        for (k, p) in merged.into_iter().enumerate() {
            let r = base + k as u16;
            match p {
                Part::Lit(s) => {
                    let k = self.str_const(&s);
                    self.emit(Instr::LoadConst { dst: r, k });
                }
                Part::Interp(i) => {
                    let v = self.expr(&i.expression);
                    let spec = i.format_spec.as_ref().map(|s| {
                        let mut sp = vec![];
                        Self::collect_parts(&s.elements, &mut sp);
                        let sr = self.tmp();
                        self.build_string(sp, sr);
                        sr
                    });
                    let mut conv = i.conversion.to_byte().unwrap_or(0);
                    if conv == 0 && i.debug_text.is_some() && spec.is_none() {
                        conv = b'r';
                    }
                    self.span = i.range;
                    self.emit(Instr::FormatValue {
                        dst: r,
                        src: v,
                        conv,
                        spec,
                    });
                }
            }
        }
        self.emit(Instr::BuildString {
            dst,
            start: base,
            n,
        });
    }

    /// kind: 0 list, 1 tuple, 2 set.
    fn seq_display(&mut self, elts: &'a [Expr], dst: Reg, kind: u8) {
        if elts.iter().any(|e| e.is_starred_expr()) {
            self.emit(Instr::BuildList {
                dst,
                start: 0,
                n: 0,
            });
            for e in elts {
                if let Expr::Starred(s) = e {
                    let v = self.expr(&s.value);
                    self.emit(Instr::ListExtend { list: dst, src: v });
                } else {
                    let v = self.expr(e);
                    self.emit(Instr::ListAppend { list: dst, src: v });
                }
            }
            match kind {
                1 => {
                    self.emit(Instr::ListToTuple { dst, src: dst });
                }
                2 => {
                    let b = self.tmp();
                    let s = crate::builtins::builtin_index("set").unwrap_or(0);
                    self.emit(Instr::LoadBuiltin { dst: b, b: s });
                    let kw = self.kwnames(vec![]);
                    self.emit(Instr::Call {
                        dst,
                        func: b,
                        args: dst,
                        npos: 1,
                        kwnames: kw,
                    });
                }
                _ => {}
            }
            return;
        }
        let n = elts.len() as u16;
        let base = self.tmps(n);
        for (i, e) in elts.iter().enumerate() {
            self.expr_to(e, base + i as u16);
        }
        self.emit(match kind {
            0 => Instr::BuildList {
                dst,
                start: base,
                n,
            },
            1 => Instr::BuildTuple {
                dst,
                start: base,
                n,
            },
            _ => Instr::BuildSet {
                dst,
                start: base,
                n,
            },
        });
    }

    fn dict_display(&mut self, d: &'a ast::ExprDict, dst: Reg) {
        if d.items.iter().any(|i| i.key.is_none()) {
            self.emit(Instr::BuildDict {
                dst,
                start: 0,
                n: 0,
            });
            for it in &d.items {
                let v = self.expr(&it.value);
                match &it.key {
                    Some(k) => {
                        let k = self.expr(k);
                        self.emit(Instr::DictInsert {
                            dict: dst,
                            key: k,
                            src: v,
                        });
                    }
                    None => {
                        self.emit(Instr::DictUpdate { dict: dst, src: v });
                    }
                }
            }
            return;
        }
        let n = d.items.len() as u16;
        let base = self.tmps(n * 2);
        for (i, it) in d.items.iter().enumerate() {
            if let Some(k) = &it.key {
                self.expr_to(k, base + 2 * i as u16);
            }
            self.expr_to(&it.value, base + 2 * i as u16 + 1);
        }
        self.span = d.range;
        self.emit(Instr::BuildDict {
            dst,
            start: base,
            n,
        });
    }

    /// The index of a keyword-name list; equal lists (most calls have none) share one entry.
    pub(crate) fn kwnames(&mut self, names: Vec<&'a str>) -> u32 {
        if let Some(&i) = self.kw_lists.get(&names) {
            return i;
        }
        let list = names
            .iter()
            .map(|n| {
                let i = self.name_idx(n);
                self.prog.names[i as usize].clone()
            })
            .collect();
        let i = self.prog.name_lists.len() as u32;
        self.prog.name_lists.push(list);
        self.kw_lists.insert(names, i);
        i
    }

    /// Arguments into consecutive registers (positional then keyword values), or packed.
    fn args(&mut self, a: &'a ast::Arguments) -> Result<(Reg, u16, u32), (Reg, Reg)> {
        let star = a.args.iter().any(|x| x.is_starred_expr())
            || a.keywords.iter().any(|k| k.arg.is_none());
        if star {
            let l = self.tmp();
            let d = self.tmp();
            self.emit(Instr::BuildList {
                dst: l,
                start: 0,
                n: 0,
            });
            self.emit(Instr::BuildDict {
                dst: d,
                start: 0,
                n: 0,
            });
            for x in a.args.iter() {
                if let Expr::Starred(s) = x {
                    let v = self.expr(&s.value);
                    self.emit(Instr::ListExtend { list: l, src: v });
                } else {
                    let v = self.expr(x);
                    self.emit(Instr::ListAppend { list: l, src: v });
                }
            }
            for k in a.keywords.iter() {
                let v = self.expr(&k.value);
                match &k.arg {
                    Some(n) => {
                        let kr = self.tmp();
                        let k = self.str_const(n.id.as_str());
                        self.emit(Instr::LoadConst { dst: kr, k });
                        self.emit(Instr::DictInsert {
                            dict: d,
                            key: kr,
                            src: v,
                        });
                    }
                    None => {
                        self.emit(Instr::DictUpdate { dict: d, src: v });
                    }
                }
            }
            return Err((l, d));
        }
        let npos = a.args.len() as u16;
        let n = npos + a.keywords.len() as u16;
        let base = self.tmps(n);
        for (i, x) in a.args.iter().enumerate() {
            self.expr_to(x, base + i as u16);
        }
        let mut names = vec![];
        for (i, k) in a.keywords.iter().enumerate() {
            self.expr_to(&k.value, base + npos + i as u16);
            if let Some(n) = &k.arg {
                names.push(n.id.as_str());
            }
        }
        let kw = self.kwnames(names);
        Ok((base, npos, kw))
    }

    fn call(&mut self, c: &'a ast::ExprCall, dst: Reg) {
        if let Expr::Name(n) = &*c.func
            && let Loc::Tool(tool) = self.resolve(n.id.as_str())
        {
            self.static_tool_check(tool, &c.arguments, c.range());
            let a = self.args(&c.arguments);
            self.span = c.range();
            match a {
                Ok((args, npos, kwnames)) => self.emit(Instr::CallTool {
                    dst,
                    tool,
                    args,
                    npos,
                    kwnames,
                }),
                Err((args, kwargs)) => self.emit(Instr::CallToolEx {
                    dst,
                    tool,
                    args,
                    kwargs,
                }),
            };
            return;
        }
        if let Expr::Attribute(at) = &*c.func {
            if !self.check_dunder(at.attr.id.as_str(), at.attr.range) {
                return;
            }
            let obj = self.expr(&at.value);
            let name = self.name_idx(at.attr.id.as_str());
            let a = self.args(&c.arguments);
            self.span = c.range();
            match a {
                Ok((args, npos, kwnames)) => {
                    self.emit(Instr::CallMethod {
                        dst,
                        obj,
                        name,
                        args,
                        npos,
                        kwnames,
                    });
                }
                Err((args, kwargs)) => {
                    let f = self.tmp();
                    self.emit(Instr::GetAttr { dst: f, obj, name });
                    self.emit(Instr::CallEx {
                        dst,
                        func: f,
                        args,
                        kwargs,
                    });
                }
            }
            return;
        }
        let func = self.expr(&c.func);
        let a = self.args(&c.arguments);
        self.span = c.range();
        match a {
            Ok((args, npos, kwnames)) => self.emit(Instr::Call {
                dst,
                func,
                args,
                npos,
                kwnames,
            }),
            Err((args, kwargs)) => self.emit(Instr::CallEx {
                dst,
                func,
                args,
                kwargs,
            }),
        };
    }

    /// Tool names cannot be rebound, so a call's shape is checked before anything runs.
    fn static_tool_check(&mut self, tool: u32, a: &'a ast::Arguments, r: TextRange) {
        if a.args.iter().any(|x| x.is_starred_expr()) || a.keywords.iter().any(|k| k.arg.is_none())
        {
            return;
        }
        let env = self.env;
        let stub = &env.tools[tool as usize];
        let names: Vec<&str> = a
            .keywords
            .iter()
            .filter_map(|k| k.arg.as_ref().map(|n| n.id.as_str()))
            .collect();
        // Literal arguments are validated against their schemas now.
        let bound = match stub.bind(a.args.len(), &names) {
            Ok(bound) => bound,
            Err(msg) => {
                self.type_err(r, msg);
                return;
            }
        };
        let values = a.args.iter().chain(a.keywords.iter().map(|k| &k.value));
        for (i, e) in values.enumerate() {
            if let Some(c) = self.literal_json(e)
                && let Err(msg) = stub.validate_arg(bound[i], &c)
            {
                self.type_err(e.range(), msg);
            }
        }
    }

    fn literal_json(&mut self, e: &Expr) -> Option<serde_json::Value> {
        match e {
            Expr::StringLiteral(s) => Some(serde_json::Value::String(s.value.to_str().to_string())),
            Expr::BooleanLiteral(b) => Some(serde_json::Value::Bool(b.value)),
            Expr::NumberLiteral(n) => match &n.value {
                ast::Number::Int(i) => i.as_i64().map(|v| v.into()),
                ast::Number::Float(f) => {
                    serde_json::Number::from_f64(*f).map(serde_json::Value::Number)
                }
                _ => None,
            },
            _ => None,
        }
    }
}
