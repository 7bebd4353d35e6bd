"""A source is a unit: the review and an INVENTED second source build together without collision, pass the
checks together, and the packaged query filters by source."""

from __future__ import annotations

import shutil
from collections import Counter

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from conftest import FIXTURES
from ifnonto import paths
from ifnonto.compile import compile_sources
from ifnonto.errors import IfnontoError, IfnontoErrors
from ifnonto.sources import read_source

IFN = "https://w3id.org/ifn-cancer/"
REVIEW = paths.SOURCE_DIR / "sources" / "zhang2021"
INVENTED = FIXTURES / "sources" / "invented2099"
INVENTED_ENTITIES = FIXTURES / "sources" / "entities"
FROM_SOURCE = URIRef(IFN + "fromSource")


def compile_both(invented=INVENTED):
    return compile_sources(sources=[REVIEW, invented], entity_dirs=[paths.SOURCE_DIR / "entities", INVENTED_ENTITIES])


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    compiled = compile_both()
    path = tmp_path_factory.mktemp("two-sources") / "two.nt"
    compiled.graph.serialize(path, format="nt", encoding="utf-8")
    return compiled, path


def test_the_invented_source_says_so():
    record = read_source(INVENTED)
    assert record.invented and "INVENTED" in (record.citation or "")
    assert not read_source(REVIEW).invented


def test_both_sources_build_with_their_own_counts(both):
    compiled, _ = both
    assert compiled.counts["sources"] == 2
    graph = compiled.graph
    review, invented = URIRef(IFN + "source/zhang2021"), URIRef(IFN + "source/invented2099")
    assert graph.value(review, URIRef(IFN + "referenceCount")) == Literal(240)
    assert graph.value(invented, URIRef(IFN + "referenceCount")) == Literal(15)
    assert (invented, URIRef(IFN + "invented"), Literal(True)) in graph
    references = Counter(graph.value(ref, FROM_SOURCE) for ref in graph.subjects(RDF.type, URIRef(IFN + "Reference")))
    assert references == {review: 240, invented: 15}


def test_colliding_names_get_distinct_iris(both):
    graph = both[0].graph
    for local in ("ref-12", "section/killing", "section/table-1", "study-01", "figure-1"):
        nodes = [URIRef(f"{IFN}source/{source}/{local}") for source in ("zhang2021", "invented2099")]
        labels = [graph.value(node, RDFS.label) for node in nodes]
        assert all(labels), (local, labels)
        assert [graph.value(node, FROM_SOURCE) for node in nodes] == \
               [URIRef(IFN + "source/zhang2021"), URIRef(IFN + "source/invented2099")]
    # the invented reference 12 keeps its own record, the review's its own
    assert "Fictional C" in str(graph.value(URIRef(IFN + "source/invented2099/ref-12"), RDFS.label))
    assert "Fictional C" not in str(graph.value(URIRef(IFN + "source/zhang2021/ref-12"), RDFS.label))


def test_no_node_belongs_to_two_sources(both):
    graph = both[0].graph
    owners = Counter(s for s in graph.subjects(FROM_SOURCE, None))
    assert owners and max(owners.values()) == 1
    # every assertion of the invented source cites only the invented source's references
    for node in graph.subjects(FROM_SOURCE, URIRef(IFN + "source/invented2099")):
        for ref in graph.objects(node, URIRef(IFN + "citesReference")):
            assert str(ref).startswith(IFN + "source/invented2099/"), (node, ref)


def test_old_iris_of_the_review_resolve_to_the_new_ones(both):
    graph = both[0].graph
    replaced_by = URIRef("http://purl.obolibrary.org/obo/IAO_0100001")
    for old, new in (("ref-12", "source/zhang2021/ref-12"), ("section/killing", "source/zhang2021/section/killing"),
                     ("study-01", "source/zhang2021/study-01")):
        assert (URIRef(IFN + old), OWL.deprecated, Literal(True)) in graph
        assert graph.value(URIRef(IFN + old), replaced_by) == URIRef(IFN + new)
    # the invented source never had unscoped IRIs
    assert not any(str(o).startswith(IFN + "source/invented2099") for o in graph.objects(None, replaced_by))


