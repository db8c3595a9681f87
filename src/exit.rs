//! Process exit codes, in one place.

use std::process::ExitCode;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Valid config, rendered file, request proxied, tests pass, sync applied, no changes.
    Success,
    /// Invalid config, unreadable input, failing tests, a failed sync, or a tool error.
    Failure,
    /// Wrong command-line usage (clap's own code).
    Usage,
    /// `diff --exit-code`: changes are pending.
    Changes,
    /// `simulate`: Kong would reject the request (404, 400, 426, 503, ...).
    Rejected,
}

impl Exit {
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Failure => 1,
            Exit::Usage | Exit::Changes => 2,
            Exit::Rejected => 3,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e.code())
    }
}
