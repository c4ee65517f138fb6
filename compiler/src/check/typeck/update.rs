//! Update statements: targets by block (E0206, E0209, E0210), label-set values (E0305) and
//! reserved tags (E0306, lets expanded).

use super::{Checker, MAX_EXPANSIONS, MAX_LET_DEPTH, Place, is_reserved, lint};
use crate::ast::{self, AssignOp, Field, SetOp};
use crate::diag::{Diagnostic, Span};
use crate::ir::{self, MetaTarget};

impl Checker<'_> {
    pub fn update(
        &mut self,
        target: &ast::Target,
        op: AssignOp,
        value: &ast::SetExpr,
        span: Span,
    ) -> Option<ir::Update> {
        let Some((target, field)) = self.update_target(target) else {
            // The value is not checked, but its W0006 is still given.
            if self.lint_mixed && self.frames.is_empty() {
                lint::mixed_operators_within(value, &mut self.mixed);
            }
            return None;
        };
        if field == Field::Tags && !self.opts.prelude {
            self.reserved(value, matches!(op, AssignOp::Minus | AssignOp::Xor));
        }
        let value = self.labels(value, "an update")?;
        Some(ir::Update {
            target,
            field,
            op,
            value,
            span,
        })
    }

    /// What an update assigns, in this block (E0206, E0209, E0210).
    fn update_target(&mut self, target: &ast::Target) -> Option<(MetaTarget, Field)> {
        Some(match target {
            ast::Target::At(f, _) => (
                if self.place == Place::Result {
                    MetaTarget::Result
                } else {
                    MetaTarget::Session
                },
                *f,
            ),
            ast::Target::Session(f, _) => (MetaTarget::Session, *f),
            ast::Target::Result(f, span) => {
                match self.place {
                    Place::Result => {}
                    Place::After => {
                        self.diags.push(
                            Diagnostic::error(
                                "E0210",
                                *span,
                                "`@result` cannot be assigned in `session after`",
                            )
                            .with_help(
                                "the result meta is final by then; assign it in a `result` block",
                            ),
                        );
                        return None;
                    }
                    _ => {
                        self.diags.push(
                            Diagnostic::error(
                                "E0206",
                                *span,
                                format!(
                                    "`@result` is not available in {}",
                                    self.place.block_name()
                                ),
                            )
                            .with_help(
                                "the result exists only in `result` and `session after` blocks",
                            ),
                        );
                        return None;
                    }
                }
                (MetaTarget::Result, *f)
            }
            ast::Target::Arg(id, f, span) => {
                self.diags.push(
                    Diagnostic::error(
                        "E0209",
                        *span,
                        format!(
                            "`{}.{}` is an argument's meta and cannot be assigned",
                            id.name,
                            f.name()
                        ),
                    )
                    .with_help(format!(
                        "assign `@{0}` (this block's meta) or `@session.{0}`",
                        f.name()
                    )),
                );
                return None;
            }
        })
    }

    /// E0306: a reserved tag named in a removing position, lets expanded.
    fn reserved(&mut self, e: &ast::SetExpr, removing: bool) {
        use ast::SetKind as S;
        let report = |this: &mut Self, label: &str, span: Span| {
            let d = Diagnostic::error(
                "E0306",
                span,
                format!("`{label}` is a reserved tag and cannot be removed"),
            )
            .with_help(
                "tags starting with `__` only ever grow: an update may add them, never remove them",
            );
            this.contextual(d);
        };
        match &e.kind {
            S::Bin { op, lhs, rhs } => {
                self.reserved(lhs, removing);
                self.reserved(rhs, removing || matches!(op, SetOp::Minus | SetOp::Xor));
            }
            S::With { set, elem, without } => {
                self.reserved(set, removing);
                if let ast::ElementKind::Str(s) = &elem.kind
                    && (removing || *without)
                    && is_reserved(&s.value)
                {
                    report(self, &s.value, elem.span);
                }
            }
            S::Literal(elems) if removing => {
                for el in elems {
                    if let ast::ElementKind::Str(s) = &el.kind
                        && is_reserved(&s.value)
                    {
                        report(self, &s.value, el.span);
                    }
                }
            }
            S::Ref(id) => {
                let Some((idx, l)) = self.lets.get(&id.name) else {
                    return;
                };
                if l.cyclic
                    || self.frames.iter().any(|f| f.let_idx == idx)
                    || self.frames.len() >= MAX_LET_DEPTH
                    || self.expansions > MAX_EXPANSIONS
                {
                    return; // a cycle or a limit, reported by resolve or `lookup`
                }
                self.expansions += 1;
                let use_span = self.frames.first().map_or(id.span, |f| f.use_span);
                self.push_frame(idx, use_span);
                match &l.decl.value {
                    ast::LetValue::Set(s) => self.reserved(s, removing),
                    ast::LetValue::Alias { target, .. } => {
                        let alias = ast::SetExpr {
                            kind: S::Ref(target.clone()),
                            span: target.span,
                        };
                        self.reserved(&alias, removing);
                    }
                    _ => {}
                }
                self.frames.pop();
            }
            S::Paren(inner) => self.reserved(inner, removing),
            S::Literal(_) | S::Meta(_) | S::Error => {}
        }
    }

    /// Checks a block's statements in its place.
    pub fn block(&mut self, block: &ast::Block, place: Place) -> Vec<ir::Stmt> {
        self.place = place;
        let mut out = Vec::with_capacity(block.stmts.len());
        for stmt in &block.stmts {
            match &stmt.kind {
                ast::StmtKind::Update(u) => out.extend(
                    self.update(&u.target, u.op, &u.value, u.span)
                        .map(ir::Stmt::Update),
                ),
                ast::StmtKind::When { cond, updates } => {
                    let cond = self.pred(cond);
                    // Sized for all of them: collected from a filter, the vector would start
                    // with room for four.
                    let mut checked = Vec::with_capacity(updates.len());
                    checked.extend(
                        updates
                            .iter()
                            .filter_map(|u| self.update(&u.target, u.op, &u.value, u.span)),
                    );
                    out.push(ir::Stmt::When {
                        cond,
                        updates: checked,
                        span: stmt.span,
                    });
                }
                ast::StmtKind::Error => {}
            }
        }
        out
    }
}
