"""Benchmark: the package against raw pyoxigraph and raw rdflib, measured in one run on the release.

    .venv/bin/python benchmarks/bench.py [--repeat N] [--cold N]

Measures loading the inferred release (median of N runs), every packaged query with its default
parameters (best of N samples of many calls each), and a cold `ifnonto query` from the shell, for the package, for raw pyoxigraph and for raw rdflib
(what a user would otherwise write), and prints the ratios. Figures are relative to the baseline run in the
same process, so they compare across machines; the absolute seconds are printed for reference only.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ifnonto import paths  # noqa: E402
from ifnonto.engines import OxigraphEngine  # noqa: E402
from ifnonto.queries import bind_values, registry  # noqa: E402

RELEASE = paths.release_file("nt", inferred=True)


def median_time(fn, repeat: int, clock=time.perf_counter) -> float:
    """Median of ``repeat`` runs of ``fn`` on ``clock`` (wall time by default; ``time.process_time`` for CPU)."""
    times = []
    for _ in range(repeat):
        start = clock()
        fn()
        times.append(clock() - start)
    return statistics.median(times)


def per_call(fn, repeat: int) -> float:
    """Seconds per call: each sample runs ``fn`` enough times to last about 0.05 s (so sub-millisecond queries
    are not lost in timer noise); the best of ``repeat`` samples is kept, as timeit does."""
    import timeit

    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    number = max(1, number // 4)
    return min(timer.repeat(repeat=repeat, number=number)) / number


def raw_oxigraph_store():
    import pyoxigraph

    store = pyoxigraph.Store()
    store.bulk_load(path=str(RELEASE), format=pyoxigraph.RdfFormat.N_TRIPLES)
    return store


def raw_rdflib_graph():
    from rdflib import Graph

    return Graph().parse(RELEASE, format="nt")


def raw_oxigraph_query(store, text, bindings):
    import pyoxigraph as ox

    subs = {ox.Variable(k): (ox.NamedNode(v) if kind == "iri" else ox.Literal(v)) for k, (kind, v) in bindings.items()}
    # what a user writes to get the values out: the term's lexical value, None where unbound
    return [[None if term is None else term.value for term in s] for s in store.query(text, substitutions=subs or None)]


def raw_rdflib_query(graph, text, bindings):
    from rdflib import Literal, URIRef

    init = {k: (URIRef(v) if kind == "iri" else Literal(v)) for k, (kind, v) in bindings.items()}
    return [[None if term is None else str(term) for term in row] for row in graph.query(text, initBindings=init)]


COLD_OXIGRAPH = """
import sys, pyoxigraph as ox
store = ox.Store(); store.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_TRIPLES)
text = open(sys.argv[2]).read()
print(len([list(s) for s in store.query(text)]))
"""
COLD_RDFLIB = """
import sys
from rdflib import Graph
g = Graph().parse(sys.argv[1], format="nt")
print(len(list(g.query(open(sys.argv[2]).read()))))
"""


def cold(cmd: list[str], repeat: int) -> float:
    return median_time(lambda: subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT), repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cold", type=int, default=3)
    parser.add_argument("--rdflib-repeat", type=int, default=1, help="rdflib is slow: runs per query")
    args = parser.parse_args()

    print(f"release: {RELEASE.name}, {sum(1 for _ in RELEASE.open(encoding='utf-8'))} triples")
    load_pkg = median_time(lambda: OxigraphEngine([RELEASE]), args.repeat)
    load_ox = median_time(raw_oxigraph_store, args.repeat)
    load_rl = median_time(raw_rdflib_graph, 1)
    print(f"\nload   package {load_pkg:.3f}s  raw pyoxigraph {load_ox:.3f}s  raw rdflib {load_rl:.3f}s  "
          f"package/pyoxigraph {load_pkg / load_ox:.2f}x  rdflib/package {load_rl / load_pkg:.1f}x")

    engine = OxigraphEngine([RELEASE])
    store = raw_oxigraph_store()
    graph = raw_rdflib_graph()
    ratios_ox, ratios_rl = [], []
    print(f"\n{'query':34s} {'package':>9s} {'pyoxigraph':>11s} {'rdflib':>9s} {'pkg/ox':>7s} {'rdflib/pkg':>10s}")
    for name, query in registry().items():
        bindings = bind_values(query, {})
        t_pkg = per_call(lambda: engine.select(query.text, bindings), args.repeat)
        t_ox = per_call(lambda: raw_oxigraph_query(store, query.text, bindings), args.repeat)
        t_rl = median_time(lambda: raw_rdflib_query(graph, query.text, bindings), args.rdflib_repeat)
        ratios_ox.append(t_pkg / t_ox)
        ratios_rl.append(t_rl / t_pkg)
        print(f"{name:34s} {t_pkg:9.4f} {t_ox:11.4f} {t_rl:9.3f} {t_pkg / t_ox:7.2f} {t_rl / t_pkg:10.0f}")
    print(f"\nper query, package/pyoxigraph: median {statistics.median(ratios_ox):.2f}x, max {max(ratios_ox):.2f}x; "
          f"rdflib/package: median {statistics.median(ratios_rl):.0f}x, min {min(ratios_rl):.0f}x")

    rq = paths.QUERIES_DIR / "signaling-cascade.rq"
    t_cli = cold([sys.executable, "-m", "ifnonto", "query", "signaling-cascade", "--format", "tsv"], args.cold)
    t_cold_ox = cold([sys.executable, "-c", COLD_OXIGRAPH, str(RELEASE), str(rq)], args.cold)
    t_cold_rl = cold([sys.executable, "-c", COLD_RDFLIB, str(RELEASE), str(rq)], 1)
    print(f"\ncold `ifnonto query signaling-cascade`: {t_cli:.3f}s; raw pyoxigraph script {t_cold_ox:.3f}s; "
          f"raw rdflib script {t_cold_rl:.3f}s  (package/pyoxigraph {t_cli / t_cold_ox:.2f}x, "
          f"rdflib/package {t_cold_rl / t_cli:.1f}x)")


if __name__ == "__main__":
    main()
