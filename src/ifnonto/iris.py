"""IRIs and prefixes of the ifn-cancer model as plain strings (importing this module loads no RDF library)."""

BASE = "https://w3id.org/ifn-cancer/"
ONTOLOGY_IRI = f"{BASE}ifn-cancer.owl"

# The prefixes accepted in cross-references and their syntax live in ontology/src/schema.yaml.


def xref_prefixes() -> dict[str, str]:
    """Cross-reference prefix -> IRI namespace (CL -> http://purl.obolibrary.org/obo/CL_), from the schema."""
    global _XREF_PREFIXES
    if _XREF_PREFIXES is None:
        from ifnonto.schema import load_schema

        _XREF_PREFIXES = {prefix: spec.iri for prefix, spec in load_schema().xref_prefixes.items()}
    return _XREF_PREFIXES


_XREF_PREFIXES: dict[str, str] | None = None

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
