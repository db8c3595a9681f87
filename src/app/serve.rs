//! `gateway simulate --serve ADDR`: a dry-run listener. Any client (curl, the OpenAI SDKs)
//! gets the simulation instead of a provider's answer; nothing is sent anywhere.
#![allow(clippy::print_stderr)]

use super::inputs::{formula, prepare, Judge};
use super::{Context, Outcome};
use crate::cli::SimulateArgs;
use crate::exit::Exit;
use crate::router::Request;
use crate::simulate::{SimRequest, Simulation, Simulator};
use anyhow::{anyhow, Context as _};
use serde_json::json;
use std::io::{Read, Write};

/// Largest request body read.
const MAX_BODY: u64 = 16 * 1024 * 1024;

pub fn run(args: &SimulateArgs, addr: &str, ctx: &Context) -> anyhow::Result<Outcome> {
    let prepared = match prepare(&args.configs, ctx, &Judge::offline(&super::inputs::declared_schemas(&args.checks.plugin_schemas)?, args.checks.flavor(None))) {
        Ok(p) => p,
        Err(outcome) => return Ok(outcome),
    };
    let sim = Simulator::with_flavor(&prepared.loaded.config, formula(args.priority), args.checks.flavor(None)).map_err(|e| anyhow!(e))?;
    let server = tiny_http::Server::http(addr).map_err(|e| anyhow!("cannot listen on {addr}: {e}"))?;
    let bound = server.server_addr().to_ip().map(|a| a.to_string()).unwrap_or_else(|| addr.to_string());
    let port = server.server_addr().to_ip().map(|a| a.port()).unwrap_or(8000);
    for w in &prepared.lint {
        eprintln!("warning: {w}");
    }
    eprintln!("listening on http://{bound} (dry run: nothing is sent upstream)");
    let _ = std::io::stderr().flush();
    for mut request in server.incoming_requests() {
        let mut body = Vec::new();
        let _ = request.as_reader().take(MAX_BODY).read_to_end(&mut body);
        let headers: Vec<(String, String)> = request
            .headers()
            .iter()
            .map(|h| (h.field.as_str().as_str().to_string(), h.value.as_str().to_string()))
            .collect();
        let host = headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("host")).map(|(_, v)| v.clone());
        let http = Request {
            method: request.method().as_str().to_string(),
            target: request.url().to_string(),
            host,
            headers,
            https: false,
            listener_port: port,
            sni: None,
        };
        let req = SimRequest { request: http, body: Some(body) };
        let result = sim.simulate(&req, false);
        let answer = respond(&result);
        eprintln!("{} {} -> {}", req.request.method, req.request.target, answer.status);
        let mut response = tiny_http::Response::from_string(answer.body).with_status_code(answer.status);
        let mut add = |k: &str, v: &str| {
            if let Ok(h) = tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()) {
                response.add_header(h);
            }
        };
        add("Content-Type", answer.content_type);
        add("X-Gateway-Dry-Run", "true");
        for (k, v) in answer.headers {
            add(&k, &v);
        }
        let _ = request.respond(response).context("writing a response");
    }
    Ok(Outcome { code: Some(Exit::Success), ..Default::default() })
}

/// What the listener answers one request with.
struct Answer {
    status: u16,
    content_type: &'static str,
    body: String,
    headers: Vec<(String, String)>,
}

/// The listener's answer: Kong's refusal (its status and body), for an AI proxy the
/// client-format answer Kong would relay from a simulated provider answer
/// ([`crate::ai_proxy::dry_run`]: JSON, or for a streamed request `text/event-stream`
/// chunks ending with `data: [DONE]`), otherwise the simulation as JSON.
fn respond(s: &Simulation) -> Answer {
    let mut headers = Vec::new();
    if let Some(r) = &s.route {
        headers.push(("X-Gateway-Route".into(), r.name.clone().or(r.id.clone()).unwrap_or_default()));
    }
    if let Some(c) = &s.uri_captures {
        headers.push(("X-Gateway-Uri-Captures".into(), serde_json::to_string(c).unwrap_or_default()));
    }
    if let Some(u) = &s.upstream {
        headers.push(("X-Gateway-Upstream-Url".into(), u.url.clone()));
    }
    let json = "application/json";
    if s.status != 200 {
        let body = match (&s.error_body, &s.ai) {
            (Some(b), _) => b.to_string(),
            // an AI proxy's Lua error: Kong answers with an empty body
            (None, Some(_)) => String::new(),
            (None, None) => json!({ "message": s.error.as_ref().map(|e| e.message.clone()) }).to_string(),
        };
        return Answer { status: s.status, content_type: json, body, headers };
    }
    let Some(exchange) = s.ai.as_ref().and_then(|ai| ai.exchange.as_ref()) else {
        return Answer { status: 200, content_type: json, body: serde_json::to_string(s).unwrap_or_default(), headers };
    };
    match crate::ai_proxy::dry_run(&exchange.conf, &exchange.body, exchange.content_type.as_deref()) {
        Err(e) => Answer { status: e.status, content_type: json, body: e.body().map(|b| b.to_string()).unwrap_or_default(), headers },
        Ok(d) => {
            if let Some(m) = &d.model_header {
                headers.push(("X-Kong-LLM-Model".into(), m.clone()));
            }
            let what = if d.prepared.stream { "streamed " } else { "" };
            headers.push((
                "X-Gateway-Mock".into(),
                format!("simulated {}{} answer relayed as Kong relays it; nothing was sent upstream", what, exchange.conf.model.provider),
            ));
            Answer { status: d.status, content_type: d.content_type, body: d.body, headers }
        }
    }
}
