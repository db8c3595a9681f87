//! The gateway being played: Kong version, edition, `wasm`, `database`, `plugins` and
//! `router_flavor` settings, and what follows from them: which collections exist (404),
//! which answer 400 because wasm is off, which plugins are loaded, and what `GET /` and
//! `GET /endpoints` say. Kong sources cited are Kong/kong at 22246ef2 (3.10 OSS) unless a
//! release branch is named.

use crate::store::{Kind, Store, KINDS};
use serde_json::{json, Map, Value as Json};
use std::collections::BTreeSet;
use std::sync::OnceLock;

pub struct Profile {
    /// `major.minor.patch` as given (Enterprise adds a fourth part when reporting it).
    pub version: (u32, u32, u32),
    pub version_text: String,
    pub enterprise: bool,
    pub wasm: bool,
    /// `database = off`: DB-less.
    pub dbless: bool,
    pub router_flavor: String,
    /// The `plugins` setting as given (`bundled`, names).
    pub plugins_setting: Vec<String>,
    /// `loaded_plugins`: the setting expanded.
    pub loaded: BTreeSet<String>,
    /// Plays Kong AI Gateway, which serves `/ai-models` (Kong Gateway does not:
    /// ../shared/reference/gateway-versions.md §1).
    pub ai_gateway: bool,
}

/// Whether a path's collection is served.
#[derive(Debug, PartialEq, Eq)]
pub enum Gate {
    Open,
    /// 404 `{"message":"Not found"}` (kong/api/api_helpers.lua): no such route.
    NotFound,
    /// 400: the filter-chain routes with `wasm = off` (kong/api/routes/filter_chains.lua).
    WasmOff,
}

static PROFILE: OnceLock<Profile> = OnceLock::new();

pub fn set(p: Profile) {
    PROFILE.set(p).ok().expect("profile set once");
}

/// The profile of this process (the default one when `main` has not set it, as in unit use).
pub fn get() -> &'static Profile {
    PROFILE.get_or_init(|| Profile::new("3.10.0", false, false, false, "traditional_compatible", "bundled", false).expect("default profile"))
}

/// OSS bundled plugins (kong/constants.lua `plugins`), with the release that first lists
/// each: the 37 of release/3.0.x, the ai-* plugins from release/3.6.x, standard-webhooks
/// from release/3.8.x, redirect from release/3.9.x; HEAD (3.10) adds none.
const OSS_BUNDLED: &[(&str, (u32, u32))] = &[
    ("jwt", (3, 0)), ("acl", (3, 0)), ("correlation-id", (3, 0)), ("cors", (3, 0)), ("oauth2", (3, 0)),
    ("tcp-log", (3, 0)), ("udp-log", (3, 0)), ("file-log", (3, 0)), ("http-log", (3, 0)), ("key-auth", (3, 0)),
    ("hmac-auth", (3, 0)), ("basic-auth", (3, 0)), ("ip-restriction", (3, 0)), ("request-transformer", (3, 0)),
    ("response-transformer", (3, 0)), ("request-size-limiting", (3, 0)), ("rate-limiting", (3, 0)),
    ("response-ratelimiting", (3, 0)), ("syslog", (3, 0)), ("loggly", (3, 0)), ("datadog", (3, 0)), ("ldap-auth", (3, 0)),
    ("statsd", (3, 0)), ("bot-detection", (3, 0)), ("aws-lambda", (3, 0)), ("request-termination", (3, 0)),
    ("prometheus", (3, 0)), ("proxy-cache", (3, 0)), ("session", (3, 0)), ("acme", (3, 0)), ("grpc-gateway", (3, 0)),
    ("grpc-web", (3, 0)), ("pre-function", (3, 0)), ("post-function", (3, 0)), ("azure-functions", (3, 0)),
    ("zipkin", (3, 0)), ("opentelemetry", (3, 0)),
    ("ai-proxy", (3, 6)), ("ai-prompt-decorator", (3, 6)), ("ai-prompt-template", (3, 6)), ("ai-prompt-guard", (3, 6)),
    ("ai-request-transformer", (3, 6)), ("ai-response-transformer", (3, 6)),
    ("standard-webhooks", (3, 8)), ("redirect", (3, 9)),
];

