"""Entities typed by their reference classes (CL, GO, MONDO, NCIt, ChEBI, EFO), the generated MIREOT import, and the
functional classes of molecules assigned from the review."""

from __future__ import annotations

import shutil

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from conftest import copy_sources
from ifnonto.errors import IfnontoError
from ifnonto.reference_links import decide_links, reference_xrefs
from ifnonto.reference_terms import (GENERATED_LINE, TERMS_ENV, committed_import_path, curie_of, import_from_tables,
                                     import_text, iri_of, reference_import, terms_dir)

IFN = Namespace("https://w3id.org/ifn-cancer/")
OBO = Namespace("http://purl.obolibrary.org/obo/")
SKOS_CLOSE = URIRef("http://www.w3.org/2004/02/skos/core#closeMatch")
ROOTS = {"CL": OBO.CL_0000000, "MONDO": OBO.MONDO_0000001}
GO_ROOTS = {OBO.GO_0008150, OBO.GO_0005575, OBO.GO_0003674}


def ancestors(graph: Graph, node: URIRef) -> set[URIRef]:
    from ifnonto.diagnose import named_ancestors

    return named_ancestors(graph, node)


def test_committed_import_is_marked_and_sorted():
    text = committed_import_path().read_text(encoding="utf-8")
    assert text.splitlines()[0] == GENERATED_LINE
    graph = Graph().parse(data=text, format="turtle")
    assert import_text(graph) == text  # the writer is a fixed point: deterministic output
    assert len(set(graph.subjects(RDF.type, OWL.Class))) > 300


@pytest.mark.skipif(terms_dir() is None, reason="the term tables (../shared/terms or $IFNONTO_TERMS) are absent")
def test_import_regenerated_from_the_term_tables_equals_the_committed_file(asserted_graph):
    links = decide_links(asserted_graph)
    assert import_text(links.import_graph) == committed_import_path().read_text(encoding="utf-8")


def test_without_term_tables_the_committed_import_is_used(asserted_graph, tmp_path, monkeypatch):
    monkeypatch.setenv(TERMS_ENV, str(tmp_path))  # an empty folder: no tables
    assert terms_dir() is None
    links = decide_links(asserted_graph)
    assert import_text(links.import_graph) == committed_import_path().read_text(encoding="utf-8")
    # a subset of the seeds gives the subset of the import: the term and its ancestors only
    cut = reference_import({"CL:0000084"})
    assert set(cut.subjects(RDF.type, OWL.Class)) == ancestors(cut, OBO.CL_0000084)
    assert OBO.CL_0000738 in ancestors(cut, OBO.CL_0000084) and OBO.CL_0000000 in ancestors(cut, OBO.CL_0000084)
    with pytest.raises(IfnontoError, match="CL:0000003 not in the committed reference-terms import"):
        reference_import({"CL:0000003"})


def test_obsolete_or_unknown_terms_are_refused(tmp_path):
    (tmp_path / "go.tsv").write_text(
        "id\tlabel\tnamespace\tsynonyms\talt_ids\tobsolete\tnote\tparents\tpart_of\n"
        "GO:0008150\tbiological_process\tbiological_process\t\t\tfalse\t\t\t\n"
        "GO:0010942\tpositive regulation of cell death\tbiological_process\t\t\ttrue\t\t\t\n", encoding="utf-8")
    assert len(import_from_tables({"GO:0008150"}, tmp_path)) == 2  # declaration + label
    with pytest.raises(IfnontoError, match="GO:0010942 .* is obsolete"):
        import_from_tables({"GO:0010942"}, tmp_path)
    with pytest.raises(IfnontoError, match="GO:0000001 is not in go.tsv"):
        import_from_tables({"GO:0000001"}, tmp_path)
    with pytest.raises(IfnontoError, match="not a CURIE of a reference ontology"):
        reference_import({"HGNC:5438"})


def test_release_carries_the_import_without_owl_imports(asserted_graph):
    imported = Graph().parse(committed_import_path(), format="turtle")
    assert all(triple in asserted_graph for triple in imported)
    assert not list(asserted_graph.triples((None, OWL.imports, None)))


