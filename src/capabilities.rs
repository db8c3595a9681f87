//! What a gateway can hold: its version, edition, database mode, wasm setting, router flavor
//! and loaded plugins (as `GET /` reports them), and from those, which entity kinds it serves.
//!
//! Pure: [`GatewayInfo::from_root`] reads the JSON of `GET /` (and, where that says little,
//! the route list of `GET /endpoints`); [`availability`] answers for one kind; [`check`] turns
//! a config into the errors a gateway would answer, before anything is written. The facts are
//! restated from Kong's source as ../shared/reference/gateway-versions.md cites it:
//! `kong/api/routes/kong.lua` (what `GET /` reports), `kong/constants.lua` (CORE_ENTITIES per
//! version), `kong/api/routes/filter_chains.lua` (PR #11222: 400 while wasm is off),
//! `kong/db/dao/plugins.lua` with `kong/plugins/*/daos.lua` (credential collections exist only
//! while their plugin is loaded), and go-kong `kong/versioning.go` (Enterprise has four parts).

use crate::model::kinds::Kind;
use crate::model::Config;
use crate::plan::PlanError;
use serde::Serialize;
use serde_json::Value as Json;
use std::collections::BTreeSet;

/// A Kong version: `3.10.0` or, on Enterprise, `3.10.0.3`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl Version {
    pub const fn new(major: u32, minor: u32, patch: u32) -> Version {
        Version { major, minor, patch }
    }

    /// The leading numeric parts of a version string (`3.10.0.3`, `2.8.1.0-enterprise-edition`),
    /// and how many there were.
    pub fn parse(s: &str) -> Option<(Version, usize)> {
        let parts: Vec<u32> = s.split(['.', '-']).map_while(|p| p.parse().ok()).collect();
        if parts.len() < 2 {
            return None;
        }
        Some((Version::new(parts[0], parts[1], parts.get(2).copied().unwrap_or(0)), parts.len()))
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// What `GET /` (and, where needed, `GET /endpoints`) says about a gateway.
#[derive(Clone, Debug, Serialize)]
pub struct GatewayInfo {
    /// As the gateway reports it (`3.10.0.3`).
    pub version: String,
    /// `None` when the version string is not one Kong would report.
    #[serde(skip)]
    pub parsed: Option<Version>,
    pub enterprise: bool,
    /// `configuration.database`: `postgres`, `off` (DB-less), or `None` when not reported.
    pub database: Option<String>,
    /// `configuration.role`: `traditional`, `control_plane`, `data_plane`.
    pub role: Option<String>,
    /// `configuration.wasm` (Kong 3.4+).
    pub wasm: Option<bool>,
    /// `configuration.router_flavor`.
    pub router_flavor: Option<String>,
    /// `configuration.loaded_plugins` (or the keys of `plugins.available_on_server`), sorted.
    pub loaded_plugins: Option<BTreeSet<String>>,
    /// Route patterns of `GET /endpoints`, when they were asked for.
    #[serde(skip)]
    pub endpoints: Option<BTreeSet<String>>,
}

impl GatewayInfo {
    /// Reads `GET /`. `None` when the answer is not a Kong Admin API's.
    pub fn from_root(root: &Json) -> Option<GatewayInfo> {
        let looks_like_kong = root.get("tagline").is_some() || root.get("configuration").is_some() || root.get("plugins").is_some();
        let version = root.get("version").and_then(Json::as_str).filter(|_| looks_like_kong)?.to_string();
        let parsed = Version::parse(&version);
        // `edition` since 3.6 (Kong/kong PR #12097); before that, Enterprise is told by its
        // four-part version (go-kong kong/versioning.go) or an `enterprise` suffix
        let enterprise = match root.get("edition").and_then(Json::as_str) {
            Some(e) => e == "enterprise",
            None => parsed.is_some_and(|(_, n)| n >= 4) || version.contains("enterprise"),
        };
        let conf = root.get("configuration");
        let conf_str = |k: &str| conf.and_then(|c| c.get(k)).and_then(Json::as_str).map(String::from);
        let loaded = conf
            .and_then(|c| c.get("loaded_plugins"))
            .or_else(|| root.pointer("/plugins/available_on_server"))
            .and_then(|p| match p {
                Json::Object(m) => Some(m.iter().filter(|(_, v)| !matches!(v, Json::Bool(false))).map(|(k, _)| k.clone()).collect()),
                Json::Array(a) => Some(a.iter().filter_map(Json::as_str).map(String::from).collect()),
                _ => None,
            });
        Some(GatewayInfo {
            version,
            parsed: parsed.map(|(v, _)| v),
            enterprise,
            database: conf_str("database"),
            role: conf_str("role"),
            wasm: conf.and_then(|c| c.get("wasm")).and_then(Json::as_bool),
            router_flavor: conf_str("router_flavor"),
            loaded_plugins: loaded,
            endpoints: None,
        })
    }

    /// Whether `GET /endpoints` would tell more than `GET /` did: the plugin list or the
    /// version is missing.
    pub fn wants_endpoints(&self) -> bool {
        self.loaded_plugins.is_none() || self.parsed.is_none()
    }

    /// Reads `GET /endpoints` (Kong 1.4.1+, PR #5007): `{"data": ["/services", ...]}`.
    pub fn add_endpoints(&mut self, answer: &Json) {
        if let Some(list) = answer.get("data").and_then(Json::as_array) {
            self.endpoints = Some(list.iter().filter_map(Json::as_str).map(String::from).collect());
        }
    }

    /// DB-less: `database = off`.
    pub fn dbless(&self) -> bool {
        self.database.as_deref() == Some("off")
    }

    pub fn edition(&self) -> &'static str {
        if self.enterprise {
            "enterprise"
        } else {
            "community"
        }
    }

    fn at_least(&self, v: Version) -> Option<bool> {
        self.parsed.map(|p| p >= v)
    }

    /// `Some(true)` when the gateway's `/endpoints` lists `path`, `None` without that list.
    fn serves(&self, path: &str) -> Option<bool> {
        self.endpoints.as_ref().map(|e| e.contains(path))
    }
}

