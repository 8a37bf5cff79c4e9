//! Fuzz the tenant lookup: whatever header value and bearer key a client sends, the tenant is a
//! declared name or `other`, never the raw value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pluralis::config::{TenantKeyConfig, TenantsConfig};
use pluralis::server::tenant::TenantResolver;

fuzz_target!(|data: &[u8]| {
    let config = TenantsConfig {
        names: vec!["cardiology".into(), "oncology".into()],
        header: "x-pluralis-tenant".into(),
        use_header: true,
        keys: vec![TenantKeyConfig {
            key_sha256: None,
            key_env: Some("KEY".into()),
            tenant: "oncology".into(),
        }],
    };
    let resolver =
        TenantResolver::from_config_with(Some(&config), |_| Some("sk-fuzz".into())).unwrap();
    let (value, key) = data.split_at(data.len() / 2);
    let mut headers = http::HeaderMap::new();
    if let Ok(v) = http::HeaderValue::from_bytes(value) {
        headers.insert("x-pluralis-tenant", v);
    }
    let mut bearer = b"Bearer ".to_vec();
    bearer.extend_from_slice(key);
    if let Ok(v) = http::HeaderValue::from_bytes(&bearer) {
        headers.insert(http::header::AUTHORIZATION, v);
    }
    let tenant = resolver.resolve(&headers).unwrap();
    assert!(
        ["cardiology", "oncology", "other"].contains(&tenant.as_str()),
        "{tenant}"
    );
});
