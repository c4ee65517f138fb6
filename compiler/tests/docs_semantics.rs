//! docs/semantics.md shows policies whose calls are tested by the `tests/sqrt` suites: each
//! ```sqrt block there must be verbatim in a `tests/sqrt/*.sqrt` file, or be the default prelude.

use std::path::Path;

#[test]
fn semantics_chapter_examples_are_the_tested_policies() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let doc = std::fs::read_to_string(root.join("docs/semantics.md")).unwrap();
    let mut policies = Vec::new();
    for e in std::fs::read_dir(root.join("tests/sqrt")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "sqrt") {
            policies.push(std::fs::read_to_string(p).unwrap());
        }
    }
    let prelude = sqrt_std::prelude::default_prelude_text();
    let mut blocks = 0;
    for block in doc.split("```sqrt\n").skip(1) {
        let body = block.split("```").next().unwrap();
        blocks += 1;
        assert!(
            body == prelude || policies.iter().any(|p| p.contains(body)),
            "docs/semantics.md example is not a tested policy:\n{body}"
        );
    }
    assert!(blocks >= 3, "found only {blocks} examples");
}
