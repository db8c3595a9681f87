//! Kong's plugin schema specs, restated as table tests of our own: each case names the spec
//! file and `it("...")` title it follows (Kong/kong spec/03-plugins/*), the config, and what
//! `gateway validate` must answer: `Ok` (no error), or the rule code and a piece of Kong's
//! message. Plus the shorthand (deprecated field) cases from decK's corpus and Kong's
//! shorthand_fields. Each case is one `validate --output json` run on a small file.

use serde_json::Value as Json;
use std::process::Command;

enum Want {
    Ok,
    Err(&'static str, &'static str),
    /// An error of this rule at this field path, with this piece of message.
    ErrAt(&'static str, &'static str, &'static str),
    Warn(&'static str, &'static str),
}
use Want::*;

struct Case {
    cite: &'static str,
    plugin: &'static str,
    config: &'static str,
    want: Want,
}

const RL: &str = "spec/03-plugins/23-rate-limiting/01-schema_spec.lua";
const RT: &str = "spec/03-plugins/14-request-termination/01-schema_spec.lua";
const IP: &str = "spec/03-plugins/17-ip-restriction/01-schema_spec.lua";
const OA: &str = "spec/03-plugins/25-oauth2/01-schema_spec.lua";
const RRL: &str = "spec/03-plugins/24-response-rate-limiting/01-schema_spec.lua";
const LDAP: &str = "spec/03-plugins/20-ldap-auth/02-schema_spec.lua";
const SD: &str = "spec/03-plugins/06-statsd/02-schema_spec.lua";
const DD: &str = "spec/03-plugins/08-datadog/02-schema_spec.lua";
const HL: &str = "spec/03-plugins/03-http-log/02-schema_spec.lua";
const FL: &str = "spec/03-plugins/04-file-log/02-schema_spec.lua";
const RQT: &str = "spec/03-plugins/36-request-transformer/01-schema_spec.lua";
const ACME: &str = "spec/03-plugins/29-acme/04-schema_spec.lua";
const CORS: &str = "spec/03-plugins/13-cors/02-schema_spec.lua";

fn cases() -> Vec<Case> {
    vec![
        Case { cite: RL, plugin: "rate-limiting", config: "{second: 10, hour: 20}", want: Ok }, // it("proper config validates")
        Case { cite: RL, plugin: "rate-limiting", config: "{limit_by: header, header_name: X-App, second: 10}", want: Ok }, // it("proper config validates (header)")
        Case { cite: RL, plugin: "rate-limiting", config: "{second: 20, hour: 10}", want: Err("S007", "The limit for hour(10.0) cannot be lower than the limit for second(20.0)") }, // it("limits: smaller unit is less than bigger unit")
        Case { cite: RL, plugin: "rate-limiting", config: "{second: 10, minute: 20, hour: 30, day: 40, month: 60, year: 50}", want: Err("S007", "The limit for year(50.0) cannot be lower than the limit for month(60.0)") }, // it("limits: smaller unit is less than bigger unit (bis)")
        Case { cite: RL, plugin: "rate-limiting", config: "{}", want: Err("S007", "at least one of these fields must be non-empty: 'config.second', 'config.minute', 'config.hour', 'config.day', 'config.month', 'config.year'") }, // it("invalid limit")
        Case { cite: RL, plugin: "rate-limiting", config: "{second: 10, limit_by: header}", want: Err("S007", "required field missing") }, // it("is limited by header but the header_name field is missing")
        Case { cite: RL, plugin: "rate-limiting", config: "{second: 10, limit_by: path}", want: Err("S007", "required field missing") }, // it("is limited by path but the path field is missing")
        Case { cite: RL, plugin: "rate-limiting", config: "{second: 10, policy: redis, redis: {host: h, port: 6379}}", want: Ok }, // it("proper config validates with redis new structure")
        Case { cite: RL, plugin: "rate-limiting", config: "{second: 10, policy: redis, redis_host: h, redis_port: 6379}", want: Warn("P004", "rate-limiting: config.redis_host is deprecated, please use config.redis.host instead") }, // it("proper config validates with redis legacy structure")
        Case { cite: RL, plugin: "rate-limiting", config: "{second: 10, policy: redis}", want: Err("S007", "required field missing") }, // it("verifies that redis required fields are supplied")
        Case { cite: "kong/plugins/rate-limiting/schema.lua (second: gt = 0)", plugin: "rate-limiting", config: "{second: 0}", want: Err("S005", "value must be greater than 0") },
        Case { cite: "kong/db/schema/init.lua validate_deprecation_exclusiveness", plugin: "rate-limiting", config: "{second: 1, redis_host: a, redis: {host: b}}", want: Err("S007", "both deprecated and new field are used but their values mismatch: redis_host = a vs redis.host = b") },
        Case { cite: "kong/plugins/rate-limiting/schema.lua (policy one_of, declared order)", plugin: "rate-limiting", config: "{second: 1, policy: nope}", want: Err("S004", "expected one of: local, cluster, redis") },
        Case { cite: "kong/plugins/rate-limiting/schema.lua (sync_rate)", plugin: "rate-limiting", config: "{second: 1, sync_rate: 1}", want: Err("S007", "sync_rate can only be used with the redis policy") },
        Case { cite: RT, plugin: "request-termination", config: "{status_code: 404}", want: Ok }, // it("should accept a valid status_code")
        Case { cite: RT, plugin: "request-termination", config: "{status_code: 99}", want: Err("S005", "value should be between 100 and 599") }, // it("status_code < 100")
        Case { cite: RT, plugin: "request-termination", config: "{status_code: 600}", want: Err("S005", "value should be between 100 and 599") }, // it("status_code > 599")
        Case { cite: RT, plugin: "request-termination", config: "{status_code: null}", want: Err("S002", "required field missing") }, // it("status_code can not be set as null")
        Case { cite: RT, plugin: "request-termination", config: "{message: error, body: \"{}\"}", want: Err("S007", "message cannot be used with content_type or body") }, // it("#message with body")
        Case { cite: RT, plugin: "request-termination", config: "{message: error, body: \"{}\", content_type: application/json}", want: Err("S007", "message cannot be used with content_type or body") }, // it("message with body and content_type")
        Case { cite: RT, plugin: "request-termination", config: "{message: error, content_type: application/json}", want: Err("S007", "message cannot be used with content_type or body") }, // it("message with content_type")
        Case { cite: RT, plugin: "request-termination", config: "{content_type: application/json}", want: Err("S007", "content_type requires a body") }, // it("content_type without body")
        Case { cite: RT, plugin: "request-termination", config: "{echo: true, content_type: application/json, body: \"{}\"}", want: Err("S007", "echo cannot be used with content_type and body") }, // it("echo with body & content_type")
        Case { cite: IP, plugin: "ip-restriction", config: "{allow: [127.0.0.1]}", want: Ok }, // it("should accept a valid allow")
        Case { cite: IP, plugin: "ip-restriction", config: "{allow: [127.0.0.1], deny: [10.0.0.1]}", want: Ok }, // it("should accept both non-empty allow and deny")
        Case { cite: IP, plugin: "ip-restriction", config: "{allow: [127.0.0.1/32, ::1/128, 10.0.0.0/8]}", want: Ok }, // it("should accept a valid cidr range"), it("should accept valid ipv6 cidr ranges")
        Case { cite: IP, plugin: "ip-restriction", config: "{allow: [hello]}", want: Err("S010", "invalid ip or cidr range: 'hello'") }, // it("allow should not accept invalid IPs")
        Case { cite: IP, plugin: "ip-restriction", config: "{deny: [0.0.0.0/33]}", want: Err("S010", "invalid ip or cidr range: '0.0.0.0/33'") }, // it("should not accept invalid cidr ranges")
        Case { cite: IP, plugin: "ip-restriction", config: "{deny: [\"::1/129\"]}", want: Err("S010", "invalid ip or cidr range: '::1/129'") }, // it("should not accept invalid ipv6 cidr ranges")
        Case { cite: "kong/tools/http.lua validate_header_name", plugin: "key-auth", config: "{key_names: [\"bad header\"]}", want: Err("S010", "bad header name 'bad header'") },
        Case { cite: "kong/db/schema/typedefs.lua validate_url", plugin: "http-log", config: "{http_endpoint: example.com/logs}", want: Err("S010", "missing host in url") },
        Case { cite: IP, plugin: "ip-restriction", config: "{allow: [], deny: []}", want: Err("S007", "at least one of these fields must be non-empty: 'config.allow', 'config.deny'") }, // it("should not accept both empty allow and deny")
        Case { cite: OA, plugin: "oauth2", config: "{enable_authorization_code: true, scopes: [email], mandatory_scope: true}", want: Ok }, // it("does not require `scopes` when `mandatory_scope` is false") (flow part)
        Case { cite: OA, plugin: "oauth2", config: "{}", want: Err("S007", "at least one of these fields must be true: enable_authorization_code, enable_implicit_grant, enable_client_credentials, enable_password_grant") }, // it("errors when no flows are enabled")
        Case { cite: "kong/plugins/acl/schema.lua entity_checks", plugin: "acl", config: "{allow: [a], deny: [b]}", want: Err("S007", "exactly one of these fields must be non-empty: 'config.allow', 'config.deny'") },
        Case { cite: "kong/plugins/session/schema.lua shorthand_fields", plugin: "session", config: "{cookie_lifetime: 60}", want: Warn("P004", "config.cookie_lifetime is deprecated, please use config.rolling_timeout instead") },
        Case { cite: "kong/plugins/acme/schema.lua LEGACY_SCHEMA_TRANSLATIONS", plugin: "acme", config: "{account_email: a@example.com, storage: redis, storage_config: {redis: {host: h, port: 6379, auth: s}}, tos_accepted: true}", want: Warn("P004", "config.storage_config.redis.auth is deprecated, please use config.storage_config.redis.password instead") },
        Case { cite: "decK corpus dump/002-skip-consumers/expected-no-skip-315.yaml", plugin: "rate-limiting-advanced", config: "{limit: [10], window_size: [60], strategy: redis, redis: {host: h, timeout: 2000, sentinel_addresses: [\"a:1\"]}}", want: Warn("P004", "config.redis.timeout is deprecated, please use config.redis.connect_timeout, config.redis.send_timeout, config.redis.read_timeout instead") },
        Case { cite: "decK corpus diff/004-plugin-update/initial-ee-openid.yaml", plugin: "openid-connect", config: "{issuer: \"https://idp.example.com/\", session_redis_host: h}", want: Warn("P004", "config.session_redis_host is deprecated, please use config.redis.host instead") },
        Case { cite: "spec/03-plugins/33-serverless-functions/01-schema_spec.lua", plugin: "pre-function", config: "{access: [\"local x = 1\"]}", want: Ok }, // it("validates single function")
        Case { cite: "spec/03-plugins/33-serverless-functions/01-schema_spec.lua", plugin: "pre-function", config: "{access: [\"(\\\"hello world!\\\"):find(\\\"world\\\")\", \"print(\"]}", want: Err("S010", "error parsing pre-function") }, // it("with a valid and invalid function") (full_moon's message, not LuaJIT's)
        Case { cite: "kong/db/schema/entities/plugins.lua subschema_error", plugin: "ai-proxy-advance", config: "{}", want: Err("P001", "plugin 'ai-proxy-advance' not enabled; add it to the 'plugins' configuration property") },
        // records' own entity checks and custom validators, at the nested paths
        Case { cite: RRL, plugin: "response-ratelimiting", config: "{limits: {video: {second: 1}}}", want: Ok }, // it("proper config validates")
        Case { cite: RRL, plugin: "response-ratelimiting", config: "{limits: {video: {second: 1, minute: 2, hour: 3, day: 4, month: 5, year: 6}}}", want: Ok }, // it("proper config validates (bis)")
        Case { cite: RRL, plugin: "response-ratelimiting", config: "{limits: {video: {second: null, minute: 1}}}", want: Ok }, // it("limits: 'null' value does not cause 500, issue #8314")
        Case { cite: RRL, plugin: "response-ratelimiting", config: "{limits: {video: {second: 2, minute: 1}}}", want: ErrAt("S007", "config.limits.video", "the limit for minute(1.0) cannot be lower than the limit for second(2.0)") }, // it("limits: smaller unit is less than bigger unit") (Kong's error table puts it on config.limits)
        Case { cite: RRL, plugin: "response-ratelimiting", config: "{limits: {video: {second: 1, minute: 2, hour: 3, day: 4, month: 6, year: 5}}}", want: ErrAt("S007", "config.limits.video", "the limit for year(5.0) cannot be lower than the limit for month(6.0)") }, // it("limits: smaller unit is less than bigger unit (bis)")
        Case { cite: "kong/plugins/response-ratelimiting/schema.lua:133 (limits values: entity_checks at_least_one_of ORDERED_PERIODS)", plugin: "response-ratelimiting", config: "{limits: {video: {second: 1}, image: {}}}", want: ErrAt("S007", "config.limits.image", "at least one of these fields must be non-empty: 'second', 'minute', 'hour', 'day', 'month', 'year'") },
        Case { cite: LDAP, plugin: "ldap-auth", config: "{ldap_host: none, ldap_port: 389, ldaps: true, start_tls: true, base_dn: ou=users, attribute: cn}", want: ErrAt("S007", "config.start_tls", "'ldaps' and 'start_tls' cannot be enabled simultaneously") }, // it("requires ldaps and start_tls to be mutually exclusive")
        Case { cite: LDAP, plugin: "ldap-auth", config: "{ldap_host: example.com, base_dn: \"dc=example.com,dc=com\", attribute: cn}", want: Ok }, // it("default port 389 assigned")
        Case { cite: OA, plugin: "oauth2", config: "{enable_authorization_code: true, mandatory_scope: true}", want: ErrAt("S007", "config.scopes", "required field missing") }, // it("requires `scopes` when `mandatory_scope` is true")
        Case { cite: OA, plugin: "oauth2", config: "{enable_authorization_code: true, mandatory_scope: false}", want: Ok }, // it("does not require `scopes` when `mandatory_scope` is false")
        Case { cite: SD, plugin: "statsd", config: "{metrics: [{name: request_count, stat_type: counter}]}", want: ErrAt("S007", "config.metrics[0].sample_rate", "required field missing") }, // it("rejects counters without sample rate")
        Case { cite: SD, plugin: "statsd", config: "{metrics: [{name: request_count, stat_type: counter, sample_rate: 1}]}", want: Ok }, // it("accepts just one metrics")
        Case { cite: DD, plugin: "datadog", config: "{metrics: [{name: request_count, stat_type: counter}]}", want: ErrAt("S007", "config.metrics[0].sample_rate", "required field missing") }, // it("rejects counters without sample rate")
        Case { cite: "kong/plugins/opentelemetry/schema.lua:95 (config entity_checks at_least_one_of)", plugin: "opentelemetry", config: "{}", want: ErrAt("S007", "config", "at least one of these fields must be non-empty: 'traces_endpoint', 'logs_endpoint'") },
        Case { cite: "kong/plugins/opentelemetry/schema.lua:95 (config entity_checks at_least_one_of)", plugin: "opentelemetry", config: "{logs_endpoint: \"http://collector:4318/v1/logs\"}", want: Ok },
        // match / match_all / match_any / match_none (Lua patterns)
        Case { cite: SD, plugin: "statsd", config: "{allow_status_codes: [\"200-205\", \"400-499\"]}", want: Ok }, // it("accepts if allow status codes configuration parameter is given status codes in form of ranges")
        Case { cite: SD, plugin: "statsd", config: "{allow_status_codes: [test]}", want: ErrAt("S010", "config.allow_status_codes[0]", "invalid value: test") }, // it("rejects if allow status codes configuration is given as alphabet values")
        Case { cite: SD, plugin: "statsd", config: "{allow_status_codes: [\"$%%\"]}", want: Err("S010", "invalid value: $%%") }, // it("rejects if allow status codes configuration is given as special characters")
        Case { cite: SD, plugin: "statsd", config: "{allow_status_codes: [\"200-300\", test-test]}", want: ErrAt("S010", "config.allow_status_codes[1]", "invalid value: test-test") }, // it("rejects if one of allow status codes configuration is invalid")
        Case { cite: SD, plugin: "statsd", config: "{allow_status_codes: [\"200\", \"299\"]}", want: Err("S010", "invalid value: 200") }, // it("rejects if allow status codes configuration is given as numeric values without dash symbol which indicates range")
        Case { cite: DD, plugin: "datadog", config: "{metrics: [{name: request_count, stat_type: counter, sample_rate: 1, tags: [\"T1:\"]}]}", want: ErrAt("S010", "config.metrics[0].tags[0]", "invalid value: T1:") }, // it("rejects if tags malformed")
        Case { cite: DD, plugin: "datadog", config: "{metrics: [{name: request_count, stat_type: counter, sample_rate: 1, tags: []}]}", want: Ok }, // it("accept if tags is an empty list")
        Case { cite: HL, plugin: "http-log", config: "{http_endpoint: \"http://myservice.test/path\", headers: {X-My-Header: \"123\", X-Your-Header: abc}}", want: Ok }, // it("does accept allowed headers")
        Case { cite: HL, plugin: "http-log", config: "{http_endpoint: \"http://myservice.test/path\", headers: {X-My-Header: \"123\", Host: MyHost}}", want: ErrAt("S010", "config.headers.Host", "cannot contain 'Host' header") }, // it("does not accept Host header")
        Case { cite: HL, plugin: "http-log", config: "{http_endpoint: \"http://myservice.test/path\", headers: {coNTEnt-Length: \"123\"}}", want: Err("S010", "cannot contain 'Content-Length' header") }, // it("does not accept Content-Length header")
        Case { cite: HL, plugin: "http-log", config: "{http_endpoint: \"http://myservice.test/path\", headers: {coNTEnt-Type: bad}}", want: Err("S010", "cannot contain 'Content-Type' header") }, // it("does not accept Content-Type header")
        Case { cite: HL, plugin: "http-log", config: "{http_endpoint: \"http://hi:there@myservice.test/path\", headers: {AuthoRIZATion: bad}}", want: ErrAt("S007", "config", "specifying both an 'Authorization' header and user info in 'http_endpoint' is not allowed") }, // it("does not accept userinfo in URL and 'Authorization' header")
        Case { cite: HL, plugin: "http-log", config: "{http_endpoint: \"http://hi:there@myservice.test/path\"}", want: Ok }, // it("accepts empty headers with username/password in the http_endpoint")
        Case { cite: FL, plugin: "file-log", config: "{path: /ovo*}", want: ErrAt("S010", "config.path", "not a valid filename") }, // name = "rejects invalid filename includes *"
        Case { cite: FL, plugin: "file-log", config: "{path: \"test\\\\thing\"}", want: Err("S010", "not a valid filename") }, // name = "rejects invalid filename includes \\"
        Case { cite: FL, plugin: "file-log", config: "{path: \" /ovo\"}", want: Err("S010", "not a valid filename") }, // name = "beginning spaces are not allowed"
        Case { cite: FL, plugin: "file-log", config: "{path: /tmp/file.log}", want: Ok },
        Case { cite: RQT, plugin: "request-transformer", config: "{http_method: GET}", want: Ok }, // it("validates http_method")
        Case { cite: RQT, plugin: "request-transformer", config: "{http_method: HELLO!}", want: ErrAt("S010", "config.http_method", "invalid value: HELLO!") }, // it("errors invalid http_method")
        Case { cite: "kong/plugins/request-transformer/schema.lua:87 (colon_header_value_array match)", plugin: "request-transformer", config: "{add: {headers: [x-no-colon]}}", want: ErrAt("S010", "config.add.headers[0]", "invalid value: x-no-colon") },
        Case { cite: "kong/plugins/request-transformer/schema.lua:61 (remove.headers: no match)", plugin: "request-transformer", config: "{remove: {headers: [x-no-colon]}}", want: Ok },
        Case { cite: ACME, plugin: "acme", config: "{account_email: notaemail, tos_accepted: true}", want: ErrAt("S010", "config.account_email", "invalid value: notaemail") }, // name = "rejects invalid email"
        Case { cite: "kong/db/schema/typedefs.lua hosts (match_any), used by kong/plugins/acme/schema.lua domains", plugin: "acme", config: "{account_email: a@example.com, tos_accepted: true, domains: [\"a.*.example.com\"]}", want: ErrAt("S010", "config.domains[0]", "invalid wildcard: must be placed at leftmost or rightmost label") },
        // cors origins: `*` or a regex that compiles
        Case { cite: CORS, plugin: "cors", config: "{origins: [\"*\"]}", want: Ok }, // it("validates '*'")
        Case { cite: CORS, plugin: "cors", config: "{origins: [example.com]}", want: Ok }, // it("validates what looks like a domain")
        Case { cite: CORS, plugin: "cors", config: "{origins: ['.*\\.example(?:-foo)?\\.com']}", want: Ok }, // it("validates what looks like a regex")
        Case { cite: CORS, plugin: "cors", config: "{origins: [.*.example.com, invalid_**regex]}", want: ErrAt("S010", "config.origins[1]", "'invalid_**regex' is not a valid regex") }, // it("with invalid regex in origins")
        // top-level conditionals with one_of / not_one_of / gt / contains / eq
        Case { cite: "spec/03-plugins/16-jwt/06-schema_spec.lua", plugin: "jwt", config: "{maximum_expiration: 60, claims_to_verify: [exp, nbf]}", want: Ok }, // it("validates 'maximum_expiration'")
        Case { cite: "spec/03-plugins/16-jwt/06-schema_spec.lua", plugin: "jwt", config: "{maximum_expiration: 60, claims_to_verify: [nbf]}", want: ErrAt("S007", "config.claims_to_verify", "expected to contain: exp") }, // it("when 'maximum_expiration' is specified without 'exp' in 'claims_to_verify'")
        Case { cite: ACME, plugin: "acme", config: "{account_email: example@example.com, api_uri: \"https://acme-staging-v02.api.letsencrypt.org\"}", want: ErrAt("S007", "config.tos_accepted", "terms of service must be accepted, see https://letsencrypt.org/repository/") }, // name = "must accept ToS for Let's Encrypt (unaccepted,staging)"
        Case { cite: ACME, plugin: "acme", config: "{account_email: example@example.com, api_uri: \"https://acme-v02.api.letsencrypt.org\", tos_accepted: true}", want: Ok },
        Case { cite: "kong/plugins/ai-prompt-guard/schema.lua:59 (conditional match_all_roles -> allow_all_conversation_history eq false)", plugin: "ai-prompt-guard", config: "{allow_patterns: [a], match_all_roles: true, allow_all_conversation_history: true}", want: ErrAt("S007", "config.allow_all_conversation_history", "value must be false") },
        Case { cite: "kong/plugins/ai-proxy/schema.lua:49 (conditional llm_format one_of bedrock, gemini -> route_type eq llm/v1/chat)", plugin: "ai-proxy", config: "{route_type: llm/v1/completions, llm_format: bedrock, auth: {allow_override: false}, model: {provider: bedrock, name: m, options: {bedrock: {aws_region: us-east-1}}}}", want: ErrAt("S007", "config.route_type", "native provider options in llm_format can only be used with the 'llm/v1/chat' route_type") },
        Case { cite: "kong/plugins/ai-proxy/schema.lua:54 (conditional llm_format eq gemini -> model.provider eq gemini)", plugin: "ai-proxy", config: "{route_type: llm/v1/chat, llm_format: gemini, model: {provider: openai, name: m}}", want: ErrAt("S007", "config.model.provider", "native llm_format 'gemini' can only be used with the 'gemini' model.provider") },
        Case { cite: "kong/plugins/aws-lambda/schema.lua:132 (custom_entity_check: proxy_url scheme)", plugin: "aws-lambda", config: "{function_name: f, aws_region: us-east-1, proxy_url: \"https://proxy.example.com:3128\"}", want: ErrAt("S007", "config", "proxy_url scheme must be http") },
        Case { cite: "kong/plugins/aws-lambda/schema.lua:132 (custom_entity_check: proxy_url scheme)", plugin: "aws-lambda", config: "{function_name: f, aws_region: us-east-1, proxy_url: \"http://proxy.example.com:3128\"}", want: Ok },
        // status codes: Kong's between ranges (no status typedef in kong/db/schema/typedefs.lua)
        Case { cite: "spec/03-plugins/31-proxy-cache/01-schema_spec.lua", plugin: "proxy-cache", config: "{strategy: memory, response_code: [200, 301]}", want: Ok }, // it("accepts a config with custom values")
        Case { cite: "spec/03-plugins/31-proxy-cache/01-schema_spec.lua", plugin: "proxy-cache", config: "{strategy: memory, response_code: [99]}", want: ErrAt("S005", "config.response_code[0]", "value should be between 100 and 900") }, // it("errors with invalid response_code")
        Case { cite: "spec/03-plugins/31-proxy-cache/01-schema_spec.lua", plugin: "proxy-cache", config: "{strategy: memory, response_code: []}", want: Err("S006", "length must be at least 1") }, // it("errors if response_code is an empty array")
        Case { cite: "spec/03-plugins/31-proxy-cache/01-schema_spec.lua", plugin: "proxy-cache", config: "{strategy: memory, response_code: [123.5]}", want: Err("S003", "expected an integer") }, // it("errors if response_code has float value")
        Case { cite: "kong/plugins/redirect/schema.lua:14 (status_code between 100, 599)", plugin: "redirect", config: "{status_code: 600, location: \"https://example.com/\"}", want: ErrAt("S005", "config.status_code", "value should be between 100 and 599") },
        Case { cite: "kong/db/schema/init.lua (referenceable)", plugin: "rate-limiting", config: "{second: 1, policy: redis, redis: {host: h, password: \"{vault://env/pw}\"}}", want: Ok },
    ]
}

fn run(c: &Case) -> Json {
    let dir = std::env::temp_dir().join(format!("gw-spec-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{}.yaml", c.plugin));
    let text = format!("_format_version: \"3.0\"\nplugins:\n- name: {}\n  config: {}\n", c.plugin, c.config);
    std::fs::write(&file, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_gateway")).args(["validate", "--output", "json"]).arg(&file).output().unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{}: {e}: {}", c.cite, String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn kong_plugin_schema_specs() {
    let mut failures = Vec::new();
    for c in cases() {
        let got = run(&c);
        let errors = got["errors"].as_array().cloned().unwrap_or_default();
        let warnings = got["warnings"].as_array().cloned().unwrap_or_default();
        let has = |list: &[Json], rule: &str, msg: &str| {
            list.iter().any(|d| d["rule"] == rule && d["message"].as_str().is_some_and(|m| m.contains(msg)))
        };
        let ok = match c.want {
            Ok => errors.is_empty(),
            Err(rule, msg) => has(&errors, rule, msg),
            ErrAt(rule, field, msg) => errors.iter().any(|d| d["rule"] == rule && d["field"] == field && d["message"].as_str().is_some_and(|m| m.contains(msg))),
            Warn(rule, msg) => errors.is_empty() && has(&warnings, rule, msg),
        };
        if !ok {
            failures.push(format!("{} [{} {}]: got {}", c.cite, c.plugin, c.config, serde_json::to_string(&got["errors"]).unwrap() + &serde_json::to_string(&got["warnings"]).unwrap()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
