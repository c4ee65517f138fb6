//! Planner VM: parse + validate + compile + run of the seed programs (driving their two tool
//! calls as a host would), and a 1,000-iteration loop; the same programs under `monty`
//! (pydantic's Python interpreter for LLM code, no labels) in the same run, for comparison.
//! Both sides start from source text each iteration and answer the tool calls with the same
//! string; the SQRT side also interns and propagates the result's labels. Before anything is
//! timed, both sides must make the same tool calls with the same arguments and end with the
//! same `final_return_value`. The monty side is built only with `--features monty`:
//! `cargo bench -p sqrt-benches --bench vm --features monty`.
//!
//! With `SQRT_BENCH_CPU_TIME=1` criterion measures the benchmark thread's CPU time instead of
//! wall time (`CLOCK_THREAD_CPUTIME_ID`, Linux): on a machine shared with other builds,
//! time spent descheduled then stays out of the numbers (cache and frequency effects of the
//! load do not). The default is wall time, as for every other bench.

/// sqrtc's allocator (runtime/src/bin/sqrtc.rs): measured as shipped.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::Criterion;
use criterion::measurement::{Measurement, ValueFormatter, WallTime};
#[cfg(feature = "monty")]
use monty::{MontyRun, RunProgress};
#[cfg(feature = "monty")]
use monty_types::{CompileOptions, MontyObject, PrintWriter, ResourceTracker};
use serde_json::json;
use sqrt_vm::{Mode, NamedMeta, Resume, RunConfig, Step, ToolStub, Vm};
use std::hint::black_box;

/// The seed tutorial's program 1, verbatim (shared with the `sqrtc run` tests).
const SEED_1: &str = include_str!("../../tests/run/seed_program_1.py");

/// The seed tutorial's program 2, verbatim (shared with the `sqrtc run` tests).
const SEED_2: &str = include_str!("../../tests/run/seed_program_2.py");

const LOOP: &str = r#"total = 0
items = []
for i in range(1000):
    if i % 3 == 0:
        items.append(i)
    total += i * 2
final_return_value = [total, len(items)]
"#;

fn config() -> RunConfig {
    let s = json!({"type": "string"});
    RunConfig {
        mode: Mode::Normal,
        tools: vec![
            ToolStub::new("get_internal_document", &[("doc_id", true, s.clone())]),
            ToolStub::new(
                "send_email",
                &[
                    ("to", true, s.clone()),
                    ("subject", true, s.clone()),
                    ("body", true, s),
                ],
            ),
        ],
        ..RunConfig::default()
    }
}

/// A tool call as both sides report it: the tool and its arguments by name, as JSON.
type Call = (String, serde_json::Value);

/// Runs the program as a host would, recording the calls into `log` (the timed runs pass
/// `None`).
fn run(src: &str, cfg: RunConfig, mut log: Option<&mut Vec<Call>>) -> serde_json::Value {
    let mut vm = Vm::new(src, cfg);
    let mut step = vm.run();
    loop {
        match step {
            Step::Done(o) => return o.final_return_value,
            Step::ToolCall(req) => {
                if let Some(log) = log.as_deref_mut() {
                    let args = req.args.iter().map(|(n, v, _)| (n.clone(), v.clone()));
                    log.push((req.tool.clone(), args.collect()));
                }
                let meta = if req.tool == "get_internal_document" {
                    NamedMeta::tagged(&["__non_executable", "confidential", "internal_use"])
                } else {
                    NamedMeta::default()
                }
                .to_meta(vm.labels_mut());
                step = vm.resume(Resume::Return {
                    value: json!("The document content is: ..."),
                    meta,
                });
            }
        }
    }
}

#[cfg(feature = "monty")]
const TOOLS: [&str; 2] = ["get_internal_document", "send_email"];

/// The program under monty: tools are external functions passed in as inputs, and the value of
/// the last expression is the result, so `final_return_value` is appended as one.
#[cfg(feature = "monty")]
fn run_monty(code: &str, mut log: Option<&mut Vec<Call>>) -> MontyObject {
    let names = TOOLS.iter().map(|t| t.to_string()).collect();
    let runner = MontyRun::new(
        code.to_owned(),
        "program.py",
        names,
        CompileOptions::default(),
    )
    .expect("monty compiles the program");
    let inputs = TOOLS
        .iter()
        .map(|t| MontyObject::Function {
            name: t.to_string(),
            docstring: None,
        })
        .collect();
    let mut progress = runner
        .start(inputs, ResourceTracker::default(), PrintWriter::Disabled)
        .expect("monty runs the program");
    loop {
        match progress {
            RunProgress::Complete(v) => return v,
            RunProgress::FunctionCall(call) => {
                if let Some(log) = log.as_deref_mut() {
                    assert!(call.args.is_empty(), "the programs pass keywords only");
                    let args = call.kwargs.iter().map(|(k, v)| match k {
                        MontyObject::String(k) => (k.clone(), monty_json(v)),
                        _ => panic!("keyword {k:?}"),
                    });
                    log.push((call.function_name.clone(), args.collect()));
                }
                let result = MontyObject::String("The document content is: ...".into());
                progress = call
                    .resume(result, PrintWriter::Disabled)
                    .expect("monty resumes");
            }
            _ => panic!("unexpected monty suspension"),
        }
    }
}

