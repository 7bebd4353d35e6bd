"""SHACL shapes: every shape and SPARQL constraint fires on a fixture made to break it; the release conforms."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from conftest import FIXTURES, run_cli
from ifnonto.validate import shapes_graph, validate_graph

SHAPES_NS = "https://w3id.org/ifn-cancer/shapes/"
SH = "http://www.w3.org/ns/shacl#"


def named_shapes() -> list[str]:
    graph = shapes_graph()
    names = {str(s) for kind in ("NodeShape", "SPARQLConstraint")
             for s in graph.subjects(RDF.type, URIRef(SH + kind)) if isinstance(s, URIRef)}
    return sorted(n[len(SHAPES_NS):] for n in names)


def test_every_shape_has_a_fixture():
    shapes = named_shapes()
    assert shapes, "no named shapes found"
    assert sorted(p.stem for p in (FIXTURES / "shapes").glob("*.ttl")) == shapes


def all_shapes_active() -> Graph:
    """The shapes with the curation-pass switch turned on, so that every fixture can prove its shape fires."""
    graph = shapes_graph()
    graph.remove((None, URIRef(SH + "deactivated"), None))
    return graph


def test_no_shape_is_switched_off():
    graph = shapes_graph()
    assert set(graph.subjects(URIRef(SH + "deactivated"), None)) == set()


@pytest.mark.parametrize("shape", named_shapes())
def test_shape_fires_on_its_fixture(shape):
    data = Graph().parse(FIXTURES / "shapes" / f"{shape}.ttl", format="turtle")
    findings = validate_graph(data, all_shapes_active())
    fired = {f.shape for f in findings}
    assert SHAPES_NS + shape in fired, fired


def test_release_conforms():
    """Every shape on the inferred release, as the gate runs them (the gate itself is tested in test_release)."""
    from ifnonto import paths, shacl_engine

    assert shacl_engine.validate([paths.release_file("nt", inferred=True)], with_release=False) == []


def test_validate_user_file_cli(tmp_path):
    good = tmp_path / "good.ttl"
    good.write_text("@prefix ifn: <https://w3id.org/ifn-cancer/> .\n"
                    "@prefix obo: <http://purl.obolibrary.org/obo/> .\n"
                    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
                    "ifn:my-cell a ifn:CellType ; rdfs:label \"my cell type\"@en ;\n"
                    "  obo:IAO_0000115 \"A cell type of my own.\"@en .\n", encoding="utf-8")
    done = run_cli("validate", str(good))
    assert done.returncode == 0, done.stdout + done.stderr
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ifn: <https://w3id.org/ifn-cancer/> .\n"
                   "ifn:EF-mine a ifn:Effect ; ifn:hasRegulator ifn:IFNG ; ifn:hasPolarity ifn:positive, ifn:negative .\n",
                   encoding="utf-8")
    done = run_cli("validate", str(bad))
    assert done.returncode == 1
    assert "focus https://w3id.org/ifn-cancer/EF-mine" in done.stdout
    assert "exactly one polarity" in done.stdout
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix ifn: <https://w3id.org/ifn-cancer/> .\nifn:x ifn:y \n", encoding="utf-8")
    done = run_cli("validate", str(broken))
    assert done.returncode == 2 and "broken.ttl" in done.stderr and "Traceback" not in done.stderr