/// Whether a gateway serves an entity kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Availability {
    Yes,
    /// It does not; the reason names the version, edition or setting.
    No(String),
    /// The gateway did not say: read it, tolerating the answers decK tolerates.
    Unknown,
}

/// The plugin whose DAO brings a credential collection (`kong/plugins/<name>/daos.lua`).
pub fn owning_plugin(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "keyauth_credentials" => "key-auth",
        "basicauth_credentials" => "basic-auth",
        "acls" => "acl",
        "jwt_secrets" => "jwt",
        "hmacauth_credentials" => "hmac-auth",
        "oauth2_credentials" => "oauth2",
        "mtls_auth_credentials" => "mtls-auth",
        _ => return None,
    })
}

const KEY_SETS_SINCE: Version = Version::new(3, 1, 0);
const FILTER_CHAINS_SINCE: Version = Version::new(3, 4, 0);
const WASM_DROPPED: Version = Version::new(3, 11, 0);
const PARTIALS_SINCE: Version = Version::new(3, 10, 0);

/// Whether `info`'s gateway serves `kind`, and if not, why.
pub fn availability(kind: &Kind, info: &GatewayInfo) -> Availability {
    use Availability::*;
    let by_endpoint = || match info.serves(kind.path) {
        Some(true) => Yes,
        Some(false) => No(format!("this gateway's Admin API has no {} endpoint (GET /endpoints)", kind.path)),
        None => Unknown,
    };
    let enterprise_only = |what: &str| {
        if info.enterprise {
            None
        } else {
            Some(No(format!("{what} are Kong Enterprise entities, and this gateway is Kong Gateway (OSS) {}", info.version)))
        }
    };
    match kind.key {
        "key_sets" | "keys" => match info.at_least(KEY_SETS_SINCE) {
            Some(true) => Yes,
            Some(false) => No(format!("key sets and keys arrived in Kong 3.1 (kong/constants.lua), and this gateway is {}", info.version)),
            None => by_endpoint(),
        },
        "filter_chains" => {
            if info.at_least(FILTER_CHAINS_SINCE) == Some(false) {
                return No(format!("filter chains arrived in Kong 3.4, and this gateway is {}", info.version));
            }
            match info.wasm {
                Some(true) => Yes,
                _ if info.at_least(WASM_DROPPED) == Some(true) => {
                    No(format!("Kong 3.11 and later ship without wasm (Kong/kong PR #14347), and this gateway is {}", info.version))
                }
                Some(false) => No("wasm is off on this gateway (`wasm = off`, Kong's default): its filter-chain endpoints answer 400 (Kong/kong PR #11222)".into()),
                None => Unknown,
            }
        }
        "consumer_groups" | "consumer_group_consumers" => enterprise_only("consumer groups").unwrap_or(Yes),
        "partials" => enterprise_only("partials").unwrap_or_else(|| match info.at_least(PARTIALS_SINCE) {
            Some(false) => No(format!("partials arrived in Kong Enterprise 3.10, and this gateway is {}", info.version)),
            Some(true) => Yes,
            None => Unknown,
        }),
        "licenses" => enterprise_only("licenses").unwrap_or(Yes),
        "rbac_roles" | "rbac_endpoint_permissions" => enterprise_only("RBAC roles").unwrap_or(if info.dbless() {
            No("RBAC needs a database: this gateway runs DB-less (`database = off`)".into())
        } else {
            Yes
        }),
        "degraphql_routes" => enterprise_only("DeGraphQL routes").unwrap_or(Yes),
        "graphql_ratelimiting_cost_decorations" => enterprise_only("GraphQL rate-limiting cost decorations").unwrap_or(Yes),
        "cloned_plugins" | "custom_plugins" => enterprise_only("plugin definitions").unwrap_or(Unknown),
        // AI Gateway 2.x entities (deck.md §9): a Kong Gateway may or may not serve them
        "ai_models" => enterprise_only("AI models").unwrap_or(Unknown),
        other => match owning_plugin(other) {
            Some(plugin) => {
                if let Some(no) = if other == "mtls_auth_credentials" { enterprise_only("mTLS credentials") } else { None } {
                    return no;
                }
                match &info.loaded_plugins {
                    Some(loaded) if loaded.contains(plugin) => Yes,
                    Some(_) => No(format!("the {plugin} plugin is not loaded on this gateway (its `plugins` setting), so it has no {} endpoint", kind.path)),
                    None => by_endpoint(),
                }
            }
            // the core entities every Kong 3.x serves (kong/constants.lua CORE_ENTITIES)
            None => Yes,
        },
    }
}

