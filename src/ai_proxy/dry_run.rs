//! One request through the AI proxy without a provider: Kong's checks and upstream body
//! ([`super::request`]), a simulated provider answer, and what Kong returns to the client
//! ([`super::response`], [`super::stream`]). This is what a dry-run listener answers.

use serde_json::{Map, Value as Json};

use super::request::{self, Body, Conf, KongError, Model, Prepared};
use super::{response, stream};

/// The client's side of a simulated exchange.
#[derive(Clone, Debug, PartialEq)]
pub struct DryRun {
    /// What Kong sends upstream (and the model and streaming mode it settled on).
    pub prepared: Prepared,
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
    /// `X-Kong-LLM-Model: <provider>/<model>`, which Kong adds when `model_name_header`
    /// is on (the default) and the answer is a 200 (`normalize-json-response.lua`).
    pub model_header: Option<String>,
}

impl Model {
    /// Reads a `model` record (as JSON: `provider`, `name`, `options`) after its templates
    /// are resolved with [`request::resolve_model`].
    pub fn from_record(record: &Json) -> Model {
        let s = |k: &str| record.get(k).and_then(Json::as_str);
        Model::new(s("provider").unwrap_or(""), s("name"), record.get("options").cloned().unwrap_or(Json::Null))
    }
}

/// The dry-run answer to `raw` (sent with `content_type`): Kong's refusal, or the
/// simulated provider answer as Kong relays it.
pub fn dry_run(conf: &Conf, raw: &[u8], content_type: Option<&str>) -> Result<DryRun, KongError> {
    let prepared = request::prepare(conf, raw, content_type)?;
    let mut model = conf.model.clone();
    model.name = prepared.model.clone();
    let sent = match &prepared.body {
        Body::Json(j) => j.clone(),
        Body::Unchanged => serde_json::from_slice::<Json>(raw).ok().filter(Json::is_object).unwrap_or_else(|| Json::Object(Map::new())),
    };
    let route_type = conf.route_type.as_str();
    let (status, content_type, body) = if prepared.stream {
        let body = if route_type == "preserve" {
            // Kong relays a preserve stream untouched
            stream::mock_provider_events(&model, route_type, &sent).iter().map(|e| format!("data: {}\n\n", e.data)).collect()
        } else {
            stream::simulated_client_stream(&model, route_type, &sent)
        };
        (200, stream::CLIENT_CONTENT_TYPE, body)
    } else {
        let r = response::simulated_client_response(&model, route_type, &sent);
        (r.status, "application/json", r.body)
    };
    let model_header = (status == 200).then(|| prepared.model.as_ref().map(|m| format!("{}/{m}", conf.model.provider))).flatten();
    Ok(DryRun { prepared, status, content_type, body, model_header })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sdk_style_exchange() {
        let record = json!({"provider": "azure", "name": "gpt-4o", "options": {"azure_instance": "i", "azure_deployment_id": "gpt-4o", "max_tokens": 64}});
        let conf = Conf::new("llm/v1/chat", Model::from_record(&record));
        let body = json!({"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}).to_string();
        let r = dry_run(&conf, body.as_bytes(), Some("application/json")).unwrap();
        assert_eq!((r.status, r.content_type, r.model_header.as_deref()), (200, "application/json", Some("azure/gpt-4o")));
        let answer: Json = serde_json::from_str(&r.body).unwrap();
        assert_eq!(answer["model"], "gpt-4o");
        let Body::Json(sent) = &r.prepared.body else { panic!() };
        assert_eq!(sent["max_tokens"], 64);

        let stream_body = json!({"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}], "stream": true}).to_string();
        let r = dry_run(&conf, stream_body.as_bytes(), None).unwrap();
        assert_eq!(r.content_type, "text/event-stream");
        assert!(r.body.ends_with("data: [DONE]"));

        let e = dry_run(&conf, b"{}", None).unwrap_err();
        assert_eq!(e.body().unwrap(), json!({"error": {"message": "request body doesn't contain valid prompts"}}));
    }
}
