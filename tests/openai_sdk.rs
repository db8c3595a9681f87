//! End to end: the official `openai` Python package's `AzureOpenAI` client talks to
//! `gateway simulate --serve` running the Azure how-to config, and gets each requested
//! deployment back as `response.model` (docs how-to route-azure-sdk-to-multiple-azure-deployments),
//! and with `stream=True` the chunks Kong would relay (content, the model, a finish_reason).
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
        #[allow(clippy::print_stderr)] // the skip notice is for whoever runs the test
        {
            eprintln!("no Python with `openai` found; skipped (outside CI only)");
        }
        return;
    };
    let (_listener, url) = start();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/azure_sdk.py");
    let out = Command::new(py).arg(script).arg(&url).output().expect("run python");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "stdout: {stdout}\nstderr: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        stdout,
        "Requested: gpt-4o, Got: gpt-4o\nRequested: gpt-4.1-mini, Got: gpt-4.1-mini\n\
         Streamed: gpt-4.1-mini, models ['gpt-4.1-mini'], content chunks >= 1: True, finish_reason: ['stop']\n"
    );
}

/// One plain HTTP/1.1 request over a socket (no HTTP client dependency): the raw response.
fn http(url: &str, method: &str, path: &str, body: &str) -> String {
    use std::io::{Read, Write};
    let addr = url.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    resp
}

const CHAT: &str = "/openai/deployments/gpt-4.1-mini/chat/completions?api-version=2025-01-01-preview";

#[test]
fn listener_answers_kong_errors() {
    let (_listener, url) = start();
    let resp = http(&url, "GET", "/nowhere", "");
    assert!(resp.starts_with("HTTP/1.1 404"), "{resp}");
    assert!(resp.ends_with(r#"{"message":"no Route matched with those values"}"#), "{resp}");
    // normalize-request.lua: a body model other than the plugin's is Kong's 400
    let resp = http(&url, "POST", CHAT, r#"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"#);
    assert!(resp.starts_with("HTTP/1.1 400"), "{resp}");
    assert!(resp.ends_with(r#"{"error":{"message":"cannot use own model - must be: gpt-4.1-mini"}}"#), "{resp}");
    assert!(!resp.contains("X-Gateway-Mock"), "{resp}");
}

#[test]
fn listener_streams_chunks_like_kong() {
    let (_listener, url) = start();
    let resp = http(&url, "POST", CHAT, r#"{"stream":true,"messages":[{"role":"user","content":"hi"}]}"#);
    let (head, body) = resp.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{resp}");
    for h in ["Content-Type: text/event-stream", "X-Kong-LLM-Model: azure/gpt-4.1-mini", "X-Gateway-Route: azure-chat-route", "X-Gateway-Mock: simulated streamed azure answer"] {
        assert!(head.contains(h), "{h} in {head}");
    }
    assert!(body.ends_with("\n\ndata: [DONE]"), "{body}");
    let chunks: Vec<serde_json::Value> =
        body.split("\n\n").filter_map(|e| e.strip_prefix("data: ")).filter(|d| *d != "[DONE]").map(|d| serde_json::from_str(d).unwrap()).collect();
    assert!(chunks.len() >= 2, "{body}");
    assert!(chunks.iter().all(|c| c["object"] == "chat.completion.chunk" && c["model"] == "gpt-4.1-mini"), "{body}");
    assert_eq!(chunks.last().unwrap()["choices"][0]["finish_reason"], "stop");
    // not streamed: one chat.completion
    let resp = http(&url, "POST", CHAT, r#"{"messages":[{"role":"user","content":"hi"}]}"#);
    let (head, body) = resp.split_once("\r\n\r\n").unwrap();
    assert!(head.contains("Content-Type: application/json") && head.contains("X-Gateway-Mock: simulated azure answer"), "{head}");
    let v: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!((v["object"].as_str(), v["model"].as_str()), (Some("chat.completion"), Some("gpt-4.1-mini")));
}
