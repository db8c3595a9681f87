//! decK's own test files (`../shared/corpus/deck-testdata`) and what decK's tests expect of
//! each (`verdicts.tsv`: path, verdict, env, note; see its MANIFEST.md).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One `verdicts.tsv` row, its env values resolved.
pub struct Row {
    /// Relative to the corpus directory.
    pub path: String,
    /// `valid`, `invalid`, `state` or `skip:<why>`.
    pub verdict: String,
    /// The environment decK's test sets; an empty value means "must be unset" and is left out.
    pub env: Vec<(String, String)>,
    /// decK's expectation in words (for invalid files, decK's message and test).
    pub note: String,
}

/// The corpus directory, or a failure under CI (where it must exist); `None` locally without it.
pub fn corpus_or_fail(test: &str) -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/deck-testdata");
    match (p.join("verdicts.tsv").is_file(), std::env::var_os("CI").is_some()) {
        (true, _) => Some(p),
        (false, true) => panic!("{test}: ../shared/corpus/deck-testdata is missing, and CI must run this test"),
        (false, false) => {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("{test}: ../shared not found; skipped (outside CI only)");
            }
            None
        }
    }
}

/// Every row of `verdicts.tsv`, `@token@` values built (see [`tokens`]).
pub fn rows(corpus: &Path) -> Vec<Row> {
    let tokens = tokens(corpus);
    let tsv = std::fs::read_to_string(corpus.join("verdicts.tsv")).unwrap();
    tsv.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            let [path, verdict, env, note] = cols[..] else { panic!("verdicts.tsv: not four columns: {line}") };
            let env = env
                .split(';')
                .filter(|kv| !kv.is_empty())
                .filter_map(|kv| {
                    let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                    let v = match v.strip_prefix('@').and_then(|t| t.strip_suffix('@')) {
                        Some(token) => tokens.get(token).unwrap_or_else(|| panic!("verdicts.tsv: unknown token @{token}@")).clone(),
                        None => v.to_string(),
                    };
                    (!v.is_empty()).then(|| (k.to_string(), v))
                })
                .collect();
            Row { path: path.to_string(), verdict: verdict.to_string(), env, note: note.to_string() }
        })
        .collect()
}

/// Values for verdicts.tsv's `@token@`s. decK renders `${{ env }}` over the text before parsing
/// YAML, and so does gateway (src/load/template.rs), so these are what decK's tests pass: a PEM
/// as a double-quoted scalar with `\n` escapes and a JWK in single quotes (a certificate, its
/// key and a JWK from this corpus).
fn tokens(corpus: &Path) -> BTreeMap<String, String> {
    use yaml_rust2::YamlLoader;
    let load = |rel: &str| YamlLoader::load_from_str(&std::fs::read_to_string(corpus.join(rel)).unwrap()).unwrap().remove(0);
    let certs = load("deck/tests/integration/testdata/sync/023-create-and-update-certificate-with-snis/initial.yaml");
    let cert = &certs["certificates"][0];
    let keys = load("deck/tests/integration/testdata/sync/043-keys-and-key_sets/kong.yaml");
    let jwk = keys["keys"].as_vec().unwrap().iter().find(|k| k["kid"].as_str() == Some("vsR8NCNV_1_LB06LqudGa2r-T0y4Z6VQVYue9IQz6A4")).unwrap();
    // a JSON string is a YAML double-quoted scalar with `\n` escapes
    let quoted = |y: &yaml_rust2::Yaml| serde_json::to_string(y.as_str().unwrap()).unwrap();
    let single = |y: &yaml_rust2::Yaml| format!("'{}'", y.as_str().unwrap().replace('\'', "''"));
    [("cert-quoted", quoted(&cert["cert"])), ("key-quoted", quoted(&cert["key"])), ("jwk-single-quoted", single(&jwk["jwk"]))]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
}
