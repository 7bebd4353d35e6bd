"""Functional classes of molecules (pro-apoptotic, CDK inhibitor, checkpoint ligand, ...) assigned from the
review: ``ontology/src/roles/*.tsv`` rows become ``entity rdf:type <class>`` with an axiom annotation carrying the
review section, the references and the evidence code, exactly like a simple fact.

Works on the compiled graph: the entity must be a curated molecular entity and the class a molecule class of
core.ttl (a subclass of ifn:MolecularEntity).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from ifnonto.compile import EVIDENCE_CODES
from ifnonto.errors import IfnontoError, IfnontoErrors
from ifnonto.tables import ID_PATTERN, Row, parse_refs, read_folder
from ifnonto.vocab import IFN, SKOS

ROLES_FOLDER = "roles"


def _subclasses(graph: Graph, top: URIRef) -> set[URIRef]:
    found = {top}
    todo = [top]
    while todo:
        for child in graph.subjects(RDFS.subClassOf, todo.pop()):
            if isinstance(child, URIRef) and child not in found:
                found.add(child)
                todo.append(child)
    return found


def _molecules(graph: Graph, classes: set[URIRef]) -> set[URIRef]:
    return {s for cls in classes for s in graph.subjects(RDF.type, cls) if isinstance(s, URIRef)}


def add_roles(graph: Graph, source_dir: Path) -> int:
    """Add the role assignments of ``source_dir/roles`` to ``graph``; return how many rows were added."""
    folder = Path(source_dir) / ROLES_FOLDER
    if not folder.is_dir():
        return 0
    rows = read_folder(folder, "roles")
    role_classes = _subclasses(graph, IFN.MolecularEntity)
    molecules = _molecules(graph, role_classes)
    errors: list[IfnontoError] = []
    seen: dict[tuple[str, str], Row] = {}
    for row in rows:
        try:
            _add_row(graph, row, role_classes, molecules, seen)
        except IfnontoError as exc:
            errors.append(exc)
    if errors:
        raise IfnontoErrors(errors)
    return len(rows)


def _add_row(graph: Graph, row: Row, role_classes: set[URIRef], molecules: set[URIRef],
             seen: dict[tuple[str, str], Row]) -> None:
    for column in ("entity", "role"):
        if not ID_PATTERN.match(row[column]):
            raise row.error(column, f"invalid id {row[column]!r}")
    entity, role = IFN[row["entity"]], IFN[row["role"]]
    if role not in role_classes:
        raise row.error("role", f"unknown role {row['role']!r}: not a subclass of MolecularEntity in core.ttl")
    if entity not in molecules:
        raise row.error("entity", f"{row['entity']!r} is not a curated molecular entity")
    key = (row["entity"], row["role"])
    if key in seen:
        raise row.error("role", f"{row['entity']} is already given role {row['role']} at line {seen[key].line}")
    seen[key] = row
    section = IFN[f"section/{row['section']}"]
    if (section, RDF.type, IFN.ReviewSection) not in graph:
        raise row.error("section", f"unknown section {row['section']!r} (see sections/sections.tsv)")
    code = row["evidence"]
    if code not in EVIDENCE_CODES:
        raise row.error("evidence", f"unknown evidence code {code!r}: use TAS, NAS or IC")
    numbers = parse_refs(row)
    if code == "TAS" and not numbers:
        raise row.error("evidence", "TAS (traceable author statement) needs reference numbers in refs")
    if code == "NAS" and numbers:
        raise row.error("evidence", "NAS means the review cites nothing, but refs is filled: use TAS")
    graph.add((entity, RDF.type, role))
    digest = hashlib.sha1(f"{entity}|{role}|{row.path.name}|{row.line}".encode()).hexdigest()[:16]
    axiom = BNode(f"role{digest}")
    graph.add((axiom, RDF.type, OWL.Axiom))
    graph.add((axiom, OWL.annotatedSource, entity))
    graph.add((axiom, OWL.annotatedProperty, RDF.type))
    graph.add((axiom, OWL.annotatedTarget, role))
    graph.add((axiom, IFN.inSection, section))
    graph.add((axiom, IFN.evidenceCode, EVIDENCE_CODES[code]))
    if numbers:
        graph.add((axiom, IFN.referencesAsPrinted, Literal(row["refs"].replace(" ", ""))))
        for number in numbers:
            graph.add((axiom, IFN.citesReference, IFN[f"ref-{number}"]))
    else:
        graph.add((axiom, IFN.reviewStatement, Literal(True)))
    graph.add((axiom, SKOS.note, Literal(row["note"], lang="en")))
