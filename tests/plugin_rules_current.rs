//! schemas/plugin-rules.json matches what scripts/gen_plugin_rules.py reads from Kong's OSS
//! plugin Lua schemas (kong/plugins/*/schema.lua). Needs a Kong source checkout, which CI does
//! not have (it reaches no source host), so the test is ignored there and says so; run it
//! with `KONG_REPO=/path/to/kong cargo test --test plugin_rules_current -- --ignored` after
//! regenerating.

use std::path::PathBuf;

#[test]
#[ignore = "needs a Kong source checkout: KONG_REPO=/path/to/kong"]
fn plugin_rules_are_current() {
    let repo = PathBuf::from(std::env::var_os("KONG_REPO").expect("KONG_REPO: a Kong source checkout (git clone or git dir)"));
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new("python3")
        .arg(root.join("scripts/gen_plugin_rules.py"))
        .arg("--check")
        .arg("--repo")
        .arg(&repo)
        .output()
        .expect("python3 runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
