//! Which tenant a request belongs to, by the policy's `[tenants]` table: a client key mapped to
//! a tenant first (the key is identity; a header is only a claim), then the tenant header, and
//! otherwise the fixed `other` bucket. Only declared names ever come out, so the tenants the
//! monitor counts and exports stay the policy's bounded list whatever clients send. Keys are
//! held as SHA-256 digests only, like `auth`.

use super::auth::bearer_digest;
use crate::config::{TenantsConfig, OTHER_TENANT};
use http::{HeaderMap, HeaderName};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

#[derive(Debug, Clone, Default)]
pub struct TenantResolver {
    /// `None`: no `[tenants]` table, requests have no tenant.
    rules: Option<Rules>,
}

#[derive(Debug, Clone)]
struct Rules {
    names: Vec<String>,
    header: Option<HeaderName>,
    /// Key digest to an index in `names`.
    keys: HashMap<[u8; 32], usize>,
}

impl TenantResolver {
    /// Built from the policy; reads the `key_env` variables.
    pub fn from_config(config: Option<&TenantsConfig>) -> Result<Self, String> {
        Self::from_config_with(config, |var| std::env::var(var).ok())
    }

    /// Built with `env` standing in for the process environment (tests).
    pub fn from_config_with(
        config: Option<&TenantsConfig>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, String> {
        let Some(config) = config else {
            return Ok(Self::default());
        };
        let header = if config.use_header {
            Some(
                HeaderName::from_bytes(config.header.as_bytes())
                    .map_err(|_| "tenants.header is not a valid header name".to_string())?,
            )
        } else {
            None
        };
        let mut keys = HashMap::new();
        for (i, entry) in config.keys.iter().enumerate() {
            let tenant = config
                .names
                .iter()
                .position(|n| *n == entry.tenant)
                .ok_or_else(|| format!("tenants.keys[{i}].tenant is not declared"))?;
            let digest: [u8; 32] = match (&entry.key_sha256, &entry.key_env) {
                (Some(hex_digest), _) => hex::decode(hex_digest)
                    .ok()
                    .and_then(|b| b.try_into().ok())
                    .ok_or_else(|| format!("tenants.keys[{i}].key_sha256 is not a digest"))?,
                (None, Some(var)) => {
                    let key = env(var).filter(|k| !k.trim().is_empty()).ok_or_else(|| {
                        format!("environment variable {var} (tenants.keys[{i}].key_env) is not set")
                    })?;
                    Sha256::digest(key.trim().as_bytes()).into()
                }
                (None, None) => return Err(format!("tenants.keys[{i}] names no key")),
            };
            if keys.insert(digest, tenant).is_some_and(|t| t != tenant) {
                return Err(format!(
                    "tenants.keys[{i}]: the same key is mapped to two tenants"
                ));
            }
        }
        Ok(Self {
            rules: Some(Rules {
                names: config.names.clone(),
                header,
                keys,
            }),
        })
    }

    /// The request's tenant: a declared name or `other`; `None` without `[tenants]`.
    pub fn resolve(&self, headers: &HeaderMap) -> Option<String> {
        let rules = self.rules.as_ref()?;
        let by_key = (!rules.keys.is_empty())
            .then(|| bearer_digest(headers))
            .flatten()
            .and_then(|digest| rules.keys.get(&digest));
        if let Some(&i) = by_key {
            return rules.names.get(i).cloned();
        }
        let by_header = rules
            .header
            .as_ref()
            .and_then(|h| headers.get(h))
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .and_then(|claimed| rules.names.iter().find(|n| n.eq_ignore_ascii_case(claimed)));
        Some(by_header.map_or_else(|| OTHER_TENANT.to_owned(), String::clone))
    }

    /// The declared names (empty without `[tenants]`).
    pub fn names(&self) -> &[String] {
        self.rules.as_ref().map_or(&[], |r| r.names.as_slice())
    }
}

#[cfg(test)]
mod tests;
