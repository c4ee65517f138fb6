//! A text parsed and checked in parts on several threads (`split`) gives exactly what the
//! one-part parse and check give: the same tree, the same IR, the same diagnostics in the same
//! order, on valid files, broken ones, and files whose parts only fail together.

mod common;

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
    let files: Vec<String> = common::corpus().into_iter().map(|(_, src)| src).collect();
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

#[test]
fn ids_shared_across_parts_are_numbered_and_linted_as_one_file() {
    // Every part numbers and lints its own policies; a tool id that several parts have is
    // renumbered after the earlier parts' rules, and its duplicates are reported against the
    // earliest equal rule, wherever that is.
    let mut src = String::new();
    for i in 0..12 {
        src.push_str(&format!(
            "tool \"send\" {{\n    hard deny when x.tags overlaps {{\"a\"}};\n    soft allow when y.value in {{\"v{i}\"}};\n}}\n"
        ));
        src.push_str(&format!(
            "tool \"own_{i}\" {{ hard deny always; soft allow always; }}\n"
        ));
        if i % 4 == 3 {
            src.push_str(
                "tool r\"se.*\" -> @tags |= {\"s\"};\ntool \"send\" { hard deny always; }\n",
            );
        }
    }
    same_in_parts(&src);
    for threads in [2, 5] {
        let checked = check_in_parts(&src, &CheckOptions::default(), &parts_for(&src, threads, 1));
        let program = checked.program.expect("warnings only");
        let ids: Vec<&str> = program
            .policies
            .iter()
            .filter(|p| p.id_text == "send")
            .flat_map(|p| p.rules.iter().map(|r| r.id.as_str()))
            .collect();
        let expected: Vec<String> = (1..=27).map(|n| format!("send#{n}")).collect();
        assert_eq!(ids, expected, "{threads} parts");
        let w0002: Vec<_> = checked
            .diagnostics
            .iter()
            .filter(|d| d.code == "W0002")
            .collect();
        // The `hard deny when x.tags overlaps {"a"}` of blocks 1..11 and the later
        // `hard deny always` rules each repeat the first of their kind, in the first part.
        assert_eq!(w0002.len(), 11 + 2, "{threads} parts: {w0002:?}");
        let first = src.find("hard deny when").unwrap();
        assert!(
            w0002
                .iter()
                .filter(|d| src[d.span.start as usize..].starts_with("hard deny when"))
                .all(|d| d.labels[0].0.start as usize == first),
            "{w0002:?}"
        );
    }
}
