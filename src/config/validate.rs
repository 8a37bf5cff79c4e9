//! Cross-field checks of a parsed policy. Pure: no file or environment access (the key
//! variables and CA files are read when runtime state is built). Every failure is collected so
//! the operator fixes the file in one pass.

use super::{Policy, UpstreamConfig, UpstreamKind};
use std::collections::HashSet;

/// One validation failure: the dotted path of the field and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

pub(super) fn join(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("  - {e}"))
        .collect::<Vec<_>>()
        .join("\n")
}

impl Policy {
    /// Check every rule; `Err` holds all failures, in file order.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut push = |field: String, message: String| errors.push(FieldError { field, message });

        if self.upstreams.is_empty() {
            push(
                "upstream".into(),
                "at least one [[upstream]] is required".into(),
            );
        }
        let names: HashSet<&str> = self.upstreams.iter().map(|u| u.name.as_str()).collect();
        let mut seen = HashSet::new();
        for (i, upstream) in self.upstreams.iter().enumerate() {
            let at = format!("upstream[{i}]");
            if !seen.insert(upstream.name.as_str()) {
                push(
                    format!("{at}.name"),
                    format!("duplicate upstream name `{}`", upstream.name),
                );
            }
            check_upstream(upstream, &at, &names, &mut push);
        }

