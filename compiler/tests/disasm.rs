//! Golden listing of the seed policy's bytecode (reviewed by hand against the source).

use sqrt_compiler::disasm::disasm;
use sqrt_compiler::policy::compile_module;
use sqrt_std::prelude::Presets;

#[test]
fn seed_policy_listing() {
    let src = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/sqrt/seed.sqrt"
    ))
    .unwrap();
    let (module, _) = compile_module(&src, &Presets::default(), None).unwrap();
    insta::assert_snapshot!(disasm(&module));
}

#[test]
fn refund_policy_listing() {
    let src = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/sqrt/refund.sqrt"
    ))
    .unwrap();
    let presets = Presets {
        enable_llm_blocked_tag: false,
        ..Presets::default()
    };
    let (module, _) = compile_module(&src, &presets, None).unwrap();
    insta::assert_snapshot!(disasm(&module));
}
