"""`ifnonto demo`: the main job — build, run the gate (the checks of `ifnonto check`), then every packaged query."""

from __future__ import annotations

import time
from typing import Callable

from ifnonto.errors import EXIT_FINDINGS, EXIT_OK


def run_demo(say: Callable[[str], None]) -> int:
    from ifnonto import paths
    from ifnonto.build import build
    from ifnonto.engines import OxigraphEngine
    from ifnonto.formats import render
    from ifnonto.gate import run_gate
    from ifnonto.queries import bind_values, registry

    start = time.perf_counter()
    say("== 1. Build: compile ontology/src, reason with HermiT, write the release files")
    result = build()
    say(f"   {result.asserted_triples} asserted triples, {result.inferred_triples} inferred by the reasoner")
    for name, value in sorted(result.counts.items()):
        say(f"   {name}: {value}")
    say("\n== 2. The gate, as `ifnonto check` runs it")
    report = run_gate(rendered=result, say=lambda line: say("   " + line))
    say("\n== 3. Every packaged query, with its default parameters (first rows)")
    engine = OxigraphEngine([paths.release_file("nt", inferred=True)])
    queries = registry()
    for name, query in queries.items():
        rows = engine.select(query.text, bind_values(query, {}))
        say(f"\n-- {name}: {query.title} ({len(rows.rows)} rows)")
        shown = type(rows)(rows.columns, rows.rows[:5])
        say(render(shown, "table", max_width=45).rstrip())
    problems = len(report.failures)
    say(f"\n== Summary: {len(queries)} queries run, {len(report.of('qc'))} QC checks, "
        f"{'no problems' if not problems else f'{problems} problem(s)'}; {time.perf_counter() - start:.1f} s")
    return EXIT_OK if report.ok else EXIT_FINDINGS
