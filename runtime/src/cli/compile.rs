//! `sqrtc compile FILE.sqrt [--tools TOOLS.json] -o OUT.sqrtb` (cli.md).

use std::path::PathBuf;
use std::process::ExitCode;

use super::eval::{Failure, load_policy, read_presets, read_tools};
use super::exit;

#[derive(clap::Args, Debug)]
pub struct Args {
    pub file: PathBuf,
    /// An OpenAI `tools` array to validate argument names against.
    #[arg(long)]
    pub tools: Option<PathBuf>,
    /// X-Policy's `presets` object (the prelude to compile in; default presets otherwise).
    #[arg(long)]
    pub presets: Option<PathBuf>,
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
}

pub fn run(args: Args) -> ExitCode {
    let result = (|| -> Result<(), Failure> {
        let presets = read_presets(args.presets.as_deref())?;
        let tools = read_tools(args.tools.as_deref())?;
        let policy = load_policy(&args.file, &presets, tools.as_ref())?;
        std::fs::write(&args.output, policy.module().encode())
            .map_err(|e| Failure(exit::USAGE, format!("{}: {e}", args.output.display())))
    })();
    match result {
        Ok(()) => ExitCode::from(exit::OK),
        Err(Failure(code, msg)) => {
            eprint!("sqrtc compile: {msg}");
            if !msg.ends_with('\n') {
                eprintln!();
            }
            ExitCode::from(code)
        }
    }
}
