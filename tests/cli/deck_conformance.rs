//! Conformance on decK's own test files (issue #9): every file that `verdicts.tsv` calls
//! `valid` or `invalid` goes through the real binary twice, `gateway render` (environment
//! values resolved, as decK renders before it syncs) and `gateway validate`, with the
//! environment decK's test sets, and `--router-flavor expressions` where verdicts.tsv says
//! decK's test runs Kong with that flavor.
//!
//! - A `valid` file must pass both, unless [`KNOWN_DIFFERENCES`] lists it with the rules the
//!   tool reports and why it knowingly differs from decK.
//! - An `invalid` file must fail, with exactly the rules [`INVALID`] lists for it; decK's own
//!   message (from verdicts.tsv) stands beside them in the table.
//!
//! A listed file that passes, or fails with other rules, fails the test, so the lists cannot
//! go stale. The table is docs/deck-conformance.md; rewrite it with
//! `UPDATE_CONFORMANCE=1 cargo test --test cli deck_conformance` after a deliberate change.

use crate::common::deck_corpus::{self, Row};
use crate::support::gateway;
use std::collections::BTreeSet;
use std::path::Path;

/// decK's negatives, and the rules gateway refuses each with (render and validate together).
const INVALID: &[(&str, &[&str])] = &[
    ("deck/tests/integration/testdata/render/005-diagnostics/oidc-missing-config.yaml", &["S002"]),
    ("deck/tests/integration/testdata/render/005-diagnostics/rla-consumer-groups.yaml", &["F009", "S002"]),
    ("deck/tests/integration/testdata/sync/001-create-a-service/kong.yaml", &["L005"]),
    ("deck/tests/integration/testdata/sync/017-consumer-groups-rla-application/kong3x.yaml", &["F009"]),
    ("deck/tests/integration/testdata/sync/029-lookup-tags-consumers/plugins_no_lookup.yaml", &["F001"]),
    ("deck/tests/integration/testdata/sync/030-lookup-tags-routes/plugins_no_lookup.yaml", &["F001"]),
    ("deck/tests/integration/testdata/sync/034-lookup-tags-consumerGroups/plugins_no_lookup_consumerGroup.yaml", &["F001"]),
    ("deck/tests/integration/testdata/sync/034-lookup-tags-consumerGroups/plugins_no_lookup_route.yaml", &["F001"]),
    ("deck/tests/integration/testdata/sync/034-lookup-tags-consumerGroups/plugins_no_lookup_service.yaml", &["F001"]),
    ("deck/tests/integration/testdata/sync/035-lookup-tags-services/plugins_no_lookup.yaml", &["F001"]),
    ("deck/tests/integration/testdata/sync/036-degraphql-routes/kong-fake.yaml", &["F007"]),
    ("deck/tests/integration/testdata/sync/037-consumer-group-policy-overrides/kong34x-no-info.yaml", &["F009"]),
    ("deck/tests/integration/testdata/sync/037-consumer-group-policy-overrides/kong38x-no-info.yaml", &["F009"]),
    ("deck/tests/integration/testdata/sync/037-consumer-group-policy-overrides/kong39x-no-info.yaml", &["F009"]),
    ("deck/tests/integration/testdata/sync/039-partials/kong-partials-no-type.yaml", &["S002"]),
    ("deck/tests/integration/testdata/sync/039-partials/kong-wrong.yaml", &["F001"]),
    ("deck/tests/integration/testdata/sync/051-consumer-group-not-found/kong.yaml", &["F001"]),
    ("deck/tests/integration/testdata/sync/052-graphql-ratelimiting-cost-decorations/kong-missing-type-path.yaml", &["S002"]),
    ("deck/tests/integration/testdata/sync/054-cloned-plugin-definitions/kong-fake.yaml", &["F001"]),
    ("gdr/pkg/file/testdata/bad-env-var/file.yaml", &["L005", "L007"]),
    ("gdr/pkg/file/testdata/badjson/foo.json", &["L005", "S003"]),
    ("gdr/pkg/file/testdata/badyaml/bar.yml", &["L001"]),
    ("gdr/pkg/file/testdata/badyamlwithspace/bar.yml", &["L001"]),
    ("gdr/pkg/file/testdata/differentworkspace/foo.yaml", &["L005", "S007"]),
    ("gdr/pkg/file/testdata/emptyfiles/bar.yaml", &["L001"]),
    ("gdr/pkg/file/testdata/file.yaml", &["L005", "L006", "S003"]),
    ("gdr/pkg/file/testdata/parsebool/file.yaml", &["L005", "L016", "S003"]),
    ("gdr/pkg/file/testdata/parsefloat/file.yaml", &["L005", "L016", "P001"]),
    ("gdr/pkg/file/testdata/parseint/file.yaml", &["L005", "L016", "S003"]),
    ("gdr/tests/integration/testdata/sync/036-scoped-plugins-validation/3x/consumer-plugins.yaml", &["S007"]),
    ("gdr/tests/integration/testdata/sync/036-scoped-plugins-validation/3x/route-plugins.yaml", &["S007"]),
    ("gdr/tests/integration/testdata/sync/036-scoped-plugins-validation/3x/service-plugins.yaml", &["S007"]),
    ("gdr/tests/integration/testdata/sync/037-degraphql-routes/kong-wrong-svc-config.yaml", &["S003"]),
    ("gdr/tests/integration/testdata/sync/038-partials/ill-formatted-partial.yaml", &["F001"]),
    ("gdr/tests/integration/testdata/sync/038-partials/nested-plugin-ill-formatted-partial.yaml", &["F001"]),
    ("gdr/tests/integration/testdata/sync/038-partials/nested-plugin-partial-no-ids.yaml", &["F001"]),
    ("gdr/tests/integration/testdata/sync/038-partials/nested-plugin-partial-not-exists.yaml", &["F001"]),
];

