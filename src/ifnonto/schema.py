"""The declarative schema of the curated tables (ontology/src/schema.yaml), read once into plain objects."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ifnonto import paths
from ifnonto.errors import IfnontoError

KINDS = {"text", "langtext", "id", "ids", "list", "refs", "integer", "decimal"}


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    doc: str
    required: bool = False
    optional: bool = False
    rdf_property: str | None = None
    cls: str | None = None
    values: dict[str, str | None] | None = None   # allowed value -> individual local name (None: a literal)

    @property
    def multiple(self) -> bool:
        return self.kind in ("ids", "list")

    def individual(self, value: str) -> str | None:
        return self.values.get(value) if self.values else None


@dataclass(frozen=True)
class TableSchema:
    name: str
    title: str
    where: str
    columns: tuple[Column, ...]
    node_class: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)


@dataclass(frozen=True)
class XrefPrefix:
    prefix: str
    iri: str
    pattern: re.Pattern


@dataclass(frozen=True)
class Schema:
    tables: dict[str, TableSchema]
    xref_prefixes: dict[str, XrefPrefix]
    evidence_codes: dict[str, str]
    path: Path = field(default=Path())

    def xref_problem(self, curie: str) -> str | None:
        """Why ``curie`` is not a valid cross-reference, or None."""
        prefix, _, local = curie.partition(":")
        known = self.xref_prefixes.get(prefix)
        if not local or known is None:
            return f"{curie!r} is not a CURIE with a known prefix ({', '.join(sorted(self.xref_prefixes))})"
        if not known.pattern.fullmatch(local):
            return f"{curie!r}: the local part of a {prefix} id must match {known.pattern.pattern}"
        return None

    def xref_regex(self) -> str:
        """One regular expression for every valid CURIE (used in the generated shapes)."""
        return "^(" + "|".join(f"{p}:{x.pattern.pattern}" for p, x in sorted(self.xref_prefixes.items())) + ")$"


def _column(table: str, raw: dict) -> Column:
    kind = raw.get("kind", "text")
    if kind not in KINDS:
        raise IfnontoError(f"table {table}, column {raw.get('name')}: unknown kind {kind!r}")
    values = raw.get("values")
    if isinstance(values, list):
        values = {str(v): None for v in values}
    elif isinstance(values, dict):
        values = {str(k): str(v) for k, v in values.items()}
    return Column(name=raw["name"], kind=kind, doc=raw.get("doc", ""), required=bool(raw.get("required")),
                  optional=bool(raw.get("optional")), rdf_property=raw.get("property"), cls=raw.get("class"),
                  values=values)


def read_schema(path: Path) -> Schema:
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise IfnontoError(f"cannot read the table schema: {exc}", path=str(path)) from None
    tables = {name: TableSchema(name, spec.get("title", name), spec.get("where", ""),
                                tuple(_column(name, c) for c in spec["columns"]), spec.get("node_class"))
              for name, spec in data["tables"].items()}
    prefixes = {p: XrefPrefix(p, spec["iri"], re.compile(spec["pattern"]))
                for p, spec in data["xref_prefixes"].items()}
    return Schema(tables, prefixes, dict(data["evidence_codes"]), Path(path))


@lru_cache(maxsize=4)
def load_schema(path: Path | None = None) -> Schema:
    return read_schema(path or paths.SOURCE_DIR / "schema.yaml")
