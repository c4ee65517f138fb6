//! Session storage (protocol.md §5): the [`SessionStore`] trait and the in-process
//! [`MemoryStore`].
//!
//! A request works on its session under a lease, and commits by one compare-and-set on the
//! record's version when its response is ready, so a failed request changes nothing. A new
//! session is only created at that commit, so a failed first request leaves no session.
//!
//! A session's state ([`SessionState`]) travels as its owner's decoded value whenever it can:
//! the [`MemoryStore`] keeps that value as is, so a request on an in-process session pays no
//! decoding and no encoding; a store outside the process (Redis, protocol.md §5) calls
//! [`SessionState::encoded`] when it writes and hands back [`SessionState::Encoded`] bytes,
//! which the owner decodes. Both forms mean the same session; the bytes are the contract.

use std::any::Any;
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use uuid::Uuid;

use super::error::{ApiError, ErrorCode};

/// A session's state in the form its owner (an agent architecture) reads fastest.
#[derive(Clone, Debug)]
pub enum SessionState {
    /// The serialized form, versioned by its owner: what a store outside the process keeps.
    Encoded(Vec<u8>),
    /// The owner's decoded value, shared with the store that keeps it; never mutated (a request
    /// works on a copy and commits a new value).
    Decoded(Arc<dyn LiveState>),
}

/// A decoded session state that can encode itself for a store outside the process.
pub trait LiveState: Any + Send + Sync + fmt::Debug {
    /// The bytes [`SessionState::Encoded`] would hold for this state.
    fn encode(&self) -> Result<Vec<u8>, String>;
}

impl Default for SessionState {
    fn default() -> Self {
        SessionState::Encoded(Vec::new())
    }
}

impl SessionState {
    /// The serialized form (encoding a decoded state).
    pub fn encoded(&self) -> Result<Cow<'_, [u8]>, StoreError> {
        match self {
            SessionState::Encoded(bytes) => Ok(Cow::Borrowed(bytes)),
            SessionState::Decoded(live) => live
                .encode()
                .map(Cow::Owned)
                .map_err(|e| StoreError::Unavailable(format!("cannot encode the session: {e}"))),
        }
    }

    /// The decoded value, if the state is held decoded as a `T`.
    pub fn decoded<T: LiveState>(&self) -> Option<&T> {
        match self {
            SessionState::Decoded(live) => (live.as_ref() as &dyn Any).downcast_ref::<T>(),
            SessionState::Encoded(_) => None,
        }
    }

    /// The state as a `T` a request may change: a copy of the decoded value, or `decode` of
    /// the bytes. `None` when neither works (another owner's state, unreadable bytes).
    pub fn read<T: LiveState + Clone>(&self, decode: impl FnOnce(&[u8]) -> Option<T>) -> Option<T> {
        match self {
            SessionState::Decoded(_) => self.decoded::<T>().cloned(),
            SessionState::Encoded(bytes) => decode(bytes),
        }
    }
}

/// Two states are equal when they hold the same value, or encode to the same bytes.
impl PartialEq for SessionState {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (SessionState::Decoded(a), SessionState::Decoded(b)) if Arc::ptr_eq(a, b) => true,
            _ => match (self.encoded(), other.encoded()) {
                (Ok(a), Ok(b)) => a == b,
                _ => false,
            },
        }
    }
}

impl Eq for SessionState {}

/// One session, as stored. The engine's state (VM snapshot, transcripts, session meta) is
/// opaque here; the format inside is versioned by its owner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRecord {
    pub id: Uuid,
    pub tenant: String,
    /// Bumped by every successful `save`; `create` stores version 1.
    pub version: u64,
    pub turn: u32,
    /// The resolved controls fixed at creation (`headers::Controls` as JSON). Shared: every
    /// load copies the record, and the controls never change.
    pub config: Arc<serde_json::Value>,
    /// Milliseconds since the Unix epoch.
    pub created_at_ms: u64,
    pub state: SessionState,
}

impl SessionRecord {
    pub fn new(tenant: impl Into<String>, config: impl Into<Arc<serde_json::Value>>) -> Self {
        SessionRecord {
            id: Uuid::new_v4(),
            tenant: tenant.into(),
            version: 0,
            turn: 0,
            config: config.into(),
            created_at_ms: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as u64),
            state: SessionState::default(),
        }
    }
}

