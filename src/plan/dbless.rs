//! Applying a plan to a DB-less gateway (`database = off`): the whole configuration goes in
//! one `POST /config`, built from what the gateway holds with the plan's changes applied, and
//! Kong's flattened errors come back to the entity in the user's file.
//!
//! Kong facts restated (Kong/kong, ../shared/reference/gateway-versions.md §4):
//! - `GET /config` exports the configuration flat: `_format_version: "3.0"`, `_transform:
//!   false`, one list per entity type, foreign keys as plain ids
//!   (`kong/db/declarative/export.lua`, `export_from_db_impl` without `expand_foreigns`).
//! - `_transform: false` means Kong applies no field transformations on load, so a basic-auth
//!   password travels hashed, as the export holds it (`kong/plugins/basic-auth/crypto.lua`:
//!   SHA-1 of password and consumer id).
//! - `POST /config` with `{"config": "<text>"}`: `check_hash=1` answers 304 when the md5 of the
//!   text is the gateway's current hash; only a text body has a hash
//!   (`kong/api/routes/config.lua`, `hydrate_config_from_request`). `flatten_errors=1` adds
//!   `flattened_errors` (`kong/db/errors.lua`, `declarative_config_flattened`).

use super::normalize::hash_basic_auth_password;
use super::{Action, Plan};
use crate::source::Loc;
use serde_json::{Map, Value as Json};

/// Keys of a declarative document that are not entity collections.
const META: &[&str] = &["_format_version", "_transform", "_workspace", "_comment"];

/// Foreign keys as the flat format writes them: `{"id": X}` becomes `X`.
fn flatten_foreign_keys(kind: &str, body: &mut Map<String, Json>) {
    let Some(k) = crate::model::kinds::kind(kind) else { return };
    for (field, _) in k.foreign {
        if let Some(id) = body.get(*field).and_then(|f| f.get("id")).and_then(Json::as_str).map(String::from) {
            body.insert(field.to_string(), Json::String(id));
        }
    }
}

/// The entity's foreign key `field` as an id, in either form.
fn foreign(body: &Json, field: &str) -> Option<String> {
    match body.get(field)? {
        Json::String(s) => Some(s.clone()),
        other => other.get("id").and_then(Json::as_str).map(String::from),
    }
}

/// The key of a kind in Kong's declarative format: its DAO name, which is the decK collection
/// name except for the GraphQL cost decorations, whose DAO is
/// `graphql_ratelimiting_advanced_cost_decoration` (the graphql-rate-limiting-advanced plugin's
/// daos.lua, as `/endpoints` of Kong Enterprise lists it).
fn declarative_key(kind: &str) -> &str {
    match kind {
        "graphql_ratelimiting_cost_decorations" => "graphql_ratelimiting_advanced_cost_decoration",
        other => other,
    }
}

/// Whether `e` is the entity a change with `kind` and `id` is about. Memberships have no id of
/// their own: the plan calls them `group:consumer`.
fn is(kind: &str, id: &str, e: &Json) -> bool {
    if kind == "consumer_group_consumers" {
        let (g, c) = id.split_once(':').unwrap_or((id, ""));
        return foreign(e, "consumer_group").as_deref() == Some(g) && foreign(e, "consumer").as_deref() == Some(c);
    }
    e.get("id").and_then(Json::as_str) == Some(id)
}

/// The document to post: `base` (the gateway's configuration as `GET /config` exports it, or
/// `None` for an empty gateway) with every change of `plan` applied, in Kong's flat form.
pub fn document(base: Option<&Json>, plan: &Plan) -> Json {
    let mut doc: Map<String, Json> = base.and_then(Json::as_object).cloned().unwrap_or_default();
    doc.insert("_format_version".into(), Json::String("3.0".into()));
    // values from the export are stored values (hashed passwords): load them as they are
    doc.insert("_transform".into(), Json::Bool(false));
    for c in &plan.changes {
        let list = doc.entry(declarative_key(c.kind).to_string()).or_insert_with(|| Json::Array(Vec::new()));
        if !list.is_array() {
            *list = Json::Array(Vec::new());
        }
        let Json::Array(items) = list else { continue };
        let at = items.iter().position(|e| is(c.kind, &c.id, e));
        match c.action {
            Action::Delete => {
                if let Some(i) = at {
                    items.remove(i);
                }
            }
            Action::Create | Action::Update => {
                let mut body = c.body.clone().unwrap_or(Json::Object(Map::new()));
                if c.kind == "basicauth_credentials" {
                    // the plan carries the password as typed; with `_transform: false` Kong
                    // stores what it is given, so send the hash Kong would have made
                    hash_basic_auth_password(&mut body);
                }
                let Json::Object(mut m) = body else { continue };
                // the flat format lists SNIs as entities of their own
                if c.kind == "certificates" {
                    m.remove("snis");
                }
                if c.kind == "consumer_group_consumers" {
                    m.remove("id");
                } else {
                    m.insert("id".into(), Json::String(c.id.clone()));
                }
                flatten_foreign_keys(c.kind, &mut m);
                // the body is complete (what a PUT would send); keep stored timestamps
                if let Some(old) = at.and_then(|i| items[i].as_object()) {
                    for f in ["created_at"] {
                        if let Some(v) = old.get(f) {
                            m.entry(f.to_string()).or_insert_with(|| v.clone());
                        }
                    }
                }
                match at {
                    Some(i) => items[i] = Json::Object(m),
                    None => items.push(Json::Object(m)),
                }
            }
        }
    }
    // empty collections say nothing: leave them out, so that equal configs have equal text
    doc.retain(|k, v| META.contains(&k.as_str()) || v.as_array().is_none_or(|a| !a.is_empty()));
    Json::Object(doc)
}

