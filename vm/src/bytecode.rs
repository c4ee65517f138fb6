//! Register bytecode: what the front end produces and the VM runs.
//!
//! The serialized discriminant of an instruction is its position in `Instr` (serde's variant
//! index): never reorder or insert variants without bumping `snapshot::FORMAT`.

use serde::{Deserialize, Serialize};
use std::rc::Rc;

pub type Reg = u16;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    Pow,
    LShift,
    RShift,
    BitAnd,
    BitOr,
    BitXor,
    MatMul,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UnOp {
    Neg,
    Pos,
    Invert,
    Not,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CmpOp {
    Eq,
    NotEq,
    Lt,
    LtE,
    Gt,
    GtE,
    Is,
    IsNot,
    In,
    NotIn,
}

/// A compile-time constant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Const {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Rc<str>),
    Ellipsis,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Instr {
    LoadConst {
        dst: Reg,
        k: u32,
    },
    Move {
        dst: Reg,
        src: Reg,
    },
    /// A binding: like `Move`, plus the pc-label in STRICT mode.
    Store {
        dst: Reg,
        src: Reg,
    },
    CheckBound {
        reg: Reg,
        name: u32,
    },
    Unbind {
        reg: Reg,
    },
    LoadGlobal {
        dst: Reg,
        g: u32,
    },
    StoreGlobal {
        g: u32,
        src: Reg,
    },
    DelGlobal {
        g: u32,
    },
    LoadCell {
        dst: Reg,
        cell: Reg,
    },
    StoreCell {
        cell: Reg,
        src: Reg,
    },
    DelCell {
        cell: Reg,
    },
    LoadBuiltin {
        dst: Reg,
        b: u32,
    },
    LoadTool {
        dst: Reg,
        tool: u32,
    },
    Import {
        dst: Reg,
        module: u32,
    },
    BinOp {
        dst: Reg,
        op: BinOp,
        a: Reg,
        b: Reg,
    },
    /// Augmented assignment: in place for list, dict and set.
    InplaceOp {
        dst: Reg,
        op: BinOp,
        a: Reg,
        b: Reg,
    },
    UnOp {
        dst: Reg,
        op: UnOp,
        a: Reg,
    },
    Compare {
        dst: Reg,
        op: CmpOp,
        a: Reg,
        b: Reg,
    },
    BuildList {
        dst: Reg,
        start: Reg,
        n: u16,
    },
    BuildTuple {
        dst: Reg,
        start: Reg,
        n: u16,
    },
    BuildSet {
        dst: Reg,
        start: Reg,
        n: u16,
    },
    /// `n` key/value pairs in consecutive registers.
    BuildDict {
        dst: Reg,
        start: Reg,
        n: u16,
    },
    BuildSlice {
        dst: Reg,
        start: Reg,
    },
    ListAppend {
        list: Reg,
        src: Reg,
    },
    ListExtend {
        list: Reg,
        src: Reg,
    },
    SetAdd {
        set: Reg,
        src: Reg,
    },
    DictInsert {
        dict: Reg,
        key: Reg,
        src: Reg,
    },
    DictUpdate {
        dict: Reg,
        src: Reg,
    },
    ListToTuple {
        dst: Reg,
        src: Reg,
    },
    /// Joins `n` registers holding strings.
    BuildString {
        dst: Reg,
        start: Reg,
        n: u16,
    },
    /// conv: 0 none, b's', b'r', b'a'; `spec` is a register holding the format spec string.
    FormatValue {
        dst: Reg,
        src: Reg,
        conv: u8,
        spec: Option<Reg>,
    },
    GetItem {
        dst: Reg,
        obj: Reg,
        idx: Reg,
    },
    SetItem {
        obj: Reg,
        idx: Reg,
        src: Reg,
    },
    DelItem {
        obj: Reg,
        idx: Reg,
    },
    GetAttr {
        dst: Reg,
        obj: Reg,
        name: u32,
    },
    SetAttr {
        obj: Reg,
        name: u32,
        src: Reg,
    },
    /// Unpacks `src` into `n` consecutive registers; `star` is the index of a starred target.
    Unpack {
        src: Reg,
        dst: Reg,
        n: u16,
        star: Option<u16>,
    },
    GetIter {
        dst: Reg,
        src: Reg,
    },
    ForIter {
        iter: Reg,
        dst: Reg,
        exit: u32,
    },
    Jump {
        target: u32,
    },
    JumpIf {
        cond: Reg,
        target: u32,
        when: bool,
    },
    /// Saves pc, then pc ⊔= M(src); `check` applies the branching policy to M(src) first.
    PcPush {
        src: Reg,
        check: bool,
    },
    /// Saves pc without raising it.
    PcSave,
    /// pc ⊔= M(src) without saving (later `while` tests, `elif` tests).
    PcJoin {
        src: Reg,
        check: bool,
    },
    /// Restores the saved pc, or with `keep` drops the saved entry and keeps pc raised.
    PcPop {
        keep: bool,
    },
    /// Drops saved entries above `depth` (relative to the frame), keeping the current pc.
    PcTrunc {
        depth: u16,
    },
    /// Restores the pc saved at `depth` and drops the entries above it.
    PcRestore {
        depth: u16,
    },
    /// labs[dst] ⊔= M(src).
    LabelJoin {
        dst: Reg,
        src: Reg,
    },
    /// own(obj) ⊔= labs[src] ⊔ [pc].
    OwnJoin {
        obj: Reg,
        src: Reg,
    },
    Call {
        dst: Reg,
        func: Reg,
        args: Reg,
        npos: u16,
        kwnames: u32,
    },
    /// Arguments packed: `args` a list, `kwargs` a dict (for `*a`/`**k`).
    CallEx {
        dst: Reg,
        func: Reg,
        args: Reg,
        kwargs: Reg,
    },
    CallMethod {
        dst: Reg,
        obj: Reg,
        name: u32,
        args: Reg,
        npos: u16,
        kwnames: u32,
    },
    CallTool {
        dst: Reg,
        tool: u32,
        args: Reg,
        npos: u16,
        kwnames: u32,
    },
    CallToolEx {
        dst: Reg,
        tool: u32,
        args: Reg,
        kwargs: Reg,
    },
    Return {
        src: Reg,
    },
    MakeFunction {
        dst: Reg,
        code: u32,
        defaults: Reg,
        captures: u32,
    },
    MakeClass {
        dst: Reg,
        class: u32,
        base: Option<Reg>,
    },
    SetupExcept {
        handler: u32,
        exc: Reg,
    },
    PopExcept,
    Raise {
        exc: Option<Reg>,
        cause: Option<Reg>,
    },
    Reraise {
        src: Reg,
    },
    MatchExcept {
        dst: Reg,
        exc: Reg,
        ty: Reg,
    },
    /// Stores the exception's meta into pc (except-body entry): pc ⊔= m(exc).
    PcPushExc {
        exc: Reg,
    },
    AssertFail {
        msg: Option<Reg>,
    },
}

/// How a function's parameters bind.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Params {
    /// Positional-or-keyword names, positional-only first.
    pub names: Vec<Rc<str>>,
    pub posonly: u16,
    /// Positional parameters (after posonly), then keyword-only ones are `names[npos..]`.
    pub npos: u16,
    pub vararg: bool,
    pub kwarg: bool,
    /// Which of `names` have defaults (the defaults register block follows this order).
    pub has_default: Vec<bool>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Code {
    pub name: Rc<str>,
    pub instrs: Vec<Instr>,
    /// Byte range in the source of each instruction.
    pub spans: Vec<(u32, u32)>,
    pub nregs: u16,
    pub params: Params,
    /// Registers of the parameters in order: names, then *args, then **kwargs.
    pub param_regs: Vec<Reg>,
    /// For each own cell: the parameter register it is initialised from, if any.
    pub cell_init: Vec<Option<Reg>>,
    /// Number of cells captured from the enclosing function (after the own cells).
    pub nfree: u16,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ClassTemplate {
    Holder {
        name: Rc<str>,
        fields: Vec<(Rc<str>, Option<Const>)>,
    },
    Exception {
        name: Rc<str>,
    },
}

/// A compiled program: code objects (0 is the module), constant pools and the global table.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Program {
    pub source: String,
    pub codes: Vec<Code>,
    pub consts: Vec<Const>,
    pub names: Vec<Rc<str>>,
    pub name_lists: Vec<Vec<Rc<str>>>,
    pub reg_lists: Vec<Vec<Reg>>,
    pub classes: Vec<ClassTemplate>,
    /// Global slot names; slot 0 is `final_return_value`.
    pub globals: Vec<Rc<str>>,
}
