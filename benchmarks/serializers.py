"""Benchmark: the release writers (ifnonto.serialize, pyoxigraph fed sorted triples) against rdflib's writers.

    .venv/bin/python benchmarks/serializers.py [--repeat N]

On the inferred release: CPU seconds per format (median of N) for the package and for rdflib's serializer of the
same canonical graph, with their ratio; then whether each format is byte-identical when written by two fresh
processes with different PYTHONHASHSEED values (the package must be; rdflib's RDF/XML and JSON-LD are not).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench import median_time  # noqa: E402
from rdflib import Graph  # noqa: E402

from ifnonto import paths  # noqa: E402
from ifnonto.serialize import FORMATS, canonical_bnodes, jsonld_context, sorted_triples, write  # noqa: E402

RDFLIB = {"owl": "xml", "ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}


def cpu(fn, repeat: int) -> float:
    return median_time(fn, repeat, clock=time.process_time)


def digests() -> dict:
    """Run in a child process: the sha1 of every format, from both writers."""
    graph = canonical_bnodes(Graph().parse(paths.release_file("nt", inferred=True), format="nt"))
    triples = sorted_triples(graph)
    ordered = Graph()
    for triple in sorted(graph, key=lambda t: tuple(x.n3() for x in t)):
        ordered.add(triple)
    out = {}
    for fmt in FORMATS:
        out[f"package {fmt}"] = hashlib.sha1(write(triples, fmt).encode()).hexdigest()
        extra = {"context": jsonld_context()} if fmt == "jsonld" else {}
        out[f"rdflib {fmt}"] = hashlib.sha1(ordered.serialize(format=RDFLIB[fmt], **extra).encode()).hexdigest()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--digests", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.digests:
        print(json.dumps(digests()))
        return
    graph = canonical_bnodes(Graph().parse(paths.release_file("nt", inferred=True), format="nt"))
    prepare = cpu(lambda: sorted_triples(graph), args.repeat)
    triples = sorted_triples(graph)
    print(f"{len(graph)} triples; sorting them into pyoxigraph terms: {prepare:.3f} s CPU (once for all formats)")
    print(f"{'format':8s} {'package s':>10s} {'rdflib s':>10s} {'rdflib/package':>15s}")
    for fmt in FORMATS:
        ours = cpu(lambda: write(triples, fmt), args.repeat)
        extra = {"context": jsonld_context()} if fmt == "jsonld" else {}
        theirs = cpu(lambda: graph.serialize(format=RDFLIB[fmt], **extra), args.repeat)
        print(f"{fmt:8s} {ours:10.3f} {theirs:10.3f} {theirs / ours:14.1f}x")
    runs = []
    for seed in ("1", "2"):
        done = subprocess.run([sys.executable, __file__, "--digests"], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed})
        runs.append(json.loads(done.stdout))
    print("byte-identical in two processes (PYTHONHASHSEED 1 and 2):")
    for key in runs[0]:
        print(f"  {key:16s} {'yes' if runs[0][key] == runs[1][key] else 'NO'}")


if __name__ == "__main__":
    main()
