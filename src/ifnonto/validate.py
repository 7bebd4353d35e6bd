"""SHACL validation of the release, or of a user's own additions together with it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from ifnonto import paths
from ifnonto.errors import IfnontoError

SH = "http://www.w3.org/ns/shacl#"


@dataclass(frozen=True)
class Finding:
    focus: str
    path: str
    value: str
    message: str
    shape: str
    severity: str


def shapes_graph() -> Graph:
    graph = Graph()
    for path in sorted(paths.SHAPES_DIR.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def validate_graph(data: Graph, shapes: Graph | None = None, focus_nodes: list | None = None,
                   use_shapes: list | None = None) -> list[Finding]:
    """Run the shapes (no inference: RDFS would hide wrong sh:class values) and list what they report
    (only on ``focus_nodes``, IRIs, when given; only for the node shapes ``use_shapes`` when given)."""
    import pyshacl

    shapes = shapes if shapes is not None else shapes_graph()
    _conforms, report, _text = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True,
                                                allow_warnings=True, meta_shacl=False, focus_nodes=focus_nodes,
                                                use_shapes=use_shapes)
    if not hasattr(report, "subjects"):  # pyshacl returns a ValidationFailure when the shapes themselves are broken
        raise IfnontoError(f"the SHACL shapes cannot be used: {report}")
    findings = []
    sh = lambda name: URIRef(SH + name)  # noqa: E731
    for result in report.subjects(RDF.type, sh("ValidationResult")):
        def get(name: str) -> str:
            value = report.value(result, sh(name))
            return "" if value is None else str(value)

        shape = report.value(result, sh("sourceShape"))
        constraint = report.value(result, sh("sourceConstraint"))
        named = constraint if isinstance(constraint, URIRef) else shape
        findings.append(Finding(get("focusNode"), get("resultPath"), get("value"), get("resultMessage"),
                                str(named) if isinstance(named, URIRef) else _owning_shape(shapes, shape),
                                get("resultSeverity").rsplit("#", 1)[-1]))
    return sorted(findings, key=lambda f: (f.shape, f.focus, f.path, f.value, f.message))


def _owning_shape(shapes: Graph, node) -> str:
    """The named node shape a blank property shape belongs to."""
    owner = shapes.value(predicate=URIRef(SH + "property"), object=node)
    return str(owner) if owner is not None else str(node)


def validate_release(inferred: bool = True, show=None) -> list[Finding]:
    return validate_files([], inferred=inferred, show=show)


def validate_files(files: list[Path], *, with_release: bool = True, inferred: bool = True, show=None) \
        -> list[Finding]:
    """Validate the user's files together with the (inferred) release: only the files' own nodes are focus
    nodes, the release is not validated again. No files: the whole release. Also reports every property or
    class the files use that the ontology does not declare (a typo gives no SHACL finding). Runs on
    ``shacl_engine`` (chosen by measurement); ``validate_graph`` (pySHACL) stays the reference it is tested
    against."""
    from ifnonto.loading import load_triples
    from ifnonto.shacl_engine import validate

    show = show or (lambda _step: None)
    typos: list[Finding] = []
    if files:
        show("checking the properties and classes you use")
        typos = undeclared_terms(load_triples(files), load_triples([paths.release_file("nt", inferred=inferred)]))
    show("running the SHACL shapes")
    findings = [Finding(*r.strings()) for r in validate(files, with_release=with_release, inferred=inferred)]
    return typos + sorted(findings, key=lambda f: (f.shape, f.focus, f.path, f.value, f.message))


# Vocabularies whose terms are known without the ontology declaring them; rdflib lists their terms.
def _standard_vocabularies():
    from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

    return {str(ns._NS): ns for ns in (RDF, RDFS, OWL, XSD, SKOS, DCTERMS)}


def undeclared_terms(user: list[tuple], ontology: list[tuple]) -> list[Finding]:
    """Properties and classes in ``user`` that neither the ontology nor a standard vocabulary declares, each
    reported once with its closest declared names ("did you mean")."""
    import pyoxigraph as ox

    from ifnonto.formats import shorten
    from ifnonto.iris import BASE
    from ifnonto.queries import did_you_mean

    standard = _standard_vocabularies()
    rdf_type = str(RDF.type)
    property_kinds = {str(OWL) + kind for kind in ("ObjectProperty", "DatatypeProperty", "AnnotationProperty")}
    declared_properties, declared_classes = set(), set()
    for s, p, o in ontology:
        declared_properties.add(p.value)
        if p.value == rdf_type:
            declared_classes.add(o.value)
            if o.value in property_kinds:
                declared_properties.add(s.value)
            elif o.value == str(OWL) + "Class":
                declared_classes.add(s.value)

    def known(iri: str, declared: set[str]) -> bool:
        if iri in declared:
            return True
        for namespace, vocabulary in standard.items():
            if iri.startswith(namespace):
                return URIRef(iri) in vocabulary
        return not iri.startswith(BASE)  # other vocabularies are not ours to police

    findings = []
    uses = [("property", p, s, declared_properties) for s, p, _o in user] + \
           [("class", o, s, declared_classes) for s, p, o in user if p.value == rdf_type]
    reported = set()
    for kind, term, subject, declared in uses:
        iri = getattr(term, "value", None)
        if not isinstance(term, ox.NamedNode) or iri in reported or known(iri, declared):
            continue
        reported.add(iri)
        names = {shorten(d): d for d in declared}
        close = did_you_mean(shorten(iri), sorted(names), n=3)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        findings.append(Finding(getattr(subject, "value", str(subject)), iri if kind == "property" else str(RDF.type),
                                iri if kind == "class" else "",
                                f"{shorten(iri)} is not a {kind} of the ontology{hint}",
                                f"undeclared-{kind}", "Violation"))
    return sorted(findings, key=lambda f: (f.message, f.focus))
