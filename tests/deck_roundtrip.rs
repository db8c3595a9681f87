//! decK's own test files round-trip clean: every file of `../shared/corpus/deck-testdata` that
//! decK's tests sync and expect to succeed (`verdicts.tsv` verdict `valid`, a test `input` under
//! `sync/`, `apply/`, `dump/`, `diff/` or `reset/`) is synced with the real binary into a fresh
//! Admin API emulator (examples/kong_admin_emulator.rs, `--enterprise` so that every collection
//! is served, `--router-flavor expressions` for the files decK tests on that router), and then:
//!
//! 1. `gateway diff FILE --exit-code` exits 0: a second look finds nothing to change;
//! 2. `gateway dump` of that state, then `gateway diff DUMP --exit-code`, exits 0.
//!
//! Files that cannot round-trip for a reason outside the plan are listed in [`EXCLUDED`] with
//! the stage where they stop and why; no file is skipped silently. The test fails when a
//! listed file gets further than its stage (remove it from the list) or a file stops anywhere.
//!
//! The emulator is not Kong: what it answers differently (no `snis` listed with certificates,
//! fields left out instead of `null`, targets stored as given, ...) is pinned by the unit tests
//! in src/plan/normalize.rs, against bodies shaped like Kong's own answers.

#![allow(clippy::print_stderr)] // the skip notice and the tally are for whoever runs the test

mod common;

use std::path::Path;
use std::process::Output;
use std::sync::Mutex;

/// Where a file stops.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    /// `gateway sync FILE` fails (refused before any write, or a write failed).
    Sync,
    /// `gateway diff FILE --exit-code` after the sync does not exit 0.
    Diff,
    /// `gateway dump` then `gateway diff DUMP --exit-code` does not exit 0.
    Dump,
}

use Stage::*;

/// Files that do not round-trip, where they stop, and why (none of these is a phantom diff).
const EXCLUDED: &[(&str, Stage, &str)] = &[
    // plugins defined by the file's own cloned/custom plugin definitions
    ("deck/tests/integration/testdata/apply/013-cloned-plugin-definitions/update-plugin-config.yaml", Sync, PLUGIN_DEFINITION_STATE),
    ("deck/tests/integration/testdata/apply/014-custom-plugin-definitions/update-plugin-config.yaml", Sync, PLUGIN_DEFINITION_STATE),
    ("gdr/tests/integration/testdata/apply/008-cloned-plugin-definitions/update-plugin-config.yaml", Sync, PLUGIN_DEFINITION_STATE),
    // fields older Kong versions take and the bundled Kong 3.15 schemas no longer have
    ("deck/tests/integration/testdata/sync/017-consumer-groups-rla-application/kong3x-empty-application.yaml", Sync, "`config.redis.timeout` (rate-limiting-advanced) is not in the Kong 3.15 schema; the file is for Kong 3.4-3.x: needs Kong-version schemas"),
    ("deck/tests/integration/testdata/sync/037-consumer-group-policy-overrides/kong312x.yaml", Sync, REDIS_TIMEOUT),
    ("deck/tests/integration/testdata/sync/037-consumer-group-policy-overrides/kong313x.yaml", Sync, REDIS_TIMEOUT),
    ("deck/tests/integration/testdata/sync/037-consumer-group-policy-overrides/kong315x.yaml", Sync, REDIS_TIMEOUT),
    ("deck/tests/integration/testdata/sync/037-consumer-group-policy-overrides/kong34x.yaml", Sync, REDIS_TIMEOUT),
    ("deck/tests/integration/testdata/sync/037-consumer-group-policy-overrides/kong38x.yaml", Sync, REDIS_TIMEOUT),
    ("deck/tests/integration/testdata/sync/037-consumer-group-policy-overrides/kong39x.yaml", Sync, REDIS_TIMEOUT),
    ("gdr/tests/integration/testdata/sync/029-plugin-scoped-to-cg-route/kong.yaml", Sync, REDIS_TIMEOUT),
    ("deck/tests/integration/testdata/dump/009-skip-defaults/enterprise/3.10+/consumer-group-scoped.yaml", Sync, REDIS_TIMEOUT),
    ("deck/tests/integration/testdata/dump/009-skip-defaults/enterprise/3.4/consumer-group-scoped.yaml", Sync, REDIS_TIMEOUT),
    ("deck/tests/integration/testdata/sync/053-mask-short-values/kong.yaml", Sync, "`config.redis_database` (rate-limiting shorthand) is not in the Kong 3.15 schema: needs Kong-version schemas"),
    ("deck/tests/integration/testdata/diff/009-mask-short-values/kong.yaml", Sync, "`config.redis_database` (rate-limiting shorthand) is not in the Kong 3.15 schema: needs Kong-version schemas"),
    ("deck/tests/integration/testdata/dump/009-skip-defaults/enterprise/3.10+/plugin-shorthand-non-default.yaml", Sync, REDIS_SHORTHANDS),
    ("deck/tests/integration/testdata/dump/009-skip-defaults/enterprise/3.10+/plugin.yaml", Sync, REDIS_SHORTHANDS),
    ("deck/tests/integration/testdata/dump/009-skip-defaults/enterprise/3.14+/plugin-shorthand-non-default.yaml", Sync, REDIS_SHORTHANDS),
    ("deck/tests/integration/testdata/dump/009-skip-defaults/enterprise/3.14+/plugin.yaml", Sync, REDIS_SHORTHANDS),
    ("deck/tests/integration/testdata/dump/009-skip-defaults/enterprise/3.10+/plugin-partial-2.yaml", Sync, "`config.session_strategy` (openid-connect) is not in the Kong 3.15 schema: needs Kong-version schemas"),
    ("deck/tests/integration/testdata/dump/009-skip-defaults/enterprise/3.4/plugin.yaml", Sync, "`config.session_redis_username` (openid-connect, Kong 3.4) is not in the Kong 3.15 schema: needs Kong-version schemas"),
    ("gdr/tests/integration/testdata/sync/035-deprecated-fields/kong-ee/kong-ee-initial.yaml", Sync, OIDC_SESSION_REDIS),
    ("gdr/tests/integration/testdata/sync/035-deprecated-fields/kong-ee/kong-ee-update-old-fields.yaml", Sync, OIDC_SESSION_REDIS),
    ("gdr/tests/integration/testdata/diff/004-plugin-update/initial-ee.yaml", Sync, OIDC_SESSION_REDIS),
    ("gdr/tests/integration/testdata/diff/004-plugin-update/kong-ee-changed-old-fields-openid.yaml", Sync, OIDC_SESSION_REDIS),
    ("gdr/tests/integration/testdata/diff/004-plugin-update/kong-ee-no-change-old-fields.yaml", Sync, OIDC_SESSION_REDIS),
    ("gdr/tests/integration/testdata/diff/004-plugin-update/initial-ee-rla.yaml", Sync, RLA_SENTINEL),
    ("gdr/tests/integration/testdata/diff/004-plugin-update/kong-ee-changed-old-fields-rla.yaml", Sync, RLA_SENTINEL),
    ("gdr/tests/integration/testdata/diff/005-deprecated-fields/kong-initial.yaml", Sync, RL_REDIS_HOST),
    ("gdr/tests/integration/testdata/diff/005-deprecated-fields/kong-no-change-old-fields.yaml", Sync, RL_REDIS_HOST),
    ("gdr/tests/integration/testdata/diff/005-deprecated-fields/kong-update-old-fields.yaml", Sync, RL_REDIS_HOST),
    // other
    ("deck/tests/integration/testdata/sync/039-partials/kong-partials-no-name.yaml", Diff, "a partial with neither id nor name has nothing to be matched by: every sync creates a new one (decK too gives it a fresh uuid each time: GDR pkg/file/builder.go `partials()`)"),
];

