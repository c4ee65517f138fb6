//! The conformance corpus (`tests/corpus/`): every valid file checks clean, every invalid file
//! yields exactly the code in its name at the span its `// expect:` line names, and the rendered
//! human diagnostics are snapshot-tested.
//!
//! An invalid file starts with `// expect: CODE "SNIPPET"` (optionally `#N` for the N-th
//! occurrence): the primary span of the diagnostic is the snippet's text found after that line,
//! or the part of it between `⟦` and `⟧`. `@end` means an empty span at the end of the file.
//! A `// tools: FILE` line checks against that OpenAI tools file (relative to the corpus).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use sqrt_compiler::check::{CheckOptions, check};
use sqrt_compiler::diag::{Diagnostic, Span};
use sqrt_compiler::{parse, render};
use sqrt_std::tools::ToolSet;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

fn files(dir: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(corpus().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sqrt"))
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no files in corpus/{dir}");
    out
}

fn tools_for(src: &str) -> Option<ToolSet> {
    let line = src.lines().find_map(|l| l.strip_prefix("// tools: "))?;
    let text = std::fs::read_to_string(corpus().join(line.trim())).unwrap();
    Some(ToolSet::parse(&text).unwrap())
}

/// Decodes and checks a file as `sqrtc check` does.
fn check_file(path: &Path) -> (String, Vec<Diagnostic>) {
    let bytes = std::fs::read(path).unwrap();
    match parse::decode(&bytes) {
        Ok(src) => {
            let tools = tools_for(src);
            let checked = check(
                src,
                &CheckOptions {
                    tools: tools.as_ref(),
                    prelude: false,
                },
            );
            assert_eq!(
                checked.program.is_some(),
                !checked.diagnostics.iter().any(Diagnostic::is_error),
                "{}: the IR exists iff there is no error",
                path.display()
            );
            (src.to_string(), checked.diagnostics)
        }
        Err(d) => (String::from_utf8_lossy(&bytes).into_owned(), vec![d]),
    }
}

struct Expect {
    code: String,
    span: Span,
}

/// Reads the `// expect:` line and computes the expected span from the text alone.
fn expectation(path: &Path, src: &str) -> Expect {
    let (line_start, line) = src
        .match_indices("// expect: ")
        .next()
        .map(|(i, _)| (i, src[i..].lines().next().unwrap()))
        .unwrap_or_else(|| panic!("{}: no `// expect:` line", path.display()));
    let after = line_start + line.len() + 1;
    let rest = line.strip_prefix("// expect: ").unwrap();
    let (code, spec) = rest.split_once(' ').unwrap();
    if spec == "@end" {
        return Expect {
            code: code.into(),
            span: Span::new(src.len(), src.len()),
        };
    }
    let (quoted, nth) = match spec.rsplit_once("\"#") {
        Some((q, n)) => (format!("{q}\""), n.parse::<usize>().unwrap()),
        None => (spec.to_owned(), 1),
    };
    let snippet: String = serde_json::from_str(&quoted)
        .unwrap_or_else(|e| panic!("{}: bad snippet: {e}", path.display()));
    let plain = snippet.replace(['⟦', '⟧'], "");
    let (mark_start, mark_end) = match (snippet.find('⟦'), snippet.find('⟧')) {
        (Some(a), Some(b)) => (a, b - '⟦'.len_utf8()),
        _ => (0, plain.len()),
    };
    let found = src[after..]
        .match_indices(&plain)
        .nth(nth - 1)
        .unwrap_or_else(|| panic!("{}: snippet {plain:?} #{nth} not found", path.display()))
        .0
        + after;
    Expect {
        code: code.into(),
        span: Span::new(found + mark_start, found + mark_end),
    }
}

#[test]
fn valid_files_check_clean() {
    for path in files("valid") {
        let (src, diags) = check_file(&path);
        assert!(
            diags.is_empty(),
            "{} should check clean:\n{}",
            path.display(),
            render::human(&path.display().to_string(), &src, &diags)
        );
    }
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
fn invalid_files_yield_exactly_their_code_at_the_expected_span() {
    with_main_sized_stack(check_invalid_files);
}

fn check_invalid_files() {
    let mut failures = Vec::new();
    for path in files("invalid") {
        let stem = path.file_stem().unwrap().to_str().unwrap().to_owned();
        let (src, diags) = check_file(&path);
        let expect = expectation(&path, &src);
        let name = format!("invalid/{stem}.sqrt");
        let rendered = render::human(&name, &src, &diags);
        let codes: BTreeSet<&str> = diags.iter().map(|d| d.code).collect();
        if !stem.starts_with(&expect.code) {
            failures.push(format!(
                "{stem}: the file name must start with its code {}",
                expect.code
            ));
        } else if codes != BTreeSet::from([expect.code.as_str()]) {
            failures.push(format!(
                "{stem}: expected exactly {}, got {codes:?}\n{rendered}",
                expect.code
            ));
        } else if diags[0].span != expect.span {
            failures.push(format!(
                "{stem}: primary span {:?}, expected {:?}\n{rendered}",
                diags[0].span, expect.span
            ));
        } else if diags[0].is_error() != expect.code.starts_with('E') {
            failures.push(format!("{stem}: wrong severity"));
        }
        insta::with_settings!({ prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!(stem, rendered);
        });
    }
    assert!(
        failures.is_empty(),
        "{} corpus failures:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Every code of sqrt.md §4.5 has at least one failing example in the corpus.
#[test]
fn every_code_has_a_failing_example() {
    let codes = [
        "E0001", "E0002", "E0003", "E0004", "E0005", "E0101", "E0102", "E0103", "E0104", "E0105",
        "E0106", "E0107", "E0201", "E0202", "E0203", "E0204", "E0205", "E0206", "E0207", "E0208",
        "E0209", "E0210", "E0211", "E0301", "E0302", "E0303", "E0304", "E0305", "E0306", "W0001",
        "W0002", "W0003", "W0004", "W0005", "W0006",
    ];
    let names: Vec<String> = files("invalid")
        .iter()
        .map(|p| p.file_name().unwrap().to_str().unwrap().to_owned())
        .collect();
    for code in codes {
        assert!(
            names.iter().any(|n| n.starts_with(&format!("{code}_"))),
            "no corpus example for {code}"
        );
    }
}

/// The JSON format of one invalid file, checked by hand against cli.md.
#[test]
fn json_format_of_an_unknown_name() {
    let path = corpus().join("invalid/E0201_unknown_name.sqrt");
    let (src, diags) = check_file(&path);
    let doc = render::json([("p.sqrt", src.as_str(), diags.as_slice())]);
    assert_eq!(
        doc,
        serde_json::json!({"diagnostics": [{"severity": "error", "code": "E0201", "message": "unknown name `condition`",
            "file": "p.sqrt", "line": 3, "column": 20, "end_line": 3, "end_column": 28}]})
    );
}

/// The shipped prelude (sqrt.md §5.7) checks clean in prelude mode, and each preset policy alone
/// too (instantiation compiles them one by one).
#[test]
fn shipped_prelude_checks_clean() {
    let prelude = CheckOptions {
        tools: None,
        prelude: true,
    };
    let text = sqrt_std::prelude::default_prelude_text();
    let checked = check(&text, &prelude);
    assert!(
        checked.diagnostics.is_empty(),
        "{}",
        render::human("prelude", &text, &checked.diagnostics)
    );
    assert_eq!(checked.program.unwrap().policies.len(), 3);
    for p in sqrt_std::prelude::Presets::default().instantiate() {
        assert!(
            check(&p.source, &prelude).diagnostics.is_empty(),
            "{}",
            p.name
        );
    }
}
