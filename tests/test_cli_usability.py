"""A user's first hour: every wrong input gets a helpful answer, and the output reads well.

Parameters by id, label or synonym with "did you mean"; `queries NAME`; help for every argument; `sparql` with
predefined prefixes, CONSTRUCT/DESCRIBE and caret errors; tables that fit the terminal; W3C JSON; labels beside
evidence codes; progress only on a terminal.
"""

from __future__ import annotations

import argparse
import io
import json

import pytest

from conftest import run_cli
from ifnonto.errors import IfnontoError
from ifnonto.queries import bind_values, get_query, parse_param_args, registry, resolve_entities


# ---------------------------------------------------------------------------------------------- parameters

@pytest.mark.parametrize("value", ["CD274", "cd274", "PD-L1", "pd-l1", "https://w3id.org/ifn-cancer/CD274",
                                   "ifn:CD274"])
def test_entity_parameter_by_id_label_or_synonym_any_case(engine, value):
    query = get_query("entity-profile")
    resolved = resolve_entities(query, {"entity": value}, engine)
    assert resolved == {"entity": "https://w3id.org/ifn-cancer/CD274"}
    rows = engine.select(query.text, bind_values(query, resolved)).rows
    assert len(rows) > 5


def test_entity_parameter_by_synonym(engine):
    synonyms = engine.select("PREFIX oboInOwl: <http://www.geneontology.org/formats/oboInOwl#> "
                             "SELECT ?s WHERE { <https://w3id.org/ifn-cancer/IFNL1> oboInOwl:hasExactSynonym ?s }")
    assert synonyms.rows, "IFNL1 has synonyms (e.g. IL-29)"
    query = get_query("entity-profile")
    for (synonym,) in synonyms.rows:
        resolved = resolve_entities(query, {"entity": synonym.upper()}, engine)
        assert resolved["entity"] == "https://w3id.org/ifn-cancer/IFNL1", synonym


def test_unknown_entity_exits_2_with_suggestions():
    done = run_cli("query", "entity-profile", "--param", "entity=NOTAGENE")
    assert done.returncode == 2 and done.stdout == ""
    assert "no entity 'NOTAGENE'" in done.stderr and "did you mean" in done.stderr
    done = run_cli("query", "signaling-cascade", "--param", "ifn=IFNGG")
    assert done.returncode == 2 and "did you mean IFNG" in done.stderr


def test_repeated_parameter_is_an_error():
    with pytest.raises(IfnontoError, match="given more than once"):
        parse_param_args(["ifn=IFNG", "ifn=IFNB1"])
    done = run_cli("query", "signaling-cascade", "--param", "ifn=IFNG", "--param", "ifn=IFNB1")
    assert done.returncode == 2 and "more than once" in done.stderr


def test_a_multiple_parameter_takes_several_values_by_id_or_label():
    one = {c: run_cli("query", "effects-by-cancer", "--param", f"cancer={c}", "--format", "csv").stdout.splitlines()[1:]
           for c in ("melanoma", "colon-cancer")}
    both = run_cli("query", "effects-by-cancer", "--param", "cancer=melanoma", "--param", "cancer=Colon Cancer",
                   "--format", "csv")
    assert both.returncode == 0, both.stderr
    assert one["melanoma"] and one["colon-cancer"]
    assert sorted(both.stdout.splitlines()[1:]) == sorted(one["melanoma"] + one["colon-cancer"])
    done = run_cli("query", "effects-by-cancer", "--param", "cancer=melanoma", "--param", "cancer=NOTACANCER")
    assert done.returncode == 2 and "no entity 'NOTACANCER'" in done.stderr
    shown = run_cli("queries", "effects-by-cancer")
    assert "several values allowed" in shown.stdout


def test_a_multiple_parameter_is_declared_in_the_header(tmp_path):
    from ifnonto.queries import parse_header

    path = tmp_path / "q.rq"
    path.write_text("# title: t\n# description: d\n# param: x | iri | - | some x | several\nSELECT ?x WHERE {}\n")
    with pytest.raises(IfnontoError, match="multiple"):
        parse_header(path)
    path.write_text("# title: t\n# description: d\n# param: x | iri | - | some x | multiple\n"
                    "# example: x=a; x=b\nSELECT ?x WHERE {}\n")
    query = parse_header(path)
    assert query.params[0].multiple and query.examples == ({"x": ["a", "b"]},)
    assert parse_param_args(["x=a", "x=b"], query) == {"x": ["a", "b"]}


