"""The inferred release lets a store without a reasoner give the reasoner's answers.

For every packaged query that depends on inference, the rows on the committed inferred release (no reasoning
at query time) equal the rows on the asserted release plus what a DL reasoner concludes in this test, and
differ from the rows on the asserted release alone (so the query really needs the inferences).
"""

from __future__ import annotations

import pytest
from rdflib import Graph

from golden_cases import CASES
from ifnonto import paths
from ifnonto.engines import OxigraphEngine
from ifnonto.queries import bind_values, get_query, registry

INFERENCE_CASES = sorted(case for case, (name, _) in CASES.items() if registry()[name].requires_inference)


@pytest.fixture(scope="module")
def reasoned_engine(tmp_path_factory, asserted_graph, request):
    # HermiT's tableau on the whole graph: independent of the build, which reasons with HermiT on the TBox and
    # rules on the individuals. (Pellet through owlready2 drops a property-chain conclusion in some runs.)
    result = request.getfixturevalue("hermit_result")
    assert result.consistent
    full = Graph()
    full += asserted_graph
    full += result.inferred
    path = tmp_path_factory.mktemp("reasoned") / "reasoned.nt"
    full.serialize(path, format="nt", encoding="utf-8")
    return OxigraphEngine([path])


@pytest.fixture(scope="module")
def asserted_engine():
    return OxigraphEngine([paths.release_file("nt")])


def test_there_are_inference_dependent_queries():
    flagged = sorted(name for name, query in registry().items() if query.requires_inference)
    assert flagged and sorted({CASES[c][0] for c in INFERENCE_CASES}) == flagged


@pytest.mark.parametrize("case_id", INFERENCE_CASES)
def test_inferred_release_gives_the_reasoners_answers(engine, reasoned_engine, asserted_engine, case_id):
    name, params = CASES[case_id]
    query = get_query(name)
    bindings = bind_values(query, params)
    key = lambda row: [v or "" for v in row]  # noqa: E731
    on_release = sorted(engine.select(query.text, bindings).rows, key=key)
    with_reasoner = sorted(reasoned_engine.select(query.text, bindings).rows, key=key)
    assert on_release == with_reasoner


def test_flagged_queries_really_need_inference(engine, asserted_engine):
    key = lambda row: [v or "" for v in row]  # noqa: E731
    needs = {}
    for case_id in INFERENCE_CASES:
        name, params = CASES[case_id]
        query = get_query(name)
        bindings = bind_values(query, params)
        differs = sorted(engine.select(query.text, bindings).rows, key=key) != \
            sorted(asserted_engine.select(query.text, bindings).rows, key=key)
        needs[name] = needs.get(name, False) or differs
    assert [name for name, differs in needs.items() if not differs] == []


def test_every_query_that_needs_inference_says_so(engine, asserted_engine):
    key = lambda row: [v or "" for v in row]  # noqa: E731
    unflagged = []
    for name, params in CASES.values():
        query = get_query(name)
        bindings = bind_values(query, params)
        differs = sorted(engine.select(query.text, bindings).rows, key=key) != \
            sorted(asserted_engine.select(query.text, bindings).rows, key=key)
        if differs and not query.requires_inference:
            unflagged.append(name)
    assert unflagged == []
