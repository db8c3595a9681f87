//! The entity kinds of the config model: their decK collection, where the Admin API keeps
//! them, how they depend on each other, and which fields are unique or secret.

/// One kind of entity as the Admin API and the plan see it.
#[derive(Debug)]
pub struct Kind {
    /// decK collection name (`services`).
    pub key: &'static str,
    /// Admin API collection path (`/services`); targets live under their upstream.
    pub path: &'static str,
    pub singular: &'static str,
    /// Dependency level: parents are created before children, deleted after them.
    pub level: u8,
    /// Foreign-key fields and the kind each points at.
    pub foreign: &'static [(&'static str, &'static str)],
    /// Fields whose values are credentials (masked in every output).
    pub secret_fields: &'static [&'static str],
    /// Fields Kong keeps unique per workspace (each on its own).
    pub unique: &'static [&'static str],
    /// Present only on Kong Enterprise (a 404 on its list means "none").
    pub enterprise: bool,
    /// Managed only when the config asks for it (decK's opt-in kinds: licenses, plugin
    /// definitions); otherwise neither read nor touched.
    pub opt_in: bool,
    /// Carries `tags` (select tags filter and mark it).
    pub tagged: bool,
}

pub static KINDS: &[Kind] = &[
    // Kong Enterprise: GDR pkg/types/license.go, go-kong kong/license_service.go
    Kind { key: "licenses", path: "/licenses", singular: "license", level: 1, foreign: &[], secret_fields: &["payload"], unique: &[], enterprise: true, opt_in: true, tagged: false },
    // Kong Enterprise plugin definitions: go-kong kong/{cloned,custom}_plugin_definition_service.go
    Kind { key: "cloned_plugins", path: "/cloned-plugins", singular: "cloned_plugin", level: 1, foreign: &[], secret_fields: &[], unique: &["name"], enterprise: true, opt_in: true, tagged: true },
    Kind { key: "custom_plugins", path: "/custom-plugins", singular: "custom_plugin", level: 1, foreign: &[], secret_fields: &[], unique: &["name"], enterprise: true, opt_in: true, tagged: true },
    // Kong Enterprise RBAC, managed on its own (--rbac-resources-only): go-kong
    // kong/rbac_role_service.go, kong/endpoint_permission_service.go
    Kind { key: "rbac_roles", path: "/rbac/roles", singular: "rbac_role", level: 1, foreign: &[], secret_fields: &[], unique: &["name"], enterprise: true, opt_in: true, tagged: false },
    Kind {
        key: "rbac_endpoint_permissions",
        path: "/rbac/roles",
        singular: "rbac_endpoint_permission",
        level: 2,
        foreign: &[("role", "rbac_roles")],
        secret_fields: &[],
        unique: &[],
        enterprise: true,
        opt_in: true,
        tagged: false,
    },
    // decK's first custom entity (GDR pkg/file/builder.go): listed at /degraphql_routes, written
    // under its service (go-kong kong/degraphql_route_service.go); managed when the file has some
    Kind {
        key: "degraphql_routes",
        path: "/degraphql_routes",
        singular: "degraphql_route",
        level: 3,
        foreign: &[("service", "services")],
        secret_fields: &[],
        unique: &[],
        enterprise: true,
        opt_in: true,
        tagged: false,
    },
    // decK's second custom entity (GDR pkg/file/builder.go `customEntities`, pkg/dump/dump.go
    // `tryRegisterEntityType`): Kong Enterprise's graphql-rate-limiting-advanced cost
    // decorations (DAO `graphql_ratelimiting_advanced_cost_decoration`), listed and deleted at
    // /graphql-rate-limiting-advanced/costs, written under their service (go-kong
    // kong/graphql_rate_limiting_cost_decoration_service.go); managed when the file has some
    Kind {
        key: "graphql_ratelimiting_cost_decorations",
        path: "/graphql-rate-limiting-advanced/costs",
        singular: "graphql_ratelimiting_cost_decoration",
        level: 3,
        foreign: &[("service", "services")],
        secret_fields: &[],
        unique: &[],
        enterprise: true,
        opt_in: true,
        tagged: false,
    },
    // AI Gateway 2.0 (deck.md §9): go-kong kong/ai_model_service.go
    Kind { key: "ai_models", path: "/ai-models", singular: "ai_model", level: 1, foreign: &[], secret_fields: &[], unique: &["name"], enterprise: true, opt_in: false, tagged: true },
    Kind { key: "certificates", path: "/certificates", singular: "certificate", level: 1, foreign: &[], secret_fields: &["key", "key_alt"], unique: &[], enterprise: false, opt_in: false, tagged: true },
    Kind { key: "ca_certificates", path: "/ca_certificates", singular: "ca_certificate", level: 1, foreign: &[], secret_fields: &[], unique: &[], enterprise: false, opt_in: false, tagged: true },
    Kind { key: "consumers", path: "/consumers", singular: "consumer", level: 1, foreign: &[], secret_fields: &[], unique: &["username", "custom_id"], enterprise: false, opt_in: false, tagged: true },
    Kind { key: "vaults", path: "/vaults", singular: "vault", level: 1, foreign: &[], secret_fields: &[], unique: &["prefix"], enterprise: false, opt_in: false, tagged: true },
    Kind { key: "key_sets", path: "/key-sets", singular: "key_set", level: 1, foreign: &[], secret_fields: &[], unique: &["name"], enterprise: false, opt_in: false, tagged: true },
    Kind { key: "partials", path: "/partials", singular: "partial", level: 1, foreign: &[], secret_fields: &[], unique: &["name"], enterprise: true, opt_in: false, tagged: true },
    Kind { key: "keys", path: "/keys", singular: "key", level: 2, foreign: &[("set", "key_sets")], secret_fields: &["jwk", "pem"], unique: &["name"], enterprise: false, opt_in: false, tagged: true },
    Kind {
        key: "mtls_auth_credentials",
        path: "/mtls-auths",
        singular: "mtls_auth_credential",
        level: 2,
        foreign: &[("consumer", "consumers"), ("ca_certificate", "ca_certificates")],
        secret_fields: &[],
        unique: &[],
        enterprise: true,
        opt_in: false,
        tagged: true,
    },
    Kind { key: "consumer_groups", path: "/consumer_groups", singular: "consumer_group", level: 2, foreign: &[], secret_fields: &[], unique: &["name"], enterprise: true, opt_in: false, tagged: true },
    Kind { key: "snis", path: "/snis", singular: "sni", level: 2, foreign: &[("certificate", "certificates")], secret_fields: &[], unique: &["name"], enterprise: false, opt_in: false, tagged: true },
    Kind { key: "services", path: "/services", singular: "service", level: 2, foreign: &[("client_certificate", "certificates")], secret_fields: &[], unique: &["name"], enterprise: false, opt_in: false, tagged: true },
    Kind { key: "upstreams", path: "/upstreams", singular: "upstream", level: 2, foreign: &[("client_certificate", "certificates")], secret_fields: &[], unique: &["name"], enterprise: false, opt_in: false, tagged: true },
    Kind { key: "keyauth_credentials", path: "/key-auths", singular: "keyauth_credential", level: 2, foreign: &[("consumer", "consumers")], secret_fields: &["key"], unique: &["key"], enterprise: false, opt_in: false, tagged: true },
    Kind { key: "basicauth_credentials", path: "/basic-auths", singular: "basicauth_credential", level: 2, foreign: &[("consumer", "consumers")], secret_fields: &["password"], unique: &["username"], enterprise: false, opt_in: false, tagged: true },
    Kind { key: "acls", path: "/acls", singular: "acl", level: 2, foreign: &[("consumer", "consumers")], secret_fields: &[], unique: &[], enterprise: false, opt_in: false, tagged: true },
    Kind { key: "jwt_secrets", path: "/jwts", singular: "jwt_secret", level: 2, foreign: &[("consumer", "consumers")], secret_fields: &["secret"], unique: &["key"], enterprise: false, opt_in: false, tagged: true },
    Kind { key: "hmacauth_credentials", path: "/hmac-auths", singular: "hmacauth_credential", level: 2, foreign: &[("consumer", "consumers")], secret_fields: &["secret"], unique: &["username"], enterprise: false, opt_in: false, tagged: true },
    Kind { key: "oauth2_credentials", path: "/oauth2", singular: "oauth2_credential", level: 2, foreign: &[("consumer", "consumers")], secret_fields: &["client_secret"], unique: &["client_id"], enterprise: false, opt_in: false, tagged: true },
    Kind {
        key: "consumer_group_consumers",
        path: "/consumer_groups",
        singular: "consumer_group_membership",
        level: 3,
        foreign: &[("consumer_group", "consumer_groups"), ("consumer", "consumers")],
        secret_fields: &[],
        unique: &[],
        enterprise: true,
        opt_in: false,
        tagged: false,
    },
    Kind { key: "routes", path: "/routes", singular: "route", level: 3, foreign: &[("service", "services")], secret_fields: &[], unique: &["name"], enterprise: false, opt_in: false, tagged: true },
    Kind { key: "targets", path: "/targets", singular: "target", level: 3, foreign: &[("upstream", "upstreams")], secret_fields: &[], unique: &[], enterprise: false, opt_in: false, tagged: true },
    Kind {
        key: "filter_chains",
        path: "/filter-chains",
        singular: "filter_chain",
        level: 4,
        foreign: &[("service", "services"), ("route", "routes")],
        secret_fields: &[],
        unique: &["name"],
        enterprise: false,
        opt_in: false,
        tagged: true,
    },
    Kind {
        key: "plugins",
        path: "/plugins",
        singular: "plugin",
        level: 4,
        foreign: &[("service", "services"), ("route", "routes"), ("consumer", "consumers"), ("consumer_group", "consumer_groups")],
        secret_fields: &[],
        unique: &["instance_name"],
        enterprise: false,
        opt_in: false,
        tagged: true,
    },
];

pub fn kind(key: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.key == key)
}
