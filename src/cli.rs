//! Command-line definition (clap). Doc comments here are the `--help` text.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Check, render and simulate Kong Gateway declarative configs offline, and sync them to a
/// gateway.
///
/// INPUT and CONFIG files are decK files (YAML or JSON) or Kong docs pages (markdown with
/// `{% entity_examples %}` blocks). Several inputs are merged into one config.
#[derive(Debug, Parser)]
#[command(name = "gateway", version, propagate_version = true, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// When to use colour in text output (NO_COLOR is honoured with `auto`).
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

/// The top-level help's closing text: the output convention, then the exit codes.
pub const AFTER_HELP: &str = "\
Output:
  --output FORMAT  the format, in every command: text|json (test also junit; render and dump
                   yaml|json, default yaml)
  -o, --output-file FILE
                   where render and dump write (default: standard output)

Exit codes:
  0  success, warnings allowed (validate: valid, unless --strict makes warnings errors; render:
     written; simulate: Kong proxies the request; test: all pass; diff: no changes or no
     --exit-code; sync: everything applied)
  1  invalid config, unreadable input, failing tests, a failed write, or a tool error
  2  wrong command-line usage
  2  diff --exit-code: changes pending
  3  simulate: Kong would answer the request itself (404, 400, 426, 503, ...)";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render docs pages and decK files into one decK config.
    ///
    /// Docs variables (`${name}` with `value: $ENV`) and decK references
    /// (`${{ env "DECK_X" }}`) are filled from the environment; a docs variable `$FOO`
    /// reads FOO, then DECK_FOO. Any unset variable is an error and nothing is written.
    Render(RenderArgs),

    /// Check configs offline: schemas, route regexes, references and AI proxy templates.
    ///
    /// Findings marked `kong` are what Kong itself would reject; `lint` findings are
    /// configs Kong accepts but that cannot work as intended. Unset environment variables
    /// get a stand-in value and a warning.
    Validate(ValidateArgs),

    /// Resolve a request exactly as Kong 3.x would: route, captures, plugins, upstream.
    ///
    /// Prints which route wins and why, what it captured, which plugins run, and the
    /// request Kong sends upstream, including what an AI proxy plugin sends to the LLM
    /// provider. Exit 0 when Kong would proxy the request, 3 when Kong would answer it
    /// itself (404, 400, 426, 503, ...), 1 on a config or tool error.
    Simulate(SimulateArgs),

    /// Run a table of requests with expectations against a config (route tests).
    Test(TestArgs),

    /// Check that a Kong Admin API answers, and print its version.
    Ping(PingArgs),

    /// Write the gateway's current entities as a decK file.
    Dump(DumpArgs),

    /// Show what `sync` would change, field by field. Sends no write request.
    Diff(DiffArgs),

    /// Make the gateway match the config: a complete plan first, then creates, updates and
    /// deletes in dependency order, with retries.
    ///
    /// What the gateway cannot take (a kind its version, edition or settings lack, a plugin
    /// it has not loaded) and writes Kong would refuse (a name held outside the select tags)
    /// are errors before any write. A DB-less gateway gets the whole configuration in one
    /// POST /config, entities outside the select tags kept.
    Sync(SyncArgs),

    /// Create and update like sync, but never delete (decK's `gateway apply`).
    Apply(SyncArgs),

    /// Delete every entity the tool manages (only those with the select tags, if given).
    ///
    /// Asks on an interactive terminal; elsewhere it refuses unless --yes (or --force) is
    /// given, and deletes nothing.
    Reset(ResetArgs),

    /// Explain a rule by code or name (`gateway explain T001`); lists all rules without one.
    Explain {
        /// Rule code (T001) or name (undefined-uri-capture).
        rule: Option<String>,
    },

    /// Print a shell completion script.
    Completions {
        /// The shell to generate for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// decK files and docs pages, merged in order (`-`: standard input).
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Output format, as in every command (it no longer names a file: see -o/--output-file).
    #[arg(long, value_name = "FORMAT", value_parser = FormatParser, default_value = "yaml")]
    pub output: Format,

    /// Write to FILE instead of standard output (written only when rendering succeeds).
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,

    /// Deprecated spelling of --output FORMAT.
    #[arg(long, value_enum, hide = true, conflicts_with = "output")]
    pub format: Option<Format>,

    /// Emit `${{ env "DECK_X" }}` references instead of values, so the file holds no secrets.
    #[arg(long)]
    pub placeholders: bool,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// decK files and docs pages, merged in order (`-`: standard input).
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Output format (json goes to standard output, text to standard error).
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = Output::Text)]
    pub output: Output,

    /// Treat warnings as errors.
    #[arg(long)]
    pub strict: bool,

    /// Also ask a running gateway to validate every entity (its /schemas/.../validate endpoints).
    #[arg(long)]
    pub online: bool,

    #[command(flatten)]
    pub checks: CheckArgs,

    #[command(flatten)]
    pub conn: ConnectionArgs,
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// decK files and docs pages (default: kong.yaml; `-`: standard input).
    #[arg(value_name = "CONFIG")]
    pub configs: Vec<std::path::PathBuf>,

    /// Request method.
    #[arg(short = 'X', long, default_value = "GET")]
    pub method: String,

    /// Request path, with an optional query string (`/p?x=1`).
    #[arg(long, default_value = "/", value_name = "PATH[?QUERY]")]
    pub path: String,

    /// Host header, optionally with a port.
    #[arg(long, value_name = "HOST[:PORT]")]
    pub host: Option<String>,

    /// A request header (repeatable).
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,

    /// Request body: a file, or - for standard input.
    #[arg(long, value_name = "FILE|-")]
    pub body: Option<std::path::PathBuf>,

    /// Scheme the client uses.
    #[arg(long, value_enum, default_value_t = Scheme::Http)]
    pub scheme: Scheme,

    /// Kong's listener port (default 8000 for http, 8443 for https).
    #[arg(long)]
    pub port: Option<u16>,

    /// TLS server name the client sends (https only).
    #[arg(long)]
    pub sni: Option<String>,

    /// Output format (both go to standard output).
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = Output::Text)]
    pub output: Output,

    /// Which route priority formula orders routes.
    #[arg(long, value_enum, default_value_t = Priority::Effective)]
    pub priority: Priority,

    /// Show credentials the AI proxy adds instead of `[masked]`.
    #[arg(long)]
    pub show_secrets: bool,

    /// Serve a dry-run HTTP listener on ADDR (e.g. 127.0.0.1:8000) instead of one request.
    #[arg(long, value_name = "ADDR")]
    pub serve: Option<String>,

    #[command(flatten)]
    pub checks: CheckArgs,
}

