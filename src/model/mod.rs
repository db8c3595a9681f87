//! The config as Kong sees it: a flat list of entities built from a decK document.
//!
//! decK files nest (routes under services, targets under upstreams, plugins under
//! anything); Kong stores flat entities with foreign keys. [`Config::from_document`] does
//! that flattening the way decK does: a nested child gets a reference to its parent, and
//! `_info.defaults` / `_info.select_tags` are applied.

pub mod kinds;

use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::node::{Node, Value};
use crate::rules;
use crate::source::Loc;

/// Top-level keys of the decK file format (go-database-reconciler's file schema, plus
/// `ai_models` from newer decK).
pub const TOP_LEVEL_KEYS: &[&str] = &[
    "_format_version", "_info", "_konnect", "_plugin_configs", "_transform", "_workspace", "services", "routes",
    "consumers", "consumer_groups", "plugins", "upstreams", "certificates", "ca_certificates", "vaults", "partials",
    "keys", "key_sets", "filter_chains", "licenses", "rbac_roles", "custom_entities", "cloned_plugins",
    "custom_plugins", "service_packages", "ai_models",
];

/// The `'static` spelling of an entity kind that references can point at.
pub fn static_kind(kind: &str) -> Option<&'static str> {
    kinds::kind(kind).map(|k| k.key)
}

/// The `custom_entities` types decK syncs (deck cmd/root.go `supportedCustomEntityTypes`, GDR
/// pkg/file/builder.go `customEntities`); each is an entity kind of its own here.
pub const CUSTOM_ENTITY_KINDS: &[&str] = &["degraphql_routes", "graphql_ratelimiting_cost_decorations"];

/// Consumer credential collections that decK nests under consumers.
pub const CREDENTIAL_KINDS: &[&str] = &[
    "keyauth_credentials", "basicauth_credentials", "jwt_secrets", "hmacauth_credentials", "oauth2_credentials",
    "mtls_auth_credentials", "acls",
];

/// The child collections decK allows under an entity kind.
pub fn child_kinds(kind: &str) -> &'static [&'static str] {
    match kind {
        "services" => &["routes", "plugins", "filter_chains"],
        "routes" => &["plugins", "filter_chains"],
        "consumers" => &[
            "plugins", "groups", "keyauth_credentials", "basicauth_credentials", "jwt_secrets",
            "hmacauth_credentials", "oauth2_credentials", "mtls_auth_credentials", "acls",
        ],
        "consumer_groups" => &["plugins", "consumers"],
        "upstreams" => &["targets"],
        "certificates" => &["snis"],
        "key_sets" => &["keys"],
        "rbac_roles" => &["endpoint_permissions"],
        _ => &[],
    }
}

/// The foreign key a child of `parent_kind` gets pointing at its parent.
fn parent_key(parent_kind: &str) -> &'static str {
    match parent_kind {
        "services" => "service",
        "routes" => "route",
        "consumers" => "consumer",
        "consumer_groups" => "consumer_group",
        "upstreams" => "upstream",
        "certificates" => "certificate",
        "key_sets" => "set",
        "rbac_roles" => "role",
        _ => "parent",
    }
}

/// The kind a child collection holds (`groups` under consumers are memberships).
fn child_entity_kind(parent_kind: &str, key: &str) -> &'static str {
    match (parent_kind, key) {
        ("consumers", "groups") | ("consumer_groups", "consumers") => "consumer_group_consumers",
        (_, "routes") => "routes",
        (_, "plugins") => "plugins",
        (_, "filter_chains") => "filter_chains",
        (_, "targets") => "targets",
        (_, "snis") => "snis",
        (_, "keys") => "keys",
        (_, "endpoint_permissions") => "rbac_endpoint_permissions",
        _ => CREDENTIAL_KINDS.iter().copied().find(|k| *k == key).unwrap_or("unknown"),
    }
}

#[derive(Debug, Clone)]
pub struct Entity {
    /// decK collection name: `services`, `routes`, `plugins`, `keyauth_credentials`, ...
    pub kind: &'static str,
    /// The entity's own fields (children removed, parent reference added).
    pub node: Node,
    /// Where it sits in the merged document: `services[0].routes[1]`.
    pub path: String,
}

impl Entity {
    pub fn name(&self) -> Option<&str> {
        match self.kind {
            "consumers" => self.node.get_str("username").or_else(|| self.node.get_str("custom_id")),
            "targets" => self.node.get_str("target"),
            "vaults" => self.node.get_str("prefix"),
            // what decK matches them by (GDR pkg/state/graphql_ratelimiting_cost_decoration.go)
            "graphql_ratelimiting_cost_decorations" => self.node.get_str("type_path"),
            _ => self.node.get_str("name"),
        }
    }

    pub fn id(&self) -> Option<&str> {
        self.node.get_str("id")
    }

