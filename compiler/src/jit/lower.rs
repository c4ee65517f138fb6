//! Stage `lower`: the rules of one dispatch entry (the policies matching one tool id) to one
//! Cranelift function `extern "C" fn(*mut CallView)` that writes the entry's votes and keeps the
//! combination state (docs/jit.md "What is native").
//!
//! Native: rule order and votes, hard/soft combination and `fail_fast`, `and`/`or`/`not`, label
//! set expressions and comparisons on inline words, value kinds, exact-string membership and
//! equality, regex/wildcard membership (and plain `str` domains) through precompiled matchers. Everything else (and any
//! label set with spilled words at run time) calls `helpers::pred`, which runs the
//! interpreter's own code for that predicate, so semantics cannot drift.

use std::collections::HashMap;
use std::mem::{offset_of, size_of};

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{
    AbiParam, Block, BlockArg, InstBuilder, MemFlagsData, SigRef, Signature, Type, Value, types,
};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};

use super::helpers;
use super::matcher::Matcher;
use super::plan::{EntryPlan, lset_native, reads_state};
use super::view::{
    CallView, KIND_DATETIME, KIND_DICT, KIND_LIST, KIND_NONE, KIND_STR, LabelView, MetaView,
    SlotView, UpdateView,
};
use crate::bytecode::*;
use crate::interp::{Interp, Vote};
use sqrt_std::label::LabelSet;

/// Matchers and string constants the code points to; owned by the `Jit`, never moved.
#[derive(Debug)]
pub struct Consts {
    pub strings: Vec<Box<[u8]>>,
    /// The module's masks, for `helpers::set_cmp`.
    pub masks: Vec<LabelSet>,
    pub regexes: Vec<Matcher>,
    pub wildcards: Vec<Matcher>,
}

/// `lo`, `hi` of a set's characteristic word: bits 0..=126 are membership of labels 0..=126 and
/// bit 127 the membership of every label ≥ 127 (exact for sets without spilled words). Set
/// operations are then plain bitwise operations.
pub type Words = (Value, Value);

fn characteristic(word: u128) -> u128 {
    if word >> 127 != 0 {
        word ^ !(1u128 << 127)
    } else {
        word
    }
}

/// The helper signatures every function imports.
struct Sigs {
    pred: SigRef,
    /// `(ptr, ptr, i32, i32)`: `helpers::elem`, and `helpers::set_cmp` of the same shape.
    elem: SigRef,
    matches: SigRef,
    bytes_eq: SigRef,
}

pub fn helper_signatures(ptr: Type, make: impl Fn() -> Signature) -> [Signature; 4] {
    let sig = |params: &[Type]| {
        let mut s = make();
        s.params.extend(params.iter().map(|&t| AbiParam::new(t)));
        s.returns.push(AbiParam::new(types::I32));
        s
    };
    [
        sig(&[ptr, types::I32]),
        sig(&[ptr, ptr, types::I32, types::I32]),
        sig(&[ptr, ptr, ptr]),
        sig(&[ptr, ptr, ptr]),
    ]
}

pub(super) struct Gen<'a, 'b> {
    pub b: FunctionBuilder<'b>,
    pub m: &'a Module,
    consts: &'a Consts,
    slot_of: HashMap<ArgId, usize>,
    pub view: Value,
    sigs: Sigs,
    pub fail: Block,
    mode: Mode,
}

/// What a function's pointer argument is: a verdict function gets a `CallView`; an update
/// function an `UpdateView` (whose first field is that `CallView`), with the result's meta
/// when its block runs on a tool output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Verdict,
    Update { result: bool },
}

pub(super) const FLAGS: MemFlagsData = MemFlagsData::trusted();
pub(super) const I64: Type = types::I64;
const I8: Type = types::I8;

/// Emits the body of `func` for `plan`. The caller declared the function with signature
/// `(ptr) -> ()` and gives the four helper signatures.
pub fn lower_entry(
    func: &mut cranelift_codegen::ir::Function,
    fctx: &mut FunctionBuilderContext,
    interp: &Interp,
    consts: &Consts,
    plan: &EntryPlan,
    helper_sigs: [Signature; 4],
    target: cranelift_codegen::isa::TargetFrontendConfig,
) {
    let mut g = Gen::start(func, fctx, interp, consts, plan, helper_sigs, Mode::Verdict);
    for &pi in &plan.policies {
        let policy = &g.m.policies[pi];
        for (ri, rule) in policy.rules.iter().enumerate() {
            let vote = VoteSite {
                policy: pi,
                rule: ri,
                hard: rule.level == LevelCode::Hard,
                priority: policy.priority,
            };
            g.rule(rule, vote);
        }
    }
    g.finish(target);
}

