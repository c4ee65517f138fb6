//! Stage `fmt`: AST (+ source, for comments and blank lines) → canonical text.
//!
//! The style is in `docs/formatting.md`. The printer walks the tree in source order and, before
//! each node, flushes the comments that start before it, so every comment is kept and in order:
//! comments between declarations, members or statements go on their own lines, a comment on
//! the same line after one stays there, and a comment inside an expression stays inside it (a
//! `//` comment there continues the expression on the next line, indented one more level).
//! Set operators print as symbols; parentheses, literal spellings and keyword spellings
//! (`must`/`hard`, shorthand targets) print exactly as parsed, so `parse(format(x))` equals
//! `parse(x)` up to spans.

use crate::ast::*;

const INDENT: &str = "    ";

/// Prints `program` (parsed from `src`) in the canonical style. Meant for programs without
/// syntax errors; a recovered `Error` node is copied from the source as written.
pub fn format(program: &Program, src: &str) -> String {
    let mut p = Printer {
        src,
        comments: &program.comments,
        next: 0,
        out: String::with_capacity(src.len() + src.len() / 8),
        indent: 0,
        last_end: 0,
        block_start: true,
    };
    for item in &program.items {
        p.item(item);
    }
    p.comments_before(src.len());
    p.out
}

struct Printer<'a> {
    src: &'a str,
    comments: &'a [Comment],
    /// The first comment not printed yet.
    next: usize,
    out: String,
    indent: usize,
    /// Source offset of the end of the last printed element or comment.
    last_end: usize,
    /// Nothing printed yet in the current block (no blank line may open it).
    block_start: bool,
}