@pytest.mark.parametrize("entity, cls", [
    ("T-cell", OBO.CL_0000084), ("apoptosis", OBO.GO_0006915), ("ferroptosis", OBO.GO_0097707),
    ("melanoma", OBO.MONDO_0005105), ("melanoma", OBO.NCIT_C3224), ("cisplatin", OBO.CHEBI_27899),
    ("ISGF3", OBO.GO_0070721), ("nucleus", OBO.GO_0005634), ("DU145", URIRef("http://www.ebi.ac.uk/efo/EFO_0005441")),
])
def test_entities_are_typed_by_their_reference_class(asserted_graph, entity, cls):
    assert (IFN[entity], RDF.type, cls) in asserted_graph


def test_mismatched_kinds_get_a_close_match_not_a_type(asserted_graph):
    survival_time = URIRef("http://www.ebi.ac.uk/efo/EFO_0000714")
    assert (IFN.survival, SKOS_CLOSE, survival_time) in asserted_graph
    assert (IFN.survival, RDF.type, survival_time) not in asserted_graph
    assert (IFN["cancer-progression"], SKOS_CLOSE, OBO.NCIT_C19987) in asserted_graph


def test_every_reference_xref_is_linked_by_iri(asserted_graph):
    xrefs = reference_xrefs(asserted_graph)
    pairs = [(entity, iri_of(curie)) for entity, curies in xrefs.items() for curie in curies]
    assert len(pairs) >= 200
    unlinked = [(e, c) for e, c in pairs
                if (e, RDF.type, c) not in asserted_graph and (e, SKOS_CLOSE, c) not in asserted_graph]
    assert unlinked == []


def test_genes_are_never_typed_by_a_reference_class(asserted_graph, inferred_graph):
    genes = set(inferred_graph.subjects(RDF.type, IFN.GeneProduct)) - set(
        inferred_graph.subjects(RDF.type, IFN.ProteinComplex))
    assert len(genes) > 100
    wrong = [(g, t) for g in genes for t in inferred_graph.objects(g, RDF.type) if curie_of(str(t))]
    assert wrong == []


def test_nothing_is_typed_by_a_molecular_function(inferred_graph):
    functions = {s for s in inferred_graph.subjects(RDFS.subClassOf, OBO.GO_0003674)} | {OBO.GO_0003674}
    typed = [(s, o) for s, o in inferred_graph.subject_objects(RDF.type) if o in functions]
    assert typed == []


def test_every_typed_reference_class_reaches_its_root(asserted_graph):
    typed = {o for s, o in asserted_graph.subject_objects(RDF.type)
             if str(s).startswith(str(IFN)) and curie_of(str(o))}
    assert len(typed) > 150
    for cls in typed:
        prefix = curie_of(str(cls)).split(":")[0]
        above = ancestors(asserted_graph, cls)
        if prefix in ROOTS:
            assert ROOTS[prefix] in above, cls
        elif prefix == "GO":
            assert above & GO_ROOTS, cls
        assert len(list(asserted_graph.objects(cls, RDFS.label))) == 1, cls


def test_inferred_release_materializes_reference_types(inferred_graph):
    assert (IFN["T-cell"], RDF.type, OBO.CL_0000738) in inferred_graph          # T cell is a leukocyte
    assert (IFN.ferroptosis, RDF.type, OBO.GO_0012501) in inferred_graph        # ferroptosis is programmed death
    assert (IFN["hepatocellular-carcinoma"], RDF.type, OBO.MONDO_0004993) in inferred_graph  # a carcinoma


# ---------------------------------------------------------------- functional classes of molecules

