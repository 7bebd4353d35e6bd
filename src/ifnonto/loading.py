"""Reading RDF files handed to the package, safely: format from the extension, errors with file and line,
no network access (owl:imports are never followed) and no XML external entities."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from ifnonto.errors import IfnontoError

FORMATS = {".ttl": "turtle", ".nt": "nt", ".owl": "xml", ".rdf": "xml", ".xml": "xml",
           ".jsonld": "json-ld", ".json": "json-ld", ".n3": "n3", ".trig": "trig", ".nq": "nquads"}


def guess_format(path: Path) -> str:
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise IfnontoError(f"unknown RDF file extension {Path(path).suffix!r}: use one of "
                           f"{', '.join(sorted(FORMATS))}", path=str(path))
    return fmt


def load_graph(files: list[Path], fmt: str | None = None) -> Graph:
    graph = Graph()
    for path in files:
        path = Path(path)
        if not path.is_file():
            raise IfnontoError("no such file", path=str(path))
        if path.stat().st_size == 0:
            raise IfnontoError("empty file: no RDF to read", path=str(path))
        form = fmt or guess_format(path)
        data = path.read_bytes()
        if form == "xml" and b"<!ENTITY" in data:
            raise IfnontoError("RDF/XML with an entity declaration (<!ENTITY ...>) is refused: external and "
                               "expanding entities are not resolved", path=str(path))
        try:
            graph.parse(data=data, format=form, publicID=path.resolve().as_uri())
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
    return None
