//! Stage `jit`: verified bytecode to native verdict functions (Cranelift), one per dispatch
//! entry, over the flat call view of `view` (docs/jit.md).
//!
//! `Jit::compile` is the entry point: it plans an entry per exact tool id (that id's policies,
//! regex policies merged in, as the interpreter dispatches) and one per regex policy (for tool
//! ids only regexes match), lowers each to Cranelift IR (`lower`) and finalises the code.
//! `Jit::run` builds the call view and calls the native code. Update blocks that compile
//! (`update`) get a function each, which `Jit::run_block` runs; the others run the
//! interpreter's code (`Interp::run_block`).

mod codegen;
mod helpers;
mod lower;
mod matcher;
mod plan;
pub mod update;
pub mod view;

use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::sync::Mutex;

use cranelift_codegen::settings::{self, Configurable};
use cranelift_jit::JITModule;

use crate::bytecode::ToolMatchCode;
use crate::interp::{Args, BlockState, Env, Interp, Vote};
use lower::Consts;
use matcher::Matcher;
use plan::EntryPlan;
use sqrt_std::label::{INLINE_LABELS, Label, LabelSet, Labels};
use sqrt_std::meta::Meta;
use update::BlockKind;
use view::{CallView, LabelView, MetaView, Scratch, SlotView, UpdateView, same_name};

/// The examples of docs/jit.md run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/jit.md")]
pub struct JitDocs;

/// A compiled entry: what it covers and its native function.
struct Entry {
    plan: EntryPlan,
    code: extern "C" fn(*mut CallView),
    /// The argument names of `plan.slots`, for building the view.
    slot_names: Vec<Box<str>>,
}

impl Entry {
    /// Writes the slot views of the arguments the entry reads into `slots` (made with
    /// `slot_names.len()` capacity), in place: the buffer is on the check path.
    #[inline(always)]
    fn fill_slots(&self, args: &Args, slots: &mut Scratch<SlotView, 8>) -> *const SlotView {
        let base = slots.as_mut_ptr();
        for (i, name) in self.slot_names.iter().enumerate() {
            // SAFETY: `i < slot_names.len()`, the scratch capacity.
            unsafe { base.add(i).write(SlotView::of(args, name)) };
        }
        base
    }
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Entry").field("plan", &self.plan).finish()
    }
}

/// Native verdict functions for one `Interp`'s module. Must be run with that `Interp`.
pub struct Jit {
    entries: Vec<Entry>,
    /// Keyed by the policy's own tool ids (trusted, fixed at load), so a fast non-keyed hash is
    /// safe: callers only look up.
    exact: FxHashMap<ToolId, usize>,
    /// Entry of each regex policy (by policy index), for ids no exact policy names.
    by_policy: FxHashMap<usize, usize>,
    /// The update function of each policy's blocks (`BlockKind` order), where one compiled.
    blocks: Vec<[Option<usize>; 3]>,
    /// The reserved (`__`) labels of the module's table, `None` if one is ≥ 127; a session's
    /// table extends the module's.
    reserved: Option<u128>,
    /// Referenced by the code; kept alive (and unmoved: boxed slices and `Vec` buffers) with it.
    _consts: Box<Consts>,
    /// The executable memory. Never touched after finalisation; the mutex only makes the
    /// `Jit` `Sync` (the code itself is immutable).
    _code: Mutex<JITModule>,
}

impl std::fmt::Debug for Jit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jit")
            .field("entries", &self.entries)
            .finish_non_exhaustive()
    }
}

/// Which policies match a tool, and the native entries that evaluate them.
#[derive(Debug)]
pub struct Route<'j> {
    pub policies: Cow<'j, [usize]>,
    entries: RouteEntries,
}

#[derive(Debug)]
enum RouteEntries {
    One(usize),
    Chain,
}

/// A tool id as a dispatch key. Looked up as a [`ToolName`], whose equality is `same_name`.
#[derive(Debug, PartialEq, Eq, Hash)]
struct ToolId(Box<str>);

/// The borrowed form of [`ToolId`]: hashes like `str`, compares without `memcmp`.
#[derive(Debug, Eq)]
#[repr(transparent)]
struct ToolName(str);

