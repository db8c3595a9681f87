//! Streaming (`"stream": true`, or `response_streaming: always`): what changes upstream
//! and what Kong relays to an OpenAI-format client.
//!
//! Restated from Kong OSS `Kong/kong` @ 22246ef2:
//! * `kong/llm/drivers/{gemini,bedrock}.lua` `configure_request`: the streaming operation
//!   in the URL (`:streamGenerateContent`, `/converse-stream`); the other drivers keep the
//!   URL and carry `stream: true` in the body (see [`super::request`]);
//! * `kong/llm/drivers/shared.lua` `frame_to_events`: how the upstream stream is cut into
//!   events per content type (SSE, AWS event stream, Gemini's JSON array, flat JSON lines);
//! * each driver's `handle_stream_event` (`from_format` with `stream/<route_type>`);
//! * `kong/llm/plugin/shared-filters/normalize-sse-chunk.lua`: every converted event is
//!   written as `data: <json>\n\n`, the terminator as `data: [DONE]` with no blank line
//!   after it; events a driver cannot convert are dropped;
//! * `normalize-response-header.lua`: the client gets `Content-Type: text/event-stream`.

use serde_json::{json, Map, Value as Json};

use super::lua::set;
use super::request::Model;
use super::response::mock_text;

/// The content type Kong answers a streamed request with.
pub const CLIENT_CONTENT_TYPE: &str = "text/event-stream";

/// What Kong does with a streaming request for one provider.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct StreamPlan {
    /// How the upstream request differs from the non-streamed one.
    pub upstream: String,
    /// The content type the provider streams with (decides how Kong cuts events).
    pub upstream_content_type: &'static str,
    /// What the client receives.
    pub client: String,
    /// Whether Kong's OSS drivers can relay this stream at all.
    pub supported: bool,
}

/// Kong's handling of a streamed request for `model` on `route_type`.
pub fn plan(model: &Model, route_type: &str) -> StreamPlan {
    let body_flag = "same URL as without streaming; the body carries \"stream\": true".to_string();
    let converted = "Kong rewrites each provider event into an OpenAI chat.completion.chunk carrying Kong's model name, then `data: [DONE]`";
    let p = |upstream: String, ct: &'static str, client: &str, supported: bool| StreamPlan {
        upstream,
        upstream_content_type: ct,
        client: client.to_string(),
        supported,
    };
    let completions = route_type == "llm/v1/completions";
    match (model.provider.as_str(), model.format()) {
        ("openai" | "azure", _) | ("mistral" | "llama2", Some("openai")) => p(
            body_flag,
            "text/event-stream",
            "the provider's own OpenAI-format events, relayed unchanged (its own model name and finish_reason), ending with `data: [DONE]`",
            true,
        ),
        ("anthropic", _) if !completions => p(
            body_flag,
            "text/event-stream",
            &format!("{converted}; Anthropic's message_delta (the stop reason) is not relayed, so no chunk carries a finish_reason"),
            true,
        ),
        ("cohere", _) => p(
            body_flag,
            "application/stream+json",
            &format!("{converted}; cohere's stream-end becomes [DONE] with no finish_reason chunk"),
            true,
        ),
        ("gemini", _) if !completions => p(
            "the URL operation becomes :streamGenerateContent (no ?alt=sse in OSS Kong, so Gemini streams a JSON array)".into(),
            "application/json",
            &format!("{converted}; the chunks have no `object` or `id`, and the last content chunk carries Gemini's finishReason as sent (e.g. \"STOP\")"),
            true,
        ),
        ("bedrock", _) if !completions => p(
            "the URL operation becomes /converse-stream".into(),
            "application/vnd.amazon.eventstream",
            &format!("{converted}; messageStop becomes a chunk with the mapped finish_reason, the metadata event [DONE]"),
            true,
        ),
        ("huggingface", _) => p(
            body_flag,
            "text/event-stream",
            "each event becomes a chat.completion.chunk (or text_completion); Hugging Face's own `data: [DONE]` is not JSON, so Kong drops it and the stream ends without [DONE]",
            true,
        ),
        ("llama2" | "mistral", Some("ollama")) => p(
            body_flag,
            "application/x-ndjson",
            "each Ollama line becomes a chat.completion.chunk (or text_completion) with Ollama's model name; the done line becomes [DONE]",
            true,
        ),
        ("llama2", Some("raw")) => p(
            "same URL; parameters.stream is true".into(),
            "text/event-stream",
            "Kong has no stream transformer for llama2 raw: every event is dropped and the client receives an empty body",
            false,
        ),
        (prov, _) => p(
            body_flag,
            "text/event-stream",
            &format!("Kong's OSS drivers have no stream transformer for {prov} {route_type}: events are dropped"),
            false,
        ),
    }
}

