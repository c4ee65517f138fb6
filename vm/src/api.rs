//! The host API: configuration in, steps out (planner.md §1, §5).

use serde::{Deserialize, Serialize};

use crate::tools::ToolStub;
use sqrt_std::label::Labels;
use sqrt_std::meta::Meta;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Mode {
    /// `standard` / `custom`: assignments, mutations, returns and tool arguments ignore pc.
    #[default]
    Normal,
    /// `strict`: pc joins everything, plus the sticky label of `parse_with_ai`.
    Strict,
}

/// `{mode, tags, producers, consumers}` checked on every branch condition's meta.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BranchingPolicy {
    /// `deny` (true) or `allow` (false).
    pub deny: bool,
    pub tags: Vec<String>,
    pub producers: Vec<String>,
    pub consumers: Vec<String>,
}

impl BranchingPolicy {
    /// The STRICT default when none is given.
    pub fn strict_default() -> BranchingPolicy {
        BranchingPolicy {
            deny: true,
            tags: vec!["__non_executable".into(), "__tool/parse_with_ai".into()],
            ..Default::default()
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VmLimits {
    pub source_bytes: usize,
    pub ast_depth: usize,
    pub instructions: u64,
    pub heap_bytes: usize,
    pub call_depth: usize,
    pub str_bytes: usize,
    pub collection_len: usize,
    pub printed_bytes: usize,
    pub regex_bytes: usize,
}

impl Default for VmLimits {
    fn default() -> Self {
        VmLimits {
            source_bytes: 256 * 1024,
            ast_depth: 64,
            instructions: 10_000_000,
            heap_bytes: 64 * 1024 * 1024,
            call_depth: 200,
            str_bytes: 4 * 1024 * 1024,
            collection_len: 1_000_000,
            printed_bytes: 1024 * 1024,
            regex_bytes: 1024 * 1024,
        }
    }
}

/// Globals (with their heap and labels) and the sticky label carried from one attempt to the
/// next; produced by `Vm::carry_over`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct CarryOver {
    pub(crate) heap: crate::value::Heap,
    pub(crate) globals: Vec<(String, crate::value::Slot)>,
    pub(crate) interner: crate::label::Interner,
    pub(crate) sticky: crate::label::Label,
}

#[derive(Clone, Debug, Default)]
pub struct RunConfig {
    pub mode: Mode,
    /// None: the presets (empty deny) in NORMAL, `BranchingPolicy::strict_default` in STRICT.
    pub branching: Option<BranchingPolicy>,
    pub limits: VmLimits,
    pub tools: Vec<ToolStub>,
    /// Whether `parse_with_ai` is callable.
    pub parse_with_ai: bool,
    /// The run clock (`datetime.now()`), microseconds since the Unix epoch, UTC.
    pub clock_micros: i64,
    /// The policy's label table: the run's table starts as a copy, so compiled masks apply
    /// unchanged. Metas crossing the API refer to the run's table (`Vm::labels`).
    pub labels: Labels,
    pub carry: Option<CarryOver>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub line: u32,
    pub column: u32,
    pub start: u32,
    pub end: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ToolRequest {
    pub seq: u32,
    pub tool: String,
    pub internal: bool,
    /// In stub order; meta is M(arg) ⊔ [pc].
    pub args: Vec<(String, serde_json::Value, Meta)>,
    pub pc: Meta,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RaiseKind {
    ToolError,
    NotEnoughInformation,
    ValueError,
    PolicyDenied,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Resume {
    Return {
        value: serde_json::Value,
        meta: Meta,
    },
    Raise {
        kind: RaiseKind,
        message: String,
        meta: Meta,
        catchable: bool,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ErrorCode {
    InvalidProgram,
    ProgramError,
    PolicyDenied,
    ControlFlowViolation,
    LimitExceeded,
}

impl ErrorCode {
    pub fn as_str(&self) -> &'static str {
        match self {
            ErrorCode::InvalidProgram => "invalid_program",
            ErrorCode::ProgramError => "program_error",
            ErrorCode::PolicyDenied => "policy_denied",
            ErrorCode::ControlFlowViolation => "control_flow_violation",
            ErrorCode::LimitExceeded => "limit_exceeded",
        }
    }
}

/// An error that stopped the run, as fed back to the planner.
#[derive(Clone, Debug, PartialEq)]
pub struct RunError {
    pub code: ErrorCode,
    /// Python type name (`KeyError`, `SyntaxError`, `ControlFlowViolation`, ...).
    pub kind: String,
    /// The message, already redacted when it depends on tool data.
    pub message: String,
    pub redacted: bool,
    pub meta: Meta,
    pub line: u32,
    pub column: u32,
    /// The full rendering: traceback, source line, carets, `Type: message`.
    pub rendered: String,
    /// For `invalid_program`: every diagnostic.
    pub diagnostics: Vec<crate::compile::Diagnostic>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    Success,
    Failure,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CallRecord {
    pub seq: u32,
    pub tool: String,
    pub internal: bool,
    pub line: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub status: Status,
    pub final_return_value: serde_json::Value,
    pub final_meta: Meta,
    pub error: Option<RunError>,
    pub calls: Vec<CallRecord>,
    pub printed: String,
    pub printed_meta: Meta,
}

/// The shape is the host contract (planner.md §5), so the large `Done` stays unboxed.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    Done(Outcome),
    ToolCall(ToolRequest),
}

/// Fixed redaction text (planner.md §8).
pub const REDACTED: &str =
    "<redacted: this message depends on tool data and is withheld; infer the cause from the code>";
