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


def test_steps_regulated_by_every_type(inferred_graph):
    assert "cycle-step-1" in members(inferred_graph, "StepRegulatedByAllIFNTypes")


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


def test_reason_reports_inferences(monkeypatch, capsys, asserted_graph, hermit_result):
    """`ifnonto reason` on the release; HermiT's run on this very graph is the session's (the extension test
    above runs the command end to end)."""
    import ifnonto.reason
    from ifnonto.cli import main

    seen = []

    def session_hermit(graph, reasoner="hermit"):
        seen.append((len(graph), reasoner))
        return hermit_result

    monkeypatch.setattr(ifnonto.reason, "reason", session_hermit)
    assert main(["reason"]) == 0
    out = capsys.readouterr().out
    assert seen == [(len(asserted_graph), "hermit")]  # the command reasons over the whole asserted release
    assert out.startswith("consistent")
    assert f"{len(hermit_result.inferred)} inferred triples:" in out and "type ifn:TypeIInterferon" in out


def test_missing_java_is_reported_with_exit_code_3(tmp_path):
    done = run_cli("reason", env={"PATH": str(tmp_path)})
    assert done.returncode == 3
    assert "Java is not installed" in done.stderr and "Traceback" not in done.stderr
