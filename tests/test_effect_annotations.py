"""The optional effect columns of the second curation pass compile to RDF, and bad values are row errors."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rdflib import Literal, URIRef

from conftest import copy_sources
from ifnonto.compile import compile_sources
from ifnonto.errors import IfnontoError, IfnontoErrors
from ifnonto.schema import load_schema

IFN = "https://w3id.org/ifn-cancer/"
OPTIONAL = [c.name for c in load_schema().tables["effects"].columns if c.optional]
# one value per optional column, in schema order, for EF-1 (steps: cycle-step-1) and EF-3
ANNOTATIONS = {
    "EF-1": {"target_aspect": "death", "step_provenance": "stated", "duration_value": "18", "duration_unit": "hour",
             "duration_comparator": "less-than", "duration_category": "short-term", "dose_value": "1000",
             "dose_unit": "IU/mL", "dose_category": "high", "contrasts_with": "EF-3", "through": "EF-4",
             "status": "finding"},
    "EF-3": {"step_provenance": "assigned", "contrasts_with": "EF-1", "status": "outlook"},
}


def annotate(src, extra: dict[str, dict[str, str]] = ANNOTATIONS):
    table = src / "sources" / "mini" / "effects" / "mini.tsv"
    lines = table.read_text(encoding="utf-8").splitlines()
    width = len(lines[0].split("\t")) - len([c for c in lines[0].split("\t") if c in OPTIONAL])
    cut = lambda line: "\t".join(line.split("\t")[:width])  # noqa: E731 - the required columns only
    out = [cut(lines[0]) + "\t" + "\t".join(OPTIONAL)]
    for line in lines[1:]:
        values = extra.get(line.split("\t")[0], {})
        out.append(cut(line) + "\t" + "\t".join(values.get(name, "") for name in OPTIONAL))
    table.write_text("\n".join(out) + "\n", encoding="utf-8")
    return table


def test_annotation_columns_become_triples(tmp_path):
    src = copy_sources(tmp_path / "src")
    annotate(src)
    graph = compile_sources(src, "0.0").graph
    ef1, ef3, ef4 = (URIRef(IFN + e) for e in ("EF-1", "EF-3", "EF-4"))
    step1 = URIRef(IFN + "cycle-step-1")
    p = lambda name: URIRef(IFN + name)  # noqa: E731
    assert graph.value(ef1, p("hasTargetAspect")) == p("aspect-death")
    # step provenance: the sub-property and hasStep itself are both asserted
    assert (ef1, p("stepStatedInSource"), step1) in graph and (ef1, p("hasStep"), step1) in graph
    assert (ef3, p("stepAssignedByCurator"), step1) in graph and (ef3, p("stepStatedInSource"), step1) not in graph
    assert graph.value(ef1, p("durationValue")).toPython() == Decimal("18")
    assert graph.value(ef1, p("durationUnit")) == Literal("hour")
    assert graph.value(ef1, p("durationComparator")) == Literal("less-than")
    assert graph.value(ef1, p("hasDurationCategory")) == p("short-term-exposure")
    assert graph.value(ef1, p("doseValue")).toPython() == Decimal("1000")
    assert graph.value(ef1, p("doseUnit")) == Literal("IU/mL")
    assert graph.value(ef1, p("hasDoseCategory")) == p("high-dose")
    assert (ef1, p("contrastsWith"), ef3) in graph and (ef3, p("contrastsWith"), ef1) in graph
    assert (ef4, p("isMechanismOf"), ef1) in graph  # the mechanism is causally upstream of the effect
    assert graph.value(ef1, p("hasClaimStatus")) == p("claim-finding")
    assert graph.value(ef3, p("hasClaimStatus")) == p("claim-outlook")


@pytest.mark.parametrize("values, message", [
    ({"step_provenance": "stated|assigned"}, "step_provenance: needs one value per step: 1 steps, 2 values"),
    ({"target_aspect": "size"}, "target_aspect: unknown value 'size'"),
    ({"through": "cycle-step-1"}, "through: 'cycle-step-1' is not an effect id"),
    ({"duration_value": "18h"}, "duration_value: must be a number"),
    ({"status": "rumour"}, "status: unknown value 'rumour'"),
])
def test_bad_annotation_is_a_row_error(tmp_path, values, message):
    src = copy_sources(tmp_path / "src")
    table = annotate(src, {"EF-1": values})
    with pytest.raises((IfnontoError, IfnontoErrors)) as error:
        compile_sources(src, "0.0")
    assert f"{table}:2: {message}" in str(error.value)


def test_new_hedge_values_are_accepted(tmp_path):
    src = copy_sources(tmp_path / "src")
    table = src / "sources" / "mini" / "effects" / "mini.tsv"
    lines = table.read_text(encoding="utf-8").splitlines()
    cells = lines[1].split("\t")
    cells[lines[0].split("\t").index("hedge")] = "conflicting-evidence"
    table.write_text("\n".join([lines[0], "\t".join(cells), *lines[2:]]) + "\n", encoding="utf-8")
    graph = compile_sources(src, "0.0").graph
    assert graph.value(URIRef(IFN + "EF-1"), URIRef(IFN + "hedge")) == Literal("conflicting-evidence")


@pytest.mark.parametrize("regulators, direction, verb", [
    (["type I IFNs"], "increases", "increase"), (["interferons"], "requiredFor", "are required for"),
    (["IFN-γ"], "decreases", "decreases"), (["angiogenesis"], "increases", "increases"),
    (["ER stress"], "increases", "increases"), (["NK cell", "dendritic cell"], "increases", "increase")])
def test_an_effect_label_agrees_in_number_with_its_regulators(regulators, direction, verb):
    from ifnonto.compile import Compiler

    class Row:
        def __getitem__(self, column):
            return {"id": "EF-9", "direction": direction, "target": "tumor growth"}[column]

        def items(self, column):
            return regulators

    compiler = Compiler.__new__(Compiler)
    compiler.defined = {}
    assert compiler.effect_label(Row()) == f"EF-9: {' and '.join(regulators)} {verb} tumor growth"
