//! `gateway sync`, `apply` and `reset`: plan, then write in dependency order with bounded
//! parallelism, or on a DB-less gateway in one `POST /config`.
#![allow(clippy::print_stderr)]

use super::connect::{self, Mode};
use super::{diff, Context, Outcome};
use crate::admin::{self, config::Posted, ApiError, Client};
use crate::model::kinds;
use crate::cli::{Output, PlanArgs, ResetArgs, SyncArgs};
use crate::exit::Exit;
use crate::plan::{self, Action, Change, Plan};
use reqwest::Method;
use serde::Serialize;
use std::fmt::Write as _;
use std::io::{BufRead, IsTerminal, Write};
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
pub struct Outcome1 {
    pub status: Status,
    pub error: Option<String>,
}

/// `gateway reset`: a plan with nothing wanted, run like sync.
pub fn reset(args: ResetArgs, ctx: &Context) -> anyhow::Result<Outcome> {
    let sync = SyncArgs {
        conn: args.conn,
        write: args.write,
        target: PlanArgs { configs: Vec::new(), select_tags: args.select_tags, rbac_resources_only: args.rbac_resources_only, bundled_schemas: true, show_secrets: args.show_secrets },
    };
    run(&sync, ctx, Mode::Reset)
}

/// `sync`, `apply` and `reset`: plan, confirm, write (one request per change, or on a
/// DB-less gateway one `POST /config`), report.
pub fn run(args: &SyncArgs, ctx: &Context, mode: Mode) -> anyhow::Result<Outcome> {
    let planned = match connect::plan(&args.target, &args.conn, ctx, mode)? {
        Ok(p) => p,
        Err(o) => return Ok(o),
    };
    let mask = |t: &str| planned.mask(t);
    let plan_text = diff::text(&planned.plan, ctx.color_out);
    if args.write.dry_run || planned.plan.is_empty() {
        let stdout = match args.write.output {
            Output::Json => serde_json::to_string_pretty(&plan::to_json(&planned.plan, &[]))? + "\n",
            Output::Text => plan_text,
        };
        return Ok(Outcome { stdout: mask(&stdout), stderr: planned.notes_text(), ..Default::default() });
    }
    eprint!("{}", planned.notes_text());
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    if interactive && !args.write.yes {
        eprint!("{}", mask(&plan_text));
        eprint!("Apply these {} changes to {}? [y/N] ", planned.plan.changes.len(), planned.client.addr());
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        let _ = std::io::stdin().lock().read_line(&mut answer);
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            return Ok(Outcome { stderr: "nothing applied\n".into(), code: Some(Exit::Failure), ..Default::default() });
        }
    } else if mode == Mode::Reset && !args.write.yes {
        let stderr = format!(
            "{}error: reset would delete {} entities from {} and cannot ask here (no terminal): pass --yes (or --force) to delete them; nothing was deleted\n",
            mask(&plan_text),
            planned.plan.changes.len(),
            planned.client.addr()
        );
        return Ok(Outcome { stderr, code: Some(Exit::Failure), ..Default::default() });
    }
    let progress = std::io::stderr().is_terminal();
    let (results, errors, how) = if planned.info.dbless() {
        let (results, errors, how) = post_config(&planned, progress);
        (results, errors, Some(how))
    } else {
        let results = execute(&planned.plan, &planned.client, args.write.parallelism as usize, progress);
        let errors = planned
            .plan
            .changes
            .iter()
            .zip(&results)
            .filter_map(|(c, r)| r.error.as_ref().map(|e| WriteError { at: None, message: format!("{} {}: {e}", action_word(c.action), c.name) }))
            .collect();
        (results, errors, None)
    };
    let failed = results.iter().filter(|r| r.status == Status::Failed).count();
    let applied = results.iter().filter(|r| r.status == Status::Applied).count();
    let skipped = results.len() - failed - applied;
    let stdout = match args.write.output {
        Output::Json => {
            let mut doc = plan::to_json(&planned.plan, &[]);
            doc["errors"] = errors
                .iter()
                .map(|e| crate::output::json::error(&e.message, e.at.map(|l| planned.sources.name(l.file)), e.at.map(|l| l.line), e.at.map(|l| l.column)))
                .collect();
            doc["results"] = serde_json::json!({ "applied": applied, "failed": failed, "not_attempted": skipped });
            if let Some(how) = &how {
                doc["results"]["dbless"] = serde_json::json!(how);
            }
            for (i, r) in results.iter().enumerate() {
                doc["changes"][i]["result"] = serde_json::to_value(&r.status)?;
            }
            serde_json::to_string_pretty(&doc)? + "\n"
        }
        Output::Text => {
            let mut s = plan_text;
            for e in &errors {
                let _ = writeln!(s, "error: {}{}", planned.at(e.at), e.message);
            }
            let via = how.as_ref().map(|h| format!(" ({h})")).unwrap_or_default();
            let _ = writeln!(s, "applied {applied}, failed {failed}, not attempted {skipped}{via}");
            s
        }
    };
    let code = if failed == 0 && skipped == 0 { Exit::Success } else { Exit::Failure };
    Ok(Outcome { stdout: mask(&stdout), code: Some(code), ..Default::default() })
}

