//! Write ordering: writes that move unique values between entities run after the write that
//! frees the value, and cycles (swaps, rotations) go through a temporary value.

use super::mask::MASK;
use super::identity::{str_of, unique_values};
use super::mask::is_secret;
use super::{Action, Change, Current, Desired, FieldChange};
use crate::model::kinds;
use crate::schema::kong::Schemas;
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Orders writes that move unique values between existing entities (a rename onto a name
/// another update gives up runs after that update) and breaks cycles (A and B swapping
/// names) with a temporary value, so that no write hits Kong's unique constraint.
pub(super) fn order_unique_moves(changes: &mut Vec<Change>, desired: &[Desired], current: &[Current], schemas: &Schemas, show_secrets: bool) {
    let holder: HashMap<(&str, &str, String), usize> =
        current.iter().enumerate().flat_map(|(i, c)| kinds::kind(c.kind).map(|k| unique_values(k, &c.body)).unwrap_or_default().into_iter().map(move |u| (u, i))).collect();
    let change_of_current: HashMap<usize, usize> =
        changes.iter().enumerate().filter_map(|(ci, c)| c.desired.and_then(|d| desired[d].matched).map(|m| (m, ci))).collect();
    // after[i]: writes that must run before write i, with the field that links them
    let mut after: Vec<Vec<(usize, &'static str)>> = vec![Vec::new(); changes.len()];
    for (ci, c) in changes.iter().enumerate() {
        let Some(d) = c.desired.map(|d| &desired[d]) else { continue };
        for (kind, field, value) in unique_values(d.kind, &d.body) {
            let Some(&h) = holder.get(&(kind, field, value.clone())) else { continue };
            if Some(h) == d.matched {
                continue;
            }
            let Some(&hc) = change_of_current.get(&h) else { continue };
            let gives_up = changes[hc].desired.is_some_and(|hd| str_of(&desired[hd].body, field) != Some(value.as_str()));
            if gives_up {
                after[ci].push((hc, field));
            }
        }
    }
    if after.iter().all(Vec::is_empty) {
        return;
    }
    let mut step: Vec<Option<usize>> = vec![None; changes.len()];
    loop {
        // resolve steps for everything whose predecessors are resolved
        let mut progressed = true;
        while progressed {
            progressed = false;
            for i in 0..changes.len() {
                if step[i].is_some() {
                    continue;
                }
                let deps: Option<Vec<usize>> = after[i].iter().map(|(j, _)| step[*j]).collect();
                if let Some(deps) = deps {
                    step[i] = Some(deps.iter().map(|s| s + 1).max().unwrap_or(0));
                    progressed = true;
                }
            }
        }
        // what is left sits on a cycle (or behind one): move one member out of the way first
        let Some(stuck) = (0..changes.len()).find(|&i| step[i].is_none() && !after[i].is_empty()) else { break };
        let mut seen = BTreeSet::new();
        let mut blocker = stuck;
        while seen.insert(blocker) {
            blocker = after[blocker].iter().map(|(j, _)| *j).find(|j| step[*j].is_none()).expect("an unresolved write waits on another");
        }
        let mut fields: Vec<&'static str> = after.iter().flatten().filter(|(j, _)| *j == blocker).map(|(_, f)| *f).collect();
        fields.sort();
        fields.dedup();
        let d = &desired[changes[blocker].desired.expect("a write")];
        let temp = temporary_move(&changes[blocker], &current[d.matched.expect("an update")].body, &fields, &|f| !show_secrets && is_secret(d.kind, None, f, &d.secrets, schemas));
        changes.push(temp);
        let t = changes.len() - 1;
        step.push(Some(0));
        after.push(Vec::new());
        for deps in after.iter_mut() {
            for (j, _) in deps.iter_mut() {
                if *j == blocker {
                    *j = t;
                }
            }
        }
    }
    for (c, s) in changes.iter_mut().zip(step) {
        c.step = s.unwrap_or(0);
    }
}

/// An extra update that parks an entity's unique values on temporary ones.
pub(super) fn temporary_move(c: &Change, current: &Json, fields: &[&str], secret: &dyn Fn(&str) -> bool) -> Change {
    let short: String = c.id.chars().filter(|ch| *ch != '-').take(8).collect();
    let mut body = c.body.clone().unwrap_or(Json::Null);
    let mut changed = BTreeMap::new();
    for f in fields {
        let old = str_of(current, f).unwrap_or_default();
        let temp = format!("swap-{short}-{old}");
        body[*f] = Json::String(temp.clone());
        let shown = |v: &str| Some(Json::String(if secret(f) { MASK.into() } else { v.into() }));
        changed.insert(f.to_string(), FieldChange { old: shown(old), new: shown(&temp) });
    }
    Change {
        action: Action::Update,
        kind: c.kind,
        name: format!("{} (parked on a temporary {} that another update takes)", c.name, fields.join(", ")),
        id: c.id.clone(),
        fields: changed,
        body: Some(body),
        parent: c.parent.clone(),
        level: c.level,
        early: false,
        step: 0,
        desired: None,
        at: c.at,
    }
}
