//! Differential JIT-vs-interpreter checking, shared by `tests/jit_diff.rs` (proptest) and
//! `fuzz/fuzz_targets/jit_diff.rs` (cargo-fuzz): bytes drive a generator of SQRT policy text
//! (labels, set algebra and comparisons, domains, quantifiers, regexes and wildcards,
//! priorities, update blocks) and of calls with random values and metas, including labels whose
//! ids are ≥ 127 (spilled words). `check` runs every call on both engines and returns the first
//! disagreement.

#![allow(dead_code)]

use serde_json::{Value as Json, json};
use sqrt_compiler::interp::BlockState;
use sqrt_compiler::jit::update::BlockKind;
use sqrt_compiler::policy::{Engine, Policy};
use sqrt_std::meta::Meta;
use sqrt_std::prelude::{PresetLevel, Presets};
use sqrt_std::value::MetaValue;

/// Reads choices from bytes; past the end every choice is 0 (so any input is a valid program).
pub struct Src<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Src<'a> {
    pub fn new(bytes: &'a [u8]) -> Src<'a> {
        Src { bytes, pos: 0 }
    }

    fn byte(&mut self) -> u8 {
        let b = self.bytes.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }

    /// A choice in `0..n`.
    fn pick(&mut self, n: usize) -> usize {
        self.byte() as usize % n.max(1)
    }

    fn one<'s, T: ?Sized>(&mut self, items: &[&'s T]) -> &'s T {
        items[self.pick(items.len())]
    }

    fn chance(&mut self, percent: u8) -> bool {
        self.byte() % 100 < percent
    }
}

/// Labels the policies and calls use: a few low ids, and ids ≥ 127 (the pad rule interns 140
/// labels first when present).
const LABELS: &[&str] = &["a", "b", "c", "__r", "hi1", "hi2", "hi3"];
const ARGS: &[&str] = &["x", "y", "z"];
const TOOLS: &[&str] = &["t", "u", "tu", "v"];

fn label(s: &mut Src) -> String {
    format!("\"{}\"", s.one(LABELS))
}

fn field(s: &mut Src) -> &'static str {
    s.one(&["tags", "producers", "consumers"])
}

fn meta_ref(s: &mut Src) -> String {
    match s.pick(6) {
        0..=2 => format!("{}.{}", s.one(ARGS), field(s)),
        3 => format!("@session.{}", field(s)),
        4 => format!("@args.{}", field(s)),
        _ => format!(
            "{} of {} from args",
            s.one(&["union", "intersect"]),
            field(s)
        ),
    }
}

fn lset(s: &mut Src, depth: u32) -> String {
    let leaf = depth == 0 || s.chance(40);
    if leaf {
        return match s.pick(5) {
            0 => "{}".into(),
            1 => "{\"*\"}".into(),
            2 => meta_ref(s),
            _ => {
                let n = 1 + s.pick(3);
                let items: Vec<String> = (0..n).map(|_| label(s)).collect();
                format!("{{{}}}", items.join(", "))
            }
        };
    }
    match s.pick(6) {
        0 => format!("({} | {})", lset(s, depth - 1), lset(s, depth - 1)),
        1 => format!("({} & {})", lset(s, depth - 1), lset(s, depth - 1)),
        2 => format!("({} - {})", lset(s, depth - 1), lset(s, depth - 1)),
        3 => format!("({} ^ {})", lset(s, depth - 1), lset(s, depth - 1)),
        4 => format!("({} with {})", lset(s, depth - 1), label(s)),
        _ => format!("({} without {})", lset(s, depth - 1), label(s)),
    }
}

fn value_set(s: &mut Src) -> String {
    match s.pick(12) {
        0 => "{str \"s1\", \"s2\"}".into(),
        1 => "{str matching r\".*@corp\\.com\"}".into(),
        2 => "{str like w\"s?\"}".into(),
        3 => "{int 1..5}".into(),
        4 => "{float 0.5..<2}".into(),
        5 => "{\"*\"}".into(),
        6 => "{str length 1..2}".into(),
        7 => "{bool true}".into(),
        8 => "{str \"s1\", 3, 2.5}".into(),
        9 => format!(
            "{} - {{str \"s2\"}}",
            s.one(&["{str like w\"s*\"}", "{\"*\"}"])
        ),
        10 => "{datetime d\"2024-01-01\"..}".into(),
        _ => lset(s, 1),
    }
}

