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
    let mut counter: u64 = 0;
    for mut request in server.incoming_requests() {
        counter += 1;
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
        let (status, body, extra) = respond(&result, counter);
        eprintln!("{} {} -> {}", req.request.method, req.request.target, status);
        let mut response = tiny_http::Response::from_string(body).with_status_code(status);
        let mut add = |k: &str, v: &str| {
            if let Ok(h) = tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()) {
                response.add_header(h);
            }
        };
        add("Content-Type", "application/json");
        add("X-Gateway-Dry-Run", "true");
        for (k, v) in extra {
            add(&k, &v);
        }
        let _ = request.respond(response).context("writing a response");
    }
    Ok(Outcome { code: Some(Exit::Success), ..Default::default() })
}

/// Status, body and headers the listener answers with.
fn respond(s: &Simulation, n: u64) -> (u16, String, Vec<(String, String)>) {
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
    if s.status != 200 {
        let body = s.error_body.clone().unwrap_or_else(|| json!({ "message": s.error.as_ref().map(|e| e.message.clone()) }));
        return (s.status, body.to_string(), headers);
    }
    let Some(ai) = &s.ai else {
        return (200, serde_json::to_string(s).unwrap_or_default(), headers);
    };
    let model = ai.model.clone().unwrap_or_default();
    headers.push(("X-Kong-LLM-Model".into(), format!("{}/{}", ai.provider, model)));
    let upstream = ai.upstream_url.clone().unwrap_or_default();
    let description = format!(
        "gateway dry run: route {} ({}) -> {} {} model {} at {}",
        s.route.as_ref().and_then(|r| r.name.clone()).unwrap_or_default(),
        s.uri_captures.as_ref().map(|c| serde_json::to_string(c).unwrap_or_default()).unwrap_or_else(|| "no captures".into()),
        ai.provider,
        ai.route_type,
        model,
        upstream
    );
    let created = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let usage = json!({ "prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0 });
    let body = match ai.route_type.as_str() {
        "llm/v1/completions" => json!({
            "id": format!("cmpl-gateway-{n}"), "object": "text_completion", "created": created, "model": model,
            "choices": [{ "index": 0, "text": description, "finish_reason": "stop", "logprobs": null }], "usage": usage,
        }),
        "llm/v1/embeddings" => json!({
            "object": "list", "model": model, "data": [{ "object": "embedding", "index": 0, "embedding": [0.0] }], "usage": usage,
        }),
        _ => json!({
            "id": format!("chatcmpl-gateway-{n}"), "object": "chat.completion", "created": created, "model": model,
            "choices": [{ "index": 0, "message": { "role": "assistant", "content": description }, "finish_reason": "stop" }],
            "usage": usage,
        }),
    };
    (200, body.to_string(), headers)
}
