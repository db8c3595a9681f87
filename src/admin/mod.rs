//! The Kong Admin API client: the only code that talks to a gateway.
//!
//! Blocking HTTP (reqwest with rustls). Every request goes through [`Client::send`], which
//! applies the rate limit and retries connection errors, 429 (honouring Retry-After) and
//! 5xx with exponential backoff. Errors say what was asked, of which address, and why.


pub mod config;
pub mod schemas;
pub mod state;
pub mod write;

use crate::capabilities::GatewayInfo;
use anyhow::{anyhow, bail, Context as _};
use reqwest::blocking::{Client as Http, Response};

use reqwest::{Method, StatusCode};
use serde_json::Value as Json;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How to reach the Admin API.
#[derive(Clone, Debug)]
pub struct Connection {
    pub addr: String,
    pub headers: Vec<(String, String)>,
    pub workspace: Option<String>,
    pub tls_skip_verify: bool,
    pub ca_cert: Option<Vec<u8>>,
    pub timeout: Duration,
    pub rps_limit: Option<f64>,
    pub retries: u32,
}

/// A request that failed for good.
#[derive(Debug)]
pub struct ApiError {
    pub status: Option<u16>,
    pub message: String,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.status {
            Some(s) => write!(f, "{} (HTTP {s})", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ApiError {}

pub struct Client {
    http: Http,
    conn: Connection,
    base: String,
    next_slot: Mutex<Instant>,
}

impl Client {
    pub fn new(conn: Connection) -> anyhow::Result<Client> {
        let mut builder = Http::builder().timeout(conn.timeout).connect_timeout(conn.timeout).use_rustls_tls();
        if conn.tls_skip_verify {
            builder = builder.danger_accept_invalid_certs(true);
        }
        if let Some(pem) = &conn.ca_cert {
            let cert = reqwest::Certificate::from_pem(pem).context("reading --ca-cert")?;
            builder = builder.add_root_certificate(cert);
        }
        let mut headers = reqwest::header::HeaderMap::new();
        for (k, v) in &conn.headers {
            let name = reqwest::header::HeaderName::from_bytes(k.as_bytes()).map_err(|_| anyhow!("invalid header name `{k}`"))?;
            let value = reqwest::header::HeaderValue::from_str(v).map_err(|_| anyhow!("invalid value for header `{k}`"))?;
            headers.insert(name, value);
        }
        let http = builder.default_headers(headers).build().context("setting up the HTTP client")?;
        let addr = conn.addr.trim_end_matches('/').to_string();
        if !(addr.starts_with("http://") || addr.starts_with("https://")) {
            bail!("--kong-addr must be an http:// or https:// URL (got `{addr}`)");
        }
        let base = match &conn.workspace {
            Some(ws) => format!("{addr}/{ws}"),
            None => addr.clone(),
        };
        Ok(Client { http, conn, base, next_slot: Mutex::new(Instant::now()) })
    }

    pub fn addr(&self) -> &str {
        &self.conn.addr
    }

    fn pace(&self) {
        let Some(rps) = self.conn.rps_limit.filter(|r| *r > 0.0) else { return };
        let gap = Duration::from_secs_f64(1.0 / rps);
        let wait = {
            let mut next = self.next_slot.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            let at = (*next).max(now);
            *next = at + gap;
            at.saturating_duration_since(now)
        };
        if !wait.is_zero() {
            std::thread::sleep(wait);
        }
    }

    /// Sends a request with retries. Returns the final response (any status).
    pub fn send(&self, method: Method, path: &str, body: Option<&Json>) -> Result<(StatusCode, Json), ApiError> {
        self.send_with(method, path, body, self.conn.retries)
    }

    /// Like `send`, for a request the gateway may take long to answer (a DB-less `POST
    /// /config` loads the whole configuration before it answers): at least `wait` per attempt.
    pub fn send_patiently(&self, method: Method, path: &str, body: Option<&Json>, wait: Duration) -> Result<(StatusCode, Json), ApiError> {
        self.send_full(method, path, body, self.conn.retries, Some(wait.max(self.conn.timeout)))
    }

    fn send_with(&self, method: Method, path: &str, body: Option<&Json>, retries: u32) -> Result<(StatusCode, Json), ApiError> {
        self.send_full(method, path, body, retries, None)
    }

    fn send_full(&self, method: Method, path: &str, body: Option<&Json>, retries: u32, timeout: Option<Duration>) -> Result<(StatusCode, Json), ApiError> {
        // `GET /` is global on Kong Enterprise too; everything else lives under the workspace
        let url = if path == "/" { format!("{}/", self.conn.addr.trim_end_matches('/')) } else { format!("{}{path}", self.base) };
        let mut attempt = 0;
        loop {
            self.pace();
            let mut req = self.http.request(method.clone(), &url);
            if let Some(t) = timeout {
                req = req.timeout(t);
            }
            if let Some(b) = body {
                req = req.json(b);
            }
            // the whole exchange, body included: a connection dropped mid-answer is retried too
            let outcome = req.send().and_then(|resp| {
                let status = resp.status();
                let wait = retry_after(&resp);
                resp.text().map(|text| (status, wait, text))
            });
            let retryable = match &outcome {
                Ok((status, _, _)) => *status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error(),
                Err(e) => !e.is_builder(),
            };
            if retryable && attempt < retries {
                attempt += 1;
                let backoff = Duration::from_millis(100 * 2u64.pow(attempt.min(6)));
                let wait = match &outcome {
                    Ok((_, Some(w), _)) => *w,
                    _ => backoff,
                };
                std::thread::sleep(wait.min(Duration::from_secs(30)));
                continue;
            }
            return match outcome {
                Ok((status, _, text)) => {
                    let json = if text.trim().is_empty() { Json::Null } else { serde_json::from_str(&text).unwrap_or(Json::String(text)) };
                    Ok((status, json))
                }
                Err(e) => Err(ApiError { status: None, message: describe(&e, &method, &url) }),
            };
        }
    }

    /// Like `send`, but a non-2xx answer is an error carrying Kong's message.
    pub fn call(&self, method: Method, path: &str, body: Option<&Json>) -> Result<Json, ApiError> {
        self.call_with(method, path, body, self.conn.retries)
    }

    fn call_with(&self, method: Method, path: &str, body: Option<&Json>, retries: u32) -> Result<Json, ApiError> {
        let (status, json) = self.send_with(method.clone(), path, body, retries)?;
        if status.is_success() {
            return Ok(json);
        }
        let kong = json.get("message").and_then(Json::as_str).map(String::from).unwrap_or_else(|| json.to_string());
        let hint = match status.as_u16() {
            401 | 403 => " (is an admin token needed? pass --headers 'Kong-Admin-Token: ...')",
            _ => "",
        };
        Err(ApiError { status: Some(status.as_u16()), message: format!("{method} {path}: {kong}{hint}") })
    }

    /// `GET /` (and `GET /endpoints` where that says little): checks that the address is a
    /// Kong Admin API and learns what the gateway is.
    pub fn info(&self) -> anyhow::Result<GatewayInfo> {
        // one retry only: a wrong address should fail fast
        let (status, root) = self.send_with(Method::GET, "/", None, 1).map_err(|e| anyhow!("cannot reach the Kong Admin API at {}: {e}", self.conn.addr))?;
        match status.as_u16() {
            200..=299 => {}
            401 | 403 => bail!(
                "the Kong Admin API at {} refused the request (HTTP {status}): pass the admin token with --headers 'Kong-Admin-Token: ...'",
                self.conn.addr,
                status = status.as_u16()
            ),
            s => bail!("{} does not look like a Kong Admin API: GET / answered HTTP {s}", self.conn.addr),
        }
        let Some(mut info) = GatewayInfo::from_root(&root) else {
            bail!("{} answered, but not like a Kong Admin API (no `version`/`tagline` in GET /)", self.conn.addr);
        };
        if info.wants_endpoints() {
            // a gateway that reports little: its route list tells which collections exist
            if let Ok((s, list)) = self.send_with(Method::GET, "/endpoints", None, 1) {
                if s.is_success() {
                    info.add_endpoints(&list);
                }
            }
        }
        Ok(info)
    }

    /// Every entity of a list endpoint, following Kong's `offset` pagination.
    pub fn list(&self, path: &str, tags: &[String]) -> Result<Vec<Json>, ApiError> {
        let mut out = Vec::new();
        let mut offset: Option<String> = None;
        loop {
            let mut q = vec!["size=1000".to_string()];
            if !tags.is_empty() {
                q.push(format!("tags={}", crate::url::encode_component(&tags.join(","))));
            }
            if let Some(o) = &offset {
                q.push(format!("offset={}", crate::url::encode_component(o)));
            }
            let page = self.call(Method::GET, &format!("{path}?{}", q.join("&")), None)?;
            let data = page.get("data").and_then(Json::as_array).ok_or_else(|| ApiError {
                status: None,
                message: format!("GET {path}: the answer has no `data` list; is this a Kong Admin API?"),
            })?;
            out.extend(data.iter().cloned());
            match page.get("offset").and_then(Json::as_str) {
                Some(o) if !o.is_empty() => offset = Some(o.to_string()),
                _ => return Ok(out),
            }
        }
    }
}

fn retry_after(resp: &Response) -> Option<Duration> {
    let v = resp.headers().get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    v.trim().parse::<f64>().ok().map(Duration::from_secs_f64)
}

fn describe(e: &reqwest::Error, method: &Method, url: &str) -> String {
    let mut cause = String::new();
    let mut src: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(s) = src {
        cause = s.to_string();
        src = s.source();
    }
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "failed"
    };
    let tls = cause.to_ascii_lowercase().contains("certificate") || cause.contains("tls") || cause.contains("TLS");
    let hint = if tls { " (TLS: pass --ca-cert FILE, or --tls-skip-verify for a test gateway)" } else { "" };
    if cause.is_empty() {
        format!("{method} {url}: {what}{hint}")
    } else {
        format!("{method} {url}: {what}: {cause}{hint}")
    }
}
