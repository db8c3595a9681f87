//! Driving the Admin API emulator (examples/kong_admin_emulator/) and the real `gateway`
//! binary against it: start a profile, run a command, read the emulator's request log.

#![allow(dead_code)]

use super::Running;
use serde_json::Value;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn emulator_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    let bin = dir.join("examples").join(format!("kong_admin_emulator{}", std::env::consts::EXE_SUFFIX));
    assert!(bin.exists(), "{} missing: `cargo test` builds the examples", bin.display());
    bin
}

/// Starts the emulator with these flags (a profile, faults, ...) on a free loopback port.
pub fn emulator(args: &[&str]) -> Running {
    let mut cmd = Command::new(emulator_binary());
    cmd.args(["--listen", "127.0.0.1:0"]).args(args);
    super::start_listening(cmd)
}

/// Runs `gateway ARGS` in `dir` against the Admin API at `addr`, with only `env` set.
pub fn gateway_env(dir: &Path, addr: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gateway"));
    cmd.current_dir(dir).args(args).env_clear().env("NO_COLOR", "1").env("GATEWAY_KONG_ADDR", addr).stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run gateway")
}

pub fn gateway(dir: &Path, addr: &str, args: &[&str]) -> Output {
    gateway_env(dir, addr, args, &[])
}

/// stdout then stderr, for assertion messages.
pub fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// stdout of a run that must succeed.
pub fn ok(o: Output) -> String {
    assert!(o.status.success(), "exit {:?}: {}", o.status.code(), text(&o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A config file in a fresh temporary directory.
pub fn config_file(yaml: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kong.yaml");
    std::fs::File::create(&path).unwrap().write_all(yaml.as_bytes()).unwrap();
    (dir, path)
}

/// One raw HTTP/1.1 request to the emulator; the answer's body.
pub fn http(base: &str, method: &str, path: &str) -> String {
    use std::io::Read;
    let addr = base.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(s, "{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n").unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    resp.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default()
}

pub fn get_json(base: &str, path: &str) -> Value {
    serde_json::from_str(&http(base, "GET", path)).unwrap_or(Value::Null)
}

/// Requests the emulator logged since the last call (`METHOD target`), then clears the log.
pub fn take_log(e: &Running) -> Vec<String> {
    let log: Vec<String> = serde_json::from_str(&http(&e.url, "GET", "/__emulator/requests")).unwrap();
    http(&e.url, "DELETE", "/__emulator/requests");
    log
}

/// The requests of a log that are not reads.
pub fn writes(log: &[String]) -> Vec<&String> {
    log.iter().filter(|l| !l.starts_with("GET ")).collect()
}
