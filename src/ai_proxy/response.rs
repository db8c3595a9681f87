//! What the client gets back: a provider's native response in OpenAI's shape, as Kong's
//! drivers' `from_format` builds it, and a plausible provider response for the dry-run
//! listener.
//!
//! Restated from Kong OSS `Kong/kong` @ 22246ef2: `kong/llm/drivers/*.lua` (`from_format`,
//! `from_ollama` in `shared.lua`) and `kong/llm/plugin/shared-filters/normalize-json-response.lua`
//! (a failed transformation becomes HTTP 500 `{"error":{"message":...}}`; only 200
//! answers are transformed; `preserve` answers pass through).

use serde_json::{json, Map, Value as Json};

use super::lua::{set, truthy};
use super::request::Model;

/// The status and body Kong answers with after transforming a 200 upstream answer.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientResponse {
    pub status: u16,
    /// The body text (Kong relays OpenAI-format upstream bodies byte for byte).
    pub body: String,
}

/// Kong's response filter for a 200 upstream answer: the driver's `from_format`, or
/// HTTP 500 with the driver's error (`normalize-json-response.lua`).
pub fn to_client(model: &Model, route_type: &str, upstream_body: &[u8]) -> ClientResponse {
    if route_type == "preserve" {
        return ClientResponse { status: 200, body: String::from_utf8_lossy(upstream_body).into_owned() };
    }
    match from_format(model, route_type, upstream_body) {
        Ok(body) => ClientResponse { status: 200, body },
        Err(e) => ClientResponse { status: 500, body: json!({ "error": { "message": e } }).to_string() },
    }
}

/// A driver's `from_format` for a whole (non-streamed) response: the body the client
/// receives, or Kong's error message.
pub fn from_format(model: &Model, route_type: &str, body: &[u8]) -> Result<String, String> {
    let provider = model.provider.as_str();
    let wrap = |e: String| format!("transformation failed from type {provider}://{route_type}: {e}");
    let no_transformer = || format!("no transformer available from format {provider}://{route_type}");
    let chat_or_completions = matches!(route_type, "llm/v1/chat" | "llm/v1/completions");
    match (provider, model.format()) {
        ("openai" | "azure", _) | ("mistral" | "llama2", Some("openai")) => {
            if !chat_or_completions {
                return Err(no_transformer());
            }
            openai(body, route_type).map_err(wrap)
        }
        ("anthropic", _) => match route_type {
            "llm/v1/chat" => anthropic_chat(body).map_err(wrap),
            "llm/v1/completions" => anthropic_completions(body).map_err(wrap),
            _ => Err(no_transformer()),
        },
        ("cohere", _) if chat_or_completions => cohere(body, model, route_type).map_err(wrap),
        ("gemini", _) if route_type == "llm/v1/chat" => gemini(body, model).map_err(wrap),
        ("bedrock", _) if route_type == "llm/v1/chat" => bedrock(body, model).map_err(wrap),
        ("huggingface", _) if chat_or_completions => huggingface(body, model, route_type).map_err(wrap),
        ("llama2", Some("raw")) if chat_or_completions => llama2_raw(body, route_type).map_err(wrap),
        ("llama2", Some("ollama")) if chat_or_completions => ollama(body, model, route_type).map_err(wrap),
        ("mistral", Some("ollama")) if chat_or_completions => {
            // Kong's mistral driver names a field that does not exist (`mistral_version`)
            ollama(body, model, route_type).map_err(|e| format!("transformation failed from type mistral://{route_type}/nil: {e}"))
        }
        ("llama2" | "mistral", f) => Err(format!("no transformer available from format {provider}://{route_type}/{}", f.unwrap_or("nil"))),
        (p, _) if ["cerebras", "xai", "deepseek", "dashscope", "databricks", "ollama", "vllm"].contains(&p) && chat_or_completions => {
            openai(body, route_type).map_err(wrap)
        }
        _ => Err(no_transformer()),
    }
}

fn decode(body: &[u8]) -> Option<Json> {
    serde_json::from_slice(body).ok()
}

fn get<'a>(v: &'a Json, path: &[&str]) -> Option<&'a Json> {
    let mut v = v;
    for p in path {
        v = v.get(p)?;
    }
    Some(v)
}