const PLUGIN_DEFINITION_STATE: &str = "the plugin's definition (a cloned/custom plugin) comes from an earlier step of decK's test (`state` of the same directory); the emulator answers 400 'plugin not enabled'";
const REDIS_TIMEOUT: &str = "`config.redis.timeout` (rate-limiting-advanced, removed in later Kong) is not in the Kong 3.15 schema: needs Kong-version schemas";
const REDIS_SHORTHANDS: &str = "`config.redis_username` (rate-limiting shorthand) is not in the Kong 3.15 schema: needs Kong-version schemas";
const OIDC_SESSION_REDIS: &str = "`config.session_redis_cluster_nodes` (openid-connect, deprecated) is not in the Kong 3.15 schema: needs Kong-version schemas";
const RLA_SENTINEL: &str = "`config.redis.sentinel_addresses` (rate-limiting-advanced, deprecated) is not in the Kong 3.15 schema: needs Kong-version schemas";
const RL_REDIS_HOST: &str = "`config.redis_host` (rate-limiting shorthand, Kong 3.6-3.7) is not in the Kong 3.15 schema: needs Kong-version schemas";

/// The directories of decK's and GDR's tests that sync their inputs.
const SYNCED_DIRS: &[&str] = &["/testdata/sync/", "/testdata/apply/", "/testdata/dump/", "/testdata/diff/", "/testdata/reset/"];

struct Case {
    path: String,
    env: Vec<(String, String)>,
    /// decK's test runs the file against a gateway with `router_flavor = expressions`
    /// (the verdicts.tsv note says `router_flavor=expressions`).
    expressions: bool,
}

fn cases(corpus: &Path) -> Vec<Case> {
    common::deck_corpus::rows(corpus)
        .into_iter()
        .filter(|r| r.verdict == "valid" && r.note.ends_with(" input") && SYNCED_DIRS.iter().any(|d| r.path.contains(d)))
        .map(|r| Case { expressions: r.note.split_whitespace().any(|w| w == "router_flavor=expressions"), path: r.path, env: r.env })
        .collect()
}

