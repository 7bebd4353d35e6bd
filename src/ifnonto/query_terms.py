"""Unknown terms in an ad-hoc query: a query that names an IRI of the project's namespace that the data does not
hold (a typo such as ``ifn:inducedby``), or a term that a standard vocabulary does not define (``rdfs:lable``),
matches nothing. An empty answer with exit 0 would read as "no such knowledge"; this says which term is unknown.

Only run when a query gave no answer, so a normal query pays nothing for it.
"""

from __future__ import annotations

from typing import Callable

from ifnonto.errors import IfnontoError


def _field(node, key: str) -> str:
    """A field of rdflib's parse node, "" when absent (CompValue.get would answer the key's own name)."""
    return str(node[key]) if key in node else ""


def query_iris(text: str) -> set[str]:
    """Every IRI a query names (prefixed names expanded), from rdflib's parse of it."""
    from pyparsing import ParseResults
    from rdflib import URIRef
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    from ifnonto.iris import PREFIXES

    tree = parseQuery(text)
    declared = dict(PREFIXES)
    for item in tree[0]:  # the prologue: PREFIX declarations override the predefined ones
        if isinstance(item, CompValue) and item.name == "PrefixDecl":
            declared[_field(item, "prefix")] = str(item["iri"])
    found, stack = set(), [tree[1]]  # the query, not its prologue's namespace IRIs
    while stack:
        item = stack.pop()
        if isinstance(item, URIRef):
            found.add(str(item))
        elif isinstance(item, CompValue):
            if item.name == "pname" and _field(item, "prefix") in declared:
                found.add(declared[_field(item, "prefix")] + _field(item, "localname"))
            else:
                stack.extend(item.values())
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, ParseResults)):
            stack.extend(item)
    return found


def suspicious_iris(iris: set[str]) -> tuple[set[str], set[str]]:
    """(IRIs of the project's namespace, to look up in the data; IRIs a standard vocabulary does not define)."""
    from rdflib import URIRef

    from ifnonto.iris import BASE
    from ifnonto.validate import _standard_vocabularies

    ours = {iri for iri in iris if iri.startswith(BASE)}
    undefined = set()
    for namespace, vocabulary in _standard_vocabularies().items():
        undefined |= {iri for iri in iris if iri.startswith(namespace) and iri != namespace
                      and URIRef(iri) not in vocabulary}
    return ours, undefined


def absent_query(iris: set[str]) -> str:
    """Which of ``iris`` occur nowhere in the data (not as subject, predicate or object)."""
    values = " ".join(f"<{iri}>" for iri in sorted(iris))
    return ("SELECT ?t WHERE { VALUES ?t { " + values + " } FILTER NOT EXISTS { { ?t ?p ?o } UNION "
            "{ ?s ?t ?o } UNION { ?s ?p ?t } } }")


def check_terms(text: str, select: Callable[[str], list[list]], names: Callable[[], list[str]]) -> None:
    """Raise IfnontoError naming each unknown term of ``text``, with close known names.

    ``select`` runs a SELECT query on the data the query ran on and returns its rows; ``names`` gives the known
    IRIs of the project's namespace (for "did you mean"; only called when a term is unknown)."""
    from ifnonto.formats import shorten
    from ifnonto.queries import did_you_mean

    try:
        iris = query_iris(text)
    except Exception:  # noqa: BLE001 - the query already ran; a text rdflib cannot read is not checked
        return
    ours, undefined = suspicious_iris(iris)
    unknown = set(undefined)
    if ours:
        unknown |= {row[0] for row in select(absent_query(ours)) if row and row[0]}
    if not unknown:
        return
    known = {shorten(iri): iri for iri in names()} if ours & unknown else {}
    parts = []
    for iri in sorted(unknown):
        close = did_you_mean(shorten(iri), sorted(known), n=3) if iri in ours else []
        hint = f" (did you mean {' or '.join(close)}?)" if close else ""
        where = "is not in the data" if iri in ours else "is not defined by its vocabulary"
        parts.append(f"{shorten(iri)} {where}{hint}")
    raise IfnontoError("the query gave no answer and names unknown terms: " + "; ".join(parts))


NAMES_QUERY = ("SELECT DISTINCT ?t WHERE { { ?t ?p ?o } UNION { ?s ?t ?o } UNION { ?s ?p ?t } "
               "FILTER(isIRI(?t) && STRSTARTS(STR(?t), \"%s\")) }")