def test_near_miss_query_name():
    done = run_cli("query", "signalling-cascade")
    assert done.returncode == 2 and "did you mean signaling-cascade" in done.stderr
    done = run_cli("queries", "entity-profil")
    assert done.returncode == 2 and "did you mean entity-profile" in done.stderr


def test_queries_name_shows_parameters_with_type_default_and_values():
    done = run_cli("queries", "ifn-type-members")
    assert done.returncode == 0, done.stderr
    assert "type  (type iri; default type-I-IFN)" in done.stdout
    # an enumeration: every value, found in the data
    assert "one of: type-I-IFN, type-II-IFN, type-III-IFN" in done.stdout
    done = run_cli("queries", "step-effects")
    flowing = " ".join(done.stdout.split())  # long lists are wrapped
    assert "one of: " + ", ".join(f"cycle-step-{n}" for n in range(1, 8)) in flowing
    done = run_cli("queries", "entity-profile")
    assert "for example: IFNG, CD274" in done.stdout


def _all_actions(parser: argparse.ArgumentParser):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from ((f"{name} {a.dest}", a) for a in sub._actions)
        else:
            yield action.dest, action


def test_help_documents_every_argument():
    from ifnonto.cli import make_parser

    actions = list(_all_actions(make_parser()))
    assert len(actions) > 60
    missing = [name for name, action in actions if not action.help and not name.endswith("help")]
    assert missing == []
    done = run_cli("query", "--help")
    assert "--param NAME=VALUE" in done.stdout and "label" in done.stdout and "entity-profile" in done.stdout


def test_top_level_help_is_for_users():
    done = run_cli("--help")
    assert done.returncode == 0
    assert "Start here:" in done.stdout and "ifnonto query entity-profile --param entity=PD-L1" in done.stdout
    assert "thin layer" not in done.stdout and "imports only" not in done.stdout


# ---------------------------------------------------------------------------------------------- sparql

