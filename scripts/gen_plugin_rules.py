#!/usr/bin/env python3
"""Generate schemas/plugin-rules.json: what Kong's OSS plugin Lua schemas say that the 3.15
JSON schemas lose: exclusive bounds (`gt`), `required = true` on fields that have a default
(an explicit null on them is "required field missing"), fields (or array elements) typed by a
validated typedef (ip, ip_or_cidr, cidr, header_name, url: kong/db/schema/typedefs.lua), the declared order of `one_of` values (Kong lists
them in that order in "expected one of: ..."), and whole-entity checks over `config.*` fields
(at_least_one_of, only_one_of, mutually_required, mutually_exclusive, distinct, conditional
with `eq` / `required`); by path under config: Kong's pattern and length validators (match,
not_match, match_all, match_any, match_none, len_eq; Lua patterns), the entity checks records
declare for themselves, and the names of the plugins' own custom validators.

Input: kong/plugins/*/schema.lua of a Kong checkout (default: the mirror's HEAD, read with git).
The Lua is not run. The name-keyed facts come from a textual scan: only field definitions
without nested tables before the key (`{ name = { type = "number", gt = 0 } }`) and entity
checks written as literal strings are taken. The path-keyed facts come from reading the file's
tables with scripts/lua_read.py, which follows locals, `require`d modules (typedefs, a plugin's
constants) and typedef calls. Functions are left to hand-written checks
(src/validate/plugins.rs); the comment above `Walk` lists which are restated and which not. The output
restates facts as data, one entry per plugin citing its file; no Lua is copied.

Usage:
  scripts/gen_plugin_rules.py [--repo DIR] [--out FILE]
  scripts/gen_plugin_rules.py --check      exit 1 if the checked-in file is stale
"""
import argparse
import json
import os
import re
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ next to the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lua_read import Module, Table, Opaque, Ref, Call, _Bound  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_REPO = os.environ.get("KONG_REPO", "")
DEFAULT_OUT = os.path.join(HERE, "..", "schemas", "plugin-rules.json")

STR_LIST = r'\{\s*((?:"[^"]*"\s*,?\s*)+)\}'
FIELD_GT = re.compile(r'\{\s*(\w+)\s*=\s*\{[^{}]*?\bgt\s*=\s*(-?[\d.]+)')
FIELD_REQUIRED = re.compile(r'\{\s*(\w+)\s*=\s*\{[^{}]*?\brequired\s*=\s*true')
FIELD_TYPEDEF = re.compile(r'\{\s*(\w+)\s*=\s*typedefs\.(\w+)')
ELEMENTS_TYPEDEF = re.compile(r'\{\s*(\w+)\s*=\s*\{[^{}]*?\belements\s*=\s*typedefs\.(\w+)')
VALIDATED_TYPEDEFS = {"ip", "ip_or_cidr", "cidr", "cidr_v4", "header_name", "url"}
FIELD_ONE_OF = re.compile(r'\b(\w+)\s*=\s*\{[^{}]*?\bone_of\s*=\s*' + STR_LIST)


def strings(s):
    return re.findall(r'"([^"]*)"', s)


def lua_value(v):
    if v in ("true", "false"):
        return v == "true"
    if v.startswith('"'):
        return v[1:-1]
    return float(v) if "." in v else int(v)


def strip_comments(text):
    return re.sub(r'--(?!\[\[)[^\n]*', '', text)


def git(repo, *args):
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True, text=True).stdout


# Field validators Kong runs on a value, in its order (kong/db/schema/init.lua validators_order).
FIELD_CHECKS = ("len_eq", "not_match", "match_none", "match", "match_all", "match_any")
LIST_CHECKERS = ("at_least_one_of", "only_one_of", "mutually_required", "mutually_exclusive", "distinct")

