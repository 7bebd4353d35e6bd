"""Claims from every part of the review, checked in the release: regulator, direction, target, polarity, context
and references as printed. These are a sample read from the review by hand, not generated from the tables."""

from __future__ import annotations

import pytest

PREFIX = """PREFIX ifn: <https://w3id.org/ifn-cancer/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


def effects(engine, regulator: str, target: str):
    """Each effect of regulator on target as a dict of its direction, polarity, refs and context ids."""
    rows = engine.select(PREFIX + f"""
        SELECT ?e ?dir ?pol ?refs WHERE {{
          ?e ifn:hasRegulator ifn:{regulator} ; ifn:hasTarget ifn:{target} ; ifn:hasDirection ?dir ;
             ifn:hasPolarity ?pol .
          OPTIONAL {{ ?e ifn:referencesAsPrinted ?refs }}
        }}""").rows
    out = []
    for effect, direction, polarity, refs in rows:
        context = engine.select(PREFIX + f"SELECT ?p ?o WHERE {{ <{effect}> ?p ?o . FILTER(isIRI(?o)) }}").rows
        out.append({"effect": effect, "direction": direction.rsplit("/", 1)[1],
                    "polarity": polarity.rsplit("/", 1)[1], "refs": refs,
                    "context": {(p.rsplit("/", 1)[1], o.rsplit("/", 1)[1]) for p, o in context}})
    return out


def has(found, *, direction, polarity, refs=None, context=()):
    return any(f["direction"] == direction and f["polarity"] == polarity and (refs is None or f["refs"] == refs)
               and set(context) <= f["context"] for f in found)


@pytest.mark.parametrize("regulator, target, direction, polarity, refs, context", [
    # cell death and antigen release
    ("IFNG", "ferroptosis", "increases", "positive", "121",
     [("sourceCell", "CD8-positive-T-cell"), ("viaMediator", "SLC7A11"), ("viaMediator", "SLC3A2")]),
    ("IFNG", "SLC7A11", "decreases", "positive", "121", []),
    ("IFNB1", "TP53", "increases", "positive", "101", []),
    # antigen presentation: short exposure helps, long exposure hurts (the double edge within one study)
    ("IFNG", "dendritic-cell-maturation", "increases", "positive", "142", []),
    # recognition and killing
    ("IFNA", "ADCC", None, "positive", "186", []),
    # negative regulation
    ("IFNG", "CD274", "increases", "negative", "199", [("inCancerType", "pancreatic-cancer")]),
    ("IFNG", "IDO1", "increases", "negative", "204", [("sourceCell", "CD8-positive-T-cell")]),
    ("IFNG", "CTLA4", "increases", "negative", "203", [("inCancerType", "melanoma")]),
    ("IFNB1", "IL10", "increases", "negative", "205", [("inCellType", "dendritic-cell")]),
    # non-immune effects
    ("IFNG", "epithelial-to-mesenchymal-transition", "increases", "negative", "199", [("inCancerType", "pancreatic-cancer")]),
])
def test_claim(engine, regulator, target, direction, polarity, refs, context):
    if target == "ADCC":
        rows = engine.select(PREFIX + """SELECT ?t WHERE { ?t rdfs:label ?l .
            FILTER(CONTAINS(LCASE(STR(?l)), "antibody-dependent")) }""").rows
        assert rows, "no ADCC entity"
        target = rows[0][0].rsplit("/", 1)[1]
        direction = "increases"
    found = effects(engine, regulator, target)
    assert has(found, direction=direction, polarity=polarity, refs=refs, context=context), found


def test_long_exposure_to_lps_and_ifng_harms_dendritic_cells(engine):
    rows = engine.select(PREFIX + """SELECT ?e ?pol ?dur WHERE {
        ?e ifn:hasRegulator ifn:IFNG ; ifn:hasRegulator ifn:lipopolysaccharide ; ifn:hasPolarity ?pol ;
           ifn:referencesAsPrinted "142" . OPTIONAL { ?e ifn:duration ?dur } }""").rows
    polarities = {pol.rsplit("/", 1)[1] for _, pol, _ in rows}
    assert polarities == {"positive", "negative"}
    assert any(dur and "48" in dur for _, _, dur in rows)


def test_sustained_type_I_ifn_resistance_chain(engine):
    rows = engine.select(PREFIX + """SELECT ?e ?target ?therapy WHERE {
        ?e ifn:hasRegulator ifn:type-I-IFN ; ifn:hasTarget ?target ; ifn:hasPolarity ifn:negative ;
           ifn:referencesAsPrinted "92" . OPTIONAL { ?e ifn:affectsTherapy ?therapy } }""").rows
    targets = {t.rsplit("/", 1)[1] for _, t, _ in rows}
    assert {"CD274", "NOS2"} <= targets
    assert any(therapy for _, _, therapy in rows)


def test_sting_agonist_doses_and_combinations(engine):
    rows = engine.select(PREFIX + """SELECT ?refs ?dose WHERE { ?e ifn:dose ?dose ; ifn:referencesAsPrinted ?refs }""").rows
    doses = {(refs, dose) for refs, dose in rows}
    assert any(refs == "48" and "10 μg" in dose and "20 Gy" in dose for refs, dose in doses)
    assert any(refs == "49" and "4 mg/kg" in dose for refs, dose in doses)
    assert any(refs == "184" and "1000 IU/mL" in dose for refs, dose in doses)


def test_table_1_rows_and_shared_references(engine):
    rows = engine.select(PREFIX + "SELECT ?row ?refs WHERE { ?s a ifn:PreclinicalStudy ; ifn:tableRow ?row ; "
                                  "ifn:referencesAsPrinted ?refs }").rows
    by_row = {int(row): refs for row, refs in rows}
    assert sorted(by_row) == list(range(1, 35))
    assert by_row[16] == "72,73" and by_row[28] == "83,84,85"
    assert by_row[23] == by_row[24] == "80" and by_row[29] == by_row[31] == "86" and by_row[25] == "17"


def test_every_reference_of_the_review_is_cited(engine):
    from ifnonto import paths
    from ifnonto.sources import read_source

    expected = read_source(paths.SOURCE_DIR / "sources" / "zhang2021").reference_count
    (cited, count), = engine.select(PREFIX + """SELECT (COUNT(DISTINCT ?r) AS ?n) (SAMPLE(?c) AS ?count) WHERE {
        ?a ifn:citesReference ?r . ?r ifn:fromSource ?s . ?s ifn:referenceCount ?c }""").rows
    assert int(cited) == int(count) == expected > 100


def test_known_references_carry_doi_and_pmid(engine):
    rows = dict(engine.select(PREFIX + "SELECT ?n ?doi WHERE { ?r ifn:referenceNumber ?n ; ifn:doi ?doi }").rows)
    assert rows["121"] == "10.1038/s41586-019-1170-y" and rows["92"] == "10.1038/s41422-019-0224-x"


def test_uncited_claims_are_marked_as_the_reviews_own(engine):
    rows = engine.select(PREFIX + """SELECT (COUNT(?e) AS ?n) WHERE {
        ?e ifn:reviewStatement true ; ifn:evidenceCode <http://purl.obolibrary.org/obo/ECO_0000303> }""").rows
    assert int(rows[0][0]) > 50


def test_immunoediting_and_yin_yang(engine):
    phases = {r[0] for r in engine.select(PREFIX + "SELECT ?l WHERE { ?p a ifn:ImmunoeditingPhase ; rdfs:label ?l }").rows}
    assert {"elimination", "equilibrium", "escape"} <= {p.lower() for p in phases}
    factors = engine.select(PREFIX + "SELECT ?f WHERE { ?f a ifn:YinYangFactor }").rows
    assert len(factors) == 3


def test_side_effects(engine):
    rows = engine.select(PREFIX + "SELECT ?l WHERE { ?x a ifn:AdverseEffect ; rdfs:label ?l }").rows
    assert len(rows) >= 7  # skin rash, flu-like symptoms, nephropathy, GI discomfort, endocrine, autoimmune, mental
