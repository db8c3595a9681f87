//! Helpers shared by integration tests that start a server process.

pub mod admin;
#[allow(dead_code)] // not every test binary reads the decK corpus
pub mod deck_corpus;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A child process killed and reaped when dropped.
pub struct Running {
    pub child: Child,
    pub url: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `cmd` and waits (at most 20 s) for its `listening on URL` line on stderr.
pub fn start_listening(mut cmd: Command) -> Running {
    let mut child = cmd.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().expect("start process");
    let stderr = child.stderr.take().expect("piped stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.strip_prefix("listening on ") {
                let _ = tx.send(rest.split_whitespace().next().unwrap_or("").to_string());
            }
        }
    });
    let mut running = Running { child, url: String::new() };
    running.url = rx.recv_timeout(Duration::from_secs(20)).expect("process did not start listening in time");
    running
}