/// openai.lua: the body passes through when it has `choices`.
fn openai(body: &[u8], route_type: &str) -> Result<String, String> {
    let Some(v) = decode(body) else { return Err(format!("failed to decode {route_type} response")) };
    if truthy(v.get("choices")) {
        Ok(String::from_utf8_lossy(body).into_owned())
    } else {
        Err(format!("'choices' not in {route_type} response"))
    }
}

/// Sum of two token counts when both are numbers (Lua arithmetic).
fn sum(a: Option<&Json>, b: Option<&Json>) -> Option<Json> {
    match (a.and_then(Json::as_i64), b.and_then(Json::as_i64)) {
        (Some(x), Some(y)) => Some(json!(x + y)),
        _ => match (a.and_then(Json::as_f64), b.and_then(Json::as_f64)) {
            (Some(x), Some(y)) => serde_json::Number::from_f64(x + y).map(Json::Number),
            _ => None,
        },
    }
}

fn usage(prompt: Option<&Json>, completion: Option<&Json>, total: Option<Json>) -> Json {
    let mut u = Map::new();
    set(&mut u, "prompt_tokens", prompt.cloned());
    set(&mut u, "completion_tokens", completion.cloned());
    set(&mut u, "total_tokens", total);
    Json::Object(u)
}

/// anthropic.lua, chat: text blocks joined by newlines, `tool_use` blocks as tool calls,
/// Anthropic's `stop_reason` passed on as `finish_reason` unchanged.
fn anthropic_chat(body: &[u8]) -> Result<String, String> {
    let Some(r) = decode(body) else { return Err("failed to decode anthropic response".into()) };
    let Some(content) = r.get("content").filter(|c| truthy(Some(c))) else {
        return Err("'content' not in anthropic://llm/v1/chat response".into());
    };
    let blocks = content.as_array().map(Vec::as_slice).unwrap_or(&[]);
    let mut text = String::new();
    let mut tools = Vec::new();
    for (i, b) in blocks.iter().enumerate() {
        if let Some(t) = b.get("text").and_then(Json::as_str) {
            if i != 0 {
                text.push('\n');
            }
            text.push_str(t);
        }
        if b.get("type").and_then(Json::as_str) == Some("tool_use") {
            let mut call = Map::new();
            set(&mut call, "id", b.get("id").cloned());
            call.insert("type".into(), json!("function"));
            let mut f = Map::new();
            set(&mut f, "name", b.get("name").cloned());
            f.insert("arguments".into(), json!(b.get("input").cloned().unwrap_or(Json::Null).to_string()));
            call.insert("function".into(), Json::Object(f));
            tools.push(Json::Object(call));
        }
    }
    let mut message = Map::new();
    message.insert("role".into(), json!("assistant"));
    message.insert("content".into(), json!(text));
    if !tools.is_empty() {
        message.insert("tool_calls".into(), Json::Array(tools));
    }
    let mut choice = Map::new();
    choice.insert("index".into(), json!(0));
    choice.insert("message".into(), Json::Object(message));
    set(&mut choice, "finish_reason", r.get("stop_reason").cloned());
    let usage = match r.get("usage").filter(|u| truthy(Some(u))) {
        Some(u) => {
            let (i, o) = (u.get("input_tokens"), u.get("output_tokens"));
            self::usage(i, o, sum(i, o))
        }
        None => json!("no usage data returned from upstream"),
    };
    let mut out = Map::new();
    out.insert("choices".into(), json!([Json::Object(choice)]));
    out.insert("usage".into(), usage);
    set(&mut out, "model", r.get("model").cloned());
    out.insert("object".into(), json!("chat.completion"));
    Ok(Json::Object(out).to_string())
}

/// anthropic.lua, completions (legacy Text Completions API).
fn anthropic_completions(body: &[u8]) -> Result<String, String> {
    let Some(r) = decode(body) else { return Err("failed to decode anthropic response".into()) };
    let Some(completion) = r.get("completion").filter(|c| truthy(Some(c))) else {
        return Err("'completion' not in anthropic://llm/v1/chat response".into());
    };
    let mut choice = Map::new();
    choice.insert("index".into(), json!(0));
    choice.insert("text".into(), completion.clone());
    set(&mut choice, "finish_reason", r.get("stop_reason").cloned());
    let mut out = Map::new();
    out.insert("choices".into(), json!([Json::Object(choice)]));
    set(&mut out, "model", r.get("model").cloned());
    out.insert("object".into(), json!("text_completion"));
    Ok(Json::Object(out).to_string())
}

