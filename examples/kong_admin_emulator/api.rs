//! The Admin API's paths: which path reaches which collection, nested collections,
//! consumer-group members, RBAC roles and their endpoint permissions, `/schemas`.

use crate::http::{message, reply, Reply};
use crate::profile::{self, kind_of_nested, Gate};
use crate::schemas::{entity_schema_answer, plugin_schema_answer};
use crate::store::{id_of, is_uuid, kind, schema_violation, Kind, Store, KINDS};
use serde_json::{json, Map, Value as Json};
use std::collections::{BTreeMap, HashSet};

/// A nested path's parent: (foreign key field, parent segment, parent key).
type Parent<'a> = (&'a str, &'a str, &'a str);

impl Store {
    /// `/rbac/roles/{role}/endpoints[/{workspace}/{endpoint}]`: Kong Enterprise RBAC endpoint
    /// permissions, as go-kong's client uses them (kong/endpoint_permission_service.go):
    /// `actions` sent as a comma-separated string and answered as an array.
    pub fn rbac_endpoints(&mut self, method: &str, role: &str, ep: &[&str], query: &BTreeMap<String, String>, body: Option<&[u8]>) -> Reply {
        let Some(ri) = self.find("rbac_roles", role) else { return message(404, "Not found") };
        let rid = id_of(&self.all("rbac_roles")[ri]).to_string();
        let parsed: Map<String, Json> = match body.filter(|b| !b.is_empty()).map(serde_json::from_slice::<Json>) {
            None => Map::new(),
            Some(Ok(Json::Object(m))) => m,
            Some(_) => return message(400, "Cannot parse JSON body"),
        };
        let actions_of = |v: &Json| -> Result<Vec<String>, String> {
            let list: Vec<String> = match v {
                Json::String(s) => s.split(',').map(|a| a.trim().to_string()).filter(|a| !a.is_empty()).collect(),
                Json::Array(a) => a.iter().filter_map(Json::as_str).map(String::from).collect(),
                _ => return Err("expected a string".into()),
            };
            match list.iter().find(|a| !["read", "create", "update", "delete"].contains(&a.as_str())) {
                Some(bad) => Err(format!("unknown action '{bad}'")),
                None => Ok(list),
            }
        };
        let mine = |e: &Json| e["role"]["id"] == json!(rid);
        match (method, ep) {
            ("GET", []) => {
                let items: Vec<&Json> = self.endpoints.iter().filter(|e| mine(e)).collect();
                self.list(items, query, &format!("/rbac/roles/{role}/endpoints"), None)
            }
            ("POST", []) => {
                let (Some(ws), Some(endpoint)) = (parsed.get("workspace").and_then(Json::as_str), parsed.get("endpoint").and_then(Json::as_str)) else {
                    let missing: Map<String, Json> = ["workspace", "endpoint"].iter().filter(|f| !parsed.contains_key(**f)).map(|f| (f.to_string(), json!("required field missing"))).collect();
                    return schema_violation(missing);
                };
                if self.endpoints.iter().any(|e| mine(e) && e["workspace"] == json!(ws) && e["endpoint"] == json!(endpoint)) {
                    let message = format!("UNIQUE violation detected on '{{endpoint=\"{endpoint}\",role={{id=\"{rid}\"}},workspace=\"{ws}\"}}'");
                    return reply(409, json!({"code": 5, "name": "unique constraint violation", "message": message}));
                }
                let actions = match parsed.get("actions").map(actions_of).unwrap_or(Ok(vec!["read".into(), "create".into(), "update".into(), "delete".into()])) {
                    Ok(a) => a,
                    Err(e) => return schema_violation([("actions".to_string(), json!(e))].into_iter().collect()),
                };
                self.clock += 1;
                let entity = json!({
                    "role": {"id": rid}, "workspace": ws, "endpoint": endpoint, "actions": actions,
                    "negative": parsed.get("negative").and_then(Json::as_bool).unwrap_or(false),
                    "comment": parsed.get("comment").cloned().unwrap_or(Json::Null),
                    "created_at": 1_700_000_000 + self.clock,
                });
                self.endpoints.push(entity.clone());
                reply(201, entity)
            }
            (_, [ws, rest @ ..]) if !rest.is_empty() => {
                let endpoint = format!("/{}", rest.join("/"));
                let at = self.endpoints.iter().position(|e| {
                    mine(e) && e["workspace"] == json!(ws) && (e["endpoint"] == json!(endpoint) || (endpoint == "/*" && e["endpoint"] == json!("*")))
                });
                match (method, at) {
                    ("GET", Some(i)) => reply(200, self.endpoints[i].clone()),
                    ("PATCH", Some(i)) => {
                        let mut e = self.endpoints[i].clone();
                        if let Some(a) = parsed.get("actions") {
                            match actions_of(a) {
                                Ok(a) => e["actions"] = json!(a),
                                Err(m) => return schema_violation([("actions".to_string(), json!(m))].into_iter().collect()),
                            }
                        }
                        for f in ["negative", "comment"] {
                            if let Some(v) = parsed.get(f) {
                                e[f] = v.clone();
                            }
                        }
                        self.endpoints[i] = e.clone();
                        reply(200, e)
                    }
                    ("DELETE", Some(i)) => {
                        self.endpoints.remove(i);
                        Reply { status: 204, body: None, headers: Vec::new() }
                    }
                    ("DELETE", None) => Reply { status: 204, body: None, headers: Vec::new() },
                    ("GET" | "PATCH", None) => message(404, "Not found"),
                    _ => message(405, "Method not allowed"),
                }
            }
            _ => message(405, "Method not allowed"),
        }
    }