        if !self.listen.ip().is_loopback() && !self.auth.enabled() {
            push(
                "auth".into(),
                format!(
                    "listen address {} is not loopback, so [auth] keys_env or key_sha256 is required",
                    self.listen
                ),
            );
        }
        if let Some(var) = &self.auth.keys_env {
            if var.trim().is_empty() {
                push(
                    "auth.keys_env".into(),
                    "must name an environment variable".into(),
                );
            }
        }
        for (i, digest) in self.auth.key_sha256.iter().enumerate() {
            if digest.len() != 64 || !digest.bytes().all(|b| b.is_ascii_hexdigit()) {
                push(
                    format!("auth.key_sha256[{i}]"),
                    "must be 64 hex characters (a SHA-256 digest of the key)".into(),
                );
            }
        }
        check_ensembles(self, &mut push);
        if let Some(judge) = self.monitor.as_ref().and_then(|m| m.judge.as_ref()) {
            if !self
                .upstreams
                .iter()
                .any(|u| u.models.contains(&judge.model))
            {
                push(
                    "monitor.judge.model".into(),
                    format!("no upstream serves model `{}`", judge.model),
                );
            }
        }
        for (field, message) in self.detector.problems() {
            push(field, message);
        }
        if let Some(tenants) = &self.tenants {
            for (field, message) in tenants
                .problems()
                .into_iter()
                .chain(tenants.problems_with_auth(&self.auth))
            {
                push(field, message);
            }
        }
        if self.limits.max_body_bytes == 0 {
            push(
                "limits.max_body_bytes".into(),
                "must be greater than 0".into(),
            );
        }

        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

fn check_sim(upstream: &UpstreamConfig, at: &str, push: &mut impl FnMut(String, String)) {
    if upstream.agents.is_empty() {
        push(
            format!("{at}.agents"),
            "required for kind \"sim\" (at least one agent)".into(),
        );
    }
    let mut seen = HashSet::new();
    for (j, agent) in upstream.agents.iter().enumerate() {
        if agent.name.trim().is_empty() {
            push(format!("{at}.agents[{j}].name"), "must not be empty".into());
        } else if !seen.insert(agent.name.as_str()) {
            push(
                format!("{at}.agents[{j}].name"),
                format!("`{}` is given twice", agent.name),
            );
        }
        if !agent.weights.to_array().iter().all(|w| w.is_finite()) {
            push(
                format!("{at}.agents[{j}].weights"),
                "must be finite numbers".into(),
            );
        }
        if let Some(t) = agent.temperature {
            if !(t.is_finite() && t > 0.0) {
                push(
                    format!("{at}.agents[{j}].temperature"),
                    "must be a finite number > 0".into(),
                );
            }
        }
    }
    for (j, model) in upstream.models.iter().enumerate() {
        if !upstream.agents.iter().any(|a| &a.name == model) {
            push(
                format!("{at}.models[{j}]"),
                format!("`{model}` is not one of this sim upstream's agents"),
            );
        }
    }
}

fn check_upstream(
    upstream: &UpstreamConfig,
    at: &str,
    names: &HashSet<&str>,
    push: &mut impl FnMut(String, String),
) {
    if upstream.name.trim().is_empty() {
        push(format!("{at}.name"), "must not be empty".into());
    }
    match upstream.kind {
        UpstreamKind::Openai => match upstream.base_url.as_deref() {
            None => push(
                format!("{at}.base_url"),
                "required for kind \"openai\"".into(),
            ),
            Some(url) => {
                if let Err(message) = check_base_url(url) {
                    push(format!("{at}.base_url"), message);
                }
            }
        },
        UpstreamKind::Replay => {
            if upstream.dir.is_none() {
                push(
                    format!("{at}.dir"),
                    "required for kind \"replay\" (a ValueBench-format folder)".into(),
                );
            }
        }
        UpstreamKind::Sim => check_sim(upstream, at, push),
    }
    if let Some(var) = &upstream.api_key_env {
        if var.trim().is_empty() {
            push(
                format!("{at}.api_key_env"),
                "must name an environment variable".into(),
            );
        }
    }
    if upstream.models.is_empty() {
        push(
            format!("{at}.models"),
            "must list at least one model".into(),
        );
    }
    for (j, model) in upstream.models.iter().enumerate() {
        if model.trim().is_empty() {
            push(format!("{at}.models[{j}]"), "must not be empty".into());
        }
    }
    if upstream.timeout_ms == 0 {
        push(format!("{at}.timeout_ms"), "must be greater than 0".into());
    }
    if upstream.connect_timeout_ms == 0 {
        push(
            format!("{at}.connect_timeout_ms"),
            "must be greater than 0".into(),
        );
    }
    if upstream.backoff_max_ms < upstream.backoff_ms {
        push(
            format!("{at}.backoff_max_ms"),
            "must be at least backoff_ms".into(),
        );
    }
    if upstream.breaker_failures > 0 && upstream.breaker_open_ms == 0 {
        push(
            format!("{at}.breaker_open_ms"),
            "must be greater than 0 when the breaker is enabled".into(),
        );
    }
    for (j, target) in upstream.fallback.iter().enumerate() {
        if target == &upstream.name {
            push(
                format!("{at}.fallback[{j}]"),
                "an upstream cannot fall back to itself".into(),
            );
        } else if !names.contains(target.as_str()) {
            push(
                format!("{at}.fallback[{j}]"),
                format!("no upstream named `{target}`"),
            );
        }
    }
}

/// Each ensemble's own rules, plus: its name is not also an upstream model or another
/// ensemble, and every member's model is served by some upstream.
fn check_ensembles(policy: &Policy, push: &mut impl FnMut(String, String)) {
    let served: HashSet<&str> = policy
        .upstreams
        .iter()
        .flat_map(|u| u.models.iter().map(String::as_str))
        .collect();
    let mut names = HashSet::new();
    for (i, ensemble) in policy.ensembles.iter().enumerate() {
        for (field, message) in ensemble.problems(i) {
            push(field, message);
        }
        if served.contains(ensemble.name.as_str()) {
            push(
                format!("ensemble[{i}].name"),
                format!("`{}` is also an upstream model", ensemble.name),
            );
        }
        if !names.insert(ensemble.name.as_str()) {
            push(
                format!("ensemble[{i}].name"),
                format!("duplicate ensemble name `{}`", ensemble.name),
            );
        }
        for member in &ensemble.members {
            if let Ok(spec) = crate::route::steer::parse_member(member) {
                if !served.contains(spec.model.as_str()) {
                    push(
                        format!("ensemble[{i}].members"),
                        format!("no upstream serves model `{}`", spec.model),
                    );
                }
            }
        }
    }
}

fn check_base_url(url: &str) -> Result<(), String> {
    let uri: http::Uri = url.parse().map_err(|e| format!("not a valid URL: {e}"))?;
    match uri.scheme_str() {
        Some("http") | Some("https") => {}
        _ => return Err("must start with http:// or https://".into()),
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err("must include a host".into());
    }
    if uri.query().is_some() {
        return Err("must not include a query string".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::config::{Policy, PolicyError};

    const VALID: &str = r#"
listen = "127.0.0.1:0"
[[upstream]]
name = "a"
kind = "openai"
base_url = "http://127.0.0.1:9/v1"
models = ["m1", "m2"]
fallback = ["b"]
[[upstream]]
name = "b"
kind = "openai"
base_url = "https://example.invalid/v1"
models = ["m1"]
"#;

    #[test]
    fn valid_policy_loads_with_defaults() {
        let policy = Policy::from_toml_str(VALID).unwrap();
        assert_eq!(policy.upstreams.len(), 2);
        assert_eq!(policy.upstreams[0].timeout_ms, 60_000);
        assert_eq!(policy.upstreams[0].retries, 2);
        assert_eq!(policy.limits.max_body_bytes, 1024 * 1024);
        assert_eq!(policy.model_names(), vec!["m1", "m2"]);
    }

    #[test]
    fn unknown_field_is_rejected_with_its_name() {
        let text = VALID.replace("models = [\"m1\"]\n", "models = [\"m1\"]\ncolour = 1\n");
        let err = Policy::from_toml_str(&text).unwrap_err().to_string();
        assert!(err.contains("colour"), "{err}");
    }

    #[test]
    fn every_error_is_reported_at_once_with_its_field() {
        let text = r#"
listen = "0.0.0.0:8080"
[[upstream]]
name = "a"
kind = "openai"
base_url = "ftp://x"
models = []
timeout_ms = 0
fallback = ["a", "zz"]
[auth]
key_sha256 = ["nothex"]
[limits]
max_body_bytes = 0
"#;
        let Err(PolicyError::Invalid(errors)) = Policy::from_toml_str(text) else {
            panic!("expected validation errors");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        for expected in [
            "upstream[0].base_url",
            "upstream[0].models",
            "upstream[0].timeout_ms",
            "upstream[0].fallback[0]",
            "upstream[0].fallback[1]",
            "auth.key_sha256[0]",
            "limits.max_body_bytes",
        ] {
            assert!(
                fields.contains(&expected),
                "missing {expected} in {fields:?}"
            );
        }
    }

    #[test]
    fn non_loopback_listen_requires_auth() {
        let text = VALID.replace("127.0.0.1:0", "0.0.0.0:8080");
        let Err(PolicyError::Invalid(errors)) = Policy::from_toml_str(&text) else {
            panic!("expected validation errors");
        };
        assert_eq!(errors[0].field, "auth");
        let with_auth = format!("{text}\n[auth]\nkeys_env = \"PLURALIS_KEYS\"\n");
        assert!(Policy::from_toml_str(&with_auth).is_ok());
    }

    #[test]
    fn duplicate_names_and_missing_upstreams_are_errors() {
        let text = VALID.replace("name = \"b\"", "name = \"a\"");
        let err = Policy::from_toml_str(&text).unwrap_err().to_string();
        assert!(err.contains("duplicate upstream name"), "{err}");
        let err = Policy::from_toml_str("").unwrap_err().to_string();
        assert!(err.contains("upstream: at least one"), "{err}");
    }
}
