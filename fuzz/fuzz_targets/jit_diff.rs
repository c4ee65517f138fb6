//! Fuzz bytes → a generated SQRT policy and calls (the generator of
//! `compiler/tests/jit_gen`), checked on both engines: the JIT's verdicts, fired rules, session
//! and result metas must equal the interpreter's (ARCHITECTURE.md invariant 2). A divergence
//! panics with the policy text and the call.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../compiler/tests/jit_gen/mod.rs"]
mod jit_gen;

fuzz_target!(|data: &[u8]| {
    let mut stats = jit_gen::Stats::default();
    if let Err(e) = jit_gen::check(data, &mut stats) {
        panic!("JIT and interpreter diverge: {e}");
    }
});
