//! Arbitrary requests (target, Host, headers, body bytes) against the Azure example, the AI
//! proxy spec-case config and one ai-proxy config per provider
//! (testdata/ai_proxy/providers/*.yaml), as the dry-run listener would receive them; each
//! provider config also gets the body on its chat, completions, body-model and preserve
//! routes, and an accepted AI request is replayed through `ai_proxy::dry_run` as the
//! listener does. Any panic is a bug.
//!
//! Input: `target\nhost\nname:value;name:value\n<body bytes>`.
//! Run: `cargo +nightly fuzz run simulate fuzz/seeds-simulate` (from the crate root).
#![no_main]

use gateway::env::{Env, EnvMode};
use gateway::load::{self, MemFiles};
use gateway::router::{Formula, Request};
use gateway::simulate::{SimRequest, Simulator};
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

const EXAMPLES: [&str; 2] = [include_str!("../../testdata/azure/kong.yaml"), include_str!("../../testdata/ai_proxy/kong.yaml")];

const PROVIDERS: [&str; 9] = [
    include_str!("../../testdata/ai_proxy/providers/openai.yaml"),
    include_str!("../../testdata/ai_proxy/providers/azure.yaml"),
    include_str!("../../testdata/ai_proxy/providers/anthropic.yaml"),
    include_str!("../../testdata/ai_proxy/providers/cohere.yaml"),
    include_str!("../../testdata/ai_proxy/providers/mistral.yaml"),
    include_str!("../../testdata/ai_proxy/providers/llama2.yaml"),
    include_str!("../../testdata/ai_proxy/providers/gemini.yaml"),
    include_str!("../../testdata/ai_proxy/providers/bedrock.yaml"),
    include_str!("../../testdata/ai_proxy/providers/huggingface.yaml"),
];

/// The provider configs' AI routes (see testdata/ai_proxy/providers/*.yaml).
const AI_PATHS: [&str; 4] = ["/chat", "/completions", "/body-model", "/preserve/v1/x?y=1"];

fn load(text: &str) -> gateway::model::Config {
    let files = MemFiles::default().with("kong.yaml", text);
    load::load(&[PathBuf::from("kong.yaml")], &files, &Env::new(), EnvMode::Resolve).config
}

fn configs() -> &'static (Vec<gateway::model::Config>, Vec<gateway::model::Config>) {
    static C: OnceLock<(Vec<gateway::model::Config>, Vec<gateway::model::Config>)> = OnceLock::new();
    C.get_or_init(|| (EXAMPLES.iter().map(|t| load(t)).collect(), PROVIDERS.iter().map(|t| load(t)).collect()))
}

/// Simulates, and replays an accepted AI request as `simulate --serve` does.
fn run(sim: &Simulator, req: &SimRequest) {
    let s = sim.simulate(req, false);
    if let Some(x) = s.ai.as_ref().and_then(|a| a.exchange.as_ref()) {
        let _ = gateway::ai_proxy::dry_run(&x.conf, &x.body, x.content_type.as_deref());
    }
}

fn line(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|b| *b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[]),
    }
}

fuzz_target!(|data: &[u8]| {
    let (target, rest) = line(data);
    let (host, rest) = line(rest);
    let (headers, body) = line(rest);
    let target = format!("/{}", String::from_utf8_lossy(target));
    let host = (!host.is_empty()).then(|| String::from_utf8_lossy(host).into_owned());
    let headers: Vec<(String, String)> = String::from_utf8_lossy(headers)
        .split(';')
        .filter_map(|h| h.split_once(':').map(|(k, v)| (k.to_string(), v.to_string())))
        .collect();
    let body = (!data.is_empty()).then(|| body.to_vec());
    let request = |method: &str, target: &str| SimRequest {
        request: Request { method: method.into(), target: target.into(), host: host.clone(), headers: headers.clone(), https: false, listener_port: 8000, sni: None },
        body: body.clone(),
    };
    let (examples, providers) = configs();
    for config in examples.iter().chain(providers) {
        let sim = Simulator::new(config, Formula::Effective).expect("fixture configs build");
        for method in ["POST", "GET"] {
            run(&sim, &request(method, &target));
        }
    }
    for config in providers {
        let sim = Simulator::new(config, Formula::Effective).expect("fixture configs build");
        for path in AI_PATHS {
            run(&sim, &request("POST", path));
        }
    }
});
