//! CLI conventions (issue #9): `--output FORMAT` in every command and `-o/--output-file FILE`
//! where render and dump write; "Kong would refuse" only when Kong would; a config with
//! warnings alone exits 0 in every command that loads one.

use crate::support::{gateway, Run};
use serde_json::Value;
use std::path::Path;

use crate::common;

const VALID: &str = "_format_version: \"3.0\"\nservices:\n- name: s\n  url: http://h\n  routes:\n  - name: r\n    paths: [/a]\n";
const SYNTAX: &str = "_format_version: \"3.0\"\nservices:\n  - name: [unclosed\n";
const REFUSED: &str = "_format_version: \"3.0\"\nservices:\n- name: s\n  url: http://h\n  retries: many\n";
/// Kong loads it, with one lint warning (R009: `path_handling: v1`).
const WARNING_ONLY: &str =
    "_format_version: \"3.0\"\nservices:\n- name: s\n  url: http://h\n  routes:\n  - name: r\n    paths: [/a]\n    path_handling: v1\n";
const TESTS: &str = "config: [kong.yaml]\ntests:\n- name: a\n  request: {path: /a}\n  expect: {route: r}\n";

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// An address nothing listens on.
fn unreachable_addr() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    format!("http://127.0.0.1:{port}")
}

#[test]
fn render_output_is_a_format_and_output_file_is_the_file() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "in.yaml", VALID);
    // the old meaning of --output (a file) is a usage error that says where the file name goes
    let run = gateway(dir.path(), &["render", "in.yaml", "--output", "kong.yaml"], &[]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(run.stderr.contains("-o/--output-file kong.yaml"), "{}", run.stderr);
    assert_eq!(run.stdout, "");
    // --output json is the format: JSON on stdout, and no file named `json`
    let run = gateway(dir.path(), &["render", "in.yaml", "--output", "json"], &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_eq!(serde_json::from_str::<Value>(&run.stdout).unwrap()["_format_version"], "3.0");
    assert_eq!(files(dir.path()), ["in.yaml"], "nothing but the input: no file named `json` or `kong.yaml`");
    // -o and --output-file write the file, in the --output format (yaml by default)
    let run = gateway(dir.path(), &["render", "in.yaml", "-o", "out.json", "--output", "json"], &[]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{}", run.transcript());
    assert!(run.stderr.contains("wrote out.json"), "{}", run.stderr);
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join("out.json")).unwrap()).unwrap();
    assert_eq!(doc["services"][0]["routes"][0]["name"], "r");
    let run = gateway(dir.path(), &["render", "in.yaml", "--output-file", "out.yaml"], &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(std::fs::read_to_string(dir.path().join("out.yaml")).unwrap().starts_with("_format_version: \"3.0\"\n"));
    // --format is the deprecated spelling of --output: it works, with a note on stderr
    let run = gateway(dir.path(), &["render", "in.yaml", "--format", "json"], &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(serde_json::from_str::<Value>(&run.stdout).is_ok(), "{}", run.stdout);
    assert!(run.stderr.contains("--format is deprecated; use --output"), "{}", run.stderr);
    let run = gateway(dir.path(), &["render", "in.yaml", "--format", "json", "--output", "yaml"], &[]);
    assert_eq!(run.code, 2, "both spellings at once: {}", run.transcript());
}

#[test]
fn dump_takes_the_same_flags_as_render() {
    let dir = tempfile::tempdir().unwrap();
    let addr = unreachable_addr();
    // a file name given to --output is a usage error before any request
    let run = gateway(dir.path(), &["dump", "--output", "current.yaml", "--kong-addr", &addr], &[]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(run.stderr.contains("-o/--output-file current.yaml"), "{}", run.stderr);
    // the new spellings parse (the gateway is unreachable: exit 1, not 2) and write nothing
    for args in [vec!["dump", "--output", "json"], vec!["dump", "-o", "current.json", "--output", "json"], vec!["dump", "--output-file", "c.yaml"]] {
        let mut args = args.clone();
        args.extend(["--kong-addr", addr.as_str()]);
        let run = gateway(dir.path(), &args, &[]);
        assert_eq!((run.code, run.stdout.as_str()), (1, ""), "{args:?}: {}", run.transcript());
        assert!(run.stderr.contains("cannot reach the Kong Admin API"), "{args:?}: {}", run.stderr);
    }
    assert!(files(dir.path()).is_empty(), "{:?}", files(dir.path()));
}

#[test]
fn every_command_takes_output_format() {
    use clap::CommandFactory;
    let cli = gateway::cli::Cli::command();
    let mut seen = Vec::new();
    for sub in cli.get_subcommands().filter(|s| !matches!(s.get_name(), "explain" | "completions")) {
        let name = sub.get_name().to_string();
        let output = sub.get_arguments().find(|a| a.get_long() == Some("output")).unwrap_or_else(|| panic!("{name} has no --output"));
        let formats: Vec<String> = output.get_possible_values().iter().map(|v| v.get_name().to_string()).collect();
        let want: &[&str] = match name.as_str() {
            "render" | "dump" => &["yaml", "json"],
            "test" => &["text", "json", "junit"],
            _ => &["text", "json"],
        };
        assert_eq!(formats, want, "{name}");
        assert_eq!(output.get_value_names().map(|v| v[0].to_string()).as_deref(), Some("FORMAT"), "{name}");
        assert!(output.get_short().is_none(), "{name}: -o is the output file, never the format");
        // -o/--output-file is where render and dump write; nothing else has it
        let file = sub.get_arguments().find(|a| a.get_long() == Some("output-file"));
        assert_eq!(file.is_some(), matches!(name.as_str(), "render" | "dump"), "{name}");
        if let Some(f) = file {
            assert_eq!(f.get_short(), Some('o'), "{name}");
        }
        // a file name is never an output format
        let run = gateway(&crate::support::root(), &[&name, "--output", "out.txt"], &[]);
        assert_eq!(run.code, 2, "{name} --output out.txt: {}", run.transcript());
        seen.push(name);
    }
    assert_eq!(seen.len(), 10, "{seen:?}");
}

/// simulate, test, diff and sync on `file` (a test table `tests.yaml` naming it).
fn loading_commands(file: &str, json: bool) -> Vec<Vec<String>> {
    let addr = unreachable_addr();
    let mut all = vec![
        vec!["simulate", file],
        vec!["test", "tests.yaml", "--config", file],
        vec!["diff", "--kong-addr", &addr, file],
        vec!["sync", "--kong-addr", &addr, file],
    ];
    if json {
        for a in &mut all {
            a.extend(["--output", "json"]);
        }
    }
    all.into_iter().map(|a| a.into_iter().map(String::from).collect()).collect()
}

fn run_in(dir: &Path, args: &[String]) -> Run {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    gateway(dir, &args, &[])
}

#[test]
fn kong_would_refuse_only_when_kong_would() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "syntax.yaml", SYNTAX);
    write(dir.path(), "refused.yaml", REFUSED);
    write(dir.path(), "tests.yaml", TESTS);
    // (file, what stderr says, JSON kind and rule of the error)
    let cases = [
        ("missing.yaml", "error: cannot read missing.yaml (the config was not loaded; this is not a verdict of Kong's); nothing done", "input", "L002"),
        ("syntax.yaml", "error: syntax.yaml is not valid YAML or JSON (the config was not loaded; this is not a verdict of Kong's); nothing done", "input", "L001"),
        ("refused.yaml", "error: Kong would refuse this config; nothing done", "kong", "S003"),
    ];
    for (file, says, kind, rule) in cases {
        for args in loading_commands(file, false) {
            let run = run_in(dir.path(), &args);
            assert_eq!(run.code, 1, "{args:?}: {}", run.transcript());
            assert!(run.stderr.contains(says), "{args:?}: want {says:?} in {}", run.stderr);
            if kind == "input" {
                assert!(!run.stderr.contains("Kong would refuse"), "{args:?}: {}", run.stderr);
                assert!(run.stderr.contains("(input: the file cannot be read or parsed; Kong has not judged it)"), "{args:?}: {}", run.stderr);
            } else {
                assert!(run.stderr.contains("(kong: Kong or decK rejects this)"), "{args:?}: {}", run.stderr);
            }
        }
        for args in loading_commands(file, true) {
            let run = run_in(dir.path(), &args);
            assert_eq!(run.code, 1, "{args:?}: {}", run.transcript());
            let doc: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {}", run.transcript()));
            assert_eq!((doc["errors"][0]["kind"].as_str(), doc["errors"][0]["rule"].as_str()), (Some(kind), Some(rule)), "{args:?}: {doc}");
        }
        // validate's findings carry the same kind
        let run = gateway(dir.path(), &["validate", "--output", "json", file], &[]);
        assert_eq!(run.code, 1, "{}", run.transcript());
        let doc: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(doc["errors"][0]["kind"], kind, "validate {file}: {doc}");
        let run = gateway(dir.path(), &["validate", file], &[]);
        let unloaded = run.stderr.contains("invalid: 1 input checked, 1 error, 0 warnings (1 input could not be read or parsed)");
        assert_eq!(unloaded, kind == "input", "validate {file}: {}", run.stderr);
    }
    // a missing file next to a config Kong refuses: both are said
    let run = gateway(dir.path(), &["simulate", "missing.yaml", "refused.yaml"], &[]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains("error: cannot read missing.yaml; Kong would refuse the rest of the config; nothing done"), "{}", run.stderr);
    // render's --output json is the config itself: a failure leaves stdout empty
    let run = gateway(dir.path(), &["render", "--output", "json", "missing.yaml"], &[]);
    assert_eq!((run.code, run.stdout.as_str()), (1, ""), "{}", run.transcript());
    assert!(run.stderr.contains("(input: the file cannot be read or parsed; Kong has not judged it)"), "{}", run.stderr);
    // `explain` names the kind too
    let run = gateway(dir.path(), &["explain", "L002"], &[]);
    assert!(run.stdout.starts_with("L002 unreadable-file  (input, "), "{}", run.stdout);
}

#[test]
fn warnings_alone_exit_0_in_every_command() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "kong.yaml", WARNING_ONLY);
    write(dir.path(), "tests.yaml", TESTS);
    let run = gateway(dir.path(), &["validate", "kong.yaml"], &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(run.stderr.contains("warning[R009]") && run.stderr.contains("valid: 1 input checked, 0 errors, 1 warning"), "{}", run.stderr);
    let run = gateway(dir.path(), &["validate", "--output", "json", "kong.yaml"], &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_eq!(serde_json::from_str::<Value>(&run.stdout).unwrap()["warnings"][0]["rule"], "R009");
    // --strict makes the warning an error, in validate only
    let run = gateway(dir.path(), &["validate", "--strict", "kong.yaml"], &[]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(run.stderr.contains("error[R009]"), "{}", run.stderr);
    let run = gateway(dir.path(), &["simulate", "kong.yaml", "--path", "/a"], &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(run.stdout.contains("warning:   kong.yaml:8: [R009]"), "{}", run.stdout);
    let run = gateway(dir.path(), &["test", "tests.yaml"], &[]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(run.stderr.contains("warning: kong.yaml:8: [R009]"), "{}", run.stderr);
    for output in ["json", "junit"] {
        let run = gateway(dir.path(), &["test", "tests.yaml", "--output", output], &[]);
        assert_eq!(run.code, 0, "test --output {output}: {}", run.transcript());
    }
    // against a gateway: diff, sync --dry-run, sync, apply; then diff finds nothing. The
    // emulator is an example, which `cargo test` builds but `cargo test --test cli` does not.
    let exe = std::env::current_exe().unwrap();
    let built = exe.parent().and_then(Path::parent).is_some_and(|d| d.join("examples").join(format!("kong_admin_emulator{}", std::env::consts::EXE_SUFFIX)).exists());
    if !built && std::env::var_os("CI").is_none() {
        #[allow(clippy::print_stderr)] // the skip notice is for whoever runs the test
        {
            eprintln!("warnings_alone_exit_0_in_every_command: the Admin API emulator is not built (run `cargo test`); diff and sync skipped");
        }
        return;
    }
    let emulator = common::admin::emulator(&[]);
    let on = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--kong-addr", emulator.url.as_str()]);
        gateway(dir.path(), &all, &[])
    };
    for args in [
        vec!["diff", "kong.yaml"],
        vec!["diff", "kong.yaml", "--output", "json"],
        vec!["sync", "kong.yaml", "--dry-run"],
        vec!["sync", "kong.yaml"],
        vec!["apply", "kong.yaml", "--output", "json"],
        vec!["diff", "kong.yaml", "--exit-code"],
    ] {
        let run = on(&args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.transcript());
        assert!(run.stderr.contains("warning: kong.yaml:8: [R009]"), "{args:?}: the warning is said: {}", run.stderr);
    }
}
