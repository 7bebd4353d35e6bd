"""Reading RDF files handed to the package, safely.

- The format comes from the file extension (or is given); errors name the file, the line where the parser
  says, and the problem; nothing else is raised.
- Nothing is fetched from the network: RDF/XML with a DOCTYPE or entity declarations is refused (no external
  entities, no entity-expansion bombs), JSON-LD that names a remote @context or uses @import is refused, and
  owl:imports are never followed (they are reported, and dropped before reasoning).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from rdflib import Graph

from ifnonto.errors import IfnontoError

FORMATS = {".ttl": "turtle", ".nt": "nt", ".owl": "xml", ".rdf": "xml", ".xml": "xml",
           ".jsonld": "json-ld", ".json": "json-ld", ".n3": "n3", ".trig": "trig", ".nq": "nquads"}
MAX_FILE_BYTES = 2_000_000_000
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.I)


def guess_format(path: Path) -> str:
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise IfnontoError(f"unknown RDF file extension {Path(path).suffix!r}: use one of "
                           f"{', '.join(sorted(FORMATS))}", path=str(path))
    return fmt


def _check_jsonld(data: bytes, path: Path) -> None:
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        line = getattr(exc, "lineno", None)
        raise IfnontoError(f"not valid JSON: {exc}", path=str(path), line=line) from None

    def walk(node) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "@context":
                    contexts = value if isinstance(value, list) else [value]
                    if any(isinstance(c, str) for c in contexts):
                        raise IfnontoError("JSON-LD with a remote @context is refused (it would be fetched "
                                           "from the network): inline the context", path=str(path))
                if key == "@import":
                    raise IfnontoError("JSON-LD @import is refused (it would be fetched from the network)",
                                       path=str(path))
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(document)


def check_safe(data: bytes, form: str, path: Path) -> None:
    """Refuse input that would make a parser read other files or the network, or expand without bound."""
    if b"\x00" in data[:65536] and form not in ("json-ld",):
        raise IfnontoError("binary data, not an RDF text file", path=str(path))
    if form == "xml" and _DOCTYPE.search(data):
        raise IfnontoError("RDF/XML with a DOCTYPE or <!ENTITY> declaration is refused: external and expanding "
                           "entities are never resolved", path=str(path))
    if form == "json-ld":
        _check_jsonld(data, path)


_OX_FORMATS = {"turtle": "TURTLE", "nt": "N_TRIPLES", "xml": "RDF_XML", "json-ld": "JSON_LD", "trig": "TRIG",
               "nquads": "N_QUADS", "n3": "N3"}


def strict_check(data: bytes, form: str, path: Path) -> None:
    """A streaming pass with pyoxigraph's strict parsers: invalid IRIs, truncation and syntax errors are
    reported with their line, before rdflib (which accepts some invalid IRIs) builds the graph."""
    import pyoxigraph as ox

    rdf_format = getattr(ox.RdfFormat, _OX_FORMATS[form])
    try:
        for _ in ox.parse(data, rdf_format, base_iri=path.resolve().as_uri()):
            pass
    except SyntaxError as exc:
        message = str(exc).split(" (line ")[0]
        raise IfnontoError(f"cannot parse as {form}: {message}", path=str(path), line=exc.lineno) from None


def _read_checked(path: Path, fmt: str | None) -> tuple[bytes, str]:
    if not path.is_file():
        raise IfnontoError("no such file", path=str(path))
    size = path.stat().st_size
    if size == 0:
        raise IfnontoError("empty file: no RDF to read", path=str(path))
    if size > MAX_FILE_BYTES:
        raise IfnontoError(f"file larger than {MAX_FILE_BYTES} bytes", path=str(path))
    form = fmt or guess_format(path)
    data = path.read_bytes()
    check_safe(data, form, path)
    return data, form


def load_triples(files: list[Path], fmt: str | None = None) -> list[tuple]:
    """The triples of ``files`` as pyoxigraph terms, through the same checks as ``load_graph`` (for the
    commands that work at scale without rdflib)."""
    import pyoxigraph as ox

    triples: list[tuple] = []
    for path in files:
        path = Path(path)
        data, form = _read_checked(path, fmt)
        rdf_format = getattr(ox.RdfFormat, _OX_FORMATS[form])
        try:
            triples.extend((q.subject, q.predicate, q.object)
                           for q in ox.parse(data, rdf_format, base_iri=path.resolve().as_uri()))
        except SyntaxError as exc:
            message = str(exc).split(" (line ")[0]
            raise IfnontoError(f"cannot parse as {form}: {message}", path=str(path), line=exc.lineno) from None
    return triples


def load_graph(files: list[Path], fmt: str | None = None) -> Graph:
    graph = Graph()
    for path in files:
        path = Path(path)
        data, form = _read_checked(path, fmt)
        strict_check(data, form, path)
        try:
            graph.parse(data=data, format=form, publicID=path.resolve().as_uri())
        except IfnontoError:
            raise
        except Exception as exc:  # rdflib's parsers raise many exception types
            raise IfnontoError(f"cannot parse as {form}: {_short(exc)}", path=str(path),
                               line=_line(exc)) from None
    return graph


def _short(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return text[:300] or type(exc).__name__


def _line(exc: Exception) -> int | None:
    for attr in ("lines", "line", "lineno"):
        value = getattr(exc, attr, None)
        if isinstance(value, int):
            return value
    getter = getattr(exc, "getLineNumber", None)
    if callable(getter):
        try:
            return int(getter())
        except Exception:  # noqa: BLE001 - best effort
            return None
    match = re.search(r"line (\d+)", str(exc))
    return int(match.group(1)) if match else None
