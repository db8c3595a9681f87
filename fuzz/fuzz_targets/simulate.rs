//! Arbitrary requests (target, Host, headers, body) against the Azure example and the AI proxy
//! spec-case config, as the dry-run listener would receive them. Any panic is a bug.
#![no_main]

use gateway::env::{Env, EnvMode};
use gateway::load::{self, MemFiles};
use gateway::router::{Formula, Request};
use gateway::simulate::{SimRequest, Simulator};
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

fn configs() -> &'static Vec<gateway::model::Config> {
    static C: OnceLock<Vec<gateway::model::Config>> = OnceLock::new();
    C.get_or_init(|| {
        [include_str!("../../testdata/azure/kong.yaml"), include_str!("../../testdata/ai_proxy/kong.yaml")]
            .iter()
            .map(|text| {
                let files = MemFiles::default().with("kong.yaml", text);
                load::load(&[PathBuf::from("kong.yaml")], &files, &Env::new(), EnvMode::Resolve).config
            })
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(4, '\n');
    let target = format!("/{}", parts.next().unwrap_or(""));
    let host = parts.next().map(String::from);
    let headers: Vec<(String, String)> = parts
        .next()
        .unwrap_or("")
        .split(';')
        .filter_map(|h| h.split_once(':').map(|(k, v)| (k.to_string(), v.to_string())))
        .collect();
    let body = parts.next().map(|b| b.as_bytes().to_vec());
    for config in configs() {
        let sim = Simulator::new(config, Formula::Effective).expect("fixture configs build");
        for method in ["POST", "GET"] {
            let request = Request { method: method.into(), target: target.clone(), host: host.clone(), headers: headers.clone(), https: false, listener_port: 8000, sni: None };
            let req = SimRequest { request, body: body.clone() };
            let _ = sim.simulate(&req, false);
        }
    }
});