/// `PRIORITY` of each OSS bundled plugin's handler (kong/plugins/<name>/handler.lua;
/// pre-function and post-function pass theirs to kong/plugins/pre-function/_handler.lua).
fn priority(name: &str) -> Option<i64> {
    Some(match name {
        "jwt" => 1450, "acl" => 950, "correlation-id" => 100001, "cors" => 2000, "oauth2" => 1400, "tcp-log" => 7,
        "udp-log" => 8, "file-log" => 9, "http-log" => 12, "key-auth" => 1250, "hmac-auth" => 1030, "basic-auth" => 1100,
        "ip-restriction" => 990, "request-transformer" => 801, "response-transformer" => 800, "request-size-limiting" => 951,
        "rate-limiting" => 910, "response-ratelimiting" => 900, "syslog" => 4, "loggly" => 6, "datadog" => 10,
        "ldap-auth" => 1200, "statsd" => 11, "bot-detection" => 2500, "aws-lambda" => 750, "request-termination" => 2,
        "prometheus" => 13, "proxy-cache" => 100, "session" => 1900, "acme" => 1705, "grpc-gateway" => 998, "grpc-web" => 3,
        "pre-function" => 1000000, "post-function" => -1000, "azure-functions" => 749, "zipkin" => 100000,
        "opentelemetry" => 14, "ai-proxy" => 770, "ai-prompt-decorator" => 772, "ai-prompt-template" => 773,
        "ai-prompt-guard" => 771, "ai-request-transformer" => 777, "ai-response-transformer" => 768,
        "standard-webhooks" => 760, "redirect" => 779,
        _ => return None,
    })
}

/// The plugin whose daos.lua declares a credential collection: the collection exists only
/// while that plugin is loaded (kong/db/dao/plugins.lua loads each loaded plugin's daos;
/// kong/plugins/{key-auth,basic-auth,acl,jwt,hmac-auth,oauth2}/daos.lua). mtls-auth and
/// degraphql and graphql-rate-limiting-advanced are Enterprise plugins with daos of their own
/// (deck #357 for mtls-auths).
pub fn owning_plugin(seg: &str) -> Option<&'static str> {
    Some(match seg {
        "key-auths" => "key-auth",
        "basic-auths" => "basic-auth",
        "acls" => "acl",
        "jwts" => "jwt",
        "hmac-auths" => "hmac-auth",
        "oauth2" => "oauth2",
        "mtls-auths" => "mtls-auth",
        "degraphql_routes" => "degraphql",
        "graphql_ratelimiting_advanced_cost_decoration" => "graphql-rate-limiting-advanced",
        _ => return None,
    })
}

/// `admin_api_nested_name` of the credential schemas (kong/plugins/*/daos.lua): the path
/// segment under `/consumers/{c}/`. Other kinds nest under their own segment.
pub fn nested_name(k: &Kind) -> &'static str {
    match k.seg {
        "key-auths" => "key-auth",
        "basic-auths" => "basic-auth",
        "jwts" => "jwt",
        "hmac-auths" => "hmac-auth",
        "mtls-auths" => "mtls-auth",
        other => other,
    }
}

/// The kind a nested path segment (`/consumers/{c}/key-auth`) names.
pub fn kind_of_nested(seg: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| nested_name(k) == seg)
}

impl Profile {
    pub fn new(version: &str, enterprise: bool, wasm: bool, dbless: bool, router_flavor: &str, plugins: &str, ai_gateway: bool) -> Result<Profile, String> {
        let parts: Vec<u32> = version.split('.').map(|p| p.parse::<u32>().map_err(|_| format!("--kong-version {version}: expected numbers"))).collect::<Result<_, _>>()?;
        let (major, minor, patch) = match parts[..] {
            [a, b] => (a, b, 0),
            [a, b, c] | [a, b, c, _] => (a, b, c),
            _ => return Err(format!("--kong-version {version}: expected MAJOR.MINOR.PATCH")),
        };
        if major != 3 {
            return Err("--kong-version: only Kong 3.x is played".into());
        }
        // Kong/kong PR #14347 (60881e1f80, in the 3.10 tree after 3.10.0 was cut, so in 3.11
        // builds): default builds leave out ngx_wasm_module (BUILD.bazel `--//:wasmx=false`).
        // Kong then cannot run with `wasm = on`; the filter-chain routes stay and answer 400.
        if wasm && minor >= 11 {
            return Err("--wasm on: Kong 3.11+ default builds have no wasm module (Kong/kong PR #14347)".into());
        }
        let settings: Vec<String> = plugins.split(',').map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect();
        // kong/conf_loader/init.lua: `bundled` expands to BUNDLED_PLUGINS, other names are
        // added as given, `off` alone loads none.
        let mut loaded = BTreeSet::new();
        for name in &settings {
            match name.as_str() {
                "off" => {}
                "bundled" if enterprise => {
                    // Enterprise bundles every plugin the bundled schemas know (src/schema).
                    loaded.extend(gateway::schema::plugins().plugins.keys().cloned());
                }
                "bundled" => loaded.extend(OSS_BUNDLED.iter().filter(|(_, since)| minor >= since.1).map(|(n, _)| n.to_string())),
                other => {
                    loaded.insert(other.to_string());
                }
            }
        }
        // plugins given by --plugin-schemas are installed on this gateway
        if let Some(overlay) = crate::schemas::PLUGIN_OVERLAY.get() {
            loaded.extend(overlay.keys().cloned());
        }
        Ok(Profile {
            version: (major, minor, patch),
            version_text: format!("{major}.{minor}.{patch}"),
            enterprise,
            wasm,
            dbless,
            router_flavor: router_flavor.to_string(),
            plugins_setting: settings,
            loaded,
            ai_gateway,
        })
    }

