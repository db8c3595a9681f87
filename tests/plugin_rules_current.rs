//! schemas/plugin-rules.json matches what scripts/gen_plugin_rules.py reads from Kong's OSS
//! plugin Lua schemas (kong/plugins/*/schema.lua). Needs a Kong checkout: `KONG_REPO`, or
//! the mirror at /work/.mirror/Kong+kong/repo; without one (and outside CI) it is skipped
//! with a notice.

#![allow(clippy::print_stderr)]

use std::path::PathBuf;

#[test]
fn plugin_rules_are_current() {
    let repo = std::env::var_os("KONG_REPO").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/work/.mirror/Kong+kong/repo"));
    if !repo.exists() {
        assert!(std::env::var_os("CI").is_none(), "plugin_rules_are_current: no Kong checkout at {}", repo.display());
        eprintln!("plugin_rules_are_current: skipped, no Kong checkout at {}", repo.display());
        return;
    }
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
