//! `gateway ping`: what the gateway is, from one `GET /`.

use super::{connect, Outcome};
use crate::capabilities::{availability, Availability, GatewayInfo};
use crate::cli::ConnectionArgs;
use crate::model::kinds::KINDS;
use std::fmt::Write as _;

pub fn run(args: &ConnectionArgs) -> anyhow::Result<Outcome> {
    let client = connect::client(args)?;
    let info = client.info()?;
    Ok(Outcome { stdout: text(&info, client.addr()), ..Default::default() })
}

/// The entity kinds the gateway does not serve, with the reason (version, edition, setting).
pub fn not_served(info: &GatewayInfo) -> Vec<(&'static str, String)> {
    KINDS
        .iter()
        .filter_map(|k| match availability(k, info) {
            Availability::No(why) => Some((k.key, why)),
            _ => None,
        })
        .collect()
}

fn text(info: &GatewayInfo, addr: &str) -> String {
    let unknown = || "(not reported)".to_string();
    let mut s = format!("Kong {} ({}) at {addr}\n", info.version, info.edition());
    let database = match info.database.as_deref() {
        Some("off") => "off (DB-less: changes are applied with one POST /config)".to_string(),
        Some(d) => d.to_string(),
        None => unknown(),
    };
    let _ = writeln!(s, "database:       {database}");
    let _ = writeln!(s, "wasm:           {}", info.wasm.map(|w| if w { "on" } else { "off" }.to_string()).unwrap_or_else(unknown));
    let _ = writeln!(s, "router flavor:  {}", info.router_flavor.clone().unwrap_or_else(unknown));
    let plugins = match &info.loaded_plugins {
        Some(p) => format!("{} loaded: {}", p.len(), p.iter().map(String::as_str).collect::<Vec<_>>().join(", ")),
        None => unknown(),
    };
    let _ = writeln!(s, "plugins:        {plugins}");
    // Enterprise kinds on an OSS gateway go on one line: the reason is the same
    let (enterprise, other): (Vec<_>, Vec<_>) = not_served(info).into_iter().partition(|(_, why)| why.contains("are Kong Enterprise entities"));
    if !enterprise.is_empty() {
        let kinds: Vec<&str> = enterprise.iter().map(|(k, _)| *k).collect();
        let _ = writeln!(s, "not served:     Kong Enterprise only: {}", kinds.join(", "));
    }
    for (kind, why) in other {
        let _ = writeln!(s, "not served:     {kind}: {why}");
    }
    s
}

/// `gateway ping --output json`: what `GET /` said, and the address asked.
pub fn json(args: &ConnectionArgs) -> anyhow::Result<Outcome> {
    let client = connect::client(args)?;
    let info = client.info()?;
    let mut doc = serde_json::to_value(&info)?;
    doc["edition"] = info.edition().into();
    doc["address"] = client.addr().into();
    doc["not_served"] = not_served(&info).into_iter().map(|(kind, why)| serde_json::json!({"kind": kind, "reason": why})).collect();
    Ok(Outcome { stdout: serde_json::to_string_pretty(&doc)? + "\n", ..Default::default() })
}
