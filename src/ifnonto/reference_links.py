"""Link the curated entities to the reference classes (CL, GO, MONDO, NCIt, ChEBI, EFO) by IRI.

Works on the compiled graph: it reads each entity's ``oboInOwl:hasDbXref`` CURIEs and the project class it has,
and adds, GO-CAM style, ``entity rdf:type <reference class>`` where the reference term names the kind of thing the
entity is (a cell type individual is a CL cell, a process individual a GO biological process, a disease a MONDO
or NCIt disease, a chemical a ChEBI entity, a cell line an EFO cell line). Any other reference term (EFO's
"survival time" for survival, NCIt's "Cancer Progression" for a process) is linked with ``skos:closeMatch``,
which asserts nothing about kinds. Gene xrefs (HGNC, NCBIGene, UniProt) name records, not classes: untouched.
The imported terms themselves come from ifnonto.reference_terms. Why this pattern: docs/REFERENCE-CLASSES.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from ifnonto.reference_terms import REFERENCE_PREFIXES, curie_of, iri_of, reference_import
from ifnonto.vocab import IFN, OBOINOWL, SKOS
from ifnonto.diagnose import named_ancestors

GO_BIOLOGICAL_PROCESS = iri_of("GO:0008150")
GO_CELLULAR_COMPONENT = iri_of("GO:0005575")

# Which project classes an entity must have (one of) to be typed by a term of each reference source.
TYPING_RULES: dict[str, tuple[URIRef, ...]] = {
    "CL": (IFN.CellType,),
    "GO:process": (IFN.BiologicalProcess,),
    "GO:component": (IFN.CellularComponent, IFN.ProteinComplex),
    "MONDO": (IFN.Disease,),
    "NCIT": (IFN.Disease,),
    "CHEBI": (IFN.MolecularEntity,),
    "EFO": (IFN.CellLine, IFN.Disease),
}


@dataclass
class ReferenceLinks:
    typed: list[tuple[URIRef, URIRef]] = field(default_factory=list)      # (entity, reference class)
    close: list[tuple[URIRef, URIRef]] = field(default_factory=list)      # (entity, reference class)
    import_graph: Graph = field(default_factory=Graph)


def reference_xrefs(graph: Graph) -> dict[URIRef, set[str]]:
    """Entity -> its cross-references to the reference ontologies (CURIEs)."""
    found: dict[URIRef, set[str]] = {}
    for entity, xref in graph.subject_objects(OBOINOWL.hasDbXref):
        curie = str(xref)
        if isinstance(entity, URIRef) and isinstance(xref, Literal) and curie.split(":")[0] in REFERENCE_PREFIXES:
            found.setdefault(entity, set()).add(curie)
    return found


def _rule(curie: str, imported: Graph) -> str:
    prefix = curie.split(":")[0]
    if prefix != "GO":
        return prefix
    above = named_ancestors(imported, iri_of(curie))
    if GO_BIOLOGICAL_PROCESS in above:
        return "GO:process"
    if GO_CELLULAR_COMPONENT in above:
        return "GO:component"
    return "GO:function"  # a gene product is never an instance of a molecular function


def decide_links(graph: Graph, ontology_dir=None) -> ReferenceLinks:
    xrefs = reference_xrefs(graph)
    seeds = {curie for curies in xrefs.values() for curie in curies}
    # Reference classes that core.ttl names itself (fillers of RO restrictions on the molecule classes).
    seeds |= {c for o in graph.objects() if isinstance(o, URIRef) and (c := curie_of(str(o))) is not None}
    links = ReferenceLinks(import_graph=reference_import(seeds, ontology_dir) if seeds else Graph())
    for entity in sorted(xrefs, key=str):
        kinds: set[URIRef] = set()
        for cls in graph.objects(entity, RDF.type):
            if isinstance(cls, URIRef) and str(cls).startswith(str(IFN)):
                kinds |= named_ancestors(graph, cls)
        for curie in sorted(xrefs[entity]):
            wanted = TYPING_RULES.get(_rule(curie, links.import_graph), ())
            if kinds.intersection(wanted):
                links.typed.append((entity, iri_of(curie)))
            else:
                links.close.append((entity, iri_of(curie)))
    return links


def connect_reference_terms(graph: Graph, ontology_dir=None) -> ReferenceLinks:
    """Add the reference links and the import module to ``graph`` (in place); return what was added."""
    links = decide_links(graph, ontology_dir)
    graph += links.import_graph
    for entity, cls in links.typed:
        graph.add((entity, RDF.type, cls))
    for entity, cls in links.close:
        graph.add((entity, SKOS.closeMatch, cls))
    return links

