//! `gateway ping`.

use super::{connect, Outcome};
use crate::cli::ConnectionArgs;

pub fn run(args: &ConnectionArgs) -> anyhow::Result<Outcome> {
    let client = connect::client(args)?;
    let info = client.info()?;
    Ok(Outcome {
        stdout: format!("Kong {} ({}, database: {}) at {}\n", info.version, info.edition, info.database, client.addr()),
        ..Default::default()
    })
}