# Custom validators (functions) found in the schemas are listed in each plugin's
# "custom_validators" ({path: function name}); src/validate/plugins.rs restates these:
#   rate-limiting config (validate_periods_order), response-ratelimiting config.limits.*
#   (validate_periods_order), request-termination config, oauth2 config (validate_flows),
#   cors config.origins.[] (validate_asterisk_or_regex), http-log config (Authorization header
#   with userinfo).
# and skips these, each for the reason given:
#   opentelemetry config.resource_attributes (custom_validator): its map values are typed
#     string with Kong's default len_min 1, which fail first; nothing is left for it to refuse;
#   acme config.storage_config.shm.shm_name / prometheus config (validate_shared_dict): need the
#     node's nginx shared dicts (ngx.shared), not in the file;
#   acme config.storage_config.kong / namespace (validate_namespace): a prefix-collision check
#     against the node's storage, runtime state;
#   request-transformer / response-transformer header and template validators
#     (validate_headers, validate_colon_headers, check_for_value): need pl.template compilation
#     and are left to the gateway;
#   zipkin config.static_tags (validate_static_tags): not restated yet;
#   custom_entity_check: aws-lambda's (proxy_url scheme) is restated in
#     src/validate/plugins.rs and acme's (storage kong when DB-less, shm on a control plane)
#     in src/capabilities.rs, where the gateway's mode is known; proxy-cache's needs the
#     node's shared dicts (ngx.shared), not in the file.


class Walk:
    """What the reader finds under a plugin's `config`: field validators by path (`.[]` an
    array's elements, `.*` a map's values, `.<keys>` its keys), records' own entity checks,
    custom validator names, and what could not be read."""

    def __init__(self, plugin):
        self.plugin = plugin
        self.entity = []
        self.field_checks, self.record_checks, self.custom, self.skipped = [], [], {}, []

    def literal(self, v, mod):
        v, mod = mod.resolve(v)
        if isinstance(v, Table):
            if v.keys and not v.items:
                return {k: self.literal(x, mod) for k, x in v.keys.items()}
            return [self.literal(x, mod) for x in v.items]
        if isinstance(v, (Opaque, Ref, Call, Module)):
            raise ValueError("not a literal")
        return v

    def node(self, v, mod, path):
        v, mod = mod.resolve(v)
        if not isinstance(v, Table):
            return
        at = ".".join(path)
        checks = {}
        for k in FIELD_CHECKS:
            if k in v.keys:
                try:
                    checks[k] = self.literal(v.keys[k], mod)
                except ValueError:
                    self.skipped.append(f"{at}: {k} is not a literal")
        if checks:
            if "err" in v.keys:
                checks["err"] = self.literal(v.keys["err"], mod)
            self.field_checks.append({"path": at, **checks})
        fn = v.keys.get("custom_validator")
        if fn is not None and mod is self.plugin and not isinstance(fn, _Bound):
            # the plugin's own; a typedef's (validate_host, validate_url, ...) are Kong's
            # shared validators, restated where they matter as "validators" above
            self.custom[at] = ".".join(fn.path) if isinstance(fn, Ref) else "(inline function)"
        if "fields" in v.keys:
            fields, fmod = mod.resolve(v.keys["fields"])
            for item in fields.items if isinstance(fields, Table) else []:
                item, imod = fmod.resolve(item)
                if isinstance(item, Table):
                    for name, d in item.keys.items():
                        self.node(d, imod, path + [name])
        if "entity_checks" in v.keys:
            checks = self.entity_checks(v.keys["entity_checks"], mod, at)
            if checks:
                self.record_checks.append({"record": at, "checks": checks})
        for key, seg in (("elements", "[]"), ("values", "*"), ("keys", "<keys>")):
            if key in v.keys:
                self.node(v.keys[key], mod, path + [seg])


    def entity_checks(self, value, mod, at):
        ec, emod = mod.resolve(value)
        checks = []
        for c in ec.items if isinstance(ec, Table) else []:
            c, cmod = emod.resolve(c)
            for name, arg in (c.keys.items() if isinstance(c, Table) else []):
                try:
                    checks.append(entity_check(name, self.literal(arg, cmod)))
                except ValueError:
                    self.skipped.append(f"{at or 'entity'}: {name} (a function, or validators not restated)")
        return checks


def entity_check(name, arg):
    """An entity check as data; ValueError for one not restated (custom_entity_check, or a
    conditional using validators src/validate/plugins.rs does not run)."""
    if name in LIST_CHECKERS and isinstance(arg, list) and all(isinstance(x, str) for x in arg):
        return {name: arg}
    if name == "conditional":
        if_match, then_match = arg.get("if_match", {}), arg.get("then_match", {})
        if set(if_match) <= {"eq", "one_of", "not_one_of", "gt"} and set(then_match) <= {"required", "eq", "contains"} \
                and if_match and then_match:
            return {name: arg}
    if name in ("conditional_at_least_one_of", "mutually_exclusive_sets"):
        return {name: arg}
    raise ValueError(name)


