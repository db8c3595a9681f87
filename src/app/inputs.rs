//! Loading configs for the commands that act on them (simulate, test, diff, sync), and
//! small argument parsers they share.

use super::{Context, Outcome};
use crate::cli::Priority;
use crate::diagnostic::{Diagnostic, Origin, Severity};
use crate::env::EnvMode;
use crate::exit::Exit;
use crate::load::{self, Disk, Loaded};
use crate::output::{self, text};
use crate::router::Formula;
use anyhow::bail;
use std::path::PathBuf;

/// A config ready for simulate, test, diff or sync: loaded and checked; Kong-rejected
/// configs never get here, lint findings are kept as warnings.
pub struct Prepared {
    pub loaded: Loaded,
    pub lint: Vec<String>,
}

/// Loads configs for simulation. Kong-rejected configs become an `Outcome` with exit 1.
pub fn prepare(configs: &[PathBuf], ctx: &Context) -> Result<Prepared, Outcome> {
    let configs = if configs.is_empty() { vec![PathBuf::from("kong.yaml")] } else { configs.to_vec() };
    let loaded = load::load(&configs, &Disk, &ctx.env, EnvMode::Resolve);
    let mut diags = loaded.diagnostics.clone();
    if loaded.document.is_some() {
        diags.extend(crate::validate::validate(&loaded.config));
    }
    let secrets = loaded.document.as_ref().map(output::secret_values).unwrap_or_default();
    output::mask_secrets(&mut diags, &secrets);
    let refused: Vec<Diagnostic> =
        diags.iter().filter(|d| d.severity == Severity::Error && d.rule.origin == Origin::Kong).cloned().collect();
    if loaded.document.is_none() || !refused.is_empty() {
        let mut stderr = text::diagnostics(&refused, &loaded.sources, ctx.color);
        stderr.push_str("error: Kong would refuse this config; nothing simulated\n");
        return Err(Outcome { stderr, code: Some(Exit::Failure), ..Default::default() });
    }
    let lint = diags
        .iter()
        .filter(|d| d.severity != Severity::Note)
        .map(|d| {
            let at = d.loc.map(|l| format!("{}:{}: ", loaded.sources.name(l.file), l.line)).unwrap_or_default();
            format!("{at}[{}] {}", d.rule.code, d.message)
        })
        .collect();
    Ok(Prepared { loaded, lint })
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

