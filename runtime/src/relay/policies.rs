//! The compile cache: X-Policy text turned into a checked, compiled policy once per distinct
//! (text, presets), so repeated requests with the same policy pay no compile cost
//! (protocol.md §6 step 1, issue 6).
//!
//! Two bounded maps share one eviction scheme: compiled policies keyed by (code, presets,
//! fail_fast), and the header check's diagnostics keyed by (code, tools), since a chat
//! request's policy is checked against its `tools` before anything runs. Keys are SHA-256
//! digests, so a tenant cannot craft a collision that hands it another tenant's policy. Each
//! key is compiled at most once even under concurrent first requests: later callers wait for
//! the first one's result. Compile errors are cached too (they are deterministic), so a client
//! repeating a broken policy does not make the relay recompile it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqrt_compiler::policy::{Engine, Policy, PolicyError};
use sqrt_std::prelude::{BranchingMetaPolicy, PresetLevel, Presets};

use super::compile::{SqrtCompiler, internal_error, located};
use super::controls::{self, BranchingMode, EnforcementLevel};
use super::error::Diagnostic;
use super::headers::PolicyCompiler;
use super::metrics::{CompileLabel, Metrics, StageLabel};

/// Distinct policies (and, separately, header checks) kept when `sqrt.toml` says nothing
/// (`[limits] policy_cache_entries`).
pub const DEFAULT_CAPACITY: usize = 256;

/// A compiled policy, or the diagnostics that refuse it.
pub type Compiled = Result<Arc<Policy>, Vec<Diagnostic>>;

/// The relay's compile cache (`RelayState::policies`). It is also the relay's default
/// [`PolicyCompiler`]: the header check is cached the same way.
pub struct PolicyCache {
    policies: Bounded<Compiled>,
    checks: Bounded<Arc<Vec<Diagnostic>>>,
    compiles: Family<CompileLabel, Counter>,
    hits: Family<StageLabel, Counter>,
}

impl std::fmt::Debug for PolicyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PolicyCache")
            .field("policies", &self.policies.len())
            .field("checks", &self.checks.len())
            .finish()
    }
}

impl PolicyCache {
    /// A cache of at most `capacity` policies and `capacity` header checks, counting its
    /// compiles and hits in `metrics` (`sqrt_policy_compiles_total`,
    /// `sqrt_policy_cache_hits_total`).
    pub fn new(capacity: usize, metrics: &Metrics) -> PolicyCache {
        PolicyCache {
            policies: Bounded::new(capacity),
            checks: Bounded::new(capacity),
            compiles: metrics.policy_compiles.clone(),
            hits: metrics.policy_cache_hits.clone(),
        }
    }

    /// The policy of `code` under `presets` (fail_fast on), compiled on first use.
    pub fn get_or_compile(&self, code: &str, presets: &Presets) -> Compiled {
        self.get_or_compile_with(code, presets, true)
    }

    /// The policy a request's resolved X-Policy describes: the one place where the relay's
    /// presets become sqrt-std's.
    pub fn for_controls(&self, policy: &controls::Policy) -> Compiled {
        self.get_or_compile_with(
            &policy.codes.code,
            &presets(&policy.presets),
            policy.fail_fast,
        )
    }

    /// `get_or_compile` with the host's `fail_fast` (it changes which rules are reported as
    /// fired, never the verdict).
    pub fn get_or_compile_with(&self, code: &str, presets: &Presets, fail_fast: bool) -> Compiled {
        // Presets serialize deterministically (a struct of plain fields).
        let presets_json = serde_json::to_vec(presets).unwrap_or_default();
        let key = digest(&[
            b"policy",
            code.as_bytes(),
            &presets_json,
            &[u8::from(fail_fast)],
        ]);
        let (compiled, hit) = self
            .policies
            .get_or_init(key, || compile(code, presets, fail_fast));
        self.count("compile", hit, compiled.is_ok());
        compiled
    }

    fn count(&self, stage: &str, hit: bool, ok: bool) {
        if hit {
            self.hits
                .get_or_create(&StageLabel {
                    stage: stage.into(),
                })
                .inc();
        } else {
            self.compiles
                .get_or_create(&CompileLabel {
                    stage: stage.into(),
                    outcome: if ok { "ok" } else { "error" }.into(),
                })
                .inc();
        }
    }
}

impl PolicyCompiler for PolicyCache {
    fn check(&self, code: &str, tools: Option<&Value>) -> Vec<Diagnostic> {
        let tools_json = tools.map(Value::to_string).unwrap_or_default();
        let key = digest(&[b"check", code.as_bytes(), tools_json.as_bytes()]);
        let (diagnostics, hit) = self
            .checks
            .get_or_init(key, || Arc::new(SqrtCompiler.check(code, tools)));
        let ok = !diagnostics.iter().any(|d| d.severity == "error");
        self.count("check", hit, ok);
        diagnostics.as_ref().clone()
    }
}

