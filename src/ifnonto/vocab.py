"""rdflib namespaces of the ifn-cancer model (the plain strings are in ifnonto.iris)."""

from rdflib import Namespace

from ifnonto.iris import BASE, ONTOLOGY_IRI, PREFIXES

__all__ = ["BASE", "ONTOLOGY_IRI", "PREFIXES", "IFN", "OBO", "ECO", "OBOINOWL", "DCTERMS", "SKOS",
           "IAO_DEFINITION", "IAO_REPLACED_BY"]

IFN = Namespace(BASE)
OBO = Namespace("http://purl.obolibrary.org/obo/")
ECO = Namespace("http://purl.obolibrary.org/obo/ECO_")
OBOINOWL = Namespace("http://www.geneontology.org/formats/oboInOwl#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
IAO_DEFINITION = OBO["IAO_0000115"]
IAO_REPLACED_BY = OBO["IAO_0100001"]
