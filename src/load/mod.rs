//! Loading inputs into one decK document: decK files (YAML or JSON) and docs pages.
//!
//! File access goes through the [`Files`] trait so the loader can be driven from memory
//! in tests; the CLI passes the real file system. Every problem becomes a diagnostic with
//! a location; loading never stops at the first one.

pub mod docs;
pub mod merge;
pub mod plugin_configs;
pub mod template;

use crate::diagnostic::Diagnostic;
use crate::env::{self, DocsVar, Env, EnvMode};
use crate::model::Config;
use crate::node::Node;
use crate::rules;
use crate::source::{Loc, Sources};
use crate::yaml::{self, Origin};
use std::path::{Path, PathBuf};

/// Largest input file accepted.
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;

/// Read access to files (the real file system in the CLI, a map in tests).
pub trait Files {
    fn read(&self, path: &Path) -> Result<Vec<u8>, String>;
    fn exists(&self, path: &Path) -> bool;
    /// The name messages use for `path` (the CLI calls `-` `<stdin>`).
    fn name(&self, path: &Path) -> String {
        display_path(path)
    }
    /// The config files an input directory stands for, or `None` when `path` is no directory
    /// (the real file system unless overridden).
    fn list_dir(&self, path: &Path) -> Option<Vec<PathBuf>> {
        config_files_in_dir(path)
    }
}

/// Every `.yaml`, `.yml` and `.json` file (any case) under `dir`, subdirectories included,
/// in the order decK reads them: go-database-reconciler `pkg/utils/utils.go`
/// `ConfigFilesInDir` walks the tree with `filepath.Walk`, which visits names in lexical
/// order, depth first. `None` when `dir` is not a directory.
pub fn config_files_in_dir(dir: &Path) -> Option<Vec<PathBuf>> {
    if !std::fs::metadata(dir).ok()?.is_dir() {
        return None;
    }
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(rd) = std::fs::read_dir(dir) else { return };
        let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else if is_config_file(&p) {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    Some(out)
}

fn is_config_file(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref(), Some("yaml" | "yml" | "json"))
}

/// The real file system.
pub struct Disk;

impl Files for Disk {
    fn read(&self, path: &Path) -> Result<Vec<u8>, String> {
        let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
        if meta.is_dir() {
            return Err("is a directory, not a file".into());
        }
        if meta.len() as usize > MAX_FILE_BYTES {
            return Err(format!("file is too large ({} bytes; the limit is {MAX_FILE_BYTES})", meta.len()));
        }
        std::fs::read(path).map_err(|e| e.to_string())
    }

    fn exists(&self, path: &Path) -> bool {
        path.is_file()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_is_its_config_files_in_name_order_recursively() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::create_dir_all(p.join("b/nested")).unwrap();
        for f in ["b/nested/z.yml", "b/a.JSON", "c.yaml", "a.yaml", "notes.md", "b/x.txt"] {
            std::fs::write(p.join(f), "{}").unwrap();
        }
        let got: Vec<String> = config_files_in_dir(p)
            .unwrap()
            .iter()
            .map(|f| f.strip_prefix(p).unwrap().to_string_lossy().replace('\\', "/"))
            .collect();
        assert_eq!(got, ["a.yaml", "b/a.JSON", "b/nested/z.yml", "c.yaml"]);
        assert!(config_files_in_dir(&p.join("a.yaml")).is_none());
    }

