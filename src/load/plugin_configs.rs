//! `_plugin_configs`: shared plugin configuration that plugins name with `_config`.
//!
//! go-database-reconciler `pkg/file/builder.go` (`fillPluginConfig`, `mergePluginConfig`)
//! merges the named entry into the plugin's own `config` without overwriting: a key the
//! plugin sets wins at every level of nesting; where both sides hold an object the merge
//! recurses; anything else the plugin has (a scalar, an array) is kept whole. A name that
//! `_plugin_configs` lacks stops decK with `_plugin_config "NAME" not found`. Every plugin
//! is filled, nested ones included; `_config` itself never reaches Kong.

use crate::diagnostic::Diagnostic;
use crate::model::child_kinds;
use crate::node::{Node, Value};
use crate::rules;

/// Fills every plugin of `doc` that names a `_config` from `_plugin_configs`.
pub fn apply(doc: &mut Node, out: &mut Vec<Diagnostic>) {
    let shared = doc.get_set("_plugin_configs").cloned();
    if let Value::Map(entries) = &mut doc.value {
        for e in entries.iter_mut().filter(|e| !e.key.starts_with('_')) {
            walk(&e.key.clone(), &mut e.value, shared.as_ref(), out);
        }
    }
}

fn walk(kind: &str, items: &mut Node, shared: Option<&Node>, out: &mut Vec<Diagnostic>) {
    let Value::Seq(items) = &mut items.value else { return };
    for item in items.iter_mut().filter(|i| i.is_map()) {
        if kind == "plugins" {
            fill(item, shared, out);
        }
        for child in child_kinds(kind) {
            if let Some(c) = item.get_mut(child) {
                walk(child, c, shared, out);
            }
        }
    }
}

fn fill(plugin: &mut Node, shared: Option<&Node>, out: &mut Vec<Diagnostic>) {
    let Some(source) = plugin.get_set("_config") else { return };
    let Some(name) = source.as_str().map(String::from) else { return };
    let loc = source.loc;
    let Some(conf) = shared.and_then(|s| s.get_set(&name)) else {
        let plugin_name = plugin.get_str("name").unwrap_or("?").to_string();
        out.push(
            Diagnostic::new(&rules::UNKNOWN_REFERENCE, format!("_plugin_config {name:?} not found"))
                .at(loc)
                .entity(format!("plugins/{plugin_name}"))
                .field("_config")
                .hint("define it under `_plugin_configs:` (decK stops at this)"),
        );
        return;
    };
    let conf = conf.clone();
    match plugin.get_mut("config") {
        Some(own) if own.is_map() => merge_missing(own, &conf),
        Some(own) if own.is_null() => *own = conf,
        Some(_) => {}
        None => plugin.set("config", conf),
    }
    plugin.remove("_config");
}

/// Copies into `dst` what it lacks from `src`, recursing where both hold objects.
pub fn merge_missing(dst: &mut Node, src: &Node) {
    for e in src.entries() {
        match dst.get_mut(&e.key) {
            None => {
                if let Value::Map(m) = &mut dst.value {
                    m.push(e.clone());
                }
            }
            Some(existing) if existing.is_map() && e.value.is_map() => merge_missing(existing, &e.value),
            Some(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{parse, Origin};

    fn doc(s: &str) -> Node {
        parse(s, Origin::default()).unwrap().unwrap()
    }

    #[test]
    fn the_plugin_wins_at_every_level() {
        let mut d = doc(concat!(
            "_plugin_configs:\n",
            "  rl:\n    limit: [10]\n    window_size: [60]\n    redis: {host: shared, port: 6379}\n    namespace: ns\n",
            "services:\n- name: s\n  plugins:\n  - name: rate-limiting-advanced\n    _config: rl\n",
            "    config:\n      limit: [5]\n      redis: {host: mine}\n",
            "plugins:\n- name: rate-limiting-advanced\n  _config: rl\n",
        ));
        let mut out = vec![];
        apply(&mut d, &mut out);
        assert!(out.is_empty(), "{out:?}");
        let nested = &d.get("services").unwrap().as_seq().unwrap()[0].get("plugins").unwrap().as_seq().unwrap()[0];
        let c = nested.get("config").unwrap();
        assert_eq!(c.get("limit").unwrap().to_json(false), serde_json::json!([5]));
        assert_eq!(c.get("window_size").unwrap().to_json(false), serde_json::json!([60]));
        assert_eq!(c.get("redis").unwrap().to_json(false), serde_json::json!({"host": "mine", "port": 6379}));
        assert_eq!(c.get_str("namespace"), Some("ns"));
        assert!(nested.get("_config").is_none());
        let global = &d.get("plugins").unwrap().as_seq().unwrap()[0];
        assert_eq!(global.get("config").unwrap().get("limit").unwrap().to_json(false), serde_json::json!([10]));
    }

    #[test]
    fn an_unknown_name_is_decks_error() {
        let mut d = doc("plugins:\n- name: rate-limiting-advanced\n  _config: nope\n");
        let mut out = vec![];
        apply(&mut d, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].message, "_plugin_config \"nope\" not found");
        assert_eq!(out[0].loc.unwrap().line, 3);
    }
}
