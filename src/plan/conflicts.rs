//! Writes Kong would refuse with a 409 because an entity the plan leaves alone holds the same
//! unique value: one outside the managed select tags, or one `apply` does not delete.
//!
//! Kong keeps `name` (and each kind's other unique fields) unique per workspace whatever the
//! tags, and a plugin unique per name and scope (its cache key, `kong/db/dao/plugins.lua`);
//! decK finds out only when the write fails. Here the plan is refused before any write.

use super::identity::{identity, label, str_of, unique_values};
use super::{Action, Current, Plan, PlanError};
use crate::model::kinds::{self, Kind};
use serde_json::Value as Json;
use std::collections::{HashMap, HashSet};

/// The values an entity holds that no other entity of its kind may hold.
fn claims(kind: &'static Kind, body: &Json) -> Vec<(&'static str, String, String)> {
    let mut out: Vec<(&'static str, String, String)> = unique_values(kind, body).into_iter().map(|(k, f, v)| (k, f.to_string(), v)).collect();
    if kind.key == "plugins" {
        if let Some(i) = identity(kind, body) {
            out.push((kind.key, "name and scope".into(), i));
        }
    }
    out
}

/// Errors for the creates and updates of `plan` that take a unique value another entity still
/// holds when the plan has run: one of `current` the plan neither deletes nor moves off that
/// value (`apply` deletes nothing), or one of `outside`, the entities outside the managed
/// select `tags`.
pub fn check(plan: &Plan, current: &[Current], outside: &[Current], tags: &[String]) -> Vec<PlanError> {
    let deleted: HashSet<&str> = plan.changes.iter().filter(|c| c.action == Action::Delete).map(|c| c.id.as_str()).collect();
    let updated: HashMap<&str, &Json> = plan.changes.iter().filter(|c| c.action == Action::Update).filter_map(|c| Some((c.id.as_str(), c.body.as_ref()?))).collect();
    let names: HashMap<String, String> = HashMap::new();
    // each holder, and whether it is one of `kept` (then even the same id is another entity:
    // ids derived from a name are the same for another team's entity of that name)
    let mut holders: HashMap<(&'static str, String, String), (&Current, bool)> = HashMap::new();
    let tagged_current = current.iter().map(|c| (c, false));
    for (c, is_kept) in tagged_current.chain(outside.iter().map(|c| (c, true))) {
        let Some(kind) = kinds::kind(c.kind) else { continue };
        let id = str_of(&c.body, "id").unwrap_or("");
        if deleted.contains(id) {
            continue;
        }
        let moving_to: Vec<(&'static str, String, String)> = updated.get(id).map(|b| claims(kind, b)).unwrap_or_default();
        for claim in claims(kind, &c.body) {
            // an entity the plan updates keeps only the values it still holds afterwards
            if updated.contains_key(id) && !moving_to.contains(&claim) {
                continue;
            }
            holders.insert(claim, (c, is_kept));
        }
    }
    let mut errors = Vec::new();
    for change in plan.changes.iter().filter(|c| c.action != Action::Delete) {
        let (Some(kind), Some(body), Some(at)) = (kinds::kind(change.kind), change.body.as_ref(), change.at) else { continue };
        for claim in claims(kind, body) {
            let Some(&(holder, is_kept)) = holders.get(&claim) else { continue };
            if !is_kept && str_of(&holder.body, "id") == Some(change.id.as_str()) {
                continue;
            }
            let held_by = label(kind, &holder.body, &names);
            let (field, value) = (&claim.1, &claim.2);
            let what = if field == "name and scope" { "a plugin of the same name and scope".to_string() } else { format!("{field} '{value}'") };
            let reason = if is_kept {
                let have: Vec<&str> = holder.body.get("tags").and_then(Json::as_array).map(|a| a.iter().filter_map(Json::as_str).collect()).unwrap_or_default();
                format!(
                    "the gateway already has {what} in {held_by} (id {}), which lies outside the managed select tags [{}] (its tags: [{}]); Kong would answer 409. Tag it, rename one of them, or manage it from this file",
                    str_of(&holder.body, "id").unwrap_or("?"),
                    tags.join(", "),
                    have.join(", ")
                )
            } else {
                format!(
                    "the gateway already has {what} in {held_by} (id {}), which this plan does not delete (apply never deletes); Kong would answer 409. Use sync to replace it",
                    str_of(&holder.body, "id").unwrap_or("?")
                )
            };
            errors.push(PlanError { at, message: format!("{}: {reason}", change.name) });
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::super::test_support::plan_of;
    use super::*;
    use serde_json::json;

    #[test]
    fn a_create_whose_name_an_untagged_entity_holds_is_refused_at_its_line() {
        let yaml = "_format_version: '3.0'\n_info: {select_tags: [team-a]}\nservices:\n- name: billing\n  host: h\n";
        let plan = plan_of(yaml, &[]);
        let outside = [Current { kind: "services", body: json!({"id": "11111111-1111-4111-8111-111111111111", "name": "billing", "host": "x", "tags": ["team-b"]}) }];
        let tags = vec!["team-a".to_string()];
        let errors = check(&plan, &[], &outside, &tags);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].at.line, 4);
        assert!(errors[0].message.starts_with("services/billing: the gateway already has name 'billing' in services/billing"), "{}", errors[0].message);
        assert!(errors[0].message.contains("[team-a]") && errors[0].message.contains("[team-b]"), "{}", errors[0].message);
    }

    #[test]
    fn a_name_freed_by_a_delete_or_a_rename_in_the_same_plan_is_no_conflict() {
        let old = Current { kind: "services", body: json!({"id": "11111111-1111-4111-8111-111111111111", "name": "a", "host": "h"}) };
        let plan = plan_of("_format_version: '3.0'\nservices:\n- name: a\n  id: 22222222-2222-4222-8222-222222222222\n  host: h\n", std::slice::from_ref(&old));
        assert!(check(&plan, std::slice::from_ref(&old), &[], &[]).is_empty());
    }

    #[test]
    fn apply_keeps_what_sync_would_delete() {
        let old = Current { kind: "services", body: json!({"id": "11111111-1111-4111-8111-111111111111", "name": "a", "host": "h"}) };
        let mut plan = plan_of("_format_version: '3.0'\nservices:\n- name: a\n  id: 22222222-2222-4222-8222-222222222222\n  host: h\n", std::slice::from_ref(&old));
        plan.changes.retain(|c| c.action != Action::Delete);
        let errors = check(&plan, std::slice::from_ref(&old), &[], &[]);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].message.contains("apply never deletes"), "{}", errors[0].message);
    }

    #[test]
    fn a_global_plugin_outside_the_tags_blocks_the_same_global_plugin() {
        let yaml = "_format_version: '3.0'\n_info: {select_tags: [team-a]}\nplugins:\n- name: cors\n";
        let plan = plan_of(yaml, &[]);
        let outside = [Current { kind: "plugins", body: json!({"id": "11111111-1111-4111-8111-111111111111", "name": "cors", "tags": null}) }];
        let tags = vec!["team-a".to_string()];
        let errors = check(&plan, &[], &outside, &tags);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].message.contains("a plugin of the same name and scope"), "{}", errors[0].message);
    }
}
