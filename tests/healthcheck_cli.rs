//! `pluralis healthcheck` exits 0 only when the probed endpoint answers 200.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::Command;
use std::thread;

/// Serves one connection with a fixed status line, then stops.
fn one_shot(status: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        if let Ok((mut conn, _)) = listener.accept() {
            let mut buf = [0u8; 1024];
            let _ = conn.read(&mut buf);
            let _ = write!(conn, "HTTP/1.1 {status}\r\ncontent-length: 0\r\n\r\n");
        }
    });
    format!("http://{addr}/healthz")
}

fn probe(url: &str) -> bool {
    Command::new(env!("CARGO_BIN_EXE_pluralis"))
        .args(["healthcheck", "--url", url, "--timeout-ms", "3000"])
        .status()
        .unwrap()
        .success()
}

#[test]
fn healthy_endpoint_exits_zero() {
    assert!(probe(&one_shot("200 OK")));
}

#[test]
fn unhealthy_endpoint_exits_non_zero() {
    assert!(!probe(&one_shot("503 Service Unavailable")));
}

#[test]
fn closed_port_exits_non_zero() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    assert!(!probe(&format!("http://127.0.0.1:{port}/healthz")));
}
