//! Merging decK documents: concatenation across files (as `deck` does with several `-s`
//! files) and upsert across docs blocks (as successive `deck gateway apply` runs do).

use crate::model::child_kinds;
use crate::node::{Entry, Node, Value};

/// Appends every collection of `next` to `base` (decK's merge of several state files:
/// go-database-reconciler `pkg/file/readfile.go` `getContent`, `mergo.Merge` with
/// `WithAppendSlice`). The `_` sections (`_info`, `_plugin_configs`, ...) merge the same way:
/// what the earlier file set stays, what it lacks is filled, lists are appended (tags listed
/// by both files once); a `_plugin_configs` entry is kept whole.
pub fn concat(base: &mut Node, next: Node) {
    let Value::Map(entries) = next.value else { return };
    for e in entries {
        match base.get_mut(&e.key) {
            Some(existing) => match (&mut existing.value, e.value.value) {
                (Value::Seq(items), Value::Seq(more)) => items.extend(more),
                // a shared plugin config named by two files: the first file's stays whole
                (Value::Map(_), Value::Map(more)) if e.key == "_plugin_configs" => {
                    for m in more {
                        if existing.get(&m.key).is_none() {
                            push(existing, m);
                        }
                    }
                }
                (Value::Map(_), other @ Value::Map(_)) if e.key.starts_with('_') => {
                    fill(existing, Node { value: other, ..e.value })
                }
                (_, other) if e.key.starts_with('_') => {
                    if existing.is_null() {
                        existing.value = other;
                    }
                }
                (_, other) => existing.value = other,
            },
            None => push(base, e),
        }
    }
}

/// mergo's fill of `_` sections: maps recurse, lists append (without repeating a scalar),
/// set values stay.
fn fill(base: &mut Node, next: Node) {
    let Value::Map(entries) = next.value else { return };
    for e in entries {
        match base.get_mut(&e.key) {
            None => push(base, e),
            Some(existing) => match (&mut existing.value, e.value.value) {
                (Value::Null, other) => existing.value = other,
                (Value::Map(_), other @ Value::Map(_)) => fill(existing, Node { value: other, ..e.value }),
                (Value::Seq(items), Value::Seq(more)) => {
                    for m in more {
                        let scalar = !matches!(m.value, Value::Seq(_) | Value::Map(_));
                        if !(scalar && items.iter().any(|i| i.value == m.value)) {
                            items.push(m);
                        }
                    }
                }
                _ => {}
            },
        }
    }
}

/// Applies `next` on top of `base` the way `deck gateway apply` does: an entity with the
/// same identity is replaced (its own fields; defaults fill what the new one leaves out),
/// its child collections are merged the same way, and nothing is removed.
pub fn upsert(base: &mut Node, next: Node) {
    let Value::Map(entries) = next.value else { return };
    for e in entries {
        let kind = e.key.clone();
        match base.get_mut(&kind) {
            Some(existing) if matches!(existing.value, Value::Seq(_)) => upsert_items(existing, e.value, &kind),
            Some(existing) => *existing = e.value,
            None => push(base, e),
        }
    }
}

fn push(base: &mut Node, e: Entry) {
    if let Value::Map(m) = &mut base.value {
        m.push(e);
    }
}

fn upsert_items(existing: &mut Node, next: Node, kind: &str) {
    let Value::Seq(new_items) = next.value else { return };
    let Value::Seq(items) = &mut existing.value else { return };
    for item in new_items {
        let id = identity(kind, &item);
        match items.iter_mut().find(|old| id.is_some() && identity(kind, old) == id) {
            Some(old) => {
                let mut merged = item;
                for child in child_kinds(kind) {
                    if let Some(old_children) = old.get(child).cloned() {
                        match merged.get_mut(child) {
                            Some(new_children) => {
                                let new_c = std::mem::replace(new_children, old_children);
                                upsert_items(merged.get_mut(child).expect("just set"), new_c, child);
                            }
                            None => merged.set(child, old_children),
                        }
                    }
                }
                *old = merged;
            }
            None => items.push(item),
        }
    }
}

