//! `sqrtc run`: a planner program in the VM, the policy checked at every tool call, tools and
//! `parse_with_ai` answered by a scripted world (cli.md).

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::ValueEnum;
use ruff_python_ast::visitor::{Visitor, walk_expr};
use ruff_python_ast::{self as ast, Expr};
use serde_json::{Value as Json, json};
use sqrt_vm::{ErrorCode, Mode, Status, ToolStub};

use super::eval::{Failure, load_policy, read_presets, read_tools};
use super::exit;
use crate::engine::{Engine, EngineConfig, branching_of};
use crate::host::{Answer, HostRun, World, run_program};

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum RunMode {
    Standard,
    Strict,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The planner program (Python subset, planner.md).
    pub program: PathBuf,
    /// The policy (`.sqrt` source or `.sqrtb` bytecode).
    #[arg(long)]
    pub policy: PathBuf,
    /// An OpenAI `tools` array; without it, the tools are the names the world answers for.
    #[arg(long)]
    pub tools: Option<PathBuf>,
    /// The scripted world: `{"tools": {name: {"returns"} | {"sequence"}}, "parse_with_ai": [...]}`.
    #[arg(long)]
    pub world: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "standard")]
    pub mode: RunMode,
    /// X-Policy's `presets` object.
    #[arg(long)]
    pub presets: Option<PathBuf>,
}

pub fn run(args: Args) -> ExitCode {
    match run_cli(&args) {
        Ok(code) => ExitCode::from(code),
        Err(Failure(code, msg)) => {
            eprint!("sqrtc run: {msg}");
            if !msg.ends_with('\n') {
                eprintln!();
            }
            ExitCode::from(code)
        }
    }
}

fn run_cli(args: &Args) -> Result<u8, Failure> {
    let io =
        |p: &Path, e: &dyn std::fmt::Display| Failure(exit::USAGE, format!("{}: {e}", p.display()));
    let source = std::fs::read_to_string(&args.program).map_err(|e| io(&args.program, &e))?;
    let presets = read_presets(args.presets.as_deref())?;
    let tool_set = read_tools(args.tools.as_deref())?;
    let mut world = match &args.world {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| io(p, &e))?;
            let json: Json = serde_json::from_str(&text).map_err(|e| io(p, &e))?;
            ScriptedWorld::from_json(&json).map_err(|e| io(p, &e))?
        }
        None => ScriptedWorld::default(),
    };
    let policy = load_policy(&args.policy, &presets, tool_set.as_ref())?;
    let tools = match &tool_set {
        Some(set) => ToolStub::from_tool_set(set),
        None => open_stubs(&source, &world.tool_names()),
    };
    let config = EngineConfig {
        mode: match args.mode {
            RunMode::Standard => Mode::Normal,
            RunMode::Strict => Mode::Strict,
        },
        branching: branching_of(&presets),
        tools,
        parse_with_ai: true,
        clock_micros: now_micros(),
        ..EngineConfig::default()
    };
    let engine = Engine::new(std::sync::Arc::new(policy), config);
    let run = run_program(&engine, &source, &mut world);
    if let Some(e) = &run.outcome.error
        && e.code == ErrorCode::InvalidProgram
    {
        eprintln!("{}", e.rendered);
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", report(&run)).map_err(|e| Failure(exit::USAGE, e.to_string()))?;
    Ok(exit_code(&run))
}

fn now_micros() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64)
}

fn exit_code(run: &HostRun) -> u8 {
    match &run.outcome.error {
        None => exit::OK,
        Some(e) => match e.code {
            ErrorCode::InvalidProgram => exit::INPUT_ERRORS,
            ErrorCode::PolicyDenied | ErrorCode::ControlFlowViolation => exit::DENIED,
            ErrorCode::ProgramError | ErrorCode::LimitExceeded => exit::PROGRAM_ERROR,
        },
    }
}

/// The stdout document of cli.md.
fn report(run: &HostRun) -> Json {
    let o = &run.outcome;
    let mut doc = serde_json::Map::new();
    let status = match o.status {
        Status::Success => "success",
        Status::Failure => "failure",
    };
    doc.insert("status".into(), json!(status));
    doc.insert(
        "final_return_value".into(),
        run.value_json(o.final_return_value.clone(), &o.final_meta),
    );
    if let Some(e) = &o.error {
        doc.insert(
            "error".into(),
            json!({"code": e.code.as_str(), "message": e.message}),
        );
    }
    let calls: Vec<Json> = run
        .calls
        .iter()
        .map(|c| {
            let args: serde_json::Map<String, Json> = c
                .args
                .iter()
                .map(|(n, mv)| (n.clone(), mv.to_json(&run.labels)))
                .collect();
            let mut entry = serde_json::Map::new();
            entry.insert("id".into(), json!(c.id));
            entry.insert("tool".into(), json!(c.tool));
            entry.insert("args".into(), Json::Object(args));
            entry.insert("verdict".into(), c.verdict.clone());
            if let Some(r) = &c.result {
                entry.insert("result".into(), r.to_json(&run.labels));
            }
            if let Some(e) = &c.error {
                entry.insert("error".into(), json!(e));
            }
            Json::Object(entry)
        })
        .collect();
    doc.insert("tool_calls".into(), Json::Array(calls));
    doc.insert("printed".into(), json!(o.printed));
    doc.insert("printed_meta".into(), o.printed_meta.to_json(&run.labels));
    Json::Object(doc)
}

