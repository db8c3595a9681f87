//! The plan: what `sync` would change to make a gateway match a config.
//!
//! Pure: takes the loaded config and the entities the gateway holds, and returns every
//! create, update and delete in the order they can run (parents first on the way in,
//! children first on the way out, deletes that free a unique name before the create that
//! needs it). Defaults from the bundled schemas are filled on both sides before comparing,
//! so an unchanged config plans nothing. Values that came from the environment, or that
//! Kong stores as credentials, are masked in the plan itself, wherever they sit (see
//! `mask`), unless the plan is built to show them; the plan also lists the secret values it
//! holds, so the shell can mask texts that echo them (Kong's error messages).

pub mod conflicts;
pub mod dbless;
mod fields;
mod identity;
mod mask;
pub mod normalize;
mod online;
mod order;
mod scope;

pub use online::validation_bodies;
pub use scope::scope;

use crate::model::kinds::{self, Kind};
use crate::model::{reference, Config};
use crate::schema::kong::Schemas;
use fields::{diff, name_foreign_keys};
use identity::{foreign_id, identity, label, parent_of, str_of, unique_values, with_id};
use mask::{env_paths, is_secret, secret_values};
use order::order_unique_moves;
use scope::unsupported;
use normalize::{fill_defaults, normalize_current, normalize_desired};
use serde::Serialize;
use serde_json::{Map, Value as Json};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// An entity the gateway holds, as its Admin API returns it.
#[derive(Clone, Debug)]
pub struct Current {
    pub kind: &'static str,
    pub body: Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Update,
    Delete,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldChange {
    pub old: Option<Json>,
    pub new: Option<Json>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Change {
    pub action: Action,
    pub kind: &'static str,
    pub name: String,
    pub id: String,
    /// Changed fields by path (`config.minute`, `paths[0]`), masked where secret.
    pub fields: BTreeMap<String, FieldChange>,
    /// What is sent (PUT/POST body); never printed.
    #[serde(skip)]
    pub body: Option<Json>,
    /// The entity a nested one is written under (see `parent_of`).
    #[serde(skip)]
    pub parent: Option<String>,
    #[serde(skip)]
    pub level: u8,
    /// Must run before creates and updates (it frees a unique name one of them needs).
    #[serde(skip)]
    pub early: bool,
    /// Order among the writes of one level: a write that takes a unique value another
    /// update gives up runs after it.
    #[serde(skip)]
    pub step: usize,
    /// Index of the desired entity a write comes from.
    #[serde(skip)]
    desired: Option<usize>,
    /// Where the config says what a create or update writes.
    #[serde(skip)]
    pub at: Option<crate::source::Loc>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Plan {
    pub changes: Vec<Change>,
    /// Every secret value the plan holds, desired and current (credentials, encrypted fields,
    /// values from the environment), longest first; also when the plan shows them. Never
    /// printed: the shell masks texts that may echo them (`output::mask_text`).
    #[serde(skip)]
    pub secrets: Vec<String>,
}

/// How a plan is built.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Keep secret values in `Change::fields` instead of `[masked]` (`--show-secrets`).
    pub show_secrets: bool,
}

#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Summary {
    pub create: usize,
    pub update: usize,
    pub delete: usize,
}

impl Plan {
    pub fn summary(&self) -> Summary {
        let n = |a| self.changes.iter().filter(|c| c.action == a).count();
        Summary { create: n(Action::Create), update: n(Action::Update), delete: n(Action::Delete) }
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// Indices of the changes grouped into phases that must run one after another;
    /// changes inside a phase are independent and may run in parallel.
    pub fn phases(&self) -> Vec<Vec<usize>> {
        let mut phases: Vec<Vec<usize>> = Vec::new();
        let mut last: Option<(bool, bool, u8, usize)> = None;
        for (i, c) in self.changes.iter().enumerate() {
            let key = (c.early, c.action == Action::Delete, c.level, c.step);
            if last != Some(key) {
                phases.push(Vec::new());
                last = Some(key);
            }
            phases.last_mut().expect("pushed").push(i);
        }
        phases
    }
}

struct Desired {
    kind: &'static Kind,
    id: String,
    /// Normalized body with foreign keys as `{id}`; no defaults.
    body: Json,
    secrets: BTreeSet<String>,
    matched: Option<usize>,
    /// Where the config says it.
    at: crate::source::Loc,
}






/// Why a config cannot be planned, at the entity it is about.
#[derive(Clone, Debug)]
pub struct PlanError {
    pub at: crate::source::Loc,
    pub message: String,
}




/// A `PUT /certificates/{id}` without `snis` clears the certificate's SNIs: Kong's admin
/// route turns an absent `snis` into null and the DAO's upsert replaces the name list
/// (`kong/api/routes/certificates.lua`, `kong/db/dao/certificates.lua`). So an update carries
/// the names of the SNIs the plan keeps on it; SNIs it creates or moves are written on their own.
fn keep_certificate_snis(changes: &mut [Change], current: &[Current], kept: &[bool]) {
    for c in changes.iter_mut().filter(|c| c.kind == "certificates" && c.action == Action::Update) {
        let mut names: Vec<&str> = current
            .iter()
            .zip(kept)
            .filter(|(s, kept)| **kept && s.kind == "snis" && foreign_id(&s.body, "certificate").as_deref() == Some(c.id.as_str()))
            .filter_map(|(s, _)| str_of(&s.body, "name"))
            .collect();
        names.sort();
        if let Some(Json::Object(body)) = &mut c.body {
            body.insert("snis".into(), Json::Array(names.into_iter().map(|n| Json::String(n.into())).collect()));
        }
    }
}

/// The namespace of the ids given to entities the config creates without one.
const ID_NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6761_7465_7761_7900_8000_0000_0000_0001);

/// Builds the plan, secrets masked. Entities of kinds sync does not manage are reported as errors.
pub fn build(config: &Config, current: &[Current], schemas: &Schemas) -> Result<Plan, Vec<PlanError>> {
    build_with(config, current, schemas, Options::default())
}

/// Builds the plan as `options` say.
pub fn build_with(config: &Config, current: &[Current], schemas: &Schemas, options: Options) -> Result<Plan, Vec<PlanError>> {
    let mut errors = Vec::new();
    for e in &config.entities {
        if kinds::kind(e.kind).is_none() {
            errors.push(PlanError { at: e.node.loc, message: format!("{}: {}", e.label(), unsupported(e.kind)) });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // current entities by kind, normalized, with identity
    let cur_norm: Vec<(Json, Option<String>)> = current
        .iter()
        .map(|c| {
            let kind = kinds::kind(c.kind).expect("fetched kinds are known");
            let n = normalize_current(kind, &c.body);
            let ident = identity(kind, &c.body);
            (n, ident)
        })
        .collect();
    let mut cur_by_id: HashMap<(&str, String), usize> = HashMap::new();
    let mut cur_by_ident: HashMap<(&str, String), usize> = HashMap::new();
    let mut names: HashMap<String, String> = HashMap::new();
    for (i, c) in current.iter().enumerate() {
        if let Some(id) = str_of(&c.body, "id") {
            cur_by_id.insert((c.kind, id.to_string()), i);
            if let Some(n) = str_of(&c.body, "name").or(str_of(&c.body, "username")) {
                names.insert(id.to_string(), n.to_string());
            }
        }
        if let Some(ident) = &cur_norm[i].1 {
            cur_by_ident.insert((c.kind, ident.clone()), i);
        }
    }
    // desired, level by level so foreign keys resolve to ids assigned earlier
    let mut desired: Vec<Desired> = Vec::new();
    let mut assigned: HashMap<(&str, String), String> = HashMap::new(); // (kind, name or id) -> id
    let mut levels: Vec<&Kind> = kinds::KINDS.iter().collect();
    levels.sort_by_key(|k| k.level);
    for kind in levels {
        for e in config.of_kind(kind.key) {
            let mut secrets = BTreeSet::new();
            env_paths(&e.node, "", &mut secrets);
            let mut body = e.node.to_json(false);
            for (field, target) in kind.foreign {
                let Some(r) = reference(&e.node, field) else { continue };
                let id = assigned
                    .get(&(*target, r.key.clone()))
                    .cloned()
                    .or_else(|| current.iter().find(|c| c.kind == *target && (str_of(&c.body, "id") == Some(&r.key) || str_of(&c.body, "name") == Some(&r.key) || str_of(&c.body, "username") == Some(&r.key))).and_then(|c| str_of(&c.body, "id").map(String::from)));
                match id {
                    Some(id) => {
                        body[*field] = serde_json::json!({ "id": id });
                    }
                    None => errors.push(PlanError { at: e.node.loc, message: format!("{}: {field} '{}' is neither in the config nor on the gateway", e.label(), r.key) }),
                }
            }
            let body = normalize_desired(kind, body);
            let ident = identity(kind, &body);
            // an explicit id wins: an entity holding the same name under another id is
            // deleted (first, since it frees the name) and this one created
            let matched = match e.id() {
                Some(id) => cur_by_id.get(&(kind.key, id.to_string())).copied(),
                None => ident.as_ref().and_then(|i| cur_by_ident.get(&(kind.key, i.clone())).copied()),
            };
            let id = e
                .id()
                .map(String::from)
                .or_else(|| matched.and_then(|m| str_of(&current[m].body, "id").map(String::from)))
                .unwrap_or_else(|| match kind.key {
                    // a membership has no id of its own: it is the pair
                    "consumer_group_consumers" => format!(
                        "{}:{}",
                        foreign_id(&body, "consumer_group").unwrap_or_default(),
                        foreign_id(&body, "consumer").unwrap_or_default()
                    ),
                    // nor has an endpoint permission: it is role, workspace and endpoint
                    "rbac_endpoint_permissions" => format!(
                        "{}|{}|{}",
                        foreign_id(&body, "role").unwrap_or_default(),
                        str_of(&body, "workspace").unwrap_or_default(),
                        str_of(&body, "endpoint").unwrap_or_default()
                    ),
                    // the same config gets the same ids on every gateway (a fleet of DB-less
                    // nodes, a re-created gateway): derived from what identifies the entity
                    // and the select tags (another team's entity of the same name, which this
                    // plan cannot see, never gets the same id)
                    _ => match &ident {
                        Some(i) => uuid::Uuid::new_v5(&ID_NAMESPACE, format!("{}|{i}|{}", kind.key, config.select_tags.join(",")).as_bytes()).to_string(),
                        None => uuid::Uuid::new_v4().to_string(),
                    },
                });
            assigned.insert((kind.key, id.clone()), id.clone());
            if let Some(n) = e.name() {
                assigned.entry((kind.key, n.to_string())).or_insert_with(|| id.clone());
                names.insert(id.clone(), n.to_string());
            }
            if kind.key == "consumers" {
                if let Some(c) = e.node.get_str("custom_id") {
                    assigned.entry((kind.key, c.to_string())).or_insert_with(|| id.clone());
                }
            }
            desired.push(Desired { kind, id, body, secrets, matched, at: e.node.loc });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut changes = Vec::new();
    let mut matched_current = vec![false; current.len()];
    let mut secrets = BTreeSet::new();
    let may_hold = mask::MayHold::new(schemas);
    for (di, d) in desired.iter().enumerate() {
        let plugin = str_of(&d.body, "name").filter(|_| d.kind.key == "plugins").map(String::from);
        let secret = |path: &str| is_secret(d.kind, plugin.as_deref(), path, &d.secrets, schemas);
        let masked = |path: &str| !options.show_secrets && secret(path);
        if may_hold.secrets(d.kind, plugin.as_deref(), &d.secrets) {
            secret_values("", &d.body, &secret, &mut secrets);
            if let Some(m) = d.matched {
                // what the gateway holds where the config has a secret (an old key, an old token)
                secret_values("", &current[m].body, &secret, &mut secrets);
            }
        }
        let mut want = d.body.clone();
        fill_defaults(d.kind, &mut want, schemas);
        if d.kind.key == "basicauth_credentials" && !config.skip_hash_for_basic_auth {
            normalize::hash_basic_auth_password(&mut want);
        }
        let parent = parent_of(d.kind, &d.body);
        let mut send = d.body.clone();
        if let Json::Object(m) = &mut send {
            m.remove("id");
            if matches!(d.kind.key, "targets" | "degraphql_routes") {
                m.insert("id".into(), Json::String(d.id.clone()));
            }
        }
        let (action, fields) = match d.matched {
            Some(m) => {
                matched_current[m] = true;
                let mut have = cur_norm[m].0.clone();
                fill_defaults(d.kind, &mut have, schemas);
                let mut fields = BTreeMap::new();
                diff("", Some(&have), Some(&want), &mut fields, &masked);
                (Action::Update, fields)
            }
            None => {
                let mut fields = BTreeMap::new();
                diff("", None, Some(&d.body), &mut fields, &masked);
                (Action::Create, fields)
            }
        };
        if action == Action::Create || !fields.is_empty() {
            changes.push(Change {
                action,
                kind: d.kind.key,
                name: label(d.kind, &with_id(&d.body, &d.id), &names),
                id: d.id.clone(),
                fields,
                body: Some(send),
                parent,
                level: d.kind.level,
                early: false,
                step: 0,
                desired: Some(di),
                at: Some(d.at),
            });
        }
    }
    // deletes, and which of them free a unique value a create or update needs
    let wanted: BTreeSet<(&str, &str, String)> = desired.iter().flat_map(|d| unique_values(d.kind, &d.body)).collect();
    let mut early_ids: BTreeSet<String> = BTreeSet::new();
    let mut deletes = Vec::new();
    for (i, c) in current.iter().enumerate() {
        if matched_current[i] {
            continue;
        }
        let kind = kinds::kind(c.kind).expect("known");
        let plugin = str_of(&c.body, "name").filter(|_| kind.key == "plugins");
        if may_hold.secrets(kind, plugin, &BTreeSet::new()) {
            secret_values("", &c.body, &|path: &str| is_secret(kind, plugin, path, &BTreeSet::new(), schemas), &mut secrets);
        }
        let id = str_of(&c.body, "id").unwrap_or("").to_string();
        if unique_values(kind, &c.body).iter().any(|u| wanted.contains(u)) {
            early_ids.insert(id.clone());
        }
        deletes.push(Change {
            action: Action::Delete,
            kind: kind.key,
            name: label(kind, &c.body, &names),
            id,
            fields: BTreeMap::new(),
            body: None,
            parent: parent_of(kind, &c.body),
            level: kind.level,
            early: false,
            step: 0,
            desired: None,
            at: None,
        });
    }
    // children of an early delete that are deleted too must go first
    loop {
        let before = early_ids.len();
        for (i, c) in current.iter().enumerate() {
            if matched_current[i] {
                continue;
            }
            let kind = kinds::kind(c.kind).expect("known");
            if kind.foreign.iter().any(|(f, _)| foreign_id(&c.body, f).is_some_and(|p| early_ids.contains(&p))) {
                early_ids.insert(str_of(&c.body, "id").unwrap_or("").to_string());
            }
        }
        if early_ids.len() == before {
            break;
        }
    }
    for d in &mut deletes {
        d.early = early_ids.contains(&d.id);
    }
    keep_certificate_snis(&mut changes, current, &matched_current);
    order_unique_moves(&mut changes, &desired, current, schemas, options.show_secrets);
    let order = |c: &Change| -> (u8, i16, usize, String) {
        let phase = match (c.action, c.early) {
            (Action::Delete, true) => 0,
            (Action::Delete, false) => 2,
            _ => 1,
        };
        let level = if c.action == Action::Delete { -(c.level as i16) } else { c.level as i16 };
        (phase, level, c.step, format!("{}{}", c.kind, c.name))
    };
    changes.extend(deletes);
    changes.sort_by_key(order);
    for c in &mut changes {
        name_foreign_keys(c, &names);
    }
    let mut secrets: Vec<String> = secrets.into_iter().filter(|s| !s.is_empty()).collect();
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    Ok(Plan { changes, secrets })
}













/// The masked JSON document `diff --output json` prints.
pub fn to_json(plan: &Plan, errors: &[String]) -> Json {
    let mut doc = Map::new();
    doc.insert("changes".into(), serde_json::to_value(&plan.changes).unwrap_or(Json::Null));
    doc.insert("summary".into(), serde_json::to_value(plan.summary()).unwrap_or(Json::Null));
    doc.insert("errors".into(), Json::from(errors.to_vec()));
    Json::Object(doc)
}

/// What the tests of the plan's files share: a plan of a YAML config against a current state.
#[cfg(test)]
mod test_support {
    use super::{build, Current, Plan};
    use crate::env::{Env, EnvMode};
    use crate::load::{self, MemFiles};
    use crate::schema::kong::Schemas;
    use std::path::PathBuf;

    pub fn plan_of(yaml: &str, current: &[Current]) -> Plan {
        let files = MemFiles::default().with("kong.yaml", yaml);
        let loaded = load::load(&[PathBuf::from("kong.yaml")], &files, &Env::new(), EnvMode::Resolve);
        build(&loaded.config, current, &Schemas::bundled()).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::{Env, EnvMode};
    use crate::load::{self, MemFiles};
    use serde_json::json;
    use std::path::PathBuf;

    fn config(yaml: &str, env: &Env) -> Config {
        let files = MemFiles::default().with("kong.yaml", yaml);
        let loaded = load::load(&[PathBuf::from("kong.yaml")], &files, env, EnvMode::Resolve);
        assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
        loaded.config
    }

    fn current(kind: &'static str, body: Json) -> Current {
        Current { kind, body }
    }

    #[test]
    fn kong_defaults_and_nulls_do_not_show_as_changes() {
        let cfg = config("_format_version: '3.0'\nservices:\n- name: s\n  url: https://example.com/api\n", &Env::new());
        let kong = current(
            "services",
            json!({"id": "11111111-1111-4111-8111-111111111111", "name": "s", "protocol": "https", "host": "example.com", "port": 443,
                   "path": "/api", "retries": 5, "connect_timeout": 60000, "write_timeout": 60000, "read_timeout": 60000,
                   "enabled": true, "tags": null, "client_certificate": null, "created_at": 1, "updated_at": 2}),
        );
        let plan = build(&cfg, &[kong], &Schemas::bundled()).unwrap();
        assert!(plan.is_empty(), "{:?}", plan.changes);
    }

    #[test]
    fn field_changes_are_masked_by_provenance() {
        let env: Env = [("DECK_KEY".to_string(), "very-secret".to_string())].into();
        let cfg = config(
            "_format_version: '3.0'\nplugins:\n- name: ai-proxy\n  config:\n    route_type: llm/v1/chat\n    auth: {header_name: api-key, header_value: '${{ env \"DECK_KEY\" }}'}\n    model: {provider: openai, name: gpt-4o}\n",
            &env,
        );
        let plan = build(&cfg, &[], &Schemas::bundled()).unwrap();
        let c = &plan.changes[0];
        assert_eq!(c.action, Action::Create);
        assert_eq!(c.fields["config.auth.header_value"].new, Some(json!("[masked]")));
        assert_eq!(c.fields["config.model.name"].new, Some(json!("gpt-4o")));
        assert_eq!(c.body.as_ref().unwrap()["config"]["auth"]["header_value"], "very-secret", "the real value is sent");
        assert!(!serde_json::to_string(&plan).unwrap().contains("very-secret"));
    }

    const HEADER_SECRET: &str = "literal-header-secret";
    const PARAM_SECRET: &str = "literal-param-secret";

    /// ai-proxy-advanced (Kong Enterprise; bundled from the Kong 3.15 JSON schemas) takes the
    /// `auth` record of kong/llm/schemas/init.lua in each target, where `header_value` and
    /// `param_value` are `encrypted = true`.
    fn two_targets(azure_instance: &str) -> String {
        format!(
            "_format_version: '3.0'\nplugins:\n- name: ai-proxy-advanced\n  id: {ID_A}\n  config:\n    targets:\n    - route_type: llm/v1/chat\n      auth: {{header_name: api-key, header_value: {HEADER_SECRET}}}\n      model: {{provider: azure, name: gpt-4o, options: {{azure_instance: {azure_instance}, azure_deployment_id: d}}}}\n    - route_type: llm/v1/chat\n      auth: {{param_name: key, param_value: {PARAM_SECRET}, param_location: query}}\n      model: {{provider: gemini, name: gemini-pro}}\n"
        )
    }

    fn target(header_value: &str) -> Json {
        json!({"route_type": "llm/v1/chat", "auth": {"header_name": "api-key", "header_value": header_value}, "model": {"provider": "azure", "name": "gpt-4o", "options": {"azure_instance": "i", "azure_deployment_id": "d"}}})
    }

    fn printed(plan: &Plan) -> String {
        serde_json::to_string(&to_json(plan, &[])).unwrap()
    }

    #[test]
    fn secrets_inside_arrays_are_masked_on_create() {
        let plan = build(&config(&two_targets("i"), &Env::new()), &[], &Schemas::bundled()).unwrap();
        let c = &plan.changes[0];
        assert_eq!(c.action, Action::Create);
        let targets = c.fields["config.targets"].new.clone().unwrap();
        assert_eq!(targets[0]["auth"], json!({"header_name": "api-key", "header_value": "[masked]"}));
        assert_eq!(targets[1]["auth"]["param_value"], "[masked]");
        assert_eq!(targets[1]["auth"]["param_name"], "key", "only the secret is masked");
        assert_eq!(targets[0]["model"]["options"]["azure_instance"], "i");
        let out = printed(&plan);
        assert!(!out.contains(HEADER_SECRET) && !out.contains(PARAM_SECRET), "{out}");
        assert_eq!(c.body.as_ref().unwrap()["config"]["targets"][0]["auth"]["header_value"], HEADER_SECRET, "the real value is sent");
        assert!(plan.secrets.contains(&HEADER_SECRET.to_string()) && plan.secrets.contains(&PARAM_SECRET.to_string()), "{:?}", plan.secrets);
    }

    #[test]
    fn secrets_are_masked_when_an_update_adds_a_target_or_changes_one() {
        let cfg = config(&two_targets("i"), &Env::new());
        // one target on the gateway: the arrays differ in length, both are shown whole
        let have = current("plugins", json!({"id": ID_A, "name": "ai-proxy-advanced", "config": {"targets": [target("old-header-secret")]}}));
        let plan = build(&cfg, &[have], &Schemas::bundled()).unwrap();
        let f = &plan.changes[0].fields["config.targets"];
        assert_eq!(f.old.as_ref().unwrap()[0]["auth"]["header_value"], "[masked]");
        assert_eq!(f.new.as_ref().unwrap()[0]["auth"]["header_value"], "[masked]");
        assert_eq!(f.new.as_ref().unwrap()[1]["auth"]["param_value"], "[masked]");
        let out = printed(&plan);
        assert!(!out.contains(HEADER_SECRET) && !out.contains(PARAM_SECRET) && !out.contains("old-header-secret"), "{out}");
        assert!(plan.secrets.contains(&"old-header-secret".to_string()), "the gateway's old value is a secret too");
        // the same length: element by element, the secret leaf on its own
        let have = current("plugins", json!({"id": ID_A, "name": "ai-proxy-advanced", "config": {"targets": [target("old-header-secret"), target("x")]}}));
        let plan = build(&cfg, &[have], &Schemas::bundled()).unwrap();
        let f = &plan.changes[0].fields["config.targets[0].auth.header_value"];
        assert_eq!((f.old.clone(), f.new.clone()), (Some(json!("[masked]")), Some(json!("[masked]"))));
        // a record that only one side has is shown whole, masked inside
        let f = &plan.changes[0].fields["config.targets[1].auth.param_value"];
        assert_eq!((f.old.clone(), f.new.clone()), (None, Some(json!("[masked]"))));
        assert!(!printed(&plan).contains(PARAM_SECRET));
    }

    #[test]
    fn values_from_the_environment_are_masked_inside_arrays() {
        let env: Env = [("DECK_INSTANCE".to_string(), "env-azure-instance".to_string())].into();
        let plan = build(&config(&two_targets("'${{ env \"DECK_INSTANCE\" }}'"), &env), &[], &Schemas::bundled()).unwrap();
        let targets = plan.changes[0].fields["config.targets"].new.clone().unwrap();
        assert_eq!(targets[0]["model"]["options"]["azure_instance"], "[masked]");
        assert_eq!(targets[0]["model"]["options"]["azure_deployment_id"], "d");
        assert!(!printed(&plan).contains("env-azure-instance"));
        assert!(plan.secrets.contains(&"env-azure-instance".to_string()));
    }

    #[test]
    fn credential_fields_are_masked_and_listed_on_both_sides() {
        let cfg = config("_format_version: '3.0'\nconsumers:\n- username: alex\n  keyauth_credentials:\n  - key: new-key-auth-secret\n", &Env::new());
        let stale = current("keyauth_credentials", json!({"id": ID_B, "key": "stale-key-auth-secret", "consumer": {"id": ID_A}}));
        let alex = current("consumers", json!({"id": ID_A, "username": "alex"}));
        let plan = build(&cfg, &[alex, stale], &Schemas::bundled()).unwrap();
        let create = plan.changes.iter().find(|c| c.kind == "keyauth_credentials" && c.action == Action::Create).unwrap();
        assert_eq!(create.fields["key"].new, Some(json!("[masked]")));
        let out = printed(&plan);
        assert!(!out.contains("new-key-auth-secret") && !out.contains("stale-key-auth-secret"), "{out}");
        // a delete's error may echo the key it deletes
        assert!(plan.secrets.contains(&"new-key-auth-secret".to_string()) && plan.secrets.contains(&"stale-key-auth-secret".to_string()), "{:?}", plan.secrets);
    }

    #[test]
    fn a_plan_built_to_show_secrets_shows_them() {
        let env: Env = [("DECK_INSTANCE".to_string(), "env-azure-instance".to_string())].into();
        let cfg = config(&two_targets("'${{ env \"DECK_INSTANCE\" }}'"), &env);
        let plan = build_with(&cfg, &[], &Schemas::bundled(), Options { show_secrets: true }).unwrap();
        let targets = plan.changes[0].fields["config.targets"].new.clone().unwrap();
        assert_eq!(targets[0]["auth"]["header_value"], HEADER_SECRET);
        assert_eq!(targets[1]["auth"]["param_value"], PARAM_SECRET);
        assert_eq!(targets[0]["model"]["options"]["azure_instance"], "env-azure-instance");
        assert!(!plan.secrets.is_empty(), "still listed: the shell decides");
    }

    #[test]
    fn parents_first_children_first_and_name_freeing_deletes_earliest() {
        let cfg = config("_format_version: '3.0'\nservices:\n- name: s\n  id: 33333333-3333-4333-8333-333333333333\n  host: h\n  routes:\n  - name: r2\n    paths: [/x]\n", &Env::new());
        let old_service = json!({"id": "11111111-1111-4111-8111-111111111111", "name": "s", "host": "old"});
        let old_route = json!({"id": "22222222-2222-4222-8222-222222222222", "name": "r1", "paths": ["/x"], "service": {"id": "11111111-1111-4111-8111-111111111111"}});
        let plan = build(&cfg, &[current("services", old_service), current("routes", old_route)], &Schemas::bundled()).unwrap();
        let order: Vec<(Action, &str)> = plan.changes.iter().map(|c| (c.action, c.kind)).collect();
        assert_eq!(order, vec![(Action::Delete, "routes"), (Action::Delete, "services"), (Action::Create, "services"), (Action::Create, "routes")]);
        assert_eq!(plan.phases().len(), 4);
        assert_eq!(plan.summary(), Summary { create: 2, update: 0, delete: 2 });
    }

    const ID_A: &str = "aaaaaaaa-1111-4111-8111-111111111111";
    const ID_B: &str = "bbbbbbbb-2222-4222-8222-222222222222";

    fn named_services(pairs: &[(&str, &str)]) -> Config {
        let mut yaml = String::from("_format_version: '3.0'\nservices:\n");
        for (id, name) in pairs {
            yaml.push_str(&format!("- id: {id}\n  name: {name}\n  host: h\n"));
        }
        config(&yaml, &Env::new())
    }

    #[test]
    fn a_rename_onto_a_name_another_update_gives_up_runs_after_it() {
        // b -> c and a -> b: Kong would answer 409 to a -> b while b still holds the name
        let cfg = named_services(&[(ID_A, "b"), (ID_B, "c")]);
        let have = [current("services", json!({"id": ID_A, "name": "a", "host": "h"})), current("services", json!({"id": ID_B, "name": "b", "host": "h"}))];
        let plan = build(&cfg, &have, &Schemas::bundled()).unwrap();
        let order: Vec<(&str, Option<Json>)> = plan.changes.iter().map(|c| (c.id.as_str(), c.fields["name"].new.clone())).collect();
        assert_eq!(order, vec![(ID_B, Some(json!("c"))), (ID_A, Some(json!("b")))]);
        assert_eq!(plan.phases().len(), 2);
    }

    #[test]
    fn a_swap_of_names_goes_through_a_temporary_name() {
        let cfg = named_services(&[(ID_A, "b"), (ID_B, "a")]);
        let have = [current("services", json!({"id": ID_A, "name": "a", "host": "h"})), current("services", json!({"id": ID_B, "name": "b", "host": "h"}))];
        let plan = build(&cfg, &have, &Schemas::bundled()).unwrap();
        let sent: Vec<(&str, &str)> = plan.changes.iter().map(|c| (c.id.as_str(), c.body.as_ref().unwrap()["name"].as_str().unwrap())).collect();
        assert_eq!(plan.changes.len(), 3, "{sent:?}");
        // replaying the writes in order never puts two entities on one name
        let mut names: HashMap<&str, &str> = [(ID_A, "a"), (ID_B, "b")].into();
        for (id, name) in &sent {
            assert!(!names.iter().any(|(other, n)| other != id && n == name), "{name} is still taken when {id} takes it: {sent:?}");
            names.insert(id, name);
        }
        assert_eq!(names, [(ID_A, "b"), (ID_B, "a")].into());
        assert!(plan.changes[0].name.contains("temporary"), "{}", plan.changes[0].name);
        assert_eq!(plan.summary().update, 3);
        assert_eq!(plan.phases().len(), 3);
    }

    #[test]
    fn a_rotation_of_three_names_needs_one_temporary_name() {
        const ID_C: &str = "cccccccc-3333-4333-8333-333333333333";
        let cfg = named_services(&[(ID_A, "b"), (ID_B, "c"), (ID_C, "a")]);
        let have = [
            current("services", json!({"id": ID_A, "name": "a", "host": "h"})),
            current("services", json!({"id": ID_B, "name": "b", "host": "h"})),
            current("services", json!({"id": ID_C, "name": "c", "host": "h"})),
        ];
        let plan = build(&cfg, &have, &Schemas::bundled()).unwrap();
        assert_eq!(plan.changes.len(), 4, "three renames and one parking update");
        let mut names: HashMap<&str, String> = [(ID_A, "a".to_string()), (ID_B, "b".into()), (ID_C, "c".into())].into();
        for phase in plan.phases() {
            // writes of one phase run concurrently: none may take a name another still holds
            let taken: Vec<(&str, String)> = phase.iter().map(|&i| (plan.changes[i].id.as_str(), plan.changes[i].body.as_ref().unwrap()["name"].as_str().unwrap().to_string())).collect();
            for (id, name) in &taken {
                assert!(!names.iter().any(|(other, n)| other != id && n == name), "{name} may still be held when {id} takes it");
            }
            names.extend(taken);
        }
        assert_eq!(names, [(ID_A, "b".to_string()), (ID_B, "c".into()), (ID_C, "a".into())].into());
    }

    #[test]
    fn select_tags_mark_only_kinds_that_carry_tags() {
        let cfg = config(
            "_format_version: '3.0'\n_info: {select_tags: [team-a]}\nservices:\n- {name: g, host: h}\ncustom_entities:\n- {type: degraphql_routes, fields: {service: {name: g}, uri: /u, query: q}}\nlicenses:\n- payload: p\n",
            &Env::new(),
        );
        let tags = |kind: &str| cfg.of_kind(kind).next().unwrap().node.get("tags").is_some();
        assert!(tags("services"));
        assert!(!tags("degraphql_routes") && !tags("licenses"));
    }

    #[test]
    fn unsupported_kinds_and_rbac_mixed_with_proxy_config_are_refused() {
        let cfg = config("_format_version: '3.0'\nrbac_roles:\n- name: admin\n- name: ops\nservice_packages:\n- name: p\n", &Env::new());
        let errors = scope(&cfg, false).unwrap_err();
        assert_eq!(errors.len(), 2, "one message per kind: {errors:?}");
        assert!(errors[0].message.starts_with("rbac_roles/admin: ") && errors[0].message.contains("--rbac-resources-only"), "{errors:?}");
        assert_eq!(errors[0].at.line, 3);
        assert!(errors[1].message.contains("Konnect"), "{errors:?}");
        let rbac = config("_format_version: '3.0'\nrbac_roles:\n- name: ops\n  endpoint_permissions:\n  - {workspace: default, endpoint: /services, actions: [read]}\n", &Env::new());
        assert_eq!(scope(&rbac, true).unwrap(), vec!["rbac_roles"]);
        let proxy = config("_format_version: '3.0'\nservices:\n- {name: s, host: h}\n", &Env::new());
        assert!(scope(&proxy, true).unwrap_err()[0].message.contains("RBAC roles and endpoint permissions only"));
        let kinds = scope(&proxy, false).unwrap();
        assert!(kinds.contains(&"services") && kinds.contains(&"ai_models") && !kinds.contains(&"licenses") && !kinds.contains(&"cloned_plugins"));
    }

    #[test]
    fn a_certificate_update_keeps_its_snis_in_the_put() {
        // kong/api/routes/certificates.lua: a PUT without `snis` clears them
        let cert = "11111111-1111-4111-8111-111111111111";
        let yaml = format!("_format_version: '3.0'\ncertificates:\n- id: {cert}\n  cert: new-cert\n  key: k\n  snis:\n  - name: a.example\n");
        let cfg = config(&yaml, &Env::new());
        let have = [
            current("certificates", json!({"id": cert, "cert": "old-cert", "key": "k", "snis": ["a.example", "b.example"]})),
            current("snis", json!({"id": "22222222-2222-4222-8222-222222222222", "name": "a.example", "certificate": {"id": cert}})),
            current("snis", json!({"id": "33333333-3333-4333-8333-333333333333", "name": "b.example", "certificate": {"id": cert}})),
        ];
        let plan = build(&cfg, &have, &Schemas::bundled()).unwrap();
        let update = plan.changes.iter().find(|c| c.kind == "certificates").unwrap();
        assert_eq!(update.action, Action::Update);
        assert_eq!(update.body.as_ref().unwrap()["snis"], json!(["a.example"]), "the kept SNI only: b.example is deleted");
        assert!(plan.changes.iter().any(|c| c.kind == "snis" && c.action == Action::Delete));
    }
}
