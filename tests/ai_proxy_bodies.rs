//! The AI proxy's upstream bodies, client responses and streams, checked against Kong's own
//! fixtures. Each table row names the Kong spec it restates and the fixture files it reads
//! (copied to tests/fixtures/kong-ai-proxy/, see the README there; Kong/kong @ 22246ef2).

use std::path::PathBuf;

use gateway::ai_proxy::request::{self, Body, Conf, Model};
use gateway::ai_proxy::{response, stream, template, upstream};
use proptest::prelude::*;
use serde_json::{json, Value as Json};

fn fixture(path: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kong-ai-proxy").join(path);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn fixture_json(path: &str) -> Json {
    serde_json::from_str(&fixture(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Lua has one number type and cjson writes 1.0 as 1: compare numbers by value.
fn same(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        (Json::Array(x), Json::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b)),
        (Json::Object(x), Json::Object(y)) => x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w))),
        _ => a == b,
    }
}

fn assert_same(label: &str, actual: &Json, expected: &Json) {
    assert!(same(actual, expected), "{label}\nactual:   {actual}\nexpected: {expected}");
}

/// The `FORMATS` table of spec/03-plugins/38-ai-proxy/01-unit_spec.lua: the model config
/// each driver is run with, and the fixture sub-path (provider, or provider/format).
fn formats() -> Vec<(&'static str, &'static str, Model)> {
    let m = |p: &str, n: &str, o: Json| Model::new(p, Some(n), o);
    vec![
        ("openai", "llm/v1/chat", m("openai", "gpt-4", json!({"max_tokens": 512, "temperature": 0.5}))),
        ("openai", "llm/v1/completions", m("openai", "gpt-3.5-turbo-instruct", json!({"max_tokens": 512, "temperature": 0.5}))),
        ("cohere", "llm/v1/chat", m("cohere", "command", json!({"max_tokens": 512, "temperature": 0.5, "top_p": 1.0}))),
        ("cohere", "llm/v1/completions", m("cohere", "command", json!({"max_tokens": 512, "temperature": 0.5, "top_p": 0.75, "top_k": 5}))),
        ("anthropic", "llm/v1/chat", m("anthropic", "claude-2.1", json!({"max_tokens": 512, "temperature": 0.5, "top_p": 1.0}))),
        ("anthropic", "llm/v1/completions", m("anthropic", "claude-2.1", json!({"max_tokens": 512, "temperature": 0.5, "top_p": 1.0}))),
        ("azure", "llm/v1/chat", m("azure", "gpt-4", json!({"max_tokens": 512, "temperature": 0.5, "top_p": 1.0}))),
        ("azure", "llm/v1/completions", m("azure", "gpt-3.5-turbo-instruct", json!({"max_tokens": 512, "temperature": 0.5, "top_p": 1.0}))),
        (
            "llama2/raw",
            "llm/v1/chat",
            m("llama2", "llama2", json!({"max_tokens": 512, "temperature": 0.5, "llama2_format": "raw", "top_p": 1, "top_k": 40})),
        ),
        ("llama2/raw", "llm/v1/completions", m("llama2", "llama2", json!({"max_tokens": 512, "temperature": 0.5, "llama2_format": "raw"}))),
        ("llama2/ollama", "llm/v1/chat", m("llama2", "llama2", json!({"max_tokens": 512, "temperature": 0.5, "llama2_format": "ollama"}))),
        ("llama2/ollama", "llm/v1/completions", m("llama2", "llama2", json!({"max_tokens": 512, "temperature": 0.5, "llama2_format": "ollama"}))),
        ("mistral/openai", "llm/v1/chat", m("mistral", "mistral-tiny", json!({"max_tokens": 512, "temperature": 0.5, "mistral_format": "openai"}))),
        ("mistral/ollama", "llm/v1/chat", m("mistral", "mistral-tiny", json!({"max_tokens": 512, "temperature": 0.5, "mistral_format": "ollama"}))),
        ("gemini", "llm/v1/chat", m("gemini", "gemini-pro", json!({"max_tokens": 8192, "temperature": 0.8, "top_k": 1, "top_p": 0.6}))),
        ("bedrock", "llm/v1/chat", m("bedrock", "bedrock", json!({"max_tokens": 8192, "temperature": 0.8, "top_k": 1, "top_p": 0.6}))),
    ]
}

fn file_of(route_type: &str) -> String {
    format!("{}.json", route_type.replace('/', "-"))
}

// 01-unit_spec.lua "converts to provider request format correctly":
// unit/requests/<route>.json through the driver == unit/expected-requests/<provider>/<route>.json
#[test]
fn unit_spec_requests() {
    for (dir, route_type, model) in formats() {
        let req = fixture_json(&format!("unit/requests/{}", file_of(route_type)));
        let expected = fixture_json(&format!("unit/expected-requests/{dir}/{}", file_of(route_type)));
        let actual = request::to_format(&req, &model, route_type).unwrap_or_else(|e| panic!("{dir} {route_type}: {e}"));
        assert_same(&format!("{dir} {route_type}"), &actual, &expected);
    }
}