impl ToolName {
    #[inline(always)]
    fn of(s: &str) -> &ToolName {
        // SAFETY: `ToolName` is a `repr(transparent)` wrapper of `str`.
        unsafe { &*(s as *const str as *const ToolName) }
    }
}

impl PartialEq for ToolName {
    #[inline(always)]
    fn eq(&self, other: &ToolName) -> bool {
        same_name(&self.0, &other.0)
    }
}

// By hand beside the hand-written `PartialEq`: the same hash as `ToolId`'s (that of the `str`).
impl std::hash::Hash for ToolName {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl std::borrow::Borrow<ToolName> for ToolId {
    fn borrow(&self) -> &ToolName {
        ToolName::of(&self.0)
    }
}

/// What the verdict functions computed for a call (besides the votes).
#[derive(Clone, Copy, Debug, Default)]
pub struct Combined {
    pub hard_deny: bool,
    pub hard_allow: bool,
    pub any_soft: bool,
    pub deny_at_top: bool,
}

/// Test-only: `SQRT_JIT_FORCE_FAIL=1` makes every JIT compile fail (docs/jit.md).
pub const FORCE_FAIL_ENV: &str = "SQRT_JIT_FORCE_FAIL";

impl Jit {
    /// Compiles native verdict functions for `interp`'s module. An error (unsupported target,
    /// Cranelift failure, a forced failure) leaves the caller on the interpreter.
    pub fn compile(interp: &Interp) -> Result<Jit, String> {
        if std::env::var_os(FORCE_FAIL_ENV).is_some_and(|v| v == "1") {
            return Err(format!("JIT disabled by {FORCE_FAIL_ENV}=1 (test only)"));
        }
        Jit::compile_inner(interp)
    }

    fn compile_inner(interp: &Interp) -> Result<Jit, String> {
        let m = &interp.module;
        let mut plans: Vec<EntryPlan> = Vec::new();
        let mut exact = FxHashMap::default();
        for (id, list) in interp.exact_ids() {
            exact.insert(ToolId(Box::from(id)), plans.len());
            plans.push(EntryPlan::new(interp, list.to_vec()));
        }
        let mut by_policy = FxHashMap::default();
        for &pi in interp.regex_policies() {
            debug_assert!(matches!(m.policies[pi].tool, ToolMatchCode::Regex(_)));
            by_policy.insert(pi, plans.len());
            plans.push(EntryPlan::new(interp, vec![pi]));
        }
        let verdicts = plans.len();
        let mut blocks = vec![[None; 3]; m.policies.len()];
        let mut kinds = Vec::new();
        for (pi, slots) in blocks.iter_mut().enumerate() {
            for kind in BlockKind::ALL {
                if let Some(plan) = update::plan(m, pi, kind) {
                    slots[kind as usize] = Some(plans.len());
                    plans.push(plan);
                    kinds.push(kind);
                }
            }
        }
        let consts = Box::new(Consts {
            strings: m.strings.iter().map(|s| s.as_bytes().into()).collect(),
            masks: m.masks.clone(),
            regexes: (0..m.regexes.len())
                .map(|i| {
                    let re = interp.matcher(i as u32, false).cloned();
                    re.map(|re| Matcher::for_regex(&m.regexes[i], re))
                })
                .collect::<Option<_>>()
                .ok_or("regex table mismatch")?,
            wildcards: (0..m.wildcards.len())
                .map(|i| {
                    let re = interp.matcher(i as u32, true).cloned();
                    re.map(|re| Matcher::for_wildcard(&m.wildcards[i], re))
                })
                .collect::<Option<_>>()
                .ok_or("wildcard table mismatch")?,
        });

        let mut flags = settings::builder();
        let set = |f: &mut settings::Builder, k: &str, v: &str| {
            f.set(k, v).map_err(|e| format!("cranelift flag {k}: {e}"))
        };
        // The lowering already emits straight-line tests over loaded words: Cranelift's egraph
        // optimiser ("speed") made no measurable difference to a check (670 vs 663 instructions
        // for the seed) but was a third of the compile time of a 1,000-rule policy.
        set(&mut flags, "opt_level", "none")?;
        // The IR verifier (on by default) re-checks every function: debug builds keep it, release
        // builds rely on the differential tests of the lowering.
        let verify = if cfg!(debug_assertions) {
            "true"
        } else {
            "false"
        };
        set(&mut flags, "enable_verifier", verify)?;
        set(&mut flags, "use_colocated_libcalls", "false")?;
        set(&mut flags, "is_pic", "false")?;
        let isa = cranelift_native::builder()
            .map_err(|e| format!("unsupported host for the JIT: {e}"))?
            .finish(settings::Flags::new(flags))
            .map_err(|e| format!("unsupported host for the JIT: {e}"))?;
        let ptr = isa.pointer_type();
        if ptr.bits() != 64 {
            return Err(format!("the JIT needs a 64-bit target, not {ptr}"));
        }
        let jobs: Vec<codegen::Job<'_>> = plans
            .iter()
            .enumerate()
            .map(|(i, plan)| codegen::Job {
                plan,
                block: i.checked_sub(verdicts).map(|b| kinds[b]),
            })
            .collect();
        let (module, ids) = codegen::compile(isa, interp, &consts, &jobs)?;
        let entries = plans
            .into_iter()
            .zip(ids)
            .map(|(plan, id)| {
                let ptr = module.get_finalized_function(id);
                // SAFETY: `ptr` is a function finalised above with signature `(ptr) -> ()` in
                // the host's C calling convention; it lives as long as `module` (kept in `Jit`).
                let code =
                    unsafe { std::mem::transmute::<*const u8, extern "C" fn(*mut CallView)>(ptr) };
                let slot_names = plan
                    .slots
                    .iter()
                    .map(|&a| Box::from(m.args[a as usize].as_str()))
                    .collect();
                Entry {
                    plan,
                    code,
                    slot_names,
                }
            })
            .collect();
        Ok(Jit {
            entries,
            exact,
            by_policy,
            blocks,
            reserved: reserved_words(&m.labels, 0, 0),
            _consts: consts,
            _code: Mutex::new(module),
        })
    }

