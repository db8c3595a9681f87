//! Helpers: run the real `gateway` binary with a clean environment, and locate test data.

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared` beside the repository, when present.
pub fn shared() -> Option<PathBuf> {
    let p = root().join("..").join("shared");
    p.join("corpus").is_dir().then_some(p)
}

/// `../shared`, or a test failure under CI (where it must exist); `None` locally without it.
pub fn shared_or_fail(test: &str) -> Option<PathBuf> {
    match shared() {
        Some(p) => Some(p),
        None if std::env::var_os("CI").is_some() => panic!("{test}: ../shared is missing, and CI must run this test"),
        None => {
            #[allow(clippy::print_stderr)] // the skip notice is for whoever runs the test
            {
                eprintln!("{test}: ../shared not found; skipped (outside CI only)");
            }
            None
        }
    }
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Exit code, stdout and stderr in one block, for snapshots.
    pub fn transcript(&self) -> String {
        format!("exit: {}\n--- stdout\n{}--- stderr\n{}", self.code, self.stdout, self.stderr)
    }
}

/// Runs the binary in `dir` with only `env` (plus PATH) in its environment.
pub fn gateway(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    gateway_with_stdin(dir, args, env, None)
}

/// As [`gateway`], with `stdin` piped to standard input (`None`: no input at all).
pub fn gateway_with_stdin(dir: &Path, args: &[&str], env: &[(&str, &str)], stdin: Option<&[u8]>) -> Run {
    use std::io::Write;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gateway"));
    cmd.current_dir(dir).args(args).env_clear().env("NO_COLOR", "1");
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("run gateway");
    let mut pipe = child.stdin.take().expect("stdin");
    let input = stdin.unwrap_or_default().to_vec();
    // a writer thread, so a child that does not read stdin cannot block the test
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let out = child.wait_with_output().expect("run gateway");
    let _ = writer.join();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs the binary from the repository root.
pub fn gateway_in_root(args: &[&str], env: &[(&str, &str)]) -> Run {
    gateway(&root(), args, env)
}

/// A generated file checked in (a conformance table): rewritten with UPDATE_CONFORMANCE=1,
/// otherwise it must equal `text`.
pub fn assert_generated(rel: &str, text: &str) {
    let path = root().join(rel);
    if std::env::var_os("UPDATE_CONFORMANCE").is_some() {
        std::fs::write(&path, text).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(have, text, "{rel} is stale: rerun with UPDATE_CONFORMANCE=1");
}
