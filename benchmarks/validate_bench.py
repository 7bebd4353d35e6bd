"""Benchmark: `ifnonto validate` (the SHACL engine on pyoxigraph) against pySHACL, measured in one run.

    .venv/bin/python benchmarks/validate_bench.py [--scales 1,10,44] [--pyshacl small,release,1]

Each measurement runs in a fresh process (as a user's `ifnonto validate` does) and reports its wall time, its
CPU time (user + system, steadier than wall time on a shared machine) and its peak resident memory. Inputs:
a small extension file (two entities), the release alone, and synthetic schema-valid extensions k times the
release's individuals (benchmarks/scaled.py; k=44 gives about 1M triples). pySHACL is the reference:
it validates the release merged with the file (as `ifnonto validate` did before this engine) and keeps the
findings on the file's nodes. Ratios are pySHACL / engine on the same input; growth exponents are
log(time ratio) / log(size ratio) between consecutive scales. Both engines' findings are
compared (focus, path, value, severity, shape) wherever both ran.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ifnonto import paths  # noqa: E402

SMALL = """@prefix ifn: <https://w3id.org/ifn-cancer/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix obo: <http://purl.obolibrary.org/obo/> .
ifn:my-cell a ifn:CellType ; rdfs:label "my cell type"@en ; obo:IAO_0000115 "A cell type of my own."@en .
ifn:EF-mine a ifn:Effect ; ifn:hasRegulator ifn:IFNG ; ifn:hasPolarity ifn:positive, ifn:negative .
"""

# Run in a child process: validate, then print wall, CPU, peak RSS and the findings as JSON.
DRIVER = r"""
import json, resource, sys, time
start = time.perf_counter()
sys.path.insert(0, sys.argv[1])
engine, files = sys.argv[2], sys.argv[3:]
from pathlib import Path
if engine == "engine":
    from ifnonto.validate import validate_files, validate_release
    findings = validate_files([Path(f) for f in files]) if files else validate_release()
    rows = [(f.focus, f.path, f.value, f.severity, f.shape) for f in findings]
else:
    from rdflib import BNode, Graph
    from ifnonto import paths
    from ifnonto.loading import load_graph
    from ifnonto.validate import validate_graph
    user = load_graph([Path(f) for f in files]) if files else Graph()
    data = load_graph([paths.release_file("nt", inferred=True)])
    data += user
    keep = {str(s) for s in user.subjects()}
    findings = validate_graph(data)
    rows = [(f.focus, f.path, f.value, f.severity, f.shape) for f in findings if not files or f.focus in keep]
usage = resource.getrusage(resource.RUSAGE_SELF)
# ru_maxrss keeps the high-water mark of the process before exec (the benchmark, which holds the scaled data):
# VmHWM is this program's own
peak_kb = usage.ru_maxrss
try:
    with open("/proc/self/status") as status:
        peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
except (OSError, StopIteration):
    pass
print(json.dumps({"wall": time.perf_counter() - start, "cpu": usage.ru_utime + usage.ru_stime,
                  "rss_mb": peak_kb / 1024, "rows": sorted(map(list, rows))}))
"""


def measure(engine: str, files: list[Path]) -> dict:
    done = subprocess.run([sys.executable, "-c", DRIVER, str(ROOT / "src"), engine, *map(str, files)],
                          capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"{engine} failed on {files}: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def triples(path: Path) -> int:
    with open(path, "rb") as handle:
        return sum(1 for line in handle if line.strip() and not line.startswith(b"#"))


def comparable(rows: list) -> list:
    """Blank-node labels differ between engines: compare them as "_"."""
    def norm(text: str) -> str:
        return "_" if text and (text.startswith("_:") or (len(text) >= 32 and text.isalnum())) else text
    return sorted((norm(r[0]), r[1], norm(r[2]), r[3], r[4]) for r in rows)


def exponent(small: tuple[int, float], large: tuple[int, float]) -> float:
    return math.log(large[1] / small[1]) / math.log(large[0] / small[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="1,10,44", help="copies of the release's individuals (engine)")
    parser.add_argument("--pyshacl", default="small",
                        help="inputs pySHACL also runs on: small, release and/or scales (each takes ~45 s of CPU "
                             "or more, so only the small file by default)")
    args = parser.parse_args()
    scales = [int(k) for k in args.scales.split(",") if k]
    reference_on = set(args.pyshacl.split(","))

    from scaled import write_scaled

    release = paths.release_file("nt", inferred=True)
    print(f"machine: {platform.processor() or platform.machine()}, {_cpus()} cores, Python "
          f"{platform.python_version()}; release {triples(release)} triples")
    rows = []
    agreement = []
    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "small.ttl"
        small.write_text(SMALL, encoding="utf-8")
        cases = [("small file (2 entities) + release", [small], "small" in reference_on),
                 ("release alone", [], "release" in reference_on)]
        for k in scales:
            out = Path(tmp) / f"x{k}.nt"
            write_scaled(out, k, include_release=False, inferred=True)
            cases.append((f"extension {k}x ({triples(out):,} triples) + release", [out], str(k) in reference_on))
        sizes = {}
        for label, files, with_reference in cases:
            mine = measure("engine", files)
            ref = measure("pyshacl", files) if with_reference else None
            if ref is not None:
                agreement.append((label, comparable(mine["rows"]) == comparable(ref["rows"]), len(ref["rows"])))
            rows.append((label, mine, ref))
            if files and files[0].suffix == ".nt":
                sizes[label] = (triples(files[0]), mine["cpu"], mine["wall"])
    print(f"\n{'input':44s} {'engine wall':>11s} {'cpu':>7s} {'peak MB':>8s} {'findings':>8s} | "
          f"{'pySHACL wall':>12s} {'cpu':>7s} {'peak MB':>8s} | {'cpu ratio':>9s}")
    for label, mine, ref in rows:
        line = (f"{label:44s} {mine['wall']:10.2f}s {mine['cpu']:6.2f}s {mine['rss_mb']:8.0f} "
                f"{len(mine['rows']):8d} | ")
        if ref is not None:
            line += (f"{ref['wall']:11.2f}s {ref['cpu']:6.2f}s {ref['rss_mb']:8.0f} | "
                     f"{ref['cpu'] / mine['cpu']:8.1f}x")
        else:
            line += f"{'-':>12s} {'-':>7s} {'-':>8s} | {'-':>9s}"
        print(line)
    points = sorted(sizes.values())
    for first, last in zip(points, points[1:]):
        print(f"engine growth exponent from {first[0]:,} to {last[0]:,} triples: cpu "
              f"{exponent(first[:2], last[:2]):.2f}, wall {exponent((first[0], first[2]), (last[0], last[2])):.2f}")
    for label, same, n in agreement:
        print(f"agreement with pySHACL on {label}: {'same' if same else 'DIFFERENT'} findings ({n})")


def _cpus() -> int:
    import os

    return os.cpu_count() or 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
