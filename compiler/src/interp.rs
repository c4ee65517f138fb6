//! Stage `interp`: the reference interpreter over verified bytecode (sqrt.md §5).
//!
//! `Interp::new` prepares a verified `Module` (compiles its regexes and wildcards, builds the
//! tool dispatch: a hash map for exact ids and one `RegexSet` for regex ids); `votes` runs the
//! check rules of the policies matching a tool, `combine` turns votes into a verdict, and
//! `run_block` applies update statements. Evaluation is total: every index was checked by the
//! verifier, and no value makes a predicate fail.

use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::cmp::Ordering;

use regex::RegexSet;
use regex_automata::meta;
use sqrt_std::datetime::parse_iso;
use sqrt_std::label::{LabelSet, Labels};
use sqrt_std::meta::Meta;
use sqrt_std::value::{MetaValue, Value};

use crate::bytecode::*;

/// A verified module with its matchers compiled.
#[derive(Debug)]
pub struct Interp {
    pub module: Module,
    regexes: Vec<Regex>,
    wildcards: Vec<Regex>,
    /// The policy's own tool ids (trusted, fixed at load): a fast non-keyed hash is safe.
    exact: FxHashMap<String, Vec<usize>>,
    regex_set: RegexSet,
    /// Policy index of each pattern of `regex_set`.
    regex_policies: Vec<usize>,
}

/// A compiled full-match regex or wildcard: the `regex` crate's engine (`regex::Regex` wraps
/// the same `meta::Regex`), built without the dense DFA (see `build`).
pub type Regex = meta::Regex;

/// A regex that matches `re` only against the whole text.
pub fn full_match_regex(re: &str) -> Result<Regex, regex::Error> {
    cached(re, false, || build(&format!(r"\A(?:{re})\z")))
}

/// A wildcard (`*` any run, `?` one character, everything else literal) as a full-match regex.
pub fn wildcard_regex(pattern: &str) -> Result<Regex, regex::Error> {
    cached(pattern, true, || {
        let mut re = String::from(r"\A");
        for c in pattern.chars() {
            match c {
                '*' => re.push_str(r"(?s:.*)"),
                '?' => re.push_str(r"(?s:.)"),
                c => re.push_str(&regex::escape(c.encode_utf8(&mut [0; 4]))),
            }
        }
        re.push_str(r"\z");
        build(&re)
    })
}

/// `regex::Regex::new` with the same limits and syntax, minus the fully compiled DFA. Another
/// dependency turns on `regex-automata`'s `dfa-build`, and then every small regex is
/// determinized up front: about 80% of compiling a regex-heavy policy (1,000 rules, 333
/// regexes: 80 ms of regexes against 16 ms without). The lazy DFA that remains matches as fast
/// once warm, and the JIT turns the common patterns into byte comparisons anyway. Errors are
/// the ones `regex::Regex::new` gives (the checker's E0301 prints them).
fn build(pattern: &str) -> Result<Regex, regex::Error> {
    let config = meta::Config::new()
        .nfa_size_limit(Some(10 * (1 << 20)))
        .hybrid_cache_capacity(2 * (1 << 20))
        .dfa(false);
    meta::Builder::new()
        .configure(config)
        .build(pattern)
        .map_err(|e| match (e.size_limit(), e.syntax_error()) {
            (Some(limit), _) => regex::Error::CompiledTooBig(limit),
            (None, Some(syntax)) => regex::Error::Syntax(syntax.to_string()),
            (None, None) => regex::Error::Syntax(e.to_string()),
        })
}

type MatcherCache = FxHashMap<(bool, Box<str>), Regex>;
static MATCHERS: std::sync::LazyLock<std::sync::Mutex<MatcherCache>> =
    std::sync::LazyLock::new(Default::default);

/// Empties the process-wide cache of compiled regexes and wildcards (see `cached`), so the next
/// policy load compiles every matcher again: for cold-load benchmarks, or to give the memory back.
pub fn clear_matcher_cache() {
    MATCHERS.lock().unwrap_or_else(|e| e.into_inner()).clear();
}