/// A held lease; only its holder can release it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaseToken(pub Uuid);

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreError {
    /// Unknown, expired, or another tenant's.
    NotFound,
    /// Another request holds the lease.
    Busy,
    /// The stored version is not the expected one: another request committed first.
    Conflict,
    /// The tenant has `max_per_tenant` live sessions.
    TooManySessions,
    /// `create` with an id that exists.
    Exists,
    Unavailable(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::NotFound => f.write_str("session not found"),
            StoreError::Busy => f.write_str("session busy"),
            StoreError::Conflict => f.write_str("session changed concurrently"),
            StoreError::TooManySessions => f.write_str("too many sessions"),
            StoreError::Exists => f.write_str("session exists"),
            StoreError::Unavailable(m) => write!(f, "session store unavailable: {m}"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        let (code, message) = match &e {
            StoreError::NotFound => (ErrorCode::SessionNotFound, "session not found".to_string()),
            StoreError::Busy | StoreError::Conflict => (
                ErrorCode::SessionBusy,
                "another request on this session is in progress; retry".to_string(),
            ),
            StoreError::TooManySessions => (
                ErrorCode::TooManySessions,
                "this tenant has too many open sessions".to_string(),
            ),
            StoreError::Exists => (ErrorCode::InternalError, e.to_string()),
            StoreError::Unavailable(_) => (ErrorCode::StoreUnavailable, e.to_string()),
        };
        ApiError::new(code, message)
    }
}

pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>;

/// Where sessions live. Implementations must make `lease` and `save` atomic.
pub trait SessionStore: Send + Sync {
    /// Stores a new session at version 1, counting it against its tenant's limit.
    fn create(&self, record: SessionRecord) -> StoreFuture<'_, SessionRecord>;
    /// The session `id` if it exists, is live and belongs to `tenant`.
    fn load<'a>(&'a self, id: Uuid, tenant: &'a str) -> StoreFuture<'a, SessionRecord>;
    /// Takes the session's lease for `ttl`; fails with `Busy` while another lease is live.
    fn lease(&self, id: Uuid, ttl: Duration) -> StoreFuture<'_, LeaseToken>;
    /// Replaces the record if its stored version is `expected_version`; returns the new
    /// version. Refreshes the idle TTL.
    fn save(&self, record: SessionRecord, expected_version: u64) -> StoreFuture<'_, u64>;
    /// Gives up a lease; a stale token is ignored.
    fn release<'a>(&'a self, id: Uuid, token: &'a LeaseToken) -> StoreFuture<'a, ()>;
    fn delete(&self, id: Uuid) -> StoreFuture<'_, ()>;
    /// Live sessions, for `sqrt_sessions_active`.
    fn active(&self) -> StoreFuture<'_, usize>;
    /// Whether the store answers (`/health`).
    fn ping(&self) -> StoreFuture<'_, ()>;
}

/// TTLs and limits of a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoreLimits {
    pub idle_ttl: Duration,
    pub max_ttl: Duration,
    pub max_per_tenant: usize,
}

impl Default for StoreLimits {
    fn default() -> Self {
        StoreLimits {
            idle_ttl: Duration::from_secs(3600),
            max_ttl: Duration::from_secs(86400),
            max_per_tenant: 1000,
        }
    }
}

struct Entry {
    record: SessionRecord,
    created: Instant,
    touched: Instant,
    lease: Option<(Uuid, Instant)>,
}

impl Entry {
    fn live(&self, now: Instant, limits: &StoreLimits) -> bool {
        now.duration_since(self.touched) < limits.idle_ttl
            && now.duration_since(self.created) < limits.max_ttl
    }
}

/// Sessions in this process's memory: the default store. Records keep their state as the
/// owner left it (decoded, usually), so loading and saving copy pointers, not sessions.
pub struct MemoryStore {
    limits: StoreLimits,
    sessions: Mutex<Sessions>,
}

/// The map behind the lock. Expired sessions are dropped when touched, and all at once at most
/// once per [`SWEEP_EVERY`] (or when a tenant's count reaches its limit, or `active` is asked),
/// so no request scans every session.
struct Sessions {
    map: HashMap<Uuid, Entry>,
    /// Entries per tenant, expired ones included until they are dropped.
    per_tenant: HashMap<String, usize>,
    last_sweep: Instant,
}

/// How often expired sessions are swept even if nobody touches them.
const SWEEP_EVERY: Duration = Duration::from_secs(1);

