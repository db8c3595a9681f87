//! The body Kong's AI proxy sends upstream, from the OpenAI-format body the client sent.
//!
//! Restated from Kong OSS `Kong/kong` @ 22246ef2 (master, July 2026; the OSS AI code is
//! frozen at about Gateway 3.10):
//! * `kong/llm/plugin/shared-filters/parse-request.lua` and `normalize-request.lua`: which
//!   bodies count as parsed, the prompt, model and streaming checks and their 400 messages;
//! * `kong/llm/init.lua` (`is_compatible`): chat vs completions bodies;
//! * `kong/llm/drivers/shared.lua` (`merge_config_defaults`, `to_ollama`);
//! * `kong/llm/drivers/{openai,azure,anthropic,cohere,mistral,llama2,gemini,bedrock,huggingface}.lua`
//!   (`to_format`).
//!
//! Kong re-encodes bodies with cjson, so key order upstream is not the order shown here;
//! empty Lua tables are written as `{}`.

use serde_json::{json, Map, Value as Json};

use super::lua::{conf, conf_or, or_false, set, tostring, truthy};

/// The `model` record of an ai-proxy config (or of the chosen ai-proxy-advanced target),
/// after `$(...)` templates are resolved (see [`resolve_model`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Model {
    pub provider: String,
    pub name: Option<String>,
    /// `model.options` as JSON (numbers stay numbers); `Json::Null` when unset.
    pub options: Json,
}

impl Model {
    pub fn new(provider: &str, name: Option<&str>, options: Json) -> Model {
        Model { provider: provider.into(), name: name.map(String::from), options }
    }

    /// `model.options.<key>`, nested keys joined by `.` (`huggingface.use_cache`).
    pub fn option(&self, key: &str) -> Option<&Json> {
        let mut v = &self.options;
        for part in key.split('.') {
            v = v.get(part)?;
        }
        conf(Some(v))
    }

    pub fn option_str(&self, key: &str) -> Option<&str> {
        self.option(key).and_then(Json::as_str)
    }

    /// `llama2_format` / `mistral_format` for the providers that have one.
    pub fn format(&self) -> Option<&str> {
        match self.provider.as_str() {
            "llama2" => self.option_str("llama2_format"),
            "mistral" => self.option_str("mistral_format"),
            _ => None,
        }
    }
}

/// An auth parameter that Kong adds to the request body (`auth.param_location: body`).
#[derive(Clone, Debug, PartialEq)]
pub struct BodyAuth {
    pub name: String,
    pub value: String,
    pub allow_override: bool,
}

/// What the request path of the AI proxy needs from the plugin config.
#[derive(Clone, Debug, PartialEq)]
pub struct Conf {
    pub route_type: String,
    pub model: Model,
    /// `config.response_streaming`: allow (default), deny, always.
    pub response_streaming: Option<String>,
    /// `auth.param_*` when `param_location` is `body`.
    pub body_auth: Option<BodyAuth>,
    /// `config.max_request_body_size` (OSS default 8192, 3.13+ 1048576, 0 = unlimited); a
    /// longer body that also exceeds nginx's 8k body buffer is not parsed. `None`: no limit.
    pub max_request_body_size: Option<usize>,
}

impl Conf {
    pub fn new(route_type: &str, model: Model) -> Conf {
        Conf { route_type: route_type.into(), model, response_streaming: None, body_auth: None, max_request_body_size: None }
    }
}

/// Kong's answer when it refuses the request: the status and `{"error":{"message":...}}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KongError {
    pub status: u16,
    /// `None` when Kong answers with an empty body (its 500s from a failed Lua call).
    pub message: Option<String>,
}

impl KongError {
    pub fn bad_request(message: impl Into<String>) -> KongError {
        KongError { status: 400, message: Some(message.into()) }
    }

    /// The JSON body Kong writes, if any.
    pub fn body(&self) -> Option<Json> {
        self.message.as_ref().map(|m| json!({ "error": { "message": m } }))
    }
}

impl std::fmt::Display for KongError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.message {
            Some(m) => write!(f, "HTTP {}: {m}", self.status),
            None => write!(f, "HTTP {} (empty body)", self.status),
        }
    }
}

/// The body sent upstream.
#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    /// Kong re-encoded a transformed JSON body.
    Json(Json),
    /// Kong forwards the client's body bytes unchanged (`preserve`, or a route type the OSS
    /// drivers do not transform).
    Unchanged,
}

/// A request Kong accepts: the model it uses, whether it streams, and the upstream body.
#[derive(Clone, Debug, PartialEq)]
pub struct Prepared {
    /// The model name Kong resolved (`model.name`, else the body's `model`); it also names
    /// the model in `X-Kong-LLM-Model: <provider>/<model>`.
    pub model: Option<String>,
    /// Streaming mode: the body asked for it or `response_streaming` is `always`.
    pub stream: bool,
    pub body: Body,
    /// Where the result rests on an assumption rather than Kong's OSS code.
    pub notes: Vec<String>,
}

const OSS_PROVIDERS: &[&str] = &["openai", "azure", "anthropic", "cohere", "mistral", "llama2", "gemini", "bedrock", "huggingface"];
/// Providers added by Kong Enterprise 3.13/3.14 that speak the OpenAI API.
const EE_OPENAI_LIKE: &[&str] = &["cerebras", "xai", "deepseek", "dashscope", "databricks", "ollama", "vllm"];

/// Resolves `$(...)` templates in every string of the whole `model` record, as
/// `merge_model_options` in `kong/llm/drivers/shared.lua` does (all placeholders of a
/// string, per Kong commit 41688fe4 — see [`super::template`]).
pub fn resolve_model(model: &Json, lookup: &dyn Fn(super::template::Source, &str) -> Option<String>) -> Result<Json, String> {
    Ok(match model {
        Json::String(s) => Json::String(super::template::resolve(s, lookup)?),
        Json::Object(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                out.insert(k.clone(), resolve_model(v, lookup)?);
            }
            Json::Object(out)
        }
        other => other.clone(),
    })
}

/// Kong's default `nginx_http_client_body_buffer_size` (8k).
const CLIENT_BODY_BUFFER_SIZE: usize = 8192;

