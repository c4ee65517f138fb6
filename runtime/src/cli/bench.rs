//! `sqrtc bench`: checks the calls of CALLS.jsonl in a loop and reports, per engine, the median
//! cost of one policy check and the checks per second (cli.md). The criterion benches in
//! `benches/` are the reference measurements; this is the quick one for policy authors.
//!
//! What one "check" is: `Policy::check` on prebuilt arguments (the JSON decoding happens once,
//! before timing), the call's `session` meta restored first when the policy has `session before`
//! blocks (so every iteration sees the call as written). The result lifecycle is not timed.

use std::hint::black_box;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::ValueEnum;
use serde_json::{Value as Json, json};
use sqrt_compiler::eval::eval_call;
use sqrt_compiler::policy::{Engine, Policy, Session};
use sqrt_std::meta::Meta;
use sqrt_std::value::MetaValue;

use super::eval::{Failure, load_policy, read_calls, read_presets};
use super::{Format, exit};

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum BenchEngine {
    Jit,
    Interp,
    Both,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The policy: SQRT source (`.sqrt`) or compiled bytecode (`.sqrtb`).
    pub policy: PathBuf,
    /// The calls, in `sqrtc eval`'s call format: one per line (JSON Lines), or one object.
    pub calls: PathBuf,
    /// X-Policy's `presets` object.
    #[arg(long)]
    pub presets: Option<PathBuf>,
    /// The engine(s) to measure. A JIT that cannot be built falls back to the interpreter, and
    /// the report names the engine that actually ran.
    #[arg(long, value_enum, default_value = "jit")]
    pub engine: BenchEngine,
    /// Measuring time per engine, in seconds (after a short warm-up).
    #[arg(long, default_value = "1", value_parser = parse_seconds)]
    pub seconds: f64,
    /// `human`: one line per engine on stdout; `json`: one JSON document on stdout.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
}

fn parse_seconds(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|e| format!("{e}"))?;
    if v.is_finite() && v > 0.0 && v <= 3600.0 {
        Ok(v)
    } else {
        Err("expected a number of seconds in (0, 3600]".into())
    }
}

/// One call, decoded once against the session table of the policy that will check it.
struct Prepared {
    tool: String,
    args: Vec<(String, MetaValue)>,
    initial: Meta,
    session: Session,
}

/// One engine's measurement.
struct Report {
    requested: Engine,
    ran: Engine,
    fallback: Option<String>,
    median_ns: f64,
    samples: usize,
    checks: u64,
    allowed: usize,
}

impl Report {
    fn checks_per_s(&self) -> f64 {
        if self.median_ns > 0.0 {
            1e9 / self.median_ns
        } else {
            0.0
        }
    }

