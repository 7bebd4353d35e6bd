"""Parity of the package's two local engines: rdflib gives the rows Oxigraph gives, for every packaged query and
example (its own file so that a parallel run can give these slow cases a core of their own)."""

from __future__ import annotations

import pytest

from golden_cases import CASES
from ifnonto import paths
from ifnonto.errors import IfnontoError
from ifnonto.queries import bind_values, get_query

RDFLIB_SECONDS = 120
RDFLIB_MB = 1024  # every case rdflib answers fits in 1 GB beyond the loaded release


@pytest.fixture(scope="module")
def rdflib_engine():
    from ifnonto.engines import RdflibEngine

    engine = RdflibEngine([paths.release_file("nt", inferred=True)])
    engine.memory_mb = RDFLIB_MB
    return engine


# Cases rdflib cannot answer. rdflib joins pattern by pattern, and model-overview (every link of every top class,
# then the top classes of the other end) ran out of 120 s and of its memory in every form tried. Each is expected
# to fail within a short budget, strictly: if rdflib ever answers one correctly, the test fails and says so.
UNANSWERED = {"model-overview": "rdflib has no answer in 120 s or 1 GB (three query rewrites tried)"}
UNANSWERED_SECONDS = 10


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_rdflib_gives_the_same_rows(engine, rdflib_engine, case_id, request):
    name, params = CASES[case_id]
    if name in UNANSWERED:
        request.applymarker(pytest.mark.xfail(reason=UNANSWERED[name], strict=True, raises=IfnontoError))
    query = get_query(name)
    bindings = bind_values(query, params)
    ox = engine.select(query.text, bindings)
    rl = rdflib_engine.select(query.text, bindings,
                              timeout=UNANSWERED_SECONDS if name in UNANSWERED else RDFLIB_SECONDS)
    assert ox.columns == rl.columns
    key = lambda row: [v or "" for v in row]  # noqa: E731 - rows may tie in ORDER BY
    assert sorted(ox.rows, key=key) == sorted(rl.rows, key=key)


def test_every_unanswered_case_is_a_packaged_query():
    assert UNANSWERED and set(UNANSWERED) <= {name for name, _ in CASES.values()}