#[derive(Debug, Args)]
pub struct TestArgs {
    /// The test table (YAML; `-`: standard input).
    #[arg(value_name = "TESTS")]
    pub tests: std::path::PathBuf,

    /// Configs to test (default: the table's `config:` list, relative to the table; `-`: standard input).
    #[arg(long = "config", value_name = "CONFIG")]
    pub configs: Vec<std::path::PathBuf>,

    /// Output format.
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = TestOutput::Text)]
    pub output: TestOutput,

    /// Report which routes no test touches.
    #[arg(long)]
    pub coverage: bool,

    /// Fail when route coverage is below PCT percent.
    #[arg(long, value_name = "PCT")]
    pub fail_under: Option<f64>,

    /// Which route priority formula orders routes.
    #[arg(long, value_enum, default_value_t = Priority::Effective)]
    pub priority: Priority,

    #[command(flatten)]
    pub checks: CheckArgs,
}

/// What the offline checks know besides the bundled Kong schemas (validate, simulate, test).
#[derive(Debug, Args, Clone, Default)]
pub struct CheckArgs {
    /// A custom plugin's schema as Kong's `GET /schemas/plugins/NAME` answers it, in a file
    /// named NAME.json, or a directory of such files (repeatable). Declared plugins are known
    /// to the checks, and their configs are checked against these schemas.
    #[arg(long, value_name = "PATH")]
    pub plugin_schemas: Vec<std::path::PathBuf>,

    /// Kong's `router_flavor`: which route fields exist and how routes match.
    #[arg(long, value_enum, value_name = "FLAVOR", env = "GATEWAY_ROUTER_FLAVOR", default_value_t = RouterFlavor::TraditionalCompatible)]
    pub router_flavor: RouterFlavor,
}