    pub fn at_least(&self, minor: u32, patch: u32) -> bool {
        (self.version.1, self.version.2) >= (minor, patch)
    }

    /// The version `GET /` reports: Enterprise versions have four parts (`3.10.0.0`), which is
    /// how go-kong tells Enterprise apart (go-kong kong/versioning.go).
    pub fn reported_version(&self) -> String {
        if self.enterprise {
            format!("{}.0", self.version_text)
        } else {
            self.version_text.clone()
        }
    }

    pub fn plugin_loaded(&self, name: &str) -> bool {
        self.loaded.contains(name)
    }

    /// Whether a top-level collection (by URL segment) is served by this gateway.
    pub fn gate_kind(&self, seg: &str) -> Gate {
        let Some(k) = crate::store::kind(seg) else { return Gate::NotFound };
        if k.enterprise && !self.enterprise {
            // consumer_groups, partials, licenses, rbac, degraphql, mtls-auths, cloned and
            // custom plugins: Kong Enterprise entities, absent from OSS CORE_ENTITIES
            // (kong/constants.lua) and from the OSS plugins' daos.
            return Gate::NotFound;
        }
        match seg {
            // CORE_ENTITIES gains key_sets and keys in release/3.1.x (Kong/kong #9737).
            "key-sets" | "keys" if self.version.1 < 1 => Gate::NotFound,
            // CORE_ENTITIES gains filter_chains in release/3.4.x (wasm integration, 4a634e0067).
            "filter-chains" if self.version.1 < 4 => Gate::NotFound,
            // kong/api/routes/filter_chains.lua: with `wasm = off` every filter-chain route
            // answers 400 (Kong/kong PR #11222).
            "filter-chains" if !self.wasm => Gate::WasmOff,
            // partials: Kong Enterprise 3.10 (../shared/reference/gateway-versions.md §1).
            "partials" if self.version.1 < 10 => Gate::NotFound,
            "ai-models" if !self.ai_gateway => Gate::NotFound,
            s => match owning_plugin(s) {
                Some(p) if !self.plugin_loaded(p) => Gate::NotFound,
                _ => Gate::Open,
            },
        }
    }

    /// Whether a request path (workspace prefix removed) reaches a served collection.
    pub fn gate(&self, segs: &[&str]) -> Gate {
        let top = match segs.first() {
            Some(s) => *s,
            None => return Gate::Open,
        };
        if crate::store::kind(top).is_some() {
            let g = self.gate_kind(top);
            if g != Gate::Open {
                return g;
            }
        }
        if let Some(child) = segs.get(2) {
            // /routes/{r}/filters/{enabled,disabled,all} (kong/api/routes/filter_chains.lua)
            if top == "routes" && *child == "filters" {
                return if self.version.1 < 4 { Gate::NotFound } else if self.wasm { Gate::Open } else { Gate::WasmOff };
            }
            if crate::store::kind(top).is_some() {
                if let Some(k) = kind_of_nested(child) {
                    return self.gate_kind(k.seg);
                }
            }
        }
        Gate::Open
    }