impl Printer<'_> {
    // ---- lines and comments --------------------------------------------------------------

    fn pad(&mut self) {
        for _ in 0..self.indent {
            self.out.push_str(INDENT);
        }
    }

    /// Whether the source between two offsets holds a blank line.
    fn blank_between(&self, from: usize, to: usize) -> bool {
        let gap = self.src.get(from..to).unwrap_or("");
        gap.matches('\n').count() >= 2
    }

    fn pending(&self, before: usize) -> Option<&Comment> {
        self.comments
            .get(self.next)
            .filter(|c| (c.span.start as usize) < before)
    }

    /// Starts a new element at source offset `start` on its own line: first the comments that
    /// precede it on their own lines, keeping (single) blank lines where the source had any.
    fn leading(&mut self, start: usize) {
        self.comments_before(start);
        if !self.block_start && start < self.src.len() && self.blank_between(self.last_end, start) {
            self.out.push('\n');
        }
        self.last_end = self.last_end.max(start);
    }

    /// The own-line comments before `start`, where no element follows (a closing `}` or the
    /// end of the file): no blank line after them.
    fn comments_before(&mut self, start: usize) {
        while let Some(c) = self.pending(start) {
            let (text, cs, ce) = (c.text.clone(), c.span.start as usize, c.span.end as usize);
            self.next += 1;
            if !self.block_start && self.blank_between(self.last_end, cs) {
                self.out.push('\n');
            }
            self.pad();
            self.out.push_str(&text);
            self.out.push('\n');
            self.last_end = ce;
            self.block_start = false;
        }
    }

    /// Ends the line of an element that ended at source offset `end`: comments that follow on
    /// the same source line stay on it.
    fn trailing(&mut self, end: usize) {
        self.last_end = end;
        while let Some(c) = self.comments.get(self.next) {
            let cs = c.span.start as usize;
            if cs < self.last_end
                || self
                    .src
                    .get(self.last_end..cs)
                    // Only whitespace, no line break, between the element and the comment.
                    .is_none_or(|g| g.contains('\n') || !g.trim().is_empty())
            {
                break;
            }
            self.out.push(' ');
            self.out.push_str(&c.text);
            self.last_end = c.span.end as usize;
            self.next += 1;
            if c.kind == CommentKind::Line {
                break;
            }
        }
        self.out.push('\n');
        self.block_start = false;
    }

    /// Inside an expression: prints the comments that start before `pos` in place.
    fn inline(&mut self, pos: u32) {
        while let Some(c) = self.pending(pos as usize) {
            let (text, kind) = (c.text.clone(), c.kind);
            self.next += 1;
            if !self.out.ends_with([' ', '\n']) {
                self.out.push(' ');
            }
            self.out.push_str(&text);
            if kind == CommentKind::Line {
                self.out.push('\n');
                self.indent += 1;
                self.pad();
                self.indent -= 1;
            } else {
                self.out.push(' ');
            }
        }
    }

    fn docs(&mut self, docs: &Option<Doc>) {
        if let Some(d) = docs {
            for line in d.text.split('\n') {
                self.pad();
                self.out.push_str("///");
                if !line.is_empty() {
                    self.out.push(' ');
                    self.out.push_str(line);
                }
                self.out.push('\n');
            }
            // No blank line between a doc comment and what it documents.
            self.last_end = d.span.end as usize;
            self.block_start = true;
        }
    }

    /// `{`, the elements, `}`: `{}` when there is nothing inside, not even a comment.
    fn braces<T>(&mut self, elems: &[T], close: usize, mut each: impl FnMut(&mut Self, &T)) {
        if elems.is_empty() && self.pending(close).is_none() {
            self.out.push_str(" {}");
            return;
        }
        self.out.push_str(" {\n");
        self.indent += 1;
        self.block_start = true;
        for e in elems {
            each(self, e);
        }
        self.comments_before(close);
        self.indent -= 1;
        self.pad();
        self.out.push('}');
    }

    /// The offset of the first `;` at or after `from` outside comments (an update's `;`).
    fn next_semi(&self, from: usize) -> usize {
        let mut at = from;
        while let Some(i) = self.src.get(at..).and_then(|r| r.find(';')) {
            let pos = at + i;
            // Comments are sorted: only those starting before `pos` can contain it.
            let open = self.comments[self.next..]
                .iter()
                .take_while(|c| (c.span.start as usize) <= pos)
                .find(|c| pos < c.span.end as usize);
            match open {
                Some(c) => at = c.span.end as usize,
                None => return pos,
            }
        }
        from
    }

    /// A recovered syntax error: the source text as written.
    fn raw(&mut self, span: crate::diag::Span) {
        self.out
            .push_str(self.src.get(span.range()).unwrap_or("").trim());
    }

    // ---- declarations --------------------------------------------------------------------

    fn item(&mut self, item: &Item) {
        let start = item.docs.as_ref().map_or(item.span.start, |d| d.span.start);
        self.leading(start as usize);
        self.docs(&item.docs);
        self.leading(item.span.start as usize);
        self.pad();
        let semi = item.span.end.saturating_sub(1);
        match &item.kind {
            ItemKind::Let(l) => {
                self.out.push_str("let ");
                self.out.push_str(&l.name.name);
                self.out.push_str(" = ");
                match &l.value {
                    LetValue::Domain(d) => self.domain(d),
                    LetValue::Pred(p) => self.pred(p),
                    LetValue::Set(s) => self.set(s),
                    LetValue::Alias { target, parens } => {
                        self.inline(target.span.start);
                        self.out.push_str(&"(".repeat(*parens as usize));
                        self.out.push_str(&target.name);
                        self.out.push_str(&")".repeat(*parens as usize));
                    }
                }
                self.inline(semi);
                self.out.push(';');
            }
            ItemKind::Policy(p) => {
                self.out.push_str("tool ");
                self.out.push_str(&p.id.lit().raw);
                self.braces(&p.members, semi as usize, Self::member);
            }
            ItemKind::Shorthand(s) => self.shorthand(s, semi),
            ItemKind::Error => self.raw(item.span),
        }
        self.trailing(item.span.end as usize);
    }

    fn shorthand(&mut self, s: &Shorthand, semi: u32) {
        self.out.push_str("tool ");
        self.out.push_str(&s.id.lit().raw);
        if let Some(n) = &s.priority {
            self.out.push_str(" [");
            self.out.push_str(&n.raw);
            self.out.push(']');
        }
        self.out.push_str(" -> ");
        self.out.push_str(match s.target {
            ShorthandTarget::Implicit => "",
            ShorthandTarget::Result => "result ",
            ShorthandTarget::Session => "session ",
            ShorthandTarget::SessionBefore => "session before ",
            ShorthandTarget::SessionAfter => "session after ",
        });
        self.out.push('@');
        self.out.push_str(s.field.name());
        self.assign(s.op);
        self.set(&s.value);
        if let Some(c) = &s.cond {
            self.out.push_str(" when ");
            self.pred(c);
        }
        self.inline(semi);
        self.out.push(';');
    }

    fn member(&mut self, m: &Member) {
        let start = m.docs.as_ref().map_or(m.span.start, |d| d.span.start);
        self.leading(start as usize);
        self.docs(&m.docs);
        self.leading(m.span.start as usize);
        self.pad();
        let last = m.span.end.saturating_sub(1);
        match &m.kind {
            MemberKind::Priority(n) => {
                self.out.push_str("priority ");
                self.inline(n.span.start);
                self.out.push_str(&n.raw);
                self.inline(last);
                self.out.push(';');
            }
            MemberKind::Rule(r) => {
                self.out.push_str(match r.level {
                    Level::Must => "must",
                    Level::Hard => "hard",
                    Level::Should => "should",
                    Level::Soft => "soft",
                });
                self.out.push_str(match r.effect {
                    Effect::Allow => " allow",
                    Effect::Deny => " deny",
                });
                match &r.cond {
                    Some(c) => {
                        self.out.push_str(" when ");
                        self.pred(c);
                    }
                    None => self.out.push_str(" always"),
                }
                self.inline(last);
                self.out.push(';');
            }
            MemberKind::Result(b) => {
                self.out.push_str("result");
                self.block(b);
            }
            MemberKind::SessionBefore(b) => {
                self.out.push_str("session before");
                self.block(b);
            }
            MemberKind::SessionAfter(b) => {
                self.out.push_str("session after");
                self.block(b);
            }
            MemberKind::Error => self.raw(m.span),
        }
        self.trailing(m.span.end as usize);
    }

    fn block(&mut self, b: &Block) {
        self.inline(b.span.start);
        self.braces(&b.stmts, b.span.end.saturating_sub(1) as usize, Self::stmt);
    }

    fn stmt(&mut self, s: &Stmt) {
        let start = s.docs.as_ref().map_or(s.span.start, |d| d.span.start);
        self.leading(start as usize);
        self.docs(&s.docs);
        self.leading(s.span.start as usize);
        self.pad();
        match &s.kind {
            StmtKind::Update(u) => {
                self.update(u);
                self.inline(s.span.end.saturating_sub(1));
                self.out.push(';');
            }
            StmtKind::When { cond, updates } => {
                self.out.push_str("when ");
                self.pred(cond);
                let close = s.span.end.saturating_sub(1) as usize;
                self.braces(updates, close, |p, u| {
                    p.leading(u.span.start as usize);
                    p.pad();
                    p.update(u);
                    let semi = p.next_semi(u.span.end as usize);
                    p.inline(semi as u32);
                    p.out.push(';');
                    p.trailing(semi + 1);
                });
            }
            StmtKind::Error => self.raw(s.span),
        }
        self.trailing(s.span.end as usize);
    }

    fn update(&mut self, u: &Update) {
        match &u.target {
            Target::At(f, _) => {
                self.out.push('@');
                self.out.push_str(f.name());
            }
            Target::Result(f, _) => {
                self.out.push_str("@result.");
                self.out.push_str(f.name());
            }
            Target::Session(f, _) => {
                self.out.push_str("@session.");
                self.out.push_str(f.name());
            }
            Target::Arg(name, f, _) => {
                self.out.push_str(&name.name);
                self.out.push('.');
                self.out.push_str(f.name());
            }
        }
        self.assign(u.op);
        self.set(&u.value);
    }

    fn assign(&mut self, op: AssignOp) {
        self.out.push_str(match op {
            AssignOp::Set => " = ",
            AssignOp::Union => " |= ",
            AssignOp::Intersect => " &= ",
            AssignOp::Minus => " -= ",
            AssignOp::Xor => " ^= ",
        });
    }

    // ---- expressions ---------------------------------------------------------------------

    fn pred(&mut self, p: &Pred) {
        self.inline(p.span.start);
        match &p.kind {
            PredKind::Or(list) | PredKind::And(list) => {
                let sep = if matches!(p.kind, PredKind::Or(_)) {
                    " or "
                } else {
                    " and "
                };
                for (i, q) in list.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(sep);
                    }
                    self.pred(q);
                }
            }
            PredKind::Not(q) => {
                self.out.push_str("not ");
                self.pred(q);
            }
            PredKind::Paren(q) => {
                self.out.push('(');
                self.pred(q);
                self.inline(p.span.end.saturating_sub(1));
                self.out.push(')');
            }
            PredKind::Ref(name) => self.out.push_str(&name.name),
            PredKind::In { quant, value, set } => {
                match quant {
                    Some(Quant::Any) => self.out.push_str("any "),
                    Some(Quant::All) => self.out.push_str("all "),
                    None => {}
                }
                self.value(value);
                self.out.push_str(" in ");
                self.set(set);
            }
            PredKind::ValueEq(pair) => {
                let [a, b] = &**pair;
                self.value(a);
                self.out.push_str(" == ");
                self.value(b);
            }
            PredKind::SetCmp { left, op, right } => {
                self.meta(left);
                self.out.push_str(match op {
                    SetCmpOp::Overlaps => " overlaps ",
                    SetCmpOp::Subset => " subset of ",
                    SetCmpOp::Superset => " superset of ",
                    SetCmpOp::Eq => " == ",
                });
                self.set(right);
            }
            PredKind::Is { left, universal } => {
                self.meta(left);
                self.out.push_str(if *universal {
                    " is universal"
                } else {
                    " is empty"
                });
            }
            PredKind::Error => self.raw(p.span),
        }
    }

    fn value(&mut self, v: &ValueExpr) {
        self.inline(v.span.start);
        match &v.kind {
            ValueKind::Arg(name) => {
                self.out.push_str(&name.name);
                self.out.push_str(".value");
            }
            ValueKind::Result => self.out.push_str("@result.value"),
            ValueKind::Session => self.out.push_str("@session.value"),
            ValueKind::Str(s) | ValueKind::Date(s) => self.out.push_str(&s.raw),
            ValueKind::Number(n) => self.out.push_str(&n.raw),
            ValueKind::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
        }
    }

    fn meta(&mut self, m: &MetaAcc) {
        self.inline(m.span.start);
        match &m.kind {
            MetaKind::Arg(name, f) => {
                self.out.push_str(&name.name);
                self.out.push('.');
                self.out.push_str(f.name());
            }
            MetaKind::Result(f) => {
                self.out.push_str("@result.");
                self.out.push_str(f.name());
            }
            MetaKind::Session(f) => {
                self.out.push_str("@session.");
                self.out.push_str(f.name());
            }
            MetaKind::At(f) => {
                self.out.push('@');
                self.out.push_str(f.name());
            }
            MetaKind::Args(f, agg) => {
                self.out.push_str("@args.");
                self.out.push_str(f.name());
                match agg {
                    Some(AggOp::Union) => self.out.push_str(".union"),
                    Some(AggOp::Intersect) => self.out.push_str(".intersect"),
                    None => {}
                }
            }
            MetaKind::Of(op, f) => {
                self.out.push_str(if *op == AggOp::Union {
                    "union of "
                } else {
                    "intersect of "
                });
                self.out.push_str(f.name());
                self.out.push_str(" from args");
            }
        }
    }

    fn set(&mut self, s: &SetExpr) {
        self.inline(s.span.start);
        match &s.kind {
            SetKind::Bin { op, lhs, rhs } => {
                self.set(lhs);
                self.out.push_str(match op {
                    SetOp::Xor => " ^ ",
                    SetOp::Minus => " - ",
                    SetOp::Intersect => " & ",
                    SetOp::Union => " | ",
                });
                self.set(rhs);
            }
            SetKind::With { set, elem, without } => {
                self.set(set);
                self.out
                    .push_str(if *without { " without " } else { " with " });
                self.element(elem);
            }
            SetKind::Literal(elems) => {
                self.out.push('{');
                for (i, e) in elems.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.element(e);
                }
                self.inline(s.span.end.saturating_sub(1));
                self.out.push('}');
            }
            SetKind::Meta(m) => self.meta(m),
            SetKind::Ref(name) => self.out.push_str(&name.name),
            SetKind::Paren(inner) => {
                self.out.push('(');
                self.set(inner);
                self.inline(s.span.end.saturating_sub(1));
                self.out.push(')');
            }
            SetKind::Error => self.raw(s.span),
        }
    }

    fn element(&mut self, e: &Element) {
        self.inline(e.span.start);
        match &e.kind {
            ElementKind::Str(s) | ElementKind::Regex(s) | ElementKind::Wild(s) => {
                self.out.push_str(&s.raw)
            }
            ElementKind::Number(n) => self.out.push_str(&n.raw),
            ElementKind::Domain(d) => self.domain(d),
        }
    }

    fn domain(&mut self, d: &Domain) {
        self.inline(d.span.start);
        match &d.kind {
            DomainKind::Bool(b) => self
                .out
                .push_str(if *b { "bool true" } else { "bool false" }),
            DomainKind::Int(r) => {
                self.out.push_str("int ");
                self.range(r, |n| &n.raw);
            }
            DomainKind::Float(r) => {
                self.out.push_str("float ");
                self.range(r, |n| &n.raw);
            }
            DomainKind::Str { pat, length } => {
                self.out.push_str(match pat {
                    StrPat::Exact(_) => "str ",
                    StrPat::Matching(_) => "str matching ",
                    StrPat::Like(_) => "str like ",
                });
                let (StrPat::Exact(s) | StrPat::Matching(s) | StrPat::Like(s)) = pat;
                self.out.push_str(&s.raw);
                if let Some(r) = length {
                    self.out.push_str(" length ");
                    self.range(r, |n| &n.raw);
                }
            }
            DomainKind::Datetime(spec) => {
                self.out.push_str("datetime ");
                match spec {
                    DtSpec::Range(r) => self.range(r, |s| &s.raw),
                    DtSpec::Iso(s) => self.out.push_str(&s.raw),
                    DtSpec::Epoch(n) => self.out.push_str(&n.raw),
                }
            }
        }
    }

    /// Ranges print without spaces: `1..10`, `..<5`, `0<..`.
    fn range<B>(&mut self, r: &Range<B>, raw: impl Fn(&B) -> &str) {
        match r {
            Range::Exact(b) => self.out.push_str(raw(b)),
            Range::Bounded { lo, op, hi } => {
                if let Some(lo) = lo {
                    self.out.push_str(raw(lo));
                }
                self.out.push_str(match op {
                    RangeOp::Closed => "..",
                    RangeOp::HalfOpenHigh => "..<",
                    RangeOp::HalfOpenLow => "<..",
                    RangeOp::Open => "<..<",
                });
                if let Some(hi) = hi {
                    self.out.push_str(raw(hi));
                }
            }
        }
    }
}