def test_qc_and_shapes_pass_on_both_sources(both):
    from ifnonto.qc import run_qc
    from ifnonto.validate import validate_graph

    compiled, path = both
    outcomes = run_qc([path], inferred=False)
    assert len(outcomes) >= 15
    assert {o.check.name: o.result.rows[:3] for o in outcomes if not o.ok} == {}
    data = Graph()
    data += compiled.graph
    # the only inferences the shapes rely on are inverses (hasIsoform / isIsoformOf): add them as HermiT would
    for p, q in list(data.subject_objects(OWL.inverseOf)):
        for s, o in list(data.subject_objects(p)):
            data.add((o, q, s))
        for s, o in list(data.subject_objects(q)):
            data.add((o, p, s))
    # the whole review is validated on the release (test_shapes); here: every node of the invented source and
    # the review's nodes whose names it reuses
    invented = URIRef(IFN + "source/invented2099")
    focus = set(data.subjects(FROM_SOURCE, invented)) | {invented, URIRef(IFN + "invented-factor-Z")}
    focus |= {URIRef(f"{IFN}source/zhang2021/{local}") for local in
              ("ref-12", "section/killing", "section/table-1", "study-01", "figure-1")}
    focus |= {URIRef(IFN + "source/zhang2021")}
    focus |= set(data.subjects(URIRef(IFN + "inSection"), URIRef(IFN + "source/zhang2021/section/killing")))
    focus = sorted(node for node in focus if isinstance(node, URIRef))
    assert len(focus) > 12
    findings = validate_graph(data, focus_nodes=focus)
    assert [(f.shape, f.focus, f.message) for f in findings][:10] == []
    # the same check fires on a broken copy: an invented effect that loses its source
    broken = Graph()
    broken += data
    broken.remove((URIRef(IFN + "EF-inv-001"), FROM_SOURCE, None))
    fired = validate_graph(broken, focus_nodes=[URIRef(IFN + "EF-inv-001")])
    assert {f.message for f in fired} == {"an assertion needs exactly one source (fromSource)"}


def test_query_filters_by_source(both):
    from ifnonto.engines import OxigraphEngine
    from ifnonto.queries import bind_values, get_query

    engine = OxigraphEngine([both[1]])
    query = get_query("effects-by-source")
    invented = engine.select(query.text, bind_values(query, {"source": "source/invented2099", "section": "killing"}))
    assert [row[2] for row in invented.rows] == [IFN + "EF-inv-001", IFN + "EF-inv-002"]
    review = engine.select(query.text, bind_values(query, {"source": "source/zhang2021", "section": "killing"}))
    assert len(review.rows) > 20
    assert {row[0] for row in review.rows} == {IFN + "source/zhang2021"}
    assert not {IFN + "EF-inv-001", IFN + "EF-inv-002"} & {row[2] for row in review.rows}


def test_reference_beyond_the_source_count_is_a_row_error(tmp_path):
    invented = shutil.copytree(INVENTED, tmp_path / "invented2099")
    table = invented / "effects" / "killing.tsv"
    table.write_text(table.read_text(encoding="utf-8").replace("\tkilling\t12-13\t", "\tkilling\t12-16\t"),
                     encoding="utf-8")
    with pytest.raises((IfnontoError, IfnontoErrors)) as error:
        compile_both(invented)
    assert "killing.tsv:3: refs: reference number 16 is outside 1..15" in str(error.value)


def test_study_beyond_its_table_is_a_row_error(tmp_path):
    invented = shutil.copytree(INVENTED, tmp_path / "invented2099")
    table = invented / "studies" / "table-1.tsv"
    table.write_text(table.read_text(encoding="utf-8").replace("\ttable-1\t1\t", "\ttable-1\t2\t"), encoding="utf-8")
    with pytest.raises((IfnontoError, IfnontoErrors)) as error:
        compile_both(invented)
    assert "table-1.tsv:2: row: row 2 is outside 1..1 of table-1" in str(error.value)


def test_source_record_errors_name_the_file(tmp_path):
    invented = shutil.copytree(INVENTED, tmp_path / "invented2099")
    record = invented / "source.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace("reference_count: 15", "reference_count: many"),
                      encoding="utf-8")
    with pytest.raises(IfnontoError) as error:
        read_source(invented)
    assert str(error.value).startswith(str(record)) and "reference_count: must be a positive integer" in str(error.value)


def test_iri_mapping_table_lists_every_renamed_iri(asserted_graph):
    replaced_by = URIRef("http://purl.obolibrary.org/obo/IAO_0100001")
    in_release = {(str(old), str(new)) for old, new in asserted_graph.subject_objects(replaced_by)
                  if str(new).startswith(IFN + "source/")}
    lines = (paths.ROOT / "docs" / "iri-mapping.tsv").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# GENERATED") and lines[1] == "old_iri\tnew_iri\tlabel"
    listed = {tuple(line.split("\t")[:2]) for line in lines[2:]}
    assert len(listed) == 288 and listed == in_release