// The same fixtures through the whole request path (normalize-request.lua, then the
// driver): the client body carries no `model`, so the configured one is used.
#[test]
fn unit_spec_requests_through_prepare() {
    for (dir, route_type, model) in formats() {
        let raw = fixture(&format!("unit/requests/{}", file_of(route_type)));
        let expected = fixture_json(&format!("unit/expected-requests/{dir}/{}", file_of(route_type)));
        let p = request::prepare(&Conf::new(route_type, model.clone()), raw.as_bytes(), Some("application/json")).unwrap();
        assert_eq!(p.model, model.name);
        assert!(!p.stream);
        let Body::Json(actual) = p.body else { panic!("{dir}: body not transformed") };
        assert_same(&format!("{dir} {route_type}"), &actual, &expected);
    }
}

// 01-unit_spec.lua "converts from provider response format correctly": Kong compares
// choices[1].message and model; we also compare the completion text.
#[test]
fn unit_spec_responses() {
    for (dir, route_type, model) in formats() {
        let real = fixture(&format!("unit/real-responses/{dir}/{}", file_of(route_type)));
        let expected = fixture_json(&format!("unit/expected-responses/{dir}/{}", file_of(route_type)));
        let out = response::from_format(&model, route_type, real.as_bytes()).unwrap_or_else(|e| panic!("{dir} {route_type}: {e}"));
        let actual: Json = serde_json::from_str(&out).unwrap();
        let label = format!("{dir} {route_type}");
        assert_same(&label, &actual["choices"][0]["message"], &expected["choices"][0]["message"]);
        // Kong's fixtures for llama2/ollama completions disagree on the text ("Because I
        // said so." in, another sentence expected); Kong's spec never compares it
        if dir != "llama2/ollama" {
            assert_same(&label, &actual["choices"][0]["text"], &expected["choices"][0]["text"]);
        } else {
            assert_eq!(actual["choices"][0]["text"].is_string(), route_type == "llm/v1/completions", "{label}");
        }
        assert_same(&label, &actual["model"], &expected["model"]);
    }
}

// Kong's finish_reason per driver for the unit real-responses (the spec does not compare
// it; these follow the driver code: bedrock maps end_turn, gemini lower-cases, cohere and
// openai say "stop", anthropic passes stop_reason on).
#[test]
fn unit_response_finish_reasons() {
    let want = [
        ("openai", "llm/v1/chat", json!("stop")),
        ("cohere", "llm/v1/chat", json!("stop")),
        ("cohere", "llm/v1/completions", json!("stop")),
        ("anthropic", "llm/v1/chat", json!("stop_sequence")),
        ("gemini", "llm/v1/chat", json!("stop")),
        ("bedrock", "llm/v1/chat", json!("stop")),
        ("llama2/ollama", "llm/v1/chat", json!("stop")),
        ("llama2/raw", "llm/v1/chat", Json::Null),
    ];
    for (dir, route_type, reason) in want {
        let model = formats().into_iter().find(|(d, r, _)| *d == dir && *r == route_type).unwrap().2;
        let real = fixture(&format!("unit/real-responses/{dir}/{}", file_of(route_type)));
        let out: Json = serde_json::from_str(&response::from_format(&model, route_type, real.as_bytes()).unwrap()).unwrap();
        assert_eq!(out["choices"][0].get("finish_reason").cloned().unwrap_or(Json::Null), reason, "{dir}");
    }
}

// 01-unit_spec.lua "stream format tests": one real frame through the driver's stream
// transformer gives the expected choices.
#[test]
fn unit_spec_stream_frames() {
    let cases = [
        ("openai", "llm/v1/chat", "gpt-4", json!([{"delta": {"content": "the answer"}, "finish_reason": null, "index": 0, "logprobs": null}])),
        ("openai", "llm/v1/completions", "gpt-3.5-turbo-instruct", json!([{"text": "the answer", "finish_reason": null, "index": 0, "logprobs": null}])),
        ("cohere", "llm/v1/chat", "command", json!([{"delta": {"content": "the answer"}, "finish_reason": null, "index": 0, "logprobs": null}])),
        ("cohere", "llm/v1/completions", "command-light", json!([{"text": "the answer", "finish_reason": null, "index": 0, "logprobs": null}])),
    ];
    for (provider, route_type, name, choices) in cases {
        let frame = fixture(&format!("unit/real-stream-frames/{provider}/{}", file_of(route_type).replace(".json", ".txt")));
        let events = stream::frame_to_events(&frame);
        let model = Model::new(provider, Some(name), Json::Null);
        let out = stream::event_to_client(&model, route_type, &events[0], &mut stream::State::default()).unwrap().unwrap();
        let out: Json = serde_json::from_str(&out).unwrap();
        assert_eq!(out["choices"], choices, "{provider} {route_type}");
    }
}

