//! `Simulator::simulate` with arbitrary request bodies on every provider's AI routes
//! (testdata/ai_proxy/providers/*.yaml: chat, completions, body model with
//! `response_streaming: always`, preserve): no panic, and an accepted request replays through
//! `ai_proxy::dry_run` (what `simulate --serve` answers with) into a well-formed answer.

use gateway::env::{Env, EnvMode};
use gateway::load::{self, MemFiles};
use gateway::router::{Formula, Request};
use gateway::simulate::{SimRequest, Simulator};
use proptest::prelude::*;
use serde_json::{json, Value as Json};
use std::path::PathBuf;

const PROVIDERS: [&str; 9] = ["openai", "azure", "anthropic", "cohere", "mistral", "llama2", "gemini", "bedrock", "huggingface"];
const PATHS: [&str; 4] = ["/chat", "/completions", "/body-model", "/preserve/v1/x?y=1"];
const CONTENT_TYPES: [Option<&str>; 4] = [None, Some("application/json"), Some("application/json; charset=utf-8"), Some("text/plain")];

fn configs() -> Vec<gateway::model::Config> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    PROVIDERS
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(root.join(format!("testdata/ai_proxy/providers/{p}.yaml"))).unwrap();
            let loaded = load::load(&[PathBuf::from("kong.yaml")], &MemFiles::default().with("kong.yaml", &text), &Env::new(), EnvMode::Resolve);
            loaded.config
        })
        .collect()
}

/// JSON values a client might put in a field.
fn value() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(|i| json!(i)),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| json!(f)),
        "[a-z ]{0,12}".prop_map(Json::String),
        any::<String>().prop_map(Json::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Json::Array),
            prop::collection::btree_map("[a-z_]{1,8}", inner, 0..4).prop_map(|m| Json::Object(m.into_iter().collect())),
        ]
    })
}

/// OpenAI-shaped bodies with arbitrary values where clients put them.
fn openai_body() -> impl Strategy<Value = Vec<u8>> {
    let role = prop_oneof![Just(json!("system")), Just(json!("user")), Just(json!("assistant")), Just(json!("tool")), value()];
    let content = prop_oneof![
        "[a-z ]{0,20}".prop_map(Json::String),
        Just(json!([{"type": "text", "text": "hi"}, {"type": "image_url", "image_url": {"url": "data:image/png;base64,AA=="}}])),
        value(),
    ];
    let message = (role, content, prop::option::of(value())).prop_map(|(r, c, extra)| {
        let mut m = json!({"role": r, "content": c});
        if let Some(x) = extra {
            m["tool_calls"] = x;
        }
        m
    });
    (
        prop::option::of(prop::collection::vec(message, 0..4)),
        prop::option::of(prop_oneof!["[a-z ]{0,20}".prop_map(Json::String), value()]),
        prop::option::of(prop_oneof![Just(json!("gpt-4o")), Just(json!("m1")), Just(json!("")), value()]),
        prop::option::of(value()),
        prop::collection::btree_map(
            prop_oneof![Just("max_tokens".to_string()), Just("temperature".to_string()), Just("top_p".to_string()), Just("tools".to_string()), "[a-z_]{1,8}"],
            value(),
            0..3,
        ),
    )
        .prop_map(|(messages, prompt, model, stream, extra)| {
            let mut b = serde_json::Map::new();
            if let Some(m) = messages {
                b.insert("messages".into(), Json::Array(m));
            }
            if let Some(p) = prompt {
                b.insert("prompt".into(), p);
            }
            if let Some(m) = model {
                b.insert("model".into(), m);
            }
            if let Some(s) = stream {
                b.insert("stream".into(), s);
            }
            b.extend(extra);
            serde_json::to_vec(&Json::Object(b)).unwrap()
        })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![3 => openai_body(), 1 => prop::collection::vec(any::<u8>(), 0..200), 1 => value().prop_map(|v| serde_json::to_vec(&v).unwrap())]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bodies_on_every_provider(provider in 0..PROVIDERS.len(), path in 0..PATHS.len(), ct in 0..CONTENT_TYPES.len(), body in body()) {
        let configs = configs_cached();
        let sim = Simulator::new(&configs[provider], Formula::Effective).unwrap();
        let headers = CONTENT_TYPES[ct].map(|c| vec![("Content-Type".to_string(), c.to_string())]).unwrap_or_default();
        let request = Request { method: "POST".into(), target: PATHS[path].into(), host: None, headers, https: false, listener_port: 8000, sni: None };
        let s = sim.simulate(&SimRequest { request, body: Some(body) }, false);
        let ai = s.ai.as_ref().expect("every route of these configs has an ai-proxy");
        prop_assert!(s.route.is_some());
        if s.status != 200 {
            prop_assert!(s.upstream.is_none() && s.error.is_some(), "{s:?}");
            return Ok(());
        }
        // accepted: the listener's replay of the same request is accepted too
        let x = ai.exchange.as_ref().expect("an accepted request with a body keeps its exchange");
        let d = gateway::ai_proxy::dry_run(&x.conf, &x.body, x.content_type.as_deref());
        let d = d.map_err(|e| TestCaseError::fail(format!("simulate accepted what dry_run refuses: {e}")))?;
        prop_assert_eq!(d.prepared.stream, ai.stream);
        if ai.stream {
            prop_assert!(ai.stream_plan.is_some());
            prop_assert_eq!(d.content_type, "text/event-stream");
            for event in d.body.split("\n\n").filter_map(|e| e.strip_prefix("data: ")).filter(|e| *e != "[DONE]") {
                prop_assert!(serde_json::from_str::<Json>(event).is_ok(), "event {event:?}");
            }
        } else if d.status == 200 {
            prop_assert!(serde_json::from_str::<Json>(&d.body).is_ok(), "{}", d.body);
        }
    }
}

fn configs_cached() -> &'static [gateway::model::Config] {
    static C: std::sync::OnceLock<Vec<gateway::model::Config>> = std::sync::OnceLock::new();
    C.get_or_init(configs)
}
