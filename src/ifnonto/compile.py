"""Compile the curated sources (core.ttl + TSV tables) into one asserted RDF graph.

Every row is checked on the way: unknown class or property names, references to undefined ids, duplicate ids,
malformed reference numbers and evidence codes are reported as ``file:line: column: problem``.
"""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from ifnonto import paths
from ifnonto.errors import IfnontoError, IfnontoErrors
from ifnonto.mappings import read_mapping_sets
from ifnonto.schema import Column, load_schema
from ifnonto.sources import SourceRecord, read_source, source_folders
from ifnonto.tables import ID_PATTERN, Row, parse_refs, read_folder
from ifnonto.vocab import BASE, DCTERMS, IAO_DEFINITION, IAO_REPLACED_BY, IFN, OBO, OBOINOWL, ONTOLOGY_IRI, SKOS

# Effect columns the compiler handles itself (everything else follows the schema's column -> property mapping).
EFFECT_SPECIAL = {"id", "section", "refs", "evidence", "step_provenance", "through", "steps"}
STEP_PROVENANCE = {"stated": IFN.stepStatedInSource, "assigned": IFN.stepAssignedByCurator}


@dataclass
class Vocabulary:
    """What core.ttl declares: the names curators may use in the tables."""

    classes: set[str]
    object_properties: set[str]
    subclass_of: dict[str, set[str]]

    def ancestors(self, name: str) -> set[str]:
        seen = {name}
        todo = [name]
        while todo:
            for parent in self.subclass_of.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen


@dataclass
class Compiled:
    graph: Graph
    counts: dict[str, int] = field(default_factory=dict)
    reference_import: Graph | None = None   # the MIREOT import merged into graph (written by the build)


def local_name(iri: URIRef) -> str | None:
    text = str(iri)
    return text[len(BASE):] if text.startswith(BASE) else None


def read_vocabulary(core: Graph) -> Vocabulary:
    classes = {local_name(s) for s in core.subjects(RDF.type, OWL.Class) if isinstance(s, URIRef)}
    classes.discard(None)
    props = {local_name(s) for s in core.subjects(RDF.type, OWL.ObjectProperty) if isinstance(s, URIRef)}
    props.discard(None)
    subclass_of: dict[str, set[str]] = {}
    for child, parent in core.subject_objects(RDFS.subClassOf):
        c, p = (local_name(child) if isinstance(child, URIRef) else None,
                local_name(parent) if isinstance(parent, URIRef) else None)
        if c and p:
            subclass_of.setdefault(c, set()).add(p)
    return Vocabulary(classes, props, subclass_of)  # type: ignore[arg-type]