/// Parses the body as `kong.request.get_body` does for the content type Kong reads
/// (`Content-Type`, `application/json` when absent): a JSON object or array, else nothing.
fn parse_body(raw: &[u8], content_type: Option<&str>, max: Option<usize>) -> Option<Json> {
    // kong.request.get_raw_body (kong/pdk/request.lua): the limit applies only to a body
    // nginx spilled to a file, i.e. one larger than client_body_buffer_size (8k default);
    // 0 means no limit
    if max.is_some_and(|m| m > 0 && raw.len() > m.max(CLIENT_BODY_BUFFER_SIZE)) {
        return None;
    }
    let ct = content_type.unwrap_or("application/json").to_ascii_lowercase();
    if ct.contains("application/json") {
        return serde_json::from_slice::<Json>(raw).ok().filter(|v| v.is_object() || v.is_array());
    }
    if ct.contains("application/x-www-form-urlencoded") {
        // form arguments: string keys and values, never `messages` as an array
        let mut m = Map::new();
        for pair in String::from_utf8_lossy(raw).split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            m.entry(crate::url::decode_component(k)).or_insert(Json::String(crate::url::decode_component(v)));
        }
        return Some(Json::Object(m));
    }
    None
}

fn messages_len(body: &Json) -> usize {
    body.get("messages").and_then(Json::as_array).map_or(0, Vec::len)
}

fn has_prompt(body: &Json) -> bool {
    body.get("prompt").is_some_and(Json::is_string)
}

/// `is_compatible` in `kong/llm/init.lua`.
fn check_format(body: &Json, route_type: &str) -> Result<(), String> {
    let chat = messages_len(body) > 0;
    let completions = has_prompt(body);
    let format = match (chat, completions) {
        (true, true) => return Err("request matches multiple LLM request formats".into()),
        (true, false) => "llm/v1/chat",
        (false, true) => "llm/v1/completions",
        (false, false) => return Err("request format not recognised".into()),
    };
    if format == route_type {
        Ok(())
    } else {
        Err(format!("[{format}] message format is not compatible with [{route_type}] route type"))
    }
}

/// What Kong does with a request before proxying it: the checks of `normalize-request.lua`
/// in order, then the driver's `to_format`. `raw` is the client's body and `content_type`
/// its `Content-Type` header. Templates must already be resolved in `conf.model`.
pub fn prepare(conf: &Conf, raw: &[u8], content_type: Option<&str>) -> Result<Prepared, KongError> {
    let mut notes = Vec::new();
    let provider = conf.model.provider.as_str();
    let route_type = conf.route_type.as_str();
    let preserve = route_type == "preserve";
    let oss_route = matches!(route_type, "llm/v1/chat" | "llm/v1/completions" | "preserve");
    // parse-request.lua: a body that does not parse leaves an empty request table
    let parsed = parse_body(raw, content_type, conf.max_request_body_size);
    if parsed.is_none() && !raw.is_empty() && !preserve {
        let ct = content_type.unwrap_or("application/json");
        if !ct.to_ascii_lowercase().contains("application/json") {
            notes.push(format!("Kong parses the body by its Content-Type ({ct}); it did not find a JSON body"));
        }
    }
    let mut body = parsed.unwrap_or_else(|| Json::Object(Map::new()));

    if !preserve && oss_route && !(messages_len(&body) > 0 || has_prompt(&body)) {
        return Err(KongError::bad_request("request body doesn't contain valid prompts"));
    }
    let mut model = conf.model.clone();
    let body_model = body.get("model").and_then(Json::as_str).map(String::from);
    if model.name.is_none() {
        model.name = body_model.clone();
    }
    if let Some(bm) = body_model.filter(|m| !m.is_empty()) {
        if Some(&bm) != model.name.as_ref() {
            return Err(KongError::bad_request(format!("cannot use own model - must be: {}", model.name.clone().unwrap_or_default())));
        }
    }
    if model.name.is_none() && !preserve {
        return Err(KongError::bad_request("model parameter not found in request, nor in gateway configuration"));
    }
    if oss_route && !preserve {
        check_format(&body, route_type).map_err(KongError::bad_request)?;
    }
    let always = conf.response_streaming.as_deref() == Some("always");
    let stream = truthy(body.get("stream")) || always;
    if stream {
        if let Some(m) = body.as_object_mut() {
            m.insert("stream".into(), Json::Bool(true));
        }
        if conf.response_streaming.as_deref() == Some("deny") {
            return Err(KongError::bad_request("response streaming is not enabled for this LLM"));
        }
    }
    if !OSS_PROVIDERS.contains(&provider) {
        if EE_OPENAI_LIKE.contains(&provider) {
            notes.push(format!("provider '{provider}' is Kong Enterprise only; its body is assumed to be the OpenAI driver's"));
        } else {
            // `require("kong.llm.drivers." .. provider)` fails: a Lua error, HTTP 500
            return Err(KongError { status: 500, message: None });
        }
    }
    let name = model.name.clone();
    if preserve {
        return Ok(Prepared { model: name, stream, body: Body::Unchanged, notes });
    }
    if !oss_route {
        notes.push(format!(
            "route_type '{route_type}' is Kong Enterprise only (3.11+); the OSS drivers do not transform it, so the body is shown as the client sent it"
        ));
        return Ok(Prepared { model: name, stream, body: Body::Unchanged, notes });
    }
    let Json::Object(request) = body else {
        return Err(KongError::bad_request("request body doesn't contain valid prompts"));
    };
    let (mut out, same_table) = to_format_inner(request, &model, route_type).map_err(KongError::bad_request)?;
    // normalize-request.lua: a body auth parameter is written into the request table after
    // the transformation; it reaches upstream only when the driver kept that table
    if let (Some(auth), true) = (&conf.body_auth, same_table) {
        if let Json::Object(m) = &mut out {
            if !m.contains_key(&auth.name) || !auth.allow_override {
                m.insert(auth.name.clone(), Json::String(auth.value.clone()));
            }
        }
    }
    if provider == "anthropic" && route_type == "llm/v1/chat" && out.get("max_tokens").is_none() {
        notes.push("Anthropic's Messages API requires max_tokens; Kong adds none (set model.options.max_tokens), so Anthropic will answer 400".into());
    }
    Ok(Prepared { model: name, stream, body: Body::Json(out), notes })
}

