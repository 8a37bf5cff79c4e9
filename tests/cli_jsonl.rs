//! `pluralis parse --jsonl -` and `pluralis detect --jsonl -` read stdin and write each line
//! back with the reading added; a bad line is an error naming its line number.

use std::io::Write;
use std::process::{Command, Stdio};

fn run(args: &[&str], input: &str) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pluralis"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start pluralis");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("pluralis exits");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn parse_reads_stdin_and_adds_the_reading() {
    let line = serde_json::json!({
        "id": "x1",
        "choice_1": "Operate tonight.",
        "choice_2": "Wait until morning.",
        "response": "I recommend Choice 2: wait until morning.",
    });
    let (ok, out, err) = run(&["parse", "--jsonl", "-"], &format!("{line}\n\n"));
    assert!(ok, "{err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["parsed"], "choice_2");
    assert_eq!(lines[0]["id"], "x1");
    assert!(lines[0]["confidence"].as_f64().is_some_and(|c| c > 0.5));
}

#[test]
fn detect_reads_stdin_and_names_a_bad_line() {
    let good = serde_json::json!({"text": "What is the usual adult dose of amoxicillin?"});
    let (ok, out, err) = run(&["detect", "--jsonl", "-"], &format!("{good}\nnot json\n"));
    assert!(!ok, "a bad line fails the run");
    assert!(err.contains(":2: invalid JSON"), "{err}");
    let first: serde_json::Value =
        serde_json::from_str(out.lines().next().expect("first line written")).expect("json");
    assert_eq!(first["dilemma"], false);
}