fn billed(r: &Json, container: &str) -> Json {
    let i = get(r, &[container, "billed_units", "input_tokens"]);
    let o = get(r, &[container, "billed_units", "output_tokens"]);
    usage(i, o, sum(o, i))
}

/// cohere.lua: `generate` answers (generations) become text completions, v1 `chat`
/// answers (`text`) and v2 answers (`message`) chat completions; `model` is Kong's
/// model name, finish_reason "stop" except for v2 (passed on).
fn cohere(body: &[u8], model: &Model, route_type: &str) -> Result<String, String> {
    let Some(r) = decode(body) else { return Err("failed to decode cohere response".into()) };
    let name = model.name.clone().map(Json::String);
    let mut out = Map::new();
    let generations = r.get("generations").and_then(Json::as_array).filter(|_| truthy(r.get("prompt")));
    if let Some(gens) = generations {
        let choices: Vec<Json> = gens
            .iter()
            .enumerate()
            .map(|(i, g)| {
                let mut c = Map::new();
                c.insert("index".into(), json!(i));
                set(&mut c, "text", g.get("text").cloned());
                c.insert("finish_reason".into(), json!("stop"));
                Json::Object(c)
            })
            .collect();
        out.insert("choices".into(), if choices.is_empty() { json!({}) } else { Json::Array(choices) });
        out.insert("object".into(), json!("text_completion"));
        set(&mut out, "model", name);
        set(&mut out, "id", r.get("id").cloned());
        out.insert("usage".into(), billed(&r, "meta"));
    } else if let Some(text) = r.get("text").filter(|t| truthy(Some(t))) {
        out.insert(
            "choices".into(),
            json!([{ "index": 0, "message": { "role": "assistant", "content": text }, "finish_reason": "stop" }]),
        );
        out.insert("object".into(), json!("chat.completion"));
        set(&mut out, "model", name);
        set(&mut out, "id", r.get("generation_id").cloned());
        if route_type == "llm/v1/chat" {
            out.insert("usage".into(), billed(&r, "meta"));
        } else {
            let tc = |k: &str| get(&r, &["token_count", k]);
            out.insert("usage".into(), usage(tc("prompt_tokens"), tc("response_tokens"), tc("total_tokens").cloned()));
        }
    } else if let (Some(message), "llm/v1/chat") = (r.get("message").filter(|m| truthy(Some(m))), route_type) {
        let mut msg = Map::new();
        msg.insert("role".into(), json!("assistant"));
        let content = message.get("tool_plan").filter(|t| truthy(Some(t))).or_else(|| message.get("content")).cloned();
        set(&mut msg, "content", content);
        set(&mut msg, "tool_calls", message.get("tool_calls").cloned());
        let mut choice = Map::new();
        choice.insert("index".into(), json!(0));
        choice.insert("message".into(), Json::Object(msg));
        set(&mut choice, "finish_reason", r.get("finish_reason").cloned());
        out.insert("choices".into(), json!([Json::Object(choice)]));
        out.insert("object".into(), json!("chat.completion"));
        set(&mut out, "model", name);
        set(&mut out, "id", r.get("id").cloned());
        out.insert("usage".into(), billed(&r, "usage"));
    } else {
        return Err("'text' or 'generations' missing from cohere response body".into());
    }
    Ok(Json::Object(out).to_string())
}