/// The request's presets (relay/controls.rs) as sqrt-std's.
pub fn presets(p: &controls::Presets) -> Presets {
    let level = |l: EnforcementLevel| match l {
        EnforcementLevel::Hard => PresetLevel::Hard,
        EnforcementLevel::Soft => PresetLevel::Soft,
    };
    let b = &p.branching_meta_policy;
    Presets {
        default_allow: p.default_allow,
        default_allow_enforcement_level: level(p.default_allow_enforcement_level),
        enable_non_executable_memory: p.enable_non_executable_memory,
        enable_llm_blocked_tag: p.enable_llm_blocked_tag,
        llm_blocked_tag_enforcement_level: level(p.llm_blocked_tag_enforcement_level),
        branching_meta_policy: BranchingMetaPolicy {
            allow_mode: b.mode == BranchingMode::Allow,
            tags: b.tags.clone(),
            producers: b.producers.clone(),
            consumers: b.consumers.clone(),
        },
    }
}

/// The decision log's `policy_hash`: SHA-256 of the policy text, lower-case hex, so an
/// operator can match a line to a policy file with `sha256sum`.
pub fn policy_hash(code: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(64);
    for b in Sha256::digest(code.as_bytes()) {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 15)]));
    }
    out
}

/// One uncached compile. Panics and load errors become diagnostics: fail closed.
fn compile(code: &str, presets: &Presets, fail_fast: bool) -> Compiled {
    let built = std::panic::catch_unwind(|| Policy::compile(code, presets));
    match built {
        Ok(Ok(mut policy)) => {
            policy.fail_fast = fail_fast;
            // The JIT; the interpreter (the oracle) where the JIT cannot compile this policy.
            Ok(Arc::new(policy.with_engine(Engine::Jit)))
        }
        Ok(Err(PolicyError::Compile(diagnostics))) => {
            let mut out = located(code, &diagnostics);
            if !out.iter().any(|d| d.severity == "error") {
                out.push(internal_error(
                    "the policy does not compile (no diagnostic was reported)",
                ));
            }
            Err(out)
        }
        Ok(Err(PolicyError::Load(message))) => Err(vec![internal_error(message)]),
        Err(_) => Err(vec![internal_error(
            "internal compiler error while compiling this policy",
        )]),
    }
}

/// SHA-256 over length-prefixed parts, so no two part lists share a digest by concatenation.
fn digest(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for part in parts {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part);
    }
    h.finalize().into()
}

/// A map of at most `capacity` entries that drops the least recently used one when full.
/// Values are computed outside the lock, once per key.
struct Bounded<V> {
    capacity: usize,
    inner: Mutex<Slots<V>>,
}

struct Slots<V> {
    map: HashMap<[u8; 32], Slot<V>>,
    clock: u64,
}

struct Slot<V> {
    cell: Arc<OnceLock<V>>,
    used: u64,
}

impl<V: Clone> Bounded<V> {
    fn new(capacity: usize) -> Bounded<V> {
        Bounded {
            capacity: capacity.max(1),
            inner: Mutex::new(Slots {
                map: HashMap::new(),
                clock: 0,
            }),
        }
    }

