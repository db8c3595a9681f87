//! The upstream request an AI proxy target produces: URL per provider and route type,
//! auth, and the query string (../shared/reference/ai-proxy.md §3).

use std::collections::BTreeMap;

/// A target after template resolution: the strings Kong's driver reads.
#[derive(Clone, Debug, Default)]
pub struct Target {
    pub provider: String,
    pub route_type: String,
    pub model: Option<String>,
    /// `model.options.*` string values, flattened (`bedrock.aws_region`, `gemini.project_id`).
    pub options: BTreeMap<String, String>,
}

/// Where a driver sends the request.
#[derive(Clone, Debug, PartialEq)]
pub struct Upstream {
    pub scheme: String,
    pub host: String,
    pub port: u16,
    pub path: String,
    /// Extra headers the driver sets (not auth).
    pub headers: Vec<(String, String)>,
    /// Query parameters the driver sets (Azure's api-version).
    pub query: Vec<(String, String)>,
}

impl Upstream {
    pub fn default_port(&self) -> bool {
        (self.scheme == "https" && self.port == 443) || (self.scheme == "http" && self.port == 80)
    }

    /// `host` or `host:port` when the port is not the scheme's default (the Host header).
    pub fn authority(&self) -> String {
        if self.default_port() {
            self.host.clone()
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// Path suffix per route type for OpenAI-compatible providers (`/v1` prefixed for OpenAI).
fn openai_operation(route_type: &str) -> Option<&'static str> {
    Some(match route_type {
        "llm/v1/chat" => "/chat/completions",
        "llm/v1/completions" => "/completions",
        "llm/v1/embeddings" => "/embeddings",
        "llm/v1/files" => "/files",
        "llm/v1/batches" => "/batches",
        "llm/v1/assistants" => "/assistants",
        "llm/v1/responses" => "/responses",
        "audio/v1/audio/speech" => "/audio/speech",
        "audio/v1/audio/transcriptions" => "/audio/transcriptions",
        "audio/v1/audio/translations" => "/audio/translations",
        "image/v1/images/generations" => "/images/generations",
        "image/v1/images/edits" => "/images/edits",
        "realtime/v1/realtime" => "/realtime",
        _ => return None,
    })
}

fn one_slash(path: &str) -> String {
    format!("/{}", path.trim_start_matches('/'))
}

/// Builds the upstream for a resolved target. `client_path` is the request path (for
/// `preserve`), `client_query` the client's query parameters. Same as [`build_for`]
/// without streaming.
pub fn build(t: &Target, client_path: &str, client_query: &[(String, String)]) -> Result<Upstream, String> {
    build_for(t, client_path, client_query, false)
}

/// Builds the upstream for a resolved target, for a streamed request when `stream`
/// (Gemini's `:streamGenerateContent`, Bedrock's `/converse-stream`).
///
/// Path rules restated from each driver's `configure_request` in `kong/llm/drivers/*.lua`
/// (Kong/kong @ 22246ef2):
/// * `options.upstream_path` replaces the operation path for openai, anthropic, cohere,
///   mistral and azure (after the deployment prefix) when there is no `upstream_url`, and
///   replaces the path in every case for gemini and bedrock; llama2 and huggingface ignore it;
/// * `options.upstream_url` gives scheme, host, port and path (its query is ignored);
/// * `route_type: preserve` replaces the path with the client's request path unless
///   `upstream_path` is set (`override_upstream_url` in `shared.lua`, called by every driver
///   except huggingface), so with `upstream_url` only its host is used.
pub fn build_for(t: &Target, client_path: &str, client_query: &[(String, String)], stream: bool) -> Result<Upstream, String> {
    let opt = |k: &str| t.options.get(k).filter(|v| !v.is_empty()).cloned();
    let model = t.model.clone().unwrap_or_default();
    let preserve = t.route_type == "preserve";
    let upstream_path = opt("upstream_path");
    let upstream_url = opt("upstream_url");
    let mut up = Upstream { scheme: "https".into(), host: String::new(), port: 443, path: String::new(), headers: Vec::new(), query: Vec::new() };
    let op = openai_operation(&t.route_type);
    // where the driver's operation path is (or `upstream_path` when the driver reads it there)
    let path_or = |default: Option<String>| upstream_path.clone().or(default).unwrap_or_else(|| "/".into());
    // gemini and bedrock: no operation for preserve, so Kong's configure_request fails
    let no_preserve_operation = || {
        format!(
            "Kong's {} driver has no operation for route_type preserve without model.options.upstream_url (configure_request fails: HTTP 500)",
            t.provider
        )
    };
    match t.provider.as_str() {
        "azure" => {
            let instance = opt("azure_instance").ok_or("must set 'model.options.azure_instance' for azure provider")?;
            let deployment = opt("azure_deployment_id").ok_or("must set 'model.options.azure_deployment_id' for azure provider")?;
            up.host = format!("{instance}.openai.azure.com");
            let base = format!("/openai/deployments/{deployment}");
            up.path = match (&upstream_path, t.route_type.as_str()) {
                (Some(p), _) => format!("{base}{}", one_slash(p)),
                (None, "llm/v1/files" | "llm/v1/batches" | "llm/v1/assistants" | "realtime/v1/realtime") => format!("/openai{}", op.unwrap_or("/")),
                (None, "llm/v1/responses") => "/openai/v1/responses".into(),
                (None, _) => format!("{base}{}", op.unwrap_or("/")),
            };
            let version = client_query
                .iter()
                .find(|(k, _)| k == "api-version")
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| opt("azure_api_version").unwrap_or_else(|| "2023-05-15".into()));
            up.query.push(("api-version".into(), version));
            up.headers.push(("Accept-Encoding".into(), "gzip, identity".into()));
        }
        "openai" => {
            up.host = "api.openai.com".into();
            up.path = path_or(op.map(|o| format!("/v1{o}")));
        }
        "anthropic" => {
            up.host = "api.anthropic.com".into();
            up.path = path_or(match t.route_type.as_str() {
                "llm/v1/completions" => Some("/v1/complete".into()),
                "llm/v1/chat" => Some("/v1/messages".into()),
                _ => None,
            });
            if let Some(v) = opt("anthropic_version") {
                up.headers.push(("anthropic-version".into(), v));
            }
        }
        "cohere" => {
            up.host = "api.cohere.com".into();
            up.path = path_or(match t.route_type.as_str() {
                "llm/v1/completions" => Some("/v1/generate".into()),
                "llm/v1/embeddings" => Some("/v2/embed".into()),
                "llm/v1/chat" => Some("/v1/chat".into()),
                _ => None,
            });
        }
        "mistral" => {
            up.host = "api.mistral.ai".into();
            up.path = path_or((!preserve).then(|| format!("/v1{}", op.unwrap_or("/chat/completions"))));
        }
        "gemini" => {
            let verb = if stream { "streamGenerateContent" } else { "generateContent" };
            if preserve && upstream_url.is_none() {
                return Err(no_preserve_operation());
            }
            match (opt("gemini.api_endpoint"), opt("gemini.project_id"), opt("gemini.location_id")) {
                (Some(ep), Some(project), Some(location)) => {
                    up.host = ep;
                    up.path = format!("/v1/projects/{project}/locations/{location}/publishers/google/models/{model}:{verb}");
                }
                _ => {
                    up.host = "generativelanguage.googleapis.com".into();
                    up.path = format!("/v1beta/models/{model}:{verb}");
                }
            }
        }
        "bedrock" => {
            let verb = if stream { "converse-stream" } else { "converse" };
            if preserve && upstream_url.is_none() {
                return Err(no_preserve_operation());
            }
            let region = opt("bedrock.aws_region").ok_or("bedrock needs model.options.bedrock.aws_region (or AWS_REGION on the Kong node)")?;
            up.host = format!("bedrock-runtime.{region}.amazonaws.com");
            up.path = format!("/model/{model}/{verb}");
        }
        "huggingface" => {
            if t.model.is_none() && upstream_url.is_none() {
                // huggingface.lua configure_request: kong.response.exit(400, <this text>)
                return Err("Could not parse the Hugging Face model endponit".into());
            }
            up.host = "api-inference.huggingface.co".into();
            up.path = format!("/models/{model}");
        }
        "cerebras" => {
            up.host = "api.cerebras.ai".into();
            up.path = path_or(Some("/v1/chat/completions".into()));
        }
        "xai" => {
            up.host = "api.x.ai".into();
            up.path = path_or(Some(format!("/v1{}", op.unwrap_or("/chat/completions"))));
        }
        "deepseek" => {
            up.host = "api.deepseek.com".into();
            up.path = path_or(Some("/v1/chat/completions".into()));
        }
        "dashscope" => {
            let intl = opt("dashscope.international").map(|v| v != "false").unwrap_or(true);
            up.host = if intl { "dashscope-intl.aliyuncs.com".into() } else { "dashscope.aliyuncs.com".into() };
            up.path = path_or(Some("/compatible-mode/v1/chat/completions".into()));
        }
        "databricks" => {
            let ws = opt("databricks.workspace_instance_id").ok_or("databricks needs model.options.databricks.workspace_instance_id")?;
            up.host = format!("{ws}.cloud.databricks.com");
            up.path = path_or(Some("/serving-endpoints/v1/chat/completions".into()));
        }
        "llama2" | "ollama" | "vllm" => {
            if upstream_url.is_none() {
                return Err("must set 'model.options.upstream_url' for self-hosted providers/models".into());
            }
        }
        other => return Err(format!("provider '{other}' is not known to the simulator")),
    }
    if let Some(u) = &upstream_url {
        let crate::url::Parts { scheme, host, port, path } = crate::url::split(u)?;
        up.scheme = scheme;
        up.host = host;
        // Kong's drivers default the port to 443 even for http:// URLs without a port
        up.port = port.unwrap_or(443);
        up.path = if path.is_empty() { "/".into() } else { path };
    }
    match t.provider.as_str() {
        // huggingface.lua build_url: the chat suffix is appended to the base (model URL or
        // upstream_url) for every route type but completions, preserve included; the path
        // is used as it is
        "huggingface" => {
            if t.route_type != "llm/v1/completions" {
                let base = if upstream_url.is_some() && up.path == "/" { String::new() } else { up.path.clone() };
                up.path = format!("{base}/v1/chat/completions");
            }
            return Ok(up);
        }
        "gemini" | "bedrock" => {
            if let Some(p) = &upstream_path {
                up.path = p.clone();
            }
        }
        _ => {}
    }
    if preserve && upstream_path.is_none() {
        up.path = client_path.to_string();
    }
    up.path = one_slash(&up.path);
    Ok(up)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(provider: &str, opts: &[(&str, &str)]) -> Target {
        Target {
            provider: provider.into(),
            route_type: "llm/v1/chat".into(),
            model: Some("gpt-4o".into()),
            options: opts.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        }
    }

    // ../shared/reference/ai-proxy.md §3.2 and §6 (worked example)
    #[test]
    fn azure_chat() {
        let up = build(&target("azure", &[("azure_instance", "myinst"), ("azure_deployment_id", "gpt-4o")]), "/x", &[("api-version".into(), "2025-01-01-preview".into())]).unwrap();
        assert_eq!(up.host, "myinst.openai.azure.com");
        assert_eq!(up.path, "/openai/deployments/gpt-4o/chat/completions");
        assert_eq!(up.query, vec![("api-version".to_string(), "2025-01-01-preview".to_string())]);
        let up = build(&target("azure", &[("azure_instance", "i"), ("azure_deployment_id", "d")]), "/x", &[]).unwrap();
        assert_eq!(up.query[0].1, "2023-05-15");
    }

    #[test]
    fn providers() {
        assert_eq!(build(&target("openai", &[]), "/", &[]).unwrap().path, "/v1/chat/completions");
        let a = build(&target("anthropic", &[("anthropic_version", "2023-06-01")]), "/", &[]).unwrap();
        assert_eq!((a.host.as_str(), a.path.as_str()), ("api.anthropic.com", "/v1/messages"));
        assert_eq!(build(&target("cohere", &[]), "/", &[]).unwrap().path, "/v1/chat");
        assert_eq!(build(&target("mistral", &[]), "/", &[]).unwrap().path, "/v1/chat/completions");
        assert_eq!(build(&target("gemini", &[]), "/", &[]).unwrap().path, "/v1beta/models/gpt-4o:generateContent");
        let b = build(&target("bedrock", &[("bedrock.aws_region", "us-east-1")]), "/", &[]).unwrap();
        assert_eq!(b.host, "bedrock-runtime.us-east-1.amazonaws.com");
        assert_eq!(build(&target("huggingface", &[]), "/", &[]).unwrap().path, "/models/gpt-4o/v1/chat/completions");
        let l = build(&target("llama2", &[("upstream_url", "http://ollama:11434/api/chat")]), "/", &[]).unwrap();
        assert_eq!((l.scheme.as_str(), l.host.as_str(), l.port, l.path.as_str()), ("http", "ollama", 11434, "/api/chat"));
        let mut hf = target("huggingface", &[]);
        hf.model = None;
        assert_eq!(build(&hf, "/", &[]).unwrap_err(), "Could not parse the Hugging Face model endponit");
        let u = build(&target("openai", &[("upstream_url", "http://proxy.local/v1/x?ignored=1")]), "/", &[]).unwrap();
        assert_eq!((u.port, u.path.as_str(), u.authority()), (443, "/v1/x", "proxy.local:443".to_string()));
    }
}
