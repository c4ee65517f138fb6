//! `CALL.json` evaluation and `*.sqrt-test.json` suites (cli.md `eval` and `test`), as library
//! functions so the CLI, the relay and the tests share them.

use std::path::Path;

use serde_json::{Value as Json, json};
use sqrt_std::meta::Meta;
use sqrt_std::prelude::Presets;
use sqrt_std::value::MetaValue;

use crate::policy::{Engine, Policy, Session};

/// Evaluates one call object and returns cli.md's `eval` output. Errors are invalid input.
pub fn eval_call(policy: &Policy, call: &Json) -> Result<Json, String> {
    eval_call_with(policy, call, false)
}

/// `eval_call`, with `explain` adding each fired rule's `conjuncts`.
pub fn eval_call_with(policy: &Policy, call: &Json, explain: bool) -> Result<Json, String> {
    let Json::Object(obj) = call else {
        return Err("a call must be a JSON object".into());
    };
    for key in obj.keys() {
        if !matches!(key.as_str(), "tool" | "args" | "session" | "result") {
            return Err(format!(
                "unknown call field `{key}` (expected tool, args, session, result)"
            ));
        }
    }
    let tool = obj
        .get("tool")
        .and_then(Json::as_str)
        .ok_or("a call needs a string `tool`")?;
    let mut session = policy.new_session();
    if let Some(s) = obj.get("session") {
        session
            .set_meta_json(s)
            .map_err(|e| format!("session: {e}"))?;
    }
    let args = match obj.get("args") {
        Some(a) => session.args_from_json(a)?,
        None => Vec::new(),
    };
    let verdict = policy.check_with(tool, &args, &mut session, explain);
    let mut result_meta = Json::Null;
    if verdict.is_allowed()
        && let Some(r) = obj.get("result")
    {
        // CALL.json's `result.meta` is ignored: tools attach meta only through wrappers.
        let output = MetaValue::from_json(r, &mut session.labels)
            .map_err(|e| format!("result: {e}"))?
            .value;
        let result = policy.apply_result(tool, &args, &output, &mut session)?;
        result_meta = session.meta_json(&result.meta);
    }
    let mut out = verdict.to_json();
    out["session"] = session.meta_json(&session.meta);
    out["result_meta"] = result_meta;
    out["engine"] = json!(policy.engine().as_str());
    Ok(out)
}

/// One case's outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseOutcome {
    pub name: String,
    /// `None` when the case passed, else why it failed.
    pub failure: Option<String>,
}

/// Runs a `*.sqrt-test.json` file on both engines, the JIT's output checked against the
/// expectations (see [`run_suite_with`]). The policy path is relative to the file. An error means
/// the suite itself could not run (bad JSON, missing or broken policy).
pub fn run_suite_file(path: &Path) -> Result<Vec<CaseOutcome>, String> {
    run_suite_file_with(path, Engine::Jit).map(|(o, _)| o)
}

/// `run_suite_file` with `primary` the engine whose output meets the expectations; also returns
/// why the JIT fell back to the interpreter, if it did.
pub fn run_suite_file_with(
    path: &Path,
    primary: Engine,
) -> Result<(Vec<CaseOutcome>, Option<String>), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let suite: Json =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let dir = path.parent().unwrap_or(Path::new("."));
    run_suite_with(&suite, primary, |rel| {
        let p = dir.join(rel);
        std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))
    })
}

/// Runs a parsed suite; `read_policy` loads the policy text named by its `policy` field.
pub fn run_suite(
    suite: &Json,
    read_policy: impl Fn(&str) -> Result<String, String>,
) -> Result<Vec<CaseOutcome>, String> {
    run_suite_with(suite, Engine::Jit, read_policy).map(|(o, _)| o)
}

