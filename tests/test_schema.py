"""The table schema is the one home of the column rules: the files it drives are current, and every name it
uses exists in core.ttl."""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from conftest import run_cli
from ifnonto import paths
from ifnonto.schema import load_schema
from ifnonto.schema_outputs import DOCS_BEGIN, DOCS_END, generated_files

IFN = "https://w3id.org/ifn-cancer/"


def test_generated_docs_and_shapes_are_current():
    files = generated_files()
    assert len(files) == 2
    stale = [str(path) for path, text in files.items() if path.read_text(encoding="utf-8") != text]
    assert stale == [], "run `ifnonto build --docs`"


def test_docs_list_every_column_of_every_table():
    text = (paths.ROOT / "docs" / "CURATION.md").read_text(encoding="utf-8")
    generated = text[text.index(DOCS_BEGIN):text.index(DOCS_END)]
    schema = load_schema()
    assert len(schema.tables) >= 8
    for table in schema.tables.values():
        for column in table.columns:
            assert f"| `{column.name}` |" in generated, (table.name, column.name)


def test_generated_shapes_say_they_are_generated():
    shapes = paths.SHAPES_DIR / "generated-table-shapes.ttl"
    assert shapes.read_text(encoding="utf-8").startswith("# GENERATED from ontology/src/schema.yaml")


def test_every_schema_name_is_declared_in_core():
    core = Graph().parse(paths.SOURCE_DIR / "core.ttl", format="turtle")
    declared = {str(s)[len(IFN):] for s in core.subjects() if str(s).startswith(IFN)}
    properties = {str(s)[len(IFN):] for kind in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
                  for s in core.subjects(RDF.type, kind) if str(s).startswith(IFN)}
    classes = {str(s)[len(IFN):] for s in core.subjects(RDF.type, OWL.Class) if str(s).startswith(IFN)}
    used = 0
    for table in load_schema().tables.values():
        for column in table.columns:
            if column.rdf_property:
                assert column.rdf_property in properties, (table.name, column.name, column.rdf_property)
                used += 1
            if column.cls:
                assert column.cls in classes, (table.name, column.name, column.cls)
            for value in (column.values or {}):
                individual = column.individual(value)
                if individual:
                    assert individual in declared, (table.name, column.name, individual)
                    assert (URIRef(IFN + individual), RDF.type, OWL.NamedIndividual) in core
    assert used > 30


def test_build_docs_rewrites_the_generated_files():
    done = run_cli("build", "--docs")
    assert done.returncode == 0, done.stderr
    assert "CURATION.md" in done.stdout and "generated-table-shapes.ttl" in done.stdout
    test_generated_docs_and_shapes_are_current()