    /// A human label: `routes/azure-chat-route`, `plugins/key-auth (service s1)`.
    pub fn label(&self) -> String {
        if self.kind == "plugins" {
            let name = self.node.get_str("name").unwrap_or("?");
            let scopes: Vec<String> = ["service", "route", "consumer", "consumer_group"]
                .iter()
                .filter_map(|k| reference(&self.node, k).map(|r| format!("{} {}", k.replace('_', " "), r.key)))
                .chain(self.node.get_str("model").map(|m| format!("model {m}")))
                .collect();
            let inst = self.node.get_str("instance_name").map(|i| format!(" [{i}]")).unwrap_or_default();
            return if scopes.is_empty() {
                format!("plugins/{name}{inst} (global)")
            } else {
                format!("plugins/{name}{inst} ({})", scopes.join(", "))
            };
        }
        match self.name().or_else(|| self.id()) {
            Some(n) => format!("{}/{}", self.kind, n),
            None => self.path.clone(),
        }
    }
}

/// A reference to another entity, as decK accepts it: a string (name or id) or `{id}`/`{name}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Ref {
    pub key: String,
    pub loc: Loc,
}

pub fn reference(node: &Node, field: &str) -> Option<Ref> {
    let n = node.get_set(field)?;
    let key = match &n.value {
        Value::Str(s) => s.clone(),
        Value::Map(_) => n
            .get_str("id")
            .or_else(|| n.get_str("name"))
            .or_else(|| n.get_str("username"))?
            .to_string(),
        _ => return None,
    };
    Some(Ref { key, loc: n.loc })
}