fn value_lit(s: &mut Src) -> String {
    s.one(&[
        "\"s1\"",
        "\"a\"",
        "3",
        "2.5",
        "true",
        "d\"2024-05-01T00:00:00Z\"",
    ])
    .to_owned()
}

fn cond(s: &mut Src, depth: u32) -> String {
    if depth > 0 && s.chance(35) {
        return match s.pick(3) {
            0 => format!("not ({})", cond(s, depth - 1)),
            1 => format!("({} and {})", cond(s, depth - 1), cond(s, depth - 1)),
            _ => format!("({} or {})", cond(s, depth - 1), cond(s, depth - 1)),
        };
    }
    let a = s.one(ARGS);
    match s.pick(11) {
        0 => format!("{} overlaps {}", meta_ref(s), lset(s, 2)),
        1 => format!("{} subset of {}", meta_ref(s), lset(s, 2)),
        2 => format!("{} superset of {}", meta_ref(s), lset(s, 2)),
        3 => format!("{} == {}", meta_ref(s), lset(s, 2)),
        4 => format!("{} is {}", meta_ref(s), s.one(&["empty", "universal"])),
        5 => format!("{} in {}", label(s), lset(s, 1)),
        6 | 7 => {
            let q = s.one(&["", "any ", "all "]);
            format!("{q}{a}.value in {}", value_set(s))
        }
        8 => format!("{a}.value == {}", value_lit(s)),
        9 => format!("{a}.value == {}.value", s.one(ARGS)),
        _ => format!("{} == {a}.value", value_lit(s)),
    }
}

fn update(s: &mut Src, result: bool) -> String {
    let target = if result && s.chance(50) {
        "@".to_owned()
    } else {
        "@session.".to_owned()
    };
    let op = s.one(&["=", "|=", "&=", "-=", "^="]);
    format!("{target}{} {op} {};", field(s), lset(s, 1))
}

fn block(s: &mut Src, result: bool) -> String {
    let mut out = String::new();
    for _ in 0..1 + s.pick(2) {
        if s.chance(40) {
            out.push_str(&format!("when {} {{ {} }} ", cond(s, 1), update(s, result)));
        } else {
            out.push_str(&update(s, result));
            out.push(' ');
        }
    }
    out
}

/// A policy source.
pub fn policy(s: &mut Src) -> String {
    let mut out = String::new();
    if s.chance(60) {
        // 140 labels interned first, so the generator's labels get ids ≥ 127.
        let pad: Vec<String> = (0..140).map(|i| format!("\"p{i}\"")).collect();
        out.push_str(&format!(
            "tool \"pad\" {{ soft allow when x.tags overlaps {{{}}}; }}\n",
            pad.join(", ")
        ));
    }
    for _ in 0..1 + s.pick(3) {
        let tool = match s.pick(6) {
            0 => "r\"t.*\"".to_owned(),
            1 => "r\".*u\"".to_owned(),
            _ => format!("\"{}\"", s.one(TOOLS)),
        };
        out.push_str(&format!("tool {tool} {{\n"));
        if s.chance(30) {
            out.push_str(&format!("  priority {};\n", s.pick(3) as i64 - 1));
        }
        if s.chance(20) {
            out.push_str(&format!("  session before {{ {} }}\n", block(s, false)));
        }
        for _ in 0..1 + s.pick(3) {
            let level = s.one(&["hard", "soft"]);
            let effect = s.one(&["allow", "deny"]);
            if s.chance(15) {
                out.push_str(&format!("  {level} {effect} always;\n"));
            } else {
                out.push_str(&format!("  {level} {effect} when {};\n", cond(s, 2)));
            }
        }
        if s.chance(20) {
            out.push_str(&format!("  result {{ {} }}\n", block(s, true)));
        }
        if s.chance(15) {
            out.push_str(&format!("  session after {{ {} }}\n", block(s, true)));
        }
        out.push_str("}\n");
    }
    out
}

