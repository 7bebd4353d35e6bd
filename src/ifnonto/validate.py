"""SHACL validation of the release, or of a user's own additions together with it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

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


def validate_graph(data: Graph, shapes: Graph | None = None, focus_nodes: list | None = None) -> list[Finding]:
    """Run the shapes (no inference: RDFS would hide wrong sh:class values) and list what they report
    (only on ``focus_nodes`` when given)."""
    import pyshacl

    shapes = shapes if shapes is not None else shapes_graph()
    _conforms, report, _text = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True,
                                                allow_warnings=True, meta_shacl=False, focus_nodes=focus_nodes)
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


def validate_release(inferred: bool = True) -> list[Finding]:
    return validate_files([], inferred=inferred)


def validate_files(files: list[Path], *, with_release: bool = True, inferred: bool = True) -> list[Finding]:
    """Validate the user's files together with the (inferred) release: only the files' own nodes are focus
    nodes, the release is not validated again. No files: the whole release. Runs on ``shacl_engine`` (chosen
    by measurement); ``validate_graph`` (pySHACL) stays the reference it is tested against."""
    from ifnonto.shacl_engine import validate

    findings = [Finding(*r.strings()) for r in validate(files, with_release=with_release, inferred=inferred)]
    return sorted(findings, key=lambda f: (f.shape, f.focus, f.path, f.value, f.message))
