#!/usr/bin/env python3
"""Builds the compact Kubernetes schemas that `palisade-schema` embeds.

Source: the PyPI package kubernetes-validate (pinned below), which ships, for
each Kubernetes minor version v1.25 to v1.37, the JSON-Schema conversion of the
Kubernetes API server's published OpenAPI (`api/openapi-spec/swagger.json` of
kubernetes/kubernetes at tag vX.Y.0, converted by openapi2jsonschema) in
`kubernetes-json-schema/vX.Y.0-local/_definitions.json`. The conversion only
adds `null` to every type (JSON Schema has no `nullable`) and moves
`definitions` to `$defs`; this script undoes the first and keeps, per
definition, only what validation reads:

  t  type: object, array, string, integer, number, boolean, plus three that
     Kubernetes' Go types decode specially: int-or-string (IntOrString),
     quantity (resource.Quantity) and any (RawExtension, apiextensions JSON,
     FieldsV1: any JSON value is accepted)
  p  properties (name -> schema), q required, a additionalProperties,
  i  items, f format (int32, int64, double, byte, date-time), e enum,
  r  a reference to another definition, by name.

Only definitions reachable from a kind (a definition with
x-kubernetes-group-version-kind) are kept; descriptions are dropped. Each
version is written as crates/palisade-schema/schemas/k8s-vX.Y.json.gz (deflate,
level 9), and the versions list to schemas/VERSIONS.

Usage: scripts/make-k8s-schema.py [--wheel PATH]
(without --wheel it runs `pip download --no-deps kubernetes-validate==PIN`).
"""
import argparse
import gzip
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PIN = "1.37.0"
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "crates" / "palisade-schema" / "schemas"
PREFIX = "#/$defs/"
ANY = {"io.k8s.apimachinery.pkg.runtime.RawExtension",
       "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1"}


def compact(schema, name=None):
    """The compact form of one schema (a definition or a property)."""
    if "$ref" in schema:
        ref = schema["$ref"]
        assert ref.startswith(PREFIX) or "#/$defs/" in ref, ref
        return {"r": ref.split("#/$defs/", 1)[1]}
    if name is not None:
        if name.endswith("resource.Quantity"):
            return {"t": "quantity"}
        if name.endswith("intstr.IntOrString"):
            return {"t": "int-or-string"}
        if name in ANY:
            return {"t": "any"}
    types = schema.get("type")
    if isinstance(types, list):
        types = [t for t in types if t != "null"]
        assert len(types) == 1, (name, schema)
        types = types[0]
    if types is None:
        if "properties" in schema:
            types = "object"
        else:
            # apiextensions' JSON and JSONSchemaPropsOr*: any JSON value.
            return {"t": "any"}
    out = {"t": types}
    if "properties" in schema:
        out["p"] = {k: compact(v) for k, v in sorted(schema["properties"].items())}
    if schema.get("required"):
        out["q"] = schema["required"]
    additional = schema.get("additionalProperties")
    if isinstance(additional, dict):
        out["a"] = compact(additional)
    if "items" in schema:
        out["i"] = compact(schema["items"])
    if "format" in schema:
        out["f"] = schema["format"]
    if "enum" in schema:
        out["e"] = schema["enum"]
    if types == "object" and "p" not in out and "a" not in out:
        # A Go struct with no fields in this version (or an untyped object):
        # any member is unknown only if it has fields, so accept any object.
        out["a"] = {"t": "any"}
    return out


def refs(schema, found):
    if isinstance(schema, dict):
        if "r" in schema:
            found.add(schema["r"])
        for value in schema.values():
            refs(value, found)
    elif isinstance(schema, list):
        for value in schema:
            refs(value, found)


def convert(defs, version):
    kinds = []
    for name, schema in sorted(defs.items()):
        for gvk in schema.get("x-kubernetes-group-version-kind", []):
            group, ver, kind = gvk["group"], gvk["version"], gvk["kind"]
            # Meta types (DeleteOptions, WatchEvent) list every group version:
            # only a definition named for its kind is that kind's schema.
            if not name.endswith("." + kind):
                continue
            api_version = f"{group}/{ver}" if group else ver
            kinds.append([api_version, kind, name])
    keep, todo = set(), [name for _, _, name in kinds]
    compacted = {}
    while todo:
        name = todo.pop()
        if name in keep:
            continue
        keep.add(name)
        compacted[name] = compact(defs[name], name)
        found = set()
        refs(compacted[name], found)
        todo.extend(found - keep)
    return {
        "version": version,
        "source": f"kubernetes-validate {PIN} (PyPI): kubernetes-json-schema/"
                  f"v{version}.0-local/_definitions.json, converted from the "
                  f"Kubernetes v{version}.0 OpenAPI (swagger.json)",
        "kinds": kinds,
        "defs": dict(sorted(compacted.items())),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path)
    args = parser.parse_args()
    wheel = args.wheel
    if wheel is None:
        tmp = Path(tempfile.mkdtemp())
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-d",
                        str(tmp), f"kubernetes-validate=={PIN}"], check=True)
        wheel = next(tmp.glob("*.whl"))
    OUT.mkdir(parents=True, exist_ok=True)
    versions = []
    with zipfile.ZipFile(wheel) as z:
        for entry in sorted(z.namelist()):
            parts = entry.split("/")
            if len(parts) != 4 or parts[3] != "_definitions.json":
                continue
            folder = parts[2]
            if not folder.endswith("-local"):
                continue
            version = folder[1:].removesuffix(".0-local")
            defs = json.loads(z.read(entry))["$defs"]
            doc = convert(defs, version)
            data = json.dumps(doc, separators=(",", ":"), sort_keys=False).encode()
            target = OUT / f"k8s-v{version}.json.gz"
            # mtime=0 keeps the output byte-identical across runs.
            target.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
            versions.append(version)
            print(f"v{version}: {len(doc['kinds'])} kinds, {len(doc['defs'])} "
                  f"definitions, {len(data)} bytes, {target.stat().st_size} compressed")
    versions.sort(key=lambda v: tuple(int(x) for x in v.split(".")))
    (OUT / "VERSIONS").write_text("".join(f"{v}\n" for v in versions))


if __name__ == "__main__":
    main()
