"""IRIs and prefixes of the ifn-cancer model as plain strings (importing this module loads no RDF library)."""

BASE = "https://w3id.org/ifn-cancer/"
ONTOLOGY_IRI = f"{BASE}ifn-cancer.owl"

# Prefixes accepted in cross-references, and how each expands to an IRI.
XREF_PREFIXES = {
    "HGNC": "https://identifiers.org/hgnc:",
    "NCBIGene": "https://identifiers.org/ncbigene:",
    "UniProt": "https://identifiers.org/uniprot:",
    "CL": "http://purl.obolibrary.org/obo/CL_",
    "GO": "http://purl.obolibrary.org/obo/GO_",
    "MONDO": "http://purl.obolibrary.org/obo/MONDO_",
    "NCIT": "http://purl.obolibrary.org/obo/NCIT_",
    "CHEBI": "http://purl.obolibrary.org/obo/CHEBI_",
    "EFO": "http://www.ebi.ac.uk/efo/EFO_",
    "NCBITaxon": "http://purl.obolibrary.org/obo/NCBITaxon_",
    "MGI": "https://identifiers.org/mgi:MGI:",
    "RO": "http://purl.obolibrary.org/obo/RO_",
}

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
