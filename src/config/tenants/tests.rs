use super::*;
use crate::config::{Policy, PolicyError};

const BASE: &str = r#"
listen = "127.0.0.1:0"
[[upstream]]
name = "a"
kind = "openai"
base_url = "http://127.0.0.1:9/v1"
models = ["m1"]
"#;

fn errors(tenants: &str) -> Vec<String> {
    match Policy::from_toml_str(&format!("{BASE}{tenants}")) {
        Ok(_) => Vec::new(),
        Err(PolicyError::Invalid(errors)) => errors.iter().map(|e| e.to_string()).collect(),
        Err(other) => panic!("not a validation error: {other}"),
    }
}

#[test]
fn a_valid_table_loads_with_defaults() {
    let digest = "a".repeat(64);
    let text = format!(
        "{BASE}[tenants]\nnames = [\"cardiology\", \"onc-2.b_x\"]\n\
         [[tenants.keys]]\nkey_sha256 = \"{digest}\"\ntenant = \"cardiology\"\n\
         [[tenants.keys]]\nkey_env = \"ONC_KEY\"\ntenant = \"onc-2.b_x\"\n"
    );
    let policy = Policy::from_toml_str(&text).unwrap();
    let tenants = policy.tenants.unwrap();
    assert_eq!(tenants.header, DEFAULT_TENANT_HEADER);
    assert!(tenants.use_header);
    assert_eq!(tenants.keys.len(), 2);
    assert!(Policy::from_toml_str(BASE).unwrap().tenants.is_none());
}

#[test]
fn bad_and_duplicate_names_are_each_reported_with_their_field() {
    let got = errors(
        "[tenants]\nnames = [\"ok\", \"Cardiology\", \"\", \"other\", \"ok\", \"a b\", \"x\\n\"]\n",
    );
    for expected in [
        "tenants.names[1]: `Cardiology` may hold only",
        "tenants.names[2]: must not be empty",
        "tenants.names[3]: `other` is reserved",
        "tenants.names[4]: duplicate tenant `ok`",
        "tenants.names[5]: `a b` may hold only",
        "tenants.names[6]:",
    ] {
        assert!(
            got.iter().any(|e| e.starts_with(expected)),
            "missing {expected:?} in {got:?}"
        );
    }
    assert_eq!(got.len(), 6, "{got:?}");
}

#[test]
fn names_are_bounded_in_count_and_length() {
    let many: Vec<String> = (0..=MAX_TENANTS).map(|i| format!("\"t{i}\"")).collect();
    let got = errors(&format!("[tenants]\nnames = [{}]\n", many.join(",")));
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].starts_with("tenants.names: at most 64"), "{got:?}");
    let long = "a".repeat(MAX_TENANT_NAME_BYTES + 1);
    let got = errors(&format!("[tenants]\nnames = [\"{long}\"]\n"));
    assert!(got[0].contains("longer than 64 bytes"), "{got:?}");
    let got = errors("[tenants]\nnames = []\n");
    assert_eq!(got, ["tenants.names: declare at least one tenant"]);
}

#[test]
fn key_mappings_are_checked() {
    let digest = "b".repeat(64);
    let got = errors(&format!(
        "[tenants]\nnames = [\"icu\"]\nheader = \"bad header\"\n\
         [[tenants.keys]]\nkey_sha256 = \"{digest}\"\ntenant = \"icu\"\n\
         [[tenants.keys]]\nkey_sha256 = \"{digest}\"\ntenant = \"icu\"\n\
         [[tenants.keys]]\nkey_sha256 = \"{}\"\ntenant = \"ward\"\n\
         [[tenants.keys]]\nkey_sha256 = \"{digest}\"\nkey_env = \"K\"\ntenant = \"icu\"\n\
         [[tenants.keys]]\ntenant = \"icu\"\n\
         [[tenants.keys]]\nkey_env = \" \"\ntenant = \"icu\"\n",
        "B".repeat(64)
    ));
    for expected in [
        "tenants.header: must be a valid HTTP header name",
        "tenants.keys[1].key_sha256: this key is already mapped",
        "tenants.keys[2].key_sha256: must be 64 lowercase hex",
        "tenants.keys[2].tenant: `ward` is not in tenants.names",
        "tenants.keys[3]: set exactly one",
        "tenants.keys[4]: set exactly one",
        "tenants.keys[5].key_env: must name",
    ] {
        assert!(
            got.iter().any(|e| e.starts_with(expected)),
            "missing {expected:?} in {got:?}"
        );
    }
    assert_eq!(got.len(), 7, "{got:?}");
}

#[test]
fn header_off_needs_keys_and_unknown_fields_are_rejected() {
    let got = errors("[tenants]\nnames = [\"icu\"]\nuse_header = false\n");
    assert_eq!(
        got,
        ["tenants.use_header: with the header off, [[tenants.keys]] must map at least one key"]
    );
    let text = format!("{BASE}[tenants]\nnames = [\"icu\"]\nheaders = \"x\"\n");
    let err = Policy::from_toml_str(&text).unwrap_err().to_string();
    assert!(err.contains("headers"), "{err}");
}

#[test]
fn a_mapped_key_auth_would_refuse_and_a_reused_variable_are_errors() {
    let accepted = "c".repeat(64);
    let refused = "d".repeat(64);
    let got = errors(&format!(
        "[auth]\nkey_sha256 = [\"{accepted}\"]\n[tenants]\nnames = [\"icu\", \"ward\"]\n\
         [[tenants.keys]]\nkey_sha256 = \"{accepted}\"\ntenant = \"icu\"\n\
         [[tenants.keys]]\nkey_sha256 = \"{refused}\"\ntenant = \"icu\"\n\
         [[tenants.keys]]\nkey_env = \"K\"\ntenant = \"icu\"\n\
         [[tenants.keys]]\nkey_env = \"K\"\ntenant = \"ward\"\n"
    ));
    assert_eq!(
        got,
        [
            "tenants.keys[3].key_env: this variable is already mapped to a tenant",
            "tenants.keys[1].key_sha256: not among [auth] key_sha256, so requests with this key are refused",
        ]
    );
    // With keys from a variable, auth's set is unknown until start: no check.
    let text = format!(
        "[auth]\nkeys_env = \"KEYS\"\n[tenants]\nnames = [\"icu\"]\n\
         [[tenants.keys]]\nkey_sha256 = \"{refused}\"\ntenant = \"icu\"\n"
    );
    assert!(errors(&text).is_empty());
    // [auth] may spell its digests in capitals; the same key still matches.
    let text = format!(
        "[auth]\nkey_sha256 = [\"{}\"]\n[tenants]\nnames = [\"icu\"]\n\
         [[tenants.keys]]\nkey_sha256 = \"{accepted}\"\ntenant = \"icu\"\n",
        accepted.to_uppercase()
    );
    assert!(errors(&text).is_empty());
}