// 01-unit_spec.lua "throws correct error when format is not supported" and "produces a
// correct default config merge".
#[test]
fn unit_spec_errors_and_merge() {
    let req = fixture_json("unit/requests/llm-v1-chat.json");
    let m = Model::new("mistral", Some("mistral-tiny"), json!({"max_tokens": 512, "temperature": 0.5, "mistral_format": "ollama"}));
    assert_eq!(
        request::to_format(&req, &m, "llm/v1/chatnopenotsupported").unwrap_err(),
        "no transformer available to format mistral://llm/v1/chatnopenotsupported/ollama"
    );
    // merge_config_defaults: configured max_tokens/top_p win, temperature stays the
    // client's, unknown client fields survive (seen through the openai driver, which
    // removes nothing else but top_k)
    let body = json!({"messages": [{"role": "user", "content": "x"}], "max_tokens": 256, "temperature": 0.1, "top_p": 0.2,
                      "some_extra_param": "string_val", "another_extra_param": 0.5, "top_k": 3});
    let m = Model::new("openai", Some("gpt-4"), json!({"max_tokens": 1024, "top_p": 0.5}));
    let out = request::to_format(&body, &m, "llm/v1/chat").unwrap();
    assert_same(
        "merge",
        &out,
        &json!({"messages": [{"role": "user", "content": "x"}], "max_tokens": 1024, "temperature": 0.1, "top_p": 0.5,
                "some_extra_param": "string_val", "another_extra_param": 0.5, "model": "gpt-4", "stream": false}),
    );
}

// 01-unit_spec.lua "gemini multimodal" / "gemini tools" / "bedrock tools" (the SAMPLE_*
// tables of that spec, restated as JSON).
#[test]
fn unit_spec_gemini_and_bedrock_shapes() {
    let gm = Model::new("gemini", Some("gemini-pro"), Json::Null);
    let image = |url: &str| {
        json!({"messages": [
            {"role": "user", "content": [{"type": "text", "text": "What is in this picture?"}, {"type": "image_url", "image_url": {"url": url}}]},
            {"role": "assistant", "content": [{"type": "text", "text": "A picture of a cat."}]},
            {"role": "user", "content": [{"type": "text", "text": "Now draw it wearing a party-hat."}]}
        ]})
    };
    let out = request::to_format(&image("https://example.local/image.jpg"), &gm, "llm/v1/chat").unwrap();
    assert_eq!(out["contents"][0]["parts"][1], json!({"fileData": {"fileUri": "https://example.local/image.jpg", "mimeType": "image/generic"}}));
    assert_eq!(out["contents"][1]["role"], "model");
    let out = request::to_format(&image("data:image/png;base64,Y2F0X3BuZ19oZXJlX2xvbAo="), &gm, "llm/v1/chat").unwrap();
    assert_eq!(out["contents"][0]["parts"][1], json!({"inlineData": {"data": "Y2F0X3BuZ19oZXJlX2xvbAo=", "mimeType": "image/png"}}));
    let bad = json!({"messages": [{"role": "user", "content": [{"type": "doesnt_exist"}]}]});
    assert_eq!(
        request::to_format(&bad, &gm, "llm/v1/chat").unwrap_err(),
        "error transforming to gemini://llm/v1/chat: cannot transform part of type 'doesnt_exist' to Gemini format"
    );
    let bad = json!({"messages": [{"role": "user", "content": [{"type": "text", "bad_text_field": "x"}]}]});
    assert!(request::to_format(&bad, &gm, "llm/v1/chat").unwrap_err().ends_with("message part type is 'text' but is missing .text block"));

    let tools = json!([{"type": "function", "function": {"name": "check_stock", "description": "Check a product is in stock.",
        "parameters": {"type": "object", "properties": {"product_name": {"type": "string"}}, "required": ["product_name"]}}}]);
    let req = json!({"messages": [{"role": "user", "content": "Is the NewPhone in stock?"}], "tools": tools});
    let out = request::to_format(&req, &gm, "llm/v1/chat").unwrap();
    assert_eq!(out["tools"], json!([{"function_declarations": [tools[0]["function"]]}]));
    let gemini_tool_answer = json!({"candidates": [{"content": {"role": "model", "parts": [{"functionCall": {"name": "sql_execute", "args": {"product_name": "NewPhone"}}}]}, "finishReason": "STOP"}]});
    let out: Json = serde_json::from_str(&response::from_format(&gm, "llm/v1/chat", gemini_tool_answer.to_string().as_bytes()).unwrap()).unwrap();
    assert_eq!(out["choices"][0]["message"]["tool_calls"][0]["function"], json!({"name": "sql_execute", "arguments": "{\"product_name\":\"NewPhone\"}"}));

    let bm = Model::new("bedrock", Some("some-model"), Json::Null);
    let out = request::to_format(&req, &bm, "llm/v1/chat").unwrap();
    assert_eq!(
        out["toolConfig"]["tools"],
        json!([{"toolSpec": {"name": "check_stock", "description": "Check a product is in stock.", "inputSchema": {"json": tools[0]["function"]["parameters"]}}}])
    );
    let guard = json!({"messages": [{"role": "user", "content": "x"}], "guardrailConfig": {"guardrailIdentifier": "yu5xwvfp4sud", "guardrailVersion": "1", "trace": "enabled"}});
    assert_eq!(request::to_format(&guard, &bm, "llm/v1/chat").unwrap()["guardrailConfig"], guard["guardrailConfig"]);
    let bedrock_tool_answer = json!({"output": {"message": {"role": "assistant", "content": [
        {"text": "Certainly!"}, {"toolUse": {"input": {"areas": [121, 212, 313]}, "name": "sumArea", "toolUseId": "tooluse_4ZakZPY9SiWoKWrAsY7_eg"}}]}},
        "stopReason": "tool_use", "usage": {"inputTokens": 410, "outputTokens": 115, "totalTokens": 525}});
    let out: Json = serde_json::from_str(&response::from_format(&bm, "llm/v1/chat", bedrock_tool_answer.to_string().as_bytes()).unwrap()).unwrap();
    assert_eq!(out["choices"][0]["message"]["tool_calls"][0]["function"], json!({"name": "sumArea", "arguments": "{\"areas\":[121,212,313]}"}));
    assert_eq!(out["choices"][0]["finish_reason"], "tool_calls");
    assert_eq!(out["usage"], json!({"prompt_tokens": 410, "completion_tokens": 115, "total_tokens": 525}));
}

