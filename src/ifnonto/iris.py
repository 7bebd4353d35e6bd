"""IRIs and prefixes of the ifn-cancer model as plain strings (importing this module loads no RDF library)."""

BASE = "https://w3id.org/ifn-cancer/"
ONTOLOGY_IRI = f"{BASE}ifn-cancer.owl"

# The prefixes accepted in cross-references and their syntax live in ontology/src/schema.yaml.

PREFIXES = {
    "ifn": BASE,
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "obo": "http://purl.obolibrary.org/obo/",
    "oboInOwl": "http://www.geneontology.org/formats/oboInOwl#",
    "dcterms": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
}
