"""Files generated from the table schema: the column documentation in docs/CURATION.md and the derived shapes."""

from __future__ import annotations

from pathlib import Path

from ifnonto import paths
from ifnonto.schema import Column, Schema, TableSchema, load_schema

DOCS_FILE = paths.ROOT / "docs" / "CURATION.md"
SHAPES_FILE = paths.SHAPES_DIR / "generated-table-shapes.ttl"
DOCS_BEGIN = "<!-- BEGIN GENERATED COLUMNS: `ifnonto build --docs` writes this part from ontology/src/schema.yaml -->"
DOCS_END = "<!-- END GENERATED COLUMNS -->"

_DATATYPES = {"integer": "xsd:integer", "decimal": "xsd:decimal", "langtext": "rdf:langString", "text": "xsd:string"}
_NODE_NAMES = {"Effect": "an effect", "PreclinicalStudy": "a study", "HistoricalEvent": "an event"}


# ---------------------------------------------------------------------------------------------- documentation
def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _column_doc(column: Column) -> str:
    notes = []
    if column.required:
        notes.append("**required**")
    if column.optional:
        notes.append("optional column")
    if column.kind in ("ids", "list"):
        notes.append("`|`-separated list")
    if column.cls:
        notes.append(f"each a `{column.cls}`")
    if column.values is not None:
        notes.append("one of " + ", ".join(f"`{v}`" for v in column.values))
    if column.rdf_property:
        notes.append(f"becomes `ifn:{column.rdf_property}`")
    extra = f" ({'; '.join(notes)})" if notes else ""
    return f"| `{column.name}` | {_cell(column.doc + extra)} |"


def docs_section(schema: Schema) -> str:
    lines = [DOCS_BEGIN, ""]
    for table in schema.tables.values():
        lines += [f"### {table.where}: {table.title}", "", "| column | content |", "|---|---|"]
        lines += [_column_doc(column) for column in table.columns]
        lines.append("")
    lines.append("Cross-reference prefixes and the syntax of their local part: "
                 + ", ".join(f"`{p}:{x.pattern.pattern}`" for p, x in sorted(schema.xref_prefixes.items())) + ".")
    lines += ["", DOCS_END]
    return "\n".join(lines)


def render_docs(current: str, schema: Schema) -> str:
    """``current`` with the text between the markers replaced by the generated column documentation."""
    start, end = current.find(DOCS_BEGIN), current.find(DOCS_END)
    if start < 0 or end < start:
        raise ValueError(f"{DOCS_FILE.name} lacks the generated-section markers")
    return current[:start] + docs_section(schema) + current[end + len(DOCS_END):]


# ---------------------------------------------------------------------------------------------- shapes
def _value_list(column: Column) -> str:
    if any(column.individual(v) for v in column.values):
        return " ".join(f"ifn:{column.individual(v)}" for v in column.values)
    return " ".join(f'"{v}"' for v in column.values)


def _property_shape(table: TableSchema, column: Column) -> str:
    noun = _NODE_NAMES.get(table.node_class or "", "a node")
    single = not column.multiple
    parts = [f"sh:path ifn:{column.rdf_property}"]
    name = column.name.replace("_", " ")
    if column.required:
        parts.append("sh:minCount 1")
    if single:
        parts.append("sh:maxCount 1")
    says = {(True, True): f"{noun} needs exactly one {name}", (True, False): f"{noun} needs at most one {name}",
            (False, True): f"{noun} needs at least one {name}", (False, False): f"the {name} of {noun}"}
    message = says[(single, column.required)]
    if column.values is not None:
        parts.append(f"sh:in ( {_value_list(column)} )")
        message += ", one of " + " ".join(column.values)
    elif column.cls:
        parts.append(f"sh:class ifn:{column.cls}")
        message += f", each of class {column.cls}"
    elif column.kind in ("id", "ids"):
        parts.append("sh:nodeKind sh:IRI")
        message += ", each an entity IRI"
    elif column.kind in _DATATYPES:
        parts.append(f"sh:datatype {_DATATYPES[column.kind]}")
        message += f", of datatype {_DATATYPES[column.kind]}"
    message += f" [schema: {table.name}.{column.name}]"
    return f"    sh:property [ {' ; '.join(parts)} ;\n        sh:message \"{message}\" ]"


def shapes_text(schema: Schema) -> str:
    out = ["# GENERATED from ontology/src/schema.yaml by `ifnonto build --docs`: do not edit; change the schema.",
           "# The constraints each table column implies for the node its row becomes (required, single-valued,",
           "# allowed values, class); subtle rules stay hand-written in ifn-cancer-shapes.ttl.",
           "",
           "@prefix sh:       <http://www.w3.org/ns/shacl#> .",
           "@prefix ifn:      <https://w3id.org/ifn-cancer/> .",
           "@prefix shapes:   <https://w3id.org/ifn-cancer/shapes/> .",
           "@prefix rdf:      <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .",
           "@prefix rdfs:     <http://www.w3.org/2000/01/rdf-schema#> .",
           "@prefix xsd:      <http://www.w3.org/2001/XMLSchema#> .",
           "@prefix oboInOwl: <http://www.geneontology.org/formats/oboInOwl#> .",
           ""]
    for table in schema.tables.values():
        if not table.node_class:
            continue
        columns = [c for c in table.columns if c.rdf_property]
        out.append(f"shapes:{table.node_class}TableShape a sh:NodeShape ;")
        out.append(f"    rdfs:comment \"What the columns of {table.where} require of each {table.node_class}.\" ;")
        out.append(f"    sh:targetClass ifn:{table.node_class} ;")
        out.append(" ;\n".join(_property_shape(table, c) for c in columns) + " .")
        out.append("")
    pattern = schema.xref_regex().replace("\\", "\\\\")
    out += ["shapes:XrefSyntaxShape a sh:NodeShape ;",
            "    rdfs:comment \"Every cross-reference is a CURIE of a known prefix with a well-formed local part.\" ;",
            "    sh:targetSubjectsOf oboInOwl:hasDbXref ;",
            f"    sh:property [ sh:path oboInOwl:hasDbXref ; sh:datatype xsd:string ; sh:pattern \"{pattern}\" ;",
            "        sh:message \"a cross-reference must be a CURIE with a known prefix and a well-formed local part "
            "[schema: xref_prefixes]\" ] .",
            ""]
    return "\n".join(out)


def generated_files(schema: Schema | None = None) -> dict[Path, str]:
    """The text each generated file must have, from the schema."""
    schema = schema or load_schema()
    return {DOCS_FILE: render_docs(DOCS_FILE.read_text(encoding="utf-8"), schema), SHAPES_FILE: shapes_text(schema)}
