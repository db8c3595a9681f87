#!/usr/bin/env python3
"""Generate schemas/plugins-3.15.json, the compact plugin schemas `gateway` bundles.

Input: the Kong 3.15 plugin JSON schemas from the docs repository (../shared/corpus/kong-schemas/3.15).
Output: one JSON document {"kong_version", "source", "plugins": {slug: {scopes, protocols, config}}}
in the compact form read by src/schema/ (see src/schema/mod.rs for the keys).

Usage:
  scripts/gen_plugin_schemas.py [--src DIR] [--out FILE]   write the file
  scripts/gen_plugin_schemas.py --check                     exit 1 if the checked-in file is stale
"""
import argparse
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SRC = os.path.join(HERE, "..", "..", "shared", "corpus", "kong-schemas", "3.15")
DEFAULT_OUT = os.path.join(HERE, "..", "schemas", "plugins-3.15.json")
SOURCE = "Kong/developer.konghq.com@bc1cd74260f0bddb06dcf004c9c34b53bb870c1a app/_schemas/gateway/plugins/3.15"

# File names whose slug is not the plain capital-split (the docs map slug -> file case-insensitively).
SLUG_OVERRIDES = {"ACL": "acl"}
# Byte-identical duplicates (collide case-insensitively with another file).
SKIP = {"AiA2AProxy"}


def slug_of(stem):
    if stem in SLUG_OVERRIDES:
        return SLUG_OVERRIDES[stem]
    return re.sub(r"(?<!^)([A-Z])", r"-\1", stem).lower()


def compact(s):
    """Compact one JSON-schema-like node into the project's form."""
    out = {}
    t = s.get("type")
    if "oneOf" in s:
        out["type"] = "one_of"
        out["one_of"] = [compact(x) for x in s["oneOf"]]
        return out
    if t == "object":
        props = s.get("properties")
        extra = s.get("additionalProperties")
        if props is not None:
            out["type"] = "record"
            req = set(s.get("required", []))
            fields = {}
            for name, sub in props.items():
                c = compact(sub)
                if name in req or sub.get("x-lua-required"):
                    c["required"] = True
                fields[name] = c
            out["fields"] = fields
            if extra not in (None, False):
                out["open"] = True
        elif isinstance(extra, dict):
            out["type"] = "map"
            out["values"] = compact(extra)
            if extra.get("x-lua-required"):
                out["values"]["required"] = True
        else:
            out["type"] = "map"
    elif t == "array":
        out["type"] = "array"
        if isinstance(s.get("items"), dict):
            out["items"] = compact(s["items"])
        if "minLength" in s:
            out["len_min"] = s["minLength"]
        if "maxLength" in s:
            out["len_max"] = s["maxLength"]
    elif t in ("string", "integer", "number", "boolean"):
        out["type"] = t
        if "minLength" in s:
            out["len_min"] = s["minLength"]
        if "maxLength" in s:
            out["len_max"] = s["maxLength"]
        if "minimum" in s:
            out["min"] = s["minimum"]
        if "maximum" in s:
            out["max"] = s["maximum"]
    else:
        out["type"] = "any"
    if "enum" in s:
        out["enum"] = s["enum"]
    if "default" in s:
        out["default"] = s["default"]
    if s.get("x-referenceable"):
        out["referenceable"] = True
    if s.get("x-encrypted"):
        out["encrypted"] = True
    if s.get("nullable"):
        out["nullable"] = True
    return out


def generate(src):
    plugins = {}
    for fname in sorted(os.listdir(src)):
        if not fname.endswith(".json"):
            continue
        stem = fname[:-5]
        if stem in SKIP:
            continue
        with open(os.path.join(src, fname), encoding="utf-8") as f:
            doc = json.load(f)
        props = doc["properties"]
        entry = {
            "scopes": [k for k in ("consumer", "consumer_group", "route", "service") if k in props],
            "protocols": compact(props["protocols"]),
            "config": compact(props["config"]),
        }
        plugins[slug_of(stem)] = entry
    return {"kong_version": "3.15", "source": SOURCE, "plugins": plugins}


def render(doc):
    return json.dumps(doc, sort_keys=False, separators=(",", ":")) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", default=DEFAULT_SRC)
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    text = render(generate(a.src))
    if a.check:
        with open(a.out, encoding="utf-8") as f:
            if f.read() != text:
                print(f"{a.out} is stale: run scripts/gen_plugin_schemas.py", file=sys.stderr)
                return 1
        print(f"{a.out} is up to date")
        return 0
    with open(a.out, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {a.out} ({len(doc_plugins(text))} plugins)")
    return 0


def doc_plugins(text):
    return json.loads(text)["plugins"]


if __name__ == "__main__":
    sys.exit(main())
