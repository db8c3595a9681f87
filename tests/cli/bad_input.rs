//! Bad input never panics or hangs: each case exits 1 with a message naming the file
//! (and line, where there is one).

use crate::support::gateway;

fn check(name: &str, bytes: &[u8], expect: &str) {
    check_with(&["validate", "render"], name, bytes, expect);
}

fn check_with(commands: &[&str], name: &str, bytes: &[u8], expect: &str) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(name), bytes).unwrap();
    for &cmd in commands {
        let run = gateway(dir.path(), &[cmd, name], &[]);
        assert_eq!(run.code, 1, "{cmd} {name}: {}", run.stderr);
        assert!(run.stderr.contains(name), "{cmd} {name}: message must name the file: {}", run.stderr);
        assert!(run.stderr.contains(expect), "{cmd} {name}: want {expect:?} in {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    }
}

#[test]
fn malformed_yaml() {
    check("bad.yaml", b"_format_version: \"3.0\"\nservices:\n  - name: [unclosed\n", "bad.yaml:");
}

#[test]
fn wrong_top_level_type() {
    check("list.yaml", b"- just\n- a list\n", "expected a decK file");
}

#[test]
fn non_utf8() {
    check("latin1.yaml", b"_format_version: \"3.0\"\nservices:\n  - name: caf\xe9\n", "not valid UTF-8");
}

#[test]
fn empty_file() {
    check("empty.yaml", b"", "file is empty");
    check("comments.yaml", b"# nothing here\n", "file is empty");
}

#[test]
fn duplicate_keys() {
    check("dup.yaml", b"_format_version: \"3.0\"\n_format_version: \"3.0\"\n", "already defined");
}

#[test]
fn deeply_nested() {
    let mut text = String::from("_format_version: \"3.0\"\nservices: ");
    text.push_str(&"[".repeat(5000));
    // yaml-rust2's own recursion guard answers first for flow collections
    check("deep.yaml", text.as_bytes(), "recursion limit exceeded");
    let mut block = String::from("_format_version: \"3.0\"\n");
    for i in 0..200 {
        block.push_str(&format!("{}k{i}:\n", "  ".repeat(i)));
    }
    check("deep-block.yaml", block.as_bytes(), "nested too deeply");
}

#[test]
fn alias_bomb() {
    let mut s = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        s.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n", p = i - 1));
    }
    check("bomb.yaml", s.as_bytes(), "too large");
}

#[test]
fn huge_regex() {
    check_with(
        &["validate"],
        "regex.yaml",
        b"_format_version: \"3.0\"\nroutes:\n  - name: r\n    paths: [\"~/a{1000}{1000}\"]\n",
        "exceeds size limit",
    );
}

#[test]
fn missing_file_and_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("adir")).unwrap();
    for (arg, expect) in [("nope.yaml", "cannot read nope.yaml"), ("adir", "is a directory")] {
        let run = gateway(dir.path(), &["validate", arg], &[]);
        assert_eq!(run.code, 1);
        assert!(run.stderr.contains(expect), "{}", run.stderr);
    }
}

#[test]
fn huge_file_is_refused_without_reading_it_all() {
    let dir = tempfile::tempdir().unwrap();
    let f = std::fs::File::create(dir.path().join("huge.yaml")).unwrap();
    f.set_len(gateway::load::MAX_FILE_BYTES as u64 + 1).unwrap();
    let run = gateway(dir.path(), &["validate", "huge.yaml"], &[]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("too large"), "{}", run.stderr);
}
