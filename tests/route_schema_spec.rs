//! Kong's route schema spec (spec/01-unit/01-db/01-schema/06-routes_spec.lua, Kong/kong) restated
//! as tables, for the two ATC router flavors the tool checks (`traditional_compatible`, the
//! default, and `expressions`): one table per `describe` block, each row naming the spec's
//! `it("...")` title, the route (as a decK YAML flow mapping), and the messages Kong answers
//! (none: Kong accepts the route). A block runs under the flavors the spec runs it with; a row
//! whose answer depends on the flavor is written once per flavor (`.only(...)`). Where the spec
//! only asserts that a field has an error, the message is the one Kong's schema code produces
//! for it (typedefs.lua, routes.lua, routes_subschemas.lua, kong/db/schema/init.lua) or, for
//! `validate_route`'s expression check, the one atc-router 1.7.1 (Kong's `.requirements` pin)
//! gives, after Kong's "Router Expression failed validation: " prefix.
//!
//! Rows marked `.keyed()` also name the key Kong files each message under (`errs[key]`):
//! a field, or `@entity` for entity checks (`validate_route` is one).
//!
//! A row with `known` is a difference the tool knows of: the test fails if such a row starts
//! matching Kong (drop the mark) or if an unmarked row diverges.
//!
//! Rows leave out the spec's `id` and `service = { id = ... }`: in a decK file a route's service
//! is resolved by name or id inside the file (the F001 rule), which is not part of the route
//! schema. Cases the spec marks pending for both flavors (`it_trad_only`) and the
//! `traditional` flavor (which the tool does not model) are not restated.

#![allow(clippy::print_stderr)] // the tally is for whoever runs the test

use gateway::diagnostic::{Diagnostic, Origin};
use gateway::env::{Env, EnvMode};
use gateway::load::{self, MemFiles};
use gateway::router::Flavor;
use gateway::schema::kong::Schemas;
use gateway::validate::{validate_with, Target};
use std::path::PathBuf;

const COMPAT: Flavor = Flavor::TraditionalCompatible;
const EXPR: Flavor = Flavor::Expressions;

#[derive(Clone, Copy)]
struct Case {
    title: &'static str,
    route: &'static str,
    kong: &'static [&'static str],
    known: Option<&'static str>,
    /// In a block run under both flavors: the one flavor this row is for.
    only: Option<Flavor>,
    /// `kong` entries are `key: message`.
    keyed: bool,
}

impl Case {
    const fn only(self, flavor: Flavor) -> Case {
        Case { only: Some(flavor), ..self }
    }

    const fn keyed(self) -> Case {
        Case { keyed: true, ..self }
    }
}

const fn ok(title: &'static str, route: &'static str) -> Case {
    Case { title, route, kong: &[], known: None, only: None, keyed: false }
}

const fn err(title: &'static str, route: &'static str, kong: &'static [&'static str]) -> Case {
    Case { title, route, kong, known: None, only: None, keyed: false }
}

const fn differs(title: &'static str, route: &'static str, kong: &'static [&'static str], why: &'static str) -> Case {
    Case { title, route, kong, known: Some(why), only: None, keyed: false }
}

/// A `describe` block of the spec and the flavors it runs under.
struct Block {
    describe: &'static str,
    flavors: &'static [Flavor],
    cases: &'static [Case],
}

static BLOCKS: &[Block] = &[
    Block {
        describe: "routes schema (flavor = traditional | traditional_compatible | expressions)",
        flavors: &[COMPAT, EXPR],
        cases: ALL_FLAVORS,
    },
    Block { describe: "routes schema (flavor = expressions), first block", flavors: &[EXPR], cases: EXPRESSIONS_FIELDS },
    Block { describe: "routes schema (flavor = traditional_compatible | expressions)", flavors: &[COMPAT, EXPR], cases: ATC_FLAVORS },
    Block { describe: "routes schema (flavor = expressions), second block", flavors: &[EXPR], cases: EXPRESSIONS_ATC },
    Block { describe: "routes schema (flavor = traditional_compatible)", flavors: &[COMPAT], cases: COMPAT_ONLY },
];

const HTTP_NEEDS: &str = "must set one of 'methods', 'hosts', 'headers', 'paths' when 'protocols' is 'http'";
// routes_subschemas.lua: the expressions flavor adds 'expression' to every "must set one of"
const HTTP_NEEDS_EXPR: &str = "must set one of 'methods', 'hosts', 'headers', 'paths', 'expression' when 'protocols' is 'http'";
const HTTPS_NEEDS_EXPR: &str = "must set one of 'methods', 'hosts', 'headers', 'paths', 'snis', 'expression' when 'protocols' is 'https'";
const L4_NEEDS: &str = "must set one of 'sources', 'destinations', 'snis' when 'protocols' is 'tcp', 'tls' or 'udp'";
const L4_NEEDS_EXPR: &str = "must set one of 'sources', 'destinations', 'snis', 'expression' when 'protocols' is 'tcp', 'tls' or 'udp'";
const PCRE_UNCLOSED_GROUP: &str =
    "invalid regex: '/users/(foo/profile' (PCRE returned: pcre2_compile() failed: missing closing parenthesis in \"/users/(foo/profile\")";
const PCRE_UNCLOSED_CLASS: &str =
    "invalid regex: '/[abc/*/user$' (PCRE returned: pcre2_compile() failed: missing terminating ] for character class in \"/[abc/*/user$\")";

