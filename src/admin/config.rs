//! The `/config` endpoint of a DB-less gateway: read the whole configuration, replace it.
//! (`kong/api/routes/config.lua`; ../shared/reference/gateway-versions.md §4.)

use super::{ApiError, Client};
use crate::yaml::Origin;
use reqwest::Method;
use serde_json::Value as Json;

/// What `POST /config` did.
#[derive(Debug)]
pub enum Posted {
    /// 201: the gateway loaded the configuration.
    Loaded,
    /// 304 (`check_hash=1`): the gateway already runs exactly this text.
    Unchanged,
    /// 400: Kong's answer, with `flattened_errors`.
    Invalid(Json),
}

/// `GET /config`: the configuration a DB-less gateway runs, as a JSON value (Kong answers
/// `{"config": "<yaml>"}`). `None` when the gateway runs no configuration yet.
pub fn get(client: &Client) -> Result<Option<Json>, ApiError> {
    let answer = client.call(Method::GET, "/config", None)?;
    let Some(text) = answer.get("config").and_then(Json::as_str) else {
        return Err(ApiError { status: None, message: "GET /config: the answer has no `config` text; is this a DB-less Kong?".into() });
    };
    let node = crate::yaml::parse(text, Origin::default()).map_err(|e| ApiError { status: None, message: format!("GET /config: the configuration text does not parse: {}", e.message) })?;
    Ok(node.map(|n| n.to_json(false)))
}

/// `POST /config?flatten_errors=1&check_hash=1` with `document` as text (only a text body has
/// a hash Kong can compare).
pub fn post(client: &Client, document: &Json) -> Result<Posted, ApiError> {
    let text = serde_json::to_string(document).map_err(|e| ApiError { status: None, message: format!("encoding the configuration: {e}") })?;
    let body = serde_json::json!({ "config": text });
    // Kong answers once the whole configuration is loaded: give it time (a retry after a
    // time-out is safe, `check_hash` answers 304 when the first attempt landed)
    let (status, answer) = client.send_patiently(Method::POST, "/config?flatten_errors=1&check_hash=1", Some(&body), std::time::Duration::from_secs(120))?;
    match status.as_u16() {
        200..=299 => Ok(Posted::Loaded),
        304 => Ok(Posted::Unchanged),
        400 if answer.get("flattened_errors").is_some() || answer.get("fields").is_some() => Ok(Posted::Invalid(answer)),
        s => {
            let kong = answer.get("message").and_then(Json::as_str).map(String::from).unwrap_or_else(|| answer.to_string());
            Err(ApiError { status: Some(s), message: format!("POST /config: {kong}") })
        }
    }
}