#[derive(Debug, Default, Clone)]
pub struct Config {
    pub entities: Vec<Entity>,
    /// (kind, id) and (kind, name) -> position in `entities` (first one wins).
    ids: std::collections::HashMap<(&'static str, String), usize>,
    names: std::collections::HashMap<(&'static str, String), usize>,
    pub format_version: Option<String>,
    pub workspace: Option<String>,
    pub select_tags: Vec<String>,
    /// `_info.skip_hash_for_basic_auth`: basic-auth passwords in the file are Kong's hashes.
    pub skip_hash_for_basic_auth: bool,
    /// `_info.include_plugin_definitions`: cloned and custom plugin definitions are managed.
    pub include_plugin_definitions: bool,
    /// `_info.default_lookup_tags`: per kind (`consumer_groups`, `consumers`, `partials`,
    /// `routes`, `services`), the tags decK selects the gateway's entities by when a reference
    /// is not in the file (go-database-reconciler `pkg/file/types.go` `LookUpSelectorTags`,
    /// `pkg/dump/dump.go`): such entities are managed by other files.
    pub lookup_tags: Vec<(&'static str, Vec<String>)>,
    /// `_info.consumer_group_policy_overrides`: rate-limiting-advanced may keep its
    /// `consumer_groups` on Enterprise 3.4+ (decK's `--consumer-group-policy-overrides`).
    pub consumer_group_policy_overrides: bool,
}

impl Config {
    /// The `_info.default_lookup_tags` for references to `kind`, if the file sets any. A
    /// consumer can also come from the gateway as a member of a looked-up consumer group
    /// (go-database-reconciler `pkg/dump/dump.go` fetches those groups with their consumers).
    pub fn lookup_tags_for(&self, kind: &str) -> Option<&[String]> {
        let find = |k: &str| self.lookup_tags.iter().find(|(x, _)| *x == k).map(|(_, t)| t.as_slice());
        find(kind).or_else(|| if kind == "consumers" { find("consumer_groups") } else { None })
    }

    pub fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Entity> + 'a {
        self.entities.iter().filter(move |e| e.kind == kind)
    }

    /// Finds an entity of `kind` by id or name.
    pub fn find(&self, kind: &str, key: &str) -> Option<&Entity> {
        let kind = crate::model::static_kind(kind)?;
        let k = (kind, key.to_string());
        self.ids.get(&k).or_else(|| self.names.get(&k)).map(|&i| &self.entities[i])
    }

    fn build_index(&mut self) {
        for (i, e) in self.entities.iter().enumerate() {
            if let Some(id) = e.id() {
                self.ids.entry((e.kind, id.to_string())).or_insert(i);
            }
            if let Some(name) = e.name() {
                self.names.entry((e.kind, name.to_string())).or_insert(i);
            }
            if e.kind == "consumers" {
                if let Some(c) = e.node.get_str("custom_id") {
                    self.names.entry((e.kind, c.to_string())).or_insert(i);
                }
            }
        }
    }

    /// Flattens a merged decK document. Structural problems become diagnostics.
    pub fn from_document(doc: &Node, out: &mut Vec<Diagnostic>) -> Config {
        let mut cfg = Config::default();
        let info = doc.get_set("_info");
        cfg.select_tags = info
            .and_then(|i| i.get("select_tags"))
            .and_then(Node::as_seq)
            .map(|s| s.iter().filter_map(|t| t.as_str().map(String::from)).collect())
            .unwrap_or_default();
        cfg.format_version = doc.get_set("_format_version").map(|n| match &n.value {
            Value::Str(s) => s.clone(),
            _ => n.to_json(false).to_string(),
        });
        cfg.workspace = doc.get_str("_workspace").map(String::from);
        cfg.skip_hash_for_basic_auth = info.and_then(|i| i.get("skip_hash_for_basic_auth")).and_then(Node::as_bool).unwrap_or(false);
        cfg.include_plugin_definitions = info.and_then(|i| i.get("include_plugin_definitions")).and_then(Node::as_bool).unwrap_or(false);
        cfg.consumer_group_policy_overrides =
            info.and_then(|i| i.get("consumer_group_policy_overrides")).and_then(Node::as_bool).unwrap_or(false);
        if let Some(lookup) = info.and_then(|i| i.get_set("default_lookup_tags")) {
            for kind in ["consumer_groups", "consumers", "partials", "routes", "services"] {
                let tags: Vec<String> = lookup
                    .get(kind)
                    .and_then(Node::as_seq)
                    .map(|s| s.iter().filter_map(|t| t.as_str().map(String::from)).collect())
                    .unwrap_or_default();
                if !tags.is_empty() {
                    cfg.lookup_tags.push((kind, tags));
                }
            }
        }
        for e in doc.entries() {
            if TOP_LEVEL_KEYS.contains(&e.key.as_str()) {
                if e.key.starts_with('_') {
                    continue;
                }
                let kind = TOP_LEVEL_KEYS.iter().copied().find(|k| *k == e.key).unwrap_or("unknown");
                match &e.value.value {
                    Value::Seq(items) => {
                        for (i, item) in items.iter().enumerate() {
                            cfg.add(kind, item, format!("{kind}[{i}]"), None, out);
                        }
                    }
                    Value::Null => {}
                    _ => out.push(
                        Diagnostic::new(&rules::WRONG_TYPE, "expected an array")
                            .at(e.value.loc)
                            .field(e.key.clone()),
                    ),
                }
            } else {
                let mut d = Diagnostic::new(&rules::UNKNOWN_TOP_LEVEL_KEY, format!("unknown top-level key `{}`", e.key))
                    .at(e.key_loc)
                    .field(e.key.clone());
                if let Some(s) = did_you_mean(&e.key, TOP_LEVEL_KEYS.iter().copied()) {
                    d = d.hint(format!("did you mean `{s}`?"));
                }
                out.push(d);
            }
        }
        if let Some(defaults) = info.and_then(|i| i.get_set("defaults")) {
            cfg.apply_defaults(defaults);
        }
        if !cfg.select_tags.is_empty() {
            let loc = info.map(|i| i.loc).unwrap_or_default();
            cfg.apply_select_tags(loc);
        }
        cfg.build_index();
        cfg
    }

    fn add(&mut self, kind: &'static str, item: &Node, path: String, parent: Option<(&str, Node)>, out: &mut Vec<Diagnostic>) {
        if !item.is_map() {
            out.push(Diagnostic::new(&rules::WRONG_TYPE, "expected a record").at(item.loc).field(path));
            return;
        }
        // decK's supported custom entities, `{type: T, id?, fields: {...}}` (GDR
        // pkg/file/builder.go `customEntities`): the entity is its `fields`, plus its `id`
        if kind == "custom_entities" {
            if let Some(custom) = item.get_str("type").and_then(|t| CUSTOM_ENTITY_KINDS.iter().find(|k| **k == t)) {
                let Some(mut node) = item.get("fields").filter(|f| f.is_map()).cloned() else {
                    // GDR pkg/file/builder.go `copyToDegraphqlRoute` and
                    // `copyToGraphqlRateLimitingCostDecoration`: "fields are required for T"
                    out.push(
                        Diagnostic::new(&rules::REQUIRED_FIELD, format!("fields are required for {custom}"))
                            .at(item.get("fields").map_or(item.loc, |f| f.loc))
                            .field(format!("{path}.fields")),
                    );
                    return;
                };
                if let Some(id) = item.get_set("id") {
                    node.set("id", id.clone());
                }
                self.entities.push(Entity { kind: custom, node, path });
                return;
            }
        }
        let mut node = item.clone();
        let children: Vec<(String, Node)> = child_kinds(kind)
            .iter()
            .filter_map(|k| node.remove(k).map(|v| (k.to_string(), v)))
            .collect();
        if let Some((pkind, pref)) = &parent {
            let key = parent_key(pkind);
            if kind == "consumer_group_consumers" {
                // a membership: `groups: [{name}]` under a consumer, `consumers: [..]` under a group
                let other = if *pkind == "consumers" { "consumer_group" } else { "consumer" };
                let mut m = Node::map(item.loc);
                let target = if item.is_map() { item.clone() } else { Node::str(item.as_str().unwrap_or(""), item.loc) };
                m.set(other, target);
                m.set(key, pref.clone());
                node = m;
            } else {
                if node.get_set(key).is_some() && kind == "plugins" {
                    out.push(
                        Diagnostic::new(&rules::ENTITY_CHECK, format!("nested plugin sets its own `{key}`: nested entities get their parent as foreign key"))
                            .at(node.loc)
                            .field(format!("{path}.{key}")),
                    );
                }
                node.set(key, pref.clone());
            }
        }
        let self_ref = {
            let mut r = Node::map(item.loc);
            if let Some(id) = node.get_set("id") {
                r.set("id", id.clone());
            } else if let Some(name) = match kind {
                "consumers" => node.get_set("username").or_else(|| node.get_set("custom_id")),
                _ => node.get_set("name"),
            } {
                r.set(if kind == "consumers" { "username" } else { "name" }, name.clone());
            } else {
                r.set("path", Node::str(path.clone(), item.loc));
            }
            r
        };
        self.entities.push(Entity { kind, node, path: path.clone() });
        for (ckey, cval) in children {
            let ckind = child_entity_kind(kind, &ckey);
            match &cval.value {
                Value::Seq(items) => {
                    for (i, child) in items.iter().enumerate() {
                        let child_node = if ckind == "consumer_group_consumers" && !child.is_map() {
                            let mut m = Node::map(child.loc);
                            m.set(if kind == "consumers" { "name" } else { "username" }, child.clone());
                            m
                        } else {
                            child.clone()
                        };
                        self.add(ckind, &child_node, format!("{path}.{ckey}[{i}]"), Some((kind, self_ref.clone())), out);
                    }
                }
                Value::Null => {}
                _ => out.push(Diagnostic::new(&rules::WRONG_TYPE, "expected an array").at(cval.loc).field(format!("{path}.{ckey}"))),
            }
        }
    }

    fn apply_defaults(&mut self, defaults: &Node) {
        for (key, kind) in [("service", "services"), ("route", "routes"), ("upstream", "upstreams"), ("target", "targets")] {
            let Some(d) = defaults.get_set(key) else { continue };
            for ent in self.entities.iter_mut().filter(|e| e.kind == kind) {
                for f in d.entries() {
                    if matches!(f.key.as_str(), "id" | "name" | "target") {
                        continue;
                    }
                    if ent.node.get(&f.key).is_none() {
                        ent.node.set(&f.key, f.value.clone());
                    }
                }
            }
        }
    }

    /// Adds select tags given outside the file (`--select-tag`): they mark every entity the
    /// file writes, as `_info.select_tags` does (decK does the same with its flag).
    pub fn add_select_tags(&mut self, tags: &[String]) {
        let new: Vec<String> = tags.iter().filter(|t| !self.select_tags.contains(t)).cloned().collect();
        if new.is_empty() {
            return;
        }
        self.select_tags.extend(new);
        self.select_tags.sort();
        self.apply_select_tags(Loc::default());
    }

    fn apply_select_tags(&mut self, loc: Loc) {
        for ent in &mut self.entities {
            // kinds without tags (memberships, licenses, RBAC, DeGraphQL routes)
            if kinds::kind(ent.kind).is_some_and(|k| !k.tagged) {
                continue;
            }
            let mut tags: Vec<Node> = ent.node.get("tags").and_then(Node::as_seq).map(<[Node]>::to_vec).unwrap_or_default();
            for t in &self.select_tags {
                if !tags.iter().any(|n| n.as_str() == Some(t)) {
                    tags.push(Node::str(t.clone(), loc));
                }
            }
            ent.node.set("tags", Node::new(Value::Seq(tags), loc));
        }
    }
}

impl Config {
    /// The service a route points at, if it resolves.
    pub fn service_of(&self, route: &Entity) -> Option<&Entity> {
        reference(&route.node, "service").and_then(|r| self.find("services", &r.key))
    }

    /// The routes a plugin runs on: its route, the routes of its service, or every route
    /// for global and consumer-only plugins.
    pub fn routes_for_plugin<'a>(&'a self, plugin: &Entity) -> Vec<&'a Entity> {
        if let Some(r) = reference(&plugin.node, "route") {
            return self.find("routes", &r.key).into_iter().collect();
        }
        if let Some(s) = reference(&plugin.node, "service") {
            let Some(svc) = self.find("services", &s.key) else { return Vec::new() };
            return self
                .of_kind("routes")
                .filter(|r| self.service_of(r).is_some_and(|rs| std::ptr::eq(rs, svc)))
                .collect();
        }
        self.of_kind("routes").collect()
    }
}
