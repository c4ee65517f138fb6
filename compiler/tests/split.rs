//! A text parsed and checked in parts on several threads (`split`) gives exactly what the
//! one-part parse and check give: the same tree, the same IR, the same diagnostics in the same
//! order, on valid files, broken ones, and files whose parts only fail together.

use std::path::{Path, PathBuf};

use sqrt_compiler::check::{CheckOptions, Checked, check_in_parts};
use sqrt_compiler::parse::parse_in_parts;
use sqrt_compiler::split::{self, one_part, parts_for};

fn key(c: &Checked) -> String {
    format!("{:?}\n{:?}", c.program, c.diagnostics)
}

/// Every way of splitting `src` into 2, 3 and 8 parts checks and parses like the whole text.
fn same_in_parts(src: &str) {
    let opts = CheckOptions::default();
    let one = check_in_parts(src, &opts, &one_part(src));
    let tree = format!("{:?}", parse_in_parts(src, &one_part(src)));
    for threads in [2, 3, 8] {
        let parts = parts_for(src, threads, 1);
        assert_eq!(
            key(&check_in_parts(src, &opts, &parts)),
            key(&one),
            "check differs in {threads} parts {parts:?}:\n{src}"
        );
        assert_eq!(
            format!("{:?}", parse_in_parts(src, &parts)),
            tree,
            "parse differs in {threads} parts {parts:?}"
        );
    }
}

fn sqrt_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        if path.is_dir() {
            sqrt_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "sqrt") {
            out.push(path);
        }
    }
}

fn corpus() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    sqrt_files(&root.join("tests/corpus"), &mut files);
    sqrt_files(&root.join("../tests/corpus"), &mut files);
    files.sort();
    assert!(files.len() > 20, "the corpora were not found");
    files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect()
}

/// `n` blocks like the front-end benchmark's.
fn blocks(n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                r##"/// Block {i}.
let sensitive_{i} = {{"internal_use", "pii_{i}"}};
tool "send_{i}" {{
    priority {p};
    hard deny when (body.tags overlaps sensitive_{i}) and (not to.value in {{str matching r".*@corp\.com"}});
    soft allow when path.value in {{w"/srv/*", "a"}} or @args.producers superset of {{"ledger"}};
    result {{
        @tags |= {{"t{i}"}}; // tag
        when "restricted" in @tags {{ @consumers &= {{"#hr"}}; }}
    }}
}}
tool "fetch_{i}" -> @producers |= {{"src_{i}"}} when port.value in {{int 1..1024}};
"##,
                p = i % 10
            )
        })
        .collect()
}

#[test]
fn every_corpus_file_alone_and_all_together() {
    let files = corpus();
    for src in &files {
        same_in_parts(src);
    }
    // Together: duplicate names across parts (E0202), lets used only in another part.
    same_in_parts(&files.join("\n"));
}

#[test]
fn generated_blocks_take_the_parts_path() {
    let src = blocks(40);
    let parts = parts_for(&src, 4, 1);
    assert_eq!(parts.len(), 4);
    for p in &parts[1..] {
        let text = &src[p.clone()];
        assert!(
            ["/// Block", "let ", "tool "]
                .iter()
                .any(|d| text.starts_with(d)),
            "{:?}",
            &text[..20]
        );
    }
    assert!(
        split::parse(&src, &parts).is_some(),
        "clean parts must be kept"
    );
    same_in_parts(&src);
    let checked = check_in_parts(&src, &CheckOptions::default(), &parts);
    assert!(checked.diagnostics.is_empty(), "{:?}", checked.diagnostics);
    assert_eq!(checked.program.unwrap().policies.len(), 80);
}

#[test]
fn a_broken_or_cross_part_file_is_checked_whole() {
    let src = blocks(30);
    // A syntax error in a late part; a block comment and a declaration cut by a split.
    same_in_parts(&src.replace("tool \"fetch_25\" ->", "tool \"fetch_25\" -> ->"));
    same_in_parts(&format!("/*\n{}*/\n{}", blocks(5), blocks(5)));
    same_in_parts(&src.replace("tool \"send_20\" {", "tool \"send_20\" {\ntool \"x\" {}"));
    // A let used only in a later part is not unused; one defined twice is E0202 at the second.
    let src = format!(
        "let only_later = {{\"a\"}};\n{}let sensitive_3 = {{\"b\"}};\n",
        blocks(20)
    )
    .replace("pii_12\"", "pii_12\"} | only_later | {\"c\"");
    same_in_parts(&src);
    let checked = check_in_parts(&src, &CheckOptions::default(), &parts_for(&src, 3, 1));
    let codes: Vec<&str> = checked.diagnostics.iter().map(|d| d.code).collect();
    assert!(
        codes.contains(&"E0202") && !codes.contains(&"W0005"),
        "{codes:?}"
    );
}

#[test]
fn the_expansion_budget_is_the_files_not_each_parts() {
    // `a11` expands into 4,095 lets; 30 uses make about 123,000 expansions in all, more than
    // a file may have, though each of 2 or 3 parts alone stays under the limit.
    let mut src = String::from("let a0 = {\"x\"};\n");
    for k in 1..12 {
        src.push_str(&format!("let a{k} = a{j} | a{j};\n", j = k - 1));
    }
    for i in 0..30 {
        src.push_str(&format!(
            "tool \"t{i}\" {{\n    hard deny when x.tags overlaps a11;\n}}\n"
        ));
    }
    let one = check_in_parts(&src, &CheckOptions::default(), &one_part(&src));
    assert!(
        one.diagnostics.iter().any(|d| d.is_error()),
        "the whole file must exceed the budget: {:?}",
        one.diagnostics
    );
    same_in_parts(&src);
}