    /// DB-less (`database = off`): an entity write is validated as in DB mode, then refused
    /// with 405 and the full error object (kong/api/endpoints.lua `handle_error` passes
    /// OPERATION_UNSUPPORTED through whole). Wording from kong/db/strategies/off/init.lua:
    /// insert "create", update "update", upsert "create or update", delete "remove", and
    /// the `*_by_field` forms "... entities by '<endpoint key>' ..." when the path names the
    /// entity by its endpoint key (spec 02-integration/04-admin_api/15-off_spec.lua). The DAO
    /// looks the entity up first for PATCH (404 when missing) and DELETE (204 when missing:
    /// kong/db/dao/init.lua), so those answer as in DB mode.
    fn dbless_refusal(&self, method: &str, segs: &[&str], parsed: Option<&Map<String, Json>>) -> Option<Reply> {
        if !matches!(method, "POST" | "PUT" | "PATCH" | "DELETE") {
            return None;
        }
        // (kind, key addressing the entity, parent foreign key and the parent's segment/key)
        let (k, key, parent): (&'static Kind, Option<&str>, Option<Parent>) = match segs {
            [seg] => (kind(seg)?, None, None),
            [seg, key] => (kind(seg)?, Some(*key), None),
            [pseg, pkey, cseg] | [pseg, pkey, cseg, _] => {
                let ck = kind_of_nested(cseg)?;
                let (fk, _, _) = ck.foreign.iter().find(|(_, target, _)| target == pseg)?;
                (ck, segs.get(3).copied(), Some((*fk, *pseg, *pkey)))
            }
            _ => return None,
        };
        if matches!(k.seg, "consumer_group_consumers" | "targets") && parent.is_none() {
            return None;
        }
        let by = key.filter(|k| !is_uuid(k)).and(k.endpoint_key).map(|ek| format!(" by '{ek}'")).unwrap_or_default();
        let refuse = |verb: &str| {
            let message = format!("cannot {verb} '{}' entities{by} when not using a database", k.name);
            Some(reply(405, json!({"code": 12, "name": "operation unsupported", "message": message})))
        };
        let exists = key.is_some_and(|key| self.find(k.seg, key).is_some());
        let mut body = parsed.cloned().unwrap_or_default();
        if let Some((fk, pseg, pkey)) = parent {
            let pid = self.find(pseg, pkey).map(|i| id_of(&self.all(pseg)[i]).to_string())?;
            body.insert(fk.into(), json!({"id": pid}));
        }
        match (method, key) {
            ("POST", None) | ("PUT", Some(_)) => {
                let errors = self.schema_errors(k, &body, false);
                if !errors.is_empty() {
                    return Some(schema_violation(errors));
                }
                refuse(if method == "POST" { "create" } else { "create or update" })
            }
            ("PATCH", Some(_)) if exists => refuse("update"),
            ("DELETE", Some(_)) if exists => refuse("remove"),
            _ => None,
        }
    }