/// One event Kong cut from the upstream stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub event: Option<String>,
    pub data: String,
}

impl Event {
    fn data(data: impl Into<String>) -> Event {
        Event { event: None, data: data.into() }
    }

    fn named(event: &str, data: Json) -> Event {
        Event { event: Some(event.into()), data: data.to_string() }
    }
}

/// Per-stream state a driver keeps between events (the message id Anthropic and Cohere
/// announce at the start).
#[derive(Clone, Debug, Default)]
pub struct State {
    id: Option<Json>,
}

const DONE: &str = "[DONE]";

fn chunk(model: &Model, delta: Json, extra: &[(&str, Json)]) -> Json {
    let mut choice = Map::new();
    choice.insert("delta".into(), delta);
    choice.insert("index".into(), json!(0));
    for (k, v) in extra {
        choice.insert((*k).into(), v.clone());
    }
    let mut out = Map::new();
    out.insert("choices".into(), json!([Json::Object(choice)]));
    set(&mut out, "model", model.name.clone().map(Json::String));
    out.insert("object".into(), json!("chat.completion.chunk"));
    Json::Object(out)
}

/// A driver's `from_format` for one stream event: `Ok(Some(text))` is written to the
/// client (`[DONE]` is the terminator), `Ok(None)` writes nothing, `Err` is a driver
/// error (Kong logs it and writes nothing).
pub fn event_to_client(model: &Model, route_type: &str, event: &Event, state: &mut State) -> Result<Option<String>, String> {
    let chat = route_type == "llm/v1/chat";
    let decode = || serde_json::from_str::<Json>(&event.data).ok();
    match (model.provider.as_str(), model.format()) {
        ("openai" | "azure", _) | ("mistral" | "llama2", Some("openai")) => {
            // the event's data is relayed as it is; an event without data writes nothing
            Ok(Some(event.data.clone()).filter(|d| !d.is_empty()))
        }
        ("anthropic", _) if chat => {
            let (Some(name), Some(data)) = (event.event.as_deref(), decode()) else {
                return Err("transformation to stream event failed or empty stream event received".into());
            };
            match name {
                "message_start" => {
                    let Some(meta) = data.get("message") else { return Err("message_start is missing the metadata block".into()) };
                    state.id = meta.get("id").cloned();
                    let mut delta = Map::new();
                    delta.insert("content".into(), json!(""));
                    set(&mut delta, "role", meta.get("role").cloned());
                    let mut c = chunk(model, Json::Object(delta), &[("logprobs", Json::Null)]);
                    set(c.as_object_mut().expect("object"), "id", meta.get("id").cloned());
                    c["system_fingerprint"] = Json::Null;
                    Ok(Some(c.to_string()))
                }
                "content_block_start" | "content_block_delta" => {
                    let text = data.get("delta").and_then(|d| d.get("text")).filter(|t| !t.is_null()).cloned().unwrap_or(json!(""));
                    let mut c = chunk(model, json!({ "content": text }), &[("finish_reason", Json::Null), ("logprobs", Json::Null)]);
                    set(c.as_object_mut().expect("object"), "id", state.id.clone());
                    Ok(Some(c.to_string()))
                }
                "message_delta" if data.get("usage").is_none() => Err("message_delta is missing the metadata block".into()),
                "message_stop" => Ok(Some(DONE.into())),
                _ => Ok(None),
            }
        }
        ("cohere", _) => {
            if event.data.is_empty() {
                return Ok(None);
            }
            let Some(data) = decode() else { return Err("failed to decode event frame from cohere".into()) };
            match data.get("event_type").and_then(Json::as_str) {
                Some("stream-start") => {
                    state.id = data.get("generation_id").cloned();
                    let mut c = chunk(model, json!({ "content": "", "role": "assistant" }), &[]);
                    set(c.as_object_mut().expect("object"), "id", state.id.clone());
                    Ok(Some(c.to_string()))
                }
                Some("text-generation") => {
                    let text = data.get("text").filter(|t| !t.is_null()).cloned().unwrap_or(json!(""));
                    let mut c = if chat {
                        chunk(model, json!({ "content": text }), &[("finish_reason", Json::Null), ("logprobs", Json::Null)])
                    } else {
                        let mut c = json!({ "choices": [{ "text": text, "index": 0, "finish_reason": null, "logprobs": null }], "object": "text_completion" });
                        set(c.as_object_mut().expect("object"), "model", model.name.clone().map(Json::String));
                        c
                    };
                    set(c.as_object_mut().expect("object"), "id", state.id.clone());
                    Ok(Some(c.to_string()))
                }
                Some("stream-end") => Ok(Some(DONE.into())),
                _ => Ok(None),
            }
        }
        ("gemini", _) if chat => {
            if event.data.is_empty() {
                return Ok(None);
            }
            if event.data == DONE {
                return Ok(Some(DONE.into()));
            }
            let Some(data) = decode() else { return Err("failed to decode stream event frame from gemini".into()) };
            let first = data.get("candidates").and_then(|c| c.get(0));
            let part = first.and_then(|c| c.get("content")).and_then(|c| c.get("parts")).and_then(|p| p.get(0));
            let reason = first.and_then(|c| c.get("finishReason")).filter(|r| !r.is_null()).cloned();
            let mut extra = Vec::new();
            if let Some(r) = &reason {
                extra.push(("finish_reason", r.clone()));
            }
            let mut out = if let Some(text) = part.and_then(|p| p.get("text")).filter(|t| !t.is_null() && **t != json!(false)) {
                chunk(model, json!({ "content": text, "role": "assistant" }), &extra)
            } else if part.and_then(|p| p.get("functionCall")).is_some() {
                let calls: Vec<Json> = first
                    .and_then(|c| c.get("content"))
                    .and_then(|c| c.get("parts"))
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                    .map(|p| json!({ "function": super::response::gemini_function(p), "type": "function" }))
                    .collect();
                chunk(model, json!({ "tool_calls": calls }), &extra)
            } else {
                return Ok(None);
            };
            out.as_object_mut().expect("object").remove("object");
            Ok(Some(out.to_string()))
        }
        ("bedrock", _) if chat => {
            let Some(data) = decode() else { return Ok(Some(String::new())) };
            let Some(kind) = data.get("headers").and_then(|h| h.get(":event-type")).and_then(Json::as_str) else {
                return Ok(Some(String::new()));
            };
            let Some(body) = data.get("body").and_then(Json::as_str).and_then(|b| serde_json::from_str::<Json>(b).ok()) else {
                return Ok(Some(String::new()));
            };
            let mut c = match kind {
                "messageStart" => {
                    let mut delta = Map::new();
                    delta.insert("content".into(), json!(""));
                    set(&mut delta, "role", body.get("role").cloned());
                    chunk(model, Json::Object(delta), &[("logprobs", Json::Null)])
                }
                "contentBlockDelta" => {
                    let text = body.get("delta").and_then(|d| d.get("text")).filter(|t| !t.is_null()).cloned().unwrap_or(json!(""));
                    chunk(model, json!({ "content": text }), &[("logprobs", Json::Null)])
                }
                "messageStop" => {
                    let reason = super::response::bedrock_finish_reason(body.get("stopReason"));
                    let c = chunk(model, json!({}), &[("finish_reason", json!(reason)), ("logprobs", Json::Null)]);
                    return Ok(Some(c.to_string()));
                }
                "metadata" => return Ok(Some(DONE.into())),
                _ => return Ok(None),
            };
            c["system_fingerprint"] = Json::Null;
            Ok(Some(c.to_string()))
        }
        ("huggingface", _) => {
            if event.data.is_empty() {
                return Ok(None);
            }
            let Some(data) = decode() else { return Err("failed to decode stream event frame from Hugging Face".into()) };
            if chat {
                let content = data.pointer("/choices/0/delta/content").filter(|c| !c.is_null()).cloned().unwrap_or(json!(""));
                let mut c = chunk(model, json!({ "content": content, "role": "assistant" }), &[]);
                if let Some(m) = data.get("model").filter(|m| !m.is_null()) {
                    c["model"] = m.clone();
                }
                Ok(Some(c.to_string()))
            } else {
                let text = data.pointer("/token/text").filter(|t| !t.is_null()).cloned().unwrap_or(json!(""));
                let mut c = json!({ "choices": [{ "text": text, "index": 0 }], "object": "text_completion" });
                set(c.as_object_mut().expect("object"), "model", model.name.clone().map(Json::String));
                Ok(Some(c.to_string()))
            }
        }
        ("llama2" | "mistral", Some("ollama")) => {
            let Some(data) = decode() else { return Err("failed to decode ollama response".into()) };
            if data.get("done").is_some_and(|d| d != &json!(false) && !d.is_null()) {
                return Ok(Some(DONE.into()));
            }
            let mut c = if chat {
                let content = data.pointer("/message/content").cloned().unwrap_or(json!(""));
                json!({ "choices": [{ "delta": { "content": content }, "index": 0 }], "object": "chat.completion.chunk" })
            } else {
                let text = data.get("response").cloned().unwrap_or(json!(""));
                json!({ "choices": [{ "text": text, "index": 0 }], "object": "text_completion" })
            };
            set(c.as_object_mut().expect("object"), "model", data.get("model").cloned());
            Ok(Some(c.to_string()))
        }
        (p, f) => Err(format!(
            "no transformer available from format {p}://stream/{route_type}{}",
            f.map(|f| format!("/{f}")).unwrap_or_default()
        )),
    }
}