/// The errors this gateway would answer to the config, at each entity, before any write:
/// kinds it does not serve, plugins it has not loaded, and routes its router flavor refuses.
pub fn check(config: &Config, info: &GatewayInfo) -> Vec<PlanError> {
    let mut errors = check_settings(config, info);
    errors.extend(route_flavor(config, info));
    errors
}

/// [`check`] without the router flavor's route checks (which `validate --online` reports as
/// the route findings themselves, see [`flavor_of`]).
pub fn check_settings(config: &Config, info: &GatewayInfo) -> Vec<PlanError> {
    let mut errors = Vec::new();
    // plugins the config or the gateway defines as clones or custom plugins are known by name
    let defined: BTreeSet<&str> = config.of_kind("cloned_plugins").chain(config.of_kind("custom_plugins")).filter_map(|e| e.node.get_str("name")).collect();
    for e in &config.entities {
        let Some(kind) = crate::model::kinds::kind(e.kind) else { continue };
        if let Availability::No(why) = availability(kind, info) {
            errors.push(PlanError { at: e.node.loc, message: format!("{}: {why}", e.label()) });
            continue;
        }
        if e.kind != "plugins" {
            continue;
        }
        if let Some(message) = policy_without_database(e, info) {
            errors.push(PlanError { at: e.node.get("config").and_then(|c| c.get("policy")).unwrap_or(&e.node).loc, message });
        }
        if let Some(message) = acme_storage(e, info) {
            errors.push(PlanError { at: e.node.get("config").and_then(|c| c.get("storage")).unwrap_or(&e.node).loc, message });
        }
        let (Some(name), Some(loaded)) = (e.node.get_str("name"), &info.loaded_plugins) else { continue };
        if !loaded.contains(name) && !defined.contains(name) {
            errors.push(PlanError {
                at: e.node.loc,
                message: format!(
                    "{}: the {name} plugin is not loaded on this gateway ({} {}): add it to Kong's `plugins` setting; Kong would answer \"plugin '{name}' not enabled; add it to the 'plugins' configuration property\"",
                    e.label(),
                    info.edition(),
                    info.version
                ),
            });
        }
    }
    errors
}

/// The gateway's router flavor and Kong's name for it: `configuration.router_flavor`, Kong's
/// default traditional_compatible when it does not say. Kong's pre-ATC `traditional` flavor
/// is checked as traditional_compatible.
pub fn flavor_of(info: &GatewayInfo) -> (crate::router::Flavor, &str) {
    let name = info.router_flavor.as_deref().unwrap_or("traditional_compatible");
    (crate::router::Flavor::from_name(name).unwrap_or(crate::router::Flavor::TraditionalCompatible), name)
}

