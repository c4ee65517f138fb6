//! `sqrtc fmt`.

use std::path::PathBuf;
use std::process::ExitCode;

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

pub fn run(_args: Args) -> ExitCode {
    eprintln!("sqrtc fmt: not implemented yet");
    ExitCode::from(super::exit::USAGE)
}