def test_roles_are_assigned_with_evidence(asserted_graph):
    for gene, role in [("TNFSF10", "ProApoptoticMolecule"), ("CDKN1A", "CDKInhibitor"),
                       ("ICAM1", "CellAdhesionMolecule"), ("CD274", "ImmuneCheckpointLigand")]:
        assert (IFN[gene], RDF.type, IFN[role]) in asserted_graph
        axioms = [a for a in asserted_graph.subjects(OWL.annotatedSource, IFN[gene])
                  if (a, OWL.annotatedProperty, RDF.type) in asserted_graph
                  and (a, OWL.annotatedTarget, IFN[role]) in asserted_graph]
        assert len(axioms) == 1 and (axioms[0], IFN.inSection, None) in asserted_graph


def test_roles_sit_under_go_through_ro_restrictions(asserted_graph):
    capable_of, involved_in = OBO.RO_0002215, OBO.RO_0002331
    for role, prop, go in [("Chemokine", capable_of, OBO.GO_0008009), ("CDKInhibitor", capable_of, OBO.GO_0004861),
                           ("ProApoptoticMolecule", involved_in, OBO.GO_0043065)]:
        restrictions = [r for r in asserted_graph.objects(IFN[role], RDFS.subClassOf)
                        if (r, OWL.onProperty, prop) in asserted_graph and (r, OWL.someValuesFrom, go) in asserted_graph]
        assert len(restrictions) == 1, role
        assert (go, RDF.type, OWL.Class) in asserted_graph  # the GO class is in the import


def _with_roles(tmp_path, text: str):
    sources = copy_sources(tmp_path / "src")
    roles = next((sources / "sources").iterdir()) / "roles"
    shutil.rmtree(roles, ignore_errors=True)
    roles.mkdir(parents=True)
    (roles / "roles.tsv").write_text("entity\trole\tsection\trefs\tevidence\tnote\n" + text,
                                                 encoding="utf-8")
    return sources


@pytest.mark.parametrize("row, message", [
    ("NOPE\tProApoptoticMolecule\tcell-death\t\tNAS\tx\n", "'NOPE'"),
    ("IFNG\tNoSuchRole\tcell-death\t\tNAS\tx\n", "unknown role 'NoSuchRole'"),
    ("IFNG\tProApoptoticMolecule\tcell-death\t\tTAS\tx\n", "TAS"),
    ("IFNG\tProApoptoticMolecule\tno-section\t\tNAS\tx\n", "no-section"),
])
def test_bad_role_rows_are_reported_with_file_and_line(tmp_path, row, message):
    from ifnonto.compile import compile_sources

    sources = _with_roles(tmp_path, row)
    with pytest.raises(IfnontoError) as caught:
        compile_sources(sources)
    assert message in str(caught.value) and "roles.tsv:2" in str(caught.value)


def test_a_good_role_row_types_the_entity(tmp_path):
    from ifnonto.compile import compile_sources

    sources = _with_roles(tmp_path, "IFNG\tCytokine\tifn-signaling\t\tNAS\tA secreted signalling protein.\n")
    compiled = compile_sources(sources)
    assert compiled.counts["roles"] == 1
    assert (IFN.IFNG, RDF.type, IFN.Cytokine) in compiled.graph
    assert Literal("A secreted signalling protein.", lang="en") in set(compiled.graph.objects(None, None))


@pytest.mark.parametrize("case", [("effects-under-class", "CL:0000738"), ("effects-under-class", "GO:0012501"),
                                  ("studies-under-cancer-class", "MONDO:0004993")])
def test_subclass_path_on_the_asserted_release_equals_materialized_types(engine, case):
    """The packaged queries read the materialized types of the inferred release; the same question asked of the
    asserted release through rdf:type/rdfs:subClassOf* (the imported hierarchy) gives the same rows."""
    from ifnonto.engines import OxigraphEngine
    from ifnonto.paths import release_file
    from ifnonto.queries import bind_values, get_query

    name, cls = case
    query = get_query(name)
    bindings = bind_values(query, {"class": cls})
    path_text = query.text.replace("rdf:type ?class", "rdf:type/rdfs:subClassOf* ?class")
    assert path_text != query.text
    materialized = engine.select(query.text, bindings).rows
    through_path = OxigraphEngine([release_file("nt")]).select(path_text, bindings).rows
    assert len(materialized) >= 5
    assert through_path == materialized