    /// How many update blocks have native code.
    pub fn native_blocks(&self) -> usize {
        self.blocks.iter().flatten().flatten().count()
    }

    /// The policies matching `tool` and their entries: one hash lookup for an exact id.
    pub fn route<'j>(&'j self, interp: &'j Interp, tool: &str) -> Route<'j> {
        match self.exact.get(ToolName::of(tool)) {
            Some(&e) => Route {
                policies: Cow::Borrowed(&self.entries[e].plan.policies),
                entries: RouteEntries::One(e),
            },
            None => Route {
                policies: interp.matching(tool),
                entries: RouteEntries::Chain,
            },
        }
    }

    /// Runs the verdict functions of `route` over the call in `env`, then hands the votes (in
    /// evaluation order, as `Interp::votes` gives them) and the combination state to `finish`.
    /// `None` when a helper failed: the caller falls back to the interpreter.
    pub fn run<R>(
        &self,
        interp: &Interp,
        route: &Route<'_>,
        env: &Env<'_>,
        fail_fast: bool,
        finish: impl FnOnce(&[Vote], Combined) -> R,
    ) -> Option<R> {
        let one;
        let chain: Vec<usize>;
        let entries: &[usize] = match route.entries {
            RouteEntries::One(e) => {
                one = [e];
                &one
            }
            RouteEntries::Chain => {
                chain = route
                    .policies
                    .iter()
                    .filter_map(|p| self.by_policy.get(p).copied())
                    .collect();
                &chain
            }
        };
        let (mut n_rules, mut needs) = (0, [false; 3]);
        for &e in entries {
            let p = &self.entries[e].plan;
            n_rules += p.n_rules;
            needs = [
                needs[0] | p.needs_session,
                needs[1] | p.needs_union,
                needs[2] | p.needs_intersect,
            ];
        }
        let mut votes: Scratch<Vote, 16> = Scratch::new(n_rules);
        // Only the metas some entry reads are built; the others stay null.
        let (session_view, union_view, intersect_view);
        let null = std::ptr::null();
        let session = if needs[0] {
            session_view = MetaView::of(env.session);
            &raw const session_view
        } else {
            null
        };
        let union = if needs[1] {
            union_view = MetaView::fold_args(env.args, false);
            &raw const union_view
        } else {
            null
        };
        let intersect = if needs[2] {
            intersect_view = MetaView::fold_args(env.args, true);
            &raw const intersect_view
        } else {
            null
        };
        let mut view = CallView {
            session,
            args_union: union,
            args_intersect: intersect,
            votes: votes.as_mut_ptr(),
            fail_fast: u8::from(fail_fast),
            ..CallView::new(interp, env)
        };
        for &e in entries {
            let entry = &self.entries[e];
            let mut slots = Scratch::new(entry.slot_names.len());
            view.slots = entry.fill_slots(env.args, &mut slots);
            (entry.code)(&mut view);
            if view.failed != 0 {
                return None;
            }
            if view.stop != 0 {
                break;
            }
        }
        let combined = Combined {
            hard_deny: view.hard_deny != 0,
            hard_allow: view.hard_allow != 0,
            any_soft: view.any_soft != 0,
            deny_at_top: view.deny_at_top != 0,
        };
        debug_assert!(view.n_votes <= n_rules);
        // SAFETY: the native code wrote `n_votes <= n_rules` votes into the buffer.
        let votes = unsafe { votes.init_slice(view.n_votes) };
        Some(finish(votes, combined))
    }