/// decK's apply tests apply these files onto a gateway an earlier step gave the plugin
/// definitions they use (deck tests/integration/apply_test.go: `pluginDefsFile`
/// initial-cpd-only.yaml, then `updateFile` update-plugin-config.yaml): each is checked
/// together with that earlier file.
const APPLIED_AFTER: &[(&str, &str)] = &[
    (
        "deck/tests/integration/testdata/apply/013-cloned-plugin-definitions/update-plugin-config.yaml",
        "deck/tests/integration/testdata/apply/013-cloned-plugin-definitions/initial-cpd-only.yaml",
    ),
    (
        "deck/tests/integration/testdata/apply/014-custom-plugin-definitions/update-plugin-config.yaml",
        "deck/tests/integration/testdata/apply/014-custom-plugin-definitions/initial-cpd-only.yaml",
    ),
    (
        "gdr/tests/integration/testdata/apply/008-cloned-plugin-definitions/update-plugin-config.yaml",
        "gdr/tests/integration/testdata/apply/008-cloned-plugin-definitions/initial-cpd-only.yaml",
    ),
];

/// decK's `Test_getContent` reads these negatives as a directory, with their siblings.
const READ_AS_DIRECTORY: &[&str] = &["gdr/pkg/file/testdata/differentworkspace/foo.yaml", "gdr/pkg/file/testdata/emptyfiles/bar.yaml"];

const NO_FORMAT_VERSION: &str =
    "a `deck file render` input without `_format_version`: decK renders it, but decK's sync would read it as format 1.1, which Kong 3.x refuses";
const FOOFLOAT: &str = "`foofloat` is a made-up plugin of decK's render test (decK render does not look at plugins); Kong refuses it";
const MOCKED_ENV: &str = "decK's render test renders it with no variables set, and decK's render then mocks them; gateway render takes values from the environment and refuses unset ones (validate uses stand-ins); and `foofloat` is a made-up plugin Kong refuses";

