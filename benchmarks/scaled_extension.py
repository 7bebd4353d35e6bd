"""Make a synthetic, schema-valid extension of the inferred release, ``k`` times its size, deterministically.

    .venv/bin/python benchmarks/scaled_extension.py K OUT.nt

Every individual and every axiom (evidence) node of the inferred release is copied ``k`` times with fresh IRIs
(fresh blank nodes for axioms) and its labels made unique; links between copied nodes stay inside their copy.
Values the shapes name themselves (the members of ``sh:in`` lists such as the polarities, IRIs in SPARQL
constraints) are not copied, so every copy is valid against the same shapes. The output is N-Triples, sorted
within each copy, so the same ``k`` always gives the same bytes.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import pyoxigraph as ox  # noqa: E402

from ifnonto import paths  # noqa: E402

OWL = "http://www.w3.org/2002/07/owl#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SCALED_NS = "https://example.org/ifn-cancer-scaled/"


def names_in_shapes() -> set[str]:
    """IRIs the shapes mention as values (objects in the shapes graph, prefixed names in SPARQL text)."""
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


def copies(store: ox.Store, k: int, out) -> int:
    individuals = {q.subject for q in store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(OWL + "NamedIndividual"))}
    axioms = {q.subject for q in store.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(OWL + "Axiom"))}
    kept = names_in_shapes()
    def order(node) -> tuple:
        if isinstance(node, ox.NamedNode):
            return (0, node.value)
        # blank node labels change from one load to the next: order axioms by what they say
        return (1, sorted(f"{q.predicate} {q.object}" for q in store.quads_for_pattern(node, None, None)))

    renamed = sorted((n for n in individuals | axioms if not (isinstance(n, ox.NamedNode) and n.value in kept)),
                     key=order)
    index = {node: i for i, node in enumerate(renamed)}

    def fresh(node, copy: int):
        if node not in index:
            return node
        if isinstance(node, ox.BlankNode):
            return ox.BlankNode(f"c{copy}n{index[node]}")
        local = re.sub(r"[^A-Za-z0-9_.-]", "_", node.value.rsplit("/", 1)[-1].rsplit("#", 1)[-1])
        return ox.NamedNode(f"{SCALED_NS}{copy}/{local}-{index[node]}")

    written = 0
    for copy in range(1, k + 1):
        lines = []
        for node in renamed:
            subject = fresh(node, copy)
            for quad in store.quads_for_pattern(node, None, None, ox.DefaultGraph()):
                obj = quad.object
                if quad.predicate == LABEL and isinstance(obj, ox.Literal):
                    obj = ox.Literal(f"{obj.value} (copy {copy})", language=obj.language) if obj.language \
                        else ox.Literal(f"{obj.value} (copy {copy})", datatype=obj.datatype)
                else:
                    obj = fresh(obj, copy)
                lines.append(f"{subject} {quad.predicate} {obj} .\n")
        lines.sort()
        out.writelines(lines)
        written += len(lines)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("k", type=int, help="number of copies of the release's individuals")
    parser.add_argument("out", type=Path, help="output N-Triples file")
    args = parser.parse_args(argv)
    store = ox.Store()
    store.bulk_load(path=str(paths.release_file("nt", inferred=True)), format=ox.RdfFormat.N_TRIPLES)
    tmp = args.out.with_name(args.out.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as out:
        n = copies(store, args.k, out)
    tmp.replace(args.out)
    print(f"{args.out}: {n} triples ({args.k} copies)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