/// One ai-proxy request through Kong: prepare, then a canned upstream answer back.
fn round_trip(model: &Model, route_type: &str, request_fixture: &str, response_fixture: &str) -> Result<response::ClientResponse, request::KongError> {
    let raw = fixture(request_fixture);
    request::prepare(&Conf::new(route_type, model.clone()), raw.as_bytes(), Some("application/json"))?;
    Ok(response::to_client(model, route_type, fixture(response_fixture).as_bytes()))
}

// 03-anthropic_integration_spec.lua: good request, bad upstream response, bad request,
// no usage, malformed usage, completions, tool_choice conversion.
#[test]
fn anthropic_integration_spec() {
    let m = Model::new("anthropic", Some("claude-2.1"), json!({"max_tokens": 256, "temperature": 1.0, "anthropic_version": "2023-06-01"}));
    let chat = |resp: &str| round_trip(&m, "llm/v1/chat", "anthropic/llm-v1-chat/requests/good.json", &format!("anthropic/llm-v1-chat/responses/{resp}"));
    let good = chat("good.json").unwrap();
    let body: Json = serde_json::from_str(&good.body).unwrap();
    assert_eq!((good.status, &body["model"], &body["object"]), (200, &json!("claude-2.1"), &json!("chat.completion")));
    assert_eq!(body["choices"][0]["message"], json!({"content": "The sum of 1 + 1 is 2.", "role": "assistant"}));
    let bad = chat("bad_upstream_response.json").unwrap();
    assert_eq!(bad.status, 500);
    assert_eq!(
        serde_json::from_str::<Json>(&bad.body).unwrap()["error"]["message"],
        "transformation failed from type anthropic://llm/v1/chat: 'content' not in anthropic://llm/v1/chat response"
    );
    let e = round_trip(&m, "llm/v1/chat", "anthropic/llm-v1-chat/requests/bad_request.json", "anthropic/llm-v1-chat/responses/good.json").unwrap_err();
    assert_eq!((e.status, e.message.as_deref()), (400, Some("request body doesn't contain valid prompts")));
    let no_usage: Json = serde_json::from_str(&chat("no_usage_response.json").unwrap().body).unwrap();
    assert_eq!(no_usage["usage"], "no usage data returned from upstream");
    let malformed: Json = serde_json::from_str(&chat("malformed_usage_response.json").unwrap().body).unwrap();
    assert_eq!(malformed["usage"], json!({}));
    let completions = round_trip(&m, "llm/v1/completions", "anthropic/llm-v1-completions/requests/good.json", "anthropic/llm-v1-completions/responses/good.json").unwrap();
    let body: Json = serde_json::from_str(&completions.body).unwrap();
    assert_eq!((&body["model"], &body["object"], &body["choices"][0]["text"]), (&json!("claude-2.1"), &json!("text_completion"), &json!(" Hello! My name is Claude.")));
    let e = round_trip(&m, "llm/v1/completions", "anthropic/llm-v1-completions/requests/bad_request.json", "anthropic/llm-v1-completions/responses/good.json").unwrap_err();
    assert_eq!(e.message.as_deref(), Some("request body doesn't contain valid prompts"));

    for (input, output) in [
        ("tool_choice_auto.json", json!({"type": "auto"})),
        ("tool_choice_none.json", json!({"type": "none"})),
        ("tool_choice_required.json", json!({"type": "any"})),
        ("tool_choice_object_function.json", json!({"type": "tool", "name": "my_function"})),
    ] {
        let mut body = fixture_json(&format!("openai/llm-v1-chat/requests/{input}"));
        body["model"] = json!("claude-2.1");
        let p = request::prepare(&Conf::new("llm/v1/chat", m.clone()), body.to_string().as_bytes(), None).unwrap();
        let Body::Json(sent) = p.body else { panic!() };
        assert_eq!(sent["tool_choice"], output, "{input}");
    }
}