/// Compiled matchers by (wildcard?, source), shared by the checker (which compiles every regex
/// to know it fits the crate's size limits, E0301) and the interpreter: compiling is most of
/// the cost of loading a regex-heavy policy, and a relay loads the same policies again and
/// again. Only successes are kept (a `Regex` clone shares the compiled program); the map is
/// cleared when full, so it stays bounded.
fn cached(
    source: &str,
    wildcard: bool,
    compile: impl FnOnce() -> Result<Regex, regex::Error>,
) -> Result<Regex, regex::Error> {
    const LIMIT: usize = 4096;
    let key = (wildcard, Box::from(source));
    let lock = || MATCHERS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(re) = lock().get(&key) {
        return Ok(re.clone());
    }
    let re = compile()?;
    let mut cache = lock();
    if cache.len() >= LIMIT {
        cache.clear();
    }
    cache.insert(key, re.clone());
    Ok(re)
}

impl Interp {
    /// Compiles the matchers of a module that `verify::verify` accepted.
    pub fn new(module: Module) -> Result<Interp, String> {
        let regexes = module
            .regexes
            .iter()
            .map(|r| full_match_regex(r).map_err(|e| format!("regex `{r}` does not compile: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        let wildcards = module
            .wildcards
            .iter()
            .map(|w| wildcard_regex(w).map_err(|e| format!("wildcard `{w}` does not compile: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        let mut exact: FxHashMap<String, Vec<usize>> = FxHashMap::default();
        let mut patterns = Vec::new();
        let mut regex_policies = Vec::new();
        for (i, p) in module.policies.iter().enumerate() {
            match &p.tool {
                ToolMatchCode::Exact(id) => exact.entry(id.clone()).or_default().push(i),
                ToolMatchCode::Regex(r) => {
                    patterns.push(format!(r"\A(?:{})\z", module.regexes[*r as usize]));
                    regex_policies.push(i);
                }
            }
        }
        let regex_set =
            RegexSet::new(&patterns).map_err(|e| format!("tool regexes do not compile: {e}"))?;
        let mut interp = Interp {
            module,
            regexes,
            wildcards,
            exact,
            regex_set,
            regex_policies,
        };
        // Merge the regex policies into each exact id's list once, in evaluation order.
        let ids: Vec<String> = interp.exact.keys().cloned().collect();
        for id in ids {
            let extra = interp.regex_matching(&id);
            if let Some(list) = interp.exact.get_mut(&id) {
                list.extend(extra);
                list.sort_unstable();
            }
        }
        Ok(interp)
    }

    /// Indices of the policies matching `tool`, in evaluation order. For an id some exact
    /// policy names, the list (regex policies included) was computed at load: no allocation.
    pub fn matching(&self, tool: &str) -> Cow<'_, [usize]> {
        match self.exact.get(tool) {
            Some(list) => Cow::Borrowed(list),
            None => Cow::Owned(self.regex_matching(tool)),
        }
    }

    /// The compiled full-match regex `id` (`wildcard` false) or wildcard `id`.
    pub fn matcher(&self, id: u32, wildcard: bool) -> Option<&Regex> {
        if wildcard {
            self.wildcards.get(id as usize)
        } else {
            self.regexes.get(id as usize)
        }
    }

    /// The exact tool ids and their policy lists (regex policies merged in).
    pub fn exact_ids(&self) -> impl Iterator<Item = (&str, &[usize])> {
        self.exact.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    /// The policies with a regex tool id, in evaluation order.
    pub fn regex_policies(&self) -> &[usize] {
        &self.regex_policies
    }

    fn regex_matching(&self, tool: &str) -> Vec<usize> {
        if self.regex_policies.is_empty() {
            return Vec::new();
        }
        self.regex_set
            .matches(tool)
            .iter()
            .map(|i| self.regex_policies[i])
            .collect()
    }
}

/// A call's arguments: name, value and meta, in call order.
pub type Args = [(String, MetaValue)];

/// Everything a predicate or update can read.
pub struct Env<'a> {
    pub args: &'a Args,
    pub session: &'a Meta,
    pub result: Option<&'a MetaValue>,
    /// The session's label table (the module's table plus labels seen at run time).
    pub labels: &'a Labels,
}

/// One vote: which rule of which policy, and what it said. `repr(C)`: JIT'd verdict functions
/// write votes directly (docs/jit.md).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Vote {
    pub policy: usize,
    pub rule: usize,
    pub allow: bool,
    pub hard: bool,
}

static NONE: Value = Value::None;
static BOTTOM: Meta = Meta::BOTTOM;

impl Interp {
    /// The votes of the check rules of `policies`, in order; with `fail_fast`, stops after the
    /// first hard DENY.
    pub fn votes(&self, policies: &[usize], env: &Env<'_>, fail_fast: bool) -> Vec<Vote> {
        let mut votes = Vec::new();
        for &pi in policies {
            for (ri, rule) in self.module.policies[pi].rules.iter().enumerate() {
                let hard = rule.level == LevelCode::Hard;
                let allow = match (rule.effect, rule.cond) {
                    (EffectCode::Allow, None) => true,
                    (EffectCode::Deny, None) => false,
                    // An unmet allow is a denial (sqrt.md §5.4).
                    (EffectCode::Allow, Some(c)) => self.pred(c, env),
                    (EffectCode::Deny, Some(c)) => {
                        if !self.pred(c, env) {
                            continue;
                        }
                        false
                    }
                };
                votes.push(Vote {
                    policy: pi,
                    rule: ri,
                    allow,
                    hard,
                });
                if fail_fast && hard && !allow {
                    return votes;
                }
            }
        }
        votes
    }

    fn arg_value<'e>(&self, id: ArgId, env: &Env<'e>) -> &'e Value {
        let name = &self.module.args[id as usize];
        env.args
            .iter()
            .find(|(n, _)| n == name)
            .map_or(&NONE, |(_, mv)| &mv.value)
    }

    fn arg_meta<'e>(&self, id: ArgId, env: &Env<'e>) -> &'e Meta {
        let name = &self.module.args[id as usize];
        env.args
            .iter()
            .find(|(n, _)| n == name)
            .map_or(&BOTTOM, |(_, mv)| &mv.meta)
    }

