use super::*;
use crate::config::TenantKeyConfig;
use http::header::AUTHORIZATION;

fn config(keys: Vec<TenantKeyConfig>, use_header: bool) -> TenantsConfig {
    TenantsConfig {
        names: vec!["cardiology".into(), "oncology".into()],
        header: "x-pluralis-tenant".into(),
        use_header,
        keys,
    }
}

fn digest_key(key: &str, tenant: &str) -> TenantKeyConfig {
    TenantKeyConfig {
        key_sha256: Some(hex::encode(Sha256::digest(key.as_bytes()))),
        key_env: None,
        tenant: tenant.into(),
    }
}

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
    map
}

fn no_env(_: &str) -> Option<String> {
    None
}

#[test]
fn without_a_tenants_table_requests_have_no_tenant() {
    let resolver = TenantResolver::from_config(None).unwrap();
    assert_eq!(
        resolver.resolve(&headers(&[("x-pluralis-tenant", "cardiology")])),
        None
    );
    assert!(resolver.names().is_empty());
}

#[test]
fn the_header_names_a_declared_tenant_and_anything_else_is_other() {
    let resolver = TenantResolver::from_config_with(Some(&config(vec![], true)), no_env).unwrap();
    let tenant = |value: &str| resolver.resolve(&headers(&[("x-pluralis-tenant", value)]));
    assert_eq!(tenant("cardiology").as_deref(), Some("cardiology"));
    assert_eq!(tenant(" Oncology ").as_deref(), Some("oncology"));
    for claimed in ["radiology", "", "cardiology2", "other", "card\u{0}"] {
        if let Ok(value) = claimed.parse::<http::HeaderValue>() {
            let mut map = HeaderMap::new();
            map.insert("x-pluralis-tenant", value);
            assert_eq!(
                resolver.resolve(&map).as_deref(),
                Some("other"),
                "{claimed:?}"
            );
        }
    }
    assert_eq!(
        resolver.resolve(&HeaderMap::new()).as_deref(),
        Some("other")
    );
    // Not valid UTF-8 text: other, never the raw bytes.
    let mut map = HeaderMap::new();
    map.insert(
        "x-pluralis-tenant",
        http::HeaderValue::from_bytes(b"\xffcardiology").unwrap(),
    );
    assert_eq!(resolver.resolve(&map).as_deref(), Some("other"));
}

#[test]
fn a_mapped_key_wins_over_the_header() {
    let keys = vec![digest_key("sk-cardio", "cardiology")];
    let resolver = TenantResolver::from_config_with(Some(&config(keys, true)), no_env).unwrap();
    let got = resolver.resolve(&headers(&[
        ("authorization", "Bearer sk-cardio"),
        ("x-pluralis-tenant", "oncology"),
    ]));
    assert_eq!(got.as_deref(), Some("cardiology"));
    // An unmapped key falls back to the header.
    let got = resolver.resolve(&headers(&[
        ("authorization", "Bearer sk-unknown"),
        ("x-pluralis-tenant", "oncology"),
    ]));
    assert_eq!(got.as_deref(), Some("oncology"));
}

#[test]
fn with_the_header_off_only_keys_identify_tenants() {
    let keys = vec![digest_key("sk-onc", "oncology")];
    let resolver = TenantResolver::from_config_with(Some(&config(keys, false)), no_env).unwrap();
    let mut map = headers(&[("x-pluralis-tenant", "cardiology")]);
    assert_eq!(resolver.resolve(&map).as_deref(), Some("other"));
    map.insert(AUTHORIZATION, "Bearer sk-onc".parse().unwrap());
    assert_eq!(resolver.resolve(&map).as_deref(), Some("oncology"));
}

#[test]
fn keys_from_the_environment_are_hashed_and_a_missing_variable_is_an_error() {
    let keys = vec![TenantKeyConfig {
        key_sha256: None,
        key_env: Some("ONC_KEY".into()),
        tenant: "oncology".into(),
    }];
    let cfg = config(keys, true);
    let env = |var: &str| (var == "ONC_KEY").then(|| " sk-env ".to_owned());
    let resolver = TenantResolver::from_config_with(Some(&cfg), env).unwrap();
    let got = resolver.resolve(&headers(&[("authorization", "Bearer sk-env")]));
    assert_eq!(got.as_deref(), Some("oncology"));
    let err = TenantResolver::from_config_with(Some(&cfg), no_env).unwrap_err();
    assert!(err.contains("ONC_KEY") && !err.contains("sk-env"), "{err}");
    // The resolver's debug form shows digests, never the key.
    assert!(!format!("{resolver:?}").contains("sk-env"));
}

#[test]
fn one_key_mapped_to_two_tenants_is_refused() {
    let keys = vec![
        digest_key("sk-x", "cardiology"),
        digest_key("sk-x", "oncology"),
    ];
    assert!(TenantResolver::from_config_with(Some(&config(keys, true)), no_env).is_err());
}

proptest::proptest! {
    /// Whatever a client sends, the tenant is a declared name or `other`.
    #[test]
    fn any_header_value_resolves_to_a_declared_name_or_other(
        value in proptest::collection::vec(proptest::num::u8::ANY, 0..80),
        key in "[ -~]{0,40}",
    ) {
        let keys = vec![digest_key("sk-cardio", "cardiology")];
        let resolver = TenantResolver::from_config_with(Some(&config(keys, true)), no_env).unwrap();
        let mut map = HeaderMap::new();
        if let Ok(v) = http::HeaderValue::from_bytes(&value) {
            map.insert("x-pluralis-tenant", v);
        }
        if let Ok(v) = http::HeaderValue::from_str(&format!("Bearer {key}")) {
            map.insert(AUTHORIZATION, v);
        }
        let got = resolver.resolve(&map).unwrap();
        proptest::prop_assert!(["cardiology", "oncology", "other"].contains(&got.as_str()));
    }
}