/// Cuts one upstream chunk into events as `frame_to_events` in `kong/llm/drivers/shared.lua`
/// does for flat JSON lines (a chunk starting with `{`, e.g. Cohere, Ollama) and for SSE
/// (a blank line ends an event; `event:`, `data:` fields). Gemini's JSON arrays, AWS
/// binary event streams and frames split across chunks are not handled here.
pub fn frame_to_events(frame: &str) -> Vec<Event> {
    if frame.trim_start().starts_with('{') {
        return frame.split(['\r', '\n']).filter(|l| !l.is_empty()).map(Event::data).collect();
    }
    let mut events = Vec::new();
    let mut current = Event { event: None, data: String::new() };
    let lines: Vec<&str> = frame.split('\n').collect();
    let last = lines.len();
    for (i, line) in lines.into_iter().enumerate() {
        if line.is_empty() {
            events.push(std::mem::replace(&mut current, Event { event: None, data: String::new() }));
            continue;
        }
        if i + 1 == last {
            // a last line without its blank line is a truncated event: Kong keeps it for
            // the next chunk
            break;
        }
        if let Some((field, value)) = line.split_once(':').filter(|(f, _)| !f.is_empty()) {
            let value = value.trim_start();
            match field {
                "event" => current.event = Some(value.to_string()),
                "data" => current.data = value.to_string(),
                _ => {}
            }
        }
    }
    events
}