/// A tool's script in the world file.
#[derive(Debug)]
enum Script {
    Returns(Json),
    Sequence(Vec<Json>, usize),
}

/// The world file: answers per tool, and `parse_with_ai` outputs consumed in order.
#[derive(Debug, Default)]
pub struct ScriptedWorld {
    tools: Vec<(String, Script)>,
    parses: Vec<Json>,
    next_parse: usize,
}

impl ScriptedWorld {
    pub fn from_json(json: &Json) -> Result<ScriptedWorld, String> {
        let Json::Object(obj) = json else {
            return Err("the world must be a JSON object".into());
        };
        let mut world = ScriptedWorld::default();
        for (key, value) in obj {
            match (key.as_str(), value) {
                ("tools", Json::Object(tools)) => {
                    for (name, script) in tools {
                        world.tools.push((name.clone(), script_of(name, script)?));
                    }
                }
                ("parse_with_ai", Json::Array(answers)) => world.parses = answers.clone(),
                ("tools", _) => return Err("`tools` must be an object".into()),
                ("parse_with_ai", _) => return Err("`parse_with_ai` must be an array".into()),
                (other, _) => return Err(format!("unknown world field `{other}`")),
            }
        }
        Ok(world)
    }

    fn tool_names(&self) -> Vec<String> {
        self.tools.iter().map(|(n, _)| n.clone()).collect()
    }
}

fn script_of(name: &str, script: &Json) -> Result<Script, String> {
    let fields: Vec<(&String, &Json)> = script.as_object().into_iter().flatten().collect();
    match fields.as_slice() {
        [(k, v)] if k.as_str() == "returns" => Ok(Script::Returns((*v).clone())),
        [(k, Json::Array(items))] if k.as_str() == "sequence" => {
            Ok(Script::Sequence(items.clone(), 0))
        }
        _ => Err(format!(
            "tool `{name}`: expected {{\"returns\": answer}} or {{\"sequence\": [answers]}}"
        )),
    }
}

/// `{"error": "message"}` is a tool error; anything else is the output.
fn answer_of(json: Json) -> Answer {
    if let Json::Object(obj) = &json
        && obj.len() == 1
        && let Some(Json::String(message)) = obj.get("error")
    {
        return Answer::Error(message.clone());
    }
    Answer::Output(json)
}

impl World for ScriptedWorld {
    fn answer(&mut self, tool: &str, _args: &[(String, Json)]) -> Answer {
        let missing = || Answer::Missing(format!("no scripted answer for {tool}"));
        if tool == "parse_with_ai" && !self.tools.iter().any(|(n, _)| n == tool) {
            let Some(a) = self.parses.get(self.next_parse) else {
                return missing();
            };
            self.next_parse += 1;
            return answer_of(a.clone());
        }
        match self.tools.iter_mut().find(|(n, _)| n == tool) {
            Some((_, Script::Returns(a))) => answer_of(a.clone()),
            Some((_, Script::Sequence(items, next))) => match items.get(*next) {
                Some(a) => {
                    *next += 1;
                    answer_of(a.clone())
                }
                None => missing(),
            },
            None => missing(),
        }
    }
}

/// Without `--tools`: one stub per world tool, its parameters the keyword names the program
/// passes to it (all optional, schema `{}`), so calls take keyword arguments only and no
/// schema checks. A program that does not parse gets stubs without parameters; the VM then
/// reports its syntax error.
fn open_stubs(source: &str, names: &[String]) -> Vec<ToolStub> {
    let mut keywords: HashMap<&str, Vec<String>> = names
        .iter()
        .filter(|n| *n != "parse_with_ai")
        .map(|n| (n.as_str(), Vec::new()))
        .collect();
    if source.len() <= sqrt_vm::VmLimits::default().source_bytes
        && let Ok(parsed) = ruff_python_parser::parse_module(source)
    {
        let mut v = KeywordScan(&mut keywords);
        v.visit_body(&parsed.syntax().body);
    }
    names
        .iter()
        .filter_map(|n| keywords.get(n.as_str()).map(|k| (n, k)))
        .map(|(n, kws)| {
            let params: Vec<(&str, bool, Json)> =
                kws.iter().map(|k| (k.as_str(), false, json!({}))).collect();
            ToolStub::new(n, &params)
        })
        .collect()
}

struct KeywordScan<'m, 'n>(&'m mut HashMap<&'n str, Vec<String>>);

impl<'a> Visitor<'a> for KeywordScan<'_, '_> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Call(ast::ExprCall {
            func, arguments, ..
        }) = expr
            && let Expr::Name(name) = &**func
            && let Some(kws) = self.0.get_mut(name.id.as_str())
        {
            for k in arguments.keywords.iter().filter_map(|k| k.arg.as_ref()) {
                if !kws.iter().any(|x| x == k.as_str()) {
                    kws.push(k.to_string());
                }
            }
        }
        walk_expr(self, expr);
    }
}
