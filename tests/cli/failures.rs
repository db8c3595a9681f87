//! Every failure honours `--output json` (and `test --output junit`): exactly one document on
//! stdout whose `errors` array is not empty, the human text on stderr, exit 1. And `-` reads a
//! config from standard input.

use crate::support::{gateway, gateway_with_stdin, root, Run};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;

const SYNTAX: &str = "_format_version: \"3.0\"\nservices:\n  - name: [unclosed\n";
const UNSET_ENV: &str = "_format_version: \"3.0\"\nservices:\n- name: s\n  url: http://h\n  routes:\n  - name: r\n    paths: [/a]\n    headers: {x-key: ['${{ env \"DECK_SECRET_KEY\" }}']}\n";
const REFUSED: &str = "_format_version: \"3.0\"\nservices:\n- name: s\n  url: http://h\n  retries: many\n";
const VALID: &str = "_format_version: \"3.0\"\nservices:\n- name: s\n  url: http://h\n  routes:\n  - name: r\n    paths: [/a]\n";
const TESTS: &str = "tests:\n- name: a\n  request: {path: /a}\n  expect: {route: r}\n";

/// stdout is exactly one JSON document with a non-empty `errors` array of objects that each
/// have a `message`; the exit code is 1. Returns the document.
#[track_caller]
fn one_json_failure(what: &str, run: &Run) -> Value {
    assert_eq!(run.code, 1, "{what}: {}", run.transcript());
    let mut docs = serde_json::Deserializer::from_str(&run.stdout).into_iter::<Value>();
    let doc = match docs.next() {
        Some(Ok(d)) => d,
        other => panic!("{what}: stdout is not JSON ({other:?}): {}", run.transcript()),
    };
    assert!(docs.next().is_none(), "{what}: more than one document on stdout: {}", run.transcript());
    let errors = doc["errors"].as_array().unwrap_or_else(|| panic!("{what}: no errors array: {doc}"));
    assert!(!errors.is_empty(), "{what}: errors is empty: {doc}");
    for e in errors {
        assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{what}: error without a message: {e}");
        for key in ["file", "line", "column", "rule"] {
            assert!(e.get(key).is_some(), "{what}: error without `{key}` (null when unknown): {e}");
        }
    }
    doc
}

/// The human text is on stderr (validate's JSON mode never wrote any, and still does not).
#[track_caller]
fn says_on_stderr(what: &str, run: &Run) {
    assert!(run.stderr.contains("error"), "{what}: the human message stays on stderr: {}", run.transcript());
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// An address nothing listens on.
fn unreachable_addr() -> String {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    format!("http://127.0.0.1:{port}")
}

/// A plain HTTP server on loopback that answers every request `200` with `body` (JSON);
/// its `host:port`.
fn answering(body: &'static str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut conn in listener.incoming().flatten() {
            let mut buf = [0u8; 8192];
            let _ = conn.read(&mut buf);
            let _ = write!(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
        }
    });
    format!("127.0.0.1:{port}")
}

/// Not a Kong Admin API (and not TLS): `200 {}` to everything.
fn not_kong() -> String {
    answering("{}")
}

/// The commands that load a config, each with `--output json`, on `file`.
fn config_commands(file: &str) -> Vec<Vec<String>> {
    let addr = unreachable_addr();
    let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        v(&["simulate", "--output", "json", file]),
        v(&["test", "tests.yaml", "--config", file, "--output", "json"]),
        v(&["diff", "--output", "json", "--kong-addr", &addr, file]),
        v(&["sync", "--output", "json", "--kong-addr", &addr, file]),
    ]
}

#[test]
fn config_load_failures_print_one_json_document() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "syntax.yaml", SYNTAX);
    write(dir.path(), "env.yaml", UNSET_ENV);
    write(dir.path(), "refused.yaml", REFUSED);
    write(dir.path(), "tests.yaml", TESTS);
    // (file, rule of the first error, line of the first error)
    let cases = [("missing.yaml", "L002", 0), ("syntax.yaml", "L001", 4), ("env.yaml", "L006", 8), ("refused.yaml", "S003", 5)];
    for (file, rule, line) in cases {
        for args in config_commands(file) {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let what = args.join(" ");
            let run = gateway(dir.path(), &args, &[]);
            let doc = one_json_failure(&what, &run);
            says_on_stderr(&what, &run);
            let first = &doc["errors"][0];
            assert_eq!(first["file"], file, "{what}: {doc}");
            assert_eq!((first["rule"].as_str(), first["line"].as_u64()), (Some(rule), Some(line)), "{what}: {doc}");
            assert!(doc.get("valid").is_none(), "{what}: only validate has `valid`: {doc}");
        }
        // validate always printed its document; it still does
        let run = gateway(dir.path(), &["validate", "--strict", "--output", "json", file], &[]);
        let doc = one_json_failure(&format!("validate {file}"), &run);
        assert_eq!(doc["valid"], false);
        assert_eq!(doc["errors"][0]["file"], file);
    }
}

