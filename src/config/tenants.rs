//! `[tenants]`: which tenants (wards, departments, client applications) the deployment serves
//! and how a request names its own. Plain config data; the resolver that reads requests lives
//! in `crate::server::tenant`.
//!
//! Tenant names become stats scopes and Prometheus label values, so only declared names are
//! ever used: anything else a request sends lands in the fixed [`OTHER_TENANT`] bucket. A
//! client key mapped to a tenant wins over the header, so a client identified by its key cannot
//! claim another tenant's name.

use serde::Deserialize;

/// Default request header naming the tenant.
pub const DEFAULT_TENANT_HEADER: &str = "x-pluralis-tenant";
/// The bucket for requests naming no declared tenant (reserved: cannot be declared).
pub const OTHER_TENANT: &str = "other";
/// Most tenants a policy may declare: each is a label value on several metrics.
pub const MAX_TENANTS: usize = 64;
/// Longest tenant name, in bytes.
pub const MAX_TENANT_NAME_BYTES: usize = 64;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantsConfig {
    /// The declared tenants: lowercase ASCII letters, digits, `-`, `_`, `.`; at most 64 names
    /// of at most 64 bytes; `other` is reserved. Required (at least one).
    pub names: Vec<String>,
    /// Request header naming the tenant (matched to a declared name ignoring ASCII case).
    /// Default `x-pluralis-tenant`.
    #[serde(default = "default_header")]
    pub header: String,
    /// Whether the header is read at all. `false`: only `keys` identify tenants. Default true.
    #[serde(default = "default_true")]
    pub use_header: bool,
    /// Client keys (`Authorization: Bearer`) mapped to tenants (`[[tenants.keys]]`). A mapped
    /// key decides the tenant whatever the header says. Default none.
    #[serde(default)]
    pub keys: Vec<TenantKeyConfig>,
}

/// One `[[tenants.keys]]` entry: exactly one of `key_sha256` / `key_env`, and the tenant.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantKeyConfig {
    /// Lowercase hex SHA-256 digest of the client key (`printf %s KEY | sha256sum`).
    #[serde(default)]
    pub key_sha256: Option<String>,
    /// Name of an environment variable holding the key (hashed when the state is built; the
    /// key itself is never kept or logged).
    #[serde(default)]
    pub key_env: Option<String>,
    /// A declared tenant name.
    pub tenant: String,
}

fn default_header() -> String {
    DEFAULT_TENANT_HEADER.to_owned()
}
fn default_true() -> bool {
    true
}

/// Why a string is not a usable tenant name, if it is not.
pub fn tenant_name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("must not be empty".into());
    }
    if name.len() > MAX_TENANT_NAME_BYTES {
        return Some(format!("longer than {MAX_TENANT_NAME_BYTES} bytes"));
    }
    let allowed = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b);
    if !name.bytes().all(allowed) {
        return Some(format!(
            "`{name}` may hold only lowercase ASCII letters, digits, `-`, `_` and `.`"
        ));
    }
    if name == OTHER_TENANT {
        return Some(format!(
            "`{OTHER_TENANT}` is reserved for requests naming no declared tenant"
        ));
    }
    None
}

impl TenantsConfig {
    /// Every problem with this table, each naming its field.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut push = |field: String, message: String| out.push((field, message));
        if self.names.is_empty() {
            push("tenants.names".into(), "declare at least one tenant".into());
        }
        if self.names.len() > MAX_TENANTS {
            push(
                "tenants.names".into(),
                format!("at most {MAX_TENANTS} tenants (each is a metric label value)"),
            );
        }
        let mut seen = std::collections::HashSet::new();
        for (i, name) in self.names.iter().enumerate() {
            if let Some(problem) = tenant_name_problem(name) {
                push(format!("tenants.names[{i}]"), problem);
            }
            if !seen.insert(name.as_str()) {
                push(
                    format!("tenants.names[{i}]"),
                    format!("duplicate tenant `{name}`"),
                );
            }
        }
        if self.use_header && http::HeaderName::from_bytes(self.header.as_bytes()).is_err() {
            push(
                "tenants.header".into(),
                "must be a valid HTTP header name".into(),
            );
        }
        if !self.use_header && self.keys.is_empty() {
            push(
                "tenants.use_header".into(),
                "with the header off, [[tenants.keys]] must map at least one key".into(),
            );
        }
        let mut digests = std::collections::HashSet::new();
        let mut vars = std::collections::HashSet::new();
        for (i, key) in self.keys.iter().enumerate() {
            let at = format!("tenants.keys[{i}]");
            match (&key.key_sha256, &key.key_env) {
                (Some(digest), None) => {
                    if digest.len() != 64
                        || !digest
                            .bytes()
                            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
                    {
                        push(
                            format!("{at}.key_sha256"),
                            "must be 64 lowercase hex characters (a SHA-256 digest of the key)"
                                .into(),
                        );
                    } else if !digests.insert(digest.as_str()) {
                        push(
                            format!("{at}.key_sha256"),
                            "this key is already mapped to a tenant".into(),
                        );
                    }
                }
                (None, Some(var)) => {
                    if var.trim().is_empty() {
                        push(
                            format!("{at}.key_env"),
                            "must name an environment variable".into(),
                        );
                    } else if !vars.insert(var.as_str()) {
                        push(
                            format!("{at}.key_env"),
                            "this variable is already mapped to a tenant".into(),
                        );
                    }
                }
                _ => push(
                    at.clone(),
                    "set exactly one of key_sha256 and key_env".into(),
                ),
            }
            if !self.names.contains(&key.tenant) {
                push(
                    format!("{at}.tenant"),
                    format!("`{}` is not in tenants.names", key.tenant),
                );
            }
        }
        out
    }

    /// Keys mapped here that `[auth]` would refuse: a request carrying one never reaches the
    /// tenant lookup. Only checkable when `[auth]` lists digests alone (no `keys_env`).
    pub fn problems_with_auth(&self, auth: &super::AuthConfig) -> Vec<(String, String)> {
        if !auth.enabled() || auth.keys_env.is_some() {
            return Vec::new();
        }
        self.keys
            .iter()
            .enumerate()
            .filter_map(|(i, key)| {
                let digest = key.key_sha256.as_ref()?;
                let accepted = auth
                    .key_sha256
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(digest));
                (!accepted).then(|| {
                    (
                        format!("tenants.keys[{i}].key_sha256"),
                        "not among [auth] key_sha256, so requests with this key are refused"
                            .to_owned(),
                    )
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