/// gemini.lua: the first candidate's first part; `finishReason` lower-cased; tool calls
/// from `functionCall` parts; `model` is Kong's model name.
fn gemini(body: &[u8], model: &Model) -> Result<String, String> {
    let Some(r) = decode(body) else { return Err("failed to decode response from Gemini".into()) };
    let Some(first) = r.get("candidates").and_then(Json::as_array).and_then(|c| c.first()) else {
        return Err("no generation candidates received from Gemini, or max_tokens too short".into());
    };
    let mut out = Map::new();
    let parts = get(first, &["content", "parts"]).and_then(Json::as_array).filter(|p| !p.is_empty());
    let first_part = parts.and_then(|p| p.first());
    let mut choices = json!({});
    if let Some(text) = first_part.and_then(|p| p.get("text")).filter(|t| truthy(Some(t))) {
        let Some(reason) = first.get("finishReason").and_then(Json::as_str) else {
            return Err("nil".into());
        };
        choices = json!([{
            "index": 0,
            "message": { "role": "assistant", "content": text },
            "finish_reason": reason.to_lowercase(),
        }]);
        out.insert("object".into(), json!("chat.completion"));
    } else if first_part.and_then(|p| p.get("functionCall")).is_some_and(|f| truthy(Some(f))) {
        let calls: Vec<Json> = parts
            .into_iter()
            .flatten()
            .map(|p| json!({ "function": gemini_function(p) }))
            .collect();
        choices = json!([{ "index": 0, "message": { "role": "assistant", "tool_calls": calls } }]);
    }
    out.insert("choices".into(), choices);
    set(&mut out, "model", model.name.clone().map(Json::String));
    if let Some(u) = r.get("usageMetadata").filter(|u| truthy(Some(u))) {
        out.insert(
            "usage".into(),
            usage(u.get("promptTokenCount"), u.get("candidatesTokenCount"), u.get("totalTokenCount").cloned()),
        );
    }
    Ok(Json::Object(out).to_string())
}

/// A Gemini `functionCall` part as an OpenAI `function` (name, JSON-encoded arguments).
pub(super) fn gemini_function(part: &Json) -> Json {
    let call = part.get("functionCall").cloned().unwrap_or(Json::Null);
    let mut f = Map::new();
    set(&mut f, "name", call.get("name").cloned());
    f.insert("arguments".into(), json!(call.get("args").cloned().unwrap_or(Json::Null).to_string()));
    Json::Object(f)
}

/// bedrock.lua: Converse output; stop reasons mapped (end_turn → stop, max_tokens →
/// length, tool_use → tool_calls), `model` is Kong's model name, `trace` kept.
fn bedrock(body: &[u8], model: &Model) -> Result<String, String> {
    let Some(r) = decode(body) else { return Err("failed to decode response from Bedrock".into()) };
    let Some(content) = get(&r, &["output", "message", "content"]).and_then(Json::as_array).filter(|c| !c.is_empty()) else {
        return Err("no generation candidates received from Bedrock, or max_tokens too short".into());
    };
    let mut tools = Vec::new();
    for c in content {
        if let Some(tu) = c.get("toolUse").filter(|t| truthy(Some(t))) {
            let mut f = Map::new();
            let input = tu.get("input").filter(|i| i.as_object().is_some_and(|o| !o.is_empty()) || i.as_array().is_some_and(|a| !a.is_empty()));
            set(&mut f, "arguments", input.map(|i| json!(i.to_string())));
            set(&mut f, "name", tu.get("name").cloned());
            let mut call = Map::new();
            call.insert("function".into(), Json::Object(f));
            set(&mut call, "id", tu.get("toolUseId").cloned());
            call.insert("type".into(), json!("function"));
            tools.push(Json::Object(call));
        }
    }
    let mut message = Map::new();
    message.insert("role".into(), json!("assistant"));
    set(&mut message, "content", content[0].get("text").cloned());
    if !tools.is_empty() {
        message.insert("tool_calls".into(), Json::Array(tools));
    }
    let reason = bedrock_finish_reason(r.get("stopReason"));
    let mut out = Map::new();
    out.insert("choices".into(), json!([{ "index": 0, "message": Json::Object(message), "finish_reason": reason }]));
    out.insert("object".into(), json!("chat.completion"));
    set(&mut out, "model", model.name.clone().map(Json::String));
    if let Some(u) = r.get("usage").filter(|u| truthy(Some(u))) {
        out.insert("usage".into(), usage(u.get("inputTokens"), u.get("outputTokens"), u.get("totalTokens").cloned()));
    }
    set(&mut out, "trace", r.get("trace").cloned());
    Ok(Json::Object(out).to_string())
}

/// Bedrock's `stopReason` as an OpenAI finish_reason (`_OPENAI_STOP_REASON_MAPPING` in
/// bedrock.lua); anything else is "stop".
pub(super) fn bedrock_finish_reason(stop: Option<&Json>) -> &'static str {
    match stop.and_then(Json::as_str) {
        Some("max_tokens") => "length",
        Some("tool_use") => "tool_calls",
        Some("guardrail_intervened") => "guardrail_intervened",
        _ => "stop",
    }
}