/// A driver's `to_format`: the provider body for an OpenAI-format request table whose
/// model is `model` (its `name` already settled). The error is Kong's message (HTTP 400).
pub fn to_format(request: &Json, model: &Model, route_type: &str) -> Result<Json, String> {
    let provider = model.provider.as_str();
    let Json::Object(m) = request else {
        return Err(format!("error transforming to {provider}://{route_type}"));
    };
    if route_type == "preserve" {
        return Ok(request.clone());
    }
    to_format_inner(m.clone(), model, route_type).map(|(b, _)| b)
}

/// `merge_config_defaults` (`kong/llm/drivers/shared.lua`): configured temperature,
/// max_tokens, top_p and top_k replace the client's values.
fn merge_defaults(request: &mut Map<String, Json>, options: &Json) {
    for key in ["temperature", "max_tokens", "top_p", "top_k"] {
        if let Some(v) = conf(options.get(key)) {
            request.insert(key.into(), v.clone());
        }
    }
}

/// The transformed body and whether it is the request table itself (so later writes to
/// the request table reach upstream).
fn to_format_inner(mut request: Map<String, Json>, model: &Model, route_type: &str) -> Result<(Json, bool), String> {
    let provider = model.provider.as_str();
    let rt_ok = matches!(route_type, "llm/v1/chat" | "llm/v1/completions");
    let no_transformer = || format!("no transformer for {provider}://{route_type}");
    match provider {
        "openai" | "azure" => openai(request, model, route_type).map(|b| (b, true)),
        p if EE_OPENAI_LIKE.contains(&p) => openai(request, model, route_type).map(|b| (b, true)),
        "anthropic" => {
            merge_defaults(&mut request, &model.options);
            match route_type {
                "llm/v1/chat" => anthropic_chat(&request, model).map(|b| (b, false)),
                "llm/v1/completions" => Ok((anthropic_completions(&request, model), false)),
                _ => Err(no_transformer()),
            }
        }
        "cohere" => {
            if truthy(request.get("tools")) {
                return openai(request, model, route_type).map(|b| (b, true));
            }
            if !rt_ok {
                return Err(no_transformer());
            }
            merge_defaults(&mut request, &model.options);
            cohere(request, model).map(|b| (b, true))
        }
        "mistral" => match model.option_str("mistral_format") {
            Some("openai") => openai(request, model, route_type).map(|b| (b, true)),
            Some("ollama") if rt_ok => {
                merge_defaults(&mut request, &model.options);
                Ok((ollama(&request, model), false))
            }
            f => Err(format!("no transformer available to format mistral://{route_type}/{}", f.unwrap_or("nil"))),
        },
        "llama2" => {
            let format = model.option_str("llama2_format");
            if format == Some("openai") {
                return openai(request, model, route_type).map(|b| (b, true));
            }
            merge_defaults(&mut request, &model.options);
            match (format, rt_ok) {
                (Some("raw"), true) => Ok((llama2_raw(&request), false)),
                (Some("ollama"), true) => Ok((ollama(&request, model), false)),
                _ => Err(format!("error transforming to llama2://{route_type}/{}", format.unwrap_or("nil"))),
            }
        }
        "gemini" => {
            if route_type != "llm/v1/chat" {
                return Err(no_transformer());
            }
            merge_defaults(&mut request, &model.options);
            gemini(&request, model).map(|b| (b, false)).map_err(|e| format!("error transforming to gemini://{route_type}: {e}"))
        }
        "bedrock" => {
            if route_type != "llm/v1/chat" {
                return Err(no_transformer());
            }
            merge_defaults(&mut request, &model.options);
            bedrock(&request, model).map(|b| (b, false)).map_err(|e| format!("error transforming to bedrock://{route_type}: {e}"))
        }
        "huggingface" => {
            if !rt_ok {
                return Err(no_transformer());
            }
            merge_defaults(&mut request, &model.options);
            huggingface(request, model, route_type).map(|b| (b, true))
        }
        _ => Err(format!("error transforming to {provider}://{route_type}")),
    }
}

/// The request's fields `from` under the names `to`; absent ones are left out.
fn renamed(request: &Map<String, Json>, names: &[(&str, &str)]) -> Map<String, Json> {
    let mut m = Map::new();
    for (from, to) in names {
        set(&mut m, to, request.get(*from).cloned());
    }
    m
}

/// `kong/llm/drivers/openai.lua` (also azure, mistral/llama2 in `openai` format, cohere
/// with tools): the client's body with `model` set, `stream` explicit, `top_k` removed.
fn openai(mut request: Map<String, Json>, model: &Model, route_type: &str) -> Result<Json, String> {
    if !matches!(route_type, "llm/v1/chat" | "llm/v1/completions") {
        return Err(format!("no transformer for {}://{route_type}", model.provider));
    }
    merge_defaults(&mut request, &model.options);
    let name = model_or_request(model, &request);
    set(&mut request, "model", name);
    let stream = or_false(request.get("stream"));
    request.insert("stream".into(), stream);
    request.remove("top_k");
    Ok(Json::Object(request))
}

fn model_or_request(model: &Model, request: &Map<String, Json>) -> Option<Json> {
    model.name.clone().map(Json::String).or_else(|| request.get("model").cloned())
}

