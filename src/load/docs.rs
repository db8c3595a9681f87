//! Kong docs pages: `{% entity_examples %}` blocks, their variables, front-matter
//! prerequisite entities and `{% include %}`d steps.
//!
//! Follows how developer.konghq.com renders the plural tag (decK only): the block body is
//! Liquid-rendered, parsed as YAML, and its `entities` applied like `deck gateway apply`.

use super::{Files, LoadCtx};
use crate::diagnostic::{Diagnostic, Severity};
use crate::env::DocsVar;
use crate::node::Node;
use crate::rules;
use crate::source::{FileId, Loc};
use crate::yaml::{self, Origin};
use std::path::{Path, PathBuf};

/// One `{% entity_examples %}` block.
#[derive(Debug)]
pub struct Block {
    pub entities: Node,
    pub vars: Vec<DocsVar>,
    pub deck_flags: Vec<String>,
}

/// What a page contributes, in page order.
#[derive(Debug, Default)]
pub struct Page {
    /// Front-matter prerequisite entities, as decK document fragments.
    pub prereqs: Vec<Node>,
    pub blocks: Vec<Block>,
}

/// Site variables the docs use inside blocks (`{{site.konnect_short_name}}`).
const SITE: &[(&str, &str)] = &[
    ("base_gateway", "Kong Gateway"),
    ("ai_gateway", "AI Gateway"),
    ("konnect_short_name", "Konnect"),
    ("konnect_product_name", "Kong Konnect"),
    ("konnect_saas", "Kong Konnect"),
    ("mesh_product_name", "Kong Mesh"),
    ("kic_product_name", "Kong Ingress Controller"),
    ("operator_product_name", "Kong Operator"),
    ("event_gateway", "Event Gateway"),
    ("gemini", "Gemini"),
    ("mistral", "Mistral"),
    ("cohere", "Cohere"),
    ("claude", "Claude"),
    ("anthropic", "Anthropic"),
    ("openai", "OpenAI"),
    ("azure", "Azure"),
    ("bedrock", "Amazon Bedrock"),
    ("vertex", "Vertex AI"),
    ("huggingface", "Hugging Face"),
    ("llama", "Llama"),
];

const MAX_INCLUDE_DEPTH: usize = 5;

pub fn read_page(path: &Path, text: &str, file: FileId, ctx: &mut LoadCtx) -> Page {
    let mut page = Page::default();
    let body_start = read_front_matter(path, text, file, ctx, &mut page);
    scan(path, text, body_start, file, ctx, &mut page, 0);
    page
}

fn read_front_matter(path: &Path, text: &str, file: FileId, ctx: &mut LoadCtx, page: &mut Page) -> usize {
    let mut lines = text.lines();
    if lines.next().map(str::trim_end) != Some("---") {
        return 0;
    }
    let Some(end) = text.lines().skip(1).position(|l| l.trim_end() == "---").map(|i| i + 1) else {
        return 0;
    };
    let fm_text: String = text.lines().skip(1).take(end - 1).map(|l| format!("{l}\n")).collect();
    let origin = Origin { file, line_offset: 1, column_offset: 0 };
    let fm = match yaml::parse(&fm_text, origin) {
        Ok(Some(n)) => n,
        Ok(None) => return end + 1,
        Err(e) => {
            ctx.out.push(Diagnostic::new(&rules::YAML_SYNTAX, format!("front matter: {}", e.message)).at(e.loc));
            return end + 1;
        }
    };
    let Some(entities) = fm.get("prereqs").and_then(|p| p.get_set("entities")) else { return end + 1 };
    let product = fm.get("prereqs").and_then(|p| p.get_str("entities_product")).unwrap_or("gateway");
    for kind_entry in entities.entries() {
        let kind = kind_entry.key.as_str();
        for name_node in kind_entry.value.as_seq().unwrap_or(&[]) {
            let Some(name) = name_node.as_str() else { continue };
            match find_prereq(path, product, kind, name, ctx.files) {
                Some(found) => {
                    let Some(node) = ctx.parse_file(&found, Origin::default()) else { continue };
                    let mut frag = Node::map(node.loc);
                    frag.set(kind, Node::new(crate::node::Value::Seq(vec![node]), name_node.loc));
                    page.prereqs.push(frag);
                }
                None => ctx.out.push(
                    Diagnostic::new(
                        &rules::MISSING_PREREQ_ENTITY,
                        format!("prerequisite {kind} `{name}` not found under _data/entity_examples/{product}/"),
                    )
                    .at(name_node.loc)
                    .field(format!("prereqs.entities.{kind}")),
                ),
            }
        }
    }
    end + 1
}

/// Looks for `_data/entity_examples/<product>/<kind dir>/<name>.yml|yaml` above the page.
fn find_prereq(page: &Path, product: &str, kind: &str, name: &str, files: &dyn Files) -> Option<PathBuf> {
    let dirs: &[&str] = match kind {
        "services" => &["services"],
        "routes" => &["routes"],
        "consumers" => &["consumers"],
        "consumer_groups" => &["consumer-groups", "consumer_groups"],
        "upstreams" => &["upstream", "upstreams"],
        "certificates" => &["certificates"],
        _ => &[],
    };
    for dir in page.ancestors().skip(1) {
        let root = dir.join("_data").join("entity_examples").join(product);
        for d in dirs {
            for ext in ["yml", "yaml"] {
                let p = root.join(d).join(format!("{name}.{ext}"));
                if files.exists(&p) {
                    return Some(p);
                }
            }
        }
    }
    None
}