    pub fn pred(&self, id: PredId, env: &Env<'_>) -> bool {
        match &self.module.preds[id as usize] {
            PredNode::And(ps) => ps.iter().all(|&p| self.pred(p, env)),
            PredNode::Or(ps) => ps.iter().any(|&p| self.pred(p, env)),
            PredNode::Not(p) => !self.pred(*p, env),
            PredNode::In { quant, value, set } => {
                let owned;
                let v = match value {
                    ValCode::Arg(a) => self.arg_value(*a, env),
                    ValCode::Result => env.result.map_or(&NONE, |r| &r.value),
                    lit => {
                        owned = self.lit(lit);
                        &owned
                    }
                };
                match (quant, v) {
                    (Some(Quant::Any), Value::List(items)) => {
                        items.iter().any(|i| self.member(i, *set, env))
                    }
                    (Some(Quant::All), Value::List(items)) => {
                        items.iter().all(|i| self.member(i, *set, env))
                    }
                    _ => self.member(v, *set, env),
                }
            }
            PredNode::ValueEq(a, b) => {
                let (oa, ob);
                let a = match a {
                    ValCode::Arg(x) => self.arg_value(*x, env),
                    ValCode::Result => env.result.map_or(&NONE, |r| &r.value),
                    lit => {
                        oa = self.lit(lit);
                        &oa
                    }
                };
                let b = match b {
                    ValCode::Arg(x) => self.arg_value(*x, env),
                    ValCode::Result => env.result.map_or(&NONE, |r| &r.value),
                    lit => {
                        ob = self.lit(lit);
                        &ob
                    }
                };
                !matches!(a, Value::None) && !matches!(b, Value::None) && values_equal(a, b)
            }
            PredNode::SetCmp { left, op, right } => {
                let a = self.meta_ref(*left, env);
                let b = self.lset(*right, env);
                match op {
                    SetCmpOp::Overlaps => a.overlaps(&b),
                    SetCmpOp::Subset => a.is_subset(&b),
                    SetCmpOp::Superset => b.is_subset(&a),
                    SetCmpOp::Eq => a == b,
                }
            }
            PredNode::IsEmpty(m) => self.meta_ref(*m, env).is_empty(),
            PredNode::IsUniversal(m) => self.meta_ref(*m, env).is_universal(),
        }
    }

