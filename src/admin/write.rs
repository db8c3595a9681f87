//! Writing a plan to a gateway: one idempotent request per change, phase by phase with
//! bounded parallelism (database mode), or the whole configuration in one `POST /config`
//! (DB-less). The Admin API paths per kind are here; what to write is the plan's.

use super::config::Posted;
use super::{ApiError, Client};
use crate::model::kinds;
use crate::plan::{dbless, Action, Change, Plan};
use crate::source::Loc;
use reqwest::Method;
use serde::Serialize;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Applied,
    Failed,
    NotAttempted,
}

#[derive(Clone, Debug, Serialize)]
pub struct WriteResult {
    pub status: Status,
    pub error: Option<String>,
}

/// A write that failed, at the entity of the config it is about when that is known.
pub struct WriteError {
    pub at: Option<Loc>,
    pub message: String,
}

/// What writing a plan did: a result per change (in plan order), the errors, and for a
/// DB-less gateway how the configuration went.
pub struct Written {
    pub results: Vec<WriteResult>,
    pub errors: Vec<WriteError>,
    pub how: Option<String>,
}

impl Written {
    fn new(results: Vec<WriteResult>, errors: Vec<WriteError>, how: &str) -> Written {
        Written { results, errors, how: Some(how.to_string()) }
    }

    pub fn count(&self, status: Status) -> usize {
        self.results.iter().filter(|r| r.status == status).count()
    }
}

/// A DB-less gateway: the configuration it runs, with the plan applied, in one
/// `POST /config`; Kong's flattened errors come back at the entities of the user's file.
/// All or nothing: Kong loads the whole document or none of it.
pub fn post_config(client: &Client, plan: &Plan, progress: &dyn Fn(&str)) -> Written {
    let plain = |message: String| vec![WriteError { at: None, message }];
    let n = plan.changes.len();
    let all = |status: Status| vec![WriteResult { status, error: None }; n];
    let base = match super::config::get(client) {
        Ok(b) => b,
        Err(e) => return Written::new(all(Status::NotAttempted), plain(format!("reading the DB-less configuration: {e}")), "DB-less: nothing posted"),
    };
    let document = dbless::document(base.as_ref(), plan);
    progress(&format!("posting the whole configuration to {}/config (DB-less)\n", client.addr()));
    match super::config::post(client, &document) {
        Ok(Posted::Loaded) => Written::new(all(Status::Applied), Vec::new(), "DB-less: one POST /config"),
        Ok(Posted::Unchanged) => Written::new(all(Status::Applied), Vec::new(), "DB-less: the gateway already runs this configuration (POST /config answered 304)"),
        Ok(Posted::Invalid(answer)) => {
            let errors = dbless::map_errors(&answer, plan);
            let mut results = all(Status::NotAttempted);
            for (i, c) in plan.changes.iter().enumerate() {
                if errors.iter().any(|e| e.at.is_some() && e.entity == c.name) {
                    results[i] = WriteResult { status: Status::Failed, error: Some("refused by Kong".into()) };
                }
            }
            let lines = errors.into_iter().map(|e| WriteError { at: e.at, message: format!("{}: {}", e.entity, e.message) }).collect();
            Written::new(results, lines, "DB-less: POST /config refused, nothing changed")
        }
        Err(e) => Written::new(all(Status::NotAttempted), plain(e.to_string()), "DB-less: POST /config failed, nothing changed"),
    }
}

fn action_word(a: Action) -> &'static str {
    match a {
        Action::Create => "create",
        Action::Update => "update",
        Action::Delete => "delete",
    }
}

/// Runs the plan phase by phase; inside a phase up to `parallelism` requests at once.
/// After a failure no new request is started. `progress` hears of every 25th write.
pub fn execute(plan: &Plan, client: &Client, parallelism: usize, progress: &(dyn Fn(&str) + Sync)) -> Written {
    let results: Mutex<Vec<WriteResult>> = Mutex::new(vec![WriteResult { status: Status::NotAttempted, error: None }; plan.changes.len()]);
    let stop = AtomicBool::new(false);
    let done = AtomicUsize::new(0);
    let total = plan.changes.len();
    for phase in plan.phases() {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let next = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..parallelism.min(phase.len()).max(1) {
                s.spawn(|| loop {
                    if stop.load(Ordering::SeqCst) {
                        return;
                    }
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(&at) = phase.get(i) else { return };
                    let change = &plan.changes[at];
                    let outcome = match apply(client, change) {
                        Ok(()) => WriteResult { status: Status::Applied, error: None },
                        Err(e) => {
                            stop.store(true, Ordering::SeqCst);
                            WriteResult { status: Status::Failed, error: Some(e.to_string()) }
                        }
                    };
                    results.lock().unwrap_or_else(|e| e.into_inner())[at] = outcome;
                    let n = done.fetch_add(1, Ordering::SeqCst) + 1;
                    if n.is_multiple_of(25) || n == total {
                        progress(&format!("\rsyncing: {n}/{total}{}", if n == total { "\n" } else { "" }));
                    }
                });
            }
        });
    }
    let results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    let errors = plan
        .changes
        .iter()
        .zip(&results)
        .filter_map(|(c, r)| r.error.as_ref().map(|e| WriteError { at: None, message: format!("{} {}: {e}", action_word(c.action), c.name) }))
        .collect();
    Written { results, errors, how: None }
}