// 04-cohere_integration_spec.lua: good chat and completions, bad upstream response, bad request.
#[test]
fn cohere_integration_spec() {
    let m = Model::new("cohere", Some("command"), json!({"max_tokens": 256, "temperature": 1.0}));
    let good = round_trip(&m, "llm/v1/chat", "cohere/llm-v1-chat/requests/good.json", "cohere/llm-v1-chat/responses/good.json").unwrap();
    let body: Json = serde_json::from_str(&good.body).unwrap();
    assert_eq!((&body["model"], &body["object"]), (&json!("command"), &json!("chat.completion")));
    assert_eq!(body["choices"][0]["message"], json!({"content": "The sum of 1 + 1 is 2.", "role": "assistant"}));
    let bad = round_trip(&m, "llm/v1/chat", "cohere/llm-v1-chat/requests/good.json", "cohere/llm-v1-chat/responses/bad_upstream_response.json").unwrap();
    assert_eq!(bad.status, 500);
    assert_eq!(
        serde_json::from_str::<Json>(&bad.body).unwrap()["error"]["message"],
        "transformation failed from type cohere://llm/v1/chat: 'text' or 'generations' missing from cohere response body"
    );
    let e = round_trip(&m, "llm/v1/chat", "cohere/llm-v1-chat/requests/bad_request.json", "cohere/llm-v1-chat/responses/good.json").unwrap_err();
    assert_eq!(e.message.as_deref(), Some("request body doesn't contain valid prompts"));
    let comp = round_trip(&m, "llm/v1/completions", "cohere/llm-v1-completions/requests/good.json", "cohere/llm-v1-completions/responses/good.json").unwrap();
    let body: Json = serde_json::from_str(&comp.body).unwrap();
    assert_eq!((&body["model"], &body["object"], &body["choices"][0]["text"]), (&json!("command"), &json!("text_completion"), &json!("1 + 1 is 2.")));
}

// 02-openai_integration_spec.lua: good request (body relayed, X-Kong-LLM-Model), model of
// cjson.null, trying to override the configured model, model taken from the client body,
// bad upstream response, bad requests.
#[test]
fn openai_integration_spec() {
    let m = Model::new("openai", Some("gpt-3.5-turbo"), json!({"max_tokens": 256, "temperature": 1.0}));
    let good = round_trip(&m, "llm/v1/chat", "openai/llm-v1-chat/requests/good.json", "openai/llm-v1-chat/responses/good.json").unwrap();
    assert_eq!(good.body, fixture("openai/llm-v1-chat/responses/good.json"));
    let body: Json = serde_json::from_str(&good.body).unwrap();
    assert_eq!((&body["model"], &body["id"]), (&json!("gpt-3.5-turbo-0613"), &json!("chatcmpl-8T6YwgvjQVVnGbJ2w8hpOA17SeNy2")));
    let good_req = fixture("openai/llm-v1-chat/requests/good.json");
    let r = gateway::ai_proxy::dry_run(&Conf::new("llm/v1/chat", m.clone()), good_req.as_bytes(), None).unwrap();
    assert_eq!(r.model_header.as_deref(), Some("openai/gpt-3.5-turbo"));

    let mut null_model: Json = serde_json::from_str(&good_req).unwrap();
    null_model["model"] = Json::Null;
    let p = request::prepare(&Conf::new("llm/v1/chat", m.clone()), null_model.to_string().as_bytes(), None).unwrap();
    let Body::Json(sent) = p.body else { panic!() };
    assert_eq!(sent["model"], "gpt-3.5-turbo");

    let own = fixture("openai/llm-v1-chat/requests/good_own_model.json");
    let e = request::prepare(&Conf::new("llm/v1/chat", m.clone()), own.as_bytes(), None).unwrap_err();
    assert_eq!((e.status, e.body()), (400, Some(json!({"error": {"message": "cannot use own model - must be: gpt-3.5-turbo"}}))));
    let no_name = Model::new("openai", None, json!({"max_tokens": 256}));
    let r = gateway::ai_proxy::dry_run(&Conf::new("llm/v1/chat", no_name), own.as_bytes(), None).unwrap();
    assert_eq!(r.model_header.as_deref(), Some("openai/try-to-override-the-model"));

    let bad = round_trip(&m, "llm/v1/chat", "openai/llm-v1-chat/requests/good.json", "openai/llm-v1-chat/responses/bad_upstream_response.json").unwrap();
    assert_eq!(bad.status, 500);
    assert_eq!(
        serde_json::from_str::<Json>(&bad.body).unwrap()["error"]["message"],
        "transformation failed from type openai://llm/v1/chat: 'choices' not in llm/v1/chat response"
    );
    for (rt, req) in [("llm/v1/chat", "openai/llm-v1-chat/requests/bad_request.json"), ("llm/v1/completions", "openai/llm-v1-completions/requests/bad_request.json")] {
        let e = request::prepare(&Conf::new(rt, m.clone()), fixture(req).as_bytes(), None).unwrap_err();
        assert_eq!(e.message.as_deref(), Some("request body doesn't contain valid prompts"), "{rt}");
    }
    let comp = round_trip(&m, "llm/v1/completions", "openai/llm-v1-completions/requests/good.json", "openai/llm-v1-completions/responses/good.json").unwrap();
    let body: Json = serde_json::from_str(&comp.body).unwrap();
    assert_eq!(body["choices"][0]["text"], "\n\nI am a language model AI created by OpenAI. I can answer questions");
}