/// The body Kong writes to the client for a sequence of upstream events
/// (`normalize-sse-chunk.lua`).
pub fn relay(model: &Model, route_type: &str, events: &[Event]) -> String {
    let mut state = State::default();
    let mut out = String::new();
    for e in events {
        if let Ok(Some(text)) = event_to_client(model, route_type, e, &mut state) {
            out.push_str("data: ");
            out.push_str(&text);
            if text != DONE {
                out.push_str("\n\n");
            }
        }
    }
    out
}

/// A plausible native event stream of the provider answering `upstream_body`, already cut
/// into events the way Kong's `frame_to_events` cuts them.
pub fn mock_provider_events(model: &Model, route_type: &str, upstream_body: &Json) -> Vec<Event> {
    let name = upstream_body.get("model").and_then(Json::as_str).map(String::from).or_else(|| model.name.clone()).unwrap_or_default();
    let text = mock_text(&model.provider, &name);
    let pieces: Vec<String> = text.split_inclusive(' ').map(String::from).collect();
    let chat = route_type != "llm/v1/completions";
    match (model.provider.as_str(), model.format()) {
        ("anthropic", _) => {
            let mut ev = vec![Event::named(
                "message_start",
                json!({ "type": "message_start", "message": { "id": "msg_dry_run", "type": "message", "role": "assistant", "model": name, "content": [], "stop_reason": null, "usage": { "input_tokens": 1, "output_tokens": 1 } } }),
            )];
            ev.push(Event::named("content_block_start", json!({ "type": "content_block_start", "index": 0, "content_block": { "type": "text", "text": "" } })));
            ev.push(Event::named("ping", json!({ "type": "ping" })));
            for p in &pieces {
                ev.push(Event::named("content_block_delta", json!({ "type": "content_block_delta", "index": 0, "delta": { "type": "text_delta", "text": p } })));
            }
            ev.push(Event::named("content_block_stop", json!({ "type": "content_block_stop", "index": 0 })));
            ev.push(Event::named("message_delta", json!({ "type": "message_delta", "delta": { "stop_reason": "end_turn", "stop_sequence": null }, "usage": { "output_tokens": pieces.len() } })));
            ev.push(Event::named("message_stop", json!({ "type": "message_stop" })));
            ev
        }
        ("cohere", _) => {
            let mut ev = vec![Event::data(json!({ "is_finished": false, "event_type": "stream-start", "generation_id": "dry-run" }).to_string())];
            for p in &pieces {
                ev.push(Event::data(json!({ "is_finished": false, "event_type": "text-generation", "text": p }).to_string()));
            }
            ev.push(Event::data(
                json!({ "is_finished": true, "event_type": "stream-end", "finish_reason": "COMPLETE", "response": { "text": text, "meta": { "billed_units": { "input_tokens": 1, "output_tokens": pieces.len() } } } }).to_string(),
            ));
            ev
        }
        ("gemini", _) => {
            let n = pieces.len();
            let mut ev: Vec<Event> = pieces
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let mut cand = json!({ "content": { "role": "model", "parts": [{ "text": p }] }, "index": 0 });
                    if i + 1 == n {
                        cand["finishReason"] = json!("STOP");
                    }
                    Event::data(json!({ "candidates": [cand] }).to_string())
                })
                .collect();
            ev.push(Event::data(DONE));
            ev
        }
        ("bedrock", _) => {
            let aws = |kind: &str, body: Json| Event::data(json!({ "headers": { ":event-type": kind, ":content-type": "application/json", ":message-type": "event" }, "body": body.to_string() }).to_string());
            let mut ev = vec![aws("messageStart", json!({ "role": "assistant" }))];
            for p in &pieces {
                ev.push(aws("contentBlockDelta", json!({ "contentBlockIndex": 0, "delta": { "text": p } })));
            }
            ev.push(aws("contentBlockStop", json!({ "contentBlockIndex": 0 })));
            ev.push(aws("messageStop", json!({ "stopReason": "end_turn" })));
            ev.push(aws("metadata", json!({ "usage": { "inputTokens": 1, "outputTokens": pieces.len(), "totalTokens": pieces.len() + 1 }, "metrics": { "latencyMs": 0 } })));
            ev
        }
        ("huggingface", _) => {
            let mut ev: Vec<Event> = pieces
                .iter()
                .map(|p| {
                    if chat {
                        Event::data(json!({ "object": "chat.completion.chunk", "model": name, "choices": [{ "index": 0, "delta": { "role": "assistant", "content": p } }] }).to_string())
                    } else {
                        Event::data(json!({ "token": { "text": p } }).to_string())
                    }
                })
                .collect();
            ev.push(Event::data(DONE));
            ev
        }
        ("llama2" | "mistral", Some("ollama")) => {
            let mut ev: Vec<Event> = pieces
                .iter()
                .map(|p| {
                    let mut line = json!({ "model": name, "created_at": "1970-01-01T00:00:00Z", "done": false });
                    if chat {
                        line["message"] = json!({ "role": "assistant", "content": p });
                    } else {
                        line["response"] = json!(p);
                    }
                    Event::data(line.to_string())
                })
                .collect();
            ev.push(Event::data(json!({ "model": name, "created_at": "1970-01-01T00:00:00Z", "done": true, "eval_count": pieces.len(), "prompt_eval_count": 1 }).to_string()));
            ev
        }
        ("llama2", Some("raw")) => pieces.iter().map(|p| Event::data(json!({ "token": { "text": p } }).to_string())).collect(),
        _ => {
            // OpenAI-format SSE
            let n = pieces.len();
            let mut ev = Vec::new();
            for (i, p) in pieces.iter().enumerate() {
                let choice = if chat {
                    let mut delta = json!({ "content": p });
                    if i == 0 {
                        delta["role"] = json!("assistant");
                    }
                    json!({ "index": 0, "delta": delta, "logprobs": null, "finish_reason": null })
                } else {
                    json!({ "index": 0, "text": p, "logprobs": null, "finish_reason": null })
                };
                let object = if chat { "chat.completion.chunk" } else { "text_completion" };
                ev.push(Event::data(json!({ "id": "chatcmpl-dry-run", "object": object, "created": 0, "model": name, "choices": [choice] }).to_string()));
                if i + 1 == n {
                    let last = if chat {
                        json!({ "index": 0, "delta": {}, "logprobs": null, "finish_reason": "stop" })
                    } else {
                        json!({ "index": 0, "text": "", "logprobs": null, "finish_reason": "stop" })
                    };
                    ev.push(Event::data(json!({ "id": "chatcmpl-dry-run", "object": object, "created": 0, "model": name, "choices": [last] }).to_string()));
                }
            }
            ev.push(Event::data(DONE));
            ev
        }
    }
}

