"""One safe loader for every path that reads RDF: the same refusals for validate, reason, the engines (so
`serve FILE` and `sparql`) and the rdflib graph; named graphs loaded or refused, never dropped; one-line errors
for files that are not regular readable files."""

from __future__ import annotations

import os
import socket

import pytest

from conftest import run_cli
from ifnonto.engines import OxigraphEngine, RdflibEngine
from ifnonto.errors import IfnontoError
from ifnonto.loading import RDF_FORMATS, load_graph, load_store, media_type, rdf_format

BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">
  <rdf:Description rdf:about="https://example.org/x"><rdfs:label>&lol2;</rdfs:label></rdf:Description>
</rdf:RDF>
"""
TRIG = """@prefix ex: <https://example.org/> .
ex:a ex:p ex:b .
ex:g1 { ex:c ex:p ex:d . ex:e ex:p ex:f . }
"""
LOADERS = {
    "rdflib graph (validate, reason)": lambda path: load_graph([path]),
    "oxigraph engine (query, sparql, serve FILE)": lambda path: OxigraphEngine([path]),
    "rdflib engine": lambda path: RdflibEngine([path]),
}


@pytest.mark.parametrize("loader", sorted(LOADERS))
def test_entity_bomb_is_refused_by_every_loader(tmp_path, loader):
    path = tmp_path / "bomb.rdf"
    path.write_text(BOMB)
    with pytest.raises(IfnontoError, match="DOCTYPE"):
        LOADERS[loader](path)


@pytest.mark.parametrize("loader", sorted(LOADERS))
def test_remote_jsonld_context_is_refused_by_every_loader(tmp_path, loader):
    path = tmp_path / "remote.jsonld"
    path.write_text('{"@context": "http://127.0.0.1:9/c.jsonld", "@id": "https://example.org/x"}')
    with pytest.raises(IfnontoError, match="remote @context"):
        LOADERS[loader](path)


def test_deeply_nested_jsonld_is_one_error(tmp_path):
    path = tmp_path / "deep.jsonld"
    path.write_text('{"@id": "https://example.org/x", "https://example.org/p": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(IfnontoError, match="nested deeper"):
        load_graph([path])
    done = run_cli("validate", str(path))
    assert done.returncode == 2 and "nested deeper" in done.stderr and "Traceback" not in done.stderr


def test_named_graphs_are_refused_where_they_would_be_merged(tmp_path):
    path = tmp_path / "data.trig"
    path.write_text(TRIG)
    with pytest.raises(IfnontoError, match=r"2 triple\(s\) in 1 named graph.*https://example.org/g1"):
        load_graph([path])
    done = run_cli("validate", str(path))
    assert done.returncode == 2 and "named graph" in done.stderr and "conforms" not in done.stdout


def test_named_graphs_are_kept_in_a_store(tmp_path):
    path = tmp_path / "data.nq"
    path.write_text('<https://example.org/a> <https://example.org/p> "x" <https://example.org/g1> .\n'
                    '<https://example.org/b> <https://example.org/p> "y" .\n')
    engine = OxigraphEngine([path])
    assert engine.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }").rows == [["https://example.org/b", "https://example.org/p", "y"]]
    rows = engine.select("SELECT ?g ?s WHERE { GRAPH ?g { ?s ?p ?o } }").rows
    assert rows == [["https://example.org/g1", "https://example.org/a"]]


def test_multi_line_literals_are_read_whole(tmp_path):
    # rdflib's own Turtle parser takes ~50 s on one 1 MB multi-line literal (benchmarks/parse_scaling.py
    # measures it); the loader reads it with pyoxigraph.
    value = "one line of text\n" * 60_000
    path = tmp_path / "long.ttl"
    path.write_text('<https://example.org/s> <https://example.org/p> """' + value + '""" .\n')
    graph = load_graph([path])
    assert len(graph) == 1
    assert str(next(iter(graph.objects()))) == value


def test_the_release_reads_the_same_through_the_loader():
    from rdflib import Graph

    from ifnonto import paths

    release = paths.release_file("nt")
    ours = load_graph([release])
    theirs = Graph().parse(release, format="nt")
    assert len(ours) == len(theirs) > 10000
    from collections import Counter

    from rdflib import BNode

    def shape(graph):  # every triple, with blank nodes anonymised (a full isomorphism check takes minutes)
        return Counter(tuple("_" if isinstance(t, BNode) else t for t in triple) for triple in graph)

    assert shape(ours) == shape(theirs)


def _fifo(tmp_path):
    path = tmp_path / "pipe.ttl"
    os.mkfifo(path)
    return path


def _loop(tmp_path):
    a, b = tmp_path / "a.ttl", tmp_path / "b.ttl"
    a.symlink_to(b)
    b.symlink_to(a)
    return a


def _directory(tmp_path):
    path = tmp_path / "folder.ttl"
    path.mkdir()
    return path


def _socket(tmp_path):
    path = tmp_path / "sock.ttl"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    return path


@pytest.mark.parametrize("make, message", [(_fifo, "FIFO"), (_loop, "symbolic link loop"),
                                           (_directory, "is a directory"), (_socket, "not a regular file")])
def test_non_regular_files_are_one_line_errors(tmp_path, make, message):
    path = make(tmp_path)
    for loader in LOADERS.values():
        with pytest.raises(IfnontoError, match=message):
            loader(path)
    done = run_cli("validate", str(path), timeout=120)  # a FIFO must not hang it
    assert done.returncode == 2 and message in done.stderr and len(done.stderr.splitlines()) == 1


def test_unreadable_file_is_one_line_error(tmp_path, monkeypatch):
    path = tmp_path / "secret.ttl"
    path.write_text("<https://example.org/a> <https://example.org/p> 1 .\n")
    path.chmod(0)
    if os.geteuid() == 0:  # root reads anything: make the access check say what it says to a user
        monkeypatch.setattr(os, "access", lambda *_args, **_kw: False)
    with pytest.raises(IfnontoError, match="permission denied"):
        load_graph([path])


def test_one_format_table():
    assert rdf_format("x.ttl").media_type == "text/turtle"
    assert media_type("x.owl") == "application/rdf+xml"
    assert rdf_format("x.data", "trig").quads and rdf_format("x", "application/n-quads").name == "nquads"
    assert {fmt.name for fmt in RDF_FORMATS.values()} == {"turtle", "ntriples", "rdfxml", "jsonld", "n3", "trig",
                                                          "nquads"}
    with pytest.raises(IfnontoError, match="unknown RDF file extension"):
        rdf_format("x.docx")


def test_store_loader_reports_syntax_errors_with_line(tmp_path):
    import pyoxigraph

    path = tmp_path / "bad.ttl"
    path.write_text("<https://example.org/a> <https://example.org/p> 1 .\n<https://example.org/a> oops .\n")
    with pytest.raises(IfnontoError) as info:
        load_store(pyoxigraph.Store(), path)
    assert "bad.ttl:2" in str(info.value)


def test_load_file_uses_the_safe_loader(tmp_path):
    # `load --file` refuses an entity bomb before anything is sent (the endpoint here does not exist)
    path = tmp_path / "bomb.rdf"
    path.write_text(BOMB)
    done = run_cli("load", "--endpoint", "http://127.0.0.1:9/query", "--file", str(path))
    assert done.returncode == 2 and "DOCTYPE" in done.stderr and len(done.stderr.splitlines()) == 1
    fifo = tmp_path / "pipe.nt"
    os.mkfifo(fifo)
    done = run_cli("load", "--endpoint", "http://127.0.0.1:9/query", "--file", str(fifo), timeout=120)
    assert done.returncode == 2 and "FIFO" in done.stderr


def test_serve_file_uses_the_safe_loader(tmp_path):
    from ifnonto.serve import check_served_files

    path = tmp_path / "bomb.rdf"
    path.write_text(BOMB)
    with pytest.raises(IfnontoError, match="DOCTYPE"):
        check_served_files([path])