    fn lit(&self, v: &ValCode) -> Value {
        match v {
            ValCode::Str(s) => Value::Str(self.module.strings[*s as usize].clone()),
            ValCode::Int(i) => Value::Int(*i),
            ValCode::Float(f) => Value::Float(*f),
            ValCode::Bool(b) => Value::Bool(*b),
            ValCode::Datetime(s, n) => Value::Datetime(*s, *n),
            ValCode::Arg(_) | ValCode::Result => Value::None,
        }
    }

    /// A meta field: borrowed when it is one meta's own set (no copy of spilled words on the
    /// check path), computed for the `@args` aggregates.
    pub fn meta_ref<'e>(&self, m: MetaRefCode, env: &Env<'e>) -> Cow<'e, LabelSet> {
        let pick = |meta: &'e Meta, f: Field| -> &'e LabelSet {
            match f {
                Field::Tags => &meta.tags,
                Field::Producers => &meta.producers,
                Field::Consumers => &meta.consumers,
            }
        };
        match m {
            MetaRefCode::Arg(a, f) => Cow::Borrowed(pick(self.arg_meta(a, env), f)),
            MetaRefCode::Result(f) => {
                Cow::Borrowed(pick(env.result.map_or(&BOTTOM, |r| &r.meta), f))
            }
            MetaRefCode::Session(f) => Cow::Borrowed(pick(env.session, f)),
            MetaRefCode::ArgsUnion(f) => {
                Cow::Owned(env.args.iter().fold(LabelSet::empty(), |mut acc, (_, mv)| {
                    acc.union_assign(pick(&mv.meta, f));
                    acc
                }))
            }
            MetaRefCode::ArgsIntersect(f) => Cow::Owned(env.args.iter().fold(
                LabelSet::universal(),
                |mut acc, (_, mv)| {
                    acc.intersect_assign(pick(&mv.meta, f));
                    acc
                },
            )),
        }
    }

    /// A label-set expression: literal masks and meta fields borrowed, the rest computed.
    pub fn lset<'e>(&'e self, id: LSetId, env: &Env<'e>) -> Cow<'e, LabelSet> {
        let set = match &self.module.lsets[id as usize] {
            LSetNode::Mask(m) => return Cow::Borrowed(&self.module.masks[*m as usize]),
            LSetNode::Meta(m) => return self.meta_ref(*m, env),
            LSetNode::Bin(op, a, b) => {
                let (a, b) = (self.lset(*a, env), self.lset(*b, env));
                match op {
                    SetOp::Union => a.union(&b),
                    SetOp::Intersect => a.intersect(&b),
                    SetOp::Minus => a.minus(&b),
                    SetOp::Xor => a.xor(&b),
                }
            }
            LSetNode::With {
                set,
                label,
                without,
            } => match (label, without) {
                (None, false) => LabelSet::universal(),
                (None, true) => LabelSet::empty(),
                (Some(l), false) => self.lset(*set, env).with(*l),
                (Some(l), true) => self.lset(*set, env).without(*l),
            },
        };
        Cow::Owned(set)
    }

    /// `v in S` for one value (sqrt.md §5.3).
    fn member(&self, v: &Value, id: VSetId, env: &Env<'_>) -> bool {
        if matches!(v, Value::None | Value::List(_) | Value::Dict(_)) {
            return false;
        }
        match &self.module.vsets[id as usize] {
            VSetNode::Labels(l) => {
                let set = self.lset(*l, env);
                match v {
                    // A label never interned is in exactly the co-finite sets.
                    Value::Str(s) => env
                        .labels
                        .get(s)
                        .map_or(set.is_cofinite(), |l| set.contains(l)),
                    _ => set.is_cofinite(),
                }
            }
            VSetNode::Lit(elems) => elems.iter().any(|e| self.elem(e, v)),
            VSetNode::Bin(op, a, b) => {
                let (a, b) = (self.member(v, *a, env), self.member(v, *b, env));
                match op {
                    SetOp::Union => a || b,
                    SetOp::Intersect => a && b,
                    SetOp::Minus => a && !b,
                    SetOp::Xor => a ^ b,
                }
            }
            VSetNode::With {
                set,
                elem,
                without: false,
            } => self.member(v, *set, env) || self.elem(elem, v),
            VSetNode::With {
                set,
                elem,
                without: true,
            } => self.member(v, *set, env) && !self.elem(elem, v),
        }
    }

    fn str_of(&self, id: StrId) -> &str {
        &self.module.strings[id as usize]
    }

    /// `v ∈ {e}` for one literal element.
    pub fn elem(&self, e: &ElemCode, v: &Value) -> bool {
        match e {
            ElemCode::Any => true,
            ElemCode::Str(s) => matches!(v, Value::Str(x) if x == self.str_of(*s)),
            ElemCode::Regex(r) => {
                matches!(v, Value::Str(x) if self.regexes[*r as usize].is_match(x))
            }
            ElemCode::Wild(w) => {
                matches!(v, Value::Str(x) if self.wildcards[*w as usize].is_match(x))
            }
            ElemCode::Int(n) => num_cmp(v, NumCode::Int(*n)) == Some(Ordering::Equal),
            ElemCode::Float(n) => num_cmp(v, NumCode::Float(*n)) == Some(Ordering::Equal),
            ElemCode::Domain(d) => self.domain(d, v),
        }
    }

    fn domain(&self, d: &DomainCode, v: &Value) -> bool {
        match d {
            DomainCode::Bool(b) => matches!(v, Value::Bool(x) if x == b),
            DomainCode::Int(r) => matches!(v, Value::Int(_)) && in_range(r, |b| num_cmp(v, *b)),
            DomainCode::Float(r) => {
                matches!(v, Value::Int(_) | Value::Float(_)) && in_range(r, |b| num_cmp(v, *b))
            }
            DomainCode::Str { pat, length } => {
                let Value::Str(s) = v else { return false };
                let pat_ok = match pat {
                    StrPatCode::Exact(x) => s == self.str_of(*x),
                    StrPatCode::Regex(r) => self.regexes[*r as usize].is_match(s),
                    StrPatCode::Wild(w) => self.wildcards[*w as usize].is_match(s),
                };
                pat_ok
                    && length.as_ref().is_none_or(|r| {
                        let n = Value::Int(s.chars().count() as i64);
                        in_range(r, |b| num_cmp(&n, *b))
                    })
            }
            DomainCode::Datetime(r) => {
                let t = match v {
                    Value::Datetime(s, n) => (*s, *n),
                    Value::Str(s) => match parse_iso(s) {
                        Ok(i) => (i.secs, i.nanos),
                        Err(_) => return false,
                    },
                    _ => return false,
                };
                in_range(r, |b| Some(t.cmp(b)))
            }
        }
    }
}

