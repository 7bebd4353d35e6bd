"""Scale benchmark: every command near-linear from 1x to 100x the release, against the raw libraries.

    .venv/bin/python benchmarks/scale.py [--scales 1,10,100] [--repeat 3] [--skip-reason] [--reason-up-to 10]

Builds deterministic scaled copies of the inferred release (benchmarks/scaled.py) and measures, in one run:
loading into the package's engine against raw pyoxigraph; every packaged query (default parameters) on the
package against raw pyoxigraph on the same data; and `ifnonto reason` (HermiT on the TBox, rules on the
individuals) against the DL tableau (HermiT on everything) at 1x; and the cost of one raw index lookup, of an
ordinary node and of a hub, which bounds how any join can grow. It prints one table: seconds at each scale,
the ratio package / raw at the largest scale, and the growth exponent between the two largest scales
(log(t2/t1) / log(n2/n1), where n is the number of triples; 1.0 is linear).
"""

from __future__ import annotations

import argparse
import atexit
import math
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench import per_call, raw_oxigraph_query  # noqa: E402
from scaled import write_scaled  # noqa: E402

from ifnonto.engines import OxigraphEngine, run_killable  # noqa: E402
from ifnonto.errors import IfnontoError  # noqa: E402
from ifnonto.iris import BASE as IFN  # noqa: E402
from ifnonto.queries import bind_values, registry  # noqa: E402


def growth(t1: float, t2: float, n1: int, n2: int) -> float:
    return math.log(max(t2, 1e-9) / max(t1, 1e-9)) / math.log(n2 / n1)


def report(what: str, times: dict, ratio, scales: list[int], sizes: dict) -> None:
    """One row as soon as it is measured (stderr), so a long run shows where it is."""
    cells = " ".join(f"{k}x={seconds(times[k]).strip()}s" for k in scales if k in times)
    print(f"  {what}: {cells} vs raw {ratio if ratio is not None else float('nan'):.2f}", file=sys.stderr,
          flush=True)


def seconds(value: float) -> str:
    """A table cell: four decimals, or three significant digits for what takes under a millisecond."""
    return f"{value:12.4f}" if value >= 1e-3 or value == 0 else f"{value:12.2e}"


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def raw_store(path: Path):
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
    return store


def lookup_seconds(store, hub: bool) -> float:
    """Seconds for one (subject, rdfs:label) lookup in a raw pyoxigraph store: of 300 interferons (ordinary nodes,
    one per copy, each with a few edges), or of ``type-I-IFN``, a hub that every copy links to. If this grows
    with the data, so does every join that looks rows up, whatever the query's shape."""
    import pyoxigraph as ox

    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    members = [q.object for q in store.quads_for_pattern(None, ox.NamedNode(IFN + "hasMember"), None)][:300]
    nodes = [ox.NamedNode(IFN + "type-I-IFN")] * len(members) if hub else members

    def lookups():
        for node in nodes:
            for _ in store.quads_for_pattern(node, label, None):
                pass
    return per_call(lookups, 3) / len(nodes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="1,10,100", help="comma-separated multiples of the release")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-reason", action="store_true")
    parser.add_argument("--reason-up-to", type=int, default=10,
                        help="the largest scale at which `ifnonto reason` is timed (default 10)")
    parser.add_argument("--queries", default="", help="comma-separated query names to measure (default: all)")
    parser.add_argument("--cap", type=float, default=300, help="seconds after which one query call counts as a "
                        "runaway (reported as inf)")
    args = parser.parse_args()
    chosen = {name for name in args.queries.split(",") if name}
    unknown = chosen - set(registry())
    if unknown:
        parser.error(f"unknown query: {', '.join(sorted(unknown))}")
    scales = [int(s) for s in args.scales.split(",")]
    folder = Path(tempfile.mkdtemp(prefix="ifn-scale-"))
    atexit.register(shutil.rmtree, folder, True)  # the scaled files take about 0.5 GB at 100x
    files, sizes = {}, {}
    for k in scales:
        files[k] = folder / f"{k}x.nt"
        sizes[k] = write_scaled(files[k], k - 1, inferred=True)
    print("scales: " + ", ".join(f"{k}x = {sizes[k]:,} triples" for k in scales))

    rows: list[tuple[str, dict, float | None]] = []   # (what, seconds by scale, ratio vs raw at largest)
    load_pkg = {k: timed(lambda k=k: OxigraphEngine([files[k]])) for k in scales}
    load_raw = {k: timed(lambda k=k: raw_store(files[k])) for k in scales}
    rows.append(("load: package engine", load_pkg, load_pkg[scales[-1]] / load_raw[scales[-1]]))

    report(*rows[-1], scales, sizes)
    engines = {k: OxigraphEngine([files[k]]) for k in scales}
    stores = {k: raw_store(files[k]) for k in scales}
    for what, hub in (("raw lookup: ordinary node (per call)", False), ("raw lookup: hub node (per call)", True)):
        rows.append((what, {k: lookup_seconds(stores[k], hub) for k in scales}, None))
        report(*rows[-1], scales, sizes)
    for name, query in registry().items():
        if chosen and name not in chosen:
            continue
        bindings = bind_values(query, {})
        pkg, raw = {}, {}
        for k in scales:
            try:  # one call in a killable child first: a query that runs away at this scale is reported, not waited on
                run_killable(lambda k=k: len(engines[k].select(query.text, bindings).rows), args.cap)
            except IfnontoError:
                pkg[k] = raw[k] = float("inf")
                break
            repeat = args.repeat if k < 100 else 1
            pkg[k] = per_call(lambda k=k: engines[k].select(query.text, bindings), repeat)
            raw[k] = per_call(lambda k=k: raw_oxigraph_query(stores[k], query.text, bindings), repeat)
        rows.append((f"query {name}", pkg, pkg[scales[-1]] / raw[scales[-1]] if scales[-1] in pkg else None))
        report(*rows[-1], scales, sizes)
    engines.clear()
    stores.clear()

    if not args.skip_reason:
        cli = [sys.executable, "-m", "ifnonto", "reason", "--top", "0"]
        reason = {}
        for k in scales:
            if k > args.reason_up_to:
                continue
            extension = folder / f"{k}x-copies.nt"
            write_scaled(extension, k - 1, include_release=False) if k > 1 else None
            reason[k] = timed(lambda k=k, e=extension: subprocess.run(
                cli + ([str(e)] if k > 1 else []), check=True, capture_output=True, cwd=ROOT))
        ratio = None
        if 1 in reason:  # the DL tableau on the whole release, the baseline at 1x
            tableau = timed(lambda: subprocess.run(cli + ["--reasoner", "hermit"], check=True, capture_output=True,
                                                   cwd=ROOT))
            ratio = reason[1] / tableau
        rows.append(("reason: rules (ratio: vs HermiT on all, 1x)", reason, ratio))

    header = f"{'what':48s}" + "".join(f"{str(k) + 'x (s)':>12s}" for k in scales) + f"{'vs raw':>8s}{'growth':>8s}"
    print(header)
    for what, times, ratio in rows:
        present = [k for k in scales if k in times]
        g = growth(times[present[-2]], times[present[-1]], sizes[present[-2]], sizes[present[-1]]) \
            if len(present) >= 2 else float("nan")
        cells = "".join(seconds(times[k]) if k in times else f"{'-':>12s}" for k in scales)
        print(f"{what:48s}{cells}{(ratio or float('nan')):8.2f}{g:8.2f}")


if __name__ == "__main__":
    main()