impl Sessions {
    fn remove(&mut self, id: &Uuid) -> Option<Entry> {
        let entry = self.map.remove(id)?;
        if let Some(n) = self.per_tenant.get_mut(&entry.record.tenant) {
            *n -= 1;
            if *n == 0 {
                self.per_tenant.remove(&entry.record.tenant);
            }
        }
        Some(entry)
    }

    fn sweep(&mut self, now: Instant, limits: &StoreLimits) {
        self.last_sweep = now;
        let expired: Vec<Uuid> = self
            .map
            .iter()
            .filter(|(_, e)| !e.live(now, limits))
            .map(|(id, _)| *id)
            .collect();
        for id in expired {
            self.remove(&id);
        }
    }

    /// The live entry `id`; an expired one is dropped.
    fn live(&mut self, id: Uuid, now: Instant, limits: &StoreLimits) -> Option<&mut Entry> {
        if self.map.get(&id).is_some_and(|e| !e.live(now, limits)) {
            self.remove(&id);
        }
        self.map.get_mut(&id)
    }
}

impl MemoryStore {
    pub fn new(limits: StoreLimits) -> Self {
        MemoryStore {
            limits,
            sessions: Mutex::new(Sessions {
                map: HashMap::new(),
                per_tenant: HashMap::new(),
                last_sweep: Instant::now(),
            }),
        }
    }

    /// Runs `f` on the sessions. The lock is never held across an await, and a poisoned lock
    /// only means a panic elsewhere: the map itself stays valid.
    fn with<T>(&self, f: impl FnOnce(&mut Sessions, Instant) -> T) -> T {
        let mut sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        if now.duration_since(sessions.last_sweep) >= SWEEP_EVERY {
            sessions.sweep(now, &self.limits);
        }
        f(&mut sessions, now)
    }
}

fn ready<T: Send + 'static>(r: Result<T, StoreError>) -> StoreFuture<'static, T> {
    Box::pin(std::future::ready(r))
}