/// `cmp(value, bound)` within a range: every present bound must hold.
fn in_range<B>(r: &RangeCode<B>, cmp: impl Fn(&B) -> Option<Ordering>) -> bool {
    let lo = match &r.lo {
        BoundCode::Unbounded => true,
        BoundCode::Incl(b) => matches!(cmp(b), Some(Ordering::Greater | Ordering::Equal)),
        BoundCode::Excl(b) => cmp(b) == Some(Ordering::Greater),
    };
    let hi = match &r.hi {
        BoundCode::Unbounded => true,
        BoundCode::Incl(b) => matches!(cmp(b), Some(Ordering::Less | Ordering::Equal)),
        BoundCode::Excl(b) => cmp(b) == Some(Ordering::Less),
    };
    lo && hi
}

/// Exact comparison of an int or float value with a number; `None` for other kinds or NaN.
fn num_cmp(v: &Value, n: NumCode) -> Option<Ordering> {
    match (v, n) {
        (Value::Int(a), NumCode::Int(b)) => Some(a.cmp(&b)),
        (Value::Int(a), NumCode::Float(b)) => int_float_cmp(*a, b),
        (Value::Float(a), NumCode::Int(b)) => int_float_cmp(b, *a).map(Ordering::reverse),
        (Value::Float(a), NumCode::Float(b)) => a.partial_cmp(&b),
        _ => None,
    }
}

