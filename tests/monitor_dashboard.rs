//! The `/monitor` page rendered by a real browser: headless Chromium loads the page from the
//! real server on loopback, runs its script against `/monitor/api/state`, and the dumped DOM must show
//! the live data. Skips (saying why) where Chromium is not installed.
//!
//! `PLURALIS_DASHBOARD_SCREENSHOT=/tmp/monitor.png cargo test --test monitor_dashboard` also
//! writes a screenshot to look at.

mod synthetic;
use pluralis::config::Policy;
use pluralis::monitor::log::DecisionEvent;
use pluralis::monitor::online::reference::DEFAULT_REFERENCE_FILE;
use pluralis::monitor::Monitor;
use pluralis::server::ServerHandle;
use pluralis::values::{Choice, Value};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// Synthetic decisions (random tags, GLM choices with the given weights); no benchmark text.
fn record(monitor: &Monitor, member: &str, beta: [f64; 4], n: usize, rng: &mut ChaCha8Rng) {
    let rt = tokio::runtime::Handle::current();
    for i in 0..n {
        let tags = synthetic::random_tags(rng);
        let decision = synthetic::glm_choice(&tags, beta, rng);
        let event = DecisionEvent {
            time_ms: pluralis::monitor::runtime::now_ms(),
            request_id: format!("{member}-{i}"),
            conversation: None,
            tenant: Some("ward-7".into()),
            ensemble: Some("pluralis-ensemble".into()),
            member: member.into(),
            route_mode: "distributional".into(),
            persona: None,
            dilemma_score: 0.9,
            case_key: format!("synthetic-{}", i % 40),
            options: Some(tags),
            option_texts: None,
            decision,
            confidence: 0.9,
            values_discussed: vec![Value::Autonomy, Value::Nonmaleficence],
            presents_both: i % 4 == 0,
            latency_ms: 800,
            prompt_text: None,
            answer_text: None,
            judge: None,
        };
        let _ = rt.block_on(monitor.record(event));
    }
}

fn judge_event() -> DecisionEvent {
    DecisionEvent {
        time_ms: 1,
        request_id: "judged".into(),
        conversation: None,
        tenant: None,
        ensemble: None,
        member: "sim/balanced".into(),
        route_mode: "distributional".into(),
        persona: None,
        dilemma_score: 0.9,
        case_key: "synthetic-judged".into(),
        options: None,
        option_texts: None,
        decision: Choice::Choice1,
        confidence: 0.9,
        values_discussed: Vec::new(),
        presents_both: false,
        latency_ms: 1,
        prompt_text: None,
        answer_text: None,
        judge: None,
    }
}

