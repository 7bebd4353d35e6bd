"""The SHACL engine on pyoxigraph gives pySHACL's results (focus, path, value, severity, shape) on every shape
fixture, on the asserted release (which has findings), and on user files validated together with the release;
the scaled extensions the benchmark uses are schema-valid."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF, RDFS, SH, BNode, Graph, URIRef

from conftest import FIXTURES, ROOT, unraisable_on_another_thread
from ifnonto import paths, shacl_engine
from ifnonto.errors import IfnontoError
from ifnonto.validate import shapes_graph, validate_graph

SHAPE_FIXTURES = sorted((FIXTURES / "shapes").glob("*.ttl"))
ENGINE = FIXTURES / "shacl_engine"


def _blank_labels(*graphs: Graph) -> set[str]:
    return {str(t) for g in graphs for triple in g for t in triple if isinstance(t, BNode)}


def _findings(data: Graph, shapes: Graph, **options) -> list[tuple]:
    return [(f.shape, f.focus, f.path, f.value, f.severity) for f in validate_graph(data, shapes, **options)]


def _normalized(findings: list[tuple], *graphs: Graph) -> list[tuple]:
    """Blank nodes (which have no stable label) and complex paths shown as "_"."""
    blanks = _blank_labels(*graphs)
    return sorted(tuple("_" if i in (1, 2, 3) and text in blanks else text for i, text in enumerate(finding))
                  for finding in findings)


def reference(data: Graph, shapes: Graph, keep: set[str] | None = None) -> list[tuple]:
    """pySHACL's findings (only on the ``keep`` focus nodes when given)."""
    return _normalized([f for f in _findings(data, shapes) if keep is None or f[1] in keep], data, shapes)


def reference_on(data: Graph, shapes: Graph, focus: set) -> list[tuple]:
    """pySHACL's findings on the ``focus`` nodes, as ``reference(data, shapes, keep=focus)`` gives them, without
    validating every other node: pySHACL restricts IRI focus nodes itself; for blank ones, every shape whose
    targets can reach a blank node of ``focus`` runs, and its findings on them are kept."""
    iris = sorted(str(node) for node in focus if isinstance(node, URIRef))
    blanks = {node for node in focus if isinstance(node, BNode)}
    blank_types = {ancestor for node in blanks for typ in data.objects(node, RDF.type)
                   for ancestor in data.transitive_objects(typ, RDFS.subClassOf)}
    reaches = {SH.targetClass: blank_types,
               SH.targetSubjectsOf: {p for node in blanks for p in data.predicates(node)},
               SH.targetObjectsOf: {p for node in blanks for p in data.predicates(None, node)}}
    reaching = sorted({str(shape) for kind, values in reaches.items() for shape, value in
                       shapes.subject_objects(kind) if value in values}
                      | {str(shape) for shape in shapes.subjects(SH.target)})
    found = _findings(data, shapes, focus_nodes=iris) if iris else []
    if blanks and reaching:
        labels = {str(node) for node in blanks}
        found += [f for f in _findings(data, shapes, use_shapes=reaching) if f[1] in labels]
    return _normalized(found, data, shapes)


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
    expected = reference_on(merged, shapes_graph(), set(user.subjects()))
    assert len(expected) > 50 and any(row[1] == "_" for row in expected)  # blank focus nodes too
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


def test_validation_leaves_no_query_results_for_another_thread_to_free(monkeypatch):
    """pyoxigraph's lazy results may only be freed on the thread that made them. The engine's frames outlive a
    validation (rdflib's parser caches parse errors with their tracebacks), so they must hold no lazy results:
    the next parse, on another thread, freed them ("PyQuerySolutions is unsendable", seen in `serve`'s tests)."""
    import gc

    from rdflib.plugins.sparql import prepareQuery

    fixtures = [f for f in SHAPE_FIXTURES if f.stem == "AnnotatedTripleExistsConstraint"]
    assert fixtures and shacl_engine.validate(fixtures, with_release=False)

    def parse_elsewhere():
        prepareQuery("SELECT * WHERE { ?s ?p ?o }")
        gc.collect()

    assert unraisable_on_another_thread(monkeypatch, parse_elsewhere) == []


def test_a_constraint_that_is_not_a_select_query_is_a_clear_error(tmp_path):
    shapes, data = tmp_path / "shapes.ttl", tmp_path / "data.ttl"
    shapes.write_text('@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .\n'
                      'ex:S a sh:NodeShape ; sh:targetClass ex:C ;\n'
                      '  sh:sparql [ sh:select "CONSTRUCT { ?this ?p ?o } WHERE { ?this ?p ?o }" ] .\n',
                      encoding="utf-8")
    data.write_text("@prefix ex: <https://example.org/> . ex:a a ex:C .\n", encoding="utf-8")
    dataset = shacl_engine.Dataset()
    dataset.load_file(data, extension=False)
    with pytest.raises(IfnontoError, match="must be a SELECT query"):
        shacl_engine.Validator(shacl_engine.Program([shapes]), dataset).run(only_extension=False)
