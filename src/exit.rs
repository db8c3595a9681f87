//! Process exit codes, in one place.

use std::process::ExitCode;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Valid config, rendered file, request accepted.
    Success = 0,
    /// Invalid config, unreadable input, or a tool error.
    Failure = 1,
    /// Wrong command-line usage (clap's own code).
    Usage = 2,
    /// `simulate`: Kong would reject the request (404, 400, 426, 503, ...).
    Rejected = 3,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}
