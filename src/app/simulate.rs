//! `gateway simulate`: one request through the config, or (with `--serve`) a dry-run listener.

use super::inputs::{formula, parse_header, prepare, Judge};
use super::{Context, Outcome};
use crate::cli::{Output, Scheme, SimulateArgs};
use crate::exit::Exit;
use crate::router::Request;
use crate::simulate::{SimRequest, Simulation, Simulator};
use anyhow::{bail, Context as _};
use std::fmt::Write;
use std::io::Read;

pub fn run(args: &SimulateArgs, ctx: &Context) -> anyhow::Result<Outcome> {
    if args.body.as_deref().is_some_and(super::inputs::is_stdin) && args.configs.iter().any(|c| super::inputs::is_stdin(c)) {
        bail!("--body - and a config `-` cannot both read standard input");
    }
    if let Some(addr) = &args.serve {
        return super::serve::run(args, addr, ctx);
    }
    let prepared = match prepare(&args.configs, ctx, &Judge::offline(&super::inputs::declared_schemas(&args.checks.plugin_schemas)?, args.checks.flavor(None))) {
        Ok(p) => p,
        Err(outcome) => return Ok(outcome),
    };
    let sim = match Simulator::with_flavor(&prepared.loaded.config, formula(args.priority), args.checks.flavor(None)) {
        Ok(s) => s,
        Err(e) => bail!("{e}"),
    };
    let https = args.scheme == Scheme::Https;
    let body = match &args.body {
        None => None,
        Some(p) if p.as_os_str() == "-" => {
            let mut buf = Vec::new();
            std::io::stdin().read_to_end(&mut buf).context("reading the body from standard input")?;
            Some(buf)
        }
        Some(p) => Some(std::fs::read(p).with_context(|| format!("reading body file {}", p.display()))?),
    };
    let headers = args.headers.iter().map(|h| parse_header(h)).collect::<anyhow::Result<Vec<_>>>()?;
    if !args.path.starts_with('/') {
        bail!("--path must start with `/` (got `{}`)", args.path);
    }
    let request = Request {
        method: args.method.clone(),
        target: args.path.clone(),
        host: args.host.clone(),
        headers,
        https,
        listener_port: args.port.unwrap_or(if https { 8443 } else { 8000 }),
        sni: args.sni.clone(),
    };
    let req = SimRequest { request, body };
    let mut result = sim.simulate(&req, args.show_secrets);
    if args.explain {
        result.atc = Some(sim.explain_atc(&req));
    }
    result.warnings.splice(0..0, prepared.lint.iter().cloned());
    let code = Some(if result.status == 200 { Exit::Success } else { Exit::Rejected });
    Ok(match args.output {
        Output::Json => Outcome { stdout: serde_json::to_string_pretty(&result)? + "\n", code, ..Default::default() },
        Output::Text => {
            use std::io::IsTerminal;
            let limit = std::io::stdout().is_terminal().then_some(TERMINAL_BODY_LINES);
            Outcome { stdout: render_text(&req, &result, limit), code, ..Default::default() }
        }
    })
}

/// Lines of the upstream body shown on a terminal (all of it when piped or with `--output json`).
const TERMINAL_BODY_LINES: usize = 24;

/// The upstream body pretty-printed, indented under `body:`, cut after `limit` lines.
fn body_lines(body: &serde_json::Value, limit: Option<usize>) -> String {
    let pretty = serde_json::to_string_pretty(body).unwrap_or_default();
    let lines: Vec<&str> = pretty.lines().collect();
    let shown = limit.map_or(lines.len(), |l| l.min(lines.len()));
    let mut out = String::new();
    for (i, l) in lines[..shown].iter().enumerate() {
        let _ = writeln!(out, "{}{l}", if i == 0 { "body:      " } else { "           " });
    }
    if shown < lines.len() {
        let _ = writeln!(out, "           ... {} more lines (pipe the output or use --output json for all)", lines.len() - shown);
    }
    out
}

