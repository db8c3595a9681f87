//! Plugin entities: known plugin, supported scopes, `config` and `protocols` against the
//! bundled Kong 3.15 schemas, plus the AI proxy entity checks.

use super::ai_proxy;
use crate::diagnostic::{did_you_mean, Diagnostic};
use crate::model::{reference, Config};
use crate::node::Node;
use crate::rules;
use crate::schema::{self, check, PluginSchema};

/// The schema that applies to a plugin name: bundled, or the source of a cloned plugin.
pub fn schema_for(config: &Config, name: &str) -> Option<&'static PluginSchema> {
    schema::plugin(name).or_else(|| {
        config
            .of_kind("cloned_plugins")
            .find(|c| c.node.get_str("name") == Some(name))
            .and_then(|c| c.node.get_str("ref"))
            .and_then(schema::plugin)
    })
}

pub fn check(config: &Config, out: &mut Vec<Diagnostic>) {
    for plugin in config.of_kind("plugins") {
        let label = plugin.label();
        let n = &plugin.node;
        let Some(name_node) = n.get("name") else { continue };
        let Some(name) = name_node.as_str() else { continue };
        let Some(schema) = schema_for(config, name) else {
            let mut d = Diagnostic::new(
                &rules::UNKNOWN_PLUGIN,
                format!("plugin '{name}' is not bundled with Kong {}: its config is not checked", schema::plugins().kong_version),
            )
            .at(name_node.loc)
            .entity(&label)
            .field("name");
            if let Some(s) = did_you_mean(name, schema::plugins().plugins.keys().map(String::as_str)) {
                d = d.hint(format!("did you mean `{s}`?"));
            } else {
                d = d.hint("custom plugins must be installed on every Kong node (`plugins = bundled,<name>` in kong.conf)");
            }
            out.push(d);
            continue;
        };
        for scope in ["consumer", "consumer_group", "route", "service"] {
            if reference(n, scope).is_some() && !schema.scopes.iter().any(|s| s == scope) {
                let scope_node = n.get(scope).unwrap_or(n);
                out.push(
                    Diagnostic::new(&rules::PLUGIN_SCOPE, "value must be null")
                        .at(scope_node.loc)
                        .entity(&label)
                        .field(scope)
                        .hint(format!("plugin '{name}' cannot be applied to a {}", scope.replace('_', " "))),
                );
            }
        }
        let empty = Node::map(n.loc);
        let config_node = n.get_set("config").unwrap_or(&empty);
        if n.get_set("_config").is_none() {
            check::check_plugin(name, config_node, &schema.config, "config", &label, out);
        }
        if let Some(protocols) = n.get_set("protocols") {
            check::check(protocols, &schema.protocols, "protocols", &label, out);
        }
        match name {
            "ai-proxy" => ai_proxy::check_ai_proxy(config_node, &label, out),
            "ai-proxy-advanced" => ai_proxy::check_ai_proxy_advanced(config_node, &label, out),
            _ => {}
        }
    }
}