/// `kong/llm/drivers/anthropic.lua`, chat: system messages leave the list (the last one
/// wins and becomes the top-level `system`), tool calls and results become Anthropic
/// content blocks; only temperature and max_tokens are carried (top_p, top_k and every
/// other client field are dropped).
fn anthropic_chat(request: &Map<String, Json>, model: &Model) -> Result<Json, String> {
    let fail = || "error transforming to anthropic://llm/v1/chat".to_string();
    let Some(messages) = request.get("messages").and_then(Json::as_array) else {
        return Err(fail());
    };
    let mut msgs = Vec::new();
    let mut system = None;
    for v in messages {
        let Json::Object(v) = v else { return Err(fail()) };
        let role = v.get("role").and_then(Json::as_str);
        match role {
            Some("assistant") if truthy(v.get("tool_calls")) => {
                let mut content = Vec::new();
                match v.get("tool_calls") {
                    Some(Json::Array(calls)) => {
                        for c in calls {
                            let f = c.get("function").filter(|f| f.is_object()).ok_or_else(fail)?;
                            let mut block = Map::new();
                            block.insert("type".into(), json!("tool_use"));
                            set(&mut block, "id", c.get("id").cloned());
                            set(&mut block, "name", f.get("name").cloned());
                            let input = f.get("arguments").and_then(Json::as_str).and_then(|a| serde_json::from_str::<Json>(a).ok());
                            set(&mut block, "input", input);
                            content.push(Json::Object(block));
                        }
                    }
                    Some(Json::Object(_)) => {}
                    _ => return Err(fail()),
                }
                let mut m = Map::new();
                m.insert("role".into(), json!("assistant"));
                if !content.is_empty() {
                    m.insert("content".into(), Json::Array(content));
                }
                msgs.push(Json::Object(m));
            }
            Some("tool") => {
                let mut block = Map::new();
                block.insert("type".into(), json!("tool_result"));
                set(&mut block, "tool_use_id", v.get("tool_call_id").cloned());
                set(&mut block, "content", v.get("content").cloned());
                msgs.push(json!({ "role": "user", "content": [Json::Object(block)] }));
            }
            Some("assistant") | Some("user") => msgs.push(Json::Object(v.clone())),
            _ => system = v.get("content").cloned(),
        }
    }
    let mut out = Map::new();
    out.insert("messages".into(), Json::Array(msgs));
    set(&mut out, "system", system);
    set(&mut out, "temperature", conf_or(&model.options, request, "temperature").cloned());
    set(&mut out, "max_tokens", conf_or(&model.options, request, "max_tokens").cloned());
    set(&mut out, "model", model_or_request(model, request));
    out.insert("stream".into(), or_false(request.get("stream")));
    if let Some(tools) = request.get("tools").filter(|t| truthy(Some(t))) {
        let Json::Array(tools) = tools else { return Err(fail()) };
        let mut out_tools = Vec::new();
        for t in tools {
            if !(t.is_object() || t.is_string()) {
                return Err(fail());
            }
            match t.get("function") {
                Some(Json::Object(f)) => {
                    let mut f = f.clone();
                    let params = f.remove("parameters");
                    set(&mut f, "input_schema", params);
                    out_tools.push(Json::Object(f));
                }
                Some(f) if truthy(Some(f)) => return Err(fail()),
                _ => {}
            }
        }
        // an empty Lua table is encoded as an object
        out.insert("tools".into(), if out_tools.is_empty() { json!({}) } else { Json::Array(out_tools) });
    }
    match request.get("tool_choice") {
        None => {}
        Some(Json::Bool(false)) => {
            out.insert("tool_choice".into(), Json::Bool(false));
        }
        Some(choice) => {
            if let Some(c) = anthropic_tool_choice(choice).map_err(|_| fail())? {
                out.insert("tool_choice".into(), c);
            }
        }
    }
    Ok(Json::Object(out))
}

/// `to_tool_choice`: OpenAI's `tool_choice` in Anthropic's terms; unknown values are dropped.
fn anthropic_tool_choice(choice: &Json) -> Result<Option<Json>, ()> {
    Ok(match choice {
        Json::String(s) => match s.as_str() {
            "required" => Some(json!({ "type": "any" })),
            "none" | "auto" => Some(json!({ "type": s })),
            _ => None,
        },
        Json::Object(m) => {
            if m.get("type").and_then(Json::as_str) == Some("function") {
                let f = m.get("function").ok_or(())?;
                match f.get("name") {
                    Some(n) if truthy(Some(n)) => Some(json!({ "type": "tool", "name": n })),
                    _ => None,
                }
            } else {
                None
            }
        }
        _ => None,
    })
}

/// `kong/llm/drivers/anthropic.lua`, completions: the legacy Text Completions body.
fn anthropic_completions(request: &Map<String, Json>, model: &Model) -> Json {
    let prompt = match request.get("prompt") {
        Some(p) if truthy(Some(p)) => format!("Human: {}\n\nAssistant:", tostring(Some(p))),
        _ => {
            let mut s = String::new();
            for v in request.get("messages").and_then(Json::as_array).into_iter().flatten() {
                match v.get("role").and_then(Json::as_str) {
                    Some("assistant") => s.push_str("Assistant: "),
                    Some("user") => s.push_str("Human: "),
                    _ => {}
                }
                s.push_str(&tostring(v.get("content")));
                s.push_str("\n\n");
            }
            s.push_str("Assistant:");
            s
        }
    };
    let mut out = Map::new();
    out.insert("prompt".into(), Json::String(prompt));
    set(&mut out, "temperature", conf_or(&model.options, request, "temperature").cloned());
    set(&mut out, "max_tokens_to_sample", conf_or(&model.options, request, "max_tokens").cloned());
    set(&mut out, "model", model_or_request(model, request));
    out.insert("stream".into(), or_false(request.get("stream")));
    Json::Object(out)
}

/// `kong/llm/drivers/cohere.lua` (v1 chat/generate): top_p → p, top_k → k; for chat, every
/// message but the last goes to `chat_history` (assistant → CHATBOT, any other role,
/// system included, → USER) and the last one's content becomes `message`.
fn cohere(mut request: Map<String, Json>, model: &Model) -> Result<Json, String> {
    let p = request.remove("top_p");
    let k = request.remove("top_k");
    set(&mut request, "p", p);
    set(&mut request, "k", k);
    let name = model_or_request(model, &request);
    set(&mut request, "model", name);
    let stream = or_false(request.get("stream"));
    request.insert("stream".into(), stream);
    if let Some(messages) = request.get("messages").and_then(Json::as_array).cloned() {
        if messages.len() > 1 {
            let history: Vec<Json> = messages[..messages.len() - 1]
                .iter()
                .map(|v| {
                    let role = match v.get("role").and_then(Json::as_str) {
                        Some("assistant") | Some("CHATBOT") => "CHATBOT",
                        _ => "USER",
                    };
                    let mut h = Map::new();
                    h.insert("role".into(), json!(role));
                    set(&mut h, "message", v.get("content").cloned());
                    Json::Object(h)
                })
                .collect();
            request.insert("chat_history".into(), Json::Array(history));
        }
        let last = messages.last().and_then(|m| m.get("content")).cloned();
        set(&mut request, "message", last);
        request.remove("messages");
    } else if request.contains_key("prompt") {
        request.remove("messages");
        request.remove("message");
    }
    Ok(Json::Object(request))
}