/// Kong's router flavors, by Kong's names (`router_flavor` in kong.conf).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Default)]
#[value(rename_all = "snake_case")]
pub enum RouterFlavor {
    /// Kong 3.x's default: routes with paths, hosts, methods, headers, snis.
    #[default]
    TraditionalCompatible,
    /// Routes may carry an ATC `expression` and a `priority`.
    Expressions,
}

impl From<RouterFlavor> for crate::router::Flavor {
    fn from(f: RouterFlavor) -> Self {
        match f {
            RouterFlavor::TraditionalCompatible => crate::router::Flavor::TraditionalCompatible,
            RouterFlavor::Expressions => crate::router::Flavor::Expressions,
        }
    }
}

/// Where the Kong Admin API is and how to talk to it.
#[derive(Debug, Args, Clone)]
pub struct ConnectionArgs {
    /// Admin API address.
    #[arg(long, env = "GATEWAY_KONG_ADDR", default_value = "http://localhost:8001")]
    pub kong_addr: String,

    /// A header sent with every request, e.g. 'Kong-Admin-Token: ...' (repeatable).
    #[arg(long = "headers", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,

    /// Kong Enterprise workspace.
    #[arg(long)]
    pub workspace: Option<String>,

    /// Do not verify the Admin API's TLS certificate.
    #[arg(long)]
    pub tls_skip_verify: bool,

    /// Trust this CA certificate (PEM) for the Admin API.
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Option<std::path::PathBuf>,

    /// Seconds to wait for each request.
    #[arg(long, default_value_t = 10)]
    pub timeout: u64,

    /// At most this many requests per second.
    #[arg(long, value_name = "N")]
    pub rps_limit: Option<f64>,
}

#[derive(Debug, Args)]
pub struct PingArgs {
    #[command(flatten)]
    pub conn: ConnectionArgs,

    /// Output format (json: the gateway's details, or on failure `{"errors": [...]}`, on standard output).
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = Output::Text)]
    pub output: Output,
}

#[derive(Debug, Args)]
pub struct DumpArgs {
    #[command(flatten)]
    pub conn: ConnectionArgs,

    /// Output format, as in every command (it no longer names a file: see -o/--output-file).
    #[arg(long, value_name = "FORMAT", value_parser = FormatParser, default_value = "yaml")]
    pub output: Format,

    /// Write to FILE instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output_file: Option<std::path::PathBuf>,

    /// Deprecated spelling of --output FORMAT.
    #[arg(long, value_enum, hide = true, conflicts_with = "output")]
    pub format: Option<Format>,

    /// Only entities with this tag (repeatable; all must match).
    #[arg(long = "select-tag", value_name = "TAG")]
    pub select_tags: Vec<String>,

    /// Dump RBAC roles and their endpoint permissions only (Kong Enterprise).
    #[arg(long, conflicts_with = "include")]
    pub rbac_resources_only: bool,

    /// Also dump a kind sync manages only on request (repeatable).
    #[arg(long, value_enum, value_name = "KIND")]
    pub include: Vec<OptIn>,
}

/// Kinds decK and gateway manage only when asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OptIn {
    /// Kong Enterprise licenses (`licenses`).
    Licenses,
    /// Cloned and custom plugin definitions; the file gets `_info.include_plugin_definitions`.
    PluginDefinitions,
    /// DeGraphQL routes, written as `custom_entities` of `type: degraphql_routes`.
    DegraphqlRoutes,
    /// GraphQL rate-limiting cost decorations, written as `custom_entities` of
    /// `type: graphql_ratelimiting_cost_decorations`.
    GraphqlRatelimitingCostDecorations,
}

