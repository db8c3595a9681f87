//! The plan: what `sync` would change to make a gateway match a config.
//!
//! Pure: takes the loaded config and the entities the gateway holds, and returns every
//! create, update and delete in the order they can run (parents first on the way in,
//! children first on the way out, deletes that free a unique name before the create that
//! needs it). Defaults from the bundled schemas are filled on both sides before comparing,
//! so an unchanged config plans nothing. Values that came from the environment, or that
//! Kong stores as credentials, are masked in the plan itself.

pub mod normalize;

use crate::admin::kinds::{self, Kind};
use crate::model::{reference, Config, Entity};
use crate::schema::kong::Schemas;
use crate::node::{Node, Value};
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
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Plan {
    pub changes: Vec<Change>,
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
}

fn env_paths(node: &Node, path: &str, out: &mut BTreeSet<String>) {
    if node.env.is_some() {
        out.insert(path.to_string());
    }
    match &node.value {
        Value::Seq(items) => items.iter().enumerate().for_each(|(i, n)| env_paths(n, &format!("{path}[{i}]"), out)),
        Value::Map(m) => m.iter().for_each(|e| env_paths(&e.value, &crate::node::join_field(path, &e.key), out)),
        _ => {}
    }
}

fn str_of<'a>(body: &'a Json, key: &str) -> Option<&'a str> {
    body.get(key).and_then(Json::as_str)
}

fn foreign_id(body: &Json, field: &str) -> Option<String> {
    body.get(field).and_then(|f| f.get("id")).and_then(Json::as_str).map(String::from)
}

/// What identifies an entity when ids differ or are absent (foreign keys already ids).
fn identity(kind: &Kind, body: &Json) -> Option<String> {
    Some(match kind.key {
        "consumers" => match (str_of(body, "username"), str_of(body, "custom_id")) {
            (Some(u), _) => format!("username:{u}"),
            (None, Some(c)) => format!("custom_id:{c}"),
            _ => return None,
        },
        "vaults" => format!("prefix:{}", str_of(body, "prefix")?),
        "certificates" | "ca_certificates" => format!("cert:{}", str_of(body, "cert")?.trim()),
        "keyauth_credentials" => format!("key:{}", str_of(body, "key")?),
        "basicauth_credentials" | "hmacauth_credentials" => format!("username:{}", str_of(body, "username")?),
        "jwt_secrets" => format!("key:{}", str_of(body, "key")?),
        "oauth2_credentials" => format!("client_id:{}", str_of(body, "client_id")?),
        "acls" => format!("{}@{}", str_of(body, "group")?, foreign_id(body, "consumer")?),
        "mtls_auth_credentials" => format!("{}@{}", str_of(body, "subject_name")?, foreign_id(body, "consumer")?),
        "licenses" => format!("payload:{}", str_of(body, "payload")?.trim()),
        // decK matches DeGraphQL routes by uri and query
        "degraphql_routes" => format!("{}|{}", str_of(body, "uri")?, str_of(body, "query")?),
        "filter_chains" => match str_of(body, "name") {
            Some(n) => format!("name:{n}"),
            None => format!("{}|{}", foreign_id(body, "service").unwrap_or_default(), foreign_id(body, "route").unwrap_or_default()),
        },
        "consumer_group_consumers" => format!("{}@{}", foreign_id(body, "consumer")?, foreign_id(body, "consumer_group")?),
        "rbac_endpoint_permissions" => format!("{}{}@{}", str_of(body, "workspace")?, str_of(body, "endpoint")?, foreign_id(body, "role")?),
        "targets" => format!("{}@{}", str_of(body, "target")?, foreign_id(body, "upstream")?),
        "plugins" => {
            let scope: Vec<String> = ["service", "route", "consumer", "consumer_group"].iter().map(|f| foreign_id(body, f).unwrap_or_default()).collect();
            // AI Gateway 2.0 scopes plugins by model too (go-kong Plugin.Model)
            format!("plugin:{}|{}|{}", str_of(body, "name")?, scope.join("|"), str_of(body, "model").unwrap_or_default())
        }
        _ => format!("name:{}", str_of(body, "name")?),
    })
}