impl<'a, 'b> Gen<'a, 'b> {
    /// A function `(view) -> ()` reading the slots of `plan`, positioned in its entry block.
    pub fn start(
        func: &'b mut cranelift_codegen::ir::Function,
        fctx: &'b mut FunctionBuilderContext,
        interp: &'a Interp,
        consts: &'a Consts,
        plan: &EntryPlan,
        helper_sigs: [Signature; 4],
        mode: Mode,
    ) -> Gen<'a, 'b> {
        let mut b = FunctionBuilder::new(func, fctx);
        let [pred, elem, matches, bytes_eq] = helper_sigs.map(|s| b.import_signature(s));
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        let view = b.block_params(entry)[0];
        let fail = b.create_block();
        Gen {
            b,
            m: &interp.module,
            consts,
            slot_of: plan
                .slots
                .iter()
                .enumerate()
                .map(|(i, &a)| (a, i))
                .collect(),
            view,
            sigs: Sigs {
                pred,
                elem,
                matches,
                bytes_eq,
            },
            fail,
            mode,
        }
    }

    /// Returns from the current block; the failure exit sets `failed` and returns.
    pub fn finish(mut self, target: cranelift_codegen::isa::TargetFrontendConfig) {
        self.b.ins().return_(&[]);
        self.b.switch_to_block(self.fail);
        let one = self.b.ins().iconst(I8, 1);
        self.b
            .ins()
            .store(FLAGS, one, self.view, offset_of!(CallView, failed) as i32);
        self.b.ins().return_(&[]);
        self.b.seal_all_blocks();
        self.b.finalize(target);
    }
}

#[derive(Clone, Copy)]
struct VoteSite {
    policy: usize,
    rule: usize,
    hard: bool,
    priority: i64,
}

impl Gen<'_, '_> {
    pub fn iconst(&mut self, v: i64) -> Value {
        self.b.ins().iconst(I64, v)
    }

    pub fn load(&mut self, ty: Type, base: Value, offset: usize) -> Value {
        self.b.ins().load(ty, FLAGS, base, offset as i32)
    }

    pub fn store(&mut self, v: Value, base: Value, offset: usize) {
        self.b.ins().store(FLAGS, v, base, offset as i32);
    }

    fn rule(&mut self, rule: &RuleCode, site: VoteSite) {
        let next = self.b.create_block();
        match (rule.effect, rule.cond) {
            (EffectCode::Allow, None) => self.vote(site, true, next),
            (EffectCode::Deny, None) => self.vote(site, false, next),
            (effect, Some(c)) => {
                let v = self.pred(c);
                let (yes, no) = (self.b.create_block(), self.b.create_block());
                self.b.ins().brif(v, yes, &[], no, &[]);
                self.b.switch_to_block(yes);
                self.vote(site, effect == EffectCode::Allow, next);
                self.b.switch_to_block(no);
                if effect == EffectCode::Allow {
                    // An unmet allow is a denial (sqrt.md §5.4).
                    self.vote(site, false, next);
                } else {
                    self.b.ins().jump(next, &[]);
                }
            }
        }
        self.b.switch_to_block(next);
    }