fn apply(client: &Client, c: &Change) -> Result<(), ApiError> {
    let kind = kinds::kind(c.kind).expect("planned kinds are known");
    let target_base = || format!("/upstreams/{}/targets", c.parent.clone().unwrap_or_default());
    let member = |field: &str| c.body.as_ref().and_then(|b| b.get(field)).and_then(|f| f.get("id")).and_then(serde_json::Value::as_str).map(String::from);
    match (c.action, c.kind) {
        (Action::Delete, "consumer_group_consumers") => {
            let (group, consumer) = c.id.split_once(':').unwrap_or((&c.id, ""));
            client.call(Method::DELETE, &format!("/consumer_groups/{group}/consumers/{consumer}"), None).map(drop)
        }
        (_, "consumer_group_consumers") => {
            let group = member("consumer_group").unwrap_or_default();
            let body = serde_json::json!({ "consumer": member("consumer").unwrap_or_default() });
            match client.call(Method::POST, &format!("/consumer_groups/{group}/consumers"), Some(&body)) {
                // a retried POST whose first attempt landed
                Err(e) if e.status == Some(409) => Ok(()),
                other => other.map(drop),
            }
        }
        (_, "rbac_endpoint_permissions") => apply_endpoint_permission(client, c),
        (_, "degraphql_routes") => {
            let base = format!("/services/{}/degraphql/routes", c.parent.clone().unwrap_or_default());
            let one = format!("{base}/{}", c.id);
            match c.action {
                Action::Delete => client.call(Method::DELETE, &one, None).map(drop),
                Action::Update => client.call(Method::PATCH, &one, c.body.as_ref()).map(drop),
                Action::Create => match client.call(Method::POST, &base, c.body.as_ref()) {
                    Ok(_) => Ok(()),
                    // a retried POST whose first attempt landed: the route is there already
                    Err(e) if matches!(e.status, Some(400 | 409)) => client.call(Method::GET, &one, None).map(drop).map_err(|_| e),
                    Err(e) => Err(e),
                },
            }
        }
        // GDR pkg/types/graphql_ratelimiting_cost_decoration.go: created and updated under the
        // service with go-kong `CreateForService`/`UpdateForService`, a PUT of
        // /services/{service}/graphql-rate-limiting-advanced/costs/{id} (the id is always set),
        // deleted with `Delete`, /graphql-rate-limiting-advanced/costs/{id} (go-kong
        // kong/graphql_rate_limiting_cost_decoration_service.go); a PUT is safe to retry
        (Action::Create | Action::Update, "graphql_ratelimiting_cost_decorations") => {
            let one = format!("/services/{}/graphql-rate-limiting-advanced/costs/{}", c.parent.clone().unwrap_or_default(), c.id);
            client.call(Method::PUT, &one, c.body.as_ref()).map(drop)
        }
        (Action::Delete, "targets") => client.call(Method::DELETE, &format!("{}/{}", target_base(), c.id), None).map(drop),
        (Action::Delete, _) => client.call(Method::DELETE, &format!("{}/{}", kind.path, c.id), None).map(drop),
        (Action::Create, "targets") => {
            match client.call(Method::POST, &target_base(), c.body.as_ref()) {
                Ok(_) => Ok(()),
                // a retried POST whose first attempt landed: the target is there already
                Err(e) if matches!(e.status, Some(400 | 409)) => {
                    client.call(Method::GET, &format!("{}/{}", target_base(), c.id), None).map(drop).map_err(|_| e)
                }
                Err(e) => Err(e),
            }
        }
        (_, "targets") => client.call(Method::PUT, &format!("{}/{}", target_base(), c.id), c.body.as_ref()).map(drop),
        _ => client.call(Method::PUT, &format!("{}/{}", kind.path, c.id), c.body.as_ref()).map(drop),
    }
}

/// RBAC endpoint permissions live under their role, addressed by workspace and endpoint
/// (go-kong kong/endpoint_permission_service.go); `actions` travel as one comma-separated string.
fn apply_endpoint_permission(client: &Client, c: &Change) -> Result<(), ApiError> {
    let mut parts = c.id.splitn(3, '|');
    let (role, workspace, endpoint) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let endpoint = if endpoint.starts_with('/') { endpoint.to_string() } else { format!("/{endpoint}") };
    let one = format!("/rbac/roles/{role}/endpoints/{workspace}{endpoint}");
    let body = c.body.as_ref().map(|b| {
        let mut b = b.clone();
        if let Some(serde_json::Value::Array(actions)) = b.get("actions") {
            let joined: Vec<&str> = actions.iter().filter_map(serde_json::Value::as_str).collect();
            b["actions"] = serde_json::Value::String(joined.join(","));
        }
        if let serde_json::Value::Object(m) = &mut b {
            m.remove("role");
            m.remove("id");
        }
        b
    });
    match c.action {
        Action::Delete => client.call(Method::DELETE, &one, None).map(drop),
        Action::Update => client.call(Method::PATCH, &one, body.as_ref()).map(drop),
        Action::Create => match client.call(Method::POST, &format!("/rbac/roles/{role}/endpoints"), body.as_ref()) {
            // a retried POST whose first attempt landed
            Err(e) if e.status == Some(409) => client.call(Method::PATCH, &one, body.as_ref()).map(drop),
            other => other.map(drop),
        },
    }
}
