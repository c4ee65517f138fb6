//! `check` reads a text one declaration at a time (`check_streamed`: lets first, then each tool
//! declaration parsed, checked and freed), never holding the whole tree. It must give exactly
//! what checking the whole tree gives (`check_tree`): the same IR and the same diagnostics in the
//! same order, with and without tool schemas, for the prelude too; and it must be taken exactly
//! on the texts that parse without a diagnostic (every other text is checked whole).

mod common;

use std::path::Path;

use sqrt_compiler::check::{CheckOptions, check, check_streamed, check_tree};
use sqrt_compiler::split::{one_part, parts_for};
use sqrt_std::tools::ToolSet;

/// The tools file a corpus file names on a `// tools: FILE` line.
fn tools_for(path: &Path, src: &str) -> Option<ToolSet> {
    let name = src.lines().find_map(|l| l.strip_prefix("// tools: "))?;
    let text = std::fs::read_to_string(path.parent().unwrap().join("..").join(name.trim()))
        .or_else(|_| std::fs::read_to_string(path.parent().unwrap().join(name.trim())))
        .unwrap();
    Some(ToolSet::parse(&text).unwrap())
}

#[test]
fn every_corpus_file_streams_as_its_whole_tree_checks() {
    let (mut streamed, mut whole) = (0, 0);
    for (path, src) in common::corpus() {
        let tools = tools_for(&path, &src);
        for prelude in [false, true] {
            let opts = CheckOptions {
                tools: tools.as_ref(),
                prelude,
            };
            if common::streams_as_tree(&src, &opts) {
                streamed += 1;
            } else {
                whole += 1;
            }
        }
        // Without the schemas too (a file that names some).
        if tools.is_some() {
            common::streams_as_tree(&src, &CheckOptions::default());
        }
    }
    // Both routes are exercised: the valid files and the semantic errors stream, the syntax
    // errors do not.
    assert!(
        streamed > 40 && whole > 20,
        "{streamed} streamed, {whole} whole"
    );
}

#[test]
fn a_let_used_before_it_is_written_and_warnings_in_order() {
    let src = r#"
tool "a" { hard deny when uses_later; soft allow when x.value in later_set; }
/// Doc of a let.
let uses_later = y.tags overlaps {"p"} and z.tags is empty;
let unused = {"q"};
tool "a" { hard deny when uses_later; hard deny always; soft allow always; }
let later_set = {"v"} | {int 1..3} with "w";
tool "b" -> @tags |= {"t"} - ({"u"} & {"v"}) | {"w"};
"#;
    assert!(common::streams_as_tree(src, &CheckOptions::default()));
    let checked = check(src, &CheckOptions::default());
    let codes: Vec<&str> = checked.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(
        codes,
        ["W0005", "W0002", "W0001", "W0006", "W0006"],
        "{checked:#?}"
    );
}

#[test]
fn a_syntax_error_anywhere_checks_the_whole_tree() {
    let good = "let s = {\"a\"};\ntool \"t\" { hard deny when x.tags overlaps s; }\n";
    for bad in [
        "tool \"u\" { hard deny when ; }\n",
        "let b = {\"a\" ;\n",
        "tool \"u\" -> @tags |= {\"a\"}\n",
        "tool \"u\" { result { when x.tags is empty { when y.tags is empty { @tags = {}; } } } }\n",
        "tool \"u\" { hard deny always;\n/// a doc comment on nothing\n}\n",
        "tool \"u\" { hard deny when x.tags overlaps {\"a\"}; \n",
        "let c = x.value;\n",
    ] {
        for src in [format!("{bad}{good}"), format!("{good}{bad}")] {
            let opts = CheckOptions::default();
            assert!(
                check_streamed(&src, &opts, &one_part(&src)).is_none(),
                "{src:?} must not stream"
            );
            let checked = check(&src, &opts);
            assert!(checked.diagnostics.iter().any(|d| d.is_error()), "{src:?}");
            assert_eq!(
                format!("{:?}", checked.diagnostics),
                format!("{:?}", check_tree(&src, &opts).diagnostics)
            );
        }
    }
}

#[test]
fn streamed_parts_check_as_the_whole_tree() {
    let mut src = String::new();
    for i in 0..30 {
        src.push_str(&format!(
            "/// Block {i}.\nlet s{i} = {{\"a{i}\"}} | s{j};\ntool \"t{k}\" {{\n    priority {i};\n    hard deny when x.tags overlaps s{i};\n    result {{ @tags |= {{\"r\"}}; }}\n}}\ntool r\"f.*\" -> session @producers |= {{\"p\"}} when y.value in {{int ..{i}}};\n",
            j = (i + 7) % 30 + 100 * usize::from(i % 9 == 8),
            k = i % 4,
        ));
    }
    let opts = CheckOptions::default();
    let whole = format!("{:#?}", check_tree(&src, &opts));
    assert!(format!("{:?}", check_tree(&src, &opts).diagnostics).contains("E0201"));
    for threads in [1, 2, 3, 7] {
        let parts = parts_for(&src, threads, 1);
        let streamed = check_streamed(&src, &opts, &parts).expect("a clean text streams");
        assert_eq!(format!("{streamed:#?}"), whole, "{threads} parts");
    }
}
