#!/usr/bin/env python3
"""Generate schemas/plugin-rules.json: what Kong's OSS plugin Lua schemas say that the 3.15
JSON schemas lose: exclusive bounds (`gt`), `required = true` on fields that have a default
(an explicit null on them is "required field missing"), fields (or array elements) typed by a
validated typedef (ip, ip_or_cidr, cidr, header_name, url: kong/db/schema/typedefs.lua), the declared order of `one_of` values (Kong lists
them in that order in "expected one of: ..."), and whole-entity checks over `config.*` fields
(at_least_one_of, only_one_of, mutually_required, mutually_exclusive, distinct, conditional
with `eq` / `required`).

Input: kong/plugins/*/schema.lua of a Kong checkout (default: the mirror's HEAD, read with git).
The Lua is scanned, not run: only field definitions without nested tables before the key
(`{ name = { type = "number", gt = 0 } }`) and entity checks written as literal strings are
taken; everything else is left to hand-written checks (src/validate/plugins.rs). The output
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
LIST_CHECK = re.compile(r'\{\s*(at_least_one_of|only_one_of|mutually_required|mutually_exclusive|distinct)\s*=\s*' + STR_LIST)
VALUE = r'(true|false|-?[\d.]+|"[^"]*")'
CONDITIONAL = re.compile(
    r'conditional\s*=\s*\{\s*if_field\s*=\s*"([\w.]+)"\s*,\s*if_match\s*=\s*\{\s*eq\s*=\s*' + VALUE +
    r'\s*,?\s*\}\s*,\s*then_field\s*=\s*"([\w.]+)"\s*,\s*then_match\s*=\s*\{\s*required\s*=\s*true\s*,?\s*\}')


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


def generate(repo):
    commit = git(repo, "rev-parse", "HEAD").strip()
    files = [f for f in git(repo, "ls-tree", "-r", "--name-only", "HEAD", "kong/plugins/").split()
             if re.fullmatch(r"kong/plugins/[^/]+/schema\.lua", f)]
    plugins = {}
    for f in sorted(files):
        name = f.split("/")[2]
        text = strip_comments(git(repo, "show", f"HEAD:{f}"))
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
        checks = []
        for m in LIST_CHECK.finditer(text):
            fields = strings(m.group(2))
            if all(x.startswith("config.") for x in fields):
                checks.append({m.group(1): fields})
        for m in CONDITIONAL.finditer(text):
            if m.group(1).startswith("config.") and m.group(3).startswith("config."):
                checks.append({"conditional": {"if_field": m.group(1), "if_eq": lua_value(m.group(2)),
                                               "then_field": m.group(3), "then_required": True}})
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
