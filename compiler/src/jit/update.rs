//! Stage `update`: a policy's update blocks (`session before`, `result`, `session after`) to
//! native functions over an `UpdateView` (docs/jit.md "Update blocks").
//!
//! A block compiles when every update's value is a label-set expression on inline words (no
//! literal label ≥ 127) and every condition either compiles natively or reads neither the
//! session nor the result. The function updates the view's meta words in place, statement by
//! statement, so later statements see earlier ones as the interpreter's do; `Jit::run_block`
//! writes the words back only when the whole block ran natively. Whatever native code cannot
//! finish (spilled words, a reserved label ≥ 127, a predicate over the session or result left
//! to the interpreter) leaves through the failure exit before anything is written back, and the
//! block then runs in the interpreter from the metas as they were.

use std::mem::{offset_of, size_of};

use cranelift_codegen::ir::{InstBuilder, Signature};
use cranelift_frontend::FunctionBuilderContext;

use super::lower::{Consts, FLAGS, Gen, I64, Mode, Words};
use super::plan::{EntryPlan, lset_native, reads_state};
use super::view::{LabelView, MetaView, UpdateView};
use crate::bytecode::*;
use crate::interp::Interp;

/// The three update blocks of a policy, in lifecycle order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockKind {
    SessionBefore = 0,
    Result = 1,
    SessionAfter = 2,
}

impl BlockKind {
    pub const ALL: [BlockKind; 3] = [
        BlockKind::SessionBefore,
        BlockKind::Result,
        BlockKind::SessionAfter,
    ];

    pub fn stmts(self, p: &PolicyCode) -> &[StmtCode] {
        match self {
            BlockKind::SessionBefore => &p.session_before,
            BlockKind::Result => &p.result,
            BlockKind::SessionAfter => &p.session_after,
        }
    }

    /// The block runs on a tool output (`@result` is the output's meta, not ⊥).
    pub fn has_result(self) -> bool {
        self != BlockKind::SessionBefore
    }
}

/// The plan of block `kind` of policy `pi`: the arguments and aggregates it reads, or `None`
/// when it is empty or does not compile natively.
pub fn plan(m: &Module, pi: usize, kind: BlockKind) -> Option<EntryPlan> {
    let stmts = kind.stmts(&m.policies[pi]);
    if stmts.is_empty() {
        return None;
    }
    let conds: Vec<PredId> = stmts.iter().filter_map(|s| s.cond).collect();
    let values: Vec<LSetId> = stmts
        .iter()
        .flat_map(|s| &s.updates)
        .map(|u| u.value)
        .collect();
    if !values.iter().all(|&v| lset_native(m, v)) || !conds.iter().all(|&c| compiles(m, c)) {
        return None;
    }
    let mut plan = EntryPlan::reading_nothing(vec![pi]);
    plan.add_reads(m, conds, values);
    Some(plan)
}

/// Predicate `id` runs natively in an update function: what `Gen::pred` lowers itself, or
/// what it leaves to the interpreter but reads only the arguments (the interpreter's view of
/// the session and result is stale until the block is written back).
fn compiles(m: &Module, id: PredId) -> bool {
    match &m.preds[id as usize] {
        PredNode::And(ps) | PredNode::Or(ps) => ps.iter().all(|&p| compiles(m, p)),
        PredNode::Not(p) => compiles(m, *p),
        PredNode::SetCmp { right, .. } if lset_native(m, *right) => true,
        PredNode::IsEmpty(_) | PredNode::IsUniversal(_) => true,
        PredNode::In {
            value: ValCode::Arg(_),
            set,
            ..
        } if matches!(m.vsets[*set as usize], VSetNode::Lit(_)) => true,
        PredNode::ValueEq(ValCode::Arg(_), ValCode::Str(_))
        | PredNode::ValueEq(ValCode::Str(_), ValCode::Arg(_)) => true,
        _ => !reads_state(m, id),
    }
}

/// Emits the update function of block `kind` of `plan`'s policy; `user` re-adds reserved
/// tags after each tag update (sqrt.md §4.4), as `Interp::run_block` does.
#[allow(clippy::too_many_arguments)]
pub fn lower_block(
    func: &mut cranelift_codegen::ir::Function,
    fctx: &mut FunctionBuilderContext,
    interp: &Interp,
    consts: &Consts,
    plan: &EntryPlan,
    kind: BlockKind,
    helper_sigs: [Signature; 4],
    target: cranelift_codegen::isa::TargetFrontendConfig,
) {
    let m = &interp.module;
    let policy = &m.policies[plan.policies[0]];
    let user = policy.preset.is_none();
    let result = kind.has_result();
    let mut g = Gen::start(
        func,
        fctx,
        interp,
        consts,
        plan,
        helper_sigs,
        Mode::Update { result },
    );
    for s in kind.stmts(policy) {
        stmt(&mut g, s, user, result);
    }
    g.finish(target);
}

fn stmt(g: &mut Gen<'_, '_>, s: &StmtCode, user: bool, has_result: bool) {
    let next = g.b.create_block();
    if let Some(c) = s.cond {
        let v = g.pred(c);
        let body = g.b.create_block();
        g.b.ins().brif(v, body, &[], next, &[]);
        g.b.switch_to_block(body);
    }
    for u in &s.updates {
        let meta = match u.target {
            TargetCode::Session => offset_of!(UpdateView, session),
            TargetCode::Result if has_result => offset_of!(UpdateView, result),
            // `@result` outside the result lifecycle: skipped, as the interpreter does.
            TargetCode::Result => continue,
        };
        let field = match u.field {
            Field::Tags => 0,
            Field::Producers => 1,
            Field::Consumers => 2,
        };
        let at = meta + offset_of!(MetaView, fields) + field * size_of::<LabelView>();
        let value = g.lset(u.value, g.fail);
        let old = load_words(g, at);
        let old = g.flip(old);
        let mut new = match u.op {
            AssignOp::Set => value,
            AssignOp::Union => g.bin(SetOp::Union, old, value),
            AssignOp::Intersect => g.bin(SetOp::Intersect, old, value),
            AssignOp::Minus => g.bin(SetOp::Minus, old, value),
            AssignOp::Xor => g.bin(SetOp::Xor, old, value),
        };
        if user && u.field == Field::Tags {
            // The reserved labels are all below 127 here (`Jit::run_block` checks), so their
            // raw and characteristic words are the same.
            let reserved = load_words(g, offset_of!(UpdateView, reserved));
            let kept = g.bin(SetOp::Intersect, old, reserved);
            new = g.bin(SetOp::Union, new, kept);
        }
        let (lo, hi) = g.flip(new);
        let view = g.view;
        g.b.ins()
            .store(FLAGS, lo, view, (at + offset_of!(LabelView, lo)) as i32);
        g.b.ins()
            .store(FLAGS, hi, view, (at + offset_of!(LabelView, hi)) as i32);
    }
    g.b.ins().jump(next, &[]);
    g.b.switch_to_block(next);
}

fn load_words(g: &mut Gen<'_, '_>, at: usize) -> Words {
    let view = g.view;
    (
        g.load(I64, view, at + offset_of!(LabelView, lo)),
        g.load(I64, view, at + offset_of!(LabelView, hi)),
    )
}
