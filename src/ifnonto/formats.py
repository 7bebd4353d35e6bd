"""Rendering query results: an aligned table that fits the terminal, CSV, TSV, W3C SPARQL 1.1 Query Results JSON
(`json`), the package's simple JSON (`json-simple`), and RDF for CONSTRUCT/DESCRIBE results."""

from __future__ import annotations

import csv
import io
import json

from ifnonto.errors import IfnontoError
from ifnonto.iris import PREFIXES
from ifnonto.queries import GraphResult, QueryResult

TABLE_FORMATS = ("table", "csv", "tsv", "json", "json-simple")
GRAPH_FORMATS = ("turtle", "ntriples", "jsonld", "rdfxml")
OUTPUT_FORMATS = TABLE_FORMATS + GRAPH_FORMATS
MAX_CELL = 60       # characters per cell in a table, unless --no-truncate
MIN_COLUMN = 8      # a column is never squeezed narrower than this to fit the terminal

# Labels of the evidence codes the curated effects use (their meaning is documented in ontology/src/core.ttl),
# shown beside the code in tables because the release does not carry the ECO labels.
EVIDENCE_LABELS = {
    "http://purl.obolibrary.org/obo/ECO_0000304": "traceable author statement",
    "http://purl.obolibrary.org/obo/ECO_0000303": "author statement, no reference",
    "http://purl.obolibrary.org/obo/ECO_0000305": "curator inference",
}


def shorten(value: str | None) -> str:
    if value is None:
        return ""
    for prefix, ns in PREFIXES.items():
        if value.startswith(ns) and len(value) > len(ns):
            return f"{prefix}:{value[len(ns):]}"
    return value


def display(value: str | None) -> str:
    """A cell as a reader wants it: a CURIE, with its label where the CURIE alone says little."""
    if value is None:
        return ""
    label = EVIDENCE_LABELS.get(value)
    if label:
        return f"{value.rsplit('/', 1)[-1].replace('_', ':')} ({label})"
    return shorten(value)


def render(result: QueryResult | GraphResult, fmt: str | None = "table", *, width: int | None = None,
           truncate: bool = True, max_width: int = MAX_CELL) -> str:
    """``width``: the terminal width to fit the table into (None: no limit); ``truncate``: clip cells longer
    than ``max_width``."""
    if isinstance(result, GraphResult):
        return render_graph(result, "turtle" if fmt in (None, "table") else fmt)
    fmt = fmt or "table"
    if fmt in GRAPH_FORMATS:
        raise IfnontoError(f"--format {fmt} is for CONSTRUCT and DESCRIBE results; a SELECT or ASK result can be "
                           f"shown as {', '.join(TABLE_FORMATS)}")
    if fmt == "json":
        if result.boolean is not None:
            document = {"head": {}, "boolean": result.boolean}
        else:
            document = {"head": {"vars": result.columns}, "results": {"bindings": result.w3c_bindings()}}
        return json.dumps(document, ensure_ascii=False, indent=1) + "\n"
    if fmt == "json-simple":
        return json.dumps({"columns": result.columns, "rows": result.as_dicts()}, ensure_ascii=False, indent=1) + "\n"
    if fmt in ("csv", "tsv"):
        buffer = io.StringIO()
        if fmt == "csv":
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerow(result.columns)
            writer.writerows([["" if v is None else v for v in row] for row in result.rows])
        else:
            buffer.write("\t".join(result.columns) + "\n")
            for row in result.rows:
                cells = ["" if v is None else v.replace("\t", " ").replace("\n", " ") for v in row]
                buffer.write("\t".join(cells) + "\n")
        return buffer.getvalue()
    if fmt != "table":
        raise IfnontoError(f"unknown output format {fmt!r}: use one of {', '.join(OUTPUT_FORMATS)}")
    return _table(result, width, truncate, max_width)


def _table(result: QueryResult, width: int | None, truncate: bool, max_width: int) -> str:
    texts = [[" ".join(display(v).split()) for v in row] for row in result.rows]
    natural = [len(c) for c in result.columns]
    for row in texts:
        natural = [max(w, len(v)) for w, v in zip(natural, row)]
    widths = [min(w, max_width) for w in natural] if truncate else list(natural)
    if truncate and width:
        widths = fit(widths, width, [len(c) for c in result.columns])
    out = ["  ".join(_clip(c, w) .ljust(w) for c, w in zip(result.columns, widths)).rstrip(),
           "  ".join("-" * w for w in widths)]
    out += ["  ".join(_clip(v, w).ljust(w) for v, w in zip(row, widths)).rstrip() for row in texts]
    out.append(f"({len(result.rows)} row{'s' if len(result.rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def fit(widths: list[int], total: int, headers: list[int] | None = None) -> list[int]:
    """Shrink the widest columns, one character at a time, until the row (with 2-space gaps) fits ``total``."""
    widths = list(widths)
    floor = [min(w, max(MIN_COLUMN, min(h, 12))) for w, h in zip(widths, headers or [0] * len(widths))]
    budget = total - 2 * (len(widths) - 1)
    while sum(widths) > budget:
        candidates = [i for i, w in enumerate(widths) if w > floor[i]]
        if not candidates:
            break
        widest = max(candidates, key=lambda i: widths[i])
        widths[widest] -= 1
    return widths


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def render_graph(result: GraphResult, fmt: str) -> str:
    """CONSTRUCT/DESCRIBE triples as Turtle (with the release's prefixes), N-Triples, JSON-LD or RDF/XML."""
    import pyoxigraph as ox

    formats = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD,
               "rdfxml": ox.RdfFormat.RDF_XML}
    if fmt not in formats:
        raise IfnontoError(f"a CONSTRUCT or DESCRIBE result is RDF: use --format {', '.join(GRAPH_FORMATS)}")
    triples = sorted(ox.parse(result.ntriples.encode("utf-8"), ox.RdfFormat.N_TRIPLES), key=str)
    kwargs = {"prefixes": PREFIXES} if fmt in ("turtle", "rdfxml") else {}
    return ox.serialize(triples, format=formats[fmt], **kwargs).decode("utf-8")
