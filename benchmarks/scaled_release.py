"""Make a scaled copy of the inferred release: N copies of every individual and axiom node under fresh IRIs.

    .venv/bin/python benchmarks/scaled_release.py N OUT.nt

Deterministic. Copy 0 is the release itself; copy k renames every node that is not part of the vocabulary
(classes, properties, the ontology header, datatypes) by appending ``-copy{k}`` to its IRI, and every blank node
label likewise, so the copies have the release's shape (each one passes the same shapes) and share its TBox.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ifnonto import paths  # noqa: E402

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
VOCABULARY_TYPES = {f"http://www.w3.org/2002/07/owl#{name}" for name in (
    "Class", "ObjectProperty", "DatatypeProperty", "AnnotationProperty", "Ontology", "TransitiveProperty",
    "SymmetricProperty", "FunctionalProperty", "InverseFunctionalProperty", "AsymmetricProperty",
    "ReflexiveProperty", "IrreflexiveProperty")} | {"http://www.w3.org/2000/01/rdf-schema#Datatype"}


def scaled_lines(copies: int, source: Path | None = None):
    import pyoxigraph as ox

    source = source or paths.release_file("nt", inferred=True)
    triples = list(ox.parse(path=str(source), format=ox.RdfFormat.N_TRIPLES))
    vocabulary = {t.subject.value for t in triples
                  if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode)
                  and t.object.value in VOCABULARY_TYPES}
    vocabulary |= {t.predicate.value for t in triples}
    base = "https://w3id.org/ifn-cancer/"

    def rename(term, k: int) -> str:
        if isinstance(term, ox.BlankNode):
            return f"_:{term.value}c{k}"
        if isinstance(term, ox.NamedNode) and k and term.value.startswith(base) and term.value not in vocabulary:
            return f"<{term.value}-copy{k}>"
        return str(term)

    for k in range(copies):
        for t in triples:
            if k and isinstance(t.subject, ox.NamedNode) and t.subject.value in vocabulary:
                continue  # the vocabulary is declared once
            yield f"{rename(t.subject, k)} {t.predicate} {rename(t.object, k)} .\n"


def write_scaled(copies: int, out: Path) -> int:
    count = 0
    tmp = out.with_suffix(out.suffix + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        for line in scaled_lines(copies):
            handle.write(line)
            count += 1
    tmp.replace(out)
    return count


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__.split("\n\n")[1])
    n = write_scaled(int(sys.argv[1]), Path(sys.argv[2]))
    print(f"wrote {n} triples to {sys.argv[2]}")
