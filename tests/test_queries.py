"""Packaged queries: headers, exact golden results on the release, parity between engines, safe parameters."""

from __future__ import annotations

import json
import re

import pytest

from conftest import GOLDEN, run_cli
from golden_cases import CASES
from ifnonto import paths
from ifnonto.queries import bind_values, get_query, registry


def test_registry_headers():
    queries = registry()
    assert queries and sorted(queries) == sorted(p.stem for p in paths.QUERIES_DIR.glob("*.rq"))
    for query in queries.values():
        assert query.title and query.description
        projection = re.search(r"^SELECT (.*?) WHERE", query.text, re.M | re.S).group(1)
        for param in query.params:
            # bound by substitution (SEP-0007), which needs the variable in the projection
            assert re.search(rf"\?{param.name}\b", projection), (query.name, param.name)
            # engines pre-bind a parameter differently (Oxigraph substitutes it, rdflib seeds the solution, remote
            # endpoints get a trailing VALUES): a BIND onto it would answer differently on each
            assert not re.search(rf"\bAS\s+\?{param.name}\b", query.text), (query.name, param.name)


def run_case(engine, case_id: str) -> dict:
    name, params = CASES[case_id]
    query = get_query(name)
    result = engine.select(query.text, bind_values(query, params))
    return {"query": name, "params": params, "columns": result.columns, "rows": result.rows}


def test_every_query_has_golden_results(engine, update_golden):
    assert sorted({name for name, _ in CASES.values()}) == sorted(registry())
    if update_golden:  # rewrite every golden file; drop those of removed queries or examples
        GOLDEN.mkdir(exist_ok=True)
        for path in GOLDEN.glob("*.json"):
            if path.stem not in CASES:
                path.unlink()
        for case_id in CASES:
            document = run_case(engine, case_id)
            (GOLDEN / f"{case_id}.json").write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n",
                                                    encoding="utf-8")
    assert sorted(p.stem for p in GOLDEN.glob("*.json")) == sorted(CASES)


def test_every_example_names_declared_parameters():
    for query in registry().values():
        for example in query.examples:
            assert example and set(example) <= {p.name for p in query.params}, query.name


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_golden_results(engine, case_id):
    expected = json.loads((GOLDEN / f"{case_id}.json").read_text(encoding="utf-8"))
    assert run_case(engine, case_id) == expected


def test_golden_results_are_not_empty():
    empty = [p.stem for p in GOLDEN.glob("*.json") if not json.loads(p.read_text(encoding="utf-8"))["rows"]]
    assert empty == []


@pytest.mark.parametrize("value", ['IFNG" } ; DROP ALL #', "IFNG> . ?s ?p ?o", "x\ny", "a b", "<http://x>"])
def test_hostile_parameter_values_are_rejected_or_inert(engine, value):
    query = get_query("signaling-cascade")
    try:
        bindings = bind_values(query, {"ifn": value})
    except Exception as exc:  # rejected with a clear message
        assert "not a valid IRI" in str(exc)
        return
    assert engine.select(query.text, bindings).rows == []


def test_string_parameter_is_bound_not_pasted(engine):
    text = 'PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?q ?s WHERE { ?s rdfs:label ?l FILTER(STR(?l) = ?q) }'
    rows = engine.select(text, {"q": ("string", 'x") || true || ("')}).rows
    assert rows == []
    assert engine.select(text, {"q": ("string", "IFNGR1")}).rows


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json", "json-simple"])
def test_cli_formats(fmt):
    done = run_cli("query", "signaling-cascade", "--param", "ifn=IFNG", "--format", fmt)
    assert done.returncode == 0, done.stderr
    assert "GAS" in done.stdout or "gamma-activated" in done.stdout or "IFN-γ-activated" in done.stdout
    if fmt == "json":  # W3C SPARQL 1.1 Query Results JSON
        document = json.loads(done.stdout)
        assert document["head"]["vars"] and document["results"]["bindings"]
        cell = document["results"]["bindings"][0][document["head"]["vars"][0]]
        assert cell["type"] in ("uri", "literal", "bnode") and "value" in cell
    if fmt == "json-simple":
        assert json.loads(done.stdout)["rows"]


def test_cli_lists_queries():
    done = run_cli("queries")
    assert done.returncode == 0
    assert sum(1 for line in done.stdout.splitlines() if line and not line.startswith(" ")) == len(registry())


def test_adhoc_sparql_refuses_service_and_update():
    done = run_cli("sparql", "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    assert done.returncode == 2 and "SERVICE" in done.stderr
    done = run_cli("sparql", "DELETE WHERE { ?s ?p ?o }")
    assert done.returncode == 2 and "update" in done.stderr
    done = run_cli("sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "csv")
    assert done.returncode == 0 and int(done.stdout.splitlines()[1]) > 10000
