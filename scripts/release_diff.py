"""Compare two release N-Triples files by content: triples added and removed, counted by predicate.

Renamed IRIs (owl:deprecated + IAO:0100001 in the new file) are mapped back to their old names and the
deprecation records and ifn:fromSource links are counted apart, so that what remains is the real change.
Blank nodes are compared by a hash of their description. Usage: python scripts/release_diff.py OLD.nt NEW.nt [N]
(N: print up to N changed triples of each side).
"""

from __future__ import annotations

import hashlib
import sys
from collections import Counter

from rdflib import BNode, Graph, URIRef

REPLACED_BY = URIRef("http://purl.obolibrary.org/obo/IAO_0100001")
FROM_SOURCE = URIRef("https://w3id.org/ifn-cancer/fromSource")


def content(graph: Graph) -> set[tuple[str, str, str]]:
    bnodes = {n for t in graph for n in (t[0], t[2]) if isinstance(n, BNode)}
    names = dict.fromkeys(bnodes, "")
    for _ in range(4):  # enough rounds for the nesting depth of OWL axioms here
        names = {b: hashlib.sha1("|".join(sorted(
            f"{p}={names[o] if isinstance(o, BNode) else o.n3()}" for p, o in graph.predicate_objects(b))).encode()
        ).hexdigest()[:16] for b in bnodes}
    term = lambda n: "_:" + names[n] if isinstance(n, BNode) else n.n3()  # noqa: E731
    return {(term(s), p.n3(), term(o)) for s, p, o in graph}


def main(old_path: str, new_path: str, show: int = 0) -> None:
    old, new = Graph().parse(old_path, format="nt"), Graph().parse(new_path, format="nt")
    # IRIs deprecated by this change (not already deprecated in the old release)
    renamed = {replacement: deprecated for deprecated, replacement in new.subject_objects(REPLACED_BY)
               if (deprecated, REPLACED_BY, None) not in old}
    deprecated = set(renamed.values())
    normalized = Graph()
    for s, p, o in new:
        if s not in deprecated and p != FROM_SOURCE:
            normalized.add((renamed.get(s, s), p, renamed.get(o, o)))
    print(f"old: {len(old)} triples; new: {len(new)} triples")
    links = len(list(new.triples((None, FROM_SOURCE, None))))
    print(f"renamed IRIs: {len(renamed)}; their deprecation records: {len(new) - len(normalized) - links} triples; "
          f"fromSource links: {links}")
    before, after = content(old), content(normalized)
    for name, triples in (("removed", before - after), ("added", after - before)):
        print(f"{name}: {len(triples)}", dict(Counter(p for _, p, _ in triples).most_common()))
        for triple in sorted(triples)[:show]:
            print("  ", *triple)


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__.splitlines()[-2])
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) == 4 else 0)