/// Runs a parsed suite on both engines: each case's output from `primary` is checked against
/// the expectations, and the other engine's output must be identical (the `engine` field
/// aside), else the case fails with "engines disagree". Also returns why the JIT fell back, if
/// it did (the comparison is then interpreter against interpreter).
pub fn run_suite_with(
    suite: &Json,
    primary: Engine,
    read_policy: impl Fn(&str) -> Result<String, String>,
) -> Result<(Vec<CaseOutcome>, Option<String>), String> {
    let Json::Object(obj) = suite else {
        return Err("a test file must be a JSON object".into());
    };
    for key in obj.keys() {
        if !matches!(key.as_str(), "policy" | "presets" | "cases" | "description") {
            return Err(format!("unknown test file field `{key}`"));
        }
    }
    let rel = obj
        .get("policy")
        .and_then(Json::as_str)
        .ok_or("a test file needs a string `policy`")?;
    let presets = match obj.get("presets") {
        Some(p) => Presets::from_json(p)?,
        None => Presets::default(),
    };
    let source = read_policy(rel)?;
    let compile = |engine| {
        Policy::compile(&source, &presets)
            .map(|p| p.with_engine(engine))
            .map_err(|e| format!("{rel}: {e}"))
    };
    let other = match primary {
        Engine::Jit => Engine::Interp,
        Engine::Interp => Engine::Jit,
    };
    let policies = [compile(primary)?, compile(other)?];
    let fallback = policies
        .iter()
        .find_map(|p| p.fallback().map(str::to_owned));
    let cases = obj
        .get("cases")
        .and_then(Json::as_array)
        .ok_or("a test file needs a `cases` list")?;
    let outcomes = cases
        .iter()
        .enumerate()
        .map(|(i, c)| run_case(&policies, i, c))
        .collect();
    Ok((outcomes, fallback))
}

fn run_case(policies: &[Policy; 2], index: usize, case: &Json) -> CaseOutcome {
    let name = case
        .get("name")
        .and_then(Json::as_str)
        .map_or_else(|| format!("case {}", index + 1), str::to_owned);
    let failure = check_case(policies, case).err();
    CaseOutcome { name, failure }
}

fn check_case(policies: &[Policy; 2], case: &Json) -> Result<(), String> {
    let call = case.get("call").ok_or("the case has no `call`")?;
    let mut out = eval_call(&policies[0], call)?;
    let mut cross = eval_call(&policies[1], call)?;
    for o in [&mut out, &mut cross] {
        if let Some(o) = o.as_object_mut() {
            o.remove("engine");
        }
    }
    if out != cross {
        return Err(format!(
            "engines disagree: {} gave {out}, {} gave {cross}",
            policies[0].engine().as_str(),
            policies[1].engine().as_str()
        ));
    }
    let Some(expect) = case.get("expect") else {
        return Ok(());
    };
    let Json::Object(expect) = expect else {
        return Err("`expect` must be an object".into());
    };
    let mut problems = Vec::new();
    for (key, want) in expect {
        let got = match key.as_str() {
            "verdict" | "final_verdict" => out[key.as_str()].clone(),
            "fired" => Json::Array(
                out["fired"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|f| f["rule"].clone())
                    .collect(),
            ),
            "session" | "result_meta" => {
                let canonical = canonical_meta(want)?;
                if canonical != out[key.as_str()] {
                    problems.push(format!(
                        "{key}: expected {canonical}, got {}",
                        out[key.as_str()]
                    ));
                }
                continue;
            }
            other => return Err(format!("unknown expect field `{other}`")),
        };
        if &got != want {
            problems.push(format!("{key}: expected {want}, got {got}"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

/// A meta expectation in output form (all fields, sorted), or null.
fn canonical_meta(want: &Json) -> Result<Json, String> {
    if want.is_null() {
        return Ok(Json::Null);
    }
    let mut session = Session {
        labels: Default::default(),
        meta: Meta::BOTTOM,
    };
    let meta =
        Meta::from_json(want, &mut session.labels).map_err(|e| format!("expected meta: {e}"))?;
    Ok(session.meta_json(&meta))
}
