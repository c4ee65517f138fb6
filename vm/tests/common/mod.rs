//! A test host: runs a program, answering tool calls from a closure, optionally snapshotting and
//! restoring at every suspension. Metas are spelled with names (`NamedMeta`, here `Meta`) and
//! converted against the run's label table at the boundary, as a real host does.
#![allow(dead_code)]

use serde_json::{Value as Json, json};
pub use sqrt_vm::NamedMeta as Meta;
use sqrt_vm::sqrt_std::label::Labels;
use sqrt_vm::*;

pub fn send_stub() -> ToolStub {
    ToolStub::new(
        "send",
        &[
            ("to", true, json!({"type": "string"})),
            ("body", true, json!({"type": "string"})),
        ],
    )
}

pub fn get_stub() -> ToolStub {
    ToolStub::new("get", &[])
}

pub fn config(mode: Mode, tools: Vec<ToolStub>) -> RunConfig {
    RunConfig {
        mode,
        tools,
        parse_with_ai: true,
        ..RunConfig::default()
    }
}

/// A tool request with named metas.
#[derive(Clone, Debug, PartialEq)]
pub struct Req {
    pub seq: u32,
    pub tool: String,
    pub internal: bool,
    pub args: Vec<(String, Json, Meta)>,
    pub pc: Meta,
    pub span: Span,
}

/// A host answer with a named meta.
pub enum Ans {
    Ret(Json, Meta),
    Raise(RaiseKind, String, Meta, bool),
}

pub fn ret(v: Json, meta: Meta) -> Ans {
    Ans::Ret(v, meta)
}

pub fn raise(kind: RaiseKind, message: &str, meta: Meta, catchable: bool) -> Ans {
    Ans::Raise(kind, message.to_string(), meta, catchable)
}

pub fn to_resume(a: Ans, labels: &mut Labels) -> Resume {
    match a {
        Ans::Ret(value, m) => Resume::Return {
            value,
            meta: m.to_meta(labels),
        },
        Ans::Raise(kind, message, m, catchable) => Resume::Raise {
            kind,
            message,
            meta: m.to_meta(labels),
            catchable,
        },
    }
}

pub fn named(req: &ToolRequest, labels: &Labels) -> Req {
    Req {
        seq: req.seq,
        tool: req.tool.clone(),
        internal: req.internal,
        args: req
            .args
            .iter()
            .map(|(n, v, m)| (n.clone(), v.clone(), Meta::from_meta(m, labels)))
            .collect(),
        pc: Meta::from_meta(&req.pc, labels),
        span: req.span,
    }
}

pub struct Run {
    pub outcome: Outcome,
    pub final_meta: Meta,
    pub printed_meta: Meta,
    pub requests: Vec<Req>,
}

/// Runs `src`, answering each call with `answer`; with `snap`, every suspension goes through
/// snapshot → drop → restore.
pub fn drive(src: &str, cfg: RunConfig, mut answer: impl FnMut(&Req) -> Ans, snap: bool) -> Run {
    let mut vm = Vm::new(src, cfg);
    let mut step = vm.run();
    let mut requests = vec![];
    loop {
        match step {
            Step::Done(outcome) => {
                let final_meta = Meta::from_meta(&outcome.final_meta, vm.labels());
                let printed_meta = Meta::from_meta(&outcome.printed_meta, vm.labels());
                return Run {
                    outcome,
                    final_meta,
                    printed_meta,
                    requests,
                };
            }
            Step::ToolCall(req) => {
                if snap {
                    let bytes = vm.snapshot().expect("snapshot");
                    drop(vm);
                    vm = Vm::restore(&bytes).expect("restore");
                    assert_eq!(
                        vm.snapshot().unwrap(),
                        bytes,
                        "restored state re-serializes identically"
                    );
                }
                let req = named(&req, vm.labels());
                let r = to_resume(answer(&req), vm.labels_mut());
                requests.push(req);
                step = vm.resume(r);
            }
        }
    }
}

/// Runs a tool-free program and returns its outcome.
pub fn run(src: &str) -> Outcome {
    drive(src, RunConfig::default(), |_| panic!("no tools"), false).outcome
}
