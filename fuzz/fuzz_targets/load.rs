//! Feeds arbitrary bytes to the loaders (as a decK file and as a docs page) and runs every
//! validation rule on whatever loads. Any panic is a bug.
#![no_main]

use gateway::env::{Env, EnvMode};
use gateway::load::{self, MemFiles};
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for name in ["kong.yaml", "page.md"] {
        let files = MemFiles::default().with(name, &text);
        let env: Env = [("DECK_X".to_string(), "x".to_string())].into();
        for mode in [EnvMode::Resolve, EnvMode::Mock, EnvMode::Placeholders] {
            let loaded = load::load(&[PathBuf::from(name)], &files, &env, mode);
            if loaded.document.is_some() {
                let _ = gateway::validate::validate(&loaded.config);
            }
        }
    }
});