/// The human-readable simulation; `body_limit` cuts the upstream body after that many lines.
pub fn render_text(req: &SimRequest, s: &Simulation, body_limit: Option<usize>) -> String {
    let mut out = String::new();
    let verdict = if s.status == 200 { "proxied".to_string() } else { format!("Kong answers {}", s.status) };
    let _ = writeln!(out, "{} {}  ->  {verdict}", req.request.method, req.request.target);
    if let Some(r) = &s.route {
        let _ = writeln!(out, "route:     {} (id {})", r.name.as_deref().unwrap_or("<unnamed>"), r.id.as_deref().unwrap_or("random"));
        for e in &s.explanation {
            let _ = writeln!(out, "           {e}");
        }
    }
    if let Some(atc) = &s.atc {
        for (what, m) in [("winner", &atc.winner), ("runner-up", &atc.runner_up)] {
            if let Some(m) = m {
                let _ = writeln!(out, "atc:       {what} {} ({}, priority {:#018x}):", m.route, atc.router_flavor, m.priority);
                let _ = writeln!(out, "             {}", m.expression);
            }
        }
    }
    if let Some(svc) = &s.service {
        let _ = writeln!(out, "service:   {}", svc.name.as_deref().or(svc.id.as_deref()).unwrap_or("<unnamed>"));
    }
    match &s.uri_captures {
        Some(c) => {
            let parts: Vec<String> = c.iter().map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or(""))).collect();
            let _ = writeln!(out, "captures:  {}", parts.join(", "));
        }
        None if s.route.is_some() => {
            let _ = writeln!(out, "captures:  none");
        }
        None => {}
    }
    if let Some(p) = &s.strip_prefix {
        let _ = writeln!(out, "stripped:  {p}");
    }
    if !s.plugins.is_empty() {
        let _ = writeln!(out, "plugins:");
        for p in &s.plugins {
            let _ = writeln!(out, "  - {} ({})", p.name, p.scope);
        }
    }
    if let Some(ai) = &s.ai {
        let _ = writeln!(out, "ai:        {} -> {} {} model {}", ai.plugin, ai.provider, ai.route_type, ai.model.as_deref().unwrap_or("(from the request)"));
        if ai.targets.len() > 1 {
            for t in &ai.targets {
                let _ = writeln!(
                    out,
                    "  - {} {} weight {} share {:.0}% {}",
                    t.provider,
                    t.model.as_deref().unwrap_or("?"),
                    t.weight,
                    t.share * 100.0,
                    t.upstream_url.as_deref().unwrap_or("")
                );
            }
        }
        if let Some(plan) = &ai.stream_plan {
            let _ = writeln!(out, "stream:    yes: {}", plan.upstream);
            let _ = writeln!(out, "           provider streams {}; the client gets {}", plan.upstream_content_type, plan.client);
        }
    }
    if let Some(u) = &s.upstream {
        if s.status == 200 {
            let _ = writeln!(out, "upstream:  {} {}", u.method, u.url);
            let _ = writeln!(out, "           Host: {}", u.host_header);
            for (k, v) in &u.headers {
                let _ = writeln!(out, "           {k}: {v}");
            }
            if let Some(body) = &u.body {
                out.push_str(&body_lines(body, body_limit));
            }
        }
    }
    if let Some(body) = &s.error_body {
        let _ = writeln!(out, "response:  {} {}", s.status, body);
    }
    for n in s.ai.iter().flat_map(|a| &a.notes) {
        let _ = writeln!(out, "note:      {n}");
    }
    for w in &s.warnings {
        let _ = writeln!(out, "warning:   {w}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_is_cut_only_with_a_limit() {
        let body = serde_json::json!({"messages": (0..10).map(|i| format!("m{i}")).collect::<Vec<_>>()});
        let full = body_lines(&body, None);
        assert!(full.starts_with("body:      {\n             \"messages\": [\n") && full.contains("\"m9\"") && !full.contains("more lines"), "{full}");
        let cut = body_lines(&body, Some(4));
        assert_eq!(cut.lines().count(), 5, "{cut}");
        assert!(cut.ends_with("           ... 10 more lines (pipe the output or use --output json for all)\n"), "{cut}");
        assert_eq!(body_lines(&body, Some(100)), full);
    }
}