/// huggingface.lua: `[{"generated_text": ...}]` (text generation) or an OpenAI-style
/// `choices` list (chat); finish_reason is always "complete", roles are not set.
fn huggingface(body: &[u8], model: &Model, route_type: &str) -> Result<String, String> {
    let Some(r) = decode(body) else { return Err("Failed to decode response".into()) };
    if let Some(e) = r.get("error").filter(|e| truthy(Some(e))).or_else(|| r.get("message").filter(|m| truthy(Some(m)))) {
        return Err(format!("API error: {}", super::lua::tostring(Some(e))));
    }
    let mut choices = Vec::new();
    if let Some(text) = r.get(0).and_then(|f| f.get("generated_text")).filter(|t| truthy(Some(t))) {
        choices.push(json!({ "message": { "content": text }, "index": 0, "finish_reason": "complete" }));
    } else if let Some(cs) = r.get("choices").filter(|c| truthy(Some(c))) {
        for (i, c) in cs.as_array().into_iter().flatten().enumerate() {
            let content = get(c, &["message", "content"]).filter(|t| truthy(Some(t))).cloned().unwrap_or(json!(""));
            choices.push(json!({ "message": { "content": content }, "index": i, "finish_reason": "complete" }));
        }
    } else {
        return Err("Invalid response format".into());
    }
    let mut out = Map::new();
    set(&mut out, "model", model.name.clone().map(Json::String));
    out.insert("object".into(), r.get("object").filter(|o| truthy(Some(o))).cloned().unwrap_or(json!(route_type)));
    out.insert("choices".into(), if choices.is_empty() { json!({}) } else { Json::Array(choices) });
    out.insert("usage".into(), r.get("usage").filter(|u| truthy(Some(u))).cloned().unwrap_or(json!({})));
    Ok(Json::Object(out).to_string())
}

/// llama2.lua, `raw` format: the text after the last `[/INST]` of the single generation,
/// trimmed.
fn llama2_raw(body: &[u8], route_type: &str) -> Result<String, String> {
    let Some(r) = decode(body) else { return Err("failed to decode llama2 response".into()) };
    let data = r.get("data").and_then(Json::as_array);
    let Some(first) = data.filter(|d| d.len() <= 1).and_then(|d| d.first()) else {
        return Err("cannot parse response from llama2 endpoint".into());
    };
    let Some(text) = first.get("generated_text").and_then(Json::as_str) else {
        return Err("response data is empty from llama2 endpoint".into());
    };
    let reply = text.rsplit("[/INST]").next().unwrap_or("").trim();
    let mut out = if route_type == "llm/v1/chat" {
        json!({ "choices": [{ "message": { "content": reply, "role": "assistant" }, "index": 0 }], "object": "chat.completion" })
    } else {
        json!({ "choices": [{ "index": 0, "text": reply }], "object": "text_completion" })
    };
    if let Some(u) = r.get("usage").filter(|u| truthy(Some(u))) {
        out["usage"] = u.clone();
    }
    Ok(out.to_string())
}

/// `from_ollama` in shared.lua: finish_reason "length" when eval_count equals the
/// configured max_tokens, else the answer's own or "stop".
fn ollama(body: &[u8], model: &Model, route_type: &str) -> Result<String, String> {
    let Some(r) = decode(body) else { return Err("failed to decode ollama response".into()) };
    let eval = r.get("eval_count").and_then(Json::as_f64);
    let prompt = r.get("prompt_eval_count").and_then(Json::as_f64);
    let stop_length = model.option("max_tokens").and_then(Json::as_f64).unwrap_or(-1.0);
    let stop_reason = if eval == Some(stop_length) { "length" } else { "stop" };
    let num = |x: Option<f64>| x.map_or(json!(0), |v| if v.fract() == 0.0 { json!(v as i64) } else { json!(v) });
    let mut out = Map::new();
    set(&mut out, "model", r.get("model").cloned());
    set(&mut out, "created", r.get("created_at").cloned());
    out.insert(
        "usage".into(),
        json!({ "completion_tokens": num(eval), "prompt_tokens": num(prompt), "total_tokens": num(Some(eval.unwrap_or(0.0) + prompt.unwrap_or(0.0))) }),
    );
    if route_type == "llm/v1/chat" {
        out.insert("object".into(), json!("chat.completion"));
        let mut choice = Map::new();
        choice.insert("finish_reason".into(), r.get("finish_reason").filter(|f| truthy(Some(f))).cloned().unwrap_or(json!(stop_reason)));
        choice.insert("index".into(), json!(0));
        set(&mut choice, "message", r.get("message").cloned());
        out.insert("choices".into(), json!([Json::Object(choice)]));
    } else {
        out.insert("object".into(), json!("text_completion"));
        let mut choice = Map::new();
        choice.insert("index".into(), json!(0));
        set(&mut choice, "text", r.get("response").cloned());
        out.insert("choices".into(), json!([Json::Object(choice)]));
    }
    Ok(Json::Object(out).to_string())
}

