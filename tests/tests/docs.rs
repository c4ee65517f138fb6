//! Every ```` ```sqrt ```` block in `docs/*.md` is a tested example: a plain block must check
//! without any diagnostic; a block tagged ```` ```sqrt,error=CODE ```` (or `warning=CODE`) must
//! give exactly that code. A `tools` attribute checks the block against the OpenAI tools file
//! `tests/corpus/tools.json` (as `sqrtc check --tools` would); `sqrt,ignore` blocks are skipped.

use std::collections::BTreeSet;
use std::path::Path;

use sqrt_compiler::check::{CheckOptions, check};
use sqrt_compiler::render;
use sqrt_std::tools::ToolSet;

struct Example {
    file: String,
    line: usize,
    expect: Option<String>,
    ignore: bool,
    tools: bool,
    src: String,
}

fn examples() -> Vec<Example> {
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs");
    let mut paths: Vec<_> = std::fs::read_dir(&docs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap();
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let mut current: Option<Example> = None;
        for (i, line) in text.lines().enumerate() {
            match current.as_mut() {
                None => {
                    let Some(info) = line.trim_start().strip_prefix("```") else {
                        continue;
                    };
                    let mut parts = info.trim().split(',').map(str::trim);
                    if parts.next() != Some("sqrt") {
                        continue;
                    }
                    let mut ex = Example {
                        file: file.clone(),
                        line: i + 1,
                        expect: None,
                        ignore: false,
                        tools: false,
                        src: String::new(),
                    };
                    for attr in parts {
                        match attr.split_once('=') {
                            Some(("error" | "warning", code)) => ex.expect = Some(code.to_owned()),
                            None if attr == "ignore" => ex.ignore = true,
                            None if attr == "tools" => ex.tools = true,
                            _ => panic!("{file}:{}: unknown attribute {attr:?}", i + 1),
                        }
                    }
                    current = Some(ex);
                }
                Some(ex) => {
                    if line.trim_start().starts_with("```") {
                        out.push(current.take().unwrap());
                    } else {
                        ex.src.push_str(line);
                        ex.src.push('\n');
                    }
                }
            }
        }
        assert!(current.is_none(), "{file}: unterminated ```sqrt block");
    }
    out
}

/// Runs `f` on a thread with the stack of a main thread: the parser's recursion on the E0107
/// example (deeply nested parentheses) needs more than a test thread's 2 MiB in debug builds.
fn with_main_sized_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn doc_examples_check_as_annotated() {
    with_main_sized_stack(check_examples);
}

fn check_examples() {
    let examples = examples();
    assert!(
        examples.len() >= 20,
        "expected the language reference's examples, found {}",
        examples.len()
    );
    let tools_json =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/tools.json"))
            .unwrap();
    let tools = ToolSet::parse(&tools_json).unwrap();
    let mut failures = Vec::new();
    for ex in examples.iter().filter(|e| !e.ignore) {
        let opts = CheckOptions {
            tools: ex.tools.then_some(&tools),
            prelude: false,
        };
        let checked = check(&ex.src, &opts);
        let codes: BTreeSet<&str> = checked.diagnostics.iter().map(|d| d.code).collect();
        let expected: BTreeSet<&str> = ex.expect.iter().map(String::as_str).collect();
        if codes != expected {
            let name = format!("{}:{}", ex.file, ex.line);
            failures.push(format!(
                "{name}: expected {expected:?}, got {codes:?}\n{}",
                render::human(&name, &ex.src, &checked.diagnostics)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every code in the diagnostics chapter's table has a tested failing example there.
#[test]
fn diagnostics_chapter_has_an_example_per_code() {
    let examples = examples();
    let table = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/diagnostics.md"),
    )
    .unwrap();
    let codes: BTreeSet<&str> = table
        .lines()
        .filter_map(|l| l.strip_prefix("| ")?.split(' ').next())
        .filter(|c| c.len() == 5 && (c.starts_with('E') || c.starts_with('W')))
        .collect();
    assert!(codes.len() >= 34, "{codes:?}");
    for code in codes {
        assert!(
            examples
                .iter()
                .any(|e| e.file == "diagnostics.md" && e.expect.as_deref() == Some(code)),
            "docs/diagnostics.md has no ```sqrt,error={code} example"
        );
    }
}