    /// The shapes of decK's sync/057-env-var-masking-tests/comprehensive.yaml: every scalar
    /// holding a value from the environment is marked, whatever its type or quoting.
    #[test]
    fn values_rendered_into_the_text_keep_their_provenance() {
        let text = concat!(
            "_format_version: \"3.0\"\n",
            "certificates:\n  - cert: ${{ env \"DECK_CLIENT_CERT\" }}\n    key: ${{ env \"DECK_CLIENT_KEY\" }}\n",
            "services:\n  - name: s\n    host: example.com\n    retries: ${{ env \"DECK_RETRIES\" }}\n    plugins:\n",
            "      - name: request-transformer\n        config:\n          add:\n            headers:\n",
            "              - \"X-API-Key:${{ env \"DECK_API_KEY\" }}\"\n              - \"X-Plain:literal\"\n",
        );
        let files = MemFiles::default().with("kong.yaml", text);
        let env: Env = [
            ("DECK_CLIENT_CERT", "\"-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----\""),
            ("DECK_CLIENT_KEY", "\"-----BEGIN PRIVATE KEY-----\\nMIIE\\n-----END PRIVATE KEY-----\""),
            ("DECK_RETRIES", "7"),
            ("DECK_API_KEY", "apiKeySecret"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let loaded = load(&[PathBuf::from("kong.yaml")], &files, &env, EnvMode::Resolve);
        assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
        let doc = loaded.document.unwrap();
        let cert = &doc.get("certificates").unwrap().as_seq().unwrap()[0];
        assert_eq!(cert.get_str("cert"), Some("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"));
        assert_eq!(cert.get("cert").unwrap().env.as_deref(), Some("DECK_CLIENT_CERT"));
        assert_eq!(cert.get("key").unwrap().env.as_deref(), Some("DECK_CLIENT_KEY"));
        assert_eq!(cert.get("key").unwrap().loc.line, 4, "positions are the user's");
        let svc = &doc.get("services").unwrap().as_seq().unwrap()[0];
        assert_eq!(svc.get("retries").unwrap().value, crate::node::Value::Int(7));
        assert_eq!(svc.get("retries").unwrap().env.as_deref(), Some("DECK_RETRIES"));
        assert_eq!(svc.get("retries").unwrap().loc.line, 8);
        assert_eq!(svc.get("host").unwrap().env, None);
        let secrets = crate::output::secret_values(&doc);
        assert!(secrets.contains(&"X-API-Key:apiKeySecret".to_string()), "{secrets:?}");
        assert!(!secrets.iter().any(|s| s.contains("X-Plain")), "{secrets:?}");
        assert_eq!(svc.get("retries").unwrap().to_json(true), serde_json::json!("[masked]"));
    }

    #[test]
    fn a_file_beginning_with_a_space_is_decks_error() {
        let files = MemFiles::default().with("k.yaml", " _format_version: \"3.0\"\n");
        let loaded = load(&[PathBuf::from("k.yaml")], &files, &Env::new(), EnvMode::Resolve);
        assert_eq!(loaded.diagnostics[0].message, "file must not begin with a whitespace");
    }

    #[test]
    fn a_directory_input_merges_its_files() {
        let files = MemFiles::default()
            .with("conf/1-services.yaml", "_format_version: \"3.0\"\nservices:\n- name: s\n  url: http://h\n")
            .with("conf/2-routes.yaml", "_format_version: \"3.0\"\nroutes:\n- name: r\n  service: s\n  paths: [/a]\n");
        let loaded = load(&[PathBuf::from("conf")], &files, &Env::new(), EnvMode::Resolve);
        assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
        assert_eq!(loaded.config.entities.len(), 2);
    }
}

pub struct LoadCtx<'a> {
    pub files: &'a dyn Files,
    pub sources: Sources,
    pub out: Vec<Diagnostic>,
}

impl<'a> LoadCtx<'a> {
    /// Reads a file as UTF-8 text and registers it as a source.
    pub fn read_text(&mut self, path: &Path) -> Option<(crate::source::FileId, String)> {
        let name = self.files.name(path);
        if let Some(id) = self.sources.find(&name) {
            return Some((id, self.sources.get(id).text.clone()));
        }
        let bytes = match self.files.read(path) {
            Ok(b) => b,
            Err(e) => {
                let id = self.sources.add(name.clone(), "");
                self.out.push(Diagnostic::new(&rules::UNREADABLE_FILE, format!("cannot read {name}: {e}")).at(Loc::new(id, 0, 0)));
                return None;
            }
        };
        if bytes.len() > MAX_FILE_BYTES {
            let id = self.sources.add(name.clone(), "");
            self.out.push(
                Diagnostic::new(&rules::UNREADABLE_FILE, format!("{name} is too large ({} bytes; the limit is {MAX_FILE_BYTES})", bytes.len()))
                    .at(Loc::new(id, 0, 0)),
            );
            return None;
        }
        match String::from_utf8(bytes) {
            Ok(text) => {
                let id = self.sources.add(name, text.clone());
                Some((id, text))
            }
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                let bytes = e.into_bytes();
                let before = String::from_utf8_lossy(&bytes[..valid]).into_owned();
                let line = before.matches('\n').count() as u32 + 1;
                let column = before.rsplit('\n').next().map(|l| l.chars().count()).unwrap_or(0) as u32 + 1;
                let id = self.sources.add(name, before);
                self.out.push(
                    Diagnostic::new(&rules::YAML_SYNTAX, format!("file is not valid UTF-8 (invalid byte at offset {valid})"))
                        .at(Loc::new(id, line, column)),
                );
                None
            }
        }
    }

    /// Reads and parses a YAML/JSON file; `None` (with a diagnostic) when that fails.
    pub fn parse_file(&mut self, path: &Path, origin: Origin) -> Option<Node> {
        let (id, text) = self.read_text(path)?;
        self.parse_text(&text, Origin { file: id, ..origin }, None)
    }

