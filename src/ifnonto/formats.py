"""Rendering query results as an aligned table, CSV, TSV or JSON."""

from __future__ import annotations

import csv
import io
import json

from ifnonto.queries import QueryResult
from ifnonto.iris import PREFIXES

OUTPUT_FORMATS = ("table", "csv", "tsv", "json")


def shorten(value: str | None) -> str:
    if value is None:
        return ""
    for prefix, ns in PREFIXES.items():
        if value.startswith(ns) and len(value) > len(ns):
            return f"{prefix}:{value[len(ns):]}"
    return value


def render(result: QueryResult, fmt: str = "table", max_width: int = 60) -> str:
    if fmt == "json":
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
    cells = [[_clip(shorten(v), max_width) for v in row] for row in result.rows]
    widths = [len(c) for c in result.columns]
    for row in cells:
        widths = [max(w, len(v)) for w, v in zip(widths, row)]
    line = "  ".join(c.ljust(w) for c, w in zip(result.columns, widths))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip() for row in cells]
    out.append(f"({len(result.rows)} row{'s' if len(result.rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
