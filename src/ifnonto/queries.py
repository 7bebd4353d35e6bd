"""The packaged SPARQL queries: a registry read from the headers of ``queries/*.rq``, and their execution.

Header format (one per line at the top of a query file)::

    # title: Members of an interferon type
    # description: ...
    # param: type | iri | type-I-IFN | the interferon type (an id such as type-I-IFN, or a full IRI)

Parameters are bound as RDF terms (pyoxigraph ``substitutions``, rdflib ``initBindings``), never pasted into
the query text, so a value cannot change the query's structure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ifnonto import paths
from ifnonto.errors import IfnontoError
from ifnonto.iris import BASE, PREFIXES, XREF_PREFIXES

PARAM_TYPES = ("iri", "string", "integer")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20\x7f-\x9f<>"{}|\\^`]|\s')


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: str | None
    description: str


@dataclass(frozen=True)
class PackagedQuery:
    name: str
    path: Path
    title: str
    description: str
    params: tuple[Param, ...]
    text: str
    requires_inference: bool = False
    tags: tuple[str, ...] = field(default_factory=tuple)
    asserted_only: bool = False   # a QC check that is meaningless on materialized conclusions

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


def parse_header(path: Path) -> PackagedQuery:
    text = path.read_text(encoding="utf-8")
    title = description = None
    params: list[Param] = []
    inference = False
    asserted_only = False
    tags: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        body = line[1:].strip()
        key, _, value = body.partition(":")
        key, value = key.strip().lower(), value.strip()
        if key == "title":
            title = value
        elif key == "description":
            description = value if description is None else f"{description} {value}"
        elif key == "param":
            parts = [part.strip() for part in value.split("|")]
            if len(parts) != 4 or not _NAME.match(parts[0]) or parts[1] not in PARAM_TYPES:
                raise IfnontoError("param header must be: name | iri|string|integer | default (or -) | description",
                                   path=str(path), line=number)
            params.append(Param(parts[0], parts[1], None if parts[2] in ("", "-") else parts[2], parts[3]))
        elif key == "inference":
            inference = value.lower() in ("required", "yes", "true")
        elif key == "scope":
            asserted_only = value.lower() == "asserted"
        elif key == "tags":
            tags = tuple(t.strip() for t in value.split(",") if t.strip())
    if not title or not description:
        raise IfnontoError("query header needs '# title:' and '# description:' lines", path=str(path), line=1)
    return PackagedQuery(path.stem, path, title, description, tuple(params), text, inference, tags, asserted_only)


def registry(folder: Path | None = None) -> dict[str, PackagedQuery]:
    folder = Path(folder) if folder else paths.QUERIES_DIR
    return {path.stem: parse_header(path) for path in sorted(folder.glob("*.rq"))}


def get_query(name: str, folder: Path | None = None) -> PackagedQuery:
    queries = registry(folder)
    if name not in queries:
        close = [n for n in queries if name.lower() in n.lower()]
        hint = f"; did you mean: {', '.join(close[:5])}" if close else "; run `ifnonto queries` for the list"
        raise IfnontoError(f"unknown query {name!r}{hint}")
    return queries[name]


def _expand_iri(value: str, param: str) -> str:
    if ":" in value and not value.startswith(("http://", "https://", "urn:")):
        prefix, _, local = value.partition(":")
        if prefix in PREFIXES:
            value = PREFIXES[prefix] + local
        elif prefix in XREF_PREFIXES:  # a reference term as its CURIE: CL:0000738, GO:0012501, MONDO:0004993
            value = XREF_PREFIXES[prefix] + local
    elif not value.startswith(("http://", "https://", "urn:")):
        value = BASE + value
    if _IRI_FORBIDDEN.search(value) or not value:
        raise IfnontoError(f"parameter {param!r}: {value!r} is not a valid IRI or id "
                           f"(spaces, quotes, braces and angle brackets are not allowed)")
    import pyoxigraph  # the strict IRI parser (RFC 3987) decides what is left

    try:
        pyoxigraph.NamedNode(value)
    except ValueError as exc:
        raise IfnontoError(f"parameter {param!r}: {value!r} is not a valid IRI or id ({exc})") from None
    return value


def bind_values(query: PackagedQuery, values: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Check the user's ``--param`` values against the header; return name -> (type, lexical value)."""
    bound: dict[str, tuple[str, str]] = {}
    for name in values:
        if query.param(name) is None:
            known = ", ".join(p.name for p in query.params) or "none"
            raise IfnontoError(f"query {query.name!r} has no parameter {name!r} (its parameters: {known})")
    for param in query.params:
        raw = values.get(param.name, param.default)
        if raw is None:
            continue
        if "\x00" in raw:
            raise IfnontoError(f"parameter {param.name!r}: NUL character is not allowed")
        if param.type == "iri":
            bound[param.name] = ("iri", _expand_iri(raw, param.name))
        elif param.type == "integer":
            if not re.fullmatch(r"[+-]?\d{1,18}", raw.strip()):
                raise IfnontoError(f"parameter {param.name!r} must be an integer, got {raw!r}")
            bound[param.name] = ("integer", str(int(raw)))
        else:
            bound[param.name] = ("string", raw)
    return bound


def parse_param_args(pairs: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise IfnontoError(f"--param needs the form name=value, got {pair!r}")
        values[name.strip()] = value
    return values


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[list[str | None]]

    def as_dicts(self) -> list[dict[str, str | None]]:
        return [dict(zip(self.columns, row)) for row in self.rows]