fn json_labels(s: &mut Src) -> Json {
    let mut items: Vec<Json> = Vec::new();
    if s.chance(15) {
        items.push(json!("*"));
        if s.chance(50) {
            items.push(json!(format!("!{}", s.one(LABELS))));
        }
        return Json::Array(items);
    }
    let extra = ["hi9", "new1", "p3"];
    for _ in 0..s.pick(4) {
        let l = if s.chance(80) {
            s.one(LABELS)
        } else {
            s.one(&extra)
        };
        items.push(json!(l));
    }
    Json::Array(items)
}

fn meta(s: &mut Src) -> Json {
    json!({"tags": json_labels(s), "producers": json_labels(s), "consumers": json_labels(s)})
}

fn value(s: &mut Src) -> Json {
    match s.pick(14) {
        12 => json!("a\nb@corp.com"),
        13 => json!("s\n"),
        0 => json!("s1"),
        1 => json!("s2"),
        2 => json!("bob@corp.com"),
        3 => json!("a"),
        4 => json!(3),
        5 => json!(2.5),
        6 => json!(true),
        7 => json!(null),
        8 => json!(["s1", "s3"]),
        9 => json!("2024-05-01T00:00:00Z"),
        10 => json!({"k": 1}),
        _ => json!(""),
    }
}

/// A call object (cli.md CALL.json).
pub fn call(s: &mut Src) -> Json {
    let mut args = serde_json::Map::new();
    for a in ARGS {
        if s.chance(75) {
            let v = value(s);
            let v = if s.chance(60) {
                json!({"value": v, "meta": meta(s)})
            } else {
                v
            };
            args.insert((*a).to_owned(), v);
        }
    }
    let tool = s.one(&["t", "u", "tu", "v", "pad", "w"]);
    let mut c = json!({"tool": tool, "args": args});
    if s.chance(50) {
        c["session"] = meta(s);
    }
    if s.chance(50) {
        c["result"] = value(s);
    }
    c
}

/// Presets varying the default and the prelude.
pub fn presets(s: &mut Src) -> Presets {
    let default_allow = s.chance(70);
    let default_allow_enforcement_level = if s.chance(30) {
        PresetLevel::Hard
    } else {
        PresetLevel::Soft
    };
    Presets {
        default_allow,
        default_allow_enforcement_level,
        enable_non_executable_memory: s.chance(70),
        ..Presets::default()
    }
}

/// What one generated case covered.
#[derive(Debug, Default)]
pub struct Stats {
    pub policies: usize,
    pub calls: usize,
    pub rejected: usize,
    /// Update blocks the JIT compiled, and native block runs compared with the interpreter.
    pub native_blocks: usize,
    pub native_runs: usize,
}

/// Generates a policy and calls from `bytes` and checks both engines agree on every call
/// (verdict report, `decide`, session and result metas), with `fail_fast` on and off.
pub fn check(bytes: &[u8], stats: &mut Stats) -> Result<(), String> {
    let mut s = Src::new(bytes);
    let presets = presets(&mut s);
    let text = policy(&mut s);
    let Ok(interp) = Policy::compile(&text, &presets) else {
        stats.rejected += 1;
        return Ok(());
    };
    let mut interp = interp;
    let mut jit = Policy::compile(&text, &presets)
        .map_err(|e| format!("second compile: {e}"))?
        .with_engine(Engine::Jit);
    if jit.engine() != Engine::Jit {
        return Err(format!("the JIT fell back: {:?}", jit.fallback()));
    }
    stats.policies += 1;
    stats.native_blocks += jit.native_blocks();
    for _ in 0..1 + s.pick(6) {
        let c = call(&mut s);
        let fail_fast = s.chance(80);
        interp.fail_fast = fail_fast;
        jit.fail_fast = fail_fast;
        stats.calls += 1;
        compare(&interp, &jit, &c)
            .and_then(|()| compare_blocks(&jit, &c, stats))
            .map_err(|e| {
                format!(
                    "{e}\npresets: {presets:?}\nfail_fast: {fail_fast}\npolicy:\n{text}\ncall: {c}"
                )
            })?;
    }
    Ok(())
}