/// Exact `i ? f` without rounding `i` to f64.
fn int_float_cmp(i: i64, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    // 2^63 as f64 is exact; every finite f64 ≥ 2^63 exceeds every i64.
    if f >= 9_223_372_036_854_775_808.0 {
        return Some(Ordering::Less);
    }
    if f < -9_223_372_036_854_775_808.0 {
        return Some(Ordering::Greater);
    }
    let t = f.trunc();
    match i.cmp(&(t as i64)) {
        Ordering::Equal if f > t => Some(Ordering::Less),
        Ordering::Equal if f < t => Some(Ordering::Greater),
        o => Some(o),
    }
}

/// `v1 == v2` for two non-None values (sqrt.md §5.3).
pub fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::None, Value::None) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(_) | Value::Float(_), Value::Int(y)) => {
            num_cmp(a, NumCode::Int(*y)) == Some(Ordering::Equal)
        }
        (Value::Int(_) | Value::Float(_), Value::Float(y)) => {
            num_cmp(a, NumCode::Float(*y)) == Some(Ordering::Equal)
        }
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::Datetime(s, n), Value::Datetime(s2, n2)) => (s, n) == (s2, n2),
        (Value::Datetime(s, n), Value::Str(t)) | (Value::Str(t), Value::Datetime(s, n)) => {
            parse_iso(t).is_ok_and(|i| (i.secs, i.nanos) == (*s, *n))
        }
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| values_equal(a, b))
        }
        (Value::Dict(x), Value::Dict(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.iter().any(|(k2, v2)| k == k2 && values_equal(v, v2)))
        }
        _ => false,
    }
}

/// Which meta an update block writes as `@result` and `@session`.
pub struct BlockState<'a> {
    pub session: &'a mut Meta,
    pub result: Option<&'a mut MetaValue>,
}

fn field_mut(meta: &mut Meta, f: Field) -> &mut LabelSet {
    match f {
        Field::Tags => &mut meta.tags,
        Field::Producers => &mut meta.producers,
        Field::Consumers => &mut meta.consumers,
    }
}

/// The reserved (`__`) tags of `tags`, as far as the table knows them.
pub fn reserved_tags(tags: &LabelSet, labels: &Labels) -> LabelSet {
    if tags.is_cofinite() {
        LabelSet::from_labels(
            labels
                .iter()
                .filter(|(l, n)| n.starts_with("__") && tags.contains(*l))
                .map(|(l, _)| l),
        )
    } else {
        LabelSet::from_labels(tags.listed().filter(|l| labels.name(*l).starts_with("__")))
    }
}

