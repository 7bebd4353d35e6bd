"""The SHACL engine on pyoxigraph gives pySHACL's results (focus, path, value, severity, shape) on every shape
fixture, on the asserted release (which has findings), and on user files validated together with the release;
the scaled extensions the benchmark uses are schema-valid."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph

from conftest import FIXTURES, ROOT
from ifnonto import paths, shacl_engine
from ifnonto.validate import shapes_graph, validate_graph

SHAPE_FIXTURES = sorted((FIXTURES / "shapes").glob("*.ttl"))
ENGINE = FIXTURES / "shacl_engine"


def _blank_labels(*graphs: Graph) -> set[str]:
    return {str(t) for g in graphs for triple in g for t in triple if isinstance(t, BNode)}


def reference(data: Graph, shapes: Graph, keep: set[str] | None = None) -> list[tuple]:
    """pySHACL's findings, blank nodes (which have no stable label) and complex paths shown as "_"."""
    blanks = _blank_labels(data, shapes)
    norm = lambda text: "_" if text in blanks else text  # noqa: E731
    return sorted((f.shape, norm(f.focus), norm(f.path), norm(f.value), f.severity)
                  for f in validate_graph(data, shapes) if keep is None or f.focus in keep)


def engine(results: list[shacl_engine.Result]) -> list[tuple]:
    norm = lambda term: "_" if isinstance(term, ox.BlankNode) else shacl_engine._lexical(term)  # noqa: E731
    return sorted((r.shape, norm(r.focus), "_" if r.path.startswith("(") else r.path, norm(r.value), r.severity)
                  for r in results)


@pytest.mark.parametrize("fixture", SHAPE_FIXTURES, ids=lambda p: p.stem)
def test_engine_agrees_with_pyshacl_on_shape_fixture(fixture):
    expected = reference(Graph().parse(fixture, format="turtle"), shapes_graph())
    assert expected, f"{fixture.name} makes no shape fire"
    assert engine(shacl_engine.validate([fixture], with_release=False)) == expected
    # the reference semantics (every SPARQL constraint once per focus node, $this pre-bound) agree too
    assert engine(shacl_engine.validate([fixture], with_release=False, batch=False)) == expected


def test_engine_agrees_on_features_beyond_the_project_shapes():
    data, shapes = ENGINE / "data.ttl", ENGINE / "shapes.ttl"
    expected = reference(Graph().parse(data), Graph().parse(shapes))
    program = shacl_engine.Program([shapes])
    assert list(program.unsupported()) == ["https://example.org/engine/TwinShape"]  # sh:equals: pySHACL runs it
    dataset = shacl_engine.Dataset()
    dataset.load_file(data, extension=False)
    validator = shacl_engine.Validator(program, dataset)
    results = validator.run(only_extension=False)
    results += shacl_engine._pyshacl_fallback(program, dataset, list(program.unsupported()), False)
    assert validator.per_focus == ["https://example.org/engine/NestedFilterConstraint"]
    assert len(expected) == 52 and len({row[0] for row in expected}) == 7
    # sh:or, sh:and, sh:not, sh:xone, sh:node (with its details) and the pySHACL-run sh:equals fire
    assert {"https://example.org/engine/ContactShape", "https://example.org/engine/NamedShape",
            "https://example.org/engine/TwinShape"} <= {row[0] for row in expected}
    assert engine(results) == expected


def test_batching_is_refused_where_it_would_change_the_meaning():
    focus = f"GRAPH <{shacl_engine.FOCUS_GRAPH.value}> {{ ?this <{shacl_engine.FOCUS_OF.value}> <urn:k> }}"
    assert shacl_engine._batch_text("SELECT $this WHERE { FILTER NOT EXISTS { $this <urn:q> ?x } }", focus)
    for text in ("SELECT $this WHERE { { FILTER NOT EXISTS { $this <urn:q> ?x } } }",
                 "SELECT ?x WHERE { { ?x <urn:q> ?y OPTIONAL { $this <urn:r> ?x } } }",
                 "SELECT (COUNT(?x) AS ?n) WHERE { $this <urn:q> ?x }",
                 "SELECT $this WHERE { $this <urn:q> ?x } LIMIT 1",
                 "SELECT $this WHERE { $this <urn:q> ?x MINUS { $this <urn:r> ?x } }",
                 "SELECT $this WHERE { { SELECT $this WHERE { $this <urn:q> ?x } } }"):
        assert shacl_engine._batch_text(text, focus) is None, text


def test_engine_agrees_on_the_asserted_release():
    data = Graph().parse(paths.release_file("nt"), format="nt")
    expected = reference(data, shapes_graph())
    assert expected  # the asserted release lacks the inferred links some shapes need
    assert engine(shacl_engine.validate([], inferred=False)) == expected


def test_extension_validates_only_its_own_nodes(tmp_path):
    """A user file made of every shape fixture, validated with the asserted release: the engine reports what
    pySHACL reports on the merged graph for the file's nodes, and nothing about the release's own nodes."""
    user = Graph()
    for fixture in SHAPE_FIXTURES:
        user.parse(fixture, format="turtle")
    extension = tmp_path / "extension.nt"
    extension.write_text(user.serialize(format="nt"), encoding="utf-8")
    user = Graph().parse(extension, format="nt")
    merged = Graph().parse(paths.release_file("nt"), format="nt")
    merged += user
    expected = reference(merged, shapes_graph(), keep={str(s) for s in user.subjects()})
    assert len(expected) > 50
    assert engine(shacl_engine.validate([extension], inferred=False)) == expected
    release_only = shacl_engine.validate([], inferred=False)
    assert release_only and not {r.focus for r in release_only} & {r.focus for r in
                                                                    shacl_engine.validate([extension],
                                                                                          inferred=False)}


def _generator():
    spec = importlib.util.spec_from_file_location("scaled", ROOT / "benchmarks" / "scaled.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_scaled_extensions_are_schema_valid_and_deterministic(tmp_path):
    generator = _generator()
    first, second = tmp_path / "x2.nt", tmp_path / "again.nt"
    generator.write_scaled(first, 2, include_release=False, inferred=True)
    generator.write_scaled(second, 2, include_release=False, inferred=True)
    assert first.read_bytes() == second.read_bytes()
    triples = first.read_text(encoding="utf-8").count(" .\n")
    release = Path(paths.release_file("nt", inferred=True)).read_text(encoding="utf-8").count(" .\n")
    assert 1.5 * release < triples < 2.5 * release
    assert shacl_engine.validate([first]) == []