#[test]
fn unset_env_is_only_a_warning_for_validate_without_strict() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "env.yaml", UNSET_ENV);
    let run = gateway(dir.path(), &["validate", "--output", "json", "env.yaml"], &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["errors"], serde_json::json!([]));
    assert_eq!(doc["warnings"][0]["rule"], "L006");
}

#[test]
fn gateway_failures_print_one_json_document() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "kong.yaml", VALID);
    let not_kong = not_kong();
    let addrs = [
        ("unreachable", unreachable_addr(), "cannot reach the Kong Admin API"),
        ("not Kong", format!("http://{not_kong}"), "not like a Kong Admin API"),
        ("TLS", format!("https://{not_kong}"), "cannot reach the Kong Admin API"),
    ];
    for (class, addr, expect) in &addrs {
        for cmd in [
            vec!["ping", "--output", "json"],
            vec!["diff", "--output", "json", "kong.yaml"],
            vec!["sync", "--output", "json", "kong.yaml"],
            vec!["validate", "--online", "--output", "json", "kong.yaml"],
        ] {
            let mut args = cmd.clone();
            args.extend(["--kong-addr", addr.as_str(), "--timeout", "5"]);
            let what = format!("{class}: {}", args.join(" "));
            let run = gateway(dir.path(), &args, &[]);
            let doc = one_json_failure(&what, &run);
            says_on_stderr(&what, &run);
            let message = doc["errors"][0]["message"].as_str().unwrap();
            assert!(message.contains(expect), "{what}: {doc}");
            assert_eq!(doc["errors"][0]["file"], Value::Null);
            if cmd[0] == "validate" {
                assert_eq!(doc["valid"], false, "{what}: validate keeps its own shape: {doc}");
            }
        }
    }
    // text output is unchanged: nothing on stdout, the error on stderr
    let run = gateway(dir.path(), &["ping", "--kong-addr", &addrs[0].1], &[]);
    assert_eq!((run.code, run.stdout.as_str()), (1, ""), "{}", run.transcript());
    assert!(run.stderr.starts_with("error: cannot reach the Kong Admin API"), "{}", run.stderr);
    // dump's stdout is the config itself: its failures stay on stderr
    let run = gateway(dir.path(), &["dump", "--format", "json", "--kong-addr", &addrs[0].1], &[]);
    assert_eq!((run.code, run.stdout.as_str()), (1, ""), "{}", run.transcript());
}

#[test]
fn other_tool_errors_print_one_json_document() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "kong.yaml", VALID);
    write(dir.path(), "tests.yaml", TESTS);
    let addr = unreachable_addr();
    for args in [
        vec!["simulate", "--output", "json", "kong.yaml", "--path", "no-slash"],
        vec!["simulate", "--output", "json", "kong.yaml", "--header", "no colon"],
        vec!["simulate", "--output", "json", "kong.yaml", "--body", "missing.json"],
        vec!["diff", "--output", "json", "kong.yaml", "--kong-addr", &addr, "--headers", "no colon"],
        vec!["sync", "--output", "json", "kong.yaml", "--kong-addr", &addr, "--ca-cert", "missing.pem"],
        vec!["test", "missing.yaml", "--output", "json"],
        vec!["test", "kong.yaml", "--output", "json"],
    ] {
        let run = gateway(dir.path(), &args, &[]);
        one_json_failure(&args.join(" "), &run);
        says_on_stderr(&args.join(" "), &run);
    }
}

#[test]
fn test_table_errors_carry_their_location() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "kong.yaml", VALID);
    write(dir.path(), "bad.yaml", "config: [kong.yaml]\ntests:\n- name: a\n  request: {pth: /a}\n  expect: {route: r}\n");
    let run = gateway(dir.path(), &["test", "bad.yaml", "--output", "json"], &[]);
    let doc = one_json_failure("test bad.yaml", &run);
    assert_eq!((doc["errors"][0]["file"].as_str(), doc["errors"][0]["line"].as_u64()), (Some("bad.yaml"), Some(4)), "{doc}");
}

#[test]
fn failing_route_tests_are_errors_in_json() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "kong.yaml", VALID);
    write(dir.path(), "tests.yaml", "config: [kong.yaml]\ntests:\n- name: wrong\n  request: {path: /b}\n  expect: {route: r}\n");
    let doc = one_json_failure("failing test", &gateway(dir.path(), &["test", "tests.yaml", "--output", "json"], &[]));
    assert_eq!(doc["failed"], 1, "the report is still there: {doc}");
    assert_eq!((doc["errors"][0]["file"].as_str(), doc["errors"][0]["line"].as_u64()), (Some("tests.yaml"), Some(3)), "{doc}");
    // passing tests under --fail-under: the coverage is the error
    write(dir.path(), "kong.yaml", &format!("{VALID}  - name: r2\n    paths: [/b]\n"));
    write(dir.path(), "tests.yaml", TESTS.replace("tests:", "config: [kong.yaml]\ntests:").as_str());
    let run = gateway(dir.path(), &["test", "tests.yaml", "--output", "json", "--fail-under", "100"], &[]);
    let doc = one_json_failure("coverage", &run);
    assert!(doc["errors"][0]["message"].as_str().unwrap().contains("below --fail-under 100"), "{doc}");
}

