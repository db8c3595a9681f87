//! The rule registry: every finding `gateway` can report, with its code, name and doc.
//!
//! Codes are grouped by family: `L` loading and rendering, `S` entity and plugin schemas,
//! `R` route fields as Kong's router checks them, `P` plugin-specific checks, `F`
//! references and identity, `T` AI proxy templates, `X` secrets. `gateway explain CODE`
//! prints a rule's doc.

use crate::diagnostic::{Origin, Severity};

#[derive(Debug, PartialEq)]
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub origin: Origin,
    pub severity: Severity,
    pub doc: &'static str,
}

macro_rules! rules {
    ($($id:ident = $code:literal, $name:literal, $origin:ident, $sev:ident, $doc:literal;)*) => {
        $(pub static $id: Rule = Rule {
            code: $code, name: $name, origin: Origin::$origin, severity: Severity::$sev, doc: $doc,
        };)*
        /// Every rule, by family, sorted by code within a family.
        pub static ALL: &[&Rule] = &[$(&$id),*];
    };
}

rules! {
    YAML_SYNTAX = "L001", "yaml-syntax", Input, Error,
        "The file is not valid YAML or JSON (or not UTF-8, empty, too large or too deeply nested). \
         decK and Kong refuse such files.";
    UNREADABLE_FILE = "L002", "unreadable-file", Input, Error,
        "The input could not be read: it does not exist, is a directory, or is too large.";
    EMPTY_CONFIG = "L003", "empty-config", Kong, Error,
        "The inputs contain no entities. decK refuses to sync an empty config because it would \
         delete everything.";
    UNKNOWN_TOP_LEVEL_KEY = "L004", "unknown-top-level-key", Kong, Error,
        "A top-level key that the decK file format does not have. decK's file schema rejects \
         unknown keys at every level.";
    FORMAT_VERSION = "L005", "unsupported-format-version", Kong, Error,
        "`_format_version` must be \"3.0\" for Kong 3.x. decK assumes \"1.1\" when it is absent \
         and refuses to apply a 1.1 file to Kong 3.x.";
    UNSET_ENV_VARIABLE = "L006", "unset-env-variable", Kong, Error,
        "A `${{ env \"DECK_X\" }}` reference or a docs variable whose environment variable is not \
         set. `render` and `simulate` stop; `validate` substitutes a placeholder and warns.";
    ENV_NOT_DECK_PREFIXED = "L007", "env-variable-not-deck-prefixed", Kong, Error,
        "decK only reads environment variables whose names start with DECK_.";
    UNDEFINED_DOCS_VARIABLE = "L008", "undefined-docs-variable", Lint, Warning,
        "A `${name}` reference in an entity_examples block whose block defines no such variable. \
         The docs site leaves it in the rendered config literally.";
    BARE_ENV_REFERENCE = "L009", "bare-env-reference", Lint, Warning,
        "A bare `$NAME` in a docs block. Neither the docs site nor decK substitutes it, so Kong \
         receives the text `$NAME`.";
    LIQUID_TEMPLATE = "L010", "liquid-template", Kong, Error,
        "Liquid inside an entity_examples block that could not be rendered (an unknown `site.*` \
         variable or unsupported tag).";
    MISSING_PREREQ_ENTITY = "L011", "missing-prereq-entity", Lint, Warning,
        "A front-matter `prereqs.entities` name with no data file under \
         `_data/entity_examples/gateway/<kind>/`; that entity is missing from the rendered config.";
    MISSING_INCLUDE = "L012", "missing-include", Lint, Warning,
        "An `{% include %}` whose file is not found under `_includes/`; entity_examples blocks it \
         may hold are not rendered.";
    DOCS_BLOCK_FORMAT = "L013", "docs-block-format", Kong, Error,
        "An entity_examples block that the docs site refuses to build: `formats` other than \
         [deck], no `entities`, or keys the tag does not read.";
    NO_ENTITY_EXAMPLES = "L014", "no-entity-examples", Lint, Warning,
        "A markdown input without any `{% entity_examples %}` block (the singular \
         `{% entity_example %}` tag is not a config).";
    DUPLICATE_KEY = "L015", "duplicate-key", Kong, Warning,
        "A mapping key that appears twice. decK's YAML reader (go-yaml v2 through \
         sigs.k8s.io/yaml) keeps the last value without a word; so does this tool, with this \
         warning.";
    ENV_TEMPLATE = "L016", "env-template", Kong, Error,
        "A `${{ ... }}` template decK cannot render: a conversion (`toBool`, `toInt`, `toFloat`) \
         of a value that is not one, an unknown function, an unclosed action. decK renders the \
         file as a Go template before reading it and stops there.";

    UNKNOWN_FIELD = "S001", "unknown-field", Kong, Error,
        "A field the entity or plugin schema does not have. Kong answers \"unknown field\".";
    REQUIRED_FIELD = "S002", "required-field-missing", Kong, Error,
        "A required field is missing. Kong answers \"required field missing\".";
    WRONG_TYPE = "S003", "wrong-type", Kong, Error,
        "A value of the wrong type (\"expected a string\", \"expected an integer\", ...).";
    NOT_ONE_OF = "S004", "invalid-enum-value", Kong, Error,
        "A value outside the allowed set. Kong answers \"expected one of: ...\".";
    OUT_OF_RANGE = "S005", "out-of-range", Kong, Error,
        "A number outside its bounds. Kong answers \"value should be between A and B\".";
    BAD_LENGTH = "S006", "invalid-length", Kong, Error,
        "A string or array that is too short or too long. Kong strings are at least 1 character \
         unless the schema says otherwise.";
    ENTITY_CHECK = "S007", "entity-check", Kong, Error,
        "A whole-entity rule from Kong's schema failed (for example a service needs `host` or \
         `url`). For OSS plugins the checks come from their Lua schemas \
         (schemas/plugin-rules.json, generated from Kong's source). Enterprise plugins' Lua \
         schemas are not public: for them only what their JSON schemas carry (types, enums, \
         ranges, required fields) and the ai-proxy checks are known, so a config Kong \
         Enterprise refuses for an entity check of its own can pass here; `validate --online` \
         asks the gateway.";
    ONLINE_REJECTED = "S008", "rejected-by-gateway", Kong, Error,
        "`validate --online`: the gateway's own /schemas/.../validate endpoint rejected the \
         entity (its plugins, version and custom plugins are what count).";

    GATEWAY_CANNOT_TAKE = "S009", "not-served-by-gateway", Kong, Error,
        "`validate --online`, `diff`, `sync`, `apply`: the gateway's version, edition or settings \
         lack this entity kind or plugin (key sets before Kong 3.1, filter chains with wasm off \
         or on 3.11+, Enterprise entities on OSS, credentials or plugins not in its `plugins` \
         setting), as its `GET /` reports them.";

    INVALID_VALUE = "S010", "invalid-value", Kong, Error,
        "A value a Kong field validator refuses: IP or CIDR (\"invalid ip or cidr range\"), \
         header names, URLs (\"missing host in url\"), as kong/db/schema/typedefs.lua checks \
         them on the OSS plugin fields that use those typedefs (schemas/plugin-rules.json); \
         pre-function / post-function code that does not parse as Lua (\"error parsing \
         pre-function: ...\", the parser's message rather than LuaJIT's).";

    ROUTE_PATH = "R001", "invalid-route-path", Kong, Error,
        "A route path must start with `/` (prefix) or `~/` (regex) and must not contain `//`; a \
         prefix path of RFC 3986 characters must be properly percent-encoded (Kong's \
         typedefs.router_path).";
    NON_NORMALIZED_PATH = "R002", "non-normalized-path", Kong, Error,
        "A prefix path that differs from its normalized form. Kong matches against normalized \
         request paths, so it rejects such paths.";
    ROUTE_REGEX = "R003", "invalid-route-regex", Kong, Error,
        "A regex path that Kong's router cannot compile. traditional_compatible prepends `^`, \
         rewrites `?<` to `?P<` and compiles with the Rust regex crate (no look-around, \
         back-references, atomic groups or `\\Z`). Kong's schema first dry-runs it with PCRE \
         and reports `invalid regex: '...' (PCRE returned: pcre2_compile() failed: ...)`. \
         PCRE cannot run here: gateway finds the PCRE2 errors for an unclosed or unmatched \
         parenthesis, an unclosed `[` class, a trailing backslash and bad group names, in \
         PCRE2's words; any other regex PCRE2 refuses is reported with the Rust regex crate's \
         error (`Router Expression failed validation: ...`), which is what Kong's router would \
         say next but not the message Kong's schema gives first.";
    ROUTE_HOST = "R004", "invalid-route-host", Kong, Error,
        "A route host with more than one `*` or a `*` that is not the whole leftmost or \
         rightmost label, or (with `*` read as a label) not an IPv4, IPv6 or hostname with an \
         optional port as kong/tools/ip.lua checks it: hostnames are letters, digits, `-`, `_` \
         and dots, no label ends with `-` (a leading `-` is allowed), only the last label may \
         be empty; ports are at most 65535. Kong's messages name the host with `*` replaced \
         by `abc`, and so do gateway's.";
    ROUTE_HEADER = "R005", "invalid-route-header", Kong, Error,
        "A route header condition with a name other than A-Z, a-z, 0-9, `_` and `-` (Kong's \
         \"bad header name\"), the `host` header (use `hosts`), or no values. For a header \
         without values Kong's schema says nothing, but its router builds an empty `()` \
         condition and refuses it with a \"Router Expression failed validation\" parse error; \
         gateway reports \"length must be at least 1\" instead of that parser message.";
    ROUTE_METHOD = "R006", "invalid-route-method", Kong, Error,
        "Route methods must be upper-case letters only.";
    ROUTE_MATCH_FIELDS = "R007", "route-without-match-fields", Kong, Error,
        "A route without the fields its protocols match on: http needs methods, hosts, \
         headers or paths (or snis with https); grpc needs hosts, headers or paths (or snis \
         with grpcs); tcp, tls and udp need sources, destinations or snis; tls_passthrough \
         needs snis. The first protocol picks the rule, as Kong's route subschemas do.";
    ROUTE_SNIS = "R008", "invalid-route-snis", Kong, Error,
        "`snis` only makes sense, and is only allowed, on routes whose protocols include https, \
         grpcs, tls or tls_passthrough (Kong reports it twice: on the route and \"length must \
         be 0\" on the field). Each SNI is a hostname, with at most one `*` as its first or \
         last character, without a port, not an IP (Kong's typedefs.wildcard_host).";
    PATH_HANDLING_V1 = "R009", "path-handling-v1", Lint, Warning,
        "`path_handling: v1` is ignored by the traditional_compatible and expressions routers: \
         the upstream path is built with v0.";
    REGEX_MEANING = "R010", "regex-meaning-differs", Lint, Warning,
        "A regex construct that Kong accepts but that means something other than it seems: \
         `\\<`/`\\>` are word boundaries in Rust, `x++` is not possessive, `[?<]` is rewritten to \
         `[?P<]`.";
    ROUTE_NAME = "R011", "invalid-route-name", Kong, Error,
        "A route name with an ASCII character other than letters, digits, `.`, `-`, `_` and \
         `~` (Kong's typedefs.utf8_name; non-ASCII characters are allowed).";
    ROUTE_PROTOCOLS = "R012", "invalid-route-protocols", Kong, Error,
        "Protocols from more than one of Kong's mutually exclusive sets (http/https, \
         tcp/tls/udp, tls_passthrough, grpc/grpcs), or a field the protocols do not allow: \
         methods on grpc or stream routes, hosts/paths/headers on stream routes, sources and \
         destinations on http or grpc routes, `strip_path: true` on grpc routes.";
    EXPRESSION_ROUTE = "R013", "expression-route", Kong, Error,
        "A route with `expression` or `priority` checked for Kong's default router flavor, \
         traditional_compatible, whose route schema has no such fields (Kong answers \"unknown \
         field\"). They belong to the expressions flavor (`router_flavor = expressions` in \
         kong.conf): check such configs with `--router-flavor expressions` (or \
         GATEWAY_ROUTER_FLAVOR); diff, sync and apply take the flavor from the gateway.";
    ROUTE_SOURCES = "R014", "invalid-route-source", Kong, Error,
        "A route `sources` or `destinations` ip that is not an IPv4/IPv6 address or CIDR range \
         (Kong's typedefs.ip_or_cidr: \"invalid ip or cidr range\").";
    ROUTER_EXPRESSION = "R015", "router-expression", Kong, Error,
        "A route Kong's ATC router refuses (kong/db/schema/entities/routes.lua `validate_route`, \
         run by both ATC flavors): an `expression` atc-router cannot parse or type-check (its \
         own message, e.g. an unknown field or a regex that does not compile), `expression` \
         set together with methods/hosts/paths/headers/snis/sources/destinations or with \
         `regex_priority`, `priority` with those fields, a malformed `http.path.segments.*` \
         field, or a `priority` above 2^46 - 1. For routes with classic fields, the expression \
         Kong generates from them (kong/router/transform.lua) must compile too.";

    UNKNOWN_PLUGIN = "P001", "unknown-plugin", Kong, Error,
        "A plugin that is not bundled with Kong 3.15 (a typo, or a custom or partner plugin). \
         Kong refuses it unless it is installed and listed in `plugins` on every node: \
         \"plugin 'x' not enabled; add it to the 'plugins' configuration property\" \
         (kong/db/schema/entities/plugins.lua). Plugins the config itself defines \
         (`custom_plugins`, `cloned_plugins`) are known, and so are plugins declared with \
         `--plugin-schemas` (Kong's `GET /schemas/plugins/<name>` answer in `<name>.json`), \
         whose configs are then checked against that schema. diff, sync and apply leave the \
         verdict to the gateway's own plugin list (S009), and `validate --online` to the \
         plugins the gateway reports as loaded.";
    AI_PROXY_CHECK = "P002", "ai-proxy-entity-check", Kong, Error,
        "An ai-proxy / ai-proxy-advanced entity check from Kong's schema (azure needs \
         azure_instance and azure_deployment_id, auth header name and value together, ...).";
    PLUGIN_SCOPE = "P003", "unsupported-plugin-scope", Kong, Error,
        "A plugin attached to a scope its schema does not support (for example a consumer \
         scope on a plugin without a `consumer` field).";
    DEPRECATED_FIELD = "P004", "deprecated-field", Lint, Warning,
        "A deprecated plugin field name (Kong's `shorthand_fields`, e.g. rate-limiting \
         `redis_host`) that Kong still accepts and moves to its new field (`redis.host`). \
         Kong refuses it when the new field is also set to another value. OSS names come from \
         the plugins' Lua schemas; Enterprise names (whose Lua schemas are not public) from \
         decK's test files; schemas/shorthands.json cites the source of each. Enterprise \
         plugins' other Lua rules are not public: only what their JSON schemas carry is checked.";

    UNKNOWN_REFERENCE = "F001", "unknown-reference", Kong, Error,
        "A reference (route -> service, plugin -> route/service/consumer, consumer -> group) \
         to an entity that is not in the config.";
    DUPLICATE_NAME = "F002", "duplicate-name", Kong, Error,
        "Two entities of one kind with the same name (or username, custom_id, target; vaults \
         by `prefix`, since a vault's `name` is its type and several vaults may share it). \
         Kong answers \"uniqueness violation\".";
    INVALID_ID = "F003", "invalid-id", Kong, Error,
        "An `id` that is not a UUID. Kong answers \"expected a valid UUID\".";
    DUPLICATE_ID = "F004", "duplicate-id", Kong, Error,
        "Two entities of one kind with the same id.";
    DUPLICATE_PLUGIN = "F005", "duplicate-plugin", Kong, Error,
        "Two instances of one plugin on the same route/service/consumer/consumer group \
         combination. Kong allows one.";
    EXTERNAL_REFERENCE = "F006", "external-reference", Kong, Note,
        "A reference to an entity the config does not define, of a kind whose \
         `_info.default_lookup_tags` are set: decK looks it up in the gateway among the entities \
         with those tags at sync time (they are managed by another file), so it cannot be \
         checked offline.";
    UNSUPPORTED_CUSTOM_ENTITY = "F007", "unsupported-custom-entity", Kong, Error,
        "A `custom_entities` item whose `type` is neither `degraphql_routes` nor \
         `graphql_ratelimiting_cost_decorations`, the custom entities decK syncs (and this tool \
         too). decK refuses other types (\"custom entity X is not supported\").";
    PARTIAL_TYPE = "F008", "partial-type-mismatch", Kong, Warning,
        "A plugin linked to a partial of a type other than the one it takes (redis-ee for \
         rate-limiting-advanced, openid-connect and the other Enterprise Redis users, redis-ce \
         for rate-limiting and response-ratelimiting); Kong refuses the link.";
    RLA_CONSUMER_GROUPS = "F009", "rla-consumer-groups", Kong, Error,
        "rate-limiting-advanced with `config.consumer_groups` or `config.enforce_consumer_groups`: \
         decK refuses it against Kong Enterprise 3.4 and above (consumer-group-scoped plugins \
         replace it) unless `_info.consumer_group_policy_overrides: true` (or decK's \
         `--consumer-group-policy-overrides`). Offline there is no gateway version; the bundled \
         schemas are Kong 3.15's, so the guard applies.";

    UNDEFINED_URI_CAPTURE = "T001", "undefined-uri-capture", Lint, Error,
        "An AI proxy template `$(uri_captures.X)` where a route the plugin runs on has no \
         named group X in its regex path (or has a prefix path, which captures nothing). \
         Kong loads the config but answers every such request with 400 \"uri_captures key X \
         was not provided\".";
    TEMPLATE_SYNTAX = "T002", "invalid-template", Lint, Error,
        "An AI proxy template that Kong cannot parse: `$(source.key)` needs exactly one dot. \
         Kong answers 400 \"cannot parse expression for field '...'\" at request time.";
    TEMPLATE_SOURCE = "T003", "unsupported-template-source", Lint, Error,
        "An AI proxy template source other than headers, uri_captures or query_params. Kong \
         answers 400 \"source 'X' is not supported\" at request time.";
    REQUEST_REQUIREMENT = "T004", "request-requirement", Lint, Note,
        "An AI proxy template that reads a request header or query parameter: requests without \
         it get Kong's 400.";

    LITERAL_CREDENTIAL = "X001", "literal-credential", Lint, Warning,
        "A secret plugin field (Kong stores it encrypted) written as a literal value instead of \
         an environment variable or a `{vault://...}` reference.";
}

/// Finds a rule by code (`T001`) or name (`undefined-uri-capture`), case-insensitively.
pub fn find(key: &str) -> Option<&'static Rule> {
    ALL.iter().copied().find(|r| r.code.eq_ignore_ascii_case(key) || r.name.eq_ignore_ascii_case(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_is_sorted_unique_and_documented() {
        for w in ALL.windows(2) {
            if w[0].code[..1] == w[1].code[..1] {
                assert!(w[0].code < w[1].code, "{} before {}", w[0].code, w[1].code);
            }
        }
        let mut codes: Vec<_> = ALL.iter().map(|r| r.code).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), ALL.len());
        let mut names: Vec<_> = ALL.iter().map(|r| r.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
        assert!(ALL.iter().all(|r| r.doc.len() > 20));
        assert_eq!(find("t001").unwrap().name, "undefined-uri-capture");
        assert_eq!(find("invalid-route-regex").unwrap().code, "R003");
    }
}