impl SessionStore for MemoryStore {
    fn create(&self, mut record: SessionRecord) -> StoreFuture<'_, SessionRecord> {
        ready(self.with(|s, now| {
            if s.live(record.id, now, &self.limits).is_some() {
                return Err(StoreError::Exists);
            }
            let count = |s: &Sessions| s.per_tenant.get(&record.tenant).copied().unwrap_or(0);
            if count(s) >= self.limits.max_per_tenant {
                // The count may include expired sessions: only a sweep can say.
                s.sweep(now, &self.limits);
                if count(s) >= self.limits.max_per_tenant {
                    return Err(StoreError::TooManySessions);
                }
            }
            record.version = 1;
            *s.per_tenant.entry(record.tenant.clone()).or_insert(0) += 1;
            s.map.insert(
                record.id,
                Entry {
                    record: record.clone(),
                    created: now,
                    touched: now,
                    lease: None,
                },
            );
            Ok(record)
        }))
    }

    fn load<'a>(&'a self, id: Uuid, tenant: &'a str) -> StoreFuture<'a, SessionRecord> {
        ready(self.with(|s, now| match s.live(id, now, &self.limits) {
            Some(e) if e.record.tenant == tenant => Ok(e.record.clone()),
            _ => Err(StoreError::NotFound),
        }))
    }

    fn lease(&self, id: Uuid, ttl: Duration) -> StoreFuture<'_, LeaseToken> {
        ready(self.with(|s, now| {
            let entry = s.live(id, now, &self.limits).ok_or(StoreError::NotFound)?;
            if entry.lease.is_some_and(|(_, until)| until > now) {
                return Err(StoreError::Busy);
            }
            let token = Uuid::new_v4();
            entry.lease = Some((token, now + ttl));
            Ok(LeaseToken(token))
        }))
    }

    fn save(&self, record: SessionRecord, expected_version: u64) -> StoreFuture<'_, u64> {
        ready(self.with(|s, now| {
            let entry = s
                .live(record.id, now, &self.limits)
                .ok_or(StoreError::NotFound)?;
            if entry.record.version != expected_version || entry.record.tenant != record.tenant {
                return Err(StoreError::Conflict);
            }
            let version = expected_version + 1;
            entry.record = SessionRecord { version, ..record };
            entry.touched = now;
            Ok(version)
        }))
    }

    fn release<'a>(&'a self, id: Uuid, token: &'a LeaseToken) -> StoreFuture<'a, ()> {
        ready(self.with(|s, _| {
            if let Some(entry) = s.map.get_mut(&id)
                && entry.lease.is_some_and(|(held, _)| held == token.0)
            {
                entry.lease = None;
            }
            Ok(())
        }))
    }

    fn delete(&self, id: Uuid) -> StoreFuture<'_, ()> {
        ready(self.with(|s, _| {
            s.remove(&id);
            Ok(())
        }))
    }

    fn active(&self) -> StoreFuture<'_, usize> {
        ready(self.with(|s, now| {
            s.sweep(now, &self.limits);
            Ok(s.map.len())
        }))
    }

    fn ping(&self) -> StoreFuture<'_, ()> {
        ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(max: usize, idle_ms: u64) -> MemoryStore {
        MemoryStore::new(StoreLimits {
            idle_ttl: Duration::from_millis(idle_ms),
            max_ttl: Duration::from_secs(60),
            max_per_tenant: max,
        })
    }

    #[tokio::test]
    async fn create_load_is_per_tenant() {
        let s = store(10, 60_000);
        let r = s
            .create(SessionRecord::new("a", serde_json::Value::Null))
            .await
            .unwrap();
        assert_eq!(r.version, 1);
        assert_eq!(s.load(r.id, "a").await.unwrap(), r);
        assert_eq!(s.load(r.id, "b").await, Err(StoreError::NotFound));
        assert_eq!(s.load(Uuid::new_v4(), "a").await, Err(StoreError::NotFound));
        assert_eq!(s.create(r.clone()).await, Err(StoreError::Exists));
    }

    #[tokio::test]
    async fn lease_is_exclusive_until_released_or_expired() {
        let s = store(10, 60_000);
        let r = s
            .create(SessionRecord::new("a", serde_json::Value::Null))
            .await
            .unwrap();
        let t1 = s.lease(r.id, Duration::from_secs(30)).await.unwrap();
        assert_eq!(
            s.lease(r.id, Duration::from_secs(30)).await,
            Err(StoreError::Busy)
        );
        // A stale token does not free someone else's lease.
        s.release(r.id, &LeaseToken(Uuid::new_v4())).await.unwrap();
        assert_eq!(
            s.lease(r.id, Duration::from_secs(30)).await,
            Err(StoreError::Busy)
        );
        s.release(r.id, &t1).await.unwrap();
        let _t2 = s.lease(r.id, Duration::from_millis(20)).await.unwrap();
        tokio::time::sleep(Duration::from_millis(40)).await;
        assert!(s.lease(r.id, Duration::from_secs(1)).await.is_ok());
        assert_eq!(
            s.lease(Uuid::new_v4(), Duration::from_secs(1)).await,
            Err(StoreError::NotFound)
        );
    }

    #[tokio::test]
    async fn save_is_compare_and_set() {
        let s = store(10, 60_000);
        let mut r = s
            .create(SessionRecord::new("a", serde_json::Value::Null))
            .await
            .unwrap();
        r.state = SessionState::Encoded(b"one".to_vec());
        assert_eq!(s.save(r.clone(), 1).await, Ok(2));
        // A second writer that read version 1 loses.
        r.state = SessionState::Encoded(b"two".to_vec());
        assert_eq!(s.save(r.clone(), 1).await, Err(StoreError::Conflict));
        let now = s.load(r.id, "a").await.unwrap();
        assert_eq!(now.state, SessionState::Encoded(b"one".to_vec()));
        assert_eq!(now.version, 2);
        // A record cannot change tenant.
        let mut foreign = now.clone();
        foreign.tenant = "b".into();
        assert_eq!(s.save(foreign, 2).await, Err(StoreError::Conflict));
        s.delete(r.id).await.unwrap();
        assert_eq!(s.load(r.id, "a").await, Err(StoreError::NotFound));
        assert_eq!(s.save(now, 2).await, Err(StoreError::NotFound));
    }

    #[tokio::test]
    async fn idle_sessions_expire_and_saves_refresh() {
        let s = store(10, 150);
        let r = s
            .create(SessionRecord::new("a", serde_json::Value::Null))
            .await
            .unwrap();
        let gone = s
            .create(SessionRecord::new("a", serde_json::Value::Null))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        s.save(r.clone(), 1).await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(s.load(r.id, "a").await.is_ok());
        assert_eq!(s.load(gone.id, "a").await, Err(StoreError::NotFound));
        assert_eq!(s.active().await, Ok(1));
    }

    #[tokio::test]
    async fn tenant_limit_counts_live_sessions_only() {
        let s = store(2, 60_000);
        let a1 = s
            .create(SessionRecord::new("a", serde_json::Value::Null))
            .await
            .unwrap();
        s.create(SessionRecord::new("a", serde_json::Value::Null))
            .await
            .unwrap();
        assert_eq!(
            s.create(SessionRecord::new("a", serde_json::Value::Null))
                .await,
            Err(StoreError::TooManySessions)
        );
        // Other tenants are not affected.
        s.create(SessionRecord::new("b", serde_json::Value::Null))
            .await
            .unwrap();
        s.delete(a1.id).await.unwrap();
        s.create(SessionRecord::new("a", serde_json::Value::Null))
            .await
            .unwrap();
    }

    #[derive(Clone, Debug, PartialEq)]
    struct Counter(u32);

    impl LiveState for Counter {
        fn encode(&self) -> Result<Vec<u8>, String> {
            Ok(self.0.to_le_bytes().to_vec())
        }
    }

    #[tokio::test]
    async fn decoded_states_are_kept_as_given_and_encode_on_demand() {
        let s = store(10, 60_000);
        let mut r = SessionRecord::new("a", serde_json::Value::Null);
        let live: Arc<dyn LiveState> = Arc::new(Counter(7));
        r.state = SessionState::Decoded(live.clone());
        let r = s.create(r).await.unwrap();
        let loaded = s.load(r.id, "a").await.unwrap();
        let SessionState::Decoded(kept) = &loaded.state else {
            panic!("{:?}", loaded.state)
        };
        assert!(Arc::ptr_eq(kept, &live), "the store copies no session");
        assert_eq!(loaded.state.decoded::<Counter>(), Some(&Counter(7)));
        assert_eq!(
            loaded.state.read(|_| None::<Counter>),
            Some(Counter(7)),
            "a decoded state is copied, not decoded"
        );
        // Its encoded form is what a store outside the process would keep, and equal to it.
        assert_eq!(loaded.state.encoded().unwrap().as_ref(), 7u32.to_le_bytes());
        let bytes = SessionState::Encoded(7u32.to_le_bytes().to_vec());
        assert_eq!(loaded.state, bytes);
        assert_eq!(bytes.decoded::<Counter>(), None);
        let decode = |b: &[u8]| Some(Counter(u32::from_le_bytes(b.try_into().ok()?)));
        assert_eq!(bytes.read(decode), Some(Counter(7)));
        assert_eq!(SessionState::Encoded(vec![1]).read(decode), None);
    }

    #[tokio::test]
    async fn expired_sessions_count_against_no_limit() {
        let s = store(2, 50);
        let a = s
            .create(SessionRecord::new("a", serde_json::Value::Null))
            .await
            .unwrap();
        s.create(SessionRecord::new("a", serde_json::Value::Null))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(80)).await;
        // Not swept yet (sweeps run once a second), but expired: gone for every operation.
        assert_eq!(s.load(a.id, "a").await, Err(StoreError::NotFound));
        assert_eq!(
            s.lease(a.id, Duration::from_secs(1)).await,
            Err(StoreError::NotFound)
        );
        assert_eq!(s.save(a.clone(), 1).await, Err(StoreError::NotFound));
        // The tenant's count still holds the other expired one until a sweep drops it.
        s.create(SessionRecord::new("a", serde_json::Value::Null))
            .await
            .unwrap();
        s.create(SessionRecord::new("a", serde_json::Value::Null))
            .await
            .unwrap();
        assert_eq!(s.active().await, Ok(2));
    }

    #[test]
    fn store_errors_map_to_api_codes() {
        let code = |e: StoreError| ApiError::from(e).code;
        assert_eq!(code(StoreError::NotFound), ErrorCode::SessionNotFound);
        assert_eq!(code(StoreError::Busy), ErrorCode::SessionBusy);
        assert_eq!(
            code(StoreError::TooManySessions),
            ErrorCode::TooManySessions
        );
        assert_eq!(
            code(StoreError::Unavailable("x".into())),
            ErrorCode::StoreUnavailable
        );
    }
}
