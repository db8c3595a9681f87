//! `gateway render`: docs pages and decK files into one decK file.

use super::{Context, Outcome};
use crate::cli::{Format, RenderArgs};
use crate::diagnostic::{self, Severity};
use crate::env::EnvMode;
use crate::exit::Exit;
use crate::load;
use crate::node::{Node, Value};
use crate::output::{self, text};
use anyhow::Context as _;
use std::path::Path;

pub fn run(args: &RenderArgs, ctx: &Context) -> anyhow::Result<Outcome> {
    let mode = if args.placeholders { EnvMode::Placeholders } else { EnvMode::Resolve };
    let mut loaded = load::load(&args.inputs, &super::inputs::CliFiles, &ctx.env, mode);
    let secrets = loaded.document.as_ref().map(output::secret_values).unwrap_or_default();
    diagnostic::sort(&mut loaded.diagnostics);
    output::mask_secrets(&mut loaded.diagnostics, &secrets);
    let mut stderr = text::diagnostics(&loaded.diagnostics, &loaded.sources, ctx.color);
    let doc = match (&loaded.document, loaded.has_errors()) {
        (Some(doc), false) => doc,
        _ => {
            let errors = loaded.diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
            stderr.push_str(&format!("error: render failed with {errors} error{}; nothing written\n", if errors == 1 { "" } else { "s" }));
            return Ok(Outcome { stderr, code: Some(Exit::Failure), ..Default::default() });
        }
    };
    if !loaded.deck_flags.is_empty() {
        stderr.push_str(&format!(
            "note: the docs apply this config with `deck gateway apply {}`\n",
            loaded.deck_flags.join(" ")
        ));
    }
    if args.format.is_some() {
        stderr.push_str(FORMAT_DEPRECATED);
    }
    let body = serialize(doc, args.format.unwrap_or(args.output))?;
    match &args.output_file {
        Some(path) => {
            write_atomically(path, &body)?;
            stderr.push_str(&format!("wrote {} ({} entities)\n", path.display(), loaded.config.entities.len()));
            Ok(Outcome { stderr, ..Default::default() })
        }
        None => Ok(Outcome { stdout: body, stderr, ..Default::default() }),
    }
}

/// Said on standard error when the old `--format` spelling is used.
pub const FORMAT_DEPRECATED: &str = "note: --format is deprecated; use --output yaml|json (and -o/--output-file FILE for a file)\n";

/// The document as decK YAML or JSON, `_format_version` first.
pub fn serialize(doc: &Node, format: Format) -> anyhow::Result<String> {
    let mut ordered = doc.clone();
    if let Value::Map(entries) = &mut ordered.value {
        entries.sort_by_key(|e| e.key != "_format_version");
    }
    Ok(match format {
        Format::Json => serde_json::to_string_pretty(&ordered.to_json(false))? + "\n",
        Format::Yaml => crate::output::yaml::to_string(&ordered),
    })
}

/// Writes through a temporary file in the same directory, so a failure leaves no partial file.
pub fn write_atomically(path: &Path, body: &str) -> anyhow::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "out".into());
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    std::fs::write(&tmp, body).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| {
        let _ = std::fs::remove_file(&tmp);
        format!("writing {}", path.display())
    })
}