/// The dry-run answer to a streamed request: the provider's simulated stream relayed as
/// Kong relays it. Serve it with [`CLIENT_CONTENT_TYPE`].
pub fn simulated_client_stream(model: &Model, route_type: &str, upstream_body: &Json) -> String {
    relay(model, route_type, &mock_provider_events(model, route_type, upstream_body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anthropic_stream_has_no_finish_chunk_and_ends_with_done() {
        let m = Model::new("anthropic", Some("claude-3-5"), json!({"max_tokens": 10}));
        let body = simulated_client_stream(&m, "llm/v1/chat", &json!({"model": "claude-3-5"}));
        assert!(body.ends_with("data: [DONE]"));
        assert!(!body.contains("\"finish_reason\":\"end_turn\""));
        let first: Json = serde_json::from_str(body.lines().next().unwrap().strip_prefix("data: ").unwrap()).unwrap();
        assert_eq!(first["id"], "msg_dry_run");
        assert_eq!(first["model"], "claude-3-5");
    }

    // gemini.lua handle_stream_event: a functionCall part becomes delta.tool_calls
    #[test]
    fn gemini_tool_call_chunk() {
        let m = Model::new("gemini", Some("gemini-1.5-pro"), Json::Null);
        let ev = Event::data(json!({"candidates": [{"content": {"parts": [{"functionCall": {"name": "f", "args": {"a": 1}}}]}, "finishReason": "STOP"}]}).to_string());
        let out: Json = serde_json::from_str(&event_to_client(&m, "llm/v1/chat", &ev, &mut State::default()).unwrap().unwrap()).unwrap();
        assert_eq!(out["choices"][0]["delta"]["tool_calls"], json!([{"function": {"name": "f", "arguments": "{\"a\":1}"}, "type": "function"}]));
        assert_eq!((&out["choices"][0]["finish_reason"], out.get("object")), (&json!("STOP"), None));
    }

    #[test]
    fn raw_llama2_relays_nothing() {
        let m = Model::new("llama2", Some("llama2"), json!({"llama2_format": "raw"}));
        assert_eq!(simulated_client_stream(&m, "llm/v1/chat", &json!({})), "");
        assert!(!plan(&m, "llm/v1/chat").supported);
    }
}