    /// `GET /` (kong/api/routes/kong.lua).
    pub fn root(&self, store: &Store) -> Json {
        let mut available = Map::new();
        for name in &self.loaded {
            // bundled plugins' handlers carry VERSION = kong.meta.version
            available.insert(name.clone(), json!({"version": self.reported_version(), "priority": priority(name)}));
        }
        // distinct names of the plugins configured (kong.db.plugins:each)
        let mut in_cluster: Vec<String> = Vec::new();
        for p in store.all("plugins").values() {
            if let Some(n) = p.get("name").and_then(Json::as_str) {
                if !in_cluster.iter().any(|x| x == n) {
                    in_cluster.push(n.to_string());
                }
            }
        }
        let mut configuration = Map::new();
        configuration.insert("database".into(), json!(if self.dbless { "off" } else { "postgres" }));
        configuration.insert("router_flavor".into(), json!(self.router_flavor));
        configuration.insert("plugins".into(), json!(self.plugins_setting));
        // conf_loader/init.lua: loaded_plugins is a set, {name: true}, serialised as an object
        configuration.insert("loaded_plugins".into(), Json::Object(self.loaded.iter().map(|n| (n.clone(), json!(true))).collect()));
        // the `wasm` setting exists from release/3.4.x (kong/templates/kong_defaults.lua)
        if self.version.1 >= 4 {
            configuration.insert("wasm".into(), json!(self.wasm));
        }
        configuration.insert("log_level".into(), json!("notice"));
        let mut root = Map::new();
        root.insert("tagline".into(), json!("Welcome to kong"));
        root.insert("version".into(), json!(self.reported_version()));
        // `edition` since PR #12097 (3.6.0; backported to release/3.5.x as a130dc0181, so
        // 3.5.1 has it and 3.5.0 does not)
        if self.at_least(6, 0) || (self.version.1 == 5 && self.version.2 >= 1) {
            root.insert("edition".into(), json!(if self.enterprise { "enterprise" } else { "community" }));
        }
        root.insert("hostname".into(), json!("emulator"));
        root.insert("node_id".into(), json!("00000000-0000-4000-8000-000000000001"));
        root.insert("timers".into(), json!({"running": 0, "pending": 0}));
        root.insert("plugins".into(), json!({"available_on_server": available, "enabled_in_cluster": in_cluster}));
        root.insert("lua_version".into(), json!("LuaJIT 2.1.0-20231117"));
        root.insert("configuration".into(), Json::Object(configuration));
        root.insert("pids".into(), json!({"master": 1, "workers": [2]}));
        Json::Object(root)
    }

    /// `GET /endpoints` (kong/api/routes/kong.lua, PR #5007): the route patterns served,
    /// `:param` written `{param}`, sorted with `/` ranked lowest. Generated the way
    /// kong/api/endpoints.lua names them: `/{admin_api_name}/{schema name}` and, per foreign
    /// key, `/x/{x}/fk`, `/parent/{parent}/x` and `/parent/{parent}/x/{x}`. A collection
    /// answering 400 because wasm is off is still routed, so it is still listed.
    pub fn endpoints(&self) -> Json {
        let mut set: BTreeSet<String> = [
            "/", "/endpoints", "/status", "/config", "/tags", "/tags/{tags}", "/plugins/enabled", "/schemas/{name}",
            "/schemas/{db_entity_name}/validate", "/schemas/plugins/{name}", "/schemas/plugins/validate",
            "/upstreams/{upstreams}/health", "/upstreams/{upstreams}/targets/all",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let listed = |k: &Kind| {
            !matches!(k.seg, "consumer_group_consumers" | "rbac_roles" | "degraphql_routes" | "graphql_ratelimiting_advanced_cost_decoration")
                && self.gate_kind(k.seg) != Gate::NotFound
        };
        for k in KINDS.iter().filter(|k| listed(k)) {
            set.insert(format!("/{}", k.seg));
            set.insert(format!("/{}/{{{}}}", k.seg, k.name));
            for (field, target, _) in k.foreign {
                let Some(t) = crate::store::kind(target).filter(|t| listed(t)) else { continue };
                set.insert(format!("/{}/{{{}}}/{field}", k.seg, k.name));
                set.insert(format!("/{}/{{{}}}/{}", t.seg, t.name, nested_name(k)));
                set.insert(format!("/{}/{{{}}}/{}/{{{}}}", t.seg, t.name, nested_name(k), k.name));
            }
        }
        if self.gate_kind("filter-chains") != Gate::NotFound {
            for f in ["enabled", "disabled", "all"] {
                set.insert(format!("/routes/{{routes}}/filters/{f}"));
            }
        }
        if self.enterprise {
            set.insert("/rbac/roles".into());
            set.insert("/rbac/roles/{rbac_roles}".into());
            set.insert("/rbac/roles/{rbac_roles}/endpoints".into());
            if self.gate_kind("degraphql_routes") == Gate::Open {
                set.insert("/services/{services}/degraphql/routes".into());
                set.insert("/services/{services}/degraphql/routes/{degraphql_routes}".into());
            }
            // the graphql-rate-limiting-advanced plugin's api.lua routes, with the per-service
            // entity path go-kong's CreateForService/UpdateForService/DeleteForService use
            if self.gate_kind("graphql_ratelimiting_advanced_cost_decoration") == Gate::Open {
                set.insert("/graphql-rate-limiting-advanced/costs".into());
                set.insert("/graphql-rate-limiting-advanced/costs/{graphql_ratelimiting_advanced_cost_decoration}".into());
                set.insert("/services/{services}/graphql-rate-limiting-advanced/costs".into());
                set.insert("/services/{services}/graphql-rate-limiting-advanced/costs/{graphql_ratelimiting_advanced_cost_decoration}".into());
            }
        }
        let mut list: Vec<String> = set.into_iter().collect();
        list.sort_by_key(|p| p.replace('/', "\u{0}"));
        json!({ "data": list })
    }
}
