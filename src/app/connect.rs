//! Shared by ping, dump, diff and sync: the Admin API client from flags, and the plan.

use super::inputs::prepare;
use super::{Context, Outcome};
use crate::admin::{self, Client, Connection};
use crate::capabilities::{self, GatewayInfo};
use crate::cli::{ConnectionArgs, PlanArgs};
use crate::exit::Exit;
use crate::model::Config;
use crate::source::{Loc, Sources};
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

/// What a plan is for: `sync` creates, updates and deletes; `apply` never deletes; `reset`
/// deletes everything it manages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Sync,
    Apply,
    Reset,
}

/// A plan and what it took to build it.
pub struct Planned {
    pub plan: Plan,
    pub client: Client,
    /// What the gateway said of itself.
    pub info: GatewayInfo,
    /// What every printed text is masked with (`Planned::mask`): the plan's secret values
    /// and the config's values from the environment; empty with `--show-secrets`.
    pub secrets: Vec<String>,
    /// Said on standard error: where defaults could not come from the gateway.
    pub notes: Vec<String>,
    /// Said on standard error: the config's lint findings and warnings (they do not stop it).
    pub warnings: Vec<String>,
    /// The files the config came from (for `file:line` in errors found while writing).
    pub sources: Sources,
}

impl Planned {
    /// The config's warnings and the notes, as standard error lines.
    pub fn notes_text(&self) -> String {
        let warnings = super::inputs::warnings_text(&self.warnings);
        self.mask(&(warnings + &self.notes.iter().map(|n| format!("note: {n}\n")).collect::<String>()))
    }

    /// `text` with every secret value `[masked]` (unchanged with `--show-secrets`).
    pub fn mask(&self, text: &str) -> String {
        crate::output::mask_text(text, &self.secrets)
    }

    /// `file:line:col: ` of a place in the config, or nothing.
    pub fn at(&self, at: Option<Loc>) -> String {
        at.map(|l| format!("{}:{l}: ", self.sources.name(l.file))).unwrap_or_default()
    }
}

/// Errors at entities of the config, as an Outcome that writes nothing.
/// `secrets` are masked in every message.
fn refusal(sources: &Sources, errors: &[plan::PlanError], what: &str, secrets: &[String]) -> Outcome {
    let mask = |t: &str| crate::output::mask_text(t, secrets);
    let mut stderr: String = errors.iter().map(|e| format!("error: {}:{}: {}\n", sources.name(e.at.file), e.at, mask(&e.message))).collect();
    stderr.push_str(&format!("error: {what}; nothing was written\n"));
    let errors = errors
        .iter()
        .map(|e| crate::output::json::error(&mask(&e.message), Some(sources.name(e.at.file)), Some(e.at.line), Some(e.at.column)))
        .collect();
    Outcome { stderr, errors, code: Some(Exit::Failure), ..Default::default() }
}

/// Loads and checks the config (none for `reset`), learns what the gateway is, reads what
/// it holds, and plans. A config the gateway cannot take, or a plan Kong would refuse, is
/// an Outcome naming each entity, before any write.
pub fn plan(args: &PlanArgs, conn: &ConnectionArgs, ctx: &Context, mode: Mode) -> anyhow::Result<Result<Planned, Outcome>> {
    let (mut config, sources, secrets, warnings) = if mode == Mode::Reset {
        (Config::default(), Sources::default(), Vec::new(), Vec::new())
    } else {
        match prepare(&args.configs, ctx, &super::inputs::Judge::Gateway) {
            Ok(p) => (p.loaded.config, p.loaded.sources, p.secrets, p.lint),
            Err(o) => return Ok(Err(o)),
        }
    };
    config.add_select_tags(&args.select_tags);
    let hidden: Vec<String> = if args.show_secrets { Vec::new() } else { secrets.clone() };
    let kinds = match plan::scope(&config, args.rbac_resources_only) {
        Ok(k) => k,
        Err(errors) => return Ok(Err(refusal(&sources, &errors, "the config cannot be planned", &hidden))),
    };
    let client = client(conn)?;
    let info = client.info()?;
    let unfit = capabilities::check(&config, &info);
    if !unfit.is_empty() {
        let what = format!("this gateway (Kong {} {}) cannot take the config", info.edition(), info.version);
        return Ok(Err(refusal(&sources, &unfit, &what, &hidden)));
    }
    let tags = config.select_tags.clone();
    let current = admin::state::fetch(&client, &info, &tags, &kinds).map_err(|e| anyhow!("reading the gateway's state: {e}"))?;
    let (schemas, notes) = schemas(&client, &config, &current, args.bundled_schemas || mode == Mode::Reset);
    let options = plan::Options { show_secrets: args.show_secrets };
    let mut plan = match plan::build_with(&config, &current, &schemas, options) {
        Ok(plan) => plan,
        Err(errors) => return Ok(Err(refusal(&sources, &errors, "the config cannot be planned", &hidden))),
    };
    // every text printed from here on is masked with these (none with --show-secrets)
    let mut secrets = if args.show_secrets { Vec::new() } else { [secrets, plan.secrets.clone()].concat() };
    secrets.sort();
    secrets.dedup();
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    let conflicts = match mode {
        Mode::Reset => Vec::new(),
        Mode::Sync | Mode::Apply => {
            if mode == Mode::Apply {
                plan.changes.retain(|c| c.action != plan::Action::Delete);
            }
            let outside = outside_tags(&client, &info, &plan, &tags)?;
            plan::conflicts::check(&plan, &current, &outside, &tags)
        }
    };
    if !conflicts.is_empty() {
        return Ok(Err(refusal(&sources, &conflicts, "Kong would refuse these writes (409)", &secrets)));
    }
    Ok(Ok(Planned { plan, client, info, secrets, notes, warnings, sources }))
}

/// With select tags, the entities outside them that hold a unique value a write of the plan
/// takes: read (untagged) only for the kinds the plan creates or updates.
fn outside_tags(client: &Client, info: &GatewayInfo, plan: &Plan, tags: &[String]) -> anyhow::Result<Vec<Current>> {
    if tags.is_empty() {
        return Ok(Vec::new());
    }
    let mut kinds: Vec<&'static str> = plan
        .changes
        .iter()
        .filter(|c| c.action != plan::Action::Delete)
        .filter(|c| crate::model::kinds::kind(c.kind).is_some_and(|k| k.tagged && (!k.unique.is_empty() || k.key == "plugins")))
        .map(|c| c.kind)
        .collect();
    kinds.sort();
    kinds.dedup();
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    let all = admin::state::fetch(client, info, &[], &kinds).map_err(|e| anyhow!("reading the gateway's entities outside the select tags: {e}"))?;
    let has_all = |c: &Current| {
        let have: Vec<&str> = c.body.get("tags").and_then(serde_json::Value::as_array).map(|a| a.iter().filter_map(serde_json::Value::as_str).collect()).unwrap_or_default();
        tags.iter().all(|t| have.contains(&t.as_str()))
    };
    Ok(all.into_iter().filter(|c| kinds.contains(&c.kind) && !has_all(c)).collect())
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