def test_prefixes_are_predefined_and_listed():
    from ifnonto.iris import PREFIXES

    done = run_cli("prefixes")
    assert done.returncode == 0 and len(done.stdout.splitlines()) == len(PREFIXES) >= 9
    assert "ifn:" in done.stdout and "https://w3id.org/ifn-cancer/" in done.stdout
    done = run_cli("sparql", "SELECT ?l WHERE { ifn:IFNG rdfs:label ?l }", "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1] == "IFN-γ"


def test_rdflib_engine_has_the_prefixes_too():
    done = run_cli("sparql", "SELECT ?l WHERE { ifn:IFNG rdfs:label ?l }", "--format", "csv", "--engine", "rdflib")
    assert done.returncode == 0 and done.stdout.splitlines()[1] == "IFN-γ", done.stderr


def test_missing_query_file_is_no_such_file():
    for name in ("my-query.rq", "queries/not-there", "typo.sparql"):
        done = run_cli("sparql", name)
        assert done.returncode == 2 and f"{name}: no such file" in done.stderr, done.stderr


def test_query_file_is_read(tmp_path):
    path = tmp_path / "q.rq"
    path.write_text("SELECT ?l WHERE {\n  ifn:IFNG rdfs:label ?l\n}\n")
    done = run_cli("sparql", str(path), "--format", "tsv")
    assert done.returncode == 0 and done.stdout.splitlines()[1] == "IFN-γ"


def test_construct_and_describe_print_turtle_or_the_chosen_format():
    import pyoxigraph as ox

    done = run_cli("sparql", "CONSTRUCT { ?x rdfs:label ?l } WHERE { ?x a ifn:Interferon ; rdfs:label ?l }")
    assert done.returncode == 0, done.stderr
    assert "@prefix ifn: <https://w3id.org/ifn-cancer/> ." in done.stdout and "ifn:IFNG rdfs:label" in done.stdout
    triples = list(ox.parse(done.stdout.encode(), ox.RdfFormat.TURTLE))
    assert len(triples) >= 10
    for fmt, parser in (("ntriples", ox.RdfFormat.N_TRIPLES), ("jsonld", ox.RdfFormat.JSON_LD),
                        ("rdfxml", ox.RdfFormat.RDF_XML)):
        for engine in ("oxigraph", "rdflib"):
            done = run_cli("sparql", "DESCRIBE ifn:IFNG", "--format", fmt, "--engine", engine)
            assert done.returncode == 0, done.stderr
            assert len(list(ox.parse(done.stdout.encode(), parser))) > 10
    done = run_cli("sparql", "DESCRIBE ifn:IFNG", "--format", "csv")
    assert done.returncode == 2 and "turtle" in done.stderr


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_syntax_error_is_one_message_with_position_and_caret(engine):
    query = "SELECT ?x WHERE {\n  ?x a ifn:Interferon ;\n     rdfs:label ?l ) .\n}"
    done = run_cli("sparql", query, "--engine", engine)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 3, done.stderr
    assert "SPARQL syntax error at line 3, column" in lines[0]
    assert lines[1].strip() == "rdfs:label ?l ) ." and lines[2].strip() == "^"
    assert lines[2].index("^") in (lines[1].index(")"), lines[1].index(")") + 1)  # under (or just after) the ")"


def test_unknown_prefix_is_named():
    done = run_cli("sparql", "SELECT * WHERE { ?s foo:bar ?o }")
    assert done.returncode == 2 and "unknown prefix" in done.stderr and "ifnonto prefixes" in done.stderr


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
@pytest.mark.parametrize("query, message", [
    ("SELECT ?e WHERE { ?e ifn:inducedby ?x }", "ifn:inducedby is not in the data (did you mean ifn:inducedBy"),
    ("SELECT ?e WHERE { ?e ifn:hasTarget <https://w3id.org/ifn-cancer/IFNGG> }",
     "ifn:IFNGG is not in the data (did you mean ifn:IFNG"),
    ("CONSTRUCT WHERE { ?s ifn:producesIFN ?o }", "ifn:producesIFN is not in the data"),
    ("ASK { ifn:IFNG rdfs:lable ?l }", "rdfs:lable is not defined by its vocabulary"),
])
def test_a_typo_in_a_term_is_named_not_answered_with_no_rows(engine, query, message):
    done = run_cli("sparql", query, "--engine", engine)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_an_empty_answer_with_known_terms_is_an_answer():
    done = run_cli("sparql", "SELECT ?s WHERE { ?s a ifn:Interferon ; rdfs:label 'no such label' }")
    assert done.returncode == 0 and "(0 rows)" in done.stdout, done.stderr
    done = run_cli("sparql", "ASK { ifn:IFNG ifn:hasIFNType ifn:type-I-IFN }")
    assert done.returncode == 0 and "false" in done.stdout, done.stderr


# ---------------------------------------------------------------------------------------------- output

def test_table_fits_the_terminal_width():
    args = ("query", "entity-profile", "--param", "entity=IFNG")
    fitted = run_cli(*args, env={"COLUMNS": "100"})
    assert fitted.returncode == 0, fitted.stderr
    assert max(len(line) for line in fitted.stdout.splitlines()) <= 100
    wide = run_cli(*args, "--wide", env={"COLUMNS": "100"})
    assert max(len(line) for line in wide.stdout.splitlines()) > 150
    full = run_cli(*args, "--no-truncate", env={"COLUMNS": "100"})
    longest = max(len(line) for line in full.stdout.splitlines())
    assert longest > max(len(line) for line in wide.stdout.splitlines())
    assert "…" in wide.stdout and "…" not in full.stdout
    # the same number of rows every way
    assert fitted.stdout.splitlines()[-1] == wide.stdout.splitlines()[-1] == full.stdout.splitlines()[-1]


def test_fit_shrinks_the_widest_columns_first():
    from ifnonto.formats import fit

    assert fit([10, 60, 40], 80) == [10, 33, 33]
    assert sum(fit([10, 60, 40], 80)) + 4 == 80
    assert fit([5, 5], 80) == [5, 5]


def test_json_is_w3c_sparql_results(engine):
    from ifnonto.formats import render

    result = engine.select("SELECT ?x ?l ?n ?b WHERE { BIND(<https://w3id.org/ifn-cancer/IFNG> AS ?x) "
                           "<https://w3id.org/ifn-cancer/IFNG> <http://www.w3.org/2000/01/rdf-schema#label> ?l "
                           "BIND(3 AS ?n) BIND(BNODE() AS ?b) }")
    document = json.loads(render(result, "json"))
    assert document["head"] == {"vars": ["x", "l", "n", "b"]}
    (binding,) = document["results"]["bindings"]
    assert binding["x"] == {"type": "uri", "value": "https://w3id.org/ifn-cancer/IFNG"}
    assert binding["l"] == {"type": "literal", "value": "IFN-γ", "xml:lang": "en"}
    assert binding["n"] == {"type": "literal", "value": "3",
                            "datatype": "http://www.w3.org/2001/XMLSchema#integer"}
    assert binding["b"]["type"] == "bnode"
    ask = json.loads(render(engine.select("ASK { ?s ?p ?o }"), "json"))
    assert ask == {"head": {}, "boolean": True}
    simple = json.loads(render(result, "json-simple"))
    assert simple["columns"] == ["x", "l", "n", "b"] and simple["rows"][0]["l"] == "IFN-γ"


def test_evidence_codes_are_shown_with_labels():
    done = run_cli("sparql", "SELECT DISTINCT ?code WHERE { ?e ifn:evidenceCode ?code } ORDER BY ?code")
    assert done.returncode == 0, done.stderr
    assert "ECO:0000303 (author statement, no reference)" in done.stdout
    assert "ECO:0000304 (traceable author statement)" in done.stdout
    csv = run_cli("sparql", "SELECT DISTINCT ?code WHERE { ?e ifn:evidenceCode ?code }", "--format", "csv")
    assert "http://purl.obolibrary.org/obo/ECO_0000304" in csv.stdout  # machine formats keep the IRI


# ---------------------------------------------------------------------------------------------- progress

def test_progress_only_on_a_terminal(monkeypatch):
    from ifnonto import progress

    class Tty(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert not progress.enabled()
    with progress.steps() as show:
        show("working")
    assert progress.sys.stderr.getvalue() == ""
    monkeypatch.setattr("sys.stderr", Tty())
    assert progress.enabled() and not progress.enabled(quiet=True)
    progress.set_quiet(True)
    try:
        assert not progress.enabled()
    finally:
        progress.set_quiet(False)


def test_every_query_runs_with_its_defaults_through_the_cli_helpers(engine):
    # the entity resolution must accept every default value the headers give
    for query in registry().values():
        defaults = {p.name: p.default for p in query.params if p.default and p.type == "iri"}
        assert resolve_entities(query, defaults, engine).keys() == defaults.keys()


def _stderr_on_a_terminal(*args: str) -> str:
    """Run the CLI with stderr on a pseudo-terminal; return what it wrote there."""
    import os
    import subprocess
    import sys

    from conftest import ROOT

    leader, follower = os.openpty()
    process = subprocess.Popen([sys.executable, "-m", "ifnonto", *args], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=follower, env={**os.environ, "TERM": "xterm", "COLUMNS": "100"})
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closes when the process ends
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=300)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


def test_validate_shows_progress_on_a_terminal_only(tmp_path):
    path = tmp_path / "broken.ttl"
    path.write_text("this is not turtle\n")
    shown = _stderr_on_a_terminal("validate", str(path))
    assert "reading your files" in shown or "starting" in shown, shown
    assert "broken.ttl" in shown  # and the error itself
    quiet = _stderr_on_a_terminal("validate", "--quiet", str(path))
    assert "reading your files" not in quiet and "starting" not in quiet and "broken.ttl" in quiet
    piped = run_cli("validate", str(path))
    assert piped.stderr.count("\n") == 1 and "reading" not in piped.stderr


def test_the_terms_a_query_names_are_read_from_its_parse():
    """Default prefix, a bare namespace name and predefined prefixes: CompValue.get answers a missing field with
    the field's own name, which made `ex:` read as `http://e/localname`."""
    from ifnonto.query_terms import query_iris

    text = 'PREFIX : <http://x/> PREFIX ex: <http://e/> SELECT * WHERE { ?s :p ex: ; ifn:produces ?o . ?o ?q "ex:z" }'
    assert query_iris(text) == {"http://x/p", "http://e/", "https://w3id.org/ifn-cancer/produces"}
