"""Plain-words explanations of why a graph is inconsistent.

HermiT only says *that* an ontology is inconsistent. These checks find the usual reasons in the asserted
triples: an individual in two disjoint classes (directly, or through the domain and range of the properties it
uses), a functional property with two values that are known to differ, and sameAs between different individuals.
"""

from __future__ import annotations

from itertools import combinations

from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS


def _label(graph: Graph, node) -> str:
    label = graph.value(node, RDFS.label)
    name = str(node).rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    return f"{name} ({label})" if label is not None and str(label) != name else name


def named_ancestors(graph: Graph, cls) -> set:
    """``cls`` and every named class above it through rdfs:subClassOf."""
    seen, todo = {cls}, [cls]
    while todo:
        for parent in graph.objects(todo.pop(), RDFS.subClassOf):
            if isinstance(parent, URIRef) and parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


def _disjoint_pairs(graph: Graph) -> set[frozenset]:
    pairs = {frozenset((a, b)) for a, b in graph.subject_objects(OWL.disjointWith)}
    for node in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        members = graph.value(node, OWL.members)
        if members is not None:
            for a, b in combinations(list(Collection(graph, members)), 2):
                pairs.add(frozenset((a, b)))
    return pairs


def _different(graph: Graph) -> set[frozenset]:
    pairs = {frozenset((a, b)) for a, b in graph.subject_objects(OWL.differentFrom)}
    for node in graph.subjects(RDF.type, OWL.AllDifferent):
        members = graph.value(node, OWL.distinctMembers) or graph.value(node, OWL.members)
        if members is not None:
            for a, b in combinations(list(Collection(graph, members)), 2):
                pairs.add(frozenset((a, b)))
    return pairs


def find_contradictions(graph: Graph) -> list[str]:
    reasons: list[str] = []
    disjoint = _disjoint_pairs(graph)
    different = _different(graph)
    individuals = set(graph.subjects(RDF.type, OWL.NamedIndividual))

    # Where does each class membership of an individual come from?
    origins: dict = {}
    for ind in individuals:
        for cls in graph.objects(ind, RDF.type):
            if isinstance(cls, URIRef) and cls not in (OWL.NamedIndividual, OWL.Thing):
                origins.setdefault(ind, []).append((cls, "is asserted to be a"))
    for prop in set(graph.subjects(RDF.type, OWL.ObjectProperty)):
        domain, range_ = graph.value(prop, RDFS.domain), graph.value(prop, RDFS.range)
        for s, o in graph.subject_objects(prop):
            if isinstance(domain, URIRef) and s in individuals:
                origins.setdefault(s, []).append((domain, f"uses {_label(graph, prop)} whose domain is"))
            if isinstance(range_, URIRef) and o in individuals:
                origins.setdefault(o, []).append((range_, f"is the value of {_label(graph, prop)} whose range is"))
    for ind, sources in sorted(origins.items()):
        expanded = [(anc, cls, why) for cls, why in sources for anc in named_ancestors(graph, cls)]
        reported = set()
        for (a, ca, wa), (b, cb, wb) in combinations(expanded, 2):
            key = frozenset((a, b))
            if key in disjoint and (ind, key) not in reported:
                reported.add((ind, key))
                reasons.append(
                    f"{_label(graph, ind)} {wa} {_label(graph, ca)} and {wb} {_label(graph, cb)}, "
                    f"but {_label(graph, a)} and {_label(graph, b)} are disjoint classes")
    for prop in sorted(set(graph.subjects(RDF.type, OWL.FunctionalProperty))):
        by_subject: dict = {}
        for s, o in graph.subject_objects(prop):
            by_subject.setdefault(s, set()).add(o)
        for s, values in sorted(by_subject.items()):
            for a, b in combinations(sorted(values), 2):
                if frozenset((a, b)) in different or (a, OWL.differentFrom, b) in graph:
                    reasons.append(f"{_label(graph, s)} has two values of the functional property "
                                   f"{_label(graph, prop)}: {_label(graph, a)} and {_label(graph, b)}, "
                                   f"which are declared different")
    for a, b in graph.subject_objects(OWL.sameAs):
        if frozenset((a, b)) in different:
            reasons.append(f"{_label(graph, a)} is declared the same as {_label(graph, b)} and also different from it")
    for ind in graph.subjects(RDF.type, OWL.Nothing):
        reasons.append(f"{_label(graph, ind)} is asserted to be a member of owl:Nothing")
    return reasons