    /// Appends a vote and updates the combination state, then jumps to `next` (or returns,
    /// after a hard DENY under `fail_fast`).
    fn vote(&mut self, site: VoteSite, allow: bool, next: Block) {
        let view = self.view;
        let n = self.load(I64, view, offset_of!(CallView, n_votes));
        let votes = self.load(I64, view, offset_of!(CallView, votes));
        let off = self.b.ins().imul_imm_s(n, size_of::<Vote>() as i64);
        let at = self.b.ins().iadd(votes, off);
        let (p, r) = (
            self.iconst(site.policy as i64),
            self.iconst(site.rule as i64),
        );
        self.store(p, at, offset_of!(Vote, policy));
        self.store(r, at, offset_of!(Vote, rule));
        let a = self.b.ins().iconst(I8, i64::from(allow));
        self.store(a, at, offset_of!(Vote, allow));
        let h = self.b.ins().iconst(I8, i64::from(site.hard));
        self.store(h, at, offset_of!(Vote, hard));
        let n1 = self.b.ins().iadd_imm_s(n, 1);
        self.store(n1, view, offset_of!(CallView, n_votes));
        let one = self.b.ins().iconst(I8, 1);
        if site.hard {
            if allow {
                self.store(one, view, offset_of!(CallView, hard_allow));
                self.b.ins().jump(next, &[]);
            } else {
                self.store(one, view, offset_of!(CallView, hard_deny));
                let ff = self.load(I8, view, offset_of!(CallView, fail_fast));
                let stop = self.b.create_block();
                self.b.ins().brif(ff, stop, &[], next, &[]);
                self.b.switch_to_block(stop);
                self.store(one, view, offset_of!(CallView, stop));
                self.b.ins().return_(&[]);
            }
            return;
        }
        let any = self.load(I8, view, offset_of!(CallView, any_soft));
        let top = self.load(I64, view, offset_of!(CallView, top_priority));
        let first = self.b.ins().icmp_imm_s(IntCC::Equal, any, 0);
        let higher = self
            .b
            .ins()
            .icmp_imm_s(IntCC::SignedLessThan, top, site.priority);
        let new_top = self.b.ins().bor(first, higher);
        let (raise, same) = (self.b.create_block(), self.b.create_block());
        self.b.ins().brif(new_top, raise, &[], same, &[]);
        self.b.switch_to_block(raise);
        let p = self.iconst(site.priority);
        self.store(p, view, offset_of!(CallView, top_priority));
        self.store(one, view, offset_of!(CallView, any_soft));
        let d = self.b.ins().iconst(I8, i64::from(!allow));
        self.store(d, view, offset_of!(CallView, deny_at_top));
        self.b.ins().jump(next, &[]);
        self.b.switch_to_block(same);
        if !allow {
            let eq = self.b.ins().icmp_imm_s(IntCC::Equal, top, site.priority);
            let d = self.load(I8, view, offset_of!(CallView, deny_at_top));
            let d = self.b.ins().bor(d, eq);
            self.store(d, view, offset_of!(CallView, deny_at_top));
        }
        self.b.ins().jump(next, &[]);
    }

    /// Calls `helpers::pred` for `id`; a `FAIL` answer jumps to the failure exit.
    /// A predicate native code leaves to Rust: an argument's meta field compared with a literal
    /// mask goes to `helpers::set_cmp` (no interpreter round trip: the case of labels ≥ 127),
    /// everything else to the interpreter's own code.
    fn helper_pred(&mut self, id: PredId) -> Value {
        if let PredNode::SetCmp {
            left: MetaRefCode::Arg(a, field),
            op,
            right,
        } = self.m.preds[id as usize]
            && let LSetNode::Mask(k) = self.m.lsets[right as usize]
        {
            let slots = self.load(I64, self.view, offset_of!(CallView, slots));
            let off = self.slot_of[&a] * size_of::<SlotView>() + offset_of!(SlotView, meta_ptr);
            let meta = self.load(I64, slots, off);
            let mask = self.iconst(&self.consts.masks[k as usize] as *const LabelSet as i64);
            let field = match field {
                Field::Tags => 0,
                Field::Producers => 1,
                Field::Consumers => 2,
            };
            let op = match op {
                SetCmpOp::Overlaps => 0,
                SetCmpOp::Subset => 1,
                SetCmpOp::Superset => 2,
                SetCmpOp::Eq => 3,
            };
            let field = self.b.ins().iconst(types::I32, field);
            let op = self.b.ins().iconst(types::I32, op);
            let f = self.iconst(helpers::set_cmp as *const () as i64);
            let call = self
                .b
                .ins()
                .call_indirect(self.sigs.elem, f, &[meta, mask, field, op]);
            let r = self.b.inst_results(call)[0];
            return self.checked(r);
        }
        if self.mode != Mode::Verdict && reads_state(self.m, id) {
            // The interpreter would read the metas as they were before this block's native
            // updates (they are written back only at the end): leave through the failure exit,
            // and the whole block runs in the interpreter instead.
            self.b.ins().jump(self.fail, &[]);
            let dead = self.b.create_block();
            self.b.switch_to_block(dead);
            return self.const_bool(false);
        }
        let f = self.iconst(helpers::pred as *const () as i64);
        let id = self.b.ins().iconst(types::I32, i64::from(id));
        let call = self
            .b
            .ins()
            .call_indirect(self.sigs.pred, f, &[self.view, id]);
        let r = self.b.inst_results(call)[0];
        self.checked(r)
    }