/// The text every simulated answer carries.
pub fn mock_text(provider: &str, model: &str) -> String {
    format!("This is a dry-run answer: Kong would have sent the request to {provider} model {model}.")
}

/// A rough token count (whitespace-separated words) used for simulated usage numbers.
fn words(v: &Json) -> u64 {
    match v {
        Json::String(s) => s.split_whitespace().count() as u64,
        Json::Array(a) => a.iter().map(words).sum(),
        Json::Object(o) => o.values().map(words).sum(),
        _ => 0,
    }
}

/// A plausible native answer of the provider to `upstream_body` (the body Kong sent,
/// from [`super::request::prepare`]); `model` names the model that answers (Kong's
/// resolved model name; for OpenAI-format providers the body's `model`, which is what
/// those APIs echo).
pub fn mock_provider_response(model: &Model, route_type: &str, upstream_body: &Json) -> Json {
    let name = upstream_body.get("model").and_then(Json::as_str).map(String::from).or_else(|| model.name.clone()).unwrap_or_default();
    let text = mock_text(&model.provider, &name);
    let prompt_tokens = words(upstream_body.get("messages").or_else(|| upstream_body.get("prompt")).unwrap_or(upstream_body));
    let completion_tokens = words(&json!(text));
    let total = prompt_tokens + completion_tokens;
    let chat = route_type != "llm/v1/completions";
    let openai_like = || {
        if chat {
            json!({
                "id": "chatcmpl-dry-run",
                "object": "chat.completion",
                "created": 0,
                "model": name,
                "choices": [{ "index": 0, "message": { "role": "assistant", "content": text }, "logprobs": null, "finish_reason": "stop" }],
                "usage": { "prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens, "total_tokens": total },
            })
        } else {
            json!({
                "id": "cmpl-dry-run",
                "object": "text_completion",
                "created": 0,
                "model": name,
                "choices": [{ "index": 0, "text": text, "logprobs": null, "finish_reason": "stop" }],
                "usage": { "prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens, "total_tokens": total },
            })
        }
    };
    match (model.provider.as_str(), model.format()) {
        ("anthropic", _) if chat => json!({
            "id": "msg_dry_run",
            "type": "message",
            "role": "assistant",
            "model": name,
            "content": [{ "type": "text", "text": text }],
            "stop_reason": "end_turn",
            "stop_sequence": null,
            "usage": { "input_tokens": prompt_tokens, "output_tokens": completion_tokens },
        }),
        ("anthropic", _) => json!({ "type": "completion", "id": "compl_dry_run", "completion": text, "stop_reason": "stop_sequence", "model": name }),
        ("cohere", _) if chat => json!({
            "response_id": "dry-run",
            "generation_id": "dry-run",
            "text": text,
            "finish_reason": "COMPLETE",
            "meta": { "billed_units": { "input_tokens": prompt_tokens, "output_tokens": completion_tokens } },
        }),
        ("cohere", _) => json!({
            "id": "dry-run",
            "prompt": upstream_body.get("prompt").cloned().unwrap_or(json!("")),
            "generations": [{ "id": "dry-run", "text": text, "finish_reason": "COMPLETE" }],
            "meta": { "billed_units": { "input_tokens": prompt_tokens, "output_tokens": completion_tokens } },
        }),
        ("gemini", _) => json!({
            "candidates": [{ "content": { "role": "model", "parts": [{ "text": text }] }, "finishReason": "STOP", "index": 0 }],
            "usageMetadata": { "promptTokenCount": prompt_tokens, "candidatesTokenCount": completion_tokens, "totalTokenCount": total },
        }),
        ("bedrock", _) => json!({
            "output": { "message": { "role": "assistant", "content": [{ "text": text }] } },
            "stopReason": "end_turn",
            "usage": { "inputTokens": prompt_tokens, "outputTokens": completion_tokens, "totalTokens": total },
            "metrics": { "latencyMs": 0 },
        }),
        ("huggingface", _) if !chat => json!([{ "generated_text": text }]),
        ("llama2", Some("raw")) => {
            let inputs = upstream_body.get("inputs").and_then(Json::as_str).unwrap_or("");
            json!({ "data": [{ "generated_text": format!("{inputs}\n\n{text}") }] })
        }
        ("llama2" | "mistral", Some("ollama")) => {
            let mut r = json!({
                "model": name,
                "created_at": "1970-01-01T00:00:00Z",
                "done": true,
                "prompt_eval_count": prompt_tokens,
                "eval_count": completion_tokens,
            });
            if chat {
                r["message"] = json!({ "role": "assistant", "content": text });
            } else {
                r["response"] = json!(text);
            }
            r
        }
        _ => openai_like(),
    }
}

/// The dry-run answer for a non-streamed request: the provider's simulated native answer
/// run through Kong's response transformation.
pub fn simulated_client_response(model: &Model, route_type: &str, upstream_body: &Json) -> ClientResponse {
    let native = mock_provider_response(model, route_type, upstream_body);
    to_client(model, route_type, native.to_string().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_become_500() {
        let m = Model::new("anthropic", Some("claude"), Json::Null);
        let r = to_client(&m, "llm/v1/chat", b"{\"type\":\"error\"}");
        assert_eq!(r.status, 500);
        let body: Json = serde_json::from_str(&r.body).unwrap();
        assert_eq!(body["error"]["message"], "transformation failed from type anthropic://llm/v1/chat: 'content' not in anthropic://llm/v1/chat response");
        let m = Model::new("openai", Some("gpt-4o"), Json::Null);
        assert_eq!(to_client(&m, "llm/v1/chat", b"nope").body, json!({"error":{"message":"transformation failed from type openai://llm/v1/chat: failed to decode llm/v1/chat response"}}).to_string());
    }

    #[test]
    fn mock_round_trips_for_every_provider() {
        let cases = [
            Model::new("openai", Some("gpt-4o"), Json::Null),
            Model::new("azure", Some("gpt-4o"), Json::Null),
            Model::new("anthropic", Some("claude-3"), json!({"max_tokens": 5})),
            Model::new("cohere", Some("command"), Json::Null),
            Model::new("mistral", Some("mistral-tiny"), json!({"mistral_format": "openai"})),
            Model::new("mistral", Some("mistral-tiny"), json!({"mistral_format": "ollama"})),
            Model::new("llama2", Some("llama2"), json!({"llama2_format": "raw"})),
            Model::new("llama2", Some("llama2"), json!({"llama2_format": "ollama"})),
            Model::new("gemini", Some("gemini-1.5-pro"), Json::Null),
            Model::new("bedrock", Some("anthropic.claude-3"), Json::Null),
            Model::new("huggingface", Some("meta/llama"), Json::Null),
        ];
        for m in cases {
            for rt in ["llm/v1/chat", "llm/v1/completions"] {
                let body = if rt == "llm/v1/chat" { json!({"messages":[{"role":"user","content":"hi there"}]}) } else { json!({"prompt":"hi there"}) };
                let Ok(up) = super::super::request::to_format(&body, &m, rt) else { continue };
                let r = simulated_client_response(&m, rt, &up);
                assert_eq!(r.status, 200, "{} {rt}: {}", m.provider, r.body);
                let v: Json = serde_json::from_str(&r.body).unwrap();
                let choice = &v["choices"][0];
                let text = choice["message"]["content"].as_str().or(choice["text"].as_str()).unwrap();
                assert!(text.contains("dry-run"), "{} {rt}: {text}", m.provider);
                if !matches!(m.format(), Some("raw")) {
                    assert_eq!(v["model"], json!(m.name.clone().unwrap()), "{} {rt}", m.provider);
                }
            }
        }
    }
}