/// `describe("routes schema (flavor = " .. flavor .. ")"` in the loop over
/// { "traditional", "traditional_compatible", "expressions" } (spec lines 46-1276).
static ALL_FLAVORS: &[Case] = &[
    ok(
        "validates a valid route",
        r#"{name: my_route, protocols: [http], methods: [GET, POST], hosts: [example.com], headers: {location: [location-1]}, paths: [/ovo], regex_priority: 1, strip_path: false, preserve_host: true}"#,
    ),
    ok("it does not fail when service is null", r#"{service: null, paths: ["/"]}"#),
    ok("it does not fail when service is missing", r#"{paths: ["/"]}"#),
    differs(
        "fails when service.id is null",
        r#"{service: {id: null}, paths: ["/"]}"#,
        &["required field missing"],
        "a decK reference `{id: null}` is not checked as Kong's foreign key record",
    ),
    differs(
        "fails when protocol is missing",
        r#"{protocols: null}"#,
        &["required field missing"],
        "an explicit `protocols: null` is read as unset (Kong's default http, https)",
    ),
    err("fails given an invalid method", r#"{protocols: [http], methods: [get]}"#, &["invalid value: get"]),
    err("missing method, host, headers, path & service produces error (case 1)", r#"{protocols: [http]}"#, &[HTTP_NEEDS]).only(COMPAT),
    err("missing method, host, headers, path & service produces error (case 1)", r#"{protocols: [http]}"#, &[HTTP_NEEDS_EXPR]).only(EXPR),
    ok("missing method, host, headers, path & service produces error (case 2)", r#"{protocols: [http], methods: [GET]}"#),
    ok("missing method, host, headers, path & service produces error (case 3)", r#"{protocols: [http], hosts: [x.y]}"#),
    ok("missing method, host, headers, path & service produces error (case 4)", r#"{protocols: [http], paths: [/foo]}"#),
    ok("missing method, host, headers, path & service produces error (case 5)", r#"{protocols: [http], headers: {location: [location-1]}}"#),
    err("invalid protocols produces error (empty)", r#"{protocols: []}"#, &["length must be at least 1"]),
    differs(
        "invalid protocols produces error (ftp)",
        r#"{protocols: [ftp]}"#,
        &["expected one of: grpc, grpcs, http, https, tcp, tls, tls_passthrough, udp"],
        "the bundled route schema also lists Kong Enterprise's ws and wss",
    ),
    err(
        "conflicting protocols produces error (http, tcp)",
        r#"{protocols: [http, tcp]}"#,
        &["these sets are mutually exclusive: ('http', 'https'), ('tcp', 'tls', 'udp')"],
    ),
    err(
        "conflicting protocols produces error (http, tls)",
        r#"{protocols: [http, tls]}"#,
        &["these sets are mutually exclusive: ('http', 'https'), ('tcp', 'tls', 'udp')"],
    ),
    err(
        "conflicting protocols produces error (https, tcp)",
        r#"{protocols: [https, tcp]}"#,
        &["these sets are mutually exclusive: ('http', 'https'), ('tcp', 'tls', 'udp')"],
    ),
    err(
        "conflicting protocols produces error (https, tls)",
        r#"{protocols: [https, tls]}"#,
        &["these sets are mutually exclusive: ('http', 'https'), ('tcp', 'tls', 'udp')"],
    ),
    err(
        "invalid https_redirect_status_code produces error",
        r#"{protocols: [http], https_redirect_status_code: 404}"#,
        &["expected one of: 426, 301, 302, 307, 308", HTTP_NEEDS],
    )
    .only(COMPAT),
    err(
        "invalid https_redirect_status_code produces error",
        r#"{protocols: [http], https_redirect_status_code: 404}"#,
        &["expected one of: 426, 301, 302, 307, 308", HTTP_NEEDS_EXPR],
    )
    .only(EXPR),
    ok("produces defaults", r#"{protocols: [http], paths: [/foo]}"#),
    // paths attribute
    err("paths: must be a string", r#"{paths: [false], protocols: [http]}"#, &["expected a string"]),
    err("paths: must be a non-empty string", r#"{paths: [""], protocols: [http]}"#, &["length must be at least 1"]),
    err("paths: must start with /", r#"{paths: [foo], protocols: [http]}"#, &["should start with: / (fixed path) or ~/ (regex path)"]),
    err(
        "paths: must not have empty segments (/foo//bar)",
        r#"{paths: [/foo//bar, /foo/bar//, //foo/bar], protocols: [http]}"#,
        &["must not have empty segments", "must not have empty segments", "must not have empty segments"],
    ),
    err("paths: must dry-run values that are considered regexes", r#"{paths: ["~/users/(foo/profile"], protocols: [http]}"#, &[PCRE_UNCLOSED_GROUP]),
    err(
        "paths: rejects badly percent-encoded values",
        r#"{paths: ["/some%2words", "/some%0Xwords", "/some%2Gwords", "/some%20words%", "/some%20words%a", "/some%20words%ax"], protocols: [http]}"#,
        &[
            "invalid url-encoded value: '%2w'",
            "invalid url-encoded value: '%0X'",
            "invalid url-encoded value: '%2G'",
            "invalid url-encoded value: '%'",
            "invalid url-encoded value: '%a'",
            "invalid url-encoded value: '%ax'",
        ],
    ),
    ok("paths: accepts an apex '/'", r#"{protocols: [http], methods: [], hosts: [], paths: ["/"]}"#),
    ok("paths: accepts unreserved characters from RFC 3986", r#"{protocols: [http], methods: [], hosts: [], paths: ["/abcd~user~2"]}"#),
    ok("paths: accepts trailing slash", r#"{protocols: [http], methods: [], hosts: [], paths: [/ovo/]}"#),
    // hosts attribute
    err("hosts: must be a string", r#"{hosts: [false], protocols: [http]}"#, &["expected a string"]),
    err("hosts: must be a non-empty string", r#"{hosts: [""], protocols: [http]}"#, &["length must be at least 1"]),
    err(
        "hosts: rejects invalid hostnames",
        r#"{hosts: [/example, .example, "example:", "mock;bin", example.com/org, example-.org, example.org-, hello..example.com, hello-.example.com], protocols: [http]}"#,
        &[
            "invalid hostname: /example",
            "invalid hostname: .example",
            "invalid hostname: example:",
            "invalid hostname: mock;bin",
            "invalid hostname: example.com/org",
            "invalid hostname: example-.org",
            "invalid hostname: example.org-",
            "invalid hostname: hello..example.com",
            "invalid hostname: hello-.example.com",
        ],
    ),
    err("hosts: rejects values with an invalid port", r#"{hosts: ["example.com:1000000"], protocols: [http]}"#, &["invalid port number"]),
    err(
        "hosts: rejects invalid wildcard placement",
        r#"{hosts: ["*example.com", "www.example*", "mock*bin.com"], protocols: [http]}"#,
        &[
            "invalid wildcard: must be placed at leftmost or rightmost label",
            "invalid wildcard: must be placed at leftmost or rightmost label",
            "invalid wildcard: must be placed at leftmost or rightmost label",
        ],
    ),
    err(
        "hosts: rejects host with too many wildcards",
        r#"{hosts: ["*.example.*", "**.example.com", "*.example*.*"], protocols: [http]}"#,
        &[
            "invalid wildcard: must have at most one wildcard",
            "invalid wildcard: must have at most one wildcard",
            "invalid wildcard: must have at most one wildcard",
        ],
    ),
    ok(
        "hosts: accepts valid hosts",
        r#"{methods: [], paths: [], hosts: [hello.com, hello.fr, test.hello.com, 1991.io, hello.COM, HELLO.com, 123helloWORLD.com, example.123, example-api.com, hello.abcd, example_api.com, localhost, "example.com:80", "example.com:8080", 3B-ww4c5e180e575a65lsy2b, -with-SUPER-MONKEYS-pc58ag80a8qai00g7n9n, Hello-Another-Way--fc4qua05auwb3674vfr0b, 2-u9tlzr9756bt3uc0v, MajiKoi5-783gue6qz075azm5e, de-jg4avhby1noc0d, d9juau41awczczp]}"#,
    ),
    ok("hosts: accepts hosts with valid wildcard", r#"{methods: [], paths: [], hosts: ["example.*", "*.example.org", "*.example.org:321"]}"#),
    // headers attribute
    differs(
        "headers: key must be a string",
        r#"{headers: [false], protocols: [http]}"#,
        &["expected a string"],
        "Lua's `{ false }` is a map with the integer key 1; YAML's nearest, a list, is \"expected a map\"",
    ),
    err(
        "headers: cannot contain 'host' key",
        r#"{headers: {host: [example.com], Host: [example.com], HoSt: [example.com]}, protocols: [http]}"#,
        &[
            "cannot contain 'host' header, which must be specified in the 'hosts' attribute",
            "cannot contain 'host' header, which must be specified in the 'hosts' attribute",
            "cannot contain 'host' header, which must be specified in the 'hosts' attribute",
        ],
    ),
    err("headers: value must be an array", r#"{headers: {location: true}, protocols: [http]}"#, &["expected an array"]),
    err("headers: values must be a string", r#"{headers: {location: [true]}, protocols: [http]}"#, &["expected a string"]),
    err("headers: values must be non-empty string", r#"{headers: {location: [""]}, protocols: [http]}"#, &["length must be at least 1"]),
    // methods attribute
    err("methods: must be a string", r#"{methods: [false], protocols: [http]}"#, &["expected a string"]),
    err("methods: must be a non-empty string", r#"{methods: [""], protocols: [http]}"#, &["length must be at least 1"]),
    err(
        "methods: rejects invalid values",
        r#"{methods: ["HELLO WORLD", " GET"], protocols: [http]}"#,
        &["invalid value: HELLO WORLD", "invalid value:  GET"],
    ),
    err("methods: rejects non-uppercased values", r#"{methods: [get], protocols: [http]}"#, &["invalid value: get"]),
    ok("methods: accepts valid HTTP methods", r#"{paths: [], hosts: [], methods: [GET, POST, CUSTOM]}"#),
    // name attribute
    err("name: must be a string", r#"{name: false, protocols: [http], paths: [/]}"#, &["expected a string"]),
    err("name: must be a non-empty string", r#"{name: "", protocols: [http], paths: [/]}"#, &["length must be at least 1"]),
    err(
        "name: rejects invalid names",
        r#"{name: "examp:le", protocols: [http], paths: [/]}"#,
        &["invalid value 'examp:le': the only accepted ascii characters are alphanumerics or ., -, _, and ~"],
    ),
    err(
        "name: rejects invalid names (;)",
        r#"{name: "examp;le", protocols: [http], paths: [/]}"#,
        &["invalid value 'examp;le': the only accepted ascii characters are alphanumerics or ., -, _, and ~"],
    ),
    err(
        "name: rejects invalid names (/)",
        r#"{name: "examp/le", protocols: [http], paths: [/]}"#,
        &["invalid value 'examp/le': the only accepted ascii characters are alphanumerics or ., -, _, and ~"],
    ),
    err(
        "name: rejects invalid names (space)",
        r#"{name: "examp le", protocols: [http], paths: [/]}"#,
        &["invalid value 'examp le': the only accepted ascii characters are alphanumerics or ., -, _, and ~"],
    ),
    ok("name: accepts valid names (example)", r#"{paths: [/], name: example}"#),
    ok("name: accepts valid names (EXAMPLE)", r#"{paths: [/], name: EXAMPLE}"#),
    ok("name: accepts valid names (exa.mp.le)", r#"{paths: [/], name: exa.mp.le}"#),
    ok("name: accepts valid names (3x4mp13)", r#"{paths: [/], name: 3x4mp13}"#),
    ok("name: accepts valid names (3x4-mp-13)", r#"{paths: [/], name: 3x4-mp-13}"#),
    ok("name: accepts valid names (3x4_mp_13)", r#"{paths: [/], name: 3x4_mp_13}"#),
    ok("name: accepts valid names (~3x4~mp~13)", r#"{paths: [/], name: "~3x4~mp~13"}"#),
    ok("name: accepts valid names (~3..x4~.M-p~1__3_)", r#"{paths: [/], name: "~3..x4~.M-p~1__3_"}"#),
    ok("name: accepts valid names (孔)", r#"{paths: [/], name: 孔}"#),
    ok("name: accepts valid names (Конг)", r#"{paths: [/], name: Конг}"#),
    ok("name: accepts valid names (🦍)", r#"{paths: [/], name: 🦍}"#),
    // #stream context
    ok("'protocol' accepts 'tcp'", r#"{protocols: [tcp], sources: [{ip: 127.0.0.1}]}"#),
    ok("'protocol' accepts 'tls'", r#"{protocols: [tls], sources: [{ip: 127.0.0.1}]}"#),
    ok("'protocol' accepts 'udp'", r#"{protocols: [udp], sources: [{ip: 127.0.0.1}]}"#),
    err(
        "if 'protocol = tcp/tls/udp', then 'paths' is empty",
        r#"{protocols: [tcp], sources: [{ip: 127.0.0.1}], paths: [/]}"#,
        &["cannot set 'paths' when 'protocols' is 'tcp', 'tls', 'tls_passthrough' or 'udp'"],
    ),
    err(
        "if 'protocol = tcp/tls/udp', then 'methods' is empty",
        r#"{protocols: [udp], sources: [{ip: 127.0.0.1}], methods: [GET]}"#,
        &["cannot set 'methods' when 'protocols' is 'tcp', 'tls', 'tls_passthrough' or 'udp'"],
    ),
    ok("'sources' accepts valid IPs and ports", r#"{protocols: [tcp], sources: [{ip: 127.75.78.72, port: 8000}]}"#),
    ok("'destinations' accepts valid IPs (no port)", r#"{protocols: [tls], destinations: [{ip: 127.0.0.1}, {ip: 127.75.78.72, port: 8000}]}"#),
    ok("'sources' accepts valid ports (no IP)", r#"{protocols: [udp], sources: [{port: 8000}, {ip: 127.75.78.72, port: 8000}]}"#),
    err(
        "'sources' rejects invalid 'port' values",
        r#"{protocols: [tcp], sources: [{ip: 127.0.0.1}, {ip: 127.75.78.72, port: 65536}]}"#,
        &["value should be between 0 and 65535"],
    ),
    err(
        "'destinations' rejects invalid 'ip' values",
        r#"{protocols: [tcp], destinations: [{ip: "127."}, {ip: ":::1"}, {ip: "-1"}, {ip: localhost}, {ip: foo}, {ip: f}, {ip: example.org}]}"#,
        &[
            "invalid ip or cidr range: '127.'",
            "invalid ip or cidr range: ':::1'",
            "invalid ip or cidr range: '-1'",
            "invalid ip or cidr range: 'localhost'",
            "invalid ip or cidr range: 'foo'",
            "invalid ip or cidr range: 'f'",
            "invalid ip or cidr range: 'example.org'",
        ],
    ),
    ok(
        "'sources' accepts valid 'ip cidr' values",
        r#"{protocols: [tcp], sources: [{ip: 0.0.0.0/0}, {ip: "::/0"}, {ip: 0.0.0.0/1}, {ip: "::/1"}, {ip: 0.0.0.0/32}, {ip: "::/128"}]}"#,
    ),
    err(
        "'sources' rejects invalid 'ip cidr' values",
        r#"{protocols: [udp], sources: [{ip: 1/0}, {ip: 2130706433/2}, {ip: 4294967295/3}, {ip: -1/0}, {ip: 4294967296/2}, {ip: 0.0.0.0/a}, {ip: "::/a"}, {ip: 0.0.0.0/-1}, {ip: "::/-1"}, {ip: 0.0.0.0/33}, {ip: "::/129"}]}"#,
        &[
            "invalid ip or cidr range: '1/0'",
            "invalid ip or cidr range: '2130706433/2'",
            "invalid ip or cidr range: '4294967295/3'",
            "invalid ip or cidr range: '-1/0'",
            "invalid ip or cidr range: '4294967296/2'",
            "invalid ip or cidr range: '0.0.0.0/a'",
            "invalid ip or cidr range: '::/a'",
            "invalid ip or cidr range: '0.0.0.0/-1'",
            "invalid ip or cidr range: '::/-1'",
            "invalid ip or cidr range: '0.0.0.0/33'",
            "invalid ip or cidr range: '::/129'",
        ],
    ),
    ok("accepts valid SNIs for tls Routes", r#"{protocols: [tls], snis: [example.org, www.example.org]}"#),
    ok("accepts valid SNIs for https Routes", r#"{protocols: [https], snis: [example.org, www.example.org]}"#),
    ok("accepts valid SNIs for grpcs Routes", r#"{protocols: [grpcs], snis: [example.org, www.example.org]}"#),
    err(
        "rejects invalid SNIs",
        r#"{protocols: [tcp, tls], snis: [127.0.0.1, "example.org:80"]}"#,
        &["must not be an IP", "must not have a port"],
    ),
    err(
        "rejects specifying 'snis' if 'protocols' does not have 'https', 'tls' or 'tls_passthrough'",
        r#"{protocols: [tcp, udp], snis: [example.org]}"#,
        &["'snis' can only be set when 'protocols' is 'grpcs', 'https', 'tls' or 'tls_passthrough'", "length must be 0"],
    ),
    err("errors if no L4 matching attribute set (tcp)", r#"{protocols: [tcp]}"#, &[L4_NEEDS]).only(COMPAT),
    err("errors if no L4 matching attribute set (tcp)", r#"{protocols: [tcp]}"#, &[L4_NEEDS_EXPR]).only(EXPR),
    err("errors if no L4 matching attribute set (tls)", r#"{protocols: [tls]}"#, &[L4_NEEDS]).only(COMPAT),
    err("errors if no L4 matching attribute set (tls)", r#"{protocols: [tls]}"#, &[L4_NEEDS_EXPR]).only(EXPR),
    err("errors if no L4 matching attribute set (udp)", r#"{protocols: [udp]}"#, &[L4_NEEDS]).only(COMPAT),
    err("errors if no L4 matching attribute set (udp)", r#"{protocols: [udp]}"#, &[L4_NEEDS_EXPR]).only(EXPR),
    err("errors if no L7 matching attribute set (http)", r#"{protocols: [http]}"#, &[HTTP_NEEDS]).only(COMPAT),
    err("errors if no L7 matching attribute set (http)", r#"{protocols: [http]}"#, &[HTTP_NEEDS_EXPR]).only(EXPR),
    err(
        "errors if no L7 matching attribute set (https)",
        r#"{protocols: [https]}"#,
        &["must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'https'"],
    )
    .only(COMPAT),
    err("errors if no L7 matching attribute set (https)", r#"{protocols: [https]}"#, &[HTTPS_NEEDS_EXPR]).only(EXPR),
    err("errors if no L7 matching attribute set (grpc)", r#"{protocols: [grpc]}"#, &["must set one of 'hosts', 'headers', 'paths' when 'protocols' is 'grpc'"]).only(COMPAT),
    err(
        "errors if no L7 matching attribute set (grpc)",
        r#"{protocols: [grpc]}"#,
        &["must set one of 'hosts', 'headers', 'paths', 'expression' when 'protocols' is 'grpc'"],
    )
    .only(EXPR),
    err(
        "errors if no L7 matching attribute set (grpcs)",
        r#"{protocols: [grpcs]}"#,
        &["must set one of 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'grpcs'"],
    )
    .only(COMPAT),
    err(
        "errors if no L7 matching attribute set (grpcs)",
        r#"{protocols: [grpcs]}"#,
        &["must set one of 'hosts', 'headers', 'paths', 'snis', 'expression' when 'protocols' is 'grpcs'"],
    )
    .only(EXPR),
    differs(
        "errors if methods attribute is set on grpc/grpcs",
        r#"{methods: GET, paths: [/foo], protocols: [grpc]}"#,
        &["cannot set 'methods' when 'protocols' is 'grpc' or 'grpcs'"],
        "methods as a string, not a list, also gets the schema's \"expected a set\"",
    ),
    err(
        "errors if methods attribute is set on grpc/grpcs (a list)",
        r#"{methods: [GET], paths: [/foo], protocols: [grpcs]}"#,
        &["cannot set 'methods' when 'protocols' is 'grpc' or 'grpcs'"],
    ),
    err(
        "errors if strip_path is set on grpc/grpcs (grpc)",
        r#"{hosts: [foo.grpc.test], protocols: [grpc], strip_path: true}"#,
        &["cannot set 'strip_path' when 'protocols' is 'grpc' or 'grpcs'"],
    ),
    err(
        "errors if strip_path is set on grpc/grpcs (grpcs)",
        r#"{hosts: [foo.grpc.test], protocols: [grpcs], strip_path: true}"#,
        &["cannot set 'strip_path' when 'protocols' is 'grpc' or 'grpcs'"],
    ),
    err(
        "errors if tls and tls_passthrough set on a same route",
        r#"{snis: [foo.grpc.test], protocols: [tls, tls_passthrough]}"#,
        &["these sets are mutually exclusive: ('tcp', 'tls', 'udp'), ('tls_passthrough')"],
    ),
    err(
        "errors if snis is not set on tls_passthrough",
        r#"{sources: [{ip: 127.0.0.1}], protocols: [tls_passthrough]}"#,
        &["must set snis when 'protocols' is 'tls_passthrough'"],
    ),
    // "errors for not-normalized prefix path" iterates a hash table with ipairs and so checks
    // nothing; its intent (normalization) is covered by the rows below from routes.lua's
    // typedefs.router_path (validate_path_with_regexes).
    err("(typedefs.router_path) non-normalized prefix path", r#"{paths: ["/%c3%A4"], protocols: [http]}"#, &["non-normalized path, consider use '/ä' instead"]),
    err("(typedefs.router_path) non-normalized prefix path (%20)", r#"{paths: ["/%20"], protocols: [http]}"#, &["non-normalized path, consider use '/ ' instead"]),
    ok("(typedefs.router_path) %25 is normalized", r#"{paths: ["/%25"], protocols: [http]}"#),
];

// routes.lua validate_route's messages, after its "Router Expression failed validation: " prefix
const EXPR_WITH_OTHERS: &str = "@entity: Router Expression failed validation: cannot set 'expression' with 'methods', 'hosts', 'paths', 'headers', 'snis', 'sources' or 'destinations' simultaneously";
const PRIORITY_WITH_OTHERS: &str = "@entity: Router Expression failed validation: cannot set 'priority' with 'methods', 'hosts', 'paths', 'headers', 'snis', 'sources' or 'destinations' simultaneously";
const SNIS_ONLY_WITH: &str = "@entity: 'snis' can only be set when 'protocols' is 'grpcs', 'https', 'tls' or 'tls_passthrough'";
const SNIS_LENGTH_0: &str = "snis: length must be 0";
const ILLFORMED_SEGMENTS: &str = "@entity: Router Expression failed validation: illformed http.path.segments.* field";
const TYPE_MISMATCH: &str = "@entity: Router Expression failed validation: Type mismatch between the LHS and RHS values of predicate";

/// The first `describe("routes schema (flavor = expressions)"` (spec lines 1279-1433): the
/// `expression` and `priority` fields. The spec's loops over other fields (`for k, v in
/// pairs(others)`) are one row per field.
static EXPRESSIONS_FIELDS: &[Case] = &[
    ok(
        "validates a valid route with only expression field",
        r#"{name: my_route, protocols: [http], expression: '(http.method == "GET")', priority: 100, strip_path: false, preserve_host: true}"#,
    ),
    ok(
        "validates a valid route without expression field",
        r#"{name: my_route, protocols: [https], methods: [GET, POST], hosts: [example.com], headers: {location: [location-1]}, paths: [/ovo], snis: [example.org], sources: [{ip: 127.0.0.1}], destinations: [{ip: 127.0.0.1}], strip_path: false, preserve_host: true}"#,
    ),
    err(
        "fails when set 'expression' and others simultaneously (methods)",
        r#"{name: my_route, protocols: [http], expression: '(http.method == "GET")', methods: [GET, POST]}"#,
        &[EXPR_WITH_OTHERS],
    )
    .keyed(),
    err(
        "fails when set 'expression' and others simultaneously (hosts)",
        r#"{name: my_route, protocols: [http], expression: '(http.method == "GET")', hosts: [example.com]}"#,
        &[EXPR_WITH_OTHERS],
    )
    .keyed(),
    err(
        "fails when set 'expression' and others simultaneously (headers)",
        r#"{name: my_route, protocols: [http], expression: '(http.method == "GET")', headers: {location: [location-1]}}"#,
        &[EXPR_WITH_OTHERS],
    )
    .keyed(),
    err(
        "fails when set 'expression' and others simultaneously (paths)",
        r#"{name: my_route, protocols: [http], expression: '(http.method == "GET")', paths: [/ovo]}"#,
        &[EXPR_WITH_OTHERS],
    )
    .keyed(),
    // the snis conditional of routes.lua fails first (an error on `snis` itself), so
    // validate_route, whose field_sources include snis, does not run
    err(
        "fails when set 'expression' and others simultaneously (snis)",
        r#"{name: my_route, protocols: [http], expression: '(http.method == "GET")', snis: [example.org]}"#,
        &[SNIS_ONLY_WITH, SNIS_LENGTH_0],
    )
    .keyed(),
    err(
        "fails when set 'expression' and others simultaneously (sources)",
        r#"{name: my_route, protocols: [http], expression: '(http.method == "GET")', sources: [{ip: 127.0.0.1}]}"#,
        &[EXPR_WITH_OTHERS],
    )
    .keyed(),
    err(
        "fails when set 'expression' and others simultaneously (destinations)",
        r#"{name: my_route, protocols: [http], expression: '(http.method == "GET")', destinations: [{ip: 127.0.0.1}]}"#,
        &[EXPR_WITH_OTHERS],
    )
    .keyed(),
    err(
        "fails when set 'expression' and others simultaneously (regex_priority)",
        r#"{name: my_route, protocols: [http], expression: '(http.method == "GET")', regex_priority: 100}"#,
        &["@entity: Router Expression failed validation: cannot set 'regex_priority' with 'expression' simultaneously"],
    )
    .keyed(),
    err(
        "fails when set 'priority' and others simultaneously (methods)",
        r#"{name: my_route, protocols: [http], priority: 100, methods: [GET, POST]}"#,
        &[PRIORITY_WITH_OTHERS],
    )
    .keyed(),
    err("fails when set 'priority' and others simultaneously (hosts)", r#"{name: my_route, protocols: [http], priority: 100, hosts: [example.com]}"#, &[PRIORITY_WITH_OTHERS])
        .keyed(),
    err(
        "fails when set 'priority' and others simultaneously (headers)",
        r#"{name: my_route, protocols: [http], priority: 100, headers: {location: [location-1]}}"#,
        &[PRIORITY_WITH_OTHERS],
    )
    .keyed(),
    err("fails when set 'priority' and others simultaneously (paths)", r#"{name: my_route, protocols: [http], priority: 100, paths: [/ovo]}"#, &[PRIORITY_WITH_OTHERS])
        .keyed(),
    // snis, sources and destinations are not among the http subschema's "must set one of"
    // fields; routes.lua's entity checks run before the subschema's
    err(
        "fails when set 'priority' and others simultaneously (snis)",
        r#"{name: my_route, protocols: [http], priority: 100, snis: [example.org]}"#,
        &[SNIS_ONLY_WITH, SNIS_LENGTH_0, "@entity: must set one of 'methods', 'hosts', 'headers', 'paths', 'expression' when 'protocols' is 'http'"],
    )
    .keyed(),
    err(
        "fails when set 'priority' and others simultaneously (sources)",
        r#"{name: my_route, protocols: [http], priority: 100, sources: [{ip: 127.0.0.1}]}"#,
        &[PRIORITY_WITH_OTHERS, "@entity: must set one of 'methods', 'hosts', 'headers', 'paths', 'expression' when 'protocols' is 'http'"],
    )
    .keyed(),
    err(
        "fails when set 'priority' and others simultaneously (destinations)",
        r#"{name: my_route, protocols: [http], priority: 100, destinations: [{ip: 127.0.0.1}]}"#,
        &[PRIORITY_WITH_OTHERS, "@entity: must set one of 'methods', 'hosts', 'headers', 'paths', 'expression' when 'protocols' is 'http'"],
    )
    .keyed(),
    differs(
        "fails when priority is missing",
        r#"{priority: null}"#,
        &["priority: required field missing", "@entity: must set one of 'methods', 'hosts', 'headers', 'paths', 'snis', 'expression' when 'protocols' is 'https'"],
        "an explicit `priority: null` is read as unset (decK drops null fields; Kong then fills the default 0)",
    )
    .keyed(),
    err(
        "fails when priority is more than 2^46 - 1",
        r#"{priority: 70368744177664}"#,
        &["priority: value should be between 0 and 70368744177663", "@entity: must set one of 'methods', 'hosts', 'headers', 'paths', 'snis', 'expression' when 'protocols' is 'https'"],
    )
    .keyed(),
    err(
        "fails when all fields is missing",
        r#"{expression: null}"#,
        &["@entity: must set one of 'methods', 'hosts', 'headers', 'paths', 'snis', 'expression' when 'protocols' is 'https'"],
    )
    .keyed(),
    // atc-router 1.7.1: the parser's (pest's) error, as `router.validate` returns it
    err(
        "fails given an invalid expression",
        r#"{protocols: [http], priority: 100, expression: '(http.method == "GET") &&'}"#,
        &["@entity: Router Expression failed validation:  --> 1:26\n  |\n1 | (http.method == \"GET\") &&\n  |                          ^---\n  |\n  = expected term"],
    )
    .keyed(),
];

/// `describe("routes schema (flavor = " .. flavor .. ")"` in the loop over
/// { "traditional_compatible", "expressions" } (spec lines 1436-1578).
static ATC_FLAVORS: &[Case] = &[
    ok(
        "validates a valid http route",
        r#"{name: my_route, protocols: [http], methods: [GET, POST], hosts: [example.com], headers: {location: [location-1]}, paths: [/ovo], regex_priority: 1, strip_path: false, preserve_host: true}"#,
    ),
    ok("validates a valid stream route", r#"{name: my_route, protocols: [tcp], sources: [{ip: 1.2.3.4, port: 80}]}"#),
    err("fails when path is invalid", r#"{name: my_route, protocols: [http], paths: ["~/[abc/*/user$"]}"#, &[PCRE_UNCLOSED_CLASS]),
    err(
        "fails when ip address is invalid",
        r#"{name: my_route, protocols: [tcp], sources: [{ip: x.x.x.x, port: 80}]}"#,
        &["invalid ip or cidr range: 'x.x.x.x'"],
    ),
    ok("won't fail when rust.regex update to 1.8", r#"{name: my_route, protocols: [http], paths: ["~/\\/*/user$"]}"#),
    ok("'snis' matching attribute (wildcard): accepts leftmost wildcard", r#"{protocols: [https], snis: ["*.example.org", "*.foo.bar.test"]}"#),
    ok("'snis' matching attribute (wildcard): accepts rightmost wildcard", r#"{protocols: [https], snis: ["example.*", "foo.bar.*"]}"#),
    err(
        "'snis' matching attribute (wildcard): rejects invalid wildcard",
        r#"{protocols: [https], snis: ["foo.*.test", "foo*.test"]}"#,
        &["wildcard must be leftmost or rightmost character", "wildcard must be leftmost or rightmost character"],
    ),
];

/// The second `describe("routes schema (flavor = expressions)"` (spec lines 1581-1802):
/// expressions atc-router validates, against Kong's HTTP or stream schema by the first
/// protocol (kong/router/atc.lua `schema`, kong/router/fields.lua), then routes.lua's
/// `http.path.segments.*` check. Loops over expressions are one row per expression.
static EXPRESSIONS_ATC: &[Case] = &[
    ok(
        "validates a 'not' expression",
        r#"{name: my_route, protocols: [http], expression: '!(http.method == "GET") && !(http.host == "example.com") && !(http.path ^= "/foo")', priority: 100, strip_path: false, preserve_host: true}"#,
    ),
    ok(
        "validates a valid http route",
        r#"{name: my_route, protocols: [http], expression: 'http.method == "GET" && http.host == "example.com" && http.path == "/ovo"', priority: 100, strip_path: false, preserve_host: true}"#,
    ),
    ok("validates a valid stream route", r#"{name: my_route, protocols: [tcp], expression: 'net.src.ip == 1.2.3.4 && net.src.port == 80', priority: 100}"#),
    err(
        "fails when path is invalid",
        r#"{name: my_route, protocols: [http], expression: 'http.method == "GET" && http.path ~ "/[abc/*/user$"', priority: 100}"#,
        &["@entity: Router Expression failed validation:  --> 1:37\n  |\n1 | http.method == \"GET\" && http.path ~ \"/[abc/*/user$\"\n  |                                     ^-------------^\n  |\n  = regex parse error:\n    /[abc/*/user$\n     ^\nerror: unclosed character class"],
    )
    .keyed(),
    err(
        "fails when ip address is invalid",
        r#"{name: my_route, protocols: [tcp], expression: 'net.src.ip in 1.2.3.4/16 && net.src.port == 80', priority: 100}"#,
        &["@entity: Router Expression failed validation:  --> 1:15\n  |\n1 | net.src.ip in 1.2.3.4/16 && net.src.port == 80\n  |               ^--------^\n  |\n  = host part of address was not zero"],
    )
    .keyed(),
    err(
        "fails if http route's field appears in stream route",
        r#"{name: my_route, protocols: [tcp], expression: 'http.method == "GET" && net.src.ip == 1.2.3.4 && net.src.port == 80', priority: 100}"#,
        &["@entity: Router Expression failed validation: Unknown LHS field"],
    )
    .keyed(),
    // the deprecation warning is logged, not a validation error
    ok("http route still supports net.port but with warning", r#"{name: my_route, protocols: [grpc], expression: 'http.method == "GET" && net.port == 8000', priority: 100}"#),
    ok(
        "http route supports net.src.* fields",
        r#"{name: my_route, protocols: [https], expression: 'http.method == "GET" && net.src.ip == 1.2.3.4 && net.src.port == 80', priority: 100}"#,
    ),
    ok(
        "http route supports net.dst.* fields",
        r#"{name: my_route, protocols: [grpcs], expression: 'http.method == "GET" && net.dst.ip == 1.2.3.4 && net.dst.port == 80', priority: 100}"#,
    ),
    ok("http route supports http.path.segments.* fields (segments.0)", r#"{name: my_route, protocols: [grpcs], priority: 100, expression: 'http.path.segments.0 == "foo"'}"#),
    ok("http route supports http.path.segments.* fields (segments.1)", r#"{name: my_route, protocols: [grpcs], priority: 100, expression: 'http.path.segments.1 ^= "bar"'}"#),
    ok(
        "http route supports http.path.segments.* fields (segments.20_30)",
        r##"{name: my_route, protocols: [grpcs], priority: 100, expression: 'http.path.segments.20_30 ~ r#"x/y"#'}"##,
    ),
    ok("http route supports http.path.segments.* fields (segments.len)", r#"{name: my_route, protocols: [grpcs], priority: 100, expression: 'http.path.segments.len == 10'}"#),
    // `segments.*` is a String field of the schema, `len` an Int: atc-router's type check
    // comes before routes.lua's suffix check
    err(
        "fails if http route has invalid http.path.segments.* fields (len0)",
        r#"{name: my_route, protocols: [http], priority: 100, expression: 'http.path.segments.len0   == 10'}"#,
        &[TYPE_MISMATCH],
    )
    .keyed(),
    err(
        "fails if http route has invalid http.path.segments.* fields (len_a)",
        r#"{name: my_route, protocols: [http], priority: 100, expression: 'http.path.segments.len_a  == 10'}"#,
        &[TYPE_MISMATCH],
    )
    .keyed(),
    err(
        "fails if http route has invalid http.path.segments.* fields (len == \"10\")",
        r#"{name: my_route, protocols: [http], priority: 100, expression: 'http.path.segments.len    == "10"'}"#,
        &[TYPE_MISMATCH],
    )
    .keyed(),
    err(
        "fails if http route has invalid http.path.segments.* fields (empty suffix)",
        r#"{name: my_route, protocols: [http], priority: 100, expression: 'http.path.segments.       == "foo"'}"#,
        &[ILLFORMED_SEGMENTS],
    )
    .keyed(),
    err(
        "fails if http route has invalid http.path.segments.* fields (abc)",
        r#"{name: my_route, protocols: [http], priority: 100, expression: 'http.path.segments.abc    == "foo"'}"#,
        &[ILLFORMED_SEGMENTS],
    )
    .keyed(),
    err(
        "fails if http route has invalid http.path.segments.* fields (a_c)",
        r#"{name: my_route, protocols: [http], priority: 100, expression: 'http.path.segments.a_c    == "foo"'}"#,
        &[ILLFORMED_SEGMENTS],
    )
    .keyed(),
    err(
        "fails if http route has invalid http.path.segments.* fields (1_2_3)",
        r#"{name: my_route, protocols: [http], priority: 100, expression: 'http.path.segments.1_2_3  == "foo"'}"#,
        &[ILLFORMED_SEGMENTS],
    )
    .keyed(),
    err(
        "fails if http route has invalid http.path.segments.* fields (1_)",
        r#"{name: my_route, protocols: [http], priority: 100, expression: 'http.path.segments.1_     == "foo"'}"#,
        &[ILLFORMED_SEGMENTS],
    )
    .keyed(),
    err(
        "fails if http route has invalid http.path.segments.* fields (_1)",
        r#"{name: my_route, protocols: [http], priority: 100, expression: 'http.path.segments._1     == "foo"'}"#,
        &[ILLFORMED_SEGMENTS],
    )
    .keyed(),
    err(
        "fails if http route has invalid http.path.segments.* fields (2_1)",
        r#"{name: my_route, protocols: [http], priority: 100, expression: 'http.path.segments.2_1    == "foo"'}"#,
        &[ILLFORMED_SEGMENTS],
    )
    .keyed(),
    err(
        "fails if http route has invalid http.path.segments.* fields (1_1)",
        r#"{name: my_route, protocols: [http], priority: 100, expression: 'http.path.segments.1_1    == "foo"'}"#,
        &[ILLFORMED_SEGMENTS],
    )
    .keyed(),
    err(
        "fails if http route has invalid http.path.segments.* fields (01_2)",
        r#"{name: my_route, protocols: [http], priority: 100, expression: 'http.path.segments.01_2   == "foo"'}"#,
        &[ILLFORMED_SEGMENTS],
    )
    .keyed(),
    err(
        "fails if http route has invalid http.path.segments.* fields (001_2)",
        r#"{name: my_route, protocols: [http], priority: 100, expression: 'http.path.segments.001_2  == "foo"'}"#,
        &[ILLFORMED_SEGMENTS],
    )
    .keyed(),
    err(
        "fails if http route has invalid http.path.segments.* fields (1_03)",
        r#"{name: my_route, protocols: [http], priority: 100, expression: 'http.path.segments.1_03   == "foo"'}"#,
        &[ILLFORMED_SEGMENTS],
    )
    .keyed(),
];

/// `describe("routes schema (flavor = traditional_compatible)"` (spec lines 1805-1832).
static COMPAT_ONLY: &[Case] = &[
    differs(
        "validates a route with only expression field",
        r#"{name: my_route, protocols: [http], hosts: [example.com], expression: '(http.method == "GET")', priority: 100}"#,
        &["unknown field", "unknown field"],
        "deliberate: gateway says the fields need router_flavor = expressions (R013) instead of Kong's \"unknown field\"",
    ),
];

/// The key Kong files a finding under (`errs[key]`): the route field, or `@entity` for
/// entity checks (findings without a field, and validate_route's R015).
fn kong_key(d: &Diagnostic) -> &str {
    let field = d.field.as_deref().unwrap_or("");
    if field.is_empty() || d.rule.code == gateway::rules::ROUTER_EXPRESSION.code {
        return "@entity";
    }
    field.split(['.', '[']).next().unwrap_or(field)
}

/// Kong-origin error findings for one route under `flavor`, as (key, message), sorted.
fn findings(route: &str, flavor: Flavor) -> Vec<(String, String)> {
    let text = format!("_format_version: \"3.0\"\nroutes:\n  - {route}\n");
    let files = MemFiles::default().with("kong.yaml", &text);
    let loaded = load::load(&[PathBuf::from("kong.yaml")], &files, &Env::default(), EnvMode::Mock);
    let mut diags = loaded.diagnostics.clone();
    if loaded.document.is_some() {
        diags.extend(validate_with(&loaded.config, &Target { schemas: &Schemas::bundled(), flavor: Some(flavor) }));
    }
    let mut out: Vec<(String, String)> =
        diags.iter().filter(|d| d.rule.origin == Origin::Kong && d.is_error()).map(|d| (kong_key(d).to_string(), d.message.clone())).collect();
    out.sort();
    out
}

#[test]
fn kong_route_schema_spec() {
    let mut failures = Vec::new();
    let mut tally = Vec::new();
    for flavor in [COMPAT, EXPR] {
        let (mut rows, mut matching, mut known) = (0, 0, 0);
        for block in BLOCKS.iter().filter(|b| b.flavors.contains(&flavor)) {
            for case in block.cases.iter().filter(|c| c.only.is_none_or(|f| f == flavor)) {
                rows += 1;
                let mut got: Vec<String> =
                    findings(case.route, flavor).into_iter().map(|(key, msg)| if case.keyed { format!("{key}: {msg}") } else { msg }).collect();
                got.sort();
                let mut want: Vec<String> = case.kong.iter().map(|s| s.to_string()).collect();
                want.sort();
                let at = format!("[{flavor:?}] describe(\"{}\") it(\"{}\")", block.describe, case.title);
                match (got == want, case.known) {
                    (true, None) => matching += 1,
                    (false, Some(_)) => known += 1,
                    (true, Some(why)) => failures.push(format!("{at} now matches Kong; drop its known difference ({why})")),
                    (false, None) => failures.push(format!("{at}\n  route: {}\n  kong:  {want:?}\n  got:   {got:?}", case.route)),
                }
            }
        }
        tally.push(format!("{flavor:?}: {rows} rows, {matching} matching, {known} known differences"));
    }
    eprintln!("route schema spec: {}", tally.join("; "));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