#[test]
fn junit_for_a_config_that_fails_to_load() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "tests.yaml", "config: [kong.yaml]\ntests:\n- name: a\n  request: {path: /a}\n  expect: {route: r}\n");
    write(dir.path(), "kong.yaml", SYNTAX);
    let run = gateway(dir.path(), &["test", "tests.yaml", "--output", "junit"], &[]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    insta::assert_snapshot!(run.transcript());
    let doc = junit_check(&run.stdout);
    assert!(doc.contains("<error message=\"kong.yaml:4:1: [L001] while parsing a flow sequence"), "{doc}");
    // an unreadable table too
    let run = gateway(dir.path(), &["test", "missing.yaml", "--output", "junit"], &[]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(junit_check(&run.stdout).contains("<error message=\"missing.yaml: cannot read the file"), "{}", run.stdout);
}

/// A small well-formedness check (no XML crate among the dependencies): one declaration, one
/// `testsuites` root, balanced tags, an `errors="1"` suite with one errored testcase.
fn junit_check(xml: &str) -> String {
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "), "{xml}");
    assert!(xml.trim_end().ends_with("</testsuites>"), "{xml}");
    assert_eq!(xml.matches("<testsuites").count(), 1, "{xml}");
    for tag in ["testsuite", "testcase", "error"] {
        assert_eq!(xml.matches(&format!("<{tag} ")).count(), xml.matches(&format!("</{tag}>")).count(), "{tag}: {xml}");
    }
    assert_eq!(xml.matches("<testcase ").count(), 1, "{xml}");
    assert!(xml.contains("errors=\"1\""), "{xml}");
    xml.to_string()
}

#[test]
fn simulate_json_failure_transcript() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "kong.yaml", UNSET_ENV);
    let run = gateway(dir.path(), &["simulate", "--output", "json", "kong.yaml"], &[]);
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn ping_json_on_success() {
    // the emulator tests (tests/sync.rs) need the example binary; a fake Kong root is enough here
    let addr = format!("http://{}", answering(r#"{"version":"3.10.0","tagline":"Welcome to kong","configuration":{"database":"off"}}"#));
    let run = gateway(&root(), &["ping", "--output", "json", "--kong-addr", &addr], &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!((doc["version"].as_str(), doc["database"].as_str(), doc["address"].as_str()), (Some("3.10.0"), Some("off"), Some(addr.as_str())), "{doc}");
}

#[test]
fn dash_reads_the_config_from_stdin() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "tests.yaml", TESTS);
    let stdin = |args: &[&str], input: &str| gateway_with_stdin(dir.path(), args, &[], Some(input.as_bytes()));
    // validate, with findings naming <stdin>
    let run = stdin(&["validate", "--output", "json", "-"], SYNTAX);
    let doc = one_json_failure("validate -", &run);
    assert_eq!((doc["errors"][0]["file"].as_str(), doc["errors"][0]["line"].as_u64()), (Some("<stdin>"), Some(4)), "{doc}");
    let run = stdin(&["validate", "-"], SYNTAX);
    assert!(run.stderr.contains("--> <stdin>:4:1"), "{}", run.stderr);
    assert_eq!(stdin(&["validate", "-"], VALID).code, 0);
    // simulate, test, render, and a second `-` reads the same input (once)
    let run = stdin(&["simulate", "-", "--path", "/a", "--output", "json"], VALID);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_eq!(serde_json::from_str::<Value>(&run.stdout).unwrap()["route"]["name"], "r");
    let run = stdin(&["test", "tests.yaml", "--config", "-"], VALID);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let run = stdin(&["render", "-"], VALID);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(run.stdout.contains("name: r"), "{}", run.stdout);
    // the table itself may come from stdin
    write(dir.path(), "kong.yaml", VALID);
    let run = stdin(&["test", "-", "--config", "kong.yaml", "--output", "json"], TESTS);
    assert_eq!(run.code, 0, "{}", run.transcript());
    // diff and sync load it before they connect
    let addr = unreachable_addr();
    for cmd in ["diff", "sync"] {
        let run = stdin(&[cmd, "--output", "json", "--kong-addr", &addr, "-"], UNSET_ENV);
        let doc = one_json_failure(cmd, &run);
        assert_eq!((doc["errors"][0]["rule"].as_str(), doc["errors"][0]["file"].as_str()), (Some("L006"), Some("<stdin>")), "{doc}");
    }
    // nothing piped in: an empty file, not a hang
    let run = gateway(dir.path(), &["validate", "-"], &[]);
    assert!(run.code == 1 && run.stderr.contains("<stdin>"), "{}", run.transcript());
    // two readers of one stdin
    let run = stdin(&["simulate", "-", "--body", "-"], VALID);
    assert!(run.code == 1 && run.stderr.contains("cannot both read standard input"), "{}", run.transcript());
}