/// What diff and sync plan: the config, and which of the gateway's entities it governs.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// decK files and docs pages (default: kong.yaml; `-`: standard input).
    #[arg(value_name = "CONFIG")]
    pub configs: Vec<std::path::PathBuf>,

    /// Only entities with this tag, in addition to the file's `_info.select_tags`.
    #[arg(long = "select-tag", value_name = "TAG")]
    pub select_tags: Vec<String>,

    /// Manage RBAC roles and their endpoint permissions only (Kong Enterprise); the config
    /// may hold nothing else.
    #[arg(long)]
    pub rbac_resources_only: bool,

    /// Fill Kong's defaults from the schemas bundled with gateway (Kong 3.15) only, without
    /// asking the gateway's /schemas endpoints.
    #[arg(long)]
    pub bundled_schemas: bool,

    /// Print secrets (credentials, fields Kong encrypts, values from the environment) instead
    /// of `[masked]`, in the plan and in every message.
    #[arg(long)]
    pub show_secrets: bool,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    #[command(flatten)]
    pub conn: ConnectionArgs,

    /// Output format (both to standard output).
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = Output::Text)]
    pub output: Output,

    /// Exit 2 when there are changes (0 none, 1 error).
    #[arg(long)]
    pub exit_code: bool,

    #[command(flatten)]
    pub target: PlanArgs,
}

/// How `sync`, `apply` and `reset` write.
#[derive(Debug, Args)]
pub struct WriteArgs {
    /// Print the plan and stop: no write request is sent.
    #[arg(long)]
    pub dry_run: bool,

    /// Requests in flight at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub parallelism: u32,

    /// Output format (both to standard output).
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = Output::Text)]
    pub output: Output,

    /// Write without asking (asking happens only on an interactive terminal; reset without a
    /// terminal refuses unless given). `--force` is decK's spelling.
    #[arg(long, short = 'y', visible_alias = "force", short_alias = 'f')]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    #[command(flatten)]
    pub conn: ConnectionArgs,

    #[command(flatten)]
    pub write: WriteArgs,

    #[command(flatten)]
    pub target: PlanArgs,
}

#[derive(Debug, Args)]
pub struct ResetArgs {
    #[command(flatten)]
    pub conn: ConnectionArgs,

    /// Only entities with this tag (all given tags must match).
    #[arg(long = "select-tag", value_name = "TAG")]
    pub select_tags: Vec<String>,

    /// Reset RBAC roles and their endpoint permissions only (Kong Enterprise).
    #[arg(long)]
    pub rbac_resources_only: bool,

    /// Show secret values (credentials, encrypted fields) instead of `[masked]`.
    #[arg(long)]
    pub show_secrets: bool,

    #[command(flatten)]
    pub write: WriteArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Scheme {
    Http,
    Https,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Priority {
    /// What Kong 3.x really computes on x86-64 (Kong/kong#14457).
    Effective,
    /// The layout Kong's source and docs describe.
    Documented,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TestOutput {
    Text,
    Json,
    Junit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Yaml,
    Json,
}

/// `render`/`dump --output FORMAT`. `--output` once named the file they write, so a value that
/// is not a format (`--output kong.yaml`) is a usage error that says where the file name goes.
#[derive(Clone, Copy, Debug)]
pub struct FormatParser;

impl clap::builder::TypedValueParser for FormatParser {
    type Value = Format;

    fn parse_ref(&self, cmd: &clap::Command, arg: Option<&clap::Arg>, value: &std::ffi::OsStr) -> Result<Format, clap::Error> {
        let text = value.to_string_lossy();
        match Format::from_str(&text, true) {
            Ok(f) => Ok(f),
            Err(_) => {
                let mut err = clap::Error::new(clap::error::ErrorKind::InvalidValue).with_cmd(cmd);
                use clap::error::{ContextKind, ContextValue};
                let name = arg.map(|a| a.to_string()).unwrap_or_else(|| "--output <FORMAT>".into());
                err.insert(ContextKind::InvalidArg, ContextValue::String(name));
                err.insert(ContextKind::InvalidValue, ContextValue::String(text.to_string()));
                err.insert(ContextKind::ValidValue, ContextValue::Strings(vec!["yaml".into(), "json".into()]));
                err.insert(
                    ContextKind::Suggested,
                    ContextValue::StyledStrs(vec![format!(
                        "--output takes a format; to write the file `{text}`, use -o/--output-file {text}"
                    )
                    .into()]),
                );
                Err(err)
            }
        }
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(Format::value_variants().iter().filter_map(ValueEnum::to_possible_value)))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}