/// The route checks of the gateway's router flavor (`configuration.router_flavor`, Kong's
/// default traditional_compatible when it does not say): expression routes on a gateway
/// without the expressions flavor, and what Kong's ATC router refuses (validate::
/// routes_for_flavor). Kong's pre-ATC `traditional` flavor is checked as traditional_compatible.
fn route_flavor(config: &Config, info: &GatewayInfo) -> Vec<PlanError> {
    let (flavor, name) = flavor_of(info);
    crate::validate::routes_for_flavor(config, flavor)
        .into_iter()
        .map(|d| PlanError {
            at: d.loc.unwrap_or(crate::source::Loc { file: crate::source::FileId(0), line: 1, column: 1 }),
            message: format!("{}{}: {} (this gateway's router_flavor is {name})", d.entity.as_deref().unwrap_or("route"), d.field.as_deref().map(|f| format!(" {f}")).unwrap_or_default(), d.message),
        })
        .collect()
}

/// acme's storage: `kong` needs a database (DB-less, except on a data plane) and `shm` is
/// refused on a control plane (kong/plugins/acme/schema.lua, custom_entity_check).
fn acme_storage(e: &crate::model::Entity, info: &GatewayInfo) -> Option<String> {
    if e.node.get_str("name") != Some("acme") {
        return None;
    }
    let storage = e.node.get("config").and_then(|c| c.get_str("storage"));
    let role = info.role.as_deref();
    let said = match storage {
        Some("kong") if info.dbless() && role != Some("data_plane") => "\"kong\" storage can't be used with dbless mode",
        Some("shm") if role == Some("control_plane") => "\"shm\" storage can't be used in Hybrid mode",
        _ => return None,
    };
    Some(format!("{}: {said}", e.label()))
}