/// A label for output: `services/httpbin`, `plugins/key-auth (route r1)`.
fn label(kind: &Kind, body: &Json, names: &HashMap<String, String>) -> String {
    let id = str_of(body, "id").unwrap_or("");
    match kind.key {
        "plugins" => {
            let scopes: Vec<String> = ["service", "route", "consumer", "consumer_group"]
                .iter()
                .filter_map(|f| foreign_id(body, f).map(|id| format!("{} {}", f.replace('_', " "), names.get(&id).cloned().unwrap_or(id))))
                .chain(str_of(body, "model").map(|m| format!("model {m}")))
                .collect();
            let name = str_of(body, "name").unwrap_or("?");
            if scopes.is_empty() { format!("plugins/{name} (global)") } else { format!("plugins/{name} ({})", scopes.join(", ")) }
        }
        "consumers" => format!("consumers/{}", str_of(body, "username").or(str_of(body, "custom_id")).unwrap_or(id)),
        "targets" => format!("targets/{}", str_of(body, "target").unwrap_or(id)),
        "degraphql_routes" => {
            let uri = str_of(body, "uri").unwrap_or(id);
            format!("degraphql_routes{}{uri}", if uri.starts_with('/') { "" } else { "/" })
        }
        "vaults" => format!("vaults/{}", str_of(body, "prefix").unwrap_or(id)),
        "keyauth_credentials" | "basicauth_credentials" | "acls" | "jwt_secrets" | "hmacauth_credentials" | "oauth2_credentials" | "mtls_auth_credentials" => {
            let what = str_of(body, "group").or(str_of(body, "username")).or(str_of(body, "client_id")).or(str_of(body, "subject_name")).map(String::from).unwrap_or_else(|| id.chars().take(8).collect());
            match foreign_id(body, "consumer") {
                Some(c) => format!("{}/{what} (consumer {})", kind.key, names.get(&c).cloned().unwrap_or(c)),
                None => format!("{}/{what}", kind.key),
            }
        }
        "consumer_group_consumers" => {
            let name = |f: &str| foreign_id(body, f).map(|id| names.get(&id).cloned().unwrap_or(id)).unwrap_or_default();
            format!("consumer_group_consumers/{} in {}", name("consumer"), name("consumer_group"))
        }
        "rbac_endpoint_permissions" => {
            let role = foreign_id(body, "role").map(|id| names.get(&id).cloned().unwrap_or(id)).unwrap_or_default();
            format!("rbac_endpoint_permissions/{}{} (role {role})", str_of(body, "workspace").unwrap_or(""), str_of(body, "endpoint").unwrap_or(""))
        }
        "certificates" | "ca_certificates" => format!("{}/{id}", kind.key),
        _ => format!("{}/{}", kind.key, str_of(body, "name").unwrap_or(id)),
    }
}

/// Why a config cannot be planned, at the entity it is about.
#[derive(Clone, Debug)]
pub struct PlanError {
    pub at: crate::source::Loc,
    pub message: String,
}

/// RBAC kinds: managed only on their own, with `--rbac-resources-only` (as decK does).
const RBAC_KINDS: &[&str] = &["rbac_roles", "rbac_endpoint_permissions"];

