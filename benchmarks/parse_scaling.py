"""Benchmark: reading RDF is linear in the input. Times the package's loader (`ifnonto.loading.load_graph`) and
rdflib's own Turtle parser on files holding one multi-line literal of growing size, in one run, and prints how
the time grows when the input doubles (about 2x for a linear parser, about 4x for a quadratic one).

    .venv/bin/python benchmarks/parse_scaling.py [--max-mb 8] [--rdflib-max-mb 0.5]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ifnonto.loading import load_graph  # noqa: E402


def write_file(folder: Path, megabytes: float) -> Path:
    line = "a line of free text in a long description\n"
    count = int(megabytes * 1_000_000 / len(line))
    path = folder / f"literal-{megabytes:g}mb.ttl"
    path.write_text('<https://example.org/s> <https://example.org/p> """' + line * count + '""" .\n')
    return path


def seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-mb", type=float, default=8.0, help="largest file for the package's loader")
    parser.add_argument("--rdflib-max-mb", type=float, default=0.5, help="largest file for rdflib's own parser")
    args = parser.parse_args()
    from rdflib import Graph

    with tempfile.TemporaryDirectory() as folder:
        sizes, size = [], 0.125
        while size <= args.max_mb:
            sizes.append(size)
            size *= 2
        print(f"{'MB':>6}  {'package (s)':>12}  {'x prev':>7}  {'rdflib (s)':>11}  {'x prev':>7}")
        previous = {}
        for megabytes in sizes:
            path = write_file(Path(folder), megabytes)
            ours = seconds(lambda: load_graph([path]))
            theirs = seconds(lambda: Graph().parse(path, format="turtle")) if megabytes <= args.rdflib_max_mb \
                else None
            growth = [f"{t / previous[k]:.1f}x" if t and previous.get(k) else "" for k, t in
                      (("ours", ours), ("theirs", theirs))]
            print(f"{megabytes:6g}  {ours:12.3f}  {growth[0]:>7}  "
                  f"{'' if theirs is None else f'{theirs:.3f}':>11}  {growth[1]:>7}")
            previous = {"ours": ours, "theirs": theirs}


if __name__ == "__main__":
    main()
