//! Every example in `docs/planner.md` runs: ```` ```python ```` blocks must run without an error
//! and end with `# => JSON` (the expected `final_return_value`); ```` ```python,reject ````
//! blocks must be rejected before anything runs.

mod common;

use sqrt_vm::*;

#[test]
fn planner_chapter_examples() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/planner.md");
    let text = std::fs::read_to_string(path).unwrap();
    let mut blocks = 0;
    let mut lines = text.lines();
    while let Some(l) = lines.next() {
        let Some(kind) = l.strip_prefix("```python") else {
            continue;
        };
        let body: Vec<&str> = lines
            .by_ref()
            .take_while(|l| !l.starts_with("```"))
            .collect();
        let src = body.join("\n");
        blocks += 1;
        let cfg = common::config(Mode::Normal, vec![ToolStub::new("send_email", &[])]);
        if kind == ",reject" {
            assert!(
                !Vm::new(&src, cfg).diagnostics().is_empty(),
                "should be rejected:\n{src}"
            );
            continue;
        }
        let expect = body
            .last()
            .and_then(|l| l.strip_prefix("# => "))
            .expect("block ends with `# => JSON`");
        let expect: serde_json::Value = serde_json::from_str(expect).unwrap();
        let out = common::drive(&src, cfg, |_| panic!("no tools in docs"), false).outcome;
        assert_eq!(out.error, None, "{src}");
        assert_eq!(out.final_return_value, expect, "{src}");
    }
    assert!(blocks >= 6, "found {blocks} examples");
}
