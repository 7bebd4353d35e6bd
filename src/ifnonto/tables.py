"""Reading the curated TSV tables: exact headers, one row per line, errors that name file, line and column."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ifnonto.errors import IfnontoError

# The columns of each kind of table, in order (see docs/CURATION.md).
SCHEMAS: dict[str, tuple[str, ...]] = {
    "entities": ("id", "type", "label", "definition", "synonyms", "xrefs", "note", "no_term", "deprecated_by"),
    "xrefs": ("entity", "id", "label"),
    "facts": ("subject", "property", "object", "section", "refs", "evidence", "species", "note"),
    "effects": ("id", "regulator", "direction", "target", "polarity", "steps", "cell_type", "source_cell",
                "cancer", "species", "model", "dose", "duration", "mediators", "combined_with", "therapy",
                "phase", "hedge", "section", "refs", "evidence", "description"),
    "studies": ("id", "row", "cancer", "cancer_as_printed", "treatment", "treatment_as_printed", "outcomes",
                "species", "refs", "description"),
    "events": ("id", "year", "label", "description", "agents", "concerns", "section", "refs", "evidence"),
    "sections": ("id", "label", "order", "parent", "steps"),
    "references": ("number", "first_author", "year", "title", "journal", "volume_pages", "doi", "pmid"),
    "roles": ("entity", "role", "section", "refs", "evidence", "note"),
}

# Columns that must not be empty.
REQUIRED: dict[str, tuple[str, ...]] = {
    "entities": ("id", "type", "label", "definition"),
    "xrefs": ("entity", "id", "label"),
    "facts": ("subject", "property", "object", "section", "evidence"),
    "effects": ("id", "regulator", "direction", "target", "polarity", "section", "evidence", "description"),
    "studies": ("id", "row", "cancer", "treatment", "treatment_as_printed", "outcomes", "refs", "description"),
    "events": ("id", "label", "description", "section", "evidence"),
    "sections": ("id", "label", "order"),
    "references": ("number",),
    "roles": ("entity", "role", "section", "evidence", "note"),
}

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
REFS_PATTERN = re.compile(r"^\d+(?:[-–]\d+)?(?:,\d+(?:[-–]\d+)?)*$")
MAX_REFERENCE = 240


@dataclass(frozen=True)
class Row:
    table: str
    path: Path
    line: int
    cells: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.cells[column]

    def items(self, column: str) -> list[str]:
        """The `|`-separated list in a cell (empty cell: empty list)."""
        value = self.cells[column]
        return [part for part in value.split("|")] if value else []

    def error(self, column: str | None, message: str) -> IfnontoError:
        return IfnontoError(message, path=str(self.path), line=self.line, column=column)


def read_table(path: Path, table: str) -> list[Row]:
    """Read one TSV file of kind ``table``; raise IfnontoError on the first malformed line."""
    columns = SCHEMAS[table]
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise IfnontoError(f"cannot read file: {exc.strerror}", path=str(path)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise IfnontoError("not valid UTF-8 text", path=str(path), line=line) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    rows: list[Row] = []
    header_seen = False
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip("\r")
        if not line.strip() or line.startswith("#"):
            continue
        if "\x00" in line:
            raise IfnontoError("binary data (NUL byte) in a table", path=str(path), line=number)
        cells = line.split("\t")
        if not header_seen:
            header_seen = True
            if tuple(cells) != columns:
                raise IfnontoError(
                    f"header must be exactly: {' '.join(columns)} (tab-separated); found: {' '.join(cells)}",
                    path=str(path), line=number)
            continue
        if len(cells) != len(columns):
            raise IfnontoError(
                f"expected {len(columns)} tab-separated columns ({', '.join(columns)}), found {len(cells)}",
                path=str(path), line=number)
        row = Row(table, Path(path), number, dict(zip(columns, cells)))
        for column in columns:
            value = row.cells[column]
            if value != value.strip():
                raise row.error(column, f"leading or trailing whitespace in {value!r}")
        for column in REQUIRED[table]:
            if not row.cells[column]:
                raise row.error(column, "must not be empty")
        rows.append(row)
    if not header_seen:
        raise IfnontoError("empty table: no header line", path=str(path))
    return rows


def read_folder(folder: Path, table: str) -> list[Row]:
    """All ``*.tsv`` files of one table kind, in file-name order."""
    rows: list[Row] = []
    for path in sorted(Path(folder).glob("*.tsv")):
        rows.extend(read_table(path, table))
    return rows


def parse_refs(row: Row, column: str = "refs") -> list[int]:
    """Reference numbers as printed (``31,39-41``) to the list of numbers, each checked to lie in 1..240."""
    value = row.cells[column].replace(" ", "")
    if not value:
        return []
    if not REFS_PATTERN.match(value):
        raise row.error(column, f"reference numbers must look like 121 or 31,39-41; found {value!r}")
    numbers: list[int] = []
    for part in value.split(","):
        bounds = re.split(r"[-–]", part)
        low, high = int(bounds[0]), int(bounds[-1])
        if high < low:
            raise row.error(column, f"reference range {part!r} runs backwards")
        numbers.extend(range(low, high + 1))
    for number in numbers:
        if not 1 <= number <= MAX_REFERENCE:
            raise row.error(column, f"reference number {number} is outside 1..{MAX_REFERENCE}")
    return numbers