fn find_include(page: &Path, include: &str, files: &dyn Files) -> Option<PathBuf> {
    let rel = include.trim_start_matches('/');
    page.ancestors().skip(1).map(|d| d.join("_includes").join(rel)).find(|p| files.exists(p))
}

fn scan(path: &Path, text: &str, skip: usize, file: FileId, ctx: &mut LoadCtx, page: &mut Page, depth: usize) {
    let lines: Vec<&str> = text.lines().collect();
    let mut i = skip;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim();
        if let Some(target) = include_target(trimmed) {
            if depth >= MAX_INCLUDE_DEPTH {
                i += 1;
                continue;
            }
            match find_include(path, &target, ctx.files) {
                Some(inc) => {
                    if let Some((inc_id, inc_text)) = ctx.read_text(&inc) {
                        scan(&inc, &inc_text, 0, inc_id, ctx, page, depth + 1);
                    }
                }
                None => ctx.out.push(
                    Diagnostic::new(&rules::MISSING_INCLUDE, format!("include `{target}` not found under _includes/"))
                        .at(Loc::new(file, i as u32 + 1, (line.len() - line.trim_start().len()) as u32 + 1)),
                ),
            }
        } else if trimmed == "{% entity_examples %}" || trimmed == "{%- entity_examples -%}" {
            let indent = line.len() - line.trim_start().len();
            let start = i;
            let mut end = None;
            for (j, l) in lines.iter().enumerate().skip(i + 1) {
                if l.trim().starts_with("{% endentity_examples") || l.trim().starts_with("{%- endentity_examples") {
                    end = Some(j);
                    break;
                }
            }
            let Some(end) = end else {
                ctx.out.push(
                    Diagnostic::new(&rules::DOCS_BLOCK_FORMAT, "`{% entity_examples %}` without `{% endentity_examples %}`")
                        .at(Loc::new(file, start as u32 + 1, indent as u32 + 1)),
                );
                return;
            };
            let body: String = lines[start + 1..end]
                .iter()
                .map(|l| format!("{}\n", strip_indent(l, indent)))
                .collect();
            let origin = Origin { file, line_offset: start as u32 + 1, column_offset: indent as u32 };
            if let Some(b) = read_block(&body, origin, Loc::new(file, start as u32 + 1, indent as u32 + 1), ctx) {
                page.blocks.push(b);
            }
            i = end;
        }
        i += 1;
    }
}

fn include_target(line: &str) -> Option<String> {
    let rest = line.strip_prefix("{% include_cached").or_else(|| line.strip_prefix("{% include"))?;
    let rest = rest.trim_start();
    let target = rest.split_whitespace().next()?;
    (target.ends_with(".md") || target.ends_with(".html")).then(|| target.to_string())
}

fn strip_indent(line: &str, indent: usize) -> &str {
    let ws = line.len() - line.trim_start_matches(' ').len();
    &line[ws.min(indent)..]
}

fn render_liquid(body: &str) -> Result<String, String> {
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_keep_trailing_newline(true);
    let site: std::collections::BTreeMap<&str, &str> = SITE.iter().copied().collect();
    env.render_str(body, minijinja::context! { site => site }).map_err(|e| {
        let mut msg = e.to_string();
        if let Some(d) = e.detail() {
            msg = format!("{}: {d}", e.kind());
        }
        msg
    })
}