/// A write that failed, at the entity of the config it is about when that is known.
struct WriteError {
    at: Option<crate::source::Loc>,
    message: String,
}

/// A DB-less gateway: the configuration it runs, with the plan applied, in one
/// `POST /config`; Kong's flattened errors come back at the entities of the user's file.
/// All or nothing: Kong loads the whole document or none of it.
fn post_config(planned: &connect::Planned, progress: bool) -> (Vec<Outcome1>, Vec<WriteError>, String) {
    let plain = |message: String| vec![WriteError { at: None, message }];
    let n = planned.plan.changes.len();
    let all = |status: Status| vec![Outcome1 { status, error: None }; n];
    let base = match admin::config::get(&planned.client) {
        Ok(b) => b,
        Err(e) => return (all(Status::NotAttempted), plain(format!("reading the DB-less configuration: {e}")), "DB-less: nothing posted".into()),
    };
    let document = plan::dbless::document(base.as_ref(), &planned.plan);
    if progress {
        eprintln!("posting the whole configuration to {}/config (DB-less)", planned.client.addr());
    }
    match admin::config::post(&planned.client, &document) {
        Ok(Posted::Loaded) => (all(Status::Applied), Vec::new(), "DB-less: one POST /config".into()),
        Ok(Posted::Unchanged) => (all(Status::Applied), Vec::new(), "DB-less: the gateway already runs this configuration (POST /config answered 304)".into()),
        Ok(Posted::Invalid(answer)) => {
            let errors = plan::dbless::map_errors(&answer, &planned.plan);
            let mut results = all(Status::NotAttempted);
            for (i, c) in planned.plan.changes.iter().enumerate() {
                if errors.iter().any(|e| e.at.is_some() && e.entity == c.name) {
                    results[i] = Outcome1 { status: Status::Failed, error: Some("refused by Kong".into()) };
                }
            }
            let lines = errors.into_iter().map(|e| WriteError { at: e.at, message: format!("{}: {}", e.entity, e.message) }).collect();
            (results, lines, "DB-less: POST /config refused, nothing changed".into())
        }
        Err(e) => (all(Status::NotAttempted), plain(e.to_string()), "DB-less: POST /config failed, nothing changed".into()),
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
/// After a failure no new request is started.
pub fn execute(plan: &Plan, client: &Client, parallelism: usize, progress: bool) -> Vec<Outcome1> {
    let results: Mutex<Vec<Outcome1>> = Mutex::new(vec![Outcome1 { status: Status::NotAttempted, error: None }; plan.changes.len()]);
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
                        Ok(()) => Outcome1 { status: Status::Applied, error: None },
                        Err(e) => {
                            stop.store(true, Ordering::SeqCst);
                            Outcome1 { status: Status::Failed, error: Some(e.to_string()) }
                        }
                    };
                    results.lock().unwrap_or_else(|e| e.into_inner())[at] = outcome;
                    let n = done.fetch_add(1, Ordering::SeqCst) + 1;
                    if progress && (n.is_multiple_of(25) || n == total) {
                        eprint!("\rsyncing: {n}/{total}");
                        if n == total {
                            eprintln!();
                        }
                    }
                });
            }
        });
    }
    results.into_inner().unwrap_or_else(|e| e.into_inner())
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