fn emulator(case: &Case) -> common::Running {
    // decK's integration tests run against an Enterprise gateway set up for them, with wasm
    // on for the filter-chain files, and with the expressions router for the expression-route
    // files: the emulator plays that gateway
    let flavor = if case.expressions { "expressions" } else { "traditional_compatible" };
    common::admin::emulator(&["--enterprise", "--wasm", "on", "--router-flavor", flavor])
}

fn gateway(dir: &Path, addr: &str, env: &[(String, String)], args: &[&str]) -> Output {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    common::admin::gateway_env(dir, addr, args, &env)
}

fn text(o: &Output) -> String {
    let all = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    let lines: Vec<&str> = all.lines().collect();
    // enough to see why, not the whole plan
    if lines.len() > 40 { format!("{}\n    ... ({} more lines)", lines[..40].join("\n"), lines.len() - 40) } else { all }
}

/// `Ok(())` when a file round-trips, else the stage it stopped at and the output.
type Outcome = Result<(), (Stage, String)>;

/// Runs one file.
fn round_trip(corpus: &Path, case: &Case) -> Outcome {
    let e = emulator(case);
    let text_of = std::fs::read_to_string(corpus.join(&case.path)).unwrap();
    // RBAC files are managed on their own (as with decK's --rbac-resources-only)
    let rbac = text_of.contains("rbac_roles:");
    let mode: &[&str] = if rbac { &["--rbac-resources-only"] } else { &[] };
    let run = |args: &[&str]| gateway(corpus, &e.url, &case.env, &[args, mode].concat());
    let sync = run(&["sync", &case.path]);
    if !sync.status.success() {
        return Err((Sync, text(&sync)));
    }
    let diff = run(&["diff", &case.path, "--exit-code"]);
    if diff.status.code() != Some(0) {
        return Err((Diff, text(&diff)));
    }
    let dir = tempfile::tempdir().unwrap();
    let dump_path = dir.path().join("dump.yaml");
    let dump_file = dump_path.to_str().unwrap();
    let mut dump_args = vec!["dump", "-o", dump_file];
    // the opt-in kinds the file manages are dumped too
    for (key, include) in [("licenses:", "licenses"), ("cloned_plugins:", "plugin-definitions"), ("custom_plugins:", "plugin-definitions"), ("degraphql_routes", "degraphql-routes"), ("graphql_ratelimiting_cost_decorations", "graphql-ratelimiting-cost-decorations")] {
        if text_of.contains(key) && !rbac && !dump_args.contains(&include) {
            dump_args.extend(["--include", include]);
        }
    }
    let dump = run(&dump_args);
    if !dump.status.success() {
        return Err((Dump, text(&dump)));
    }
    let again = run(&["diff", dump_file, "--exit-code"]);
    if again.status.code() != Some(0) {
        return Err((Dump, format!("diff of the dump:\n{}", text(&again))));
    }
    Ok(())
}

#[test]
fn deck_sync_test_files_round_trip_clean() {
    let Some(corpus) = common::deck_corpus::corpus_or_fail("deck_roundtrip") else { return };
    let cases = cases(&corpus);
    assert!(cases.len() > 200, "verdicts.tsv selects only {} files", cases.len());
    assert!(cases.iter().filter(|c| c.expressions).count() >= 2, "verdicts.tsv marks no expression-route inputs");
    for (path, _, _) in EXCLUDED {
        assert!(cases.iter().any(|c| c.path == *path), "EXCLUDED lists {path}, which is not a selected file");
    }
    // a few workers, each file with its own emulator
    let next = Mutex::new(0usize);
    let results: Mutex<Vec<(usize, Outcome)>> = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(2, 4);
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = {
                    let mut n = next.lock().unwrap();
                    *n += 1;
                    *n - 1
                };
                let Some(case) = cases.get(i) else { break };
                let r = round_trip(&corpus, case);
                results.lock().unwrap().push((i, r));
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(i, _)| *i);
    let mut failures = Vec::new();
    let mut clean = 0;
    for (i, r) in &results {
        let path = cases[*i].path.as_str();
        let expected = EXCLUDED.iter().find(|(p, _, _)| *p == path);
        match (r, expected) {
            (Ok(()), None) => clean += 1,
            (Err((stage, _)), Some((_, want, _))) if stage == want => {}
            (Ok(()), Some((_, want, why))) => failures.push(format!("{path}: round-trips now, but EXCLUDED says it stops at {want:?} ({why}): remove it from EXCLUDED")),
            (Err((stage, out)), Some((_, want, _))) => failures.push(format!("{path}: stops at {stage:?}, EXCLUDED says {want:?}:\n{out}")),
            (Err((stage, out)), None) => failures.push(format!("{path}: stops at {stage:?}:\n{out}")),
        }
    }
    eprintln!("deck_roundtrip: {clean} of {} files round-trip clean, {} excluded", cases.len(), EXCLUDED.len());
    assert!(failures.is_empty(), "{} of {} files:\n\n{}", failures.len(), cases.len(), failures.join("\n\n"));
}