    /// Parses `text` (rendered by decK's template step when `map` is given).
    pub fn parse_text(&mut self, text: &str, origin: Origin, map: Option<&template::TextMap>) -> Option<Node> {
        match yaml::parse_mapped(text, origin, map) {
            Ok(parsed) => {
                for w in parsed.warnings {
                    self.out.push(Diagnostic::new(&rules::DUPLICATE_KEY, w.message).at(w.loc));
                }
                if parsed.node.is_none() {
                    self.out.push(Diagnostic::new(&rules::YAML_SYNTAX, "file is empty").at(Loc::new(origin.file, 1, 1)));
                }
                parsed.node
            }
            Err(e) => {
                self.out.push(Diagnostic::new(&rules::YAML_SYNTAX, e.message).at(e.loc));
                None
            }
        }
    }

    /// Reads a decK file the way decK does: its `${{ ... }}` templates rendered over the text,
    /// then the result parsed as YAML, positions and provenance mapped back to the text.
    pub fn parse_deck_file(&mut self, path: &Path, env: &Env, mode: EnvMode) -> Option<Node> {
        let (id, text) = self.read_text(path)?;
        let (rendered, issues) = template::render(&text, env, mode);
        for issue in issues {
            let (line, col) = template::line_col(&text, issue.at);
            let loc = Loc::new(id, line as u32, col as u32 + 1);
            let d = issue.diagnostic();
            self.out.push(d.at(loc));
        }
        let origin = Origin { file: id, ..Origin::default() };
        // go-database-reconciler pkg/file/readfile.go `readContent` (decK issue #578)
        if rendered.as_ref().map_or(text.as_str(), |r| r.text.as_str()).starts_with(' ') {
            self.out.push(Diagnostic::new(&rules::YAML_SYNTAX, "file must not begin with a whitespace").at(Loc::new(id, 1, 1)));
            return None;
        }
        match &rendered {
            Some(r) => self.parse_text(&r.text, origin, Some(&r.map)),
            None => self.parse_text(&text, origin, None),
        }
    }
}

pub fn display_path(p: &Path) -> String {
    let s = p.to_string_lossy().into_owned();
    s.strip_prefix("./").map(String::from).unwrap_or(s)
}

fn is_markdown(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref(), Some("md" | "markdown"))
}

/// Everything one load produced.
#[derive(Debug)]
pub struct Loaded {
    pub sources: Sources,
    /// The merged decK document, `None` when nothing could be read.
    pub document: Option<Node>,
    pub config: Config,
    pub diagnostics: Vec<Diagnostic>,
    /// `deck_flags` the docs blocks ask for (`--include-plugin-definitions`).
    pub deck_flags: Vec<String>,
}

