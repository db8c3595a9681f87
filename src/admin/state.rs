//! Reading a gateway's current entities (every managed kind it serves, in parallel, paged).

use crate::model::kinds::{self, Kind, KINDS};
use super::{ApiError, Client};
use crate::capabilities::{availability, Availability, GatewayInfo};
use crate::plan::Current;
use serde_json::Value as Json;

/// Every entity of the top-level `kinds` this gateway serves (and of the kinds nested under
/// them: targets, memberships, RBAC endpoint permissions), filtered by `tags` (all must
/// match). Kinds `info` says the gateway does not serve are not asked for; kinds it says
/// nothing about are read with decK's per-kind tolerance.
pub fn fetch(client: &Client, info: &GatewayInfo, tags: &[String], kinds: &[&str]) -> Result<Vec<Current>, ApiError> {
    const NESTED: &[&str] = &["targets", "consumer_group_consumers", "rbac_endpoint_permissions"];
    let top: Vec<(&'static Kind, bool)> = KINDS
        .iter()
        .filter(|k| kinds.contains(&k.key) && !NESTED.contains(&k.key))
        .filter_map(|k| match availability(k, info) {
            Availability::Yes => Some((k, false)),
            Availability::Unknown => Some((k, true)),
            Availability::No(_) => None,
        })
        .collect();
    let results: Vec<(&'static Kind, Result<Vec<Json>, ApiError>)> = std::thread::scope(|s| {
        let handles: Vec<_> = top
            .iter()
            .map(|&(k, tolerant)| s.spawn(move || (k, list_kind(client, k, tags, tolerant))))
            .collect();
        handles.into_iter().map(|h| h.join().expect("fetch thread")).collect()
    });
    let mut out = Vec::new();
    let mut upstream_ids = Vec::new();
    let mut group_ids = Vec::new();
    let mut role_ids = Vec::new();
    for (kind, r) in results {
        for body in r? {
            let id = body.get("id").and_then(Json::as_str).map(String::from);
            match (kind.key, id) {
                ("upstreams", Some(id)) => upstream_ids.push(id),
                ("consumer_groups", Some(id)) => group_ids.push(id),
                // a role Kong made for one admin or user is theirs, not the config's
                ("rbac_roles", _) if body.get("is_default").and_then(Json::as_bool) == Some(true) => continue,
                ("rbac_roles", Some(id)) => role_ids.push(id),
                _ => {}
            }
            out.push(Current { kind: kind.key, body });
        }
    }
    let targets = kinds::kind("targets").expect("targets kind");
    for up in upstream_ids {
        // nested listings ignore tags on Kong, so filter here
        for body in client.list(&format!("/upstreams/{up}/targets"), &[])? {
            if has_tags(&body, tags) {
                out.push(Current { kind: targets.key, body });
            }
        }
    }
    // memberships: the consumers listed under each group (Kong Enterprise)
    for group in group_ids {
        for consumer in client.list(&format!("/consumer_groups/{group}/consumers"), &[])? {
            let c = consumer.get("consumer").unwrap_or(&consumer);
            let Some(cid) = c.get("id").and_then(Json::as_str) else { continue };
            let body = serde_json::json!({
                "id": format!("{group}:{cid}"),
                "consumer_group": { "id": group },
                "consumer": { "id": cid },
            });
            out.push(Current { kind: "consumer_group_consumers", body });
        }
    }
    // RBAC endpoint permissions: listed under each role; keyed by role, workspace and endpoint
    for role in role_ids {
        for mut body in client.list(&format!("/rbac/roles/{role}/endpoints"), &[])? {
            let key = format!("{role}|{}|{}", body.get("workspace").and_then(Json::as_str).unwrap_or(""), body.get("endpoint").and_then(Json::as_str).unwrap_or(""));
            body["id"] = Json::String(key);
            body["role"] = serde_json::json!({ "id": role });
            out.push(Current { kind: "rbac_endpoint_permissions", body });
        }
    }
    Ok(out)
}

fn list_kind(client: &Client, kind: &Kind, tags: &[String], tolerant: bool) -> Result<Vec<Json>, ApiError> {
    let tags = if kind.tagged { tags } else { &[] };
    match client.list(kind.path, tags) {
        Err(ApiError { status: Some(status), .. }) if tolerant && tolerated(kind.key).contains(&status) => Ok(Vec::new()),
        other => other,
    }
}

/// The answers that mean "this gateway has none of these", per kind, for a gateway that did
/// not say whether it serves them: decK's choices (go-database-reconciler pkg/dump/dump.go).
fn tolerated(kind: &str) -> &'static [u16] {
    match kind {
        "filter_chains" => &[404, 400],
        "keys" | "key_sets" | "vaults" | "partials" | "consumer_groups" | "cloned_plugins" | "custom_plugins" | "mtls_auth_credentials" => &[404, 403],
        "licenses" | "ai_models" | "degraphql_routes" | "rbac_roles" | "ca_certificates" => &[404],
        // GDR pkg/dump/dump.go `GetAllCustomEntitiesWithType`, which reads custom entities,
        // passes over 404 and 403 (the plugin not loaded, or not allowed)
        "graphql_ratelimiting_cost_decorations" => &[404, 403],
        k if crate::capabilities::owning_plugin(k).is_some() => &[404],
        _ => &[],
    }
}

fn has_tags(body: &Json, tags: &[String]) -> bool {
    let have: Vec<&str> = body.get("tags").and_then(Json::as_array).map(|a| a.iter().filter_map(Json::as_str).collect()).unwrap_or_default();
    tags.iter().all(|t| have.contains(&t.as_str()))
}
