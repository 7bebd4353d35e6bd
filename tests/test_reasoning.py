"""What the reasoner infers, that the inferred release carries it, and that contradictions are explained."""

from __future__ import annotations

import pytest
from rdflib import Namespace
from rdflib.namespace import RDF

from conftest import requires_java, run_cli

IFN = Namespace("https://w3id.org/ifn-cancer/")


def members(graph, cls):
    return {str(s).rsplit("/", 1)[1] for s in graph.subjects(RDF.type, IFN[cls])}


@pytest.mark.parametrize("cls, expected", [
    ("TypeIInterferon", {"IFNA", "IFNB1", "IFNE", "IFNK", "IFNW1", "IFNA2", "IFNA5"}),
    ("TypeIIInterferon", {"IFNG"}),
    ("TypeIIIInterferon", {"IFNL1", "IFNL2", "IFNL3", "IFNL4"}),
])
def test_type_inferred_from_receptor(asserted_graph, inferred_graph, cls, expected):
    assert members(asserted_graph, cls) == set()  # nothing asserted ...
    assert members(inferred_graph, cls) == expected  # ... all inferred


def test_type_property_inferred_for_members_and_preparations(inferred_graph):
    assert (IFN.IFNG, IFN.hasIFNType, IFN["type-II-IFN"]) in inferred_graph
    assert (IFN.IFNL3, IFN.hasIFNType, IFN["type-III-IFN"]) in inferred_graph
    # preparations get the type of what they are a form of (property chain isFormOf o hasIFNType)
    preparations = members(inferred_graph, "InterferonPreparation")
    typed = {str(s).rsplit("/", 1)[1] for s, _ in inferred_graph.subject_objects(IFN.hasIFNType)}
    assert len(preparations) >= 5 and preparations & typed


def test_double_edged_regulators(inferred_graph):
    found = members(inferred_graph, "DoubleEdgedRegulator")
    assert {"IFNG", "type-I-IFN"} <= found


def test_immunosuppressive_isgs(inferred_graph):
    found = members(inferred_graph, "ImmunosuppressiveISG")
    assert {"CD274", "IDO1", "CTLA4"} <= found


def test_interferon_stimulated_genes(inferred_graph):
    found = members(inferred_graph, "InterferonStimulatedGene")
    assert {"CD274", "CXCL10", "CXCL9", "TNFSF10"} <= found
    assert members(inferred_graph, "ImmunosuppressiveISG") <= found


def _types_of_agents(asserted_graph) -> dict:
    """The interferon type(s) of each agent, from what the review says (the asserted facts, no reasoner): a type is
    its own scope; an interferon has the type that binds the same receptor; a preparation the type of what it is
    a form of. Interferons in general (a group that is no type) get none."""
    types = set(asserted_graph.subjects(RDF.type, IFN.InterferonType))
    scope = {t: {t} for t in types}
    for t in types:
        for receptor in asserted_graph.objects(t, IFN.bindsReceptor):
            for agent in asserted_graph.subjects(IFN.bindsReceptor, receptor):
                if agent not in types:
                    scope.setdefault(agent, set()).add(t)
    for agent, t in asserted_graph.subject_objects(IFN.hasIFNType):
        scope.setdefault(agent, set()).add(t)
    changed = True
    while changed:
        changed = False
        for form, original in asserted_graph.subject_objects(IFN.isFormOf):
            new = scope.get(original, set()) - scope.get(form, set())
            if new:
                scope.setdefault(form, set()).update(new)
                changed = True
    return scope


def test_steps_regulated_by_every_type_are_derived_from_the_effects(asserted_graph, inferred_graph):
    scope = _types_of_agents(asserted_graph)
    assert len(scope) >= 20 and IFN.IFN not in scope  # interferons in general are of no single type
    by_step: dict = {}
    general_steps = set()
    for effect in asserted_graph.subjects(RDF.type, IFN.Effect):
        for step in asserted_graph.objects(effect, IFN.hasStep):
            for regulator in asserted_graph.objects(effect, IFN.hasRegulator):
                by_step.setdefault(step, set()).update(scope.get(regulator, set()))
                if regulator == IFN.IFN:
                    general_steps.add(step)
    expected = {str(step).rsplit("/", 1)[1] for step, types in by_step.items() if len(types) == 3}
    assert 0 < len(expected) < 7
    assert members(inferred_graph, "StepRegulatedByAllIFNTypes") == expected
    # counting interferons in general as every type (the old modelling) would have claimed all seven steps
    assert len(expected | {str(s).rsplit("/", 1)[1] for s in general_steps}) == 7
    assert not list(asserted_graph.triples((IFN["type-I-IFN"], IFN.hasIFNType, IFN["type-I-IFN"])))


def test_no_entity_is_typed_by_itself(inferred_graph):
    assert [s for s, o in inferred_graph.subject_objects(IFN.hasIFNType) if s == o] == []


def test_interferon_producing_cells(inferred_graph):
    assert {"plasmacytoid-dendritic-cell", "NK-cell", "T-cell"} <= members(inferred_graph, "InterferonProducingCell")


def test_inverse_and_transitive_relations_materialized(asserted_graph, inferred_graph):
    assert (IFN.IFNGR, IFN.isReceptorFor, IFN.IFNG) in inferred_graph
    assert (IFN.IFNGR, IFN.isReceptorFor, IFN.IFNG) not in asserted_graph
    assert (IFN["cycle-step-1"], IFN.isBeforeStep, IFN["cycle-step-7"]) in inferred_graph
    assert (IFN["cycle-step-7"], IFN.followsStep, IFN["cycle-step-6"]) in inferred_graph


@requires_java
def test_contradicting_extension_is_explained(tmp_path):
    extension = tmp_path / "contradiction.ttl"
    extension.write_text("@prefix ifn: <https://w3id.org/ifn-cancer/> .\n"
                         "ifn:EF-death-001 ifn:hasPolarity ifn:negative, ifn:positive .\n"
                         "ifn:melanoma ifn:hasDirection ifn:increases .\n", encoding="utf-8")
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    done = run_cli("reason", str(extension), env={"TMPDIR": str(private_tmp)})
    assert done.returncode == 1, done.stdout + done.stderr
    assert "INCONSISTENT" in done.stdout
    assert "EF-death-001" in done.stdout and "functional property hasPolarity" in done.stdout
    assert "melanoma" in done.stdout and "disjoint" in done.stdout
    assert list(private_tmp.iterdir()) == []  # no temporary file left behind


@requires_java
def test_reason_reports_inferences():
    done = run_cli("reason", "--top", "200")  # every kind of inference, not only the 40 most frequent
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("consistent")
    assert "type ifn:TypeIInterferon" in done.stdout
    assert "type CL class (reference ontology)" in done.stdout  # materialized superclasses of CL typings


def test_missing_java_is_reported_with_exit_code_3(tmp_path):
    done = run_cli("reason", env={"PATH": str(tmp_path)})
    assert done.returncode == 3
    assert "Java is not installed" in done.stderr and "Traceback" not in done.stderr
