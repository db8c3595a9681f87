//! The README's examples say what the binary really prints.

use crate::support::{gateway_in_root, root};

/// The lines of the first ```text block after `marker` (a `...` line skips ahead).
fn block_after(readme: &str, marker: &str) -> Vec<String> {
    let rest = &readme[readme.find(marker).unwrap_or_else(|| panic!("README lost `{marker}`"))..];
    let start = rest.find("```text\n").expect("a text block") + "```text\n".len();
    let body = &rest[start..];
    body[..body.find("```").expect("closed block")].lines().map(String::from).collect()
}

fn assert_in_order(expected: &[String], actual: &str) {
    let lines: Vec<&str> = actual.lines().collect();
    let mut at = 0;
    for want in expected.iter().filter(|l| l.trim() != "...") {
        match lines[at..].iter().position(|l| l == want) {
            Some(i) => at += i + 1,
            None => panic!("README line not in the output (in order): {want:?}\n--- output\n{actual}"),
        }
    }
}

#[test]
fn main_job_output_matches_the_readme() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let run = gateway_in_root(
        &["simulate", "testdata/azure/kong.yaml", "-X", "POST", "--path", "/openai/deployments/gpt-4o/chat/completions?api-version=2025-01-01-preview"],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_in_order(&block_after(&readme, "# 7. Which route"), &run.stdout);
}

#[test]
fn undefined_capture_output_matches_the_readme() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let run = gateway_in_root(&["validate", "testdata/deck/invalid/undefined-uri-capture.yaml"], &[]);
    assert_eq!(run.code, 1);
    assert_in_order(&block_after(&readme, "# 2. Break it"), &run.stderr);
}
