//! Runs every `tests/sqrt/*.sqrt-test.json` suite of the repository through the library.

use std::path::PathBuf;

use sqrt_compiler::eval::run_suite_file;

#[test]
fn every_policy_suite_passes() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/sqrt");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".sqrt-test.json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no suites in {}", dir.display());
    let mut failures = Vec::new();
    let mut total = 0;
    for file in &files {
        match run_suite_file(file) {
            Ok(outcomes) => {
                for o in outcomes {
                    total += 1;
                    if let Some(why) = o.failure {
                        failures.push(format!("{} / {}: {why}", file.display(), o.name));
                    }
                }
            }
            Err(e) => failures.push(format!("{}: {e}", file.display())),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {total} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(total >= 40, "only {total} cases ran");
}