impl Interp {
    /// Runs update statements top to bottom (each sees the earlier ones). With `user`, each
    /// statement re-adds the reserved tags its target held before it (sqrt.md §4.4).
    pub fn run_block(
        &self,
        stmts: &[StmtCode],
        args: &Args,
        labels: &Labels,
        state: &mut BlockState<'_>,
        user: bool,
    ) {
        for stmt in stmts {
            if let Some(c) = stmt.cond {
                let env = Env {
                    args,
                    session: state.session,
                    result: state.result.as_deref(),
                    labels,
                };
                if !self.pred(c, &env) {
                    continue;
                }
            }
            for u in &stmt.updates {
                let env = Env {
                    args,
                    session: state.session,
                    result: state.result.as_deref(),
                    labels,
                };
                let value = self.lset(u.value, &env).into_owned();
                let meta = match (u.target, state.result.as_deref_mut()) {
                    (TargetCode::Result, Some(r)) => &mut r.meta,
                    // `@result` outside the result lifecycle is rejected by the checker; be total.
                    (TargetCode::Result, None) => continue,
                    (TargetCode::Session, _) => &mut *state.session,
                };
                let slot = field_mut(meta, u.field);
                let kept = (user && u.field == Field::Tags).then(|| reserved_tags(slot, labels));
                match u.op {
                    AssignOp::Set => *slot = value,
                    AssignOp::Union => slot.union_assign(&value),
                    AssignOp::Intersect => slot.intersect_assign(&value),
                    AssignOp::Minus => slot.minus_assign(&value),
                    AssignOp::Xor => slot.xor_assign(&value),
                }
                if let Some(kept) = kept {
                    slot.union_assign(&kept);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_float_comparison_is_exact() {
        assert_eq!(int_float_cmp(3, 3.0), Some(Ordering::Equal));
        assert_eq!(int_float_cmp(3, 3.5), Some(Ordering::Less));
        assert_eq!(int_float_cmp(-3, -3.5), Some(Ordering::Greater));
        assert_eq!(
            int_float_cmp(i64::MAX, 9_223_372_036_854_775_808.0),
            Some(Ordering::Less)
        );
        assert_eq!(
            int_float_cmp(i64::MIN, -9_223_372_036_854_775_808.0),
            Some(Ordering::Equal)
        );
        assert_eq!(int_float_cmp(0, f64::INFINITY), Some(Ordering::Less));
        assert_eq!(int_float_cmp(0, f64::NAN), None);
    }

    #[test]
    fn wildcards_match_whole_strings() {
        let w = wildcard_regex("/srv/*.t?t").unwrap();
        assert!(w.is_match("/srv/a/b.txt"));
        assert!(!w.is_match("x/srv/a.txt"));
        assert!(!w.is_match("/srv/a.txt.bak"));
        assert!(wildcard_regex("a.b").unwrap().is_match("a.b"));
        assert!(!wildcard_regex("a.b").unwrap().is_match("axb"));
        let r = full_match_regex(r".*@trustedcorp\.com").unwrap();
        assert!(r.is_match("user@trustedcorp.com"));
        assert!(!r.is_match("admin@trustedcorp.com.evil.net"));
        assert!(full_match_regex("a|b").unwrap().is_match("b"));
        assert!(!full_match_regex("a|b").unwrap().is_match("ab"));
    }

    #[test]
    fn equality_follows_the_spec() {
        assert!(!values_equal(&Value::Bool(true), &Value::Int(1)));
        assert!(values_equal(&Value::Int(1), &Value::Float(1.0)));
        assert!(values_equal(
            &Value::Datetime(0, 0),
            &Value::Str("1970-01-01".into())
        ));
        assert!(!values_equal(&Value::Str("1".into()), &Value::Int(1)));
        let d1 = Value::Dict(vec![
            ("a".into(), Value::Int(1)),
            ("b".into(), Value::Int(2)),
        ]);
        let d2 = Value::Dict(vec![
            ("b".into(), Value::Float(2.0)),
            ("a".into(), Value::Int(1)),
        ]);
        assert!(values_equal(&d1, &d2));
        // Inside containers None equals None (the top-level None rule is applied by the caller).
        let l = Value::List(vec![Value::Int(1), Value::None]);
        assert!(values_equal(&l, &l.clone()));
        assert!(!values_equal(&l, &Value::List(vec![Value::Int(1)])));
    }
}
