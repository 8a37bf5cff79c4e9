//! Client authentication: `Authorization: Bearer <key>`, checked against SHA-256 digests of the
//! accepted keys (from `[auth] key_sha256`, and from the variable `[auth] keys_env` names, hashed
//! at build). Only digests are kept in memory; comparing digests leaks nothing useful by timing.

use crate::config::AuthConfig;
use http::{header, HeaderMap};
use sha2::{Digest, Sha256};
use std::collections::HashSet;

#[derive(Debug, Clone, Default)]
pub struct ClientAuth {
    /// `None` = authentication off (only allowed on loopback, enforced by validation).
    digests: Option<HashSet<[u8; 32]>>,
}

impl ClientAuth {
    pub fn from_config(config: &AuthConfig) -> Result<Self, String> {
        if !config.enabled() {
            return Ok(Self { digests: None });
        }
        let mut digests = HashSet::new();
        for hex_digest in &config.key_sha256 {
            let bytes = hex::decode(hex_digest)
                .map_err(|_| "key_sha256 entries must be hex".to_string())?;
            let digest: [u8; 32] = bytes
                .try_into()
                .map_err(|_| "key_sha256 entries must be 32 bytes".to_string())?;
            digests.insert(digest);
        }
        if let Some(var) = &config.keys_env {
            let keys = std::env::var(var)
                .map_err(|_| format!("environment variable {var} (keys_env) is not set"))?;
            for key in keys.split(',').map(str::trim).filter(|k| !k.is_empty()) {
                digests.insert(Sha256::digest(key.as_bytes()).into());
            }
        }
        if digests.is_empty() {
            return Err("auth is configured but no key is accepted".into());
        }
        Ok(Self {
            digests: Some(digests),
        })
    }

    /// Does this request carry an accepted key (or is auth off)?
    pub fn allows(&self, headers: &HeaderMap) -> bool {
        let Some(digests) = &self.digests else {
            return true;
        };
        bearer_digest(headers).is_some_and(|digest| digests.contains(&digest))
    }
}

/// SHA-256 digest of the request's `Authorization: Bearer` key, when it carries one (the key
/// itself is never kept).
pub fn bearer_digest(headers: &HeaderMap) -> Option<[u8; 32]> {
    let key = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))?;
    Some(Sha256::digest(key.trim().as_bytes()).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(auth: &str) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert(header::AUTHORIZATION, auth.parse().unwrap());
        map
    }

    #[test]
    fn hashed_keys_are_accepted_and_others_refused() {
        let config = AuthConfig {
            keys_env: None,
            key_sha256: vec![hex::encode(Sha256::digest(b"sekrit"))],
        };
        let auth = ClientAuth::from_config(&config).unwrap();
        assert!(auth.allows(&headers("Bearer sekrit")));
        assert!(!auth.allows(&headers("Bearer other")));
        assert!(!auth.allows(&headers("sekrit")));
        assert!(!auth.allows(&HeaderMap::new()));
    }

    #[test]
    fn disabled_auth_allows_everything() {
        let auth = ClientAuth::from_config(&AuthConfig::default()).unwrap();
        assert!(auth.allows(&HeaderMap::new()));
    }
}
