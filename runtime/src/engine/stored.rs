//! A session at rest: as bytes ([`Session::to_bytes`], [`Engine::restore`]) for a store outside
//! the process, or parked ([`Session::park`], [`Engine::unpark`]) for one in memory.
//!
//! A [`Session`] cannot leave its thread: the VM's values are reference-counted. A
//! [`ParkedSession`] can: it holds the policy session, the pending call and the call log as
//! values and only the VM as its snapshot, so unparking decodes the VM and nothing else, and
//! its bytes are exactly the session's.

use serde::{Deserialize, Serialize};
use sqrt_compiler::policy::Session as PolicySession;
use sqrt_std::meta::Meta;
use sqrt_vm::{ErrorCode, Vm};

use super::{CallEntry, Engine, Pending, Session, SessionError};

/// `Session` as stored: `SQRTSESS`, `FORMAT` (u32 LE), the length of the JSON part (u64 LE),
/// this struct as JSON (verdict reports are JSON values), then the VM snapshot if there is
/// one. Bump `FORMAT` when this changes; there is no migration.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Stored {
    policy: PolicySession,
    pending: Option<Pending>,
    calls: Vec<CallEntry>,
    attempt: u32,
    calls_this_attempt: usize,
    host_stop: Option<(ErrorCode, String)>,
    last_stop: Option<Meta>,
    call_id_prefix: Option<String>,
}

const MAGIC: &[u8; 8] = b"SQRTSESS";
const FORMAT: u32 = 1;

/// A session between two steps, without a running VM; `Send + Sync`. Its bytes
/// ([`ParkedSession::to_bytes`]) are the session's ([`Session::to_bytes`]).
#[derive(Clone, Debug)]
pub struct ParkedSession {
    stored: Stored,
    /// The VM snapshot; empty before the first program.
    snapshot: Vec<u8>,
}

impl ParkedSession {
    /// The session as bytes: the JSON part, then the VM snapshot.
    pub fn to_bytes(&self) -> Result<Vec<u8>, SessionError> {
        let json = serde_json::to_vec(&self.stored).map_err(|e| SessionError(e.to_string()))?;
        let mut out = Vec::with_capacity(json.len() + self.snapshot.len() + 20);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT.to_le_bytes());
        out.extend_from_slice(&(json.len() as u64).to_le_bytes());
        out.extend_from_slice(&json);
        out.extend_from_slice(&self.snapshot);
        Ok(out)
    }

    /// Reads bytes written by `to_bytes`; the VM snapshot is checked when unparked. Never
    /// panics on any input.
    pub fn from_bytes(bytes: &[u8]) -> Result<ParkedSession, SessionError> {
        let unreadable = |what: &str| SessionError(format!("unreadable session: {what}"));
        let rest = bytes
            .strip_prefix(MAGIC.as_slice())
            .ok_or_else(|| unreadable("not a SQRT session"))?;
        let (format, rest) = rest
            .split_first_chunk::<4>()
            .ok_or_else(|| unreadable("truncated"))?;
        let format = u32::from_le_bytes(*format);
        if format != FORMAT {
            return Err(SessionError(format!(
                "session format {format} is not supported (expected {FORMAT})"
            )));
        }
        let (len, rest) = rest
            .split_first_chunk::<8>()
            .ok_or_else(|| unreadable("truncated"))?;
        let len = usize::try_from(u64::from_le_bytes(*len)).map_err(|_| unreadable("length"))?;
        if len > rest.len() {
            return Err(unreadable("truncated"));
        }
        let (json, snapshot) = rest.split_at(len);
        let stored: Stored =
            serde_json::from_slice(json).map_err(|e| unreadable(&e.to_string()))?;
        if stored.pending.is_some() && snapshot.is_empty() {
            return Err(SessionError("a pending call without a program".into()));
        }
        Ok(ParkedSession {
            stored,
            snapshot: snapshot.to_vec(),
        })
    }
}

impl Engine {
    /// A session saved by [`Session::to_bytes`]. Never panics on any input.
    pub fn restore(&self, bytes: &[u8]) -> Result<Session, SessionError> {
        self.unpark(&ParkedSession::from_bytes(bytes)?)
    }

    /// The session `parked` holds, its VM restored from the snapshot. The parked session is
    /// left as it was, so a host can keep it until the new state is committed.
    pub fn unpark(&self, parked: &ParkedSession) -> Result<Session, SessionError> {
        let vm = if parked.snapshot.is_empty() {
            None
        } else {
            Some(Vm::restore(&parked.snapshot).map_err(|e| SessionError(e.to_string()))?)
        };
        let s = parked.stored.clone();
        Ok(Session {
            policy: s.policy,
            vm,
            pending: s.pending,
            calls: s.calls,
            attempt: s.attempt,
            calls_this_attempt: s.calls_this_attempt,
            host_stop: s.host_stop,
            last_stop: s.last_stop,
            call_id_prefix: s.call_id_prefix,
        })
    }
}

impl Session {
    /// The session without its running VM (snapshotted): what a host keeps in memory between
    /// two steps ([`Engine::unpark`]).
    pub fn park(&self) -> Result<ParkedSession, SessionError> {
        let snapshot = self.snapshot()?;
        Ok(ParkedSession {
            stored: Stored {
                policy: self.policy.clone(),
                pending: self.pending.clone(),
                calls: self.calls.clone(),
                attempt: self.attempt,
                calls_this_attempt: self.calls_this_attempt,
                host_stop: self.host_stop.clone(),
                last_stop: self.last_stop.clone(),
                call_id_prefix: self.call_id_prefix.clone(),
            },
            snapshot,
        })
    }

    fn snapshot(&self) -> Result<Vec<u8>, SessionError> {
        match &self.vm {
            Some(vm) => vm.snapshot().map_err(|e| SessionError(e.to_string())),
            None => Ok(Vec::new()),
        }
    }

    /// `park`, consuming the session (nothing but the VM is copied).
    pub fn into_parked(self) -> Result<ParkedSession, SessionError> {
        let snapshot = self.snapshot()?;
        Ok(ParkedSession {
            stored: Stored {
                policy: self.policy,
                pending: self.pending,
                calls: self.calls,
                attempt: self.attempt,
                calls_this_attempt: self.calls_this_attempt,
                host_stop: self.host_stop,
                last_stop: self.last_stop,
                call_id_prefix: self.call_id_prefix,
            },
            snapshot,
        })
    }

    /// The whole session as bytes: VM snapshot, session meta, pending call, call log.
    pub fn to_bytes(&self) -> Result<Vec<u8>, SessionError> {
        self.park()?.to_bytes()
    }
}