/// rate-limiting and response-ratelimiting offer `policy: cluster` only with a database:
/// their schemas drop it from the policy's `one_of` when `database = off` or on a control
/// plane (kong/plugins/rate-limiting/schema.lua and kong/plugins/response-ratelimiting/
/// schema.lua, `is_dbless`), so Kong answers "expected one of: local, redis".
fn policy_without_database(e: &crate::model::Entity, info: &GatewayInfo) -> Option<String> {
    let name = e.node.get_str("name")?;
    if !matches!(name, "rate-limiting" | "response-ratelimiting") {
        return None;
    }
    let dbless = info.dbless() || info.role.as_deref() == Some("control_plane");
    let policy = e.node.get("config").and_then(|c| c.get_str("policy"));
    (dbless && policy == Some("cluster")).then(|| {
        let mode = if info.dbless() { "runs DB-less (`database = off`)" } else { "is a control plane" };
        format!("{}: config.policy: expected one of: local, redis (this gateway {mode}; the cluster policy needs a database)", e.label())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::kinds::kind;
    use serde_json::json;

    fn info(root: Json) -> GatewayInfo {
        GatewayInfo::from_root(&root).expect("a Kong answer")
    }

    fn oss(version: &str, conf: Json) -> GatewayInfo {
        info(json!({"tagline": "Welcome to kong", "version": version, "configuration": conf}))
    }

    #[test]
    fn versions_and_editions_as_kong_reports_them() {
        // kong/api/routes/kong.lua: `edition` from 3.6; go-kong versioning.go: four parts = Enterprise
        assert!(info(json!({"tagline": "x", "version": "3.4.3.1"})).enterprise);
        assert!(!info(json!({"tagline": "x", "version": "3.4.2"})).enterprise);
        assert!(info(json!({"tagline": "x", "version": "2.8.1.0-enterprise-edition"})).enterprise);
        assert!(info(json!({"tagline": "x", "version": "3.10.0.3", "edition": "enterprise"})).enterprise);
        assert_eq!(Version::parse("3.10.0.3"), Some((Version::new(3, 10, 0), 4)));
        assert!(GatewayInfo::from_root(&json!({"version": "1.0"})).is_none(), "no tagline/configuration: not Kong");
    }

    #[test]
    fn loaded_plugins_from_configuration_or_available_on_server() {
        // kong.lua: configuration.loaded_plugins is a set (name -> true); available_on_server maps
        // each name to {version, priority}
        let a = oss("3.9.0", json!({"loaded_plugins": {"key-auth": true, "acl": true}}));
        assert_eq!(a.loaded_plugins.unwrap().into_iter().collect::<Vec<_>>(), ["acl", "key-auth"]);
        let b = info(json!({"tagline": "x", "version": "3.9.0", "plugins": {"available_on_server": {"jwt": {"version": "3.9.0", "priority": 1450}}}}));
        assert!(b.loaded_plugins.unwrap().contains("jwt"));
    }

    #[test]
    fn kinds_by_version_edition_and_setting() {
        let k = |key| kind(key).unwrap();
        let v30 = oss("3.0.1", json!({"database": "postgres"}));
        assert!(matches!(availability(k("key_sets"), &v30), Availability::No(m) if m.contains("3.1")));
        assert_eq!(availability(k("key_sets"), &oss("3.1.0", json!({}))), Availability::Yes);
        let wasm_off = oss("3.9.0", json!({"wasm": false}));
        assert!(matches!(availability(k("filter_chains"), &wasm_off), Availability::No(m) if m.contains("wasm is off")));
        assert_eq!(availability(k("filter_chains"), &oss("3.9.0", json!({"wasm": true}))), Availability::Yes);
        assert!(matches!(availability(k("filter_chains"), &oss("3.11.0", json!({}))), Availability::No(m) if m.contains("3.11")));
        assert!(matches!(availability(k("filter_chains"), &oss("3.3.0", json!({}))), Availability::No(m) if m.contains("3.4")));
        assert_eq!(availability(k("filter_chains"), &oss("3.6.0", json!({}))), Availability::Unknown);
        assert!(matches!(availability(k("consumer_groups"), &wasm_off), Availability::No(m) if m.contains("Enterprise")));
        let plugins = oss("3.9.0", json!({"loaded_plugins": {"acl": true}}));
        assert!(matches!(availability(k("keyauth_credentials"), &plugins), Availability::No(m) if m.contains("key-auth plugin is not loaded")));
        assert_eq!(availability(k("acls"), &plugins), Availability::Yes);
        assert_eq!(availability(k("services"), &v30), Availability::Yes);
    }

    #[test]
    fn cluster_policy_needs_a_database() {
        // kong/plugins/rate-limiting/schema.lua and response-ratelimiting/schema.lua: is_dbless
        // (database = off, or role = control_plane) leaves cluster out of policy's one_of
        use crate::env::{Env, EnvMode};
        use crate::load::{self, MemFiles};
        let yaml = "_format_version: \"3.0\"\nplugins:\n- name: rate-limiting\n  config: {second: 1, policy: cluster}\n- name: response-ratelimiting\n  config: {limits: {a: {second: 1}}, policy: cluster}\n- name: rate-limiting\n  instance_name: local\n  config: {second: 1, policy: local}\n";
        let files = MemFiles::default().with("kong.yaml", yaml);
        let config = load::load(&[std::path::PathBuf::from("kong.yaml")], &files, &Env::new(), EnvMode::Resolve).config;
        let said = |conf: Json| check(&config, &oss("3.9.0", conf)).into_iter().map(|e| e.message).collect::<Vec<_>>();
        let off = said(json!({"database": "off"}));
        assert_eq!(off.len(), 2, "{off:?}");
        assert!(off.iter().all(|m| m.contains("config.policy: expected one of: local, redis") && m.contains("database = off")));
        assert!(off[1].contains("response-ratelimiting"));
        assert_eq!(said(json!({"database": "postgres", "role": "control_plane"})).len(), 2);
        assert!(said(json!({"database": "postgres"})).is_empty());
        // kong/plugins/acme/schema.lua custom_entity_check
        let yaml = "_format_version: \"3.0\"\nplugins:\n- name: acme\n  config: {account_email: a@example.com, storage: kong}\n- name: acme\n  instance_name: b\n  config: {account_email: a@example.com, storage: shm}\n";
        let files = MemFiles::default().with("kong.yaml", yaml);
        let config = load::load(&[std::path::PathBuf::from("kong.yaml")], &files, &Env::new(), EnvMode::Resolve).config;
        let said = |conf: Json| check(&config, &oss("3.9.0", conf)).into_iter().map(|e| e.message).collect::<Vec<_>>();
        let off = said(json!({"database": "off"}));
        assert!(off.len() == 1 && off[0].ends_with("\"kong\" storage can't be used with dbless mode"), "{off:?}");
        assert!(said(json!({"database": "off", "role": "data_plane"})).is_empty());
        let cp = said(json!({"database": "postgres", "role": "control_plane"}));
        assert!(cp.len() == 1 && cp[0].ends_with("\"shm\" storage can't be used in Hybrid mode"), "{cp:?}");
    }

    #[test]
    fn endpoints_fill_in_what_the_root_does_not_say() {
        let mut i = info(json!({"tagline": "x", "version": "next"}));
        assert!(i.wants_endpoints());
        assert_eq!(availability(kind("keyauth_credentials").unwrap(), &i), Availability::Unknown);
        i.add_endpoints(&json!({"data": ["/key-sets", "/services"]}));
        assert_eq!(availability(kind("key_sets").unwrap(), &i), Availability::Yes);
        assert!(matches!(availability(kind("keyauth_credentials").unwrap(), &i), Availability::No(_)));
    }
}
