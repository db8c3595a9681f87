//! End to end: the official `openai` Python package's `AzureOpenAI` client talks to
//! `gateway simulate --serve` running the Azure how-to config, and gets each requested
//! deployment back as `response.model` (docs how-to route-azure-sdk-to-multiple-azure-deployments).
//!
//! Needs a Python with `openai` installed: `$GATEWAY_TEST_PYTHON`, else `.venv/bin/python`
//! (`.ci/run` creates it). Without one the test fails under CI and is skipped elsewhere.

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

fn python() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let candidate = std::env::var_os("GATEWAY_TEST_PYTHON").map(PathBuf::from).unwrap_or_else(|| root.join(".venv/bin/python"));
    let ok = Command::new(&candidate).args(["-c", "import openai"]).output().map(|o| o.status.success()).unwrap_or(false);
    ok.then_some(candidate)
}

/// Starts the listener on a free port.
fn start() -> (common::Running, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gateway"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["simulate", "testdata/azure/kong.yaml", "--serve", "127.0.0.1:0"])
        .env("NO_COLOR", "1");
    let running = common::start_listening(cmd);
    let url = running.url.clone();
    (running, url)
}

#[test]
fn azure_openai_sdk_gets_the_requested_deployment() {
    let Some(py) = python() else {
        assert!(std::env::var_os("CI").is_none(), "CI must provide a Python with `openai` (see .ci/run)");
        eprintln!("no Python with `openai` found; skipped (outside CI only)");
        return;
    };
    let (_listener, url) = start();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/azure_sdk.py");
    let out = Command::new(py).arg(script).arg(&url).output().expect("run python");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "stdout: {stdout}\nstderr: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(stdout, "Requested: gpt-4o, Got: gpt-4o\nRequested: gpt-4.1-mini, Got: gpt-4.1-mini\n");
}

#[test]
fn listener_answers_kong_errors() {
    let (_listener, url) = start();
    // a plain HTTP/1.1 request over a socket: no HTTP client dependency
    let addr = url.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    use std::io::{Read, Write};
    write!(s, "GET /nowhere HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    assert!(resp.starts_with("HTTP/1.1 404"), "{resp}");
    assert!(resp.ends_with(r#"{"message":"no Route matched with those values"}"#), "{resp}");
}
