//! Policy bytecode: the versioned, self-describing `.sqrtb` format (docs/bytecode.md).
//!
//! A file is `MAGIC` (8 bytes), the format `VERSION` (u32 little-endian), then a postcard-encoded
//! `Module`. Expressions are flat arenas (`preds`, `lsets`, `vsets`) whose nodes name their
//! children by index, and a child's index is always smaller than its parent's, so decoding never
//! recurses, the verifier checks depth in one pass, and a corrupt file cannot build a cycle.
//! Labels are interned once into the module's `Labels` table; label-set literals are `LabelSet`
//! masks over it. Strings, regexes (already wrapped for full matching) and wildcards live in
//! pools addressed by index.

use serde::{Deserialize, Serialize};
use sqrt_std::label::{Label, LabelSet, Labels};
use sqrt_std::prelude::Presets;

/// The first 8 bytes of every `.sqrtb` file.
pub const MAGIC: [u8; 8] = *b"SQRTB\0\r\n";
/// Bumped on every incompatible change; a file of another version is rejected.
pub const VERSION: u32 = 1;

/// Index types: positions in the module's pools and arenas.
pub type StrId = u32;
pub type RegexId = u32;
pub type ArgId = u32;
pub type MaskId = u32;
pub type PredId = u32;
pub type LSetId = u32;
pub type VSetId = u32;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Module {
    /// SHA-256 of `source`.
    pub source_hash: [u8; 32],
    /// The user's policy text, for diagnostics and for recompiling under other presets.
    pub source: String,
    /// The presets the prelude was instantiated with.
    pub presets: Presets,
    /// The instantiated prelude text (rule spans of preset policies point into it).
    pub prelude: String,
    pub labels: Labels,
    pub strings: Vec<String>,
    /// Regex sources as written (matched in full: the loader wraps them in `\A(?:…)\z`).
    pub regexes: Vec<String>,
    /// Wildcard patterns (`*`, `?`, rest literal).
    pub wildcards: Vec<String>,
    /// Argument names the program reads.
    pub args: Vec<String>,
    pub masks: Vec<LabelSet>,
    pub preds: Vec<PredNode>,
    pub lsets: Vec<LSetNode>,
    pub vsets: Vec<VSetNode>,
    /// In evaluation order: priority descending, then source order, the prelude last.
    pub policies: Vec<PolicyCode>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ToolMatchCode {
    Exact(String),
    Regex(RegexId),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LevelCode {
    Hard,
    Soft,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EffectCode {
    Allow,
    Deny,
}

/// 1-based line and column (Unicode scalar values), end inclusive.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineSpan {
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PolicyCode {
    pub tool: ToolMatchCode,
    pub id_text: String,
    pub priority: i64,
    /// `Some(name)` for a prelude policy.
    pub preset: Option<String>,
    pub rules: Vec<RuleCode>,
    pub session_before: Vec<StmtCode>,
    pub result: Vec<StmtCode>,
    pub session_after: Vec<StmtCode>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuleCode {
    pub id: String,
    pub level: LevelCode,
    pub effect: EffectCode,
    /// `None` for `always`.
    pub cond: Option<PredId>,
    pub description: Option<String>,
    pub span: LineSpan,
    /// For `--explain`: the condition's top-level `and`/`or` operands (or the whole condition)
    /// with their source text.
    pub conjuncts: Vec<(PredId, String)>,
}

/// `when cond { updates }`, or one unconditional update (`cond` None).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StmtCode {
    pub cond: Option<PredId>,
    pub updates: Vec<UpdateCode>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TargetCode {
    Session,
    Result,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UpdateCode {
    pub target: TargetCode,
    pub field: Field,
    pub op: AssignOp,
    pub value: LSetId,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum PredNode {
    And(Vec<PredId>),
    Or(Vec<PredId>),
    Not(PredId),
    In {
        quant: Option<Quant>,
        value: ValCode,
        set: VSetId,
    },
    ValueEq(ValCode, ValCode),
    SetCmp {
        left: MetaRefCode,
        op: SetCmpOp,
        right: LSetId,
    },
    IsEmpty(MetaRefCode),
    IsUniversal(MetaRefCode),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ValCode {
    Arg(ArgId),
    Result,
    Str(StrId),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// `d"…"`: epoch seconds and nanoseconds.
    Datetime(i64, u32),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MetaRefCode {
    Arg(ArgId, Field),
    Result(Field),
    Session(Field),
    ArgsUnion(Field),
    ArgsIntersect(Field),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum LSetNode {
    Mask(MaskId),
    Meta(MetaRefCode),
    Bin(SetOp, LSetId, LSetId),
    /// `with`/`without` one label; `None` is `"*"`.
    With {
        set: LSetId,
        label: Option<Label>,
        without: bool,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum VSetNode {
    Labels(LSetId),
    Lit(Vec<ElemCode>),
    Bin(SetOp, VSetId, VSetId),
    With {
        set: VSetId,
        elem: ElemCode,
        without: bool,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ElemCode {
    Any,
    Str(StrId),
    Regex(RegexId),
    Wild(StrId),
    Int(i64),
    Float(f64),
    Domain(DomainCode),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum DomainCode {
    Bool(bool),
    Int(RangeCode<NumCode>),
    Float(RangeCode<NumCode>),
    Str {
        pat: StrPatCode,
        length: Option<RangeCode<NumCode>>,
    },
    Datetime(RangeCode<(i64, u32)>),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum StrPatCode {
    Exact(StrId),
    Regex(RegexId),
    /// Index into `wildcards`.
    Wild(StrId),
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum NumCode {
    Int(i64),
    Float(f64),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RangeCode<B> {
    pub lo: BoundCode<B>,
    pub hi: BoundCode<B>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum BoundCode<B> {
    Unbounded,
    Incl(B),
    Excl(B),
}

pub use sqrt_std::meta::Field;

/// `=`, `|=`, `&=`, `-=`, `^=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AssignOp {
    Set,
    Union,
    Intersect,
    Minus,
    Xor,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Quant {
    Any,
    All,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SetCmpOp {
    Overlaps,
    Subset,
    Superset,
    Eq,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SetOp {
    Xor,
    Minus,
    Intersect,
    Union,
}

/// Why bytes are not a loadable module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError(pub String);

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DecodeError {}

impl Module {
    /// The file bytes: magic, version, postcard body.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&VERSION.to_le_bytes());
        // Serialising plain data into a Vec cannot fail.
        out.extend(postcard::to_allocvec(self).unwrap_or_default());
        out
    }

    /// Decodes file bytes (not yet verified: use `verify::verify` before running them).
    pub fn decode(bytes: &[u8]) -> Result<Module, DecodeError> {
        let rest = bytes
            .strip_prefix(&MAGIC)
            .ok_or_else(|| DecodeError("not SQRT policy bytecode (bad magic)".into()))?;
        let (version, body) = rest
            .split_at_checked(4)
            .ok_or_else(|| DecodeError("truncated header".into()))?;
        let version = u32::from_le_bytes([version[0], version[1], version[2], version[3]]);
        if version != VERSION {
            return Err(DecodeError(format!(
                "bytecode version {version}, this build reads version {VERSION}"
            )));
        }
        let (module, extra) = postcard::take_from_bytes::<Module>(body)
            .map_err(|e| DecodeError(format!("corrupt bytecode: {e}")))?;
        if !extra.is_empty() {
            return Err(DecodeError(format!(
                "corrupt bytecode: {} trailing bytes",
                extra.len()
            )));
        }
        Ok(module)
    }
}

/// SHA-256 of a source text.
pub fn source_hash(source: &str) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(source.as_bytes()).into()
}
