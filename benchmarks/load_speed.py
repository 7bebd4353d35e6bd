"""`ifnonto load` against a plain POST of the same file into an Oxigraph server, at 1x, 10x (and 100x), one run.

    .venv/bin/python benchmarks/load_speed.py [--scales 1,10] [--repeat 2]

For each scale: a scaled copy of the inferred release (benchmarks/scaled.py); a fresh Oxigraph server on
a loopback port for every measurement; then, alternating, a plain Graph Store POST of the file into a new graph (the baseline: what
`curl -X POST --data-binary @file` does) and `load_release` into a new graph and then over it again (a real
replacement), with its default method (one transactional POST into a new graph; one SPARQL Update request
carrying the difference when replacing) and with staging + MOVE (the method used for Virtuoso). Best of
--repeat runs; no timeout. Prints seconds and ratios to the plain POST.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from scaled import write_scaled  # noqa: E402
from servers import start_oxigraph  # noqa: E402

from ifnonto.triplestore import Endpoints, count_triples, load_release  # noqa: E402


def plain_post(store_url: str, graph: str, path: Path) -> float:
    import httpx

    started = time.perf_counter()
    with open(path, "rb") as handle:
        answer = httpx.post(store_url, params={"graph": graph}, content=handle.read(),
                            headers={"Content-Type": "application/n-triples"}, timeout=None)
    answer.raise_for_status()
    return time.perf_counter() - started


@contextlib.contextmanager
def fresh_store(location: Path):
    server = start_oxigraph(location)
    try:
        yield Endpoints.derive(server.query)
    finally:
        server.stop()
        shutil.rmtree(location, ignore_errors=True)


def timed_load(endpoints: Endpoints, graph: str, path: Path, method: str) -> float:
    started = time.perf_counter()
    load_release(endpoints, graph, data_file=path, method=method, timeout=3600)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="1,10")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--methods", default="update,stage")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="load-speed-"))
    rows = []
    try:
        for scale in [int(s) for s in args.scales.split(",")]:
            data = folder / f"release-x{scale}.nt"
            triples = write_scaled(data, scale - 1, inferred=True)
            times: dict[str, list[float]] = {}
            for attempt in range(args.repeat):
                # every measurement on a fresh store: loads into a store slow down as it grows (measured: three
                # successive POSTs of the 1x file into one store took 2.8, 4.9 and 9.9 s)
                with fresh_store(folder / f"x{scale}-{attempt}-post") as endpoints:
                    times.setdefault("plain POST", []).append(plain_post(endpoints.store, "urn:bench:g", data))
                for method in args.methods.split(","):
                    with fresh_store(folder / f"x{scale}-{attempt}-{method}-new") as endpoints:
                        times.setdefault(f"load {method}, new graph", []).append(
                            timed_load(endpoints, "urn:bench:g", data, method))
                        assert count_triples(endpoints, "urn:bench:g") == triples
                    with fresh_store(folder / f"x{scale}-{attempt}-{method}-replace") as endpoints:
                        plain_post(endpoints.store, "urn:bench:g", data)  # the previous version, not timed
                        times.setdefault(f"load {method}, replace", []).append(
                            timed_load(endpoints, "urn:bench:g", data, method))
                        assert count_triples(endpoints, "urn:bench:g") == triples
            rows.append((scale, triples, {name: min(values) for name, values in times.items()}))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"best of {args.repeat}; Oxigraph server on loopback; 'replace' reloads the same file over the graph")
    print(f"{'scale':>5} {'triples':>9}  {'what':<24} {'seconds':>8}  ratio to plain POST")
    for scale, triples, best in rows:
        base = best["plain POST"]
        for name, seconds in best.items():
            print(f"{scale:>4}x {triples:>9}  {name:<24} {seconds:>8.2f}  {seconds / base:.2f}x")


if __name__ == "__main__":
    main()