def walk_config(repo, commit, text):
    cache = {}

    def load(modname):
        if modname not in cache:
            base = modname.replace(".", "/")
            src = None
            for p in (base + ".lua", base + "/init.lua"):
                try:
                    src = git(repo, "show", f"{commit}:{p}")
                    break
                except subprocess.CalledProcessError:
                    continue
            cache[modname] = Module(src, load) if src is not None else None
        return cache[modname]

    mod = Module(text, load)
    w = Walk(mod)
    root, rmod = mod.resolve(mod.returned)
    fields, fmod = rmod.resolve(root.keys.get("fields")) if isinstance(root, Table) else (None, rmod)
    for item in fields.items if isinstance(fields, Table) else []:
        item, imod = fmod.resolve(item)
        if isinstance(item, Table) and "config" in item.keys:
            w.node(item.keys["config"], imod, ["config"])
    if isinstance(root, Table) and "entity_checks" in root.keys:
        for c in w.entity_checks(root.keys["entity_checks"], rmod, ""):
            fields = [f for v in c.values() for f in (v if isinstance(v, list) else
                      [v.get("if_field"), v.get("then_field")] + v.get("then_at_least_one_of", []) + v.get("set1", []) + v.get("set2", []))]
            if all(isinstance(f, str) and f.startswith("config.") for f in fields if f is not None):
                w.entity.append(c)
    return w


def generate(repo):
    commit = git(repo, "rev-parse", "HEAD").strip()
    files = [f for f in git(repo, "ls-tree", "-r", "--name-only", "HEAD", "kong/plugins/").split()
             if re.fullmatch(r"kong/plugins/[^/]+/schema\.lua", f)]
    plugins = {}
    for f in sorted(files):
        name = f.split("/")[2]
        raw = git(repo, "show", f"HEAD:{f}")
        w = walk_config(repo, commit, raw)
        text = strip_comments(raw)
        entry = {"source": f"Kong/kong@{commit[:12]} {f}"}
        gt = {}
        for m in FIELD_GT.finditer(text):
            gt.setdefault(m.group(1), lua_value(m.group(2)))
        required = sorted({m.group(1) for m in FIELD_REQUIRED.finditer(text)} - {"config", "elements", "values"})
        validators = {}
        for m in FIELD_TYPEDEF.finditer(text):
            if m.group(2) in VALIDATED_TYPEDEFS:
                validators.setdefault(m.group(1), m.group(2))
        for m in ELEMENTS_TYPEDEF.finditer(text):
            if m.group(2) in VALIDATED_TYPEDEFS:
                validators.setdefault(m.group(1), m.group(2))
        one_of = {}
        for m in FIELD_ONE_OF.finditer(text):
            # a name may be declared more than once (rate-limiting's policy differs in DB-less
            # mode): keep every distinct list; the one with the JSON's set of values applies
            lists = one_of.setdefault(m.group(1), [])
            if strings(m.group(2)) not in lists:
                lists.append(strings(m.group(2)))
        checks = w.entity
        if gt:
            entry["gt"] = gt
        if validators:
            entry["validators"] = validators
        if required:
            entry["required"] = required
        if one_of:
            entry["one_of"] = one_of
        if checks:
            entry["entity_checks"] = checks
        if w.field_checks:
            entry["field_checks"] = w.field_checks
        if w.record_checks:
            entry["record_checks"] = w.record_checks
        if w.custom:
            entry["custom_validators"] = w.custom
        if w.skipped:
            entry["not_restated"] = w.skipped
        if len(entry) > 1:
            plugins[name] = entry
    return {"_comment": __doc__.strip().split("\n\n")[0], "kong_commit": commit, "plugins": plugins}


def render(doc):
    return json.dumps(doc, indent=1) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", default=DEFAULT_REPO, required=not DEFAULT_REPO, help="a Kong source checkout (or git dir); default $KONG_REPO")
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    text = render(generate(a.repo))
    if a.check:
        with open(a.out, encoding="utf-8") as f:
            if f.read() != text:
                print(f"{a.out} is stale: run scripts/gen_plugin_rules.py", file=sys.stderr)
                return 1
        print(f"{a.out} is up to date")
        return 0
    with open(a.out, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {a.out} ({len(json.loads(text)['plugins'])} plugins)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
