"""Reading the curated TSV tables by the schema (schema.yaml): errors that name file, line and column."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ifnonto.errors import IfnontoError
from ifnonto.schema import TableSchema, load_schema

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
REFS_PATTERN = re.compile(r"^\d+(?:[-–]\d+)?(?:,\d+(?:[-–]\d+)?)*$")


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


def _expected_header(schema: TableSchema, cells: list[str]) -> bool:
    """The header lists the schema's columns in order; optional columns may be left out."""
    names = iter(cells)
    current = next(names, None)
    for column in schema.columns:
        if current == column.name:
            current = next(names, None)
        elif not column.optional:
            return False
    return current is None and len(set(cells)) == len(cells)


def _check_cell(row: Row, schema: TableSchema) -> None:
    for column in schema.columns:
        value = row.cells[column.name]
        if value != value.strip():
            raise row.error(column.name, f"leading or trailing whitespace in {value!r}")
        if not value:
            if column.required:
                raise row.error(column.name, "must not be empty")
            continue
        parts = value.split("|") if column.multiple else [value]
        if column.multiple and any(not part for part in parts):
            raise row.error(column.name, "empty item in the `|`-separated list")
        if column.values is not None:
            for part in parts:
                if part not in column.values:
                    raise row.error(column.name, f"unknown value {part!r}: use {', '.join(column.values)}")
        if column.kind == "integer":
            try:
                int(value)
            except ValueError:
                raise row.error(column.name, f"must be an integer, found {value!r}") from None
        elif column.kind == "decimal":
            try:
                Decimal(value)
            except InvalidOperation:
                raise row.error(column.name, f"must be a number, found {value!r}") from None
        elif column.kind == "refs" and not REFS_PATTERN.match(value.replace(" ", "")):
            raise row.error(column.name, f"reference numbers must look like 121 or 31,39-41; found {value!r}")


def read_table(path: Path, table: str) -> list[Row]:
    """Read one TSV file of kind ``table``; raise IfnontoError on the first malformed line."""
    schema = load_schema().tables[table]
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
    columns: list[str] | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip("\r")
        if not line.strip() or line.startswith("#"):
            continue
        if "\x00" in line:
            raise IfnontoError("binary data (NUL byte) in a table", path=str(path), line=number)
        cells = line.split("\t")
        if columns is None:
            if not _expected_header(schema, cells):
                required = [c.name for c in schema.columns if not c.optional]
                optional = [c.name for c in schema.columns if c.optional]
                raise IfnontoError(
                    f"header must be exactly: {' '.join(required)} (tab-separated"
                    + (f"; optional, in this order: {' '.join(optional)}" if optional else "")
                    + f"); found: {' '.join(cells)}", path=str(path), line=number)
            columns = cells
            continue
        if len(cells) != len(columns):
            raise IfnontoError(
                f"expected {len(columns)} tab-separated columns ({', '.join(columns)}), found {len(cells)}",
                path=str(path), line=number)
        values = dict.fromkeys(schema.names, "")
        values.update(zip(columns, cells))
        row = Row(table, Path(path), number, values)
        _check_cell(row, schema)
        rows.append(row)
    if columns is None:
        raise IfnontoError("empty table: no header line", path=str(path))
    return rows


def read_folder(folder: Path, table: str, pattern: str = "*.tsv") -> list[Row]:
    """All files of one table kind in a folder, in file-name order."""
    rows: list[Row] = []
    for path in sorted(Path(folder).glob(pattern)):
        rows.extend(read_table(path, table))
    return rows


def parse_refs(row: Row, max_reference: int, column: str = "refs") -> list[int]:
    """Reference numbers as printed (``31,39-41``) to the list of numbers, each in 1..``max_reference``
    (the reference count of the row's source)."""
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
        if not 1 <= number <= max_reference:
            raise row.error(column, f"reference number {number} is outside 1..{max_reference} "
                                    f"(the source's reference_count)")
    return numbers