fn read_block(body: &str, origin: Origin, tag_loc: Loc, ctx: &mut LoadCtx) -> Option<Block> {
    let rendered = if body.contains("{{") || body.contains("{%") {
        match render_liquid(body) {
            Ok(r) => r,
            Err(e) => {
                ctx.out.push(Diagnostic::new(&rules::LIQUID_TEMPLATE, format!("cannot render Liquid in block: {e}")).at(tag_loc));
                return None;
            }
        }
    } else {
        body.to_string()
    };
    let node = match yaml::parse(&rendered, origin) {
        Ok(Some(n)) => n,
        Ok(None) => {
            ctx.out.push(Diagnostic::new(&rules::DOCS_BLOCK_FORMAT, "empty entity_examples block").at(tag_loc));
            return None;
        }
        Err(e) => {
            ctx.out.push(Diagnostic::new(&rules::YAML_SYNTAX, e.message).at(e.loc));
            return None;
        }
    };
    for e in node.entries() {
        if !matches!(e.key.as_str(), "entities" | "variables" | "formats" | "deck_flags") {
            ctx.out.push(
                Diagnostic::new(&rules::DOCS_BLOCK_FORMAT, format!("entity_examples does not read `{}`", e.key))
                    .at(e.key_loc)
                    .severity(Severity::Warning),
            );
        }
    }
    if let Some(formats) = node.get("formats") {
        let ok = formats.as_seq().is_some_and(|f| f.len() == 1 && f[0].as_str() == Some("deck"));
        if !ok {
            ctx.out.push(
                Diagnostic::new(&rules::DOCS_BLOCK_FORMAT, "entity_examples only supports deck (`formats: [deck]`)").at(formats.loc),
            );
        }
    }
    let Some(entities) = node.get("entities").filter(|e| e.is_map()).cloned() else {
        ctx.out.push(Diagnostic::new(&rules::DOCS_BLOCK_FORMAT, "entity_examples block without an `entities` map").at(tag_loc));
        return None;
    };
    let mut vars = Vec::new();
    if let Some(vs) = node.get_set("variables") {
        for v in vs.entries() {
            let value = v.value.get_str("value").or_else(|| v.value.as_str());
            match value.and_then(|s| s.strip_prefix('$')) {
                Some(env) if !env.is_empty() => vars.push(DocsVar {
                    name: v.key.clone(),
                    env: env.to_string(),
                    description: v.value.get_str("description").map(String::from),
                    literal_block: v.value.get("literal_block").and_then(Node::as_bool).unwrap_or(false),
                }),
                _ => ctx.out.push(
                    Diagnostic::new(&rules::DOCS_BLOCK_FORMAT, format!("variable `{}` needs `value: $ENV_NAME`", v.key))
                        .at(v.value.loc)
                        .field(format!("variables.{}", v.key)),
                ),
            }
        }
    }
    let deck_flags = node
        .get("deck_flags")
        .and_then(Node::as_seq)
        .map(|s| s.iter().filter_map(|f| f.as_str().map(String::from)).collect())
        .unwrap_or_default();
    Some(Block { entities, vars, deck_flags })
}

/// A plugin example page's YAML (`app/_kong_plugins/<plugin>/examples/<x>.yaml`): `title`,
/// `description`, `config`, `variables`, ... Recognised by a top-level `config` next to a
/// `title` or `description` and no decK keys.
pub fn is_plugin_example(doc: &Node) -> bool {
    doc.get("config").is_some()
        && (doc.get("title").is_some() || doc.get("description").is_some())
        && !doc.entries().iter().any(|e| crate::model::TOP_LEVEL_KEYS.contains(&e.key.as_str()))
}

/// The plugin an example belongs to: its folder (`<plugin>/examples/x.yaml` or `<plugin>/x.yaml`).
pub fn plugin_example_name(path: &Path) -> Option<String> {
    let parent = path.parent()?;
    let dir = if parent.file_name()? == "examples" { parent.parent()? } else { parent };
    dir.file_name().map(|n| n.to_string_lossy().into_owned())
}

/// Turns a plugin example into a decK document with one plugin per config, and returns
/// its variables.
pub fn plugin_example_document(path: &Path, doc: &Node, ctx: &mut LoadCtx) -> (Node, Vec<DocsVar>) {
    let name = plugin_example_name(path).unwrap_or_default();
    let config = doc.get("config").expect("checked by is_plugin_example");
    let configs: Vec<&Node> = match config.as_seq() {
        Some(items) => {
            ctx.out.push(
                Diagnostic::new(&rules::DOCS_BLOCK_FORMAT, format!("`config` is a list of {} configs; each is checked as its own `{name}` plugin", items.len()))
                    .at(config.loc)
                    .severity(Severity::Warning),
            );
            items.iter().collect()
        }
        None => vec![config],
    };
    let plugins: Vec<Node> = configs
        .into_iter()
        .map(|c| {
            let mut p = Node::map(c.loc);
            p.set("name", Node::str(name.clone(), c.loc));
            p.set("config", c.clone());
            p
        })
        .collect();
    let mut out = Node::map(doc.loc);
    out.set("_format_version", Node::str("3.0", doc.loc));
    out.set("plugins", Node::new(crate::node::Value::Seq(plugins), config.loc));
    let vars = doc
        .get_set("variables")
        .map(|vs| {
            vs.entries()
                .iter()
                .filter_map(|v| {
                    let env = v.value.get_str("value")?.strip_prefix('$')?.to_string();
                    Some(DocsVar {
                        name: v.key.clone(),
                        env,
                        description: v.value.get_str("description").map(String::from),
                        literal_block: v.value.get("literal_block").and_then(Node::as_bool).unwrap_or(false),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    (out, vars)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn liquid_site_variables_and_raw() {
        assert_eq!(render_liquid("a: {{site.konnect_short_name}}\nb: {% raw %}{{text}}{% endraw %}\n").unwrap(), "a: Konnect\nb: {{text}}\n");
        assert!(render_liquid("a: {{site.nope}}\n").is_err());
    }

    #[test]
    fn include_lines() {
        assert_eq!(include_target("{% include how-tos/steps/x.md %}").as_deref(), Some("how-tos/steps/x.md"));
        assert_eq!(include_target("{% include /a/b.md type='q' %}").as_deref(), Some("/a/b.md"));
        assert_eq!(include_target("{% include_cached /a/b.md %}").as_deref(), Some("/a/b.md"));
        assert_eq!(include_target("text"), None);
    }
}
