//! `sqrtc disasm FILE`: the stable listing of a `.sqrtb` (or of a `.sqrt`, compiled first).

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use sqrt_std::prelude::Presets;

use super::eval::{Failure, load_policy};
use super::exit;

#[derive(clap::Args, Debug)]
pub struct Args {
    pub file: PathBuf,
}

pub fn run(args: Args) -> ExitCode {
    match load_policy(&args.file, &Presets::default(), None) {
        Ok(policy) => {
            let listing = sqrt_compiler::disasm::disasm(policy.module());
            if std::io::stdout()
                .lock()
                .write_all(listing.as_bytes())
                .is_err()
            {
                return ExitCode::from(exit::USAGE);
            }
            ExitCode::from(exit::OK)
        }
        Err(Failure(code, msg)) => {
            eprint!("sqrtc disasm: {msg}");
            if !msg.ends_with('\n') {
                eprintln!();
            }
            ExitCode::from(code)
        }
    }
}
