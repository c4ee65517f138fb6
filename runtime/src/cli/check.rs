//! `sqrtc check`.

use std::io::{IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;

use sqrt_compiler::check::{CheckOptions, check};
use sqrt_compiler::diag::Diagnostic;
use sqrt_compiler::{parse, render};
use sqrt_std::tools::ToolSet;

use super::Format;
use super::exit;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// An OpenAI `tools` array to validate argument names against.
    #[arg(long)]
    pub tools: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

/// One checked file: its name as given, its text, and what the checker said.
struct Report {
    file: String,
    src: String,
    diagnostics: Vec<Diagnostic>,
}

/// Decodes and checks one file (invalid UTF-8 is a located E0001 from the decoder).
fn check_file(path: &PathBuf, opts: &CheckOptions<'_>) -> Result<Report, String> {
    let bytes = super::read_file(path)?;
    let file = path.display().to_string();
    let (src, diagnostics) = match parse::decode(&bytes) {
        Ok(src) => {
            let checked = check(src, opts);
            (src.to_owned(), checked.diagnostics)
        }
        Err(d) => (String::from_utf8_lossy(&bytes).into_owned(), vec![d]),
    };
    Ok(Report {
        file,
        src,
        diagnostics,
    })
}

pub fn run(args: Args) -> ExitCode {
    let tools = match &args.tools {
        None => None,
        Some(path) => {
            let parsed = super::read_file(path).and_then(|bytes| {
                let text = String::from_utf8(bytes)
                    .map_err(|_| format!("{}: not valid UTF-8", path.display()))?;
                ToolSet::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
            });
            match parsed {
                Ok(t) => Some(t),
                Err(e) => {
                    eprintln!("sqrtc check: {e}");
                    return ExitCode::from(exit::USAGE);
                }
            }
        }
    };
    let opts = CheckOptions {
        tools: tools.as_ref(),
        prelude: false,
    };
    // An unreadable file does not stop the others from being checked; it decides the exit code.
    let mut reports = Vec::new();
    let mut io_failed = false;
    for path in &args.files {
        match check_file(path, &opts) {
            Ok(r) => reports.push(r),
            Err(e) => {
                eprintln!("sqrtc check: {e}");
                io_failed = true;
            }
        }
    }
    let errors = reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .filter(|d| d.is_error())
        .count();
    match args.format {
        Format::Json => {
            let doc = render::json(
                reports
                    .iter()
                    .map(|r| (r.file.as_str(), r.src.as_str(), r.diagnostics.as_slice())),
            );
            let mut out = std::io::stdout().lock();
            if writeln!(out, "{doc}").is_err() {
                return ExitCode::from(exit::USAGE);
            }
        }
        Format::Human => {
            // Colour only for a person at a terminal (and never with NO_COLOR set).
            let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            let mut err = std::io::stderr().lock();
            for r in &reports {
                let _ = write!(
                    err,
                    "{}",
                    render::human_with(&r.file, &r.src, &r.diagnostics, color)
                );
            }
        }
    }
    ExitCode::from(if io_failed {
        exit::USAGE
    } else if errors > 0 {
        exit::INPUT_ERRORS
    } else {
        exit::OK
    })
}
