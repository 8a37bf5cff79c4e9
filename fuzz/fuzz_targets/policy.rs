//! Fuzz the policy loader (TOML, then validation); a policy that validates builds its
//! ensembles and its tenant lookup, and routes through the ensembles.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pluralis::config::Policy;
use pluralis::route::ensemble::Ensemble;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(policy) = Policy::from_toml_str(&text) else {
        return;
    };
    let _ = policy.model_names();
    // Validated tenants build (each variable standing for a key made from its name).
    pluralis::server::tenant::TenantResolver::from_config_with(policy.tenants.as_ref(), |var| {
        Some(format!("<{var}>"))
    })
    .expect("validated tenants build");
    for config in &policy.ensembles {
        let ensemble = Ensemble::new(config.clone()).expect("a validated ensemble builds");
        for key in [&b""[..], b"patient-1", data] {
            let _ = ensemble.route(true, key);
            let _ = ensemble.route(false, key);
        }
    }
});
