//! The bundled plugin schemas (schemas/plugins-3.15.json) match what
//! scripts/gen_plugin_schemas.py generates from ../shared/corpus/kong-schemas/3.15.

use crate::support::{root, shared_or_fail};

#[test]
fn bundled_plugin_schemas_are_current() {
    let Some(shared) = shared_or_fail("bundled_plugin_schemas_are_current") else { return };
    let out = std::process::Command::new("python3")
        .arg(root().join("scripts/gen_plugin_schemas.py"))
        .arg("--check")
        .arg("--src")
        .arg(shared.join("corpus/kong-schemas/3.15"))
        .output()
        .expect("python3 runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
