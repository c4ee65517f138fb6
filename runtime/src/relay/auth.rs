//! Relay keys and tenants (protocol.md §2).
//!
//! Keys are held only as SHA-256 digests. A presented key is hashed and compared in constant
//! time against every configured digest, with no early exit, so neither the position of a
//! match nor a partial match shows in the timing. With no keys configured, auth is off and
//! every request belongs to the tenant `local` (the server then refuses non-loopback listens).

use axum::http::{HeaderMap, header};
use sha2::{Digest, Sha256};
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

use super::config::{ConfigError, KeyEntry};
use super::error::{ApiError, ErrorCode};

/// The tenant when auth is off.
pub const LOCAL_TENANT: &str = "local";

/// The configured relay keys, as digests with their tenant ids.
#[derive(Clone, Default)]
pub struct KeyRing {
    keys: Vec<([u8; 32], String)>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Digests are not secrets, but there is no reason to print them either.
        f.debug_struct("KeyRing")
            .field("keys", &self.keys.len())
            .finish()
    }
}

/// The SHA-256 of a key, lower-case hex, as written in `[[keys]] sha256`.
pub fn key_digest_hex(key: &str) -> String {
    Sha256::digest(key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn decode_hex(hex: &str) -> Option<[u8; 32]> {
    if hex.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

impl KeyRing {
    /// Builds the ring from `[[keys]]`; `env` looks up variables (injected for tests).
    pub fn from_config(
        keys: &[KeyEntry],
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<KeyRing, ConfigError> {
        let mut ring = KeyRing::default();
        for (i, key) in keys.iter().enumerate() {
            let digest = match (&key.sha256, &key.env) {
                (Some(hex), _) => decode_hex(&hex.to_ascii_lowercase()).ok_or_else(|| {
                    ConfigError(format!("keys[{i}].sha256: expected 64 hexadecimal digits"))
                })?,
                (None, Some(var)) => match env(var) {
                    Some(value) if !value.is_empty() => Sha256::digest(value.as_bytes()).into(),
                    _ => {
                        return Err(ConfigError(format!(
                            "keys[{i}].env: the environment variable {var} is not set"
                        )));
                    }
                },
                (None, None) => {
                    return Err(ConfigError(format!(
                        "keys[{i}]: give exactly one of sha256 and env"
                    )));
                }
            };
            ring.keys.push((digest, key.id.clone()));
        }
        Ok(ring)
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The tenant of a request, from its `Authorization: Bearer <key>` header.
    pub fn authenticate(&self, headers: &HeaderMap) -> Result<String, ApiError> {
        if self.keys.is_empty() {
            return Ok(LOCAL_TENANT.to_string());
        }
        let denied = || {
            ApiError::new(
                ErrorCode::InvalidApiKey,
                "missing or invalid relay key: send Authorization: Bearer <key>",
            )
        };
        let value = headers.get(header::AUTHORIZATION).ok_or_else(denied)?;
        let text = value.to_str().map_err(|_| denied())?;
        let (scheme, key) = text.split_once(' ').ok_or_else(denied)?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(denied());
        }
        self.tenant_of(key.trim()).ok_or_else(denied)
    }

    /// The tenant whose key this is. Every digest is compared, whatever matched before.
    pub fn tenant_of(&self, key: &str) -> Option<String> {
        let digest: [u8; 32] = Sha256::digest(key.as_bytes()).into();
        let mut found = Choice::from(0);
        let mut index = 0u32;
        for (i, (candidate, _)) in self.keys.iter().enumerate() {
            let equal = candidate.ct_eq(&digest);
            index.conditional_assign(&(i as u32), equal);
            found |= equal;
        }
        bool::from(found).then(|| self.keys[index as usize].1.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ring() -> KeyRing {
        let keys = vec![
            KeyEntry {
                id: "alpha".into(),
                sha256: Some(key_digest_hex("key-a")),
                env: None,
            },
            KeyEntry {
                id: "beta".into(),
                sha256: None,
                env: Some("BETA".into()),
            },
        ];
        KeyRing::from_config(&keys, |v| (v == "BETA").then(|| "key-b".to_string())).unwrap()
    }

    fn bearer(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn known_digest_of_test() {
        // sha256("test"), a published test vector.
        assert_eq!(
            key_digest_hex("test"),
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
        );
    }

    #[test]
    fn keys_map_to_tenants() {
        let r = ring();
        assert_eq!(r.authenticate(&bearer("Bearer key-a")).unwrap(), "alpha");
        assert_eq!(r.authenticate(&bearer("bearer key-b")).unwrap(), "beta");
        for bad in [
            "Bearer key-c",
            "Basic key-a",
            "key-a",
            "Bearer ",
            "Bearer key-a2",
        ] {
            let e = r.authenticate(&bearer(bad)).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidApiKey, "{bad}");
        }
        assert_eq!(
            r.authenticate(&HeaderMap::new()).unwrap_err().code,
            ErrorCode::InvalidApiKey
        );
    }

    #[test]
    fn no_keys_means_local_tenant() {
        let r = KeyRing::default();
        assert_eq!(r.authenticate(&HeaderMap::new()).unwrap(), LOCAL_TENANT);
    }

    #[test]
    fn env_key_must_be_set() {
        let keys = vec![KeyEntry {
            id: "x".into(),
            sha256: None,
            env: Some("MISSING".into()),
        }];
        let e = KeyRing::from_config(&keys, |_| None).unwrap_err();
        assert!(e.0.contains("MISSING"), "{e}");
    }
}