/// The top-level kinds diff and sync read from the gateway for this config, or why the config
/// cannot be planned. Licenses and plugin definitions are opt-in as in decK (licenses when the
/// config lists any, definitions when it lists any or sets `_info.include_plugin_definitions`);
/// RBAC is managed alone, in `rbac_only` mode, and mixing it with proxy configuration is refused.
pub fn scope(config: &Config, rbac_only: bool) -> Result<Vec<&'static str>, Vec<PlanError>> {
    let mut errors = Vec::new();
    let mut refused = BTreeSet::new();
    for e in &config.entities {
        let rbac = RBAC_KINDS.contains(&e.kind);
        let why = if kinds::kind(e.kind).is_none() {
            unsupported(e.kind)
        } else if rbac && !rbac_only {
            "RBAC resources are managed on their own: put them in a file of their own and pass --rbac-resources-only (as with decK)".into()
        } else if !rbac && rbac_only {
            "with --rbac-resources-only the config may hold RBAC roles and endpoint permissions only".into()
        } else {
            continue;
        };
        if refused.insert(e.kind) {
            errors.push(PlanError { at: e.node.loc, message: format!("{}: {why}", e.label()) });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if rbac_only {
        return Ok(vec!["rbac_roles"]);
    }
    let has = |k: &str| config.of_kind(k).next().is_some();
    let definitions = config.include_plugin_definitions || has("cloned_plugins") || has("custom_plugins");
    Ok(kinds::KINDS
        .iter()
        .filter(|k| match k.key {
            "licenses" => has("licenses"),
            "degraphql_routes" => has("degraphql_routes"),
            "cloned_plugins" | "custom_plugins" => definitions,
            _ => !k.opt_in,
        })
        .map(|k| k.key)
        .collect())
}

/// Why a kind of the decK format is not synced to a Kong Gateway Admin API.
fn unsupported(kind: &str) -> String {
    match kind {
        "service_packages" => "service packages are Konnect entities: a Kong Gateway Admin API has no endpoint for them (decK syncs them through its Konnect client)".into(),
        "custom_entities" => "of custom entities only `type: degraphql_routes` is supported (as in decK)".into(),
        other => format!("`{other}` entities are not managed by dump/diff/sync"),
    }
}

/// Builds the plan. Entities of kinds sync does not manage are reported as errors.
pub fn build(config: &Config, current: &[Current], schemas: &Schemas) -> Result<Plan, Vec<PlanError>> {
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
                    _ => uuid::Uuid::new_v4().to_string(),
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
            desired.push(Desired { kind, id, body, secrets, matched });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut changes = Vec::new();
    let mut matched_current = vec![false; current.len()];
    for (di, d) in desired.iter().enumerate() {
        let plugin = str_of(&d.body, "name").filter(|_| d.kind.key == "plugins").map(String::from);
        let secret = |path: &str| is_secret(d.kind, plugin.as_deref(), path, &d.secrets, schemas);
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
                diff("", Some(&have), Some(&want), &mut fields, &secret);
                (Action::Update, fields)
            }
            None => {
                let mut fields = BTreeMap::new();
                diff("", None, Some(&d.body), &mut fields, &secret);
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
    order_unique_moves(&mut changes, &desired, current, schemas);
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
    Ok(Plan { changes })
}

/// Shows `service.id: <uuid>` as `service: <name>` where the target has a name.
fn name_foreign_keys(c: &mut Change, names: &HashMap<String, String>) {
    let Some(kind) = kinds::kind(c.kind) else { return };
    for (field, _) in kind.foreign {
        let Some(f) = c.fields.remove(&format!("{field}.id")) else { continue };
        let named = |v: Option<Json>| {
            v.map(|v| match v.as_str().and_then(|id| names.get(id)) {
                Some(n) => Json::String(n.clone()),
                None => v,
            })
        };
        c.fields.insert(field.to_string(), FieldChange { old: named(f.old), new: named(f.new) });
    }
}

/// Every entity of the config as the body Kong's `/schemas/{kind}/validate` takes, with
/// foreign keys as ids derived from the names (schema validation does not look them up).
pub fn validation_bodies(config: &Config) -> Vec<(&Entity, &'static str, Json)> {
    let fake = |kind: &str, key: &str| uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, format!("{kind}/{key}").as_bytes()).to_string();
    config
        .entities
        .iter()
        .filter_map(|e| {
            let kind = kinds::kind(e.kind)?;
            let schema = online_schema(kind.key)?;
            let mut body = e.node.to_json(false);
            for (field, target) in kind.foreign {
                if let Some(r) = reference(&e.node, field) {
                    let id = if uuid::Uuid::try_parse(&r.key).is_ok() { r.key.clone() } else { fake(target, &r.key) };
                    body[*field] = serde_json::json!({ "id": id });
                }
            }
            if let Json::Object(m) = &mut body {
                m.remove("_config");
            }
            Some((e, schema, body))
        })
        .collect()
}

/// The schema name `/schemas/{name}/validate` knows a kind by, for the kinds decK validates
/// online (decK validate/validate.go); the others have no validate endpoint to trust.
fn online_schema(kind: &'static str) -> Option<&'static str> {
    match kind {
        "rbac_roles" => Some("rbac-role"),
        "rbac_endpoint_permissions" => Some("rbac-endpointpermission"),
        "cloned_plugins" | "custom_plugins" | "ai_models" | "degraphql_routes" => None,
        other => Some(other),
    }
}

/// The entity a nested one is written under (targets: their upstream; DeGraphQL routes: their service).
fn parent_of(kind: &Kind, body: &Json) -> Option<String> {
    match kind.key {
        "targets" => foreign_id(body, "upstream"),
        "degraphql_routes" => foreign_id(body, "service"),
        _ => None,
    }
}

fn with_id(body: &Json, id: &str) -> Json {
    let mut b = body.clone();
    if let Json::Object(m) = &mut b {
        m.insert("id".into(), Json::String(id.into()));
    }
    b
}

/// The `(kind, field, value)` triples Kong keeps unique that an entity holds.
fn unique_values(kind: &'static Kind, body: &Json) -> Vec<(&'static str, &'static str, String)> {
    kind.unique.iter().filter_map(|f| str_of(body, f).map(|v| (kind.key, *f, v.to_string()))).collect()
}

/// Orders writes that move unique values between existing entities (a rename onto a name
/// another update gives up runs after that update) and breaks cycles (A and B swapping
/// names) with a temporary value, so that no write hits Kong's unique constraint.
fn order_unique_moves(changes: &mut Vec<Change>, desired: &[Desired], current: &[Current], schemas: &Schemas) {
    let holder: HashMap<(&str, &str, String), usize> =
        current.iter().enumerate().flat_map(|(i, c)| kinds::kind(c.kind).map(|k| unique_values(k, &c.body)).unwrap_or_default().into_iter().map(move |u| (u, i))).collect();
    let change_of_current: HashMap<usize, usize> =
        changes.iter().enumerate().filter_map(|(ci, c)| c.desired.and_then(|d| desired[d].matched).map(|m| (m, ci))).collect();
    // after[i]: writes that must run before write i, with the field that links them
    let mut after: Vec<Vec<(usize, &'static str)>> = vec![Vec::new(); changes.len()];
    for (ci, c) in changes.iter().enumerate() {
        let Some(d) = c.desired.map(|d| &desired[d]) else { continue };
        for (kind, field, value) in unique_values(d.kind, &d.body) {
            let Some(&h) = holder.get(&(kind, field, value.clone())) else { continue };
            if Some(h) == d.matched {
                continue;
            }
            let Some(&hc) = change_of_current.get(&h) else { continue };
            let gives_up = changes[hc].desired.is_some_and(|hd| str_of(&desired[hd].body, field) != Some(value.as_str()));
            if gives_up {
                after[ci].push((hc, field));
            }
        }
    }
    if after.iter().all(Vec::is_empty) {
        return;
    }
    let mut step: Vec<Option<usize>> = vec![None; changes.len()];
    loop {
        // resolve steps for everything whose predecessors are resolved
        let mut progressed = true;
        while progressed {
            progressed = false;
            for i in 0..changes.len() {
                if step[i].is_some() {
                    continue;
                }
                let deps: Option<Vec<usize>> = after[i].iter().map(|(j, _)| step[*j]).collect();
                if let Some(deps) = deps {
                    step[i] = Some(deps.iter().map(|s| s + 1).max().unwrap_or(0));
                    progressed = true;
                }
            }
        }
        // what is left sits on a cycle (or behind one): move one member out of the way first
        let Some(stuck) = (0..changes.len()).find(|&i| step[i].is_none() && !after[i].is_empty()) else { break };
        let mut seen = BTreeSet::new();
        let mut blocker = stuck;
        while seen.insert(blocker) {
            blocker = after[blocker].iter().map(|(j, _)| *j).find(|j| step[*j].is_none()).expect("an unresolved write waits on another");
        }
        let mut fields: Vec<&'static str> = after.iter().flatten().filter(|(j, _)| *j == blocker).map(|(_, f)| *f).collect();
        fields.sort();
        fields.dedup();
        let d = &desired[changes[blocker].desired.expect("a write")];
        let temp = temporary_move(&changes[blocker], &current[d.matched.expect("an update")].body, &fields, &|f| is_secret(d.kind, None, f, &d.secrets, schemas));
        changes.push(temp);
        let t = changes.len() - 1;
        step.push(Some(0));
        after.push(Vec::new());
        for deps in after.iter_mut() {
            for (j, _) in deps.iter_mut() {
                if *j == blocker {
                    *j = t;
                }
            }
        }
    }
    for (c, s) in changes.iter_mut().zip(step) {
        c.step = s.unwrap_or(0);
    }
}

/// An extra update that parks an entity's unique values on temporary ones.
fn temporary_move(c: &Change, current: &Json, fields: &[&str], secret: &dyn Fn(&str) -> bool) -> Change {
    let short: String = c.id.chars().filter(|ch| *ch != '-').take(8).collect();
    let mut body = c.body.clone().unwrap_or(Json::Null);
    let mut changed = BTreeMap::new();
    for f in fields {
        let old = str_of(current, f).unwrap_or_default();
        let temp = format!("swap-{short}-{old}");
        body[*f] = Json::String(temp.clone());
        let shown = |v: &str| Some(Json::String(if secret(f) { MASK.into() } else { v.into() }));
        changed.insert(f.to_string(), FieldChange { old: shown(old), new: shown(&temp) });
    }
    Change {
        action: Action::Update,
        kind: c.kind,
        name: format!("{} (parked on a temporary {} that another update takes)", c.name, fields.join(", ")),
        id: c.id.clone(),
        fields: changed,
        body: Some(body),
        parent: c.parent.clone(),
        level: c.level,
        early: false,
        step: 0,
        desired: None,
    }
}

fn is_secret(kind: &Kind, plugin: Option<&str>, path: &str, env: &BTreeSet<String>, schemas: &Schemas) -> bool {
    if env.iter().any(|p| path == p || path.starts_with(&format!("{p}.")) || path.starts_with(&format!("{p}["))) {
        return true;
    }
    let top = path.split(['.', '[']).next().unwrap_or("");
    if kind.secret_fields.contains(&top) {
        return true;
    }
    if let (Some(name), Some(rest)) = (plugin, path.strip_prefix("config.")) {
        if let Some(schema) = schemas.plugin(name) {
            let mut s = &schema.config;
            for part in rest.split('.') {
                let field = part.split('[').next().unwrap_or(part);
                match s.fields.get(field) {
                    Some(sub) => {
                        s = if part.contains('[') { sub.items.as_deref().unwrap_or(sub) } else { sub };
                    }
                    None => return false,
                }
                if s.encrypted {
                    return true;
                }
            }
        }
    }
    false
}

const MASK: &str = "[masked]";

/// Field-level differences from `old` to `new`, by path.
fn diff(path: &str, old: Option<&Json>, new: Option<&Json>, out: &mut BTreeMap<String, FieldChange>, secret: &dyn Fn(&str) -> bool) {
    let key = |k: &str| if path.is_empty() { k.to_string() } else { format!("{path}.{k}") };
    match (old, new) {
        (Some(Json::Object(a)), Some(Json::Object(b))) => {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for k in keys {
                diff(&key(k), a.get(k), b.get(k), out, secret);
            }
        }
        (None, Some(Json::Object(b))) if !b.is_empty() => {
            for (k, v) in b {
                diff(&key(k), None, Some(v), out, secret);
            }
        }
        (Some(Json::Array(a)), Some(Json::Array(b))) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                diff(&format!("{path}[{i}]"), Some(x), Some(y), out, secret);
            }
        }
        (a, b) => {
            if !same(a, b) {
                let s = secret(path);
                let show = |v: Option<&Json>| v.map(|v| if s { Json::String(MASK.into()) } else { v.clone() });
                out.insert(path.to_string(), FieldChange { old: show(a), new: show(b) });
            }
        }
    }
}

fn same(a: Option<&Json>, b: Option<&Json>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(Json::Number(x)), Some(Json::Number(y))) => x.as_f64() == y.as_f64(),
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// The masked JSON document `diff --output json` prints.
pub fn to_json(plan: &Plan, errors: &[String]) -> Json {
    let mut doc = Map::new();
    doc.insert("changes".into(), serde_json::to_value(&plan.changes).unwrap_or(Json::Null));
    doc.insert("summary".into(), serde_json::to_value(plan.summary()).unwrap_or(Json::Null));
    doc.insert("errors".into(), Json::from(errors.to_vec()));
    Json::Object(doc)
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
}