    fn len(&self) -> usize {
        self.lock().map.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Slots<V>> {
        // The lock guards no invariant a panic could break half-way: recover it.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The value of `key`, computing it with `make` if absent; and whether it was there.
    fn get_or_init(&self, key: [u8; 32], make: impl FnOnce() -> V) -> (V, bool) {
        let cell = {
            let mut slots = self.lock();
            slots.clock += 1;
            let now = slots.clock;
            if let Some(slot) = slots.map.get_mut(&key) {
                slot.used = now;
                slot.cell.clone()
            } else {
                if slots.map.len() >= self.capacity
                    && let Some(oldest) = slots
                        .map
                        .iter()
                        .min_by_key(|(_, s)| s.used)
                        .map(|(k, _)| *k)
                {
                    slots.map.remove(&oldest);
                }
                let cell = Arc::new(OnceLock::new());
                slots.map.insert(
                    key,
                    Slot {
                        cell: cell.clone(),
                        used: now,
                    },
                );
                cell
            }
        };
        let mut made = false;
        let value = cell.get_or_init(|| {
            made = true;
            make()
        });
        (value.clone(), !made)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str =
        r#"tool "send_email" { hard deny when not to.value in {str matching r".*@corp\.com"}; }"#;

    fn counter(m: &Metrics, stage: &str, outcome: &str) -> u64 {
        m.policy_compiles
            .get_or_create(&CompileLabel {
                stage: stage.into(),
                outcome: outcome.into(),
            })
            .get()
    }

    fn hits(m: &Metrics, stage: &str) -> u64 {
        m.policy_cache_hits
            .get_or_create(&StageLabel {
                stage: stage.into(),
            })
            .get()
    }

    #[test]
    fn a_policy_is_compiled_once_per_text_and_presets() {
        let m = Metrics::new();
        let cache = PolicyCache::new(8, &m);
        let a = cache.get_or_compile(SEED, &Presets::default()).unwrap();
        let b = cache.get_or_compile(SEED, &Presets::default()).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(counter(&m, "compile", "ok"), 1);
        assert_eq!(hits(&m, "compile"), 1);
        // Other presets are another policy.
        let strict = Presets {
            default_allow: false,
            ..Presets::default()
        };
        let c = cache.get_or_compile(SEED, &strict).unwrap();
        assert!(!Arc::ptr_eq(&a, &c));
        assert!(!c.presets().default_allow);
        assert_eq!(counter(&m, "compile", "ok"), 2);
        // And so is another fail_fast.
        let d = cache
            .get_or_compile_with(SEED, &Presets::default(), false)
            .unwrap();
        assert!(!d.fail_fast);
        assert_eq!(counter(&m, "compile", "ok"), 3);
    }

    #[test]
    fn errors_are_located_and_cached() {
        let m = Metrics::new();
        let cache = PolicyCache::new(8, &m);
        let code = "tool \"x\" {\n    hard deny when ;\n}\n";
        for _ in 0..3 {
            let errors = cache.get_or_compile(code, &Presets::default()).unwrap_err();
            let e = errors.iter().find(|d| d.severity == "error").unwrap();
            assert_eq!(e.line, 2, "{errors:?}");
            assert!(e.column > 1, "{errors:?}");
        }
        assert_eq!(counter(&m, "compile", "error"), 1);
        assert_eq!(hits(&m, "compile"), 2);
    }

    #[test]
    fn the_least_recently_used_entry_is_evicted() {
        let m = Metrics::new();
        let cache = PolicyCache::new(2, &m);
        let p = |n: u32| format!("tool \"t{n}\" -> @tags |= {{\"a\"}};");
        let presets = Presets::default();
        cache.get_or_compile(&p(1), &presets).unwrap();
        cache.get_or_compile(&p(2), &presets).unwrap();
        cache.get_or_compile(&p(1), &presets).unwrap(); // 1 is now the most recent
        cache.get_or_compile(&p(3), &presets).unwrap(); // evicts 2
        assert_eq!(cache.policies.len(), 2);
        assert_eq!(counter(&m, "compile", "ok"), 3);
        cache.get_or_compile(&p(1), &presets).unwrap();
        assert_eq!(counter(&m, "compile", "ok"), 3);
        cache.get_or_compile(&p(2), &presets).unwrap();
        assert_eq!(counter(&m, "compile", "ok"), 4);
    }

    #[test]
    fn header_checks_are_cached_per_tools() {
        let m = Metrics::new();
        let cache = PolicyCache::new(8, &m);
        let tools = serde_json::json!([{"type": "function", "function": {"name": "send_email",
            "parameters": {"type": "object", "properties": {"to": {"type": "string"}}}}}]);
        assert!(PolicyCompiler::check(&cache, SEED, Some(&tools)).is_empty());
        assert!(PolicyCompiler::check(&cache, SEED, Some(&tools)).is_empty());
        assert_eq!(counter(&m, "check", "ok"), 1);
        assert_eq!(hits(&m, "check"), 1);
        // Against tools without `to`, the same text is an error (E0211), computed anew.
        let other = serde_json::json!([{"type": "function", "function": {"name": "send_email",
            "parameters": {"type": "object", "properties": {"body": {"type": "string"}}}}}]);
        let d = PolicyCompiler::check(&cache, SEED, Some(&other));
        assert!(d.iter().any(|d| d.code == "E0211"), "{d:?}");
        assert_eq!(counter(&m, "check", "error"), 1);
    }

    #[test]
    fn concurrent_first_requests_compile_once() {
        let m = Metrics::new();
        let cache = Arc::new(PolicyCache::new(8, &m));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let cache = cache.clone();
                std::thread::spawn(move || cache.get_or_compile(SEED, &Presets::default()).is_ok())
            })
            .collect();
        for t in threads {
            assert!(t.join().unwrap());
        }
        assert_eq!(counter(&m, "compile", "ok"), 1);
        assert_eq!(hits(&m, "compile"), 7);
    }

    #[test]
    fn presets_map_field_by_field() {
        let relay = controls::Presets {
            default_allow: false,
            default_allow_enforcement_level: EnforcementLevel::Hard,
            enable_non_executable_memory: false,
            enable_llm_blocked_tag: true,
            llm_blocked_tag_enforcement_level: EnforcementLevel::Soft,
            branching_meta_policy: controls::BranchingMetaPolicy {
                mode: BranchingMode::Allow,
                producers: vec!["p".into()],
                tags: vec!["t".into()],
                consumers: vec!["c".into()],
            },
        };
        let std = presets(&relay);
        assert_eq!(
            std,
            Presets {
                default_allow: false,
                default_allow_enforcement_level: PresetLevel::Hard,
                enable_non_executable_memory: false,
                enable_llm_blocked_tag: true,
                llm_blocked_tag_enforcement_level: PresetLevel::Soft,
                branching_meta_policy: BranchingMetaPolicy {
                    allow_mode: true,
                    tags: vec!["t".into()],
                    producers: vec!["p".into()],
                    consumers: vec!["c".into()],
                },
            }
        );
        assert_eq!(presets(&controls::Presets::default()), Presets::default());
    }

    #[test]
    fn policy_hash_is_the_sha256_of_the_text() {
        assert_eq!(
            policy_hash(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
