//! The `sqrtc` command line (cli.md). One module per subcommand; each exposes
//! `run(args) -> ExitCode` and owns its own output format.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

mod bench;
mod check;
mod compile;
mod demo;
mod disasm;
mod eval;
mod fmt;
mod mock_llm;
mod run;
mod serve;
mod test;

/// Exit codes of cli.md.
pub mod exit {
    pub const OK: u8 = 0;
    pub const INPUT_ERRORS: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const DENIED: u8 = 3;
    pub const PROGRAM_ERROR: u8 = 4;
    pub const TEST_FAILED: u8 = 5;
}

#[derive(Parser, Debug)]
#[command(
    name = "sqrtc",
    version,
    about = "SQRT policy compiler, planner VM and relay"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Engine {
    Jit,
    Interp,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Parse, resolve and type-check policies.
    Check(check::Args),
    /// Print policies in the canonical style, or check or rewrite them in place.
    Fmt(fmt::Args),
    /// Run the seed tutorial end to end (for now: the seed policy's check results).
    Demo,
    /// Run the scripted OpenAI-compatible mock provider (prints its address first).
    MockLlm(mock_llm::Args),
    /// Run the OpenAI-compatible relay.
    Serve(serve::Args),
    /// Compile a policy to verified bytecode (`.sqrtb`).
    Compile(compile::Args),
    /// Print the stable listing of a policy's bytecode.
    Disasm(disasm::Args),
    /// Evaluate tool calls against a policy.
    Eval(eval::Args),
    /// Run policy test files (`*.sqrt-test.json`).
    Test(test::Args),
    /// Run a planner program with the policy enforced, against a scripted world.
    Run(run::Args),
    /// Measure the median cost of a policy check per engine on a set of calls.
    Bench(bench::Args),
}

/// Parses the command line and runs the subcommand.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            });
        }
    };
    match cli.command {
        Command::Check(args) => check::run(args),
        Command::Fmt(args) => fmt::run(args),
        Command::Demo => demo::run(),
        Command::MockLlm(args) => mock_llm::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Compile(args) => compile::run(args),
        Command::Disasm(args) => disasm::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Test(args) => test::run(args),
        Command::Run(args) => run::run(args),
        Command::Bench(args) => bench::run(args),
    }
}

/// Reads a file for a subcommand, turning I/O failures into a located message.
pub(crate) fn read_file(path: &PathBuf) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}
