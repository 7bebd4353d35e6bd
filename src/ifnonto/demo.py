"""`ifnonto demo`: the main job — build, reason, validate and run every packaged query, with a summary."""

from __future__ import annotations

import time
from typing import Callable

from ifnonto.errors import EXIT_FINDINGS, EXIT_OK


def run_demo(say: Callable[[str], None]) -> int:
    from ifnonto import paths
    from ifnonto.build import build
    from ifnonto.engines import OxigraphEngine
    from ifnonto.formats import render
    from ifnonto.qc import run_qc
    from ifnonto.queries import bind_values, registry
    from ifnonto.validate import validate_release

    problems = 0
    start = time.perf_counter()
    say("== 1. Build: compile ontology/src, reason with HermiT, write the release files")
    result = build()
    say(f"   {result.asserted_triples} asserted triples, {result.inferred_triples} inferred by the reasoner")
    for name, value in sorted(result.counts.items()):
        say(f"   {name}: {value}")
    say("\n== 2. Quality control queries (each must return no rows)")
    outcomes = run_qc([paths.release_file("nt", inferred=True)])
    failed = [o for o in outcomes if not o.ok]
    say(f"   {len(outcomes) - len(failed)} of {len(outcomes)} checks pass")
    for outcome in failed:
        say(f"   FAIL {outcome.check.name}: {len(outcome.result.rows)} row(s)")
    problems += len(failed)
    say("\n== 3. SHACL validation of the inferred release")
    findings = validate_release()
    say(f"   {len(findings)} violation(s)")
    problems += bool(findings)
    say("\n== 4. Every packaged query, with its default parameters (first rows)")
    engine = OxigraphEngine([paths.release_file("nt", inferred=True)])
    queries = registry()
    for name, query in queries.items():
        rows = engine.select(query.text, bind_values(query, {}))
        say(f"\n-- {name}: {query.title} ({len(rows.rows)} rows)")
        shown = type(rows)(rows.columns, rows.rows[:5])
        say(render(shown, "table", max_width=45).rstrip())
    say(f"\n== Summary: {len(queries)} queries run, {len(outcomes)} QC checks, "
        f"{'no problems' if not problems else f'{problems} problem(s)'}; {time.perf_counter() - start:.1f} s")
    return EXIT_OK if not problems else EXIT_FINDINGS
