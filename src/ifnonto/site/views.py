"""Turn the site graph into plain dictionaries for the templates: one view per page kind, all lists sorted, so
the same release always gives the same pages."""

from __future__ import annotations

from collections import defaultdict

from ifnonto.iris import BASE, PREFIXES
from ifnonto.site import roles
from ifnonto.site.graph import (OWL, RDF_TYPE, RDFS, SiteGraph, Value, characteristics, curie, property_kind,
                                xref_url)

SKIP_OUT = {RDF_TYPE, roles.LABEL, roles.DEFINITION, roles.XREF, *roles.SYNONYMS}
MAX_NEIGHBOURS = 18


def plain(text: str, external: str | None = None) -> dict:
    """A link dictionary for text that has no page here (an external link if ``external`` is given)."""
    return {"text": text, "href": None, "title": "", "external": external}


class Views:
    def __init__(self, graph: SiteGraph):
        self.g = graph
        self._disjoint = self._disjoint_sets()

    # ------------------------------------------------------------------ small pieces

    def path(self, iri: str) -> str | None:
        page = self.g.page(iri)
        return f"{page.section}/{page.slug}.html" if page else None

    def link(self, iri: str) -> dict:
        return {"text": self.g.label(iri), "href": self.path(iri), "title": iri,
                "external": None if self.path(iri) else (iri if iri.startswith(("http://", "https://")) else None)}

    def value(self, predicate: str, value: Value) -> dict:
        if value.kind == "iri":
            return self.link(value.text)
        if value.kind == "blank":
            return {"tokens": self.tokens(value)}
        template = roles.LINKED_LITERALS.get(predicate)
        if template:
            return plain(value.text, template.format(value.text))
        return plain(value.text)

    def code(self, iri: str) -> dict:
        """An evidence code shown by its short id (ECO:0000304), its label as the tooltip."""
        short = curie(iri)
        if short.startswith("obo:") and "_" in short:
            short = short[4:].replace("_", ":", 1)
        link = self.link(iri)
        return {**link, "text": short, "title": self.g.label(iri)}

    def tokens(self, value: Value) -> list[dict]:
        return [{"text": text, "href": self.path(iri) if iri else None, "title": iri or ""}
                for text, iri in self.g.expression(value)]

    def annotations(self, resource, skip=()) -> list[dict]:
        """Literal-valued statements (and IRIs that are not pages) other than the page's own fields."""
        rows = []
        for predicate in sorted(resource.out, key=lambda p: self.g.label(p).lower()):
            if predicate in SKIP_OUT or predicate in skip:
                continue
            values = [v for v in resource.out[predicate] if v.kind == "literal"]
            if values:
                rows.append({"property": self.link(predicate),
                             "vals": [self.value(predicate, v) for v in sorted(values, key=lambda v: v.text)]})
        return rows

    def evidence(self, statements: dict[str, list[Value]]) -> dict:
        refs = []
        for value in statements.get(roles.CITES, []):
            ref = self.g.resources.get(value.text)
            number = ref.first(roles.IFN + "referenceNumber") if ref else ""
            links = []
            if ref:
                for predicate, template in sorted(roles.LINKED_LITERALS.items()):
                    for v in ref.out.get(predicate, []):
                        links.append({"text": self.g.label(predicate), "href": template.format(v.text)})
            refs.append({"link": self.link(value.text), "number": int(number) if number.isdigit() else 0,
                         "links": links})
        refs.sort(key=lambda r: (r["number"], r["link"]["text"]))
        codes = [self.code(v.text) for v in statements.get(roles.EVIDENCE_CODE, [])]
        sections = [self.link(v.text) for v in statements.get(roles.SECTION, [])]
        hedge = sorted(v.text for v in statements.get(roles.HEDGE, []))
        printed = sorted(v.text for v in statements.get(roles.REFS_AS_PRINTED, []))
        own = any(v.text == "true" for v in statements.get(roles.REVIEW_STATEMENT, []))
        notes = sorted(v.text for p, vs in statements.items() if p == PREFIXES["skos"] + "note" for v in vs)
        return {"refs": refs, "codes": codes, "sections": sections, "hedge": hedge, "printed": printed,
                "own": own, "notes": notes}

    # ------------------------------------------------------------------ assertion (effect) rows

    def effect_row(self, iri: str, roles_here: list[str] | None = None) -> dict:
        node = self.g.resources[iri]
        polarity = node.first(roles.POLARITY)
        context = []
        for predicate in sorted(node.out, key=lambda p: self.g.label(p).lower()):
            if predicate in roles.EFFECT_COLUMNS:
                continue
            values = sorted(node.out[predicate], key=lambda v: self.g.label(v.text) if v.kind == "iri" else v.text)
            context.append({"property": self.g.label(predicate),
                            "vals": [self.value(predicate, v) for v in values]})
        steps = sorted((v.text for v in node.out.get(roles.STEP, [])), key=self._step_key)
        return {
            "link": self.link(iri),
            "id": iri[len(BASE):] if iri.startswith(BASE) else curie(iri),
            "description": node.first(roles.DESCRIPTION),
            "polarity": "positive" if polarity == roles.POSITIVE else "negative" if polarity == roles.NEGATIVE
            else self.g.label(polarity),
            "regulators": [self.link(v.text) for v in node.out.get(roles.REGULATOR, [])],
            "direction": ", ".join(sorted(self.g.label(v.text) for v in node.out.get(roles.DIRECTION, []))),
            "targets": [self.link(v.text) for v in node.out.get(roles.TARGET, [])],
            "steps": [self.link(s) for s in steps],
            "context": context,
            "evidence": self.evidence(node.out),
            "roles": roles_here or [],
        }

    def _step_key(self, iri: str):
        number = self.g.resources[iri].first(roles.STEP_NUMBER) if iri in self.g.resources else ""
        return (int(number) if number.isdigit() else 99, self.g.label(iri))

    # ------------------------------------------------------------------ statements between named resources

    def facts(self, resource) -> tuple[list[dict], list[dict]]:
        """Outgoing and incoming links with other named resources (not effects), with a fact's evidence."""
        outgoing, incoming = [], []
        for predicate, values in resource.out.items():
            if predicate in SKIP_OUT or predicate == RDFS + "subClassOf":
                continue
            for value in values:
                if value.kind != "iri" or value.text not in self.g.resources or self.g.is_assertion_node(value.text):
                    continue
                if self.g.is_assertion_node(resource.iri) and predicate in roles.EVIDENCE:
                    continue
                outgoing.append(self._fact(resource.iri, predicate, value.text, value.text))
        for predicate, subjects in resource.inc.items():
            if predicate in (RDFS + "subClassOf", RDFS + "subPropertyOf", RDFS + "domain", RDFS + "range"):
                continue
            for subject in subjects:
                if self.g.is_assertion_node(subject) or not self.g.page(subject):
                    continue
                incoming.append(self._fact(subject, predicate, resource.iri, subject))
        key = lambda f: (f["property"]["text"].lower(), f["other"]["text"].lower(), f["other"]["title"])  # noqa: E731
        return sorted(outgoing, key=key), sorted(incoming, key=key)

    def _fact(self, subject: str, predicate: str, obj: str, other: str) -> dict:
        annotations = self.g.facts.get((subject, predicate, obj), [])
        return {"property": self.link(predicate), "other": self.link(other),
                "inferred": self.g.is_inferred(subject, predicate, obj),
                "evidence": [self.evidence(a) for a in annotations]}

    def effects_of(self, resource) -> list[dict]:
        by_effect: dict[str, set[str]] = defaultdict(set)
        for predicate, subjects in resource.inc.items():
            for subject in subjects:
                if self.g.is_assertion_node(subject) and subject != resource.iri:
                    by_effect[subject].add(self.g.label(predicate))
        return [self.effect_row(iri, sorted(r)) for iri, r in sorted(by_effect.items())]

    # ------------------------------------------------------------------ pages

    def entity(self, resource) -> dict:
        direct = self.g.types_of(resource)
        synonyms = sorted({v.text for p in roles.SYNONYMS for v in resource.out.get(p, [])})
        xrefs = [plain(x, xref_url(x)) for x in resource.texts(roles.XREF)]
        hierarchy = []
        for type_iri in direct:
            for chain in self.g.hierarchy_paths(type_iri):
                hierarchy.append([self.link(c) for c in chain])
        outgoing, incoming = self.facts(resource)
        return {
            "label": resource.label, "iri": resource.iri, "curie": curie(resource.iri),
            "types": [self.link(t) for t in sorted(direct, key=lambda t: self.g.label(t).lower())],
            "inferred_types": [t for t in direct if self.g.is_inferred(resource.iri, RDF_TYPE, t)],
            "asserted_types": [self.link(t) for t in sorted(self.g.types_of(resource, direct=False),
                                                             key=lambda t: self.g.label(t).lower())
                               if t not in direct and not self.g.is_inferred(resource.iri, RDF_TYPE, t)],
            "definition": resource.first(roles.DEFINITION), "synonyms": synonyms, "xrefs": xrefs,
            "annotations": self.annotations(resource, skip={roles.DESCRIPTION} if not
                                            self.g.is_assertion_node(resource.iri) else set(roles.EFFECT_COLUMNS)),
            "hierarchy": hierarchy, "outgoing": outgoing, "incoming": incoming,
            "effects": self.effects_of(resource),
            "self_effect": self.effect_row(resource.iri) if self.g.is_assertion_node(resource.iri) else None,
            "is_step": roles.STEP_CLASS in resource.types,
        }

    def neighbourhood(self, resource) -> tuple[list[tuple[str, str, str, str, str]], int]:
        """Edges for the entity's neighbourhood diagram, most telling first, capped."""
        facts, effects = [], defaultdict(int)
        seen = set()
        for predicate, values in sorted(resource.out.items()):
            if predicate in SKIP_OUT or predicate in roles.EVIDENCE or predicate == RDFS + "subClassOf":
                continue
            for value in values:
                if value.kind == "iri" and self.g.page(value.text) and not self.g.is_assertion_node(value.text):
                    if self.g.is_inferred(resource.iri, predicate, value.text) or (value.text, "out") in seen:
                        continue
                    seen.add((value.text, "out"))
                    facts.append((resource.iri, resource.label, self.g.label(predicate), value.text,
                                  self.g.label(value.text)))
        for predicate, subjects in sorted(resource.inc.items()):
            if predicate in (RDFS + "subClassOf",) or predicate in roles.EVIDENCE:
                continue
            for subject in sorted(subjects):
                if self.g.is_assertion_node(subject):
                    node = self.g.resources[subject]
                    polarity = "positive" if node.first(roles.POLARITY) == roles.POSITIVE else "negative"
                    for reg in node.out.get(roles.REGULATOR, []):
                        for tgt in node.out.get(roles.TARGET, []):
                            if resource.iri in (reg.text, tgt.text):
                                effects[(reg.text, polarity, tgt.text)] += 1
                elif self.g.page(subject) and not self.g.is_inferred(subject, predicate, resource.iri) \
                        and (subject, "in") not in seen:
                    seen.add((subject, "in"))
                    facts.append((subject, self.g.label(subject), self.g.label(predicate), resource.iri,
                                  resource.label))
        if self.g.is_assertion_node(resource.iri):   # an effect: regulator -> target through the claim
            polarity = "positive" if resource.first(roles.POLARITY) == roles.POSITIVE else "negative"
            for reg in resource.out.get(roles.REGULATOR, []):
                for tgt in resource.out.get(roles.TARGET, []):
                    effects[(reg.text, polarity, tgt.text)] += 1
        effect_edges = [(s, self.g.label(s), p, t, self.g.label(t))
                        for (s, p, t), _n in sorted(effects.items(), key=lambda kv: (-kv[1], kv[0]))]
        facts.sort(key=lambda e: (e[2].lower(), e[1].lower(), e[4].lower(), e[0], e[3]))
        edges = effect_edges[: MAX_NEIGHBOURS // 2] + facts
        edges = edges[:MAX_NEIGHBOURS] if len(edges) > MAX_NEIGHBOURS else edges
        if len(edges) < MAX_NEIGHBOURS:
            edges += effect_edges[MAX_NEIGHBOURS // 2:][: MAX_NEIGHBOURS - len(edges)]
        hidden = len(effect_edges) + len(facts) - len(edges)
        return edges, hidden

    def klass(self, resource) -> dict:
        supers, equivalents = [], []
        for value in sorted(resource.out.get(RDFS + "subClassOf", []), key=lambda v: (v.kind, self.g.label(v.text))):
            if value.text != resource.iri and value.text != OWL + "Thing":
                supers.append(self.value(RDFS + "subClassOf", value) if value.kind == "iri"
                              else {"tokens": self.tokens(value)})
        for value in resource.out.get(OWL + "equivalentClass", []):
            equivalents.append({"tokens": self.tokens(value)})
        domain_of = sorted((s for s in resource.inc.get(RDFS + "domain", [])), key=lambda s: self.g.label(s).lower())
        range_of = sorted((s for s in resource.inc.get(RDFS + "range", [])), key=lambda s: self.g.label(s).lower())
        instances = self.g.instances(resource.iri)
        return {
            "label": resource.label, "iri": resource.iri, "curie": curie(resource.iri),
            "definition": resource.first(roles.DEFINITION), "annotations": self.annotations(resource),
            "supers": supers, "equivalents": equivalents,
            "subclasses": [self.link(s) for s in self.g.subclasses(resource.iri)],
            "disjoint": [self.link(d) for d in self._disjoint.get(resource.iri, [])],
            "domain_of": [self.link(p) for p in domain_of], "range_of": [self.link(p) for p in range_of],
            "instances": [self.link(i) for i in instances],
            "hierarchy": [[self.link(c) for c in chain] for chain in self.g.hierarchy_paths(resource.iri)],
            "xrefs": [plain(x, xref_url(x)) for x in resource.texts(roles.XREF)],
            "synonyms": sorted({v.text for p in roles.SYNONYMS for v in resource.out.get(p, [])}),
        }

    def _disjoint_sets(self) -> dict[str, list[str]]:
        found: dict[str, set[str]] = defaultdict(set)
        for statements in self.g.blank.values():
            if not any(v.text == OWL + "AllDisjointClasses" for v in statements.get(RDF_TYPE, [])):
                continue
            members = [v.text for v in self.g.list_items(statements[OWL + "members"][0].text)] \
                if OWL + "members" in statements else []
            for member in members:
                found[member] |= set(members) - {member}
        for resource in self.g.resources.values():
            for value in resource.out.get(OWL + "disjointWith", []):
                found[resource.iri].add(value.text)
                found[value.text].add(resource.iri)
        return {k: sorted(v, key=lambda i: self.g.label(i).lower()) for k, v in found.items()}

    def prop(self, resource) -> dict:
        def iris(predicate):
            return [v for v in resource.out.get(predicate, [])]

        inverse = {v.text for v in iris(OWL + "inverseOf")} | set(resource.inc.get(OWL + "inverseOf", []))
        chains = [[self.link(v.text) for v in self.g.list_items(c.text)] for c in iris(OWL + "propertyChainAxiom")]
        uses = [(r.iri, v) for r in self.g.resources.values() for v in r.out.get(resource.iri, [])]
        uses.sort(key=lambda u: (self.g.label(u[0]).lower(), u[1].text))
        examples = [{"subject": self.link(s), "object": self.value(resource.iri, v)} for s, v in uses[:8]]
        return {
            "label": resource.label, "iri": resource.iri, "curie": curie(resource.iri),
            "kind": property_kind(resource), "characteristics": characteristics(resource),
            "definition": resource.first(roles.DEFINITION), "annotations": self.annotations(resource),
            "domain": [self.value(RDFS + "domain", v) for v in iris(RDFS + "domain")],
            "range": [self.value(RDFS + "range", v) for v in iris(RDFS + "range")],
            "supers": [self.link(v.text) for v in iris(RDFS + "subPropertyOf") if v.text != resource.iri],
            "subs": [self.link(s) for s in sorted(set(resource.inc.get(RDFS + "subPropertyOf", [])) - {resource.iri},
                                                  key=lambda s: self.g.label(s).lower())],
            "inverse": [self.link(i) for i in sorted(inverse, key=lambda i: self.g.label(i).lower())],
            "chains": chains, "uses": len(uses), "examples": examples,
        }
