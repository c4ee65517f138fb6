//! `sqrtc eval`: evaluates CALL.json (one call, or JSON Lines) against a policy (cli.md).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::Value as Json;
use sqrt_compiler::bytecode::MAGIC;
use sqrt_compiler::eval::eval_call_with;
use sqrt_compiler::policy::{Policy, PolicyError, compile_module};
use sqrt_compiler::{lex, render};
use sqrt_std::prelude::Presets;
use sqrt_std::tools::ToolSet;

use super::{Engine, exit};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The policy: SQRT source (`.sqrt`) or compiled bytecode (`.sqrtb`).
    #[arg(long)]
    pub policy: PathBuf,
    /// X-Policy's `presets` object.
    #[arg(long)]
    pub presets: Option<PathBuf>,
    /// The engine that checks calls. A JIT that cannot be built falls back to `interp`, and the
    /// output's `engine` field names the engine that actually ran.
    #[arg(long, value_enum, default_value = "jit")]
    pub engine: Engine,
    /// Add, per fired rule, `conjuncts`: each top-level `and`/`or` operand with its truth value.
    #[arg(long)]
    pub explain: bool,
    /// One call object, or one call per line (JSON Lines).
    pub call: PathBuf,
}

/// A CLI failure: its exit code and message (printed on stderr).
pub(crate) struct Failure(pub u8, pub String);

/// Reads PRESETS.json.
pub(crate) fn read_presets(path: Option<&Path>) -> Result<Presets, Failure> {
    let Some(path) = path else {
        return Ok(Presets::default());
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure(exit::USAGE, format!("{}: {e}", path.display())))?;
    let json: Json = serde_json::from_str(&text)
        .map_err(|e| Failure(exit::USAGE, format!("{}: {e}", path.display())))?;
    Presets::from_json(&json).map_err(|e| Failure(exit::USAGE, format!("{}: {e}", path.display())))
}

/// Reads an OpenAI `tools` array.
pub(crate) fn read_tools(path: Option<&Path>) -> Result<Option<ToolSet>, Failure> {
    let Some(path) = path else { return Ok(None) };
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure(exit::USAGE, format!("{}: {e}", path.display())))?;
    ToolSet::parse(&text)
        .map(Some)
        .map_err(|e| Failure(exit::USAGE, format!("{}: {e}", path.display())))
}

/// Loads a `.sqrt` (compiled now; errors rendered on stderr, exit 1) or a `.sqrtb` (verified;
/// recompiled from its embedded source when the presets differ).
pub(crate) fn load_policy(
    path: &Path,
    presets: &Presets,
    tools: Option<&ToolSet>,
) -> Result<Policy, Failure> {
    let bytes = std::fs::read(path)
        .map_err(|e| Failure(exit::USAGE, format!("{}: {e}", path.display())))?;
    if bytes.starts_with(&MAGIC) {
        let policy = Policy::from_bytes(&bytes)
            .map_err(|e| Failure(exit::INPUT_ERRORS, format!("{}: {e}", path.display())))?;
        return policy
            .with_presets(presets)
            .map_err(|e| Failure(exit::INPUT_ERRORS, format!("{}: {e}", path.display())));
    }
    let file = path.display().to_string();
    let src = lex::decode(&bytes).map_err(|d| {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        Failure(exit::INPUT_ERRORS, render::human(&file, &text, &[d]))
    })?;
    match compile_module(src, presets, tools) {
        Ok((module, warnings)) => {
            if !warnings.is_empty() {
                eprint!("{}", render::human(&file, src, &warnings));
            }
            Policy::from_module(module)
                .map_err(|e| Failure(exit::INPUT_ERRORS, format!("{file}: {e}")))
        }
        Err(PolicyError::Compile(diags)) => Err(Failure(
            exit::INPUT_ERRORS,
            render::human(&file, src, &diags),
        )),
        Err(e) => Err(Failure(exit::INPUT_ERRORS, format!("{file}: {e}"))),
    }
}

/// The calls of CALL.json: one document, else one per non-empty line.
pub(crate) fn read_calls(path: &Path) -> Result<Vec<Json>, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure(exit::USAGE, format!("{}: {e}", path.display())))?;
    if let Ok(one) = serde_json::from_str::<Json>(&text) {
        return Ok(vec![one]);
    }
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l)
                .map_err(|e| Failure(exit::USAGE, format!("{}:{}: {e}", path.display(), i + 1)))
        })
        .collect()
}

/// The library's engine for the CLI's `--engine` value.
pub(crate) fn engine(e: Engine) -> sqrt_compiler::policy::Engine {
    match e {
        Engine::Jit => sqrt_compiler::policy::Engine::Jit,
        Engine::Interp => sqrt_compiler::policy::Engine::Interp,
    }
}

pub fn run(args: Args) -> ExitCode {
    match eval(&args) {
        Ok(()) => ExitCode::from(exit::OK),
        Err(Failure(code, msg)) => {
            eprint!("sqrtc eval: {msg}");
            if !msg.ends_with('\n') {
                eprintln!();
            }
            ExitCode::from(code)
        }
    }
}

fn eval(args: &Args) -> Result<(), Failure> {
    let presets = read_presets(args.presets.as_deref())?;
    let policy = load_policy(&args.policy, &presets, None)?.with_engine(engine(args.engine));
    let calls = read_calls(&args.call)?;
    let mut out = std::io::stdout().lock();
    for (i, call) in calls.iter().enumerate() {
        let result = eval_call_with(&policy, call, args.explain).map_err(|e| {
            Failure(
                exit::USAGE,
                format!("{} call {}: {e}", args.call.display(), i + 1),
            )
        })?;
        writeln!(out, "{result}").map_err(|e| Failure(exit::USAGE, e.to_string()))?;
    }
    Ok(())
}