    /// A helper's 0/1/FAIL answer as an `i8` truth value (FAIL leaves through `fail`).
    fn checked(&mut self, r: Value) -> Value {
        let bad = self
            .b
            .ins()
            .icmp_imm_s(IntCC::Equal, r, i64::from(helpers::FAIL));
        let ok = self.b.create_block();
        self.b.ins().brif(bad, self.fail, &[], ok, &[]);
        self.b.switch_to_block(ok);
        self.b.ins().ireduce(I8, r)
    }

    /// A block with one `i8` parameter where branches of a boolean meet.
    fn merge_block(&mut self) -> (Block, Value) {
        let m = self.b.create_block();
        let v = self.b.append_block_param(m, I8);
        (m, v)
    }

    fn jump_with(&mut self, to: Block, v: Value) {
        self.b.ins().jump(to, &[BlockArg::Value(v)]);
    }

    fn const_bool(&mut self, v: bool) -> Value {
        self.b.ins().iconst(I8, i64::from(v))
    }

    pub fn pred(&mut self, id: PredId) -> Value {
        let m = self.m;
        match &m.preds[id as usize] {
            PredNode::And(ps) | PredNode::Or(ps) => {
                let is_and = matches!(m.preds[id as usize], PredNode::And(_));
                let Some((last, init)) = ps.split_last() else {
                    return self.const_bool(is_and);
                };
                let (merge, out) = self.merge_block();
                for &p in init {
                    let v = self.pred(p);
                    let next = self.b.create_block();
                    let short = self.const_bool(!is_and);
                    let short = [BlockArg::Value(short)];
                    if is_and {
                        self.b.ins().brif(v, next, &[], merge, &short);
                    } else {
                        self.b.ins().brif(v, merge, &short, next, &[]);
                    }
                    self.b.switch_to_block(next);
                }
                let v = self.pred(*last);
                self.jump_with(merge, v);
                self.b.switch_to_block(merge);
                out
            }
            PredNode::Not(p) => {
                let v = self.pred(*p);
                self.b.ins().bxor_imm_s(v, 1)
            }
            PredNode::SetCmp { left, op, right } if self.lset_native(*right) => {
                let (op, left, right) = (*op, *left, *right);
                self.with_slow_path(id, |g, slow| {
                    let a = g.meta_ref(left, slow);
                    let b = g.lset(right, slow);
                    // a ∩ b ≠ ∅; a ∖ b = ∅; b ∖ a = ∅; a △ b = ∅.
                    let (r, zero) = match op {
                        SetCmpOp::Overlaps => (g.bin(SetOp::Intersect, a, b), false),
                        SetCmpOp::Subset => (g.bin(SetOp::Minus, a, b), true),
                        SetCmpOp::Superset => (g.bin(SetOp::Minus, b, a), true),
                        SetCmpOp::Eq => (g.bin(SetOp::Xor, a, b), true),
                    };
                    g.is_zero(r, zero)
                })
            }
            PredNode::IsEmpty(r) => {
                let r = *r;
                self.with_slow_path(id, |g, slow| {
                    let a = g.meta_ref(r, slow);
                    g.is_zero(a, true)
                })
            }
            PredNode::IsUniversal(r) => {
                let r = *r;
                self.with_slow_path(id, |g, slow| {
                    let (lo, hi) = g.meta_ref(r, slow);
                    let both = g.b.ins().band(lo, hi);
                    g.b.ins().icmp_imm_s(IntCC::Equal, both, -1)
                })
            }
            PredNode::In {
                quant,
                value: ValCode::Arg(a),
                set,
            } if matches!(m.vsets[*set as usize], VSetNode::Lit(_)) => {
                let (quant, a, set) = (*quant, *a, *set);
                self.with_slow_path(id, |g, slow| g.member(quant.is_some(), a, set, slow))
            }
            PredNode::ValueEq(ValCode::Arg(a), ValCode::Str(s))
            | PredNode::ValueEq(ValCode::Str(s), ValCode::Arg(a)) => {
                let (a, s) = (*a, *s);
                self.with_slow_path(id, |g, slow| g.value_eq_str(a, s, slow))
            }
            _ => self.helper_pred(id),
        }
    }

