"""The documentation site's view of the release: every named resource with its statements, read through the
site's packaged queries (``queries/site/*.rq``) so that pages follow whatever the graph holds.

Nothing here knows the list of classes or effect properties: a resource's kind comes from its rdf:type, and an
assertion node (an effect) is any node with a polarity. Only the few properties that give a page its shape
(label, definition, synonyms, polarity, step, evidence) are named, in ``roles``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ifnonto import paths
from ifnonto.iris import BASE, PREFIXES, xref_prefixes
from ifnonto.queries import registry
from ifnonto.site import roles

RDF_TYPE = PREFIXES["rdf"] + "type"
OWL = PREFIXES["owl"]
RDFS = PREFIXES["rdfs"]

KIND_OF_TYPE = {
    OWL + "Class": "class",
    OWL + "ObjectProperty": "property",
    OWL + "DatatypeProperty": "property",
    OWL + "AnnotationProperty": "property",
    OWL + "NamedIndividual": "entity",
}
PROPERTY_KINDS = {OWL + "ObjectProperty": "object property", OWL + "DatatypeProperty": "datatype property",
                  OWL + "AnnotationProperty": "annotation property"}
CHARACTERISTICS = ("FunctionalProperty", "InverseFunctionalProperty", "TransitiveProperty", "SymmetricProperty",
                   "AsymmetricProperty", "ReflexiveProperty", "IrreflexiveProperty")


@dataclass(frozen=True)
class Value:
    """The object of a statement: an IRI, a literal (with language or datatype) or a blank node id."""
    text: str
    kind: str            # iri | literal | blank
    language: str = ""
    datatype: str = ""


@dataclass
class Resource:
    iri: str
    label: str = ""
    kind: str = ""                       # class | property | entity | other
    types: list[str] = field(default_factory=list)
    out: dict[str, list[Value]] = field(default_factory=lambda: defaultdict(list))
    inc: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))   # predicate -> subjects
    slug: str = ""
    section: str = ""                    # the site folder: class, property, entity

    def first(self, predicate: str) -> str:
        values = self.out.get(predicate) or []
        return values[0].text if values else ""

    def texts(self, predicate: str) -> list[str]:
        return sorted({v.text for v in self.out.get(predicate, [])})


@dataclass
class Fact:
    """A simple statement between two named resources, with the evidence its owl:Axiom annotation carries."""
    subject: str
    predicate: str
    object: str
    annotations: dict[str, list[Value]]
    inferred: bool


def curie(iri: str) -> str:
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def xref_url(xref: str) -> str | None:
    """A resolver URL for a cross-reference CURIE (identifiers.org or the official OBO PURL), if known."""
    prefix, sep, local = xref.partition(":")
    if not sep or prefix not in xref_prefixes() or not local:
        return None
    return xref_prefixes()[prefix] + local


class SiteGraph:
    """All named resources of the release with their statements, the blank-node structures, and the facts."""

    def __init__(self, engine, asserted_engine=None):
        site_queries = registry(paths.QUERIES_DIR / "site")
        statements = engine.select(site_queries["resource-statements"].text)
        blanks = engine.select(site_queries["blank-node-statements"].text)
        asserted = set()
        if asserted_engine is not None:
            for row in asserted_engine.select(site_queries["resource-statements"].text).rows:
                asserted.add((row[0], row[1], row[2]))
        self.asserted = asserted
        self.resources: dict[str, Resource] = {}
        for subject, predicate, obj, kind, language, datatype in statements.rows:
            resource = self.resources.get(subject) or self.resources.setdefault(subject, Resource(subject))
            resource.out[predicate].append(Value(obj, kind, language or "", datatype or ""))
        self.blank: dict[str, dict[str, list[Value]]] = defaultdict(lambda: defaultdict(list))
        for node, predicate, obj, kind in blanks.rows:
            self.blank[node][predicate].append(Value(obj, kind))
        self._classify()
        self._incoming()
        self.facts = self._facts()

    # ------------------------------------------------------------------ kinds, labels, slugs

    def _classify(self) -> None:
        for resource in self.resources.values():
            resource.label = self._pick_label(resource)
            resource.types = sorted(v.text for v in resource.out.get(RDF_TYPE, []) if v.kind == "iri")
            kinds = [KIND_OF_TYPE[t] for t in resource.types if t in KIND_OF_TYPE]
            if "class" in kinds:
                resource.kind = "class"
            elif "property" in kinds:
                resource.kind = "property"
            elif "entity" in kinds or (resource.label and resource.types):
                resource.kind = "entity"
            else:
                resource.kind = "other"
        taken: set[str] = set()
        for resource in sorted(self.resources.values(), key=lambda r: r.iri):
            if not self.has_page(resource):
                continue
            resource.section = resource.kind
            slug = _slug(resource.iri)
            if slug.lower() in taken:   # never two pages whose names differ only in case
                import hashlib

                slug = f"{slug}-{hashlib.sha1(resource.iri.encode()).hexdigest()[:8]}"
            taken.add(slug.lower())
            resource.slug = slug

    @staticmethod
    def _pick_label(resource: Resource) -> str:
        labels = resource.out.get(roles.LABEL, [])
        if not labels:
            return ""
        english = [v.text for v in labels if v.language in ("en", "")]
        return sorted(english or [v.text for v in labels])[0]

    def has_page(self, resource: Resource) -> bool:
        return bool(resource.label) and resource.kind in ("class", "property", "entity")

    def label(self, iri: str) -> str:
        resource = self.resources.get(iri)
        return resource.label if resource and resource.label else curie(iri)

    def page(self, iri: str) -> Resource | None:
        resource = self.resources.get(iri)
        return resource if resource is not None and resource.slug else None

    def pages(self, kind: str) -> list[Resource]:
        return sorted((r for r in self.resources.values() if r.slug and r.kind == kind),
                      key=lambda r: (r.label.lower(), r.iri))

    # ------------------------------------------------------------------ links between resources

    def _incoming(self) -> None:
        for resource in self.resources.values():
            for predicate, values in resource.out.items():
                if predicate == RDF_TYPE:
                    continue
                for value in values:
                    target = self.resources.get(value.text) if value.kind == "iri" else None
                    if target is not None:
                        target.inc[predicate].append(resource.iri)

    def is_inferred(self, subject: str, predicate: str, obj: str) -> bool:
        return bool(self.asserted) and (subject, predicate, obj) not in self.asserted

    def _facts(self) -> dict[tuple[str, str, str], list[dict[str, list[Value]]]]:
        """owl:Axiom annotations keyed by the (source, property, target) they annotate; a statement can carry
        several (one per review passage), kept in a content order that does not depend on blank-node ids."""
        facts: dict[tuple[str, str, str], list[dict[str, list[Value]]]] = defaultdict(list)
        for statements in self.blank.values():
            if not any(v.text == OWL + "Axiom" for v in statements.get(RDF_TYPE, [])):
                continue
            key = tuple(statements.get(OWL + name, [Value("", "")])[0].text
                        for name in ("annotatedSource", "annotatedProperty", "annotatedTarget"))
            annotations = {p: sorted(v, key=lambda x: (x.kind, x.text)) for p, v in statements.items()
                           if p != RDF_TYPE and not p.startswith(OWL + "annotated")}
            facts[key].append(annotations)
        for found in facts.values():
            found.sort(key=lambda a: sorted((p, [x.text for x in v]) for p, v in a.items()))
        return dict(facts)

    def is_assertion_node(self, iri: str) -> bool:
        """An effect-like node: a claim with a polarity (whatever its class), shown as a row, not as a link."""
        resource = self.resources.get(iri)
        return resource is not None and roles.POLARITY in resource.out

    def types_of(self, resource: Resource, direct: bool = True) -> list[str]:
        """Named classes of a resource; ``direct`` drops those that are superclasses of another of its types."""
        named = [t for t in resource.types if t in self.resources and self.resources[t].kind == "class"]
        if not direct:
            return named
        ancestors = set()
        for t in named:
            ancestors |= self.superclasses(t) - {t}
        return [t for t in named if t not in ancestors]

    def direct_superclasses(self, iri: str) -> list[str]:
        resource = self.resources.get(iri)
        if resource is None:
            return []
        return sorted({v.text for v in resource.out.get(RDFS + "subClassOf", [])
                       if v.kind == "iri" and v.text != iri and v.text != OWL + "Thing"})

    def superclasses(self, iri: str) -> set[str]:
        seen, stack = set(), [iri]
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            stack.extend(self.direct_superclasses(current))
        return seen

    def hierarchy_paths(self, iri: str, limit: int = 6) -> list[list[str]]:
        """Chains from a class up to a root, most specific first (a class with several parents has several)."""
        paths_found: list[list[str]] = []

        def walk(node: str, chain: list[str]) -> None:
            if len(paths_found) >= limit:
                return
            parents = [p for p in self.direct_superclasses(node) if p not in chain]
            if not parents:
                paths_found.append(chain)
                return
            for parent in parents:
                walk(parent, chain + [parent])

        walk(iri, [iri])
        return paths_found

    def subclasses(self, iri: str) -> list[str]:
        resource = self.resources.get(iri)
        if resource is None:
            return []
        return sorted({s for s in resource.inc.get(RDFS + "subClassOf", []) if s != iri},
                      key=lambda s: self.label(s).lower())

    def instances(self, iri: str) -> list[str]:
        resource = self.resources.get(iri)
        if resource is None:
            return []
        found = [r.iri for r in self.resources.values() if iri in r.types and r.slug and r.kind == "entity"]
        return sorted(found, key=lambda s: self.label(s).lower())

    # ------------------------------------------------------------------ OWL class expressions

    def list_items(self, node: str) -> list[Value]:
        items, seen = [], set()
        while node and node not in seen and node != RDF_NIL:
            seen.add(node)
            statements = self.blank.get(node)
            if not statements:
                break
            first = statements.get(PREFIXES["rdf"] + "first")
            if first:
                items.append(first[0])
            rest = statements.get(PREFIXES["rdf"] + "rest")
            node = rest[0].text if rest else ""
        return items

    def expression(self, value: Value, depth: int = 0) -> list[tuple[str, str | None]]:
        """A class expression as Manchester-like tokens: (text, iri or None) pairs, IRIs to be linked."""
        if value.kind == "iri":
            return [(self.label(value.text), value.text)]
        if value.kind == "literal" or depth > 8:
            return [(value.text, None)]
        node = self.blank.get(value.text, {})

        def joined(items: list[Value], word: str) -> list[tuple[str, str | None]]:
            tokens: list[tuple[str, str | None]] = [("(", None)]
            for index, item in enumerate(items):
                if index:
                    tokens.append((f" {word} ", None))
                tokens.extend(self.expression(item, depth + 1))
            tokens.append((")", None))
            return tokens

        for name, word in (("intersectionOf", "and"), ("unionOf", "or")):
            if OWL + name in node:
                return joined(self.list_items(node[OWL + name][0].text), word)
        if OWL + "oneOf" in node:
            items = self.list_items(node[OWL + "oneOf"][0].text)
            tokens = joined(items, ",")
            return [("{", None)] + tokens[1:-1] + [("}", None)]
        if OWL + "complementOf" in node:
            return [("not ", None)] + self.expression(node[OWL + "complementOf"][0], depth + 1)
        if OWL + "onProperty" in node:
            prop = self.expression(node[OWL + "onProperty"][0], depth + 1)
            for name, word in (("someValuesFrom", "some"), ("allValuesFrom", "only"), ("hasValue", "value"),
                               ("minCardinality", "min"), ("maxCardinality", "max"), ("cardinality", "exactly"),
                               ("minQualifiedCardinality", "min"), ("maxQualifiedCardinality", "max"),
                               ("qualifiedCardinality", "exactly")):
                if OWL + name in node:
                    filler = node[OWL + name][0]
                    tokens = prop + [(f" {word} ", None)] + self.expression(filler, depth + 1)
                    if OWL + "onClass" in node:
                        tokens += [(" ", None)] + self.expression(node[OWL + "onClass"][0], depth + 1)
                    return tokens
            return prop
        return [("(anonymous expression)", None)]


RDF_NIL = PREFIXES["rdf"] + "nil"


def _slug(iri: str) -> str:
    if iri.startswith(BASE):
        local = iri[len(BASE):]
    else:
        short = curie(iri)
        local = short.replace(":", "_", 1) if short != iri else re.sub(r"^https?://", "", iri)
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", local).strip("._") or "resource"
    return slug[:120]


def characteristics(resource: Resource) -> list[str]:
    found = []
    for name in CHARACTERISTICS:
        if OWL + name in resource.types:
            found.append(re.sub(r"(?<!^)(?=[A-Z])", " ", name.replace("Property", "")).lower())
    return found


def property_kind(resource: Resource) -> str:
    return next((PROPERTY_KINDS[t] for t in resource.types if t in PROPERTY_KINDS), "property")


def site_queries_dir() -> Path:
    return paths.QUERIES_DIR / "site"
