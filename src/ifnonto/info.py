"""`ifnonto info`: what the release holds — the packaged queries tagged ``report`` (``queries/release-*.rq``),
run on the inferred release: header, entities by kind, assertions by section, effects by IFN type x step x
polarity, and the assertions that lack evidence."""

from __future__ import annotations

from ifnonto import paths
from ifnonto.engines import OxigraphEngine
from ifnonto.formats import render
from ifnonto.queries import bind_values, registry

REPORT_TAG = "report"


def report_queries() -> list:
    return [query for query in registry().values() if REPORT_TAG in query.tags]


def info_report(engine=None) -> str:
    engine = engine or OxigraphEngine([paths.release_file("nt", inferred=True)])
    out = []
    for query in report_queries():
        out.append(f"== {query.title}\n")
        out.append(render(engine.select(query.text, bind_values(query, {})), "table", max_width=70))
    return "\n".join(out)
