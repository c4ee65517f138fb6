//! `sqrtc fmt [--check | --write] FILE...` (cli.md): the canonical formatting of
//! `docs/formatting.md`. A file with syntax errors is never formatted; its diagnostics go to
//! stderr and the exit code is 1. I/O errors exit 2 (and win over 1).

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use sqrt_compiler::{fmt, parse, render};

use super::exit;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Print nothing; exit 1 when a file is not in canonical form.
    #[arg(long, conflicts_with = "write")]
    pub check: bool,
    /// Rewrite the files in place.
    #[arg(long)]
    pub write: bool,
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

/// What happened to one file, from best to worst.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    Ok,
    /// Not canonical (`--check`) or has syntax errors.
    Input,
    Io,
}

pub fn run(args: Args) -> ExitCode {
    let mut worst = Outcome::Ok;
    for path in &args.files {
        worst = worst.max(one(&args, path));
    }
    ExitCode::from(match worst {
        Outcome::Ok => exit::OK,
        Outcome::Input => exit::INPUT_ERRORS,
        Outcome::Io => exit::USAGE,
    })
}

fn one(args: &Args, path: &PathBuf) -> Outcome {
    let name = path.display().to_string();
    let bytes = match super::read_file(path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("sqrtc fmt: {e}");
            return Outcome::Io;
        }
    };
    let src = match parse::decode(&bytes) {
        Ok(src) => src,
        Err(d) => {
            eprint!(
                "{}",
                render::human(&name, &String::from_utf8_lossy(&bytes), &[d])
            );
            return Outcome::Input;
        }
    };
    let parsed = parse::parse(src);
    if parsed.has_errors() {
        eprint!("{}", render::human(&name, src, &parsed.diagnostics));
        return Outcome::Input;
    }
    let out = fmt::format(&parsed.program, src);
    if args.check {
        if out != src {
            return Outcome::Input;
        }
    } else if args.write {
        if out != src
            && let Err(e) = std::fs::write(path, &out)
        {
            eprintln!("sqrtc fmt: {name}: {e}");
            return Outcome::Io;
        }
    } else if std::io::stdout().write_all(out.as_bytes()).is_err() {
        return Outcome::Io;
    }
    Outcome::Ok
}
