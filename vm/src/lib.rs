//! `sqrt-vm`: planner programs (a Python subset) validated and compiled to register bytecode,
//! run in a VM that labels every value, suspending before each tool call (planner.md).
//!
//! ```
//! use sqrt_vm::{RunConfig, Step, Vm};
//! let mut vm = Vm::new("final_return_value = sum([1, 2, 3])", RunConfig::default());
//! let Step::Done(out) = vm.run() else { panic!("no tools here") };
//! assert_eq!(out.final_return_value, serde_json::json!(6));
//! ```
//!
//! A host answering tool calls (the example of `docs/planner.md`):
//!
//! ```
//! use sqrt_vm::{NamedMeta, Resume, RunConfig, Step, ToolStub, Vm};
//! use serde_json::json;
//!
//! let tools = vec![ToolStub::new("get_doc", &[("id", true, json!({"type": "string"}))])];
//! let mut vm = Vm::new("final_return_value = get_doc(id=\"7\").upper()", RunConfig { tools, ..RunConfig::default() });
//! let mut step = vm.run();
//! while let Step::ToolCall(req) = step {
//!     assert_eq!(req.args[0].1, json!("7"));
//!     let meta = NamedMeta::tagged(&["confidential"]).to_meta(vm.labels_mut());
//!     step = vm.resume(Resume::Return { value: json!("text"), meta });
//! }
//! let Step::Done(outcome) = step else { unreachable!() };
//! assert_eq!(outcome.final_return_value, json!("TEXT"));
//! let tags = NamedMeta::from_meta(&outcome.final_meta, vm.labels()).tags;
//! assert_eq!(tags, ["confidential"]);
//! ```

pub mod api;
pub mod builtins;
pub mod bytecode;
pub mod compile;
pub mod label;
pub mod meta;
pub mod modules;
pub mod snapshot;
pub mod tools;
pub mod value;
pub mod vm;

pub use api::{
    BranchingPolicy, CallRecord, CarryOver, ErrorCode, Mode, Outcome, REDACTED, RaiseKind, Resume,
    RunConfig, RunError, Span, Status, Step, ToolRequest, VmLimits,
};
pub use compile::Diagnostic;
pub use meta::{Consumers, NamedMeta};
pub use snapshot::SnapshotError;
pub use sqrt_std;
pub use tools::ToolStub;
pub use vm::Vm;
