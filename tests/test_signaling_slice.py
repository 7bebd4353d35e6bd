"""The interferon families and their signaling, as the review states them, answered by the packaged queries."""

from __future__ import annotations

import pytest

from ifnonto.queries import bind_values, get_query


def run(engine, name, **params):
    query = get_query(name)
    result = engine.select(query.text, bind_values(query, params))
    return result.as_dicts()


@pytest.mark.parametrize("ifn_type, members", [
    ("type-I-IFN", {"IFNA", "IFNA2", "IFNA5", "IFNB1", "IFNE", "IFNK", "IFNW1"}),
    ("type-II-IFN", {"IFNG"}),
    ("type-III-IFN", {"IFNL1", "IFNL2", "IFNL3", "IFNL4"}),
])
def test_members_of_each_type(engine, ifn_type, members):
    rows = run(engine, "ifn-type-members", type=ifn_type)
    assert {r["member"].rsplit("/", 1)[1] for r in rows} == members
    assert len({r["receptor"] for r in rows}) == 1


def test_type_III_synonyms(engine):
    rows = engine.select("""PREFIX ifn: <https://w3id.org/ifn-cancer/>
        PREFIX oboInOwl: <http://www.geneontology.org/formats/oboInOwl#>
        SELECT ?ifn ?syn WHERE { VALUES ?ifn { ifn:IFNL1 ifn:IFNL2 ifn:IFNL3 } ?ifn oboInOwl:hasExactSynonym ?syn }""").rows
    synonyms = {(r[0].rsplit("/", 1)[1], r[1]) for r in rows}
    assert {("IFNL1", "IL-29"), ("IFNL2", "IL-28A"), ("IFNL3", "IL-28B")} <= synonyms


def test_receptor_subunits_and_roles(engine):
    rows = run(engine, "receptor-subunits")
    roles = {(r["receptor"].rsplit("/", 1)[1], r["subunit"].rsplit("/", 1)[1], r["role"]) for r in rows}
    assert {("IFNGR", "IFNGR1", "ligand-binding"), ("IFNGR", "IFNGR2", "signal-transducing"),
            ("IFNAR", "IFNAR1", "essential for signaling")} <= roles
    subunits = {(a, b) for a, b, _ in roles}
    assert {("IFNAR", "IFNAR1"), ("IFNAR", "IFNAR2"), ("IFNLR", "IFNLR1"), ("IFNLR", "IL10RB")} <= subunits


def test_ifnar2_isoforms(engine):
    rows = run(engine, "receptor-isoforms")
    effects = {(r["isoformLabel"], r["effect"]) for r in rows}
    labels = {r["isoformLabel"] for r in rows}
    assert len(labels) == 3
    by_suffix = {label[-1]: effect for label, effect in effects}
    assert by_suffix == {"a": "activates", "b": "inhibits", "c": "activates"}


def test_receptor_kinases(engine):
    rows = run(engine, "receptor-kinases")
    pairs = {(r["receptor"].rsplit("/", 1)[1], r["kinaseLabel"]) for r in rows}
    assert {("IFNAR", "JAK1"), ("IFNAR", "TYK2"), ("IFNLR", "JAK1"), ("IFNLR", "TYK2"),
            ("IFNGR", "JAK1"), ("IFNGR", "JAK2")} == {p for p in pairs}


@pytest.mark.parametrize("ifn, complex_word, element_word", [
    ("IFNG", "STAT1", "GAS"), ("IFNB1", "ISGF3", "ISRE"), ("IFNL1", "ISGF3", "ISRE")])
def test_cascade_to_dna_element(engine, ifn, complex_word, element_word):
    rows = run(engine, "signaling-cascade", ifn=ifn)
    assert rows, f"no cascade for {ifn}"
    assert {element_word in r["elementLabel"] for r in rows} == {True}
    assert {complex_word in r["complexLabel"] for r in rows} == {True}


def test_what_induces_ifn_beta(engine):
    rows = run(engine, "ifn-induction", ifn="IFNB1")
    agents = {r["agent"].rsplit("/", 1)[1] for r in rows}
    assert {"NF-kappaB", "IRF3", "AP-1"} <= agents


def test_ifn_alpha_needs_irf7_and_pdcs(engine):
    rows = run(engine, "ifn-induction", ifn="IFNA")
    assert any(r["agent"].endswith("/IRF7") and r["role"] == "required transcription factor" for r in rows)
    producers = run(engine, "ifn-producers", ifn="IFNA")
    assert any(r["cell"].endswith("/plasmacytoid-dendritic-cell") and r["primary"] == "yes" for r in producers)


def test_ifn_gamma_producers_and_inducers(engine):
    cells = {r["cell"].rsplit("/", 1)[1] for r in run(engine, "ifn-producers", ifn="IFNG")}
    assert {"T-cell", "B-cell", "NK-cell", "NKT-cell", "dendritic-cell", "macrophage"} <= cells
    rows = run(engine, "ifn-induction", ifn="IFNG")
    stimuli = {r["agent"].rsplit("/", 1)[1] for r in rows if r["role"] == "stimulus"}
    assert len(stimuli) >= 10  # IL-1, IL-2, IL-12, IL-15, IL-18, IL-21, IL-23, IL-27, IFN-α/β, TNF-α, bacteria, LPS
    assert {"TNF", "lipopolysaccharide"} <= stimuli
    mediators = {r["agent"].rsplit("/", 1)[1] for r in rows if r["role"] == "mediator of induction"}
    assert {"STAT4", "NFAT"} <= mediators


def test_receptor_expression(engine):
    rows = run(engine, "receptor-expression")
    facts = {(r["subunitLabel"], r["pattern"], r["cellLabel"]) for r in rows}
    assert ("IFNLR1", "restricted to", "epithelial cell") in facts
    assert ("IFNLR1", "absent from", "natural killer cell") in facts or \
        any(s == "IFNLR1" and p == "absent from" and "NK" in c for s, p, c in facts)


def test_seven_steps_in_order(engine):
    rows = run(engine, "cycle-steps")
    numbers = sorted({int(r["number"]) for r in rows})
    assert numbers == [1, 2, 3, 4, 5, 6, 7]
    nexts = {int(r["number"]): r["nextLabel"] for r in rows}
    assert nexts[7] is None and all(nexts[n] for n in range(1, 7))


def test_history(engine):
    rows = run(engine, "history")
    years = {r["year"] for r in rows}
    assert {"1957", "1965", "1971"} <= years