impl Loaded {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Loads `paths` (decK files and docs pages) into one document and config.
pub fn load(paths: &[PathBuf], files: &dyn Files, env: &Env, mode: EnvMode) -> Loaded {
    let mut ctx = LoadCtx { files, sources: Sources::default(), out: Vec::new() };
    let mut document: Option<Node> = None;
    let mut missing: Vec<(DocsVar, Loc)> = Vec::new();
    let mut deck_flags = Vec::new();
    let mut workspace: Option<(String, Loc)> = None;
    let mut inputs = Vec::new();
    for path in paths {
        match files.list_dir(path) {
            Some(found) if found.is_empty() => ctx.out.push(
                Diagnostic::new(&rules::UNREADABLE_FILE, format!("{} is a directory with no .yaml, .yml or .json file in it", files.name(path)))
                    .at(Loc::new(ctx.sources.add(files.name(path), ""), 0, 0)),
            ),
            Some(found) => inputs.extend(found),
            None => inputs.push(path.clone()),
        }
    }
    for path in &inputs {
        let doc = if is_markdown(path) {
            load_page(path, &mut ctx, env, mode, &mut missing, &mut deck_flags)
        } else {
            load_deck_file(path, &mut ctx, env, mode, &mut missing)
        };
        let Some(doc) = doc else { continue };
        if let Some(ws) = doc.get("_workspace") {
            let w = ws.as_str().unwrap_or_default().to_string();
            match &workspace {
                Some((prev, _)) if *prev != w => ctx.out.push(
                    Diagnostic::new(&rules::ENTITY_CHECK, format!("all files must use the same _workspace: `{prev}` and `{w}` differ"))
                        .at(ws.loc),
                ),
                _ => workspace = Some((w, ws.loc)),
            }
        }
        match &mut document {
            None => document = Some(doc),
            Some(base) => merge::concat(base, doc),
        }
    }
    ctx.out.extend(env::missing_docs_vars(&missing, mode));
    if let Some(doc) = &mut document {
        plugin_configs::apply(doc, &mut ctx.out);
    }
    let mut config = Config::default();
    if let Some(doc) = &document {
        config = Config::from_document(doc, &mut ctx.out);
        check_format_version(doc, &mut ctx.out);
        if config.entities.is_empty() && !ctx.out.iter().any(Diagnostic::is_error) {
            ctx.out.push(Diagnostic::new(&rules::EMPTY_CONFIG, "the config has no entities").at(doc.loc));
        }
    }
    deck_flags.sort();
    deck_flags.dedup();
    Loaded { sources: ctx.sources, document, config, diagnostics: ctx.out, deck_flags }
}

fn load_deck_file(path: &Path, ctx: &mut LoadCtx, env: &Env, mode: EnvMode, missing: &mut Vec<(DocsVar, Loc)>) -> Option<Node> {
    let doc = ctx.parse_deck_file(path, env, mode)?;
    if docs::is_plugin_example(&doc) {
        let (mut example, vars) = docs::plugin_example_document(path, &doc, ctx);
        env::resolve_docs_variables(&mut example, &vars, env, mode, &mut ctx.out, missing);
        return Some(example);
    }
    if !doc.is_map() {
        ctx.out.push(
            Diagnostic::new(&rules::YAML_SYNTAX, format!("expected a decK file (a mapping at the top level), found {}", doc.type_name()))
                .at(doc.loc),
        );
        return None;
    }
    Some(doc)
}

fn load_page(
    path: &Path,
    ctx: &mut LoadCtx,
    env: &Env,
    mode: EnvMode,
    missing: &mut Vec<(DocsVar, Loc)>,
    deck_flags: &mut Vec<String>,
) -> Option<Node> {
    let (id, text) = ctx.read_text(path)?;
    let page = docs::read_page(path, &text, id, ctx);
    if page.blocks.is_empty() {
        let why = if text.contains("{% entity_example %}") {
            "this page uses the singular {% entity_example %} tag, which shows one entity per format and is not a config"
        } else {
            "no {% entity_examples %} block found"
        };
        ctx.out.push(Diagnostic::new(&rules::NO_ENTITY_EXAMPLES, why).at(Loc::new(id, 1, 1)));
        if page.prereqs.is_empty() {
            return None;
        }
    }
    let loc = Loc::new(id, 1, 1);
    let mut doc = Node::map(loc);
    doc.set("_format_version", Node::str("3.0", loc));
    for frag in page.prereqs {
        merge::upsert(&mut doc, frag);
    }
    for mut block in page.blocks {
        env::resolve_docs_variables(&mut block.entities, &block.vars, env, mode, &mut ctx.out, missing);
        env::resolve_deck_templates(&mut block.entities, env, mode, &mut ctx.out);
        deck_flags.extend(block.deck_flags);
        merge::upsert(&mut doc, block.entities);
    }
    Some(doc)
}

fn check_format_version(doc: &Node, out: &mut Vec<Diagnostic>) {
    match doc.get("_format_version") {
        None => out.push(
            Diagnostic::new(&rules::FORMAT_VERSION, "`_format_version` is missing; decK then assumes \"1.1\", which Kong 3.x refuses")
                .at(doc.loc)
                .hint("add `_format_version: \"3.0\"` at the top of the file"),
        ),
        Some(v) if v.as_str() != Some("3.0") => out.push(
            Diagnostic::new(
                &rules::FORMAT_VERSION,
                format!("cannot apply '{}' config format version to Kong version 3.0 or above", v.as_str().map(String::from).unwrap_or_else(|| v.to_json(false).to_string())),
            )
            .at(v.loc)
            .field("_format_version")
            .hint("use `_format_version: \"3.0\"` (a string); `deck file convert` upgrades older files"),
        ),
        _ => {}
    }
}

/// In-memory files for tests.
#[derive(Default)]
pub struct MemFiles(pub std::collections::BTreeMap<PathBuf, Vec<u8>>);

impl MemFiles {
    pub fn with(mut self, path: &str, text: &str) -> Self {
        self.0.insert(PathBuf::from(path), text.as_bytes().to_vec());
        self
    }
}

impl Files for MemFiles {
    fn read(&self, path: &Path) -> Result<Vec<u8>, String> {
        self.0.get(path).cloned().ok_or_else(|| "No such file or directory (os error 2)".into())
    }

    fn list_dir(&self, path: &Path) -> Option<Vec<PathBuf>> {
        let found: Vec<PathBuf> = self.0.keys().filter(|p| p.starts_with(path) && *p != path && is_config_file(p)).cloned().collect();
        (!found.is_empty()).then_some(found)
    }

    fn exists(&self, path: &Path) -> bool {
        self.0.contains_key(path)
    }
}
