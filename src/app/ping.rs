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

/// `gateway ping --output json`: what `GET /` said, and the address asked.
pub fn json(args: &ConnectionArgs) -> anyhow::Result<Outcome> {
    let client = connect::client(args)?;
    let mut doc = serde_json::to_value(client.info()?)?;
    doc["address"] = client.addr().into();
    Ok(Outcome { stdout: serde_json::to_string_pretty(&doc)? + "\n", ..Default::default() })
}
