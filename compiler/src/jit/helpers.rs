//! Stage `helpers`: the `extern "C"` functions native code calls for what it does not compile
//! itself. Each one catches any panic and returns [`FAIL`] instead of unwinding into JIT'd code;
//! the verdict function then marks the call failed and the check falls back (docs/jit.md).

use std::panic::{AssertUnwindSafe, catch_unwind};

use super::matcher::Matcher;
use super::view::{CallView, SlotView};
use crate::bytecode::{ElemCode, PredId, VSetNode};
use crate::interp::{Env, Interp};
use sqrt_std::label::LabelSet;
use sqrt_std::meta::Meta;

/// A helper's "could not evaluate" answer.
pub const FAIL: u32 = 2;

fn guard(f: impl FnOnce() -> bool) -> u32 {
    catch_unwind(AssertUnwindSafe(f)).map_or(FAIL, u32::from)
}

/// The interpreter and environment of the call `view` describes.
///
/// # Safety
/// `view` points to a live `CallView` whose `interp` and `env` are live for the call.
unsafe fn context<'a>(view: *const CallView) -> (&'a Interp, &'a Env<'a>) {
    // SAFETY: the caller (`Jit::run`) fills both pointers from references that outlive the call.
    unsafe {
        let view = &*view;
        (&*view.interp, &*view.env.cast::<Env<'a>>())
    }
}

/// Evaluates predicate `pred` with the interpreter's own code.
///
/// # Safety
/// Called only by JIT'd code with the `CallView` it was given.
pub unsafe extern "C" fn pred(view: *const CallView, pred: u32) -> u32 {
    // SAFETY: see `context`.
    let (interp, env) = unsafe { context(view) };
    guard(|| interp.pred(pred as PredId, env))
}

/// `value ∈ {elem}` for element `elem` of literal value set `vset`, with the interpreter's code.
///
/// # Safety
/// Called only by JIT'd code with its `CallView` and one of its slots.
pub unsafe extern "C" fn elem(
    view: *const CallView,
    slot: *const SlotView,
    vset: u32,
    elem: u32,
) -> u32 {
    // SAFETY: see `context`; the slot's value pointer was taken from a live reference.
    let (interp, _) = unsafe { context(view) };
    let value = unsafe { &*(*slot).value };
    guard(|| match &interp.module.vsets.get(vset as usize) {
        Some(VSetNode::Lit(elems)) => elems
            .get(elem as usize)
            .is_some_and(|e: &ElemCode| interp.elem(e, value)),
        _ => panic!("jit: value set {vset} is not a literal"),
    })
}

/// Full match of a precompiled regex (or wildcard) against a string's bytes. The literal
/// matchers cannot panic, so only a real regex pays for the unwind guard.
///
/// # Safety
/// `re` is a matcher owned by the `Jit`; `ptr[..len]` is the UTF-8 text of a live `String`.
pub unsafe extern "C" fn matches(re: *const Matcher, ptr: *const u8, len: usize) -> u32 {
    // SAFETY: the slot's string pointer and length come from a live `String`.
    let text = unsafe { std::str::from_utf8_unchecked(std::slice::from_raw_parts(ptr, len)) };
    // SAFETY: `re` is kept alive by the `Jit` that owns the code.
    match unsafe { &*re } {
        Matcher::Regex(re) => guard(|| re.is_match(text)),
        literal => u32::from(literal.is_match(text)),
    }
}

/// `field(meta) op mask` on whole label sets, spilled words included (`op`: 0 overlaps,
/// 1 subset of, 2 superset of, 3 equals; `field`: 0 tags, 1 producers, 2 consumers): an
/// argument or mask with labels ≥ 127 without a round trip through the interpreter.
///
/// # Safety
/// `meta` comes from a slot's `meta_ptr` (a live `Meta`), `mask` from the `Jit`'s constants.
pub unsafe extern "C" fn set_cmp(
    meta: *const Meta,
    mask: *const LabelSet,
    field: u32,
    op: u32,
) -> u32 {
    // SAFETY: see above; both outlive the call.
    let (meta, mask) = unsafe { (&*meta, &*mask) };
    guard(|| {
        let set = match field {
            0 => &meta.tags,
            1 => &meta.producers,
            2 => &meta.consumers,
            _ => panic!("jit: meta field {field}"),
        };
        match op {
            0 => set.overlaps(mask),
            1 => set.is_subset(mask),
            2 => mask.is_subset(set),
            3 => set == mask,
            _ => panic!("jit: set comparison {op}"),
        }
    })
}

/// Byte equality of two strings of the same (already compared) length.
///
/// # Safety
/// Both pointers are valid for `len` bytes.
pub unsafe extern "C" fn bytes_eq(a: *const u8, b: *const u8, len: usize) -> u32 {
    // SAFETY: the caller guarantees both ranges.
    unsafe { u32::from(std::slice::from_raw_parts(a, len) == std::slice::from_raw_parts(b, len)) }
}