    /// Runs block `kind` of policy `pi` natively if it compiled and the metas fit the inline
    /// words (no spilled words, no reserved label ≥ 127), updating `state` as
    /// `Interp::run_block` would. `false`: nothing was changed, the caller runs the
    /// interpreter's code.
    pub fn run_block(
        &self,
        interp: &Interp,
        pi: usize,
        kind: BlockKind,
        args: &Args,
        labels: &Labels,
        state: &mut BlockState<'_>,
    ) -> bool {
        let Some(e) = self.blocks.get(pi).and_then(|b| b[kind as usize]) else {
            return false;
        };
        let entry = &self.entries[e];
        let session = MetaView::of(state.session);
        let result = match state.result.as_deref() {
            Some(r) => MetaView::of(&r.meta),
            None => MetaView::of(&Meta::BOTTOM),
        };
        let Some(reserved) = self
            .reserved
            .and_then(|r| reserved_words(labels, interp.module.labels.len(), r))
        else {
            return false;
        };
        if session.spilled | result.spilled != 0 {
            return false;
        }
        let plan = &entry.plan;
        let union = plan.needs_union.then(|| MetaView::fold_args(args, false));
        let intersect = plan
            .needs_intersect
            .then(|| MetaView::fold_args(args, true));
        let done = {
            let env = Env {
                args,
                session: state.session,
                result: state.result.as_deref(),
                labels,
            };
            let mut slots = Scratch::new(entry.slot_names.len());
            let mut view = UpdateView {
                call: CallView {
                    slots: entry.fill_slots(args, &mut slots),
                    args_union: union.as_ref().map_or(std::ptr::null(), |u| u),
                    args_intersect: intersect.as_ref().map_or(std::ptr::null(), |u| u),
                    ..CallView::new(interp, &env)
                },
                session,
                result,
                reserved: LabelView::of(reserved),
            };
            view.call.session = &raw const view.session;
            (entry.code)((&raw mut view).cast::<CallView>());
            if view.call.failed != 0 {
                None
            } else {
                Some((view.session, view.result))
            }
        };
        let Some((session, result)) = done else {
            return false;
        };
        write_back(state.session, &session);
        if let Some(r) = state.result.as_deref_mut() {
            write_back(&mut r.meta, &result);
        }
        true
    }
}

/// The reserved (`__`) labels of `labels` from index `from` on, added to `known`; `None` if one
/// is ≥ 127 (outside the inline word).
fn reserved_words(labels: &Labels, from: usize, known: u128) -> Option<u128> {
    // By index, not `iter().skip(from)`: a session usually adds no label, and skipping would
    // walk the whole table on every block run.
    (from..labels.len())
        .map(|i| Label(i as u32))
        .filter(|&l| labels.name(l).starts_with("__"))
        .try_fold(known, |words, l| {
            (l.0 < INLINE_LABELS).then(|| words | 1u128 << l.0)
        })
}

/// The words of a meta view (none spilled) back into `meta`.
fn write_back(meta: &mut Meta, view: &MetaView) {
    let set = |i: usize| LabelSet::from_raw(view.fields[i].word(), &[]);
    meta.tags = set(0);
    meta.producers = set(1);
    meta.consumers = set(2);
}