/// `to_ollama` in `kong/llm/drivers/shared.lua` (llama2 and mistral in `ollama` format):
/// only messages or prompt, stream, model, tools and the sampling options survive.
fn ollama(request: &Map<String, Json>, model: &Model) -> Json {
    let mut out = Map::new();
    if let Some(m) = request.get("messages").filter(|m| truthy(Some(m))) {
        out.insert("messages".into(), m.clone());
    } else if let Some(p) = request.get("prompt").filter(|p| truthy(Some(p))) {
        out.insert("prompt".into(), p.clone());
    }
    out.insert("stream".into(), or_false(request.get("stream")));
    // Kong falls back to the body's `name` (not `model`) here
    set(&mut out, "model", model.name.clone().map(Json::String).or_else(|| request.get("name").cloned()));
    set(&mut out, "tools", request.get("tools").cloned());
    set(&mut out, "tool_choice", request.get("tool_choice").cloned());
    let opts = renamed(request, &[("max_tokens", "num_predict"), ("temperature", "temperature"), ("top_p", "top_p"), ("top_k", "top_k")]);
    out.insert("options".into(), Json::Object(opts));
    Json::Object(out)
}

/// `kong/llm/drivers/llama2.lua`, `raw` format: a Hugging Face TGI style body with the chat
/// flattened into Llama 2 `[INST]` markup. The first message is taken as the system prompt
/// and the second as the first user turn; after that only system and user messages are
/// written (assistant turns are left out, as Kong does).
fn llama2_raw(request: &Map<String, Json>) -> Json {
    let mut params = renamed(request, &[("max_tokens", "max_new_tokens"), ("top_p", "top_p"), ("top_k", "top_k"), ("temperature", "temperature")]);
    params.insert("stream".into(), or_false(request.get("stream")));
    let mut out = Map::new();
    out.insert("parameters".into(), Json::Object(params));
    if let Some(Json::Array(messages)) = request.get("messages").filter(|m| truthy(Some(m))) {
        let mut s = String::new();
        for (i, v) in messages.iter().enumerate() {
            let content = tostring(v.get("content"));
            match (i, v.get("role").and_then(Json::as_str)) {
                (0, _) => s.push_str(&format!("<s>[INST] <<SYS>> {content} <</SYS>>")),
                (1, _) => s.push_str(&format!(" {content} [/INST]")),
                (_, Some("system")) => s.push_str(&format!(" {content} </s>")),
                (_, Some("user")) => s.push_str(&format!(" <s>[INST] {content} [/INST]")),
                _ => {}
            }
        }
        out.insert("inputs".into(), Json::String(s));
    } else if let Some(p) = request.get("prompt").filter(|p| truthy(Some(p))) {
        out.insert(
            "inputs".into(),
            Json::String(format!("<s> [INST] <<SYS>> You are a helpful assistant. <<SYS>> {} [/INST]", tostring(Some(p)))),
        );
    }
    Json::Object(out)
}

/// `kong/llm/drivers/huggingface.lua`: sampling settings move under `parameters`
/// (max_tokens becomes `max_length` for chat, `max_new_tokens` for completions; values
/// the client already put in `parameters` win), `options` carries the Hugging Face flags,
/// a completions `prompt` becomes `inputs`.
fn huggingface(mut request: Map<String, Json>, model: &Model, route_type: &str) -> Result<Json, String> {
    let mut params = match request.get("parameters") {
        None => Map::new(),
        Some(Json::Object(p)) => p.clone(),
        Some(_) => return Err(format!("error transforming to huggingface://{route_type}")),
    };
    for (from, to) in [("top_k", "top_k"), ("top_p", "top_p"), ("temperature", "temperature")] {
        if !params.contains_key(to) {
            set(&mut params, to, request.get(from).cloned());
        }
    }
    if !params.contains_key("max_tokens") {
        let key = if truthy(request.get("messages")) { "max_length" } else { "max_new_tokens" };
        set(&mut params, key, request.get("max_tokens").cloned());
    }
    for k in ["top_k", "top_p", "temperature", "max_tokens"] {
        request.remove(k);
    }
    if route_type == "llm/v1/completions" {
        let p = request.remove("prompt");
        set(&mut request, "inputs", p);
    }
    let flag = |k: &str| model.option(&format!("huggingface.{k}")).cloned().unwrap_or(Json::Bool(false));
    request.insert("options".into(), json!({ "use_cache": flag("use_cache"), "wait_for_model": flag("wait_for_model") }));
    request.insert("parameters".into(), Json::Object(params));
    let name = model_or_request(model, &request);
    set(&mut request, "model", name);
    Ok(Json::Object(request))
}

/// Gemini's `generationConfig` from the OpenAI sampling fields.
fn gemini_generation_config(request: &Map<String, Json>) -> Json {
    Json::Object(renamed(
        request,
        &[("max_tokens", "maxOutputTokens"), ("stop", "stopSequences"), ("temperature", "temperature"), ("top_k", "topK"), ("top_p", "topP")],
    ))
}

/// Error text of a Lua runtime error inside the driver: Kong formats the missing message
/// as `nil`.
const LUA_ERROR: &str = "nil";

