//! The HTTP/1.1 side: one thread per connection, keep-alive, the admin token, `--forbid`,
//! injected faults (5xx, 429 with Retry-After, dropped connections, latency) and the
//! request log under `/__emulator/requests`. What a path answers is decided in api.rs.

use crate::Shared;
use serde_json::{json, Value as Json};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

/// The JSON body Kong answers, and its status.
pub struct Reply {
    pub status: u16,
    pub body: Option<Json>,
    pub headers: Vec<(String, String)>,
}

pub fn reply(status: u16, body: Json) -> Reply {
    Reply { status, body: Some(body), headers: Vec::new() }
}

pub fn message(status: u16, m: &str) -> Reply {
    reply(status, json!({ "message": m }))
}


pub struct Lcg(pub u64);
impl Lcg {
    pub fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}


pub fn status_text(s: u16) -> &'static str {
    match s {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        _ => "Status",
    }
}

pub fn query_of(q: &str) -> BTreeMap<String, String> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

pub fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit() {
            let hex = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
            out.push(hex(b[i + 1]) * 16 + hex(b[i + 2]));
            i += 3;
            continue;
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Serves one connection (HTTP/1.1 keep-alive) until the client closes it.
pub fn serve(stream: TcpStream, shared: Arc<Shared>) {
    let _ = stream.set_nodelay(true);
    let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
    let mut writer = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let (method, target) = (parts.next().unwrap_or("").to_string(), parts.next().unwrap_or("/").to_string());
        let mut headers: Vec<(String, String)> = Vec::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
            }
        }
        let header = |n: &str| headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
        let len: usize = header("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
        let mut body = vec![0u8; len];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let (path, q) = target.split_once('?').unwrap_or((&target, ""));
        let path = decode(path);
        let query = query_of(q);
        let internal = path.starts_with("/__emulator");
        let reply = if internal {
            let mut store = shared.store.lock().unwrap_or_else(|e| e.into_inner());
            match method.as_str() {
                "DELETE" => {
                    store.log.clear();
                    Reply { status: 204, body: None, headers: Vec::new() }
                }
                _ => reply(200, json!(store.log)),
            }
        } else {
            if shared.opts.latency_ms > 0 {
                std::thread::sleep(Duration::from_millis(shared.opts.latency_ms));
            }
            let fault = {
                let mut rng = shared.rng.lock().unwrap_or_else(|e| e.into_inner());
                let roll = rng.unit();
                let pick = rng.unit();
                (roll < shared.opts.fault_rate && path != "/").then(|| {
                    let n = shared.opts.faults.len().max(1);
                    shared.opts.faults.get(((pick * n as f64) as usize).min(n - 1)).cloned().unwrap_or_default()
                })
            };
            match fault.as_deref() {
                Some("drop") => return, // close without answering, before doing anything
                Some("429") => Reply {
                    status: 429,
                    body: Some(json!({"message": "API rate limit exceeded"})),
                    headers: vec![("Retry-After".into(), shared.opts.retry_after.clone())],
                },
                Some("500") => message(500, "An unexpected error occurred"),
                _ if shared.opts.token.as_ref().is_some_and(|t| header("kong-admin-token").as_deref() != Some(t.as_str())) => {
                    message(401, "Invalid credentials. Token or User credentials required")
                }
                // an RBAC role that may not read these endpoints
                _ if shared.opts.forbid.as_ref().is_some_and(|p| path.starts_with(p.as_str())) => message(403, "Forbidden"),
                _ => {
                    let mut store = shared.store.lock().unwrap_or_else(|e| e.into_inner());
                    store.log.push(format!("{method} {target}"));
                    store.handle(&method, &path, &query, Some(&body))
                }
            }
        };
        let payload = reply.body.map(|b| b.to_string()).unwrap_or_default();
        let mut head = format!("HTTP/1.1 {} {}\r\nContent-Length: {}\r\n", reply.status, status_text(reply.status), payload.len());
        if !payload.is_empty() {
            head.push_str("Content-Type: application/json; charset=utf-8\r\n");
        }
        for (k, v) in reply.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        head.push_str(&payload);
        // one write per answer: a split write meets the client's delayed ACK (40 ms stalls)
        if writer.write_all(head.as_bytes()).is_err() {
            return;
        }
        if header("connection").is_some_and(|c| c.eq_ignore_ascii_case("close")) {
            return;
        }
    }
}