/// decK's valid files gateway refuses, with the rules it reports and why.
const KNOWN_DIFFERENCES: &[(&str, &[&str], &str)] = &[
    ("deck/tests/integration/testdata/render/001-mocked-env/expected.yaml", &["P001"], FOOFLOAT),
    ("deck/tests/integration/testdata/render/001-mocked-env/input.yaml", &["L006", "P001"], MOCKED_ENV),
    ("deck/tests/integration/testdata/render/002-populated-env/expected.yaml", &["P001"], FOOFLOAT),
    ("deck/tests/integration/testdata/render/002-populated-env/input.yaml", &["L005", "P001"], NO_FORMAT_VERSION),
    ("deck/tests/integration/testdata/render/003-traditional-routes/input.yaml", &["L005"], NO_FORMAT_VERSION),
    ("deck/tests/integration/testdata/render/004-expression-routes/input.yaml", &["L005"], NO_FORMAT_VERSION),
];

/// What render and validate said of one input: the error rules of both (empty: both passed).
fn judge(corpus: &Path, row: &Row) -> BTreeSet<String> {
    let mut inputs: Vec<String> = APPLIED_AFTER.iter().filter(|(p, _)| *p == row.path).map(|(_, earlier)| earlier.to_string()).collect();
    inputs.push(if READ_AS_DIRECTORY.contains(&row.path.as_str()) {
        Path::new(&row.path).parent().unwrap().to_str().unwrap().to_string()
    } else {
        row.path.clone()
    });
    let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    let env: Vec<(&str, &str)> = row.env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let out = tempfile::tempdir().unwrap();
    let rendered = out.path().join("rendered.yaml");
    let mut rules = BTreeSet::new();
    let render = gateway(corpus, &[&["render"][..], &inputs, &["-o", rendered.to_str().unwrap()]].concat(), &env);
    if render.code != 0 {
        // render's standard output is the config itself, so its findings are the text ones
        let re = regex::Regex::new(r"(?m)^error\[([A-Z][0-9]{3})\]").unwrap();
        rules.extend(re.captures_iter(&render.stderr).map(|c| c[1].to_string()));
        assert!(!rules.is_empty(), "{}: render failed without a rule: {}", row.path, render.transcript());
    }
    let flavor = if row.note.contains("router_flavor=expressions") { "expressions" } else { "traditional_compatible" };
    let validate = gateway(corpus, &[&["validate", "--output", "json", "--router-flavor", flavor][..], &inputs].concat(), &env);
    let doc: serde_json::Value =
        serde_json::from_str(&validate.stdout).unwrap_or_else(|e| panic!("{}: validate did not print JSON ({e}): {}", row.path, validate.transcript()));
    let errors = doc["errors"].as_array().unwrap();
    assert_eq!(validate.code == 0, errors.is_empty(), "{}: exit code and errors disagree: {}", row.path, validate.transcript());
    rules.extend(errors.iter().map(|e| e["rule"].as_str().unwrap_or("?").to_string()));
    rules
}

struct Line {
    path: String,
    verdict: String,
    result: String,
}

