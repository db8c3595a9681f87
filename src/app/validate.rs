//! `gateway validate`: load, run every rule, report.

use super::{Context, Outcome};
use crate::cli::{Output, ValidateArgs};
use crate::diagnostic::{self, Severity};
use crate::env::EnvMode;
use crate::exit::Exit;
use crate::output::{self, json, text};

pub fn run(args: &ValidateArgs, ctx: &Context) -> anyhow::Result<Outcome> {
    let schemas = super::inputs::declared_schemas(&args.checks.plugin_schemas)?;
    // online, the gateway's own router flavor decides the route checks that depend on it
    // (`online`); offline, the one the command line names
    let judge = if args.online { super::inputs::Judge::Offline { schemas: &schemas, flavor: None } } else { super::inputs::Judge::offline(&schemas, args.checks.flavor(None)) };
    let (loaded, mut diags, secrets) = super::inputs::check(&args.inputs, ctx, EnvMode::Mock, &judge);
    // an unbundled plugin is for the gateway to judge: it may have it installed
    let unknown_plugin = |d: &crate::diagnostic::Diagnostic| d.rule.code == crate::rules::UNKNOWN_PLUGIN.code;
    if args.online && !diags.iter().any(|d| d.blocks() && !unknown_plugin(d)) {
        let (found, loaded_plugins) = online(&loaded.config, args)?;
        // the gateway is the authority on which plugins exist: a custom plugin it has loaded
        // is not unknown (P001 is said offline, where only the bundled plugins are known)
        if let Some(names) = loaded_plugins {
            diags.retain(|d| !unknown_plugin(d) || !d.entity.as_deref().and_then(plugin_of_label).is_some_and(|n| names.contains(n)));
        }
        diags.extend(found);
    }
    if args.strict {
        for d in diags.iter_mut().filter(|d| d.severity == Severity::Warning) {
            d.severity = Severity::Error;
        }
    }
    diagnostic::sort(&mut diags);
    output::mask_secrets(&mut diags, &secrets);
    let valid = loaded.document.is_some() && !diags.iter().any(|d| d.severity == Severity::Error);
    let code = Some(if valid { Exit::Success } else { Exit::Failure });
    Ok(match args.output {
        Output::Json => Outcome {
            stdout: serde_json::to_string_pretty(&json::validation(&diags, &loaded.sources, valid))? + "\n",
            code,
            ..Default::default()
        },
        Output::Text => {
            let mut stderr = text::diagnostics(&diags, &loaded.sources, ctx.color);
            stderr.push_str(&text::summary(&diags, args.inputs.len(), valid, ctx.color));
            Outcome { stderr, code, ..Default::default() }
        }
    })
}

/// The plugin name of a label such as `plugins/my-plugin (global)`.
fn plugin_of_label(label: &str) -> Option<&str> {
    label.strip_prefix("plugins/").map(|rest| rest.split(" (").next().unwrap_or(rest))
}

/// What the gateway says: what its version and settings cannot take, the route checks of its
/// router flavor (`validate::routes_for_flavor`, as for diff and sync), and every other entity
/// posted to its `/schemas/{kind}/validate`, rejections as findings; and the plugins it has
/// loaded.
type Online = (Vec<crate::diagnostic::Diagnostic>, Option<std::collections::BTreeSet<String>>);

fn online(config: &crate::model::Config, args: &ValidateArgs) -> anyhow::Result<Online> {
    let client = super::connect::client(&args.conn)?;
    let info = client.info()?;
    // what this gateway's version, edition and settings cannot take at all
    let mut out: Vec<crate::diagnostic::Diagnostic> = crate::capabilities::check_settings(config, &info)
        .into_iter()
        .map(|e| crate::diagnostic::Diagnostic::new(&crate::rules::GATEWAY_CANNOT_TAKE, e.message).at(e.at))
        .collect();
    let (flavor, name) = crate::capabilities::flavor_of(&info);
    let mut by_flavor = crate::validate::routes_for_flavor(config, flavor);
    for d in &mut by_flavor {
        d.message.push_str(&format!(" (this gateway's router_flavor is {name})"));
    }
    // a route refused for the flavor is not posted too: the gateway would say the same
    let refused: std::collections::BTreeSet<String> = by_flavor.iter().filter_map(|d| d.entity.clone()).collect();
    out.extend(by_flavor);
    for (entity, kind, body) in crate::plan::validation_bodies(config) {
        if refused.contains(&entity.label()) {
            continue;
        }
        let (status, answer) = client
            .send(reqwest::Method::POST, &format!("/schemas/{kind}/validate"), Some(&body))
            .map_err(|e| anyhow::anyhow!("validating {} online: {e}", entity.label()))?;
        if status.is_success() {
            continue;
        }
        let message = answer.get("message").and_then(serde_json::Value::as_str).map(String::from).unwrap_or_else(|| answer.to_string());
        let field = answer.get("fields").and_then(serde_json::Value::as_object).and_then(|f| f.keys().next().cloned()).unwrap_or_default();
        out.push(
            crate::diagnostic::Diagnostic::new(&crate::rules::ONLINE_REJECTED, format!("{message} (HTTP {})", status.as_u16()))
                .at(entity.node.loc)
                .entity(entity.label())
                .field(field),
        );
    }
    Ok((out, info.loaded_plugins))
}
