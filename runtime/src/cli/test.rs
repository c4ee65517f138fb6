//! `sqrtc test [PATH...]`: runs `*.sqrt-test.json` suites found recursively (cli.md).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use sqrt_compiler::eval::run_suite_file_with;

use super::eval::engine;
use super::{Engine, exit};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The engine whose output meets the expectations. Every case also runs on the other engine
    /// and fails if the two outputs differ in anything but the `engine` field.
    #[arg(long, value_enum, default_value = "jit")]
    pub engine: Engine,
    /// Test files or directories (default: the current directory).
    pub paths: Vec<PathBuf>,
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        entries.sort();
        for e in entries {
            if e.is_dir() || e.to_string_lossy().ends_with(".sqrt-test.json") {
                collect(&e, out)?;
            }
        }
    } else {
        out.push(path.to_owned());
    }
    Ok(())
}

pub fn run(args: Args) -> ExitCode {
    let roots = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths
    };
    let mut files = Vec::new();
    for root in &roots {
        if let Err(e) = collect(root, &mut files) {
            eprintln!("sqrtc test: {}: {e}", root.display());
            return ExitCode::from(exit::USAGE);
        }
    }
    let (mut passed, mut failed) = (0usize, 0usize);
    for file in &files {
        match run_suite_file_with(file, engine(args.engine)) {
            Ok((outcomes, fallback)) => {
                if let Some(why) = fallback {
                    eprintln!(
                        "sqrtc test: {}: the JIT fell back to the interpreter: {why}",
                        file.display()
                    );
                }
                for o in outcomes {
                    match o.failure {
                        None => {
                            passed += 1;
                            println!("ok   {} :: {}", file.display(), o.name);
                        }
                        Some(why) => {
                            failed += 1;
                            println!("FAIL {} :: {}: {why}", file.display(), o.name);
                        }
                    }
                }
            }
            Err(e) => {
                failed += 1;
                println!("FAIL {}: {e}", file.display());
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    ExitCode::from(if failed > 0 {
        exit::TEST_FAILED
    } else {
        exit::OK
    })
}