#[cfg(feature = "monty")]
fn monty_source(src: &str) -> String {
    format!("{src}\nfinal_return_value\n")
}

/// A monty value as the VM's `final_return_value` JSON (tuples and lists are arrays).
#[cfg(feature = "monty")]
fn monty_json(v: &MontyObject) -> serde_json::Value {
    match v {
        MontyObject::None => json!(null),
        MontyObject::Bool(b) => json!(b),
        MontyObject::Int(i) => json!(i),
        MontyObject::Float(f) => json!(f),
        MontyObject::String(s) => json!(s),
        MontyObject::List(xs) | MontyObject::Tuple(xs) => {
            xs.iter().map(monty_json).collect::<Vec<_>>().into()
        }
        MontyObject::Dict(pairs) => pairs
            .into_iter()
            .map(|(k, v)| match k {
                MontyObject::String(k) => (k.clone(), monty_json(v)),
                _ => panic!("non-string key {k:?}"),
            })
            .collect::<serde_json::Map<_, _>>()
            .into(),
        other => panic!("no JSON for {other:?}"),
    }
}

/// CPU time of the calling thread, in nanoseconds (criterion reads it once per sample batch).
struct ThreadCpuTime;

#[repr(C)]
struct Timespec {
    tv_sec: i64,
    tv_nsec: i64,
}

unsafe extern "C" {
    // libc's, which std links on Linux; the schedstat file only moves at scheduler ticks.
    fn clock_gettime(clock: i32, tp: *mut Timespec) -> i32;
}

fn thread_cpu_ns() -> u64 {
    const CLOCK_THREAD_CPUTIME_ID: i32 = 3; // Linux
    let mut t = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid, writable timespec (two i64 on x86_64 and aarch64 Linux).
    let rc = unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut t) };
    assert_eq!(
        rc, 0,
        "clock_gettime(CLOCK_THREAD_CPUTIME_ID) for SQRT_BENCH_CPU_TIME"
    );
    t.tv_sec as u64 * 1_000_000_000 + t.tv_nsec as u64
}

impl Measurement for ThreadCpuTime {
    type Intermediate = u64;
    type Value = u64;

    fn start(&self) -> u64 {
        thread_cpu_ns()
    }
    fn end(&self, start: u64) -> u64 {
        thread_cpu_ns().saturating_sub(start)
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, v: &u64) -> f64 {
        *v as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        &CpuFormatter
    }
}

struct CpuFormatter;

impl ValueFormatter for CpuFormatter {
    fn scale_values(&self, typical: f64, values: &mut [f64]) -> &'static str {
        let (factor, unit) = if typical < 1e3 {
            (1.0, "ns cpu")
        } else if typical < 1e6 {
            (1e-3, "µs cpu")
        } else {
            (1e-6, "ms cpu")
        };
        values.iter_mut().for_each(|v| *v *= factor);
        unit
    }
    fn scale_throughputs(
        &self,
        _typical: f64,
        _throughput: &criterion::Throughput,
        _values: &mut [f64],
    ) -> &'static str {
        "ns cpu" // no throughput is declared here
    }
    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "ns"
    }
}

fn bench_vm<M: Measurement + 'static>(c: &mut Criterion<M>) {
    // The hand-checked results, and both engines agree (calls and result) before anything is
    // timed.
    assert_eq!(run(LOOP, RunConfig::default(), None), json!([999000, 334]));
    assert_eq!(run(SEED_2, config(), None)["status"], json!("success"));
    #[cfg(feature = "monty")]
    for (src, cfg) in [
        (SEED_1, config()),
        (SEED_2, config()),
        (LOOP, RunConfig::default()),
    ] {
        let (mut ours, mut theirs) = (vec![], vec![]);
        let value = run(src, cfg, Some(&mut ours));
        let monty = monty_json(&run_monty(&monty_source(src), Some(&mut theirs)));
        assert_eq!(value, monty, "final_return_value differs");
        assert_eq!(ours, theirs, "tool calls differ");
    }

    for (name, src) in [
        ("seed_program_1", SEED_1),
        ("seed_program_2", SEED_2),
        ("loop_1000", LOOP),
    ] {
        let cfg = if name == "loop_1000" {
            RunConfig::default
        } else {
            config
        };
        c.bench_function(&format!("vm/{name}"), |b| {
            b.iter(|| run(black_box(src), cfg(), None))
        });
        #[cfg(feature = "monty")]
        {
            let code = monty_source(src);
            c.bench_function(&format!("monty/{name}"), |b| {
                b.iter(|| run_monty(black_box(&code), None))
            });
        }
    }
    c.bench_function("vm/compile_only_seed_2", |b| {
        b.iter(|| Vm::new(black_box(SEED_2), config()))
    });
}

fn main() {
    if std::env::var_os("SQRT_BENCH_CPU_TIME").is_some() {
        let mut c = Criterion::default()
            .with_measurement(ThreadCpuTime)
            .configure_from_args();
        bench_vm(&mut c);
        c.final_summary();
    } else {
        let mut c = Criterion::<WallTime>::default().configure_from_args();
        bench_vm(&mut c);
        c.final_summary();
    }
}
