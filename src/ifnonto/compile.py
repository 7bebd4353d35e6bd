"""Compile the curated sources (core.ttl + TSV tables) into one asserted RDF graph.

Every row is checked on the way: unknown class or property names, references to undefined ids, duplicate ids,
malformed reference numbers and evidence codes are reported as ``file:line: column: problem``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from ifnonto import paths
from ifnonto.errors import IfnontoError, IfnontoErrors
from ifnonto.tables import ID_PATTERN, MAX_REFERENCE, Row, parse_refs, read_folder
from ifnonto.vocab import (BASE, DCTERMS, ECO, IAO_DEFINITION, IAO_REPLACED_BY, IFN, OBOINOWL, ONTOLOGY_IRI, SKOS,
                           XREF_PREFIXES)

EVIDENCE_CODES = {"TAS": ECO["0000304"], "NAS": ECO["0000303"], "IC": ECO["0000305"]}
POLARITIES = {"+": IFN.positive, "-": IFN.negative}
DIRECTIONS = {"increases": IFN.increases, "decreases": IFN.decreases, "requiredFor": IFN.requiredFor}
HEDGES = {"hypothesis", "suggestion", "open-question", "contrary-finding"}
CURIE_PATTERN = re.compile(r"^([A-Za-z]+):([A-Za-z0-9_.\-]+)$")

# The effect columns that hold entity ids, the property each becomes, and the class the entity must have.
EFFECT_LINKS: tuple[tuple[str, URIRef, str | None], ...] = (
    ("regulator", IFN.hasRegulator, None),
    ("target", IFN.hasTarget, None),
    ("steps", IFN.hasStep, "CancerImmunityCycleStep"),
    ("cell_type", IFN.inCellType, "CellType"),
    ("source_cell", IFN.sourceCell, "CellType"),
    ("cancer", IFN.inCancerType, "Disease"),
    ("species", IFN.inSpecies, "Organism"),
    ("model", IFN.inModel, "CellLine"),
    ("mediators", IFN.viaMediator, None),
    ("combined_with", IFN.combinedWith, None),
    ("therapy", IFN.affectsTherapy, None),
    ("phase", IFN.inPhase, "ImmunoeditingPhase"),
)


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


class Compiler:
    def __init__(self, source_dir: Path, version: str):
        self.source_dir = Path(source_dir)
        self.version = version
        self.graph = Graph()
        self.defined: dict[str, Row | None] = {}   # id -> defining row (None for core individuals)
        self.entity_types: dict[str, set[str]] = {}
        self.counts: dict[str, int] = {}
        self.errors: list[IfnontoError] = []

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

    @staticmethod
    def section_iri(ident: str) -> URIRef:
        # Sections have their own IRI space: "cell-death" is both a section and a process.
        return IFN[f"section/{ident}"]

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
        if must_be is not None:
            types = self.entity_types.get(ident, set())
            if not any(must_be in self.vocab.ancestors(t) for t in types):
                raise row.error(column, f"{ident!r} must be a {must_be} (its types: {', '.join(sorted(types)) or 'none'})")
        return self.iri(ident)

    def evidence(self, node, row: Row) -> None:
        """Section, references (as printed and as links) and evidence code of an assertion."""
        section = row["section"]
        if section not in self.sections:
            raise row.error("section", f"unknown section {section!r} (see sections/sections.tsv)")
        code = row["evidence"]
        if code not in EVIDENCE_CODES:
            raise row.error("evidence", f"unknown evidence code {code!r}: use TAS, NAS or IC")
        numbers = parse_refs(row)
        if code == "TAS" and not numbers:
            raise row.error("evidence", "TAS (traceable author statement) needs reference numbers in refs")
        if code == "NAS" and numbers:
            raise row.error("evidence", "NAS means the review cites nothing, but refs is filled: use TAS")
        self.add(node, IFN.inSection, self.section_iri(section))
        self.add(node, IFN.evidenceCode, EVIDENCE_CODES[code])
        if numbers:
            self.add(node, IFN.referencesAsPrinted, Literal(row["refs"].replace(" ", "")))
            for number in numbers:
                self.add(node, IFN.citesReference, self.iri(f"ref-{number}"))
        else:
            self.add(node, IFN.reviewStatement, Literal(True))

    def literal(self, text: str) -> Literal:
        return Literal(text, lang="en")

    # ------------------------------------------------------------------ the build
    def run(self) -> Compiled:
        core_path = self.source_dir / "core.ttl"
        core = _load_core(core_path)
        self.vocab = read_vocabulary(core)
        self.graph += core
        self.header()
        for ident in ("positive", "negative", "increases", "decreases", "requiredFor"):
            self.defined[ident] = None
        self.sections_table()
        self.references_table()
        entity_rows = read_folder(self.source_dir / "entities", "entities")
        self.each(entity_rows, self.declare_entity)
        effect_rows = read_folder(self.source_dir / "effects", "effects")
        study_rows = read_folder(self.source_dir / "studies", "studies")
        event_rows = read_folder(self.source_dir / "events", "events")
        fact_rows = read_folder(self.source_dir / "facts", "facts")
        for rows in (effect_rows, study_rows, event_rows):
            self.each(rows, lambda row: self.define(row, "id", row["id"]))
        self.raise_errors()  # later rows may only be checked against a complete, unambiguous set of ids
        self.each(entity_rows, self.entity)
        self.xrefs_table(entity_rows)
        self.each(fact_rows, self.fact)
        self.each(effect_rows, self.effect)
        try:
            self.studies(study_rows)
        except IfnontoError as exc:
            self.errors.append(exc)
        self.each(event_rows, self.event)
        self.raise_errors()
        self.counts.update(entities=len(entity_rows), effects=len(effect_rows), studies=len(study_rows),
                           events=len(event_rows))
        return Compiled(self.graph, self.counts)

    def header(self) -> None:
        onto = URIRef(ONTOLOGY_IRI)
        if (onto, RDF.type, OWL.Ontology) not in self.graph:
            raise IfnontoError(f"core.ttl must declare the ontology {ONTOLOGY_IRI}",
                               path=str(self.source_dir / "core.ttl"))
        self.add(onto, OWL.versionIRI, URIRef(f"{BASE}releases/{self.version}/ifn-cancer.owl"))
        self.add(onto, OWL.versionInfo, Literal(self.version))

    def sections_table(self) -> None:
        rows = read_folder(self.source_dir / "sections", "sections")
        self.sections: dict[str, Row] = {}
        for row in rows:
            if not ID_PATTERN.match(row["id"]):
                raise row.error("id", f"invalid section id {row['id']!r}")
            if row["id"] in self.sections:
                raise row.error("id", f"duplicate section id {row['id']!r}")
            self.sections[row["id"]] = row
        for row in rows:
            node = self.section_iri(row["id"])
            self.add(node, RDF.type, OWL.NamedIndividual)
            self.add(node, RDF.type, IFN.ReviewSection)
            self.add(node, RDFS.label, self.literal(row["label"]))
            try:
                order = int(row["order"])
            except ValueError:
                raise row.error("order", f"must be an integer, found {row['order']!r}") from None
            self.add(node, IFN.sectionOrder, Literal(order))
            if row["parent"]:
                if row["parent"] not in self.sections:
                    raise row.error("parent", f"unknown section {row['parent']!r}")
                self.add(node, IFN.isSubsectionOf, self.section_iri(row["parent"]))
        self._section_steps = rows  # linked once the steps are defined

    def references_table(self) -> None:
        rows = {}
        for row in read_folder(self.source_dir / "references", "references"):
            try:
                number = int(row["number"])
            except ValueError:
                raise row.error("number", f"must be an integer, found {row['number']!r}") from None
            if not 1 <= number <= MAX_REFERENCE:
                raise row.error("number", f"reference number {number} is outside 1..{MAX_REFERENCE}")
            if number in rows:
                raise row.error("number", f"duplicate reference number {number}")
            rows[number] = row
        for number in range(1, MAX_REFERENCE + 1):
            ident = f"ref-{number}"
            self.defined[ident] = None
            node = self.iri(ident)
            self.add(node, RDF.type, OWL.NamedIndividual)
            self.add(node, RDF.type, IFN.Reference)
            self.add(node, IFN.referenceNumber, Literal(number))
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
            if not synonym.strip():
                raise row.error("synonyms", "empty synonym in the list")
            self.add(node, OBOINOWL.hasExactSynonym, self.literal(synonym))
        for curie in row.items("xrefs"):
            match = CURIE_PATTERN.match(curie)
            if not match or match.group(1) not in XREF_PREFIXES:
                raise row.error("xrefs", f"{curie!r} is not a CURIE with a known prefix "
                                         f"({', '.join(sorted(XREF_PREFIXES))})")
            self.add(node, OBOINOWL.hasDbXref, Literal(curie))
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

    def xrefs_table(self, entity_rows: list[Row]) -> None:
        """Every xref of an entity is listed, with the source's label, in xrefs/*.tsv (and nothing else is)."""
        declared = {(row["id"], curie): row for row in entity_rows for curie in row.items("xrefs")}
        listed: dict[tuple[str, str], Row] = {}
        for row in read_folder(self.source_dir / "xrefs", "xrefs"):
            key = (row["entity"], row["id"])
            if key not in declared:
                self.errors.append(row.error("id", f"{row['id']} is not among the xrefs of entity {row['entity']!r}"))
            elif key in listed:
                first = listed[key]
                self.errors.append(row.error("id", f"duplicate xref row for {row['entity']} {row['id']} "
                                                   f"(first at {first.path}:{first.line})"))
            else:
                listed[key] = row
        for key, row in sorted(declared.items()):
            if key not in listed:
                self.errors.append(row.error("xrefs", f"{key[1]} has no row in xrefs/*.tsv giving the source's label"))
        self.counts["xrefs"] = len(listed)

    def fact(self, row: Row) -> None:
        prop = row["property"]
        if prop not in self.vocab.object_properties:
            raise row.error("property", f"unknown property {prop!r}: not an object property in core.ttl")
        s = self.ref(row, "subject", row["subject"])
        o = self.ref(row, "object", row["object"])
        p = IFN[prop]
        self.add(s, p, o)
        axiom = self.axiom_node(s, p, o, row)
        self.add(axiom, RDF.type, OWL.Axiom)
        self.add(axiom, OWL.annotatedSource, s)
        self.add(axiom, OWL.annotatedProperty, p)
        self.add(axiom, OWL.annotatedTarget, o)
        self.evidence(axiom, row)
        for species in row.items("species"):
            self.add(axiom, IFN.speciesContext, self.ref(row, "species", species, "Organism"))
        if row["note"]:
            self.add(axiom, SKOS.note, self.literal(row["note"]))
        self.counts["facts"] = self.counts.get("facts", 0) + 1

    @staticmethod
    def axiom_node(s, p, o, row: Row) -> BNode:
        # A stable blank-node id per source row keeps the build reproducible.
        digest = hashlib.sha1(f"{s}|{p}|{o}|{row.path.name}|{row.line}".encode()).hexdigest()[:16]
        return BNode(f"ax{digest}")

    def effect(self, row: Row) -> None:
        node = self.iri(row["id"])
        self.add(node, RDF.type, OWL.NamedIndividual)
        self.add(node, RDF.type, IFN.Effect)
        if row["direction"] not in DIRECTIONS:
            raise row.error("direction", f"unknown direction {row['direction']!r}: use {', '.join(DIRECTIONS)}")
        if row["polarity"] not in POLARITIES:
            raise row.error("polarity", f"unknown polarity {row['polarity']!r}: use + or -")
        self.add(node, IFN.hasDirection, DIRECTIONS[row["direction"]])
        self.add(node, IFN.hasPolarity, POLARITIES[row["polarity"]])
        for column, prop, must_be in EFFECT_LINKS:
            for ident in row.items(column):
                self.add(node, prop, self.ref(row, column, ident, must_be))
        for column, prop in (("dose", IFN.dose), ("duration", IFN.duration)):
            if row[column]:
                self.add(node, prop, Literal(row[column]))
        if row["hedge"]:
            if row["hedge"] not in HEDGES:
                raise row.error("hedge", f"unknown hedge {row['hedge']!r}: use {', '.join(sorted(HEDGES))}")
            self.add(node, IFN.hedge, Literal(row["hedge"]))
        self.add(node, IFN.description, self.literal(row["description"]))
        self.add(node, RDFS.label, self.literal(self.effect_label(row)))
        self.evidence(node, row)

    def effect_label(self, row: Row) -> str:
        def name(ident: str) -> str:
            source = self.defined.get(ident)
            return source["label"] if source is not None and "label" in source.cells else ident

        regulators = " and ".join(name(i) for i in row.items("regulator"))
        verb = {"increases": "increases", "decreases": "decreases", "requiredFor": "is required for"}[row["direction"]]
        return f"{row['id']}: {regulators} {verb} {name(row['target'])}"

    def studies(self, rows: list[Row]) -> None:
        seen_rows: dict[int, Row] = {}
        for row in rows:
            node = self.iri(row["id"])
            try:
                number = int(row["row"])
            except ValueError:
                raise row.error("row", f"must be an integer, found {row['row']!r}") from None
            if number in seen_rows:
                raise row.error("row", f"Table 1 row {number} is already curated at line {seen_rows[number].line}")
            seen_rows[number] = row
            self.add(node, RDF.type, OWL.NamedIndividual)
            self.add(node, RDF.type, IFN.PreclinicalStudy)
            self.add(node, IFN.tableRow, Literal(number))
            self.add(node, IFN.inCancerType, self.ref(row, "cancer", row["cancer"], "Disease"))
            if row["cancer_as_printed"]:
                self.add(node, IFN.cancerAsPrinted, Literal(row["cancer_as_printed"]))
            for ident in row.items("treatment"):
                self.add(node, IFN.usesTreatment, self.ref(row, "treatment", ident))
            self.add(node, IFN.treatmentAsPrinted, Literal(row["treatment_as_printed"]))
            for ident in row.items("outcomes"):
                if ident not in self.defined or self.defined[ident] is None or self.defined[ident].table != "effects":
                    raise row.error("outcomes", f"{ident!r} is not an effect id")
                self.add(node, IFN.hasOutcomeEffect, self.iri(ident))
            for ident in row.items("species"):
                self.add(node, IFN.inSpecies, self.ref(row, "species", ident, "Organism"))
            self.add(node, IFN.description, self.literal(row["description"]))
            label = f"Table 1 row {number}: {row['cancer_as_printed'] or row['cancer']}, {row['treatment_as_printed']}"
            self.add(node, RDFS.label, self.literal(label))
            self.add(node, IFN.inSection, self.section_iri("table-1"))
            self.add(node, IFN.evidenceCode, EVIDENCE_CODES["TAS"])
            self.add(node, IFN.referencesAsPrinted, Literal(row["refs"].replace(" ", "")))
            for n in parse_refs(row):
                self.add(node, IFN.citesReference, self.iri(f"ref-{n}"))
        self.counts["table_rows"] = len(seen_rows)

    def event(self, row: Row) -> None:
        node = self.iri(row["id"])
        self.add(node, RDF.type, OWL.NamedIndividual)
        self.add(node, RDF.type, IFN.HistoricalEvent)
        if row["year"]:  # some events are undated in the review
            try:
                year = int(row["year"])
            except ValueError:
                raise row.error("year", f"must be an integer year, found {row['year']!r}") from None
            self.add(node, IFN.year, Literal(year))
        self.add(node, RDFS.label, self.literal(row["label"]))
        self.add(node, IFN.description, self.literal(row["description"]))
        if row["agents"]:
            self.add(node, IFN.eventAgent, Literal(row["agents"]))
        for ident in row.items("concerns"):
            self.add(node, IFN.concerns, self.ref(row, "concerns", ident))
        self.evidence(node, row)

    def link_section_steps(self) -> None:
        for row in self._section_steps:
            for step in row.items("steps"):
                self.add(self.section_iri(row["id"]), IFN.aboutStep, self.ref(row, "steps", step, "CancerImmunityCycleStep"))


def compile_sources(source_dir: Path | None = None, version: str | None = None) -> Compiled:
    """Compile ``ontology/src`` into the asserted graph (no reasoning)."""
    from ifnonto.version import __version__

    compiler = Compiler(source_dir or paths.SOURCE_DIR, version or __version__)
    compiled = compiler.run()
    compiler.link_section_steps()  # adds to compiled.graph, which is the compiler's graph
    from ifnonto.reference_links import connect_reference_terms
    from ifnonto.roles import add_roles

    compiled.counts["roles"] = add_roles(compiled.graph, compiler.source_dir)
    links = connect_reference_terms(compiled.graph)
    compiled.reference_import = links.import_graph
    compiled.counts.update(reference_types=len(links.typed), reference_close_matches=len(links.close))
    return compiled
