"""Own OWL 2 RL-style rules because `reasonable` 0.4.4 derived owl:sameAs between all seven cycle steps here (unsound).

ABox materialization at scale. HermiT (a tableau reasoner) classifies the small TBox; these forward rules then
derive what a DL reasoner concludes about the individuals, for the constructs the ontology uses: named
sub-classes and sub-properties, inverse, symmetric and transitive properties, property chains, domains and
ranges, and class expressions built from intersectionOf, unionOf, oneOf, hasValue and someValuesFrom (as
equivalent classes or superclasses). It also detects the contradictions those constructs can produce: an
individual in disjoint classes or in owl:Nothing, and a functional property with two values that differ.

The engine works on pyoxigraph terms held in Python dicts and sets; each round re-derives everything from the
current facts, and the rounds stop when nothing new appears (a handful on this ontology).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from typing import Iterable

import pyoxigraph as ox

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_NS = "http://www.w3.org/2000/01/rdf-schema#"
OWL_NS = "http://www.w3.org/2002/07/owl#"


def _rdf(name: str) -> ox.NamedNode:
    return ox.NamedNode(RDF_NS + name)


def _rdfs(name: str) -> ox.NamedNode:
    return ox.NamedNode(RDFS_NS + name)


def _owl(name: str) -> ox.NamedNode:
    return ox.NamedNode(OWL_NS + name)


TYPE, FIRST, REST, NIL = _rdf("type"), _rdf("first"), _rdf("rest"), _rdf("nil")
SUBCLASS, SUBPROP, DOMAIN, RANGE = _rdfs("subClassOf"), _rdfs("subPropertyOf"), _rdfs("domain"), _rdfs("range")
THING, NOTHING, NAMED_INDIVIDUAL = _owl("Thing"), _owl("Nothing"), _owl("NamedIndividual")
OBJECT_PROPERTY = _owl("ObjectProperty")
_SKIP_TYPES = {THING, NAMED_INDIVIDUAL}


@dataclass
class RuleResult:
    """Conclusions about named individuals that are not among the input triples, and the contradictions."""

    inferred: set[tuple] = field(default_factory=set)
    contradictions: list[str] = field(default_factory=list)

    @property
    def consistent(self) -> bool:
        return not self.contradictions


class _TBox:
    """The schema axioms the rules use, read from the triples."""

    def __init__(self, index: dict, triples_by_p: dict):
        self._index = index
        sub = triples_by_p.get(SUBCLASS, set())
        self.superclasses: dict = {}   # named class -> named superclasses (direct)
        self.class_axioms: list = []   # (named class, expression): every member of the class is in expression
        self.defined: list = []        # (expression, named class): every member of expression is in the class
        for c, d in sub:
            if isinstance(c, ox.NamedNode):
                if isinstance(d, ox.NamedNode):
                    self.superclasses.setdefault(c, set()).add(d)
                else:
                    self.class_axioms.append((c, self.expression(d)))
        for c, d in triples_by_p.get(_owl("equivalentClass"), set()):
            for a, b in ((c, d), (d, c)):
                if isinstance(a, ox.NamedNode):
                    if isinstance(b, ox.NamedNode):
                        self.superclasses.setdefault(a, set()).add(b)
                    else:
                        expr = self.expression(b)
                        self.class_axioms.append((a, expr))
                        self.defined.append((expr, a))
        self.superclasses = _closure(self.superclasses)
        self.superprops = _closure(_pairs_to_map(triples_by_p.get(SUBPROP, set())))
        for p, q in triples_by_p.get(_owl("equivalentProperty"), set()):
            self.superprops.setdefault(p, set()).add(q)
            self.superprops.setdefault(q, set()).add(p)
        self.inverses: dict = {}
        for p, q in triples_by_p.get(_owl("inverseOf"), set()):
            self.inverses.setdefault(p, set()).add(q)
            self.inverses.setdefault(q, set()).add(p)
        types = triples_by_p.get(TYPE, set())
        self.symmetric = {s for s, o in types if o == _owl("SymmetricProperty")}
        self.transitive = {s for s, o in types if o == _owl("TransitiveProperty")}
        self.functional = {s for s, o in types if o == _owl("FunctionalProperty")}
        self.inverse_functional = {s for s, o in types if o == _owl("InverseFunctionalProperty")}
        self.chains = [(p, self.items(chain)) for p, chain in triples_by_p.get(_owl("propertyChainAxiom"), set())]
        self.domains = _pairs_to_map(triples_by_p.get(DOMAIN, set()))
        self.ranges = _pairs_to_map(triples_by_p.get(RANGE, set()))
        self.disjoint: set[frozenset] = {frozenset(pair) for pair in triples_by_p.get(_owl("disjointWith"), set())}
        for node, cls in types:
            if cls == _owl("AllDisjointClasses"):
                for members in index.get((node, _owl("members")), ()):
                    self.disjoint.update(frozenset(pair) for pair in combinations(self.items(members), 2))
        self.different: set[frozenset] = {frozenset(p) for p in triples_by_p.get(_owl("differentFrom"), set())}
        for node, cls in types:
            if cls == _owl("AllDifferent"):
                for key in (_owl("distinctMembers"), _owl("members")):
                    for members in index.get((node, key), ()):
                        self.different.update(frozenset(pair) for pair in combinations(self.items(members), 2))
        # Named superclasses that are equivalent to a named class close under each other too.
        for cls, parents in list(self.superclasses.items()):
            for parent in list(parents):
                parents |= self.superclasses.get(parent, set())

    def one(self, node, prop):
        values = self._index.get((node, prop))
        return next(iter(values)) if values else None

    def items(self, node) -> list:
        out = []
        while node is not None and node != NIL:
            first = self.one(node, FIRST)
            if first is not None:
                out.append(first)
            node = self.one(node, REST)
        return out

    def expression(self, node):
        """A class expression as a nested tuple: ('named', C), ('and', [..]), ('or', [..]), ('one', [..]),
        ('value', p, v), ('some', p, expr); ('unknown', node) for constructs the rules do not use."""
        if isinstance(node, ox.NamedNode):
            return ("named", node)
        for key, tag in ((_owl("intersectionOf"), "and"), (_owl("unionOf"), "or")):
            members = self.one(node, key)
            if members is not None:
                return (tag, [self.expression(m) for m in self.items(members)])
        members = self.one(node, _owl("oneOf"))
        if members is not None:
            return ("one", self.items(members))
        prop = self.one(node, _owl("onProperty"))
        if prop is not None and isinstance(prop, ox.NamedNode):
            value = self.one(node, _owl("hasValue"))
            if value is not None:
                return ("value", prop, value)
            filler = self.one(node, _owl("someValuesFrom"))
            if filler is not None:
                return ("some", prop, self.expression(filler))
        return ("unknown", node)


def _pairs_to_map(pairs: Iterable[tuple]) -> dict:
    out: dict = {}
    for a, b in pairs:
        out.setdefault(a, set()).add(b)
    return out


def _closure(direct: dict) -> dict:
    result: dict = {}
    for start in direct:
        seen: set = set()
        todo = list(direct[start])
        while todo:
            node = todo.pop()
            if node in seen or node == start:
                continue
            seen.add(node)
            todo.extend(direct.get(node, ()))
        result[start] = seen
    return result


class _ABox:
    """Facts about individuals: property edges by property, and class members by class."""

    def __init__(self):
        self.edges: dict = {}     # property -> set of (subject, object)
        self.members: dict = {}   # class -> set of individuals
        self.changed = False

    def add_edge(self, p, s, o) -> None:
        bucket = self.edges.setdefault(p, set())
        if (s, o) not in bucket:
            bucket.add((s, o))
            self.changed = True

    def add_member(self, cls, x) -> None:
        bucket = self.members.setdefault(cls, set())
        if x not in bucket:
            bucket.add(x)
            self.changed = True


def _evaluate(expr, abox: _ABox) -> set:
    tag = expr[0]
    if tag == "named":
        return set(abox.members.get(expr[1], ()))
    if tag == "and":
        parts = [_evaluate(e, abox) for e in expr[1]]
        return set.intersection(*parts) if parts else set()
    if tag == "or":
        return set().union(*(_evaluate(e, abox) for e in expr[1]))
    if tag == "one":
        return set(expr[1])
    if tag == "value":
        return {s for s, o in abox.edges.get(expr[1], ()) if o == expr[2]}
    if tag == "some":
        fillers = _evaluate(expr[2], abox) if expr[2] != ("named", THING) else None
        return {s for s, o in abox.edges.get(expr[1], ()) if fillers is None or o in fillers}
    return set()


def _apply(expr, x, abox: _ABox) -> None:
    """Add what membership of ``x`` in ``expr`` entails (the superclass side of an axiom)."""
    tag = expr[0]
    if tag == "named":
        abox.add_member(expr[1], x)
    elif tag == "and":
        for part in expr[1]:
            _apply(part, x, abox)
    elif tag == "value":
        abox.add_edge(expr[1], x, expr[2])


def materialize_rules(triples: Iterable[tuple], *, max_rounds: int = 50) -> RuleResult:
    """Apply the rules to ``triples`` (pyoxigraph terms) until nothing new appears."""
    index: dict = {}
    by_p: dict = {}
    asserted: set = set()
    for s, p, o in triples:
        asserted.add((s, p, o))
        index.setdefault((s, p), set()).add(o)
        by_p.setdefault(p, set()).add((s, o))
    tbox = _TBox(index, by_p)
    individuals = {s for s, o in by_p.get(TYPE, ()) if o == NAMED_INDIVIDUAL}
    object_props = {s for s, o in by_p.get(TYPE, ()) if o == OBJECT_PROPERTY}
    object_props |= set(tbox.superprops) | set(tbox.inverses) | {p for p, _ in tbox.chains}

    abox = _ABox()
    for x, cls in by_p.get(TYPE, ()):
        if x in individuals and isinstance(cls, ox.NamedNode):
            abox.add_member(cls, x)
    for p in object_props:
        for s, o in by_p.get(p, ()):
            if s in individuals and o in individuals:
                abox.add_edge(p, s, o)

    for _ in range(max_rounds):
        abox.changed = False
        _property_rules(tbox, abox)
        _class_rules(tbox, abox, individuals)
        if not abox.changed:
            break
    else:  # pragma: no cover - the rules are monotone over a finite vocabulary
        raise RuntimeError("the rules did not reach a fixpoint")

    result = RuleResult()
    for p, pairs in abox.edges.items():
        for s, o in pairs:
            if (s, p, o) not in asserted:
                result.inferred.add((s, p, o))
    for cls, xs in abox.members.items():
        if isinstance(cls, ox.NamedNode) and cls not in _SKIP_TYPES:
            for x in xs:
                if (x, TYPE, cls) not in asserted:
                    result.inferred.add((x, TYPE, cls))
    result.contradictions = _contradictions(tbox, abox, by_p)
    return result


def _property_rules(tbox: _TBox, abox: _ABox) -> None:
    for p, pairs in list(abox.edges.items()):
        supers = tbox.superprops.get(p, ())
        inverses = tbox.inverses.get(p, ())
        symmetric = p in tbox.symmetric
        for s, o in list(pairs):
            for q in supers:
                abox.add_edge(q, s, o)
            for q in inverses:
                abox.add_edge(q, o, s)
            if symmetric:
                abox.add_edge(p, o, s)
    for p in tbox.transitive:
        pairs = abox.edges.get(p)
        if not pairs:
            continue
        forward = _pairs_to_map(pairs)
        for start, reach in _closure(forward).items():
            for end in reach:
                abox.add_edge(p, start, end)
    for p, chain in tbox.chains:
        if not chain:
            continue
        frontier = set(abox.edges.get(chain[0], ()))
        for link in chain[1:]:
            step = _pairs_to_map(abox.edges.get(link, ()))
            frontier = {(s, z) for s, y in frontier for z in step.get(y, ())}
        for s, o in frontier:
            abox.add_edge(p, s, o)


def _class_rules(tbox: _TBox, abox: _ABox, individuals: set) -> None:
    for p, pairs in list(abox.edges.items()):
        for cls in tbox.domains.get(p, ()):
            if isinstance(cls, ox.NamedNode):
                for s, _o in pairs:
                    abox.add_member(cls, s)
        for cls in tbox.ranges.get(p, ()):
            if isinstance(cls, ox.NamedNode):
                for _s, o in pairs:
                    if o in individuals:
                        abox.add_member(cls, o)
    for cls, members in list(abox.members.items()):
        for parent in tbox.superclasses.get(cls, ()):
            for x in list(members):
                abox.add_member(parent, x)
    for cls, expr in tbox.class_axioms:
        for x in list(abox.members.get(cls, ())):
            _apply(expr, x, abox)
    for expr, cls in tbox.defined:
        for x in _evaluate(expr, abox):
            if x in individuals:
                abox.add_member(cls, x)


def _contradictions(tbox: _TBox, abox: _ABox, by_p: dict) -> list[str]:
    found: list[str] = []
    types: dict = {}
    for cls, xs in abox.members.items():
        for x in xs:
            types.setdefault(x, set()).add(cls)
    for x in sorted(abox.members.get(NOTHING, ()), key=str):
        found.append(f"{_short(x)} is a member of owl:Nothing")
    for x in sorted(types, key=str):
        for pair in combinations(sorted(types[x], key=str), 2):
            if frozenset(pair) in tbox.disjoint:
                found.append(f"{_short(x)} is both a {_short(pair[0])} and a {_short(pair[1])}, "
                             "which are disjoint classes")
    for p in sorted(tbox.functional, key=str):
        for s, a, b in _two_values(abox.edges.get(p, ()) or by_p.get(p, ()), tbox, types):
            found.append(f"{_short(s)} has two values of the functional property {_short(p)}: "
                         f"{_short(a)} and {_short(b)}")
    for p in sorted(tbox.inverse_functional, key=str):
        for o, a, b in _two_values(((o, s) for s, o in abox.edges.get(p, ())), tbox, types):
            found.append(f"{_short(o)} is the value of the inverse-functional property {_short(p)} "
                         f"for two different subjects: {_short(a)} and {_short(b)}")
    return found


def _two_values(pairs, tbox: _TBox, types: dict):
    """(key, a, b) for each key of the (key, value) pairs with two values known to differ."""
    values: dict = {}
    for key, value in pairs:
        values.setdefault(key, set()).add(value)
    for key in sorted(values, key=str):
        for a, b in combinations(sorted(values[key], key=str), 2):
            if _differ(a, b, tbox, types):
                yield key, a, b


def _differ(a, b, tbox: _TBox, types: dict) -> bool:
    """Two values are known to differ: distinct literals, declared different, or members of disjoint classes."""
    if isinstance(a, ox.Literal) and isinstance(b, ox.Literal):
        return a != b
    if frozenset((a, b)) in tbox.different:
        return True
    return any(frozenset((ca, cb)) in tbox.disjoint for ca in types.get(a, ()) for cb in types.get(b, ()))


def _short(term) -> str:
    value = getattr(term, "value", str(term))
    return value.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