#[test]
fn decks_own_files_render_and_validate_as_deck_says() {
    let Some(corpus) = deck_corpus::corpus_or_fail("deck_conformance") else { return };
    let rows: Vec<Row> = deck_corpus::rows(&corpus).into_iter().filter(|r| r.verdict == "valid" || r.verdict == "invalid").collect();
    assert!(rows.len() > 350, "verdicts.tsv has only {} valid/invalid files", rows.len());
    for (path, _) in INVALID {
        assert!(rows.iter().any(|r| r.path == *path && r.verdict == "invalid"), "INVALID lists {path}, which verdicts.tsv does not call invalid");
    }
    for (path, _, _) in KNOWN_DIFFERENCES {
        assert!(rows.iter().any(|r| r.path == *path && r.verdict == "valid"), "KNOWN_DIFFERENCES lists {path}, which verdicts.tsv does not call valid");
    }
    // a few workers: each file is two short runs of the binary
    let next = std::sync::atomic::AtomicUsize::new(0);
    let judged: Vec<(usize, BTreeSet<String>)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..3)
            .map(|_| {
                s.spawn(|| {
                    let mut got = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        let Some(row) = rows.get(i) else { return got };
                        got.push((i, judge(&corpus, row)));
                    }
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().unwrap()).collect()
    });
    let mut judged = judged;
    judged.sort_by_key(|(i, _)| *i);
    let mut failures = Vec::new();
    let mut lines = Vec::new();
    for (i, rules) in judged {
        let row = &rows[i];
        let got: Vec<&str> = rules.iter().map(String::as_str).collect();
        let result = if row.verdict == "valid" {
            match (got.is_empty(), KNOWN_DIFFERENCES.iter().find(|(p, _, _)| *p == row.path)) {
                (true, None) => match APPLIED_AFTER.iter().find(|(p, _)| *p == row.path) {
                    Some((_, earlier)) => format!("passes, checked with {earlier}, which decK's apply test applies first"),
                    None => "passes".to_string(),
                },
                (false, Some((_, want, why))) if got == *want => format!("refused ({}): known difference: {why}", got.join(", ")),
                (true, Some(_)) => {
                    failures.push(format!("{}: now passes; remove it from KNOWN_DIFFERENCES", row.path));
                    continue;
                }
                (false, want) => {
                    failures.push(format!("{}: decK accepts it, gateway refuses it with {got:?} (listed: {:?})", row.path, want.map(|w| w.1)));
                    continue;
                }
            }
        } else {
            match INVALID.iter().find(|(p, _)| *p == row.path) {
                Some((_, want)) if got == *want => format!("refused ({}) as decK refuses it: {}", got.join(", "), row.note),
                Some((_, want)) => {
                    failures.push(format!("{}: decK refuses it ({}); gateway says {got:?}, INVALID lists {want:?}", row.path, row.note));
                    continue;
                }
                None => {
                    failures.push(format!("{}: not in INVALID (gateway says {got:?}; decK: {})", row.path, row.note));
                    continue;
                }
            }
        };
        lines.push(Line { path: row.path.clone(), verdict: row.verdict.clone(), result });
    }
    assert!(failures.is_empty(), "{} of {} files differ:\n{}", failures.len(), rows.len(), failures.join("\n"));
    let table = table(&lines);
    crate::support::assert_generated("docs/deck-conformance.md", &table);
}

fn table(lines: &[Line]) -> String {
    let count = |verdict: &str, prefix: &str| lines.iter().filter(|l| l.verdict == verdict && l.result.starts_with(prefix)).count();
    let mut s = format!(
        "# Conformance on decK's own test files\n\n\
         Every file of `../shared/corpus/deck-testdata` (Kong/deck and Kong/go-database-reconciler test data; see its\n\
         MANIFEST.md) that `verdicts.tsv` calls `valid` or `invalid`, run through `gateway render` and\n\
         `gateway validate` with the environment decK's test sets. Generated and checked by\n\
         `tests/cli/deck_conformance.rs`; regenerate with `UPDATE_CONFORMANCE=1 cargo test --test cli deck_conformance`.\n\n\
         - decK accepts: {} files; gateway passes {} and refuses {} (each a known difference, reason given).\n\
         - decK refuses: {} files; gateway refuses all of them, with the rules shown beside decK's message.\n\n\
         | file | decK | gateway |\n|---|---|---|\n",
        count("valid", ""),
        count("valid", "passes"),
        count("valid", "refused"),
        count("invalid", ""),
    );
    for l in lines {
        s.push_str(&format!("| {} | {} | {} |\n", l.path, l.verdict, l.result.replace('|', "\\|")));
    }
    s
}