/// `kong/llm/drivers/gemini.lua`, `to_gemini_chat_openai`: system messages are
/// concatenated into `systemInstruction`, assistant turns get role `model`, multimodal
/// parts become `inlineData`/`fileData`, tool calls and results become function parts.
fn gemini(request: &Map<String, Json>, model: &Model) -> Result<Json, String> {
    let mut out = Map::new();
    let messages = request.get("messages").and_then(Json::as_array).filter(|m| !m.is_empty());
    if let Some(messages) = messages {
        let mut system: Option<String> = None;
        let mut contents: Option<Vec<Json>> = None;
        for (i, v) in messages.iter().enumerate() {
            let Json::Object(v) = v else { return Err(LUA_ERROR.into()) };
            let role = v.get("role").and_then(Json::as_str);
            let tool_calls = v.get("tool_calls").and_then(Json::as_array).filter(|c| !c.is_empty());
            if role == Some("system") {
                match v.get("content") {
                    None => {}
                    Some(Json::String(s)) => system.get_or_insert_with(String::new).push_str(s),
                    Some(Json::Number(n)) => system.get_or_insert_with(String::new).push_str(&tostring(Some(&Json::Number(n.clone())))),
                    Some(_) => return Err(LUA_ERROR.into()),
                }
                if system.is_none() {
                    system = Some(String::new());
                }
            } else if role == Some("tool") {
                let Some(c) = contents.as_mut() else { return Err(LUA_ERROR.into()) };
                let content: Vec<Json> = v.get("content").cloned().into_iter().collect();
                c.push(json!({
                    "role": "function",
                    "parts": [{ "function_response": { "response": { "content": content }, "name": "get_product_info" } }]
                }));
            } else if role == Some("assistant") && tool_calls.is_some() {
                let Some(c) = contents.as_mut() else { return Err(LUA_ERROR.into()) };
                let mut calls = Vec::new();
                for t in tool_calls.into_iter().flatten() {
                    let f = t.get("function").filter(|f| f.is_object()).ok_or(LUA_ERROR)?;
                    let mut fc = Map::new();
                    set(&mut fc, "name", f.get("name").cloned());
                    calls.push(json!({ "function_call": Json::Object(fc) }));
                }
                c.push(json!({ "role": "function", "parts": calls }));
            } else {
                let c = contents.get_or_insert_with(Vec::new);
                let parts = match v.get("content") {
                    Some(Json::String(s)) => json!([{ "text": s }]),
                    Some(Json::Array(ps)) if !ps.is_empty() => {
                        let mut out = Vec::new();
                        for (j, part) in ps.iter().enumerate() {
                            match gemini_part(part)? {
                                Some(p) => out.push(p),
                                None => {
                                    return Err(format!(
                                        "message at position {}, part at position {} does not match expected OpenAI format",
                                        i + 1,
                                        j + 1
                                    ))
                                }
                            }
                        }
                        Json::Array(out)
                    }
                    Some(Json::Array(_)) | Some(Json::Object(_)) => {
                        return Err(format!("message at position {} does not match expected array format", i + 1))
                    }
                    // any other content leaves an empty Lua table, encoded as an object
                    _ => json!({}),
                };
                let mut entry = Map::new();
                let mapped = match v.get("role") {
                    None => Some("user"),
                    Some(r) => match r.as_str() {
                        Some("user") => Some("user"),
                        Some("assistant") => Some("model"),
                        _ => None,
                    },
                };
                set(&mut entry, "role", mapped.map(|r| json!(r)));
                entry.insert("parts".into(), parts);
                c.push(Json::Object(entry));
            }
        }
        if let Some(c) = contents {
            out.insert("contents".into(), Json::Array(c));
        }
        if let Some(s) = system {
            let name = model.name.as_deref().ok_or(LUA_ERROR)?;
            if name.starts_with("gemini-1.0") {
                return Err("system prompts aren't supported on gemini-1.0 models".into());
            }
            out.insert("systemInstruction".into(), json!({ "parts": [{ "text": s }] }));
        }
    }
    out.insert("generationConfig".into(), gemini_generation_config(request));
    if let Some(tools) = request.get("tools").filter(|t| truthy(Some(t))) {
        let tools = match tools {
            Json::Array(t) => t.as_slice(),
            Json::Object(_) => &[],
            _ => return Err(LUA_ERROR.into()),
        };
        let mut decls: Vec<Json> = Vec::new();
        for (i, t) in tools.iter().enumerate() {
            if let Some(f) = t.get("function").filter(|f| truthy(Some(f))) {
                while decls.len() < i {
                    decls.push(Json::Null);
                }
                decls.push(f.clone());
            }
        }
        if !decls.is_empty() {
            out.insert("tools".into(), json!([{ "function_declarations": decls }]));
        }
    }
    set(&mut out, "tool_config", request.get("tool_config").cloned());
    Ok(Json::Object(out))
}

/// `openai_part_to_gemini_part`: one OpenAI content part as a Gemini part.
fn gemini_part(part: &Json) -> Result<Option<Json>, String> {
    // a part that is not a table (or has no usable `type`) makes the Lua code fail
    let Json::Object(p) = part else { return Err(LUA_ERROR.into()) };
    if let Some(n @ Json::Number(_)) = p.get("type") {
        return Err(format!("cannot transform part of type '{}' to Gemini format", tostring(Some(n))));
    }
    match p.get("type").and_then(Json::as_str) {
        Some("image_url") => {
            let Some(url) = p.get("image_url").and_then(|i| i.get("url")).filter(|u| truthy(Some(u))) else {
                return Err("message part type is 'image_url' but is missing .image_url.url block".into());
            };
            let Json::String(url) = url else { return Err(LUA_ERROR.into()) };
            if url.len() < 10 {
                return Err("could not decode OpenAI image-part, image URL is less than 10 bytes, which is not parsable".into());
            }
            let head = String::from_utf8_lossy(&url.as_bytes()[..6]).into_owned();
            let protocol = head.split(':').next().unwrap_or("");
            if protocol == "data" {
                let rest = &url[5..];
                let mut outer = rest.split(';');
                let mime = outer.next().unwrap_or("");
                let Some(second) = outer.next() else { return Err(LUA_ERROR.into()) };
                let data = second.split(',').nth(1);
                let mut inline = Map::new();
                set(&mut inline, "data", data.map(|d| json!(d)));
                inline.insert("mimeType".into(), json!(mime));
                Ok(Some(json!({ "inlineData": Json::Object(inline) })))
            } else {
                Ok(Some(json!({ "fileData": { "fileUri": url, "mimeType": "image/generic" } })))
            }
        }
        Some("text") => match p.get("text").filter(|t| truthy(Some(t))) {
            Some(t) => Ok(Some(json!({ "text": t }))),
            None => Err("message part type is 'text' but is missing .text block".into()),
        },
        Some(other) => Err(format!("cannot transform part of type '{other}' to Gemini format")),
        None => Err(LUA_ERROR.into()),
    }
}

