#!/usr/bin/env python3
"""Mutates YAML seeds and compares Palisade's reading with kubectl's.

kubectl is the judge: for each mutated file, `kubectl label --local -f F
palisade-golden=x -o json` (no cluster needed) and `palisade inventory -f F -o
json` must both refuse the file or yield the same objects. Every disagreement is
written to the output folder (the input plus both readings) and counted; a
disagreement is a reader bug, often a way to hide an object from the scanner.

The mutations insert, replace and delete the token classes where YAML readers
part ways (fuzz/dict/yaml.dict) at random places in the seeds.

Usage:
  cargo build -p palisade-cli
  scripts/kubectl-differential.py [--cases 2000] [--seed 1] [--out /tmp/kdiff]
Exit status: 0 when every case agreed, 1 otherwise.
"""
import argparse
import json
import random
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKENS = [
    "\u0085", "\u2028", "\u2029", "\ufeff", "\r\n", "\r", "\t", "\n", " ", "  ",
    "?", "? ", ":", ": ", ",", "{", "}", "[", "]", "- ", "-", "---", "...", "... x",
    "|", ">", "|#c", ">-#c", "|2", "#", " #", "&a ", "*a", "*a:", "&a.b ", "<<: ",
    "!!str ", "!!int ", "!!bool ", "!x ", "! ", "!<tag:yaml.org,2002:bool> ",
    "!<tag:yaml.org,2002:merge> ", "%YAML 1.1", '"', "'", "\\/", "\\u00e9", "\\x41",
    "~", "yes", "on", "0755", "privileged: true", "~: 1",
]


TYPED = "refused by kubectl's typed decoding"


def as_numbers_are_read(value):
    """kubectl prints a float64 beyond int64 as a long integer literal (its
    decoder reads it back as a float); compare such numbers as floats."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and not -2**63 <= value < 2**63:
        return float(value)
    if isinstance(value, list):
        return [as_numbers_are_read(v) for v in value]
    if isinstance(value, dict):
        return {k: as_numbers_are_read(v) for k, v in value.items()}
    return value


def kubectl_reading(path):
    run = subprocess.run(
        ["kubectl", "label", "--local", "-f", str(path), "palisade-golden=x", "-o", "json"],
        capture_output=True, text=True, timeout=30,
    )
    if run.returncode:
        # kubectl also decodes apiVersion, kind and metadata into Go types; a
        # wrong type there (`metadata: n`, read as false) is schema validation,
        # not YAML reading, and is counted apart.
        return TYPED if "json: cannot unmarshal" in run.stderr else None
    objects, decoder, text, at = [], json.JSONDecoder(), run.stdout.strip(), 0
    while at < len(text):
        value, at = decoder.raw_decode(text, at)
        while at < len(text) and text[at].isspace():
            at += 1
        objects.extend(value["items"] if value.get("kind") == "List" and "items" in value else [value])
    for obj in objects:
        # Take back the label kubectl was asked to add.
        meta = obj.get("metadata") if isinstance(obj, dict) else None
        labels = meta.get("labels") if isinstance(meta, dict) else None
        if isinstance(labels, dict):
            labels.pop("palisade-golden", None)
            if not labels:
                meta.pop("labels")
            if not meta:
                obj.pop("metadata")
    return as_numbers_are_read(objects)


def as_kubectl_label_prints(obj):
    """`kubectl label` rewrites metadata.labels: when they are not all strings it
    cannot read them and replaces them with the new label alone. Do the same to
    our reading before comparing (the judge's artifact, not a reader's)."""
    meta = obj.get("metadata") if isinstance(obj, dict) else None
    if isinstance(meta, dict) and "labels" in meta:
        labels = meta["labels"]
        if not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values()):
            del meta["labels"]
        elif not labels:
            del meta["labels"]
    # The label it adds makes an empty metadata non-empty, and taking the label
    # back leaves none.
    if isinstance(meta, dict) and not meta:
        del obj["metadata"]
    return obj


UNDECIDABLE = "refused: kubectl's own reading is not determined by the file (documented)"


def palisade_reading(binary, path):
    run = subprocess.run([binary, "inventory", "-f", str(path), "-o", "json"],
                         capture_output=True, text=True, timeout=30)
    if run.returncode:
        # The documented refusals where kubectl's reading depends on go-yaml's
        # read buffer or on Go's random map order (README, "Known deviations").
        if "depends on its read buffer" in run.stderr or "random map order" in run.stderr:
            return UNDECIDABLE
        return None
    value = json.loads(run.stdout)
    items = value["items"] if value.get("kind") == "List" and "items" in value else [value]
    return as_numbers_are_read([as_kubectl_label_prints(item) for item in items])


def mutate(rng, text):
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(text) + 1)
        choice = rng.random()
        if choice < 0.6:
            text = text[:at] + rng.choice(TOKENS) + text[at:]
        elif choice < 0.85:
            end = min(len(text), at + rng.randint(1, 3))
            text = text[:at] + rng.choice(TOKENS) + text[end:]
        else:
            text = text[:at] + text[at + 1:]
    return text


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default="/tmp/kubectl-differential")
    parser.add_argument("--palisade", default=str(ROOT / "target/debug/palisade"))
    parser.add_argument("--seeds", default=str(ROOT / "crates/palisade-load/tests/golden"))
    args = parser.parse_args()
    seeds = []
    for seed in sorted(Path(args.seeds).rglob("*.yaml")):
        try:
            seeds.append(seed.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            continue  # the encoding seeds (UTF-16, invalid UTF-8) are not text to mutate
    seeds = [s for s in seeds if s.strip()]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    inputs = [mutate(rng, rng.choice(seeds)) for _ in range(args.cases)]

    def check(numbered):
        n, text = numbered
        path = out / f"case{n}.yaml"
        path.write_bytes(text.encode("utf-8"))
        theirs, ours = kubectl_reading(path), palisade_reading(args.palisade, path)
        if theirs == ours:
            path.unlink()
            return None
        if theirs == TYPED:
            path.unlink()
            return "typed"
        if ours == UNDECIDABLE:
            path.unlink()
            return "bom"
        (out / f"case{n}.kubectl.json").write_text(json.dumps(theirs, indent=1))
        (out / f"case{n}.palisade.json").write_text(json.dumps(ours, indent=1))
        return n

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(check, enumerate(inputs)))
    typed, bom = results.count("typed"), results.count("bom")
    disagreements = [n for n in results if n not in (None, "typed", "bom")]
    print(f"{len(inputs)} cases: {len(inputs) - len(disagreements) - typed - bom} agree, "
          f"{typed} refused by kubectl's typed decoding of apiVersion, kind or metadata (schema, not YAML; not compared), "
          f"{bom} refused by Palisade as documented (kubectl's reading depends on its read buffer or on Go's map order), "
          f"{len(disagreements)} disagree" + (f" (see {out})" if disagreements else ""))
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