/// What makes two items of one collection "the same entity" for decK.
pub fn identity(kind: &str, n: &Node) -> Option<String> {
    if let Some(id) = n.get_str("id") {
        return Some(format!("id:{id}"));
    }
    if kind == "plugins" {
        let name = n.get_str("name")?;
        let mut key = format!("plugin:{name}");
        for scope in ["service", "route", "consumer", "consumer_group", "instance_name"] {
            if let Some(r) = crate::model::reference(n, scope) {
                key.push_str(&format!("|{scope}={}", r.key));
            }
        }
        return Some(key);
    }
    for field in ["name", "username", "custom_id", "target", "prefix", "key", "group"] {
        if let Some(v) = n.get_str(field) {
            return Some(format!("{field}:{v}"));
        }
    }
    n.as_str().map(|s| format!("name:{s}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{parse, Origin};

    fn doc(s: &str) -> Node {
        parse(s, Origin::default()).unwrap().unwrap()
    }

    #[test]
    fn later_blocks_replace_fields_and_merge_children() {
        let mut base = doc("services:\n- name: s\n  url: https://a\n  routes:\n  - name: r1\n    paths: [/a]\nconsumers:\n- username: alex\n");
        upsert(&mut base, doc("services:\n- name: s\n  host: up\n  routes:\n  - name: r2\n    paths: [/b]\nconsumers:\n- username: alex\n  keyauth_credentials:\n  - key: k\n"));
        let s = &base.get("services").unwrap().as_seq().unwrap()[0];
        assert_eq!(s.get_str("host"), Some("up"));
        assert!(s.get("url").is_none(), "fields of the earlier object are not kept");
        assert_eq!(s.get("routes").unwrap().as_seq().unwrap().len(), 2);
        let c = &base.get("consumers").unwrap().as_seq().unwrap()[0];
        assert_eq!(c.get("keyauth_credentials").unwrap().as_seq().unwrap().len(), 1);
        assert_eq!(base.get("consumers").unwrap().as_seq().unwrap().len(), 1);
    }

    #[test]
    fn plugins_are_identified_by_name_and_scope() {
        let mut base = doc("plugins:\n- name: acl\n  service: a\n  config: {allow: [x]}\n");
        upsert(&mut base, doc("plugins:\n- name: acl\n  service: a\n  config: {allow: [y]}\n- name: acl\n  service: b\n"));
        let p = base.get("plugins").unwrap().as_seq().unwrap();
        assert_eq!(p.len(), 2);
    }

    #[test]
    fn concat_fills_info_and_plugin_configs() {
        let mut base = doc("_info:\n  select_tags: [a]\n_plugin_configs:\n  x: {limit: [1]}\nservices: []\n");
        concat(
            &mut base,
            doc("_info:\n  select_tags: [a, b]\n  default_lookup_tags:\n    consumer_groups: [g]\n_plugin_configs:\n  x: {limit: [9], window_size: [60]}\n  z: {minute: 1}\n"),
        );
        let info = base.get("_info").unwrap();
        assert_eq!(info.get("select_tags").unwrap().to_json(false), serde_json::json!(["a", "b"]));
        assert!(info.get("default_lookup_tags").is_some(), "a later file's lookup tags count");
        let pc = base.get("_plugin_configs").unwrap();
        assert_eq!(pc.get("x").unwrap().to_json(false), serde_json::json!({"limit": [1]}));
        assert!(pc.get("z").is_some(), "{}", pc.to_json(false));
    }

    #[test]
    fn concat_appends() {
        let mut base = doc("_format_version: '3.0'\nservices:\n- name: a\n");
        concat(&mut base, doc("_format_version: '3.0'\nservices:\n- name: b\nroutes:\n- name: r\n"));
        assert_eq!(base.get("services").unwrap().as_seq().unwrap().len(), 2);
        assert!(base.get("routes").is_some());
    }
}
