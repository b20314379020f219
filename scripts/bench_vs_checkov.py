#!/usr/bin/env python3
"""Palisade against Checkov on the same manifests, side by side in one run.

Usage:
    python3 scripts/bench_vs_checkov.py [--corpus DIR] [--scale N] [--runs N]
                                        [--checkov PATH] [--palisade PATH]
                                        [--checkov-scale N]

It copies the corpus (default: ../shared/corpus) into a scratch directory,
makes N copies of it for the scaled input (each copy in its own folder, files
byte-identical), then times whole processes, best of --runs:

  * `palisade scan DIR --no-render -o json --fail-on never` (the release binary; built with
    `cargo build --release -p palisade-cli` when missing), with the default
    analyzers, on 1x and on Nx;
  * `checkov -d DIR --framework kubernetes -o json --quiet --skip-download`
    (BC_SKIP_MAPPING=TRUE, so it never calls the Prisma Cloud API) on 1x, and
    on Nx only with --checkov-scale N (Checkov ran out of 24 GB at 10x on the
    machine this was written on; see ../shared/research/scanners.md section 7.2).

Memory is the peak resident set of the whole process tree (Checkov forks
workers), sampled every 50 ms from /proc. It prints one line per run and the
time and memory ratios. Install Checkov with
`python3 -m venv /tmp/checkov-venv && /tmp/checkov-venv/bin/pip install checkov`.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def tree_rss_kib(root_pid):
    """The summed VmRSS of a process and all its descendants, in KiB."""
    pids, i = [root_pid], 0
    while i < len(pids):
        try:
            for task in os.listdir(f"/proc/{pids[i]}/task"):
                with open(f"/proc/{pids[i]}/task/{task}/children") as f:
                    pids += [int(p) for p in f.read().split()]
        except OSError:
            pass
        i += 1
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def run(cmd, env=None):
    """Wall seconds, peak RSS in MiB, exit code and stdout size of one run.

    The peak is the larger of the sampled whole-tree RSS and the process's own
    maximum from wait4 (a run shorter than one sample still has the latter)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        peak, status, usage = 0, None, None
        while status is None:
            pid, wait_status, rusage = os.wait4(proc.pid, os.WNOHANG)
            if pid == proc.pid:
                status, usage = os.waitstatus_to_exitcode(wait_status), rusage
                break
            peak = max(peak, tree_rss_kib(proc.pid))
            time.sleep(0.02)
        wall = time.monotonic() - start
        err.seek(0)
        stderr = err.read().decode(errors="replace")
        out.seek(0, os.SEEK_END)
        size = out.tell()
    peak = max(peak, usage.ru_maxrss)
    return wall, peak / 1024, status, size, stderr


def best_of(runs, cmd, env=None):
    results = [run(cmd, env) for _ in range(runs)]
    for wall, mem, rc, size, stderr in results:
        if rc not in (0, 1):
            sys.exit(f"{cmd[0]} failed with exit {rc}: {stderr[-500:]}")
    return min(results, key=lambda r: r[0])


def prepare(corpus, scratch, scale):
    one = scratch / "corpus1x"
    if not one.exists():
        shutil.copytree(corpus, one)
    scaled = scratch / f"corpus{scale}x"
    if scale > 1 and not scaled.exists():
        for i in range(scale):
            shutil.copytree(one, scaled / f"r{i}")
    return one, scaled


def size_of(path):
    files = [p for p in path.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "../shared/corpus")
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--checkov-runs", type=int, default=1)
    parser.add_argument("--checkov-scale", type=int, default=1)
    parser.add_argument("--checkov", default=shutil.which("checkov") or "/tmp/checkov-venv/bin/checkov")
    parser.add_argument("--palisade", type=Path, default=ROOT / "target/release/palisade")
    parser.add_argument("--scratch", type=Path, default=Path(tempfile.gettempdir()) / "palisade-vs-checkov")
    args = parser.parse_args()

    if not args.corpus.is_dir():
        sys.exit(f"corpus {args.corpus} not found")
    if not args.palisade.exists():
        subprocess.run(["cargo", "build", "--release", "-p", "palisade-cli"], cwd=ROOT, check=True)
    args.scratch.mkdir(parents=True, exist_ok=True)
    one, scaled = prepare(args.corpus, args.scratch, args.scale)

    # --no-render: the corpus is a snapshot of some files of several
    # repositories, and many of its kustomizations cannot render; Checkov's
    # kubernetes framework reads the same files one by one too.
    # --max-input-bytes: ten copies are above the default 128 MiB run budget.
    palisade = lambda d: [str(args.palisade), "scan", str(d), "--no-render", "-o", "json",
                          "--fail-on", "never", "--max-input-bytes", str(8 << 30)]
    checkov = lambda d: [args.checkov, "-d", str(d), "--framework", "kubernetes", "-o", "json",
                         "--quiet", "--skip-download"]
    checkov_env = dict(os.environ, BC_SKIP_MAPPING="TRUE")

    rows = []
    for label, path in [("1x", one), (f"{args.scale}x", scaled)]:
        if label != "1x" and args.scale <= 1:
            continue
        files, size = size_of(path)
        wall, mem, _, out, _ = best_of(args.runs, palisade(path))
        rows.append(("palisade", label, files, size, wall, mem, out))
        scale = 1 if label == "1x" else args.scale
        if scale <= args.checkov_scale:
            if not Path(args.checkov).exists() and not shutil.which(args.checkov):
                print(f"checkov not found at {args.checkov}: only palisade measured", file=sys.stderr)
                continue
            wall, mem, _, out, _ = best_of(args.checkov_runs, checkov(path), checkov_env)
            rows.append(("checkov", label, files, size, wall, mem, out))

    print(f"{'tool':9} {'input':6} {'files':>6} {'MB':>7} {'wall s':>9} {'peak MiB':>9} {'report MB':>10}")
    for tool, label, files, size, wall, mem, out in rows:
        print(f"{tool:9} {label:6} {files:6} {size / 1e6:7.1f} {wall:9.3f} {mem:9.0f} {out / 1e6:10.1f}")
    by = {(t, l): (w, m) for t, l, _, _, w, m, _ in rows}
    for label in ["1x", f"{args.scale}x"]:
        if ("palisade", label) in by and ("checkov", label) in by:
            (pw, pm), (cw, cm) = by[("palisade", label)], by[("checkov", label)]
            print(f"{label}: palisade is {cw / pw:.0f} times faster and uses {cm / pm:.1f} times less memory")
    if ("palisade", f"{args.scale}x") in by and ("checkov", "1x") in by:
        pw = by[("palisade", f"{args.scale}x")][0]
        cw = by[("checkov", "1x")][0]
        print(f"palisade on {args.scale}x vs checkov on 1x: {cw / pw:.1f} times faster on {args.scale} times the input")


if __name__ == "__main__":
    main()
