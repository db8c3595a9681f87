//! Shared by ping, dump, diff and sync: the Admin API client from flags, and the plan.

use super::inputs::prepare;
use super::{Context, Outcome};
use crate::admin::{self, Client, Connection};
use crate::cli::{ConnectionArgs, PlanArgs};
use crate::exit::Exit;
use crate::model::Config;
use crate::plan::{self, Current, Plan};
use crate::schema::kong::Schemas;
use anyhow::{anyhow, Context as _};
use std::time::Duration;

pub fn client(args: &ConnectionArgs) -> anyhow::Result<Client> {
    let headers = args.headers.iter().map(|h| super::inputs::parse_header(h)).collect::<anyhow::Result<Vec<_>>>()?;
    let ca_cert = match &args.ca_cert {
        Some(p) => Some(std::fs::read(p).with_context(|| format!("reading --ca-cert {}", p.display()))?),
        None => None,
    };
    Client::new(Connection {
        addr: args.kong_addr.clone(),
        headers,
        workspace: args.workspace.clone(),
        tls_skip_verify: args.tls_skip_verify,
        ca_cert,
        timeout: Duration::from_secs(args.timeout.max(1)),
        rps_limit: args.rps_limit,
        retries: 5,
    })
}

/// A plan and what it took to build it.
pub struct Planned {
    pub plan: Plan,
    pub client: Client,
    /// What every printed text is masked with (`Planned::mask`): the plan's secret values
    /// and the config's values from the environment; empty with `--show-secrets`.
    pub secrets: Vec<String>,
    /// Said on standard error: where defaults could not come from the gateway.
    pub notes: Vec<String>,
}

impl Planned {
    /// The notes as standard error lines.
    pub fn notes_text(&self) -> String {
        self.mask(&self.notes.iter().map(|n| format!("note: {n}\n")).collect::<String>())
    }

    /// `text` with every secret value `[masked]` (unchanged with `--show-secrets`).
    pub fn mask(&self, text: &str) -> String {
        crate::output::mask_text(text, &self.secrets)
    }
}

/// Loads and checks the config, reads the gateway, and plans. Problems become an Outcome.
pub fn plan(args: &PlanArgs, conn: &ConnectionArgs, ctx: &Context) -> anyhow::Result<Result<Planned, Outcome>> {
    let prepared = match prepare(&args.configs, ctx) {
        Ok(p) => p,
        Err(o) => return Ok(Err(o)),
    };
    let refusal = |errors: Vec<plan::PlanError>| {
        let stderr: String = errors
            .iter()
            .map(|e| format!("error: {}:{}: {}\n", prepared.loaded.sources.name(e.at.file), e.at, e.message))
            .collect();
        let stderr = if args.show_secrets { stderr } else { crate::output::mask_text(&stderr, &prepared.secrets) };
        Outcome { stderr, code: Some(Exit::Failure), ..Default::default() }
    };
    let kinds = match plan::scope(&prepared.loaded.config, args.rbac_resources_only) {
        Ok(k) => k,
        Err(errors) => return Ok(Err(refusal(errors))),
    };
    let client = client(conn)?;
    client.info()?;
    let mut tags = prepared.loaded.config.select_tags.clone();
    tags.extend(args.select_tags.iter().cloned());
    tags.sort();
    tags.dedup();
    let current = admin::state::fetch(&client, &tags, &kinds).map_err(|e| anyhow!("reading the gateway's state: {e}"))?;
    let (schemas, notes) = schemas(&client, &prepared.loaded.config, &current, args.bundled_schemas);
    let options = plan::Options { show_secrets: args.show_secrets };
    match plan::build_with(&prepared.loaded.config, &current, &schemas, options) {
        Ok(plan) => {
            // every text printed from here on is masked with these (none with --show-secrets)
            let mut secrets = if args.show_secrets { Vec::new() } else { [prepared.secrets, plan.secrets.clone()].concat() };
            secrets.sort();
            secrets.dedup();
            secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
            Ok(Ok(Planned { plan, client, secrets, notes }))
        }
        Err(errors) => Ok(Err(refusal(errors))),
    }
}

/// The schemas defaults are filled from: the bundled ones, cloned plugins as their sources,
/// and unless `bundled_only`, what the gateway says of every kind and plugin in play.
fn schemas(client: &Client, config: &Config, current: &[Current], bundled_only: bool) -> (Schemas, Vec<String>) {
    let mut schemas = Schemas::bundled();
    for clone in config.of_kind("cloned_plugins") {
        if let (Some(name), Some(source)) = (clone.node.get_str("name"), clone.node.get_str("ref")) {
            schemas.add_clone(name, source);
        }
    }
    if bundled_only {
        return (schemas, Vec::new());
    }
    let mut kinds: Vec<&str> = config
        .entities
        .iter()
        .map(|e| e.kind)
        .chain(current.iter().map(|c| c.kind))
        // plugins: the per-plugin schemas below; memberships have no defaults
        .filter(|k| crate::model::kinds::kind(k).is_some() && !matches!(*k, "plugins" | "consumer_group_consumers"))
        .collect();
    kinds.sort();
    kinds.dedup();
    let mut plugins: Vec<String> = config
        .of_kind("plugins")
        .filter_map(|e| e.node.get_str("name").map(String::from))
        .chain(current.iter().filter(|c| c.kind == "plugins").filter_map(|c| c.body.get("name").and_then(serde_json::Value::as_str).map(String::from)))
        .collect();
    plugins.sort();
    plugins.dedup();
    let notes = admin::schemas::fetch(client, &kinds, &plugins, &mut schemas);
    (schemas, notes)
}