/// One error of Kong's `flattened_errors`, tied back to the change it is about.
#[derive(Clone, Debug, PartialEq)]
pub struct EntityError {
    /// Where the config says the entity, when it is one the plan writes.
    pub at: Option<Loc>,
    /// `services/billing` (the plan's label), or what Kong says of an entity the config
    /// does not hold (`routes old-route (id ...), already on the gateway`).
    pub entity: String,
    pub message: String,
}

/// The `entity_type` Kong's flattened errors give a collection: one trailing `s` dropped
/// (`kong/db/errors.lua`, `singular`): `services` is `service`, `acls` is `acl`.
fn singular(kind: &str) -> &str {
    kind.strip_suffix('s').unwrap_or(kind)
}

/// Kong's 400 answer to `POST /config?flatten_errors=1`, as errors at the plan's entities.
pub fn map_errors(answer: &Json, plan: &Plan) -> Vec<EntityError> {
    let Some(list) = answer.get("flattened_errors").and_then(Json::as_array) else {
        let message = answer.get("message").and_then(Json::as_str).map(String::from).unwrap_or_else(|| answer.to_string());
        return vec![EntityError { at: None, entity: "the configuration".into(), message }];
    };
    let mut out = Vec::new();
    for item in list {
        let kind = item.get("entity_type").and_then(Json::as_str).unwrap_or("entity");
        let id = item.get("entity_id").and_then(Json::as_str).or_else(|| item.pointer("/entity/id").and_then(Json::as_str));
        let of_kind = |c: &&super::Change| singular(declarative_key(c.kind)) == kind && c.action != Action::Delete;
        let change = id.and_then(|id| plan.changes.iter().filter(of_kind).find(|c| c.id == id)).or_else(|| {
            item.get("entity")
                .filter(|_| kind == "consumer_group_consumer")
                .and_then(|e| plan.changes.iter().filter(of_kind).find(|c| is(c.kind, &c.id, e)))
        });
        let (at, entity) = match change {
            Some(c) => (c.at, c.name.clone()),
            None => {
                let name = item.get("entity_name").and_then(Json::as_str).map(|n| format!(" {n}")).unwrap_or_default();
                (None, format!("{kind}{name} (id {}), already on the gateway", id.unwrap_or("?")))
            }
        };
        let errors = item.get("errors").and_then(Json::as_array).cloned().unwrap_or_default();
        if errors.is_empty() {
            out.push(EntityError { at, entity: entity.clone(), message: "invalid".into() });
        }
        for e in errors {
            let message = e.get("message").and_then(Json::as_str).unwrap_or("invalid");
            let message = match e.get("field").and_then(Json::as_str) {
                Some(f) if e.get("type").and_then(Json::as_str) == Some("field") => format!("{f}: {message}"),
                _ => message.to_string(),
            };
            out.push(EntityError { at, entity: entity.clone(), message });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::test_support::plan_of;
    use super::super::Current;
    use super::*;
    use serde_json::json;

    const SVC: &str = "11111111-1111-4111-8111-111111111111";

    #[test]
    fn the_document_is_the_export_with_the_plan_applied_in_flat_form() {
        // export.lua: flat lists, foreign keys as ids, `_transform: false`
        let base = json!({"_format_version": "3.0", "_transform": false,
            "services": [{"id": SVC, "name": "other-team", "host": "o", "tags": ["team-b"]}]});
        let yaml = "_format_version: '3.0'\n_info: {select_tags: [team-a]}\nservices:\n- name: mine\n  host: h\n  routes:\n  - name: r\n    paths: [/x]\n";
        let plan = plan_of(yaml, &[]);
        let doc = document(Some(&base), &plan);
        let services = doc["services"].as_array().unwrap();
        assert_eq!(services.len(), 2, "the other team's service is kept: {doc}");
        assert_eq!(services[0]["name"], "other-team");
        let mine = services.iter().find(|s| s["name"] == "mine").unwrap();
        let route = &doc["routes"][0];
        assert_eq!(route["service"], mine["id"], "foreign keys are plain ids: {doc}");
        assert_eq!(doc["_transform"], false);
        // the same config gives the same text: ids are derived, not random
        assert_eq!(serde_json::to_string(&doc).unwrap(), serde_json::to_string(&document(Some(&base), &plan_of(yaml, &[]))).unwrap());
    }

    #[test]
    fn deletes_and_updates_replace_by_id() {
        let current = [Current { kind: "services", body: json!({"id": SVC, "name": "s", "host": "old", "created_at": 7}) }];
        let base = json!({"_format_version": "3.0", "services": [{"id": SVC, "name": "s", "host": "old", "created_at": 7}],
            "consumers": [{"id": "22222222-2222-4222-8222-222222222222", "username": "gone"}]});
        let current = [current[0].clone(), Current { kind: "consumers", body: base["consumers"][0].clone() }];
        let plan = plan_of("_format_version: '3.0'\nservices:\n- name: s\n  host: new\n", &current);
        let doc = document(Some(&base), &plan);
        assert_eq!(doc["services"][0]["host"], "new");
        assert_eq!(doc["services"][0]["id"], SVC);
        assert_eq!(doc["services"][0]["created_at"], 7);
        assert!(doc.get("consumers").is_none(), "deleted, and the empty list left out: {doc}");
    }

    #[test]
    fn cost_decorations_go_under_their_dao_name() {
        let yaml = "_format_version: '3.0'\nservices:\n- {name: graph, host: h}\ncustom_entities:\n- type: graphql_ratelimiting_cost_decorations\n  fields: {service: {name: graph}, type_path: Query.users}\n";
        let doc = document(None, &plan_of(yaml, &[]));
        let deco = &doc["graphql_ratelimiting_advanced_cost_decoration"][0];
        assert_eq!(deco["type_path"], "Query.users", "{doc}");
        assert_eq!(deco["service"], doc["services"][0]["id"], "a plain id: {doc}");
        assert!(doc.get("graphql_ratelimiting_cost_decorations").is_none(), "{doc}");
    }

    #[test]
    fn basic_auth_passwords_travel_hashed() {
        let plan = plan_of("_format_version: '3.0'\nconsumers:\n- username: u\n  basicauth_credentials:\n  - {username: u1, password: pw}\n", &[]);
        let doc = document(None, &plan);
        let cred = &doc["basicauth_credentials"][0];
        let consumer = doc["consumers"][0]["id"].as_str().unwrap();
        assert_eq!(cred["consumer"], consumer);
        assert_eq!(cred["password"], sha1_smol::Sha1::from(format!("pw{consumer}")).digest().to_string());
    }

    #[test]
    fn flattened_errors_point_at_the_users_file() {
        // kong/db/errors.lua declarative_config_flattened: one entry per entity (its type in the
        // singular), field and entity errors
        let yaml = "_format_version: '3.0'\nservices:\n- name: s\n  host: h\n  port: 80\n";
        let plan = plan_of(yaml, &[]);
        let id = plan.changes[0].id.clone();
        let answer = json!({"code": 14, "name": "invalid declarative configuration", "flattened_errors": [
            {"entity_type": "service", "entity_id": id, "entity_name": "s", "entity": {}, "errors": [
                {"type": "field", "field": "port", "message": "value should be between 0 and 65535"},
                {"type": "entity", "message": "failed conditional validation"}]},
            {"entity_type": "route", "entity_id": "33333333-3333-4333-8333-333333333333", "entity_name": "old", "entity": {}, "errors": [
                {"type": "entity", "message": "must set one of 'methods', 'hosts', 'headers', 'paths', 'snis'"}]}]});
        let errors = map_errors(&answer, &plan);
        assert_eq!(errors.len(), 3);
        assert_eq!(errors[0].at.map(|l| l.line), Some(3));
        assert_eq!(errors[0].entity, "services/s");
        assert_eq!(errors[0].message, "port: value should be between 0 and 65535");
        assert_eq!(errors[1].message, "failed conditional validation");
        assert_eq!(errors[2].at, None);
        assert!(errors[2].entity.contains("route old") && errors[2].entity.contains("already on the gateway"), "{:?}", errors[2]);
    }
}