    /// Native code for predicate `id` that may defer to the helper (block `slow`) when it meets
    /// something it does not handle at run time (spilled label words, a list under a quantifier,
    /// a datetime compared with a string).
    fn with_slow_path(&mut self, id: PredId, f: impl FnOnce(&mut Self, Block) -> Value) -> Value {
        let slow = self.b.create_block();
        let (merge, out) = self.merge_block();
        let v = f(self, slow);
        self.jump_with(merge, v);
        self.b.switch_to_block(slow);
        let v = self.helper_pred(id);
        self.jump_with(merge, v);
        self.b.switch_to_block(merge);
        out
    }

    fn is_zero(&mut self, (lo, hi): Words, zero: bool) -> Value {
        let any = self.b.ins().bor(lo, hi);
        let cc = if zero { IntCC::Equal } else { IntCC::NotEqual };
        self.b.ins().icmp_imm_s(cc, any, 0)
    }

    pub fn bin(&mut self, op: SetOp, (alo, ahi): Words, (blo, bhi): Words) -> Words {
        let ins = |b: &mut FunctionBuilder<'_>, x, y| match op {
            SetOp::Union => b.ins().bor(x, y),
            SetOp::Intersect => b.ins().band(x, y),
            SetOp::Minus => b.ins().band_not(x, y),
            SetOp::Xor => b.ins().bxor(x, y),
        };
        let lo = ins(&mut self.b, alo, blo);
        let hi = ins(&mut self.b, ahi, bhi);
        (lo, hi)
    }

    fn const_words(&mut self, w: u128) -> Words {
        (
            self.iconst(w as u64 as i64),
            self.iconst((w >> 64) as u64 as i64),
        )
    }

    pub fn lset_native(&self, id: LSetId) -> bool {
        lset_native(self.m, id)
    }

    pub fn lset(&mut self, id: LSetId, slow: Block) -> Words {
        match &self.m.lsets[id as usize] {
            LSetNode::Mask(k) => {
                let w = characteristic(self.m.masks[*k as usize].inline_word());
                self.const_words(w)
            }
            LSetNode::Meta(r) => self.meta_ref(*r, slow),
            LSetNode::Bin(op, a, b) => {
                let (op, a, b) = (*op, *a, *b);
                let a = self.lset(a, slow);
                let b = self.lset(b, slow);
                self.bin(op, a, b)
            }
            LSetNode::With {
                label: None,
                without,
                ..
            } => {
                let w = if *without { 0 } else { u128::MAX };
                self.const_words(w)
            }
            LSetNode::With {
                set,
                label: Some(l),
                without,
            } => {
                let (l, without) = (*l, *without);
                let a = self.lset(*set, slow);
                let bit = self.const_words(1u128 << l.0);
                self.bin(if without { SetOp::Minus } else { SetOp::Union }, a, bit)
            }
        }
    }

    /// Loads a meta field as characteristic words; spilled words branch to `slow`.
    fn meta_ref(&mut self, r: MetaRefCode, slow: Block) -> Words {
        let field = |f: Field| match f {
            Field::Tags => 0,
            Field::Producers => 1,
            Field::Consumers => 2,
        };
        let (meta, f) = match r {
            MetaRefCode::Arg(a, f) => {
                let slots = self.load(I64, self.view, offset_of!(CallView, slots));
                let off = self.slot_of[&a] * size_of::<SlotView>() + offset_of!(SlotView, meta);
                (self.b.ins().iadd_imm_s(slots, off as i64), f)
            }
            MetaRefCode::Session(f) => {
                (self.load(I64, self.view, offset_of!(CallView, session)), f)
            }
            MetaRefCode::ArgsUnion(f) => (
                self.load(I64, self.view, offset_of!(CallView, args_union)),
                f,
            ),
            MetaRefCode::ArgsIntersect(f) => (
                self.load(I64, self.view, offset_of!(CallView, args_intersect)),
                f,
            ),
            MetaRefCode::Result(f) if self.mode == (Mode::Update { result: true }) => (
                self.b
                    .ins()
                    .iadd_imm_s(self.view, offset_of!(UpdateView, result) as i64),
                f,
            ),
            // Verdict rules (and `session before` blocks) run without a result: its meta is ⊥.
            MetaRefCode::Result(f) => {
                let set = match f {
                    Field::Consumers => LabelSet::UNIVERSAL,
                    _ => LabelSet::EMPTY,
                };
                return self.const_words(characteristic(set.inline_word()));
            }
        };
        let i = field(f);
        let spilled = self.load(I64, meta, offset_of!(MetaView, spilled));
        let spilled = self.b.ins().band_imm_u(spilled, 1 << i);
        let cont = self.b.create_block();
        self.b.ins().brif(spilled, slow, &[], cont, &[]);
        self.b.switch_to_block(cont);
        let off = i * size_of::<LabelView>();
        let lo = self.load(I64, meta, off + offset_of!(LabelView, lo));
        let hi = self.load(I64, meta, off + offset_of!(LabelView, hi));
        self.flip((lo, hi))
    }

    /// Raw words to characteristic words and back: bits 0..=126 flipped when the complement
    /// flag (bit 127, the same in both forms) is set.
    pub fn flip(&mut self, (lo, hi): Words) -> Words {
        let flag = self.b.ins().ushr_imm_u(hi, 63);
        let mask = self.b.ins().ineg(flag);
        let lo = self.b.ins().bxor(lo, mask);
        let mask_hi = self.b.ins().ushr_imm_u(mask, 1);
        let hi = self.b.ins().bxor(hi, mask_hi);
        (lo, hi)
    }

    fn slot_addr(&mut self, a: ArgId) -> Value {
        let slots = self.load(I64, self.view, offset_of!(CallView, slots));
        let off = self.slot_of[&a] * size_of::<SlotView>();
        self.b.ins().iadd_imm_s(slots, off as i64)
    }

    /// `arg in {literal elements}` (with a quantifier, a list value goes to `slow`).
    fn member(&mut self, quant: bool, a: ArgId, set: VSetId, slow: Block) -> Value {
        let slot = self.slot_addr(a);
        let kind = self.load(I64, slot, offset_of!(SlotView, kind));
        if quant {
            let is_list = self
                .b
                .ins()
                .icmp_imm_s(IntCC::Equal, kind, KIND_LIST as i64);
            let cont = self.b.create_block();
            self.b.ins().brif(is_list, slow, &[], cont, &[]);
            self.b.switch_to_block(cont);
        }
        let (merge, out) = self.merge_block();
        // None, lists and dicts are in no value set.
        let mut excluded = Vec::new();
        for k in [KIND_NONE, KIND_LIST, KIND_DICT] {
            excluded.push(self.b.ins().icmp_imm_s(IntCC::Equal, kind, k as i64));
        }
        let e01 = self.b.ins().bor(excluded[0], excluded[1]);
        let bad = self.b.ins().bor(e01, excluded[2]);
        let elems_block = self.b.create_block();
        let f = self.const_bool(false);
        self.b
            .ins()
            .brif(bad, merge, &[BlockArg::Value(f)], elems_block, &[]);
        self.b.switch_to_block(elems_block);
        let VSetNode::Lit(elems) = &self.m.vsets[set as usize] else {
            unreachable!("member() is only lowered for literal value sets")
        };
        for (i, e) in elems.iter().enumerate() {
            let v = self.elem(e, slot, kind, set, i as u32);
            let next = self.b.create_block();
            let t = self.const_bool(true);
            self.b
                .ins()
                .brif(v, merge, &[BlockArg::Value(t)], next, &[]);
            self.b.switch_to_block(next);
        }
        let f = self.const_bool(false);
        self.jump_with(merge, f);
        self.b.switch_to_block(merge);
        out
    }

    /// Runs `f` only when the slot holds a string (false otherwise).
    fn if_str(&mut self, kind: Value, f: impl FnOnce(&mut Self) -> Value) -> Value {
        let is_str = self.b.ins().icmp_imm_s(IntCC::Equal, kind, KIND_STR as i64);
        let (merge, out) = self.merge_block();
        let yes = self.b.create_block();
        let f0 = self.const_bool(false);
        self.b
            .ins()
            .brif(is_str, yes, &[], merge, &[BlockArg::Value(f0)]);
        self.b.switch_to_block(yes);
        let v = f(self);
        self.jump_with(merge, v);
        self.b.switch_to_block(merge);
        out
    }

    fn elem(&mut self, e: &ElemCode, slot: Value, kind: Value, set: VSetId, i: u32) -> Value {
        // A plain string domain (`str matching r"…"`, no length range) is the pattern itself.
        let pat = match e {
            ElemCode::Any => return self.const_bool(true),
            ElemCode::Str(s) => StrPatCode::Exact(*s),
            ElemCode::Regex(r) => StrPatCode::Regex(*r),
            ElemCode::Wild(w) => StrPatCode::Wild(*w),
            ElemCode::Domain(DomainCode::Str { pat, length: None }) => pat.clone(),
            ElemCode::Int(_) | ElemCode::Float(_) | ElemCode::Domain(_) => {
                let f = self.iconst(helpers::elem as *const () as i64);
                let set = self.b.ins().iconst(types::I32, i64::from(set));
                let i = self.b.ins().iconst(types::I32, i64::from(i));
                let call =
                    self.b
                        .ins()
                        .call_indirect(self.sigs.elem, f, &[self.view, slot, set, i]);
                let r = self.b.inst_results(call)[0];
                return self.checked(r);
            }
        };
        self.if_str(kind, |g| g.str_pat(slot, &pat))
    }

    /// The slot's string (the slot is known to hold one) matches `pat`: bytes compared natively,
    /// regexes and wildcards through their precompiled matchers.
    fn str_pat(&mut self, slot: Value, pat: &StrPatCode) -> Value {
        let matcher = match pat {
            StrPatCode::Exact(s) => return self.str_eq(slot, *s),
            StrPatCode::Regex(r) => &self.consts.regexes[*r as usize],
            StrPatCode::Wild(w) => &self.consts.wildcards[*w as usize],
        };
        let re = self.iconst(matcher as *const Matcher as i64);
        let f = self.iconst(helpers::matches as *const () as i64);
        let ptr = self.load(I64, slot, offset_of!(SlotView, str_ptr));
        let len = self.load(I64, slot, offset_of!(SlotView, str_len));
        let call = self
            .b
            .ins()
            .call_indirect(self.sigs.matches, f, &[re, ptr, len]);
        let r = self.b.inst_results(call)[0];
        self.checked(r)
    }

    /// The slot's string equals string constant `s` (the slot is known to hold a string).
    fn str_eq(&mut self, slot: Value, s: StrId) -> Value {
        let c = &self.consts.strings[s as usize];
        let (c_ptr, c_len) = (c.as_ptr() as i64, c.len() as i64);
        let len = self.load(I64, slot, offset_of!(SlotView, str_len));
        let same_len = self.b.ins().icmp_imm_s(IntCC::Equal, len, c_len);
        let (merge, out) = self.merge_block();
        let cmp = self.b.create_block();
        let f0 = self.const_bool(false);
        self.b
            .ins()
            .brif(same_len, cmp, &[], merge, &[BlockArg::Value(f0)]);
        self.b.switch_to_block(cmp);
        let f = self.iconst(helpers::bytes_eq as *const () as i64);
        let ptr = self.load(I64, slot, offset_of!(SlotView, str_ptr));
        let c = self.iconst(c_ptr);
        let call = self
            .b
            .ins()
            .call_indirect(self.sigs.bytes_eq, f, &[ptr, c, len]);
        let r = self.b.inst_results(call)[0];
        let r = self.b.ins().ireduce(I8, r);
        self.jump_with(merge, r);
        self.b.switch_to_block(merge);
        out
    }

    /// `arg == "s"`: a string compares bytes, a datetime parses (helper), anything else is
    /// unequal.
    fn value_eq_str(&mut self, a: ArgId, s: StrId, slow: Block) -> Value {
        let slot = self.slot_addr(a);
        let kind = self.load(I64, slot, offset_of!(SlotView, kind));
        let is_dt = self
            .b
            .ins()
            .icmp_imm_s(IntCC::Equal, kind, KIND_DATETIME as i64);
        let cont = self.b.create_block();
        self.b.ins().brif(is_dt, slow, &[], cont, &[]);
        self.b.switch_to_block(cont);
        self.if_str(kind, |g| g.str_eq(slot, s))
    }
}
