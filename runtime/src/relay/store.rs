//! Session storage (protocol.md §5): the [`SessionStore`] trait and the in-process
//! [`MemoryStore`].
//!
//! A request works on its session under a lease, and commits by one compare-and-set on the
//! record's version when its response is ready, so a failed request changes nothing. A new
//! session is only created at that commit, so a failed first request leaves no session.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use uuid::Uuid;

use super::error::{ApiError, ErrorCode};

/// One session, as stored. The engine's state (VM snapshot, transcripts, session meta) is
/// opaque bytes here; the format inside is versioned by its owner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRecord {
    pub id: Uuid,
    pub tenant: String,
    /// Bumped by every successful `save`; `create` stores version 1.
    pub version: u64,
    pub turn: u32,
    /// The resolved controls fixed at creation (`headers::Controls` as JSON).
    pub config: serde_json::Value,
    /// Milliseconds since the Unix epoch.
    pub created_at_ms: u64,
    pub state: Vec<u8>,
}

impl SessionRecord {
    pub fn new(tenant: impl Into<String>, config: serde_json::Value) -> Self {
        SessionRecord {
            id: Uuid::new_v4(),
            tenant: tenant.into(),
            version: 0,
            turn: 0,
            config,
            created_at_ms: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as u64),
            state: Vec::new(),
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

/// Sessions in this process's memory: the default store.
pub struct MemoryStore {
    limits: StoreLimits,
    sessions: Mutex<HashMap<Uuid, Entry>>,
}

impl MemoryStore {
    pub fn new(limits: StoreLimits) -> Self {
        MemoryStore {
            limits,
            sessions: Mutex::new(HashMap::new()),
        }
    }

    /// Runs `f` on the map with expired sessions removed. The lock is never held across an
    /// await, and a poisoned lock only means a panic elsewhere: the map itself stays valid.
    fn with<T>(&self, f: impl FnOnce(&mut HashMap<Uuid, Entry>, Instant) -> T) -> T {
        let mut map = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        map.retain(|_, e| e.live(now, &self.limits));
        f(&mut map, now)
    }
}

fn ready<T: Send + 'static>(r: Result<T, StoreError>) -> StoreFuture<'static, T> {
    Box::pin(std::future::ready(r))
}

impl SessionStore for MemoryStore {
    fn create(&self, mut record: SessionRecord) -> StoreFuture<'_, SessionRecord> {
        ready(self.with(|map, now| {
            if map.contains_key(&record.id) {
                return Err(StoreError::Exists);
            }
            let count = map
                .values()
                .filter(|e| e.record.tenant == record.tenant)
                .count();
            if count >= self.limits.max_per_tenant {
                return Err(StoreError::TooManySessions);
            }
            record.version = 1;
            map.insert(
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
        ready(self.with(|map, _| match map.get(&id) {
            Some(e) if e.record.tenant == tenant => Ok(e.record.clone()),
            _ => Err(StoreError::NotFound),
        }))
    }

    fn lease(&self, id: Uuid, ttl: Duration) -> StoreFuture<'_, LeaseToken> {
        ready(self.with(|map, now| {
            let entry = map.get_mut(&id).ok_or(StoreError::NotFound)?;
            if entry.lease.is_some_and(|(_, until)| until > now) {
                return Err(StoreError::Busy);
            }
            let token = Uuid::new_v4();
            entry.lease = Some((token, now + ttl));
            Ok(LeaseToken(token))
        }))
    }

    fn save(&self, record: SessionRecord, expected_version: u64) -> StoreFuture<'_, u64> {
        ready(self.with(|map, now| {
            let entry = map.get_mut(&record.id).ok_or(StoreError::NotFound)?;
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
        ready(self.with(|map, _| {
            if let Some(entry) = map.get_mut(&id)
                && entry.lease.is_some_and(|(held, _)| held == token.0)
            {
                entry.lease = None;
            }
            Ok(())
        }))
    }

    fn delete(&self, id: Uuid) -> StoreFuture<'_, ()> {
        ready(self.with(|map, _| {
            map.remove(&id);
            Ok(())
        }))
    }

    fn active(&self) -> StoreFuture<'_, usize> {
        ready(self.with(|map, _| Ok(map.len())))
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
        r.state = b"one".to_vec();
        assert_eq!(s.save(r.clone(), 1).await, Ok(2));
        // A second writer that read version 1 loses.
        r.state = b"two".to_vec();
        assert_eq!(s.save(r.clone(), 1).await, Err(StoreError::Conflict));
        let now = s.load(r.id, "a").await.unwrap();
        assert_eq!(now.state, b"one");
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