/// The real server with a `[monitor]` table (its upstream is never called), then synthetic traffic recorded into its monitor.
async fn demo_server(dir: &Path) -> (ServerHandle, Arc<Monitor>) {
    let reference = Path::new(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_REFERENCE_FILE);
    let policy = Policy::from_toml_str(&format!(
        "listen = \"127.0.0.1:0\"\n[monitor]\nbootstrap_draws = 50\nreference_file = {:?}\n\
         [monitor.log]\ndata_dir = {:?}\n[monitor.drift]\nmin_decisions = 150\nthreshold_jsd = 0.05\n\
         [monitor.judge]\nmodel = \"m\"\ntag_sample_rate = 0.0\ntimeout_ms = 5000\n\
         [[upstream]]\nname = \"unused\"\nkind = \"openai\"\nbase_url = \"http://127.0.0.1:1/v1\"\nmodels = [\"m\"]\n",
        reference.display().to_string(),
        dir.display().to_string()
    ))
    .unwrap();
    let handle = pluralis::server::start(policy).await.unwrap();
    let monitor = handle
        .state()
        .load()
        .monitor
        .clone()
        .expect("monitor started");
    // One unsure decision for the judge, whose upstream is down: one call, one failure.
    let judge = handle
        .state()
        .load()
        .judge
        .clone()
        .expect("judge configured");
    let mut unsure = judge_event();
    unsure.confidence = 0.2;
    let texts = pluralis::monitor::judge::JudgeTexts {
        options: ["Respect the refusal".into(), "Treat anyway".into()],
        case: "synthetic".into(),
        answer: "unclear".into(),
    };
    let judged = judge.enrich(unsure, &texts).await;
    assert_eq!(judged.judge.map(|n| n.errors.len()), Some(1));
    let m = monitor.clone();
    tokio::task::spawn_blocking(move || {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        record(&m, "sim/cautious", [0.1, 0.6, 1.4, 0.2], 400, &mut rng);
        record(&m, "sim/balanced", [0.9, 0.5, 0.6, 0.1], 400, &mut rng);
        record(&m, "sim/drifting", [0.9, 0.4, 0.5, 0.2], 200, &mut rng);
        m.refit_now();
        for _ in 0..3 {
            record(&m, "sim/drifting", [0.0, 0.5, 1.5, 0.2], 120, &mut rng);
            m.refit_now();
        }
    })
    .await
    .unwrap();
    (handle, monitor)
}

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|bin| {
            std::process::Command::new(bin)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

async fn run_chromium(bin: &str, extra: &[String], url: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let mut cmd = tokio::process::Command::new(bin);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--no-first-run",
        "--disable-component-update",
        "--disable-sync",
        "--virtual-time-budget=5000",
    ])
    .arg(format!("--user-data-dir={}", profile.path().display()))
    .args(extra)
    .arg(url)
    .kill_on_drop(true);
    let out = tokio::time::timeout(Duration::from_secs(90), cmd.output())
        .await
        .expect("chromium timed out")
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dashboard_renders_live_state_in_chromium() {
    let Some(bin) = chromium() else {
        eprintln!("skipped: chromium not installed (apt-get install chromium)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (server, monitor) = demo_server(dir.path()).await;
    let state = monitor.state();
    let guarded: Vec<&str> = state
        .members
        .iter()
        .filter(|m| m.guardrail_active)
        .map(|m| m.name.as_str())
        .collect();
    // Autonomy near zero is below every physician: the cautious member (and the drifting one,
    // once it drifted) leave routing; the balanced one stays.
    assert!(
        guarded.contains(&"sim/cautious") && !guarded.contains(&"sim/balanced"),
        "{guarded:?}"
    );
    assert!(
        state
            .alerts
            .iter()
            .any(|a| a.member == "sim/drifting" && a.raised),
        "the demo must raise a drift alert"
    );

    let addr = server.local_addr();
    let url = format!("http://{addr}/monitor");
    let dom = run_chromium(bin, &["--dump-dom".to_owned()], &url).await;
    assert!(
        dom.contains("data-rendered=\"1\""),
        "script did not render: {dom:.2000}"
    );
    assert!(
        dom.contains(&format!("data-written=\"{}\"", state.log.written)),
        "log count missing"
    );
    for member in ["sim/cautious", "sim/balanced", "sim/drifting"] {
        assert!(
            dom.contains(&format!("data-member=\"{member}\"")),
            "{member} missing from the page"
        );
    }
    // The deployment's autonomy bar carries the live share.
    let deployment = state.windows["all"]
        .iter()
        .find(|s| s.key == "deployment")
        .unwrap();
    let share = deployment.estimate.as_ref().unwrap().profile[0];
    assert!(
        dom.contains(&format!(
            "data-value=\"autonomy\" data-share=\"{share:.4}\""
        )),
        "deployment share {share:.4} not drawn"
    );
    assert!(dom.contains("out of routing") && dom.contains("ALERT"));
    // The events' tenant gets its own profile chart in the Tenants section.
    let tenants = dom
        .split_once("id=\"tenant-profiles\"")
        .and_then(|(_, rest)| rest.split_once("</section>"))
        .map_or("", |(section, _)| section);
    assert!(
        tenants.contains("data-scope=\"tenant:ward-7\""),
        "tenant profile missing: {tenants:.500}"
    );
    // The judge line: running, one call spent, one failure (its upstream is down).
    let judge = state.judge.as_ref().expect("judge in the state");
    assert_eq!((judge.counts.calls, judge.counts.failures), (1, 1));
    assert!(
        dom.contains("data-judge=\"m\" data-judge-calls=\"1\" data-judge-failures=\"1\""),
        "judge line missing: {dom:.4000}"
    );
    assert!(dom.contains("budget 1/30 used in the last minute (29 left)"));

    if let Ok(path) = std::env::var("PLURALIS_DASHBOARD_SCREENSHOT") {
        let extra = [
            format!("--screenshot={path}"),
            "--window-size=1400,1500".to_owned(),
        ];
        run_chromium(bin, &extra, &url).await;
        assert!(Path::new(&path).is_file());
    }
}
