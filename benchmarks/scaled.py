"""Scaled extensions of the release for the scale benchmarks: deterministic, schema-valid, any size.

    .venv/bin/python benchmarks/scaled.py --copies 9 -o /tmp/ifn-10x.nt   # the release + 9 copies = 10x

Each copy renames every individual of the release (effects, entities, studies, references, sections, ...)
and every blank node (axiom annotations) to fresh IRIs and labels, so the copy is a second, independent body of
knowledge with the same shape. The schema (classes, properties, class expressions) is not copied, and neither
are the individuals that the schema itself names (the polarities, directions, receptors and interferon types
used by defined classes): copies point at the originals, so the defined classes fill for copies too.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Iterator

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ifnonto import paths  # noqa: E402

OWL = "http://www.w3.org/2002/07/owl#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
NAMED_INDIVIDUAL = ox.NamedNode(OWL + "NamedIndividual")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SCHEMA_REFERENCES = {ox.NamedNode(OWL + name) for name in ("hasValue", "oneOf", "distinctMembers", "members")}
FIRST = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#first")


def release_triples(inferred: bool = False) -> list[ox.Triple]:
    path = paths.release_file("nt", inferred=inferred)
    return [q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES)]


def names_in_shapes() -> set[str]:
    """IRIs the shapes mention as values (objects in the shapes graph, prefixed names in SPARQL text): copies
    keep pointing at them, so every copy is valid against the same shapes."""
    names: set[str] = set()
    prefixes: dict[str, str] = {}
    texts: list[str] = []
    for path in sorted(paths.SHAPES_DIR.glob("*.ttl")):
        for quad in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            if isinstance(quad.object, ox.NamedNode):
                names.add(quad.object.value)
            elif isinstance(quad.object, ox.Literal):
                texts.append(quad.object.value)
        prefixes.update(re.findall(r"@prefix\s+(\w*):\s*<([^>]*)>", path.read_text(encoding="utf-8")))
    for text in texts:
        for prefix, local in re.findall(r"\b(\w+):(\w[\w.-]*)", text):
            if prefix in prefixes:
                names.add(prefixes[prefix] + local)
        names.update(re.findall(r"<([^<>\s]+)>", text))
    return names


def copyable(triples: list[ox.Triple]) -> tuple[set, set]:
    """The individuals to copy, and the blank nodes that belong to the data (not to the schema)."""
    individuals = {t.subject for t in triples if t.predicate == RDF_TYPE and t.object == NAMED_INDIVIDUAL}
    # Individuals named by the schema (hasValue fillers, oneOf / AllDifferent members) stay shared.
    schema_nodes = {t.subject for t in triples if t.predicate in SCHEMA_REFERENCES}
    frontier = {t.object for t in triples if t.predicate in SCHEMA_REFERENCES}
    shared = set()
    rest = {}
    for t in triples:
        if t.predicate == FIRST or t.predicate.value == "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest":
            rest.setdefault(t.subject, []).append(t.object)
    while frontier:
        node = frontier.pop()
        if node in individuals:
            shared.add(node)
        elif isinstance(node, ox.BlankNode):
            frontier.update(rest.get(node, ()))
    shared |= {t.object for t in triples if t.predicate.value == OWL + "hasValue"}
    in_shapes = names_in_shapes()
    shared |= {node for node in individuals if node.value in in_shapes}
    data_bnodes = {t.subject for t in triples if isinstance(t.subject, ox.BlankNode)
                   and t.predicate.value == OWL + "annotatedSource" and t.object in individuals}
    del schema_nodes
    return individuals - shared, data_bnodes


def scaled_copies(triples: list[ox.Triple], copies: int) -> Iterator[ox.Triple]:
    """The triples of ``copies`` renamed copies of the data (not the release itself)."""
    individuals, bnodes = copyable(triples)
    shared = {t.subject for t in triples if t.predicate == RDF_TYPE and t.object == NAMED_INDIVIDUAL} - individuals
    data = [t for t in triples if t.subject in individuals or t.subject in bnodes
            or (t.subject in shared and t.object in individuals)]
    # Blank-node labels change from one parse to the next: number them by what they say, for stable output.
    said: dict = {}
    for t in data:
        if t.subject in bnodes:
            said.setdefault(t.subject, []).append(f"{t.predicate} {t.object}")
    number = {node: i for i, node in enumerate(sorted(bnodes, key=lambda n: sorted(said.get(n, []))))}
    for k in range(1, copies + 1):
        def rename(term, k=k):
            if term in individuals:
                return ox.NamedNode(f"{term.value}--copy{k}")
            if term in bnodes:
                return ox.BlankNode(f"c{k}n{number[term]}")
            return term

        for t in data:
            obj = t.object
            if t.predicate == LABEL and isinstance(obj, ox.Literal):
                obj = ox.Literal(f"{obj.value} [copy {k}]", language=obj.language) if obj.language else \
                    ox.Literal(f"{obj.value} [copy {k}]", datatype=obj.datatype)
            yield ox.Triple(rename(t.subject), t.predicate, rename(obj))


def write_scaled(out: Path, copies: int, *, include_release: bool = True, inferred: bool = False) -> int:
    triples = release_triples(inferred)
    body = list(scaled_copies(triples, copies))
    if include_release:
        body = triples + body
    out.parent.mkdir(parents=True, exist_ok=True)
    ox.serialize(body, output=str(out), format=ox.RdfFormat.N_TRIPLES)
    return len(body)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, required=True, help="number of renamed copies to add")
    parser.add_argument("--only-copies", action="store_true", help="write the copies without the release")
    parser.add_argument("--inferred", action="store_true", help="copy the inferred release")
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args()
    n = write_scaled(Path(args.output), args.copies, include_release=not args.only_copies, inferred=args.inferred)
    print(f"{n} triples -> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