// normalize-request.lua: the model checks with Kong's messages, for providers whose body
// carries no model (gemini, bedrock) too.
#[test]
fn model_checks_and_bodies_without_model() {
    let chat = json!({"messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}], "model": "gemini-1.5-pro"});
    let gm = Model::new("gemini", Some("gemini-1.5-pro"), Json::Null);
    let p = request::prepare(&Conf::new("llm/v1/chat", gm), chat.to_string().as_bytes(), None).unwrap();
    let Body::Json(b) = p.body else { panic!() };
    assert!(b.get("model").is_none());
    assert_eq!(b["systemInstruction"], json!({"parts": [{"text": "be brief"}]}));
    let old = Model::new("gemini", None, Json::Null);
    let mut c = chat.clone();
    c["model"] = json!("gemini-1.0-pro");
    let e = request::prepare(&Conf::new("llm/v1/chat", old), c.to_string().as_bytes(), None).unwrap_err();
    assert_eq!(e.message.as_deref(), Some("error transforming to gemini://llm/v1/chat: system prompts aren't supported on gemini-1.0 models"));
    let bm = Model::new("bedrock", Some("amazon.titan-text-express-v1"), Json::Null);
    let e = request::prepare(&Conf::new("llm/v1/chat", bm), json!({"messages": chat["messages"]}).to_string().as_bytes(), None).unwrap_err();
    assert_eq!(e.message.as_deref(), Some("error transforming to bedrock://llm/v1/chat: system prompts are unsupported for model 'amazon.titan-text-express-v1"));
    let am = Model::new("anthropic", Some("claude-3-5-sonnet"), json!({"anthropic_version": "2023-06-01"}));
    let p = request::prepare(&Conf::new("llm/v1/chat", am), json!({"messages": chat["messages"], "top_p": 0.3, "n": 2}).to_string().as_bytes(), None).unwrap();
    let Body::Json(b) = p.body else { panic!() };
    assert_eq!(b, json!({"messages": [{"role": "user", "content": "hi"}], "system": "be brief", "model": "claude-3-5-sonnet", "stream": false}));
    assert!(p.notes.iter().any(|n| n.contains("max_tokens")));
}

// The integration specs' good-stream.json requests (02-openai, 03-anthropic,
// 04-cohere): streaming mode, and `stream: true` in each provider's body.
#[test]
fn stream_requests_of_the_integration_specs() {
    for (dir, model) in [
        ("openai", Model::new("openai", Some("gpt-3.5-turbo"), Json::Null)),
        ("anthropic", Model::new("anthropic", Some("claude-2.1"), json!({"max_tokens": 256}))),
        ("cohere", Model::new("cohere", Some("command"), Json::Null)),
    ] {
        let raw = fixture(&format!("{dir}/llm-v1-chat/requests/good-stream.json"));
        let p = request::prepare(&Conf::new("llm/v1/chat", model), raw.as_bytes(), None).unwrap();
        assert!(p.stream, "{dir}");
        let Body::Json(sent) = p.body else { panic!() };
        assert_eq!(sent["stream"], true, "{dir}");
    }
}

// Streaming: what an OpenAI-format client receives (normalize-sse-chunk.lua) and the
// upstream change per provider (gemini.lua / bedrock.lua configure_request).
#[test]
fn streaming_per_provider() {
    for (m, finish) in [
        (Model::new("openai", Some("gpt-4o"), Json::Null), Some("stop")),
        (Model::new("bedrock", Some("anthropic.claude-3"), Json::Null), Some("stop")),
        (Model::new("gemini", Some("gemini-1.5-pro"), Json::Null), Some("STOP")),
        (Model::new("cohere", Some("command"), Json::Null), None),
        (Model::new("anthropic", Some("claude-3"), Json::Null), None),
        (Model::new("mistral", Some("mistral-tiny"), json!({"mistral_format": "ollama"})), None),
    ] {
        let sent = json!({"model": m.name});
        let body = stream::simulated_client_stream(&m, "llm/v1/chat", &sent);
        assert!(body.ends_with("data: [DONE]"), "{}: {body}", m.provider);
        let chunks: Vec<Json> = body
            .split("\n\n")
            .filter_map(|e| e.strip_prefix("data: "))
            .filter(|d| *d != "[DONE]")
            .map(|d| serde_json::from_str(d).unwrap())
            .collect();
        assert!(chunks.len() > 2, "{}", m.provider);
        assert!(chunks.iter().all(|c| c["model"] == json!(m.name)), "{}", m.provider);
        let text: String = chunks.iter().filter_map(|c| c["choices"][0]["delta"]["content"].as_str()).collect();
        assert_eq!(text, response::mock_text(&m.provider, m.name.as_deref().unwrap()), "{}", m.provider);
        let reasons: Vec<&Json> = chunks.iter().map(|c| &c["choices"][0]["finish_reason"]).filter(|r| r.is_string()).collect();
        assert_eq!(reasons.last().and_then(|r| r.as_str()), finish, "{}", m.provider);
        assert!(stream::plan(&m, "llm/v1/chat").supported);
    }
    // Hugging Face's own [DONE] is not JSON: Kong drops it
    let hf = Model::new("huggingface", Some("meta-llama/Llama-3"), Json::Null);
    assert!(!stream::simulated_client_stream(&hf, "llm/v1/chat", &json!({})).contains("[DONE]"));

    let t = |provider: &str, opts: &[(&str, &str)]| upstream::Target {
        provider: provider.into(),
        route_type: "llm/v1/chat".into(),
        model: Some("m1".into()),
        options: opts.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
    };
    assert_eq!(upstream::build_for(&t("gemini", &[]), "/", &[], true).unwrap().path, "/v1beta/models/m1:streamGenerateContent");
    assert_eq!(upstream::build_for(&t("bedrock", &[("bedrock.aws_region", "eu-west-1")]), "/", &[], true).unwrap().path, "/model/m1/converse-stream");
    assert_eq!(upstream::build_for(&t("openai", &[]), "/", &[], true).unwrap().path, "/v1/chat/completions");
}

// Task gap 1: several placeholders in one string (Kong commit 41688fe4, "fix AI Plugins
// with multiple capture groups", spec/03-plugins/38-ai-proxy/01-unit_spec.lua
// "upstream_url capture groups"), and the upstream_path that drivers honour.
#[test]
fn upstream_path_with_several_placeholders() {
    use template::Source;
    let lookup = |s: Source, k: &str| match (s, k) {
        (Source::UriCaptures, "api") => Some("api".to_string()),
        (Source::UriCaptures, "chat") => Some("chat".to_string()),
        (Source::Headers, "x-ver") => Some("v2".to_string()),
        _ => None,
    };
    assert_eq!(template::resolve("http://127.0.0.1:11434/$(uri_captures.api)/$(uri_captures.chat)", &lookup).unwrap(), "http://127.0.0.1:11434/api/chat");
    assert_eq!(template::resolve("/$(uri_captures.api)-$(uri_captures.chat)-endpoint", &lookup).unwrap(), "/api-chat-endpoint");
    // left to right: the first failing placeholder is reported
    assert_eq!(template::resolve("/$(uri_captures.nope)/$(bad)", &lookup).unwrap_err(), "uri_captures key nope was not provided");
    let model = request::resolve_model(&json!({"name": "$(headers.x-ver)", "options": {"upstream_path": "/$(headers.x-ver)/$(uri_captures.api)/$(uri_captures.chat)", "max_tokens": 5}}), &lookup).unwrap();
    assert_eq!(model["options"], json!({"upstream_path": "/v2/api/chat", "max_tokens": 5}));

    let target = |provider: &str| upstream::Target {
        provider: provider.into(),
        route_type: "llm/v1/chat".into(),
        model: Some("m".into()),
        options: [("upstream_path".to_string(), "/v2/api/chat".to_string()), ("bedrock.aws_region".to_string(), "us-east-1".to_string()), ("anthropic_version".to_string(), "x".to_string())].into(),
    };
    for p in ["openai", "anthropic", "cohere", "mistral", "gemini", "bedrock"] {
        assert_eq!(upstream::build(&target(p), "/client", &[]).unwrap().path, "/v2/api/chat", "{p}");
    }
    let mut az = target("azure");
    az.options.insert("azure_instance".into(), "i".into());
    az.options.insert("azure_deployment_id".into(), "d".into());
    assert_eq!(upstream::build(&az, "/client", &[]).unwrap().path, "/openai/deployments/d/v2/api/chat");
}

// Task gap 2: preserve keeps the client's path on the upstream_url host
// (kong/llm/drivers/shared.lua override_upstream_url, called by every driver's
// configure_request except huggingface).
#[test]
fn preserve_with_upstream_url_keeps_request_path() {
    let target = |provider: &str, opts: &[(&str, &str)]| upstream::Target {
        provider: provider.into(),
        route_type: "preserve".into(),
        model: Some("m".into()),
        options: opts.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
    };
    for p in ["openai", "azure", "anthropic", "cohere", "mistral", "llama2", "gemini", "bedrock"] {
        let t = target(
            p,
            &[("upstream_url", "http://llm.internal:8080/v1/chat/completions"), ("azure_instance", "i"), ("azure_deployment_id", "d"), ("bedrock.aws_region", "us-east-1")],
        );
        let up = upstream::build(&t, "/my/own/path", &[]).unwrap();
        assert_eq!((up.host.as_str(), up.port, up.path.as_str()), ("llm.internal", 8080, "/my/own/path"), "{p}");
    }
    // with upstream_path, preserve keeps the configured path
    let t = target("openai", &[("upstream_url", "http://llm.internal/v1/x"), ("upstream_path", "/fixed")]);
    assert_eq!(upstream::build(&t, "/mine", &[]).unwrap().path, "/v1/x");
    let t = target("openai", &[("upstream_path", "/fixed")]);
    assert_eq!(upstream::build(&t, "/mine", &[]).unwrap().path, "/fixed");
    // huggingface never calls override_upstream_url: preserve gets the chat suffix
    let t = target("huggingface", &[]);
    assert_eq!(upstream::build(&t, "/mine", &[]).unwrap().path, "/models/m/v1/chat/completions");
    // gemini and bedrock have no preserve operation: without upstream_url Kong's
    // configure_request fails
    assert!(upstream::build(&target("gemini", &[]), "/mine", &[]).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    // No function panics on any bytes (issue: robustness of the AI proxy simulation).
    #[test]
    fn no_panic_on_bytes(raw in proptest::collection::vec(any::<u8>(), 0..200)) {
        for (_, route_type, model) in formats() {
            let _ = request::prepare(&Conf::new(route_type, model.clone()), &raw, None);
            let _ = response::to_client(&model, route_type, &raw);
            let text = String::from_utf8_lossy(&raw);
            for e in stream::frame_to_events(&text) {
                let _ = stream::event_to_client(&model, route_type, &e, &mut stream::State::default());
            }
        }
    }

    // ... nor on any JSON value, as request, response or stream event.
    #[test]
    fn no_panic_on_json(v in arb_json(), wrap in any::<bool>()) {
        let body = if wrap { json!({"messages": [v.clone(), {"role": "user", "content": v.clone()}], "tools": v.clone(), "tool_choice": v.clone(), "stream": v.clone()}) } else { v.clone() };
        let bytes = body.to_string();
        for (_, route_type, model) in formats() {
            for rt in [route_type, "preserve", "llm/v1/embeddings"] {
                if let Ok(p) = request::prepare(&Conf::new(rt, model.clone()), bytes.as_bytes(), None) {
                    if let Body::Json(up) = &p.body {
                        let _ = response::simulated_client_response(&model, rt, up);
                        let _ = stream::simulated_client_stream(&model, rt, up);
                    }
                }
                let _ = request::to_format(&body, &model, rt);
                let _ = response::from_format(&model, rt, bytes.as_bytes());
                let _ = response::mock_provider_response(&model, rt, &body);
                let ev = stream::Event { event: Some("message_start".into()), data: bytes.clone() };
                let _ = stream::event_to_client(&model, rt, &ev, &mut stream::State::default());
            }
        }
        let _ = request::resolve_model(&body, &|_, _| None);
    }
}

proptest! {
    // Templates and upstream URLs from arbitrary strings (option values come from the
    // config and from request headers, captures and query arguments).
    #[test]
    fn no_panic_on_strings(a in "\\PC{0,40}", b in "[$()a-z_.:/?#@\\[\\]%é]{0,40}", stream in any::<bool>()) {
        let lookup = |_: template::Source, k: &str| k.len().is_multiple_of(2).then(|| k.to_string());
        let _ = template::resolve(&a, &lookup);
        let _ = template::resolve(&b, &lookup);
        for provider in ["openai", "azure", "anthropic", "cohere", "mistral", "llama2", "gemini", "bedrock", "huggingface", "xai", "nope"] {
            for route_type in ["llm/v1/chat", "preserve", "llm/v1/files"] {
                let t = upstream::Target {
                    provider: provider.into(),
                    route_type: route_type.into(),
                    model: Some(a.clone()),
                    options: [("upstream_url", b.as_str()), ("upstream_path", a.as_str()), ("azure_instance", "i"), ("azure_deployment_id", "d"), ("bedrock.aws_region", "r")]
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                };
                let _ = upstream::build_for(&t, &a, &[("api-version".into(), b.clone())], stream);
            }
        }
    }
}

fn arb_json() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        (-1e6f64..1e6).prop_map(|f| json!(f)),
        "[a-z$(). :/\\[\\]INST]{0,12}".prop_map(Json::String),
        prop_oneof![Just("user"), Just("assistant"), Just("system"), Just("tool"), Just("text"), Just("image_url"), Just("function")].prop_map(|s| json!(s)),
        Just(json!("data:image/png;base64,AAAA")),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Json::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("role".to_string()),
                    Just("content".to_string()),
                    Just("messages".to_string()),
                    Just("prompt".to_string()),
                    Just("type".to_string()),
                    Just("text".to_string()),
                    Just("image_url".to_string()),
                    Just("url".to_string()),
                    Just("function".to_string()),
                    Just("tool_calls".to_string()),
                    Just("arguments".to_string()),
                    Just("choices".to_string()),
                    Just("candidates".to_string()),
                    Just("content".to_string()),
                    Just("parts".to_string()),
                    Just("output".to_string()),
                    Just("message".to_string()),
                    Just("data".to_string()),
                    Just("usage".to_string()),
                    "[a-z_]{1,8}",
                ],
                inner,
                0..5
            )
            .prop_map(|m| Json::Object(m.into_iter().collect())),
        ]
    })
}
