//! The checked-in completion scripts match the clap definition. Regenerate with
//! `for s in bash zsh fish powershell elvish; do cargo run -q -- completions $s > completions/gateway.$s; done`.

use crate::support::root;

#[test]
fn completion_scripts_are_current() {
    let mut stale = Vec::new();
    for (shell, file) in [
        (clap_complete::Shell::Bash, "gateway.bash"),
        (clap_complete::Shell::Zsh, "gateway.zsh"),
        (clap_complete::Shell::Fish, "gateway.fish"),
        (clap_complete::Shell::PowerShell, "gateway.powershell"),
        (clap_complete::Shell::Elvish, "gateway.elvish"),
    ] {
        let want = gateway::app::completion_script(shell);
        let have = std::fs::read_to_string(root().join("completions").join(file)).unwrap_or_default();
        if want != have {
            stale.push(file);
        }
    }
    assert!(stale.is_empty(), "stale completion scripts: {stale:?} (see this file's doc to regenerate)");
}

#[test]
fn cli_definition_is_consistent() {
    use clap::CommandFactory;
    gateway::cli::Cli::command().debug_assert();
}
