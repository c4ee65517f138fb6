//! The request's session (protocol.md §5), for both architectures: found by `X-Session-ID` or by
//! the session inside a relay call id, leased for the request, and continued under the
//! controls it was created with.

use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use super::super::controls::Controls;
use super::super::error::{ApiError, ErrorCode};
use super::super::headers::HeaderTexts;
use super::super::request::role;
use super::super::store::{LeaseToken, SessionRecord, SessionStore, StoreError};
use super::Job;

/// The relay id of a call: `tc-<session uuid>-<call uuid>`.
pub fn tool_call_id(session: Uuid, call: Uuid) -> String {
    format!("tc-{session}-{call}")
}

/// The session of a relay call id (characters 3..39), if the id has that form.
pub fn session_of_tool_call_id(id: &str) -> Option<Uuid> {
    let session = id.strip_prefix("tc-")?.get(..36)?;
    let call = id.get(39..)?.strip_prefix('-')?;
    (call.len() == 36 && Uuid::try_parse(call).is_ok())
        .then(|| Uuid::try_parse(session).ok())
        .flatten()
}

/// A held session lease; released explicitly, or on drop if the request was cancelled.
pub(crate) struct Lease {
    pub(crate) store: Arc<dyn SessionStore>,
    pub(crate) id: Uuid,
    pub(crate) token: Option<LeaseToken>,
}

impl Lease {
    /// Takes the session's lease (409 `session_busy` when another request holds it). The lease
    /// must outlive the longest request, since it is not renewed; it is released as soon as the
    /// request ends, cancelled or not.
    pub(crate) async fn acquire(job: &Job, record: &SessionRecord) -> Result<Lease, ApiError> {
        let config = &job.state.config;
        let ttl =
            Duration::from_secs(config.limits.request_timeout_s + config.sessions.lease_ttl_s);
        match job.state.store.lease(record.id, ttl).await {
            Ok(token) => Ok(Lease {
                store: job.state.store.clone(),
                id: record.id,
                token: Some(token),
            }),
            Err(e) => {
                if e == StoreError::Busy {
                    job.state.metrics.session_conflicts.inc();
                }
                Err(e.into())
            }
        }
    }

    pub(crate) async fn release(mut self) {
        if let Some(token) = self.token.take() {
            let _ = self.store.release(self.id, &token).await;
        }
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let Some(token) = self.token.take()
            && let Ok(handle) = tokio::runtime::Handle::try_current()
        {
            let store = self.store.clone();
            let id = self.id;
            handle.spawn(async move {
                let _ = store.release(id, &token).await;
            });
        }
    }
}

/// Finds the request's session (protocol.md §5 "Resolution"); `None` starts a new one.
pub(crate) async fn resolve_session(job: &Job) -> Result<Option<SessionRecord>, ApiError> {
    let store = &job.state.store;
    if let Some(header) = job.headers.get("x-session-id") {
        let id = header
            .to_str()
            .ok()
            .and_then(|s| Uuid::try_parse(s.trim()).ok())
            .ok_or_else(|| {
                ApiError::new(ErrorCode::SessionNotFound, "session not found")
                    .with_param("X-Session-ID")
            })?;
        return Ok(Some(store.load(id, &job.tenant).await?));
    }
    let messages = job.request.messages();
    let Some((i, last_tool)) = messages
        .iter()
        .enumerate()
        .rev()
        .find(|(_, m)| role(m) == "tool")
    else {
        return Ok(None);
    };
    let id = last_tool
        .get("tool_call_id")
        .and_then(Value::as_str)
        .unwrap_or("");
    let param = format!("messages[{i}].tool_call_id");
    let session = session_of_tool_call_id(id).ok_or_else(|| {
        ApiError::new(
            ErrorCode::InvalidToolCallId,
            format!("{param}: {id:?} is not a relay tool call id (tc-<session>-<call>)"),
        )
        .with_param(param.clone())
    })?;
    match store.load(session, &job.tenant).await {
        Ok(record) => Ok(Some(record)),
        // The old session is gone but the client moved on: its messages are history.
        Err(StoreError::NotFound) if messages.last().is_some_and(|m| role(m) == "user") => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The controls a stored session continues under: the ones it was created with, on the same
/// provider, continued by this request's headers (protocol.md §5). Shared by both architectures.
pub(crate) fn continued_controls(
    job: &Job,
    record: &SessionRecord,
    session_provider: &str,
) -> Result<Controls, ApiError> {
    let stored = Controls::deserialize(&*record.config).map_err(|_| incompatible())?;
    if session_provider != job.provider.name {
        return Err(ApiError::new(
            ErrorCode::ConfigMismatch,
            format!(
                "the session uses provider {session_provider:?}, not {:?}; the configuration is fixed when the session is created",
                job.provider.name
            ),
        ));
    }
    stored
        .continue_with(&job.controls, &HeaderTexts::from_headers(&job.headers))
        .map_err(|m| {
            ApiError::new(
                ErrorCode::ConfigMismatch,
                format!("{m}; the configuration is fixed when the session is created"),
            )
        })
}

pub(crate) fn incompatible() -> ApiError {
    ApiError::new(
        ErrorCode::SessionIncompatible,
        "the session was stored in a format this relay cannot read",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_call_ids_round_trip() {
        let s = Uuid::new_v4();
        let id = tool_call_id(s, Uuid::new_v4());
        assert_eq!(id.len(), 76);
        assert_eq!(session_of_tool_call_id(&id), Some(s));
        assert_eq!(&id[3..39], s.to_string());
        for bad in [
            "call_1",
            "tc-",
            "tc-123",
            &id[..75],
            &format!("{id}x"),
            &id.replacen('-', "_", 1),
        ] {
            assert_eq!(session_of_tool_call_id(bad), None, "{bad}");
        }
    }
}