fn compare(interp: &Policy, jit: &Policy, call: &Json) -> Result<(), String> {
    let tool = call["tool"].as_str().unwrap_or_default();
    let mut sessions = [interp.new_session(), jit.new_session()];
    let mut outs = Vec::new();
    for (p, session) in [interp, jit].into_iter().zip(&mut sessions) {
        if let Some(m) = call.get("session") {
            session
                .set_meta_json(m)
                .map_err(|e| format!("session: {e}"))?;
        }
        let args = session.args_from_json(&call["args"])?;
        let mut s2 = session.clone();
        let level = p.decide(tool, &args, &mut s2);
        let verdict = p.check(tool, &args, session);
        if level != verdict.final_verdict {
            return Err(format!(
                "{}: decide {level:?} but check {:?}",
                p.engine().as_str(),
                verdict.final_verdict
            ));
        }
        if s2 != *session {
            return Err(format!(
                "{}: decide and check left different sessions",
                p.engine().as_str()
            ));
        }
        let mut result = None;
        if verdict.is_allowed()
            && let Some(r) = call.get("result")
        {
            let out = sqrt_std::value::Value::from_json(r);
            result = Some(p.apply_result(tool, &args, &out, session).map(|r| r.meta));
        }
        outs.push((
            verdict.to_json(),
            result,
            session.meta.clone(),
            session.labels.len(),
        ));
    }
    if outs[0] != outs[1] {
        return Err(format!(
            "engines disagree:\ninterp: {:?}\njit:    {:?}",
            outs[0], outs[1]
        ));
    }
    Ok(())
}

/// Block level: every update block the JIT compiled, run natively and by the interpreter from
/// the same session and result metas, leaves the same metas (or declines and changes nothing).
pub fn compare_blocks(jit: &Policy, call: &Json, stats: &mut Stats) -> Result<(), String> {
    let (interp, Some(native)) = jit.engines() else {
        return Err("no JIT".into());
    };
    let mut session = jit.new_session();
    if let Some(m) = call.get("session") {
        session
            .set_meta_json(m)
            .map_err(|e| format!("session: {e}"))?;
    }
    let args = session.args_from_json(&call["args"])?;
    let output = call.get("result").map(sqrt_std::value::Value::from_json);
    let result = output.map(|v| {
        let meta = args
            .iter()
            .fold(Meta::BOTTOM, |acc, (_, mv)| acc.join(&mv.meta));
        MetaValue::new(v, meta)
    });
    for (pi, p) in interp.module.policies.iter().enumerate() {
        for kind in BlockKind::ALL {
            let (mut s1, mut s2) = (session.meta.clone(), session.meta.clone());
            let keep = kind.has_result().then(|| result.clone()).flatten();
            let (mut r1, mut r2) = (keep.clone(), keep);
            let mut state = BlockState {
                session: &mut s1,
                result: r1.as_mut(),
            };
            let ran = native.run_block(interp, pi, kind, &args, &session.labels, &mut state);
            if !ran {
                if (s1.clone(), r1.clone()) != (s2.clone(), r2.clone()) {
                    return Err(format!(
                        "policy {pi} {kind:?}: declined but changed the metas"
                    ));
                }
                continue;
            }
            stats.native_runs += 1;
            let mut state = BlockState {
                session: &mut s2,
                result: r2.as_mut(),
            };
            let user = p.preset.is_none();
            interp.run_block(kind.stmts(p), &args, &session.labels, &mut state, user);
            if (&s1, &r1) != (&s2, &r2) {
                return Err(format!(
                    "policy {pi} {kind:?}: native {s1:?} {r1:?} but interpreter {s2:?} {r2:?}"
                ));
            }
        }
    }
    Ok(())
}
