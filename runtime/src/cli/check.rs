//! `sqrtc check` (and, until the relay exists, `sqrtc demo`).

use std::path::PathBuf;
use std::process::ExitCode;

use super::Format;

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

pub fn run(_args: Args) -> ExitCode {
    eprintln!("sqrtc check: not implemented yet");
    ExitCode::from(super::exit::USAGE)
}

pub fn demo() -> ExitCode {
    eprintln!("sqrtc demo: not implemented yet");
    ExitCode::from(super::exit::USAGE)
}