def _load_core(path: Path) -> Graph:
    core = Graph()
    try:
        core.parse(path, format="turtle")
    except Exception as exc:  # rdflib raises several parser exception types
        line = getattr(exc, "lines", None) or _line_of(str(exc))
        raise IfnontoError(f"invalid Turtle: {_first_line(exc)}", path=str(path), line=line) from None
    return core


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _line_of(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None


@dataclass
class SourceContext:
    """One source while it is compiled: its record, its node and its sections."""

    record: SourceRecord
    node: URIRef
    sections: dict[str, Row] = field(default_factory=dict)
    section_steps: list[Row] = field(default_factory=list)

    def scoped(self, local: str) -> URIRef:
        # References, sections, figures and studies are numbered or named within their source.
        return IFN[f"source/{self.record.id}/{local}"]

    def section_iri(self, ident: str) -> URIRef:
        return self.scoped(f"section/{ident}")

    def reference_iri(self, number: int) -> URIRef:
        return self.scoped(f"ref-{number}")


def _is_plural(label: str) -> bool:
    """Whether a label names several things ("type I IFNs", "NK cells"), for the verb of an effect's label;
    "angiogenesis", "stress" and "virus" are singular."""
    last = label.split()[-1] if label.split() else ""
    return last.endswith("s") and not last.endswith(("ss", "sis", "us"))


class Compiler:
    def __init__(self, source_dir: Path, version: str, sources: list[Path] | None = None,
                 entity_dirs: list[Path] | None = None, mapping_dirs: list[Path] | None = None):
        self.source_dir = Path(source_dir)
        self.version = version
        self.source_paths = sources if sources is not None else source_folders(self.source_dir)
        self.entity_dirs = entity_dirs if entity_dirs is not None else [self.source_dir / "entities"]
        self.mapping_dirs = mapping_dirs if mapping_dirs is not None else [self.source_dir / "mappings"]
        self.schema = load_schema()
        self.graph = Graph()
        self.defined: dict[str, Row | None] = {}   # id -> defining row (None for core individuals)
        self.entity_types: dict[str, set[str]] = {}
        self.counts: dict[str, int] = {}
        self.errors: list[IfnontoError] = []
        self.axioms: dict[BNode, Row] = {}

    def each(self, rows: list[Row], handler) -> None:
        """Apply ``handler`` to every row, collecting bad-input errors so that all are reported at once."""
        for row in rows:
            try:
                handler(row)
            except IfnontoErrors as exc:
                self.errors.extend(exc.errors)
            except IfnontoError as exc:
                self.errors.append(exc)

    def raise_errors(self) -> None:
        if self.errors:
            unique = {str(e): e for e in self.errors}
            raise IfnontoErrors(list(unique.values()))

    # ------------------------------------------------------------------ helpers
    def iri(self, ident: str) -> URIRef:
        return IFN[ident]

    def add(self, s, p, o) -> None:
        self.graph.add((s, p, o))

    def define(self, row: Row, column: str, ident: str) -> None:
        if not ID_PATTERN.match(ident):
            raise row.error(column, f"invalid id {ident!r}: use letters, digits, '-', '_' or '.'")
        if ident in self.defined:
            first = self.defined[ident]
            where = f"{first.path}:{first.line}" if first else "core.ttl"
            raise row.error(column, f"duplicate id {ident!r}: already defined at {where}")
        self.defined[ident] = row

    def ref(self, row: Row, column: str, ident: str, must_be: str | None = None) -> URIRef:
        """An id used in a row: it must be defined, and of class ``must_be`` when given."""
        if ident not in self.defined:
            raise row.error(column, f"reference to undefined entity {ident!r}")
        if must_be == "Effect":
            if self.defined[ident] is None or self.defined[ident].table != "effects":
                raise row.error(column, f"{ident!r} is not an effect id")
        elif must_be is not None:
            types = self.entity_types.get(ident, set())
            if not any(must_be in self.vocab.ancestors(t) for t in types):
                raise row.error(column, f"{ident!r} must be a {must_be} (its types: {', '.join(sorted(types)) or 'none'})")
        return self.iri(ident)

    def evidence(self, node, row: Row, source: SourceContext, section_column: str = "section") -> None:
        """Source, section, references (as printed and as links) and evidence code of an assertion."""
        section = row[section_column]
        if section not in source.sections:
            raise row.error(section_column, f"unknown section {section!r} (see {source.record.id}/sections.tsv)")
        code = row["evidence"]
        numbers = parse_refs(row, source.record.reference_count)
        if code == "TAS" and not numbers:
            raise row.error("evidence", "TAS (traceable author statement) needs reference numbers in refs")
        if code == "NAS" and numbers:
            raise row.error("evidence", "NAS means the source cites nothing, but refs is filled: use TAS")
        self.add(node, IFN.fromSource, source.node)
        self.add(node, IFN.inSection, source.section_iri(section))
        self.add(node, IFN.evidenceCode, OBO[self.schema.evidence_codes[code]])
        if numbers:
            self.add(node, IFN.referencesAsPrinted, Literal(row["refs"].replace(" ", "")))
            for number in numbers:
                self.add(node, IFN.citesReference, source.reference_iri(number))
        else:
            self.add(node, IFN.reviewStatement, Literal(True))

    def literal(self, text: str) -> Literal:
        return Literal(text, lang="en")

    def cell_values(self, row: Row, column: Column) -> list:
        """The RDF values of one schema-mapped cell."""
        values = row.items(column.name) if column.multiple else ([row[column.name]] if row[column.name] else [])
        out = []
        for value in values:
            if column.values is not None and column.individual(value):
                out.append(IFN[column.individual(value)])
            elif column.kind in ("id", "ids"):
                out.append(self.ref(row, column.name, value, column.cls))
            elif column.kind == "langtext":
                out.append(self.literal(value))
            elif column.kind == "integer":
                out.append(Literal(int(value)))
            elif column.kind == "decimal":
                out.append(Literal(Decimal(value)))
            else:
                out.append(Literal(value))
        return out

    def mapped_columns(self, node, row: Row, skip: set[str] = frozenset()) -> None:
        """Assert every column that the schema maps to a property."""
        for column in self.schema.tables[row.table].columns:
            if column.rdf_property and column.name not in skip:
                for value in self.cell_values(row, column):
                    self.add(node, IFN[column.rdf_property], value)

    # ------------------------------------------------------------------ the build
    def run(self) -> Compiled:
        core_path = self.source_dir / "core.ttl"
        core = _load_core(core_path)
        self.vocab = read_vocabulary(core)
        self.graph += core
        self.header()
        for ident in ("positive", "negative", "increases", "decreases", "requiredFor"):
            self.defined[ident] = None
        if not self.source_paths:
            raise IfnontoError("no source folder (sources/<id>/source.yaml) found", path=str(self.source_dir))
        self.sources = [self.source_record(folder) for folder in self.source_paths]
        entity_rows = [row for folder in self.entity_dirs for row in read_folder(folder, "entities")]
        self.each(entity_rows, self.declare_entity)
        tables = {}
        for source in self.sources:
            folder = source.record.folder
            tables[source.record.id] = {kind: read_folder(folder / kind, kind)
                                        for kind in ("effects", "studies", "events", "facts", "retired", "roles")}
            for kind in ("effects", "events", "retired"):
                self.each(tables[source.record.id][kind], lambda row: self.define(row, "id", row["id"]))
        self.raise_errors()  # later rows may only be checked against a complete, unambiguous set of ids
        self.each(entity_rows, self.entity)
        self.mappings(entity_rows)
        for source in self.sources:
            rows = tables[source.record.id]
            self.each(rows["facts"], lambda row: self.fact(row, source))
            self.each(rows["effects"], lambda row: self.effect(row, source))
            self.studies(rows["studies"], source)
            self.each(rows["events"], lambda row: self.event(row, source))
            self.each(rows["retired"], lambda row: self.retired(row, source))
            self.each(rows["roles"], lambda row: self.role(row, source))
            self.each(source.section_steps, lambda row: self.section_steps(row, source))
            for kind in ("effects", "studies", "events"):
                self.counts[kind] = self.counts.get(kind, 0) + len(rows[kind])
        self.raise_errors()
        self.counts.update(entities=len(entity_rows), sources=len(self.sources))
        return Compiled(self.graph, self.counts)

    def header(self) -> None:
        onto = URIRef(ONTOLOGY_IRI)
        if (onto, RDF.type, OWL.Ontology) not in self.graph:
            raise IfnontoError(f"core.ttl must declare the ontology {ONTOLOGY_IRI}",
                               path=str(self.source_dir / "core.ttl"))
        self.add(onto, OWL.versionIRI, URIRef(f"{BASE}releases/{self.version}/ifn-cancer.owl"))
        self.add(onto, OWL.versionInfo, Literal(self.version))

    # ------------------------------------------------------------------ a source's record, sections, references
    def source_record(self, folder: Path) -> SourceContext:
        record = read_source(folder)
        source = SourceContext(record, IFN[f"source/{record.id}"])
        if any(other.record.id == record.id for other in getattr(self, "sources", [])):
            raise IfnontoError(f"id: duplicate source id {record.id!r}", path=str(record.path))
        node = source.node
        self.add(node, RDF.type, OWL.NamedIndividual)
        self.add(node, RDF.type, IFN.Source)
        self.add(node, RDFS.label, self.literal(record.label))
        self.add(node, DCTERMS.title, Literal(record.title))
        if record.authors:
            self.add(node, IFN.authorList, Literal(", ".join(record.authors)))
        if record.year:
            self.add(node, IFN.publicationYear, Literal(record.year))
        for prop, value in ((IFN.journal, record.journal), (IFN.volumePages, record.volume_pages),
                            (IFN.doi, record.doi), (IFN.pmid, record.pmid), (IFN.pmcid, record.pmcid)):
            if value:
                self.add(node, prop, Literal(value))
        if record.license:
            self.add(node, DCTERMS.license, URIRef(record.license))
        self.add(node, IFN.referenceCount, Literal(record.reference_count))
        if record.invented:
            self.add(node, IFN.invented, Literal(True))
            self.add(node, RDFS.comment, self.literal("INVENTED: a made-up source used only to test that two sources "
                                                      "build side by side; not a real publication."))
        onto = URIRef(ONTOLOGY_IRI)
        if record.doi and not record.invented:
            self.add(node, RDFS.seeAlso, URIRef(f"https://doi.org/{record.doi}"))
            self.add(onto, DCTERMS.source, URIRef(f"https://doi.org/{record.doi}"))
        if record.citation:
            self.add(node, DCTERMS.bibliographicCitation, self.literal(record.citation))
            if not record.invented:
                self.add(onto, DCTERMS.bibliographicCitation, self.literal(record.citation))
        self.sections_table(source)
        self.references_table(source)
        for ident, figure in sorted(record.figures.items()):
            fig = source.scoped(ident)
            self.add(fig, RDF.type, OWL.NamedIndividual)
            self.add(fig, RDF.type, IFN.SourceFigure)
            self.add(fig, RDFS.label, self.literal(str(figure.get("label") or ident)))
            if figure.get("title"):
                self.add(fig, DCTERMS.title, Literal(str(figure["title"])))
            self.add(fig, IFN.fromSource, node)
        return source

    def deprecate(self, old: URIRef, new: URIRef, label: str, source: SourceContext, name: str | None = None) -> None:
        """Keep a renamed IRI resolvable, in the OBO way: deprecated, pointing to its replacement. The definition
        names the thing by ``name`` (its id) when its label is a heading of the source, which is not ours to copy
        into prose."""
        self.add(old, RDF.type, OWL.NamedIndividual)
        self.add(old, RDFS.label, self.literal(f"obsolete {label}"))
        self.add(old, IAO_DEFINITION, self.literal(f"Obsolete identifier of {name or label} of {source.record.label}, "
                                                   f"kept so that it resolves; replaced by the source-scoped IRI."))
        self.add(old, OWL.deprecated, Literal(True))
        self.add(old, IAO_REPLACED_BY, new)

    def sections_table(self, source: SourceContext) -> None:
        rows = read_table_if_present(source.record.folder / "sections.tsv", "sections")
        for row in rows:
            if not ID_PATTERN.match(row["id"]):
                raise row.error("id", f"invalid section id {row['id']!r}")
            if row["id"] in source.sections:
                raise row.error("id", f"duplicate section id {row['id']!r}")
            source.sections[row["id"]] = row
        for table in source.record.tables:
            if table not in source.sections:
                raise IfnontoError(f"tables: {table!r} is not a section of sections.tsv", path=str(source.record.path))
        for row in rows:
            node = source.section_iri(row["id"])
            self.add(node, RDF.type, OWL.NamedIndividual)
            self.add(node, RDF.type, IFN.ReviewSection)
            self.add(node, RDFS.label, self.literal(row["label"]))
            self.add(node, IFN.sectionOrder, Literal(int(row["order"])))
            self.add(node, IFN.fromSource, source.node)
            if row["id"] in source.record.tables:
                self.add(node, IFN.rowCount, Literal(source.record.tables[row["id"]]))
            if row["parent"]:
                if row["parent"] not in source.sections:
                    raise row.error("parent", f"unknown section {row['parent']!r}")
                self.add(node, IFN.isSubsectionOf, source.section_iri(row["parent"]))
            if source.record.replaces_unscoped:
                self.deprecate(IFN[f"section/{row['id']}"], node, f"section {row['label']}", source,
                               name=f"the section `{row['id']}`")
        source.section_steps = rows  # linked once the steps are defined

    def section_steps(self, row: Row, source: SourceContext) -> None:
        for step in row.items("steps"):
            self.add(source.section_iri(row["id"]), IFN.aboutStep, self.ref(row, "steps", step, "CancerImmunityCycleStep"))

    def references_table(self, source: SourceContext) -> None:
        count = source.record.reference_count
        rows = {}
        for row in read_table_if_present(source.record.folder / "references.tsv", "references"):
            number = int(row["number"])
            if not 1 <= number <= count:
                raise row.error("number", f"reference number {number} is outside 1..{count} (reference_count)")
            if number in rows:
                raise row.error("number", f"duplicate reference number {number}")
            rows[number] = row
        for number in range(1, count + 1):
            node = source.reference_iri(number)
            self.add(node, RDF.type, OWL.NamedIndividual)
            self.add(node, RDF.type, IFN.Reference)
            self.add(node, IFN.referenceNumber, Literal(number))
            self.add(node, IFN.fromSource, source.node)
            row = rows.get(number)
            label = f"reference {number}"
            if row is not None:
                author = row["first_author"]
                label += f" ({author}{' ' + row['year'] if row['year'] else ''})"
                self.add(node, IFN.firstAuthor, Literal(author))
                if row["year"]:
                    self.add(node, IFN.publicationYear, Literal(int(row["year"])))
                if row["title"]:
                    self.add(node, DCTERMS.title, Literal(row["title"]))
                if row["journal"]:
                    self.add(node, IFN.journal, Literal(row["journal"]))
                if row["volume_pages"]:
                    self.add(node, IFN.volumePages, Literal(row["volume_pages"]))
                if row["doi"]:
                    self.add(node, IFN.doi, Literal(row["doi"]))
                    self.add(node, RDFS.seeAlso, URIRef(f"https://doi.org/{row['doi']}"))
                if row["pmid"]:
                    self.add(node, IFN.pmid, Literal(row["pmid"]))
            self.add(node, RDFS.label, self.literal(label))
            if source.record.replaces_unscoped:
                self.deprecate(IFN[f"ref-{number}"], node, f"reference {number}", source)

    # ------------------------------------------------------------------ shared entities and mappings
    def declare_entity(self, row: Row) -> None:
        ident = row["id"]
        self.define(row, "id", ident)
        types = set(row.items("type"))
        for name in types:
            if name not in self.vocab.classes:
                raise row.error("type", f"unknown type {name!r}: not a class in core.ttl")
        self.entity_types[ident] = types

    def entity(self, row: Row) -> None:
        node = self.iri(row["id"])
        self.add(node, RDF.type, OWL.NamedIndividual)
        for name in sorted(self.entity_types[row["id"]]):
            self.add(node, RDF.type, IFN[name])
        self.add(node, RDFS.label, self.literal(row["label"]))
        self.add(node, IAO_DEFINITION, self.literal(row["definition"]))
        for synonym in row.items("synonyms"):
            self.add(node, OBOINOWL.hasExactSynonym, self.literal(synonym))
        if row["note"]:
            self.add(node, SKOS.note, self.literal(row["note"]))
        for vocabulary in row.items("no_term"):
            self.add(node, IFN.noAuthoritativeTerm, Literal(vocabulary))
        step = re.fullmatch(r"cycle-step-([1-7])", row["id"])
        if step and "CancerImmunityCycleStep" in self.entity_types[row["id"]]:
            # The step number is part of the id by convention (docs/CURATION.md).
            self.add(node, IFN.stepNumber, Literal(int(step.group(1))))
        if row["deprecated_by"]:
            replacement = self.ref(row, "deprecated_by", row["deprecated_by"])
            self.add(node, OWL.deprecated, Literal(True))
            self.add(node, IAO_REPLACED_BY, replacement)

    def mappings(self, entity_rows: list[Row]) -> None:
        """Cross-references, written once in the SSSOM mapping tables."""
        labels = {row["id"]: row["label"] for row in entity_rows}
        seen: dict[tuple[str, str], Row] = {}
        for folder in self.mapping_dirs:
            for mapping_set in read_mapping_sets(folder):
                for row in mapping_set.rows:
                    try:
                        self.mapping(row, labels, seen)
                    except IfnontoError as exc:
                        self.errors.append(exc)
        self.counts["xrefs"] = len(seen)

    def mapping(self, row: Row, labels: dict[str, str], seen: dict) -> None:
        prefix, _, ident = row["subject_id"].partition(":")
        if prefix != "ifn" or ident not in labels:
            raise row.error("subject_id", f"{row['subject_id']!r} is not an entity of entities/*.tsv (write ifn:<id>)")
        if row["subject_label"] != labels[ident]:
            raise row.error("subject_label", f"{row['subject_label']!r} is not the label of {ident} ({labels[ident]!r})")
        problem = self.schema.xref_problem(row["object_id"])
        if problem:
            raise row.error("object_id", problem)
        key = (ident, row["object_id"])
        if key in seen:
            first = seen[key]
            raise row.error("object_id", f"duplicate mapping {ident} {row['object_id']} (first at {first.path}:{first.line})")
        seen[key] = row
        self.add(self.iri(ident), OBOINOWL.hasDbXref, Literal(row["object_id"]))

    # ------------------------------------------------------------------ a source's curated rows
    def fact(self, row: Row, source: SourceContext) -> None:
        prop = row["property"]
        if prop not in self.vocab.object_properties:
            raise row.error("property", f"unknown property {prop!r}: not an object property in core.ttl")
        s = self.ref(row, "subject", row["subject"])
        o = self.ref(row, "object", row["object"])
        p = IFN[prop]
        self.add(s, p, o)
        axiom = self.annotated_axiom(s, p, o, row, source, "fact row: same triple")
        self.mapped_columns(axiom, row)
        if row["note"]:
            self.add(axiom, SKOS.note, self.literal(row["note"]))
        self.counts["facts"] = self.counts.get("facts", 0) + 1

    def role(self, row: Row, source: SourceContext) -> None:
        """A functional class of a molecule (pro-apoptotic, CDK inhibitor, ...) that the source gives it: an
        rdf:type assertion with the same evidence annotation as a fact."""
        role = row["role"]
        if role not in self.vocab.classes or "MolecularEntity" not in self.vocab.ancestors(role):
            raise row.error("role", f"unknown role {role!r}: not a subclass of MolecularEntity in core.ttl")
        entity = self.ref(row, "entity", row["entity"], "MolecularEntity")
        self.add(entity, RDF.type, IFN[role])
        axiom = self.annotated_axiom(entity, RDF.type, IFN[role], row, source, "role row: same role")
        self.add(axiom, SKOS.note, self.literal(row["note"]))
        self.counts["roles"] = self.counts.get("roles", 0) + 1

    def annotated_axiom(self, s, p, o, row: Row, source: SourceContext, what: str) -> BNode:
        """The owl:Axiom that carries a row's evidence for the triple (s, p, o); a second row with the same
        triple and evidence is an error naming the first."""
        axiom = self.axiom_node(s, p, o, row, source)
        if axiom in self.axioms:
            first = self.axioms[axiom]
            raise row.error(None, f"duplicate {what}, section, refs and evidence as {first.path}:{first.line}")
        self.axioms[axiom] = row
        self.add(axiom, RDF.type, OWL.Axiom)
        self.add(axiom, OWL.annotatedSource, s)
        self.add(axiom, OWL.annotatedProperty, p)
        self.add(axiom, OWL.annotatedTarget, o)
        self.evidence(axiom, row, source)
        return axiom

    @staticmethod
    def axiom_node(s, p, o, row: Row, source: SourceContext) -> BNode:
        # A stable blank-node id per fact and evidence keeps the build reproducible when rows move.
        key = "|".join((str(s), str(p), str(o), source.record.id, row["section"], row["refs"], row["evidence"]))
        return BNode(f"ax{hashlib.sha1(key.encode()).hexdigest()[:16]}")

    def effect(self, row: Row, source: SourceContext) -> None:
        node = self.iri(row["id"])
        self.add(node, RDF.type, OWL.NamedIndividual)
        self.add(node, RDF.type, IFN.Effect)
        self.mapped_columns(node, row, skip=EFFECT_SPECIAL)
        self.effect_steps(node, row)
        for ident in row.items("through"):
            self.add(self.ref(row, "through", ident, "Effect"), IFN.isMechanismOf, node)
        self.add(node, RDFS.label, self.literal(self.effect_label(row)))
        self.evidence(node, row, source)

    def retired(self, row: Row, source: SourceContext) -> None:
        """A retired claim keeps its IRI, in the OBO way: no type or logical axioms, only an obsolete label,
        owl:deprecated, the reason and, when there is one, the replacement."""
        node = self.iri(row["id"])
        self.add(node, RDFS.label, self.literal(f"obsolete {row['id']}"))
        self.add(node, OWL.deprecated, Literal(True))
        self.add(node, RDFS.comment, self.literal(row["reason"]))
        self.add(node, IFN.fromSource, source.node)
        if row["replaced_by"]:
            self.add(node, IAO_REPLACED_BY, self.ref(row, "replaced_by", row["replaced_by"]))

    def effect_steps(self, node, row: Row) -> None:
        """Cycle steps, each with how it was assigned when the row says (step_provenance)."""
        steps = row.items("steps")
        provenance = row.items("step_provenance")
        if provenance and len(provenance) != len(steps):
            raise row.error("step_provenance", f"needs one value per step: {len(steps)} steps, "
                                               f"{len(provenance)} values")
        for index, ident in enumerate(steps):
            step = self.ref(row, "steps", ident, "CancerImmunityCycleStep")
            self.add(node, IFN.hasStep, step)
            if provenance:
                self.add(node, STEP_PROVENANCE[provenance[index]], step)

    def effect_label(self, row: Row) -> str:
        def name(ident: str) -> str:
            source = self.defined.get(ident)
            return source["label"] if source is not None and "label" in source.cells else ident

        names = [name(i) for i in row.items("regulator")]
        plural = len(names) > 1 or _is_plural(names[0])
        verb = {"increases": ("increases", "increase"), "decreases": ("decreases", "decrease"),
                "requiredFor": ("is required for", "are required for")}[row["direction"]][plural]
        return f"{row['id']}: {' and '.join(names)} {verb} {name(row['target'])}"

    def studies(self, rows: list[Row], source: SourceContext) -> None:
        seen: dict[tuple[str, int], Row] = {}
        ids: dict[str, Row] = {}
        for row in rows:
            try:
                self.study(row, source, seen, ids)
            except IfnontoError as exc:
                self.errors.append(exc)
        self.counts["table_rows"] = self.counts.get("table_rows", 0) + len(seen)

    def study(self, row: Row, source: SourceContext, seen: dict, ids: dict) -> None:
        if row["id"] in ids:
            raise row.error("id", f"duplicate study id {row['id']!r} (first at line {ids[row['id']].line})")
        ids[row["id"]] = row
        table, number = row["table"], int(row["row"])
        if table not in source.record.tables:
            raise row.error("table", f"{table!r} is not a table of {source.record.id} (declare it under tables: "
                                     f"in source.yaml)")
        if not 1 <= number <= source.record.tables[table]:
            raise row.error("row", f"row {number} is outside 1..{source.record.tables[table]} of {table}")
        if (table, number) in seen:
            raise row.error("row", f"{table} row {number} is already curated at line {seen[(table, number)].line}")
        seen[(table, number)] = row
        node = source.scoped(row["id"])
        self.add(node, RDF.type, OWL.NamedIndividual)
        self.add(node, RDF.type, IFN.PreclinicalStudy)
        self.mapped_columns(node, row)
        table_label = source.sections[table]["label"].split(".")[0] if table in source.sections else table
        label = f"{table_label} row {number}: {row['cancer_as_printed'] or row['cancer']}, {row['treatment_as_printed']}"
        self.add(node, RDFS.label, self.literal(label))
        self.evidence(node, row, source, section_column="table")
        if source.record.replaces_unscoped:
            self.deprecate(IFN[row["id"]], node, f"study {row['id']}", source)

    def event(self, row: Row, source: SourceContext) -> None:
        node = self.iri(row["id"])
        self.add(node, RDF.type, OWL.NamedIndividual)
        self.add(node, RDF.type, IFN.HistoricalEvent)
        self.add(node, RDFS.label, self.literal(row["label"]))
        self.mapped_columns(node, row)
        self.evidence(node, row, source)


def read_table_if_present(path: Path, table: str) -> list[Row]:
    from ifnonto.tables import read_table

    return read_table(path, table) if path.is_file() else []


def compile_sources(source_dir: Path | None = None, version: str | None = None, *,
                    sources: list[Path] | None = None, entity_dirs: list[Path] | None = None,
                    mapping_dirs: list[Path] | None = None) -> Compiled:
    """Compile ``ontology/src`` (every folder under sources/, the shared entities and mappings) into the
    asserted graph (no reasoning)."""
    from ifnonto.version import __version__

    compiler = Compiler(source_dir or paths.SOURCE_DIR, version or __version__, sources, entity_dirs, mapping_dirs)
    compiled = compiler.run()
    from ifnonto.reference_links import connect_reference_terms

    links = connect_reference_terms(compiled.graph)
    compiled.reference_import = links.import_graph
    compiled.counts.update(reference_types=len(links.typed), reference_close_matches=len(links.close))
    return compiled