/// Bedrock model ids that reject system prompts (`bedrock_unsupported_system_role_patterns`
/// in `kong/llm/drivers/bedrock.lua`; Lua patterns, matched anywhere in the id).
fn bedrock_rejects_system(model: &str) -> bool {
    // each Lua pattern is a chain of literal words separated by "any character, then
    // anything": `amazon.titan.-.*` etc.
    const CHAINS: &[&[&str]] = &[
        &["amazon", "titan"],
        &["cohere", "command", "text"],
        &["cohere", "command", "light", "text"],
        &["mistral", "mistral", "7b", "instruct"],
        &["mistral", "mixtral", "8x7b", "instruct"],
    ];
    CHAINS.iter().any(|chain| {
        // first word, one character, second word right after it; later words after any gap
        model.char_indices().any(|(start, _)| {
            let Some(after_first) = model[start..].strip_prefix(chain[0]) else { return false };
            let mut chars = after_first.chars();
            if chars.next().is_none() {
                return false;
            }
            let Some(mut tail) = chars.as_str().strip_prefix(chain[1]) else { return false };
            for word in &chain[2..] {
                match tail.find(word) {
                    Some(p) => tail = &tail[p + word.len()..],
                    None => return false,
                }
            }
            true
        })
    })
}

/// `kong/llm/drivers/bedrock.lua`, `to_bedrock_chat_openai`: a Converse API body. System
/// messages go to `system` (all of them, in order), tool calls and results become
/// `toolUse`/`toolResult` blocks, sampling goes to `inferenceConfig` (no top_k); `model`
/// and `stream` are not in the body (they are in the URL: `/model/{id}/converse[-stream]`).
fn bedrock(request: &Map<String, Json>, model: &Model) -> Result<Json, String> {
    let mut out = Map::new();
    let version = model.option("anthropic_version").cloned().unwrap_or(json!("bedrock-2023-05-31"));
    out.insert("anthropic_version".into(), version);
    let messages = request.get("messages").and_then(Json::as_array).filter(|m| !m.is_empty());
    if let Some(messages) = messages {
        let mut system = Vec::new();
        let mut msgs: Vec<Json> = Vec::new();
        // `_OPENAI_ROLE_MAPPING[v.role or "user"]`: a missing role is user, unknown ones vanish
        let map_role = |r: Option<&Json>| match r {
            None => Some("user"),
            Some(r) => match r.as_str() {
                Some("system" | "assistant") => Some("assistant"),
                Some("user" | "tool") => Some("user"),
                _ => None,
            },
        };
        for v in messages {
            let Json::Object(v) = v else { return Err(LUA_ERROR.into()) };
            let role = v.get("role").and_then(Json::as_str);
            if role == Some("system") {
                let mut s = Map::new();
                set(&mut s, "text", v.get("content").cloned());
                system.push(Json::Object(s));
            } else if role == Some("tool") {
                let decoded = v.get("content").and_then(Json::as_str).and_then(|c| serde_json::from_str::<Json>(c).ok());
                let Some(decoded) = decoded else {
                    return Err("failed to decode function response arguments, not JSON format".into());
                };
                let literal = if decoded.is_object() || decoded.is_array() { json!({ "json": decoded }) } else { json!({ "json": { "result": decoded } }) };
                let mut result = Map::new();
                set(&mut result, "toolUseId", v.get("tool_call_id").cloned());
                result.insert("content".into(), json!([literal]));
                set(&mut result, "status", v.get("status").cloned());
                msgs.push(json!({ "role": "user", "content": [{ "toolResult": Json::Object(result) }] }));
            } else {
                let content = match (v.get("content"), v.get("tool_calls")) {
                    (Some(c @ (Json::Object(_) | Json::Array(_))), _) => Some(c.clone()),
                    (_, Some(calls @ (Json::Object(_) | Json::Array(_)))) => {
                        let mut last = None;
                        for t in calls.as_array().into_iter().flatten() {
                            let f = t.get("function").filter(|f| f.is_object()).ok_or(LUA_ERROR)?;
                            let inputs = f.get("arguments").and_then(Json::as_str).and_then(|a| serde_json::from_str::<Json>(a).ok());
                            let Some(inputs) = inputs else {
                                return Err("failed to decode function response arguments from assistant's message, not JSON format".into());
                            };
                            let mut tu = Map::new();
                            set(&mut tu, "toolUseId", t.get("id").cloned());
                            set(&mut tu, "name", f.get("name").cloned());
                            tu.insert("input".into(), inputs);
                            last = Some(json!([{ "toolUse": Json::Object(tu) }]));
                        }
                        last
                    }
                    (c, _) => {
                        let text = match c {
                            None | Some(Json::Bool(false)) => json!(""),
                            Some(c) => c.clone(),
                        };
                        Some(json!([{ "text": text }]))
                    }
                };
                let mut m = Map::new();
                set(&mut m, "role", map_role(v.get("role")).map(|r| json!(r)));
                set(&mut m, "content", content);
                msgs.push(Json::Object(m));
            }
        }
        if !msgs.is_empty() {
            out.insert("messages".into(), Json::Array(msgs));
        }
        if !system.is_empty() {
            let name = model.name.as_deref().ok_or(LUA_ERROR)?;
            if bedrock_rejects_system(name) {
                // Kong's message has no closing quote
                return Err(format!("system prompts are unsupported for model '{name}"));
            }
            out.insert("system".into(), Json::Array(system));
        }
    }
    let inference = renamed(request, &[("max_tokens", "maxTokens"), ("stop", "stopSequences"), ("temperature", "temperature"), ("top_p", "topP")]);
    out.insert("inferenceConfig".into(), Json::Object(inference));
    set(&mut out, "guardrailConfig", request.get("guardrailConfig").cloned());
    let bedrock_field = |k: &str| request.get("bedrock").and_then(|b| b.get(k)).filter(|v| truthy(Some(v))).cloned();
    let mut tool_config = bedrock_field("toolConfig").map(|tc| json!([tc]));
    if let Some(Json::Array(tools)) = request.get("tools") {
        if !tools.is_empty() {
            let mut specs: Vec<Json> = Vec::new();
            for (i, t) in tools.iter().enumerate() {
                if let Some(f) = t.get("function").filter(|f| truthy(Some(f))) {
                    while specs.len() < i {
                        specs.push(Json::Null);
                    }
                    let mut spec = Map::new();
                    set(&mut spec, "name", f.get("name").cloned());
                    set(&mut spec, "description", f.get("description").cloned());
                    let mut schema = Map::new();
                    set(&mut schema, "json", f.get("parameters").cloned());
                    spec.insert("inputSchema".into(), Json::Object(schema));
                    specs.push(json!({ "toolSpec": Json::Object(spec) }));
                }
            }
            // a Lua table holding both the array from bedrock.toolConfig and `tools` is
            // encoded as an object with the key "1"
            let mut tc = match tool_config.take() {
                Some(Json::Array(a)) => {
                    let mut m = Map::new();
                    for (i, v) in a.into_iter().enumerate() {
                        m.insert((i + 1).to_string(), v);
                    }
                    m
                }
                _ => Map::new(),
            };
            set(&mut tc, "tools", (!specs.is_empty()).then_some(Json::Array(specs)));
            tool_config = Some(Json::Object(tc));
        }
    }
    set(&mut out, "toolConfig", tool_config);
    set(&mut out, "additionalModelRequestFields", bedrock_field("additionalModelRequestFields").map(|f| json!([f])));
    Ok(Json::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chat(body: Json) -> Vec<u8> {
        serde_json::to_vec(&body).unwrap()
    }

    // kong/llm/plugin/shared-filters/normalize-request.lua: checks in order
    #[test]
    fn normalize_checks() {
        let c = Conf::new("llm/v1/chat", Model::new("openai", Some("gpt-4o"), Json::Null));
        let e = prepare(&c, b"not json", None).unwrap_err();
        assert_eq!(e.message.as_deref(), Some("request body doesn't contain valid prompts"));
        let e = prepare(&c, &chat(json!({"messages": [{"role":"user","content":"hi"}], "model": "gpt-3.5"})), None).unwrap_err();
        assert_eq!(e.body().unwrap(), json!({"error":{"message":"cannot use own model - must be: gpt-4o"}}));
        let ok = prepare(&c, &chat(json!({"messages": [{"role":"user","content":"hi"}], "model": ""})), None).unwrap();
        assert_eq!(ok.model.as_deref(), Some("gpt-4o"));
        let c2 = Conf::new("llm/v1/chat", Model::new("openai", None, Json::Null));
        let e = prepare(&c2, &chat(json!({"messages": [{"role":"user","content":"hi"}]})), None).unwrap_err();
        assert_eq!(e.message.as_deref(), Some("model parameter not found in request, nor in gateway configuration"));
        let e = prepare(&c, &chat(json!({"prompt": "x"})), None).unwrap_err();
        assert_eq!(e.message.as_deref(), Some("[llm/v1/completions] message format is not compatible with [llm/v1/chat] route type"));
        let e = prepare(&c, &chat(json!({"prompt": "x", "messages": [{"role":"user","content":"x"}]})), None).unwrap_err();
        assert_eq!(e.message.as_deref(), Some("request matches multiple LLM request formats"));
        let mut deny = c.clone();
        deny.response_streaming = Some("deny".into());
        let e = prepare(&deny, &chat(json!({"messages": [{"role":"user","content":"x"}], "stream": true})), None).unwrap_err();
        assert_eq!(e.message.as_deref(), Some("response streaming is not enabled for this LLM"));
        // form-encoded bodies are parsed as form arguments, so no prompts are found
        let e = prepare(&c, &chat(json!({"messages": [{"role":"user","content":"x"}]})), Some("application/x-www-form-urlencoded")).unwrap_err();
        assert_eq!(e.status, 400);
    }

    #[test]
    fn stream_always_and_null_is_truthy() {
        let mut c = Conf::new("llm/v1/chat", Model::new("openai", Some("m"), Json::Null));
        let p = prepare(&c, &chat(json!({"messages": [{"role":"user","content":"x"}], "stream": null})), None).unwrap();
        assert!(p.stream);
        assert_eq!(p.body, Body::Json(json!({"messages": [{"role":"user","content":"x"}], "stream": true, "model": "m"})));
        c.response_streaming = Some("always".into());
        let p = prepare(&c, &chat(json!({"messages": [{"role":"user","content":"x"}]})), None).unwrap();
        assert!(p.stream);
    }

    #[test]
    fn preserve_forwards_body() {
        let c = Conf::new("preserve", Model::new("openai", None, Json::Null));
        let p = prepare(&c, b"\x00\x01 binary", Some("application/octet-stream")).unwrap();
        assert_eq!((p.body, p.model), (Body::Unchanged, None));
        let c = Conf::new("preserve", Model::new("openai", Some("gpt-4o"), Json::Null));
        assert!(prepare(&c, &chat(json!({"model": "other"})), None).is_err());
    }

    #[test]
    fn body_auth_param_only_when_driver_keeps_the_table() {
        let mut c = Conf::new("llm/v1/chat", Model::new("openai", Some("m"), Json::Null));
        c.body_auth = Some(BodyAuth { name: "key".into(), value: "s".into(), allow_override: false });
        let p = prepare(&c, &chat(json!({"messages": [{"role":"user","content":"x"}], "key": "client"})), None).unwrap();
        let Body::Json(b) = p.body else { panic!() };
        assert_eq!(b["key"], "s");
        c.model = Model::new("anthropic", Some("claude"), json!({"max_tokens": 10}));
        let Body::Json(b) = prepare(&c, &chat(json!({"messages": [{"role":"user","content":"x"}]})), None).unwrap().body else { panic!() };
        assert!(b.get("key").is_none());
    }

    // kong/pdk/request.lua get_raw_body: max_request_body_size only bites past the 8k buffer
    #[test]
    fn large_bodies_beyond_the_limit_are_not_parsed() {
        let mut c = Conf::new("llm/v1/chat", Model::new("openai", Some("m"), Json::Null));
        c.max_request_body_size = Some(100);
        let big = json!({"messages": [{"role": "user", "content": "x".repeat(9000)}]});
        assert_eq!(prepare(&c, &chat(big.clone()), None).unwrap_err().message.as_deref(), Some("request body doesn't contain valid prompts"));
        assert!(prepare(&c, &chat(json!({"messages": [{"role": "user", "content": "x".repeat(500)}]})), None).is_ok());
        c.max_request_body_size = Some(0);
        assert!(prepare(&c, &chat(big), None).is_ok());
    }

    #[test]
    fn bedrock_system_patterns() {
        assert!(bedrock_rejects_system("amazon.titan-text-express-v1"));
        assert!(bedrock_rejects_system("cohere.command-text-v14"));
        assert!(bedrock_rejects_system("mistral.mistral-7b-instruct-v0:2"));
        assert!(!bedrock_rejects_system("anthropic.claude-3-sonnet-20240229-v1:0"));
        assert!(!bedrock_rejects_system("cohere.command-r-v1:0"));
    }
}