    fn to_json(&self, calls: usize) -> Json {
        json!({
            "engine": self.ran.as_str(),
            "median_ns": round2(self.median_ns),
            "checks_per_s": self.checks_per_s().round() as u64,
            "requested": self.requested.as_str(),
            "fallback": self.fallback,
            "calls": calls,
            "allowed": self.allowed,
            "samples": self.samples,
            "checks": self.checks,
        })
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

pub fn run(args: Args) -> ExitCode {
    match bench(&args) {
        Ok(()) => ExitCode::from(exit::OK),
        Err(Failure(code, msg)) => {
            eprint!("sqrtc bench: {msg}");
            if !msg.ends_with('\n') {
                eprintln!();
            }
            ExitCode::from(code)
        }
    }
}

fn bench(args: &Args) -> Result<(), Failure> {
    let presets = read_presets(args.presets.as_deref())?;
    let policy = load_policy(&args.policy, &presets, None)?;
    let calls = read_calls(&args.calls)?;
    if calls.is_empty() {
        return Err(Failure(
            exit::USAGE,
            format!("{}: no calls to measure", args.calls.display()),
        ));
    }
    // Invalid calls are reported exactly as `sqrtc eval` reports them, before any timing.
    for (i, call) in calls.iter().enumerate() {
        eval_call(&policy, call).map_err(|e| {
            Failure(
                exit::USAGE,
                format!("{} call {}: {e}", args.calls.display(), i + 1),
            )
        })?;
    }
    let engines: &[Engine] = match args.engine {
        BenchEngine::Jit => &[Engine::Jit],
        BenchEngine::Interp => &[Engine::Interp],
        BenchEngine::Both => &[Engine::Jit, Engine::Interp],
    };
    let budget = Duration::from_secs_f64(args.seconds);
    let mut reports = Vec::new();
    for &engine in engines {
        // Each engine gets its own load of the same verified module.
        let p = Policy::from_module(policy.module().clone())
            .map_err(|e| Failure(exit::INPUT_ERRORS, e.to_string()))?
            .with_engine(engine);
        if let Some(why) = p.fallback() {
            eprintln!(
                "sqrtc bench: {} requested, {} runs: {why}",
                engine.as_str(),
                p.engine().as_str()
            );
        }
        let prepared = prepare(&p, &calls).map_err(|e| Failure(exit::USAGE, e))?;
        reports.push(measure(engine, &p, prepared, budget));
    }
    let mut out = std::io::stdout().lock();
    let written = match args.format {
        Format::Json => {
            let engines: Vec<Json> = reports.iter().map(|r| r.to_json(calls.len())).collect();
            writeln!(out, "{}", json!({ "engines": engines }))
        }
        Format::Human => reports.iter().try_for_each(|r| {
            let requested = if r.requested == r.ran {
                String::new()
            } else {
                format!(" (requested {}, fell back)", r.requested.as_str())
            };
            writeln!(
                out,
                "{:<6} {:>10.1} ns/check  {:>14.0} checks/s  {} calls ({} allowed), {} samples{}",
                r.ran.as_str(),
                r.median_ns,
                r.checks_per_s(),
                calls.len(),
                r.allowed,
                r.samples,
                requested
            )
        }),
    };
    written.map_err(|e| Failure(exit::USAGE, e.to_string()))
}

/// Decodes every call (the same way `eval_call` does) against `policy`'s session table.
fn prepare(policy: &Policy, calls: &[Json]) -> Result<Vec<Prepared>, String> {
    calls
        .iter()
        .map(|call| {
            let tool = call
                .get("tool")
                .and_then(Json::as_str)
                .ok_or("a call needs a string `tool`")?
                .to_owned();
            let mut session = policy.new_session();
            if let Some(s) = call.get("session") {
                session.set_meta_json(s)?;
            }
            let args = match call.get("args") {
                Some(a) => session.args_from_json(a)?,
                None => Vec::new(),
            };
            let initial = session.meta.clone();
            Ok(Prepared {
                tool,
                args,
                initial,
                session,
            })
        })
        .collect()
}

/// One pass over every call; returns how many were allowed.
fn pass(policy: &Policy, calls: &mut [Prepared], reset: bool) -> usize {
    let mut allowed = 0;
    for c in calls.iter_mut() {
        if reset {
            c.session.meta.clone_from(&c.initial);
        }
        let v = policy.check(black_box(&c.tool), black_box(&c.args), &mut c.session);
        allowed += usize::from(black_box(v.is_allowed()));
    }
    allowed
}

/// Warms up, sizes a sample to about 1 ms (at least one pass), then takes samples until the
/// budget is spent. A sample's value is its time divided by the checks it made.
fn measure(
    requested: Engine,
    policy: &Policy,
    mut calls: Vec<Prepared>,
    budget: Duration,
) -> Report {
    let reset = policy
        .module()
        .policies
        .iter()
        .any(|p| !p.session_before.is_empty());
    let n = calls.len() as u64;
    let allowed = pass(policy, &mut calls, reset);
    let warm_up = (budget / 10).min(Duration::from_millis(200));
    let start = Instant::now();
    let mut passes = 0u64;
    while start.elapsed() < warm_up || passes == 0 {
        pass(policy, &mut calls, reset);
        passes += 1;
    }
    let per_pass = start.elapsed().as_secs_f64() / passes as f64;
    let passes_per_sample = ((1e-3 / per_pass.max(1e-12)) as u64).clamp(1, 1_000_000);
    let mut samples = Vec::new();
    let start = Instant::now();
    while start.elapsed() < budget || samples.is_empty() {
        let t = Instant::now();
        for _ in 0..passes_per_sample {
            pass(policy, &mut calls, reset);
        }
        let ns = t.elapsed().as_nanos() as f64;
        samples.push(ns / (passes_per_sample * n) as f64);
    }
    samples.sort_by(f64::total_cmp);
    let median_ns = median(&samples);
    Report {
        requested,
        ran: policy.engine(),
        fallback: policy.fallback().map(str::to_owned),
        median_ns,
        samples: samples.len(),
        checks: samples.len() as u64 * passes_per_sample * n,
        allowed,
    }
}

/// The median of sorted, non-empty samples.
fn median(sorted: &[f64]) -> f64 {
    let m = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[m]
    } else {
        (sorted[m - 1] + sorted[m]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[1.0, 2.0, 9.0]), 2.0);
        assert_eq!(median(&[1.0, 2.0, 4.0, 9.0]), 3.0);
        assert_eq!(median(&[5.0]), 5.0);
    }

    #[test]
    fn seconds_must_be_positive_and_finite() {
        assert_eq!(parse_seconds("0.5"), Ok(0.5));
        for bad in ["0", "-1", "nan", "inf", "x", "7200"] {
            assert!(parse_seconds(bad).is_err(), "{bad}");
        }
    }
}