    pub fn handle(&mut self, method: &str, path: &str, query: &BTreeMap<String, String>, body: Option<&[u8]>) -> Reply {
        let p = profile::get();
        let enterprise = p.enterprise;
        let segs: Vec<&str> = path.trim_matches('/').split('/').filter(|s| !s.is_empty()).collect();
        let segs: &[&str] = if segs.first() == Some(&"default") { &segs[1..] } else { &segs };
        if let ["services", service, "degraphql", "routes", rest @ ..] = segs {
            let inner = format!("/services/{service}/degraphql_routes/{}", rest.join("/"));
            return self.handle(method, &inner, query, body);
        }
        // GraphQL rate-limiting cost decorations: go-kong
        // kong/graphql_rate_limiting_cost_decoration_service.go lists, patches and deletes at
        // /graphql-rate-limiting-advanced/costs, and creates, updates and deletes under
        // /services/{service}/graphql-rate-limiting-advanced/costs
        const COSTS: &str = "graphql_ratelimiting_advanced_cost_decoration";
        if let ["graphql-rate-limiting-advanced", "costs", rest @ ..] = segs {
            return self.handle(method, &format!("/{COSTS}/{}", rest.join("/")), query, body);
        }
        if let ["services", service, "graphql-rate-limiting-advanced", "costs", rest @ ..] = segs {
            return self.handle(method, &format!("/services/{service}/{COSTS}/{}", rest.join("/")), query, body);
        }
        if let ["rbac", "roles", rest @ ..] = segs {
            if !enterprise {
                return message(404, "Not found");
            }
            if let [role, "endpoints", ep @ ..] = rest {
                return self.rbac_endpoints(method, role, ep, query, body);
            }
            let inner = format!("/rbac_roles/{}", rest.join("/"));
            return self.handle(method, &inner, query, body);
        }
        match p.gate(segs) {
            Gate::Open => {}
            Gate::NotFound => return message(404, "Not found"),
            // kong/api/routes/filter_chains.lua (PR #11222): every filter-chain route, when
            // `wasm = off`, whatever the method
            Gate::WasmOff => return message(400, "this endpoint is only available when wasm is enabled"),
        }
        if let ["config"] = segs {
            return crate::declarative::config(self, method, query, body);
        }
        let parsed: Option<Map<String, Json>> = match body {
            Some(b) if !b.is_empty() => match serde_json::from_slice::<Json>(b) {
                Ok(Json::Object(m)) => Some(m),
                _ => return message(400, "Cannot parse JSON body"),
            },
            _ => None,
        };
        let writes = matches!(method, "POST" | "PUT" | "PATCH");
        if p.dbless {
            if let Some(r) = self.dbless_refusal(method, segs, parsed.as_ref()) {
                return r;
            }
        }
        let new_id = || uuid::Uuid::new_v4().to_string();
        match segs {
            [] | ["kong"] if method == "GET" => reply(200, p.root(self)),
            ["endpoints"] if method == "GET" => reply(200, p.endpoints()),
            // kong/api/routes/plugins.lua: the loaded plugins
            ["plugins", "enabled"] if method == "GET" => reply(200, json!({"enabled_plugins": p.loaded.iter().collect::<Vec<_>>()})),
            // kong/api/routes/health.lua: DB-less drops `database` and reports the hash of the
            // loaded configuration (DECLARATIVE_EMPTY_CONFIG_HASH, 32 zeros, until one is loaded)
            ["status"] if method == "GET" && p.dbless => reply(200, json!({"configuration_hash": self.config_hash.clone(), "server": {}, "memory": {}})),
            ["status"] if method == "GET" => reply(200, json!({"database": {"reachable": true}, "server": {}, "memory": {}})),
            ["schemas", "plugins", name] if method == "GET" && *name != "validate" => match self.plugin_schema(name) {
                Some(ps) if self.plugin_known(name) => reply(200, plugin_schema_answer(name, ps)),
                None if self.plugin_known(name) => {
                    let empty: gateway::schema::PluginSchema = serde_json::from_value(json!({
                        "scopes": ["consumer", "route", "service"],
                        "protocols": {"type": "set", "default": ["grpc", "grpcs", "http", "https"]},
                        "config": {"type": "record"}
                    }))
                    .expect("schema");
                    reply(200, plugin_schema_answer(name, &empty))
                }
                _ => message(404, &format!("No plugin named '{name}'")),
            },
            ["schemas", name] if method == "GET" => match KINDS.iter().find(|k| k.name == *name && p.gate_kind(k.seg) != Gate::NotFound) {
                Some(k) => reply(200, entity_schema_answer(k)),
                None => message(404, &format!("No entity named '{name}'")),
            },
            ["schemas", "rbac-endpointpermission", "validate"] if method == "POST" && enterprise => {
                let b = parsed.unwrap_or_default();
                let missing: Map<String, Json> = ["workspace", "endpoint"].iter().filter(|f| b.get(**f).is_none_or(Json::is_null)).map(|f| (f.to_string(), json!("required field missing"))).collect();
                if missing.is_empty() { reply(200, json!({"message": "schema validation successful"})) } else { schema_violation(missing) }
            }
            ["schemas", "rbac-role", "validate"] if method == "POST" && enterprise => {
                let k = kind("rbac_roles").expect("kind");
                self.write(k, &new_id(), parsed.unwrap_or_default(), None, true)
            }
            ["schemas", name, "validate"] if method == "POST" => match KINDS.iter().find(|k| k.name == *name && p.gate_kind(k.seg) != Gate::NotFound) {
                Some(k) => self.write(k, &new_id(), parsed.unwrap_or_default(), None, true),
                None => message(404, &format!("No entity named '{name}'")),
            },
            [seg] | [seg, _] if kind(seg).is_none() || matches!(*seg, "targets" | "consumer_group_consumers") => {
                message(404, "Not found")
            }
            [seg] => {
                let k = kind(seg).expect("checked");
                match method {
                    "GET" => {
                        self.list(self.all(k.seg).values().collect(), query, &format!("/{seg}"), Some(k))
                    }
                    "POST" => self.create(k, parsed.unwrap_or_default()),
                    _ => message(405, "Method not allowed"),
                }
            }
            [seg, key] => {
                let k = kind(seg).expect("checked");
                let at = self.find(k.seg, key);
                match method {
                    "GET" => match at {
                        Some(i) => reply(200, self.shown(k, &self.all(k.seg)[i])),
                        None => message(404, "Not found"),
                    },
                    "PUT" => {
                        let mut b = parsed.unwrap_or_default();
                        let id = match at {
                            Some(i) => id_of(&self.all(k.seg)[i]).to_string(),
                            None if is_uuid(key) => key.to_string(),
                            None => {
                                if let Some(ek) = k.endpoint_key {
                                    b.insert(ek.into(), json!(key));
                                }
                                new_id()
                            }
                        };
                        self.upsert(k, &id, b, at)
                    }
                    "PATCH" => match at {
                        Some(i) => {
                            let mut merged = self.all(k.seg)[i].as_object().cloned().unwrap_or_default();
                            for (f, v) in parsed.unwrap_or_default() {
                                merged.insert(f, v);
                            }
                            let id = id_of(&self.all(k.seg)[i]).to_string();
                            self.upsert(k, &id, merged, Some(i))
                        }
                        None => {
                            let (field, msg) = if is_uuid(key) { ("id", format!("could not find the entity with primary key '{{id=\"{key}\"}}'")) } else { (k.endpoint_key.unwrap_or("id"), format!("could not find the entity with '{{{}=\"{key}\"}}'", k.endpoint_key.unwrap_or("id"))) };
                            reply(404, json!({"code": 6, "name": "not found", "message": msg, "fields": {field: key}}))
                        }
                    },
                    "DELETE" => match at {
                        Some(i) => {
                            let id = id_of(&self.all(k.seg)[i]).to_string();
                            self.delete(k, &id)
                        }
                        None => Reply { status: 204, body: None, headers: Vec::new() },
                    },
                    _ => message(405, "Method not allowed"),
                }
            }
            ["consumer_groups", g, "consumers"] | ["consumer_groups", g, "consumers", _] if enterprise => {
                let Some(gi) = self.find("consumer_groups", g) else { return message(404, "Not found") };
                let gid = id_of(&self.all("consumer_groups")[gi]).to_string();
                let member_kind = kind("consumer_group_consumers").expect("kind");
                let members = |s: &Store| -> Vec<String> {
                    let all = s.all(member_kind.seg);
                    s.referencing(member_kind.seg, "consumer_group", &gid).into_iter().filter_map(|i| all[i]["consumer"]["id"].as_str().map(String::from)).collect()
                };
                match (method, segs) {
                    ("GET", [_, _, _]) => {
                        let ids = members(self);
                        let ids: HashSet<&str> = ids.iter().map(String::as_str).collect();
                        let consumers: Vec<&Json> = self.all("consumers").values().filter(|c| ids.contains(id_of(c))).collect();
                        self.list(consumers, query, &format!("/consumer_groups/{g}/consumers"), None)
                    }
                    ("POST", [_, _, _]) => {
                        let who = parsed.as_ref().and_then(|b| b.get("consumer")).and_then(Json::as_str).unwrap_or("").to_string();
                        let Some(ci) = self.find("consumers", &who) else { return message(404, "Not found") };
                        let cid = id_of(&self.all("consumers")[ci]).to_string();
                        if members(self).contains(&cid) {
                            return reply(409, json!({"message": format!("consumer '{cid}' already in group '{gid}'")}));
                        }
                        let mut b = Map::new();
                        b.insert("consumer_group".into(), json!({"id": gid}));
                        b.insert("consumer".into(), json!({"id": cid}));
                        let id = format!("{gid}:{cid}");
                        let r = self.upsert(member_kind, &id, b, None);
                        if r.status != 200 {
                            return r;
                        }
                        let consumer = self.all("consumers")[ci].clone();
                        reply(201, json!({"consumer_group": self.all("consumer_groups")[gi].clone(), "consumers": [consumer]}))
                    }
                    ("DELETE", [_, _, _, c]) => {
                        if let Some(ci) = self.find("consumers", c) {
                            let id = format!("{gid}:{}", id_of(&self.all("consumers")[ci]));
                            self.table_mut(member_kind).remove(&id);
                        }
                        Reply { status: 204, body: None, headers: Vec::new() }
                    }
                    _ => message(405, "Method not allowed"),
                }
            }
            [pseg, pkey, cseg] | [pseg, pkey, cseg, _] => {
                // kong/api/endpoints.lua: `/parent/{p}/child` for every foreign key of the child
                // to the parent (credentials under their admin_api_nested_name)
                let nested: Option<(&'static Kind, &str)> = kind_of_nested(cseg)
                    .filter(|k| !matches!(k.seg, "consumer_group_consumers" | "rbac_roles"))
                    .and_then(|k| k.foreign.iter().find(|(_, target, _)| target == pseg).map(|(f, _, _)| (k, *f)));
                let Some((ck, fk)) = nested else { return message(404, "Not found") };
                let Some(pi) = self.find(pseg, pkey) else { return message(404, "Not found") };
                let pid = id_of(&self.all(pseg)[pi]).to_string();
                // the parent's children, in list order
                let children = self.referencing(ck.seg, fk, &pid);
                if let [_, _, _, ckey] = segs {
                    let all = self.all(ck.seg);
                    let at = children.into_iter().find(|i| id_of(&all[*i]) == *ckey || (ck.seg == "targets" && all[*i].get("target").and_then(Json::as_str) == Some(ckey)));
                    return match (method, at) {
                        ("GET", Some(i)) => reply(200, self.all(ck.seg)[i].clone()),
                        ("PUT" | "PATCH", Some(i)) => {
                            let mut merged = if method == "PATCH" { self.all(ck.seg)[i].as_object().cloned().unwrap_or_default() } else { Map::new() };
                            for (f, v) in parsed.unwrap_or_default() {
                                merged.insert(f, v);
                            }
                            merged.insert(fk.into(), json!({"id": pid}));
                            let id = id_of(&self.all(ck.seg)[i]).to_string();
                            self.upsert(ck, &id, merged, Some(i))
                        }
                        ("DELETE", Some(i)) => {
                            let id = id_of(&self.all(ck.seg)[i]).to_string();
                            self.delete(ck, &id)
                        }
                        ("DELETE", None) => Reply { status: 204, body: None, headers: Vec::new() },
                        // kong/api/endpoints.lua `put_entity_endpoint` with a parent: an upsert,
                        // the child taking the parent as its foreign key
                        ("PUT", None) => {
                            let mut b = parsed.unwrap_or_default();
                            b.insert(fk.into(), json!({"id": pid}));
                            if is_uuid(ckey) {
                                // held under another parent: it moves to this one
                                let held = self.find(ck.seg, ckey);
                                return self.upsert(ck, ckey, b, held);
                            }
                            let id = {
                                match ck.endpoint_key {
                                    Some(ek) => {
                                        b.insert(ek.into(), json!(ckey));
                                        new_id()
                                    }
                                    None => return message(404, "Not found"),
                                }
                            };
                            self.upsert(ck, &id, b, None)
                        }
                        ("GET" | "PATCH", None) => message(404, "Not found"),
                        _ => message(405, "Method not allowed"),
                    };
                }
                match method {
                    "GET" => {
                        let all = self.all(ck.seg);
                        let items: Vec<&Json> = children.into_iter().map(|i| &all[i]).collect();
                        self.list(items, query, &format!("/{pseg}/{pkey}/{cseg}"), None)
                    }
                    "POST" => {
                        let mut b = parsed.unwrap_or_default();
                        b.insert(fk.into(), json!({"id": pid}));
                        self.create(ck, b)
                    }
                    _ => message(405, "Method not allowed"),
                }
            }
            _ if writes => message(405, "Method not allowed"),
            _ => message(404, "Not found"),
        }
    }
}
