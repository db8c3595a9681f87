//! What a plan may touch: the kinds read from the gateway for a config, and the kinds refused.

use super::PlanError;
use crate::model::kinds;
use crate::model::Config;
use std::collections::BTreeSet;

/// RBAC kinds: managed only on their own, with `--rbac-resources-only` (as decK does).
pub(super) const RBAC_KINDS: &[&str] = &["rbac_roles", "rbac_endpoint_permissions"];

/// The top-level kinds diff and sync read from the gateway for this config, or why the config
/// cannot be planned. Licenses and plugin definitions are opt-in as in decK (licenses when the
/// config lists any, definitions when it lists any or sets `_info.include_plugin_definitions`,
/// each custom entity kind when it lists any);
/// RBAC is managed alone, in `rbac_only` mode, and mixing it with proxy configuration is refused.
pub fn scope(config: &Config, rbac_only: bool) -> Result<Vec<&'static str>, Vec<PlanError>> {
    let mut errors = Vec::new();
    let mut refused = BTreeSet::new();
    for e in &config.entities {
        let rbac = RBAC_KINDS.contains(&e.kind);
        let why = if kinds::kind(e.kind).is_none() {
            unsupported(e.kind)
        } else if rbac && !rbac_only {
            "RBAC resources are managed on their own: put them in a file of their own and pass --rbac-resources-only (as with decK)".into()
        } else if !rbac && rbac_only {
            "with --rbac-resources-only the config may hold RBAC roles and endpoint permissions only".into()
        } else {
            continue;
        };
        if refused.insert(e.kind) {
            errors.push(PlanError { at: e.node.loc, message: format!("{}: {why}", e.label()) });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if rbac_only {
        return Ok(vec!["rbac_roles"]);
    }
    let has = |k: &str| config.of_kind(k).next().is_some();
    let definitions = config.include_plugin_definitions || has("cloned_plugins") || has("custom_plugins");
    Ok(kinds::KINDS
        .iter()
        .filter(|k| match k.key {
            "licenses" => has("licenses"),
            "degraphql_routes" | "graphql_ratelimiting_cost_decorations" => has(k.key),
            "cloned_plugins" | "custom_plugins" => definitions,
            _ => !k.opt_in,
        })
        .map(|k| k.key)
        .collect())
}

/// Why a kind of the decK format is not synced to a Kong Gateway Admin API.
pub(super) fn unsupported(kind: &str) -> String {
    match kind {
        "service_packages" => "service packages are Konnect entities: a Kong Gateway Admin API has no endpoint for them (decK syncs them through its Konnect client)".into(),
        "custom_entities" => "of custom entities only `type: degraphql_routes` and `type: graphql_ratelimiting_cost_decorations` are supported (as in decK)".into(),
        other => format!("`{other}` entities are not managed by dump/diff/sync"),
    }
}
