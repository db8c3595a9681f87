//! `gateway dump`: the gateway's entities as a decK file.

use super::{connect, render, Outcome};
use crate::admin::{self, kinds};
use crate::cli::DumpArgs;
use crate::node::Node;
use crate::source::Loc;
use anyhow::{anyhow, Context as _};
use serde_json::{Map, Value as Json};
use std::collections::HashMap;

pub fn run(args: &DumpArgs) -> anyhow::Result<Outcome> {
    let client = connect::client(&args.conn)?;
    client.info()?;
    let current = admin::state::fetch(&client, &args.select_tags).map_err(|e| anyhow!("reading the gateway's state: {e}"))?;
    let doc = document(&current, &args.select_tags);
    let body = render::serialize(&Node::from_json(&doc, Loc::default()), args.format)?;
    match &args.output {
        Some(p) => {
            render::write_atomically(p, &body).with_context(|| format!("writing {}", p.display()))?;
            Ok(Outcome { stderr: format!("wrote {} ({} entities)\n", p.display(), current.len()), ..Default::default() })
        }
        None => Ok(Outcome { stdout: body, ..Default::default() }),
    }
}

/// A decK document: top-level collections, references by name where the target has one.
pub fn document(current: &[crate::plan::Current], select_tags: &[String]) -> Json {
    let mut names: HashMap<String, String> = HashMap::new();
    for c in current {
        let id = c.body.get("id").and_then(Json::as_str);
        let name = c.body.get("name").or_else(|| c.body.get("username")).and_then(Json::as_str);
        if let (Some(id), Some(n)) = (id, name) {
            names.insert(id.to_string(), n.to_string());
        }
    }
    let mut doc = Map::new();
    doc.insert("_format_version".into(), Json::String("3.0".into()));
    if !select_tags.is_empty() {
        doc.insert("_info".into(), serde_json::json!({ "select_tags": select_tags }));
    }
    for kind in kinds::KINDS {
        let mut items: Vec<Json> = current
            .iter()
            .filter(|c| c.kind == kind.key)
            .map(|c| {
                let mut b = c.body.clone();
                crate::plan::normalize::drop_nulls(&mut b);
                if let Json::Object(m) = &mut b {
                    m.retain(|k, _| !matches!(k.as_str(), "created_at" | "updated_at" | "ws_id"));
                    for (field, _) in kind.foreign {
                        if let Some(id) = m.get(*field).and_then(|f| f.get("id")).and_then(Json::as_str) {
                            if let Some(n) = names.get(id) {
                                m.insert(field.to_string(), Json::String(n.clone()));
                            }
                        }
                    }
                    if let Some(Json::Array(tags)) = m.get_mut("tags") {
                        tags.retain(|t| !select_tags.iter().any(|s| t.as_str() == Some(s)));
                        if tags.is_empty() {
                            m.remove("tags");
                        }
                    }
                }
                b
            })
            .collect();
        if items.is_empty() {
            continue;
        }
        items.sort_by_key(|b| b.get("name").or_else(|| b.get("username")).or_else(|| b.get("id")).map(|v| v.to_string()).unwrap_or_default());
        let key = if kind.key == "keyauth_credentials" { "keyauth_credentials" } else { kind.key };
        doc.insert(key.into(), Json::Array(items));
    }
    Json::Object(doc)
}
