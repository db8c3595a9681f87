//! Loading configs for the commands that act on them (simulate, test, diff, sync), and
//! small argument parsers they share.

use super::{Context, Outcome};
use crate::cli::Priority;
use crate::diagnostic::{self, Diagnostic, Severity};
use crate::env::EnvMode;
use crate::exit::Exit;
use crate::load::{self, Disk, Files, Loaded};
use crate::output::{self, json, text};
use crate::router::{Flavor, Formula};
use crate::validate::Target;
use crate::schema::kong::Schemas;
use anyhow::bail;
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Files as the command line names them: `-` is standard input (read once, called
/// `<stdin>` in messages), anything else is read from disk.
pub struct CliFiles;

/// Whether a path argument means standard input.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

static STDIN: OnceLock<Result<Vec<u8>, String>> = OnceLock::new();

fn read_stdin() -> Result<Vec<u8>, String> {
    let stdin = std::io::stdin();
    // nobody is going to type a config: refuse rather than wait
    if stdin.is_terminal() {
        return Err("standard input is a terminal; pipe or redirect a config into it (`< kong.yaml`)".into());
    }
    let mut buf = Vec::new();
    // one byte over the limit is enough for the loader to say it is too large
    stdin.lock().take(load::MAX_FILE_BYTES as u64 + 1).read_to_end(&mut buf).map_err(|e| e.to_string())?;
    Ok(buf)
}

impl Files for CliFiles {
    fn read(&self, path: &Path) -> Result<Vec<u8>, String> {
        if is_stdin(path) {
            STDIN.get_or_init(read_stdin).clone()
        } else {
            Disk.read(path)
        }
    }

    fn exists(&self, path: &Path) -> bool {
        Disk.exists(path)
    }

    fn name(&self, path: &Path) -> String {
        if is_stdin(path) {
            "<stdin>".into()
        } else {
            load::display_path(path)
        }
    }
}

/// Loads configs and runs every validation rule. Also returns the values that came from
/// the environment, for masking whatever is printed later.
pub fn check(paths: &[PathBuf], ctx: &Context, mode: EnvMode, judge: &Judge) -> (Loaded, Vec<Diagnostic>, Vec<String>) {
    let loaded = load::load(paths, &CliFiles, &ctx.env, mode);
    let mut diags = loaded.diagnostics.clone();
    if loaded.document.is_some() {
        let found = match judge {
            Judge::Offline { schemas, flavor } => crate::validate::validate_with(&loaded.config, &Target { schemas, flavor: *flavor }),
            Judge::Gateway => {
                let mut found = crate::validate::validate_with(&loaded.config, &Target { schemas: &Schemas::bundled(), flavor: None });
                found.retain(|d| d.rule.code != crate::rules::UNKNOWN_PLUGIN.code);
                found
            }
        };
        diags.extend(found);
    }
    let secrets = loaded.document.as_ref().map(output::secret_values).unwrap_or_default();
    (loaded, diags, secrets)
}

/// What the config is checked for.
pub enum Judge<'a> {
    /// Offline: the plugins bundled with Kong and those declared with `--plugin-schemas`,
    /// and the router flavor the command line names (`None`: a gateway asked afterwards
    /// says, as for `validate --online`).
    Offline { schemas: &'a Schemas, flavor: Option<Flavor> },
    /// A gateway is asked before anything is written: its own plugin list decides (S009),
    /// so a plugin Kong does not bundle is not refused offline, and its router flavor
    /// decides the route checks that depend on it (`validate::routes_for_flavor`).
    Gateway,
}

impl<'a> Judge<'a> {
    /// The offline judge for `validate`, `simulate` and `test`.
    pub fn offline(schemas: &'a Schemas, flavor: Flavor) -> Judge<'a> {
        Judge::Offline { schemas, flavor: Some(flavor) }
    }
}

/// The bundled schemas plus the custom plugins declared with `--plugin-schemas`: files named
/// `<plugin>.json` holding Kong's `GET /schemas/plugins/<plugin>` answer, or directories of
/// them (read in name order).
pub fn declared_schemas(paths: &[PathBuf]) -> anyhow::Result<Schemas> {
    let mut schemas = Schemas::bundled();
    for path in paths {
        let files: Vec<PathBuf> = if path.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|e| anyhow::anyhow!("--plugin-schemas {}: {e}", path.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect();
            files.sort();
            if files.is_empty() {
                bail!("--plugin-schemas {}: a directory with no .json file in it", path.display());
            }
            files
        } else {
            vec![path.clone()]
        };
        for file in files {
            let name = file.file_stem().and_then(|s| s.to_str()).filter(|_| file.extension().is_some_and(|x| x == "json"));
            let Some(name) = name else {
                bail!("--plugin-schemas {}: name the file after its plugin, as `<plugin>.json`", file.display());
            };
            let text = std::fs::read_to_string(&file).map_err(|e| anyhow::anyhow!("--plugin-schemas {}: {e}", file.display()))?;
            let answer: serde_json::Value = serde_json::from_str(&text).map_err(|e| anyhow::anyhow!("--plugin-schemas {}: not JSON: {e}", file.display()))?;
            let schema = crate::schema::kong::plugin_schema(&answer).map_err(|e| {
                anyhow::anyhow!("--plugin-schemas {}: not a plugin schema as Kong's GET /schemas/plugins/{name} answers it: {e}", file.display())
            })?;
            schemas.add_plugin(name, schema);
        }
    }
    Ok(schemas)
}

/// A config ready for simulate, test, diff or sync: loaded and checked; Kong-rejected
/// configs never get here, lint findings are kept as warnings.
pub struct Prepared {
    pub loaded: Loaded,
    pub lint: Vec<String>,
    pub secrets: Vec<String>,
}

/// Loads configs (default `kong.yaml`) with environment values resolved. A config that
/// cannot be read, or that Kong would refuse, becomes an `Outcome` with exit 1.
pub fn prepare(configs: &[PathBuf], ctx: &Context, judge: &Judge) -> Result<Prepared, Outcome> {
    let configs = if configs.is_empty() { vec![PathBuf::from("kong.yaml")] } else { configs.to_vec() };
    let (loaded, mut diags, secrets) = check(&configs, ctx, EnvMode::Resolve, judge);
    output::mask_secrets(&mut diags, &secrets);
    diagnostic::sort(&mut diags);
    let blocking: Vec<Diagnostic> = diags.iter().filter(|d| d.blocks()).cloned().collect();
    if loaded.document.is_none() || !blocking.is_empty() {
        let mut stderr = text::diagnostics(&blocking, &loaded.sources, ctx.color);
        stderr.push_str(&format!("error: {}; nothing done\n", verdict(&blocking, &loaded.sources)));
        let errors = blocking.iter().map(|d| json::finding(d, &loaded.sources)).collect();
        return Err(Outcome { stderr, errors, code: Some(Exit::Failure), ..Default::default() });
    }
    let lint = diags
        .iter()
        .filter(|d| d.severity != Severity::Note)
        .map(|d| {
            let at = d.loc.map(|l| format!("{}:{}: ", loaded.sources.name(l.file), l.line)).unwrap_or_default();
            format!("{at}[{}] {}", d.rule.code, d.message)
        })
        .collect();
    Ok(Prepared { loaded, lint, secrets })
}

/// What stops a config, in one line: Kong's refusal only when Kong would refuse it; a missing,
/// unreadable or unparsable input is said to be that (naming the file), not a verdict of Kong's.
pub fn verdict(blocking: &[Diagnostic], sources: &crate::source::Sources) -> String {
    let mut unread: Vec<String> = Vec::new();
    let mut unparsed: Vec<String> = Vec::new();
    for d in blocking.iter().filter(|d| d.unreadable_input()) {
        let name = d.loc.map(|l| sources.name(l.file).to_string()).unwrap_or_else(|| "an input".into());
        let list = if std::ptr::eq(d.rule, &crate::rules::UNREADABLE_FILE) { &mut unread } else { &mut unparsed };
        if !list.contains(&name) {
            list.push(name);
        }
    }
    let mut parts = Vec::new();
    if !unread.is_empty() {
        parts.push(format!("cannot read {}", unread.join(", ")));
    }
    if !unparsed.is_empty() {
        parts.push(format!("{} not valid YAML or JSON", unparsed.join(", ") + if unparsed.len() == 1 { " is" } else { " are" }));
    }
    let kong = blocking.iter().any(Diagnostic::refused_by_kong);
    match (parts.is_empty(), kong) {
        (false, false) => format!("{} (the config was not loaded; this is not a verdict of Kong's)", parts.join("; ")),
        (false, true) => format!("{}; Kong would refuse the rest of the config", parts.join("; ")),
        (true, true) => "Kong would refuse this config".into(),
        (true, false) => "no config was loaded".into(),
    }
}

/// Lint findings and warnings of a config that is otherwise fine, as `warning:` lines for
/// standard error (commands whose standard output is a report of their own).
pub fn warnings_text(lint: &[String]) -> String {
    lint.iter().map(|l| format!("warning: {l}\n")).collect()
}

pub fn formula(p: Priority) -> Formula {
    match p {
        Priority::Effective => Formula::Effective,
        Priority::Documented => Formula::Documented,
    }
}

/// Parses `Name: value`.
pub fn parse_header(h: &str) -> anyhow::Result<(String, String)> {
    match h.split_once(':') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.trim().to_string())),
        _ => bail!("header `{h}` is not `Name: value`"),
    }
}

