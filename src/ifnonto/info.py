"""`ifnonto info`: what the release holds — header, counts by section, kind and IFN type x step x polarity,
and the assertions that lack evidence."""

from __future__ import annotations

from ifnonto import paths
from ifnonto.engines import OxigraphEngine
from ifnonto.formats import render

PREFIX = """PREFIX ifn: <https://w3id.org/ifn-cancer/>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""

REPORTS = [
    ("Release", """SELECT ?title ?version (COUNT(*) AS ?triples) WHERE {
        ?o a owl:Ontology ; dcterms:title ?title ; owl:versionInfo ?version . ?s ?p ?x } GROUP BY ?title ?version"""),
    ("Curated entities by kind", """SELECT ?kind (COUNT(DISTINCT ?e) AS ?entities) WHERE {
        ?e a owl:NamedIndividual ; a ?class .
        VALUES (?class ?kind) {
          (ifn:Interferon "interferon") (ifn:InterferonGroup "interferon group or type") (ifn:GeneProduct "gene or gene product")
          (ifn:ProteinComplex "protein complex") (ifn:ReceptorIsoform "receptor isoform") (ifn:DNAResponseElement "DNA element")
          (ifn:ChemicalEntity "chemical") (ifn:DangerSignal "danger signal") (ifn:GeneSignature "gene signature")
          (ifn:CellType "cell type") (ifn:BiologicalProcess "biological process") (ifn:CellularComponent "cellular component")
          (ifn:CancerType "cancer type") (ifn:Disease "disease or condition") (ifn:TherapeuticAgent "therapeutic agent")
          (ifn:TherapyModality "therapy modality") (ifn:Organism "organism") (ifn:CellLine "cell line or model")
          (ifn:CancerImmunityCycleStep "cycle step") (ifn:ImmunoeditingPhase "immunoediting phase")
          (ifn:YinYangFactor "yin-yang determinant") (ifn:Effect "effect (claim)") (ifn:PreclinicalStudy "Table 1 study")
          (ifn:HistoricalEvent "historical event") (ifn:Reference "reference") }
      } GROUP BY ?kind ORDER BY DESC(?entities) ?kind"""),
    ("Assertions by review section", """SELECT ?order ?section (SUM(?isEffect) AS ?effects) (SUM(?isFact) AS ?facts)
        (SUM(?isOther) AS ?studies_events) WHERE {
        ?s a ifn:ReviewSection ; rdfs:label ?section ; ifn:sectionOrder ?order .
        OPTIONAL { ?a ifn:inSection ?s . OPTIONAL { ?a a ?t } }
        BIND(IF(BOUND(?t) && ?t = ifn:Effect, 1, 0) AS ?isEffect)
        BIND(IF(BOUND(?t) && ?t = owl:Axiom, 1, 0) AS ?isFact)
        BIND(IF(BOUND(?t) && (?t = ifn:PreclinicalStudy || ?t = ifn:HistoricalEvent), 1, 0) AS ?isOther)
      } GROUP BY ?order ?section ORDER BY ?order"""),
    ("Interferon effects by IFN type, cycle step and polarity", """SELECT ?type ?step
        (SUM(IF(?pol = ifn:positive, 1, 0)) AS ?positive) (SUM(IF(?pol = ifn:negative, 1, 0)) AS ?negative) WHERE {
        ?e a ifn:Effect ; ifn:hasRegulator ?r ; ifn:hasPolarity ?pol ; ifn:hasStep ?s .
        ?s ifn:stepNumber ?n ; rdfs:label ?stepLabel .
        { ?r ifn:hasIFNType ?t . ?t rdfs:label ?typeLabel . BIND(STR(?typeLabel) AS ?type) }
        UNION { ?r a ifn:InterferonType ; rdfs:label ?typeLabel . BIND(STR(?typeLabel) AS ?type) }
        UNION { ?r a ifn:InterferonGroup ; rdfs:label ?typeLabel . FILTER NOT EXISTS { ?r a ifn:InterferonType }
                BIND(CONCAT(STR(?typeLabel), " in general") AS ?type) }
        BIND(CONCAT(STR(?n), " ", STR(?stepLabel)) AS ?step)
      } GROUP BY ?type ?step ORDER BY ?type ?step"""),
    ("Cross-references linked to reference classes (typed: rdf:type; close: skos:closeMatch)",
     """SELECT ?source (SUM(?isTyped) AS ?typed) (SUM(?isClose) AS ?close) (COUNT(*) AS ?xrefs) WHERE {
        ?e <http://www.geneontology.org/formats/oboInOwl#hasDbXref> ?x .
        BIND(STRBEFORE(STR(?x), ":") AS ?source)
        FILTER(?source IN ("CL", "GO", "MONDO", "NCIT", "CHEBI", "EFO"))
        BIND(IRI(CONCAT(IF(?source = "EFO", "http://www.ebi.ac.uk/efo/", "http://purl.obolibrary.org/obo/"),
                        REPLACE(STR(?x), ":", "_"))) AS ?c)
        BIND(IF(EXISTS { ?e a ?c }, 1, 0) AS ?isTyped)
        BIND(IF(EXISTS { ?e <http://www.w3.org/2004/02/skos/core#closeMatch> ?c }, 1, 0) AS ?isClose)
      } GROUP BY ?source ORDER BY ?source"""),
    ("Assertions lacking evidence", """SELECT ?assertion WHERE {
        VALUES ?kind { ifn:Effect ifn:PreclinicalStudy ifn:HistoricalEvent owl:Axiom }
        ?assertion a ?kind .
        FILTER NOT EXISTS { ?assertion ifn:citesReference ?r }
        FILTER NOT EXISTS { ?assertion ifn:reviewStatement true }
      } ORDER BY ?assertion"""),
    ("Assertions the review states without citation", """SELECT (COUNT(?a) AS ?uncited) WHERE {
        ?a ifn:reviewStatement true }"""),
]


def info_report(engine=None) -> str:
    engine = engine or OxigraphEngine([paths.release_file("nt", inferred=True)])
    out = []
    for title, query in REPORTS:
        out.append(f"== {title}\n")
        out.append(render(engine.select(PREFIX + query), "table", max_width=70))
    return "\n".join(out)
