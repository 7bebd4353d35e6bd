"""Hostile and malformed input is inert: refused with one clear message and exit code 2, never a traceback,
never a file read or a network request it was not asked for."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import MINI, requires_java, run_cli
from ifnonto.errors import IfnontoError
from ifnonto.loading import load_graph
from ifnonto.queries import bind_values, get_query
from ifnonto.tables import read_table

XXE = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY secret SYSTEM "file:///etc/passwd"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <rdf:Description rdf:about="https://example.org/x"><rdfs:label>&secret;</rdfs:label></rdf:Description>
</rdf:RDF>
"""
BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <rdf:Description rdf:about="https://example.org/x"><rdfs:label>&lol4;</rdfs:label></rdf:Description>
</rdf:RDF>
"""

LISTS = ("@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n"
         "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n")
CASES = {
    "xxe.owl": (XXE, "DOCTYPE"),
    "bomb.rdf": (BOMB, "DOCTYPE"),
    "remote-context.jsonld": ('{"@context": "http://127.0.0.1:9/context.jsonld", "@id": "https://example.org/x"}',
                              "remote @context"),
    "import.jsonld": ('{"@context": {"@import": "http://127.0.0.1:9/c.jsonld"}, "@id": "https://example.org/x"}',
                      "@import"),
    "truncated.ttl": ("@prefix ifn: <https://w3id.org/ifn-cancer/> .\nifn:x ifn:y ", "cannot parse as turtle"),
    "unknown-prefix.ttl": ("nope:x nope:y nope:z .\n", "cannot parse as turtle"),
    "bad-iri.ttl": ("<http://exa mple.org/x> <http://example.org/p> <http://example.org/o> .\n", "cannot parse"),
    "empty.ttl": ("", "empty file"),
    "wrong-format.ttl": ('{"@id": "https://example.org/x"}', "cannot parse as turtle"),
    "notjson.jsonld": ("<rdf:RDF/>", "not valid JSON"),
    "data.xyz": ("<a> <b> <c> .", "unknown RDF file extension"),
    # RDF collections that never end or fork: reasoners dropped the class expression and said "consistent"
    "cyclic-list.ttl": (LISTS + "<urn:C> owl:unionOf _:l . _:l rdf:first <urn:A> ; rdf:rest _:l .\n",
                        "never ends"),
    "long-cycle.ttl": (LISTS + "<urn:C> owl:unionOf _:a . _:a rdf:first <urn:A> ; rdf:rest _:b . "
                       "_:b rdf:first <urn:B> ; rdf:rest _:a .\n", "never ends"),
    "forked-list.ttl": (LISTS + "<urn:C> owl:unionOf _:a . _:a rdf:first <urn:A>, <urn:B> ; rdf:rest rdf:nil .\n",
                        "2 rdf:first values"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_or_malformed_file_is_refused(tmp_path, name):
    text, fragment = CASES[name]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    done = run_cli("validate", str(path))
    assert done.returncode == 2, done.stdout + done.stderr
    assert fragment in done.stderr and name in done.stderr
    assert "Traceback" not in done.stderr and "root:" not in done.stdout + done.stderr


@pytest.mark.parametrize("name", ["cyclic-list.ttl", "forked-list.ttl"])
def test_malformed_lists_are_refused_by_reason(tmp_path, name):
    text, fragment = CASES[name]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    done = run_cli("reason", str(path))
    assert done.returncode == 2 and fragment in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_binary_file_is_refused(tmp_path):
    path = tmp_path / "binary.ttl"
    path.write_bytes(bytes(range(256)) * 64)
    done = run_cli("validate", str(path))
    assert done.returncode == 2 and "binary" in done.stderr and "Traceback" not in done.stderr


def test_huge_literal_is_read(tmp_path):
    path = tmp_path / "huge.ttl"
    path.write_text('<https://example.org/x> <http://www.w3.org/2000/01/rdf-schema#comment> "'
                    + "x" * 5_000_000 + '" .\n', encoding="utf-8")
    assert len(load_graph([path])) == 1


class _Recorder(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802
        _Recorder.hits.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args):
        return


@requires_java
def test_owl_imports_are_never_fetched(tmp_path):
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/evil.owl"
        extension = tmp_path / "imports.ttl"
        extension.write_text(f"@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
                             f"<https://example.org/mine> a owl:Ontology ; owl:imports <{url}> .\n", encoding="utf-8")
        done = run_cli("reason", str(extension))
        assert done.returncode == 0, done.stdout + done.stderr
        done = run_cli("validate", str(extension))
        assert done.returncode in (0, 1)
        assert _Recorder.hits == []
    finally:
        server.shutdown()


# ---------------------------------------------------------------------------------------- property-based

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
cell = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)


@FUZZ
@given(rows=st.lists(st.lists(cell, min_size=0, max_size=10), max_size=6))
def test_table_reader_only_raises_clear_errors(tmp_path, rows):
    path = tmp_path / "fuzz.tsv"
    header = "subject\tproperty\tobject\tsection\trefs\tevidence\tspecies\tnote\n"
    path.write_text(header + "".join("\t".join(r) + "\n" for r in rows), encoding="utf-8", errors="surrogatepass")
    try:
        read_table(path, "facts")
    except IfnontoError as exc:
        assert str(path) in str(exc)


@FUZZ
@given(subject=cell, prop=cell, obj=cell, refs=cell, evidence=cell)
def test_compiler_only_raises_clear_errors(tmp_path, subject, prop, obj, refs, evidence):
    import shutil

    from ifnonto.compile import compile_sources

    src = tmp_path / "src"
    if src.exists():
        shutil.rmtree(src)
    shutil.copytree(MINI, src)
    row = "\t".join(v.replace("\t", " ").replace("\n", " ").replace("\r", " ")
                    for v in (subject, prop, obj, "ifn-signaling", refs, evidence, "", ""))
    with open(src / "sources" / "mini" / "facts" / "mini.tsv", "a", encoding="utf-8", errors="surrogatepass") as handle:
        handle.write(row + "\n")
    try:
        compile_sources(src, "0.0")
    except IfnontoError as exc:
        assert "mini.tsv" in str(exc)


@FUZZ
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".ttl", ".nt", ".owl", ".jsonld", ".trig"]))
def test_loader_only_raises_clear_errors(tmp_path, data, suffix):
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    try:
        load_graph([path])
    except IfnontoError as exc:
        assert path.name in str(exc)


@FUZZ
@given(value=st.text(max_size=60))
def test_query_parameters_are_bound_or_refused(engine, value):
    query = get_query("signaling-cascade")
    try:
        bindings = bind_values(query, {"ifn": value})
    except IfnontoError:
        return
    rows = engine.select(query.text, bindings).rows
    assert all(row[0] == bindings["ifn"][1] for row in rows)  # only ever the bound interferon


@FUZZ
@given(value=st.text(max_size=60))
@example(value="0\x1f")  # str.strip() removes U+001F, int() does not: once a crash
def test_integer_and_string_parameters(value):
    from ifnonto.queries import PackagedQuery, Param
    from pathlib import Path

    query = PackagedQuery("t", Path("t.rq"), "t", "t", (Param("n", "integer", None, ""), Param("s", "string", None, "")),
                          "SELECT ?n ?s WHERE {}")
    try:
        bound = bind_values(query, {"n": value, "s": value})
    except IfnontoError as exc:
        assert "parameter" in str(exc)
        return
    assert bound["s"] == ("string", value)
    assert int(bound["n"][1]) == int(value.strip())
